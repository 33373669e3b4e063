//! Native WebSocket on web functions: an upgrade request passed through to
//! the function on a connection of its own, and, once the function has
//! answered `101 Switching Protocols`, the bytes piped both ways until
//! either side closes or nothing passes for the idle timeout. The instance
//! is held for the whole connection, as Tencent runs one instance per
//! WebSocket connection.

use super::pool::Refused;
use super::{Function, GatewayTimedOut, Outcome, within};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest body of a refused upgrade read back from the function.
const MAX_BODY: usize = 1 << 20;

impl Function {
    /// Passes upgrade request `req` to a web function. On its `101`, the
    /// client's connection (`client`, completed once the 101 is written) is
    /// piped to the function's until either closes or `idle` passes with
    /// nothing sent either way; any other answer is returned as it is. The
    /// gateway gives up after `gateway_limit` without an answer.
    pub async fn tunnel(
        &self,
        mut req: http::Request<Bytes>,
        client: OnUpgrade,
        gateway_limit: Duration,
        idle: Duration,
    ) -> Result<Result<http::Response<Bytes>, Outcome>, GatewayTimedOut> {
        let deadline = Instant::now().checked_add(gateway_limit);
        let lease = match self.pool.lease(deadline).await {
            Ok(lease) => lease,
            Err(Refused::TimedOut) => return Err(GatewayTimedOut),
            Err(Refused::Failed(why)) => return Ok(Err(Outcome::Crashed(why))),
        };
        let Some(port) = lease.port() else {
            return Ok(Err(Outcome::Crashed("not a web function".into())));
        };
        let crashed =
            |what: &str, e: &dyn std::fmt::Display| Ok(Err(Outcome::Crashed(format!("{what}: {e}"))));
        let stream = match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(s) => s,
            Err(e) => return crashed("cannot connect to the function", &e),
        };
        let (mut sender, conn) = match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
            Ok(pair) => pair,
            Err(e) => return crashed("cannot talk to the function", &e),
        };
        tokio::spawn(conn.with_upgrades());
        req.headers_mut().remove(http::header::CONTENT_LENGTH);
        let mut res = match within(deadline, sender.send_request(req.map(Full::new))).await? {
            Ok(res) => res,
            Err(e) => return crashed("the function did not answer the upgrade", &e),
        };
        if res.status() != http::StatusCode::SWITCHING_PROTOCOLS {
            let (parts, body) = res.into_parts();
            let body = match within(deadline, Limited::new(body, MAX_BODY).collect()).await? {
                Ok(b) => b.to_bytes(),
                Err(e) => return crashed("the function's answer could not be read", &e),
            };
            return Ok(Ok(http::Response::from_parts(parts, body)));
        }
        let backend = hyper::upgrade::on(&mut res);
        let (parts, _) = res.into_parts();
        tokio::spawn(async move {
            let _held = lease;
            match (client.await, backend.await) {
                (Ok(client), Ok(backend)) => pipe(TokioIo::new(client), TokioIo::new(backend), idle).await,
                (Err(e), _) | (_, Err(e)) => {
                    tracing::info!("a WebSocket pass-through ended at its upgrade: {e}")
                }
            }
        });
        Ok(Ok(http::Response::from_parts(parts, Bytes::new())))
    }
}

/// Copies bytes both ways until either side closes or fails, or `idle`
/// passes with nothing copied.
async fn pipe(a: impl AsyncRead + AsyncWrite, b: impl AsyncRead + AsyncWrite, idle: Duration) {
    let (mut a_read, mut a_write) = tokio::io::split(a);
    let (mut b_read, mut b_write) = tokio::io::split(b);
    let (mut from_a, mut from_b) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    loop {
        let copied = tokio::select! {
            n = a_read.read(&mut from_a) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => b_write.write_all(&from_a[..n]).await,
            },
            n = b_read.read(&mut from_b) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => a_write.write_all(&from_b[..n]).await,
            },
            () = tokio::time::sleep(idle) => {
                tracing::info!("a WebSocket pass-through was idle for {idle:?}: closed");
                break;
            }
        };
        if copied.is_err() {
            break;
        }
    }
    let _ = a_write.shutdown().await;
    let _ = b_write.shutdown().await;
}
