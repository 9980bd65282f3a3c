//! gfx10 wave executor: runs the machine code of one compute dispatch.
//!
//! The command processor hands over the compute registers as a
//! [`DispatchState`]; [`run_dispatch`] (or [`Executor::run`], which caches the
//! pre-decoded program between dispatches) executes every workgroup against a
//! [`GpuMemory`] and returns [`DispatchCounters`] or an [`ExecError`]
//! (VM fault, timeout, unimplemented instruction). See `API.md`.
//!
//! Design: each kernel is decoded once (isa crate) into [`ir::Uop`]s whose
//! handler function is resolved at pre-decode time; waves keep SGPRs by
//! hardware encoding and VGPRs as lane arrays; workgroups run one at a time,
//! their waves round-robin between barriers, so runs are deterministic.

pub mod counters;
mod ctrl;
pub mod dispatch;
pub mod error;
mod fp16;
pub mod ir;
mod lds;
pub mod mem;
pub mod program;
mod salu;
mod sched;
mod smem;
pub mod table;
mod valu;
mod vmem;
pub mod wave;

pub use counters::{DispatchCounters, InstClass, TraceEntry, CLASS_NAMES};
pub use dispatch::{
    Budget, DispatchState, Rsrc, Target, PRIVATE_APERTURE_BASE, SHARED_APERTURE_BASE,
};
pub use error::ExecError;
pub use mem::{FlatMemory, GpuMemory, MemFault};

mod decode;

use std::collections::HashMap;

use program::Program;

/// Executes dispatches and keeps pre-decoded programs between them.
///
/// Programs are keyed by (program VA, target, wave size) and revalidated
/// against the code bytes in memory on every dispatch, so re-uploading
/// different code at the same VA is safe.
#[derive(Default)]
pub struct Executor {
    cache: HashMap<(u64, Target, bool), Program>,
}

impl Executor {
    /// An executor with an empty program cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Drops all cached programs.
    pub fn clear_cache(&mut self) {
        self.cache.clear();
    }

    /// Runs one dispatch.
    pub fn run(
        &mut self,
        d: &DispatchState,
        mem: &mut dyn GpuMemory,
        budget: &Budget,
    ) -> Result<DispatchCounters, ExecError> {
        let key = (d.pgm_va, d.target, d.wave32);
        let valid = match self.cache.get(&key) {
            Some(p) => {
                let mut cur = vec![0u8; p.code.len()];
                mem.read(d.pgm_va, &mut cur).is_ok() && cur == p.code
            }
            None => false,
        };
        if !valid {
            let p = load_program(d, mem)?;
            self.cache.insert(key, p);
        }
        let prog = &self.cache[&key];
        sched::run_program(prog, d, mem, budget)
    }
}

fn load_program(d: &DispatchState, mem: &mut dyn GpuMemory) -> Result<Program, ExecError> {
    let (target, wave64) = (d.target, !d.wave32);
    program::build(mem, d.pgm_va, &|b| decode::decode(b, target, wave64))
}

/// Pre-decodes the program a dispatch would run (for coverage checks and
/// tools): see [`program::Program::unsupported`].
pub fn predecode(d: &DispatchState, mem: &mut dyn GpuMemory) -> Result<Program, ExecError> {
    load_program(d, mem)
}

/// Runs one dispatch without caching the decoded program.
pub fn run_dispatch(
    d: &DispatchState,
    mem: &mut dyn GpuMemory,
    budget: &Budget,
) -> Result<DispatchCounters, ExecError> {
    let prog = load_program(d, mem)?;
    sched::run_program(&prog, d, mem, budget)
}
