//! Row-parallel matrix × vector(s) over packed quantized weights.

use rayon::prelude::*;

use super::{act_kind, dot, prepare, supported, vec_dot, ActKind, Activation, QuantError};
use crate::gguf::{GgmlType, TensorInfo};

/// A 2-D weight matrix in ggml layout: `rows` rows of `cols` elements, each
/// row packed in `row_bytes` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    /// Element type.
    pub ty: GgmlType,
    /// Output dimension (ggml ne[1]).
    pub rows: usize,
    /// Input dimension (ggml ne[0]).
    pub cols: usize,
    /// Bytes per row.
    pub row_bytes: usize,
    /// All rows.
    pub data: &'a [u8],
}

/// Rows per parallel task: big enough to amortize scheduling, small enough
/// to balance two to sixteen cores.
const ROWS_PER_TASK: usize = 64;

/// Rows per parallel task of a batched product: each is a whole pass over
/// the batch, so fewer rows keep two to sixteen cores evenly busy.
const BATCH_ROWS_PER_TASK: usize = 32;

impl<'a> Matrix<'a> {
    /// Views a 2-D (or 1-D) tensor as a matrix.
    pub fn from_tensor(t: &TensorInfo<'a>) -> Result<Matrix<'a>, QuantError> {
        if !supported(t.ggml_type) {
            return Err(QuantError::Unsupported(t.ggml_type));
        }
        let cols = t.row_len();
        let rows = t.n_rows();
        let row_bytes = cols / t.ggml_type.block_size() * t.ggml_type.type_size();
        Ok(Matrix {
            ty: t.ggml_type,
            rows,
            cols,
            row_bytes,
            data: t.data,
        })
    }

    /// Row `r`'s packed bytes.
    pub fn row(&self, r: usize) -> &'a [u8] {
        &self.data[r * self.row_bytes..(r + 1) * self.row_bytes]
    }

    /// Dequantizes row `r` into `out` (length `cols`).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) -> Result<(), QuantError> {
        super::dequantize_into(self.ty, self.row(r), out)
    }

    /// Quantizes `x` (length `cols`) for this matrix's dot products.
    pub fn prepare(&self, x: &[f32]) -> Activation {
        prepare(act_kind(self.ty), x)
    }

    /// `out = W · x`.
    pub fn matvec(&self, x: &[f32], out: &mut [f32]) {
        assert_eq!(x.len(), self.cols, "matvec input length");
        assert_eq!(out.len(), self.rows, "matvec output length");
        Matrix::matmul_many(&[self], x, &mut [out]);
    }

    /// `out[t] = W · xs[t]` for a batch of `xs.len() / cols` vectors stored
    /// back to back; `out` holds `rows` values per vector. Each weight row is
    /// read once for the whole batch.
    pub fn matmul(&self, xs: &[f32], out: &mut [f32]) {
        Matrix::matmul_many(&[self], xs, &mut [out]);
    }

    /// [`Matrix::matmul`] of several matrices with the same input (e.g. the
    /// Q, K and V projections): the input is quantized once per activation
    /// kind, and all matrices' row chunks share one parallel loop, so small
    /// matrices do not leave threads idle. Results equal separate calls.
    pub fn matmul_many(mats: &[&Matrix<'_>], xs: &[f32], outs: &mut [&mut [f32]]) {
        assert_eq!(mats.len(), outs.len(), "matmul_many: one output per matrix");
        let Some(cols) = mats.first().map(|m| m.cols) else {
            return;
        };
        let n = xs.len() / cols;
        assert_eq!(xs.len(), n * cols, "matmul input length");
        for (m, o) in mats.iter().zip(outs.iter()) {
            assert_eq!(m.cols, cols, "matmul_many: matrices share the input");
            assert_eq!(o.len(), n * m.rows, "matmul output length");
        }
        // One quantized copy of the input per activation kind.
        let kinds: Vec<ActKind> = mats.iter().map(|m| act_kind(m.ty)).collect();
        let mut acts: Vec<(ActKind, Vec<Activation>)> = Vec::new();
        for &k in &kinds {
            if !acts.iter().any(|(kind, _)| *kind == k) {
                let prepared = match n {
                    1 => vec![prepare(k, xs)],
                    _ => xs.par_chunks(cols).map(|x| prepare(k, x)).collect(),
                };
                acts.push((k, prepared));
            }
        }
        let acts_of = |m: usize| -> &[Activation] {
            &acts
                .iter()
                .find(|(k, _)| *k == kinds[m])
                .expect("prepared")
                .1
        };
        if n == 1 {
            let mut tasks: Vec<(usize, usize, &mut [f32])> = Vec::new();
            for (m, o) in outs.iter_mut().enumerate() {
                tasks.extend(
                    o.chunks_mut(ROWS_PER_TASK)
                        .enumerate()
                        .map(|(c, o)| (m, c, o)),
                );
            }
            tasks.into_par_iter().for_each(|(m, c, o)| {
                let w = mats[m];
                let start = c * ROWS_PER_TASK * w.row_bytes;
                let rows = &w.data[start..start + o.len() * w.row_bytes];
                dot_rows(w.ty, rows, w.row_bytes, &acts_of(m)[0], o);
            });
            return;
        }
        // AVX-512 kernels take the activations re-laid once per weight type.
        #[cfg(target_arch = "x86_64")]
        let (t4, batches, batch_of) = {
            let t4 = super::simd_x86_v4::token();
            let mut batches: Vec<(GgmlType, super::simd_x86_v4::Batch)> = Vec::new();
            let mut batch_of = Vec::with_capacity(mats.len());
            for (m, w) in mats.iter().enumerate() {
                let mut i = batches.iter().position(|(ty, _)| *ty == w.ty);
                if let (None, Some(t)) = (i, t4) {
                    if let Some(b) = super::simd_x86_v4::Batch::new(t, w.ty, acts_of(m)) {
                        batches.push((w.ty, b));
                        i = Some(batches.len() - 1);
                    }
                }
                batch_of.push(i);
            }
            (t4, batches, batch_of)
        };
        // Tasks own a chunk of weight rows and run every activation over it
        // while it is hot in cache; results land chunk-major ([chunk][t][row])
        // in scratch buffers so tasks write disjoint memory, then scatter.
        let mut tmps: Vec<Vec<f32>> = mats.iter().map(|m| vec![0f32; n * m.rows]).collect();
        let mut tasks: Vec<(usize, usize, &mut [f32])> = Vec::new();
        for (m, tmp) in tmps.iter_mut().enumerate() {
            tasks.extend(
                tmp.chunks_mut(BATCH_ROWS_PER_TASK * n)
                    .enumerate()
                    .map(|(c, o)| (m, c, o)),
            );
        }
        tasks.into_par_iter().for_each(|(m, c, o)| {
            let w = mats[m];
            let nrows = o.len() / n;
            let start = c * BATCH_ROWS_PER_TASK * w.row_bytes;
            let rows = &w.data[start..start + nrows * w.row_bytes];
            #[cfg(target_arch = "x86_64")]
            if let (Some(t), Some(i)) = (t4, batch_of[m]) {
                return batches[i].1.dot_rows(t, rows, w.row_bytes, o);
            }
            let acts = acts_of(m);
            if !dot_rows_batch(w.ty, rows, w.row_bytes, acts, o) {
                for (a, ys) in acts.iter().zip(o.chunks_mut(nrows)) {
                    dot_rows(w.ty, rows, w.row_bytes, a, ys);
                }
            }
        });
        // Scatter in parallel, one activation's outputs per task.
        let mut rows_out: Vec<(&[f32], usize, &mut [f32])> = Vec::new();
        for ((w, tmp), out) in mats.iter().zip(&tmps).zip(outs.iter_mut()) {
            rows_out.extend(
                out.chunks_mut(w.rows)
                    .enumerate()
                    .map(|(t, o)| (&tmp[..], t, o)),
            );
        }
        rows_out.into_par_iter().for_each(|(tmp, t, out)| {
            for (c, o) in tmp.chunks(BATCH_ROWS_PER_TASK * n).enumerate() {
                let nrows = o.len() / n;
                let base = c * BATCH_ROWS_PER_TASK;
                out[base..base + nrows].copy_from_slice(&o[t * nrows..(t + 1) * nrows]);
            }
        });
    }
}

/// `out[r] = row_r · a` for consecutive packed rows: the hand-written AVX2
/// kernels where the CPU has them and the type is covered, otherwise the
/// portable ones (same results bit for bit).
fn dot_rows(ty: GgmlType, rows: &[u8], row_bytes: usize, a: &Activation, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if let Some(t) = super::simd_x86::token() {
        if super::simd_x86::dot_rows(t, ty, rows, row_bytes, a, out) {
            return;
        }
    }
    dot_rows_portable(ty, rows, row_bytes, a, out)
}

/// The portable [`dot_rows`]. Compiled for several feature levels
/// (AVX2+FMA+F16C, NEON, baseline) and dispatched at run time, so the
/// integer loops of `dot` use the widest vectors present.
#[multiversion::multiversion(targets("x86_64+avx2+fma+f16c", "aarch64+neon"))]
pub(super) fn dot_rows_portable(
    ty: GgmlType,
    rows: &[u8],
    row_bytes: usize,
    a: &Activation,
    out: &mut [f32],
) {
    macro_rules! each {
        ($f:path, $act:ident) => {
            if let Activation::$act(a) = a {
                for (y, r) in out.iter_mut().zip(rows.chunks_exact(row_bytes)) {
                    *y = $f(r, a);
                }
                return;
            }
        };
    }
    match ty {
        GgmlType::Q4_0 => each!(dot::q4_0, Q8),
        GgmlType::Q4_1 => each!(dot::q4_1, Q8),
        GgmlType::Q5_0 => each!(dot::q5_0, Q8),
        GgmlType::Q5_1 => each!(dot::q5_1, Q8),
        GgmlType::Q8_0 => each!(dot::q8_0, Q8),
        GgmlType::Q2_K => each!(dot::q2_k, Q8K),
        GgmlType::Q3_K => each!(dot::q3_k, Q8K),
        GgmlType::Q4_K => each!(dot::q4_k, Q8K),
        GgmlType::Q5_K => each!(dot::q5_k, Q8K),
        GgmlType::Q6_K => each!(dot::q6_k, Q8K),
        _ => {}
    }
    for (y, r) in out.iter_mut().zip(rows.chunks_exact(row_bytes)) {
        *y = vec_dot(ty, r, a);
    }
}

/// Batched variant of [`dot_rows`]: every weight block is unpacked once for
/// all activations. `out` is `[activation][row]`. The AVX2 kernels cover
/// the types of `simd_x86`, the portable ones Q4_0, Q4_1, Q5_0, Q5_1.
/// Returns false (doing nothing) for other types.
fn dot_rows_batch(
    ty: GgmlType,
    rows: &[u8],
    row_bytes: usize,
    acts: &[Activation],
    out: &mut [f32],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Some(t) = super::simd_x86::token() {
        if super::simd_x86::dot_rows_batch(t, ty, rows, row_bytes, acts, out) {
            return true;
        }
    }
    dot_rows_batch_portable(ty, rows, row_bytes, acts, out)
}

/// The portable [`dot_rows_batch`] for the 32-element block types whose
/// unpacking dominates (Q4_0, Q4_1, Q5_0, Q5_1).
#[multiversion::multiversion(targets("x86_64+avx2+fma+f16c", "aarch64+neon"))]
fn dot_rows_batch_portable(
    ty: GgmlType,
    rows: &[u8],
    row_bytes: usize,
    acts: &[Activation],
    out: &mut [f32],
) -> bool {
    if !matches!(
        ty,
        GgmlType::Q4_0 | GgmlType::Q4_1 | GgmlType::Q5_0 | GgmlType::Q5_1
    ) {
        return false;
    }
    let Some(q8) = super::all_as(acts, Activation::as_q8) else {
        return false;
    };
    let n = acts.len();
    let nrows = out.len() / n;
    let mut ys = vec![0f32; n];
    for (r, row) in rows.chunks_exact(row_bytes).enumerate().take(nrows) {
        // A direct call per type (not a fn pointer) so the kernel inlines
        // into this feature-specific copy.
        match ty {
            GgmlType::Q4_0 => dot::q4_0_batch(row, &q8, &mut ys),
            GgmlType::Q4_1 => dot::q4_1_batch(row, &q8, &mut ys),
            GgmlType::Q5_0 => dot::q5_0_batch(row, &q8, &mut ys),
            _ => dot::q5_1_batch(row, &q8, &mut ys),
        }
        for (t, &y) in ys.iter().enumerate() {
            out[t * nrows + r] = y;
        }
    }
    true
}
