//! ggml quantized block layouts used by tier 5 and their CPU references:
//! `block_q8_0 { ggml_half d; int8_t qs[32]; }` (34 bytes) and
//! `block_q4_K { ggml_half d, dmin; uint8_t scales[12]; uint8_t qs[128]; }`
//! (144 bytes, 256 weights) — ggml-common.h; dequantisation as ggml-quants.c
//! `dequantize_row_q8_0` / `dequantize_row_q4_K` / `get_scale_min_k4`.

/// Weights per Q8_0 block.
pub const QK8_0: usize = 32;
/// Bytes per Q8_0 block.
pub const Q8_0_BYTES: usize = 34;
/// Weights per Q4_K super-block.
pub const QK_K: usize = 256;
/// Bytes per Q4_K super-block.
pub const Q4_K_BYTES: usize = 144;

/// Deterministic xorshift32 for test data.
#[derive(Clone, Debug)]
pub struct Rng(u32);

impl Rng {
    /// Seeded generator (seed 0 is replaced).
    pub fn new(seed: u32) -> Self {
        Self(if seed == 0 { 0x9E37_79B9 } else { seed })
    }
    /// Next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    }
    /// A small positive normal f16 (exponent 2^-10..2^-4) as raw bits.
    pub fn f16_scale(&mut self) -> u16 {
        let exp = 5 + (self.next_u32() % 7) as u16; // biased exponent 5..=11
        (exp << 10) | (self.next_u32() & 0x3FF) as u16
    }
}

/// IEEE binary16 bits → f32 (normals, subnormals, inf, NaN).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1F);
    let man = f32::from(h & 0x3FF);
    match exp {
        0 => sign * man * 2f32.powi(-24),
        31 if man == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        _ => sign * (1.0 + man / 1024.0) * 2f32.powi(exp - 15),
    }
}

fn half_at(b: &[u8], at: usize) -> f32 {
    f16_to_f32(u16::from_le_bytes([b[at], b[at + 1]]))
}

/// Random Q8_0 matrix of `rows × cols` (cols a multiple of 32).
pub fn random_q8_0(rng: &mut Rng, rows: usize, cols: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * cols / QK8_0 * Q8_0_BYTES);
    for _ in 0..rows * cols / QK8_0 {
        out.extend_from_slice(&rng.f16_scale().to_le_bytes());
        out.extend((0..QK8_0).map(|_| rng.next_u32() as u8));
    }
    out
}

/// Random Q4_K matrix of `rows × cols` (cols a multiple of 256); every
/// scale/min byte pattern is valid, so the bytes are random.
pub fn random_q4_k(rng: &mut Rng, rows: usize, cols: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * cols / QK_K * Q4_K_BYTES);
    for _ in 0..rows * cols / QK_K {
        out.extend_from_slice(&rng.f16_scale().to_le_bytes());
        out.extend_from_slice(&rng.f16_scale().to_le_bytes());
        out.extend((0..Q4_K_BYTES - 4).map(|_| rng.next_u32() as u8));
    }
    out
}

/// `dequantize_row_q8_0` of one block.
pub fn dequant_q8_0(blk: &[u8]) -> [f32; QK8_0] {
    let d = half_at(blk, 0);
    std::array::from_fn(|i| d * f32::from(blk[2 + i] as i8))
}

/// ggml `get_scale_min_k4`.
pub fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

/// `dequantize_row_q4_K` of one super-block.
pub fn dequant_q4_k(blk: &[u8]) -> [f32; QK_K] {
    let d = half_at(blk, 0);
    let dmin = half_at(blk, 2);
    let scales = &blk[4..16];
    let qs = &blk[16..Q4_K_BYTES];
    let mut y = [0f32; QK_K];
    for j in 0..QK_K / 64 {
        let (sc1, m1) = scale_min_k4(2 * j, scales);
        let (sc2, m2) = scale_min_k4(2 * j + 1, scales);
        let (d1, mm1) = (d * f32::from(sc1), dmin * f32::from(m1));
        let (d2, mm2) = (d * f32::from(sc2), dmin * f32::from(m2));
        for l in 0..32 {
            let q = qs[32 * j + l];
            y[64 * j + l] = d1 * f32::from(q & 0xF) - mm1;
            y[64 * j + 32 + l] = d2 * f32::from(q >> 4) - mm2;
        }
    }
    y
}

/// CPU GEMV over Q8_0 rows (f64 accumulation: the reference).
pub fn gemv_q8_0(w: &[u8], x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let nb = cols / QK8_0;
    (0..rows)
        .map(|r| {
            let mut acc = 0f64;
            for b in 0..nb {
                let off = (r * nb + b) * Q8_0_BYTES;
                let y = dequant_q8_0(&w[off..off + Q8_0_BYTES]);
                for i in 0..QK8_0 {
                    acc += f64::from(y[i]) * f64::from(x[b * QK8_0 + i]);
                }
            }
            acc as f32
        })
        .collect()
}

/// CPU GEMV over Q4_K rows (f64 accumulation).
pub fn gemv_q4_k(w: &[u8], x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let nb = cols / QK_K;
    (0..rows)
        .map(|r| {
            let mut acc = 0f64;
            for b in 0..nb {
                let off = (r * nb + b) * Q4_K_BYTES;
                let y = dequant_q4_k(&w[off..off + Q4_K_BYTES]);
                for i in 0..QK_K {
                    acc += f64::from(y[i]) * f64::from(x[b * QK_K + i]);
                }
            }
            acc as f32
        })
        .collect()
}

/// CPU f32 matmul `C[M,N] = A[M,K] · B[K,N]` (f64 accumulation).
pub fn matmul(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f32> {
    let mut c = vec![0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0f64;
            for p in 0..k {
                acc += f64::from(a[i * k + p]) * f64::from(b[p * n + j]);
            }
            c[i * n + j] = acc as f32;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_decodes() {
        assert_eq!(f16_to_f32(0x3C00), 1.0);
        assert_eq!(f16_to_f32(0xC000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7BFF), 65504.0);
        assert!(f16_to_f32(0x7C01).is_nan());
    }

    #[test]
    fn q8_0_block() {
        let mut blk = vec![0x00, 0x38]; // d = 0.5
        blk.extend((0..32).map(|i| (i as i8 - 16) as u8));
        let y = dequant_q8_0(&blk);
        assert_eq!(y[0], -8.0);
        assert_eq!(y[31], 7.5);
    }

    #[test]
    fn q4_k_scales_follow_ggml() {
        // j < 4: low 6 bits of q[j] / q[j+4]; j >= 4: nibbles of q[j+4] + top bits of
        // q[j-4] (scale) and q[j] (min), as ggml get_scale_min_k4.
        let q = [0xC1, 2, 3, 4, 0x45, 6, 7, 8, 0xA9, 10, 11, 12];
        assert_eq!(scale_min_k4(0, &q), (1, 5));
        assert_eq!(scale_min_k4(4, &q), (0x9 | (3 << 4), 0xA | (1 << 4)));
        let mut blk = vec![0u8; Q4_K_BYTES];
        blk[..2].copy_from_slice(&0x3C00u16.to_le_bytes()); // d = 1
        blk[2..4].copy_from_slice(&0x3800u16.to_le_bytes()); // dmin = 0.5
        blk[4] = 2; // sc of sub-block 0
        blk[8] = 4; // min of sub-block 0
        blk[16] = 0x73;
        let y = dequant_q4_k(&blk);
        assert_eq!(y[0], 2.0 * 3.0 - 2.0);
        assert_eq!(y[32], 0.0); // sub-block 1: scale 0, min 0
    }
}
