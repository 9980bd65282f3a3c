//! The bytes behind a [`super::Gguf`]: a read-only memory map or an owned buffer.

use std::fs::File;
use std::path::Path;

/// Backing storage of a parsed file.
pub(super) enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    /// Maps `path` read-only.
    pub(super) fn map(path: &Path) -> std::io::Result<Bytes> {
        let file = File::open(path)?;
        // SAFETY: the map is read-only and private to this process. Model files
        // are not modified while loaded (the same assumption llama.cpp's
        // llama_mmap makes); truncating the file underneath would be the
        // caller's bug. This is the engine's only `unsafe`: mapping is what
        // keeps 250 MB models from being copied into the heap.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(Bytes::Mapped(map))
    }

    pub(super) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}
