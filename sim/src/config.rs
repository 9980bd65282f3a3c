//! Simulator configuration: device size, budgets and fault injection.

use std::time::Duration;

use crate::exec::Budget;

/// How the simulated device is built and how it misbehaves on purpose.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// VRAM size in bytes (Navi 10 / RX 5700 XT: 8 GiB). Never allocated up
    /// front: backing pages appear on first touch.
    pub vram_size: u64,
    /// CPU-visible part of VRAM (256 MiB BAR without resizable BAR).
    pub vis_vram_size: u64,
    /// GTT size in bytes.
    pub gtt_size: u64,
    /// Limits of one dispatch (instructions / wall time); exceeding them is a
    /// hung job: fence error ETIME, context guilty, device reset.
    pub budget: Budget,
    /// How long a job blocked in WAIT_REG_MEM may wait before the scheduler's
    /// job timeout resets the GPU (the kernel's `lockup_timeout`).
    pub job_timeout: Duration,
    /// Maximum PM4 packets one job may execute (catches IB chain loops).
    pub max_packets: u64,
    /// Probe-test injection: make the next N CS ioctls fail with this errno.
    pub refuse_cs: Option<(amdgpu_kmd::Errno, u32)>,
    /// Probe-test injection: treat the next N jobs as hung (ETIME, guilty).
    pub inject_hangs: u32,
    /// Probe-test injection: the next N jobs fault at this VA before running.
    pub inject_fault: Option<(u64, u32)>,
    /// Flat wave index whose instruction trace the executor records.
    pub trace_wave: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            vram_size: 8 << 30,
            vis_vram_size: 256 << 20,
            gtt_size: 16 << 30,
            // amdgpu's default compute lockup_timeout is 60 s.
            budget: Budget {
                max_time: Some(Duration::from_secs(60)),
                ..Budget::default()
            },
            job_timeout: Duration::from_secs(10),
            max_packets: 100_000_000,
            refuse_cs: None,
            inject_hangs: 0,
            inject_fault: None,
            trace_wave: None,
        }
    }
}
