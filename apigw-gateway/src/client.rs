//! A one-request HTTP/1.1 client for the Alibaba `/invoke` protocol, web
//! functions and HTTP backends.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpStream;

/// Why a request got no response.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClientError {
    #[error("cannot connect to {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("no response within {0:?}")]
    TimedOut(Duration),
    #[error("the response was over {0} bytes")]
    TooLarge(usize),
    #[error("{0}")]
    Http(String),
}

/// Sends `req` to `addr` (`host:port`) on a fresh connection and reads the
/// whole response, up to `limit` bytes, within `timeout`.
pub(crate) async fn send(
    addr: &str,
    req: http::Request<Bytes>,
    timeout: Duration,
    limit: usize,
) -> Result<http::Response<Bytes>, ClientError> {
    // A pool that is used once: its one connection is dropped with it.
    Pool::new(addr.to_owned()).send(req, timeout, limit).await
}

/// Kept-alive connections to one address: a request takes an idle one (or
/// opens a new one) and gives it back when the response is read, so a warm
/// function is not reconnected for every request.
pub(crate) struct Pool {
    addr: String,
    idle: std::sync::Mutex<Vec<hyper::client::conn::http1::SendRequest<Full<Bytes>>>>,
}

impl Pool {
    pub(crate) fn new(addr: String) -> Self {
        Pool { addr, idle: std::sync::Mutex::new(Vec::new()) }
    }

    /// Like [`send`], over a pooled connection.
    pub(crate) async fn send(
        &self,
        req: http::Request<Bytes>,
        timeout: Duration,
        limit: usize,
    ) -> Result<http::Response<Bytes>, ClientError> {
        let exchange = async {
            let mut sender = match self.take() {
                Some(s) => s,
                None => self.connect().await?,
            };
            let res = sender
                .send_request(req.map(Full::new))
                .await
                .map_err(|e| ClientError::Http(e.to_string()))?;
            let (parts, body) = res.into_parts();
            let body = match Limited::new(body, limit).collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    return Err(ClientError::TooLarge(limit));
                }
                Err(e) => return Err(ClientError::Http(e.to_string())),
            };
            if let Ok(mut idle) = self.idle.lock() {
                idle.push(sender);
            }
            Ok(http::Response::from_parts(parts, body))
        };
        tokio::time::timeout(timeout, exchange).await.unwrap_or(Err(ClientError::TimedOut(timeout)))
    }

    /// An idle connection that is still open, if any.
    fn take(&self) -> Option<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(sender) = idle.pop() {
            if sender.is_ready() {
                return Some(sender);
            }
        }
        None
    }

    async fn connect(&self) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, ClientError> {
        let stream = TcpStream::connect(&self.addr)
            .await
            .map_err(|source| ClientError::Connect { addr: self.addr.clone(), source })?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| ClientError::Http(e.to_string()))?;
        tokio::spawn(conn);
        Ok(sender)
    }
}
