//! Decoded IBs of canonical dispatches, snapshotted with insta (`tests/snapshots/*.snap`,
//! committed): any byte change of the recipe shows up in review.

use pm4::dispatch::{build_chain, DispatchDesc, Fence, IbBuilder, RecipeOptions, ScratchSetup};
use pm4::regs::{self, Gen, COMPUTE_PGM_RSRC2 as R2};
use pm4::CmdStream;

/// Plausible gfx1010 RSRC1 from LLVM: VGPRS=1, FLOAT_MODE=0xC0, DX10_CLAMP, IEEE_MODE,
/// MEM_ORDERED.
const RSRC1: u32 = 0x40AC_0001;
const CODE_VA: u64 = 0x0000_7FFF_0010_0000;
const KERNARG_VA: u64 = 0x0000_7FFF_0020_0000;
const FENCE_VA: u64 = 0x0000_7FFF_0030_0000;

fn kernarg_sgprs() -> Vec<u32> {
    vec![KERNARG_VA as u32, (KERNARG_VA >> 32) as u32]
}

fn rsrc2(user_sgpr: u32, dims: u32) -> u32 {
    R2::USER_SGPR.set(user_sgpr)
        | R2::TGID_X_EN.set(1)
        | R2::TGID_Y_EN.flag(dims >= 2)
        | R2::TGID_Z_EN.flag(dims >= 3)
        | R2::TIDIG_COMP_CNT.set(dims - 1)
}

fn base(grid: [u32; 3], block: [u32; 3], wave32: bool, dims: u32) -> DispatchDesc {
    DispatchDesc {
        pgm_va: CODE_VA,
        rsrc1: RSRC1,
        rsrc2: rsrc2(2, dims),
        rsrc3: 0,
        user_sgprs: kernarg_sgprs(),
        grid,
        block,
        wave32,
        lds_bytes: 0,
        scratch: None,
    }
}

fn fence32() -> Fence {
    Fence {
        va: FENCE_VA,
        value: 1,
        bits64: false,
        interrupt: false,
    }
}

fn text(cs: &CmdStream) -> String {
    let (t, err) = pm4::decode::decode_text(cs.as_slice());
    assert!(err.is_none(), "{err:?}");
    // JSON decoding agrees on the packet count.
    let j = pm4::decode::decode_json(cs.as_slice()).unwrap();
    assert_eq!(j.as_array().unwrap().len(), t.lines().count());
    t
}

/// The inputs as a readable header line (hex where the hardware thinks in hex).
fn describe(d: &DispatchDesc, f: &Fence) -> String {
    let sgprs: Vec<String> = d.user_sgprs.iter().map(|v| format!("0x{v:x}")).collect();
    format!(
        "# inputs: pgm_va=0x{:x} rsrc1=0x{:08x} rsrc2=0x{:08x} rsrc3=0x{:x} user_sgprs=[{}] grid={:?} block={:?} wave{} lds_bytes={} scratch={:?}\n# fence: va=0x{:x} value=0x{:x} bits64={} interrupt={}\n",
        d.pgm_va,
        d.rsrc1,
        d.rsrc2,
        d.rsrc3,
        sgprs.join(","),
        d.grid,
        d.block,
        if d.wave32 { 32 } else { 64 },
        d.lds_bytes,
        d.scratch,
        f.va,
        f.value,
        f.bits64,
        f.interrupt
    )
}

fn single(d: &DispatchDesc, f: Fence) -> String {
    let (cs, _) = build_chain(RecipeOptions::default(), std::slice::from_ref(d), f).unwrap();
    format!("{}{}", describe(d, &f), text(&cs))
}

#[test]
fn dispatch_1d_wave32() {
    insta::assert_snapshot!(single(&base([16, 1, 1], [64, 1, 1], true, 1), fence32()));
}

#[test]
fn dispatch_2d_wave64_fence64() {
    let f = Fence {
        va: FENCE_VA,
        value: 0x1_0000_0002,
        bits64: true,
        interrupt: true,
    };
    insta::assert_snapshot!(single(&base([8, 4, 1], [16, 16, 1], false, 2), f));
}

#[test]
fn dispatch_3d_wave32() {
    insta::assert_snapshot!(single(&base([4, 4, 4], [8, 8, 4], true, 3), fence32()));
}

#[test]
fn static_lds() {
    let mut d = base([32, 1, 1], [256, 1, 1], true, 1);
    d.lds_bytes = 4096; // group_segment_fixed_size
    insta::assert_snapshot!(single(&d, fence32()));
}

#[test]
fn dynamic_lds() {
    let mut d = base([32, 1, 1], [128, 1, 1], false, 1);
    d.lds_bytes = 1024 + 3000; // static + dynamic (`{"lds": 3000}` arg) -> 8 units of 512 B
    insta::assert_snapshot!(single(&d, fence32()));
}

#[test]
fn dynamic_lds_gfx103_granularity() {
    let mut d = base([32, 1, 1], [128, 1, 1], false, 1);
    d.lds_bytes = 1024 + 100; // gfx10.3 allocates 1 KiB granules: 2048 B -> 4 units
    let opts = RecipeOptions {
        gen: Gen::Gfx103,
        ..RecipeOptions::default()
    };
    let (cs, _) = build_chain(opts, &[d], fence32()).unwrap();
    let t = text(&cs);
    assert!(t.contains("LDS_SIZE=4"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn scratch() {
    // private segment buffer (4 SGPRs) + kernarg pointer (2 SGPRs)
    let mut d = base([64, 1, 1], [64, 1, 1], false, 1);
    d.rsrc2 = rsrc2(6, 1) | R2::SCRATCH_EN.set(1);
    d.user_sgprs = vec![0x0040_0000, 0x8000_7FFF, 0xFFFF_FFFF, 0x2700_0000];
    d.user_sgprs.extend(kernarg_sgprs());
    d.scratch = Some(ScratchSetup {
        bytes_per_wave: 256 * 64,
        waves: 160,
    });
    insta::assert_snapshot!(single(&d, fence32()));
}

#[test]
fn chained_ib() {
    const IB_B_VA: u64 = 0x0000_7FFF_0040_0000;
    let opts = RecipeOptions::default();
    let mut b = IbBuilder::new(opts).unwrap();
    b.dispatch(&base([2, 1, 1], [64, 1, 1], true, 1)).unwrap();
    b.fence(fence32()).unwrap();
    let ib_b = b.finish();
    let mut a = IbBuilder::new(opts).unwrap();
    a.dispatch(&base([1, 1, 1], [64, 1, 1], true, 1)).unwrap();
    a.barrier().unwrap();
    a.chain_to(IB_B_VA, ib_b.len_dw() as u32).unwrap();
    let ib_a = a.finish();
    assert_eq!(ib_a.len_dw() % 8, 0);
    insta::assert_snapshot!(format!(
        "# IB A\n{}# IB B at 0x{IB_B_VA:x}\n{}",
        text(&ib_a),
        text(&ib_b)
    ));
}

#[test]
fn three_kernel_dependent_chain() {
    let descs = [
        base([16, 1, 1], [64, 1, 1], true, 1),
        base([4, 4, 1], [16, 16, 1], false, 2),
        {
            let mut d = base([1, 1, 1], [256, 1, 1], true, 1);
            d.lds_bytes = 1024;
            d
        },
    ];
    let (cs, patches) = build_chain(RecipeOptions::default(), &descs, fence32()).unwrap();
    assert_eq!(patches.len(), 3);
    insta::assert_snapshot!(text(&cs));
}

#[test]
fn token_ib_patched() {
    // A pre-built decode-token IB: WRITE_DATA of the token id, two dispatches, fence; then
    // patched in place for the next token.
    let mut ib = IbBuilder::new(RecipeOptions::default()).unwrap();
    let tok = ib.write_data_mem(KERNARG_VA + 0x100, &[0]).unwrap();
    let p = ib.dispatch(&base([16, 1, 1], [64, 1, 1], true, 1)).unwrap();
    ib.barrier().unwrap();
    ib.dispatch(&base([16, 1, 1], [64, 1, 1], true, 1)).unwrap();
    let f = ib.fence(fence32()).unwrap();
    ib.patch(tok, 1234).unwrap();
    ib.patch(p.user_sgpr(0).unwrap(), (KERNARG_VA + 0x40) as u32)
        .unwrap();
    ib.patch(f, 7).unwrap();
    let cs = ib.finish();
    let t = text(&cs);
    assert!(t.contains("data[0]=0x000004d2"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn every_builder_packet_decodes() {
    use pm4::builder::*;
    use pm4::op::sel;
    let mut cs = CmdStream::new();
    cs.context_control(ContextControl::COMPUTE);
    cs.clear_state();
    cs.pfp_sync_me();
    cs.set_sh_reg_index(
        regs::COMPUTE_STATIC_THREAD_MGMT_SE0,
        sel::SH_REG_INDEX_APPLY_KMD_CU_MASK,
        &[!0, !0],
    )
    .unwrap();
    cs.set_uconfig_reg_seq(regs::GRBM_GFX_INDEX, &[0xE000_0000])
        .unwrap();
    cs.set_context_reg_seq(0x28000, &[0]).unwrap();
    cs.dispatch_indirect(0x1000, DispatchInitiator::compute(false))
        .unwrap();
    cs.copy_data(CopyData {
        src_sel: sel::COPY_SRC_TIMESTAMP as u8,
        dst_sel: sel::COPY_DST_MEM as u8,
        count_64: true,
        wr_confirm: true,
        engine_sel: 0,
        src: 0,
        dst: 0x2000,
    });
    cs.dma_data(DmaData {
        src_sel: sel::DMA_SRC_DATA as u8,
        dst_sel: sel::DMA_DST_ADDR_TC_L2 as u8,
        cp_sync: true,
        engine_sel: 0,
        src: 0xDEAD_BEEF,
        dst: 0x3000,
        byte_count: 4096,
        raw_wait: false,
        dis_wc: false,
    })
    .unwrap();
    let w = WaitRegMem {
        function: sel::WAIT_GE as u8,
        mem_space: sel::MEM_SPACE_MEM as u8,
        operation: 0,
        engine_sel: 0,
        addr: 0x4000,
        reference: 0x1_0000_0001,
        mask: u64::MAX,
        poll_interval: 4,
    };
    cs.wait_reg_mem(w);
    cs.wait_reg_mem64(w);
    cs.event_write(
        pm4::op::event::CS_PARTIAL_FLUSH,
        pm4::op::event::INDEX_PARTIAL_FLUSH,
    );
    cs.set_base(1, 0x5000);
    cs.indirect_buffer(0x6000, 16, false).unwrap();
    cs.nop(2);
    cs.type2_nop();
    insta::assert_snapshot!(text(&cs));
}
