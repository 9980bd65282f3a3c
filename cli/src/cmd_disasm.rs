//! `rocless disasm` (placeholder until its issue lands).

use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// Disassemble a code object or raw instruction bytes
    #[command(name = "disasm")]
    Stub {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Stub { .. } => anyhow::bail!("rocless disasm: not implemented yet"),
    }
}
