//! The HTTP response the gateway sends for what the function answered:
//! integration responses validated and decoded, passthrough JSON as is, a
//! function URL's answer inferred from its JSON, and the vendors' own shapes
//! for malformed responses, errors and timeouts (REFERENCE §4).

use crate::config::{Flavour, Mode};
use crate::function::Outcome;
use apigw_events::IntegrationResponse;
use bytes::Bytes;
use serde_json::json;
use std::time::Duration;

/// Tencent's answer to a malformed integration response.
pub const TENCENT_INVALID: &str =
    r#"{"errno":403,"error":"Invalid scf response format. please check your scf response format."}"#;

/// A JSON response.
pub fn json(status: u16, body: impl Into<Bytes>) -> http::Response<Bytes> {
    let mut res = http::Response::new(body.into());
    *res.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    res.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    res
}

/// `{"message": …}` with `status`, the gateway's own error shape.
pub fn message(status: u16, message: &str) -> http::Response<Bytes> {
    json(status, json!({ "message": message }).to_string())
}

/// 413: the request body is over the matched route's limit.
pub fn too_large(limit: usize) -> http::Response<Bytes> {
    message(413, &format!("the request body is over the {limit} byte limit"))
}

/// The response for one function outcome.
pub fn outcome(flavour: Flavour, mode: Mode, outcome: Outcome, request_id: &str) -> http::Response<Bytes> {
    match outcome {
        Outcome::Response(body) if body.len() > flavour.body_limit() => error(
            502,
            &format!(
                "the function's response is {} bytes, over the {} byte limit",
                body.len(),
                flavour.body_limit()
            ),
            request_id,
        ),
        Outcome::Response(body) if flavour == Flavour::FunctionUrl => function_url(body, request_id),
        Outcome::Response(body) => match mode {
            Mode::Passthrough => json(200, body),
            Mode::Integration => integration(flavour, &body, request_id),
        },
        Outcome::Error(body) if is_timeout(&body) => timed_out_with(flavour, body),
        Outcome::Error(body) => error(502, &error_message(&body), request_id),
        Outcome::TimedOut(limit) => timed_out_with(flavour, platform_timeout(limit, request_id)),
        Outcome::Crashed(why) => error(502, &format!("the function failed: {why}"), request_id),
    }
}

/// The gateway's own timeout fired before the function answered: Tencent
/// answers 504 `Gateway Time-out`, Alibaba 504 `D504TO`.
pub fn gateway_timeout(flavour: Flavour, limit: Duration, request_id: &str) -> http::Response<Bytes> {
    crate::refusal::Refusal::BackendTimeout(limit).response(flavour, request_id)
}

fn integration(flavour: Flavour, body: &[u8], request_id: &str) -> http::Response<Bytes> {
    let checked = IntegrationResponse::from_slice(body)
        .map_err(|e| e.to_string())
        .and_then(|r| {
            if (100..=599).contains(&r.status_code) {
                Ok(r)
            } else {
                Err(format!("statusCode {} is not an HTTP status", r.status_code))
            }
        })
        .and_then(|r| r.into_http().map_err(|e| e.to_string()));
    match checked {
        Ok(res) => res.map(|b| b.into_bytes()),
        Err(why) => {
            tracing::warn!(request_id, "invalid integration response: {why}");
            match flavour {
                Flavour::Tencent => json(403, TENCENT_INVALID),
                Flavour::Aliyun => error(503, &format!("invalid function response: {why}"), request_id),
                Flavour::FunctionUrl => error(502, &format!("invalid function response: {why}"), request_id),
            }
        }
    }
}

/// A function URL's answer (Tencent's rule, after Lambda's): a JSON object
/// with `statusCode` is an integration response; any other JSON value is a
/// 200 `application/json` whose body is the whole value (a JSON string's
/// body is its text). An answer that is not JSON, or a malformed
/// integration response, is a 502 (the simulator's choice).
fn function_url(body: Bytes, request_id: &str) -> http::Response<Bytes> {
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            let why = format!("the function's answer is not JSON: {e}");
            tracing::warn!(request_id, "{why}");
            return error(502, &why, request_id);
        }
    };
    match value {
        serde_json::Value::Object(map) if map.contains_key("statusCode") => {
            integration(Flavour::FunctionUrl, &body, request_id)
        }
        serde_json::Value::String(text) => json(200, text),
        _ => json(200, body),
    }
}

/// The function's timeout: Tencent answers 200 carrying the timeout error
/// (the seed's rule when the gateway waits longer than the function);
/// Alibaba answers 503; a function URL 504 with the same error (the
/// simulator's choice: Tencent documents none).
fn timed_out_with(flavour: Flavour, body: Bytes) -> http::Response<Bytes> {
    match flavour {
        Flavour::Tencent => json(200, body),
        Flavour::Aliyun => json(503, body),
        Flavour::FunctionUrl => json(504, body),
    }
}

fn platform_timeout(limit: Duration, request_id: &str) -> Bytes {
    let secs = limit.as_secs_f64();
    let shown = if limit.subsec_millis() == 0 { format!("{}", limit.as_secs()) } else { format!("{secs}") };
    let body = json!({
        "errorCode": -1,
        "errorMessage": format!("Invoking task timed out after {shown} seconds"),
        "requestId": request_id,
        "statusCode": 433,
    });
    Bytes::from(body.to_string())
}

/// A function error: 502 with its message and the request id (the
/// simulator's choice; the vendors leave the status unspecified).
fn error(status: u16, message: &str, request_id: &str) -> http::Response<Bytes> {
    json(status, json!({ "errorMessage": message, "requestId": request_id }).to_string())
}

pub(crate) fn is_timeout(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else { return false };
    v["statusCode"] == 433 || v["errorType"] == "TimeoutError"
}

fn error_message(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => match v["errorMessage"].as_str() {
            Some(m) => m.to_owned(),
            None => v.to_string(),
        },
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}
