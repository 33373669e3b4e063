//! Every fixture (see `fixtures/README.md` for where each comes from) is
//! parsed, serialized, parsed again and compared, and its key fields checked.

use apigw_events::{EventValue, IntegrationResponse, Request, Vendor, aliyun, tencent};
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// parse → serialize → parse → equal, and nothing of the original lost.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str) -> T {
    let bytes = fixture(name);
    let first: T = serde_json::from_slice(&bytes).unwrap();
    let json = serde_json::to_vec(&first).unwrap();
    let second: T = serde_json::from_slice(&json).unwrap();
    assert_eq!(first, second, "{name} changed in a round trip");
    first
}

fn s(v: &str) -> EventValue {
    EventValue::from(v)
}

// Source: tencent-scf-apigw-trigger.txt, the integration request event.
#[test]
fn tencent_trigger_event() {
    let e: tencent::ApiGatewayEvent = round_trip("tencent-apigw-event-trigger.json");
    let rc = e.request_context.as_ref().unwrap();
    assert_eq!(rc.service_id, "service-f94sy04v");
    assert_eq!(rc.path, "/test/{path}");
    assert_eq!(rc.http_method, "POST");
    assert_eq!(rc.identity.secret_id.as_deref(), Some("abdcdxxxxxxxsdfs"));
    assert_eq!(rc.stage, "release");
    assert_eq!(e.http_method, "POST");
    assert_eq!(e.path, "/test/value");
    assert_eq!(e.query_string["bob"], s("alice"));
    assert_eq!(e.header_parameters["Refer"], "10.0.2.14");
    assert!(!e.is_base64_encoded);

    let req = Request::from_slice(&fixture("tencent-apigw-event-trigger.json")).unwrap();
    assert_eq!(req.context.vendor, Some(Vendor::Tencent));
    assert_eq!(req.header("User-Agent"), Some("User Agent String"));
    assert_eq!(req.query("foo"), Some("bar"));
    assert_eq!(req.query("bob"), Some("alice"));
    assert_eq!(req.path_param("path"), Some("value"));
    assert_eq!(req.context.request_id.as_deref(), Some("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"));
    assert_eq!(req.context.key_id.as_deref(), Some("abdcdxxxxxxxsdfs"));
    assert_eq!(req.context.source_ip.as_deref(), Some("10.0.2.14"));
    assert_eq!(req.context.api_path.as_deref(), Some("/test/{path}"));
    assert_eq!(req.stage_variable("stage"), Some("release"));
    assert_eq!(req.text().unwrap(), r#"{"test":"body"}"#);
}

// Source: tencent-apigw-backend-integration.txt, the `method` variant.
#[test]
fn tencent_method_variant() {
    let e: tencent::ApiGatewayEvent = round_trip("tencent-apigw-event-method.json");
    assert_eq!(e.http_method, "POST");
    let rc = e.request_context.as_ref().unwrap();
    assert_eq!(rc.http_method, "POST");
    assert_eq!(rc.path, "/{proxy+}");
    assert_eq!(rc.identity.extra["sourceIp"], "10.0.2.14");
    assert!(e.query_string.is_empty());

    let req = Request::from_slice(&fixture("tencent-apigw-event-method.json")).unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/path/to/call");
    // No `queryString` on this page: the declared parameters stand in for it.
    assert_eq!(req.query("foo"), Some("bar"));
    assert_eq!(req.path_param("proxy"), Some("path/to/resource"));
    assert_eq!(req.stage_variable("baz"), Some("qux"));
    assert_eq!(req.context.stage.as_deref(), Some("prod"));
}

// Source: tencent-apigw-create-scf-api.txt, `isBase64Encoded` as a string.
#[test]
fn tencent_base64_string_variant() {
    let e: tencent::ApiGatewayEvent = round_trip("tencent-apigw-event-base64-string.json");
    assert!(e.is_base64_encoded);
    assert_eq!(e.request_context.as_ref().unwrap().request_id, None);
    assert_eq!(e.request_id(), Some("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"));
    // The page's body is flagged base64 but is plain JSON: refused, naming the field.
    let err = Request::from_slice(&fixture("tencent-apigw-event-base64-string.json")).unwrap_err();
    assert!(matches!(err, apigw_events::Error::Base64 { field: "body", .. }), "{err}");
}

// Source: REFERENCE.md §3, the function-URL event.
#[test]
fn tencent_function_url_variant() {
    let e: tencent::ApiGatewayEvent = round_trip("tencent-apigw-event-function-url.json");
    assert!(e.request_context.is_none());
    assert!(e.path_parameters.is_empty());
    let req = Request::from_slice(&fixture("tencent-apigw-event-function-url.json")).unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.query_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(req.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(req.context.request_id, None);
    assert_eq!(req.context.stage, None);
    assert_eq!(req.text().unwrap(), "name=ada");
}

// Source: REFERENCE.md §3, maps and ids null, `ANY`, a field added later.
#[test]
fn tencent_null_variant_keeps_unknown_fields() {
    let e: tencent::ApiGatewayEvent = round_trip("tencent-apigw-event-nulls.json");
    assert!(e.headers.is_empty() && e.query_string.is_empty() && e.stage_variables.is_empty());
    assert_eq!(e.body, None);
    let rc = e.request_context.as_ref().unwrap();
    assert_eq!(rc.http_method, "ANY");
    assert_eq!(rc.extra["websocketEnable"], false);
    assert_eq!(e.extra["someFutureField"]["added"][0], "later");
    let out = serde_json::to_value(&e).unwrap();
    assert_eq!(out["someFutureField"], serde_json::json!({"added": ["later"]}));
    assert_eq!(out["requestContext"]["websocketEnable"], false);

    let req = Request::from_slice(&fixture("tencent-apigw-event-nulls.json")).unwrap();
    assert_eq!(req.method, "GET");
    assert!(req.body.is_empty());
}

// Source: tencent-scf-apigw-trigger.txt, the integration response.
#[test]
fn tencent_response_html() {
    let r: IntegrationResponse = round_trip("tencent-response-integration-html.json");
    assert_eq!(r.status_code, 200);
    assert!(!r.is_base64_encoded);
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert!(r.body.starts_with("<html><body><h1>Heading</h1>"));
}

// Source: tencent-scf-apigw-trigger.txt, repeated headers as a list.
#[test]
fn tencent_response_repeated_header() {
    let r: IntegrationResponse = round_trip("tencent-response-integration-repeated-header.json");
    let key = &r.headers["Key"];
    assert_eq!(key.iter().collect::<Vec<_>>(), ["value1", "value2", "value3"]);
    let http = r.into_http().unwrap();
    let values: Vec<_> = http.headers().get_all("key").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(values, ["value1", "value2", "value3"]);
}

// Source: aliyun-apigw-function-compute.txt, the sample request as the function saw it.
#[test]
fn aliyun_sample_event() {
    let e: aliyun::ApiGatewayEvent = round_trip("aliyun-apigw-event-sample.json");
    assert_eq!(e.path, "/fc/test/invoke/test");
    assert_eq!(e.http_method, "POST");
    assert_eq!(e.path_parameters["type"], "test");
    assert_eq!(e.query_parameters["param1"], s("aaa"));
    assert_eq!(e.query_parameters["param2"], s("bbb"));
    assert_eq!(e.headers["headerParam"], s("testHeader"));

    let req = Request::from_slice(&fixture("aliyun-apigw-event-sample.json")).unwrap();
    assert_eq!(req.context.vendor, Some(Vendor::Aliyun));
    assert_eq!(req.query("param1"), Some("aaa"));
    assert_eq!(req.path_param("type"), Some("test"));
    assert_eq!(req.context.request_id.as_deref(), Some("16E9D4B5-3A1C-445A-BEF1-4AD8E31434EC"));
    assert_eq!(req.context.source_ip.as_deref(), Some("100.81.146.152"));
    assert_eq!(req.json::<serde_json::Value>().unwrap()["bodyParam"], "testBody");
}

// Source: aliyun-apigw-function-compute.txt, the payload format with a base64 body.
#[test]
fn aliyun_base64_string_event() {
    let e: aliyun::ApiGatewayEvent = round_trip("aliyun-apigw-event-base64-string.json");
    assert!(e.is_base64_encoded);
    assert_eq!(e.body_bytes().unwrap(), br#"{"bodyParam":"testBody"}"#);
    let req = Request::from_slice(&fixture("aliyun-apigw-event-base64-string.json")).unwrap();
    assert_eq!(req.text().unwrap(), r#"{"bodyParam":"testBody"}"#);
    assert_eq!(req.context.stage.as_deref(), Some("release"));
    assert_eq!(req.context.key_id.as_deref(), Some("testKey"));
}

// Source: aliyun-apigw-function-compute.txt, the Node.js sample's base64 response.
#[test]
fn aliyun_base64_response() {
    let r: IntegrationResponse = round_trip("aliyun-response-integration-base64.json");
    assert!(r.is_base64_encoded);
    assert_eq!(r.header("x-custom-header"), Some("header value"));
    let body = r.body_bytes().unwrap();
    assert_eq!(body.len(), 429, "the page's response sample has Content-Length: 429");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["message"], "Hello World!");
    assert_eq!(json["input"]["pathParameters"]["type"], "test");
}

// Source: aliyun-apigw-function-compute.txt, the client-error callback.
#[test]
fn aliyun_minimal_response() {
    let r: IntegrationResponse = round_trip("aliyun-response-integration-minimal.json");
    assert_eq!(r.status_code, 400);
    assert_eq!(r.body, "param error");
    assert!(r.headers.is_empty() && !r.is_base64_encoded);
}

#[test]
fn reading_bytes_directly_agrees_with_reading_through_a_value() {
    // `Request::from_slice` reads most events straight into a vendor's type;
    // `from_value` always goes through the generic path.
    for name in [
        "aliyun-apigw-event-base64-string.json",
        "aliyun-apigw-event-sample.json",
        "tencent-apigw-event-base64-string.json",
        "tencent-apigw-event-function-url.json",
        "tencent-apigw-event-method.json",
        "tencent-apigw-event-nulls.json",
        "tencent-apigw-event-trigger.json",
    ] {
        let bytes = fixture(name);
        let direct = Request::from_slice(&bytes).map_err(|e| e.to_string());
        let through_value =
            Request::from_value(serde_json::from_slice(&bytes).unwrap()).map_err(|e| e.to_string());
        assert_eq!(direct, through_value, "{name}");
    }
}

#[test]
fn the_shape_is_read_from_the_fields_however_they_are_spelled() {
    let read = |json: &str| {
        let direct = Request::from_slice(json.as_bytes()).unwrap();
        let through_value = Request::from_value(serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!(direct, through_value, "{json}");
        direct.context.vendor
    };
    // Alibaba's marker written with an escape is still Alibaba's marker.
    let escaped = r#"{"query\u0050arameters": {"a": "1"}, "path": "/", "httpMethod": "GET"}"#;
    assert_eq!(read(escaped), Some(Vendor::Aliyun));
    // The marker's name inside a value marks nothing.
    let in_body = r#"{"requestContext": {}, "path": "/", "httpMethod": "GET", "body": "queryParameters"}"#;
    assert_eq!(read(in_body), Some(Vendor::Tencent));
    let unmarked_mention = r#"{"path": "/", "httpMethod": "GET", "body": "queryParameters"}"#;
    assert_eq!(read(unmarked_mention), Some(Vendor::Tencent));
    // Both vendors' markers: Tencent's wins.
    let both = r#"{"queryParameters": {}, "stageVariables": {}, "path": "/", "httpMethod": "GET"}"#;
    assert_eq!(read(both), Some(Vendor::Tencent));
    let both_escaped =
        r#"{"query\u0050arameters": {}, "stageVariables": {}, "path": "/", "httpMethod": "GET"}"#;
    assert_eq!(read(both_escaped), Some(Vendor::Tencent));
    // Neither: read as Tencent's when it fits.
    assert_eq!(read(r#"{"path": "/", "httpMethod": "GET"}"#), Some(Vendor::Tencent));
}
