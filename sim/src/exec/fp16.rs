//! IEEE half-precision conversions (round to nearest even), in software
//! because stable Rust has no f16.

/// f16 bits → f32 (exact).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = (h as u32 & 0x8000) << 16;
    let exp = (h >> 10) & 0x1f;
    let man = (h & 0x3ff) as u32;
    let bits = match exp {
        0 if man == 0 => sign,
        0 => {
            // Subnormal: normalise.
            let shift = man.leading_zeros() - 21;
            let m = (man << shift) & 0x3ff;
            let e = 127 - 15 + 1 - shift;
            sign | e << 23 | m << 13
        }
        0x1f => sign | 0x7f80_0000 | man << 13 | if man != 0 { 0x40_0000 } else { 0 },
        _ => sign | ((exp as u32 + 127 - 15) << 23) | man << 13,
    };
    f32::from_bits(bits)
}

/// f32 → f16 bits, round to nearest even (quiet NaN preserved).
pub fn f32_to_f16(f: f32) -> u16 {
    let x = f.to_bits();
    let sign = ((x >> 16) & 0x8000) as u16;
    let exp = ((x >> 23) & 0xff) as i32;
    let man = x & 0x7f_ffff;
    if exp == 0xff {
        return sign
            | 0x7c00
            | if man != 0 {
                0x200 | (man >> 13) as u16
            } else {
                0
            };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rem = m & ((1 << shift) - 1);
        let mut r = m >> shift;
        if rem > half || (rem == half && r & 1 != 0) {
            r += 1;
        }
        return sign | r as u16;
    }
    let mut r = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1fff;
    if rem > 0x1000 || (rem == 0x1000 && r & 1 != 0) {
        r += 1;
    }
    sign | r as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_all_f16() {
        for h in 0..=u16::MAX {
            let f = f16_to_f32(h);
            if f.is_nan() {
                assert!(f16_to_f32(f32_to_f16(f)).is_nan());
            } else {
                assert_eq!(f32_to_f16(f), h, "h={h:#x}");
            }
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(65520.0), 0x7c00);
        assert_eq!(f32_to_f16(1.0 + 1.0 / 2048.0), 0x3c00); // tie to even
    }
}

/// Fused f32 multiply-add, correctly rounded, without calling libm `fmaf` (a function call
/// per lane on hosts built without the FMA target feature): the product is exact in f64
/// (24 + 24 significant bits), the sum is rounded once to f64, and rounding that to f32 is
/// the correctly rounded fma unless the f64 sum lies exactly halfway between two f32 values
/// — rounding to nearest is monotonic and f32 midpoints are f64 values, so the exact sum
/// and its f64 rounding can only straddle a midpoint by landing on it. That rare case takes
/// the exact `mul_add`.
#[inline(always)]
pub fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    let s = f64::from(a) * f64::from(b) + f64::from(c);
    let r = s as f32;
    if is_f32_midpoint(s, r) {
        a.mul_add(b, c)
    } else {
        r
    }
}

/// True when `s` lies exactly halfway between `r` (its f32 rounding) and the next f32.
#[inline(always)]
fn is_f32_midpoint(s: f64, r: f32) -> bool {
    let d = s - f64::from(r);
    if d == 0.0 || !d.is_finite() {
        return false;
    }
    let next = if d > 0.0 { r.next_up() } else { r.next_down() };
    2.0 * d == f64::from(next) - f64::from(r)
}

#[cfg(test)]
mod fma_tests {
    use super::fma_f32;

    #[test]
    fn fma_f32_equals_the_fused_operation_bit_for_bit() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut midpoints = 0;
        for i in 0..2_000_000u32 {
            let r = next();
            let a = f32::from_bits(r as u32);
            let b = f32::from_bits((r >> 32) as u32);
            // Every 4th case: c cancels a*b to force many halfway and tiny results.
            let c = if i % 4 == 0 {
                -(a * b) + f32::from_bits((next() as u32 & 0x807f_ffff) | 0x3300_0000)
            } else {
                f32::from_bits(next() as u32)
            };
            let want = a.mul_add(b, c);
            let got = fma_f32(a, b, c);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "fma({a:e}, {b:e}, {c:e}) = {want:e}, got {got:e}"
            );
            let s = f64::from(a) * f64::from(b) + f64::from(c);
            midpoints += super::is_f32_midpoint(s, s as f32) as u32;
        }
        // Exact products plus addends below half an ulp.
        for (a, b, c) in [
            (3.0f32, 5.0, 1.0 + f32::EPSILON / 2.0),
            (1.0 + f32::EPSILON, 1.0 + f32::EPSILON, 0.0),
        ] {
            assert_eq!(fma_f32(a, b, c).to_bits(), a.mul_add(b, c).to_bits());
        }
        assert!(
            midpoints > 0,
            "no halfway case exercised the exact fallback"
        );
    }
}
