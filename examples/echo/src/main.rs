//! Answers, as JSON, the provider-neutral request it received, and obeys query controls (`status`, `sleep_ms`, `panic`, `fail`, `malformed`, `header`, `pad`, `exit`); run it with `cargo run -p cargo-apigw -- invoke --example echo '/a?status=201'`.
//!
//! The controls exist so the local gateway's timeout, crash and error paths
//! can be exercised end to end:
//!
//! | query | effect |
//! |---|---|
//! | `status=<code>` | answers with that status |
//! | `sleep_ms=<n>` | waits `n` ms before answering |
//! | `panic=1` | panics |
//! | `fail=1` | returns an error |
//! | `malformed=1` | answers a response the gateway must refuse (status 0) |
//! | `header=Name:Value` | adds a response header; repeat it for a repeated header |
//! | `pad=<n>` | adds `n` bytes of padding to the answer |
//! | `exit=1` | the process exits on the spot (a crash the runtime cannot catch) |

use apigw_runtime::events::{IntegrationResponse, encode_base64};
use apigw_runtime::{Context, Request};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// The request as JSON, after obeying the controls in its query.
#[apigw_runtime::handler]
async fn echo(req: Request, ctx: Context) -> Result<IntegrationResponse, anyhow::Error> {
    if let Some(ms) = req.query("sleep_ms") {
        tokio::time::sleep(Duration::from_millis(ms.parse()?)).await;
    }
    if req.query("panic").is_some() {
        panic!("asked to panic");
    }
    if req.query("fail").is_some() {
        anyhow::bail!("asked to fail");
    }
    if req.query("exit").is_some() {
        std::process::exit(3);
    }
    let status = match req.query("status") {
        Some(s) => s.parse()?,
        None => 200,
    };
    let mut seen = describe(&req, &ctx);
    if let Some(n) = req.query("pad") {
        seen["pad"] = "x".repeat(n.parse()?).into();
    }
    let mut res = IntegrationResponse::json(&seen)?.with_status(status);
    for header in req.query_all("header") {
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        res.append_header(name, value);
    }
    Ok(if req.query("malformed").is_some() { res.with_status(0) } else { res })
}

/// What the handler saw: method, path, query, headers, body, parameters,
/// stage, and the front door it came through.
fn describe(req: &Request, ctx: &Context) -> Value {
    let mut query = Map::new();
    for (k, v) in req.query.iter() {
        push(&mut query, k, v);
    }
    let mut headers = Map::new();
    for (k, v) in req.headers.iter() {
        push(&mut headers, &k.to_ascii_lowercase(), v);
    }
    let (body, base64) = match req.text() {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (encode_base64(req.body.as_bytes()), true),
    };
    json!({
        "method": req.method,
        "path": req.path,
        "query": query,
        "headers": headers,
        "body": body,
        "isBase64Encoded": base64,
        "pathParameters": req.context.path_parameters,
        "queryParameters": req.context.query_parameters,
        "headerParameters": req.context.header_parameters,
        "stage": req.context.stage,
        "stageVariables": req.context.stage_variables,
        "requestId": req.context.request_id,
        "sourceIp": req.context.source_ip,
        "keyId": req.context.key_id,
        "frontDoor": req.context.front_door.map(|door| format!("{door:?}")),
        "invocationId": ctx.request_id,
    })
}

/// Adds a value; a repeated key becomes a list.
fn push(map: &mut Map<String, Value>, key: &str, value: &str) {
    match map.get_mut(key) {
        Some(Value::Array(list)) => list.push(value.into()),
        Some(first) => *first = json!([first.take(), value]),
        None => {
            map.insert(key.to_owned(), value.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apigw_runtime::events::Query;

    #[tokio::test]
    async fn echoes_repeated_query_keys_and_obeys_status() {
        let req =
            Request { method: "GET".into(), query: Query::parse("a=1&a=2&status=418"), ..Request::default() };
        let res = echo(req, Context::new("t")).await.unwrap();
        assert_eq!(res.status_code, 418);
        let seen: Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(seen["query"]["a"], json!(["1", "2"]));
        assert_eq!(seen["invocationId"], "t");
    }

    #[tokio::test]
    async fn binary_bodies_come_back_as_base64() {
        let req = Request { body: vec![0xff, 0x00].into(), ..Request::default() };
        let res = echo(req, Context::new("t")).await.unwrap();
        let seen: Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!((seen["body"].as_str(), seen["isBase64Encoded"].as_bool()), (Some("/wA="), Some(true)));
    }

    #[tokio::test]
    async fn header_controls_add_repeated_headers() {
        let req = Request { query: Query::parse("header=X-A:1&header=X-A:2"), ..Request::default() };
        let res = echo(req, Context::new("t")).await.unwrap();
        assert_eq!(res.headers["X-A"].iter().collect::<Vec<_>>(), ["1", "2"]);
    }

    #[tokio::test]
    async fn fail_is_an_error() {
        let req = Request { query: Query::parse("fail=1"), ..Request::default() };
        assert_eq!(echo(req, Context::new("t")).await.unwrap_err().to_string(), "asked to fail");
    }
}
