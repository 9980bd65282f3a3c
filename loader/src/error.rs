//! One error type for everything the loader refuses. Every variant names where the problem
//! is (file offset, ELF field, metadata path, kernel) so a bad code object is diagnosable
//! from the one-line message alone.

use thiserror::Error;

/// Result alias of the loader.
pub type Result<T> = std::result::Result<T, Error>;

/// Why a code object (or a launch built from one) was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The file ends before a structure that must be there.
    #[error("truncated: {what} needs bytes {offset:#x}..{end:#x} but the file has {len:#x}")]
    Truncated {
        /// What was being read.
        what: String,
        /// Start of the structure in the file.
        offset: u64,
        /// End (exclusive) of the structure.
        end: u64,
        /// File length.
        len: u64,
    },
    /// An ELF header field has a value this loader does not accept.
    #[error("ELF header field {field} at offset {offset:#x}: {detail}")]
    Header {
        /// Field name as in the ELF spec (`e_machine`, `EI_CLASS`, ...).
        field: &'static str,
        /// File offset of the field.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// A program header (segment) is inconsistent.
    #[error("program header {index} (file offset {offset:#x}): {detail}")]
    Segment {
        /// Index in the program header table.
        index: usize,
        /// File offset of the program header entry.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// goblin refused the file (section/symbol/dynamic tables).
    #[error("ELF parse: {0}")]
    Elf(String),
    /// A note record is malformed.
    #[error("note at file offset {offset:#x}: {detail}")]
    Note {
        /// File offset of the note record.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// The NT_AMDGPU_METADATA msgpack map is malformed or misses a field.
    #[error("metadata {path}: {detail}")]
    Metadata {
        /// Path of the field, e.g. `amdhsa.kernels[1].args[3].offset`.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// A symbol is missing or inconsistent.
    #[error("symbol {name}: {detail}")]
    Symbol {
        /// Symbol name.
        name: String,
        /// What is wrong.
        detail: String,
    },
    /// A kernel descriptor is inconsistent.
    #[error("kernel descriptor {kernel}: {detail}")]
    Descriptor {
        /// Kernel name.
        kernel: String,
        /// What is wrong.
        detail: String,
    },
    /// A dynamic relocation cannot be applied.
    #[error("relocation {index} (r_offset {r_offset:#x}): {detail}")]
    Relocation {
        /// Index in the dynamic relocation table.
        index: usize,
        /// Address the relocation patches.
        r_offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// Loading at the requested address is impossible.
    #[error("load: {0}")]
    Load(String),
    /// Code compiled for another GPU.
    #[error("code object is {code}, device is {device} (use --force to load anyway)")]
    TargetMismatch {
        /// Processor the code object was built for.
        code: String,
        /// Processor of the device.
        device: String,
    },
    /// Unknown processor name.
    #[error("unknown GPU processor name {0:?}")]
    UnknownProcessor(String),
    /// No kernel of that name in the code object.
    #[error("no kernel named {name:?} (kernels: {available})")]
    NoKernel {
        /// Requested name.
        name: String,
        /// Comma-separated kernel names present.
        available: String,
    },
    /// Kernel arguments do not fit the metadata.
    #[error("kernarg {kernel}: {detail}")]
    Kernarg {
        /// Kernel name.
        kernel: String,
        /// What is wrong.
        detail: String,
    },
}
