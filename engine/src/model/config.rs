//! Hyperparameters read from GGUF metadata, with the defaults and
//! per-architecture rules of llama.cpp's `llama_model::load_hparams`
//! (src/llama-model.cpp, ggml-org/llama.cpp).

use crate::gguf::Gguf;
use anyhow::{bail, Context, Result};

/// Supported model architectures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Arch {
    /// `llama` (Llama 2/3, SmolLM2, ...).
    Llama,
    /// `gemma3` (Gemma 3 text models).
    Gemma3,
}

/// Position-embedding rotation layout (`LLAMA_ROPE_TYPE_NORM` / `_NEOX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RopeMode {
    /// Rotate adjacent pairs (x[2i], x[2i+1]) — llama.
    Normal,
    /// Rotate (x[i], x[i + n_rot/2]) — gemma (`llama_model_rope_type`).
    Neox,
}

/// Model hyperparameters.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Config {
    /// Architecture.
    pub arch: Arch,
    /// Hidden size.
    pub n_embd: usize,
    /// Transformer blocks.
    pub n_layer: usize,
    /// Feed-forward inner size.
    pub n_ff: usize,
    /// Query heads.
    pub n_head: usize,
    /// Key/value heads (grouped-query attention when < n_head).
    pub n_head_kv: usize,
    /// Per-head key/query size.
    pub head_dim: usize,
    /// Per-head value size.
    pub head_dim_v: usize,
    /// RMSNorm epsilon.
    pub eps: f32,
    /// RoPE base of global layers.
    pub rope_base: f32,
    /// RoPE base of sliding-window layers.
    pub rope_base_swa: f32,
    /// RoPE position scale of global layers (1 / linear scaling factor).
    pub rope_scale: f32,
    /// Rotated dimensions per head.
    pub n_rot: usize,
    /// Rotation layout.
    pub rope_mode: RopeMode,
    /// Sliding window (tokens) of local layers; 0 = none.
    pub sliding_window: usize,
    /// Per layer: true if it is a sliding-window layer.
    pub swa_layers: Vec<bool>,
    /// Query scale before q·k.
    pub attn_scale: f32,
    /// Scale applied to token embeddings (Gemma: sqrt(n_embd)).
    pub embed_scale: Option<f32>,
    /// tanh soft-cap of the final logits, if any.
    pub final_softcap: Option<f32>,
    /// tanh soft-cap of attention scores, if any.
    pub attn_softcap: Option<f32>,
    /// Training context length from metadata.
    pub context_length: usize,
    /// Vocabulary size (rows of the embedding).
    pub n_vocab: usize,
}

impl Config {
    /// Reads the hyperparameters of `g`.
    pub fn from_gguf(g: &Gguf) -> Result<Config> {
        let arch_name = g
            .architecture()
            .context("missing metadata key 'general.architecture'")?;
        let arch = match arch_name {
            "llama" => Arch::Llama,
            "gemma3" => Arch::Gemma3,
            other => bail!("unsupported architecture '{other}' (supported: llama, gemma3)"),
        };
        let key = |s: &str| format!("{arch_name}.{s}");
        let u = |s: &str| -> Result<usize> { Ok(g.require_u32(&key(s))? as usize) };
        let uo = |s: &str| g.get_u32(&key(s)).map(|v| v as usize);
        let fo = |s: &str| g.get_f32(&key(s));

        let n_embd = u("embedding_length")?;
        let n_layer = u("block_count")?;
        let n_ff = u("feed_forward_length")?;
        let n_head = u("attention.head_count")?;
        let n_head_kv = uo("attention.head_count_kv").unwrap_or(n_head);
        if n_head == 0 || n_head_kv == 0 || n_head % n_head_kv != 0 {
            bail!("bad head counts: {n_head} query heads, {n_head_kv} key/value heads");
        }
        let head_dim = uo("attention.key_length").unwrap_or(n_embd / n_head);
        let head_dim_v = uo("attention.value_length").unwrap_or(head_dim);
        let eps = g.require_f32(&key("attention.layer_norm_rms_epsilon"))?;
        let rope_base = fo("rope.freq_base").unwrap_or(10000.0);
        let rope_scale = match (
            g.get_str(&key("rope.scaling.type")),
            fo("rope.scaling.factor"),
        ) {
            (Some("linear"), Some(f)) if f > 0.0 => 1.0 / f,
            (Some(t), _) if t != "none" && t != "linear" => {
                bail!("unsupported rope scaling type '{t}'")
            }
            _ => 1.0,
        };
        let n_rot = uo("rope.dimension_count").unwrap_or(head_dim);
        if n_rot > head_dim || n_rot % 2 != 0 {
            bail!("bad rope.dimension_count {n_rot} for head size {head_dim}");
        }
        let context_length = uo("context_length").unwrap_or(2048);
        let n_vocab = g
            .require_tensor("token_embd.weight")?
            .dims
            .get(1)
            .copied()
            .unwrap_or(0) as usize;
        let softcap = |s: &str| fo(s).filter(|&v| v > 0.0);

        let cfg = match arch {
            Arch::Llama => Config {
                arch,
                n_embd,
                n_layer,
                n_ff,
                n_head,
                n_head_kv,
                head_dim,
                head_dim_v,
                eps,
                rope_base,
                rope_base_swa: rope_base,
                rope_scale,
                n_rot,
                rope_mode: RopeMode::Normal,
                sliding_window: 0,
                swa_layers: vec![false; n_layer],
                attn_scale: 1.0 / (head_dim as f32).sqrt(),
                embed_scale: None,
                final_softcap: None,
                attn_softcap: None,
                context_length,
                n_vocab,
            },
            Arch::Gemma3 => {
                // llama-model.cpp, LLM_ARCH_GEMMA3: with a sliding window,
                // set_swa_pattern(6) (layer il is local iff il % 6 < 5) and
                // local layers use rope base 10000, scale 1.
                let sliding_window = uo("attention.sliding_window").unwrap_or(0);
                let pattern = uo("attention.sliding_window_pattern").unwrap_or(6).max(1);
                let swa_layers = (0..n_layer)
                    .map(|il| sliding_window > 0 && il % pattern < pattern - 1)
                    .collect();
                Config {
                    arch,
                    n_embd,
                    n_layer,
                    n_ff,
                    n_head,
                    n_head_kv,
                    head_dim,
                    head_dim_v,
                    eps,
                    rope_base,
                    rope_base_swa: fo("rope.freq_base_swa").unwrap_or(10000.0),
                    rope_scale,
                    n_rot,
                    rope_mode: RopeMode::Neox,
                    sliding_window,
                    swa_layers,
                    // f_attention_scale = 1/sqrt(n_embd_head_k) (all but 27B).
                    attn_scale: 1.0 / (head_dim as f32).sqrt(),
                    // build_gemma3: inpL = ggml_scale(inpL, sqrtf(n_embd)).
                    embed_scale: Some((n_embd as f32).sqrt()),
                    final_softcap: softcap("final_logit_softcapping"),
                    attn_softcap: softcap("attn_logit_softcapping"),
                    context_length,
                    n_vocab,
                }
            }
        };
        Ok(cfg)
    }
}
