//! `rocless tokenize` (placeholder until its issue lands).

use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// Tokenize text with a model's tokenizer
    #[command(name = "tokenize")]
    Stub {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Stub { .. } => anyhow::bail!("rocless tokenize: not implemented yet"),
    }
}
