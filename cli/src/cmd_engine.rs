//! `rocless gguf inspect`, `generate`, `chat`, `models list`, `bench`,
//! `coherence`: thin wrappers over the engine crate.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::gpu;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use engine::gguf::{Gguf, Value};
use engine::model::{Logits, Model};
use engine::sample::{Sampler, SamplerConfig};
use engine::tokenizer::{IncrementalDecoder, Tokenizer};

#[derive(Subcommand)]
pub enum Cmd {
    /// Inspect GGUF model files
    #[command(subcommand)]
    Gguf(GgufCmd),
    /// Model files: list what is installed
    #[command(subcommand)]
    Models(ModelsCmd),
    /// Generate text with a GGUF model
    Generate(GenerateArgs),
    /// Interactive multi-turn chat with a GGUF model
    Chat(ChatArgs),
    /// Measure prompt and decode speed (tokens per second)
    Bench(BenchArgs),
    /// Degeneration check: 3 long prompts × 256 tokens, diversity thresholds
    Coherence(CoherenceArgs),
}

#[derive(Subcommand)]
pub enum GgufCmd {
    /// Print header, metadata and tensor table
    Inspect {
        /// GGUF file
        model: PathBuf,
        /// One JSON object instead of text
        #[arg(long)]
        json: bool,
        /// Print long arrays in full (text mode)
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
pub enum ModelsCmd {
    /// List .gguf files in $ROCLESS_MODELS and the default model directories
    List {
        /// One JSON line per model
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeviceKind {
    Cpu,
    Auto,
    Sim,
}

/// Options shared by every command that runs a model.
#[derive(Args, Clone)]
pub struct ModelOpts {
    /// Model: a .gguf path or a file name in the models directories
    /// (default: gemma-3-270m-q4_k_m.gguf)
    #[arg(short = 'm', long = "model")]
    pub model: Option<String>,
    /// Where to run: cpu, auto (an AMD GPU if present, else the simulator), sim, or a
    /// render-node path. On a device the prompt is prefilled by the CPU engine and every
    /// generated token is one device submission.
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// Worker threads (default: one per core)
    #[arg(short = 't', long)]
    pub threads: Option<usize>,
    /// Context size in tokens (default: metadata context, capped at 4096)
    #[arg(long = "ctx")]
    pub ctx: Option<usize>,
}

#[derive(Args, Clone)]
pub struct SamplingOpts {
    /// Temperature (0 = greedy)
    #[arg(long, default_value_t = 0.8)]
    pub temp: f32,
    /// Seed of the sampler RNG
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Top-k (0 = off)
    #[arg(long, default_value_t = 40)]
    pub top_k: usize,
    /// Top-p (1 = off)
    #[arg(long, default_value_t = 0.95)]
    pub top_p: f32,
    /// Min-p (0 = off)
    #[arg(long, default_value_t = 0.05)]
    pub min_p: f32,
    /// Repetition penalty (1 = off)
    #[arg(long, default_value_t = 1.0)]
    pub repeat_penalty: f32,
    /// Tokens the repetition penalty looks back over
    #[arg(long, default_value_t = 64)]
    pub repeat_last_n: usize,
}

impl SamplingOpts {
    fn config(&self) -> SamplerConfig {
        SamplerConfig {
            temperature: self.temp,
            top_k: self.top_k,
            top_p: self.top_p,
            min_p: self.min_p,
            repeat_penalty: self.repeat_penalty,
            repeat_last_n: self.repeat_last_n,
            seed: self.seed,
        }
    }
}

#[derive(Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub m: ModelOpts,
    /// Prompt text
    #[arg(short = 'p', long = "prompt")]
    pub prompt: String,
    /// Tokens to generate
    #[arg(short = 'n', long = "n-predict", default_value_t = 128)]
    pub n: usize,
    #[command(flatten)]
    pub s: SamplingOpts,
    /// One JSON line per token, then a summary line
    #[arg(long)]
    pub json: bool,
    /// Use the prompt as is (no chat template)
    #[arg(long)]
    pub raw: bool,
}

#[derive(Args)]
pub struct ChatArgs {
    #[command(flatten)]
    pub m: ModelOpts,
    #[command(flatten)]
    pub s: SamplingOpts,
    /// System prompt
    #[arg(long)]
    pub system: Option<String>,
    /// Maximum tokens per reply
    #[arg(short = 'n', long = "n-predict", default_value_t = 512)]
    pub n: usize,
}

#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub m: ModelOpts,
    /// Prompt tokens to process
    #[arg(short = 'p', long = "prompt-tokens", default_value_t = 128)]
    pub prompt_tokens: usize,
    /// Tokens to generate (default 64 on the cpu, 8 on a device)
    #[arg(short = 'n', long = "gen-tokens")]
    pub gen_tokens: Option<usize>,
    /// Use the tokens of this text file as the prompt (default: synthetic ids)
    #[arg(short = 'f', long = "prompt-file")]
    pub prompt_file: Option<PathBuf>,
    /// Repetitions (the best run is reported)
    #[arg(short = 'r', long, default_value_t = 1)]
    pub reps: usize,
    /// One JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct CoherenceArgs {
    #[command(flatten)]
    pub m: ModelOpts,
    /// Tokens per prompt
    #[arg(short = 'n', long, default_value_t = 256)]
    pub n: usize,
    /// One JSON line per prompt
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: Cmd) -> Result<()> {
    let r = run_inner(cmd);
    // A closed stdout (`| head`) ends the command quietly.
    match &r {
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Ok(())
        }
        _ => r,
    }
}

fn run_inner(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Gguf(GgufCmd::Inspect { model, json, all }) => inspect(&model, json, all),
        Cmd::Models(ModelsCmd::List { json }) => models_list(json),
        Cmd::Generate(a) => generate(a),
        Cmd::Chat(a) => chat(a),
        Cmd::Bench(a) => bench(a),
        Cmd::Coherence(a) => coherence(a),
    }
}

// ---------------------------------------------------------------- inspect

fn json_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Array(a) if a.len() > 64 => serde_json::json!({
            "array_len": a.len(),
            "first": a.iter().take(16).map(Value::to_json).collect::<Vec<_>>(),
        }),
        _ => v.to_json(),
    }
}

fn inspect(path: &Path, json: bool, all: bool) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let g = Gguf::open(path)?;
    let entry = engine::models::describe_gguf(&g, path);
    if json {
        let meta: serde_json::Map<String, serde_json::Value> = g
            .metadata()
            .map(|(k, v)| (k.to_string(), json_value(v)))
            .collect();
        let tensors: Vec<serde_json::Value> = g
            .tensors()
            .map(|t| {
                serde_json::json!({"name": t.name, "type": t.ggml_type.name(), "dims": t.dims,
                    "offset": t.offset, "bytes": t.data.len()})
            })
            .collect();
        let out = serde_json::json!({
            "path": path.display().to_string(), "version": g.version(),
            "alignment": g.alignment(), "data_offset": g.data_offset(),
            "file_size": g.file_size(), "architecture": entry.arch, "params": entry.params,
            "quant": entry.quant, "metadata": meta, "tensor_count": g.tensor_count(),
            "tensors": tensors,
        });
        writeln!(o, "{out}")?;
        return Ok(());
    }
    writeln!(o, "file:        {}", path.display())?;
    writeln!(
        o,
        "gguf:        version {}, alignment {}, data at offset {}",
        g.version(),
        g.alignment(),
        g.data_offset()
    )?;
    writeln!(
        o,
        "model:       {} ({}), {} parameters, {}, {:.1} MiB",
        entry.name,
        entry.arch,
        human_count(entry.params),
        entry.quant,
        entry.size as f64 / (1 << 20) as f64
    )?;
    writeln!(o, "\nmetadata ({} keys):", g.metadata().count())?;
    for (k, v) in g.metadata() {
        let max = if all { usize::MAX } else { 8 };
        let mut s = v.display(max);
        if !all && s.chars().count() > 160 {
            s = s.chars().take(157).collect::<String>() + "...";
        }
        writeln!(
            o,
            "  {k:<44} {:<7} {}",
            v.type_name(),
            s.replace('\n', "\\n")
        )?;
    }
    writeln!(o, "\ntensors ({}):", g.tensor_count())?;
    for t in g.tensors() {
        writeln!(
            o,
            "  {:<36} {:<6} {:<20} offset {:>10}  {:>10} bytes",
            t.name,
            t.ggml_type.name(),
            format!("{:?}", t.dims),
            t.offset,
            t.data.len()
        )?;
    }
    Ok(())
}

fn human_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.2}B", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n => n.to_string(),
    }
}

fn models_list(json: bool) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let list = engine::models::list();
    if list.is_empty() {
        let dirs: Vec<String> = engine::models::model_dirs()
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        eprintln!(
            "no .gguf models found in {} (run scripts/models.sh or set ROCLESS_MODELS)",
            dirs.join(", ")
        );
        return Ok(());
    }
    if !json {
        writeln!(
            o,
            "{:<40} {:<8} {:>8} {:<8} {:>9} {:>8}",
            "NAME", "ARCH", "PARAMS", "QUANT", "SIZE", "CONTEXT"
        )?;
    }
    for (path, e) in list {
        match e {
            Ok(e) if json => writeln!(o, "{}", serde_json::to_string(&e)?)?,
            Ok(e) => writeln!(
                o,
                "{:<40} {:<8} {:>8} {:<8} {:>8.1}M {:>8}  {}",
                e.path.file_name().unwrap_or_default().to_string_lossy(),
                e.arch,
                human_count(e.params),
                e.quant,
                e.size as f64 / 1e6,
                e.context
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "?".into()),
                e.name
            )?,
            Err(err) if json => writeln!(
                o,
                "{}",
                serde_json::json!({"path": path, "error": format!("{err:#}")})
            )?,
            Err(err) => writeln!(o, "{:<40} error: {err:#}", path.display())?,
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- loading

/// Checks --device, applies --threads, resolves and opens the model file.
fn open_model(m: &ModelOpts) -> Result<(PathBuf, Gguf)> {
    match m.device.as_str() {
        "cpu" | "auto" | "sim" => {}
        other if other.starts_with('/') => {}
        other => {
            bail!("unknown --device '{other}' (expected cpu, auto, sim or a render node path)")
        }
    }
    engine::set_threads(m.threads.unwrap_or(0));
    let path = engine::models::resolve(m.model.as_deref())?;
    let g = Gguf::open(&path)?;
    Ok((path, g))
}

/// Builds the model with a progress bar on stderr.
fn load_model<'a>(g: &'a Gguf, path: &Path) -> Result<Model<'a>> {
    let pb = indicatif::ProgressBar::new(0);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} layers")
            .expect("static template")
            .progress_chars("=> "),
    );
    pb.set_message(format!(
        "loading {}",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let model = Model::load(g, |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })
    .with_context(|| format!("loading {}", path.display()))?;
    pb.finish_and_clear();
    Ok(model)
}

fn n_ctx(m: &ModelOpts, model: &Model<'_>) -> usize {
    m.ctx.unwrap_or_else(|| model.cfg.context_length.min(4096))
}

// ---------------------------------------------------------------- bench

fn bench(a: BenchArgs) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let (path, g) = open_model(&a.m)?;
    let model = load_model(&g, &path)?;
    let (prompt, prompt_md5) = match &a.prompt_file {
        Some(f) => {
            let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
            let text = String::from_utf8(bytes.clone())
                .with_context(|| format!("{} is not UTF-8", f.display()))?;
            let tok = Tokenizer::from_gguf(&g)?;
            (tokenize_prompt(&tok, &text), Some(md5_hex(&bytes)))
        }
        None => {
            // Fixed, deterministic token ids (like llama-bench's synthetic prompt).
            let vocab = model.cfg.n_vocab as u32;
            let ids = (0..a.prompt_tokens as u32)
                .map(|i| 1000 + (i * 7919) % (vocab - 1000))
                .collect::<Vec<u32>>();
            (ids, None)
        }
    };
    let backend = gpu::Backend::open(&a.m.device)?;
    let rt = backend.runtime();
    let gen_tokens = a.gen_tokens.unwrap_or(if rt.is_some() { 8 } else { 64 });
    let n_ctx = prompt.len() + gen_tokens + 1;
    let mut gm = backend.load(&model, n_ctx)?;
    let device = device_name(rt);
    let (mut best_pp, mut best_tg) = (0f64, 0f64);
    let mut summary = None;
    for _ in 0..a.reps.max(1) {
        let mut cache = model.new_cache(n_ctx);
        let t0 = Instant::now();
        let mut logits = engine::generate::prefill(&model, &mut cache, &prompt)?;
        let pp = prompt.len() as f64 / t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        if let Some(gm) = gm.as_mut() {
            gm.import_prefill(&cache, &logits)?;
            let first = gm.pos();
            let mut steps = Vec::new();
            let t1 = Instant::now();
            for _ in 0..gen_tokens {
                // The device argmax stays where the embedding lookup reads it.
                steps.push(gm.step(None)?.1);
            }
            best_tg = best_tg.max(gen_tokens as f64 / t1.elapsed().as_secs_f64());
            summary = Some(gpu::summarize(gm, &steps, first));
        } else {
            for _ in 0..gen_tokens {
                let next = engine::sample::argmax(&logits);
                logits = model.forward(&[next], &mut cache, Logits::Last)?;
            }
            best_tg = best_tg.max(gen_tokens as f64 / t1.elapsed().as_secs_f64());
        }
        best_pp = best_pp.max(pp);
    }
    let threads = engine::threads();
    if a.json {
        writeln!(
            o,
            "{}",
            serde_json::json!({"model": path.display().to_string(), "device": gpu::json_device(rt).0,
            "gfx_target": gpu::json_device(rt).1,
            "threads": threads, "cpu_kernels": engine::quant::cpu_kernels().name(),
            "prompt_tokens": prompt.len(), "prompt_md5": prompt_md5,
            "gen_tokens": gen_tokens, "prompt_tok_per_s": best_pp, "decode_tok_per_s": best_tg,
            "prompt_device": "cpu", "device_stats": summary.as_ref().map(gpu::summary_json)})
        )?;
    } else {
        writeln!(o, "model:   {}", path.display())?;
        writeln!(o, "device:  {device}")?;
        writeln!(o, "threads: {threads}")?;
        writeln!(o, "cpu kernels: {}", engine::quant::cpu_kernels().name())?;
        if let Some(m) = &prompt_md5 {
            writeln!(o, "prompt file md5: {m}")?;
        }
        let on = if rt.is_some() { " (cpu prefill)" } else { "" };
        writeln!(
            o,
            "prompt:  {} tokens  {best_pp:.1} tok/s{on}",
            prompt.len()
        )?;
        writeln!(o, "decode:  {gen_tokens} tokens  {best_tg:.2} tok/s")?;
        if let Some(d) = &summary {
            bench_device_lines(&mut o, d)?;
        }
    }
    Ok(())
}

/// The device counters of `bench` as text.
fn bench_device_lines(o: &mut impl Write, d: &gpu::DeviceSummary) -> Result<()> {
    writeln!(
        o,
        "per token: {:.1} ms submission (CS ioctl to fence), {:.0} us host kernarg patch",
        d.run.as_secs_f64() * 1e3,
        d.patch.as_secs_f64() * 1e6
    )?;
    if let Some(m) = &d.sim {
        writeln!(o, "simulated counters per token (not a GPU measurement):")?;
        writeln!(o, "  instructions: {:.2} M", m.instructions / 1e6)?;
        for (name, v) in &m.by_class {
            writeln!(o, "    {name:<8} {:.2} M", v / 1e6)?;
        }
        writeln!(
            o,
            "  global bytes read, DRAM model (distinct 128-B lines per dispatch): {:.2} MB, ideal (weights once + KV attended) {:.2} MB, ratio {:.3}",
            m.dram_bytes / 1e6,
            m.ideal_bytes / 1e6,
            m.ratio()
        )?;
        writeln!(
            o,
            "  global bytes requested by the lanes (L0/L1 traffic): {:.2} MB, {:.2} x ideal",
            m.bytes_read / 1e6,
            m.requested_ratio()
        )?;
        writeln!(
            o,
            "  global bytes written: {:.2} MB, waves: {:.0}",
            m.bytes_written / 1e6,
            m.waves
        )?;
        writeln!(
            o,
            "predicted RX 5700 XT decode (bandwidth model, 448 GB/s over the DRAM-model bytes): {:.0} tok/s, {:.0} tok/s at the ideal",
            m.predicted_5700xt_tok_s(),
            m.ideal_5700xt_tok_s()
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------- text

/// Opens the model file, its tokenizer and the weights.
struct Loaded {
    path: PathBuf,
    g: Gguf,
    tok: Tokenizer,
}

fn load(m: &ModelOpts) -> Result<Loaded> {
    let (path, g) = open_model(m)?;
    let tok =
        Tokenizer::from_gguf(&g).with_context(|| format!("tokenizer of {}", path.display()))?;
    Ok(Loaded { path, g, tok })
}

/// Tokenizes a prompt; control tokens written in the text are parsed. BOS
/// is added as the metadata asks unless the (templated) text already starts
/// with it.
fn tokenize_prompt(tok: &Tokenizer, text: &str) -> Vec<u32> {
    let starts_with_bos = tok
        .bos()
        .and_then(|b| tok.token_text(b))
        .is_some_and(|t| !t.is_empty() && text.starts_with(t));
    tok.encode(text, !starts_with_bos, true)
}

fn generate(a: GenerateArgs) -> Result<()> {
    let l = load(&a.m)?;
    let model = load_model(&l.g, &l.path)?;
    let text = if a.raw {
        a.prompt.clone()
    } else {
        render_chat(&l.g, &[("user".to_string(), a.prompt.clone())])?
    };
    let ids = tokenize_prompt(&l.tok, &text);
    let n_ctx = n_ctx(&a.m, &model);
    if ids.len() >= n_ctx {
        bail!(
            "prompt is {} tokens, the context is {n_ctx} (use --ctx)",
            ids.len()
        );
    }
    let n = a.n.min(n_ctx - ids.len());
    let backend = gpu::Backend::open(&a.m.device)?;
    let (rt, mut gm) = (backend.runtime(), backend.load(&model, n_ctx)?);
    let device = device_name(rt);
    let mut cache = model.new_cache(n_ctx);
    let cfg = a.s.config();
    let mut sampler = Sampler::new(cfg.clone());
    let mut dec = IncrementalDecoder::new(&l.tok, false);
    let mut out = std::io::stdout().lock();
    let (stats, steps) = gpu::generate(
        &model,
        gm.as_mut(),
        &mut cache,
        &ids,
        n,
        &mut sampler,
        &cfg,
        |id| l.tok.is_eog(id),
        |id| {
            let piece = dec.push(id);
            if a.json {
                writeln!(out, "{}", serde_json::json!({"id": id, "text": piece}))?;
            } else {
                out.write_all(piece.as_bytes())?;
                out.flush()?;
            }
            Ok(true)
        },
    )?;
    let summary = gm.as_ref().map(|gm| gpu::summarize(gm, &steps, ids.len()));
    let rest = dec.flush();
    if a.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({
                "done": true, "tokens": stats.tokens, "prompt_tokens": stats.prompt_tokens,
                "tok_per_s": stats.decode_tok_per_s(), "prompt_tok_per_s": stats.prompt_tok_per_s(),
                "ttft_ms": stats.ttft_secs * 1e3, "stop": if stats.stopped_at_eog { "eog" } else { "length" },
                "device": gpu::json_device(rt).0, "gfx_target": gpu::json_device(rt).1,
                "threads": engine::threads(), "model": l.path.display().to_string(),
                "device_stats": summary.as_ref().map(gpu::summary_json),
                "tail": rest,
            })
        )?;
    } else {
        writeln!(out, "{rest}")?;
        out.flush()?;
        eprintln!("{}", stats_line(&stats, &device));
        if let Some(d) = &summary {
            eprintln!("{}", gpu::summary_line(d));
        }
    }
    Ok(())
}

/// The device as the stats lines name it.
fn device_name(rt: Option<&engine::gpu::Runtime>) -> String {
    match rt {
        None => "cpu".into(),
        Some(rt) => gpu::describe(rt),
    }
}

/// Renders `messages` with the model's chat template, generation prompt added.
fn render_chat(g: &Gguf, messages: &[(String, String)]) -> Result<String> {
    engine_chat_render(g, messages)
}

fn chat(a: ChatArgs) -> Result<()> {
    let l = load(&a.m)?;
    let model = load_model(&l.g, &l.path)?;
    let n_ctx = n_ctx(&a.m, &model);
    let backend = gpu::Backend::open(&a.m.device)?;
    let (rt, mut gm) = (backend.runtime(), backend.load(&model, n_ctx)?);
    let device = device_name(rt);
    let mut cache = model.new_cache(n_ctx);
    let cfg = a.s.config();
    let mut sampler = Sampler::new(cfg.clone());
    let mut messages: Vec<(String, String)> = Vec::new();
    if let Some(s) = &a.system {
        messages.push(("system".into(), s.clone()));
    }
    // Tokens already in the cache: each turn re-renders the whole
    // conversation and only feeds the new suffix.
    let mut cached: Vec<u32> = Vec::new();
    let stdin = std::io::stdin();
    eprintln!(
        "chat with {} on {device} — empty line or Ctrl-D to quit",
        l.path.display()
    );
    loop {
        eprint!("> ");
        let mut line = String::new();
        if stdin.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        messages.push(("user".into(), line.trim_end().to_string()));
        let text = render_chat(&l.g, &messages)?;
        let ids = tokenize_prompt(&l.tok, &text);
        let common = cached.iter().zip(&ids).take_while(|(a, b)| a == b).count();
        let common = common.min(ids.len() - 1);
        cache.truncate(common);
        cached.truncate(common);
        if ids.len() + a.n > n_ctx {
            bail!(
                "conversation is {} tokens, the context is {n_ctx} (use --ctx)",
                ids.len()
            );
        }
        let mut dec = IncrementalDecoder::new(&l.tok, false);
        let mut reply_ids = Vec::new();
        let mut out = std::io::stdout().lock();
        let (stats, _) = gpu::generate(
            &model,
            gm.as_mut(),
            &mut cache,
            &ids,
            a.n,
            &mut sampler,
            &cfg,
            |id| l.tok.is_eog(id),
            |id| {
                reply_ids.push(id);
                out.write_all(dec.push(id).as_bytes())?;
                out.flush()?;
                Ok(true)
            },
        )?;
        writeln!(out, "{}", dec.flush())?;
        eprintln!("[{}]", stats_line(&stats, &device));
        if gm.is_some() {
            gpu::sync_reply(&model, &mut cache, &reply_ids)?;
        }
        cached = ids;
        cached.extend(&reply_ids);
        // The cache holds the reply too, minus the last sampled token (never fed).
        cached.truncate(cache.len());
        messages.push(("assistant".into(), l.tok.decode(&reply_ids)));
    }
    Ok(())
}

fn coherence(a: CoherenceArgs) -> Result<()> {
    let mut o = std::io::stdout().lock();
    let l = load(&a.m)?;
    let model = load_model(&l.g, &l.path)?;
    let n_ctx = engine::coherence::PROMPTS
        .iter()
        .map(|p| tokenize_prompt(&l.tok, p).len())
        .max()
        .unwrap_or(0)
        + a.n
        + 1;
    let backend = gpu::Backend::open(&a.m.device)?;
    let mut gm = backend.load(&model, n_ctx)?;
    let mut failed = 0;
    for (i, prompt) in engine::coherence::PROMPTS.iter().enumerate() {
        let ids = tokenize_prompt(&l.tok, prompt);
        let mut cache = model.new_cache(ids.len() + a.n + 1);
        let cfg = engine::coherence::sampler();
        let mut sampler = Sampler::new(cfg.clone());
        let mut gen = Vec::new();
        // Generation does not stop at end-of-text here: the check wants n tokens.
        let (stats, _) = gpu::generate(
            &model,
            gm.as_mut(),
            &mut cache,
            &ids,
            a.n,
            &mut sampler,
            &cfg,
            |_| false,
            |id| {
                gen.push(id);
                Ok(true)
            },
        )?;
        let r = engine::coherence::check(&gen);
        let text = l.tok.decode(&gen);
        if a.json {
            writeln!(
                o,
                "{}",
                serde_json::json!({"prompt": i, "report": r, "text": text,
                "decode_tok_per_s": stats.decode_tok_per_s()})
            )?;
        } else {
            writeln!(
                o,
                "=== prompt {} ({} tokens) ===\n{prompt}\n--- output ---\n{text}\n---",
                i + 1,
                ids.len()
            )?;
            writeln!(o, "unique first {:.3}  unique last {:.3}  max token share {:.3}  3-gram repeat {:.3}  => {}",
                r.unique_first, r.unique_last, r.max_token_share, r.trigram_repeat,
                if r.passed() { "PASS" } else { "FAIL" })?;
            for f in r.failures.iter().chain(&r.flags) {
                writeln!(o, "  - {f}")?;
            }
        }
        if !r.passed() {
            failed += 1;
        }
    }
    if failed > 0 {
        bail!(
            "coherence: {failed} of {} prompts failed",
            engine::coherence::PROMPTS.len()
        );
    }
    Ok(())
}

fn stats_line(s: &engine::generate::GenStats, device: &str) -> String {
    let place = if device == "cpu" {
        format!("device: cpu, {} threads", engine::threads())
    } else {
        format!(
            "device: {device} (prompt prefilled on the cpu, {} threads)",
            engine::threads()
        )
    };
    format!(
        "prompt: {} tokens, {:.1} tok/s | decode: {} tokens, {:.1} tok/s | time to first token: {:.0} ms | {place}",
        s.prompt_tokens, s.prompt_tok_per_s(), s.tokens, s.decode_tok_per_s(), s.ttft_secs * 1e3
    )
}

fn engine_chat_render(g: &Gguf, messages: &[(String, String)]) -> Result<String> {
    let kind = engine::chat::TemplateKind::from_gguf(g)
        .map_err(|e| anyhow::anyhow!("chat template: {e} (use --raw)"))?;
    let msgs: Vec<engine::chat::Message> = messages
        .iter()
        .map(|(role, content)| engine::chat::Message::new(role.as_str(), content.as_str()))
        .collect();
    Ok(engine::chat::render(kind, &msgs, true))
}

/// MD5 of `data` as lowercase hex (RFC 1321), to name bench prompts.
fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4294967296.0) as u32)
        .collect();
    let mut h: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend(((data.len() as u64).wrapping_mul(8)).to_le_bytes());
    for chunk in msg.chunks_exact(64) {
        let m: Vec<u32> = chunk
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        h[0] = h[0].wrapping_add(a);
        h[1] = h[1].wrapping_add(b);
        h[2] = h[2].wrapping_add(c);
        h[3] = h[3].wrapping_add(d);
    }
    h.iter()
        .flat_map(|w| w.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}
