//! FLOAT_MODE / MODE handling: denormal flushing per FP_DENORM (from
//! COMPUTE_PGM_RSRC1 and from `s_denorm_mode` / `s_setreg`), round modes the
//! executor does not model failing as `Unimplemented`, and VOP3 integer clamp
//! forms it does not model failing the same way.

mod exec_support;

use exec_support::*;
use sim::exec::{ExecError, Target};

const G1010: Target = Target::Gfx1010;

fn ftz(x: f32) -> f32 {
    if x.is_subnormal() {
        0.0f32.copysign(x)
    } else {
        x
    }
}

/// Normal and denormal inputs, chosen so sums, products and differences
/// produce denormal results from normal inputs too.
fn inputs() -> Vec<f32> {
    let d = f32::from_bits(0x0040_0000); // 2^-127, denormal
    let tiny = f32::MIN_POSITIVE; // 2^-126
    let p = [
        (d, 0.0),
        (-d, d),
        (d, 1.0),
        (1.5 * tiny, -tiny),
        (1e-20, 1e-20),
        (-3e-39, 2.0),
        (tiny, -0.75 * tiny),
        (2.5, -1.0),
        (-d, -d),
        (f32::from_bits(1), 3.0),
        (1.0, f32::from_bits(0x8000_0001)),
        (tiny, tiny),
        (0.0, -d),
        (1e30, 1e-30),
        (-7.0, 7.0),
        (0.5 * tiny, 0.25 * tiny),
    ];
    p.iter().flat_map(|&(a, b)| [a, b]).collect()
}

const OPS: &str =
    "__kernel void ops(__global const float *in, __global float *o, __global int *c) {
    uint i = LID(x);
    float a = in[2 * i], b = in[2 * i + 1];
    o[4 * i + 0] = a + b;
    o[4 * i + 1] = a * b;
    o[4 * i + 2] = fmin(a, b);
    o[4 * i + 3] = a - b;
    c[i] = a < b; }";

fn run_ops(flags: &[&str]) -> Option<(Vec<f32>, Vec<f32>, Vec<u32>)> {
    let h = compile_with(OPS, "gfx1010", false, flags)?;
    let x = inputs();
    let n = x.len() / 2;
    let mut gpu = Gpu::new();
    let (vi, vo, vc) = (gpu.f32s(&x), gpu.zeros(4 * n * 4), gpu.zeros(4 * n));
    run(
        &mut gpu,
        &h,
        "ops",
        G1010,
        [1, 1, 1],
        [n as u32, 1, 1],
        &[ptr(vi), ptr(vo), ptr(vc)],
    )
    .unwrap();
    Some((x, gpu.read_f32(vo), gpu.read_u32(vc)))
}

fn check_ops(flush: bool, x: &[f32], o: &[f32], c: &[u32]) {
    let q = |v: f32| if flush { ftz(v) } else { v };
    for i in 0..x.len() / 2 {
        let (a, b) = (q(x[2 * i]), q(x[2 * i + 1]));
        let want = [q(a + b), q(a * b), q(a.min(b)), q(a - b)];
        for k in 0..4 {
            assert_eq!(
                o[4 * i + k].to_bits(),
                want[k].to_bits(),
                "flush={flush} lane {i} op {k}: {:e} {:e} -> {:e}, want {:e}",
                x[2 * i],
                x[2 * i + 1],
                o[4 * i + k],
                want[k]
            );
        }
        assert_eq!(c[i], (a < b) as u32, "flush={flush} lane {i} compare");
    }
}

/// Default clang mode (FLOAT_MODE 0xF0): denormal inputs and results are kept.
#[test]
fn default_mode_keeps_denormals() {
    let Some((x, o, c)) = run_ops(&[]) else {
        return;
    };
    check_ops(false, &x, &o, &c);
    // The inputs really do exercise denormals.
    assert!(o.iter().any(|v| v.is_subnormal()));
}

/// `-cl-denorms-are-zero` sets FLOAT_MODE f32 denorm = 0 (flush in and out):
/// add/mul/min/sub and the compare see denormal inputs as ±0 and denormal
/// results become ±0 (sign kept).
#[test]
fn denorms_are_zero_flushes_f32() {
    let Some((x, o, c)) = run_ops(&["-cl-denorms-are-zero"]) else {
        return;
    };
    check_ops(true, &x, &o, &c);
    assert!(!o.iter().any(|v| v.is_subnormal()));
}

/// `s_denorm_mode` inside the kernel: each FP_DENORM f32 setting (0..=3) on
/// the same v_add_f32 / v_mul_f32; bit 0 keeps input denormals, bit 1 results.
#[test]
fn s_denorm_mode_switches_f32_flushing() {
    let src = "__kernel void dm(__global const float *in, __global float *o) {
        uint i = LID(x);
        float a = in[2 * i], b = in[2 * i + 1], r0, r1, r2, r3, m0;
        __asm__ volatile(\"s_denorm_mode 0xc\\n v_add_f32 %0, %1, %2\\n s_denorm_mode 0xf\" : \"=v\"(r0) : \"v\"(a), \"v\"(b));
        __asm__ volatile(\"s_denorm_mode 0xd\\n v_add_f32 %0, %1, %2\\n s_denorm_mode 0xf\" : \"=v\"(r1) : \"v\"(a), \"v\"(b));
        __asm__ volatile(\"s_denorm_mode 0xe\\n v_add_f32 %0, %1, %2\\n s_denorm_mode 0xf\" : \"=v\"(r2) : \"v\"(a), \"v\"(b));
        __asm__ volatile(\"s_denorm_mode 0xf\\n v_add_f32 %0, %1, %2\" : \"=v\"(r3) : \"v\"(a), \"v\"(b));
        __asm__ volatile(\"s_denorm_mode 0xc\\n v_mul_f32 %0, %1, %2\\n s_denorm_mode 0xf\" : \"=v\"(m0) : \"v\"(a), \"v\"(b));
        o[5 * i] = r0; o[5 * i + 1] = r1; o[5 * i + 2] = r2; o[5 * i + 3] = r3; o[5 * i + 4] = m0; }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let x = inputs();
    let n = x.len() / 2;
    let mut gpu = Gpu::new();
    let (vi, vo) = (gpu.f32s(&x), gpu.zeros(5 * n * 4));
    run(
        &mut gpu,
        &h,
        "dm",
        G1010,
        [1, 1, 1],
        [n as u32, 1, 1],
        &[ptr(vi), ptr(vo)],
    )
    .unwrap();
    let o = gpu.read_f32(vo);
    for i in 0..n {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        for m in 0..4u32 {
            let fi = |v: f32| if m & 1 == 0 { ftz(v) } else { v };
            let fo = |v: f32| if m & 2 == 0 { ftz(v) } else { v };
            let want = fo(fi(a) + fi(b));
            assert_eq!(
                o[5 * i + m as usize].to_bits(),
                want.to_bits(),
                "lane {i} mode {m}: {a:e} + {b:e}"
            );
        }
        assert_eq!(
            o[5 * i + 4].to_bits(),
            ftz(ftz(a) * ftz(b)).to_bits(),
            "lane {i} mul"
        );
    }
}

/// f64 and f16 denormals follow the FP_DENORM f16/f64 field (MODE bits 7:6),
/// set with `__builtin_amdgcn_s_setreg` (the compiler keeps the f64 add after
/// it: FP instructions read MODE) and with `s_setreg_imm32_b32` in inline asm.
#[test]
fn setreg_flushes_f64_and_f16() {
    let src = "__kernel void d(__global const double *in, __global double *o, __global const ushort *hi, __global ushort *ho) {
        uint i = LID(x);
        double a = in[2 * i], b = in[2 * i + 1], k;
        ushort ha = hi[2 * i], hb = hi[2 * i + 1], hr;
        __asm__ volatile(\"s_setreg_imm32_b32 hwreg(HW_REG_MODE, 6, 2), 3\\n v_add_f64 %0, %1, %2\" : \"=v\"(k) : \"v\"(a), \"v\"(b));
        __asm__ volatile(\"s_setreg_imm32_b32 hwreg(HW_REG_MODE, 6, 2), 0\\n v_add_f16 %0, %1, %2\\n s_setreg_imm32_b32 hwreg(HW_REG_MODE, 6, 2), 3\" : \"=v\"(hr) : \"v\"(ha), \"v\"(hb));
        o[2 * i + 1] = k; ho[i] = hr;
        __builtin_amdgcn_s_setreg(1 | (6 << 6) | (1 << 11), 0);
        o[2 * i] = a + b; }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let dd = f64::from_bits(0x0008_0000_0000_0000); // 2^-1023
    let tiny = f64::MIN_POSITIVE;
    let x = [dd, 0.0, 1.5 * tiny, -tiny, -dd, 1.0, 2.0, 3.0];
    // f16: 0x0200 is a denormal, 0x0400 the smallest normal.
    let hx: [u16; 8] = [
        0x0200, 0x0000, 0x0600, 0x8400, 0x8001, 0x3c00, 0x4000, 0x4200,
    ];
    // denormal + 0 → 0 (input flushed); 1.5·2^-14 − 2^-14 = 2^-15, a denormal
    // result → 0; −denormal + 1 → 1; 2 + 3 = 5.
    let hwant: [u16; 4] = [0x0000, 0x0000, 0x3c00, 0x4500];
    let n = x.len() / 2;
    let mut gpu = Gpu::new();
    let vi = gpu.buffer(x.iter().flat_map(|v| v.to_le_bytes()).collect());
    let vo = gpu.zeros(2 * n * 8);
    let hi = gpu.buffer(hx.iter().flat_map(|v| v.to_le_bytes()).collect());
    let ho = gpu.zeros(2 * n);
    run(
        &mut gpu,
        &h,
        "d",
        G1010,
        [1, 1, 1],
        [n as u32, 1, 1],
        &[ptr(vi), ptr(vo), ptr(hi), ptr(ho)],
    )
    .unwrap();
    let o = gpu.read_f64(vo);
    let hb = gpu.read_bytes(ho);
    let f = |v: f64| {
        if v.is_subnormal() {
            0.0f64.copysign(v)
        } else {
            v
        }
    };
    for i in 0..n {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        assert_eq!(
            o[2 * i].to_bits(),
            f(f(a) + f(b)).to_bits(),
            "f64 flush lane {i}"
        );
        assert_eq!(
            o[2 * i + 1].to_bits(),
            (a + b).to_bits(),
            "f64 keep lane {i}"
        );
        let got = u16::from_le_bytes([hb[2 * i], hb[2 * i + 1]]);
        assert_eq!(got, hwant[i], "f16 flush lane {i}");
    }
    // The inputs exercise both kinds of flush.
    assert!((x[0] + x[1]).is_subnormal() && (x[2] + x[3]).is_subnormal());
}

/// A round mode other than nearest-even is not modelled: the first f32
/// instruction under it fails with `Unimplemented`, naming PC and text.
#[test]
fn round_mode_is_unimplemented_not_wrong() {
    let src = "__kernel void rm(__global float *o) {
        uint i = LID(x);
        float a = o[i], r;
        __asm__ volatile(\"s_round_mode 0x3\\n v_add_f32 %0, %1, 1.0\\n s_round_mode 0x0\" : \"=v\"(r) : \"v\"(a));
        o[i] = r; }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let mut gpu = Gpu::new();
    let vo = gpu.f32s(&[1.0; 32]);
    let e = run(&mut gpu, &h, "rm", G1010, [1, 1, 1], [32, 1, 1], &[ptr(vo)]).unwrap_err();
    match e {
        ExecError::Unimplemented { pc, text } => {
            assert!(text.starts_with("v_add_f32"), "{text}");
            assert!(text.contains("round mode"), "{text}");
            assert!(pc > CODE_VA, "{pc:#x}");
        }
        e => panic!("want Unimplemented, got {e}"),
    }
}

/// VOP3 integer instructions whose clamp (saturation) the executor does not
/// model fail when executed instead of computing the wrapped value. (LLVM's
/// gfx10 assembler rejects clamp on v_add3_u32 / v_add_lshl_u32 /
/// v_lshl_add_u32; the pre-decoder treats a decoded clamp bit on those the same.)
#[test]
fn unmodelled_integer_clamp_is_unimplemented() {
    for (asm, name) in [
        ("v_mad_u32_u24 %0, %1, %1, %1 clamp", "v_mad_u32_u24"),
        ("v_mad_i32_i24 %0, %1, %1, %1 clamp", "v_mad_i32_i24"),
        ("v_mad_u32_u16 %0, %1, %1, %1 clamp", "v_mad_u32_u16"),
        ("v_sad_u32 %0, %1, %1, %1 clamp", "v_sad_u32"),
        ("v_pk_mad_u16 %0, %1, %1, %1 clamp", "v_pk_mad_u16"),
    ] {
        let src = format!(
            "__kernel void cl(__global uint *o) {{
            uint i = LID(x), a = o[i], r;
            __asm__ volatile(\"{asm}\" : \"=v\"(r) : \"v\"(a));
            o[i] = r; }}"
        );
        let Some(h) = compile(&src, "gfx1010", false) else {
            return;
        };
        let mut gpu = Gpu::new();
        let vo = gpu.u32s(&[u32::MAX; 32]);
        let e = run(&mut gpu, &h, "cl", G1010, [1, 1, 1], [32, 1, 1], &[ptr(vo)]).unwrap_err();
        match e {
            ExecError::Unimplemented { text, .. } => {
                assert!(text.starts_with(name) && text.contains("clamp"), "{text}");
            }
            e => panic!("{name}: want Unimplemented, got {e}"),
        }
    }
}

/// Division, sqrt, int<->float conversions and ldexp under
/// `-cl-denorms-are-zero`, with and without correctly-rounded division (the
/// latter runs v_div_scale / v_div_fmas with `s_denorm_mode` switches around
/// the FMA chain). Normal operands: results equal the host's.
#[test]
fn denorms_are_zero_division_and_conversions() {
    let src = "__kernel void dv(__global float *a, __global const float *b) {
        uint i = LID(x);
        a[i] = a[i] / b[i] + (float)(int)a[i] + __builtin_ldexpf(b[i], -140); }";
    for flags in [
        &["-cl-denorms-are-zero"][..],
        &[
            "-cl-denorms-are-zero",
            "-cl-fp32-correctly-rounded-divide-sqrt",
        ][..],
    ] {
        let Some(h) = compile_with(src, "gfx1010", false, flags) else {
            return;
        };
        let n = 32;
        let x: Vec<f32> = (0..n).map(|i| 1.0 + i as f32 * 3.25).collect();
        let y: Vec<f32> = (0..n).map(|i| 0.5 + i as f32 * 0.75).collect();
        let mut gpu = Gpu::new();
        let (va, vb) = (gpu.f32s(&x), gpu.f32s(&y));
        run(
            &mut gpu,
            &h,
            "dv",
            G1010,
            [1, 1, 1],
            [n as u32, 1, 1],
            &[ptr(va), ptr(vb)],
        )
        .unwrap();
        let o = gpu.read_f32(va);
        for i in 0..n {
            // ldexp(b, -140) is a denormal for these b: flushed to +0.
            let want = x[i] / y[i] + (x[i] as i32) as f32;
            let tol = if flags.len() == 2 {
                0.0
            } else {
                want.abs() * 3e-7
            };
            assert!(
                (o[i] - want).abs() <= tol,
                "{flags:?} lane {i}: {} want {want}",
                o[i]
            );
        }
    }
}
