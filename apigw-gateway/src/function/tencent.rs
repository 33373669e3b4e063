//! Tencent's runtime API, served to the function process (REFERENCE §1):
//! `init/ready`, then `next` hands out one event at a time and `response` or
//! `error` answers it. The first post is final; a post with no invocation
//! outstanding is refused.
//!
//! Each runtime API is handed to one process with a token of its own
//! ([`TOKEN_VAR`]), which the SDK's runtime sends back on every call as
//! [`TOKEN_HEADER`]: a call without it is refused, so a function orphaned
//! by an earlier gateway never takes the invocations of a new one that got
//! the same port.

use super::Outcome;
use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

struct Job {
    request_id: String,
    event: Bytes,
    limit: Duration,
    reply: oneshot::Sender<Outcome>,
}

/// The environment variable that hands the function its token.
pub(crate) const TOKEN_VAR: &str = "APIGW_RUNTIME_TOKEN";
/// The header the function sends its token back in.
pub(crate) const TOKEN_HEADER: &str = "x-apigw-runtime-token";

struct State {
    memory_mb: u64,
    token: String,
    ready: watch::Sender<bool>,
    jobs: tokio::sync::Mutex<mpsc::Receiver<Job>>,
    current: std::sync::Mutex<Option<oneshot::Sender<Outcome>>>,
}

/// The runtime API of one function instance.
pub(super) struct RuntimeApi {
    port: u16,
    state: Arc<State>,
    jobs: mpsc::Sender<Job>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RuntimeApi {
    pub(super) async fn start(memory_mb: u64, token: String) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (jobs_tx, jobs_rx) = mpsc::channel(1);
        let state = Arc::new(State {
            memory_mb,
            token,
            ready: watch::channel(false).0,
            jobs: tokio::sync::Mutex::new(jobs_rx),
            current: std::sync::Mutex::new(None),
        });
        let s = state.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let s = s.clone();
                        async move { Ok::<_, std::convert::Infallible>(answer(&s, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(RuntimeApi { port, state, jobs: jobs_tx, server })
    }

    pub(super) fn port(&self) -> u16 {
        self.port
    }

    /// Completes once the function has sent `init/ready`.
    pub(super) async fn ready(&self) {
        let mut rx = self.state.ready.subscribe();
        let _ = rx.wait_for(|r| *r).await;
    }

    /// Queues one event for `next` and waits for the function's post.
    pub(super) async fn invoke(&self, event: Bytes, request_id: &str, limit: Duration) -> Outcome {
        let (reply, rx) = oneshot::channel();
        let job = Job { request_id: request_id.to_owned(), event, limit, reply };
        if self.jobs.send(job).await.is_err() {
            return Outcome::Crashed("the runtime API stopped".into());
        }
        rx.await.unwrap_or_else(|_| Outcome::Crashed("the function dropped the invocation".into()))
    }
}

async fn answer(state: &State, req: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    if parts.headers.get(TOKEN_HEADER).is_none_or(|t| t.as_bytes() != state.token.as_bytes()) {
        return reply(
            StatusCode::FORBIDDEN,
            "this runtime API belongs to another function instance: no or a stale x-apigw-runtime-token",
        );
    }
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    match (&parts.method, parts.uri.path()) {
        (&Method::POST, "/runtime/init/ready") => {
            if body.is_empty() {
                return reply(StatusCode::BAD_REQUEST, "init/ready needs a non-empty body");
            }
            state.ready.send_replace(true);
            reply(StatusCode::OK, "")
        }
        (&Method::GET, "/runtime/invocation/next") => {
            if !*state.ready.borrow() {
                return reply(StatusCode::BAD_REQUEST, "init/ready was not sent before invocation/next");
            }
            let job = state.jobs.lock().await.recv().await;
            let Some(job) = job else { return reply(StatusCode::GONE, "the gateway stopped") };
            if let Ok(mut current) = state.current.lock() {
                *current = Some(job.reply);
            }
            let mut res = http::Response::new(Full::new(job.event));
            let headers = res.headers_mut();
            let pairs = [
                ("request_id", job.request_id),
                ("memory_limit_in_mb", state.memory_mb.to_string()),
                ("time_limit_in_ms", job.limit.as_millis().to_string()),
            ];
            for (name, value) in pairs {
                if let Ok(v) = http::HeaderValue::from_str(&value) {
                    headers.insert(name, v);
                }
            }
            res
        }
        (&Method::POST, path @ ("/runtime/invocation/response" | "/runtime/invocation/error")) => {
            let current = state.current.lock().ok().and_then(|mut c| c.take());
            let Some(current) = current else {
                return reply(
                    StatusCode::BAD_REQUEST,
                    "no invocation is outstanding: the first post is final",
                );
            };
            let outcome =
                if path.ends_with("response") { Outcome::Response(body) } else { Outcome::Error(body) };
            let _ = current.send(outcome);
            // The caller waiting for this outcome runs before the function is
            // told its post arrived: the client's answer goes out first.
            tokio::task::yield_now().await;
            reply(StatusCode::OK, "")
        }
        _ => reply(StatusCode::NOT_FOUND, "not a runtime API path"),
    }
}

fn reply(status: StatusCode, message: &'static str) -> http::Response<Full<Bytes>> {
    let mut res = http::Response::new(Full::new(Bytes::from_static(message.as_bytes())));
    *res.status_mut() = status;
    res
}
