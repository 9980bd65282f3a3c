//! Tokenizers built from GGUF metadata, matching llama.cpp token for token:
//! SentencePiece-style (`tokenizer.ggml.model = "llama"`, e.g. Gemma 3) and GPT-2
//! byte-level BPE (`"gpt2"`, e.g. SmolLM2 with pre-tokenizer `smollm`, Llama 3, Qwen2).
//!
//! The code mirrors llama.cpp `src/llama-vocab.cpp` (`llama_vocab::impl::load`,
//! `tokenize`, `tokenizer_st_partition`, `token_to_piece`, `detokenize`) and
//! `src/unicode.cpp`; each function names the one it follows. Ids are checked
//! against llama.cpp (via llama-cpp-python) by the fixtures in `engine/tests/fixtures/`.

mod bpe;
mod decode;
mod pretok;
mod spm;
mod symbols;
mod unicode;
mod unicode_data;
pub mod vocab;

use std::collections::{BTreeSet, HashMap};

use crate::gguf::Gguf;

pub use decode::IncrementalDecoder;
pub use pretok::PreTokenizer;
pub use vocab::Vocab;

/// Token attribute bits (`llama_token_attr` in llama.h).
pub mod attr {
    /// Unknown token.
    pub const UNKNOWN: u32 = 1 << 0;
    /// Unused slot.
    pub const UNUSED: u32 = 1 << 1;
    /// Normal token.
    pub const NORMAL: u32 = 1 << 2;
    /// Control token.
    pub const CONTROL: u32 = 1 << 3;
    /// User-defined token.
    pub const USER_DEFINED: u32 = 1 << 4;
    /// Byte-fallback token.
    pub const BYTE: u32 = 1 << 5;
    /// Strip whitespace left of this token when it is matched in text.
    pub const LSTRIP: u32 = 1 << 7;
    /// Strip whitespace right of this token when it is matched in text.
    pub const RSTRIP: u32 = 1 << 8;
}

/// Errors building a tokenizer.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    /// A metadata key is missing or has the wrong type.
    #[error("tokenizer metadata '{key}': {reason}")]
    Metadata {
        /// The GGUF key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The tokenizer model or pre-tokenizer is not implemented.
    #[error("unsupported tokenizer: {0}")]
    Unsupported(String),
}

/// Which algorithm the vocabulary uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenizerKind {
    /// SentencePiece scores + byte fallback (`tokenizer.ggml.model = "llama"`).
    Spm,
    /// GPT-2 byte-level BPE with a pre-tokenizer (`"gpt2"`).
    Bpe(PreTokenizer),
}

/// A ready tokenizer. Build it with [`Tokenizer::from_gguf`] or [`Tokenizer::new`].
#[derive(Debug)]
pub struct Tokenizer {
    kind: TokenizerKind,
    pre: Option<PreTokenizer>,
    tokens: Vec<String>,
    scores: Vec<f32>,
    attrs: Vec<u32>,
    token_to_id: HashMap<String, u32>,
    /// `bpe_ranks[left][right] = rank` (first occurrence of a merge wins).
    bpe_ranks: HashMap<String, HashMap<String, u32>>,
    /// Control / user-defined / unknown tokens, longest text first.
    special_cache: Vec<u32>,
    /// `token_to_piece(id, special = true)` for every id.
    piece_cache: Vec<Vec<u8>>,
    bos: Option<u32>,
    eos: Option<u32>,
    eot: Option<u32>,
    eom: Option<u32>,
    unk: Option<u32>,
    pad: Option<u32>,
    eog: BTreeSet<u32>,
    add_bos: bool,
    add_eos: bool,
    add_space_prefix: bool,
    ignore_merges: bool,
    clean_spaces: bool,
}

/// Settings llama.cpp derives from `tokenizer.ggml.pre` for the BPE families we
/// implement (`llama_vocab::impl::load`): (regex family, clean_spaces,
/// ignore_merges, add_bos default).
fn bpe_pre_settings(name: &str) -> Option<(PreTokenizer, bool, bool, bool)> {
    use PreTokenizer::*;
    Some(match name {
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "falcon-h1" | "pixtral" | "midm-2.0"
        | "lfm2" | "jina-v5-nano" => (Llama3, true, true, true),
        "dbrx" | "smaug-bpe" => (Llama3, true, false, false),
        "qwen2" | "deepseek-r1-qwen" | "kormo" | "f2llmv2" | "hunyuan" | "grok-2"
        | "solar-open" => (Qwen2, false, false, false),
        "stablelm2" | "megrez" => (Qwen2, true, false, false),
        "smollm" | "command-r" => (Smollm, false, false, false),
        "starcoder" | "refact" | "codeshell" | "exaone" | "minerva-7b" | "mellum2" => {
            (Smollm, true, false, false)
        }
        "gpt-2" | "phi-2" | "mpt" | "olmo" | "jais" | "exaone4" => (Gpt2, true, false, false),
        "trillion" | "granite-docling" => (Gpt2, false, false, false),
        _ => return None,
    })
}

/// Token texts llama.cpp recognises as end-of-turn when no `eot_token_id` is given
/// (`llama_vocab::impl::load`, "find EOT token").
const EOT_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "<｜end▁of▁sentence｜>",
    "<end_of_utterance>",
];

/// FIM token texts by slot (pre, suf, mid, pad, rep, sep), same source.
const FIM_TEXTS: [&[&str]; 6] = [
    &[
        "<|fim_prefix|>",
        "<fim-prefix>",
        "<fim_prefix>",
        "<｜fim▁begin｜>",
        "<PRE>",
        "▁<PRE>",
        "<|code_prefix|>",
        "<|prefix|>",
    ],
    &[
        "<|fim_suffix|>",
        "<fim-suffix>",
        "<fim_suffix>",
        "<｜fim▁hole｜>",
        "<SUF>",
        "▁<SUF>",
        "<|code_suffix|>",
        "<|suffix|>",
    ],
    &[
        "<|fim_middle|>",
        "<fim-middle>",
        "<fim_middle>",
        "<｜fim▁end｜>",
        "<MID>",
        "▁<MID>",
        "<|code_middle|>",
        "<|middle|>",
    ],
    &["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"],
    &[
        "<|fim_repo|>",
        "<|repo_name|>",
        "<fim-repo>",
        "<REPO>",
        "<reponame>",
    ],
    &["<|file_sep|>"],
];

/// Token texts that end generation (llama.cpp's EOG list in `load`).
const EOG_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<｜end▁of▁sentence｜>",
    "[e~[",
];

impl Tokenizer {
    /// Build the tokenizer described by a GGUF file's metadata.
    pub fn from_gguf(g: &Gguf) -> Result<Tokenizer, TokenizerError> {
        Tokenizer::new(Vocab::from_gguf(g)?)
    }

    /// Build a tokenizer from raw vocabulary data, applying llama.cpp's defaults and
    /// token-attribute rules (`llama_vocab::impl::load`).
    pub fn new(v: Vocab) -> Result<Tokenizer, TokenizerError> {
        let n = v.tokens.len();
        if n == 0 {
            return Err(TokenizerError::Metadata {
                key: "tokenizer.ggml.tokens".into(),
                reason: "empty vocabulary".into(),
            });
        }
        let check_len = |len: usize, key: &str| {
            if len != 0 && len < n {
                Err(TokenizerError::Metadata {
                    key: key.into(),
                    reason: format!("{len} entries for {n} tokens"),
                })
            } else {
                Ok(())
            }
        };
        check_len(v.scores.len(), "tokenizer.ggml.scores")?;
        check_len(v.token_types.len(), "tokenizer.ggml.token_type")?;

        // Per-model defaults, then the pre-tokenizer's, then metadata.
        let (
            kind,
            mut bos,
            mut eos,
            mut unk,
            clean_spaces,
            ignore_merges,
            add_bos_default,
            add_space_default,
        );
        match v.model.as_str() {
            "llama" => {
                kind = TokenizerKind::Spm;
                (bos, eos, unk) = (Some(1), Some(2), Some(0));
                (
                    clean_spaces,
                    ignore_merges,
                    add_bos_default,
                    add_space_default,
                ) = (false, false, true, true);
            }
            "gpt2" => {
                let pre_name = v.pre.as_deref().unwrap_or("");
                let (pre, clean, ignore, add_bos) =
                    bpe_pre_settings(pre_name).ok_or_else(|| {
                        TokenizerError::Unsupported(format!(
                            "BPE pre-tokenizer '{pre_name}' (tokenizer.ggml.pre); supported: \
                         llama3 family, qwen2 family, smollm family, gpt-2 family"
                        ))
                    })?;
                kind = TokenizerKind::Bpe(pre);
                (bos, eos, unk) = (Some(11), Some(11), None);
                (
                    clean_spaces,
                    ignore_merges,
                    add_bos_default,
                    add_space_default,
                ) = (clean, ignore, add_bos, false);
            }
            other => {
                return Err(TokenizerError::Unsupported(format!(
                    "tokenizer.ggml.model '{other}' (supported: llama, gpt2)"
                )))
            }
        }
        let add_space_prefix = v.add_space_prefix.unwrap_or(add_space_default);

        // Token texts and attributes.
        let mut tokens = v.tokens;
        let mut token_to_id = HashMap::with_capacity(n);
        let mut attrs = vec![attr::NORMAL; n];
        for (i, t) in tokens.iter_mut().enumerate() {
            if t.is_empty() {
                *t = format!("[EMPTY_{i}]");
            }
            token_to_id.insert(t.clone(), i as u32);
            if let Some(&ty) = v.token_types.get(i) {
                attrs[i] = match ty {
                    vocab::token_type::UNKNOWN => attr::UNKNOWN,
                    vocab::token_type::UNUSED => attr::UNUSED,
                    vocab::token_type::NORMAL => attr::NORMAL,
                    vocab::token_type::CONTROL => attr::CONTROL,
                    vocab::token_type::USER_DEFINED => attr::USER_DEFINED,
                    vocab::token_type::BYTE => attr::BYTE,
                    _ => 0,
                };
            }
        }
        let scores = if v.scores.is_empty() {
            vec![0.0; n]
        } else {
            v.scores
        };

        let mut bpe_ranks: HashMap<String, HashMap<String, u32>> = HashMap::new();
        if matches!(kind, TokenizerKind::Bpe(_)) {
            if v.merges.is_empty() {
                return Err(TokenizerError::Metadata {
                    key: "tokenizer.ggml.merges".into(),
                    reason: "missing (required for BPE)".into(),
                });
            }
            for (rank, m) in v.merges.iter().enumerate() {
                // Split at the first space after the first byte (`word.find(' ', 1)`).
                let space = m.bytes().skip(1).position(|b| b == b' ').map(|p| p + 1);
                let (l, r) = match space {
                    Some(p) => (&m[..p], &m[p + 1..]),
                    None => ("", ""),
                };
                bpe_ranks
                    .entry(l.to_string())
                    .or_default()
                    .entry(r.to_string())
                    .or_insert(rank as u32);
            }
        }

        // Special ids: defaults out of range are dropped, metadata overrides in range.
        let in_range = |id: Option<u32>| id.filter(|&x| (x as usize) < n);
        bos = in_range(bos);
        eos = in_range(eos);
        unk = in_range(unk);
        let pick = |default: Option<u32>, meta: Option<u32>| match meta {
            Some(m) if (m as usize) < n => Some(m),
            _ => default,
        };
        bos = pick(bos, v.bos);
        eos = pick(eos, v.eos);
        unk = pick(unk, v.unk);
        let mut eot = pick(None, v.eot);
        let mut eom = pick(None, v.eom);
        let pad = pick(None, v.pad);
        let mut fim: [Option<u32>; 6] = [None; 6];
        for (slot, meta) in fim.iter_mut().zip(v.fim) {
            *slot = pick(None, meta);
        }
        let add_bos = v.add_bos.unwrap_or(add_bos_default);
        let add_eos = v.add_eos.unwrap_or(false);

        // Auto-detect EOT / EOM / FIM tokens by text and force them to control.
        // llama.cpp walks an unordered_map here; we walk ids in order so the choice
        // among several candidates is deterministic (lowest id wins).
        fn make_control(id: u32, attrs: &mut [u32]) {
            attrs[id as usize] |= attr::CONTROL;
        }
        for (i, t) in tokens.iter().enumerate() {
            let id = i as u32;
            if eot.is_none() && EOT_TEXTS.contains(&t.as_str()) {
                eot = Some(id);
                make_control(id, &mut attrs);
            }
            if eom.is_none() && t == "<|eom_id|>" {
                eom = Some(id);
                make_control(id, &mut attrs);
            }
            for (slot, texts) in fim.iter_mut().zip(FIM_TEXTS) {
                if slot.is_none() && texts.contains(&t.as_str()) {
                    *slot = Some(id);
                    make_control(id, &mut attrs);
                }
            }
        }
        // Control tokens named "unused" are unused.
        for (i, t) in tokens.iter().enumerate() {
            if attrs[i] & attr::CONTROL != 0 && t.contains("unused") {
                attrs[i] |= attr::UNUSED;
            }
        }
        // End-of-generation set.
        let mut eog: BTreeSet<u32> = fim[3..].iter().flatten().copied().collect();
        for (i, t) in tokens.iter().enumerate() {
            if EOG_TEXTS.contains(&t.as_str()) {
                eog.insert(i as u32);
                make_control(i as u32, &mut attrs);
            }
        }
        // gpt-oss: always render these.
        for (i, t) in tokens.iter().enumerate() {
            if ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"].contains(&t.as_str()) {
                attrs[i] = attr::USER_DEFINED;
            }
        }
        eog.extend([eos, eot, eom].into_iter().flatten());
        let text_of = |id: u32| tokens[id as usize].as_str();
        // o200k_harmony / solar-open: "<|end|>" is not EOG next to "<|return|>"+"<|call|>".
        {
            let has = |s: &str| eog.iter().any(|&id| text_of(id) == s);
            let end_id = eog.iter().copied().find(|&id| text_of(id) == "<|end|>");
            if let Some(end_id) = end_id {
                let calls = has("<|call|>") || has("<|calls|>");
                if calls && (has("<|return|>") || has("<|flush|>")) {
                    eog.remove(&end_id);
                    attrs[end_id as usize] = attr::USER_DEFINED;
                }
            }
        }
        // gemma4 / plamo: a normal "</s>".
        {
            let marker = eog
                .iter()
                .any(|&id| matches!(text_of(id), "<|tool_response>" | "<|plamo:eos|>"));
            let s_id = eog.iter().copied().find(|&id| text_of(id) == "</s>");
            if let (true, Some(s_id)) = (marker, s_id) {
                eog.remove(&s_id);
                attrs[s_id as usize] = attr::NORMAL;
            }
        }

        // Special tokens, longest first (stable for equal lengths: lowest id first).
        let mut special_cache: Vec<u32> = (0..n as u32)
            .filter(|&id| {
                attrs[id as usize] & (attr::CONTROL | attr::USER_DEFINED | attr::UNKNOWN) != 0
            })
            .collect();
        special_cache.sort_by_key(|&id| std::cmp::Reverse(tokens[id as usize].len()));

        let mut tok = Tokenizer {
            kind,
            pre: match kind {
                TokenizerKind::Bpe(p) => Some(p),
                TokenizerKind::Spm => None,
            },
            tokens,
            scores,
            attrs,
            token_to_id,
            bpe_ranks,
            special_cache,
            piece_cache: Vec::new(),
            bos,
            eos,
            eot,
            eom,
            unk,
            pad,
            eog,
            add_bos,
            add_eos,
            add_space_prefix,
            ignore_merges,
            clean_spaces,
        };
        tok.piece_cache = (0..n as u32).map(|id| tok.piece_uncached(id)).collect();

        // Per-model strip flags, set after the piece cache as in llama.cpp.
        let name = v.model_name.unwrap_or_default().to_lowercase();
        if name.contains("phi-3") || name.contains("phi3") {
            for &id in &tok.special_cache {
                tok.attrs[id as usize] |= attr::RSTRIP;
            }
            for (t, on) in [
                ("</s>", true),
                ("<unk>", false),
                ("<s>", false),
                ("<|endoftext|>", false),
            ] {
                if let Some(id) = tok.text_to_token(t) {
                    let a = &mut tok.attrs[id as usize];
                    *a = if on {
                        *a | attr::RSTRIP
                    } else {
                        *a & !attr::RSTRIP
                    };
                }
            }
        }
        Ok(tok)
    }

    /// Text to token ids (llama.cpp `llama_tokenize`). `add_special` adds BOS/EOS as
    /// the metadata asks; `parse_special` lets control tokens written in the text
    /// (e.g. `<start_of_turn>`) become their ids. User-defined tokens are always matched.
    pub fn encode(&self, text: &str, add_special: bool, parse_special: bool) -> Vec<u32> {
        let fragments = if text.is_empty() {
            Vec::new()
        } else {
            self.partition(text, parse_special)
        };
        let mut out = Vec::new();
        match self.kind {
            TokenizerKind::Spm => {
                if add_special && self.add_bos {
                    out.extend(self.bos);
                }
                // A space prefix goes before the first text and after special tokens.
                let mut prev_special = true;
                for f in fragments {
                    match f {
                        Fragment::Text(a, b) => {
                            let mut s = String::with_capacity(b - a + 4);
                            if self.add_space_prefix && prev_special {
                                s.push(' ');
                            }
                            s.push_str(&text[a..b]);
                            let s = s.replace(' ', "\u{2581}");
                            spm::tokenize(self, &s, &mut out);
                            prev_special = false;
                        }
                        Fragment::Token(id) => {
                            out.push(id);
                            prev_special = true;
                        }
                    }
                }
                if add_special && self.add_eos {
                    out.extend(self.eos);
                }
            }
            TokenizerKind::Bpe(_) => {
                if add_special && self.add_bos {
                    out.extend(self.bos);
                }
                for f in fragments {
                    match f {
                        Fragment::Text(a, b) => bpe::tokenize(self, &text[a..b], &mut out),
                        Fragment::Token(id) => out.push(id),
                    }
                }
                if add_special && self.add_eos {
                    out.extend(self.eos);
                }
            }
        }
        out
    }

    /// Split text around special tokens (llama.cpp `tokenizer_st_partition`): each
    /// special token, longest first, cuts every remaining text fragment at all its
    /// non-overlapping occurrences, left to right.
    fn partition(&self, text: &str, parse_special: bool) -> Vec<Fragment> {
        let raw = text.as_bytes();
        let mut frags = vec![Fragment::Text(0, text.len())];
        for &id in &self.special_cache {
            let a = self.attrs[id as usize];
            if !parse_special && a & (attr::CONTROL | attr::UNKNOWN) != 0 {
                continue;
            }
            let needle = self.tokens[id as usize].as_str();
            if !text.contains(needle) {
                continue;
            }
            let mut next = Vec::with_capacity(frags.len() + 2);
            for f in frags {
                let Fragment::Text(start, end) = f else {
                    next.push(f);
                    continue;
                };
                let mut base = start;
                loop {
                    let Some(rel) = text[base..end].find(needle) else {
                        if base < end {
                            next.push(Fragment::Text(base, end));
                        }
                        break;
                    };
                    let m = base + rel;
                    let mut left_end = m;
                    if a & attr::LSTRIP != 0 {
                        while left_end > base && is_c_space(raw[left_end - 1]) {
                            left_end -= 1;
                        }
                    }
                    if left_end > base {
                        next.push(Fragment::Text(base, left_end));
                    }
                    next.push(Fragment::Token(id));
                    let mut right = m + needle.len();
                    if right >= end {
                        break;
                    }
                    if a & attr::RSTRIP != 0 {
                        while right < end && is_c_space(raw[right]) {
                            right += 1;
                        }
                    }
                    base = right;
                }
            }
            frags = next;
        }
        frags
    }

    /// The piece of one token with `special = true` (llama.cpp `token_to_piece`
    /// without its cache).
    fn piece_uncached(&self, id: u32) -> Vec<u8> {
        let a = self.attrs[id as usize];
        let text = &self.tokens[id as usize];
        if a & (attr::UNKNOWN | attr::CONTROL | attr::USER_DEFINED) != 0 {
            return text.as_bytes().to_vec();
        }
        if a & attr::NORMAL != 0 {
            return match self.kind {
                TokenizerKind::Spm => text.replace('\u{2581}', " ").into_bytes(),
                TokenizerKind::Bpe(_) => decode::gpt2_decode_text(text),
            };
        }
        if a & attr::BYTE != 0 {
            return vec![decode::byte_token_value(text)];
        }
        Vec::new()
    }

    /// The bytes a token stands for (llama.cpp `llama_token_to_piece` with
    /// `lstrip = 0`). With `special = false`, control and unknown tokens give nothing.
    /// A piece may be part of a UTF-8 sequence (byte tokens); see [`IncrementalDecoder`].
    /// Out-of-range ids give nothing.
    pub fn token_to_piece(&self, id: u32, special: bool) -> &[u8] {
        let Some(&a) = self.attrs.get(id as usize) else {
            return &[];
        };
        if !special && a & (attr::UNKNOWN | attr::CONTROL) != 0 {
            return &[];
        }
        &self.piece_cache[id as usize]
    }

    /// Ids to bytes (llama.cpp `llama_detokenize`): `remove_special` drops a leading
    /// BOS / trailing EOS the model adds; `unparse_special` renders control tokens.
    /// Out-of-range ids are skipped.
    pub fn detokenize(&self, ids: &[u32], remove_special: bool, unparse_special: bool) -> Vec<u8> {
        decode::detokenize(self, ids, remove_special, unparse_special)
    }

    /// Ids to text, special tokens not rendered, invalid UTF-8 replaced by U+FFFD.
    pub fn decode(&self, ids: &[u32]) -> String {
        String::from_utf8_lossy(&self.detokenize(ids, false, false)).into_owned()
    }

    /// Which algorithm this vocabulary uses.
    pub fn kind(&self) -> TokenizerKind {
        self.kind
    }
    /// Number of tokens.
    pub fn n_vocab(&self) -> usize {
        self.tokens.len()
    }
    /// Beginning-of-sequence token.
    pub fn bos(&self) -> Option<u32> {
        self.bos
    }
    /// End-of-sequence token.
    pub fn eos(&self) -> Option<u32> {
        self.eos
    }
    /// End-of-turn token (from metadata or recognised by text).
    pub fn eot(&self) -> Option<u32> {
        self.eot
    }
    /// End-of-message token (`<|eom_id|>`).
    pub fn eom(&self) -> Option<u32> {
        self.eom
    }
    /// Unknown token.
    pub fn unk(&self) -> Option<u32> {
        self.unk
    }
    /// Padding token.
    pub fn pad(&self) -> Option<u32> {
        self.pad
    }
    /// Whether `encode(.., add_special = true, ..)` prepends BOS.
    pub fn add_bos(&self) -> bool {
        self.add_bos
    }
    /// Whether `encode(.., add_special = true, ..)` appends EOS.
    pub fn add_eos(&self) -> bool {
        self.add_eos
    }
    /// True for tokens that end generation (EOS, EOT, `<end_of_turn>`, `<|im_end|>`, ...).
    pub fn is_eog(&self, id: u32) -> bool {
        self.eog.contains(&id)
    }
    /// All end-of-generation tokens.
    pub fn eog_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.eog.iter().copied()
    }
    /// True for control tokens.
    pub fn is_control(&self, id: u32) -> bool {
        self.token_attr(id) & attr::CONTROL != 0
    }
    /// The attribute bits of a token (see [`attr`]); 0 for out-of-range ids.
    pub fn token_attr(&self, id: u32) -> u32 {
        self.attrs.get(id as usize).copied().unwrap_or(0)
    }
    /// The vocabulary string of a token (`▁`/`Ġ` escapes included).
    pub fn token_text(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }
    /// The id of an exact vocabulary string.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.text_to_token(text)
    }

    // ---- helpers for the algorithms ----

    fn text_to_token(&self, text: &str) -> Option<u32> {
        self.token_to_id.get(text).copied()
    }
    fn score(&self, id: u32) -> f32 {
        self.scores[id as usize]
    }
    fn bpe_rank(&self, left: &str, right: &str) -> Option<u32> {
        self.bpe_ranks.get(left)?.get(right).copied()
    }
    /// llama.cpp `byte_to_token` for SentencePiece: `<0xXX>`, else the byte itself.
    fn byte_to_token(&self, b: u8) -> Option<u32> {
        self.text_to_token(&format!("<0x{b:02X}>")).or_else(|| {
            std::str::from_utf8(&[b])
                .ok()
                .and_then(|s| self.text_to_token(s))
        })
    }
}

/// A piece of the input: raw text (byte range) or an already recognised special token.
#[derive(Clone, Copy, Debug)]
enum Fragment {
    Text(usize, usize),
    Token(u32),
}

/// C `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

#[cfg(test)]
mod tests;
