//! Program control and bookkeeping (SOPP, cache invalidates, s_memtime).
//!
//! Branch uops carry the target uop index in `imm`; `imm2 < 0` marks a
//! target that is not an instruction boundary (an error when taken).

use super::ir::{Flow, Uop};
use super::table::{Entry, Ty::*};
use super::wave::{Env, Wave};

fn nop(_w: &mut Wave, _e: &mut Env, _u: &Uop) -> Flow {
    Flow::Next
}

#[inline(always)]
fn branch_if(e: &mut Env, u: &Uop, cond: bool) -> Flow {
    if !cond {
        Flow::Next
    } else if u.imm2 < 0 {
        e.illegal(u, "branch target is not an instruction")
    } else {
        Flow::Jump(u.imm as u32)
    }
}

fn s_branch(_w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    branch_if(e, u, true)
}
/// s_call_b64: the return address (next instruction) into the SGPR pair, then branch.
fn s_call_b64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    w.sset64(u.dst, e.pgm_va + u.pc as u64 + 4);
    branch_if(e, u, true)
}
fn s_cbranch_scc0(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    branch_if(e, u, !w.scc)
}
fn s_cbranch_scc1(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    branch_if(e, u, w.scc)
}
fn s_cbranch_vccz(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    branch_if(e, u, w.vcc() == 0)
}
fn s_cbranch_vccnz(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    branch_if(e, u, w.vcc() != 0)
}
fn s_cbranch_execz(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    branch_if(e, u, w.exec() == 0)
}
fn s_cbranch_execnz(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    branch_if(e, u, w.exec() != 0)
}
fn s_endpgm(_w: &mut Wave, _e: &mut Env, _u: &Uop) -> Flow {
    Flow::End
}
fn s_barrier(_w: &mut Wave, e: &mut Env, _u: &Uop) -> Flow {
    e.counters.barriers += 1;
    Flow::Barrier
}
fn s_code_end(_w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    e.illegal(u, "executed code-end padding")
}
fn s_trap(_w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    e.illegal(u, "s_trap (no trap handler installed)")
}
/// s_sendmsg: the messages compute waves send on gfx10 (none needed for
/// correctness: MSG_DEALLOC_VGPRS is gfx11) are accepted and ignored.
fn s_sendmsg(_w: &mut Wave, _e: &mut Env, _u: &Uop) -> Flow {
    Flow::Next
}
/// s_round_mode / s_denorm_mode write MODE bits 3:0 / 7:4.
fn s_round_mode(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    w.mode = (w.mode & !0xf) | (u.imm as u32 & 0xf);
    Flow::Next
}
fn s_denorm_mode(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    w.mode = (w.mode & !0xf0) | ((u.imm as u32 & 0xf) << 4);
    Flow::Next
}
/// s_memtime / s_memrealtime: a deterministic clock (instructions so far).
fn s_memtime(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let t = e.counters.total_instructions();
    w.sset64(u.dst, t);
    Flow::Next
}

/// The control table.
pub fn table() -> Vec<Entry> {
    macro_rules! t { ($($name:ident = $f:ident;)*) => { vec![$(Entry::new(stringify!($name), $f, &[]),)*] } }
    let mut v = t! {
        s_nop = nop; s_waitcnt = nop; s_waitcnt_vscnt = nop; s_waitcnt_vmcnt = nop;
        s_waitcnt_expcnt = nop; s_waitcnt_lgkmcnt = nop; s_waitcnt_depctr = nop;
        s_sleep = nop; s_setprio = nop; s_icache_inv = nop; s_clause = nop;
        s_inst_prefetch = nop; s_ttracedata = nop; s_dcache_inv = nop; s_gl1_inv = nop;
        buffer_gl0_inv = nop; buffer_gl1_inv = nop; s_sendmsg = s_sendmsg; s_sendmsghalt = s_sendmsg;
        s_branch = s_branch; s_call_b64 = s_call_b64; s_cbranch_scc0 = s_cbranch_scc0; s_cbranch_scc1 = s_cbranch_scc1;
        s_cbranch_vccz = s_cbranch_vccz; s_cbranch_vccnz = s_cbranch_vccnz;
        s_cbranch_execz = s_cbranch_execz; s_cbranch_execnz = s_cbranch_execnz;
        s_endpgm = s_endpgm; s_barrier = s_barrier; s_code_end = s_code_end; s_trap = s_trap;
        s_round_mode = s_round_mode; s_denorm_mode = s_denorm_mode;
        s_memtime = s_memtime; s_memrealtime = s_memtime;
    };
    v.push(Entry::new("s_version", nop, &[B32]));
    v
}
