//! AVX-512 prompt kernels (x86-64-v4 with VNNI: Ice Lake, Sapphire Rapids,
//! Zen 4 and later) for batches of activations, i.e. prompt processing.
//!
//! A 512-bit register holds the 8 i32 (or f32) lanes of TWO activations
//! (alternating lanes for the 32-element types, halves for the K-quants)
//! against a weight block laid out to match, so every instruction does the
//! work of two AVX2 ones while each activation's lanes see exactly the
//! operations of `simd_x86` (and `dot`): same integer lanes (exact), same
//! float multiply and add per lane, same order. Results are therefore
//! bit-identical to the single-activation kernels; tests below check that
//! on random blocks.
//!
//! 32-element types use `vpdpbusd` (u8 × i8, four products summed into an
//! i32 lane, no saturation). Signed weights are stored with a bias `c`
//! that makes them unsigned (`w + c`), and the lane starts at `−c · Σa` of
//! its four activations, precomputed once per batch: `Σ(w + c)a − cΣa =
//! Σwa` exactly in i32.
//!
//! The activations of a batch are re-laid once per matrix product
//! ([`Batch::new`]) into the pairs these kernels load, then shared by all
//! threads and rows.

use archmage::prelude::*;
use rayon::prelude::*;

use super::half::le_f16;
use super::q8::{Q8Blocks, Q8K};
use super::simd_x86::{q4k_unpack, q6k_unpack};
use super::{all_as, Activation};
use crate::gguf::GgmlType;

/// The AVX-512 + VNNI token if this CPU has it (detected once, cached by
/// archmage).
#[inline]
pub fn token() -> Option<X64V4xToken> {
    if super::isa_cap() < super::CpuKernels::Avx512Vnni {
        return None;
    }
    X64V4xToken::summon()
}

/// 64 bytes, cache-line aligned: two activations' 32 quantized values.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Bytes64([i8; 64]);

/// 16 i32 lanes, cache-line aligned.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct I32x16([i32; 16]);

/// 16 f32 lanes, cache-line aligned.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct F32x16([f32; 16]);

/// 8 f32 lanes, 32-byte aligned.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct F32x8([f32; 8]);

/// Activations of one matrix product, re-laid for this module's kernels.
pub enum Batch {
    /// For Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights.
    Blocks32(Pairs32),
    /// For Q4_K, Q6_K weights.
    BlocksK(PairsK),
}

/// Q8_0/Q8_1 activations in pairs, `[pair][block]`: the 4-value groups of
/// activations `2p` and `2p + 1` alternate (i32 lane `2l` of a product is
/// lane `l` of activation `2p`, lane `2l + 1` that of `2p + 1`), zeros past
/// the last activation.
pub struct Pairs32 {
    ty: GgmlType,
    n: usize,
    nb: usize,
    qs: Vec<Bytes64>,
    /// `−c · Σ` of each lane's four values (`c` the weight bias of `ty`).
    off: Vec<I32x16>,
    /// Block scales `[da_2p, da_2p+1] × 4`.
    da: Vec<F32x8>,
    /// `[group of 16 activations][block]`: block sums (Q8_1 `s`) of the
    /// group's activations, for the Q4_1/Q5_1 min terms.
    sa: Vec<F32x16>,
}

/// Weight layout of a 32-element type: block bytes, the bias that makes its
/// values unsigned and whether it has a min (Q4_1/Q5_1).
fn blocks32_layout(ty: GgmlType) -> Option<(usize, i32, bool)> {
    Some(match ty {
        GgmlType::Q4_0 => (18, 8, false),
        GgmlType::Q4_1 => (20, 0, true),
        GgmlType::Q5_0 => (22, 16, false),
        GgmlType::Q5_1 => (24, 0, true),
        GgmlType::Q8_0 => (34, 128, false),
        _ => return None,
    })
}

impl Batch {
    /// Re-lays `acts` for weights of type `ty`; None for the types (or
    /// activation kinds) this module does not handle.
    pub fn new(_t: X64V4xToken, ty: GgmlType, acts: &[Activation]) -> Option<Batch> {
        if matches!(ty, GgmlType::Q4_K | GgmlType::Q6_K) {
            let q8k = all_as(acts, Activation::as_q8k)?;
            return Some(Batch::BlocksK(PairsK::new(ty, &q8k)));
        }
        let (_, bias, _) = blocks32_layout(ty)?;
        let q8 = all_as(acts, Activation::as_q8)?;
        Some(Batch::Blocks32(Pairs32::new(ty, bias, &q8)))
    }

    /// Batched `dot_rows` (`out` is `[activation][row]`, rows back to back
    /// in `rows`), bit-identical to the single-activation kernels.
    pub fn dot_rows(&self, t: X64V4xToken, rows: &[u8], row_bytes: usize, out: &mut [f32]) {
        match self {
            Batch::Blocks32(p) => rows32(t, p, rows, row_bytes, out),
            Batch::BlocksK(p) => rows256(t, p, rows, row_bytes, out),
        }
    }
}

impl Pairs32 {
    fn new(ty: GgmlType, bias: i32, acts: &[&Q8Blocks]) -> Pairs32 {
        let n = acts.len();
        let nb = acts.first().map_or(0, |a| a.d.len());
        let npairs = n.div_ceil(2);
        let mut p = Pairs32 {
            ty,
            n,
            nb,
            qs: vec![Bytes64([0; 64]); npairs * nb],
            off: vec![I32x16([0; 16]); npairs * nb],
            da: vec![F32x8([0.0; 8]); npairs * nb],
            sa: vec![F32x16([0.0; 16]); n.div_ceil(16) * nb],
        };
        if nb == 0 {
            return p;
        }
        let pairs =
            p.qs.par_chunks_mut(nb)
                .zip(p.off.par_chunks_mut(nb))
                .zip(p.da.par_chunks_mut(nb));
        pairs.enumerate().for_each(|(pi, ((qs, off), da))| {
            for (h, a) in acts.iter().skip(2 * pi).take(2).enumerate() {
                for i in 0..nb {
                    let q = &a.qs[32 * i..32 * i + 32];
                    for l in 0..8 {
                        let g = &q[4 * l..4 * l + 4];
                        let lane = 2 * l + h;
                        qs[i].0[4 * lane..4 * lane + 4].copy_from_slice(g);
                        off[i].0[lane] = -bias * g.iter().map(|&v| v as i32).sum::<i32>();
                    }
                    for r in 0..4 {
                        da[i].0[2 * r + h] = a.d[i];
                    }
                }
            }
        });
        for (k, a) in acts.iter().enumerate() {
            for i in 0..nb {
                p.sa[(k / 16) * nb + i].0[k % 16] = a.s[i];
            }
        }
        p
    }
}

/// The 32 nibbles of a Q4 `qs[16]`, low nibbles first.
#[rite]
fn nibbles(_t: X64V4xToken, qs: &[u8]) -> __m256i {
    let qs: &[u8; 16] = qs.try_into().expect("16 bytes");
    let lo = _mm_loadu_si128(qs);
    let hi = _mm_srli_epi16::<4>(lo);
    _mm256_and_si256(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(0xf))
}

/// Q5 values `q | (bit 4 from qh)` (0..32).
#[rite]
fn five_bits(t: X64V4xToken, qh: u32, qs: &[u8]) -> __m256i {
    let hb = _mm256_movm_epi8(qh);
    _mm256_or_si256(nibbles(t, qs), _mm256_and_si256(hb, _mm256_set1_epi8(0x10)))
}

/// One block of a 32-element type as unsigned bytes `w + c`, each 4-byte
/// group twice (once per activation of a pair, see [`Pairs32`]).
#[rite]
fn unpack32(t: X64V4xToken, ty: GgmlType, b: &[u8]) -> __m512i {
    let v = match ty {
        GgmlType::Q4_0 => nibbles(t, &b[2..18]),
        GgmlType::Q4_1 => nibbles(t, &b[4..20]),
        GgmlType::Q5_0 => five_bits(t, u32::from_le_bytes([b[2], b[3], b[4], b[5]]), &b[6..22]),
        GgmlType::Q5_1 => five_bits(t, u32::from_le_bytes([b[4], b[5], b[6], b[7]]), &b[8..24]),
        _ => {
            let q: &[u8; 32] = b[2..34].try_into().expect("32 bytes");
            _mm256_xor_si256(_mm256_loadu_si256(q), _mm256_set1_epi8(-128))
        }
    };
    let twice = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    _mm512_permutexvar_epi32(twice, _mm512_castsi256_si512(v))
}

/// Pair `p` times the [`TILE_ROWS`] unpacked rows of `w`/`wd` (laid out
/// `[block][row]`, `wd` as `[wd_r, wd_r]` per row): per row, the two
/// activations' lane sums `Σ_i cvt(l_i) · (wd_i · da_i)` accumulated in
/// block order, as `simd_x86::blocks32!` does. The 8 scale products of a
/// block are one multiply, stored to `sp` first so the inner loop takes
/// each row's pair of them as a broadcast load.
#[rite]
fn tile<const BIAS: bool>(
    t: X64V4xToken,
    w: &[[__m512i; TILE_ROWS]],
    wd: &[F32x8],
    b: &Pairs32,
    p: usize,
    sp: &mut [[f64; TILE_ROWS]],
) -> [f32; 8] {
    let nb = b.nb;
    let (qs, off, da) = (
        &b.qs[p * nb..(p + 1) * nb],
        &b.off[p * nb..(p + 1) * nb],
        &b.da[p * nb..(p + 1) * nb],
    );
    for ((sp, wd), da) in sp.iter_mut().zip(wd).zip(da) {
        let prod = _mm256_mul_ps(_mm256_loadu_ps(&wd.0), _mm256_loadu_ps(&da.0));
        let out: &mut [f32; 8] = bytemuck::cast_mut(sp);
        _mm256_storeu_ps(out, prod);
    }
    let mut facc = [_mm512_setzero_ps(); TILE_ROWS];
    for (((w, sp), qs), off) in w.iter().zip(&*sp).zip(qs).zip(off) {
        let a = _mm512_loadu_si512(&qs.0);
        let o = if BIAS {
            _mm512_loadu_si512(&off.0)
        } else {
            _mm512_setzero_si512()
        };
        for r in 0..TILE_ROWS {
            let l = _mm512_dpbusd_epi32(o, w[r], a);
            let s = _mm512_castpd_ps(_mm512_set1_pd(sp[r]));
            facc[r] = _mm512_add_ps(facc[r], _mm512_mul_ps(_mm512_cvtepi32_ps(l), s));
        }
    }
    lane_sums(t, facc)
}

/// The 8 (row, activation) lane sums of a tile's accumulators, `2r + h`
/// for row `r` and pair half `h`: each `lanes_sum` of its 8 lanes (the
/// same additions in the same order), computed 8 at a time after a
/// transpose. Lane `l` of combination `(r, h)` is qword `l`, half `h`, of
/// `facc[r]`.
#[rite]
fn lane_sums(_t: X64V4xToken, facc: [__m512; TILE_ROWS]) -> [f32; 8] {
    let f: [__m512d; 4] = std::array::from_fn(|r| _mm512_castps_pd(facc[r]));
    // Per 128-bit lane k: qwords 2k (t0, t2) and 2k + 1 (t1, t3) of rows
    // 0, 1 and 2, 3.
    let (t0, t1) = (
        _mm512_unpacklo_pd(f[0], f[1]),
        _mm512_unpackhi_pd(f[0], f[1]),
    );
    let (t2, t3) = (
        _mm512_unpacklo_pd(f[2], f[3]),
        _mm512_unpackhi_pd(f[2], f[3]),
    );
    let lo = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    let hi = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    // [V0 | V2], [V4 | V6], [V1 | V3], [V5 | V7]: V_l = qword l of the rows.
    let even = [
        _mm512_permutex2var_pd(t0, lo, t2),
        _mm512_permutex2var_pd(t0, hi, t2),
    ];
    let odd = [
        _mm512_permutex2var_pd(t1, lo, t3),
        _mm512_permutex2var_pd(t1, hi, t3),
    ];
    let halves = |v: __m512d| {
        let v = _mm512_castpd_ps(v);
        (_mm512_castps512_ps256(v), _mm512_extractf32x8_ps::<1>(v))
    };
    let (v0, v2) = halves(even[0]);
    let (v4, v6) = halves(even[1]);
    let (v1, v3) = halves(odd[0]);
    let (v5, v7) = halves(odd[1]);
    // `Sum for f32` starts from its neutral element; start from the same.
    let mut acc = _mm256_set1_ps(std::iter::empty::<f32>().sum());
    for v in [v0, v1, v2, v3, v4, v5, v6, v7] {
        acc = _mm256_add_ps(acc, v);
    }
    let mut out = [0f32; 8];
    _mm256_storeu_ps(&mut out, acc);
    out
}

/// Rows per register tile (a last partial tile is padded with zero rows).
const TILE_ROWS: usize = 4;
// A tile's (row, activation) scale products fill one `F32x8`.
const _: () = assert!(2 * TILE_ROWS == 8);

/// [`Batch::dot_rows`] for the 32-element types.
#[arcane]
fn rows32(t: X64V4xToken, b: &Pairs32, rows: &[u8], row_bytes: usize, out: &mut [f32]) {
    let (ts, bias, min) = blocks32_layout(b.ty).expect("a 32-element type");
    let (n, nb) = (b.n, b.nb);
    if n == 0 {
        return;
    }
    let nrows = out.len() / n;
    let stride = 16 * n.div_ceil(16);
    let mut w = vec![[_mm512_setzero_si512(); TILE_ROWS]; nb];
    let mut wd = vec![F32x8([0.0; 8]); nb];
    let mut wm = vec![[0f32; TILE_ROWS]; nb];
    let mut sp = vec![[0f64; TILE_ROWS]; nb];
    // Min terms of the tile's rows: `[row][activation]` (0 without mins).
    let mut ys = vec![0f32; TILE_ROWS * stride];
    for r0 in (0..nrows).step_by(TILE_ROWS) {
        let rr = TILE_ROWS.min(nrows - r0);
        for r in 0..TILE_ROWS {
            if r >= rr {
                // Padding rows: zero weights and scales, results dropped.
                for ((w, wd), wm) in w.iter_mut().zip(&mut wd).zip(&mut wm) {
                    w[r] = _mm512_setzero_si512();
                    wd.0[2 * r..2 * r + 2].fill(0.0);
                    wm[r] = 0.0;
                }
                continue;
            }
            let row = &rows[(r0 + r) * row_bytes..(r0 + r + 1) * row_bytes];
            let blocks = row.chunks_exact(ts).zip(&mut w).zip(&mut wd).zip(&mut wm);
            for (((blk, w), wd), wm) in blocks {
                w[r] = unpack32(t, b.ty, blk);
                wd.0[2 * r..2 * r + 2].fill(le_f16(blk, 0));
                wm[r] = if min { le_f16(blk, 2) } else { 0.0 };
            }
        }
        if min {
            // ys += wm · sa per block in order, 16 activations per vector.
            for (r, yr) in ys.chunks_exact_mut(stride).enumerate().take(rr) {
                for (g, yg) in yr.chunks_exact_mut(16).enumerate() {
                    let mut acc = _mm512_setzero_ps();
                    for (wm, sa) in wm.iter().zip(&b.sa[g * nb..(g + 1) * nb]) {
                        let sa = _mm512_loadu_ps(&sa.0);
                        acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(wm[r]), sa));
                    }
                    let yg: &mut [f32; 16] = yg.try_into().expect("16 lanes");
                    _mm512_storeu_ps(yg, acc);
                }
            }
        }
        for p in 0..n.div_ceil(2) {
            let sums = if bias != 0 {
                tile::<true>(t, &w, &wd, b, p, &mut sp)
            } else {
                tile::<false>(t, &w, &wd, b, p, &mut sp)
            };
            for r in 0..rr {
                for h in 0..2 {
                    let k = 2 * p + h;
                    if k < n {
                        out[k * nrows + r0 + r] = sums[2 * r + h] + ys[r * stride + k];
                    }
                }
            }
        }
    }
}

/// 32 i16 lanes, cache-line aligned.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct I16x32([i16; 32]);

/// Q8_K activations in pairs, `[pair][block]` (activation `2p` in the low
/// halves, zeros past the last one).
pub struct PairsK {
    ty: GgmlType,
    n: usize,
    nb: usize,
    /// `[pair][block][8]`: the block's 8 runs of 32 values.
    qs: Vec<Bytes64>,
    /// The 16 sums of 16 values per block.
    bsums: Vec<I16x32>,
    /// Block scales in the order of [`reduce8`]'s pairs, `[ad0, ad1] × 8`.
    ad: Vec<F32x16>,
}

impl PairsK {
    fn new(ty: GgmlType, acts: &[&Q8K]) -> PairsK {
        let n = acts.len();
        let nb = acts.first().map_or(0, |a| a.d.len());
        let npairs = n.div_ceil(2);
        let mut p = PairsK {
            ty,
            n,
            nb,
            qs: vec![Bytes64([0; 64]); npairs * nb * 8],
            bsums: vec![I16x32([0; 32]); npairs * nb],
            ad: vec![F32x16([0.0; 16]); npairs * nb],
        };
        if nb == 0 {
            return p;
        }
        let pairs =
            p.qs.par_chunks_mut(8 * nb)
                .zip(p.bsums.par_chunks_mut(nb))
                .zip(p.ad.par_chunks_mut(nb));
        pairs.enumerate().for_each(|(pi, ((qs, bsums), ad))| {
            for (h, a) in acts.iter().skip(2 * pi).take(2).enumerate() {
                for i in 0..nb {
                    for s in 0..8 {
                        let q = &a.qs[256 * i + 32 * s..256 * i + 32 * s + 32];
                        qs[8 * i + s].0[32 * h..32 * h + 32].copy_from_slice(q);
                    }
                    bsums[i].0[16 * h..16 * h + 16].copy_from_slice(&a.bsums[16 * i..16 * i + 16]);
                    for c in (h..16).step_by(2) {
                        ad[i].0[c] = a.d[i];
                    }
                }
            }
        });
        p
    }
}

/// Exact sums of 8 lanes per half of eight vectors `v` (each holding two
/// activations' lanes), by a transpose tree. Lane `j` of the result holds
/// the sum of half `h` of `v[x]` with, for `q` = `j / 4` and `e` = `j % 4`:
/// `x = 4·(q / 2) + e` and `h = q % 2`.
#[rite]
fn reduce8(_t: X64V4xToken, v: [__m512i; 8]) -> __m512i {
    let pair = |a: __m512i, b: __m512i| {
        _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b))
    };
    let quad = |a: __m512i, b: __m512i| {
        _mm512_add_epi32(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b))
    };
    // Per 128-bit lane: the lane's sums of v[0..4] and of v[4..8].
    let w0 = quad(pair(v[0], v[1]), pair(v[2], v[3]));
    let w1 = quad(pair(v[4], v[5]), pair(v[6], v[7]));
    // 128-bit lanes 0+1 are the low half, 2+3 the high half.
    _mm512_add_epi32(
        _mm512_shuffle_i32x4::<0x88>(w0, w1),
        _mm512_shuffle_i32x4::<0xdd>(w0, w1),
    )
}

/// Where [`reduce8`] leaves the isum (first 8) and min sum (last 8) of
/// row `r`, activation half `h`, at index `2r + h`, when fed `[isum_r0,
/// mins_r0, isum_r1, mins_r1, …]`.
const REDUCE8_ORDER: [u32; 16] = [0, 4, 2, 6, 8, 12, 10, 14, 1, 5, 3, 7, 9, 13, 11, 15];

/// Rows of 256-element K blocks per register tile.
const TILE_ROWS_K: usize = 4;

/// One block of [`TILE_ROWS_K`] rows, unpacked and broadcast: `w[k][r]`,
/// `s[k][r]` (i16 scales), `m[r]` (Q4_K: mins per 16-value sum; Q6_K: the
/// scales per 16-value sum), and `[wd_r, wd_r] × 4` then `[wmin_r, wmin_r]
/// × 4` (0 for Q6_K).
struct TileK {
    w: [[__m512i; TILE_ROWS_K]; 8],
    s: [[__m512i; TILE_ROWS_K]; 8],
    m: [__m512i; TILE_ROWS_K],
    wdm: __m512,
}

/// [`Batch::dot_rows`] for Q4_K and Q6_K: per tile of rows and per block,
/// every pair's exact integer sums, then the float terms of `dot::q4_k` /
/// `dot::q6_k` for the 8 (row, activation) combinations at once, added to
/// per-pair accumulators in block order.
#[arcane]
fn rows256(t: X64V4xToken, b: &PairsK, rows: &[u8], row_bytes: usize, out: &mut [f32]) {
    let q6 = b.ty == GgmlType::Q6_K;
    let ts = if q6 { 210 } else { 144 };
    let (n, nb) = (b.n, b.nb);
    if n == 0 {
        return;
    }
    let nrows = out.len() / n;
    let npairs = n.div_ceil(2);
    let order = _mm512_loadu_si512(&REDUCE8_ORDER);
    let bc = |v: __m256i| _mm512_broadcast_i64x4(v);
    let mut ys = vec![_mm256_setzero_ps(); npairs];
    for r0 in (0..nrows).step_by(TILE_ROWS_K) {
        let rr = TILE_ROWS_K.min(nrows - r0);
        ys.fill(_mm256_setzero_ps());
        for i in 0..nb {
            let mut u = TileK {
                w: [[_mm512_setzero_si512(); TILE_ROWS_K]; 8],
                s: [[_mm512_setzero_si512(); TILE_ROWS_K]; 8],
                m: [_mm512_setzero_si512(); TILE_ROWS_K],
                wdm: _mm512_setzero_ps(),
            };
            let mut wdm = [0f32; 16];
            for r in 0..rr {
                let blk = &rows[(r0 + r) * row_bytes + i * ts..(r0 + r) * row_bytes + (i + 1) * ts];
                if q6 {
                    let (q, s) = q6k_unpack(t.v3(), blk);
                    let sc: &[u8; 16] = blk[192..208].try_into().expect("16 scales");
                    u.m[r] = bc(_mm256_cvtepi8_epi16(_mm_loadu_si128(sc)));
                    for k in 0..8 {
                        u.w[k][r] = bc(q[k]);
                        u.s[k][r] = bc(s[k]);
                    }
                    wdm[2 * r] = le_f16(blk, 208);
                    wdm[2 * r + 1] = wdm[2 * r];
                } else {
                    let (w, s, m) = q4k_unpack(t.v3(), blk);
                    u.m[r] = bc(m);
                    for k in 0..8 {
                        u.w[k][r] = bc(w[k]);
                        u.s[k][r] = bc(s[k]);
                    }
                    wdm[2 * r] = le_f16(blk, 0);
                    wdm[2 * r + 1] = wdm[2 * r];
                    wdm[8 + 2 * r] = le_f16(blk, 2);
                    wdm[8 + 2 * r + 1] = wdm[8 + 2 * r];
                }
            }
            u.wdm = _mm512_loadu_ps(&wdm);
            for (p, y) in ys.iter_mut().enumerate() {
                let j = p * nb + i;
                *y = pair_block_k(
                    t,
                    &u,
                    q6,
                    &b.qs[8 * j..8 * j + 8],
                    &b.bsums[j],
                    &b.ad[j],
                    order,
                    *y,
                );
            }
        }
        for (p, y) in ys.iter().enumerate() {
            let mut v = [0f32; 8];
            _mm256_storeu_ps(&mut v, *y);
            for r in 0..rr {
                for h in 0..2 {
                    let k = 2 * p + h;
                    if k < n {
                        out[k * nrows + r0 + r] = v[2 * r + h];
                    }
                }
            }
        }
    }
}

/// One pair × one block of a row tile: `y + term` per (row, activation).
#[rite]
#[allow(clippy::too_many_arguments)]
fn pair_block_k(
    _t: X64V4xToken,
    u: &TileK,
    q6: bool,
    qs: &[Bytes64],
    bsums: &I16x32,
    ad: &F32x16,
    order: __m512i,
    y: __m256,
) -> __m256 {
    let mut acc = [_mm512_setzero_si512(); TILE_ROWS_K];
    for ((q, w), s) in qs.iter().zip(&u.w).zip(&u.s) {
        let a = _mm512_loadu_si512(&q.0);
        for ((acc, &w), &s) in acc.iter_mut().zip(w).zip(s) {
            // u4/u6 × i8 pairs fit i16; × the i16 scale in i32 pairs.
            *acc = _mm512_dpwssd_epi32(*acc, _mm512_maddubs_epi16(w, a), s);
        }
    }
    let bs = _mm512_loadu_si512(&bsums.0);
    let v: [__m512i; 8] = std::array::from_fn(|x| {
        let r = x / 2;
        let sums = _mm512_madd_epi16(bs, u.m[r]);
        match (q6, x % 2) {
            // Q6_K: Σ sc·(q − 32)·a = acc − 32 · Σ sc · bsums.
            (true, 0) => _mm512_sub_epi32(acc[r], _mm512_slli_epi32::<5>(sums)),
            (true, _) => _mm512_setzero_si512(),
            (false, 0) => acc[r],
            (false, _) => sums,
        }
    });
    let f = _mm512_cvtepi32_ps(_mm512_permutexvar_epi32(order, reduce8(_t, v)));
    // d = wd · ad and dmin = wmin · ad, times isum and mins: as dot.rs.
    let prod = _mm512_mul_ps(_mm512_mul_ps(u.wdm, _mm512_loadu_ps(&ad.0)), f);
    let (d_isum, dmin_mins) = (
        _mm512_castps512_ps256(prod),
        _mm512_extractf32x8_ps::<1>(prod),
    );
    // Q6_K has no min term (subtracting its zeros would turn an infinite
    // scale's 0·∞ into a NaN that `dot::q6_k` does not produce).
    let term = if q6 {
        d_isum
    } else {
        _mm256_sub_ps(d_isum, dmin_mins)
    };
    _mm256_add_ps(y, term)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::simd_x86::tests::{random_batch, TYPES};
    use crate::quant::vec_dot;

    #[test]
    fn avx512_batches_equal_single_kernels() {
        let Some(t) = X64V4xToken::summon() else {
            assert!(
                !(std::is_x86_feature_detected!("avx512vnni")
                    && std::is_x86_feature_detected!("avx512vbmi2"))
            );
            return;
        };
        let mut seed = 21;
        for ty in TYPES {
            for (nact, rows) in [(1, 1), (2, 4), (3, 5), (7, 9), (17, 3), (33, 8)] {
                let nblocks = 3;
                let row_bytes = nblocks * ty.type_size();
                let (data, acts) = random_batch(ty, nblocks, rows, nact, &mut seed);
                let batch = Batch::new(t, ty, &acts).expect("handled type");
                let mut got = vec![f32::NAN; nact * rows];
                batch.dot_rows(t, &data, row_bytes, &mut got);
                for (k, a) in acts.iter().enumerate() {
                    for (r, row) in data.chunks_exact(row_bytes).enumerate() {
                        let want = vec_dot(ty, row, a);
                        let g = got[k * rows + r];
                        assert_eq!(
                            g.to_bits(),
                            want.to_bits(),
                            "{ty} act {k}/{nact} row {r}: {g} vs {want}"
                        );
                    }
                }
            }
        }
    }
}

/// Single-thread prompt-kernel throughput, AVX2 batch vs AVX-512 pairs, on
/// the bundled models' shapes with 128 activations (synthetic weights):
/// `cargo test --release -p engine --lib batch_speed -- --ignored --nocapture`.
#[cfg(test)]
mod speed {
    use super::*;
    use crate::quant::simd_x86;
    use crate::quant::simd_x86::tests::random_batch;

    #[test]
    #[ignore = "timing, not a check"]
    fn batch_speed() {
        let (Some(t), Some(t2)) = (X64V4xToken::summon(), X64V3Token::summon()) else {
            return;
        };
        let mut seed = 3;
        for (ty, rows, cols) in [
            (GgmlType::Q5_0, 2048, 640),
            (GgmlType::Q8_0, 256, 640),
            (GgmlType::Q4_1, 1536, 576),
            (GgmlType::Q4_K, 640, 1024),
            (GgmlType::Q6_K, 640, 2048),
        ] {
            let nact = 128;
            let nb = cols / ty.block_size();
            let rb = nb * ty.type_size();
            let (data, acts) = random_batch(ty, nb, rows, nact, &mut seed);
            let mut out = vec![0f32; rows * nact];
            let reps = 5;
            let mut line = format!("{ty} {rows}x{cols} x{nact}:");
            for wide in [false, true] {
                let start = std::time::Instant::now();
                for _ in 0..reps {
                    let batch = if wide { Batch::new(t, ty, &acts) } else { None };
                    if wide && batch.is_none() {
                        break;
                    }
                    for (c, o) in out.chunks_mut(64 * nact).enumerate() {
                        let nrows = o.len() / nact;
                        let rows = &data[c * 64 * rb..(c * 64 + nrows) * rb];
                        if let Some(b) = &batch {
                            b.dot_rows(t, rows, rb, o);
                        } else {
                            simd_x86::dot_rows_batch(t2, ty, rows, rb, &acts, o);
                        }
                    }
                }
                let gmac = (reps * rows * cols * nact) as f64 / start.elapsed().as_secs_f64() / 1e9;
                line += &format!(" {} {gmac:.1} GMAC/s", if wide { "avx512" } else { "avx2" });
            }
            println!("{line}");
        }
    }
}
