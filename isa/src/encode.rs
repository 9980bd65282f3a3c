//! Small encoder: the inverse of [`crate::decode`] over the same table rows.
//! Build an [`Instr`] (e.g. from [`crate::Instr::new`]) and get its bytes.

use crate::table::{rows, Slot};
use crate::types::{Dpp, Encoding, Instr, Operand};

/// Why an instruction could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// An operand does not fit its field.
    #[error("{name}: operand {slot:?} = {op:?} cannot be encoded")]
    BadOperand {
        /// Mnemonic.
        name: &'static str,
        /// Slot.
        slot: Slot,
        /// Operand.
        op: Operand,
    },
}

fn code(name: &'static str, slot: Slot, op: Operand) -> Result<u32, EncodeError> {
    match op {
        Operand::None => Ok(0),
        Operand::Imm(v) => Ok(v as u16 as u32),
        o => o
            .src_code()
            .map(|c| c as u32)
            .ok_or(EncodeError::BadOperand { name, slot, op }),
    }
}

fn slot_op(i: &Instr, s: Slot) -> Operand {
    match s {
        Slot::Def0 => i.defs[0],
        Slot::Def1 => i.defs[1],
        Slot::Src0 => i.srcs[0],
        Slot::Src1 => i.srcs[1],
        Slot::Src2 => i.srcs[2],
        Slot::Src3 | Slot::LiteralK => i.srcs[3],
        _ => Operand::None,
    }
}

/// Encodes an instruction to little-endian bytes (4, 8 or 12 bytes).
pub fn encode(i: &Instr) -> Result<Vec<u8>, EncodeError> {
    let info = &rows()[i.row as usize];
    let name = info.name;
    let op = info.opcode as u32;
    let m = &i.mods;
    // raw field values: 0 dst, 1 src0, 2 src1, 3 src2, 4 imm, 6 sdst
    let mut raw = [0u32; 7];
    let mut literal = None;
    for d in info.operands {
        let o = slot_op(i, d.slot);
        if let Operand::Literal(v) = o {
            literal = Some(v);
        }
        let fi = match (info.encoding, d.slot) {
            (_, Slot::ImplicitVcc | Slot::Off | Slot::LiteralK) => continue,
            (Encoding::Vop3, Slot::Def1) => 6,
            (Encoding::Smem, Slot::Src2) => 0,
            (Encoding::Smem, Slot::Src1) => 2,
            (Encoding::Mubuf | Encoding::Mtbuf, Slot::Src1) => 0,
            (Encoding::Mubuf | Encoding::Mtbuf, Slot::Src2) => 3,
            (Encoding::Mubuf | Encoding::Mtbuf, Slot::Src3) => 2,
            (Encoding::Flat | Encoding::Global | Encoding::Scratch, Slot::Src2) => 3,
            (Encoding::Sopk | Encoding::Sopp, Slot::Src0) => 4,
            (_, Slot::Def0) => 0,
            (_, Slot::Src0) => 1,
            (_, Slot::Src1) => 2,
            (_, Slot::Src2) => 3,
            _ => continue,
        };
        let mut c = code(name, d.slot, o)?;
        // 8-bit VGPR-only fields drop the VGPR bias.
        if let Operand::Vgpr { idx, .. } = o {
            let nine_bit = matches!(
                (info.encoding, fi),
                (Encoding::Vop1 | Encoding::Vop2 | Encoding::Vopc, 1)
                    | (Encoding::Vop3 | Encoding::Vop3p, 1..=3)
            );
            if !nine_bit {
                c = idx as u32;
            }
        }
        raw[fi] = c;
    }
    if let Some(Operand::Literal(v)) =
        Some(i.srcs[3]).filter(|_| info.operands.iter().any(|d| d.slot == Slot::LiteralK))
    {
        literal = Some(v);
    }
    let mut words: Vec<u32> = Vec::with_capacity(3);
    match info.encoding {
        Encoding::Sop2 => words.push(0x8000_0000 | op << 23 | raw[0] << 16 | raw[2] << 8 | raw[1]),
        Encoding::Sopk => words.push(0xB000_0000 | op << 23 | raw[0] << 16 | raw[4]),
        Encoding::Sop1 => words.push(0xBE80_0000 | raw[0] << 16 | op << 8 | raw[1]),
        Encoding::Sopc => words.push(0xBF00_0000 | op << 16 | raw[2] << 8 | raw[1]),
        Encoding::Sopp => words.push(0xBF80_0000 | op << 16 | raw[4]),
        Encoding::Smem => {
            let soff = if info.operands.iter().any(|d| d.slot == Slot::Src1) {
                raw[2]
            } else if matches!(i.srcs[1], Operand::None) {
                0x7D
            } else {
                code(name, Slot::Src1, i.srcs[1])?
            };
            words.push(
                0xF400_0000
                    | op << 18
                    | (m.glc as u32) << 16
                    | (m.dlc as u32) << 14
                    | raw[0] << 6
                    | raw[1] >> 1,
            );
            words.push(soff << 25 | (m.offset as u32 & 0x1F_FFFF));
        }
        Encoding::Vop1 | Encoding::Vop2 | Encoding::Vopc => {
            let src1 = raw[2] & 0xFF;
            let mut src0 = raw[1];
            let mut ext = None;
            if let Some(d) = m.dpp {
                ext = Some(match d {
                    Dpp::Dpp16 {
                        ctrl,
                        row_mask,
                        bank_mask,
                        bound_ctrl,
                        fi,
                    } => {
                        src0 = 0xFA;
                        (raw[1] & 0xFF)
                            | (ctrl as u32) << 8
                            | (fi as u32) << 18
                            | (bound_ctrl as u32) << 19
                            | ((m.neg & 1) as u32) << 20
                            | ((m.abs & 1) as u32) << 21
                            | ((m.neg >> 1 & 1) as u32) << 22
                            | ((m.abs >> 1 & 1) as u32) << 23
                            | (bank_mask as u32) << 24
                            | (row_mask as u32) << 28
                    }
                    Dpp::Dpp8 { sel, fi } => {
                        src0 = if fi { 0xEA } else { 0xE9 };
                        let mut x = raw[1] & 0xFF;
                        for (k, s) in sel.iter().enumerate() {
                            x |= (*s as u32 & 7) << (8 + 3 * k);
                        }
                        x
                    }
                });
            } else if let Some(s) = m.sdwa {
                src0 = 0xF9;
                let mut x = (raw[1] & 0xFF)
                    | (s.dst_sel as u32) << 8
                    | (s.dst_unused as u32) << 11
                    | (m.clamp as u32) << 13
                    | (m.omod as u32) << 14
                    | (s.src_sel[0] as u32) << 16
                    | (s.sext[0] as u32) << 19
                    | ((m.neg & 1) as u32) << 20
                    | ((m.abs & 1) as u32) << 21
                    | (s.src_sgpr[0] as u32) << 23
                    | (s.src_sel[1] as u32) << 24
                    | (s.sext[1] as u32) << 27
                    | ((m.neg >> 1 & 1) as u32) << 28
                    | ((m.abs >> 1 & 1) as u32) << 29
                    | (s.src_sgpr[1] as u32) << 31;
                if info.encoding == Encoding::Vopc {
                    if let Some(c) = i.defs[0].src_code() {
                        x = (x & !(0xFF << 8)) | (c as u32) << 8 | 1 << 15;
                    }
                }
                ext = Some(x);
            }
            words.push(match info.encoding {
                Encoding::Vop1 => 0x7E00_0000 | raw[0] << 17 | op << 9 | src0,
                Encoding::Vop2 => op << 25 | raw[0] << 17 | src1 << 9 | src0,
                _ => 0x7C00_0000 | op << 17 | src1 << 9 | src0,
            });
            if let Some(x) = ext {
                words.push(x);
            }
        }
        Encoding::Vop3 => {
            let mut d0 = 0xD400_0000 | op << 16 | raw[0] | (m.clamp as u32) << 15;
            if info.fields & (1 << 6) != 0 {
                d0 |= raw[6] << 8;
            } else {
                d0 |= (m.abs as u32 & 7) << 8 | (m.op_sel as u32 & 0xF) << 11;
            }
            words.push(d0);
            words.push(
                raw[1] | raw[2] << 9 | raw[3] << 18 | (m.omod as u32) << 27 | (m.neg as u32) << 29,
            );
        }
        Encoding::Vop3p => {
            words.push(
                0xCC00_0000
                    | op << 16
                    | raw[0]
                    | (m.clamp as u32) << 15
                    | (m.op_sel_hi as u32 >> 2 & 1) << 14
                    | (m.op_sel as u32 & 7) << 11
                    | (m.abs as u32 & 7) << 8,
            );
            words.push(
                raw[1]
                    | raw[2] << 9
                    | raw[3] << 18
                    | (m.op_sel_hi as u32 & 3) << 27
                    | (m.neg as u32) << 29,
            );
        }
        Encoding::Ds => {
            let off = if info.has(crate::flags::OFFSET01) {
                m.offset0 as u32 | (m.offset1 as u32) << 8
            } else {
                m.offset as u32 & 0xFFFF
            };
            words.push(0xD800_0000 | op << 18 | (m.gds as u32) << 17 | off);
            words.push(raw[1] | raw[2] << 8 | raw[3] << 16 | raw[0] << 24);
        }
        Encoding::Flat | Encoding::Global | Encoding::Scratch => {
            let seg = match info.encoding {
                Encoding::Flat => 0,
                Encoding::Scratch => 1,
                _ => 2,
            };
            let saddr = if info.encoding == Encoding::Flat
                || (info.encoding == Encoding::Scratch && i.srcs[2] == Operand::None)
            {
                0x7D
            } else {
                match i.srcs[2] {
                    Operand::None => 0x7D,
                    o => code(name, Slot::Src2, o)?,
                }
            };
            words.push(
                0xDC00_0000
                    | op << 18
                    | seg << 14
                    | (m.offset as u32 & 0xFFF)
                    | (m.dlc as u32) << 12
                    | (m.lds as u32) << 13
                    | (m.glc as u32) << 16
                    | (m.slc as u32) << 17,
            );
            words.push(raw[1] | raw[2] << 8 | saddr << 16 | raw[0] << 24);
        }
        Encoding::Mubuf => {
            words.push(
                0xE000_0000
                    | op << 18
                    | (m.offset as u32 & 0xFFF)
                    | (m.offen as u32) << 12
                    | (m.idxen as u32) << 13
                    | (m.glc as u32) << 14
                    | (m.dlc as u32) << 15
                    | (m.lds as u32) << 16,
            );
            words.push(
                raw[1]
                    | raw[0] << 8
                    | (raw[3] >> 2) << 16
                    | (m.slc as u32) << 22
                    | (m.tfe as u32) << 23
                    | raw[2] << 24,
            );
        }
        Encoding::Mtbuf => {
            words.push(
                0xE800_0000
                    | (op & 7) << 16
                    | (m.offset as u32 & 0xFFF)
                    | (m.offen as u32) << 12
                    | (m.idxen as u32) << 13
                    | (m.glc as u32) << 14
                    | (m.dlc as u32) << 15
                    | (m.format as u32 & 0x7F) << 19,
            );
            words.push(
                raw[1]
                    | raw[0] << 8
                    | (raw[3] >> 2) << 16
                    | (op >> 3) << 21
                    | (m.slc as u32) << 22
                    | (m.tfe as u32) << 23
                    | raw[2] << 24,
            );
        }
        Encoding::Vintrp => {
            // attr | chan << 6 (shared interp layout) -> attr << 2 | chan
            let ac = (raw[1] & 0x3F) << 2 | (raw[1] >> 6) & 3;
            words.push(0xC800_0000 | (raw[0] & 0xFF) << 18 | op << 16 | ac << 8 | (raw[2] & 0xFF));
        }
        Encoding::Mimg => {
            let nsa = ((i.len as u32).saturating_sub(8) / 4).min(3);
            let vdata = if info.mimg().is_some_and(|x| x.store) {
                i.srcs[3]
            } else {
                i.defs[0]
            };
            let vreg = |o: Operand| match o {
                Operand::Vgpr { idx, .. } => idx as u32,
                _ => 0,
            };
            let sreg = |o: Operand| o.src_code().map_or(0, |c| (c as u32 >> 2) & 0x1F);
            words.push(
                0xF000_0000
                    | op >> 7
                    | nsa << 1
                    | (m.dim as u32 & 7) << 3
                    | (m.dlc as u32) << 7
                    | (m.dmask as u32 & 0xF) << 8
                    | (m.unorm as u32) << 12
                    | (m.glc as u32) << 13
                    | (m.r128 as u32) << 15
                    | (m.tfe as u32) << 16
                    | (m.lwe as u32) << 17
                    | (op & 0x7F) << 18
                    | (m.slc as u32) << 25,
            );
            words.push(
                vreg(i.srcs[0])
                    | vreg(vdata) << 8
                    | sreg(i.srcs[1]) << 16
                    | sreg(i.srcs[2]) << 21
                    | (m.a16 as u32) << 30
                    | (m.d16 as u32) << 31,
            );
            for k in 0..nsa as usize {
                let mut w = 0;
                for j in 0..4 {
                    if let Some(r) = i.nsa[..i.nsa_len as usize].get(4 * k + j) {
                        w |= (*r as u32) << (8 * j);
                    }
                }
                words.push(w);
            }
        }
        Encoding::Exp => {
            words.push(
                0xF800_0000
                    | (m.exp_en as u32 & 0xF)
                    | (m.exp_tgt as u32 & 0x3F) << 4
                    | (m.exp_compr as u32) << 10
                    | (m.exp_done as u32) << 11
                    | (m.exp_vm as u32) << 12,
            );
            let mut d1 = 0;
            for (k, s) in i.srcs.iter().enumerate() {
                match *s {
                    Operand::Vgpr { idx, .. } => d1 |= (idx as u32) << (8 * k),
                    Operand::None => {}
                    op => {
                        return Err(EncodeError::BadOperand {
                            name,
                            slot: Slot::Src0,
                            op,
                        })
                    }
                }
            }
            words.push(d1);
        }
    }
    if let Some(l) = literal {
        words.push(l);
    }
    Ok(words.iter().flat_map(|w| w.to_le_bytes()).collect())
}

/// An example encoding of a table row with every operand field set to a
/// distinct valid register (the same shape `isa/gen/probe.py` asks LLVM
/// about). Used by tests, the differential test and the fuzz seeds.
pub fn example_words(info: &crate::InstrInfo) -> Vec<u32> {
    let op = info.opcode as u32;
    let has = |b: u8| info.fields & (1 << b) != 0;
    let f = |b: u8, v: u32| if has(b) { v } else { 0 };
    const V: u32 = 256;
    let mut w = match info.encoding {
        Encoding::Sop2 => vec![0x8000_0000 | op << 23 | f(0, 10) << 16 | f(2, 40) << 8 | f(1, 20)],
        Encoding::Sopk => vec![0xB000_0000 | op << 23 | f(0, 10) << 16 | f(4, 0x1234)],
        Encoding::Sop1 => vec![0xBE80_0000 | f(0, 10) << 16 | op << 8 | f(1, 20)],
        Encoding::Sopc => vec![0xBF00_0000 | op << 16 | f(2, 40) << 8 | f(1, 20)],
        Encoding::Sopp => vec![0xBF80_0000 | op << 16 | f(4, 3)],
        Encoding::Smem => vec![
            0xF400_0000 | op << 18 | f(0, 16) << 6 | f(1, 10),
            0x7D << 25 | f(5, 0x24),
        ],
        Encoding::Vop2 => vec![op << 25 | f(0, 10) << 17 | f(2, 40) << 9 | f(1, V + 20)],
        Encoding::Vop1 => vec![0x7E00_0000 | f(0, 10) << 17 | op << 9 | f(1, V + 20)],
        Encoding::Vopc => vec![0x7C00_0000 | op << 17 | f(2, 40) << 9 | f(1, V + 20)],
        Encoding::Vop3 => {
            // interpolation forms: src0 is the attribute (attr20.x)
            let attr = info
                .operands
                .iter()
                .any(|d| d.konst == crate::ConstKind::Attr);
            vec![
                0xD400_0000 | op << 16 | f(0, 10) | f(6, 30) << 8,
                f(1, if attr { 20 } else { V + 20 }) | f(2, V + 40) << 9 | f(3, V + 60) << 18,
            ]
        }
        Encoding::Vop3p => vec![
            0xCC00_0000
                | op << 16
                | f(0, 10)
                | if info.has(crate::flags::MIX) {
                    0
                } else {
                    1 << 14
                },
            f(1, V + 20)
                | f(2, V + 40) << 9
                | f(3, V + 60) << 18
                | if info.has(crate::flags::MIX) {
                    0
                } else {
                    3 << 27
                },
        ],
        Encoding::Ds => vec![
            0xD800_0000 | op << 18,
            f(1, 20) | f(2, 40) << 8 | f(3, 60) << 16 | f(0, 10) << 24,
        ],
        Encoding::Flat | Encoding::Global | Encoding::Scratch => {
            let seg = match info.encoding {
                Encoding::Flat => 0,
                Encoding::Scratch => 1,
                _ => 2,
            };
            let glc = if info.has(crate::flags::ATOMIC) {
                1 << 16
            } else {
                0
            };
            vec![
                0xDC00_0000 | op << 18 | seg << 14 | glc,
                f(1, 20) | f(2, 40) << 8 | 0x7D << 16 | f(0, 10) << 24,
            ]
        }
        Encoding::Mubuf => vec![
            0xE000_0000 | op << 18 | if has(1) { 1 << 12 } else { 0 },
            f(1, 20) | f(0, 10) << 8 | (f(3, 40) / 4) << 16 | f(2, 30) << 24,
        ],
        Encoding::Mtbuf => vec![
            0xE800_0000 | (op & 7) << 16 | 1 << 19 | if has(1) { 1 << 12 } else { 0 },
            f(1, 20) | f(0, 10) << 8 | (f(3, 40) / 4) << 16 | (op >> 3) << 21 | f(2, 30) << 24,
        ],
        Encoding::Vintrp => vec![0xC800_0000 | f(0, 10) << 18 | op << 16 | f(2, 40)],
        Encoding::Exp => vec![0xF800_000F, 0x0403_0201],
        Encoding::Mimg => {
            // the probe's base word: dmask 1 (bvh: 0xf + unorm + r128), 1D, vdata v10, vaddr
            // v20, srsrc s[40:47], ssamp s[60:63]
            let mi = info.mimg();
            let bvh = mi.is_some_and(|m| m.bvh);
            let ssamp = if mi.is_some_and(|m| m.sampler) { 15 } else { 0 };
            vec![
                0xF000_0000 | op >> 7 | (op & 0x7F) << 18 | if bvh { 0x9F00 } else { 0x100 },
                20 | 10 << 8 | 10 << 16 | ssamp << 21,
            ]
        }
    };
    if info.operands.iter().any(|d| d.slot == Slot::LiteralK) {
        w.push(0x3F80_0000);
    }
    w
}
