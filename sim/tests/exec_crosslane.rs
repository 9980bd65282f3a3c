//! Cross-lane operations: DPP, DPP8, ds_swizzle, ds_bpermute, readlane,
//! mbcnt, ballots — checked lane by lane against a CPU model.

mod exec_support;

use exec_support::*;
use sim::exec::Target;

const SRC: &str = r#"
__kernel void xl(__global const uint* in, __global uint* o) {
    uint l = LID(x);
    uint v = in[l];
    uint n = WGSIZE(x);
    o[0 * n + l] = __builtin_amdgcn_ds_bpermute((int)(((l * 7 + 3) % n) * 4), (int)v);
    o[1 * n + l] = __builtin_amdgcn_ds_swizzle((int)v, 0x041f);            /* xor 1 within 32 */
    o[2 * n + l] = __builtin_amdgcn_ds_swizzle((int)v, 0x80b1);            /* quad perm [1,0,3,2] */
    o[3 * n + l] = __builtin_amdgcn_update_dpp(0, (int)v, 0x111, 0xf, 0xf, false); /* row_shr:1 */
    o[4 * n + l] = __builtin_amdgcn_update_dpp(0, (int)v, 0x1b, 0xf, 0xf, true);   /* quad_perm [3,2,1,0] */
    o[5 * n + l] = __builtin_amdgcn_readfirstlane((int)v) + __builtin_amdgcn_readlane((int)v, 5);
    o[6 * n + l] = __builtin_amdgcn_mbcnt_lo(0xAAAAAAAAu, 0);
    o[7 * n + l] = __builtin_amdgcn_mov_dpp8((int)v, 0x000fac68); /* dpp8 sel [0,5,2,3,4,5,7,0]? */
    o[8 * n + l] = __builtin_amdgcn_update_dpp(0, (int)v, 0x140, 0xf, 0xf, true);  /* row_mirror */
}
"#;

fn dpp8_sel(sel: u32, i: usize) -> usize {
    ((sel >> (3 * i)) & 7) as usize
}

#[test]
fn cross_lane_ops_wave32() {
    let Some(h) = compile(SRC, "gfx1010", false) else {
        return;
    };
    let n = 32usize;
    let input: Vec<u32> = (0..n as u32).map(|i| i * 1000 + 17).collect();
    let mut gpu = Gpu::new();
    let vi = gpu.u32s(&input);
    let vo = gpu.zeros(4 * 9 * n);
    run(
        &mut gpu,
        &h,
        "xl",
        Target::Gfx1010,
        [1, 1, 1],
        [n as u32, 1, 1],
        &[ptr(vi), ptr(vo)],
    )
    .unwrap();
    let o = gpu.read_u32(vo);
    for l in 0..n {
        assert_eq!(o[l], input[(l * 7 + 3) % n], "bpermute lane {l}");
        assert_eq!(o[n + l], input[l ^ 1], "swizzle xor lane {l}");
        assert_eq!(
            o[2 * n + l],
            input[(l & !3) | [1, 0, 3, 2][l & 3]],
            "swizzle quad lane {l}"
        );
        let shr = if l % 16 == 0 { 0 } else { input[l - 1] };
        assert_eq!(o[3 * n + l], shr, "row_shr lane {l}");
        assert_eq!(
            o[4 * n + l],
            input[(l & !3) | (3 - (l & 3))],
            "quad_perm lane {l}"
        );
        assert_eq!(o[5 * n + l], input[0] + input[5], "readlane {l}");
        assert_eq!(
            o[6 * n + l],
            (0xAAAA_AAAAu32 & ((1u64 << l) - 1) as u32).count_ones(),
            "mbcnt {l}"
        );
        assert_eq!(
            o[7 * n + l],
            input[(l & !7) + dpp8_sel(0x000f_ac68, l & 7)],
            "dpp8 {l}"
        );
        assert_eq!(
            o[8 * n + l],
            input[(l & !15) + (15 - (l & 15))],
            "row_mirror {l}"
        );
    }
}

const WAVE64_REDUCE: &str = r#"
__kernel void wred(__global const int* in, __global int* o) {
    uint l = LID(x);
    int v = in[GID(x)];
    /* butterfly through bpermute over the full wave */
    for (uint s = 1; s < 64; s <<= 1) v += __builtin_amdgcn_ds_bpermute((int)((l ^ s) * 4), v);
    if (l % 64 == 0) o[GID(x) / 64] = v;
}
"#;

#[test]
fn wave64_bpermute_reduction() {
    let Some(h) = compile(WAVE64_REDUCE, "gfx1010", true) else {
        return;
    };
    let input: Vec<u32> = (0..256u32).map(|i| i * 3 + 1).collect();
    let mut gpu = Gpu::new();
    let vi = gpu.u32s(&input);
    let vo = gpu.zeros(4 * 4);
    run(
        &mut gpu,
        &h,
        "wred",
        Target::Gfx1010,
        [2, 1, 1],
        [128, 1, 1],
        &[ptr(vi), ptr(vo)],
    )
    .unwrap();
    let o = gpu.read_u32(vo);
    for w in 0..4 {
        assert_eq!(
            o[w],
            input[w * 64..(w + 1) * 64].iter().sum::<u32>(),
            "wave {w}"
        );
    }
}
