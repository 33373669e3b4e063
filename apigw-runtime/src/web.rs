//! Web functions (Tencent `scf_bootstrap`, Alibaba HTTP functions): the
//! platform forwards the real HTTP request; the handler answers it directly.
//!
//! The request is read into a [`Request`](apigw_events::Request) and handed
//! to the handler as a Tencent-shaped event, so the same handler serves
//! event and web functions alike.

use crate::config::Config;
use crate::context::{Context, Provider};
use crate::invoke::{App, Failure, Reply, execute};
use crate::server::{Response, json, read_body};
use crate::{Init, shutdown::Shutdown};
use apigw_events::{Body, Request};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;
use tracing::Instrument;

pub(crate) async fn run(
    config: Config,
    init: Init,
    listener: TcpListener,
    shutdown: Shutdown,
) -> Result<(), crate::Error> {
    let app = init().await.map_err(|message| {
        tracing::error!(error = %message, "init failed");
        crate::Error::Init(message)
    })?;
    let config = Arc::new(config);
    let counter = Arc::new(AtomicU64::new(0));
    let limits = config.connections.clone();
    crate::server::serve(
        listener,
        &limits,
        move |req| answer(config.clone(), app.clone(), counter.fetch_add(1, Ordering::Relaxed), req),
        shutdown,
    )
    .await
}

async fn answer(config: Arc<Config>, app: App, n: u64, req: http::Request<Incoming>) -> Response {
    let (parts, body) = req.into_parts();
    let request_id = ["x-scf-request-id", "x-fc-request-id", "x-request-id"]
        .iter()
        .find_map(|h| parts.headers.get(*h).and_then(|v| v.to_str().ok()))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("web-{}-{n}", std::process::id()));
    let body = match read_body(&parts.headers, body, config.max_event_bytes).await {
        Ok(body) => body,
        Err(message) => return failure(413, &Failure::InvalidEvent(message), &request_id),
    };
    let mut request = Request::from(http::Request::from_parts(parts, Body::from(body)));
    request.context.request_id = Some(request_id.clone());
    let event = serde_json::to_vec(&request.to_tencent_event()).unwrap_or_default();
    let mut ctx = Context::new(request_id.clone()).with_provider(Provider::Web);
    let limit = config.limit(None);
    let received = std::time::Instant::now();
    ctx.deadline = limit.and_then(|l| received.checked_add(l.nominal));
    ctx.function_name = config.function.name.clone();
    ctx.region = config.function.region.clone();
    let span = tracing::info_span!("invocation", request_id = %request_id);
    match execute(&app, Bytes::from(event), ctx, limit, received).instrument(span.clone()).await {
        Ok(Reply::Integration(res)) => match res.into_http() {
            Ok(res) => res.map(|b| Full::new(b.into_bytes())),
            Err(e) => failure(502, &Failure::InvalidResponse(e.to_string()), &request_id),
        },
        Ok(Reply::Passthrough(json_body)) => json(200, &[], json_body),
        Err(f) => {
            span.in_scope(|| tracing::error!(error_type = f.kind(), "{}", f.message()));
            let status = match f {
                Failure::InvalidEvent(_) => 400,
                Failure::Timeout(_) => 504,
                _ => 502,
            };
            failure(status, &f, &request_id)
        }
    }
}

fn failure(status: u16, f: &Failure, request_id: &str) -> Response {
    let body =
        serde_json::json!({"errorMessage": f.message(), "errorType": f.kind(), "requestId": request_id});
    json(status, &[], body.to_string().into_bytes())
}
