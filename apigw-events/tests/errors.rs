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

#[test]
fn wrong_type_names_the_nested_field() {
    let err = tencent::ApiGatewayEvent::from_slice(
        br#"{"path": "/", "httpMethod": "GET", "requestContext": {"stage": 5}}"#,
    )
    .unwrap_err();
    assert_eq!(json_path(&err), "requestContext.stage");
    assert!(err.to_string().contains("Tencent API Gateway event"), "{err}");

    let err = tencent::ApiGatewayEvent::from_slice(
        br#"{"path": "/", "httpMethod": "GET", "headers": {"accept": ["a", 1]}}"#,
    )
    .unwrap_err();
    assert_eq!(json_path(&err), "headers.accept[1]");

    // Read as a `Request`, whichever way the event is recognised.
    for event in [
        &br#"{"path": "/", "httpMethod": "GET", "requestContext": {"stage": 5}}"#[..],
        br#"{"path": "/", "httpMethod": "GET", "body": "queryParameters", "requestContext": {"stage": 5}}"#,
    ] {
        let err = Request::from_slice(event).unwrap_err();
        assert_eq!(json_path(&err), "requestContext.stage", "{err}");
    }
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
    let Error::UnrecognisedEvent { attempts } = &err else { panic!("{err:?}") };
    let shapes: Vec<_> = attempts.iter().map(|a| a.shape).collect();
    assert_eq!(shapes, ["Tencent API Gateway event", "Alibaba API Gateway event"]);
    assert!(attempts.iter().all(|a| a.path == "httpMethod"), "{attempts:?}");
    let text = err.to_string();
    assert!(!text.contains("untagged enum"), "{text}");
    assert!(text.contains("as a Tencent API Gateway event at `httpMethod`"), "{text}");
}

#[test]
fn an_event_that_is_not_an_object_says_so() {
    let err = Request::from_slice(b"[1, 2]").unwrap_err();
    assert!(err.to_string().contains("expected a JSON object, found an array"), "{err}");
}

#[test]
fn a_recognised_shape_reports_its_own_path() {
    // `queryParameters` marks Alibaba: the error speaks of that shape only.
    let err = Request::from_slice(br#"{"queryParameters": {"a": 1}, "path": "/", "httpMethod": "GET"}"#)
        .unwrap_err();
    assert_eq!(json_path(&err), "queryParameters.a");
    assert!(err.to_string().contains("Alibaba"), "{err}");
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
