//! Mnemonic → handler registry, built once per process. Pre-decoding looks
//! instructions up here, so execution never compares strings.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::counters::InstClass;
use super::ir::Handler;

/// How a source operand is typed; decides how inline constants widen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// 32-bit integer / bits.
    B32,
    /// 64-bit integer / bits (inline ints sign-extend, literals zero-extend).
    B64,
    /// f16 in the low half.
    F16,
    /// f32.
    F32,
    /// f64 (a literal is the high dword).
    F64,
    /// Two packed 16-bit values (VOP3P).
    Pk16,
}

/// One registered instruction.
#[derive(Clone, Copy)]
pub struct Entry {
    /// Mnemonic as LLVM prints it (without _e32/_e64/_sdwa/_dpp).
    pub name: &'static str,
    /// Semantics.
    pub f: Handler,
    /// Source operand types in print order.
    pub srcs: &'static [Ty],
}

impl Entry {
    /// An entry.
    pub const fn new(name: &'static str, f: Handler, srcs: &'static [Ty]) -> Self {
        Self { name, f, srcs }
    }

    /// Counter class from the mnemonic.
    pub fn class(&self) -> InstClass {
        class_of(self.name)
    }
}

/// Counter class of a mnemonic.
pub fn class_of(name: &str) -> InstClass {
    if name.starts_with("ds_") {
        InstClass::Lds
    } else if name.starts_with("s_load")
        || name.starts_with("s_buffer_load")
        || name.starts_with("s_mem")
        || name.starts_with("s_dcache")
        || name.starts_with("s_gl1")
    {
        InstClass::Smem
    } else if name.starts_with("s_branch")
        || name.starts_with("s_cbranch")
        || name.starts_with("s_endpgm")
        || name.starts_with("s_setpc")
        || name.starts_with("s_swappc")
        || name.starts_with("s_call")
    {
        InstClass::Branch
    } else if name.starts_with("s_waitcnt")
        || name.starts_with("s_nop")
        || name.starts_with("s_barrier")
        || name.starts_with("s_sendmsg")
        || name.starts_with("s_clause")
        || name.starts_with("s_inst_prefetch")
        || name.starts_with("s_code_end")
        || name.starts_with("s_sleep")
        || name.starts_with("s_setprio")
        || name.starts_with("s_icache")
        || name.starts_with("s_ttrace")
        || name.starts_with("buffer_gl")
        || name.starts_with("s_round")
        || name.starts_with("s_denorm")
    {
        InstClass::Misc
    } else if name.starts_with("s_") {
        InstClass::Salu
    } else if name.starts_with("v_") {
        InstClass::Valu
    } else {
        InstClass::Vmem
    }
}

/// The registry.
pub fn lookup(name: &str) -> Option<&'static Entry> {
    static MAP: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = HashMap::new();
        for e in super::salu::table()
            .into_iter()
            .chain(super::ctrl::table())
            .chain(super::valu::table())
            .chain(super::vmem::table())
            .chain(super::lds::table())
            .chain(super::smem::table())
        {
            m.insert(e.name, e);
        }
        m
    })
    .get(name)
}
