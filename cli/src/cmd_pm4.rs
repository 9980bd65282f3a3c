//! `rocless pm4 decode FILE [--json]`: decode a binary IB (little-endian dwords), one line per
//! packet with opcode names and register/field values (DESIGN.md contract).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::Subcommand;

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
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Pm4(Pm4Cmd::Decode { file, json }) => decode(&file, json),
    }
}

fn decode(file: &Path, json: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let dw =
        pm4::decode::dwords_from_bytes(&bytes).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    if json {
        let packets =
            pm4::decode::decode_json(&dw).map_err(|e| anyhow!("{}: {e}", file.display()))?;
        return out(&format!("{}\n", serde_json::json!({ "packets": packets })));
    }
    let (text, err) = pm4::decode::decode_text(&dw);
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
