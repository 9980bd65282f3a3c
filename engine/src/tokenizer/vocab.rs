//! The raw tokenizer description stored in a GGUF file (`tokenizer.ggml.*`), before
//! llama.cpp's defaults are applied. [`super::Tokenizer::new`] turns it into a tokenizer.

use crate::gguf::Gguf;

use super::TokenizerError;

/// GGUF token type ids (`llama_token_type` in llama.h).
pub mod token_type {
    /// Undefined.
    pub const UNDEFINED: i32 = 0;
    /// A normal token.
    pub const NORMAL: i32 = 1;
    /// The unknown token.
    pub const UNKNOWN: i32 = 2;
    /// A control token (`<bos>`, `<|im_start|>`, ...).
    pub const CONTROL: i32 = 3;
    /// A user-defined token (matched in text before the tokenizer runs).
    pub const USER_DEFINED: i32 = 4;
    /// An unused slot.
    pub const UNUSED: i32 = 5;
    /// A byte-fallback token `<0xXX>`.
    pub const BYTE: i32 = 6;
}

/// Everything `tokenizer.ggml.*` says, as stored (ids are `None` when the key is
/// absent; flags are `None` when the key is absent, so llama.cpp's per-model defaults apply).
#[derive(Clone, Debug, Default)]
pub struct Vocab {
    /// `tokenizer.ggml.model`: `"llama"` (SentencePiece) or `"gpt2"` (byte-level BPE).
    pub model: String,
    /// `tokenizer.ggml.pre`: the BPE pre-tokenizer name (e.g. `"smollm"`, `"llama3"`).
    pub pre: Option<String>,
    /// `tokenizer.ggml.tokens`
    pub tokens: Vec<String>,
    /// `tokenizer.ggml.scores` (SentencePiece merge priorities; empty when absent).
    pub scores: Vec<f32>,
    /// `tokenizer.ggml.token_type` (see [`token_type`]; empty when absent).
    pub token_types: Vec<i32>,
    /// `tokenizer.ggml.merges` (`"left right"`, rank = index; BPE only).
    pub merges: Vec<String>,
    /// `tokenizer.ggml.bos_token_id`
    pub bos: Option<u32>,
    /// `tokenizer.ggml.eos_token_id`
    pub eos: Option<u32>,
    /// `tokenizer.ggml.eot_token_id`
    pub eot: Option<u32>,
    /// `tokenizer.ggml.eom_token_id`
    pub eom: Option<u32>,
    /// `tokenizer.ggml.unknown_token_id`
    pub unk: Option<u32>,
    /// `tokenizer.ggml.seperator_token_id` (sic)
    pub sep: Option<u32>,
    /// `tokenizer.ggml.padding_token_id`
    pub pad: Option<u32>,
    /// `tokenizer.ggml.fim_{pre,suf,mid,pad,rep,sep}_token_id` (and the deprecated
    /// `prefix/suffix/middle` keys), in that order.
    pub fim: [Option<u32>; 6],
    /// `tokenizer.ggml.add_bos_token`
    pub add_bos: Option<bool>,
    /// `tokenizer.ggml.add_eos_token`
    pub add_eos: Option<bool>,
    /// `tokenizer.ggml.add_space_prefix`
    pub add_space_prefix: Option<bool>,
    /// `general.name` (llama.cpp sets per-token strip flags for a few model names).
    pub model_name: Option<String>,
}

/// Key prefix of all tokenizer metadata.
const P: &str = "tokenizer.ggml.";

impl Vocab {
    /// Read the tokenizer metadata of a GGUF file (llama.cpp `llama_vocab::impl::load`,
    /// the part that reads keys). Errors name the key.
    pub fn from_gguf(g: &Gguf) -> Result<Vocab, TokenizerError> {
        let key = |k: &str| format!("{P}{k}");
        let bad = |k: &str, why: &str| TokenizerError::Metadata {
            key: key(k),
            reason: why.to_string(),
        };
        let model = g
            .get_str(&key("model"))
            .ok_or_else(|| bad("model", "missing or not a string"))?
            .to_string();
        let tokens: Vec<String> = g
            .get_str_arr(&key("tokens"))
            .ok_or_else(|| bad("tokens", "missing or not an array of strings"))?
            .into_iter()
            .map(str::to_string)
            .collect();
        let scores = match g.get(&key("scores")) {
            None => Vec::new(),
            Some(_) => g
                .get_f32_arr(&key("scores"))
                .or_else(|| {
                    // llama.cpp also accepts int32 scores.
                    g.get_i64_arr(&key("scores"))
                        .map(|v| v.into_iter().map(|x| x as f32).collect())
                })
                .ok_or_else(|| bad("scores", "not an array of numbers"))?,
        };
        let token_types = match g.get(&key("token_type")) {
            None => Vec::new(),
            Some(_) => g
                .get_i64_arr(&key("token_type"))
                .ok_or_else(|| bad("token_type", "not an array of integers"))?
                .into_iter()
                .map(|x| i32::try_from(x).unwrap_or(token_type::UNDEFINED))
                .collect(),
        };
        let merges = match g.get(&key("merges")) {
            None => Vec::new(),
            Some(_) => g
                .get_str_arr(&key("merges"))
                .ok_or_else(|| bad("merges", "not an array of strings"))?
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        let id = |k: &str| g.get_u32(&key(k));
        let flag = |k: &str| g.get_bool(&key(k));
        let mut fim = [
            id("fim_pre_token_id"),
            id("fim_suf_token_id"),
            id("fim_mid_token_id"),
            id("fim_pad_token_id"),
            id("fim_rep_token_id"),
            id("fim_sep_token_id"),
        ];
        // Deprecated names are read after the new ones and win (llama.cpp order).
        for (i, k) in ["prefix_token_id", "suffix_token_id", "middle_token_id"]
            .iter()
            .enumerate()
        {
            if let Some(v) = id(k) {
                fim[i] = Some(v);
            }
        }
        Ok(Vocab {
            model,
            pre: g.get_str(&key("pre")).map(str::to_string),
            tokens,
            scores,
            token_types,
            merges,
            bos: id("bos_token_id"),
            eos: id("eos_token_id"),
            eot: id("eot_token_id"),
            eom: id("eom_token_id"),
            unk: id("unknown_token_id"),
            sep: id("seperator_token_id"),
            pad: id("padding_token_id"),
            fim,
            add_bos: flag("add_bos_token"),
            add_eos: flag("add_eos_token"),
            add_space_prefix: flag("add_space_prefix"),
            model_name: g.get_str("general.name").map(str::to_string),
        })
    }
}
