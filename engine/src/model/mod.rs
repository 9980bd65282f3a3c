//! The CPU reference forward pass for the `llama` and `gemma3` architectures.
//!
//! One [`Model`] borrows its weights from a [`Gguf`] (no copies of the
//! quantized matrices) and runs token batches through a [`KvCache`]. The
//! block structure follows llama.cpp's graph builders (`src/models/llama.cpp`
//! `llm_build_llama`, `src/models/gemma3.cpp` `llm_build_gemma3`):
//!
//! llama:  x += Wo·Attn(RoPE(Wq·n(x)), RoPE(Wk·n(x)), Wv·n(x));
//!         x += Wd·(silu(Wg·n(x)) ⊙ Wu·n(x))
//! gemma3: x = emb·√d; x += n(Wo·Attn(RoPE(n(Wq·n(x))), RoPE(n(Wk·n(x))), Wv·n(x)));
//!         x += n(Wd·(gelu(Wg·n(x)) ⊙ Wu·n(x)))
//! with n = RMSNorm (its own weight at each site), sliding-window attention on
//! 5 of every 6 gemma3 layers, tied output embedding when `output.weight` is absent.

pub mod config;
mod forward;
mod kv;
pub mod ops;
mod simd;

pub use config::{Arch, Config, RopeMode};
pub use forward::Logits;
pub use kv::KvCache;

use anyhow::{Context, Result};

use crate::gguf::Gguf;
use crate::quant::{self, Matrix};

/// One transformer block's weights.
pub struct Layer<'a> {
    pub(crate) attn_norm: Vec<f32>,
    pub(crate) wq: Matrix<'a>,
    pub(crate) wk: Matrix<'a>,
    pub(crate) wv: Matrix<'a>,
    pub(crate) wo: Matrix<'a>,
    pub(crate) q_norm: Option<Vec<f32>>,
    pub(crate) k_norm: Option<Vec<f32>>,
    pub(crate) post_attn_norm: Option<Vec<f32>>,
    pub(crate) ffn_norm: Vec<f32>,
    pub(crate) gate: Matrix<'a>,
    pub(crate) up: Matrix<'a>,
    pub(crate) down: Matrix<'a>,
    pub(crate) post_ffn_norm: Option<Vec<f32>>,
}

/// A loaded model: configuration plus weights borrowed from the GGUF map.
pub struct Model<'a> {
    /// Hyperparameters.
    pub cfg: Config,
    pub(crate) tok_embd: Matrix<'a>,
    pub(crate) layers: Vec<Layer<'a>>,
    pub(crate) output_norm: Vec<f32>,
    pub(crate) output: Matrix<'a>,
}

fn vector(g: &Gguf, name: &str) -> Result<Vec<f32>> {
    let t = g.require_tensor(name)?;
    quant::dequantize(t.ggml_type, t.data, t.n_elements() as usize)
        .with_context(|| format!("tensor '{name}'"))
}

fn matrix<'a>(g: &'a Gguf, name: &str, cols: usize, rows: usize) -> Result<Matrix<'a>> {
    let t = g.require_tensor(name)?;
    let m = Matrix::from_tensor(&t).with_context(|| format!("tensor '{name}'"))?;
    anyhow::ensure!(
        m.cols == cols && m.rows == rows,
        "tensor '{name}' has shape {:?}, expected [{cols}, {rows}]",
        t.dims
    );
    Ok(m)
}

impl<'a> Model<'a> {
    /// Builds the model over `g`'s tensors; `progress(done, total)` is
    /// called once per loaded layer.
    pub fn load(g: &'a Gguf, mut progress: impl FnMut(usize, usize)) -> Result<Model<'a>> {
        let cfg = Config::from_gguf(g)?;
        let (d, hd, hdv) = (cfg.n_embd, cfg.head_dim, cfg.head_dim_v);
        let tok_embd = matrix(g, "token_embd.weight", d, cfg.n_vocab)?;
        let output = match g.tensor("output.weight") {
            Some(_) => matrix(g, "output.weight", d, cfg.n_vocab)?,
            None => tok_embd,
        };
        let opt = |n: String| -> Result<Option<Vec<f32>>> {
            if g.tensor(&n).is_some() {
                vector(g, &n).map(Some)
            } else {
                Ok(None)
            }
        };
        let mut layers = Vec::with_capacity(cfg.n_layer);
        for il in 0..cfg.n_layer {
            let n = |s: &str| format!("blk.{il}.{s}.weight");
            layers.push(Layer {
                attn_norm: vector(g, &n("attn_norm"))?,
                wq: matrix(g, &n("attn_q"), d, cfg.n_head * hd)?,
                wk: matrix(g, &n("attn_k"), d, cfg.n_head_kv * hd)?,
                wv: matrix(g, &n("attn_v"), d, cfg.n_head_kv * hdv)?,
                wo: matrix(g, &n("attn_output"), cfg.n_head * hdv, d)?,
                q_norm: opt(n("attn_q_norm"))?,
                k_norm: opt(n("attn_k_norm"))?,
                post_attn_norm: opt(n("post_attention_norm"))?,
                ffn_norm: vector(g, &n("ffn_norm"))?,
                gate: matrix(g, &n("ffn_gate"), d, cfg.n_ff)?,
                up: matrix(g, &n("ffn_up"), d, cfg.n_ff)?,
                down: matrix(g, &n("ffn_down"), cfg.n_ff, d)?,
                post_ffn_norm: opt(n("post_ffw_norm"))?,
            });
            progress(il + 1, cfg.n_layer);
        }
        if cfg.arch == Arch::Gemma3 {
            anyhow::ensure!(
                layers
                    .iter()
                    .all(|l| l.q_norm.is_some() && l.post_attn_norm.is_some()),
                "gemma3 model lacks QK-norm or post-attention norm tensors"
            );
        }
        Ok(Model {
            output_norm: vector(g, "output_norm.weight")?,
            cfg,
            tok_embd,
            layers,
            output,
        })
    }

    /// A KV cache for up to `n_ctx` positions.
    pub fn new_cache(&self, n_ctx: usize) -> KvCache {
        KvCache::new(&self.cfg, n_ctx)
    }
}
