//! Lane-ops/s of the wave executor on a GEMV kernel (the shape LLM decoding
//! spends its time in). Needs clang-19; prints a message and skips otherwise.
//!
//! Lane ops = VALU instructions × active lanes (DispatchCounters::lane_ops).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use loader::{ArgValue, CodeObject, Dispatch, KernargBuilder, UserSgprValues};
use sim::exec::{Budget, DispatchState, Executor, FlatMemory, Target};

const GEMV: &str = r#"
__kernel void gemv(__global const float* m, __global const float* x, __global float* y, uint cols) {
    uint row = __builtin_amdgcn_workgroup_id_x();
    uint l = __builtin_amdgcn_workitem_id_x();
    __local float part[64];
    float acc = 0.0f;
    for (uint c = l; c < cols; c += 64) acc += m[row * cols + c] * x[c];
    part[l] = acc;
    __builtin_amdgcn_s_barrier();
    for (uint s = 32; s > 0; s >>= 1) { if (l < s) part[l] += part[l + s]; __builtin_amdgcn_s_barrier(); }
    if (l == 0) y[row] = part[0];
}
"#;

fn compile(wave64: bool) -> Option<Vec<u8>> {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("rocless-simexec-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::write(dir.join("k.cl"), GEMV).ok()?;
    let ok = Command::new("clang-19")
        .args(if wave64 {
            &["-mwavefrontsize64"][..]
        } else {
            &[][..]
        })
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
        .ok()?
        .success()
        && Command::new("ld.lld-19")
            .arg("-shared")
            .arg(dir.join("k.o"))
            .arg("-o")
            .arg(dir.join("k.hsaco"))
            .status()
            .ok()?
            .success();
    let b = if ok {
        std::fs::read(dir.join("k.hsaco")).ok()
    } else {
        None
    };
    let _ = std::fs::remove_dir_all(&dir);
    b
}

const CODE: u64 = 0x1_0000_0000;
const KARG: u64 = 0x2_0000_0000;
const MAT: u64 = 0x10_0000_0000;
const X: u64 = 0x20_0000_0000;
const Y: u64 = 0x30_0000_0000;

fn setup(rows: u32, cols: u32, wave64: bool) -> Option<(FlatMemory, DispatchState)> {
    let h = compile(wave64)?;
    let co = CodeObject::parse(&h).ok()?;
    let k = co.kernel("gemv").ok()?.clone();
    let img = co.load(CODE).ok()?;
    let mut mem = FlatMemory::new();
    mem.map(CODE, img.bytes.clone());
    let m: Vec<u8> = (0..rows * cols)
        .flat_map(|i| ((i % 7) as f32 * 0.5).to_le_bytes())
        .collect();
    let x: Vec<u8> = (0..cols)
        .flat_map(|i| ((i % 5) as f32 - 2.0).to_le_bytes())
        .collect();
    mem.map(MAT, m);
    mem.map(X, x);
    mem.map_zeroed(Y, 4 * rows as usize);
    let mut kb = KernargBuilder::new(&k.metadata);
    kb.push(ArgValue::Pointer(MAT))
        .ok()?
        .push(ArgValue::Pointer(X))
        .ok()?
        .push(ArgValue::Pointer(Y))
        .ok()?
        .push(ArgValue::u32(cols))
        .ok()?;
    kb.dispatch(Dispatch::from_workgroups([rows, 1, 1], [64, 1, 1]).ok()?);
    let ka = kb.build().ok()?;
    mem.map(KARG, ka.bytes.clone());
    let layout = loader::sgpr_layout(&k.descriptor, &k.name).ok()?;
    let ud = layout.user_data(&UserSgprValues {
        kernarg_ptr: KARG,
        kernarg: ka.bytes.clone(),
        ..Default::default()
    });
    let mut user_data = [0u32; 16];
    user_data[..ud.len()].copy_from_slice(&ud);
    let d = &k.descriptor;
    let lds = ka.lds_bytes.div_ceil(512);
    let state = DispatchState {
        pgm_va: img.kernel("gemv")?.entry_address,
        rsrc1: d.rsrc1,
        rsrc2: (d.rsrc2 & !(0x1ff << 15)) | lds << 15,
        rsrc3: d.rsrc3,
        user_data,
        block: [64, 1, 1],
        grid: [rows, 1, 1],
        wave32: d.wave32,
        target: Target::Gfx1010,
        ..Default::default()
    };
    Some((mem, state))
}

fn bench_one(c: &mut Criterion, wave64: bool) {
    let (rows, cols) = (256u32, 1024u32);
    let Some((mut mem, state)) = setup(rows, cols, wave64) else {
        eprintln!("skipping exec_gemv bench: clang-19 / loader unavailable");
        return;
    };
    let mut ex = Executor::new();
    let budget = Budget::default();
    let counters = ex.run(&state, &mut mem, &budget).expect("gemv runs");
    let lane_ops = counters.lane_ops();
    // One explicit timing line (criterion reports elements/s as well).
    let t = Instant::now();
    let cpu0 = thread_cpu_ns();
    let reps = 20;
    for _ in 0..reps {
        ex.run(&state, &mut mem, &budget).unwrap();
    }
    let s = t.elapsed().as_secs_f64() / reps as f64;
    // CPU time of this thread (the machine may be shared): /proc schedstat.
    let cpu = thread_cpu_ns()
        .zip(cpu0)
        .map(|(b, a)| (b - a) as f64 / 1e9 / reps as f64);
    eprintln!(
        "gemv {rows}x{cols} wave{}: {} instructions, {} lane-ops, wall {:.3} ms/dispatch ({:.3} G lane-ops/s), cpu {} ",
        if wave64 { 64 } else { 32 },
        counters.total_instructions(),
        lane_ops,
        s * 1e3,
        lane_ops as f64 / s / 1e9,
        match cpu {
            Some(c) => format!(
                "{:.3} ms/dispatch ({:.3} G lane-ops/s per core, {:.1} M instr/s)",
                c * 1e3,
                lane_ops as f64 / c / 1e9,
                counters.total_instructions() as f64 / c / 1e6
            ),
            None => "n/a".into(),
        }
    );
    let mut g = c.benchmark_group("exec");
    g.throughput(Throughput::Elements(lane_ops));
    g.sample_size(10);
    g.bench_function(
        if wave64 {
            "gemv_256x1024_wave64_lane_ops"
        } else {
            "gemv_256x1024_wave32_lane_ops"
        },
        |b| b.iter(|| ex.run(&state, &mut mem, &budget).unwrap()),
    );
    g.finish();
}

fn bench(c: &mut Criterion) {
    bench_one(c, false);
    bench_one(c, true);
}

/// Nanoseconds this thread has run on a CPU (Linux schedstat), if available.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

criterion_group!(benches, bench);
criterion_main!(benches);
