//! The front door on a TCP port: reads each request (refusing bodies over
//! the matched route's limit as they stream in), hands it to the
//! [`Gateway`], and logs one line per request.

use crate::gateway::Gateway;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Serves `gateway` on `listener` until the future is dropped.
pub async fn serve(listener: TcpListener, gateway: Arc<Gateway>) {
    let log = access_log();
    // Each request arms a timer for its timeouts. Tokio wakes its reactor
    // (an `eventfd` write, then a wasted `epoll_wait`) whenever a timer is
    // armed that is due before anything the reactor already waits for; with
    // this one-second tick pending, only timeouts under a second do. Two
    // system calls fewer on every request, for one wake-up a second.
    let mut heartbeat = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = heartbeat.tick() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (gateway, log) = (gateway.clone(), log.clone());
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let (gateway, log) = (gateway.clone(), log.clone());
                async move {
                    Ok::<_, std::convert::Infallible>(handle(&gateway, req, peer, &log).await.map(Full::new))
                }
            });
            let _ =
                hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}

/// Where access-log lines go: a task that writes them to stderr, so the
/// write happens after the response has gone out rather than before.
fn access_log() -> mpsc::UnboundedSender<String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let mut lines = String::new();
        while let Some(line) = rx.recv().await {
            lines.push_str(&line);
            while let Ok(more) = rx.try_recv() {
                lines.push_str(&more);
            }
            let _ = std::io::stderr().write_all(lines.as_bytes());
            lines.clear();
        }
    });
    tx
}

async fn handle(
    gateway: &Gateway,
    req: http::Request<Incoming>,
    peer: SocketAddr,
    log: &mpsc::UnboundedSender<String>,
) -> http::Response<Bytes> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let (res, request_id) = match gateway.route(&parts, peer.ip(), SystemTime::now()) {
        Err(res) => {
            let id =
                res.headers().get("x-api-requestid").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
            (*res, id)
        }
        Ok(matched) => {
            let limit = gateway.body_limit(&matched);
            let res = match Limited::new(body, limit).collect().await {
                Ok(body) => gateway.dispatch(&matched, &parts, body.to_bytes()).await,
                Err(e) if e.is::<http_body_util::LengthLimitError>() => crate::respond::too_large(limit),
                Err(e) => crate::respond::message(400, &format!("the request body could not be read: {e}")),
            };
            (res, matched.request_id)
        }
    };
    let _ = log.send(format!(
        "{} {} {} {:.1}ms {}\n",
        parts.method,
        parts.uri,
        res.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0,
        request_id
    ));
    res
}
