//! The fake amdgpu kernel: [`SimDriver`] decodes the ioctl argument bytes
//! `amdgpu-kmd` builds and acts as `amdgpu.ko` would — same handles, checks
//! and errnos. Sources for each rule are cited at the handler
//! (`torvalds/linux` `drivers/gpu/drm/amd/amdgpu/amdgpu_{gem,cs,kms,ctx,vm,bo_list}.c`,
//! `drivers/gpu/drm/drm_syncobj.c`, `drm_gem.c`; PRIME and syncobj fds in
//! `files.rs` after `drm_prime.c`, `amdgpu_dma_buf.c`).

pub mod cp;
mod files;
pub mod fuzz;
pub mod info;
mod ioctls;
pub mod mem;
mod syncobj;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use amdgpu_kmd::uapi::DrmAmdgpuInfoDevice;
use amdgpu_kmd::{CpuMapping, Driver, Errno, UserMem};

use crate::config::SimConfig;
use crate::exec::Executor;
use cp::{Cp, CpError, CpJob, CpOutcome, CpRegs, CpStats};
use mem::{Store, Vm, VmMem};

/// One GEM object.
#[derive(Debug, Clone)]
pub(crate) struct Bo {
    pub obj: u64,
    pub size: u64,
    pub alignment: u64,
    pub domains: u32,
    pub flags: u64,
    pub mmap_offset: u64,
    pub heap: Heap,
    pub metadata: amdgpu_kmd::uapi::DrmAmdgpuGemMetadataData,
}

/// Where a BO's size is accounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heap {
    Vram { visible: bool },
    Gtt,
}

/// VRAM/GTT usage counters (`amdgpu_vram_mgr_usage` etc.).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Usage {
    pub vram: u64,
    pub vis_vram: u64,
    pub gtt: u64,
}

/// A fence's state as the scheduler sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FenceState {
    Pending,
    Signaled(Option<Errno>),
}

/// One context (`struct amdgpu_ctx`).
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub guilty: bool,
    pub reset_counter: u64,
    pub reset_counter_query: u64,
    pub next_seq: u64,
    pub fences: HashMap<u64, FenceState>,
}

/// What a syncobj's fence points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FenceRef {
    /// `dma_fence_get_stub()`: already signaled.
    Stub,
    /// A job's fence.
    Job { ctx: u32, seq: u64 },
}

/// One syncobj (`struct drm_syncobj`): `id` tells a handle's object apart
/// from a later one that reused the handle number.
#[derive(Debug, Clone)]
pub(crate) struct Syncobj {
    pub id: u64,
    pub fence: Option<syncobj::Fence>,
}

/// A submitted job.
pub(crate) struct Job {
    pub ctx: u32,
    pub seq: u64,
    pub cp: CpJob,
    pub submitted: Instant,
    pub user_fence: Option<(u64, u64)>,
    pub bos: Vec<u64>,
    pub stats: CpStats,
}

/// Report of the last finished job (for `rocless launch --json`).
#[derive(Debug, Clone)]
pub struct JobReport {
    /// Context id.
    pub ctx: u32,
    /// Fence sequence number.
    pub seq: u64,
    /// `Ok` or why it failed (VM fault with VA, hang, CP error).
    pub result: Result<(), String>,
    /// CP statistics and per-dispatch counters.
    pub stats: CpStats,
}

/// Everything the fake kernel keeps for one open render node.
pub struct State {
    pub(crate) cfg: SimConfig,
    pub(crate) handles: BTreeMap<u32, u64>,
    pub(crate) bos: HashMap<u64, Bo>,
    pub(crate) next_obj: u64,
    pub(crate) next_mmap: u64,
    pub(crate) vm: Vm,
    pub(crate) ctxs: BTreeMap<u32, Ctx>,
    pub(crate) bo_lists: BTreeMap<u32, Vec<u64>>,
    pub(crate) syncobjs: BTreeMap<u32, Syncobj>,
    /// dma-bufs, syncobj files and sync_files handed out, by inode.
    pub(crate) files: HashMap<files::Key, files::SimFile>,
    /// `obj->dma_buf` of objects that have handles.
    pub(crate) dma_bufs: HashMap<u64, files::Cached>,
    /// `file_priv->prime`.
    pub(crate) prime: files::PrimeTable,
    pub(crate) next_syncobj_id: u64,
    pub(crate) next_fence_context: u64,
    pub(crate) queue: VecDeque<Job>,
    pub(crate) regs: CpRegs,
    pub(crate) exec: Executor,
    pub(crate) reset_counter: u64,
    pub(crate) usage: Usage,
    pub(crate) log: Vec<String>,
    pub(crate) last_job: Option<JobReport>,
    pub(crate) last_vm_fault: Option<(u64, u32)>,
    pub(crate) start: Instant,
}

/// Lowest free id ≥ 1 (`idr_alloc(idr, p, 1, 0)`).
pub(crate) fn lowest_free<V>(m: &BTreeMap<u32, V>) -> u32 {
    let mut id = 1;
    for k in m.keys() {
        if *k != id {
            break;
        }
        id += 1;
    }
    id
}

impl State {
    fn new(cfg: SimConfig) -> Self {
        Self {
            cfg,
            handles: BTreeMap::new(),
            bos: HashMap::new(),
            next_obj: 1,
            // DRM_FILE_PAGE_OFFSET_START << PAGE_SHIFT.
            next_mmap: 0x1_0000_0000,
            vm: Vm::default(),
            ctxs: BTreeMap::new(),
            bo_lists: BTreeMap::new(),
            syncobjs: BTreeMap::new(),
            files: HashMap::new(),
            dma_bufs: HashMap::new(),
            prime: HashMap::new(),
            next_syncobj_id: 0,
            next_fence_context: 0,
            queue: VecDeque::new(),
            regs: CpRegs::default(),
            exec: Executor::new(),
            reset_counter: 0,
            usage: Usage::default(),
            log: Vec::new(),
            last_job: None,
            last_vm_fault: None,
            start: Instant::now(),
        }
    }

    /// Fields of DEV_INFO that depend on state (none yet; kept for growth).
    pub(crate) fn dev_info_extra(&self) -> DrmAmdgpuInfoDevice {
        DrmAmdgpuInfoDevice::default()
    }

    /// The 100 MHz GPU clock counter.
    pub(crate) fn gpu_clock(&self) -> u64 {
        (self.start.elapsed().as_nanos() / 10) as u64
    }

    /// Installs a new syncobj holding `fence` under the lowest free handle
    /// (`drm_syncobj_create` + `drm_syncobj_get_handle`).
    pub(crate) fn new_syncobj(&mut self, fence: Option<syncobj::Fence>) -> u32 {
        let id = self.new_syncobj_id();
        self.syncobj_handle(id, fence)
    }

    /// A fresh syncobj identity (`drm_syncobj_create`).
    pub(crate) fn new_syncobj_id(&mut self) -> u64 {
        self.next_syncobj_id += 1;
        self.next_syncobj_id
    }

    /// Another handle to syncobj `id` under the lowest free handle
    /// (`drm_syncobj_get_handle`, or the `idr_alloc` of
    /// `drm_syncobj_fd_to_handle`).
    pub(crate) fn syncobj_handle(&mut self, id: u64, fence: Option<syncobj::Fence>) -> u32 {
        let h = lowest_free(&self.syncobjs);
        self.syncobjs.insert(h, Syncobj { id, fence });
        h
    }

    /// `drm_syncobj_replace_fence` on the syncobj behind handle `h`: every
    /// handle and syncobj file referring to the same object sees it.
    pub(crate) fn set_syncobj_fence(&mut self, h: u32, fence: Option<syncobj::Fence>) {
        let Some(id) = self.syncobjs.get(&h).map(|so| so.id) else {
            return;
        };
        for so in self.syncobjs.values_mut().filter(|so| so.id == id) {
            so.fence = fence.clone();
        }
        for f in self.files.values_mut() {
            if let files::Kind::Syncobj { id: fid, fence: ff } = &mut f.kind {
                if *fid == id {
                    *ff = fence.clone();
                }
            }
        }
    }

    /// Drops a reference a dma-buf held on `obj` (`drm_gem_dmabuf_release`
    /// → `drm_gem_object_put`): frees it when no handle and no other
    /// dma-buf refers to it any more.
    pub(crate) fn put_obj(&mut self, store: &mut Store, obj: u64) {
        let handles = self.handles.values().any(|o| *o == obj);
        let exported = self
            .files
            .values()
            .any(|f| matches!(f.kind, files::Kind::DmaBuf { obj: o } if o == obj));
        if handles || exported {
            return;
        }
        if let Some(bo) = self.bos.remove(&obj) {
            match bo.heap {
                Heap::Vram { visible } => {
                    self.usage.vram -= bo.size;
                    if visible {
                        self.usage.vis_vram -= bo.size;
                    }
                }
                Heap::Gtt => self.usage.gtt -= bo.size,
            }
            store.put(obj);
        }
    }

    fn dmesg(&mut self, line: String) {
        tracing::error!(target: "amdgpu", "{line}");
        self.log.push(line);
    }

    /// State of fence (ctx, seq): EINVAL for an unknown ctx or a sequence
    /// number never emitted (`amdgpu_ctx_get_fence`).
    pub(crate) fn fence(&self, ctx: u32, seq: u64) -> Result<FenceState, Errno> {
        let c = self.ctxs.get(&ctx).ok_or(Errno::EINVAL)?;
        if seq >= c.next_seq {
            return Err(Errno::EINVAL);
        }
        // Fences old enough to have left the ring are signaled (NULL fence).
        Ok(c.fences
            .get(&seq)
            .copied()
            .unwrap_or(FenceState::Signaled(None)))
    }

    pub(crate) fn fence_ref_state(&self, f: FenceRef) -> FenceState {
        match f {
            FenceRef::Stub => FenceState::Signaled(None),
            FenceRef::Job { ctx, seq } => self
                .ctxs
                .get(&ctx)
                .and_then(|c| c.fences.get(&seq).copied())
                .unwrap_or(FenceState::Signaled(None)),
        }
    }

    fn signal(&mut self, ctx: u32, seq: u64, err: Option<Errno>) {
        if let Some(c) = self.ctxs.get_mut(&ctx) {
            c.fences.insert(seq, FenceState::Signaled(err));
            // Keep a bounded window, like the ring's fence slots.
            if c.fences.len() > 4096 {
                let keep = c.next_seq.saturating_sub(2048);
                c.fences
                    .retain(|s, f| *s >= keep || *f == FenceState::Pending);
            }
        }
    }

    /// Runs queued jobs until the queue is empty or the head blocks.
    pub(crate) fn pump(&mut self, store: &mut Store) {
        while let Some(mut job) = self.queue.pop_front() {
            let guilty = self.ctxs.get(&job.ctx).is_none_or(|c| c.guilty);
            if guilty {
                // drm_sched_entity_pop_job: jobs of a guilty entity are
                // skipped with -ECANCELED.
                self.signal(job.ctx, job.seq, Some(Errno::ECANCELED));
                continue;
            }
            let outcome = if self.cfg.inject_hangs > 0 {
                self.cfg.inject_hangs -= 1;
                CpOutcome::Failed(CpError::Hang(
                    "injected hang (SimConfig::inject_hangs)".into(),
                ))
            } else if let Some((va, n)) = self.cfg.inject_fault.filter(|f| f.1 > 0) {
                self.cfg.inject_fault = Some((va, n - 1));
                CpOutcome::Failed(CpError::Fault {
                    va,
                    write: true,
                    by: "injected fault (SimConfig::inject_fault)".into(),
                })
            } else {
                let clock = self.gpu_clock();
                let mut vmmem = VmMem::new(&self.vm, store);
                let mut cp = Cp {
                    regs: &mut self.regs,
                    mem: &mut vmmem,
                    exec: &mut self.exec,
                    budget: self.cfg.budget,
                    max_packets: self.cfg.max_packets,
                    trace_wave: self.cfg.trace_wave,
                    clock,
                    stats: &mut job.stats,
                };
                cp.run(&mut job.cp)
            };
            match outcome {
                CpOutcome::Done => {
                    if let Some((obj, off)) = job.user_fence {
                        if let Some(b) = store.buf_mut(obj) {
                            b.write(off, &job.seq.to_le_bytes());
                        }
                    }
                    self.signal(job.ctx, job.seq, None);
                    self.last_job = Some(JobReport {
                        ctx: job.ctx,
                        seq: job.seq,
                        result: Ok(()),
                        stats: job.stats,
                    });
                }
                CpOutcome::Blocked { addr } => {
                    if job.submitted.elapsed() >= self.cfg.job_timeout {
                        let e = CpError::Hang(format!(
                            "WAIT_REG_MEM on 0x{addr:x} not satisfied within the job timeout ({:?})",
                            self.cfg.job_timeout
                        ));
                        self.fail(job, e);
                        continue;
                    }
                    self.queue.push_front(job);
                    return;
                }
                CpOutcome::Failed(e) => self.fail(job, e),
            }
        }
    }

    /// The kernel's fault/timeout path: log like dmesg, mark the context
    /// guilty, fail the job's fence with ETIME (`amdgpu_job_timedout`),
    /// reset the GPU (register state lost, reset counter bumped).
    fn fail(&mut self, job: Job, e: CpError) {
        let ring = "comp_1.0.0";
        if let CpError::Fault { va, write, by } = &e {
            // GCVM_L2_PROTECTION_FAULT_STATUS: RW bit 18 (write), client UTCL2.
            let status = 0x0034_1051 | (u32::from(*write) << 18);
            self.last_vm_fault = Some((*va & !0xfff, status));
            self.dmesg(format!(
                "amdgpu: [gfxhub] page fault (src_id:0 ring:{ring} vmid:1 pasid:32768, for process rocless ctx {} seq {})",
                job.ctx, job.seq
            ));
            self.dmesg(format!(
                "amdgpu:   in page starting at address 0x{:012x} from client 0x1b (UTCL2), {} access by {by}",
                va & !0xfff,
                if *write { "write" } else { "read" }
            ));
            self.dmesg(format!(
                "amdgpu: GCVM_L2_PROTECTION_FAULT_STATUS:0x{status:08X}"
            ));
        }
        self.dmesg(format!(
            "amdgpu: ring {ring} timeout, signaled seq={}, emitted seq={}: {e}",
            job.seq.saturating_sub(1),
            job.seq
        ));
        self.dmesg("amdgpu: GPU reset begin!".into());
        self.reset_counter += 1;
        self.regs = CpRegs::default();
        if let Some(c) = self.ctxs.get_mut(&job.ctx) {
            c.guilty = true;
        }
        self.signal(job.ctx, job.seq, Some(Errno::ETIME));
        self.dmesg(format!(
            "amdgpu: GPU reset({}) succeeded!",
            self.reset_counter
        ));
        self.last_job = Some(JobReport {
            ctx: job.ctx,
            seq: job.seq,
            result: Err(e.to_string()),
            stats: job.stats,
        });
    }
}

/// Shared between the driver, its handles and CPU mappings.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub store: Arc<Mutex<Store>>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) fn lock_store(s: &Mutex<Store>) -> MutexGuard<'_, Store> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// The simulated amdgpu kernel behind one "render node" (`sim:0`).
pub struct SimDriver {
    shared: Arc<Shared>,
}

/// A side door into a [`SimDriver`] for diagnostics and tests (the kernel's
/// dmesg, job reports, fault injection) — what a real system shows in
/// `dmesg` and debugfs.
#[derive(Clone)]
pub struct SimHandle {
    shared: Arc<Shared>,
}

impl SimDriver {
    /// A fresh device with `cfg`.
    pub fn new(cfg: SimConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::new(cfg)),
                store: Arc::new(Mutex::new(Store::default())),
            }),
        }
    }

    /// A diagnostics handle.
    pub fn handle(&self) -> SimHandle {
        SimHandle {
            shared: self.shared.clone(),
        }
    }
}

impl Default for SimDriver {
    fn default() -> Self {
        Self::new(SimConfig::default())
    }
}

impl SimHandle {
    /// Kernel log lines (VM faults, resets), oldest first.
    pub fn dmesg(&self) -> Vec<String> {
        self.shared.lock().log.clone()
    }
    /// The last finished (or failed) job.
    pub fn last_job(&self) -> Option<JobReport> {
        self.shared.lock().last_job.clone()
    }
    /// Changes the configuration (budgets, injection) of a live device.
    pub fn configure(&self, f: impl FnOnce(&mut SimConfig)) {
        f(&mut self.shared.lock().cfg)
    }
    /// GPU resets so far.
    pub fn reset_count(&self) -> u64 {
        self.shared.lock().reset_counter
    }
    /// Host bytes backing all BOs (sparse: only touched chunks).
    pub fn resident_bytes(&self) -> u64 {
        lock_store(&self.shared.store).resident_bytes()
    }
}

impl Driver for SimDriver {
    fn ioctl(&self, request: u64, arg: &mut [u8], user: &mut UserMem<'_>) -> Result<(), Errno> {
        ioctls::dispatch(&self.shared, request, arg, user)
    }

    fn mmap(&self, offset: u64, len: usize) -> Result<Box<dyn CpuMapping>, Errno> {
        let st = self.shared.lock();
        // drm_gem_mmap: the offset must name an object's node; the mapping
        // may not be larger than the object.
        let bo = st
            .bos
            .values()
            .find(|b| b.mmap_offset == offset)
            .ok_or(Errno::EINVAL)?;
        // drm_vma_node_is_allowed: only a file holding a handle may map it
        // (an object kept alive by a dma-buf alone is EACCES).
        if !st.handles.values().any(|o| *o == bo.obj) {
            return Err(Errno::EACCES);
        }
        if len == 0 || len as u64 > bo.size {
            return Err(Errno::EINVAL);
        }
        let obj = bo.obj;
        drop(st);
        lock_store(&self.shared.store).get_ref(obj);
        Ok(Box::new(SimMapping {
            store: self.shared.store.clone(),
            obj,
            len,
        }))
    }

    fn node(&self) -> String {
        "sim:0".into()
    }
}

/// A CPU mapping onto the same chunks the GPU sees.
struct SimMapping {
    store: Arc<Mutex<Store>>,
    obj: u64,
    len: usize,
}

impl CpuMapping for SimMapping {
    fn len(&self) -> usize {
        self.len
    }
    fn read(&self, offset: usize, out: &mut [u8]) -> Result<(), Errno> {
        if offset.checked_add(out.len()).is_none_or(|e| e > self.len) {
            return Err(Errno::EFAULT);
        }
        let s = lock_store(&self.store);
        let ok = s.buf(self.obj).is_some_and(|b| b.read(offset as u64, out));
        ok.then_some(()).ok_or(Errno::EFAULT)
    }
    fn write(&self, offset: usize, data: &[u8]) -> Result<(), Errno> {
        if offset.checked_add(data.len()).is_none_or(|e| e > self.len) {
            return Err(Errno::EFAULT);
        }
        let mut s = lock_store(&self.store);
        let ok = s
            .buf_mut(self.obj)
            .is_some_and(|b| b.write(offset as u64, data));
        ok.then_some(()).ok_or(Errno::EFAULT)
    }
}

impl Drop for SimMapping {
    fn drop(&mut self) {
        lock_store(&self.store).put(self.obj);
    }
}

/// Monotonic now in ns (CLOCK_MONOTONIC, the clock of every absolute timeout).
pub(crate) fn now_ns() -> u64 {
    amdgpu_kmd::abs_timeout_ns(Duration::ZERO)
}
