//! amdgpu-kmd: the typed amdgpu ioctl layer.
//!
//! - [`uapi`]: the `#[repr(C)]` structs, constants and request numbers of the
//!   kernel's `drm.h` / `amdgpu_drm.h`, plus the request-number decoder.
//! - [`driver`]: the ioctl boundary ([`Driver`], [`UserMem`], [`CpuMapping`]);
//!   [`RealDriver`] talks to a render node (the only `unsafe` code), the
//!   simulator implements the same trait, [`testing::RecordingDriver`]
//!   records requests for unit tests.
//! - [`Device`] and friends: the safe RAII API (BOs, VA, contexts,
//!   submission, fences, syncobjs), [`sysfs`] node enumeration, [`chips`]
//!   identification and [`report`] for `rocless info`.

#![deny(unsafe_code)]

mod bo;
pub mod chips;
mod device;
pub mod driver;
mod error;
pub mod pointers;
mod real;
pub mod report;
mod submit;
pub mod sysfs;
pub mod testing;
pub mod uapi;
pub mod va;

#[cfg(test)]
mod device_tests;

pub use bo::{Bo, BoDesc, BoFlags, Domains, VmFlags, GPU_PAGE_SIZE};
pub use device::{
    abs_timeout_ns, mmr_instance, Device, DriverVersion, FwVersion, Info, MMR_INSTANCE_BROADCAST,
};
pub use driver::{CpuMapping, Driver, Errno, UserMem};
pub use error::{Error, KmdError, Result};
pub use real::{map_file_readonly, RealDriver};
pub use submit::{BoList, Context, Fence, Ib, ResetState, Submit, SyncPoint, Syncobj};
