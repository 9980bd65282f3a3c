//! sim: a software RDNA1 (gfx1010) GPU behind the amdgpu ioctl boundary.
//!
//! - [`SimDriver`] implements [`amdgpu_kmd::Driver`]: the fake amdgpu kernel
//!   (GEM, VA, CTX, CS, INFO, syncobjs, PRIME fds) with the kernel's errnos, sparse
//!   host-backed memory behind a per-VM page table ([`kmd::mem`]) and the
//!   command processor ([`kmd::cp`]).
//! - [`exec`] runs waves of gfx10 machine code for each dispatch.
//! - [`open_device`] implements `--device auto|sim|PATH`.

#![forbid(unsafe_code)]

pub mod config;
pub mod device;
pub mod exec;
pub mod kmd;

pub use config::SimConfig;
pub use device::{open_device, DeviceKind, OpenedDevice};
pub use kmd::{JobReport, SimDriver, SimHandle};
