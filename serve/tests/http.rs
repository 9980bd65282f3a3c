//! The server over a real loopback socket with a plain HTTP/1.1 client: streaming,
//! concurrency limits, cancellation, injected backend faults, malformed requests; and the
//! real SmolLM2 model through `/v1/completions` equal to the CPU engine's greedy output.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serve::{Backend, Finish, GenOutcome, GenParams, Limits, State};

/// A deterministic backend: emits `w0 w1 …`, `delay` per token; can fail once.
struct Fake {
    delay: Duration,
    fail_next: AtomicBool,
    cancelled: AtomicUsize,
}

impl Fake {
    fn new(delay_ms: u64) -> Arc<Fake> {
        Arc::new(Fake {
            delay: Duration::from_millis(delay_ms),
            fail_next: AtomicBool::new(false),
            cancelled: AtomicUsize::new(0),
        })
    }
}

impl Backend for Fake {
    fn model_id(&self) -> &str {
        "fake"
    }
    fn n_ctx(&self) -> usize {
        64
    }
    fn tokenize(&self, text: &str) -> Vec<u32> {
        text.split_whitespace().map(|w| w.len() as u32).collect()
    }
    fn render_chat(&self, messages: &[(String, String)]) -> anyhow::Result<String> {
        Ok(messages
            .iter()
            .map(|(r, c)| format!("{r}: {c}\n"))
            .collect())
    }
    fn generate(
        &self,
        p: &GenParams,
        emit: &mut dyn FnMut(&str) -> bool,
    ) -> anyhow::Result<GenOutcome> {
        if self.fail_next.swap(false, Ordering::SeqCst) {
            anyhow::bail!("injected GPU VM fault at 0xdead0000 (context lost)");
        }
        for i in 0..p.max_tokens {
            std::thread::sleep(self.delay);
            let piece = format!("w{} ", i + p.prompt.len());
            let (kept, stopped) = serve::cut_at_stop(&piece, &p.stop);
            if !emit(kept) {
                self.cancelled.fetch_add(1, Ordering::SeqCst);
                return Ok(GenOutcome {
                    tokens: i,
                    finish: Finish::Cancelled,
                    tok_per_s: 0.0,
                });
            }
            if stopped {
                return Ok(GenOutcome {
                    tokens: i + 1,
                    finish: Finish::Stop,
                    tok_per_s: 0.0,
                });
            }
        }
        Ok(GenOutcome {
            tokens: p.max_tokens,
            finish: Finish::Length,
            tok_per_s: 1.0,
        })
    }
}

/// Starts a server on an ephemeral loopback port in a background runtime.
fn start(backend: Arc<dyn Backend>, limits: Limits) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            serve::run(l, State::new(backend, limits)).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// One HTTP/1.1 request with `Connection: close`: (status, body).
fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, dechunk(&body, &text))
}

/// Removes HTTP chunked framing when the response used it.
fn dechunk(body: &str, full: &str) -> String {
    if !full
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_string();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((len, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// Status of a one-token completion (is the server still serving?).
fn one_token(a: SocketAddr) -> u16 {
    http(
        a,
        "POST",
        "/v1/completions",
        br#"{"prompt":"a","max_tokens":1}"#,
    )
    .0
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The `data:` payloads of an SSE body.
fn sse(body: &str) -> Vec<String> {
    body.lines()
        .filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
        .map(|s| s.trim().to_string())
        .collect()
}

#[test]
fn models_health_and_metrics() {
    let a = start(Fake::new(0), Limits::default());
    let (c, b) = http(a, "GET", "/v1/models", b"");
    assert_eq!(c, 200);
    assert_eq!(json(&b)["data"][0]["id"], "fake");
    let (c, b) = http(a, "GET", "/health", b"");
    assert_eq!((c, json(&b)["status"].clone()), (200, "ok".into()));
    let (c, b) = http(a, "GET", "/metrics", b"");
    assert_eq!(c, 200);
    assert!(b.contains("rocless_queue_depth 0"), "{b}");
    assert_eq!(http(a, "GET", "/nope", b"").0, 404);
}

#[test]
fn completion_json_and_chat_stream() {
    let a = start(Fake::new(0), Limits::default());
    let (c, b) = http(
        a,
        "POST",
        "/v1/completions",
        br#"{"prompt":"a bb ccc","max_tokens":3}"#,
    );
    assert_eq!(c, 200, "{b}");
    let v = json(&b);
    assert_eq!(v["choices"][0]["text"], "w3 w4 w5 ");
    assert_eq!(v["choices"][0]["finish_reason"], "length");
    assert_eq!(v["usage"]["prompt_tokens"], 3);
    assert_eq!(v["usage"]["completion_tokens"], 3);
    assert_eq!(v["object"], "text_completion");

    let body = br#"{"messages":[{"role":"user","content":"hi"}],"max_tokens":4,"stream":true}"#;
    let (c, b) = http(a, "POST", "/v1/chat/completions", body);
    assert_eq!(c, 200, "{b}");
    let events = sse(&b);
    assert_eq!(events.last().map(String::as_str), Some("[DONE]"), "{b}");
    let chunks: Vec<serde_json::Value> =
        events[..events.len() - 1].iter().map(|e| json(e)).collect();
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "w2 w3 w4 w5 "); // "user: hi" is 2 words
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "length"
    );
    assert!(chunks
        .iter()
        .all(|c| c["object"] == "chat.completion.chunk"));

    let (c, b) = http(
        a,
        "POST",
        "/v1/completions",
        br#"{"prompt":"a","max_tokens":9,"stop":"w3"}"#,
    );
    assert_eq!(c, 200);
    assert_eq!(json(&b)["choices"][0]["text"], "w1 w2 ");
    assert_eq!(json(&b)["choices"][0]["finish_reason"], "stop");
}

#[test]
fn bad_requests_are_4xx_with_a_message() {
    let a = start(
        Fake::new(0),
        Limits {
            max_body: 4096,
            ..Limits::default()
        },
    );
    for (body, want) in [
        (&b"{not json"[..], "invalid request body"),
        (&br#"{"prompt": 5}"#[..], "invalid type"),
        (
            &br#"{"prompt":"a","max_tokens":"many"}"#[..],
            "invalid type",
        ),
        (&br#"{"prompt":"a","temperature":9}"#[..], "temperature"),
        (&br#"{"prompt":""}"#[..], "prompt is empty"),
    ] {
        let (c, b) = http(a, "POST", "/v1/completions", body);
        assert_eq!(c, 400, "{b}");
        let m = json(&b)["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(m.contains(want), "{m}");
    }
    let (c, b) = http(a, "POST", "/v1/chat/completions", br#"{"messages":[]}"#);
    assert_eq!(c, 400, "{b}");
    // Context: 64 tokens.
    let (c, b) = http(
        a,
        "POST",
        "/v1/completions",
        br#"{"prompt":"a b c","max_tokens":62}"#,
    );
    assert_eq!(c, 400);
    let m = json(&b)["error"]["message"].as_str().unwrap().to_string();
    assert!(
        m.contains("3 tokens") && m.contains("62") && m.contains("64"),
        "{m}"
    );
    let huge = format!(r#"{{"prompt":"{}"}}"#, "x".repeat(10_000));
    let (c, _) = http(a, "POST", "/v1/completions", huge.as_bytes());
    assert_eq!(c, 413);
    // Still serving.
    assert_eq!(one_token(a), 200);
}

#[test]
fn slots_queue_and_503_and_results_equal_sequential() {
    let limits = Limits {
        parallel: 2,
        queue: 1,
        ..Limits::default()
    };
    let a = start(Fake::new(100), limits);
    let body = br#"{"prompt":"a b","max_tokens":8,"temperature":0}"#;
    let seq = http(a, "POST", "/v1/completions", body).1;
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20 * i));
                http(a, "POST", "/v1/completions", body)
            })
        })
        .collect();
    let results: Vec<(u16, String)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok: Vec<_> = results.iter().filter(|r| r.0 == 200).collect();
    let busy: Vec<_> = results.iter().filter(|r| r.0 == 503).collect();
    assert_eq!((ok.len(), busy.len()), (3, 1), "{results:?}");
    for r in ok {
        assert_eq!(json(&r.1)["choices"], json(&seq)["choices"]);
    }
    assert!(busy[0].1.contains("server busy"), "{}", busy[0].1);
    let (_, m) = http(a, "GET", "/metrics", b"");
    assert!(m.contains("rocless_requests_rejected_total 1"), "{m}");
}

#[test]
fn a_disconnected_stream_cancels_its_generation() {
    let fake = Fake::new(30);
    let a = start(fake.clone(), Limits::default());
    let mut s = TcpStream::connect(a).unwrap();
    let body = br#"{"prompt":"a","max_tokens":60,"stream":true}"#;
    let head = format!(
        "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut buf = [0u8; 256];
    let _ = s.read(&mut buf).unwrap();
    drop(s);
    let start = std::time::Instant::now();
    while fake.cancelled.load(Ordering::SeqCst) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "generation was not cancelled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The slot is free again.
    assert_eq!(one_token(a), 200);
}

#[test]
fn a_backend_fault_fails_only_its_request_and_health_tells_the_truth() {
    let fake = Fake::new(0);
    let a = start(fake.clone(), Limits::default());
    fake.fail_next.store(true, Ordering::SeqCst);
    let (c, b) = http(
        a,
        "POST",
        "/v1/completions",
        br#"{"prompt":"a","max_tokens":2}"#,
    );
    assert_eq!(c, 500, "{b}");
    assert!(
        json(&b)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("VM fault"),
        "{b}"
    );
    let (c, b) = http(a, "GET", "/health", b"");
    assert_eq!(c, 503);
    assert_eq!(json(&b)["status"], "degraded");
    assert!(json(&b)["last_error"]
        .as_str()
        .unwrap()
        .contains("VM fault"));
    // The next request succeeds and health recovers.
    assert_eq!(
        http(
            a,
            "POST",
            "/v1/completions",
            br#"{"prompt":"a","max_tokens":2}"#
        )
        .0,
        200
    );
    assert_eq!(http(a, "GET", "/health", b"").0, 200);
    let (_, m) = http(a, "GET", "/metrics", b"");
    assert!(m.contains("rocless_requests_failed_total 1"), "{m}");
}

#[test]
fn smollm2_greedy_completion_equals_the_cpu_engine() {
    let Some(path) = engine::models::test_model("SmolLM2-135M-Instruct.Q4_1.gguf") else {
        return;
    };
    let backend = Arc::new(serve::CpuBackend::load(&path, Some(512)).unwrap());
    let prompt = "The capital of France is";
    // The reference: the engine directly.
    let ids = backend.tokenize(prompt);
    let p = GenParams {
        prompt: ids,
        max_tokens: 8,
        sampler: engine::sample::SamplerConfig::greedy(),
        stop: Vec::new(),
    };
    let mut want = String::new();
    backend
        .generate(&p, &mut |t| {
            want.push_str(t);
            true
        })
        .unwrap();
    let a = start(
        backend,
        Limits {
            parallel: 2,
            ..Limits::default()
        },
    );
    let body = br#"{"prompt":"The capital of France is","max_tokens":8,"temperature":0}"#;
    let hs: Vec<_> = (0..2)
        .map(|_| std::thread::spawn(move || http(a, "POST", "/v1/completions", body)))
        .collect();
    for h in hs {
        let (c, b) = h.join().unwrap();
        assert_eq!(c, 200, "{b}");
        assert_eq!(json(&b)["choices"][0]["text"], want.as_str());
    }
    assert!(want.contains("Paris"), "{want}");
}
