//! The decode forward pass on the device: weights uploaded once, an f32 KV cache in VRAM
//! (holding values the attention reads rounded through f16),
//! and one [`Program`] per model holding every dispatch of one token — embedding lookup,
//! all blocks, output norm, logits, argmax — built once. Per token the host patches a few
//! kernarg fields (position, KV length, the cache row written), submits ONE IB with ONE CS
//! ioctl, waits on ONE fence and reads back only the 4-byte argmax id, which the device
//! already wrote where the next token's embedding lookup reads it.
//!
//! The graph is the CPU reference's (engine::model::forward, after llama.cpp
//! `llm_build_llama` / `llm_build_gemma3`), one token at a time:
//! x = emb[id]·s; per block: h = n(x); q,k,v = W·h; [q,k = n(q), n(k) per head];
//! rope(q, k); a = attn(q, K, V); o = Wo·a; [o = n(o)]; x += o; h = n(x);
//! f = Wd·(act(Wg·h) ⊙ Wu·h); [f = n(f)]; x += f; then logits = Wout·n(x) [softcap].
//!
//! The arithmetic is the CPU reference's too: every GEMV input is quantized on the device
//! (`quantize_q8` / `quantize_q8k`, bit-identical to engine::quant::q8) for the weight
//! type's `act_kind`, and the GEMV kernels take exact integer dot products per block; the
//! attention rounds Q, K and V through f16 as the CPU engine's (llama.cpp's) F16 cache does.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _, Result};

use super::runtime::{Arg, Batch, Buffer, DispatchId, Memory, Program, RunReport, Runtime};
use crate::generate::GenStats;
use crate::gguf::GgmlType;
use crate::model::{ops, Arch, Config, KvCache, Model, RopeMode};
use crate::quant::{act_kind, ActKind, Matrix};
use crate::sample::{argmax, Sampler, SamplerConfig};

/// Logits per argmax_partial workgroup.
const ARGMAX_CHUNK: u32 = 2048;

// Explicit-argument positions patched per token (kernels/src/*.cl signatures).
/// `gemv_*(w, x, y, rows, cols, group)`: y.
const GEMV_ARG_Y: usize = 2;
/// `rms_norm(x, w, out, n, eps, add_one)`: x.
const RMS_NORM_ARG_X: usize = 0;
/// `rms_norm(x, w, out, n, eps, add_one)`: out.
const RMS_NORM_ARG_OUT: usize = 2;
/// `rope(x, n_heads, head_dim, n_rot, pos, cs, neox)`: x.
const ROPE_ARG_X: usize = 0;
/// `rope(x, n_heads, head_dim, n_rot, pos, cs, neox)`: pos.
const ROPE_ARG_POS: usize = 4;
/// Arguments after the buffers of every attention kernel: `n_head, n_kv_head, head_dim,
/// kv_len, window, q_scale, score_scale` (+ `split_len, n_split` for the split kernels).
/// kv_len is the 4th of them, split_len the 8th.
const ATTN_TAIL_KV_LEN: usize = 3;
const ATTN_TAIL_SPLIT_LEN: usize = 7;
/// Buffer arguments of `attn_decode(q, k, v, tab, out, …)`.
const ATTN_DECODE_BUFS: usize = 5;
/// Buffer arguments of `attn_max_split(q, k, maxes, …)`, `attn_sum_split(q, k, tab, maxes,
/// sums, …)` and `attn_decode_split(q, k, v, tab, maxes, sums, part, …)`.
const ATTN_MAX_BUFS: usize = 3;
const ATTN_SUM_BUFS: usize = 5;
const ATTN_SPLIT_BUFS: usize = 7;

/// Split-K decode attention: a layer that can attend more than this many positions runs
/// `attn_max_split` + `attn_sum_split` + `attn_decode_split` over `ceil(positions /
/// ATTN_SPLIT_POSITIONS)` splits (at most [`ATTN_MAX_SPLITS`]) and `attn_combine`, so a long
/// context spreads over n_head × splits workgroups instead of n_head (Gemma 3 270M: 4 query
/// heads on a 40-CU card). Each token shares the attended positions evenly among the splits;
/// unused splits are empty.
const ATTN_SPLIT_POSITIONS: usize = 512;
/// Most splits per head.
const ATTN_MAX_SPLITS: usize = 32;

/// How a layer's attention runs, and what the host patches per token.
#[derive(Debug, Clone, Copy)]
enum AttnPatch {
    /// One `attn_decode` workgroup per head.
    Single(DispatchId),
    /// `attn_max_split`, `attn_sum_split` and `attn_decode_split` over `n_split` splits
    /// (window 0: no sliding window).
    Split {
        max: DispatchId,
        sum: DispatchId,
        id: DispatchId,
        n_split: u32,
        window: u32,
    },
}

impl AttnPatch {
    /// The kernel arguments that depend on the KV length `kv_len`.
    fn patch(self, p: &Program, kv_len: u32) -> Result<()> {
        match self {
            AttnPatch::Single(id) => p.set_u32(id, ATTN_DECODE_BUFS + ATTN_TAIL_KV_LEN, kv_len),
            AttnPatch::Split {
                max,
                sum,
                id,
                n_split,
                window,
            } => {
                let len = split_len(kv_len, window, n_split);
                for (d, bufs) in [
                    (max, ATTN_MAX_BUFS),
                    (sum, ATTN_SUM_BUFS),
                    (id, ATTN_SPLIT_BUFS),
                ] {
                    p.set_u32(d, bufs + ATTN_TAIL_KV_LEN, kv_len)?;
                    p.set_u32(d, bufs + ATTN_TAIL_SPLIT_LEN, len)?;
                }
                Ok(())
            }
        }
    }
}

/// Positions per split for `kv_len` attended positions (a sliding `window` caps them):
/// an even share, rounded up to whole 64-position chunks of the kernel's online softmax.
fn split_len(kv_len: u32, window: u32, n_split: u32) -> u32 {
    let attended = if window != 0 {
        kv_len.min(window)
    } else {
        kv_len
    };
    let wg = kernels::WORKGROUP_SIZE;
    attended.div_ceil(n_split).div_ceil(wg).max(1) * wg
}

/// Splits for a layer that attends at most `max_positions` (1: no split).
fn attn_splits(max_positions: usize) -> u32 {
    max_positions
        .div_ceil(ATTN_SPLIT_POSITIONS)
        .clamp(1, ATTN_MAX_SPLITS) as u32
}

/// The kernel-name suffix of a weight type (`gemv_<s>`, `get_rows_<s>`).
fn type_suffix(ty: GgmlType) -> Result<&'static str> {
    Ok(match ty {
        GgmlType::Q4_0 => "q4_0",
        GgmlType::Q4_1 => "q4_1",
        GgmlType::Q5_0 => "q5_0",
        GgmlType::Q8_0 => "q8_0",
        GgmlType::Q4_K => "q4_k",
        GgmlType::Q6_K => "q6_k",
        GgmlType::F16 => "f16",
        GgmlType::F32 => "f32",
        other => bail!("no GPU kernel for {other} weights"),
    })
}

/// A weight matrix on the device.
struct DevMatrix {
    buf: Buffer,
    ty: GgmlType,
    rows: u32,
    cols: u32,
}

/// Per-token patch points of one block.
struct LayerPatches {
    k_gemv: DispatchId,
    v_gemv: DispatchId,
    k_norm: Option<DispatchId>,
    rope_q: DispatchId,
    rope_k: DispatchId,
    attn: AttnPatch,
    k_cache: Buffer,
    v_cache: Buffer,
}

/// Timing and counters of one token.
#[derive(Debug, Clone)]
pub struct TokenStats {
    /// Host time to patch the kernargs for this position (the IB is never rebuilt).
    pub patch: Duration,
    /// The submission: CS ioctl to fence signalled.
    pub run: RunReport,
}

/// Where generation starts.
#[derive(Clone, Copy)]
pub enum Prompt<'a> {
    /// Run these prompt tokens on the device, one submission each.
    Tokens(&'a [u32]),
    /// The prompt was already run elsewhere (the CPU engine's batched prefill): its tokens,
    /// the filled cache and the logits of the last prompt token.
    Prefilled {
        /// Prompt tokens (for the repetition-penalty history and statistics).
        tokens: &'a [u32],
        /// Their keys and values.
        cache: &'a KvCache,
        /// Logits after the last prompt token.
        logits: &'a [f32],
    },
}

/// A model resident on the device, ready to decode.
pub struct GpuModel<'rt> {
    rt: &'rt Runtime,
    cfg: Config,
    program: Program,
    layers: Vec<LayerPatches>,
    ids: Buffer,
    logits: Buffer,
    n_ctx: usize,
    pos: usize,
    kv_row_bytes: u64,
    weight_bytes: u64,
    token_weight_bytes: u64,
    build_time: Duration,
    program_time: Duration,
}

fn upload_matrix(rt: &Runtime, m: &Matrix<'_>) -> Result<DevMatrix> {
    type_suffix(m.ty)?;
    let block = match act_kind(m.ty) {
        ActKind::F32 => 1,
        ActKind::Q8 => kernels::Q8_BLOCK as usize,
        ActKind::Q8K => kernels::Q8K_BLOCK as usize,
    };
    ensure!(
        m.cols.is_multiple_of(block),
        "{} weights with {} columns: the activation quantizer needs a multiple of {block}",
        m.ty,
        m.cols
    );
    Ok(DevMatrix {
        buf: rt.upload(m.data, Memory::VramNoCpu)?,
        ty: m.ty,
        rows: u32::try_from(m.rows)?,
        cols: u32::try_from(m.cols)?,
    })
}

/// Where the quantized copies of the current activation vector live: one buffer per
/// quantized format, reused by every quantization site (the batch's hazard tracking orders
/// the reuse).
struct ActBufs {
    q8: Buffer,
    q8k: Buffer,
}

/// Records the quantizations of `x` (`n` values) that the GEMVs by `ws` need, once per
/// distinct format, as the CPU engine quantizes the activation per `vec_dot` type
/// (engine::quant::act_kind). F16/F32 weights take `x` as it is.
fn quantize(
    b: &mut Batch<'_>,
    ws: &[&DevMatrix],
    x: &Buffer,
    n: u32,
    acts: &ActBufs,
) -> Result<()> {
    let mut done: Vec<ActKind> = Vec::new();
    for w in ws {
        let kind = act_kind(w.ty);
        if kind == ActKind::F32 || done.contains(&kind) {
            continue;
        }
        done.push(kind);
        let (kernel, grid, out) = match kind {
            ActKind::Q8 => ("quantize_q8", kernels::quantize_q8_grid(n), &acts.q8),
            ActKind::Q8K => ("quantize_q8k", kernels::quantize_q8k_grid(n), &acts.q8k),
            ActKind::F32 => unreachable!("skipped above"),
        };
        b.dispatch(
            kernel,
            [grid, 1, 1],
            &[Arg::Buf(x.clone()), Arg::Buf(out.clone()), Arg::U32(n)],
        )?;
    }
    Ok(())
}

/// Records `y = W·x`; quantized weights read `x` as [`quantize`] left it in `acts`.
fn gemv(
    b: &mut Batch<'_>,
    w: &DevMatrix,
    x: &Buffer,
    acts: &ActBufs,
    y: Arg,
) -> Result<DispatchId> {
    // The quantized kernels add up a row in the CPU's order, on a fixed 8 lanes per row.
    let (x, group, grid) = match act_kind(w.ty) {
        ActKind::F32 => {
            let group = kernels::gemv_group(w.cols);
            (x, group, kernels::gemv_grid(w.rows, group))
        }
        ActKind::Q8 => (
            &acts.q8,
            kernels::GEMV_QUANT_GROUP,
            kernels::gemv_quant_grid(w.rows, kernels::Q8_BLOCK),
        ),
        ActKind::Q8K => (
            &acts.q8k,
            kernels::GEMV_QUANT_GROUP,
            kernels::gemv_quant_grid(w.rows, kernels::Q8K_BLOCK),
        ),
    };
    // Tall Q8_0 matrices (the output projection) fill the device with one lane per row.
    let tall = w.ty == GgmlType::Q8_0 && w.rows >= kernels::GEMV_LANE_PER_ROW_MIN_ROWS;
    let (kernel, grid) = if tall {
        (
            "gemv_q8_0_tall".to_string(),
            w.rows.div_ceil(kernels::WORKGROUP_SIZE),
        )
    } else {
        (format!("gemv_{}", type_suffix(w.ty)?), grid)
    };
    b.dispatch(
        &kernel,
        [grid, 1, 1],
        &[
            Arg::Buf(w.buf.clone()),
            Arg::Buf(x.clone()),
            y,
            Arg::U32(w.rows),
            Arg::U32(w.cols),
            Arg::U32(group),
        ],
    )
}

/// Records an RMSNorm of `rows` rows of `n` values from `x` into `out` (may alias).
fn rms_norm(
    b: &mut Batch<'_>,
    x: Arg,
    w: &Buffer,
    out: Arg,
    rows: u32,
    n: u32,
    eps: f32,
) -> Result<DispatchId> {
    b.dispatch(
        "rms_norm",
        [rows, 1, 1],
        &[
            x,
            Arg::Buf(w.clone()),
            out,
            Arg::U32(n),
            Arg::F32(eps),
            // add_one = 0: weights are used as stored (the gemma GGUF converter folds in the +1).
            Arg::U32(0),
        ],
    )
}

/// Records `x += norm(o)`: the block output `o` (RMS-normed in place first when the model has
/// a post-attention / post-FFN norm, gemma3) added to the residual stream `x`.
fn residual(
    b: &mut Batch<'_>,
    post_norm: Option<&Buffer>,
    x: &Buffer,
    o: &Buffer,
    d: u32,
    eps: f32,
) -> Result<()> {
    if let Some(w) = post_norm {
        let oa = Arg::Buf(o.clone());
        rms_norm(b, oa.clone(), w, oa, 1, d, eps)?;
    }
    let xa = Arg::Buf(x.clone());
    elementwise(
        b,
        "add_f32",
        d,
        &[xa.clone(), Arg::Buf(o.clone()), xa, Arg::U32(d)],
    )?;
    Ok(())
}

/// Records an elementwise kernel over `n` values.
fn elementwise(b: &mut Batch<'_>, kernel: &str, n: u32, args: &[Arg]) -> Result<DispatchId> {
    b.dispatch(kernel, [n.div_ceil(kernels::WORKGROUP_SIZE), 1, 1], args)
}

impl<'rt> GpuModel<'rt> {
    /// Uploads `model`'s weights (once), allocates a KV cache of `n_ctx` positions and
    /// builds the token program. `progress(done, total)` is called once per uploaded block.
    pub fn new(
        rt: &'rt Runtime,
        model: &Model<'_>,
        n_ctx: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<GpuModel<'rt>> {
        let t0 = Instant::now();
        let cfg = model.cfg.clone();
        ensure!(
            n_ctx > 0,
            "GPU model: the context must hold at least one position"
        );
        ensure!(
            cfg.rope_scale == 1.0,
            "GPU model: rope scaling ({}) is not implemented by the rope kernel",
            cfg.rope_scale
        );
        ensure!(
            cfg.attn_softcap.is_none(),
            "GPU model: attention soft-capping is not implemented by the attention kernel"
        );
        ensure!(
            cfg.head_dim == cfg.head_dim_v
                && cfg.head_dim as u32 <= kernels::ATTN_MAX_HEAD_DIM
                && cfg.head_dim.is_multiple_of(4),
            "GPU model: head sizes {}/{} are not supported by the attention kernel",
            cfg.head_dim,
            cfg.head_dim_v
        );
        let u = |v: usize| u32::try_from(v).context("model dimension exceeds u32");
        let (d, hd, nh, nkv, ff, vocab) = (
            u(cfg.n_embd)?,
            u(cfg.head_dim)?,
            u(cfg.n_head)?,
            u(cfg.n_head_kv)?,
            u(cfg.n_ff)?,
            u(cfg.n_vocab)?,
        );
        let kv_dim = u64::from(nkv * hd);
        let f32s = |n: u32| u64::from(n) * 4;

        // Weights, once.
        let mut weight_bytes = 0u64;
        let mut up_m = |m: &Matrix<'_>| -> Result<DevMatrix> {
            weight_bytes += m.data.len() as u64;
            upload_matrix(rt, m)
        };
        let tok_embd = up_m(&model.tok_embd)?;
        let tied = std::ptr::eq(model.output.data, model.tok_embd.data);
        let output = if tied {
            DevMatrix {
                buf: tok_embd.buf.clone(),
                ..tok_embd
            }
        } else {
            up_m(&model.output)?
        };
        let vec_up = |v: &[f32]| rt.upload_f32(v, Memory::Vram);
        let output_norm = vec_up(&model.output_norm)?;

        // Activations and the cache.
        // Nothing but the logits (host sampling) and the token id is ever read by the host.
        let act = |n: u32| rt.alloc(f32s(n), Memory::VramNoCpu);
        let x = act(d)?;
        let h = act(d)?;
        let q = act(nh * hd)?;
        let att = act(nh * hd)?;
        let o = act(d)?;
        let g = act(ff)?;
        let up = act(ff)?;
        let logits = rt.alloc(f32s(vocab), Memory::Vram)?;
        let n_parts = vocab.div_ceil(ARGMAX_CHUNK);
        let part_val = act(n_parts)?;
        let part_idx = act(n_parts)?;
        let best_val = act(1)?;
        let ids = rt.alloc(4, Memory::Gtt)?;
        let widest = d.max(nh * hd).max(ff);
        let acts = ActBufs {
            q8: rt.alloc(kernels::q8_act_bytes(widest), Memory::VramNoCpu)?,
            q8k: rt.alloc(kernels::q8k_act_bytes(widest), Memory::VramNoCpu)?,
        };
        let kv_row_bytes = kv_dim * 4;

        let mut b = rt.batch();
        let emb_scale = cfg.embed_scale.unwrap_or(1.0);
        b.dispatch(
            &format!("get_rows_{}", type_suffix(tok_embd.ty)?),
            [d.div_ceil(kernels::WORKGROUP_SIZE), 1, 1],
            &[
                Arg::Buf(tok_embd.buf.clone()),
                Arg::Buf(ids.clone()),
                Arg::Buf(x.clone()),
                Arg::U32(d),
                Arg::F32(emb_scale),
            ],
        )?;

        // Gemma's GELU is looked up in the CPU engine's own f16 table (see glu_gelu_table).
        let gelu_table = match cfg.arch {
            Arch::Llama => None,
            Arch::Gemma3 => Some(vec_up(&ops::gelu_ggml_table())?),
        };
        let mut rope_tables: Vec<(u32, Buffer)> = Vec::new();
        // glibc's expf table: silu and the softmax compute exp exactly as the CPU engine.
        let exp_tab = rt.upload(bytemuck::cast_slice(&kernels::EXPF_TABLE), Memory::Vram)?;
        let n_layers = model.layers.len();
        let mut layers = Vec::with_capacity(n_layers);
        let mut attn_part: Option<(Buffer, Buffer, Buffer)> = None;
        for (il, l) in model.layers.iter().enumerate() {
            let (wq, wk, wv, wo) = (up_m(&l.wq)?, up_m(&l.wk)?, up_m(&l.wv)?, up_m(&l.wo)?);
            let (wg, wu, wd) = (up_m(&l.gate)?, up_m(&l.up)?, up_m(&l.down)?);
            let attn_norm = vec_up(&l.attn_norm)?;
            let ffn_norm = vec_up(&l.ffn_norm)?;
            let opt = |v: &Option<Vec<f32>>| v.as_deref().map(vec_up).transpose();
            let (q_norm, k_norm) = (opt(&l.q_norm)?, opt(&l.k_norm)?);
            let (post_attn, post_ffn) = (opt(&l.post_attn_norm)?, opt(&l.post_ffn_norm)?);
            let k_cache = rt.alloc(kv_row_bytes * n_ctx as u64, Memory::VramNoCpu)?;
            let v_cache = rt.alloc(kv_row_bytes * n_ctx as u64, Memory::VramNoCpu)?;

            // Attention.
            rms_norm(
                &mut b,
                Arg::Buf(x.clone()),
                &attn_norm,
                Arg::Buf(h.clone()),
                1,
                d,
                cfg.eps,
            )?;
            quantize(&mut b, &[&wq, &wk, &wv], &h, d, &acts)?;
            gemv(&mut b, &wq, &h, &acts, Arg::Buf(q.clone()))?;
            // K and V go straight to the cache row of the current position (patched).
            let k_gemv = gemv(&mut b, &wk, &h, &acts, Arg::At(k_cache.clone(), 0))?;
            let v_gemv = gemv(&mut b, &wv, &h, &acts, Arg::At(v_cache.clone(), 0))?;
            if let Some(w) = &q_norm {
                let qa = Arg::Buf(q.clone());
                rms_norm(&mut b, qa.clone(), w, qa, nh, hd, cfg.eps)?;
            }
            let k_norm_id = match &k_norm {
                Some(w) => {
                    let ka = Arg::At(k_cache.clone(), 0);
                    Some(rms_norm(&mut b, ka.clone(), w, ka, nkv, hd, cfg.eps)?)
                }
                None => None,
            };
            let base = if cfg.swa_layers[il] {
                cfg.rope_base_swa
            } else {
                cfg.rope_base
            };
            let neox = u32::from(cfg.rope_mode == RopeMode::Neox);
            // The CPU reference's own angles, one table per distinct base (Gemma: local and
            // global layers), positions 0..n_ctx.
            let cs = match rope_tables.iter().find(|(b, _)| *b == base.to_bits()) {
                Some((_, t)) => t.clone(),
                None => {
                    let t = vec_up(&ops::rope_table(n_ctx, base, 1.0, cfg.n_rot))?;
                    rope_tables.push((base.to_bits(), t.clone()));
                    t
                }
            };
            let rope = |b: &mut Batch<'_>, xa: Arg, heads: u32| {
                b.dispatch(
                    "rope",
                    [
                        (heads * u(cfg.n_rot)? / 2).div_ceil(kernels::WORKGROUP_SIZE),
                        1,
                        1,
                    ],
                    &[
                        xa,
                        Arg::U32(heads),
                        Arg::U32(hd),
                        Arg::U32(u(cfg.n_rot)?),
                        Arg::U32(0), // pos: patched per token
                        Arg::Buf(cs.clone()),
                        Arg::U32(neox),
                    ],
                )
            };
            let rope_q = rope(&mut b, Arg::Buf(q.clone()), nh)?;
            let rope_k = rope(&mut b, Arg::At(k_cache.clone(), 0), nkv)?;
            let window = if cfg.swa_layers[il] {
                u(cfg.sliding_window)?
            } else {
                0
            };
            let max_positions = if window != 0 {
                n_ctx.min(window as usize)
            } else {
                n_ctx
            };
            let n_split = attn_splits(max_positions);
            // gemma3 scales Q before the product, llama the scores (as the CPU reference).
            let (q_scale, score_scale) = match cfg.arch {
                Arch::Gemma3 => (cfg.attn_scale, 1.0),
                Arch::Llama => (1.0, cfg.attn_scale),
            };
            // attn_decode(q, k, v, tab, out, <tail>) and the split kernels (buffers, <tail>,
            // split_len, n_split) share the tail.
            let tail = || {
                vec![
                    Arg::U32(nh),
                    Arg::U32(nkv),
                    Arg::U32(hd),
                    Arg::U32(1), // kv_len: patched per token
                    Arg::U32(window),
                    Arg::F32(q_scale),
                    Arg::F32(score_scale),
                ]
            };
            let (qa, ka, va, ta) = (
                Arg::Buf(q.clone()),
                Arg::Buf(k_cache.clone()),
                Arg::Buf(v_cache.clone()),
                Arg::Buf(exp_tab.clone()),
            );
            let attn = if n_split == 1 {
                let mut args = vec![qa, ka, va, ta, Arg::Buf(att.clone())];
                args.extend(tail());
                AttnPatch::Single(b.dispatch("attn_decode", [nh, 1, 1], &args)?)
            } else {
                // Per head and split: max score, sum of exponentials (f64) and the split's
                // share of the output; one set of buffers serves every layer (the batch orders
                // the reuse).
                let (maxes, sums, part) = match &attn_part {
                    Some(p) => p,
                    None => attn_part.insert((
                        act(nh * ATTN_MAX_SPLITS as u32)?,
                        act(nh * ATTN_MAX_SPLITS as u32 * 2)?,
                        act(nh * ATTN_MAX_SPLITS as u32 * hd)?,
                    )),
                };
                let with_tail = |mut bufs: Vec<Arg>| {
                    bufs.extend(tail());
                    bufs.extend([
                        Arg::U32(kernels::WORKGROUP_SIZE), // split_len: patched per token
                        Arg::U32(n_split),
                    ]);
                    bufs
                };
                let (ma, sa) = (Arg::Buf(maxes.clone()), Arg::Buf(sums.clone()));
                let grid = [nh, n_split, 1];
                let max = b.dispatch(
                    "attn_max_split",
                    grid,
                    &with_tail(vec![qa.clone(), ka.clone(), ma.clone()]),
                )?;
                let sum = b.dispatch(
                    "attn_sum_split",
                    grid,
                    &with_tail(vec![
                        qa.clone(),
                        ka.clone(),
                        ta.clone(),
                        ma.clone(),
                        sa.clone(),
                    ]),
                )?;
                let id = b.dispatch(
                    "attn_decode_split",
                    grid,
                    &with_tail(vec![qa, ka, va, ta, ma, sa, Arg::Buf(part.clone())]),
                )?;
                b.dispatch(
                    "attn_combine",
                    [nh, 1, 1],
                    &[
                        Arg::Buf(part.clone()),
                        Arg::Buf(att.clone()),
                        Arg::U32(hd),
                        Arg::U32(n_split),
                    ],
                )?;
                AttnPatch::Split {
                    max,
                    sum,
                    id,
                    n_split,
                    window,
                }
            };
            quantize(&mut b, &[&wo], &att, nh * hd, &acts)?;
            gemv(&mut b, &wo, &att, &acts, Arg::Buf(o.clone()))?;
            residual(&mut b, post_attn.as_ref(), &x, &o, d, cfg.eps)?;

            // Feed-forward.
            rms_norm(
                &mut b,
                Arg::Buf(x.clone()),
                &ffn_norm,
                Arg::Buf(h.clone()),
                1,
                d,
                cfg.eps,
            )?;
            quantize(&mut b, &[&wg, &wu], &h, d, &acts)?;
            gemv(&mut b, &wg, &h, &acts, Arg::Buf(g.clone()))?;
            gemv(&mut b, &wu, &h, &acts, Arg::Buf(up.clone()))?;
            let ga = Arg::Buf(g.clone());
            let ua = Arg::Buf(up.clone());
            match &gelu_table {
                None => elementwise(
                    &mut b,
                    "glu_silu",
                    ff,
                    &[ga.clone(), ua, Arg::Buf(exp_tab.clone()), ga, Arg::U32(ff)],
                )?,
                Some(t) => elementwise(
                    &mut b,
                    "glu_gelu_table",
                    ff,
                    &[ga.clone(), ua, Arg::Buf(t.clone()), ga, Arg::U32(ff)],
                )?,
            };
            quantize(&mut b, &[&wd], &g, ff, &acts)?;
            gemv(&mut b, &wd, &g, &acts, Arg::Buf(o.clone()))?;
            residual(&mut b, post_ffn.as_ref(), &x, &o, d, cfg.eps)?;
            layers.push(LayerPatches {
                k_gemv,
                v_gemv,
                k_norm: k_norm_id,
                rope_q,
                rope_k,
                attn,
                k_cache,
                v_cache,
            });
            progress(il + 1, n_layers);
        }

        // Output and greedy sampling on the device.
        rms_norm(
            &mut b,
            Arg::Buf(x.clone()),
            &output_norm,
            Arg::Buf(h.clone()),
            1,
            d,
            cfg.eps,
        )?;
        quantize(&mut b, &[&output], &h, d, &acts)?;
        gemv(&mut b, &output, &h, &acts, Arg::Buf(logits.clone()))?;
        if let Some(cap) = cfg.final_softcap {
            b.dispatch(
                "softcap",
                [vocab.div_ceil(kernels::WORKGROUP_SIZE), 1, 1],
                &[Arg::Buf(logits.clone()), Arg::U32(vocab), Arg::F32(cap)],
            )?;
        }
        b.dispatch(
            "argmax_partial",
            [n_parts, 1, 1],
            &[
                Arg::Buf(logits.clone()),
                Arg::U32(vocab),
                Arg::U32(ARGMAX_CHUNK),
                Arg::Buf(part_val.clone()),
                Arg::Buf(part_idx.clone()),
            ],
        )?;
        b.dispatch(
            "argmax_final",
            [1, 1, 1],
            &[
                Arg::Buf(part_val),
                Arg::Buf(part_idx),
                Arg::U32(n_parts),
                Arg::Buf(ids.clone()),
                Arg::Buf(best_val),
            ],
        )?;
        let t_prog = Instant::now();
        let program = b.finish()?;
        let program_time = t_prog.elapsed();
        Ok(GpuModel {
            rt,
            cfg,
            program,
            layers,
            ids,
            logits,
            n_ctx,
            pos: 0,
            kv_row_bytes,
            weight_bytes,
            // The embedding table is read one row per token, unless it is also the output.
            token_weight_bytes: weight_bytes - model.tok_embd.data.len() as u64
                + if tied {
                    model.tok_embd.data.len() as u64
                } else {
                    model.tok_embd.row_bytes as u64
                },
            build_time: t0.elapsed(),
            program_time,
        })
    }

    /// Hyperparameters.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The token program (dispatch / barrier counts, IB size).
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Bytes of weight matrices uploaded (norm vectors excluded).
    pub fn weight_bytes(&self) -> u64 {
        self.weight_bytes
    }

    /// Host time spent uploading the weights and building the program.
    pub fn build_time(&self) -> Duration {
        self.build_time
    }

    /// Host time of [`Batch::finish`] for the token program: kernarg layout, the IB built
    /// and uploaded (done once; later tokens only patch kernargs).
    pub fn program_time(&self) -> Duration {
        self.program_time
    }

    /// The bytes a token at KV length `kv_len` must read at least: every weight matrix once
    /// (the embedding table: one row) plus the K and V rows attended (norm vectors and
    /// activations excluded).
    pub fn ideal_bytes(&self, kv_len: usize) -> u64 {
        let kv: u64 = (0..self.cfg.n_layer)
            .map(|il| {
                let w = self.cfg.sliding_window;
                let n = if self.cfg.swa_layers[il] && w > 0 {
                    kv_len.min(w)
                } else {
                    kv_len
                };
                2 * n as u64 * self.kv_row_bytes
            })
            .sum();
        self.token_weight_bytes + kv
    }

    /// Positions already in the KV cache.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Capacity in positions.
    pub fn n_ctx(&self) -> usize {
        self.n_ctx
    }

    /// Forgets every position (the cache rows are simply overwritten later).
    pub fn reset(&mut self) {
        self.pos = 0;
    }

    /// Points the program at position `pos`: rope angles, the KV rows written, the KV
    /// length attended.
    fn patch(&self, pos: usize) -> Result<()> {
        let p = &self.program;
        let row = pos as u64 * self.kv_row_bytes;
        let pos32 = u32::try_from(pos)?;
        for l in &self.layers {
            p.set_ptr(l.k_gemv, GEMV_ARG_Y, &l.k_cache, row)?;
            p.set_ptr(l.v_gemv, GEMV_ARG_Y, &l.v_cache, row)?;
            if let Some(kn) = l.k_norm {
                p.set_ptr(kn, RMS_NORM_ARG_X, &l.k_cache, row)?;
                p.set_ptr(kn, RMS_NORM_ARG_OUT, &l.k_cache, row)?;
            }
            p.set_u32(l.rope_q, ROPE_ARG_POS, pos32)?;
            p.set_ptr(l.rope_k, ROPE_ARG_X, &l.k_cache, row)?;
            p.set_u32(l.rope_k, ROPE_ARG_POS, pos32)?;
            l.attn.patch(p, pos32 + 1)?;
        }
        Ok(())
    }

    /// Runs one token at the next position. `token` is the input id; `None` feeds the id
    /// the previous step's device argmax left in place (no host round trip). Returns the
    /// greedy (argmax) next id and the step's timing.
    pub fn step(&mut self, token: Option<u32>) -> Result<(u32, TokenStats)> {
        ensure!(
            self.pos < self.n_ctx,
            "context full: {} positions (GPU KV cache size)",
            self.n_ctx
        );
        if let Some(t) = token {
            ensure!(
                (t as usize) < self.cfg.n_vocab,
                "token id {t} out of range (vocabulary {})",
                self.cfg.n_vocab
            );
            self.ids.write(0, &t.to_le_bytes())?;
        } else {
            ensure!(self.pos > 0, "the first step needs an input token");
        }
        let t0 = Instant::now();
        self.patch(self.pos)?;
        let patch = t0.elapsed();
        let run = self.rt.run(&self.program)?;
        self.pos += 1;
        let id = self.ids.read_u32(0, 1)?[0];
        ensure!(
            (id as usize) < self.cfg.n_vocab,
            "device argmax returned id {id} (vocabulary {}): no finite logit?",
            self.cfg.n_vocab
        );
        Ok((id, TokenStats { patch, run }))
    }

    /// The logits of the last step (diagnostics; a generation loop never needs them).
    pub fn logits(&self) -> Result<Vec<f32>> {
        self.logits.read_f32(0, self.cfg.n_vocab)
    }

    /// Continues from a prefill done elsewhere (the CPU engine): copies the cache's K and V
    /// rows into the device cache, the logits into the logits buffer and their argmax (lowest
    /// index on ties, as the device) where the next embedding lookup reads it; the next step
    /// runs at position `cache.len()`. Returns that argmax.
    pub fn import_prefill(&mut self, cache: &KvCache, logits: &[f32]) -> Result<u32> {
        ensure!(
            cache.len() <= self.n_ctx,
            "prefilled cache holds {} positions, the GPU cache {}",
            cache.len(),
            self.n_ctx
        );
        ensure!(
            logits.len() == self.cfg.n_vocab,
            "{} logits for a vocabulary of {}",
            logits.len(),
            self.cfg.n_vocab
        );
        let want = cache.len() * self.kv_row_bytes as usize / 4;
        for (il, l) in self.layers.iter().enumerate() {
            let (k, v) = cache
                .layer(il)
                .ok_or_else(|| anyhow::anyhow!("prefilled cache has no layer {il}"))?;
            ensure!(
                k.len() == want && v.len() == want,
                "prefilled cache layer {il}: {} / {} values, expected {want}",
                k.len(),
                v.len()
            );
            self.rt.write(&l.k_cache, 0, bytemuck::cast_slice(k))?;
            self.rt.write(&l.v_cache, 0, bytemuck::cast_slice(v))?;
        }
        self.logits.write_f32(0, logits)?;
        let id = argmax(logits);
        self.ids.write(0, &id.to_le_bytes())?;
        self.pos = cache.len();
        Ok(id)
    }

    /// Generates up to `n` tokens after `prompt` like [`crate::generate::generate`] (same
    /// callbacks and statistics), one submission per token. [`Prompt::Tokens`] runs the
    /// prompt on the device too (one submission per prompt token); [`Prompt::Prefilled`]
    /// starts from a CPU prefill instead ([`GpuModel::import_prefill`]). Greedy settings
    /// (temperature ≤ 0, no repetition penalty) sample on the device and read back 4 bytes
    /// per token; other settings read the logits back and sample on the host. Each step's
    /// timing and counters are appended to `steps`.
    pub fn generate(
        &mut self,
        prompt: Prompt<'_>,
        n: usize,
        cfg: &SamplerConfig,
        is_eog: impl Fn(u32) -> bool,
        mut on_token: impl FnMut(u32) -> Result<bool>,
        steps: &mut Vec<TokenStats>,
    ) -> Result<GenStats> {
        let tokens = match prompt {
            Prompt::Tokens(t) | Prompt::Prefilled { tokens: t, .. } => t,
        };
        ensure!(!tokens.is_empty(), "empty prompt");
        let device_argmax = cfg.temperature <= 0.0 && cfg.repeat_penalty == 1.0;
        let mut sampler = Sampler::new(cfg.clone());
        let mut stats = GenStats {
            prompt_tokens: tokens.len(),
            ..Default::default()
        };
        let start = Instant::now();
        let mut greedy = match prompt {
            Prompt::Tokens(_) => {
                let mut id = 0;
                for &t in tokens {
                    let (g, s) = self.step(Some(t))?;
                    id = g;
                    steps.push(s);
                }
                id
            }
            Prompt::Prefilled { cache, logits, .. } => {
                ensure!(
                    cache.len() == tokens.len(),
                    "prefilled cache holds {} positions, the prompt has {} tokens",
                    cache.len(),
                    tokens.len()
                );
                self.import_prefill(cache, logits)?
            }
        };
        stats.prompt_secs = start.elapsed().as_secs_f64();
        let mut history = tokens.to_vec();
        let mut first_at = None;
        for i in 0..n {
            let next = if device_argmax {
                greedy
            } else {
                sampler.sample(&mut self.logits()?, &history)
            };
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
            // The device argmax already sits where the embedding lookup reads it.
            let (id, s) = self.step((!device_argmax).then_some(next))?;
            greedy = id;
            steps.push(s);
        }
        if let Some(t) = first_at {
            stats.decode_secs = t.elapsed().as_secs_f64();
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn splits_share_the_attended_positions_in_whole_chunks() {
        assert_eq!(attn_splits(1), 1);
        assert_eq!(attn_splits(512), 1);
        assert_eq!(attn_splits(513), 2);
        assert_eq!(attn_splits(1 << 20), ATTN_MAX_SPLITS as u32);
        // 601 positions over 2 splits: 301 -> 320 (5 chunks of 64); both splits non-empty.
        assert_eq!(split_len(601, 0, 2), 320);
        // A sliding window caps what is shared; a short context still gets one chunk.
        assert_eq!(split_len(5000, 512, 4), 128);
        assert_eq!(split_len(1, 0, 8), 64);
        for (kv, win, n) in [
            (1u32, 0u32, 2u32),
            (700, 0, 3),
            (4096, 1024, 8),
            (100, 0, 32),
        ] {
            let attended = if win != 0 { kv.min(win) } else { kv };
            assert!(split_len(kv, win, n) * n >= attended, "{kv} {win} {n}");
        }
    }
}
