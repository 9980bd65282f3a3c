//! `rocless tokenize -m MODEL TEXT [--json]`: token ids as llama.cpp gives them,
//! with the BOS the model's metadata asks for.

use anyhow::{Context, Result};
use clap::Subcommand;
use engine::gguf::Gguf;
use engine::tokenizer::Tokenizer;

#[derive(Subcommand)]
pub enum Cmd {
    /// Tokenize text with a model's tokenizer (same ids as llama.cpp)
    Tokenize {
        /// Model: a .gguf path, a file name in the models directories, or a unique
        /// part of one (default: Gemma 3 270M)
        #[arg(short = 'm', long = "model")]
        model: Option<String>,
        /// Text to tokenize
        #[arg(allow_hyphen_values = true)]
        text: String,
        /// Print one JSON object `{"ids":[...]}`
        #[arg(long)]
        json: bool,
        /// Do not add the BOS/EOS tokens the metadata asks for
        #[arg(long)]
        no_bos: bool,
        /// Treat control-token text such as `<start_of_turn>` as plain text
        #[arg(long)]
        no_parse_special: bool,
    },
}

pub fn run(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Tokenize {
            model,
            text,
            json,
            no_bos,
            no_parse_special,
        } => {
            let path = engine::models::resolve(model.as_deref())?;
            let g = Gguf::open(&path)?;
            let tok = Tokenizer::from_gguf(&g)
                .with_context(|| format!("tokenizer of {}", path.display()))?;
            let ids = tok.encode(&text, !no_bos, !no_parse_special);
            if json {
                println!("{}", serde_json::json!({ "ids": ids }));
            } else {
                // One line per token like llama.cpp's llama-tokenize.
                for id in ids {
                    let piece = String::from_utf8_lossy(tok.token_to_piece(id, true));
                    println!("{id:>6} -> '{piece}'");
                }
            }
            Ok(())
        }
    }
}
