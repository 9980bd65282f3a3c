//! What the server runs requests on: the [`Backend`] trait and the CPU engine backend.

use anyhow::{Context, Result};
use engine::gguf::Gguf;
use engine::model::Model;
use engine::sample::{Sampler, SamplerConfig};
use engine::tokenizer::{IncrementalDecoder, Tokenizer};

/// One generation request, already tokenized.
#[derive(Debug, Clone)]
pub struct GenParams {
    /// Prompt token ids (BOS included when the model wants one).
    pub prompt: Vec<u32>,
    /// Tokens to generate at most.
    pub max_tokens: usize,
    /// Sampling settings (seeded: same request, same output).
    pub sampler: SamplerConfig,
    /// Stop sequences: generation ends before the first one in the output.
    pub stop: Vec<String>,
}

/// Why a generation ended (OpenAI `finish_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// End-of-generation token or a stop sequence.
    Stop,
    /// `max_tokens` reached.
    Length,
    /// The client went away.
    Cancelled,
}

impl Finish {
    /// The OpenAI string.
    pub fn as_str(self) -> &'static str {
        match self {
            Finish::Stop => "stop",
            Finish::Length => "length",
            Finish::Cancelled => "cancelled",
        }
    }
}

/// A finished generation.
#[derive(Debug, Clone, Copy)]
pub struct GenOutcome {
    /// Tokens generated.
    pub tokens: usize,
    /// Why it ended.
    pub finish: Finish,
    /// Decode speed of this request.
    pub tok_per_s: f64,
}

/// Device memory in use, for `/metrics` (None on the CPU).
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryUsage {
    /// VRAM bytes in use.
    pub vram_used: u64,
    /// GTT bytes in use.
    pub gtt_used: u64,
    /// sysfs `mem_info_vram_used` of the render node (all processes), when present.
    pub sysfs_vram_used: Option<u64>,
}

/// A model the server can run requests on. Implementations must be usable from several
/// request threads at once (one per slot).
pub trait Backend: Send + Sync + 'static {
    /// Model name for `/v1/models` and responses.
    fn model_id(&self) -> &str;
    /// Context size in tokens (prompt + generated must fit).
    fn n_ctx(&self) -> usize;
    /// Tokenizes a prompt (BOS per the model's metadata, special tokens parsed).
    fn tokenize(&self, text: &str) -> Vec<u32>;
    /// Renders chat messages `(role, content)` with the model's template, generation
    /// prompt added.
    fn render_chat(&self, messages: &[(String, String)]) -> Result<String>;
    /// Generates; `emit(text)` receives each new piece of text and returns `false` to
    /// cancel (the client went away).
    fn generate(&self, p: &GenParams, emit: &mut dyn FnMut(&str) -> bool) -> Result<GenOutcome>;
    /// Device memory in use, when on a device.
    fn memory(&self) -> Option<MemoryUsage> {
        None
    }
}

/// The CPU engine as a backend. The GGUF mapping lives as long as the process (the server
/// never unloads its model), which lets every request thread borrow the weights.
pub struct CpuBackend {
    pub(crate) name: String,
    pub(crate) model: Model<'static>,
    pub(crate) tok: Tokenizer,
    pub(crate) gguf: &'static Gguf,
    pub(crate) n_ctx: usize,
}

impl CpuBackend {
    /// Loads `path`; `ctx` overrides the context size (default: metadata, capped at 4096).
    pub fn load(path: &std::path::Path, ctx: Option<usize>) -> Result<CpuBackend> {
        let g: &'static Gguf = Box::leak(Box::new(Gguf::open(path)?));
        let model =
            Model::load(g, |_, _| {}).with_context(|| format!("loading {}", path.display()))?;
        let tok =
            Tokenizer::from_gguf(g).with_context(|| format!("tokenizer of {}", path.display()))?;
        let n_ctx = ctx.unwrap_or_else(|| model.cfg.context_length.min(4096));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        Ok(CpuBackend {
            name,
            model,
            tok,
            gguf: g,
            n_ctx,
        })
    }
}

/// Cuts `text` at the first stop sequence: `(kept part, stopped)`.
pub fn cut_at_stop<'t>(text: &'t str, stop: &[String]) -> (&'t str, bool) {
    match stop
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()))
        .min()
    {
        Some(i) => (&text[..i], true),
        None => (text, false),
    }
}

impl Backend for CpuBackend {
    fn model_id(&self) -> &str {
        &self.name
    }

    fn n_ctx(&self) -> usize {
        self.n_ctx
    }

    fn tokenize(&self, text: &str) -> Vec<u32> {
        let starts_with_bos = self
            .tok
            .bos()
            .and_then(|b| self.tok.token_text(b))
            .is_some_and(|t| !t.is_empty() && text.starts_with(t));
        self.tok.encode(text, !starts_with_bos, true)
    }

    fn render_chat(&self, messages: &[(String, String)]) -> Result<String> {
        let kind = engine::chat::TemplateKind::from_gguf(self.gguf)
            .map_err(|e| anyhow::anyhow!("chat template: {e}"))?;
        let msgs: Vec<engine::chat::Message> = messages
            .iter()
            .map(|(r, c)| engine::chat::Message::new(r.as_str(), c.as_str()))
            .collect();
        Ok(engine::chat::render(kind, &msgs, true))
    }

    fn generate(&self, p: &GenParams, emit: &mut dyn FnMut(&str) -> bool) -> Result<GenOutcome> {
        let mut cache = self.model.new_cache(p.prompt.len() + p.max_tokens + 1);
        let mut sampler = Sampler::new(p.sampler.clone());
        let mut sink = TextSink::new(&self.tok, &p.stop, emit);
        let stats = engine::generate::generate(
            &self.model,
            &mut cache,
            &p.prompt,
            p.max_tokens,
            &mut sampler,
            |id| self.tok.is_eog(id),
            |id| Ok(sink.push(id)),
        )?;
        Ok(sink.finish(&stats))
    }
}

/// Turns generated ids into the text a client sees: incremental UTF-8 decoding, stop
/// sequences (the text before the first one, with a tail held back while it could still
/// become one), and cancellation when `emit` returns false.
pub(crate) struct TextSink<'a> {
    dec: IncrementalDecoder<'a>,
    text: String,
    sent: usize,
    stop: &'a [String],
    emit: &'a mut dyn FnMut(&str) -> bool,
    finish: Option<Finish>,
}

impl<'a> TextSink<'a> {
    pub(crate) fn new(
        tok: &'a Tokenizer,
        stop: &'a [String],
        emit: &'a mut dyn FnMut(&str) -> bool,
    ) -> Self {
        TextSink {
            dec: IncrementalDecoder::new(tok, false),
            text: String::new(),
            sent: 0,
            stop,
            emit,
            finish: None,
        }
    }

    /// Takes one generated id; `false` ends the generation (stop sequence or cancel).
    pub(crate) fn push(&mut self, id: u32) -> bool {
        let piece = self.dec.push(id);
        self.text.push_str(&piece);
        self.flush_text(false)
    }

    fn flush_text(&mut self, last: bool) -> bool {
        let (kept, stopped) = cut_at_stop(&self.text, self.stop);
        let hold = if stopped || last {
            0
        } else {
            self.stop
                .iter()
                .map(|s| s.len().saturating_sub(1))
                .max()
                .unwrap_or(0)
        };
        let mut upto = kept.len().saturating_sub(hold).max(self.sent);
        while !kept.is_char_boundary(upto) {
            upto -= 1;
        }
        if upto > self.sent {
            if !(self.emit)(&kept[self.sent..upto]) {
                self.finish = Some(Finish::Cancelled);
                return false;
            }
            self.sent = upto;
        }
        if stopped {
            self.finish = Some(Finish::Stop);
            return false;
        }
        true
    }

    /// Ends the generation: the held-back tail goes out, the outcome is built.
    pub(crate) fn finish(mut self, stats: &engine::generate::GenStats) -> GenOutcome {
        if self.finish.is_none() {
            let rest = self.dec.flush();
            self.text.push_str(&rest);
            self.flush_text(true);
        }
        let finish = self.finish.unwrap_or(if stats.stopped_at_eog {
            Finish::Stop
        } else {
            Finish::Length
        });
        GenOutcome {
            tokens: stats.tokens,
            finish,
            tok_per_s: stats.decode_tok_per_s(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cut_at_stop;

    #[test]
    fn stop_sequences_cut_at_the_first_match() {
        let stop = vec!["\n\n".to_string(), "END".to_string()];
        assert_eq!(cut_at_stop("abc END x\n\n", &stop), ("abc ", true));
        assert_eq!(cut_at_stop("abc", &stop), ("abc", false));
        assert_eq!(cut_at_stop("a\n\nb", &[String::new()]), ("a\n\nb", false));
    }
}
