//! Tier 1 — device seen: the render node opens, DRM VERSION says amdgpu,
//! DEV_INFO, gfx target identified, firmware versions (with the CP firmware
//! write-wait threshold of `firmware-notes/navi10-firmware.md`), VRAM/GTT.

use crate::peak::Peaks;
use crate::{Metrics, ProbeResult, Target};
use amdgpu_kmd::{Device, FwVersion};
use anyhow::{bail, Context};
use serde_json::json;

const TIER: u8 = 1;

/// `gfx_v10_0_check_fw_write_wait()` (Linux gfx_v10_0.c): Navi 10/12/14
/// get the combined write+wait VM flush only with ME ≥ 0x46, PFP ≥ 0x68,
/// MEC ≥ 0x5b, each with feature ≥ 27.
pub const CP_FW_WRITE_WAIT: [(&str, u32, u32); 3] =
    [("ME", 0x46, 27), ("PFP", 0x68, 27), ("MEC", 0x5b, 27)];

/// `None` when a CP version is unknown, else whether every CP firmware
/// meets [`CP_FW_WRITE_WAIT`].
pub fn cp_fw_write_wait(fw: &[FwVersion]) -> Option<bool> {
    let mut ok = true;
    for (name, min_ver, min_feat) in CP_FW_WRITE_WAIT {
        let f = fw.iter().find(|f| f.name == name && f.index == 0)?;
        ok &= f.version? >= min_ver && f.feature? >= min_feat;
    }
    Some(ok)
}

fn body(dev: &Device) -> anyhow::Result<(String, Metrics)> {
    let mut m = Metrics::new();
    m.insert("node".into(), json!(dev.node()));
    let v = dev.version().context("DRM VERSION")?;
    m.insert("drm_driver".into(), json!(v.name));
    m.insert(
        "drm_version".into(),
        json!(format!("{}.{}.{}", v.major, v.minor, v.patchlevel)),
    );
    if v.name != "amdgpu" {
        bail!("DRM VERSION names driver {:?}, not amdgpu", v.name);
    }
    let info = dev.info();
    let di = info.dev_info().context("INFO DEV_INFO")?;
    m.insert(
        "pci_device_id".into(),
        json!(format!("{:#06x}", di.device_id)),
    );
    m.insert("family".into(), json!(di.family));
    m.insert("external_rev".into(), json!(di.external_rev));
    m.insert("num_shader_engines".into(), json!(di.num_shader_engines));
    m.insert("cu_active_number".into(), json!(di.cu_active_number));
    m.insert("wave_front_size".into(), json!(di.wave_front_size));
    m.insert("max_engine_clock_khz".into(), json!(di.max_engine_clock));
    m.insert("max_memory_clock_khz".into(), json!(di.max_memory_clock));
    m.insert("vram_bit_width".into(), json!(di.vram_bit_width));
    let peaks = Peaks::from_dev_info(&di);
    m.insert("vram_type".into(), json!(peaks.vram_type));
    let Some(chip) = dev.chip() else {
        bail!(
            "gfx target not identified (family {}, external_rev {:#x})",
            di.family,
            di.external_rev
        );
    };
    m.insert("chip".into(), json!(chip.name));
    m.insert("gfx_target".into(), json!(chip.gfx_target));
    let accel = info.accel_working().context("INFO ACCEL_WORKING")?;
    m.insert("accel_working".into(), json!(accel));
    if !accel {
        bail!("INFO ACCEL_WORKING is 0: the kernel disabled acceleration");
    }
    let fw = info.firmware();
    let mut fw_map = serde_json::Map::new();
    for f in &fw {
        if let (Some(v), Some(feat)) = (f.version, f.feature) {
            fw_map.insert(
                format!(
                    "{}{}",
                    f.name,
                    if f.index > 0 {
                        format!("[{}]", f.index)
                    } else {
                        String::new()
                    }
                ),
                json!({"version": format!("{v:#x}"), "feature": feat}),
            );
        }
    }
    m.insert("firmware".into(), serde_json::Value::Object(fw_map));
    let write_wait = cp_fw_write_wait(&fw);
    m.insert("cp_fw_write_wait".into(), json!(write_wait));
    let vg = info.vram_gtt().context("INFO VRAM_GTT")?;
    m.insert("vram_bytes".into(), json!(vg.vram_size));
    m.insert(
        "vram_cpu_visible_bytes".into(),
        json!(vg.vram_cpu_accessible_size),
    );
    m.insert("gtt_bytes".into(), json!(vg.gtt_size));
    if vg.vram_size == 0 || vg.gtt_size == 0 {
        bail!(
            "INFO VRAM_GTT: VRAM {} bytes, GTT {} bytes",
            vg.vram_size,
            vg.gtt_size
        );
    }
    let cp_note = match write_wait {
        Some(true) => "CP firmware meets the write-wait threshold",
        Some(false) => "warning: CP firmware older than the write-wait threshold (ME 0x46/PFP 0x68/MEC 0x5b, feature 27)",
        None => "CP firmware versions not reported",
    };
    Ok((
        format!(
            "{} {} ({}), {} CUs, VRAM {} MiB, GTT {} MiB, {} firmware entries; {cp_note}",
            v.name,
            chip.gfx_target,
            chip.name,
            di.cu_active_number,
            vg.vram_size >> 20,
            vg.gtt_size >> 20,
            fw.iter().filter(|f| f.version.is_some()).count()
        ),
        m,
    ))
}

/// Runs tier 1.
pub fn run(t: &Target) -> ProbeResult {
    ProbeResult::from_outcome(TIER, t.dev().and_then(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw(name: &'static str, v: u32, f: u32) -> FwVersion {
        FwVersion {
            id: 0,
            name,
            index: 0,
            version: Some(v),
            feature: Some(f),
            errno: None,
        }
    }

    #[test]
    fn threshold() {
        let new = [fw("ME", 0x46, 27), fw("PFP", 0x68, 27), fw("MEC", 0x5b, 27)];
        assert_eq!(cp_fw_write_wait(&new), Some(true));
        let old = [fw("ME", 0x46, 27), fw("PFP", 0x68, 27), fw("MEC", 0x5a, 30)];
        assert_eq!(cp_fw_write_wait(&old), Some(false));
        let old_feat = [fw("ME", 0x50, 26), fw("PFP", 0x68, 27), fw("MEC", 0x5b, 27)];
        assert_eq!(cp_fw_write_wait(&old_feat), Some(false));
        assert_eq!(cp_fw_write_wait(&new[..2]), None);
    }
}
