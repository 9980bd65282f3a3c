//! ELF-level checks and tables of an AMDGPU HSA code object: the header fields this loader
//! requires, the program headers (bounds and overlap checked by hand so errors carry file
//! offsets), and note records. Symbols and dynamic relocations come from goblin.
//!
//! Header requirements: AMDGPUUsage "ELF Header" (ELFCLASS64, ELFDATA2LSB,
//! ELFOSABI_AMDGPU_HSA = 64, ET_DYN for loadable code objects, EM_AMDGPU = 224).

use crate::error::{Error, Result};
use crate::target::CodeObjectVersion;
use serde::Serialize;

/// `EM_AMDGPU`.
pub const EM_AMDGPU: u16 = 224;
/// `ELFOSABI_AMDGPU_HSA`.
pub const ELFOSABI_AMDGPU_HSA: u8 = 64;
/// `ET_DYN`.
pub const ET_DYN: u16 = 3;
/// `PT_LOAD`.
pub const PT_LOAD: u32 = 1;
/// `PT_NOTE`.
pub const PT_NOTE: u32 = 4;
/// `PF_X`.
pub const PF_X: u32 = 1;
/// `PF_W`.
pub const PF_W: u32 = 2;
/// `NT_AMDGPU_METADATA` (AMDGPUUsage "AMDGPU Code Object V3+ Note Records").
pub const NT_AMDGPU_METADATA: u32 = 32;
/// Size of an ELF64 header.
pub const EHDR_SIZE: usize = 64;
/// Size of an ELF64 program header.
pub const PHDR_SIZE: usize = 56;

/// The header fields the loader uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `EI_ABIVERSION` decoded to a code-object version.
    pub version: CodeObjectVersion,
    /// `e_flags`.
    pub e_flags: u32,
    /// `e_phoff`.
    pub phoff: u64,
    /// `e_phnum`.
    pub phnum: u16,
}

/// One program header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Index in the program header table.
    pub index: usize,
    /// `p_type`.
    pub p_type: u32,
    /// `p_flags` (PF_X 1, PF_W 2, PF_R 4).
    pub flags: u32,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_align`.
    pub align: u64,
}

impl Segment {
    /// True if `[vaddr, vaddr + len)` lies inside this segment's memory image.
    pub fn contains(&self, vaddr: u64, len: u64) -> bool {
        vaddr >= self.vaddr
            && vaddr
                .checked_add(len)
                .is_some_and(|end| end <= self.vaddr + self.memsz)
    }
}

fn rd<const N: usize>(data: &[u8], off: usize) -> [u8; N] {
    let mut b = [0u8; N];
    b.copy_from_slice(&data[off..off + N]);
    b
}

pub(crate) fn u16_at(data: &[u8], off: usize) -> u16 {
    u16::from_le_bytes(rd(data, off))
}

pub(crate) fn u32_at(data: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(rd(data, off))
}

pub(crate) fn u64_at(data: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(rd(data, off))
}

fn header_err(field: &'static str, offset: u64, detail: impl Into<String>) -> Error {
    Error::Header {
        field,
        offset,
        detail: detail.into(),
    }
}

/// Checks the ELF identification and header fields; returns what the loader needs.
pub fn parse_header(data: &[u8]) -> Result<Header> {
    if data.len() < EHDR_SIZE {
        return Err(Error::Truncated {
            what: "ELF header".into(),
            offset: 0,
            end: EHDR_SIZE as u64,
            len: data.len() as u64,
        });
    }
    if &data[0..4] != b"\x7fELF" {
        return Err(header_err(
            "EI_MAG",
            0,
            format!("{:02x?} is not \\x7fELF", &data[0..4]),
        ));
    }
    match data[4] {
        2 => {}
        1 => {
            return Err(header_err(
                "EI_CLASS",
                4,
                "ELFCLASS32; AMDGPU code objects are ELFCLASS64",
            ))
        }
        c => return Err(header_err("EI_CLASS", 4, format!("invalid class {c}"))),
    }
    if data[5] != 1 {
        return Err(header_err(
            "EI_DATA",
            5,
            format!("{} is not ELFDATA2LSB (1)", data[5]),
        ));
    }
    if data[7] != ELFOSABI_AMDGPU_HSA {
        return Err(header_err(
            "EI_OSABI",
            7,
            format!(
                "{} is not ELFOSABI_AMDGPU_HSA ({ELFOSABI_AMDGPU_HSA})",
                data[7]
            ),
        ));
    }
    let version = CodeObjectVersion::from_abi_version(data[8]).ok_or_else(|| {
        header_err(
            "EI_ABIVERSION",
            8,
            format!(
                "{} is not a supported code-object version (1..4 = v3..v6; v2 YAML metadata is not supported)",
                data[8]
            ),
        )
    })?;
    let e_type = u16_at(data, 16);
    if e_type != ET_DYN {
        return Err(header_err(
            "e_type",
            16,
            format!("{e_type} is not ET_DYN (3); link the object with ld.lld -shared"),
        ));
    }
    let machine = u16_at(data, 18);
    if machine != EM_AMDGPU {
        return Err(header_err(
            "e_machine",
            18,
            format!("{machine} is not EM_AMDGPU ({EM_AMDGPU})"),
        ));
    }
    let phoff = u64_at(data, 32);
    let phentsize = u16_at(data, 54);
    let phnum = u16_at(data, 56);
    if phnum > 0 && usize::from(phentsize) != PHDR_SIZE {
        return Err(header_err(
            "e_phentsize",
            54,
            format!("{phentsize}, expected {PHDR_SIZE}"),
        ));
    }
    let ph_end = phoff.checked_add(u64::from(phnum) * PHDR_SIZE as u64);
    if ph_end.is_none_or(|end| end > data.len() as u64) {
        return Err(Error::Truncated {
            what: format!("program header table ({phnum} entries)"),
            offset: phoff,
            end: ph_end.unwrap_or(u64::MAX),
            len: data.len() as u64,
        });
    }
    Ok(Header {
        version,
        e_flags: u32_at(data, 48),
        phoff,
        phnum,
    })
}

/// Reads every program header and checks each lies in the file, `p_filesz <= p_memsz`,
/// addresses do not wrap, and PT_LOAD segments do not overlap in memory.
pub fn parse_segments(data: &[u8], h: &Header) -> Result<Vec<Segment>> {
    let mut segs = Vec::with_capacity(usize::from(h.phnum));
    for index in 0..usize::from(h.phnum) {
        let at = h.phoff as usize + index * PHDR_SIZE;
        let s = Segment {
            index,
            p_type: u32_at(data, at),
            flags: u32_at(data, at + 4),
            offset: u64_at(data, at + 8),
            vaddr: u64_at(data, at + 16),
            filesz: u64_at(data, at + 32),
            memsz: u64_at(data, at + 40),
            align: u64_at(data, at + 48),
        };
        let bad = |detail: String| Error::Segment {
            index,
            offset: at as u64,
            detail,
        };
        if s.p_type == PT_LOAD || s.p_type == PT_NOTE {
            let end = s.offset.checked_add(s.filesz);
            if end.is_none_or(|e| e > data.len() as u64) {
                return Err(bad(format!(
                    "file bytes {:#x}+{:#x} lie outside the {:#x}-byte file",
                    s.offset,
                    s.filesz,
                    data.len()
                )));
            }
            if s.filesz > s.memsz {
                return Err(bad(format!(
                    "p_filesz {:#x} > p_memsz {:#x}",
                    s.filesz, s.memsz
                )));
            }
            if s.vaddr.checked_add(s.memsz).is_none() {
                return Err(bad(format!(
                    "p_vaddr {:#x} + p_memsz {:#x} wraps",
                    s.vaddr, s.memsz
                )));
            }
            if s.align > 1 && !s.align.is_power_of_two() {
                return Err(bad(format!("p_align {:#x} is not a power of two", s.align)));
            }
        }
        segs.push(s);
    }
    let mut loads: Vec<&Segment> = segs
        .iter()
        .filter(|s| s.p_type == PT_LOAD && s.memsz > 0)
        .collect();
    loads.sort_by_key(|s| s.vaddr);
    for w in loads.windows(2) {
        if w[0].vaddr + w[0].memsz > w[1].vaddr {
            return Err(Error::Segment {
                index: w[1].index,
                offset: h.phoff + (w[1].index * PHDR_SIZE) as u64,
                detail: format!(
                    "PT_LOAD at {:#x} overlaps program header {} ({:#x}..{:#x})",
                    w[1].vaddr,
                    w[0].index,
                    w[0].vaddr,
                    w[0].vaddr + w[0].memsz
                ),
            });
        }
    }
    Ok(segs)
}

/// `SHT_NOBITS`: a section without file bytes.
const SHT_NOBITS: u32 = 8;
/// Size of an ELF64 section header.
pub const SHDR_SIZE: usize = 64;

/// Checks the section header table and every section's file range lie inside the file, so
/// goblin's later parse cannot fail without a located message.
pub fn check_sections(data: &[u8]) -> Result<()> {
    let shoff = u64_at(data, 40);
    let shentsize = u16_at(data, 58);
    let shnum = u16_at(data, 60);
    if shnum == 0 {
        return Ok(());
    }
    if usize::from(shentsize) != SHDR_SIZE {
        return Err(header_err(
            "e_shentsize",
            58,
            format!("{shentsize}, expected {SHDR_SIZE}"),
        ));
    }
    let len = data.len() as u64;
    let end = shoff.checked_add(u64::from(shnum) * SHDR_SIZE as u64);
    if end.is_none_or(|e| e > len) {
        return Err(Error::Truncated {
            what: format!("section header table ({shnum} entries)"),
            offset: shoff,
            end: end.unwrap_or(u64::MAX),
            len,
        });
    }
    for i in 0..usize::from(shnum) {
        let at = shoff as usize + i * SHDR_SIZE;
        let sh_type = u32_at(data, at + 4);
        let off = u64_at(data, at + 24);
        let size = u64_at(data, at + 32);
        if sh_type != SHT_NOBITS && off.checked_add(size).is_none_or(|e| e > len) {
            return Err(Error::Truncated {
                what: format!("section {i} (header at {at:#x})"),
                offset: off,
                end: off.saturating_add(size),
                len,
            });
        }
    }
    Ok(())
}

/// One note record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note<'a> {
    /// File offset of the record.
    pub offset: u64,
    /// Owner name without the NUL.
    pub name: &'a [u8],
    /// `n_type`.
    pub n_type: u32,
    /// Descriptor bytes.
    pub desc: &'a [u8],
}

fn align4(x: u64) -> u64 {
    (x + 3) & !3
}

/// Parses the note records of one PT_NOTE segment (4-byte aligned fields, as LLVM emits).
pub fn parse_notes<'a>(data: &'a [u8], seg: &Segment) -> Result<Vec<Note<'a>>> {
    let bytes = &data[seg.offset as usize..(seg.offset + seg.filesz) as usize];
    let mut notes = Vec::new();
    let mut pos = 0u64;
    let len = bytes.len() as u64;
    while pos < len {
        let offset = seg.offset + pos;
        let bad = |detail: String| Error::Note { offset, detail };
        if len - pos < 12 {
            return Err(bad(format!(
                "{} bytes left, a note header has 12",
                len - pos
            )));
        }
        let p = pos as usize;
        let namesz = u64::from(u32_at(bytes, p));
        let descsz = u64::from(u32_at(bytes, p + 4));
        let n_type = u32_at(bytes, p + 8);
        let name_at = pos + 12;
        let desc_at = name_at + align4(namesz);
        let end = desc_at + align4(descsz);
        if desc_at + descsz > len {
            return Err(bad(format!(
                "n_namesz {namesz:#x} / n_descsz {descsz:#x} run past the note segment end ({:#x})",
                seg.offset + len
            )));
        }
        let mut name = &bytes[name_at as usize..(name_at + namesz) as usize];
        if let Some(stripped) = name.strip_suffix(b"\0") {
            name = stripped;
        }
        notes.push(Note {
            offset,
            name,
            n_type,
            desc: &bytes[desc_at as usize..(desc_at + descsz) as usize],
        });
        pos = end.min(len);
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[0..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[6] = 1;
        h[7] = 64;
        h[8] = 3;
        h[16..18].copy_from_slice(&3u16.to_le_bytes());
        h[18..20].copy_from_slice(&224u16.to_le_bytes());
        h[48..52].copy_from_slice(&0x33u32.to_le_bytes());
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h
    }

    #[test]
    fn header_field_errors_name_field_and_offset() {
        assert_eq!(
            parse_header(&header()).unwrap().version,
            CodeObjectVersion(5)
        );
        let cases: [(usize, u8, &str); 5] = [
            (4, 1, "EI_CLASS at offset 0x4: ELFCLASS32"),
            (5, 2, "EI_DATA"),
            (7, 0, "EI_OSABI at offset 0x7"),
            (8, 0, "EI_ABIVERSION"),
            (18, 62, "e_machine at offset 0x12: 62 is not EM_AMDGPU"),
        ];
        for (at, val, want) in cases {
            let mut h = header();
            h[at] = val;
            let e = parse_header(&h).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
        let mut h = header();
        h[16] = 1;
        assert!(parse_header(&h).unwrap_err().to_string().contains("ET_DYN"));
        let e = parse_header(&header()[..40]).unwrap_err().to_string();
        assert!(e.starts_with("truncated: ELF header"), "{e}");
    }

    #[test]
    fn notes_bounds_checked() {
        let mut d = vec![0u8; 8];
        d.extend_from_slice(&7u32.to_le_bytes());
        d.extend_from_slice(&100u32.to_le_bytes());
        d.extend_from_slice(&32u32.to_le_bytes());
        d.extend_from_slice(b"AMDGPU\0\0");
        let seg = Segment {
            index: 0,
            p_type: PT_NOTE,
            flags: 4,
            offset: 8,
            vaddr: 0,
            filesz: 20,
            memsz: 20,
            align: 4,
        };
        let e = parse_notes(&d, &seg).unwrap_err().to_string();
        assert!(
            e.contains("note at file offset 0x8") && e.contains("n_descsz 0x64"),
            "{e}"
        );
    }
}
