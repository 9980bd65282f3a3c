//! Tokenizer and chat-template output compared with llama.cpp, using fixtures
//! recorded by `scripts/fixtures/make_tokenizer_fixtures.py` (llama-cpp-python).
//! Skips with a message when the models are not present (set ROCLESS_MODELS).

use std::path::Path;

use engine::chat::{render, Message, TemplateKind};
use engine::gguf::Gguf;
use engine::tokenizer::{IncrementalDecoder, Tokenizer};
use serde_json::Value;

fn fixture(stem: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("tokenizer-{stem}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(stem: &str) -> Option<(Tokenizer, Gguf, Value)> {
    let path = engine::models::test_model(&format!("{stem}.gguf"))?;
    let g = Gguf::open(&path).expect("open model");
    let tok = Tokenizer::from_gguf(&g).expect("tokenizer from gguf");
    Some((tok, g, fixture(stem)))
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .expect("ids array")
        .iter()
        .map(|x| x.as_u64().expect("id") as u32)
        .collect()
}

fn fnv1a64(h: &mut u64, data: &[u8]) {
    for &b in data {
        *h = (*h ^ b as u64).wrapping_mul(0x100_0000_01B3);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_model(stem: &str) {
    let Some((tok, g, fx)) = load(stem) else {
        return;
    };
    let mut failures = Vec::new();

    // Vocabulary-level facts.
    assert_eq!(tok.n_vocab() as u64, fx["n_vocab"].as_u64().unwrap());
    let id_or_none = |v: &Value| v.as_i64().filter(|&x| x >= 0).map(|x| x as u32);
    assert_eq!(tok.bos(), id_or_none(&fx["bos"]), "bos");
    assert_eq!(tok.eos(), id_or_none(&fx["eos"]), "eos");
    assert_eq!(tok.eot(), id_or_none(&fx["eot"]), "eot");
    assert_eq!(tok.add_bos(), fx["add_bos"].as_bool().unwrap(), "add_bos");
    assert_eq!(tok.add_eos(), fx["add_eos"].as_bool().unwrap(), "add_eos");
    assert_eq!(
        tok.eog_ids().collect::<Vec<_>>(),
        ids(&fx["eog"]),
        "eog set"
    );

    // Every token's piece and attributes.
    let (mut on, mut off, mut attrs) = (
        0xCBF2_9CE4_8422_2325u64,
        0xCBF2_9CE4_8422_2325u64,
        0xCBF2_9CE4_8422_2325u64,
    );
    for id in 0..tok.n_vocab() as u32 {
        for (h, special) in [(&mut on, true), (&mut off, false)] {
            let p = tok.token_to_piece(id, special);
            fnv1a64(h, &(p.len() as u32).to_le_bytes());
            fnv1a64(h, p);
        }
        fnv1a64(&mut attrs, &tok.token_attr(id).to_le_bytes());
    }
    assert_eq!(
        format!("{attrs:016x}"),
        fx["attrs_fnv1a64"].as_str().unwrap(),
        "token attributes"
    );
    assert_eq!(
        format!("{on:016x}"),
        fx["pieces_special_fnv1a64"].as_str().unwrap(),
        "pieces (special)"
    );
    assert_eq!(
        format!("{off:016x}"),
        fx["pieces_plain_fnv1a64"].as_str().unwrap(),
        "pieces (plain)"
    );

    // Encoding.
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 50);
    for c in cases {
        let text = c["text"].as_str().unwrap();
        let add = c["add_special"].as_bool().unwrap();
        let parse = c["parse_special"].as_bool().unwrap();
        let want = ids(&c["ids"]);
        let got = tok.encode(text, add, parse);
        if got != want {
            failures.push(format!(
                "encode({text:?}, add_special={add}, parse_special={parse}):\n   got  {got:?}\n   want {want:?}"
            ));
        }
    }

    // Decoding, and the streaming decoder agrees with whole-sequence decoding.
    for d in fx["detokenize"].as_array().unwrap() {
        let v = ids(&d["ids"]);
        let rs = d["remove_special"].as_bool().unwrap();
        let us = d["unparse_special"].as_bool().unwrap();
        let got = hex(&tok.detokenize(&v, rs, us));
        let want = d["bytes_hex"].as_str().unwrap();
        if got != want {
            failures.push(format!(
                "detokenize({v:?}, {rs}, {us}):\n   got  {got}\n   want {want}"
            ));
        }
        if !rs {
            let mut dec = IncrementalDecoder::new(&tok, us);
            let mut s: String = v.iter().map(|&id| dec.push(id)).collect();
            s += &dec.flush();
            let whole: Vec<u8> = v
                .iter()
                .flat_map(|&id| tok.token_to_piece(id, us).to_vec())
                .collect();
            if s != String::from_utf8_lossy(&whole) {
                failures.push(format!("incremental decode of {v:?}: {s:?}"));
            }
        }
    }

    // Chat templates, as llama_chat_apply_template renders them.
    for c in fx["chat"].as_array().unwrap() {
        let kind = TemplateKind::detect(c["template"].as_str().unwrap()).unwrap();
        let msgs: Vec<Message> = c["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| Message::new(m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
            .collect();
        let add = c["add_generation_prompt"].as_bool().unwrap();
        let got = render(kind, &msgs, add);
        if Some(got.as_str()) != c["text"].as_str() {
            failures.push(format!(
                "chat {kind:?} {msgs:?}:\n   got  {got:?}\n   want {:?}",
                c["text"]
            ));
        }
    }
    // The model's own template family.
    let expected_kind = if stem.starts_with("gemma") {
        TemplateKind::Gemma
    } else {
        TemplateKind::ChatMl
    };
    assert_eq!(TemplateKind::from_gguf(&g), Ok(expected_kind));

    assert!(
        failures.is_empty(),
        "{stem}: {} mismatches with llama.cpp:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn gemma3_matches_llama_cpp() {
    check_model("gemma-3-270m-q4_k_m");
}

#[test]
fn smollm2_matches_llama_cpp() {
    check_model("SmolLM2-135M-Instruct.Q4_1");
}
