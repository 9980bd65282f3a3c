//! Quantized tensors: dequantization and matrix-vector products that work on
//! the packed ggml blocks directly (no full dequantization), multithreaded.

pub mod dequant;
pub mod dot;
pub mod half;
pub mod matmul;
pub mod q8;
#[cfg(target_arch = "x86_64")]
mod simd_x86;
#[cfg(target_arch = "x86_64")]
mod simd_x86_v4;

pub use matmul::Matrix;

use crate::gguf::GgmlType;

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
pub enum QuantError {
    /// A type this engine cannot compute with.
    #[error("tensor type {0} is not supported by the CPU engine")]
    Unsupported(GgmlType),
    /// Byte length does not match the element count.
    #[error("{ty} data of {bytes} bytes does not hold {n} elements")]
    Size {
        /// Type.
        ty: GgmlType,
        /// Bytes given.
        bytes: usize,
        /// Elements asked for.
        n: usize,
    },
}

/// The explicit-SIMD kernel tiers of the CPU engine, narrowest first. Every
/// tier computes the same floats bit for bit (tests compare them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CpuKernels {
    /// Portable Rust (auto-vectorized where the compiler manages).
    Portable,
    /// Hand-written AVX2 (x86-64-v3).
    Avx2,
    /// AVX-512 with VNNI prompt kernels on top of the AVX2 ones.
    Avx512Vnni,
}

impl CpuKernels {
    /// Name as `ROCLESS_CPU_ISA` spells it.
    pub fn name(self) -> &'static str {
        match self {
            CpuKernels::Portable => "portable",
            CpuKernels::Avx2 => "avx2",
            CpuKernels::Avx512Vnni => "avx512-vnni",
        }
    }
}

/// The widest tier `ROCLESS_CPU_ISA` allows (`portable` or `avx2`, any
/// case; unset or anything else = no cap), read once. Lets one machine
/// benchmark the tiers a CPU without AVX-512 (or without AVX2) would use.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn isa_cap() -> CpuKernels {
    static CAP: std::sync::OnceLock<CpuKernels> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| {
        let v = std::env::var("ROCLESS_CPU_ISA").unwrap_or_default();
        [CpuKernels::Portable, CpuKernels::Avx2]
            .into_iter()
            .find(|k| v.trim().eq_ignore_ascii_case(k.name()))
            .unwrap_or(CpuKernels::Avx512Vnni)
    })
}

/// The AVX2 token when the CPU has AVX2 and `ROCLESS_CPU_ISA` allows it,
/// for the explicit-SIMD loops outside this module.
#[cfg(target_arch = "x86_64")]
pub fn avx2_token() -> Option<archmage::X64V3Token> {
    simd_x86::token()
}

/// The kernel tier the CPU engine uses on this machine.
pub fn cpu_kernels() -> CpuKernels {
    #[cfg(target_arch = "x86_64")]
    {
        if simd_x86_v4::token().is_some() {
            return CpuKernels::Avx512Vnni;
        }
        if simd_x86::token().is_some() {
            return CpuKernels::Avx2;
        }
    }
    CpuKernels::Portable
}

type BlockFn = fn(&[u8], &mut [f32]);

/// The dequantizer of one block of `ty`, if supported.
pub fn block_dequantizer(ty: GgmlType) -> Option<BlockFn> {
    use GgmlType::*;
    Some(match ty {
        F32 => dequant::f32,
        F16 => dequant::f16,
        BF16 => dequant::bf16,
        Q4_0 => dequant::q4_0,
        Q4_1 => dequant::q4_1,
        Q5_0 => dequant::q5_0,
        Q5_1 => dequant::q5_1,
        Q8_0 => dequant::q8_0,
        Q2_K => dequant::q2_k,
        Q3_K => dequant::q3_k,
        Q4_K => dequant::q4_k,
        Q5_K => dequant::q5_k,
        Q6_K => dequant::q6_k,
        _ => return None,
    })
}

/// Whether the CPU engine can dequantize and multiply `ty`.
pub fn supported(ty: GgmlType) -> bool {
    block_dequantizer(ty).is_some()
}

/// Dequantizes `out.len()` elements of `ty` from `data` into `out`.
pub fn dequantize_into(ty: GgmlType, data: &[u8], out: &mut [f32]) -> Result<(), QuantError> {
    let f = block_dequantizer(ty).ok_or(QuantError::Unsupported(ty))?;
    let (bs, ts) = (ty.block_size(), ty.type_size());
    let n = out.len();
    if !n.is_multiple_of(bs) || data.len() != n / bs * ts {
        return Err(QuantError::Size {
            ty,
            bytes: data.len(),
            n,
        });
    }
    for (b, y) in data.chunks_exact(ts).zip(out.chunks_exact_mut(bs)) {
        f(b, y);
    }
    Ok(())
}

/// Dequantizes `n` elements of `ty` from `data`.
pub fn dequantize(ty: GgmlType, data: &[u8], n: usize) -> Result<Vec<f32>, QuantError> {
    let mut out = vec![0f32; n];
    dequantize_into(ty, data, &mut out)?;
    Ok(out)
}

/// An activation vector prepared for dot products with one weight type
/// (ggml's `vec_dot_type`).
#[derive(Debug, Clone)]
pub enum Activation {
    /// Plain floats (for F32/F16/BF16 weights).
    F32(Vec<f32>),
    /// Q8_0 / Q8_1 blocks (for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights).
    Q8(q8::Q8Blocks),
    /// Q8_K blocks (for K-quant weights).
    Q8K(q8::Q8K),
}

impl Activation {
    /// The Q8_0/Q8_1 blocks, if that is this activation's kind.
    pub fn as_q8(&self) -> Option<&q8::Q8Blocks> {
        match self {
            Activation::Q8(q) => Some(q),
            _ => None,
        }
    }

    /// The Q8_K blocks, if that is this activation's kind.
    pub fn as_q8k(&self) -> Option<&q8::Q8K> {
        match self {
            Activation::Q8K(q) => Some(q),
            _ => None,
        }
    }
}

/// `view` of every activation of a batch, or None if one is of another kind.
pub(crate) fn all_as<'a, T: ?Sized>(
    acts: &'a [Activation],
    view: fn(&'a Activation) -> Option<&'a T>,
) -> Option<Vec<&'a T>> {
    acts.iter().map(view).collect()
}

/// The kind of activation quantization `ty` wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActKind {
    /// No quantization.
    F32,
    /// Blocks of 32.
    Q8,
    /// Blocks of 256.
    Q8K,
}

/// Which activation format weight type `ty` multiplies with.
pub fn act_kind(ty: GgmlType) -> ActKind {
    use GgmlType::*;
    match ty {
        Q4_0 | Q4_1 | Q5_0 | Q5_1 | Q8_0 => ActKind::Q8,
        Q2_K | Q3_K | Q4_K | Q5_K | Q6_K => ActKind::Q8K,
        _ => ActKind::F32,
    }
}

/// Quantizes `x` for dot products with weights of kind `kind`.
pub fn prepare(kind: ActKind, x: &[f32]) -> Activation {
    #[cfg(target_arch = "x86_64")]
    if let Some(t) = simd_x86::token() {
        match kind {
            ActKind::Q8 => return Activation::Q8(simd_x86::quantize_q8(t, x)),
            ActKind::Q8K => return Activation::Q8K(simd_x86::quantize_q8k(t, x)),
            ActKind::F32 => {}
        }
    }
    match kind {
        ActKind::F32 => Activation::F32(x.to_vec()),
        ActKind::Q8 => Activation::Q8(q8::quantize_q8(x)),
        ActKind::Q8K => Activation::Q8K(q8::quantize_q8k(x)),
    }
}

/// Dot product of one row of `ty` (packed bytes) with a prepared activation.
/// The activation must come from [`prepare`] with `act_kind(ty)`.
pub fn vec_dot(ty: GgmlType, row: &[u8], a: &Activation) -> f32 {
    use GgmlType::*;
    match (ty, a) {
        (Q4_0, Activation::Q8(a)) => dot::q4_0(row, a),
        (Q4_1, Activation::Q8(a)) => dot::q4_1(row, a),
        (Q5_0, Activation::Q8(a)) => dot::q5_0(row, a),
        (Q5_1, Activation::Q8(a)) => dot::q5_1(row, a),
        (Q8_0, Activation::Q8(a)) => dot::q8_0(row, a),
        (Q2_K, Activation::Q8K(a)) => dot::q2_k(row, a),
        (Q3_K, Activation::Q8K(a)) => dot::q3_k(row, a),
        (Q4_K, Activation::Q8K(a)) => dot::q4_k(row, a),
        (Q5_K, Activation::Q8K(a)) => dot::q5_k(row, a),
        (Q6_K, Activation::Q8K(a)) => dot::q6_k(row, a),
        (F32, Activation::F32(x)) => row
            .chunks_exact(4)
            .zip(x)
            .map(|(b, x)| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) * x)
            .sum(),
        (F16, Activation::F32(x)) => row
            .chunks_exact(2)
            .zip(x)
            .map(|(b, x)| half::le_f16(b, 0) * x)
            .sum(),
        (BF16, Activation::F32(x)) => row
            .chunks_exact(2)
            .zip(x)
            .map(|(b, x)| half::bf16_to_f32(u16::from_le_bytes([b[0], b[1]])) * x)
            .sum(),
        _ => panic!("vec_dot: activation does not match weight type {ty}"),
    }
}

#[cfg(test)]
mod tests;
