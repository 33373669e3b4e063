//! A mock runtime API that serves a contender N events as fast as it asks
//! and times each one from handing out the event to receiving the answer.

use crate::{Round, peak_rss_kb, percentile};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Clone, Copy, Debug)]
pub enum Protocol {
    /// `/runtime/init/ready`, `/runtime/invocation/{next,response}`.
    Tencent,
    /// `/2018-06-01/runtime/invocation/{next,<id>/response}`.
    Lambda,
}

const TENCENT_EVENT: &str = r#"{"requestContext":{"serviceId":"service-1","path":"/hello","httpMethod":"GET","requestId":"r","identity":{},"sourceIp":"10.0.0.1","stage":"release"},"headers":{"accept":"application/json","host":"example.com","user-agent":"bench"},"body":"","pathParameters":{},"queryStringParameters":{},"headerParameters":{},"stageVariables":{},"path":"/hello","queryString":{},"httpMethod":"GET","isBase64Encoded":false}"#;

const LAMBDA_EVENT: &str = r#"{"resource":"/hello","path":"/hello","httpMethod":"GET","headers":{"accept":"application/json","host":"example.com","user-agent":"bench"},"multiValueHeaders":{"accept":["application/json"],"host":["example.com"],"user-agent":["bench"]},"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"accountId":"123456789012","resourceId":"r","stage":"release","requestId":"r","identity":{"sourceIp":"10.0.0.1","userAgent":"bench"},"resourcePath":"/hello","httpMethod":"GET","apiId":"api","path":"/release/hello","protocol":"HTTP/1.1","requestTimeEpoch":0},"body":null,"isBase64Encoded":false}"#;

struct State {
    protocol: Protocol,
    remaining: usize,
    served: u64,
    handed_out: Option<Instant>,
    latencies: Vec<Duration>,
    ready_at: Option<Instant>,
    first_at: Option<Instant>,
    last_at: Option<Instant>,
}

/// How a contender runs.
#[derive(Clone, Copy, Debug)]
pub enum Launch<'a> {
    /// The binary itself, killed when its invocations are done.
    Direct(&'a Path),
    /// The binary under callgrind, which writes the instructions it counted
    /// to `out` when the harness stops it with SIGTERM.
    Callgrind { exe: &'a Path, out: &'a Path },
}

/// Runs a contender against the mock for `n` invocations and measures it.
pub async fn drive(launch: Launch<'_>, protocol: Protocol, n: usize) -> Round {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let port = listener.local_addr().expect("bound").port();
    let state = Arc::new(Mutex::new(State {
        protocol,
        remaining: n,
        served: 0,
        handed_out: None,
        latencies: Vec::with_capacity(n),
        ready_at: None,
        first_at: None,
        last_at: None,
    }));
    let done = Arc::new(Notify::new());
    let server = {
        let (state, done) = (state.clone(), done.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let (state, done) = (state.clone(), done.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let (state, done) = (state.clone(), done.clone());
                        async move { Ok::<_, std::convert::Infallible>(answer(&state, &done, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        })
    };
    let (mut cmd, exe) = match launch {
        Launch::Direct(exe) => (tokio::process::Command::new(exe), exe),
        Launch::Callgrind { exe, out } => {
            let mut cmd = tokio::process::Command::new("valgrind");
            cmd.arg("--tool=callgrind").arg(format!("--callgrind-out-file={}", out.display())).arg(exe);
            cmd.stderr(std::process::Stdio::null());
            (cmd, exe)
        }
    };
    cmd.env_clear().kill_on_drop(true).stdout(std::process::Stdio::null());
    if let (Launch::Callgrind { .. }, Some(path)) = (launch, std::env::var_os("PATH")) {
        cmd.env("PATH", path);
    }
    match protocol {
        Protocol::Tencent => {
            cmd.env("SCF_RUNTIME_API", "127.0.0.1").env("SCF_RUNTIME_API_PORT", port.to_string());
        }
        Protocol::Lambda => {
            cmd.env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
                .env("AWS_LAMBDA_FUNCTION_NAME", "hello")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
                .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
                .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
                .env("AWS_REGION", "us-east-1");
        }
    }
    let spawned = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
    let pid = child.id().unwrap_or(0);
    let finished = tokio::time::timeout(Duration::from_secs(600), done.notified()).await;
    let rss = peak_rss_kb(pid);
    let (user, system) = crate::cpu_time(pid);
    if let Launch::Callgrind { .. } = launch {
        // Callgrind writes its counts when the process ends on a signal it
        // does not catch (or, for the runtime, exits on SIGTERM).
        let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        let _ = tokio::time::timeout(Duration::from_secs(60), child.wait()).await;
    }
    let _ = child.kill().await;
    server.abort();
    assert!(finished.is_ok(), "{} did not finish {n} invocations", exe.display());
    let mut s = state.lock().expect("the mock's state");
    s.latencies.sort();
    let span = s.last_at.zip(s.first_at).map(|(l, f)| l - f).unwrap_or_default();
    Round {
        per_second: n as f64 / span.as_secs_f64().max(1e-9),
        p50: percentile(&s.latencies, 0.50),
        p99: percentile(&s.latencies, 0.99),
        init: s.ready_at.map(|r| r - spawned).unwrap_or_default(),
        peak_rss_kb: rss,
        cpu_per_invocation: (user + system) / n as u32,
        user_per_invocation: user / n as u32,
    }
}

async fn answer(
    state: &Mutex<State>,
    done: &Notify,
    req: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let _ = req.into_body().collect().await;
    let now = Instant::now();
    let exhausted =
        path.ends_with("/invocation/next") && state.lock().map(|s| s.remaining == 0).unwrap_or(true);
    if exhausted {
        // Hold the long poll: the harness stops the process.
        std::future::pending::<()>().await;
    }
    let mut s = state.lock().expect("the mock's state");
    let protocol = s.protocol;
    if path.ends_with("/init/ready") {
        s.ready_at = Some(now);
        return reply(Bytes::new(), &[]);
    }
    if path.ends_with("/invocation/next") {
        if s.ready_at.is_none() {
            // Lambda has no init/ready: its first `next` marks readiness.
            s.ready_at = Some(now);
        }
        s.served += 1;
        let id = format!("req-{}", s.served);
        let handed = Instant::now();
        s.handed_out = Some(handed);
        s.first_at.get_or_insert(handed);
        return match protocol {
            Protocol::Tencent => reply(
                Bytes::from_static(TENCENT_EVENT.as_bytes()),
                &[
                    ("request_id", id),
                    ("time_limit_in_ms", "3000".into()),
                    ("memory_limit_in_mb", "128".into()),
                ],
            ),
            Protocol::Lambda => {
                let deadline = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() + 30_000)
                    .unwrap_or(0);
                reply(
                    Bytes::from_static(LAMBDA_EVENT.as_bytes()),
                    &[
                        ("lambda-runtime-aws-request-id", id),
                        ("lambda-runtime-deadline-ms", deadline.to_string()),
                        (
                            "lambda-runtime-invoked-function-arn",
                            "arn:aws:lambda:us-east-1:123456789012:function:hello".into(),
                        ),
                        ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000".into()),
                    ],
                )
            }
        };
    }
    if path.ends_with("/response") {
        if let Some(t) = s.handed_out.take() {
            s.latencies.push(now - t);
        }
        s.last_at = Some(now);
        s.remaining = s.remaining.saturating_sub(1);
        if s.remaining == 0 {
            done.notify_one();
        }
        return reply(Bytes::new(), &[]);
    }
    panic!("the contender called {path}: it failed an invocation");
}

fn reply(body: Bytes, headers: &[(&'static str, String)]) -> hyper::Response<Full<Bytes>> {
    let mut res = hyper::Response::new(Full::new(body));
    if headers.is_empty() {
        *res.status_mut() = hyper::StatusCode::ACCEPTED;
    }
    for (k, v) in headers {
        res.headers_mut().insert(*k, v.parse().expect("a header value"));
    }
    res
}
