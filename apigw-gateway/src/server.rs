//! The front door on a TCP port: reads each request (refusing bodies over
//! the matched route's limit as they stream in), hands it to the
//! [`Gateway`], and logs one line per request.

use crate::gateway::Gateway;
use crate::log_sink::LogSink;
use crate::refusal::Refusal;
use apigw_runtime::connections::{self, ConnectionLimits};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Serves `gateway` on `listener` until the future is dropped, within the
/// connection limits the runtime's servers have too, read from
/// `APIGW_HEADER_TIMEOUT_MS` and `APIGW_MAX_CONNECTIONS` when set (a bad
/// value is warned about and the default kept).
pub async fn serve(listener: TcpListener, gateway: Arc<Gateway>) {
    let limits = ConnectionLimits::from_vars(|name| std::env::var(name).ok()).unwrap_or_else(|e| {
        tracing::warn!("{e}: using the default connection limits");
        ConnectionLimits::default()
    });
    serve_with(listener, gateway, &limits).await;
}

/// Serves `gateway` on `listener` within `limits` until the future is dropped.
pub async fn serve_with(listener: TcpListener, gateway: Arc<Gateway>, limits: &ConnectionLimits) {
    serve_logged(listener, gateway, limits, LogSink::stderr()).await;
}

/// Serves `gateway` on `listener` within `limits` until the future is
/// dropped, writing the access log to `log`.
pub async fn serve_logged(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    limits: &ConnectionLimits,
    log: LogSink,
) {
    let log = access_log(log);
    let service = move |peer: SocketAddr| {
        // The last request answered on this connection, until the next
        // one starts: named in the log if its answer could not be written.
        let answered = Arc::new(Mutex::new(None::<String>));
        let (gateway, slot, failure_log) = (gateway.clone(), answered.clone(), log.clone());
        let log = log.clone();
        let service = hyper::service::service_fn(move |req| {
            let (gateway, log, slot) = (gateway.clone(), log.clone(), slot.clone());
            async move {
                let res = handle(&gateway, req, peer, &log, &slot).await;
                Ok::<_, std::convert::Infallible>(res.map(Full::new))
            }
        });
        let on_failure = move |e: &hyper::Error| {
            let line = answered.lock().unwrap_or_else(|p| p.into_inner()).take();
            // hyper names no predicate for a failed write; its message does
            // ("error writing a body to connection"), and only then was an
            // answer lost rather than an idle connection dropped.
            if let Some(line) = line.filter(|_| e.to_string().contains("writing")) {
                let _ = failure_log.send(format!(
                    "{line} abandoned: its answer could not be written ({e}); the client is gone\n"
                ));
            }
        };
        (service, on_failure)
    };
    connections::serve(listener, limits, service, std::future::pending::<()>(), Duration::ZERO).await;
}

/// Where access-log lines go: a task that writes them to `sink`, so the
/// write happens after the response has gone out rather than before.
fn access_log(sink: LogSink) -> mpsc::UnboundedSender<String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let mut lines = String::new();
        while let Some(line) = rx.recv().await {
            lines.push_str(&line);
            while let Ok(more) = rx.try_recv() {
                lines.push_str(&more);
            }
            sink.write(lines.as_bytes());
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
    answered: &Mutex<Option<String>>,
) -> http::Response<Bytes> {
    answered.lock().unwrap_or_else(|p| p.into_inner()).take();
    let started = Instant::now();
    let (mut parts, body) = req.into_parts();
    let (res, request_id) = match gateway.route(&parts, peer.ip(), SystemTime::now()) {
        Err(res) => {
            let id = crate::refusal::request_id_of(&res).unwrap_or("-").to_owned();
            (*res, id)
        }
        Ok(matched) if let Some(res) = gateway.upgrade(&matched, &mut parts).await => {
            (res, matched.request_id)
        }
        Ok(matched) => {
            let limit = gateway.body_limit(&matched);
            let declared = connections::declared_length(&parts.headers);
            let res = if declared.is_some_and(|len| len > limit as u64) {
                // Refused from the declared length, before any of the body
                // is read or hyper answers `Expect: 100-continue`.
                gateway.refuse(&matched, Refusal::TooLarge(limit))
            } else {
                match Limited::new(body, limit).collect().await {
                    Ok(body) => gateway.dispatch(&matched, &parts, body.to_bytes()).await,
                    Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                        gateway.refuse(&matched, Refusal::TooLarge(limit))
                    }
                    Err(e) => gateway.refuse(&matched, Refusal::BodyUnreadable(e.to_string())),
                }
            };
            (res, matched.request_id)
        }
    };
    *answered.lock().unwrap_or_else(|p| p.into_inner()) =
        Some(format!("{} {} {request_id}", parts.method, parts.uri));
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
