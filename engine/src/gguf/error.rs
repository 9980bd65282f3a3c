//! Errors of the GGUF parser; each names the byte offset and the key or
//! tensor being read.

use std::path::PathBuf;

/// What went wrong reading a GGUF file.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// The file could not be opened or mapped.
    #[error("{}: {source}", path.display())]
    Io {
        /// File path.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// The first four bytes are not `GGUF`.
    #[error("not a GGUF file: magic at offset 0 is {found:02x?}, expected \"GGUF\"")]
    BadMagic {
        /// The bytes found.
        found: [u8; 4],
    },
    /// Only versions 2 and 3 are supported.
    #[error("unsupported GGUF version {0} at offset 4 (supported: 2, 3)")]
    UnsupportedVersion(u32),
    /// The file ends before a field.
    #[error("truncated file: {what} at offset {offset} needs {need} bytes, file has {len}")]
    Truncated {
        /// Offset of the field.
        offset: usize,
        /// Bytes needed.
        need: u64,
        /// File length.
        len: usize,
        /// The field.
        what: String,
    },
    /// A count is larger than the rest of the file could hold.
    #[error(
        "{what} at offset {offset} is {count}, more than the remaining {remaining} bytes can hold"
    )]
    CountTooLarge {
        /// Offset just after the count.
        offset: usize,
        /// The count.
        count: u64,
        /// Remaining bytes.
        remaining: usize,
        /// The field.
        what: String,
    },
    /// A metadata value type id is unknown.
    #[error("unknown metadata value type {ty} at offset {offset} (key '{key}')")]
    BadValueType {
        /// Offset of the type id.
        offset: usize,
        /// The type id.
        ty: u32,
        /// The key.
        key: String,
    },
    /// A string is not valid UTF-8.
    #[error("invalid UTF-8 in {what} at offset {offset}")]
    BadUtf8 {
        /// Offset of the string bytes.
        offset: usize,
        /// The field.
        what: String,
    },
    /// Arrays nested too deeply.
    #[error("arrays nested deeper than {max} at offset {offset} (key '{key}')")]
    TooDeep {
        /// Offset.
        offset: usize,
        /// Limit.
        max: usize,
        /// The key.
        key: String,
    },
    /// A key appears twice.
    #[error("duplicate metadata key '{key}' at offset {offset}")]
    DuplicateKey {
        /// Offset of the second occurrence.
        offset: usize,
        /// The key.
        key: String,
    },
    /// `general.alignment` is not a positive power of two.
    #[error("general.alignment must be a power of two, found {value}")]
    BadAlignment {
        /// The value found.
        value: String,
    },
    /// A tensor info is malformed.
    #[error("tensor '{name}' (info at offset {offset}): {reason}")]
    BadTensor {
        /// Offset of the tensor info.
        offset: usize,
        /// Tensor name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A tensor name appears twice.
    #[error("duplicate tensor '{name}' at offset {offset}")]
    DuplicateTensor {
        /// Offset of the second occurrence.
        offset: usize,
        /// Tensor name.
        name: String,
    },
    /// A tensor's data lies outside the file.
    #[error("tensor '{name}' data [{start}, +{len}) lies outside the file ({file_len} bytes)")]
    TensorOutOfBounds {
        /// Tensor name.
        name: String,
        /// Absolute start offset.
        start: u64,
        /// Byte length.
        len: u64,
        /// File length.
        file_len: u64,
    },
    /// A required metadata key is absent.
    #[error("missing metadata key '{0}'")]
    MissingKey(String),
    /// A metadata key has an unexpected type.
    #[error("metadata key '{key}' is {found}, expected {expected}")]
    WrongType {
        /// The key.
        key: String,
        /// Expected type.
        expected: &'static str,
        /// Found type.
        found: &'static str,
    },
    /// A required tensor is absent.
    #[error("missing tensor '{0}'")]
    MissingTensor(String),
}
