//! End-to-end executor tests: OpenCL C compiled by clang-19, run on the
//! executor, checked against a CPU reference.

mod exec_support;

use exec_support::*;
use loader::ArgValue;
use sim::exec::Target;

const G1010: Target = Target::Gfx1010;

fn lcg(seed: &mut u64) -> u32 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 33) as u32
}
fn randf(seed: &mut u64) -> f32 {
    (lcg(seed) % 20001) as f32 / 1000.0 - 10.0
}

#[test]
fn vector_add_wave32_and_wave64() {
    let src = "__kernel void vadd(__global const float* a, __global const float* b, __global float* c, uint n) {
        uint i = GID(x); if (i < n) c[i] = a[i] + b[i]; }";
    for wave64 in [false, true] {
        let Some(h) = compile(src, "gfx1010", wave64) else {
            return;
        };
        let n = 1000u32;
        let mut s = 1;
        let a: Vec<f32> = (0..n).map(|_| randf(&mut s)).collect();
        let b: Vec<f32> = (0..n).map(|_| randf(&mut s)).collect();
        let mut gpu = Gpu::new();
        let (va, vb, vc) = (gpu.f32s(&a), gpu.f32s(&b), gpu.zeros(4 * n as usize));
        let c = run(
            &mut gpu,
            &h,
            "vadd",
            G1010,
            [16, 1, 1],
            [64, 1, 1],
            &[ptr(va), ptr(vb), ptr(vc), ArgValue::u32(n)],
        )
        .unwrap();
        let out = gpu.read_f32(vc);
        for i in 0..n as usize {
            assert_eq!(out[i], a[i] + b[i], "i={i} wave64={wave64}");
        }
        assert_eq!(c.waves, if wave64 { 16 } else { 32 });
        assert_eq!(c.global_bytes_written, 4 * n as u64);
        assert!(c.valu_utilisation() > 0.5);
    }
}

#[test]
fn saxpy_gfx1030() {
    let src = "__kernel void saxpy(float a, __global const float* x, __global float* y, uint n) {
        uint i = GID(x); if (i < n) y[i] = a * x[i] + y[i]; }";
    let Some(h) = compile(src, "gfx1030", false) else {
        return;
    };
    let n = 777u32;
    let mut s = 7;
    let x: Vec<f32> = (0..n).map(|_| randf(&mut s)).collect();
    let y: Vec<f32> = (0..n).map(|_| randf(&mut s)).collect();
    let mut gpu = Gpu::new();
    let (vx, vy) = (gpu.f32s(&x), gpu.f32s(&y));
    run(
        &mut gpu,
        &h,
        "saxpy",
        Target::Gfx1030,
        [13, 1, 1],
        [64, 1, 1],
        &[ArgValue::f32(2.5), ptr(vx), ptr(vy), ArgValue::u32(n)],
    )
    .unwrap();
    let out = gpu.read_f32(vy);
    for i in 0..n as usize {
        assert_eq!(out[i], 2.5f32.mul_add(x[i], y[i]), "i={i}");
    }
}

#[test]
fn lds_tree_reduction_with_barriers_and_atomic() {
    let src = "__kernel void red(__global const float* a, __global float* partial, __global int* total, __local float* tmp) {
        uint l = LID(x); uint g = GID(x);
        tmp[l] = a[g]; BARRIER();
        for (uint s = WGSIZE(x) / 2; s > 0; s >>= 1) { if (l < s) tmp[l] += tmp[l + s]; BARRIER(); }
        if (l == 0) { partial[WGID(x)] = tmp[0]; __atomic_fetch_add(total, (int)tmp[0], __ATOMIC_RELAXED); } }";
    for wave64 in [false, true] {
        let Some(h) = compile(src, "gfx1010", wave64) else {
            return;
        };
        let groups = 8u32;
        let block = 256u32;
        let a: Vec<f32> = (0..groups * block).map(|i| (i % 17) as f32).collect();
        let mut gpu = Gpu::new();
        let va = gpu.f32s(&a);
        let vp = gpu.zeros(4 * groups as usize);
        let vt = gpu.zeros(4);
        let c = run(
            &mut gpu,
            &h,
            "red",
            G1010,
            [groups, 1, 1],
            [block, 1, 1],
            &[ptr(va), ptr(vp), ptr(vt), ArgValue::DynamicLds(4 * block)],
        )
        .unwrap();
        let p = gpu.read_f32(vp);
        let mut total = 0i32;
        for gi in 0..groups as usize {
            let want: f32 = a[gi * block as usize..(gi + 1) * block as usize]
                .iter()
                .sum();
            assert_eq!(p[gi], want, "group {gi}");
            total += want as i32;
        }
        assert_eq!(gpu.read_u32(vt)[0] as i32, total);
        assert!(c.barriers > 0 && c.lds_ops > 0);
    }
}

#[test]
fn atomics_returning_and_cas() {
    let src = "__kernel void at(__global uint* ctr, __global uint* slots, __global uint* maxv, __global uint* cas) {
        uint g = GID(x);
        uint old = __atomic_fetch_add(ctr, 1u, __ATOMIC_RELAXED);
        slots[old] = g;
        __atomic_fetch_max(maxv, g * 3u, __ATOMIC_RELAXED);
        uint e = 0; while (!__atomic_compare_exchange_n(cas, &e, e + g, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {} }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let n = 192u32;
    let mut gpu = Gpu::new();
    let vc = gpu.zeros(4);
    let vs = gpu.zeros(4 * n as usize);
    let vm = gpu.zeros(4);
    let vcas = gpu.zeros(4);
    run(
        &mut gpu,
        &h,
        "at",
        G1010,
        [3, 1, 1],
        [64, 1, 1],
        &[ptr(vc), ptr(vs), ptr(vm), ptr(vcas)],
    )
    .unwrap();
    assert_eq!(gpu.read_u32(vc)[0], n);
    let mut slots = gpu.read_u32(vs);
    slots.sort();
    assert_eq!(slots, (0..n).collect::<Vec<_>>());
    assert_eq!(gpu.read_u32(vm)[0], (n - 1) * 3);
    assert_eq!(gpu.read_u32(vcas)[0], (0..n).sum::<u32>());
}

#[test]
fn f64_and_f16_math() {
    let src = "#pragma OPENCL EXTENSION cl_khr_fp16 : enable
    __kernel void m(__global const double* a, __global double* o, __global const half* h, __global half* ho, __global float* fo) {
        uint i = GID(x);
        double x = a[i];
        o[i] = x * x + 1.5 / (x + 3.0) - __builtin_sqrt(__builtin_fabs(x));
        half y = h[i];
        ho[i] = y * y + (half)0.5;
        fo[i] = (float)y * 2.0f / ((float)i + 1.0f); }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let n = 64usize;
    let a: Vec<f64> = (0..n).map(|i| i as f64 * 0.37 - 5.0).collect();
    let hv: Vec<u16> = (0..n).map(|i| half_bits(i as f32 * 0.25 - 4.0)).collect();
    let mut gpu = Gpu::new();
    let va = gpu.buffer(a.iter().flat_map(|x| x.to_le_bytes()).collect());
    let vo = gpu.zeros(8 * n);
    let vh = gpu.buffer(hv.iter().flat_map(|x| x.to_le_bytes()).collect());
    let vho = gpu.zeros(2 * n);
    let vfo = gpu.zeros(4 * n);
    run(
        &mut gpu,
        &h,
        "m",
        G1010,
        [1, 1, 1],
        [64, 1, 1],
        &[ptr(va), ptr(vo), ptr(vh), ptr(vho), ptr(vfo)],
    )
    .unwrap();
    let o = gpu.read_f64(vo);
    for i in 0..n {
        let x = a[i];
        let want = x * x + 1.5 / (x + 3.0) - x.abs().sqrt();
        assert!(
            (o[i] - want).abs() <= 1e-12 * want.abs().max(1.0),
            "i={i}: {} vs {want}",
            o[i]
        );
    }
    let ho = gpu.read_bytes(vho);
    let fo = gpu.read_f32(vfo);
    for i in 0..n {
        let y = i as f32 * 0.25 - 4.0;
        let got = f16_val(u16::from_le_bytes([ho[2 * i], ho[2 * i + 1]]));
        let want = y * y + 0.5;
        assert!(
            (got - want).abs() <= want.abs() * 1e-3 + 1e-3,
            "i={i}: {got} vs {want}"
        );
        let wf = y * 2.0 / (i as f32 + 1.0);
        assert!(
            (fo[i] - wf).abs() <= wf.abs() * 1e-6,
            "i={i}: {} vs {wf}",
            fo[i]
        );
    }
}

/// f32 → f16 bits (values here are exact in f16).
fn half_bits(f: f32) -> u16 {
    let b = f.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    if f == 0.0 {
        return sign;
    }
    let e = ((b >> 23) & 0xff) as i32 - 127 + 15;
    sign | ((e as u16) << 10) | ((b >> 13) & 0x3ff) as u16
}
fn f16_val(h: u16) -> f32 {
    let s = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = ((h >> 10) & 0x1f) as i32;
    let m = (h & 0x3ff) as f32;
    if e == 0 {
        return s * m * 2f32.powi(-24);
    }
    s * (1.0 + m / 1024.0) * 2f32.powi(e - 15)
}

#[test]
fn control_flow_and_integer_math() {
    let src = "__kernel void cf(__global const int* a, __global int* o, __global ulong* o64) {
        uint i = GID(x); int v = a[i]; int r = 0;
        for (int k = 0; k < (v & 15); k++) { if (k % 3 == 0) r += k * v; else r ^= k << 2; }
        if (v < 0) r = -r / 7; else r = r % 1000;
        o[i] = r;
        ulong w = (ulong)(uint)v * 0x9E3779B97F4A7C15ul; o64[i] = (w >> 13) ^ (w << 7) ^ ((ulong)i / 3); }";
    for wave64 in [false, true] {
        let Some(h) = compile(src, "gfx1010", wave64) else {
            return;
        };
        let n = 256usize;
        let mut s = 3;
        let a: Vec<i32> = (0..n).map(|_| lcg(&mut s) as i32 >> 8).collect();
        let mut gpu = Gpu::new();
        let va = gpu.u32s(&a.iter().map(|x| *x as u32).collect::<Vec<_>>());
        let vo = gpu.zeros(4 * n);
        let vo64 = gpu.zeros(8 * n);
        run(
            &mut gpu,
            &h,
            "cf",
            G1010,
            [4, 1, 1],
            [64, 1, 1],
            &[ptr(va), ptr(vo), ptr(vo64)],
        )
        .unwrap();
        let o = gpu.read_u32(vo);
        let o64: Vec<u64> = gpu
            .read_bytes(vo64)
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        for i in 0..n {
            let v = a[i];
            let mut r: i32 = 0;
            for k in 0..(v & 15) {
                if k % 3 == 0 {
                    r = r.wrapping_add(k.wrapping_mul(v));
                } else {
                    r ^= k << 2;
                }
            }
            r = if v < 0 { -r / 7 } else { r % 1000 };
            assert_eq!(o[i] as i32, r, "i={i} v={v}");
            let w = (v as u32 as u64).wrapping_mul(0x9E3779B97F4A7C15);
            assert_eq!(o64[i], (w >> 13) ^ (w << 7) ^ (i as u64 / 3), "i={i}");
        }
    }
}

#[test]
fn private_array_uses_scratch() {
    let src = "__kernel void priv(__global const int* a, __global int* out, int k) {
        int arr[64]; uint g = GID(x);
        for (int i = 0; i < 64; i++) arr[i] = a[(g + i) % 128];
        out[g] = arr[(k + g) & 63] + arr[(k * 3 + g) & 63]; }";
    for wave64 in [false, true] {
        let Some(h) = compile(src, "gfx1010", wave64) else {
            return;
        };
        let a: Vec<u32> = (0..128).map(|i| i * 7 + 1).collect();
        let mut gpu = Gpu::new();
        let va = gpu.u32s(&a);
        let vo = gpu.zeros(4 * 128);
        let k = 5i32;
        let c = run(
            &mut gpu,
            &h,
            "priv",
            G1010,
            [2, 1, 1],
            [64, 1, 1],
            &[ptr(va), ptr(vo), ArgValue::i32(k)],
        )
        .unwrap();
        let o = gpu.read_u32(vo);
        for g in 0..128usize {
            let arr = |i: usize| a[(g + i) % 128];
            let want = arr((k as usize + g) & 63) + arr((k as usize * 3 + g) & 63);
            assert_eq!(o[g], want, "g={g} wave64={wave64}");
        }
        assert!(c.scratch_bytes_written > 0);
    }
}

#[test]
fn grid_3d_workitem_ids() {
    let src = "__kernel void ids(__global uint* o) {
        uint x = GID(x), y = GID(y), z = GID(z);
        uint w = __builtin_amdgcn_workgroup_size_x() * __builtin_amdgcn_grid_size_x() ;
        uint nx = 4 * 3, ny = 2 * 5;
        o[(z * ny + y) * nx + x] = (x << 20) | (y << 10) | z | (LID(z) << 30); }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let (gx, gy, gz) = (3u32, 5u32, 2u32);
    let (bx, by, bz) = (4u32, 2u32, 2u32);
    let n = (gx * bx * gy * by * gz * bz) as usize;
    let mut gpu = Gpu::new();
    let vo = gpu.zeros(4 * n);
    run(
        &mut gpu,
        &h,
        "ids",
        G1010,
        [gx, gy, gz],
        [bx, by, bz],
        &[ptr(vo)],
    )
    .unwrap();
    let o = gpu.read_u32(vo);
    let (nx, ny) = (gx * bx, gy * by);
    for z in 0..gz * bz {
        for y in 0..ny {
            for x in 0..nx {
                let want = (x << 20) | (y << 10) | z | ((z % bz) << 30);
                assert_eq!(o[((z * ny + y) * nx + x) as usize], want, "({x},{y},{z})");
            }
        }
    }
}

#[test]
fn lds_atomics_and_histogram() {
    let src = "__kernel void hist(__global const uint* in, __global uint* out, __global uint* mx) {
        __local uint bins[16]; __local uint m;
        uint l = LID(x);
        if (l < 16) bins[l] = 0;
        if (l == 0) m = 0;
        BARRIER();
        uint v = in[GID(x)];
        __atomic_fetch_add(&bins[v & 15], 1u, __ATOMIC_RELAXED);
        __atomic_fetch_max(&m, v, __ATOMIC_RELAXED);
        BARRIER();
        if (l < 16) __atomic_fetch_add(&out[l], bins[l], __ATOMIC_RELAXED);
        if (l == 0) __atomic_fetch_max(mx, m, __ATOMIC_RELAXED); }";
    for wave64 in [false, true] {
        let Some(h) = compile(src, "gfx1010", wave64) else {
            return;
        };
        let mut s = 11;
        let input: Vec<u32> = (0..1024).map(|_| lcg(&mut s) % 100_000).collect();
        let mut gpu = Gpu::new();
        let vi = gpu.u32s(&input);
        let vo = gpu.zeros(64);
        let vm = gpu.zeros(4);
        let c = run(
            &mut gpu,
            &h,
            "hist",
            G1010,
            [8, 1, 1],
            [128, 1, 1],
            &[ptr(vi), ptr(vo), ptr(vm)],
        )
        .unwrap();
        let mut want = [0u32; 16];
        for v in &input {
            want[(*v & 15) as usize] += 1;
        }
        assert_eq!(gpu.read_u32(vo), want.to_vec(), "wave64={wave64}");
        assert_eq!(gpu.read_u32(vm)[0], *input.iter().max().unwrap());
        assert!(c.lds_ops > 0);
    }
}

#[test]
fn transcendentals_within_tolerance() {
    let src = "__kernel void tr(__global const float* in, __global float* o) {
        uint i = GID(x); float x = in[i];
        o[4 * i + 0] = __builtin_amdgcn_exp2f(x);
        o[4 * i + 1] = __builtin_amdgcn_logf(x * x + 1.0f);
        o[4 * i + 2] = __builtin_amdgcn_sinf(x * 0.1f);
        o[4 * i + 3] = __builtin_amdgcn_rsqf(x * x + 0.5f); }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let input: Vec<f32> = (0..64).map(|i| i as f32 * 0.25 - 8.0).collect();
    let mut gpu = Gpu::new();
    let vi = gpu.f32s(&input);
    let vo = gpu.zeros(4 * 4 * 64);
    run(
        &mut gpu,
        &h,
        "tr",
        G1010,
        [1, 1, 1],
        [64, 1, 1],
        &[ptr(vi), ptr(vo)],
    )
    .unwrap();
    let o = gpu.read_f32(vo);
    for (i, x) in input.iter().enumerate() {
        let want = [
            x.exp2(),
            (x * x + 1.0).log2(),
            ((x * 0.1) as f64 * std::f64::consts::TAU).sin() as f32,
            1.0 / (x * x + 0.5).sqrt(),
        ];
        for k in 0..4 {
            let got = o[4 * i + k];
            assert!(
                (got - want[k]).abs() <= want[k].abs() * 2e-6 + 1e-6,
                "i={i} k={k}: {got} vs {}",
                want[k]
            );
        }
    }
}

/// 64-bit and 96-bit carry chains (v_add_co / v_add_co_ci / v_sub_co_ci with
/// carries in and out on random lanes), and global loads whose lane
/// addresses cross a 4 GiB boundary (the low address dword wraps between
/// lanes, so the contiguous-load fast path must not take them).
#[test]
fn carry_chains_and_loads_across_4gib() {
    let src = "__kernel void k(__global const ulong* a, __global const ulong* b, __global ulong* o,
                            __global const uint* far) {
        uint i = GID(x);
        ulong x = a[i], y = b[i];
        o[4 * i + 0] = x + y;
        o[4 * i + 1] = x - y;
        unsigned __int128 s = (unsigned __int128)x * 3 + y;
        o[4 * i + 2] = (ulong)(s >> 64) + (ulong)s;
        o[4 * i + 3] = far[i];
    }";
    for wave64 in [false, true] {
        let Some(h) = compile(src, "gfx1010", wave64) else {
            return;
        };
        let n = 256usize;
        let mut seed = 7;
        let r64 = |s: &mut u64| (lcg(s) as u64) << 32 | lcg(s) as u64;
        let a: Vec<u64> = (0..n)
            .map(|i| {
                if i % 3 == 0 {
                    u64::MAX - i as u64
                } else {
                    r64(&mut seed)
                }
            })
            .collect();
        let b: Vec<u64> = (0..n)
            .map(|i| if i % 5 == 0 { i as u64 } else { r64(&mut seed) })
            .collect();
        let far: Vec<u32> = (0..n as u32).map(|i| i.wrapping_mul(0x9e37_79b9)).collect();
        let mut gpu = Gpu::new();
        let bytes = |v: &[u64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let (va, vb) = (gpu.buffer(bytes(&a)), gpu.buffer(bytes(&b)));
        let vo = gpu.zeros(32 * n);
        // The 4 GiB line at 0x20_0000_0000 falls between lanes 125 and 126.
        let vfar = 0x20_0000_0000u64 - 504;
        gpu.mem
            .map(vfar, far.iter().flat_map(|x| x.to_le_bytes()).collect());
        run(
            &mut gpu,
            &h,
            "k",
            G1010,
            [(n / 64) as u32, 1, 1],
            [64, 1, 1],
            &[ptr(va), ptr(vb), ptr(vo), ptr(vfar)],
        )
        .unwrap();
        let o: Vec<u64> = gpu
            .read_bytes(vo)
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        for i in 0..n {
            let s = a[i] as u128 * 3 + b[i] as u128;
            let want = [
                a[i].wrapping_add(b[i]),
                a[i].wrapping_sub(b[i]),
                ((s >> 64) as u64).wrapping_add(s as u64),
                far[i] as u64,
            ];
            assert_eq!(&o[4 * i..4 * i + 4], &want, "i={i} wave64={wave64}");
        }
    }
}

/// `__builtin_elementwise_{add,sub}_sat` compile to VOP3 integer adds with the
/// clamp bit (`v_add_nc_u32 … clamp`, `v_sub_nc_i32 … clamp`,
/// `v_pk_add_u16 … clamp`, …), which must saturate instead of wrapping.
#[test]
fn saturating_add_sub_use_the_clamp_bit() {
    let src = "__kernel void sat(__global uint *u, __global int *s, __global ushort2 *p, __global short2 *ps) {
        uint i = LID(x);
        uint a = u[2 * i], b = u[2 * i + 1];
        int c = s[2 * i], d = s[2 * i + 1];
        ushort2 x = p[2 * i], y = p[2 * i + 1];
        short2 z = ps[2 * i], t = ps[2 * i + 1];
        u[2 * i] = __builtin_elementwise_add_sat(a, b); u[2 * i + 1] = __builtin_elementwise_sub_sat(a, b);
        s[2 * i] = __builtin_elementwise_add_sat(c, d); s[2 * i + 1] = __builtin_elementwise_sub_sat(c, d);
        p[2 * i] = __builtin_elementwise_add_sat(x, y); p[2 * i + 1] = __builtin_elementwise_sub_sat(x, y);
        ps[2 * i] = __builtin_elementwise_add_sat(z, t); ps[2 * i + 1] = __builtin_elementwise_sub_sat(z, t); }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let n = 64usize;
    let mut seed = 3;
    // Half the lanes get values near the limits so both saturation directions occur.
    let mut pick = |i: usize| {
        let r = lcg(&mut seed);
        if i.is_multiple_of(2) {
            r
        } else {
            [
                0,
                1,
                u32::MAX,
                0x7fff_ffff,
                0x8000_0000,
                0x7fff_8000,
                0x8001_ffff,
            ][r as usize % 7]
        }
    };
    let w: Vec<u32> = (0..2 * n).map(&mut pick).collect();
    let mut gpu = Gpu::new();
    let (vu, vs, vp, vps) = (gpu.u32s(&w), gpu.u32s(&w), gpu.u32s(&w), gpu.u32s(&w));
    run(
        &mut gpu,
        &h,
        "sat",
        G1010,
        [1, 1, 1],
        [n as u32, 1, 1],
        &[ptr(vu), ptr(vs), ptr(vp), ptr(vps)],
    )
    .unwrap();
    let (gu, gs, gp, gps) = (
        gpu.read_u32(vu),
        gpu.read_u32(vs),
        gpu.read_u32(vp),
        gpu.read_u32(vps),
    );
    let halves = |x: u32| [x as u16, (x >> 16) as u16];
    let join = |h: [u16; 2]| h[0] as u32 | (h[1] as u32) << 16;
    for i in 0..n {
        let (a, b) = (w[2 * i], w[2 * i + 1]);
        let (c, d) = (a as i32, b as i32);
        let (x, y) = (halves(a), halves(b));
        let ctx = format!("lane {i}: {a:#x}, {b:#x}");
        assert_eq!(gu[2 * i], a.saturating_add(b), "u32 add {ctx}");
        assert_eq!(gu[2 * i + 1], a.saturating_sub(b), "u32 sub {ctx}");
        assert_eq!(gs[2 * i], c.saturating_add(d) as u32, "i32 add {ctx}");
        assert_eq!(gs[2 * i + 1], c.saturating_sub(d) as u32, "i32 sub {ctx}");
        let pk = |f: fn(u16, u16) -> u16| join([f(x[0], y[0]), f(x[1], y[1])]);
        let pks = |f: fn(i16, i16) -> i16| {
            join([
                f(x[0] as i16, y[0] as i16) as u16,
                f(x[1] as i16, y[1] as i16) as u16,
            ])
        };
        assert_eq!(gp[2 * i], pk(u16::saturating_add), "u16x2 add {ctx}");
        assert_eq!(gp[2 * i + 1], pk(u16::saturating_sub), "u16x2 sub {ctx}");
        assert_eq!(gps[2 * i], pks(i16::saturating_add), "i16x2 add {ctx}");
        assert_eq!(gps[2 * i + 1], pks(i16::saturating_sub), "i16x2 sub {ctx}");
    }
}
