//! Occupancy estimates on hand-checked configurations (rules in loader/src/occupancy.rs).

mod common;

use loader::{estimate_occupancy, CodeObject, DeviceLimits, Mach};

fn limits(name: &str) -> DeviceLimits {
    DeviceLimits::for_mach(&Mach::from_name(name).unwrap()).unwrap()
}

#[test]
fn vgpr_granules_wave32_and_wave64() {
    let co = CodeObject::parse(&common::read("args-gfx1010.hsaco")).unwrap();
    let mut k = co.kernel("saxpy").unwrap().clone();
    let g1010 = limits("gfx1010");
    k.metadata.vgpr_count = 64; // wave32: 1024 / 64 = 16 waves
    let o = estimate_occupancy(&k, &g1010, 256, 0);
    assert_eq!(
        (
            o.vgprs_allocated,
            o.by_vgprs,
            o.waves_per_simd,
            o.limited_by
        ),
        (64, 16, 16, "vgprs")
    );
    k.metadata.vgpr_count = 20; // granule 8 → 24 → 42, capped at 20 slots
    let o = estimate_occupancy(&k, &g1010, 256, 0);
    assert_eq!(
        (o.vgprs_allocated, o.waves_per_simd, o.limited_by),
        (24, 20, "wave slots")
    );
    k.descriptor.wave32 = false; // wave64: granule 4, 512 rows
    k.metadata.vgpr_count = 37;
    let o = estimate_occupancy(&k, &g1010, 256, 0);
    assert_eq!(
        (o.vgprs_allocated, o.by_vgprs, o.waves_per_workgroup),
        (40, 12, 4)
    );
    // gfx10.3: granule 16 (wave32), 16 wave slots.
    k.descriptor.wave32 = true;
    k.metadata.vgpr_count = 20;
    let o = estimate_occupancy(&k, &limits("gfx1030"), 256, 0);
    assert_eq!(
        (o.vgprs_allocated, o.max_waves, o.waves_per_simd),
        (32, 16, 16)
    );
    assert!(DeviceLimits::for_mach(&Mach::from_name("gfx906").unwrap()).is_none());
}

#[test]
fn lds_limits_per_wgp_and_cu() {
    let co = CodeObject::parse(&common::read("args-gfx1010.hsaco")).unwrap();
    let mut k = co.kernel("static_lds").unwrap().clone();
    let g = limits("gfx1010");
    // 1024 static + 31744 dynamic = 32 KiB per group of 256 work-items (8 waves).
    assert!(k.descriptor.wgp_mode);
    let o = estimate_occupancy(&k, &g, 256, 31744);
    assert_eq!(o.lds_per_workgroup, 32768);
    assert_eq!(o.by_lds, 8); // 128 KiB / 32 KiB = 4 groups x 8 waves / 4 SIMDs
    k.descriptor.wgp_mode = false;
    let o = estimate_occupancy(&k, &g, 256, 31744);
    assert_eq!(o.by_lds, 8); // 64 KiB / 32 KiB = 2 groups x 8 waves / 2 SIMDs
    let o = estimate_occupancy(&k, &g, 64, 63 * 1024); // 64 KiB: 1 group of 2 waves per CU
    assert_eq!((o.by_lds, o.waves_per_simd, o.limited_by), (1, 1, "lds"));
    let o = estimate_occupancy(&k, &g, 0, 0);
    assert_eq!(o.workgroup_size, k.metadata.max_flat_workgroup_size);
}
