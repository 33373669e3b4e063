//! Alibaba's `/invoke` protocol, spoken to the function process
//! (REFERENCE §2): success is 200 with `x-fc-status: 200`; anything with
//! `x-fc-status: 404` is the function's error.

use super::{FunctionSpec, Outcome};
use crate::client::{ClientError, Pool};
use bytes::Bytes;
use std::time::Duration;

pub(super) async fn invoke(
    port: u16,
    pool: &Pool,
    spec: &FunctionSpec,
    event: Bytes,
    request_id: &str,
    limit: Duration,
) -> Outcome {
    let mut req = http::Request::new(event);
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = http::Uri::from_static("/invoke");
    let timeout_secs = format!("{}", limit.as_secs_f64());
    let headers = [
        ("host", format!("127.0.0.1:{port}")),
        ("content-type", "application/octet-stream".to_owned()),
        ("x-fc-request-id", request_id.to_owned()),
        ("x-fc-function-name", spec.name.clone()),
        ("x-fc-function-handler", "index.handler".to_owned()),
        ("x-fc-function-memory", spec.memory_mb.to_string()),
        ("x-fc-function-timeout", timeout_secs),
        ("x-fc-region", "cn-hangzhou".to_owned()),
        ("x-fc-account-id", "1000000000000000".to_owned()),
        ("x-fc-qualifier", "LATEST".to_owned()),
        ("x-fc-control-path", "/invoke".to_owned()),
    ];
    for (name, value) in headers {
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            req.headers_mut().insert(name, v);
        }
    }
    match pool.send(req, limit + super::GRACE, 64 << 20).await {
        Ok(res) => {
            let failed = res.headers().get("x-fc-status").is_some_and(|v| v.as_bytes() != b"200")
                || !res.status().is_success();
            if failed { Outcome::Error(res.into_body()) } else { Outcome::Response(res.into_body()) }
        }
        Err(ClientError::TimedOut(_)) => Outcome::TimedOut(limit),
        Err(e) => Outcome::Crashed(e.to_string()),
    }
}
