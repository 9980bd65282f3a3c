//! `rocless info`: everything worth knowing about one device, gathered over
//! any [`Driver`](crate::Driver) (real node or simulator) and rendered as
//! text or JSON. Queries that fail are reported per field, never fatal.

use crate::chips;
use crate::device::{Device, FwVersion};
use crate::uapi::*;
use serde::Serialize;
use std::fmt::Write as _;

/// Memory sizes and usage, bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MemoryReport {
    /// VRAM size.
    pub vram_size: Option<u64>,
    /// CPU-visible VRAM (BAR) size.
    pub vis_vram_size: Option<u64>,
    /// GTT size.
    pub gtt_size: Option<u64>,
    /// VRAM in use.
    pub vram_usage: Option<u64>,
    /// Visible VRAM in use.
    pub vis_vram_usage: Option<u64>,
    /// GTT in use.
    pub gtt_usage: Option<u64>,
    /// VRAM type name (`GDDR6`).
    pub vram_type: String,
    /// VRAM bus width in bits.
    pub vram_bit_width: u32,
}

/// Live sensor readings (None when the kernel refuses).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SensorReport {
    /// Current shader clock, MHz.
    pub sclk_mhz: Option<u32>,
    /// Current memory clock, MHz.
    pub mclk_mhz: Option<u32>,
    /// Temperature, millidegrees C.
    pub temp_mc: Option<u32>,
    /// GPU load, %.
    pub load_pct: Option<u32>,
    /// Average power, W.
    pub power_w: Option<u32>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceReport {
    /// Node path the driver reports.
    pub node: String,
    /// PCI slot if known (from sysfs).
    pub pci_slot: Option<String>,
    /// Kernel driver `name major.minor.patch`.
    pub driver: Option<String>,
    /// PCI device id.
    pub device_id: u32,
    /// PCI revision.
    pub pci_rev: u32,
    /// Marketing name.
    pub marketing_name: String,
    /// Mesa chip name (`NAVI10`).
    pub chip: Option<String>,
    /// LLVM target (`gfx1010`).
    pub gfx_target: Option<String>,
    /// `AMDGPU_FAMILY_*`.
    pub family: u32,
    /// External revision (selects the chip within the family).
    pub external_rev: u32,
    /// APU (DEV_INFO FUSION flag or known APU id).
    pub apu: bool,
    /// Active compute units.
    pub compute_units: u32,
    /// Shader engines.
    pub shader_engines: u32,
    /// Shader arrays per engine.
    pub shader_arrays_per_engine: u32,
    /// CUs per shader array.
    pub cu_per_sh: u32,
    /// Wavefront size the kernel reports.
    pub wave_front_size: u32,
    /// Peak shader clock, MHz.
    pub max_sclk_mhz: u64,
    /// Peak memory clock, MHz.
    pub max_mclk_mhz: u64,
    /// GPU timestamp counter frequency, kHz.
    pub gpu_counter_freq_khz: u32,
    /// Usable GPU VA window `[start, end)`.
    pub va_window: (u64, u64),
    /// Memory.
    pub memory: MemoryReport,
    /// Sensors.
    pub sensors: SensorReport,
    /// VBIOS part number and version.
    pub vbios: Option<String>,
    /// Every firmware id.
    pub firmware: Vec<FwVersion>,
    /// The amdgpu sysfs memory counters of the node (real devices; None elsewhere).
    pub sysfs_mem: Option<crate::sysfs::MemInfo>,
}

/// The wave sizes a chip runs. DEV_INFO `wave_front_size` is the kernel's one value (64 on
/// every GCN/RDNA chip: amdgpu_kms.c `dev_info->wave_front_size = adev->gfx.cu_info.wave_front_size`);
/// RDNA (family NV = 143 and later) also runs wave32 natively, the mode our kernels use
/// (AMD RDNA ISA reference, "Wave32 and Wave64").
fn wave_sizes(family: u32, wave_front_size: u32) -> String {
    if family >= AMDGPU_FAMILY_NV {
        format!("wave32 and wave{wave_front_size} (DEV_INFO wave_front_size {wave_front_size})")
    } else {
        format!("wave{wave_front_size}")
    }
}

fn vram_type_name(t: u32) -> &'static str {
    const NAMES: &[(u32, &str)] = &[
        (AMDGPU_VRAM_TYPE_GDDR1, "GDDR1"),
        (AMDGPU_VRAM_TYPE_DDR2, "DDR2"),
        (AMDGPU_VRAM_TYPE_GDDR3, "GDDR3"),
        (AMDGPU_VRAM_TYPE_GDDR4, "GDDR4"),
        (AMDGPU_VRAM_TYPE_GDDR5, "GDDR5"),
        (AMDGPU_VRAM_TYPE_HBM, "HBM"),
        (AMDGPU_VRAM_TYPE_DDR3, "DDR3"),
        (AMDGPU_VRAM_TYPE_DDR4, "DDR4"),
        (AMDGPU_VRAM_TYPE_GDDR6, "GDDR6"),
        (AMDGPU_VRAM_TYPE_DDR5, "DDR5"),
        (AMDGPU_VRAM_TYPE_LPDDR4, "LPDDR4"),
        (AMDGPU_VRAM_TYPE_LPDDR5, "LPDDR5"),
    ];
    NAMES
        .iter()
        .find(|&&(v, _)| v == t)
        .map_or("unknown", |&(_, n)| n)
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).trim().to_string()
}

impl DeviceReport {
    /// Queries everything. Only DEV_INFO (already cached by `Device::new`)
    /// is required; every other query may fail individually.
    pub fn gather(dev: &Device) -> Self {
        let di = *dev.dev_info();
        let info = dev.info();
        let chip = dev.chip();
        let vg = info.vram_gtt().ok();
        let sensor = |s| info.sensor(s).ok();
        let marketing_name = chips::marketing_name(di.device_id, di.pci_rev)
            .or_else(|| chip.map(|c| format!("AMD Radeon ({})", c.name)))
            .unwrap_or_else(|| format!("AMD GPU {:#06x}", di.device_id));
        Self {
            node: dev.node(),
            pci_slot: None,
            driver: dev
                .version()
                .ok()
                .map(|v| format!("{} {}.{}.{}", v.name, v.major, v.minor, v.patchlevel)),
            device_id: di.device_id,
            pci_rev: di.pci_rev,
            marketing_name,
            chip: chip.map(|c| c.name.to_string()),
            gfx_target: chip.map(|c| c.gfx_target.to_string()),
            family: di.family,
            external_rev: di.external_rev,
            apu: dev.is_apu() || chip.is_some_and(|c| c.apu) || chips::is_apu_pci_id(di.device_id),
            compute_units: di.cu_active_number,
            shader_engines: di.num_shader_engines,
            shader_arrays_per_engine: di.num_shader_arrays_per_engine,
            cu_per_sh: di.num_cu_per_sh,
            wave_front_size: di.wave_front_size,
            max_sclk_mhz: di.max_engine_clock / 1000,
            max_mclk_mhz: di.max_memory_clock / 1000,
            gpu_counter_freq_khz: di.gpu_counter_freq,
            va_window: (di.virtual_address_offset, di.virtual_address_max),
            memory: MemoryReport {
                vram_size: vg.map(|v| v.vram_size),
                vis_vram_size: vg.map(|v| v.vram_cpu_accessible_size),
                gtt_size: vg.map(|v| v.gtt_size),
                vram_usage: info.vram_usage().ok(),
                vis_vram_usage: info.vis_vram_usage().ok(),
                gtt_usage: info.gtt_usage().ok(),
                vram_type: vram_type_name(di.vram_type).to_string(),
                vram_bit_width: di.vram_bit_width,
            },
            sensors: SensorReport {
                sclk_mhz: sensor(AMDGPU_INFO_SENSOR_GFX_SCLK),
                mclk_mhz: sensor(AMDGPU_INFO_SENSOR_GFX_MCLK),
                temp_mc: sensor(AMDGPU_INFO_SENSOR_GPU_TEMP),
                load_pct: sensor(AMDGPU_INFO_SENSOR_GPU_LOAD),
                power_w: sensor(AMDGPU_INFO_SENSOR_GPU_AVG_POWER),
            },
            vbios: info.vbios_info().ok().map(|v| {
                format!(
                    "{} {} ({})",
                    cstr(&v.vbios_pn),
                    cstr(&v.vbios_ver_str),
                    cstr(&v.date)
                )
            }),
            firmware: info.firmware(),
            sysfs_mem: None,
        }
    }

    /// One JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// Human-readable text, one fact per line.
    pub fn to_text(&self) -> String {
        let mib = |v: Option<u64>| v.map_or("?".to_string(), |b| format!("{} MiB", b >> 20));
        let opt =
            |v: Option<u32>, unit: &str| v.map_or("n/a".to_string(), |x| format!("{x} {unit}"));
        let mut s = String::new();
        let _ = writeln!(s, "device:      {} ({})", self.marketing_name, self.node);
        let _ = writeln!(
            s,
            "pci:         1002:{:04x} rev {:02x}{}{}",
            self.device_id,
            self.pci_rev,
            self.pci_slot
                .as_deref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default(),
            if self.apu { " (APU)" } else { "" }
        );
        let _ = writeln!(
            s,
            "gfx target:  {} (chip {}, family {}, external rev {:#x})",
            self.gfx_target.as_deref().unwrap_or("unknown"),
            self.chip.as_deref().unwrap_or("unknown"),
            self.family,
            self.external_rev
        );
        let _ = writeln!(
            s,
            "driver:      {}",
            self.driver.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(
            s,
            "compute:     {} CUs ({} SE x {} SA x {} CU), {}",
            self.compute_units,
            self.shader_engines,
            self.shader_arrays_per_engine,
            self.cu_per_sh,
            wave_sizes(self.family, self.wave_front_size)
        );
        let _ = writeln!(
            s,
            "clocks:      max sclk {} MHz, max mclk {} MHz, timestamp {} kHz",
            self.max_sclk_mhz, self.max_mclk_mhz, self.gpu_counter_freq_khz
        );
        let m = &self.memory;
        let _ = writeln!(
            s,
            "vram:        {} {} ({}-bit), {} used; visible {} ({} used)",
            mib(m.vram_size),
            m.vram_type,
            m.vram_bit_width,
            mib(m.vram_usage),
            mib(m.vis_vram_size),
            mib(m.vis_vram_usage)
        );
        let _ = writeln!(
            s,
            "gtt:         {} ({} used)",
            mib(m.gtt_size),
            mib(m.gtt_usage)
        );
        if let Some(f) = &self.sysfs_mem {
            let _ = writeln!(
                s,
                "sysfs:       mem_info_vram_used {}, mem_info_vis_vram_used {}, mem_info_gtt_used {}",
                mib(f.vram_used),
                mib(f.vis_vram_used),
                mib(f.gtt_used)
            );
        }
        let _ = writeln!(
            s,
            "va window:   {:#x}..{:#x}",
            self.va_window.0, self.va_window.1
        );
        let t = &self.sensors;
        let _ = writeln!(
            s,
            "sensors:     sclk {}, mclk {}, temp {}, load {}, power {}",
            opt(t.sclk_mhz, "MHz"),
            opt(t.mclk_mhz, "MHz"),
            t.temp_mc
                .map_or("n/a".into(), |v| format!("{:.1} C", f64::from(v) / 1000.0)),
            opt(t.load_pct, "%"),
            opt(t.power_w, "W")
        );
        let _ = writeln!(s, "vbios:       {}", self.vbios.as_deref().unwrap_or("n/a"));
        let _ = writeln!(s, "firmware:");
        for f in &self.firmware {
            let name = if f.index > 0 {
                format!("{}{}", f.name, f.index + 1)
            } else {
                f.name.to_string()
            };
            match (f.version, f.feature) {
                (Some(v), Some(ft)) => {
                    let _ = writeln!(s, "  {name:<10} version {v:#010x}  feature {ft}");
                }
                _ => {
                    let _ = writeln!(
                        s,
                        "  {name:<10} n/a ({})",
                        f.errno.as_deref().unwrap_or("?")
                    );
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fake_amdgpu;

    #[test]
    fn report_of_a_fake_navi10() {
        let dev = Device::new(Box::new(fake_amdgpu())).unwrap();
        let r = DeviceReport::gather(&dev);
        assert_eq!(r.gfx_target.as_deref(), Some("gfx1010"));
        assert_eq!(r.marketing_name, "AMD Radeon RX 5700 XT");
        assert_eq!(
            (r.compute_units, r.max_sclk_mhz, r.max_mclk_mhz),
            (40, 1905, 875)
        );
        assert_eq!(r.memory.vram_size, Some(8 << 30));
        assert_eq!(r.memory.vram_type, "GDDR6");
        assert_eq!(r.sensors.temp_mc, Some(45_000));
        assert_eq!(r.sensors.power_w, Some(9));
        assert!(!r.apu);
        let text = r.to_text();
        assert!(
            text.contains("gfx target:  gfx1010 (chip NAVI10, family 143"),
            "{text}"
        );
        assert!(
            text.contains(
                "40 CUs (2 SE x 2 SA x 10 CU), wave32 and wave64 (DEV_INFO wave_front_size 64)"
            ),
            "{text}"
        );
        assert!(
            !text.contains("sysfs:"),
            "no sysfs counters for a non-sysfs device"
        );
        assert!(text.contains("MEC2"), "{text}");
        assert!(text.contains("VCE        n/a (EINVAL)"), "{text}");
        assert!(
            text.contains("vbios:       113-D1820201-101 017.001.000"),
            "{text}"
        );
        let j: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(j["gfx_target"], "gfx1010");
        assert_eq!(j["memory"]["gtt_size"], 16u64 << 30);
        assert_eq!(j["firmware"].as_array().unwrap().len(), FW_IDS.len() + 2);
    }
}
