//! Block dequantization, one function per ggml type, transcribed from the
//! `dequantize_row_*` reference functions in `ggml/src/ggml-quants.c` (block
//! structs in `ggml/src/ggml-common.h`, ggml-org/llama.cpp). Each takes one
//! block's bytes and writes its `block_size` floats.

use super::half::{bf16_to_f32, le_f16};

/// `get_scale_min_k4` of ggml-quants.c: the 6-bit scale and min of sub-block
/// `j` (0..8) packed in the 12 `scales` bytes of Q4_K / Q5_K.
#[inline]
pub fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

/// The 16 signed 6-bit scales of a Q3_K block (the `kmask1/kmask2` unpacking
/// in `dequantize_row_q3_K`), already minus 32.
#[inline]
pub fn q3k_scales(s: &[u8]) -> [i8; 16] {
    let mut out = [0i8; 16];
    for (j, o) in out.iter_mut().enumerate() {
        let low = if j < 8 { s[j] & 0xf } else { s[j - 8] >> 4 };
        let high = (s[8 + (j % 4)] >> (2 * (j / 4))) & 3;
        *o = ((low | (high << 4)) as i8) - 32;
    }
    out
}

pub fn f32(b: &[u8], y: &mut [f32]) {
    y[0] = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
}

pub fn f16(b: &[u8], y: &mut [f32]) {
    y[0] = le_f16(b, 0);
}

pub fn bf16(b: &[u8], y: &mut [f32]) {
    y[0] = bf16_to_f32(u16::from_le_bytes([b[0], b[1]]));
}

/// block_q4_0 { d: f16, qs[16] }.
pub fn q4_0(b: &[u8], y: &mut [f32]) {
    let d = le_f16(b, 0);
    let qs = &b[2..18];
    for j in 0..16 {
        y[j] = ((qs[j] & 0xf) as i32 - 8) as f32 * d;
        y[j + 16] = ((qs[j] >> 4) as i32 - 8) as f32 * d;
    }
}

/// block_q4_1 { d: f16, m: f16, qs[16] }.
pub fn q4_1(b: &[u8], y: &mut [f32]) {
    let (d, m) = (le_f16(b, 0), le_f16(b, 2));
    let qs = &b[4..20];
    for j in 0..16 {
        y[j] = (qs[j] & 0xf) as f32 * d + m;
        y[j + 16] = (qs[j] >> 4) as f32 * d + m;
    }
}

/// block_q5_0 { d: f16, qh: u32, qs[16] }.
pub fn q5_0(b: &[u8], y: &mut [f32]) {
    let d = le_f16(b, 0);
    let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
    let qs = &b[6..22];
    for j in 0..16 {
        let h0 = ((qh >> j) << 4) & 0x10;
        let h1 = (qh >> (j + 12)) & 0x10;
        y[j] = (((qs[j] as u32 & 0xf) | h0) as i32 - 16) as f32 * d;
        y[j + 16] = (((qs[j] as u32 >> 4) | h1) as i32 - 16) as f32 * d;
    }
}

/// block_q5_1 { d: f16, m: f16, qh: u32, qs[16] }.
pub fn q5_1(b: &[u8], y: &mut [f32]) {
    let (d, m) = (le_f16(b, 0), le_f16(b, 2));
    let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    let qs = &b[8..24];
    for j in 0..16 {
        let h0 = ((qh >> j) << 4) & 0x10;
        let h1 = (qh >> (j + 12)) & 0x10;
        y[j] = ((qs[j] as u32 & 0xf) | h0) as f32 * d + m;
        y[j + 16] = ((qs[j] as u32 >> 4) | h1) as f32 * d + m;
    }
}

/// block_q8_0 { d: f16, qs[32]: i8 }.
pub fn q8_0(b: &[u8], y: &mut [f32]) {
    let d = le_f16(b, 0);
    for j in 0..32 {
        y[j] = b[2 + j] as i8 as f32 * d;
    }
}

/// block_q2_K { scales[16], qs[64], d: f16, dmin: f16 }.
pub fn q2_k(b: &[u8], y: &mut [f32]) {
    let (sc, qs) = (&b[0..16], &b[16..80]);
    let (d, min) = (le_f16(b, 80), le_f16(b, 82));
    let mut is = 0;
    let mut o = 0;
    for n in 0..2 {
        let q = &qs[32 * n..32 * n + 32];
        for shift in [0, 2, 4, 6] {
            for half in 0..2 {
                let s = sc[is];
                is += 1;
                let (dl, ml) = (d * (s & 0xf) as f32, min * (s >> 4) as f32);
                for l in 0..16 {
                    y[o] = dl * ((q[l + 16 * half] >> shift) & 3) as f32 - ml;
                    o += 1;
                }
            }
        }
    }
}

/// block_q3_K { hmask[32], qs[64], scales[12], d: f16 }.
pub fn q3_k(b: &[u8], y: &mut [f32]) {
    let (hm, qs) = (&b[0..32], &b[32..96]);
    let scales = q3k_scales(&b[96..108]);
    let d = le_f16(b, 108);
    let mut is = 0;
    let mut m = 1u8;
    let mut o = 0;
    for n in 0..2 {
        let q = &qs[32 * n..32 * n + 32];
        for shift in [0, 2, 4, 6] {
            for half in 0..2 {
                let dl = d * scales[is] as f32;
                is += 1;
                for l in 0..16 {
                    let k = l + 16 * half;
                    let v = ((q[k] >> shift) & 3) as i32 - if hm[k] & m != 0 { 0 } else { 4 };
                    y[o] = dl * v as f32;
                    o += 1;
                }
            }
            m <<= 1;
        }
    }
}

/// block_q4_K { d: f16, dmin: f16, scales[12], qs[128] }.
pub fn q4_k(b: &[u8], y: &mut [f32]) {
    let (d, min) = (le_f16(b, 0), le_f16(b, 2));
    let (sc, qs) = (&b[4..16], &b[16..144]);
    for j in 0..4 {
        let q = &qs[32 * j..32 * j + 32];
        let (s1, m1) = scale_min_k4(2 * j, sc);
        let (s2, m2) = scale_min_k4(2 * j + 1, sc);
        let (d1, m1) = (d * s1 as f32, min * m1 as f32);
        let (d2, m2) = (d * s2 as f32, min * m2 as f32);
        for l in 0..32 {
            y[64 * j + l] = d1 * (q[l] & 0xf) as f32 - m1;
            y[64 * j + 32 + l] = d2 * (q[l] >> 4) as f32 - m2;
        }
    }
}

/// block_q5_K { d: f16, dmin: f16, scales[12], qh[32], qs[128] }.
pub fn q5_k(b: &[u8], y: &mut [f32]) {
    let (d, min) = (le_f16(b, 0), le_f16(b, 2));
    let (sc, qh, qs) = (&b[4..16], &b[16..48], &b[48..176]);
    for j in 0..4 {
        let q = &qs[32 * j..32 * j + 32];
        let (u1, u2) = (1u8 << (2 * j), 2u8 << (2 * j));
        let (s1, m1) = scale_min_k4(2 * j, sc);
        let (s2, m2) = scale_min_k4(2 * j + 1, sc);
        let (d1, m1) = (d * s1 as f32, min * m1 as f32);
        let (d2, m2) = (d * s2 as f32, min * m2 as f32);
        for l in 0..32 {
            let h1 = if qh[l] & u1 != 0 { 16 } else { 0 };
            let h2 = if qh[l] & u2 != 0 { 16 } else { 0 };
            y[64 * j + l] = d1 * ((q[l] & 0xf) + h1) as f32 - m1;
            y[64 * j + 32 + l] = d2 * ((q[l] >> 4) + h2) as f32 - m2;
        }
    }
}

/// The signed 6-bit value `k` (0..256) of a Q6_K block, minus 32.
#[inline]
pub fn q6k_value(ql: &[u8], qh: &[u8], k: usize) -> i8 {
    let (n, r) = (k / 128, k % 128);
    let (quarter, l) = (r / 32, r % 32);
    let ql = &ql[64 * n..];
    let qh = &qh[32 * n..];
    let low = match quarter {
        0 => ql[l] & 0xf,
        1 => ql[l + 32] & 0xf,
        2 => ql[l] >> 4,
        _ => ql[l + 32] >> 4,
    };
    let high = (qh[l] >> (2 * quarter)) & 3;
    (low | (high << 4)) as i8 - 32
}

/// block_q6_K { ql[128], qh[64], scales[16]: i8, d: f16 }.
pub fn q6_k(b: &[u8], y: &mut [f32]) {
    let (ql, qh, sc) = (&b[0..128], &b[128..192], &b[192..208]);
    let d = le_f16(b, 208);
    for (k, v) in y.iter_mut().enumerate().take(256) {
        *v = d * (sc[k / 16] as i8) as f32 * q6k_value(ql, qh, k) as f32;
    }
}
