//! Fuzz amdgpu-kmd's input parsing: the amdgpu.ids text parser, the
//! request-number decoder and the VA allocator driven by arbitrary
//! alloc/free sequences. Nothing may panic; allocations must never overlap.
#![no_main]

use amdgpu_kmd::{chips, uapi, va::VaAllocator};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = chips::lookup_ids_text(text, 0x731F, 0xC1);
    }
    for w in data.chunks_exact(8) {
        let req = u64::from_le_bytes(w.try_into().unwrap());
        let f = uapi::ioctl_fields(req);
        if let Some(d) = uapi::ioctl_nr(req) {
            assert_eq!(d.nr, f.nr);
        }
    }
    let mut va = VaAllocator::new(0x20_0000, 0x1_0000_0000, 4096);
    let mut live: Vec<(u64, u64)> = Vec::new();
    for op in data.chunks_exact(3) {
        if op[0] & 1 == 0 {
            let size = u64::from(op[1]) * 4096 + u64::from(op[2]);
            let align = 4096u64 << (op[0] >> 4);
            if let Some(a) = va.alloc(size, align) {
                let s = va.round(size).unwrap();
                assert!(live.iter().all(|&(b, t)| a + s <= b || b + t <= a));
                live.push((a, s));
            }
        } else if !live.is_empty() {
            let (a, s) = live.swap_remove(usize::from(op[1]) % live.len());
            va.free(a, s).unwrap();
        }
    }
});
