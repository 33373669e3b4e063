//! Property tests: responses round-trip through JSON, and an HTTP request
//! survives the trip through either vendor's event into a `Request`.

use apigw_events::{Body, IntegrationResponse, MultiValue, Request};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

fn multi_value() -> impl Strategy<Value = MultiValue> {
    prop_oneof![
        any::<String>().prop_map(MultiValue::One),
        vec(any::<String>(), 0..4).prop_map(MultiValue::Many),
    ]
}

fn integration_response() -> impl Strategy<Value = IntegrationResponse> {
    (any::<bool>(), any::<u16>(), btree_map(any::<String>(), multi_value(), 0..6), any::<String>()).prop_map(
        |(is_base64_encoded, status_code, headers, body)| IntegrationResponse {
            is_base64_encoded,
            status_code,
            headers,
            body,
            extra: Default::default(),
        },
    )
}

/// One HTTP request as a client could send it: a path of URI-safe segments,
/// a query with repeated keys and any text, headers with repeated names,
/// and a body of any bytes.
#[derive(Debug, Clone)]
struct Sent {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn sent() -> impl Strategy<Value = Sent> {
    let method =
        prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("HEAD"), Just("PATCH")];
    let path = vec("[a-zA-Z0-9._~-]{1,8}", 0..5).prop_map(|segs| format!("/{}", segs.join("/")));
    let key = prop_oneof!["[a-z]{1,3}", any::<String>()];
    let query = vec((key, any::<String>()), 0..6);
    let header_name = prop_oneof![Just("x-multi".to_owned()), "x-[a-z0-9-]{1,10}"];
    let headers = vec((header_name, "[ -~&&[^ ]]([ -~]{0,20}[!-~])?"), 0..6);
    let body = prop_oneof![vec(any::<u8>(), 0..64), any::<String>().prop_map(String::into_bytes)];
    (method, path, query, headers, body).prop_map(|(method, path, query, headers, body)| Sent {
        method: method.to_owned(),
        path,
        query,
        headers,
        body,
    })
}

fn to_http(s: &Sent) -> http::Request<Body> {
    let query = s.query.iter().cloned().collect::<apigw_events::Query>().to_string();
    let uri = if query.is_empty() { s.path.clone() } else { format!("{}?{query}", s.path) };
    let mut builder = http::Request::builder().method(s.method.as_str()).uri(uri);
    for (k, v) in &s.headers {
        builder = builder.header(k, v);
    }
    builder.body(Body::from(s.body.clone())).unwrap()
}

/// Pairs grouped by key, each key's values in their original order: the
/// order the vendors' JSON maps keep.
fn grouped<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>, fold_case: bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .map(|(k, v)| (if fold_case { k.to_ascii_lowercase() } else { k.to_owned() }, v.to_owned()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn assert_kept(sent: &Sent, got: &Request) {
    assert_eq!(got.method, sent.method);
    assert_eq!(got.path, sent.path);
    let sent_query = grouped(sent.query.iter().map(|(k, v)| (k.as_str(), v.as_str())), false);
    assert_eq!(grouped(got.query.iter(), false), sent_query);
    let sent_headers = grouped(sent.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())), true);
    assert_eq!(grouped(got.headers.iter(), true), sent_headers);
    assert_eq!(got.body.as_bytes(), &sent.body[..]);
}

proptest! {
    #[test]
    fn integration_response_round_trips(res in integration_response()) {
        let json = serde_json::to_string(&res).unwrap();
        let back = IntegrationResponse::from_slice(json.as_bytes()).unwrap();
        prop_assert_eq!(back, res);
    }

    #[test]
    fn http_request_through_tencent_event(s in sent()) {
        let req = Request::from(to_http(&s));
        let event = serde_json::to_vec(&req.to_tencent_event()).unwrap();
        let back = Request::from_slice(&event).unwrap();
        assert_kept(&s, &back);
        prop_assert_eq!(back, Request::from_value(serde_json::from_slice(&event).unwrap()).unwrap());
    }

    #[test]
    fn http_request_through_aliyun_event(s in sent()) {
        let req = Request::from(to_http(&s));
        let event = serde_json::to_vec(&req.to_aliyun_event()).unwrap();
        let back = Request::from_slice(&event).unwrap();
        assert_kept(&s, &back);
        prop_assert_eq!(back, Request::from_value(serde_json::from_slice(&event).unwrap()).unwrap());
    }

    #[test]
    fn request_to_http_and_back(s in sent()) {
        let req = Request::from(to_http(&s));
        let again = Request::from(http::Request::try_from(req.clone()).unwrap());
        prop_assert_eq!(again, req);
    }

    #[test]
    fn binary_response_bodies_survive_into_http(bytes in vec(any::<u8>(), 0..256)) {
        let res = IntegrationResponse::binary(&bytes, "application/octet-stream");
        let http = res.into_http().unwrap();
        prop_assert_eq!(http.body().as_bytes(), &bytes[..]);
    }
}
