//! engine: GGUF models, tokenizers, the CPU reference forward pass, sampling,
//! and (later) the GPU forward pass.

pub mod chat;
pub mod tokenizer;
