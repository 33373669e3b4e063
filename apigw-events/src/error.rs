//! The one error type of this crate.

use std::fmt;

/// What went wrong while reading an event or a response, or converting one.
///
/// Every variant names what it was reading and, for JSON, the path of the
/// field that failed (`requestContext.httpMethod`, `headers.accept[1]`, …).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The JSON did not have the shape of `what`.
    #[error("invalid {what} at `{path}`: {message}")]
    Json {
        /// What was being read, e.g. "Tencent API Gateway event".
        what: &'static str,
        /// The JSON path of the field that failed, `.` for the document itself.
        path: String,
        /// What serde said about that field.
        message: String,
    },
    /// An event matched none of the shapes a [`Request`](crate::Request) can be read from.
    #[error("the event fits none of the shapes a request is read from: {}", Attempts(.attempts))]
    UnrecognisedEvent {
        /// Each shape and why it did not fit: where the event went wrong for
        /// the shapes that were tried, and the field that ruled out the
        /// others.
        attempts: Vec<Attempt>,
    },
    /// An event of a kind this crate recognises but does not read as a
    /// [`Request`](crate::Request).
    #[error("the event is {what}: {advice}")]
    UnsupportedEvent {
        /// What the event is.
        what: &'static str,
        /// What to do instead.
        advice: &'static str,
    },
    /// A body flagged `isBase64Encoded` was not valid base64.
    #[error("`{field}` is flagged as base64 but is not valid base64: {source}")]
    Base64 {
        /// The field holding the body.
        field: &'static str,
        /// The decoder's complaint.
        source: base64::DecodeError,
    },
    /// Bytes that had to be UTF-8 text were not.
    #[error("{what} is not UTF-8 (invalid byte at offset {valid_up_to})")]
    NotUtf8 {
        /// What was read, e.g. "request body".
        what: &'static str,
        /// How many bytes were valid before the first invalid one.
        valid_up_to: usize,
    },
    /// A value could not be turned into the `http` crate's type.
    #[error("invalid {what} `{value}`: {message}")]
    Http {
        /// Which part: "method", "uri", "header name", "header value", "status code".
        what: &'static str,
        /// The offending value (lossily printed).
        value: String,
        /// Why it was refused.
        message: String,
    },
}

/// One shape considered while recognising an event, and why it did not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The shape, e.g. "Tencent API Gateway event".
    pub shape: &'static str,
    /// The JSON path that failed.
    pub path: String,
    /// What was wrong there.
    pub message: String,
}

struct Attempts<'a>(&'a [Attempt]);

impl fmt::Display for Attempts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} at `{}`: {}", a.shape, a.path, a.message)?;
        }
        Ok(())
    }
}

impl Error {
    /// The JSON path that failed, when the error is about a JSON field.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Json { path, .. } => Some(path),
            _ => None,
        }
    }

    pub(crate) fn json(what: &'static str, err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = err.path().to_string();
        let inner = err.into_inner();
        Error::Json { what, path, message: strip_position(&inner) }
    }

    #[cfg(feature = "http")]
    pub(crate) fn http(what: &'static str, value: impl fmt::Display, err: impl fmt::Display) -> Self {
        Error::Http { what, value: value.to_string(), message: err.to_string() }
    }
}

/// serde_json appends " at line 1 column 5"; keep the message and the position
/// only when it is a syntax error (where the path alone says nothing).
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    if err.is_syntax() || err.is_eof() {
        return text;
    }
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Decodes `T` from JSON bytes, naming the path of the first field that failed.
///
/// ```
/// use apigw_events::{from_slice, tencent::ApiGatewayEvent};
///
/// let err = from_slice::<ApiGatewayEvent>(br#"{"httpMethod": 7, "path": "/"}"#).unwrap_err();
/// assert_eq!(err.path(), Some("httpMethod"));
/// ```
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    from_slice_as(std::any::type_name::<T>(), bytes)
}

pub(crate) fn from_slice_as<T: serde::de::DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| Error::json(what, e))?;
    // Trailing garbage after the document is an error too.
    de.end().map_err(|e| Error::Json { what, path: ".".into(), message: e.to_string() })?;
    Ok(value)
}

pub(crate) fn from_value_as<T: serde::de::DeserializeOwned>(
    what: &'static str,
    value: serde_json::Value,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::json(what, e))
}
