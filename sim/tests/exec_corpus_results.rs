//! Results over the isa corpus (`kernels/tests/*.cl`): every kernel, compiled
//! for gfx1010 wave32, gfx1010 wave64 and gfx1030 wave32, runs on the executor
//! with deterministic pseudo-random inputs and every output element is checked
//! against a CPU reference written here.
//!
//! Comparison rules:
//! - integers: exact;
//! - f32/f64/f16 built from IEEE add/sub/mul/fma/div/sqrt/conversions (which
//!   are correctly rounded on the GPU): bit-exact. Where OpenCL lets clang
//!   contract `a * b + c` into an fma, the reference follows the contraction
//!   clang-19 emits (noted per kernel);
//! - hardware approximations (`v_rcp/v_exp/v_log/v_sqrt_f32`, the OpenCL
//!   2.5-ulp f32 division) get a per-kernel ulp bound explained where it is
//!   used;
//! - racy or atomic results (cross-work-item reads of data another work-item
//!   writes, float/int atomics whose interleaving is unspecified) are checked
//!   by an order-independent property (a sum, a max, a set of allowed values).
//!
//! The registry [`KERNELS`] must name exactly the `.cl` files of the corpus, so
//! a new corpus kernel without a reference fails this test.

mod exec_support;

use exec_support::*;
use loader::{ArgValue, CodeObject};

// ---------------------------------------------------------------- support

/// Little-endian plain values that live in GPU buffers.
trait Elem: Copy + std::fmt::Debug {
    const N: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(b: &[u8]) -> Self;
    /// The raw bits (for bit-exact comparison of floats).
    fn bits(self) -> u64;
}

macro_rules! elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            const N: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes())
            }
            fn get(b: &[u8]) -> Self {
                <$t>::from_le_bytes(b.try_into().unwrap())
            }
            fn bits(self) -> u64 {
                let mut a = [0u8; 8];
                a[..Self::N].copy_from_slice(&self.to_le_bytes());
                u64::from_le_bytes(a)
            }
        }
    )*};
}
elem!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

/// Deterministic LCG (same constants as `exec_kernels.rs`).
struct Rng(u64);

impl Rng {
    fn u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 32) as u32
    }
    fn u64(&mut self) -> u64 {
        (self.u32() as u64) << 32 | self.u32() as u64
    }
    /// Uniform integer in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.u64() % (hi - lo + 1) as u64) as i64
    }
    fn i32(&mut self, lo: i32, hi: i32) -> i32 {
        self.int(lo as i64, hi as i64) as i32
    }
    /// Uniform-ish f64 in `[lo, hi)` with 24 random bits.
    fn f64(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.u32() >> 8) as f64 / (1u64 << 24) as f64 * (hi - lo)
    }
    fn f32(&mut self, lo: f32, hi: f32) -> f32 {
        self.f64(lo as f64, hi as f64) as f32
    }
}

/// One kernel build on one variant: a fresh GPU, inputs, and the mismatch log.
struct Ctx<'a> {
    v: &'a CorpusVariant,
    hsaco: &'a [u8],
    kernel: &'static str,
    gpu: Gpu,
    rng: Rng,
    errors: Vec<String>,
}

impl Ctx<'_> {
    fn ws(&self) -> usize {
        if self.v.wave64 {
            64
        } else {
            32
        }
    }
    fn buf<T: Elem>(&mut self, v: &[T]) -> u64 {
        let mut b = Vec::with_capacity(v.len() * T::N);
        for x in v {
            x.put(&mut b);
        }
        self.gpu.buffer(b)
    }
    fn read<T: Elem>(&self, va: u64, n: usize) -> Vec<T> {
        let b = self.gpu.read_bytes(va);
        b[..n * T::N].chunks_exact(T::N).map(T::get).collect()
    }
    fn run(&mut self, groups: [u32; 3], block: [u32; 3], args: &[ArgValue]) -> bool {
        let r = run(
            &mut self.gpu,
            self.hsaco,
            self.kernel,
            self.v.target,
            groups,
            block,
            args,
        );
        match r {
            Ok(_) => true,
            Err(e) => {
                self.errors.push(format!("dispatch failed: {e}"));
                false
            }
        }
    }
    /// `bad(i)` describes element `i` when it is wrong; logs the first few.
    fn check(&mut self, what: &str, n: usize, mut bad: impl FnMut(usize) -> Option<String>) {
        let mut count = 0;
        for i in 0..n {
            if let Some(m) = bad(i) {
                if count < 4 {
                    self.errors.push(format!("{what}[{i}]: {m}"));
                }
                count += 1;
            }
        }
        if count > 4 {
            self.errors
                .push(format!("{what}: {count} of {n} elements wrong in all"));
        }
    }
    /// Bit-exact comparison.
    fn expect<T: Elem>(&mut self, what: &str, got: &[T], want: &[T]) {
        assert_eq!(got.len(), want.len());
        self.check(what, got.len(), |i| {
            (got[i].bits() != want[i].bits())
                .then(|| format!("got {:?}, want {:?}", got[i], want[i]))
        });
    }
}

/// Work-item `gid` of a 1-D dispatch with `block` work-items per group: the
/// global id of lane 0 of its wave, and its lane.
fn wave_of(gid: usize, block: usize, ws: usize) -> (usize, usize) {
    let l = gid % block;
    (gid - l + l / ws * ws, l % ws)
}

/// (global id of lane 0, active lanes) of every wave of a 1-D dispatch.
fn waves(n: usize, block: usize, ws: usize) -> Vec<(usize, usize)> {
    (0..n)
        .step_by(block)
        .flat_map(|g0| {
            (0..block)
                .step_by(ws)
                .map(move |l| (g0 + l, ws.min(block - l)))
        })
        .collect()
}

/// Distance in ulps between two finite f32 of the same sign region.
fn ulps32(a: f32, b: f32) -> u64 {
    let key = |x: f32| {
        let b = x.to_bits() as i64;
        if b < 0x8000_0000 {
            b
        } else {
            0x8000_0000 - b
        }
    };
    (key(a) - key(b)).unsigned_abs()
}

/// Spacing of f32 at `x` (as f64).
fn ulp32(x: f32) -> f64 {
    let a = x.abs();
    (f32::from_bits(a.to_bits() + 1) as f64) - a as f64
}

// binary16 helpers (Rust has no stable f16): exact widening and one correctly
// rounded (nearest-even) narrowing from f64. Every f16 op below is computed
// exactly (or correctly rounded) in f64 and then narrowed once; for
// + - * / on f16 inputs double rounding through f64 is innocuous (53 >= 2*11+2).

fn h2f(h: u16) -> f32 {
    let e = ((h >> 10) & 0x1f) as i32;
    let m = (h & 0x3ff) as u32;
    let mag = match e {
        0 => m as f32 * (-24f32).exp2(),
        31 if m == 0 => f32::INFINITY,
        31 => f32::NAN,
        _ => f32::from_bits(((e - 15 + 127) as u32) << 23 | m << 13),
    };
    if h & 0x8000 != 0 {
        -mag
    } else {
        mag
    }
}

fn d2h(x: f64) -> u16 {
    if x.is_nan() {
        return 0x7e00;
    }
    let sign = if x.is_sign_negative() { 0x8000 } else { 0 };
    let a = x.abs();
    if a.is_infinite() {
        return sign | 0x7c00;
    }
    if a < (-14f64).exp2() {
        // Subnormal (a rounding up to 0x400 is the smallest normal: still right).
        return sign | (a * 24f64.exp2()).round_ties_even() as u16;
    }
    let mut e = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut m = (a / (e as f64).exp2() * 1024.0).round_ties_even();
    if m == 2048.0 {
        m = 1024.0;
        e += 1;
    }
    if e > 15 {
        return sign | 0x7c00;
    }
    sign | ((e + 15) as u16) << 10 | (m as u16 - 1024)
}

fn hd(h: u16) -> f64 {
    h2f(h) as f64
}

/// f16 in [-8, 8] with three decimals (never subnormal: |x| >= 0.001 or 0),
/// so every f16 fma below is exact in f64 before its single rounding.
fn rand_h(r: &mut Rng) -> u16 {
    d2h(r.int(-8000, 8000) as f64 / 1000.0)
}

// ---------------------------------------------------------------- registry

type Check = fn(&mut Ctx);

/// Every corpus kernel with its inputs + reference, in file-name order.
const KERNELS: &[(&str, Check)] = &[
    ("atomics_global", atomics_global),
    ("atomics_local", atomics_local),
    ("ballot_vote", ballot_vote),
    ("barriers_fences", barriers_fences),
    ("bitops", bitops),
    ("bpermute", bpermute),
    ("bytes_shorts", bytes_shorts),
    ("control_flow", control_flow),
    ("cvt", cvt),
    ("dpp_float", dpp_float),
    ("dpp_mov", dpp_mov),
    ("f16_cvt", f16_cvt),
    ("f16_math", f16_math),
    ("f16_packed", f16_packed),
    ("f32_div", f32_div),
    ("f32_fma_const", f32_fma_const),
    ("f32_math", f32_math),
    ("f64_div", f64_div),
    ("f64_math", f64_math),
    ("grid3d", grid3d),
    ("int64_ops", int64_ops),
    ("int_arith", int_arith),
    ("lds_dynamic", lds_dynamic),
    ("lds_reduce", lds_reduce),
    ("lds_transpose", lds_transpose),
    ("matmul_tiled", matmul_tiled),
    ("mul_hi_wide", mul_hi_wide),
    ("private_array", private_array),
    ("private_struct", private_struct),
    ("readlane", readlane),
    ("saxpy", saxpy),
    ("scalar_loop", scalar_loop),
    ("select_minmax", select_minmax),
    ("switch_loop", switch_loop),
    ("uint_divmod", uint_divmod),
    ("vector_types", vector_types),
    ("wave_intrinsics", wave_intrinsics),
];

#[test]
fn corpus_kernels_match_cpu_references() {
    let Some(paths) = corpus_files() else {
        return;
    };
    let dir = corpus_dir();
    let files: Vec<String> = paths
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let names: Vec<String> = KERNELS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        names, files,
        "KERNELS must list exactly the corpus kernels (kernels/tests/*.cl), in order"
    );

    let mut errors = Vec::new();
    let mut checked = 0;
    for (i, &(name, check)) in KERNELS.iter().enumerate() {
        let cl = dir.join(format!("{name}.cl"));
        let builds: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = CORPUS_VARIANTS
                .iter()
                .map(|v| s.spawn(|| build_corpus(&cl, v)))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (v, b) in CORPUS_VARIANTS.iter().zip(builds) {
            let hsaco = match b {
                Ok(h) => h,
                Err(e) => {
                    errors.push(format!("{name} {}: build failed: {e}", v.label()));
                    continue;
                }
            };
            let mut c = Ctx {
                v,
                hsaco: &hsaco,
                kernel: name,
                gpu: Gpu::new(),
                rng: Rng(0x5eed_0000 + i as u64),
                errors: Vec::new(),
            };
            check(&mut c);
            checked += 1;
            errors.extend(
                c.errors
                    .into_iter()
                    .map(|e| format!("{name} {}: {e}", v.label())),
            );
        }
    }
    eprintln!(
        "{checked} kernel builds ({} kernels x {} variants) checked against CPU references",
        KERNELS.len(),
        CORPUS_VARIANTS.len()
    );
    assert!(errors.is_empty(), "mismatches:\n{}", errors.join("\n"));
    assert_eq!(checked, KERNELS.len() * CORPUS_VARIANTS.len());
}

// ---------------------------------------------------------------- kernels

fn atomics_global(c: &mut Ctx) {
    let (groups, block) = (5u32, 96u32);
    let n = (groups * block) as usize;
    let a: Vec<i32> = (0..n).map(|_| c.rng.i32(-1000, 1000)).collect();
    let va = c.buf(&a);
    let vctr = c.buf(&[0i32; 9]);
    let vbits = c.buf(&[0u32]);
    let vmx = c.buf(&[i32::MIN]);
    if !c.run(
        [groups, 1, 1],
        [block, 1, 1],
        &[ptr(vctr), ptr(vbits), ptr(vmx), ptr(va)],
    ) {
        return;
    }
    // Order-independent properties: the add total, the OR, the max; the
    // exchange slots ctr[1..=4] hold a work-item id (or their initial 0)
    // and ctr[5..8] are never touched; ctr[8] is set by the first
    // compare-exchange of a non-zero id (id 0 stores 0 over 0).
    let ctr = c.read::<i32>(vctr, 9);
    let sum = a.iter().fold(0i32, |s, &x| s.wrapping_add(x));
    let bits = (0..n).fold(0u32, |b, i| b | 1 << (i & 31));
    let mx = *a.iter().max().unwrap();
    let got_bits = c.read::<u32>(vbits, 1);
    let got_mx = c.read::<i32>(vmx, 1);
    c.expect("ctr[0]", &ctr[..1], &[sum]);
    c.expect("bits", &got_bits, &[bits]);
    c.expect("max", &got_mx, &[mx]);
    c.check("xchg slot ctr[1+k]", 4, |k| {
        let v = ctr[1 + k];
        (!(0..n as i32).contains(&v)).then(|| format!("{v} is no work-item id"))
    });
    c.expect("ctr[5..8]", &ctr[5..8], &[0, 0, 0]);
    c.check("cmpxchg ctr[8]", 1, |_| {
        (!(1..n as i32).contains(&ctr[8])).then(|| format!("{} not in 1..{n}", ctr[8]))
    });
}

fn atomics_local(c: &mut Ctx) {
    let (groups, block) = (6usize, 96usize);
    // No input falls in bucket 0, so hist[0] only sees atomic_min (an add to
    // hist[0] interleaved with the mins would make it order-dependent).
    let a: Vec<i32> = (0..groups * block)
        .map(|_| {
            let x = c.rng.i32(-500, 500);
            if x & 15 == 0 {
                x + 1
            } else {
                x
            }
        })
        .collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0i32; groups * 16]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let mut want = vec![0i32; groups * 16];
    for (i, &x) in a.iter().enumerate() {
        want[i / block * 16 + (x & 15) as usize] += 1;
    }
    for g in 0..groups {
        want[g * 16] = a[g * block..(g + 1) * block]
            .iter()
            .copied()
            .fold(0, i32::min);
    }
    let got = c.read::<i32>(vo, groups * 16);
    c.expect("out", &got, &want);
}

fn ballot_vote(c: &mut Ctx) {
    let (groups, block) = (4usize, 96usize); // wave64: the second wave is half full
    let n = groups * block;
    let a: Vec<i32> = (0..n).map(|_| c.rng.i32(-100, 100)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0u32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let ws = c.ws();
    let want: Vec<u32> = (0..n)
        .map(|i| {
            let (w0, lane) = wave_of(i, block, ws);
            // mbcnt_lo(~0, 0): set bits of the low 32 mask bits below the lane.
            let lo = lane.min(32) as u32;
            let first = a[w0]; // lane 0 is the first active lane
            let bperm = (first > 0) as u32;
            bperm
                .wrapping_add(lo)
                .wrapping_add(if lane == 0 { first as u32 } else { 0 })
        })
        .collect();
    let got = c.read::<u32>(vo, n);
    c.expect("out", &got, &want);
}

fn barriers_fences(c: &mut Ctx) {
    // 64 work-items per group: every s[] slot is written exactly once.
    let (groups, block) = (5usize, 64usize);
    let n = groups * block;
    let vo = c.buf(&vec![0i32; n]);
    let vf = c.buf(&[17i32]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vf)],
    ) {
        return;
    }
    let want: Vec<i32> = (0..n).map(|i| ((i % block + 1) & 63) as i32 + 17).collect();
    let got = c.read::<i32>(vo, n);
    c.expect("out", &got, &want);
}

fn bitops(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize); // partial last wave
    let n = groups * block;
    let mut a: Vec<u32> = (0..n).map(|_| c.rng.u32()).collect();
    a[..6].copy_from_slice(&[0, 1, u32::MAX, 0x8000_0000, 0x00ff_ff00, 0x1234_5678]);
    let va = c.buf(&a);
    let vo = c.buf(&vec![0u32; 4 * n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let want: Vec<u32> = a
        .iter()
        .flat_map(|&x| {
            [
                x.count_ones(),
                x.leading_zeros(),
                x.rotate_left(5),
                (x & 0xff00_ff00) >> 8 | x.reverse_bits(),
            ]
        })
        .collect();
    let got = c.read::<u32>(vo, 4 * n);
    c.expect("out", &got, &want);
}

fn bpermute(c: &mut Ctx) {
    let (groups, block) = (3usize, 128usize);
    let n = groups * block;
    let a: Vec<i32> = (0..n).map(|_| c.rng.i32(-1_000_000, 1_000_000)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0i32; 4096 + n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let ws = c.ws();
    let mut want = vec![0i32; 4096 + n];
    for (w0, lanes) in waves(n, block, ws) {
        assert_eq!(lanes, ws);
        // ds_permute: lane j sends its value to lane (3j) & 31; lanes nobody
        // writes read 0, and when two lanes hit the same destination (wave64)
        // the highest-numbered source lane wins (RDNA ISA pseudo-code).
        let mut perm = vec![0i32; ws];
        for j in 0..ws {
            perm[(3 * (w0 + j)) & 31] = a[w0 + j];
        }
        for j in 0..ws {
            let bperm = a[w0 + ((w0 + j + 1) & 31)];
            want[w0 + j] = bperm.wrapping_add(perm[j]);
            // ds_swizzle 0x041f: bitmask mode, and 0x1f, or 0, xor 1.
            want[4096 + w0 + j] = a[w0 + (j ^ 1)];
        }
    }
    let got = c.read::<i32>(vo, 4096 + n);
    c.expect("out", &got, &want);
}

fn bytes_shorts(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let a: Vec<i8> = (0..n).map(|_| c.rng.u32() as i8).collect();
    let u: Vec<u16> = (0..n).map(|_| c.rng.u32() as u16).collect();
    let (va, vu) = (c.buf(&a), c.buf(&u));
    let vb = c.buf(&vec![0u8; n]);
    let vs = c.buf(&vec![0i16; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vb), ptr(vs), ptr(va), ptr(vu)],
    ) {
        return;
    }
    let wb: Vec<u8> = (0..n)
        .map(|i| (a[i] as i32 * 3 + (u[i] >> 4) as i32) as u8)
        .collect();
    let ws: Vec<i16> = (0..n)
        .map(|i| ((u[i] as i32 * a[i] as i32) as i16 as i32 - (u[i] >> 1) as i16 as i32) as i16)
        .collect();
    let (gb, gs) = (c.read::<u8>(vb, n), c.read::<i16>(vs, n));
    c.expect("b", &gb, &wb);
    c.expect("s", &gs, &ws);
}

fn control_flow(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let a: Vec<i32> = (0..n).map(|_| c.rng.i32(-300, 300)).collect();
    let va = c.buf(&a);
    for trip in [37, 0] {
        let vo = c.buf(&vec![0x5555i32; n]);
        if !c.run(
            [groups as u32, 1, 1],
            [block as u32, 1, 1],
            &[ptr(vo), ptr(va), ArgValue::i32(trip)],
        ) {
            return;
        }
        let want: Vec<i32> = a
            .iter()
            .map(|&v0| {
                let (mut v, mut acc) = (v0, 0i32);
                if v > 10 {
                    for k in 0..trip {
                        acc += k * v;
                    }
                } else if v < -5 {
                    while v < 100 {
                        v = v * -2 + 1;
                        acc ^= v;
                    }
                } else {
                    acc = -v;
                }
                acc
            })
            .collect();
        let got = c.read::<i32>(vo, n);
        c.expect(&format!("out(n={trip})"), &got, &want);
    }
}

fn cvt(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    // Non-negative after truncation: (uint)(x * 2) of a negative x is UB.
    let a: Vec<f32> = (0..n)
        .map(|i| {
            if i % 5 == 0 {
                c.rng.f32(-0.49, 0.0)
            } else {
                c.rng.f32(0.0, 5000.0)
            }
        })
        .collect();
    let va = c.buf(&a);
    let (s0, u0) = (-7i32, 9u32); // initial s[], u[] (n + 1 elements)
    let vf = c.buf(&vec![0f32; n]);
    let vs = c.buf(&vec![s0; n + 1]);
    let vu = c.buf(&vec![u0; n + 1]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vf), ptr(vs), ptr(vu), ptr(va)],
    ) {
        return;
    }
    let ws: Vec<i32> = a.iter().map(|&x| x as i32).collect();
    let wu: Vec<u32> = a.iter().map(|&x| (x * 2.0) as u32).collect();
    let (gf, gs, gu) = (
        c.read::<f32>(vf, n),
        c.read::<i32>(vs, n + 1),
        c.read::<u32>(vu, n + 1),
    );
    c.expect("s", &gs[..n], &ws);
    c.expect("u", &gu[..n], &wu);
    c.expect(
        "s[n], u[n] untouched",
        &[gs[n] as u32, gu[n]],
        &[s0 as u32, u0],
    );
    // f[i] reads s[i+1] and u[i+1], which work-item i+1 writes in the same
    // dispatch: each may be the old or the new value.
    c.check("f", n, |i| {
        let ss = if i + 1 < n {
            vec![s0, ws[i + 1]]
        } else {
            vec![s0]
        };
        let us = if i + 1 < n {
            vec![u0, wu[i + 1]]
        } else {
            vec![u0]
        };
        let ok = ss.iter().any(|&s| {
            us.iter()
                .any(|&u| (s as f32 + u as f32).to_bits() == gf[i].to_bits())
        });
        (!ok).then(|| format!("got {} (s in {ss:?}, u in {us:?})", gf[i]))
    });
}

fn dpp_float(c: &mut Ctx) {
    // 48 work-items: whole DPP rows of 16 are active or inactive.
    let (groups, block) = (5usize, 48usize);
    let n = groups * block;
    let a: Vec<f32> = (0..n).map(|_| c.rng.f32(-10.0, 10.0)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0f32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let ws = c.ws();
    let want: Vec<f32> = (0..n)
        .map(|i| {
            let (w0, lane) = wave_of(i, block, ws);
            let (row, p) = (w0 + lane / 16 * 16, lane % 16);
            // row_shl:1 (lane 15 of a row has no source: old = 0);
            // row_ror:1 always has a source.
            let w = if p == 15 { 0.0 } else { a[row + p + 1] };
            let z = a[row + (p + 15) % 16];
            w.mul_add(z, a[i]) // clang contracts v + w * z into v_fmac_f32
        })
        .collect();
    let got = c.read::<f32>(vo, n);
    c.expect("out", &got, &want);
}

fn dpp_mov(c: &mut Ctx) {
    let (groups, block) = (5usize, 48usize);
    let n = groups * block;
    let a: Vec<i32> = (0..n).map(|_| c.rng.i32(-100_000, 100_000)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0i32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let ws = c.ws();
    let mut want = vec![0i32; n];
    for (w0, lanes) in waves(n, block, ws) {
        let v: Vec<i32> = a[w0..w0 + lanes].to_vec();
        let step = |s: &[i32], f: &dyn Fn(usize) -> i32| -> Vec<i32> {
            (0..lanes).map(|j| s[j] + f(j)).collect()
        };
        let p = |j: usize| j % 16;
        let row = |j: usize| j / 16 * 16;
        // row_shr:1, bound_ctrl off, old = s
        let s = step(&v, &|j| if p(j) == 0 { v[j] } else { v[j - 1] });
        // row_shr:2, bound_ctrl on: 0 without a source
        let s = step(&s, &|j| if p(j) < 2 { 0 } else { s[j - 2] });
        // quad_perm [3,2,1,0]
        let s = step(&s, &|j| s[j / 4 * 4 + 3 - j % 4]);
        // row_half_mirror, row_mask 0xa (rows 1, 3), bank_mask 0x5 (banks 0, 2):
        // masked-off lanes keep old = 0
        let s = step(&s, &|j| {
            let (r, bank) = (j / 16, p(j) / 4);
            if (0xa >> r) & 1 == 1 && (0x5 >> bank) & 1 == 1 {
                s[row(j) + (p(j) & 8) + 7 - (p(j) & 7)]
            } else {
                0
            }
        });
        // row_mirror
        let s = step(&s, &|j| s[row(j) + 15 - p(j)]);
        want[w0..w0 + lanes].copy_from_slice(&s);
    }
    let got = c.read::<i32>(vo, n);
    c.expect("out", &got, &want);
}

fn f16_cvt(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let a: Vec<f32> = (0..n).map(|_| c.rng.f32(-60.0, 60.0)).collect();
    let va = c.buf(&a);
    let h0 = 0x3a00u16; // 0.75: initial h[] (n + 1 elements)
    let vo = c.buf(&vec![0f32; n]);
    let vh = c.buf(&vec![h0; n + 1]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vh), ptr(va)],
    ) {
        return;
    }
    let wh: Vec<u16> = a.iter().map(|&x| d2h(x as f64)).collect();
    let (go, gh) = (c.read::<f32>(vo, n), c.read::<u16>(vh, n + 1));
    c.expect("h", &gh[..n], &wh);
    c.expect("h[n] untouched", &gh[n..], &[h0]);
    // h[i + 1] is written by work-item i + 1 in the same dispatch.
    c.check("out", n, |i| {
        let sq = h2f(d2h(hd(wh[i]) * hd(wh[i])));
        let next = if i + 1 < n {
            vec![h0, wh[i + 1]]
        } else {
            vec![h0]
        };
        let ok = next
            .iter()
            .any(|&h| (sq + h2f(h)).to_bits() == go[i].to_bits());
        (!ok).then(|| format!("got {}, x*x = {sq}, h[i+1] in {next:x?}", go[i]))
    });
}

fn f16_math(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let x: Vec<u16> = (0..n).map(|_| rand_h(&mut c.rng)).collect();
    // Keep y + 2 away from 0 (|y + 2| >= 0.25): no inf/NaN quotients.
    let y: Vec<u16> = (0..n)
        .map(|_| loop {
            let h = rand_h(&mut c.rng);
            if (hd(h) + 2.0).abs() >= 0.25 {
                break h;
            }
        })
        .collect();
    let (vx, vy) = (c.buf(&x), c.buf(&y));
    let vo = c.buf(&vec![0u16; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vx), ptr(vy)],
    ) {
        return;
    }
    let got = c.read::<u16>(vo, n);
    // clang: v_fmaak_f16 (x * y + 1.5 fused), and x / t as
    // div_fixup(fma_mix(x, v_rcp_f32(t))) — an f32 reciprocal (1 ulp on
    // hardware) times x rounded to f16, which can miss the correctly rounded
    // f16 quotient by one ulp. So the quotient may be q or a neighbour of q;
    // everything else is exact.
    c.check("out", n, |i| {
        let t = d2h(hd(y[i]) + 2.0);
        let q = d2h(hd(x[i]) / hd(t));
        let fm = d2h(hd(x[i]) * hd(y[i]) + 1.5);
        let want = d2h(hd(fm) - hd(q));
        let ok = [q, q.wrapping_add(1), q.wrapping_sub(1)]
            .iter()
            .any(|&qq| d2h(hd(fm) - hd(qq)) == got[i]);
        (!ok).then(|| {
            format!(
                "got {:#06x} ({}), want {want:#06x} ({})",
                got[i],
                h2f(got[i]),
                h2f(want)
            )
        })
    });
}

fn f16_packed(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let x: Vec<u16> = (0..2 * n).map(|_| rand_h(&mut c.rng)).collect();
    let y: Vec<u16> = (0..2 * n).map(|_| rand_h(&mut c.rng)).collect();
    let (vx, vy) = (c.buf(&x), c.buf(&y));
    let vo = c.buf(&vec![0u16; 2 * n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vx), ptr(vy)],
    ) {
        return;
    }
    // clang: t = v_pk_fma_f16(x, y, (0.5, 2.0)); out = v_pk_fma_f16(-x, x, t).
    let want: Vec<u16> = (0..2 * n)
        .map(|k| {
            let (a, b) = (hd(x[k]), hd(y[k]));
            let t = d2h(a * b + if k % 2 == 0 { 0.5 } else { 2.0 });
            d2h(-a * a + hd(t))
        })
        .collect();
    let got = c.read::<u16>(vo, 2 * n);
    c.expect("out", &got, &want);
}

fn f32_div(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let r = |c: &mut Ctx| {
        let m = c.rng.f64(1.0, 2.0) * if c.rng.u32() & 1 == 0 { 1.0 } else { -1.0 };
        (m * (c.rng.int(-30, 30) as f64).exp2()) as f32
    };
    let a: Vec<f32> = (0..n).map(|_| r(c)).collect();
    let b: Vec<f32> = (0..n).map(|_| r(c)).collect();
    let (va, vb) = (c.buf(&a), c.buf(&b));
    let vo = c.buf(&vec![0f32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va), ptr(vb)],
    ) {
        return;
    }
    // OpenCL's default f32 division is 2.5 ulp; clang-19 emits
    // ldexp(frexp_mant(a) * v_rcp_f32(frexp_mant(b)), exp(a) - exp(b)):
    // 1 ulp for the reciprocal + 0.5 ulp for the product < 2 ulp.
    let got = c.read::<f32>(vo, n);
    c.check("out", n, |i| {
        let want = a[i] / b[i];
        (ulps32(got[i], want) > 2)
            .then(|| format!("got {}, want {want} (a={}, b={})", got[i], a[i], b[i]))
    });
}

fn f32_fma_const(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let a: Vec<f32> = (0..n).map(|_| c.rng.f32(-100.0, 100.0)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0f32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    // clang contracts `t * 3.14159f + x * 0.1f` into fma(t, 3.14159f, x * 0.1f).
    let k = f32::from_bits(0x4049_0fd0); // 3.14159f (not PI)
    let want: Vec<f32> = a
        .iter()
        .map(|&x| x.mul_add(1.5, 0.15915494).mul_add(k, x * 0.1) + -1.0)
        .collect();
    let got = c.read::<f32>(vo, n);
    c.expect("out", &got, &want);
}

fn f32_math(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let a: Vec<f32> = (0..n).map(|_| c.rng.f32(-3.5, 10.0)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0f32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    // Compiled order: t1 = fma(0.5, exp2(x), sqrt|x|); t2 = t1 - log2(x + 4);
    // t3 = rcp(x) + t2; t4 = floor(x) + t3; out = min(x, 2) + t4.
    // v_sqrt/v_exp/v_log/v_rcp_f32 are specified to 1 ulp (AMD RDNA ISA), so
    // each may be off by ulp(its value); every later rounding step of the
    // two chains can then diverge by one more ulp of its result. The bound is
    // the sum of those (about 5-10 ulp of the result); floor/min/add are exact
    // IEEE and rounded the same on both sides.
    let got = c.read::<f32>(vo, n);
    c.check("out", n, |i| {
        let x = a[i];
        let sq = (x.abs() as f64).sqrt() as f32;
        let ex = (x as f64).exp2() as f32;
        let lg = ((x + 4.0) as f64).log2() as f32;
        let rc = (1.0 / x as f64) as f32;
        let t1 = 0.5f32.mul_add(ex, sq);
        let t2 = t1 - lg;
        let t3 = rc + t2;
        let t4 = x.floor() + t3;
        let want = x.min(2.0) + t4;
        let tol = ulp32(sq)
            + ulp32(ex)
            + ulp32(lg)
            + ulp32(rc)
            + ulp32(t1)
            + ulp32(t2)
            + ulp32(t3)
            + ulp32(t4)
            + ulp32(want);
        ((got[i] as f64 - want as f64).abs() > tol)
            .then(|| format!("got {}, want {want} ± {tol:e} (x = {x})", got[i]))
    });
}

fn f64_div(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let mut a: Vec<f64> = (0..n)
        .map(|_| c.rng.f64(0.0, 1.0) * (c.rng.int(-40, 40) as f64).exp2())
        .collect();
    // a < 2^-767 takes the scaled path of the sqrt expansion.
    a[..4].copy_from_slice(&[1e-300, 3.5e-250, 0.0, 1.0]);
    let b: Vec<f64> = (0..n)
        .map(|_| {
            let s = if c.rng.u32() & 1 == 0 { 1.0 } else { -1.0 };
            s * c.rng.f64(0.5, 1.0) * (c.rng.int(-40, 40) as f64).exp2()
        })
        .collect();
    let (va, vb) = (c.buf(&a), c.buf(&b));
    let vo = c.buf(&vec![0f64; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va), ptr(vb)],
    ) {
        return;
    }
    // f64 division (div_scale/fmas/fixup) and sqrt (rsq + Newton steps) are
    // the correctly rounded expansions OpenCL requires for double.
    let want: Vec<f64> = (0..n).map(|i| a[i] / b[i] + a[i].sqrt()).collect();
    let got = c.read::<f64>(vo, n);
    c.expect("out", &got, &want);
}

fn f64_math(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let x: Vec<f64> = (0..n).map(|_| c.rng.f64(-100.0, 100.0)).collect();
    let y: Vec<f64> = (0..n).map(|_| c.rng.f64(-100.0, 100.0)).collect();
    let (vx, vy) = (c.buf(&x), c.buf(&y));
    let vo = c.buf(&vec![0f64; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vx), ptr(vy)],
    ) {
        return;
    }
    // clang contracts `fma(x, y, 1) + x * 0.5` into fma(x, 0.5, fma(x, y, 1)).
    let want: Vec<f64> = (0..n)
        .map(|i| x[i].mul_add(0.5, x[i].mul_add(y[i], 1.0)) - y[i] + x[i].max(y[i]))
        .collect();
    let got = c.read::<f64>(vo, n);
    c.expect("out", &got, &want);
}

fn grid3d(c: &mut Ctx) {
    let block = [6usize, 5, 3]; // 90 work-items: partial last wave
    let groups = [3usize, 2, 2];
    let (w, h, d) = (
        block[0] * groups[0],
        block[1] * groups[1],
        block[2] * groups[2],
    );
    let vo = c.buf(&vec![0u32; w * h * d]);
    if !c.run(
        groups.map(|g| g as u32),
        block.map(|b| b as u32),
        &[ptr(vo)],
    ) {
        return;
    }
    let mut want = vec![0u32; w * h * d];
    for z in 0..d {
        for y in 0..h {
            for x in 0..w {
                want[(z * h + y) * w + x] = (z / block[2] * 1_000_000
                    + y % block[1] * 1000
                    + x % block[0]
                    + groups[2]
                    + block[2]) as u32; // + global offset 0
            }
        }
    }
    let got = c.read::<u32>(vo, w * h * d);
    c.expect("out", &got, &want);
}

fn int64_ops(c: &mut Ctx) {
    let (groups, block) = (3usize, 80usize);
    let n = groups * block;
    let a: Vec<i64> = (0..n).map(|_| c.rng.int(-(1 << 40), 1 << 40)).collect();
    let va = c.buf(&a);
    for k in [987_654i64, -3] {
        let vo = c.buf(&vec![0i64; n]);
        if !c.run(
            [groups as u32, 1, 1],
            [block as u32, 1, 1],
            &[ptr(vo), ptr(va), ArgValue::i64(k)],
        ) {
            return;
        }
        let want: Vec<i64> = a
            .iter()
            .map(|&x| x * k + (x >> 7) - (x << 3) + (x < k) as i64 + x / 3)
            .collect();
        let got = c.read::<i64>(vo, n);
        c.expect(&format!("out(k={k})"), &got, &want);
    }
}

fn int_arith(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let a: Vec<i32> = (0..n).map(|_| c.rng.i32(-65536, 65536)).collect();
    let b: Vec<i32> = (0..n).map(|_| c.rng.i32(-65536, 65536)).collect();
    let (va, vb) = (c.buf(&a), c.buf(&b));
    for k in [777i32, -1234] {
        let vo = c.buf(&vec![0i32; n]);
        if !c.run(
            [groups as u32, 1, 1],
            [block as u32, 1, 1],
            &[ptr(vo), ptr(va), ptr(vb), ArgValue::i32(k)],
        ) {
            return;
        }
        // C precedence: ((x+y)*k - (x>>3) + (y<<2)) ^ ((x|y) & ~k)
        let want: Vec<i32> = (0..n)
            .map(|i| {
                let (x, y) = (a[i], b[i]);
                ((x + y) * k - (x >> 3) + (y << 2)) ^ ((x | y) & !k)
            })
            .collect();
        let got = c.read::<i32>(vo, n);
        c.expect(&format!("out(k={k})"), &got, &want);
    }
}

fn lds_dynamic(c: &mut Ctx) {
    let (groups, block) = (4usize, 96usize); // even block (l ^ 1 stays inside)
    let n = groups * block;
    let a: Vec<f32> = (0..2 * n).map(|_| c.rng.f32(-50.0, 50.0)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0f32; 2 * n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va), ArgValue::DynamicLds(8 * block as u32)],
    ) {
        return;
    }
    let mut want = vec![0f32; 2 * n];
    for i in 0..n {
        let (g0, l) = (i / block * block, i % block);
        let (p, q) = (g0 + (l + 1) % block, g0 + (l ^ 1));
        for e in 0..2 {
            want[2 * i + e] = a[2 * p + e] + a[2 * q + e];
        }
    }
    let got = c.read::<f32>(vo, 2 * n);
    c.expect("out", &got, &want);
}

fn lds_reduce(c: &mut Ctx) {
    // 160 work-items (not a power of two: the tree drops some elements, which
    // the reference replays; wave64 has a half-full last wave).
    let (groups, block) = (4usize, 160usize);
    let a: Vec<f32> = (0..groups * block)
        .map(|_| c.rng.f32(-10.0, 10.0))
        .collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0f32; groups]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let want: Vec<f32> = (0..groups)
        .map(|g| {
            let mut s = a[g * block..(g + 1) * block].to_vec();
            let mut st = block / 2;
            while st > 0 {
                for l in 0..st {
                    s[l] += s[l + st];
                }
                st >>= 1;
            }
            s[0]
        })
        .collect();
    let got = c.read::<f32>(vo, groups);
    c.expect("out", &got, &want);
}

fn lds_transpose(c: &mut Ctx) {
    let (w, h) = (48usize, 32usize);
    let a: Vec<f32> = (0..w * h).map(|_| c.rng.f32(-1.0, 1.0)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0f32; w * h]);
    if !c.run(
        [(w / 16) as u32, (h / 16) as u32, 1],
        [16, 16, 1],
        &[
            ptr(vo),
            ptr(va),
            ArgValue::u32(w as u32),
            ArgValue::u32(h as u32),
        ],
    ) {
        return;
    }
    let mut want = vec![0f32; w * h];
    for r in 0..h {
        for col in 0..w {
            want[col * h + r] = a[r * w + col];
        }
    }
    let got = c.read::<f32>(vo, w * h);
    c.expect("out", &got, &want);
}

fn matmul_tiled(c: &mut Ctx) {
    let n = 48usize;
    let a: Vec<f32> = (0..n * n).map(|_| c.rng.f32(-2.0, 2.0)).collect();
    let b: Vec<f32> = (0..n * n).map(|_| c.rng.f32(-2.0, 2.0)).collect();
    let (va, vb) = (c.buf(&a), c.buf(&b));
    let vc = c.buf(&vec![0f32; n * n]);
    if !c.run(
        [(n / 16) as u32, (n / 16) as u32, 1],
        [16, 16, 1],
        &[ptr(vc), ptr(va), ptr(vb), ArgValue::i32(n as i32)],
    ) {
        return;
    }
    let mut want = vec![0f32; n * n];
    for r in 0..n {
        for col in 0..n {
            want[r * n + col] =
                (0..n).fold(0f32, |acc, k| a[r * n + k].mul_add(b[k * n + col], acc));
        }
    }
    let got = c.read::<f32>(vc, n * n);
    c.expect("c", &got, &want);
}

fn mul_hi_wide(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let mut a: Vec<u32> = (0..n).map(|_| c.rng.u32()).collect();
    let mut b: Vec<u32> = (0..n).map(|_| c.rng.u32()).collect();
    a[..4].copy_from_slice(&[u32::MAX, 0, 1, 0x8000_0000]);
    b[..4].copy_from_slice(&[u32::MAX, 5, u32::MAX, 0x8000_0000]);
    let (va, vb) = (c.buf(&a), c.buf(&b));
    let vo = c.buf(&vec![0u32; n]);
    let vw = c.buf(&vec![0u64; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vw), ptr(va), ptr(vb)],
    ) {
        return;
    }
    let hi = |x: u32, y: u32| ((x as u64 * y as u64) >> 32) as u32;
    let hadd = |x: u32, y: u32| (x >> 1) + (y >> 1) + (x & y & 1);
    let wo: Vec<u32> = (0..n)
        .map(|i| {
            let (x, y) = (a[i], b[i]);
            let sat = x.saturating_add(y);
            hi(x, y)
                .wrapping_add(hi(x, y).wrapping_add(7))
                .wrapping_add(sat)
        })
        .collect();
    let ww: Vec<u64> = (0..n)
        .map(|i| (a[i] as u64 * b[i] as u64).wrapping_add(hadd(a[i], b[i]) as u64))
        .collect();
    let (go, gw) = (c.read::<u32>(vo, n), c.read::<u64>(vw, n));
    c.expect("o", &go, &wo);
    c.expect("w", &gw, &ww);
}

fn private_array(c: &mut Ctx) {
    let (groups, block) = (3usize, 80usize);
    let n = groups * block;
    let a: Vec<i32> = (0..n + 63).map(|_| c.rng.i32(-10_000, 10_000)).collect();
    let va = c.buf(&a);
    for sel in [45i32, 1000] {
        let vo = c.buf(&vec![0i32; n]);
        if !c.run(
            [groups as u32, 1, 1],
            [block as u32, 1, 1],
            &[ptr(vo), ptr(va), ArgValue::i32(sel)],
        ) {
            return;
        }
        let want: Vec<i32> = (0..n)
            .map(|i| {
                let tmp = |k: i32| a[i + (k & 63) as usize] * (k & 63);
                tmp(sel) + tmp(sel + i as i32)
            })
            .collect();
        let got = c.read::<i32>(vo, n);
        c.expect(&format!("out(sel={sel})"), &got, &want);
    }
}

fn private_struct(c: &mut Ctx) {
    let (groups, block) = (3usize, 80usize);
    let n = groups * block;
    let a: Vec<f32> = (0..n * 20).map(|_| c.rng.f32(-10.0, 10.0)).collect();
    let va = c.buf(&a);
    for sel in [13i32, 7, 31] {
        let vo = c.buf(&vec![0f32; n]);
        if !c.run(
            [groups as u32, 1, 1],
            [block as u32, 1, 1],
            &[ptr(vo), ptr(va), ArgValue::i32(sel)],
        ) {
            return;
        }
        let want: Vec<f32> = (0..n)
            .map(|i| {
                let mut t = 0f32;
                for k in 0..(sel & 15) {
                    t += a[i * 20 + ((k * 7 + sel) % 20) as usize];
                }
                t
            })
            .collect();
        let got = c.read::<f32>(vo, n);
        c.expect(&format!("out(sel={sel})"), &got, &want);
    }
}

fn readlane(c: &mut Ctx) {
    let (groups, block) = (4usize, 96usize); // wave64: lanes 32-63 of wave 1 inactive
    let n = groups * block;
    let a: Vec<i32> = (0..n).map(|_| c.rng.i32(-1_000_000, 1_000_000)).collect();
    let va = c.buf(&a);
    let vo = c.buf(&vec![0i32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    let ws = c.ws();
    let want: Vec<i32> = (0..n)
        .map(|i| {
            let (w0, _) = wave_of(i, block, ws);
            let f = a[w0];
            f + a[w0 + 5] + a[w0 + (f & 31) as usize]
        })
        .collect();
    let got = c.read::<i32>(vo, n);
    c.expect("out", &got, &want);
}

fn saxpy(c: &mut Ctx) {
    let (groups, block, n) = (16usize, 64usize, 1000usize); // bounds check: partial last group
    let x: Vec<f32> = (0..n).map(|_| c.rng.f32(-10.0, 10.0)).collect();
    let y: Vec<f32> = (0..n).map(|_| c.rng.f32(-10.0, 10.0)).collect();
    let (vx, vy) = (c.buf(&x), c.buf(&y));
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[
            ArgValue::f32(2.5),
            ptr(vx),
            ptr(vy),
            ArgValue::u32(n as u32),
        ],
    ) {
        return;
    }
    let want: Vec<f32> = (0..n).map(|i| 2.5f32.mul_add(x[i], y[i])).collect(); // contracted
    let got = c.read::<f32>(vy, n);
    c.expect("y", &got, &want);
}

fn scalar_loop(c: &mut Ctx) {
    let (groups, block) = (3usize, 64usize);
    let total = groups * block;
    // Small trip counts: s * 31 overflows (UB on signed int) for n > 6.
    for (n, m) in [(6i32, 5i32), (4, -9), (0, 3)] {
        let vo = c.buf(&vec![0i32; total]);
        if !c.run(
            [groups as u32, 1, 1],
            [block as u32, 1, 1],
            &[ptr(vo), ArgValue::i32(n), ArgValue::i32(m)],
        ) {
            return;
        }
        let mut s = 0i32;
        for k in 0..n {
            s = s * 31 + (k ^ m) - (k >> 2);
        }
        let want = vec![s + if n > 5 { m } else { -m }; total];
        let got = c.read::<i32>(vo, total);
        c.expect(&format!("out(n={n}, m={m})"), &got, &want);
    }
}

fn select_minmax(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let mut a: Vec<i32> = (0..n).map(|_| c.rng.i32(-30_000, 30_000)).collect();
    a[..6].copy_from_slice(&[0, 7, 100, -100, 101, -101]);
    let mut b: Vec<f32> = (0..n).map(|_| c.rng.f32(-10.0, 10.0)).collect();
    b[..4].copy_from_slice(&[0.0, -0.0, 1.0, -4.0]);
    let (va, vb) = (c.buf(&a), c.buf(&b));
    let vo = c.buf(&vec![0i32; n]);
    let vf = c.buf(&vec![0f32; n + 1]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vf), ptr(va), ptr(vb)],
    ) {
        return;
    }
    let wo: Vec<i32> = a
        .iter()
        .map(|&x| {
            // abs() returns uint: the sum is modulo 2^32.
            (x.clamp(-100, 100) as u32)
                .wrapping_add(x.unsigned_abs())
                .wrapping_add((x - 7).unsigned_abs())
                .wrapping_add((x * x + 3) as u32) // mad24 (|x| < 2^23)
                .wrapping_add((x * 5) as u32) as i32
        })
        .collect();
    let g1 = |y: f32| if y > 0.0 { y } else { 0.25 * y };
    let g2 = |y: f32| y.clamp(-1.0, 1.0) + 2f32.copysign(y) + y.max(-4.0);
    let (go, gf) = (c.read::<i32>(vo, n), c.read::<f32>(vf, n + 1));
    c.expect("o", &go, &wo);
    // f[j] is stored by work-item j (first store) and j - 1 (second store):
    // either may land last.
    c.check("f", n + 1, |j| {
        let mut ok = Vec::new();
        if j < n {
            ok.push(g1(b[j]));
        }
        if j > 0 {
            ok.push(g2(b[j - 1]));
        }
        (!ok.iter().any(|w| w.to_bits() == gf[j].to_bits()))
            .then(|| format!("got {}, want one of {ok:?}", gf[j]))
    });
}

fn switch_loop(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let total = groups * block;
    let n = 24usize;
    let op: Vec<i32> = (0..n).map(|_| c.rng.i32(0, 4)).collect();
    let a: Vec<f32> = (0..total).map(|_| c.rng.f32(-10.0, 10.0)).collect();
    let (vop, va) = (c.buf(&op), c.buf(&a));
    let vo = c.buf(&vec![0f32; total]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(vop), ptr(va), ArgValue::i32(n as i32)],
    ) {
        return;
    }
    let want: Vec<f32> = a
        .iter()
        .map(|&x0| {
            let mut x = x0;
            for k in 0..n {
                x = match op[k] {
                    0 => x + 1.0,
                    1 => x * 2.0,
                    2 => x - a[k],
                    _ => -x,
                };
                if x > 1000.0 {
                    break;
                }
            }
            x
        })
        .collect();
    let got = c.read::<f32>(vo, total);
    c.expect("out", &got, &want);
}

fn uint_divmod(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let mut a: Vec<u32> = (0..n).map(|_| c.rng.u32()).collect();
    a[..4].copy_from_slice(&[0, 1, u32::MAX, 0x8000_0000]);
    let va = c.buf(&a);
    for d in [7u32, 1, 0x12345, 0xffff_fffe, 0x8000_0001] {
        let (vq, vr) = (c.buf(&vec![0u32; n]), c.buf(&vec![0u32; n]));
        if !c.run(
            [groups as u32, 1, 1],
            [block as u32, 1, 1],
            &[ptr(vq), ptr(vr), ptr(va), ArgValue::u32(d)],
        ) {
            return;
        }
        let wq: Vec<u32> = a.iter().map(|&x| x / d).collect();
        let wr: Vec<u32> = a.iter().map(|&x| x % d.wrapping_add(3)).collect();
        let (gq, gr) = (c.read::<u32>(vq, n), c.read::<u32>(vr, n));
        c.expect(&format!("q(d={d:#x})"), &gq, &wq);
        c.expect(&format!("r(d={d:#x})"), &gr, &wr);
    }
}

fn vector_types(c: &mut Ctx) {
    let (groups, block) = (3usize, 80usize);
    let n = groups * block;
    let a: Vec<f32> = (0..4 * n).map(|_| c.rng.f32(-4.0, 4.0)).collect();
    // Some ints beyond 2^24 so int -> float rounds.
    let b: Vec<i32> = (0..4 * n)
        .map(|k| {
            if k % 7 == 0 {
                c.rng.u32() as i32
            } else {
                c.rng.i32(-100_000, 100_000)
            }
        })
        .collect();
    let (va, vb) = (c.buf(&a), c.buf(&b));
    let vo = c.buf(&vec![0f32; 4 * n]);
    let vc = c.buf(&vec![0u8; 4 * n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va), ptr(vb), ptr(vc)],
    ) {
        return;
    }
    // clang contracts x * float(y) + c into v_fma_f32.
    let wo: Vec<f32> = (0..4 * n)
        .map(|k| a[k].mul_add(b[k] as f32, (k % 4 + 1) as f32))
        .collect();
    let wc: Vec<u8> = b.iter().map(|&y| (y & 255) as u8).collect();
    let (go, gc) = (c.read::<f32>(vo, 4 * n), c.read::<u8>(vc, 4 * n));
    c.expect("out", &go, &wo);
    c.expect("c", &gc, &wc);
}

fn wave_intrinsics(c: &mut Ctx) {
    let (groups, block) = (4usize, 80usize);
    let n = groups * block;
    let mut a: Vec<u32> = (0..n).map(|_| c.rng.u32()).collect();
    a[..4].copy_from_slice(&[0, u32::MAX, 0x8000_0000, 0x0101_0101]);
    let va = c.buf(&a);
    let vo = c.buf(&vec![0u32; n]);
    if !c.run(
        [groups as u32, 1, 1],
        [block as u32, 1, 1],
        &[ptr(vo), ptr(va)],
    ) {
        return;
    }
    // s_getreg_b32 hwreg(HW_REG_MODE, 0, 4): the FP round modes, which the
    // wave starts with from COMPUTE_PGM_RSRC1.FLOAT_MODE[3:0].
    let co = CodeObject::parse(c.hsaco).expect("parse");
    let mode = (co.kernel(c.kernel).expect("kernel").descriptor.rsrc1 >> 12) & 0xf;
    let bytes = |x: u32| x.to_le_bytes().map(|b| b as u32);
    let want: Vec<u32> = a
        .iter()
        .map(|&v| {
            let ubfe = (v >> 3) & 0x7f;
            let sbfe = ((v << 22) as i32 >> 23) as u32;
            let align = ((((v as u64) << 32) | v.wrapping_add(1) as u64) >> 9) as u32;
            // v_lerp_u8: per byte (a + b + low bit of c's byte) >> 1
            let (x, y, z) = (bytes(v), bytes(v.wrapping_mul(3)), bytes(5));
            let lerp = (0..4).fold(0u32, |r, k| {
                r | ((x[k] + y[k] + (z[k] & 1)) >> 1) << (8 * k)
            });
            let sad = (0..4).map(|k| x[k].abs_diff(bytes(17)[k])).sum::<u32>() + 9;
            ubfe.wrapping_add(sbfe)
                .wrapping_add(align)
                .wrapping_add(lerp)
                .wrapping_add(sad)
                .wrapping_add(mode)
        })
        .collect();
    let got = c.read::<u32>(vo, n);
    c.expect("out", &got, &want);
}
