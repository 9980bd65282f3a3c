//! Build one decode token's IB (~200 dispatches) and patch a pre-built one in place.
//! Figures and exact inputs: `findings/pm4-bench.md`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use pm4::dispatch::{DispatchDesc, DispatchPatches, Fence, IbBuilder, Patch, RecipeOptions};
use pm4::regs::COMPUTE_PGM_RSRC2 as R2;

/// 200 dispatches shaped like a transformer token: 1D/2D grids, wave32/64, some LDS,
/// kernarg pointer in user SGPRs 0-1 (plus 2 extra SGPRs on every 4th kernel).
pub fn token_descs(n: usize) -> Vec<DispatchDesc> {
    (0..n)
        .map(|i| {
            let extra = if i % 4 == 0 { 2 } else { 0 };
            let ka = 0x7FFF_0020_0000u64 + 256 * i as u64;
            let mut user = vec![ka as u32, (ka >> 32) as u32];
            user.resize(user.len() + extra, 0);
            DispatchDesc {
                pgm_va: 0x7FFF_0010_0000 + 0x1000 * (i as u64 % 12),
                rsrc1: 0x40AC_0001,
                rsrc2: R2::USER_SGPR.set(user.len() as u32)
                    | R2::TGID_X_EN.set(1)
                    | R2::TGID_Y_EN.flag(i % 3 == 0),
                rsrc3: 0,
                user_sgprs: user,
                grid: [64 + i as u32, if i % 3 == 0 { 4 } else { 1 }, 1],
                block: [if i % 2 == 0 { 256 } else { 64 }, 1, 1],
                wave32: i % 2 == 0,
                lds_bytes: if i % 5 == 0 { 4096 } else { 0 },
                scratch: None,
            }
        })
        .collect()
}

fn build(descs: &[DispatchDesc]) -> (pm4::CmdStream, Vec<DispatchPatches>, Patch) {
    let mut ib = IbBuilder::with_capacity(RecipeOptions::default(), 48 * descs.len() + 64).unwrap();
    let tok = ib.write_data_mem(0x7FFF_0030_0100, &[0]).unwrap();
    let mut patches = Vec::with_capacity(descs.len());
    for (i, d) in descs.iter().enumerate() {
        if i > 0 {
            ib.barrier().unwrap();
        }
        patches.push(ib.dispatch(d).unwrap());
    }
    ib.fence(Fence {
        va: 0x7FFF_0030_0000,
        value: 1,
        bits64: false,
        interrupt: false,
    })
    .unwrap();
    (ib.finish(), patches, tok)
}

fn bench(c: &mut Criterion) {
    let descs = token_descs(200);
    let (cs, patches, tok) = build(&descs);
    eprintln!(
        "token IB: {} dispatches, {} dwords ({} bytes)",
        descs.len(),
        cs.len_dw(),
        cs.len_dw() * 4
    );

    c.bench_function("build_token_ib_200_dispatches", |b| {
        b.iter(|| black_box(build(black_box(&descs))))
    });

    let mut ib = cs.into_vec();
    let mut token = 0u32;
    c.bench_function("patch_token_id", |b| {
        b.iter(|| {
            token = token.wrapping_add(1);
            pm4::dispatch::patch_dword(black_box(&mut ib), tok, token).unwrap();
        })
    });
    c.bench_function("patch_200_kernarg_ptrs_and_token", |b| {
        b.iter(|| {
            token = token.wrapping_add(1);
            pm4::dispatch::patch_dword(&mut ib, tok, token).unwrap();
            for (i, p) in patches.iter().enumerate() {
                let ka = 0x7FFF_0020_0000u64 + 256 * (i as u64 + token as u64 % 2);
                pm4::dispatch::patch_qword(&mut ib, p.user_sgpr(0).unwrap(), ka).unwrap();
            }
            black_box(&ib);
        })
    });
    c.bench_function("decode_token_ib_text", |b| {
        b.iter(|| black_box(pm4::decode::decode_text(black_box(&ib))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
