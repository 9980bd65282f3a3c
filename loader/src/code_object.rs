//! [`CodeObject`]: a parsed, validated `.hsaco` — target, metadata, and per kernel its
//! decoded descriptor and entry point.

use crate::descriptor::{KernelDescriptor, KERNEL_DESCRIPTOR_SIZE};
use crate::elf::{self, Segment, NT_AMDGPU_METADATA, PF_X, PT_LOAD, PT_NOTE};
use crate::error::{Error, Result};
use crate::metadata::{KernelMeta, Metadata};
use crate::target::{CodeObjectVersion, Mach, Target};
use goblin::elf::sym::{STT_FUNC, STT_OBJECT};
use serde::Serialize;

/// COMPUTE_PGM_LO/HI hold the entry address >> 8 (sid.h `R_00B830_COMPUTE_PGM_LO`), so
/// kernel code must start on a 256-byte boundary.
pub const ENTRY_ALIGN: u64 = 256;

/// One kernel of a code object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kernel {
    /// Kernel name (`.name`).
    pub name: String,
    /// Decoded 64-byte descriptor.
    pub descriptor: KernelDescriptor,
    /// Its metadata entry.
    pub metadata: KernelMeta,
    /// Address of the descriptor (`name.kd`) relative to the load base.
    pub desc_offset: u64,
    /// Address of the first instruction relative to the load base
    /// (= `desc_offset + kernel_code_entry_byte_offset`).
    pub entry_offset: u64,
    /// Size of the code (`st_size` of the function symbol), when the symbol is present.
    pub code_size: Option<u64>,
}

/// A dynamic relocation to apply at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reloc {
    /// `r_offset`: address (relative to the load base) to patch.
    pub offset: u64,
    /// `R_AMDGPU_*` type.
    pub r_type: u32,
    /// `r_addend`.
    pub addend: i64,
    /// Value (relative to the base) of the referenced symbol if defined; `None` for
    /// undefined symbols or `r_sym` 0.
    pub sym_value: Option<u64>,
    /// `r_sym`.
    pub sym: usize,
}

/// A parsed AMDGPU HSA code object.
#[derive(Debug, Clone)]
pub struct CodeObject {
    /// Code-object version (from `EI_ABIVERSION`).
    pub version: CodeObjectVersion,
    /// Processor and features (from `e_flags`).
    pub target: Target,
    /// NT_AMDGPU_METADATA contents.
    pub metadata: Metadata,
    /// All program headers.
    pub segments: Vec<Segment>,
    /// Dynamic relocations.
    pub relocs: Vec<Reloc>,
    kernels: Vec<Kernel>,
    data: Vec<u8>,
}

fn symbol_err(name: &str, detail: impl Into<String>) -> Error {
    Error::Symbol {
        name: name.to_string(),
        detail: detail.into(),
    }
}

impl CodeObject {
    /// Parses and validates a code object. Never panics on bad input: every problem is an
    /// [`Error`] naming the offset, field or kernel.
    pub fn parse(data: &[u8]) -> Result<CodeObject> {
        let header = elf::parse_header(data)?;
        let target = Target::from_e_flags(header.e_flags, header.version)?;
        let segments = elf::parse_segments(data, &header)?;
        let metadata = find_metadata(data, &segments)?;
        if let Some(t) = &metadata.target {
            // amdhsa.target = "amdgcn-amd-amdhsa--gfx1010[:feature±...]".
            let proc_part = t.rsplit("--").next().unwrap_or(t);
            let proc_name = proc_part.split(':').next().unwrap_or(proc_part);
            if proc_name != target.mach.name {
                return Err(Error::Metadata {
                    path: "amdhsa.target".into(),
                    detail: format!(
                        "{t:?} disagrees with e_flags processor {}",
                        target.mach.name
                    ),
                });
            }
        }
        elf::check_sections(data)?;
        let elf = goblin::elf::Elf::parse(data).map_err(|e| Error::Elf(e.to_string()))?;
        let symbols = collect_symbols(&elf);
        let relocs = collect_relocs(&elf)?;
        let mut kernels = Vec::with_capacity(metadata.kernels.len());
        for meta in &metadata.kernels {
            kernels.push(build_kernel(data, &segments, &symbols, meta, &target)?);
        }
        Ok(CodeObject {
            version: header.version,
            target,
            metadata,
            segments,
            relocs,
            kernels,
            data: data.to_vec(),
        })
    }

    /// All kernels, in metadata order.
    pub fn kernels(&self) -> &[Kernel] {
        &self.kernels
    }

    /// Finds a kernel by name (`saxpy` or `saxpy.kd`).
    pub fn kernel(&self, name: &str) -> Result<&Kernel> {
        let base = name.strip_suffix(".kd").unwrap_or(name);
        self.kernels
            .iter()
            .find(|k| k.name == base)
            .ok_or_else(|| Error::NoKernel {
                name: name.to_string(),
                available: self
                    .kernels
                    .iter()
                    .map(|k| k.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Refuses code built for another processor unless `force`
    /// (`code object is gfx1030, device is gfx1010`).
    pub fn check_device(&self, device: &Mach, force: bool) -> Result<()> {
        self.target.check_device(device, force)
    }

    /// The file bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// PT_LOAD segments with memory.
    pub fn load_segments(&self) -> impl Iterator<Item = &Segment> {
        self.segments
            .iter()
            .filter(|s| s.p_type == PT_LOAD && s.memsz > 0)
    }
}

fn find_metadata(data: &[u8], segments: &[Segment]) -> Result<Metadata> {
    let mut found = None;
    for seg in segments.iter().filter(|s| s.p_type == PT_NOTE) {
        for note in elf::parse_notes(data, seg)? {
            if note.name == b"AMDGPU" && note.n_type == NT_AMDGPU_METADATA {
                if found.is_some() {
                    return Err(Error::Note {
                        offset: note.offset,
                        detail: "second NT_AMDGPU_METADATA note".into(),
                    });
                }
                found = Some(Metadata::parse(note.desc).map_err(|e| match e {
                    Error::Metadata { path, detail } => Error::Metadata {
                        path,
                        detail: format!("{detail} (note at file offset {:#x})", note.offset),
                    },
                    other => other,
                })?);
            }
        }
    }
    found.ok_or_else(|| Error::Note {
        offset: 0,
        detail: "no AMDGPU NT_AMDGPU_METADATA (32) note in any PT_NOTE segment".into(),
    })
}

struct Sym {
    name: String,
    value: u64,
    size: u64,
    st_type: u8,
}

fn collect_symbols(elf: &goblin::elf::Elf) -> Vec<Sym> {
    let mut out = Vec::new();
    // .dynsym is what a loader sees (ROCr uses it); .symtab may be stripped.
    for (syms, strtab) in [(&elf.dynsyms, &elf.dynstrtab), (&elf.syms, &elf.strtab)] {
        for s in syms.iter() {
            if s.st_shndx == 0 {
                continue;
            }
            if let Some(name) = strtab.get_at(s.st_name) {
                if !out.iter().any(|o: &Sym| o.name == name) {
                    out.push(Sym {
                        name: name.to_string(),
                        value: s.st_value,
                        size: s.st_size,
                        st_type: s.st_type(),
                    });
                }
            }
        }
    }
    out
}

fn collect_relocs(elf: &goblin::elf::Elf) -> Result<Vec<Reloc>> {
    let mut out = Vec::new();
    for (index, r) in elf.dynrelas.iter().chain(elf.dynrels.iter()).enumerate() {
        let sym_value = if r.r_sym == 0 {
            None
        } else {
            let s = elf.dynsyms.get(r.r_sym).ok_or_else(|| Error::Relocation {
                index,
                r_offset: r.r_offset,
                detail: format!(
                    "r_sym {} is outside .dynsym ({} entries)",
                    r.r_sym,
                    elf.dynsyms.len()
                ),
            })?;
            (s.st_shndx != 0).then_some(s.st_value)
        };
        out.push(Reloc {
            offset: r.r_offset,
            r_type: r.r_type,
            addend: r.r_addend.unwrap_or(0),
            sym_value,
            sym: r.r_sym,
        });
    }
    Ok(out)
}

/// Reads `len` bytes at virtual address `vaddr` from the file image of a PT_LOAD segment.
fn read_vaddr<'a>(data: &'a [u8], segments: &[Segment], vaddr: u64, len: u64) -> Option<&'a [u8]> {
    let seg = segments
        .iter()
        .find(|s| s.p_type == PT_LOAD && s.contains(vaddr, len))?;
    let rel = vaddr - seg.vaddr;
    if rel + len > seg.filesz {
        return None;
    }
    let start = (seg.offset + rel) as usize;
    data.get(start..start + len as usize)
}

fn build_kernel(
    data: &[u8],
    segments: &[Segment],
    symbols: &[Sym],
    meta: &KernelMeta,
    target: &Target,
) -> Result<Kernel> {
    let kd = symbols
        .iter()
        .find(|s| s.name == meta.symbol)
        .ok_or_else(|| {
            symbol_err(
                &meta.symbol,
                format!("descriptor of kernel {} not in .dynsym/.symtab", meta.name),
            )
        })?;
    if kd.st_type != STT_OBJECT || kd.size != KERNEL_DESCRIPTOR_SIZE as u64 {
        return Err(symbol_err(
            &kd.name,
            format!(
                "type {} size {}, a kernel descriptor is STT_OBJECT of 64 bytes",
                kd.st_type, kd.size
            ),
        ));
    }
    let bytes =
        read_vaddr(data, segments, kd.value, KERNEL_DESCRIPTOR_SIZE as u64).ok_or_else(|| {
            symbol_err(
                &kd.name,
                format!(
                    "address {:#x}+64 is not file-backed in any PT_LOAD",
                    kd.value
                ),
            )
        })?;
    let descriptor = KernelDescriptor::parse(bytes, target.mach.gen, &meta.name)?;
    let derr = |detail: String| Error::Descriptor {
        kernel: meta.name.clone(),
        detail,
    };
    let entry = kd
        .value
        .checked_add_signed(descriptor.kernel_code_entry_byte_offset)
        .ok_or_else(|| {
            derr(format!(
                "entry offset {} wraps",
                descriptor.kernel_code_entry_byte_offset
            ))
        })?;
    let code_seg = segments
        .iter()
        .find(|s| s.p_type == PT_LOAD && s.contains(entry, 4))
        .ok_or_else(|| derr(format!("entry {entry:#x} is outside every PT_LOAD segment")))?;
    if code_seg.flags & PF_X == 0 {
        return Err(derr(format!(
            "entry {entry:#x} is in non-executable program header {}",
            code_seg.index
        )));
    }
    if entry % ENTRY_ALIGN != 0 {
        return Err(derr(format!("entry {entry:#x} is not {ENTRY_ALIGN}-byte aligned (COMPUTE_PGM_LO holds address >> 8)")));
    }
    // The descriptor and the metadata are written from the same compiler state; a
    // disagreement means a corrupt or hand-edited object.
    let checks = [
        (
            "group_segment_fixed_size",
            descriptor.group_segment_fixed_size,
            meta.group_segment_fixed_size,
        ),
        (
            "private_segment_fixed_size",
            descriptor.private_segment_fixed_size,
            meta.private_segment_fixed_size,
        ),
        (
            "kernarg_size",
            descriptor.kernarg_size,
            meta.kernarg_segment_size,
        ),
    ];
    for (field, d, m) in checks {
        if d != m {
            return Err(derr(format!("{field} is {d} but the metadata says {m}")));
        }
    }
    if target.mach.gen >= crate::target::Gen::Gfx10_1
        && descriptor.wave_size() != meta.wavefront_size
    {
        return Err(derr(format!(
            "ENABLE_WAVEFRONT_SIZE32 gives wave{} but .wavefront_size is {}",
            descriptor.wave_size(),
            meta.wavefront_size
        )));
    }
    let code = symbols
        .iter()
        .find(|s| s.name == meta.name && s.st_type == STT_FUNC);
    if let Some(f) = code {
        if f.value != entry {
            return Err(derr(format!(
                "entry {entry:#x} but function symbol {} is at {:#x}",
                f.name, f.value
            )));
        }
    }
    Ok(Kernel {
        name: meta.name.clone(),
        descriptor,
        metadata: meta.clone(),
        desc_offset: kd.value,
        entry_offset: entry,
        code_size: code.map(|f| f.size),
    })
}
