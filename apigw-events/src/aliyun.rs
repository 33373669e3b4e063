//! The event Alibaba Cloud API Gateway sends to a Function Compute event
//! function.
//!
//! ```
//! use apigw_events::aliyun::ApiGatewayEvent;
//!
//! let event = ApiGatewayEvent::from_slice(br#"{
//!     "path": "/fc/test/invoke/test", "httpMethod": "POST",
//!     "headers": {"Content-Type": "application/json"},
//!     "queryParameters": {"param1": "aaa"}, "pathParameters": {"type": "test"},
//!     "body": "eyJhIjoxfQ==", "isBase64Encoded": "true"
//! }"#)?;
//! assert_eq!(event.body_bytes()?, br#"{"a":1}"#);
//! assert_eq!(event.path_parameters["type"], "test");
//! # Ok::<(), apigw_events::Error>(())
//! ```

use crate::de::{Extra, lenient_bool, null_as_default};
use crate::scalar::{EventValue, Scalar};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The event of an API whose backend is a Function Compute event function.
///
/// Map values keep what was sent: numbers have been seen among them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGatewayEvent {
    /// The real path of the request.
    pub path: String,
    /// The HTTP method.
    #[serde(alias = "method")]
    pub http_method: String,
    /// All headers, system headers (`X-Ca-*`) included.
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: BTreeMap<String, EventValue>,
    /// The query parameters; a repeated key holds a list.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_parameters: BTreeMap<String, EventValue>,
    /// The path parameters of the API's path pattern.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path_parameters: BTreeMap<String, Scalar>,
    /// The request body; base64 when `is_base64_encoded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Whether `body` is base64: a boolean, or `"true"`/`"false"`.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_base64_encoded: bool,
    /// Fields this version does not know.
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
}

pub(crate) const SHAPE: &str = "Alibaba API Gateway event";
