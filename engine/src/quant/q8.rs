//! Activation quantization for the integer dot products, as ggml's CPU backend
//! does before `vec_dot` (the `vec_dot_type` of each weight type in
//! `ggml/src/ggml-cpu/ggml-cpu.c` `type_traits_cpu`): Q4_0/Q5_0/Q8_0 weights
//! meet Q8_0 activations, Q4_1/Q5_1 meet Q8_1, K-quants meet Q8_K.
//! Reference: `quantize_row_q8_0_ref`, `quantize_row_q8_1_ref`,
//! `quantize_row_q8_K_ref` in `ggml/src/ggml-quants.c`.

use super::half::round_f16;

/// An activation vector quantized in blocks of 32 (Q8_0 / Q8_1).
#[derive(Debug, Clone, Default)]
pub struct Q8Blocks {
    /// Scale per block, already rounded through f16 as ggml stores it.
    pub d: Vec<f32>,
    /// `d * sum(qs)` per block (Q8_1's `s`), f16-rounded.
    pub s: Vec<f32>,
    /// Quantized values.
    pub qs: Vec<i8>,
}

/// An activation vector quantized in blocks of 256 (Q8_K).
#[derive(Debug, Clone, Default)]
pub struct Q8K {
    /// Scale per block (f32).
    pub d: Vec<f32>,
    /// Quantized values.
    pub qs: Vec<i8>,
    /// Sums of each 16 values.
    pub bsums: Vec<i16>,
}

/// Quantizes `x` (length a multiple of 32) to Q8_0/Q8_1 blocks.
pub fn quantize_q8(x: &[f32]) -> Q8Blocks {
    let nb = x.len() / 32;
    let mut out = Q8Blocks {
        d: Vec::with_capacity(nb),
        s: Vec::with_capacity(nb),
        qs: vec![0; nb * 32],
    };
    for (i, blk) in x.chunks_exact(32).enumerate() {
        let amax = blk.iter().fold(0f32, |a, v| a.max(v.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        let mut sum = 0i32;
        for (q, v) in out.qs[32 * i..32 * i + 32].iter_mut().zip(blk) {
            // roundf: half away from zero.
            let r = (v * id).round() as i32;
            *q = r as i8;
            sum += r;
        }
        out.d.push(round_f16(d));
        out.s.push(round_f16(sum as f32 * d));
    }
    out
}

/// Quantizes `x` (length a multiple of 256) to Q8_K blocks.
pub fn quantize_q8k(x: &[f32]) -> Q8K {
    let nb = x.len() / 256;
    let mut out = Q8K {
        d: Vec::with_capacity(nb),
        qs: vec![0; nb * 256],
        bsums: vec![0; nb * 16],
    };
    for (i, blk) in x.chunks_exact(256).enumerate() {
        let (mut amax, mut max) = (0f32, 0f32);
        for &v in blk {
            if v.abs() > amax {
                amax = v.abs();
                max = v;
            }
        }
        if amax == 0.0 {
            out.d.push(0.0);
            continue;
        }
        let iscale = -127.0 / max;
        let qs = &mut out.qs[256 * i..256 * i + 256];
        for (q, v) in qs.iter_mut().zip(blk) {
            // nearest_int: round half to even.
            *q = ((iscale * v).round_ties_even() as i32).min(127) as i8;
        }
        for j in 0..16 {
            out.bsums[16 * i + j] = qs[16 * j..16 * j + 16].iter().map(|&q| q as i16).sum();
        }
        out.d.push(1.0 / iscale);
    }
    out
}
