//! Core DRM items from `drm.h` (libdrm 2.4.114 / kernel `include/uapi/drm/drm.h`).

abi_consts! { DRM_CONSTS, false, u32;
    /// `'d'`, the ioctl type byte of every DRM request.
    DRM_IOCTL_BASE = b'd' as u32,
    /// First driver-private request number (`DRM_COMMAND_BASE`).
    DRM_COMMAND_BASE = 0x40,
    /// One past the last driver-private request number.
    DRM_COMMAND_END = 0xA0,
    /// `O_RDWR`, for `PRIME_HANDLE_TO_FD` flags.
    DRM_RDWR = nix::libc::O_RDWR as u32,
    /// `O_CLOEXEC`, for `PRIME_HANDLE_TO_FD` flags.
    DRM_CLOEXEC = nix::libc::O_CLOEXEC as u32,
    /// Create the syncobj already signaled.
    DRM_SYNCOBJ_CREATE_SIGNALED = 1 << 0,
    /// Import a sync_file into a syncobj.
    DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE = 1 << 0,
    /// Export a syncobj's fence as a sync_file.
    DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE = 1 << 0,
    /// Wait for all handles (else any).
    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL = 1 << 0,
    /// Wait for a fence to be attached before waiting for it.
    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT = 1 << 1,
    /// Wait for the timeline point to become available.
    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE = 1 << 2,
    /// `SYNCOBJ_QUERY`: last submitted rather than signaled point.
    DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED = 1 << 0,
    /// `DRM_CAP_SYNCOBJ` capability id.
    DRM_CAP_SYNCOBJ = 0x13,
    /// `DRM_CAP_SYNCOBJ_TIMELINE` capability id.
    DRM_CAP_SYNCOBJ_TIMELINE = 0x14,
    /// `DRM_CAP_PRIME` capability id.
    DRM_CAP_PRIME = 0x5,
    /// `DRM_CAP_PRIME` bit: the driver imports dma-bufs.
    DRM_PRIME_CAP_IMPORT = 0x1,
    /// `DRM_CAP_PRIME` bit: the driver exports dma-bufs.
    DRM_PRIME_CAP_EXPORT = 0x2,
}

abi_consts! { DRM_NEWER_CONSTS, true, u32;
    /// Timeline/binary wait: `deadline_nsec` carries a deadline hint (newer;
    /// the field itself is not in the libdrm 2.4.114 structs used here).
    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE = 1 << 3,
}

abi_structs! { DRM_STRUCTS;
    /// `struct drm_version` (DRM_IOCTL_VERSION). `size_t`/pointers are 64-bit:
    /// rocless supports LP64 targets only.
    DrmVersion = "struct drm_version" {
        version_major: i32,
        version_minor: i32,
        version_patchlevel: i32,
        _pad0: u32 => pad,
        /// In: capacity of `name`; out: full length.
        name_len: u64,
        /// User pointer to the name buffer.
        name: u64,
        date_len: u64,
        date: u64,
        desc_len: u64,
        desc: u64,
    }
    /// `struct drm_gem_close`.
    DrmGemClose = "struct drm_gem_close" { handle: u32, pad: u32 }
    /// `struct drm_get_cap`.
    DrmGetCap = "struct drm_get_cap" { capability: u64, value: u64 }
    /// `struct drm_prime_handle` (PRIME handle <-> dma-buf fd).
    DrmPrimeHandle = "struct drm_prime_handle" { handle: u32, flags: u32, fd: i32 }
    /// `struct drm_syncobj_create`.
    DrmSyncobjCreate = "struct drm_syncobj_create" { handle: u32, flags: u32 }
    /// `struct drm_syncobj_destroy`.
    DrmSyncobjDestroy = "struct drm_syncobj_destroy" { handle: u32, pad: u32 }
    /// `struct drm_syncobj_handle` (syncobj <-> fd).
    DrmSyncobjHandle = "struct drm_syncobj_handle" { handle: u32, flags: u32, fd: i32, pad: u32 }
    /// `struct drm_syncobj_transfer`.
    DrmSyncobjTransfer = "struct drm_syncobj_transfer" {
        src_handle: u32, dst_handle: u32, src_point: u64, dst_point: u64, flags: u32, pad: u32,
    }
    /// `struct drm_syncobj_wait`. `timeout_nsec` is absolute (CLOCK_MONOTONIC).
    DrmSyncobjWait = "struct drm_syncobj_wait" {
        handles: u64, timeout_nsec: i64, count_handles: u32, flags: u32, first_signaled: u32, pad: u32,
    }
    /// `struct drm_syncobj_timeline_wait`.
    DrmSyncobjTimelineWait = "struct drm_syncobj_timeline_wait" {
        handles: u64, points: u64, timeout_nsec: i64, count_handles: u32, flags: u32,
        first_signaled: u32, pad: u32,
    }
    /// `struct drm_syncobj_array` (RESET / SIGNAL).
    DrmSyncobjArray = "struct drm_syncobj_array" { handles: u64, count_handles: u32, pad: u32 }
    /// `struct drm_syncobj_timeline_array` (QUERY / TIMELINE_SIGNAL).
    DrmSyncobjTimelineArray = "struct drm_syncobj_timeline_array" {
        handles: u64, points: u64, count_handles: u32, flags: u32,
    }
}

abi_ioctls! { DRM_IOCTLS;
    /// Driver name/version (`drm_version`).
    DRM_IOCTL_VERSION = IOC_READ_WRITE(0x00, DrmVersion),
    /// Close a GEM handle.
    DRM_IOCTL_GEM_CLOSE = IOC_WRITE(0x09, DrmGemClose),
    /// Query a DRM capability.
    DRM_IOCTL_GET_CAP = IOC_READ_WRITE(0x0c, DrmGetCap),
    /// Export a GEM handle as a dma-buf fd.
    DRM_IOCTL_PRIME_HANDLE_TO_FD = IOC_READ_WRITE(0x2d, DrmPrimeHandle),
    /// Import a dma-buf fd as a GEM handle.
    DRM_IOCTL_PRIME_FD_TO_HANDLE = IOC_READ_WRITE(0x2e, DrmPrimeHandle),
    /// Create a syncobj.
    DRM_IOCTL_SYNCOBJ_CREATE = IOC_READ_WRITE(0xBF, DrmSyncobjCreate),
    /// Destroy a syncobj.
    DRM_IOCTL_SYNCOBJ_DESTROY = IOC_READ_WRITE(0xC0, DrmSyncobjDestroy),
    /// Syncobj to fd.
    DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD = IOC_READ_WRITE(0xC1, DrmSyncobjHandle),
    /// Fd to syncobj.
    DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE = IOC_READ_WRITE(0xC2, DrmSyncobjHandle),
    /// Wait on binary syncobjs.
    DRM_IOCTL_SYNCOBJ_WAIT = IOC_READ_WRITE(0xC3, DrmSyncobjWait),
    /// Reset syncobjs to unsignaled.
    DRM_IOCTL_SYNCOBJ_RESET = IOC_READ_WRITE(0xC4, DrmSyncobjArray),
    /// Signal syncobjs.
    DRM_IOCTL_SYNCOBJ_SIGNAL = IOC_READ_WRITE(0xC5, DrmSyncobjArray),
    /// Wait on timeline points.
    DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT = IOC_READ_WRITE(0xCA, DrmSyncobjTimelineWait),
    /// Query timeline points.
    DRM_IOCTL_SYNCOBJ_QUERY = IOC_READ_WRITE(0xCB, DrmSyncobjTimelineArray),
    /// Transfer a fence between syncobj points.
    DRM_IOCTL_SYNCOBJ_TRANSFER = IOC_READ_WRITE(0xCC, DrmSyncobjTransfer),
    /// Signal timeline points.
    DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL = IOC_READ_WRITE(0xCD, DrmSyncobjTimelineArray),
}
