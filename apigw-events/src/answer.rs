//! Answers a handler gives without building an [`IntegrationResponse`] by
//! hand: [`Json`] for any `Serialize` value, and [`HttpError`], an error
//! that carries its own status and body.

use crate::{IntegrationResponse, IntoResponse};
use serde::Serialize;
use std::fmt;

/// Any `Serialize` value, answered as `application/json` with status 200.
///
/// ```
/// use apigw_events::{IntoResponse, Json};
///
/// #[derive(serde::Serialize)]
/// struct Order { id: u32 }
///
/// let res = Json(Order { id: 7 }).into_response();
/// assert_eq!(res.status_code, 200);
/// assert_eq!(res.header("content-type"), Some("application/json"));
/// assert_eq!(res.body, r#"{"id":7}"#);
/// ```
///
/// A value that cannot be serialized (a map with non-string keys, a
/// `Serialize` impl that fails) answers 500 with the serializer's message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> IntegrationResponse {
        IntegrationResponse::json(&self.0).unwrap_or_else(|e| {
            HttpError::new(500, format!("the response cannot be serialized as JSON: {e}")).into_response()
        })
    }
}

/// A handler error that answers the caller with its own status and body,
/// instead of failing the invocation (a 502 at the gateway).
///
/// Return it as the handler's error type (`Result<R, HttpError>`), or
/// boxed as `Box<dyn std::error::Error + Send + Sync>`; the runtime answers
/// it as an integration response. Any other error type stays an
/// invocation error, `anyhow::Error` included even when it wraps an
/// `HttpError` (the runtime sees only the `anyhow::Error`): a handler that
/// answers statuses returns `HttpError`, converting its own errors with
/// `From` or [`HttpError::from_response`].
///
/// ```
/// use apigw_events::{HttpError, IntoResponse};
///
/// let err = HttpError::bad_request("`quantity` must be positive");
/// assert_eq!(err.status(), 400);
/// assert_eq!(err.to_string(), "400: `quantity` must be positive");
/// let res = err.into_response();
/// assert_eq!(res.status_code, 400);
/// assert_eq!(res.body, r#"{"message":"`quantity` must be positive"}"#);
/// ```
///
/// Any [`IntoResponse`] value becomes one with [`HttpError::from_response`]:
///
/// ```
/// use apigw_events::{HttpError, IntegrationResponse};
///
/// let err = HttpError::from_response(IntegrationResponse::text("gone").with_status(410));
/// assert_eq!((err.status(), err.response().body.as_str()), (410, "gone"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HttpError {
    message: String,
    response: IntegrationResponse,
}

#[derive(Serialize)]
struct MessageBody<'a> {
    message: &'a str,
}

impl HttpError {
    /// An error answering `status` with the JSON body `{"message": …}`.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        let message = message.into();
        let response = IntegrationResponse::json(&MessageBody { message: &message })
            .unwrap_or_else(|_| IntegrationResponse::text(message.clone()))
            .with_status(status);
        HttpError { message, response }
    }

    /// A 400 Bad Request with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        HttpError::new(400, message)
    }

    /// A 404 Not Found with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        HttpError::new(404, message)
    }

    /// An error answering whatever `response` answers; its message is
    /// `HTTP <status>`.
    pub fn from_response(response: impl IntoResponse) -> Self {
        let response = response.into_response();
        HttpError { message: format!("HTTP {}", response.status_code), response }
    }

    /// The status it answers.
    pub fn status(&self) -> u16 {
        self.response.status_code
    }

    /// Its message, as `Display` prints after the status.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The response it answers.
    pub fn response(&self) -> &IntegrationResponse {
        &self.response
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status(), self.message)
    }
}

impl std::error::Error for HttpError {}

impl IntoResponse for HttpError {
    fn into_response(self) -> IntegrationResponse {
        self.response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn json_that_cannot_be_serialized_answers_500_naming_why() {
        let map: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let res = Json(map).into_response();
        assert_eq!(res.status_code, 500);
        assert!(res.body.contains("cannot be serialized"), "{}", res.body);
    }

    #[test]
    fn a_message_with_quotes_stays_valid_json() {
        let res = HttpError::not_found(r#"no "order" 7"#).into_response();
        let body: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(body["message"], r#"no "order" 7"#);
        assert_eq!(res.status_code, 404);
    }
}
