//! The files the fake kernel hands out: PRIME dma-bufs, syncobj files and
//! sync_files, and the ioctls that create and take them
//! (`drivers/gpu/drm/drm_prime.c` `drm_gem_prime_handle_to_fd` /
//! `drm_gem_prime_fd_to_handle`, `drivers/dma-buf/dma-buf.c` `dma_buf_get`,
//! `amdgpu_dma_buf.c` `amdgpu_gem_prime_export` / `_import`,
//! `drivers/gpu/drm/drm_syncobj.c` `drm_syncobj_handle_to_fd_ioctl` /
//! `drm_syncobj_fd_to_handle_ioctl` and `amdgpu_fence_to_handle_ioctl`).
//!
//! Every such file is the write end of a real pipe whose read end the
//! simulator keeps. The file is identified by its inode (`st_dev`,
//! `st_ino` from `fstat`), so a `dup()`ed or `SCM_RIGHTS`-passed fd still
//! resolves; an fd of any other file is "not a dma-buf / syncobj file".
//! When every write end is closed the read end reports `POLLHUP`: that is
//! the file's `release` (`dma_buf_release` → `drm_gem_dmabuf_release`,
//! `drm_syncobj_file_release`, `sync_file_release`), noticed at the next
//! ioctl ([`reap`]) or at once when the simulator itself drops its last
//! reference (GEM_CLOSE dropping `obj->dma_buf`).

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::os::fd::{AsFd, AsRawFd, IntoRawFd, OwnedFd, RawFd};

use amdgpu_kmd::Errno;
use nix::fcntl::{fcntl, FcntlArg, FdFlag, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use super::mem::Store;
use super::syncobj::Fence;
use super::State;

/// A file's identity: (`st_dev`, `st_ino`).
pub(crate) type Key = (u64, u64);

/// What a file stands for.
pub(crate) enum Kind {
    /// A dma-buf exported from GEM object `obj` (holds one object reference,
    /// `drm_gem_dmabuf_export`).
    DmaBuf { obj: u64 },
    /// A syncobj file (`drm_syncobj_get_fd`): holds the syncobj `id`; its
    /// fence is kept equal to the handles' by [`State::set_syncobj_fence`].
    Syncobj { id: u64, fence: Option<Fence> },
    /// A sync_file carrying one fence (`sync_file_create`).
    SyncFile { fence: Fence },
}

/// One live file.
pub(crate) struct SimFile {
    pub kind: Kind,
    /// Read end of the pipe: POLLHUP once no write end is open anywhere.
    watch: OwnedFd,
}

/// `obj->dma_buf`: the reference a GEM object with handles holds on its
/// exported dma-buf (`export_and_register_object`, set again on import by
/// `drm_gem_prime_fd_to_handle`, dropped by
/// `drm_gem_object_exported_dma_buf_free` when the last handle goes).
pub(crate) struct Cached {
    pub key: Key,
    fd: OwnedFd,
}

/// The identity of the file behind `fd`; `EBADF` for a closed fd, as `fget`.
pub(crate) fn key_of(fd: RawFd) -> Result<Key, Errno> {
    let s = nix::sys::stat::fstat(fd)?;
    Ok((s.st_dev as u64, s.st_ino as u64))
}

/// A new file of `kind`: registered under its key; returns the key and the
/// (only) write end.
pub(crate) fn create(st: &mut State, kind: Kind) -> Result<(Key, OwnedFd), Errno> {
    let (watch, file) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let key = key_of(file.as_raw_fd())?;
    st.files.insert(key, SimFile { kind, watch });
    Ok((key, file))
}

/// A new fd for the same open file as `f` (`fd_install` of one more
/// reference, `get_unused_fd_flags(flags & O_CLOEXEC)`), handed over to the
/// caller as a raw number the way the kernel installs it.
pub(crate) fn install(f: &OwnedFd, cloexec: bool) -> Result<i32, Errno> {
    let fd = f.try_clone().map_err(io_errno)?;
    if !cloexec {
        fcntl(fd.as_raw_fd(), FcntlArg::F_SETFD(FdFlag::empty()))?;
    }
    Ok(fd.into_raw_fd())
}

/// Takes a new reference on the live file `key` (`get_dma_buf`): another
/// write end of its pipe, opened through the read end the simulator keeps.
pub(crate) fn reference(st: &State, key: Key) -> Result<Cached, Errno> {
    let f = st.files.get(&key).ok_or(Errno::EINVAL)?;
    let path = format!("/proc/self/fd/{}", f.watch.as_raw_fd());
    let fd: OwnedFd = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io_errno)?
        .into();
    Ok(Cached { key, fd })
}

impl Cached {
    /// A fresh reference as a [`Cached`] (wraps an export's write end).
    pub(crate) fn new(key: Key, fd: OwnedFd) -> Self {
        Self { key, fd }
    }
    /// The write end to dup for `dma_buf_fd`.
    pub(crate) fn fd(&self) -> &OwnedFd {
        &self.fd
    }
}

fn io_errno(e: std::io::Error) -> Errno {
    e.raw_os_error().map_or(Errno::EIO, Errno::from_raw)
}

/// Releases every file no fd refers to any more: a dma-buf drops its object
/// reference (`drm_gem_dmabuf_release`), which frees the object when no
/// handle is left; syncobj files and sync_files drop their fence.
pub(crate) fn reap(st: &mut State, store: &mut Store) {
    if st.files.is_empty() {
        return;
    }
    let keys: Vec<Key> = st.files.keys().copied().collect();
    let gone: Vec<Key> = {
        let mut fds: Vec<PollFd<'_>> = keys
            .iter()
            .map(|k| PollFd::new(st.files[k].watch.as_fd(), PollFlags::empty()))
            .collect();
        if poll(&mut fds, PollTimeout::ZERO).is_err() {
            return;
        }
        keys.iter()
            .zip(&fds)
            .filter(|(_, p)| {
                p.revents()
                    .is_some_and(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR))
            })
            .map(|(k, _)| *k)
            .collect()
    };
    for k in gone {
        if let Some(f) = st.files.remove(&k) {
            if let Kind::DmaBuf { obj } = f.kind {
                st.put_obj(store, obj);
            }
        }
    }
}

/// `file_priv->prime`: dma-buf → handle of this (the one simulated) DRM file.
pub(crate) type PrimeTable = HashMap<Key, u32>;
