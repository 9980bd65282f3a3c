//! `--device` for the model commands: the CPU engine, or the GPU path (`engine::gpu`) on a
//! real amdgpu device or the simulator. The prompt always runs through the CPU engine's
//! batched prefill (the device has no batched prefill kernels yet) and its KV rows are
//! copied to the device; every generated token is one device submission.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use engine::generate::GenStats;
use engine::gpu::{GpuModel, Prompt, Runtime, TokenStats};
use engine::model::{KvCache, Model};
use engine::sample::{Sampler, SamplerConfig};

/// Where the model runs.
pub enum Backend {
    /// The CPU engine.
    Cpu,
    /// A device (real or simulated) with the kernels loaded.
    Gpu(Box<Runtime>),
}

impl Backend {
    /// Opens `spec`: `cpu`, `auto` (the first discrete AMD GPU, else the simulator — said
    /// on stderr), `sim`, or a render-node path.
    pub fn open(spec: &str) -> Result<Backend> {
        if spec == "cpu" {
            return Ok(Backend::Cpu);
        }
        let opened = sim::open_device(spec).with_context(|| format!("--device {spec}"))?;
        if let Some(n) = opened.notice() {
            eprintln!("{n}");
        }
        let rt = Runtime::new(opened).with_context(|| format!("--device {spec}"))?;
        Ok(Backend::Gpu(Box::new(rt)))
    }

    /// The runtime, if a device.
    pub fn runtime(&self) -> Option<&Runtime> {
        match self {
            Backend::Cpu => None,
            Backend::Gpu(rt) => Some(rt),
        }
    }

    /// Uploads `model` with a `n_ctx`-position KV cache when on a device.
    pub fn load<'b>(&'b self, model: &Model<'_>, n_ctx: usize) -> Result<Option<GpuModel<'b>>> {
        self.runtime()
            .map(|rt| upload(rt, model, n_ctx))
            .transpose()
    }
}

/// How the CLI names a runtime's device: `sim (gfx1010)` or `/dev/dri/renderD128 (gfx1010)`.
pub fn describe(rt: &Runtime) -> String {
    let target = rt.target().name();
    if rt.sim().is_some() {
        format!("sim ({target}, simulated)")
    } else {
        format!("{} ({target})", rt.device().node())
    }
}

/// The device for JSON output: `cpu`, `sim` or the render-node path, and the gfx target.
pub fn json_device(rt: Option<&Runtime>) -> (String, Option<&'static str>) {
    match rt {
        None => ("cpu".into(), None),
        Some(rt) if rt.sim().is_some() => ("sim".into(), Some(rt.target().name())),
        Some(rt) => (rt.device().node(), Some(rt.target().name())),
    }
}

/// Uploads `model` to the device with a progress bar on stderr.
pub fn upload<'rt>(rt: &'rt Runtime, model: &Model<'_>, n_ctx: usize) -> Result<GpuModel<'rt>> {
    let pb = indicatif::ProgressBar::new(0);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .expect("static template")
            .progress_chars("=> "),
    );
    pb.set_message(format!("uploading weights to {}", describe(rt)));
    let gm = GpuModel::new(rt, model, n_ctx, |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })
    .context("uploading the model to the device")?;
    pb.finish_and_clear();
    Ok(gm)
}

/// Generates up to `n` tokens after `ids`, of which `cache` already holds the first
/// `cache.len()`. On the CPU: `engine::generate::generate`. On a device: the remaining prompt
/// tokens are prefilled by the CPU engine, then decoded on the device; `cache` then holds
/// the prompt only (see [`sync_reply`]). Returns the statistics and the per-token device
/// reports (empty on the CPU).
#[allow(clippy::too_many_arguments)]
pub fn generate(
    model: &Model<'_>,
    gpu: Option<&mut GpuModel<'_>>,
    cache: &mut KvCache,
    ids: &[u32],
    n: usize,
    sampler: &mut Sampler,
    cfg: &SamplerConfig,
    is_eog: impl Fn(u32) -> bool,
    on_token: impl FnMut(u32) -> Result<bool>,
) -> Result<(GenStats, Vec<TokenStats>)> {
    let new = &ids[cache.len().min(ids.len())..];
    let Some(gm) = gpu else {
        let s = engine::generate::generate(model, cache, new, n, sampler, is_eog, on_token)?;
        return Ok((s, Vec::new()));
    };
    anyhow::ensure!(!new.is_empty(), "empty prompt");
    let t0 = Instant::now();
    let logits = engine::generate::prefill(model, cache, new)?;
    let cpu_prefill = t0.elapsed().as_secs_f64();
    let mut steps = Vec::new();
    let prompt = Prompt::Prefilled {
        tokens: ids,
        cache,
        logits: &logits,
    };
    let mut s = gm.generate(prompt, n, cfg, is_eog, on_token, &mut steps)?;
    s.prompt_tokens = new.len();
    s.prompt_secs += cpu_prefill;
    s.ttft_secs += cpu_prefill;
    Ok((s, steps))
}

/// After a device generation, feeds the reply (all but its last token, which was never
/// fed) through the CPU engine so `cache` holds the conversation as the CPU path would.
pub fn sync_reply(model: &Model<'_>, cache: &mut KvCache, reply: &[u32]) -> Result<()> {
    if reply.len() > 1 {
        let fed = &reply[..reply.len() - 1];
        for c in engine::generate::prefill_batches(fed) {
            model.forward(c, cache, engine::model::Logits::None)?;
        }
    }
    Ok(())
}

/// Per-token device figures averaged over `steps`.
#[derive(Debug, Default, Clone)]
pub struct DeviceSummary {
    /// Tokens (device submissions) averaged.
    pub tokens: usize,
    /// Mean submission time (CS ioctl to fence).
    pub run: Duration,
    /// Mean host time patching kernel arguments.
    pub patch: Duration,
    /// Simulator counters, when simulated.
    pub sim: Option<SimSummary>,
}

/// Simulator counters per token (means).
#[derive(Debug, Default, Clone)]
pub struct SimSummary {
    /// Wave instructions executed.
    pub instructions: f64,
    /// Instructions by class (`sim::exec::CLASS_NAMES` order).
    pub by_class: Vec<(&'static str, f64)>,
    /// Global-memory bytes the lanes requested (L0/L1 traffic; re-reads count each time).
    pub bytes_read: f64,
    /// Distinct 128-byte lines read per dispatch: the DRAM-traffic model (sim
    /// `DispatchCounters::global_dram_bytes_read`).
    pub dram_bytes: f64,
    /// What the token must read at least: weights once + KV rows attended.
    pub ideal_bytes: f64,
    /// Global-memory bytes written.
    pub bytes_written: f64,
    /// Waves launched.
    pub waves: f64,
}

/// RX 5700 XT memory bandwidth (256-bit GDDR6 at 14 Gbps), the roofline for decode.
pub const RX5700XT_BYTES_PER_S: f64 = 448e9;

impl SimSummary {
    /// DRAM-model bytes / ideal bytes.
    pub fn ratio(&self) -> f64 {
        self.dram_bytes / self.ideal_bytes.max(1.0)
    }

    /// Requested bytes / ideal bytes.
    pub fn requested_ratio(&self) -> f64 {
        self.bytes_read / self.ideal_bytes.max(1.0)
    }

    /// Decode tok/s an RX 5700 XT would reach if bound by fetching the DRAM-model bytes per
    /// token at full bandwidth (a model, not a measurement).
    pub fn predicted_5700xt_tok_s(&self) -> f64 {
        RX5700XT_BYTES_PER_S / self.dram_bytes.max(1.0)
    }

    /// The same bound for the ideal bytes.
    pub fn ideal_5700xt_tok_s(&self) -> f64 {
        RX5700XT_BYTES_PER_S / self.ideal_bytes.max(1.0)
    }
}

/// Averages `steps`; `first_pos` is the KV position of the first step (for the ideal bytes).
pub fn summarize(gm: &GpuModel<'_>, steps: &[TokenStats], first_pos: usize) -> DeviceSummary {
    let n = steps.len();
    if n == 0 {
        return DeviceSummary::default();
    }
    let nf = n as f64;
    let run = steps.iter().map(|s| s.run.elapsed).sum::<Duration>() / n as u32;
    let patch = steps.iter().map(|s| s.patch).sum::<Duration>() / n as u32;
    let totals: Vec<_> = steps.iter().filter_map(|s| s.run.totals()).collect();
    let sim = (totals.len() == n).then(|| {
        let mut t = sim::exec::DispatchCounters::default();
        for c in &totals {
            t.accumulate(c);
        }
        let ideal: u64 = (0..n).map(|i| gm.ideal_bytes(first_pos + i + 1)).sum();
        SimSummary {
            instructions: t.total_instructions() as f64 / nf,
            by_class: sim::exec::CLASS_NAMES
                .iter()
                .zip(t.instructions)
                .map(|(name, c)| (*name, c as f64 / nf))
                .collect(),
            bytes_read: t.global_bytes_read as f64 / nf,
            dram_bytes: t.global_dram_bytes_read as f64 / nf,
            ideal_bytes: ideal as f64 / nf,
            bytes_written: t.global_bytes_written as f64 / nf,
            waves: t.waves as f64 / nf,
        }
    });
    DeviceSummary {
        tokens: n,
        run,
        patch,
        sim,
    }
}

/// The summary as one stderr line (empty without steps).
pub fn summary_line(d: &DeviceSummary) -> String {
    if d.tokens == 0 {
        return String::new();
    }
    let mut s = format!(
        "device per token: {:.1} ms submission, {:.0} us host patch",
        d.run.as_secs_f64() * 1e3,
        d.patch.as_secs_f64() * 1e6
    );
    if let Some(m) = &d.sim {
        s += &format!(
            " | simulated: {:.1} M instructions, DRAM model {:.1} MB read (ideal {:.1} MB, ratio {:.2}; \
             lanes requested {:.1} MB), RX 5700 XT model at 448 GB/s: {:.0} tok/s ({:.0} at ideal)",
            m.instructions / 1e6,
            m.dram_bytes / 1e6,
            m.ideal_bytes / 1e6,
            m.ratio(),
            m.bytes_read / 1e6,
            m.predicted_5700xt_tok_s(),
            m.ideal_5700xt_tok_s()
        );
    }
    s
}

/// The summary as JSON.
pub fn summary_json(d: &DeviceSummary) -> serde_json::Value {
    let sim = d.sim.as_ref().map(|m| {
        serde_json::json!({
            "instructions_per_token": m.instructions,
            "instructions_by_class": m.by_class.iter()
                .map(|(k, v)| ((*k).to_string(), serde_json::json!(v)))
                .collect::<serde_json::Map<_, _>>(),
            "bytes_read_per_token": m.bytes_read,
            "dram_bytes_per_token": m.dram_bytes,
            "ideal_bytes_per_token": m.ideal_bytes,
            "read_over_ideal": m.ratio(),
            "requested_over_ideal": m.requested_ratio(),
            "bytes_written_per_token": m.bytes_written,
            "waves_per_token": m.waves,
            "predicted_rx5700xt_tok_per_s": m.predicted_5700xt_tok_s(),
            "ideal_rx5700xt_tok_per_s": m.ideal_5700xt_tok_s(),
            "note": "simulated counters; dram_bytes = distinct 128-B lines per dispatch (an L2 that keeps a dispatch's lines), bytes_read = bytes the lanes requested; the RX 5700 XT figure is a bandwidth model (448 GB/s over dram_bytes), not a measurement",
        })
    });
    serde_json::json!({
        "tokens": d.tokens,
        "submission_ms": d.run.as_secs_f64() * 1e3,
        "patch_us": d.patch.as_secs_f64() * 1e6,
        "sim": sim,
    })
}
