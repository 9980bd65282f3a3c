//! Every CPU kernel tier gives the same greedy ids: `ROCLESS_CPU_ISA=portable`,
//! `avx2` and the widest tier the machine has run the same prompt end to end
//! (a batched prompt through the prompt kernels, then single-token decode).

use std::process::Command;

mod support;
use support::model;

/// Greedy ids of `generate --json` with the CPU kernels capped at `isa`.
fn greedy_ids(model: &str, isa: &str) -> Vec<u64> {
    let prompt = "Quantized matrix products on a CPU: a block of 32 weights shares one scale, \
                  and the activations are quantized to 8 bits before the integer dot product.";
    let out = Command::new(env!("CARGO_BIN_EXE_rocless"))
        .env("ROCLESS_CPU_ISA", isa)
        .args([
            "generate", "-m", model, "--device", "cpu", "--raw", "--temp", "0",
        ])
        .args(["-n", "12", "--json", "-p", prompt])
        .output()
        .expect("run rocless");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{isa}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON line"))
        .filter_map(|v| v["id"].as_u64())
        .collect()
}

/// The tier `bench --json` reports under the cap `isa`.
fn bench_tier(model: &str, isa: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rocless"))
        .env("ROCLESS_CPU_ISA", isa)
        .args([
            "bench", "-m", model, "--device", "cpu", "-p", "8", "-n", "1", "-r", "1", "--json",
        ])
        .output()
        .expect("run rocless");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    v["cpu_kernels"].as_str().expect("cpu_kernels").to_string()
}

#[test]
fn every_kernel_tier_gives_the_same_greedy_ids() {
    for name in [
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "gemma-3-270m-q4_k_m.gguf",
    ] {
        let Some(m) = model(name) else {
            continue;
        };
        let m = m.to_str().unwrap();
        let widest = greedy_ids(m, "");
        assert_eq!(widest.len(), 12, "{name}");
        for isa in ["portable", "avx2"] {
            assert_eq!(greedy_ids(m, isa), widest, "{name}: {isa} vs widest tier");
        }
        assert_eq!(bench_tier(m, "portable"), "portable");
    }
}
