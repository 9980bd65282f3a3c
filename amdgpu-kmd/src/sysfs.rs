//! Render-node enumeration through sysfs: `/sys/class/drm/renderD*/device/`
//! `{vendor,device,revision,uevent}`. The roots are injectable so tests run
//! on a fake tree.

use crate::chips::{is_apu_pci_id, PCI_VENDOR_ATI};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// One DRM render node and the PCI device behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderNode {
    /// `renderD128`.
    pub name: String,
    /// `/dev/dri/renderD128`.
    pub dev_path: PathBuf,
    /// PCI vendor id.
    pub vendor: u32,
    /// PCI device id.
    pub device: u32,
    /// PCI revision id.
    pub revision: u32,
    /// PCI slot (`0000:03:00.0`) from uevent `PCI_SLOT_NAME`.
    pub pci_slot: Option<String>,
    /// Kernel driver from uevent `DRIVER`.
    pub driver: Option<String>,
    /// True when the PCI id is a known APU / integrated GPU.
    pub apu: bool,
}

impl RenderNode {
    /// An AMD node bound to amdgpu (or with an unknown driver).
    pub fn is_amdgpu(&self) -> bool {
        self.vendor == PCI_VENDOR_ATI && self.driver.as_deref().is_none_or(|d| d == "amdgpu")
    }
}

/// The amdgpu memory-manager counters in sysfs, bytes (None when a file is absent):
/// `mem_info_{vram,vis_vram,gtt}_{total,used}` under `/sys/class/drm/renderD*/device/`
/// (amdgpu_vram_mgr.c `amdgpu_mem_info_vram_used_show`, amdgpu_gtt_mgr.c
/// `amdgpu_mem_info_gtt_used_show`). They count every process's BOs, unlike INFO
/// VRAM_USAGE which is the same global counter read through the ioctl.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MemInfo {
    /// `mem_info_vram_total`.
    pub vram_total: Option<u64>,
    /// `mem_info_vram_used`.
    pub vram_used: Option<u64>,
    /// `mem_info_vis_vram_used`.
    pub vis_vram_used: Option<u64>,
    /// `mem_info_gtt_total`.
    pub gtt_total: Option<u64>,
    /// `mem_info_gtt_used`.
    pub gtt_used: Option<u64>,
}

/// Where to look: sysfs root and the device directory.
#[derive(Clone, Debug)]
pub struct Sysfs {
    /// Usually `/sys`.
    pub sys_root: PathBuf,
    /// Usually `/dev/dri`.
    pub dev_dir: PathBuf,
}

impl Default for Sysfs {
    fn default() -> Self {
        Self {
            sys_root: "/sys".into(),
            dev_dir: "/dev/dri".into(),
        }
    }
}

fn read_hex(path: &Path) -> Option<u32> {
    let s = std::fs::read_to_string(path).ok()?;
    let s = s.trim();
    u32::from_str_radix(s.strip_prefix("0x").unwrap_or(s), 16).ok()
}

impl Sysfs {
    /// The real system.
    pub fn system() -> Self {
        Self::default()
    }

    /// A fake tree (tests).
    pub fn with_roots(sys_root: impl Into<PathBuf>, dev_dir: impl Into<PathBuf>) -> Self {
        Self {
            sys_root: sys_root.into(),
            dev_dir: dev_dir.into(),
        }
    }

    /// `<sys_root>/class/drm`.
    pub fn drm_class_dir(&self) -> PathBuf {
        self.sys_root.join("class/drm")
    }

    /// Every render node with readable PCI ids, sorted by name (so by minor).
    pub fn render_nodes(&self) -> Result<Vec<RenderNode>> {
        let dir = self.drm_class_dir();
        let rd = std::fs::read_dir(&dir)
            .map_err(|e| Error::NoDevice(format!("cannot read {}: {e}", dir.display())))?;
        let mut nodes = Vec::new();
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("renderD") {
                continue;
            }
            let dev = entry.path().join("device");
            let (Some(vendor), Some(device)) =
                (read_hex(&dev.join("vendor")), read_hex(&dev.join("device")))
            else {
                continue;
            };
            let revision = read_hex(&dev.join("revision")).unwrap_or(0);
            let uevent = std::fs::read_to_string(dev.join("uevent")).unwrap_or_default();
            let field = |k: &str| {
                uevent.lines().find_map(|l| {
                    l.strip_prefix(k)
                        .and_then(|v| v.strip_prefix('='))
                        .map(str::to_string)
                })
            };
            nodes.push(RenderNode {
                dev_path: self.dev_dir.join(&name),
                apu: vendor == PCI_VENDOR_ATI && is_apu_pci_id(device),
                name,
                vendor,
                device,
                revision,
                pci_slot: field("PCI_SLOT_NAME"),
                driver: field("DRIVER"),
            });
        }
        // renderD128 < renderD129 < renderD1000: sort by the number.
        nodes.sort_by_key(|n| (n.name.len(), n.name.clone()));
        Ok(nodes)
    }

    /// The `mem_info_*` counters of render node `name` (`renderD128`); all None when the
    /// node has none (not amdgpu, or no such node).
    pub fn mem_info(&self, name: &str) -> MemInfo {
        let dev = self.drm_class_dir().join(name).join("device");
        let read = |f: &str| {
            std::fs::read_to_string(dev.join(f))
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
        };
        MemInfo {
            vram_total: read("mem_info_vram_total"),
            vram_used: read("mem_info_vram_used"),
            vis_vram_used: read("mem_info_vis_vram_used"),
            gtt_total: read("mem_info_gtt_total"),
            gtt_used: read("mem_info_gtt_used"),
        }
    }

    /// AMD render nodes, discrete GPUs first (stable within each group).
    pub fn amd_nodes(&self) -> Result<Vec<RenderNode>> {
        let mut v: Vec<_> = self
            .render_nodes()?
            .into_iter()
            .filter(RenderNode::is_amdgpu)
            .collect();
        v.sort_by_key(|n| n.apu);
        Ok(v)
    }

    /// The node `--device auto` picks: the first discrete AMD GPU, else the
    /// first AMD APU. `Err(NoDevice)` names where it looked.
    pub fn select_auto(&self) -> Result<RenderNode> {
        let nodes = self.amd_nodes().unwrap_or_default();
        nodes.into_iter().next().ok_or_else(|| {
            Error::NoDevice(format!(
                "no AMD GPU render node found (looked in {} for renderD* with vendor 0x1002)",
                self.drm_class_dir().display()
            ))
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a fake `/sys/class/drm` tree; returns its root.
    pub(crate) fn fake_tree(tag: &str, nodes: &[(&str, u32, u32, u32, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("rocless-sysfs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for &(name, vendor, device, rev, driver) in nodes {
            let d = root.join("class/drm").join(name).join("device");
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("vendor"), format!("0x{vendor:04x}\n")).unwrap();
            std::fs::write(d.join("device"), format!("0x{device:04x}\n")).unwrap();
            std::fs::write(d.join("revision"), format!("0x{rev:02x}\n")).unwrap();
            let uevent = format!(
                "DRIVER={driver}\nPCI_CLASS=30000\nPCI_SLOT_NAME=0000:0{}:00.0\n",
                name.len() % 10
            );
            std::fs::write(d.join("uevent"), uevent).unwrap();
        }
        std::fs::create_dir_all(root.join("class/drm/card0")).unwrap();
        root
    }

    #[test]
    fn discrete_preferred_over_apu() {
        let root = fake_tree(
            "mix",
            &[
                ("renderD128", 0x1002, 0x15DD, 0xC3, "amdgpu"), // Raven APU first
                ("renderD129", 0x10DE, 0x2204, 0xA1, "nvidia"),
                ("renderD130", 0x1002, 0x731F, 0xC1, "amdgpu"), // RX 5700 XT
            ],
        );
        let s = Sysfs::with_roots(&root, "/dev/dri");
        let all = s.render_nodes().unwrap();
        assert_eq!(all.len(), 3);
        assert!(all[0].apu && !all[2].apu);
        assert_eq!(all[2].pci_slot.as_deref(), Some("0000:00:00.0"));
        let pick = s.select_auto().unwrap();
        assert_eq!(pick.name, "renderD130");
        assert_eq!((pick.device, pick.revision), (0x731F, 0xC1));
        assert_eq!(pick.dev_path, PathBuf::from("/dev/dri/renderD130"));
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn mem_info_reads_the_amdgpu_counters() {
        let root = fake_tree("meminfo", &[("renderD128", 0x1002, 0x731F, 0xC1, "amdgpu")]);
        let d = root.join("class/drm/renderD128/device");
        std::fs::write(d.join("mem_info_vram_total"), "8573157376\n").unwrap();
        std::fs::write(d.join("mem_info_vram_used"), "1246674944\n").unwrap();
        std::fs::write(d.join("mem_info_gtt_used"), "garbage\n").unwrap();
        let m = Sysfs::with_roots(&root, "/d").mem_info("renderD128");
        assert_eq!(m.vram_total, Some(8573157376));
        assert_eq!(m.vram_used, Some(1246674944));
        assert_eq!(m.gtt_used, None, "unparsable counts as absent");
        assert_eq!(m.vis_vram_used, None);
        let none = Sysfs::with_roots(&root, "/d").mem_info("renderD999");
        assert_eq!(none, MemInfo::default());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn apu_only_and_none() {
        let root = fake_tree("apu", &[("renderD128", 0x1002, 0x1636, 0xC1, "amdgpu")]);
        assert!(Sysfs::with_roots(&root, "/d").select_auto().unwrap().apu);
        std::fs::remove_dir_all(&root).unwrap();
        let root = fake_tree("none", &[("renderD128", 0x8086, 0x3E92, 0, "i915")]);
        let err = Sysfs::with_roots(&root, "/d")
            .select_auto()
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("no AMD GPU render node found (looked in "),
            "{err}"
        );
        std::fs::remove_dir_all(&root).unwrap();
        let missing = Sysfs::with_roots("/nonexistent-rocless", "/d");
        assert!(missing.render_nodes().is_err());
        assert!(missing.select_auto().is_err());
    }
}
