//! Explicit AVX2 dot products (x86-64-v3: AVX2, FMA, F16C) for the weight
//! types the bundled models use: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 against Q8_0/
//! Q8_1 activations and Q4_K, Q6_K against Q8_K. They use `maddubs` (u8×i8
//! pairs into i16) and `madd` (i16 pairs into i32) as ggml's
//! `ggml-cpu/arch/x86/quants.c` does; LLVM does not derive these from the
//! portable loops in `dot`, which is why they are written by hand.
//!
//! Every kernel returns exactly the value of its portable twin in `dot`:
//! the integer lanes are the same (see `dot::dot32_lanes`; K-quant block sums
//! are exact integers) and the float operations are the same ones in the
//! same order (separate multiply and add, no FMA). Tests below compare them
//! bit for bit on random blocks.
//!
//! Safety without `unsafe`: `archmage`'s `X64V3Token` can only be obtained
//! after run-time detection (`summon`), and `#[arcane]`/`#[rite]` compile
//! the functions taking it with the matching `#[target_feature]`s, inside
//! which the `std::arch` value intrinsics are safe to call (Rust ≥ 1.87);
//! loads take references (`safe_unaligned_simd`).

use archmage::prelude::*;

use super::dequant::scale_min_k4;
use super::half::le_f16;
use super::half::round_f16;
use super::q8::{Q8Blocks, Q8K};
use super::{all_as, Activation};
use crate::gguf::GgmlType;

/// The AVX2 token if this CPU has x86-64-v3 (detected once, cached by
/// archmage).
#[inline]
pub fn token() -> Option<X64V3Token> {
    if super::isa_cap() < super::CpuKernels::Avx2 {
        return None;
    }
    X64V3Token::summon()
}

/// `out[r] = row_r · a` for the types this module handles; false (doing
/// nothing) for the others, which take the portable path.
#[arcane]
pub fn dot_rows(
    t: X64V3Token,
    ty: GgmlType,
    rows: &[u8],
    row_bytes: usize,
    a: &Activation,
    out: &mut [f32],
) -> bool {
    macro_rules! each {
        ($f:ident, $act:ident) => {{
            let Activation::$act(a) = a else {
                return false;
            };
            for (y, r) in out.iter_mut().zip(rows.chunks_exact(row_bytes)) {
                prefetch(t, r, PREFETCH_AHEAD);
                *y = $f(t, r, a);
            }
            true
        }};
    }
    match ty {
        GgmlType::Q4_0 => each!(q4_0, Q8),
        GgmlType::Q4_1 => each!(q4_1, Q8),
        GgmlType::Q5_0 => each!(q5_0, Q8),
        GgmlType::Q5_1 => each!(q5_1, Q8),
        GgmlType::Q8_0 => each!(q8_0, Q8),
        GgmlType::Q4_K => each!(q4_k, Q8K),
        GgmlType::Q6_K => each!(q6_k, Q8K),
        _ => false,
    }
}

/// How far ahead of the row being multiplied its successors are requested.
const PREFETCH_AHEAD: usize = 2048;

/// Asks for the cache lines of `r`'s length, `ahead` bytes past its start,
/// to be fetched. Only an address is formed (prefetches never fault, even
/// past the end of the slice).
#[rite]
fn prefetch(_t: X64V3Token, r: &[u8], ahead: usize) {
    let p = r.as_ptr().wrapping_add(ahead);
    for off in (0..r.len()).step_by(64) {
        _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(off) as *const i8);
    }
}

/// Loads 32 bytes.
#[rite]
fn load32(_t: X64V3Token, b: &[u8]) -> __m256i {
    let b: &[u8; 32] = b.try_into().expect("32 bytes");
    _mm256_loadu_si256(b)
}

/// Loads 32 i8 activation values.
#[rite]
fn load32i(t: X64V3Token, b: &[i8]) -> __m256i {
    load32(t, bytemuck::cast_slice(b))
}

/// Sums adjacent i16 pairs into i32 lanes.
#[rite]
fn sum_i16_pairs(_t: X64V3Token, x: __m256i) -> __m256i {
    _mm256_madd_epi16(x, _mm256_set1_epi16(1))
}

/// u8 weights × i8 activations, 4 consecutive products per i32 lane (no
/// i16 saturation: |w| ≤ 63 and |a| ≤ 127 wherever this is used).
#[rite]
fn mul_sum_u8_i8(t: X64V3Token, w: __m256i, a: __m256i) -> __m256i {
    sum_i16_pairs(t, _mm256_maddubs_epi16(w, a))
}

/// i8 × i8 through the sign trick (`|w|` × `a·sign(w)`), as ggml's
/// `mul_sum_i8_pairs_float`: exact, because Q8 activations are in
/// [-127, 127] so a pair sum is at most 2·128·127 < 2^15.
#[rite]
fn mul_sum_i8(t: X64V3Token, w: __m256i, a: __m256i) -> __m256i {
    let ax = _mm256_sign_epi8(w, w);
    let sy = _mm256_sign_epi8(a, w);
    mul_sum_u8_i8(t, ax, sy)
}

/// The 32 nibbles of a Q4 `qs[16]`, low nibbles (values 0..16) first.
#[rite]
fn nibbles32(_t: X64V3Token, qs: &[u8]) -> __m256i {
    let qs: &[u8; 16] = qs.try_into().expect("16 bytes");
    let lo = _mm_loadu_si128(qs);
    let hi = _mm_srli_epi16::<4>(lo);
    _mm256_and_si256(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(0xf))
}

/// Byte `k` is 0xff where bit `k` of `x` is set (ggml's
/// `bytes_from_bits_32`).
#[rite]
fn bytes_from_bits(_t: X64V3Token, x: u32) -> __m256i {
    let shuf = _mm256_set_epi64x(
        0x0303_0303_0303_0303,
        0x0202_0202_0202_0202,
        0x0101_0101_0101_0101,
        0,
    );
    let bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(x as i32), shuf);
    let bytes = _mm256_or_si256(bytes, _mm256_set1_epi64x(0x7fbf_dfef_f7fb_fdfe));
    _mm256_cmpeq_epi8(bytes, _mm256_set1_epi64x(-1))
}

/// Q5 weights: nibbles with bit 4 from `qh`, as u8 (Q5_1) or minus 16 as
/// i8 (Q5_0).
#[rite]
fn five_bits(t: X64V3Token, qh: u32, qs: &[u8], signed: bool) -> __m256i {
    let lo = nibbles32(t, qs);
    let hb = bytes_from_bits(t, qh);
    if signed {
        // (q | hb·16) − 16 = q | 0xf0 where the high bit is clear.
        _mm256_or_si256(lo, _mm256_andnot_si256(hb, _mm256_set1_epi8(0xf0u8 as i8)))
    } else {
        _mm256_or_si256(lo, _mm256_and_si256(hb, _mm256_set1_epi8(0x10)))
    }
}

/// Horizontal sum of the 8 lanes in the order `dot::blocks32_lanes` uses.
#[inline(always)]
fn lanes_sum(v: [f32; 8]) -> f32 {
    v.iter().sum()
}

/// Exact horizontal sum of 8 i32 lanes.
#[rite]
fn hsum_i32(_t: X64V3Token, v: __m256i) -> i32 {
    let l: [i32; 8] = bytemuck::cast(v);
    l.iter().sum()
}

/// The block loop shared by the 32-element types: `$lanes` gives a block's
/// integer lanes (`__m256i`), `$extra` a per-block scalar term (the Q4_1/
/// Q5_1 min). Same float operations as `dot::blocks32_lanes`.
macro_rules! blocks32 {
    ($row:expr, $ts:expr, $a:expr, |$b:ident, $q:ident| $lanes:expr, |$b2:ident, $s:ident| $extra:expr $(,)?) => {{
        let a: &Q8Blocks = $a;
        let mut facc = _mm256_setzero_ps();
        let mut sum = 0f32;
        for ((($b, $q), &d), &$s) in $row
            .chunks_exact($ts)
            .zip(a.qs.chunks_exact(32))
            .zip(&a.d)
            .zip(&a.s)
        {
            let l: __m256i = $lanes;
            let scale = le_f16($b, 0) * d;
            facc = _mm256_add_ps(
                facc,
                _mm256_mul_ps(_mm256_cvtepi32_ps(l), _mm256_set1_ps(scale)),
            );
            let $b2 = $b;
            sum += $extra;
        }
        lanes_sum(bytemuck::cast(facc)) + sum
    }};
}

/// Q4_0 · Q8_0.
#[rite]
pub fn q4_0(t: X64V3Token, row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32!(
        row,
        18,
        a,
        |b, q| {
            let w = _mm256_sub_epi8(nibbles32(t, &b[2..18]), _mm256_set1_epi8(8));
            mul_sum_i8(t, w, load32i(t, q))
        },
        |_b, _s| 0.0
    )
}

/// Q4_1 · Q8_1.
#[rite]
pub fn q4_1(t: X64V3Token, row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32!(
        row,
        20,
        a,
        |b, q| mul_sum_u8_i8(t, nibbles32(t, &b[4..20]), load32i(t, q)),
        |b2, s| le_f16(b2, 2) * s,
    )
}

/// Q5_0 · Q8_0.
#[rite]
pub fn q5_0(t: X64V3Token, row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32!(
        row,
        22,
        a,
        |b, q| {
            let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
            mul_sum_i8(t, five_bits(t, qh, &b[6..22], true), load32i(t, q))
        },
        |_b, _s| 0.0,
    )
}

/// Q5_1 · Q8_1.
#[rite]
pub fn q5_1(t: X64V3Token, row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32!(
        row,
        24,
        a,
        |b, q| {
            let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            mul_sum_u8_i8(t, five_bits(t, qh, &b[8..24], false), load32i(t, q))
        },
        |b2, s| le_f16(b2, 2) * s,
    )
}

/// Q8_0 · Q8_0.
#[rite]
pub fn q8_0(t: X64V3Token, row: &[u8], a: &Q8Blocks) -> f32 {
    blocks32!(
        row,
        34,
        a,
        |b, q| mul_sum_i8(t, load32(t, &b[2..34]), load32i(t, q)),
        |_b, _s| 0.0,
    )
}

/// The 8 vectors of a Q6_K block's 256 values as u8 (0..64), in
/// dequantization order, and its 16 i8 scales widened to i16 pairs (lane
/// halves: one scale per 16 values).
#[rite]
pub(super) fn q6k_unpack(t: X64V3Token, b: &[u8]) -> ([__m256i; 8], [__m256i; 8]) {
    let (ql, qh, sc) = (&b[0..128], &b[128..192], &b[192..208]);
    let m4 = _mm256_set1_epi8(0xf);
    let m2 = _mm256_set1_epi8(3);
    let mut q = [_mm256_setzero_si256(); 8];
    for n in 0..2 {
        let l1 = load32(t, &ql[64 * n..64 * n + 32]);
        let l2 = load32(t, &ql[64 * n + 32..64 * n + 64]);
        let h = load32(t, &qh[32 * n..32 * n + 32]);
        // Bit pair k of qh belongs to quarter k; the shifts act on 16-bit
        // lanes but every masked pair stays inside its byte.
        let h0 = _mm256_slli_epi16::<4>(_mm256_and_si256(h, m2));
        let h1 = _mm256_slli_epi16::<2>(_mm256_and_si256(h, _mm256_slli_epi16::<2>(m2)));
        let h2 = _mm256_and_si256(h, _mm256_slli_epi16::<4>(m2));
        let h3 = _mm256_srli_epi16::<2>(_mm256_and_si256(h, _mm256_slli_epi16::<6>(m2)));
        q[4 * n] = _mm256_or_si256(_mm256_and_si256(l1, m4), h0);
        q[4 * n + 1] = _mm256_or_si256(_mm256_and_si256(l2, m4), h1);
        q[4 * n + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16::<4>(l1), m4), h2);
        q[4 * n + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16::<4>(l2), m4), h3);
    }
    let sc16: [i16; 16] = std::array::from_fn(|g| sc[g] as i8 as i16);
    let s = std::array::from_fn(|k| {
        _mm256_set_m128i(_mm_set1_epi16(sc16[2 * k + 1]), _mm_set1_epi16(sc16[2 * k]))
    });
    (q, s)
}

/// A Q6_K block's exact integer sum `Σ_g sc_g · Σ (q − 32)·a` over its 16
/// groups, with the −32 applied through the activation's group sums
/// (`bsums`), as ggml's AVX2 `q6_K` does with `q8sums`.
#[rite]
fn q6k_isum(
    t: X64V3Token,
    q: &[__m256i; 8],
    s: &[__m256i; 8],
    sc: &[u8],
    aq: &[i8],
    bs: &[i16],
) -> i32 {
    let mut acc = _mm256_setzero_si256();
    for k in 0..8 {
        // u6 × i8 pairs fit i16 (2·63·127); × an i8 scale in i32 pairs.
        let p = _mm256_maddubs_epi16(q[k], load32i(t, &aq[32 * k..32 * k + 32]));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, s[k]));
    }
    // Σ_g sc_g · bsums_g in i32 pairs, times 32 (a shift): all exact.
    let sc: &[u8; 16] = sc.try_into().expect("16 scales");
    let sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(sc));
    let offset = _mm256_madd_epi16(load_i16x16(t, bs), sc16);
    hsum_i32(t, _mm256_sub_epi32(acc, _mm256_slli_epi32::<5>(offset)))
}

/// Loads 16 i16 values (Q8_K block sums).
#[rite]
fn load_i16x16(t: X64V3Token, v: &[i16]) -> __m256i {
    load32(t, bytemuck::cast_slice(&v[..16]))
}

/// Q6_K · Q8_K; `dot::q6_k`'s float formula.
#[rite]
pub fn q6_k(t: X64V3Token, row: &[u8], a: &Q8K) -> f32 {
    let mut sum = 0f32;
    for (i, b) in row.chunks_exact(210).enumerate() {
        let (q, s) = q6k_unpack(t, b);
        let aq = &a.qs[256 * i..256 * i + 256];
        let bs = &a.bsums[16 * i..16 * i + 16];
        let isum = q6k_isum(t, &q, &s, &b[192..208], aq, bs);
        sum += le_f16(b, 208) * a.d[i] * isum as f32;
    }
    sum
}

/// The 8 nibble vectors of a Q4_K block (`[lo_0, hi_0, lo_1, …]`, the
/// dequantization order), its 8 scales as i16 vectors and its 8 mins as i16
/// pairs (one per 16-value block sum).
#[rite]
pub(super) fn q4k_unpack(t: X64V3Token, b: &[u8]) -> ([__m256i; 8], [__m256i; 8], __m256i) {
    let (sc, qs) = (&b[4..16], &b[16..144]);
    let mask = _mm256_set1_epi8(0xf);
    let mut w = [_mm256_setzero_si256(); 8];
    let mut s = [_mm256_setzero_si256(); 8];
    let mut m = [0i16; 16];
    for j in 0..4 {
        let q = load32(t, &qs[32 * j..32 * j + 32]);
        w[2 * j] = _mm256_and_si256(q, mask);
        w[2 * j + 1] = _mm256_and_si256(_mm256_srli_epi16::<4>(q), mask);
    }
    for k in 0..8 {
        let (sk, mk) = scale_min_k4(k, sc);
        s[k] = _mm256_set1_epi16(sk as i16);
        // Each min covers two 16-value block sums.
        m[2 * k] = mk as i16;
        m[2 * k + 1] = mk as i16;
    }
    (w, s, load_i16x16(t, &m))
}

/// A Q4_K block's exact integer sums `Σ scale_k · (w_k · a_k)` and
/// `Σ min_k · Σ a_k`.
#[rite]
fn q4k_isum(
    t: X64V3Token,
    w: &[__m256i; 8],
    s: &[__m256i; 8],
    m: __m256i,
    aq: &[i8],
    bs: &[i16],
) -> (i32, i32) {
    let mut acc = _mm256_setzero_si256();
    for k in 0..8 {
        // u4 × i8 pairs fit i16 (2·15·127); × a 6-bit scale in i32 pairs.
        let p = _mm256_maddubs_epi16(w[k], load32i(t, &aq[32 * k..32 * k + 32]));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, s[k]));
    }
    let mins = hsum_i32(t, _mm256_madd_epi16(load_i16x16(t, bs), m));
    (hsum_i32(t, acc), mins)
}

/// Q4_K · Q8_K; `dot::q4_k`'s float formula.
#[rite]
pub fn q4_k(t: X64V3Token, row: &[u8], a: &Q8K) -> f32 {
    let mut sum = 0f32;
    for (i, b) in row.chunks_exact(144).enumerate() {
        let (w, s, m) = q4k_unpack(t, b);
        let aq = &a.qs[256 * i..256 * i + 256];
        let bs = &a.bsums[16 * i..16 * i + 16];
        let (isum, mins) = q4k_isum(t, &w, &s, m, aq, bs);
        let d = le_f16(b, 0) * a.d[i];
        let dmin = le_f16(b, 2) * a.d[i];
        sum += d * isum as f32 - dmin * mins as f32;
    }
    sum
}

/// One row of 32-element blocks, unpacked: the weights of each block (i8
/// or u8, see `tile32`), its scale and its min (0 where there is none).
struct Unpacked32<'a> {
    w: &'a [__m256i],
    d: &'a [f32],
    m: &'a [f32],
}

/// `row · a_k` for `G` activations at once, accumulators in registers. Per
/// activation the operations are those of `blocks32!` in the same order, so
/// each result equals the single-activation kernel's bit for bit. `ds4` and
/// `ss4` hold the activations' block scales and sums interleaved (`[i][k]`,
/// zero past `G`), so a block's `G` scale products and min terms are one
/// 4-lane multiply (and add) each: the same IEEE operations per lane. The
/// scale products are computed for all blocks first (into `sp`), so the
/// block loop takes each as a broadcast load.
#[rite]
fn tile32<const G: usize, const SIGNED: bool, const MIN: bool>(
    t: X64V3Token,
    u: &Unpacked32<'_>,
    acts: [&Q8Blocks; G],
    ds4: &[[f32; 4]],
    ss4: &[[f32; 4]],
    sp: &mut [[f32; 4]],
) -> [f32; G] {
    let nb = u.w.len();
    let mut ys = _mm_setzero_ps();
    for (((sp, &wd), &wm), (da, sa)) in sp.iter_mut().zip(u.d).zip(u.m).zip(ds4.iter().zip(ss4)) {
        _mm_storeu_ps(sp, _mm_mul_ps(_mm_set1_ps(wd), _mm_loadu_ps(da)));
        if MIN {
            ys = _mm_add_ps(ys, _mm_mul_ps(_mm_set1_ps(wm), _mm_loadu_ps(sa)));
        }
    }
    let mut facc = [_mm256_setzero_ps(); 4];
    let qs: [&[i8]; G] = std::array::from_fn(|k| &acts[k].qs[..32 * nb]);
    for (i, (&w, sp)) in u.w.iter().zip(&sp[..nb]).enumerate() {
        for k in 0..G {
            let av = load32i(t, &qs[k][32 * i..32 * i + 32]);
            let l = if SIGNED {
                mul_sum_i8(t, w, av)
            } else {
                mul_sum_u8_i8(t, w, av)
            };
            let prod = _mm256_mul_ps(_mm256_cvtepi32_ps(l), _mm256_broadcast_ss(&sp[k]));
            facc[k] = _mm256_add_ps(facc[k], prod);
        }
    }
    let sums = lane_sums4(t, facc);
    let ys: [f32; 4] = bytemuck::cast(ys);
    std::array::from_fn(|k| sums[k] + ys[k])
}

/// `lanes_sum` of 4 accumulators at once (the same additions in the same
/// order, 4 lanes wide): transposed so vector `l` holds lane `l` of each.
#[rite]
fn lane_sums4(_t: X64V3Token, f: [__m256; 4]) -> [f32; 4] {
    // Per 128-bit half: a 4×4 transpose, giving lanes l and l + 4.
    let t0 = _mm256_unpacklo_ps(f[0], f[1]);
    let t1 = _mm256_unpackhi_ps(f[0], f[1]);
    let t2 = _mm256_unpacklo_ps(f[2], f[3]);
    let t3 = _mm256_unpackhi_ps(f[2], f[3]);
    let (t0, t1, t2, t3) = (
        _mm256_castps_pd(t0),
        _mm256_castps_pd(t1),
        _mm256_castps_pd(t2),
        _mm256_castps_pd(t3),
    );
    let v: [__m256; 4] = [
        _mm256_castpd_ps(_mm256_unpacklo_pd(t0, t2)),
        _mm256_castpd_ps(_mm256_unpackhi_pd(t0, t2)),
        _mm256_castpd_ps(_mm256_unpacklo_pd(t1, t3)),
        _mm256_castpd_ps(_mm256_unpackhi_pd(t1, t3)),
    ];
    // `Sum for f32` starts from its neutral element; start from the same.
    let mut acc = _mm_set1_ps(std::iter::empty::<f32>().sum());
    for x in v.iter().map(|&x| _mm256_castps256_ps128(x)) {
        acc = _mm_add_ps(acc, x);
    }
    for x in v.iter().map(|&x| _mm256_extractf128_ps::<1>(x)) {
        acc = _mm_add_ps(acc, x);
    }
    bytemuck::cast(acc)
}

/// Batched [`dot_rows`] (`out` is `[activation][row]`): each weight block
/// is unpacked once for all activations, and per activation the arithmetic
/// is exactly the single-activation kernel's, so results are identical.
/// False (doing nothing) for types this module does not handle.
#[arcane]
pub fn dot_rows_batch(
    t: X64V3Token,
    ty: GgmlType,
    rows: &[u8],
    row_bytes: usize,
    acts: &[Activation],
    out: &mut [f32],
) -> bool {
    let n = acts.len();
    let nrows = out.len() / n;
    let q8 = all_as(acts, Activation::as_q8);
    let q8k = all_as(acts, Activation::as_q8k);
    let mut ys = vec![0f32; n];
    // One row of 32-element blocks: `$w` unpacks a block, `$signed` says
    // whether its weights are i8 (else u8), `$min` whether it has a min
    // (Q4_1/Q5_1). The row is unpacked once, then multiplied with the
    // activations in register tiles of up to 4 (`tile32`).
    macro_rules! rows32 {
        ($ts:expr, |$b:ident| $w:expr, $signed:expr, $min:expr) => {{
            let Some(q8) = &q8 else {
                return false;
            };
            // Per tile of 4 activations, their block scales and sums
            // interleaved for `tile32` (built once, shared by all rows).
            let nb = row_bytes / $ts;
            let inter = |c: &[&Q8Blocks], f: fn(&Q8Blocks) -> &[f32]| -> Vec<[f32; 4]> {
                (0..nb)
                    .map(|i| std::array::from_fn(|k| c.get(k).map_or(0.0, |a| f(a)[i])))
                    .collect()
            };
            let tiles: Vec<(Vec<[f32; 4]>, Vec<[f32; 4]>)> = q8
                .chunks(4)
                .map(|c| (inter(c, |a| &a.d), inter(c, |a| &a.s)))
                .collect();
            let mut w = Vec::new();
            let mut wd = Vec::new();
            let mut wm = Vec::new();
            let mut sp = vec![[0f32; 4]; nb];
            for (r, row) in rows.chunks_exact(row_bytes).enumerate().take(nrows) {
                w.clear();
                wd.clear();
                wm.clear();
                for $b in row.chunks_exact($ts) {
                    w.push($w);
                    wd.push(le_f16($b, 0));
                    wm.push(if $min { le_f16($b, 2) } else { 0.0 });
                }
                let u = Unpacked32 {
                    w: &w,
                    d: &wd,
                    m: &wm,
                };
                for (c, acts) in q8.chunks(4).enumerate() {
                    let ys = &mut ys[..acts.len()];
                    let (d4, s4) = (&tiles[c].0[..], &tiles[c].1[..]);
                    match *acts {
                        [a0, a1, a2, a3] => ys.copy_from_slice(&tile32::<4, $signed, $min>(
                            t,
                            &u,
                            [a0, a1, a2, a3],
                            d4,
                            s4,
                            &mut sp,
                        )),
                        [a0, a1, a2] => ys.copy_from_slice(&tile32::<3, $signed, $min>(
                            t,
                            &u,
                            [a0, a1, a2],
                            d4,
                            s4,
                            &mut sp,
                        )),
                        [a0, a1] => ys.copy_from_slice(&tile32::<2, $signed, $min>(
                            t,
                            &u,
                            [a0, a1],
                            d4,
                            s4,
                            &mut sp,
                        )),
                        [a0] => ys.copy_from_slice(&tile32::<1, $signed, $min>(
                            t,
                            &u,
                            [a0],
                            d4,
                            s4,
                            &mut sp,
                        )),
                        _ => unreachable!("chunks of 1 to 4"),
                    }
                    for (k, y) in ys.iter().enumerate() {
                        out[(4 * c + k) * nrows + r] = *y;
                    }
                }
            }
            true
        }};
    }
    match ty {
        GgmlType::Q4_0 => rows32!(
            18,
            |b| _mm256_sub_epi8(nibbles32(t, &b[2..18]), _mm256_set1_epi8(8)),
            true,
            false
        ),
        GgmlType::Q4_1 => rows32!(20, |b| nibbles32(t, &b[4..20]), false, true),
        GgmlType::Q5_0 => rows32!(
            22,
            |b| five_bits(
                t,
                u32::from_le_bytes([b[2], b[3], b[4], b[5]]),
                &b[6..22],
                true
            ),
            true,
            false
        ),
        GgmlType::Q5_1 => rows32!(
            24,
            |b| five_bits(
                t,
                u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                &b[8..24],
                false
            ),
            false,
            true
        ),
        GgmlType::Q8_0 => rows32!(34, |b| load32(t, &b[2..34]), true, false),
        GgmlType::Q4_K | GgmlType::Q6_K => {
            let Some(q8k) = &q8k else {
                return false;
            };
            rows256_tiles(t, ty == GgmlType::Q6_K, rows, row_bytes, q8k, out);
            true
        }
        _ => false,
    }
}

/// Rows of 256-element K blocks per register tile.
const TILE_ROWS_K: usize = 4;

/// One block of [`TILE_ROWS_K`] rows unpacked: `w[k][r]`, `s[k][r]` (i16
/// scales), `m[r]` (Q4_K: mins per 16-value sum; Q6_K: the scales per
/// 16-value sum) and `[wd_r, wmin_r]` per row (`wmin` 0 for Q6_K).
struct TileK {
    w: [[__m256i; TILE_ROWS_K]; 8],
    s: [[__m256i; TILE_ROWS_K]; 8],
    m: [__m256i; TILE_ROWS_K],
    wdm: [f32; 8],
}

/// Batched Q4_K/Q6_K (`out` is `[activation][row]`) in tiles of 4 rows:
/// per block and activation, the 4 rows' exact integer sums, one transpose
/// tree for their lane sums and the float terms of `dot::q4_k`/`dot::q6_k`
/// for the 4 rows at once, added per row in block order as the
/// single-activation kernels do (so results are identical).
#[rite]
fn rows256_tiles(
    t: X64V3Token,
    q6: bool,
    rows: &[u8],
    row_bytes: usize,
    acts: &[&Q8K],
    out: &mut [f32],
) {
    let n = acts.len();
    if n == 0 {
        return;
    }
    let ts = if q6 { 210 } else { 144 };
    let nb = row_bytes / ts;
    let nrows = out.len() / n;
    let mut ys = vec![_mm_setzero_ps(); n];
    let zero = _mm256_setzero_si256();
    for r0 in (0..nrows).step_by(TILE_ROWS_K) {
        let rr = TILE_ROWS_K.min(nrows - r0);
        ys.fill(_mm_setzero_ps());
        for i in 0..nb {
            let mut u = TileK {
                w: [[zero; TILE_ROWS_K]; 8],
                s: [[zero; TILE_ROWS_K]; 8],
                m: [zero; TILE_ROWS_K],
                wdm: [0.0; 8],
            };
            for r in 0..rr {
                let at = (r0 + r) * row_bytes + i * ts;
                let blk = &rows[at..at + ts];
                let (w, s) = if q6 {
                    let (q, s) = q6k_unpack(t, blk);
                    let sc: &[u8; 16] = blk[192..208].try_into().expect("16 scales");
                    u.m[r] = _mm256_cvtepi8_epi16(_mm_loadu_si128(sc));
                    u.wdm[2 * r] = le_f16(blk, 208);
                    (q, s)
                } else {
                    let (w, s, m) = q4k_unpack(t, blk);
                    u.m[r] = m;
                    u.wdm[2 * r] = le_f16(blk, 0);
                    u.wdm[2 * r + 1] = le_f16(blk, 2);
                    (w, s)
                };
                for k in 0..8 {
                    u.w[k][r] = w[k];
                    u.s[k][r] = s[k];
                }
            }
            let wdm = _mm256_loadu_ps(&u.wdm);
            for (y, a) in ys.iter_mut().zip(acts) {
                *y = block_terms_k(t, &u, q6, wdm, a, i, *y);
            }
        }
        for (k, y) in ys.iter().enumerate() {
            let mut v = [0f32; 4];
            _mm_storeu_ps(&mut v, *y);
            out[k * nrows + r0..k * nrows + r0 + rr].copy_from_slice(&v[..rr]);
        }
    }
}

/// One activation × one block of a row tile: `y + term` per row.
#[rite]
fn block_terms_k(
    t: X64V3Token,
    u: &TileK,
    q6: bool,
    wdm: __m256,
    a: &Q8K,
    i: usize,
    y: __m128,
) -> __m128 {
    let aq = &a.qs[256 * i..256 * i + 256];
    let mut acc = [_mm256_setzero_si256(); TILE_ROWS_K];
    for ((aq, w), s) in aq.chunks_exact(32).zip(&u.w).zip(&u.s) {
        let av = load32i(t, aq);
        for ((acc, &w), &s) in acc.iter_mut().zip(w).zip(s) {
            // u4/u6 × i8 pairs fit i16; × the i16 scale in i32 pairs.
            let p = _mm256_madd_epi16(_mm256_maddubs_epi16(w, av), s);
            *acc = _mm256_add_epi32(*acc, p);
        }
    }
    let bs = load_i16x16(t, &a.bsums[16 * i..16 * i + 16]);
    let v: [__m256i; 8] = std::array::from_fn(|x| {
        let r = x / 2;
        let sums = _mm256_madd_epi16(bs, u.m[r]);
        match (q6, x % 2) {
            // Q6_K: Σ sc·(q − 32)·a = acc − 32 · Σ sc · bsums.
            (true, 0) => _mm256_sub_epi32(acc[r], _mm256_slli_epi32::<5>(sums)),
            (true, _) => _mm256_setzero_si256(),
            (false, 0) => acc[r],
            (false, _) => sums,
        }
    });
    // [isum_0, mins_0, isum_1, mins_1, …] as floats, times [d_r, dmin_r]
    // = [wd_r · ad, wmin_r · ad]: the products of `dot::q4_k` / `q6_k`.
    let f = _mm256_cvtepi32_ps(reduce8(t, v));
    let prod = _mm256_mul_ps(_mm256_mul_ps(wdm, _mm256_set1_ps(a.d[i])), f);
    // Rows' terms d·isum − dmin·mins (Q6_K: d·isum alone, no min term
    // whose 0·∞ could turn into a NaN `dot::q6_k` does not produce).
    let terms = if q6 {
        _mm256_shuffle_ps::<0b10_00_10_00>(prod, prod)
    } else {
        _mm256_hsub_ps(prod, prod)
    };
    // Lanes 0, 1 and 4, 5 hold rows 0, 1 and 2, 3.
    let lo = _mm256_castps256_ps128(terms);
    let hi = _mm256_extractf128_ps::<1>(terms);
    _mm_add_ps(y, _mm_movelh_ps(lo, hi))
}

/// Exact sums of the 8 lanes of each of eight vectors, `[Σv0, …, Σv7]`.
#[rite]
fn reduce8(_t: X64V3Token, v: [__m256i; 8]) -> __m256i {
    let pair = |a: __m256i, b: __m256i| {
        _mm256_add_epi32(_mm256_unpacklo_epi32(a, b), _mm256_unpackhi_epi32(a, b))
    };
    let quad = |a: __m256i, b: __m256i| {
        _mm256_add_epi32(_mm256_unpacklo_epi64(a, b), _mm256_unpackhi_epi64(a, b))
    };
    // Per 128-bit lane: the lane's sums of v[0..4] and of v[4..8].
    let w0 = quad(pair(v[0], v[1]), pair(v[2], v[3]));
    let w1 = quad(pair(v[4], v[5]), pair(v[6], v[7]));
    _mm256_add_epi32(
        _mm256_permute2x128_si256::<0x20>(w0, w1),
        _mm256_permute2x128_si256::<0x31>(w0, w1),
    )
}

/// `q8::quantize_q8` with AVX2, the same values bit for bit: the block
/// maximum is order-independent, products are the same IEEE products, and
/// `f32::round` (half away from zero) is rebuilt exactly from truncation.
#[arcane]
pub fn quantize_q8(t: X64V3Token, x: &[f32]) -> Q8Blocks {
    let nb = x.len() / 32;
    let mut out = Q8Blocks {
        d: Vec::with_capacity(nb),
        s: Vec::with_capacity(nb),
        qs: vec![0; nb * 32],
    };
    let sign = _mm256_set1_ps(-0.0);
    for (blk, qs) in x.chunks_exact(32).zip(out.qs.chunks_exact_mut(32)) {
        let v: [__m256; 4] = std::array::from_fn(|k| {
            let c: &[f32; 8] = blk[8 * k..8 * k + 8].try_into().expect("8");
            _mm256_loadu_ps(c)
        });
        // `max(|v|, acc)` keeps `acc` when |v| is NaN, as `f32::max` does.
        let mut m = _mm256_setzero_ps();
        for &vk in &v {
            m = _mm256_max_ps(_mm256_andnot_ps(sign, vk), m);
        }
        let amax = hmax(t, m);
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        let r: [__m256i; 4] =
            std::array::from_fn(|k| round_away_i32(t, _mm256_mul_ps(v[k], _mm256_set1_ps(id))));
        let sum = hsum_i32(
            t,
            _mm256_add_epi32(_mm256_add_epi32(r[0], r[1]), _mm256_add_epi32(r[2], r[3])),
        );
        store_i8(t, r, qs);
        out.d.push(round_f16(d));
        out.s.push(round_f16(sum as f32 * d));
    }
    out
}

/// `q8::quantize_q8k` with AVX2, the same values bit for bit (round half
/// to even is the SSE4.1 default rounding).
#[arcane]
pub fn quantize_q8k(t: X64V3Token, x: &[f32]) -> Q8K {
    let nb = x.len() / 256;
    let mut out = Q8K {
        d: Vec::with_capacity(nb),
        qs: vec![0; nb * 256],
        bsums: vec![0; nb * 16],
    };
    let sign = _mm256_set1_ps(-0.0);
    for (i, blk) in x.chunks_exact(256).enumerate() {
        let mut m = _mm256_setzero_ps();
        for c in blk.chunks_exact(8) {
            let c: &[f32; 8] = c.try_into().expect("8");
            m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(c)), m);
        }
        let amax = hmax(t, m);
        if amax == 0.0 {
            out.d.push(0.0);
            continue;
        }
        // The scalar code keeps the first value of largest magnitude (its
        // sign matters).
        let max = *blk
            .iter()
            .find(|v| v.abs() == amax)
            .expect("amax is some |v|");
        let iscale = -127.0 / max;
        let qs = &mut out.qs[256 * i..256 * i + 256];
        for (c, (q, bsum)) in blk.chunks_exact(32).zip(
            qs.chunks_exact_mut(32)
                .zip(out.bsums[16 * i..].chunks_exact_mut(2)),
        ) {
            let r: [__m256i; 4] = std::array::from_fn(|k| {
                let v: &[f32; 8] = c[8 * k..8 * k + 8].try_into().expect("8");
                let p = _mm256_mul_ps(_mm256_set1_ps(iscale), _mm256_loadu_ps(v));
                let n = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(p);
                // NaN → 0, as `as i32` does; then `.min(127)`.
                let n = _mm256_and_ps(n, _mm256_cmp_ps::<_CMP_ORD_Q>(n, n));
                _mm256_min_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127))
            });
            bsum[0] = hsum_i32(t, _mm256_add_epi32(r[0], r[1])) as i16;
            bsum[1] = hsum_i32(t, _mm256_add_epi32(r[2], r[3])) as i16;
            store_i8(t, r, q);
        }
        out.d.push(1.0 / iscale);
    }
    out
}

/// Largest lane (lanes are non-negative, not NaN).
#[rite]
fn hmax(_t: X64V3Token, m: __m256) -> f32 {
    let l: [f32; 8] = bytemuck::cast(m);
    l.iter().fold(0f32, |a, &v| a.max(v))
}

/// `f32::round` (half away from zero) of 8 lanes as i32; NaN gives 0 as
/// `as i32` does. Exact: `x − trunc(x)` is exact in f32.
#[rite]
fn round_away_i32(_t: X64V3Token, x: __m256) -> __m256i {
    let tr = _mm256_round_ps::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(x);
    let frac = _mm256_sub_ps(x, tr);
    let abs = _mm256_andnot_ps(_mm256_set1_ps(-0.0), frac);
    let away = _mm256_cmp_ps::<_CMP_GE_OQ>(abs, _mm256_set1_ps(0.5));
    // ±1 with the sign of x where |frac| ≥ 0.5.
    let one = _mm256_or_ps(_mm256_set1_ps(1.0), _mm256_and_ps(x, _mm256_set1_ps(-0.0)));
    let r = _mm256_add_ps(tr, _mm256_and_ps(away, one));
    let r = _mm256_and_ps(r, _mm256_cmp_ps::<_CMP_ORD_Q>(r, r));
    _mm256_cvtps_epi32(r)
}

/// Stores 32 i32 values (in i8 range) as i8, in order.
#[rite]
fn store_i8(_t: X64V3Token, r: [__m256i; 4], out: &mut [i8]) {
    let a: [i32; 8] = bytemuck::cast(r[0]);
    let b: [i32; 8] = bytemuck::cast(r[1]);
    let c: [i32; 8] = bytemuck::cast(r[2]);
    let d: [i32; 8] = bytemuck::cast(r[3]);
    for (o, v) in out.iter_mut().zip(a.iter().chain(&b).chain(&c).chain(&d)) {
        *o = *v as i8;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::quant::half::f32_to_f16;
    use crate::quant::{act_kind, prepare, vec_dot, ActKind};

    pub(crate) fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    pub(crate) fn unit(seed: &mut u64) -> f32 {
        (lcg(seed) % 20001) as f32 / 10000.0 - 1.0
    }

    /// `nblocks` random blocks of `ty` whose f16 fields (at the offsets
    /// given) hold small finite scales, so results are finite and can be
    /// compared bit for bit.
    pub(crate) fn random_row(ty: GgmlType, nblocks: usize, seed: &mut u64) -> Vec<u8> {
        let ts = ty.type_size();
        let f16_at: &[usize] = match ty {
            GgmlType::Q4_0 | GgmlType::Q5_0 | GgmlType::Q8_0 => &[0],
            GgmlType::Q4_1 | GgmlType::Q5_1 | GgmlType::Q4_K => &[0, 2],
            GgmlType::Q6_K => &[208],
            _ => unreachable!(),
        };
        let mut row: Vec<u8> = (0..nblocks * ts).map(|_| lcg(seed) as u8).collect();
        for b in row.chunks_exact_mut(ts) {
            for &o in f16_at {
                let h = f32_to_f16(unit(seed) * 0.05).to_le_bytes();
                b[o..o + 2].copy_from_slice(&h);
            }
        }
        row
    }

    /// The weight types the explicit-SIMD kernels cover.
    pub(crate) const TYPES: [GgmlType; 7] = [
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q5_1,
        GgmlType::Q8_0,
        GgmlType::Q4_K,
        GgmlType::Q6_K,
    ];

    /// `rows` random rows of `nblocks` blocks of `ty` and `nact` random
    /// activations prepared for them.
    pub(crate) fn random_batch(
        ty: GgmlType,
        nblocks: usize,
        rows: usize,
        nact: usize,
        seed: &mut u64,
    ) -> (Vec<u8>, Vec<Activation>) {
        let data: Vec<u8> = (0..rows)
            .flat_map(|_| random_row(ty, nblocks, seed))
            .collect();
        let acts = (0..nact)
            .map(|_| {
                let x: Vec<f32> = (0..nblocks * ty.block_size()).map(|_| unit(seed)).collect();
                prepare(act_kind(ty), &x)
            })
            .collect();
        (data, acts)
    }

    #[test]
    fn avx2_kernels_equal_portable_ones() {
        let Some(t) = X64V3Token::summon() else {
            // Only a CPU without AVX2 may skip the comparison.
            assert!(!std::is_x86_feature_detected!("avx2"));
            return;
        };
        let mut seed = 5;
        for ty in TYPES {
            for trial in 0..20 {
                let nblocks = 1 + trial % 4;
                let n = nblocks * ty.block_size();
                let rows = 3;
                let data: Vec<u8> = (0..rows)
                    .flat_map(|_| random_row(ty, nblocks, &mut seed))
                    .collect();
                let x: Vec<f32> = (0..n)
                    .map(|i| {
                        // Now and then one dominant value, so some blocks
                        // quantize with extreme ±127 codes.
                        let v = unit(&mut seed);
                        if i % 37 == trial {
                            v * 50.0
                        } else {
                            v
                        }
                    })
                    .collect();
                let a = prepare(act_kind(ty), &x);
                let row_bytes = nblocks * ty.type_size();
                let mut got = vec![0f32; rows];
                assert!(dot_rows(t, ty, &data, row_bytes, &a, &mut got), "{ty}");
                for (r, g) in got.iter().enumerate() {
                    let e = vec_dot(ty, &data[r * row_bytes..(r + 1) * row_bytes], &a);
                    assert_eq!(
                        g.to_bits(),
                        e.to_bits(),
                        "{ty} trial {trial} row {r}: {g} vs {e}"
                    );
                }
            }
        }
    }

    #[test]
    fn extreme_q8_0_weights_are_exact() {
        // -128 weights against ±127 activations: the largest pair sums the
        // sign trick must hold without i16 saturation.
        let Some(t) = X64V3Token::summon() else {
            return;
        };
        let mut row = vec![0x80u8; 34];
        row[0..2].copy_from_slice(&f32_to_f16(1.0).to_le_bytes());
        for x in [-1f32, 1.0] {
            let a = prepare(ActKind::Q8, &[x; 32]);
            let Activation::Q8(q) = &a else {
                unreachable!()
            };
            let mut got = [0f32];
            assert!(dot_rows(t, GgmlType::Q8_0, &row, 34, &a, &mut got));
            let got = got[0];
            assert_eq!(got.to_bits(), vec_dot(GgmlType::Q8_0, &row, &a).to_bits());
            let exact = -128.0 * 127.0 * 32.0 * q.d[0] * x.signum();
            assert!(
                (got - exact).abs() <= exact.abs() * 1e-6,
                "{got} vs {exact}"
            );
        }
    }

    #[test]
    fn avx2_batched_kernels_equal_single_ones() {
        let Some(t) = X64V3Token::summon() else {
            assert!(!std::is_x86_feature_detected!("avx2"));
            return;
        };
        let mut seed = 9;
        for ty in TYPES {
            for nact in [1, 2, 7, 9] {
                // tiles of 1, 2, 4 and 3, 4 and 1
                let (nblocks, rows) = (3, 5 + nact % 3); // whole and partial row tiles
                let row_bytes = nblocks * ty.type_size();
                let (data, acts) = random_batch(ty, nblocks, rows, nact, &mut seed);
                let mut got = vec![0f32; nact * rows];
                assert!(
                    dot_rows_batch(t, ty, &data, row_bytes, &acts, &mut got),
                    "{ty}"
                );
                for (k, a) in acts.iter().enumerate() {
                    let mut one = vec![0f32; rows];
                    assert!(dot_rows(t, ty, &data, row_bytes, a, &mut one));
                    for r in 0..rows {
                        let g = got[k * rows + r];
                        assert_eq!(g.to_bits(), one[r].to_bits(), "{ty} act {k}/{nact} row {r}");
                    }
                }
            }
        }
    }

    #[test]
    fn avx2_quantizers_equal_scalar_ones() {
        let Some(t) = X64V3Token::summon() else {
            assert!(!std::is_x86_feature_detected!("avx2"));
            return;
        };
        let mut seed = 13;
        let mut inputs: Vec<Vec<f32>> = (0..20)
            .map(|k| {
                (0..512)
                    .map(|_| unit(&mut seed) * (k as f32 + 0.5))
                    .collect()
            })
            .collect();
        // Exact ties after scaling: amax 127 gives d = 1 for Q8_0; −127 as
        // first maximum gives iscale = 1 for Q8_K; zeros; NaN and ±inf.
        let mut ties: Vec<f32> = (0..512).map(|i| (i % 50) as f32 - 24.5).collect();
        ties[0] = 127.0;
        ties[256] = -127.0;
        ties[300] = 127.0;
        inputs.push(ties);
        inputs.push(vec![0.0; 512]);
        let mut odd = inputs[0].clone();
        odd[3] = f32::NAN;
        odd[40] = f32::INFINITY;
        odd[300] = f32::NEG_INFINITY;
        odd[301] = f32::NAN;
        inputs.push(odd);
        for x in &inputs {
            let (a, b) = (quantize_q8(t, x), crate::quant::q8::quantize_q8(x));
            assert_eq!(a.qs, b.qs);
            assert_eq!(bits(&a.d), bits(&b.d));
            assert_eq!(bits(&a.s), bits(&b.s));
            let (a, b) = (quantize_q8k(t, x), crate::quant::q8::quantize_q8k(x));
            assert_eq!(a.qs, b.qs);
            assert_eq!(a.bsums, b.bsums);
            assert_eq!(bits(&a.d), bits(&b.d));
        }
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|f| f.to_bits()).collect()
    }
}

/// Single-thread kernel throughput, AVX2 vs portable, on the matrix shapes
/// of the two bundled models (synthetic weights):
/// `cargo test --release -p engine --lib kernel_speed -- --ignored --nocapture`.
#[cfg(test)]
mod speed {
    use super::*;
    use crate::quant::matmul::dot_rows_portable;
    use crate::quant::{act_kind, prepare};

    #[test]
    #[ignore = "timing, not a check"]
    fn kernel_speed() {
        let Some(t) = X64V3Token::summon() else {
            return;
        };
        for (ty, rows, cols) in [
            (GgmlType::Q8_0, 262144, 640), // gemma3's tied output: 178 MB, memory-bound
            (GgmlType::Q5_0, 2048, 640),
            (GgmlType::Q4_K, 640, 1024),
            (GgmlType::Q6_K, 640, 2048),
            (GgmlType::Q4_1, 1536, 576),
            (GgmlType::Q8_0, 49152, 576),
        ] {
            let rb = cols / ty.block_size() * ty.type_size();
            let mut data: Vec<u8> = (0..rows * rb).map(|i| (i * 7919 % 251) as u8).collect();
            // Scale 1.0 in the first and last f16 of every block.
            for b in data.chunks_exact_mut(ty.type_size()) {
                let n = b.len();
                b[..2].copy_from_slice(&[0, 0x3c]);
                b[n - 2..].copy_from_slice(&[0, 0x3c]);
            }
            let x: Vec<f32> = (0..cols)
                .map(|i| (i * 31 % 17) as f32 / 8.0 - 1.0)
                .collect();
            let a = prepare(act_kind(ty), &x);
            let mut out = vec![0f32; rows];
            let reps = if rows > 10000 { 3 } else { 200 };
            for simd in [true, false] {
                let start = std::time::Instant::now();
                for _ in 0..reps {
                    if simd {
                        dot_rows(t, ty, &data, rb, &a, &mut out);
                    } else {
                        dot_rows_portable(ty, &data, rb, &a, &mut out);
                    }
                }
                let gmac = (reps * rows * cols) as f64 / start.elapsed().as_secs_f64() / 1e9;
                let name = if simd { "avx2" } else { "portable" };
                println!("{ty} {rows}x{cols} {name}: {gmac:.2} GMAC/s");
            }
        }
    }
}
