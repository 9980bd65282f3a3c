//! Which user pointers an ioctl argument carries, and whether each lies in
//! memory the caller registered in its [`UserMem`].
//!
//! `RealDriver` runs [`check_user_pointers`] before every `ioctl(2)`: the
//! kernel would dereference any address it is given, so without this a safe
//! caller could make it write over arbitrary process memory. The simulator
//! gets the same guarantee for free (it only reads through `UserMem`).
//! The pointer layout of each request follows the kernel handlers cited in
//! `firmware-notes/ioctl-abi.md`.

use crate::driver::{Errno, UserMem};
use crate::uapi::*;
use bytemuck::Pod;

fn arg<T: Pod>(bytes: &[u8]) -> Result<T, Errno> {
    bytes
        .get(..core::mem::size_of::<T>())
        .map(bytemuck::pod_read_unaligned)
        .ok_or(Errno::EINVAL)
}

fn len(n: u64, each: usize) -> Result<usize, Errno> {
    usize::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(each))
        .ok_or(Errno::EINVAL)
}

/// Checks every user pointer inside `bytes` (the argument of `request`)
/// against `user`: `EFAULT` when one points outside registered memory (or a
/// written one into an input buffer), `ENOTTY` for requests this crate does
/// not know (their pointers cannot be checked), `EPERM` for `GEM_USERPTR`
/// (it lends user memory to the GPU beyond the call; not offered safely).
pub fn check_user_pointers(request: u64, bytes: &[u8], user: &UserMem<'_>) -> Result<(), Errno> {
    let desc = ioctl_by_request(request).ok_or(Errno::ENOTTY)?;
    if bytes.len() != desc.size {
        return Err(Errno::EINVAL);
    }
    match request {
        DRM_IOCTL_VERSION => {
            let v: DrmVersion = arg(bytes)?;
            for (p, n) in [
                (v.name, v.name_len),
                (v.date, v.date_len),
                (v.desc, v.desc_len),
            ] {
                user.check(p, len(n, 1)?, true)?;
            }
        }
        DRM_IOCTL_SYNCOBJ_WAIT => {
            let w: DrmSyncobjWait = arg(bytes)?;
            user.check(w.handles, len(w.count_handles.into(), 4)?, false)?;
        }
        DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT => {
            let w: DrmSyncobjTimelineWait = arg(bytes)?;
            user.check(w.handles, len(w.count_handles.into(), 4)?, false)?;
            user.check(w.points, len(w.count_handles.into(), 8)?, false)?;
        }
        DRM_IOCTL_SYNCOBJ_RESET | DRM_IOCTL_SYNCOBJ_SIGNAL => {
            let a: DrmSyncobjArray = arg(bytes)?;
            user.check(a.handles, len(a.count_handles.into(), 4)?, false)?;
        }
        DRM_IOCTL_SYNCOBJ_QUERY | DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL => {
            let a: DrmSyncobjTimelineArray = arg(bytes)?;
            user.check(a.handles, len(a.count_handles.into(), 4)?, false)?;
            // QUERY writes the points back; TIMELINE_SIGNAL only reads them.
            let write = request == DRM_IOCTL_SYNCOBJ_QUERY;
            user.check(a.points, len(a.count_handles.into(), 8)?, write)?;
        }
        DRM_IOCTL_AMDGPU_BO_LIST => {
            let l = arg::<DrmAmdgpuBoList>(bytes)?.input();
            if l.operation != AMDGPU_BO_LIST_OP_DESTROY {
                user.check(
                    l.bo_info_ptr,
                    len(l.bo_number.into(), l.bo_info_size as usize)?,
                    false,
                )?;
            }
        }
        DRM_IOCTL_AMDGPU_CS => check_cs(arg::<DrmAmdgpuCs>(bytes)?.input(), user)?,
        DRM_IOCTL_AMDGPU_INFO => {
            let i: DrmAmdgpuInfo = arg(bytes)?;
            user.check(i.return_pointer, i.return_size as usize, true)?;
        }
        DRM_IOCTL_AMDGPU_GEM_OP => {
            let o: DrmAmdgpuGemOp = arg(bytes)?;
            if o.op == AMDGPU_GEM_OP_GET_GEM_CREATE_INFO {
                user.check(o.value, core::mem::size_of::<DrmAmdgpuGemCreateIn>(), true)?;
            }
        }
        DRM_IOCTL_AMDGPU_WAIT_FENCES => {
            let w = arg::<DrmAmdgpuWaitFences>(bytes)?.input();
            user.check(
                w.fences,
                len(w.fence_count.into(), core::mem::size_of::<DrmAmdgpuFence>())?,
                false,
            )?;
        }
        DRM_IOCTL_AMDGPU_GEM_USERPTR => return Err(Errno::EPERM),
        // Everything else carries no user pointers (handles, GPU VAs, fds).
        _ => {}
    }
    Ok(())
}

/// CS: `chunks` → u64 addresses → `drm_amdgpu_cs_chunk` → `length_dw`
/// dwords; BO_HANDLES payloads point once more (amdgpu_cs.c `amdgpu_cs_pass1`,
/// `amdgpu_cs_p1_bo_handles`).
fn check_cs(cs: DrmAmdgpuCsIn, user: &UserMem<'_>) -> Result<(), Errno> {
    let ptrs = user.read(cs.chunks, len(cs.num_chunks.into(), 8)?)?;
    for p in ptrs.chunks_exact(8) {
        let p = u64::from_le_bytes(p.try_into().map_err(|_| Errno::EINVAL)?);
        let chunk: DrmAmdgpuCsChunk = arg(user.read(p, core::mem::size_of::<DrmAmdgpuCsChunk>())?)?;
        let data = user.read(chunk.chunk_data, len(chunk.length_dw.into(), 4)?)?;
        if chunk.chunk_id == AMDGPU_CHUNK_ID_BO_HANDLES {
            let l: DrmAmdgpuBoListIn = arg(data)?;
            user.check(
                l.bo_info_ptr,
                len(l.bo_number.into(), l.bo_info_size as usize)?,
                false,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_return_pointer_must_be_registered_output() {
        let mut out = [0u8; 8];
        let src = [0u8; 8];
        let mut user = UserMem::new();
        let o = user.output(&mut out);
        let i = user.input(&src);
        let ok = DrmAmdgpuInfo::new(AMDGPU_INFO_TIMESTAMP, o, 8);
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_INFO, bytemuck::bytes_of(&ok), &user),
            Ok(())
        );
        let long = DrmAmdgpuInfo::new(AMDGPU_INFO_TIMESTAMP, o, 9);
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_INFO, bytemuck::bytes_of(&long), &user),
            Err(Errno::EFAULT)
        );
        let ro = DrmAmdgpuInfo::new(AMDGPU_INFO_TIMESTAMP, i, 8);
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_INFO, bytemuck::bytes_of(&ro), &user),
            Err(Errno::EFAULT)
        );
        let wild = DrmAmdgpuInfo::new(AMDGPU_INFO_TIMESTAMP, 0x1000, 8);
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_INFO, bytemuck::bytes_of(&wild), &user),
            Err(Errno::EFAULT)
        );
        // Wrong size, unknown request, userptr.
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_INFO, &[0; 8], &user),
            Err(Errno::EINVAL)
        );
        assert_eq!(check_user_pointers(0x1234, &[], &user), Err(Errno::ENOTTY));
        let up = DrmAmdgpuGemUserptr::default();
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_GEM_USERPTR, bytemuck::bytes_of(&up), &user),
            Err(Errno::EPERM)
        );
        // No pointers at all.
        let va = DrmAmdgpuGemVa {
            va_address: 0xdead_0000,
            ..Default::default()
        };
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_GEM_VA, bytemuck::bytes_of(&va), &user),
            Ok(())
        );
    }

    #[test]
    fn cs_chunks_are_followed() {
        let entries = [DrmAmdgpuBoListEntry {
            bo_handle: 1,
            bo_priority: 0,
        }];
        let bo_in = [DrmAmdgpuBoListIn {
            operation: !0,
            list_handle: !0,
            bo_number: 1,
            bo_info_size: 8,
            bo_info_ptr: entries.as_ptr() as u64,
        }];
        let chunks = [DrmAmdgpuCsChunk {
            chunk_id: AMDGPU_CHUNK_ID_BO_HANDLES,
            length_dw: 6,
            chunk_data: bo_in.as_ptr() as u64,
        }];
        let ptrs = [chunks.as_ptr() as u64];
        let cs = DrmAmdgpuCs::from_input(DrmAmdgpuCsIn {
            ctx_id: 1,
            bo_list_handle: 0,
            num_chunks: 1,
            flags: 0,
            chunks: ptrs.as_ptr() as u64,
        });
        let mut user = UserMem::new();
        user.input(bytemuck::cast_slice(&ptrs));
        user.input(bytemuck::cast_slice(&chunks));
        user.input(bytemuck::cast_slice(&bo_in));
        // The entries are not registered yet: the nested pointer faults.
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_CS, bytemuck::bytes_of(&cs), &user),
            Err(Errno::EFAULT)
        );
        user.input(bytemuck::cast_slice(&entries));
        assert_eq!(
            check_user_pointers(DRM_IOCTL_AMDGPU_CS, bytemuck::bytes_of(&cs), &user),
            Ok(())
        );
    }
}
