//! A minimal HTTP/1.1 client for the Tencent runtime API: one kept-alive
//! connection, reopened when it breaks.
//!
//! The runtime API is a local peer spoken to in strict turns (request,
//! answer, request, …), so each request goes out in one write and its answer
//! is read in the calling task: no connection task and no wake-ups between
//! tasks. Where the thread waits for the answer is [`transport`]'s concern.
//! Answers may be framed by `content-length`, `transfer-encoding: chunked`,
//! or the connection closing.

mod answer;
mod transport;

pub(crate) use answer::{Answer, Headers};

use bytes::BytesMut;
use http::{Method, StatusCode};
use std::time::Duration;
use transport::Transport;

/// Why a call to the runtime API failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    #[error("connection failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the connection closed {0}")]
    Closed(&'static str),
    #[error("the answer is not HTTP/1.1: {0}")]
    Malformed(String),
    #[error("body over {limit} bytes")]
    TooLarge { limit: usize, status: StatusCode, headers: Headers },
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
}

pub(crate) struct Client {
    addr: String,
    conn: Option<Connection>,
    max_body: usize,
    block_below: Option<usize>,
    /// The request head being sent, kept to be written over by the next one.
    head: Vec<u8>,
    /// Header lines sent on every request (the local gateway's token).
    extra: String,
}

impl Client {
    pub(crate) fn new(addr: String, max_body: usize) -> Self {
        Client { addr, conn: None, max_body, block_below: None, head: Vec::new(), extra: String::new() }
    }

    /// Sends `x-apigw-runtime-token: <token>` on every request, as the
    /// local gateway's runtime API asks.
    pub(crate) fn with_token(mut self, token: Option<&str>) -> Self {
        // A token that could break the head is not sent: the gateway refuses
        // the calls and says why.
        if let Some(t) = token.filter(|t| t.bytes().all(|b| b.is_ascii_graphic())) {
            self.extra = format!("x-apigw-runtime-token: {t}\r\n");
        }
        self
    }

    /// Sends `name: value` on every request (the push client's
    /// `content-type`). A line that could break the head is not sent.
    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Self {
        let fits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if fits(name) && fits(value) && !name.contains(':') {
            self.extra.push_str(&format!("{name}: {value}\r\n"));
        }
        self
    }

    /// Lets the client wait for answers in blocking reads (at most
    /// [`transport::WINDOW`] each) while no more than `own_tasks` tasks —
    /// the caller's own — are alive on the async runtime.
    pub(crate) fn with_blocking_waits(mut self, own_tasks: usize) -> Self {
        self.block_below = Some(own_tasks);
        self
    }

    pub(crate) fn addr(&self) -> &str {
        &self.addr
    }

    /// One request; `timeout` bounds the whole exchange when set. Any failure
    /// drops the connection so the next call opens a fresh one.
    pub(crate) async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: &[u8],
        timeout: Option<Duration>,
    ) -> Result<Answer, CallError> {
        let exchange = self.exchange(&method, path, body);
        let result = match timeout {
            Some(t) => tokio::time::timeout(t, exchange).await.unwrap_or(Err(CallError::TimedOut(t))),
            None => exchange.await,
        };
        if result.is_err() {
            self.conn = None;
        }
        result
    }

    async fn exchange(&mut self, method: &Method, path: &str, body: &[u8]) -> Result<Answer, CallError> {
        write_head(&mut self.head, method, path, &self.addr, &self.extra, body.len());
        loop {
            let conn = match &mut self.conn {
                Some(conn) => conn,
                None => self.conn.insert(Connection::open(&self.addr, self.block_below).await?),
            };
            match conn.round_trip(&self.head, body, self.max_body).await {
                Ok((answer, reusable)) => {
                    conn.used = true;
                    if !reusable {
                        self.conn = None;
                    }
                    return Ok(answer);
                }
                // A kept-alive connection the peer closed while it sat idle:
                // nothing was answered, so the request goes again on a new one.
                Err(Failure::BeforeAnswer(e)) if conn.used => {
                    tracing::debug!(error = %e, "runtime API connection went stale; reconnecting");
                    self.conn = None;
                }
                Err(Failure::BeforeAnswer(e) | Failure::Answer(e)) => return Err(e),
            }
        }
    }
}

/// How an exchange failed: before any byte of the answer arrived, or after.
enum Failure {
    BeforeAnswer(CallError),
    Answer(CallError),
}

struct Connection {
    transport: Transport,
    /// Bytes read from the socket and not yet part of an answer.
    buf: BytesMut,
    /// Has carried a whole exchange.
    used: bool,
}

impl Connection {
    async fn open(addr: &str, block_below: Option<usize>) -> Result<Self, CallError> {
        let transport = Transport::connect(addr, block_below).await.map_err(CallError::Connect)?;
        Ok(Connection { transport, buf: BytesMut::with_capacity(16 * 1024), used: false })
    }

    /// Writes the request and reads its answer; the flag says whether the
    /// connection can carry another exchange.
    async fn round_trip(
        &mut self,
        head: &[u8],
        body: &[u8],
        max_body: usize,
    ) -> Result<(Answer, bool), Failure> {
        self.transport.prepare();
        if let Err(e) = self.transport.write_all(head, body).await {
            return Err(Failure::BeforeAnswer(e.into()));
        }
        answer::read(&mut self.transport, &mut self.buf, max_body).await
    }
}

/// Writes `METHOD path HTTP/1.1`, `host` and `content-length` into `head`:
/// all the runtime API needs.
fn write_head(head: &mut Vec<u8>, method: &Method, path: &str, host: &str, extra: &str, len: usize) {
    head.clear();
    for part in [method.as_str(), " ", path, " HTTP/1.1\r\nhost: ", host, "\r\n", extra, "content-length: "] {
        head.extend_from_slice(part.as_bytes());
    }
    head.extend_from_slice(itoa::Buffer::new().format(len).as_bytes());
    head.extend_from_slice(b"\r\n\r\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_head_is_http_1_1_with_host_and_length() {
        let mut head = b"left over from the last request".to_vec();
        super::write_head(&mut head, &http::Method::POST, "/runtime/init/ready", "127.0.0.1:9001", "", 1);
        assert_eq!(
            head,
            b"POST /runtime/init/ready HTTP/1.1\r\nhost: 127.0.0.1:9001\r\ncontent-length: 1\r\n\r\n"
        );
    }

    #[test]
    fn the_gateway_token_is_sent_on_every_request() {
        let client = super::Client::new("127.0.0.1:9001".into(), 1).with_token(Some("t0k"));
        let mut head = Vec::new();
        super::write_head(&mut head, &http::Method::GET, "/runtime/invocation/next", "h", &client.extra, 0);
        assert_eq!(
            head,
            b"GET /runtime/invocation/next HTTP/1.1\r\nhost: h\r\nx-apigw-runtime-token: t0k\r\ncontent-length: 0\r\n\r\n"
        );
        let refused = super::Client::new("h".into(), 1).with_token(Some("a\r\nb"));
        assert!(refused.extra.is_empty(), "a token that would break the head is not sent");
    }
}
