//! pm4: typed PM4 packet builder and decoder for AMD gfx10 (RDNA1, gfx1010) and gfx10.3,
//! the gfx10 compute register database, and the compute-dispatch recipe. gfx11 (RDNA3) is
//! described as data (gfx11 register rows, `regs::GEN_INFO`); untested on hardware, see
//! `firmware-notes/gfx11-dispatch.md`.
//!
//! - [`op`]: opcodes (`pm4::op::DISPATCH_DIRECT`), header, per-packet dword layouts.
//! - [`regs`]: the register table (`pm4::regs::COMPUTE_PGM_LO` byte address,
//!   `pm4::regs::COMPUTE_PGM_RSRC2::LDS_SIZE` field).
//! - [`builder`]: one emit helper per packet, `wreg` register writer.
//! - [`dispatch`]: [`dispatch::DispatchDesc`] → IB, [`dispatch::IbBuilder`] with patch points.
//! - [`decode`]: [`decode::Packets`] streaming iterator, text and JSON output.
//!
//! See `pm4/API.md` and `firmware-notes/pm4-dispatch.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod field;

pub mod builder;
pub mod decode;
pub mod dispatch;
pub mod op;
pub mod regs;

pub use builder::{BuildError, CmdStream};
pub use decode::{DecodeError, Packet, Packets};
pub use dispatch::{
    scratch_rsrc, user_sgprs_from_properties, DispatchDesc, Fence, IbBuilder, Patch, RecipeOptions,
    ScratchSetup, UserSgprValues,
};
pub use field::Field;
