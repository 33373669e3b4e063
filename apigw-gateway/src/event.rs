//! The event the gateway sends, exactly as the vendor does (REFERENCE §3):
//! a fresh request id, the source IP, the route's pattern as
//! `requestContext.path`, the stage, the declared parameters, and the body
//! as text or base64 as the route says. A function URL's event carries only
//! the body, headers (the request id and caller among them), method, whole
//! path and query. Tencent's events carry a query key without a value as
//! `true`, as Tencent sends it.

use crate::config::{Base64Policy, Flavour, Route};
use apigw_events::{
    Body, EventValue, GatewayContext, Query, Request, Scalar, encode_base64, is_text_content_type,
};
use bytes::Bytes;
use std::collections::BTreeMap;

/// What the front door learnt about a request before it reached the function.
#[derive(Clone, Debug, Default)]
pub struct Matched {
    /// The route's index in the configuration.
    pub route: usize,
    /// The stage the request came in on.
    pub stage: String,
    /// The path with any `/<stage>` prefix removed.
    pub path: String,
    /// The path parameters of the route's pattern.
    pub path_params: BTreeMap<String, String>,
    /// The declared query parameters, validated and defaulted.
    pub query_params: BTreeMap<String, String>,
    /// The declared header parameters, validated and defaulted.
    pub header_params: BTreeMap<String, String>,
    /// The key id when key-pair auth passed.
    pub key_id: Option<String>,
    /// The gateway's id for this request.
    pub request_id: String,
    /// The caller's address.
    pub source_ip: String,
    /// The configuration the request was routed by.
    pub(crate) loaded: Option<std::sync::Arc<crate::gateway::Loaded>>,
}

/// The event for `route`, as JSON bytes.
pub fn build(
    route: &Route,
    matched: &Matched,
    parts: &http::request::Parts,
    body: &Bytes,
    service_id: &str,
    stage_variables: &BTreeMap<String, String>,
) -> Bytes {
    let mut req = Request::from(http::Request::from_parts(parts.clone(), Body::from(body.clone())));
    req.path = matched.path.clone();
    req.context = GatewayContext::default();
    let ctx = &mut req.context;
    ctx.path_parameters = matched.path_params.clone();
    ctx.query_parameters = matched.query_params.clone();
    ctx.header_parameters = matched.header_params.clone();
    ctx.stage = Some(matched.stage.clone());
    ctx.stage_variables = stage_variables.clone();
    ctx.request_id = Some(matched.request_id.clone());
    ctx.source_ip = Some(matched.source_ip.clone());
    ctx.key_id = matched.key_id.clone();
    ctx.api_path = Some(route.pattern.as_str().to_owned());
    ctx.service_id = Some(service_id.to_owned());
    let content_type = req.header("content-type").map(str::to_owned);
    let (body, is_base64) = encode_body(&route.base64, content_type.as_deref(), body);
    let json = match route.flavour {
        Flavour::Tencent => {
            let mut event = req.to_tencent_event();
            if let Some(rc) = event.request_context.as_mut() {
                // The API's configured method: `ANY` when it takes any.
                rc.http_method = route.method.clone();
            }
            event.headers.insert("x-api-requestid".into(), EventValue::from(matched.request_id.clone()));
            event.body = body;
            event.is_base64_encoded = is_base64;
            mark_bare_keys(&mut event.query_string, parts.uri.query());
            serde_json::to_vec(&event)
        }
        // No `isBase64Encoded` to set by type: a UTF-8 body goes as text, any
        // other as flagged base64 (`to_function_url_event`).
        Flavour::FunctionUrl => {
            let mut event = req.to_function_url_event();
            mark_bare_keys(&mut event.query_string, parts.uri.query());
            serde_json::to_vec(&event)
        }
        Flavour::Aliyun => {
            // The gateway's own headers replace any a caller sent, whatever their case; `X-Ca-Key`
            // stays only as the AppKey an auth check verified.
            req.headers.insert("X-Ca-Api-Gateway", matched.request_id.as_str());
            req.headers.insert("X-Forwarded-For", matched.source_ip.as_str());
            req.headers.insert("X-Ca-Stage", crate::admission::aliyun_stage_name(&matched.stage));
            req.headers.remove("X-Ca-Key");
            if let Some(key) = &matched.key_id {
                req.headers.insert("X-Ca-Key", key.as_str());
            }
            let mut event = req.to_aliyun_event();
            event.body = body;
            event.is_base64_encoded = is_base64;
            serde_json::to_vec(&event)
        }
    };
    // The events hold only strings and maps of strings: serializing cannot fail.
    Bytes::from(json.unwrap_or_default())
}

/// Marks each value of `query` that arrived as a bare key (`?debug`, no `=`)
/// as `true`, the way Tencent sends it; `raw` is the query as requested.
fn mark_bare_keys(query: &mut BTreeMap<String, EventValue>, raw: Option<&str>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for piece in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let Some((key, _)) = Query::parse(piece).iter().next().map(|(k, v)| (k.to_owned(), v.to_owned()))
        else {
            continue;
        };
        let nth = seen.entry(key.clone()).or_insert(0);
        if !piece.contains('=')
            && let Some(values) = query.get_mut(&key)
        {
            match values {
                EventValue::One(value) if *nth == 0 => *value = Scalar::Bool(true),
                EventValue::Many(list) => {
                    if let Some(value) = list.get_mut(*nth) {
                        *value = Scalar::Bool(true);
                    }
                }
                EventValue::One(_) => {}
            }
        }
        *nth += 1;
    }
}

/// The body as the event carries it: `(body, isBase64Encoded)`.
pub fn encode_body(policy: &Base64Policy, content_type: Option<&str>, body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    let base64 = match policy {
        Base64Policy::Never => false,
        Base64Policy::Always => true,
        Base64Policy::ContentTypes(types) if types.is_empty() => match content_type {
            Some(ct) => !is_text_content_type(ct) || std::str::from_utf8(body).is_err(),
            None => std::str::from_utf8(body).is_err(),
        },
        // A body that is not UTF-8 cannot travel as a JSON string whole.
        Base64Policy::ContentTypes(types) => {
            content_type.is_some_and(|ct| types.iter().any(|t| type_matches(t, ct)))
                || std::str::from_utf8(body).is_err()
        }
    };
    if base64 {
        (Some(encode_base64(body)), true)
    } else {
        (Some(String::from_utf8_lossy(body).into_owned()), false)
    }
}

/// `image/*` matches `image/png; charset=…`; `application/json` matches itself.
fn type_matches(pattern: &str, content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    match pattern.strip_suffix("/*") {
        Some(kind) => essence.split('/').next().is_some_and(|k| k.eq_ignore_ascii_case(kind)),
        None => essence.eq_ignore_ascii_case(pattern.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_query_keys_are_true() {
        let req = Request { query: Query::parse("debug&x=1&tag&tag=b&e="), ..Request::default() };
        let mut query = req.to_tencent_event().query_string;
        mark_bare_keys(&mut query, Some("debug&x=1&tag&tag=b&e="));
        let json = serde_json::to_value(&query).unwrap();
        assert_eq!(json, serde_json::json!({"debug": true, "x": "1", "tag": [true, "b"], "e": ""}));
    }

    #[test]
    fn base64_by_content_type() {
        let by_type = Base64Policy::ContentTypes(Vec::new());
        assert_eq!(encode_body(&by_type, Some("application/json"), b"{}"), (Some("{}".into()), false));
        assert_eq!(encode_body(&by_type, Some("image/png"), b"PNG"), (Some("UE5H".into()), true));
        assert_eq!(encode_body(&by_type, None, &[0xff]), (Some("/w==".into()), true));
        let listed = Base64Policy::ContentTypes(vec!["image/*".into()]);
        assert!(encode_body(&listed, Some("image/gif"), b"x").1);
        assert!(!encode_body(&listed, Some("application/octet-stream"), b"x").1);
        // Found by the http_to_event fuzz target: a body that is not UTF-8
        // reached the function lossily decoded when its type was not listed.
        assert_eq!(encode_body(&listed, Some("text/plain"), &[0x92, b'a']), (Some("kmE=".into()), true));
        assert_eq!(encode_body(&listed, None, &[0xff]), (Some("/w==".into()), true));
        assert!(encode_body(&Base64Policy::Always, Some("text/plain"), b"x").1);
        assert!(!encode_body(&Base64Policy::Never, Some("image/png"), b"x").1);
        assert_eq!(encode_body(&Base64Policy::Always, None, b""), (None, false));
    }
}
