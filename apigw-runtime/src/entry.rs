//! What `#[handler]` expands to calls into here: the process's `main`.
//! Not a public API.

use crate::{Config, Error, Provider};
use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

/// What the attribute's options say.
#[derive(Debug, Default)]
pub struct Options {
    /// `timeout = "10s"`: caps the platform's limit.
    pub timeout: Option<Duration>,
    /// `provider = "…"`; `None` for `auto`.
    pub provider: Option<Provider>,
    /// `tracing = false` turns the default subscriber off.
    pub tracing: bool,
}

/// Installs the subscriber, reads the environment, applies the options
/// (an `APIGW_PROVIDER` or `APIGW_TIMEOUT_MS` in the environment wins), and
/// runs `start` on a current-thread runtime. Errors are logged and give a
/// non-zero exit.
pub fn main<F, Fut>(options: Options, start: F) -> ExitCode
where
    F: FnOnce(Config) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    if options.tracing {
        crate::init_default_subscriber();
    }
    let outcome = Config::from_env().and_then(|mut config| {
        if std::env::var_os("APIGW_PROVIDER").is_none() {
            config.provider = options.provider.or(config.provider);
        }
        if config.timeout.is_none() {
            config.timeout = options.timeout;
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(start(config))
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The handler's event type must be readable from the gateway's JSON.
#[diagnostic::on_unimplemented(
    message = "the event type `{Self}` cannot be read from the gateway's JSON",
    label = "this type does not implement `serde::de::DeserializeOwned`",
    note = "use `apigw_runtime::Request`, a vendor event from `apigw_runtime::events`, `http::Request<apigw_runtime::Body>`, or derive `serde::Deserialize` on your own type"
)]
pub trait EventType {}
impl<T: serde::de::DeserializeOwned> EventType for T {}

/// A passthrough handler's value must serialize to JSON.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned in passthrough mode",
    label = "this type does not implement `serde::Serialize`",
    note = "passthrough mode sends the handler's value as JSON: derive `serde::Serialize`, or use integration mode with an `IntoResponse` type"
)]
pub trait PassthroughValue {}
impl<T: serde::Serialize> PassthroughValue for T {}

/// A handler's error must display.
#[diagnostic::on_unimplemented(
    message = "the handler's error type `{Self}` does not implement `Display`",
    label = "the runtime reports errors by their message",
    note = "use `anyhow::Error`, `Box<dyn std::error::Error>`, or any type that implements `std::fmt::Display`"
)]
pub trait HandlerError {}
impl<T: std::fmt::Display> HandlerError for T {}

/// Compile-time checks the expansion asks for, at the author's types.
pub fn assert_event<T: EventType>() {}
/// See [`assert_event`].
pub fn assert_response<T: crate::IntoResponse>() {}
/// See [`assert_event`].
pub fn assert_passthrough<T: PassthroughValue>() {}
/// See [`assert_event`].
pub fn assert_error<T: HandlerError>() {}
