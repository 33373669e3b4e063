//! The runtime as a web function: plain HTTP in, the handler's answer out.

mod common;

use apigw_runtime::events::{IntegrationResponse, Request};
use apigw_runtime::{Config, Provider, Runtime, passthrough};
use common::{call, listener};
use std::convert::Infallible;
use std::time::Duration;

fn config() -> Config {
    Config::new(Provider::Web).with_timeout(Duration::from_millis(500))
}

async fn echo(req: Request) -> Result<IntegrationResponse, anyhow::Error> {
    if req.query("fail").is_some() {
        anyhow::bail!("asked to fail");
    }
    if req.query("sleep").is_some() {
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
    let res = IntegrationResponse::json(&serde_json::json!({
        "method": req.method, "path": req.path, "q": req.query("q"),
        "agent": req.header("user-agent"), "body": req.text()?, "id": req.context.request_id,
    }))?;
    Ok(res.with_status(201).with_header("Set-Cookie", "a=1").with_header("Set-Cookie", "b=2"))
}

#[tokio::test]
async fn a_plain_http_request_reaches_the_handler_and_its_answer_comes_back() {
    let (l, addr) = listener();
    tokio::spawn(Runtime::new(config()).with_listener(l).run(echo));
    let headers = [("user-agent", "test"), ("x-scf-request-id", "web-1")];
    let res = call(addr, "POST", "/a/b?q=caf%C3%A9", &headers, b"payload").await;
    assert_eq!(res.status, 201);
    let cookies: Vec<_> = res.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies, ["a=1", "b=2"], "a list header is repeated");
    assert_eq!(
        res.json(),
        serde_json::json!({"method": "POST", "path": "/a/b", "q": "café", "agent": "test", "body": "payload", "id": "web-1"})
    );
}

#[tokio::test]
async fn errors_and_timeouts_become_5xx() {
    let (l, addr) = listener();
    tokio::spawn(Runtime::new(config()).with_listener(l).run(echo));
    let res = call(addr, "GET", "/?fail=1", &[], b"").await;
    assert_eq!(res.status, 502);
    assert_eq!(res.json()["errorMessage"], "asked to fail");
    let res = call(addr, "GET", "/?sleep=1", &[], b"").await;
    assert_eq!(res.status, 504);
    assert_eq!(res.json()["errorType"], "TimeoutError");
}

#[tokio::test]
async fn passthrough_is_json_with_200() {
    let (l, addr) = listener();
    async fn value(req: Request) -> Result<Vec<String>, Infallible> {
        Ok(vec![req.method, req.path])
    }
    tokio::spawn(Runtime::new(config()).with_listener(l).run(passthrough(value)));
    let res = call(addr, "DELETE", "/x", &[], b"").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.json(), serde_json::json!(["DELETE", "/x"]));
}
