//! The event Tencent Cloud API Gateway sends to an SCF function, in every
//! variant the vendor's documents show.
//!
//! ```
//! use apigw_events::tencent::ApiGatewayEvent;
//!
//! let event = ApiGatewayEvent::from_slice(br#"{
//!     "requestContext": {"path": "/user/{id}", "method": "ANY", "stage": "release"},
//!     "path": "/user/42", "method": "GET",
//!     "pathParameters": {"id": "42"}, "queryString": null,
//!     "isBase64Encoded": "false"
//! }"#)?;
//! assert_eq!(event.http_method, "GET");
//! assert_eq!(event.path_parameters["id"], "42");
//! assert_eq!(event.request_context.unwrap().http_method, "ANY");
//! # Ok::<(), apigw_events::Error>(())
//! ```
//!
//! A function URL's event is the same shape without `requestContext` and the
//! `*Parameters` maps; [`ApiGatewayEvent::is_function_url`] tells them apart.
//! The events of WebSocket APIs are in [`websocket`].

pub mod websocket;

pub use crate::de::Extra;
use crate::de::{lenient_bool, null_as_default};
use crate::scalar::{EventValue, Scalar};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The event of an API Gateway trigger (integration request), or of a
/// function URL.
///
/// Every field the platform may leave out is optional or reads as empty;
/// `method` is accepted for `httpMethod`; `isBase64Encoded` may be a boolean or
/// the string `"true"`/`"false"`; a `null` map reads as an empty one. Map
/// values keep what was sent: Tencent sends `true` for a query key without a
/// value (`?debug`).
///
/// A handler that takes it gets the event as Tencent sent it:
///
/// ```
/// use apigw_events::tencent::ApiGatewayEvent;
///
/// let event: ApiGatewayEvent = serde_json::from_str(r#"{
///     "requestContext": {"serviceId": "service-1", "path": "/users/{id}", "httpMethod": "GET",
///                        "stage": "release", "sourceIp": "10.0.0.1"},
///     "path": "/users/7", "httpMethod": "GET",
///     "headers": {"accept": "application/json"},
///     "pathParameters": {"id": "7"},
///     "queryString": {"debug": true},
///     "body": ""
/// }"#)?;
/// assert_eq!(event.path, "/users/7");
/// assert_eq!(event.path_parameters["id"], "7");
/// assert_eq!(event.request_context.as_ref().map(|c| c.stage.as_str()), Some("release"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGatewayEvent {
    /// Where the request came in: service, API path, stage, identity. Absent on
    /// function-URL events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_context: Option<RequestContext>,
    /// Every header that arrived. Names keep the case the gateway sent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: BTreeMap<String, EventValue>,
    /// The request body as a string; base64 when `is_base64_encoded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The path parameters declared on the API, with their values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path_parameters: BTreeMap<String, Scalar>,
    /// The query parameters declared on the API, with their values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_string_parameters: BTreeMap<String, Scalar>,
    /// The header parameters declared on the API, with their values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub header_parameters: BTreeMap<String, Scalar>,
    /// The variables of the stage the request came in on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stage_variables: BTreeMap<String, Scalar>,
    /// The real path of the request, e.g. `/test/value`.
    pub path: String,
    /// The whole real query; a repeated key holds a list.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_string: BTreeMap<String, EventValue>,
    /// The real HTTP method (`method` on some pages of the docs).
    #[serde(alias = "method")]
    pub http_method: String,
    /// Whether `body` is base64.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_base64_encoded: bool,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `requestContext`: the API that matched and who called it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    /// The API Gateway service id, e.g. `service-f94sy04v`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub service_id: String,
    /// The API's configured path, e.g. `/test/{path}`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: String,
    /// The API's configured method: may be `ANY`; the real one is the event's.
    #[serde(default, alias = "method", deserialize_with = "null_as_default")]
    pub http_method: String,
    /// The gateway's id for this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The caller's identity under key-pair auth.
    #[serde(default, deserialize_with = "null_as_default")]
    pub identity: Identity,
    /// The caller's IP address.
    #[serde(default, deserialize_with = "null_as_default")]
    pub source_ip: String,
    /// The stage: `release`, `prepub` or `test`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stage: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `requestContext.identity`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The key id (SecretId) the caller signed with under key-pair auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<String>,
    /// Fields this version does not know (some pages put `sourceIp` here).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The event of a function URL, the front door Tencent points SCF users to
/// now that API Gateway triggers are retired: [`ApiGatewayEvent`]'s shape
/// without `requestContext`, the `*Parameters` maps and `isBase64Encoded`.
/// The request id and the caller's address travel as the `x-scf-request-id`
/// and `x-scf-remote-addr` headers.
///
/// [`ApiGatewayEvent`] reads these events too; this type writes them
/// exactly (see [`Request::to_function_url_event`](crate::Request::to_function_url_event)).
///
/// ```
/// use apigw_events::{Request, tencent::FunctionUrlEvent};
///
/// let event: FunctionUrlEvent = serde_json::from_str(r#"{
///     "body": "", "httpMethod": "GET", "path": "/", "queryString": {"debug": true},
///     "headers": {"x-scf-request-id": "7f9c", "x-scf-remote-addr": "203.0.113.9"}
/// }"#)?;
/// let req = Request::try_from(event)?;
/// assert_eq!(req.query("debug"), Some(""));
/// assert_eq!(req.context.request_id.as_deref(), Some("7f9c"));
/// assert_eq!(req.context.source_ip.as_deref(), Some("203.0.113.9"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionUrlEvent {
    /// The request body as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Every header that arrived, `x-scf-request-id` and `x-scf-remote-addr`
    /// among them.
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: BTreeMap<String, EventValue>,
    /// The HTTP method.
    #[serde(alias = "method")]
    pub http_method: String,
    /// The path as requested: a function URL has no stage prefix.
    pub path: String,
    /// The whole query; a repeated key holds a list, a key without a value
    /// `true`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_string: BTreeMap<String, EventValue>,
    /// Whether `body` is base64. Tencent documents no such field for function
    /// URLs; it is written only for a body that is not UTF-8, which a JSON
    /// string cannot carry as it is.
    #[serde(default, deserialize_with = "lenient_bool", skip_serializing_if = "is_false")]
    pub is_base64_encoded: bool,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl From<FunctionUrlEvent> for ApiGatewayEvent {
    fn from(e: FunctionUrlEvent) -> Self {
        ApiGatewayEvent {
            headers: e.headers,
            body: e.body,
            path: e.path,
            query_string: e.query_string,
            http_method: e.http_method,
            is_base64_encoded: e.is_base64_encoded,
            extra: e.extra,
            ..ApiGatewayEvent::default()
        }
    }
}

impl ApiGatewayEvent {
    /// Reads an event from JSON bytes; the error names the field that failed.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, crate::Error> {
        crate::error::from_slice_as(SHAPE, bytes)
    }

    /// The body as bytes, base64-decoded when the event says so.
    pub fn body_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        crate::body::decode_body(self.body.as_deref(), self.is_base64_encoded)
    }

    /// The gateway's request id: `requestContext.requestId`, else the
    /// `x-api-requestid` header, else on a function URL's event the
    /// `x-scf-request-id` header. An empty value counts as absent.
    pub fn request_id(&self) -> Option<&str> {
        request_id(self.request_context.as_ref(), &self.headers)
    }

    /// The caller's address: `requestContext.sourceIp` (or
    /// `requestContext.identity.sourceIp`, where some pages put it), else on
    /// a function URL's event the `x-scf-remote-addr` header. An empty value
    /// counts as absent.
    pub fn source_ip(&self) -> Option<&str> {
        source_ip(self.request_context.as_ref(), &self.headers)
    }

    /// Whether this came through a function URL rather than API Gateway: it
    /// has no `requestContext`, or one without a `serviceId` beside an
    /// `x-scf-request-id` header (function URLs have been seen sending a
    /// `requestContext` that holds only `sourceIp`).
    pub fn is_function_url(&self) -> bool {
        is_function_url(self.request_context.as_ref(), &self.headers)
    }
}

pub(crate) type HeaderMap = BTreeMap<String, EventValue>;

/// See [`ApiGatewayEvent::request_id`].
pub(crate) fn request_id<'a>(context: Option<&'a RequestContext>, headers: &'a HeaderMap) -> Option<&'a str> {
    non_empty(context.and_then(|c| c.request_id.as_deref()))
        .or_else(|| header(headers, "x-api-requestid"))
        .or_else(
            || if is_function_url(context, headers) { header(headers, "x-scf-request-id") } else { None },
        )
}

/// See [`ApiGatewayEvent::source_ip`].
pub(crate) fn source_ip<'a>(context: Option<&'a RequestContext>, headers: &'a HeaderMap) -> Option<&'a str> {
    let in_context = context.and_then(|c| {
        non_empty(Some(&c.source_ip)).or_else(|| non_empty(c.identity.extra.get("sourceIp")?.as_str()))
    });
    in_context.or_else(|| {
        if is_function_url(context, headers) { header(headers, "x-scf-remote-addr") } else { None }
    })
}

/// See [`ApiGatewayEvent::is_function_url`].
pub(crate) fn is_function_url(context: Option<&RequestContext>, headers: &HeaderMap) -> bool {
    match context {
        None => true,
        Some(c) => c.service_id.is_empty() && header(headers, "x-scf-request-id").is_some(),
    }
}

/// The first non-empty value of header `name`, whatever its case.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).find_map(|(_, v)| non_empty(v.first()))
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

pub(crate) const SHAPE: &str = "Tencent API Gateway or function-URL event";
