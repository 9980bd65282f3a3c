//! Free-running greedy generation against llama.cpp, end to end through our
//! tokenizer: `tests/fixtures/<model>/greedy.json` (made by
//! `scripts/fixtures/make_model_fixtures.py` with llama-cpp-python; format in
//! `tests/fixtures/README.md`). Our prompt ids must equal llama.cpp's exactly;
//! our 32 greedy ids must equal llama.cpp's, except that the two sequences may
//! part at a step where llama.cpp's own top-2 margin is a near tie (then the
//! rest is not comparable and the case stops there). The first-step top-20
//! logits must agree within the tolerance of `forward_reference.rs`.
//!
//! Why "near tie" is a margin below 1.0 here: these fixtures evaluated the
//! prompt in one batch, and llama.cpp's own logits move by up to 1.58 between
//! batched and one-token evaluation (see `forward_reference.rs`). Measured on
//! 2026-11-23: of 5 runs per model, 1 matched all 32 steps; the others parted
//! at llama.cpp margins 0.035–0.444 (gemma3) and 0.061–0.674 (SmolLM2). The
//! step-exact, teacher-forced comparison lives in `forward_reference.rs`.

use engine::gguf::Gguf;
use engine::model::{Logits, Model};
use engine::sample::argmax;
use engine::tokenizer::Tokenizer;

const NEAR_TIE: f64 = 1.0;
const LOGIT_TOL: f32 = 2.0;

fn ids(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn check(file: &str) {
    let Some(path) = engine::models::test_model(file) else {
        return;
    };
    let fx = format!(
        "{}/tests/fixtures/{}/greedy.json",
        env!("CARGO_MANIFEST_DIR"),
        file.trim_end_matches(".gguf")
    );
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fx).unwrap()).unwrap();
    let g = Gguf::open(&path).unwrap();
    let tok = Tokenizer::from_gguf(&g).unwrap();
    let model = Model::load(&g, |_, _| {}).unwrap();
    let (mut full, mut parted) = (0, 0);
    for run in fixture["runs"].as_array().unwrap() {
        let prompt = run["prompt"].as_str().unwrap();
        let want_prompt = ids(&run["prompt_ids"]);
        assert_eq!(
            tok.encode(prompt, true, true),
            want_prompt,
            "{file}: prompt ids of {prompt:?}"
        );
        let want = ids(&run["generated_ids"]);
        let top2 = run["step_top2"].as_array().unwrap();
        let mut cache = model.new_cache(want_prompt.len() + want.len() + 1);
        let mut logits = model
            .forward(&want_prompt, &mut cache, Logits::Last)
            .unwrap();
        for p in run["first_step_top20"].as_array().unwrap() {
            let (id, v) = (p[0].as_u64().unwrap() as usize, p[1].as_f64().unwrap());
            let d = (logits[id] - v as f32).abs();
            assert!(
                d <= LOGIT_TOL,
                "{file} {prompt:?}: first-step logit {id} off by {d}"
            );
        }
        let mut got = Vec::new();
        let mut matched = true;
        for (k, &w) in want.iter().enumerate() {
            let id = argmax(&logits);
            got.push(id);
            if id != w {
                let margin = top2[k][0][1].as_f64().unwrap() - top2[k][1][1].as_f64().unwrap();
                assert!(
                    margin < NEAR_TIE,
                    "{file} {prompt:?} step {k}: ours {id}, llama.cpp {w}, llama.cpp margin \
                     {margin:.3} is no tie; ours {got:?}"
                );
                eprintln!("{file} {prompt:?}: parted at step {k} on a near tie ({margin:.3})");
                matched = false;
                break;
            }
            logits = model.forward(&[id], &mut cache, Logits::Last).unwrap();
        }
        if matched {
            full += 1;
        } else {
            parted += 1;
        }
    }
    eprintln!("{file}: {full} runs equal for all steps, {parted} parted at a near tie");
    assert!(full + parted > 0, "{file}: the fixture has no runs");
}

#[test]
fn gemma3_greedy_equals_llama_cpp() {
    check("gemma-3-270m-q4_k_m.gguf");
}

#[test]
fn smollm2_greedy_equals_llama_cpp() {
    check("SmolLM2-135M-Instruct.Q4_1.gguf");
}
