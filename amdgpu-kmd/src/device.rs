//! `Device`: the safe API over one [`Driver`] (a render node or the
//! simulator). Cloning is cheap (an `Arc`); every object created from a
//! device (`Bo`, `Context`, `Fence`, `Syncobj`, `BoList`) holds a clone, so
//! the device outlives them and their `Drop` can still issue ioctls.

use crate::chips::{self, Chip};
use crate::driver::{Driver, Errno, UserMem};
use crate::error::{kmd, Error, KmdError, Result};
use crate::real::RealDriver;
use crate::sysfs::{RenderNode, Sysfs};
use crate::uapi::*;
use crate::va::VaAllocator;
use bytemuck::Pod;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub(crate) struct Inner {
    driver: Box<dyn Driver>,
    dev_info: DrmAmdgpuInfoDevice,
    va: Mutex<VaAllocator>,
    /// GEM handles owned by a live [`crate::Bo`] of this device (a PRIME
    /// import may return one of them: the kernel's per-file lookup).
    pub(crate) bo_handles: Mutex<std::collections::HashSet<u32>>,
}

/// One GPU behind the ioctl boundary.
#[derive(Clone)]
pub struct Device {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("node", &self.node())
            .finish()
    }
}

/// `DRM_IOCTL_VERSION` result.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DriverVersion {
    /// Driver major version (3 for amdgpu).
    pub major: i32,
    /// Minor version (the amdgpu interface level).
    pub minor: i32,
    /// Patch level.
    pub patchlevel: i32,
    /// Driver name (`amdgpu`).
    pub name: String,
    /// Driver date string.
    pub date: String,
    /// Description.
    pub desc: String,
}

/// Absolute `CLOCK_MONOTONIC` deadline in ns for a relative timeout, as the
/// amdgpu wait ioctls expect (`amdgpu_gem_timeout` in amdgpu_gem.c);
/// `u64::MAX` (negative as `i64`) means "wait forever".
pub fn abs_timeout_ns(timeout: Duration) -> u64 {
    let now = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .map(|t| t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64)
        .unwrap_or(0);
    let rel = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
    match now.checked_add(rel) {
        Some(t) if t <= i64::MAX as u64 => t,
        _ => u64::MAX,
    }
}

impl Device {
    /// Wraps a driver: queries DEV_INFO once and sets up the VA allocator in
    /// the window it reports.
    pub fn new(driver: Box<dyn Driver>) -> Result<Self> {
        let dev_info: DrmAmdgpuInfoDevice = query(
            &*driver,
            "INFO DEV_INFO",
            DrmAmdgpuInfo::new(AMDGPU_INFO_DEV_INFO, 0, 0),
        )?;
        let (start, end) = (
            dev_info.virtual_address_offset,
            dev_info.virtual_address_max,
        );
        if end <= start {
            return Err(Error::Protocol(format!(
                "INFO DEV_INFO: empty VA window [{start:#x}, {end:#x})"
            )));
        }
        let va = VaAllocator::new(start, end, u64::from(dev_info.virtual_address_alignment));
        Ok(Self {
            inner: Arc::new(Inner {
                driver,
                dev_info,
                va: Mutex::new(va),
                bo_handles: Mutex::new(Default::default()),
            }),
        })
    }

    /// Opens a render node with [`RealDriver`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let drv = RealDriver::open(path).map_err(|err| Error::Open {
            path: path.display().to_string(),
            err,
        })?;
        Self::new(Box::new(drv))
    }

    /// Opens the node `--device auto` selects on this machine: the first AMD
    /// render node that is not an APU — by PCI id before opening, and by
    /// DEV_INFO `AMDGPU_IDS_FLAGS_FUSION` after — else the first APU.
    /// `Err(NoDevice)` when there is none.
    pub fn open_auto() -> Result<(Self, RenderNode)> {
        Self::open_auto_in(&Sysfs::system())
    }

    /// [`Device::open_auto`] on an explicit sysfs tree.
    pub fn open_auto_in(sysfs: &Sysfs) -> Result<(Self, RenderNode)> {
        let first = sysfs.select_auto()?; // clear NoDevice error when empty
        let mut apu: Option<(Self, RenderNode)> = None;
        let mut last_err = None;
        for node in sysfs.amd_nodes()? {
            match Self::open(&node.dev_path) {
                Ok(dev) if !dev.is_apu() => return Ok((dev, node)),
                Ok(dev) => {
                    apu.get_or_insert((dev, node));
                }
                Err(e) => last_err = Some(e),
            }
        }
        match (apu, last_err) {
            (Some(a), _) => Ok(a),
            (None, Some(e)) => Err(e),
            (None, None) => Err(Error::NoDevice(format!(
                "no usable AMD GPU (tried {})",
                first.dev_path.display()
            ))),
        }
    }

    /// Node path the driver reports (`/dev/dri/renderD128`, `sim:0`).
    pub fn node(&self) -> String {
        self.inner.driver.node()
    }

    /// The driver (for probes that send hand-made requests).
    pub fn driver(&self) -> &dyn Driver {
        &*self.inner.driver
    }

    /// DEV_INFO as queried at creation.
    pub fn dev_info(&self) -> &DrmAmdgpuInfoDevice {
        &self.inner.dev_info
    }

    /// Chip from family + external revision (None if unknown).
    pub fn chip(&self) -> Option<Chip> {
        chips::identify(self.inner.dev_info.family, self.inner.dev_info.external_rev)
    }

    /// LLVM gfx target (`gfx1010`), if the chip is known.
    pub fn gfx_target(&self) -> Option<&'static str> {
        self.chip().map(|c| c.gfx_target)
    }

    /// True for APUs: DEV_INFO `ids_flags & AMDGPU_IDS_FLAGS_FUSION`.
    pub fn is_apu(&self) -> bool {
        self.inner.dev_info.ids_flags & u64::from(AMDGPU_IDS_FLAGS_FUSION) != 0
    }

    /// Sends one ioctl with a typed argument; errors name `what`.
    pub fn ioctl<T: Pod>(
        &self,
        what: &'static str,
        request: u64,
        arg: &mut T,
        user: &mut UserMem<'_>,
    ) -> Result<(), KmdError> {
        self.inner
            .driver
            .ioctl(request, bytemuck::bytes_of_mut(arg), user)
            .map_err(kmd(what))
    }

    /// `DRM_IOCTL_VERSION` (two calls: lengths, then strings, as libdrm's
    /// drmGetVersion does).
    pub fn version(&self) -> Result<DriverVersion> {
        let mut v = DrmVersion::default();
        self.ioctl("VERSION", DRM_IOCTL_VERSION, &mut v, &mut UserMem::new())?;
        let cap = |n: u64| vec![0u8; usize::try_from(n.min(4096)).unwrap_or(0)];
        let (mut name, mut date, mut desc) = (cap(v.name_len), cap(v.date_len), cap(v.desc_len));
        let mut user = UserMem::new();
        let mut v2 = DrmVersion {
            name_len: name.len() as u64,
            date_len: date.len() as u64,
            desc_len: desc.len() as u64,
            ..DrmVersion::default()
        };
        v2.name = user.output(&mut name);
        v2.date = user.output(&mut date);
        v2.desc = user.output(&mut desc);
        self.ioctl("VERSION", DRM_IOCTL_VERSION, &mut v2, &mut user)?;
        drop(user);
        let s = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .trim_end_matches('\0')
                .to_string()
        };
        Ok(DriverVersion {
            major: v2.version_major,
            minor: v2.version_minor,
            patchlevel: v2.version_patchlevel,
            name: s(&name),
            date: s(&date),
            desc: s(&desc),
        })
    }

    /// Typed INFO queries.
    pub fn info(&self) -> Info<'_> {
        Info { dev: self }
    }

    pub(crate) fn va(&self) -> MutexGuard<'_, VaAllocator> {
        // The allocator's invariants hold between calls; a panic elsewhere
        // cannot leave it half-updated.
        self.inner.va.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves `size` bytes of GPU VA (aligned to `align`, at least the
    /// device's VA alignment). Pair with [`Device::free_va`]; `Bo::map_gpu`
    /// does both for you.
    pub fn alloc_va(&self, size: u64, align: u64) -> Result<u64> {
        self.va()
            .alloc(size, align)
            .ok_or(Error::VaExhausted { size, align })
    }

    /// Returns a range from [`Device::alloc_va`].
    pub fn free_va(&self, addr: u64, size: u64) -> Result<()> {
        self.va().free(addr, size).map_err(|b| {
            Error::Invalid(format!(
                "free of VA range {:#x}+{:#x} that is not allocated",
                b.addr, b.size
            ))
        })
    }

    /// The VA window `[start, end)` and its granule.
    pub fn va_window(&self) -> (u64, u64, u64) {
        let v = self.va();
        let (s, e) = v.window();
        (s, e, v.granule())
    }

    /// `DRM_IOCTL_AMDGPU_VM` `AMDGPU_VM_OP_RESERVE_VMID`: a dedicated VMID
    /// for this process (needed for SPM/trace tools).
    pub fn reserve_vmid(&self) -> Result<()> {
        self.vm_op("VM reserve_vmid", AMDGPU_VM_OP_RESERVE_VMID)
    }

    /// `AMDGPU_VM_OP_UNRESERVE_VMID`.
    pub fn unreserve_vmid(&self) -> Result<()> {
        self.vm_op("VM unreserve_vmid", AMDGPU_VM_OP_UNRESERVE_VMID)
    }

    fn vm_op(&self, what: &'static str, op: u32) -> Result<()> {
        let mut vm = DrmAmdgpuVm::from_input(DrmAmdgpuVmIn { op, flags: 0 });
        self.ioctl(what, DRM_IOCTL_AMDGPU_VM, &mut vm, &mut UserMem::new())?;
        Ok(())
    }
}

/// One INFO query into a zeroed `T`: `return_pointer` is the address of `T`,
/// `return_size` its size.
fn query<T: Pod>(
    driver: &dyn Driver,
    what: &'static str,
    req: DrmAmdgpuInfo,
) -> Result<T, KmdError> {
    let mut out = T::zeroed();
    let mut user = UserMem::new();
    let ptr = user.output(bytemuck::bytes_of_mut(&mut out));
    let mut req = DrmAmdgpuInfo {
        return_pointer: ptr,
        return_size: core::mem::size_of::<T>() as u32,
        ..req
    };
    driver
        .ioctl(
            DRM_IOCTL_AMDGPU_INFO,
            bytemuck::bytes_of_mut(&mut req),
            &mut user,
        )
        .map_err(kmd(what))?;
    drop(user);
    Ok(out)
}

/// One firmware's version (from `AMDGPU_INFO_FW_VERSION`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FwVersion {
    /// `AMDGPU_INFO_FW_*` id.
    pub id: u32,
    /// Short name (`MEC`, `SMC`, …).
    pub name: &'static str,
    /// Engine index (MEC 0/1 = MEC1/MEC2, SDMA instance).
    pub index: u32,
    /// Version, or `None` when the kernel refused (id unknown to this kernel
    /// or block absent: EINVAL / ENOENT).
    pub version: Option<u32>,
    /// Feature version.
    pub feature: Option<u32>,
    /// The errno when refused.
    pub errno: Option<String>,
}

/// Typed `DRM_IOCTL_AMDGPU_INFO` queries (see `amdgpu_info_ioctl` in
/// amdgpu_kms.c).
pub struct Info<'a> {
    dev: &'a Device,
}

/// `instance` value of READ_MMR_REG for broadcast (all SEs / SHs).
pub const MMR_INSTANCE_BROADCAST: u32 = 0xffff_ffff;

/// `instance` value of READ_MMR_REG selecting one SE / SH.
pub fn mmr_instance(se: u8, sh: u8) -> u32 {
    ((u32::from(se) & AMDGPU_INFO_MMR_SE_INDEX_MASK) << AMDGPU_INFO_MMR_SE_INDEX_SHIFT)
        | ((u32::from(sh) & AMDGPU_INFO_MMR_SH_INDEX_MASK) << AMDGPU_INFO_MMR_SH_INDEX_SHIFT)
}

impl Info<'_> {
    fn q<T: Pod>(&self, what: &'static str, req: DrmAmdgpuInfo) -> Result<T> {
        Ok(query(&*self.dev.inner.driver, what, req)?)
    }

    /// `AMDGPU_INFO_ACCEL_WORKING`.
    pub fn accel_working(&self) -> Result<bool> {
        Ok(self.q::<u32>(
            "INFO ACCEL_WORKING",
            DrmAmdgpuInfo::new(AMDGPU_INFO_ACCEL_WORKING, 0, 0),
        )? != 0)
    }

    /// `AMDGPU_INFO_DEV_INFO` (fresh query).
    pub fn dev_info(&self) -> Result<DrmAmdgpuInfoDevice> {
        self.q(
            "INFO DEV_INFO",
            DrmAmdgpuInfo::new(AMDGPU_INFO_DEV_INFO, 0, 0),
        )
    }

    /// `AMDGPU_INFO_HW_IP_INFO` for `ip_type` (`AMDGPU_HW_IP_COMPUTE`, …).
    pub fn hw_ip_info(&self, ip_type: u32, ip_instance: u32) -> Result<DrmAmdgpuInfoHwIp> {
        self.q(
            "INFO HW_IP_INFO",
            DrmAmdgpuInfo::new(AMDGPU_INFO_HW_IP_INFO, 0, 0).with_query_hw_ip(
                DrmAmdgpuInfoQueryHwIp {
                    type_: ip_type,
                    ip_instance,
                },
            ),
        )
    }

    /// `AMDGPU_INFO_HW_IP_COUNT`: instances of `ip_type`.
    pub fn hw_ip_count(&self, ip_type: u32) -> Result<u32> {
        self.q(
            "INFO HW_IP_COUNT",
            DrmAmdgpuInfo::new(AMDGPU_INFO_HW_IP_COUNT, 0, 0).with_query_hw_ip(
                DrmAmdgpuInfoQueryHwIp {
                    type_: ip_type,
                    ip_instance: 0,
                },
            ),
        )
    }

    /// `AMDGPU_INFO_FW_VERSION` for one firmware id / instance / index.
    pub fn fw_version(
        &self,
        fw_type: u32,
        ip_instance: u32,
        index: u32,
    ) -> Result<DrmAmdgpuInfoFirmware> {
        self.q(
            "INFO FW_VERSION",
            DrmAmdgpuInfo::new(AMDGPU_INFO_FW_VERSION, 0, 0).with_query_fw(DrmAmdgpuQueryFw {
                fw_type,
                ip_instance,
                index,
                _pad: 0,
            }),
        )
    }

    /// Every firmware id of [`FW_IDS`] (MEC and SDMA at index 0 and 1).
    /// Refusals are recorded per entry, not returned as errors.
    pub fn firmware(&self) -> Vec<FwVersion> {
        let mut out = Vec::new();
        for &(id, name) in FW_IDS {
            let indices: &[u32] = if id == AMDGPU_INFO_FW_GFX_MEC || id == AMDGPU_INFO_FW_SDMA {
                &[0, 1]
            } else {
                &[0]
            };
            for &index in indices {
                let r = self.fw_version(id, 0, index);
                let (version, feature, errno) = match r {
                    Ok(f) => (Some(f.ver), Some(f.feature), None),
                    Err(Error::Kmd(k)) => (None, None, Some(format!("{:?}", k.errno))),
                    Err(e) => (None, None, Some(e.to_string())),
                };
                out.push(FwVersion {
                    id,
                    name,
                    index,
                    version,
                    feature,
                    errno,
                });
            }
        }
        out
    }

    /// `AMDGPU_INFO_MEMORY`.
    pub fn memory(&self) -> Result<DrmAmdgpuMemoryInfo> {
        self.q("INFO MEMORY", DrmAmdgpuInfo::new(AMDGPU_INFO_MEMORY, 0, 0))
    }

    /// `AMDGPU_INFO_VRAM_GTT`.
    pub fn vram_gtt(&self) -> Result<DrmAmdgpuInfoVramGtt> {
        self.q(
            "INFO VRAM_GTT",
            DrmAmdgpuInfo::new(AMDGPU_INFO_VRAM_GTT, 0, 0),
        )
    }

    /// `AMDGPU_INFO_VRAM_USAGE` in bytes.
    pub fn vram_usage(&self) -> Result<u64> {
        self.q(
            "INFO VRAM_USAGE",
            DrmAmdgpuInfo::new(AMDGPU_INFO_VRAM_USAGE, 0, 0),
        )
    }

    /// `AMDGPU_INFO_GTT_USAGE` in bytes.
    pub fn gtt_usage(&self) -> Result<u64> {
        self.q(
            "INFO GTT_USAGE",
            DrmAmdgpuInfo::new(AMDGPU_INFO_GTT_USAGE, 0, 0),
        )
    }

    /// `AMDGPU_INFO_VIS_VRAM_USAGE` in bytes.
    pub fn vis_vram_usage(&self) -> Result<u64> {
        self.q(
            "INFO VIS_VRAM_USAGE",
            DrmAmdgpuInfo::new(AMDGPU_INFO_VIS_VRAM_USAGE, 0, 0),
        )
    }

    /// `AMDGPU_INFO_READ_MMR_REG`: `count` registers from `dword_offset`
    /// (`instance` from [`mmr_instance`] or [`MMR_INSTANCE_BROADCAST`]).
    /// The kernel only allows registers on its allow-list (EINVAL otherwise).
    pub fn read_mmr_reg(&self, dword_offset: u32, count: u32, instance: u32) -> Result<Vec<u32>> {
        if count == 0 || count > 128 {
            return Err(Error::Invalid(format!(
                "READ_MMR_REG: count {count} not in 1..=128"
            )));
        }
        let mut regs = vec![0u32; count as usize];
        let mut user = UserMem::new();
        let ptr = user.output(bytemuck::cast_slice_mut(&mut regs));
        let mut req = DrmAmdgpuInfo::new(AMDGPU_INFO_READ_MMR_REG, ptr, count * 4)
            .with_read_mmr_reg(DrmAmdgpuInfoReadMmrReg {
                dword_offset,
                count,
                instance,
                flags: 0,
            });
        self.dev.ioctl(
            "INFO READ_MMR_REG",
            DRM_IOCTL_AMDGPU_INFO,
            &mut req,
            &mut user,
        )?;
        drop(user);
        Ok(regs)
    }

    /// `AMDGPU_INFO_SENSOR` (`AMDGPU_INFO_SENSOR_GFX_SCLK` in MHz, `GPU_TEMP`
    /// in millidegrees C, `GPU_LOAD` in %, `GPU_AVG_POWER` in W, …).
    pub fn sensor(&self, sensor: u32) -> Result<u32> {
        self.q(
            "INFO SENSOR",
            DrmAmdgpuInfo::new(AMDGPU_INFO_SENSOR, 0, 0)
                .with_sensor_info(DrmAmdgpuInfoSensorInfo { type_: sensor }),
        )
    }

    /// `AMDGPU_INFO_VBIOS` / `AMDGPU_INFO_VBIOS_INFO`.
    pub fn vbios_info(&self) -> Result<DrmAmdgpuInfoVbios> {
        self.q(
            "INFO VBIOS_INFO",
            DrmAmdgpuInfo::new(AMDGPU_INFO_VBIOS, 0, 0).with_vbios_info(DrmAmdgpuInfoVbiosInfo {
                type_: AMDGPU_INFO_VBIOS_INFO,
                offset: 0,
            }),
        )
    }

    /// `AMDGPU_INFO_VBIOS` / `AMDGPU_INFO_VBIOS_SIZE` in bytes.
    pub fn vbios_size(&self) -> Result<u32> {
        self.q(
            "INFO VBIOS_SIZE",
            DrmAmdgpuInfo::new(AMDGPU_INFO_VBIOS, 0, 0).with_vbios_info(DrmAmdgpuInfoVbiosInfo {
                type_: AMDGPU_INFO_VBIOS_SIZE,
                offset: 0,
            }),
        )
    }

    /// `AMDGPU_INFO_NUM_HANDLES` for a UVD-class `ip_type`.
    pub fn num_handles(&self, ip_type: u32) -> Result<DrmAmdgpuInfoNumHandles> {
        self.q(
            "INFO NUM_HANDLES",
            DrmAmdgpuInfo::new(AMDGPU_INFO_NUM_HANDLES, 0, 0).with_query_hw_ip(
                DrmAmdgpuInfoQueryHwIp {
                    type_: ip_type,
                    ip_instance: 0,
                },
            ),
        )
    }

    /// `AMDGPU_INFO_TIMESTAMP`: the GPU clock counter (ticks of
    /// `dev_info.gpu_counter_freq` kHz).
    pub fn timestamp(&self) -> Result<u64> {
        self.q(
            "INFO TIMESTAMP",
            DrmAmdgpuInfo::new(AMDGPU_INFO_TIMESTAMP, 0, 0),
        )
    }
}

/// Converts ETIME from a wait into `Ok(false)`.
pub(crate) fn timed_out(r: Result<(), KmdError>) -> Result<bool> {
    match r {
        Ok(()) => Ok(true),
        Err(KmdError {
            errno: Errno::ETIME,
            ..
        }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
