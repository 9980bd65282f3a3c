//! Arbitrary code words must never panic the executor: every outcome is
//! either a normal end or an `ExecError`.

use sim::exec::{run_dispatch, Budget, DispatchState, FlatMemory, Target};

fn lcg(s: &mut u64) -> u32 {
    *s = s
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*s >> 32) as u32
}

#[test]
fn random_programs_never_panic() {
    let mut seed = 0x5eed;
    for round in 0..600 {
        let mut code = Vec::new();
        for _ in 0..24 {
            let w = lcg(&mut seed);
            // Bias towards real encodings: keep the top bits of common formats.
            let w = match round % 4 {
                0 => w,
                1 => (w & 0x01ff_ffff) | 0x7e00_0000 & !0x01ff_ffff, // VOP1-ish
                2 => (w & 0x3fff_ffff) | (lcg(&mut seed) & 0x8000_0000),
                _ => (w & 0x00ff_ffff) | 0xbe00_0000, // SOP1
            };
            code.extend_from_slice(&w.to_le_bytes());
        }
        code.extend_from_slice(&0xbf81_0000u32.to_le_bytes());
        let mut mem = FlatMemory::new();
        mem.map(0x1000, code);
        mem.map_zeroed(0x10_0000, 1 << 16);
        for wave32 in [true, false] {
            let mut user_data = [0u32; 16];
            user_data[0] = 0x10_0000;
            let d = DispatchState {
                pgm_va: 0x1000,
                rsrc2: 2 << 1 | 1 << 7,
                user_data,
                block: [64, 1, 1],
                grid: [2, 1, 1],
                wave32,
                target: if round % 2 == 0 {
                    Target::Gfx1010
                } else {
                    Target::Gfx1030
                },
                ..Default::default()
            };
            let _ = run_dispatch(
                &d,
                &mut mem,
                &Budget {
                    max_instructions: 20_000,
                    max_time: None,
                    workers: None,
                },
            );
        }
    }
}
