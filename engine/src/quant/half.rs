//! IEEE half and bfloat16 conversions (ggml's `GGML_FP16_TO_FP32`,
//! `GGML_FP32_TO_FP16`, `GGML_BF16_TO_FP32`), bit-exact, round to nearest even.

/// f16 bits to f32.
#[inline]
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match exp {
        0 => {
            if man == 0 {
                sign
            } else {
                // Subnormal: value = man * 2^-24.
                let v = man as f32 * (1.0 / 16_777_216.0);
                return if sign != 0 { -v } else { v };
            }
        }
        0x1f => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 112) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// f32 to f16 bits, round to nearest even (as `_cvtss_sh(x, 0)` / F16C).
pub fn f32_to_f16(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as i32;
    let man = b & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        // Subnormal half: shift the full mantissa (with hidden bit) right.
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let mut r = m >> shift;
        let rem = m & ((1 << shift) - 1);
        if rem > half || (rem == half && (r & 1) == 1) {
            r += 1;
        }
        return sign | r as u16;
    }
    let mut r = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1fff;
    if rem > 0x1000 || (rem == 0x1000 && (r & 1) == 1) {
        r += 1; // may carry into the exponent, which is correct (up to inf)
    }
    sign | r as u16
}

/// Rounds an f32 through f16 and back.
#[inline]
pub fn round_f16(x: f32) -> f32 {
    f16_to_f32(f32_to_f16(x))
}

/// bf16 bits to f32.
#[inline]
pub fn bf16_to_f32(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

/// All 65536 f16 values as f32 (ggml keeps the same `ggml_table_f32_f16`):
/// block scales are converted in the innermost loops.
static F16_TABLE: std::sync::LazyLock<Box<[f32]>> =
    std::sync::LazyLock::new(|| (0..=u16::MAX).map(f16_to_f32).collect());

/// f16 bits to f32 by table lookup.
#[inline(always)]
pub fn f16_lut(h: u16) -> f32 {
    F16_TABLE[h as usize]
}

/// Reads a little-endian f16 at `b[i..i+2]`.
#[inline(always)]
pub fn le_f16(b: &[u8], i: usize) -> f32 {
    f16_lut(u16::from_le_bytes([b[i], b[i + 1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_round_trips() {
        for h in 0u16..=0xffff {
            let f = f16_to_f32(h);
            if f.is_nan() {
                continue;
            }
            assert_eq!(f32_to_f16(f), h, "{h:#x} -> {f}");
        }
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f32_to_f16(65520.0), 0x7c00);
        assert_eq!(f32_to_f16(1.0 + 1.0 / 2048.0), 0x3c00); // tie to even
        assert_eq!(f32_to_f16(1.0 + 3.0 / 2048.0), 0x3c02);
        assert_eq!(bf16_to_f32(0x3f80), 1.0);
    }
}
