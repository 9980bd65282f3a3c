//! PRIME (dma-buf) and syncobj / sync_file fds on the fake kernel, through
//! the same `Driver` trait and Device API a render node uses, with the
//! errnos of drm_prime.c, dma-buf.c (`dma_buf_get`), amdgpu_dma_buf.c and
//! drm_syncobj.c.

mod kmd_support;
use kmd_support::{dev, errno, raw};

use std::os::fd::{AsFd, AsRawFd, IntoRawFd, OwnedFd};
use std::time::Duration;

use amdgpu_kmd::uapi::*;
use amdgpu_kmd::{
    Bo, BoFlags, Context, Device, Domains, Errno, Error, Ib, Submit, UserMem, VmFlags,
};
use pm4::op;

const SHORT: Duration = Duration::from_millis(5);
const LONG: Duration = Duration::from_secs(5);

fn handle_to_fd(d: &Device, handle: u32, flags: u32) -> Result<OwnedFd, Errno> {
    handle_to_fd_cloexec(d, handle, flags).map(|(f, _)| f)
}

/// The fd and whether FD_CLOEXEC was set on the number installed.
fn handle_to_fd_cloexec(d: &Device, handle: u32, flags: u32) -> Result<(OwnedFd, bool), Errno> {
    let a = raw(
        d,
        DRM_IOCTL_PRIME_HANDLE_TO_FD,
        DrmPrimeHandle {
            handle,
            flags,
            fd: -1,
        },
    )?;
    assert!(a.fd >= 0);
    let fdflags = nix::fcntl::fcntl(a.fd, nix::fcntl::FcntlArg::F_GETFD).unwrap();
    // The test owns what the (simulated) kernel installed for it.
    Ok((adopt(a.fd), fdflags & nix::libc::FD_CLOEXEC != 0))
}

fn fd_to_handle(d: &Device, fd: i32) -> Result<u32, Errno> {
    raw(
        d,
        DRM_IOCTL_PRIME_FD_TO_HANDLE,
        DrmPrimeHandle {
            handle: 0,
            flags: 0,
            fd,
        },
    )
    .map(|a| a.handle)
}

/// Wraps an fd the simulator installed without `unsafe`: re-open it through
/// /proc (same pipe, same inode) and close the original number.
fn adopt(fd: i32) -> OwnedFd {
    let f: OwnedFd = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/proc/self/fd/{fd}"))
        .unwrap()
        .into();
    nix::unistd::close(fd).unwrap();
    f
}

fn ino(fd: &OwnedFd) -> (u64, u64) {
    let s = nix::sys::stat::fstat(fd.as_raw_fd()).unwrap();
    (s.st_dev as u64, s.st_ino as u64)
}

fn vram_bo(d: &Device) -> Bo {
    d.create_bo(0x10000, Domains::VRAM, BoFlags::CPU_ACCESS_REQUIRED)
        .unwrap()
}

#[test]
fn cap_prime_reports_import_and_export() {
    let d = dev();
    let c = raw(
        &d,
        DRM_IOCTL_GET_CAP,
        DrmGetCap {
            capability: u64::from(DRM_CAP_PRIME),
            value: 0,
        },
    )
    .unwrap();
    assert_eq!(
        c.value,
        u64::from(DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT)
    );
}

#[test]
fn export_import_roundtrip_gives_the_same_handle() {
    let d = dev();
    let bo = vram_bo(&d);
    let fd = bo.export_fd().unwrap();
    // drm_gem_prime_fd_to_handle finds the export in the file's PRIME table.
    assert_eq!(fd_to_handle(&d, fd.as_raw_fd()), Ok(bo.handle()));
    // The typed import refuses to make a second owner of that handle.
    assert!(matches!(d.import_fd(fd.as_fd()), Err(Error::Invalid(_))));
    // A dup()ed fd is the same dma-buf.
    let dup = fd.try_clone().unwrap();
    assert_eq!(fd_to_handle(&d, dup.as_raw_fd()), Ok(bo.handle()));
    // The fd flags: DRM_CLOEXEC is honoured either way.
    let (no_cloexec, cloexec) = handle_to_fd_cloexec(&d, bo.handle(), DRM_RDWR).unwrap();
    assert!(!cloexec);
    assert_eq!(ino(&no_cloexec), ino(&fd));
    let (_, cloexec) = handle_to_fd_cloexec(&d, bo.handle(), DRM_CLOEXEC).unwrap();
    assert!(cloexec);
    let flags = nix::fcntl::fcntl(fd.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFD).unwrap();
    assert_ne!(flags & nix::libc::FD_CLOEXEC, 0);
}

#[test]
fn double_export_is_the_same_dma_buf() {
    let d = dev();
    let bo = vram_bo(&d);
    let a = bo.export_fd().unwrap();
    let b = bo.export_fd().unwrap();
    assert_ne!(a.as_raw_fd(), b.as_raw_fd());
    assert_eq!(ino(&a), ino(&b));
    assert_eq!(fd_to_handle(&d, b.as_raw_fd()), Ok(bo.handle()));
    // The first fd closed: the second one still resolves.
    drop(a);
    assert_eq!(fd_to_handle(&d, b.as_raw_fd()), Ok(bo.handle()));
}

#[test]
fn import_after_gem_close_shares_the_bytes_and_keeps_the_object() {
    let d = dev();
    let base = d.info().vram_usage().unwrap();
    let bo = vram_bo(&d);
    assert_eq!(d.info().vram_usage().unwrap(), base + 0x10000);
    bo.write(0x1234, b"dma-buf bytes").unwrap();
    let fd = bo.export_fd().unwrap();
    let old_handle = bo.handle();
    // GEM_MMAP offset, for the mmap check below.
    let off = raw(
        &d,
        DRM_IOCTL_AMDGPU_GEM_MMAP,
        DrmAmdgpuGemMmap::from_input(DrmAmdgpuGemMmapIn {
            handle: old_handle,
            _pad: 0,
        }),
    )
    .unwrap()
    .output()
    .addr_ptr;
    drop(bo); // GEM_CLOSE: the dma-buf still holds the object.
    assert_eq!(d.info().vram_usage().unwrap(), base + 0x10000);
    // drm_gem_mmap: the node exists but this file has no handle: EACCES.
    assert_eq!(
        d.driver().mmap(off, 0x10000).err(),
        Some(Errno::EACCES),
        "mmap without a handle"
    );
    let imported = d.import_fd(fd.as_fd()).unwrap();
    assert_eq!(imported.size(), 0x10000);
    assert_eq!(imported.domains(), Domains::VRAM);
    assert_eq!(imported.read_vec(0x1234, 13).unwrap(), b"dma-buf bytes");
    // Writes through the new handle land in the same object: re-export is
    // still the same dma-buf (obj->dma_buf was set again by the import).
    imported.write(0, b"back").unwrap();
    let again = imported.export_fd().unwrap();
    assert_eq!(ino(&again), ino(&fd));
    drop(again);
    // Handle closed and every fd closed: the object is freed.
    drop(imported);
    assert_eq!(d.info().vram_usage().unwrap(), base + 0x10000);
    drop(fd);
    assert_eq!(d.info().vram_usage().unwrap(), base);
}

#[test]
fn object_without_export_is_freed_at_gem_close() {
    let d = dev();
    let base = d.info().vram_usage().unwrap();
    let bo = vram_bo(&d);
    let fd = bo.export_fd().unwrap();
    drop(fd); // the handle's obj->dma_buf keeps the dma-buf alive
    assert_eq!(fd_to_handle(&d, -1), Err(Errno::EBADF));
    let fd2 = bo.export_fd().unwrap();
    drop(fd2);
    assert_eq!(d.info().vram_usage().unwrap(), base + 0x10000);
    drop(bo); // last handle, no fd: the dma-buf and the object go
    assert_eq!(d.info().vram_usage().unwrap(), base);
}

#[test]
fn gpu_sees_bytes_written_through_the_import() {
    let d = dev();
    let ctx: Context = d.create_context(0).unwrap();
    let data = d.create_bo(0x1000, Domains::GTT, BoFlags::empty()).unwrap();
    let fd = data.export_fd().unwrap();
    drop(data);
    let data = d.import_fd(fd.as_fd()).unwrap();
    let dva = data.map_gpu(VmFlags::RWX).unwrap();
    let ib = d.create_bo(0x1000, Domains::GTT, BoFlags::empty()).unwrap();
    let iva = ib.map_gpu(VmFlags::RWX).unwrap();
    let words = [
        op::pkt3(op::WRITE_DATA, 4, false),
        op::WRITE_DATA_DW1::DST_SEL.set(5),
        (dva + 8) as u32,
        ((dva + 8) >> 32) as u32,
        0xfeed_f00d,
    ];
    ib.write(0, bytemuck::cast_slice(&words)).unwrap();
    let ibs = [Ib::new(iva, 5 * 4)];
    let bos = [&data, &ib];
    let f = ctx.submit(&Submit::compute(&ibs, &bos)).unwrap();
    assert!(f.wait(LONG).unwrap());
    assert_eq!(data.read_vec(8, 4).unwrap(), 0xfeed_f00du32.to_le_bytes());
}

#[test]
fn prime_errnos() {
    let d = dev();
    let bo = vram_bo(&d);
    // drm_prime_handle_to_fd_ioctl: flags beyond DRM_CLOEXEC | DRM_RDWR,
    // checked before the handle.
    assert_eq!(
        handle_to_fd(&d, bo.handle(), 1 << 3).err(),
        Some(Errno::EINVAL)
    );
    assert_eq!(handle_to_fd(&d, 999, 1 << 3).err(), Some(Errno::EINVAL));
    // Unknown handle: drm_gem_object_lookup fails → ENOENT.
    assert_eq!(
        handle_to_fd(&d, 999, DRM_CLOEXEC).err(),
        Some(Errno::ENOENT)
    );
    // amdgpu_gem_prime_export: per-VM BOs cannot be shared.
    let pervm = d
        .create_bo(0x1000, Domains::GTT, BoFlags::VM_ALWAYS_VALID)
        .unwrap();
    assert_eq!(errno(pervm.export_fd()), Errno::EPERM);
    // dma_buf_get: bad fd EBADF, a file that is no dma-buf EINVAL.
    assert_eq!(fd_to_handle(&d, -1), Err(Errno::EBADF));
    let (r, w) = nix::unistd::pipe().unwrap();
    assert_eq!(fd_to_handle(&d, r.as_raw_fd()), Err(Errno::EINVAL));
    assert_eq!(fd_to_handle(&d, w.as_raw_fd()), Err(Errno::EINVAL));
    let file = std::fs::File::open("/proc/self/stat").unwrap();
    assert_eq!(fd_to_handle(&d, file.as_raw_fd()), Err(Errno::EINVAL));
    assert_eq!(errno(d.import_fd(file.as_fd())), Errno::EINVAL);
    // A closed fd: EBADF (unless another test thread reused the number).
    let fd = bo.export_fd().unwrap().into_raw_fd();
    nix::unistd::close(fd).unwrap();
    match fd_to_handle(&d, fd) {
        Err(Errno::EBADF) => {}
        Err(Errno::EINVAL) if nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFD).is_ok() => {}
        other => panic!("closed fd: {other:?}"),
    }
    // A dma-buf of another simulated device is not one of ours (the kernel
    // would attach to it; see findings/sim-exec.md).
    let other = dev();
    let obo = vram_bo(&other);
    let ofd = obo.export_fd().unwrap();
    assert_eq!(fd_to_handle(&d, ofd.as_raw_fd()), Err(Errno::EINVAL));
    // A syncobj fd is no dma-buf either.
    let so = d.create_syncobj(true).unwrap();
    let sfd = so.export_fd().unwrap();
    assert_eq!(fd_to_handle(&d, sfd.as_raw_fd()), Err(Errno::EINVAL));
}

fn syncobj_handle(d: &Device, req: u64, a: DrmSyncobjHandle) -> Result<DrmSyncobjHandle, Errno> {
    raw(d, req, a)
}

#[test]
fn syncobj_fd_roundtrip_shares_the_syncobj() {
    let d = dev();
    let a = d.create_syncobj(false).unwrap();
    let fd = a.export_fd().unwrap();
    let b = d.import_syncobj_fd(fd.as_fd()).unwrap();
    // drm_syncobj_fd_to_handle always allocates a new handle.
    assert_ne!(a.handle(), b.handle());
    let c = d.import_syncobj_fd(fd.as_fd()).unwrap();
    assert_ne!(b.handle(), c.handle());
    assert!(!b.wait(SHORT, true).unwrap());
    a.signal().unwrap();
    assert!(b.wait(SHORT, false).unwrap());
    assert!(c.wait(SHORT, false).unwrap());
    c.reset().unwrap();
    assert_eq!(errno(a.wait(SHORT, false)), Errno::EINVAL); // no fence
                                                            // Timeline points are shared as well.
    b.timeline_signal(5).unwrap();
    assert_eq!(a.query(false).unwrap(), 5);
    // The fd keeps the syncobj alive after every handle is gone.
    drop((a, b, c));
    let e = d.import_syncobj_fd(fd.as_fd()).unwrap();
    assert_eq!(e.query(false).unwrap(), 5);
    // Each export is a new file.
    let fd2 = e.export_fd().unwrap();
    assert_ne!(fd.as_raw_fd(), fd2.as_raw_fd());
    let f = d.import_syncobj_fd(fd2.as_fd()).unwrap();
    assert_eq!(f.query(false).unwrap(), 5);
}

#[test]
fn syncobj_fd_errnos() {
    let d = dev();
    let so = d.create_syncobj(false).unwrap();
    let h2f = |handle, flags, pad| {
        syncobj_handle(
            &d,
            DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
            DrmSyncobjHandle {
                handle,
                flags,
                fd: -1,
                pad,
            },
        )
        .map(|a| drop(adopt(a.fd)))
    };
    // drm_syncobj_handle_to_fd_ioctl: pad, then flags, then the handle
    // (drm_syncobj_handle_to_fd: unknown handle EINVAL).
    assert_eq!(h2f(so.handle(), 0, 1), Err(Errno::EINVAL));
    assert_eq!(h2f(so.handle(), 2, 0), Err(Errno::EINVAL));
    assert_eq!(h2f(so.handle(), 3, 0), Err(Errno::EINVAL));
    assert_eq!(h2f(99, 0, 0), Err(Errno::EINVAL));
    assert_eq!(h2f(so.handle(), 0, 0), Ok(()));
    // EXPORT_SYNC_FILE: drm_syncobj_find_fence → ENOENT / EINVAL (no fence).
    assert_eq!(h2f(99, 1, 0), Err(Errno::ENOENT));
    assert_eq!(errno(so.export_sync_file()), Errno::EINVAL);

    let f2h = |handle, flags, fd, pad| {
        syncobj_handle(
            &d,
            DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
            DrmSyncobjHandle {
                handle,
                flags,
                fd,
                pad,
            },
        )
        .map(|a| a.handle)
    };
    let sfd = so.export_fd().unwrap();
    assert_eq!(f2h(0, 0, sfd.as_raw_fd(), 1), Err(Errno::EINVAL));
    assert_eq!(f2h(0, 2, sfd.as_raw_fd(), 0), Err(Errno::EINVAL));
    // drm_syncobj_fd_to_handle: a bad fd or another file is EINVAL.
    assert_eq!(f2h(0, 0, -1, 0), Err(Errno::EINVAL));
    let (r, _w) = nix::unistd::pipe().unwrap();
    assert_eq!(f2h(0, 0, r.as_raw_fd(), 0), Err(Errno::EINVAL));
    let bo = vram_bo(&d);
    let dmabuf = bo.export_fd().unwrap();
    assert_eq!(f2h(0, 0, dmabuf.as_raw_fd(), 0), Err(Errno::EINVAL));
    // IMPORT_SYNC_FILE: sync_file_get_fence first (EINVAL for a bad fd or a
    // file that is no sync_file, even with an unknown handle), then ENOENT.
    assert_eq!(f2h(99, 1, -1, 0), Err(Errno::EINVAL));
    assert_eq!(f2h(so.handle(), 1, sfd.as_raw_fd(), 0), Err(Errno::EINVAL));
    let signaled = d.create_syncobj(true).unwrap();
    let sync_file = signaled.export_sync_file().unwrap();
    assert_eq!(f2h(99, 1, sync_file.as_raw_fd(), 0), Err(Errno::ENOENT));
    // A sync_file is not a syncobj file.
    assert_eq!(f2h(0, 0, sync_file.as_raw_fd(), 0), Err(Errno::EINVAL));
    assert_eq!(errno(d.import_syncobj_fd(sync_file.as_fd())), Errno::EINVAL);
    // And it imports: the empty syncobj now holds the signalled fence.
    so.import_sync_file(sync_file.as_fd()).unwrap();
    assert!(so.wait(SHORT, false).unwrap());
}

#[test]
fn sync_file_carries_a_pending_job_fence() {
    let d = dev();
    let ctx = d.create_context(0).unwrap();
    let data = d.create_bo(0x1000, Domains::GTT, BoFlags::empty()).unwrap();
    let dva = data.map_gpu(VmFlags::RWX).unwrap();
    let ib = d.create_bo(0x1000, Domains::GTT, BoFlags::empty()).unwrap();
    let iva = ib.map_gpu(VmFlags::RWX).unwrap();
    // WAIT_REG_MEM until data[0] == 7.
    let words = [
        op::pkt3(op::WAIT_REG_MEM, 6, false),
        3 | 1 << 4,
        dva as u32,
        (dva >> 32) as u32,
        7,
        0xffff_ffff,
        4,
    ];
    ib.write(0, bytemuck::cast_slice(&words)).unwrap();
    let out = d.create_syncobj(false).unwrap();
    let ibs = [Ib::new(iva, 7 * 4)];
    let bos = [&data, &ib];
    let outs = [&out];
    let mut s = Submit::compute(&ibs, &bos);
    s.syncobj_out = &outs;
    let fence = ctx.submit(&s).unwrap();
    let sync_file = out.export_sync_file().unwrap();
    // Reset the source: the sync_file keeps the fence it was created with.
    out.reset().unwrap();
    let dst = d.create_syncobj(false).unwrap();
    dst.import_sync_file(sync_file.as_fd()).unwrap();
    assert!(!dst.wait(SHORT, false).unwrap());
    // FENCE_TO_HANDLE GET_SYNC_FILE_FD / GET_SYNCOBJ_FD carry the same fence.
    let mut arg = DrmAmdgpuFenceToHandle::from_input(DrmAmdgpuFenceToHandleIn {
        fence: fence.to_uapi(),
        what: AMDGPU_FENCE_TO_HANDLE_GET_SYNCOBJ_FD,
        pad: 0,
    });
    d.driver()
        .ioctl(
            DRM_IOCTL_AMDGPU_FENCE_TO_HANDLE,
            bytemuck::bytes_of_mut(&mut arg),
            &mut UserMem::new(),
        )
        .unwrap();
    let so_fd = adopt(arg.output().handle as i32);
    let from_fence = d.import_syncobj_fd(so_fd.as_fd()).unwrap();
    assert!(!from_fence.wait(SHORT, false).unwrap());
    data.write(0, &7u32.to_le_bytes()).unwrap();
    assert!(dst.wait(LONG, false).unwrap());
    assert!(from_fence.wait(LONG, false).unwrap());
}
