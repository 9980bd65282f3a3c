//! Fuzz target: arbitrary bytes as a gfx10 program (wave32 and wave64, both
//! targets) through the wave executor with a small instruction budget. Must
//! never panic: every outcome is a normal end or an `ExecError`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sim::exec::{run_dispatch, Budget, DispatchState, FlatMemory, Target};

fuzz_target!(|data: &[u8]| {
    let mut mem = FlatMemory::new();
    let mut code = data.to_vec();
    code.extend_from_slice(&0xbf81_0000u32.to_le_bytes()); // s_endpgm
    mem.map(0x1000, code);
    mem.map_zeroed(0x10_0000, 1 << 16);
    let mut user_data = [0u32; 16];
    user_data[0] = 0x10_0000;
    for (wave32, target) in [(true, Target::Gfx1010), (false, Target::Gfx1030)] {
        let d = DispatchState {
            pgm_va: 0x1000,
            rsrc2: 2 << 1 | 1 << 7 | 4 << 15,
            user_data,
            block: [64, 1, 1],
            grid: [2, 1, 1],
            wave32,
            target,
            ..Default::default()
        };
        let _ = run_dispatch(&d, &mut mem, &Budget { max_instructions: 10_000, max_time: None, workers: None });
    }
});
