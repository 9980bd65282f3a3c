//! AVX-512 prompt kernels (x86-64-v4 with VNNI: Ice Lake, Sapphire Rapids,
//! Zen 4 and later) for batches of activations, i.e. prompt processing.
//!
//! A 512-bit register holds the 8 i32 (or f32) lanes of TWO activations
//! side by side, and a weight block is broadcast to both halves, so every
//! instruction does the work of two AVX2 ones while each half performs
//! exactly the lane operations of `simd_x86` (and `dot`): same integer
//! lanes (exact), same float multiply and add per lane, same order. Results
//! are therefore bit-identical to the single-activation kernels; tests
//! below check that on random blocks.
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

use super::half::le_f16;
use super::q8::Q8Blocks;
use super::Activation;
use crate::gguf::GgmlType;

/// The AVX-512 + VNNI token if this CPU has it (detected once, cached by
/// archmage).
#[inline]
pub fn token() -> Option<X64V4xToken> {
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

/// Activations of one matrix product, re-laid for this module's kernels.
pub enum Batch {
    /// For Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights.
    Blocks32(Pairs32),
}

/// Q8_0/Q8_1 activations in pairs: `[pair][block]`, activation `2p` in the
/// low half of each 512-bit value and `2p + 1` in the high half (zeros past
/// the last activation).
pub struct Pairs32 {
    ty: GgmlType,
    n: usize,
    nb: usize,
    qs: Vec<Bytes64>,
    /// `−c · Σ` of each lane's four values (`c` the weight bias of `ty`).
    off: Vec<I32x16>,
    /// Block scale of each activation, on its 8 lanes.
    da: Vec<F32x16>,
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
        let (_, bias, _) = blocks32_layout(ty)?;
        let q8: Vec<&Q8Blocks> = acts
            .iter()
            .map(|a| match a {
                Activation::Q8(q) => Some(q),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Some(Batch::Blocks32(Pairs32::new(ty, bias, &q8)))
    }

    /// Batched `dot_rows` (`out` is `[activation][row]`, rows back to back
    /// in `rows`), bit-identical to the single-activation kernels.
    pub fn dot_rows(&self, t: X64V4xToken, rows: &[u8], row_bytes: usize, out: &mut [f32]) {
        match self {
            Batch::Blocks32(p) => rows32(t, p, rows, row_bytes, out),
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
            da: vec![F32x16([0.0; 16]); npairs * nb],
            sa: vec![F32x16([0.0; 16]); n.div_ceil(16) * nb],
        };
        for (k, a) in acts.iter().enumerate() {
            let h = k % 2;
            for i in 0..nb {
                let j = (k / 2) * nb + i;
                let q = &a.qs[32 * i..32 * i + 32];
                p.qs[j].0[32 * h..32 * h + 32].copy_from_slice(q);
                for l in 0..8 {
                    let s: i32 = q[4 * l..4 * l + 4].iter().map(|&v| v as i32).sum();
                    p.off[j].0[8 * h + l] = -bias * s;
                    p.da[j].0[8 * h + l] = a.d[i];
                }
                p.sa[(k / 16) * nb + i].0[k % 16] = a.s[i];
            }
        }
        p
    }
}

/// The 32 nibbles of a Q4 `qs[16]` (low nibbles first), broadcast to both
/// halves.
#[rite]
fn nibbles(_t: X64V4xToken, qs: &[u8]) -> __m512i {
    let qs: &[u8; 16] = qs.try_into().expect("16 bytes");
    let lo = _mm_loadu_si128(qs);
    let hi = _mm_srli_epi16::<4>(lo);
    let v = _mm256_and_si256(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(0xf));
    _mm512_broadcast_i64x4(v)
}

/// Q5 values `q | (bit 4 from qh)` (0..32), broadcast to both halves.
#[rite]
fn five_bits(t: X64V4xToken, qh: u32, qs: &[u8]) -> __m512i {
    let hb = _mm512_movm_epi8(qh as u64 | (qh as u64) << 32);
    _mm512_or_si512(nibbles(t, qs), _mm512_and_si512(hb, _mm512_set1_epi8(0x10)))
}

/// One block of a 32-element type as unsigned bytes `w + c`, broadcast.
#[rite]
fn unpack32(t: X64V4xToken, ty: GgmlType, b: &[u8]) -> __m512i {
    match ty {
        GgmlType::Q4_0 => nibbles(t, &b[2..18]),
        GgmlType::Q4_1 => nibbles(t, &b[4..20]),
        GgmlType::Q5_0 => five_bits(t, u32::from_le_bytes([b[2], b[3], b[4], b[5]]), &b[6..22]),
        GgmlType::Q5_1 => five_bits(t, u32::from_le_bytes([b[4], b[5], b[6], b[7]]), &b[8..24]),
        _ => {
            let q: &[u8; 32] = b[2..34].try_into().expect("32 bytes");
            let v = _mm256_xor_si256(_mm256_loadu_si256(q), _mm256_set1_epi8(-128));
            _mm512_broadcast_i64x4(v)
        }
    }
}

/// Horizontal sum of 8 lanes in `simd_x86::lanes_sum`'s (and
/// `dot::blocks32_lanes`') order.
#[inline(always)]
fn lanes_sum(v: &[f32]) -> f32 {
    v.iter().sum()
}

/// `R` unpacked rows (`[row][block]`) times pair `p`: per row, the two
/// activations' lane sums `Σ_i cvt(l_i) · (wd_i · da_i)` accumulated in
/// block order, as `simd_x86::blocks32!` does.
#[rite]
fn tile<const R: usize, const BIAS: bool>(
    _t: X64V4xToken,
    w: &[__m512i],
    wd: &[f32],
    b: &Pairs32,
    p: usize,
) -> [[f32; 2]; R] {
    let nb = b.nb;
    let (qs, off, da) = (
        &b.qs[p * nb..(p + 1) * nb],
        &b.off[p * nb..(p + 1) * nb],
        &b.da[p * nb..(p + 1) * nb],
    );
    let mut facc = [_mm512_setzero_ps(); R];
    for i in 0..nb {
        let a = _mm512_loadu_si512(&qs[i].0);
        let o = if BIAS {
            _mm512_loadu_si512(&off[i].0)
        } else {
            _mm512_setzero_si512()
        };
        let d = _mm512_loadu_ps(&da[i].0);
        for r in 0..R {
            let l = _mm512_dpbusd_epi32(o, w[r * nb + i], a);
            let s = _mm512_mul_ps(_mm512_set1_ps(wd[r * nb + i]), d);
            facc[r] = _mm512_add_ps(facc[r], _mm512_mul_ps(_mm512_cvtepi32_ps(l), s));
        }
    }
    std::array::from_fn(|r| {
        let mut v = [0f32; 16];
        _mm512_storeu_ps(&mut v, facc[r]);
        [lanes_sum(&v[..8]), lanes_sum(&v[8..])]
    })
}

/// Rows per register tile.
const TILE_ROWS: usize = 4;

/// [`Batch::dot_rows`] for the 32-element types.
#[arcane]
fn rows32(t: X64V4xToken, b: &Pairs32, rows: &[u8], row_bytes: usize, out: &mut [f32]) {
    let (ts, bias, min) = blocks32_layout(b.ty).expect("a 32-element type");
    let (n, nb) = (b.n, b.nb);
    if n == 0 {
        return;
    }
    let nrows = out.len() / n;
    let mut w = Vec::with_capacity(TILE_ROWS * nb);
    let mut wd = Vec::with_capacity(TILE_ROWS * nb);
    let mut wm = Vec::with_capacity(TILE_ROWS * nb);
    // Min terms of the tile's rows: `[row][activation]` (0 without mins).
    let mut ys = vec![0f32; TILE_ROWS * 16 * n.div_ceil(16)];
    let mut r0 = 0;
    while r0 < nrows {
        let rr = TILE_ROWS.min(nrows - r0);
        w.clear();
        wd.clear();
        wm.clear();
        for row in rows[r0 * row_bytes..(r0 + rr) * row_bytes].chunks_exact(row_bytes) {
            for blk in row.chunks_exact(ts) {
                w.push(unpack32(t, b.ty, blk));
                wd.push(le_f16(blk, 0));
                wm.push(if min { le_f16(blk, 2) } else { 0.0 });
            }
        }
        let ys = &mut ys[..rr * 16 * n.div_ceil(16)];
        ys.fill(0.0);
        if min {
            // ys += wm · sa per block in order, 16 activations per vector.
            for (r, yr) in ys.chunks_exact_mut(16 * n.div_ceil(16)).enumerate() {
                for (g, yg) in yr.chunks_exact_mut(16).enumerate() {
                    let mut acc = _mm512_setzero_ps();
                    for i in 0..nb {
                        let sa = _mm512_loadu_ps(&b.sa[g * nb + i].0);
                        acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(wm[r * nb + i]), sa));
                    }
                    let yg: &mut [f32; 16] = yg.try_into().expect("16 lanes");
                    _mm512_storeu_ps(yg, acc);
                }
            }
        }
        let stride = 16 * n.div_ceil(16);
        for p in 0..n.div_ceil(2) {
            let sums: [[f32; 2]; TILE_ROWS] = match (rr, bias != 0) {
                (4, true) => tile::<4, true>(t, &w, &wd, b, p),
                (4, false) => tile::<4, false>(t, &w, &wd, b, p),
                (r, bias) => {
                    let mut s = [[0f32; 2]; TILE_ROWS];
                    for k in 0..r {
                        let (w1, d1) = (&w[k * nb..(k + 1) * nb], &wd[k * nb..(k + 1) * nb]);
                        s[k] = if bias {
                            tile::<1, true>(t, w1, d1, b, p)[0]
                        } else {
                            tile::<1, false>(t, w1, d1, b, p)[0]
                        };
                    }
                    s
                }
            };
            for (r, s) in sums.iter().enumerate().take(rr) {
                for (h, v) in s.iter().enumerate() {
                    let k = 2 * p + h;
                    if k < n {
                        out[k * nrows + r0 + r] = v + ys[r * stride + k];
                    }
                }
            }
        }
        r0 += rr;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::simd_x86::tests::{random_row, unit};
    use crate::quant::{act_kind, prepare, vec_dot};

    #[test]
    fn avx512_batches_equal_single_kernels() {
        let Some(t) = token() else {
            assert!(
                !(std::is_x86_feature_detected!("avx512vnni")
                    && std::is_x86_feature_detected!("avx512vbmi2"))
            );
            return;
        };
        let mut seed = 21;
        for ty in [
            GgmlType::Q4_0,
            GgmlType::Q4_1,
            GgmlType::Q5_0,
            GgmlType::Q5_1,
            GgmlType::Q8_0,
        ] {
            for (nact, rows) in [(1, 1), (2, 4), (3, 5), (7, 9), (17, 3), (33, 8)] {
                let nblocks = 3;
                let n = nblocks * ty.block_size();
                let row_bytes = nblocks * ty.type_size();
                let data: Vec<u8> = (0..rows)
                    .flat_map(|_| random_row(ty, nblocks, &mut seed))
                    .collect();
                let acts: Vec<Activation> = (0..nact)
                    .map(|_| {
                        let x: Vec<f32> = (0..n).map(|_| unit(&mut seed)).collect();
                        prepare(act_kind(ty), &x)
                    })
                    .collect();
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
