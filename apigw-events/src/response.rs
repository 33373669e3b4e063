//! [`IntegrationResponse`]: what a function returns to the gateway when
//! response integration is on.

use crate::body::{decode_base64, encode_base64, is_text_content_type};
use crate::de::{Extra, MultiValue, lenient_bool, null_as_default};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The integration response both vendors read:
/// `{"isBase64Encoded", "statusCode", "headers", "body"}`.
///
/// A header whose value is a list is sent as a repeated header. When
/// `is_base64_encoded` is true the gateway decodes `body` before sending it.
/// Fields the gateway does not read (a framework's marker, say) are kept in
/// [`IntegrationResponse::extra`] through a parse → serialize round trip.
///
/// ```
/// use apigw_events::IntegrationResponse;
///
/// let res = IntegrationResponse::html("<h1>Hi</h1>")
///     .with_status(201)
///     .with_header("Set-Cookie", "a=1")
///     .with_header("Set-Cookie", "b=2");
/// assert_eq!(
///     serde_json::to_value(&res)?,
///     serde_json::json!({
///         "isBase64Encoded": false,
///         "statusCode": 201,
///         "headers": {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": ["a=1", "b=2"]},
///         "body": "<h1>Hi</h1>"
///     })
/// );
///
/// let png = IntegrationResponse::binary(vec![0x89, b'P', b'N', b'G'], "image/png");
/// assert!(png.is_base64_encoded);
/// assert_eq!(png.body, "iVBORw==");
/// assert_eq!(png.body_bytes()?, [0x89, b'P', b'N', b'G']);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationResponse {
    /// Whether `body` is base64 (the gateway decodes it).
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_base64_encoded: bool,
    /// The HTTP status code.
    pub status_code: u16,
    /// Response headers; a list value repeats the header.
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: BTreeMap<String, MultiValue>,
    /// The body: text, or base64 when `is_base64_encoded`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub body: String,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Default for IntegrationResponse {
    fn default() -> Self {
        Self::new(200)
    }
}

impl IntegrationResponse {
    /// An empty response with this status.
    pub fn new(status_code: u16) -> Self {
        IntegrationResponse {
            is_base64_encoded: false,
            status_code,
            headers: BTreeMap::new(),
            body: String::new(),
            extra: Extra::new(),
        }
    }

    /// 200 with a `text/plain; charset=utf-8` body.
    pub fn text(body: impl Into<String>) -> Self {
        Self::with_text_body(body.into(), "text/plain; charset=utf-8")
    }

    /// 200 with a `text/html; charset=utf-8` body.
    pub fn html(body: impl Into<String>) -> Self {
        Self::with_text_body(body.into(), "text/html; charset=utf-8")
    }

    /// 200 with `value` serialized as an `application/json` body.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        Ok(Self::with_text_body(serde_json::to_string(value)?, "application/json"))
    }

    /// 200 with a binary body: base64-encoded, the flag set for you.
    pub fn binary(bytes: impl AsRef<[u8]>, content_type: &str) -> Self {
        let mut res = Self::new(200).with_header("Content-Type", content_type);
        res.body = encode_base64(bytes.as_ref());
        res.is_base64_encoded = true;
        res
    }

    /// 200 with `bytes` as text when `content_type` is a text type and the
    /// bytes are UTF-8 (see [`is_text_content_type`]), as base64 otherwise.
    pub fn from_bytes(bytes: impl AsRef<[u8]>, content_type: Option<&str>) -> Self {
        let mut res = Self::new(200);
        if let Some(ct) = content_type {
            res = res.with_header("Content-Type", ct);
        }
        res.set_body_bytes(bytes.as_ref(), content_type);
        res
    }

    /// Sets the body from bytes: text when `content_type` is a text type (or
    /// the body is empty) and the bytes are UTF-8, base64 otherwise.
    pub fn set_body_bytes(&mut self, bytes: &[u8], content_type: Option<&str>) {
        let text = bytes.is_empty() || content_type.is_some_and(is_text_content_type);
        match std::str::from_utf8(bytes) {
            Ok(s) if text => {
                self.body = s.to_owned();
                self.is_base64_encoded = false;
            }
            _ => {
                self.body = encode_base64(bytes);
                self.is_base64_encoded = true;
            }
        }
    }

    fn with_text_body(body: String, content_type: &str) -> Self {
        let mut res = Self::new(200).with_header("Content-Type", content_type);
        res.body = body;
        res
    }

    /// Sets the status code.
    pub fn with_status(mut self, status_code: u16) -> Self {
        self.status_code = status_code;
        self
    }

    /// Adds a header; a name already present (in any case) becomes a
    /// repeated header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.append_header(name, value);
        self
    }

    /// Adds a header in place (see [`IntegrationResponse::with_header`]).
    pub fn append_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        match self.headers.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&name)) {
            Some((_, values)) => values.push(value),
            None => {
                self.headers.insert(name, MultiValue::One(value.into()));
            }
        }
    }

    /// Sets a header, replacing every value it had (in any case).
    pub fn set_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.headers.retain(|k, _| !k.eq_ignore_ascii_case(&name));
        self.headers.insert(name, MultiValue::One(value.into()));
    }

    /// The first value of header `name`, whatever its case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.first())
    }

    /// The body as bytes, base64-decoded when flagged.
    pub fn body_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        if self.is_base64_encoded {
            decode_base64("body", &self.body)
        } else {
            Ok(self.body.as_bytes().to_vec())
        }
    }

    /// Reads a response from JSON bytes; the error names the field that
    /// failed (a non-integer `statusCode`, a header value that is not a
    /// string or a list of strings …).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, crate::Error> {
        crate::error::from_slice_as("integration response", bytes)
    }
}
