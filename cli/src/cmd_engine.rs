//! `rocless generate` (placeholder until its issue lands).

use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// Generate text with a GGUF model
    #[command(name = "generate")]
    Stub {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Stub { .. } => anyhow::bail!("rocless generate: not implemented yet"),
    }
}
