//! `DRM_IOCTL_AMDGPU_INFO` answers for a plausible Navi 10 (RX 5700 XT).
//!
//! Semantics follow `amdgpu_info_ioctl` (Linux `drivers/gpu/drm/amd/amdgpu/
//! amdgpu_kms.c`): `return_pointer`/`return_size` must be non-zero (EINVAL),
//! the kernel copies `min(return_size, sizeof(answer))` bytes (EFAULT when
//! the user buffer is bad), unknown queries are EINVAL.

use amdgpu_kmd::uapi::*;
use amdgpu_kmd::{Errno, UserMem};
use bytemuck::bytes_of;

use super::State;

/// `AMDGPU_VA_RESERVED_BOTTOM` (amdgpu_vm.h): the first 64 KiB are reserved.
pub const VA_RESERVED_BOTTOM: u64 = 1 << 16;
/// `AMDGPU_VA_RESERVED_TOP`: trap (64 KiB) + seq64 (2 MiB) + CSA (2 MiB).
pub const VA_RESERVED_TOP: u64 = (1 << 16) + (2 << 20) + (2 << 20);
/// `AMDGPU_GMC_HOLE_START`: start of the non-canonical hole of a 48-bit VA.
pub const GMC_HOLE_START: u64 = 0x0000_8000_0000_0000;
/// `AMDGPU_GMC_HOLE_END`.
pub const GMC_HOLE_END: u64 = 0xffff_8000_0000_0000;
/// `AMDGPU_GMC_HOLE_MASK`.
pub const GMC_HOLE_MASK: u64 = 0x0000_ffff_ffff_ffff;
/// `max_pfn << 12` on gfx10 (48-bit GPUVM, `amdgpu_vm_adjust_size(.., 48)`).
pub const VM_SIZE: u64 = 1 << 48;
/// GPU page size.
pub const GPU_PAGE: u64 = 4096;
/// `gpu_counter_freq` in kHz (the 100 MHz reference clock).
pub const GPU_COUNTER_KHZ: u32 = 100_000;

/// Navi 10 identity (PCI 1002:731F rev C1, RX 5700 XT).
pub const DEVICE_ID: u32 = 0x731F;
/// PCI revision.
pub const PCI_REV: u32 = 0xC1;
/// `adev->rev_id` (chip revision from the strap).
pub const CHIP_REV: u32 = 0;
/// `external_rev_id = rev_id + 0x1` for Navi 10, GC 10.1.10 (`nv.c`,
/// `nv_common_early_init`); Mesa's NAVI10 range is 0x01..0x0A
/// (`amdgpu_asic_addr.h`). (0x28 would be Navi 21 / gfx1030.)
pub const EXTERNAL_REV: u32 = CHIP_REV + 0x1;

/// Firmware versions reported by `AMDGPU_INFO_FW_VERSION` (ver, feature);
/// values as a Navi 10 with linux-firmware 2023xxxx reports them
/// (`/sys/kernel/debug/dri/0/amdgpu_firmware_info`). Ids the chip lacks
/// (VCE, UVD, DMCU …) report 0, as the kernel does.
const FW: &[(u32, u32, u32)] = &[
    (AMDGPU_INFO_FW_GFX_ME, 0x46, 35),
    (AMDGPU_INFO_FW_GFX_PFP, 0x77, 35),
    (AMDGPU_INFO_FW_GFX_CE, 0x25, 35),
    (AMDGPU_INFO_FW_GFX_RLC, 0x5d, 1),
    (AMDGPU_INFO_FW_GFX_MEC, 0x95, 35),
    (AMDGPU_INFO_FW_SMC, 0x002a_3e00, 0),
    (AMDGPU_INFO_FW_SDMA, 0x23, 52),
    (AMDGPU_INFO_FW_SOS, 0x0021_0000, 0),
    (AMDGPU_INFO_FW_ASD, 0x2100_0070, 0),
    (AMDGPU_INFO_FW_VCN, 0x0110_901c, 0),
    (AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_CNTL, 1, 0),
    (AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_GPM_MEM, 1, 0),
    (AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_SRM_MEM, 1, 0),
    (AMDGPU_INFO_FW_TA, 0x2700_0008, 0),
    (AMDGPU_INFO_FW_DMCUB, 0, 0),
    (AMDGPU_INFO_FW_TOC, 0, 0),
];

/// Writes an answer: `min(return_size, len)` bytes, EFAULT on a bad pointer.
fn copy_out(user: &mut UserMem<'_>, q: &DrmAmdgpuInfo, bytes: &[u8]) -> Result<(), Errno> {
    let n = (q.return_size as usize).min(bytes.len());
    user.write(q.return_pointer, &bytes[..n])
}

/// `drm_amdgpu_info_device` of the simulated card.
pub fn dev_info(st: &State) -> DrmAmdgpuInfoDevice {
    let vm_size = VM_SIZE - VA_RESERVED_TOP;
    let mut cu_bitmap = [[0u32; 4]; 4];
    // 2 SEs × 2 SAs × 10 CUs (5 WGPs each): 40 CUs.
    for se in cu_bitmap.iter_mut().take(2) {
        se[0] = 0x3ff;
        se[1] = 0x3ff;
    }
    DrmAmdgpuInfoDevice {
        device_id: DEVICE_ID,
        chip_rev: CHIP_REV,
        external_rev: EXTERNAL_REV,
        pci_rev: PCI_REV,
        family: AMDGPU_FAMILY_NV,
        num_shader_engines: 2,
        num_shader_arrays_per_engine: 2,
        gpu_counter_freq: GPU_COUNTER_KHZ,
        max_engine_clock: 1_905_000,
        max_memory_clock: 875_000,
        cu_active_number: 40,
        cu_ao_mask: 0x0303_0303,
        cu_bitmap,
        enabled_rb_pipes_mask: 0xffff,
        num_rb_pipes: 16,
        num_hw_gfx_contexts: 8,
        pcie_gen: 4,
        ids_flags: 0,
        virtual_address_offset: VA_RESERVED_BOTTOM,
        virtual_address_max: vm_size.min(GMC_HOLE_START),
        virtual_address_alignment: GPU_PAGE as u32,
        pte_fragment_size: 2 << 20,
        gart_page_size: GPU_PAGE as u32,
        ce_ram_size: 0x8000,
        vram_type: AMDGPU_VRAM_TYPE_GDDR6,
        vram_bit_width: 256,
        vce_harvest_config: 0,
        gc_double_offchip_lds_buf: 1,
        wave_front_size: 64,
        num_shader_visible_vgprs: 1024,
        num_cu_per_sh: 10,
        num_tcc_blocks: 16,
        gs_vgt_table_depth: 32,
        gs_prim_buffer_depth: 1792,
        max_gs_waves_per_vgt: 32,
        pcie_num_lanes: 16,
        cu_ao_bitmap: cu_bitmap,
        high_va_offset: GMC_HOLE_END,
        high_va_max: GMC_HOLE_END | vm_size,
        min_engine_clock: 800_000,
        min_memory_clock: 100_000,
        tcp_cache_size: 16,
        num_sqc_per_wgp: 1,
        sqc_data_cache_size: 16,
        sqc_inst_cache_size: 32,
        gl1c_cache_size: 128,
        gl2c_cache_size: 4096,
        enabled_rb_pipes_mask_hi: 0,
        ..st.dev_info_extra()
    }
}

fn hw_ip(ip: u32) -> DrmAmdgpuInfoHwIp {
    let (major, minor, rings) = match ip {
        AMDGPU_HW_IP_GFX => (10, 1, 0x1),
        // amdgpu_num_kcq = 8 compute rings.
        AMDGPU_HW_IP_COMPUTE => (10, 1, 0xff),
        AMDGPU_HW_IP_DMA => (5, 0, 0x3),
        AMDGPU_HW_IP_VCN_DEC | AMDGPU_HW_IP_VCN_ENC | AMDGPU_HW_IP_VCN_JPEG => (2, 0, 0x1),
        _ => (0, 0, 0),
    };
    DrmAmdgpuInfoHwIp {
        hw_ip_version_major: major,
        hw_ip_version_minor: minor,
        ib_start_alignment: 32,
        ib_size_alignment: 32,
        available_rings: rings,
        ..Default::default()
    }
}

/// Answers one INFO query.
pub fn query(st: &State, q: &DrmAmdgpuInfo, user: &mut UserMem<'_>) -> Result<(), Errno> {
    if q.return_size == 0 || q.return_pointer == 0 {
        return Err(Errno::EINVAL);
    }
    let u32b = |v: u32| v.to_le_bytes().to_vec();
    let u64b = |v: u64| v.to_le_bytes().to_vec();
    let out: Vec<u8> = match q.query {
        AMDGPU_INFO_ACCEL_WORKING => u32b(1),
        AMDGPU_INFO_HW_IP_INFO | AMDGPU_INFO_HW_IP_COUNT => {
            let a = q.query_hw_ip();
            if a.type_ >= AMDGPU_HW_IP_NUM {
                return Err(Errno::EINVAL);
            }
            if q.query == AMDGPU_INFO_HW_IP_COUNT {
                let n = match a.type_ {
                    AMDGPU_HW_IP_UVD | AMDGPU_HW_IP_VCE | AMDGPU_HW_IP_UVD_ENC => 0,
                    _ => 1,
                };
                u32b(n)
            } else {
                if a.ip_instance >= AMDGPU_HW_IP_INSTANCE_MAX_COUNT {
                    return Err(Errno::EINVAL);
                }
                bytes_of(&hw_ip(a.type_)).to_vec()
            }
        }
        AMDGPU_INFO_TIMESTAMP => u64b(st.gpu_clock()),
        AMDGPU_INFO_FW_VERSION => {
            let f = q.query_fw();
            let known = FW_IDS.iter().any(|(id, _)| *id == f.fw_type);
            if !known {
                return Err(Errno::EINVAL);
            }
            let (ver, feature) = FW
                .iter()
                .find(|(id, _, _)| *id == f.fw_type)
                .map_or((0, 0), |(_, v, ft)| (*v, *ft));
            bytes_of(&DrmAmdgpuInfoFirmware { ver, feature }).to_vec()
        }
        AMDGPU_INFO_NUM_BYTES_MOVED
        | AMDGPU_INFO_NUM_EVICTIONS
        | AMDGPU_INFO_NUM_VRAM_CPU_PAGE_FAULTS
        | AMDGPU_INFO_RAS_ENABLED_FEATURES => u64b(0),
        AMDGPU_INFO_VRAM_USAGE => u64b(st.usage.vram),
        AMDGPU_INFO_VIS_VRAM_USAGE => u64b(st.usage.vis_vram),
        AMDGPU_INFO_GTT_USAGE => u64b(st.usage.gtt),
        AMDGPU_INFO_VRAM_LOST_COUNTER => u32b(0),
        AMDGPU_INFO_GDS_CONFIG => bytes_of(&DrmAmdgpuInfoGds {
            gds_gfx_partition_size: 0x1000,
            compute_partition_size: 0x1000,
            gds_total_size: 0x10000,
            gws_per_gfx_partition: 64,
            gws_per_compute_partition: 64,
            oa_per_gfx_partition: 16,
            oa_per_compute_partition: 16,
            _pad: 0,
        })
        .to_vec(),
        AMDGPU_INFO_VRAM_GTT => bytes_of(&DrmAmdgpuInfoVramGtt {
            vram_size: st.cfg.vram_size,
            vram_cpu_accessible_size: st.cfg.vis_vram_size,
            gtt_size: st.cfg.gtt_size,
        })
        .to_vec(),
        AMDGPU_INFO_MEMORY => {
            let heap = |total: u64, used: u64| DrmAmdgpuHeapInfo {
                total_heap_size: total,
                usable_heap_size: total,
                heap_usage: used,
                max_allocation: total * 3 / 4,
            };
            bytes_of(&DrmAmdgpuMemoryInfo {
                vram: heap(st.cfg.vram_size, st.usage.vram),
                cpu_accessible_vram: heap(st.cfg.vis_vram_size, st.usage.vis_vram),
                gtt: heap(st.cfg.gtt_size, st.usage.gtt),
            })
            .to_vec()
        }
        AMDGPU_INFO_DEV_INFO => bytes_of(&dev_info(st)).to_vec(),
        AMDGPU_INFO_READ_MMR_REG => {
            let a = q.read_mmr_reg();
            if a.count > 128 {
                return Err(Errno::EINVAL);
            }
            let mut v = Vec::new();
            for i in 0..a.count {
                v.extend(u32b(read_mmr(a.dword_offset + i).ok_or(Errno::EINVAL)?));
            }
            v
        }
        AMDGPU_INFO_SENSOR => {
            let v = match q.sensor_info().type_ {
                AMDGPU_INFO_SENSOR_GFX_SCLK => 1605,
                AMDGPU_INFO_SENSOR_GFX_MCLK => 875,
                AMDGPU_INFO_SENSOR_GPU_TEMP => 45_000,
                AMDGPU_INFO_SENSOR_GPU_LOAD => u32::from(!st.queue.is_empty()) * 100,
                AMDGPU_INFO_SENSOR_GPU_AVG_POWER => 15,
                AMDGPU_INFO_SENSOR_VDDGFX => 750,
                AMDGPU_INFO_SENSOR_STABLE_PSTATE_GFX_SCLK => 1300,
                AMDGPU_INFO_SENSOR_STABLE_PSTATE_GFX_MCLK => 875,
                // VDDNB is APU-only; the SMU rejects it on a dGPU.
                _ => return Err(Errno::EINVAL),
            };
            u32b(v)
        }
        AMDGPU_INFO_VBIOS => {
            let vb = q.vbios_info();
            match vb.type_ {
                AMDGPU_INFO_VBIOS_SIZE => u32b(VBIOS.len() as u32),
                AMDGPU_INFO_VBIOS_IMAGE => {
                    let off = (vb.offset as usize).min(VBIOS.len());
                    VBIOS[off..].to_vec()
                }
                AMDGPU_INFO_VBIOS_INFO => {
                    let mut i = DrmAmdgpuInfoVbios::default();
                    fill(&mut i.name, "NAVI10 A1 XT D18901 8GB EVAL");
                    fill(&mut i.vbios_pn, "113-D1890100-X02");
                    i.version = 0x1890;
                    fill(&mut i.vbios_ver_str, "017.001.000.027.000000");
                    fill(&mut i.date, "2019/05/20 09:47");
                    bytes_of(&i).to_vec()
                }
                _ => return Err(Errno::EINVAL),
            }
        }
        AMDGPU_INFO_GPUVM_FAULT => {
            let (addr, status) = st.last_vm_fault.unwrap_or((0, 0));
            let mut v = u64b(addr);
            v.extend(u32b(status));
            v.extend(u32b(0)); // vmhub: GFXHUB(0)
            v
        }
        _ => return Err(Errno::EINVAL),
    };
    copy_out(user, q, &out)
}

/// A small fake video BIOS image ("ATOM" signature at 0x30 as real ones).
const VBIOS: &[u8] = b"\x55\xaa\x7erocless-sim vbios\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0 761295520\0ATOM";

fn fill(dst: &mut [u8], s: &str) {
    let n = s.len().min(dst.len() - 1);
    dst[..n].copy_from_slice(&s.as_bytes()[..n]);
}

/// Registers `AMDGPU_INFO_READ_MMR_REG` may read (the kernel's
/// `nv_allowed_read_registers` list, a subset), with idle values.
fn read_mmr(dw: u32) -> Option<u32> {
    Some(match dw {
        0x2004 => 0x0000_3028, // mmGRBM_STATUS: idle
        0x2002 => 0,           // mmGRBM_STATUS2
        0x263e => 0x0000_0044, // mmGB_ADDR_CONFIG (Navi 10: 16 pipes, 2 SEs)
        0x0e02 => 0,           // mmSRBM_STATUS (sdma idle)
        _ => return None,
    })
}

#[cfg(test)]
mod identity_tests {
    use super::*;

    #[test]
    fn the_sim_identifies_as_navi10_gfx1010() {
        let chip = amdgpu_kmd::chips::identify(143, EXTERNAL_REV).expect("known chip");
        assert_eq!(chip.gfx_target, "gfx1010");
    }
}
