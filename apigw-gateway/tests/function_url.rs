//! The function-URL flavour: the event Tencent's function URLs send (no
//! `requestContext`, no parameters, no stage taken off the path, the
//! request id and caller as `x-scf-*` headers) and their answers (the
//! integration shape, or any other JSON as a 200 JSON body).

mod common;

use apigw_gateway::config::Provider;
use apigw_gateway::{Gateway, GatewayConfig};
use bytes::Bytes;
use common::{call, get, serve};
use serde_json::{Value, json};

const FUNCTION_URL: &str = "[[routes]]\npath = \"/\"\nflavour = \"function-url\"\n";

/// The event `config`'s gateway sends for one request, and the request id
/// it gave the request.
fn event_for(config: &str, req: http::Request<Bytes>) -> (Value, String) {
    let gateway = Gateway::new(GatewayConfig::parse(config, "apigw.toml").unwrap(), None);
    let (parts, body) = req.into_parts();
    let matched = gateway.route(&parts, "192.0.2.10".parse().unwrap(), std::time::SystemTime::now()).unwrap();
    let event = gateway.event_for(&matched, &parts, &body).unwrap();
    (serde_json::from_slice(&event).unwrap(), matched.request_id)
}

#[test]
fn the_event_has_exactly_the_function_url_fields() {
    let req = http::Request::post("/release/orders/7?debug&tag=a&tag=b")
        .header("content-type", "application/json")
        .header("host", "1250000000-abc.ap-guangzhou.tencentscf.com")
        .header("x-scf-remote-addr", "6.6.6.6")
        .body(Bytes::from_static(br#"{"n":1}"#))
        .unwrap();
    let (event, id) = event_for(FUNCTION_URL, req);
    assert_eq!(
        event,
        json!({
            "body": "{\"n\":1}",
            "headers": {
                "content-type": "application/json",
                "host": "1250000000-abc.ap-guangzhou.tencentscf.com",
                "x-scf-remote-addr": "192.0.2.10",
                "x-scf-request-id": id,
            },
            "httpMethod": "POST",
            "path": "/release/orders/7",
            "queryString": {"debug": true, "tag": ["a", "b"]},
        }),
        "no requestContext, parameters or isBase64Encoded; the caller's own x-scf-remote-addr replaced"
    );
}

#[test]
fn a_body_that_is_not_utf8_is_flagged_base64() {
    let req = http::Request::put("/up")
        .header("content-type", "image/png")
        .body(Bytes::from_static(&[0x89, 0xff]))
        .unwrap();
    let (event, _) = event_for(FUNCTION_URL, req);
    assert_eq!((&event["body"], &event["isBase64Encoded"]), (&json!("if8="), &json!(true)));
    // A UTF-8 body goes as text whatever its type.
    let req = http::Request::put("/up")
        .header("content-type", "image/svg")
        .body(Bytes::from_static(b"<svg/>"))
        .unwrap();
    let (event, _) = event_for(FUNCTION_URL, req);
    assert_eq!(event["body"], "<svg/>");
    assert!(event.get("isBase64Encoded").is_none());
}

#[test]
fn tencent_api_gateway_events_carry_bare_query_keys_as_true() {
    let req = http::Request::get("/release/x?debug&x=1&e=").body(Bytes::new()).unwrap();
    let (event, _) = event_for("", req);
    assert_eq!(event["queryString"], json!({"debug": true, "x": "1", "e": ""}));
    assert_eq!(event["path"], "/x", "API Gateway takes the stage off");
}

#[test]
fn api_gateway_features_are_refused_on_function_url_routes() {
    for (extra, field) in [
        ("[[routes.params]]\nname = \"q\"\nin = \"query\"\n", "routes[0].params"),
        ("auth = \"key\"\n[[keys]]\nid = \"k\"\nsecret = \"s\"\n", "routes[0].auth"),
        ("base64 = \"always\"\n", "routes[0].base64"),
    ] {
        let toml = format!("{FUNCTION_URL}{extra}");
        let err = GatewayConfig::parse(&toml, "apigw.toml").unwrap_err().to_string();
        assert!(err.contains(field) && err.contains("function-url"), "{err}");
    }
}

#[tokio::test]
async fn the_echo_example_answers_through_a_function_url_with_the_path_kept_whole() {
    let (addr, _) = serve(FUNCTION_URL, Some(("echo", Provider::Tencent))).await;
    let res =
        call(addr, "POST", "/release/items?debug&tag=a", &[("content-type", "text/plain")], b"hi").await;
    assert_eq!(res.header("content-type"), Some("application/json"), "the integration shape is obeyed");
    let seen = res.seen();
    assert_eq!(seen["path"], "/release/items", "no stage is taken off a function URL's path");
    assert_eq!(seen["stage"], Value::Null);
    assert_eq!(seen["query"], json!({"debug": "", "tag": "a"}));
    assert_eq!(seen["body"], "hi");
    assert_eq!(seen["frontDoor"], "FunctionUrl");
    assert_eq!(seen["sourceIp"], "127.0.0.1");
    assert_eq!(seen["requestId"], seen["headers"]["x-scf-request-id"]);
    assert_eq!(seen["requestId"].as_str(), res.header("x-api-requestid"));
    assert!(seen["headers"].get("x-api-requestid").is_none(), "that header is API Gateway's");
    assert_eq!(get(addr, "/?status=201").await.status, 201);
}

#[tokio::test]
async fn a_json_value_without_status_code_is_a_200_json_body() {
    let (addr, _) = serve(FUNCTION_URL, Some(("passthrough", Provider::Tencent))).await;
    let res = get(addr, "/items").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    let body = res.json();
    assert_eq!(body["path"], "/items");
    assert_eq!(body["items"], json!(["apple", "pear"]), "the whole value is the body");
}

#[tokio::test]
async fn errors_and_timeouts_through_a_function_url() {
    let toml = format!("{FUNCTION_URL}function_timeout = \"500ms\"\n");
    let (addr, _) = serve(&toml, Some(("echo", Provider::Tencent))).await;
    let res = get(addr, "/?malformed=1").await;
    assert_eq!(res.status, 502);
    assert!(res.json()["errorMessage"].as_str().unwrap().starts_with("invalid function response"));
    let res = get(addr, "/?fail=1").await;
    assert_eq!((res.status, res.json()["errorMessage"].as_str()), (502, Some("asked to fail")));
    let res = get(addr, "/?sleep_ms=5000").await;
    assert_eq!(res.status, 504);
    assert_eq!(res.json()["errorMessage"], "Invoking task timed out after 0.5 seconds");
}

#[tokio::test]
async fn function_url_routes_match_the_whole_path_before_api_gateway_routes() {
    let toml = "[[routes]]\npath = \"=/items\"\nflavour = \"function-url\"\nbackend = \"mock\"\nmock = { body = \"url\" }\n\
                [[routes]]\npath = \"/\"\nbackend = \"mock\"\nmock = { body = \"gateway\" }\n";
    let (addr, _) = serve(toml, None).await;
    assert_eq!(&get(addr, "/items").await.body[..], b"url");
    assert_eq!(
        &get(addr, "/release/items").await.body[..],
        b"gateway",
        "the stage prefix is not the function URL's"
    );
}
