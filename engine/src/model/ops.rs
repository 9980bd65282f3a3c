//! The small numeric kernels of a transformer block, in the same arithmetic
//! as ggml's CPU ops (`ggml/src/ggml-cpu/ops.cpp`, `vec.h`).

use super::config::RopeMode;
use crate::quant::half::{f16_to_f32, f32_to_f16, round_f16};

/// `out = x / rms(x) * w` (ggml_rms_norm then mul): the mean of squares is
/// summed in f64 as ggml does (`ggml_float`).
pub fn rms_norm(x: &[f32], w: &[f32], eps: f32, out: &mut [f32]) {
    let sum: f64 = x.iter().map(|&v| (v * v) as f64).sum();
    let mean = (sum / x.len() as f64) as f32;
    let scale = 1.0 / (mean + eps).sqrt();
    for ((o, &v), &g) in out.iter_mut().zip(x).zip(w) {
        *o = v * scale * g;
    }
}

/// [`rms_norm`] in place (`x = x / rms(x) * w`): the sum reads all of `x`
/// before any element is written, so the values are the same.
pub fn rms_norm_inplace(x: &mut [f32], w: &[f32], eps: f32) {
    let sum: f64 = x.iter().map(|&v| (v * v) as f64).sum();
    let mean = (sum / x.len() as f64) as f32;
    let scale = 1.0 / (mean + eps).sqrt();
    for (v, &g) in x.iter_mut().zip(w) {
        *v = *v * scale * g;
    }
}

/// In-place RMSNorm of every `w.len()`-sized chunk of `x`.
pub fn rms_norm_chunks(x: &mut [f32], w: &[f32], eps: f32) {
    for c in x.chunks_exact_mut(w.len()) {
        rms_norm_inplace(c, w, eps);
    }
}

/// Rotary position embedding of one head vector at position `pos`
/// (`ggml_rope_ext` without YaRN): angle_i = pos·scale·base^(−2i/n_rot),
/// the power accumulated by repeated multiplication as ggml's
/// `ggml_rope_cache_init` does.
pub fn rope(x: &mut [f32], pos: usize, base: f32, scale: f32, n_rot: usize, mode: RopeMode) {
    rope_with(x, rope_sin_cos(pos, base, scale, n_rot), n_rot, mode);
}

/// [`rope`] with the position's `(sin, cos)` pairs given (from [`rope_sin_cos`]).
pub fn rope_with(
    x: &mut [f32],
    sin_cos: impl IntoIterator<Item = (f32, f32)>,
    n_rot: usize,
    mode: RopeMode,
) {
    for (i, (s, c)) in sin_cos.into_iter().enumerate() {
        let (a, b) = match mode {
            RopeMode::Normal => (2 * i, 2 * i + 1),
            RopeMode::Neox => (i, i + n_rot / 2),
        };
        let (x0, x1) = (x[a], x[b]);
        x[a] = x0 * c - x1 * s;
        x[b] = x0 * s + x1 * c;
    }
}

/// (sin, cos) of the `n_rot / 2` rotation angles of position `pos`, as [`rope`] uses them.
pub fn rope_sin_cos(
    pos: usize,
    base: f32,
    scale: f32,
    n_rot: usize,
) -> impl Iterator<Item = (f32, f32)> {
    let theta_scale = base.powf(-2.0 / n_rot as f32);
    let mut theta = pos as f32 * scale;
    (0..n_rot / 2).map(move |_| {
        let sc = theta.sin_cos();
        theta *= theta_scale;
        sc
    })
}

/// [`rope_sin_cos`] of positions `0..n_pos`: `[pos][i] = (cos, sin)` (the GPU's rope kernel
/// reads its angles here, so both engines rotate by the same values).
pub fn rope_table(n_pos: usize, base: f32, scale: f32, n_rot: usize) -> Vec<f32> {
    let mut t = Vec::with_capacity(n_pos * n_rot);
    for pos in 0..n_pos {
        for (s, c) in rope_sin_cos(pos, base, scale, n_rot) {
            t.extend([c, s]);
        }
    }
    t
}

/// Numerically stable softmax in place.
pub fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0f64;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v as f64;
    }
    let inv = (1.0 / sum) as f32;
    for v in x.iter_mut() {
        *v *= inv;
    }
}

/// SiLU: x·σ(x).
#[inline]
pub fn silu(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

/// GELU, tanh approximation (`ggml_gelu_f32`).
#[inline]
pub fn gelu_tanh(x: f32) -> f32 {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6;
    const COEF_A: f32 = 0.044715;
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * x * (1.0 + COEF_A * x * x)).tanh())
}

/// GELU as ggml's CPU backend computes it: `GGML_GELU_FP16` is defined in
/// `ggml/src/ggml-cpu/vec.h`, so `ggml_vec_gelu_f32` / `ggml_vec_geglu_f32`
/// round the input to f16 and read `ggml_table_gelu_f16` (GELU-tanh of every
/// f16, stored as f16); inputs ≤ −10 give 0 and ≥ 10 pass through.
#[inline]
pub fn gelu_ggml(x: f32) -> f32 {
    if x <= -10.0 {
        0.0
    } else if x >= 10.0 {
        x
    } else {
        GELU_F16[f32_to_f16(x) as usize]
    }
}

/// Half-precision bit patterns: the size of [`gelu_ggml_table`].
pub const F16_VALUES: usize = 1 << 16;

/// [`gelu_ggml`] of every half, indexed by its bits (ggml's `ggml_table_gelu_f16`, as f32):
/// `gelu_ggml(x) == table[f32_to_f16(x)]` for -10 < x < 10. The GPU's `glu_gelu_table`
/// looks GELU up here, so both engines compute the same values.
pub fn gelu_ggml_table() -> Vec<f32> {
    (0..F16_VALUES)
        .map(|h| round_f16(gelu_tanh(f16_to_f32(h as u16))))
        .collect()
}

/// `round_f16(gelu_tanh(h))` for every f16 `h`, as f32: the same values as
/// computing it per element (it is a function of the f16 bits), without a
/// `tanh` per element — ggml's `ggml_table_gelu_f16` for the same reason.
static GELU_F16: std::sync::LazyLock<Box<[f32]>> =
    std::sync::LazyLock::new(|| gelu_ggml_table().into_boxed_slice());

/// `a · b` summed in 8 interleaved lanes (element `i` into lane `i % 8`),
/// then the lanes pairwise: independent additions the compiler turns into
/// vector adds, where one running sum would be a chain of dependent scalar
/// adds (ggml's `ggml_vec_dot_f16` also sums in lanes).
#[inline(always)]
pub fn dot_lanes(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    for (l, (x, y)) in ra.iter().zip(rb).enumerate() {
        acc[l] += x * y;
    }
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

/// Where one query's keys and values sit in a layer's cache, and how its
/// scores are scaled (see [`attend`]).
#[derive(Clone, Copy, Debug)]
pub struct AttnView<'a> {
    /// Keys, `[pos][kv_head][head_dim]`.
    pub k: &'a [f32],
    /// Values, `[pos][kv_head][head_dim_v]`.
    pub v: &'a [f32],
    /// Floats per position in `k`.
    pub k_stride: usize,
    /// Floats per position in `v`.
    pub v_stride: usize,
    /// Offset of the KV head within a key position.
    pub k_off: usize,
    /// Offset of the KV head within a value position.
    pub v_off: usize,
    /// Scores are multiplied by this after the product.
    pub post: f32,
    /// Optional tanh soft-capping of the scores.
    pub softcap: Option<f32>,
}

/// Values accumulated per block of the output head in [`attend`] (kept in
/// registers across all positions instead of reloading the output row).
const ATTN_VBLOCK: usize = 64;

/// One query's attention over positions `range` of the cache: scores
/// `dot_lanes(q, k_j) · post` (soft-capped), softmax, probabilities rounded
/// through f16, then `o[e] = Σ_j w_j · v_j[e]` summed over `j` in order from
/// 0.0 — every output the same operations in the same order as the plain
/// loops; `s` is scratch for the scores.
#[multiversion::multiversion(targets("x86_64+avx2+fma+f16c", "aarch64+neon"))]
pub fn attend<'a>(
    q: &[f32],
    kv: &AttnView<'a>,
    range: std::ops::RangeInclusive<usize>,
    s: &mut Vec<f32>,
    o: &mut [f32],
) {
    // Keys 4 at a time with AVX2 (`simd::dot_lanes4`, the same sums as
    // `dot_lanes`), the rest one at a time.
    let hd = q.len();
    let (start, end) = (*range.start(), *range.end());
    let key = |j: usize| &kv.k[j * kv.k_stride + kv.k_off..][..hd];
    let fin = |dot: f32| {
        let dot = dot * kv.post;
        match kv.softcap {
            Some(cap) => softcap(dot, cap),
            None => dot,
        }
    };
    s.clear();
    let mut j = start;
    #[cfg(target_arch = "x86_64")]
    if let Some(t) = super::simd::token() {
        while j + 3 <= end {
            let d = super::simd::dot_lanes4(t, q, [key(j), key(j + 1), key(j + 2), key(j + 3)]);
            s.extend(d.map(fin));
            j += 4;
        }
    }
    while j <= end {
        s.push(fin(dot_lanes(q, key(j))));
        j += 1;
    }
    softmax(s);
    // KQ·V multiplies an F16 cache: ggml converts the probabilities to f16
    // first (non-flash-attention path, llama.cpp's default).
    round_f16_all(s);

    let hdv = o.len();
    let val = |j: usize| &kv.v[j * kv.v_stride + kv.v_off..][..hdv];
    let mut blocks = o.chunks_exact_mut(ATTN_VBLOCK);
    for (b, ob) in blocks.by_ref().enumerate() {
        let off = b * ATTN_VBLOCK;
        let mut acc = [0f32; ATTN_VBLOCK];
        for (w, j) in s.iter().zip(start..=end) {
            let vv = &val(j)[off..off + ATTN_VBLOCK];
            for e in 0..ATTN_VBLOCK {
                acc[e] += w * vv[e];
            }
        }
        ob.copy_from_slice(&acc);
    }
    let rest = blocks.into_remainder();
    let off = hdv - rest.len();
    for (e, oe) in rest.iter_mut().enumerate() {
        let mut a = 0f32;
        for (w, j) in s.iter().zip(start..=end) {
            a += w * val(j)[off + e];
        }
        *oe = a;
    }
}

/// `round_f16` of every value (F16C where the CPU has it: the same values).
#[inline]
pub fn round_f16_all(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if let Some(t) = super::simd::token() {
        return super::simd::round_f16_slice(t, xs);
    }
    xs.iter_mut().for_each(|x| *x = round_f16(*x));
}

/// `g[i] = gelu_ggml(g[i]) · u[i]` (the gemma3 GEGLU), converting to f16
/// for the table index with F16C where the CPU has it (the same index).
pub fn geglu_ggml(g: &mut [f32], u: &[f32]) {
    let u = &u[..g.len()];
    let (gc, gr) = g.as_chunks_mut::<8>();
    let (uc, ur) = u.as_chunks::<8>();
    #[cfg(target_arch = "x86_64")]
    if let Some(t) = super::simd::token() {
        for (a, b) in gc.iter_mut().zip(uc) {
            match super::simd::f32_to_f16x8(t, a) {
                Some(h) => {
                    for l in 0..8 {
                        let x = a[l];
                        let act = if x <= -10.0 {
                            0.0
                        } else if x >= 10.0 {
                            x
                        } else {
                            GELU_F16[h[l] as usize]
                        };
                        a[l] = act * b[l];
                    }
                }
                None => {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x = gelu_ggml(*x) * y;
                    }
                }
            }
        }
        for (x, y) in gr.iter_mut().zip(ur) {
            *x = gelu_ggml(*x) * y;
        }
        return;
    }
    let _ = (gc, uc, gr, ur);
    for (x, y) in g.iter_mut().zip(u) {
        *x = gelu_ggml(*x) * y;
    }
}

/// `cap · tanh(x / cap)`.
#[inline]
pub fn softcap(x: f32, cap: f32) -> f32 {
    cap * (x / cap).tanh()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::half::f32_to_f16;

    #[test]
    fn gelu_table_equals_direct_formula() {
        // Every f16, then f32 inputs between f16 values (rounded first).
        let xs = (0..=u16::MAX)
            .map(f16_to_f32)
            .chain((0..30000).map(|i| i as f32 * 0.000_813_7 - 12.2));
        for (h, x) in xs.enumerate() {
            let direct = if x <= -10.0 {
                0.0
            } else if x >= 10.0 {
                x
            } else {
                round_f16(gelu_tanh(round_f16(x)))
            };
            let got = gelu_ggml(x);
            assert!(
                got.to_bits() == direct.to_bits() || (got.is_nan() && direct.is_nan()),
                "{h:#x}: {got} vs {direct}"
            );
        }
    }

    #[test]
    fn norm_and_rope_basics() {
        let mut out = [0f32; 4];
        rms_norm(
            &[1.0, -1.0, 1.0, -1.0],
            &[1.0, 2.0, 3.0, 4.0],
            0.0,
            &mut out,
        );
        assert_eq!(out, [1.0, -2.0, 3.0, -4.0]);
        // Position 0 is the identity; rotation preserves pair norms.
        let mut v = [1.0, 2.0, 3.0, 4.0];
        rope(&mut v, 0, 10000.0, 1.0, 4, RopeMode::Normal);
        assert_eq!(v, [1.0, 2.0, 3.0, 4.0]);
        rope(&mut v, 7, 10000.0, 1.0, 4, RopeMode::Neox);
        assert!(((v[0] * v[0] + v[2] * v[2]) - 10.0).abs() < 1e-4);
        let mut s = [1.0, 2.0, 3.0];
        softmax(&mut s);
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6 && s[2] > s[1]);
        assert!((gelu_tanh(1.0) - 0.841192).abs() < 1e-5);
        assert!((silu(1.0) - 0.731059).abs() < 1e-5);
    }

    #[test]
    fn gelu_table_is_gelu_ggml() {
        let t = gelu_ggml_table();
        let mut x = -9.999f32;
        while x < 10.0 {
            assert_eq!(
                t[f32_to_f16(x) as usize].to_bits(),
                gelu_ggml(x).to_bits(),
                "{x}"
            );
            x += 0.0137;
        }
    }
}
