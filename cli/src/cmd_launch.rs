//! `rocless launch` (placeholder until its issue lands).

use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// Run one kernel once from a JSON spec
    #[command(name = "launch")]
    Stub {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Stub { .. } => anyhow::bail!("rocless launch: not implemented yet"),
    }
}
