//! One handler per ioctl, each following the kernel function named in its
//! doc comment.

use std::os::fd::IntoRawFd;
use std::time::{Duration, Instant};

use amdgpu_kmd::uapi::*;
use amdgpu_kmd::{Errno, UserMem};
use bytemuck::{bytes_of, pod_read_unaligned, Pod};

use super::cp::{CpJob, CpStats, JobIb};
use super::files::{self, Cached, Kind};
use super::info::{self, GMC_HOLE_END, GMC_HOLE_MASK, GMC_HOLE_START, VA_RESERVED_BOTTOM};
use super::mem::Mapping;
use super::syncobj::{self, Fence, Plain};
use super::{
    lock_store, lowest_free, now_ns, Bo, Ctx, FenceRef, FenceState, Heap, Job, Shared, State,
};

type R = Result<(), Errno>;

/// `AMDGPU_VM_PAGE_NOALLOC` (amdgpu_drm.h, newer than libdrm 2.4.114).
const AMDGPU_VM_PAGE_NOALLOC: u32 = 1 << 9;

fn get<T: Pod>(arg: &[u8]) -> T {
    pod_read_unaligned(&arg[..core::mem::size_of::<T>()])
}

fn put<T: Pod>(arg: &mut [u8], v: &T) {
    arg[..core::mem::size_of::<T>()].copy_from_slice(bytes_of(v));
}

/// Reads an array of `n` `T` from user memory (EFAULT like copy_from_user).
fn read_array<T: Pod>(user: &UserMem<'_>, addr: u64, n: usize) -> Result<Vec<T>, Errno> {
    let sz = core::mem::size_of::<T>();
    let bytes = user.read(addr, n.checked_mul(sz).ok_or(Errno::EINVAL)?)?;
    Ok(bytes.chunks_exact(sz).map(pod_read_unaligned).collect())
}

/// Entry point: decode the request number and route.
pub(crate) fn dispatch(sh: &Shared, request: u64, arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    let desc = ioctl_nr(request).ok_or(Errno::EINVAL)?;
    if desc.request != request || arg.len() < desc.size {
        return Err(Errno::EINVAL);
    }
    {
        // Files closed since the last ioctl are released first.
        let mut st = sh.lock();
        if !st.files.is_empty() {
            let mut store = lock_store(&sh.store);
            files::reap(&mut st, &mut store);
        }
    }
    match request {
        DRM_IOCTL_AMDGPU_WAIT_CS => return wait_cs(sh, arg),
        DRM_IOCTL_AMDGPU_WAIT_FENCES => return wait_fences(sh, arg, user),
        DRM_IOCTL_SYNCOBJ_WAIT => return syncobj_wait(sh, arg, user),
        DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT => return syncobj_timeline_wait(sh, arg, user),
        DRM_IOCTL_SYNCOBJ_TRANSFER => return syncobj_transfer(sh, arg),
        DRM_IOCTL_AMDGPU_CS => return cs_ioctl(sh, arg, user),
        DRM_IOCTL_AMDGPU_GEM_WAIT_IDLE => return gem_wait_idle(sh, arg),
        _ => {}
    }
    let mut st = sh.lock();
    let st = &mut *st;
    match request {
        DRM_IOCTL_VERSION => version(arg, user),
        DRM_IOCTL_GET_CAP => {
            let mut c: DrmGetCap = get(arg);
            c.value = match c.capability as u32 {
                DRM_CAP_SYNCOBJ => 1,
                DRM_CAP_SYNCOBJ_TIMELINE => 1,
                DRM_CAP_PRIME => u64::from(DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT),
                _ => return Err(Errno::EINVAL),
            };
            put(arg, &c);
            Ok(())
        }
        DRM_IOCTL_GEM_CLOSE => gem_close(sh, st, get::<DrmGemClose>(arg).handle),
        DRM_IOCTL_AMDGPU_GEM_CREATE => gem_create(sh, st, arg),
        DRM_IOCTL_AMDGPU_GEM_MMAP => {
            let u: DrmAmdgpuGemMmap = get(arg);
            let obj = *st.handles.get(&u.input().handle).ok_or(Errno::ENOENT)?;
            let bo = &st.bos[&obj];
            // amdgpu_mode_dumb_mmap: no CPU access → EPERM.
            if bo.flags & u64::from(AMDGPU_GEM_CREATE_NO_CPU_ACCESS) != 0 {
                return Err(Errno::EPERM);
            }
            put(
                arg,
                &DrmAmdgpuGemMmap::from_output(DrmAmdgpuGemMmapOut {
                    addr_ptr: bo.mmap_offset,
                }),
            );
            Ok(())
        }
        DRM_IOCTL_AMDGPU_GEM_VA => gem_va(sh, st, arg),
        DRM_IOCTL_AMDGPU_GEM_OP => gem_op(st, arg, user),
        DRM_IOCTL_AMDGPU_GEM_METADATA => gem_metadata(st, arg),
        DRM_IOCTL_AMDGPU_INFO => info::query(st, &get(arg), user),
        DRM_IOCTL_AMDGPU_CTX => ctx(st, arg),
        DRM_IOCTL_AMDGPU_BO_LIST => bo_list(st, arg, user),
        DRM_IOCTL_AMDGPU_FENCE_TO_HANDLE => {
            let i: DrmAmdgpuFenceToHandleIn = get::<DrmAmdgpuFenceToHandle>(arg).input();
            st.fence(i.fence.ctx_id, i.fence.seq_no)?;
            match i.what {
                AMDGPU_FENCE_TO_HANDLE_GET_SYNCOBJ => {
                    let h = st.new_syncobj(Some(syncobj::one(FenceRef::Job {
                        ctx: i.fence.ctx_id,
                        seq: i.fence.seq_no,
                    })));
                    put(
                        arg,
                        &DrmAmdgpuFenceToHandle::from_output(DrmAmdgpuFenceToHandleOut {
                            handle: h,
                        }),
                    );
                    Ok(())
                }
                // drm_syncobj_create(fence) + drm_syncobj_get_fd (O_CLOEXEC).
                AMDGPU_FENCE_TO_HANDLE_GET_SYNCOBJ_FD => {
                    let id = st.new_syncobj_id();
                    let fence = Some(syncobj::one(FenceRef::Job {
                        ctx: i.fence.ctx_id,
                        seq: i.fence.seq_no,
                    }));
                    let (_, f) = files::create(st, Kind::Syncobj { id, fence })?;
                    let fd = f.into_raw_fd();
                    put(
                        arg,
                        &DrmAmdgpuFenceToHandle::from_output(DrmAmdgpuFenceToHandleOut {
                            handle: fd as u32,
                        }),
                    );
                    Ok(())
                }
                // sync_file_create(fence), installed O_CLOEXEC.
                AMDGPU_FENCE_TO_HANDLE_GET_SYNC_FILE_FD => {
                    let fence = syncobj::one(FenceRef::Job {
                        ctx: i.fence.ctx_id,
                        seq: i.fence.seq_no,
                    });
                    let (_, f) = files::create(st, Kind::SyncFile { fence })?;
                    let fd = f.into_raw_fd();
                    put(
                        arg,
                        &DrmAmdgpuFenceToHandle::from_output(DrmAmdgpuFenceToHandleOut {
                            handle: fd as u32,
                        }),
                    );
                    Ok(())
                }
                _ => Err(Errno::EINVAL),
            }
        }
        DRM_IOCTL_AMDGPU_VM => {
            let i = get::<DrmAmdgpuVm>(arg).input();
            match i.op {
                AMDGPU_VM_OP_RESERVE_VMID | AMDGPU_VM_OP_UNRESERVE_VMID => {
                    put(arg, &DrmAmdgpuVm::from_output(DrmAmdgpuVmOut { flags: 0 }));
                    Ok(())
                }
                _ => Err(Errno::EINVAL),
            }
        }
        DRM_IOCTL_SYNCOBJ_CREATE => {
            let mut c: DrmSyncobjCreate = get(arg);
            if c.flags & !DRM_SYNCOBJ_CREATE_SIGNALED != 0 {
                return Err(Errno::EINVAL);
            }
            let f = (c.flags & DRM_SYNCOBJ_CREATE_SIGNALED != 0).then(syncobj::stub);
            c.handle = st.new_syncobj(f);
            put(arg, &c);
            Ok(())
        }
        DRM_IOCTL_SYNCOBJ_DESTROY => {
            let d: DrmSyncobjDestroy = get(arg);
            if d.pad != 0 {
                return Err(Errno::EINVAL);
            }
            st.syncobjs
                .remove(&d.handle)
                .map(|_| ())
                .ok_or(Errno::EINVAL)
        }
        DRM_IOCTL_SYNCOBJ_RESET | DRM_IOCTL_SYNCOBJ_SIGNAL => {
            let a: DrmSyncobjArray = get(arg);
            if a.pad != 0 || a.count_handles == 0 {
                return Err(Errno::EINVAL);
            }
            let hs = array_find(st, user, a.handles, a.count_handles)?;
            // drm_syncobj_replace_fence(NULL) / drm_syncobj_assign_null_handle.
            let signal = request == DRM_IOCTL_SYNCOBJ_SIGNAL;
            for h in hs {
                st.set_syncobj_fence(h, signal.then(syncobj::stub));
            }
            Ok(())
        }
        DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL => timeline_signal(st, arg, user),
        DRM_IOCTL_SYNCOBJ_QUERY => syncobj_query(st, arg, user),
        DRM_IOCTL_PRIME_HANDLE_TO_FD => prime_handle_to_fd(st, arg),
        DRM_IOCTL_PRIME_FD_TO_HANDLE => prime_fd_to_handle(st, arg),
        DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD => syncobj_handle_to_fd(st, arg),
        DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE => syncobj_fd_to_handle(st, arg),
        // USERPTR needs pinned host pages the simulator cannot share;
        // SCHED needs an fd.
        _ => Err(Errno::EINVAL),
    }
}

fn version(arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    let mut v: DrmVersion = get(arg);
    v.version_major = 3;
    v.version_minor = 57;
    v.version_patchlevel = 0;
    for (ptr, len, s) in [
        (v.name, &mut v.name_len, "amdgpu"),
        (v.date, &mut v.date_len, "20150101"),
        (v.desc, &mut v.desc_len, "AMD GPU (rocless simulator)"),
    ] {
        // drm_copy_field: copy min(len, strlen), report the full length.
        let n = (*len as usize).min(s.len());
        if n > 0 {
            user.write(ptr, &s.as_bytes()[..n])?;
        }
        *len = s.len() as u64;
    }
    put(arg, &v);
    Ok(())
}

/// `amdgpu_gem_create_ioctl` (amdgpu_gem.c).
fn gem_create(sh: &Shared, st: &mut State, arg: &mut [u8]) -> R {
    let i = get::<DrmAmdgpuGemCreate>(arg).input();
    let valid_flags = AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED
        | AMDGPU_GEM_CREATE_NO_CPU_ACCESS
        | AMDGPU_GEM_CREATE_CPU_GTT_USWC
        | AMDGPU_GEM_CREATE_VRAM_CLEARED
        | AMDGPU_GEM_CREATE_VM_ALWAYS_VALID
        | AMDGPU_GEM_CREATE_EXPLICIT_SYNC
        | AMDGPU_GEM_CREATE_ENCRYPTED
        | AMDGPU_GEM_CREATE_DISCARDABLE
        | AMDGPU_GEM_CREATE_COHERENT
        | AMDGPU_GEM_CREATE_UNCACHED
        | AMDGPU_GEM_CREATE_EXT_COHERENT;
    if i.domain_flags & !u64::from(valid_flags) != 0 {
        return Err(Errno::EINVAL);
    }
    let domain_mask = AMDGPU_GEM_DOMAIN_CPU
        | AMDGPU_GEM_DOMAIN_GTT
        | AMDGPU_GEM_DOMAIN_VRAM
        | AMDGPU_GEM_DOMAIN_GDS
        | AMDGPU_GEM_DOMAIN_GWS
        | AMDGPU_GEM_DOMAIN_OA;
    if i.domains & !u64::from(domain_mask) != 0 || i.domains == 0 {
        return Err(Errno::EINVAL);
    }
    // Navi 10 has no TMZ: amdgpu_is_tmz() is false.
    if i.domain_flags & u64::from(AMDGPU_GEM_CREATE_ENCRYPTED) != 0 {
        return Err(Errno::EINVAL);
    }
    let mut flags = i.domain_flags | u64::from(AMDGPU_GEM_CREATE_VRAM_CLEARED);
    let special = u64::from(AMDGPU_GEM_DOMAIN_GDS | AMDGPU_GEM_DOMAIN_GWS | AMDGPU_GEM_DOMAIN_OA);
    if i.domains & special != 0 {
        if flags & u64::from(AMDGPU_GEM_CREATE_VM_ALWAYS_VALID) != 0 {
            return Err(Errno::EINVAL);
        }
        flags |= u64::from(AMDGPU_GEM_CREATE_NO_CPU_ACCESS);
    }
    if i.bo_size == 0 {
        return Err(Errno::EINVAL);
    }
    let size = i
        .bo_size
        .checked_next_multiple_of(4096)
        .ok_or(Errno::ENOMEM)?;
    let heap = if i.domains & u64::from(AMDGPU_GEM_DOMAIN_VRAM) != 0 {
        Heap::Vram {
            visible: flags & u64::from(AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED) != 0,
        }
    } else {
        Heap::Gtt
    };
    // amdgpu_bo_validate_size: larger than the whole heap → ENOMEM. The
    // simulator also refuses to overcommit (no eviction).
    match heap {
        Heap::Vram { visible } => {
            if st.usage.vram + size > st.cfg.vram_size
                || (visible && st.usage.vis_vram + size > st.cfg.vis_vram_size)
            {
                return Err(Errno::ENOMEM);
            }
            st.usage.vram += size;
            if visible {
                st.usage.vis_vram += size;
            }
        }
        Heap::Gtt => {
            if st.usage.gtt + size > st.cfg.gtt_size {
                return Err(Errno::ENOMEM);
            }
            st.usage.gtt += size;
        }
    }
    let obj = st.next_obj;
    st.next_obj += 1;
    let mmap_offset = st.next_mmap;
    st.next_mmap += size;
    lock_store(&sh.store).insert(obj, size);
    st.bos.insert(
        obj,
        Bo {
            obj,
            size,
            alignment: i.alignment,
            domains: i.domains as u32,
            flags,
            mmap_offset,
            heap,
            metadata: Default::default(),
        },
    );
    let handle = lowest_free(&st.handles);
    st.handles.insert(handle, obj);
    put(
        arg,
        &DrmAmdgpuGemCreate::from_output(DrmAmdgpuGemCreateOut { handle, _pad: 0 }),
    );
    Ok(())
}

/// `drm_gem_close_ioctl` → `drm_gem_handle_delete` (EINVAL for an unknown
/// handle) → `drm_gem_object_release_handle`: `drm_gem_remove_prime_handles`
/// drops the handle's PRIME entry, `amdgpu_gem_object_close` the BO's VA
/// mappings; the last handle drops `obj->dma_buf`
/// (`drm_gem_object_exported_dma_buf_free`) and the handles' reference —
/// the object lives on while a dma-buf still holds one.
fn gem_close(sh: &Shared, st: &mut State, handle: u32) -> R {
    let obj = st.handles.remove(&handle).ok_or(Errno::EINVAL)?;
    st.prime.retain(|_, h| *h != handle);
    if st.handles.values().any(|o| *o == obj) {
        return Ok(());
    }
    st.vm.remove_obj(obj);
    drop(st.dma_bufs.remove(&obj));
    let mut store = lock_store(&sh.store);
    // Dropping obj->dma_buf may have been the dma-buf's last reference.
    files::reap(st, &mut store);
    st.put_obj(&mut store, obj);
    Ok(())
}

/// `drm_prime_handle_to_fd_ioctl` (flags other than DRM_CLOEXEC | DRM_RDWR:
/// EINVAL) → `drm_gem_prime_handle_to_fd`: unknown handle ENOENT; the
/// handle's PRIME entry or `obj->dma_buf` is re-exported (the same dma-buf,
/// a new fd); else `export_and_register_object` → `amdgpu_gem_prime_export`
/// (EPERM for a VM_ALWAYS_VALID BO) creates it, caches it in
/// `obj->dma_buf` and adds the PRIME entry; `dma_buf_fd` installs the fd
/// (O_CLOEXEC if asked).
fn prime_handle_to_fd(st: &mut State, arg: &mut [u8]) -> R {
    let mut a: DrmPrimeHandle = get(arg);
    if a.flags & !(DRM_CLOEXEC | DRM_RDWR) != 0 {
        return Err(Errno::EINVAL);
    }
    let obj = *st.handles.get(&a.handle).ok_or(Errno::ENOENT)?;
    if !st.dma_bufs.contains_key(&obj) {
        let bo = &st.bos[&obj];
        if bo.flags & u64::from(AMDGPU_GEM_CREATE_VM_ALWAYS_VALID) != 0 {
            return Err(Errno::EPERM);
        }
        let size = bo.size;
        let (key, f) = files::create(st, Kind::DmaBuf { obj })?;
        st.dma_bufs.insert(obj, Cached::new(key, f));
        tracing::debug!(target: "amdgpu", "PRIME export of object {obj} ({size} bytes)");
    }
    let cached = &st.dma_bufs[&obj];
    let key = cached.key;
    let fd = files::install(cached.fd(), a.flags & DRM_CLOEXEC != 0)?;
    st.prime.entry(key).or_insert(a.handle);
    a.fd = fd;
    put(arg, &a);
    Ok(())
}

/// `drm_prime_fd_to_handle_ioctl` → `drm_gem_prime_fd_to_handle`:
/// `dma_buf_get` (EBADF for a bad fd, EINVAL for a file that is not a
/// dma-buf); the file's PRIME entry gives the existing handle; otherwise
/// `amdgpu_gem_prime_import` takes a reference on our own object, sets
/// `obj->dma_buf` if unset, and a new handle is created and entered.
fn prime_fd_to_handle(st: &mut State, arg: &mut [u8]) -> R {
    let mut a: DrmPrimeHandle = get(arg);
    let key = files::key_of(a.fd)?;
    let obj = match st.files.get(&key).map(|f| &f.kind) {
        Some(Kind::DmaBuf { obj }) => *obj,
        _ => return Err(Errno::EINVAL),
    };
    if let Some(h) = st.prime.get(&key) {
        a.handle = *h;
        put(arg, &a);
        return Ok(());
    }
    if !st.dma_bufs.contains_key(&obj) {
        let c = files::reference(st, key)?;
        st.dma_bufs.insert(obj, c);
    }
    // drm_gem_handle_create_tail: idr_alloc(1, 0) → lowest free handle.
    let handle = lowest_free(&st.handles);
    st.handles.insert(handle, obj);
    st.prime.insert(key, handle);
    a.handle = handle;
    put(arg, &a);
    Ok(())
}

/// `drm_syncobj_handle_to_fd_ioctl`: pad must be 0, flags 0 or
/// EXPORT_SYNC_FILE (else EINVAL). Plain: `drm_syncobj_handle_to_fd` —
/// unknown handle EINVAL, a new syncobj file each time (O_CLOEXEC).
/// EXPORT_SYNC_FILE: `drm_syncobj_export_sync_file` —
/// `drm_syncobj_find_fence(handle, 0, 0)` (ENOENT unknown handle, EINVAL no
/// fence) then `sync_file_create`.
fn syncobj_handle_to_fd(st: &mut State, arg: &mut [u8]) -> R {
    let mut a: DrmSyncobjHandle = get(arg);
    if a.pad != 0 {
        return Err(Errno::EINVAL);
    }
    if a.flags != 0 && a.flags != DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE {
        return Err(Errno::EINVAL);
    }
    let kind = if a.flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE != 0 {
        let fence = match find_fence_now(st, a.handle, 0, 0) {
            Ok(f) => f,
            Err(CsStop::Err(e)) => return Err(e),
            Err(CsStop::WaitForSubmit) => return Err(Errno::EINVAL),
        };
        Kind::SyncFile { fence }
    } else {
        let so = st.syncobjs.get(&a.handle).ok_or(Errno::EINVAL)?;
        Kind::Syncobj {
            id: so.id,
            fence: so.fence.clone(),
        }
    };
    let (_, f) = files::create(st, kind)?;
    a.fd = f.into_raw_fd();
    put(arg, &a);
    Ok(())
}

/// `drm_syncobj_fd_to_handle_ioctl`: pad / flags as for HANDLE_TO_FD.
/// Plain: `drm_syncobj_fd_to_handle` — a bad fd or a file that is not a
/// syncobj file is EINVAL; always a new handle to the same syncobj.
/// IMPORT_SYNC_FILE: `drm_syncobj_import_sync_file_fence` —
/// `sync_file_get_fence` (EINVAL for a bad fd or a non-sync_file), then
/// unknown handle ENOENT, then `drm_syncobj_replace_fence`.
fn syncobj_fd_to_handle(st: &mut State, arg: &mut [u8]) -> R {
    let mut a: DrmSyncobjHandle = get(arg);
    if a.pad != 0 {
        return Err(Errno::EINVAL);
    }
    if a.flags != 0 && a.flags != DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE {
        return Err(Errno::EINVAL);
    }
    let key = files::key_of(a.fd).map_err(|_| Errno::EINVAL)?;
    let kind = st.files.get(&key).map(|f| &f.kind);
    if a.flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE != 0 {
        let Some(Kind::SyncFile { fence }) = kind else {
            return Err(Errno::EINVAL);
        };
        let fence = fence.clone();
        if !st.syncobjs.contains_key(&a.handle) {
            return Err(Errno::ENOENT);
        }
        st.set_syncobj_fence(a.handle, Some(fence));
        return Ok(());
    }
    let Some(Kind::Syncobj { id, fence }) = kind else {
        return Err(Errno::EINVAL);
    };
    let (id, fence) = (*id, fence.clone());
    a.handle = st.syncobj_handle(id, fence);
    put(arg, &a);
    Ok(())
}

/// `amdgpu_gem_va_ioctl` (amdgpu_gem.c) + `amdgpu_vm_verify_parameters`,
/// `amdgpu_vm_bo_map` / `_unmap` / `_clear_mappings` / `_replace_map`
/// (amdgpu_vm.c).
fn gem_va(_sh: &Shared, st: &mut State, arg: &mut [u8]) -> R {
    let a: DrmAmdgpuGemVa = get(arg);
    let valid = AMDGPU_VM_DELAY_UPDATE
        | AMDGPU_VM_PAGE_READABLE
        | AMDGPU_VM_PAGE_WRITEABLE
        | AMDGPU_VM_PAGE_EXECUTABLE
        | AMDGPU_VM_MTYPE_MASK
        | AMDGPU_VM_PAGE_NOALLOC;
    let prt = AMDGPU_VM_DELAY_UPDATE | AMDGPU_VM_PAGE_PRT;
    if a.va_address < VA_RESERVED_BOTTOM {
        return Err(Errno::EINVAL);
    }
    if (GMC_HOLE_START..GMC_HOLE_END).contains(&a.va_address) {
        return Err(Errno::EINVAL);
    }
    let va = a.va_address & GMC_HOLE_MASK;
    let vm_size = info::VM_SIZE - info::VA_RESERVED_TOP;
    if va.checked_add(a.map_size).is_none_or(|e| e > vm_size) {
        return Err(Errno::EINVAL);
    }
    if (a.flags & !valid != 0) && (a.flags & !prt != 0) {
        return Err(Errno::EINVAL);
    }
    match a.operation {
        AMDGPU_VA_OP_MAP | AMDGPU_VA_OP_UNMAP | AMDGPU_VA_OP_CLEAR | AMDGPU_VA_OP_REPLACE => {}
        _ => return Err(Errno::EINVAL),
    }
    let obj = if a.operation != AMDGPU_VA_OP_CLEAR && a.flags & AMDGPU_VM_PAGE_PRT == 0 {
        Some(*st.handles.get(&a.handle).ok_or(Errno::ENOENT)?)
    } else {
        None
    };
    let verify = |bo_size: Option<u64>| -> R {
        let page = info::GPU_PAGE - 1;
        if va & page != 0 || a.offset_in_bo & page != 0 || a.map_size & page != 0 {
            return Err(Errno::EINVAL);
        }
        if va.checked_add(a.map_size).is_none_or(|e| e <= va)
            || a.offset_in_bo
                .checked_add(a.map_size)
                .is_none_or(|e| e <= a.offset_in_bo)
        {
            return Err(Errno::EINVAL);
        }
        if bo_size.is_some_and(|s| a.offset_in_bo + a.map_size > s) {
            return Err(Errno::EINVAL);
        }
        Ok(())
    };
    let bo_size = obj.map(|o| st.bos[&o].size);
    let end = va.wrapping_add(a.map_size);
    match a.operation {
        AMDGPU_VA_OP_MAP | AMDGPU_VA_OP_REPLACE => {
            verify(bo_size)?;
            if a.operation == AMDGPU_VA_OP_MAP {
                if st.vm.overlapping(va, end).is_some() {
                    return Err(Errno::EINVAL);
                }
            } else {
                st.vm.clear_range(va, end);
            }
            if let Some(obj) = obj {
                st.vm.insert(Mapping {
                    start: va,
                    end,
                    obj,
                    offset: a.offset_in_bo,
                    flags: a.flags,
                });
            }
            Ok(())
        }
        AMDGPU_VA_OP_UNMAP => {
            match st.vm.lookup(va) {
                Some(m) if m.start == va && Some(m.obj) == obj => {}
                _ => return Err(Errno::ENOENT),
            }
            st.vm.remove_at(va);
            Ok(())
        }
        _ => {
            verify(None)?;
            st.vm.clear_range(va, end);
            Ok(())
        }
    }
}

/// `amdgpu_gem_op_ioctl`.
fn gem_op(st: &mut State, arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    let a: DrmAmdgpuGemOp = get(arg);
    let obj = *st.handles.get(&a.handle).ok_or(Errno::ENOENT)?;
    let bo = st.bos.get_mut(&obj).ok_or(Errno::ENOENT)?;
    match a.op {
        AMDGPU_GEM_OP_GET_GEM_CREATE_INFO => {
            let info = DrmAmdgpuGemCreateIn {
                bo_size: bo.size,
                alignment: bo.alignment,
                domains: u64::from(bo.domains),
                domain_flags: bo.flags,
            };
            user.write(a.value, bytes_of(&info))
        }
        AMDGPU_GEM_OP_SET_PLACEMENT => {
            let d = a.value as u32
                & (AMDGPU_GEM_DOMAIN_VRAM | AMDGPU_GEM_DOMAIN_GTT | AMDGPU_GEM_DOMAIN_CPU);
            if d == 0 {
                return Err(Errno::EINVAL);
            }
            bo.domains = d;
            Ok(())
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `amdgpu_gem_metadata_ioctl`.
fn gem_metadata(st: &mut State, arg: &mut [u8]) -> R {
    let mut a: DrmAmdgpuGemMetadata = get(arg);
    let obj = *st.handles.get(&a.handle).ok_or(Errno::ENOENT)?;
    let bo = st.bos.get_mut(&obj).ok_or(Errno::ENOENT)?;
    match a.op {
        AMDGPU_GEM_METADATA_OP_GET_METADATA => {
            a.data = bo.metadata;
            put(arg, &a);
            Ok(())
        }
        AMDGPU_GEM_METADATA_OP_SET_METADATA => {
            if a.data.data_size_bytes as usize > core::mem::size_of_val(&a.data.data) {
                return Err(Errno::EINVAL);
            }
            bo.metadata = a.data;
            Ok(())
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `amdgpu_ctx_ioctl` (amdgpu_ctx.c).
fn ctx(st: &mut State, arg: &mut [u8]) -> R {
    let i = get::<DrmAmdgpuCtx>(arg).input();
    let out = match i.op {
        AMDGPU_CTX_OP_ALLOC_CTX => {
            // amdgpu_ctx_priority_is_valid.
            let p = i.priority;
            let ok = [
                AMDGPU_CTX_PRIORITY_UNSET,
                AMDGPU_CTX_PRIORITY_VERY_LOW,
                AMDGPU_CTX_PRIORITY_LOW,
                AMDGPU_CTX_PRIORITY_NORMAL,
                AMDGPU_CTX_PRIORITY_HIGH,
                AMDGPU_CTX_PRIORITY_VERY_HIGH,
            ]
            .contains(&p);
            if !ok {
                return Err(Errno::EINVAL);
            }
            let id = lowest_free(&st.ctxs);
            st.ctxs.insert(
                id,
                Ctx {
                    guilty: false,
                    reset_counter: st.reset_counter,
                    reset_counter_query: st.reset_counter,
                    next_seq: 1,
                    fences: Default::default(),
                },
            );
            DrmAmdgpuCtxOut::from_alloc(DrmAmdgpuCtxOutAlloc {
                ctx_id: id,
                _pad: 0,
            })
        }
        AMDGPU_CTX_OP_FREE_CTX => {
            st.ctxs.remove(&i.ctx_id).ok_or(Errno::EINVAL)?;
            st.queue.retain(|j| j.ctx != i.ctx_id);
            DrmAmdgpuCtxOut::default()
        }
        AMDGPU_CTX_OP_QUERY_STATE => {
            let rc = st.reset_counter;
            let c = st.ctxs.get_mut(&i.ctx_id).ok_or(Errno::EINVAL)?;
            // amdgpu_ctx_query: UNKNOWN_RESET once per reset seen.
            let status = if c.reset_counter_query == rc {
                AMDGPU_CTX_NO_RESET
            } else {
                AMDGPU_CTX_UNKNOWN_RESET
            };
            c.reset_counter_query = rc;
            DrmAmdgpuCtxOut::from_state(DrmAmdgpuCtxOutState {
                flags: 0,
                hangs: 0,
                reset_status: status,
            })
        }
        AMDGPU_CTX_OP_QUERY_STATE2 => {
            let c = st.ctxs.get(&i.ctx_id).ok_or(Errno::EINVAL)?;
            let mut flags = 0u64;
            if c.reset_counter != st.reset_counter {
                flags |= u64::from(AMDGPU_CTX_QUERY2_FLAGS_RESET);
            }
            if c.guilty {
                flags |= u64::from(AMDGPU_CTX_QUERY2_FLAGS_GUILTY);
            }
            DrmAmdgpuCtxOut::from_state(DrmAmdgpuCtxOutState {
                flags,
                hangs: 0,
                reset_status: 0,
            })
        }
        AMDGPU_CTX_OP_GET_STABLE_PSTATE | AMDGPU_CTX_OP_SET_STABLE_PSTATE => {
            st.ctxs.get(&i.ctx_id).ok_or(Errno::EINVAL)?;
            DrmAmdgpuCtxOut::from_pstate(DrmAmdgpuCtxOutPstate { flags: 0, _pad: 0 })
        }
        _ => return Err(Errno::EINVAL),
    };
    put(arg, &DrmAmdgpuCtx::from_output(out));
    Ok(())
}

/// Reads BO list entries (`amdgpu_bo_create_list_entry_array`) and resolves
/// handles (`amdgpu_bo_list_create`: ENOENT for an unknown handle).
fn list_entries(st: &State, i: &DrmAmdgpuBoListIn, user: &UserMem<'_>) -> Result<Vec<u64>, Errno> {
    let esz = core::mem::size_of::<DrmAmdgpuBoListEntry>();
    let stride = i.bo_info_size as usize;
    let bytes = user.read(
        i.bo_info_ptr,
        (i.bo_number as usize)
            .checked_mul(stride)
            .ok_or(Errno::EINVAL)?,
    )?;
    let mut v = Vec::new();
    for k in 0..i.bo_number as usize {
        let mut e = [0u8; 8];
        let n = stride.min(esz);
        e[..n].copy_from_slice(&bytes[k * stride..k * stride + n]);
        let e: DrmAmdgpuBoListEntry = pod_read_unaligned(&e);
        v.push(*st.handles.get(&e.bo_handle).ok_or(Errno::ENOENT)?);
    }
    Ok(v)
}

/// `amdgpu_bo_list_ioctl` (amdgpu_bo_list.c).
fn bo_list(st: &mut State, arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    let i = get::<DrmAmdgpuBoList>(arg).input();
    match i.operation {
        AMDGPU_BO_LIST_OP_CREATE => {
            let v = list_entries(st, &i, user)?;
            let h = lowest_free(&st.bo_lists);
            st.bo_lists.insert(h, v);
            put(
                arg,
                &DrmAmdgpuBoList::from_output(DrmAmdgpuBoListOut {
                    list_handle: h,
                    _pad: 0,
                }),
            );
            Ok(())
        }
        AMDGPU_BO_LIST_OP_DESTROY => st
            .bo_lists
            .remove(&i.list_handle)
            .map(|_| ())
            .ok_or(Errno::EINVAL),
        AMDGPU_BO_LIST_OP_UPDATE => {
            let v = list_entries(st, &i, user)?;
            let l = st.bo_lists.get_mut(&i.list_handle).ok_or(Errno::ENOENT)?;
            *l = v;
            Ok(())
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `DRM_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT` (drm_syncobj.c): how long
/// `drm_syncobj_find_fence` waits for a point to be submitted.
const WAIT_FOR_SUBMIT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why [`cs`] stopped.
enum CsStop {
    Err(Errno),
    /// A timeline wait with WAIT_FOR_SUBMIT names a point not submitted yet:
    /// `drm_syncobj_find_fence` sleeps (up to 5 s) for it.
    WaitForSubmit,
}

impl From<Errno> for CsStop {
    fn from(e: Errno) -> Self {
        CsStop::Err(e)
    }
}

/// `amdgpu_cs_ioctl`. A CS blocked in `drm_syncobj_find_fence`
/// (WAIT_FOR_SUBMIT) drops the lock and parses again until the point shows
/// up or the 5 s run out (-ETIME); parsing has no side effects before the
/// submission, so starting over is equivalent.
fn cs_ioctl(sh: &Shared, arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    {
        let mut st = sh.lock();
        if let Some((e, n)) = st.cfg.refuse_cs.filter(|r| r.1 > 0) {
            st.cfg.refuse_cs = Some((e, n - 1));
            return Err(e);
        }
    }
    let start = Instant::now();
    loop {
        let mut st = sh.lock();
        match cs(sh, &mut st, arg, user) {
            Ok(()) => return Ok(()),
            Err(CsStop::Err(e)) => return Err(e),
            Err(CsStop::WaitForSubmit) => {
                drop(st);
                if start.elapsed() >= WAIT_FOR_SUBMIT_TIMEOUT {
                    return Err(Errno::ETIME);
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
}

/// `amdgpu_cs_ioctl` (amdgpu_cs.c): parser_init, pass1 (chunks, IB
/// entities), pass2 (dependencies and syncobjs, in chunk order), then submit
/// and `amdgpu_cs_post_dependencies`; the job runs at once on the simulated
/// ring and may block in WAIT_REG_MEM.
fn cs(sh: &Shared, st: &mut State, arg: &mut [u8], user: &mut UserMem<'_>) -> Result<(), CsStop> {
    let i = get::<DrmAmdgpuCs>(arg).input();
    // amdgpu_cs_parser_init.
    if i.num_chunks == 0 {
        return Err(Errno::EINVAL.into());
    }
    let c = st.ctxs.get(&i.ctx_id).ok_or(Errno::EINVAL)?;
    if c.guilty {
        return Err(Errno::ECANCELED.into());
    }
    // amdgpu_cs_pass1.
    let ptrs: Vec<u64> = read_array(user, i.chunks, i.num_chunks as usize)?;
    let mut ibs = Vec::new();
    let mut bos: Option<Vec<u64>> = None;
    let mut user_fence = None;
    let mut pass2: Vec<(u32, Vec<u8>)> = Vec::new();
    for p in ptrs {
        let ch: DrmAmdgpuCsChunk = read_array(user, p, 1)?[0];
        let size = ch.length_dw as usize * 4;
        let data = user.read(ch.chunk_data, size)?.to_vec();
        let need = |n: usize| if size < n { Err(Errno::EINVAL) } else { Ok(()) };
        match ch.chunk_id {
            AMDGPU_CHUNK_ID_IB => {
                need(core::mem::size_of::<DrmAmdgpuCsChunkIb>())?;
                ibs.push(pod_read_unaligned::<DrmAmdgpuCsChunkIb>(
                    &data[..core::mem::size_of::<DrmAmdgpuCsChunkIb>()],
                ));
            }
            AMDGPU_CHUNK_ID_FENCE => {
                need(core::mem::size_of::<DrmAmdgpuCsChunkFence>())?;
                let f: DrmAmdgpuCsChunkFence = pod_read_unaligned(&data[..8]);
                // amdgpu_cs_p1_user_fence: an unknown handle is EINVAL (not ENOENT:
                // drm_gem_object_lookup NULL -> -EINVAL); one page, offset within it.
                let obj = *st.handles.get(&f.handle).ok_or(Errno::EINVAL)?;
                let bsize = st.bos[&obj].size;
                if bsize != 4096 || u64::from(f.offset) > bsize - 8 {
                    return Err(Errno::EINVAL.into());
                }
                user_fence = Some((obj, u64::from(f.offset)));
            }
            AMDGPU_CHUNK_ID_BO_HANDLES => {
                need(core::mem::size_of::<DrmAmdgpuBoListIn>())?;
                let l: DrmAmdgpuBoListIn = pod_read_unaligned(&data[..24]);
                bos = Some(list_entries(st, &l, user)?);
            }
            // Checked in pass 2; no size check in pass 1 (a short chunk
            // simply holds fewer whole entries).
            AMDGPU_CHUNK_ID_DEPENDENCIES
            | AMDGPU_CHUNK_ID_SCHEDULED_DEPENDENCIES
            | AMDGPU_CHUNK_ID_SYNCOBJ_IN
            | AMDGPU_CHUNK_ID_SYNCOBJ_OUT
            | AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT
            | AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL => pass2.push((ch.chunk_id, data)),
            _ => return Err(Errno::EINVAL.into()),
        }
    }
    if ibs.is_empty() {
        return Err(Errno::EINVAL.into());
    }
    for ib in &ibs {
        // amdgpu_cs_p1_ib → amdgpu_ctx_get_entity: ring limits per IP.
        let rings = match ib.ip_type {
            AMDGPU_HW_IP_GFX => 1,
            AMDGPU_HW_IP_COMPUTE => 4,
            // The simulator has no SDMA/VCN engines.
            _ => return Err(Errno::EINVAL.into()),
        };
        if ib.ip_instance != 0 || ib.ring >= rings {
            return Err(Errno::EINVAL.into());
        }
    }
    // amdgpu_cs_pass2. `post_deps`: (syncobj handle, point) signalled after
    // the submission; only one SYNCOBJ_OUT / TIMELINE_SIGNAL chunk per CS.
    let mut post_deps: Option<Vec<(u32, u64)>> = None;
    let u32_at = |d: &[u8], k: usize| u32::from_le_bytes([d[k], d[k + 1], d[k + 2], d[k + 3]]);
    let sz_sem = core::mem::size_of::<DrmAmdgpuCsChunkSem>();
    let sz_so = core::mem::size_of::<DrmAmdgpuCsChunkSyncobj>();
    let sz_dep = core::mem::size_of::<DrmAmdgpuCsChunkDep>();
    for (id, data) in &pass2 {
        match *id {
            AMDGPU_CHUNK_ID_DEPENDENCIES | AMDGPU_CHUNK_ID_SCHEDULED_DEPENDENCIES => {
                for d in data.chunks_exact(sz_dep) {
                    let d: DrmAmdgpuCsChunkDep = pod_read_unaligned(d);
                    // Jobs run in order on the one simulated ring, so a
                    // valid dependency is always satisfied by its position.
                    st.fence(d.ctx_id, d.handle)?;
                }
            }
            AMDGPU_CHUNK_ID_SYNCOBJ_IN => {
                // amdgpu_cs_p2_syncobj_in → amdgpu_syncobj_lookup_and_add(h, 0, 0).
                for k in 0..data.len() / sz_sem {
                    find_fence_now(st, u32_at(data, k * sz_sem), 0, 0)?;
                }
            }
            AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT => {
                // amdgpu_cs_p2_syncobj_timeline_wait: length_dw * 4 / 16
                // entries → amdgpu_syncobj_lookup_and_add(handle, point,
                // flags); only WAIT_FOR_SUBMIT of `flags` matters.
                for d in data.chunks_exact(sz_so) {
                    let d: DrmAmdgpuCsChunkSyncobj = pod_read_unaligned(d);
                    // The fence is a stub or an earlier job's: the in-order
                    // ring satisfies it, nothing to attach to the job.
                    find_fence_now(st, d.handle, d.point, d.flags)?;
                }
            }
            AMDGPU_CHUNK_ID_SYNCOBJ_OUT | AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL => {
                // amdgpu_cs_p2_syncobj_out / _timeline_signal: a second
                // such chunk is EINVAL; an unknown syncobj is EINVAL.
                if post_deps.is_some() {
                    return Err(Errno::EINVAL.into());
                }
                let mut v = Vec::new();
                if *id == AMDGPU_CHUNK_ID_SYNCOBJ_OUT {
                    for k in 0..data.len() / sz_sem {
                        v.push((u32_at(data, k * sz_sem), 0));
                    }
                } else {
                    for d in data.chunks_exact(sz_so) {
                        let d: DrmAmdgpuCsChunkSyncobj = pod_read_unaligned(d);
                        v.push((d.handle, d.point));
                    }
                }
                if v.iter().any(|(h, _)| !st.syncobjs.contains_key(h)) {
                    return Err(Errno::EINVAL.into());
                }
                post_deps = Some(v);
            }
            _ => {}
        }
    }
    let mut job_ibs = Vec::new();
    for ib in &ibs {
        // amdgpu_cs_p2_ib → amdgpu_cs_find_mapping: the IB must be mapped.
        let m = st.vm.lookup(ib.va_start).ok_or(Errno::EINVAL)?;
        if ib.va_start + u64::from(ib.ib_bytes) > m.end {
            return Err(Errno::EINVAL.into());
        }
        job_ibs.push(JobIb {
            va: ib.va_start,
            dwords: ib.ib_bytes / 4,
        });
    }
    if i.bo_list_handle != 0 {
        if bos.is_some() {
            return Err(Errno::EINVAL.into());
        }
        bos = Some(
            st.bo_lists
                .get(&i.bo_list_handle)
                .ok_or(Errno::ENOENT)?
                .clone(),
        );
    }
    // amdgpu_cs_submit.
    let c = st.ctxs.get_mut(&i.ctx_id).ok_or(Errno::EINVAL)?;
    let seq = c.next_seq;
    c.next_seq += 1;
    c.fences.insert(seq, FenceState::Pending);
    // amdgpu_cs_post_dependencies: point != 0 → drm_syncobj_add_point,
    // else drm_syncobj_replace_fence with the job's fence.
    let job = FenceRef::Job { ctx: i.ctx_id, seq };
    for (h, point) in post_deps.unwrap_or_default() {
        let prev = st.syncobjs.get(&h).and_then(|so| so.fence.clone());
        let f = if point != 0 {
            syncobj::add_point(st, prev, Plain::One(job), point)
        } else {
            syncobj::one(job)
        };
        st.set_syncobj_fence(h, Some(f));
    }
    st.queue.push_back(Job {
        ctx: i.ctx_id,
        seq,
        cp: CpJob::new(job_ibs),
        submitted: Instant::now(),
        user_fence,
        bos: bos.unwrap_or_default(),
        stats: CpStats::default(),
    });
    let mut store = lock_store(&sh.store);
    st.pump(&mut store);
    drop(store);
    put(
        arg,
        &DrmAmdgpuCs::from_output(DrmAmdgpuCsOut { handle: seq }),
    );
    Ok(())
}

/// `drm_syncobj_find_fence` without sleeping: ENOENT for an unknown handle;
/// a missing fence / point is EINVAL, or [`CsStop::WaitForSubmit`] with
/// DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT.
fn find_fence_now(st: &State, h: u32, point: u64, flags: u32) -> Result<Fence, CsStop> {
    let so = st.syncobjs.get(&h).ok_or(Errno::ENOENT)?;
    match syncobj::lookup(st, so.fence.as_ref(), point) {
        Some(f) => Ok(f),
        None if flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT != 0 => Err(CsStop::WaitForSubmit),
        None => Err(Errno::EINVAL.into()),
    }
}

/// `drm_syncobj_find_fence` with sleeping: polls with the lock released
/// until the point is submitted; -ETIME after 5 s.
fn find_fence(sh: &Shared, h: u32, point: u64, flags: u32) -> Result<Fence, Errno> {
    let start = Instant::now();
    loop {
        {
            let st = sh.lock();
            match find_fence_now(&st, h, point, flags) {
                Ok(f) => return Ok(f),
                Err(CsStop::Err(e)) => return Err(e),
                Err(CsStop::WaitForSubmit) => {}
            }
        }
        if start.elapsed() >= WAIT_FOR_SUBMIT_TIMEOUT {
            return Err(Errno::ETIME);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// `drm_syncobj_array_find`: copy the handles (EFAULT), ENOENT for any
/// unknown one.
fn array_find(st: &State, user: &UserMem<'_>, handles: u64, n: u32) -> Result<Vec<u32>, Errno> {
    let hs: Vec<u32> = read_array(user, handles, n as usize)?;
    if hs.iter().any(|h| !st.syncobjs.contains_key(h)) {
        return Err(Errno::ENOENT);
    }
    Ok(hs)
}

/// `drm_syncobj_timeline_signal_ioctl`: flags must be 0; a NULL `points`
/// means all zeros; each point gets a signalled stub through
/// `drm_syncobj_add_point` (point 0 included: it still makes a chain node).
fn timeline_signal(st: &mut State, arg: &[u8], user: &UserMem<'_>) -> R {
    let a: DrmSyncobjTimelineArray = get(arg);
    if a.flags != 0 || a.count_handles == 0 {
        return Err(Errno::EINVAL);
    }
    let hs = array_find(st, user, a.handles, a.count_handles)?;
    let points: Vec<u64> = if a.points == 0 {
        vec![0; hs.len()]
    } else {
        read_array(user, a.points, hs.len())?
    };
    for (h, point) in hs.into_iter().zip(points) {
        let prev = st.syncobjs.get(&h).and_then(|so| so.fence.clone());
        let f = syncobj::add_point(st, prev, Plain::One(FenceRef::Stub), point);
        st.set_syncobj_fence(h, Some(f));
    }
    Ok(())
}

/// `drm_syncobj_query_ioctl`: the last signalled point (or, with
/// DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, the head's point); 0 for a
/// syncobj without a chain.
fn syncobj_query(st: &mut State, arg: &[u8], user: &mut UserMem<'_>) -> R {
    let a: DrmSyncobjTimelineArray = get(arg);
    if a.flags & !DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED != 0 || a.count_handles == 0 {
        return Err(Errno::EINVAL);
    }
    let hs = array_find(st, user, a.handles, a.count_handles)?;
    let last = a.flags & DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED != 0;
    for (k, h) in hs.iter().enumerate() {
        let point = syncobj::query(st, st.syncobjs[h].fence.as_ref(), last);
        user.write(a.points + 8 * k as u64, &point.to_le_bytes())?;
    }
    Ok(())
}

/// `drm_syncobj_transfer_ioctl`: pad must be 0 (flags are not checked; only
/// WAIT_FOR_SUBMIT is looked at, by `drm_syncobj_find_fence`). dst_point
/// != 0 → `drm_syncobj_transfer_to_timeline` (the source fence unwrapped and
/// merged, added as a point), else `drm_syncobj_transfer_to_binary`
/// (replaces the fence).
fn syncobj_transfer(sh: &Shared, arg: &mut [u8]) -> R {
    let t: DrmSyncobjTransfer = get(arg);
    if t.pad != 0 {
        return Err(Errno::EINVAL);
    }
    let dst_id = {
        let st = sh.lock();
        st.syncobjs.get(&t.dst_handle).ok_or(Errno::ENOENT)?.id
    };
    let fence = find_fence(sh, t.src_handle, t.src_point, t.flags)?;
    let mut st = sh.lock();
    let st = &mut *st;
    // The kernel holds a reference on dst; a destroyed handle just loses the
    // result.
    let Some(prev) = st
        .syncobjs
        .get(&t.dst_handle)
        .filter(|so| so.id == dst_id)
        .map(|so| so.fence.clone())
    else {
        return Ok(());
    };
    let f = if t.dst_point != 0 {
        let merged = syncobj::unwrap_merge(st, &fence);
        syncobj::add_point(st, prev, merged, t.dst_point)
    } else {
        fence
    };
    st.set_syncobj_fence(t.dst_handle, Some(f));
    Ok(())
}

/// `amdgpu_gem_timeout`: absolute ns → remaining; ≥ 2^63 waits forever.
fn deadline(abs_ns: u64) -> Option<u64> {
    (abs_ns < 1 << 63).then_some(abs_ns)
}

/// Polls `check` (under the lock, pumping the ring) until it returns
/// `Some` or the deadline passes. The lock is released between polls so
/// CPU writes and other threads' submissions can make progress.
fn poll<T>(
    sh: &Shared,
    until: Option<u64>,
    mut check: impl FnMut(&mut State) -> Option<T>,
) -> Option<T> {
    loop {
        {
            let mut st = sh.lock();
            let mut store = lock_store(&sh.store);
            st.pump(&mut store);
            drop(store);
            if let Some(v) = check(&mut st) {
                return Some(v);
            }
            let timeout = st.cfg.job_timeout;
            drop(st);
            if until.is_some_and(|d| now_ns() >= d) {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200).min(timeout));
        }
    }
}

/// `amdgpu_cs_wait_ioctl`: status 1 = still busy at the timeout; a fence
/// that signaled with an error returns that error.
fn wait_cs(sh: &Shared, arg: &mut [u8]) -> R {
    let i = get::<DrmAmdgpuWaitCs>(arg).input();
    {
        let st = sh.lock();
        st.fence(i.ctx_id, i.handle)?;
    }
    let r = poll(sh, deadline(i.timeout), |st| {
        match st.fence(i.ctx_id, i.handle) {
            Err(e) => Some(Err(e)),
            Ok(FenceState::Pending) => None,
            Ok(FenceState::Signaled(None)) => Some(Ok(())),
            Ok(FenceState::Signaled(Some(e))) => Some(Err(e)),
        }
    });
    let busy = match r {
        None => 1,
        Some(Ok(())) => 0,
        Some(Err(e)) => return Err(e),
    };
    put(
        arg,
        &DrmAmdgpuWaitCs::from_output(DrmAmdgpuWaitCsOut { status: busy }),
    );
    Ok(())
}

/// `amdgpu_cs_wait_fences_ioctl`: status 1 = signaled (note: the opposite
/// of WAIT_CS), `first_signaled` for wait-any.
fn wait_fences(sh: &Shared, arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    let i = get::<DrmAmdgpuWaitFences>(arg).input();
    let fences: Vec<DrmAmdgpuFence> = read_array(user, i.fences, i.fence_count as usize)?;
    {
        let st = sh.lock();
        for f in &fences {
            st.fence(f.ctx_id, f.seq_no)?;
        }
    }
    let r = poll(sh, deadline(i.timeout_ns), |st| {
        let states: Vec<FenceState> = fences
            .iter()
            .map(|f| {
                st.fence(f.ctx_id, f.seq_no)
                    .unwrap_or(FenceState::Signaled(None))
            })
            .collect();
        if let Some(FenceState::Signaled(Some(e))) = states
            .iter()
            .find(|s| matches!(s, FenceState::Signaled(Some(_))))
        {
            return Some(Err(*e));
        }
        let done: Vec<bool> = states.iter().map(|s| *s != FenceState::Pending).collect();
        if i.wait_all != 0 {
            done.iter().all(|d| *d).then_some(Ok(0))
        } else {
            done.iter().position(|d| *d).map(|p| Ok(p as u32))
        }
    });
    let out = match r {
        None => DrmAmdgpuWaitFencesOut {
            status: 0,
            first_signaled: 0,
        },
        Some(Ok(first)) => DrmAmdgpuWaitFencesOut {
            status: 1,
            first_signaled: first,
        },
        Some(Err(e)) => return Err(e),
    };
    put(arg, &DrmAmdgpuWaitFences::from_output(out));
    Ok(())
}

/// `drm_syncobj_wait_ioctl`: flags WAIT_ALL / WAIT_FOR_SUBMIT (/ the
/// WAIT_DEADLINE hint), count 0 → EINVAL, then
/// [`array_wait`] at point 0. `pad` is not checked.
fn syncobj_wait(sh: &Shared, arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    let mut w: DrmSyncobjWait = get(arg);
    let valid = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL
        | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
        | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE;
    if w.flags & !valid != 0 || w.count_handles == 0 {
        return Err(Errno::EINVAL);
    }
    w.first_signaled = array_wait(
        sh,
        user,
        w.handles,
        None,
        w.count_handles,
        w.flags,
        w.timeout_nsec,
    )?;
    put(arg, &w);
    Ok(())
}

/// `drm_syncobj_timeline_wait_ioctl`: as [`syncobj_wait`] plus
/// WAIT_AVAILABLE and a `points` array (NULL = all zero).
fn syncobj_timeline_wait(sh: &Shared, arg: &mut [u8], user: &mut UserMem<'_>) -> R {
    let mut w: DrmSyncobjTimelineWait = get(arg);
    let valid = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL
        | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
        | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE
        | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE;
    if w.flags & !valid != 0 || w.count_handles == 0 {
        return Err(Errno::EINVAL);
    }
    let points = (w.points != 0).then_some(w.points);
    w.first_signaled = array_wait(
        sh,
        user,
        w.handles,
        points,
        w.count_handles,
        w.flags,
        w.timeout_nsec,
    )?;
    put(arg, &w);
    Ok(())
}

/// One `struct syncobj_wait_entry`.
struct WaitEntry {
    handle: u32,
    id: u64,
    point: u64,
    fence: Option<Fence>,
}

/// `drm_syncobj_array_find` + `drm_syncobj_array_wait_timeout`: each entry
/// resolves its point once (a missing fence/point is EINVAL unless
/// WAIT_FOR_SUBMIT or WAIT_AVAILABLE, which wait for it to be submitted);
/// WAIT_AVAILABLE counts a resolved point as done, otherwise its fence must
/// signal. `first_signaled` stays ~0 under WAIT_ALL unless an entry was
/// already done on entry (the kernel sets it only then). -ETIME at the
/// absolute CLOCK_MONOTONIC timeout (`drm_timeout_abs_to_jiffies`: 0 or a
/// past time polls once).
fn array_wait(
    sh: &Shared,
    user: &UserMem<'_>,
    handles: u64,
    points: Option<u64>,
    count: u32,
    flags: u32,
    timeout_nsec: i64,
) -> Result<u32, Errno> {
    let all = flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL != 0;
    let avail = flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE != 0;
    let later = flags
        & (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)
        != 0;
    let mut first = u32::MAX;
    let mut entries = Vec::new();
    {
        let mut st = sh.lock();
        let mut store = lock_store(&sh.store);
        st.pump(&mut store);
        drop(store);
        let hs = array_find(&st, user, handles, count)?;
        let pts: Vec<u64> = match points {
            Some(p) => read_array(user, p, hs.len())?,
            None => vec![0; hs.len()],
        };
        let mut done = 0u32;
        for (k, (h, point)) in hs.into_iter().zip(pts).enumerate() {
            let so = &st.syncobjs[&h];
            let fence = syncobj::lookup(&st, so.fence.as_ref(), point);
            if fence.is_none() && !later {
                return Err(Errno::EINVAL);
            }
            if fence
                .as_ref()
                .is_some_and(|f| avail || syncobj::is_signaled(&st, f))
            {
                if done == 0 {
                    first = k as u32;
                }
                done += 1;
            }
            entries.push(WaitEntry {
                handle: h,
                id: so.id,
                point,
                fence,
            });
        }
        if done == count || (done > 0 && !all) {
            return Ok(first);
        }
    }
    let until = if timeout_nsec <= 0 {
        Some(0)
    } else {
        Some(timeout_nsec as u64)
    };
    let r = poll(sh, until, |st| {
        // drm_syncobj_fence_add_wait / syncobj_wait_syncobj_func: pick up a
        // point once it is submitted (the syncobj itself, not a handle
        // reused by a later object).
        if later {
            for e in entries.iter_mut().filter(|e| e.fence.is_none()) {
                if let Some(so) = st.syncobjs.get(&e.handle).filter(|so| so.id == e.id) {
                    e.fence = syncobj::lookup(st, so.fence.as_ref(), e.point);
                }
            }
        }
        let mut done = 0;
        for (k, e) in entries.iter().enumerate() {
            let Some(f) = &e.fence else { continue };
            if avail || syncobj::is_signaled(st, f) {
                if !all {
                    return Some(k as u32);
                }
                done += 1;
            }
        }
        (done == entries.len()).then_some(first)
    });
    r.ok_or(Errno::ETIME)
}

/// `amdgpu_gem_wait_idle_ioctl`: status 1 = still busy.
fn gem_wait_idle(sh: &Shared, arg: &mut [u8]) -> R {
    let i = get::<DrmAmdgpuGemWaitIdle>(arg).input();
    let obj = *sh.lock().handles.get(&i.handle).ok_or(Errno::ENOENT)?;
    let r = poll(sh, deadline(i.timeout), |st| {
        (!st.queue
            .iter()
            .any(|j| j.bos.contains(&obj) || j.bos.is_empty()))
        .then_some(())
    });
    let busy = u32::from(r.is_none());
    put(
        arg,
        &DrmAmdgpuGemWaitIdle::from_output(DrmAmdgpuGemWaitIdleOut {
            status: busy,
            domain: 0,
        }),
    );
    Ok(())
}
