//! Occupancy estimate: waves per SIMD a kernel can keep resident, limited by VGPRs, SGPRs,
//! LDS and the hardware wave-slot limit.
//!
//! Rules from LLVM `AMDGPUBaseInfo.cpp` (`getMaxWavesPerEU`: 20 on gfx10.1, 16 on gfx10.3+;
//! `getVGPRAllocGranule`: gfx10.1 wave32 8 / wave64 4, gfx10.3 16 / 8, gfx11 with the 1.5x
//! register file 24 / 12; `getTotalNumVGPRs`: gfx10+ wave32 1024 / wave64 512, 1536 / 768
//! with FeatureGFX11FullVGPRs; `getOccupancyWithNumSGPRs`: SGPRs do not limit on gfx10+;
//! `getEUsPerCU`: 2 SIMDs per CU, 4 per WGP in WGP mode) and the RDNA whitepaper (128 KiB
//! LDS per WGP, 64 KiB per workgroup). An estimate: it ignores barrier and scratch limits.

use crate::code_object::Kernel;
use crate::target::{Gen, Mach};
use serde::Serialize;

/// Per-device limits the estimate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeviceLimits {
    /// Processor name.
    pub name: &'static str,
    /// Wave slots per SIMD.
    pub max_waves_per_simd: u32,
    /// VGPRs per SIMD lane for wave32 (wave64 gets half).
    pub vgprs_wave32: u32,
    /// VGPR allocation granule, wave32.
    pub vgpr_granule_wave32: u32,
    /// VGPR allocation granule, wave64.
    pub vgpr_granule_wave64: u32,
    /// LDS bytes per WGP (WGP mode pool; CU mode gets half).
    pub lds_per_wgp: u32,
    /// LDS allocation granule in bytes.
    pub lds_granule: u32,
}

impl DeviceLimits {
    /// Limits for a gfx10+ processor; `None` for GCN (no model here).
    pub fn for_mach(mach: &Mach) -> Option<DeviceLimits> {
        let full_vgprs = matches!(
            mach.name,
            "gfx1100" | "gfx1101" | "gfx1151" | "gfx1200" | "gfx1201"
        );
        let (waves, vgprs, g32, g64, lds_granule) = match mach.gen {
            Gen::Gcn => return None,
            // gfx10.1 allocates LDS in 512-byte units (RSRC2.LDS_SIZE granularity).
            Gen::Gfx10_1 => (20, 1024, 8, 4, 512),
            Gen::Gfx10_3 => (16, 1024, 16, 8, 1024),
            Gen::Gfx11 | Gen::Gfx12 if full_vgprs => (16, 1536, 24, 12, 1024),
            Gen::Gfx11 | Gen::Gfx12 => (16, 1024, 16, 8, 1024),
        };
        Some(DeviceLimits {
            name: mach.name,
            max_waves_per_simd: waves,
            vgprs_wave32: vgprs,
            vgpr_granule_wave32: g32,
            vgpr_granule_wave64: g64,
            lds_per_wgp: 131072,
            lds_granule,
        })
    }
}

/// Result of the estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occupancy {
    /// Device the estimate is for.
    pub device: &'static str,
    /// Work-items per workgroup assumed.
    pub workgroup_size: u32,
    /// Waves per workgroup.
    pub waves_per_workgroup: u32,
    /// VGPRs allocated per wave (rounded to the granule).
    pub vgprs_allocated: u32,
    /// LDS bytes allocated per workgroup (rounded to the granule).
    pub lds_per_workgroup: u32,
    /// Waves per SIMD allowed by VGPRs.
    pub by_vgprs: u32,
    /// Waves per SIMD allowed by SGPRs (not a limit on gfx10+).
    pub by_sgprs: u32,
    /// Waves per SIMD allowed by LDS.
    pub by_lds: u32,
    /// Hardware wave slots per SIMD.
    pub max_waves: u32,
    /// Resulting waves per SIMD.
    pub waves_per_simd: u32,
    /// Which resource limits (`vgprs`, `lds`, `wave slots`).
    pub limited_by: &'static str,
}

/// Estimates occupancy of `k` on `dev` for workgroups of `workgroup_size` work-items
/// (0 = the kernel's `.max_flat_workgroup_size`) with `dynamic_lds` extra LDS bytes.
pub fn estimate(
    k: &Kernel,
    dev: &DeviceLimits,
    workgroup_size: u32,
    dynamic_lds: u32,
) -> Occupancy {
    let wave32 = k.descriptor.wave32;
    let wave = if wave32 { 32 } else { 64 };
    let wg = if workgroup_size == 0 {
        k.metadata.max_flat_workgroup_size.max(1)
    } else {
        workgroup_size
    };
    let waves_per_wg = wg.div_ceil(wave);
    let (granule, total) = if wave32 {
        (dev.vgpr_granule_wave32, dev.vgprs_wave32)
    } else {
        (dev.vgpr_granule_wave64, dev.vgprs_wave32 / 2)
    };
    let vgprs = k
        .metadata
        .vgpr_count
        .max(1)
        .div_ceil(granule)
        .saturating_mul(granule);
    let by_vgprs = (total / vgprs).min(dev.max_waves_per_simd);
    let by_sgprs = dev.max_waves_per_simd;
    let (pool, simds) = if k.descriptor.wgp_mode {
        (dev.lds_per_wgp, 4)
    } else {
        (dev.lds_per_wgp / 2, 2)
    };
    let lds = (k
        .metadata
        .group_segment_fixed_size
        .saturating_add(dynamic_lds))
    .div_ceil(dev.lds_granule)
        * dev.lds_granule;
    let by_lds = match pool.checked_div(lds) {
        None => dev.max_waves_per_simd,
        Some(groups) => (groups.saturating_mul(waves_per_wg) / simds)
            .min(dev.max_waves_per_simd)
            .max(u32::from(groups > 0)),
    };
    let waves = by_vgprs.min(by_sgprs).min(by_lds);
    let limited_by = if waves == dev.max_waves_per_simd {
        "wave slots"
    } else if waves == by_vgprs {
        "vgprs"
    } else {
        "lds"
    };
    Occupancy {
        device: dev.name,
        workgroup_size: wg,
        waves_per_workgroup: waves_per_wg,
        vgprs_allocated: vgprs,
        lds_per_workgroup: lds,
        by_vgprs,
        by_sgprs,
        by_lds,
        max_waves: dev.max_waves_per_simd,
        waves_per_simd: waves,
        limited_by,
    }
}
