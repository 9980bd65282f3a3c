//! The generation loop: prefill the prompt in batches, then decode one token
//! at a time with a [`Sampler`], timing both phases.

use std::time::Instant;

use anyhow::Result;

use crate::model::{KvCache, Logits, Model};
use crate::sample::Sampler;

/// Most prompt tokens per forward batch during prefill (llama.cpp's default
/// `n_ubatch`). [`prefill`] splits a prompt into equal batches under this
/// size: one weight pass serves more tokens, and no short tail batch (a
/// 135-token prompt was 64 + 64 + 7 tokens at 64) runs the matrix kernels
/// at a few tokens per weight row.
pub const PREFILL_BATCH: usize = 512;

/// `tokens` split into the fewest batches of at most [`PREFILL_BATCH`],
/// of equal size but the last (batching does not change any token's values).
pub fn prefill_batches(tokens: &[u32]) -> std::slice::Chunks<'_, u32> {
    let n = tokens.len().div_ceil(PREFILL_BATCH).max(1);
    tokens.chunks(tokens.len().div_ceil(n).max(1))
}

/// Timings of one generation.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GenStats {
    /// Prompt tokens processed.
    pub prompt_tokens: usize,
    /// Tokens generated.
    pub tokens: usize,
    /// Seconds spent on the prompt.
    pub prompt_secs: f64,
    /// Seconds spent generating after the first token.
    pub decode_secs: f64,
    /// Seconds from start to the first generated token.
    pub ttft_secs: f64,
    /// Whether generation stopped at an end-of-generation token.
    pub stopped_at_eog: bool,
}

impl GenStats {
    /// Prompt tokens per second.
    pub fn prompt_tok_per_s(&self) -> f64 {
        rate(self.prompt_tokens, self.prompt_secs)
    }

    /// Generated tokens per second after the first one.
    pub fn decode_tok_per_s(&self) -> f64 {
        rate(self.tokens.saturating_sub(1), self.decode_secs)
    }
}

fn rate(n: usize, secs: f64) -> f64 {
    if secs > 0.0 {
        n as f64 / secs
    } else {
        0.0
    }
}

/// Feeds `tokens` to the model (continuing `cache`) and returns the logits
/// of the last one.
pub fn prefill(model: &Model<'_>, cache: &mut KvCache, tokens: &[u32]) -> Result<Vec<f32>> {
    let mut logits = Vec::new();
    let chunks: Vec<&[u32]> = prefill_batches(tokens).collect();
    for (i, c) in chunks.iter().enumerate() {
        let want = if i + 1 == chunks.len() {
            Logits::Last
        } else {
            Logits::None
        };
        logits = model.forward(c, cache, want)?;
    }
    Ok(logits)
}

/// Generates up to `n` tokens after `prompt` (appended to `cache`). Each new
/// token goes to `on_token`, which returns `false` to stop early; tokens for
/// which `is_eog` holds end generation (and are not passed on).
pub fn generate(
    model: &Model<'_>,
    cache: &mut KvCache,
    prompt: &[u32],
    n: usize,
    sampler: &mut Sampler,
    is_eog: impl Fn(u32) -> bool,
    mut on_token: impl FnMut(u32) -> Result<bool>,
) -> Result<GenStats> {
    let mut stats = GenStats {
        prompt_tokens: prompt.len(),
        ..Default::default()
    };
    anyhow::ensure!(!prompt.is_empty(), "empty prompt");
    let start = Instant::now();
    let mut logits = prefill(model, cache, prompt)?;
    stats.prompt_secs = start.elapsed().as_secs_f64();
    let mut history: Vec<u32> = prompt.to_vec();
    let mut first_at = None;
    for i in 0..n {
        let next = sampler.sample(&mut logits, &history);
        if i == 0 {
            stats.ttft_secs = start.elapsed().as_secs_f64();
            first_at = Some(Instant::now());
        }
        if is_eog(next) {
            stats.stopped_at_eog = true;
            break;
        }
        stats.tokens += 1;
        history.push(next);
        if !on_token(next)? || i + 1 == n {
            break;
        }
        logits = model.forward(&[next], cache, Logits::Last)?;
    }
    if let Some(t) = first_at {
        stats.decode_secs = t.elapsed().as_secs_f64();
    }
    Ok(stats)
}
