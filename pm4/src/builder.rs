//! Typed PM4 packet builders: one emit helper per packet (Mesa `radeon_emit` style), a
//! register writer that picks SET_SH_REG / SET_UCONFIG_REG / SET_CONTEXT_REG from the address
//! and merges runs of consecutive registers into one packet.
//!
//! Every bit position comes from the tables in [`crate::op`] and [`crate::regs`].

use crate::op::{self, pkt3, sel, HEADER};
use crate::regs::{self, RegSpace};

/// Errors from building packets (bad caller input; never a panic).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The address is not in a space an IB can write with SET_*_REG.
    #[error("register 0x{addr:05X} is not in the SH, UCONFIG or CONTEXT register space")]
    NotSettable {
        /// Byte address.
        addr: u32,
    },
    /// Register address not dword aligned.
    #[error("register address 0x{addr:05X} is not dword aligned")]
    Unaligned {
        /// Byte address.
        addr: u32,
    },
    /// A SET_*_REG run would leave its register space.
    #[error("{n} registers from 0x{addr:05X} run past the end of the register space")]
    RunPastSpace {
        /// First byte address.
        addr: u32,
        /// Number of registers.
        n: usize,
    },
    /// A packet payload is empty or longer than the 14-bit count allows.
    #[error("{packet}: payload of {n} dwords is outside 1..=16384")]
    BadPayload {
        /// Packet name.
        packet: &'static str,
        /// Payload dwords.
        n: usize,
    },
    /// An IB size that does not fit the 20-bit IB_SIZE field.
    #[error("indirect buffer of {size_dw} dwords exceeds the 20-bit IB_SIZE field")]
    IbTooLarge {
        /// Size in dwords.
        size_dw: u32,
    },
    /// An address that must be 4-byte aligned is not.
    #[error("{what} address 0x{va:x} is not 4-byte aligned")]
    UnalignedVa {
        /// Which address.
        what: &'static str,
        /// The address.
        va: u64,
    },
    /// Something was emitted after the IB chained to another one (the CP never reads it).
    #[error("packets emitted after an INDIRECT_BUFFER chain would never execute")]
    AfterChain,
    /// Dispatch description problem (recipe).
    #[error("dispatch: {0}")]
    Dispatch(String),
}

/// A growable PM4 command stream (little-endian dwords).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CmdStream {
    dw: Vec<u32>,
}

/// `COMPUTE_DISPATCH_INITIATOR` with named fields (Mesa `S_00B800_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchInitiator {
    /// COMPUTE_SHADER_EN: must be 1.
    pub compute_shader_en: bool,
    /// PARTIAL_TG_EN: NUM_THREAD_*.PARTIAL used for the last group.
    pub partial_tg_en: bool,
    /// FORCE_START_AT_000: ignore COMPUTE_START_X/Y/Z.
    pub force_start_at_000: bool,
    /// USE_THREAD_DIMENSIONS: DIM_* count threads instead of groups.
    pub use_thread_dimensions: bool,
    /// ORDER_MODE (radeonsi sets it on gfx7+; we leave it 0 like tinygrad).
    pub order_mode: bool,
    /// TUNNEL_ENABLE.
    pub tunnel_enable: bool,
    /// CS_W32_EN: wave32 (gfx10+).
    pub cs_w32_en: bool,
}

impl DispatchInitiator {
    /// The initiator our recipe uses: COMPUTE_SHADER_EN | FORCE_START_AT_000 | CS_W32_EN(wave32).
    pub const fn compute(wave32: bool) -> Self {
        DispatchInitiator {
            compute_shader_en: true,
            partial_tg_en: false,
            force_start_at_000: true,
            use_thread_dimensions: false,
            order_mode: false,
            tunnel_enable: false,
            cs_w32_en: wave32,
        }
    }

    /// Encode to the register value.
    pub const fn encode(self) -> u32 {
        use regs::COMPUTE_DISPATCH_INITIATOR as F;
        F::COMPUTE_SHADER_EN.flag(self.compute_shader_en)
            | F::PARTIAL_TG_EN.flag(self.partial_tg_en)
            | F::FORCE_START_AT_000.flag(self.force_start_at_000)
            | F::USE_THREAD_DIMENSIONS.flag(self.use_thread_dimensions)
            | F::ORDER_MODE.flag(self.order_mode)
            | F::TUNNEL_ENABLE.flag(self.tunnel_enable)
            | F::CS_W32_EN.flag(self.cs_w32_en)
    }
}

/// gfx10 GCR_CNTL (last dword of ACQUIRE_MEM), Mesa `S_586_*`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcrCntl {
    /// GLI_INV: 0 none, 1 all ([`sel::GLI_ALL`]), 2 range, 3 first-last.
    pub gli_inv: u8,
    /// GL1_RANGE.
    pub gl1_range: u8,
    /// GLM_WB (metadata cache write-back).
    pub glm_wb: bool,
    /// GLM_INV.
    pub glm_inv: bool,
    /// GLK_WB (scalar cache write-back).
    pub glk_wb: bool,
    /// GLK_INV (scalar L0 / K$).
    pub glk_inv: bool,
    /// GLV_INV (vector L0).
    pub glv_inv: bool,
    /// GL1_INV.
    pub gl1_inv: bool,
    /// GL2_US.
    pub gl2_us: bool,
    /// GL2_RANGE.
    pub gl2_range: u8,
    /// GL2_DISCARD.
    pub gl2_discard: bool,
    /// GL2_INV.
    pub gl2_inv: bool,
    /// GL2_WB.
    pub gl2_wb: bool,
    /// SEQ: 0 parallel, 1 forward, 2 reverse.
    pub seq: u8,
    /// RANGE_IS_PA.
    pub range_is_pa: bool,
}

impl GcrCntl {
    /// Encode to the dword.
    pub const fn encode(self) -> u32 {
        use op::GCR_CNTL as F;
        F::GLI_INV.set(self.gli_inv as u32)
            | F::GL1_RANGE.set(self.gl1_range as u32)
            | F::GLM_WB.flag(self.glm_wb)
            | F::GLM_INV.flag(self.glm_inv)
            | F::GLK_WB.flag(self.glk_wb)
            | F::GLK_INV.flag(self.glk_inv)
            | F::GLV_INV.flag(self.glv_inv)
            | F::GL1_INV.flag(self.gl1_inv)
            | F::GL2_US.flag(self.gl2_us)
            | F::GL2_RANGE.set(self.gl2_range as u32)
            | F::GL2_DISCARD.flag(self.gl2_discard)
            | F::GL2_INV.flag(self.gl2_inv)
            | F::GL2_WB.flag(self.gl2_wb)
            | F::SEQ.set(self.seq as u32)
            | F::RANGE_IS_PA.flag(self.range_is_pa)
    }
}

/// gfx10 ACQUIRE_MEM (8 dwords): wait for / perform cache actions over a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireMem {
    /// CP_COHER_CNTL (unused on gfx10 compute: 0).
    pub coher_cntl: u32,
    /// CP_COHER_SIZE (lo dword) and CP_COHER_SIZE_HI (hi dword), 256-byte units; Mesa's full
    /// range writes 0xFFFFFFFF / 0xFFFFFF.
    pub coher_size: u64,
    /// CP_COHER_BASE (lo) and CP_COHER_BASE_HI (hi), 256-byte units.
    pub coher_base: u64,
    /// POLL_INTERVAL (Mesa: 10).
    pub poll_interval: u16,
    /// The cache actions.
    pub gcr: GcrCntl,
}

impl AcquireMem {
    /// Whole address space, Mesa's values (`gfx10_cs_emit_cache_flush`: size 0xffffffff,
    /// size_hi 0xffffff, base 0, poll 10).
    pub const fn full_range(gcr: GcrCntl) -> Self {
        AcquireMem {
            coher_cntl: 0,
            coher_size: 0x00FF_FFFF_FFFF_FFFF,
            coher_base: 0,
            poll_interval: 10,
            gcr,
        }
    }
}

/// RELEASE_MEM (8 dwords on gfx9+): an end-of-pipe event, cache actions, then a data write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseMem {
    /// EVENT_TYPE ([`op::event`]).
    pub event_type: u32,
    /// EVENT_INDEX (5 = end-of-pipe TS events, 6 = CS_DONE).
    pub event_index: u32,
    /// GLM_WB.
    pub glm_wb: bool,
    /// GLM_INV.
    pub glm_inv: bool,
    /// GLV_INV.
    pub glv_inv: bool,
    /// GL1_INV.
    pub gl1_inv: bool,
    /// GL2_INV.
    pub gl2_inv: bool,
    /// GL2_WB.
    pub gl2_wb: bool,
    /// SEQ.
    pub seq: u8,
    /// CACHE_POLICY of the data write (3 = bypass, as the kernel's fence).
    pub cache_policy: u8,
    /// DST_SEL (0 = memory).
    pub dst_sel: u8,
    /// INT_SEL ([`sel::INT_SEL_NONE`] ...).
    pub int_sel: u8,
    /// DATA_SEL ([`sel::DATA_SEL_VALUE_32BIT`] ...).
    pub data_sel: u8,
    /// Destination address (4-byte aligned; 8 for 64-bit data).
    pub addr: u64,
    /// Data (low 32 bits for DATA_SEL 1).
    pub data: u64,
    /// INT_CTXID.
    pub int_ctxid: u32,
}

/// WAIT_REG_MEM (7 dwords) or, with 64-bit reference/mask, WAIT_REG_MEM64 (9 dwords).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitRegMem {
    /// FUNCTION ([`sel::WAIT_EQ`] ...).
    pub function: u8,
    /// MEM_SPACE: 0 register, 1 memory.
    pub mem_space: u8,
    /// OPERATION: 0 wait, 1 write-wait-write register.
    pub operation: u8,
    /// ENGINE_SEL: 0 ME, 1 PFP.
    pub engine_sel: u8,
    /// Memory address (or register dword address in the low word for MEM_SPACE 0).
    pub addr: u64,
    /// Reference value.
    pub reference: u64,
    /// Mask.
    pub mask: u64,
    /// POLL_INTERVAL.
    pub poll_interval: u16,
}

/// WRITE_DATA control (payload passed separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteData {
    /// DST_SEL ([`sel::WRITE_DATA_DST_MEM`] ...).
    pub dst_sel: u8,
    /// Destination address (register dword address for DST_SEL 0).
    pub addr: u64,
    /// WR_ONE_ADDR: every dword to the same address.
    pub wr_one_addr: bool,
    /// WR_CONFIRM: wait for the write to land.
    pub wr_confirm: bool,
    /// CACHE_POLICY.
    pub cache_policy: u8,
    /// ENGINE_SEL: 0 ME, 1 PFP.
    pub engine_sel: u8,
}

/// COPY_DATA (6 dwords).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyData {
    /// SRC_SEL ([`sel::COPY_SRC_MEM`] ...).
    pub src_sel: u8,
    /// DST_SEL ([`sel::COPY_DST_MEM`] ...).
    pub dst_sel: u8,
    /// COUNT_SEL: copy 64 bits.
    pub count_64: bool,
    /// WR_CONFIRM.
    pub wr_confirm: bool,
    /// ENGINE_SEL.
    pub engine_sel: u8,
    /// Source address / register / immediate value.
    pub src: u64,
    /// Destination address / register.
    pub dst: u64,
}

/// DMA_DATA (7 dwords): CP DMA copy or fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DmaData {
    /// SRC_SEL ([`sel::DMA_SRC_ADDR_TC_L2`], [`sel::DMA_SRC_DATA`] ...).
    pub src_sel: u8,
    /// DST_SEL ([`sel::DMA_DST_ADDR_TC_L2`] ...).
    pub dst_sel: u8,
    /// CP_SYNC: the CP waits for the DMA before the next packet.
    pub cp_sync: bool,
    /// ENGINE_SEL: 0 ME, 1 PFP.
    pub engine_sel: u8,
    /// Source address or fill DATA (low 32 bits).
    pub src: u64,
    /// Destination address.
    pub dst: u64,
    /// BYTE_COUNT (26 bits).
    pub byte_count: u32,
    /// RAW_WAIT.
    pub raw_wait: bool,
    /// DIS_WC: disable write confirm.
    pub dis_wc: bool,
}

/// CONTEXT_CONTROL load/shadow enables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextControl {
    /// Dword 1 (CC0_*).
    pub load: u32,
    /// Dword 2 (CC1_*).
    pub shadow: u32,
}

impl ContextControl {
    /// Mesa's compute-queue setting: update enables, load/shadow CS SH registers.
    pub const COMPUTE: ContextControl = ContextControl {
        load: op::CONTEXT_CONTROL_LOAD::UPDATE_LOAD_ENABLES.set(1)
            | op::CONTEXT_CONTROL_LOAD::LOAD_CS_SH_REGS.set(1),
        shadow: op::CONTEXT_CONTROL_SHADOW::UPDATE_SHADOW_ENABLES.set(1)
            | op::CONTEXT_CONTROL_SHADOW::SHADOW_CS_SH_REGS.set(1),
    };
}

fn lo(v: u64) -> u32 {
    v as u32
}
fn hi(v: u64) -> u32 {
    (v >> 32) as u32
}

/// Space and offset dword of a SET_*_REG run, checked.
fn set_reg_target(addr: u32, n: usize) -> Result<(RegSpace, u8, u32), BuildError> {
    if !addr.is_multiple_of(4) {
        return Err(BuildError::Unaligned { addr });
    }
    let space = RegSpace::of(addr).ok_or(BuildError::NotSettable { addr })?;
    let opcode = match space {
        RegSpace::Sh => op::SET_SH_REG,
        RegSpace::Uconfig => op::SET_UCONFIG_REG,
        RegSpace::Context => op::SET_CONTEXT_REG,
        RegSpace::Config => return Err(BuildError::NotSettable { addr }),
    };
    if n == 0 || n >= op::MAX_BODY_DW {
        return Err(BuildError::BadPayload {
            packet: "SET_*_REG",
            n,
        });
    }
    if addr as u64 + 4 * n as u64 > space.end() as u64 {
        return Err(BuildError::RunPastSpace { addr, n });
    }
    Ok((space, opcode, (addr - space.base()) >> 2))
}

impl CmdStream {
    /// Empty stream.
    pub fn new() -> Self {
        CmdStream { dw: Vec::new() }
    }

    /// Empty stream with room for `dw` dwords.
    pub fn with_capacity(dw: usize) -> Self {
        CmdStream {
            dw: Vec::with_capacity(dw),
        }
    }

    /// Dwords emitted so far (also the dword index of the next one).
    #[inline]
    pub fn len_dw(&self) -> usize {
        self.dw.len()
    }

    /// Whether nothing was emitted.
    pub fn is_empty(&self) -> bool {
        self.dw.is_empty()
    }

    /// The dwords.
    pub fn as_slice(&self) -> &[u32] {
        &self.dw
    }

    /// Mutable dwords (for patching in place).
    pub fn as_mut_slice(&mut self) -> &mut [u32] {
        &mut self.dw
    }

    /// Little-endian bytes (the IB BO contents).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.dw.iter().flat_map(|d| d.to_le_bytes()).collect()
    }

    /// Take the dwords.
    pub fn into_vec(self) -> Vec<u32> {
        self.dw
    }

    /// Drop everything (keeps capacity).
    pub fn clear(&mut self) {
        self.dw.clear();
    }

    /// Reserve room for `n` more dwords.
    #[inline]
    pub fn reserve(&mut self, n: usize) {
        self.dw.reserve(n);
    }

    /// Append raw dwords (already-encoded packets).
    #[inline]
    pub fn extend(&mut self, dws: &[u32]) {
        self.dw.extend_from_slice(dws);
    }

    /// Append one raw dword (`radeon_emit`).
    #[inline]
    pub fn emit(&mut self, v: u32) {
        self.dw.push(v);
    }

    /// Append a whole type-3 packet: header + body. The shader-type bit is set only when
    /// `compute` (Mesa sets it on DISPATCH_* only).
    pub fn pkt3(&mut self, opcode: u8, body: &[u32], compute: bool) -> Result<(), BuildError> {
        if body.is_empty() || body.len() > op::MAX_BODY_DW {
            return Err(BuildError::BadPayload {
                packet: op::name(opcode).unwrap_or("PKT3"),
                n: body.len(),
            });
        }
        self.dw.push(pkt3(opcode, body.len(), compute));
        self.dw.extend_from_slice(body);
        Ok(())
    }

    // The helpers below have fixed, valid payload sizes, so they write directly.
    #[inline]
    fn fixed(&mut self, opcode: u8, body: &[u32], compute: bool) {
        self.dw.push(pkt3(opcode, body.len(), compute));
        self.dw.extend_from_slice(body);
    }

    /// One type-2 filler dword.
    pub fn type2_nop(&mut self) {
        self.dw.push(op::TYPE2_NOP);
    }

    /// `total_dw` dwords of NOP: one header-only `PKT3_NOP_PAD` (count 0x3FFF) for 1, else
    /// `PKT3(NOP, total-2)` with a zero body (what the kernel's `insert_nop` does).
    pub fn nop(&mut self, total_dw: usize) {
        match total_dw {
            0 => {}
            1 => self.dw.push(pkt3(op::NOP, op::MAX_BODY_DW, false)),
            n => {
                let mut left = n;
                while left > 0 {
                    // A single NOP can cover at most MAX_BODY_DW - 1 body dwords (count 0x3FFF
                    // means header-only), so split very long pads.
                    let chunk = left.min(op::MAX_BODY_DW);
                    if chunk == 1 {
                        self.dw.push(pkt3(op::NOP, op::MAX_BODY_DW, false));
                    } else {
                        self.dw.push(pkt3(op::NOP, chunk - 1, false));
                        self.dw.resize(self.dw.len() + chunk - 1, 0);
                    }
                    left -= chunk;
                }
            }
        }
    }

    /// Pad with NOPs until `len_dw() % align == rem` (Mesa pads IBs to `ib_pad_dw_mask + 1`).
    pub fn pad_to(&mut self, align: usize, rem: usize) {
        if align <= 1 {
            return;
        }
        let need = (align + rem - self.dw.len() % align) % align;
        self.nop(need);
    }

    /// SET_SH_REG of `values.len()` consecutive SH registers from byte address `addr`
    /// (Mesa `radeon_set_sh_reg_seq` + emits). Returns the dword index of the first value.
    pub fn set_sh_reg_seq(&mut self, addr: u32, values: &[u32]) -> Result<usize, BuildError> {
        let (space, _, off) = set_reg_target(addr, values.len())?;
        if space != RegSpace::Sh {
            return Err(BuildError::NotSettable { addr });
        }
        Ok(self.emit_set(op::SET_SH_REG, off, values))
    }

    /// One SH register.
    pub fn set_sh_reg(&mut self, addr: u32, value: u32) -> Result<usize, BuildError> {
        self.set_sh_reg_seq(addr, &[value])
    }

    /// SET_SH_REG_INDEX: like SET_SH_REG with INDEX in the offset dword (Mesa
    /// `radeon_set_sh_reg_idx`; index 3 = apply the KMD CU mask).
    pub fn set_sh_reg_index(
        &mut self,
        addr: u32,
        index: u32,
        values: &[u32],
    ) -> Result<usize, BuildError> {
        let (space, _, off) = set_reg_target(addr, values.len())?;
        if space != RegSpace::Sh {
            return Err(BuildError::NotSettable { addr });
        }
        let off = op::SET_REG_OFFSET::REG_OFFSET.set(off) | op::SET_REG_OFFSET::INDEX.set(index);
        Ok(self.emit_set(op::SET_SH_REG_INDEX, off, values))
    }

    /// SET_UCONFIG_REG run.
    pub fn set_uconfig_reg_seq(&mut self, addr: u32, values: &[u32]) -> Result<usize, BuildError> {
        let (space, _, off) = set_reg_target(addr, values.len())?;
        if space != RegSpace::Uconfig {
            return Err(BuildError::NotSettable { addr });
        }
        Ok(self.emit_set(op::SET_UCONFIG_REG, off, values))
    }

    /// SET_CONTEXT_REG run.
    pub fn set_context_reg_seq(&mut self, addr: u32, values: &[u32]) -> Result<usize, BuildError> {
        let (space, _, off) = set_reg_target(addr, values.len())?;
        if space != RegSpace::Context {
            return Err(BuildError::NotSettable { addr });
        }
        Ok(self.emit_set(op::SET_CONTEXT_REG, off, values))
    }

    #[inline]
    fn emit_set(&mut self, opcode: u8, off: u32, values: &[u32]) -> usize {
        self.dw.push(pkt3(opcode, values.len() + 1, false));
        self.dw.push(off);
        let first = self.dw.len();
        self.dw.extend_from_slice(values);
        first
    }

    /// `wreg`: write consecutive registers from `addr`, choosing the SET packet from the
    /// address range (tinygrad `wreg`). Returns the dword index of the first value.
    pub fn wreg(&mut self, addr: u32, values: &[u32]) -> Result<usize, BuildError> {
        let (_, opcode, off) = set_reg_target(addr, values.len())?;
        Ok(self.emit_set(opcode, off, values))
    }

    /// Write `(addr, value)` pairs in order, merging each run of consecutive addresses in the
    /// same space into one packet (Mesa's `_seq` runs). Returns, per pair, the dword index of
    /// its value (for patch points) through `positions` if given.
    pub fn wregs(
        &mut self,
        pairs: &[(u32, u32)],
        mut positions: Option<&mut Vec<usize>>,
    ) -> Result<(), BuildError> {
        let mut i = 0;
        while i < pairs.len() {
            let start = pairs[i].0;
            let space = RegSpace::of(start);
            let mut j = i + 1;
            while j < pairs.len()
                && pairs[j].0 == pairs[j - 1].0.wrapping_add(4)
                && RegSpace::of(pairs[j].0) == space
                && j - i < op::MAX_BODY_DW - 1
            {
                j += 1;
            }
            let (_, opcode, off) = set_reg_target(start, j - i)?;
            self.dw.push(pkt3(opcode, j - i + 1, false));
            self.dw.push(off);
            if let Some(p) = positions.as_deref_mut() {
                let first = self.dw.len();
                p.extend(first..first + (j - i));
            }
            self.dw.extend(pairs[i..j].iter().map(|(_, v)| *v));
            i = j;
        }
        Ok(())
    }

    /// DISPATCH_DIRECT (shader-type bit set). Returns the dword index of `dim_x`.
    pub fn dispatch_direct(&mut self, dim: [u32; 3], initiator: DispatchInitiator) -> usize {
        self.fixed(
            op::DISPATCH_DIRECT,
            &[dim[0], dim[1], dim[2], initiator.encode()],
            true,
        );
        self.dw.len() - 4
    }

    /// DISPATCH_INDIRECT, compute-ring form: 64-bit address of `{x, y, z}` group counts.
    pub fn dispatch_indirect(
        &mut self,
        va: u64,
        initiator: DispatchInitiator,
    ) -> Result<(), BuildError> {
        if !va.is_multiple_of(4) {
            return Err(BuildError::UnalignedVa {
                what: "DISPATCH_INDIRECT",
                va,
            });
        }
        self.fixed(
            op::DISPATCH_INDIRECT,
            &[lo(va), hi(va), initiator.encode()],
            true,
        );
        Ok(())
    }

    /// INDIRECT_BUFFER (VALID set). With `chain`, the CP continues in the target IB and never
    /// returns (Mesa IB chaining, `S_3F2_CHAIN`).
    pub fn indirect_buffer(
        &mut self,
        va: u64,
        size_dw: u32,
        chain: bool,
    ) -> Result<(), BuildError> {
        use op::INDIRECT_BUFFER_DW3 as F;
        if !va.is_multiple_of(4) {
            return Err(BuildError::UnalignedVa {
                what: "INDIRECT_BUFFER",
                va,
            });
        }
        if size_dw > F::IB_SIZE.value_mask() {
            return Err(BuildError::IbTooLarge { size_dw });
        }
        let ctl = F::IB_SIZE.set(size_dw) | F::CHAIN.flag(chain) | F::VALID.set(1);
        self.fixed(op::INDIRECT_BUFFER, &[lo(va), hi(va), ctl], false);
        Ok(())
    }

    /// WRITE_DATA of `data` (1.. dwords). Returns the dword index of `data[0]` (patch point).
    pub fn write_data(&mut self, w: WriteData, data: &[u32]) -> Result<usize, BuildError> {
        use op::WRITE_DATA_DW1 as F;
        if data.is_empty() || data.len() + 3 > op::MAX_BODY_DW {
            return Err(BuildError::BadPayload {
                packet: "WRITE_DATA",
                n: data.len() + 3,
            });
        }
        if w.dst_sel as u32 != sel::WRITE_DATA_DST_REG && !w.addr.is_multiple_of(4) {
            return Err(BuildError::UnalignedVa {
                what: "WRITE_DATA",
                va: w.addr,
            });
        }
        let ctl = F::DST_SEL.set(w.dst_sel as u32)
            | F::WR_ONE_ADDR.flag(w.wr_one_addr)
            | F::WR_CONFIRM.flag(w.wr_confirm)
            | F::CACHE_POLICY.set(w.cache_policy as u32)
            | F::ENGINE_SEL.set(w.engine_sel as u32);
        self.dw.push(pkt3(op::WRITE_DATA, data.len() + 3, false));
        self.dw.extend_from_slice(&[ctl, lo(w.addr), hi(w.addr)]);
        let first = self.dw.len();
        self.dw.extend_from_slice(data);
        Ok(first)
    }

    fn wait_control(w: &WaitRegMem) -> u32 {
        use op::WAIT_REG_MEM_DW1 as F;
        F::FUNCTION.set(w.function as u32)
            | F::MEM_SPACE.set(w.mem_space as u32)
            | F::OPERATION.set(w.operation as u32)
            | F::ENGINE_SEL.set(w.engine_sel as u32)
    }

    /// WAIT_REG_MEM (32-bit reference and mask; no shader-type bit, as the kernel).
    pub fn wait_reg_mem(&mut self, w: WaitRegMem) {
        let poll = op::WAIT_REG_MEM_POLL::POLL_INTERVAL.set(w.poll_interval as u32);
        let ctl = Self::wait_control(&w);
        self.fixed(
            op::WAIT_REG_MEM,
            &[
                ctl,
                lo(w.addr),
                hi(w.addr),
                lo(w.reference),
                lo(w.mask),
                poll,
            ],
            false,
        );
    }

    /// WAIT_REG_MEM64 (64-bit reference and mask, memory only).
    pub fn wait_reg_mem64(&mut self, w: WaitRegMem) {
        let poll = op::WAIT_REG_MEM_POLL::POLL_INTERVAL.set(w.poll_interval as u32);
        let ctl = Self::wait_control(&w);
        self.fixed(
            op::WAIT_REG_MEM64,
            &[
                ctl,
                lo(w.addr),
                hi(w.addr),
                lo(w.reference),
                hi(w.reference),
                lo(w.mask),
                hi(w.mask),
                poll,
            ],
            false,
        );
    }

    /// EVENT_WRITE without address (e.g. CS_PARTIAL_FLUSH, index 4).
    pub fn event_write(&mut self, event_type: u32, event_index: u32) {
        use op::EVENT_WRITE_DW1 as F;
        self.fixed(
            op::EVENT_WRITE,
            &[F::EVENT_TYPE.set(event_type) | F::EVENT_INDEX.set(event_index)],
            false,
        );
    }

    /// `EVENT_WRITE(CS_PARTIAL_FLUSH, 4)`: wait until all earlier dispatches finished.
    pub fn cs_partial_flush(&mut self) {
        self.event_write(op::event::CS_PARTIAL_FLUSH, op::event::INDEX_PARTIAL_FLUSH);
    }

    /// RELEASE_MEM (gfx10: 8 dwords). Returns the dword index of `data_lo` (patch point).
    pub fn release_mem(&mut self, r: ReleaseMem) -> Result<usize, BuildError> {
        use op::RELEASE_MEM_DATA_CNTL as D;
        use op::RELEASE_MEM_EVENT_CNTL as E;
        let align = if r.data_sel as u32 == sel::DATA_SEL_VALUE_32BIT {
            4
        } else {
            8
        };
        if r.data_sel as u32 != sel::DATA_SEL_DISCARD && !r.addr.is_multiple_of(align) {
            return Err(BuildError::UnalignedVa {
                what: "RELEASE_MEM",
                va: r.addr,
            });
        }
        let ev = E::EVENT_TYPE.set(r.event_type)
            | E::EVENT_INDEX.set(r.event_index)
            | E::GLM_WB.flag(r.glm_wb)
            | E::GLM_INV.flag(r.glm_inv)
            | E::GLV_INV.flag(r.glv_inv)
            | E::GL1_INV.flag(r.gl1_inv)
            | E::GL2_INV.flag(r.gl2_inv)
            | E::GL2_WB.flag(r.gl2_wb)
            | E::SEQ.set(r.seq as u32)
            | E::CACHE_POLICY.set(r.cache_policy as u32);
        let data = D::DST_SEL.set(r.dst_sel as u32)
            | D::INT_SEL.set(r.int_sel as u32)
            | D::DATA_SEL.set(r.data_sel as u32);
        self.fixed(
            op::RELEASE_MEM,
            &[
                ev,
                data,
                lo(r.addr),
                hi(r.addr),
                lo(r.data),
                hi(r.data),
                r.int_ctxid,
            ],
            false,
        );
        Ok(self.dw.len() - 3)
    }

    /// ACQUIRE_MEM, gfx10 form (8 dwords, GCR_CNTL last; no shader-type bit, as Mesa's
    /// `gfx10_cs_emit_cache_flush`).
    pub fn acquire_mem(&mut self, a: AcquireMem) {
        self.fixed(
            op::ACQUIRE_MEM,
            &[
                a.coher_cntl,
                lo(a.coher_size),
                hi(a.coher_size),
                lo(a.coher_base),
                hi(a.coher_base),
                op::POLL_INTERVAL::POLL_INTERVAL.set(a.poll_interval as u32),
                a.gcr.encode(),
            ],
            false,
        );
    }

    /// COPY_DATA.
    pub fn copy_data(&mut self, c: CopyData) {
        use op::COPY_DATA_DW1 as F;
        let ctl = F::SRC_SEL.set(c.src_sel as u32)
            | F::DST_SEL.set(c.dst_sel as u32)
            | F::COUNT_SEL.flag(c.count_64)
            | F::WR_CONFIRM.flag(c.wr_confirm)
            | F::ENGINE_SEL.set(c.engine_sel as u32);
        self.fixed(
            op::COPY_DATA,
            &[ctl, lo(c.src), hi(c.src), lo(c.dst), hi(c.dst)],
            false,
        );
    }

    /// DMA_DATA (CP DMA).
    pub fn dma_data(&mut self, d: DmaData) -> Result<(), BuildError> {
        use op::DMA_DATA_CMD as C;
        use op::DMA_DATA_DW1 as F;
        if d.byte_count > C::BYTE_COUNT.value_mask() {
            return Err(BuildError::BadPayload {
                packet: "DMA_DATA byte_count",
                n: d.byte_count as usize,
            });
        }
        let ctl = F::ENGINE_SEL.set(d.engine_sel as u32)
            | F::DST_SEL.set(d.dst_sel as u32)
            | F::SRC_SEL.set(d.src_sel as u32)
            | F::CP_SYNC.flag(d.cp_sync);
        let cmd = C::BYTE_COUNT.set(d.byte_count)
            | C::RAW_WAIT.flag(d.raw_wait)
            | C::DIS_WC.flag(d.dis_wc);
        self.fixed(
            op::DMA_DATA,
            &[ctl, lo(d.src), hi(d.src), lo(d.dst), hi(d.dst), cmd],
            false,
        );
        Ok(())
    }

    /// CONTEXT_CONTROL.
    pub fn context_control(&mut self, c: ContextControl) {
        self.fixed(op::CONTEXT_CONTROL, &[c.load, c.shadow], false);
    }

    /// CLEAR_STATE (dummy dword 0).
    pub fn clear_state(&mut self) {
        self.fixed(op::CLEAR_STATE, &[0], false);
    }

    /// PFP_SYNC_ME (dummy dword 0): the PFP waits for the ME.
    pub fn pfp_sync_me(&mut self) {
        self.fixed(op::PFP_SYNC_ME, &[0], false);
    }

    /// SET_BASE (base index, 64-bit address), for the gfx-ring DISPATCH_INDIRECT form.
    pub fn set_base(&mut self, base_index: u32, va: u64) {
        self.fixed(op::SET_BASE, &[base_index, lo(va), hi(va)], true);
    }
}

/// Header type-3 fields of a dword, for tests and tools.
pub fn header_opcode(h: u32) -> u8 {
    HEADER::OPCODE.get(h) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regs::*;

    #[test]
    fn wreg_picks_packet_by_space() {
        let mut cs = CmdStream::new();
        cs.wreg(COMPUTE_PGM_LO, &[1, 2]).unwrap();
        cs.wreg(CP_COHER_START_DELAY, &[0x20]).unwrap();
        cs.wreg(0x28000, &[7]).unwrap();
        assert_eq!(
            cs.as_slice(),
            &[
                pkt3(op::SET_SH_REG, 3, false),
                0x20C,
                1,
                2,
                pkt3(op::SET_UCONFIG_REG, 2, false),
                0x7B,
                0x20,
                pkt3(op::SET_CONTEXT_REG, 2, false),
                0,
                7
            ]
        );
        assert_eq!(
            cs.wreg(0x8000, &[0]),
            Err(BuildError::NotSettable { addr: 0x8000 })
        );
        assert_eq!(
            cs.wreg(0xB802, &[0]),
            Err(BuildError::Unaligned { addr: 0xB802 })
        );
        assert_eq!(
            cs.wreg(0xBFFC, &[0, 0]),
            Err(BuildError::RunPastSpace { addr: 0xBFFC, n: 2 })
        );
        assert!(cs.set_sh_reg(CP_COHER_START_DELAY, 0).is_err());
    }

    #[test]
    fn wregs_merges_runs_including_se2_gap() {
        let mut cs = CmdStream::new();
        let pairs = [
            (COMPUTE_RESOURCE_LIMITS, 0),
            (COMPUTE_STATIC_THREAD_MGMT_SE0, 0xFFFF_FFFF),
            (COMPUTE_STATIC_THREAD_MGMT_SE1, 0xFFFF_FFFF),
            (COMPUTE_TMPRING_SIZE, 0),
            (COMPUTE_STATIC_THREAD_MGMT_SE2, 0xFFFF_FFFF),
            (COMPUTE_STATIC_THREAD_MGMT_SE3, 0xFFFF_FFFF),
            (COMPUTE_PGM_RSRC3, 0),
        ];
        let mut pos = Vec::new();
        cs.wregs(&pairs, Some(&mut pos)).unwrap();
        let d = cs.as_slice();
        assert_eq!(d[0], pkt3(op::SET_SH_REG, 7, false));
        assert_eq!(d[1], 0x215);
        assert_eq!(d[8], pkt3(op::SET_SH_REG, 2, false));
        assert_eq!(d[9], 0x228);
        assert_eq!(pos, vec![2, 3, 4, 5, 6, 7, 10]);
        assert_eq!(d.len(), 11);
    }

    #[test]
    fn nop_forms() {
        let mut cs = CmdStream::new();
        cs.nop(1);
        assert_eq!(cs.as_slice(), &[0xFFFF_1000]);
        cs.clear();
        cs.nop(3);
        assert_eq!(cs.as_slice(), &[0xC001_1000, 0, 0]);
        cs.clear();
        cs.emit(0);
        cs.pad_to(8, 4);
        assert_eq!(cs.len_dw(), 4);
        cs.pad_to(8, 0);
        assert_eq!(cs.len_dw(), 8);
        cs.clear();
        cs.nop(op::MAX_BODY_DW + 1);
        assert_eq!(cs.len_dw(), op::MAX_BODY_DW + 1);
    }

    #[test]
    fn fixed_packets_have_design_lengths() {
        let mut cs = CmdStream::new();
        cs.acquire_mem(AcquireMem::full_range(GcrCntl {
            gl2_inv: true,
            ..Default::default()
        }));
        assert_eq!(cs.len_dw(), 8);
        assert_eq!(cs.as_slice()[2..5], [0xFFFF_FFFF, 0xFF_FFFF, 0]);
        assert_eq!(cs.as_slice()[7], 1 << 14);
        cs.clear();
        cs.wait_reg_mem(WaitRegMem {
            function: 3,
            mem_space: 1,
            operation: 0,
            engine_sel: 0,
            addr: 0x1000,
            reference: 1,
            mask: 0xFFFF_FFFF,
            poll_interval: 4,
        });
        assert_eq!(cs.len_dw(), 7);
        assert_eq!(
            cs.as_slice()[0] & HEADER::SHADER_TYPE.mask(),
            0,
            "no shader-type bit"
        );
        cs.clear();
        let p = cs
            .release_mem(ReleaseMem {
                event_type: op::event::CACHE_FLUSH_AND_INV_TS_EVENT,
                event_index: 5,
                glm_wb: false,
                glm_inv: false,
                glv_inv: false,
                gl1_inv: false,
                gl2_inv: false,
                gl2_wb: true,
                seq: 1,
                cache_policy: 3,
                dst_sel: 0,
                int_sel: 0,
                data_sel: 2,
                addr: 0x2000,
                data: 0x1_0000_0002,
                int_ctxid: 0,
            })
            .unwrap();
        assert_eq!(cs.len_dw(), 8);
        assert_eq!(cs.as_slice()[p..p + 2], [2, 1]);
        assert_eq!(cs.as_slice()[0] & HEADER::SHADER_TYPE.mask(), 0);
        cs.clear();
        assert_eq!(
            cs.dispatch_direct([1, 2, 3], DispatchInitiator::compute(true)),
            1
        );
        assert_eq!(cs.as_slice()[0], 0xC003_1502);
        assert_eq!(cs.as_slice()[4], 1 | 4 | (1 << 15));
        cs.clear();
        cs.indirect_buffer(0x1_0000_1000, 64, true).unwrap();
        assert_eq!(
            cs.as_slice(),
            &[0xC002_3F00, 0x1000, 1, 64 | (1 << 20) | (1 << 23)]
        );
        assert!(cs.indirect_buffer(2, 1, false).is_err());
        assert!(cs.indirect_buffer(0, 1 << 20, false).is_err());
    }
}
