//! amdgpu-kmd: the typed amdgpu ioctl layer.
//!
//! `uapi` holds the `#[repr(C)]` structs and request numbers of the kernel's
//! `drm.h` / `amdgpu_drm.h`; `driver` is the one place where a request meets a
//! kernel (`RealDriver` on a render node, or `sim::SimDriver`); `Device` is the
//! safe API above it.

pub mod driver;

pub use driver::{CpuMapping, Driver, Errno, UserMem};
