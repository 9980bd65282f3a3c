//! gfx10 / gfx10.3 / gfx11 register database: ONE data table of every register this crate
//! writes or decodes, with its byte address, register space, generations and fields.
//!
//! Addresses are Mesa-style byte addresses (`R_00B830_COMPUTE_PGM_LO` = `0xB830`); the kernel's
//! `gc_10_1_0_offset.h` uses dword addresses (`mmCOMPUTE_PGM_LO` = `0x2E0C` = `0xB830 >> 2`).
//! Sources (cross-checked, see `firmware-notes/pm4-dispatch.md`, `firmware-notes/gfx11-dispatch.md`):
//! - Mesa `src/amd/common/sid.h` + the generated `amdgfxregs.h` (from
//!   `src/amd/registers/gfx10.json`, `gfx11.json`): `R_00B8xx_*`, `S_00B8xx_*` field macros;
//! - Linux `drivers/gpu/drm/amd/include/asic_reg/gc/gc_10_1_0_offset.h` / `_sh_mask.h`
//!   (`COMPUTE_STATIC_THREAD_MGMT_SE0__SA0_CU_EN`, `COMPUTE_TMPRING_SIZE__WAVESIZE`);
//! - LLVM `SIDefines.h` / `AMDHSAKernelDescriptor.h` for the RSRC1/2/3 bit layout.
//!
//! Each register `NAME` appears twice: `regs::NAME` is the `u32` byte address and
//! `regs::NAME::FIELD` is a [`Field`] (the module lives in the type namespace).
//!
//! A register whose field layout changed on gfx11 has two rows at the same address with
//! disjoint [`Gens`]: the gfx10/10.3 row `NAME` and the gfx11 row `NAME_GFX11` (Rust name only;
//! its register name is still `NAME`, as in Mesa's `gfx11.json`). [`by_addr_for`] picks the
//! row of a generation; the generation-less [`by_addr`] returns the first (gfx10) row.

pub use crate::field::Field;

/// Which SET_*_REG packet reaches a register (Mesa `sid.h` address ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RegSpace {
    /// `SI_CONFIG_REG_OFFSET` 0x8000..0xB000: privileged, not writable from an IB.
    Config,
    /// `SI_SH_REG_OFFSET` 0xB000..0xC000: `SET_SH_REG`.
    Sh,
    /// `SI_CONTEXT_REG_OFFSET` 0x28000..0x30000: `SET_CONTEXT_REG`.
    Context,
    /// `CIK_UCONFIG_REG_OFFSET` 0x30000..0x40000: `SET_UCONFIG_REG`.
    Uconfig,
}

/// `SI_CONFIG_REG_OFFSET`.
pub const CONFIG_REG_BASE: u32 = 0x8000;
/// `SI_SH_REG_OFFSET`.
pub const SH_REG_BASE: u32 = 0xB000;
/// `SI_CONTEXT_REG_OFFSET`.
pub const CONTEXT_REG_BASE: u32 = 0x28000;
/// `CIK_UCONFIG_REG_OFFSET`.
pub const UCONFIG_REG_BASE: u32 = 0x30000;

/// Byte-address ranges of the register spaces (Mesa `sid.h`: `SI_SH_REG_OFFSET` ...).
pub const SPACES: &[(RegSpace, u32, u32)] = &[
    (RegSpace::Config, CONFIG_REG_BASE, SH_REG_BASE),
    (RegSpace::Sh, SH_REG_BASE, 0xC000),
    (RegSpace::Context, CONTEXT_REG_BASE, UCONFIG_REG_BASE),
    (RegSpace::Uconfig, UCONFIG_REG_BASE, 0x40000),
];

impl RegSpace {
    /// Space of a byte address, if any.
    pub fn of(addr: u32) -> Option<RegSpace> {
        SPACES
            .iter()
            .find(|(_, lo, hi)| (*lo..*hi).contains(&addr))
            .map(|(s, _, _)| *s)
    }

    /// First byte address of the space: the SET_*_REG offset dword counts dwords from here.
    pub fn base(self) -> u32 {
        SPACES
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, lo, _)| *lo)
            .unwrap_or(0)
    }

    /// End (exclusive) byte address of the space.
    pub fn end(self) -> u32 {
        SPACES
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, _, hi)| *hi)
            .unwrap_or(0)
    }
}

/// Hardware generations a register (row) exists on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Gens {
    /// gfx10.1, gfx10.3 and gfx11 with the same layout (gfx11 row checked against Mesa
    /// `src/amd/registers/gfx11.json`).
    Gfx10Plus,
    /// gfx10.1 (Navi 1x, gfx1010) and gfx10.3 (Navi 2x, gfx1030) only: either absent on
    /// gfx11, not checked for gfx11, or its gfx11 layout is a separate `_GFX11` row.
    Gfx10And103,
    /// gfx10.1 only.
    Gfx10Only,
    /// gfx10.3 only.
    Gfx103Only,
    /// gfx11 only (new register, or the gfx11 layout of a register).
    Gfx11Only,
}

/// A GPU generation, for the per-generation data (`GenInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Gen {
    /// gfx1010 .. gfx1012 (RX 5700 XT is gfx1010).
    Gfx10,
    /// gfx1030 ..
    Gfx103,
    /// gfx1100 .. (RDNA3). Untested on hardware: see `firmware-notes/gfx11-dispatch.md`.
    Gfx11,
}

impl Gens {
    /// Whether the register exists on `gen`.
    pub fn has(self, gen: Gen) -> bool {
        matches!(
            (self, gen),
            (Gens::Gfx10Plus, _)
                | (Gens::Gfx10And103, Gen::Gfx10 | Gen::Gfx103)
                | (Gens::Gfx10Only, Gen::Gfx10)
                | (Gens::Gfx103Only, Gen::Gfx103)
                | (Gens::Gfx11Only, Gen::Gfx11)
        )
    }
}

/// One register of the database.
#[derive(Debug, Clone, Copy)]
pub struct RegInfo {
    /// Name as in Mesa / the kernel (`COMPUTE_PGM_RSRC2`).
    pub name: &'static str,
    /// Byte address (`0xB84C`).
    pub addr: u32,
    /// Register space (which SET packet writes it).
    pub space: RegSpace,
    /// Generations that have it.
    pub gens: Gens,
    /// Field layout, low bits first (empty = print raw).
    pub fields: &'static [Field],
}

impl RegInfo {
    /// Kernel-style absolute dword address (`mmCOMPUTE_PGM_RSRC2`).
    pub fn dword_addr(&self) -> u32 {
        self.addr >> 2
    }
}

/// Register name of a row: the Rust name, or the override (`NAME_GFX11["NAME"]`).
macro_rules! reg_name {
    ($n:ident) => {
        stringify!($n)
    };
    ($n:ident, $r:literal) => {
        $r
    };
}

macro_rules! registers {
    ($( $name:ident $([$rname:literal])? = $addr:literal, $space:ident, $gens:ident { $( $f:ident : $lo:literal ..= $hi:literal ),* $(,)? } )*) => {
        $(
            #[doc = concat!("Byte address of `", reg_name!($name $(, $rname)?), "` (", stringify!($space), " space, ", stringify!($gens), ").")]
            pub const $name: u32 = $addr;
        )*
        $crate::bitfields! {
            $(
                #[doc = concat!("Fields of `", reg_name!($name $(, $rname)?), "` (", stringify!($gens), ").")]
                $name { $( $f : $lo ..= $hi ),* }
            )*
        }
        /// The register database, sorted by address (rows of one address: gfx10 row first).
        pub static REGISTERS: &[RegInfo] = &[
            $( RegInfo { name: reg_name!($name $(, $rname)?), addr: $addr, space: RegSpace::$space, gens: Gens::$gens, fields: $name::ALL }, )*
        ];
    };
}

registers! {
    // ---- compute SH registers, Mesa amdgfxregs.h R_00B8xx / gc_10_1_0_offset.h mmCOMPUTE_* ----
    COMPUTE_DISPATCH_INITIATOR = 0xB800, Sh, Gfx10And103 {
        COMPUTE_SHADER_EN: 0..=0, PARTIAL_TG_EN: 1..=1, FORCE_START_AT_000: 2..=2,
        ORDERED_APPEND_ENBL: 3..=3, ORDERED_APPEND_MODE: 4..=4, USE_THREAD_DIMENSIONS: 5..=5,
        ORDER_MODE: 6..=6, SCALAR_L1_INV_VOL: 10..=10, VECTOR_L1_INV_VOL: 11..=11,
        RESERVED: 12..=12, TUNNEL_ENABLE: 13..=13, RESTORE: 14..=14, CS_W32_EN: 15..=15,
    }
    // gfx11.json COMPUTE_DISPATCH_INITIATOR: adds AMP_SHADER_EN, DISABLE_DISP_PREMPT_EN.
    COMPUTE_DISPATCH_INITIATOR_GFX11["COMPUTE_DISPATCH_INITIATOR"] = 0xB800, Sh, Gfx11Only {
        COMPUTE_SHADER_EN: 0..=0, PARTIAL_TG_EN: 1..=1, FORCE_START_AT_000: 2..=2,
        ORDERED_APPEND_ENBL: 3..=3, ORDERED_APPEND_MODE: 4..=4, USE_THREAD_DIMENSIONS: 5..=5,
        ORDER_MODE: 6..=6, SCALAR_L1_INV_VOL: 10..=10, VECTOR_L1_INV_VOL: 11..=11,
        RESERVED: 12..=12, TUNNEL_ENABLE: 13..=13, RESTORE: 14..=14, CS_W32_EN: 15..=15,
        AMP_SHADER_EN: 16..=16, DISABLE_DISP_PREMPT_EN: 17..=17,
    }
    COMPUTE_DIM_X = 0xB804, Sh, Gfx10Plus { SIZE: 0..=31 }
    COMPUTE_DIM_Y = 0xB808, Sh, Gfx10Plus { SIZE: 0..=31 }
    COMPUTE_DIM_Z = 0xB80C, Sh, Gfx10Plus { SIZE: 0..=31 }
    COMPUTE_START_X = 0xB810, Sh, Gfx10Plus { START: 0..=31 }
    COMPUTE_START_Y = 0xB814, Sh, Gfx10Plus { START: 0..=31 }
    COMPUTE_START_Z = 0xB818, Sh, Gfx10Plus { START: 0..=31 }
    COMPUTE_NUM_THREAD_X = 0xB81C, Sh, Gfx10Plus { NUM_THREAD_FULL: 0..=15, NUM_THREAD_PARTIAL: 16..=31 }
    COMPUTE_NUM_THREAD_Y = 0xB820, Sh, Gfx10Plus { NUM_THREAD_FULL: 0..=15, NUM_THREAD_PARTIAL: 16..=31 }
    COMPUTE_NUM_THREAD_Z = 0xB824, Sh, Gfx10Plus { NUM_THREAD_FULL: 0..=15, NUM_THREAD_PARTIAL: 16..=31 }
    COMPUTE_PIPELINESTAT_ENABLE = 0xB828, Sh, Gfx10Plus { PIPELINESTAT_ENABLE: 0..=0 }
    COMPUTE_PERFCOUNT_ENABLE = 0xB82C, Sh, Gfx10Plus { PERFCOUNT_ENABLE: 0..=0 }
    COMPUTE_PGM_LO = 0xB830, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_PGM_HI = 0xB834, Sh, Gfx10Plus { DATA: 0..=7 }
    COMPUTE_DISPATCH_PKT_ADDR_LO = 0xB838, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_DISPATCH_PKT_ADDR_HI = 0xB83C, Sh, Gfx10Plus { DATA: 0..=7 }
    // gfx11 only (Mesa has_scratch_base_registers; gfx11.json 0xB840/0xB844): the scratch
    // (private segment) base, VA >> 8 and VA >> 40 (si_switch_compute_shader).
    COMPUTE_DISPATCH_SCRATCH_BASE_LO = 0xB840, Sh, Gfx11Only { DATA: 0..=31 }
    COMPUTE_DISPATCH_SCRATCH_BASE_HI = 0xB844, Sh, Gfx11Only { DATA: 0..=7 }
    COMPUTE_PGM_RSRC1 = 0xB848, Sh, Gfx10And103 {
        VGPRS: 0..=5, SGPRS: 6..=9, PRIORITY: 10..=11, FLOAT_MODE: 12..=19, PRIV: 20..=20,
        DX10_CLAMP: 21..=21, DEBUG_MODE: 22..=22, IEEE_MODE: 23..=23, BULKY: 24..=24,
        CDBG_USER: 25..=25, FP16_OVFL: 26..=26, WGP_MODE: 29..=29, MEM_ORDERED: 30..=30,
        FWD_PROGRESS: 31..=31,
    }
    // gfx11.json COMPUTE_PGM_RSRC1: no DEBUG_MODE (22), no CDBG_USER (25).
    COMPUTE_PGM_RSRC1_GFX11["COMPUTE_PGM_RSRC1"] = 0xB848, Sh, Gfx11Only {
        VGPRS: 0..=5, SGPRS: 6..=9, PRIORITY: 10..=11, FLOAT_MODE: 12..=19, PRIV: 20..=20,
        DX10_CLAMP: 21..=21, IEEE_MODE: 23..=23, BULKY: 24..=24, FP16_OVFL: 26..=26,
        WGP_MODE: 29..=29, MEM_ORDERED: 30..=30, FWD_PROGRESS: 31..=31,
    }
    COMPUTE_PGM_RSRC2 = 0xB84C, Sh, Gfx10Plus {
        SCRATCH_EN: 0..=0, USER_SGPR: 1..=5, TRAP_PRESENT: 6..=6, TGID_X_EN: 7..=7,
        TGID_Y_EN: 8..=8, TGID_Z_EN: 9..=9, TG_SIZE_EN: 10..=10, TIDIG_COMP_CNT: 11..=12,
        EXCP_EN_MSB: 13..=14, LDS_SIZE: 15..=23, EXCP_EN: 24..=30,
    }
    COMPUTE_VMID = 0xB850, Sh, Gfx10Plus { DATA: 0..=3 }
    COMPUTE_RESOURCE_LIMITS = 0xB854, Sh, Gfx10Plus {
        WAVES_PER_SH: 0..=9, TG_PER_CU: 12..=15, LOCK_THRESHOLD: 16..=21, SIMD_DEST_CNTL: 22..=22,
        FORCE_SIMD_DIST: 23..=23, CU_GROUP_COUNT: 24..=26,
    }
    COMPUTE_STATIC_THREAD_MGMT_SE0 = 0xB858, Sh, Gfx10Plus { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    COMPUTE_STATIC_THREAD_MGMT_SE1 = 0xB85C, Sh, Gfx10Plus { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    // gfx10: WAVESIZE is 13 bits in 1 KiB units (gfx11 widens it, 256 B units).
    COMPUTE_TMPRING_SIZE = 0xB860, Sh, Gfx10And103 { WAVES: 0..=11, WAVESIZE: 12..=24 }
    // gfx11.json COMPUTE_TMPRING_SIZE: WAVESIZE 15 bits (26:12) in 256 B units, WAVES per SE
    // (ac_shader_util.c ac_get_scratch_tmpring_size).
    COMPUTE_TMPRING_SIZE_GFX11["COMPUTE_TMPRING_SIZE"] = 0xB860, Sh, Gfx11Only { WAVES: 0..=11, WAVESIZE: 12..=26 }
    // SE2/SE3 are NOT next to SE0/SE1: TMPRING_SIZE sits between them.
    COMPUTE_STATIC_THREAD_MGMT_SE2 = 0xB864, Sh, Gfx10Plus { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    COMPUTE_STATIC_THREAD_MGMT_SE3 = 0xB868, Sh, Gfx10Plus { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    COMPUTE_RESTART_X = 0xB86C, Sh, Gfx10Plus { RESTART: 0..=31 }
    COMPUTE_RESTART_Y = 0xB870, Sh, Gfx10Plus { RESTART: 0..=31 }
    COMPUTE_RESTART_Z = 0xB874, Sh, Gfx10Plus { RESTART: 0..=31 }
    COMPUTE_THREAD_TRACE_ENABLE = 0xB878, Sh, Gfx10Plus { THREAD_TRACE_ENABLE: 0..=0 }
    COMPUTE_MISC_RESERVED = 0xB87C, Sh, Gfx10Plus { }
    COMPUTE_DISPATCH_ID = 0xB880, Sh, Gfx10Plus { DISPATCH_ID: 0..=31 }
    COMPUTE_THREADGROUP_ID = 0xB884, Sh, Gfx10Plus { THREADGROUP_ID: 0..=31 }
    COMPUTE_REQ_CTRL = 0xB888, Sh, Gfx10Plus { }
    COMPUTE_USER_ACCUM_0 = 0xB890, Sh, Gfx10Plus { CONTRIBUTION: 0..=6 }
    COMPUTE_USER_ACCUM_1 = 0xB894, Sh, Gfx10Plus { CONTRIBUTION: 0..=6 }
    COMPUTE_USER_ACCUM_2 = 0xB898, Sh, Gfx10Plus { CONTRIBUTION: 0..=6 }
    COMPUTE_USER_ACCUM_3 = 0xB89C, Sh, Gfx10Plus { CONTRIBUTION: 0..=6 }
    COMPUTE_PGM_RSRC3 = 0xB8A0, Sh, Gfx10And103 { SHARED_VGPR_CNT: 0..=3 }
    // gfx11.json COMPUTE_PGM_RSRC3 (Mesa's merged header: S_00B8A0_INST_PREF_SIZE_GFX11).
    COMPUTE_PGM_RSRC3_GFX11["COMPUTE_PGM_RSRC3"] = 0xB8A0, Sh, Gfx11Only {
        SHARED_VGPR_CNT: 0..=3, INST_PREF_SIZE: 4..=9, TRAP_ON_START: 10..=10,
        TRAP_ON_END: 11..=11, IMAGE_OP: 31..=31,
    }
    COMPUTE_DDID_INDEX = 0xB8A4, Sh, Gfx10Plus { INDEX: 0..=10 }
    COMPUTE_SHADER_CHKSUM = 0xB8A8, Sh, Gfx10Plus { CHECKSUM: 0..=31 }
    // gfx11: SE4..SE7 CU masks (ac_preamble.c gfx10_init_compute_preamble_state, GFX11 branch).
    COMPUTE_STATIC_THREAD_MGMT_SE4 = 0xB8AC, Sh, Gfx11Only { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    COMPUTE_STATIC_THREAD_MGMT_SE5 = 0xB8B0, Sh, Gfx11Only { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    COMPUTE_STATIC_THREAD_MGMT_SE6 = 0xB8B4, Sh, Gfx11Only { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    COMPUTE_STATIC_THREAD_MGMT_SE7 = 0xB8B8, Sh, Gfx11Only { SA0_CU_EN: 0..=15, SA1_CU_EN: 16..=31 }
    COMPUTE_DISPATCH_INTERLEAVE = 0xB8BC, Sh, Gfx11Only { INTERLEAVE: 0..=9 }
    COMPUTE_USER_DATA_0 = 0xB900, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_1 = 0xB904, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_2 = 0xB908, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_3 = 0xB90C, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_4 = 0xB910, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_5 = 0xB914, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_6 = 0xB918, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_7 = 0xB91C, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_8 = 0xB920, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_9 = 0xB924, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_10 = 0xB928, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_11 = 0xB92C, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_12 = 0xB930, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_13 = 0xB934, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_14 = 0xB938, Sh, Gfx10Plus { DATA: 0..=31 }
    COMPUTE_USER_DATA_15 = 0xB93C, Sh, Gfx10Plus { DATA: 0..=31 }
    // Mesa ac_preamble.c gfx10_init_compute_preamble_state writes it (0); fields not used.
    COMPUTE_DISPATCH_TUNNEL = 0xB9F4, Sh, Gfx10And103 { }
    COMPUTE_DISPATCH_TUNNEL_GFX11["COMPUTE_DISPATCH_TUNNEL"] = 0xB9F4, Sh, Gfx11Only { OFF_DELAY: 0..=9, IMMEDIATE: 10..=10 }
    // ---- UCONFIG registers (SET_UCONFIG_REG) ----
    CP_COHER_BASE_HI = 0x301E4, Uconfig, Gfx10And103 { COHER_BASE_HI_256B: 0..=7 }
    CP_COHER_START_DELAY = 0x301EC, Uconfig, Gfx10And103 { START_DELAY_COUNT: 0..=5 }
    GRBM_GFX_INDEX = 0x30800, Uconfig, Gfx10And103 {
        INSTANCE_INDEX: 0..=7, SA_INDEX: 8..=15, SE_INDEX: 16..=23, SA_BROADCAST_WRITES: 29..=29,
        INSTANCE_BROADCAST_WRITES: 30..=30, SE_BROADCAST_WRITES: 31..=31,
    }
    TA_CS_BC_BASE_ADDR = 0x30E00, Uconfig, Gfx10Plus { ADDRESS: 0..=31 }
    TA_CS_BC_BASE_ADDR_HI = 0x30E04, Uconfig, Gfx10Plus { ADDRESS: 0..=7 }
}

/// The 16 user-data registers as an array (`COMPUTE_USER_DATA_0 + 4 * i`).
pub const COMPUTE_USER_DATA: [u32; 16] = [
    COMPUTE_USER_DATA_0,
    COMPUTE_USER_DATA_1,
    COMPUTE_USER_DATA_2,
    COMPUTE_USER_DATA_3,
    COMPUTE_USER_DATA_4,
    COMPUTE_USER_DATA_5,
    COMPUTE_USER_DATA_6,
    COMPUTE_USER_DATA_7,
    COMPUTE_USER_DATA_8,
    COMPUTE_USER_DATA_9,
    COMPUTE_USER_DATA_10,
    COMPUTE_USER_DATA_11,
    COMPUTE_USER_DATA_12,
    COMPUTE_USER_DATA_13,
    COMPUTE_USER_DATA_14,
    COMPUTE_USER_DATA_15,
];

/// The rows at byte address `addr` (several when the layout differs per generation).
fn rows_at(addr: u32) -> &'static [RegInfo] {
    let lo = REGISTERS.partition_point(|r| r.addr < addr);
    let hi = REGISTERS.partition_point(|r| r.addr <= addr);
    &REGISTERS[lo..hi]
}

/// Look a register up by byte address, any generation: the first row (the gfx10/10.3 layout
/// when a register has a separate gfx11 row).
pub fn by_addr(addr: u32) -> Option<&'static RegInfo> {
    rows_at(addr).first()
}

/// Look a register up by byte address as it exists on `gen` (its layout on `gen`).
pub fn by_addr_for(addr: u32, gen: Gen) -> Option<&'static RegInfo> {
    rows_at(addr).iter().find(|r| r.gens.has(gen))
}

/// Look a register up by name (exact, upper case), any generation (first row).
pub fn by_name(name: &str) -> Option<&'static RegInfo> {
    REGISTERS.iter().find(|r| r.name == name)
}

/// Look a register up by name as it exists on `gen`.
pub fn by_name_for(name: &str, gen: Gen) -> Option<&'static RegInfo> {
    REGISTERS.iter().find(|r| r.name == name && r.gens.has(gen))
}

/// Whether the register at `addr` exists on `gen`.
pub fn exists_on(addr: u32, gen: Gen) -> bool {
    by_addr_for(addr, gen).is_some()
}

/// Byte address of the `i`-th register written by a SET_*_REG packet in `space` whose offset
/// dword is `offset` (the CP adds `i` dwords).
pub fn addr_in_space(space: RegSpace, offset: u32, i: usize) -> u32 {
    space
        .base()
        .wrapping_add(offset.wrapping_add(i as u32).wrapping_mul(4))
}

/// Per-generation constants that change encodings (kept as data, not `if` chains).
#[derive(Debug, Clone, Copy)]
pub struct GenInfo {
    /// The generation.
    pub gen: Gen,
    /// Bytes per unit of `COMPUTE_PGM_RSRC2.LDS_SIZE` (Mesa `lds_encode_granularity`).
    pub lds_encode_granularity: u32,
    /// Hardware LDS allocation granularity (Mesa `lds_alloc_granularity`: 1 KiB on gfx10.3).
    pub lds_alloc_granularity: u32,
    /// Maximum LDS per workgroup in bytes.
    pub lds_max_bytes: u32,
    /// Bytes per unit of `COMPUTE_TMPRING_SIZE.WAVESIZE` (Mesa `ac_get_scratch_tmpring_size`
    /// `size_shift`: 10 before gfx11, 8 on gfx11).
    pub scratch_wavesize_granularity: u32,
    /// The `COMPUTE_TMPRING_SIZE.WAVESIZE` field of this generation (13 bits before gfx11,
    /// 15 bits on gfx11: `gfx11.json`).
    pub tmpring_wavesize: Field,
    /// `COMPUTE_TMPRING_SIZE.WAVES` counts waves per shader engine (gfx11: Mesa
    /// `ac_get_scratch_tmpring_size` "WAVES is per SE", radv `waves /= num_se`), not per device.
    pub tmpring_waves_per_se: bool,
    /// The scratch base reaches the hardware through `COMPUTE_DISPATCH_SCRATCH_BASE_LO/HI`
    /// (Mesa `radeon_info::has_scratch_base_registers`, gfx11+).
    pub has_scratch_base_registers: bool,
    /// `CP_COHER_START_DELAY` value of Mesa's compute preamble (`ac_preamble.c`
    /// `gfx10_init_compute_preamble_state`: 0x20 before gfx11, not written on gfx11).
    pub coher_start_delay: Option<u32>,
    /// `COMPUTE_STATIC_THREAD_MGMT_SE*` registers beyond SE0..SE3 that the IB prologue writes
    /// (gfx11: SE4..SE7, `ac_preamble.c` GFX11 branch).
    pub extra_static_thread_mgmt: &'static [u32],
    /// `COMPUTE_DISPATCH_INTERLEAVE.INTERLEAVE` written at IB start (radv
    /// `radv_emit_compute` / preamble: 64 on gfx11), `None` where the register does not exist.
    pub dispatch_interleave: Option<u32>,
}

/// The per-generation table.
pub const GEN_INFO: &[GenInfo] = &[
    GenInfo {
        gen: Gen::Gfx10,
        lds_encode_granularity: 512,
        lds_alloc_granularity: 512,
        lds_max_bytes: 64 * 1024,
        scratch_wavesize_granularity: 1024,
        tmpring_wavesize: COMPUTE_TMPRING_SIZE::WAVESIZE,
        tmpring_waves_per_se: false,
        has_scratch_base_registers: false,
        coher_start_delay: Some(0x20),
        extra_static_thread_mgmt: &[],
        dispatch_interleave: None,
    },
    GenInfo {
        gen: Gen::Gfx103,
        lds_encode_granularity: 512,
        lds_alloc_granularity: 1024,
        lds_max_bytes: 64 * 1024,
        scratch_wavesize_granularity: 1024,
        tmpring_wavesize: COMPUTE_TMPRING_SIZE::WAVESIZE,
        tmpring_waves_per_se: false,
        has_scratch_base_registers: false,
        coher_start_delay: Some(0x20),
        extra_static_thread_mgmt: &[],
        dispatch_interleave: None,
    },
    // gfx11 (RDNA3). Untested on hardware (no gfx11 simulator); every value cited in
    // firmware-notes/gfx11-dispatch.md. LDS granularities as gfx10.3 (ac_gpu_info.c:
    // lds_encode_granularity 512 for gfx7+, lds_alloc_granularity 1024 for gfx10.3+).
    GenInfo {
        gen: Gen::Gfx11,
        lds_encode_granularity: 512,
        lds_alloc_granularity: 1024,
        lds_max_bytes: 64 * 1024,
        scratch_wavesize_granularity: 256,
        tmpring_wavesize: COMPUTE_TMPRING_SIZE_GFX11::WAVESIZE,
        tmpring_waves_per_se: true,
        has_scratch_base_registers: true,
        coher_start_delay: None,
        extra_static_thread_mgmt: &[
            COMPUTE_STATIC_THREAD_MGMT_SE4,
            COMPUTE_STATIC_THREAD_MGMT_SE5,
            COMPUTE_STATIC_THREAD_MGMT_SE6,
            COMPUTE_STATIC_THREAD_MGMT_SE7,
        ],
        dispatch_interleave: Some(64),
    },
];

impl Gen {
    /// This generation's constants.
    pub fn info(self) -> &'static GenInfo {
        GEN_INFO
            .iter()
            .find(|g| g.gen == self)
            .unwrap_or(&GEN_INFO[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sorted_unique_and_in_space() {
        for w in REGISTERS.windows(2) {
            assert!(w[0].addr <= w[1].addr, "{} before {}", w[0].name, w[1].name);
        }
        // Rows sharing an address: same name and space, disjoint generations.
        for r in REGISTERS {
            for g in [Gen::Gfx10, Gen::Gfx103, Gen::Gfx11] {
                let n = rows_at(r.addr).iter().filter(|x| x.gens.has(g)).count();
                assert!(n <= 1, "{} has {n} rows on {g:?}", r.name);
            }
            for x in rows_at(r.addr) {
                assert_eq!((x.name, x.space), (r.name, r.space));
            }
        }
        for r in REGISTERS {
            assert_eq!(RegSpace::of(r.addr), Some(r.space), "{}", r.name);
            assert_eq!(r.addr % 4, 0);
            // fields don't overlap
            let mut used = 0u32;
            for f in r.fields {
                assert_eq!(used & f.mask(), 0, "{}.{} overlaps", r.name, f.name);
                used |= f.mask();
            }
        }
    }

    #[test]
    fn design_md_facts() {
        // DESIGN.md: dword index from 0xB000.
        let sh = |a: u32| (a - 0xB000) >> 2;
        assert_eq!(sh(COMPUTE_DISPATCH_INITIATOR), 0x200);
        assert_eq!(sh(COMPUTE_NUM_THREAD_X), 0x207);
        assert_eq!(sh(COMPUTE_PGM_LO), 0x20C);
        assert_eq!(sh(COMPUTE_PGM_RSRC1), 0x212);
        assert_eq!(sh(COMPUTE_RESOURCE_LIMITS), 0x215);
        assert_eq!(sh(COMPUTE_STATIC_THREAD_MGMT_SE0), 0x216);
        assert_eq!(sh(COMPUTE_TMPRING_SIZE), 0x218);
        assert_eq!(sh(COMPUTE_STATIC_THREAD_MGMT_SE2), 0x219);
        assert_eq!(sh(COMPUTE_STATIC_THREAD_MGMT_SE3), 0x21A);
        assert_eq!(sh(COMPUTE_PGM_RSRC3), 0x228);
        assert_eq!(sh(COMPUTE_USER_DATA_0), 0x240);
        // kernel dword address mmCOMPUTE_PGM_LO
        assert_eq!(by_name("COMPUTE_PGM_LO").unwrap().dword_addr(), 0x2E0C);
        assert_eq!(COMPUTE_PGM_RSRC2::LDS_SIZE.mask(), 0x00FF_8000);
        assert_eq!(COMPUTE_DISPATCH_INITIATOR::CS_W32_EN.set(1), 1 << 15);
        assert_eq!(
            COMPUTE_DISPATCH_INITIATOR::FORCE_START_AT_000.set(1),
            1 << 2
        );
        for (i, a) in COMPUTE_USER_DATA.iter().enumerate() {
            assert_eq!(*a, COMPUTE_USER_DATA_0 + 4 * i as u32);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(by_addr(0xB84C).unwrap().name, "COMPUTE_PGM_RSRC2");
        assert!(by_addr(0xB84D).is_none());
        assert_eq!(RegSpace::of(0x301EC), Some(RegSpace::Uconfig));
        assert_eq!(RegSpace::of(0x28004), Some(RegSpace::Context));
        assert_eq!(RegSpace::of(0x100), None);
        assert_eq!(addr_in_space(RegSpace::Sh, 0x20C, 1), COMPUTE_PGM_HI);
        assert!(Gens::Gfx10And103.has(Gen::Gfx103));
        assert!(!Gens::Gfx10And103.has(Gen::Gfx11));
        assert!(Gens::Gfx10Plus.has(Gen::Gfx11));
        assert!(!Gens::Gfx10Only.has(Gen::Gfx103));
        assert_eq!(Gen::Gfx103.info().lds_alloc_granularity, 1024);
        for g in [Gen::Gfx10, Gen::Gfx103, Gen::Gfx11] {
            assert_eq!(g.info().gen, g);
        }
    }

    #[test]
    fn gfx11_rows() {
        // Mesa gfx11.json addresses (decimal there: 47168, 47172, 47276.., 47292).
        assert_eq!(COMPUTE_DISPATCH_SCRATCH_BASE_LO, 47168);
        assert_eq!(COMPUTE_DISPATCH_SCRATCH_BASE_HI, 47172);
        assert_eq!(COMPUTE_STATIC_THREAD_MGMT_SE4, 47276);
        assert_eq!(COMPUTE_STATIC_THREAD_MGMT_SE7, 47288);
        assert_eq!(COMPUTE_DISPATCH_INTERLEAVE, 47292);
        // Same address, per-generation layout.
        assert_eq!(COMPUTE_TMPRING_SIZE_GFX11, COMPUTE_TMPRING_SIZE);
        let t10 = by_addr_for(COMPUTE_TMPRING_SIZE, Gen::Gfx103).unwrap();
        let t11 = by_addr_for(COMPUTE_TMPRING_SIZE, Gen::Gfx11).unwrap();
        assert_eq!(
            (t10.name, t11.name),
            ("COMPUTE_TMPRING_SIZE", "COMPUTE_TMPRING_SIZE")
        );
        assert_eq!(t10.fields[1].mask(), 0x01FF_F000);
        assert_eq!(t11.fields[1].mask(), 0x07FF_F000);
        assert_eq!(
            by_addr(COMPUTE_TMPRING_SIZE).unwrap().gens,
            Gens::Gfx10And103
        );
        assert_eq!(Gen::Gfx11.info().tmpring_wavesize.width(), 15);
        // gfx11-only registers do not exist on gfx10; CP_COHER_START_DELAY not on gfx11.
        assert!(by_addr_for(COMPUTE_DISPATCH_SCRATCH_BASE_LO, Gen::Gfx10).is_none());
        assert!(exists_on(COMPUTE_DISPATCH_SCRATCH_BASE_HI, Gen::Gfx11));
        assert!(!exists_on(CP_COHER_START_DELAY, Gen::Gfx11));
        assert_eq!(
            by_name_for("COMPUTE_PGM_RSRC3", Gen::Gfx11)
                .unwrap()
                .fields
                .len(),
            5
        );
        assert_eq!(COMPUTE_PGM_RSRC3_GFX11::INST_PREF_SIZE.mask(), 0x3F0);
    }
}
