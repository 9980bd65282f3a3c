//! The activation quantizers (`quantize_q8`, `quantize_q8k`) and the integer GEMV kernels on
//! the simulator against the CPU reference engine: the quantized activation must be
//! bit-identical to engine::quant::q8, and each GEMV row bit-identical to
//! engine::quant::vec_dot.

use engine::gguf::GgmlType;
use engine::gpu::{Arg, Buffer, Memory, Runtime};
use engine::quant::q8::{quantize_q8, quantize_q8k};
use engine::quant::{act_kind, prepare, vec_dot, ActKind};

mod gpu_support;
use gpu_support::{random_blocks, runtime, Rng};

/// Quantizes `x` on the device with the quantizer of `kind`; returns the buffer.
fn quantize_on_device(rt: &Runtime, kind: ActKind, x: &[f32]) -> Buffer {
    let n = x.len() as u32;
    let (kernel, grid, bytes) = match kind {
        ActKind::Q8 => (
            "quantize_q8",
            kernels::quantize_q8_grid(n),
            kernels::q8_act_bytes(n),
        ),
        ActKind::Q8K => (
            "quantize_q8k",
            kernels::quantize_q8k_grid(n),
            kernels::q8k_act_bytes(n),
        ),
        ActKind::F32 => panic!("nothing to quantize"),
    };
    let xb = rt.upload_f32(x, Memory::Vram).unwrap();
    // Stale bytes in the output must not survive (the engine reuses one buffer per format).
    let out = rt
        .upload(&vec![0xa5; bytes as usize], Memory::Vram)
        .unwrap();
    let mut b = rt.batch();
    b.dispatch(
        kernel,
        [grid, 1, 1],
        &[Arg::Buf(xb), Arg::Buf(out.clone()), Arg::U32(n)],
    )
    .unwrap();
    rt.run(&b.finish().unwrap()).unwrap();
    out
}

fn f32s(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|f| f.to_bits()).collect()
}

/// Blocks of 32 that hit every rounding rule: a zero block, exact .5 ties (amax 127 → d = 1,
/// id = 1; amax 63.5 → id = 2), a negative maximum, then random blocks of varied scale.
fn q8_cases(rng: &mut Rng, nb: usize) -> Vec<f32> {
    let mut x = vec![0f32; 32];
    let mut tie = vec![0f32; 32];
    tie[0] = 127.0;
    for (i, v) in tie.iter_mut().enumerate().skip(1) {
        *v = (i as f32 - 16.0) + 0.5;
    }
    x.extend(&tie);
    let mut tie2: Vec<f32> = (0..32).map(|i| (i as f32 - 16.0) * 0.5 + 0.25).collect();
    tie2[7] = -63.5;
    x.extend(&tie2);
    for b in x.len() / 32..nb {
        let scale = [1e-3f32, 0.1, 1.0, 37.0][b % 4];
        x.extend((0..32).map(|_| rng.f32() * scale));
    }
    x
}

#[test]
fn quantize_q8_is_bit_identical_to_the_cpu() {
    let rt = runtime();
    let mut rng = Rng(11);
    // Odd block counts: the last workgroup has one live wave.
    for nb in [3usize, 7, 41] {
        let x = q8_cases(&mut rng, nb);
        let n = x.len();
        let want = quantize_q8(&x);
        let got = quantize_on_device(&rt, ActKind::Q8, &x)
            .read(0, kernels::q8_act_bytes(n as u32) as usize)
            .unwrap();
        let qs: Vec<i8> = got[..n].iter().map(|&b| b as i8).collect();
        assert_eq!(qs, want.qs, "qs, {nb} blocks");
        let tail = f32s(&got[n..]);
        assert_eq!(bits(&tail[..nb]), bits(&want.d), "d, {nb} blocks");
        assert_eq!(bits(&tail[nb..2 * nb]), bits(&want.s), "s, {nb} blocks");
    }
    // The ties really are ties: roundf and round-half-even differ on them.
    let q = quantize_q8(&q8_cases(&mut rng, 3));
    assert_eq!((q.qs[32 + 1], q.qs[32 + 2]), (-15, -14)); // -14.5 → -15, -13.5 → -14
    assert_eq!(q.qs[65], -15); // -7.25 · 2 = -14.5 → -15
}

/// Blocks of 256: zeros, a negative maximum with exact ties (max -127 → iscale 1), |max|
/// shared by a positive and a later negative value (the first wins) and the reverse, then
/// random blocks.
fn q8k_cases(rng: &mut Rng, nb: usize) -> Vec<f32> {
    let mut x = vec![0f32; 256];
    let mut tie: Vec<f32> = (0..256).map(|i| ((i % 64) as f32 - 32.0) + 0.5).collect();
    tie[100] = -127.0;
    x.extend(&tie);
    let mut first_pos: Vec<f32> = (0..256).map(|_| rng.f32()).collect();
    first_pos[5] = 3.0;
    first_pos[200] = -3.0;
    x.extend(&first_pos);
    let mut first_neg: Vec<f32> = (0..256).map(|_| rng.f32()).collect();
    first_neg[64] = -2.0;
    first_neg[65] = 2.0;
    x.extend(&first_neg);
    for b in x.len() / 256..nb {
        let scale = [1e-3f32, 0.1, 1.0, 37.0][b % 4];
        x.extend((0..256).map(|_| rng.f32() * scale));
    }
    x
}

#[test]
fn quantize_q8k_is_bit_identical_to_the_cpu() {
    let rt = runtime();
    let mut rng = Rng(12);
    for nb in [4usize, 7] {
        let x = q8k_cases(&mut rng, nb);
        let n = x.len();
        let want = quantize_q8k(&x);
        let got = quantize_on_device(&rt, ActKind::Q8K, &x)
            .read(0, kernels::q8k_act_bytes(n as u32) as usize)
            .unwrap();
        let qs: Vec<i8> = got[..n].iter().map(|&b| b as i8).collect();
        assert_eq!(qs, want.qs, "qs, {nb} blocks");
        let d = f32s(&got[n..n + 4 * nb]);
        assert_eq!(bits(&d), bits(&want.d), "d, {nb} blocks");
        let bsums: Vec<i16> = got[n + 4 * nb..]
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(bsums, want.bsums, "bsums, {nb} blocks");
    }
    let q = quantize_q8k(&q8k_cases(&mut rng, 4));
    // -31.5 · 1 → -32 (half to even), 0.5 → 0; the first of ±3 sets the sign: iscale < 0.
    assert_eq!((q.qs[256], q.qs[256 + 32]), (-32, 0));
    assert!(q.d[2] < 0.0 && q.d[3] > 0.0);
}

/// One GEMV of random `ty` weights on the device (input quantized on the device as the
/// engine does) against the CPU engine's vec_dot.
fn check_gemv(ty: GgmlType, rows: usize, cols: usize, seed: u64) {
    check_gemv_kernel(ty, rows, cols, seed, false);
}

/// As [`check_gemv`]; `tall`: the one-lane-per-row `gemv_q8_0_tall`.
fn check_gemv_kernel(ty: GgmlType, rows: usize, cols: usize, seed: u64, tall: bool) {
    let mut rng = Rng(seed);
    let data = random_blocks(&mut rng, ty, rows, cols);
    let x: Vec<f32> = (0..cols).map(|_| rng.f32()).collect();
    let kind = act_kind(ty);
    let a = prepare(kind, &x);
    let row_bytes = cols / ty.block_size() * ty.type_size();
    let want: Vec<f32> = data
        .chunks_exact(row_bytes)
        .map(|r| vec_dot(ty, r, &a))
        .collect();
    let rt = runtime();
    let xq = quantize_on_device(&rt, kind, &x);
    let wb = rt.upload(&data, Memory::Vram).unwrap();
    let kernel = format!("gemv_{}", ty.to_string().to_lowercase());
    let group = kernels::GEMV_QUANT_GROUP;
    let yb = rt.alloc(rows as u64 * 4, Memory::Vram).unwrap();
    let block = if kind == ActKind::Q8K {
        kernels::Q8K_BLOCK
    } else {
        kernels::Q8_BLOCK
    };
    let mut grid = kernels::gemv_quant_grid(rows as u32, block);
    let kernel = if tall {
        grid = (rows as u32).div_ceil(kernels::WORKGROUP_SIZE);
        "gemv_q8_0_tall".to_string()
    } else {
        kernel
    };
    let mut b = rt.batch();
    b.dispatch(
        &kernel,
        [grid, 1, 1],
        &[
            Arg::Buf(wb),
            Arg::Buf(xq),
            Arg::Buf(yb.clone()),
            Arg::U32(rows as u32),
            Arg::U32(cols as u32),
            Arg::U32(group),
        ],
    )
    .unwrap();
    rt.run(&b.finish().unwrap()).unwrap();
    let y = yb.read_f32(0, rows).unwrap();
    // Same integers, same float operations in the same order: bit-identical.
    assert_eq!(
        bits(&y),
        bits(&want),
        "{kernel} {rows}x{cols}: gpu {y:?} cpu {want:?}"
    );
}

#[test]
fn gemv_32_value_formats_match_the_cpu_vec_dot() {
    for (i, ty) in [
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q8_0,
    ]
    .into_iter()
    .enumerate()
    {
        // Odd row counts (37: two workgroups of 32 rows, the second partial); 3 blocks and
        // 41 per row.
        check_gemv(ty, 37, 96, 20 + i as u64);
        check_gemv(ty, 13, 1312, 30 + i as u64);
    }
}

#[test]
fn gemv_q8_0_tall_matches_the_cpu_vec_dot() {
    // One lane per row (the engine's choice for the output projection): 65 rows = two
    // workgroups, the second with one live lane.
    check_gemv_kernel(GgmlType::Q8_0, 65, 640, 60, true);
    check_gemv_kernel(GgmlType::Q8_0, 3, 96, 61, true);
}

#[test]
fn gemv_k_quants_match_the_cpu_vec_dot() {
    for (i, ty) in [GgmlType::Q4_K, GgmlType::Q6_K].into_iter().enumerate() {
        check_gemv(ty, 5, 256, 40 + i as u64);
        check_gemv(ty, 11, 2304, 50 + i as u64);
    }
}
