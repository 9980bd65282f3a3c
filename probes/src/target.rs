//! What the probes run against: an opened device (real or simulated) and the
//! sysfs tree tier 0 inspects.

use amdgpu_kmd::Device;
use sim::{DeviceKind, OpenedDevice, SimHandle};
use std::path::PathBuf;

/// The device under test.
pub struct Target {
    /// The opened device; `None` when opening failed (tiers ≥ 1 then fail
    /// with `open_error`).
    pub device: Option<Device>,
    /// Why the device could not be opened.
    pub open_error: Option<String>,
    /// Simulator side door (dmesg, injection) when it is the simulator.
    pub sim: Option<SimHandle>,
    /// Human label: `sim:0 (simulator)`, `/dev/dri/renderD128`.
    pub label: String,
    /// `/sys` root (tests point it at a fake tree).
    pub sys_root: PathBuf,
}

impl Target {
    /// Opens `spec` (`auto|sim|PATH`) with [`sim::open_device`].
    pub fn open(spec: &str) -> Self {
        match sim::open_device(spec) {
            Ok(d) => Self::from_opened(d),
            Err(e) => Self {
                device: None,
                open_error: Some(format!("device {spec}: {e}")),
                sim: None,
                label: spec.to_string(),
                sys_root: PathBuf::from("/sys"),
            },
        }
    }

    /// Wraps an already opened device.
    pub fn from_opened(d: OpenedDevice) -> Self {
        let label = match &d.kind {
            DeviceKind::Sim => format!("{} (simulator)", d.device.node()),
            DeviceKind::SimFallback => {
                format!("{} (simulator: auto found no AMD GPU)", d.device.node())
            }
            DeviceKind::Real(n) => n.dev_path.display().to_string(),
            DeviceKind::Path(p) => p.clone(),
        };
        Self {
            device: Some(d.device),
            open_error: None,
            sim: d.sim,
            label,
            sys_root: PathBuf::from("/sys"),
        }
    }

    /// True when the device is the simulator.
    pub fn is_sim(&self) -> bool {
        self.sim.is_some()
    }

    /// The device, or the open error.
    pub fn dev(&self) -> anyhow::Result<&Device> {
        self.device.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "{}",
                self.open_error.as_deref().unwrap_or("no device opened")
            )
        })
    }
}
