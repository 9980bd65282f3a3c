//! probes: the validation ladder (tiers 0–6) as library functions, one per
//! tier, each returning a [`ProbeResult`]. The `tierN` binaries and the
//! `harness` binary are thin front ends over [`run_tier`].
//!
//! | tier | checks |
//! |---|---|
//! | 0 | amdgpu kernel module, its parameters and version, render nodes ([`tier0`]) |
//! | 1 | render node opens, DRM version, DEV_INFO, gfx target, firmware, VRAM/GTT ([`tier1`]) |
//! | 2 | context, NOP IB on the compute ring, fence, no reset ([`tier2`]) |
//! | 3 | VRAM/GTT BOs, VA map, CP DMA_DATA/WRITE_DATA copies, no leaks ([`tier3`]) |
//! | 4 | vector add, wave32 and wave64 ([`tier4`]) |
//! | 5 | tiled f32 matmul, Q8_0 and Q4_K GEMV vs CPU ([`tier5`]) |
//! | 6 | bandwidth and FMA FLOPS vs theoretical peaks ([`tier6`]) |

pub mod cli;
pub mod gpu;
pub mod kernels;
pub mod peak;
pub mod quant;
mod result;
pub mod target;
pub mod tier0;
pub mod tier1;
pub mod tier2;
pub mod tier3;
pub mod tier4;
pub mod tier5;
pub mod tier6;

pub use result::{Metrics, ProbeResult, Status};
pub use target::Target;

/// Names of the tiers, index = tier number.
pub const TIER_NAMES: [&str; 7] = [
    "kernel driver",
    "device seen",
    "compute init",
    "memory",
    "vector add",
    "matmul",
    "performance",
];

/// Runs tier `n` (0..=6) on `t`. Panics never: any error becomes a `fail`.
pub fn run_tier(n: u8, t: &Target) -> ProbeResult {
    let dmesg_before = t.sim.as_ref().map_or(0, |h| h.dmesg().len());
    let mut r = match n {
        0 => tier0::run(t),
        1 => tier1::run(t),
        2 => tier2::run(t),
        3 => tier3::run(t),
        4 => tier4::run(t),
        5 => tier5::run(t),
        6 => tier6::run(t),
        _ => ProbeResult::fail(n, format!("no tier {n} (tiers are 0..=6)")),
    };
    // What the (simulated) kernel logged during a failed tier: the VM fault
    // address, the hang — as `dmesg` would show on hardware.
    if let (Status::Fail, Some(h)) = (r.status, &t.sim) {
        let log: Vec<String> = h.dmesg().into_iter().skip(dmesg_before).collect();
        if !log.is_empty() {
            r.metrics.insert("sim_dmesg".into(), serde_json::json!(log));
        }
    }
    r
}
