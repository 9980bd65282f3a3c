//! The executor's pre-decoded micro-op form: every instruction resolved once
//! per program to a handler function and fixed operands.

use super::counters::InstClass;
use super::wave::{Env, Wave};

/// A resolved operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Opnd {
    /// No operand.
    #[default]
    None,
    /// Scalar register by hardware encoding (0..=105 SGPRs, 106/107 VCC,
    /// 108..=123 TTMP, 124 M0, 126/127 EXEC). 64-bit reads use `n`, `n+1`.
    S(u16),
    /// Vector register index.
    V(u16),
    /// A constant (inline or literal), already widened for the operand size.
    K(u64),
    /// SCC as a source (encoding 253).
    Scc,
    /// VCCZ (251).
    Vccz,
    /// EXECZ (252).
    Execz,
}

/// SGPR encodings with fixed meaning (LLVM SIRegisterInfo / gfx10 ISA doc).
pub mod sreg {
    /// VCC_LO.
    pub const VCC: u16 = 106;
    /// M0.
    pub const M0: u16 = 124;
    /// SGPR_NULL.
    pub const NULL: u16 = 125;
    /// EXEC_LO.
    pub const EXEC: u16 = 126;
    /// Number of scalar register slots kept per wave (128 encodings plus
    /// slack so 64-bit / quad reads of the last encodings stay in bounds).
    pub const SLOTS: usize = 132;
}

/// SDWA selects (`src*_sel` / `dst_sel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sdwa {
    /// Per source (0, 1): select 0..=3 BYTE_n, 4 WORD_0, 5 WORD_1, 6 DWORD; bit 3 = sext.
    pub src_sel: [u8; 2],
    /// Destination select (0..=6).
    pub dst_sel: u8,
    /// 0 UNUSED_PAD, 1 UNUSED_SEXT, 2 UNUSED_PRESERVE.
    pub dst_unused: u8,
}

/// DPP controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DppCtl {
    /// dpp16 DPP_CTRL value (quad_perm, row_shl … row_xmask).
    Dpp16 {
        /// The 9-bit DPP_CTRL.
        ctrl: u16,
        /// ROW_MASK.
        row_mask: u8,
        /// BANK_MASK.
        bank_mask: u8,
        /// BOUND_CTRL (out-of-range source reads 0 instead of disabling the lane).
        bound_ctrl: bool,
        /// FI: fetch inactive lanes.
        fi: bool,
    },
    /// dpp8: lane i of each group of 8 reads lane `sel[i]`.
    Dpp8 {
        /// The eight 3-bit selectors.
        sel: [u8; 8],
        /// FI.
        fi: bool,
    },
}

/// Source and output modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mods {
    /// neg bit per source (VOP3P: neg_lo).
    pub neg: u8,
    /// abs bit per source (VOP3P: neg_hi).
    pub abs: u8,
    /// Clamp the result.
    pub clamp: bool,
    /// Output modifier: 0 none, 1 ×2, 2 ×4, 3 ÷2.
    pub omod: u8,
    /// op_sel bits (VOP3 f16 halves / VOP3P low halves).
    pub opsel: u8,
    /// op_sel_hi bits (VOP3P).
    pub opsel_hi: u8,
}

/// What happens after an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Fall through.
    Next,
    /// Continue at this uop index.
    Jump(u32),
    /// Continue at a byte offset from the program start (s_setpc).
    JumpOffset(u64),
    /// s_endpgm.
    End,
    /// s_barrier: suspend until the whole workgroup arrives.
    Barrier,
    /// Stop the dispatch; the reason is in `Env::error`.
    Stop,
}

/// A handler: executes one uop on one wave.
pub type Handler = fn(&mut Wave, &mut Env, &Uop) -> Flow;

/// One pre-decoded instruction.
#[derive(Clone)]
pub struct Uop {
    /// The semantics.
    pub f: Handler,
    /// Counter class.
    pub class: InstClass,
    /// Destination (vdst / sdst / data destination).
    pub dst: Opnd,
    /// Second destination (carry-out / VOP3b sdst).
    pub dst2: Opnd,
    /// Sources (src0..src2, or addr/data/data1/soffset for memory ops).
    pub src: [Opnd; 4],
    /// Immediate: offset, simm16, branch target uop index, hwreg, …
    pub imm: i64,
    /// Second immediate (DS offset1, MUBUF flags, dword counts, …).
    pub imm2: i64,
    /// Modifiers.
    pub m: Mods,
    /// SDWA selects when the instruction is SDWA.
    pub sdwa: Option<Sdwa>,
    /// DPP controls when the instruction is DPP.
    pub dpp: Option<DppCtl>,
    /// Byte offset of the instruction from the program start.
    pub pc: u32,
    /// Index into `Program::text` for errors and traces.
    pub text: u32,
}
