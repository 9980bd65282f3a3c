//! Hand-written programs (assembled by llvm-mc-19) for instructions clang does
//! not emit for compute kernels.

use std::process::Command;

use sim::exec::{run_dispatch, Budget, DispatchState, FlatMemory, Target};

/// Assembles gfx1010 `asm` into raw `.text` bytes; `None` without llvm-mc-19.
fn assemble(asm: &str) -> Option<Vec<u8>> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("rocless-simasm-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let (s, o, b) = (dir.join("p.s"), dir.join("p.o"), dir.join("p.bin"));
    std::fs::write(&s, asm).ok()?;
    let ok = Command::new("llvm-mc-19")
        .args(["-arch=amdgcn", "-mcpu=gfx1010", "-filetype=obj", "-o"])
        .arg(&o)
        .arg(&s)
        .status()
        .ok()?
        .success();
    assert!(ok, "llvm-mc-19 failed on the test program");
    let ok = Command::new("llvm-objcopy-19")
        .args(["-O", "binary", "--only-section=.text"])
        .arg(&o)
        .arg(&b)
        .status()
        .ok()?
        .success();
    assert!(ok, "llvm-objcopy-19 failed");
    let bytes = std::fs::read(&b).ok();
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

const PGM: u64 = 0x1000;
const OUT: u64 = 0x10_0000;

fn run(code: Vec<u8>) -> Result<Vec<u32>, sim::exec::ExecError> {
    let mut mem = FlatMemory::new();
    mem.map(PGM, code);
    mem.map_zeroed(OUT, 4096);
    let mut user_data = [0u32; 16];
    user_data[0] = OUT as u32;
    let d = DispatchState {
        pgm_va: PGM,
        rsrc2: 2 << 1,
        user_data,
        block: [32, 1, 1],
        grid: [1, 1, 1],
        wave32: true,
        target: Target::Gfx1010,
        ..Default::default()
    };
    let budget = Budget {
        max_instructions: 10_000,
        max_time: None,
        workers: None,
    };
    run_dispatch(&d, &mut mem, &budget)?;
    Ok(mem
        .region(OUT)
        .unwrap()
        .chunks_exact(4)
        .take(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect())
}

#[test]
fn s_call_b64_saves_the_return_address_and_s_setpc_returns() {
    let Some(code) = assemble(
        "
  s_mov_b32 s12, 5
  s_call_b64 s[10:11], func
  s_add_u32 s12, s12, 100
  v_mov_b32 v1, s12
  v_mov_b32 v2, 0
  v_mov_b32 v3, s10
  v_mov_b32 v4, s11
  global_store_dword v2, v1, s[0:1]
  global_store_dword v2, v3, s[0:1] offset:4
  global_store_dword v2, v4, s[0:1] offset:8
  s_endpgm
func:
  s_mul_i32 s12, s12, 3
  s_setpc_b64 s[10:11]
",
    ) else {
        eprintln!("skipping: llvm-mc-19 not installed");
        return;
    };
    let out = run(code).unwrap();
    // 5 * 3 in the callee, + 100 after the return; the return address is the
    // instruction after the 4-byte s_mov_b32 and the 4-byte s_call_b64.
    assert_eq!(out[0], 115);
    assert_eq!(out[1] as u64 | (out[2] as u64) << 32, PGM + 8);
}

#[test]
fn s_call_b64_to_a_non_instruction_fails() {
    // The branch offset lands in the middle of the 8-byte s_mov_b32 literal form.
    let Some(mut code) = assemble(
        "
  s_call_b64 s[10:11], 1
  s_mov_b32 s12, 0x12345678
  s_endpgm
",
    ) else {
        return;
    };
    code.extend_from_slice(&[0; 16]);
    let e = run(code).unwrap_err().to_string();
    assert!(e.contains("not an instruction"), "{e}");
}
