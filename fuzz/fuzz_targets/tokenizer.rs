//! Fuzz the tokenizers: arbitrary vocabularies (from the input) must build or be
//! rejected with an error, and encoding / decoding arbitrary text must not panic.
//! Byte-level BPE must round-trip any text exactly.
#![no_main]

use engine::tokenizer::vocab::token_type;
use engine::tokenizer::{IncrementalDecoder, Tokenizer, Vocab};
use libfuzzer_sys::fuzz_target;

/// Input layout: byte 0 picks the mode; the rest is split at 0xFF into
/// [text, token list, merge list] (tokens and merges separated by 0x00).
fn parts(data: &[u8]) -> (u8, String, Vec<String>, Vec<String>) {
    let mode = data.first().copied().unwrap_or(0);
    let rest = data.get(1..).unwrap_or(&[]);
    let mut it = rest.split(|&b| b == 0xFF);
    let text = String::from_utf8_lossy(it.next().unwrap_or(&[])).into_owned();
    let list = |b: &[u8]| -> Vec<String> {
        b.split(|&c| c == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    };
    let tokens = list(it.next().unwrap_or(&[]));
    let merges = list(it.next().unwrap_or(&[]));
    (mode, text, tokens, merges)
}

/// A complete byte-level BPE vocabulary so every text round-trips.
fn byte_bpe(extra_merges: &[String], pre: &str) -> Vocab {
    let mut tokens: Vec<String> = vec!["<|endoftext|>".into()];
    let mut types = vec![token_type::CONTROL];
    for b in 0..=255u8 {
        let s: String = std::str::from_utf8(&[b])
            .ok()
            .filter(|_| b.is_ascii_graphic())
            .map(str::to_string)
            .unwrap_or_else(|| {
                // GPT-2 byte alphabet for the other bytes.
                let printable = (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b);
                if printable {
                    char::from(b).to_string()
                } else {
                    let n = (0..b)
                        .filter(|&x| {
                            !(x.is_ascii_graphic()
                                || (0xA1..=0xAC).contains(&x)
                                || (0xAE..=0xFF).contains(&x))
                        })
                        .count() as u32;
                    char::from_u32(256 + n).unwrap_or('?').to_string()
                }
            });
        tokens.push(s);
        types.push(token_type::NORMAL);
    }
    // At least one merge: a BPE vocabulary without merges is rejected.
    tokens.push("ab".into());
    types.push(token_type::NORMAL);
    let mut merges = vec!["a b".to_string()];
    for m in extra_merges.iter().take(64) {
        if let Some((l, r)) = m.split_once(' ') {
            if !l.is_empty() && !r.is_empty() {
                tokens.push(format!("{l}{r}"));
                types.push(token_type::NORMAL);
                merges.push(m.clone());
            }
        }
    }
    Vocab {
        model: "gpt2".into(),
        pre: Some(pre.into()),
        tokens,
        token_types: types,
        merges,
        add_bos: Some(false),
        ..Vocab::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let (mode, text, tokens, merges) = parts(data);
    match mode % 3 {
        0 => {
            // Arbitrary vocabulary: build or error, then exercise everything.
            let model = if mode & 0x80 != 0 { "gpt2" } else { "llama" };
            let n = tokens.len();
            let v = Vocab {
                model: model.to_string(),
                pre: Some(["smollm", "llama3", "qwen2", "gpt-2"][(mode as usize >> 3) % 4].into()),
                scores: (0..n).map(|i| (i as f32) * -0.5).collect(),
                token_types: (0..n).map(|i| (i % 7) as i32).collect(),
                tokens,
                merges,
                bos: Some(0),
                eos: Some(1),
                ..Vocab::default()
            };
            if let Ok(tok) = Tokenizer::new(v) {
                for (add, parse) in [(true, true), (false, false)] {
                    let ids = tok.encode(&text, add, parse);
                    let _ = tok.decode(&ids);
                    let _ = tok.detokenize(&ids, true, true);
                    let mut d = IncrementalDecoder::new(&tok, parse);
                    for &id in &ids {
                        let _ = d.push(id);
                    }
                    let _ = d.flush();
                }
                // Out-of-range ids are ignored, never a panic.
                let _ = tok.decode(&[u32::MAX, tok.n_vocab() as u32]);
            }
        }
        _ => {
            // Byte-level BPE decodes back to the exact input.
            let pre = ["smollm", "llama3", "qwen2", "gpt-2"][(mode as usize >> 2) % 4];
            let tok = Tokenizer::new(byte_bpe(&merges, pre)).expect("byte BPE vocab builds");
            let ids = tok.encode(&text, false, false);
            let back = tok.detokenize(&ids, false, false);
            if pre == "smollm" || pre == "qwen2" {
                // No clean-up of spaces for these pre-tokenizers.
                assert_eq!(back, text.as_bytes());
            }
            let mut d = IncrementalDecoder::new(&tok, false);
            let mut s: String = ids.iter().map(|&id| d.push(id)).collect();
            s += &d.flush();
            if pre == "smollm" || pre == "qwen2" {
                assert_eq!(s, text);
            }
        }
    }
});
