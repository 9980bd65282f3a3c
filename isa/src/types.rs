//! The public data model: targets, encodings, operands, modifiers and the
//! decoded instruction. Decoding, printing and encoding all work on these.

use crate::table::{InstrInfo, Op};

/// A GPU target (LLVM `-mcpu` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// RDNA1, Navi 10 (RX 5700 XT). No v_dot*, no v_fmac_legacy.
    Gfx1010,
    /// RDNA1 Navi 12 (has dot instructions).
    Gfx1011,
    /// RDNA1 Navi 14 (has dot instructions).
    Gfx1012,
    /// RDNA2 Navi 21.
    Gfx1030,
}

impl Target {
    /// LLVM processor name, e.g. `gfx1010`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Gfx1010 => "gfx1010",
            Target::Gfx1011 => "gfx1011",
            Target::Gfx1012 => "gfx1012",
            Target::Gfx1030 => "gfx1030",
        }
    }
    /// Parses an LLVM processor name.
    pub fn from_name(s: &str) -> Option<Target> {
        Some(match s {
            "gfx1010" => Target::Gfx1010,
            "gfx1011" => Target::Gfx1011,
            "gfx1012" => Target::Gfx1012,
            "gfx1030" => Target::Gfx1030,
            _ => return None,
        })
    }
    /// Bit of this target in [`InstrInfo::targets`].
    pub fn bit(self) -> u8 {
        match self {
            Target::Gfx1010 => TARGET_GFX1010,
            Target::Gfx1011 | Target::Gfx1012 => TARGET_GFX1011,
            Target::Gfx1030 => TARGET_GFX1030,
        }
    }
    /// True for gfx10.3 (RDNA2).
    pub fn is_gfx1030(self) -> bool {
        matches!(self, Target::Gfx1030)
    }
}

/// [`InstrInfo::targets`] bit: present on gfx1010.
pub const TARGET_GFX1010: u8 = 1;
/// [`InstrInfo::targets`] bit: present on gfx1011/gfx1012.
pub const TARGET_GFX1011: u8 = 2;
/// [`InstrInfo::targets`] bit: present on gfx1030.
pub const TARGET_GFX1030: u8 = 4;

/// Instruction encoding families (the table's key together with the opcode).
///
/// VOP1/VOP2/VOPC instructions decoded from a VOP3 word report `Vop3`; DPP and
/// SDWA forms report their base encoding (`Vop1`/`Vop2`/`Vopc`) with
/// [`Mods::dpp`] / [`Mods::sdwa`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Scalar ALU, one source.
    Sop1,
    /// Scalar ALU, two sources.
    Sop2,
    /// Scalar ALU with a 16-bit immediate.
    Sopk,
    /// Scalar compare.
    Sopc,
    /// Scalar program control (branches, waitcnt, …).
    Sopp,
    /// Scalar memory.
    Smem,
    /// Vector ALU, one source.
    Vop1,
    /// Vector ALU, two sources.
    Vop2,
    /// Vector compare.
    Vopc,
    /// Vector ALU, 64-bit encoding (VOP3a/VOP3b).
    Vop3,
    /// Packed-math vector ALU.
    Vop3p,
    /// Vector interpolation.
    Vintrp,
    /// LDS/GDS.
    Ds,
    /// Untyped buffer memory.
    Mubuf,
    /// Typed buffer memory.
    Mtbuf,
    /// Image memory.
    Mimg,
    /// Flat memory (`flat_*`).
    Flat,
    /// Global memory (`global_*`).
    Global,
    /// Scratch memory (`scratch_*`).
    Scratch,
    /// Export.
    Exp,
}

/// One operand of a decoded instruction.
///
/// Register ranges carry the first index and the count of dwords;
/// `Sgpr { idx: 4, count: 2 }` prints `s[4:5]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Operand {
    /// Absent operand.
    #[default]
    None,
    /// Scalar registers s[idx .. idx+count).
    Sgpr {
        /// First SGPR.
        idx: u8,
        /// Number of dwords.
        count: u8,
    },
    /// Vector registers v[idx .. idx+count).
    Vgpr {
        /// First VGPR.
        idx: u8,
        /// Number of dwords.
        count: u8,
    },
    /// Trap temporaries ttmp[idx .. idx+count).
    Ttmp {
        /// First TTMP.
        idx: u8,
        /// Number of dwords.
        count: u8,
    },
    /// VCC_LO (encoding 106); wave32 `vcc_lo`.
    VccLo,
    /// VCC_HI (107).
    VccHi,
    /// VCC as a 64-bit pair (106, 107).
    Vcc,
    /// EXEC_LO (126).
    ExecLo,
    /// EXEC_HI (127).
    ExecHi,
    /// EXEC pair (126, 127).
    Exec,
    /// M0 (124).
    M0,
    /// NULL (125): reads 0, writes are discarded.
    Null,
    /// SCC (253).
    Scc,
    /// VCCZ (251).
    Vccz,
    /// EXECZ (252).
    Execz,
    /// LDS_DIRECT (254).
    LdsDirect,
    /// Other special source (src_shared_base 235, src_shared_limit 236,
    /// src_private_base 237, src_private_limit 238, src_pops_exiting_wave_id 239):
    /// the raw 9-bit source code.
    SrcSpecial(u16),
    /// Inline integer constant −16..=64 (source codes 128..=208).
    InlineInt(i8),
    /// Inline float constant, source code 240..=248
    /// (0.5, −0.5, 1.0, −1.0, 2.0, −2.0, 4.0, −4.0, 1/(2π)); the value
    /// depends on the operand type, see [`inline_float_bits`].
    InlineFloat(u8),
    /// 32-bit literal dword following the instruction (source code 255).
    Literal(u32),
    /// An immediate field of the encoding (SOPK simm16, SOPP simm16, …).
    Imm(i32),
}

impl Operand {
    /// Decodes a 9-bit VOP source / 8-bit SOP source code for an operand of
    /// `count` dwords. `literal` is used for code 255.
    pub fn from_src(code: u16, count: u8, literal: u32) -> Operand {
        // LLVM decodes SGPR/TTMP tuples aligned: pairs to 2, wider to 4.
        let align: u16 = match count {
            0 | 1 => 1,
            2 => 2,
            _ => 4,
        };
        match code {
            0..=105 => Operand::Sgpr {
                idx: (code & !(align - 1)) as u8,
                count,
            },
            106 if count >= 2 => Operand::Vcc,
            106 => Operand::VccLo,
            107 => Operand::VccHi,
            108..=123 => Operand::Ttmp {
                idx: ((code - 108) & !(align - 1)) as u8,
                count,
            },
            124 => Operand::M0,
            125 => Operand::Null,
            126 if count >= 2 => Operand::Exec,
            126 => Operand::ExecLo,
            127 => Operand::ExecHi,
            128..=192 => Operand::InlineInt((code - 128) as i8),
            193..=208 => Operand::InlineInt(-((code - 192) as i8)),
            240..=248 => Operand::InlineFloat(code as u8),
            251 => Operand::Vccz,
            252 => Operand::Execz,
            253 => Operand::Scc,
            254 => Operand::LdsDirect,
            255 => Operand::Literal(literal),
            256..=511 => Operand::Vgpr {
                idx: (code - 256) as u8,
                count,
            },
            _ => Operand::SrcSpecial(code),
        }
    }

    /// The 9-bit source code of this operand (inverse of [`Operand::from_src`]);
    /// `None` for operands that have no source code (`Imm`, `None`).
    pub fn src_code(self) -> Option<u16> {
        Some(match self {
            Operand::Sgpr { idx, .. } => idx as u16,
            Operand::Vcc | Operand::VccLo => 106,
            Operand::VccHi => 107,
            Operand::Ttmp { idx, .. } => 108 + idx as u16,
            Operand::M0 => 124,
            Operand::Null => 125,
            Operand::Exec | Operand::ExecLo => 126,
            Operand::ExecHi => 127,
            Operand::InlineInt(v) if v >= 0 => 128 + v as u16,
            Operand::InlineInt(v) => (192 - v as i16) as u16,
            Operand::InlineFloat(c) => c as u16,
            Operand::Vccz => 251,
            Operand::Execz => 252,
            Operand::Scc => 253,
            Operand::LdsDirect => 254,
            Operand::Literal(_) => 255,
            Operand::Vgpr { idx, .. } => 256 + idx as u16,
            Operand::SrcSpecial(c) => c,
            Operand::Imm(_) | Operand::None => return None,
        })
    }

    /// True for VGPR operands.
    pub fn is_vgpr(self) -> bool {
        matches!(self, Operand::Vgpr { .. })
    }
}

/// Bits of an inline float constant (source code 240..=248) for an operand
/// of `bits` width (16, 32 or 64).
pub fn inline_float_bits(code: u8, bits: u32) -> u64 {
    const F32: [u32; 9] = [
        0x3f00_0000,
        0xbf00_0000,
        0x3f80_0000,
        0xbf80_0000,
        0x4000_0000,
        0xc000_0000,
        0x4080_0000,
        0xc080_0000,
        0x3e22_f983,
    ];
    const F64: [u64; 9] = [
        0x3fe0_0000_0000_0000,
        0xbfe0_0000_0000_0000,
        0x3ff0_0000_0000_0000,
        0xbff0_0000_0000_0000,
        0x4000_0000_0000_0000,
        0xc000_0000_0000_0000,
        0x4010_0000_0000_0000,
        0xc010_0000_0000_0000,
        0x3fc4_5f30_6dc9_c882,
    ];
    const F16: [u16; 9] = [
        0x3800, 0xb800, 0x3c00, 0xbc00, 0x4000, 0xc000, 0x4400, 0xc400, 0x3118,
    ];
    let i = code.saturating_sub(240).min(8) as usize;
    match bits {
        16 => F16[i] as u64,
        64 => F64[i],
        _ => F32[i] as u64,
    }
}

/// DPP controls (VOP1/VOP2/VOPC with src0 = 0xFA dpp16 or 0xE9/0xEA dpp8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dpp {
    /// DPP16.
    Dpp16 {
        /// The 9-bit DPP_CTRL (quad_perm 0x00..0xFF, row_shl 0x101.., …).
        ctrl: u16,
        /// ROW_MASK (4 bits).
        row_mask: u8,
        /// BANK_MASK (4 bits).
        bank_mask: u8,
        /// BOUND_CTRL.
        bound_ctrl: bool,
        /// FI (fetch inactive).
        fi: bool,
    },
    /// DPP8: lane i of each group of 8 reads lane `sel[i]`.
    Dpp8 {
        /// The eight 3-bit selectors.
        sel: [u8; 8],
        /// FI (0xEA form).
        fi: bool,
    },
}

/// SDWA selects (VOP1/VOP2/VOPC with src0 = 0xF9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sdwa {
    /// dst_sel: 0..=3 BYTE_n, 4 WORD_0, 5 WORD_1, 6 DWORD.
    pub dst_sel: u8,
    /// dst_unused: 0 UNUSED_PAD, 1 UNUSED_SEXT, 2 UNUSED_PRESERVE.
    pub dst_unused: u8,
    /// src0_sel / src1_sel (same codes as dst_sel).
    pub src_sel: [u8; 2],
    /// Sign-extend bit per source.
    pub sext: [bool; 2],
    /// Source 0/1 is a scalar (S0/S1 bit): the operand already says so.
    pub src_sgpr: [bool; 2],
}

/// Modifiers and small fields, shared by all encodings (unused ones are 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mods {
    /// neg bit per source (VOP3/VOP3P neg_lo/neg, SDWA neg).
    pub neg: u8,
    /// abs bit per source (VOP3 abs, SDWA abs); VOP3P: neg_hi.
    pub abs: u8,
    /// clamp.
    pub clamp: bool,
    /// Output modifier: 0 none, 1 mul:2, 2 mul:4, 3 div:2.
    pub omod: u8,
    /// op_sel bits (bit i = source i, bit 3 = destination).
    pub op_sel: u8,
    /// op_sel_hi bits (VOP3P).
    pub op_sel_hi: u8,
    /// DPP controls when the instruction is a DPP form.
    pub dpp: Option<Dpp>,
    /// SDWA selects when the instruction is an SDWA form.
    pub sdwa: Option<Sdwa>,
    /// glc (gfx10 names; on memory ops).
    pub glc: bool,
    /// slc.
    pub slc: bool,
    /// dlc.
    pub dlc: bool,
    /// Memory offset (SMEM 21-bit signed, FLAT 12-bit (signed for
    /// global/scratch), MUBUF/MTBUF 12-bit, DS offset = offset0 | offset1<<8).
    pub offset: i32,
    /// DS offset0 / offset1 (for two-address DS ops; `offset` otherwise).
    pub offset0: u8,
    /// DS offset1.
    pub offset1: u8,
    /// DS gds bit.
    pub gds: bool,
    /// MUBUF/MTBUF offen.
    pub offen: bool,
    /// MUBUF/MTBUF idxen.
    pub idxen: bool,
    /// MUBUF lds.
    pub lds: bool,
    /// MTBUF format (7 bits).
    pub format: u8,
    /// MIMG: dmask, dim, unorm, r128, a16, tfe, lwe, d16 packed into fields.
    pub dmask: u8,
    /// MIMG dim (0..=7).
    pub dim: u8,
    /// MIMG unorm.
    pub unorm: bool,
    /// MIMG r128.
    pub r128: bool,
    /// MIMG a16.
    pub a16: bool,
    /// MIMG/MUBUF tfe.
    pub tfe: bool,
    /// MIMG lwe.
    pub lwe: bool,
    /// MIMG/MUBUF d16.
    pub d16: bool,
    /// EXP: target, enable mask, compr, done, vm.
    pub exp_tgt: u8,
    /// EXP enable mask.
    pub exp_en: u8,
    /// EXP compr.
    pub exp_compr: bool,
    /// EXP done.
    pub exp_done: bool,
    /// EXP vm.
    pub exp_vm: bool,
}

/// Maximum number of operands an [`Instr`] holds.
pub const MAX_OPERANDS: usize = 6;

/// A decoded instruction.
///
/// Operands live in fixed role slots so executors need no table lookups:
///
/// | encoding | `defs[0]` | `defs[1]` | `srcs[0]` | `srcs[1]` | `srcs[2]` | `srcs[3]` |
/// |---|---|---|---|---|---|---|
/// | SOP*/VOP* | sdst/vdst | VOP3b sdst (carry) | src0 | src1 | src2 | – |
/// | SMEM | sdata (loads) | – | sbase | soffset/offset reg | sdata (stores) | – |
/// | DS | vdst | – | addr | data0 | data1 | – |
/// | FLAT/GLOBAL/SCRATCH | vdst | – | vaddr | vdata | saddr | – |
/// | MUBUF/MTBUF | vdata (loads) | – | vaddr | vdata (stores) | srsrc | soffset |
/// | MIMG | vdata (loads) | – | vaddr (first; NSA rest in `nsa`) | srsrc | ssamp | vdata (stores) |
/// | VINTRP, `v_interp_*_e64` | vdst | – | attr (`Imm`) | vsrc / param (`Imm`) | src2 | – |
/// | EXP | – | – | vsrc0 | vsrc1 | vsrc2 | vsrc3 |
/// | SOPK/SOPP | sdst | – | simm16 as `Imm` | – | – | – |
///
/// Implicit operands LLVM prints (e.g. `vcc_lo` of `v_add_co_ci_u32_e32`) are
/// not stored; [`InstrInfo::operands`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instr {
    /// Opcode identity (same for the e32/e64/DPP/SDWA forms of one mnemonic).
    pub op: Op,
    /// Index of the decoded form in [`crate::rows`].
    pub row: u16,
    /// The encoding actually decoded (VOP2 promoted to VOP3 reports `Vop3`).
    pub encoding: Encoding,
    /// Length in bytes (4, 8 or 12).
    pub len: u8,
    /// Destinations.
    pub defs: [Operand; 2],
    /// Sources / memory operands.
    pub srcs: [Operand; 4],
    /// Modifiers and small fields.
    pub mods: Mods,
    /// MIMG NSA extra address VGPRs (vaddr1..); 0 count when not NSA.
    pub nsa: [u8; 12],
    /// Number of valid entries in `nsa`.
    pub nsa_len: u8,
    /// Decoded for wave64 (lane masks are SGPR pairs, VCC prints `vcc`).
    pub wave64: bool,
}

impl Instr {
    /// The table entry of this instruction.
    pub fn info(&self) -> &'static InstrInfo {
        &crate::table::rows()[self.row as usize]
    }
    /// LLVM mnemonic including the encoding suffix (`_e32`, `_e64`, `_dpp`, `_sdwa`)
    /// where LLVM prints one.
    pub fn name(&self) -> &'static str {
        self.info().name
    }
}

/// Why a word did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer bytes than the instruction needs.
    #[error("truncated instruction: need {need} bytes, have {have}")]
    Truncated {
        /// Bytes needed.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// No instruction has this encoding/opcode on this target
    /// (LLVM prints such a word as `.long 0x…`).
    #[error("invalid instruction encoding 0x{word:08x}")]
    Invalid {
        /// The first dword.
        word: u32,
    },
}
