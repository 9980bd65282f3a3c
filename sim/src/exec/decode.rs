//! Adapter from the isa crate's decoded [`isa::Instr`] to the executor's
//! decoder-independent [`Decoded`] form (role slots, implicit VCC filled in).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::dispatch::Target;
use super::ir::{sreg, DppCtl, Mods, Sdwa};
use super::program::{DOp, Decoded};

fn isa_target(t: Target) -> isa::Target {
    match t {
        Target::Gfx1010 => isa::Target::Gfx1010,
        Target::Gfx1030 => isa::Target::Gfx1030,
    }
}

/// The table row of (op, encoding): its printed operand list says where LLVM
/// shows an implicit VCC.
fn row_of(i: &isa::Instr) -> Option<&'static isa::InstrInfo> {
    static MAP: OnceLock<HashMap<(u32, isa::Encoding), &'static isa::InstrInfo>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut m = HashMap::new();
        for r in isa::rows() {
            m.entry((r.op as u32, r.encoding)).or_insert(r);
        }
        m
    });
    map.get(&(i.op as u32, i.encoding)).copied()
}

fn opnd(o: isa::Operand) -> Result<DOp, String> {
    use isa::Operand as O;
    Ok(match o {
        O::None => DOp::None,
        O::Sgpr { idx, count } => DOp::S(idx as u16, count),
        O::Vgpr { idx, count } => DOp::V(idx as u16, count),
        O::Ttmp { idx, count } => DOp::S(108 + idx as u16, count),
        O::VccLo => DOp::S(sreg::VCC, 1),
        O::Vcc => DOp::S(sreg::VCC, 2),
        O::VccHi => DOp::S(sreg::VCC + 1, 1),
        O::ExecLo => DOp::S(sreg::EXEC, 1),
        O::Exec => DOp::S(sreg::EXEC, 2),
        O::ExecHi => DOp::S(sreg::EXEC + 1, 1),
        O::M0 => DOp::S(sreg::M0, 1),
        O::Null => DOp::S(sreg::NULL, 1),
        O::Scc => DOp::Inline(253),
        O::Vccz => DOp::Inline(251),
        O::Execz => DOp::Inline(252),
        O::SrcSpecial(c) => DOp::Inline(c),
        O::InlineInt(_) | O::InlineFloat(_) => {
            DOp::Inline(o.src_code().ok_or("bad inline constant")?)
        }
        O::Literal(k) => DOp::Lit(k),
        O::Imm(i) => DOp::Imm(i as i64),
        O::LdsDirect => return Err("lds_direct is not supported".into()),
    })
}

/// Decodes one instruction at the start of `bytes`.
pub fn decode(bytes: &[u8], target: Target, wave64: bool) -> Result<Decoded, String> {
    let t = isa_target(target);
    let ins = isa::decode(bytes, t, wave64).map_err(|e| e.to_string())?;
    let text = isa::format(&ins);
    let mut d = Decoded {
        name: ins.op.name().to_string(),
        text,
        len: ins.len as u32,
        ..Decoded::default()
    };
    for (k, o) in ins.defs.iter().enumerate() {
        d.defs[k] = opnd(*o)?;
    }
    for (k, o) in ins.srcs.iter().enumerate() {
        d.srcs[k] = opnd(*o)?;
    }
    // Implicit VCC (VOPC e32 destination, VOP2 carry out/in, cndmask select).
    if let Some(row) = row_of(&ins) {
        let vcc = DOp::S(sreg::VCC, if wave64 { 2 } else { 1 });
        let mut seen_src = false;
        for od in row.operands {
            match od.slot {
                isa::Slot::Src0 | isa::Slot::Src1 | isa::Slot::Src2 | isa::Slot::Src3 => {
                    seen_src = true
                }
                isa::Slot::ImplicitVcc if !seen_src => {
                    if d.defs[0] == DOp::None {
                        d.defs[0] = vcc;
                    } else {
                        d.defs[1] = vcc;
                    }
                }
                isa::Slot::ImplicitVcc => d.srcs[2] = vcc,
                _ => {}
            }
        }
        // v_fmamk/v_fmaak (and mad forms) keep K in srcs[3]: put the sources
        // in print order so the handler computes src0 * src1 + src2.
        if row.operands.iter().any(|o| o.slot == isa::Slot::LiteralK) {
            let mut s = Vec::new();
            for od in row.operands {
                match od.slot {
                    isa::Slot::Src0 => s.push(d.srcs[0]),
                    isa::Slot::Src1 => s.push(d.srcs[1]),
                    isa::Slot::Src2 => s.push(d.srcs[2]),
                    isa::Slot::LiteralK => s.push(d.srcs[3]),
                    _ => {}
                }
            }
            d.srcs = [DOp::None; 4];
            for (k, o) in s.into_iter().take(4).enumerate() {
                d.srcs[k] = o;
            }
        }
    }
    let m = &ins.mods;
    d.m = Mods {
        neg: m.neg,
        abs: m.abs,
        clamp: m.clamp,
        omod: m.omod,
        opsel: m.op_sel,
        opsel_hi: m.op_sel_hi,
    };
    d.sdwa = m.sdwa.map(|s| Sdwa {
        src_sel: [
            s.src_sel[0] | (s.sext[0] as u8) << 3,
            s.src_sel[1] | (s.sext[1] as u8) << 3,
        ],
        dst_sel: s.dst_sel,
        dst_unused: s.dst_unused,
    });
    d.dpp = m.dpp.map(|p| match p {
        isa::Dpp::Dpp16 {
            ctrl,
            row_mask,
            bank_mask,
            bound_ctrl,
            fi,
        } => DppCtl::Dpp16 {
            ctrl,
            row_mask,
            bank_mask,
            bound_ctrl,
            fi,
        },
        isa::Dpp::Dpp8 { sel, fi } => DppCtl::Dpp8 { sel, fi },
    });
    d.offset = m.offset as i64;
    d.offset0 = m.offset0 as i64;
    d.offset1 = m.offset1 as i64;
    d.glc = m.glc;
    d.offen = m.offen;
    d.idxen = m.idxen;
    Ok(d)
}
