//! The GPU runtime through the full device path on the simulator (code BO → kernargs →
//! user SGPRs → one IB → CS ioctl → fence wait → read back), checked against the CPU
//! engine's own ops on seeded random data.

use engine::gguf::GgmlType;
use engine::gpu::{Arg, Memory};
use engine::model::ops;
use engine::quant::Matrix;

mod gpu_support;
use gpu_support::{random_blocks, runtime, Rng};

// The GEMV kernels against the CPU's vec_dot: engine/tests/gpu_quant.rs.

#[test]
fn rms_norm_matches_the_cpu() {
    let (rows, n, eps) = (3usize, 576usize, 1e-5f32);
    let mut rng = Rng(4);
    let x: Vec<f32> = (0..rows * n).map(|_| 3.0 * rng.f32()).collect();
    let w: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
    let rt = runtime();
    let xb = rt.upload_f32(&x, Memory::Vram).unwrap();
    let wb = rt.upload_f32(&w, Memory::Vram).unwrap();
    let ob = rt.alloc((rows * n * 4) as u64, Memory::Vram).unwrap();
    let mut b = rt.batch();
    b.dispatch(
        "rms_norm",
        [rows as u32, 1, 1],
        &[
            Arg::Buf(xb),
            Arg::Buf(wb),
            Arg::Buf(ob.clone()),
            Arg::U32(n as u32),
            Arg::F32(eps),
            Arg::U32(0),
        ],
    )
    .unwrap();
    rt.run(&b.finish().unwrap()).unwrap();
    let got = ob.read_f32(0, rows * n).unwrap();
    let mut want = vec![0f32; n];
    for r in 0..rows {
        ops::rms_norm(&x[r * n..(r + 1) * n], &w, eps, &mut want);
        for i in 0..n {
            let g = got[r * n + i];
            assert!(
                (g - want[i]).abs() <= 1e-5 * want[i].abs().max(1.0),
                "row {r} [{i}]: gpu {g} cpu {}",
                want[i]
            );
        }
    }
}

/// norm → quantize → two GEMVs → add in ONE IB: barriers only where the data flow needs them, and a
/// kernarg patch between runs moves an output pointer without touching the IB.
#[test]
fn dependent_chain_in_one_submission_with_patched_kernargs() {
    let (rows, cols) = (64usize, 256usize);
    let mut rng = Rng(5);
    let x: Vec<f32> = (0..cols).map(|_| rng.f32()).collect();
    let nw: Vec<f32> = (0..cols).map(|_| rng.f32()).collect();
    let a = random_blocks(&mut rng, GgmlType::Q8_0, rows, cols);
    let c = random_blocks(&mut rng, GgmlType::Q8_0, rows, cols);

    let rt = runtime();
    let xb = rt.upload_f32(&x, Memory::Vram).unwrap();
    let nwb = rt.upload_f32(&nw, Memory::Vram).unwrap();
    let hb = rt.alloc(cols as u64 * 4, Memory::Vram).unwrap();
    let hq = rt
        .alloc(kernels::q8_act_bytes(cols as u32), Memory::Vram)
        .unwrap();
    let ab = rt.upload(&a, Memory::Vram).unwrap();
    let cb = rt.upload(&c, Memory::Vram).unwrap();
    let y1 = rt.alloc(rows as u64 * 4, Memory::Vram).unwrap();
    let y2 = rt.alloc(rows as u64 * 4 * 2, Memory::Vram).unwrap();
    let sum = rt.alloc(rows as u64 * 4, Memory::Vram).unwrap();
    let group = kernels::GEMV_QUANT_GROUP;
    let g = kernels::gemv_quant_grid(rows as u32, kernels::Q8_BLOCK);
    let mut b = rt.batch();
    b.dispatch(
        "rms_norm",
        [1, 1, 1],
        &[
            Arg::Buf(xb),
            Arg::Buf(nwb),
            Arg::Buf(hb.clone()),
            Arg::U32(cols as u32),
            Arg::F32(1e-6),
            Arg::U32(0),
        ],
    )
    .unwrap();
    b.dispatch(
        "quantize_q8",
        [kernels::quantize_q8_grid(cols as u32), 1, 1],
        &[
            Arg::Buf(hb.clone()),
            Arg::Buf(hq.clone()),
            Arg::U32(cols as u32),
        ],
    )
    .unwrap();
    let gemv = |b: &mut engine::gpu::Batch<'_>, w: &engine::gpu::Buffer, y: Arg| {
        b.dispatch(
            "gemv_q8_0",
            [g, 1, 1],
            &[
                Arg::Buf(w.clone()),
                Arg::Buf(hq.clone()),
                y,
                Arg::U32(rows as u32),
                Arg::U32(cols as u32),
                Arg::U32(group),
            ],
        )
        .unwrap()
    };
    gemv(&mut b, &ab, Arg::Buf(y1.clone()));
    let d2 = gemv(&mut b, &cb, Arg::At(y2.clone(), 0));
    let add = b
        .dispatch(
            "add_f32",
            [(rows as u32).div_ceil(64), 1, 1],
            &[
                Arg::Buf(y1.clone()),
                Arg::At(y2.clone(), 0),
                Arg::Buf(sum.clone()),
                Arg::U32(rows as u32),
            ],
        )
        .unwrap();
    let p = b.finish().unwrap();
    // norm | quantize | gemv, gemv (independent) | add.
    assert_eq!((p.dispatches(), p.barriers()), (5, 3));

    let mut h = vec![0f32; cols];
    ops::rms_norm(&x, &nw, 1e-6, &mut h);
    // The CPU engine's matvec (x quantized to Q8_0 as on the device).
    let dot = |blocks: &[u8]| -> Vec<f32> {
        let m = Matrix {
            ty: GgmlType::Q8_0,
            rows,
            cols,
            row_bytes: cols / 32 * 34,
            data: blocks,
        };
        let mut y = vec![0f32; rows];
        m.matvec(&h, &mut y);
        y
    };
    let (ra, rc) = (dot(&a), dot(&c));
    let close = |got: &[f32], want: &[f32], what: &str| {
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-4 * w.abs().max(1.0),
                "{what}[{i}]: {g} vs {w}"
            );
        }
    };

    rt.run(&p).unwrap();
    close(&y2.read_f32(0, rows).unwrap(), &rc, "y2 first half");
    let want_sum: Vec<f32> = ra.iter().zip(&rc).map(|(a, c)| a + c).collect();
    close(&sum.read_f32(0, rows).unwrap(), &want_sum, "sum");

    // Second run: the second GEMV and the add use the upper half of y2.
    let upper = rows as u64 * 4;
    p.set_ptr(d2, 2, &y2, upper).unwrap();
    p.set_ptr(add, 1, &y2, upper).unwrap();
    sum.write(0, &vec![0u8; rows * 4]).unwrap();
    rt.run(&p).unwrap();
    close(&y2.read_f32(upper, rows).unwrap(), &rc, "y2 upper half");
    close(
        &sum.read_f32(0, rows).unwrap(),
        &want_sum,
        "sum after patch",
    );

    // Patching is checked: wrong kinds, unknown buffers and indices are errors.
    assert!(p.set_u32(d2, 2, 1).is_err());
    assert!(p.set_ptr(d2, 3, &y2, 0).is_err());
    let stranger = rt.alloc(16, Memory::Gtt).unwrap();
    assert!(p.set_ptr(d2, 2, &stranger, 0).is_err());
    assert!(p.set_ptr(d2, 2, &y2, 1 << 20).is_err());
}

#[test]
fn bad_dispatches_are_errors() {
    let rt = runtime();
    let buf = rt.alloc(64, Memory::Gtt).unwrap();
    let mut b = rt.batch();
    let e = b.dispatch("nope", [1, 1, 1], &[]).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    let e = b
        .dispatch("add_f32", [1, 1, 1], &[Arg::Buf(buf.clone())])
        .unwrap_err();
    assert!(e.to_string().contains("4"), "{e}");
    let e = b
        .dispatch(
            "add_f32",
            [1, 1, 1],
            &[
                Arg::U32(1),
                Arg::Buf(buf.clone()),
                Arg::Buf(buf.clone()),
                Arg::U32(1),
            ],
        )
        .unwrap_err();
    assert!(format!("{e:#}").contains("argument 0"), "{e:#}");
    assert!(b.is_empty());
    assert!(b.finish().is_err());
}

/// Weights go to VRAM the CPU cannot map, copied by CP DMA in STAGING_BYTES chunks: rows on
/// both sides of a chunk boundary come back intact through a kernel.
#[test]
fn device_only_upload_crosses_staging_chunks() {
    let cols = 1024usize;
    let rows = (engine::gpu::STAGING_BYTES as usize / 4 / cols) + 256;
    let w: Vec<f32> = (0..rows * cols).map(|i| i as f32).collect();
    let rt = runtime();
    let wb = rt.upload_f32(&w, Memory::VramNoCpu).unwrap();
    assert!(wb.read(0, 4).is_err(), "no CPU access to device-only VRAM");
    let boundary = engine::gpu::STAGING_BYTES as usize / 4 / cols;
    let ids = [0u32, boundary as u32 - 1, boundary as u32, rows as u32 - 1];
    let idb = rt
        .upload(bytemuck_u32(&ids).as_slice(), Memory::Gtt)
        .unwrap();
    let out = rt
        .alloc((ids.len() * cols * 4) as u64, Memory::Vram)
        .unwrap();
    let mut b = rt.batch();
    b.dispatch(
        "get_rows_f32",
        [cols as u32 / 64, ids.len() as u32, 1],
        &[
            Arg::Buf(wb),
            Arg::Buf(idb),
            Arg::Buf(out.clone()),
            Arg::U32(cols as u32),
            Arg::F32(1.0),
        ],
    )
    .unwrap();
    rt.run(&b.finish().unwrap()).unwrap();
    let got = out.read_f32(0, ids.len() * cols).unwrap();
    for (t, &id) in ids.iter().enumerate() {
        let want = &w[id as usize * cols..(id as usize + 1) * cols];
        assert_eq!(&got[t * cols..(t + 1) * cols], want, "row {id}");
    }
}

fn bytemuck_u32(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
