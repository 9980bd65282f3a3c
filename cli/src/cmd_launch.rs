//! `rocless launch SPEC.json [--device sim|auto|PATH] --out DIR [--json]
//! [--dump-ib FILE] [--trace FILE]`: runs one kernel once (DESIGN.md).
//!
//! Built only on the driver-agnostic Device API (amdgpu-kmd), the loader
//! (code object, kernarg, user SGPRs) and the pm4 dispatch recipe; the
//! simulator handle is used only for counters, traces and fault details.

use std::path::{Path, PathBuf};
use std::time::Duration;

use amdgpu_kmd::{Bo, BoFlags, Device, Domains, Ib, Submit, VmFlags};
use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args, Subcommand};
use loader::{ArgValue, CodeObject, Dispatch, HiddenPointers, KernargBuilder, UserSgprValues};
use serde_json::{json, Value};

#[derive(Subcommand)]
pub enum Cmd {
    /// Run one kernel once from a JSON spec
    Launch(LaunchArgs),
}

#[derive(Args)]
pub struct LaunchArgs {
    /// The launch spec (JSON)
    spec: PathBuf,
    /// sim | auto | render-node path
    #[arg(long, default_value = "auto")]
    device: String,
    /// Directory for argK.bin outputs
    #[arg(long)]
    out: PathBuf,
    /// Print one JSON object with status and counters
    #[arg(long)]
    json: bool,
    /// Write the IB that was submitted
    #[arg(long)]
    dump_ib: Option<PathBuf>,
    /// Write an instruction trace of wave 0 (simulator only)
    #[arg(long)]
    trace: Option<PathBuf>,
}

pub fn run(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Launch(a) => launch(&a),
    }
}

/// How long to wait for the job before calling it a timeout.
const WAIT: Duration = Duration::from_secs(120);

fn dims(v: &Value, what: &str) -> Result<[u32; 3]> {
    let a = v
        .as_array()
        .filter(|a| (1..=3).contains(&a.len()))
        .ok_or_else(|| anyhow!("spec: \"{what}\" must be an array of 1 to 3 integers"))?;
    let mut d = [1u32; 3];
    for (i, x) in a.iter().enumerate() {
        d[i] = x
            .as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .filter(|x| *x > 0)
            .ok_or_else(|| anyhow!("spec: \"{what}\"[{i}] must be a positive integer"))?;
    }
    Ok(d)
}

fn map_bo(dev: &Device, size: u64, domains: Domains, flags: BoFlags) -> Result<(Bo, u64)> {
    let bo = dev.create_bo(size.max(4), domains, flags)?;
    let va = bo.map_gpu(VmFlags::RWX)?;
    Ok((bo, va))
}

/// One spec argument turned into a kernarg value (and maybe a buffer).
fn scalar(kind: &str, v: &Value, k: usize) -> Result<ArgValue> {
    let bad = || anyhow!("spec: args[{k}]: bad {kind} value {v}");
    let int = || {
        v.as_i64()
            .map(i128::from)
            .or(v.as_u64().map(i128::from))
            .ok_or_else(bad)
    };
    Ok(match kind {
        "u8" => ArgValue::u8(u8::try_from(int()?).map_err(|_| bad())?),
        "i8" => ArgValue::i8(i8::try_from(int()?).map_err(|_| bad())?),
        "u16" => ArgValue::u16(u16::try_from(int()?).map_err(|_| bad())?),
        "i16" => ArgValue::i16(i16::try_from(int()?).map_err(|_| bad())?),
        "u32" => ArgValue::u32(u32::try_from(int()?).map_err(|_| bad())?),
        "i32" => ArgValue::i32(i32::try_from(int()?).map_err(|_| bad())?),
        "u64" => ArgValue::u64(u64::try_from(int()?).map_err(|_| bad())?),
        "i64" => ArgValue::i64(i64::try_from(int()?).map_err(|_| bad())?),
        "f32" => ArgValue::f32(v.as_f64().ok_or_else(bad)? as f32),
        "f64" => ArgValue::f64(v.as_f64().ok_or_else(bad)?),
        _ => bail!("spec: args[{k}]: unknown kind \"{kind}\""),
    })
}

fn hex(s: &str, k: usize) -> Result<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("spec: args[{k}]: \"bytes\" must be an even-length hex string");
    }
    Ok((0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
        .collect())
}

fn launch(a: &LaunchArgs) -> Result<()> {
    let spec_text = std::fs::read_to_string(&a.spec)
        .with_context(|| format!("reading spec {}", a.spec.display()))?;
    let spec: Value = serde_json::from_str(&spec_text)
        .with_context(|| format!("parsing spec {}", a.spec.display()))?;
    let base = a.spec.parent().unwrap_or(Path::new("."));
    let co_path = base.join(
        spec["code_object"]
            .as_str()
            .ok_or_else(|| anyhow!("spec: missing \"code_object\""))?,
    );
    let kname = spec["kernel"]
        .as_str()
        .ok_or_else(|| anyhow!("spec: missing \"kernel\""))?;
    let grid = dims(&spec["grid"], "grid")?;
    let block = dims(&spec["block"], "block")?;
    let args = spec["args"].as_array().cloned().unwrap_or_default();

    let co_bytes = std::fs::read(&co_path)
        .with_context(|| format!("reading code object {}", co_path.display()))?;
    let co = CodeObject::parse(&co_bytes)
        .with_context(|| format!("code object {}", co_path.display()))?;
    let k = co.kernel(kname)?;
    let desc = &k.descriptor;
    if desc.uses_dynamic_stack {
        bail!(
            "kernel {} uses a dynamic stack (recursion or alloca of unknown size): its scratch \
             size is not known, launch cannot size the scratch buffer",
            k.name
        );
    }

    let opened = sim::open_device(&a.device)?;
    if a.device == "auto" {
        if let Some(n) = opened.notice() {
            eprintln!("{n}");
        }
    }
    // The code object must suit the device, simulated or not (the simulated Navi 10 refuses
    // gfx1030 code as the hardware would).
    if let Some(t) = opened.device.gfx_target() {
        co.check_device(&loader::Mach::from_name(t)?, false)?;
    }
    if let (Some(h), Some(_)) = (&opened.sim, &a.trace) {
        h.configure(|c| c.trace_wave = Some(0));
    }
    let dev = &opened.device;

    // Code: VRAM, CPU-visible for the upload.
    let img_size = co.image_size();
    let (code_bo, code_va) = map_bo(dev, img_size, Domains::VRAM, BoFlags::CPU_ACCESS_REQUIRED)?;
    let img = co.load(code_va)?;
    code_bo.write(0, &img.bytes)?;
    let lk = img
        .kernel(&k.name)
        .ok_or_else(|| anyhow!("kernel {} missing from the loaded image", k.name))?;

    // Arguments.
    let mut kb = KernargBuilder::new(&k.metadata);
    let mut buffers: Vec<(usize, Bo)> = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let obj = arg
            .as_object()
            .filter(|o| o.len() == 1)
            .ok_or_else(|| anyhow!("spec: args[{i}] must be an object with one key"))?;
        let (kind, v) = obj.iter().next().expect("one key");
        let value = match kind.as_str() {
            "buffer" => {
                let p =
                    base.join(v.as_str().ok_or_else(|| {
                        anyhow!("spec: args[{i}]: \"buffer\" must be a file name")
                    })?);
                let data = std::fs::read(&p)
                    .with_context(|| format!("args[{i}]: reading {}", p.display()))?;
                let (bo, va) = map_bo(dev, data.len() as u64, Domains::GTT, BoFlags::empty())?;
                bo.write(0, &data)?;
                buffers.push((i, bo));
                ArgValue::Pointer(va)
            }
            "zeros" => {
                let n = v
                    .as_u64()
                    .ok_or_else(|| anyhow!("spec: args[{i}]: \"zeros\" must be a byte count"))?;
                let (bo, va) = map_bo(dev, n, Domains::GTT, BoFlags::empty())?;
                buffers.push((i, bo));
                ArgValue::Pointer(va)
            }
            "lds" => ArgValue::DynamicLds(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| anyhow!("spec: args[{i}]: \"lds\" must be a byte count"))?,
            ),
            "bytes" => ArgValue::Bytes(hex(
                v.as_str()
                    .ok_or_else(|| anyhow!("spec: args[{i}]: \"bytes\" must be a hex string"))?,
                i,
            )?),
            other => scalar(other, v, i)?,
        };
        kb.push(value).with_context(|| format!("spec: args[{i}]"))?;
    }
    kb.dispatch(Dispatch::from_workgroups(grid, block)?);
    // Flat apertures for the COV5 hidden args: the kernel's SH_MEM_BASES
    // (gmc_v10_0_early_init), which the simulator models too.
    let (shared, private) = (
        amdgpu_kmd::chips::SHARED_APERTURE_BASE,
        amdgpu_kmd::chips::PRIVATE_APERTURE_BASE,
    );
    kb.pointers(HiddenPointers {
        shared_base: (shared >> 32) as u32,
        private_base: (private >> 32) as u32,
        ..HiddenPointers::default()
    });
    let ka = kb.build()?;
    let (ka_bo, ka_va) = map_bo(dev, ka.bytes.len() as u64, Domains::GTT, BoFlags::empty())?;
    ka_bo.write(0, &ka.bytes)?;

    let scratch = scratch_buffer(dev, desc, grid, block)?;
    let layout = loader::sgpr_layout(desc, &k.name)?;
    let user_sgprs = layout.user_data(&UserSgprValues {
        kernarg_ptr: ka_va,
        kernarg: ka.bytes.clone(),
        private_segment_buffer: scratch
            .as_ref()
            .map_or([0; 4], |s| pm4::scratch_rsrc(s.va, desc.wave32)),
        flat_scratch_init: scratch.as_ref().map_or(0, |s| s.va),
        private_segment_size: desc.private_segment_fixed_size,
        ..Default::default()
    });

    // Fence BO and the IB.
    let (fence_bo, fence_va) = map_bo(dev, 4096, Domains::GTT, BoFlags::empty())?;
    let mut ib = pm4::IbBuilder::with_capacity(pm4::RecipeOptions::default(), 256)?;
    ib.dispatch(&pm4::DispatchDesc {
        pgm_va: lk.entry_address,
        rsrc1: desc.rsrc1,
        rsrc2: desc.rsrc2,
        rsrc3: desc.rsrc3,
        user_sgprs,
        grid,
        block,
        wave32: desc.wave32,
        lds_bytes: ka.lds_bytes,
        scratch: scratch.as_ref().map(|s| s.setup),
    })?;
    ib.fence(pm4::Fence {
        va: fence_va,
        value: 1,
        bits64: true,
        interrupt: false,
    })?;
    let ib_bytes = ib.finish().to_bytes();
    if let Some(p) = &a.dump_ib {
        std::fs::write(p, &ib_bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    let (ib_bo, ib_va) = map_bo(dev, ib_bytes.len() as u64, Domains::GTT, BoFlags::empty())?;
    ib_bo.write(0, &ib_bytes)?;

    let ctx = dev.create_context(0)?;
    let mut bos: Vec<&Bo> = vec![&code_bo, &ka_bo, &fence_bo, &ib_bo];
    bos.extend(buffers.iter().map(|(_, b)| b));
    bos.extend(scratch.as_ref().map(|s| &s.bo));
    let ibs = [Ib::new(ib_va, ib_bytes.len() as u32)];
    let fence = ctx.submit(&Submit::compute(&ibs, &bos))?;
    let cause = || {
        opened
            .sim
            .as_ref()
            .and_then(|h| h.last_job())
            .and_then(|j| j.result.err())
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    };
    match fence.wait(WAIT) {
        Ok(true) => {}
        Ok(false) => bail!("kernel {} did not finish within {WAIT:?}", k.name),
        Err(e) => bail!("kernel {} failed ({e}){}", k.name, cause()),
    }
    let mut done = [0u8; 8];
    fence_bo.read(0, &mut done)?;
    if u64::from_le_bytes(done) != 1 {
        bail!(
            "kernel {}: the job completed but its RELEASE_MEM fence was not written",
            k.name
        );
    }

    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    for (i, bo) in &buffers {
        let bytes = bo.read_vec(0, bo.size() as usize)?;
        let len = match &args[*i] {
            Value::Object(o) => match (o.get("zeros"), o.get("buffer")) {
                (Some(n), _) => n.as_u64().unwrap_or(0) as usize,
                (_, Some(f)) => std::fs::metadata(base.join(f.as_str().unwrap_or("")))
                    .map(|m| m.len() as usize)
                    .unwrap_or(bytes.len()),
                _ => bytes.len(),
            },
            _ => bytes.len(),
        };
        let p = a.out.join(format!("arg{i}.bin"));
        std::fs::write(&p, &bytes[..len.min(bytes.len())])
            .with_context(|| format!("writing {}", p.display()))?;
    }

    let job = opened.sim.as_ref().and_then(|h| h.last_job());
    let mut total = sim::exec::DispatchCounters::default();
    if let Some(j) = &job {
        for c in &j.stats.dispatches {
            total.accumulate(c);
        }
    }
    if let Some(p) = &a.trace {
        // The traced wave (flat index 0) belongs to the first dispatch.
        let lines: Vec<String> = job
            .iter()
            .flat_map(|j| j.stats.dispatches.iter())
            .flat_map(|d| d.trace.iter())
            .map(|t| t.to_line())
            .collect();
        if opened.sim.is_none() {
            bail!("--trace needs the simulator (--device sim)");
        }
        std::fs::write(p, lines.join("\n") + "\n")
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if a.json {
        let mut counters = serde_json::Map::new();
        if job.is_some() {
            for (name, n) in sim::exec::CLASS_NAMES.iter().zip(total.instructions) {
                counters.insert(format!("inst_{name}"), json!(n));
            }
            counters.insert("instructions".into(), json!(total.total_instructions()));
            counters.insert("lane_ops".into(), json!(total.lane_ops()));
            counters.insert("valu_utilisation".into(), json!(total.valu_utilisation()));
            counters.insert("global_bytes_read".into(), json!(total.global_bytes_read));
            counters.insert(
                "global_bytes_written".into(),
                json!(total.global_bytes_written),
            );
            counters.insert(
                "global_dram_bytes_read".into(),
                json!(total.global_dram_bytes_read),
            );
            counters.insert("scalar_bytes_read".into(), json!(total.scalar_bytes_read));
            counters.insert("scratch_bytes_read".into(), json!(total.scratch_bytes_read));
            counters.insert(
                "scratch_bytes_written".into(),
                json!(total.scratch_bytes_written),
            );
            counters.insert("lds_ops".into(), json!(total.lds_ops));
            counters.insert("barriers".into(), json!(total.barriers));
            counters.insert("waves".into(), json!(total.waves));
            counters.insert("workgroups".into(), json!(total.workgroups));
        }
        println!(
            "{}",
            json!({
                "kernel": k.name,
                "grid": grid,
                "block": block,
                "wave_size": desc.wave_size(),
                "status": "ok",
                "device": dev.node(),
                "counters": counters,
            })
        );
    }
    Ok(())
}

/// A dispatch's scratch (private segment) buffer.
struct Scratch {
    bo: Bo,
    va: u64,
    setup: pm4::ScratchSetup,
}

/// Scratch for a kernel with `private_segment_fixed_size > 0`: one slot of
/// `size × wave size` bytes (1 KiB units, TMPRING_SIZE.WAVESIZE) per wave that may hold
/// scratch at once — the grid's waves, capped like radeonsi at 32 per CU and at
/// TMPRING_SIZE.WAVES' 4095 (`si_get_max_scratch_waves`-style sizing). `None` without
/// scratch.
fn scratch_buffer(
    dev: &amdgpu_kmd::Device,
    desc: &loader::KernelDescriptor,
    grid: [u32; 3],
    block: [u32; 3],
) -> Result<Option<Scratch>> {
    if desc.private_segment_fixed_size == 0 {
        return Ok(None);
    }
    const WAVESIZE_UNIT: u64 = 1024;
    const MAX_TMPRING_WAVES: u64 = 4095;
    const SCRATCH_WAVES_PER_CU: u64 = 32;
    let lanes: u64 = if desc.wave32 { 32 } else { 64 };
    let bytes_per_wave =
        (u64::from(desc.private_segment_fixed_size) * lanes).next_multiple_of(WAVESIZE_UNIT);
    let threads: u64 = block.iter().map(|&b| u64::from(b)).product();
    let groups: u64 = grid.iter().map(|&g| u64::from(g)).product();
    let grid_waves = groups * threads.div_ceil(lanes);
    let cus = u64::from(dev.dev_info().cu_active_number.max(1));
    let waves = grid_waves
        .min(SCRATCH_WAVES_PER_CU * cus)
        .clamp(1, MAX_TMPRING_WAVES);
    let size = bytes_per_wave * waves;
    let (bo, va) = map_bo(dev, size, Domains::VRAM, BoFlags::empty()).with_context(|| {
        format!("scratch buffer of {size} bytes ({waves} waves x {bytes_per_wave} B)")
    })?;
    Ok(Some(Scratch {
        bo,
        va,
        setup: pm4::ScratchSetup {
            bytes_per_wave: u32::try_from(bytes_per_wave)?,
            waves: waves as u32,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const SAXPY: &str = "__kernel void saxpy(float a, __global const float *x, __global float *y, uint n) {
  uint i = __builtin_amdgcn_workgroup_id_x() * __builtin_amdgcn_workgroup_size_x() + __builtin_amdgcn_workitem_id_x();
  if (i < n) y[i] = a * x[i] + y[i];
}
__kernel void poke(__global uint *p) { p[__builtin_amdgcn_workitem_id_x()] = 1; }
__kernel void spin(__global volatile uint *p) { while (p[0] == 0) {} }
";

    /// Builds the test kernels into a fresh directory; None without clang-19.
    fn setup(tag: &str) -> Option<PathBuf> {
        if Command::new("clang-19").arg("--version").output().is_err() {
            eprintln!("skipping: clang-19 not installed");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("rocless-launch-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("k.cl"), SAXPY).unwrap();
        let ok = Command::new("clang-19")
            .args([
                "-cl-std=CL2.0",
                "-target",
                "amdgcn-amd-amdhsa",
                "-mcpu=gfx1010",
                "-nogpulib",
                "-O3",
                "-c",
            ])
            .arg(dir.join("k.cl"))
            .arg("-o")
            .arg(dir.join("k.o"))
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let ok = Command::new("ld.lld-19")
            .arg("-shared")
            .arg(dir.join("k.o"))
            .arg("-o")
            .arg(dir.join("k.hsaco"))
            .status()
            .unwrap()
            .success();
        assert!(ok);
        Some(dir)
    }

    fn args(dir: &Path, spec: &str) -> LaunchArgs {
        std::fs::write(dir.join("spec.json"), spec).unwrap();
        LaunchArgs {
            spec: dir.join("spec.json"),
            device: "sim".into(),
            out: dir.join("out"),
            json: false,
            dump_ib: Some(dir.join("ib.bin")),
            trace: None,
        }
    }

    #[test]
    fn saxpy_on_the_simulator() {
        let Some(dir) = setup("saxpy") else { return };
        let x: Vec<u8> = (0..100).flat_map(|i| (i as f32).to_le_bytes()).collect();
        let y: Vec<u8> = (0..100).flat_map(|_| 1f32.to_le_bytes()).collect();
        std::fs::write(dir.join("x.bin"), &x).unwrap();
        std::fs::write(dir.join("y.bin"), &y).unwrap();
        let a = args(
            &dir,
            r#"{"code_object":"k.hsaco","kernel":"saxpy.kd","grid":[2],"block":[64],
            "args":[{"f32":2.5},{"buffer":"x.bin"},{"buffer":"y.bin"},{"u32":100}]}"#,
        );
        launch(&a).unwrap();
        let out = std::fs::read(dir.join("out/arg2.bin")).unwrap();
        for i in 0..100 {
            let v = f32::from_le_bytes(out[i * 4..i * 4 + 4].try_into().unwrap());
            assert_eq!(v, 2.5 * i as f32 + 1.0, "y[{i}]");
        }
        assert!(std::fs::metadata(dir.join("ib.bin")).unwrap().len() > 0);
        assert!(!dir.join("out/arg0.bin").exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn vm_fault_names_the_address() {
        let Some(dir) = setup("fault") else { return };
        let a = args(
            &dir,
            r#"{"code_object":"k.hsaco","kernel":"poke","grid":[1],"block":[32],
            "args":[{"u64":305397760}]}"#,
        );
        let e = launch(&a).unwrap_err().to_string();
        assert!(e.contains("VM fault") && e.contains("0x12340000"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn bad_specs_name_the_cause() {
        let Some(dir) = setup("bad") else { return };
        let e = launch(&args(
            &dir,
            r#"{"code_object":"k.hsaco","kernel":"nope","grid":[1],"block":[1],"args":[]}"#,
        ))
        .unwrap_err();
        assert!(format!("{e:#}").contains("nope"), "{e:#}");
        let e = launch(&args(
            &dir,
            r#"{"code_object":"k.hsaco","kernel":"saxpy","grid":[0],"block":[1],"args":[]}"#,
        ))
        .unwrap_err();
        assert!(e.to_string().contains("grid"), "{e}");
        let e = launch(&args(
            &dir,
            r#"{"code_object":"k.hsaco","kernel":"saxpy","grid":[1],"block":[1],
            "args":[{"f32":1},{"buffer":"missing.bin"}]}"#,
        ))
        .unwrap_err();
        assert!(format!("{e:#}").contains("missing.bin"), "{e:#}");
        let e = launch(&args(
            &dir,
            r#"{"code_object":"k.hsaco","kernel":"saxpy","grid":[1],"block":[1],
            "args":[{"f32":1},{"zeros":4},{"zeros":4},{"u32":1},{"u32":2}]}"#,
        ))
        .unwrap_err();
        assert!(format!("{e:#}").contains("args[4]"), "{e:#}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
