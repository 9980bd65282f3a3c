//! Tier 6 — performance: read and copy bandwidth kernels and an FMA-loop
//! FLOPS kernel, against the theoretical peaks computed from INFO
//! ([`crate::peak::Peaks`]). Outputs are checked against the CPU first.
//!
//! On real hardware the figures are measured (CS ioctl to signalled fence,
//! best of [`REPEATS`]). On the simulator nothing is timed: the probe reports
//! the simulator's own counts (instructions, bytes moved) and what a roofline
//! model of the reported device predicts, every key prefixed `sim_` or
//! `model_` and the detail labelled "simulated" — never a measured GPU figure.

use crate::gpu::{buffer, f32_bytes, read_f32, Arg, Kernel};
use crate::peak::Peaks;
use crate::quant::Rng;
use crate::{kernels, Metrics, ProbeResult, Target};
use amdgpu_kmd::{Context as GpuContext, Device, Domains};
use anyhow::{anyhow, bail, Context};
use serde_json::json;
use sim::SimHandle;
use std::time::Duration;

const TIER: u8 = 6;
/// Timed repetitions on hardware (the best is kept).
pub const REPEATS: usize = 3;
/// FLOP per FMA-loop iteration per work-item (8 chains × 2).
pub const FLOP_PER_ITER: u64 = 16;
const BLOCK: u32 = 256;

/// Problem sizes: big on hardware, small on the simulator.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// float4 elements read / copied.
    pub vec4s: u32,
    /// Workgroups of the bandwidth kernels.
    pub bw_groups: u32,
    /// Workgroups of the FMA kernel.
    pub fma_groups: u32,
    /// FMA-loop iterations.
    pub fma_iters: u32,
}

impl Sizes {
    /// Sizes for hardware (256 MiB streams, ~10 TFLOP-scale FMA work).
    pub const HW: Sizes = Sizes {
        vec4s: 16 << 20,
        bw_groups: 2560,
        fma_groups: 2560,
        fma_iters: 4096,
    };
    /// Sizes for the simulator (seconds, not minutes).
    pub const SIM: Sizes = Sizes {
        vec4s: 16 << 10,
        bw_groups: 16,
        fma_groups: 4,
        fma_iters: 64,
    };
}

/// What one kernel did.
struct Run {
    best: Duration,
    /// Simulator counters of the last run: (instructions, bytes read, bytes written, waves).
    sim: Option<(u64, u64, u64, u64)>,
}

fn timed(
    k: &Kernel,
    ctx: &GpuContext,
    args: &[Arg<'_>],
    groups: u32,
    sim: Option<&SimHandle>,
) -> anyhow::Result<Run> {
    let reps = if sim.is_some() { 1 } else { REPEATS };
    let mut best = Duration::MAX;
    for _ in 0..reps {
        best = best.min(k.launch(ctx, args, [groups, 1, 1], [BLOCK, 1, 1])?);
    }
    let sim = match sim {
        Some(h) => {
            let job = h
                .last_job()
                .ok_or_else(|| anyhow!("simulator kept no job report"))?;
            let mut c = job
                .stats
                .dispatches
                .first()
                .cloned()
                .ok_or_else(|| anyhow!("simulator job report has no dispatch"))?;
            for d in &job.stats.dispatches[1..] {
                c.accumulate(d);
            }
            Some((
                c.total_instructions(),
                c.global_bytes_read,
                c.global_bytes_written,
                c.waves,
            ))
        }
        None => None,
    };
    Ok(Run { best, sim })
}

/// Records one kernel: measured rate on hardware, counts + roofline on the sim.
fn record(m: &mut Metrics, what: &str, r: &Run, bytes: f64, flops: f64, peaks: &Peaks) -> String {
    match r.sim {
        Some((inst, rd, wr, waves)) => {
            m.insert(format!("sim_{what}_instructions"), json!(inst));
            m.insert(format!("sim_{what}_bytes_read"), json!(rd));
            m.insert(format!("sim_{what}_bytes_written"), json!(wr));
            m.insert(format!("sim_{what}_waves"), json!(waves));
            // The roofline uses the simulator's own byte count (what the
            // kernel really moved), and the FLOP count of the algorithm.
            let moved = (rd + wr) as f64;
            let _ = bytes;
            let t = peaks.roofline_seconds(moved, flops);
            m.insert(format!("model_{what}_seconds"), json!(t));
            if flops > 0.0 {
                let ai = if moved > 0.0 {
                    flops / moved
                } else {
                    f64::INFINITY
                };
                let attainable = (ai * peaks.bandwidth_gbs).min(peaks.fp32_gflops);
                m.insert(format!("model_{what}_arithmetic_intensity"), json!(ai));
                m.insert(format!("model_{what}_attainable_gflops"), json!(attainable));
            }
            format!(
                "{what}: {inst} instructions, {} bytes moved (simulated), roofline model {t:.3e} s",
                rd + wr
            )
        }
        None => {
            let s = r.best.as_secs_f64().max(1e-9);
            m.insert(format!("{what}_seconds"), json!(s));
            if flops > 0.0 {
                let g = flops / s / 1e9;
                m.insert(format!("{what}_gflops"), json!(g));
                m.insert(
                    format!("{what}_fraction_of_peak"),
                    json!(g / peaks.fp32_gflops),
                );
                format!(
                    "{what}: {g:.0} GFLOP/s measured ({:.0}% of {:.0})",
                    100.0 * g / peaks.fp32_gflops,
                    peaks.fp32_gflops
                )
            } else {
                let g = bytes / s / 1e9;
                m.insert(format!("{what}_gbs"), json!(g));
                m.insert(
                    format!("{what}_fraction_of_peak"),
                    json!(g / peaks.bandwidth_gbs),
                );
                format!(
                    "{what}: {g:.1} GB/s measured ({:.0}% of {:.0})",
                    100.0 * g / peaks.bandwidth_gbs,
                    peaks.bandwidth_gbs
                )
            }
        }
    }
}

/// CPU model of `fma_loop` for work-item `i` (same f32 FMA sequence).
pub fn fma_loop_ref(i: u32, iters: u32, a: f32, b: f32) -> f32 {
    let mut x: [f32; 8] = std::array::from_fn(|j| i as f32 + j as f32);
    for _ in 0..iters {
        for v in &mut x {
            *v = v.mul_add(a, b);
        }
    }
    ((x[0] + x[1]) + (x[2] + x[3])) + ((x[4] + x[5]) + (x[6] + x[7]))
}

fn body(dev: &Device, sim: Option<&SimHandle>) -> anyhow::Result<(String, Metrics)> {
    let sz = if sim.is_some() { Sizes::SIM } else { Sizes::HW };
    let peaks = Peaks::from_dev_info(dev.dev_info());
    let mut m = Metrics::new();
    m.insert("measured".into(), json!(sim.is_none()));
    m.insert("peak_bandwidth_gbs".into(), json!(peaks.bandwidth_gbs));
    m.insert("peak_fp32_gflops".into(), json!(peaks.fp32_gflops));
    m.insert("peak_inputs".into(), json!(peaks));
    let ctx = dev.create_context(0).context("CTX alloc")?;
    let n = sz.vec4s as usize * 4;
    let mut rng = Rng::new(6);
    let data: Vec<f32> = (0..n).map(|_| rng.unit()).collect();
    let src = buffer(dev, (n * 4) as u64, Domains::VRAM)?;
    src.write(0, &f32_bytes(&data))?;
    let bwk = Kernel::load(dev, kernels::BANDWIDTH, "read_sum")?;
    let threads = (sz.bw_groups * BLOCK) as usize;
    let partial = buffer(dev, (threads * 4) as u64, Domains::GTT)?;
    let r = timed(
        &bwk,
        &ctx,
        &[Arg::Buf(&src), Arg::Buf(&partial), Arg::U32(sz.vec4s)],
        sz.bw_groups,
        sim,
    )?;
    // Check read_sum: the grand total of the partial sums.
    let got: f64 = read_f32(&partial, threads)?
        .iter()
        .map(|&x| f64::from(x))
        .sum();
    let want: f64 = data.iter().map(|&x| f64::from(x)).sum();
    if (got - want).abs() > 1e-3 * (n as f64).sqrt() {
        bail!("read_sum: partial sums total {got} but the data sums to {want}");
    }
    let mut lines = vec![record(&mut m, "read", &r, (n * 4) as f64, 0.0, &peaks)];
    let copyk = Kernel::load(dev, kernels::BANDWIDTH, "copy")?;
    let dst = buffer(dev, (n * 4) as u64, Domains::VRAM)?;
    let r = timed(
        &copyk,
        &ctx,
        &[Arg::Buf(&src), Arg::Buf(&dst), Arg::U32(sz.vec4s)],
        sz.bw_groups,
        sim,
    )?;
    if read_f32(&dst, n)? != data {
        bail!("copy: destination differs from the source");
    }
    lines.push(record(&mut m, "copy", &r, (2 * n * 4) as f64, 0.0, &peaks));
    let fk = Kernel::load(dev, kernels::FLOPS, "fma_loop")?;
    let items = (sz.fma_groups * BLOCK) as usize;
    let out = buffer(dev, (items * 4) as u64, Domains::GTT)?;
    let (a, b) = (0.999_f32, 0.001_f32);
    let r = timed(
        &fk,
        &ctx,
        &[
            Arg::Buf(&out),
            Arg::U32(sz.fma_iters),
            Arg::F32(a),
            Arg::F32(b),
        ],
        sz.fma_groups,
        sim,
    )?;
    let res = read_f32(&out, items)?;
    for i in [0, items / 2, items - 1] {
        let want = fma_loop_ref(i as u32, sz.fma_iters, a, b);
        if res[i] != want {
            bail!(
                "fma_loop: work-item {i} = {} but the CPU FMA chain gives {want}",
                res[i]
            );
        }
    }
    let flops = items as f64 * f64::from(sz.fma_iters) * FLOP_PER_ITER as f64;
    m.insert("fma_flop".into(), json!(flops));
    lines.push(record(&mut m, "fma", &r, (items * 4) as f64, flops, &peaks));
    let prefix = if sim.is_some() {
        format!(
            "simulated (not a GPU measurement): peaks from INFO {:.0} GB/s, {:.0} GFLOP/s; ",
            peaks.bandwidth_gbs, peaks.fp32_gflops
        )
    } else {
        String::new()
    };
    Ok((format!("{prefix}{}", lines.join("; ")), m))
}

/// Runs tier 6.
pub fn run(t: &Target) -> ProbeResult {
    ProbeResult::from_outcome(TIER, t.dev().and_then(|d| body(d, t.sim.as_ref())))
}
