//! In-process mocks of the platforms, on real HTTP over 127.0.0.1, and a
//! small client for calling the runtime's own servers.
#![allow(dead_code, unreachable_pub, missing_docs)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One event the mock hands out on `next`.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub request_id: String,
    pub event: Bytes,
    pub time_limit_ms: Option<u64>,
    pub memory_mb: Option<u64>,
}

impl Invocation {
    pub fn new(request_id: impl Into<String>, event: impl Into<Bytes>) -> Self {
        Invocation {
            request_id: request_id.into(),
            event: event.into(),
            time_limit_ms: Some(3000),
            memory_mb: Some(128),
        }
    }
}

/// What the runtime posted for one invocation.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Response(serde_json::Value),
    Error(serde_json::Value),
}

impl Outcome {
    pub fn response(&self) -> &serde_json::Value {
        match self {
            Outcome::Response(v) => v,
            Outcome::Error(e) => panic!("expected a response, got the error {e}"),
        }
    }
    pub fn error(&self) -> &serde_json::Value {
        match self {
            Outcome::Error(v) => v,
            Outcome::Response(r) => panic!("expected an error, got the response {r}"),
        }
    }
}

#[derive(Default)]
struct State {
    queue: VecDeque<Invocation>,
    current: Option<String>,
    ready_bodies: Vec<Bytes>,
    ready_before_next: bool,
    nexts: usize,
    results: Vec<(String, Outcome)>,
    /// Results posted with no invocation outstanding: must stay empty.
    stray: Vec<Bytes>,
    /// Answer this many result posts with 500 before accepting.
    fail_posts: usize,
}

/// A mock of Tencent's runtime API (REFERENCE §1).
#[derive(Clone)]
pub struct MockTencent {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

impl MockTencent {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener)
    }

    pub fn serve(listener: TcpListener) -> Self {
        let addr = listener.local_addr().unwrap();
        let mock = MockTencent { addr, state: Default::default(), changed: Default::default() };
        let m = mock.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let m = m.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let m = m.clone();
                        async move { Ok::<_, std::convert::Infallible>(m.answer(req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        mock
    }

    pub fn push(&self, inv: Invocation) {
        self.state.lock().unwrap().queue.push_back(inv);
        self.changed.notify_waiters();
    }

    pub fn fail_next_posts(&self, n: usize) {
        self.state.lock().unwrap().fail_posts = n;
    }

    /// Waits (at most 20 s) until `n` results have been posted.
    pub async fn results(&self, n: usize) -> Vec<(String, Outcome)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.changed.notified();
            {
                let s = self.state.lock().unwrap();
                if s.results.len() >= n {
                    return s.results.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let s = self.state.lock().unwrap();
                panic!("only {} of {n} results arrived: {:?}", s.results.len(), s.results);
            }
        }
    }

    pub fn ready_bodies(&self) -> Vec<Bytes> {
        self.state.lock().unwrap().ready_bodies.clone()
    }

    pub fn ready_before_next(&self) -> bool {
        self.state.lock().unwrap().ready_before_next
    }

    pub fn stray(&self) -> Vec<Bytes> {
        self.state.lock().unwrap().stray.clone()
    }

    pub fn nexts(&self) -> usize {
        self.state.lock().unwrap().nexts
    }

    async fn answer(&self, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
        let path = req.uri().path().to_owned();
        let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        match path.as_str() {
            "/runtime/init/ready" => {
                let mut s = self.state.lock().unwrap();
                s.ready_before_next = s.nexts == 0;
                s.ready_bodies.push(body);
                reply(200, Bytes::new(), &[])
            }
            "/runtime/invocation/next" => loop {
                let notified = self.changed.notified();
                let inv = {
                    let mut s = self.state.lock().unwrap();
                    s.nexts += 1;
                    let inv = s.queue.pop_front();
                    if let Some(inv) = &inv {
                        s.current = Some(inv.request_id.clone());
                    } else {
                        s.nexts -= 1;
                    }
                    inv
                };
                match inv {
                    Some(inv) => {
                        let mut headers = vec![("request_id", inv.request_id.clone())];
                        if let Some(t) = inv.time_limit_ms {
                            headers.push(("time_limit_in_ms", t.to_string()));
                        }
                        if let Some(m) = inv.memory_mb {
                            headers.push(("memory_limit_in_mb", m.to_string()));
                        }
                        return reply(200, inv.event, &headers);
                    }
                    None => notified.await,
                }
            },
            "/runtime/invocation/response" | "/runtime/invocation/error" => {
                let mut s = self.state.lock().unwrap();
                if s.fail_posts > 0 {
                    s.fail_posts -= 1;
                    return reply(500, Bytes::new(), &[]);
                }
                let Some(id) = s.current.take() else {
                    s.stray.push(body);
                    return reply(400, Bytes::new(), &[]);
                };
                let json = serde_json::from_slice(&body)
                    .unwrap_or(serde_json::Value::String(String::from_utf8_lossy(&body).into_owned()));
                let outcome =
                    if path.ends_with("response") { Outcome::Response(json) } else { Outcome::Error(json) };
                s.results.push((id, outcome));
                drop(s);
                self.changed.notify_waiters();
                reply(200, Bytes::new(), &[])
            }
            _ => reply(404, Bytes::new(), &[]),
        }
    }
}

fn reply(status: u16, body: Bytes, headers: &[(&'static str, String)]) -> hyper::Response<Full<Bytes>> {
    let mut res = hyper::Response::new(Full::new(body));
    *res.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    for (k, v) in headers {
        res.headers_mut().insert(*k, v.parse().unwrap());
    }
    res
}

/// A response from one of the runtime's servers.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One HTTP/1.1 request on a fresh connection (retrying the connect for up
/// to 5 s while the server starts).
pub async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let stream = loop {
        match TcpStream::connect(addr).await {
            Ok(s) => break s,
            Err(e) if tokio::time::Instant::now() > deadline => panic!("connect {addr}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder().method(method).uri(path).header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = sender.send_request(req.body(Full::new(Bytes::copy_from_slice(body))).unwrap()).await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Response { status, headers, body }
}

/// A listener on a free loopback port, for the runtime's servers.
pub fn listener() -> (std::net::TcpListener, SocketAddr) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    (l, addr)
}

/// A Tencent API Gateway event for `GET path?query` with `body`.
pub fn tencent_event(method: &str, path: &str, query: &[(&str, &str)], body: &str) -> Bytes {
    let query: serde_json::Map<String, serde_json::Value> =
        query.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect();
    let event = serde_json::json!({
        "requestContext": {"serviceId": "service-1", "path": path, "httpMethod": "ANY",
                           "requestId": "gw-1", "sourceIp": "127.0.0.1", "stage": "release",
                           "identity": {}},
        "headers": {"content-type": "application/json"},
        "body": body,
        "pathParameters": {}, "queryStringParameters": {}, "headerParameters": {}, "stageVariables": {},
        "path": path, "queryString": query, "httpMethod": method, "isBase64Encoded": false
    });
    Bytes::from(event.to_string())
}
