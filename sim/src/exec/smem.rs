//! Scalar memory: s_load_dword* and s_buffer_load_dword*.
//!
//! Uop operands: `dst` = first SGPR, `src[0]` = base pair (s_load) or V#
//! quad (s_buffer_load), `src[1]` = SGPR offset or `Opnd::None`; `imm` = the
//! immediate byte offset; `imm2` = dword count.

use super::ir::{Flow, Opnd, Uop};
use super::table::Entry;
use super::wave::{Env, Wave};

fn s_load(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let base = w.sget64(u.src[0]);
    let soff = match u.src[1] {
        Opnd::None => 0,
        o => w.sget(o) as u64,
    };
    // Scalar loads ignore the low two address bits.
    let va = base.wrapping_add(soff).wrapping_add(u.imm as u64) & !3;
    load_into(w, e, u, va, None)
}

fn s_buffer_load(w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    let Opnd::S(r) = u.src[0] else {
        return e.illegal(u, "buffer resource is not an SGPR quad");
    };
    let r = r as usize;
    let base = w.s[r] as u64 | ((w.s[r + 1] & 0xffff) as u64) << 32;
    let num_records = w.s[r + 2] as u64;
    let soff = match u.src[1] {
        Opnd::None => 0,
        o => w.sget(o) as u64,
    };
    let off = (soff + u.imm as u64) & !3;
    load_into(w, e, u, base + off, Some((off, num_records)))
}

fn load_into(w: &mut Wave, e: &mut Env, u: &Uop, va: u64, range: Option<(u64, u64)>) -> Flow {
    let n = u.imm2 as usize;
    let Opnd::S(d) = u.dst else {
        return e.illegal(u, "destination is not an SGPR");
    };
    let d = d as usize;
    if d + n > 106 {
        return e.illegal(u, "destination SGPR range out of bounds");
    }
    let mut buf = [0u8; 64];
    let bytes = &mut buf[..n * 4];
    match range {
        Some((off, num)) => {
            // Out-of-range dwords of a buffer load read as zero.
            for k in 0..n {
                let o = off + 4 * k as u64;
                if o + 4 <= num {
                    if let Err(f) = e.mem.read(va + 4 * k as u64, &mut bytes[4 * k..4 * k + 4]) {
                        return e.fault(u, f.va, false);
                    }
                }
            }
        }
        None => {
            if let Err(f) = e.mem.read(va, bytes) {
                return e.fault(u, f.va, false);
            }
        }
    }
    for k in 0..n {
        w.s[d + k] = u32::from_le_bytes([
            bytes[4 * k],
            bytes[4 * k + 1],
            bytes[4 * k + 2],
            bytes[4 * k + 3],
        ]);
    }
    e.counters.scalar_bytes_read += (n * 4) as u64;
    Flow::Next
}

/// The SMEM table (the dword count comes from the mnemonic at pre-decode).
pub fn table() -> Vec<Entry> {
    let mut v = Vec::new();
    for (sfx, _) in DWORDS {
        let l: &'static str = Box::leak(format!("s_load_{sfx}").into_boxed_str());
        let b: &'static str = Box::leak(format!("s_buffer_load_{sfx}").into_boxed_str());
        v.push(Entry::new(l, s_load, &[]));
        v.push(Entry::new(b, s_buffer_load, &[]));
    }
    v
}

/// Mnemonic suffix → dword count.
pub const DWORDS: [(&str, i64); 5] = [
    ("dword", 1),
    ("dwordx2", 2),
    ("dwordx4", 4),
    ("dwordx8", 8),
    ("dwordx16", 16),
];
