//! The vendors' events as a [`Request`](crate::Request) reads them: the same
//! fields as [`tencent::ApiGatewayEvent`] and [`aliyun::ApiGatewayEvent`],
//! except that the parameter maps are read straight into text.
//!
//! The typed events keep each map value as it was sent ([`Scalar`](crate::Scalar)); a
//! `Request` holds text. Reading the event into these types moves each
//! string from the JSON into the `Request` as it is, where going through
//! the typed events would build every parameter map twice. Both accept the
//! same documents: `tests/fixtures.rs` reads every fixture both ways.

use crate::de::{Extra, lenient_bool, null_as_default};
use crate::scalar::{EventValue, into_text_map, text_map};
use crate::{aliyun, tencent};
use serde::Deserialize;
use std::collections::BTreeMap;

/// [`tencent::ApiGatewayEvent`], its parameter maps as text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tencent {
    #[serde(default)]
    pub(crate) request_context: Option<tencent::RequestContext>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) headers: BTreeMap<String, EventValue>,
    #[serde(default)]
    pub(crate) body: Option<String>,
    #[serde(default, deserialize_with = "text_map")]
    pub(crate) path_parameters: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "text_map")]
    pub(crate) query_string_parameters: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "text_map")]
    pub(crate) header_parameters: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "text_map")]
    pub(crate) stage_variables: BTreeMap<String, String>,
    pub(crate) path: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) query_string: BTreeMap<String, EventValue>,
    #[serde(alias = "method")]
    pub(crate) http_method: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) is_base64_encoded: bool,
    /// Unknown fields: kept only so that Alibaba's marker, spelled with
    /// escapes a byte search does not see, can still be found.
    #[serde(flatten)]
    pub(crate) extra: Extra,
}

impl From<tencent::ApiGatewayEvent> for Tencent {
    fn from(e: tencent::ApiGatewayEvent) -> Self {
        Tencent {
            request_context: e.request_context,
            headers: e.headers,
            body: e.body,
            path_parameters: into_text_map(e.path_parameters),
            query_string_parameters: into_text_map(e.query_string_parameters),
            header_parameters: into_text_map(e.header_parameters),
            stage_variables: into_text_map(e.stage_variables),
            path: e.path,
            query_string: e.query_string,
            http_method: e.http_method,
            is_base64_encoded: e.is_base64_encoded,
            extra: e.extra,
        }
    }
}

/// [`aliyun::ApiGatewayEvent`], its path parameters as text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Aliyun {
    pub(crate) path: String,
    #[serde(alias = "method")]
    pub(crate) http_method: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) headers: BTreeMap<String, EventValue>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) query_parameters: BTreeMap<String, EventValue>,
    #[serde(default, deserialize_with = "text_map")]
    pub(crate) path_parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) body: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(crate) is_base64_encoded: bool,
}

impl From<aliyun::ApiGatewayEvent> for Aliyun {
    fn from(e: aliyun::ApiGatewayEvent) -> Self {
        Aliyun {
            path: e.path,
            http_method: e.http_method,
            headers: e.headers,
            query_parameters: e.query_parameters,
            path_parameters: into_text_map(e.path_parameters),
            body: e.body,
            is_base64_encoded: e.is_base64_encoded,
        }
    }
}
