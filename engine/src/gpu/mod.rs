//! The GPU forward pass: the embedded `kernels` run through the amdgpu Device API (real
//! render node or the `sim` simulator behind the same ioctls).
//!
//! [`Runtime`] loads the kernels and turns batches of dispatches into [`Program`]s — one IB,
//! one CS ioctl, one fence wait each, with barriers only where a dispatch reads or overwrites
//! what an earlier one of the same group writes (or reads).

mod hazard;
mod model;
mod runtime;

pub use model::{GpuModel, Prompt, TokenStats};

pub use runtime::{
    Arg, Batch, Buffer, DispatchId, Kernel, Memory, Program, RunReport, Runtime, STAGING_BYTES,
    WAIT,
};
