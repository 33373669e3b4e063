//! The accept loop under every HTTP/1 server the project runs: the
//! runtime's `/invoke` and web servers inside a deployed bundle, and the
//! local gateway. It bounds what one client can hold:
//!
//! - **a head timeout**: a request's head must arrive whole within
//!   [`ConnectionLimits::header_timeout`] of the connection opening or of
//!   the previous response on it, so a client that trickles header bytes,
//!   or a kept-alive connection left idle, is closed (hyper's
//!   `header_read_timeout`, which needs the timer set here to run at all);
//! - **a connection cap** below the open-file limit: at the cap the oldest
//!   connection is asked to close (at once when idle, after its response
//!   when not), so idle connections cannot starve new requests;
//! - **a backoff on `accept` errors** (out of descriptors), from 10 ms to
//!   1 s, with one warning naming the limit, and the oldest connection
//!   closed to free a descriptor;
//! - **half-closed clients answered**: a client that shuts its sending side
//!   after the request still gets the response.
//!
//! On `stop` every connection is asked to close after its response, and the
//! loop waits up to `drain` for them.
//!
//! ```no_run
//! use apigw_runtime::connections::{ConnectionLimits, serve};
//! use std::time::Duration;
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let service = |_peer| {
//!     let service = hyper::service::service_fn(|_req| async {
//!         Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(bytes::Bytes::from("ok"))))
//!     });
//!     (service, |_failure: &hyper::Error| {})
//! };
//! serve(listener, &ConnectionLimits::default(), service, tokio::signal::ctrl_c(), Duration::from_secs(5)).await;
//! # Ok(())
//! # }
//! ```

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};

/// What each connection may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a request's head may take to arrive, counted from the
    /// connection's start or its previous response (so also how long a
    /// kept-alive connection may sit idle); `None` waits forever. Default 30 s.
    pub header_timeout: Option<Duration>,
    /// How many connections are served at once; past it the oldest is
    /// closed. Default: the open-file limit less 64 for everything else,
    /// at most 4,096 and at least 16.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Some(Duration::from_secs(30)),
            max_connections: default_max_connections(),
        }
    }
}

impl ConnectionLimits {
    /// The defaults, with `APIGW_HEADER_TIMEOUT_MS` (0 turns the timeout
    /// off) and `APIGW_MAX_CONNECTIONS` from `var` when set; a value that
    /// is not a number is an error naming the variable.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ConnectionLimits, String> {
        let number = |name: &str| -> Result<Option<u64>, String> {
            var(name)
                .map(|v| v.trim().parse::<u64>().map_err(|_| format!("{name} `{v}` is not a number")))
                .transpose()
        };
        let mut limits = ConnectionLimits::default();
        if let Some(ms) = number("APIGW_HEADER_TIMEOUT_MS")? {
            limits.header_timeout = (ms > 0).then(|| Duration::from_millis(ms));
        }
        if let Some(n) = number("APIGW_MAX_CONNECTIONS")? {
            limits.max_connections = usize::try_from(n).unwrap_or(usize::MAX).max(1);
        }
        Ok(limits)
    }
}

/// The body length a request's `Content-Length` declares, when it has one:
/// a body over a limit can be refused from it before any of it is read.
pub fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    headers.get(http::header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// The process's soft limit on open files, when it can be read.
pub fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

fn default_max_connections() -> usize {
    let limit = open_file_limit().unwrap_or(1024).saturating_sub(64);
    usize::try_from(limit).unwrap_or(usize::MAX).clamp(16, 4096)
}

/// The connections being served, oldest first, each with the signal that
/// asks it to close.
#[derive(Default)]
struct Open {
    next: u64,
    closers: BTreeMap<u64, Arc<Notify>>,
}

/// Serves each connection `listener` accepts with the service `service`
/// makes for its peer, within `limits`, until `stop` completes; then lets
/// the connections finish their responses for up to `drain`. `service`
/// also gives what to do when the connection fails (an answer that could
/// not be written, say: the client is gone).
pub async fn serve<M, S, F, B>(
    listener: TcpListener,
    limits: &ConnectionLimits,
    service: M,
    stop: impl Future,
    drain: Duration,
) where
    M: Fn(SocketAddr) -> (S, F),
    F: FnOnce(&hyper::Error) + Send + 'static,
    S: Service<http::Request<Incoming>, Response = http::Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let open = Arc::new(Mutex::new(Open::default()));
    // Each connection task holds a sender: `recv` ends when all are gone.
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).half_close(true);
    let mut backoff = Backoff::default();
    // Each request may arm a timer. Tokio wakes its reactor (an `eventfd`
    // write, then a wasted `epoll_wait`) whenever a timer is armed that is
    // due before anything the reactor already waits for; with this
    // one-second tick pending, only timeouts under a second do.
    let mut heartbeat = tokio::time::interval(Duration::from_secs(1));
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = heartbeat.tick() => continue,
            _ = &mut stop => break,
        };
        let (stream, peer) = match accepted {
            Ok(conn) => {
                backoff.reset();
                conn
            }
            Err(e) => {
                // Out of descriptors, usually: free one, wait, go on.
                close_oldest(&open);
                backoff.wait(&e).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let close = Arc::new(Notify::new());
        let id = {
            let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
            let id = open.next;
            open.next += 1;
            open.closers.insert(id, close.clone());
            let over = open.closers.len().saturating_sub(limits.max_connections);
            for (_, oldest) in open.closers.iter().take(over) {
                oldest.notify_one();
            }
            if over > 0 {
                tracing::debug!(max = limits.max_connections, "at the connection limit: closing the oldest");
            }
            id
        };
        let (service, on_failure) = service(peer);
        // Upgrades (WebSocket) are allowed: the connection ends as HTTP once
        // its upgrade is handed to the service.
        let conn = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let (open, alive) = (open.clone(), alive_tx.clone());
        tokio::spawn(async move {
            tokio::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                () = close.notified() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
                on_failure(&e);
            }
            open.lock().unwrap_or_else(|e| e.into_inner()).closers.remove(&id);
            drop(alive);
        });
    }
    drop(listener);
    let closers: Vec<_> = open.lock().unwrap_or_else(|e| e.into_inner()).closers.values().cloned().collect();
    for close in closers {
        close.notify_one();
    }
    drop(alive_tx);
    if tokio::time::timeout(drain, alive_rx.recv()).await.is_err() {
        tracing::warn!("connections still open after {drain:?}; closing them");
    }
}

fn close_oldest(open: &Mutex<Open>) {
    if let Some(oldest) = open.lock().unwrap_or_else(|e| e.into_inner()).closers.values().next() {
        oldest.notify_one();
    }
}

/// The pause after a failed `accept`: 10 ms, doubling to 1 s, with a
/// warning on the first failure and at most every ten seconds after.
#[derive(Default)]
struct Backoff {
    delay: Option<Duration>,
    warned: Option<Instant>,
}

impl Backoff {
    async fn wait(&mut self, error: &std::io::Error) {
        if self.warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
            self.warned = Some(Instant::now());
            if error.raw_os_error() == Some(24) {
                let limit = open_file_limit().map_or_else(|| "?".to_owned(), |l| l.to_string());
                tracing::warn!(
                    error = %error,
                    "accept failed: the process is at its open-file limit ({limit}; raise it with `ulimit -n`); \
                     closing the oldest connection and retrying"
                );
            } else {
                tracing::warn!(error = %error, "accept failed; retrying");
            }
        }
        let delay = self.delay.map_or(Duration::from_millis(10), |d| (d * 2).min(Duration::from_secs(1)));
        self.delay = Some(delay);
        tokio::time::sleep(delay).await;
    }

    fn reset(&mut self) {
        self.delay = None;
    }
}
