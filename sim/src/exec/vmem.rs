//! Vector memory: FLAT / GLOBAL / SCRATCH and MUBUF (buffer_*), incl. atomics.
//!
//! Uop operands: `dst` = vdst, `src[0]` = vaddr, `src[1]` = vdata,
//! `src[2]` = saddr / srsrc, `src[3]` = soffset; `imm` = instruction offset;
//! `imm2` = flag bits ([`F_GLC`], [`F_OFFEN`], [`F_IDXEN`]).

// Lane loops index several lane arrays in lockstep.
#![allow(clippy::needless_range_loop)]

use super::dispatch::{PRIVATE_APERTURE_BASE, SHARED_APERTURE_BASE};
use super::ir::{Flow, Opnd, Uop};
use super::table::Entry;
use super::wave::{Env, Wave, LANES};

/// GLC: atomics return the pre-op value.
pub const F_GLC: i64 = 1;
/// MUBUF OFFEN.
pub const F_OFFEN: i64 = 2;
/// MUBUF IDXEN.
pub const F_IDXEN: i64 = 4;

/// Address space of an instruction family.
const GLOBAL: u8 = 0;
const FLAT: u8 = 1;
const SCRATCH: u8 = 2;
const BUFFER: u8 = 3;

/// Data kinds.
const U8: u8 = 0;
const I8: u8 = 1;
const U16: u8 = 2;
const I16: u8 = 3;
const B32: u8 = 4;
const B64: u8 = 5;
const B96: u8 = 6;
const B128: u8 = 7;
const D16_U8: u8 = 8;
const D16_I8: u8 = 9;
const D16_B16: u8 = 10;
const D16_HI_U8: u8 = 11;
const D16_HI_I8: u8 = 12;
const D16_HI_B16: u8 = 13;

const fn kind_bytes(k: u8) -> usize {
    match k {
        U8 | I8 | D16_U8 | D16_I8 | D16_HI_U8 | D16_HI_I8 => 1,
        U16 | I16 | D16_B16 | D16_HI_B16 => 2,
        B32 => 4,
        B64 => 8,
        B96 => 12,
        _ => 16,
    }
}

/// Where one lane's access goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A GPU VA (global, or scratch after swizzling).
    Va(u64),
    /// An LDS byte offset (flat to the shared aperture).
    Lds(u32),
    /// Out of buffer range: loads read 0, stores are dropped.
    Oob,
}

/// Scratch swizzle (gfx10): dword `off / 4` of lane `l` lives at
/// `base + (off / 4) * 4 * wave_size + l * 4 + off % 4`.
#[inline(always)]
fn swizzle(base: u64, off: u64, lane: usize, n: usize) -> u64 {
    base + (off / 4) * 4 * n as u64 + lane as u64 * 4 + off % 4
}

/// Computes per-lane targets. Returns false (after recording nothing) only
/// when the uop is malformed.
#[inline(always)]
fn addresses<const SPACE: u8>(
    w: &Wave,
    u: &Uop,
    bytes: usize,
    out: &mut [Target; LANES],
    scratch_space: &mut bool,
) {
    let n = w.n;
    let off = u.imm;
    match SPACE {
        GLOBAL => {
            if let Opnd::S(_) = u.src[2] {
                let base = w.sget64(u.src[2]);
                let vo = match u.src[0] {
                    Opnd::V(r) => Some(w.vreg(r)),
                    _ => None,
                };
                for l in 0..n {
                    let v = vo.map_or(0, |x| x[l]) as u64;
                    out[l] = Target::Va(base.wrapping_add(v).wrapping_add(off as u64));
                }
            } else if let Opnd::V(r) = u.src[0] {
                let (lo, hi) = (w.vreg(r), w.vreg(r + 1));
                for l in 0..n {
                    let a = lo[l] as u64 | (hi[l] as u64) << 32;
                    out[l] = Target::Va(a.wrapping_add(off as u64));
                }
            }
        }
        FLAT => {
            if let Opnd::V(r) = u.src[0] {
                let (lo, hi) = (w.vreg(r), w.vreg(r + 1));
                for l in 0..n {
                    let a = (lo[l] as u64 | (hi[l] as u64) << 32).wrapping_add(off as u64);
                    out[l] = if a >> 32 == SHARED_APERTURE_BASE >> 32 {
                        Target::Lds(a as u32)
                    } else if a >> 32 == PRIVATE_APERTURE_BASE >> 32 {
                        *scratch_space = true;
                        Target::Va(swizzle(w.flat_scratch, a & 0xffff_ffff, l, n))
                    } else {
                        Target::Va(a)
                    };
                }
            }
        }
        SCRATCH => {
            *scratch_space = true;
            let s = match u.src[2] {
                Opnd::S(_) => w.sget(u.src[2]) as u64,
                _ => 0,
            };
            let vo = match u.src[0] {
                Opnd::V(r) => Some(w.vreg(r)),
                _ => None,
            };
            for l in 0..n {
                let o = (s + vo.map_or(0, |x| x[l]) as u64).wrapping_add(off as u64) & 0xffff_ffff;
                out[l] = Target::Va(swizzle(w.flat_scratch, o, l, n));
            }
        }
        _ => {
            // MUBUF: V# in src[2] (4 SGPRs), soffset in src[3].
            let Opnd::S(r) = u.src[2] else { return };
            let r = r as usize;
            let d = [w.s[r], w.s[r + 1], w.s[r + 2], w.s[r + 3]];
            let base = d[0] as u64 | ((d[1] & 0xffff) as u64) << 32;
            let stride = ((d[1] >> 16) & 0x3fff) as u64;
            let swz = d[1] >> 31 != 0;
            let num_records = d[2] as u64;
            let index_stride = 8u64 << ((d[3] >> 21) & 3);
            let add_tid = (d[3] >> 23) & 1 != 0;
            let soff = w.sget(u.src[3]) as u64;
            let (offen, idxen) = (u.imm2 & F_OFFEN != 0, u.imm2 & F_IDXEN != 0);
            let va = match u.src[0] {
                Opnd::V(r) => Some(r),
                _ => None,
            };
            if add_tid && swz {
                *scratch_space = true;
            }
            for l in 0..n {
                let mut idx = 0u64;
                let mut voff = 0u64;
                if let Some(r) = va {
                    if idxen {
                        idx = w.vreg(r)[l] as u64;
                        if offen {
                            voff = w.vreg(r + 1)[l] as u64;
                        }
                    } else if offen {
                        voff = w.vreg(r)[l] as u64;
                    }
                }
                if add_tid {
                    idx += l as u64;
                }
                let offset = (voff + off as u64) & 0xffff_ffff;
                let (addr, oob) = if swz {
                    let (im, il) = (idx / index_stride, idx % index_stride);
                    let (om, ol) = (offset / 4, offset % 4);
                    let a = base + soff + (im * stride + om * 4) * index_stride + il * 4 + ol;
                    let oob = if stride == 0 {
                        offset + bytes as u64 > num_records
                    } else {
                        idx >= num_records
                    };
                    (a, oob)
                } else {
                    let a = base + soff + offset + idx * stride;
                    let oob = if stride == 0 || !idxen && !add_tid {
                        offset + bytes as u64 > num_records
                    } else {
                        idx >= num_records
                    };
                    (a, oob)
                };
                out[l] = if oob { Target::Oob } else { Target::Va(addr) };
            }
        }
    }
}

#[inline(always)]
fn read_target(e: &mut Env, u: &Uop, t: Target, buf: &mut [u8]) -> Result<(), Flow> {
    match t {
        Target::Va(a) => e.mem.read(a, buf).map_err(|f| e.fault(u, f.va, false)),
        Target::Lds(o) => {
            let o = o as usize;
            match e.lds.get(o..o + buf.len()) {
                Some(s) => buf.copy_from_slice(s),
                None => buf.fill(0),
            }
            Ok(())
        }
        Target::Oob => {
            buf.fill(0);
            Ok(())
        }
    }
}

#[inline(always)]
fn write_target(e: &mut Env, u: &Uop, t: Target, data: &[u8]) -> Result<(), Flow> {
    match t {
        Target::Va(a) => e.mem.write(a, data).map_err(|f| e.fault(u, f.va, true)),
        Target::Lds(o) => {
            let o = o as usize;
            if let Some(s) = e.lds.get_mut(o..o + data.len()) {
                s.copy_from_slice(data);
            }
            Ok(())
        }
        Target::Oob => Ok(()),
    }
}

fn count(e: &mut Env, scratch: bool, read: u64, written: u64) {
    if scratch {
        e.counters.scratch_bytes_read += read;
        e.counters.scratch_bytes_written += written;
    } else {
        e.counters.global_bytes_read += read;
        e.counters.global_bytes_written += written;
    }
}

/// Fast path for the common global load: all lanes active, consecutive
/// addresses, dword data, backed by one host slice. `None` = use the general path.
#[inline(always)]
fn load_global_fast<const K: u8>(w: &mut Wave, e: &mut Env, u: &Uop) -> Option<Flow> {
    let bytes = kind_bytes(K);
    let n = w.n;
    if w.exec() != w.full() || !bytes.is_multiple_of(4) {
        return None;
    }
    let Opnd::V(d) = u.dst else { return None };
    let dwords = bytes / 4;
    if d as usize + dwords > w.v.len() / LANES {
        return None;
    }
    let off = u.imm as u64;
    let a0 = match (u.src[2], u.src[0]) {
        // The lane checks below fold without early exit so they vectorise.
        (Opnd::S(_), Opnd::V(r)) => {
            let v = &w.vreg(r)[..n];
            let b = v[0];
            let mut bad = 0u32;
            for (l, x) in v.iter().enumerate() {
                bad |= *x ^ b.wrapping_add((l * bytes) as u32);
            }
            if bad != 0 {
                return None;
            }
            w.sget64(u.src[2]).wrapping_add(b as u64).wrapping_add(off)
        }
        (Opnd::None, Opnd::V(r)) => {
            let (lo, hi) = (&w.vreg(r)[..n], &w.vreg(r + 1)[..n]);
            let b = lo[0] as u64 | (hi[0] as u64) << 32;
            // No lane may carry into the high dword: then each address is
            // (hi[0], lo[0] + l * bytes) exactly when both words match.
            let (b_lo, b_hi) = (lo[0], hi[0]);
            b_lo.checked_add(((n - 1) * bytes) as u32)?;
            let mut bad = 0u32;
            for (l, (x, y)) in lo.iter().zip(hi).enumerate() {
                bad |= (*x ^ b_lo.wrapping_add((l * bytes) as u32)) | (*y ^ b_hi);
            }
            if bad != 0 {
                return None;
            }
            b.wrapping_add(off)
        }
        _ => return None,
    };
    let src = e.mem.read_slice(a0, n * bytes)?;
    let base = d as usize;
    for k in 0..dwords {
        let dst = &mut w.v[(base + k) * LANES..(base + k) * LANES + n];
        for (x, c) in dst.iter_mut().zip(src.chunks_exact(bytes)) {
            *x = u32::from_le_bytes([c[4 * k], c[4 * k + 1], c[4 * k + 2], c[4 * k + 3]]);
        }
    }
    e.counters.global_bytes_read += (n * bytes) as u64;
    e.counters.dram_lines.touch(a0, (n * bytes) as u64);
    Some(Flow::Next)
}

/// Loads.
fn load<const SPACE: u8, const K: u8>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    if SPACE == GLOBAL {
        if let Some(f) = load_global_fast::<K>(w, e, u) {
            return f;
        }
    }
    let bytes = kind_bytes(K);
    let n = w.n;
    let exec = w.exec();
    let mut tg = [Target::Oob; LANES];
    let mut scratch = false;
    addresses::<SPACE>(w, u, bytes, &mut tg, &mut scratch);
    let Opnd::V(d) = u.dst else {
        return e.illegal(u, "load without a VGPR destination");
    };
    let mut raw = [0u8; LANES * 16];
    // Fast path: all lanes active and one contiguous global range.
    let contiguous = exec == w.full()
        && matches!(tg[0], Target::Va(_))
        && (1..n).all(|l| match (tg[l], tg[0]) {
            (Target::Va(a), Target::Va(b)) => a == b + (l * bytes) as u64,
            _ => false,
        });
    if contiguous {
        if let Err(f) = read_target(e, u, tg[0], &mut raw[..n * bytes]) {
            return f;
        }
        if let (Target::Va(a), false) = (tg[0], scratch) {
            e.counters.dram_lines.touch(a, (n * bytes) as u64);
        }
    } else {
        let mut last_line = u64::MAX;
        // Lanes of a gather mostly read inside one host chunk (GEMV rows a few KiB
        // apart): keep it and copy from it, translating only when a lane leaves it.
        let (mut cs, mut chunk): (u64, &[u8]) = (0, &[]);
        // After a lane finds no chunk, the rest of the instruction reads lane by lane.
        let mut chunks = !scratch;
        for l in 0..n {
            if exec >> l & 1 != 0 {
                let out = &mut raw[l * bytes..(l + 1) * bytes];
                let mut done = false;
                if let (Target::Va(a), true) = (tg[l], chunks) {
                    let inside = |cs: u64, c: &[u8]| {
                        a >= cs
                            && a.checked_add(bytes as u64)
                                .is_some_and(|x| x <= cs + c.len() as u64)
                    };
                    if !inside(cs, chunk) {
                        (cs, chunk) = e.mem.read_chunk(a).unwrap_or((0, &[]));
                    }
                    if inside(cs, chunk) {
                        let o = (a - cs) as usize;
                        out.copy_from_slice(&chunk[o..o + bytes]);
                        done = true;
                    }
                }
                if !done {
                    chunk = &[];
                    chunks = false;
                    if let Err(f) = read_target(e, u, tg[l], out) {
                        return f;
                    }
                }
                if let (Target::Va(a), false) = (tg[l], scratch) {
                    // Neighbouring lanes mostly share a line: skip the set for repeats.
                    let line = a / super::counters::DRAM_LINE;
                    if line != last_line
                        || (a + bytes as u64 - 1) / super::counters::DRAM_LINE != line
                    {
                        e.counters.dram_lines.touch(a, bytes as u64);
                        last_line = line;
                    }
                }
            }
        }
    }
    count(e, scratch, (exec.count_ones() as usize * bytes) as u64, 0);
    let dwords = bytes.div_ceil(4);
    let base = d as usize;
    if base + dwords > w.v.len() / LANES {
        return e.illegal(u, "destination VGPR out of range");
    }
    for l in 0..n {
        if exec >> l & 1 == 0 {
            continue;
        }
        let b = &raw[l * bytes..(l + 1) * bytes];
        let idx = |k: usize| (base + k) * LANES + l;
        match K {
            U8 => w.v[idx(0)] = b[0] as u32,
            I8 => w.v[idx(0)] = b[0] as i8 as i32 as u32,
            U16 => w.v[idx(0)] = u16::from_le_bytes([b[0], b[1]]) as u32,
            I16 => w.v[idx(0)] = i16::from_le_bytes([b[0], b[1]]) as i32 as u32,
            D16_U8 | D16_I8 | D16_B16 => {
                let v = match K {
                    D16_U8 => b[0] as u32,
                    D16_I8 => b[0] as i8 as i16 as u16 as u32,
                    _ => u16::from_le_bytes([b[0], b[1]]) as u32,
                };
                let o = w.v[idx(0)];
                w.v[idx(0)] = (o & 0xffff_0000) | v;
            }
            D16_HI_U8 | D16_HI_I8 | D16_HI_B16 => {
                let v = match K {
                    D16_HI_U8 => b[0] as u32,
                    D16_HI_I8 => b[0] as i8 as i16 as u16 as u32,
                    _ => u16::from_le_bytes([b[0], b[1]]) as u32,
                };
                let o = w.v[idx(0)];
                w.v[idx(0)] = (o & 0xffff) | v << 16;
            }
            _ => {
                for k in 0..dwords {
                    w.v[idx(k)] =
                        u32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]]);
                }
            }
        }
    }
    Flow::Next
}

/// Stores (`K` = U8 byte, U16 short, D16_HI_* high halves, B32..B128).
fn store<const SPACE: u8, const K: u8>(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let bytes = kind_bytes(K);
    let n = w.n;
    let exec = w.exec();
    let mut tg = [Target::Oob; LANES];
    let mut scratch = false;
    addresses::<SPACE>(w, u, bytes, &mut tg, &mut scratch);
    let Opnd::V(s) = u.src[1] else {
        return e.illegal(u, "store without VGPR data");
    };
    let dwords = bytes.div_ceil(4);
    if s as usize + dwords > w.v.len() / LANES {
        return e.illegal(u, "data VGPR out of range");
    }
    let mut raw = [0u8; LANES * 16];
    for l in 0..n {
        let b = &mut raw[l * bytes..(l + 1) * bytes];
        let v0 = w.v[s as usize * LANES + l];
        match K {
            U8 => b[0] = v0 as u8,
            U16 => b.copy_from_slice(&(v0 as u16).to_le_bytes()),
            D16_HI_U8 => b[0] = (v0 >> 16) as u8,
            D16_HI_B16 => b.copy_from_slice(&((v0 >> 16) as u16).to_le_bytes()),
            _ => {
                for k in 0..dwords {
                    let v = w.v[(s as usize + k) * LANES + l];
                    b[4 * k..4 * k + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
        }
    }
    let contiguous = exec == w.full()
        && matches!(tg[0], Target::Va(_))
        && (1..n).all(|l| match (tg[l], tg[0]) {
            (Target::Va(a), Target::Va(b)) => a == b + (l * bytes) as u64,
            _ => false,
        });
    if contiguous {
        if let Err(f) = write_target(e, u, tg[0], &raw[..n * bytes]) {
            return f;
        }
    } else {
        for l in 0..n {
            if exec >> l & 1 != 0 {
                if let Err(f) = write_target(e, u, tg[l], &raw[l * bytes..(l + 1) * bytes]) {
                    return f;
                }
            }
        }
    }
    count(e, scratch, 0, (exec.count_ones() as usize * bytes) as u64);
    Flow::Next
}

/// Atomic operations (`A`), 32-bit or 64-bit (`W64`).
const A_SWAP: u8 = 0;
const A_CMPSWAP: u8 = 1;
const A_ADD: u8 = 2;
const A_SUB: u8 = 3;
const A_SMIN: u8 = 4;
const A_UMIN: u8 = 5;
const A_SMAX: u8 = 6;
const A_UMAX: u8 = 7;
const A_AND: u8 = 8;
const A_OR: u8 = 9;
const A_XOR: u8 = 10;
const A_INC: u8 = 11;
const A_DEC: u8 = 12;
const A_FMIN: u8 = 13;
const A_FMAX: u8 = 14;
const A_FCMPSWAP: u8 = 15;
const A_FADD: u8 = 16;

/// The read-modify-write of one atomic; `src`/`cmp` are the data operands.
#[inline(always)]
pub fn atomic_op<const A: u8, const W64: bool>(old: u64, src: u64, cmp: u64) -> u64 {
    let (m, sbits) = if W64 {
        (u64::MAX, 64)
    } else {
        (u32::MAX as u64, 32)
    };
    let sx = |v: u64| ((v << (64 - sbits)) as i64) >> (64 - sbits);
    let fl = |v: u64| {
        if W64 {
            f64::from_bits(v)
        } else {
            f32::from_bits(v as u32) as f64
        }
    };
    let tf = |f: f64| {
        if W64 {
            f.to_bits()
        } else {
            (f as f32).to_bits() as u64
        }
    };
    let r = match A {
        A_SWAP => src,
        A_CMPSWAP => {
            if old == cmp {
                src
            } else {
                old
            }
        }
        A_ADD => old.wrapping_add(src),
        A_SUB => old.wrapping_sub(src),
        A_SMIN => {
            if sx(src) < sx(old) {
                src
            } else {
                old
            }
        }
        A_UMIN => old.min(src),
        A_SMAX => {
            if sx(src) > sx(old) {
                src
            } else {
                old
            }
        }
        A_UMAX => old.max(src),
        A_AND => old & src,
        A_OR => old | src,
        A_XOR => old ^ src,
        A_INC => {
            if old >= src {
                0
            } else {
                old + 1
            }
        }
        A_DEC => {
            if old == 0 || old > src {
                src
            } else {
                old - 1
            }
        }
        A_FMIN => tf(fl(old).min(fl(src))),
        A_FMAX => tf(fl(old).max(fl(src))),
        A_FCMPSWAP => {
            if fl(old) == fl(cmp) {
                src
            } else {
                old
            }
        }
        _ => tf(fl(old) + fl(src)),
    };
    r & m
}

/// Memory atomics. Data: src[1] = data (cmpswap: data, data+1 = src, cmp for
/// FLAT/GLOBAL/MUBUF on gfx10). Lanes execute in lane order.
fn atomic<const SPACE: u8, const A: u8, const W64: bool>(
    w: &mut Wave,
    e: &mut Env,
    u: &Uop,
) -> Flow {
    let bytes = if W64 { 8 } else { 4 };
    let n = w.n;
    let exec = w.exec();
    let mut tg = [Target::Oob; LANES];
    let mut scratch = false;
    addresses::<SPACE>(w, u, bytes, &mut tg, &mut scratch);
    let Opnd::V(s) = u.src[1] else {
        return e.illegal(u, "atomic without VGPR data");
    };
    let s = s as usize;
    let dw = if W64 { 2 } else { 1 };
    let cmpswap = A == A_CMPSWAP || A == A_FCMPSWAP;
    let need = s + if cmpswap { 2 * dw } else { dw };
    if need > w.v.len() / LANES {
        return e.illegal(u, "data VGPR out of range");
    }
    let rd = |w: &Wave, r: usize, l: usize| -> u64 {
        let lo = w.v[r * LANES + l] as u64;
        if W64 {
            lo | (w.v[(r + 1) * LANES + l] as u64) << 32
        } else {
            lo
        }
    };
    let ret = u.imm2 & F_GLC != 0;
    for l in 0..n {
        if exec >> l & 1 == 0 {
            continue;
        }
        let src = rd(w, s, l);
        let cmp = if cmpswap { rd(w, s + dw, l) } else { 0 };
        let mut b = [0u8; 8];
        if let Err(f) = read_target(e, u, tg[l], &mut b[..bytes]) {
            return f;
        }
        let old = u64::from_le_bytes(b);
        let new = atomic_op::<A, W64>(old, src, cmp);
        if let Err(f) = write_target(e, u, tg[l], &new.to_le_bytes()[..bytes]) {
            return f;
        }
        if ret {
            if let Opnd::V(d) = u.dst {
                let d = d as usize;
                w.v[d * LANES + l] = old as u32;
                if W64 {
                    w.v[(d + 1) * LANES + l] = (old >> 32) as u32;
                }
            }
        }
    }
    let moved = (exec.count_ones() as usize * bytes) as u64;
    count(e, scratch, moved, moved);
    Flow::Next
}

/// The vector-memory table.
pub fn table() -> Vec<Entry> {
    let mut v: Vec<Entry> = Vec::new();
    macro_rules! ls {
        ($pre:literal, $sp:expr) => {
            v.push(Entry::new(
                concat!($pre, "_load_ubyte"),
                load::<$sp, U8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_sbyte"),
                load::<$sp, I8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_ushort"),
                load::<$sp, U16>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_sshort"),
                load::<$sp, I16>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_dword"),
                load::<$sp, B32>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_dwordx2"),
                load::<$sp, B64>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_dwordx3"),
                load::<$sp, B96>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_dwordx4"),
                load::<$sp, B128>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_ubyte_d16"),
                load::<$sp, D16_U8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_sbyte_d16"),
                load::<$sp, D16_I8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_short_d16"),
                load::<$sp, D16_B16>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_ubyte_d16_hi"),
                load::<$sp, D16_HI_U8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_sbyte_d16_hi"),
                load::<$sp, D16_HI_I8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_load_short_d16_hi"),
                load::<$sp, D16_HI_B16>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_byte"),
                store::<$sp, U8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_short"),
                store::<$sp, U16>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_byte_d16_hi"),
                store::<$sp, D16_HI_U8>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_short_d16_hi"),
                store::<$sp, D16_HI_B16>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_dword"),
                store::<$sp, B32>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_dwordx2"),
                store::<$sp, B64>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_dwordx3"),
                store::<$sp, B96>,
                &[],
            ));
            v.push(Entry::new(
                concat!($pre, "_store_dwordx4"),
                store::<$sp, B128>,
                &[],
            ));
        };
    }
    ls!("global", GLOBAL);
    ls!("flat", FLAT);
    ls!("scratch", SCRATCH);
    ls!("buffer", BUFFER);
    macro_rules! at {
        ($pre:literal, $sp:expr) => {
            at!(@ $pre, $sp, "swap" A_SWAP, "cmpswap" A_CMPSWAP, "add" A_ADD, "sub" A_SUB,
                "smin" A_SMIN, "umin" A_UMIN, "smax" A_SMAX, "umax" A_UMAX, "and" A_AND,
                "or" A_OR, "xor" A_XOR, "inc" A_INC, "dec" A_DEC, "fmin" A_FMIN, "fmax" A_FMAX,
                "fcmpswap" A_FCMPSWAP);
            v.push(Entry::new(concat!($pre, "_atomic_add_f32"), atomic::<$sp, A_FADD, false>, &[]));
        };
        (@ $pre:literal, $sp:expr, $($n:literal $a:ident),*) => {$(
            v.push(Entry::new(concat!($pre, "_atomic_", $n), atomic::<$sp, $a, false>, &[]));
            v.push(Entry::new(concat!($pre, "_atomic_", $n, "_x2"), atomic::<$sp, $a, true>, &[]));
        )*};
    }
    at!("global", GLOBAL);
    at!("flat", FLAT);
    at!("buffer", BUFFER);
    v
}
