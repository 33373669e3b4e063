//! [`Request`]: one provider-neutral view of a gateway request, read from
//! either vendor's event.

use crate::body::{Body, decode_body, encode_base64};
use crate::error::{Attempt, Error, from_value_as};
use crate::fields::{Headers, Query, headers_from_map};
use crate::shape::{ALIYUN_KEY, Shape};
use crate::{aliyun, tencent};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which vendor's event a [`Request`] was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Tencent Cloud API Gateway → SCF.
    Tencent,
    /// Alibaba Cloud API Gateway → Function Compute.
    Aliyun,
}

/// What the gateway knows about a request beyond plain HTTP: the matched API,
/// its declared parameters, the stage, the caller.
///
/// With the `http` feature it travels in the extensions of an
/// `http::Request<Body>` converted from a [`Request`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatewayContext {
    /// The vendor whose event this came from; `None` when built by hand or
    /// from plain HTTP.
    pub vendor: Option<Vendor>,
    /// The path parameters of the matched API (`/user/{id}` → `id`).
    pub path_parameters: BTreeMap<String, String>,
    /// The query parameters declared on the API.
    pub query_parameters: BTreeMap<String, String>,
    /// The header parameters declared on the API.
    pub header_parameters: BTreeMap<String, String>,
    /// The stage: `release`, `prepub`, `test`.
    pub stage: Option<String>,
    /// The stage's variables.
    pub stage_variables: BTreeMap<String, String>,
    /// The gateway's id for this request.
    pub request_id: Option<String>,
    /// The caller's IP address.
    pub source_ip: Option<String>,
    /// The key id the caller signed with (Tencent `identity.secretId`,
    /// Alibaba `X-Ca-Key`).
    pub key_id: Option<String>,
    /// The API's configured path pattern, e.g. `/user/{id}`.
    pub api_path: Option<String>,
    /// The API Gateway service id (Tencent).
    pub service_id: Option<String>,
}

/// An HTTP request as it reached the gateway, whichever vendor's event
/// carried it: method, path, the whole query, headers, body bytes (base64
/// already decoded), and the gateway's [`GatewayContext`].
///
/// It deserializes from either vendor's event, recognising the shape:
///
/// ```
/// use apigw_events::Request;
///
/// let req: Request = serde_json::from_str(r#"{
///     "requestContext": {"path": "/user/{id}", "httpMethod": "ANY", "stage": "test"},
///     "httpMethod": "POST", "path": "/user/7",
///     "headers": {"Content-Type": "application/json"},
///     "pathParameters": {"id": "7"},
///     "queryString": {"tag": ["a", "b"]},
///     "body": "eyJuIjoxfQ==", "isBase64Encoded": true
/// }"#)?;
/// assert_eq!(req.method, "POST");
/// assert_eq!(req.path_param("id"), Some("7"));
/// assert_eq!(req.query_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(req.header("content-type"), Some("application/json"));
/// assert_eq!(req.json::<serde_json::Value>()?["n"], 1);
/// assert_eq!(req.context.stage.as_deref(), Some("test"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// The HTTP method as sent, e.g. `GET`.
    pub method: String,
    /// The real path, e.g. `/user/7`.
    pub path: String,
    /// The whole query, in order, repeated keys kept.
    pub query: Query,
    /// Every header, case-insensitive.
    pub headers: Headers,
    /// The body, base64 already decoded.
    pub body: Body,
    /// What the gateway adds: parameters, stage, request id, caller.
    pub context: GatewayContext,
}

impl Request {
    /// Reads either vendor's event from JSON bytes.
    ///
    /// The shape is recognised by its fields (`requestContext`, `queryString`
    /// … for Tencent; `queryParameters` for Alibaba); when none is present
    /// each shape is tried, and the error says why each did not fit.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        // The text is checked for UTF-8 once, which is cheaper than
        // serde_json checking each string.
        if let Ok(text) = std::str::from_utf8(bytes)
            && let Some(request) = Self::from_vendor_type(text)
        {
            return request;
        }
        // Through a `Value`, which finds the field that did not fit and
        // names it.
        let value: serde_json::Value = crate::error::from_slice_as("API Gateway event", bytes)?;
        Self::from_value(value)
    }

    /// Reads `text` straight into a vendor's type, or `None` when that is not
    /// clearly right or the event does not fit.
    fn from_vendor_type(text: &str) -> Option<Result<Self, Error>> {
        // An event without Alibaba's marker is either Tencent's or unmarked,
        // and an unmarked event is read as Tencent's first too: one pass
        // straight into Tencent's type settles most events. Its unknown
        // fields show whether the marker was there after all (spelled with
        // escapes the byte search does not see).
        let tried_tencent = memchr::memmem::find(text.as_bytes(), ALIYUN_KEY.as_bytes()).is_none();
        if tried_tencent
            && let Ok(event) = serde_json::from_str::<tencent::ApiGatewayEvent>(text)
            && !event.extra.contains_key(ALIYUN_KEY)
        {
            return Some(Self::try_from(event));
        }
        match Shape::peek(text.as_bytes())? {
            // Tried as Tencent's above (it did not fit, or its marker hid in
            // escapes): the `Value` path settles it, and names what did not
            // fit, without reading the text into the same type again.
            Shape::Tencent if tried_tencent => None,
            Shape::Tencent => serde_json::from_str::<tencent::ApiGatewayEvent>(text).ok().map(Self::try_from),
            Shape::Aliyun => serde_json::from_str::<aliyun::ApiGatewayEvent>(text).ok().map(Self::try_from),
            Shape::Unmarked => None,
        }
    }

    /// Reads either vendor's event from a JSON value (see [`Request::from_slice`]).
    pub fn from_value(value: serde_json::Value) -> Result<Self, Error> {
        let Some(object) = value.as_object() else {
            return Err(Error::Json {
                what: "API Gateway event",
                path: ".".into(),
                message: format!("expected a JSON object, found {}", kind(&value)),
            });
        };
        match Shape::of_keys(object.keys().map(String::as_str)) {
            Shape::Tencent => {
                return from_value_as::<tencent::ApiGatewayEvent>(tencent::SHAPE, value)?.try_into();
            }
            Shape::Aliyun => {
                return from_value_as::<aliyun::ApiGatewayEvent>(aliyun::SHAPE, value)?.try_into();
            }
            Shape::Unmarked => {}
        }
        // Function-URL events carry neither marker: try each shape in turn.
        let as_tencent = from_value_as::<tencent::ApiGatewayEvent>(tencent::SHAPE, value.clone());
        let tencent_err = match as_tencent {
            Ok(event) => return event.try_into(),
            Err(e) => e,
        };
        let aliyun_err = match from_value_as::<aliyun::ApiGatewayEvent>(aliyun::SHAPE, value) {
            Ok(event) => return event.try_into(),
            Err(e) => e,
        };
        Err(Error::UnrecognisedEvent { attempts: vec![attempt(tencent_err), attempt(aliyun_err)] })
    }

    /// The first value of query key `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.get(name)
    }

    /// Every value of query key `name`.
    pub fn query_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query.get_all(name)
    }

    /// The first value of header `name`, whatever its case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The value of path parameter `name`.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.context.path_parameters.get(name).map(String::as_str)
    }

    /// The value of stage variable `name`.
    pub fn stage_variable(&self, name: &str) -> Option<&str> {
        self.context.stage_variables.get(name).map(String::as_str)
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(self.body.as_bytes())
            .map_err(|e| Error::NotUtf8 { what: "request body", valid_up_to: e.valid_up_to() })
    }

    /// The body read as JSON into `T`; the error names the field that failed.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        crate::error::from_slice_as("request body", self.body.as_bytes())
    }

    /// The event Tencent's gateway would send for this request. A body that is
    /// not UTF-8 travels as base64.
    pub fn to_tencent_event(&self) -> tencent::ApiGatewayEvent {
        let ctx = &self.context;
        let (body, is_base64_encoded) = wire_body(&self.body);
        tencent::ApiGatewayEvent {
            request_context: Some(tencent::RequestContext {
                service_id: ctx.service_id.clone().unwrap_or_default(),
                path: ctx.api_path.clone().unwrap_or_else(|| self.path.clone()),
                http_method: self.method.clone(),
                request_id: ctx.request_id.clone(),
                identity: tencent::Identity { secret_id: ctx.key_id.clone(), ..Default::default() },
                source_ip: ctx.source_ip.clone().unwrap_or_default(),
                stage: ctx.stage.clone().unwrap_or_default(),
                extra: Default::default(),
            }),
            headers: self.headers.to_map(),
            body,
            path_parameters: ctx.path_parameters.clone(),
            query_string_parameters: ctx.query_parameters.clone(),
            header_parameters: ctx.header_parameters.clone(),
            stage_variables: ctx.stage_variables.clone(),
            path: self.path.clone(),
            query_string: self.query.to_map(),
            http_method: self.method.clone(),
            is_base64_encoded,
            extra: Default::default(),
        }
    }

    /// The event Alibaba's gateway would send for this request. A body that is
    /// not UTF-8 travels as base64.
    pub fn to_aliyun_event(&self) -> aliyun::ApiGatewayEvent {
        let (body, is_base64_encoded) = wire_body(&self.body);
        aliyun::ApiGatewayEvent {
            path: self.path.clone(),
            http_method: self.method.clone(),
            headers: self.headers.to_map(),
            query_parameters: self.query.to_map(),
            path_parameters: self.context.path_parameters.clone(),
            body,
            is_base64_encoded,
            extra: Default::default(),
        }
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Request::from_value(value).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<tencent::ApiGatewayEvent> for Request {
    type Error = Error;

    fn try_from(event: tencent::ApiGatewayEvent) -> Result<Self, Error> {
        let body = Body::from(decode_body(event.body.as_deref(), event.is_base64_encoded)?);
        let request_id = event.request_id().map(str::to_owned);
        // Older events carry only the declared parameters, not `queryString`.
        let query = if event.query_string.is_empty() {
            event.query_string_parameters.iter().collect()
        } else {
            Query::from_map(event.query_string)
        };
        let rc = event.request_context.unwrap_or_default();
        Ok(Request {
            method: event.http_method,
            path: event.path,
            query,
            headers: headers_from_map(event.headers),
            body,
            context: GatewayContext {
                vendor: Some(Vendor::Tencent),
                path_parameters: event.path_parameters,
                query_parameters: event.query_string_parameters,
                header_parameters: event.header_parameters,
                stage: non_empty(rc.stage),
                stage_variables: event.stage_variables,
                request_id,
                source_ip: non_empty(rc.source_ip),
                key_id: rc.identity.secret_id,
                api_path: non_empty(rc.path),
                service_id: non_empty(rc.service_id),
            },
        })
    }
}

impl TryFrom<aliyun::ApiGatewayEvent> for Request {
    type Error = Error;

    /// Alibaba's event carries the gateway's facts as headers: the stage in
    /// `X-Ca-Stage`, the request id in `X-Ca-Api-Gateway`, the caller in
    /// `X-Forwarded-For` and the key in `X-Ca-Key`.
    fn try_from(event: aliyun::ApiGatewayEvent) -> Result<Self, Error> {
        let body = Body::from(decode_body(event.body.as_deref(), event.is_base64_encoded)?);
        let headers = headers_from_map(event.headers);
        let header = |name: &str| headers.get(name).map(str::to_owned);
        let context = GatewayContext {
            vendor: Some(Vendor::Aliyun),
            path_parameters: event.path_parameters,
            stage: header("x-ca-stage").map(|s| s.to_ascii_lowercase()),
            request_id: header("x-ca-api-gateway").or_else(|| header("x-ca-request-id")),
            source_ip: header("x-forwarded-for")
                .and_then(|v| v.split(',').next().map(|ip| ip.trim().to_owned())),
            key_id: header("x-ca-key"),
            ..GatewayContext::default()
        };
        Ok(Request {
            method: event.http_method,
            path: event.path,
            query: Query::from_map(event.query_parameters),
            headers,
            body,
            context,
        })
    }
}

fn wire_body(body: &Body) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    match body.as_str() {
        Some(text) => (Some(text.to_owned()), false),
        None => (Some(encode_base64(body.as_bytes())), true),
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn attempt(err: Error) -> Attempt {
    match err {
        Error::Json { what, path, message } => Attempt { shape: what, path, message },
        other => Attempt { shape: "event", path: ".".into(), message: other.to_string() },
    }
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
