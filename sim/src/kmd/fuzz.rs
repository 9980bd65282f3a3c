//! Fuzz bodies: arbitrary bytes as an IB through the CP, and arbitrary
//! ioctl requests/arguments into the fake kernel. Neither may panic; both
//! must leave the device usable. Used by `fuzz/fuzz_targets/sim_cp.rs` and a
//! seeded mutation test.

use std::time::Duration;

use amdgpu_kmd::{BoFlags, Device, Domains, Driver, Ib, Submit, UserMem, VmFlags};

use crate::exec::Budget;
use crate::{SimConfig, SimDriver};

fn small() -> SimConfig {
    SimConfig {
        budget: Budget {
            max_instructions: 100_000,
            max_time: Some(Duration::from_secs(2)),
            workers: None,
        },
        job_timeout: Duration::from_millis(1),
        max_packets: 10_000,
        ..SimConfig::default()
    }
}

/// Runs `data` (padded to dwords) as one IB; then checks a NOP job still
/// completes on a fresh context.
pub fn exercise_cp(data: &[u8]) {
    let dev = Device::new(Box::new(SimDriver::new(small()))).expect("sim device");
    let mut ib = data.to_vec();
    ib.resize(data.len().div_ceil(4).max(1) * 4, 0);
    let Ok(bo) = dev.create_bo(ib.len() as u64 + 4096, Domains::GTT, BoFlags::empty()) else {
        return;
    };
    let Ok(va) = bo.map_gpu(VmFlags::RWX) else {
        return;
    };
    if bo.write(0, &ib).is_err() {
        return;
    }
    let Ok(ctx) = dev.create_context(0) else {
        return;
    };
    let ibs = [Ib::new(va, ib.len() as u32)];
    if let Ok(f) = ctx.submit(&Submit::compute(&ibs, &[&bo])) {
        let _ = f.wait(Duration::from_millis(5));
    }
    let nop = [pm4::op::pkt3(pm4::op::NOP, 1, false), 0];
    let off = ib.len() as u64;
    bo.write(off, bytemuck::cast_slice(&nop))
        .expect("write nop");
    let ctx2 = dev.create_context(0).expect("second context");
    let ibs = [Ib::new(va + off, 8)];
    let f = ctx2
        .submit(&Submit::compute(&ibs, &[&bo]))
        .expect("nop submit");
    assert!(f.wait(Duration::from_secs(5)).expect("nop wait"));
}

/// First 8 bytes: a request number (its nr byte taken from the known set when
/// `data[0]` is even); the rest: the argument bytes.
pub fn exercise_ioctl(data: &[u8]) {
    if data.len() < 8 {
        return;
    }
    let drv = SimDriver::new(small());
    let mut req = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
    let known: Vec<_> = amdgpu_kmd::uapi::all_ioctls().collect();
    if data[0].is_multiple_of(2) {
        req = known[(data[1] as usize) % known.len()].request;
    }
    let size = amdgpu_kmd::uapi::ioctl_fields(req).size;
    let mut arg = vec![0u8; size];
    for (d, s) in arg.iter_mut().zip(&data[8..]) {
        *d = *s;
    }
    let _ = drv.ioctl(req, &mut arg, &mut UserMem::new());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded mutation loop over the fuzz bodies (deterministic xorshift).
    #[test]
    fn random_inputs_never_panic() {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for round in 0..60 {
            let n = (next() % 96) as usize;
            let mut v: Vec<u8> = (0..n).map(|_| next() as u8).collect();
            if round % 3 == 0 && v.len() >= 4 {
                // Make the first dword a plausible type-3 header.
                let op = [0x10u8, 0x37, 0x3C, 0x3F, 0x40, 0x49, 0x50, 0x76, 0x15][round % 9];
                let h = pm4::op::pkt3(op, (next() % 8) as usize + 1, false);
                v[..4].copy_from_slice(&h.to_le_bytes());
            }
            exercise_cp(&v);
            exercise_ioctl(&v);
        }
    }
}
