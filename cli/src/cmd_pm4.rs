//! `rocless pm4 decode FILE [--json] [--gen GFX]`: decode a binary IB (little-endian dwords),
//! one line per packet with opcode names and register/field values (DESIGN.md contract).
//! Without `--gen` registers are named with the gfx10/10.3 layouts; `--gen gfx1100` uses the
//! gfx11 ones (e.g. the 15-bit `COMPUTE_TMPRING_SIZE.WAVESIZE`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::{Subcommand, ValueEnum};
use pm4::regs::Gen;

#[derive(Subcommand)]
pub enum Cmd {
    /// PM4 tools (decode)
    #[command(name = "pm4", subcommand)]
    Pm4(Pm4Cmd),
}

#[derive(Subcommand)]
pub enum Pm4Cmd {
    /// Decode a binary IB: one line per packet (or JSON with --json)
    Decode {
        /// IB file: little-endian dwords
        file: PathBuf,
        /// Print one JSON object {"packets": [...]}
        #[arg(long)]
        json: bool,
        /// Register names and field layouts of this chip generation (default: the
        /// gfx10/10.3 table)
        #[arg(long, value_enum)]
        gen: Option<GenArg>,
    },
}

/// Chip generations `--gen` accepts, named by their first LLVM target.
#[derive(Clone, Copy, ValueEnum)]
pub enum GenArg {
    /// gfx1010..gfx1012 (RDNA1, RX 5700 XT)
    Gfx1010,
    /// gfx1030.. (RDNA2)
    Gfx1030,
    /// gfx1100.. (RDNA3)
    Gfx1100,
}

impl From<GenArg> for Gen {
    fn from(g: GenArg) -> Gen {
        match g {
            GenArg::Gfx1010 => Gen::Gfx10,
            GenArg::Gfx1030 => Gen::Gfx103,
            GenArg::Gfx1100 => Gen::Gfx11,
        }
    }
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Pm4(Pm4Cmd::Decode { file, json, gen }) => decode(&file, json, gen.map(Gen::from)),
    }
}

fn decode(file: &Path, json: bool, gen: Option<Gen>) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let dw =
        pm4::decode::dwords_from_bytes(&bytes).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    if json {
        let packets = match gen {
            Some(g) => pm4::decode::decode_json_for(&dw, g),
            None => pm4::decode::decode_json(&dw),
        }
        .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        return out(&format!("{}\n", serde_json::json!({ "packets": packets })));
    }
    let (text, err) = match gen {
        Some(g) => pm4::decode::decode_text_for(&dw, g),
        None => pm4::decode::decode_text(&dw),
    };
    out(&text)?;
    match err {
        Some(e) => Err(anyhow!("{}: {e}", file.display())),
        None => Ok(()),
    }
}

/// Write to stdout; a closed pipe (`| head`) ends quietly instead of panicking.
fn out(s: &str) -> anyhow::Result<()> {
    let mut o = std::io::stdout().lock();
    match o.write_all(s.as_bytes()).and_then(|_| o.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to stdout"),
    }
}
