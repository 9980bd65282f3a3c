//! `--device auto|sim|PATH`: the one switch between real hardware and the
//! simulator.

use amdgpu_kmd::sysfs::{RenderNode, Sysfs};
use amdgpu_kmd::Device;

use crate::{SimConfig, SimDriver, SimHandle};

/// Which kind of device was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceKind {
    /// A real render node.
    Real(RenderNode),
    /// A real node opened by explicit path.
    Path(String),
    /// The simulator, asked for by name.
    Sim,
    /// The simulator because `auto` found no discrete AMD GPU.
    SimFallback,
}

/// An opened device and how it was chosen.
pub struct OpenedDevice {
    /// The Device API over the chosen driver.
    pub device: Device,
    /// How it was chosen.
    pub kind: DeviceKind,
    /// Diagnostics handle when it is the simulator.
    pub sim: Option<SimHandle>,
}

impl OpenedDevice {
    /// The line the CLI prints on stderr for `auto` (None for explicit choices).
    pub fn notice(&self) -> Option<String> {
        match &self.kind {
            DeviceKind::SimFallback => {
                Some("device auto: no AMD GPU found, using the simulator".into())
            }
            DeviceKind::Real(n) => Some(format!(
                "device auto: {} (PCI {:04x}:{:04x} rev {:02x})",
                n.dev_path.display(),
                n.vendor,
                n.device,
                n.revision
            )),
            _ => None,
        }
    }

    /// True when running on the simulator.
    pub fn is_sim(&self) -> bool {
        self.sim.is_some()
    }
}

/// Opens the simulator with `cfg`.
pub fn open_sim(cfg: SimConfig) -> amdgpu_kmd::Result<OpenedDevice> {
    let drv = SimDriver::new(cfg);
    let h = drv.handle();
    Ok(OpenedDevice {
        device: Device::new(Box::new(drv))?,
        kind: DeviceKind::Sim,
        sim: Some(h),
    })
}

/// First discrete (non-APU) AMD render node in `sysfs`.
pub fn find_discrete(sysfs: &Sysfs) -> Option<RenderNode> {
    sysfs.amd_nodes().ok()?.into_iter().find(|n| !n.apu)
}

/// `auto` = first render node whose sysfs vendor is 0x1002 and that is not an
/// APU, else the simulator; `sim`; or a render-node path.
pub fn open_device(spec: &str) -> amdgpu_kmd::Result<OpenedDevice> {
    open_device_with(spec, &Sysfs::system(), SimConfig::default())
}

/// [`open_device`] with an explicit sysfs root and simulator configuration.
pub fn open_device_with(
    spec: &str,
    sysfs: &Sysfs,
    cfg: SimConfig,
) -> amdgpu_kmd::Result<OpenedDevice> {
    match spec {
        "sim" => open_sim(cfg),
        "auto" => match find_discrete(sysfs) {
            Some(n) => Ok(OpenedDevice {
                device: Device::open(&n.dev_path)?,
                kind: DeviceKind::Real(n),
                sim: None,
            }),
            None => {
                let mut d = open_sim(cfg)?;
                d.kind = DeviceKind::SimFallback;
                Ok(d)
            }
        },
        path => Ok(OpenedDevice {
            device: Device::open(path)?,
            kind: DeviceKind::Path(path.into()),
            sim: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_falls_back_to_the_simulator_without_amd_nodes() {
        let root = std::env::temp_dir().join(format!("sim-sysfs-empty-{}", std::process::id()));
        std::fs::create_dir_all(root.join("class/drm")).unwrap();
        let d = open_device_with(
            "auto",
            &Sysfs::with_roots(&root, &root),
            SimConfig::default(),
        )
        .unwrap();
        assert_eq!(d.kind, DeviceKind::SimFallback);
        assert_eq!(
            d.notice().unwrap(),
            "device auto: no AMD GPU found, using the simulator"
        );
        assert_eq!(d.device.node(), "sim:0");
        assert_eq!(d.device.dev_info().device_id, 0x731F);
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn bad_path_is_an_error() {
        assert!(open_device("/nonexistent/renderD999").is_err());
    }
}
