//! Kernarg segment builder: explicit argument values + metadata → the bytes the kernel's
//! kernarg pointer addresses, with every hidden argument the metadata lists filled the way
//! ROCr/CLR would (there is no runtime here, so we are the runtime).
//!
//! Hidden argument semantics: AMDGPUUsage "Code Object V5 Metadata" (`.value_kind`
//! `hidden_*` table) and "Implicit Kernel Arguments" layout; LLVM
//! `AMDGPUHSAMetadataStreamer.cpp` `MetadataStreamerMsgPackV5::emitHiddenKernelArgs`.
//! Offsets are taken from the metadata, never assumed; [`COV5_IMPLICIT_LAYOUT`] records the
//! v5 layout so tests can check the compiler agrees.

use crate::error::{Error, Result};
use crate::metadata::{ArgMeta, KernelMeta, ValueKind};
use serde::Serialize;

/// Code-object-v5 implicit arguments: (value kind, offset from the start of the implicit
/// block, size). AMDGPUUsage "Code Object V5 ... implicit kernel arguments" table.
pub const COV5_IMPLICIT_LAYOUT: &[(&str, u32, u32)] = &[
    ("hidden_block_count_x", 0, 4),
    ("hidden_block_count_y", 4, 4),
    ("hidden_block_count_z", 8, 4),
    ("hidden_group_size_x", 12, 2),
    ("hidden_group_size_y", 14, 2),
    ("hidden_group_size_z", 16, 2),
    ("hidden_remainder_x", 18, 2),
    ("hidden_remainder_y", 20, 2),
    ("hidden_remainder_z", 22, 2),
    ("hidden_global_offset_x", 40, 8),
    ("hidden_global_offset_y", 48, 8),
    ("hidden_global_offset_z", 56, 8),
    ("hidden_grid_dims", 64, 2),
    ("hidden_printf_buffer", 72, 8),
    ("hidden_hostcall_buffer", 80, 8),
    ("hidden_multigrid_sync_arg", 88, 8),
    ("hidden_heap_v1", 96, 8),
    ("hidden_default_queue", 104, 8),
    ("hidden_completion_action", 112, 8),
    ("hidden_dynamic_lds_size", 120, 4),
    ("hidden_private_base", 192, 4),
    ("hidden_shared_base", 196, 4),
    ("hidden_queue_ptr", 200, 8),
];

/// Maximum LDS one workgroup may allocate on gfx10 (64 KiB; AMDGPUUsage "Memory Spaces").
pub const MAX_LDS_PER_WORKGROUP: u32 = 65536;

/// Grid and workgroup shape of one dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dispatch {
    /// Grid size in work-items per dimension.
    pub grid: [u32; 3],
    /// Workgroup size in work-items per dimension.
    pub block: [u32; 3],
    /// Global offset (OpenCL `get_global_offset`).
    pub global_offset: [u64; 3],
    /// Number of dimensions (1..3).
    pub dims: u16,
}

impl Dispatch {
    /// A dispatch of `groups` workgroups of `block` work-items (the `rocless launch`
    /// convention). Dimensions = highest dimension with more than one work-item (min 1).
    pub fn from_workgroups(groups: [u32; 3], block: [u32; 3]) -> Result<Self> {
        let mut grid = [0u32; 3];
        for i in 0..3 {
            grid[i] = groups[i]
                .checked_mul(block[i])
                .ok_or_else(|| Error::Kernarg {
                    kernel: "(dispatch shape)".into(),
                    detail: format!(
                        "grid dimension {i}: {} groups x {} overflows u32",
                        groups[i], block[i]
                    ),
                })?;
        }
        Self::from_workitems(grid, block)
    }

    /// A dispatch of `grid` work-items in groups of `block` (partial last groups allowed).
    pub fn from_workitems(grid: [u32; 3], block: [u32; 3]) -> Result<Self> {
        for i in 0..3 {
            if grid[i] == 0 || block[i] == 0 || block[i] > 1024 {
                return Err(Error::Kernarg {
                    kernel: "(dispatch shape)".into(),
                    detail: format!(
                        "dimension {i}: grid {} block {} (need grid >= 1, 1 <= block <= 1024)",
                        grid[i], block[i]
                    ),
                });
            }
        }
        let dims = if grid[2] > 1 || block[2] > 1 {
            3
        } else if grid[1] > 1 || block[1] > 1 {
            2
        } else {
            1
        };
        Ok(Dispatch {
            grid,
            block,
            global_offset: [0; 3],
            dims,
        })
    }

    /// Workgroups per dimension (ceil(grid / block)).
    pub fn workgroups(&self) -> [u32; 3] {
        [0, 1, 2].map(|i| self.grid[i].div_ceil(self.block[i]))
    }

    /// Work-items in the last (partial) workgroup per dimension, 0 if it is full.
    pub fn remainders(&self) -> [u32; 3] {
        [0, 1, 2].map(|i| self.grid[i] % self.block[i])
    }

    /// Work-items per workgroup.
    pub fn workgroup_size(&self) -> u32 {
        self.block.iter().product()
    }
}

/// Runtime pointers / apertures some hidden arguments carry. All default to 0: kernels
/// built without printf/hostcall/device-enqueue never read them, and a kernel that does
/// gets a null pointer (a clean fault) rather than garbage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HiddenPointers {
    /// `hidden_printf_buffer`.
    pub printf_buffer: u64,
    /// `hidden_hostcall_buffer`.
    pub hostcall_buffer: u64,
    /// `hidden_multigrid_sync_arg`.
    pub multigrid_sync_arg: u64,
    /// `hidden_heap_v1`.
    pub heap_v1: u64,
    /// `hidden_default_queue`.
    pub default_queue: u64,
    /// `hidden_completion_action`.
    pub completion_action: u64,
    /// `hidden_queue_ptr`.
    pub queue_ptr: u64,
    /// `hidden_private_base`: high 32 bits of the private (scratch) aperture.
    pub private_base: u32,
    /// `hidden_shared_base`: high 32 bits of the shared (LDS) aperture.
    pub shared_base: u32,
}

/// Value of one explicit argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgValue {
    /// Raw little-endian bytes; length must equal the argument's `.size`.
    Bytes(Vec<u8>),
    /// A 64-bit GPU address for a `global_buffer` argument.
    Pointer(u64),
    /// Byte size of a dynamically sized `__local` buffer (`dynamic_shared_pointer`); the
    /// builder assigns its LDS offset after the static LDS.
    DynamicLds(u32),
}

macro_rules! scalar_ctor {
    ($($name:ident: $t:ty),*) => {
        impl ArgValue {
            $(
                #[doc = concat!("A `", stringify!($t), "` scalar.")]
                pub fn $name(v: $t) -> Self {
                    ArgValue::Bytes(v.to_le_bytes().to_vec())
                }
            )*
        }
    };
}
scalar_ctor!(u8: u8, i8: i8, u16: u16, i16: i16, u32: u32, i32: i32, u64: u64, i64: i64, f32: f32, f64: f64);

/// A built kernarg segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kernarg {
    /// Segment bytes (length `.kernarg_segment_size`).
    pub bytes: Vec<u8>,
    /// Required alignment of the segment's address (`.kernarg_segment_align`, >= 16 is
    /// what ROCr uses; the caller may align more).
    pub align: u32,
    /// Dynamic LDS bytes requested through `dynamic_shared_pointer` arguments.
    pub dynamic_lds_bytes: u32,
    /// Total LDS per workgroup (static + dynamic): what RSRC2.LDS_SIZE must cover.
    pub lds_bytes: u32,
    /// LDS offset given to each dynamic-LDS argument: (argument index, offset).
    pub dynamic_lds_offsets: Vec<(usize, u32)>,
}

/// Builds the kernarg segment of one kernel.
#[derive(Debug, Clone)]
pub struct KernargBuilder<'a> {
    kernel: &'a KernelMeta,
    explicit: Vec<&'a ArgMeta>,
    values: Vec<Option<ArgValue>>,
    dispatch: Option<Dispatch>,
    pointers: HiddenPointers,
}

impl<'a> KernargBuilder<'a> {
    /// Starts a builder for `kernel`; every explicit argument must then be given.
    pub fn new(kernel: &'a KernelMeta) -> Self {
        let explicit: Vec<&ArgMeta> = kernel.explicit_args().collect();
        let n = explicit.len();
        KernargBuilder {
            kernel,
            explicit,
            values: vec![None; n],
            dispatch: None,
            pointers: HiddenPointers::default(),
        }
    }

    fn err(&self, detail: String) -> Error {
        Error::Kernarg {
            kernel: self.kernel.name.clone(),
            detail,
        }
    }

    /// Number of explicit arguments.
    pub fn explicit_count(&self) -> usize {
        self.explicit.len()
    }

    /// Sets explicit argument `index` (0-based, hidden arguments excluded).
    pub fn set(&mut self, index: usize, value: ArgValue) -> Result<&mut Self> {
        let Some(arg) = self.explicit.get(index) else {
            return Err(self.err(format!(
                "argument {index} does not exist (the kernel has {})",
                self.explicit.len()
            )));
        };
        let name = arg.name.clone().unwrap_or_else(|| format!("#{index}"));
        match (&value, &arg.value_kind) {
            (ArgValue::DynamicLds(_), ValueKind::DynamicSharedPointer) => {}
            (ArgValue::DynamicLds(_), k) => {
                return Err(self.err(format!(
                    "argument {index} ({name}) is {}, not a __local pointer",
                    k.as_str()
                )))
            }
            (_, ValueKind::DynamicSharedPointer) => {
                return Err(self.err(format!(
                    "argument {index} ({name}) is a __local pointer: give its byte size (lds)"
                )))
            }
            (ArgValue::Pointer(_), _) if arg.size != 8 => {
                return Err(self.err(format!(
                    "argument {index} ({name}) has size {}, a pointer needs 8",
                    arg.size
                )))
            }
            (ArgValue::Bytes(b), _) if b.len() != arg.size as usize => {
                return Err(self.err(format!(
                    "argument {index} ({name}, {}) takes {} bytes, got {}",
                    arg.type_name.as_deref().unwrap_or(arg.value_kind.as_str()),
                    arg.size,
                    b.len()
                )))
            }
            _ => {}
        }
        self.values[index] = Some(value);
        Ok(self)
    }

    /// Sets the next unset explicit argument.
    pub fn push(&mut self, value: ArgValue) -> Result<&mut Self> {
        let idx = self
            .values
            .iter()
            .position(Option::is_none)
            .ok_or_else(|| {
                self.err(format!(
                    "all {} explicit arguments are already set",
                    self.explicit.len()
                ))
            })?;
        self.set(idx, value)
    }

    /// Sets the grid/workgroup shape the hidden arguments describe.
    pub fn dispatch(&mut self, d: Dispatch) -> &mut Self {
        self.dispatch = Some(d);
        self
    }

    /// Sets runtime pointers for pointer-valued hidden arguments.
    pub fn pointers(&mut self, p: HiddenPointers) -> &mut Self {
        self.pointers = p;
        self
    }

    /// Builds the segment. Errors name the missing/invalid argument.
    pub fn build(&self) -> Result<Kernarg> {
        let k = self.kernel;
        let mut bytes = vec![0u8; k.kernarg_segment_size as usize];
        // Dynamic LDS buffers follow the static LDS, each aligned to its pointee alignment
        // (the layout ROCr/CLR use: group_segment_fixed_size, then dynamic allocations).
        let mut lds_end = k.group_segment_fixed_size;
        let mut dynamic_lds_offsets = Vec::new();
        for (i, (arg, value)) in self.explicit.iter().zip(&self.values).enumerate() {
            let name = arg.name.clone().unwrap_or_else(|| format!("#{i}"));
            let value = value.as_ref().ok_or_else(|| {
                self.err(format!(
                    "argument {i} ({name}, {}) was not given",
                    arg.value_kind.as_str()
                ))
            })?;
            let at = arg.offset as usize;
            match value {
                ArgValue::Bytes(b) => bytes[at..at + b.len()].copy_from_slice(b),
                ArgValue::Pointer(p) => bytes[at..at + 8].copy_from_slice(&p.to_le_bytes()),
                ArgValue::DynamicLds(size) => {
                    let align = arg.pointee_align.unwrap_or(4).max(1);
                    let off = lds_end.div_ceil(align).checked_mul(align);
                    let end = off.and_then(|o| o.checked_add(*size));
                    let (off, end) = match (off, end) {
                        (Some(o), Some(e)) if e <= MAX_LDS_PER_WORKGROUP => (o, e),
                        _ => {
                            return Err(self.err(format!(
                                "argument {i} ({name}): {size} dynamic LDS bytes after {lds_end} exceed {MAX_LDS_PER_WORKGROUP}"
                            )))
                        }
                    };
                    let n = (arg.size as usize).min(4);
                    bytes[at..at + n].copy_from_slice(&off.to_le_bytes()[..n]);
                    dynamic_lds_offsets.push((i, off));
                    lds_end = end;
                }
            }
        }
        let dynamic_lds_bytes = lds_end - k.group_segment_fixed_size;
        let hidden: Vec<&ArgMeta> = k.args.iter().filter(|a| a.value_kind.is_hidden()).collect();
        let needs_dispatch = hidden.iter().any(|a| {
            let n = a.value_kind.as_str();
            n.starts_with("hidden_block_count")
                || n.starts_with("hidden_group_size")
                || n.starts_with("hidden_remainder")
                || n == "hidden_grid_dims"
                || n.starts_with("hidden_global_offset")
        });
        let d = match self.dispatch {
            Some(d) => d,
            None if needs_dispatch => {
                return Err(self.err(
                    "hidden grid arguments need the dispatch shape (call .dispatch())".into(),
                ))
            }
            None => Dispatch {
                grid: [1; 3],
                block: [1; 3],
                global_offset: [0; 3],
                dims: 1,
            },
        };
        let groups = d.workgroups();
        let rem = d.remainders();
        let p = &self.pointers;
        for a in hidden {
            let name = a.value_kind.as_str();
            let axis = |s: &str| match s.as_bytes().last() {
                Some(b'y') => 1,
                Some(b'z') => 2,
                _ => 0,
            };
            let value: u64 = match name {
                n if n.starts_with("hidden_block_count_") => u64::from(groups[axis(n)]),
                n if n.starts_with("hidden_group_size_") => u64::from(d.block[axis(n)]),
                n if n.starts_with("hidden_remainder_") => u64::from(rem[axis(n)]),
                n if n.starts_with("hidden_global_offset_") => d.global_offset[axis(n)],
                "hidden_grid_dims" => u64::from(d.dims),
                "hidden_dynamic_lds_size" => u64::from(dynamic_lds_bytes),
                "hidden_printf_buffer" => p.printf_buffer,
                "hidden_hostcall_buffer" => p.hostcall_buffer,
                "hidden_multigrid_sync_arg" => p.multigrid_sync_arg,
                "hidden_heap_v1" => p.heap_v1,
                "hidden_default_queue" => p.default_queue,
                "hidden_completion_action" => p.completion_action,
                "hidden_queue_ptr" => p.queue_ptr,
                "hidden_private_base" => u64::from(p.private_base),
                "hidden_shared_base" => u64::from(p.shared_base),
                // hidden_none and kinds this loader does not know stay zero.
                _ => 0,
            };
            let at = a.offset as usize;
            let n = (a.size as usize).min(8);
            bytes[at..at + n].copy_from_slice(&value.to_le_bytes()[..n]);
        }
        Ok(Kernarg {
            bytes,
            align: k.kernarg_segment_align,
            dynamic_lds_bytes,
            lds_bytes: lds_end,
            dynamic_lds_offsets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_shape() {
        let d = Dispatch::from_workitems([100, 1, 1], [64, 1, 1]).unwrap();
        assert_eq!(d.workgroups(), [2, 1, 1]);
        assert_eq!(d.remainders(), [36, 0, 0]);
        assert_eq!(d.dims, 1);
        let d = Dispatch::from_workgroups([4, 3, 2], [8, 8, 1]).unwrap();
        assert_eq!(d.grid, [32, 24, 2]);
        assert_eq!(d.dims, 3);
        assert!(Dispatch::from_workitems([0, 1, 1], [1, 1, 1]).is_err());
        assert!(Dispatch::from_workgroups([u32::MAX, 1, 1], [2, 1, 1]).is_err());
    }
}
