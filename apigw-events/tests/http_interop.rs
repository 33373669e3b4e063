//! `IntoResponse` for everyday return types and the `http` conversions.

use apigw_events::{Body, GatewayContext, IntegrationResponse, IntoResponse, Request};
use http::StatusCode;

#[test]
fn strings_are_plain_text() {
    for res in ["hi".into_response(), String::from("hi").into_response()] {
        assert_eq!(res.status_code, 200);
        assert_eq!(res.header("Content-Type"), Some("text/plain; charset=utf-8"));
        assert_eq!(res.body, "hi");
        assert!(!res.is_base64_encoded);
    }
}

#[test]
fn bytes_are_base64() {
    let res = vec![0u8, 159, 146, 150].into_response();
    assert!(res.is_base64_encoded);
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));
    assert_eq!(res.body_bytes().unwrap(), [0u8, 159, 146, 150]);
}

#[test]
fn json_values_are_json() {
    let res = serde_json::json!([1, "two"]).into_response();
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.body, r#"[1,"two"]"#);
}

#[test]
fn status_tuple_sets_the_status() {
    let res = (StatusCode::CREATED, "made").into_response();
    assert_eq!(res.status_code, 201);
    assert_eq!(res.body, "made");
}

#[test]
fn http_response_chooses_text_or_base64_from_content_type() {
    let cases: [(&str, &[u8], bool); 7] = [
        ("text/csv", b"a,b", false),
        ("application/json", b"{}", false),
        ("application/vnd.api+json", b"{}", false),
        ("application/xml", b"<a/>", false),
        ("application/x-www-form-urlencoded", b"a=1", false),
        ("image/png", b"PNG", true),
        // A text type whose bytes are not UTF-8 still travels safely.
        ("text/plain", &[0xff, 0xfe], true),
    ];
    for (ct, body, base64) in cases {
        let res = http::Response::builder()
            .status(202)
            .header("content-type", ct)
            .header("set-cookie", "a=1")
            .header("set-cookie", "b=2")
            .body(body.to_vec())
            .unwrap()
            .into_response();
        assert_eq!(res.is_base64_encoded, base64, "{ct}");
        assert_eq!(res.body_bytes().unwrap(), body, "{ct}");
        assert_eq!(res.status_code, 202);
        assert_eq!(res.headers["set-cookie"].iter().collect::<Vec<_>>(), ["a=1", "b=2"]);
    }
    let res = http::Response::new(Body::from(vec![1u8, 2])).into_response();
    assert!(res.is_base64_encoded, "no content type means binary");
}

#[test]
fn into_http_refuses_crlf_and_bad_status() {
    let res = IntegrationResponse::text("x").with_header("X-Evil", "a\r\nSet-Cookie: b");
    let err = res.into_http().unwrap_err();
    assert!(err.to_string().contains("header value"), "{err}");
    let res = IntegrationResponse::text("x").with_header("Bad Name", "v");
    assert!(res.into_http().unwrap_err().to_string().contains("header name"));
    let err = IntegrationResponse::new(42).into_http().unwrap_err();
    assert!(err.to_string().contains("status code `42`"), "{err}");
}

#[test]
fn gateway_context_rides_in_extensions() {
    let mut req = Request { method: "GET".into(), path: "/a b/ü".into(), ..Default::default() };
    req.context.stage = Some("test".into());
    req.context.path_parameters.insert("id".into(), "7".into());
    let http: http::Request<Body> = req.try_into().unwrap();
    assert_eq!(http.uri().path(), "/a%20b/%C3%BC");
    let ctx = http.extensions().get::<GatewayContext>().unwrap();
    assert_eq!(ctx.stage.as_deref(), Some("test"));
    let back = Request::from(http);
    assert_eq!(back.path_param("id"), Some("7"));
}

#[test]
fn invalid_method_is_refused() {
    let req = Request { method: "GE T".into(), path: "/".into(), ..Default::default() };
    let err = http::Request::<Body>::try_from(req).unwrap_err();
    assert!(err.to_string().starts_with("invalid method `GE T`"), "{err}");
}

#[test]
fn builders_repeat_and_replace_headers() {
    let mut res =
        IntegrationResponse::json(&serde_json::json!({"ok": true})).unwrap().with_header("x-a", "1");
    res.append_header("X-A", "2");
    assert_eq!(res.headers["x-a"].iter().collect::<Vec<_>>(), ["1", "2"]);
    res.set_header("X-A", "3");
    assert_eq!(res.header("x-a"), Some("3"));
    assert_eq!(res.headers.len(), 2);
}
