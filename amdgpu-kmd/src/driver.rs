//! The ioctl boundary: a `Driver` receives `(request number, argument bytes)`
//! exactly as `ioctl(2)` would, plus the user memory those bytes point into.
//!
//! Pointers inside argument structs (CS chunk arrays, INFO return buffers,
//! BO-list entries …) are real user-space addresses of Rust-owned buffers
//! registered in a [`UserMem`]. A real kernel dereferences them directly; the
//! simulator resolves them through [`UserMem::read`] / [`UserMem::write`],
//! which fail with `EFAULT` exactly where `copy_from_user` would.

pub use nix::errno::Errno;

/// One kernel behind the ioctl boundary: the real amdgpu driver on a render
/// node, or the simulator. Nothing above this crate knows which.
pub trait Driver: Send + Sync {
    /// Performs one ioctl. `arg` is the argument struct's bytes (in and out);
    /// `user` holds every buffer whose address appears inside `arg`.
    ///
    /// For requests that return a file descriptor (`PRIME_HANDLE_TO_FD`,
    /// `SYNCOBJ_HANDLE_TO_FD`, `FENCE_TO_HANDLE` `GET_SYNCOBJ_FD` /
    /// `GET_SYNC_FILE_FD`), success means the fd written into `arg` is a new
    /// one installed for the caller, who takes ownership of it (as the
    /// kernel's `fd_install`).
    fn ioctl(&self, request: u64, arg: &mut [u8], user: &mut UserMem<'_>) -> Result<(), Errno>;

    /// Maps `len` bytes of the render node at the fake offset that
    /// `DRM_IOCTL_AMDGPU_GEM_MMAP` returned (like `mmap(2)` on the fd).
    fn mmap(&self, offset: u64, len: usize) -> Result<Box<dyn CpuMapping>, Errno>;

    /// Path of the node this driver talks to (`/dev/dri/renderD128`, `sim:0`).
    fn node(&self) -> String;
}

/// A CPU mapping of a buffer object. Accesses copy, so a mapping never hands
/// out a reference that the GPU (or the simulator) could change underneath.
pub trait CpuMapping: Send + Sync {
    /// Mapped length in bytes.
    fn len(&self) -> usize;
    /// True when the mapping is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Copies `out.len()` bytes from `offset`. Callers bounds-check first;
    /// implementations return `EFAULT` when out of range.
    fn read(&self, offset: usize, out: &mut [u8]) -> Result<(), Errno>;
    /// Copies `data` to `offset`; `EFAULT` when out of range.
    fn write(&self, offset: usize, data: &[u8]) -> Result<(), Errno>;
}

enum Region<'a> {
    In(&'a [u8]),
    Out(&'a mut [u8]),
}

impl Region<'_> {
    fn addr(&self) -> u64 {
        match self {
            Region::In(s) => s.as_ptr() as u64,
            Region::Out(s) => s.as_ptr() as u64,
        }
    }
    fn len(&self) -> usize {
        match self {
            Region::In(s) => s.len(),
            Region::Out(s) => s.len(),
        }
    }
}

/// The user memory one ioctl may touch: buffers registered by the caller,
/// addressed by their real addresses (which go into the argument struct).
///
/// ```
/// use amdgpu_kmd::UserMem;
/// let src = [1u8, 2, 3, 4];
/// let mut dst = [0u8; 8];
/// let mut user = UserMem::new();
/// let a = user.input(&src);
/// let b = user.output(&mut dst);
/// assert_eq!(user.read(a + 1, 2).unwrap(), &[2, 3]);
/// user.write(b, &[9, 9]).unwrap();
/// assert!(user.read(0x10, 4).is_err()); // EFAULT, like copy_from_user
/// ```
#[derive(Default)]
pub struct UserMem<'a> {
    regions: Vec<Region<'a>>,
}

impl<'a> UserMem<'a> {
    /// An empty set (for ioctls without pointers).
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a buffer the kernel reads; returns its user address.
    pub fn input(&mut self, data: &'a [u8]) -> u64 {
        let r = Region::In(data);
        let a = r.addr();
        self.regions.push(r);
        a
    }

    /// Registers a buffer the kernel writes (and may read); returns its address.
    pub fn output(&mut self, data: &'a mut [u8]) -> u64 {
        let r = Region::Out(data);
        let a = r.addr();
        self.regions.push(r);
        a
    }

    fn find(&self, addr: u64, len: usize) -> Option<(usize, usize)> {
        let end = addr.checked_add(len as u64)?;
        self.regions.iter().enumerate().find_map(|(i, r)| {
            let start = r.addr();
            let rend = start + r.len() as u64;
            (addr >= start && end <= rend).then(|| (i, (addr - start) as usize))
        })
    }

    /// `copy_from_user`: `len` bytes at `addr`, or `EFAULT`.
    pub fn read(&self, addr: u64, len: usize) -> Result<&[u8], Errno> {
        let (i, off) = self.find(addr, len).ok_or(Errno::EFAULT)?;
        Ok(match &self.regions[i] {
            Region::In(s) => &s[off..off + len],
            Region::Out(s) => &s[off..off + len],
        })
    }

    /// `access_ok` for a pointer inside an argument struct: `Ok` when
    /// `[addr, addr + len)` lies inside one registered buffer (an output
    /// buffer if `write`). A zero length is always fine, as in the kernel.
    pub fn check(&self, addr: u64, len: usize, write: bool) -> Result<(), Errno> {
        if len == 0 {
            return Ok(());
        }
        let (i, _) = self.find(addr, len).ok_or(Errno::EFAULT)?;
        match (&self.regions[i], write) {
            (Region::In(_), true) => Err(Errno::EFAULT),
            _ => Ok(()),
        }
    }

    /// `copy_to_user`: writes `data` at `addr`; `EFAULT` unless the range lies
    /// inside one registered output buffer.
    pub fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        let (i, off) = self.find(addr, data.len()).ok_or(Errno::EFAULT)?;
        match &mut self.regions[i] {
            Region::Out(s) => {
                s[off..off + data.len()].copy_from_slice(data);
                Ok(())
            }
            Region::In(_) => Err(Errno::EFAULT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_write_and_faults() {
        let src = [1u8, 2, 3, 4];
        let mut dst = [0u8; 4];
        let mut u = UserMem::new();
        let a = u.input(&src);
        let b = u.output(&mut dst);
        assert_eq!(u.read(a, 4).unwrap(), &src);
        assert_eq!(u.read(a + 3, 2), Err(Errno::EFAULT)); // straddles the end
        assert_eq!(u.write(a, &[0]), Err(Errno::EFAULT)); // read-only region
        u.write(b + 2, &[7, 8]).unwrap();
        assert_eq!(u.read(b, 4).unwrap(), &[0, 0, 7, 8]);
        assert_eq!(u.read(u64::MAX, 2), Err(Errno::EFAULT));
        drop(u);
        assert_eq!(dst, [0, 0, 7, 8]);
    }
}
