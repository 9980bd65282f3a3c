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
        // Mapping keeps 250 MB models out of the heap; the one `unsafe` for it
        // lives in amdgpu-kmd's mmap module.
        let map = amdgpu_kmd::map_file_readonly(&file)?;
        Ok(Bytes::Mapped(map))
    }

    pub(super) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}
