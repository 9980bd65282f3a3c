//! Chip identification: gfx target from DEV_INFO `family` + `external_rev`
//! (Mesa `src/amd/common/ac_gpu_info.c`, `ac_query_gpu_info` → `identify_chip`
//! with the revision ranges of `src/amd/addrlib/src/amdgpu_asic_addr.h`),
//! APU detection and marketing names by PCI id + revision (libdrm
//! `data/amdgpu.ids`, 2.4.114, the file libdrm's `amdgpu_get_marketing_name`
//! reads; the installed copy at [`AMDGPU_IDS_PATH`] is consulted first).

use crate::uapi::*;

/// AMD/ATI PCI vendor id.
pub const PCI_VENDOR_ATI: u32 = 0x1002;

/// Where libdrm installs its marketing-name table.
pub const AMDGPU_IDS_PATH: &str = "/usr/share/libdrm/amdgpu.ids";

/// Start of the flat LDS ("shared") aperture the amdgpu kernel programs into SH_MEM_BASES
/// for render-node contexts on gfx9–gfx12 (`adev->gmc.shared_aperture_start`,
/// gmc_v10_0.c `gmc_v10_0_early_init`; KFD uses the opposite layout). Kernels learn it from
/// the COV5 hidden argument `shared_base` (high dword) or `s_getreg SH_MEM_BASES`.
pub const SHARED_APERTURE_BASE: u64 = 0x2000_0000_0000_0000;
/// Start of the flat private (scratch) aperture (`adev->gmc.private_aperture_start`).
pub const PRIVATE_APERTURE_BASE: u64 = 0x1000_0000_0000_0000;

/// One chip: `(family, external_rev range)` → name and LLVM gfx target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chip {
    /// Mesa's chip name (`NAVI10`).
    pub name: &'static str,
    /// LLVM processor (`gfx1010`).
    pub gfx_target: &'static str,
    /// True for APUs (integrated graphics).
    pub apu: bool,
}

struct ChipRange {
    family: u32,
    rev: (u32, u32),
    chip: Chip,
}

const fn c(
    family: u32,
    lo: u32,
    hi: u32,
    name: &'static str,
    gfx: &'static str,
    apu: bool,
) -> ChipRange {
    ChipRange {
        family,
        rev: (lo, hi),
        chip: Chip {
            name,
            gfx_target: gfx,
            apu,
        },
    }
}

/// `AMDGPU_*_RANGE` of amdgpu_asic_addr.h per family (lo <= rev < hi).
const CHIPS: &[ChipRange] = &[
    c(AMDGPU_FAMILY_AI, 0x01, 0x14, "VEGA10", "gfx900", false),
    c(AMDGPU_FAMILY_AI, 0x14, 0x28, "VEGA12", "gfx904", false),
    c(AMDGPU_FAMILY_AI, 0x28, 0x31, "VEGA20", "gfx906", false),
    c(AMDGPU_FAMILY_RV, 0x01, 0x81, "RAVEN", "gfx902", true),
    c(AMDGPU_FAMILY_RV, 0x81, 0x90, "RAVEN2", "gfx909", true),
    c(AMDGPU_FAMILY_RV, 0x91, 0xFF, "RENOIR", "gfx90c", true),
    c(AMDGPU_FAMILY_NV, 0x01, 0x0A, "NAVI10", "gfx1010", false),
    c(AMDGPU_FAMILY_NV, 0x0A, 0x14, "NAVI12", "gfx1011", false),
    c(AMDGPU_FAMILY_NV, 0x14, 0x28, "NAVI14", "gfx1012", false),
    c(AMDGPU_FAMILY_NV, 0x28, 0x32, "NAVI21", "gfx1030", false),
    c(AMDGPU_FAMILY_NV, 0x32, 0x3C, "NAVI22", "gfx1031", false),
    c(AMDGPU_FAMILY_NV, 0x3C, 0x46, "NAVI23", "gfx1032", false),
    c(AMDGPU_FAMILY_NV, 0x46, 0x50, "NAVI24", "gfx1034", false),
    c(AMDGPU_FAMILY_NV, 0x84, 0x85, "GFX1013", "gfx1013", true),
    c(AMDGPU_FAMILY_VGH, 0x01, 0xFF, "VANGOGH", "gfx1033", true),
    c(AMDGPU_FAMILY_YC, 0x01, 0xFF, "REMBRANDT", "gfx1035", true),
    c(
        AMDGPU_FAMILY_GC_10_3_6,
        0x01,
        0xFF,
        "RAPHAEL_MENDOCINO",
        "gfx1036",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_10_3_7,
        0x01,
        0xFF,
        "RAPHAEL_MENDOCINO",
        "gfx1037",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_11_0_0,
        0x01,
        0x10,
        "NAVI31",
        "gfx1100",
        false,
    ),
    c(
        AMDGPU_FAMILY_GC_11_0_0,
        0x10,
        0x20,
        "NAVI33",
        "gfx1102",
        false,
    ),
    c(
        AMDGPU_FAMILY_GC_11_0_0,
        0x20,
        0xFF,
        "NAVI32",
        "gfx1101",
        false,
    ),
    c(
        AMDGPU_FAMILY_GC_11_0_1,
        0x01,
        0x80,
        "PHOENIX1",
        "gfx1103",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_11_0_1,
        0x80,
        0xC0,
        "PHOENIX2",
        "gfx1103",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_11_0_1,
        0xC0,
        0xFF,
        "HAWK_POINT",
        "gfx1103",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_11_5_0,
        0x01,
        0x40,
        "STRIX1",
        "gfx1150",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_11_5_0,
        0x40,
        0x50,
        "KRACKAN1",
        "gfx1152",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_11_5_0,
        0x50,
        0xC0,
        "GFX1153",
        "gfx1153",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_11_5_0,
        0xC0,
        0xFF,
        "STRIX_HALO",
        "gfx1151",
        true,
    ),
    c(
        AMDGPU_FAMILY_GC_12_0_0,
        0x40,
        0x50,
        "GFX1200",
        "gfx1200",
        false,
    ),
    c(
        AMDGPU_FAMILY_GC_12_0_0,
        0x50,
        0xFF,
        "GFX1201",
        "gfx1201",
        false,
    ),
];

/// Identifies the chip from DEV_INFO `family` and `external_rev`.
pub fn identify(family: u32, external_rev: u32) -> Option<Chip> {
    CHIPS
        .iter()
        .find(|r| r.family == family && (r.rev.0..r.rev.1).contains(&external_rev))
        .map(|r| r.chip)
}

/// PCI device ids of APUs (integrated GPUs) with amdgpu support, by chip.
/// From the kernel's `amdgpu_drv.c` `pciidlist` (AMD_IS_APU entries) and
/// libdrm amdgpu.ids; used before a node is opened so `auto` skips iGPUs.
const APU_PCI_IDS: &[(u32, &str)] = &[
    (0x9874, "CARRIZO"),
    (0x98E4, "STONEY"),
    (0x15DD, "RAVEN"),
    (0x15D8, "PICASSO"),
    (0x1636, "RENOIR"),
    (0x1638, "CEZANNE"),
    (0x164C, "LUCIENNE"),
    (0x15E7, "BARCELO"),
    (0x163F, "VANGOGH"),
    (0x1681, "REMBRANDT"),
    (0x164D, "REMBRANDT"),
    (0x164E, "RAPHAEL"),
    (0x1506, "MENDOCINO"),
    (0x13C0, "GRANITE_RIDGE"),
    (0x15BF, "PHOENIX1"),
    (0x15C8, "PHOENIX2"),
    (0x1900, "HAWK_POINT"),
    (0x1901, "HAWK_POINT"),
    (0x150E, "STRIX1"),
    (0x1586, "STRIX_HALO"),
    (0x13FE, "CYAN_SKILLFISH"),
    (0x143F, "CYAN_SKILLFISH2"),
];

/// Kaveri / Kabini / Mullins APU id ranges (amdgpu_drv.c, CHIP_KAVERI/KABINI/MULLINS).
const APU_PCI_RANGES: &[(u32, u32)] = &[(0x1304, 0x131D), (0x9830, 0x983F), (0x9850, 0x985F)];

/// True when the PCI device id is a known AMD APU.
pub fn is_apu_pci_id(device: u32) -> bool {
    APU_PCI_IDS.iter().any(|&(id, _)| id == device)
        || APU_PCI_RANGES
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&device))
}

/// Built-in marketing names (subset of libdrm amdgpu.ids 2.4.114, which
/// predates Navi 3x; those get the per-device-id names below).
const MARKETING: &[(u32, u32, &str)] = &[
    (0x7312, 0x00, "AMD Radeon Pro W5700"),
    (0x731F, 0xC0, "AMD Radeon RX 5700 XT 50th Anniversary"),
    (0x731F, 0xC1, "AMD Radeon RX 5700 XT"),
    (0x731F, 0xC2, "AMD Radeon RX 5600M"),
    (0x731F, 0xC3, "AMD Radeon RX 5700M"),
    (0x731F, 0xC4, "AMD Radeon RX 5700"),
    (0x731F, 0xC5, "AMD Radeon RX 5700 XT"),
    (0x731F, 0xCA, "AMD Radeon RX 5600 XT"),
    (0x731F, 0xCB, "AMD Radeon RX 5600 OEM"),
    (0x7340, 0xC1, "AMD Radeon RX 5500M"),
    (0x7340, 0xC3, "AMD Radeon RX 5300M"),
    (0x7340, 0xC5, "AMD Radeon RX 5500 XT"),
    (0x7340, 0xC7, "AMD Radeon RX 5500"),
    (0x7340, 0xC9, "AMD Radeon RX 5500XTB"),
    (0x7340, 0xCF, "AMD Radeon RX 5300"),
    (0x7341, 0x00, "AMD Radeon Pro W5500"),
    (0x7347, 0x00, "AMD Radeon Pro W5500M"),
    (0x7360, 0x41, "AMD Radeon Pro 5600M"),
    (0x7360, 0xC3, "AMD Radeon Pro V520"),
    (0x73A3, 0x00, "AMD Radeon Pro W6800"),
    (0x73A5, 0xC0, "AMD Radeon RX 6950 XT"),
    (0x73AF, 0xC0, "AMD Radeon RX 6900 XT"),
    (0x73BF, 0xC0, "AMD Radeon RX 6900 XT"),
    (0x73BF, 0xC1, "AMD Radeon RX 6800 XT"),
    (0x73BF, 0xC3, "AMD Radeon RX 6800"),
    (0x73DF, 0xC0, "AMD Radeon RX 6750 XT"),
    (0x73DF, 0xC1, "AMD Radeon RX 6700 XT"),
    (0x73DF, 0xC5, "AMD Radeon RX 6700 XT"),
    (0x73E3, 0x00, "AMD Radeon Pro W6600"),
    (0x73EF, 0xC1, "AMD Radeon RX 6650 XT"),
    (0x73FF, 0xC1, "AMD Radeon RX 6600 XT"),
    (0x73FF, 0xC7, "AMD Radeon RX 6600"),
    (0x743F, 0xC1, "AMD Radeon RX 6500 XT"),
    (0x743F, 0xC7, "AMD Radeon RX 6400"),
];

/// Generic names by device id when no exact (id, revision) entry exists.
const FAMILY_NAMES: &[(u32, &str)] = &[
    (0x731F, "AMD Radeon RX 5600/5700 series (Navi 10)"),
    (0x7310, "AMD Radeon Pro W5700X (Navi 10)"),
    (0x7312, "AMD Radeon Pro W5700 (Navi 10)"),
    (0x7360, "AMD Radeon Pro 5600M (Navi 12)"),
    (0x7362, "AMD Radeon Pro V520 (Navi 12)"),
    (0x7340, "AMD Radeon RX 5300/5500 series (Navi 14)"),
    (0x73BF, "AMD Radeon RX 6800/6900 series (Navi 21)"),
    (0x73DF, "AMD Radeon RX 6700 series (Navi 22)"),
    (0x73FF, "AMD Radeon RX 6600 series (Navi 23)"),
    (0x743F, "AMD Radeon RX 6400/6500 series (Navi 24)"),
    (0x744C, "AMD Radeon RX 7900 series (Navi 31)"),
    (0x747E, "AMD Radeon RX 7700/7800 series (Navi 32)"),
    (0x7480, "AMD Radeon RX 7600 series (Navi 33)"),
];

/// Parses amdgpu.ids text (`DEVICE,\tREV,\tNAME` lines, `#` comments, one
/// version line) and finds `(device, revision)`.
pub fn lookup_ids_text(text: &str, device: u32, revision: u32) -> Option<String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut p = l.splitn(3, ',');
            let d = u32::from_str_radix(p.next()?.trim(), 16).ok()?;
            let r = u32::from_str_radix(p.next()?.trim(), 16).ok()?;
            Some((d, r, p.next()?.trim()))
        })
        .find(|&(d, r, _)| d == device && r == revision)
        .map(|(_, _, n)| n.to_string())
}

/// Marketing name: installed amdgpu.ids, then the built-in table, then a
/// per-device-id family name.
pub fn marketing_name(device: u32, revision: u32) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(AMDGPU_IDS_PATH) {
        if let Some(n) = lookup_ids_text(&text, device, revision) {
            return Some(n);
        }
    }
    builtin_marketing_name(device, revision)
}

/// Marketing name from the built-in tables only (deterministic; for tests).
pub fn builtin_marketing_name(device: u32, revision: u32) -> Option<String> {
    MARKETING
        .iter()
        .find(|&&(d, r, _)| d == device && r == revision)
        .map(|&(_, _, n)| n)
        .or_else(|| {
            FAMILY_NAMES
                .iter()
                .find(|&&(d, _)| d == device)
                .map(|&(_, n)| n)
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navi10_is_gfx1010() {
        // RX 5700 XT: family 143, external_rev = rev_id + 1 (nv.c).
        let chip = identify(AMDGPU_FAMILY_NV, 0x01).unwrap();
        assert_eq!(
            (chip.name, chip.gfx_target, chip.apu),
            ("NAVI10", "gfx1010", false)
        );
        assert_eq!(
            identify(AMDGPU_FAMILY_NV, 0x0A).unwrap().gfx_target,
            "gfx1011"
        );
        assert_eq!(
            identify(AMDGPU_FAMILY_NV, 0x28).unwrap().gfx_target,
            "gfx1030"
        );
        assert_eq!(
            identify(AMDGPU_FAMILY_GC_11_0_0, 0x10).unwrap().gfx_target,
            "gfx1102"
        );
        assert!(identify(AMDGPU_FAMILY_YC, 0x01).unwrap().apu);
        assert_eq!(identify(AMDGPU_FAMILY_NV, 0x60), None);
        assert_eq!(identify(999, 1), None);
    }

    #[test]
    fn marketing_names_by_revision() {
        assert_eq!(
            builtin_marketing_name(0x731F, 0xC1).unwrap(),
            "AMD Radeon RX 5700 XT"
        );
        assert_eq!(
            builtin_marketing_name(0x731F, 0xC4).unwrap(),
            "AMD Radeon RX 5700"
        );
        assert_eq!(
            builtin_marketing_name(0x731F, 0xCA).unwrap(),
            "AMD Radeon RX 5600 XT"
        );
        assert!(builtin_marketing_name(0x731F, 0x77)
            .unwrap()
            .contains("Navi 10"));
        assert_eq!(builtin_marketing_name(0x1234, 0), None);
        let text = "# c\n1.0.0\n731F,\tC1,\tAMD Radeon RX 5700 XT\n15DD,\tC3,\tAMD Radeon Vega 3 / 10 Graphics\n";
        assert_eq!(
            lookup_ids_text(text, 0x15DD, 0xC3).unwrap(),
            "AMD Radeon Vega 3 / 10 Graphics"
        );
        assert_eq!(lookup_ids_text(text, 0x15DD, 0xC4), None);
    }

    #[test]
    fn apu_ids() {
        assert!(is_apu_pci_id(0x15DD));
        assert!(is_apu_pci_id(0x1310));
        assert!(!is_apu_pci_id(0x731F));
    }
}
