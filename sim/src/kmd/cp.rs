//! The command processor: walks a job's IBs and executes PM4 type-3 packets
//! the way the gfx10 MEC firmware does for a compute queue.
//!
//! Register state is the SH/UCONFIG space written by SET_*_REG; DISPATCH_DIRECT
//! hands the compute registers to the wave executor. A job can stop in
//! WAIT_REG_MEM ([`CpOutcome::Blocked`]) and resume later from the same packet.
//! Anything the CP cannot execute (unknown opcode, truncated packet, bad IB)
//! fails the job like a CP hang.

use std::collections::HashMap;

use pm4::op::{self, sel};
use pm4::regs;

use super::mem::VmMem;
use crate::exec::{
    Budget, DispatchCounters, DispatchState, ExecError, Executor, GpuMemory, MemFault, Target,
};

/// Dwords in the SH register space (0xB000..0xC000).
const SH_DWORDS: usize = 0x400;
/// Absolute dword address of the SH space (kernel `PACKET3_SET_SH_REG_START`).
const SH_DW_BASE: u32 = regs::SH_REG_BASE / 4;
/// Deepest IB level the CP supports (ring → IB1 → IB2).
const MAX_IB_LEVEL: u8 = 2;
/// `INDIRECT_BUFFER` IB_SIZE is 20 bits of dwords.
const IB_SIZE_MASK: u32 = (1 << 20) - 1;

/// Persistent CP register state of the compute queue.
#[derive(Debug, Clone)]
pub struct CpRegs {
    sh: Vec<u32>,
    uconfig: HashMap<u32, u32>,
}

impl Default for CpRegs {
    fn default() -> Self {
        Self {
            sh: vec![0; SH_DWORDS],
            uconfig: HashMap::new(),
        }
    }
}

impl CpRegs {
    /// Value of an SH register by Mesa byte address.
    pub fn sh(&self, byte_addr: u32) -> u32 {
        self.sh[((byte_addr - regs::SH_REG_BASE) / 4) as usize]
    }

    fn set_sh(&mut self, dw_index: u32, v: u32) -> bool {
        match self.sh.get_mut(dw_index as usize) {
            Some(r) => {
                *r = v;
                true
            }
            None => false,
        }
    }

    /// Value of a UCONFIG register by byte address (0 when never written).
    pub fn uconfig(&self, byte_addr: u32) -> u32 {
        self.uconfig.get(&byte_addr).copied().unwrap_or(0)
    }

    /// Writes a register by absolute dword address (WRITE_DATA / COPY_DATA to
    /// a register); false when it is not in a space the CP may write.
    fn write_abs(&mut self, dw_addr: u32, v: u32) -> bool {
        let byte = dw_addr.wrapping_mul(4);
        match regs::RegSpace::of(byte) {
            Some(regs::RegSpace::Sh) => self.set_sh(dw_addr - SH_DW_BASE, v),
            Some(regs::RegSpace::Uconfig) => {
                self.uconfig.insert(byte, v);
                true
            }
            _ => false,
        }
    }

    fn read_abs(&self, dw_addr: u32) -> Option<u32> {
        let byte = dw_addr.wrapping_mul(4);
        match regs::RegSpace::of(byte) {
            Some(regs::RegSpace::Sh) => Some(self.sh(byte)),
            Some(regs::RegSpace::Uconfig) => Some(self.uconfig(byte)),
            _ => None,
        }
    }
}

/// One IB of a job (from a CS IB chunk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobIb {
    /// GPU VA of the first dword.
    pub va: u64,
    /// Size in dwords.
    pub dwords: u32,
}

#[derive(Debug, Clone)]
struct Frame {
    va: u64,
    dw: Vec<u32>,
    pos: usize,
    level: u8,
}

/// Execution state of one job (resumable after WAIT_REG_MEM).
#[derive(Debug, Clone)]
pub struct CpJob {
    ibs: Vec<JobIb>,
    next_ib: usize,
    stack: Vec<Frame>,
}

impl CpJob {
    /// A job that runs `ibs` in order.
    pub fn new(ibs: Vec<JobIb>) -> Self {
        Self {
            ibs,
            next_ib: 0,
            stack: Vec::new(),
        }
    }
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpError {
    /// A GPU VM fault (CP fetch/write or a shader access).
    #[error("GPU VM fault at va 0x{va:x} ({}) by {by}", if *.write { "write" } else { "read" })]
    Fault {
        /// Faulting VA.
        va: u64,
        /// Write access.
        write: bool,
        /// Who faulted (`CP WRITE_DATA at IB 0x…+0x…`, or the shader PC).
        by: String,
    },
    /// The job never finished (budget, WAIT_REG_MEM that never came true).
    #[error("GPU hang: {0}")]
    Hang(String),
    /// The CP could not parse or execute a packet.
    #[error("CP error: {0}")]
    Packet(String),
    /// The executor stopped on something it cannot run.
    #[error("shader error: {0}")]
    Shader(String),
}

/// Result of running a job (part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpOutcome {
    /// Every IB ran to the end.
    Done,
    /// Stopped in WAIT_REG_MEM polling this address; resume later.
    Blocked {
        /// Polled VA (or register byte address).
        addr: u64,
    },
    /// The job failed.
    Failed(CpError),
}

/// Per-job statistics.
#[derive(Debug, Clone, Default)]
pub struct CpStats {
    /// Type-3 packets executed.
    pub packets: u64,
    /// ACQUIRE_MEM packets (cache operations; the sim is coherent).
    pub acquire_mem: u64,
    /// EVENT_WRITE packets.
    pub event_writes: u64,
    /// RELEASE_MEM packets.
    pub release_mem: u64,
    /// Counters of each dispatch, in order.
    pub dispatches: Vec<DispatchCounters>,
}

/// Everything a job runs against.
pub struct Cp<'a, 'm> {
    /// Register state.
    pub regs: &'a mut CpRegs,
    /// GPU memory.
    pub mem: &'a mut VmMem<'m>,
    /// Wave executor.
    pub exec: &'a mut Executor,
    /// Dispatch budget.
    pub budget: Budget,
    /// Maximum packets (loop guard).
    pub max_packets: u64,
    /// Wave to trace.
    pub trace_wave: Option<u64>,
    /// GPU clock (100 MHz counter) for timestamps.
    pub clock: u64,
    /// Statistics.
    pub stats: &'a mut CpStats,
}

fn fault(f: MemFault, by: impl Into<String>) -> CpError {
    CpError::Fault {
        va: f.va,
        write: f.write,
        by: by.into(),
    }
}

impl Cp<'_, '_> {
    /// Runs (or resumes) `job` until it ends, blocks or fails.
    pub fn run(&mut self, job: &mut CpJob) -> CpOutcome {
        match self.run_inner(job) {
            Ok(o) => o,
            Err(e) => CpOutcome::Failed(e),
        }
    }

    fn fetch(&mut self, va: u64, dwords: u32, level: u8) -> Result<Frame, CpError> {
        if !va.is_multiple_of(4) {
            return Err(CpError::Packet(format!(
                "IB at 0x{va:x} is not dword aligned"
            )));
        }
        let mut bytes = vec![0u8; dwords as usize * 4];
        self.mem
            .read(va, &mut bytes)
            .map_err(|f| fault(f, format!("CP IB fetch of 0x{va:x} ({dwords} dwords)")))?;
        let dw = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Frame {
            va,
            dw,
            pos: 0,
            level,
        })
    }

    fn run_inner(&mut self, job: &mut CpJob) -> Result<CpOutcome, CpError> {
        loop {
            let Some(frame) = job.stack.last_mut() else {
                let Some(ib) = job.ibs.get(job.next_ib).copied() else {
                    return Ok(CpOutcome::Done);
                };
                job.next_ib += 1;
                let f = self.fetch(ib.va, ib.dwords, 1)?;
                job.stack.push(f);
                continue;
            };
            if frame.pos >= frame.dw.len() {
                job.stack.pop();
                continue;
            }
            let at = format!("IB 0x{:x}+0x{:x}", frame.va, frame.pos * 4);
            let header = frame.dw[frame.pos];
            let ty = op::HEADER::TYPE.get(header);
            if header == op::TYPE2_NOP {
                frame.pos += 1;
                continue;
            }
            if ty != op::pkt_type::TYPE3 {
                return Err(CpError::Packet(format!(
                    "type-{ty} packet 0x{header:08x} at {at} (compute queues execute type-3 only)"
                )));
            }
            let opcode = op::HEADER::OPCODE.get(header) as u8;
            // PKT3_NOP_PAD (the kernel's one-dword ring pad) has no body.
            let n = op::pkt3_body_dwords(header);
            if frame.pos + 1 + n > frame.dw.len() {
                return Err(CpError::Packet(format!(
                    "packet opcode 0x{opcode:02x} at {at} has {n} body dwords but the IB ends after {}",
                    frame.dw.len() - frame.pos - 1
                )));
            }
            self.stats.packets += 1;
            if self.stats.packets > self.max_packets {
                return Err(CpError::Hang(format!(
                    "more than {} PM4 packets (IB chain loop?) at {at}",
                    self.max_packets
                )));
            }
            let body: Vec<u32> = frame.dw[frame.pos + 1..frame.pos + 1 + n].to_vec();
            let level = frame.level;
            let next = frame.pos + 1 + n;
            match self.packet(opcode, &body, &at)? {
                Step::Next => job.stack.last_mut().expect("frame").pos = next,
                Step::Block(addr) => return Ok(CpOutcome::Blocked { addr }),
                Step::Ib { va, dwords, chain } => {
                    if chain {
                        let f = self.fetch(va, dwords, level)?;
                        *job.stack.last_mut().expect("frame") = f;
                    } else {
                        if level >= MAX_IB_LEVEL {
                            return Err(CpError::Packet(format!(
                                "INDIRECT_BUFFER at {at} nests deeper than IB{MAX_IB_LEVEL}"
                            )));
                        }
                        job.stack.last_mut().expect("frame").pos = next;
                        let f = self.fetch(va, dwords, level + 1)?;
                        job.stack.push(f);
                    }
                }
            }
        }
    }

    fn need(body: &[u32], n: usize, name: &str, at: &str) -> Result<(), CpError> {
        if body.len() < n {
            return Err(CpError::Packet(format!(
                "{name} at {at} has {} body dwords, needs {n}",
                body.len()
            )));
        }
        Ok(())
    }

    fn write_mem(&mut self, va: u64, data: &[u8], by: &str) -> Result<(), CpError> {
        self.mem.write(va, data).map_err(|f| fault(f, by))
    }

    fn packet(&mut self, opcode: u8, b: &[u32], at: &str) -> Result<Step, CpError> {
        let addr64 = |lo: u32, hi: u32| (u64::from(hi) << 32) | u64::from(lo & !3);
        match opcode {
            op::NOP => {}
            op::SET_SH_REG | op::SET_SH_REG_INDEX => {
                Self::need(b, 1, "SET_SH_REG", at)?;
                let off = op::SET_REG_OFFSET::REG_OFFSET.get(b[0]);
                for (i, v) in b[1..].iter().enumerate() {
                    if !self.regs.set_sh(off + i as u32, *v) {
                        return Err(CpError::Packet(format!(
                            "SET_SH_REG at {at} writes past the SH space (offset 0x{off:x} + {i})"
                        )));
                    }
                }
            }
            op::SET_UCONFIG_REG | op::SET_UCONFIG_REG_INDEX => {
                Self::need(b, 1, "SET_UCONFIG_REG", at)?;
                let off = op::SET_REG_OFFSET::REG_OFFSET.get(b[0]);
                for (i, v) in b[1..].iter().enumerate() {
                    let a = regs::addr_in_space(regs::RegSpace::Uconfig, off, i);
                    self.regs.uconfig.insert(a, *v);
                }
            }
            op::WRITE_DATA => {
                Self::need(b, 3, "WRITE_DATA", at)?;
                let dst = op::WRITE_DATA_DW1::DST_SEL.get(b[0]);
                let one = op::WRITE_DATA_DW1::WR_ONE_ADDR.get(b[0]) != 0;
                let data = &b[3..];
                if dst == sel::WRITE_DATA_DST_REG {
                    for (i, v) in data.iter().enumerate() {
                        let a = b[1] + if one { 0 } else { i as u32 };
                        if !self.regs.write_abs(a, *v) {
                            return Err(CpError::Packet(format!(
                                "WRITE_DATA at {at} to register 0x{a:x} outside SH/UCONFIG"
                            )));
                        }
                    }
                } else if dst == sel::WRITE_DATA_DST_MEM || dst == sel::WRITE_DATA_DST_TC_L2 {
                    let va = addr64(b[1], b[2]);
                    let by = format!("CP WRITE_DATA at {at}");
                    if one {
                        for v in data {
                            self.write_mem(va, &v.to_le_bytes(), &by)?;
                        }
                    } else {
                        let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
                        self.write_mem(va, &bytes, &by)?;
                    }
                } else {
                    return Err(CpError::Packet(format!(
                        "WRITE_DATA at {at}: DST_SEL {dst} not supported on a compute queue"
                    )));
                }
            }
            op::RELEASE_MEM => {
                Self::need(b, 6, "RELEASE_MEM", at)?;
                self.stats.release_mem += 1;
                let data_sel = op::RELEASE_MEM_DATA_CNTL::DATA_SEL.get(b[1]);
                let va = addr64(b[2], b[3]);
                let by = format!("CP RELEASE_MEM at {at}");
                let v64 = (u64::from(b[5]) << 32) | u64::from(b[4]);
                match data_sel {
                    sel::DATA_SEL_DISCARD => {}
                    sel::DATA_SEL_VALUE_32BIT => self.write_mem(va, &b[4].to_le_bytes(), &by)?,
                    sel::DATA_SEL_VALUE_64BIT => self.write_mem(va, &v64.to_le_bytes(), &by)?,
                    sel::DATA_SEL_TIMESTAMP => {
                        let t = self.clock;
                        self.write_mem(va, &t.to_le_bytes(), &by)?
                    }
                    other => {
                        return Err(CpError::Packet(format!(
                            "RELEASE_MEM at {at}: DATA_SEL {other} not supported"
                        )))
                    }
                }
            }
            op::WAIT_REG_MEM | op::WAIT_REG_MEM64 => {
                let wide = opcode == op::WAIT_REG_MEM64;
                Self::need(b, if wide { 7 } else { 6 }, "WAIT_REG_MEM", at)?;
                let func = op::WAIT_REG_MEM_DW1::FUNCTION.get(b[0]);
                let space = op::WAIT_REG_MEM_DW1::MEM_SPACE.get(b[0]);
                let (reference, mask) = if wide {
                    (
                        (u64::from(b[4]) << 32) | u64::from(b[3]),
                        (u64::from(b[6]) << 32) | u64::from(b[5]),
                    )
                } else {
                    (u64::from(b[3]), u64::from(b[4]))
                };
                let (value, addr) = if space == sel::MEM_SPACE_MEM {
                    let va = addr64(b[1], b[2]);
                    let by = format!("CP WAIT_REG_MEM at {at}");
                    let v = if wide {
                        self.mem.read_u64(va).map_err(|f| fault(f, &by))?
                    } else {
                        u64::from(self.mem.read_u32(va).map_err(|f| fault(f, &by))?)
                    };
                    (v, va)
                } else {
                    let r = self.regs.read_abs(b[1]).ok_or_else(|| {
                        CpError::Packet(format!(
                            "WAIT_REG_MEM at {at} polls register 0x{:x} outside SH/UCONFIG",
                            b[1]
                        ))
                    })?;
                    (u64::from(r), u64::from(b[1]) * 4)
                };
                let v = value & mask;
                let ok = match func {
                    sel::WAIT_ALWAYS => true,
                    sel::WAIT_LT => v < reference,
                    sel::WAIT_LE => v <= reference,
                    sel::WAIT_EQ => v == reference,
                    sel::WAIT_NE => v != reference,
                    sel::WAIT_GE => v >= reference,
                    sel::WAIT_GT => v > reference,
                    f => {
                        return Err(CpError::Packet(format!(
                            "WAIT_REG_MEM at {at}: reserved FUNCTION {f}"
                        )))
                    }
                };
                if !ok {
                    return Ok(Step::Block(addr));
                }
            }
            op::ACQUIRE_MEM => self.stats.acquire_mem += 1,
            op::EVENT_WRITE => self.stats.event_writes += 1,
            op::COPY_DATA => {
                Self::need(b, 5, "COPY_DATA", at)?;
                let src = op::COPY_DATA_DW1::SRC_SEL.get(b[0]);
                let dst = op::COPY_DATA_DW1::DST_SEL.get(b[0]);
                let wide = op::COPY_DATA_DW1::COUNT_SEL.get(b[0]) != 0;
                let by = format!("CP COPY_DATA at {at}");
                let value: u64 = match src {
                    sel::COPY_REG => u64::from(self.regs.read_abs(b[1]).ok_or_else(|| {
                        CpError::Packet(format!("COPY_DATA at {at}: source register 0x{:x}", b[1]))
                    })?),
                    sel::COPY_SRC_MEM | sel::COPY_TC_L2 => {
                        let va = addr64(b[1], b[2]);
                        if wide {
                            self.mem.read_u64(va).map_err(|f| fault(f, &by))?
                        } else {
                            u64::from(self.mem.read_u32(va).map_err(|f| fault(f, &by))?)
                        }
                    }
                    sel::COPY_SRC_IMM => (u64::from(b[2]) << 32) | u64::from(b[1]),
                    sel::COPY_SRC_TIMESTAMP => self.clock,
                    s => {
                        return Err(CpError::Packet(format!(
                            "COPY_DATA at {at}: SRC_SEL {s} not supported"
                        )))
                    }
                };
                match dst {
                    sel::COPY_REG => {
                        if !self.regs.write_abs(b[3], value as u32) {
                            return Err(CpError::Packet(format!(
                                "COPY_DATA at {at}: destination register 0x{:x}",
                                b[3]
                            )));
                        }
                    }
                    sel::COPY_SRC_MEM | sel::COPY_TC_L2 | sel::COPY_DST_MEM => {
                        let va = addr64(b[3], b[4]);
                        if wide {
                            self.write_mem(va, &value.to_le_bytes(), &by)?
                        } else {
                            self.write_mem(va, &(value as u32).to_le_bytes(), &by)?
                        }
                    }
                    d => {
                        return Err(CpError::Packet(format!(
                            "COPY_DATA at {at}: DST_SEL {d} not supported"
                        )))
                    }
                }
            }
            op::DMA_DATA => {
                Self::need(b, 6, "DMA_DATA", at)?;
                let src = op::DMA_DATA_DW1::SRC_SEL.get(b[0]);
                let dst = op::DMA_DATA_DW1::DST_SEL.get(b[0]);
                let count = op::DMA_DATA_CMD::BYTE_COUNT.get(b[5]) as usize;
                if dst != sel::DMA_DST_ADDR && dst != sel::DMA_DST_ADDR_TC_L2 {
                    return Err(CpError::Packet(format!(
                        "DMA_DATA at {at}: DST_SEL {dst} not supported"
                    )));
                }
                let by = format!("CP DMA_DATA at {at}");
                let dva = (u64::from(b[4]) << 32) | u64::from(b[3]);
                let data = if src == sel::DMA_SRC_DATA {
                    b[1].to_le_bytes()
                        .iter()
                        .copied()
                        .cycle()
                        .take(count)
                        .collect()
                } else if src == sel::DMA_SRC_ADDR || src == sel::DMA_SRC_ADDR_TC_L2 {
                    let sva = (u64::from(b[2]) << 32) | u64::from(b[1]);
                    let mut v = vec![0u8; count];
                    self.mem.read(sva, &mut v).map_err(|f| fault(f, &by))?;
                    v
                } else {
                    return Err(CpError::Packet(format!(
                        "DMA_DATA at {at}: SRC_SEL {src} not supported"
                    )));
                };
                self.write_mem(dva, &data, &by)?;
            }
            op::INDIRECT_BUFFER => {
                Self::need(b, 3, "INDIRECT_BUFFER", at)?;
                let dwords = op::INDIRECT_BUFFER_DW3::IB_SIZE.get(b[2]) & IB_SIZE_MASK;
                let chain = op::INDIRECT_BUFFER_DW3::CHAIN.get(b[2]) != 0;
                let va = addr64(b[0], b[1] & 0xffff);
                return Ok(Step::Ib { va, dwords, chain });
            }
            op::DISPATCH_DIRECT => {
                Self::need(b, 4, "DISPATCH_DIRECT", at)?;
                self.dispatch([b[0], b[1], b[2]], b[3], at)?;
            }
            op::DISPATCH_INDIRECT => {
                Self::need(b, 3, "DISPATCH_INDIRECT", at)?;
                let va = addr64(b[0], b[1]);
                let by = format!("CP DISPATCH_INDIRECT at {at}");
                let mut g = [0u32; 3];
                for (i, d) in g.iter_mut().enumerate() {
                    *d = self
                        .mem
                        .read_u32(va + 4 * i as u64)
                        .map_err(|f| fault(f, &by))?;
                }
                self.dispatch(g, b[2], at)?;
            }
            other => {
                return Err(CpError::Packet(format!(
                    "unknown PM4 opcode 0x{other:02x} at {at} (the CP would hang)"
                )))
            }
        }
        Ok(Step::Next)
    }

    /// The dispatch state as the compute registers stand now.
    pub fn dispatch_state(&self, grid: [u32; 3], initiator: u32) -> DispatchState {
        let r = &*self.regs;
        let full = |a| regs::COMPUTE_NUM_THREAD_X::NUM_THREAD_FULL.get(r.sh(a));
        let mut user_data = [0u32; 16];
        for (i, a) in regs::COMPUTE_USER_DATA.iter().enumerate() {
            user_data[i] = r.sh(*a);
        }
        DispatchState {
            pgm_va: ((u64::from(r.sh(regs::COMPUTE_PGM_HI)) << 32)
                | u64::from(r.sh(regs::COMPUTE_PGM_LO)))
                << 8,
            rsrc1: r.sh(regs::COMPUTE_PGM_RSRC1),
            rsrc2: r.sh(regs::COMPUTE_PGM_RSRC2),
            rsrc3: r.sh(regs::COMPUTE_PGM_RSRC3),
            user_data,
            block: [
                full(regs::COMPUTE_NUM_THREAD_X),
                full(regs::COMPUTE_NUM_THREAD_Y),
                full(regs::COMPUTE_NUM_THREAD_Z),
            ],
            grid,
            wave32: regs::COMPUTE_DISPATCH_INITIATOR::CS_W32_EN.get(initiator) != 0,
            tmpring_size: r.sh(regs::COMPUTE_TMPRING_SIZE),
            scratch_base: 0,
            target: Target::Gfx1010,
            trace_wave: self.trace_wave,
        }
    }

    fn dispatch(&mut self, grid: [u32; 3], initiator: u32, at: &str) -> Result<(), CpError> {
        let idx = (regs::COMPUTE_DISPATCH_INITIATOR - regs::SH_REG_BASE) / 4;
        self.regs.set_sh(idx, initiator);
        for (i, a) in [
            regs::COMPUTE_DIM_X,
            regs::COMPUTE_DIM_Y,
            regs::COMPUTE_DIM_Z,
        ]
        .iter()
        .enumerate()
        {
            self.regs.set_sh((a - regs::SH_REG_BASE) / 4, grid[i]);
        }
        if regs::COMPUTE_DISPATCH_INITIATOR::COMPUTE_SHADER_EN.get(initiator) == 0 {
            // Without COMPUTE_SHADER_EN the hardware launches nothing.
            self.stats.dispatches.push(DispatchCounters::default());
            return Ok(());
        }
        if grid.contains(&0) {
            self.stats.dispatches.push(DispatchCounters::default());
            return Ok(());
        }
        let d = self.dispatch_state(grid, initiator);
        match self.exec.run(&d, self.mem, &self.budget) {
            Ok(c) => {
                self.stats.dispatches.push(c);
                Ok(())
            }
            Err(ExecError::MemFault {
                va,
                write,
                pc,
                text,
            }) => Err(CpError::Fault {
                va,
                write,
                by: format!("shader at pc 0x{pc:x} ({text}), dispatch at {at}"),
            }),
            Err(ExecError::Timeout {
                instructions,
                reason,
            }) => Err(CpError::Hang(format!(
                "dispatch at {at} did not finish: {reason} after {instructions} instructions"
            ))),
            Err(e) => Err(CpError::Shader(format!("dispatch at {at}: {e}"))),
        }
    }
}

enum Step {
    Next,
    Block(u64),
    Ib { va: u64, dwords: u32, chain: bool },
}
