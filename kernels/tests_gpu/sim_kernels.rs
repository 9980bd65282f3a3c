//! Runs the embedded gfx1010 kernels on the sim's wave executor (`sim::exec`, flat memory)
//! and compares them with CPU references written here from the ggml definitions
//! (ggml-org/llama.cpp `ggml/src/ggml-quants.c` `dequantize_row_*`, `ggml.c` rope / gelu),
//! on seeded random data with odd sizes.

use kernels::{find, gemv_grid, gemv_group, Target, EXPF_TABLE, KERNARG_SLACK, WORKGROUP_SIZE};
use loader::{ArgValue, CodeObject, Dispatch, KernargBuilder, UserSgprValues};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::exec::{Budget, DispatchCounters, DispatchState, Executor, FlatMemory};

/// A tiny "device": flat memory, bump allocator, code objects loaded on demand.
struct Gpu {
    target: Target,
    mem: FlatMemory,
    ex: Executor,
    next: u64,
    loaded: Vec<(&'static str, u64, loader::LoadImage)>,
}

impl Gpu {
    fn new(target: Target) -> Self {
        Gpu {
            target,
            mem: FlatMemory::new(),
            ex: Executor::new(),
            next: 0x1_0000_0000,
            loaded: vec![],
        }
    }

    fn upload(&mut self, bytes: Vec<u8>) -> u64 {
        let va = self.next;
        self.next += (bytes.len() as u64 + 0xffff) & !0xffff;
        self.next += 0x1_0000; // guard gap: out-of-bounds accesses fault
        self.mem.map(va, bytes);
        va
    }
    fn f32s(&mut self, v: &[f32]) -> u64 {
        self.upload(v.iter().flat_map(|x| x.to_le_bytes()).collect())
    }
    fn zeros(&mut self, n: usize) -> u64 {
        self.upload(vec![0; n])
    }
    fn read_f32(&self, va: u64) -> Vec<f32> {
        let r = self.mem.region(va).unwrap();
        r.chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }
    fn read_u32(&self, va: u64) -> Vec<u32> {
        let r = self.mem.region(va).unwrap();
        r.chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    fn run(&mut self, name: &str, grid: [u32; 2], args: Vec<ArgValue>) -> DispatchCounters {
        let k = find(self.target, name).unwrap();
        let co = CodeObject::parse(k.code_object).unwrap();
        let kern = co.kernel(name).unwrap().clone();
        if !self.loaded.iter().any(|(f, _, _)| *f == k.file) {
            let base = self.next;
            let img = co.load(base).unwrap();
            self.upload(img.bytes.clone());
            self.loaded.push((k.file, base, img));
        }
        let img = &self.loaded.iter().find(|(f, _, _)| *f == k.file).unwrap().2;
        let entry = img.kernel(name).unwrap().entry_address;
        let mut kb = KernargBuilder::new(&kern.metadata);
        for a in args {
            kb.push(a).unwrap();
        }
        kb.dispatch(
            Dispatch::from_workgroups([grid[0], grid[1], 1], [WORKGROUP_SIZE, 1, 1]).unwrap(),
        );
        let ka = kb.build().unwrap();
        // s_load_dwordx4/x8 may read past the segment's end: allocate slack.
        let mut kbytes = ka.bytes.clone();
        kbytes.resize(kbytes.len() + KERNARG_SLACK as usize, 0);
        let karg = self.upload(kbytes);
        let layout = loader::sgpr_layout(&kern.descriptor, &kern.name).unwrap();
        let ud = layout.user_data(&UserSgprValues {
            kernarg_ptr: karg,
            kernarg: ka.bytes.clone(),
            ..Default::default()
        });
        let mut user_data = [0u32; 16];
        user_data[..ud.len()].copy_from_slice(&ud);
        let d = &kern.descriptor;
        let lds = ka.lds_bytes.div_ceil(512);
        let state = DispatchState {
            pgm_va: entry,
            rsrc1: d.rsrc1,
            rsrc2: (d.rsrc2 & !(0x1ff << 15)) | (lds << 15),
            rsrc3: d.rsrc3,
            user_data,
            block: [WORKGROUP_SIZE, 1, 1],
            grid: [grid[0], grid[1], 1],
            wave32: d.wave32,
            target: match self.target {
                Target::Gfx1010 => sim::exec::Target::Gfx1010,
                _ => sim::exec::Target::Gfx1030,
            },
            ..Default::default()
        };
        self.ex
            .run(&state, &mut self.mem, &Budget::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

// ---------- half ----------

fn h2f(h: u16) -> f32 {
    let s = if h >> 15 != 0 { -1.0 } else { 1.0 };
    let e = ((h >> 10) & 31) as i32;
    let m = (h & 1023) as f32;
    s * if e == 0 {
        m * 2f32.powi(-24)
    } else {
        (1.0 + m / 1024.0) * 2f32.powi(e - 15)
    }
}
/// A random finite half in about ±[2^-6, 2).
fn rand_half(r: &mut StdRng) -> u16 {
    ((r.gen::<bool>() as u16) << 15) | (r.gen_range(9u16..16) << 10) | r.gen_range(0u16..1024)
}

/// The bits of the half nearest to `x` (|x| < 65520).
fn f16_bits(x: f32) -> u16 {
    let r = round_f16(x);
    let sign = if r.is_sign_negative() { 0x8000 } else { 0 };
    let a = r.abs();
    if a < 2f32.powi(-14) {
        return sign | (a / 2f32.powi(-24)) as u16;
    }
    let e = ((a.to_bits() >> 23) & 0xff) as i32 - 127;
    let m = (a / 2f32.powi(e) - 1.0) * 1024.0;
    sign | (((e + 15) as u16) << 10) | m as u16
}

/// f32 → f16 → f32, round to nearest even (ggml_fp32_to_fp16 / F16C), normal and subnormal
/// halves.
fn round_f16(x: f32) -> f32 {
    let a = x.abs();
    if a >= 65520.0 {
        return f32::INFINITY.copysign(x);
    }
    // Spacing of halves around a: 2^(e - 10) for normal halves, 2^-24 below 2^-14.
    let e = if a < 2f32.powi(-14) {
        -14
    } else {
        ((a.to_bits() >> 23) & 0xff) as i32 - 127
    };
    let ulp = 2f64.powi(e - 10);
    (((a as f64) / ulp).round_ties_even() * ulp).copysign(x as f64) as f32
}

// ---------- quant formats (ggml-common.h) ----------

#[derive(Clone, Copy, Debug)]
#[allow(clippy::enum_variant_names)]
enum Q {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q8_0,
    Q4K,
    Q6K,
}

impl Q {
    /// (values per block, bytes per block)
    fn block(self) -> (usize, usize) {
        match self {
            Q::F32 => (1, 4),
            Q::F16 => (1, 2),
            Q::Q4_0 => (32, 18),
            Q::Q4_1 => (32, 20),
            Q::Q5_0 => (32, 22),
            Q::Q8_0 => (32, 34),
            Q::Q4K => (256, 144),
            Q::Q6K => (256, 210),
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Q::F32 => "f32",
            Q::F16 => "f16",
            Q::Q4_0 => "q4_0",
            Q::Q4_1 => "q4_1",
            Q::Q5_0 => "q5_0",
            Q::Q8_0 => "q8_0",
            Q::Q4K => "q4_k",
            Q::Q6K => "q6_k",
        }
    }

    /// One random block with sane (finite, moderate) scale fields.
    fn rand_block(self, r: &mut StdRng) -> Vec<u8> {
        let (_, nbytes) = self.block();
        let mut b: Vec<u8> = (0..nbytes).map(|_| r.gen()).collect();
        let mut put_half = |b: &mut Vec<u8>, at: usize| {
            let h = rand_half(r);
            b[at..at + 2].copy_from_slice(&h.to_le_bytes());
        };
        match self {
            Q::F32 => b.copy_from_slice(&r.gen_range(-2.0f32..2.0).to_le_bytes()),
            Q::F16 | Q::Q4_0 | Q::Q5_0 | Q::Q8_0 => put_half(&mut b, 0),
            Q::Q4_1 | Q::Q4K => {
                put_half(&mut b, 0);
                put_half(&mut b, 2);
            }
            Q::Q6K => put_half(&mut b, 208),
        }
        b
    }

    /// ggml dequantize_row_* for one block.
    fn dequant(self, b: &[u8]) -> Vec<f32> {
        let hf = |i: usize| h2f(u16::from_le_bytes([b[i], b[i + 1]]));
        match self {
            Q::F32 => vec![f32::from_le_bytes(b[0..4].try_into().unwrap())],
            Q::F16 => vec![hf(0)],
            Q::Q4_0 => {
                let d = hf(0);
                let mut y = vec![0.0; 32];
                for j in 0..16 {
                    y[j] = ((b[2 + j] & 15) as i32 - 8) as f32 * d;
                    y[j + 16] = ((b[2 + j] >> 4) as i32 - 8) as f32 * d;
                }
                y
            }
            Q::Q4_1 => {
                let (d, m) = (hf(0), hf(2));
                let mut y = vec![0.0; 32];
                for j in 0..16 {
                    y[j] = (b[4 + j] & 15) as f32 * d + m;
                    y[j + 16] = (b[4 + j] >> 4) as f32 * d + m;
                }
                y
            }
            Q::Q5_0 => {
                let d = hf(0);
                let qh = u32::from_le_bytes(b[2..6].try_into().unwrap());
                let mut y = vec![0.0; 32];
                for j in 0..16 {
                    let xh0 = ((qh >> j) << 4) & 0x10;
                    let xh1 = (qh >> (j + 12)) & 0x10;
                    y[j] = (((b[6 + j] as u32 & 15) | xh0) as i32 - 16) as f32 * d;
                    y[j + 16] = (((b[6 + j] as u32 >> 4) | xh1) as i32 - 16) as f32 * d;
                }
                y
            }
            Q::Q8_0 => (0..32).map(|j| b[2 + j] as i8 as f32 * hf(0)).collect(),
            Q::Q4K => {
                let (d, dmin) = (hf(0), hf(2));
                let sc = &b[4..16];
                let scale_min = |j: usize| -> (u8, u8) {
                    if j < 4 {
                        (sc[j] & 63, sc[j + 4] & 63)
                    } else {
                        (
                            (sc[j + 4] & 0xF) | ((sc[j - 4] >> 6) << 4),
                            (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4),
                        )
                    }
                };
                let mut y = Vec::with_capacity(256);
                let mut q = 16;
                let mut is = 0;
                for _ in 0..4 {
                    let (s1, m1) = scale_min(is);
                    let (s2, m2) = scale_min(is + 1);
                    let (d1, m1) = (d * s1 as f32, dmin * m1 as f32);
                    let (d2, m2) = (d * s2 as f32, dmin * m2 as f32);
                    for l in 0..32 {
                        y.push(d1 * (b[q + l] & 0xF) as f32 - m1);
                    }
                    for l in 0..32 {
                        y.push(d2 * (b[q + l] >> 4) as f32 - m2);
                    }
                    q += 32;
                    is += 2;
                }
                y
            }
            Q::Q6K => {
                let d = hf(208);
                let mut y = vec![0.0; 256];
                for n in 0..2 {
                    let (ql, qh, sc) = (&b[64 * n..], &b[128 + 32 * n..], &b[192 + 8 * n..]);
                    for l in 0..32 {
                        let is = l / 16;
                        let q1 = ((ql[l] & 0xF) | ((qh[l] & 3) << 4)) as i32 - 32;
                        let q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) as i32 - 32;
                        let q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i32 - 32;
                        let q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i32 - 32;
                        let s = |i: usize| sc[i] as i8 as f32;
                        y[128 * n + l] = d * s(is) * q1 as f32;
                        y[128 * n + l + 32] = d * s(is + 2) * q2 as f32;
                        y[128 * n + l + 64] = d * s(is + 4) * q3 as f32;
                        y[128 * n + l + 96] = d * s(is + 6) * q4 as f32;
                    }
                }
                y
            }
        }
    }

    /// Random matrix rows x cols: (bytes, dequantised f32 values).
    fn rand_matrix(self, r: &mut StdRng, rows: usize, cols: usize) -> (Vec<u8>, Vec<f32>) {
        let (qk, _) = self.block();
        assert_eq!(cols % qk, 0);
        let (mut bytes, mut vals) = (vec![], vec![]);
        for _ in 0..rows * cols / qk {
            let b = self.rand_block(r);
            vals.extend(self.dequant(&b));
            bytes.extend(b);
        }
        (bytes, vals)
    }
}

const ALL_Q: [Q; 8] = [
    Q::F32,
    Q::F16,
    Q::Q4_0,
    Q::Q4_1,
    Q::Q5_0,
    Q::Q8_0,
    Q::Q4K,
    Q::Q6K,
];

fn rand_vec(r: &mut StdRng, n: usize, scale: f32) -> Vec<f32> {
    (0..n).map(|_| r.gen_range(-scale..scale)).collect()
}

fn assert_close(name: &str, got: &[f32], want: &[f32], tol: impl Fn(usize) -> f32) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for i in 0..got.len() {
        let t = tol(i);
        assert!(
            (got[i] - want[i]).abs() <= t,
            "{name}[{i}]: gpu {} vs cpu {} (tol {t})",
            got[i],
            want[i]
        );
    }
}

// ---------- tests ----------

/// The float-activation GEMVs (F16/F32 weights; the quantized formats take a quantized
/// activation and are checked against the CPU engine's integer dot products in
/// engine/tests/gpu_quant.rs).
fn gemv_float_formats_odd_sizes_on(target: Target) {
    let mut r = StdRng::seed_from_u64(1);
    for q in [Q::F32, Q::F16] {
        let (qk, _) = q.block();
        // odd row counts (not a multiple of the 2 rows per workgroup), K not a multiple of
        // 256 where the block allows, K smaller and larger than one wave's stride.
        let shapes: &[(usize, usize)] = match qk {
            1 => &[(7, 37), (33, 300)],
            32 => &[(5, 96), (13, 1312)],
            _ => &[(5, 256), (11, 2304)],
        };
        for &(rows, cols) in shapes {
            let units = if qk == 1 { cols } else { cols / 32 } as u32;
            // The dispatcher's choice, plus one row per lane and one row per wave.
            for group in [gemv_group(units), 1, 32] {
                let (w, wf) = q.rand_matrix(&mut r, rows, cols);
                let x = rand_vec(&mut r, cols, 1.0);
                let mut g = Gpu::new(target);
                let (wv, xv, yv) = (g.upload(w), g.f32s(&x), g.zeros(4 * rows));
                let name = format!("gemv_{}", q.suffix());
                let c = g.run(
                    &name,
                    [gemv_grid(rows as u32, group), 1],
                    vec![
                        ArgValue::Pointer(wv),
                        ArgValue::Pointer(xv),
                        ArgValue::Pointer(yv),
                        ArgValue::u32(rows as u32),
                        ArgValue::u32(cols as u32),
                        ArgValue::u32(group),
                    ],
                );
                // every weight byte read exactly once; x re-read per row (from cache on hardware)
                let ideal = (rows * cols * q.block().1 / qk + 4 * cols * rows + 4 * rows) as u64;
                println!(
                "{} {name} {rows}x{cols} group {group}: {} instr ({} valu), global read {} B (weights+x per row {} B), lane util {:.2}",
                target.name(),
                c.total_instructions(),
                c.instructions[1],
                c.global_bytes_read,
                ideal,
                c.valu_utilisation()
            );
                let got = g.read_f32(yv);
                let mut want = vec![0.0; rows];
                let mut mag = vec![0.0; rows];
                for i in 0..rows {
                    let row = &wf[i * cols..(i + 1) * cols];
                    want[i] = row
                        .iter()
                        .zip(&x)
                        .map(|(a, b)| *a as f64 * *b as f64)
                        .sum::<f64>() as f32;
                    mag[i] = row.iter().zip(&x).map(|(a, b)| (a * b).abs()).sum::<f32>();
                }
                assert_close(
                    &format!("{name} {rows}x{cols} group {group}"),
                    &got,
                    &want,
                    |i| 1e-5 * mag[i] + 1e-6,
                );
            }
        }
    }
}

fn get_rows_every_format_on(target: Target) {
    let mut r = StdRng::seed_from_u64(2);
    for q in ALL_Q {
        let (qk, _) = q.block();
        let (rows, cols) = (
            9,
            if qk == 256 {
                512
            } else if qk == 32 {
                96
            } else {
                70
            },
        );
        let (w, wf) = q.rand_matrix(&mut r, rows, cols);
        let ids = [7u32, 0, 3];
        let mut g = Gpu::new(target);
        let wv = g.upload(w);
        let iv = g.upload(ids.iter().flat_map(|i| i.to_le_bytes()).collect());
        let ov = g.zeros(4 * cols * ids.len());
        let name = format!("get_rows_{}", q.suffix());
        g.run(
            &name,
            [cols.div_ceil(64) as u32, ids.len() as u32],
            vec![
                ArgValue::Pointer(wv),
                ArgValue::Pointer(iv),
                ArgValue::Pointer(ov),
                ArgValue::u32(cols as u32),
                ArgValue::f32(1.5),
            ],
        );
        let want: Vec<f32> = ids
            .iter()
            .flat_map(|&i| {
                wf[i as usize * cols..(i as usize + 1) * cols]
                    .iter()
                    .map(|v| v * 1.5)
            })
            .collect();
        assert_close(&name, &g.read_f32(ov), &want, |i| {
            1e-6 * want[i].abs().max(1.0)
        });
    }
}

fn rms_norm_plain_and_gemma_on(target: Target) {
    let mut r = StdRng::seed_from_u64(3);
    for (rows, n, add_one) in [(3usize, 640usize, 0u32), (4, 100, 1), (1, 7, 0)] {
        let x = rand_vec(&mut r, rows * n, 3.0);
        let w = rand_vec(&mut r, n, 1.0);
        let mut g = Gpu::new(target);
        let (xv, wv, ov) = (g.f32s(&x), g.f32s(&w), g.zeros(4 * rows * n));
        g.run(
            "rms_norm",
            [rows as u32, 1],
            vec![
                ArgValue::Pointer(xv),
                ArgValue::Pointer(wv),
                ArgValue::Pointer(ov),
                ArgValue::u32(n as u32),
                ArgValue::f32(1e-6),
                ArgValue::u32(add_one),
            ],
        );
        let mut want = vec![0.0; rows * n];
        for i in 0..rows {
            let xr = &x[i * n..(i + 1) * n];
            let ms = xr.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / n as f64;
            let inv = 1.0 / (ms + 1e-6).sqrt();
            for j in 0..n {
                want[i * n + j] = (xr[j] as f64 * inv * (w[j] as f64 + add_one as f64)) as f32;
            }
        }
        assert_close("rms_norm", &g.read_f32(ov), &want, |i| {
            2e-5 * want[i].abs().max(1.0)
        });
    }
}

/// Rotation with the table's (cos, sin) of row `pos`, in f32 as the CPU engine rotates.
fn rope_ref(x: &mut [f32], n_heads: usize, hd: usize, n_rot: usize, row: &[f32], neox: bool) {
    for h in 0..n_heads {
        for i in 0..n_rot / 2 {
            let (c, s) = (row[2 * i], row[2 * i + 1]);
            let (i0, i1) = if neox {
                (i, i + n_rot / 2)
            } else {
                (2 * i, 2 * i + 1)
            };
            let (a, b) = (x[h * hd + i0], x[h * hd + i1]);
            x[h * hd + i0] = a * c - b * s;
            x[h * hd + i1] = a * s + b * c;
        }
    }
}

fn rope_normal_and_neox_on(target: Target) {
    let mut r = StdRng::seed_from_u64(4);
    for (n_heads, hd, n_rot, pos, base, neox) in [
        (3usize, 64usize, 64usize, 5u32, 10000.0f32, false),
        (4, 256, 256, 1234, 1_000_000.0, true),
        (2, 48, 32, 77, 10000.0, true),
    ] {
        let x = rand_vec(&mut r, n_heads * hd, 2.0);
        // Angle table [pos][i] = (cos, sin) for positions 0..=pos; rows other than `pos`
        // hold noise, so reading the wrong row shows.
        let half = n_rot / 2;
        let mut table = rand_vec(&mut r, (pos as usize + 1) * n_rot, 1.0);
        for i in 0..half {
            let theta = pos as f64 * (base as f64).powf(-2.0 * i as f64 / n_rot as f64);
            table[(pos as usize * half + i) * 2] = theta.cos() as f32;
            table[(pos as usize * half + i) * 2 + 1] = theta.sin() as f32;
        }
        let mut g = Gpu::new(target);
        let (xv, tv) = (g.f32s(&x), g.f32s(&table));
        let pairs = n_heads * half;
        g.run(
            "rope",
            [pairs.div_ceil(64) as u32, 1],
            vec![
                ArgValue::Pointer(xv),
                ArgValue::u32(n_heads as u32),
                ArgValue::u32(hd as u32),
                ArgValue::u32(n_rot as u32),
                ArgValue::u32(pos),
                ArgValue::Pointer(tv),
                ArgValue::u32(neox as u32),
            ],
        );
        let mut want = x.clone();
        let row = &table[pos as usize * n_rot..(pos as usize + 1) * n_rot];
        rope_ref(&mut want, n_heads, hd, n_rot, row, neox);
        assert_close("rope", &g.read_f32(xv), &want, |_| 0.0);
    }
}

fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x)).tanh())
}

fn elementwise_kernels_on(target: Target) {
    let mut r = StdRng::seed_from_u64(5);
    let n = 301;
    let a = rand_vec(&mut r, n, 6.0);
    let b = rand_vec(&mut r, n, 2.0);
    let mut g = Gpu::new(target);
    let (av, bv) = (g.f32s(&a), g.f32s(&b));
    let grid = [n.div_ceil(64) as u32, 1];
    let three = |g: &mut Gpu, name: &str| {
        let o = g.zeros(4 * n);
        g.run(
            name,
            grid,
            vec![
                ArgValue::Pointer(av),
                ArgValue::Pointer(bv),
                ArgValue::Pointer(o),
                ArgValue::u32(n as u32),
            ],
        );
        g.read_f32(o)
    };
    // SiLU as the CPU engine computes it (f32::exp = glibc's expf, IEEE division): equal.
    let silu: Vec<f32> = (0..n)
        .map(|i| a[i] / (1.0 + (-a[i]).exp()) * b[i])
        .collect();
    let tab = g.upload(EXPF_TABLE.iter().flat_map(|t| t.to_le_bytes()).collect());
    let o = g.zeros(4 * n);
    g.run(
        "glu_silu",
        grid,
        vec![
            ArgValue::Pointer(av),
            ArgValue::Pointer(bv),
            ArgValue::Pointer(tab),
            ArgValue::Pointer(o),
            ArgValue::u32(n as u32),
        ],
    );
    assert_close("glu_silu", &g.read_f32(o), &silu, |_| 0.0);
    // GELU by table (the host fills it; here GELU-tanh of every half, in f64): exact
    // lookups at the f16 bits of the input, and the pass-through / zero beyond ±10.
    let table: Vec<f32> = (0..=u16::MAX).map(|h| gelu(h2f(h) as f64) as f32).collect();
    let mut ga = a.clone();
    ga[3] = -10.0;
    ga[5] = 10.0;
    ga[7] = 12.5;
    ga[9] = -9.999;
    let (gav, tv, o) = (g.f32s(&ga), g.f32s(&table), g.zeros(4 * n));
    g.run(
        "glu_gelu_table",
        grid,
        vec![
            ArgValue::Pointer(gav),
            ArgValue::Pointer(bv),
            ArgValue::Pointer(tv),
            ArgValue::Pointer(o),
            ArgValue::u32(n as u32),
        ],
    );
    let ge: Vec<f32> = ga
        .iter()
        .zip(&b)
        .map(|(&x, &y)| {
            let v = if x <= -10.0 {
                0.0
            } else if x >= 10.0 {
                x
            } else {
                table[f16_bits(x) as usize]
            };
            v * y
        })
        .collect();
    assert_close("glu_gelu_table", &g.read_f32(o), &ge, |_| 0.0);
    let add: Vec<f32> = (0..n).map(|i| a[i] + b[i]).collect();
    assert_close("add_f32", &three(&mut g, "add_f32"), &add, |_| 0.0);

    let xv = g.f32s(&a);
    g.run(
        "scale_f32",
        grid,
        vec![
            ArgValue::Pointer(xv),
            ArgValue::u32(n as u32),
            ArgValue::f32(0.25),
        ],
    );
    let sc: Vec<f32> = a.iter().map(|v| v * 0.25).collect();
    assert_close("scale_f32", &g.read_f32(xv), &sc, |_| 0.0);

    let logits: Vec<f32> = rand_vec(&mut r, n, 80.0);
    let xv = g.f32s(&logits);
    g.run(
        "softcap",
        grid,
        vec![
            ArgValue::Pointer(xv),
            ArgValue::u32(n as u32),
            ArgValue::f32(30.0),
        ],
    );
    let cap: Vec<f32> = logits
        .iter()
        .map(|v| (30.0 * (*v as f64 / 30.0).tanh()) as f32)
        .collect();
    assert_close("softcap", &g.read_f32(xv), &cap, |_| 1e-4);
}

fn argmax_two_pass_with_ties_on(target: Target) {
    let mut r = StdRng::seed_from_u64(6);
    let n = 5003;
    let mut x = rand_vec(&mut r, n, 10.0);
    x[4000] = 50.0;
    x[1234] = 50.0; // tie: lowest index wins
    x[17] = f32::NAN; // skipped
    let chunk = 512u32;
    let parts = n.div_ceil(chunk as usize);
    let mut g = Gpu::new(target);
    let xv = g.f32s(&x);
    let (pv, pi) = (g.zeros(4 * parts), g.zeros(4 * parts));
    g.run(
        "argmax_partial",
        [parts as u32, 1],
        vec![
            ArgValue::Pointer(xv),
            ArgValue::u32(n as u32),
            ArgValue::u32(chunk),
            ArgValue::Pointer(pv),
            ArgValue::Pointer(pi),
        ],
    );
    let (oi, ov) = (g.zeros(4), g.zeros(4));
    g.run(
        "argmax_final",
        [1, 1],
        vec![
            ArgValue::Pointer(pv),
            ArgValue::Pointer(pi),
            ArgValue::u32(parts as u32),
            ArgValue::Pointer(oi),
            ArgValue::Pointer(ov),
        ],
    );
    assert_eq!(g.read_u32(oi), vec![1234]);
    assert_eq!(g.read_f32(ov), vec![50.0]);
}

/// The CPU reference engine's attention (engine/src/model/forward.rs), in the same f32
/// operations and order: f16-rounded q·scale, K and V; q·k in 8 interleaved lanes
/// (engine::model::ops::dot_lanes); softmax with
/// f32::exp, an f64 sum, f16-rounded normalised weights; sequential weighted sum.
#[allow(clippy::too_many_arguments)]
fn attn_ref(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    n_head: usize,
    n_kv: usize,
    hd: usize,
    kv_len: usize,
    window: usize,
    q_scale: f32,
    score_scale: f32,
) -> Vec<f32> {
    let lo = if window != 0 && kv_len > window {
        kv_len - window
    } else {
        0
    };
    let mut out = vec![0.0; n_head * hd];
    for h in 0..n_head {
        let kvh = h / (n_head / n_kv);
        let qv: Vec<f32> = q[h * hd..(h + 1) * hd]
            .iter()
            .map(|x| round_f16(x * q_scale))
            .collect();
        let mut s: Vec<f32> = (lo..kv_len)
            .map(|t| {
                let kr = &k[(t * n_kv + kvh) * hd..(t * n_kv + kvh + 1) * hd];
                // dot_lanes: element i adds into lane i % 8, then the lanes pair up.
                let mut acc = [0f32; 8];
                for (i, (a, b)) in qv.iter().zip(kr).enumerate() {
                    acc[i % 8] += a * round_f16(*b);
                }
                let dot = ((acc[0] + acc[4]) + (acc[2] + acc[6]))
                    + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
                dot * score_scale
            })
            .collect();
        let m = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0f64;
        for x in s.iter_mut() {
            *x = (*x - m).exp();
            sum += *x as f64;
        }
        let inv = (1.0 / sum) as f32;
        for x in s.iter_mut() {
            *x = round_f16(*x * inv);
        }
        for d in 0..hd {
            out[h * hd + d] = (lo..kv_len).zip(&s).fold(0f32, |a, (t, p)| {
                a + p * round_f16(v[(t * n_kv + kvh) * hd + d])
            });
        }
    }
    out
}

fn attention_gqa_window_and_split_on(target: Target) {
    let mut r = StdRng::seed_from_u64(7);
    // (n_head, n_kv_head, head_dim, kv_len, window, scale the query (gemma3) or the scores
    // (llama))
    for (n_head, n_kv, hd, kv_len, window, scale_q) in [
        (4usize, 1usize, 256usize, 150usize, 0usize, true),
        (6, 2, 64, 37, 16, false),
        (3, 3, 100, 200, 0, true),
    ] {
        let q = rand_vec(&mut r, n_head * hd, 1.0);
        let k = rand_vec(&mut r, kv_len * n_kv * hd, 1.0);
        let v = rand_vec(&mut r, kv_len * n_kv * hd, 1.0);
        let scale = 1.0 / (hd as f32).sqrt();
        let (q_scale, score_scale) = if scale_q { (scale, 1.0) } else { (1.0, scale) };
        let want = attn_ref(
            &q,
            &k,
            &v,
            n_head,
            n_kv,
            hd,
            kv_len,
            window,
            q_scale,
            score_scale,
        );
        let mut g = Gpu::new(target);
        let (qv, kv, vv) = (g.f32s(&q), g.f32s(&k), g.f32s(&v));
        let tail = || {
            vec![
                ArgValue::u32(n_head as u32),
                ArgValue::u32(n_kv as u32),
                ArgValue::u32(hd as u32),
                ArgValue::u32(kv_len as u32),
                ArgValue::u32(window as u32),
                ArgValue::f32(q_scale),
                ArgValue::f32(score_scale),
            ]
        };
        let ov = g.zeros(4 * n_head * hd);
        let p = ArgValue::Pointer;
        let tab = g.upload(EXPF_TABLE.iter().flat_map(|t| t.to_le_bytes()).collect());
        let mut args = vec![p(qv), p(kv), p(vv), p(tab), p(ov)];
        args.extend(tail());
        g.run("attn_decode", [n_head as u32, 1], args);
        // The CPU's operations in the CPU's order: equal.
        assert_close("attn_decode", &g.read_f32(ov), &want, |_| 0.0);

        // split-K: 5 splits of 48 positions (the last ones may be empty): statistics,
        // weighted sums, combine
        let (split_len, n_split) = (48u32, 5u32);
        let split = [ArgValue::u32(split_len), ArgValue::u32(n_split)];
        let ns = n_split as usize;
        let (mv, sv) = (g.zeros(4 * n_head * ns), g.zeros(8 * n_head * ns));
        let pv = g.zeros(4 * n_head * ns * hd);
        let grid = [n_head as u32, n_split];
        let with_tail = |mut a: Vec<ArgValue>| {
            a.extend(tail());
            a.extend(split.clone());
            a
        };
        g.run("attn_max_split", grid, with_tail(vec![p(qv), p(kv), p(mv)]));
        g.run(
            "attn_sum_split",
            grid,
            with_tail(vec![p(qv), p(kv), p(tab), p(mv), p(sv)]),
        );
        g.run(
            "attn_decode_split",
            grid,
            with_tail(vec![p(qv), p(kv), p(vv), p(tab), p(mv), p(sv), p(pv)]),
        );
        let ov2 = g.zeros(4 * n_head * hd);
        g.run(
            "attn_combine",
            [n_head as u32, 1],
            vec![
                ArgValue::Pointer(pv),
                ArgValue::Pointer(ov2),
                ArgValue::u32(hd as u32),
                ArgValue::u32(n_split),
            ],
        );
        // Same weights; the sum over positions is grouped by split.
        assert_close("attn_decode_split+combine", &g.read_f32(ov2), &want, |_| {
            1e-5
        });
    }
}

/// Builds the sim's executor can run: gfx1010 (the RX 5700 XT) and gfx1030.
const SIM_TARGETS: [Target; 2] = [Target::Gfx1010, Target::Gfx1030];

#[test]
fn gemv_float_formats_odd_sizes() {
    for t in SIM_TARGETS {
        gemv_float_formats_odd_sizes_on(t);
    }
}

#[test]
fn get_rows_every_format() {
    for t in SIM_TARGETS {
        get_rows_every_format_on(t);
    }
}

#[test]
fn rms_norm_plain_and_gemma() {
    for t in SIM_TARGETS {
        rms_norm_plain_and_gemma_on(t);
    }
}

#[test]
fn rope_normal_and_neox() {
    for t in SIM_TARGETS {
        rope_normal_and_neox_on(t);
    }
}

#[test]
fn elementwise_kernels() {
    for t in SIM_TARGETS {
        elementwise_kernels_on(t);
    }
}

#[test]
fn argmax_two_pass_with_ties() {
    for t in SIM_TARGETS {
        argmax_two_pass_with_ties_on(t);
    }
}

#[test]
fn attention_gqa_window_and_split() {
    for t in SIM_TARGETS {
        attention_gqa_window_and_split_on(t);
    }
}
