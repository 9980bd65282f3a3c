//! `rocless serve`: the OpenAI-compatible HTTP server (crate `serve`).

use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// OpenAI-compatible HTTP server: /v1/completions, /v1/chat/completions (SSE
    /// streaming), /v1/models, /health, /metrics
    Serve {
        /// Model: a .gguf path or a file name in the models directories
        #[arg(short = 'm', long = "model")]
        model: Option<String>,
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Port to listen on
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Where to run: cpu, auto (an AMD GPU if present, else the simulator), sim, or a
        /// render-node path. On a device one model serves requests in turn.
        #[arg(long, default_value = "cpu")]
        device: String,
        /// Context size in tokens per request (default: metadata, capped at 4096)
        #[arg(long = "ctx")]
        ctx: Option<usize>,
        /// Requests generating at once (one KV cache each)
        #[arg(long, default_value_t = 1)]
        parallel: usize,
        /// Requests that may wait for a slot; more get 503
        #[arg(long, default_value_t = 16)]
        queue: usize,
        /// Engine worker threads per request (default: one per core)
        #[arg(short = 't', long)]
        threads: Option<usize>,
    },
}

pub fn run(cmd: Cmd) -> Result<()> {
    let Cmd::Serve {
        model,
        host,
        port,
        device,
        ctx,
        parallel,
        queue,
        threads,
    } = cmd;
    if parallel == 0 {
        bail!("serve: --parallel must be at least 1");
    }
    engine::set_threads(threads.unwrap_or(0));
    let path = engine::models::resolve(model.as_deref())?;
    let cpu = serve::CpuBackend::load(&path, ctx)?;
    let backend: Arc<dyn serve::Backend> = if device == "cpu" {
        Arc::new(cpu)
    } else {
        let spec = device.clone();
        if let Ok(d) = sim::open_device(&spec) {
            if let Some(n) = d.notice() {
                eprintln!("{n}");
            }
        }
        let gpu = serve::GpuBackend::new(cpu, Box::new(move || engine::gpu::Runtime::open(&spec)))
            .with_context(|| format!("--device {device}"))?;
        if let Some(rt) = gpu.runtime() {
            eprintln!("model resident on {}", crate::gpu::describe(rt));
        }
        Arc::new(gpu)
    };
    let limits = serve::Limits {
        parallel,
        queue,
        ..serve::Limits::default()
    };
    let state = serve::State::new(backend, limits);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let addr = format!("{host}:{port}");
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        eprintln!(
            "serving {} on http://{} ({} slots, queue {}); Ctrl-C to stop",
            path.display(),
            listener.local_addr()?,
            parallel,
            queue
        );
        serve::run(listener, state).await
    })
}
