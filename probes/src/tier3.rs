//! Tier 3 — memory: VRAM and GTT BOs, VA-mapped; a CPU-written pattern is
//! copied GTT → VRAM → GTT by the CP (DMA_DATA), WRITE_DATA stores a marker, and
//! a copy kernel (the shader path: global loads/stores) copies GTT → VRAM → GTT
//! again; everything reads back equal; BOs are unmapped and freed and the VRAM /
//! GTT usage returns to its start value.

use crate::gpu::{buffer, run_ib, va, Arg, Kernel};
use crate::{Metrics, ProbeResult, Target};
use amdgpu_kmd::{Device, Domains};
use anyhow::{bail, Context};
use pm4::builder::{DmaData, WriteData};
use pm4::op::sel;
use serde_json::json;

const TIER: u8 = 3;
/// Bytes copied (several pages, so a page-table slip shows).
pub const COPY_BYTES: usize = 64 << 10;
/// Marker WRITE_DATA stores at the end of the destination.
pub const MARKER: [u32; 4] = [0xC0FF_EE00, 0x1234_5678, 0x9ABC_DEF0, 0x0BAD_F00D];

/// The CPU pattern: a xorshift sequence so every dword differs.
pub fn pattern(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9;
    (0..len / 4)
        .flat_map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()
        })
        .collect()
}

fn dma(src: u64, dst: u64, bytes: u32) -> DmaData {
    DmaData {
        src_sel: sel::DMA_SRC_ADDR_TC_L2 as u8,
        dst_sel: sel::DMA_DST_ADDR_TC_L2 as u8,
        cp_sync: true,
        engine_sel: 0,
        src,
        dst,
        byte_count: bytes,
        raw_wait: true,
        dis_wc: false,
    }
}

fn usage(dev: &Device) -> anyhow::Result<(u64, u64)> {
    let i = dev.info();
    Ok((i.vram_usage()?, i.gtt_usage()?))
}

fn body(dev: &Device) -> anyhow::Result<(String, Metrics)> {
    let mut m = Metrics::new();
    let ctx = dev.create_context(0).context("CTX alloc")?;
    let before = usage(dev)?;
    m.insert("vram_usage_start".into(), json!(before.0));
    m.insert("gtt_usage_start".into(), json!(before.1));
    {
        let src = buffer(dev, COPY_BYTES as u64, Domains::GTT)?;
        let mid = buffer(dev, COPY_BYTES as u64, Domains::VRAM)?;
        let dst = buffer(dev, (COPY_BYTES + 16) as u64, Domains::GTT)?;
        let pat = pattern(COPY_BYTES);
        src.write(0, &pat)?;
        let mut cs = pm4::CmdStream::with_capacity(64);
        cs.dma_data(dma(va(&src)?, va(&mid)?, COPY_BYTES as u32))?;
        cs.dma_data(dma(va(&mid)?, va(&dst)?, COPY_BYTES as u32))?;
        cs.write_data(
            WriteData {
                dst_sel: sel::WRITE_DATA_DST_MEM as u8,
                addr: va(&dst)? + COPY_BYTES as u64,
                wr_one_addr: false,
                wr_confirm: true,
                cache_policy: 0,
                engine_sel: 0,
            },
            &MARKER,
        )?;
        cs.pad_to(8, 0);
        let t = run_ib(&ctx, cs.as_slice(), &[&src, &mid, &dst])?;
        m.insert("copy_bytes".into(), json!(COPY_BYTES));
        m.insert("submit_to_fence_us".into(), json!(t.as_micros() as u64));
        m.insert("vram_va".into(), json!(format!("{:#x}", va(&mid)?)));
        m.insert("gtt_va".into(), json!(format!("{:#x}", va(&src)?)));
        let got_mid = mid.read_vec(0, COPY_BYTES)?;
        if let Some(i) = first_diff(&got_mid, &pat) {
            bail!(
                "DMA_DATA GTT→VRAM: byte {i} differs (VRAM {:#04x}, pattern {:#04x})",
                got_mid[i],
                pat[i]
            );
        }
        let got = dst.read_vec(0, COPY_BYTES + 16)?;
        if let Some(i) = first_diff(&got[..COPY_BYTES], &pat) {
            bail!(
                "DMA_DATA VRAM→GTT: byte {i} differs (got {:#04x}, pattern {:#04x})",
                got[i],
                pat[i]
            );
        }
        let marker: Vec<u8> = MARKER.iter().flat_map(|d| d.to_le_bytes()).collect();
        if got[COPY_BYTES..] != marker[..] {
            bail!(
                "WRITE_DATA marker reads back {:02x?}, expected {:02x?}",
                &got[COPY_BYTES..],
                marker
            );
        }
        // The shader path: the `copy` kernel (float4 grid-stride loop) GTT → VRAM → GTT.
        let k = Kernel::load(dev, crate::kernels::BANDWIDTH, "copy")?;
        let kmid = buffer(dev, COPY_BYTES as u64, Domains::VRAM)?;
        let kdst = buffer(dev, COPY_BYTES as u64, Domains::GTT)?;
        let vec4s = (COPY_BYTES / 16) as u32;
        let block = 64;
        let groups = vec4s.div_ceil(block * 4);
        let mut kernel_us = 0;
        for (from, to) in [(&src, &kmid), (&kmid, &kdst)] {
            let t = k
                .launch(
                    &ctx,
                    &[Arg::Buf(from), Arg::Buf(to), Arg::U32(vec4s)],
                    [groups, 1, 1],
                    [block, 1, 1],
                )
                .context("copy kernel")?;
            kernel_us += t.as_micros() as u64;
        }
        for (what, bo) in [("GTT→VRAM", &kmid), ("VRAM→GTT", &kdst)] {
            let got = bo.read_vec(0, COPY_BYTES)?;
            if let Some(i) = first_diff(&got, &pat) {
                bail!(
                    "copy kernel {what}: byte {i} differs (got {:#04x}, pattern {:#04x})",
                    got[i],
                    pat[i]
                );
            }
        }
        m.insert("copy_kernel_submit_to_fence_us".into(), json!(kernel_us));
        m.insert("copy_kernel_groups".into(), json!(groups));
        for bo in [&src, &mid, &dst, &kmid, &kdst] {
            bo.unmap_gpu().context("GEM_VA unmap")?;
        }
        drop(k);
    } // BOs closed here
    drop(ctx);
    let after = usage(dev)?;
    m.insert("vram_usage_end".into(), json!(after.0));
    m.insert("gtt_usage_end".into(), json!(after.1));
    if after != before {
        bail!(
            "leak: VRAM usage {} → {} bytes, GTT usage {} → {} bytes after freeing every BO",
            before.0,
            after.0,
            before.1,
            after.1
        );
    }
    Ok((
        format!("{} KiB GTT→VRAM→GTT by CP DMA_DATA, a WRITE_DATA marker, and GTT→VRAM→GTT by a copy kernel read back equal; BOs unmapped and freed, usage back to start", COPY_BYTES >> 10),
        m,
    ))
}

fn first_diff(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y)
}

/// Runs tier 3.
pub fn run(t: &Target) -> ProbeResult {
    ProbeResult::from_outcome(TIER, t.dev().and_then(body))
}
