//! Fixtures of the variants other projects record or test with (see
//! `fixtures/README.md` for where each was seen): each decodes, as its
//! vendor's typed event and as a `Request`, with its key fields asserted.
//! Every fixture is also read every way there is, and the ways agree.

use apigw_events::{EventValue, FrontDoor, IntegrationResponse, Request, Scalar, Vendor, aliyun, tencent};
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// parse → serialize → parse → equal.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str) -> T {
    let first: T = serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let second: T = serde_json::from_slice(&serde_json::to_vec(&first).unwrap()).unwrap();
    assert_eq!(first, second, "{name} changed in a round trip");
    first
}

fn request(name: &str) -> Request {
    Request::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn tencent_bare_query_key() {
    let name = "tencent-apigw-event-bare-query-key.json";
    let e: tencent::ApiGatewayEvent = round_trip(name);
    assert_eq!(e.query_string["verbose"], EventValue::One(Scalar::Bool(true)));
    assert_eq!(e.request_context.as_ref().unwrap().http_method, "ANY");
    let req = request(name);
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/reports"));
    assert_eq!(req.query("verbose"), Some(""));
    assert_eq!(req.query("format"), Some("csv"));
    assert_eq!(req.query_all("col").collect::<Vec<_>>(), ["date", "total"]);
    assert_eq!(req.header("X-Qualifier"), Some("$LATEST"));
    assert_eq!(req.context.request_id, None, "no requestId, no x-api-requestid");
    assert_eq!(req.context.key_id, None, "identity is empty");
    assert_eq!(req.context.stage.as_deref(), Some("test"));
    assert_eq!(req.context.front_door, Some(FrontDoor::ApiGateway));
    assert!(req.body.is_empty());
}

#[test]
fn tencent_request_id_only_in_the_header() {
    let name = "tencent-apigw-event-no-request-id.json";
    let e: tencent::ApiGatewayEvent = round_trip(name);
    assert_eq!(e.request_context.as_ref().unwrap().request_id, None);
    let req = request(name);
    assert_eq!(req.context.request_id.as_deref(), Some("3b9f0c7e-1d2a-4c55-9e61-5a0f2d8e7b14"));
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/shop/lamp"));
    assert_eq!(req.path_param("item"), Some("lamp"));
    assert_eq!(req.query("color"), Some("red"));
    assert_eq!(req.header("user-agent"), Some("Mozilla/5.0"));
    assert_eq!(req.context.stage.as_deref(), Some("release"));
    assert!(req.body.is_empty());
}

#[test]
fn tencent_empty_request_id() {
    let name = "tencent-apigw-event-empty-request-id.json";
    let e: tencent::ApiGatewayEvent = round_trip(name);
    assert_eq!(e.request_context.as_ref().unwrap().request_id.as_deref(), Some(""), "kept as sent");
    assert!(!e.is_base64_encoded);
    let req = request(name);
    assert_eq!(req.context.request_id, None, "empty reads as absent");
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/signup"));
    assert_eq!(req.query("ref"), Some("mail"));
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    assert_eq!(req.json::<serde_json::Value>().unwrap()["email"], "ada@example.com");
    assert_eq!(req.context.header_parameters["Refer"], "192.0.2.77");
    assert_eq!(req.context.key_id.as_deref(), Some("AKIDexample0001"));
    assert_eq!(req.context.stage.as_deref(), Some("release"));
    assert!(req.context.stage_variables.is_empty());
}

#[test]
fn tencent_local_cli_event() {
    let name = "tencent-apigw-event-local-cli.json";
    let e: tencent::ApiGatewayEvent = round_trip(name);
    assert!(e.headers.is_empty() && e.query_string.is_empty());
    assert_eq!(e.extra["headersParameters"]["Host"], "127.0.0.1:3000", "the misspelt map is kept");
    let req = request(name);
    assert_eq!((req.method.as_str(), req.path.as_str()), ("PUT", "/notes/12"));
    assert_eq!(req.query("draft"), Some("1"), "from queryStringParameters");
    assert!(req.headers.is_empty());
    assert_eq!(req.text().unwrap(), "buy milk");
    assert_eq!(req.path_param("id"), Some("12"));
    assert_eq!(req.context.request_id.as_deref(), Some("5e2a7b10-8f3c-11ee-9d6a-0242ac120002"));
    assert_eq!(req.context.stage.as_deref(), Some("prod"));
    assert_eq!(req.context.source_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(req.context.service_id, None);
    assert_eq!(req.context.front_door, Some(FrontDoor::ApiGateway), "no x-scf-request-id");
}

#[test]
fn tencent_aws_shaped_event() {
    let name = "tencent-apigw-event-aws-shaped.json";
    let e: tencent::ApiGatewayEvent = round_trip(name);
    assert_eq!(e.extra["resource"], "/{proxy+}");
    assert_eq!(e.request_context.as_ref().unwrap().extra["apiId"], "a1b2c3d4");
    assert_eq!(e.source_ip(), Some("203.0.113.8"), "read from identity");
    let req = request(name);
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/orders"));
    assert_eq!(req.header("x-forwarded-proto"), Some("https"));
    assert!(req.query.is_empty());
    assert_eq!(req.path_param("proxy"), Some("orders"));
    assert_eq!(req.context.request_id.as_deref(), Some("6a1c2e3f-4b5d-6e7f-8091-a2b3c4d5e6f7"));
    assert_eq!(req.context.stage.as_deref(), Some("prod"));
    assert_eq!(req.context.source_ip.as_deref(), Some("203.0.113.8"));
    assert_eq!(req.context.key_id, None);
    assert!(req.body.is_empty());
}

#[test]
fn tencent_function_url_captured() {
    let name = "tencent-function-url-event-captured.json";
    let e: tencent::ApiGatewayEvent = round_trip(name);
    assert!(e.is_function_url(), "a requestContext without serviceId, beside x-scf-request-id");
    let req = request(name);
    assert_eq!(req.context.front_door, Some(FrontDoor::FunctionUrl));
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/search"));
    assert_eq!(req.query("q"), Some("tea"));
    assert_eq!(req.header("user-agent"), Some("curl/8.7.1"));
    assert_eq!(req.context.request_id.as_deref(), Some("8c41d2e6-b0a7-11f0-8e3b-525400a1b2c3"));
    assert_eq!(req.context.source_ip.as_deref(), Some("198.51.100.61"));
    assert_eq!(req.context.stage, None);
    assert!(req.body.is_empty());
}

#[test]
fn tencent_function_url_remote_addr() {
    let name = "tencent-function-url-event-remote-addr.json";
    let e: tencent::FunctionUrlEvent = round_trip(name);
    assert_eq!(e.path, "/api/translate");
    let as_gateway_event: tencent::ApiGatewayEvent = round_trip(name);
    assert!(as_gateway_event.request_context.is_none());
    let req = request(name);
    assert_eq!(req.context.front_door, Some(FrontDoor::FunctionUrl));
    assert_eq!(req.context.vendor, Some(Vendor::Tencent));
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/api/translate"));
    assert_eq!(req.header("x-scf-request-domain"), Some("1300000004-q7x2m9.ap-guangzhou.tencentscf.com"));
    assert!(req.query.is_empty());
    assert_eq!(req.json::<serde_json::Value>().unwrap()["text"], "hello");
    assert_eq!(req.context.request_id.as_deref(), Some("f3e1a9c0-6b2d-11f1-a4c8-525400d9e8f7"));
    assert_eq!(req.context.source_ip.as_deref(), Some("192.0.2.55"));
    assert_eq!(Request::try_from(e).unwrap(), req);
}

#[test]
fn tencent_response_with_multi_value_headers_keeps_them() {
    let name = "tencent-response-integration-multi-value-headers.json";
    let r: IntegrationResponse = round_trip(name);
    assert_eq!(r.status_code, 302);
    assert_eq!(r.header("location"), Some("/login"));
    assert_eq!(r.extra["multiValueHeaders"]["Set-Cookie"][1], "theme=dark");
    let original: serde_json::Value = serde_json::from_slice(&fixture(name)).unwrap();
    assert_eq!(serde_json::to_value(&r).unwrap(), original, "nothing lost");
}

#[test]
fn tencent_response_with_joined_and_listed_headers() {
    let r: IntegrationResponse = round_trip("tencent-response-integration-joined-headers.json");
    assert_eq!(r.header("vary"), Some("Origin,Accept-Encoding"), "a joined value is one value");
    let http = r.into_http().unwrap();
    assert_eq!(http.headers().get_all("set-cookie").iter().count(), 2);
    assert_eq!(http.body().as_bytes(), br#"{"ok":true}"#);
}

#[test]
fn aliyun_console_debug_event() {
    let name = "aliyun-apigw-event-console-debug.json";
    let e: aliyun::ApiGatewayEvent = round_trip(name);
    assert!(e.is_base64_encoded);
    let req = request(name);
    assert_eq!(req.context.vendor, Some(Vendor::Aliyun));
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/cart/88"));
    assert_eq!(req.header("X-Ca-Dashboard-Action"), Some("DEBUG"));
    assert!(req.query.is_empty());
    assert_eq!(req.text().unwrap(), r#"{"qty":2}"#);
    assert_eq!(req.context.stage.as_deref(), Some("test"), "from a lower-case x-ca-stage");
    assert_eq!(req.context.request_id, None, "a console debug call has no X-Ca-Api-Gateway");
    assert_eq!(req.path_param("cartId"), Some("88"));
}

#[test]
fn aliyun_mapped_event_without_content_type() {
    let name = "aliyun-apigw-event-mapped-no-content-type.json";
    let _: aliyun::ApiGatewayEvent = round_trip(name);
    let req = request(name);
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/profile/ada"));
    assert_eq!(req.header("content-type"), None);
    assert_eq!(req.header("x-ca-dashboard-uid"), Some("100000000006"));
    assert_eq!(req.text().unwrap(), "name=ada");
    assert_eq!(req.path_param("user"), Some("ada"));
    assert_eq!((req.context.stage, req.context.request_id), (None, None));
}

#[test]
fn aliyun_flag_as_a_string() {
    let name = "aliyun-apigw-event-string-flag.json";
    let e: aliyun::ApiGatewayEvent = round_trip(name);
    assert!(!e.is_base64_encoded);
    let req = request(name);
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/ping"));
    assert!(req.body.is_empty() && req.query.is_empty() && req.headers.is_empty());
}

#[test]
fn aliyun_number_values() {
    let name = "aliyun-apigw-event-number-values.json";
    let e: aliyun::ApiGatewayEvent = round_trip(name);
    assert_eq!(e.query_parameters["age"], EventValue::One(Scalar::Number("19".into())));
    assert_eq!(e.path_parameters["memberId"], Scalar::Number("31".into()));
    let out = serde_json::to_value(&e).unwrap();
    assert_eq!(out["queryParameters"]["age"], 19, "numbers stay numbers in a round trip");
    let req = request(name);
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/members/31"));
    assert_eq!(req.query("age"), Some("19"));
    assert_eq!(req.query("score"), Some("4.5"));
    assert_eq!(req.query("name"), Some("ada"));
    assert_eq!(req.path_param("memberId"), Some("31"));
    assert_eq!(req.header("content-length"), Some("0"));
    assert_eq!(req.context.request_id.as_deref(), Some("9D2E5A71-0C4B-4F3E-8A16-2B7C9E0D4F58"));
    assert_eq!(req.context.stage.as_deref(), Some("release"));
    assert_eq!(req.context.source_ip.as_deref(), Some("203.0.113.91"));
}

#[test]
fn aliyun_fc3_http_trigger_event_is_named_not_misread() {
    let name = "aliyun-fc3-http-trigger-event.json";
    let event: serde_json::Value = serde_json::from_slice(&fixture(name)).unwrap();
    assert_eq!(event["requestContext"]["http"]["method"], "POST");
    assert_eq!(event["rawPath"], "/greet%20me");
    assert_eq!(event["queryParameters"]["tag"], "x,y", "repeated values arrive comma-joined");
    assert_eq!(event["requestContext"]["requestId"], "1-6750a1b2-c3d4e5f60718293a4b5c6d7e");
    let err = Request::from_slice(&fixture(name)).unwrap_err();
    assert!(matches!(err, apigw_events::Error::UnsupportedEvent { .. }), "{err}");
    assert!(err.to_string().contains("web mode"), "{err}");
}

/// Every event fixture reads the same from bytes, through a `Value`, and
/// through its vendor's typed event; every response fixture round-trips.
#[test]
fn every_fixture_reads_the_same_every_way() {
    let dir = format!("{}/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 25, "{names:?}");
    for name in &names {
        let bytes = fixture(name);
        if name.contains("-response-") {
            let _: IntegrationResponse = round_trip(name);
            continue;
        }
        let direct = Request::from_slice(&bytes).map_err(|e| e.to_string());
        let value = Request::from_value(serde_json::from_slice(&bytes).unwrap()).map_err(|e| e.to_string());
        assert_eq!(direct, value, "{name}");
        let typed = if name.starts_with("tencent-") {
            Request::try_from(round_trip::<tencent::ApiGatewayEvent>(name)).map_err(|e| e.to_string())
        } else if name.starts_with("aliyun-apigw-") {
            Request::try_from(round_trip::<aliyun::ApiGatewayEvent>(name)).map_err(|e| e.to_string())
        } else {
            continue;
        };
        assert_eq!(direct, typed, "{name}");
    }
}
