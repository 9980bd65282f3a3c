//! Architectural state of one wave and the dispatch-wide environment handlers see.

// Lane loops index several lane arrays in lockstep.
#![allow(clippy::needless_range_loop)]

use super::counters::DispatchCounters;
use super::dispatch::Target;
use super::error::ExecError;
use super::ir::{sreg, DppCtl, Opnd, Sdwa, Uop};
use super::mem::GpuMemory;

/// Lanes stored per VGPR (wave32 uses the first 32).
pub const LANES: usize = 64;

/// Lane values of one operand.
pub type Lanes = [u32; LANES];
/// 64-bit lane values.
pub type Lanes64 = [u64; LANES];

/// One wave's registers.
#[derive(Clone)]
pub struct Wave {
    /// Scalar registers by encoding (see [`sreg`]).
    pub s: [u32; sreg::SLOTS],
    /// SCC.
    pub scc: bool,
    /// VGPRs: register `r`, lane `l` at `v[r * LANES + l]`.
    pub v: Vec<u32>,
    /// Wave width (32 or 64).
    pub n: usize,
    /// Current uop index.
    pub pc: u32,
    /// The wave executed s_endpgm.
    pub done: bool,
    /// Waiting at a barrier.
    pub at_barrier: bool,
    /// FLAT_SCRATCH base (HW_REG_FLAT_SCR_LO/HI) for scratch_* and flat-to-private.
    pub flat_scratch: u64,
    /// HW_REG_MODE: FP_ROUND 3:0, FP_DENORM 7:4, DX10_CLAMP 8, IEEE 9 (see
    /// `valu::MODE_*`).
    pub mode: u32,
    /// Scratch slot byte base of this wave (scratch_base + slot * wave bytes).
    pub scratch_wave_base: u64,
    /// Index of this wave in its workgroup.
    pub wave_in_group: u32,
}

impl Wave {
    /// A wave with `nvgpr` registers of `n` lanes.
    pub fn new(n: usize, nvgpr: usize) -> Self {
        Self {
            s: [0; sreg::SLOTS],
            scc: false,
            v: vec![0; nvgpr * LANES],
            n,
            pc: 0,
            done: false,
            at_barrier: false,
            flat_scratch: 0,
            mode: 0,
            scratch_wave_base: 0,
            wave_in_group: 0,
        }
    }

    /// Mask of all lanes of the wave.
    #[inline(always)]
    pub fn full(&self) -> u64 {
        if self.n == 64 {
            u64::MAX
        } else {
            u32::MAX as u64
        }
    }

    /// EXEC.
    #[inline(always)]
    pub fn exec(&self) -> u64 {
        if self.n == 64 {
            self.s[126] as u64 | (self.s[127] as u64) << 32
        } else {
            self.s[126] as u64
        }
    }

    /// Sets EXEC.
    #[inline(always)]
    pub fn set_exec(&mut self, m: u64) {
        self.s[126] = m as u32;
        if self.n == 64 {
            self.s[127] = (m >> 32) as u32;
        }
    }

    /// VCC.
    #[inline(always)]
    pub fn vcc(&self) -> u64 {
        self.mask_at(sreg::VCC)
    }

    /// A lane mask stored at SGPR `r` (one SGPR in wave32, a pair in wave64).
    #[inline(always)]
    pub fn mask_at(&self, r: u16) -> u64 {
        let r = r as usize;
        if self.n == 64 {
            self.s[r] as u64 | (self.s[r + 1] as u64) << 32
        } else {
            self.s[r] as u64
        }
    }

    /// Writes a lane mask to SGPR `r`.
    #[inline(always)]
    pub fn set_mask_at(&mut self, r: u16, m: u64) {
        let r = r as usize;
        self.s[r] = m as u32;
        if self.n == 64 {
            self.s[r + 1] = (m >> 32) as u32;
        }
    }

    /// A lane-mask operand (VCC-like source of v_cndmask / v_addc).
    #[inline(always)]
    pub fn mask_opnd(&self, o: Opnd) -> u64 {
        match o {
            Opnd::S(r) => self.mask_at(r),
            Opnd::K(k) => k & self.full(),
            _ => 0,
        }
    }

    /// Scalar 32-bit read.
    #[inline(always)]
    pub fn sget(&self, o: Opnd) -> u32 {
        match o {
            Opnd::S(r) => self.s[r as usize],
            Opnd::K(k) => k as u32,
            Opnd::Scc => self.scc as u32,
            Opnd::Vccz => (self.vcc() == 0) as u32,
            Opnd::Execz => (self.exec() == 0) as u32,
            Opnd::V(_) | Opnd::None => 0,
        }
    }

    /// Scalar 64-bit read.
    #[inline(always)]
    pub fn sget64(&self, o: Opnd) -> u64 {
        match o {
            Opnd::S(r) => {
                let r = r as usize;
                self.s[r] as u64 | (self.s[r + 1] as u64) << 32
            }
            Opnd::K(k) => k,
            o => self.sget(o) as u64,
        }
    }

    /// Scalar 32-bit write (writes to NULL are dropped by construction: slot 125 is never read).
    #[inline(always)]
    pub fn sset(&mut self, o: Opnd, v: u32) {
        if let Opnd::S(r) = o {
            self.s[r as usize] = v;
        }
    }

    /// Scalar 64-bit write.
    #[inline(always)]
    pub fn sset64(&mut self, o: Opnd, v: u64) {
        if let Opnd::S(r) = o {
            let r = r as usize;
            self.s[r] = v as u32;
            self.s[r + 1] = (v >> 32) as u32;
        }
    }

    /// VGPR `r` as a lane slice.
    #[inline(always)]
    pub fn vreg(&self, r: u16) -> &[u32] {
        let b = r as usize * LANES;
        &self.v[b..b + LANES]
    }

    /// Mutable VGPR `r`.
    #[inline(always)]
    pub fn vreg_mut(&mut self, r: u16) -> &mut [u32] {
        let b = r as usize * LANES;
        &mut self.v[b..b + LANES]
    }

    /// Reads a 32-bit operand into lanes (no modifiers).
    #[inline(always)]
    pub fn rd(&self, o: Opnd, out: &mut Lanes) {
        let n = self.n;
        match o {
            Opnd::V(r) => copy_lanes(n, out, self.vreg(r)),
            o => out[..n].fill(self.sget(o)),
        }
    }

    /// Reads a 64-bit operand into lanes (VGPR pairs r, r+1).
    #[inline(always)]
    pub fn rd64(&self, o: Opnd, out: &mut Lanes64) {
        let n = self.n;
        match o {
            Opnd::V(r) => {
                let lo = &self.vreg(r)[..n];
                let hi = &self.vreg(r + 1)[..n];
                for ((o, a), b) in out[..n].iter_mut().zip(lo).zip(hi) {
                    *o = *a as u64 | (*b as u64) << 32;
                }
            }
            o => out[..n].fill(self.sget64(o)),
        }
    }

    /// Writes lanes to VGPR `r` under `mask`.
    #[inline(always)]
    pub fn wr(&mut self, r: u16, vals: &Lanes, mask: u64) {
        let n = self.n;
        let full = self.full();
        let d = self.vreg_mut(r);
        if mask == full {
            copy_lanes(n, d, vals);
        } else {
            for l in 0..n {
                if mask >> l & 1 != 0 {
                    d[l] = vals[l];
                }
            }
        }
    }

    /// Writes 64-bit lanes to VGPR pair `r`, `r+1` under `mask`.
    #[inline(always)]
    pub fn wr64(&mut self, r: u16, vals: &Lanes64, mask: u64) {
        let n = self.n;
        let b = r as usize * LANES;
        let full = self.full();
        let (lo, hi) = self.v[b..b + 2 * LANES].split_at_mut(LANES);
        if mask == full {
            for ((v, a), b) in vals[..n].iter().zip(&mut lo[..n]).zip(&mut hi[..n]) {
                *a = *v as u32;
                *b = (*v >> 32) as u32;
            }
            return;
        }
        for l in 0..n {
            if mask >> l & 1 != 0 {
                lo[l] = vals[l] as u32;
                hi[l] = (vals[l] >> 32) as u32;
            }
        }
    }

    /// Applies SDWA source select `sel` (bit 3 = sign extend) to lanes.
    pub fn sdwa_src(&self, vals: &mut Lanes, sel: u8) {
        let sext = sel & 8 != 0;
        let (shift, bits) = match sel & 7 {
            0..=3 => ((sel & 3) as u32 * 8, 8),
            4 => (0, 16),
            5 => (16, 16),
            _ => return,
        };
        for x in vals[..self.n].iter_mut() {
            let v = *x >> shift;
            *x = if sext {
                ((v << (32 - bits)) as i32 >> (32 - bits)) as u32
            } else {
                v & ((1u32 << bits) - 1)
            };
        }
    }

    /// Merges a result into the old destination per SDWA `dst_sel`/`dst_unused`.
    pub fn sdwa_dst(&self, r: u16, vals: &mut Lanes, s: &Sdwa) {
        let (shift, bits) = match s.dst_sel & 7 {
            0..=3 => ((s.dst_sel & 3) as u32 * 8, 8),
            4 => (0, 16),
            5 => (16, 16),
            _ => return,
        };
        let old = self.vreg(r);
        let field = ((1u64 << bits) - 1) as u32;
        for l in 0..self.n {
            let v = (vals[l] & field) << shift;
            vals[l] = match s.dst_unused {
                2 => (old[l] & !(field << shift)) | v,
                1 => {
                    // Sign-extend the field into the upper bits; lower bits zero.
                    let top = shift + bits;
                    let ext = if top < 32 && (v >> (top - 1)) & 1 != 0 {
                        u32::MAX << top
                    } else {
                        0
                    };
                    v | ext
                }
                _ => v,
            };
        }
    }

    /// Applies DPP to a source read into `vals` (from VGPR `r`); returns the
    /// mask of lanes that may be written.
    pub fn dpp_src(&self, r: u16, vals: &mut Lanes, d: &DppCtl, exec: u64) -> u64 {
        let src = self.vreg(r);
        let n = self.n;
        let mut out = [0u32; LANES];
        let mut wmask = 0u64;
        match *d {
            DppCtl::Dpp8 { sel, fi } => {
                for l in 0..n {
                    let s = (l & !7) + sel[l & 7] as usize;
                    if fi || exec >> s & 1 != 0 {
                        out[l] = src[s];
                        wmask |= 1 << l;
                    }
                }
            }
            DppCtl::Dpp16 {
                ctrl,
                row_mask,
                bank_mask,
                bound_ctrl,
                fi,
            } => {
                for l in 0..n {
                    let row = l >> 4;
                    let bank = (l >> 2) & 3;
                    if row_mask >> (row & 3) & 1 == 0 || bank_mask >> bank & 1 == 0 {
                        continue;
                    }
                    let i = l & 15;
                    let c = ctrl as usize;
                    let s: Option<usize> = match c {
                        0x000..=0x0ff => Some((l & !3) + ((c >> ((l & 3) * 2)) & 3)),
                        0x101..=0x10f => {
                            let k = c & 15;
                            (i + k < 16).then(|| l + k)
                        }
                        0x111..=0x11f => {
                            let k = c & 15;
                            (i >= k).then(|| l - k)
                        }
                        0x121..=0x12f => Some((l & !15) + ((i + 16 - (c & 15)) & 15)),
                        0x140 => Some((l & !15) + (15 - i)),
                        0x141 => Some((l & !7) + (7 - (l & 7))),
                        0x150..=0x15f => Some((l & !15) + (c & 15)),
                        0x160..=0x16f => Some((l & !15) + (i ^ (c & 15))),
                        _ => None,
                    };
                    match s {
                        Some(s) if s < n && (fi || exec >> s & 1 != 0) => {
                            out[l] = src[s];
                            wmask |= 1 << l;
                        }
                        _ => {
                            if bound_ctrl {
                                out[l] = 0;
                                wmask |= 1 << l;
                            }
                        }
                    }
                }
            }
        }
        *vals = out;
        wmask
    }
}

/// Everything outside the wave a handler may touch.
pub struct Env<'a> {
    /// GPU memory.
    pub mem: &'a mut dyn GpuMemory,
    /// The workgroup's LDS.
    pub lds: &'a mut [u8],
    /// Counters of the dispatch.
    pub counters: &'a mut DispatchCounters,
    /// Set by a handler that returns `Flow::Stop`.
    pub error: Option<ExecError>,
    /// Code generation.
    pub target: Target,
    /// Program VA (for s_getpc and error PCs).
    pub pgm_va: u64,
    /// Scratch bytes per wave (TMPRING_SIZE.WAVESIZE).
    pub scratch_wave_bytes: u64,
    /// Instruction text table of the program.
    pub text: &'a [String],
    /// Lane scratch buffers for handlers (never allocated per instruction).
    pub t: &'a mut [Lanes; 4],
    /// 64-bit lane scratch buffers.
    pub t64: &'a mut [Lanes64; 4],
}

impl Env<'_> {
    /// Records a memory fault for the uop and returns `Flow::Stop`.
    pub fn fault(&mut self, u: &Uop, va: u64, write: bool) -> super::ir::Flow {
        self.error = Some(ExecError::MemFault {
            va,
            write,
            pc: self.pgm_va + u.pc as u64,
            text: self.text[u.text as usize].clone(),
        });
        super::ir::Flow::Stop
    }

    /// Records an illegal-state error.
    pub fn illegal(&mut self, u: &Uop, msg: impl Into<String>) -> super::ir::Flow {
        self.error = Some(ExecError::Illegal {
            pc: self.pgm_va + u.pc as u64,
            msg: format!("{}: {}", self.text[u.text as usize], msg.into()),
        });
        super::ir::Flow::Stop
    }

    /// Stops with `ExecError::Unimplemented` for `u`: the instruction is known but
    /// this use of it (a MODE setting, a modifier) is not modelled. `why` is
    /// appended to the instruction text.
    #[cold]
    #[inline(never)]
    pub fn unimplemented(&mut self, u: &Uop, why: impl Into<String>) -> super::ir::Flow {
        self.error = Some(ExecError::Unimplemented {
            pc: self.pgm_va + u.pc as u64,
            text: format!("{} [{}]", self.text[u.text as usize], why.into()),
        });
        super::ir::Flow::Stop
    }
}

/// Copies the first `n` lanes (32 or 64) with a length known at compile time, so the
/// copy is a few vector moves instead of a `memcpy` call (measured: ~10 % of simulated
/// GEMV time went to `memmove` for these 128-byte copies).
#[inline(always)]
fn copy_lanes(n: usize, dst: &mut [u32], src: &[u32]) {
    if n == 32 {
        dst[..32].copy_from_slice(&src[..32]);
    } else {
        dst[..LANES].copy_from_slice(&src[..LANES]);
    }
}
