//! Scratch: greedy continuation from vocab-looked-up tokens (dev aid).
use engine::gguf::Gguf;
use engine::model::{Logits, Model};

fn run(file: &str, bos: Option<u32>, words: &[&str]) {
    let Some(p) = engine::models::test_model(file) else { return };
    let g = Gguf::open(&p).unwrap();
    let vocab = g.get_str_arr("tokenizer.ggml.tokens").unwrap();
    let mut ids: Vec<u32> = bos.into_iter().collect();
    for w in words {
        let id = vocab.iter().position(|v| v == w).unwrap_or_else(|| panic!("no token {w}"));
        ids.push(id as u32);
    }
    let m = Model::load(&g, |_, _| {}).unwrap();
    let mut cache = m.new_cache(256);
    let t0 = std::time::Instant::now();
    let mut logits = m.forward(&ids, &mut cache, Logits::Last).unwrap();
    let mut out = String::new();
    for _ in 0..20 {
        let next = logits.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0 as u32;
        out.push_str(vocab[next as usize]);
        out.push('|');
        logits = m.forward(&[next], &mut cache, Logits::Last).unwrap();
    }
    eprintln!("{file}: {ids:?} -> {out} ({:?})", t0.elapsed());
}

#[test]
fn scratch() {
    run("gemma-3-270m-q4_k_m.gguf", Some(2), &["The", "▁capital", "▁of", "▁France", "▁is"]);
    run("SmolLM2-135M-Instruct.Q4_1.gguf", None, &["The", "Ġcapital", "Ġof", "ĠFrance", "Ġis"]);
}

#[test]
fn scratch_matvec_speed() {
    let Some(p) = engine::models::test_model("gemma-3-270m-q4_k_m.gguf") else { return };
    let g = Gguf::open(&p).unwrap();
    for name in ["token_embd.weight", "blk.0.ffn_down.weight", "blk.0.ffn_up.weight", "blk.2.ffn_down.weight"] {
        let t = g.tensor(name).unwrap();
        let m = engine::quant::Matrix::from_tensor(&t).unwrap();
        let x: Vec<f32> = (0..m.cols).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut y = vec![0f32; m.rows];
        m.matvec(&x, &mut y);
        let t0 = std::time::Instant::now();
        for _ in 0..5 { m.matvec(&x, &mut y); }
        let dt = t0.elapsed().as_secs_f64() / 5.0;
        eprintln!("{name} {} {}x{}: {:.2} ms, {:.2} GMAC/s", m.ty, m.rows, m.cols, dt * 1e3, (m.rows * m.cols) as f64 / dt / 1e9);
    }
}

#[test]
fn scratch_bandwidth() {
    let Some(p) = engine::models::test_model("gemma-3-270m-q4_k_m.gguf") else { return };
    let g = Gguf::open(&p).unwrap();
    let t = g.tensor("token_embd.weight").unwrap();
    let copy = t.data.to_vec();
    for (name, d) in [("mmap", t.data), ("heap", &copy[..])] {
        let mut s = 0u64;
        let t0 = std::time::Instant::now();
        for _ in 0..3 { s += d.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).fold(0u64, |a, b| a ^ b); }
        let dt = t0.elapsed().as_secs_f64() / 3.0;
        eprintln!("{name}: {:.1} GB/s ({s})", d.len() as f64 / dt / 1e9);
    }
}
