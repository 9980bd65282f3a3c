//! The load image: PT_LOAD segments copied to their addresses, `.bss`-style tails zeroed,
//! dynamic relocations applied for a chosen GPU virtual base address. The bytes are what
//! the dispatcher uploads to one code buffer mapped at that base.
//!
//! Relocation types: LLVM `llvm/include/llvm/BinaryFormat/ELFRelocs/AMDGPU.def`;
//! semantics AMDGPUUsage "Relocation Records" (`R_AMDGPU_RELATIVE64`: B + A,
//! `R_AMDGPU_ABS64`: S + A, `_ABS32_LO/HI/ABS32`: the low/high/whole 32 bits of S + A).

use crate::code_object::CodeObject;
use crate::error::{Error, Result};
use serde::Serialize;

/// `R_AMDGPU_NONE`.
pub const R_AMDGPU_NONE: u32 = 0;
/// `R_AMDGPU_ABS32_LO`.
pub const R_AMDGPU_ABS32_LO: u32 = 1;
/// `R_AMDGPU_ABS32_HI`.
pub const R_AMDGPU_ABS32_HI: u32 = 2;
/// `R_AMDGPU_ABS64`.
pub const R_AMDGPU_ABS64: u32 = 3;
/// `R_AMDGPU_ABS32`.
pub const R_AMDGPU_ABS32: u32 = 6;
/// `R_AMDGPU_RELATIVE64`.
pub const R_AMDGPU_RELATIVE64: u32 = 13;

/// Largest image the loader builds (guards against absurd `p_memsz`).
pub const MAX_IMAGE_SIZE: u64 = 256 << 20;

/// Where one kernel lies in the loaded image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadedKernel {
    /// Kernel name.
    pub name: String,
    /// GPU address of its 64-byte descriptor.
    pub descriptor_address: u64,
    /// GPU address of its first instruction (COMPUTE_PGM_LO/HI = this >> 8).
    pub entry_address: u64,
}

/// A code object laid out for one base address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadImage {
    /// GPU virtual address of byte 0.
    pub base: u64,
    /// Image bytes (segment data at `p_vaddr`, zero elsewhere).
    pub bytes: Vec<u8>,
    /// Kernels with absolute addresses.
    pub kernels: Vec<LoadedKernel>,
}

impl LoadImage {
    /// Looks a kernel up by name (`name` or `name.kd`).
    pub fn kernel(&self, name: &str) -> Option<&LoadedKernel> {
        let base = name.strip_suffix(".kd").unwrap_or(name);
        self.kernels.iter().find(|k| k.name == base)
    }
}

impl CodeObject {
    /// Bytes the load image spans (highest `p_vaddr + p_memsz` of the PT_LOAD segments).
    pub fn image_size(&self) -> u64 {
        self.load_segments()
            .map(|s| s.vaddr + s.memsz)
            .max()
            .unwrap_or(0)
    }

    /// Largest PT_LOAD alignment: the base address must be a multiple of it.
    pub fn image_align(&self) -> u64 {
        self.load_segments()
            .map(|s| s.align)
            .max()
            .unwrap_or(1)
            .max(crate::code_object::ENTRY_ALIGN)
    }

    /// Builds the image for GPU virtual address `base` and applies relocations.
    pub fn load(&self, base: u64) -> Result<LoadImage> {
        let align = self.image_align();
        if !base.is_multiple_of(align) {
            return Err(Error::Load(format!(
                "base {base:#x} is not aligned to {align:#x}"
            )));
        }
        let size = self.image_size();
        if size > MAX_IMAGE_SIZE {
            return Err(Error::Load(format!(
                "image of {size:#x} bytes exceeds the {MAX_IMAGE_SIZE:#x} limit"
            )));
        }
        if base.checked_add(size).is_none() {
            return Err(Error::Load(format!(
                "base {base:#x} + size {size:#x} wraps"
            )));
        }
        let mut bytes = vec![0u8; size as usize];
        let data = self.bytes();
        for s in self.load_segments() {
            // Bounds were checked by parse_segments.
            let src = &data[s.offset as usize..(s.offset + s.filesz) as usize];
            bytes[s.vaddr as usize..(s.vaddr + s.filesz) as usize].copy_from_slice(src);
        }
        for (index, r) in self.relocs.iter().enumerate() {
            apply(&mut bytes, base, index, r)?;
        }
        let kernels = self
            .kernels()
            .iter()
            .map(|k| LoadedKernel {
                name: k.name.clone(),
                descriptor_address: base + k.desc_offset,
                entry_address: base + k.entry_offset,
            })
            .collect();
        Ok(LoadImage {
            base,
            bytes,
            kernels,
        })
    }
}

fn apply(bytes: &mut [u8], base: u64, index: usize, r: &crate::code_object::Reloc) -> Result<()> {
    let err = |detail: String| Error::Relocation {
        index,
        r_offset: r.offset,
        detail,
    };
    let sym = || {
        r.sym_value.map(|v| base.wrapping_add(v)).ok_or_else(|| {
            err(format!(
                "symbol {} is undefined; nothing to link against",
                r.sym
            ))
        })
    };
    let (value, width): (u64, usize) = match r.r_type {
        R_AMDGPU_NONE => return Ok(()),
        R_AMDGPU_RELATIVE64 => (base.wrapping_add_signed(r.addend), 8),
        R_AMDGPU_ABS64 => (sym()?.wrapping_add_signed(r.addend), 8),
        R_AMDGPU_ABS32_LO | R_AMDGPU_ABS32 => {
            (sym()?.wrapping_add_signed(r.addend) & 0xffff_ffff, 4)
        }
        R_AMDGPU_ABS32_HI => (sym()?.wrapping_add_signed(r.addend) >> 32, 4),
        t => return Err(err(format!("unsupported relocation type {t}"))),
    };
    let at = usize::try_from(r.offset).map_err(|_| err("offset does not fit".into()))?;
    let len = bytes.len();
    let dst = at
        .checked_add(width)
        .and_then(|end| bytes.get_mut(at..end))
        .ok_or_else(|| {
            err(format!(
                "{width} bytes at {:#x} lie outside the {len:#x}-byte image",
                r.offset
            ))
        })?;
    dst.copy_from_slice(&value.to_le_bytes()[..width]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code_object::Reloc;

    fn reloc(offset: u64, r_type: u32, addend: i64, sym_value: Option<u64>) -> Reloc {
        Reloc {
            offset,
            r_type,
            addend,
            sym_value,
            sym: 1,
        }
    }

    #[test]
    fn relocation_kinds() {
        let base = 0x1234_0000_0000u64;
        let mut b = vec![0u8; 32];
        apply(&mut b, base, 0, &reloc(0, R_AMDGPU_RELATIVE64, 0x40, None)).unwrap();
        assert_eq!(u64::from_le_bytes(b[0..8].try_into().unwrap()), base + 0x40);
        apply(&mut b, base, 1, &reloc(8, R_AMDGPU_ABS64, -8, Some(0x100))).unwrap();
        assert_eq!(
            u64::from_le_bytes(b[8..16].try_into().unwrap()),
            base + 0xf8
        );
        apply(
            &mut b,
            base,
            2,
            &reloc(16, R_AMDGPU_ABS32_LO, 4, Some(0x10)),
        )
        .unwrap();
        apply(
            &mut b,
            base,
            3,
            &reloc(20, R_AMDGPU_ABS32_HI, 4, Some(0x10)),
        )
        .unwrap();
        assert_eq!(u32::from_le_bytes(b[16..20].try_into().unwrap()), 0x14);
        assert_eq!(u32::from_le_bytes(b[20..24].try_into().unwrap()), 0x1234);
        apply(&mut b, base, 4, &reloc(24, R_AMDGPU_NONE, 0, None)).unwrap();
        let e = apply(&mut b, base, 5, &reloc(8, R_AMDGPU_ABS64, 0, None)).unwrap_err();
        assert!(
            e.to_string()
                .contains("relocation 5 (r_offset 0x8): symbol 1 is undefined"),
            "{e}"
        );
        let e = apply(&mut b, base, 6, &reloc(28, R_AMDGPU_RELATIVE64, 0, None)).unwrap_err();
        assert!(
            e.to_string().contains("lie outside the 0x20-byte image"),
            "{e}"
        );
        let e = apply(&mut b, base, 7, &reloc(0, 99, 0, None)).unwrap_err();
        assert!(
            e.to_string().contains("unsupported relocation type 99"),
            "{e}"
        );
        let e = apply(
            &mut b,
            base,
            8,
            &reloc(u64::MAX, R_AMDGPU_RELATIVE64, 0, None),
        )
        .unwrap_err();
        assert!(e.to_string().contains("outside"), "{e}");
    }
}
