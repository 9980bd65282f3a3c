//! Per-dispatch counters and the optional single-wave trace.

/// Instruction classes counted per dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstClass {
    /// Scalar ALU.
    Salu,
    /// Vector ALU.
    Valu,
    /// Scalar memory.
    Smem,
    /// Vector memory (FLAT/GLOBAL/SCRATCH/MUBUF).
    Vmem,
    /// LDS / GDS.
    Lds,
    /// Branches and program control (SOPP).
    Branch,
    /// Waitcnt, nop, barrier, sendmsg and other bookkeeping.
    Misc,
}

/// Number of [`InstClass`] values.
pub const NUM_CLASSES: usize = 7;

/// Names of the classes, indexed by `InstClass as usize`.
pub const CLASS_NAMES: [&str; NUM_CLASSES] =
    ["salu", "valu", "smem", "vmem", "lds", "branch", "misc"];

/// What one dispatch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DispatchCounters {
    /// Instructions by class (index `InstClass as usize`).
    pub instructions: [u64; NUM_CLASSES],
    /// Sum over VALU instructions of active lanes.
    pub valu_active_lanes: u64,
    /// Sum over VALU instructions of wave width (utilisation = active / total).
    pub valu_total_lanes: u64,
    /// Bytes read from global memory (FLAT/GLOBAL/MUBUF to non-scratch).
    pub global_bytes_read: u64,
    /// Bytes written to global memory.
    pub global_bytes_written: u64,
    /// Bytes read by scalar loads (kernargs, constants).
    pub scalar_bytes_read: u64,
    /// Bytes read from scratch.
    pub scratch_bytes_read: u64,
    /// Bytes written to scratch.
    pub scratch_bytes_written: u64,
    /// LDS instructions executed.
    pub lds_ops: u64,
    /// LDS bytes read.
    pub lds_bytes_read: u64,
    /// LDS bytes written.
    pub lds_bytes_written: u64,
    /// s_barrier instructions executed (per wave).
    pub barriers: u64,
    /// Waves launched.
    pub waves: u64,
    /// Workgroups launched.
    pub workgroups: u64,
    /// The trace of the chosen wave, when one was asked for.
    pub trace: Vec<TraceEntry>,
}

impl DispatchCounters {
    /// All instructions.
    pub fn total_instructions(&self) -> u64 {
        self.instructions.iter().sum()
    }

    /// Lane operations: VALU active lanes (the figure the bench reports).
    pub fn lane_ops(&self) -> u64 {
        self.valu_active_lanes
    }

    /// VALU lane utilisation in [0, 1].
    pub fn valu_utilisation(&self) -> f64 {
        if self.valu_total_lanes == 0 {
            0.0
        } else {
            self.valu_active_lanes as f64 / self.valu_total_lanes as f64
        }
    }

    /// Adds another dispatch's counters (trace excluded).
    pub fn accumulate(&mut self, o: &DispatchCounters) {
        for (a, b) in self.instructions.iter_mut().zip(o.instructions) {
            *a += b;
        }
        self.valu_active_lanes += o.valu_active_lanes;
        self.valu_total_lanes += o.valu_total_lanes;
        self.global_bytes_read += o.global_bytes_read;
        self.global_bytes_written += o.global_bytes_written;
        self.scalar_bytes_read += o.scalar_bytes_read;
        self.scratch_bytes_read += o.scratch_bytes_read;
        self.scratch_bytes_written += o.scratch_bytes_written;
        self.lds_ops += o.lds_ops;
        self.lds_bytes_read += o.lds_bytes_read;
        self.lds_bytes_written += o.lds_bytes_written;
        self.barriers += o.barriers;
        self.waves += o.waves;
        self.workgroups += o.workgroups;
    }
}

/// One executed instruction of the traced wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    /// Instruction VA.
    pub pc: u64,
    /// Instruction text.
    pub text: String,
    /// Registers whose value changed: (name, new value), e.g. ("s4", 0x10),
    /// ("v3[7]", 0x3f800000), ("exec", …), ("scc", 1).
    pub changes: Vec<(String, u64)>,
}

impl TraceEntry {
    /// One line: `pc\ttext\tname=value ...`.
    pub fn to_line(&self) -> String {
        let mut s = format!("{:x}\t{}", self.pc, self.text);
        for (n, v) in &self.changes {
            s.push_str(&format!("\t{n}=0x{v:x}"));
        }
        s
    }
}
