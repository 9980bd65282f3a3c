//! Explicit AVX2 forms of the attention's float loops, for the CPUs that
//! have them (x86-64-v3, detected at run time by `archmage` as in
//! `quant::simd_x86`). Each returns exactly what its portable twin in
//! [`super::ops`] does: the same IEEE multiplies and adds (no FMA) per lane,
//! in the same order; vector lanes are the portable code's explicit lanes.

#[cfg(target_arch = "x86_64")]
pub use x86::*;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use archmage::prelude::*;

    use crate::quant::half::round_f16;

    /// The AVX2 token if this CPU has x86-64-v3 (detected once, cached).
    #[inline]
    pub fn token() -> Option<X64V3Token> {
        crate::quant::avx2_token()
    }

    /// [`super::super::ops::dot_lanes`] of `a` with four vectors: lane `l`
    /// of each accumulator sums `a[i]·b[i]` over `i % 8 == l` in order, then
    /// the lanes reduce pairwise as there.
    #[arcane]
    pub fn dot_lanes4(_t: X64V3Token, a: &[f32], b: [&[f32]; 4]) -> [f32; 4] {
        let n = a.len();
        let b = b.map(|v| &v[..n]);
        let (ca, ra) = a.as_chunks::<8>();
        let mut acc = [_mm256_setzero_ps(); 4];
        for (i, x) in ca.iter().enumerate() {
            let x = _mm256_loadu_ps(x);
            for k in 0..4 {
                let y: &[f32; 8] = b[k][8 * i..8 * i + 8].try_into().expect("8");
                acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(x, _mm256_loadu_ps(y)));
            }
        }
        let n8 = n - ra.len();
        std::array::from_fn(|k| {
            let mut s: [f32; 8] = bytemuck::cast(acc[k]);
            for (l, x) in ra.iter().enumerate() {
                s[l] += x * b[k][n8 + l];
            }
            ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
        })
    }

    /// `f32_to_f16` of 8 values with F16C (`vcvtps2ph`, round to nearest
    /// even, as the software conversion), or `None` when a lane is NaN (the
    /// two keep different NaN payloads; the caller converts those lanes in
    /// software).
    #[arcane]
    pub fn f32_to_f16x8(_t: X64V3Token, x: &[f32; 8]) -> Option<[u16; 8]> {
        let v = _mm256_loadu_ps(x);
        if _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_UNORD_Q>(v, v)) != 0 {
            return None;
        }
        Some(bytemuck::cast(
            _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(v),
        ))
    }

    /// `round_f16` of every value of `xs` (F16C both ways; NaN lanes and the
    /// tail in software).
    #[arcane]
    pub fn round_f16_slice(_t: X64V3Token, xs: &mut [f32]) {
        let (chunks, rest) = xs.as_chunks_mut::<8>();
        for c in chunks {
            let v = _mm256_loadu_ps(c);
            if _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_UNORD_Q>(v, v)) != 0 {
                c.iter_mut().for_each(|x| *x = round_f16(*x));
                continue;
            }
            let r = _mm256_cvtph_ps(_mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(v));
            *c = bytemuck::cast(r);
        }
        rest.iter_mut().for_each(|x| *x = round_f16(*x));
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::quant::half::{f32_to_f16, round_f16};
    use archmage::prelude::*;

    /// F16C against the software conversion over a stride of all f32 bit
    /// patterns (every pattern with `ROCLESS_F16_EXHAUSTIVE=1`), NaNs
    /// included (those must come back `None` / rounded in software).
    #[test]
    fn f16c_conversions_equal_the_software_ones() {
        let Some(t) = X64V3Token::summon() else {
            assert!(!std::is_x86_feature_detected!("avx2"));
            return;
        };
        let step: u64 = if std::env::var_os("ROCLESS_F16_EXHAUSTIVE").is_some() {
            8
        } else {
            8 * 1021
        };
        let mut bits = 0u64;
        while bits < 1 << 32 {
            let x: [f32; 8] =
                std::array::from_fn(|l| f32::from_bits((bits as u32).wrapping_add(l as u32)));
            let want = x.map(f32_to_f16);
            match f32_to_f16x8(t, &x) {
                Some(h) => assert_eq!(h, want, "{:#x}", bits),
                None => assert!(x.iter().any(|v| v.is_nan()), "{:#x}", bits),
            }
            let mut r = x;
            round_f16_slice(t, &mut r);
            assert_eq!(
                r.map(f32::to_bits),
                x.map(|v| round_f16(v).to_bits()),
                "{:#x}",
                bits
            );
            bits += step;
        }
    }
}
