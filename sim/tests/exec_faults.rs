//! Fault, budget, unimplemented-instruction and trace behaviour.

mod exec_support;

use exec_support::*;
use sim::exec::{run_dispatch, Budget, ExecError, Executor, Target};

#[test]
fn out_of_bounds_store_faults_with_va() {
    let src = "__kernel void oob(__global float* p, uint n) { uint i = GID(x); p[i + n] = 1.0f; }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let mut gpu = Gpu::new();
    let vp = gpu.zeros(256);
    let r = run(
        &mut gpu,
        &h,
        "oob",
        Target::Gfx1010,
        [1, 1, 1],
        [64, 1, 1],
        &[ptr(vp), loader::ArgValue::u32(1 << 20)],
    );
    match r {
        Err(ExecError::MemFault { va, write, .. }) => {
            assert!(write);
            assert_eq!(va, vp + 4 * (1 << 20));
        }
        other => panic!("expected a write fault, got {other:?}"),
    }
}

#[test]
fn out_of_bounds_load_faults_as_read() {
    let src = "__kernel void oobr(__global const float* p, __global float* o) { uint i = GID(x); o[i] = p[i * 100000]; }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let mut gpu = Gpu::new();
    let vp = gpu.zeros(4096);
    let vo = gpu.zeros(4096);
    let e = run(
        &mut gpu,
        &h,
        "oobr",
        Target::Gfx1010,
        [1, 1, 1],
        [32, 1, 1],
        &[ptr(vp), ptr(vo)],
    )
    .unwrap_err();
    assert!(matches!(e, ExecError::MemFault { write: false, .. }), "{e}");
    assert!(e.to_string().contains("global_load"), "{e}");
}

#[test]
fn infinite_loop_hits_instruction_budget() {
    let src = "__kernel void spin(__global volatile uint* p) { while (p[0] == 0) { p[1] += 1; } }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let mut gpu = Gpu::new();
    let vp = gpu.zeros(64);
    let p = prepare(
        &mut gpu,
        &h,
        "spin",
        Target::Gfx1010,
        [1, 1, 1],
        [32, 1, 1],
        &[ptr(vp)],
    );
    let budget = Budget {
        max_instructions: 100_000,
        max_time: None,
        workers: None,
    };
    let e = run_dispatch(&p.state, &mut gpu.mem, &budget).unwrap_err();
    assert!(
        matches!(
            e,
            ExecError::Timeout {
                instructions: 100_000,
                ..
            }
        ),
        "{e}"
    );
    // The same memory stays usable for the next dispatch.
    gpu.mem.region_mut(vp).unwrap()[0] = 1;
    run_dispatch(&p.state, &mut gpu.mem, &budget).unwrap();
}

#[test]
fn unmapped_program_is_a_fetch_fault() {
    let mut gpu = Gpu::new();
    let d = sim::exec::DispatchState {
        pgm_va: 0xdead_0000,
        block: [32, 1, 1],
        grid: [1, 1, 1],
        wave32: true,
        ..Default::default()
    };
    let e = run_dispatch(&d, &mut gpu.mem, &Budget::default()).unwrap_err();
    assert!(
        matches!(
            e,
            ExecError::MemFault {
                va: 0xdead_0000,
                write: false,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn undecodable_word_is_reported_with_pc() {
    let mut gpu = Gpu::new();
    // s_nop 0 then an all-ones word (not an instruction on gfx10), then s_endpgm.
    let code: Vec<u8> = [0xbf80_0000u32, 0xffff_ffff, 0xbf81_0000]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let va = gpu.buffer(code);
    let d = sim::exec::DispatchState {
        pgm_va: va,
        block: [32, 1, 1],
        grid: [1, 1, 1],
        wave32: true,
        ..Default::default()
    };
    let e = run_dispatch(&d, &mut gpu.mem, &Budget::default()).unwrap_err();
    match e {
        ExecError::Unimplemented { pc, text } => {
            assert_eq!(pc, va + 4);
            assert!(text.contains("0xffffffff"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn trace_records_one_wave_and_cache_reuses_program() {
    let src = "__kernel void t(__global uint* o) { uint i = GID(x); o[i] = i * 3u + 1u; }";
    let Some(h) = compile(src, "gfx1010", false) else {
        return;
    };
    let mut gpu = Gpu::new();
    let vo = gpu.zeros(4 * 128);
    let mut p = prepare(
        &mut gpu,
        &h,
        "t",
        Target::Gfx1010,
        [2, 1, 1],
        [64, 1, 1],
        &[ptr(vo)],
    );
    p.state.trace_wave = Some(3);
    let mut ex = Executor::new();
    let c = ex.run(&p.state, &mut gpu.mem, &Budget::default()).unwrap();
    assert!(!c.trace.is_empty());
    assert!(c.trace.last().unwrap().text.starts_with("s_endpgm"));
    assert!(c
        .trace
        .iter()
        .any(|t| t.changes.iter().any(|(n, _)| n.starts_with('v'))));
    let c2 = ex.run(&p.state, &mut gpu.mem, &Budget::default()).unwrap();
    assert_eq!(c.total_instructions(), c2.total_instructions());
    let o = gpu.read_u32(vo);
    assert!(o.iter().enumerate().all(|(i, v)| *v == i as u32 * 3 + 1));
}
