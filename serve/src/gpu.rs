//! The GPU path as a server backend: the prompt is prefilled by the CPU engine, decoding runs
//! on the device (`engine::gpu::GpuModel`, one submission per token). One device model
//! serves the requests in turn (its KV cache is one sequence). A failed submission (VM
//! fault, hang → ETIME, guilty context) fails that request; the next request reopens the
//! device, recreates the context and re-uploads the weights.

use std::sync::Mutex;

use anyhow::{Context, Result};
use engine::gpu::{GpuModel, Prompt, Runtime};

use crate::backend::{Backend, CpuBackend, GenOutcome, GenParams, MemoryUsage, TextSink};

/// A device runtime and the model resident on it. Both live until a fault replaces them:
/// the runtime is leaked so the model can borrow it for `'static` (one leak per device
/// reset, which a server tolerates).
struct Resident {
    rt: &'static Runtime,
    gm: GpuModel<'static>,
}

/// The GPU backend (`--device auto|sim|PATH`).
pub struct GpuBackend {
    cpu: CpuBackend,
    open: Box<dyn Fn() -> Result<Runtime> + Send + Sync>,
    resident: Mutex<Option<Resident>>,
    resets: std::sync::atomic::AtomicU64,
}

impl GpuBackend {
    /// Loads the model on the CPU (tokenizer, prefill) and on the device `open` returns.
    pub fn new(
        cpu: CpuBackend,
        open: Box<dyn Fn() -> Result<Runtime> + Send + Sync>,
    ) -> Result<GpuBackend> {
        let b = GpuBackend {
            cpu,
            open,
            resident: Mutex::new(None),
            resets: Default::default(),
        };
        let r = b.load()?;
        *b.resident.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        Ok(b)
    }

    /// VRAM the model needs: every tensor of the GGUF (an upper bound: the tied output
    /// shares the embedding) plus an f32 K and V cache of `n_ctx` positions.
    fn vram_needed(&self) -> u64 {
        let weights: u64 = self.cpu.gguf.tensors().map(|t| t.data.len() as u64).sum();
        let c = &self.cpu.model.cfg;
        let kv = 2 * 4 * (c.n_layer * self.cpu.n_ctx * c.n_head_kv * c.head_dim) as u64;
        weights + kv
    }

    fn load(&self) -> Result<Resident> {
        let rt = (self.open)().context("opening the device")?;
        let info = rt.device().info();
        let total = info.vram_gtt()?.vram_size;
        let used = info.vram_usage()?;
        let need = self.vram_needed();
        if need > total.saturating_sub(used) {
            anyhow::bail!(
                "{} does not fit: it needs {} MiB of VRAM (weights + {}-position KV cache), \
                 the device has {} MiB free of {} MiB (lower --ctx or use --device cpu)",
                self.cpu.name,
                need >> 20,
                self.cpu.n_ctx,
                total.saturating_sub(used) >> 20,
                total >> 20
            );
        }
        let rt: &'static Runtime = Box::leak(Box::new(rt));
        let gm = GpuModel::new(rt, &self.cpu.model, self.cpu.n_ctx, |_, _| {})
            .context("uploading the model to the device")?;
        Ok(Resident { rt, gm })
    }

    /// The device runtime of the resident model (for tests and diagnostics).
    pub fn runtime(&self) -> Option<&'static Runtime> {
        self.resident
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|r| r.rt)
    }

    /// Device resets so far (context recreated, weights re-uploaded).
    pub fn resets(&self) -> u64 {
        self.resets.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Backend for GpuBackend {
    fn model_id(&self) -> &str {
        self.cpu.model_id()
    }

    fn n_ctx(&self) -> usize {
        self.cpu.n_ctx()
    }

    fn tokenize(&self, text: &str) -> Vec<u32> {
        self.cpu.tokenize(text)
    }

    fn render_chat(&self, messages: &[(String, String)]) -> Result<String> {
        self.cpu.render_chat(messages)
    }

    fn generate(&self, p: &GenParams, emit: &mut dyn FnMut(&str) -> bool) -> Result<GenOutcome> {
        let mut guard = self.resident.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            // The last request faulted: a new context and the weights again.
            *guard = Some(self.load()?);
            self.resets
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let r = guard.as_mut().expect("resident model");
        let cpu = &self.cpu;
        let mut cache = cpu.model.new_cache(p.prompt.len());
        let logits = engine::generate::prefill(&cpu.model, &mut cache, &p.prompt)?;
        let mut sink = TextSink::new(&cpu.tok, &p.stop, emit);
        let res = r.gm.generate(
            Prompt::Prefilled {
                tokens: &p.prompt,
                cache: &cache,
                logits: &logits,
            },
            p.max_tokens,
            &p.sampler,
            |id| cpu.tok.is_eog(id),
            |id| Ok(sink.push(id)),
            &mut Vec::new(),
        );
        match res {
            Ok(stats) => Ok(sink.finish(&stats)),
            Err(e) => {
                // Drop the model and its context; the next request reloads.
                *guard = None;
                Err(e.context("device generation failed; the device model will be reloaded"))
            }
        }
    }

    fn memory(&self) -> Option<MemoryUsage> {
        let rt = self.runtime()?;
        let info = rt.device().info();
        let node = rt.device().node();
        let name = std::path::Path::new(&node)
            .file_name()?
            .to_string_lossy()
            .into_owned();
        Some(MemoryUsage {
            vram_used: info.vram_usage().ok()?,
            gtt_used: info.gtt_usage().ok()?,
            sysfs_vram_used: amdgpu_kmd::sysfs::Sysfs::system().mem_info(&name).vram_used,
        })
    }
}
