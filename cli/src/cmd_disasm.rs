//! `rocless disasm FILE.hsaco [--kernel NAME]` and
//! `rocless disasm --raw FILE.bin --mcpu gfx1010 [--wave64]` (DESIGN.md):
//! one line per instruction, `<hex address>\t<LLVM text>`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use isa::{decode, hsaco, Target};

/// Disassembler subcommand.
#[derive(Subcommand)]
pub enum Cmd {
    /// Disassemble a code object (.hsaco) or raw instruction bytes (--raw)
    #[command(name = "disasm")]
    Disasm(DisasmArgs),
}

/// Arguments of `rocless disasm`.
#[derive(Args)]
pub struct DisasmArgs {
    /// Code object (ELF .hsaco) or, with --raw, bare little-endian instruction bytes
    file: PathBuf,
    /// Only this kernel (symbol name, with or without .kd)
    #[arg(long)]
    kernel: Option<String>,
    /// FILE is raw instruction bytes, addresses are offsets from 0
    #[arg(long)]
    raw: bool,
    /// Target processor (default: from the ELF e_flags, else gfx1010)
    #[arg(long)]
    mcpu: Option<String>,
    /// Print lane masks for wave64 (= -mattr=+wavefrontsize64)
    #[arg(long)]
    wave64: bool,
}

/// Runs the subcommand.
pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    let Cmd::Disasm(a) = cmd;
    let data = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let mcpu = match &a.mcpu {
        Some(m) => Some(Target::from_name(m).ok_or_else(|| {
            anyhow!("unknown --mcpu {m} (known: gfx1010, gfx1011, gfx1012, gfx1030)")
        })?),
        None => None,
    };
    let out = if a.raw {
        if a.kernel.is_some() {
            bail!("--kernel needs an ELF code object, not --raw bytes");
        }
        listing(&data, 0, mcpu.unwrap_or(Target::Gfx1010), a.wave64)
    } else {
        let text = hsaco::read_text(&data).with_context(|| format!("{}", a.file.display()))?;
        let target = mcpu.or(text.target).unwrap_or(Target::Gfx1010);
        match &a.kernel {
            None => listing(&text.bytes, text.addr, target, a.wave64),
            Some(k) => {
                let name = k.strip_suffix(".kd").unwrap_or(k);
                let f = text.funcs.iter().find(|f| f.name == name).ok_or_else(|| {
                    let names: Vec<_> = text.funcs.iter().map(|f| f.name.as_str()).collect();
                    anyhow!(
                        "{}: no kernel named {name} (have: {})",
                        a.file.display(),
                        names.join(", ")
                    )
                })?;
                let start = (f.addr - text.addr) as usize;
                // Size 0 symbols run to the next function or the end of .text.
                let end = if f.size > 0 {
                    start + f.size as usize
                } else {
                    text.funcs
                        .iter()
                        .map(|g| (g.addr - text.addr) as usize)
                        .filter(|&s| s > start)
                        .min()
                        .unwrap_or(text.bytes.len())
                };
                let end = end.min(text.bytes.len());
                listing(&text.bytes[start..end], f.addr, target, a.wave64)
            }
        }
    };
    print!("{out}");
    Ok(())
}

/// Disassembles `bytes` placed at `base`.
fn listing(bytes: &[u8], base: u64, target: Target, wave64: bool) -> String {
    let mut s = String::new();
    let mut off = 0usize;
    while off + 4 <= bytes.len() {
        let addr = base + off as u64;
        match decode(&bytes[off..], target, wave64) {
            Ok(i) => {
                let _ = writeln!(s, "{addr:x}\t{i}");
                off += i.len as usize;
            }
            Err(_) => {
                let w = u32::from_le_bytes([
                    bytes[off],
                    bytes[off + 1],
                    bytes[off + 2],
                    bytes[off + 3],
                ]);
                let _ = writeln!(s, "{addr:x}\t.long 0x{w:08x}");
                off += 4;
            }
        }
    }
    s
}
