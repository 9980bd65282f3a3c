//! Tier 2 — compute init: a context is created, an IB of NOPs is submitted
//! on the compute ring, its fence signals and the context saw no reset.

use crate::gpu::run_ib;
use crate::{Metrics, ProbeResult, Target};
use amdgpu_kmd::Device;
use anyhow::Context;
use serde_json::json;

const TIER: u8 = 2;
/// Dwords of NOP padding in the probe IB (one aligned IB fetch).
const NOP_DWORDS: usize = 16;

fn body(dev: &Device) -> anyhow::Result<(String, Metrics)> {
    let mut m = Metrics::new();
    let ctx = dev.create_context(0).context("CTX alloc")?;
    m.insert("context_id".into(), json!(ctx.id()));
    let mut cs = pm4::CmdStream::with_capacity(NOP_DWORDS);
    cs.nop(NOP_DWORDS);
    let t = run_ib(&ctx, cs.as_slice(), &[])?;
    m.insert("nop_ib_dwords".into(), json!(NOP_DWORDS));
    m.insert("submit_to_fence_us".into(), json!(t.as_micros() as u64));
    let st = ctx.query_state2()?;
    m.insert("reset_flags".into(), json!(st.flags));
    Ok((
        format!("context {} created, {NOP_DWORDS}-dword NOP IB on the compute ring signalled its fence, no reset", ctx.id()),
        m,
    ))
}

/// Runs tier 2.
pub fn run(t: &Target) -> ProbeResult {
    ProbeResult::from_outcome(TIER, t.dev().and_then(body))
}
