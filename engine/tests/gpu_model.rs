//! The whole decode pass on the simulator (one IB, one CS ioctl, one fence wait per token,
//! argmax on the device) against the CPU reference engine: greedy ids must be equal.
//! Skips (with a message) when the model files are absent; `--nocapture` prints the
//! per-token figures recorded in findings/gpu-engine.md.

use engine::generate::{generate, prefill};
use engine::gguf::Gguf;
use engine::gpu::{GpuModel, Prompt, Runtime, TokenStats};
use engine::model::{Logits, Model};
use engine::sample::{Sampler, SamplerConfig};
use engine::tokenizer::Tokenizer;

/// The CPU engine's ids for `prompt` with sampler `cfg`, and the logits behind the last
/// one (the prompt and all but the last id in one batch).
fn cpu_generate(
    model: &Model<'_>,
    prompt: &[u32],
    n: usize,
    cfg: &SamplerConfig,
) -> (Vec<u32>, Vec<f32>) {
    let mut cache = model.new_cache(prompt.len() + n + 1);
    let mut ids = Vec::new();
    generate(
        model,
        &mut cache,
        prompt,
        n,
        &mut Sampler::new(cfg.clone()),
        |_| false,
        |id| {
            ids.push(id);
            Ok(true)
        },
    )
    .unwrap();
    let mut seq = prompt.to_vec();
    seq.extend(&ids[..n - 1]);
    let mut cache = model.new_cache(seq.len());
    let logits = model.forward(&seq, &mut cache, Logits::Last).unwrap();
    (ids, logits)
}

fn report(name: &str, gm: &GpuModel<'_>, stats: &[TokenStats]) {
    let p = gm.program();
    eprintln!(
        "{name}: {} dispatches, {} barriers, IB {} B, kernargs {} B, {} BOs, weights {} B, \
         upload+build {:?}, IB build {:?}",
        p.dispatches(),
        p.barriers(),
        p.ib_bytes(),
        p.kernarg_bytes(),
        p.bo_count(),
        gm.weight_bytes(),
        gm.build_time(),
        gm.program_time()
    );
    for (i, s) in stats.iter().enumerate() {
        let t = s.run.totals().unwrap_or_default();
        let cp = s
            .run
            .job
            .as_ref()
            .map(|j| j.stats.clone())
            .unwrap_or_default();
        eprintln!(
            "  pos {i}: patch {:?}, run {:?}, packets {}, dispatches {}, instructions {} \
             (valu {} salu {} smem {} vmem {} lds {} branch {} misc {}), global read {} B, \
             ideal {} B, written {} B, scalar read {} B, lds ops {}, waves {}",
            s.patch,
            s.run.elapsed,
            cp.packets,
            cp.dispatches.len(),
            t.total_instructions(),
            t.instructions[1],
            t.instructions[0],
            t.instructions[2],
            t.instructions[3],
            t.instructions[4],
            t.instructions[5],
            t.instructions[6],
            t.global_bytes_read,
            gm.ideal_bytes(i + 1),
            t.global_bytes_written,
            t.scalar_bytes_read,
            t.lds_ops,
            t.waves,
        );
    }
    if let Some(last) = stats.last() {
        eprintln!("  per kernel (last token): kernel, dispatches, instructions, global bytes read");
        for (k, n, t) in p.per_kernel(&last.run) {
            eprintln!(
                "    {k}: {n}, {}, {}",
                t.total_instructions(),
                t.global_bytes_read
            );
        }
    }
}

/// Runs `prompt` + `n` tokens on the sim (the prompt on the device, or prefilled by the CPU
/// engine when `cpu_prefill`) and compares with the CPU engine.
/// How close the device's last logits must be to the CPU's.
#[derive(Clone, Copy)]
enum LogitCheck {
    /// Bit for bit: the device follows the CPU's operations in the CPU's order.
    Exact,
    /// Within this absolute difference: split-K attention adds each split's partial V sum
    /// and then the splits, where the CPU adds every position in one running sum. That moves
    /// the attention output by an ulp here and there, and the next layer's Q8 activation
    /// rounding turns some of those into whole quantization steps: on the 600-token test the
    /// last logits differ by up to 0.30 (and by 0 with the split turned off).
    Within(f32),
}

fn check(file: &str, prompt: &str, n: usize, cfg: SamplerConfig, cpu_prefill: bool) {
    check_logits(file, prompt, n, cfg, cpu_prefill, LogitCheck::Exact)
}

fn check_logits(
    file: &str,
    prompt: &str,
    n: usize,
    cfg: SamplerConfig,
    cpu_prefill: bool,
    logits: LogitCheck,
) {
    let Some(path) = engine::models::test_model(file) else {
        return;
    };
    let g = Gguf::open(&path).unwrap();
    let tok = Tokenizer::from_gguf(&g).unwrap();
    let model = Model::load(&g, |_, _| {}).unwrap();
    let ids = tok.encode(prompt, true, false);
    let (want, cpu_logits) = cpu_generate(&model, &ids, n, &cfg);

    let rt = Runtime::open("sim").unwrap();
    let mut gm = GpuModel::new(&rt, &model, ids.len() + n, |_, _| {}).unwrap();
    let (mut got, mut stats) = (Vec::new(), Vec::new());
    let mut cache = model.new_cache(ids.len());
    let prefilled;
    let start = if cpu_prefill {
        prefilled = prefill(&model, &mut cache, &ids).unwrap();
        Prompt::Prefilled {
            tokens: &ids,
            cache: &cache,
            logits: &prefilled,
        }
    } else {
        Prompt::Tokens(&ids)
    };
    let gs = gm
        .generate(
            start,
            n,
            &cfg,
            |_| false,
            |id| {
                got.push(id);
                Ok(true)
            },
            &mut stats,
        )
        .unwrap();
    assert_eq!((gs.prompt_tokens, gs.tokens), (ids.len(), n));
    report(file, &gm, &stats);
    // One submission per token: prompt tokens (unless prefilled) + all but the last
    // generated one.
    let prompt_steps = if cpu_prefill { 0 } else { ids.len() };
    assert_eq!(stats.len(), prompt_steps + n - 1);
    for s in &stats {
        let job = s.run.job.as_ref().expect("simulator job report");
        assert_eq!(job.stats.dispatches.len(), gm.program().dispatches());
        assert_eq!(job.stats.release_mem, 1, "one fence per token");
    }
    assert_eq!(
        got,
        want,
        "{file}: GPU greedy ids {:?} vs CPU {:?} for {prompt:?}",
        tok.decode(&got),
        tok.decode(&want)
    );
    assert_eq!(gm.pos(), ids.len() + n - 1);
    // The logits behind the last id: the device follows the CPU reference's arithmetic
    // operation for operation (Q8 activations, integer block dot products in the CPU's
    // summation order, f16 K/V/Q and softmax weights, glibc's expf, the CPU's rope angles
    // and GELU table), so they are the CPU's bit for bit.
    let gpu_logits = gm.logits().unwrap();
    match logits {
        LogitCheck::Exact => {
            let differing = gpu_logits
                .iter()
                .zip(&cpu_logits)
                .filter(|(a, b)| a.to_bits() != b.to_bits())
                .count();
            assert_eq!(
                differing, 0,
                "{file}: {differing} last-step logits differ from the CPU's"
            );
        }
        LogitCheck::Within(tol) => {
            let max = gpu_logits
                .iter()
                .zip(&cpu_logits)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            eprintln!("{file}: last-step logits max |gpu - cpu| = {max}");
            assert!(
                max <= tol,
                "{file}: last-step logits differ by {max} > {tol}"
            );
        }
    }
}

/// The prompts of the llama.cpp greedy fixture of model `stem` (engine/tests/fixtures).
fn fixture_prompts(stem: &str) -> Vec<String> {
    let path = format!(
        "{}/tests/fixtures/{stem}/greedy.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["prompt"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn smollm2_penalized_greedy_ids_equal_the_cpu_engine() {
    // A repetition penalty makes the engine read the logits back and sample on the host.
    let cfg = SamplerConfig {
        repeat_penalty: 1.3,
        ..SamplerConfig::greedy()
    };
    check(
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "The capital of France is",
        4,
        cfg,
        false,
    );
}

#[test]
fn gemma3_greedy_ids_equal_the_cpu_engine() {
    // A short prompt: a gemma3 token takes ~10 s on the simulator.
    // Plain greedy: the argmax stays on the device, 4 bytes come back per token.
    check(
        "gemma-3-270m-q4_k_m.gguf",
        "Paris is",
        4,
        SamplerConfig::greedy(),
        false,
    );
}

#[test]
fn smollm2_after_a_cpu_prefill_equals_the_cpu_engine() {
    // The prompt runs batched on the CPU; its KV cache and logits move to the device.
    check(
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "The capital of France is",
        4,
        SamplerConfig::greedy(),
        true,
    );
}

#[test]
fn sixteen_greedy_tokens_on_fixture_prompts_that_parted_equal_the_cpu_engine() {
    // Issue 9: llama.cpp fixture prompts x 16 tokens per model, prompts prefilled by the
    // CPU engine, every generated token one device submission. The f32 GPU path parted from
    // the CPU on 3 of the 5 fixture prompts per model (first differing step, SmolLM2: "The
    // capital of France is" 5, "Once upon a time, in a small village," 10, "def
    // fibonacci(n):\n" 13; Gemma: "The capital of France is" 11, "Water boils at a
    // temperature of" 8, "The three primary colors are" 2 — findings/gpu-engine.md); two of
    // those per model run here (all ten agree too, ~6 min on the simulator). The ids and the
    // last logits must be the CPU's exactly.
    for (file, stem, prompts) in [
        (
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            "SmolLM2-135M-Instruct.Q4_1",
            [
                "The capital of France is",
                "Once upon a time, in a small village,",
            ],
        ),
        (
            "gemma-3-270m-q4_k_m.gguf",
            "gemma-3-270m-q4_k_m",
            ["The capital of France is", "The three primary colors are"],
        ),
    ] {
        let all = fixture_prompts(stem);
        for prompt in prompts {
            assert!(
                all.iter().any(|p| p == prompt),
                "{prompt:?} is not a {stem} fixture prompt"
            );
            check(file, prompt, 16, SamplerConfig::greedy(), true);
        }
    }
}

#[test]
fn long_context_split_k_attention_equals_the_cpu_engine() {
    // A prompt past ATTN_SPLIT_POSITIONS (512): every SmolLM2 layer attends through
    // attn_decode_split (2 splits, both non-empty) + attn_combine. Counting continues
    // with wide logit margins, so the ids must equal the CPU engine's; the logits differ
    // only by the splits' different grouping of the V sum.
    let prompt: String = (1..=150).map(|i| format!("{i}, ")).collect();
    let file = "SmolLM2-135M-Instruct.Q4_1.gguf";
    if let Some(path) = engine::models::test_model(file) {
        let g = Gguf::open(&path).unwrap();
        let n = Tokenizer::from_gguf(&g)
            .unwrap()
            .encode(&prompt, true, false)
            .len();
        assert!(n > 512 && n < 1024, "{n} prompt tokens: want 2 splits");
    }
    check_logits(
        file,
        &prompt,
        4,
        SamplerConfig::greedy(),
        true,
        LogitCheck::Within(1.0),
    );
}
