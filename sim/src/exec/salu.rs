//! Scalar ALU semantics (SOP1, SOP2, SOPC, SOPK). Names as LLVM prints them.

use super::ir::{Flow, Opnd, Uop};
use super::table::{Entry, Ty::*};
use super::wave::{Env, Wave};

#[inline(always)]
fn sop2_32(w: &mut Wave, u: &Uop, f: impl Fn(u32, u32, bool) -> (u32, Option<bool>)) -> Flow {
    let (r, c) = f(w.sget(u.src[0]), w.sget(u.src[1]), w.scc);
    w.sset(u.dst, r);
    if let Some(c) = c {
        w.scc = c;
    }
    Flow::Next
}

#[inline(always)]
fn sop2_64(w: &mut Wave, u: &Uop, f: impl Fn(u64, u64, bool) -> (u64, Option<bool>)) -> Flow {
    let (r, c) = f(w.sget64(u.src[0]), w.sget64(u.src[1]), w.scc);
    w.sset64(u.dst, r);
    if let Some(c) = c {
        w.scc = c;
    }
    Flow::Next
}

#[inline(always)]
fn sopc(w: &mut Wave, u: &Uop, f: impl Fn(u64, u64) -> bool) -> Flow {
    w.scc = f(w.sget64(u.src[0]), w.sget64(u.src[1]));
    Flow::Next
}

macro_rules! sop2_32 {
    ($($name:ident => |$a:ident, $b:ident, $c:ident| $body:expr;)*) => {
        $(fn $name(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
            #[allow(unused_variables)]
            sop2_32(w, u, |$a: u32, $b: u32, $c: bool| $body)
        })*
    };
}
macro_rules! sop2_64 {
    ($($name:ident => |$a:ident, $b:ident, $c:ident| $body:expr;)*) => {
        $(fn $name(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
            #[allow(unused_variables)]
            sop2_64(w, u, |$a: u64, $b: u64, $c: bool| $body)
        })*
    };
}
macro_rules! sopc {
    ($($name:ident => |$a:ident, $b:ident| $body:expr;)*) => {
        $(fn $name(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
            sopc(w, u, |$a: u64, $b: u64| $body)
        })*
    };
}

fn bfe32(v: u32, ctl: u32, signed: bool) -> u32 {
    let off = ctl & 31;
    let width = (ctl >> 16) & 0x7f;
    if width == 0 {
        return 0;
    }
    let width = width.min(32);
    let x = v >> off;
    if width >= 32 {
        return x;
    }
    if signed {
        ((x << (32 - width)) as i32 >> (32 - width)) as u32
    } else {
        x & ((1u32 << width) - 1)
    }
}

fn bfe64(v: u64, ctl: u64, signed: bool) -> u64 {
    let off = ctl & 63;
    let width = (ctl >> 16) & 0x7f;
    if width == 0 {
        return 0;
    }
    let x = v >> off;
    if width >= 64 {
        return x;
    }
    if signed {
        ((x << (64 - width)) as i64 >> (64 - width)) as u64
    } else {
        x & ((1u64 << width) - 1)
    }
}

sop2_32! {
    s_add_u32 => |a, b, c| { let (r, o) = a.overflowing_add(b); (r, Some(o)) };
    s_sub_u32 => |a, b, c| { let (r, o) = a.overflowing_sub(b); (r, Some(o)) };
    s_add_i32 => |a, b, c| { let (r, o) = (a as i32).overflowing_add(b as i32); (r as u32, Some(o)) };
    s_sub_i32 => |a, b, c| { let (r, o) = (a as i32).overflowing_sub(b as i32); (r as u32, Some(o)) };
    s_addc_u32 => |a, b, c| { let r = a as u64 + b as u64 + c as u64; (r as u32, Some(r >> 32 != 0)) };
    s_subb_u32 => |a, b, c| { let r = (a as u64).wrapping_sub(b as u64).wrapping_sub(c as u64); (r as u32, Some((b as u64 + c as u64) > a as u64)) };
    s_min_i32 => |a, b, c| { let r = (a as i32).min(b as i32); (r as u32, Some((a as i32) < (b as i32))) };
    s_min_u32 => |a, b, c| (a.min(b), Some(a < b));
    s_max_i32 => |a, b, c| { let r = (a as i32).max(b as i32); (r as u32, Some((a as i32) > (b as i32))) };
    s_max_u32 => |a, b, c| (a.max(b), Some(a > b));
    s_cselect_b32 => |a, b, c| (if c { a } else { b }, None);
    s_and_b32 => |a, b, c| { let r = a & b; (r, Some(r != 0)) };
    s_or_b32 => |a, b, c| { let r = a | b; (r, Some(r != 0)) };
    s_xor_b32 => |a, b, c| { let r = a ^ b; (r, Some(r != 0)) };
    s_andn2_b32 => |a, b, c| { let r = a & !b; (r, Some(r != 0)) };
    s_orn2_b32 => |a, b, c| { let r = a | !b; (r, Some(r != 0)) };
    s_nand_b32 => |a, b, c| { let r = !(a & b); (r, Some(r != 0)) };
    s_nor_b32 => |a, b, c| { let r = !(a | b); (r, Some(r != 0)) };
    s_xnor_b32 => |a, b, c| { let r = !(a ^ b); (r, Some(r != 0)) };
    s_lshl_b32 => |a, b, c| { let r = a << (b & 31); (r, Some(r != 0)) };
    s_lshr_b32 => |a, b, c| { let r = a >> (b & 31); (r, Some(r != 0)) };
    s_ashr_i32 => |a, b, c| { let r = ((a as i32) >> (b & 31)) as u32; (r, Some(r != 0)) };
    s_lshl1_add_u32 => |a, b, c| { let r = ((a as u64) << 1) + b as u64; (r as u32, Some(r >> 32 != 0)) };
    s_lshl2_add_u32 => |a, b, c| { let r = ((a as u64) << 2) + b as u64; (r as u32, Some(r >> 32 != 0)) };
    s_lshl3_add_u32 => |a, b, c| { let r = ((a as u64) << 3) + b as u64; (r as u32, Some(r >> 32 != 0)) };
    s_lshl4_add_u32 => |a, b, c| { let r = ((a as u64) << 4) + b as u64; (r as u32, Some(r >> 32 != 0)) };
    s_bfm_b32 => |a, b, c| ((((1u64 << (a & 31)) - 1) as u32).wrapping_shl(b & 31), None);
    s_mul_i32 => |a, b, c| (a.wrapping_mul(b), None);
    s_mul_hi_u32 => |a, b, c| (((a as u64 * b as u64) >> 32) as u32, None);
    s_mul_hi_i32 => |a, b, c| (((a as i32 as i64 * b as i32 as i64) >> 32) as u32, None);
    s_bfe_u32 => |a, b, c| { let r = bfe32(a, b, false); (r, Some(r != 0)) };
    s_bfe_i32 => |a, b, c| { let r = bfe32(a, b, true); (r, Some(r != 0)) };
    s_absdiff_i32 => |a, b, c| { let r = (a as i32).wrapping_sub(b as i32).unsigned_abs(); (r, Some(r != 0)) };
    s_pack_ll_b32_b16 => |a, b, c| ((a & 0xffff) | (b << 16), None);
    s_pack_lh_b32_b16 => |a, b, c| ((a & 0xffff) | (b & 0xffff_0000), None);
    s_pack_hh_b32_b16 => |a, b, c| ((a >> 16) | (b & 0xffff_0000), None);
}

sop2_64! {
    s_cselect_b64 => |a, b, c| (if c { a } else { b }, None);
    s_and_b64 => |a, b, c| { let r = a & b; (r, Some(r != 0)) };
    s_or_b64 => |a, b, c| { let r = a | b; (r, Some(r != 0)) };
    s_xor_b64 => |a, b, c| { let r = a ^ b; (r, Some(r != 0)) };
    s_andn2_b64 => |a, b, c| { let r = a & !b; (r, Some(r != 0)) };
    s_orn2_b64 => |a, b, c| { let r = a | !b; (r, Some(r != 0)) };
    s_nand_b64 => |a, b, c| { let r = !(a & b); (r, Some(r != 0)) };
    s_nor_b64 => |a, b, c| { let r = !(a | b); (r, Some(r != 0)) };
    s_xnor_b64 => |a, b, c| { let r = !(a ^ b); (r, Some(r != 0)) };
    s_lshl_b64 => |a, b, c| { let r = a << (b & 63); (r, Some(r != 0)) };
    s_lshr_b64 => |a, b, c| { let r = a >> (b & 63); (r, Some(r != 0)) };
    s_ashr_i64 => |a, b, c| { let r = ((a as i64) >> (b & 63)) as u64; (r, Some(r != 0)) };
    s_bfm_b64 => |a, b, c| ((((1u128 << (a & 63)) - 1) as u64).wrapping_shl((b & 63) as u32), None);
    s_bfe_u64 => |a, b, c| { let r = bfe64(a, b, false); (r, Some(r != 0)) };
    s_bfe_i64 => |a, b, c| { let r = bfe64(a, b, true); (r, Some(r != 0)) };
}

sopc! {
    s_cmp_eq_i32 => |a, b| a as u32 == b as u32;
    s_cmp_lg_i32 => |a, b| a as u32 != b as u32;
    s_cmp_gt_i32 => |a, b| (a as i32) > (b as i32);
    s_cmp_ge_i32 => |a, b| (a as i32) >= (b as i32);
    s_cmp_lt_i32 => |a, b| (a as i32) < (b as i32);
    s_cmp_le_i32 => |a, b| (a as i32) <= (b as i32);
    s_cmp_eq_u32 => |a, b| a as u32 == b as u32;
    s_cmp_lg_u32 => |a, b| a as u32 != b as u32;
    s_cmp_gt_u32 => |a, b| (a as u32) > (b as u32);
    s_cmp_ge_u32 => |a, b| (a as u32) >= (b as u32);
    s_cmp_lt_u32 => |a, b| (a as u32) < (b as u32);
    s_cmp_le_u32 => |a, b| (a as u32) <= (b as u32);
    s_cmp_eq_u64 => |a, b| a == b;
    s_cmp_lg_u64 => |a, b| a != b;
    s_bitcmp0_b32 => |a, b| (a as u32 >> (b & 31)) & 1 == 0;
    s_bitcmp1_b32 => |a, b| (a as u32 >> (b & 31)) & 1 == 1;
    s_bitcmp0_b64 => |a, b| (a >> (b & 63)) & 1 == 0;
    s_bitcmp1_b64 => |a, b| (a >> (b & 63)) & 1 == 1;
}

// ---- SOP1 ----

#[inline(always)]
fn sop1_32(w: &mut Wave, u: &Uop, f: impl Fn(u32, u32) -> (u32, Option<bool>)) -> Flow {
    let old = w.sget(u.dst);
    let (r, c) = f(w.sget(u.src[0]), old);
    w.sset(u.dst, r);
    if let Some(c) = c {
        w.scc = c;
    }
    Flow::Next
}
#[inline(always)]
fn sop1_64(w: &mut Wave, u: &Uop, f: impl Fn(u64, u64) -> (u64, Option<bool>)) -> Flow {
    let old = w.sget64(u.dst);
    let (r, c) = f(w.sget64(u.src[0]), old);
    w.sset64(u.dst, r);
    if let Some(c) = c {
        w.scc = c;
    }
    Flow::Next
}
macro_rules! sop1_32 {
    ($($name:ident => |$a:ident, $o:ident| $body:expr;)*) => {
        $(fn $name(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
            #[allow(unused_variables)]
            sop1_32(w, u, |$a: u32, $o: u32| $body)
        })*
    };
}
macro_rules! sop1_64 {
    ($($name:ident => |$a:ident, $o:ident| $body:expr;)*) => {
        $(fn $name(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
            #[allow(unused_variables)]
            sop1_64(w, u, |$a: u64, $o: u64| $body)
        })*
    };
}

fn ff1_32(a: u32) -> u32 {
    if a == 0 {
        u32::MAX
    } else {
        a.trailing_zeros()
    }
}
fn flbit32(a: u32) -> u32 {
    if a == 0 {
        u32::MAX
    } else {
        a.leading_zeros()
    }
}
fn flbit_i32(a: u32) -> u32 {
    let a = a as i32;
    if a == 0 || a == -1 {
        u32::MAX
    } else if a < 0 {
        (!a as u32).leading_zeros()
    } else {
        (a as u32).leading_zeros()
    }
}

sop1_32! {
    s_mov_b32 => |a, o| (a, None);
    s_not_b32 => |a, o| (!a, Some(!a != 0));
    s_brev_b32 => |a, o| (a.reverse_bits(), None);
    s_bcnt0_i32_b32 => |a, o| (a.count_zeros(), Some(a.count_zeros() != 0));
    s_bcnt1_i32_b32 => |a, o| (a.count_ones(), Some(a != 0));
    s_ff0_i32_b32 => |a, o| (ff1_32(!a), None);
    s_ff1_i32_b32 => |a, o| (ff1_32(a), None);
    s_flbit_i32_b32 => |a, o| (flbit32(a), None);
    s_flbit_i32 => |a, o| (flbit_i32(a), None);
    s_sext_i32_i8 => |a, o| (a as u8 as i8 as i32 as u32, None);
    s_sext_i32_i16 => |a, o| (a as u16 as i16 as i32 as u32, None);
    s_bitset0_b32 => |a, o| (o & !(1 << (a & 31)), None);
    s_bitset1_b32 => |a, o| (o | (1 << (a & 31)), None);
    s_abs_i32 => |a, o| { let r = (a as i32).unsigned_abs(); (r, Some(r != 0)) };
    s_wqm_b32 => |a, o| { let r = wqm(a as u64) as u32; (r, Some(r != 0)) };
    s_quadmask_b32 => |a, o| { let r = quadmask(a as u64) as u32; (r, Some(r != 0)) };
}

fn wqm(a: u64) -> u64 {
    let mut r = 0;
    for q in 0..16 {
        if (a >> (q * 4)) & 0xf != 0 {
            r |= 0xf << (q * 4);
        }
    }
    r
}
fn quadmask(a: u64) -> u64 {
    let mut r = 0;
    for q in 0..16 {
        if (a >> (q * 4)) & 0xf != 0 {
            r |= 1 << q;
        }
    }
    r
}

sop1_64! {
    s_mov_b64 => |a, o| (a, None);
    s_not_b64 => |a, o| (!a, Some(!a != 0));
    s_brev_b64 => |a, o| (a.reverse_bits(), None);
    s_wqm_b64 => |a, o| { let r = wqm(a); (r, Some(r != 0)) };
    s_quadmask_b64 => |a, o| { let r = quadmask(a); (r, Some(r != 0)) };
    s_bitset0_b64 => |a, o| (o & !(1 << (a & 63)), None);
    s_bitset1_b64 => |a, o| (o | (1 << (a & 63)), None);
}

/// SOP1 ops with a 64-bit source and 32-bit result.
macro_rules! sop1_64to32 {
    ($($name:ident => |$a:ident| $body:expr;)*) => {
        $(fn $name(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
            let $a = w.sget64(u.src[0]);
            let (r, c): (u32, Option<bool>) = $body;
            w.sset(u.dst, r);
            if let Some(c) = c { w.scc = c; }
            Flow::Next
        })*
    };
}
sop1_64to32! {
    s_bcnt1_i32_b64 => |a| (a.count_ones(), Some(a != 0));
    s_bcnt0_i32_b64 => |a| (a.count_zeros(), Some(a.count_zeros() != 0));
    s_ff1_i32_b64 => |a| (if a == 0 { u32::MAX } else { a.trailing_zeros() }, None);
    s_ff0_i32_b64 => |a| (if !a == 0 { u32::MAX } else { (!a).trailing_zeros() }, None);
    s_flbit_i32_b64 => |a| (if a == 0 { u32::MAX } else { a.leading_zeros() }, None);
}

fn s_cmov_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    if w.scc {
        let v = w.sget(u.src[0]);
        w.sset(u.dst, v);
    }
    Flow::Next
}
fn s_cmov_b64(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    if w.scc {
        let v = w.sget64(u.src[0]);
        w.sset64(u.dst, v);
    }
    Flow::Next
}

/// Saveexec family: dst = EXEC; EXEC = f(src, EXEC); SCC = EXEC != 0.
/// `wide` selects the 64-bit (wave64) forms.
#[inline(always)]
fn saveexec(w: &mut Wave, u: &Uop, wide: bool, f: impl Fn(u64, u64) -> u64) -> Flow {
    let s = if wide {
        w.sget64(u.src[0])
    } else {
        w.sget(u.src[0]) as u64
    };
    let exec = w.exec();
    let mask = if wide { u64::MAX } else { u32::MAX as u64 };
    let new = f(s, exec) & mask;
    if wide {
        w.sset64(u.dst, exec);
    } else {
        w.sset(u.dst, exec as u32);
    }
    w.set_exec((exec & !mask) | new);
    w.scc = new != 0;
    Flow::Next
}
macro_rules! saveexec {
    ($($n32:ident, $n64:ident => |$s:ident, $x:ident| $body:expr;)*) => {
        $(fn $n32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow { saveexec(w, u, false, |$s, $x| $body) }
          fn $n64(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow { saveexec(w, u, true, |$s, $x| $body) })*
    };
}
saveexec! {
    s_and_saveexec_b32, s_and_saveexec_b64 => |s, x| s & x;
    s_or_saveexec_b32, s_or_saveexec_b64 => |s, x| s | x;
    s_xor_saveexec_b32, s_xor_saveexec_b64 => |s, x| s ^ x;
    s_andn2_saveexec_b32, s_andn2_saveexec_b64 => |s, x| s & !x;
    s_orn2_saveexec_b32, s_orn2_saveexec_b64 => |s, x| s | !x;
    s_nand_saveexec_b32, s_nand_saveexec_b64 => |s, x| !(s & x);
    s_nor_saveexec_b32, s_nor_saveexec_b64 => |s, x| !(s | x);
    s_xnor_saveexec_b32, s_xnor_saveexec_b64 => |s, x| !(s ^ x);
    s_andn1_saveexec_b32, s_andn1_saveexec_b64 => |s, x| !s & x;
    s_orn1_saveexec_b32, s_orn1_saveexec_b64 => |s, x| !s | x;
}

/// s_andn1_wrexec / s_andn2_wrexec: EXEC = f(src, EXEC); dst = new EXEC.
fn wrexec(w: &mut Wave, u: &Uop, wide: bool, f: impl Fn(u64, u64) -> u64) -> Flow {
    let s = if wide {
        w.sget64(u.src[0])
    } else {
        w.sget(u.src[0]) as u64
    };
    let exec = w.exec();
    let mask = if wide { u64::MAX } else { u32::MAX as u64 };
    let new = f(s, exec) & mask;
    w.set_exec((exec & !mask) | new);
    if wide {
        w.sset64(u.dst, new);
    } else {
        w.sset(u.dst, new as u32);
    }
    w.scc = new != 0;
    Flow::Next
}
fn s_andn1_wrexec_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    wrexec(w, u, false, |s, x| !s & x)
}
fn s_andn1_wrexec_b64(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    wrexec(w, u, true, |s, x| !s & x)
}
fn s_andn2_wrexec_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    wrexec(w, u, false, |s, x| s & !x)
}
fn s_andn2_wrexec_b64(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    wrexec(w, u, true, |s, x| s & !x)
}

/// s_movrels_b32: dst = s[src + M0].
fn s_movrels_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let Opnd::S(r) = u.src[0] else {
        return e.illegal(u, "source is not an SGPR");
    };
    let i = r as usize + w.s[124] as usize;
    if i >= 106 {
        return e.illegal(u, "M0-relative SGPR out of range");
    }
    let v = w.s[i];
    w.sset(u.dst, v);
    Flow::Next
}
/// s_movreld_b32: s[dst + M0] = src.
fn s_movreld_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let Opnd::S(r) = u.dst else {
        return e.illegal(u, "destination is not an SGPR");
    };
    let i = r as usize + w.s[124] as usize;
    if i >= 106 {
        return e.illegal(u, "M0-relative SGPR out of range");
    }
    w.s[i] = w.sget(u.src[0]);
    Flow::Next
}

fn s_getpc_b64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let pc = e.pgm_va + u.pc as u64 + 4;
    w.sset64(u.dst, pc);
    Flow::Next
}
fn s_setpc_b64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let t = w.sget64(u.src[0]);
    Flow::JumpOffset(t.wrapping_sub(e.pgm_va))
}
fn s_swappc_b64(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let t = w.sget64(u.src[0]);
    let ret = e.pgm_va + u.pc as u64 + 4;
    w.sset64(u.dst, ret);
    Flow::JumpOffset(t.wrapping_sub(e.pgm_va))
}

// ---- SOPK (imm = simm16 sign-extended; zero-extended for the _u32 compares) ----

fn s_movk_i32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    w.sset(u.dst, u.imm as i16 as i32 as u32);
    Flow::Next
}
fn s_cmovk_i32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    if w.scc {
        w.sset(u.dst, u.imm as i16 as i32 as u32);
    }
    Flow::Next
}
fn s_addk_i32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    let a = w.sget(u.dst) as i32;
    let (r, o) = a.overflowing_add(u.imm as i16 as i32);
    w.sset(u.dst, r as u32);
    w.scc = o;
    Flow::Next
}
fn s_mulk_i32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    let a = w.sget(u.dst) as i32;
    w.sset(u.dst, a.wrapping_mul(u.imm as i16 as i32) as u32);
    Flow::Next
}
macro_rules! sopk_cmp {
    ($($name:ident => |$a:ident, $k:ident| $body:expr;)*) => {
        $(fn $name(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
            let $a = w.sget(u.dst);
            let $k = u.imm;
            w.scc = $body;
            Flow::Next
        })*
    };
}
sopk_cmp! {
    s_cmpk_eq_i32 => |a, k| a as i32 == k as i16 as i32;
    s_cmpk_lg_i32 => |a, k| a as i32 != k as i16 as i32;
    s_cmpk_gt_i32 => |a, k| a as i32 > k as i16 as i32;
    s_cmpk_ge_i32 => |a, k| a as i32 >= k as i16 as i32;
    s_cmpk_lt_i32 => |a, k| (a as i32) < k as i16 as i32;
    s_cmpk_le_i32 => |a, k| a as i32 <= k as i16 as i32;
    s_cmpk_eq_u32 => |a, k| a == k as u16 as u32;
    s_cmpk_lg_u32 => |a, k| a != k as u16 as u32;
    s_cmpk_gt_u32 => |a, k| a > k as u16 as u32;
    s_cmpk_ge_u32 => |a, k| a >= k as u16 as u32;
    s_cmpk_lt_u32 => |a, k| a < k as u16 as u32;
    s_cmpk_le_u32 => |a, k| a <= k as u16 as u32;
}

/// HW register ids (LLVM SIDefines.h `Hwreg::Id`).
mod hwreg {
    pub const MODE: u32 = 1;
    pub const HW_ID: u32 = 4;
    pub const FLAT_SCR_LO: u32 = 20;
    pub const FLAT_SCR_HI: u32 = 21;
    pub const SH_MEM_BASES: u32 = 15;
}

fn hwreg_fields(imm: i64) -> (u32, u32, u32) {
    let v = imm as u32;
    (v & 0x3f, (v >> 6) & 0x1f, ((v >> 11) & 0x1f) + 1)
}

fn hwreg_read(w: &Wave, id: u32) -> u32 {
    match id {
        hwreg::MODE => w.mode,
        hwreg::HW_ID => w.wave_in_group,
        hwreg::FLAT_SCR_LO => w.flat_scratch as u32,
        hwreg::FLAT_SCR_HI => (w.flat_scratch >> 32) as u32,
        hwreg::SH_MEM_BASES => {
            let hi = |b: u64| (b >> 48) as u32;
            hi(super::dispatch::PRIVATE_APERTURE_BASE)
                | hi(super::dispatch::SHARED_APERTURE_BASE) << 16
        }
        _ => 0,
    }
}

fn s_getreg_b32(w: &mut Wave, _e: &mut Env, u: &Uop) -> Flow {
    let (id, off, size) = hwreg_fields(u.imm);
    let v = hwreg_read(w, id) >> off;
    let m = if size >= 32 {
        u32::MAX
    } else {
        (1 << size) - 1
    };
    w.sset(u.dst, v & m);
    Flow::Next
}

fn setreg(w: &mut Wave, e: &mut Env, u: &Uop, val: u32) -> Flow {
    let (id, off, size) = hwreg_fields(u.imm);
    let m = if size >= 32 {
        u32::MAX
    } else {
        (1u32 << size) - 1
    } << off;
    let cur = hwreg_read(w, id);
    let new = (cur & !m) | ((val << off) & m);
    match id {
        hwreg::MODE => w.mode = new,
        hwreg::FLAT_SCR_LO => w.flat_scratch = (w.flat_scratch & !0xffff_ffff) | new as u64,
        hwreg::FLAT_SCR_HI => w.flat_scratch = (w.flat_scratch & 0xffff_ffff) | (new as u64) << 32,
        _ => return e.illegal(u, format!("s_setreg of unsupported hwreg {id}")),
    }
    Flow::Next
}
fn s_setreg_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let v = w.sget(u.dst);
    setreg(w, e, u, v)
}
fn s_setreg_imm32_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let v = w.sget(u.src[0]);
    setreg(w, e, u, v)
}

/// The SALU table: mnemonic, handler, operand types.
pub fn table() -> Vec<Entry> {
    macro_rules! t { ($($name:ident : $($ty:expr),*;)*) => { vec![$(Entry::new(stringify!($name), $name, &[$($ty),*]),)*] } }
    t! {
        s_add_u32: B32, B32; s_sub_u32: B32, B32; s_add_i32: B32, B32; s_sub_i32: B32, B32;
        s_addc_u32: B32, B32; s_subb_u32: B32, B32; s_min_i32: B32, B32; s_min_u32: B32, B32;
        s_max_i32: B32, B32; s_max_u32: B32, B32; s_cselect_b32: B32, B32; s_and_b32: B32, B32;
        s_or_b32: B32, B32; s_xor_b32: B32, B32; s_andn2_b32: B32, B32; s_orn2_b32: B32, B32;
        s_nand_b32: B32, B32; s_nor_b32: B32, B32; s_xnor_b32: B32, B32; s_lshl_b32: B32, B32;
        s_lshr_b32: B32, B32; s_ashr_i32: B32, B32; s_lshl1_add_u32: B32, B32;
        s_lshl2_add_u32: B32, B32; s_lshl3_add_u32: B32, B32; s_lshl4_add_u32: B32, B32;
        s_bfm_b32: B32, B32; s_mul_i32: B32, B32; s_mul_hi_u32: B32, B32; s_mul_hi_i32: B32, B32;
        s_bfe_u32: B32, B32; s_bfe_i32: B32, B32; s_absdiff_i32: B32, B32;
        s_pack_ll_b32_b16: B32, B32; s_pack_lh_b32_b16: B32, B32; s_pack_hh_b32_b16: B32, B32;
        s_cselect_b64: B64, B64; s_and_b64: B64, B64; s_or_b64: B64, B64; s_xor_b64: B64, B64;
        s_andn2_b64: B64, B64; s_orn2_b64: B64, B64; s_nand_b64: B64, B64; s_nor_b64: B64, B64;
        s_xnor_b64: B64, B64; s_lshl_b64: B64, B32; s_lshr_b64: B64, B32; s_ashr_i64: B64, B32;
        s_bfm_b64: B32, B32; s_bfe_u64: B64, B32; s_bfe_i64: B64, B32;
        s_cmp_eq_i32: B32, B32; s_cmp_lg_i32: B32, B32; s_cmp_gt_i32: B32, B32;
        s_cmp_ge_i32: B32, B32; s_cmp_lt_i32: B32, B32; s_cmp_le_i32: B32, B32;
        s_cmp_eq_u32: B32, B32; s_cmp_lg_u32: B32, B32; s_cmp_gt_u32: B32, B32;
        s_cmp_ge_u32: B32, B32; s_cmp_lt_u32: B32, B32; s_cmp_le_u32: B32, B32;
        s_cmp_eq_u64: B64, B64; s_cmp_lg_u64: B64, B64; s_bitcmp0_b32: B32, B32;
        s_bitcmp1_b32: B32, B32; s_bitcmp0_b64: B64, B32; s_bitcmp1_b64: B64, B32;
        s_mov_b32: B32; s_not_b32: B32; s_brev_b32: B32; s_bcnt0_i32_b32: B32;
        s_bcnt1_i32_b32: B32; s_ff0_i32_b32: B32; s_ff1_i32_b32: B32; s_flbit_i32_b32: B32;
        s_flbit_i32: B32; s_sext_i32_i8: B32; s_sext_i32_i16: B32; s_bitset0_b32: B32;
        s_bitset1_b32: B32; s_abs_i32: B32; s_wqm_b32: B32; s_quadmask_b32: B32;
        s_mov_b64: B64; s_not_b64: B64; s_brev_b64: B64; s_wqm_b64: B64; s_quadmask_b64: B64;
        s_bitset0_b64: B32; s_bitset1_b64: B32;
        s_bcnt1_i32_b64: B64; s_bcnt0_i32_b64: B64; s_ff1_i32_b64: B64; s_ff0_i32_b64: B64;
        s_flbit_i32_b64: B64; s_cmov_b32: B32; s_cmov_b64: B64;
        s_and_saveexec_b32: B32; s_and_saveexec_b64: B64; s_or_saveexec_b32: B32;
        s_or_saveexec_b64: B64; s_xor_saveexec_b32: B32; s_xor_saveexec_b64: B64;
        s_andn2_saveexec_b32: B32; s_andn2_saveexec_b64: B64; s_orn2_saveexec_b32: B32;
        s_orn2_saveexec_b64: B64; s_nand_saveexec_b32: B32; s_nand_saveexec_b64: B64;
        s_nor_saveexec_b32: B32; s_nor_saveexec_b64: B64; s_xnor_saveexec_b32: B32;
        s_xnor_saveexec_b64: B64; s_andn1_saveexec_b32: B32; s_andn1_saveexec_b64: B64;
        s_orn1_saveexec_b32: B32; s_orn1_saveexec_b64: B64;
        s_andn1_wrexec_b32: B32; s_andn1_wrexec_b64: B64; s_andn2_wrexec_b32: B32;
        s_andn2_wrexec_b64: B64; s_movrels_b32: B32; s_movreld_b32: B32;
        s_getpc_b64: ; s_setpc_b64: B64; s_swappc_b64: B64;
        s_movk_i32: ; s_cmovk_i32: ; s_addk_i32: ; s_mulk_i32: ;
        s_cmpk_eq_i32: ; s_cmpk_lg_i32: ; s_cmpk_gt_i32: ; s_cmpk_ge_i32: ; s_cmpk_lt_i32: ;
        s_cmpk_le_i32: ; s_cmpk_eq_u32: ; s_cmpk_lg_u32: ; s_cmpk_gt_u32: ; s_cmpk_ge_u32: ;
        s_cmpk_lt_u32: ; s_cmpk_le_u32: ; s_getreg_b32: ; s_setreg_b32: ; s_setreg_imm32_b32: B32;
    }
}
