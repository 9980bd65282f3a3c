//! Unit tests on small hand-made vocabularies; the real-model comparisons with
//! llama.cpp are in `engine/tests/tokenizer_fixtures.rs`.

use super::vocab::token_type as tt;
use super::*;

fn spm_vocab() -> Vocab {
    let mut tokens: Vec<String> = [
        "<unk>",
        "<s>",
        "</s>",
        "<ctl>",
        "\u{2581}",
        "a",
        "b",
        "ab",
        "\u{2581}ab",
        "\u{2581}a",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut scores = vec![0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -2.0, -1.5, -0.5, -3.0];
    let mut types = vec![tt::UNKNOWN, tt::CONTROL, tt::CONTROL, tt::CONTROL];
    types.extend([tt::NORMAL; 6]);
    for b in 0..=255u32 {
        tokens.push(format!("<0x{b:02X}>"));
        scores.push(0.0);
        types.push(tt::BYTE);
    }
    Vocab {
        model: "llama".into(),
        tokens,
        scores,
        token_types: types,
        ..Vocab::default()
    }
}

fn byte_id(b: u8) -> u32 {
    10 + b as u32
}

#[test]
fn spm_merges_by_score_and_falls_back_to_bytes() {
    let t = Tokenizer::new(spm_vocab()).unwrap();
    assert_eq!(t.bos(), Some(1));
    assert!(t.add_bos());
    // " ab" with the space prefix: "▁ab" scores best.
    assert_eq!(t.encode("ab", true, false), [1, 8]);
    // "中" is not in the vocabulary: three byte tokens.
    assert_eq!(
        t.encode("中", false, false),
        [4, byte_id(0xE4), byte_id(0xB8), byte_id(0xAD)]
    );
    assert_eq!(t.encode("", true, false), [1]);
    assert!(t.encode("", false, false).is_empty());
    assert_eq!(t.decode(&t.encode("ab 中", true, false)), " ab 中");
    // Removing BOS keeps the space prefix (llama.cpp `detokenize`): only without
    // BOS is the first piece's leading space dropped.
    assert_eq!(
        t.detokenize(&t.encode("ab 中", true, false), true, false),
        b" ab \xe4\xb8\xad"
    );
    assert_eq!(
        t.detokenize(&t.encode("ab 中", false, false), false, false),
        b"ab \xe4\xb8\xad"
    );
}

#[test]
fn spm_special_tokens_only_when_parsed() {
    let t = Tokenizer::new(spm_vocab()).unwrap();
    let parsed = t.encode("ab<ctl>ab", false, true);
    assert_eq!(parsed, [8, 3, 8]);
    let unparsed = t.encode("<ctl>", false, false);
    assert!(!unparsed.contains(&3));
    assert_eq!(t.decode(&parsed), "ab ab");
    assert_eq!(t.detokenize(&parsed, false, true), b"ab<ctl> ab");
}

#[test]
fn incremental_decoder_holds_partial_utf8() {
    let t = Tokenizer::new(spm_vocab()).unwrap();
    let mut d = IncrementalDecoder::new(&t, false);
    assert_eq!(d.push(byte_id(0xE4)), "");
    assert_eq!(d.push(byte_id(0xB8)), "");
    assert_eq!(d.push(byte_id(0xAD)), "中");
    assert_eq!(d.push(7), "ab");
    assert_eq!(d.push(byte_id(0xFF)), "\u{FFFD}");
    assert_eq!(d.push(byte_id(0xE4)), "");
    assert_eq!(d.push(7), "\u{FFFD}ab");
    assert_eq!(d.push(byte_id(0xF0)), "");
    assert_eq!(d.flush(), "\u{FFFD}");
    assert_eq!(d.flush(), "");
}

fn bpe_vocab() -> Vocab {
    let mut tokens: Vec<String> = vec!["<|endoftext|>".into(), "<|im_start|>".into()];
    let mut types = vec![tt::CONTROL, tt::CONTROL];
    for b in 0..=255u8 {
        tokens.push(unicode::byte_to_char(b).to_string());
        types.push(tt::NORMAL);
    }
    for t in ["he", "ll", "hell", "hello", "\u{120}w", "\u{120}wo"] {
        tokens.push(t.into());
        types.push(tt::NORMAL);
    }
    Vocab {
        model: "gpt2".into(),
        pre: Some("smollm".into()),
        tokens,
        token_types: types,
        merges: ["h e", "l l", "he ll", "hell o", "\u{120} w", "\u{120}w o"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        add_bos: Some(false),
        ..Vocab::default()
    }
}

#[test]
fn bpe_applies_merges_by_rank() {
    let t = Tokenizer::new(bpe_vocab()).unwrap();
    let id = |s: &str| t.token_id(s).unwrap();
    assert_eq!(t.encode("hello", true, true), [id("hello")]);
    assert_eq!(
        t.encode("hello wor<|im_start|>1", true, true),
        [id("hello"), id("\u{120}wo"), id("r"), 1, id("1")]
    );
    assert_eq!(
        t.decode(&t.encode("hello wor\n", true, true)),
        "hello wor\n"
    );
    assert!(t.is_eog(0));
    assert_eq!(t.eot(), Some(0));
}

#[test]
fn unsupported_models_are_errors() {
    let mut v = bpe_vocab();
    v.pre = Some("no-such-pre".into());
    let e = Tokenizer::new(v).unwrap_err().to_string();
    assert!(e.contains("no-such-pre"), "{e}");
    let mut v = bpe_vocab();
    v.model = "t5".into();
    assert!(Tokenizer::new(v).is_err());
    let mut v = spm_vocab();
    v.scores.truncate(3);
    assert!(Tokenizer::new(v)
        .unwrap_err()
        .to_string()
        .contains("scores"));
}

#[test]
fn clean_up_spaces_matches_llama_cpp() {
    let mut v = bpe_vocab();
    v.pre = Some("gpt-2".into());
    let t = Tokenizer::new(v).unwrap();
    let ids = t.encode("a , b ' c 's d 't", false, false);
    assert_eq!(t.decode(&ids), "a, b'c's d 't");
}
