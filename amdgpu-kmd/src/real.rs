//! `RealDriver`: the amdgpu kernel driver behind an open render node.
//!
//! This is the only module of rocless with `unsafe` code: one `ioctl(2)` call,
//! the raw copies in and out of a `mmap(2)`ed buffer object, and taking
//! ownership of the fds the kernel installs for PRIME / syncobj exports.

#![allow(unsafe_code)]

use crate::driver::{CpuMapping, Driver, Errno, UserMem};
use crate::pointers::check_user_pointers;
use crate::uapi::ioctl_fields;
use memmap2::{MmapOptions, MmapRaw};
use std::fs::{File, OpenOptions};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

/// An open DRM render node (`/dev/dri/renderD128`).
#[derive(Debug)]
pub struct RealDriver {
    file: File,
    path: PathBuf,
}

impl RealDriver {
    /// Opens `path` read-write (std opens with `O_CLOEXEC`, like libdrm's
    /// `drmOpenRender`).
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new().read(true).write(true).open(&path)?;
        Ok(Self { file, path })
    }
}

impl Driver for RealDriver {
    fn ioctl(&self, request: u64, arg: &mut [u8], user: &mut UserMem<'_>) -> Result<(), Errno> {
        // The kernel copies exactly _IOC_SIZE(request) bytes in and out of
        // `arg`: a shorter buffer would let it touch memory we do not own.
        if ioctl_fields(request).size != arg.len() {
            return Err(Errno::EINVAL);
        }
        // Every address inside `arg` must lie in a buffer `user` borrows (an
        // output buffer where the kernel writes): those borrows keep it alive
        // and, for outputs, exclusively ours until this call returns.
        check_user_pointers(request, arg, user)?;
        loop {
            // SAFETY: `arg` is a live, exclusively borrowed buffer of exactly
            // the size encoded in `request`, so the kernel's copy_from_user /
            // copy_to_user of that size stays inside it. Every pointer inside
            // it was checked above to refer to a buffer borrowed by `user` for
            // the duration of the call (writable ones to exclusive borrows).
            // The fd is valid for the lifetime of `self.file`.
            let r = unsafe {
                nix::libc::ioctl(
                    self.file.as_raw_fd(),
                    request as nix::libc::c_ulong,
                    arg.as_mut_ptr(),
                )
            };
            if r != -1 {
                return Ok(());
            }
            // Retry like libdrm's drmIoctl (xf86drm.c): EINTR / EAGAIN mean the
            // call was interrupted before doing anything.
            match Errno::last() {
                Errno::EINTR | Errno::EAGAIN => continue,
                e => return Err(e),
            }
        }
    }

    fn mmap(&self, offset: u64, len: usize) -> Result<Box<dyn CpuMapping>, Errno> {
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        let map = MmapOptions::new()
            .offset(offset)
            .len(len)
            .map_raw(&self.file)
            .map_err(|e| e.raw_os_error().map_or(Errno::EIO, Errno::from_raw))?;
        Ok(Box::new(RealMapping { map }))
    }

    fn node(&self) -> String {
        self.path.display().to_string()
    }
}

/// A shared, writable mapping of a BO. Reads and writes copy through raw
/// pointers because the GPU may change the memory at any time: no Rust
/// reference to it is ever formed.
struct RealMapping {
    map: MmapRaw,
}

impl RealMapping {
    fn check(&self, offset: usize, len: usize) -> Result<(), Errno> {
        match offset.checked_add(len) {
            Some(end) if end <= self.map.len() => Ok(()),
            _ => Err(Errno::EFAULT),
        }
    }
}

impl CpuMapping for RealMapping {
    fn len(&self) -> usize {
        self.map.len()
    }

    fn read(&self, offset: usize, out: &mut [u8]) -> Result<(), Errno> {
        self.check(offset, out.len())?;
        // SAFETY: `offset + out.len() <= map.len()` was checked, the mapping
        // lives as long as `self`, and `out` cannot overlap it (it is a Rust
        // reference, the mapping is never exposed as one).
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.map.as_ptr().add(offset),
                out.as_mut_ptr(),
                out.len(),
            );
        }
        Ok(())
    }

    fn write(&self, offset: usize, data: &[u8]) -> Result<(), Errno> {
        self.check(offset, data.len())?;
        // SAFETY: as in `read`; the mapping is PROT_READ|PROT_WRITE, MAP_SHARED.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.map.as_mut_ptr().add(offset),
                data.len(),
            );
        }
        Ok(())
    }
}

/// Maps a whole file read-only (model weights): the project's one mmap
/// helper for plain files, so `unsafe` stays in this module.
///
/// The map is private to this process and read-only. The file must not be
/// truncated while mapped (the assumption llama.cpp's `llama_mmap` makes);
/// doing so would be the caller's bug and can raise SIGBUS, never corrupt
/// memory that safe code relies on beyond this mapping.
pub fn map_file_readonly(file: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: read-only private mapping; see the doc comment for the
    // no-truncation contract.
    unsafe { memmap2::Mmap::map(file) }
}

/// Takes ownership of the fd number a successful fd-returning ioctl
/// (`PRIME_HANDLE_TO_FD`, `SYNCOBJ_HANDLE_TO_FD`, `FENCE_TO_HANDLE`
/// `GET_SYNCOBJ_FD` / `GET_SYNC_FILE_FD`) wrote into its argument struct.
/// Callers preset the field to -1, so a driver that wrote nothing is caught
/// here rather than adopting fd 0.
pub(crate) fn adopt_fd(what: &str, raw: i32) -> crate::Result<OwnedFd> {
    if raw < 0 {
        return Err(crate::Error::Protocol(format!(
            "{what}: succeeded without returning an fd ({raw})"
        )));
    }
    // The fd must be open: a stale number would otherwise be closed on drop.
    nix::fcntl::fcntl(raw, nix::fcntl::FcntlArg::F_GETFD).map_err(|e| {
        crate::Error::Protocol(format!("{what}: returned fd {raw} is not open: {e:?}"))
    })?;
    // SAFETY: by the ioctl's contract (and the `Driver` contract for these
    // requests), a successful call has just installed `raw` in this
    // process's fd table for the caller alone (`fd_install` in the kernel;
    // the simulator gives its `OwnedFd` up with `into_raw_fd`). Nothing else
    // owns or will close it, so it can be owned exactly once, here.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uapi::DRM_IOCTL_GEM_CLOSE;

    #[test]
    fn wrong_size_is_rejected_before_the_kernel() {
        // /dev/null accepts open(O_RDWR); the size check fires first.
        let d = RealDriver::open("/dev/null").unwrap();
        let mut short = [0u8; 4];
        assert_eq!(
            d.ioctl(DRM_IOCTL_GEM_CLOSE, &mut short, &mut UserMem::new()),
            Err(Errno::EINVAL)
        );
        let mut ok = [0u8; 8];
        // Not a DRM node: the kernel answers ENOTTY.
        assert_eq!(
            d.ioctl(DRM_IOCTL_GEM_CLOSE, &mut ok, &mut UserMem::new()),
            Err(Errno::ENOTTY)
        );
        assert_eq!(d.node(), "/dev/null");
    }

    #[test]
    fn mapping_is_bounds_checked() {
        let path = std::env::temp_dir().join(format!("rocless-kmd-map-{}", std::process::id()));
        std::fs::write(&path, [0u8; 8192]).unwrap();
        let d = RealDriver::open(&path).unwrap();
        let m = d.mmap(4096, 4096).unwrap();
        m.write(10, &[1, 2, 3]).unwrap();
        let mut b = [0u8; 3];
        m.read(10, &mut b).unwrap();
        assert_eq!(b, [1, 2, 3]);
        assert_eq!(m.read(4095, &mut b), Err(Errno::EFAULT));
        assert_eq!(m.write(usize::MAX, &b), Err(Errno::EFAULT));
        drop(m);
        let on_disk = std::fs::read(&path).unwrap();
        assert_eq!(&on_disk[4106..4109], &[1, 2, 3]);
        std::fs::remove_file(path).unwrap();
        assert!(d.mmap(0, 0).is_err());
    }
}
