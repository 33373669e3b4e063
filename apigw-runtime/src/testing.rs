//! Calling a handler in a unit test the way the runtime does: a synthetic
//! event in, the integration response (or the failure) out, with the event
//! read, the extractors run, errors answered and panics caught exactly as
//! in production — and no async runtime of your own to set up.
//!
//! ```
//! use apigw_runtime::{HttpError, Json, Request, testing::{self, Outcome}};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { item: String }
//!
//! async fn create(Json(order): Json<Order>) -> Result<String, HttpError> {
//!     if order.item.is_empty() {
//!         return Err(HttpError::bad_request("`item` is empty"));
//!     }
//!     Ok(format!("ordered {}", order.item))
//! }
//!
//! let ok = testing::invoke(create, Request::default().with_body(r#"{"item": "tea"}"#));
//! assert_eq!(ok.response().unwrap().body, "ordered tea");
//! let refused = testing::invoke(create, Request::default().with_body(r#"{"item": ""}"#));
//! assert_eq!(refused.response().unwrap().status_code, 400);
//! // A plain error, a panic or an undecodable event fails the invocation.
//! let failed = testing::invoke(create, serde_json::json!({"not": "an event"}));
//! assert!(matches!(failed, Outcome::Failed { .. }), "{failed:?}");
//! ```

use crate::invoke::{App, Failure, Reply, execute};
use crate::{Context, Handler};
use apigw_events::{IntegrationResponse, Request};
use bytes::Bytes;
use std::time::Instant;

/// An event to invoke a handler with: a [`Request`] (sent as Tencent's API
/// Gateway event), a `serde_json::Value`, or JSON text.
#[derive(Clone, Debug)]
pub struct Event(Bytes);

impl From<Request> for Event {
    fn from(req: Request) -> Self {
        // Serializing an event of strings, maps and booleans cannot fail.
        Event(serde_json::to_vec(&req.to_tencent_event()).unwrap_or_default().into())
    }
}

impl From<serde_json::Value> for Event {
    fn from(value: serde_json::Value) -> Self {
        Event(value.to_string().into())
    }
}

impl From<&str> for Event {
    /// The event's JSON text.
    fn from(json: &str) -> Self {
        Event(Bytes::copy_from_slice(json.as_bytes()))
    }
}

impl From<Vec<u8>> for Event {
    /// The event's JSON bytes.
    fn from(json: Vec<u8>) -> Self {
        Event(json.into())
    }
}

/// What one invocation came to.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Integration mode: the response the gateway would build the HTTP
    /// answer from (a handler's `HttpError` and an extractor's refusal
    /// included).
    Response(IntegrationResponse),
    /// Passthrough mode: the handler's value, as the JSON the gateway sends.
    Passthrough(serde_json::Value),
    /// The invocation failed (a 502 at the gateway): a plain handler
    /// error, a panic, a timeout, an event the handler cannot read.
    Failed {
        /// The platform's `errorType`: `InvalidEvent`, `Panic`,
        /// `TimeoutError`, or the error's type name.
        error_type: String,
        /// The message the platform logs.
        message: String,
    },
}

impl Outcome {
    /// The integration response, if that is what the invocation answered.
    pub fn response(self) -> Option<IntegrationResponse> {
        match self {
            Outcome::Response(res) => Some(res),
            _ => None,
        }
    }

    /// The passthrough value, if that is what the invocation answered.
    pub fn passthrough(self) -> Option<serde_json::Value> {
        match self {
            Outcome::Passthrough(value) => Some(value),
            _ => None,
        }
    }
}

/// Invokes `handler` once with `event` and a default [`Context`] (request
/// id `test`), on an async runtime of its own. Call it from a plain
/// `#[test]`; inside an async test, use [`invoke_async`].
///
/// The fn under `#[handler]` is the plain fn, in integration mode; a
/// `mode = "passthrough"` handler is tested as
/// `invoke(apigw_runtime::passthrough(f), event)`:
///
/// ```
/// use apigw_runtime::{Request, passthrough, testing};
///
/// async fn status(_req: Request) -> Result<serde_json::Value, std::convert::Infallible> {
///     Ok(serde_json::json!({"ok": true}))
/// }
///
/// let value = testing::invoke(passthrough(status), Request::default()).passthrough();
/// assert_eq!(value, Some(serde_json::json!({"ok": true})));
/// ```
pub fn invoke<M>(handler: impl Handler<M>, event: impl Into<Event>) -> Outcome {
    invoke_with(handler, event, Context::new("test"))
}

/// [`invoke`] with a context of your own; its deadline, if any, is the
/// invocation's time limit.
pub fn invoke_with<M>(handler: impl Handler<M>, event: impl Into<Event>, ctx: Context) -> Outcome {
    let app = handler.into_app();
    let event = event.into();
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(run(&app, event, ctx)),
        Err(e) => Outcome::Failed { error_type: "Runtime".into(), message: format!("no async runtime: {e}") },
    }
}

/// [`invoke_with`] for async tests, on the caller's runtime.
pub async fn invoke_async<M>(handler: impl Handler<M>, event: impl Into<Event>, ctx: Context) -> Outcome {
    run(&handler.into_app(), event.into(), ctx).await
}

async fn run(app: &App, event: Event, ctx: Context) -> Outcome {
    let now = Instant::now();
    let limit = ctx.deadline.map(|deadline| {
        let budget = deadline.saturating_duration_since(now);
        crate::invoke::Limit { budget, nominal: budget }
    });
    match execute(app, event.0, ctx, limit, now).await {
        Ok(Reply::Integration(res)) => Outcome::Response(res),
        Ok(Reply::Passthrough(json)) => match serde_json::from_slice(&json) {
            Ok(value) => Outcome::Passthrough(value),
            Err(e) => Outcome::Failed { error_type: "InvalidResponse".into(), message: e.to_string() },
        },
        Err(failure) => failed(&failure),
    }
}

fn failed(failure: &Failure) -> Outcome {
    Outcome::Failed { error_type: failure.kind().to_owned(), message: failure.message() }
}
