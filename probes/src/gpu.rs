//! A minimal runtime over amdgpu-kmd + loader + pm4: buffers, one-IB
//! submissions and kernel launches (the DESIGN.md submission recipe: code BO
//! in VRAM, kernarg BO in GTT, IB BO in GTT, all VA-mapped, one IB built by
//! `pm4::IbBuilder`, CS ioctl with a BO list, WAIT_CS).

use amdgpu_kmd::{Bo, BoFlags, Context as GpuContext, Device, Domains, Ib, Submit, VmFlags};
use anyhow::{anyhow, bail, Context};
use loader::{ArgValue, CodeObject, Dispatch, KernargBuilder, UserSgprValues};
use pm4::{DispatchDesc, IbBuilder, RecipeOptions};
use std::time::{Duration, Instant};

/// How long a probe waits for a fence before calling the job hung.
pub const FENCE_TIMEOUT: Duration = Duration::from_secs(60);

/// A BO of `size` bytes in `domains`, CPU-visible and VA-mapped RWX.
pub fn buffer(dev: &Device, size: u64, domains: Domains) -> anyhow::Result<Bo> {
    let flags = if domains.contains(Domains::VRAM) {
        BoFlags::CPU_ACCESS_REQUIRED
    } else {
        BoFlags::CPU_GTT_USWC
    };
    let bo = dev
        .create_bo(size.max(4), domains, flags)
        .with_context(|| format!("GEM_CREATE {size} bytes in {domains:?}"))?;
    bo.map_gpu(VmFlags::RWX).context("GEM_VA map")?;
    Ok(bo)
}

/// A GTT buffer holding `data`.
pub fn upload(dev: &Device, data: &[u8]) -> anyhow::Result<Bo> {
    let bo = buffer(dev, data.len() as u64, Domains::GTT)?;
    bo.write(0, data).context("BO write")?;
    Ok(bo)
}

/// GPU VA of a mapped BO.
pub fn va(bo: &Bo) -> anyhow::Result<u64> {
    bo.gpu_va()
        .ok_or_else(|| anyhow!("BO {} is not VA-mapped", bo.handle()))
}

/// Submits one IB (`dwords`) on the compute ring referencing `bos`, waits
/// for its fence and checks the context was not reset. Returns the time
/// from the CS ioctl to the signalled fence.
pub fn run_ib(ctx: &GpuContext, dwords: &[u32], bos: &[&Bo]) -> anyhow::Result<Duration> {
    let dev = ctx.device();
    let bytes: Vec<u8> = dwords.iter().flat_map(|d| d.to_le_bytes()).collect();
    let ib = upload(dev, &bytes)?;
    let mut all: Vec<&Bo> = bos.to_vec();
    all.push(&ib);
    let ibs = [Ib::new(va(&ib)?, bytes.len() as u32)];
    let t0 = Instant::now();
    let fence = ctx
        .submit(&Submit::compute(&ibs, &all))
        .context("CS submit")?;
    let done = fence.wait(FENCE_TIMEOUT).context("WAIT_CS")?;
    let elapsed = t0.elapsed();
    if !done {
        bail!(
            "fence {} did not signal within {FENCE_TIMEOUT:?}",
            fence.seq()
        );
    }
    let st = ctx.query_state2().context("CTX query_state2")?;
    if st.reset() || st.guilty() || st.vram_lost() {
        bail!(
            "context reset after the job (flags {:#x}: reset {}, guilty {}, vram lost {})",
            st.flags,
            st.reset(),
            st.guilty(),
            st.vram_lost()
        );
    }
    Ok(elapsed)
}

/// One explicit kernel argument.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    /// A buffer: its VA is passed.
    Buf(&'a Bo),
    /// A `uint`.
    U32(u32),
    /// A `float`.
    F32(f32),
}

/// A kernel ready to launch: its code object loaded into a VRAM BO.
pub struct Kernel {
    co: CodeObject,
    name: String,
    code: Bo,
    entry: u64,
    descriptor: u64,
}

impl Kernel {
    /// Parses `hsaco`, checks it targets gfx1010-compatible hardware, loads
    /// it at a fresh VA and writes the relocated image.
    pub fn load(dev: &Device, hsaco: &[u8], name: &str) -> anyhow::Result<Self> {
        let co = CodeObject::parse(hsaco).with_context(|| format!("code object of {name}"))?;
        let k = co.kernel(name)?;
        let _ = k;
        let size = co.image_size().max(256);
        let code = buffer(dev, size, Domains::VRAM)?;
        let base = va(&code)?;
        if base % co.image_align() != 0 {
            bail!("code VA {base:#x} not aligned to {:#x}", co.image_align());
        }
        let img = co.load(base)?;
        code.write(0, &img.bytes).context("code upload")?;
        let lk = img
            .kernel(name)
            .ok_or_else(|| anyhow!("kernel {name} missing from the load image"))?;
        let (entry, descriptor) = (lk.entry_address, lk.descriptor_address);
        Ok(Self {
            co,
            name: name.to_string(),
            code,
            entry,
            descriptor,
        })
    }

    /// Wave size the code was compiled for.
    pub fn wave_size(&self) -> u32 {
        self.co
            .kernel(&self.name)
            .map(|k| k.descriptor.wave_size())
            .unwrap_or(32)
    }

    /// Launches `grid` workgroups of `block` work-items with `args`; waits
    /// for completion. Returns the CS-to-fence time.
    pub fn launch(
        &self,
        ctx: &GpuContext,
        args: &[Arg<'_>],
        grid: [u32; 3],
        block: [u32; 3],
    ) -> anyhow::Result<Duration> {
        let dev = ctx.device();
        let k = self.co.kernel(&self.name)?;
        let mut kb = KernargBuilder::new(&k.metadata);
        let mut bufs: Vec<&Bo> = vec![&self.code];
        for a in args {
            match *a {
                Arg::Buf(b) => {
                    kb.push(ArgValue::Pointer(va(b)?))?;
                    bufs.push(b);
                }
                Arg::U32(v) => {
                    kb.push(ArgValue::u32(v))?;
                }
                Arg::F32(v) => {
                    kb.push(ArgValue::f32(v))?;
                }
            }
        }
        kb.dispatch(Dispatch::from_workgroups(grid, block)?);
        let ka = kb.build()?;
        // The kernarg BO also carries the AQL dispatch packet, which code
        // reading the dispatch pointer (e.g. `__builtin_amdgcn_grid_size_x`)
        // expects — there is no HSA runtime to write one.
        let pkt_off = ka.bytes.len().next_multiple_of(64);
        let kernarg = buffer(dev, (pkt_off + 64) as u64, Domains::GTT)?;
        let ka_va = va(&kernarg)?;
        let mut items = [0u32; 3];
        for i in 0..3 {
            items[i] = grid[i]
                .checked_mul(block[i])
                .ok_or_else(|| anyhow!("grid {grid:?} x block {block:?} overflows"))?;
        }
        let block16 = block.map(|b| b.min(u32::from(u16::MAX)) as u16);
        let dims = if grid[2] * block[2] > 1 {
            3
        } else if grid[1] * block[1] > 1 {
            2
        } else {
            1
        };
        let pkt = loader::aql::dispatch_packet(
            dims,
            block16,
            items,
            0,
            ka.lds_bytes,
            self.descriptor,
            ka_va,
        );
        kernarg.write(0, &ka.bytes).context("kernarg upload")?;
        kernarg
            .write(pkt_off as u64, &pkt)
            .context("dispatch packet upload")?;
        let layout = loader::sgpr_layout(&k.descriptor, &self.name)?;
        let user_sgprs = layout.user_data(&UserSgprValues {
            kernarg_ptr: ka_va,
            dispatch_ptr: ka_va + pkt_off as u64,
            kernarg: ka.bytes.clone(),
            ..Default::default()
        });
        let d = &k.descriptor;
        if d.private_segment_fixed_size != 0 || d.scratch_en {
            bail!(
                "kernel {} needs scratch, which the probes do not set up",
                self.name
            );
        }
        let desc = DispatchDesc {
            pgm_va: self.entry,
            rsrc1: d.rsrc1,
            rsrc2: d.rsrc2,
            rsrc3: d.rsrc3,
            user_sgprs,
            grid,
            block,
            wave32: d.wave32,
            lds_bytes: ka.lds_bytes,
            scratch: None,
        };
        let mut ib = IbBuilder::with_capacity(RecipeOptions::default(), 256)?;
        ib.dispatch(&desc)?;
        ib.barrier()?;
        let cs = ib.finish();
        bufs.push(&kernarg);
        run_ib(ctx, cs.as_slice(), &bufs).with_context(|| format!("kernel {}", self.name))
    }
}

/// f32 slice to bytes.
pub fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Reads `n` f32 from a BO.
pub fn read_f32(bo: &Bo, n: usize) -> anyhow::Result<Vec<f32>> {
    let b = bo.read_vec(0, n * 4).context("BO read")?;
    Ok(b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// Largest |a-b| / max(1, |b|) over two equally long slices.
pub fn max_rel_err(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f32::max)
}
