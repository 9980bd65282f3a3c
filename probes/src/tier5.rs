//! Tier 5 — matmul: a 16×16-tiled f32 matmul and quantized GEMVs (Q8_0,
//! Q4_K in ggml's block layouts) agree with CPU references.

use crate::gpu::{buffer, f32_bytes, max_rel_err, read_f32, upload, Arg, Kernel};
use crate::quant::{self, Rng};
use crate::{kernels, Metrics, ProbeResult, Target};
use amdgpu_kmd::{Context as GpuContext, Device, Domains};
use anyhow::{bail, Context};
use serde_json::json;

const TIER: u8 = 5;
/// Matmul shape (M, N, K): not multiples of the tile, to exercise edges.
pub const MNK: (usize, usize, usize) = (40, 36, 48);
/// GEMV shape (rows, cols): cols a multiple of 256 for Q4_K.
pub const GEMV: (usize, usize) = (64, 512);
/// Tolerated relative error vs the f64-accumulated CPU reference.
pub const TOL: f32 = 1e-4;

fn check(what: &str, got: &[f32], want: &[f32], m: &mut Metrics) -> anyhow::Result<()> {
    let e = max_rel_err(got, want);
    m.insert(format!("{what}_max_rel_err"), json!(e));
    if e.is_nan() || e > TOL {
        let i = got
            .iter()
            .zip(want)
            .position(|(g, w)| (g - w).abs() / w.abs().max(1.0) > TOL || g.is_nan())
            .unwrap_or(0);
        bail!(
            "{what}: element {i} = {} but CPU says {} (max rel err {e:e} > {TOL:e})",
            got[i],
            want[i]
        );
    }
    Ok(())
}

fn matmul(dev: &Device, ctx: &GpuContext, m: &mut Metrics) -> anyhow::Result<()> {
    let (mm, nn, kk) = MNK;
    let mut rng = Rng::new(5);
    let a: Vec<f32> = (0..mm * kk).map(|_| rng.unit()).collect();
    let b: Vec<f32> = (0..kk * nn).map(|_| rng.unit()).collect();
    let (ba, bb) = (upload(dev, &f32_bytes(&a))?, upload(dev, &f32_bytes(&b))?);
    let bc = buffer(dev, (mm * nn * 4) as u64, Domains::VRAM)?;
    let k = Kernel::load(dev, kernels::MATMUL, "matmul")?;
    let grid = [(nn as u32).div_ceil(16), (mm as u32).div_ceil(16), 1];
    k.launch(
        ctx,
        &[
            Arg::Buf(&ba),
            Arg::Buf(&bb),
            Arg::Buf(&bc),
            Arg::U32(mm as u32),
            Arg::U32(nn as u32),
            Arg::U32(kk as u32),
        ],
        grid,
        [16, 16, 1],
    )?;
    check(
        "matmul",
        &read_f32(&bc, mm * nn)?,
        &quant::matmul(&a, &b, mm, nn, kk),
        m,
    )
}

fn gemv(dev: &Device, ctx: &GpuContext, q4k: bool, m: &mut Metrics) -> anyhow::Result<()> {
    let (rows, cols) = GEMV;
    let mut rng = Rng::new(if q4k { 0x4B } else { 0x80 });
    let (w, hsaco, name) = if q4k {
        (
            quant::random_q4_k(&mut rng, rows, cols),
            kernels::GEMV_Q4_K,
            "gemv_q4_k",
        )
    } else {
        (
            quant::random_q8_0(&mut rng, rows, cols),
            kernels::GEMV_Q8_0,
            "gemv_q8_0",
        )
    };
    let x: Vec<f32> = (0..cols).map(|_| rng.unit()).collect();
    let want = if q4k {
        quant::gemv_q4_k(&w, &x, rows, cols)
    } else {
        quant::gemv_q8_0(&w, &x, rows, cols)
    };
    let (bw, bx) = (upload(dev, &w)?, upload(dev, &f32_bytes(&x))?);
    let by = buffer(dev, (rows * 4) as u64, Domains::VRAM)?;
    let k = Kernel::load(dev, hsaco, name)?;
    k.launch(
        ctx,
        &[
            Arg::Buf(&bw),
            Arg::Buf(&bx),
            Arg::Buf(&by),
            Arg::U32(rows as u32),
            Arg::U32(cols as u32),
        ],
        [(rows as u32).div_ceil(64), 1, 1],
        [64, 1, 1],
    )?;
    check(name, &read_f32(&by, rows)?, &want, m)
}

fn body(dev: &Device) -> anyhow::Result<(String, Metrics)> {
    let mut m = Metrics::new();
    let ctx = dev.create_context(0).context("CTX alloc")?;
    matmul(dev, &ctx, &mut m)?;
    gemv(dev, &ctx, false, &mut m)?;
    gemv(dev, &ctx, true, &mut m)?;
    let (mm, nn, kk) = MNK;
    let (r, c) = GEMV;
    Ok((
        format!(
            "matmul {mm}x{nn}x{kk}, Q8_0 and Q4_K GEMV {r}x{c} match the CPU (rel err <= {TOL:e})"
        ),
        m,
    ))
}

/// Runs tier 5.
pub fn run(t: &Target) -> ProbeResult {
    ProbeResult::from_outcome(TIER, t.dev().and_then(body))
}
