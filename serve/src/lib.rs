//! `rocless serve`: an OpenAI-compatible HTTP server over the engine.
//!
//! `/v1/completions` and `/v1/chat/completions` (JSON or SSE streaming), `/v1/models`,
//! `/health`, `/metrics`. Requests run on `parallel` slots (each with its own KV cache;
//! the weights are shared); up to `queue` more wait, beyond that a request gets 503. A
//! streaming client that disconnects cancels its generation. A backend error fails only
//! its request; `/health` reports it until a later request succeeds.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let backend = serve::CpuBackend::load(std::path::Path::new("model.gguf"), None)?;
//! let state = serve::State::new(std::sync::Arc::new(backend), serve::Limits::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve::run(listener, state).await
//! # }
//! ```

#![forbid(unsafe_code)]

mod api;
mod backend;
mod gpu;

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as AxState};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_stream::wrappers::ReceiverStream;

pub use api::{ChatRequest, CompletionRequest};
pub use backend::{cut_at_stop, Backend, CpuBackend, Finish, GenOutcome, GenParams, MemoryUsage};
pub use gpu::GpuBackend;

/// Concurrency and size limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests generating at once.
    pub parallel: usize,
    /// Requests allowed to wait for a slot; more get 503.
    pub queue: usize,
    /// Largest request body in bytes (larger: 413).
    pub max_body: usize,
    /// `max_tokens` when a request gives none.
    pub default_max_tokens: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            parallel: 1,
            queue: 16,
            max_body: 1 << 20,
            default_max_tokens: 128,
        }
    }
}

/// Counters for `/metrics`.
#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    failed: AtomicU64,
    rejected: AtomicU64,
    cancelled: AtomicU64,
    prompt_tokens: AtomicU64,
    tokens: AtomicU64,
    waiting: AtomicUsize,
    busy: AtomicUsize,
    last_tok_per_s_milli: AtomicU64,
}

/// The server's shared state.
#[derive(Clone)]
pub struct State(Arc<Inner>);

struct Inner {
    backend: Arc<dyn Backend>,
    limits: Limits,
    slots: Arc<Semaphore>,
    counters: Counters,
    healthy: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl State {
    /// A server over `backend`.
    pub fn new(backend: Arc<dyn Backend>, limits: Limits) -> State {
        State(Arc::new(Inner {
            backend,
            slots: Arc::new(Semaphore::new(limits.parallel.max(1))),
            limits,
            counters: Counters::default(),
            healthy: AtomicBool::new(true),
            last_error: Mutex::new(None),
        }))
    }
}

/// An error response: `{"error": {"message", "type", "code"}}`.
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let kind = match self.0.as_u16() {
            400 | 413 | 422 => "invalid_request_error",
            503 => "server_overloaded",
            _ => "server_error",
        };
        let body = json!({"error": {"message": self.1, "type": kind, "code": self.0.as_u16()}});
        (self.0, Json(body)).into_response()
    }
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, msg.into())
}

/// The routes.
pub fn router(state: State) -> Router {
    let limit = state.0.limits.max_body;
    Router::new()
        .route("/v1/completions", post(completions))
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/models", get(models))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Serves until the process ends.
pub async fn run(listener: tokio::net::TcpListener, state: State) -> anyhow::Result<()> {
    axum::serve(listener, router(state)).await?;
    Ok(())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid request body: {e}")))
}

async fn completions(AxState(s): AxState<State>, body: Bytes) -> Result<Response, ApiError> {
    let req: CompletionRequest = parse(&body)?;
    let prompt = s.0.backend.tokenize(&req.prompt);
    let p = req.common.params(prompt, &s.0)?;
    respond(s, p, req.common.stream, false).await
}

async fn chat_completions(AxState(s): AxState<State>, body: Bytes) -> Result<Response, ApiError> {
    let req: ChatRequest = parse(&body)?;
    if req.messages.is_empty() {
        return Err(bad("messages must not be empty"));
    }
    let msgs: Vec<(String, String)> = req
        .messages
        .iter()
        .map(|m| (m.role.clone(), m.content.clone()))
        .collect();
    let text =
        s.0.backend
            .render_chat(&msgs)
            .map_err(|e| bad(format!("{e:#}")))?;
    let prompt = s.0.backend.tokenize(&text);
    let p = req.common.params(prompt, &s.0)?;
    respond(s, p, req.common.stream, true).await
}

/// Waits for a slot, or refuses when the queue is full.
async fn slot(s: &State) -> Result<OwnedSemaphorePermit, ApiError> {
    let c = &s.0.counters;
    if let Ok(p) = s.0.slots.clone().try_acquire_owned() {
        return Ok(p);
    }
    if c.waiting.fetch_add(1, Ordering::SeqCst) >= s.0.limits.queue {
        c.waiting.fetch_sub(1, Ordering::SeqCst);
        c.rejected.fetch_add(1, Ordering::Relaxed);
        return Err(ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "server busy: {} slots generating and {} requests queued (limit {})",
                s.0.limits.parallel, s.0.limits.queue, s.0.limits.queue
            ),
        ));
    }
    let p = s.0.slots.clone().acquire_owned().await;
    c.waiting.fetch_sub(1, Ordering::SeqCst);
    p.map_err(|_| {
        ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "server shutting down".into(),
        )
    })
}

/// Runs `p` on the backend in a blocking thread; `emit` gets each text piece.
fn spawn_generation(
    s: &State,
    permit: OwnedSemaphorePermit,
    p: GenParams,
    mut emit: impl FnMut(&str) -> bool + Send + 'static,
) -> tokio::task::JoinHandle<anyhow::Result<GenOutcome>> {
    let st = s.clone();
    st.0.counters.busy.fetch_add(1, Ordering::SeqCst);
    tokio::task::spawn_blocking(move || {
        let r = st.0.backend.generate(&p, &mut emit);
        let c = &st.0.counters;
        c.busy.fetch_sub(1, Ordering::SeqCst);
        c.prompt_tokens
            .fetch_add(p.prompt.len() as u64, Ordering::Relaxed);
        match &r {
            Ok(o) => {
                c.tokens.fetch_add(o.tokens as u64, Ordering::Relaxed);
                c.last_tok_per_s_milli
                    .store((o.tok_per_s * 1000.0) as u64, Ordering::Relaxed);
                if o.finish == Finish::Cancelled {
                    c.cancelled.fetch_add(1, Ordering::Relaxed);
                }
                st.0.healthy.store(true, Ordering::SeqCst);
            }
            Err(e) => {
                c.failed.fetch_add(1, Ordering::Relaxed);
                st.0.healthy.store(false, Ordering::SeqCst);
                *st.0.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{e:#}"));
            }
        }
        drop(permit);
        r
    })
}

async fn respond(s: State, p: GenParams, stream: bool, chat: bool) -> Result<Response, ApiError> {
    s.0.counters.requests.fetch_add(1, Ordering::Relaxed);
    let permit = slot(&s).await?;
    let id = format!(
        "{}-{}",
        if chat { "chatcmpl" } else { "cmpl" },
        s.0.counters.requests.load(Ordering::Relaxed)
    );
    let model = s.0.backend.model_id().to_string();
    let created = now();
    let n_prompt = p.prompt.len();
    if !stream {
        let text = Arc::new(Mutex::new(String::new()));
        let t2 = text.clone();
        let h = spawn_generation(&s, permit, p, move |piece| {
            t2.lock().unwrap_or_else(|e| e.into_inner()).push_str(piece);
            true
        });
        let out = h
            .await
            .map_err(|e| {
                ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("generation task: {e}"),
                )
            })?
            .map_err(|e| {
                ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("generation failed: {e:#}"),
                )
            })?;
        let text = text.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let choice = if chat {
            json!({"index": 0, "message": {"role": "assistant", "content": text},
                   "finish_reason": out.finish.as_str()})
        } else {
            json!({"index": 0, "text": text, "finish_reason": out.finish.as_str()})
        };
        let body = json!({
            "id": id, "object": if chat { "chat.completion" } else { "text_completion" },
            "created": created, "model": model, "choices": [choice],
            "usage": {"prompt_tokens": n_prompt, "completion_tokens": out.tokens,
                      "total_tokens": n_prompt + out.tokens},
        });
        return Ok(Json(body).into_response());
    }
    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(64);
    let object = if chat {
        "chat.completion.chunk"
    } else {
        "text_completion"
    };
    let chunk = move |piece: Option<&str>, finish: Option<&str>| {
        let choice = match (chat, piece) {
            (true, Some(t)) => {
                json!({"index": 0, "delta": {"content": t}, "finish_reason": finish})
            }
            (true, None) => json!({"index": 0, "delta": {}, "finish_reason": finish}),
            (false, t) => json!({"index": 0, "text": t.unwrap_or(""), "finish_reason": finish}),
        };
        json!({"id": id, "object": object, "created": created, "model": model, "choices": [choice]})
    };
    let (tx_piece, chunk_piece) = (tx.clone(), chunk.clone());
    if chat {
        // The first chunk carries the role, as OpenAI's stream does.
        let mut first = chunk(None, None);
        first["choices"][0]["delta"] = json!({"role": "assistant"});
        let _ = tx.send(Ok(Event::default().data(first.to_string()))).await;
    }
    let h = spawn_generation(&s, permit, p, move |piece| {
        let ev = Event::default().data(chunk_piece(Some(piece), None).to_string());
        tx_piece.blocking_send(Ok(ev)).is_ok()
    });
    tokio::spawn(async move {
        let end = match h.await {
            Ok(Ok(out)) => chunk(None, Some(out.finish.as_str())),
            Ok(Err(e)) => {
                json!({"error": {"message": format!("generation failed: {e:#}"), "type": "server_error"}})
            }
            Err(e) => {
                json!({"error": {"message": format!("generation task: {e}"), "type": "server_error"}})
            }
        };
        let _ = tx.send(Ok(Event::default().data(end.to_string()))).await;
        let _ = tx.send(Ok(Event::default().data("[DONE]"))).await;
    });
    Ok(Sse::new(ReceiverStream::new(rx)).into_response())
}

async fn models(AxState(s): AxState<State>) -> Json<serde_json::Value> {
    Json(json!({"object": "list", "data": [{
        "id": s.0.backend.model_id(), "object": "model", "created": 0, "owned_by": "rocless",
        "context_length": s.0.backend.n_ctx(),
    }]}))
}

async fn health(AxState(s): AxState<State>) -> Response {
    let ok = s.0.healthy.load(Ordering::SeqCst);
    let err =
        s.0.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
    let body = json!({
        "status": if ok { "ok" } else { "degraded" },
        "last_error": err,
        "slots": s.0.limits.parallel,
        "busy": s.0.counters.busy.load(Ordering::SeqCst),
        "queued": s.0.counters.waiting.load(Ordering::SeqCst),
    });
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

async fn metrics(AxState(s): AxState<State>) -> String {
    let c = &s.0.counters;
    let mut out = String::new();
    let mut put = |name: &str, help: &str, v: String| {
        out += &format!(
            "# HELP rocless_{name} {help}\n# TYPE rocless_{name} gauge\nrocless_{name} {v}\n"
        );
    };
    let g = |a: &AtomicU64| a.load(Ordering::Relaxed).to_string();
    put("requests_total", "Requests received.", g(&c.requests));
    put(
        "requests_failed_total",
        "Requests whose generation failed.",
        g(&c.failed),
    );
    put(
        "requests_rejected_total",
        "Requests refused with 503 (queue full).",
        g(&c.rejected),
    );
    put(
        "requests_cancelled_total",
        "Generations cancelled by a client disconnect.",
        g(&c.cancelled),
    );
    put(
        "prompt_tokens_total",
        "Prompt tokens processed.",
        g(&c.prompt_tokens),
    );
    put("generated_tokens_total", "Tokens generated.", g(&c.tokens));
    put(
        "queue_depth",
        "Requests waiting for a slot.",
        c.waiting.load(Ordering::SeqCst).to_string(),
    );
    put(
        "slots_busy",
        "Slots generating.",
        c.busy.load(Ordering::SeqCst).to_string(),
    );
    put("slots_total", "Slots.", s.0.limits.parallel.to_string());
    put(
        "last_decode_tokens_per_second",
        "Decode speed of the last finished request.",
        format!(
            "{:.3}",
            c.last_tok_per_s_milli.load(Ordering::Relaxed) as f64 / 1000.0
        ),
    );
    if let Some(m) = s.0.backend.memory() {
        put(
            "vram_used_bytes",
            "VRAM in use (INFO VRAM_USAGE).",
            m.vram_used.to_string(),
        );
        put(
            "gtt_used_bytes",
            "GTT in use (INFO GTT_USAGE).",
            m.gtt_used.to_string(),
        );
    }
    out
}
