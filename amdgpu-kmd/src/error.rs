//! Errors of the Device API. Ioctl failures name the ioctl (and operation)
//! and the errno exactly as the kernel returned it: `GEM_VA map: EINVAL`.

use crate::driver::Errno;

/// A failed ioctl: which one, and the errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{ioctl}: {errno:?}")]
pub struct KmdError {
    /// Short name of the ioctl and operation (`GEM_VA map`, `CTX alloc`).
    pub ioctl: &'static str,
    /// The errno the kernel (or simulator) returned.
    pub errno: Errno,
}

/// Everything the Device API can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An ioctl failed.
    #[error(transparent)]
    Kmd(#[from] KmdError),
    /// `mmap` of a BO failed.
    #[error("mmap of BO {handle} ({len} bytes at fake offset {offset:#x}): {errno:?}")]
    Mmap {
        /// GEM handle.
        handle: u32,
        /// Fake offset from GEM_MMAP.
        offset: u64,
        /// Length.
        len: usize,
        /// errno.
        errno: Errno,
    },
    /// A CPU access outside a BO.
    #[error(
        "BO {handle}: access of {len} bytes at offset {offset:#x} is outside its {size} bytes"
    )]
    OutOfBounds {
        /// GEM handle.
        handle: u32,
        /// Requested offset.
        offset: u64,
        /// Requested length.
        len: u64,
        /// BO size.
        size: u64,
    },
    /// The VA window has no free range of this size.
    #[error("GPU VA space exhausted: no free range of {size:#x} bytes aligned to {align:#x}")]
    VaExhausted {
        /// Requested size.
        size: u64,
        /// Requested alignment.
        align: u64,
    },
    /// A bad argument caught before the ioctl.
    #[error("{0}")]
    Invalid(String),
    /// A kernel reply that makes no sense (short, inconsistent).
    #[error("{0}")]
    Protocol(String),
    /// No render node found / sysfs unreadable.
    #[error("{0}")]
    NoDevice(String),
    /// Opening a render node failed.
    #[error("open {path}: {err}")]
    Open {
        /// Node path.
        path: String,
        /// OS error.
        err: std::io::Error,
    },
}

/// Result of the Device API.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maps an errno to a [`KmdError`] naming `ioctl`.
pub(crate) fn kmd(ioctl: &'static str) -> impl Fn(Errno) -> KmdError {
    move |errno| KmdError { ioctl, errno }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_ioctl_and_errno() {
        let e: Error = KmdError {
            ioctl: "GEM_VA map",
            errno: Errno::EINVAL,
        }
        .into();
        assert_eq!(e.to_string(), "GEM_VA map: EINVAL");
        let e = Error::OutOfBounds {
            handle: 3,
            offset: 0x1000,
            len: 8,
            size: 4096,
        };
        assert_eq!(
            e.to_string(),
            "BO 3: access of 8 bytes at offset 0x1000 is outside its 4096 bytes"
        );
    }
}
