//! Alibaba Function Compute event functions: the `/invoke` server
//! (REFERENCE §2).
//!
//! Success is 200 with `x-fc-status: 200`; failure is 404 with
//! `x-fc-status: 404` and an error JSON. Concurrent `/invoke` calls each get
//! their own context.

use crate::config::Config;
use crate::context::{Context, Credentials, Provider};
use crate::invoke::{App, Failure, execute};
use crate::server::{Response, json, read_body};
use crate::{Init, shutdown::Shutdown};
use http::{HeaderMap, Method};
use hyper::body::Incoming;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::OnceCell;
use tracing::Instrument;

struct State {
    config: Config,
    init: Init,
    app: OnceCell<App>,
}

pub(crate) async fn run(
    config: Config,
    init: Init,
    listener: TcpListener,
    shutdown: Shutdown,
) -> Result<(), crate::Error> {
    let state = Arc::new(State { config, init, app: OnceCell::new() });
    let limits = state.config.connections.clone();
    crate::server::serve(listener, &limits, move |req| route(state.clone(), req), shutdown).await
}

async fn route(state: Arc<State>, req: http::Request<Incoming>) -> Response {
    let (parts, body) = req.into_parts();
    let request_id = header(&parts.headers, "x-fc-request-id").unwrap_or_default().to_owned();
    match (&parts.method, parts.uri.path()) {
        (&Method::POST, "/invoke") => {
            let event = match read_body(&parts.headers, body, state.config.max_event_bytes).await {
                Ok(event) => event,
                Err(message) => return failure(&Failure::InvalidEvent(message), &request_id),
            };
            let app = match app(&state).await {
                Ok(app) => app,
                Err(res) => return res,
            };
            let time_limit = header(&parts.headers, "x-fc-function-timeout")
                .and_then(|s| s.parse::<f64>().ok())
                .and_then(|s| Duration::try_from_secs_f64(s).ok());
            let received = Instant::now();
            let ctx = context(&state.config, &parts.headers, received, time_limit);
            let limit = state.config.limit(time_limit);
            state.config.platform_log.line(format_args!("FC Invoke Start RequestId: {request_id}"));
            let span = tracing::info_span!("invocation", request_id = %request_id);
            let outcome = execute(&app, event, ctx, limit, received).instrument(span.clone()).await;
            let res = match outcome {
                Ok(reply) => json(200, &[("x-fc-status", "200")], reply.to_json()),
                Err(f) => {
                    span.in_scope(|| tracing::error!(error_type = f.kind(), "{}", f.message()));
                    failure(&f, &request_id)
                }
            };
            state.config.platform_log.line(format_args!("FC Invoke End RequestId: {request_id}"));
            res
        }
        (&Method::POST, "/initialize") => match app(&state).await {
            Ok(_) => json(200, &[("x-fc-status", "200")], b"{}".to_vec()),
            Err(res) => res,
        },
        (_, "/pre-stop" | "/pre-freeze") => {
            tracing::info!(hook = parts.uri.path(), "lifecycle hook");
            json(200, &[("x-fc-status", "200")], b"{}".to_vec())
        }
        (method, path) => {
            let message = format!("no {method} {path} here: this is an event function (POST /invoke)");
            let body = serde_json::json!({"errorMessage": message, "errorType": "NotFound"});
            json(404, &[("x-fc-status", "404")], body.to_string().into_bytes())
        }
    }
}

/// The app, running init on first use (on `/initialize`, or on the first
/// `/invoke` when no initializer is configured). A failed init is answered as
/// an error and tried again on the next call.
async fn app(state: &State) -> Result<App, Response> {
    let init = &state.init;
    match state.app.get_or_try_init(|| init()).await {
        Ok(app) => Ok(app.clone()),
        Err(message) => {
            tracing::error!(error = %message, "init failed");
            let body = serde_json::json!({"errorMessage": message, "errorType": "InitError"});
            Err(json(404, &[("x-fc-status", "404")], body.to_string().into_bytes()))
        }
    }
}

fn failure(f: &Failure, request_id: &str) -> Response {
    let body = serde_json::json!({
        "errorMessage": f.message(),
        "errorType": f.kind(),
        "requestId": request_id,
    });
    json(404, &[("x-fc-status", "404")], body.to_string().into_bytes())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn context(config: &Config, headers: &HeaderMap, received: Instant, time_limit: Option<Duration>) -> Context {
    let f = &config.function;
    let owned = |name| header(headers, name).map(str::to_owned);
    let credentials = match (owned("x-fc-access-key-id"), owned("x-fc-access-key-secret")) {
        (Some(id), Some(secret)) => Some(Credentials::new(id, secret, owned("x-fc-security-token"))),
        _ => f.credentials.clone(),
    };
    Context {
        request_id: owned("x-fc-request-id").unwrap_or_default(),
        // A limit too far away to represent is no deadline (never a panic).
        deadline: time_limit.and_then(|limit| received.checked_add(limit)),
        memory_limit_mb: header(headers, "x-fc-function-memory")
            .and_then(|m| m.parse().ok())
            .or(f.memory_limit_mb),
        function_name: owned("x-fc-function-name").or_else(|| f.name.clone()),
        function_version: owned("x-fc-version-id")
            .or_else(|| owned("x-fc-qualifier"))
            .or_else(|| f.version.clone()),
        namespace: owned("x-fc-service-name").or_else(|| f.namespace.clone()),
        region: owned("x-fc-region").or_else(|| f.region.clone()),
        provider: Provider::Aliyun,
        credentials,
    }
}
