//! OpenAI request bodies (the fields rocless uses; unknown fields are ignored, wrong types
//! are a 400 naming the field).

use engine::sample::SamplerConfig;
use serde::Deserialize;

use crate::backend::GenParams;
use crate::{bad, ApiError, Inner};

/// `stop`: one string or a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Stop {
    /// One stop sequence.
    One(String),
    /// Several (OpenAI allows up to 4).
    Many(Vec<String>),
}

/// Fields shared by both endpoints.
#[derive(Debug, Clone, Deserialize)]
pub struct Common {
    /// Tokens to generate at most.
    pub max_tokens: Option<usize>,
    /// Temperature (0 = greedy). OpenAI's default is 1.
    pub temperature: Option<f32>,
    /// Nucleus sampling.
    pub top_p: Option<f32>,
    /// Top-k (extension; llama.cpp's server has it too).
    pub top_k: Option<usize>,
    /// Min-p (extension).
    pub min_p: Option<f32>,
    /// Repetition penalty (extension).
    pub repeat_penalty: Option<f32>,
    /// Seed of the sampler.
    pub seed: Option<u64>,
    /// Stop sequences.
    pub stop: Option<Stop>,
    /// Server-sent events instead of one JSON body.
    #[serde(default)]
    pub stream: bool,
}

/// `POST /v1/completions`.
#[derive(Debug, Clone, Deserialize)]
pub struct CompletionRequest {
    /// The prompt text (used as is, no template).
    pub prompt: String,
    /// Sampling and length.
    #[serde(flatten)]
    pub common: Common,
}

/// One chat message.
#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// Text.
    pub content: String,
}

/// `POST /v1/chat/completions`.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatRequest {
    /// The conversation, rendered with the model's chat template.
    pub messages: Vec<Message>,
    /// Sampling and length.
    #[serde(flatten)]
    pub common: Common,
}

impl Common {
    /// Checks the request against the context and builds the generation parameters.
    pub(crate) fn params(&self, prompt: Vec<u32>, s: &Inner) -> Result<GenParams, ApiError> {
        let n_ctx = s.backend.n_ctx();
        if prompt.is_empty() {
            return Err(bad("the prompt is empty"));
        }
        // Without max_tokens: the default, or what still fits the context.
        let max_tokens = self.max_tokens.unwrap_or_else(|| {
            s.limits
                .default_max_tokens
                .min(n_ctx.saturating_sub(prompt.len()))
                .max(1)
        });
        if prompt.len() + max_tokens > n_ctx {
            return Err(bad(format!(
                "context length exceeded: the prompt is {} tokens and max_tokens is {max_tokens}, \
                 {} in all, but the context is {n_ctx} tokens",
                prompt.len(),
                prompt.len() + max_tokens
            )));
        }
        let temp = self.temperature.unwrap_or(1.0);
        if !(0.0..=2.0).contains(&temp) {
            return Err(bad(format!("temperature {temp} is outside [0, 2]")));
        }
        let sampler = SamplerConfig {
            temperature: temp,
            top_k: self.top_k.unwrap_or(0),
            top_p: self.top_p.unwrap_or(1.0),
            min_p: self.min_p.unwrap_or(0.0),
            repeat_penalty: self.repeat_penalty.unwrap_or(1.0),
            repeat_last_n: 64,
            seed: self.seed.unwrap_or(0),
        };
        let stop = match &self.stop {
            None => Vec::new(),
            Some(Stop::One(s)) => vec![s.clone()],
            Some(Stop::Many(v)) => v.clone(),
        };
        Ok(GenParams {
            prompt,
            max_tokens,
            sampler,
            stop,
        })
    }
}
