//! Tier 4 — a vector-add kernel is correct in wave32 and wave64.

use crate::gpu::{buffer, f32_bytes, read_f32, upload, Arg, Kernel};
use crate::quant::Rng;
use crate::{kernels, Metrics, ProbeResult, Target};
use amdgpu_kmd::{Device, Domains};
use anyhow::{bail, Context};
use serde_json::json;

const TIER: u8 = 4;
/// Elements (not a multiple of the block, so the bounds check is exercised).
pub const N: usize = 3000;
const BLOCK: u32 = 256;

fn one(dev: &Device, hsaco: &[u8], wave: u32, m: &mut Metrics) -> anyhow::Result<()> {
    let ctx = dev.create_context(0).context("CTX alloc")?;
    let k = Kernel::load(dev, hsaco, "vadd")?;
    if k.wave_size() != wave {
        bail!("vadd_w{wave}.hsaco is wave{}", k.wave_size());
    }
    let mut rng = Rng::new(4 + wave);
    let a: Vec<f32> = (0..N).map(|_| rng.unit()).collect();
    let b: Vec<f32> = (0..N).map(|_| rng.unit()).collect();
    let (ba, bb) = (upload(dev, &f32_bytes(&a))?, upload(dev, &f32_bytes(&b))?);
    // One guard element past the end must stay untouched.
    let bc = buffer(dev, ((N + 1) * 4) as u64, Domains::VRAM)?;
    bc.write(0, &f32_bytes(&vec![-7.0; N + 1]))?;
    let grid = (N as u32).div_ceil(BLOCK);
    let t = k.launch(
        &ctx,
        &[
            Arg::Buf(&ba),
            Arg::Buf(&bb),
            Arg::Buf(&bc),
            Arg::U32(N as u32),
        ],
        [grid, 1, 1],
        [BLOCK, 1, 1],
    )?;
    let c = read_f32(&bc, N + 1)?;
    for i in 0..N {
        if c[i] != a[i] + b[i] {
            bail!("wave{wave}: c[{i}] = {} but a+b = {}", c[i], a[i] + b[i]);
        }
    }
    if c[N] != -7.0 {
        bail!(
            "wave{wave}: element {N} past the end was overwritten ({})",
            c[N]
        );
    }
    m.insert(
        format!("wave{wave}_submit_to_fence_us"),
        json!(t.as_micros() as u64),
    );
    Ok(())
}

fn body(dev: &Device) -> anyhow::Result<(String, Metrics)> {
    let mut m = Metrics::new();
    m.insert("elements".into(), json!(N));
    one(dev, kernels::VADD_W32, 32, &mut m)?;
    one(dev, kernels::VADD_W64, 64, &mut m)?;
    Ok((format!("vadd of {N} f32 bit-exact in wave32 and wave64"), m))
}

/// Runs tier 4.
pub fn run(t: &Target) -> ProbeResult {
    ProbeResult::from_outcome(TIER, t.dev().and_then(body))
}
