//! LDS (DS) instructions: reads/writes, read2/write2, atomics, bpermute,
//! permute and swizzle. Out-of-range LDS reads return 0 and writes are
//! dropped, as on hardware (no fault).
//!
//! Uop operands: `dst` = vdst, `src[0]` = vaddr, `src[1]` = data0,
//! `src[2]` = data1, `imm` = offset / offset0, `imm2` = offset1.

// Lane loops index several lane arrays in lockstep.
#![allow(clippy::needless_range_loop)]

use super::ir::{Flow, Opnd, Uop};
use super::table::Entry;
use super::vmem::atomic_op;
use super::wave::{Env, Wave, LANES};

#[inline(always)]
fn lds_read(e: &mut Env, a: u32, out: &mut [u8]) {
    let a = a as usize;
    match e.lds.get(a..a + out.len()) {
        Some(s) => out.copy_from_slice(s),
        None => out.fill(0),
    }
}
#[inline(always)]
fn lds_write(e: &mut Env, a: u32, data: &[u8]) {
    let a = a as usize;
    if let Some(s) = e.lds.get_mut(a..a + data.len()) {
        s.copy_from_slice(data);
    }
}

fn vreg_ok(w: &Wave, r: Opnd, n: usize) -> Option<usize> {
    match r {
        Opnd::V(r) if r as usize + n <= w.v.len() / LANES => Some(r as usize),
        _ => None,
    }
}

/// Kinds: bytes and extension (0 zero, 1 sign, 2 d16 lo, 3 d16 hi).
fn ds_read<const BYTES: usize, const EXT: u8>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let dw = BYTES.div_ceil(4);
    let (Some(d), Some(a)) = (vreg_ok(w, u.dst, dw), vreg_ok(w, u.src[0], 1)) else {
        return e.illegal(u, "bad DS operands");
    };
    let exec = w.exec();
    for l in 0..w.n {
        if exec >> l & 1 == 0 {
            continue;
        }
        let addr = w.v[a * LANES + l].wrapping_add(u.imm as u32);
        let mut b = [0u8; 16];
        lds_read(e, addr, &mut b[..BYTES]);
        let x = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let old = w.v[d * LANES + l];
        let v = match (BYTES, EXT) {
            (1, 0) => x & 0xff,
            (1, 1) => b[0] as i8 as i32 as u32,
            (2, 0) => x & 0xffff,
            (2, 1) => b[0] as u32 | (b[1] as i8 as i32 as u32) << 8,
            (1, 2) => (old & 0xffff_0000) | (x & 0xff),
            (1, 4) => (old & 0xffff_0000) | (b[0] as i8 as i16 as u16 as u32),
            (2, 2) => (old & 0xffff_0000) | (x & 0xffff),
            (1, 3) => (old & 0xffff) | (x & 0xff) << 16,
            (1, 5) => (old & 0xffff) | (b[0] as i8 as i16 as u16 as u32) << 16,
            (2, 3) => (old & 0xffff) | (x & 0xffff) << 16,
            _ => x,
        };
        w.v[d * LANES + l] = v;
        for k in 1..dw {
            w.v[(d + k) * LANES + l] =
                u32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]]);
        }
    }
    e.counters.lds_ops += 1;
    e.counters.lds_bytes_read += (exec.count_ones() as usize * BYTES) as u64;
    Flow::Next
}

/// Writes of `BYTES` from data0; `HI` takes the high 16 bits (d16_hi).
fn ds_write<const BYTES: usize, const HI: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let dw = BYTES.div_ceil(4);
    let (Some(s), Some(a)) = (vreg_ok(w, u.src[1], dw), vreg_ok(w, u.src[0], 1)) else {
        return e.illegal(u, "bad DS operands");
    };
    let exec = w.exec();
    for l in 0..w.n {
        if exec >> l & 1 == 0 {
            continue;
        }
        let addr = w.v[a * LANES + l].wrapping_add(u.imm as u32);
        let mut b = [0u8; 16];
        for k in 0..dw {
            let mut v = w.v[(s + k) * LANES + l];
            if HI {
                v >>= 16;
            }
            b[4 * k..4 * k + 4].copy_from_slice(&v.to_le_bytes());
        }
        lds_write(e, addr, &b[..BYTES]);
    }
    e.counters.lds_ops += 1;
    e.counters.lds_bytes_written += (exec.count_ones() as usize * BYTES) as u64;
    Flow::Next
}

/// read2/write2: two elements of `EB` bytes at offset0/offset1 × `EB` (× 64 for st64).
fn ds_read2<const EB: usize, const ST64: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let dw = EB / 4;
    let (Some(d), Some(a)) = (vreg_ok(w, u.dst, 2 * dw), vreg_ok(w, u.src[0], 1)) else {
        return e.illegal(u, "bad DS operands");
    };
    let scale = (EB * if ST64 { 64 } else { 1 }) as u32;
    let exec = w.exec();
    for l in 0..w.n {
        if exec >> l & 1 == 0 {
            continue;
        }
        let base = w.v[a * LANES + l];
        for (i, off) in [u.imm, u.imm2].into_iter().enumerate() {
            let mut b = [0u8; 8];
            lds_read(e, base.wrapping_add(off as u32 * scale), &mut b[..EB]);
            for k in 0..dw {
                w.v[(d + i * dw + k) * LANES + l] =
                    u32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]]);
            }
        }
    }
    e.counters.lds_ops += 1;
    e.counters.lds_bytes_read += (exec.count_ones() as usize * 2 * EB) as u64;
    Flow::Next
}
fn ds_write2<const EB: usize, const ST64: bool>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let dw = EB / 4;
    let (Some(s0), Some(s1), Some(a)) = (
        vreg_ok(w, u.src[1], dw),
        vreg_ok(w, u.src[2], dw),
        vreg_ok(w, u.src[0], 1),
    ) else {
        return e.illegal(u, "bad DS operands");
    };
    let scale = (EB * if ST64 { 64 } else { 1 }) as u32;
    let exec = w.exec();
    for l in 0..w.n {
        if exec >> l & 1 == 0 {
            continue;
        }
        let base = w.v[a * LANES + l];
        for (s, off) in [(s0, u.imm), (s1, u.imm2)] {
            let mut b = [0u8; 8];
            for k in 0..dw {
                b[4 * k..4 * k + 4].copy_from_slice(&w.v[(s + k) * LANES + l].to_le_bytes());
            }
            lds_write(e, base.wrapping_add(off as u32 * scale), &b[..EB]);
        }
    }
    e.counters.lds_ops += 1;
    e.counters.lds_bytes_written += (exec.count_ones() as usize * 2 * EB) as u64;
    Flow::Next
}

/// DS atomic ops: same codes as vmem's atomic_op plus RSUB (100) and MSKOR (101).
/// For cmpst the DS operand order is data0 = compare, data1 = source.
fn ds_atomic<const A: u8, const W64: bool, const RTN: bool>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
) -> Flow {
    let dw = if W64 { 2 } else { 1 };
    let two = A == 1 || A == 15 || A == 101;
    let Some(a) = vreg_ok(w, u.src[0], 1) else {
        return e.illegal(u, "bad DS operands");
    };
    let Some(s0) = vreg_ok(w, u.src[1], dw) else {
        return e.illegal(u, "bad DS operands");
    };
    let s1 = if two {
        match vreg_ok(w, u.src[2], dw) {
            Some(s) => s,
            None => return e.illegal(u, "bad DS operands"),
        }
    } else {
        0
    };
    let d = if RTN {
        match vreg_ok(w, u.dst, dw) {
            Some(d) => Some(d),
            None => return e.illegal(u, "bad DS operands"),
        }
    } else {
        None
    };
    let bytes = dw * 4;
    let exec = w.exec();
    let rd = |w: &Wave, r: usize, l: usize| -> u64 {
        let lo = w.v[r * LANES + l] as u64;
        if W64 {
            lo | (w.v[(r + 1) * LANES + l] as u64) << 32
        } else {
            lo
        }
    };
    for l in 0..w.n {
        if exec >> l & 1 == 0 {
            continue;
        }
        let addr = w.v[a * LANES + l].wrapping_add(u.imm as u32);
        let mut b = [0u8; 8];
        lds_read(e, addr, &mut b[..bytes]);
        let old = u64::from_le_bytes(b);
        let x = rd(w, s0, l);
        let y = if two { rd(w, s1, l) } else { 0 };
        let m = if W64 { u64::MAX } else { u32::MAX as u64 };
        let new = match A {
            100 => x.wrapping_sub(old) & m,
            101 => (old & !x) | y,
            // cmpst: data0 = cmp, data1 = src.
            1 => atomic_op::<1, W64>(old, y, x),
            15 => atomic_op::<15, W64>(old, y, x),
            _ => atomic_op::<A, W64>(old, x, 0),
        };
        lds_write(e, addr, &new.to_le_bytes()[..bytes]);
        if let Some(d) = d {
            w.v[d * LANES + l] = old as u32;
            if W64 {
                w.v[(d + 1) * LANES + l] = (old >> 32) as u32;
            }
        }
    }
    e.counters.lds_ops += 1;
    let moved = (exec.count_ones() as usize * bytes) as u64;
    e.counters.lds_bytes_read += moved;
    e.counters.lds_bytes_written += moved;
    Flow::Next
}

/// ds_bpermute_b32 vdst, vaddr, vdata: lane reads data of lane (addr/4);
/// inactive source lanes read 0.
fn ds_bpermute_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let (Some(d), Some(a), Some(s)) = (
        vreg_ok(w, u.dst, 1),
        vreg_ok(w, u.src[0], 1),
        vreg_ok(w, u.src[1], 1),
    ) else {
        return e.illegal(u, "bad DS operands");
    };
    let exec = w.exec();
    let n = w.n;
    let mut out = [0u32; LANES];
    for (l, o) in out.iter_mut().enumerate().take(n) {
        let src = (w.v[a * LANES + l].wrapping_add(u.imm as u32) / 4) as usize % n;
        *o = if exec >> src & 1 != 0 {
            w.v[s * LANES + src]
        } else {
            0
        };
    }
    w.wr(d as u16, &out, exec);
    e.counters.lds_ops += 1;
    Flow::Next
}
/// ds_permute_b32: lane writes its data to lane (addr/4); unwritten lanes get 0.
fn ds_permute_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let (Some(d), Some(a), Some(s)) = (
        vreg_ok(w, u.dst, 1),
        vreg_ok(w, u.src[0], 1),
        vreg_ok(w, u.src[1], 1),
    ) else {
        return e.illegal(u, "bad DS operands");
    };
    let exec = w.exec();
    let n = w.n;
    let mut out = [0u32; LANES];
    for l in 0..n {
        if exec >> l & 1 != 0 {
            let dst = (w.v[a * LANES + l].wrapping_add(u.imm as u32) / 4) as usize % n;
            out[dst] = w.v[s * LANES + l];
        }
    }
    w.wr(d as u16, &out, exec);
    e.counters.lds_ops += 1;
    Flow::Next
}
/// ds_swizzle_b32 vdst, vdata offset:pattern — quad-perm mode (bit 15) or
/// bitmask mode (and/or/xor masks within groups of 32). Inactive sources read 0.
fn ds_swizzle_b32(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let (Some(d), Some(s)) = (vreg_ok(w, u.dst, 1), vreg_ok(w, u.src[0], 1)) else {
        return e.illegal(u, "bad DS operands");
    };
    let p = u.imm as u32 & 0xffff;
    if p >= 0xc000 {
        return e.illegal(u, "ds_swizzle rotate/FFT modes are not implemented");
    }
    let exec = w.exec();
    let n = w.n;
    let mut out = [0u32; LANES];
    for (l, o) in out.iter_mut().enumerate().take(n) {
        let src = if p & 0x8000 != 0 {
            (l & !3) | ((p >> ((l & 3) * 2)) & 3) as usize
        } else {
            let (and, or, xor) = (p & 31, (p >> 5) & 31, (p >> 10) & 31);
            (l & !31) | ((((l as u32 & 31) & and) | or) ^ xor) as usize
        };
        *o = if exec >> src & 1 != 0 {
            w.v[s * LANES + src]
        } else {
            0
        };
    }
    w.wr(d as u16, &out, exec);
    e.counters.lds_ops += 1;
    Flow::Next
}
fn ds_nop(_w: &mut Wave, _e: &mut Env, _u: &Uop) -> Flow {
    Flow::Next
}

/// The DS table.
pub fn table() -> Vec<Entry> {
    let mut v = vec![
        Entry::new("ds_read_u8", ds_read::<1, 0>, &[]),
        Entry::new("ds_read_i8", ds_read::<1, 1>, &[]),
        Entry::new("ds_read_u16", ds_read::<2, 0>, &[]),
        Entry::new("ds_read_i16", ds_read::<2, 1>, &[]),
        Entry::new("ds_read_b32", ds_read::<4, 0>, &[]),
        Entry::new("ds_read_b64", ds_read::<8, 0>, &[]),
        Entry::new("ds_read_b96", ds_read::<12, 0>, &[]),
        Entry::new("ds_read_b128", ds_read::<16, 0>, &[]),
        Entry::new("ds_read_u8_d16", ds_read::<1, 2>, &[]),
        Entry::new("ds_read_i8_d16", ds_read::<1, 4>, &[]),
        Entry::new("ds_read_u16_d16", ds_read::<2, 2>, &[]),
        Entry::new("ds_read_u8_d16_hi", ds_read::<1, 3>, &[]),
        Entry::new("ds_read_i8_d16_hi", ds_read::<1, 5>, &[]),
        Entry::new("ds_read_u16_d16_hi", ds_read::<2, 3>, &[]),
        Entry::new("ds_write_b8", ds_write::<1, false>, &[]),
        Entry::new("ds_write_b16", ds_write::<2, false>, &[]),
        Entry::new("ds_write_b8_d16_hi", ds_write::<1, true>, &[]),
        Entry::new("ds_write_b16_d16_hi", ds_write::<2, true>, &[]),
        Entry::new("ds_write_b32", ds_write::<4, false>, &[]),
        Entry::new("ds_write_b64", ds_write::<8, false>, &[]),
        Entry::new("ds_write_b96", ds_write::<12, false>, &[]),
        Entry::new("ds_write_b128", ds_write::<16, false>, &[]),
        Entry::new("ds_read2_b32", ds_read2::<4, false>, &[]),
        Entry::new("ds_read2_b64", ds_read2::<8, false>, &[]),
        Entry::new("ds_read2st64_b32", ds_read2::<4, true>, &[]),
        Entry::new("ds_read2st64_b64", ds_read2::<8, true>, &[]),
        Entry::new("ds_write2_b32", ds_write2::<4, false>, &[]),
        Entry::new("ds_write2_b64", ds_write2::<8, false>, &[]),
        Entry::new("ds_write2st64_b32", ds_write2::<4, true>, &[]),
        Entry::new("ds_write2st64_b64", ds_write2::<8, true>, &[]),
        Entry::new("ds_bpermute_b32", ds_bpermute_b32, &[]),
        Entry::new("ds_permute_b32", ds_permute_b32, &[]),
        Entry::new("ds_swizzle_b32", ds_swizzle_b32, &[]),
        Entry::new("ds_nop", ds_nop, &[]),
    ];
    macro_rules! at {
        ($($n32:literal $n64:literal $a:literal),*) => {$(
            v.push(Entry::new(concat!("ds_", $n32), ds_atomic::<$a, false, false>, &[]));
            v.push(Entry::new(concat!("ds_", $n64), ds_atomic::<$a, true, false>, &[]));
        )*};
    }
    macro_rules! atr {
        ($($n32:literal $n64:literal $a:literal),*) => {$(
            v.push(Entry::new(concat!("ds_", $n32), ds_atomic::<$a, false, true>, &[]));
            v.push(Entry::new(concat!("ds_", $n64), ds_atomic::<$a, true, true>, &[]));
        )*};
    }
    at!("add_u32" "add_u64" 2, "sub_u32" "sub_u64" 3, "rsub_u32" "rsub_u64" 100,
        "inc_u32" "inc_u64" 11, "dec_u32" "dec_u64" 12, "min_i32" "min_i64" 4,
        "max_i32" "max_i64" 6, "min_u32" "min_u64" 5, "max_u32" "max_u64" 7,
        "and_b32" "and_b64" 8, "or_b32" "or_b64" 9, "xor_b32" "xor_b64" 10,
        "mskor_b32" "mskor_b64" 101, "cmpst_b32" "cmpst_b64" 1, "cmpst_f32" "cmpst_f64" 15,
        "min_f32" "min_f64" 13, "max_f32" "max_f64" 14, "add_f32" "add_f64_unused" 16);
    atr!("add_rtn_u32" "add_rtn_u64" 2, "sub_rtn_u32" "sub_rtn_u64" 3, "rsub_rtn_u32" "rsub_rtn_u64" 100,
        "inc_rtn_u32" "inc_rtn_u64" 11, "dec_rtn_u32" "dec_rtn_u64" 12, "min_rtn_i32" "min_rtn_i64" 4,
        "max_rtn_i32" "max_rtn_i64" 6, "min_rtn_u32" "min_rtn_u64" 5, "max_rtn_u32" "max_rtn_u64" 7,
        "and_rtn_b32" "and_rtn_b64" 8, "or_rtn_b32" "or_rtn_b64" 9, "xor_rtn_b32" "xor_rtn_b64" 10,
        "mskor_rtn_b32" "mskor_rtn_b64" 101, "cmpst_rtn_b32" "cmpst_rtn_b64" 1,
        "cmpst_rtn_f32" "cmpst_rtn_f64" 15, "min_rtn_f32" "min_rtn_f64" 13,
        "max_rtn_f32" "max_rtn_f64" 14, "add_rtn_f32" "add_rtn_f64_unused" 16,
        "wrxchg_rtn_b32" "wrxchg_rtn_b64" 0);
    v.retain(|e| !e.name.ends_with("_unused"));
    v
}
