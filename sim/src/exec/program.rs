//! Pre-decoding: a kernel's machine code → a vector of [`Uop`]s, once per
//! program. Decoding itself comes from [`super::decode`]; this module maps
//! operands (print order, as LLVM prints them) to operand roles, widens
//! constants per operand type and resolves branch targets.

use super::error::ExecError;
use super::ir::{sreg, DppCtl, Flow, Handler, Mods, Opnd, Sdwa, Uop};
use super::table::{self, Ty};
use super::wave::{Env, Wave};

/// An operand as decoded (role slots follow the isa crate's `Instr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DOp {
    /// Absent.
    #[default]
    None,
    /// Scalar register or special by hardware encoding (0..=127), `n` dwords.
    S(u16, u8),
    /// VGPR `r`, `n` dwords.
    V(u16, u8),
    /// Inline constant by encoding (128..=208, 240..=248) or special source
    /// (235..=239 apertures, 251 vccz, 252 execz, 253 scc).
    Inline(u16),
    /// A 32-bit literal.
    Lit(u32),
    /// An immediate field (simm16, hwreg, waitcnt, …).
    Imm(i64),
}

/// One decoded instruction, decoder-independent, operands in role slots:
/// VALU/SALU `defs` = [dst, carry-out], `srcs` = [src0, src1, src2];
/// SMEM `srcs` = [sbase, soffset]; DS `srcs` = [addr, data0, data1];
/// FLAT `srcs` = [vaddr, vdata, saddr]; MUBUF `srcs` = [vaddr, vdata, srsrc,
/// soffset]; SOPK/SOPP `srcs[0]` = the immediate. Implicit VCC operands of
/// VOP2/VOPC e32 forms are filled in by the decoder adapter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// Mnemonic without the `_e32`/`_e64`/`_sdwa`/`_dpp` suffix.
    pub name: String,
    /// The full text as LLVM prints it (errors and traces).
    pub text: String,
    /// Length in bytes.
    pub len: u32,
    /// Destinations.
    pub defs: [DOp; 2],
    /// Sources.
    pub srcs: [DOp; 4],
    /// VOP modifiers.
    pub m: Mods,
    /// SDWA selects.
    pub sdwa: Option<Sdwa>,
    /// DPP controls.
    pub dpp: Option<DppCtl>,
    /// Memory offset (FLAT/MUBUF/DS offset, SMEM immediate).
    pub offset: i64,
    /// DS offset0 (two-address forms).
    pub offset0: i64,
    /// DS offset1 (two-address forms).
    pub offset1: i64,
    /// GLC.
    pub glc: bool,
    /// MUBUF offen.
    pub offen: bool,
    /// MUBUF idxen.
    pub idxen: bool,
}

/// A pre-decoded program.
pub struct Program {
    /// Micro-ops in address order.
    pub uops: Vec<Uop>,
    /// Byte offset of each uop (sorted).
    pub offsets: Vec<u32>,
    /// Instruction texts.
    pub text: Vec<String>,
    /// Highest VGPR index used + 1.
    pub max_vgpr: u32,
    /// LDS bytes the program needs at least (0: use RSRC2).
    pub min_lds: u32,
    /// Offset just past the last decoded instruction.
    pub end_offset: u32,
    /// The code bytes decoded (for cache validation).
    pub code: Vec<u8>,
    /// Instructions the executor cannot run (offset, text); executing one is
    /// an `ExecError::Unimplemented`.
    pub unsupported: Vec<(u32, String)>,
}

impl Program {
    /// True when the program has global/flat/buffer atomics: its workgroups may observe
    /// each other's writes within a dispatch, so it runs on one thread, in order.
    pub fn has_global_atomics(&self) -> bool {
        self.text.iter().any(|t| {
            t.starts_with("global_atomic")
                || t.starts_with("flat_atomic")
                || t.starts_with("buffer_atomic")
        })
    }

    /// Uop index of an instruction at byte offset `off`.
    pub fn index_of(&self, off: u64) -> Option<u32> {
        let off = u32::try_from(off).ok()?;
        self.offsets.binary_search(&off).ok().map(|i| i as u32)
    }
}

fn h_unimpl(_w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    e.error = Some(ExecError::Unimplemented {
        pc: e.pgm_va + u.pc as u64,
        text: e.text[u.text as usize].clone(),
    });
    Flow::Stop
}

fn h_illegal(_w: &mut Wave, e: &mut Env, u: &Uop) -> Flow {
    e.illegal(u, "operands not understood by the executor")
}

/// Inline constant value for an operand type.
pub fn inline_const(enc: u16, ty: Ty) -> Option<u64> {
    let int = |v: i64| -> u64 {
        match ty {
            Ty::B64 | Ty::F64 => v as u64,
            Ty::F16 | Ty::Pk16 => v as u64 & 0xffff_ffff,
            _ => v as u32 as u64,
        }
    };
    let v = match enc {
        128..=192 => int(enc as i64 - 128),
        193..=208 => int(-(enc as i64 - 192)),
        240..=248 => {
            let f: f64 = match enc {
                240 => 0.5,
                241 => -0.5,
                242 => 1.0,
                243 => -1.0,
                244 => 2.0,
                245 => -2.0,
                246 => 4.0,
                247 => -4.0,
                _ => 0.5 / std::f64::consts::PI,
            };
            match ty {
                Ty::F64 => {
                    if enc == 248 {
                        0x3fc4_5f30_6dc9_c882
                    } else {
                        f.to_bits()
                    }
                }
                Ty::F16 | Ty::Pk16 => {
                    if enc == 248 {
                        0x3118
                    } else {
                        super::fp16::f32_to_f16(f as f32) as u64
                    }
                }
                Ty::F32 => {
                    if enc == 248 {
                        0x3e22_f983
                    } else {
                        (f as f32).to_bits() as u64
                    }
                }
                // Integer operands see the f32 bit pattern (as hardware does).
                Ty::B32 => {
                    if enc == 248 {
                        0x3e22_f983
                    } else {
                        (f as f32).to_bits() as u64
                    }
                }
                Ty::B64 => {
                    if enc == 248 {
                        0x3fc4_5f30_6dc9_c882
                    } else {
                        f.to_bits()
                    }
                }
            }
        }
        _ => return None,
    };
    Some(v)
}

/// Lowers one decoded operand as a source of type `ty`.
fn src_opnd(op: DOp, ty: Ty) -> Result<Opnd, String> {
    Ok(match op {
        DOp::None => Opnd::None,
        DOp::S(sreg::NULL, _) => Opnd::K(0),
        DOp::S(r, _) => Opnd::S(r),
        DOp::V(r, _) => Opnd::V(r),
        DOp::Lit(k) => Opnd::K(match ty {
            Ty::F64 => (k as u64) << 32,
            _ => k as u64,
        }),
        DOp::Inline(253) => Opnd::Scc,
        DOp::Inline(251) => Opnd::Vccz,
        DOp::Inline(252) => Opnd::Execz,
        DOp::Inline(e @ 235..=238) => {
            // SHARED_BASE, SHARED_LIMIT, PRIVATE_BASE, PRIVATE_LIMIT: the
            // aperture's high 32 bits (as a 64-bit value for 64-bit operands).
            let (sh, pr) = (
                super::dispatch::SHARED_APERTURE_BASE,
                super::dispatch::PRIVATE_APERTURE_BASE,
            );
            let v = match e {
                235 => sh,
                236 => sh | 0xffff_ffff,
                237 => pr,
                _ => pr | 0xffff_ffff,
            };
            Opnd::K(if matches!(ty, Ty::B64 | Ty::F64) {
                v & !0xffff_ffff
            } else {
                v >> 32
            })
        }
        DOp::Inline(e) => {
            Opnd::K(inline_const(e, ty).ok_or_else(|| format!("unknown inline constant {e}"))?)
        }
        DOp::Imm(i) => Opnd::K(i as u64),
    })
}

fn dst_opnd(op: DOp) -> Opnd {
    match op {
        DOp::S(r, _) => Opnd::S(r),
        DOp::V(r, _) => Opnd::V(r),
        _ => Opnd::None,
    }
}

/// Builds the uop for one decoded instruction at byte offset `pc`. Unknown
/// mnemonics become an uop that fails with `ExecError::Unimplemented` when
/// (and only when) executed; the flag is false for those.
pub fn lower(d: &Decoded, pc: u32, text_idx: u32) -> (Uop, bool) {
    let mut u = Uop {
        f: h_unimpl,
        class: table::class_of(&d.name),
        dst: Opnd::None,
        dst2: Opnd::None,
        src: [Opnd::None; 4],
        imm: 0,
        imm2: 0,
        m: d.m,
        sdwa: d.sdwa,
        dpp: d.dpp,
        pc,
        text: text_idx,
    };
    let Some(entry) = table::lookup(&d.name) else {
        return (u, false);
    };
    if d.m.clamp && d.name.starts_with("v_") && !super::valu::honours_clamp(&d.name) {
        // Clamp on an instruction whose handler would ignore it: fail when
        // executed rather than compute the unclamped value.
        return (u, false);
    }
    match lower_roles(d, entry.srcs, &mut u) {
        Ok(()) => {
            u.f = entry.f as Handler;
            (u, true)
        }
        Err(_) => {
            u.f = h_illegal;
            (u, false)
        }
    }
}

fn lower_roles(d: &Decoded, tys: &[Ty], u: &mut Uop) -> Result<(), String> {
    let name = d.name.as_str();
    let ty = |i: usize| tys.get(i).copied().unwrap_or(Ty::B32);
    let imm = |o: DOp| match o {
        DOp::Imm(i) => Some(i),
        DOp::Lit(k) => Some(k as i64),
        _ => None,
    };
    u.dst = dst_opnd(d.defs[0]);
    u.dst2 = match d.defs[1] {
        DOp::S(sreg::NULL, _) => Opnd::None,
        o => dst_opnd(o),
    };
    if name.starts_with("v_") {
        for i in 0..3 {
            u.src[i] = src_opnd(d.srcs[i], ty(i))?;
        }
        if name.starts_with("v_fmac_") || name.starts_with("v_mac_") {
            // The accumulator is the destination register.
            u.src[2] = u.dst;
        }
        return Ok(());
    }
    if name.starts_with("s_load_") || name.starts_with("s_buffer_load_") {
        let sfx = name.rsplit('_').next().unwrap_or("");
        u.imm2 = super::smem::DWORDS
            .iter()
            .find(|(s, _)| *s == sfx)
            .map(|x| x.1)
            .ok_or("bad smem width")?;
        u.src[0] = src_opnd(d.srcs[0], Ty::B64)?;
        u.imm = d.offset;
        match d.srcs[1] {
            DOp::S(sreg::NULL, _) | DOp::None => {}
            o => match imm(o) {
                Some(i) => u.imm += i,
                None => u.src[1] = src_opnd(o, Ty::B32)?,
            },
        }
        return Ok(());
    }
    if name.starts_with("s_") || name.starts_with("buffer_gl") {
        let first_imm = d.srcs.iter().find_map(|o| imm(*o));
        if name == "s_branch" || name.starts_with("s_cbranch_") {
            u.imm = first_imm.ok_or("branch without offset")?;
            return Ok(());
        }
        let sopk = [
            "s_movk", "s_cmovk", "s_addk", "s_mulk", "s_cmpk", "s_getreg", "s_setreg", "s_call",
        ]
        .iter()
        .any(|p| name.starts_with(p));
        if sopk {
            u.imm = match d.srcs[0] {
                DOp::Imm(i) => i,
                o => imm(o).ok_or("SOPK without immediate")?,
            };
            if name == "s_setreg_imm32_b32" {
                u.src[0] = src_opnd(d.srcs[1], Ty::B32)?;
            }
            return Ok(());
        }
        if tys.is_empty() && !name.starts_with("s_getpc") && !name.starts_with("s_mem") {
            u.imm = first_imm.unwrap_or(0);
            return Ok(());
        }
        for i in 0..2 {
            u.src[i] = src_opnd(d.srcs[i], ty(i))?;
        }
        return Ok(());
    }
    if name.starts_with("ds_") {
        let two = name.contains("read2") || name.contains("write2");
        u.imm = if two { d.offset0 } else { d.offset };
        u.imm2 = d.offset1;
        for i in 0..3 {
            u.src[i] = dst_opnd(d.srcs[i]);
        }
        return Ok(());
    }
    // FLAT / GLOBAL / SCRATCH / MUBUF.
    u.imm = d.offset;
    u.imm2 = (d.glc as i64) * super::vmem::F_GLC
        + (d.offen as i64) * super::vmem::F_OFFEN
        + (d.idxen as i64) * super::vmem::F_IDXEN;
    u.src[0] = dst_opnd(d.srcs[0]);
    u.src[1] = dst_opnd(d.srcs[1]);
    u.src[2] = match d.srcs[2] {
        DOp::S(sreg::NULL, _) => Opnd::None,
        o => dst_opnd(o),
    };
    u.src[3] = src_opnd(d.srcs[3], Ty::B32)?;
    if name.starts_with("buffer_") && name.contains("_atomic_") && u.dst == Opnd::None && d.glc {
        // MUBUF atomics return the pre-op value into their data register.
        u.dst = u.src[1];
    }
    Ok(())
}

/// Highest VGPR touched by a decoded instruction (+1). Memory ops may move up
/// to 4 dwords from their first data register, so those count 4.
pub fn vgpr_extent(d: &Decoded) -> u32 {
    let mut m = 0;
    for o in d.defs.iter().chain(&d.srcs) {
        if let DOp::V(r, n) = o {
            m = m.max(*r as u32 + (*n).max(1) as u32);
        }
    }
    m
}

/// Largest program the pre-decoder follows (bytes).
pub const MAX_PROGRAM_BYTES: usize = 4 << 20;
/// Code is fetched in chunks of this size.
const FETCH_CHUNK: usize = 4096;

/// Reads code bytes from GPU memory on demand.
struct Fetcher<'a> {
    mem: &'a mut dyn super::mem::GpuMemory,
    va: u64,
    buf: Vec<u8>,
    /// No more readable bytes after `buf`.
    eof: bool,
}

impl Fetcher<'_> {
    /// Makes `buf` hold at least `len` bytes if memory allows.
    fn ensure(&mut self, len: usize) {
        while self.buf.len() < len && !self.eof {
            let at = self.buf.len();
            let mut chunk = vec![0u8; FETCH_CHUNK];
            if self.mem.read(self.va + at as u64, &mut chunk).is_ok() {
                self.buf.extend_from_slice(&chunk);
                continue;
            }
            // Partially mapped chunk: take dwords until the first fault.
            let mut got = 0;
            for k in 0..FETCH_CHUNK / 4 {
                let mut d = [0u8; 4];
                if self
                    .mem
                    .read(self.va + (at + 4 * k) as u64, &mut d)
                    .is_err()
                {
                    break;
                }
                self.buf.extend_from_slice(&d);
                got += 1;
            }
            if got < FETCH_CHUNK / 4 {
                self.eof = true;
            }
        }
    }
}

/// Decodes the program at `pgm_va`: linear sweep from the entry, following
/// forward branch targets past `s_endpgm`, until `s_code_end`, the end of
/// readable memory, or an `s_endpgm` that no branch jumps over.
pub fn build(
    mem: &mut dyn super::mem::GpuMemory,
    pgm_va: u64,
    dec: &dyn Fn(&[u8]) -> Result<Decoded, String>,
) -> Result<Program, ExecError> {
    let mut f = Fetcher {
        mem,
        va: pgm_va,
        buf: Vec::new(),
        eof: false,
    };
    let mut uops = Vec::new();
    let mut offsets = Vec::new();
    let mut text = Vec::new();
    let mut off = 0usize;
    let mut max_target = 0usize;
    let mut indirect = false;
    let mut max_vgpr = 0u32;
    let mut targets: Vec<(usize, i64)> = Vec::new();
    let mut unsupported = Vec::new();
    loop {
        f.ensure(off + 64);
        if off + 4 > f.buf.len() || off >= MAX_PROGRAM_BYTES {
            break;
        }
        let end = f.buf.len();
        let (d, len) = match dec(&f.buf[off..end]) {
            Ok(d) => {
                let l = d.len.max(4) as usize;
                (d, l)
            }
            Err(_) => {
                let w = u32::from_le_bytes([
                    f.buf[off],
                    f.buf[off + 1],
                    f.buf[off + 2],
                    f.buf[off + 3],
                ]);
                (
                    Decoded {
                        name: String::from(".long"),
                        text: format!(".long 0x{w:08x}"),
                        len: 4,
                        ..Decoded::default()
                    },
                    4,
                )
            }
        };
        max_vgpr = max_vgpr.max(vgpr_extent(&d));
        let idx = uops.len();
        let (u, supported) = lower(&d, off as u32, idx as u32);
        if !supported {
            unsupported.push((off as u32, d.text.clone()));
        }
        if d.name == "s_branch" || d.name.starts_with("s_cbranch_") || d.name == "s_call_b64" {
            let t = off as i64 + 4 + (u.imm as i16 as i64) * 4;
            targets.push((idx, t));
            if t > 0 {
                max_target = max_target.max(t as usize);
            }
        }
        if d.name == "s_setpc_b64" || d.name == "s_swappc_b64" || d.name == "s_call_b64" {
            indirect = true;
        }
        uops.push(u);
        offsets.push(off as u32);
        text.push(d.text.clone());
        off += len;
        if d.name == "s_code_end" && off > max_target {
            break;
        }
        if d.name == "s_endpgm" && off > max_target && !indirect {
            break;
        }
    }
    if uops.is_empty() {
        return Err(ExecError::MemFault {
            va: pgm_va,
            write: false,
            pc: pgm_va,
            text: "instruction fetch".into(),
        });
    }
    let mut prog = Program {
        uops,
        offsets,
        text,
        max_vgpr,
        min_lds: 0,
        end_offset: off as u32,
        code: f.buf[..off].to_vec(),
        unsupported,
    };
    for (idx, t) in targets {
        match (t >= 0).then(|| prog.index_of(t as u64)).flatten() {
            Some(i) => prog.uops[idx].imm = i as i64,
            None => prog.uops[idx].imm2 = -1,
        }
    }
    Ok(prog)
}
