//! One invocation: decode, call the handler under its time limit with panics
//! caught, and turn the outcome into a reply or a failure.

use crate::Context;
use apigw_events::IntegrationResponse;
use bytes::Bytes;
use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A handler made ready to run: takes the raw event and the context.
/// Built by [`Handler`](crate::Handler); not used directly.
#[doc(hidden)]
#[derive(Clone)]
pub struct App(pub(crate) Arc<InvokeFn>);

/// The raw event and the context in, the outcome out.
pub(crate) type InvokeFn = dyn Fn(Bytes, Context) -> BoxFuture<Result<Reply, Failure>> + Send + Sync;

impl App {
    pub(crate) fn new<F>(f: F) -> Self
    where
        F: Fn(Bytes, Context) -> BoxFuture<Result<Reply, Failure>> + Send + Sync + 'static,
    {
        App(Arc::new(f))
    }
}

/// What a successful invocation answers.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Integration mode: the gateway builds the HTTP response from this.
    Integration(IntegrationResponse),
    /// Passthrough mode: the handler's value as JSON.
    Passthrough(Vec<u8>),
}

impl Reply {
    /// The bytes sent to the platform as the invocation's result.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        match self {
            // Serializing an `IntegrationResponse` cannot fail: all keys are strings.
            Reply::Integration(res) => serde_json::to_vec(res).unwrap_or_default(),
            Reply::Passthrough(json) => json.clone(),
        }
    }
}

/// Why an invocation failed. Reported to the platform, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The event could not be read as the handler's event type.
    InvalidEvent(String),
    /// The handler returned an error: its type and message.
    Handler { error_type: String, message: String },
    /// The handler panicked.
    Panic(String),
    /// The handler ran past its limit.
    Timeout(Duration),
    /// The handler's value could not be serialized (passthrough), or a
    /// service's body could not be read.
    InvalidResponse(String),
}

impl Failure {
    /// A short name for the kind of failure, used as `errorType`.
    pub(crate) fn kind(&self) -> &str {
        match self {
            Failure::InvalidEvent(_) => "InvalidEvent",
            Failure::Handler { error_type, .. } => error_type,
            Failure::Panic(_) => "Panic",
            Failure::Timeout(_) => "TimeoutError",
            Failure::InvalidResponse(_) => "InvalidResponse",
        }
    }

    /// The message for the platform's log and the caller.
    pub(crate) fn message(&self) -> String {
        match self {
            Failure::InvalidEvent(m) | Failure::InvalidResponse(m) => m.clone(),
            Failure::Handler { message, .. } => message.clone(),
            Failure::Panic(m) => format!("handler panicked: {m}"),
            Failure::Timeout(limit) => format!("Invoking task timed out after {} seconds", seconds(*limit)),
        }
    }

    /// Tencent's status code for this failure: 433 for a timeout, 430 for
    /// an error in user code.
    pub(crate) fn tencent_status(&self) -> u16 {
        if matches!(self, Failure::Timeout(_)) { 433 } else { 430 }
    }

    pub(crate) fn handler<E: std::fmt::Display>(err: E) -> Self {
        let error_type = std::any::type_name::<E>().rsplit("::").next().unwrap_or("Error").to_owned();
        Failure::Handler { error_type, message: format!("{err:#}") }
    }
}

/// `3`, `0.5`, `1.25`: seconds the way the platform prints them.
fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        return (ms / 1000).to_string();
    }
    let text = format!("{:.3}", d.as_secs_f64());
    text.trim_end_matches('0').to_owned()
}

/// An invocation's time limit: the time it gets, and the limit it is
/// reported against when it runs out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limit {
    /// How long the handler may run (the limit less the margin).
    pub(crate) budget: Duration,
    /// The limit as configured or sent by the platform.
    pub(crate) nominal: Duration,
}

/// Runs one invocation received at `received`: the handler under `limit`,
/// panics caught whether they happen before the handler's future exists or
/// while it runs.
pub(crate) async fn execute(
    app: &App,
    event: Bytes,
    ctx: Context,
    limit: Option<Limit>,
    received: Instant,
) -> Result<Reply, Failure> {
    let future = match catch_unwind(AssertUnwindSafe(|| (app.0)(event, ctx))) {
        Ok(future) => future,
        Err(payload) => return Err(Failure::Panic(panic_message(&*payload))),
    };
    let guarded = CatchUnwind(future);
    // A deadline past what `Instant` can hold is no deadline.
    match limit.and_then(|limit| Some((limit, received.checked_add(limit.budget)?))) {
        Some((limit, deadline)) => match tokio::time::timeout_at(deadline.into(), guarded).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure::Timeout(limit.nominal)),
        },
        None => guarded.await,
    }
}

/// Polls a future, turning a panic inside it into [`Failure::Panic`].
struct CatchUnwind(BoxFuture<Result<Reply, Failure>>);

impl Future for CatchUnwind {
    type Output = Result<Reply, Failure>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(Err(Failure::Panic(panic_message(&*payload)))),
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_print_like_the_platform() {
        assert_eq!(seconds(Duration::from_secs(3)), "3");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5");
        assert_eq!(seconds(Duration::from_millis(1250)), "1.25");
    }

    #[test]
    fn handler_error_type_is_the_short_type_name() {
        let f = Failure::handler(std::io::Error::other("disk"));
        assert_eq!(f.kind(), "Error");
        assert_eq!(f.message(), "disk");
    }
}
