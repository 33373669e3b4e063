//! [`IntoResponse`]: what a handler may return in integration mode.

use crate::IntegrationResponse;

/// A value a handler can return to become the gateway's integration response.
///
/// Implemented for [`IntegrationResponse`], `String` and `&'static str` (as
/// `text/plain`), `Vec<u8>` (as base64 `application/octet-stream`),
/// `serde_json::Value` (as `application/json`), and with the `http` feature
/// for `http::Response<B>` and `(http::StatusCode, T)`; [`Json`](crate::Json)
/// answers any `Serialize` value and [`HttpError`](crate::HttpError) its own status.
///
/// ```
/// use apigw_events::IntoResponse;
///
/// let res = serde_json::json!({"hello": "world"}).into_response();
/// assert_eq!(res.header("content-type"), Some("application/json"));
/// assert_eq!(res.body, r#"{"hello":"world"}"#);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned as an API Gateway integration response",
    label = "this type does not implement `IntoResponse`",
    note = "return an `IntegrationResponse`, `String`, `&'static str`, `Vec<u8>`, `serde_json::Value`, `http::Response<B>` or `(http::StatusCode, T)`; wrap any `Serialize` value in `Json(..)`, or use passthrough mode"
)]
pub trait IntoResponse {
    /// Turns the value into an integration response.
    fn into_response(self) -> IntegrationResponse;
}

impl IntoResponse for IntegrationResponse {
    fn into_response(self) -> IntegrationResponse {
        self
    }
}

impl IntoResponse for String {
    fn into_response(self) -> IntegrationResponse {
        IntegrationResponse::text(self)
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> IntegrationResponse {
        IntegrationResponse::text(self)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> IntegrationResponse {
        IntegrationResponse::binary(self, "application/octet-stream")
    }
}

impl IntoResponse for serde_json::Value {
    fn into_response(self) -> IntegrationResponse {
        // Serializing a `Value` cannot fail: its map keys are strings.
        IntegrationResponse::json(&self)
            .unwrap_or_else(|e| IntegrationResponse::text(e.to_string()).with_status(500))
    }
}
