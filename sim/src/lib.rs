//! sim: a software RDNA1 (gfx1010) GPU behind the amdgpu ioctl boundary.
//!
//! `exec` runs waves of gfx10 machine code; the rest (fake kernel driver,
//! GPU VM, command processor) lives in sibling modules.

pub mod exec;
