//! Shared helpers of the fake-kernel tests: a simulated device, the errno of a
//! failed call, and raw ioctls through the same `Driver` a real device uses.
#![allow(dead_code)]

use amdgpu_kmd::{Device, Errno, Error, KmdError, UserMem};
use sim::{SimConfig, SimDriver};

/// A simulated Navi 10 with the default configuration.
pub fn dev() -> Device {
    Device::new(Box::new(SimDriver::new(SimConfig::default()))).unwrap()
}

/// The errno of a call that must fail in the kernel.
pub fn errno<T: std::fmt::Debug>(r: amdgpu_kmd::Result<T>) -> Errno {
    match r {
        Err(Error::Kmd(KmdError { errno, .. })) => errno,
        other => panic!("expected an errno, got {other:?}"),
    }
}

/// One ioctl with `arg` as its struct; the struct as the kernel left it.
pub fn raw<T: bytemuck::Pod>(d: &Device, req: u64, arg: T) -> Result<T, Errno> {
    raw_with(d, req, arg, &mut UserMem::new())
}

/// [`raw`] with user memory the ioctl's pointers refer to.
pub fn raw_with<T: bytemuck::Pod>(
    d: &Device,
    req: u64,
    mut arg: T,
    user: &mut UserMem<'_>,
) -> Result<T, Errno> {
    d.driver()
        .ioctl(req, bytemuck::bytes_of_mut(&mut arg), user)
        .map(|_| arg)
}
