//! LLVM-exact printer (text as `llvm-objdump-19 -d` / `llvm-mc-19
//! -disassemble` print it). Follows `AMDGPUInstPrinter.cpp`: constants by
//! operand type (`printImmediate32/64/16/Int16`), modifiers in LLVM's order.

use std::fmt::{self, Write};

use crate::table::{flags, ConstKind, OpndDesc, Slot};
use crate::types::{inline_float_bits, Dpp, Encoding, Instr, Operand};

/// Formats instructions (holds options; today only the branch-target style).
#[derive(Debug, Clone, Copy, Default)]
pub struct Formatter {
    /// Address of the instruction; when `Some`, SOPP branches print like
    /// llvm-objdump (the immediate, LLVM appends the target as a comment
    /// which we drop).
    pub address: Option<u64>,
}

/// Formats one instruction as LLVM prints it.
pub fn format(i: &Instr) -> String {
    let mut s = String::with_capacity(48);
    let _ = write_instr(&mut s, i);
    s
}

impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(48);
        write_instr(&mut s, self)?;
        f.write_str(&s)
    }
}

fn hex(o: &mut String, v: u64) {
    let _ = write!(o, "0x{v:x}");
}

/// Signed hex as LLVM's `formatHex(int64_t)`: `-0x10`.
fn shex(o: &mut String, v: i32) {
    if v < 0 {
        let _ = write!(o, "-0x{:x}", -(v as i64));
    } else {
        let _ = write!(o, "0x{v:x}");
    }
}

fn imm32(o: &mut String, v: u32) {
    let s = v as i32;
    if (-16..=64).contains(&s) {
        let _ = write!(o, "{s}");
        return;
    }
    let t = match v {
        0x0000_0000 => "0.0",
        0x3f80_0000 => "1.0",
        0xbf80_0000 => "-1.0",
        0x3f00_0000 => "0.5",
        0xbf00_0000 => "-0.5",
        0x4000_0000 => "2.0",
        0xc000_0000 => "-2.0",
        0x4080_0000 => "4.0",
        0xc080_0000 => "-4.0",
        0x3e22_f983 => "0.15915494",
        _ => return hex(o, v as u64),
    };
    o.push_str(t);
}

fn imm64(o: &mut String, v: u64) {
    let s = v as i64;
    if (-16..=64).contains(&s) {
        let _ = write!(o, "{s}");
        return;
    }
    let t = match v {
        0x3ff0_0000_0000_0000 => "1.0",
        0xbff0_0000_0000_0000 => "-1.0",
        0x3fe0_0000_0000_0000 => "0.5",
        0xbfe0_0000_0000_0000 => "-0.5",
        0x4000_0000_0000_0000 => "2.0",
        0xc000_0000_0000_0000 => "-2.0",
        0x4010_0000_0000_0000 => "4.0",
        0xc010_0000_0000_0000 => "-4.0",
        0x3fc4_5f30_6dc9_c882 => "0.15915494309189532",
        _ => return hex(o, v),
    };
    o.push_str(t);
}

fn imm16(o: &mut String, v: u16) {
    let s = v as i16;
    if (-16..=64).contains(&s) {
        let _ = write!(o, "{s}");
        return;
    }
    let t = match v {
        0x3c00 => "1.0",
        0xbc00 => "-1.0",
        0x3800 => "0.5",
        0xb800 => "-0.5",
        0x4000 => "2.0",
        0xc000 => "-2.0",
        0x4400 => "4.0",
        0xc400 => "-4.0",
        0x3118 => "0.15915494",
        _ => return hex(o, v as u64),
    };
    o.push_str(t);
}

fn immi16(o: &mut String, v: u16) {
    let s = v as i16;
    if (-16..=64).contains(&s) {
        let _ = write!(o, "{s}");
    } else {
        hex(o, v as u64);
    }
}

/// Prints a constant operand (inline or literal) the way LLVM does for `k`.
fn konst(o: &mut String, op: Operand, k: ConstKind) {
    match op {
        Operand::InlineInt(v) => {
            let _ = write!(o, "{v}");
        }
        Operand::InlineFloat(c) => match k {
            ConstKind::B64 | ConstKind::F64 => imm64(o, inline_float_bits(c, 64)),
            ConstKind::F16 | ConstKind::V2F16 => imm16(o, inline_float_bits(c, 16) as u16),
            ConstKind::I16 | ConstKind::V2I16 => immi16(o, inline_float_bits(c, 16) as u16),
            _ => imm32(o, inline_float_bits(c, 32) as u32),
        },
        Operand::Literal(v) => match k {
            ConstKind::B64 | ConstKind::F64 => imm64(o, v as u64),
            ConstKind::F16 => imm16(o, v as u16),
            ConstKind::I16 => immi16(o, v as u16),
            ConstKind::V2F16 if v <= 0xffff => imm16(o, v as u16),
            ConstKind::V2I16 if v <= 0xffff => immi16(o, v as u16),
            _ => imm32(o, v),
        },
        _ => reg(o, op),
    }
}

fn range(o: &mut String, p: &str, idx: u8, count: u8) {
    if count <= 1 {
        let _ = write!(o, "{p}{idx}");
    } else {
        let _ = write!(o, "{p}[{}:{}]", idx, idx as u32 + count as u32 - 1);
    }
}

/// Prints a register (or special) operand.
fn reg(o: &mut String, op: Operand) {
    match op {
        Operand::Sgpr { idx, count } => range(o, "s", idx, count),
        Operand::Vgpr { idx, count } => range(o, "v", idx, count),
        Operand::Ttmp { idx, count } => range(o, "ttmp", idx, count),
        Operand::VccLo => o.push_str("vcc_lo"),
        Operand::VccHi => o.push_str("vcc_hi"),
        Operand::Vcc => o.push_str("vcc"),
        Operand::ExecLo => o.push_str("exec_lo"),
        Operand::ExecHi => o.push_str("exec_hi"),
        Operand::Exec => o.push_str("exec"),
        Operand::M0 => o.push_str("m0"),
        Operand::Null => o.push_str("null"),
        Operand::Scc => o.push_str("src_scc"),
        Operand::Vccz => o.push_str("src_vccz"),
        Operand::Execz => o.push_str("src_execz"),
        Operand::LdsDirect => o.push_str("src_lds_direct"),
        Operand::SrcSpecial(c) => o.push_str(match c {
            235 => "src_shared_base",
            236 => "src_shared_limit",
            237 => "src_private_base",
            238 => "src_private_limit",
            239 => "src_pops_exiting_wave_id",
            _ => "/*invalid*/",
        }),
        Operand::InlineInt(v) => {
            let _ = write!(o, "{v}");
        }
        Operand::InlineFloat(c) => imm32(o, inline_float_bits(c, 32) as u32),
        Operand::Literal(v) => imm32(o, v),
        Operand::Imm(v) => {
            let _ = write!(o, "{v}");
        }
        Operand::None => {}
    }
}

fn slot_operand(i: &Instr, s: Slot) -> Operand {
    match s {
        Slot::Def0 => i.defs[0],
        Slot::Def1 => i.defs[1],
        Slot::Src0 => i.srcs[0],
        Slot::Src1 => i.srcs[1],
        Slot::Src2 => i.srcs[2],
        Slot::Src3 => i.srcs[3],
        Slot::LiteralK => i.srcs[3],
        _ => Operand::None,
    }
}

fn src_index(s: Slot) -> Option<usize> {
    match s {
        Slot::Src0 => Some(0),
        Slot::Src1 => Some(1),
        Slot::Src2 => Some(2),
        _ => None,
    }
}

fn bits_list(o: &mut String, name: &str, bits: u8, n: usize) {
    let _ = write!(o, " {name}:[");
    for k in 0..n {
        if k > 0 {
            o.push(',');
        }
        o.push(if bits & (1 << k) != 0 { '1' } else { '0' });
    }
    o.push(']');
}

const SDWA_SEL: [&str; 8] = [
    "BYTE_0", "BYTE_1", "BYTE_2", "BYTE_3", "WORD_0", "WORD_1", "DWORD", "7",
];
// dst_unused 3 prints as UNUSED_PAD (llvm-mc 19 does so)
const SDWA_UNUSED: [&str; 4] = ["UNUSED_PAD", "UNUSED_SEXT", "UNUSED_PRESERVE", "UNUSED_PAD"];

fn write_instr(o: &mut String, i: &Instr) -> fmt::Result {
    let info = i.info();
    let enc = info.encoding;
    let m = &i.mods;
    // Mnemonic.
    if m.dpp.is_some() || m.sdwa.is_some() {
        let base = info.name.strip_suffix("_e32").unwrap_or(info.name);
        o.push_str(base);
        o.push_str(if m.dpp.is_some() { "_dpp" } else { "_sdwa" });
    } else {
        o.push_str(info.name);
    }
    if matches!(enc, Encoding::Sopp | Encoding::Sopk) {
        return write_sopx(o, i);
    }
    if enc == Encoding::Exp {
        write_exp(o, i);
        return Ok(());
    }
    if enc == Encoding::Mimg {
        write_mimg(o, i);
        return Ok(());
    }
    let nsrc = info
        .operands
        .iter()
        .filter(|d| src_index(d.slot).is_some())
        .count();
    let mut first = true;
    for d in info.operands {
        let op = slot_operand(i, d.slot);
        if is_elided(i, d) {
            continue;
        }
        o.push_str(if first { " " } else { ", " });
        first = false;
        write_operand(o, i, d, op);
    }
    // `high` of the f16 interpolation forms (src0 bit 8).
    if enc == Encoding::Vop3
        && info.operands.iter().any(|d| d.konst == ConstKind::Attr)
        && matches!(i.srcs[0], Operand::Imm(v) if v & 0x100 != 0)
    {
        o.push_str(" high");
    }
    // Trailing modifiers per encoding.
    match enc {
        Encoding::Vop3 => {
            if info.has(flags::OP_SEL) && m.op_sel != 0 {
                // v_permlane*: op_sel is [fi, bound_ctrl]-style, two entries
                let n = if info.name.starts_with("v_permlane") {
                    2
                } else {
                    (nsrc + 1).min(4)
                };
                let mut bits = m.op_sel & ((1 << nsrc) - 1);
                if m.op_sel & 8 != 0 && n > 2 {
                    bits |= 1 << (n - 1);
                }
                if n == 2 {
                    bits = m.op_sel & 3;
                }
                if bits != 0 {
                    bits_list(o, "op_sel", bits, n);
                }
            }
            if m.clamp && info.has(flags::CLAMP) {
                o.push_str(" clamp");
            }
            if info.has(flags::OMOD) {
                o.push_str(match m.omod {
                    1 => " mul:2",
                    2 => " mul:4",
                    3 => " div:2",
                    _ => "",
                });
            }
        }
        Encoding::Vop3p => {
            let n = nsrc;
            let mask = (1u8 << n) - 1;
            if m.op_sel & mask != 0 {
                bits_list(o, "op_sel", m.op_sel & mask, n);
            }
            if info.has(flags::MIX) {
                if m.op_sel_hi & mask != 0 {
                    bits_list(o, "op_sel_hi", m.op_sel_hi & mask, n);
                }
            } else if m.op_sel_hi & mask != mask {
                bits_list(o, "op_sel_hi", m.op_sel_hi & mask, n);
            }
            if !info.has(flags::MIX) {
                if m.neg & mask != 0 {
                    bits_list(o, "neg_lo", m.neg & mask, n);
                }
                if m.abs & mask != 0 {
                    bits_list(o, "neg_hi", m.abs & mask, n);
                }
            }
            if m.clamp && info.has(flags::CLAMP) {
                o.push_str(" clamp");
            }
        }
        Encoding::Smem => {
            let has_base = info.operands.iter().any(|d| d.slot == Slot::Src0);
            let has_soff = !matches!(i.srcs[1], Operand::Null | Operand::None) && has_base;
            if has_base {
                if has_soff || m.offset == 0 {
                    o.push_str(", ");
                    reg(o, if has_soff { i.srcs[1] } else { Operand::Null });
                    if m.offset != 0 {
                        o.push_str(" offset:");
                        shex(o, m.offset);
                    }
                } else {
                    o.push_str(", ");
                    shex(o, m.offset);
                }
            }
            if m.glc && !info.has(flags::IGN_GLC) {
                o.push_str(" glc");
            }
            if m.dlc && !info.has(flags::IGN_DLC) {
                o.push_str(" dlc");
            }
        }
        Encoding::Ds => {
            if info.has(flags::OFFSET01) {
                if m.offset0 != 0 {
                    let _ = write!(o, " offset0:{}", m.offset0);
                }
                if m.offset1 != 0 {
                    let _ = write!(o, " offset1:{}", m.offset1);
                }
            } else if info.name == "ds_swizzle_b32" {
                swizzle(o, m.offset as u16);
            } else if m.offset != 0 {
                let _ = write!(o, " offset:{}", m.offset);
            }
            if m.gds {
                o.push_str(" gds");
            }
        }
        Encoding::Flat | Encoding::Global | Encoding::Scratch => {
            if m.offset != 0 {
                let _ = write!(o, " offset:{}", m.offset);
            }
            write_cpol(o, i);
            if m.lds && info.has(flags::LDS) {
                o.push_str(" lds");
            }
        }
        Encoding::Mtbuf => {
            o.push_str(
                crate::generated::MTBUF_FORMAT[row_target_index(i)][m.format as usize & 0x7F],
            );
            if m.idxen {
                o.push_str(" idxen");
            }
            if m.offen {
                o.push_str(" offen");
            }
            if m.offset != 0 {
                let _ = write!(o, " offset:{}", m.offset);
            }
            write_cpol(o, i);
            if m.tfe {
                o.push_str(" tfe");
            }
        }
        Encoding::Mubuf if info.operands.is_empty() => {
            // buffer_gl*_inv: offset and slc are ignored
        }
        Encoding::Mubuf => {
            if m.idxen {
                o.push_str(" idxen");
            }
            if m.offen {
                o.push_str(" offen");
            }
            if m.offset != 0 {
                let _ = write!(o, " offset:{}", m.offset);
            }
            write_cpol(o, i);
            if m.lds && info.has(flags::LDS) {
                o.push_str(" lds");
            }
            if m.tfe {
                o.push_str(" tfe");
            }
        }
        _ => {}
    }
    if let Some(d) = m.dpp {
        write_dpp(o, d);
    }
    if let Some(s) = m.sdwa {
        if m.clamp {
            o.push_str(" clamp");
        }
        match m.omod {
            1 => o.push_str(" mul:2"),
            2 => o.push_str(" mul:4"),
            3 => o.push_str(" div:2"),
            _ => {}
        }
        if enc != Encoding::Vopc {
            let _ = write!(
                o,
                " dst_sel:{} dst_unused:{}",
                SDWA_SEL[s.dst_sel as usize], SDWA_UNUSED[s.dst_unused as usize]
            );
        }
        let _ = write!(o, " src0_sel:{}", SDWA_SEL[s.src_sel[0] as usize]);
        if nsrc > 1 {
            let _ = write!(o, " src1_sel:{}", SDWA_SEL[s.src_sel[1] as usize]);
        }
    }
    Ok(())
}

fn write_cpol(o: &mut String, i: &Instr) {
    let m = &i.mods;
    let info = i.info();
    if m.glc && !info.has(flags::IGN_GLC) {
        o.push_str(" glc");
    }
    if m.slc && !info.has(flags::IGN_SLC) {
        o.push_str(" slc");
    }
    if m.dlc && !info.has(flags::IGN_DLC) {
        o.push_str(" dlc");
    }
}

fn write_dpp(o: &mut String, d: Dpp) {
    match d {
        Dpp::Dpp8 { sel, fi } => {
            let _ = write!(
                o,
                " dpp8:[{},{},{},{},{},{},{},{}]",
                sel[0], sel[1], sel[2], sel[3], sel[4], sel[5], sel[6], sel[7]
            );
            if fi {
                o.push_str(" fi:1");
            }
        }
        Dpp::Dpp16 {
            ctrl,
            row_mask,
            bank_mask,
            bound_ctrl,
            fi,
        } => {
            match ctrl {
                0..=0xFF => {
                    let _ = write!(
                        o,
                        " quad_perm:[{},{},{},{}]",
                        ctrl & 3,
                        (ctrl >> 2) & 3,
                        (ctrl >> 4) & 3,
                        (ctrl >> 6) & 3
                    );
                }
                0x101..=0x10F => {
                    let _ = write!(o, " row_shl:{}", ctrl & 0xF);
                }
                0x111..=0x11F => {
                    let _ = write!(o, " row_shr:{}", ctrl & 0xF);
                }
                0x121..=0x12F => {
                    let _ = write!(o, " row_ror:{}", ctrl & 0xF);
                }
                0x140 => o.push_str(" row_mirror"),
                0x141 => o.push_str(" row_half_mirror"),
                0x150..=0x15F => {
                    let _ = write!(o, " row_share:{}", ctrl & 0xF);
                }
                0x160..=0x16F => {
                    let _ = write!(o, " row_xmask:{}", ctrl & 0xF);
                }
                0x130 => o.push_str(" /* wave_shl is not supported starting from GFX10 */"),
                0x134 => o.push_str(" /* wave_rol is not supported starting from GFX10 */"),
                0x138 => o.push_str(" /* wave_shr is not supported starting from GFX10 */"),
                0x13C => o.push_str(" /* wave_ror is not supported starting from GFX10 */"),
                0x142 | 0x143 => {
                    o.push_str(" /* row_bcast is not supported starting from GFX10 */")
                }
                _ => o.push_str(" /* Invalid dpp_ctrl value */"),
            }
            let _ = write!(o, " row_mask:0x{row_mask:x} bank_mask:0x{bank_mask:x}");
            if bound_ctrl {
                o.push_str(" bound_ctrl:1");
            }
            if fi {
                o.push_str(" fi:1");
            }
        }
    }
}

fn m_sdwa_sdst(i: &Instr) -> bool {
    i.mods.sdwa.is_some() && i.info().encoding == Encoding::Vopc && i.defs[0] != Operand::None
}

/// Operands LLVM does not print in this instance (no-return atomics' vdst).
fn is_elided(i: &Instr, d: &OpndDesc) -> bool {
    // no-return atomics' vdst; the data operand of `lds` loads
    d.slot == Slot::Def0
        && i.defs[0] == Operand::None
        && (i.info().has(flags::ATOMIC) || i.info().has(flags::LDS))
}

fn write_operand(o: &mut String, i: &Instr, d: &OpndDesc, op: Operand) {
    let info = i.info();
    let enc = info.encoding;
    match d.slot {
        Slot::ImplicitVcc => {
            // VOPC SDWA with an explicit sdst (SD bit) writes that register
            if m_sdwa_sdst(i) {
                reg(o, i.defs[0]);
            } else {
                o.push_str(if i.wave64 { "vcc" } else { "vcc_lo" });
            }
            return;
        }
        Slot::Off => {
            if enc == Encoding::Scratch && !matches!(i.srcs[2], Operand::Null | Operand::None) {
                reg(o, i.srcs[2]);
                if i.srcs[2] == Operand::ExecHi {
                    o.push_str(
                        "/*Invalid register, operand has 'SReg_32_XEXEC_HI' register class*/",
                    );
                }
            } else {
                o.push_str("off");
            }
            return;
        }
        Slot::LiteralK => {
            // printU32ImmOperand / KImm: always hex.
            if let Operand::Literal(v) = op {
                hex(o, v as u64);
            }
            return;
        }
        _ => {}
    }
    // FLAT-family: absent saddr prints `off`; scratch with saddr has vaddr `off`.
    if matches!(enc, Encoding::Global | Encoding::Scratch | Encoding::Flat) {
        if d.slot == Slot::Src2 && matches!(op, Operand::Null) {
            o.push_str("off");
            return;
        }
        if d.slot == Slot::Src0 {
            let saddr = i.srcs[2];
            if enc == Encoding::Scratch
                && (!matches!(saddr, Operand::Null | Operand::None) || op == Operand::None)
            {
                o.push_str("off");
                return;
            }
            if let Operand::Vgpr { idx, .. } = op {
                let n = if enc == Encoding::Scratch {
                    1
                } else if matches!(saddr, Operand::Null | Operand::None) {
                    2
                } else {
                    1
                };
                range(o, "v", idx, n);
                return;
            }
        }
    }
    match d.konst {
        ConstKind::Attr => {
            if let Operand::Imm(v) = op {
                let chan = ["x", "y", "z", "w"][(v as usize >> 6) & 3];
                let _ = write!(o, "attr{}.{chan}", v & 0x3F);
            }
            return;
        }
        ConstKind::Imm => {
            if let Operand::Imm(v) = op {
                small_or_hex(o, v as u32);
            }
            return;
        }
        ConstKind::Param => {
            if let Operand::Imm(v) = op {
                match v {
                    0 => o.push_str("p10"),
                    1 => o.push_str("p20"),
                    2 => o.push_str("p0"),
                    _ => {
                        let _ = write!(o, "invalid_param_{v}");
                    }
                }
            }
            return;
        }
        _ => {}
    }
    if matches!(enc, Encoding::Mubuf | Encoding::Mtbuf)
        && d.slot == Slot::Src0
        && !i.mods.offen
        && !i.mods.idxen
    {
        o.push_str("off");
        return;
    }
    if matches!(enc, Encoding::Mubuf | Encoding::Mtbuf) && d.slot == Slot::Src0 {
        if let Operand::Vgpr { idx, .. } = op {
            // idxen + offen: the address is a VGPR pair
            range(o, "v", idx, 1 + (i.mods.offen && i.mods.idxen) as u8);
            return;
        }
    }
    let si = src_index(d.slot);
    let m = &i.mods;
    let (neg, abs, sext) = match si {
        Some(k) if enc == Encoding::Vop3 => {
            let n = m.neg & (1 << k) != 0;
            (
                n && d.mods & 1 != 0,
                m.abs & (1 << k) != 0 && d.mods & 2 != 0,
                n && d.mods & 4 != 0,
            )
        }
        Some(k)
            if m.dpp.is_some() && k < 2 && {
                let v = crate::decode::vop3_src_mods(i.op)[k];
                v & 4 != 0 && v & 1 == 0
            } =>
        {
            // DPP integer source: the neg bit prints as sext(..)
            (false, false, m.neg & (1 << k) != 0)
        }
        Some(k) if m.dpp.is_some() || m.sdwa.is_some() => {
            let sext = m.sdwa.map(|s| k < 2 && s.sext[k]).unwrap_or(false);
            (m.neg & (1 << k) != 0, m.abs & (1 << k) != 0, sext)
        }
        Some(k) if enc == Encoding::Vop3p && info.has(flags::MIX) => {
            (m.neg & (1 << k) != 0, m.abs & (1 << k) != 0, false)
        }
        _ => (false, false, false),
    };
    let is_const = matches!(
        op,
        Operand::InlineInt(_) | Operand::InlineFloat(_) | Operand::Literal(_)
    );
    // printOperandAndFPInputMods: neg of an immediate (without abs) is `neg(..)`
    let neg_fn = neg && !abs && is_const;
    if neg_fn {
        o.push_str("neg(");
    } else if neg {
        o.push('-');
    }
    if abs {
        o.push('|');
    }
    if sext {
        o.push_str("sext(");
    }
    if si.is_some() {
        konst(o, op, d.konst);
    } else {
        reg(o, op);
    }
    // LLVM's invalid-operand comments follow the register/constant itself
    // (inside `|..|`, `sext(..)`, `neg(..)`).
    // a constant in a scalar destination field (VOPC e64 sdst, …)
    if matches!(d.slot, Slot::Def0 | Slot::Def1) && is_const {
        o.push_str("/*Invalid immediate*/");
    }
    if !d.sreg_only.is_empty() && op.is_vgpr() {
        let _ = write!(
            o,
            "/*Invalid register, operand has '{}' register class*/",
            d.sreg_only
        );
    }
    if d.no_imm && is_const {
        o.push_str("/*Invalid immediate*/");
    } else if !d.vgpr_only.is_empty()
        && !is_const
        && !matches!(
            op,
            Operand::Vgpr { .. }
                | Operand::None
                | Operand::Null
                | Operand::Vccz
                | Operand::Execz
                | Operand::Scc
                | Operand::SrcSpecial(_)
        )
    {
        let _ = write!(
            o,
            "/*Invalid register, operand has '{}' register class*/",
            d.vgpr_only
        );
    } else if d.slot == Slot::Def0 && info.has(flags::SCALAR_DST) && op == Operand::LdsDirect {
        // lane-mask destinations (v_cmp*_e64) vs SGPR results (v_readlane, …)
        let rc = if enc == Encoding::Vop3 && info.name.starts_with("v_cmp") {
            "SReg_1"
        } else {
            "SReg_32"
        };
        let _ = write!(o, "/*Invalid register, operand has '{rc}' register class*/");
    } else if let Some(rc) = scalar_class_comment(enc, d, op) {
        let _ = write!(o, "/*Invalid register, operand has '{rc}' register class*/");
    }
    if sext {
        o.push(')');
    }
    if abs {
        o.push('|');
    }
    if neg_fn {
        o.push(')');
    }
}

/// Register classes LLVM names when a special register sits in a scalar
/// field that excludes it (it decodes the word and comments the operand).
fn scalar_class_comment(enc: Encoding, d: &OpndDesc, op: Operand) -> Option<String> {
    use Operand::{Exec, ExecHi, ExecLo, LdsDirect, Vcc, M0};
    let n = d.dwords as u32;
    match (enc, d.slot) {
        (Encoding::Sop1 | Encoding::Sop2 | Encoding::Sopc | Encoding::Sopk, s)
            if src_index(s).is_some() && op == LdsDirect =>
        {
            Some("SReg_32".into())
        }
        (Encoding::Mubuf | Encoding::Mtbuf, Slot::Src3) if op == LdsDirect => {
            Some("SReg_32".into())
        }
        (Encoding::Smem, Slot::Def0 | Slot::Src2) => match op {
            M0 | ExecLo | ExecHi if n == 1 => Some(String::from("SReg_32_XM0_XEXEC")),
            Exec if n == 2 => Some(String::from("SReg_64_XEXEC")),
            Vcc | Exec if n >= 4 => Some(format!("SReg_{}", 32 * n)),
            _ => None,
        },
        (Encoding::Smem, Slot::Src0) if n >= 4 && matches!(op, Vcc | Exec) => {
            Some(format!("SReg_{}", 32 * n))
        }
        _ => None,
    }
}

const MIMG_DIM: [&str; 8] = [
    "1D",
    "2D",
    "3D",
    "CUBE",
    "1D_ARRAY",
    "2D_ARRAY",
    "2D_MSAA",
    "2D_MSAA_ARRAY",
];

/// MIMG: `<vdata>, <vaddr | [v.., v..]>, <srsrc>[, <ssamp>]` then dmask, dim,
/// unorm, glc, slc, dlc, r128, a16, tfe, lwe, d16 (LLVM's order).
fn write_mimg(o: &mut String, i: &Instr) {
    let Some(mi) = i.info().mimg() else {
        return;
    };
    let m = &i.mods;
    let nsa = i.len > 8;
    o.push_str(if nsa && mi.nsa_space { "  " } else { " " });
    reg(o, if mi.store { i.srcs[3] } else { i.defs[0] });
    o.push_str(", ");
    if nsa {
        o.push('[');
        reg(o, i.srcs[0]);
        for r in &i.nsa[..i.nsa_len as usize] {
            let _ = write!(o, ", v{r}");
        }
        o.push(']');
    } else {
        reg(o, i.srcs[0]);
    }
    o.push_str(", ");
    reg(o, i.srcs[1]);
    if mi.sampler {
        o.push_str(", ");
        reg(o, i.srcs[2]);
    }
    if !mi.bvh {
        if m.dmask != 0 {
            let _ = write!(o, " dmask:0x{:x}", m.dmask);
        }
        let _ = write!(o, " dim:SQ_RSRC_IMG_{}", MIMG_DIM[m.dim as usize & 7]);
        if m.unorm {
            o.push_str(" unorm");
        }
    }
    write_cpol(o, i);
    for (on, s) in [
        (m.r128 && !mi.bvh, " r128"),
        (m.a16, " a16"),
        (m.tfe, " tfe"),
        (m.lwe, " lwe"),
        (m.d16, " d16"),
    ] {
        if on {
            o.push_str(s);
        }
    }
}

/// EXP: `exp <target> <src0>, <src1>, <src2>, <src3>[ done][ compr][ vm]`;
/// a source whose enable bit is clear prints `off`; with compr, sources
/// 0/1 read the first VGPR field and 2/3 the second (as LLVM prints it).
fn write_exp(o: &mut String, i: &Instr) {
    let m = &i.mods;
    o.push(' ');
    o.push_str(exp_target_name(i));
    for k in 0..4 {
        o.push_str(if k == 0 { " " } else { ", " });
        if m.exp_en & (1 << k) == 0 {
            o.push_str("off");
        } else {
            reg(o, i.srcs[if m.exp_compr { k / 2 } else { k }]);
        }
    }
    if m.exp_done {
        o.push_str(" done");
    }
    if m.exp_compr {
        o.push_str(" compr");
    }
    if m.exp_vm {
        o.push_str(" vm");
    }
}

/// Index (gfx1010, gfx1011, gfx1030) of the first target of the row: rows
/// whose symbolic tables differ between targets are split per target set.
fn row_target_index(i: &Instr) -> usize {
    i.info().targets.trailing_zeros().min(2) as usize
}

/// EXP target name as LLVM prints it on the instruction's target.
fn exp_target_name(i: &Instr) -> &'static str {
    crate::generated::EXP_TARGET[row_target_index(i)][i.mods.exp_tgt as usize & 0x3F]
}

fn write_sopx(o: &mut String, i: &Instr) -> fmt::Result {
    let info = i.info();
    let imm = match i.srcs[0] {
        Operand::Imm(v) => v,
        _ => 0,
    };
    let u = imm as u16;
    let name = info.name;
    let mut first = true;
    for d in info.operands {
        o.push_str(if first { " " } else { ", " });
        first = false;
        if d.slot == Slot::Def0 {
            reg(o, i.defs[0]);
            continue;
        }
        if d.slot == Slot::LiteralK {
            imm32(
                o,
                match i.srcs[3] {
                    Operand::Literal(v) => v,
                    _ => 0,
                },
            );
            continue;
        }
        match name {
            "s_waitcnt" => waitcnt(o, u),
            "s_sendmsg" | "s_sendmsghalt" => sendmsg(o, u),
            "s_getreg_b32" | "s_setreg_b32" | "s_setreg_imm32_b32" => {
                hwreg(o, u, row_target_index(i))
            }
            "s_version" => uc_version(o, u),
            "s_waitcnt_depctr" => depctr(o, u, info.targets == crate::TARGET_GFX1030),
            "s_inst_prefetch" | "s_clause" | "s_round_mode" | "s_ttracedata_imm" => {
                hex(o, u as u64)
            }
            "s_call_b64" | "s_subvector_loop_begin" | "s_subvector_loop_end" | "s_endpgm" => {
                let _ = write!(o, "{}", u);
            }
            _ if info.encoding == Encoding::Sopk => hex(o, u as u64),
            _ if name.starts_with("s_branch") || name.starts_with("s_cbranch") => {
                let _ = write!(o, "{}", u);
            }
            // printU16ImmOperand-style: 0..=64 in decimal, else hex
            _ => small_or_hex(o, u as u32),
        }
    }
    // s_endpgm prints its immediate only when non-zero: the table says the
    // field is used; LLVM hides 0.
    if name == "s_endpgm" && imm == 0 {
        o.truncate(o.len() - 2);
    }
    Ok(())
}

/// An unsigned immediate as LLVM prints small ones: 0..=64 decimal, else hex.
fn small_or_hex(o: &mut String, u: u32) {
    if u <= 64 {
        let _ = write!(o, "{u}");
    } else {
        hex(o, u as u64);
    }
}

/// `printSwizzle` (ds_swizzle_b32 offset).
fn swizzle(o: &mut String, imm: u16) {
    if imm == 0 {
        return;
    }
    o.push_str(" offset:");
    if imm & 0xFF00 == 0x8000 {
        let _ = write!(
            o,
            "swizzle(QUAD_PERM,{},{},{},{})",
            imm & 3,
            (imm >> 2) & 3,
            (imm >> 4) & 3,
            (imm >> 6) & 3
        );
    } else if imm & 0x8000 == 0 {
        let and = imm & 0x1F;
        let or = (imm >> 5) & 0x1F;
        let xor = (imm >> 10) & 0x1F;
        if and == 0x1F && or == 0 && xor.count_ones() == 1 {
            let _ = write!(o, "swizzle(SWAP,{xor})");
        } else if and == 0x1F && or == 0 && xor > 0 && (xor + 1).is_power_of_two() {
            let _ = write!(o, "swizzle(REVERSE,{})", xor + 1);
        } else {
            let group = 0x1F - and + 1;
            if group > 1 && group.is_power_of_two() && or < group && xor == 0 {
                let _ = write!(o, "swizzle(BROADCAST,{group},{or})");
            } else {
                o.push_str("swizzle(BITMASK_PERM,\"");
                let p0 = or ^ xor;
                let p1 = ((0x1F & and) | or) ^ xor;
                let mut mask = 1u16 << 4;
                while mask > 0 {
                    let (a, b) = (p0 & mask, p1 & mask);
                    o.push(match (a == b, a == 0) {
                        (true, true) => '0',
                        (true, false) => '1',
                        (false, true) => 'p',
                        (false, false) => 'i',
                    });
                    mask >>= 1;
                }
                o.push_str("\")");
            }
        }
    } else {
        let _ = write!(o, "{imm}");
    }
}

/// `printDepCtr`: gfx10 fields (name, shift, width), LLVM `DepCtrInfo` order.
const DEPCTR: [(&str, u16, u16); 6] = [
    ("depctr_sa_sdst", 0, 1),
    ("depctr_va_vdst", 12, 4),
    ("depctr_va_sdst", 9, 3),
    ("depctr_va_ssrc", 8, 1),
    ("depctr_va_vcc", 1, 1),
    ("depctr_vm_vsrc", 2, 3),
];

/// gfx10.3 adds depctr_hold_cnt (bit 7).
const DEPCTR_1030: [(&str, u16, u16); 7] = [
    ("depctr_hold_cnt", 7, 1),
    ("depctr_sa_sdst", 0, 1),
    ("depctr_va_vdst", 12, 4),
    ("depctr_va_sdst", 9, 3),
    ("depctr_va_ssrc", 8, 1),
    ("depctr_va_vcc", 1, 1),
    ("depctr_vm_vsrc", 2, 3),
];

fn depctr(o: &mut String, u: u16, gfx1030: bool) {
    let mut known = 0u16;
    let mut non_default = false;
    let fields: &[(&str, u16, u16)] = if gfx1030 { &DEPCTR_1030 } else { &DEPCTR };
    for &(_, sh, w) in fields {
        let m = ((1u16 << w) - 1) << sh;
        known |= m;
        if u & m != m {
            non_default = true;
        }
    }
    // LLVM re-encodes the known fields from zero: other set bits make the
    // value non-symbolic (printed as hex).
    if u & !known != 0 {
        hex(o, u as u64);
        return;
    }
    let mut first = true;
    for &(name, sh, w) in fields {
        let mask = (1u16 << w) - 1;
        let v = (u >> sh) & mask;
        if v != mask || !non_default {
            if !first {
                o.push(' ');
            }
            first = false;
            let _ = write!(o, "{name}({v})");
        }
    }
}

fn waitcnt(o: &mut String, u: u16) {
    let vm = (u & 0xF) | ((u >> 14) << 4);
    let exp = (u >> 4) & 7;
    let lgkm = (u >> 8) & 0x3F;
    let all = vm == 63 && exp == 7 && lgkm == 63;
    let mut parts = Vec::with_capacity(3);
    if vm != 63 || all {
        parts.push(format!("vmcnt({vm})"));
    }
    if exp != 7 || all {
        parts.push(format!("expcnt({exp})"));
    }
    if lgkm != 63 || all {
        parts.push(format!("lgkmcnt({lgkm})"));
    }
    o.push_str(&parts.join(" "));
}

/// `hwreg(id[, offset, size])`; the names valid on each target are probed
/// (`HWREG_NAMES`, index 0 gfx1010, 1 gfx1011, 2 gfx1030).
fn hwreg(o: &mut String, u: u16, target: usize) {
    let id = u & 0x3F;
    let off = (u >> 6) & 0x1F;
    let size = ((u >> 11) & 0x1F) + 1;
    o.push_str("hwreg(");
    match crate::generated::HWREG_NAMES[target.min(2)][id as usize] {
        "" => {
            let _ = write!(o, "{id}");
        }
        n => o.push_str(n),
    }
    if off != 0 || size != 32 {
        let _ = write!(o, ", {off}, {size}");
    }
    o.push(')');
}

/// s_version: plain hex when bits 12:8 are set, else the version (LLVM's
/// table) combined with the `UC_VERSION_{W64,W32,MDP}_BIT` flags.
fn uc_version(o: &mut String, u: u16) {
    if u & 0x1F00 != 0 {
        hex(o, u as u64);
        return;
    }
    let flags = [
        (0x2000, "UC_VERSION_W64_BIT"),
        (0x4000, "UC_VERSION_W32_BIT"),
        (0x8000, "UC_VERSION_MDP_BIT"),
    ];
    if u & 0xE000 == 0 {
        o.push_str(crate::generated::UC_VERSION[u as usize & 0xFF]);
        return;
    }
    let mut e = crate::generated::UC_VERSION_TERM[u as usize & 0xFF].to_string();
    let mut first = true;
    for (bit, name) in flags {
        if u & bit != 0 {
            e = if first {
                format!("{e}|{name}")
            } else {
                format!("({e})|{name}")
            };
            first = false;
        }
    }
    o.push_str(&e);
}

/// `printSendMsg` for gfx10: id = bits 3:0, op = 6:4, stream = 9:8 (other
/// bits ignored); symbolic when the id has a name and op/stream are valid for
/// it, `sendmsg(id, op, stream)` when those fields re-encode to the value,
/// else the plain number.
fn sendmsg(o: &mut String, u: u16) {
    let msg = u & 0xF;
    let op = (u >> 4) & 7;
    let stream = (u >> 8) & 3;
    let name = match msg {
        1 => Some("MSG_INTERRUPT"),
        2 => Some("MSG_GS"),
        3 => Some("MSG_GS_DONE"),
        4 => Some("MSG_SAVEWAVE"),
        5 => Some("MSG_STALL_WAVE_GEN"),
        6 => Some("MSG_HALT_WAVES"),
        7 => Some("MSG_ORDERED_PS_DONE"),
        8 => Some("MSG_EARLY_PRIM_DEALLOC"),
        9 => Some("MSG_GS_ALLOC_REQ"),
        10 => Some("MSG_GET_DOORBELL"),
        11 => Some("MSG_GET_DDID"),
        15 => Some("MSG_SYSMSG"),
        _ => None,
    };
    let op_ok = match msg {
        15 => (1..=4).contains(&op),
        2 => (1..=3).contains(&op),
        3 => op <= 3,
        _ => op == 0,
    };
    let stream_ok = match msg {
        2 => true,
        3 if op == 0 => stream == 0,
        3 => true,
        _ => stream == 0,
    };
    match name {
        Some(n) if op_ok && stream_ok => {
            o.push_str("sendmsg(");
            o.push_str(n);
            match msg {
                2 | 3 => {
                    let ops = ["GS_OP_NOP", "GS_OP_CUT", "GS_OP_EMIT", "GS_OP_EMIT_CUT"];
                    let _ = write!(o, ", {}", ops[op as usize]);
                    if op != 0 {
                        let _ = write!(o, ", {stream}");
                    }
                }
                15 => {
                    let ops = [
                        "",
                        "SYSMSG_OP_ECC_ERR_INTERRUPT",
                        "SYSMSG_OP_REG_RD",
                        "SYSMSG_OP_HOST_TRAP_ACK",
                        "SYSMSG_OP_TTRACE_PC",
                    ];
                    let _ = write!(o, ", {}", ops[op as usize]);
                }
                _ => {}
            }
            o.push(')');
        }
        _ if msg | op << 4 | stream << 8 == u => {
            let _ = write!(o, "sendmsg({msg}, {op}, {stream})");
        }
        _ => {
            let _ = write!(o, "{u}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl Fn(&mut String)) -> String {
        let mut o = String::new();
        f(&mut o);
        o
    }

    #[test]
    fn immediates_like_llvm() {
        assert_eq!(s(|o| imm32(o, 0x3f80_0000)), "1.0");
        assert_eq!(s(|o| imm32(o, 0xffff_fff0)), "-16");
        assert_eq!(s(|o| imm32(o, 0x3e22_f983)), "0.15915494");
        assert_eq!(s(|o| imm32(o, 0x1234)), "0x1234");
        assert_eq!(
            s(|o| imm64(o, 0x3fc4_5f30_6dc9_c882)),
            "0.15915494309189532"
        );
        assert_eq!(s(|o| imm16(o, 0x3c00)), "1.0");
        assert_eq!(s(|o| immi16(o, 0x3118)), "0x3118");
        assert_eq!(s(|o| shex(o, -0x506a5)), "-0x506a5");
    }

    #[test]
    fn symbolic_fields() {
        assert_eq!(s(|o| waitcnt(o, 0xc07f)), "lgkmcnt(0)");
        assert_eq!(s(|o| waitcnt(o, 0xffff)), "vmcnt(63) expcnt(7) lgkmcnt(63)");
        assert_eq!(s(|o| hwreg(o, 0x1234, 0)), "hwreg(52, 8, 3)");
        assert_eq!(s(|o| hwreg(o, 1 | 31 << 11, 0)), "hwreg(HW_REG_MODE)");
        assert_eq!(
            s(|o| uc_version(o, 0xe0ff)),
            "((255|UC_VERSION_W64_BIT)|UC_VERSION_W32_BIT)|UC_VERSION_MDP_BIT"
        );
        assert_eq!(s(|o| swizzle(o, 0x041f)), " offset:swizzle(SWAP,1)");
        assert_eq!(s(|o| depctr(o, 0xffe3, false)), "0xffe3");
        assert_eq!(s(|o| sendmsg(o, 3)), "sendmsg(MSG_GS_DONE, GS_OP_NOP)");
    }
}
