//! The amdgpu / DRM user-space ABI: `#[repr(C)]` Pod structs named as the C
//! types in CamelCase (`struct drm_amdgpu_gem_va` → [`DrmAmdgpuGemVa`]),
//! constants and request numbers with their C names, and the request-number
//! arithmetic of `<asm-generic/ioctl.h>` / `drm.h`.
//!
//! C unions become raw-word structs with typed accessors
//! (`DrmAmdgpuGemCreate::from_input(..)`, `.output()`); anonymous members of
//! C structs become their own structs (`DrmAmdgpuInfoQueryHwIp`).
//! Every item is also listed in the tables of [`layout`] (see [`all_structs`]
//! etc.), which the ABI test compares against the installed C headers.

#[macro_use]
mod macros;
pub mod layout;

mod amdgpu;
mod drm;

pub use amdgpu::*;
pub use drm::*;

/// `_IOC_NONE`: no data transfer.
pub const IOC_NONE: u32 = 0;
/// `_IOC_WRITE`: user space writes the argument (kernel reads it).
pub const IOC_WRITE: u32 = 1;
/// `_IOC_READ`: kernel writes the argument back.
pub const IOC_READ: u32 = 2;
/// `_IOC_READ | _IOC_WRITE` (`_IOWR`).
pub const IOC_READ_WRITE: u32 = IOC_READ | IOC_WRITE;

const IOC_NRSHIFT: u32 = 0;
const IOC_TYPESHIFT: u32 = 8;
const IOC_SIZESHIFT: u32 = 16;
const IOC_DIRSHIFT: u32 = 30;
const IOC_SIZEMASK: u64 = (1 << 14) - 1;

/// `_IOC(dir, DRM_IOCTL_BASE, nr, size)` (asm-generic layout: x86-64, arm64,
/// riscv64; rocless does not support the powerpc/mips encodings).
pub const fn ioc(dir: u32, nr: u32, size: usize) -> u64 {
    ((dir as u64) << IOC_DIRSHIFT)
        | (((size as u64) & IOC_SIZEMASK) << IOC_SIZESHIFT)
        | ((DRM_IOCTL_BASE as u64) << IOC_TYPESHIFT)
        | ((nr as u64) << IOC_NRSHIFT)
}

/// The four fields of a request number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoctlFields {
    /// `IOC_NONE`, `IOC_WRITE`, `IOC_READ` or `IOC_READ_WRITE`.
    pub dir: u32,
    /// Type byte (`'d'` for DRM).
    pub ty: u32,
    /// Command number (`DRM_COMMAND_BASE + DRM_AMDGPU_*` for amdgpu).
    pub nr: u32,
    /// Argument size in bytes.
    pub size: usize,
}

/// Splits a request number into its fields (`_IOC_DIR`, `_IOC_TYPE`, …).
pub const fn ioctl_fields(request: u64) -> IoctlFields {
    IoctlFields {
        dir: ((request >> IOC_DIRSHIFT) & 3) as u32,
        ty: ((request >> IOC_TYPESHIFT) & 0xff) as u32,
        nr: ((request >> IOC_NRSHIFT) & 0xff) as u32,
        size: ((request >> IOC_SIZESHIFT) & IOC_SIZEMASK) as usize,
    }
}

/// One known request number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoctlDesc {
    /// C macro name (`DRM_IOCTL_AMDGPU_GEM_VA`).
    pub name: &'static str,
    /// The full request number.
    pub request: u64,
    /// Command number.
    pub nr: u32,
    /// Direction (`IOC_*`).
    pub dir: u32,
    /// Argument size.
    pub size: usize,
    /// Rust type of the argument.
    pub arg: &'static str,
}

impl IoctlDesc {
    /// Short name for errors: `DRM_IOCTL_AMDGPU_GEM_VA` → `GEM_VA`.
    pub fn short_name(&self) -> &'static str {
        let n = self.name;
        n.strip_prefix("DRM_IOCTL_AMDGPU_")
            .or_else(|| n.strip_prefix("DRM_IOCTL_"))
            .unwrap_or(n)
    }
}

/// Every request number rocless knows.
pub fn all_ioctls() -> impl Iterator<Item = &'static IoctlDesc> {
    DRM_IOCTLS.iter().chain(AMDGPU_IOCTLS.iter())
}

/// Looks a request number up by its command number (the simulator's
/// dispatch): `None` unless type is `'d'` and `nr` is known. The caller
/// compares `size`/`dir` with [`ioctl_fields`] to reject mismatches.
pub fn ioctl_nr(request: u64) -> Option<&'static IoctlDesc> {
    let f = ioctl_fields(request);
    if f.ty != DRM_IOCTL_BASE {
        return None;
    }
    all_ioctls().find(|d| d.nr == f.nr)
}

/// Exact lookup by full request number.
pub fn ioctl_by_request(request: u64) -> Option<&'static IoctlDesc> {
    all_ioctls().find(|d| d.request == request)
}

/// Every struct layout (for the ABI test).
pub fn all_structs() -> impl Iterator<Item = &'static layout::StructLayout> {
    DRM_STRUCTS.iter().chain(AMDGPU_STRUCTS.iter())
}

/// Every union layout (for the ABI test).
pub fn all_unions() -> impl Iterator<Item = &'static layout::UnionLayout> {
    AMDGPU_UNIONS.iter()
}

/// Every constant (for the ABI test).
pub fn all_consts() -> impl Iterator<Item = &'static layout::ConstDef> {
    DRM_CONSTS
        .iter()
        .chain(AMDGPU_CMD_CONSTS)
        .chain(AMDGPU_U32_CONSTS)
        .chain(AMDGPU_I32_CONSTS)
        .chain(AMDGPU_NEWER_CONSTS)
        .chain(DRM_NEWER_CONSTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_numbers_match_known_values() {
        // Values as printed by strace / libdrm on x86-64.
        assert_eq!(DRM_IOCTL_VERSION, 0xc040_6400);
        assert_eq!(DRM_IOCTL_GEM_CLOSE, 0x4008_6409);
        assert_eq!(DRM_IOCTL_AMDGPU_GEM_CREATE, 0xc020_6440);
        assert_eq!(DRM_IOCTL_AMDGPU_INFO, 0x4020_6445);
        assert_eq!(DRM_IOCTL_AMDGPU_CS, 0xc018_6444);
        assert_eq!(DRM_IOCTL_AMDGPU_GEM_VA, 0x4028_6448);
    }

    #[test]
    fn decoder_roundtrip() {
        for d in all_ioctls() {
            let f = ioctl_fields(d.request);
            assert_eq!((f.dir, f.nr, f.size), (d.dir, d.nr, d.size), "{}", d.name);
            assert_eq!(ioctl_nr(d.request).unwrap().name, d.name);
            assert_eq!(ioctl_by_request(d.request).unwrap().name, d.name);
        }
        assert_eq!(ioctl_nr(0x5401), None); // TCGETS: wrong type byte
        let d = ioctl_nr(DRM_IOCTL_AMDGPU_GEM_VA).unwrap();
        assert_eq!(d.short_name(), "GEM_VA");
        assert_eq!(
            ioctl_nr(DRM_IOCTL_SYNCOBJ_WAIT).unwrap().short_name(),
            "SYNCOBJ_WAIT"
        );
    }

    #[test]
    fn unions_roundtrip() {
        let u = DrmAmdgpuGemCreate::from_input(DrmAmdgpuGemCreateIn {
            bo_size: 4096,
            alignment: 4096,
            domains: AMDGPU_GEM_DOMAIN_VRAM as u64,
            domain_flags: 0,
        });
        assert_eq!(u.input().bo_size, 4096);
        assert_eq!(u.output().handle, 4096); // low half of bo_size, as in C
        let info =
            DrmAmdgpuInfo::new(AMDGPU_INFO_FW_VERSION, 0x1000, 8).with_query_fw(DrmAmdgpuQueryFw {
                fw_type: AMDGPU_INFO_FW_GFX_MEC,
                ip_instance: 0,
                index: 1,
                _pad: 0,
            });
        assert_eq!(info.query_fw().index, 1);
        assert_eq!(info.query_args, [AMDGPU_INFO_FW_GFX_MEC, 0, 1, 0]);
    }

    #[test]
    fn tables_are_complete_and_unique() {
        let mut names: Vec<_> = all_consts().map(|c| c.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate constant");
        assert!(all_structs().count() >= 50);
        for s in all_structs() {
            let covered: usize = s.fields.iter().map(|f| f.size).sum();
            assert_eq!(covered, s.size, "{} has implicit padding", s.rust);
        }
    }
}
