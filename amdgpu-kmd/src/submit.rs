//! Contexts, command submission and synchronisation: CTX, CS, WAIT_CS,
//! WAIT_FENCES, FENCE_TO_HANDLE, BO_LIST and the syncobj ioctls.
//!
//! CS argument layout (amdgpu_cs.c `amdgpu_cs_pass1`): `cs.in.chunks` points
//! to an array of `num_chunks` u64 *addresses*, each of one
//! `drm_amdgpu_cs_chunk`, whose `chunk_data` points to `length_dw` dwords of
//! payload: one `drm_amdgpu_cs_chunk_ib` per IB chunk, an array of
//! `drm_amdgpu_cs_chunk_dep` / `drm_amdgpu_cs_chunk_sem`, or (BO_HANDLES) one
//! `drm_amdgpu_bo_list_in` whose `bo_info_ptr` points to the entries.

use crate::bo::Bo;
use crate::device::{abs_timeout_ns, timed_out, Device};
use crate::driver::UserMem;
use crate::error::{Error, Result};
use crate::uapi::*;
use bytemuck::{bytes_of, cast_slice, Pod};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

struct CtxInner {
    dev: Device,
    id: u32,
}

impl Drop for CtxInner {
    fn drop(&mut self) {
        let mut arg = DrmAmdgpuCtx::from_input(DrmAmdgpuCtxIn {
            op: AMDGPU_CTX_OP_FREE_CTX,
            flags: 0,
            ctx_id: self.id,
            priority: 0,
        });
        let _ = self.dev.ioctl(
            "CTX free",
            DRM_IOCTL_AMDGPU_CTX,
            &mut arg,
            &mut UserMem::new(),
        );
    }
}

/// A GPU context (RAII; clones share it, fences keep it alive).
#[derive(Clone)]
pub struct Context {
    inner: Arc<CtxInner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.inner.id)
            .finish()
    }
}

/// `AMDGPU_CTX_QUERY2_FLAGS_*` of a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ResetState {
    /// Raw flags.
    pub flags: u64,
}

impl ResetState {
    fn has(&self, f: u32) -> bool {
        self.flags & u64::from(f) != 0
    }
    /// A GPU reset happened since the context was created.
    pub fn reset(&self) -> bool {
        self.has(AMDGPU_CTX_QUERY2_FLAGS_RESET)
    }
    /// VRAM contents were lost.
    pub fn vram_lost(&self) -> bool {
        self.has(AMDGPU_CTX_QUERY2_FLAGS_VRAMLOST)
    }
    /// A job of this context caused a hang: further CS fail with ECANCELED.
    pub fn guilty(&self) -> bool {
        self.has(AMDGPU_CTX_QUERY2_FLAGS_GUILTY)
    }
}

/// One indirect buffer to execute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ib {
    /// GPU VA of the first dword.
    pub va: u64,
    /// Size in bytes (a multiple of 4).
    pub size_bytes: u32,
    /// `AMDGPU_IB_FLAG_*`.
    pub flags: u32,
}

impl Ib {
    /// An IB of `size_bytes` at `va`, no flags.
    pub fn new(va: u64, size_bytes: u32) -> Self {
        Self {
            va,
            size_bytes,
            flags: 0,
        }
    }
}

/// A submission. Buffers are referenced either by `bos` (sent as a
/// BO_HANDLES chunk) or by a pre-built `bo_list`.
#[derive(Clone, Copy)]
pub struct Submit<'a> {
    /// `AMDGPU_HW_IP_*` (compute by default).
    pub ip_type: u32,
    /// IP instance.
    pub ip_instance: u32,
    /// Ring.
    pub ring: u32,
    /// The IBs (at least one).
    pub ibs: &'a [Ib],
    /// BOs the IBs access.
    pub bos: &'a [&'a Bo],
    /// A BO list handle instead of `bos`.
    pub bo_list: Option<&'a BoList>,
    /// Fences to wait for first (DEPENDENCIES chunk).
    pub deps: &'a [&'a Fence],
    /// Syncobjs to wait for first (SYNCOBJ_IN chunk).
    pub syncobj_in: &'a [&'a Syncobj],
    /// Syncobjs signalled on completion (SYNCOBJ_OUT chunk).
    pub syncobj_out: &'a [&'a Syncobj],
    /// Timeline points to wait for first (SYNCOBJ_TIMELINE_WAIT chunk).
    pub timeline_wait: &'a [SyncPoint<'a>],
    /// Timeline points signalled on completion (SYNCOBJ_TIMELINE_SIGNAL
    /// chunk; point 0 replaces the fence like SYNCOBJ_OUT). The kernel takes
    /// only one SYNCOBJ_OUT or TIMELINE_SIGNAL chunk per submission.
    pub timeline_signal: &'a [SyncPoint<'a>],
}

/// A syncobj timeline point (`struct drm_amdgpu_cs_chunk_syncobj`).
#[derive(Clone, Copy, Debug)]
pub struct SyncPoint<'a> {
    /// The syncobj.
    pub syncobj: &'a Syncobj,
    /// The point (0 = the syncobj's whole current fence).
    pub point: u64,
    /// `DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT` makes a wait block (up to
    /// 5 s in the kernel) until the point is submitted.
    pub flags: u32,
}

impl<'a> SyncPoint<'a> {
    /// `point` of `syncobj`, no flags.
    pub fn new(syncobj: &'a Syncobj, point: u64) -> Self {
        Self {
            syncobj,
            point,
            flags: 0,
        }
    }
}

impl<'a> Submit<'a> {
    /// A compute-ring submission of `ibs` referencing `bos`.
    pub fn compute(ibs: &'a [Ib], bos: &'a [&'a Bo]) -> Self {
        Self {
            ip_type: AMDGPU_HW_IP_COMPUTE,
            ip_instance: 0,
            ring: 0,
            ibs,
            bos,
            bo_list: None,
            deps: &[],
            syncobj_in: &[],
            syncobj_out: &[],
            timeline_wait: &[],
            timeline_signal: &[],
        }
    }
}

/// The completion of one submission.
#[derive(Clone)]
pub struct Fence {
    ctx: Context,
    ip_type: u32,
    ip_instance: u32,
    ring: u32,
    seq: u64,
}

impl std::fmt::Debug for Fence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fence")
            .field("ctx", &self.ctx.inner.id)
            .field("ip_type", &self.ip_type)
            .field("seq", &self.seq)
            .finish()
    }
}

impl Device {
    /// `CTX alloc` with a priority (`AMDGPU_CTX_PRIORITY_NORMAL`; above
    /// normal needs CAP_SYS_NICE, else EACCES).
    pub fn create_context(&self, priority: i32) -> Result<Context> {
        let mut arg = DrmAmdgpuCtx::from_input(DrmAmdgpuCtxIn {
            op: AMDGPU_CTX_OP_ALLOC_CTX,
            flags: 0,
            ctx_id: 0,
            priority,
        });
        self.ioctl(
            "CTX alloc",
            DRM_IOCTL_AMDGPU_CTX,
            &mut arg,
            &mut UserMem::new(),
        )?;
        let id = arg.output().alloc().ctx_id;
        Ok(Context {
            inner: Arc::new(CtxInner {
                dev: self.clone(),
                id,
            }),
        })
    }

    /// `WAIT_FENCES`: `Some(first_signaled)` when signalled (all of them when
    /// `wait_all`), `None` at the timeout.
    pub fn wait_fences(
        &self,
        fences: &[&Fence],
        wait_all: bool,
        timeout: Duration,
    ) -> Result<Option<u32>> {
        if fences.is_empty() {
            return Err(Error::Invalid("WAIT_FENCES: no fences".into()));
        }
        let list: Vec<DrmAmdgpuFence> = fences.iter().map(|f| f.to_uapi()).collect();
        let mut user = UserMem::new();
        let ptr = user.input(cast_slice(&list));
        let mut arg = DrmAmdgpuWaitFences::from_input(DrmAmdgpuWaitFencesIn {
            fences: ptr,
            fence_count: list.len() as u32,
            wait_all: u32::from(wait_all),
            timeout_ns: abs_timeout_ns(timeout),
        });
        self.ioctl(
            "WAIT_FENCES",
            DRM_IOCTL_AMDGPU_WAIT_FENCES,
            &mut arg,
            &mut user,
        )?;
        let out = arg.output();
        // status 1 = signalled (amdgpu_cs_wait_all_fences / _any_fence).
        Ok((out.status != 0).then_some(out.first_signaled))
    }

    /// `SYNCOBJ_TIMELINE_WAIT` on `points` with `DRM_SYNCOBJ_WAIT_FLAGS_*`
    /// `flags`: `Some(first_signaled)` when done (under WAIT_ALL the kernel
    /// leaves it at `u32::MAX` unless a point was already done on entry),
    /// `None` at the timeout (ETIME).
    pub fn timeline_wait(
        &self,
        points: &[SyncPoint<'_>],
        flags: u32,
        timeout: Duration,
    ) -> Result<Option<u32>> {
        let handles: Vec<u32> = points.iter().map(|p| p.syncobj.handle).collect();
        let values: Vec<u64> = points.iter().map(|p| p.point).collect();
        let mut user = UserMem::new();
        let mut arg = DrmSyncobjTimelineWait {
            handles: user.input(cast_slice(&handles)),
            points: user.input(cast_slice(&values)),
            timeout_nsec: abs_timeout_ns(timeout).min(i64::MAX as u64) as i64,
            count_handles: handles.len() as u32,
            flags,
            first_signaled: 0,
            pad: 0,
        };
        let done = timed_out(self.ioctl(
            "SYNCOBJ_TIMELINE_WAIT",
            DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT,
            &mut arg,
            &mut user,
        ))?;
        Ok(done.then_some(arg.first_signaled))
    }

    /// `SYNCOBJ_CREATE`.
    pub fn create_syncobj(&self, signaled: bool) -> Result<Syncobj> {
        let mut arg = DrmSyncobjCreate {
            handle: 0,
            flags: if signaled {
                DRM_SYNCOBJ_CREATE_SIGNALED
            } else {
                0
            },
        };
        self.ioctl(
            "SYNCOBJ_CREATE",
            DRM_IOCTL_SYNCOBJ_CREATE,
            &mut arg,
            &mut UserMem::new(),
        )?;
        Ok(Syncobj {
            dev: self.clone(),
            handle: arg.handle,
        })
    }

    /// `BO_LIST create` over `bos` (priority 0 each).
    pub fn create_bo_list(&self, bos: &[&Bo]) -> Result<BoList> {
        let entries: Vec<DrmAmdgpuBoListEntry> = bos
            .iter()
            .map(|b| DrmAmdgpuBoListEntry {
                bo_handle: b.handle(),
                bo_priority: 0,
            })
            .collect();
        let mut user = UserMem::new();
        let ptr = if entries.is_empty() {
            0
        } else {
            user.input(cast_slice(&entries))
        };
        let mut arg = DrmAmdgpuBoList::from_input(DrmAmdgpuBoListIn {
            operation: AMDGPU_BO_LIST_OP_CREATE,
            list_handle: 0,
            bo_number: entries.len() as u32,
            bo_info_size: core::mem::size_of::<DrmAmdgpuBoListEntry>() as u32,
            bo_info_ptr: ptr,
        });
        self.ioctl(
            "BO_LIST create",
            DRM_IOCTL_AMDGPU_BO_LIST,
            &mut arg,
            &mut user,
        )?;
        Ok(BoList {
            dev: self.clone(),
            handle: arg.output().list_handle,
        })
    }
}

fn dwords_of<T: Pod>(n: usize) -> u32 {
    (n * core::mem::size_of::<T>() / 4) as u32
}

fn addr_of_slice<T>(v: &[T]) -> u64 {
    v.as_ptr() as u64
}

impl Context {
    /// Kernel context id.
    pub fn id(&self) -> u32 {
        self.inner.id
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.inner.dev
    }

    fn state(&self, what: &'static str, op: u32) -> Result<DrmAmdgpuCtxOutState> {
        let mut arg = DrmAmdgpuCtx::from_input(DrmAmdgpuCtxIn {
            op,
            flags: 0,
            ctx_id: self.inner.id,
            priority: 0,
        });
        self.inner
            .dev
            .ioctl(what, DRM_IOCTL_AMDGPU_CTX, &mut arg, &mut UserMem::new())?;
        Ok(arg.output().state())
    }

    /// `CTX query_state2`: reset / VRAM-lost / guilty flags.
    pub fn query_state2(&self) -> Result<ResetState> {
        Ok(ResetState {
            flags: self
                .state("CTX query_state2", AMDGPU_CTX_OP_QUERY_STATE2)?
                .flags,
        })
    }

    /// `CTX query_state` (legacy): `(hangs, reset_status)`.
    pub fn query_state(&self) -> Result<(u32, u32)> {
        let s = self.state("CTX query_state", AMDGPU_CTX_OP_QUERY_STATE)?;
        Ok((s.hangs, s.reset_status))
    }

    /// Submits `s` (CS ioctl) and returns its fence.
    pub fn submit(&self, s: &Submit<'_>) -> Result<Fence> {
        if s.ibs.is_empty() {
            return Err(Error::Invalid("CS: no IBs".into()));
        }
        if let Some(ib) = s
            .ibs
            .iter()
            .find(|ib| ib.size_bytes == 0 || !ib.size_bytes.is_multiple_of(4))
        {
            return Err(Error::Invalid(format!(
                "CS: IB at {:#x} has size {} (must be a non-zero multiple of 4)",
                ib.va, ib.size_bytes
            )));
        }
        if s.bo_list.is_some() && !s.bos.is_empty() {
            return Err(Error::Invalid(
                "CS: give either bos or bo_list, not both".into(),
            ));
        }
        let dev = &self.inner.dev;
        // Payloads first; their heap addresses stay fixed from here on.
        let ibs: Vec<DrmAmdgpuCsChunkIb> = s
            .ibs
            .iter()
            .map(|ib| DrmAmdgpuCsChunkIb {
                _pad: 0,
                flags: ib.flags,
                va_start: ib.va,
                ib_bytes: ib.size_bytes,
                ip_type: s.ip_type,
                ip_instance: s.ip_instance,
                ring: s.ring,
            })
            .collect();
        let entries: Vec<DrmAmdgpuBoListEntry> = s
            .bos
            .iter()
            .map(|b| DrmAmdgpuBoListEntry {
                bo_handle: b.handle(),
                bo_priority: 0,
            })
            .collect();
        // BO_HANDLES chunk payload; operation / list_handle are ignored by
        // the kernel and set to ~0 as radv does (radv_amdgpu_cs.c).
        let bo_in = [DrmAmdgpuBoListIn {
            operation: !0,
            list_handle: !0,
            bo_number: entries.len() as u32,
            bo_info_size: core::mem::size_of::<DrmAmdgpuBoListEntry>() as u32,
            bo_info_ptr: addr_of_slice(&entries),
        }];
        let deps: Vec<DrmAmdgpuCsChunkDep> = s
            .deps
            .iter()
            .map(|f| DrmAmdgpuCsChunkDep {
                ip_type: f.ip_type,
                ip_instance: f.ip_instance,
                ring: f.ring,
                ctx_id: f.ctx.id(),
                handle: f.seq,
            })
            .collect();
        let sin: Vec<DrmAmdgpuCsChunkSem> = s
            .syncobj_in
            .iter()
            .map(|o| DrmAmdgpuCsChunkSem { handle: o.handle })
            .collect();
        let sout: Vec<DrmAmdgpuCsChunkSem> = s
            .syncobj_out
            .iter()
            .map(|o| DrmAmdgpuCsChunkSem { handle: o.handle })
            .collect();
        let points = |v: &[SyncPoint<'_>]| -> Vec<DrmAmdgpuCsChunkSyncobj> {
            v.iter()
                .map(|p| DrmAmdgpuCsChunkSyncobj {
                    handle: p.syncobj.handle,
                    flags: p.flags,
                    point: p.point,
                })
                .collect()
        };
        let twait = points(s.timeline_wait);
        let tsignal = points(s.timeline_signal);

        let mut chunks: Vec<DrmAmdgpuCsChunk> = Vec::new();
        for i in 0..ibs.len() {
            chunks.push(DrmAmdgpuCsChunk {
                chunk_id: AMDGPU_CHUNK_ID_IB,
                length_dw: dwords_of::<DrmAmdgpuCsChunkIb>(1),
                chunk_data: addr_of_slice(&ibs[i..]),
            });
        }
        if !entries.is_empty() {
            chunks.push(DrmAmdgpuCsChunk {
                chunk_id: AMDGPU_CHUNK_ID_BO_HANDLES,
                length_dw: dwords_of::<DrmAmdgpuBoListIn>(1),
                chunk_data: addr_of_slice(&bo_in),
            });
        }
        for (id, n, addr) in [
            (
                AMDGPU_CHUNK_ID_DEPENDENCIES,
                dwords_of::<DrmAmdgpuCsChunkDep>(deps.len()),
                addr_of_slice(&deps),
            ),
            (
                AMDGPU_CHUNK_ID_SYNCOBJ_IN,
                dwords_of::<DrmAmdgpuCsChunkSem>(sin.len()),
                addr_of_slice(&sin),
            ),
            (
                AMDGPU_CHUNK_ID_SYNCOBJ_OUT,
                dwords_of::<DrmAmdgpuCsChunkSem>(sout.len()),
                addr_of_slice(&sout),
            ),
            (
                AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT,
                dwords_of::<DrmAmdgpuCsChunkSyncobj>(twait.len()),
                addr_of_slice(&twait),
            ),
            (
                AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL,
                dwords_of::<DrmAmdgpuCsChunkSyncobj>(tsignal.len()),
                addr_of_slice(&tsignal),
            ),
        ] {
            if n > 0 {
                chunks.push(DrmAmdgpuCsChunk {
                    chunk_id: id,
                    length_dw: n,
                    chunk_data: addr,
                });
            }
        }
        let chunk_ptrs: Vec<u64> = (0..chunks.len())
            .map(|i| addr_of_slice(&chunks[i..]))
            .collect();

        let mut user = UserMem::new();
        user.input(cast_slice(&ibs));
        if !entries.is_empty() {
            user.input(cast_slice(&entries));
            user.input(cast_slice(&bo_in));
        }
        if !deps.is_empty() {
            user.input(cast_slice(&deps));
        }
        for v in [&sin, &sout] {
            if !v.is_empty() {
                user.input(cast_slice(v));
            }
        }
        for v in [&twait, &tsignal] {
            if !v.is_empty() {
                user.input(cast_slice(v));
            }
        }
        user.input(cast_slice(&chunks));
        let chunks_addr = user.input(cast_slice(&chunk_ptrs));
        let mut arg = DrmAmdgpuCs::from_input(DrmAmdgpuCsIn {
            ctx_id: self.inner.id,
            bo_list_handle: s.bo_list.map_or(0, |l| l.handle),
            num_chunks: chunks.len() as u32,
            flags: 0,
            chunks: chunks_addr,
        });
        dev.ioctl("CS", DRM_IOCTL_AMDGPU_CS, &mut arg, &mut user)?;
        Ok(Fence {
            ctx: self.clone(),
            ip_type: s.ip_type,
            ip_instance: s.ip_instance,
            ring: s.ring,
            seq: arg.output().handle,
        })
    }
}

impl Fence {
    /// Sequence number the CS ioctl returned.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The context it belongs to.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// As `struct drm_amdgpu_fence`.
    pub fn to_uapi(&self) -> DrmAmdgpuFence {
        DrmAmdgpuFence {
            ctx_id: self.ctx.id(),
            ip_type: self.ip_type,
            ip_instance: self.ip_instance,
            ring: self.ring,
            seq_no: self.seq,
        }
    }

    /// `WAIT_CS`: true when done, false when still busy at the timeout
    /// (`Duration::MAX` waits forever). A job killed by a GPU reset fails
    /// with its fence error (ECANCELED / ETIME).
    pub fn wait(&self, timeout: Duration) -> Result<bool> {
        let mut arg = DrmAmdgpuWaitCs::from_input(DrmAmdgpuWaitCsIn {
            handle: self.seq,
            timeout: abs_timeout_ns(timeout),
            ip_type: self.ip_type,
            ip_instance: self.ip_instance,
            ring: self.ring,
            ctx_id: self.ctx.id(),
        });
        self.ctx.device().ioctl(
            "WAIT_CS",
            DRM_IOCTL_AMDGPU_WAIT_CS,
            &mut arg,
            &mut UserMem::new(),
        )?;
        // status 1 = busy (amdgpu_cs_wait_ioctl: `status = (r == 0)`).
        Ok(arg.output().status == 0)
    }

    /// `FENCE_TO_HANDLE GET_SYNCOBJ`: a syncobj carrying this fence.
    pub fn to_syncobj(&self) -> Result<Syncobj> {
        let dev = self.ctx.device();
        let mut arg = DrmAmdgpuFenceToHandle::from_input(DrmAmdgpuFenceToHandleIn {
            fence: self.to_uapi(),
            what: AMDGPU_FENCE_TO_HANDLE_GET_SYNCOBJ,
            pad: 0,
        });
        dev.ioctl(
            "FENCE_TO_HANDLE",
            DRM_IOCTL_AMDGPU_FENCE_TO_HANDLE,
            &mut arg,
            &mut UserMem::new(),
        )?;
        Ok(Syncobj {
            dev: dev.clone(),
            handle: arg.output().handle,
        })
    }
}

/// A DRM sync object (RAII).
pub struct Syncobj {
    dev: Device,
    handle: u32,
}

impl std::fmt::Debug for Syncobj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncobj")
            .field("handle", &self.handle)
            .finish()
    }
}

impl Syncobj {
    /// Handle.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// `SYNCOBJ_WAIT` on this one: true when signalled, false at the timeout
    /// (the kernel's ETIME). `wait_for_submit` also waits for a fence to be
    /// attached (else an empty syncobj fails with EINVAL).
    pub fn wait(&self, timeout: Duration, wait_for_submit: bool) -> Result<bool> {
        let handles = [self.handle];
        let mut user = UserMem::new();
        let ptr = user.input(cast_slice(&handles));
        let mut arg = DrmSyncobjWait {
            handles: ptr,
            timeout_nsec: abs_timeout_ns(timeout).min(i64::MAX as u64) as i64,
            count_handles: 1,
            flags: DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL
                | if wait_for_submit {
                    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
                } else {
                    0
                },
            first_signaled: 0,
            pad: 0,
        };
        timed_out(
            self.dev
                .ioctl("SYNCOBJ_WAIT", DRM_IOCTL_SYNCOBJ_WAIT, &mut arg, &mut user),
        )
    }

    fn array_op(&self, what: &'static str, request: u64) -> Result<()> {
        let handles = [self.handle];
        let mut user = UserMem::new();
        let ptr = user.input(bytes_of(&handles));
        let mut arg = DrmSyncobjArray {
            handles: ptr,
            count_handles: 1,
            pad: 0,
        };
        self.dev.ioctl(what, request, &mut arg, &mut user)?;
        Ok(())
    }

    /// `SYNCOBJ_TIMELINE_SIGNAL` of one point (a signalled stub added as
    /// `point`; a point not after the last one starts a new chain context,
    /// which can make `query` report 0).
    pub fn timeline_signal(&self, point: u64) -> Result<()> {
        let handles = [self.handle];
        let points = [point];
        let mut user = UserMem::new();
        let mut arg = DrmSyncobjTimelineArray {
            handles: user.input(cast_slice(&handles)),
            points: user.input(cast_slice(&points)),
            count_handles: 1,
            flags: 0,
        };
        self.dev.ioctl(
            "SYNCOBJ_TIMELINE_SIGNAL",
            DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
            &mut arg,
            &mut user,
        )?;
        Ok(())
    }

    /// `SYNCOBJ_QUERY`: the last signalled point, or with `last_submitted`
    /// the last submitted one (0 for a binary syncobj).
    pub fn query(&self, last_submitted: bool) -> Result<u64> {
        let handles = [self.handle];
        let mut points = [0u64];
        let mut user = UserMem::new();
        let h = user.input(cast_slice(&handles));
        let p = user.output(bytemuck::cast_slice_mut(&mut points));
        let mut arg = DrmSyncobjTimelineArray {
            handles: h,
            points: p,
            count_handles: 1,
            flags: if last_submitted {
                DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED
            } else {
                0
            },
        };
        self.dev.ioctl(
            "SYNCOBJ_QUERY",
            DRM_IOCTL_SYNCOBJ_QUERY,
            &mut arg,
            &mut user,
        )?;
        drop(user);
        Ok(points[0])
    }

    /// `SYNCOBJ_TRANSFER`: the fence at `src_point` of `src` becomes
    /// `dst_point` of this syncobj (`dst_point` 0 replaces its fence).
    /// `flags` may hold `DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT`.
    pub fn transfer_from(
        &self,
        dst_point: u64,
        src: &Syncobj,
        src_point: u64,
        flags: u32,
    ) -> Result<()> {
        let mut arg = DrmSyncobjTransfer {
            src_handle: src.handle,
            dst_handle: self.handle,
            src_point,
            dst_point,
            flags,
            pad: 0,
        };
        self.dev.ioctl(
            "SYNCOBJ_TRANSFER",
            DRM_IOCTL_SYNCOBJ_TRANSFER,
            &mut arg,
            &mut UserMem::new(),
        )?;
        Ok(())
    }

    /// `SYNCOBJ_SIGNAL`.
    pub fn signal(&self) -> Result<()> {
        self.array_op("SYNCOBJ_SIGNAL", DRM_IOCTL_SYNCOBJ_SIGNAL)
    }

    /// `SYNCOBJ_RESET`.
    pub fn reset(&self) -> Result<()> {
        self.array_op("SYNCOBJ_RESET", DRM_IOCTL_SYNCOBJ_RESET)
    }

    fn handle_to_fd(&self, what: &'static str, flags: u32) -> Result<OwnedFd> {
        let mut arg = DrmSyncobjHandle {
            handle: self.handle,
            flags,
            fd: -1,
            pad: 0,
        };
        self.dev.ioctl(
            what,
            DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
            &mut arg,
            &mut UserMem::new(),
        )?;
        crate::real::adopt_fd(what, arg.fd)
    }

    /// `SYNCOBJ_HANDLE_TO_FD`: a syncobj fd referring to this syncobj (a new
    /// file each call; it keeps the syncobj alive after the handle goes).
    pub fn export_fd(&self) -> Result<OwnedFd> {
        self.handle_to_fd("SYNCOBJ_HANDLE_TO_FD", 0)
    }

    /// `SYNCOBJ_HANDLE_TO_FD` with `EXPORT_SYNC_FILE`: a sync_file holding
    /// the syncobj's current fence (EINVAL when it has none).
    pub fn export_sync_file(&self) -> Result<OwnedFd> {
        self.handle_to_fd(
            "SYNCOBJ_HANDLE_TO_FD sync_file",
            DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
        )
    }

    /// `SYNCOBJ_FD_TO_HANDLE` with `IMPORT_SYNC_FILE`: replaces this
    /// syncobj's fence with the sync_file's. The fd stays the caller's.
    pub fn import_sync_file(&self, fd: BorrowedFd<'_>) -> Result<()> {
        let mut arg = DrmSyncobjHandle {
            handle: self.handle,
            flags: DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
            fd: fd.as_raw_fd(),
            pad: 0,
        };
        self.dev.ioctl(
            "SYNCOBJ_FD_TO_HANDLE sync_file",
            DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
            &mut arg,
            &mut UserMem::new(),
        )?;
        Ok(())
    }
}

impl Device {
    /// `SYNCOBJ_FD_TO_HANDLE`: a new handle (always a new one) to the
    /// syncobj behind a syncobj fd. The fd stays the caller's.
    pub fn import_syncobj_fd(&self, fd: BorrowedFd<'_>) -> Result<Syncobj> {
        let mut arg = DrmSyncobjHandle {
            handle: 0,
            flags: 0,
            fd: fd.as_raw_fd(),
            pad: 0,
        };
        self.ioctl(
            "SYNCOBJ_FD_TO_HANDLE",
            DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
            &mut arg,
            &mut UserMem::new(),
        )?;
        Ok(Syncobj {
            dev: self.clone(),
            handle: arg.handle,
        })
    }
}

impl Drop for Syncobj {
    fn drop(&mut self) {
        let mut arg = DrmSyncobjDestroy {
            handle: self.handle,
            pad: 0,
        };
        let _ = self.dev.ioctl(
            "SYNCOBJ_DESTROY",
            DRM_IOCTL_SYNCOBJ_DESTROY,
            &mut arg,
            &mut UserMem::new(),
        );
    }
}

/// A kernel BO list (`BO_LIST` ioctl, RAII).
pub struct BoList {
    dev: Device,
    handle: u32,
}

impl std::fmt::Debug for BoList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoList")
            .field("handle", &self.handle)
            .finish()
    }
}

impl BoList {
    /// Handle.
    pub fn handle(&self) -> u32 {
        self.handle
    }
}

impl Drop for BoList {
    fn drop(&mut self) {
        let mut arg = DrmAmdgpuBoList::from_input(DrmAmdgpuBoListIn {
            operation: AMDGPU_BO_LIST_OP_DESTROY,
            list_handle: self.handle,
            bo_number: 0,
            bo_info_size: 0,
            bo_info_ptr: 0,
        });
        let _ = self.dev.ioctl(
            "BO_LIST destroy",
            DRM_IOCTL_AMDGPU_BO_LIST,
            &mut arg,
            &mut UserMem::new(),
        );
    }
}
