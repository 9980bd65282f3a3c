//! The GPU backend on the simulator: greedy text equals the CPU backend's; an injected VM
//! fault fails one request, the next one reopens the device and succeeds.

use std::sync::Arc;

use serve::{Backend, CpuBackend, GenParams, GpuBackend};

fn params(b: &dyn Backend, prompt: &str, n: usize) -> GenParams {
    GenParams {
        prompt: b.tokenize(prompt),
        max_tokens: n,
        sampler: engine::sample::SamplerConfig::greedy(),
        stop: Vec::new(),
    }
}

fn text(b: &dyn Backend, p: &GenParams) -> anyhow::Result<String> {
    let mut s = String::new();
    b.generate(p, &mut |t| {
        s.push_str(t);
        true
    })?;
    Ok(s)
}

#[test]
fn sim_backend_equals_cpu_and_recovers_from_a_fault() {
    let Some(path) = engine::models::test_model("SmolLM2-135M-Instruct.Q4_1.gguf") else {
        return;
    };
    let cpu = CpuBackend::load(&path, Some(64)).unwrap();
    let want = text(&cpu, &params(&cpu, "10, 20, 30, 40,", 3)).unwrap();
    let gpu = Arc::new(
        GpuBackend::new(
            CpuBackend::load(&path, Some(64)).unwrap(),
            Box::new(|| engine::gpu::Runtime::open("sim")),
        )
        .unwrap(),
    );
    let p = params(gpu.as_ref(), "10, 20, 30, 40,", 3);
    assert_eq!(text(gpu.as_ref(), &p).unwrap(), want);
    let mem = gpu.memory().expect("device memory usage");
    assert!(mem.vram_used > 50 << 20, "{mem:?}");
    // The next job faults (a shader VM fault as the kernel reports it).
    gpu.runtime()
        .and_then(|rt| rt.sim())
        .expect("simulator")
        .configure(|c| c.inject_fault = Some((0xdead_0000, 1)));
    let e = text(gpu.as_ref(), &p).unwrap_err();
    assert!(format!("{e:#}").contains("will be reloaded"), "{e:#}");
    assert_eq!(text(gpu.as_ref(), &p).unwrap(), want);
    assert_eq!(gpu.resets(), 1);
    // A hung job (the scheduler's timeout, ETIME, context guilty): same path.
    gpu.runtime()
        .and_then(|rt| rt.sim())
        .expect("simulator")
        .configure(|c| c.inject_hangs = 1);
    let e = text(gpu.as_ref(), &p).unwrap_err();
    assert!(format!("{e:#}").contains("will be reloaded"), "{e:#}");
    assert_eq!(text(gpu.as_ref(), &p).unwrap(), want);
    assert_eq!(gpu.resets(), 2);
}

#[test]
fn a_model_that_does_not_fit_is_refused_with_the_numbers() {
    let Some(path) = engine::models::test_model("SmolLM2-135M-Instruct.Q4_1.gguf") else {
        return;
    };
    let small = || {
        let cfg = sim::SimConfig {
            vram_size: 64 << 20,
            vis_vram_size: 32 << 20,
            ..sim::SimConfig::default()
        };
        engine::gpu::Runtime::new(sim::device::open_sim(cfg)?)
    };
    let err = GpuBackend::new(CpuBackend::load(&path, Some(64)).unwrap(), Box::new(small))
        .err()
        .expect("a 64 MiB device cannot hold a 92 MiB model");
    let m = format!("{err:#}");
    assert!(m.contains("does not fit") && m.contains("of 64 MiB"), "{m}");
}
