//! Alibaba routes answer as Alibaba's gateway does: every answer carries
//! `X-Ca-Request-Id` (never Tencent's header), gateway-made refusals carry
//! `X-Ca-Error-Code` and `X-Ca-Error-Message`, and the function sees the
//! gateway's own `X-Ca-Stage`, `X-Ca-Api-Gateway` and `X-Forwarded-For` once
//! and `X-Ca-Key` only when an auth check verified it.

mod common;

use apigw_gateway::config::Provider;
use common::{call, get, serve};

const CONFIG: &str = r#"
[function]
provider = "aliyun"

[[routes]]
path = "/fc/[type]"
flavour = "aliyun"
[[routes.params]]
name = "x-flag"
in = "header"
required = true
[[routes.params]]
name = "page"
in = "query"
type = "int"

[[routes]]
path = "=/open"
flavour = "aliyun"

[[routes]]
path = "=/denied"
flavour = "aliyun"
deny_ips = ["127.0.0.0/8"]
backend = "mock"
mock = { body = "never" }

[[routes]]
path = "=/limited"
flavour = "aliyun"
rate_limit = 1
backend = "mock"
mock = { body = "once" }
"#;

/// A request (path, headers) and Alibaba's answer (status, code, message).
type Case = (String, Vec<(&'static str, &'static str)>, u16, &'static str, String);

fn assert_alibaba_id(res: &common::Response) {
    let id = res.header("x-ca-request-id").unwrap_or_else(|| panic!("no X-Ca-Request-Id: {res:?}"));
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id, id.to_ascii_uppercase(), "Alibaba's ids are upper-case");
    assert!(res.header("x-api-requestid").is_none(), "Tencent's header on an Alibaba answer: {res:?}");
}

#[tokio::test]
async fn every_answer_carries_x_ca_request_id_and_refusals_alibabas_codes() {
    let (addr, _) = serve(CONFIG, Some(("echo", Provider::Aliyun))).await;
    let ok = call(addr, "GET", "/fc/test", &[("x-flag", "1")], b"").await;
    assert_eq!(ok.status, 200);
    assert_alibaba_id(&ok);
    assert_eq!(ok.json()["requestId"].as_str(), ok.header("x-ca-request-id"), "the event's X-Ca-Api-Gateway");

    let long = format!("/{}", "a".repeat(9000));
    let limited_once = get(addr, "/limited").await;
    let limited = get(addr, "/limited").await;
    assert_eq!((limited_once.status, limited.status), (200, 429));
    assert_alibaba_id(&limited_once);
    assert_eq!(limited.header("x-ca-error-code"), Some("T429ID"));
    assert_eq!(limited.header("x-ca-error-message"), Some("Throttled by API Flow Control"));
    let cases: Vec<Case> = vec![
        ("/nowhere".into(), vec![], 404, "I404NF", "API not found `GET /nowhere`".into()),
        (
            "/a/%2e%2e/b".into(),
            vec![],
            400,
            "I400PA",
            "Invalid Request Path `the path contains a `.` or `..` segment`".into(),
        ),
        (
            long,
            vec![],
            400,
            "I400PA",
            "Invalid Request Path `the path is 9001 bytes long; at most 8192 are allowed`".into(),
        ),
        ("/fc/test".into(), vec![], 400, "I400MH", "Header `x-flag` is Required".into()),
        (
            "/fc/test?page=two".into(),
            vec![("x-flag", "1")],
            400,
            "I400IP",
            "Invalid Parameter `page` must be an integer, got `two`".into(),
        ),
        ("/open".into(), vec![("x-ca-stage", "STAGING")], 400, "I400SG", "Invalid Stage".into()),
        ("/denied".into(), vec![], 403, "A403IP", "Access Denied by IP Control".into()),
    ];
    for (path, headers, status, code, message) in cases {
        let res = call(addr, "GET", &path, &headers, b"").await;
        let shown = &path[..path.len().min(30)];
        assert_eq!(res.status, status, "{shown}: {res:?}");
        assert_eq!(res.header("x-ca-error-code"), Some(code), "{shown}");
        assert_eq!(res.header("x-ca-error-message"), Some(message.as_str()), "{shown}");
        assert!(res.body.is_empty(), "{shown}: Alibaba's refusals have no body");
        assert_alibaba_id(&res);
    }
    let big = vec![b'a'; 33 << 20];
    let res = call(addr, "POST", "/open", &[], &big).await;
    assert_eq!((res.status, res.header("x-ca-error-code")), (413, Some("I413RL")));
    assert_alibaba_id(&res);
}

#[tokio::test]
async fn the_function_sees_the_gateways_own_headers_once_and_no_unchecked_key() {
    let (addr, _) = serve(CONFIG, Some(("echo", Provider::Aliyun))).await;
    let spoofed = [
        ("X-Ca-Stage", "RELEASE"),
        ("X-Ca-Key", "203753234"),
        ("X-Ca-Api-Gateway", "SPOOFED-ID"),
        ("X-Forwarded-For", "10.9.8.7"),
    ];
    let seen = call(addr, "GET", "/open", &spoofed, b"").await.seen();
    assert_eq!(seen["headers"]["x-ca-stage"], "RELEASE", "one value, not a list: {seen}");
    assert_eq!(seen["stage"], "release");
    assert!(seen["headers"].get("x-ca-key").is_none(), "an unchecked X-Ca-Key is not passed on: {seen}");
    assert_eq!(seen["keyId"], serde_json::Value::Null, "nor reported as the key id");
    assert_ne!(seen["requestId"], "SPOOFED-ID");
    assert_eq!(seen["sourceIp"], "127.0.0.1");
    assert_eq!(seen["headers"]["x-forwarded-for"], "127.0.0.1", "{seen}");
    let pre = call(addr, "GET", "/open", &[("x-ca-stage", "pre")], b"").await.seen();
    assert_eq!((pre["stage"].as_str(), pre["headers"]["x-ca-stage"].as_str()), (Some("prepub"), Some("PRE")));
    let test = get(addr, "/test/open").await.seen();
    assert_eq!(
        (test["stage"].as_str(), test["headers"]["x-ca-stage"].as_str()),
        (Some("test"), Some("TEST"))
    );
}
