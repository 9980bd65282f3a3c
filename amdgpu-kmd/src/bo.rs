//! Buffer objects: GEM_CREATE / GEM_MMAP / GEM_VA / GEM_WAIT_IDLE / GEM_OP /
//! GEM_CLOSE behind an RAII [`Bo`]. Dropping a `Bo` unmaps its GPU VA (and
//! returns the range to the allocator), drops the CPU mapping, then closes
//! the handle — the order amdgpu_gem.c / libdrm's `amdgpu_bo_free` expect.

use crate::device::{abs_timeout_ns, Device};
use crate::driver::{CpuMapping, UserMem};
use crate::error::{Error, Result};
use crate::uapi::*;
use std::collections::HashSet;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

bitflags::bitflags! {
    /// `AMDGPU_GEM_DOMAIN_*`: where a BO may live.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Domains: u32 {
        /// System memory the GPU cannot access.
        const CPU = AMDGPU_GEM_DOMAIN_CPU;
        /// GPU-accessible system memory (GART).
        const GTT = AMDGPU_GEM_DOMAIN_GTT;
        /// Video memory.
        const VRAM = AMDGPU_GEM_DOMAIN_VRAM;
        /// Global data share.
        const GDS = AMDGPU_GEM_DOMAIN_GDS;
        /// Global wave sync.
        const GWS = AMDGPU_GEM_DOMAIN_GWS;
        /// Ordered append.
        const OA = AMDGPU_GEM_DOMAIN_OA;
    }
}

bitflags::bitflags! {
    /// `AMDGPU_GEM_CREATE_*` flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct BoFlags: u64 {
        /// VRAM must be CPU-visible (the BAR).
        const CPU_ACCESS_REQUIRED = AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED as u64;
        /// VRAM may be CPU-invisible.
        const NO_CPU_ACCESS = AMDGPU_GEM_CREATE_NO_CPU_ACCESS as u64;
        /// Write-combined GTT.
        const CPU_GTT_USWC = AMDGPU_GEM_CREATE_CPU_GTT_USWC as u64;
        /// Cleared on allocation.
        const VRAM_CLEARED = AMDGPU_GEM_CREATE_VRAM_CLEARED as u64;
        /// Physically contiguous VRAM.
        const VRAM_CONTIGUOUS = AMDGPU_GEM_CREATE_VRAM_CONTIGUOUS as u64;
        /// Always valid in this VM (no BO list needed).
        const VM_ALWAYS_VALID = AMDGPU_GEM_CREATE_VM_ALWAYS_VALID as u64;
        /// Sharing is explicitly synchronized.
        const EXPLICIT_SYNC = AMDGPU_GEM_CREATE_EXPLICIT_SYNC as u64;
        /// Wipe VRAM on release.
        const VRAM_WIPE_ON_RELEASE = AMDGPU_GEM_CREATE_VRAM_WIPE_ON_RELEASE as u64;
        /// TMZ-encrypted.
        const ENCRYPTED = AMDGPU_GEM_CREATE_ENCRYPTED as u64;
        /// Used only in preemptible contexts.
        const PREEMPTIBLE = AMDGPU_GEM_CREATE_PREEMPTIBLE as u64;
        /// Content may be discarded under pressure (newer kernels).
        const DISCARDABLE = AMDGPU_GEM_CREATE_DISCARDABLE as u64;
        /// Coherent between devices / CPU (newer kernels).
        const COHERENT = AMDGPU_GEM_CREATE_COHERENT as u64;
        /// Not cached by the GPU (newer kernels).
        const UNCACHED = AMDGPU_GEM_CREATE_UNCACHED as u64;
    }
}

bitflags::bitflags! {
    /// `AMDGPU_VM_*` page flags for GEM_VA.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct VmFlags: u32 {
        /// Defer the page-table update.
        const DELAY_UPDATE = AMDGPU_VM_DELAY_UPDATE;
        /// Readable.
        const READABLE = AMDGPU_VM_PAGE_READABLE;
        /// Writeable.
        const WRITEABLE = AMDGPU_VM_PAGE_WRITEABLE;
        /// Executable.
        const EXECUTABLE = AMDGPU_VM_PAGE_EXECUTABLE;
        /// Partially resident texture.
        const PRT = AMDGPU_VM_PAGE_PRT;
        /// MTYPE non-coherent.
        const MTYPE_NC = AMDGPU_VM_MTYPE_NC;
        /// MTYPE write-combined.
        const MTYPE_WC = AMDGPU_VM_MTYPE_WC;
        /// MTYPE cache-coherent.
        const MTYPE_CC = AMDGPU_VM_MTYPE_CC;
        /// MTYPE uncached.
        const MTYPE_UC = AMDGPU_VM_MTYPE_UC;
        /// MTYPE RW.
        const MTYPE_RW = AMDGPU_VM_MTYPE_RW;
    }
}

impl VmFlags {
    /// Read + write + execute, the usual compute mapping.
    pub const RWX: Self = Self::READABLE
        .union(Self::WRITEABLE)
        .union(Self::EXECUTABLE);
}

/// What to allocate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoDesc {
    /// Size in bytes (rounded up to 4 KiB).
    pub size: u64,
    /// Physical alignment in bytes (0 = page).
    pub alignment: u64,
    /// Allowed domains.
    pub domains: Domains,
    /// Creation flags.
    pub flags: BoFlags,
}

/// GPU page size the BO sizes are rounded to.
pub const GPU_PAGE_SIZE: u64 = 4096;

/// A GEM buffer object (RAII).
pub struct Bo {
    dev: Device,
    handle: u32,
    size: u64,
    domains: Domains,
    flags: BoFlags,
    cpu: OnceLock<Box<dyn CpuMapping>>,
    va: Mutex<Option<(u64, VmFlags)>>,
}

impl std::fmt::Debug for Bo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bo")
            .field("handle", &self.handle)
            .field("size", &self.size)
            .field("domains", &self.domains)
            .field("gpu_va", &self.gpu_va())
            .finish()
    }
}

impl Device {
    /// `GEM_CREATE` a BO of `size` bytes (page-aligned) in `domains`.
    pub fn create_bo(&self, size: u64, domains: Domains, flags: BoFlags) -> Result<Bo> {
        self.create_bo_with(BoDesc {
            size,
            alignment: 0,
            domains,
            flags,
        })
    }

    /// `GEM_CREATE` with an explicit descriptor.
    pub fn create_bo_with(&self, d: BoDesc) -> Result<Bo> {
        let size = d
            .size
            .checked_next_multiple_of(GPU_PAGE_SIZE)
            .filter(|&s| s > 0)
            .ok_or_else(|| Error::Invalid(format!("GEM_CREATE: bad BO size {:#x}", d.size)))?;
        let mut arg = DrmAmdgpuGemCreate::from_input(DrmAmdgpuGemCreateIn {
            bo_size: size,
            alignment: if d.alignment == 0 {
                GPU_PAGE_SIZE
            } else {
                d.alignment
            },
            domains: u64::from(d.domains.bits()),
            domain_flags: d.flags.bits(),
        });
        let mut owned = self.bo_handles();
        self.ioctl(
            "GEM_CREATE",
            DRM_IOCTL_AMDGPU_GEM_CREATE,
            &mut arg,
            &mut UserMem::new(),
        )?;
        owned.insert(arg.output().handle);
        Ok(Bo {
            dev: self.clone(),
            handle: arg.output().handle,
            size,
            domains: d.domains,
            flags: d.flags,
            cpu: OnceLock::new(),
            va: Mutex::new(None),
        })
    }

    fn bo_handles(&self) -> MutexGuard<'_, HashSet<u32>> {
        self.inner
            .bo_handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// `PRIME_FD_TO_HANDLE`: imports a dma-buf fd as a BO (size, domains
    /// and flags from `GEM_OP GET_GEM_CREATE_INFO`). The fd stays the
    /// caller's. Importing a dma-buf this device file already has a handle
    /// for returns that handle (`drm_gem_prime_fd_to_handle`'s lookup); if a
    /// live [`Bo`] owns it, this is `Error::Invalid` rather than a second
    /// owner that would close the handle under the first.
    pub fn import_fd(&self, fd: BorrowedFd<'_>) -> Result<Bo> {
        let mut owned = self.bo_handles();
        let mut arg = DrmPrimeHandle {
            handle: 0,
            flags: 0,
            fd: fd.as_raw_fd(),
        };
        self.ioctl(
            "PRIME_FD_TO_HANDLE",
            DRM_IOCTL_PRIME_FD_TO_HANDLE,
            &mut arg,
            &mut UserMem::new(),
        )?;
        if !owned.insert(arg.handle) {
            return Err(Error::Invalid(format!(
                "PRIME_FD_TO_HANDLE: the dma-buf is BO handle {} of this device, already owned",
                arg.handle
            )));
        }
        drop(owned);
        let mut bo = Bo {
            dev: self.clone(),
            handle: arg.handle,
            size: 0,
            domains: Domains::empty(),
            flags: BoFlags::empty(),
            cpu: OnceLock::new(),
            va: Mutex::new(None),
        };
        // On error, dropping `bo` closes the new handle.
        let info = bo.create_info()?;
        bo.size = info.bo_size;
        bo.domains = Domains::from_bits_retain(info.domains as u32);
        bo.flags = BoFlags::from_bits_retain(info.domain_flags);
        Ok(bo)
    }
}

impl Bo {
    /// GEM handle.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// `PRIME_HANDLE_TO_FD` with `DRM_CLOEXEC | DRM_RDWR` (as libdrm's
    /// `amdgpu_bo_export`): a dma-buf fd for this BO. Exporting again gives
    /// a new fd for the same dma-buf (the kernel caches it in
    /// `obj->dma_buf`); the dma-buf keeps the object alive after the handle
    /// is closed, until its last fd is.
    pub fn export_fd(&self) -> Result<OwnedFd> {
        let mut arg = DrmPrimeHandle {
            handle: self.handle,
            flags: DRM_CLOEXEC | DRM_RDWR,
            fd: -1,
        };
        self.dev.ioctl(
            "PRIME_HANDLE_TO_FD",
            DRM_IOCTL_PRIME_HANDLE_TO_FD,
            &mut arg,
            &mut UserMem::new(),
        )?;
        crate::real::adopt_fd("PRIME_HANDLE_TO_FD", arg.fd)
    }

    /// Size in bytes (page-rounded).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Domains it was created with.
    pub fn domains(&self) -> Domains {
        self.domains
    }

    /// Creation flags.
    pub fn flags(&self) -> BoFlags {
        self.flags
    }

    /// The device it belongs to.
    pub fn device(&self) -> &Device {
        &self.dev
    }

    fn va_slot(&self) -> std::sync::MutexGuard<'_, Option<(u64, VmFlags)>> {
        self.va.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// GPU virtual address if mapped.
    pub fn gpu_va(&self) -> Option<u64> {
        self.va_slot().map(|(a, _)| a)
    }

    fn gem_va(&self, what: &'static str, operation: u32, va: u64, flags: VmFlags) -> Result<()> {
        let mut arg = DrmAmdgpuGemVa {
            handle: self.handle,
            _pad: 0,
            operation,
            flags: flags.bits(),
            va_address: va,
            offset_in_bo: 0,
            map_size: self.size,
        };
        self.dev
            .ioctl(what, DRM_IOCTL_AMDGPU_GEM_VA, &mut arg, &mut UserMem::new())?;
        Ok(())
    }

    /// Maps the whole BO into the GPU VM at a fresh VA (`GEM_VA map`);
    /// returns the address. Alignment: at least the BO size's power of two up
    /// to 2 MiB, so large BOs get huge-page-friendly addresses.
    pub fn map_gpu(&self, flags: VmFlags) -> Result<u64> {
        let mut slot = self.va_slot();
        if let Some((a, _)) = *slot {
            return Err(Error::Invalid(format!(
                "BO {}: already mapped at {a:#x}",
                self.handle
            )));
        }
        let align = self.size.next_power_of_two().min(2 << 20);
        let va = self.dev.alloc_va(self.size, align)?;
        if let Err(e) = self.gem_va("GEM_VA map", AMDGPU_VA_OP_MAP, va, flags) {
            let _ = self.dev.free_va(va, self.size);
            return Err(e);
        }
        *slot = Some((va, flags));
        Ok(va)
    }

    /// Changes the page flags of the existing mapping (`GEM_VA replace`).
    pub fn remap_gpu(&self, flags: VmFlags) -> Result<()> {
        let mut slot = self.va_slot();
        let (va, _) =
            slot.ok_or_else(|| Error::Invalid(format!("BO {}: not mapped", self.handle)))?;
        self.gem_va("GEM_VA replace", AMDGPU_VA_OP_REPLACE, va, flags)?;
        *slot = Some((va, flags));
        Ok(())
    }

    /// Unmaps the BO from the GPU VM (`GEM_VA unmap`) and frees the range.
    pub fn unmap_gpu(&self) -> Result<()> {
        let mut slot = self.va_slot();
        let Some((va, flags)) = *slot else {
            return Err(Error::Invalid(format!("BO {}: not mapped", self.handle)));
        };
        self.gem_va("GEM_VA unmap", AMDGPU_VA_OP_UNMAP, va, flags)?;
        *slot = None;
        self.dev.free_va(va, self.size)
    }

    fn cpu(&self) -> Result<&dyn CpuMapping> {
        if let Some(m) = self.cpu.get() {
            return Ok(&**m);
        }
        let mut arg = DrmAmdgpuGemMmap::from_input(DrmAmdgpuGemMmapIn {
            handle: self.handle,
            _pad: 0,
        });
        self.dev.ioctl(
            "GEM_MMAP",
            DRM_IOCTL_AMDGPU_GEM_MMAP,
            &mut arg,
            &mut UserMem::new(),
        )?;
        let offset = arg.output().addr_ptr;
        let len =
            usize::try_from(self.size).map_err(|_| Error::Invalid("BO too large to map".into()))?;
        let map = self
            .dev
            .driver()
            .mmap(offset, len)
            .map_err(|errno| Error::Mmap {
                handle: self.handle,
                offset,
                len,
                errno,
            })?;
        if map.len() < len {
            return Err(Error::Protocol(format!(
                "mmap of BO {} returned {} bytes, want {len}",
                self.handle,
                map.len()
            )));
        }
        // A concurrent first access may have won the race; either mapping is fine.
        Ok(&**self.cpu.get_or_init(|| map))
    }

    fn check(&self, offset: u64, len: usize) -> Result<usize> {
        let bad = || Error::OutOfBounds {
            handle: self.handle,
            offset,
            len: len as u64,
            size: self.size,
        };
        let end = offset.checked_add(len as u64).ok_or_else(bad)?;
        if end > self.size {
            return Err(bad());
        }
        usize::try_from(offset).map_err(|_| bad())
    }

    /// Copies `out.len()` bytes at `offset` out of the BO (maps it on first use).
    pub fn read(&self, offset: u64, out: &mut [u8]) -> Result<()> {
        let off = self.check(offset, out.len())?;
        let handle = self.handle;
        self.cpu()?.read(off, out).map_err(|errno| Error::Mmap {
            handle,
            offset,
            len: out.len(),
            errno,
        })
    }

    /// Copies `data` into the BO at `offset`.
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<()> {
        let off = self.check(offset, data.len())?;
        let handle = self.handle;
        self.cpu()?.write(off, data).map_err(|errno| Error::Mmap {
            handle,
            offset,
            len: data.len(),
            errno,
        })
    }

    /// Reads `len` bytes into a new vector.
    pub fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut v = vec![0; len];
        self.read(offset, &mut v)?;
        Ok(v)
    }

    /// `GEM_WAIT_IDLE`: true when idle, false when still busy at the timeout.
    pub fn wait_idle(&self, timeout: Duration) -> Result<bool> {
        let mut arg = DrmAmdgpuGemWaitIdle::from_input(DrmAmdgpuGemWaitIdleIn {
            handle: self.handle,
            flags: 0,
            timeout: abs_timeout_ns(timeout),
        });
        self.dev.ioctl(
            "GEM_WAIT_IDLE",
            DRM_IOCTL_AMDGPU_GEM_WAIT_IDLE,
            &mut arg,
            &mut UserMem::new(),
        )?;
        Ok(arg.output().status == 0)
    }

    /// `GEM_OP GET_GEM_CREATE_INFO`: size, alignment, domains and flags as the
    /// kernel holds them.
    pub fn create_info(&self) -> Result<DrmAmdgpuGemCreateIn> {
        let mut info = DrmAmdgpuGemCreateIn::default();
        let mut user = UserMem::new();
        let ptr = user.output(bytemuck::bytes_of_mut(&mut info));
        let mut arg = DrmAmdgpuGemOp {
            handle: self.handle,
            op: AMDGPU_GEM_OP_GET_GEM_CREATE_INFO,
            value: ptr,
        };
        self.dev.ioctl(
            "GEM_OP get_create_info",
            DRM_IOCTL_AMDGPU_GEM_OP,
            &mut arg,
            &mut user,
        )?;
        drop(user);
        Ok(info)
    }

    /// `GEM_OP SET_PLACEMENT`: changes the preferred domains.
    pub fn set_placement(&mut self, domains: Domains) -> Result<()> {
        let mut arg = DrmAmdgpuGemOp {
            handle: self.handle,
            op: AMDGPU_GEM_OP_SET_PLACEMENT,
            value: u64::from(domains.bits()),
        };
        self.dev.ioctl(
            "GEM_OP set_placement",
            DRM_IOCTL_AMDGPU_GEM_OP,
            &mut arg,
            &mut UserMem::new(),
        )?;
        self.domains = domains;
        Ok(())
    }
}

impl Bo {
    /// `GEM_METADATA set`: opaque UMD metadata (tiling info + up to 64
    /// dwords) attached to the BO for sharing.
    pub fn set_metadata(&self, flags: u64, tiling_info: u64, data: &[u32]) -> Result<()> {
        if data.len() > 64 {
            return Err(Error::Invalid(format!(
                "GEM_METADATA: {} dwords, at most 64",
                data.len()
            )));
        }
        let mut md = DrmAmdgpuGemMetadata {
            handle: self.handle,
            op: AMDGPU_GEM_METADATA_OP_SET_METADATA,
            data: DrmAmdgpuGemMetadataData {
                flags,
                tiling_info,
                data_size_bytes: (data.len() * 4) as u32,
                ..Default::default()
            },
        };
        md.data.data[..data.len()].copy_from_slice(data);
        self.dev.ioctl(
            "GEM_METADATA set",
            DRM_IOCTL_AMDGPU_GEM_METADATA,
            &mut md,
            &mut UserMem::new(),
        )?;
        Ok(())
    }

    /// `GEM_METADATA get`.
    pub fn metadata(&self) -> Result<DrmAmdgpuGemMetadataData> {
        let mut md = DrmAmdgpuGemMetadata {
            handle: self.handle,
            op: AMDGPU_GEM_METADATA_OP_GET_METADATA,
            data: Default::default(),
        };
        self.dev.ioctl(
            "GEM_METADATA get",
            DRM_IOCTL_AMDGPU_GEM_METADATA,
            &mut md,
            &mut UserMem::new(),
        )?;
        if md.data.data_size_bytes > 256 {
            return Err(Error::Protocol(format!(
                "GEM_METADATA get: data_size_bytes {} > 256",
                md.data.data_size_bytes
            )));
        }
        Ok(md.data)
    }
}

impl Drop for Bo {
    fn drop(&mut self) {
        // 1. GPU mapping first: the VA range may only be reused once unmapped.
        if let Some((va, flags)) = self.va_slot().take() {
            if self
                .gem_va("GEM_VA unmap", AMDGPU_VA_OP_UNMAP, va, flags)
                .is_ok()
            {
                let _ = self.dev.free_va(va, self.size);
            } // else: leak the range rather than hand out a still-mapped VA.
        }
        // 2. CPU mapping.
        drop(self.cpu.take());
        // 3. The handle (unregistered under the same lock, so a concurrent
        // create or import that gets the number back registers it afresh).
        let mut owned = self.dev.bo_handles();
        let mut arg = DrmGemClose {
            handle: self.handle,
            pad: 0,
        };
        let _ = self.dev.ioctl(
            "GEM_CLOSE",
            DRM_IOCTL_GEM_CLOSE,
            &mut arg,
            &mut UserMem::new(),
        );
        owned.remove(&self.handle);
    }
}
