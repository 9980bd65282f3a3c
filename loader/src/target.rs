//! AMDGPU processors (`EF_AMDGPU_MACH_*`), target features in `e_flags` and code-object
//! versions (`EI_ABIVERSION`).
//!
//! Values from LLVM `llvm/include/llvm/BinaryFormat/ELF.h` (the `EF_AMDGPU_*` enum) and
//! AMDGPUUsage "ELF Header" / "AMDGPU ELF Header e_flags" tables.

use crate::error::{Error, Result};
use serde::Serialize;

/// `EF_AMDGPU_MACH`: processor selection mask.
pub const EF_AMDGPU_MACH: u32 = 0x0ff;
/// `EF_AMDGPU_FEATURE_XNACK_V3`.
pub const EF_AMDGPU_FEATURE_XNACK_V3: u32 = 0x100;
/// `EF_AMDGPU_FEATURE_SRAMECC_V3`.
pub const EF_AMDGPU_FEATURE_SRAMECC_V3: u32 = 0x200;
/// `EF_AMDGPU_FEATURE_XNACK_V4` selection mask.
pub const EF_AMDGPU_FEATURE_XNACK_V4: u32 = 0x300;
/// `EF_AMDGPU_FEATURE_SRAMECC_V4` selection mask.
pub const EF_AMDGPU_FEATURE_SRAMECC_V4: u32 = 0xc00;
/// `EF_AMDGPU_GENERIC_VERSION` (code object v6+).
pub const EF_AMDGPU_GENERIC_VERSION: u32 = 0xff00_0000;
/// `EF_AMDGPU_GENERIC_VERSION_OFFSET`.
pub const EF_AMDGPU_GENERIC_VERSION_OFFSET: u32 = 24;

/// GPU generation, used to pick generation-dependent tables (descriptor fields, occupancy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Gen {
    /// GCN 6..9 (gfx6xx..gfx9xx).
    Gcn,
    /// RDNA1: gfx1010..gfx1013.
    Gfx10_1,
    /// RDNA2: gfx1030..gfx1036.
    Gfx10_3,
    /// RDNA3: gfx11xx.
    Gfx11,
    /// RDNA4: gfx12xx.
    Gfx12,
}

/// One `EF_AMDGPU_MACH_AMDGCN_*` processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mach {
    /// LLVM processor name (`gfx1010`, `gfx10-1-generic`).
    pub name: &'static str,
    /// `e_flags & EF_AMDGPU_MACH`.
    pub value: u32,
    /// Generation.
    pub gen: Gen,
    /// For a generic target, the processors it runs on; empty otherwise.
    #[serde(skip)]
    pub generic_of: &'static [&'static str],
}

const fn m(name: &'static str, value: u32, gen: Gen) -> Mach {
    Mach {
        name,
        value,
        gen,
        generic_of: &[],
    }
}

/// All AMDGCN processors of LLVM's ELF.h (R600 values are refused: not HSA targets).
pub const MACHS: &[Mach] = &[
    m("gfx600", 0x020, Gen::Gcn),
    m("gfx601", 0x021, Gen::Gcn),
    m("gfx700", 0x022, Gen::Gcn),
    m("gfx701", 0x023, Gen::Gcn),
    m("gfx702", 0x024, Gen::Gcn),
    m("gfx703", 0x025, Gen::Gcn),
    m("gfx704", 0x026, Gen::Gcn),
    m("gfx801", 0x028, Gen::Gcn),
    m("gfx802", 0x029, Gen::Gcn),
    m("gfx803", 0x02a, Gen::Gcn),
    m("gfx810", 0x02b, Gen::Gcn),
    m("gfx900", 0x02c, Gen::Gcn),
    m("gfx902", 0x02d, Gen::Gcn),
    m("gfx904", 0x02e, Gen::Gcn),
    m("gfx906", 0x02f, Gen::Gcn),
    m("gfx908", 0x030, Gen::Gcn),
    m("gfx909", 0x031, Gen::Gcn),
    m("gfx90c", 0x032, Gen::Gcn),
    m("gfx1010", 0x033, Gen::Gfx10_1),
    m("gfx1011", 0x034, Gen::Gfx10_1),
    m("gfx1012", 0x035, Gen::Gfx10_1),
    m("gfx1030", 0x036, Gen::Gfx10_3),
    m("gfx1031", 0x037, Gen::Gfx10_3),
    m("gfx1032", 0x038, Gen::Gfx10_3),
    m("gfx1033", 0x039, Gen::Gfx10_3),
    m("gfx602", 0x03a, Gen::Gcn),
    m("gfx705", 0x03b, Gen::Gcn),
    m("gfx805", 0x03c, Gen::Gcn),
    m("gfx1035", 0x03d, Gen::Gfx10_3),
    m("gfx1034", 0x03e, Gen::Gfx10_3),
    m("gfx90a", 0x03f, Gen::Gcn),
    m("gfx940", 0x040, Gen::Gcn),
    m("gfx1100", 0x041, Gen::Gfx11),
    m("gfx1013", 0x042, Gen::Gfx10_1),
    m("gfx1150", 0x043, Gen::Gfx11),
    m("gfx1103", 0x044, Gen::Gfx11),
    m("gfx1036", 0x045, Gen::Gfx10_3),
    m("gfx1101", 0x046, Gen::Gfx11),
    m("gfx1102", 0x047, Gen::Gfx11),
    m("gfx1200", 0x048, Gen::Gfx12),
    m("gfx1250", 0x049, Gen::Gfx12),
    m("gfx1151", 0x04a, Gen::Gfx11),
    m("gfx941", 0x04b, Gen::Gcn),
    m("gfx942", 0x04c, Gen::Gcn),
    m("gfx1201", 0x04e, Gen::Gfx12),
    m("gfx950", 0x04f, Gen::Gcn),
    Mach {
        name: "gfx9-generic",
        value: 0x051,
        gen: Gen::Gcn,
        generic_of: &["gfx900", "gfx902", "gfx904", "gfx906", "gfx909", "gfx90c"],
    },
    Mach {
        name: "gfx10-1-generic",
        value: 0x052,
        gen: Gen::Gfx10_1,
        generic_of: &["gfx1010", "gfx1011", "gfx1012", "gfx1013"],
    },
    Mach {
        name: "gfx10-3-generic",
        value: 0x053,
        gen: Gen::Gfx10_3,
        generic_of: &[
            "gfx1030", "gfx1031", "gfx1032", "gfx1033", "gfx1034", "gfx1035", "gfx1036",
        ],
    },
    Mach {
        name: "gfx11-generic",
        value: 0x054,
        gen: Gen::Gfx11,
        generic_of: &[
            "gfx1100", "gfx1101", "gfx1102", "gfx1103", "gfx1150", "gfx1151", "gfx1152", "gfx1153",
        ],
    },
    m("gfx1152", 0x055, Gen::Gfx11),
    m("gfx1153", 0x058, Gen::Gfx11),
    Mach {
        name: "gfx12-generic",
        value: 0x059,
        gen: Gen::Gfx12,
        generic_of: &["gfx1200", "gfx1201"],
    },
    Mach {
        name: "gfx9-4-generic",
        value: 0x05f,
        gen: Gen::Gcn,
        generic_of: &["gfx940", "gfx941", "gfx942", "gfx950"],
    },
];

impl Mach {
    /// Looks a processor up by its `EF_AMDGPU_MACH` value.
    pub fn from_value(value: u32) -> Option<Mach> {
        MACHS.iter().copied().find(|m| m.value == value)
    }

    /// Looks a processor up by name (`gfx1010`; a target-id suffix `:xnack-` is ignored).
    pub fn from_name(name: &str) -> Result<Mach> {
        let base = name.split(':').next().unwrap_or(name);
        MACHS
            .iter()
            .copied()
            .find(|m| m.name == base)
            .ok_or_else(|| Error::UnknownProcessor(name.to_string()))
    }

    /// True if code built for `self` runs on `device` (same processor, or a generic
    /// target that lists it).
    pub fn runs_on(&self, device: &Mach) -> bool {
        self.value == device.value || self.generic_of.contains(&device.name)
    }
}

/// Code-object version, from `EI_ABIVERSION` (AMDGPUUsage "ELF Header":
/// `ELFABIVERSION_AMDGPU_HSA_V3` = 1 ... `_V6` = 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CodeObjectVersion(pub u8);

impl CodeObjectVersion {
    /// From the `EI_ABIVERSION` byte. V2 (0) used YAML metadata and is not supported.
    pub fn from_abi_version(abi: u8) -> Option<Self> {
        match abi {
            1..=4 => Some(CodeObjectVersion(abi + 2)),
            _ => None,
        }
    }
}

/// Setting of a target feature (xnack, sramecc) as recorded in `e_flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureSetting {
    /// The processor does not support the feature.
    Unsupported,
    /// Code works with the feature on or off.
    Any,
    /// Code requires the feature off (`xnack-`).
    Off,
    /// Code requires the feature on (`xnack+`).
    On,
}

impl FeatureSetting {
    fn from_v4(bits: u32) -> Self {
        match bits {
            0 => FeatureSetting::Unsupported,
            1 => FeatureSetting::Any,
            2 => FeatureSetting::Off,
            _ => FeatureSetting::On,
        }
    }

    /// Target-id suffix (`:xnack+`) or empty.
    fn suffix(self, name: &str) -> String {
        match self {
            FeatureSetting::On => format!(":{name}+"),
            FeatureSetting::Off => format!(":{name}-"),
            _ => String::new(),
        }
    }
}

/// Decoded `e_flags` of an AMDGPU HSA code object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Processor.
    pub mach: Mach,
    /// XNACK (page-fault replay) setting.
    pub xnack: FeatureSetting,
    /// SRAM ECC setting.
    pub sramecc: FeatureSetting,
    /// Generic-target version (v6+, 0 otherwise).
    pub generic_version: u8,
    /// Raw `e_flags`.
    pub e_flags: u32,
}

impl Target {
    /// Decodes `e_flags` for the given code-object version. In v3 xnack/sramecc are single
    /// "on" bits; from v4 they are two-bit selections (unsupported/any/off/on).
    pub fn from_e_flags(e_flags: u32, version: CodeObjectVersion) -> Result<Self> {
        let mach_value = e_flags & EF_AMDGPU_MACH;
        let mach = Mach::from_value(mach_value).ok_or_else(|| Error::Header {
            field: "e_flags",
            offset: 0x30,
            detail: format!(
                "unknown EF_AMDGPU_MACH {mach_value:#x} (e_flags {e_flags:#x}); not an AMDGCN processor"
            ),
        })?;
        let (xnack, sramecc) = if version.0 <= 3 {
            let on = |bit| {
                if e_flags & bit != 0 {
                    FeatureSetting::On
                } else {
                    FeatureSetting::Any
                }
            };
            (
                on(EF_AMDGPU_FEATURE_XNACK_V3),
                on(EF_AMDGPU_FEATURE_SRAMECC_V3),
            )
        } else {
            (
                FeatureSetting::from_v4((e_flags & EF_AMDGPU_FEATURE_XNACK_V4) >> 8),
                FeatureSetting::from_v4((e_flags & EF_AMDGPU_FEATURE_SRAMECC_V4) >> 10),
            )
        };
        let generic_version = if version.0 >= 6 {
            ((e_flags & EF_AMDGPU_GENERIC_VERSION) >> EF_AMDGPU_GENERIC_VERSION_OFFSET) as u8
        } else {
            0
        };
        Ok(Target {
            mach,
            xnack,
            sramecc,
            generic_version,
            e_flags,
        })
    }

    /// LLVM target-id (`gfx1010`, `gfx90a:sramecc+:xnack-`), the processor part of
    /// `amdhsa.target`.
    pub fn target_id(&self) -> String {
        format!(
            "{}{}{}",
            self.mach.name,
            self.sramecc.suffix("sramecc"),
            self.xnack.suffix("xnack")
        )
    }

    /// Refuses code built for another processor unless `force`: the error names both
    /// (`code object is gfx1030, device is gfx1010`).
    pub fn check_device(&self, device: &Mach, force: bool) -> Result<()> {
        if force || self.mach.runs_on(device) {
            Ok(())
        } else {
            Err(Error::TargetMismatch {
                code: self.mach.name.to_string(),
                device: device.name.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mach_values_are_unique_and_named() {
        for (i, a) in MACHS.iter().enumerate() {
            for b in &MACHS[i + 1..] {
                assert_ne!(a.value, b.value, "{} vs {}", a.name, b.name);
                assert_ne!(a.name, b.name);
            }
        }
        assert_eq!(Mach::from_name("gfx1010").unwrap().value, 0x33);
        assert_eq!(Mach::from_name("gfx1030").unwrap().value, 0x36);
        assert_eq!(Mach::from_name("gfx1100").unwrap().value, 0x41);
        assert_eq!(Mach::from_name("gfx1010:xnack-").unwrap().name, "gfx1010");
        assert!(Mach::from_name("gfx9999").is_err());
    }

    #[test]
    fn eflags_v4_features() {
        let v5 = CodeObjectVersion(5);
        let t = Target::from_e_flags(0x133, v5).unwrap();
        assert_eq!(t.mach.name, "gfx1010");
        assert_eq!(t.xnack, FeatureSetting::Any);
        assert_eq!(t.sramecc, FeatureSetting::Unsupported);
        let t = Target::from_e_flags(0x33 | 0x300 | 0x800, v5).unwrap();
        assert_eq!(t.target_id(), "gfx1010:sramecc-:xnack+");
        let t3 = Target::from_e_flags(0x33 | 0x100, CodeObjectVersion(3)).unwrap();
        assert_eq!(t3.xnack, FeatureSetting::On);
        let t6 = Target::from_e_flags(0x0100_0052, CodeObjectVersion(6)).unwrap();
        assert_eq!(t6.generic_version, 1);
        assert_eq!(t6.mach.name, "gfx10-1-generic");
        assert!(Target::from_e_flags(0x01, v5).is_err());
    }

    #[test]
    fn target_check_names_both() {
        let code = Target::from_e_flags(0x36, CodeObjectVersion(5)).unwrap();
        let dev = Mach::from_name("gfx1010").unwrap();
        let err = code.check_device(&dev, false).unwrap_err().to_string();
        assert!(
            err.contains("code object is gfx1030, device is gfx1010"),
            "{err}"
        );
        assert!(code.check_device(&dev, true).is_ok());
        let generic = Target::from_e_flags(0x52, CodeObjectVersion(6)).unwrap();
        assert!(generic.check_device(&dev, false).is_ok());
        assert!(generic
            .check_device(&Mach::from_name("gfx1030").unwrap(), false)
            .is_err());
    }

    #[test]
    fn code_object_versions() {
        assert_eq!(
            CodeObjectVersion::from_abi_version(2),
            Some(CodeObjectVersion(4))
        );
        assert_eq!(
            CodeObjectVersion::from_abi_version(3),
            Some(CodeObjectVersion(5))
        );
        assert_eq!(
            CodeObjectVersion::from_abi_version(4),
            Some(CodeObjectVersion(6))
        );
        assert_eq!(CodeObjectVersion::from_abi_version(0), None);
    }
}
