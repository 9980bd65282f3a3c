//! What the command processor hands the executor for one dispatch: the
//! compute shader registers as they stand when DISPATCH_DIRECT arrives.

use std::time::Duration;

/// GPU generation the code was compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Target {
    /// Navi 10 (RX 5700 XT).
    #[default]
    Gfx1010,
    /// Navi 21.
    Gfx1030,
}

/// Register state of one compute dispatch (names as in Mesa sid.h / nvd.h).
#[derive(Debug, Clone, Default)]
pub struct DispatchState {
    /// Program start VA: (COMPUTE_PGM_HI << 32 | COMPUTE_PGM_LO) << 8.
    pub pgm_va: u64,
    /// COMPUTE_PGM_RSRC1 raw.
    pub rsrc1: u32,
    /// COMPUTE_PGM_RSRC2 raw.
    pub rsrc2: u32,
    /// COMPUTE_PGM_RSRC3 raw.
    pub rsrc3: u32,
    /// COMPUTE_USER_DATA_0..15.
    pub user_data: [u32; 16],
    /// COMPUTE_NUM_THREAD_X/Y/Z (workitems per workgroup).
    pub block: [u32; 3],
    /// Workgroup counts (DISPATCH_DIRECT DIM_X/Y/Z).
    pub grid: [u32; 3],
    /// DISPATCH_INITIATOR.CS_W32_EN.
    pub wave32: bool,
    /// COMPUTE_TMPRING_SIZE raw (WAVES 11:0, WAVESIZE 24:12 in 1 KiB units on gfx10).
    pub tmpring_size: u32,
    /// Scratch backing VA: wave slot `k` owns `[scratch_base + k*wavesize, +wavesize)`.
    pub scratch_base: u64,
    /// Code generation.
    pub target: Target,
    /// Record an instruction trace of this wave (flat wave index in dispatch order:
    /// workgroup-linear-id * waves_per_group + wave-in-group).
    pub trace_wave: Option<u64>,
}

/// Limits that turn a hung kernel into [`crate::exec::ExecError::Timeout`].
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Maximum instructions executed (all waves together).
    pub max_instructions: u64,
    /// Maximum wall time.
    pub max_time: Option<Duration>,
    /// Worker threads for the workgroups (None: `ROCLESS_SIM_THREADS` or the host's
    /// parallelism; 1: one thread, the sequential order). Results and counters do not
    /// depend on it for kernels without global atomics.
    pub workers: Option<usize>,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_instructions: 50_000_000_000,
            max_time: Some(Duration::from_secs(600)),
            workers: None,
        }
    }
}

/// Bit fields of COMPUTE_PGM_RSRC1/2 the executor uses (sid.h names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rsrc {
    /// VGPRS granule count.
    pub vgprs: u32,
    /// FLOAT_MODE (round 32, round 16/64, denorm 32, denorm 16/64; 2 bits each).
    pub float_mode: u32,
    /// SCRATCH_EN: a private segment wave offset SGPR follows the system SGPRs.
    pub scratch_en: bool,
    /// USER_SGPR count.
    pub user_sgpr: u32,
    /// TGID_X/Y/Z_EN.
    pub tgid_en: [bool; 3],
    /// TG_SIZE_EN.
    pub tg_size_en: bool,
    /// TIDIG_COMP_CNT: 0 → v0, 1 → v0,v1, 2 → v0..v2.
    pub tidig_comp_cnt: u32,
    /// LDS bytes (LDS_SIZE × 512).
    pub lds_bytes: u32,
}

/// Granularity of RSRC2.LDS_SIZE in bytes.
pub const LDS_SIZE_GRANULE: u32 = 512;

impl Rsrc {
    /// Decodes the fields from raw RSRC1/RSRC2.
    pub fn decode(rsrc1: u32, rsrc2: u32) -> Self {
        let bit = |v: u32, b: u32| (v >> b) & 1 != 0;
        Self {
            vgprs: rsrc1 & 0x3f,
            float_mode: (rsrc1 >> 12) & 0xff,
            scratch_en: bit(rsrc2, 0),
            user_sgpr: (rsrc2 >> 1) & 0x1f,
            tgid_en: [bit(rsrc2, 7), bit(rsrc2, 8), bit(rsrc2, 9)],
            tg_size_en: bit(rsrc2, 10),
            tidig_comp_cnt: (rsrc2 >> 11) & 3,
            lds_bytes: ((rsrc2 >> 15) & 0x1ff) * LDS_SIZE_GRANULE,
        }
    }
}

/// Bytes of scratch per wave from COMPUTE_TMPRING_SIZE.WAVESIZE (1 KiB units).
pub fn tmpring_wave_bytes(tmpring_size: u32) -> u64 {
    u64::from((tmpring_size >> 12) & 0x1fff) * 1024
}

/// Maximum concurrent scratch waves from COMPUTE_TMPRING_SIZE.WAVES.
pub fn tmpring_waves(tmpring_size: u32) -> u32 {
    tmpring_size & 0xfff
}

/// The LDS flat aperture `[SHARED_APERTURE_BASE, +4 GiB)` (SH_MEM_BASES.SHARED_BASE):
/// what the amdgpu kernel programs for render-node contexts (gmc_v10_0.c
/// `gmc_v10_0_early_init`), so code above the ioctl boundary uses the same value on the
/// simulator and on hardware.
pub const SHARED_APERTURE_BASE: u64 = amdgpu_kmd::chips::SHARED_APERTURE_BASE;
/// Base of the private (scratch) flat aperture.
pub const PRIVATE_APERTURE_BASE: u64 = amdgpu_kmd::chips::PRIVATE_APERTURE_BASE;
