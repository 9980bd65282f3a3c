//! The 64-byte AMDHSA kernel descriptor (`<kernel>.kd`) and its COMPUTE_PGM_RSRC1/2/3 and
//! kernel-code-properties bit fields.
//!
//! Layout and bit positions: LLVM `llvm/include/llvm/Support/AMDHSAKernelDescriptor.h`
//! (`kernel_descriptor_t`, `COMPUTE_PGM_RSRC1(...)`, `COMPUTE_PGM_RSRC2(...)`,
//! `COMPUTE_PGM_RSRC3_GFX10_PLUS(...)`, `KERNEL_CODE_PROPERTY(...)`), AMDGPUUsage "Kernel
//! Descriptor" tables; hardware field names as Mesa `src/amd/common/sid.h`
//! (`S_00B848_*`, `S_00B84C_*`, `S_00B8A0_*`).

use crate::error::{Error, Result};
use crate::target::Gen;
use serde::Serialize;

/// Size of a kernel descriptor in bytes.
pub const KERNEL_DESCRIPTOR_SIZE: usize = 64;

/// Byte offsets inside the descriptor (`AMDHSAKernelDescriptor.h` enum `*_OFFSET`).
pub mod offsets {
    /// `group_segment_fixed_size` (u32).
    pub const GROUP_SEGMENT_FIXED_SIZE: usize = 0;
    /// `private_segment_fixed_size` (u32).
    pub const PRIVATE_SEGMENT_FIXED_SIZE: usize = 4;
    /// `kernarg_size` (u32).
    pub const KERNARG_SIZE: usize = 8;
    /// `kernel_code_entry_byte_offset` (i64, from the descriptor's own address).
    pub const KERNEL_CODE_ENTRY_BYTE_OFFSET: usize = 16;
    /// `compute_pgm_rsrc3` (u32).
    pub const COMPUTE_PGM_RSRC3: usize = 44;
    /// `compute_pgm_rsrc1` (u32).
    pub const COMPUTE_PGM_RSRC1: usize = 48;
    /// `compute_pgm_rsrc2` (u32).
    pub const COMPUTE_PGM_RSRC2: usize = 52;
    /// `kernel_code_properties` (u16).
    pub const KERNEL_CODE_PROPERTIES: usize = 56;
    /// `kernarg_preload` (u16).
    pub const KERNARG_PRELOAD: usize = 58;
}

/// A named bit field of a 32-bit register or property word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitField {
    /// Name (Mesa sid.h spelling for hardware registers, LLVM spelling for properties).
    pub name: &'static str,
    /// Lowest bit.
    pub shift: u8,
    /// Width in bits.
    pub width: u8,
    /// Oldest generation that defines the field this way.
    pub since: Gen,
    /// Newest generation that defines the field this way.
    pub until: Gen,
}

const fn bf(name: &'static str, shift: u8, width: u8) -> BitField {
    BitField {
        name,
        shift,
        width,
        since: Gen::Gcn,
        until: Gen::Gfx12,
    }
}

const fn bfg(name: &'static str, shift: u8, width: u8, since: Gen, until: Gen) -> BitField {
    BitField {
        name,
        shift,
        width,
        since,
        until,
    }
}

impl BitField {
    /// Extracts the field from `value`.
    pub const fn get(&self, value: u32) -> u32 {
        (value >> self.shift) & ((1u32 << self.width) - 1)
    }

    fn applies_to(&self, gen: Gen) -> bool {
        self.since <= gen && gen <= self.until
    }
}

/// COMPUTE_PGM_RSRC1 (sid.h `R_00B848_COMPUTE_PGM_RSRC1`).
pub const RSRC1_FIELDS: &[BitField] = &[
    bf("VGPRS", 0, 6),
    bf("SGPRS", 6, 4),
    bf("PRIORITY", 10, 2),
    bf("FLOAT_MODE_ROUND_32", 12, 2),
    bf("FLOAT_MODE_ROUND_16_64", 14, 2),
    bf("FLOAT_MODE_DENORM_32", 16, 2),
    bf("FLOAT_MODE_DENORM_16_64", 18, 2),
    bf("PRIV", 20, 1),
    bfg("DX10_CLAMP", 21, 1, Gen::Gcn, Gen::Gfx11),
    bf("DEBUG_MODE", 22, 1),
    bfg("IEEE_MODE", 23, 1, Gen::Gcn, Gen::Gfx11),
    bf("BULKY", 24, 1),
    bf("CDBG_USER", 25, 1),
    bf("FP16_OVFL", 26, 1),
    bfg("WGP_MODE", 29, 1, Gen::Gfx10_1, Gen::Gfx12),
    bfg("MEM_ORDERED", 30, 1, Gen::Gfx10_1, Gen::Gfx12),
    bfg("FWD_PROGRESS", 31, 1, Gen::Gfx10_1, Gen::Gfx12),
];

/// COMPUTE_PGM_RSRC2 (sid.h `R_00B84C_COMPUTE_PGM_RSRC2`).
pub const RSRC2_FIELDS: &[BitField] = &[
    bf("SCRATCH_EN", 0, 1),
    bf("USER_SGPR", 1, 5),
    bfg("TRAP_PRESENT", 6, 1, Gen::Gcn, Gen::Gfx11),
    bf("TGID_X_EN", 7, 1),
    bf("TGID_Y_EN", 8, 1),
    bf("TGID_Z_EN", 9, 1),
    bf("TG_SIZE_EN", 10, 1),
    bf("TIDIG_COMP_CNT", 11, 2),
    bf("EXCP_EN_MSB", 13, 2),
    bf("LDS_SIZE", 15, 9),
    bf("EXCP_EN", 24, 7),
];

/// COMPUTE_PGM_RSRC3 (sid.h `R_00B8A0_COMPUTE_PGM_RSRC3`, gfx10+).
pub const RSRC3_FIELDS: &[BitField] = &[
    bfg("SHARED_VGPR_CNT", 0, 4, Gen::Gfx10_1, Gen::Gfx11),
    bfg("INST_PREF_SIZE", 4, 6, Gen::Gfx11, Gen::Gfx11),
    bfg("TRAP_ON_START", 10, 1, Gen::Gfx11, Gen::Gfx11),
    bfg("TRAP_ON_END", 11, 1, Gen::Gfx11, Gen::Gfx11),
    bfg("INST_PREF_SIZE", 4, 8, Gen::Gfx12, Gen::Gfx12),
    bfg("GLG_EN", 13, 1, Gen::Gfx12, Gen::Gfx12),
    bfg("IMAGE_OP", 31, 1, Gen::Gfx11, Gen::Gfx12),
];

/// `kernel_code_properties` (LLVM `KERNEL_CODE_PROPERTY_*`).
pub const PROPERTY_FIELDS: &[BitField] = &[
    bf("ENABLE_SGPR_PRIVATE_SEGMENT_BUFFER", 0, 1),
    bf("ENABLE_SGPR_DISPATCH_PTR", 1, 1),
    bf("ENABLE_SGPR_QUEUE_PTR", 2, 1),
    bf("ENABLE_SGPR_KERNARG_SEGMENT_PTR", 3, 1),
    bf("ENABLE_SGPR_DISPATCH_ID", 4, 1),
    bf("ENABLE_SGPR_FLAT_SCRATCH_INIT", 5, 1),
    bf("ENABLE_SGPR_PRIVATE_SEGMENT_SIZE", 6, 1),
    bfg("ENABLE_WAVEFRONT_SIZE32", 10, 1, Gen::Gfx10_1, Gen::Gfx12),
    bf("USES_DYNAMIC_STACK", 11, 1),
];

/// Finds a field by name in a table (first match valid for `gen`).
fn field(table: &[BitField], name: &str, gen: Gen) -> BitField {
    table
        .iter()
        .copied()
        .find(|f| f.name == name && f.applies_to(gen))
        // Every name looked up below is in its table for every generation that reaches
        // this code; a miss is a programming error caught by the unit tests.
        .unwrap_or(BitField {
            name: "?",
            shift: 0,
            width: 0,
            since: gen,
            until: gen,
        })
}

fn get(table: &[BitField], name: &str, gen: Gen, value: u32) -> u32 {
    let f = field(table, name, gen);
    if f.width == 0 {
        0
    } else {
        f.get(value)
    }
}

/// Which register a named field belongs to (for display).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Word {
    /// COMPUTE_PGM_RSRC1.
    Rsrc1,
    /// COMPUTE_PGM_RSRC2.
    Rsrc2,
    /// COMPUTE_PGM_RSRC3.
    Rsrc3,
    /// kernel_code_properties.
    Properties,
}

/// A decoded kernel descriptor: the raw words plus every field the dispatcher needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelDescriptor {
    /// Generation the fields were decoded for.
    pub gen: Gen,
    /// Static LDS bytes (`group_segment_fixed_size`).
    pub group_segment_fixed_size: u32,
    /// Scratch bytes per work-item (`private_segment_fixed_size`).
    pub private_segment_fixed_size: u32,
    /// Kernarg segment bytes (`kernarg_size`).
    pub kernarg_size: u32,
    /// Entry point relative to the descriptor's own address.
    pub kernel_code_entry_byte_offset: i64,
    /// Raw COMPUTE_PGM_RSRC1.
    pub rsrc1: u32,
    /// Raw COMPUTE_PGM_RSRC2.
    pub rsrc2: u32,
    /// Raw COMPUTE_PGM_RSRC3.
    pub rsrc3: u32,
    /// Raw kernel_code_properties.
    pub kernel_code_properties: u16,
    /// Raw kernarg_preload (gfx90a/gfx940 kernarg preloading; 0 elsewhere).
    pub kernarg_preload: u16,

    /// RSRC1 VGPRS: granulated VGPR count (blocks − 1).
    pub vgpr_granules: u32,
    /// RSRC1 SGPRS: granulated SGPR count (ignored by gfx10+ hardware, 0 from LLVM).
    pub sgpr_granules: u32,
    /// VGPRs allocated per work-item implied by `vgpr_granules` and the wave size.
    pub vgprs: u32,
    /// RSRC1 FLOAT_MODE bits 19:12 (round 32, round 16/64, denorm 32, denorm 16/64).
    pub float_mode: u32,
    /// RSRC1 PRIORITY.
    pub priority: u32,
    /// RSRC1 DX10_CLAMP (gfx6..11).
    pub dx10_clamp: bool,
    /// RSRC1 IEEE_MODE (gfx6..11).
    pub ieee_mode: bool,
    /// RSRC1 WGP_MODE: workgroup may use both CUs of a WGP (gfx10+).
    pub wgp_mode: bool,
    /// RSRC1 MEM_ORDERED (gfx10+).
    pub mem_ordered: bool,
    /// RSRC1 FWD_PROGRESS (gfx10+).
    pub fwd_progress: bool,

    /// RSRC2 SCRATCH_EN: the wave gets a private segment wave offset SGPR and scratch.
    pub scratch_en: bool,
    /// RSRC2 USER_SGPR: number of user SGPRs the dispatcher loads from USER_DATA_*.
    pub user_sgpr_count: u32,
    /// RSRC2 TRAP_PRESENT (gfx6..11).
    pub trap_present: bool,
    /// RSRC2 TGID_X_EN.
    pub tgid_x_en: bool,
    /// RSRC2 TGID_Y_EN.
    pub tgid_y_en: bool,
    /// RSRC2 TGID_Z_EN.
    pub tgid_z_en: bool,
    /// RSRC2 TG_SIZE_EN (workgroup info SGPR).
    pub tg_size_en: bool,
    /// RSRC2 TIDIG_COMP_CNT: 0 = x, 1 = x,y, 2 = x,y,z work-item ids in VGPRs.
    pub tidig_comp_cnt: u32,
    /// RSRC2 LDS_SIZE as encoded in the descriptor (LLVM leaves 0: the runtime computes
    /// it from the group segment size).
    pub lds_size_granules: u32,
    /// RSRC2 EXCP_EN_MSB (address watch, memory violation).
    pub excp_en_msb: u32,
    /// RSRC2 EXCP_EN (IEEE exceptions and integer divide by zero).
    pub excp_en: u32,

    /// RSRC3 SHARED_VGPR_CNT (gfx10..11).
    pub shared_vgpr_cnt: u32,

    /// Property ENABLE_SGPR_PRIVATE_SEGMENT_BUFFER (4 user SGPRs).
    pub enable_sgpr_private_segment_buffer: bool,
    /// Property ENABLE_SGPR_DISPATCH_PTR (2).
    pub enable_sgpr_dispatch_ptr: bool,
    /// Property ENABLE_SGPR_QUEUE_PTR (2).
    pub enable_sgpr_queue_ptr: bool,
    /// Property ENABLE_SGPR_KERNARG_SEGMENT_PTR (2).
    pub enable_sgpr_kernarg_segment_ptr: bool,
    /// Property ENABLE_SGPR_DISPATCH_ID (2).
    pub enable_sgpr_dispatch_id: bool,
    /// Property ENABLE_SGPR_FLAT_SCRATCH_INIT (2).
    pub enable_sgpr_flat_scratch_init: bool,
    /// Property ENABLE_SGPR_PRIVATE_SEGMENT_SIZE (1).
    pub enable_sgpr_private_segment_size: bool,
    /// Property ENABLE_WAVEFRONT_SIZE32 (gfx10+): dispatch with CS_W32_EN.
    pub wave32: bool,
    /// Property USES_DYNAMIC_STACK.
    pub uses_dynamic_stack: bool,
    /// KERNARG_PRELOAD_SPEC_LENGTH: kernarg dwords preloaded into user SGPRs.
    pub kernarg_preload_length: u32,
    /// KERNARG_PRELOAD_SPEC_OFFSET: kernarg dword offset of the preloaded block.
    pub kernarg_preload_offset: u32,
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(w)
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

impl KernelDescriptor {
    /// Decodes 64 descriptor bytes for generation `gen`. `kernel` names the kernel in errors.
    pub fn parse(bytes: &[u8], gen: Gen, kernel: &str) -> Result<Self> {
        if bytes.len() < KERNEL_DESCRIPTOR_SIZE {
            return Err(Error::Descriptor {
                kernel: kernel.to_string(),
                detail: format!(
                    "{} bytes, a descriptor has {KERNEL_DESCRIPTOR_SIZE}",
                    bytes.len()
                ),
            });
        }
        let b = &bytes[..KERNEL_DESCRIPTOR_SIZE];
        let mut e = [0u8; 8];
        e.copy_from_slice(&b[offsets::KERNEL_CODE_ENTRY_BYTE_OFFSET..][..8]);
        let rsrc1 = u32_at(b, offsets::COMPUTE_PGM_RSRC1);
        let rsrc2 = u32_at(b, offsets::COMPUTE_PGM_RSRC2);
        let rsrc3 = u32_at(b, offsets::COMPUTE_PGM_RSRC3);
        let props = u16_at(b, offsets::KERNEL_CODE_PROPERTIES);
        let preload = u16_at(b, offsets::KERNARG_PRELOAD);
        let r1 = |n| get(RSRC1_FIELDS, n, gen, rsrc1) != 0;
        let r2 = |n| get(RSRC2_FIELDS, n, gen, rsrc2);
        let p = |n| get(PROPERTY_FIELDS, n, gen, u32::from(props)) != 0;
        let wave32 = p("ENABLE_WAVEFRONT_SIZE32");
        let vgpr_granules = get(RSRC1_FIELDS, "VGPRS", gen, rsrc1);
        Ok(KernelDescriptor {
            gen,
            group_segment_fixed_size: u32_at(b, offsets::GROUP_SEGMENT_FIXED_SIZE),
            private_segment_fixed_size: u32_at(b, offsets::PRIVATE_SEGMENT_FIXED_SIZE),
            kernarg_size: u32_at(b, offsets::KERNARG_SIZE),
            kernel_code_entry_byte_offset: i64::from_le_bytes(e),
            rsrc1,
            rsrc2,
            rsrc3,
            kernel_code_properties: props,
            kernarg_preload: preload,
            vgpr_granules,
            sgpr_granules: get(RSRC1_FIELDS, "SGPRS", gen, rsrc1),
            vgprs: (vgpr_granules + 1) * vgpr_encoding_granule(gen, wave32),
            float_mode: (rsrc1 >> 12) & 0xff,
            priority: get(RSRC1_FIELDS, "PRIORITY", gen, rsrc1),
            dx10_clamp: r1("DX10_CLAMP"),
            ieee_mode: r1("IEEE_MODE"),
            wgp_mode: r1("WGP_MODE"),
            mem_ordered: r1("MEM_ORDERED"),
            fwd_progress: r1("FWD_PROGRESS"),
            scratch_en: r2("SCRATCH_EN") != 0,
            user_sgpr_count: r2("USER_SGPR"),
            trap_present: r2("TRAP_PRESENT") != 0,
            tgid_x_en: r2("TGID_X_EN") != 0,
            tgid_y_en: r2("TGID_Y_EN") != 0,
            tgid_z_en: r2("TGID_Z_EN") != 0,
            tg_size_en: r2("TG_SIZE_EN") != 0,
            tidig_comp_cnt: r2("TIDIG_COMP_CNT"),
            lds_size_granules: r2("LDS_SIZE"),
            excp_en_msb: r2("EXCP_EN_MSB"),
            excp_en: r2("EXCP_EN"),
            shared_vgpr_cnt: get(RSRC3_FIELDS, "SHARED_VGPR_CNT", gen, rsrc3),
            enable_sgpr_private_segment_buffer: p("ENABLE_SGPR_PRIVATE_SEGMENT_BUFFER"),
            enable_sgpr_dispatch_ptr: p("ENABLE_SGPR_DISPATCH_PTR"),
            enable_sgpr_queue_ptr: p("ENABLE_SGPR_QUEUE_PTR"),
            enable_sgpr_kernarg_segment_ptr: p("ENABLE_SGPR_KERNARG_SEGMENT_PTR"),
            enable_sgpr_dispatch_id: p("ENABLE_SGPR_DISPATCH_ID"),
            enable_sgpr_flat_scratch_init: p("ENABLE_SGPR_FLAT_SCRATCH_INIT"),
            enable_sgpr_private_segment_size: p("ENABLE_SGPR_PRIVATE_SEGMENT_SIZE"),
            wave32,
            uses_dynamic_stack: p("USES_DYNAMIC_STACK"),
            // KERNARG_PRELOAD_SPEC(LENGTH, 0, 7), KERNARG_PRELOAD_SPEC(OFFSET, 7, 9).
            kernarg_preload_length: u32::from(preload & 0x7f),
            kernarg_preload_offset: u32::from(preload >> 7),
        })
    }

    /// Wave size the dispatcher must launch (32 with CS_W32_EN, else 64).
    pub fn wave_size(&self) -> u32 {
        if self.wave32 {
            32
        } else {
            64
        }
    }

    /// Every named field of RSRC1/2/3 and the properties word valid for this generation,
    /// with its value (for `co inspect`).
    pub fn fields(&self) -> Vec<(Word, &'static str, u32)> {
        let mut out = Vec::new();
        let words = [
            (Word::Rsrc1, RSRC1_FIELDS, self.rsrc1),
            (Word::Rsrc2, RSRC2_FIELDS, self.rsrc2),
            (Word::Rsrc3, RSRC3_FIELDS, self.rsrc3),
            (
                Word::Properties,
                PROPERTY_FIELDS,
                u32::from(self.kernel_code_properties),
            ),
        ];
        for (word, table, value) in words {
            for f in table.iter().filter(|f| f.applies_to(self.gen)) {
                out.push((word, f.name, f.get(value)));
            }
        }
        out
    }
}

/// VGPR encoding granule of RSRC1.VGPRS (LLVM AMDGPUBaseInfo.cpp
/// `getVGPREncodingGranule`: wave32 8, wave64 4 on gfx10+; 4 on GCN).
pub fn vgpr_encoding_granule(gen: Gen, wave32: bool) -> u32 {
    if gen >= Gen::Gfx10_1 && wave32 {
        8
    } else {
        4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(rsrc1: u32, rsrc2: u32, props: u16) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0..4].copy_from_slice(&1024u32.to_le_bytes());
        b[8..12].copy_from_slice(&288u32.to_le_bytes());
        b[16..24].copy_from_slice(&(0x1000i64).to_le_bytes());
        b[48..52].copy_from_slice(&rsrc1.to_le_bytes());
        b[52..56].copy_from_slice(&rsrc2.to_le_bytes());
        b[56..58].copy_from_slice(&props.to_le_bytes());
        b
    }

    #[test]
    fn decodes_fields_at_llvm_positions() {
        // VGPRS=2, FLOAT_DENORM_16_64=3, DX10_CLAMP, IEEE, WGP_MODE, MEM_ORDERED.
        let rsrc1 = 2 | (3 << 18) | (1 << 21) | (1 << 23) | (1 << 29) | (1 << 30);
        // SCRATCH_EN, USER_SGPR=6, TGID_X/Y, TIDIG=1, LDS_SIZE=2.
        let rsrc2 = 1 | (6 << 1) | (1 << 7) | (1 << 8) | (1 << 11) | (2 << 15);
        // private seg buffer + kernarg ptr + wave32.
        let props = 1 | (1 << 3) | (1 << 10);
        let d =
            KernelDescriptor::parse(&descriptor(rsrc1, rsrc2, props), Gen::Gfx10_1, "k").unwrap();
        assert_eq!(d.group_segment_fixed_size, 1024);
        assert_eq!(d.kernarg_size, 288);
        assert_eq!(d.kernel_code_entry_byte_offset, 0x1000);
        assert_eq!(d.vgpr_granules, 2);
        assert_eq!(d.vgprs, 24);
        assert!(d.dx10_clamp && d.ieee_mode && d.wgp_mode && d.mem_ordered && !d.fwd_progress);
        assert_eq!(d.float_mode, 0xc0);
        assert!(d.scratch_en);
        assert_eq!(d.user_sgpr_count, 6);
        assert!(d.tgid_x_en && d.tgid_y_en && !d.tgid_z_en);
        assert_eq!(d.tidig_comp_cnt, 1);
        assert_eq!(d.lds_size_granules, 2);
        assert!(d.enable_sgpr_private_segment_buffer && d.enable_sgpr_kernarg_segment_ptr);
        assert!(!d.enable_sgpr_dispatch_ptr);
        assert!(d.wave32);
        assert_eq!(d.wave_size(), 32);
        let names: Vec<_> = d.fields().iter().map(|f| f.1).collect();
        assert!(names.contains(&"WGP_MODE") && names.contains(&"SHARED_VGPR_CNT"));
        assert!(!names.contains(&"INST_PREF_SIZE"));
    }

    #[test]
    fn every_looked_up_name_exists() {
        for gen in [Gen::Gfx10_1, Gen::Gfx10_3, Gen::Gfx11] {
            for n in [
                "VGPRS",
                "SGPRS",
                "PRIORITY",
                "DX10_CLAMP",
                "IEEE_MODE",
                "WGP_MODE",
            ] {
                assert!(field(RSRC1_FIELDS, n, gen).width > 0, "{n}");
            }
            for n in [
                "SCRATCH_EN",
                "USER_SGPR",
                "TGID_Z_EN",
                "TIDIG_COMP_CNT",
                "LDS_SIZE",
            ] {
                assert!(field(RSRC2_FIELDS, n, gen).width > 0, "{n}");
            }
            assert!(field(RSRC3_FIELDS, "SHARED_VGPR_CNT", gen).width > 0);
            assert!(field(PROPERTY_FIELDS, "ENABLE_WAVEFRONT_SIZE32", gen).width > 0);
        }
    }

    #[test]
    fn short_descriptor_is_an_error() {
        let e = KernelDescriptor::parse(&[0u8; 10], Gen::Gfx10_1, "k").unwrap_err();
        assert!(e.to_string().contains("10 bytes"), "{e}");
    }
}
