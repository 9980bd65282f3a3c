//! gfx10 (RDNA1/RDNA2) instruction decoder, LLVM-exact disassembler and a
//! small encoder. See `isa/API.md`.
//!
//! One generated table ([`rows`]) drives decoding, printing and encoding.

#![forbid(unsafe_code)]

mod decode;
pub mod doc;
mod encode;
mod generated;
pub mod hsaco;
mod print;
mod table;
mod types;

pub use decode::{decode, decode_all};
pub use encode::{encode, example_words, EncodeError};
pub use print::{format, Formatter};
pub use table::{flags, rows, ConstKind, InstrInfo, Op, OpndDesc, Slot};
pub use types::{
    inline_float_bits, DecodeError, Dpp, Encoding, Instr, Mods, Operand, Sdwa, Target,
    MAX_OPERANDS, TARGET_GFX1010, TARGET_GFX1011, TARGET_GFX1030,
};
