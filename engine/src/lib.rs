//! engine: GGUF models, tokenizers, the CPU reference forward pass, sampling,
//! and (later) the GPU forward pass.

#![forbid(unsafe_code)]

pub mod chat;
pub mod coherence;
pub mod generate;
pub mod gguf;
pub mod gpu;
pub mod model;
pub mod models;
pub mod quant;
pub mod sample;
pub mod tokenizer;

/// Sets the number of worker threads of the CPU engine (call once, before
/// the first forward pass; later calls are ignored). 0 = one per core.
pub fn set_threads(n: usize) {
    // The global pool can only be built once; a second call is harmless.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global();
}

/// Worker threads the CPU engine uses.
pub fn threads() -> usize {
    rayon::current_num_threads()
}
