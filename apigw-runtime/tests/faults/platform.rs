//! A mock of Tencent's runtime API written on raw TCP, so that it can
//! misbehave in ways an HTTP library will not: cut a response short, answer
//! bytes that are not HTTP, leave out headers, stall, close its port.
//!
//! Every result post is recorded against the invocation it answers (the one
//! handed out last), so a test can count what reached the platform per
//! invocation: accepted posts, refused attempts, and posts with no
//! invocation outstanding.
#![allow(unreachable_pub)]

use bytes::Bytes;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// How long any wait on the platform's state may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// One invocation: the id it is recorded under, the headers sent with it on
/// `next`, and the event.
#[derive(Clone, Debug)]
pub struct Inv {
    pub key: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub event: Bytes,
}

impl Inv {
    /// With the headers the platform documents: `request_id` = `key`,
    /// `time_limit_in_ms`, `memory_limit_in_mb`.
    pub fn new(key: &str, event: impl Into<Bytes>) -> Self {
        let headers = vec![
            ("request_id".to_owned(), key.as_bytes().to_vec()),
            ("time_limit_in_ms".to_owned(), b"3000".to_vec()),
            ("memory_limit_in_mb".to_owned(), b"128".to_vec()),
        ];
        Inv { key: key.to_owned(), headers, event: event.into() }
    }

    /// With exactly these headers (none of the documented ones unless given).
    pub fn with_headers(key: &str, headers: &[(&str, &[u8])], event: impl Into<Bytes>) -> Self {
        let headers = headers.iter().map(|(k, v)| ((*k).to_owned(), v.to_vec())).collect();
        Inv { key: key.to_owned(), headers, event: event.into() }
    }
}

/// What one `next` call gets.
#[derive(Clone, Debug)]
pub enum Next {
    /// The invocation, whole.
    Event(Inv),
    /// The invocation, whole, then the connection closes without warning
    /// (no `connection: close`): the result must come on a new one.
    EventThenClose(Inv),
    /// The headers and half of the body, then the connection closes; the
    /// invocation is handed out again on the following `next`.
    DropMidBody(Inv),
    /// Waits `before` before the status line and `mid_body` between the
    /// headers and the body.
    Slow { before: Duration, mid_body: Duration, inv: Inv },
    /// These bytes, then the connection closes. No invocation is handed out.
    Garbage(&'static [u8]),
    /// An empty answer with this status; the connection stays open.
    Status(u16),
    /// The invocation after a `100 Continue`, its body sent with
    /// `transfer-encoding: chunked` in chunks of this size (with a chunk
    /// extension and a trailer), each written on its own.
    Chunked(Inv, usize),
    /// The invocation with no length: its body ends when the connection
    /// closes.
    UntilClose(Inv),
}

/// One result post as the platform received it.
#[derive(Clone, Debug)]
pub struct Post {
    /// The invocation outstanding when it arrived, if any.
    pub key: Option<String>,
    /// `/runtime/invocation/error` rather than `/response`.
    pub error: bool,
    /// Whether the platform took it (200) rather than refusing it (500, or
    /// 400 with nothing outstanding).
    pub accepted: bool,
    pub body: Bytes,
}

impl Post {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

#[derive(Default)]
pub struct State {
    script: VecDeque<Next>,
    current: Option<String>,
    /// Keys whose headers went out on `next`, in order.
    pub deliveries: Vec<String>,
    pub posts: Vec<Post>,
    pub readies: usize,
    /// `next` calls waiting for the script to give them something.
    pub parked: usize,
    fail_posts: usize,
}

/// The mock platform; stops serving when dropped.
pub struct Platform {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Platform {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Platform {
    pub async fn start() -> Platform {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let platform = Platform {
            addr: listener.local_addr().unwrap(),
            state: Default::default(),
            changed: Default::default(),
            server: Mutex::new(None),
        };
        platform.serve(listener);
        platform
    }

    fn serve(&self, listener: TcpListener) {
        let (state, changed) = (self.state.clone(), self.changed.clone());
        let task = tokio::spawn(async move {
            // Dropping the set (when the task is aborted) closes every connection.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { return };
                        let _ = stream.set_nodelay(true);
                        connections.spawn(connection(stream, state.clone(), changed.clone()));
                    }
                    Some(_) = connections.join_next() => {}
                }
            }
        });
        *self.server.lock().unwrap() = Some(task);
    }

    /// Closes the listening socket and every open connection.
    pub fn stop(&self) {
        if let Some(task) = self.server.lock().unwrap().take() {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tokio::time::Instant::now() > deadline => panic!("rebinding {}: {e}", self.addr),
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.serve(listener);
    }

    pub fn push(&self, next: Next) {
        self.state.lock().unwrap().script.push_back(next);
        self.changed.notify_waiters();
    }

    /// Answers the next `n` result posts with 500.
    pub fn fail_posts(&self, n: usize) {
        self.state.lock().unwrap().fail_posts = n;
    }

    /// Waits until `done` holds for the state; panics after 20 s.
    pub async fn until(&self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if done(&self.state.lock().unwrap()) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                let s = self.state.lock().unwrap();
                panic!("timed out waiting for {what}: deliveries {:?}, posts {:#?}", s.deliveries, s.posts);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until `key` has an accepted post, and returns it.
    pub async fn result(&self, key: &str) -> Post {
        self.until(&format!("the result of {key}"), |s| {
            s.posts.iter().any(|p| p.accepted && p.key.as_deref() == Some(key))
        })
        .await;
        self.posts().into_iter().find(|p| p.accepted && p.key.as_deref() == Some(key)).unwrap()
    }

    /// Waits until the runtime is back in `next` with nothing to hand it.
    pub async fn parked(&self) {
        self.until("the runtime to wait in `next`", |s| s.parked > 0 && s.script.is_empty()).await;
    }

    pub fn posts(&self) -> Vec<Post> {
        self.state.lock().unwrap().posts.clone()
    }

    pub fn deliveries(&self, key: &str) -> usize {
        self.state.lock().unwrap().deliveries.iter().filter(|k| *k == key).count()
    }

    pub fn readies(&self) -> usize {
        self.state.lock().unwrap().readies
    }

    /// Every key in `keys` has exactly one accepted post, and no post arrived
    /// with nothing outstanding or for another invocation.
    pub fn assert_each_answered_once(&self, keys: &[&str]) {
        let posts = self.posts();
        for key in keys {
            let accepted = posts.iter().filter(|p| p.accepted && p.key.as_deref() == Some(*key)).count();
            assert_eq!(accepted, 1, "{key} is answered exactly once: {posts:#?}");
        }
        let strays: Vec<&Post> =
            posts.iter().filter(|p| p.key.as_deref().is_none_or(|k| !keys.contains(&k))).collect();
        assert!(strays.is_empty(), "posts for nothing outstanding: {strays:#?}");
    }

    async fn next(state: &Mutex<State>, changed: &Notify) -> Next {
        let mut parked = false;
        loop {
            let notified = changed.notified();
            {
                let mut s = state.lock().unwrap();
                if let Some(next) = s.script.pop_front() {
                    if parked {
                        s.parked -= 1;
                    }
                    return next;
                }
                if !parked {
                    parked = true;
                    s.parked += 1;
                }
            }
            notified.await;
        }
    }
}

/// A request as the runtime sends it.
struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

/// Reads one request; `None` when the connection ends or is not HTTP.
async fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut words = line.split_whitespace();
    let (method, path) = (words.next()?.to_owned(), words.next()?.to_owned());
    let mut length = 0;
    for _ in 0..100 {
        line.clear();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            let mut body = vec![0; length];
            reader.read_exact(&mut body).await.ok()?;
            return Some(Request { method, path, body });
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    None
}

fn head(status: u16, headers: &[(String, Vec<u8>)], length: usize) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {length}\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

async fn connection(stream: TcpStream, state: Arc<Mutex<State>>, changed: Arc<Notify>) {
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader).await {
        let out = reader.get_mut();
        let keep_going = match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/runtime/init/ready") => {
                state.lock().unwrap().readies += 1;
                out.write_all(&head(200, &[], 0)).await.is_ok()
            }
            ("GET", "/runtime/invocation/next") => {
                let next = Platform::next(&state, &changed).await;
                answer_next(out, next, &state).await
            }
            ("POST", path @ ("/runtime/invocation/response" | "/runtime/invocation/error")) => {
                let status = {
                    let mut s = state.lock().unwrap();
                    let key = s.current.clone();
                    let refused = s.fail_posts > 0;
                    if refused {
                        s.fail_posts -= 1;
                    }
                    let accepted = !refused && key.is_some();
                    if accepted {
                        s.current = None;
                    }
                    let body = Bytes::from(req.body);
                    s.posts.push(Post { key, error: path.ends_with("error"), accepted, body });
                    if refused {
                        500
                    } else if accepted {
                        200
                    } else {
                        400
                    }
                };
                out.write_all(&head(status, &[], 0)).await.is_ok()
            }
            _ => out.write_all(&head(404, &[], 0)).await.is_ok(),
        };
        if !keep_going {
            return;
        }
    }
}

/// Writes what `next` answers; `false` when the connection is to close.
async fn answer_next(out: &mut TcpStream, next: Next, state: &Mutex<State>) -> bool {
    let hand_out = |inv: &Inv| {
        let mut s = state.lock().unwrap();
        s.current = Some(inv.key.clone());
        s.deliveries.push(inv.key.clone());
    };
    match next {
        Next::Event(inv) => {
            hand_out(&inv);
            let mut bytes = head(200, &inv.headers, inv.event.len());
            bytes.extend_from_slice(&inv.event);
            out.write_all(&bytes).await.is_ok()
        }
        Next::EventThenClose(inv) => {
            hand_out(&inv);
            let mut bytes = head(200, &inv.headers, inv.event.len());
            bytes.extend_from_slice(&inv.event);
            let _ = out.write_all(&bytes).await;
            let _ = out.flush().await;
            false
        }
        Next::DropMidBody(inv) => {
            hand_out(&inv);
            let mut bytes = head(200, &inv.headers, inv.event.len());
            bytes.extend_from_slice(&inv.event[..inv.event.len() / 2]);
            let _ = out.write_all(&bytes).await;
            let _ = out.flush().await;
            // The platform hands the invocation out again.
            state.lock().unwrap().script.push_front(Next::Event(inv));
            false
        }
        Next::Slow { before, mid_body, inv } => {
            tokio::time::sleep(before).await;
            hand_out(&inv);
            if out.write_all(&head(200, &inv.headers, inv.event.len())).await.is_err() {
                return false;
            }
            let _ = out.flush().await;
            tokio::time::sleep(mid_body).await;
            out.write_all(&inv.event).await.is_ok()
        }
        Next::Garbage(bytes) => {
            let _ = out.write_all(bytes).await;
            let _ = out.flush().await;
            false
        }
        Next::Status(status) => out.write_all(&head(status, &[], 0)).await.is_ok(),
        Next::Chunked(inv, size) => {
            hand_out(&inv);
            let head = String::from_utf8(head(200, &inv.headers, 0))
                .unwrap()
                .replace("content-length: 0", "transfer-encoding: chunked");
            let mut parts = vec![b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(), head.into_bytes()];
            for chunk in inv.event.chunks(size.max(1)) {
                let mut part = format!("{:x};ext=1\r\n", chunk.len()).into_bytes();
                part.extend_from_slice(chunk);
                part.extend_from_slice(b"\r\n");
                parts.push(part);
            }
            parts.push(b"0\r\nx-trailer: yes\r\n\r\n".to_vec());
            for part in parts {
                if out.write_all(&part).await.is_err() {
                    return false;
                }
                let _ = out.flush().await;
            }
            true
        }
        Next::UntilClose(inv) => {
            hand_out(&inv);
            let mut bytes = String::from_utf8(head(200, &inv.headers, 0))
                .unwrap()
                .replace("content-length: 0\r\n", "")
                .into_bytes();
            bytes.extend_from_slice(&inv.event);
            let _ = out.write_all(&bytes).await;
            let _ = out.flush().await;
            false
        }
    }
}
