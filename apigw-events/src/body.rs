//! Request and response bodies as bytes, and their base64 form on the wire.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use std::fmt;

/// A request or response body: bytes, with base64 already decoded.
///
/// Cheap to clone (it is a [`Bytes`]). With the `http` feature it is an
/// [`http_body::Body`], so it goes into `http::Request<Body>` and into a
/// `tower::Service` such as an axum `Router` as it is.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Body(Bytes);

impl Body {
    /// An empty body.
    pub const fn empty() -> Self {
        Body(Bytes::new())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as [`Bytes`].
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The body as UTF-8 text, if it is.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(text) => f.debug_tuple("Body").field(&text).finish(),
            None => write!(f, "Body(<{} bytes>)", self.0.len()),
        }
    }
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

macro_rules! body_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Body {
            fn from(v: $t) -> Self {
                Body(Bytes::from(v))
            }
        }
    )*};
}
body_from!(Vec<u8>, String, &'static str, &'static [u8], Bytes);

impl From<()> for Body {
    fn from((): ()) -> Self {
        Body::empty()
    }
}

/// Encodes bytes as standard base64, as both gateways expect.
pub fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub(crate) fn decode_base64(field: &'static str, text: &str) -> Result<Vec<u8>, crate::Error> {
    STANDARD.decode(text.trim()).map_err(|source| crate::Error::Base64 { field, source })
}

pub(crate) fn decode_body(body: Option<&str>, base64: bool) -> Result<Vec<u8>, crate::Error> {
    match body {
        None => Ok(Vec::new()),
        Some(text) if base64 => decode_base64("body", text),
        Some(text) => Ok(text.as_bytes().to_vec()),
    }
}

/// Whether a body of this `Content-Type` travels as text (`true`) or base64.
///
/// Text: `text/*`, JSON, XML, JavaScript, form data, and any `+json` or `+xml`
/// type. Everything else, and a missing type, is binary.
///
/// ```
/// use apigw_events::is_text_content_type;
/// assert!(is_text_content_type("application/problem+json; charset=utf-8"));
/// assert!(!is_text_content_type("image/png"));
/// ```
pub fn is_text_content_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    kind == "text"
        || sub.ends_with("+json")
        || sub.ends_with("+xml")
        || matches!(
            (kind, sub),
            ("application", "json" | "xml" | "javascript" | "ecmascript" | "x-javascript")
                | ("application", "x-www-form-urlencoded" | "graphql" | "yaml" | "x-yaml")
                | ("multipart", "form-data")
        )
}
