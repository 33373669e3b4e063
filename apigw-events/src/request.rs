//! [`Request`]: one provider-neutral view of a gateway request, read from
//! either vendor's event.

use crate::body::Body;
use crate::error::{Attempt, Error, from_value_as};
use crate::fields::{Headers, Query};
use crate::shape::{ALIYUN_KEY, Shape};
use crate::{aliyun, tencent, wire};
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

/// Which front door a request came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FrontDoor {
    /// An API Gateway trigger (either vendor).
    ApiGateway,
    /// A Tencent function URL: no stage, no declared parameters; the request
    /// id and the caller arrive as `x-scf-*` headers.
    FunctionUrl,
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
    /// The front door the event came through; `None` when built by hand or
    /// from plain HTTP.
    pub front_door: Option<FrontDoor>,
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
    /// The gateway's id for this request (`x-scf-request-id` on a function
    /// URL's event).
    pub request_id: Option<String>,
    /// The caller's IP address (`x-scf-remote-addr` on a function URL's
    /// event).
    pub source_ip: Option<String>,
    /// The key id the gateway's auth check verified, and nothing a caller
    /// merely sent: Tencent's `requestContext.identity.secretId`, which
    /// Tencent sets only after key-pair auth; Alibaba's `X-Ca-Key` header,
    /// which the local gateway passes on only as the AppKey its app-signature
    /// or AppCode check verified (on Alibaba itself, trust it only on APIs
    /// whose auth is an app's). `None` for other auth, OAuth included.
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
            && let Ok(event) = serde_json::from_str::<wire::Tencent>(text)
            && !event.extra.contains_key(ALIYUN_KEY)
        {
            return Some(Self::from_tencent(event));
        }
        match Shape::peek(text.as_bytes())? {
            // Tried as Tencent's above (it did not fit, or its marker hid in
            // escapes): the `Value` path settles it, and names what did not
            // fit, without reading the text into the same type again.
            Shape::Tencent if tried_tencent => None,
            Shape::Tencent => serde_json::from_str::<wire::Tencent>(text).ok().map(Self::from_tencent),
            Shape::Aliyun => serde_json::from_str::<wire::Aliyun>(text).ok().map(Self::from_aliyun),
            Shape::Unmarked => None,
        }
    }

    /// Reads either vendor's event from a JSON value (see [`Request::from_slice`]).
    ///
    /// When the event fits no shape, the error lists each shape and why it
    /// did not fit: where the event went wrong for the shapes its fields
    /// allow, and which field ruled out the others.
    pub fn from_value(value: serde_json::Value) -> Result<Self, Error> {
        let Some(object) = value.as_object() else {
            return Err(Error::Json {
                what: "API Gateway event",
                path: ".".into(),
                message: format!("expected a JSON object, found {}", kind(&value)),
            });
        };
        let shape = Shape::of_keys(object.keys().map(String::as_str));
        let ruled_out = crate::shape::ruled_out(shape, object);
        let unsupported = crate::shape::unsupported(object);
        let tries: &[Shape] = match shape {
            Shape::Unmarked => &[Shape::Tencent, Shape::Aliyun],
            Shape::Tencent => &[Shape::Tencent],
            Shape::Aliyun => &[Shape::Aliyun],
        };
        let mut value = value;
        let mut attempts = Vec::with_capacity(2);
        for (i, tried) in tries.iter().enumerate() {
            // Cloned only when another try may follow.
            let event = if i + 1 < tries.len() { value.clone() } else { std::mem::take(&mut value) };
            let read = match tried {
                Shape::Tencent => {
                    from_value_as::<wire::Tencent>(tencent::SHAPE, event).map(Self::from_tencent)
                }
                _ => from_value_as::<wire::Aliyun>(aliyun::SHAPE, event).map(Self::from_aliyun),
            };
            match read {
                Ok(request) => return request,
                Err(e) => attempts.push(attempt(e)),
            }
        }
        if let Some(unsupported) = unsupported {
            return Err(unsupported);
        }
        attempts.extend(ruled_out.map(|(shape, path, message)| Attempt {
            shape,
            path: path.to_owned(),
            message: message.to_owned(),
        }));
        Err(Error::UnrecognisedEvent { attempts })
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
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Request::from_value(value).map_err(serde::de::Error::custom)
    }
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
