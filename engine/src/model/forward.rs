//! The forward pass over a batch of tokens.

use anyhow::{ensure, Result};
use rayon::prelude::*;

use super::config::{Arch, Config};
use super::ops::{dot_lanes, gelu_ggml, rms_norm, rms_norm_chunks, rope, silu, softcap, softmax};
use super::{KvCache, Layer, Model};
use crate::quant::half::round_f16;
use crate::quant::Matrix;

/// Which positions of a batch need logits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logits {
    /// Only the last token (generation).
    Last,
    /// Every token of the batch (`n_vocab` per token, back to back).
    All,
    /// None (prefill of a prefix).
    None,
}

impl Model<'_> {
    /// Runs `tokens` at positions `cache.len()..` through the model, appends
    /// their keys/values to `cache`, and returns the requested logits.
    pub fn forward(&self, tokens: &[u32], cache: &mut KvCache, want: Logits) -> Result<Vec<f32>> {
        // Run the whole pass on a worker of the pool: its ~8 parallel loops
        // per layer then fork and join from inside the pool (with one
        // thread: inline, no hand-off) instead of each one waking a worker
        // and putting the caller to sleep on a latch, which cost two context
        // switches per matrix-vector product.
        rayon::scope(|_| self.forward_on_pool(tokens, cache, want))
    }

    fn forward_on_pool(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        want: Logits,
    ) -> Result<Vec<f32>> {
        let cfg = &self.cfg;
        let (t, d) = (tokens.len(), cfg.n_embd);
        let pos0 = cache.len();
        ensure!(!tokens.is_empty(), "forward: empty token batch");
        ensure!(
            pos0 + t <= cache.n_ctx(),
            "context full: {} + {t} tokens exceed the context size {}",
            pos0,
            cache.n_ctx()
        );

        // Token embeddings (Gemma scales them by sqrt(d)).
        let mut x = vec![0f32; t * d];
        for (i, &tok) in tokens.iter().enumerate() {
            ensure!(
                (tok as usize) < cfg.n_vocab,
                "token id {tok} out of range (vocabulary {})",
                cfg.n_vocab
            );
            let row = &mut x[i * d..(i + 1) * d];
            self.tok_embd.dequantize_row(tok as usize, row)?;
            if let Some(s) = cfg.embed_scale {
                row.iter_mut().for_each(|v| *v *= s);
            }
        }

        for (il, layer) in self.layers.iter().enumerate() {
            let a = self.attention(il, layer, &x, pos0, cache);
            add(&mut x, &a);
            let f = self.feed_forward(layer, &x);
            add(&mut x, &f);
        }
        cache.set_len(pos0 + t);

        let rows: Vec<usize> = match want {
            Logits::None => return Ok(Vec::new()),
            Logits::Last => vec![t - 1],
            Logits::All => (0..t).collect(),
        };
        let mut out = vec![0f32; rows.len() * cfg.n_vocab];
        let mut h = vec![0f32; d];
        for (k, &i) in rows.iter().enumerate() {
            rms_norm(&x[i * d..(i + 1) * d], &self.output_norm, cfg.eps, &mut h);
            let o = &mut out[k * cfg.n_vocab..(k + 1) * cfg.n_vocab];
            self.output.matvec(&h, o);
            if let Some(cap) = cfg.final_softcap {
                o.iter_mut().for_each(|v| *v = softcap(*v, cap));
            }
        }
        Ok(out)
    }

    /// Self-attention of block `il` for the batch `x`; returns the residual
    /// branch (after the output projection and, for gemma3, its norm).
    fn attention(
        &self,
        il: usize,
        layer: &Layer<'_>,
        x: &[f32],
        pos0: usize,
        cache: &mut KvCache,
    ) -> Vec<f32> {
        let cfg: &Config = &self.cfg;
        let (d, hd, hdv) = (cfg.n_embd, cfg.head_dim, cfg.head_dim_v);
        let (nh, nkv) = (cfg.n_head, cfg.n_head_kv);
        let t = x.len() / d;

        let mut h = x.to_vec();
        rms_norm_chunks(&mut h, &layer.attn_norm, cfg.eps);
        let mut q = vec![0f32; t * nh * hd];
        let mut k = vec![0f32; t * nkv * hd];
        let mut v = vec![0f32; t * nkv * hdv];
        Matrix::matmul_many(
            &[&layer.wq, &layer.wk, &layer.wv],
            &h,
            &mut [&mut q, &mut k, &mut v],
        );
        if let Some(w) = &layer.q_norm {
            rms_norm_chunks(&mut q, w, cfg.eps);
        }
        if let Some(w) = &layer.k_norm {
            rms_norm_chunks(&mut k, w, cfg.eps);
        }

        let swa = cfg.swa_layers[il];
        let (base, scale) = if swa {
            (cfg.rope_base_swa, 1.0)
        } else {
            (cfg.rope_base, cfg.rope_scale)
        };
        for i in 0..t {
            let pos = pos0 + i;
            for head in q[i * nh * hd..(i + 1) * nh * hd].chunks_exact_mut(hd) {
                rope(head, pos, base, scale, cfg.n_rot, cfg.rope_mode);
            }
            for head in k[i * nkv * hd..(i + 1) * nkv * hd].chunks_exact_mut(hd) {
                rope(head, pos, base, scale, cfg.n_rot, cfg.rope_mode);
            }
        }
        // gemma3 scales Q before the product (attention scale 1.0 after);
        // llama scales the scores (kq_scale in build_attn).
        let (pre, post) = match cfg.arch {
            Arch::Gemma3 => (cfg.attn_scale, 1.0),
            Arch::Llama => (1.0, cfg.attn_scale),
        };
        // Q meets an F16 cache: ggml converts it to f16 for the product.
        q.iter_mut().for_each(|v| *v = round_f16(*v * pre));
        cache.k[il].extend(k.iter().map(|&v| round_f16(v)));
        cache.v[il].extend(v.iter().map(|&v| round_f16(v)));

        let kc = &cache.k[il];
        let vc = &cache.v[il];
        let group = nh / nkv;
        let window = if swa { cfg.sliding_window } else { 0 };
        let mut out = vec![0f32; t * nh * hdv];
        out.par_chunks_mut(hdv).enumerate().for_each(|(idx, o)| {
            let (i, head) = (idx / nh, idx % nh);
            let kvh = head / group;
            let p = pos0 + i;
            // Causal; sliding layers see the last `window` positions
            // (llama_hparams::is_masked_swa, LLAMA_SWA_TYPE_STANDARD).
            let start = if window > 0 {
                (p + 1).saturating_sub(window)
            } else {
                0
            };
            let qv = &q[(i * nh + head) * hd..(i * nh + head + 1) * hd];
            let mut s: Vec<f32> = (start..=p)
                .map(|j| {
                    let kv = &kc[(j * nkv + kvh) * hd..(j * nkv + kvh + 1) * hd];
                    let dot = dot_lanes(qv, kv);
                    let dot = dot * post;
                    match cfg.attn_softcap {
                        Some(cap) => softcap(dot, cap),
                        None => dot,
                    }
                })
                .collect();
            softmax(&mut s);
            // KQ·V multiplies an F16 cache: ggml converts the probabilities
            // to f16 first (non-flash-attention path, llama.cpp's default).
            s.iter_mut().for_each(|w| *w = round_f16(*w));
            for (w, j) in s.iter().zip(start..=p) {
                let vv = &vc[(j * nkv + kvh) * hdv..(j * nkv + kvh + 1) * hdv];
                for (a, b) in o.iter_mut().zip(vv) {
                    *a += w * b;
                }
            }
        });

        let mut y = vec![0f32; t * d];
        layer.wo.matmul(&out, &mut y);
        if let Some(w) = &layer.post_attn_norm {
            rms_norm_chunks(&mut y, w, cfg.eps);
        }
        y
    }

    /// The gated feed-forward branch (SiLU for llama, GELU-tanh for gemma3).
    fn feed_forward(&self, layer: &Layer<'_>, x: &[f32]) -> Vec<f32> {
        let cfg = &self.cfg;
        let (d, ff) = (cfg.n_embd, cfg.n_ff);
        let t = x.len() / d;
        let mut h = x.to_vec();
        rms_norm_chunks(&mut h, &layer.ffn_norm, cfg.eps);
        let mut g = vec![0f32; t * ff];
        let mut u = vec![0f32; t * ff];
        Matrix::matmul_many(&[&layer.gate, &layer.up], &h, &mut [&mut g, &mut u]);
        let act: fn(f32) -> f32 = match cfg.arch {
            Arch::Llama => silu,
            Arch::Gemma3 => gelu_ggml,
        };
        for (a, b) in g.iter_mut().zip(&u) {
            *a = act(*a) * b;
        }
        let mut y = vec![0f32; t * d];
        layer.down.matmul(&g, &mut y);
        if let Some(w) = &layer.post_ffn_norm {
            rms_norm_chunks(&mut y, w, cfg.eps);
        }
        y
    }
}

fn add(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}
