//! Shared by the GPU tests: seeded random data and ggml blocks, and the simulator runtime.
#![allow(dead_code)] // each test binary uses a different part

use engine::gguf::GgmlType;
use engine::gpu::Runtime;
use engine::quant::half::f32_to_f16;

/// xorshift64*: deterministic test data without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn byte(&mut self) -> u8 {
        (self.next() >> 56) as u8
    }
    /// Uniform in [-1, 1).
    pub fn f32(&mut self) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }
    pub fn half(&mut self, lo: f32, hi: f32) -> [u8; 2] {
        let u = (self.f32() + 1.0) / 2.0;
        f32_to_f16(lo + (hi - lo) * u).to_le_bytes()
    }
}

/// Random rows of `ty` blocks with finite, moderate scales.
pub fn random_blocks(rng: &mut Rng, ty: GgmlType, rows: usize, cols: usize) -> Vec<u8> {
    let nb = rows * cols / ty.block_size();
    let mut out = Vec::with_capacity(nb * ty.type_size());
    let bytes = |rng: &mut Rng, out: &mut Vec<u8>, n: usize| {
        out.extend((0..n).map(|_| rng.byte()));
    };
    for _ in 0..nb {
        match ty {
            GgmlType::Q4_0 | GgmlType::Q5_0 | GgmlType::Q8_0 => {
                out.extend(rng.half(0.001, 0.02));
                bytes(rng, &mut out, ty.type_size() - 2);
            }
            GgmlType::Q4_1 => {
                out.extend(rng.half(0.001, 0.02));
                out.extend(rng.half(-0.1, 0.1));
                bytes(rng, &mut out, 16);
            }
            GgmlType::Q4_K => {
                out.extend(rng.half(0.001, 0.02));
                out.extend(rng.half(0.001, 0.02));
                bytes(rng, &mut out, 12 + 128);
            }
            GgmlType::Q6_K => {
                bytes(rng, &mut out, 208);
                out.extend(rng.half(0.001, 0.02));
            }
            other => panic!("no generator for {other}"),
        }
    }
    out
}

/// The simulator (always available).
pub fn runtime() -> Runtime {
    Runtime::open("sim").expect("the simulator always opens")
}
