//! Per-dispatch counters and the optional single-wave trace.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Cache-line size of the DRAM-traffic model (Navi 10 L2: 128-byte lines, 4 MiB).
pub const DRAM_LINE: u64 = 128;
const LINES_PER_PAGE: u64 = 512;

/// Hasher for page numbers (u64 keys): one multiply, no SipHash.
#[derive(Default)]
pub struct PageHasher(u64);

impl Hasher for PageHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// `BuildHasher` of [`PageHasher`].
pub type PageHash = BuildHasherDefault<PageHasher>;

/// The distinct 128-byte lines of global memory one dispatch read: the DRAM traffic of a
/// GPU whose L2 keeps every line a dispatch touches (cold at dispatch start). Re-reads of
/// the same line by other lanes, waves or workgroups of the dispatch count once, as they
/// hit in L0/L1/L2 on hardware; nothing is carried across dispatches (conservative).
#[derive(Debug, Clone)]
pub struct LineSet {
    /// Page number -> index into `bits`.
    index: HashMap<u64, u32, PageHash>,
    /// One bit per line of each page touched.
    bits: Vec<PageBits>,
    /// The last page looked up (neighbouring lanes hit the same page): no hashing then.
    last: (u64, u32),
    lines: u64,
}

type PageBits = [u64; (LINES_PER_PAGE / 64) as usize];

impl Default for LineSet {
    fn default() -> Self {
        Self {
            index: HashMap::default(),
            bits: Vec::new(),
            last: (u64::MAX, 0),
            lines: 0,
        }
    }
}

impl PartialEq for LineSet {
    fn eq(&self, o: &Self) -> bool {
        self.lines == o.lines
    }
}
impl Eq for LineSet {}

impl LineSet {
    /// The bit words of `page`, created empty on first use.
    #[inline]
    fn page(&mut self, page: u64) -> &mut PageBits {
        if self.last.0 != page {
            let next = self.bits.len() as u32;
            let i = *self.index.entry(page).or_insert(next);
            if i == next {
                self.bits.push([0; (LINES_PER_PAGE / 64) as usize]);
            }
            self.last = (page, i);
        }
        &mut self.bits[self.last.1 as usize]
    }

    /// Marks the lines of `[va, va + len)`.
    #[inline(always)]
    pub fn touch(&mut self, va: u64, len: u64) {
        // The common case inline: one line of the last page used.
        let line = va / DRAM_LINE;
        if len != 0 && (va + len - 1) / DRAM_LINE == line && line / LINES_PER_PAGE == self.last.0 {
            let i = (line % LINES_PER_PAGE) as usize;
            let w = &mut self.bits[self.last.1 as usize][i / 64];
            let m = 1u64 << (i % 64);
            self.lines += u64::from(*w & m == 0);
            *w |= m;
            return;
        }
        self.touch_slow(va, len);
    }

    #[inline(never)]
    fn touch_slow(&mut self, va: u64, len: u64) {
        if len == 0 {
            return;
        }
        let (first, last) = (va / DRAM_LINE, (va + len - 1) / DRAM_LINE);
        let mut line = first;
        let mut new = 0;
        while line <= last {
            let page = line / LINES_PER_PAGE;
            let bits = self.page(page);
            let end = last.min((page + 1) * LINES_PER_PAGE - 1);
            while line <= end {
                let i = (line % LINES_PER_PAGE) as usize;
                let m = 1u64 << (i % 64);
                new += u64::from(bits[i / 64] & m == 0);
                bits[i / 64] |= m;
                line += 1;
            }
        }
        self.lines += new;
    }

    /// Distinct lines marked.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Adds every line of `o`.
    pub fn union(&mut self, o: &LineSet) {
        for (page, &i) in &o.index {
            let theirs = o.bits[i as usize];
            let mine = self.page(*page);
            let mut new = 0;
            for (a, b) in mine.iter_mut().zip(theirs) {
                new += u64::from((b & !*a).count_ones());
                *a |= b;
            }
            self.lines += new;
        }
    }
}

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
    /// Bytes of distinct 128-byte lines the dispatch read from global memory: the
    /// DRAM-traffic model of [`LineSet`] (what an RX 5700 XT would fetch from GDDR6 if its
    /// 4 MiB L2 kept the dispatch's lines), against `global_bytes_read` = bytes requested
    /// by the lanes (L0/L1 traffic).
    pub global_dram_bytes_read: u64,
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
    /// Lines read so far (turned into `global_dram_bytes_read` at the end of the dispatch).
    pub dram_lines: LineSet,
}

impl DispatchCounters {
    /// All instructions.
    pub fn total_instructions(&self) -> u64 {
        self.instructions.iter().sum()
    }

    /// Adds the counters of a worker that ran other workgroups of the same dispatch
    /// (lines read by both count once).
    pub fn merge(&mut self, o: DispatchCounters) {
        self.accumulate(&o);
        self.dram_lines.union(&o.dram_lines);
        self.trace.extend(o.trace);
    }

    /// Ends the dispatch: the line set becomes `global_dram_bytes_read`.
    pub fn finish_dispatch(&mut self) {
        self.global_dram_bytes_read += self.dram_lines.lines() * DRAM_LINE;
        self.dram_lines = LineSet::default();
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
        self.global_dram_bytes_read += o.global_dram_bytes_read;
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

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn lines_count_once_and_span_pages() {
        let mut s = LineSet::default();
        s.touch(0, 4);
        s.touch(100, 4); // same line
        s.touch(124, 8); // lines 0 and 1
        assert_eq!(s.lines(), 2);
        s.touch(LINES_PER_PAGE * DRAM_LINE - 4, 8); // last line of page 0, first of page 1
        assert_eq!(s.lines(), 4);
        s.touch(1 << 40, 1024);
        assert_eq!(s.lines(), 12);
        s.touch(5, 0);
        assert_eq!(s.lines(), 12);
        let mut c = DispatchCounters {
            dram_lines: s,
            ..Default::default()
        };
        let mut other = LineSet::default();
        other.touch(0, 256); // lines 0 and 1: already counted
        other.touch(1 << 41, 1); // new
        c.dram_lines.union(&other);
        assert_eq!(c.dram_lines.lines(), 13);
        c.finish_dispatch();
        assert_eq!(c.global_dram_bytes_read, 13 * DRAM_LINE);
        assert_eq!(c.dram_lines.lines(), 0);
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
