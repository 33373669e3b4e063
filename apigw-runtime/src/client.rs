//! A minimal HTTP/1.1 client for the Tencent runtime API: one kept-alive
//! connection, reopened when it breaks.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpStream;

/// What the runtime API answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Why a call to the runtime API failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    #[error("connection failed: {0}")]
    Http(#[from] hyper::Error),
    #[error("body over {limit} bytes")]
    TooLarge { limit: usize, status: StatusCode, headers: HeaderMap },
    #[error("body could not be read: {0}")]
    Body(String),
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
}

pub(crate) struct Client {
    addr: String,
    conn: Option<SendRequest<Full<Bytes>>>,
    max_body: usize,
}

impl Client {
    pub(crate) fn new(addr: String, max_body: usize) -> Self {
        Client { addr, conn: None, max_body }
    }

    pub(crate) fn addr(&self) -> &str {
        &self.addr
    }

    async fn connection(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, CallError> {
        if self.conn.as_ref().is_none_or(|c| c.is_closed()) {
            let stream = TcpStream::connect(&self.addr).await.map_err(CallError::Connect)?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "runtime API connection closed");
                }
            });
            self.conn = Some(sender);
        }
        match self.conn.as_mut() {
            Some(c) => {
                c.ready().await?;
                Ok(c)
            }
            None => Err(CallError::Body("no connection".into())),
        }
    }

    /// One request; `timeout` bounds the whole exchange when set. Any failure
    /// drops the connection so the next call opens a fresh one.
    pub(crate) async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Bytes,
        timeout: Option<Duration>,
    ) -> Result<Answer, CallError> {
        let exchange = self.exchange(method, path, body);
        let result = match timeout {
            Some(t) => tokio::time::timeout(t, exchange).await.unwrap_or(Err(CallError::TimedOut(t))),
            None => exchange.await,
        };
        if result.is_err() {
            self.conn = None;
        }
        result
    }

    async fn exchange(&mut self, method: Method, path: &str, body: Bytes) -> Result<Answer, CallError> {
        let host = self.addr.clone();
        let max_body = self.max_body;
        let sender = self.connection().await?;
        let mut req = http::Request::new(Full::new(body));
        *req.method_mut() = method;
        *req.uri_mut() = path.parse().map_err(|e: http::uri::InvalidUri| CallError::Body(e.to_string()))?;
        if let Ok(host) = http::HeaderValue::from_str(&host) {
            req.headers_mut().insert(http::header::HOST, host);
        }
        let res = sender.send_request(req).await?;
        let (parts, body) = res.into_parts();
        match Limited::new(body, max_body).collect().await {
            Ok(body) => Ok(Answer { status: parts.status, headers: parts.headers, body: body.to_bytes() }),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                Err(CallError::TooLarge { limit: max_body, status: parts.status, headers: parts.headers })
            }
            Err(e) => Err(CallError::Body(e.to_string())),
        }
    }
}
