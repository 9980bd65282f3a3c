//! Dequantization against gguf-py fixtures, and the integer dot products
//! against dequantized weights × dequantized activations.

use super::*;
use crate::gguf::GgmlType;

struct Case {
    ty: GgmlType,
    source: String,
    bytes: Vec<u8>,
    values: Vec<f32>,
}

fn cases() -> Vec<Case> {
    let j: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/quant/dequant.json")).unwrap();
    j["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let hex = c["hex"].as_str().unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            Case {
                ty: GgmlType::from_name(c["type"].as_str().unwrap()).unwrap(),
                source: c["source"].as_str().unwrap().to_string(),
                bytes,
                values: c["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap() as f32)
                    .collect(),
            }
        })
        .collect()
}

#[test]
fn dequantize_matches_gguf_py() {
    let cases = cases();
    let types: Vec<GgmlType> = cases.iter().map(|c| c.ty).collect();
    for ty in [
        "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K",
        "Q5_K", "Q6_K",
    ] {
        assert!(
            types.contains(&GgmlType::from_name(ty).unwrap()),
            "no fixture for {ty}"
        );
    }
    for c in &cases {
        let got = dequantize(c.ty, &c.bytes, c.values.len()).unwrap();
        for (i, (g, e)) in got.iter().zip(&c.values).enumerate() {
            // gguf-py computes in float32 numpy with the same operation
            // order; allow one ulp for fused/reordered products.
            let tol = e.abs() * 2.0 * f32::EPSILON;
            assert!(
                (g - e).abs() <= tol,
                "{} ({}) element {i}: got {g}, gguf-py {e}",
                c.ty,
                c.source
            );
        }
    }
}

fn lcg(seed: &mut u64) -> f32 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
}

/// The activation as the dot product sees it (after quantization).
fn dequantized_activation(a: &Activation) -> Vec<f64> {
    match a {
        Activation::F32(x) => x.iter().map(|&v| v as f64).collect(),
        Activation::Q8(q) => {
            q.qs.iter()
                .enumerate()
                .map(|(i, &v)| v as f64 * q.d[i / 32] as f64)
                .collect()
        }
        Activation::Q8K(q) => {
            q.qs.iter()
                .enumerate()
                .map(|(i, &v)| v as f64 * q.d[i / 256] as f64)
                .collect()
        }
    }
}

#[test]
fn vec_dot_matches_dequantized_product() {
    let mut seed = 7;
    for c in cases() {
        let n = c.values.len();
        let x: Vec<f32> = (0..n).map(|_| lcg(&mut seed)).collect();
        let a = prepare(act_kind(c.ty), &x);
        let got = vec_dot(c.ty, &c.bytes, &a) as f64;
        let xa = dequantized_activation(&a);
        let exact: f64 = c.values.iter().zip(&xa).map(|(&w, &x)| w as f64 * x).sum();
        let mag: f64 = c
            .values
            .iter()
            .zip(&xa)
            .map(|(&w, &x)| (w as f64 * x).abs())
            .sum();
        // Q8_1's precomputed block sum is stored as f16: allow its rounding.
        let tol = mag
            * if matches!(c.ty, GgmlType::Q4_1 | GgmlType::Q5_1) {
                2e-3
            } else {
                1e-5
            };
        assert!(
            (got - exact).abs() <= tol + 1e-6,
            "{}: vec_dot {got} vs {exact} (mag {mag})",
            c.ty
        );
        // And the quantized activation stays close to the float one.
        let float: f64 = c
            .values
            .iter()
            .zip(&x)
            .map(|(&w, &x)| w as f64 * x as f64)
            .sum();
        assert!(
            (got - float).abs() <= 0.03 * mag + 1e-4,
            "{}: {got} vs float {float}",
            c.ty
        );
    }
}

#[test]
fn matvec_and_matmul_agree_with_rows() {
    // A 3-row Q8_0 matrix from the fixture bytes of the Q8_0 case.
    let c = cases()
        .into_iter()
        .find(|c| c.ty == GgmlType::Q8_0)
        .unwrap();
    let m = Matrix {
        ty: c.ty,
        rows: 3,
        cols: 32,
        row_bytes: 34,
        data: &c.bytes,
    };
    let mut seed = 3;
    let xs: Vec<f32> = (0..64).map(|_| lcg(&mut seed)).collect();
    let mut out = vec![0f32; 6];
    m.matmul(&xs, &mut out);
    for t in 0..2 {
        let mut one = vec![0f32; 3];
        m.matvec(&xs[32 * t..32 * t + 32], &mut one);
        assert_eq!(&out[3 * t..3 * t + 3], &one[..]);
    }
}

#[test]
fn batched_kernels_equal_single_vector_ones() {
    // 3 one-block rows of every 32-element type; 5 activations take the
    // batched path (Q4_0/Q4_1/Q5_0/Q5_1) or the per-activation path.
    for c in cases() {
        let ty = c.ty;
        if ty.block_size() != 32 {
            continue;
        }
        let m = Matrix {
            ty,
            rows: 3,
            cols: 32,
            row_bytes: ty.type_size(),
            data: &c.bytes[..3 * ty.type_size()],
        };
        let mut seed = 11;
        let xs: Vec<f32> = (0..5 * 32).map(|_| lcg(&mut seed)).collect();
        let mut out = vec![0f32; 5 * 3];
        m.matmul(&xs, &mut out);
        for t in 0..5 {
            let mut one = vec![0f32; 3];
            m.matvec(&xs[32 * t..32 * t + 32], &mut one);
            assert_eq!(&out[3 * t..3 * t + 3], &one[..], "{ty} activation {t}");
        }
    }
}

#[test]
fn matmul_many_equals_separate_products() {
    // Matrices sharing an input: two of one type (one re-laid batch), a
    // second 32-element type and a K-quant (another activation kind), with
    // more rows than one task so chunks of several matrices interleave.
    let mut seed = 17;
    let cols = 256;
    let mats: Vec<(GgmlType, usize, Vec<u8>)> = [
        (GgmlType::Q4_0, 130),
        (GgmlType::Q8_0, 70),
        (GgmlType::Q4_K, 65),
        (GgmlType::Q4_0, 3),
    ]
    .into_iter()
    .map(|(ty, rows)| {
        let bytes = rows * cols / ty.block_size() * ty.type_size();
        // Random bytes with every f16 scale/min set to a small finite value.
        let mut data: Vec<u8> = (0..bytes)
            .map(|_| (lcg(&mut seed) * 127.0) as i8 as u8)
            .collect();
        for b in data.chunks_exact_mut(ty.type_size()) {
            let h = crate::quant::half::f32_to_f16(lcg(&mut seed) * 0.05).to_le_bytes();
            b[..2].copy_from_slice(&h);
            if ty == GgmlType::Q4_K {
                b[2..4].copy_from_slice(&h);
            }
        }
        (ty, rows, data)
    })
    .collect();
    let views: Vec<Matrix> = mats
        .iter()
        .map(|(ty, rows, data)| Matrix {
            ty: *ty,
            rows: *rows,
            cols,
            row_bytes: cols / ty.block_size() * ty.type_size(),
            data,
        })
        .collect();
    for n in [1, 6] {
        let xs: Vec<f32> = (0..n * cols).map(|_| lcg(&mut seed)).collect();
        let mut outs: Vec<Vec<f32>> = views.iter().map(|m| vec![f32::NAN; n * m.rows]).collect();
        let mut refs: Vec<&mut [f32]> = outs.iter_mut().map(|o| &mut o[..]).collect();
        let all: Vec<&Matrix> = views.iter().collect();
        Matrix::matmul_many(&all, &xs, &mut refs);
        for (m, out) in views.iter().zip(&outs) {
            for t in 0..n {
                let x = &xs[t * cols..(t + 1) * cols];
                let a = m.prepare(x);
                for r in 0..m.rows {
                    let want = vec_dot(m.ty, m.row(r), &a);
                    let got = out[t * m.rows + r];
                    assert_eq!(
                        got.to_bits(),
                        want.to_bits(),
                        "{} n {n} t {t} row {r}",
                        m.ty
                    );
                }
            }
        }
    }
}

#[test]
fn bad_sizes_are_errors() {
    assert!(dequantize(GgmlType::Q4_K, &[0; 10], 256).is_err());
    assert!(dequantize(GgmlType::IQ2_XS, &[0; 74], 256).is_err());
}
