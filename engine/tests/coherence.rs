//! Degeneration check on real generations (the cheap CI variant of
//! `rocless coherence`): one long prompt × 256 sampled tokens (fixed seed) per model.

use engine::coherence::{check, sampler as coherence_sampler, PROMPTS};
use engine::gguf::Gguf;
use engine::model::Model;
use engine::sample::Sampler;
use engine::tokenizer::Tokenizer;

fn run(file: &str, prompt: &str) {
    let Some(path) = engine::models::test_model(file) else {
        return;
    };
    let g = Gguf::open(&path).unwrap();
    let tok = Tokenizer::from_gguf(&g).unwrap();
    let model = Model::load(&g, |_, _| {}).unwrap();
    let ids = tok.encode(prompt, true, false);
    let mut cache = model.new_cache(ids.len() + 257);
    let mut sampler = Sampler::new(coherence_sampler());
    let mut out = Vec::new();
    engine::generate::generate(
        &model,
        &mut cache,
        &ids,
        256,
        &mut sampler,
        |_| false,
        |id| {
            out.push(id);
            Ok(true)
        },
    )
    .unwrap();
    let r = check(&out);
    eprintln!("{file}: {r:?}\n{}", tok.decode(&out));
    assert_eq!(out.len(), 256);
    assert!(r.passed(), "{file}: {:?}", r.failures);
}

#[test]
fn gemma3_output_is_not_degenerate() {
    run("gemma-3-270m-q4_k_m.gguf", PROMPTS[0]);
}

#[test]
fn smollm2_output_is_not_degenerate() {
    run("SmolLM2-135M-Instruct.Q4_1.gguf", PROMPTS[1]);
}
