//! Just enough ELF for disassembly: the `.text` bytes, its address, the
//! function symbols in it, and the target from `e_flags` (goblin does the
//! bounds-checked parsing).

use crate::types::Target;

/// A function symbol inside `.text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Func {
    /// Symbol name.
    pub name: String,
    /// Virtual address.
    pub addr: u64,
    /// Size in bytes (0 if the symbol has none).
    pub size: u64,
}

/// The executable code of a code object.
#[derive(Debug, Clone)]
pub struct Text {
    /// `.text` contents.
    pub bytes: Vec<u8>,
    /// Address of the first byte.
    pub addr: u64,
    /// Function symbols sorted by address.
    pub funcs: Vec<Func>,
    /// Target from `e_flags` (EF_AMDGPU_MACH), if known.
    pub target: Option<Target>,
    /// EF_AMDGPU_FEATURE bits say nothing about wave size; kernels say it in
    /// their descriptor (`.kd`, byte 56 bit 10 = wavefront size 32).
    pub wave64_kernels: Vec<(String, bool)>,
}

/// Error reading a code object.
#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    /// goblin could not parse it.
    #[error("not a valid ELF file: {0}")]
    Parse(String),
    /// No `.text` section.
    #[error("no .text section")]
    NoText,
    /// Section data outside the file.
    #[error(".text at file offset {offset:#x} + {size:#x} is past the end of the file ({len:#x})")]
    Bounds {
        /// Offset.
        offset: u64,
        /// Size.
        size: u64,
        /// File length.
        len: usize,
    },
}

/// EF_AMDGPU_MACH values (LLVM `ELF.h`).
fn target_of(flags: u32) -> Option<Target> {
    match flags & 0xFF {
        0x33 => Some(Target::Gfx1010),
        0x34 => Some(Target::Gfx1011),
        0x35 => Some(Target::Gfx1012),
        0x36 => Some(Target::Gfx1030),
        _ => None,
    }
}

/// Reads `.text`, its function symbols and kernel descriptors.
pub fn read_text(data: &[u8]) -> Result<Text, ElfError> {
    let elf = goblin::elf::Elf::parse(data).map_err(|e| ElfError::Parse(e.to_string()))?;
    let sh = elf
        .section_headers
        .iter()
        .find(|s| elf.shdr_strtab.get_at(s.sh_name) == Some(".text"))
        .ok_or(ElfError::NoText)?;
    let (off, size) = (sh.sh_offset, sh.sh_size);
    let end = off.checked_add(size).filter(|&e| e <= data.len() as u64);
    let bytes = match end {
        Some(e) => data[off as usize..e as usize].to_vec(),
        None => {
            return Err(ElfError::Bounds {
                offset: off,
                size,
                len: data.len(),
            })
        }
    };
    let addr = sh.sh_addr;
    let mut funcs = Vec::new();
    let mut wave64_kernels = Vec::new();
    for sym in elf.syms.iter() {
        let name = elf.strtab.get_at(sym.st_name).unwrap_or("").to_string();
        if sym.st_type() == goblin::elf::sym::STT_FUNC
            && sym.st_value >= addr
            && sym.st_value < addr + size
        {
            funcs.push(Func {
                name: name.clone(),
                addr: sym.st_value,
                size: sym.st_size,
            });
        }
        if let Some(k) = name.strip_suffix(".kd") {
            // Find the descriptor bytes via the section holding it.
            if let Some(s) = elf.section_headers.get(sym.st_shndx) {
                let o = sym
                    .st_value
                    .wrapping_sub(s.sh_addr)
                    .wrapping_add(s.sh_offset) as usize;
                if let Some(b) = data.get(o + 56..o + 58) {
                    let props = u16::from_le_bytes([b[0], b[1]]);
                    wave64_kernels.push((k.to_string(), props & (1 << 10) == 0));
                }
            }
        }
    }
    funcs.sort_by_key(|f| f.addr);
    Ok(Text {
        bytes,
        addr,
        funcs,
        target: target_of(elf.header.e_flags),
        wave64_kernels,
    })
}
