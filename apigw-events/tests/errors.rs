//! Bad input gives a typed error naming what was wrong, never a panic.

use apigw_events::{Error, IntegrationResponse, Request, aliyun, tencent};

fn json_path(err: &Error) -> &str {
    err.path().unwrap_or_else(|| panic!("expected a JSON error, got {err:?}"))
}

#[test]
fn malformed_json_is_a_syntax_error() {
    let err = tencent::ApiGatewayEvent::from_slice(b"{\"path\": \"/\",").unwrap_err();
    assert!(err.to_string().contains("EOF"), "{err}");
    let err = IntegrationResponse::from_slice(b"{\"statusCode\": 200} trailing").unwrap_err();
    assert!(err.to_string().contains("trailing"), "{err}");
}

/// Each shape a `Request` considered, with the path where it failed.
fn attempts(err: &Error) -> Vec<(&'static str, &str)> {
    let Error::UnrecognisedEvent { attempts } = err else {
        panic!("expected UnrecognisedEvent, got {err:?}")
    };
    attempts.iter().map(|a| (a.shape, a.path.as_str())).collect()
}

const TENCENT: &str = "Tencent API Gateway or function-URL event";
const ALIYUN: &str = "Alibaba API Gateway event";

#[test]
fn wrong_type_names_the_nested_field() {
    let err = tencent::ApiGatewayEvent::from_slice(
        br#"{"path": "/", "httpMethod": "GET", "requestContext": {"stage": 5}}"#,
    )
    .unwrap_err();
    assert_eq!(json_path(&err), "requestContext.stage");
    assert!(err.to_string().contains(TENCENT), "{err}");

    // Numbers and booleans are values a map may hold; an object is not.
    let err = tencent::ApiGatewayEvent::from_slice(
        br#"{"path": "/", "httpMethod": "GET", "headers": {"accept": ["a", {"b": 1}]}}"#,
    )
    .unwrap_err();
    assert_eq!(json_path(&err), "headers.accept[1]");
    assert!(err.to_string().contains("a string, a boolean, a number or null"), "{err}");

    // Read as a `Request`, whichever way the event is recognised: the
    // Tencent shape fails at the field, and Tencent's field rules Alibaba's out.
    for event in [
        &br#"{"path": "/", "httpMethod": "GET", "requestContext": {"stage": 5}}"#[..],
        br#"{"path": "/", "httpMethod": "GET", "body": "queryParameters", "requestContext": {"stage": 5}}"#,
    ] {
        let err = Request::from_slice(event).unwrap_err();
        assert_eq!(attempts(&err), [(TENCENT, "requestContext.stage"), (ALIYUN, "requestContext")], "{err}");
    }
}

#[test]
fn a_parameter_map_of_the_wrong_type_is_named_on_both_paths() {
    let event = br#"{"requestContext": {}, "path": "/", "httpMethod": "GET", "pathParameters": {"id": [1]}}"#;
    let err = tencent::ApiGatewayEvent::from_slice(event).unwrap_err();
    assert_eq!(json_path(&err), "pathParameters.id");
    let err = Request::from_slice(event).unwrap_err();
    assert_eq!(attempts(&err)[0], (TENCENT, "pathParameters.id"), "{err}");
}

#[test]
fn missing_method_is_named() {
    let err = aliyun::ApiGatewayEvent::from_slice(br#"{"path": "/"}"#).unwrap_err();
    assert!(err.to_string().contains("httpMethod"), "{err}");
}

#[test]
fn bad_boolean_string_is_named() {
    let err = aliyun::ApiGatewayEvent::from_slice(
        br#"{"path": "/", "httpMethod": "GET", "isBase64Encoded": "yes"}"#,
    )
    .unwrap_err();
    assert_eq!(json_path(&err), "isBase64Encoded");
    assert!(err.to_string().contains("\"true\" or \"false\""), "{err}");
}

#[test]
fn bad_base64_body_is_named() {
    let err = Request::from_slice(
        br#"{"queryParameters": {}, "path": "/", "httpMethod": "POST", "body": "%%%", "isBase64Encoded": true}"#,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Base64 { field: "body", .. }), "{err:?}");
    let res =
        IntegrationResponse { is_base64_encoded: true, body: "not base64!".into(), ..Default::default() };
    assert!(matches!(res.body_bytes(), Err(Error::Base64 { field: "body", .. })));
}

#[test]
fn non_integer_status_code_is_named() {
    for bad in [r#""200""#, "200.5", "-1", "70000", "null"] {
        let json = format!(r#"{{"statusCode": {bad}, "body": ""}}"#);
        let err = IntegrationResponse::from_slice(json.as_bytes()).unwrap_err();
        assert_eq!(json_path(&err), "statusCode", "{bad}: {err}");
    }
    let err = IntegrationResponse::from_slice(br#"{"body": ""}"#).unwrap_err();
    assert!(err.to_string().contains("statusCode"), "{err}");
}

#[test]
fn header_value_neither_string_nor_list_is_named() {
    for bad in ["1", "true", r#"{"a": "b"}"#, r#"["a", null]"#] {
        let json = format!(r#"{{"statusCode": 200, "headers": {{"X-A": {bad}}}}}"#);
        let err = IntegrationResponse::from_slice(json.as_bytes()).unwrap_err();
        assert!(json_path(&err).starts_with("headers.X-A"), "{bad}: {err}");
        assert!(err.to_string().contains("a string or a list of strings") || bad.contains("null"), "{err}");
    }
}

#[test]
fn unrecognised_event_lists_the_shapes_tried() {
    let err = Request::from_slice(br#"{"path": "/", "httpMethod": {"verb": "GET"}}"#).unwrap_err();
    assert_eq!(attempts(&err), [(TENCENT, "httpMethod"), (ALIYUN, "httpMethod")]);
    let text = err.to_string();
    assert!(!text.contains("untagged enum"), "{text}");
    assert!(text.contains(&format!("{TENCENT} at `httpMethod`: invalid type: map")), "{text}");
    assert!(text.contains(&format!("; {ALIYUN} at `httpMethod`: invalid type: map")), "{text}");
}

#[test]
fn an_fc3_http_trigger_event_is_named_and_sent_to_the_web_mode() {
    // The shape of FC 3.0's HTTP-trigger event (built-in runtimes only).
    let event = br#"{"version": "v1", "rawPath": "/orders/9", "body": "", "isBase64Encoded": false,
        "headers": {"accept": "*/*"}, "queryParameters": {"page": "2"},
        "requestContext": {"accountId": "1", "domainName": "x.cn-hangzhou.fcapp.run", "domainPrefix": "x",
            "http": {"method": "GET", "path": "/orders/9", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.4",
                     "userAgent": "curl/8"},
            "requestId": "1-6600-abc", "time": "2026-11-30T10:00:00Z", "timeEpoch": "1795600800000"}}"#;
    let err = Request::from_slice(event).unwrap_err();
    assert!(matches!(err, Error::UnsupportedEvent { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("Function Compute 3.0 HTTP-trigger event"), "{text}");
    assert!(text.contains("web mode") && text.contains("APIGW_PROVIDER=web"), "{text}");
    assert!(!text.contains("Tencent"), "{text}");
}

#[test]
fn an_event_that_is_not_an_object_says_so() {
    let err = Request::from_slice(b"[1, 2]").unwrap_err();
    assert!(err.to_string().contains("expected a JSON object, found an array"), "{err}");
}

#[test]
fn a_marked_shape_is_the_only_one_read_and_the_others_say_why() {
    // `queryParameters` marks Alibaba: Tencent's shape is ruled out by it,
    // even though the rest of the event would fit Tencent's.
    let err =
        Request::from_slice(br#"{"queryParameters": {"a": {"b": 1}}, "path": "/", "httpMethod": "GET"}"#)
            .unwrap_err();
    assert_eq!(attempts(&err), [(ALIYUN, "queryParameters.a"), (TENCENT, "queryParameters")], "{err}");
    assert!(err.to_string().contains("a field only Alibaba's events have"), "{err}");
}

#[test]
fn serde_json_from_str_on_request_carries_the_path() {
    let err = serde_json::from_str::<Request>(r#"{"requestContext": [], "path": "/", "httpMethod": "GET"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("`requestContext`"), "{err}");
}

#[test]
fn body_json_error_names_the_field() {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Order {
        qty: u32,
    }
    let mut req = Request { body: r#"{"qty": "three"}"#.into(), ..Default::default() };
    let err = req.json::<Order>().unwrap_err();
    assert_eq!(json_path(&err), "qty");
    req.body = vec![0xff, 0xfe].into();
    assert!(matches!(req.text(), Err(Error::NotUtf8 { valid_up_to: 0, .. })));
}
