//! Errors of one dispatch.

use thiserror::Error;

/// Why a dispatch stopped early.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExecError {
    /// A wave accessed an unmapped GPU virtual address (the kernel's VM fault path).
    #[error("GPU VM fault at va 0x{va:x} ({}) by instruction at pc 0x{pc:x}: {text}", if *.write { "write" } else { "read" })]
    MemFault {
        /// Faulting virtual address.
        va: u64,
        /// True for a write access.
        write: bool,
        /// Program counter (VA) of the faulting instruction.
        pc: u64,
        /// The instruction as LLVM prints it.
        text: String,
    },
    /// The instruction or time budget ran out (a hung kernel).
    #[error("dispatch timed out after {instructions} instructions ({reason})")]
    Timeout {
        /// Instructions executed so far.
        instructions: u64,
        /// Which limit was hit.
        reason: String,
    },
    /// An instruction the executor does not implement.
    #[error("unimplemented instruction at pc 0x{pc:x}: {text}")]
    Unimplemented {
        /// VA of the instruction.
        pc: u64,
        /// The instruction text (or its raw dwords when it does not decode).
        text: String,
    },
    /// A malformed program or illegal state (bad branch target, bad register…).
    #[error("illegal program at pc 0x{pc:x}: {msg}")]
    Illegal {
        /// VA of the instruction.
        pc: u64,
        /// What is wrong.
        msg: String,
    },
    /// The dispatch registers are inconsistent (e.g. zero block size).
    #[error("bad dispatch: {0}")]
    BadDispatch(String),
}
