//! `rocless info` (placeholder until its issue lands).

use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// Device information (marketing name, gfx target, CUs, memory, firmware)
    #[command(name = "info")]
    Stub {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Stub { .. } => anyhow::bail!("rocless info: not implemented yet"),
    }
}
