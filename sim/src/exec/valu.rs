//! Vector ALU semantics (VOP1/VOP2/VOPC/VOP3/VOP3P incl. SDWA and DPP).
//!
//! Every handler reads its sources into lane arrays (applying DPP, SDWA and
//! float modifiers once per instruction), computes all lanes, then writes the
//! destination under EXEC. Transcendentals use the host's correctly-rounded or
//! libm functions; see findings/sim-exec.md for the ulp differences.

// Lane loops index several lane arrays in lockstep.
#![allow(clippy::needless_range_loop)]

use super::fp16::{f16_to_f32, f32_to_f16};
use super::ir::{Flow, Opnd, Uop};
use super::table::{Entry, Ty, Ty::*};
use super::wave::{Env, Lanes, Lanes64, Wave, LANES};

// ---------------------------------------------------------------- plumbing

/// Reads source `i` as 32-bit lanes: DPP (src0), SDWA select, op_sel half (f16)
/// and abs/neg for float types. Narrows `mask` when DPP disables lanes.
#[inline(always)]
fn fetch(w: &Wave, u: &Uop, i: usize, ty: Ty, out: &mut Lanes, mask: &mut u64) {
    match (i, &u.dpp, u.src[i]) {
        (0, Some(d), Opnd::V(r)) => *mask &= w.dpp_src(r, out, d, w.exec()),
        _ => w.rd(u.src[i], out),
    }
    if let Some(s) = u.sdwa {
        if i < 2 {
            w.sdwa_src(out, s.src_sel[i]);
        }
    }
    let n = w.n;
    let bit = 1u8 << i;
    if ty == F16 && u.m.opsel & bit != 0 {
        for x in &mut out[..n] {
            *x >>= 16;
        }
    }
    if (u.m.abs | u.m.neg) & bit != 0 {
        let sign = match ty {
            F16 => 0x8000,
            F32 => 0x8000_0000,
            _ => 0,
        };
        if u.m.abs & bit != 0 {
            for x in &mut out[..n] {
                *x &= !sign;
            }
        }
        if u.m.neg & bit != 0 {
            for x in &mut out[..n] {
                *x ^= sign;
            }
        }
    }
}

/// Reads source `i` as 64-bit lanes with f64 modifiers when `float`.
#[inline(always)]
fn fetch64(w: &Wave, u: &Uop, i: usize, float: bool, out: &mut Lanes64) {
    w.rd64(u.src[i], out);
    let bit = 1u8 << i;
    if float && (u.m.abs | u.m.neg) & bit != 0 {
        let sign = 1u64 << 63;
        for x in &mut out[..w.n] {
            if u.m.abs & bit != 0 {
                *x &= !sign;
            }
            if u.m.neg & bit != 0 {
                *x ^= sign;
            }
        }
    }
}

/// Writes a 32-bit result (SDWA merge, EXEC/DPP mask).
#[inline(always)]
fn put(w: &mut Wave, u: &Uop, r: &mut Lanes, mask: u64) {
    if let Opnd::V(d) = u.dst {
        if let Some(s) = u.sdwa {
            w.sdwa_dst(d, r, &s);
        }
        w.wr(d, r, mask);
    }
}

#[inline(always)]
fn omod_clamp_f32(u: &Uop, r: &mut Lanes, n: usize) {
    if u.m.omod == 0 && !u.m.clamp {
        return;
    }
    let k = [1.0f32, 2.0, 4.0, 0.5][u.m.omod as usize & 3];
    for x in &mut r[..n] {
        let mut f = f32::from_bits(*x) * k;
        if u.m.clamp {
            f = if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) };
        }
        *x = f.to_bits();
    }
}

// ---------------------------------------------------------------- MODE

// The MODE hwreg (RDNA1 ISA manual, "MODE register"; LLVM SIDefines.h
// FP_ROUND_* / FP_DENORM_*): FP_ROUND 3:0 (f32 in 1:0, f16/f64 in 3:2; 0 =
// nearest even), FP_DENORM 7:4 (f32 in 5:4, f16/f64 in 7:6; bit 0 of each field
// = keep input denormals, bit 1 = keep output denormals), DX10_CLAMP 8, IEEE 9.
// Flushing keeps the sign (LLVM models it as `denormal-fp-math=preserve-sign`).

/// What clang-19 compute kernels start with (LLVM test hsa-fp-mode.ll:
/// FloatMode 240, dx10_clamp 1, ieee_mode 1): nearest-even, denormals kept.
pub const MODE_DEFAULT: u32 = 0x3f0;
/// MODE bits an f32 op depends on (f32 round + denorm, DX10_CLAMP, IEEE).
pub const MODE_F32: u32 = 0x333;
/// MODE bits an f16 / f64 op depends on.
pub const MODE_F16_F64: u32 = 0x3cc;
const MODE_DX10_CLAMP: u32 = 0x100;
const MODE_IEEE: u32 = 0x200;

/// Flushes an f32 denormal to a zero of the same sign (branch-free select).
#[inline(always)]
fn ftz32(x: u32) -> u32 {
    if x & 0x7f80_0000 == 0 {
        x & 0x8000_0000
    } else {
        x
    }
}
/// Flushes an f16 denormal (low 16 bits) to a zero of the same sign.
#[inline(always)]
fn ftz16(x: u32) -> u32 {
    let x = x & 0xffff;
    if x & 0x7c00 == 0 {
        x & 0x8000
    } else {
        x
    }
}
/// Flushes an f64 denormal to a zero of the same sign.
#[inline(always)]
fn ftz64(x: u64) -> u64 {
    if x & 0x7ff0_0000_0000_0000 == 0 {
        x & (1 << 63)
    } else {
        x
    }
}

/// Per-instruction flush decision.
#[derive(Clone, Copy)]
struct Ftz {
    /// Flush denormal inputs.
    input: bool,
    /// Flush denormal results.
    output: bool,
}

/// Decides, once per instruction, how a float op of the type selected by
/// `mask` ([`MODE_F32`] or [`MODE_F16_F64`]) runs under the wave's MODE when
/// it differs from [`MODE_DEFAULT`] (or `always_ftz` / omod is set). Settings
/// the executor does not model stop with `ExecError::Unimplemented`: a round
/// mode other than nearest-even, IEEE off, clamp with DX10_CLAMP off, and omod
/// (LLVM SIFoldOperands: "omod is ignored by hardware if IEEE bit is enabled";
/// clang never emits it for compute).
#[cold]
#[inline(never)]
fn float_mode(w: &Wave, e: &mut Env, u: &Uop, mask: u32, always_ftz: bool) -> Result<Ftz, Flow> {
    let mode = w.mode;
    let round = mode & mask & 0xf;
    if round != 0 {
        return Err(e.unimplemented(
            u,
            format!("MODE {mode:#x}: FP round mode other than nearest-even"),
        ));
    }
    if mode & MODE_IEEE == 0 {
        return Err(e.unimplemented(u, format!("MODE {mode:#x}: IEEE mode off")));
    }
    if u.m.clamp && mode & MODE_DX10_CLAMP == 0 {
        return Err(e.unimplemented(u, format!("MODE {mode:#x}: clamp with DX10_CLAMP off")));
    }
    if u.m.omod != 0 {
        return Err(e.unimplemented(u, "output modifier (omod) in IEEE mode"));
    }
    let d = (mode & mask & 0xf0) >> if mask == MODE_F32 { 4 } else { 6 };
    Ok(Ftz {
        input: always_ftz || d & 1 == 0,
        output: always_ftz || d & 2 == 0,
    })
}

/// True when an op on the type of `mask` must take the MODE-aware path.
#[inline(always)]
fn mode_odd(w: &Wave, u: &Uop, mask: u32) -> bool {
    ((w.mode ^ MODE_DEFAULT) & mask) | u.m.omod as u32 != 0
}

/// For float instructions whose MODE handling is not modelled: continues
/// (`None`) in the default mode, else stops with `ExecError::Unimplemented`.
#[inline(always)]
fn mode_guard(w: &Wave, e: &mut Env, u: &Uop, mask: u32) -> Option<Flow> {
    if mode_odd(w, u, mask) {
        Some(mode_guard_fail(w, e, u))
    } else {
        None
    }
}
#[cold]
#[inline(never)]
fn mode_guard_fail(w: &Wave, e: &mut Env, u: &Uop) -> Flow {
    if u.m.omod != 0 {
        return e.unimplemented(u, "output modifier (omod) in IEEE mode");
    }
    e.unimplemented(
        u,
        format!(
            "MODE {:#x}: denormal/round mode not modelled for this instruction",
            w.mode
        ),
    )
}

/// Generic f32 op with N sources (MODE-aware; see [`float_mode`]).
#[inline(always)]
fn vf32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f32, f32, f32) -> f32,
) -> Flow {
    vf32m::<N, false>(w, e, u, f)
}

/// f32 multiply-add that always flushes denormals (v_mad_f32 / v_mac_f32 /
/// v_madak / v_madmk / mad_legacy): LLVM AMDGPUISelLowering.h `FMAD_FTZ`
/// ("For emitting ISD::FMAD when f32 denormals are enabled because mac/mad is
/// treated as an illegal operation") — the hardware mad ignores FP_DENORM.
#[inline(always)]
fn vmad32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f32, f32, f32) -> f32,
) -> Flow {
    vf32m::<N, true>(w, e, u, f)
}

#[inline(always)]
fn vf32m<const N: usize, const FTZ: bool>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f32, f32, f32) -> f32,
) -> Flow {
    // Decided once per instruction; the default mode runs the plain loop and
    // everything else lives out of line.
    if FTZ || mode_odd(w, u, MODE_F32) {
        return vf32_mode::<N, FTZ>(w, e, u, f);
    }
    let [a, b, c, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F32, a, &mut mask);
    if N > 1 {
        fetch(w, u, 1, F32, b, &mut mask);
    }
    if N > 2 {
        fetch(w, u, 2, F32, c, &mut mask);
    }
    let n = w.n;
    lanes(n, |l| {
        r[l] = f(
            f32::from_bits(a[l]),
            f32::from_bits(b[l]),
            f32::from_bits(c[l]),
        )
        .to_bits();
    });
    omod_clamp_f32(u, r, n);
    put(w, u, r, mask);
    Flow::Next
}

/// [`vf32m`] under a non-default MODE (or an always-flushing mad).
#[cold]
#[inline(never)]
fn vf32_mode<const N: usize, const FTZ: bool>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f32, f32, f32) -> f32,
) -> Flow {
    let z = match float_mode(w, e, u, MODE_F32, FTZ) {
        Ok(z) => z,
        Err(fl) => return fl,
    };
    let [a, b, c, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F32, a, &mut mask);
    if N > 1 {
        fetch(w, u, 1, F32, b, &mut mask);
    }
    if N > 2 {
        fetch(w, u, 2, F32, c, &mut mask);
    }
    let n = w.n;
    let g = |x: u32| f32::from_bits(if z.input { ftz32(x) } else { x });
    for l in 0..n {
        let v = f(g(a[l]), g(b[l]), g(c[l])).to_bits();
        r[l] = if z.output { ftz32(v) } else { v };
    }
    omod_clamp_f32(u, r, n);
    put(w, u, r, mask);
    Flow::Next
}

/// Runs `body(l)` for every lane `l < n`, with the wave width (32 or 64) known at
/// compile time in each branch so the loop unrolls and vectorises (a runtime-length lane
/// loop was the top cost of the 64-bit address arithmetic, findings/sim-exec.md).
#[inline(always)]
fn lanes(n: usize, mut body: impl FnMut(usize)) {
    if n == 32 {
        for l in 0..32 {
            body(l);
        }
    } else {
        for l in 0..LANES {
            body(l);
        }
    }
}

/// Generic 32-bit integer op with N sources.
#[inline(always)]
fn vu32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    let [a, b, c, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, B32, a, &mut mask);
    if N > 1 {
        fetch(w, u, 1, B32, b, &mut mask);
    }
    if N > 2 {
        fetch(w, u, 2, B32, c, &mut mask);
    }
    lanes(w.n, |l| r[l] = f(a[l], b[l], c[l]));
    put(w, u, r, mask);
    Flow::Next
}

/// Writes a 16-bit result. On gfx10 every 16-bit VALU op preserves the other
/// half of the destination (LLVM `GCNSubtarget::zeroesHigh16BitsOfDest`
/// returns false for gfx10); op_sel bit 3 selects the high half. SDWA forms
/// merge through their dst_sel instead.
#[inline(always)]
fn put16(w: &mut Wave, u: &Uop, r: &mut Lanes, mask: u64) {
    if u.sdwa.is_none() {
        if let Opnd::V(d) = u.dst {
            let old = w.vreg(d);
            let hi = u.m.opsel & 8 != 0;
            for l in 0..w.n {
                r[l] = if hi {
                    (old[l] & 0xffff) | (r[l] << 16)
                } else {
                    (old[l] & 0xffff_0000) | (r[l] & 0xffff)
                };
            }
        }
    }
    put(w, u, r, mask);
}

/// Generic op with a 16-bit result on 16-bit (op_sel-selectable) sources.
#[inline(always)]
fn vu16<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    let [a, b, c, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F16, a, &mut mask);
    if N > 1 {
        fetch(w, u, 1, F16, b, &mut mask);
    }
    if N > 2 {
        fetch(w, u, 2, F16, c, &mut mask);
    }
    for l in 0..w.n {
        r[l] = f(a[l] & 0xffff, b[l] & 0xffff, c[l] & 0xffff) & 0xffff;
    }
    put16(w, u, r, mask);
    Flow::Next
}

/// v_cvt_f16_f32: f32 source (with f32 modifiers), 16-bit result. Input
/// denormals follow the f32 FP_DENORM field, the result the f16 one; rounding
/// is the f16 FP_ROUND field (both must be nearest-even).
fn v_cvt_f16_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let (zi, zo) = if mode_odd(w, u, MODE_F32 | MODE_F16_F64) {
        let zi = match float_mode(w, e, u, MODE_F32, false) {
            Ok(z) => z.input,
            Err(fl) => return fl,
        };
        match float_mode(w, e, u, MODE_F16_F64, false) {
            Ok(z) => (zi, z.output),
            Err(fl) => return fl,
        }
    } else {
        (false, false)
    };
    let [a, _, _, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F32, a, &mut mask);
    for l in 0..w.n {
        let x = if zi { ftz32(a[l]) } else { a[l] };
        let mut v = f32::from_bits(x);
        if u.m.clamp {
            v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        }
        let h = f32_to_f16(v) as u32;
        r[l] = if zo { ftz16(h) } else { h };
    }
    put16(w, u, r, mask);
    Flow::Next
}

/// Generic f16 op computed in f32 (f64 for fma) and rounded once to f16
/// (MODE-aware: f16 FP_DENORM / FP_ROUND fields).
#[inline(always)]
fn vf16<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f32, f32, f32) -> f32,
) -> Flow {
    vf16m::<N, false>(w, e, u, f)
}
/// f16 multiply-add that always flushes (v_mad_f16 / v_mac_f16; LLVM selects
/// them only when f16 denormals are flushed, like the f32 mad).
#[inline(always)]
fn vmad16<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f32, f32, f32) -> f32,
) -> Flow {
    vf16m::<N, true>(w, e, u, f)
}
#[inline(always)]
fn vf16m<const N: usize, const FTZ: bool>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f32, f32, f32) -> f32,
) -> Flow {
    let z = if FTZ || mode_odd(w, u, MODE_F16_F64) {
        match float_mode(w, e, u, MODE_F16_F64, FTZ) {
            Ok(z) => z,
            Err(fl) => return fl,
        }
    } else {
        Ftz {
            input: false,
            output: false,
        }
    };
    let [a, b, c, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F16, a, &mut mask);
    if N > 1 {
        fetch(w, u, 1, F16, b, &mut mask);
    }
    if N > 2 {
        fetch(w, u, 2, F16, c, &mut mask);
    }
    let n = w.n;
    for l in 0..n {
        let h = |x: u32| f16_to_f32(if z.input { ftz16(x) } else { x } as u16);
        let mut v = f(h(a[l]), h(b[l]), h(c[l]));
        let mut o = f32_to_f16(v) as u32;
        if z.output {
            o = ftz16(o);
            v = f16_to_f32(o as u16);
        }
        if u.m.clamp {
            v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
            o = f32_to_f16(v) as u32;
        }
        r[l] = o;
    }
    put16(w, u, r, mask);
    Flow::Next
}

/// Generic f64 op (MODE-aware: f16/f64 FP_DENORM / FP_ROUND fields).
#[inline(always)]
fn vf64<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(f64, f64, f64) -> f64,
) -> Flow {
    let z = if mode_odd(w, u, MODE_F16_F64) {
        match float_mode(w, e, u, MODE_F16_F64, false) {
            Ok(z) => z,
            Err(fl) => return fl,
        }
    } else {
        Ftz {
            input: false,
            output: false,
        }
    };
    let [a, b, c, r] = &mut *e.t64;
    fetch64(w, u, 0, true, a);
    if N > 1 {
        fetch64(w, u, 1, true, b);
    }
    if N > 2 {
        fetch64(w, u, 2, true, c);
    }
    for l in 0..w.n {
        let g = |x: u64| f64::from_bits(if z.input { ftz64(x) } else { x });
        let mut v = f(g(a[l]), g(b[l]), g(c[l]));
        if z.output {
            v = f64::from_bits(ftz64(v.to_bits()));
        }
        if u.m.clamp {
            v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        }
        r[l] = v.to_bits();
    }
    if let Opnd::V(d) = u.dst {
        let m = w.exec();
        w.wr64(d, r, m);
    }
    Flow::Next
}

macro_rules! ops {
    ($tmpl:ident, $ty:ident, $tag:literal, $tab:ident: $($name:ident / $n:literal => |$a:ident, $b:ident, $c:ident| $body:expr;)*) => {
        $(#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
        fn $name(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
            #[allow(unused_variables)]
            $tmpl::<$n>(w, e, u, |$a: $ty, $b: $ty, $c: $ty| $body)
        })*
        fn $tab() -> Vec<Entry> {
            vec![$(Entry::new(stringify!($name), $name, srcs_of($tag, $n)),)*]
        }
    };
}

fn srcs_of(ty: &str, n: usize) -> &'static [Ty] {
    static F32S: [Ty; 3] = [F32, F32, F32];
    static F16S: [Ty; 3] = [F16, F16, F16];
    static F64S: [Ty; 3] = [F64, F64, F64];
    static B32S: [Ty; 3] = [B32, B32, B32];
    match ty {
        "f32" => &F32S[..n],
        "f16" => &F16S[..n],
        "f64" => &F64S[..n],
        _ => &B32S[..n],
    }
}

// ---------------------------------------------------------------- f32

fn rndne32(x: f32) -> f32 {
    x.round_ties_even()
}
fn fract32(x: f32) -> f32 {
    if x.is_infinite() {
        return f32::NAN;
    }
    (x - x.floor()).min(f32::from_bits(0x3f7f_ffff))
}
fn fract64(x: f64) -> f64 {
    if x.is_infinite() {
        return f64::NAN;
    }
    (x - x.floor()).min(f64::from_bits(0x3fef_ffff_ffff_ffff))
}
/// Hardware min/max in IEEE mode: a NaN operand yields the other operand.
fn fmin(a: f32, b: f32) -> f32 {
    a.min(b)
}
fn fmax(a: f32, b: f32) -> f32 {
    a.max(b)
}
fn med3(a: f32, b: f32, c: f32) -> f32 {
    fmax(fmin(a, b), fmin(fmax(a, b), c))
}
fn mul_legacy(a: f32, b: f32) -> f32 {
    if a == 0.0 || b == 0.0 {
        0.0
    } else {
        a * b
    }
}
/// sin/cos take their argument in revolutions (x · 2π).
fn sin_rev(x: f32) -> f32 {
    ((x as f64) * std::f64::consts::TAU).sin() as f32
}
fn cos_rev(x: f32) -> f32 {
    ((x as f64) * std::f64::consts::TAU).cos() as f32
}
fn exp_of(x: f32) -> i32 {
    ((x.to_bits() >> 23) & 0xff) as i32
}
fn frexp_exp32(x: f32) -> u32 {
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return 0;
    }
    let (_, e) = frexp(x as f64);
    e as u32
}
fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || x.is_nan() || x.is_infinite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i32;
    if e == 0 {
        let (m, e2) = frexp(x * 2f64.powi(64));
        return (m, e2 - 64);
    }
    e -= 1022;
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022u64 << 52));
    (m, e)
}
fn frexp_mant32(x: f32) -> f32 {
    if x.is_nan() || x.is_infinite() {
        return x;
    }
    frexp(x as f64).0 as f32
}
fn ldexp32(x: f32, e: i32) -> f32 {
    ((x as f64) * 2f64.powi(e.clamp(-400, 400))) as f32
}
fn ldexp64(x: f64, e: i32) -> f64 {
    let e = e.clamp(-2200, 2200);
    // Split so intermediate powers stay finite.
    let h = e / 2;
    x * 2f64.powi(h) * 2f64.powi(e - h)
}

fn div_scale32(s0: f32, s1: f32, s2: f32) -> (f32, bool) {
    let denorm = |x: f32| x != 0.0 && x.is_subnormal();
    if s2 == 0.0 || s1 == 0.0 {
        return (f32::NAN, false);
    }
    if exp_of(s2) - exp_of(s1) >= 96 {
        return (if s0 == s1 { ldexp32(s0, 64) } else { s0 }, true);
    }
    if denorm(s1) {
        return (ldexp32(s0, 64), false);
    }
    let inv = 1.0 / s1;
    let q = s2 / s1;
    if denorm(inv) && denorm(q) {
        return (if s0 == s1 { ldexp32(s0, 64) } else { s0 }, true);
    }
    if denorm(inv) {
        return (ldexp32(s0, -64), false);
    }
    if denorm(q) {
        return (if s0 == s2 { ldexp32(s0, 64) } else { s0 }, true);
    }
    if exp_of(s2) <= 23 {
        return (ldexp32(s0, 64), false);
    }
    (s0, false)
}

fn div_fixup32(q: f32, den: f32, num: f32) -> f32 {
    let neg = (den.to_bits() ^ num.to_bits()) >> 31 != 0;
    let sgn = |x: f32| if neg { -x } else { x };
    if num.is_nan() {
        return num;
    }
    if den.is_nan() {
        return den;
    }
    if den == 0.0 && num == 0.0 {
        return f32::from_bits(0xffc0_0000);
    }
    if den.is_infinite() && num.is_infinite() {
        return f32::from_bits(0xffc0_0000);
    }
    if den == 0.0 || num.is_infinite() {
        return sgn(f32::INFINITY);
    }
    if den.is_infinite() || num == 0.0 {
        return sgn(0.0);
    }
    if q.is_nan() {
        return q;
    }
    sgn(q.abs())
}

fn div_fixup64(q: f64, den: f64, num: f64) -> f64 {
    let neg = (den.to_bits() ^ num.to_bits()) >> 63 != 0;
    let sgn = |x: f64| if neg { -x } else { x };
    if num.is_nan() {
        return num;
    }
    if den.is_nan() {
        return den;
    }
    if (den == 0.0 && num == 0.0) || (den.is_infinite() && num.is_infinite()) {
        return f64::from_bits(0xfff8_0000_0000_0000);
    }
    if den == 0.0 || num.is_infinite() {
        return sgn(f64::INFINITY);
    }
    if den.is_infinite() || num == 0.0 {
        return sgn(0.0);
    }
    if q.is_nan() {
        return q;
    }
    sgn(q.abs())
}

ops! { vf32, f32, "f32", f32_table:
    v_add_f32/2 => |a, b, c| a + b;
    v_sub_f32/2 => |a, b, c| a - b;
    v_subrev_f32/2 => |a, b, c| b - a;
    v_mul_f32/2 => |a, b, c| a * b;
    v_mul_legacy_f32/2 => |a, b, c| mul_legacy(a, b);
    v_min_f32/2 => |a, b, c| fmin(a, b);
    v_max_f32/2 => |a, b, c| fmax(a, b);
    v_fma_f32/3 => |a, b, c| a.mul_add(b, c);
    v_fma_legacy_f32/3 => |a, b, c| if a == 0.0 || b == 0.0 { c } else { a.mul_add(b, c) };
    v_min3_f32/3 => |a, b, c| fmin(fmin(a, b), c);
    v_max3_f32/3 => |a, b, c| fmax(fmax(a, b), c);
    v_med3_f32/3 => |a, b, c| med3(a, b, c);
    v_div_fixup_f32/3 => |a, b, c| div_fixup32(a, b, c);
    v_rcp_f32/1 => |a, b, c| 1.0 / a;
    v_rcp_iflag_f32/1 => |a, b, c| 1.0 / a;
    v_rsq_f32/1 => |a, b, c| 1.0 / a.sqrt();
    v_sqrt_f32/1 => |a, b, c| a.sqrt();
    v_log_f32/1 => |a, b, c| a.log2();
    v_exp_f32/1 => |a, b, c| a.exp2();
    v_sin_f32/1 => |a, b, c| sin_rev(a);
    v_cos_f32/1 => |a, b, c| cos_rev(a);
    v_floor_f32/1 => |a, b, c| a.floor();
    v_ceil_f32/1 => |a, b, c| a.ceil();
    v_trunc_f32/1 => |a, b, c| a.trunc();
    v_rndne_f32/1 => |a, b, c| rndne32(a);
    v_fract_f32/1 => |a, b, c| fract32(a);
    v_frexp_mant_f32/1 => |a, b, c| frexp_mant32(a);
}

ops! { vf16, f32, "f16", f16_table:
    v_add_f16/2 => |a, b, c| a + b;
    v_sub_f16/2 => |a, b, c| a - b;
    v_subrev_f16/2 => |a, b, c| b - a;
    v_mul_f16/2 => |a, b, c| a * b;
    v_min_f16/2 => |a, b, c| fmin(a, b);
    v_max_f16/2 => |a, b, c| fmax(a, b);
    v_fma_f16/3 => |a, b, c| (a as f64).mul_add(b as f64, c as f64) as f32;
    v_min3_f16/3 => |a, b, c| fmin(fmin(a, b), c);
    v_max3_f16/3 => |a, b, c| fmax(fmax(a, b), c);
    v_med3_f16/3 => |a, b, c| med3(a, b, c);
    v_div_fixup_f16/3 => |a, b, c| div_fixup32(a, b, c);
    v_rcp_f16/1 => |a, b, c| 1.0 / a;
    v_rsq_f16/1 => |a, b, c| 1.0 / a.sqrt();
    v_sqrt_f16/1 => |a, b, c| a.sqrt();
    v_log_f16/1 => |a, b, c| a.log2();
    v_exp_f16/1 => |a, b, c| a.exp2();
    v_sin_f16/1 => |a, b, c| sin_rev(a);
    v_cos_f16/1 => |a, b, c| cos_rev(a);
    v_floor_f16/1 => |a, b, c| a.floor();
    v_ceil_f16/1 => |a, b, c| a.ceil();
    v_trunc_f16/1 => |a, b, c| a.trunc();
    v_rndne_f16/1 => |a, b, c| rndne32(a);
    v_fract_f16/1 => |a, b, c| fract32(a).min(f16_to_f32(0x3bff));
    v_frexp_mant_f16/1 => |a, b, c| frexp_mant32(a);
}

ops! { vf64, f64, "f64", f64_table:
    v_add_f64/2 => |a, b, c| a + b;
    v_mul_f64/2 => |a, b, c| a * b;
    v_min_f64/2 => |a, b, c| a.min(b);
    v_max_f64/2 => |a, b, c| a.max(b);
    v_fma_f64/3 => |a, b, c| a.mul_add(b, c);
    v_div_fixup_f64/3 => |a, b, c| div_fixup64(a, b, c);
    v_rcp_f64/1 => |a, b, c| 1.0 / a;
    v_rsq_f64/1 => |a, b, c| 1.0 / a.sqrt();
    v_sqrt_f64/1 => |a, b, c| a.sqrt();
    v_floor_f64/1 => |a, b, c| a.floor();
    v_ceil_f64/1 => |a, b, c| a.ceil();
    v_trunc_f64/1 => |a, b, c| a.trunc();
    v_rndne_f64/1 => |a, b, c| a.round_ties_even();
    v_fract_f64/1 => |a, b, c| fract64(a);
    v_frexp_mant_f64/1 => |a, b, c| if a.is_nan() || a.is_infinite() { a } else { frexp(a).0 };
}

// ---------------------------------------------------------------- integer

fn bfe_u(a: u32, off: u32, w: u32) -> u32 {
    let (off, w) = (off & 31, w & 31);
    if w == 0 {
        0
    } else {
        (a >> off) & ((1u32 << w) - 1)
    }
}
fn bfe_i(a: u32, off: u32, w: u32) -> u32 {
    let (off, w) = (off & 31, w & 31);
    if w == 0 {
        0
    } else {
        let x = a >> off;
        ((x << (32 - w)) as i32 >> (32 - w)) as u32
    }
}
fn i24(x: u32) -> i64 {
    ((x << 8) as i32 >> 8) as i64
}
fn perm(a: u32, b: u32, sel: u32) -> u32 {
    let bytes = (a as u64) << 32 | b as u64;
    let mut r = 0u32;
    for i in 0..4 {
        let s = (sel >> (i * 8)) & 0xff;
        let v: u32 = match s {
            0..=7 => ((bytes >> (s * 8)) & 0xff) as u32,
            8 => {
                if bytes >> 15 & 1 != 0 {
                    0xff
                } else {
                    0
                }
            }
            9 => {
                if bytes >> 31 & 1 != 0 {
                    0xff
                } else {
                    0
                }
            }
            10 => {
                if bytes >> 47 & 1 != 0 {
                    0xff
                } else {
                    0
                }
            }
            11 => {
                if bytes >> 63 & 1 != 0 {
                    0xff
                } else {
                    0
                }
            }
            12 => 0,
            _ => 0xff,
        };
        r |= v << (i * 8);
    }
    r
}
fn sat_u32(x: i64) -> u32 {
    x.clamp(0, u32::MAX as i64) as u32
}

ops! { vu32, u32, "u32", u32_table:
    v_mov_b32/1 => |a, b, c| a;
    v_not_b32/1 => |a, b, c| !a;
    v_bfrev_b32/1 => |a, b, c| a.reverse_bits();
    v_ffbh_u32/1 => |a, b, c| if a == 0 { u32::MAX } else { a.leading_zeros() };
    v_ffbl_b32/1 => |a, b, c| if a == 0 { u32::MAX } else { a.trailing_zeros() };
    v_ffbh_i32/1 => |a, b, c| { let s = a as i32; if s == 0 || s == -1 { u32::MAX } else if s < 0 { (!a).leading_zeros() } else { a.leading_zeros() } };
    v_cvt_f32_ubyte0/1 => |a, b, c| ((a & 0xff) as f32).to_bits();
    v_cvt_f32_ubyte1/1 => |a, b, c| (((a >> 8) & 0xff) as f32).to_bits();
    v_cvt_f32_ubyte2/1 => |a, b, c| (((a >> 16) & 0xff) as f32).to_bits();
    v_cvt_f32_ubyte3/1 => |a, b, c| ((a >> 24) as f32).to_bits();
    v_cvt_off_f32_i4/1 => |a, b, c| (((a << 28) as i32 >> 28) as f32 / 16.0).to_bits();
    v_and_b32/2 => |a, b, c| a & b;
    v_or_b32/2 => |a, b, c| a | b;
    v_xor_b32/2 => |a, b, c| a ^ b;
    v_xnor_b32/2 => |a, b, c| !(a ^ b);
    v_lshlrev_b32/2 => |a, b, c| b << (a & 31);
    v_lshrrev_b32/2 => |a, b, c| b >> (a & 31);
    v_ashrrev_i32/2 => |a, b, c| ((b as i32) >> (a & 31)) as u32;
    v_lshl_b32/2 => |a, b, c| a << (b & 31);
    v_min_u32/2 => |a, b, c| a.min(b);
    v_max_u32/2 => |a, b, c| a.max(b);
    v_min_i32/2 => |a, b, c| (a as i32).min(b as i32) as u32;
    v_max_i32/2 => |a, b, c| (a as i32).max(b as i32) as u32;
    v_mul_lo_u32/2 => |a, b, c| a.wrapping_mul(b);
    v_mul_hi_u32/2 => |a, b, c| ((a as u64 * b as u64) >> 32) as u32;
    v_mul_hi_i32/2 => |a, b, c| ((a as i32 as i64 * b as i32 as i64) >> 32) as u32;
    v_mul_u32_u24/2 => |a, b, c| (a & 0xff_ffff).wrapping_mul(b & 0xff_ffff);
    v_mul_hi_u32_u24/2 => |a, b, c| (((a & 0xff_ffff) as u64 * (b & 0xff_ffff) as u64) >> 32) as u32;
    v_mul_i32_i24/2 => |a, b, c| (i24(a) * i24(b)) as u32;
    v_mul_hi_i32_i24/2 => |a, b, c| ((i24(a) * i24(b)) >> 32) as u32;
    v_bcnt_u32_b32/2 => |a, b, c| a.count_ones().wrapping_add(b);
    v_bfm_b32/2 => |a, b, c| (((1u64 << (a & 31)) - 1) as u32) << (b & 31);
    v_cvt_pk_u16_u32/2 => |a, b, c| a.min(0xffff) | b.min(0xffff) << 16;
    v_cvt_pk_i16_i32/2 => |a, b, c| ((a as i32).clamp(-32768, 32767) as u16 as u32) | ((b as i32).clamp(-32768, 32767) as u16 as u32) << 16;
    v_pack_b32_f16/2 => |a, b, c| (a & 0xffff) | (b & 0xffff) << 16;
    v_mad_u32_u24/3 => |a, b, c| (a & 0xff_ffff).wrapping_mul(b & 0xff_ffff).wrapping_add(c);
    v_mad_i32_i24/3 => |a, b, c| ((i24(a) * i24(b)) as u32).wrapping_add(c);
    v_bfe_u32/3 => |a, b, c| bfe_u(a, b, c);
    v_bfe_i32/3 => |a, b, c| bfe_i(a, b, c);
    v_bfi_b32/3 => |a, b, c| (a & b) | (!a & c);
    v_alignbit_b32/3 => |a, b, c| (((a as u64) << 32 | b as u64) >> (c & 31)) as u32;
    v_alignbyte_b32/3 => |a, b, c| (((a as u64) << 32 | b as u64) >> ((c & 3) * 8)) as u32;
    v_lshl_add_u32/3 => |a, b, c| (a << (b & 31)).wrapping_add(c);
    v_add_lshl_u32/3 => |a, b, c| a.wrapping_add(b) << (c & 31);
    v_lshl_or_b32/3 => |a, b, c| (a << (b & 31)) | c;
    v_and_or_b32/3 => |a, b, c| (a & b) | c;
    v_or3_b32/3 => |a, b, c| a | b | c;
    v_xor3_b32/3 => |a, b, c| a ^ b ^ c;
    v_add3_u32/3 => |a, b, c| a.wrapping_add(b).wrapping_add(c);
    v_xad_u32/3 => |a, b, c| (a ^ b).wrapping_add(c);
    v_min3_u32/3 => |a, b, c| a.min(b).min(c);
    v_max3_u32/3 => |a, b, c| a.max(b).max(c);
    v_med3_u32/3 => |a, b, c| a.min(b).max(a.max(b).min(c));
    v_min3_i32/3 => |a, b, c| (a as i32).min(b as i32).min(c as i32) as u32;
    v_max3_i32/3 => |a, b, c| (a as i32).max(b as i32).max(c as i32) as u32;
    v_med3_i32/3 => |a, b, c| { let (a, b, c) = (a as i32, b as i32, c as i32); a.min(b).max(a.max(b).min(c)) as u32 };
    v_perm_b32/3 => |a, b, c| perm(a, b, c);
    v_lerp_u8/3 => |a, b, c| (0..4).map(|i| ((((a >> (8 * i)) & 0xff) + ((b >> (8 * i)) & 0xff) + ((c >> (8 * i)) & 1)) >> 1) << (8 * i)).sum::<u32>();
    v_sad_u32/3 => |a, b, c| a.abs_diff(b).wrapping_add(c);
    v_sad_u8/3 => |a, b, c| (0..4).map(|i| ((a >> (i * 8)) as u8).abs_diff((b >> (i * 8)) as u8) as u32).sum::<u32>().wrapping_add(c);
    v_sad_hi_u8/3 => |a, b, c| ((0..4).map(|i| ((a >> (i * 8)) as u8).abs_diff((b >> (i * 8)) as u8) as u32).sum::<u32>() << 16).wrapping_add(c);
    v_sad_u16/3 => |a, b, c| ((a as u16).abs_diff(b as u16) as u32 + ((a >> 16) as u16).abs_diff((b >> 16) as u16) as u32).wrapping_add(c);
    v_add_i32/2 => |a, b, c| a.wrapping_add(b);
    v_sub_i32/2 => |a, b, c| a.wrapping_sub(b);
    v_mad_u32_u16/3 => |a, b, c| ((a & 0xffff) * (b & 0xffff)).wrapping_add(c);
    v_mad_i32_i16/3 => |a, b, c| ((a as i16 as i32).wrapping_mul(b as i16 as i32) as u32).wrapping_add(c);
}

ops! { vu16, u32, "f16", u16_table:
    v_cvt_u16_f16/1 => |a, b, c| { let f = f16_to_f32(a as u16); if f.is_nan() { 0 } else { f as u16 as u32 } };
    v_cvt_i16_f16/1 => |a, b, c| { let f = f16_to_f32(a as u16); if f.is_nan() { 0 } else { f as i16 as u16 as u32 } };
    v_mul_lo_u16/2 => |a, b, c| (a as u16).wrapping_mul(b as u16) as u32;
    v_lshlrev_b16/2 => |a, b, c| ((b as u16) << (a & 15)) as u32;
    v_lshrrev_b16/2 => |a, b, c| ((b as u16) >> (a & 15)) as u32;
    v_ashrrev_i16/2 => |a, b, c| ((b as i16) >> (a & 15)) as u16 as u32;
    v_max_u16/2 => |a, b, c| (a as u16).max(b as u16) as u32;
    v_min_u16/2 => |a, b, c| (a as u16).min(b as u16) as u32;
    v_max_i16/2 => |a, b, c| (a as i16).max(b as i16) as u16 as u32;
    v_min_i16/2 => |a, b, c| (a as i16).min(b as i16) as u16 as u32;
    v_mad_u16/3 => |a, b, c| (a as u16).wrapping_mul(b as u16).wrapping_add(c as u16) as u32;
    v_mad_i16/3 => |a, b, c| (a as u16).wrapping_mul(b as u16).wrapping_add(c as u16) as u32;
}

// Float instructions that live in the integer tables (bit-typed sources), each
// with the MODE handling its template gives it.

/// Float → integer conversions: f32 sources flushed per the f32 FP_DENORM input
/// bit (the conversions truncate/floor themselves, so FP_ROUND does not apply).
#[inline(always)]
fn vfi32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    if w.mode & 0x10 == 0 {
        return vu32::<N>(w, e, u, |a, b, c| f(ftz32(a), ftz32(b), ftz32(c)));
    }
    vu32::<N>(w, e, u, f)
}
/// f16 → f32 conversion: the f16 source is flushed per the f16 FP_DENORM input
/// bit (f16 values are never f32 denormals, so the output needs nothing).
#[inline(always)]
fn vfh32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    if w.mode & 0x40 == 0 {
        return vu32::<N>(w, e, u, |a, b, c| f(ftz16(a), b, c));
    }
    vu32::<N>(w, e, u, f)
}
/// Integer → f32 conversions: exact or rounded per FP_ROUND (only nearest-even
/// is modelled); denormals cannot occur.
#[inline(always)]
fn vr32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    if let Some(fl) = mode_guard(w, e, u, 0x3) {
        return fl;
    }
    vu32::<N>(w, e, u, f)
}
/// Mixed f32/f16 conversions and ldexp: run only in the default MODE (any other
/// f32/f16 round or denorm setting stops with `Unimplemented`).
#[inline(always)]
fn vg32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    if let Some(fl) = mode_guard(w, e, u, MODE_F32 | MODE_F16_F64) {
        return fl;
    }
    vu32::<N>(w, e, u, f)
}
/// 16-bit-result float conversions / ldexp: default f16 MODE only.
#[inline(always)]
fn vg16<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    if let Some(fl) = mode_guard(w, e, u, MODE_F16_F64) {
        return fl;
    }
    vu16::<N>(w, e, u, f)
}

/// v_ldexp_f32: f32 src0 flushed per the f32 FP_DENORM input bit, the result
/// per the output bit (src1 is an integer).
#[inline(always)]
fn vldexp32<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    if mode_odd(w, u, MODE_F32) {
        let z = match float_mode(w, e, u, MODE_F32, false) {
            Ok(z) => z,
            Err(fl) => return fl,
        };
        if u.m.clamp {
            return e.unimplemented(u, "clamp on v_ldexp_f32");
        }
        return vu32::<N>(w, e, u, |a, b, c| {
            let r = f(if z.input { ftz32(a) } else { a }, b, c);
            if z.output {
                ftz32(r)
            } else {
                r
            }
        });
    }
    vu32::<N>(w, e, u, f)
}
ops! { vldexp32, u32, "u32", ldexp32_table:
    v_ldexp_f32/2 => |a, b, c| ldexp32(f32::from_bits(a), b as i32).to_bits();
}

ops! { vmad32, f32, "f32", mad32_table:
    v_mad_f32/3 => |a, b, c| f32::from_bits(ftz32((a * b).to_bits())) + c;
    v_mad_legacy_f32/3 => |a, b, c| f32::from_bits(ftz32(mul_legacy(a, b).to_bits())) + c;
}
ops! { vmad16, f32, "f16", mad16_table:
    v_mad_f16/3 => |a, b, c| f16_to_f32(ftz16(f32_to_f16(a * b) as u32) as u16) + c;
}
ops! { vfi32, u32, "u32", fi32_table:
    v_cvt_u32_f32/1 => |a, b, c| { let f = f32::from_bits(a); if f.is_nan() { 0 } else { f as u32 } };
    v_cvt_i32_f32/1 => |a, b, c| { let f = f32::from_bits(a); if f.is_nan() { 0 } else { f as i32 as u32 } };
    v_cvt_flr_i32_f32/1 => |a, b, c| { let f = f32::from_bits(a).floor(); if f.is_nan() { 0 } else { f as i32 as u32 } };
    v_cvt_rpi_i32_f32/1 => |a, b, c| { let f = (f32::from_bits(a) + 0.5).floor(); if f.is_nan() { 0 } else { f as i32 as u32 } };
    v_frexp_exp_i32_f32/1 => |a, b, c| frexp_exp32(f32::from_bits(a));
}
ops! { vfh32, u32, "u32", fh32_table:
    v_cvt_f32_f16/1 => |a, b, c| f16_to_f32(a as u16).to_bits();
}
ops! { vr32, u32, "u32", r32_table:
    v_cvt_f32_i32/1 => |a, b, c| (a as i32 as f32).to_bits();
    v_cvt_f32_u32/1 => |a, b, c| (a as f32).to_bits();
}
ops! { vg32, u32, "u32", g32_table:
    v_cvt_pkrtz_f16_f32/2 => |a, b, c| pkrtz(a) | pkrtz(b) << 16;
    v_cvt_pknorm_i16_f32/2 => |a, b, c| pknorm_i16(a) | pknorm_i16(b) << 16;
    v_cvt_pknorm_u16_f32/2 => |a, b, c| pknorm_u16(a) | pknorm_u16(b) << 16;
    v_cvt_pk_u8_f32/3 => |a, b, c| { let v = sat_u32(f32::from_bits(a).round_ties_even() as i64).min(255); let s = (b & 3) * 8; (c & !(0xff << s)) | v << s };
}
ops! { vg16, u32, "f16", g16_table:
    v_cvt_f16_u16/1 => |a, b, c| f32_to_f16((a & 0xffff) as f32) as u32;
    v_cvt_f16_i16/1 => |a, b, c| f32_to_f16(a as u16 as i16 as f32) as u32;
    v_ldexp_f16/2 => |a, b, c| f32_to_f16(ldexp32(f16_to_f32(a as u16), b as u16 as i16 as i32)) as u32;
    v_frexp_exp_i16_f16/1 => |a, b, c| { let f = f16_to_f32(a as u16); if f.is_nan() || f.is_infinite() || f == 0.0 { 0 } else { frexp(f as f64).1 as u16 as u32 } };
}

fn pkrtz(a: u32) -> u32 {
    // Round toward zero: truncate the f32 toward zero at f16 precision.
    let f = f32::from_bits(a);
    let h = f32_to_f16(f);
    let back = f16_to_f32(h);
    if f.is_finite() && back.abs() > f.abs() {
        (h - 1) as u32
    } else {
        h as u32
    }
}
fn pknorm_i16(a: u32) -> u32 {
    let f = f32::from_bits(a);
    let v = if f.is_nan() {
        0.0
    } else {
        (f.clamp(-1.0, 1.0) * 32767.0).round_ties_even()
    };
    v as i16 as u16 as u32
}
fn pknorm_u16(a: u32) -> u32 {
    let f = f32::from_bits(a);
    let v = if f.is_nan() {
        0.0
    } else {
        (f.clamp(0.0, 1.0) * 65535.0).round_ties_even()
    };
    v as u16 as u32
}

// ---------------------------------------------------------------- special forms

/// v_fmac_f32 / v_mac_f32: dst = src0 * src1 + dst (pre-decode puts dst in src2).
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_fmac_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vf32::<3>(w, e, u, |a, b, c| a.mul_add(b, c))
}
fn v_mac_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vmad32::<3>(w, e, u, |a, b, c| {
        f32::from_bits(ftz32((a * b).to_bits())) + c
    })
}
fn v_fmac_legacy_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vf32::<3>(w, e, u, |a, b, c| {
        if a == 0.0 || b == 0.0 {
            c
        } else {
            a.mul_add(b, c)
        }
    })
}
fn v_mac_legacy_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vmad32::<3>(w, e, u, |a, b, c| {
        f32::from_bits(ftz32(mul_legacy(a, b).to_bits())) + c
    })
}
/// v_mac_f16: dst = src0 * src1 + dst, unfused and flushing like v_mad_f16.
fn v_mac_f16(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vmad16::<3>(w, e, u, |a, b, c| {
        f16_to_f32(ftz16(f32_to_f16(a * b) as u32) as u16) + c
    })
}
fn v_fmac_f16(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vf16::<3>(w, e, u, |a, b, c| {
        (a as f64).mul_add(b as f64, c as f64) as f32
    })
}
fn v_fmac_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vf64::<3>(w, e, u, |a, b, c| a.mul_add(b, c))
}
/// v_fmamk_f32 dst, src0, K, src1 / v_fmaak_f32 dst, src0, src1, K: operands
/// arrive in print order, so both are fma(src0, src1, src2).
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_fmamk_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vf32::<3>(w, e, u, |a, b, c| a.mul_add(b, c))
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_madmk_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vmad32::<3>(w, e, u, |a, b, c| {
        f32::from_bits(ftz32((a * b).to_bits())) + c
    })
}
fn v_fmamk_f16(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    vf16::<3>(w, e, u, |a, b, c| {
        (a as f64).mul_add(b as f64, c as f64) as f32
    })
}

/// v_cndmask_b32 dst, src0, src1, mask: lane = mask ? src1 : src0.
fn v_cndmask_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let [a, b, _, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F32, a, &mut mask);
    fetch(w, u, 1, F32, b, &mut mask);
    let sel = w.mask_opnd(u.src[2]);
    for l in 0..w.n {
        r[l] = if sel >> l & 1 != 0 { b[l] } else { a[l] };
    }
    put(w, u, r, mask);
    Flow::Next
}

/// Carry-producing adds: dst, carry-out (dst2), src0, src1 [, carry-in src2].
#[inline(always)]
fn carry_op(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    cin: bool,
    f: impl Fn(u32, u32, u32) -> (u32, bool),
) -> Flow {
    let [a, b, cf, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, B32, a, &mut mask);
    fetch(w, u, 1, B32, b, &mut mask);
    let ci = if cin { w.mask_opnd(u.src[2]) } else { 0 };
    // Values and per-lane carries first (this vectorises; a carry-in of 0,
    // the usual case for 64-bit address adds, gets its own loop), then the
    // mask, which is all zero unless some lane carried.
    let mut any = 0u32;
    if ci == 0 {
        lanes(w.n, |l| {
            let (v, c) = f(a[l], b[l], 0);
            r[l] = v;
            cf[l] = c as u32;
            any |= c as u32;
        });
    } else {
        lanes(w.n, |l| {
            let (v, c) = f(a[l], b[l], (ci >> l & 1) as u32);
            r[l] = v;
            cf[l] = c as u32;
            any |= c as u32;
        });
    }
    let mut co = 0u64;
    if any != 0 {
        for (l, c) in cf[..w.n].iter().enumerate() {
            co |= (*c as u64) << l;
        }
    }
    let exec = w.exec();
    if u.m.clamp {
        // Clamp saturates instead of wrapping (unsigned).
        for l in 0..w.n {
            if co >> l & 1 != 0 {
                r[l] = if f(0, 1, 0).1 { 0 } else { u32::MAX };
            }
        }
    }
    put(w, u, r, mask);
    if let Opnd::S(d) = u.dst2 {
        w.set_mask_at(d, co & exec);
    }
    Flow::Next
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_add_co_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    carry_op(w, e, u, false, |a, b, _| a.overflowing_add(b))
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_sub_co_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    carry_op(w, e, u, false, |a, b, _| a.overflowing_sub(b))
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_subrev_co_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    carry_op(w, e, u, false, |a, b, _| b.overflowing_sub(a))
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_add_co_ci_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    carry_op(w, e, u, true, |a, b, c| {
        let s = a as u64 + b as u64 + c as u64;
        (s as u32, s >> 32 != 0)
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_sub_co_ci_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    carry_op(w, e, u, true, |a, b, c| {
        (
            a.wrapping_sub(b).wrapping_sub(c),
            (b as u64 + c as u64) > a as u64,
        )
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_subrev_co_ci_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    carry_op(w, e, u, true, |a, b, c| {
        (
            b.wrapping_sub(a).wrapping_sub(c),
            (a as u64 + c as u64) > b as u64,
        )
    })
}

/// v_mad_u64_u32 / v_mad_i64_i32: dst64, carry-out, src0, src1, src2(64).
fn mad64(w: &mut Wave, e: &mut Env, u: &Uop, signed: bool) -> Flow {
    let [a, b, _, _] = &mut *e.t;
    let [c, r, _, _] = &mut *e.t64;
    w.rd(u.src[0], a);
    w.rd(u.src[1], b);
    w.rd64(u.src[2], c);
    let mut co = 0u64;
    for l in 0..w.n {
        let (v, o) = if signed {
            let p = a[l] as i32 as i128 * b[l] as i32 as i128 + c[l] as i64 as i128;
            (p as u64, p != p as i64 as i128)
        } else {
            let p = a[l] as u128 * b[l] as u128 + c[l] as u128;
            (p as u64, p >> 64 != 0)
        };
        r[l] = v;
        co |= (o as u64) << l;
    }
    let exec = w.exec();
    if let Opnd::V(d) = u.dst {
        w.wr64(d, r, exec);
    }
    if let Opnd::S(d) = u.dst2 {
        w.set_mask_at(d, co & exec);
    }
    Flow::Next
}
fn v_mad_u64_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    mad64(w, e, u, false)
}
fn v_mad_i64_i32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    mad64(w, e, u, true)
}

/// 64-bit shifts: dst64 = f(shift src0 (32), value src1 (64)).
#[inline(always)]
fn shift64(w: &mut Wave, e: &mut Env, u: &Uop, f: impl Fn(u32, u64) -> u64) -> Flow {
    let [a, _, _, _] = &mut *e.t;
    let [b, r, _, _] = &mut *e.t64;
    w.rd64(u.src[1], b);
    if let Opnd::V(_) = u.src[0] {
        w.rd(u.src[0], a);
        lanes(w.n, |l| r[l] = f(a[l], b[l]));
    } else {
        // A uniform shift amount (constant or SGPR) vectorises without
        // per-lane variable shifts.
        let s = w.sget(u.src[0]);
        lanes(w.n, |l| r[l] = f(s, b[l]));
    }
    if let Opnd::V(d) = u.dst {
        let m = w.exec();
        w.wr64(d, r, m);
    }
    Flow::Next
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_lshlrev_b64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    shift64(w, e, u, |s, v| v << (s & 63))
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_lshrrev_b64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    shift64(w, e, u, |s, v| v >> (s & 63))
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn v_ashrrev_i64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    shift64(w, e, u, |s, v| ((v as i64) >> (s & 63)) as u64)
}

/// f64 op with a 32-bit second source (ldexp, trig_preop).
fn f64_i32(w: &mut Wave, e: &mut Env, u: &Uop, f: impl Fn(f64, u32) -> f64) -> Flow {
    if let Some(fl) = mode_guard(w, e, u, MODE_F16_F64) {
        return fl;
    }
    let [_, b, _, _] = &mut *e.t;
    let [a, r, _, _] = &mut *e.t64;
    fetch64(w, u, 0, true, a);
    w.rd(u.src[1], b);
    for l in 0..w.n {
        r[l] = f(f64::from_bits(a[l]), b[l]).to_bits();
    }
    if let Opnd::V(d) = u.dst {
        let m = w.exec();
        w.wr64(d, r, m);
    }
    Flow::Next
}
fn v_ldexp_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    f64_i32(w, e, u, |a, b| ldexp64(a, b as i32))
}
/// 2/π bits for v_trig_preop_f64 (1200 bits, as the hardware table).
const TWO_OVER_PI: [u64; 20] = [
    0xa2f9836e4e441529,
    0xfc2757d1f534ddc0,
    0xdb6295993c439041,
    0xfe5163abdebbc561,
    0xb7246e3a424dd2e0,
    0x06492eea09d1921c,
    0xfe1deb1cb129a73e,
    0xe88235f52ebb4484,
    0xe99c7026b45f7e41,
    0x3991d639835339f4,
    0x9c845f8bbdf9283b,
    0x1ff897ffde05980f,
    0xef2f118b5a0a6d1f,
    0x6d367ecf27cb09b7,
    0x4f463f669e5fea2d,
    0x7527bac7ebe5f17b,
    0x3d0739f78a5292ea,
    0x6bfb5fb11f8d5d08,
    0x560330463cd8e8d0,
    0x6b2d6f18c6f5da16,
];
fn trig_preop(x: f64, seg: u32) -> f64 {
    let shift = (seg & 31) * 53;
    let e = ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let extra = if e > 1077 { (e - 1077) as u32 } else { 0 };
    let start = shift + extra;
    // Take 53 bits of 2/π starting at bit `start`.
    let mut m = 0u64;
    for i in 0..53 {
        let b = start + i;
        let word = (b / 64) as usize;
        let bit = if word < TWO_OVER_PI.len() {
            (TWO_OVER_PI[word] >> (63 - b % 64)) & 1
        } else {
            0
        };
        m = m << 1 | bit;
    }
    (m as f64) * 2f64.powi(-(start as i32) - 53)
}
fn v_trig_preop_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    f64_i32(w, e, u, trig_preop)
}

/// Conversions between f64 and 32-bit values. The f64 source is flushed per
/// the f16/f64 FP_DENORM input bit; an f32 result (`to_f32`) is rounded per
/// the f32 FP_ROUND field (nearest-even only) and flushed per the f32 output bit.
fn cvt_from64(w: &mut Wave, e: &mut Env, u: &Uop, to_f32: bool, f: impl Fn(f64) -> u32) -> Flow {
    let mut zo = false;
    if to_f32 && mode_odd(w, u, MODE_F32) {
        match float_mode(w, e, u, MODE_F32, false) {
            Ok(z) => zo = z.output,
            Err(fl) => return fl,
        }
    }
    if u.m.omod != 0 || (u.m.clamp && !to_f32) {
        return e.unimplemented(u, "omod/clamp on an f64 conversion");
    }
    let zi = w.mode & 0x40 == 0;
    let [a, _, _, _] = &mut *e.t64;
    let [_, _, _, r] = &mut *e.t;
    fetch64(w, u, 0, true, a);
    for l in 0..w.n {
        let x = if zi { ftz64(a[l]) } else { a[l] };
        r[l] = f(f64::from_bits(x));
        if zo {
            r[l] = ftz32(r[l]);
        }
    }
    if to_f32 {
        omod_clamp_f32(u, r, w.n);
    }
    if let Opnd::V(d) = u.dst {
        let m = w.exec();
        w.wr(d, r, m);
    }
    Flow::Next
}
/// To f64: exact for every source, so only an f32 source's FP_DENORM input
/// bit matters (f32 denormals are normal f64 values).
fn cvt_to64(w: &mut Wave, e: &mut Env, u: &Uop, ty: Ty, f: impl Fn(u32) -> f64) -> Flow {
    if u.m.omod != 0 || u.m.clamp {
        return e.unimplemented(u, "omod/clamp on a conversion to f64");
    }
    let zi = ty == F32 && w.mode & 0x10 == 0;
    let [a, _, _, _] = &mut *e.t;
    let [r, _, _, _] = &mut *e.t64;
    let mut mask = w.exec();
    fetch(w, u, 0, ty, a, &mut mask);
    for l in 0..w.n {
        let x = if zi { ftz32(a[l]) } else { a[l] };
        r[l] = f(x).to_bits();
    }
    if let Opnd::V(d) = u.dst {
        w.wr64(d, r, mask);
    }
    Flow::Next
}
fn v_cvt_f64_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cvt_to64(w, e, u, F32, |a| f32::from_bits(a) as f64)
}
fn v_cvt_f64_i32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cvt_to64(w, e, u, B32, |a| a as i32 as f64)
}
fn v_cvt_f64_u32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cvt_to64(w, e, u, B32, |a| a as f64)
}
fn v_cvt_f32_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cvt_from64(w, e, u, true, |a| (a as f32).to_bits())
}
fn v_cvt_i32_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cvt_from64(
        w,
        e,
        u,
        false,
        |a| if a.is_nan() { 0 } else { a as i32 as u32 },
    )
}
fn v_cvt_u32_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cvt_from64(w, e, u, false, |a| if a.is_nan() { 0 } else { a as u32 })
}
fn v_frexp_exp_i32_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cvt_from64(w, e, u, false, |a| frexp(a).1 as u32)
}

/// True when an active lane of `srcs` holds an f32 denormal. div_scale /
/// div_fmas exist to handle denormals by scaling; how they behave under a
/// flushing FP_DENORM is not modelled, so under a non-default MODE they run
/// only on denormal-free lanes (where the flush mode cannot matter: nothing
/// to flush) and stop with `Unimplemented` otherwise.
fn denormal_lanes(n: usize, mask: u64, srcs: [&[u32]; 3]) -> bool {
    (0..n).any(|l| {
        mask >> l & 1 != 0
            && srcs
                .iter()
                .any(|s| s[l] & 0x7f80_0000 == 0 && s[l] & 0x7fff_ffff != 0)
    })
}

/// v_div_scale_f32/f64: dst, vcc-out (dst2), src0, src1 (den), src2 (num).
fn v_div_scale_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let odd = mode_odd(w, u, MODE_F32);
    if odd {
        if let Err(fl) = float_mode(w, e, u, MODE_F32, false) {
            return fl;
        }
    }
    let [a, b, c, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F32, a, &mut mask);
    fetch(w, u, 1, F32, b, &mut mask);
    fetch(w, u, 2, F32, c, &mut mask);
    if odd && denormal_lanes(w.n, mask, [&a[..], &b[..], &c[..]]) {
        return e.unimplemented(u, "denormal operand under an FP_DENORM flush mode");
    }
    let mut vcc = 0u64;
    for l in 0..w.n {
        let (v, f) = div_scale32(
            f32::from_bits(a[l]),
            f32::from_bits(b[l]),
            f32::from_bits(c[l]),
        );
        r[l] = v.to_bits();
        vcc |= (f as u64) << l;
    }
    if odd && denormal_lanes(w.n, mask, [&r[..], &r[..], &r[..]]) {
        return e.unimplemented(u, "denormal result under an FP_DENORM flush mode");
    }
    put(w, u, r, mask);
    if let Opnd::S(d) = u.dst2 {
        w.set_mask_at(d, vcc & mask);
    }
    Flow::Next
}
fn exp64(x: f64) -> i32 {
    ((x.to_bits() >> 52) & 0x7ff) as i32
}
fn div_scale64(s0: f64, s1: f64, s2: f64) -> (f64, bool) {
    let denorm = |x: f64| x != 0.0 && x.is_subnormal();
    if s2 == 0.0 || s1 == 0.0 {
        return (f64::NAN, false);
    }
    if exp64(s2) - exp64(s1) >= 768 {
        return (if s0 == s1 { ldexp64(s0, 128) } else { s0 }, true);
    }
    if denorm(s1) {
        return (ldexp64(s0, 128), false);
    }
    let inv = 1.0 / s1;
    let q = s2 / s1;
    if denorm(inv) && denorm(q) {
        return (if s0 == s1 { ldexp64(s0, 128) } else { s0 }, true);
    }
    if denorm(inv) {
        return (ldexp64(s0, -128), false);
    }
    if denorm(q) {
        return (if s0 == s2 { ldexp64(s0, 128) } else { s0 }, true);
    }
    if exp64(s2) <= 53 {
        return (ldexp64(s0, 128), false);
    }
    (s0, false)
}
fn v_div_scale_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    if let Some(fl) = mode_guard(w, e, u, MODE_F16_F64) {
        return fl;
    }
    let [a, b, c, r] = &mut *e.t64;
    fetch64(w, u, 0, true, a);
    fetch64(w, u, 1, true, b);
    fetch64(w, u, 2, true, c);
    let mut vcc = 0u64;
    for l in 0..w.n {
        let (v, f) = div_scale64(
            f64::from_bits(a[l]),
            f64::from_bits(b[l]),
            f64::from_bits(c[l]),
        );
        r[l] = v.to_bits();
        vcc |= (f as u64) << l;
    }
    let exec = w.exec();
    if let Opnd::V(d) = u.dst {
        w.wr64(d, r, exec);
    }
    if let Opnd::S(d) = u.dst2 {
        w.set_mask_at(d, vcc & exec);
    }
    Flow::Next
}
/// v_div_fmas: fma, then where VCC is set rescale by 2^±64 (f32) / 2^±128 (f64)
/// depending on whether the quotient operand (src2) is ≥ 2.
fn v_div_fmas_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let odd = mode_odd(w, u, MODE_F32);
    if odd {
        if let Err(fl) = float_mode(w, e, u, MODE_F32, false) {
            return fl;
        }
    }
    let vcc = w.vcc();
    let [a, b, c, r] = &mut *e.t;
    let mut mask = w.exec();
    fetch(w, u, 0, F32, a, &mut mask);
    fetch(w, u, 1, F32, b, &mut mask);
    fetch(w, u, 2, F32, c, &mut mask);
    if odd && denormal_lanes(w.n, mask, [&a[..], &b[..], &c[..]]) {
        return e.unimplemented(u, "denormal operand under an FP_DENORM flush mode");
    }
    for l in 0..w.n {
        let (x, y, z) = (
            f32::from_bits(a[l]),
            f32::from_bits(b[l]),
            f32::from_bits(c[l]),
        );
        let mut v = x.mul_add(y, z);
        if vcc >> l & 1 != 0 {
            v = ldexp32(v, if exp_of(z) > 127 { 64 } else { -64 });
        }
        r[l] = v.to_bits();
    }
    if odd && denormal_lanes(w.n, mask, [&r[..], &r[..], &r[..]]) {
        return e.unimplemented(u, "denormal result under an FP_DENORM flush mode");
    }
    omod_clamp_f32(u, r, w.n);
    put(w, u, r, mask);
    Flow::Next
}
fn v_div_fmas_f64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    if let Some(fl) = mode_guard(w, e, u, MODE_F16_F64) {
        return fl;
    }
    let vcc = w.vcc();
    let [a, b, c, r] = &mut *e.t64;
    fetch64(w, u, 0, true, a);
    fetch64(w, u, 1, true, b);
    fetch64(w, u, 2, true, c);
    for l in 0..w.n {
        let (x, y, z) = (
            f64::from_bits(a[l]),
            f64::from_bits(b[l]),
            f64::from_bits(c[l]),
        );
        let mut v = x.mul_add(y, z);
        if vcc >> l & 1 != 0 {
            v = ldexp64(v, if exp64(z) > 1023 { 128 } else { -128 });
        }
        r[l] = v.to_bits();
    }
    if let Opnd::V(d) = u.dst {
        let m = w.exec();
        w.wr64(d, r, m);
    }
    Flow::Next
}

// ---------------------------------------------------------------- compares

/// Float class mask bits (v_cmp_class): 0 sNaN, 1 qNaN, 2 -inf, 3 -normal,
/// 4 -denorm, 5 -0, 6 +0, 7 +denorm, 8 +normal, 9 +inf.
fn class64(x: f64, quiet_bit: bool) -> u32 {
    if x.is_nan() {
        return if quiet_bit { 1 } else { 0 };
    }
    let neg = x.is_sign_negative();
    if x.is_infinite() {
        if neg {
            2
        } else {
            9
        }
    } else if x == 0.0 {
        if neg {
            5
        } else {
            6
        }
    } else if x.is_subnormal() {
        if neg {
            4
        } else {
            7
        }
    } else if neg {
        3
    } else {
        8
    }
}

/// Writes a compare result: to EXEC for v_cmpx, else to the mask destination.
#[inline(always)]
fn cmp_out(w: &mut Wave, u: &Uop, bits: u64, cmpx: bool) -> Flow {
    let exec = w.exec();
    let m = bits & exec;
    if cmpx {
        w.set_exec(m);
    } else if let Opnd::S(d) = u.dst {
        w.set_mask_at(d, m);
    }
    Flow::Next
}

#[inline(always)]
fn cmp32(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    ty: Ty,
    cmpx: bool,
    ftz: bool,
    f: impl Fn(u32, u32) -> bool,
) -> Flow {
    let [a, b, _, _] = &mut *e.t;
    let mut mask = u64::MAX;
    fetch(w, u, 0, ty, a, &mut mask);
    fetch(w, u, 1, ty, b, &mut mask);
    // Float compares read their inputs through the FP_DENORM input bit of their
    // type (LLVM LangRef `denormal-fp-math`: with an input mode of
    // preserve-sign every FP operation, fcmp included, sees denormal inputs as
    // zero; AMDGPU derives that attribute from the same MODE bits).
    let n = w.n;
    match ty {
        F32 if ftz && w.mode & 0x10 == 0 => {
            for l in 0..n {
                a[l] = ftz32(a[l]);
                b[l] = ftz32(b[l]);
            }
        }
        F16 if ftz && w.mode & 0x40 == 0 => {
            for l in 0..n {
                a[l] = ftz16(a[l]);
                b[l] = ftz16(b[l]);
            }
        }
        _ => {}
    }
    let mut bits = 0u64;
    lanes(n, |l| bits |= (f(a[l], b[l]) as u64) << l);
    cmp_out(w, u, bits & mask, cmpx)
}
#[inline(always)]
fn cmp64(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    float: bool,
    cmpx: bool,
    f: impl Fn(u64, u64) -> bool,
) -> Flow {
    let [a, b, _, _] = &mut *e.t64;
    fetch64(w, u, 0, float, a);
    if matches!(u.src[1], Opnd::None) {
        b.fill(0);
    } else if float {
        fetch64(w, u, 1, true, b);
    } else {
        w.rd64(u.src[1], b);
    }
    if float && w.mode & 0x40 == 0 {
        for l in 0..w.n {
            a[l] = ftz64(a[l]);
            b[l] = ftz64(b[l]);
        }
    }
    let mut bits = 0u64;
    for l in 0..w.n {
        bits |= (f(a[l], b[l]) as u64) << l;
    }
    cmp_out(w, u, bits, cmpx)
}

/// VOPC float conditions; the negated forms are true for unordered inputs.
#[allow(
    clippy::neg_cmp_op_on_partial_ord,
    clippy::nonminimal_bool,
    clippy::double_comparisons
)]
fn fcond<const C: u8>(a: f64, b: f64) -> bool {
    match C {
        0 => false,
        1 => a < b,
        2 => a == b,
        3 => a <= b,
        4 => a > b,
        5 => a < b || a > b,
        6 => a >= b,
        7 => !a.is_nan() && !b.is_nan(),
        8 => a.is_nan() || b.is_nan(),
        9 => !(a >= b),
        10 => !(a < b || a > b),
        11 => !(a > b),
        12 => !(a <= b),
        13 => a != b,
        14 => !(a < b),
        _ => true,
    }
}
fn icond<const C: u8, T: Ord>(a: T, b: T) -> bool {
    match C {
        0 => false,
        1 => a < b,
        2 => a == b,
        3 => a <= b,
        4 => a > b,
        5 => a != b,
        6 => a >= b,
        _ => true,
    }
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_f32<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, F32, X, true, |a, b| {
        fcond::<C>(f32::from_bits(a) as f64, f32::from_bits(b) as f64)
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_f16<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, F16, X, true, |a, b| {
        fcond::<C>(f16_to_f32(a as u16) as f64, f16_to_f32(b as u16) as f64)
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_f64<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp64(w, e, u, true, X, |a, b| {
        fcond::<C>(f64::from_bits(a), f64::from_bits(b))
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_i32<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, B32, X, false, |a, b| {
        icond::<C, i32>(a as i32, b as i32)
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_u32<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, B32, X, false, icond::<C, u32>)
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_i16<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, B32, X, false, |a, b| {
        icond::<C, i16>(a as i16, b as i16)
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_u16<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, B32, X, false, |a, b| {
        icond::<C, u16>(a as u16, b as u16)
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_i64<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp64(w, e, u, false, X, |a, b| {
        icond::<C, i64>(a as i64, b as i64)
    })
}
#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
fn cmp_u64<const C: u8, const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp64(w, e, u, false, X, icond::<C, u64>)
}
fn class_bit(k: u32, mask: u32) -> bool {
    mask >> k & 1 != 0
}
/// v_cmp_class ignores FP_DENORM (LLVM lowers `llvm.is.fpclass`, which LangRef
/// says is not affected by the denormal mode, straight to it), so it reads its
/// source unflushed.
fn cmp_class_f32<const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, F32, X, false, |a, m| {
        let f = f32::from_bits(a);
        class_bit(class64(f as f64, a & 0x40_0000 != 0), m)
    })
}
fn cmp_class_f16<const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    cmp32(w, e, u, F16, X, false, |a, m| {
        let h = a as u16;
        let f = f16_to_f32(h) as f64;
        let k = if !f.is_nan() && f != 0.0 && (h & 0x7c00) == 0 {
            if h & 0x8000 != 0 {
                4
            } else {
                7
            }
        } else if !f.is_nan() && !f.is_infinite() && f != 0.0 {
            if f < 0.0 {
                3
            } else {
                8
            }
        } else {
            class64(f, h & 0x200 != 0)
        };
        class_bit(k, m)
    })
}
fn cmp_class_f64<const X: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let [a, _, _, _] = &mut *e.t64;
    let [_, b, _, _] = &mut *e.t;
    fetch64(w, u, 0, true, a);
    w.rd(u.src[1], b);
    let mut bits = 0u64;
    for l in 0..w.n {
        let f = f64::from_bits(a[l]);
        bits |= (class_bit(class64(f, a[l] & (1 << 51) != 0), b[l]) as u64) << l;
    }
    cmp_out(w, u, bits, X)
}

fn cmp_table() -> Vec<Entry> {
    static TF32: [Ty; 2] = [F32, F32];
    static TF16: [Ty; 2] = [F16, F16];
    static TF64: [Ty; 2] = [F64, F64];
    static TB32: [Ty; 2] = [B32, B32];
    static TB64: [Ty; 2] = [B64, B64];
    static TF64I: [Ty; 2] = [F64, B32];
    let mut v = Vec::new();
    macro_rules! f {
        ($($c:literal $n:literal),*) => {$(
            v.push(Entry::new(concat!("v_cmp_", $n, "_f32"), cmp_f32::<$c, false>, &TF32));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_f32"), cmp_f32::<$c, true>, &TF32));
            v.push(Entry::new(concat!("v_cmp_", $n, "_f16"), cmp_f16::<$c, false>, &TF16));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_f16"), cmp_f16::<$c, true>, &TF16));
            v.push(Entry::new(concat!("v_cmp_", $n, "_f64"), cmp_f64::<$c, false>, &TF64));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_f64"), cmp_f64::<$c, true>, &TF64));
        )*};
    }
    f!(0 "f", 1 "lt", 2 "eq", 3 "le", 4 "gt", 5 "lg", 6 "ge", 7 "o", 8 "u", 9 "nge", 10 "nlg",
       11 "ngt", 12 "nle", 13 "neq", 14 "nlt", 15 "tru");
    macro_rules! i {
        ($($c:literal $n:literal),*) => {$(
            v.push(Entry::new(concat!("v_cmp_", $n, "_i32"), cmp_i32::<$c, false>, &TB32));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_i32"), cmp_i32::<$c, true>, &TB32));
            v.push(Entry::new(concat!("v_cmp_", $n, "_u32"), cmp_u32::<$c, false>, &TB32));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_u32"), cmp_u32::<$c, true>, &TB32));
            v.push(Entry::new(concat!("v_cmp_", $n, "_i16"), cmp_i16::<$c, false>, &TB32));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_i16"), cmp_i16::<$c, true>, &TB32));
            v.push(Entry::new(concat!("v_cmp_", $n, "_u16"), cmp_u16::<$c, false>, &TB32));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_u16"), cmp_u16::<$c, true>, &TB32));
            v.push(Entry::new(concat!("v_cmp_", $n, "_i64"), cmp_i64::<$c, false>, &TB64));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_i64"), cmp_i64::<$c, true>, &TB64));
            v.push(Entry::new(concat!("v_cmp_", $n, "_u64"), cmp_u64::<$c, false>, &TB64));
            v.push(Entry::new(concat!("v_cmpx_", $n, "_u64"), cmp_u64::<$c, true>, &TB64));
        )*};
    }
    i!(0 "f", 1 "lt", 2 "eq", 3 "le", 4 "gt", 5 "ne", 6 "ge", 7 "t");
    v.push(Entry::new("v_cmp_class_f32", cmp_class_f32::<false>, &TF32));
    v.push(Entry::new("v_cmpx_class_f32", cmp_class_f32::<true>, &TF32));
    v.push(Entry::new("v_cmp_class_f16", cmp_class_f16::<false>, &TF16));
    v.push(Entry::new("v_cmpx_class_f16", cmp_class_f16::<true>, &TF16));
    v.push(Entry::new(
        "v_cmp_class_f64",
        cmp_class_f64::<false>,
        &TF64I,
    ));
    v.push(Entry::new(
        "v_cmpx_class_f64",
        cmp_class_f64::<true>,
        &TF64I,
    ));
    v
}

// ---------------------------------------------------------------- cross-lane

/// v_readfirstlane_b32 sdst, vsrc: first active lane (lane 0 when EXEC = 0).
fn v_readfirstlane_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    let exec = w.exec();
    let l = if exec == 0 {
        0
    } else {
        exec.trailing_zeros() as usize
    };
    let v = match u.src[0] {
        Opnd::V(r) => w.vreg(r)[l],
        o => w.sget(o),
    };
    w.sset(u.dst, v);
    Flow::Next
}
/// v_readlane_b32 sdst, vsrc, lane-select.
fn v_readlane_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    let l = w.sget(u.src[1]) as usize % w.n;
    let v = match u.src[0] {
        Opnd::V(r) => w.vreg(r)[l],
        o => w.sget(o),
    };
    w.sset(u.dst, v);
    Flow::Next
}
/// v_writelane_b32 vdst, ssrc, lane-select (ignores EXEC).
fn v_writelane_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    let l = w.sget(u.src[1]) as usize % w.n;
    let v = w.sget(u.src[0]);
    if let Opnd::V(d) = u.dst {
        w.vreg_mut(d)[l] = v;
    }
    Flow::Next
}
/// v_mbcnt_lo/hi_u32_b32: count of mask bits below this lane, plus src1.
fn v_mbcnt_lo_u32_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let m = w.sget(u.src[0]) as u64;
    let _ = vu32::<2>(w, e, u, |_, b, _| b);
    if let Opnd::V(d) = u.dst {
        let exec = w.exec();
        let n = w.n;
        let r = w.vreg_mut(d);
        for l in 0..n {
            if exec >> l & 1 != 0 {
                let below = if l >= 32 {
                    u32::MAX as u64
                } else {
                    (1u64 << l) - 1
                };
                r[l] = r[l].wrapping_add((m & below).count_ones());
            }
        }
    }
    Flow::Next
}
fn v_mbcnt_hi_u32_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let m = w.sget(u.src[0]) as u64;
    let _ = vu32::<2>(w, e, u, |_, b, _| b);
    if let Opnd::V(d) = u.dst {
        let exec = w.exec();
        let n = w.n;
        let r = w.vreg_mut(d);
        for l in 0..n {
            if exec >> l & 1 != 0 && l >= 32 {
                let below = (1u64 << (l - 32)) - 1;
                r[l] = r[l].wrapping_add((m & below).count_ones());
            }
        }
    }
    Flow::Next
}

/// v_movrels_b32 vdst, v[src + M0]; v_movreld_b32 v[dst + M0], src;
/// v_movrelsd_b32 v[dst + M0], v[src + M0].
fn movrel(w: &mut Wave, e: &mut Env, u: &Uop, rel_dst: bool, rel_src: bool) -> Flow {
    let m0 = w.s[124] as usize;
    let nreg = w.v.len() / LANES;
    let d = match u.dst {
        Opnd::V(d) => d as usize + if rel_dst { m0 } else { 0 },
        _ => return e.illegal(u, "destination is not a VGPR"),
    };
    let [a, ..] = &mut *e.t;
    match u.src[0] {
        Opnd::V(s) => {
            let s = s as usize + if rel_src { m0 } else { 0 };
            if s >= nreg {
                return e.illegal(u, "M0-relative VGPR out of range");
            }
            let n = w.n;
            a[..n].copy_from_slice(&w.vreg(s as u16)[..n]);
        }
        o => w.rd(o, a),
    }
    if d >= nreg {
        return e.illegal(u, "M0-relative VGPR out of range");
    }
    let m = w.exec();
    w.wr(d as u16, a, m);
    Flow::Next
}
fn v_movrels_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    movrel(w, e, u, false, true)
}
fn v_movreld_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    movrel(w, e, u, true, false)
}
fn v_movrelsd_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    movrel(w, e, u, true, true)
}
fn v_nop(_w: &mut Wave, _e: &mut Env, _u: &Uop) -> Flow {
    Flow::Next
}
/// v_swap_b32 vdst, vsrc.
fn v_swap_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    let (Opnd::V(a), Opnd::V(b)) = (u.dst, u.src[0]) else {
        return Flow::Next;
    };
    let exec = w.exec();
    for l in 0..w.n {
        if exec >> l & 1 != 0 {
            w.v.swap(a as usize * LANES + l, b as usize * LANES + l);
        }
    }
    Flow::Next
}

// ---------------------------------------------------------------- VOP3P

/// Reads packed source `i`: (lo, hi) halves chosen by op_sel / op_sel_hi, with
/// neg_lo (m.neg) / neg_hi (m.abs) applied when `float`.
#[inline(always)]
fn pk_fetch(w: &Wave, u: &Uop, i: usize, float: bool, lo: &mut Lanes, hi: &mut Lanes) {
    w.rd(u.src[i], lo);
    let bit = 1u8 << i;
    let (sl, sh) = (u.m.opsel & bit != 0, u.m.opsel_hi & bit != 0);
    for l in 0..w.n {
        let v = lo[l];
        let mut a = if sl { v >> 16 } else { v & 0xffff };
        let mut b = if sh { v >> 16 } else { v & 0xffff };
        if float {
            if u.m.neg & bit != 0 {
                a ^= 0x8000;
            }
            if u.m.abs & bit != 0 {
                b ^= 0x8000;
            }
        }
        lo[l] = a;
        hi[l] = b;
    }
}

#[inline(always)]
fn vpk<const N: usize>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
    float: bool,
    f: impl Fn(u32, u32, u32) -> u32,
) -> Flow {
    if float {
        if let Some(fl) = mode_guard(w, e, u, MODE_F16_F64) {
            return fl;
        }
    }
    let mut al = [0u32; LANES];
    let mut ah = [0u32; LANES];
    let mut bl = [0u32; LANES];
    let mut bh = [0u32; LANES];
    let mut cl = [0u32; LANES];
    let mut ch = [0u32; LANES];
    pk_fetch(w, u, 0, float, &mut al, &mut ah);
    if N > 1 {
        pk_fetch(w, u, 1, float, &mut bl, &mut bh);
    }
    if N > 2 {
        pk_fetch(w, u, 2, float, &mut cl, &mut ch);
    }
    let [.., r] = &mut *e.t;
    for l in 0..w.n {
        let mut lo = f(al[l], bl[l], cl[l]) & 0xffff;
        let mut hi = f(ah[l], bh[l], ch[l]) & 0xffff;
        if float && u.m.clamp {
            let c = |h: u32| {
                let v = f16_to_f32(h as u16);
                f32_to_f16(if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) }) as u32
            };
            lo = c(lo);
            hi = c(hi);
        }
        r[l] = lo | hi << 16;
    }
    let m = w.exec();
    put(w, u, r, m);
    Flow::Next
}

fn h2f(x: u32) -> f32 {
    f16_to_f32(x as u16)
}
fn f2h(x: f32) -> u32 {
    f32_to_f16(x) as u32
}

macro_rules! pk {
    ($tab:ident: $($name:ident / $n:literal / $fl:literal => |$a:ident, $b:ident, $c:ident| $body:expr;)*) => {
        $(#[multiversion::multiversion(targets("x86_64+avx2+fma", "aarch64+neon"))]
        fn $name(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
            #[allow(unused_variables)]
            vpk::<$n>(w, e, u, $fl, |$a: u32, $b: u32, $c: u32| $body)
        })*
        fn $tab() -> Vec<Entry> {
            static P: [Ty; 3] = [Pk16, Pk16, Pk16];
            vec![$(Entry::new(stringify!($name), $name, &P[..$n]),)*]
        }
    };
}
pk! { pk_table:
    v_pk_add_f16/2/true => |a, b, c| f2h(h2f(a) + h2f(b));
    v_pk_mul_f16/2/true => |a, b, c| f2h(h2f(a) * h2f(b));
    v_pk_fma_f16/3/true => |a, b, c| f32_to_f16(((h2f(a) as f64).mul_add(h2f(b) as f64, h2f(c) as f64)) as f32) as u32;
    v_pk_min_f16/2/true => |a, b, c| f2h(fmin(h2f(a), h2f(b)));
    v_pk_max_f16/2/true => |a, b, c| f2h(fmax(h2f(a), h2f(b)));
    v_pk_mul_lo_u16/2/false => |a, b, c| a.wrapping_mul(b);
    v_pk_mad_u16/3/false => |a, b, c| a.wrapping_mul(b).wrapping_add(c);
    v_pk_mad_i16/3/false => |a, b, c| a.wrapping_mul(b).wrapping_add(c);
    v_pk_lshlrev_b16/2/false => |a, b, c| b << (a & 15);
    v_pk_lshrrev_b16/2/false => |a, b, c| (b & 0xffff) >> (a & 15);
    v_pk_ashrrev_i16/2/false => |a, b, c| ((b as u16 as i16) >> (a & 15)) as u16 as u32;
    v_pk_max_u16/2/false => |a, b, c| a.max(b);
    v_pk_min_u16/2/false => |a, b, c| a.min(b);
    v_pk_max_i16/2/false => |a, b, c| (a as u16 as i16).max(b as u16 as i16) as u16 as u32;
    v_pk_min_i16/2/false => |a, b, c| (a as u16 as i16).min(b as u16 as i16) as u16 as u32;
}

/// Integer add/sub whose VOP3 `clamp` bit saturates instead of wrapping
/// (unsigned or signed per opcode): LLVM selects these for
/// uaddsat/usubsat/saddsat/ssubsat. 16-bit and packed operands arrive as
/// zero-extended halves; the templates mask the result.
macro_rules! sat_ops {
    ($tab:ident: $($name:ident = $tmpl:ident [$($fl:literal)?] $tag:literal => |$a:ident, $b:ident| $wrap:expr, clamp $sat:expr;)*) => {
        $(fn $name(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
            if u.m.clamp {
                $tmpl::<2>(w, e, u, $($fl,)? |$a: u32, $b: u32, _| $sat)
            } else {
                $tmpl::<2>(w, e, u, $($fl,)? |$a: u32, $b: u32, _| $wrap)
            }
        })*
        fn $tab() -> Vec<Entry> {
            static P: [Ty; 2] = [Pk16, Pk16];
            vec![$(Entry::new(stringify!($name), $name, if $tag == "pk" { &P[..] } else { srcs_of($tag, 2) }),)*]
        }
    };
}
fn u16s(a: u32) -> u16 {
    a as u16
}
fn i16s(a: u32) -> i16 {
    a as u16 as i16
}
sat_ops! { sat_table:
    v_add_nc_u32 = vu32 [] "u32" => |a, b| a.wrapping_add(b), clamp a.saturating_add(b);
    v_sub_nc_u32 = vu32 [] "u32" => |a, b| a.wrapping_sub(b), clamp a.saturating_sub(b);
    v_subrev_nc_u32 = vu32 [] "u32" => |a, b| b.wrapping_sub(a), clamp b.saturating_sub(a);
    v_add_nc_i32 = vu32 [] "u32" => |a, b| a.wrapping_add(b), clamp (a as i32).saturating_add(b as i32) as u32;
    v_sub_nc_i32 = vu32 [] "u32" => |a, b| a.wrapping_sub(b), clamp (a as i32).saturating_sub(b as i32) as u32;
    v_add_u16 = vu16 [] "f16" => |a, b| a.wrapping_add(b), clamp u16s(a).saturating_add(u16s(b)) as u32;
    v_sub_u16 = vu16 [] "f16" => |a, b| a.wrapping_sub(b), clamp u16s(a).saturating_sub(u16s(b)) as u32;
    v_subrev_u16 = vu16 [] "f16" => |a, b| b.wrapping_sub(a), clamp u16s(b).saturating_sub(u16s(a)) as u32;
    v_add_nc_u16 = vu16 [] "f16" => |a, b| a.wrapping_add(b), clamp u16s(a).saturating_add(u16s(b)) as u32;
    v_sub_nc_u16 = vu16 [] "f16" => |a, b| a.wrapping_sub(b), clamp u16s(a).saturating_sub(u16s(b)) as u32;
    v_add_nc_i16 = vu16 [] "f16" => |a, b| a.wrapping_add(b), clamp i16s(a).saturating_add(i16s(b)) as u16 as u32;
    v_sub_nc_i16 = vu16 [] "f16" => |a, b| a.wrapping_sub(b), clamp i16s(a).saturating_sub(i16s(b)) as u16 as u32;
    v_pk_add_u16 = vpk [false] "pk" => |a, b| a.wrapping_add(b), clamp u16s(a).saturating_add(u16s(b)) as u32;
    v_pk_sub_u16 = vpk [false] "pk" => |a, b| a.wrapping_sub(b), clamp u16s(a).saturating_sub(u16s(b)) as u32;
    v_pk_add_i16 = vpk [false] "pk" => |a, b| a.wrapping_add(b), clamp i16s(a).saturating_add(i16s(b)) as u16 as u32;
    v_pk_sub_i16 = vpk [false] "pk" => |a, b| a.wrapping_sub(b), clamp i16s(a).saturating_sub(i16s(b)) as u16 as u32;
}

/// v_fma_mix*: each source is f32 (op_sel_hi bit clear) or an f16 half
/// (op_sel_hi set; op_sel picks the high half); neg/abs as VOP3.
fn mix(w: &mut Wave, e: &mut Env, u: &Uop, out: u8) -> Flow {
    if let Some(fl) = mode_guard(w, e, u, MODE_F32 | MODE_F16_F64) {
        return fl;
    }
    let [a, b, c, r] = &mut *e.t;
    let bufs: [&mut Lanes; 3] = [a, b, c];
    let n = w.n;
    let mut vals = [[0f32; LANES]; 3];
    for (i, buf) in bufs.into_iter().enumerate() {
        w.rd(u.src[i], buf);
        let bit = 1u8 << i;
        for l in 0..n {
            let mut v = if u.m.opsel_hi & bit != 0 {
                let h = if u.m.opsel & bit != 0 {
                    buf[l] >> 16
                } else {
                    buf[l]
                };
                f16_to_f32(h as u16)
            } else {
                f32::from_bits(buf[l])
            };
            if u.m.abs & bit != 0 {
                v = v.abs();
            }
            if u.m.neg & bit != 0 {
                v = -v;
            }
            vals[i][l] = v;
        }
    }
    let old = match u.dst {
        Opnd::V(d) => Some(d),
        _ => None,
    };
    for l in 0..n {
        let mut v = vals[0][l].mul_add(vals[1][l], vals[2][l]);
        if u.m.clamp {
            v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        }
        let prev = old.map_or(0, |d| w.vreg(d)[l]);
        r[l] = match out {
            0 => v.to_bits(),
            1 => (prev & 0xffff_0000) | f32_to_f16(v) as u32,
            _ => (prev & 0xffff) | (f32_to_f16(v) as u32) << 16,
        };
    }
    let m = w.exec();
    put(w, u, r, m);
    Flow::Next
}
fn v_fma_mix_f32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    mix(w, e, u, 0)
}
fn v_fma_mixlo_f16(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    mix(w, e, u, 1)
}
fn v_fma_mixhi_f16(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    mix(w, e, u, 2)
}

/// True when the handler of `name` implements the VOP3/VOP3P/SDWA `clamp` bit:
/// float results clamp to [0, 1] (DX10_CLAMP), the saturating integer add/sub
/// and the carry adds saturate. The pre-decoder turns every other VALU
/// instruction with clamp set into an `Unimplemented` uop (e.g.
/// `v_mad_u32_u24 … clamp`, `v_add3_u32 … clamp`, `v_mad_u64_u32 … clamp`),
/// so it fails with its PC and text instead of wrapping silently.
pub fn honours_clamp(name: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut s: HashSet<&'static str> = [
            f32_table(),
            f16_table(),
            f64_table(),
            mad32_table(),
            mad16_table(),
            sat_table(),
        ]
        .iter()
        .flatten()
        .map(|e| e.name)
        .collect();
        s.extend([
            "v_fmac_f32",
            "v_mac_f32",
            "v_fmac_legacy_f32",
            "v_mac_legacy_f32",
            "v_fmac_f16",
            "v_mac_f16",
            "v_fmac_f64",
            "v_fmamk_f32",
            "v_fmaak_f32",
            "v_madmk_f32",
            "v_madak_f32",
            "v_fmamk_f16",
            "v_fmaak_f16",
            "v_add_co_u32",
            "v_sub_co_u32",
            "v_subrev_co_u32",
            "v_add_co_ci_u32",
            "v_sub_co_ci_u32",
            "v_subrev_co_ci_u32",
            "v_cvt_f16_f32",
            "v_cvt_f32_f64",
            "v_div_fmas_f32",
            "v_fma_mix_f32",
            "v_fma_mixlo_f16",
            "v_fma_mixhi_f16",
            "v_pk_add_f16",
            "v_pk_mul_f16",
            "v_pk_fma_f16",
            "v_pk_min_f16",
            "v_pk_max_f16",
        ]);
        s
    })
    .contains(name)
}

/// The VALU table.
pub fn table() -> Vec<Entry> {
    static F3: [Ty; 3] = [F32, F32, F32];
    static H3: [Ty; 3] = [F16, F16, F16];
    static D3: [Ty; 3] = [F64, F64, F64];
    static B3: [Ty; 3] = [B32, B32, B32];
    static B2M: [Ty; 3] = [B32, B32, B64];
    static SH64: [Ty; 2] = [B32, B64];
    static DI: [Ty; 2] = [F64, B32];
    static D1: [Ty; 1] = [F64];
    static F1: [Ty; 1] = [F32];
    static I1: [Ty; 1] = [B32];
    static MIX: [Ty; 3] = [Pk16, Pk16, Pk16];
    let mut v = Vec::new();
    v.extend(f32_table());
    v.extend(f16_table());
    v.extend(f64_table());
    v.extend(u32_table());
    v.extend(u16_table());
    v.extend(cmp_table());
    v.extend(pk_table());
    v.extend(sat_table());
    v.extend(mad32_table());
    v.extend(ldexp32_table());
    v.extend(mad16_table());
    v.extend(fi32_table());
    v.extend(fh32_table());
    v.extend(r32_table());
    v.extend(g32_table());
    v.extend(g16_table());
    let special: &[(&'static str, super::ir::Handler, &'static [Ty])] = &[
        ("v_fmac_f32", v_fmac_f32, &F3[..2]),
        ("v_mac_f32", v_mac_f32, &F3[..2]),
        ("v_fmac_legacy_f32", v_fmac_legacy_f32, &F3[..2]),
        ("v_mac_legacy_f32", v_mac_legacy_f32, &F3[..2]),
        ("v_fmac_f16", v_fmac_f16, &H3[..2]),
        ("v_mac_f16", v_mac_f16, &H3[..2]),
        ("v_fmac_f64", v_fmac_f64, &D3[..2]),
        ("v_fmamk_f32", v_fmamk_f32, &F3),
        ("v_fmaak_f32", v_fmamk_f32, &F3),
        ("v_madmk_f32", v_madmk_f32, &F3),
        ("v_madak_f32", v_madmk_f32, &F3),
        ("v_fmamk_f16", v_fmamk_f16, &H3),
        ("v_fmaak_f16", v_fmamk_f16, &H3),
        ("v_cndmask_b32", v_cndmask_b32, &B3[..2]),
        ("v_add_co_u32", v_add_co_u32, &B3[..2]),
        ("v_sub_co_u32", v_sub_co_u32, &B3[..2]),
        ("v_subrev_co_u32", v_subrev_co_u32, &B3[..2]),
        ("v_add_co_ci_u32", v_add_co_ci_u32, &B3[..2]),
        ("v_sub_co_ci_u32", v_sub_co_ci_u32, &B3[..2]),
        ("v_subrev_co_ci_u32", v_subrev_co_ci_u32, &B3[..2]),
        ("v_mad_u64_u32", v_mad_u64_u32, &B2M),
        ("v_mad_i64_i32", v_mad_i64_i32, &B2M),
        ("v_lshlrev_b64", v_lshlrev_b64, &SH64),
        ("v_lshrrev_b64", v_lshrrev_b64, &SH64),
        ("v_ashrrev_i64", v_ashrrev_i64, &SH64),
        ("v_ldexp_f64", v_ldexp_f64, &DI),
        ("v_trig_preop_f64", v_trig_preop_f64, &DI),
        ("v_cvt_f64_f32", v_cvt_f64_f32, &F1),
        ("v_cvt_f64_i32", v_cvt_f64_i32, &I1),
        ("v_cvt_f64_u32", v_cvt_f64_u32, &I1),
        ("v_cvt_f32_f64", v_cvt_f32_f64, &D1),
        ("v_cvt_i32_f64", v_cvt_i32_f64, &D1),
        ("v_cvt_u32_f64", v_cvt_u32_f64, &D1),
        ("v_frexp_exp_i32_f64", v_frexp_exp_i32_f64, &D1),
        ("v_div_scale_f32", v_div_scale_f32, &F3),
        ("v_div_scale_f64", v_div_scale_f64, &D3),
        ("v_div_fmas_f32", v_div_fmas_f32, &F3),
        ("v_div_fmas_f64", v_div_fmas_f64, &D3),
        ("v_readfirstlane_b32", v_readfirstlane_b32, &I1),
        ("v_readlane_b32", v_readlane_b32, &B3[..2]),
        ("v_writelane_b32", v_writelane_b32, &B3[..2]),
        ("v_mbcnt_lo_u32_b32", v_mbcnt_lo_u32_b32, &B3[..2]),
        ("v_mbcnt_hi_u32_b32", v_mbcnt_hi_u32_b32, &B3[..2]),
        ("v_movrels_b32", v_movrels_b32, &I1),
        ("v_movreld_b32", v_movreld_b32, &I1),
        ("v_movrelsd_b32", v_movrelsd_b32, &I1),
        ("v_movrelsd_2_b32", v_movrelsd_b32, &I1),
        ("v_nop", v_nop, &[]),
        ("v_swap_b32", v_swap_b32, &I1),
        ("v_fma_mix_f32", v_fma_mix_f32, &MIX),
        ("v_cvt_f16_f32", v_cvt_f16_f32, &F1),
        ("v_fma_mixlo_f16", v_fma_mixlo_f16, &MIX),
        ("v_fma_mixhi_f16", v_fma_mixhi_f16, &MIX),
    ];
    v.extend(special.iter().map(|&(n, f, t)| Entry::new(n, f, t)));
    v
}
