//! Generic decoder: classify the encoding from the top bits, look the opcode
//! up in the table, check the fields the form does not use are zero (as LLVM
//! does), then fill the operand slots the table row describes.

use std::sync::OnceLock;

use crate::table::{flags, rows, ConstKind, InstrInfo, Op, Slot};
use crate::types::{DecodeError, Dpp, Encoding, Instr, Mods, Operand, Sdwa, Target};

const NENC: usize = 20;
const NTGT: usize = 3;

fn enc_index(e: Encoding) -> usize {
    e as usize
}

fn tgt_index(t: Target) -> usize {
    match t {
        Target::Gfx1010 => 0,
        Target::Gfx1011 | Target::Gfx1012 => 1,
        Target::Gfx1030 => 2,
    }
}

struct Lut {
    /// [target][encoding] -> opcode -> row index (u16::MAX = none).
    map: Vec<Vec<u16>>,
    /// op -> first row.
    first: Vec<u16>,
    /// op -> its VOP3 row (u16::MAX = none): source modifier kinds of the
    /// DPP/SDWA forms.
    vop3: Vec<u16>,
}

fn lut() -> &'static Lut {
    static LUT: OnceLock<Lut> = OnceLock::new();
    LUT.get_or_init(|| {
        let mut map = vec![vec![u16::MAX; 1024]; NENC * NTGT];
        let mut first = vec![u16::MAX; 2048];
        for (i, r) in rows().iter().enumerate() {
            for t in 0..NTGT {
                if r.targets & (1 << t) != 0 {
                    let m = &mut map[t * NENC + enc_index(r.encoding)];
                    if m[r.opcode as usize] == u16::MAX {
                        m[r.opcode as usize] = i as u16;
                    }
                }
            }
            let f = &mut first[r.op as usize];
            if *f == u16::MAX {
                *f = i as u16;
            }
        }
        let mut vop3 = vec![u16::MAX; 2048];
        for (i, r) in rows().iter().enumerate() {
            if r.encoding == Encoding::Vop3 && vop3[r.op as usize] == u16::MAX {
                vop3[r.op as usize] = i as u16;
            }
        }
        Lut { map, first, vop3 }
    })
}

/// VOP3 modifier kinds (`OpndDesc::mods`) of sources 0 and 1 of `op`.
pub(crate) fn vop3_src_mods(op: Op) -> [u8; 2] {
    let mut m = [0u8; 2];
    if let Some(r) = rows().get(lut().vop3[op as usize] as usize) {
        for d in r.operands {
            match d.slot {
                Slot::Src0 => m[0] = d.mods,
                Slot::Src1 => m[1] = d.mods,
                _ => {}
            }
        }
    }
    m
}

pub(crate) fn first_row_of(op: Op) -> usize {
    lut().first[op as usize] as usize
}

/// Row index of (target, encoding, opcode), if the table has one.
pub(crate) fn find_row(target: Target, enc: Encoding, opcode: u16) -> Option<usize> {
    let r = *lut().map[tgt_index(target) * NENC + enc_index(enc)].get(opcode as usize)?;
    (r != u16::MAX).then_some(r as usize)
}

fn dword(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i * 4..i * 4 + 4)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Classifies the encoding of a first dword and extracts its opcode field.
fn classify(w: u32) -> Option<(Encoding, u16, usize)> {
    // (encoding, opcode, base length in dwords)
    if w >> 31 == 0 {
        return Some(match w >> 25 {
            0x3F => (Encoding::Vop1, ((w >> 9) & 0xFF) as u16, 1),
            0x3E => (Encoding::Vopc, ((w >> 17) & 0xFF) as u16, 1),
            _ => (Encoding::Vop2, ((w >> 25) & 0x3F) as u16, 1),
        });
    }
    if w >> 30 == 0b10 {
        return Some(match w >> 23 {
            0x17D => (Encoding::Sop1, ((w >> 8) & 0xFF) as u16, 1),
            0x17E => (Encoding::Sopc, ((w >> 16) & 0x7F) as u16, 1),
            0x17F => (Encoding::Sopp, ((w >> 16) & 0x7F) as u16, 1),
            _ if w >> 28 == 0xB => (Encoding::Sopk, ((w >> 23) & 0x1F) as u16, 1),
            _ => (Encoding::Sop2, ((w >> 23) & 0x7F) as u16, 1),
        });
    }
    Some(match w >> 26 {
        0x35 => (Encoding::Vop3, ((w >> 16) & 0x3FF) as u16, 2),
        // VOP3P: bits 31:23 = 0b1100_1100_0 (bit 23 set is not an instruction)
        0x33 if w >> 23 == 0x198 => (Encoding::Vop3p, ((w >> 16) & 0x7F) as u16, 2),
        0x36 => (Encoding::Ds, ((w >> 18) & 0xFF) as u16, 2),
        0x37 => {
            let enc = match (w >> 14) & 3 {
                0 => Encoding::Flat,
                1 => Encoding::Scratch,
                2 => Encoding::Global,
                _ => return None,
            };
            (enc, ((w >> 18) & 0x7F) as u16, 2)
        }
        // MUBUF: opcode bit 7 is bit 25 (buffer_*_format_d16_* are 0x80..)
        0x38 => (Encoding::Mubuf, ((w >> 18) & 0xFF) as u16, 2),
        // MTBUF: opcode bits 2:0 here, bit 3 is dword 1 bit 21 (added by `decode`).
        0x3A => (Encoding::Mtbuf, ((w >> 16) & 7) as u16, 2),
        0x32 => (Encoding::Vintrp, ((w >> 16) & 3) as u16, 1),
        0x3E => (Encoding::Exp, 0, 2),
        0x3C => (
            Encoding::Mimg,
            (((w >> 18) & 0x7F) | (w & 1) << 7) as u16,
            2,
        ),
        0x3D => (Encoding::Smem, ((w >> 18) & 0xFF) as u16, 2),
        _ => return None,
    })
}

/// Field extraction for one encoding: (dst, src0, src1, src2, imm, sdst) raw values
/// and the bit masks of each field in dwords 0/1.
struct Fields {
    raw: [u32; 7],
}

fn fields_of(enc: Encoding, d0: u32, d1: u32) -> Fields {
    let mut raw = [0u32; 7];
    match enc {
        Encoding::Sop2 => {
            raw[0] = (d0 >> 16) & 0x7F;
            raw[1] = d0 & 0xFF;
            raw[2] = (d0 >> 8) & 0xFF;
        }
        Encoding::Sopk => {
            raw[0] = (d0 >> 16) & 0x7F;
            raw[4] = d0 & 0xFFFF;
        }
        Encoding::Sop1 => {
            raw[0] = (d0 >> 16) & 0x7F;
            raw[1] = d0 & 0xFF;
        }
        Encoding::Sopc => {
            raw[1] = d0 & 0xFF;
            raw[2] = (d0 >> 8) & 0xFF;
        }
        Encoding::Sopp => raw[4] = d0 & 0xFFFF,
        Encoding::Smem => {
            raw[0] = (d0 >> 6) & 0x7F;
            raw[1] = (d0 & 0x3F) << 1;
            raw[2] = d1 >> 25;
            raw[5] = d1 & 0x1F_FFFF;
        }
        Encoding::Vop2 => {
            raw[0] = (d0 >> 17) & 0xFF;
            raw[1] = d0 & 0x1FF;
            raw[2] = 256 + ((d0 >> 9) & 0xFF);
        }
        Encoding::Vop1 => {
            raw[0] = (d0 >> 17) & 0xFF;
            raw[1] = d0 & 0x1FF;
        }
        Encoding::Vopc => {
            raw[1] = d0 & 0x1FF;
            raw[2] = 256 + ((d0 >> 9) & 0xFF);
        }
        Encoding::Vop3 | Encoding::Vop3p => {
            raw[0] = d0 & 0xFF;
            raw[1] = d1 & 0x1FF;
            raw[2] = (d1 >> 9) & 0x1FF;
            raw[3] = (d1 >> 18) & 0x1FF;
            raw[6] = (d0 >> 8) & 0x7F;
        }
        Encoding::Ds => {
            raw[0] = d1 >> 24;
            raw[1] = d1 & 0xFF;
            raw[2] = (d1 >> 8) & 0xFF;
            raw[3] = (d1 >> 16) & 0xFF;
        }
        Encoding::Flat | Encoding::Global | Encoding::Scratch => {
            raw[0] = d1 >> 24;
            raw[1] = d1 & 0xFF;
            raw[2] = (d1 >> 8) & 0xFF;
            raw[3] = (d1 >> 16) & 0x7F;
        }
        Encoding::Vintrp => {
            raw[0] = (d0 >> 18) & 0xFF;
            // attr (bits 15:10) and chan (9:8), normalised to the VOP3 src0
            // layout attr | chan << 6 shared by both interp encodings.
            raw[1] = ((d0 >> 10) & 0x3F) | ((d0 >> 8) & 3) << 6;
            raw[2] = d0 & 0xFF;
        }
        Encoding::Mubuf | Encoding::Mtbuf => {
            raw[0] = (d1 >> 8) & 0xFF;
            raw[1] = d1 & 0xFF;
            raw[2] = d1 >> 24;
            raw[3] = ((d1 >> 16) & 0x1F) << 2;
        }
        _ => {}
    }
    Fields { raw }
}

/// Which raw field feeds a slot of a row (encoding-specific role mapping).
fn field_for(enc: Encoding, info: &InstrInfo, slot: Slot) -> usize {
    use Encoding::*;
    match (enc, slot) {
        (Vop3, Slot::Def1) => 6,
        (Smem, Slot::Src2) => 0, // store data lives in the sdata field
        (Smem, Slot::Src1) => 2,
        (Mubuf | Mtbuf, Slot::Src1) => 0, // store data is the vdata field
        (Mubuf | Mtbuf, Slot::Src2) => 3,
        (Mubuf | Mtbuf, Slot::Src3) => 2,
        (Flat | Global | Scratch, Slot::Src2) => 3,
        (Flat | Global | Scratch, Slot::Src1) => 2,
        (Sopk | Sopp, Slot::Src0) => 4,
        (_, Slot::Def0) => 0,
        (_, Slot::Src0) => 1,
        (_, Slot::Src1) => 2,
        (_, Slot::Src2) => 3,
        _ => {
            let _ = info;
            0
        }
    }
}

/// Is this slot an 8-bit VGPR field (no S/V selector bit)?
fn is_vgpr_field(enc: Encoding, slot: Slot, info: &InstrInfo) -> bool {
    use Encoding::*;
    match enc {
        Ds => true,
        Flat | Global | Scratch => matches!(slot, Slot::Def0 | Slot::Src0 | Slot::Src1),
        Mubuf | Mtbuf => matches!(slot, Slot::Def0 | Slot::Src0 | Slot::Src1),
        Vintrp => matches!(slot, Slot::Def0 | Slot::Src1),
        Vop1 | Vop2 | Vop3 | Vop3p => slot == Slot::Def0 && !info.has(flags::SCALAR_DST),
        _ => false,
    }
}

/// Decodes one instruction from little-endian bytes.
///
/// `wave64` selects the width of lane-mask operands (VCC vs VCC_LO, SGPR
/// pairs for VOPC/VOP3b destinations).
pub fn decode(bytes: &[u8], target: Target, wave64: bool) -> Result<Instr, DecodeError> {
    let d0 = dword(bytes, 0).ok_or(DecodeError::Truncated {
        need: 4,
        have: bytes.len(),
    })?;
    let invalid = DecodeError::Invalid { word: d0 };
    let (enc, mut opcode, base_dw) = classify(d0).ok_or(invalid)?;
    let d1 = if base_dw == 2 {
        dword(bytes, 1).ok_or(DecodeError::Truncated {
            need: 8,
            have: bytes.len(),
        })?
    } else {
        0
    };
    if enc == Encoding::Mtbuf {
        opcode |= (((d1 >> 21) & 1) << 3) as u16;
    }
    let row = find_row(target, enc, opcode).ok_or(invalid)?;
    let info = &rows()[row];
    if enc == Encoding::Exp {
        return Ok(decode_exp(info, row, d0, d1, wave64));
    }
    if enc == Encoding::Mimg {
        return decode_mimg(bytes, info, row, d0, d1, wave64);
    }
    if d0 & info.must_zero[0] != 0 || d1 & info.must_zero[1] != 0 {
        return Err(invalid);
    }
    let f = fields_of(enc, d0, d1);
    // Atomics without glc are the no-return form: no vdst.
    let atomic_noret = info.has(flags::ATOMIC)
        && matches!(enc, Encoding::Flat | Encoding::Global | Encoding::Scratch)
        && d0 & (1 << 16) == 0;
    let used = if atomic_noret {
        info.fields & !1
    } else {
        info.fields
    };
    // No-return atomics ignore the vdst field.
    let ignored = info.ignored | atomic_noret as u8;
    // FLAT (segment 0) has no saddr: the field must hold `off` (0x7D).
    if enc == Encoding::Flat && f.raw[3] != 0x7D {
        return Err(invalid);
    }
    // lds loads: the data operand is LDS, so tfe (extra data dword) is invalid.
    let lds = match enc {
        Encoding::Mubuf => info.has(flags::LDS) && d0 & (1 << 16) != 0,
        Encoding::Flat | Encoding::Global | Encoding::Scratch => {
            info.has(flags::LDS) && d0 & (1 << 13) != 0
        }
        _ => false,
    };
    if lds && enc == Encoding::Mubuf && d1 & (1 << 23) != 0 {
        return Err(invalid);
    }
    // Unused fields must be zero (LLVM's decoder tables fix them to 0).
    for (bit, &v) in f.raw.iter().enumerate() {
        if bit == 2 && matches!(enc, Encoding::Vop2 | Encoding::Vopc) {
            continue;
        }
        if bit == 2 && enc == Encoding::Smem {
            continue;
        }
        if bit == 3 && matches!(enc, Encoding::Flat | Encoding::Global | Encoding::Scratch) {
            continue;
        }
        if bit == 6 && enc != Encoding::Vop3 {
            continue;
        }
        if bit == 6 && info.fields & (1 << 6) == 0 {
            continue; // VOP3a: bits 14:8 are abs/op_sel, checked via must_zero
        }
        if (used | ignored) & (1 << bit) == 0 && v != 0 {
            return Err(invalid);
        }
    }
    let mut len = base_dw * 4;
    let mut mods = Mods::default();
    let mut src0_code = f.raw[1];
    let mut sdwa_d1 = None;
    let mut dpp_d1 = None;
    // DPP / SDWA forms of VOP1/VOP2/VOPC.
    if matches!(enc, Encoding::Vop1 | Encoding::Vop2 | Encoding::Vopc)
        && matches!(src0_code, 0xF9 | 0xFA | 0xE9 | 0xEA)
        && info.operands.iter().all(|o| o.dwords == 1)
        && info.operands.iter().any(|o| o.slot == Slot::Src0)
    {
        let x = dword(bytes, 1).ok_or(DecodeError::Truncated {
            need: 8,
            have: bytes.len(),
        })?;
        len = 8;
        match src0_code {
            0xF9 => sdwa_d1 = Some(x),
            _ => dpp_d1 = Some(x),
        }
        src0_code = 256 + (x & 0xFF);
        if src0_code == 0xF9 + 256 {
            // keep compiler happy about the reassignment pattern
        }
        // gfx10 has no VOPC DPP; DPP/SDWA need a VGPR destination and no K literal.
        let no_ext = (enc == Encoding::Vopc && dpp_d1.is_some())
            || info.has(flags::SCALAR_DST)
            || info.operands.iter().any(|o| o.slot == Slot::LiteralK);
        let no_form = match f.raw[1] {
            0xFA => info.has(flags::NO_DPP16),
            0xE9 | 0xEA => info.has(flags::NO_DPP8),
            _ => info.has(flags::NO_SDWA),
        };
        // VOP1 SDWA: the src1 select byte must be 0; VOPC SDWA v_cmpx has no sdst.
        let bad_sdwa = sdwa_d1.is_some_and(|x| {
            (enc == Encoding::Vop1 && x >> 24 != 0)
                || (enc == Encoding::Vopc
                    && x & (1 << 15) != 0
                    && !info.operands.iter().any(|o| o.slot == Slot::ImplicitVcc))
        });
        if no_ext || no_form || bad_sdwa {
            return Err(invalid);
        }
    }
    // A literal follows when a used 9-bit/8-bit source field holds 255, or
    // the form has a K constant (v_madmk, s_setreg_imm32).
    let used_src = |b: usize, code: u32| info.fields & (1 << b) != 0 && code == 255;
    let needs_lit = match enc {
        Encoding::Sop1 | Encoding::Sop2 | Encoding::Sopc => {
            used_src(1, f.raw[1]) || used_src(2, f.raw[2])
        }
        Encoding::Vop1 | Encoding::Vop2 | Encoding::Vopc => {
            used_src(1, src0_code) || info.operands.iter().any(|o| o.slot == Slot::LiteralK)
        }
        Encoding::Vop3 | Encoding::Vop3p => info.operands.iter().any(|o| {
            let b = match o.slot {
                // an SGPR destination field holding 255 also reads a literal
                Slot::Def0 if info.has(flags::SCALAR_DST) => return f.raw[0] == 255,
                Slot::Src0 => 1,
                Slot::Src1 => 2,
                Slot::Src2 => 3,
                _ => return false,
            };
            !matches!(o.konst, ConstKind::Attr | ConstKind::Param | ConstKind::Imm)
                && used_src(b, f.raw[b])
        }),
        Encoding::Sopk => info.operands.iter().any(|o| o.slot == Slot::LiteralK),
        // soffset 255: a literal follows
        Encoding::Mubuf | Encoding::Mtbuf => {
            info.operands.iter().any(|o| o.slot == Slot::Src3) && f.raw[2] == 255
        }
        _ => false,
    };
    let mut literal = 0;
    if needs_lit {
        literal = dword(bytes, len / 4).ok_or(DecodeError::Truncated {
            need: len + 4,
            have: bytes.len(),
        })?;
        len += 4;
    }
    let mut defs = [Operand::None; 2];
    let mut srcs = [Operand::None; 4];
    for o in info.operands {
        let count = if o.wave && wave64 {
            o.dwords * 2
        } else {
            o.dwords
        };
        let put = |slot: Slot, op: Operand, defs: &mut [Operand; 2], srcs: &mut [Operand; 4]| {
            match slot {
                Slot::Def0 => defs[0] = op,
                Slot::Def1 => defs[1] = op,
                Slot::Src0 => srcs[0] = op,
                Slot::Src1 => srcs[1] = op,
                Slot::Src2 => srcs[2] = op,
                Slot::Src3 => srcs[3] = op,
                _ => {}
            }
        };
        let op = match o.slot {
            Slot::ImplicitVcc | Slot::Off => continue,
            Slot::Def0 if atomic_noret => continue,
            Slot::LiteralK => {
                srcs[3] = Operand::Literal(literal);
                continue;
            }
            Slot::Src0 if matches!(enc, Encoding::Sopk | Encoding::Sopp) => {
                Operand::Imm(f.raw[4] as u16 as i16 as i32)
            }
            s => {
                let fi = field_for(enc, info, s);
                let code = if fi == 1 { src0_code } else { f.raw[fi] };
                if matches!(o.konst, ConstKind::Attr | ConstKind::Param | ConstKind::Imm) {
                    Operand::Imm(code as i32)
                } else if is_vgpr_field(enc, s, info) {
                    Operand::Vgpr {
                        idx: code as u8,
                        count,
                    }
                } else {
                    Operand::from_src(code as u16, count, literal)
                }
            }
        };
        // M0, VCC_HI, EXEC_HI and LDS_DIRECT do not start a register tuple.
        if count >= 2
            && matches!(
                op,
                Operand::M0 | Operand::VccHi | Operand::ExecHi | Operand::LdsDirect
            )
        {
            return Err(invalid);
        }
        put(o.slot, op, &mut defs, &mut srcs);
    }
    // MUBUF forms without an address (buffer_gl*_inv) take no offen/idxen.
    if enc == Encoding::Mubuf
        && !info.operands.iter().any(|o| o.slot == Slot::Src0)
        && d0 & (3 << 12) != 0
    {
        return Err(invalid);
    }
    // Modifiers.
    match enc {
        Encoding::Vop3 => {
            mods.clamp = d0 & (1 << 15) != 0;
            if info.fields & (1 << 6) == 0 {
                mods.abs = ((d0 >> 8) & 7) as u8;
                mods.op_sel = ((d0 >> 11) & 0xF) as u8;
            }
            mods.omod = ((d1 >> 27) & 3) as u8;
            mods.neg = (d1 >> 29) as u8;
        }
        Encoding::Vop3p => {
            mods.clamp = d0 & (1 << 15) != 0;
            mods.abs = ((d0 >> 8) & 7) as u8; // neg_hi
            mods.op_sel = ((d0 >> 11) & 7) as u8;
            mods.op_sel_hi = (((d1 >> 27) & 3) | ((d0 >> 12) & 4)) as u8;
            mods.neg = (d1 >> 29) as u8;
        }
        Encoding::Smem => {
            if info.operands.iter().any(|o| o.slot == Slot::Src0) {
                srcs[1] = Operand::from_src(f.raw[2] as u16, 1, 0);
            }
            mods.glc = d0 & (1 << 16) != 0;
            mods.dlc = d0 & (1 << 14) != 0;
            mods.offset = (((d1 & 0x1F_FFFF) << 11) as i32) >> 11;
        }
        Encoding::Ds => {
            mods.offset0 = d0 as u8;
            mods.offset1 = (d0 >> 8) as u8;
            mods.offset = (d0 & 0xFFFF) as i32;
            mods.gds = d0 & (1 << 17) != 0;
        }
        Encoding::Flat | Encoding::Global | Encoding::Scratch => {
            if enc == Encoding::Scratch {
                srcs[2] = Operand::from_src(f.raw[3] as u16, 1, 0);
                let lds_form = d0 & (1 << 13) != 0;
                if f.raw[3] == 0x7F
                    && (info.has(flags::SADDR_7F_OFF)
                        || (lds_form && info.has(flags::SADDR_7F_OFF_LDS)))
                {
                    // gfx10.3: neither vaddr nor saddr (printed `off, off`)
                    srcs[2] = Operand::Null;
                    srcs[0] = Operand::None;
                } else if srcs[2] != Operand::Null {
                    srcs[0] = Operand::None; // SS mode: no vaddr
                }
            }
            let off = d0 & 0xFFF;
            mods.offset = if enc == Encoding::Flat {
                off as i32 // 12-bit unsigned
            } else {
                ((off << 20) as i32) >> 20
            };
            mods.dlc = d0 & (1 << 12) != 0;
            mods.lds = d0 & (1 << 13) != 0;
            mods.glc = d0 & (1 << 16) != 0;
            mods.slc = d0 & (1 << 17) != 0;
            if lds {
                defs[0] = Operand::None; // the data goes to LDS
            }
        }
        Encoding::Mubuf => {
            mods.offset = (d0 & 0xFFF) as i32;
            mods.offen = d0 & (1 << 12) != 0;
            mods.idxen = d0 & (1 << 13) != 0;
            mods.glc = d0 & (1 << 14) != 0;
            mods.dlc = d0 & (1 << 15) != 0;
            mods.lds = d0 & (1 << 16) != 0;
            mods.slc = d1 & (1 << 22) != 0;
            mods.tfe = d1 & (1 << 23) != 0;
            if lds {
                defs[0] = Operand::None; // the data goes to LDS
            }
            widen_tfe(&mut defs, &mut srcs, mods.tfe);
        }
        Encoding::Mtbuf => {
            mods.offset = (d0 & 0xFFF) as i32;
            mods.offen = d0 & (1 << 12) != 0;
            mods.idxen = d0 & (1 << 13) != 0;
            mods.glc = d0 & (1 << 14) != 0;
            mods.dlc = d0 & (1 << 15) != 0;
            mods.format = ((d0 >> 19) & 0x7F) as u8;
            mods.slc = d1 & (1 << 22) != 0;
            mods.tfe = d1 & (1 << 23) != 0;
            widen_tfe(&mut defs, &mut srcs, mods.tfe);
        }
        _ => {}
    }
    if let Some(x) = dpp_d1 {
        mods.dpp = Some(if src0_code_is_dpp8(f.raw[1]) {
            let mut sel = [0u8; 8];
            for (i, s) in sel.iter_mut().enumerate() {
                *s = ((x >> (8 + 3 * i)) & 7) as u8;
            }
            Dpp::Dpp8 {
                sel,
                fi: f.raw[1] == 0xEA,
            }
        } else {
            mods.neg = (((x >> 20) & 1) | ((x >> 21) & 2)) as u8;
            mods.abs = (((x >> 21) & 1) | ((x >> 22) & 2)) as u8;
            Dpp::Dpp16 {
                ctrl: ((x >> 8) & 0x1FF) as u16,
                row_mask: (x >> 28) as u8,
                bank_mask: ((x >> 24) & 0xF) as u8,
                bound_ctrl: x & (1 << 19) != 0,
                fi: x & (1 << 18) != 0,
            }
        });
    }
    if let Some(x) = sdwa_d1 {
        let s = Sdwa {
            dst_sel: ((x >> 8) & 7) as u8,
            dst_unused: ((x >> 11) & 3) as u8,
            src_sel: [((x >> 16) & 7) as u8, ((x >> 24) & 7) as u8],
            sext: [x & (1 << 19) != 0, x & (1 << 27) != 0],
            src_sgpr: [x & (1 << 23) != 0, x & (1 << 31) != 0],
        };
        // VOPC: bits 15:8 are the sdst (no clamp/omod)
        if enc != Encoding::Vopc {
            mods.clamp = x & (1 << 13) != 0;
            mods.omod = ((x >> 14) & 3) as u8;
        }
        mods.neg = (((x >> 20) & 1) | ((x >> 27) & 2)) as u8;
        mods.abs = (((x >> 21) & 1) | ((x >> 28) & 2)) as u8;
        if s.src_sgpr[0] {
            srcs[0] = Operand::from_src((x & 0xFF) as u16, 1, 0);
        }
        if s.src_sgpr[1] {
            srcs[1] = Operand::from_src(((d0 >> 9) & 0xFF) as u16, 1, 0);
        }
        if enc == Encoding::Vopc && x & (1 << 15) != 0 {
            defs[0] = Operand::from_src(((x >> 8) & 0x7F) as u16, if wave64 { 2 } else { 1 }, 0);
        }
        mods.sdwa = Some(s);
    }
    // DPP/SDWA source modifiers must fit the operand type: float sources take
    // neg/abs, integer ones only SDWA sext.
    // (forms without a VOP3 twin, e.g. v_dot2c_f32_f16, are not checked)
    if let (true, Some(v3)) = (
        mods.dpp.is_some() || mods.sdwa.is_some(),
        rows().get(lut().vop3[info.op as usize] as usize),
    ) {
        let vm = vop3_src_mods(info.op);
        for (k, &m) in vm.iter().enumerate() {
            let fp = m & 1 != 0;
            let neg = mods.neg & (1 << k) != 0;
            let abs = mods.abs & (1 << k) != 0;
            let bad = if mods.sdwa.is_some() {
                let sext = mods.sdwa.is_some_and(|s| s.sext[k]);
                ((neg || abs) && !fp) || (sext && fp)
            } else {
                // DPP: an integer source's neg bit is sext; no abs
                abs && !fp || (neg && !fp && m & 4 == 0)
            };
            if bad {
                return Err(invalid);
            }
        }
        // SDWA clamp / omod only where the VOP3 form has them
        if mods.sdwa.is_some()
            && ((mods.omod != 0 && !v3.has(flags::OMOD)) || (mods.clamp && !v3.has(flags::CLAMP)))
        {
            return Err(invalid);
        }
    }
    // VOP2 without operands is v_illegal: the whole word is 0.
    if enc == Encoding::Vop2 && info.operands.is_empty() && d0 != 0 {
        return Err(invalid);
    }
    // DS forms without operands (ds_nop) take no offset and no gds.
    if enc == Encoding::Ds && info.operands.is_empty() && d0 & 0x2_FFFF != 0 {
        return Err(invalid);
    }
    // SDWA select 7 is not a select.
    if let Some(s) = mods.sdwa {
        let two = info.operands.iter().any(|o| o.slot == Slot::Src1);
        if s.src_sel[0] == 7
            || (two && s.src_sel[1] == 7)
            || (enc != Encoding::Vopc && s.dst_sel == 7)
        {
            return Err(invalid);
        }
    }
    // MUBUF/MTBUF idxen + offen address pair must exist.
    if matches!(enc, Encoding::Mubuf | Encoding::Mtbuf)
        && d0 & (3 << 12) == 3 << 12
        && d1 & 0xFF == 0xFF
    {
        return Err(invalid);
    }
    // LLVM rejects words whose register operands do not exist: reserved
    // source codes and SGPR/TTMP tuples running past s105 / ttmp15.
    for op in defs.iter().chain(srcs.iter()) {
        let ok = match *op {
            Operand::SrcSpecial(c) => (235..=239).contains(&c),
            Operand::Sgpr { idx, count } => idx as u32 + count as u32 <= 106,
            Operand::Ttmp { idx, count } => idx as u32 + count as u32 <= 16,
            Operand::Vgpr { idx, count } => idx as u32 + count as u32 <= 256,
            _ => true,
        };
        if !ok {
            return Err(invalid);
        }
    }
    Ok(Instr {
        op: info.op,
        row: row as u16,
        encoding: enc,
        len: len as u8,
        defs,
        srcs,
        mods,
        nsa: [0; 12],
        nsa_len: 0,
        wave64,
    })
}

/// MIMG (incl. NSA): data and address sizes as LLVM derives them (see
/// [`crate::table::MimgInfo`]). vdata goes to `defs[0]` (`srcs[3]` for
/// stores), the first address to `srcs[0]` (a VGPR range when not NSA; the
/// other NSA addresses in `nsa`), srsrc to `srcs[1]`, ssamp to `srcs[2]`.
fn decode_mimg(
    bytes: &[u8],
    info: &InstrInfo,
    row: usize,
    d0: u32,
    d1: u32,
    wave64: bool,
) -> Result<Instr, DecodeError> {
    let invalid = DecodeError::Invalid { word: d0 };
    let m = info.mimg().ok_or(invalid)?;
    let nsa = ((d0 >> 1) & 3) as usize;
    let dim = ((d0 >> 3) & 7) as usize;
    let a16 = ((d1 >> 30) & 1) as usize;
    let dmask = ((d0 >> 8) & 0xF) as u8;
    let tfe = (d0 >> 16) & 1;
    let d16 = d1 >> 31;
    let raw = m.raw[dim][a16][nsa];
    if raw == 0 || (m.dst_valid >> (dmask as u32 | tfe << 4 | d16 << 5)) & 1 == 0 {
        return Err(invalid);
    }
    if !m.sampler && (d1 >> 21) & 0x1F != 0 {
        return Err(invalid);
    }
    // bvh: dmask 0xf, unorm and r128 set; no glc/slc/dlc/tfe/lwe.
    if m.bvh && d0 & 0x0203_BF80 != 0x9F00 {
        return Err(invalid);
    }
    let len = 8 + 4 * nsa;
    if bytes.len() < len {
        return Err(DecodeError::Truncated {
            need: len,
            have: bytes.len(),
        });
    }
    let mut ds = if m.gather4 {
        4
    } else {
        dmask.count_ones().max(1) as usize
    };
    if d16 != 0 {
        ds = ds.div_ceil(2);
    }
    ds += tfe as usize;
    // LLVM keeps the raw form when the re-sized data or (non-NSA) address
    // tuple would run past v255; a raw form past v255 does not decode.
    let fits = |base: u32, n: u8| base + n as u32 <= 256;
    let (vd, na) = match (m.fixed[dim][a16][nsa], m.dst_map[ds.min(7)]) {
        (f, v)
            if f != 0
                && v != 0
                && fits((d1 >> 8) & 0xFF, v)
                && (nsa != 0 || fits(d1 & 0xFF, f)) =>
        {
            (v, f)
        }
        _ => (m.raw_vdata, raw),
    };
    // the raw form is decoded first: it must fit whatever is printed
    if !fits((d1 >> 8) & 0xFF, vd.max(m.raw_vdata)) || (nsa == 0 && !fits(d1 & 0xFF, na.max(raw))) {
        return Err(invalid);
    }
    let vdata = Operand::Vgpr {
        idx: (d1 >> 8) as u8,
        count: vd,
    };
    let mut nsa_regs = [0u8; 12];
    let mut nsa_len = 0;
    let vaddr = if nsa == 0 {
        Operand::Vgpr {
            idx: d1 as u8,
            count: na,
        }
    } else {
        nsa_len = (na as usize - 1).min(4 * nsa);
        nsa_regs[..nsa_len].copy_from_slice(&bytes[8..8 + nsa_len]);
        Operand::Vgpr {
            idx: d1 as u8,
            count: 1,
        }
    };
    let mut defs = [Operand::None; 2];
    let mut srcs = [Operand::None; 4];
    // resource / sampler: SGPR or TTMP tuples only
    let sreg_ok = |o: Operand| match o {
        Operand::Sgpr { idx, count } => idx as u32 + count as u32 <= 106,
        Operand::Ttmp { idx, count } => idx as u32 + count as u32 <= 16,
        _ => false,
    };
    if m.store {
        srcs[3] = vdata;
    } else {
        defs[0] = vdata;
    }
    srcs[0] = vaddr;
    srcs[1] = Operand::from_src(
        (((d1 >> 16) & 0x1F) << 2) as u16,
        if m.bvh { 4 } else { 8 },
        0,
    );
    if m.sampler {
        srcs[2] = Operand::from_src((((d1 >> 21) & 0x1F) << 2) as u16, 4, 0);
    }
    if !sreg_ok(srcs[1]) || (m.sampler && !sreg_ok(srcs[2])) {
        return Err(invalid);
    }
    let mods = Mods {
        dmask,
        dim: dim as u8,
        unorm: d0 & (1 << 12) != 0,
        glc: d0 & (1 << 13) != 0,
        slc: d0 & (1 << 25) != 0,
        dlc: d0 & (1 << 7) != 0,
        r128: d0 & (1 << 15) != 0,
        tfe: tfe != 0,
        lwe: d0 & (1 << 17) != 0,
        a16: a16 != 0,
        d16: d16 != 0,
        ..Mods::default()
    };
    Ok(Instr {
        op: info.op,
        row: row as u16,
        encoding: Encoding::Mimg,
        len: len as u8,
        defs,
        srcs,
        mods,
        nsa: nsa_regs,
        nsa_len: nsa_len as u8,
        wave64,
    })
}

/// EXP: target, enable mask, compr/done/vm in `mods`, the four VGPR
/// fields in `srcs` (all four kept; `exp_en` says which LLVM prints as `off`).
fn decode_exp(info: &InstrInfo, row: usize, d0: u32, d1: u32, wave64: bool) -> Instr {
    let mods = Mods {
        exp_en: (d0 & 0xF) as u8,
        exp_tgt: ((d0 >> 4) & 0x3F) as u8,
        exp_compr: d0 & (1 << 10) != 0,
        exp_done: d0 & (1 << 11) != 0,
        exp_vm: d0 & (1 << 12) != 0,
        ..Mods::default()
    };
    let v = |k: u32| Operand::Vgpr {
        idx: (d1 >> (8 * k)) as u8,
        count: 1,
    };
    Instr {
        op: info.op,
        row: row as u16,
        encoding: Encoding::Exp,
        len: 8,
        defs: [Operand::None; 2],
        srcs: [v(0), v(1), v(2), v(3)],
        mods,
        nsa: [0; 12],
        nsa_len: 0,
        wave64,
    }
}

/// MUBUF/MTBUF with tfe: the data operand has one more dword (the status).
fn widen_tfe(defs: &mut [Operand; 2], srcs: &mut [Operand; 4], tfe: bool) {
    if !tfe {
        return;
    }
    for o in [&mut defs[0], &mut srcs[1]] {
        if let Operand::Vgpr { count, .. } = o {
            *count += 1;
        }
    }
}

fn src0_code_is_dpp8(c: u32) -> bool {
    c == 0xE9 || c == 0xEA
}

/// Decodes a whole buffer; undecodable dwords yield `Err` and decoding
/// resumes at the next dword. Returns (byte offset, result) pairs.
pub fn decode_all(
    bytes: &[u8],
    target: Target,
    wave64: bool,
) -> Vec<(usize, Result<Instr, DecodeError>)> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + 4 <= bytes.len() {
        let r = decode(&bytes[off..], target, wave64);
        let n = match &r {
            Ok(i) => i.len as usize,
            Err(_) => 4,
        };
        out.push((off, r));
        off += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(words: &[u32], t: Target, w64: bool) -> String {
        let b: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        decode(&b, t, w64)
            .map(|i| i.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn known_words() {
        // Encodings from `llvm-mc-19 -show-encoding` (see findings/isa-decoder.md).
        let t = Target::Gfx1010;
        assert_eq!(
            text(&[0xf404_0002, 0xfa00_0024], t, false),
            "s_load_dwordx2 s[0:1], s[4:5], 0x24"
        );
        assert_eq!(
            text(&[0xd54b_8201, 0x2c12_0702], t, false),
            "v_fma_f32 v1, -v2, |v3|, v4 clamp mul:2"
        );
        assert_eq!(
            text(&[0xdc33_9ff8, 0x017d_0002], t, false),
            "global_load_dword v1, v[2:3], off offset:-8 glc slc dlc"
        );
        assert_eq!(
            text(&[0x7e00_02fa, 0xff00_b101], t, false),
            "v_mov_b32_dpp v0, v1 quad_perm:[1,0,3,2] row_mask:0xf bank_mask:0xf"
        );
        assert_eq!(text(&[0x7c08_0280], t, true), "v_cmp_gt_f32_e32 vcc, 0, v1");
        assert_eq!(
            text(&[0x7c08_0280], t, false),
            "v_cmp_gt_f32_e32 vcc_lo, 0, v1"
        );
    }

    #[test]
    fn errors_not_panics() {
        assert!(matches!(
            decode(&[1, 2], Target::Gfx1010, false),
            Err(DecodeError::Truncated { .. })
        ));
        assert!(matches!(
            decode(&0xd54b_8201u32.to_le_bytes(), Target::Gfx1010, false),
            Err(DecodeError::Truncated { need: 8, .. })
        ));
        assert!(matches!(
            decode(&0xffff_ffffu32.to_le_bytes(), Target::Gfx1010, false),
            Err(DecodeError::Invalid { .. })
        ));
    }
}
