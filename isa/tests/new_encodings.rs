//! Words of the encodings added after the first table (MTBUF, VINTRP,
//! `v_interp_*_e64`, `s_atc_probe`, EXP, MIMG incl. NSA and bvh), assembled
//! by `llvm-mc-19 -mcpu=gfx1030 -show-encoding` and printed by `llvm-mc-19
//! -disassemble` (text compared exactly, whitespace included), and their
//! encode round trip (identical bytes, identical `Instr`).

use isa::{decode, encode, Target};

#[rustfmt::skip]
const CASES: &[(&[u32], &str)] = &[
        (&[0xea6bffff, 0x03410102], "tbuffer_load_format_xyzw v[1:4], v[2:3], s[4:7], s3 format:[BUF_FMT_32_32_32_32_FLOAT] idxen offen offset:4095 glc slc dlc"),
        (&[0xe8b5000c, 0x803c0100], "tbuffer_store_format_d16_xy v1, off, ttmp[4:7], 0 format:[BUF_FMT_32_FLOAT] offset:12"),
        (&[0xc8040d02], "v_interp_p1_f32_e32 v1, v2, attr3.y"),
        (&[0xd75a8401, 0x440e0584], "v_interp_p2_f16 v1, -v2, attr4.z, |v3| high clamp"),
        (&[0xd7428001, 0x08020543], "v_interp_p1ll_f16 v1, v2, attr3.y high clamp mul:2"),
        (&[0xf4981902, 0xfa000010], "s_atc_probe 0x64, s[4:5], 0x10"),
        (&[0xf8001835, 0x00020001], "exp mrt3 v1, off, v2, off done vm"),
        (&[0xf800050f, 0x00000201], "exp pos4 v1, v1, v2, v2 compr"),
        (&[0xf80003f0, 0x00000000], "exp param31 off, off, off, off"),
        (&[0xf0a80f0c, 0x00610102, 0x08070605, 0x00000a09], "image_sample_c_d  v[1:4], [v2, v5, v6, v7, v8, v9, v10], s[4:11], s[12:15] dmask:0xf dim:SQ_RSRC_IMG_2D"),
        (&[0xf2013f88, 0x00010102], "image_load v[1:5], v[2:3], s[4:11] dmask:0xf dim:SQ_RSRC_IMG_2D unorm glc slc dlc tfe"),
        (&[0xf0200f00, 0x80010102], "image_store v[1:2], v2, s[4:11] dmask:0xf dim:SQ_RSRC_IMG_1D d16"),
        (&[0xf17e0128, 0x40820102], "image_gather4_c_lz_o v[1:4], v[2:5], s[8:15], s[16:19] dmask:0x1 dim:SQ_RSRC_IMG_2D_ARRAY a16 lwe"),
        (&[0xf0402312, 0x00010402, 0x00000403], "image_atomic_cmpswap v[4:5], [v2, v3, v4], s[4:11] dmask:0x3 dim:SQ_RSRC_IMG_3D glc"),
        (&[0xf1989f07, 0x00010409, 0x0d0c0b0a, 0x11100f0e, 0x00001312], "image_bvh_intersect_ray v[4:7], [v9, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19], s[4:7]"),
        (&[0xf19c9f01, 0x40010409], "image_bvh64_intersect_ray v[4:7], v[9:17], s[4:7] a16"),
];

#[test]
fn llvm_text_and_roundtrip() {
    for (words, want) in CASES {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let i = decode(&bytes, Target::Gfx1030, false).unwrap_or_else(|e| panic!("{want}: {e}"));
        assert_eq!(i.to_string(), *want);
        assert_eq!(i.len as usize, bytes.len(), "{want}");
        let enc = encode(&i).unwrap_or_else(|e| panic!("{want}: {e}"));
        assert_eq!(enc, bytes, "{want}");
        assert_eq!(decode(&enc, Target::Gfx1030, false).unwrap(), i, "{want}");
    }
}
