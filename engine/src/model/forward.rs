//! The forward pass over a batch of tokens.

use anyhow::{ensure, Result};
use rayon::prelude::*;

use super::config::{Arch, Config};
use super::ops::{
    attend, geglu_ggml, rms_norm, rms_norm_inplace, rope_sin_cos, rope_with, round_f16_all, silu,
    softcap, AttnView,
};
use super::{KvCache, Layer, Model};
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

        // The rotation angles of the batch's positions, once per forward
        // instead of once per head and layer (the same values: a function
        // of position, base and scale only).
        let rope_full = RopeTable::new(pos0, t, cfg.rope_base, cfg.rope_scale, cfg.n_rot);
        let rope_swa = if cfg.swa_layers.iter().any(|&s| s) {
            RopeTable::new(pos0, t, cfg.rope_base_swa, 1.0, cfg.n_rot)
        } else {
            RopeTable::default()
        };

        let mut sc = Scratch::new(cfg, t);
        // h = attn_norm(x) for the first block; later blocks get theirs from
        // the previous block's last residual pass.
        if let Some(first) = self.layers.first() {
            per_token(&mut x, &mut sc.y, &mut sc.h, d, |xi, _, hi| {
                rms_norm(xi, &first.attn_norm, cfg.eps, hi)
            });
        }
        for (il, layer) in self.layers.iter().enumerate() {
            let rope = if cfg.swa_layers[il] {
                &rope_swa
            } else {
                &rope_full
            };
            self.attention(il, layer, pos0, cache, rope, &mut sc);
            // x += post_attn_norm(y); h = ffn_norm(x).
            per_token(&mut x, &mut sc.y, &mut sc.h, d, |xi, yi, hi| {
                if let Some(w) = &layer.post_attn_norm {
                    rms_norm_inplace(yi, w, cfg.eps);
                }
                add(xi, yi);
                rms_norm(xi, &layer.ffn_norm, cfg.eps, hi);
            });
            self.feed_forward(layer, &mut sc);
            // x += post_ffn_norm(y); h = next block's attn_norm(x).
            let next = self.layers.get(il + 1);
            per_token(&mut x, &mut sc.y, &mut sc.h, d, |xi, yi, hi| {
                if let Some(w) = &layer.post_ffn_norm {
                    rms_norm_inplace(yi, w, cfg.eps);
                }
                add(xi, yi);
                if let Some(n) = next {
                    rms_norm(xi, &n.attn_norm, cfg.eps, hi);
                }
            });
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

    /// Self-attention of block `il` for the normed batch `sc.h`; leaves the
    /// residual branch before its post-norm (the output projection) in `sc.y`.
    fn attention(
        &self,
        il: usize,
        layer: &Layer<'_>,
        pos0: usize,
        cache: &mut KvCache,
        rope: &RopeTable,
        sc: &mut Scratch,
    ) {
        let cfg: &Config = &self.cfg;
        let (hd, hdv) = (cfg.head_dim, cfg.head_dim_v);
        let (nh, nkv) = (cfg.n_head, cfg.n_head_kv);
        let t = sc.h.len() / cfg.n_embd;

        // The three projections share one quantized input and one parallel
        // loop over all their row chunks.
        Matrix::matmul_many(
            &[&layer.wq, &layer.wk, &layer.wv],
            &sc.h,
            &mut [&mut sc.q, &mut sc.k, &mut sc.v],
        );

        // gemma3 scales Q before the product (attention scale 1.0 after);
        // llama scales the scores (kq_scale in build_attn).
        let (pre, post) = match cfg.arch {
            Arch::Gemma3 => (cfg.attn_scale, 1.0),
            Arch::Llama => (1.0, cfg.attn_scale),
        };
        // Per token and head: QK-norm, RoPE, then the f16 rounding of the
        // cache (and of Q, which ggml converts to f16 to meet an F16 cache).
        let (n_rot, mode, eps) = (cfg.n_rot, cfg.rope_mode, cfg.eps);
        sc.q.par_chunks_mut(nh * hd)
            .zip(sc.k.par_chunks_mut(nkv * hd))
            .zip(sc.v.par_chunks_mut(nkv * hdv))
            .enumerate()
            .for_each(|(i, ((qi, ki), vi))| {
                let angles = rope.pos(i);
                for head in qi.chunks_exact_mut(hd) {
                    if let Some(w) = &layer.q_norm {
                        rms_norm_inplace(head, w, eps);
                    }
                    rope_with(head, angles.iter().copied(), n_rot, mode);
                    head.iter_mut().for_each(|v| *v *= pre);
                    round_f16_all(head);
                }
                for head in ki.chunks_exact_mut(hd) {
                    if let Some(w) = &layer.k_norm {
                        rms_norm_inplace(head, w, eps);
                    }
                    rope_with(head, angles.iter().copied(), n_rot, mode);
                    round_f16_all(head);
                }
                round_f16_all(vi);
            });
        cache.k[il].extend_from_slice(&sc.k);
        cache.v[il].extend_from_slice(&sc.v);

        let group = nh / nkv;
        let window = if cfg.swa_layers[il] {
            cfg.sliding_window
        } else {
            0
        };
        let (kc, vc) = (&cache.k[il], &cache.v[il]);
        let q = &sc.q;
        // One task per (query token, head): gemma3 has 4 heads on 1 KV head,
        // so heads alone would not balance; later tokens see more positions
        // and rayon's splitting steals the rest.
        sc.att
            .par_chunks_mut(hdv)
            .enumerate()
            .for_each_init(Vec::new, |s, (idx, o)| {
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
                let view = AttnView {
                    k: kc,
                    v: vc,
                    k_stride: nkv * hd,
                    v_stride: nkv * hdv,
                    k_off: kvh * hd,
                    v_off: kvh * hdv,
                    post,
                    softcap: cfg.attn_softcap,
                };
                let qv = &q[idx * hd..(idx + 1) * hd];
                attend(qv, &view, start..=p, s, o);
            });
        debug_assert_eq!(sc.att.len(), t * nh * hdv);

        layer.wo.matmul(&sc.att, &mut sc.y);
    }

    /// The gated feed-forward branch (SiLU for llama, GELU-tanh for gemma3)
    /// of the normed batch `sc.h`; leaves it before its post-norm in `sc.y`.
    fn feed_forward(&self, layer: &Layer<'_>, sc: &mut Scratch) {
        let cfg = &self.cfg;
        Matrix::matmul_many(
            &[&layer.gate, &layer.up],
            &sc.h,
            &mut [&mut sc.g, &mut sc.u],
        );
        let arch = cfg.arch;
        sc.g.par_chunks_mut(cfg.n_ff)
            .zip(sc.u.par_chunks(cfg.n_ff))
            .for_each(|(g, u)| match arch {
                Arch::Llama => {
                    for (a, b) in g.iter_mut().zip(u) {
                        *a = silu(*a) * b;
                    }
                }
                Arch::Gemma3 => geglu_ggml(g, u),
            });
        layer.down.matmul(&sc.g, &mut sc.y);
    }
}

/// The activations of one forward pass, allocated once for all blocks.
struct Scratch {
    /// Normed input of the current branch, `[t][d]`.
    h: Vec<f32>,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    /// Attention output before the output projection, `[t][n_head][head_dim_v]`.
    att: Vec<f32>,
    /// A branch's output, `[t][d]`.
    y: Vec<f32>,
    g: Vec<f32>,
    u: Vec<f32>,
}

impl Scratch {
    fn new(cfg: &Config, t: usize) -> Scratch {
        let z = |n: usize| vec![0f32; t * n];
        Scratch {
            h: z(cfg.n_embd),
            q: z(cfg.n_head * cfg.head_dim),
            k: z(cfg.n_head_kv * cfg.head_dim),
            v: z(cfg.n_head_kv * cfg.head_dim_v),
            att: z(cfg.n_head * cfg.head_dim_v),
            y: z(cfg.n_embd),
            g: z(cfg.n_ff),
            u: z(cfg.n_ff),
        }
    }
}

/// `(sin, cos)` of the rotation angles of a batch's positions.
#[derive(Default)]
struct RopeTable {
    half: usize,
    sc: Vec<(f32, f32)>,
}

impl RopeTable {
    fn new(pos0: usize, t: usize, base: f32, scale: f32, n_rot: usize) -> RopeTable {
        let half = n_rot / 2;
        let mut sc = vec![(0f32, 0f32); t * half];
        if half > 0 {
            sc.par_chunks_mut(half).enumerate().for_each(|(i, c)| {
                for (o, a) in c.iter_mut().zip(rope_sin_cos(pos0 + i, base, scale, n_rot)) {
                    *o = a;
                }
            });
        }
        RopeTable { half, sc }
    }

    /// The angles of the batch's `i`-th position.
    fn pos(&self, i: usize) -> &[(f32, f32)] {
        &self.sc[i * self.half..(i + 1) * self.half]
    }
}

/// Runs `f(x_i, y_i, h_i)` on every token's rows of `x`, `y`, `h` (`d` floats each), in parallel.
fn per_token(
    x: &mut [f32],
    y: &mut [f32],
    h: &mut [f32],
    d: usize,
    f: impl Fn(&mut [f32], &mut [f32], &mut [f32]) + Sync,
) {
    x.par_chunks_mut(d)
        .zip(y.par_chunks_mut(d))
        .zip(h.par_chunks_mut(d))
        .for_each(|((xi, yi), hi)| f(xi, yi, hi));
}

fn add(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}
