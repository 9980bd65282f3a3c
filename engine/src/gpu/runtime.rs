//! The device path of the engine: the embedded kernels loaded into one code BO, device
//! buffers, and programs — many dispatches recorded into ONE IB with barriers only where a
//! dispatch depends on an earlier one, submitted with ONE CS ioctl and ONE fence wait.
//!
//! The steps are those of `rocless launch` (cli/src/cmd_launch.rs): code object upload →
//! kernarg segment (loader::KernargBuilder) → user SGPRs (loader::sgpr_layout) → IB
//! (pm4::IbBuilder) → CS ioctl → WAIT_CS → read back; here for a whole batch at once, with
//! every kernarg segment in one GTT BO so that a program built once can be re-run with a few
//! kernarg fields patched (token position, KV length).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use amdgpu_kmd::{Bo, BoFlags, Context, Device, Domains, Ib, Submit, VmFlags};
use anyhow::{anyhow, bail, ensure, Context as _, Result};
use loader::{
    ArgValue, CodeObject, Dispatch, HiddenPointers, KernargBuilder, KernelDescriptor, KernelMeta,
    SgprLayout, UserSgprValues, ValueKind,
};

use super::hazard::Hazards;

/// How long one batch may run before it is called hung (the simulator runs a whole token of
/// a 135M-parameter model in seconds; amdgpu's own compute lockup timeout is 60 s).
pub const WAIT: Duration = Duration::from_secs(600);

/// Alignment of every kernarg segment in the kernarg BO (one cache line; ROCr uses 16, the
/// scalar cache line is 64 B).
const KERNARG_ALIGN: u64 = 64;

/// Bytes per CP DMA chunk of a [`Memory::VramNoCpu`] upload (DMA_DATA BYTE_COUNT has 26
/// bits).
pub const STAGING_BYTES: u64 = 16 << 20;

/// Where a buffer lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Memory {
    /// VRAM, CPU-visible (activations, KV cache: the host may read or write them).
    Vram,
    /// VRAM the CPU never maps (weights): [`Runtime::upload`] fills it with CP DMA from a
    /// GTT staging buffer, so it does not count against the 256 MiB CPU-visible window.
    VramNoCpu,
    /// System memory mapped through the GART (kernargs, IBs, fences, read-back).
    Gtt,
}

struct BufInner {
    bo: Bo,
    va: u64,
    len: u64,
}

/// A device buffer mapped into the GPU VM (reference-counted: programs keep the buffers
/// they use alive).
#[derive(Clone)]
pub struct Buffer(Arc<BufInner>);

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Buffer {{ va: {:#x}, len: {} }}", self.0.va, self.0.len)
    }
}

impl Buffer {
    /// GPU virtual address of byte 0.
    pub fn va(&self) -> u64 {
        self.0.va
    }

    /// Requested length in bytes (the BO itself is page-rounded).
    pub fn len(&self) -> u64 {
        self.0.len
    }

    /// True for a zero-length buffer.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// The buffer object.
    pub fn bo(&self) -> &Bo {
        &self.0.bo
    }

    /// Identity for dependency tracking.
    fn key(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Copies `data` into the buffer at byte `offset`.
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<()> {
        self.0.bo.write(offset, data)?;
        Ok(())
    }

    /// Reads `len` bytes at `offset`.
    pub fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        Ok(self.0.bo.read_vec(offset, len)?)
    }

    /// Writes f32 values at byte `offset`.
    pub fn write_f32(&self, offset: u64, v: &[f32]) -> Result<()> {
        self.write(offset, bytemuck::cast_slice(v))
    }

    /// Reads `n` f32 values at byte `offset`.
    pub fn read_f32(&self, offset: u64, n: usize) -> Result<Vec<f32>> {
        let b = self.read(offset, n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// Reads `n` u32 values at byte `offset`.
    pub fn read_u32(&self, offset: u64, n: usize) -> Result<Vec<u32>> {
        let b = self.read(offset, n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

/// One kernel of the embedded code objects, loaded at its GPU address.
#[derive(Debug, Clone)]
pub struct Kernel {
    /// Symbol name (without `.kd`).
    pub name: &'static str,
    /// Metadata (arguments, kernarg size, LDS).
    pub meta: KernelMeta,
    /// The 64-byte kernel descriptor (RSRC1/2/3, user-SGPR enables).
    pub desc: KernelDescriptor,
    /// GPU address of the first instruction (COMPUTE_PGM_LO/HI).
    pub entry_va: u64,
    layout: SgprLayout,
}

/// A kernel argument for [`Batch::dispatch`], in the kernel's explicit-argument order.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Pointer to the start of a buffer.
    Buf(Buffer),
    /// Pointer `offset` bytes into a buffer.
    At(Buffer, u64),
    /// `uint`.
    U32(u32),
    /// `float`.
    F32(f32),
}

/// Index of a dispatch in its [`Batch`] / [`Program`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DispatchId(pub usize);

/// The result of one [`Runtime::run`].
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Host time from the CS ioctl to the fence signalled (on the simulator: the
    /// simulated execution itself).
    pub elapsed: Duration,
    /// The simulator's job report (CP statistics, per-dispatch counters), if simulated.
    pub job: Option<sim::JobReport>,
}

impl RunReport {
    /// The sum of every dispatch's counters (simulator only).
    pub fn totals(&self) -> Option<sim::exec::DispatchCounters> {
        let job = self.job.as_ref()?;
        let mut t = sim::exec::DispatchCounters::default();
        for d in &job.stats.dispatches {
            t.accumulate(d);
        }
        Some(t)
    }
}

/// The GPU runtime over one device: kernels loaded, one context.
pub struct Runtime {
    dev: Device,
    sim: Option<sim::SimHandle>,
    target: kernels::Target,
    code: Buffer,
    kernels: HashMap<&'static str, Kernel>,
    hidden: HiddenPointers,
    ctx: Context,
    opts: pm4::RecipeOptions,
}

impl Runtime {
    /// Opens `spec` (`sim`, `auto` or a render-node path; sim::open_device) and loads the
    /// kernels.
    pub fn open(spec: &str) -> Result<Runtime> {
        let opened = sim::open_device(spec).with_context(|| format!("opening device {spec:?}"))?;
        Runtime::new(opened)
    }

    /// Loads every embedded kernel code object for the device's processor into one code BO.
    pub fn new(opened: sim::OpenedDevice) -> Result<Runtime> {
        let dev = opened.device;
        let proc_name = dev.gfx_target().ok_or_else(|| {
            anyhow!(
                "device {}: unknown chip (PCI id {:#06x}), no kernel build for it",
                dev.node(),
                dev.dev_info().device_id
            )
        })?;
        let target = kernels::Target::for_device(proc_name)?;
        // gfx11 (RDNA3) uses the pm4 recipe's gfx11 data (firmware-notes/gfx11-dispatch.md,
        // each difference from Mesa). UNTESTED ON HARDWARE: there is no gfx11 simulator and
        // no RDNA3 card has run this path. The engine's kernels use no scratch (checked
        // below), so no scratch_base_va is set.
        let gen = match target {
            kernels::Target::Gfx1010 => pm4::regs::Gen::Gfx10,
            kernels::Target::Gfx1030 => pm4::regs::Gen::Gfx103,
            kernels::Target::Gfx1100 => pm4::regs::Gen::Gfx11,
        };
        // Shader engines and CUs from the device: the CU masks of SEs past `num_se` are 0,
        // so Navi 21 (4 SEs) or Navi 31 (6) with Navi 10's default of 2 would leave CUs idle.
        let di = dev.dev_info();
        let num_se = di.num_shader_engines.clamp(1, 8);
        let opts = pm4::RecipeOptions {
            num_se,
            cu_per_se: (di.cu_active_number / num_se).max(1),
            ..pm4::RecipeOptions::for_gen(gen)
        };

        // Every code object at its own 4 KiB-aligned slot of one BO.
        let mut objects = Vec::new();
        let mut size = 0u64;
        for f in kernels::KERNEL_FILES {
            let bytes = kernels::code_object(target, f.file)
                .ok_or_else(|| anyhow!("{} has no {} build", f.file, target.name()))?;
            let co = CodeObject::parse(bytes)
                .with_context(|| format!("embedded {}/{}.hsaco", target.name(), f.file))?;
            co.check_device(&loader::Mach::from_name(proc_name)?, false)?;
            let at = size.next_multiple_of(co.image_align().max(4096));
            size = at + co.image_size();
            objects.push((f, co, at));
        }
        let code = alloc(&dev, size, Memory::Vram)?;
        let mut kernels = HashMap::new();
        for (f, co, at) in &objects {
            let img = co.load(code.va() + at)?;
            code.write(*at, &img.bytes)?;
            for name in f.kernels {
                let k = co.kernel(name)?;
                let lk = img
                    .kernel(name)
                    .ok_or_else(|| anyhow!("kernel {name} missing from its loaded image"))?;
                if k.descriptor.private_segment_fixed_size > 0 || k.descriptor.uses_dynamic_stack {
                    bail!("kernel {name} needs scratch, which the engine does not set up");
                }
                kernels.insert(
                    *name,
                    Kernel {
                        name,
                        meta: k.metadata.clone(),
                        desc: k.descriptor.clone(),
                        entry_va: lk.entry_address,
                        layout: loader::sgpr_layout(&k.descriptor, name)?,
                    },
                );
            }
        }
        // Flat apertures for the COV5 hidden arguments: what the kernel programs into
        // SH_MEM_BASES (the simulator models the same).
        let (shared, private) = (
            amdgpu_kmd::chips::SHARED_APERTURE_BASE,
            amdgpu_kmd::chips::PRIVATE_APERTURE_BASE,
        );
        let ctx = dev.create_context(0)?;
        Ok(Runtime {
            dev,
            sim: opened.sim,
            target,
            code,
            kernels,
            hidden: HiddenPointers {
                shared_base: (shared >> 32) as u32,
                private_base: (private >> 32) as u32,
                ..HiddenPointers::default()
            },
            ctx,
            opts,
        })
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.dev
    }

    /// The simulator's diagnostics handle when running on the simulator.
    pub fn sim(&self) -> Option<&sim::SimHandle> {
        self.sim.as_ref()
    }

    /// The kernel build in use.
    pub fn target(&self) -> kernels::Target {
        self.target
    }

    /// A loaded kernel by name.
    pub fn kernel(&self, name: &str) -> Result<&Kernel> {
        self.kernels
            .get(name)
            .ok_or_else(|| anyhow!("no kernel named {name} in the {} build", self.target.name()))
    }

    /// A new buffer of `len` bytes (zeroed on the simulator; on hardware only what is
    /// written is defined).
    pub fn alloc(&self, len: u64, mem: Memory) -> Result<Buffer> {
        alloc(&self.dev, len, mem)
    }

    /// A new buffer holding `data` (for [`Memory::VramNoCpu`]: copied by the CP).
    pub fn upload(&self, data: &[u8], mem: Memory) -> Result<Buffer> {
        let b = self.alloc(data.len() as u64, mem)?;
        self.write(&b, 0, data)?;
        Ok(b)
    }

    /// A new buffer holding f32 values.
    pub fn upload_f32(&self, v: &[f32], mem: Memory) -> Result<Buffer> {
        self.upload(bytemuck::cast_slice(v), mem)
    }

    /// Starts recording a batch of dispatches.
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            rt: self,
            recs: Vec::new(),
            forced: Vec::new(),
        }
    }

    /// Copies `data` into `dst` at byte `offset`: a CPU write for CPU-visible memory, CP DMA
    /// for [`Memory::VramNoCpu`].
    pub fn write(&self, dst: &Buffer, offset: u64, data: &[u8]) -> Result<()> {
        ensure!(
            offset
                .checked_add(data.len() as u64)
                .is_some_and(|e| e <= dst.len()),
            "write of {} bytes at {offset} past the end of a {}-byte buffer",
            data.len(),
            dst.len()
        );
        if dst.bo().flags().contains(BoFlags::NO_CPU_ACCESS) {
            self.dma_upload(dst, offset, data)
        } else {
            dst.write(offset, data)
        }
    }

    /// Copies `data` to `dst` at `offset` through a GTT staging buffer, one DMA_DATA
    /// (CP DMA, through L2, CP_SYNC) submission per [`STAGING_BYTES`] chunk.
    fn dma_upload(&self, dst: &Buffer, offset: u64, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let staging = self.alloc((data.len() as u64).min(STAGING_BYTES), Memory::Gtt)?;
        let fence = self.alloc(4096, Memory::Gtt)?;
        for (i, chunk) in data.chunks(STAGING_BYTES as usize).enumerate() {
            staging.write(0, chunk)?;
            let mut ib = pm4::IbBuilder::with_capacity(self.opts, 64)?;
            ib.stream()?.dma_data(pm4::builder::DmaData {
                src_sel: pm4::op::sel::DMA_SRC_ADDR_TC_L2 as u8,
                dst_sel: pm4::op::sel::DMA_DST_ADDR_TC_L2 as u8,
                cp_sync: true,
                engine_sel: 0,
                src: staging.va(),
                dst: dst.va() + offset + i as u64 * STAGING_BYTES,
                byte_count: chunk.len() as u32,
                raw_wait: false,
                dis_wc: false,
            })?;
            let ib = self.finish_ib(ib, &fence)?;
            self.submit_wait(
                &ib,
                &fence,
                &[&staging, dst, &fence],
                "weight upload (DMA_DATA)",
            )?;
        }
        Ok(())
    }

    /// Ends `ib` with the end-of-pipe fence write of 1 to `fence` and uploads it.
    fn finish_ib(&self, mut ib: pm4::IbBuilder, fence: &Buffer) -> Result<Buffer> {
        ib.fence(pm4::Fence {
            va: fence.va(),
            value: 1,
            bits64: true,
            interrupt: false,
        })?;
        self.upload(&ib.finish().to_bytes(), Memory::Gtt)
    }

    /// One CS ioctl running `ib` (which ends with a fence write to `fence`), one fence
    /// wait; checks that the fence value landed. Returns the time from submit to signalled.
    fn submit_wait(
        &self,
        ib: &Buffer,
        fence: &Buffer,
        bufs: &[&Buffer],
        what: &str,
    ) -> Result<Duration> {
        fence.write(0, &[0u8; 8])?;
        let mut bos: Vec<&Bo> = vec![ib.bo(), fence.bo()];
        bos.extend(
            bufs.iter()
                .filter(|b| b.key() != ib.key() && b.key() != fence.key())
                .map(|b| b.bo()),
        );
        let ibs = [Ib::new(ib.va(), ib.len() as u32)];
        let t0 = Instant::now();
        let f = self.ctx.submit(&Submit::compute(&ibs, &bos))?;
        let cause = || {
            self.sim
                .as_ref()
                .and_then(|h| h.last_job())
                .and_then(|j| j.result.err())
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        };
        match f.wait(WAIT) {
            Ok(true) => {}
            Ok(false) => bail!("{what} did not finish within {WAIT:?}"),
            Err(e) => bail!("{what} failed ({e}){}", cause()),
        }
        let elapsed = t0.elapsed();
        ensure!(
            fence.read(0, 8)? == 1u64.to_le_bytes(),
            "{what} completed but its RELEASE_MEM fence was not written"
        );
        Ok(elapsed)
    }

    /// Submits `p` (one CS ioctl), waits for its fence, and checks it signalled.
    pub fn run(&self, p: &Program) -> Result<RunReport> {
        let bufs: Vec<&Buffer> = p.bos.iter().collect();
        let what = format!("batch of {} dispatches", p.slots.len());
        let elapsed = self.submit_wait(&p.ib, &p.fence, &bufs, &what)?;
        Ok(RunReport {
            elapsed,
            job: self.sim.as_ref().and_then(|h| h.last_job()),
        })
    }
}

fn alloc(dev: &Device, len: u64, mem: Memory) -> Result<Buffer> {
    let (domains, flags) = match mem {
        Memory::Vram => (Domains::VRAM, BoFlags::CPU_ACCESS_REQUIRED),
        Memory::VramNoCpu => (Domains::VRAM, BoFlags::NO_CPU_ACCESS),
        Memory::Gtt => (Domains::GTT, BoFlags::empty()),
    };
    let bo = dev
        .create_bo(len.max(4), domains, flags)
        .with_context(|| format!("allocating a {len}-byte {mem:?} buffer"))?;
    let va = bo.map_gpu(VmFlags::RWX)?;
    Ok(Buffer(Arc::new(BufInner { bo, va, len })))
}

/// One recorded dispatch.
struct Rec<'rt> {
    kernel: &'rt Kernel,
    grid: [u32; 3],
    kernarg: loader::Kernarg,
    reads: Vec<usize>,
    writes: Vec<usize>,
    bufs: Vec<Buffer>,
}

/// Dispatches being recorded; [`Batch::finish`] turns them into a [`Program`].
pub struct Batch<'rt> {
    rt: &'rt Runtime,
    recs: Vec<Rec<'rt>>,
    /// Indices of dispatches preceded by an explicit barrier.
    forced: Vec<usize>,
}

impl<'rt> Batch<'rt> {
    /// Records `kernel` over `grid` workgroups (block = kernels::WORKGROUP_SIZE) with its
    /// explicit arguments in order. Pointer arguments the kernel declares `const` are reads,
    /// others writes; a barrier is inserted before the dispatch when it depends on one
    /// recorded since the last barrier.
    pub fn dispatch(&mut self, kernel: &str, grid: [u32; 3], args: &[Arg]) -> Result<DispatchId> {
        let k = self.rt.kernel(kernel)?;
        let explicit: Vec<&loader::ArgMeta> = k
            .meta
            .args
            .iter()
            .filter(|a| !a.value_kind.is_hidden())
            .collect();
        ensure!(
            explicit.len() == args.len(),
            "{kernel}: {} arguments given, the kernel takes {}",
            args.len(),
            explicit.len()
        );
        let mut kb = KernargBuilder::new(&k.meta);
        let (mut reads, mut writes, mut bufs) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (a, m)) in args.iter().zip(&explicit).enumerate() {
            let v = match a {
                Arg::Buf(b) | Arg::At(b, _) => {
                    ensure!(
                        m.value_kind == ValueKind::GlobalBuffer,
                        "{kernel}: argument {i} is {}, not a buffer",
                        m.value_kind.as_str()
                    );
                    let off = if let Arg::At(_, o) = a { *o } else { 0 };
                    ensure!(
                        off <= b.len(),
                        "{kernel}: argument {i}: offset {off} past the end of a {}-byte buffer",
                        b.len()
                    );
                    if m.is_const {
                        reads.push(b.key());
                    } else {
                        writes.push(b.key());
                    }
                    bufs.push(b.clone());
                    ArgValue::Pointer(b.va() + off)
                }
                Arg::U32(v) => ArgValue::u32(*v),
                Arg::F32(v) => ArgValue::f32(*v),
            };
            kb.push(v)
                .with_context(|| format!("{kernel}: argument {i}"))?;
        }
        kb.dispatch(Dispatch::from_workgroups(
            grid,
            [kernels::WORKGROUP_SIZE, 1, 1],
        )?);
        kb.pointers(self.rt.hidden);
        let kernarg = kb.build().with_context(|| format!("{kernel}: kernarg"))?;
        self.recs.push(Rec {
            kernel: k,
            grid,
            kernarg,
            reads,
            writes,
            bufs,
        });
        Ok(DispatchId(self.recs.len() - 1))
    }

    /// Forces a barrier before the next dispatch (dependencies through buffers are found
    /// automatically; this is for ones the arguments do not show).
    pub fn barrier(&mut self) {
        self.forced.push(self.recs.len());
    }

    /// Number of dispatches recorded.
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// Lays out the kernargs in one GTT BO, builds the IB (barriers where needed, an
    /// end-of-pipe fence last) and uploads it.
    pub fn finish(self) -> Result<Program> {
        let rt = self.rt;
        ensure!(!self.recs.is_empty(), "empty batch");
        let mut offsets = Vec::with_capacity(self.recs.len());
        let mut ka_size = 0u64;
        for r in &self.recs {
            let at = ka_size.next_multiple_of(KERNARG_ALIGN.max(u64::from(r.kernarg.align)));
            offsets.push(at);
            ka_size = at + r.kernarg.bytes.len() as u64 + u64::from(kernels::KERNARG_SLACK);
        }
        let kernarg = rt.alloc(ka_size, Memory::Gtt)?;
        let mut ka_bytes = vec![0u8; ka_size as usize];
        for (r, &at) in self.recs.iter().zip(&offsets) {
            ka_bytes[at as usize..at as usize + r.kernarg.bytes.len()]
                .copy_from_slice(&r.kernarg.bytes);
        }
        kernarg.write(0, &ka_bytes)?;
        let fence = rt.alloc(4096, Memory::Gtt)?;

        let mut ib = pm4::IbBuilder::with_capacity(rt.opts, 64 + self.recs.len() * 56)?;
        let mut hz = Hazards::default();
        let mut barriers = 0;
        let mut slots = Vec::with_capacity(self.recs.len());
        for (i, (r, &at)) in self.recs.iter().zip(&offsets).enumerate() {
            if i > 0 && (self.forced.contains(&i) || hz.conflicts(&r.reads, &r.writes)) {
                ib.barrier()?;
                hz.clear();
                barriers += 1;
            }
            hz.record(&r.reads, &r.writes);
            let d = &r.kernel.desc;
            let user_sgprs = r.kernel.layout.user_data(&UserSgprValues {
                kernarg_ptr: kernarg.va() + at,
                kernarg: r.kernarg.bytes.clone(),
                ..Default::default()
            });
            ib.dispatch(&pm4::DispatchDesc {
                pgm_va: r.kernel.entry_va,
                rsrc1: d.rsrc1,
                rsrc2: d.rsrc2,
                rsrc3: d.rsrc3,
                user_sgprs,
                grid: r.grid,
                block: [kernels::WORKGROUP_SIZE, 1, 1],
                wave32: d.wave32,
                lds_bytes: r.kernarg.lds_bytes,
                scratch: None,
            })
            .with_context(|| format!("dispatch {i} ({})", r.kernel.name))?;
            slots.push(Slot {
                kernel: r.kernel.name,
                kernarg_off: at,
                args: r
                    .kernel
                    .meta
                    .args
                    .iter()
                    .filter(|a| !a.value_kind.is_hidden())
                    .map(|a| (a.offset, a.size, a.value_kind == ValueKind::GlobalBuffer))
                    .collect(),
            });
        }
        let ib_buf = rt.finish_ib(ib, &fence)?;

        let mut seen = HashSet::new();
        let mut bos = Vec::new();
        for b in [&rt.code, &kernarg, &fence, &ib_buf]
            .into_iter()
            .chain(self.recs.iter().flat_map(|r| r.bufs.iter()))
        {
            if seen.insert(b.key()) {
                bos.push(b.clone());
            }
        }
        Ok(Program {
            ib: ib_buf,
            kernarg,
            fence,
            bos,
            slots,
            barriers,
        })
    }
}

/// Where one dispatch's kernarg segment sits and its explicit arguments' (offset, size,
/// is-pointer).
#[derive(Debug, Clone)]
struct Slot {
    kernel: &'static str,
    kernarg_off: u64,
    args: Vec<(u32, u32, bool)>,
}

/// A built batch: the IB, its kernargs, and every buffer it touches. Run it with
/// [`Runtime::run`] as often as needed; between runs, `set_*` patch kernarg fields in place
/// (the IB itself never changes).
pub struct Program {
    ib: Buffer,
    kernarg: Buffer,
    fence: Buffer,
    bos: Vec<Buffer>,
    slots: Vec<Slot>,
    barriers: usize,
}

impl Program {
    /// Dispatches in the IB.
    pub fn dispatches(&self) -> usize {
        self.slots.len()
    }

    /// Barriers (CS_PARTIAL_FLUSH + cache invalidate) between them.
    pub fn barriers(&self) -> usize {
        self.barriers
    }

    /// IB size in bytes.
    pub fn ib_bytes(&self) -> u64 {
        self.ib.len()
    }

    /// Kernarg bytes (all segments with their slack).
    pub fn kernarg_bytes(&self) -> u64 {
        self.kernarg.len()
    }

    /// Buffer objects referenced by the submission.
    pub fn bo_count(&self) -> usize {
        self.bos.len()
    }

    /// The kernel of dispatch `d`.
    pub fn kernel_of(&self, d: DispatchId) -> Option<&'static str> {
        self.slots.get(d.0).map(|s| s.kernel)
    }

    /// The simulator's counters of a run of this program summed per kernel:
    /// (kernel, dispatches, counters), most instructions first.
    pub fn per_kernel(
        &self,
        rep: &RunReport,
    ) -> Vec<(&'static str, usize, sim::exec::DispatchCounters)> {
        let mut by: Vec<(&'static str, usize, sim::exec::DispatchCounters)> = Vec::new();
        let Some(job) = &rep.job else {
            return by;
        };
        for (slot, c) in self.slots.iter().zip(&job.stats.dispatches) {
            match by.iter_mut().find(|(k, _, _)| *k == slot.kernel) {
                Some((_, n, t)) => {
                    *n += 1;
                    t.accumulate(c);
                }
                None => {
                    let mut t = sim::exec::DispatchCounters::default();
                    t.accumulate(c);
                    by.push((slot.kernel, 1, t));
                }
            }
        }
        by.sort_by_key(|(_, _, t)| std::cmp::Reverse(t.total_instructions()));
        by
    }

    fn field(&self, d: DispatchId, arg: usize, pointer: bool, size: u32) -> Result<u64> {
        let s = self
            .slots
            .get(d.0)
            .ok_or_else(|| anyhow!("no dispatch {} in the program", d.0))?;
        let &(off, sz, is_ptr) = s
            .args
            .get(arg)
            .ok_or_else(|| anyhow!("{}: no argument {arg}", s.kernel))?;
        ensure!(
            is_ptr == pointer && sz == size,
            "{}: argument {arg} is not a {}",
            s.kernel,
            if pointer { "buffer" } else { "4-byte scalar" }
        );
        Ok(s.kernarg_off + u64::from(off))
    }

    /// Sets `uint` argument `arg` of dispatch `d` for the next run.
    pub fn set_u32(&self, d: DispatchId, arg: usize, v: u32) -> Result<()> {
        let at = self.field(d, arg, false, 4)?;
        self.kernarg.write(at, &v.to_le_bytes())
    }

    /// Sets `float` argument `arg` of dispatch `d` for the next run.
    pub fn set_f32(&self, d: DispatchId, arg: usize, v: f32) -> Result<()> {
        let at = self.field(d, arg, false, 4)?;
        self.kernarg.write(at, &v.to_le_bytes())
    }

    /// Points buffer argument `arg` of dispatch `d` at `offset` bytes into `buf`, which must
    /// already be one of the program's buffers (the BO list and the barriers were derived
    /// from them) — e.g. the row of the KV cache the current token writes.
    pub fn set_ptr(&self, d: DispatchId, arg: usize, buf: &Buffer, offset: u64) -> Result<()> {
        let at = self.field(d, arg, true, 8)?;
        ensure!(
            self.bos.iter().any(|b| b.key() == buf.key()),
            "set_ptr: the buffer is not used by this program"
        );
        ensure!(
            offset <= buf.len(),
            "set_ptr: offset {offset} past the end of a {}-byte buffer",
            buf.len()
        );
        self.kernarg.write(at, &(buf.va() + offset).to_le_bytes())
    }
}
