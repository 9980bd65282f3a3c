//! loader: AMDGPU ELF code objects (`.hsaco`) — parse and validate, decode kernel
//! descriptors and NT_AMDGPU_METADATA, build the load image (relocated for a GPU address),
//! the kernarg segment (explicit + hidden arguments) and the user-SGPR layout a dispatcher
//! needs. See `API.md` for the public surface and `firmware-notes/kernarg-and-user-sgprs.md`
//! for how each value reaches the wave.
//!
//! ```no_run
//! use loader::{CodeObject, Dispatch, KernargBuilder, ArgValue, Mach};
//! let co = CodeObject::parse(&std::fs::read("saxpy.hsaco")?)?;
//! co.check_device(&Mach::from_name("gfx1010")?, false)?;
//! let k = co.kernel("saxpy")?;
//! let image = co.load(0x1_0000_0000)?;
//! let mut kb = KernargBuilder::new(&k.metadata);
//! kb.push(ArgValue::f32(2.0))?.push(ArgValue::Pointer(0x2000_0000))?
//!   .push(ArgValue::Pointer(0x3000_0000))?.push(ArgValue::u32(1000))?;
//! kb.dispatch(Dispatch::from_workgroups([16, 1, 1], [64, 1, 1])?);
//! let kernarg = kb.build()?;
//! let sgprs = loader::sgpr_layout(&k.descriptor, &k.name)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

pub mod aql;
pub mod code_object;
pub mod descriptor;
pub mod elf;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod image;
pub mod kernarg;
pub mod metadata;
pub mod occupancy;
pub mod target;
pub mod user_sgpr;

pub use code_object::{CodeObject, Kernel, Reloc};
pub use descriptor::KernelDescriptor;
pub use error::{Error, Result};
pub use image::{LoadImage, LoadedKernel};
pub use kernarg::{ArgValue, Dispatch, HiddenPointers, Kernarg, KernargBuilder};
pub use metadata::{ArgMeta, KernelMeta, Metadata, ValueKind};
pub use occupancy::{estimate as estimate_occupancy, DeviceLimits, Occupancy};
pub use target::{CodeObjectVersion, FeatureSetting, Gen, Mach, Target};
pub use user_sgpr::{sgpr_layout, SgprLayout, UserSgpr, UserSgprKind, UserSgprValues};
