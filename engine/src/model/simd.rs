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

    /// The AVX2 token if this CPU has x86-64-v3 (detected once, cached).
    #[inline]
    pub fn token() -> Option<X64V3Token> {
        X64V3Token::summon()
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
}
