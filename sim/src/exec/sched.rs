//! The dispatch loop: workgroups in order, waves of a workgroup round-robin
//! between barriers (deterministic), wave state initialised per RSRC1/RSRC2.

use std::time::Instant;

use super::counters::{DispatchCounters, InstClass, TraceEntry};
use super::dispatch::{tmpring_wave_bytes, Budget, DispatchState, Rsrc};
use super::error::ExecError;
use super::ir::{sreg, Flow};
use super::mem::{GpuMemory, Overlay};
use super::program::Program;
use super::wave::{Env, Lanes, Lanes64, Wave, LANES};

/// Instructions between wall-clock checks.
const TIME_CHECK_INTERVAL: u64 = 1 << 16;

/// Runs one dispatch of an already pre-decoded program.
pub fn run_program(
    prog: &Program,
    d: &DispatchState,
    mem: &mut dyn GpuMemory,
    budget: &Budget,
) -> Result<DispatchCounters, ExecError> {
    let rs = Rsrc::decode(d.rsrc1, d.rsrc2);
    let n = if d.wave32 { 32 } else { 64 };
    let threads: u64 = d.block.iter().map(|&x| x as u64).product();
    if threads == 0 || threads > 1024 {
        return Err(ExecError::BadDispatch(format!(
            "block {:?} has {threads} workitems (1..=1024)",
            d.block
        )));
    }
    if d.grid.contains(&0) {
        return Ok(DispatchCounters::default());
    }
    if rs.user_sgpr > 16 {
        return Err(ExecError::BadDispatch(format!(
            "USER_SGPR {} > 16",
            rs.user_sgpr
        )));
    }
    let waves_per_group = threads.div_ceil(n as u64) as usize;
    let [gx, gy, gz] = d.grid;
    let groups = gx as u64 * gy as u64 * gz as u64;
    let workers = budget
        .workers
        .unwrap_or_else(worker_threads)
        .min((groups / MIN_GROUPS_PER_WORKER) as usize);
    let start = Instant::now();
    let mut counters = DispatchCounters::default();
    let parallel = workers > 1 && d.trace_wave.is_none() && !prog.has_global_atomics();
    let ctx = GroupCtx {
        prog,
        d,
        rs: &rs,
        n,
        threads,
        waves_per_group,
        budget,
        start,
    };
    match mem.shared().filter(|_| parallel) {
        None => {
            ctx.run_range(0..groups, mem, &mut counters)?;
        }
        Some(base) => {
            // Contiguous workgroup ranges per worker; each writes into its own overlay and
            // the writes are applied in range order below, as one thread would have left
            // them (workgroups of a dispatch without global atomics do not observe each
            // other's writes in a defined order on hardware either).
            let chunk = groups.div_ceil(workers as u64);
            let results: Vec<_> = std::thread::scope(|sc| {
                let handles: Vec<_> = (0..workers as u64)
                    .map(|i| {
                        let ctx = &ctx;
                        sc.spawn(move || {
                            let mut ov = Overlay::new(base);
                            let mut c = DispatchCounters::default();
                            let range = i * chunk..((i + 1) * chunk).min(groups);
                            let r = ctx.run_range(range, &mut ov, &mut c);
                            (r, c, ov.into_writes())
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("simulator worker panicked"))
                    .collect()
            });
            let mut first_err = None;
            let mut writes = Vec::new();
            for (r, c, w) in results {
                if first_err.is_some() {
                    break;
                }
                counters.merge(c);
                writes.push(w);
                if let Err(e) = r {
                    first_err = Some(e);
                }
            }
            for w in writes.into_iter().flatten() {
                mem.write(w.0, &w.1).map_err(|f| ExecError::MemFault {
                    va: f.va,
                    write: true,
                    pc: d.pgm_va,
                    text: "(applying a worker's writes)".into(),
                })?;
            }
            if let Some(e) = first_err {
                return Err(e);
            }
        }
    }
    counters.finish_dispatch();
    Ok(counters)
}

/// Workgroups per worker thread below which a dispatch stays on one thread.
const MIN_GROUPS_PER_WORKER: u64 = 8;

/// Worker threads for the workgroups of one dispatch: `ROCLESS_SIM_THREADS`, else the
/// host's available parallelism. 1 = the sequential order.
pub fn worker_threads() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("ROCLESS_SIM_THREADS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// What every workgroup of one dispatch shares.
struct GroupCtx<'a> {
    prog: &'a Program,
    d: &'a DispatchState,
    rs: &'a Rsrc,
    n: usize,
    threads: u64,
    waves_per_group: usize,
    budget: &'a Budget,
    start: Instant,
}

impl GroupCtx<'_> {
    /// Runs the workgroups with linear index in `range` (x fastest, then y, then z).
    fn run_range(
        &self,
        range: std::ops::Range<u64>,
        mem: &mut dyn GpuMemory,
        counters: &mut DispatchCounters,
    ) -> Result<(), ExecError> {
        let (prog, d, rs) = (self.prog, self.d, self.rs);
        let wave_bytes = tmpring_wave_bytes(d.tmpring_size);
        // Slack registers keep 64-bit/quad reads of the last used VGPR in bounds.
        let nvgpr = prog.max_vgpr.max(3) as usize + 8;
        let wpg = self.waves_per_group;
        let mut waves: Vec<Wave> = (0..wpg).map(|_| Wave::new(self.n, nvgpr)).collect();
        let mut lds = vec![0u8; rs.lds_bytes.max(prog.min_lds) as usize];
        let mut t = Box::new([[0u32; LANES]; 4]);
        let mut t64 = Box::new([[0u64; LANES]; 4]);
        let mut executed: u64 = 0;
        let mut next_check = TIME_CHECK_INTERVAL;
        let [gx, gy, _] = d.grid;
        for wg_linear in range {
            let x = (wg_linear % gx as u64) as u32;
            let y = ((wg_linear / gx as u64) % gy as u64) as u32;
            let z = (wg_linear / (gx as u64 * gy as u64)) as u32;
            lds.fill(0);
            for (i, w) in waves.iter_mut().enumerate() {
                init_wave(w, i, d, rs, [x, y, z], self.threads, wpg, wave_bytes);
            }
            counters.workgroups += 1;
            counters.waves += wpg as u64;
            let mut env = Env {
                mem: &mut *mem,
                lds: &mut lds,
                counters: &mut *counters,
                error: None,
                target: d.target,
                pgm_va: d.pgm_va,
                scratch_wave_bytes: wave_bytes,
                text: &prog.text,
                t: &mut t,
                t64: &mut t64,
            };
            let trace_base = wg_linear * wpg as u64;
            run_group(
                prog,
                &mut waves,
                &mut env,
                self.budget,
                &self.start,
                &mut executed,
                &mut next_check,
                d.trace_wave.and_then(|tw| tw.checked_sub(trace_base)),
            )?;
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn init_wave(
    w: &mut Wave,
    i: usize,
    d: &DispatchState,
    rs: &Rsrc,
    tg: [u32; 3],
    threads: u64,
    wpg: usize,
    wave_bytes: u64,
) {
    let n = w.n;
    w.s.fill(0);
    w.scc = false;
    w.pc = 0;
    w.done = false;
    w.at_barrier = false;
    // MODE from COMPUTE_PGM_RSRC1: FLOAT_MODE (19:12) → MODE 7:0, DX10_CLAMP
    // (21) → MODE 8, IEEE_MODE (23) → MODE 9 (LLVM SIDefines.h S_00B848_* and
    // the MODE hwreg layout in the RDNA1 ISA manual, "MODE register").
    w.mode = ((d.rsrc1 >> 12) & 0xff) | ((d.rsrc1 >> 21) & 1) << 8 | ((d.rsrc1 >> 23) & 1) << 9;
    w.wave_in_group = i as u32;
    // The wave's scratch slot: one per wave of the resident workgroup.
    w.scratch_wave_base = d.scratch_base + i as u64 * wave_bytes;
    w.flat_scratch = 0;
    let us = rs.user_sgpr as usize;
    w.s[..us].copy_from_slice(&d.user_data[..us]);
    let mut k = us;
    for (dim, en) in rs.tgid_en.iter().enumerate() {
        if *en {
            w.s[k] = tg[dim];
            k += 1;
        }
    }
    if rs.tg_size_en {
        // Work-group info: wave count in bits 5:0, first-wave flag in bit 31.
        w.s[k] = (wpg as u32 & 0x3f) | if i == 0 { 1 << 31 } else { 0 };
        k += 1;
    }
    if rs.scratch_en {
        w.s[k] = (i as u64 * wave_bytes) as u32;
    }
    let first = (i * n) as u64;
    let live = (threads - first).min(n as u64) as u32;
    let exec = if live >= 64 {
        u64::MAX
    } else {
        (1u64 << live) - 1
    };
    w.set_exec(exec);
    // Workitem ids: v0 = x, v1 = y, v2 = z (gfx10 does not pack them).
    let [bx, by, _] = d.block;
    for l in 0..n {
        let t = first + l as u64;
        let (tx, ty, tz) = if t < threads {
            (
                (t % bx as u64) as u32,
                ((t / bx as u64) % by as u64) as u32,
                (t / (bx as u64 * by as u64)) as u32,
            )
        } else {
            (0, 0, 0)
        };
        w.v[l] = tx;
        if rs.tidig_comp_cnt >= 1 {
            w.v[LANES + l] = ty;
        }
        if rs.tidig_comp_cnt >= 2 {
            w.v[2 * LANES + l] = tz;
        }
    }
    let _ = sreg::SLOTS;
}

#[allow(clippy::too_many_arguments)]
fn run_group(
    prog: &Program,
    waves: &mut [Wave],
    env: &mut Env,
    budget: &Budget,
    start: &Instant,
    executed: &mut u64,
    next_check: &mut u64,
    trace: Option<u64>,
) -> Result<(), ExecError> {
    loop {
        let mut progressed = false;
        for (i, w) in waves.iter_mut().enumerate() {
            if w.done || w.at_barrier {
                continue;
            }
            progressed = true;
            let tr = trace == Some(i as u64);
            if tr {
                run_wave::<true>(prog, w, env, budget, start, executed, next_check)?;
            } else {
                run_wave::<false>(prog, w, env, budget, start, executed, next_check)?;
            }
        }
        let live = waves.iter().filter(|w| !w.done).count();
        if live == 0 {
            return Ok(());
        }
        // Release the barrier once every live wave has arrived.
        if waves.iter().all(|w| w.done || w.at_barrier) {
            for w in waves.iter_mut() {
                w.at_barrier = false;
            }
        } else if !progressed {
            return Err(ExecError::Illegal {
                pc: 0,
                msg: "scheduler made no progress".into(),
            });
        }
    }
}

#[multiversion::multiversion(targets("x86_64+avx2+fma+popcnt", "aarch64+neon"))]
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn run_wave<const TRACE: bool>(
    prog: &Program,
    w: &mut Wave,
    env: &mut Env,
    budget: &Budget,
    start: &Instant,
    executed: &mut u64,
    next_check: &mut u64,
) -> Result<(), ExecError> {
    let uops = &prog.uops[..];
    let mut before: Option<(Box<Wave>, bool)> = None;
    loop {
        let Some(u) = uops.get(w.pc as usize) else {
            return Err(ExecError::Illegal {
                pc: env.pgm_va + prog.end_offset as u64,
                msg: "execution ran past the end of the program".into(),
            });
        };
        env.counters.instructions[u.class as usize] += 1;
        if u.class == InstClass::Valu {
            env.counters.valu_active_lanes += w.exec().count_ones() as u64;
            env.counters.valu_total_lanes += w.n as u64;
        }
        *executed += 1;
        if *executed > budget.max_instructions {
            return Err(ExecError::Timeout {
                instructions: *executed - 1,
                reason: format!("instruction budget {} exhausted", budget.max_instructions),
            });
        }
        if *executed >= *next_check {
            *next_check += TIME_CHECK_INTERVAL;
            if let Some(max) = budget.max_time {
                if start.elapsed() > max {
                    return Err(ExecError::Timeout {
                        instructions: *executed,
                        reason: format!("time budget {max:?} exhausted"),
                    });
                }
            }
        }
        if TRACE {
            before = Some((Box::new(w.clone()), w.scc));
        }
        let flow = (u.f)(w, env, u);
        if let (true, Some((b, _))) = (TRACE, before.take()) {
            env.counters.trace.push(TraceEntry {
                pc: env.pgm_va + u.pc as u64,
                text: prog.text[u.text as usize].clone(),
                changes: diff(&b, w),
            });
        }
        match flow {
            Flow::Next => w.pc += 1,
            Flow::Jump(t) => w.pc = t,
            Flow::JumpOffset(off) => match prog.index_of(off) {
                Some(i) => w.pc = i,
                None => {
                    return Err(ExecError::Illegal {
                        pc: env.pgm_va + u.pc as u64,
                        msg: format!(
                            "{}: jump to 0x{:x} is not an instruction of the program",
                            prog.text[u.text as usize],
                            env.pgm_va.wrapping_add(off)
                        ),
                    });
                }
            },
            Flow::End => {
                w.done = true;
                return Ok(());
            }
            Flow::Barrier => {
                w.pc += 1;
                w.at_barrier = true;
                return Ok(());
            }
            Flow::Stop => {
                return Err(env.error.take().unwrap_or(ExecError::Illegal {
                    pc: env.pgm_va + u.pc as u64,
                    msg: "stopped".into(),
                }));
            }
        }
    }
}

fn diff(a: &Wave, b: &Wave) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for i in 0..sreg::SLOTS {
        if a.s[i] != b.s[i] {
            let name = match i {
                106 => "vcc_lo".to_string(),
                107 => "vcc_hi".to_string(),
                124 => "m0".to_string(),
                126 => "exec_lo".to_string(),
                127 => "exec_hi".to_string(),
                _ => format!("s{i}"),
            };
            out.push((name, b.s[i] as u64));
        }
    }
    if a.scc != b.scc {
        out.push(("scc".into(), b.scc as u64));
    }
    for (k, (x, y)) in a.v.iter().zip(&b.v).enumerate() {
        if x != y {
            out.push((format!("v{}[{}]", k / LANES, k % LANES), *y as u64));
        }
    }
    out
}

#[allow(dead_code)]
fn _types(_: Lanes, _: Lanes64) {}
