//! PM4 opcodes, the packet header, event types and the per-packet dword layouts: the one
//! opcode table of the crate.
//!
//! Sources: Mesa `src/amd/common/sid.h` (`PKT3_*`, `PKT3()`, `PKT_TYPE_S`, `EVENT_TYPE`,
//! `EOP_*`, `COPY_DATA_*`, `WAIT_REG_MEM_*`), Mesa `src/amd/registers/gfx10.json`
//! (`S_586_*` GCR_CNTL, `S_490_*` RELEASE_MEM), Linux `drivers/gpu/drm/amd/amdgpu/nvd.h`
//! (`PACKET3_*`, `PACKET3_ACQUIRE_MEM_GCR_CNTL_*`, `PACKET3_RELEASE_MEM_*`,
//! `PACKET3_DMA_DATA_*`, `INDIRECT_BUFFER_VALID`, `PACKET3_WAIT_REG_MEM64`).

use crate::field::Field;

/// Type-3 opcodes (`PKT3_*` in Mesa `sid.h`, `PACKET3_*` in the kernel's `nvd.h`).
pub const NOP: u8 = 0x10;
/// `PKT3_SET_BASE`.
pub const SET_BASE: u8 = 0x11;
/// `PKT3_CLEAR_STATE`.
pub const CLEAR_STATE: u8 = 0x12;
/// `PKT3_INDEX_BUFFER_SIZE`.
pub const INDEX_BUFFER_SIZE: u8 = 0x13;
/// `PKT3_DISPATCH_DIRECT`: thread-group counts x, y, z + DISPATCH_INITIATOR.
pub const DISPATCH_DIRECT: u8 = 0x15;
/// `PKT3_DISPATCH_INDIRECT`.
pub const DISPATCH_INDIRECT: u8 = 0x16;
/// `PKT3_ATOMIC_MEM`.
pub const ATOMIC_MEM: u8 = 0x1E;
/// `PKT3_SET_PREDICATION`.
pub const SET_PREDICATION: u8 = 0x20;
/// `PKT3_COND_EXEC`.
pub const COND_EXEC: u8 = 0x22;
/// `PKT3_PRED_EXEC`.
pub const PRED_EXEC: u8 = 0x23;
/// `PKT3_CONTEXT_CONTROL`.
pub const CONTEXT_CONTROL: u8 = 0x28;
/// `PKT3_WRITE_DATA`.
pub const WRITE_DATA: u8 = 0x37;
/// `PKT3_MEM_SEMAPHORE`.
pub const MEM_SEMAPHORE: u8 = 0x39;
/// `PKT3_WAIT_REG_MEM` (7 dwords with header).
pub const WAIT_REG_MEM: u8 = 0x3C;
/// `PKT3_INDIRECT_BUFFER` (gfx7+ form, 4 dwords with header).
pub const INDIRECT_BUFFER: u8 = 0x3F;
/// `PKT3_COPY_DATA`.
pub const COPY_DATA: u8 = 0x40;
/// `PKT3_PFP_SYNC_ME`.
pub const PFP_SYNC_ME: u8 = 0x42;
/// `PKT3_COND_WRITE`.
pub const COND_WRITE: u8 = 0x45;
/// `PKT3_EVENT_WRITE`.
pub const EVENT_WRITE: u8 = 0x46;
/// `PKT3_RELEASE_MEM` (8 dwords with header on gfx9+).
pub const RELEASE_MEM: u8 = 0x49;
/// `PKT3_DMA_DATA`.
pub const DMA_DATA: u8 = 0x50;
/// `PKT3_CONTEXT_REG_RMW`.
pub const CONTEXT_REG_RMW: u8 = 0x51;
/// `PKT3_ACQUIRE_MEM` (8 dwords with header on gfx10: GCR_CNTL last).
pub const ACQUIRE_MEM: u8 = 0x58;
/// `PKT3_REWIND`.
pub const REWIND: u8 = 0x59;
/// `PKT3_LOAD_SH_REG`.
pub const LOAD_SH_REG: u8 = 0x5F;
/// `PKT3_SET_CONFIG_REG`.
pub const SET_CONFIG_REG: u8 = 0x68;
/// `PKT3_SET_CONTEXT_REG`.
pub const SET_CONTEXT_REG: u8 = 0x69;
/// `PKT3_SET_SH_REG`.
pub const SET_SH_REG: u8 = 0x76;
/// `PKT3_SET_SH_REG_OFFSET`.
pub const SET_SH_REG_OFFSET: u8 = 0x77;
/// `PKT3_SET_UCONFIG_REG`.
pub const SET_UCONFIG_REG: u8 = 0x79;
/// `PKT3_SET_UCONFIG_REG_INDEX`.
pub const SET_UCONFIG_REG_INDEX: u8 = 0x7A;
/// `PACKET3_WAIT_REG_MEM64` (kernel `nvd.h`; 9 dwords with header).
pub const WAIT_REG_MEM64: u8 = 0x93;
/// `PKT3_SET_SH_REG_INDEX`.
pub const SET_SH_REG_INDEX: u8 = 0x9B;

/// Type-2 filler packet (`PKT2_NOP_PAD` / `CP_PACKET2`): one dword, no body.
pub const TYPE2_NOP: u32 = 0x8000_0000;

/// Largest body a type-3 packet can carry (count field is 14 bits, count = body - 1).
pub const MAX_BODY_DW: usize = 0x4000;

/// COUNT of `PKT3_NOP_PAD` (Mesa sid.h `PKT3_NOP_PAD = PKT3(PKT3_NOP, 0x3fff, 0)`; the
/// kernel's ring `.nop` in gfx_v10_0.c): this NOP is one header dword with no body.
pub const NOP_PAD_COUNT: u32 = (MAX_BODY_DW - 1) as u32;

/// Body dwords that follow a type-3 `header`: COUNT + 1, except `PKT3_NOP_PAD` (none).
pub fn pkt3_body_dwords(header: u32) -> usize {
    let count = HEADER::COUNT.get(header);
    if HEADER::OPCODE.get(header) as u8 == NOP && count == NOP_PAD_COUNT {
        0
    } else {
        count as usize + 1
    }
}

crate::bitfields! {
    /// The type-3 header (Mesa `PKT_TYPE_S`, `PKT_COUNT_S`, `PKT3_IT_OPCODE_S`,
    /// `PKT3_SHADER_TYPE_S`, `PKT3_PREDICATE`). Type-0 packets use `BASE_INDEX` for the
    /// register and the same COUNT.
    HEADER {
        PREDICATE: 0..=0, SHADER_TYPE: 1..=1, RESET_FILTER_CAM: 2..=2, OPCODE: 8..=15,
        COUNT: 16..=29, TYPE: 30..=31,
    }
    /// Type-0 header low half.
    HEADER0 { BASE_INDEX: 0..=15 }
    /// `SET_SH_REG_INDEX` / `SET_UCONFIG_REG_INDEX` offset dword (Mesa
    /// `radeon_set_sh_reg_idx`: `offset | idx << 28`).
    SET_REG_OFFSET { REG_OFFSET: 0..=15, INDEX: 28..=31 }
    /// `EVENT_WRITE` dword 1 (`EVENT_TYPE`, `EVENT_INDEX`).
    EVENT_WRITE_DW1 { EVENT_TYPE: 0..=5, EVENT_INDEX: 8..=11 }
    /// `RELEASE_MEM` dword 1 (kernel `nvd.h` `PACKET3_RELEASE_MEM_*`).
    RELEASE_MEM_EVENT_CNTL {
        EVENT_TYPE: 0..=5, EVENT_INDEX: 8..=11, GLM_WB: 12..=12, GLM_INV: 13..=13,
        GLV_INV: 14..=14, GL1_INV: 15..=15, GL2_US: 16..=16, GL2_RANGE: 17..=18,
        GL2_DISCARD: 19..=19, GL2_INV: 20..=20, GL2_WB: 21..=21, SEQ: 22..=23,
        CACHE_POLICY: 25..=26, EXECUTE: 28..=28,
    }
    /// `RELEASE_MEM` dword 2 (`EOP_DST_SEL`, `EOP_INT_SEL`, `EOP_DATA_SEL`).
    RELEASE_MEM_DATA_CNTL { DST_SEL: 16..=17, INT_SEL: 24..=26, DATA_SEL: 29..=31 }
    /// `ACQUIRE_MEM` dword 1 on gfx10 (`COHER_CNTL`, unused by compute, + `ENGINE_SEL`).
    ACQUIRE_MEM_COHER_CNTL { COHER_CNTL: 0..=30, ENGINE_SEL: 31..=31 }
    /// `ACQUIRE_MEM` last dword on gfx10: GCR_CNTL (Mesa `S_586_*`).
    GCR_CNTL {
        GLI_INV: 0..=1, GL1_RANGE: 2..=3, GLM_WB: 4..=4, GLM_INV: 5..=5, GLK_WB: 6..=6,
        GLK_INV: 7..=7, GLV_INV: 8..=8, GL1_INV: 9..=9, GL2_US: 10..=10, GL2_RANGE: 11..=12,
        GL2_DISCARD: 13..=13, GL2_INV: 14..=14, GL2_WB: 15..=15, SEQ: 16..=17,
        RANGE_IS_PA: 18..=18,
    }
    /// `ACQUIRE_MEM` POLL_INTERVAL dword.
    POLL_INTERVAL { POLL_INTERVAL: 0..=15 }
    /// `WAIT_REG_MEM` / `WAIT_REG_MEM64` dword 1.
    WAIT_REG_MEM_DW1 {
        FUNCTION: 0..=2, MEM_SPACE: 4..=5, OPERATION: 6..=7, ENGINE_SEL: 8..=9,
        CACHE_POLICY: 25..=26,
    }
    /// `WAIT_REG_MEM` last dword.
    WAIT_REG_MEM_POLL { POLL_INTERVAL: 0..=15, OPTIMIZE_ACE_OFFLOAD_MODE: 31..=31 }
    /// `WRITE_DATA` dword 1 (kernel `WRITE_DATA_DST_SEL`, `WR_ONE_ADDR`, `WR_CONFIRM`).
    WRITE_DATA_DW1 {
        DST_SEL: 8..=11, WR_ONE_ADDR: 16..=16, WR_CONFIRM: 20..=20, CACHE_POLICY: 25..=26,
        ENGINE_SEL: 30..=31,
    }
    /// Buffer resource (V#) dword 1 (Mesa sid.h `S_008F04_BASE_ADDRESS_HI`, `S_008F04_STRIDE`,
    /// `S_008F04_SWIZZLE_ENABLE_GFX6`).
    SQ_BUF_RSRC_WORD1 { BASE_ADDRESS_HI: 0..=15, STRIDE: 16..=29, SWIZZLE_ENABLE: 31..=31 }
    /// Buffer resource (V#) dword 3 (sid.h `S_008F0C_INDEX_STRIDE`, `S_008F0C_ADD_TID_ENABLE`).
    SQ_BUF_RSRC_WORD3 { INDEX_STRIDE: 21..=22, ADD_TID_ENABLE: 23..=23 }
    /// `INDIRECT_BUFFER` dword 3 (Mesa `S_3F2_*`, kernel `INDIRECT_BUFFER_VALID`).
    INDIRECT_BUFFER_DW3 {
        IB_SIZE: 0..=19, CHAIN: 20..=20, PRE_ENA: 21..=21, VALID: 23..=23, VMID: 24..=27,
        CACHE_POLICY: 28..=29, PRE_RESUME: 30..=30,
    }
    /// `COPY_DATA` dword 1 (Mesa `COPY_DATA_*`).
    COPY_DATA_DW1 {
        SRC_SEL: 0..=3, DST_SEL: 8..=11, SRC_CACHE_POLICY: 13..=14, COUNT_SEL: 16..=16,
        WR_CONFIRM: 20..=20, DST_CACHE_POLICY: 25..=26, ENGINE_SEL: 30..=31,
    }
    /// `DMA_DATA` dword 1 (kernel `PACKET3_DMA_DATA_*`).
    DMA_DATA_DW1 {
        ENGINE_SEL: 0..=0, SRC_CACHE_POLICY: 13..=14, DST_SEL: 20..=21,
        DST_CACHE_POLICY: 25..=26, SRC_SEL: 29..=30, CP_SYNC: 31..=31,
    }
    /// `DMA_DATA` COMMAND dword (gfx9+: 26-bit BYTE_COUNT).
    DMA_DATA_CMD {
        BYTE_COUNT: 0..=25, SAS: 26..=26, DAS: 27..=27, SAIC: 28..=28, DAIC: 29..=29,
        RAW_WAIT: 30..=30, DIS_WC: 31..=31,
    }
    /// `CONTEXT_CONTROL` dword 1 (Mesa `CC0_*`).
    CONTEXT_CONTROL_LOAD {
        LOAD_GLOBAL_CONFIG: 0..=0, LOAD_PER_CONTEXT_STATE: 1..=1, LOAD_GLOBAL_UCONFIG: 15..=15,
        LOAD_GFX_SH_REGS: 16..=16, LOAD_CS_SH_REGS: 24..=24, LOAD_CE_RAM: 28..=28,
        UPDATE_LOAD_ENABLES: 31..=31,
    }
    /// `CONTEXT_CONTROL` dword 2 (Mesa `CC1_*`).
    CONTEXT_CONTROL_SHADOW {
        SHADOW_GLOBAL_CONFIG: 0..=0, SHADOW_PER_CONTEXT_STATE: 1..=1,
        SHADOW_GLOBAL_UCONFIG: 15..=15, SHADOW_GFX_SH_REGS: 16..=16, SHADOW_CS_SH_REGS: 24..=24,
        UPDATE_SHADOW_ENABLES: 31..=31,
    }
    /// A plain 32-bit value (addresses, sizes, data).
    VALUE { VALUE: 0..=31 }
}

/// Packet type values (header bits 31:30).
pub mod pkt_type {
    /// Type 0: write `COUNT + 1` consecutive registers from `BASE_INDEX`.
    pub const TYPE0: u32 = 0;
    /// Type 1: reserved (an error in a stream).
    pub const TYPE1: u32 = 1;
    /// Type 2: one-dword filler.
    pub const TYPE2: u32 = 2;
    /// Type 3: opcode packet.
    pub const TYPE3: u32 = 3;
}

/// Build a type-3 header for a packet with `body_dw` payload dwords (Mesa `PKT3(op, count,
/// predicate) | PKT3_SHADER_TYPE_S(compute)` with `count = body_dw - 1`). `body_dw` must be
/// 1..=0x4000 (callers in this crate guarantee it).
#[inline]
pub const fn pkt3(opcode: u8, body_dw: usize, shader_type_compute: bool) -> u32 {
    HEADER::TYPE.set(pkt_type::TYPE3)
        | HEADER::COUNT.set(body_dw as u32 - 1)
        | HEADER::OPCODE.set(opcode as u32)
        | HEADER::SHADER_TYPE.flag(shader_type_compute)
}

/// `VGT_EVENT_TYPE` values used with EVENT_WRITE / RELEASE_MEM (Mesa `V_028A90_*`).
/// CS_PARTIAL_FLUSH (7) and CACHE_FLUSH_AND_INV_TS_EVENT (0x14) are cross-checked against the
/// kernel fence dword `0x06603514` and tinygrad; the others are only decoder names, recalled
/// from Mesa's `VGT_EVENT_TYPE` enum.
pub mod event {
    /// `CACHE_FLUSH_TS`.
    pub const CACHE_FLUSH_TS: u32 = 0x04;
    /// `CS_PARTIAL_FLUSH`: wait for all dispatched compute waves to finish.
    pub const CS_PARTIAL_FLUSH: u32 = 0x07;
    /// `CACHE_FLUSH_AND_INV_TS_EVENT`: end-of-pipe timestamp event (fences).
    pub const CACHE_FLUSH_AND_INV_TS_EVENT: u32 = 0x14;
    /// `BOTTOM_OF_PIPE_TS`.
    pub const BOTTOM_OF_PIPE_TS: u32 = 0x28;
    /// `CS_DONE`.
    pub const CS_DONE: u32 = 0x2F;
    /// `THREAD_TRACE_MARKER`.
    pub const THREAD_TRACE_MARKER: u32 = 0x35;
    /// EVENT_INDEX for `*_PARTIAL_FLUSH` (sid.h comment: "4 - *S_PARTIAL_FLUSH").
    pub const INDEX_PARTIAL_FLUSH: u32 = 4;
    /// EVENT_INDEX for end-of-pipe TS events (sid.h "5 - TS events").
    pub const INDEX_END_OF_PIPE: u32 = 5;
    /// EVENT_INDEX for CS_DONE / PS_DONE (end-of-shader).
    pub const INDEX_END_OF_SHADER: u32 = 6;

    /// Names for the decoder.
    pub const NAMES: &[(u32, &str)] = &[
        (CACHE_FLUSH_TS, "CACHE_FLUSH_TS"),
        (CS_PARTIAL_FLUSH, "CS_PARTIAL_FLUSH"),
        (CACHE_FLUSH_AND_INV_TS_EVENT, "CACHE_FLUSH_AND_INV_TS_EVENT"),
        (BOTTOM_OF_PIPE_TS, "BOTTOM_OF_PIPE_TS"),
        (CS_DONE, "CS_DONE"),
        (THREAD_TRACE_MARKER, "THREAD_TRACE_MARKER"),
    ];

    /// Name of an event type, if known.
    pub fn name(ev: u32) -> Option<&'static str> {
        NAMES.iter().find(|(v, _)| *v == ev).map(|(_, n)| *n)
    }
}

/// Enumerated selector values of packet fields (Mesa `sid.h`, kernel `nvd.h` comments).
pub mod sel {
    /// RELEASE_MEM DATA_SEL: nothing written.
    pub const DATA_SEL_DISCARD: u32 = 0;
    /// RELEASE_MEM DATA_SEL: low 32 bits of DATA.
    pub const DATA_SEL_VALUE_32BIT: u32 = 1;
    /// RELEASE_MEM DATA_SEL: 64-bit DATA.
    pub const DATA_SEL_VALUE_64BIT: u32 = 2;
    /// RELEASE_MEM DATA_SEL: 64-bit GPU clock counter.
    pub const DATA_SEL_TIMESTAMP: u32 = 3;
    /// RELEASE_MEM INT_SEL: no interrupt.
    pub const INT_SEL_NONE: u32 = 0;
    /// RELEASE_MEM INT_SEL: interrupt after the data write is confirmed (kernel fences).
    pub const INT_SEL_IRQ_AFTER_WR_CONFIRM: u32 = 2;
    /// RELEASE_MEM INT_SEL: send data after write confirm, no interrupt (Mesa radv).
    pub const INT_SEL_SEND_DATA_AFTER_WR_CONFIRM: u32 = 3;
    /// RELEASE_MEM DST_SEL: memory controller.
    pub const EOP_DST_SEL_MEM: u32 = 0;
    /// RELEASE_MEM / WRITE_DATA CACHE_POLICY: bypass (kernel fence uses 3).
    pub const CACHE_POLICY_BYPASS: u32 = 3;
    /// WRITE_DATA DST_SEL: memory-mapped register.
    pub const WRITE_DATA_DST_REG: u32 = 0;
    /// WRITE_DATA DST_SEL: memory (async, direct; Mesa `V_370_MEM`).
    pub const WRITE_DATA_DST_MEM: u32 = 5;
    /// WRITE_DATA DST_SEL: L2 (`V_370_TC_L2`).
    pub const WRITE_DATA_DST_TC_L2: u32 = 2;
    /// WAIT_REG_MEM FUNCTION values.
    pub const WAIT_ALWAYS: u32 = 0;
    /// `<`
    pub const WAIT_LT: u32 = 1;
    /// `<=`
    pub const WAIT_LE: u32 = 2;
    /// `==` (Mesa `WAIT_REG_MEM_EQUAL`)
    pub const WAIT_EQ: u32 = 3;
    /// `!=`
    pub const WAIT_NE: u32 = 4;
    /// `>=`
    pub const WAIT_GE: u32 = 5;
    /// `>`
    pub const WAIT_GT: u32 = 6;
    /// WAIT_REG_MEM MEM_SPACE: register.
    pub const MEM_SPACE_REG: u32 = 0;
    /// WAIT_REG_MEM MEM_SPACE: memory.
    pub const MEM_SPACE_MEM: u32 = 1;
    /// COPY_DATA SRC/DST_SEL: register.
    pub const COPY_REG: u32 = 0;
    /// COPY_DATA SRC_SEL: memory.
    pub const COPY_SRC_MEM: u32 = 1;
    /// COPY_DATA SRC/DST_SEL: TC L2.
    pub const COPY_TC_L2: u32 = 2;
    /// COPY_DATA SRC_SEL: immediate (in the src address dwords).
    pub const COPY_SRC_IMM: u32 = 5;
    /// COPY_DATA DST_SEL: memory.
    pub const COPY_DST_MEM: u32 = 5;
    /// COPY_DATA SRC_SEL: GPU timestamp.
    pub const COPY_SRC_TIMESTAMP: u32 = 9;
    /// DMA_DATA SRC_SEL: source address (via DAS/SAS).
    pub const DMA_SRC_ADDR: u32 = 0;
    /// DMA_DATA SRC_SEL: immediate DATA (fill).
    pub const DMA_SRC_DATA: u32 = 2;
    /// DMA_DATA SRC_SEL: source address through L2.
    pub const DMA_SRC_ADDR_TC_L2: u32 = 3;
    /// DMA_DATA DST_SEL: destination address.
    pub const DMA_DST_ADDR: u32 = 0;
    /// DMA_DATA DST_SEL: destination address through L2.
    pub const DMA_DST_ADDR_TC_L2: u32 = 3;
    /// GCR_CNTL GLI_INV: invalidate the whole instruction cache.
    pub const GLI_ALL: u32 = 1;
    /// SET_SH_REG_INDEX INDEX 3: the CP applies the KMD's CU mask (Mesa
    /// `ac_pm4_set_reg_idx3` for `COMPUTE_STATIC_THREAD_MGMT_SE*` / `RSRC3_*`).
    pub const SH_REG_INDEX_APPLY_KMD_CU_MASK: u32 = 3;
}

/// Expected payload size of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLen {
    /// Any size (NOP, unknown layouts).
    Any,
    /// Exactly N dwords.
    Exact(usize),
    /// Between min and max dwords, inclusive.
    Range(usize, usize),
    /// At least N dwords.
    AtLeast(usize),
}

impl BodyLen {
    /// Whether `n` body dwords fit.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            BodyLen::Any => true,
            BodyLen::Exact(e) => n == e,
            BodyLen::Range(lo, hi) => (lo..=hi).contains(&n),
            BodyLen::AtLeast(lo) => n >= lo,
        }
    }
}

/// How the decoder prints a packet body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Raw dwords.
    Raw,
    /// Register writes: offset dword then values; `space` gives the base.
    SetReg(crate::regs::RegSpace),
    /// Like `SetReg` with an INDEX in the offset dword's top bits.
    SetRegIndex(crate::regs::RegSpace),
    /// Named dwords (`dwords`); extra trailing dwords are `data[i]` (WRITE_DATA payload).
    Named,
}

/// One named body dword with its field layout.
#[derive(Debug, Clone, Copy)]
pub struct DwordDesc {
    /// Lower-case name (`addr_lo`, `gcr_cntl`).
    pub name: &'static str,
    /// Fields to print (empty = the value only).
    pub fields: &'static [Field],
}

const fn dw(name: &'static str, fields: &'static [Field]) -> DwordDesc {
    DwordDesc { name, fields }
}
const V: &[Field] = &[];

/// Static description of one opcode.
#[derive(Debug, Clone, Copy)]
pub struct PacketInfo {
    /// Opcode.
    pub opcode: u8,
    /// Mesa name without `PKT3_`.
    pub name: &'static str,
    /// Valid body sizes (gfx10 compute forms).
    pub body: BodyLen,
    /// How to print.
    pub kind: BodyKind,
    /// Named body dwords (for `BodyKind::Named`).
    pub dwords: &'static [DwordDesc],
}

use crate::regs::RegSpace;

/// The packet table: every opcode the builder emits or the decoder names.
pub static PACKETS: &[PacketInfo] = &[
    PacketInfo {
        opcode: NOP,
        name: "NOP",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_BASE,
        name: "SET_BASE",
        body: BodyLen::Exact(3),
        kind: BodyKind::Named,
        dwords: &[dw("base_index", V), dw("addr_lo", V), dw("addr_hi", V)],
    },
    PacketInfo {
        opcode: CLEAR_STATE,
        name: "CLEAR_STATE",
        body: BodyLen::Exact(1),
        kind: BodyKind::Named,
        dwords: &[dw("dummy", V)],
    },
    PacketInfo {
        opcode: INDEX_BUFFER_SIZE,
        name: "INDEX_BUFFER_SIZE",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: DISPATCH_DIRECT,
        name: "DISPATCH_DIRECT",
        body: BodyLen::Exact(4),
        kind: BodyKind::Named,
        dwords: &[
            dw("dim_x", V),
            dw("dim_y", V),
            dw("dim_z", V),
            dw(
                "dispatch_initiator",
                crate::regs::COMPUTE_DISPATCH_INITIATOR::ALL,
            ),
        ],
    },
    PacketInfo {
        opcode: DISPATCH_INDIRECT,
        name: "DISPATCH_INDIRECT",
        // 3 dwords on the compute (MEC) ring (64-bit address), 2 on gfx after SET_BASE.
        body: BodyLen::Range(2, 3),
        kind: BodyKind::Named,
        dwords: &[
            dw("addr_lo", V),
            dw("addr_hi", V),
            dw(
                "dispatch_initiator",
                crate::regs::COMPUTE_DISPATCH_INITIATOR::ALL,
            ),
        ],
    },
    PacketInfo {
        opcode: ATOMIC_MEM,
        name: "ATOMIC_MEM",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_PREDICATION,
        name: "SET_PREDICATION",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: COND_EXEC,
        name: "COND_EXEC",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: PRED_EXEC,
        name: "PRED_EXEC",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: CONTEXT_CONTROL,
        name: "CONTEXT_CONTROL",
        body: BodyLen::Exact(2),
        kind: BodyKind::Named,
        dwords: &[
            dw("load_control", CONTEXT_CONTROL_LOAD::ALL),
            dw("shadow_control", CONTEXT_CONTROL_SHADOW::ALL),
        ],
    },
    PacketInfo {
        opcode: WRITE_DATA,
        name: "WRITE_DATA",
        body: BodyLen::AtLeast(4),
        kind: BodyKind::Named,
        dwords: &[
            dw("control", WRITE_DATA_DW1::ALL),
            dw("addr_lo", V),
            dw("addr_hi", V),
        ],
    },
    PacketInfo {
        opcode: MEM_SEMAPHORE,
        name: "MEM_SEMAPHORE",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: WAIT_REG_MEM,
        name: "WAIT_REG_MEM",
        body: BodyLen::Exact(6),
        kind: BodyKind::Named,
        dwords: &[
            dw("control", WAIT_REG_MEM_DW1::ALL),
            dw("addr_lo", V),
            dw("addr_hi", V),
            dw("reference", V),
            dw("mask", V),
            dw("poll", WAIT_REG_MEM_POLL::ALL),
        ],
    },
    PacketInfo {
        opcode: INDIRECT_BUFFER,
        name: "INDIRECT_BUFFER",
        body: BodyLen::Exact(3),
        kind: BodyKind::Named,
        dwords: &[
            dw("addr_lo", V),
            dw("addr_hi", V),
            dw("control", INDIRECT_BUFFER_DW3::ALL),
        ],
    },
    PacketInfo {
        opcode: COPY_DATA,
        name: "COPY_DATA",
        body: BodyLen::Exact(5),
        kind: BodyKind::Named,
        dwords: &[
            dw("control", COPY_DATA_DW1::ALL),
            dw("src_lo", V),
            dw("src_hi", V),
            dw("dst_lo", V),
            dw("dst_hi", V),
        ],
    },
    PacketInfo {
        opcode: PFP_SYNC_ME,
        name: "PFP_SYNC_ME",
        body: BodyLen::Exact(1),
        kind: BodyKind::Named,
        dwords: &[dw("dummy", V)],
    },
    PacketInfo {
        opcode: COND_WRITE,
        name: "COND_WRITE",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: EVENT_WRITE,
        name: "EVENT_WRITE",
        body: BodyLen::Range(1, 3),
        kind: BodyKind::Named,
        dwords: &[
            dw("event", EVENT_WRITE_DW1::ALL),
            dw("addr_lo", V),
            dw("addr_hi", V),
        ],
    },
    PacketInfo {
        opcode: RELEASE_MEM,
        name: "RELEASE_MEM",
        body: BodyLen::Exact(7),
        kind: BodyKind::Named,
        dwords: &[
            dw("event_cntl", RELEASE_MEM_EVENT_CNTL::ALL),
            dw("data_cntl", RELEASE_MEM_DATA_CNTL::ALL),
            dw("addr_lo", V),
            dw("addr_hi", V),
            dw("data_lo", V),
            dw("data_hi", V),
            dw("int_ctxid", V),
        ],
    },
    PacketInfo {
        opcode: DMA_DATA,
        name: "DMA_DATA",
        body: BodyLen::Exact(6),
        kind: BodyKind::Named,
        dwords: &[
            dw("control", DMA_DATA_DW1::ALL),
            dw("src_lo", V),
            dw("src_hi", V),
            dw("dst_lo", V),
            dw("dst_hi", V),
            dw("command", DMA_DATA_CMD::ALL),
        ],
    },
    PacketInfo {
        opcode: CONTEXT_REG_RMW,
        name: "CONTEXT_REG_RMW",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: ACQUIRE_MEM,
        name: "ACQUIRE_MEM",
        body: BodyLen::Exact(7),
        kind: BodyKind::Named,
        dwords: &[
            dw("coher_cntl", ACQUIRE_MEM_COHER_CNTL::ALL),
            dw("coher_size", V),
            dw("coher_size_hi", V),
            dw("coher_base", V),
            dw("coher_base_hi", V),
            dw("poll_interval", POLL_INTERVAL::ALL),
            dw("gcr_cntl", GCR_CNTL::ALL),
        ],
    },
    PacketInfo {
        opcode: REWIND,
        name: "REWIND",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: LOAD_SH_REG,
        name: "LOAD_SH_REG",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_CONFIG_REG,
        name: "SET_CONFIG_REG",
        body: BodyLen::AtLeast(2),
        kind: BodyKind::SetReg(RegSpace::Config),
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_CONTEXT_REG,
        name: "SET_CONTEXT_REG",
        body: BodyLen::AtLeast(2),
        kind: BodyKind::SetReg(RegSpace::Context),
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_SH_REG,
        name: "SET_SH_REG",
        body: BodyLen::AtLeast(2),
        kind: BodyKind::SetReg(RegSpace::Sh),
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_SH_REG_OFFSET,
        name: "SET_SH_REG_OFFSET",
        body: BodyLen::Any,
        kind: BodyKind::Raw,
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_UCONFIG_REG,
        name: "SET_UCONFIG_REG",
        body: BodyLen::AtLeast(2),
        kind: BodyKind::SetReg(RegSpace::Uconfig),
        dwords: &[],
    },
    PacketInfo {
        opcode: SET_UCONFIG_REG_INDEX,
        name: "SET_UCONFIG_REG_INDEX",
        body: BodyLen::AtLeast(2),
        kind: BodyKind::SetRegIndex(RegSpace::Uconfig),
        dwords: &[],
    },
    PacketInfo {
        opcode: WAIT_REG_MEM64,
        name: "WAIT_REG_MEM64",
        body: BodyLen::Exact(8),
        kind: BodyKind::Named,
        dwords: &[
            dw("control", WAIT_REG_MEM_DW1::ALL),
            dw("addr_lo", V),
            dw("addr_hi", V),
            dw("reference_lo", V),
            dw("reference_hi", V),
            dw("mask_lo", V),
            dw("mask_hi", V),
            dw("poll", WAIT_REG_MEM_POLL::ALL),
        ],
    },
    PacketInfo {
        opcode: SET_SH_REG_INDEX,
        name: "SET_SH_REG_INDEX",
        body: BodyLen::AtLeast(2),
        kind: BodyKind::SetRegIndex(RegSpace::Sh),
        dwords: &[],
    },
];

/// Look an opcode up in [`PACKETS`].
pub fn info(opcode: u8) -> Option<&'static PacketInfo> {
    PACKETS.iter().find(|p| p.opcode == opcode)
}

/// Name of an opcode, if known.
pub fn name(opcode: u8) -> Option<&'static str> {
    info(opcode).map(|p| p.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_mesa_pkt3() {
        // PKT3(PKT3_DISPATCH_DIRECT, 3, 0) | PKT3_SHADER_TYPE_S(1)
        assert_eq!(pkt3(DISPATCH_DIRECT, 4, true), 0xC003_1502);
        // RELEASE_MEM: 8 dwords with header -> count 6
        assert_eq!(pkt3(RELEASE_MEM, 7, false), 0xC006_4900);
        assert_eq!(HEADER::COUNT.get(pkt3(NOP, MAX_BODY_DW, false)), 0x3FFF);
        assert_eq!(pkt3_body_dwords(pkt3(NOP, MAX_BODY_DW, false)), 0);
        assert_eq!(pkt3_body_dwords(pkt3(NOP, MAX_BODY_DW - 1, false)), 0x3FFF);
        assert_eq!(pkt3_body_dwords(pkt3(WRITE_DATA, 4, false)), 4);
    }

    #[test]
    fn table_unique_and_fields_disjoint() {
        for (i, p) in PACKETS.iter().enumerate() {
            assert!(
                PACKETS[i + 1..].iter().all(|q| q.opcode != p.opcode),
                "{}",
                p.name
            );
            for d in p.dwords {
                let mut used = 0u32;
                for f in d.fields {
                    assert_eq!(used & f.mask(), 0, "{}.{}.{}", p.name, d.name, f.name);
                    used |= f.mask();
                }
            }
        }
        assert_eq!(name(ACQUIRE_MEM), Some("ACQUIRE_MEM"));
        assert_eq!(name(0xFF), None);
    }

    #[test]
    fn gcr_cntl_bits_match_design() {
        assert_eq!(GCR_CNTL::GLI_INV.mask(), 0x3);
        assert_eq!(GCR_CNTL::GLK_INV.mask(), 1 << 7);
        assert_eq!(GCR_CNTL::GL2_WB.mask(), 1 << 15);
        assert_eq!(GCR_CNTL::SEQ.mask(), 0x3 << 16);
        assert_eq!(GCR_CNTL::RANGE_IS_PA.mask(), 1 << 18);
        assert!(BodyLen::Range(1, 3).accepts(3) && !BodyLen::Exact(7).accepts(6));
    }
}
