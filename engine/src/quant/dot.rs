//! Dot products of one quantized weight row with a quantized activation,
//! working on the packed blocks directly. Integer sums per (sub-)block, then
//! the scales, as ggml's generic `ggml_vec_dot_*` in
//! `ggml/src/ggml-cpu/quants.c` do, so results track llama.cpp's CPU backend.
//! Inner loops are fixed-length integer loops the compiler vectorizes.

use super::dequant::{q3k_scales, scale_min_k4};
use super::half::le_f16;
use super::q8::{Q8Blocks, Q8K};

/// Sum of 32 i8×i8 products. Written as i16 products summed in pairs into
/// i32 lanes, the shape LLVM lowers to `pmaddwd` (ggml's `mul_sum_i8_pairs`).
#[inline(always)]
fn dot32(a: &[i8; 32], b: &[i8]) -> i32 {
    let b: &[i8; 32] = b.try_into().expect("32 values");
    let mut acc = [0i32; 16];
    for i in 0..16 {
        let p0 = a[2 * i] as i16 * b[2 * i] as i16;
        let p1 = a[2 * i + 1] as i16 * b[2 * i + 1] as i16;
        acc[i] = p0 as i32 + p1 as i32;
    }
    acc.iter().sum()
}

#[inline(always)]
fn dot16(a: &[i8], b: &[i8]) -> i32 {
    let a: &[i8; 16] = a.try_into().expect("16 values");
    let b: &[i8; 16] = b.try_into().expect("16 values");
    let mut acc = [0i32; 8];
    for i in 0..8 {
        let p0 = a[2 * i] as i16 * b[2 * i] as i16;
        let p1 = a[2 * i + 1] as i16 * b[2 * i + 1] as i16;
        acc[i] = p0 as i32 + p1 as i32;
    }
    acc.iter().sum()
}

/// The 32 i8×i8 products of a block folded into 8 i32 lanes (no horizontal
/// sum: the lanes are scaled and accumulated across blocks, then summed once
/// per row, the way ggml's AVX2 `vec_dot` keeps a float accumulator vector).
/// Lane `l` holds products `4l..4l+4`: exactly what AVX2's `maddubs` +
/// `madd(·, 1)` leave in lane `l`, so the explicit-SIMD kernels in
/// `simd_x86` produce the same lanes and hence bit-identical floats.
#[inline(always)]
pub(super) fn dot32_lanes(a: &[i8; 32], b: &[i8]) -> [i32; 8] {
    let b: &[i8; 32] = b.try_into().expect("32 values");
    let mut out = [0i32; 8];
    for l in 0..8 {
        let p = |k: usize| a[4 * l + k] as i16 as i32 * b[4 * l + k] as i16 as i32;
        out[l] = (p(0) + p(1)) + (p(2) + p(3));
    }
    out
}

/// Sums `scale · lanes` over the blocks of a row of `$ts`-byte blocks
/// against a Q8_0/Q8_1 activation; `$lanes` gives a block's integer lanes,
/// `$extra` a per-block scalar term (Q4_1/Q5_1 mins). A macro rather than a
/// function taking closures so that everything inlines into the
/// feature-specific copies of `matmul::dot_rows`.
macro_rules! blocks32_lanes {
    ($row:expr, $ts:expr, $a:expr, |$b:ident, $q:ident| $lanes:expr, |$b2:ident, $s:ident| $extra:expr $(,)?) => {{
        let a: &Q8Blocks = $a;
        let mut facc = [0f32; 8];
        let mut sum = 0f32;
        for ((($b, $q), &d), &$s) in $row
            .chunks_exact($ts)
            .zip(a.qs.chunks_exact(32))
            .zip(&a.d)
            .zip(&a.s)
        {
            let l: [i32; 8] = $lanes;
            let scale = le_f16($b, 0) * d;
            for k in 0..8 {
                facc[k] += l[k] as f32 * scale;
            }
            let $b2 = $b;
            sum += $extra;
        }
        facc.iter().sum::<f32>() + sum
    }};
}

/// Unpacks the 32 4-bit values of a Q4_0/Q4_1 `qs[16]` (low nibbles first).
#[inline(always)]
fn nibbles(qs: &[u8], offset: i8) -> [i8; 32] {
    let mut w = [0i8; 32];
    for j in 0..16 {
        w[j] = (qs[j] & 0xf) as i8 - offset;
        w[j + 16] = (qs[j] >> 4) as i8 - offset;
    }
    w
}

/// Byte `k` of entry `b` is 16 if bit `k` of `b` is set: spreads the high
/// bits of Q5 blocks to bytes with 4 lookups instead of 32 shifts (ggml's x86
/// code does the same with `bytes_from_bits_32`).
static BIT_TO_16: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut k = 0;
        while k < 8 {
            if b & (1 << k) != 0 {
                t[b] |= 16u64 << (8 * k);
            }
            k += 1;
        }
        b += 1;
    }
    t
};

#[inline(always)]
fn five_bits(qh: u32, qs: &[u8], offset: i8) -> [i8; 32] {
    let mut hb = [0u8; 32];
    for (i, chunk) in hb.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&BIT_TO_16[((qh >> (8 * i)) & 0xff) as usize].to_le_bytes());
    }
    let qs: &[u8; 16] = qs.try_into().expect("16 bytes");
    let mut w = [0i8; 32];
    for j in 0..16 {
        w[j] = ((qs[j] & 0xf) | hb[j]) as i8 - offset;
        w[j + 16] = ((qs[j] >> 4) | hb[j + 16]) as i8 - offset;
    }
    w
}

/// Q4_0 · Q8_0 (`ggml_vec_dot_q4_0_q8_0`).
#[inline(always)]
pub fn q4_0(row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32_lanes!(
        row,
        18,
        a,
        |b, q| dot32_lanes(&nibbles(&b[2..18], 8), q),
        |_b, _s| 0.0
    )
}

/// Q4_1 · Q8_1 (`ggml_vec_dot_q4_1_q8_1`): d·Σq·x + m·s.
#[inline(always)]
pub fn q4_1(row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32_lanes!(
        row,
        20,
        a,
        |b, q| dot32_lanes(&nibbles(&b[4..20], 0), q),
        |b2, s| le_f16(b2, 2) * s,
    )
}

/// Q5_0 · Q8_0 (`ggml_vec_dot_q5_0_q8_0`).
#[inline(always)]
pub fn q5_0(row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32_lanes!(
        row,
        22,
        a,
        |b, q| {
            let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
            dot32_lanes(&five_bits(qh, &b[6..22], 16), q)
        },
        |_b, _s| 0.0,
    )
}

/// Q5_1 · Q8_1 (`ggml_vec_dot_q5_1_q8_1`).
#[inline(always)]
pub fn q5_1(row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32_lanes!(
        row,
        24,
        a,
        |b, q| {
            let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            dot32_lanes(&five_bits(qh, &b[8..24], 0), q)
        },
        |b2, s| le_f16(b2, 2) * s,
    )
}

/// Q8_0 · Q8_0 (`ggml_vec_dot_q8_0_q8_0`).
#[inline(always)]
pub fn q8_0(row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32_lanes!(
        row,
        34,
        a,
        |b, q| {
            let w: &[i8; 32] = bytemuck::cast_slice::<u8, i8>(&b[2..34])
                .try_into()
                .expect("32");
            dot32_lanes(w, q)
        },
        |_b, _s| 0.0,
    )
}

/// The 256 weights of a Q2_K block (0..=3), in dequantization order.
#[inline(always)]
fn q2k_values(qs: &[u8]) -> [i8; 256] {
    let mut w = [0i8; 256];
    let mut o = 0;
    for n in 0..2 {
        let q = &qs[32 * n..32 * n + 32];
        for shift in [0, 2, 4, 6] {
            for l in 0..32 {
                w[o + l] = ((q[l] >> shift) & 3) as i8;
            }
            o += 32;
        }
    }
    w
}

#[inline(always)]
/// Q2_K · Q8_K (`ggml_vec_dot_q2_K_q8_K`).
pub fn q2_k(row: &[u8], a: &Q8K) -> f32 {
    let mut sum = 0f32;
    for (i, b) in row.chunks_exact(84).enumerate() {
        let sc = &b[0..16];
        let w = q2k_values(&b[16..80]);
        let aq = &a.qs[256 * i..256 * i + 256];
        let bs = &a.bsums[16 * i..16 * i + 16];
        let mut summs = 0i32;
        let mut isum = 0i32;
        for j in 0..16 {
            summs += (sc[j] >> 4) as i32 * bs[j] as i32;
            isum += (sc[j] & 0xf) as i32 * dot16(&w[16 * j..16 * j + 16], &aq[16 * j..16 * j + 16]);
        }
        let dall = a.d[i] * le_f16(b, 80);
        let dmin = a.d[i] * le_f16(b, 82);
        sum += dall * isum as f32 - dmin * summs as f32;
    }
    sum
}

#[inline(always)]
/// Q3_K · Q8_K (`ggml_vec_dot_q3_K_q8_K`).
pub fn q3_k(row: &[u8], a: &Q8K) -> f32 {
    let mut sum = 0f32;
    for (i, b) in row.chunks_exact(110).enumerate() {
        let hm = &b[0..32];
        let mut w = q2k_values(&b[32..96]);
        // Bit k of hmask[l] belongs to the k-th group of 32 values.
        for (g, chunk) in w.chunks_exact_mut(32).enumerate() {
            let m = 1u8 << g;
            for l in 0..32 {
                chunk[l] -= if hm[l] & m != 0 { 0 } else { 4 };
            }
        }
        let scales = q3k_scales(&b[96..108]);
        let aq = &a.qs[256 * i..256 * i + 256];
        let mut isum = 0i32;
        for j in 0..16 {
            isum += scales[j] as i32 * dot16(&w[16 * j..16 * j + 16], &aq[16 * j..16 * j + 16]);
        }
        sum += a.d[i] * le_f16(b, 108) * isum as f32;
    }
    sum
}

#[inline(always)]
/// Q4_K · Q8_K (`ggml_vec_dot_q4_K_q8_K`).
pub fn q4_k(row: &[u8], a: &Q8K) -> f32 {
    let mut sum = 0f32;
    for (i, b) in row.chunks_exact(144).enumerate() {
        let (sc, qs) = (&b[4..16], &b[16..144]);
        let aq = &a.qs[256 * i..256 * i + 256];
        let bs = &a.bsums[16 * i..16 * i + 16];
        let (mut isum, mut mins) = (0i32, 0i32);
        for j in 0..4 {
            let q = &qs[32 * j..32 * j + 32];
            let mut lo = [0i8; 32];
            let mut hi = [0i8; 32];
            for l in 0..32 {
                lo[l] = (q[l] & 0xf) as i8;
                hi[l] = (q[l] >> 4) as i8;
            }
            let (s1, m1) = scale_min_k4(2 * j, sc);
            let (s2, m2) = scale_min_k4(2 * j + 1, sc);
            isum += s1 as i32 * dot32(&lo, &aq[64 * j..64 * j + 32]);
            isum += s2 as i32 * dot32(&hi, &aq[64 * j + 32..64 * j + 64]);
            mins += m1 as i32 * (bs[4 * j] as i32 + bs[4 * j + 1] as i32);
            mins += m2 as i32 * (bs[4 * j + 2] as i32 + bs[4 * j + 3] as i32);
        }
        let d = le_f16(b, 0) * a.d[i];
        let dmin = le_f16(b, 2) * a.d[i];
        sum += d * isum as f32 - dmin * mins as f32;
    }
    sum
}

#[inline(always)]
/// Q5_K · Q8_K (`ggml_vec_dot_q5_K_q8_K`).
pub fn q5_k(row: &[u8], a: &Q8K) -> f32 {
    let mut sum = 0f32;
    for (i, b) in row.chunks_exact(176).enumerate() {
        let (sc, qh, qs) = (&b[4..16], &b[16..48], &b[48..176]);
        let aq = &a.qs[256 * i..256 * i + 256];
        let bs = &a.bsums[16 * i..16 * i + 16];
        let (mut isum, mut mins) = (0i32, 0i32);
        for j in 0..4 {
            let q = &qs[32 * j..32 * j + 32];
            let (u1, u2) = (1u8 << (2 * j), 2u8 << (2 * j));
            let mut lo = [0i8; 32];
            let mut hi = [0i8; 32];
            for l in 0..32 {
                lo[l] = ((q[l] & 0xf) + if qh[l] & u1 != 0 { 16 } else { 0 }) as i8;
                hi[l] = ((q[l] >> 4) + if qh[l] & u2 != 0 { 16 } else { 0 }) as i8;
            }
            let (s1, m1) = scale_min_k4(2 * j, sc);
            let (s2, m2) = scale_min_k4(2 * j + 1, sc);
            isum += s1 as i32 * dot32(&lo, &aq[64 * j..64 * j + 32]);
            isum += s2 as i32 * dot32(&hi, &aq[64 * j + 32..64 * j + 64]);
            mins += m1 as i32 * (bs[4 * j] as i32 + bs[4 * j + 1] as i32);
            mins += m2 as i32 * (bs[4 * j + 2] as i32 + bs[4 * j + 3] as i32);
        }
        let d = le_f16(b, 0) * a.d[i];
        let dmin = le_f16(b, 2) * a.d[i];
        sum += d * isum as f32 - dmin * mins as f32;
    }
    sum
}

#[inline(always)]
/// Q6_K · Q8_K (`ggml_vec_dot_q6_K_q8_K`).
pub fn q6_k(row: &[u8], a: &Q8K) -> f32 {
    let mut sum = 0f32;
    for (i, b) in row.chunks_exact(210).enumerate() {
        let (ql, qh, sc) = (&b[0..128], &b[128..192], &b[192..208]);
        let aq = &a.qs[256 * i..256 * i + 256];
        let mut w = [0i8; 256];
        for n in 0..2 {
            let (ql, qh) = (&ql[64 * n..64 * n + 64], &qh[32 * n..32 * n + 32]);
            let o = &mut w[128 * n..128 * n + 128];
            for l in 0..32 {
                o[l] = ((ql[l] & 0xf) | ((qh[l] & 3) << 4)) as i8 - 32;
                o[l + 32] = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) as i8 - 32;
                o[l + 64] = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i8 - 32;
                o[l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i8 - 32;
            }
        }
        let mut isum = 0i32;
        for j in 0..16 {
            isum += (sc[j] as i8) as i32 * dot16(&w[16 * j..16 * j + 16], &aq[16 * j..16 * j + 16]);
        }
        sum += le_f16(b, 208) * a.d[i] * isum as f32;
    }
    sum
}

/// One row of 32-element blocks against a batch of Q8_0/Q8_1 activations:
/// each block is unpacked once (`$unpack`, giving the i8 weights) and dotted
/// with every activation. Per activation the arithmetic is exactly that of
/// the single-activation functions above, so results are bit-identical.
macro_rules! batch32 {
    ($row:expr, $ts:expr, $acts:expr, $out:expr, |$b:ident| $unpack:expr, $has_min:expr) => {{
        let acts: &[&Q8Blocks] = $acts;
        let out: &mut [f32] = $out;
        let mut facc = vec![[0f32; 8]; acts.len()];
        let mut sums = vec![0f32; acts.len()];
        for (i, $b) in $row.chunks_exact($ts).enumerate() {
            let w: [i8; 32] = $unpack;
            let wd = le_f16($b, 0);
            let wm = if $has_min { le_f16($b, 2) } else { 0.0 };
            for (t, a) in acts.iter().enumerate() {
                let l = dot32_lanes(&w, &a.qs[32 * i..32 * i + 32]);
                let scale = wd * a.d[i];
                for k in 0..8 {
                    facc[t][k] += l[k] as f32 * scale;
                }
                sums[t] += if $has_min { wm * a.s[i] } else { 0.0 };
            }
        }
        for (t, y) in out.iter_mut().enumerate() {
            *y = facc[t].iter().sum::<f32>() + sums[t];
        }
    }};
}

/// Batched Q4_0 · Q8_0.
#[inline(always)]
pub fn q4_0_batch(row: &[u8], acts: &[&Q8Blocks], out: &mut [f32]) {
    batch32!(row, 18, acts, out, |b| nibbles(&b[2..18], 8), false)
}

/// Batched Q4_1 · Q8_1.
#[inline(always)]
pub fn q4_1_batch(row: &[u8], acts: &[&Q8Blocks], out: &mut [f32]) {
    batch32!(row, 20, acts, out, |b| nibbles(&b[4..20], 0), true)
}

/// Batched Q5_0 · Q8_0.
#[inline(always)]
pub fn q5_0_batch(row: &[u8], acts: &[&Q8Blocks], out: &mut [f32]) {
    batch32!(
        row,
        22,
        acts,
        out,
        |b| five_bits(u32::from_le_bytes([b[2], b[3], b[4], b[5]]), &b[6..22], 16),
        false
    )
}

/// Batched Q5_1 · Q8_1.
#[inline(always)]
pub fn q5_1_batch(row: &[u8], acts: &[&Q8Blocks], out: &mut [f32]) {
    batch32!(
        row,
        24,
        acts,
        out,
        |b| five_bits(u32::from_le_bytes([b[4], b[5], b[6], b[7]]), &b[8..24], 0),
        true
    )
}
