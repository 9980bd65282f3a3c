//! The compute-dispatch recipe: [`DispatchDesc`] (pm4's own input struct; the loader fills it
//! from a kernel descriptor) → IB dwords, and [`IbBuilder`], which holds many dispatches (a
//! whole decode token), barriers, fences, IB chaining and patch points.
//!
//! Sequence (see `firmware-notes/pm4-dispatch.md` for the side-by-side with Mesa/tinygrad):
//! 1. IB start: `ACQUIRE_MEM` full invalidate (I$, K$, L0, L1, L2 WB+INV, GLM) — the kernel's
//!    `gfx_v10_0_emit_mem_sync` set, so host-written kernargs/inputs are seen.
//!    Optionally `SET_UCONFIG_REG CP_COHER_START_DELAY` (Mesa's compute preamble).
//! 2. Per dispatch: `SET_SH_REG` PGM_LO/HI, RSRC1/RSRC2, RSRC3,
//!    RESOURCE_LIMITS..STATIC_THREAD_MGMT_SE3 (one run: LIMITS, SE0, SE1, TMPRING_SIZE, SE2,
//!    SE3), USER_DATA_0.., START_X..NUM_THREAD_Z, then `DISPATCH_DIRECT` (shader-type bit).
//! 3. Between dependent dispatches ([`IbBuilder::barrier`]): `EVENT_WRITE CS_PARTIAL_FLUSH`
//!    (index 4) + `ACQUIRE_MEM` GLK/GLV/GL1 invalidate (radv INV_SCACHE|INV_VCACHE).
//! 4. End ([`IbBuilder::fence`]): `RELEASE_MEM` CACHE_FLUSH_AND_INV_TS_EVENT end-of-pipe with
//!    GL2/GLM write-back, 32- or 64-bit data (the kernel's `gfx_v10_0_ring_emit_fence`).
//!
//! gfx11 ([`Gen::Gfx11`], untested on hardware) differs only through data in
//! [`regs::GEN_INFO`] and the register table (`firmware-notes/gfx11-dispatch.md`): no
//! `CP_COHER_START_DELAY`; the IB start also writes `COMPUTE_STATIC_THREAD_MGMT_SE4..SE7` and
//! `COMPUTE_DISPATCH_INTERLEAVE`; `COMPUTE_TMPRING_SIZE` counts WAVES per SE and WAVESIZE in
//! 256-byte units (15 bits); a scratch dispatch writes `COMPUTE_DISPATCH_SCRATCH_BASE_LO/HI`
//! ([`RecipeOptions::scratch_base_va`]) after RSRC1..RSRC3.

use crate::builder::{AcquireMem, BuildError, CmdStream, DispatchInitiator, GcrCntl, ReleaseMem};
use crate::op::{self, pkt3, sel};
use crate::regs::{self, Gen};

/// Scratch (private segment) sizing for `COMPUTE_TMPRING_SIZE`.
///
/// There is no address here on purpose: on gfx10 the scratch base reaches the shader only
/// through user SGPRs (the private-segment-buffer descriptor / flat-scratch-init pair the
/// kernel descriptor enables), which the caller puts in [`DispatchDesc::user_sgprs`].
/// On gfx11 the base goes to `COMPUTE_DISPATCH_SCRATCH_BASE_LO/HI`, from the device-wide
/// [`RecipeOptions::scratch_base_va`] (radv/radeonsi use one scratch buffer per device too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScratchSetup {
    /// Bytes of scratch per wave (private_segment_fixed_size × lanes per wave, rounded up by
    /// the recipe to the `WAVESIZE` unit: 1 KiB before gfx11, 256 B on gfx11).
    pub bytes_per_wave: u32,
    /// Number of waves the whole scratch buffer holds. Before gfx11 this is
    /// `TMPRING_SIZE.WAVES` (max 4095); on gfx11 WAVES is per shader engine, so the recipe
    /// writes `waves / num_se`.
    pub waves: u32,
}

/// The private-segment-buffer V# of a scratch buffer at `va` (the 4 user SGPRs a kernel
/// with `enable_sgpr_private_segment_buffer` reads): swizzled per lane (ADD_TID_ENABLE,
/// SWIZZLE_ENABLE), INDEX_STRIDE = the wave size (2 → 32, 3 → 64), unbounded NUM_RECORDS —
/// as radeonsi builds it (`si_setup_compute_scratch_buffer`). The shader adds its wave's
/// byte offset (an SGPR the hardware fills from the wave's scratch slot) to the base.
pub fn scratch_rsrc(va: u64, wave32: bool) -> [u32; 4] {
    use crate::op::{SQ_BUF_RSRC_WORD1 as W1, SQ_BUF_RSRC_WORD3 as W3};
    [
        va as u32,
        W1::BASE_ADDRESS_HI.set((va >> 32) as u32) | W1::SWIZZLE_ENABLE.set(1),
        u32::MAX,
        W3::INDEX_STRIDE.set(if wave32 { 2 } else { 3 }) | W3::ADD_TID_ENABLE.set(1),
    ]
}

/// Everything one dispatch needs (pm4's own type: no dependency on the loader crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchDesc {
    /// Entry-point GPU VA of the code (256-byte aligned, < 2^48): `COMPUTE_PGM_LO/HI`.
    pub pgm_va: u64,
    /// `COMPUTE_PGM_RSRC1` from the kernel descriptor (offset 48).
    pub rsrc1: u32,
    /// `COMPUTE_PGM_RSRC2` from the kernel descriptor (offset 52); LDS_SIZE is replaced by
    /// the value computed from `lds_bytes`, SCRATCH_EN is set when `scratch` is given.
    pub rsrc2: u32,
    /// `COMPUTE_PGM_RSRC3` from the kernel descriptor (offset 44).
    pub rsrc3: u32,
    /// Values of `COMPUTE_USER_DATA_0..` in SGPR order (private segment buffer, dispatch
    /// ptr, queue ptr, kernarg ptr, ... per the descriptor's enable bits). Its length must
    /// equal RSRC2.USER_SGPR (at most 16).
    pub user_sgprs: Vec<u32>,
    /// Number of workgroups in x, y, z (DISPATCH_DIRECT DIM_*).
    pub grid: [u32; 3],
    /// Workitems per workgroup (`COMPUTE_NUM_THREAD_*`), product ≤ 1024.
    pub block: [u32; 3],
    /// Wave32 (descriptor property bit 10) → DISPATCH_INITIATOR.CS_W32_EN.
    pub wave32: bool,
    /// LDS bytes per workgroup: group_segment_fixed_size + dynamic LDS.
    pub lds_bytes: u32,
    /// Scratch sizing, if the kernel uses a private segment.
    pub scratch: Option<ScratchSetup>,
}

/// `kernel_code_properties` bits of the kernel descriptor (offset 56, u16) that enable user
/// SGPRs, in the order the hardware loads them (LLVM `AMDHSAKernelDescriptor.h`
/// `KERNEL_CODE_PROPERTY_ENABLE_SGPR_*`, AMDGPUUsage "Initial Kernel Execution State"), with
/// the number of SGPRs each takes.
pub const USER_SGPR_ORDER: [(u16, &str, usize); 7] = [
    (1 << 0, "private_segment_buffer", 4),
    (1 << 1, "dispatch_ptr", 2),
    (1 << 2, "queue_ptr", 2),
    (1 << 3, "kernarg_segment_ptr", 2),
    (1 << 4, "dispatch_id", 2),
    (1 << 5, "flat_scratch_init", 2),
    (1 << 6, "private_segment_size", 1),
];

/// `kernel_code_properties` bit 10: ENABLE_WAVEFRONT_SIZE32.
pub const PROPERTY_WAVEFRONT_SIZE32: u16 = 1 << 10;

/// Values for the user SGPRs a kernel descriptor may enable (unused ones are ignored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserSgprValues {
    /// Private segment buffer V# (4 dwords), built by the caller for the scratch BO.
    pub private_segment_buffer: [u32; 4],
    /// Address of an AQL dispatch packet (hsa_kernel_dispatch_packet_t) if the kernel asks.
    pub dispatch_ptr: u64,
    /// Address of an amd_queue_t if the kernel asks.
    pub queue_ptr: u64,
    /// Kernarg segment address.
    pub kernarg_ptr: u64,
    /// 64-bit dispatch id.
    pub dispatch_id: u64,
    /// Flat scratch init (scratch base for the queue).
    pub flat_scratch_init: u64,
    /// Private segment size per work-item.
    pub private_segment_size: u32,
}

/// Lay out `COMPUTE_USER_DATA_*` from the descriptor's `kernel_code_properties` in hardware
/// order. The length equals what LLVM puts in RSRC2.USER_SGPR for these enables.
pub fn user_sgprs_from_properties(properties: u16, v: &UserSgprValues) -> Vec<u32> {
    let mut out = Vec::with_capacity(16);
    let lohi = |x: u64| [x as u32, (x >> 32) as u32];
    for (bit, name, _) in USER_SGPR_ORDER {
        if properties & bit == 0 {
            continue;
        }
        match name {
            "private_segment_buffer" => out.extend_from_slice(&v.private_segment_buffer),
            "dispatch_ptr" => out.extend_from_slice(&lohi(v.dispatch_ptr)),
            "queue_ptr" => out.extend_from_slice(&lohi(v.queue_ptr)),
            "kernarg_segment_ptr" => out.extend_from_slice(&lohi(v.kernarg_ptr)),
            "dispatch_id" => out.extend_from_slice(&lohi(v.dispatch_id)),
            "flat_scratch_init" => out.extend_from_slice(&lohi(v.flat_scratch_init)),
            _ => out.push(v.private_segment_size),
        }
    }
    out
}

/// Device-level choices of the recipe (defaults: RX 5700 XT, Navi 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecipeOptions {
    /// Generation (LDS/scratch granularities come from [`regs::GEN_INFO`]).
    pub gen: Gen,
    /// Number of shader engines: `STATIC_THREAD_MGMT_SE{n}` for n ≥ num_se is written 0.
    pub num_se: u32,
    /// CUs per SE (for Mesa's FORCE_SIMD_DIST rule).
    pub cu_per_se: u32,
    /// CU enable bits per shader array (`SA0_CU_EN` / `SA1_CU_EN`; Mesa `spi_cu_en`).
    pub cu_en_per_sa: u16,
    /// `COMPUTE_RESOURCE_LIMITS.WAVES_PER_SH` (0 = no limit).
    pub waves_per_sh: u32,
    /// Thread groups per CU, 1..=8 (`CU_GROUP_COUNT` = n - 1); 0 = radeonsi's rule (2 when a
    /// group is one wave, else 1).
    pub threadgroups_per_cu: u32,
    /// Write `CP_COHER_START_DELAY` once at IB start (Mesa: 0x20 on gfx10/10.3 compute).
    pub coher_start_delay: Option<u32>,
    /// IB size alignment in dwords (Mesa `ib_pad_dw_mask + 1` = 8).
    pub ib_align_dw: usize,
    /// gfx11: GPU VA (256-byte aligned) of the device's scratch buffer, written to
    /// `COMPUTE_DISPATCH_SCRATCH_BASE_LO/HI` for dispatches with a [`ScratchSetup`]. Must be
    /// `None` on generations without those registers (the base goes in user SGPRs there).
    pub scratch_base_va: Option<u64>,
    /// gfx11: `COMPUTE_DISPATCH_INTERLEAVE.INTERLEAVE` written once at IB start (radv: 64).
    /// Must be `None` on generations without the register.
    pub dispatch_interleave: Option<u32>,
}

impl RecipeOptions {
    /// The defaults with `gen`'s Mesa preamble choices from [`regs::GEN_INFO`]
    /// (`coher_start_delay`, `dispatch_interleave`). `for_gen(Gen::Gfx10)` equals
    /// `RecipeOptions::default()`. The SE / CU counts stay Navi 10's: set `num_se`,
    /// `cu_per_se` from the device.
    pub fn for_gen(gen: Gen) -> Self {
        let gi = gen.info();
        RecipeOptions {
            gen,
            coher_start_delay: gi.coher_start_delay,
            dispatch_interleave: gi.dispatch_interleave,
            ..RecipeOptions::default()
        }
    }

    /// Error if an option asks for a register `gen` does not have.
    fn check_gen(&self) -> Result<(), BuildError> {
        let gen = self.gen;
        let gi = gen.info();
        let wants = [
            (
                self.coher_start_delay.is_some(),
                regs::CP_COHER_START_DELAY,
                "coher_start_delay",
            ),
            (
                self.scratch_base_va.is_some(),
                regs::COMPUTE_DISPATCH_SCRATCH_BASE_LO,
                "scratch_base_va",
            ),
            (
                self.dispatch_interleave.is_some(),
                regs::COMPUTE_DISPATCH_INTERLEAVE,
                "dispatch_interleave",
            ),
        ];
        for (on, reg, what) in wants {
            if on && !regs::exists_on(reg, gen) {
                let name = regs::by_addr(reg).map_or("?", |r| r.name);
                return Err(err(format!(
                    "RecipeOptions::{what} writes {name}, which {gen:?} does not have"
                )));
            }
        }
        if let Some(va) = self.scratch_base_va {
            if !va.is_multiple_of(256) || va >> 48 != 0 {
                return Err(err(format!(
                    "scratch_base_va 0x{va:x} must be 256-byte aligned and below 2^48"
                )));
            }
        }
        let max_se = 4 + gi.extra_static_thread_mgmt.len() as u32;
        if self.num_se == 0 || self.num_se > max_se {
            return Err(err(format!(
                "num_se {} not in 1..={max_se} on {gen:?}",
                self.num_se
            )));
        }
        Ok(())
    }

    /// `COMPUTE_STATIC_THREAD_MGMT_SE{se}` value: every CU of both SAs for an existing SE,
    /// 0 beyond `num_se` (Mesa `i < max_se ? compute_cu_en : 0`).
    fn se_cu_en(&self, se: u32) -> u32 {
        use regs::COMPUTE_STATIC_THREAD_MGMT_SE0 as STM;
        if se < self.num_se {
            STM::SA0_CU_EN.set(self.cu_en_per_sa as u32)
                | STM::SA1_CU_EN.set(self.cu_en_per_sa as u32)
        } else {
            0
        }
    }
}

impl Default for RecipeOptions {
    fn default() -> Self {
        RecipeOptions {
            gen: Gen::Gfx10,
            num_se: 2,
            cu_per_se: 20,
            cu_en_per_sa: 0xFFFF,
            waves_per_sh: 0,
            threadgroups_per_cu: 0,
            coher_start_delay: Some(0x20),
            ib_align_dw: 8,
            scratch_base_va: None,
            dispatch_interleave: None,
        }
    }
}

/// End-of-IB fence write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    /// Address written (4-byte aligned, 8 for 64-bit).
    pub va: u64,
    /// Value written.
    pub value: u64,
    /// Write 64 bits (DATA_SEL 2) instead of the low 32 (DATA_SEL 1).
    pub bits64: bool,
    /// Raise an interrupt after the write is confirmed (INT_SEL 2).
    pub interrupt: bool,
}

/// Position of one dword in an IB, for patching a pre-built IB in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Patch {
    /// Dword index in the IB.
    pub dw: usize,
}

impl Patch {
    /// Byte offset in the IB BO.
    pub fn byte_offset(self) -> usize {
        self.dw * 4
    }
    /// The patch `n` dwords later.
    pub fn offset_by(self, n: usize) -> Patch {
        Patch { dw: self.dw + n }
    }
}

/// Error for an out-of-range patch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("patch at dword {dw} (+{n}) outside IB of {len} dwords")]
pub struct PatchError {
    /// Dword index.
    pub dw: usize,
    /// Dwords written.
    pub n: usize,
    /// IB length.
    pub len: usize,
}

/// Write `v` at `p` in an IB (e.g. the mapped IB BO).
pub fn patch_dword(ib: &mut [u32], p: Patch, v: u32) -> Result<(), PatchError> {
    let len = ib.len();
    *ib.get_mut(p.dw).ok_or(PatchError {
        dw: p.dw,
        n: 1,
        len,
    })? = v;
    Ok(())
}

/// Write a 64-bit value as lo, hi dwords at `p`.
pub fn patch_qword(ib: &mut [u32], p: Patch, v: u64) -> Result<(), PatchError> {
    let len = ib.len();
    match ib.get_mut(p.dw..p.dw + 2) {
        Some(s) => {
            s[0] = v as u32;
            s[1] = (v >> 32) as u32;
            Ok(())
        }
        None => Err(PatchError {
            dw: p.dw,
            n: 2,
            len,
        }),
    }
}

/// Patch points of one dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchPatches {
    /// Value dword of `COMPUTE_USER_DATA_0` (None without user SGPRs).
    pub user_data0: Option<Patch>,
    /// Number of user-data dwords.
    pub user_data_len: usize,
    /// `DIM_X` of DISPATCH_DIRECT (then DIM_Y, DIM_Z).
    pub grid: Patch,
    /// Value dword of `COMPUTE_PGM_LO`.
    pub pgm_lo: Patch,
}

impl DispatchPatches {
    /// Patch point of user SGPR `i`.
    pub fn user_sgpr(&self, i: usize) -> Option<Patch> {
        if i < self.user_data_len {
            self.user_data0.map(|p| p.offset_by(i))
        } else {
            None
        }
    }
}

/// SET_SH_REG offset dword of an SH register (dwords from `SI_SH_REG_OFFSET`).
const fn sh_off(addr: u32) -> u32 {
    (addr - regs::SH_REG_BASE) >> 2
}

fn err(msg: String) -> BuildError {
    BuildError::Dispatch(msg)
}

/// Register values of one dispatch, computed and validated (no packets yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchRegs {
    /// COMPUTE_PGM_LO.
    pub pgm_lo: u32,
    /// COMPUTE_PGM_HI.
    pub pgm_hi: u32,
    /// COMPUTE_PGM_RSRC1.
    pub rsrc1: u32,
    /// COMPUTE_PGM_RSRC2 (LDS_SIZE, SCRATCH_EN applied).
    pub rsrc2: u32,
    /// COMPUTE_PGM_RSRC3.
    pub rsrc3: u32,
    /// COMPUTE_RESOURCE_LIMITS.
    pub resource_limits: u32,
    /// COMPUTE_STATIC_THREAD_MGMT_SE0..SE3.
    pub static_thread_mgmt: [u32; 4],
    /// COMPUTE_TMPRING_SIZE.
    pub tmpring_size: u32,
    /// gfx11 `COMPUTE_DISPATCH_SCRATCH_BASE_LO/HI` (VA >> 8, VA >> 40) when the dispatch uses
    /// scratch on a generation with scratch base registers.
    pub scratch_base: Option<[u32; 2]>,
    /// DISPATCH_INITIATOR.
    pub initiator: DispatchInitiator,
}

impl DispatchDesc {
    /// Compute and validate the register values for `opts`.
    pub fn regs(&self, opts: &RecipeOptions) -> Result<DispatchRegs, BuildError> {
        use regs::COMPUTE_PGM_RSRC2 as R2;
        use regs::COMPUTE_RESOURCE_LIMITS as RL;
        use regs::COMPUTE_TMPRING_SIZE as TR;
        let gi = opts.gen.info();
        opts.check_gen()?;
        if !self.pgm_va.is_multiple_of(256) || self.pgm_va >> 48 != 0 {
            return Err(err(format!(
                "pgm_va 0x{:x} must be 256-byte aligned and below 2^48",
                self.pgm_va
            )));
        }
        let user_sgpr = R2::USER_SGPR.get(self.rsrc2) as usize;
        if self.user_sgprs.len() > regs::COMPUTE_USER_DATA.len()
            || self.user_sgprs.len() != user_sgpr
        {
            return Err(err(format!(
                "{} user SGPR values given, RSRC2.USER_SGPR is {} (max 16)",
                self.user_sgprs.len(),
                user_sgpr
            )));
        }
        let full = regs::COMPUTE_NUM_THREAD_X::NUM_THREAD_FULL;
        let threads: u64 = self.block.iter().map(|&b| b as u64).product();
        if self.block.iter().any(|&b| b == 0 || b > full.value_mask()) || threads > 1024 {
            return Err(err(format!(
                "block {:?} must be non-zero with at most 1024 workitems",
                self.block
            )));
        }
        if self.grid.contains(&0) {
            return Err(err(format!("grid {:?} has a zero dimension", self.grid)));
        }
        if self.lds_bytes > gi.lds_max_bytes {
            return Err(err(format!(
                "lds_bytes {} exceeds {} bytes",
                self.lds_bytes, gi.lds_max_bytes
            )));
        }
        // LDS_SIZE: allocate in lds_alloc_granularity, encode in lds_encode_granularity units.
        let lds_alloc =
            self.lds_bytes.div_ceil(gi.lds_alloc_granularity) * gi.lds_alloc_granularity;
        let lds_units = lds_alloc / gi.lds_encode_granularity;
        let mut rsrc2 = R2::LDS_SIZE.replace(self.rsrc2, lds_units);
        let mut scratch_base = None;
        let tmpring_size = match self.scratch {
            Some(s) => {
                let wavesize = s.bytes_per_wave.div_ceil(gi.scratch_wavesize_granularity);
                // gfx11: WAVES is per SE (ac_get_scratch_tmpring_size).
                let waves = if gi.tmpring_waves_per_se {
                    s.waves / opts.num_se
                } else {
                    s.waves
                };
                if wavesize > gi.tmpring_wavesize.value_mask()
                    || waves > TR::WAVES.value_mask()
                    || waves == 0
                {
                    return Err(err(format!(
                        "scratch {} bytes/wave × {} waves does not fit TMPRING_SIZE",
                        s.bytes_per_wave, s.waves
                    )));
                }
                if gi.has_scratch_base_registers {
                    let va = opts.scratch_base_va.ok_or_else(|| {
                        err(format!(
                            "{:?} scratch needs RecipeOptions::scratch_base_va \
                             (COMPUTE_DISPATCH_SCRATCH_BASE_LO/HI)",
                            opts.gen
                        ))
                    })?;
                    scratch_base = Some([
                        regs::COMPUTE_DISPATCH_SCRATCH_BASE_LO::DATA.set((va >> 8) as u32),
                        regs::COMPUTE_DISPATCH_SCRATCH_BASE_HI::DATA.set((va >> 40) as u32),
                    ]);
                }
                rsrc2 = R2::SCRATCH_EN.replace(rsrc2, 1);
                TR::WAVES.set(waves) | gi.tmpring_wavesize.set(wavesize)
            }
            None => {
                if R2::SCRATCH_EN.get(rsrc2) != 0 {
                    return Err(err(
                        "RSRC2.SCRATCH_EN is set but no scratch setup was given".into(),
                    ));
                }
                0
            }
        };
        let wave = if self.wave32 { 32 } else { 64 };
        let waves_per_tg = threads.div_ceil(wave) as u32;
        // 0 = radeonsi's rule (si_emit_dispatch_packets): 2 groups per CU on gfx10 when a
        // group is a single wave, else 1.
        let tg_per_cu = match opts.threadgroups_per_cu {
            0 if waves_per_tg == 1 => 2,
            0 => 1,
            n => n,
        };
        if !(1..=8).contains(&tg_per_cu) {
            return Err(err(format!("threadgroups_per_cu {tg_per_cu} not in 1..=8")));
        }
        // Mesa ac_get_compute_resource_limits (gfx7+ branch).
        let force_simd_dist = !opts.cu_per_se.is_multiple_of(4) && waves_per_tg == 1;
        let resource_limits = RL::SIMD_DEST_CNTL.flag(waves_per_tg.is_multiple_of(4))
            | RL::FORCE_SIMD_DIST.flag(force_simd_dist)
            | RL::WAVES_PER_SH.set(opts.waves_per_sh)
            | RL::CU_GROUP_COUNT.set(tg_per_cu - 1);
        let mut stm = [0u32; 4];
        for (i, s) in stm.iter_mut().enumerate() {
            *s = opts.se_cu_en(i as u32);
        }
        Ok(DispatchRegs {
            pgm_lo: regs::COMPUTE_PGM_LO::DATA.set((self.pgm_va >> 8) as u32),
            pgm_hi: regs::COMPUTE_PGM_HI::DATA.set((self.pgm_va >> 40) as u32),
            rsrc1: self.rsrc1,
            rsrc2,
            rsrc3: self.rsrc3,
            resource_limits,
            static_thread_mgmt: stm,
            tmpring_size,
            scratch_base,
            initiator: DispatchInitiator::compute(self.wave32),
        })
    }
}

/// GCR_CNTL at IB start: everything the kernel's `gfx_v10_0_emit_mem_sync` invalidates.
pub const GCR_IB_START: GcrCntl = GcrCntl {
    gli_inv: sel::GLI_ALL as u8,
    gl1_range: 0,
    glm_wb: true,
    glm_inv: true,
    glk_wb: false,
    glk_inv: true,
    glv_inv: true,
    gl1_inv: true,
    gl2_us: false,
    gl2_range: 0,
    gl2_discard: false,
    gl2_inv: true,
    gl2_wb: true,
    seq: 0,
    range_is_pa: false,
};

/// GCR_CNTL between dependent dispatches: radv INV_SCACHE (GL1+GLK) | INV_VCACHE (GL1+GLV).
pub const GCR_BARRIER: GcrCntl = GcrCntl {
    gli_inv: 0,
    gl1_range: 0,
    glm_wb: false,
    glm_inv: false,
    glk_wb: false,
    glk_inv: true,
    glv_inv: true,
    gl1_inv: true,
    gl2_us: false,
    gl2_range: 0,
    gl2_discard: false,
    gl2_inv: false,
    gl2_wb: false,
    seq: 0,
    range_is_pa: false,
};

/// The barrier: `EVENT_WRITE(CS_PARTIAL_FLUSH, 4)` + full-range `ACQUIRE_MEM(GCR_BARRIER)`,
/// precomputed (the builder's `cs_partial_flush` + `acquire_mem` produce the same dwords;
/// a unit test checks it).
pub const BARRIER_PACKETS: [u32; 10] = [
    pkt3(op::EVENT_WRITE, 1, false),
    op::EVENT_WRITE_DW1::EVENT_TYPE.set(op::event::CS_PARTIAL_FLUSH)
        | op::EVENT_WRITE_DW1::EVENT_INDEX.set(op::event::INDEX_PARTIAL_FLUSH),
    pkt3(op::ACQUIRE_MEM, 7, false),
    0,
    0xFFFF_FFFF,
    0x00FF_FFFF,
    0,
    0,
    op::POLL_INTERVAL::POLL_INTERVAL.set(10),
    GCR_BARRIER.encode(),
];

/// Builds one IB of many dispatches.
#[derive(Debug, Clone)]
pub struct IbBuilder {
    cs: CmdStream,
    opts: RecipeOptions,
    dispatches: usize,
    chained: bool,
    invalidate_before_next: bool,
}

impl IbBuilder {
    /// New IB with the start-of-IB cache invalidate (and optional CP_COHER_START_DELAY).
    pub fn new(opts: RecipeOptions) -> Result<Self, BuildError> {
        Self::with_capacity(opts, 64)
    }

    /// Like [`IbBuilder::new`] with room for `dw` dwords (≈ 40 per dispatch).
    ///
    /// IB start: `CP_COHER_START_DELAY` (if set), then the generation's extra preamble
    /// registers from [`regs::GEN_INFO`] (gfx11: `COMPUTE_STATIC_THREAD_MGMT_SE4..SE7`,
    /// `COMPUTE_DISPATCH_INTERLEAVE`), then the full-invalidate `ACQUIRE_MEM`.
    pub fn with_capacity(opts: RecipeOptions, dw: usize) -> Result<Self, BuildError> {
        opts.check_gen()?;
        let gi = opts.gen.info();
        let mut cs = CmdStream::with_capacity(dw.max(16));
        if let Some(d) = opts.coher_start_delay {
            cs.set_uconfig_reg_seq(
                regs::CP_COHER_START_DELAY,
                &[regs::CP_COHER_START_DELAY::START_DELAY_COUNT.set(d)],
            )?;
        }
        if let Some(&first) = gi.extra_static_thread_mgmt.first() {
            let vals: Vec<u32> = (0..gi.extra_static_thread_mgmt.len() as u32)
                .map(|k| opts.se_cu_en(4 + k))
                .collect();
            cs.set_sh_reg_seq(first, &vals)?;
        }
        if let Some(v) = opts.dispatch_interleave {
            cs.set_sh_reg(
                regs::COMPUTE_DISPATCH_INTERLEAVE,
                regs::COMPUTE_DISPATCH_INTERLEAVE::INTERLEAVE.set(v),
            )?;
        }
        cs.acquire_mem(AcquireMem::full_range(GCR_IB_START));
        Ok(IbBuilder {
            cs,
            opts,
            dispatches: 0,
            chained: false,
            invalidate_before_next: false,
        })
    }

    /// The options.
    pub fn options(&self) -> &RecipeOptions {
        &self.opts
    }

    /// Number of dispatches so far.
    pub fn dispatch_count(&self) -> usize {
        self.dispatches
    }

    /// The dwords so far.
    pub fn as_slice(&self) -> &[u32] {
        self.cs.as_slice()
    }

    /// Raw access to the stream (for packets the recipe does not cover).
    pub fn stream(&mut self) -> Result<&mut CmdStream, BuildError> {
        self.check_open()?;
        Ok(&mut self.cs)
    }

    fn check_open(&self) -> Result<(), BuildError> {
        if self.chained {
            Err(BuildError::AfterChain)
        } else {
            Ok(())
        }
    }

    /// Emit one dispatch. Returns its patch points.
    pub fn dispatch(&mut self, d: &DispatchDesc) -> Result<DispatchPatches, BuildError> {
        self.check_open()?;
        let r = d.regs(&self.opts)?;
        if self.invalidate_before_next {
            self.cs.acquire_mem(AcquireMem::full_range(GCR_BARRIER));
            self.invalidate_before_next = false;
        }
        // Hot path (a token IB holds ~200 of these): the packets are laid out in fixed-size
        // stack arrays and appended with one copy each; headers and offsets are constants.
        let s = r.static_thread_mgmt;
        let head: [u32; 19] = [
            pkt3(op::SET_SH_REG, 3, false),
            sh_off(regs::COMPUTE_PGM_LO),
            r.pgm_lo,
            r.pgm_hi,
            pkt3(op::SET_SH_REG, 3, false),
            sh_off(regs::COMPUTE_PGM_RSRC1),
            r.rsrc1,
            r.rsrc2,
            pkt3(op::SET_SH_REG, 2, false),
            sh_off(regs::COMPUTE_PGM_RSRC3),
            r.rsrc3,
            // One run 0x215..0x21A: LIMITS, SE0, SE1, TMPRING_SIZE, SE2, SE3 (SE2/SE3 are
            // not adjacent to SE1; TMPRING_SIZE sits between).
            pkt3(op::SET_SH_REG, 7, false),
            sh_off(regs::COMPUTE_RESOURCE_LIMITS),
            r.resource_limits,
            s[0],
            s[1],
            r.tmpring_size,
            s[2],
            s[3],
        ];
        let full = regs::COMPUTE_NUM_THREAD_X::NUM_THREAD_FULL;
        let tail: [u32; 13] = [
            pkt3(op::SET_SH_REG, 7, false),
            sh_off(regs::COMPUTE_START_X),
            0,
            0,
            0,
            full.set(d.block[0]),
            full.set(d.block[1]),
            full.set(d.block[2]),
            pkt3(op::DISPATCH_DIRECT, 4, true),
            d.grid[0],
            d.grid[1],
            d.grid[2],
            r.initiator.encode(),
        ];
        let n_user = d.user_sgprs.len();
        let user_len = if n_user > 0 { 2 + n_user } else { 0 };
        // gfx11 scratch base (si_switch_compute_shader writes it with PGM/RSRC).
        let scratch: Option<[u32; 4]> = r.scratch_base.map(|[lo, hi]| {
            [
                pkt3(op::SET_SH_REG, 3, false), // body: offset + 2 values
                sh_off(regs::COMPUTE_DISPATCH_SCRATCH_BASE_LO),
                lo,
                hi,
            ]
        });
        let scratch_len = scratch.map_or(0, |s| s.len());
        let cs = &mut self.cs;
        let start = cs.len_dw();
        cs.reserve(head.len() + scratch_len + user_len + tail.len());
        cs.extend(&head);
        if let Some(s) = &scratch {
            cs.extend(s);
        }
        let user_data0 = if n_user > 0 {
            cs.extend(&[
                pkt3(op::SET_SH_REG, n_user + 1, false),
                sh_off(regs::COMPUTE_USER_DATA_0),
            ]);
            cs.extend(&d.user_sgprs);
            Some(Patch {
                dw: start + head.len() + scratch_len + 2,
            })
        } else {
            None
        };
        cs.extend(&tail);
        let pgm_lo = start + 2;
        let grid = start + head.len() + scratch_len + user_len + 9;
        self.dispatches += 1;
        Ok(DispatchPatches {
            user_data0,
            user_data_len: d.user_sgprs.len(),
            grid: Patch { dw: grid },
            pgm_lo: Patch { dw: pgm_lo },
        })
    }

    /// Make the next dispatch see everything earlier dispatches wrote: CS_PARTIAL_FLUSH +
    /// ACQUIRE_MEM (K$/L0/L1 invalidate). No-op before the first dispatch.
    pub fn barrier(&mut self) -> Result<(), BuildError> {
        self.check_open()?;
        if self.dispatches > 0 {
            self.cs.extend(&BARRIER_PACKETS);
            self.invalidate_before_next = false;
        }
        Ok(())
    }

    /// WRITE_DATA to memory (WR_CONFIRM); the next dispatch gets a cache invalidate first.
    /// Returns the patch point of `data[0]` (e.g. a token id read by the kernels).
    pub fn write_data_mem(&mut self, va: u64, data: &[u32]) -> Result<Patch, BuildError> {
        self.check_open()?;
        let w = crate::builder::WriteData {
            dst_sel: sel::WRITE_DATA_DST_MEM as u8,
            addr: va,
            wr_one_addr: false,
            wr_confirm: true,
            cache_policy: 0,
            engine_sel: 0,
        };
        let p = self.cs.write_data(w, data)?;
        self.invalidate_before_next = true;
        Ok(Patch { dw: p })
    }

    /// End-of-pipe fence: RELEASE_MEM CACHE_FLUSH_AND_INV_TS_EVENT (index 5) with
    /// GLM WB+INV, GLV/GL1 INV, GL2 WB, SEQ forward, cache policy bypass, then the data write.
    /// Returns the patch point of `data_lo` (`data_hi` follows).
    pub fn fence(&mut self, f: Fence) -> Result<Patch, BuildError> {
        self.check_open()?;
        let r = ReleaseMem {
            event_type: op::event::CACHE_FLUSH_AND_INV_TS_EVENT,
            event_index: op::event::INDEX_END_OF_PIPE,
            glm_wb: true,
            glm_inv: true,
            glv_inv: true,
            gl1_inv: true,
            gl2_inv: false,
            gl2_wb: true,
            seq: 1,
            cache_policy: sel::CACHE_POLICY_BYPASS as u8,
            dst_sel: sel::EOP_DST_SEL_MEM as u8,
            int_sel: if f.interrupt {
                sel::INT_SEL_IRQ_AFTER_WR_CONFIRM
            } else {
                sel::INT_SEL_NONE
            } as u8,
            data_sel: if f.bits64 {
                sel::DATA_SEL_VALUE_64BIT
            } else {
                sel::DATA_SEL_VALUE_32BIT
            } as u8,
            addr: f.va,
            data: if f.bits64 {
                f.value
            } else {
                f.value & 0xFFFF_FFFF
            },
            int_ctxid: 0,
        };
        Ok(Patch {
            dw: self.cs.release_mem(r)?,
        })
    }

    /// End this IB with an INDIRECT_BUFFER chain to `va` (`size_dw` dwords); padded first so
    /// the chain packet ends on the IB alignment (radv `radv_amdgpu_cs_grow`). Nothing can be
    /// emitted afterwards.
    pub fn chain_to(&mut self, va: u64, size_dw: u32) -> Result<(), BuildError> {
        self.check_open()?;
        let a = self.opts.ib_align_dw.max(1);
        let chain_len = 4;
        self.cs.pad_to(a, (a + a - chain_len % a) % a);
        self.cs.indirect_buffer(va, size_dw, true)?;
        self.chained = true;
        Ok(())
    }

    /// Patch a dword of the IB in place.
    pub fn patch(&mut self, p: Patch, v: u32) -> Result<(), PatchError> {
        patch_dword(self.cs.as_mut_slice(), p, v)
    }

    /// Patch a 64-bit value (lo, hi) in place.
    pub fn patch64(&mut self, p: Patch, v: u64) -> Result<(), PatchError> {
        patch_qword(self.cs.as_mut_slice(), p, v)
    }

    /// Finish: pad to the IB alignment with NOPs (unless chained) and return the stream.
    pub fn finish(mut self) -> CmdStream {
        if !self.chained {
            self.cs.pad_to(self.opts.ib_align_dw, 0);
        }
        self.cs
    }
}

/// One IB running `descs` in order with a barrier between consecutive dispatches (each
/// depends on the previous), then `fence`.
pub fn build_chain(
    opts: RecipeOptions,
    descs: &[DispatchDesc],
    fence: Fence,
) -> Result<(CmdStream, Vec<DispatchPatches>), BuildError> {
    let mut ib = IbBuilder::with_capacity(opts, 24 + descs.len() * 56)?;
    let mut patches = Vec::with_capacity(descs.len());
    for (i, d) in descs.iter().enumerate() {
        if i > 0 {
            ib.barrier()?;
        }
        patches.push(ib.dispatch(d)?);
    }
    ib.fence(fence)?;
    Ok((ib.finish(), patches))
}

#[cfg(test)]
mod scratch_rsrc_tests {
    #[test]
    fn scratch_rsrc_matches_the_hand_built_v_sharp() {
        // The V# the simulator tests build by hand (sim/tests/exec_support).
        let va = 0x3_0000_0000u64;
        assert_eq!(
            super::scratch_rsrc(va, true),
            [0, 3 | 1 << 31, u32::MAX, 2 << 21 | 1 << 23]
        );
        assert_eq!(super::scratch_rsrc(va, false)[3], 3 << 21 | 1 << 23);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Packets;
    use crate::CmdStream;

    fn desc() -> DispatchDesc {
        DispatchDesc {
            pgm_va: 0x102_3456_7800,
            rsrc1: 0x0060_0041,
            rsrc2: regs::COMPUTE_PGM_RSRC2::USER_SGPR.set(2)
                | regs::COMPUTE_PGM_RSRC2::TGID_X_EN.set(1),
            rsrc3: 0,
            user_sgprs: vec![0x2000, 0x1],
            grid: [16, 1, 1],
            block: [64, 1, 1],
            wave32: true,
            lds_bytes: 0,
            scratch: None,
        }
    }

    #[test]
    fn regs_computed() {
        let o = RecipeOptions::default();
        let mut d = desc();
        d.lds_bytes = 1000;
        let r = d.regs(&o).unwrap();
        assert_eq!(r.pgm_lo, 0x0234_5678);
        assert_eq!(r.pgm_hi, 0x01);
        assert_eq!(regs::COMPUTE_PGM_RSRC2::LDS_SIZE.get(r.rsrc2), 2);
        assert_eq!(r.static_thread_mgmt, [0xFFFF_FFFF, 0xFFFF_FFFF, 0, 0]);
        assert_eq!(r.initiator.encode(), 0x8005);
        // gfx10.3 allocates LDS in 1 KiB: 1000 B -> 1024 -> 2 units; 1100 -> 2048 -> 4
        d.lds_bytes = 1100;
        assert_eq!(
            regs::COMPUTE_PGM_RSRC2::LDS_SIZE.get(d.regs(&o).unwrap().rsrc2),
            3
        );
        let o103 = RecipeOptions {
            gen: Gen::Gfx103,
            ..o
        };
        assert_eq!(
            regs::COMPUTE_PGM_RSRC2::LDS_SIZE.get(d.regs(&o103).unwrap().rsrc2),
            4
        );
        d.scratch = Some(ScratchSetup {
            bytes_per_wave: 64 * 20,
            waves: 320,
        });
        let r = d.regs(&o).unwrap();
        assert_eq!(r.tmpring_size, 320 | (2 << 12));
        assert_eq!(regs::COMPUTE_PGM_RSRC2::SCRATCH_EN.get(r.rsrc2), 1);
    }

    #[test]
    fn bad_descs_are_errors() {
        let o = RecipeOptions::default();
        let cases: &[fn(&mut DispatchDesc)] = &[
            |d| d.pgm_va = 0x1001,
            |d| d.user_sgprs.push(0),
            |d| d.block = [1025, 1, 1],
            |d| d.block = [0, 1, 1],
            |d| d.grid = [1, 0, 1],
            |d| d.lds_bytes = 65537,
            |d| d.rsrc2 |= 1,
            |d| {
                d.scratch = Some(ScratchSetup {
                    bytes_per_wave: 1,
                    waves: 5000,
                })
            },
        ];
        for (i, f) in cases.iter().enumerate() {
            let mut d = desc();
            f(&mut d);
            assert!(
                matches!(d.regs(&o), Err(BuildError::Dispatch(_))),
                "case {i}"
            );
        }
    }

    #[test]
    fn ib_decodes_and_patches() {
        let mut ib = IbBuilder::new(RecipeOptions::default()).unwrap();
        let tok = ib.write_data_mem(0x8000, &[7]).unwrap();
        let p = ib.dispatch(&desc()).unwrap();
        ib.barrier().unwrap();
        ib.dispatch(&desc()).unwrap();
        let f = ib
            .fence(Fence {
                va: 0x9000,
                value: 1,
                bits64: false,
                interrupt: false,
            })
            .unwrap();
        ib.patch(tok, 42).unwrap();
        ib.patch(p.user_sgpr(1).unwrap(), 0xAB).unwrap();
        assert!(p.user_sgpr(2).is_none());
        ib.patch64(f, 0x1_0000_0005).unwrap();
        assert!(ib.patch(Patch { dw: 1 << 20 }, 0).is_err());
        let cs = ib.finish();
        let d = cs.as_slice();
        assert_eq!(d.len() % 8, 0);
        assert_eq!(d[tok.dw], 42);
        assert_eq!(d[p.user_data0.unwrap().dw + 1], 0xAB);
        assert_eq!(d[f.dw], 5);
        let names: Vec<String> = Packets::new(d).map(|r| r.unwrap().name()).collect();
        assert_eq!(
            names
                .iter()
                .filter(|n| n.as_str() == "DISPATCH_DIRECT")
                .count(),
            2,
            "{names:?}"
        );
        assert!(names.contains(&"EVENT_WRITE".to_string()));
        assert_eq!(names.last().unwrap(), "NOP");
    }

    #[test]
    fn user_sgpr_layout() {
        let v = UserSgprValues {
            private_segment_buffer: [1, 2, 3, 4],
            kernarg_ptr: 0x7FFF_0020_0000,
            dispatch_ptr: 0x10_0000_0040,
            ..Default::default()
        };
        // kernarg only (the common LLVM case: properties 0x8, USER_SGPR 2)
        assert_eq!(
            user_sgprs_from_properties(0x8, &v),
            vec![0x0020_0000, 0x7FFF]
        );
        // private segment buffer + dispatch ptr + kernarg ptr, wave32 bit ignored
        assert_eq!(
            user_sgprs_from_properties(0x1 | 0x2 | 0x8 | PROPERTY_WAVEFRONT_SIZE32, &v),
            vec![1, 2, 3, 4, 0x40, 0x10, 0x0020_0000, 0x7FFF]
        );
        let total: usize = USER_SGPR_ORDER.iter().map(|(_, _, n)| n).sum();
        assert_eq!(user_sgprs_from_properties(0x7F, &v).len(), total);
    }

    #[test]
    fn barrier_constant_matches_builders() {
        let mut cs = CmdStream::new();
        cs.cs_partial_flush();
        cs.acquire_mem(AcquireMem::full_range(GCR_BARRIER));
        assert_eq!(cs.as_slice(), &BARRIER_PACKETS);
    }

    #[test]
    fn fast_path_matches_wreg_path() {
        // The hand-laid-out dispatch equals the same registers written through `wregs`.
        let d = desc();
        let o = RecipeOptions::default();
        let r = d.regs(&o).unwrap();
        let mut ib = IbBuilder::new(o).unwrap();
        let start = ib.as_slice().len();
        ib.dispatch(&d).unwrap();
        let fast = ib.as_slice()[start..].to_vec();
        let s = r.static_thread_mgmt;
        let mut pairs = vec![
            (regs::COMPUTE_PGM_LO, r.pgm_lo),
            (regs::COMPUTE_PGM_HI, r.pgm_hi),
        ];
        let mut cs = CmdStream::new();
        cs.wregs(&pairs, None).unwrap();
        pairs.clear();
        cs.wreg(regs::COMPUTE_PGM_RSRC1, &[r.rsrc1, r.rsrc2])
            .unwrap();
        cs.wreg(regs::COMPUTE_PGM_RSRC3, &[r.rsrc3]).unwrap();
        cs.wreg(
            regs::COMPUTE_RESOURCE_LIMITS,
            &[r.resource_limits, s[0], s[1], r.tmpring_size, s[2], s[3]],
        )
        .unwrap();
        cs.wreg(regs::COMPUTE_USER_DATA_0, &d.user_sgprs).unwrap();
        cs.wreg(regs::COMPUTE_START_X, &[0, 0, 0, 64, 1, 1])
            .unwrap();
        cs.dispatch_direct(d.grid, r.initiator);
        assert_eq!(fast, cs.as_slice());
    }

    #[test]
    fn gfx11_regs_from_gen_data() {
        let o = RecipeOptions {
            num_se: 6,
            scratch_base_va: Some(0x7F_1234_5600),
            ..RecipeOptions::for_gen(Gen::Gfx11)
        };
        assert_eq!(o.coher_start_delay, None);
        assert_eq!(o.dispatch_interleave, Some(64));
        let mut d = desc();
        d.scratch = Some(ScratchSetup {
            bytes_per_wave: 64 * 20, // 1280 B: 5 units of 256 B (2 units of 1 KiB on gfx10)
            waves: 6 * 320,
        });
        let r = d.regs(&o).unwrap();
        // WAVES per SE (1920 / 6), WAVESIZE in 256 B units.
        assert_eq!(r.tmpring_size, 320 | (5 << 12));
        assert_eq!(r.scratch_base, Some([0x7F12_3456, 0x00]));
        assert_eq!(r.static_thread_mgmt, [u32::MAX; 4]);
        // The largest gfx11 WAVESIZE (15 bits × 256 B = 8,388,352 B) fits on gfx11 only:
        // gfx10 would need 8192 KiB units, one more than its 13-bit field holds.
        d.scratch = Some(ScratchSetup {
            bytes_per_wave: 0x7FFF * 256,
            waves: 6,
        });
        assert_eq!(
            regs::COMPUTE_TMPRING_SIZE_GFX11::WAVESIZE.get(d.regs(&o).unwrap().tmpring_size),
            0x7FFF
        );
        assert!(d.regs(&RecipeOptions::default()).is_err());
        // Scratch without a base VA, and gfx10 with gfx11-only options, are errors.
        let no_base = RecipeOptions {
            scratch_base_va: None,
            ..o
        };
        assert!(matches!(d.regs(&no_base), Err(BuildError::Dispatch(_))));
        for bad in [
            RecipeOptions {
                scratch_base_va: Some(0x1000),
                ..RecipeOptions::default()
            },
            RecipeOptions {
                dispatch_interleave: Some(64),
                ..RecipeOptions::default()
            },
            RecipeOptions {
                coher_start_delay: Some(0x20),
                ..RecipeOptions::for_gen(Gen::Gfx11)
            },
            RecipeOptions {
                num_se: 5,
                ..RecipeOptions::default()
            },
        ] {
            assert!(IbBuilder::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(RecipeOptions::for_gen(Gen::Gfx10), RecipeOptions::default());
    }

    #[test]
    fn gfx11_ib_patches_point_past_scratch_base() {
        let o = RecipeOptions {
            scratch_base_va: Some(0x40_0000),
            ..RecipeOptions::for_gen(Gen::Gfx11)
        };
        let mut d = desc();
        d.scratch = Some(ScratchSetup {
            bytes_per_wave: 256,
            waves: 64,
        });
        let mut ib = IbBuilder::new(o).unwrap();
        let p = ib.dispatch(&d).unwrap();
        let dw = ib.as_slice();
        assert_eq!(dw[p.user_sgpr(0).unwrap().dw], 0x2000);
        assert_eq!(dw[p.grid.dw..p.grid.dw + 3], [16, 1, 1]);
        assert_eq!(dw[p.pgm_lo.dw], 0x0234_5678);
        // Frames cleanly, and the scratch-base packet equals the generic register writer's.
        assert!(Packets::new(dw).all(|r| r.is_ok()));
        let mut cs = CmdStream::new();
        cs.wreg(regs::COMPUTE_DISPATCH_SCRATCH_BASE_LO, &[0x4000, 0])
            .unwrap();
        assert!(dw.windows(4).any(|w| w == cs.as_slice()), "{dw:x?}");
    }

    #[test]
    fn chain_is_last_and_aligned() {
        let mut ib = IbBuilder::new(RecipeOptions::default()).unwrap();
        ib.dispatch(&desc()).unwrap();
        ib.chain_to(0x10_0000, 100).unwrap();
        assert_eq!(ib.dispatch(&desc()), Err(BuildError::AfterChain));
        let cs = ib.finish();
        assert_eq!(cs.len_dw() % 8, 0);
        let last = Packets::new(cs.as_slice()).last().unwrap().unwrap();
        assert_eq!(last.opcode, op::INDIRECT_BUFFER);
        assert_eq!(op::INDIRECT_BUFFER_DW3::CHAIN.get(last.body[2]), 1);
    }
}
