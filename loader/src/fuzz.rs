//! The body of the `loader_parse` fuzz target, shared with the seeded mutation test so the
//! same code runs under libFuzzer and in `cargo test`.

use crate::{sgpr_layout, ArgValue, CodeObject, DeviceLimits, Dispatch, KernargBuilder, ValueKind};

/// Largest image the fuzz body loads (keeps each execution fast and bounded).
const FUZZ_MAX_IMAGE: u64 = 1 << 20;

/// Parses `data` and, if it is accepted, exercises everything downstream of parsing: load
/// image + relocations, kernarg building with dummy values, SGPR layout, occupancy.
/// Must never panic; returns whether the input parsed.
pub fn exercise(data: &[u8]) -> bool {
    let Ok(co) = CodeObject::parse(data) else {
        return false;
    };
    if co.image_size() <= FUZZ_MAX_IMAGE {
        let _ = co.load(0x1_0000_0000);
    }
    let device = DeviceLimits::for_mach(&co.target.mach);
    for k in co.kernels() {
        let _ = sgpr_layout(&k.descriptor, &k.name);
        let _ = k.descriptor.fields();
        if let Some(dev) = &device {
            let _ = crate::estimate_occupancy(k, dev, 0, 0);
        }
        let mut kb = KernargBuilder::new(&k.metadata);
        let explicit: Vec<_> = k.metadata.explicit_args().cloned().collect();
        for a in explicit {
            let v = match a.value_kind {
                ValueKind::DynamicSharedPointer => ArgValue::DynamicLds(64),
                _ => ArgValue::Bytes(vec![0xa5; a.size as usize]),
            };
            let _ = kb.push(v);
        }
        if let Ok(d) = Dispatch::from_workgroups([3, 2, 1], [64, 1, 1]) {
            kb.dispatch(d);
        }
        let _ = kb.build();
    }
    true
}
