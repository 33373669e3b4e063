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

use crate::de::{MultiValue, lenient_bool, null_as_default};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fields a vendor added that this version does not know: kept as they came,
/// so a parse → serialize round trip loses nothing.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// The event of an API Gateway trigger (integration request).
///
/// Every field the platform may leave out is optional or reads as empty;
/// `method` is accepted for `httpMethod`; `isBase64Encoded` may be a boolean or
/// the string `"true"`/`"false"`; a `null` map reads as an empty one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGatewayEvent {
    /// Where the request came in: service, API path, stage, identity. Absent on
    /// function-URL events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_context: Option<RequestContext>,
    /// Every header that arrived. Names keep the case the gateway sent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: BTreeMap<String, MultiValue>,
    /// The request body as a string; base64 when `is_base64_encoded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The path parameters declared on the API, with their values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path_parameters: BTreeMap<String, String>,
    /// The query parameters declared on the API, with their values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_string_parameters: BTreeMap<String, String>,
    /// The header parameters declared on the API, with their values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub header_parameters: BTreeMap<String, String>,
    /// The variables of the stage the request came in on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stage_variables: BTreeMap<String, String>,
    /// The real path of the request, e.g. `/test/value`.
    pub path: String,
    /// The whole real query; a repeated key holds a list.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_string: BTreeMap<String, MultiValue>,
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

impl ApiGatewayEvent {
    /// Reads an event from JSON bytes; the error names the field that failed.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, crate::Error> {
        crate::error::from_slice_as(SHAPE, bytes)
    }

    /// The body as bytes, base64-decoded when the event says so.
    pub fn body_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        crate::body::decode_body(self.body.as_deref(), self.is_base64_encoded)
    }

    /// The gateway's request id, from `requestContext` or the
    /// `x-api-requestid` header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_context.as_ref().and_then(|c| c.request_id.as_deref()).or_else(|| {
            self.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("x-api-requestid"))
                .and_then(|(_, v)| v.first())
        })
    }
}

pub(crate) const SHAPE: &str = "Tencent API Gateway event";
