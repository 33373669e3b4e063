//! The function runtime for Tencent Cloud SCF and Alibaba Cloud Function
//! Compute behind API Gateway.
//!
//! Put `#[handler]` on an async fn; it becomes the function's entry point,
//! reading invocations from the platform (Tencent's runtime API, Alibaba's
//! `/invoke` server, or plain HTTP for web functions), running the fn under
//! the time limit with panics caught, and answering in the form the gateway
//! expects:
//!
//! ```no_run
//! use apigw_runtime::{IntoResponse, Request};
//!
//! #[apigw_runtime::handler]
//! async fn hello(req: Request) -> Result<impl IntoResponse, std::convert::Infallible> {
//!     Ok(serde_json::json!({ "hello": req.query("name").unwrap_or("world") }))
//! }
//! ```
//!
//! A handler takes the event ([`Request`] reads either vendor's; a vendor's
//! own type is in [`events`]), the [`Context`], and [extractors](extract):
//! a typed body, query or path. A part that does not read answers 400
//! naming the field, and an [`HttpError`] answers its own status; any other
//! error fails the invocation (a 502 at the gateway):
//!
//! ```no_run
//! use apigw_runtime::{HttpError, Json, extract::Path};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { item: String, quantity: u32 }
//! #[derive(serde::Deserialize)]
//! struct Shop { shop: String }
//!
//! #[apigw_runtime::handler]
//! async fn place(Path(at): Path<Shop>, Json(order): Json<Order>) -> Result<String, HttpError> {
//!     if order.quantity == 0 {
//!         return Err(HttpError::bad_request("`quantity` must be at least 1"));
//!     }
//!     Ok(format!("{} × {} for {}", order.quantity, order.item, at.shop))
//! }
//! ```
//!
//! A handler is a plain async fn; [`testing::invoke`] calls it with a
//! synthetic event the way the runtime does, from a plain `#[test]`:
//!
//! ```
//! # use apigw_runtime::{IntoResponse, Request};
//! # async fn hello(req: Request) -> Result<impl IntoResponse, std::convert::Infallible> {
//! #     Ok(serde_json::json!({ "hello": req.query("name").unwrap_or("world") }))
//! # }
//! use apigw_runtime::testing;
//!
//! let res = testing::invoke(hello, Request::default().with_query("name=ada")).response().unwrap();
//! assert_eq!(res.body, r#"{"hello":"ada"}"#);
//! ```
//!
//! Without the attribute, a `main` of your own gives the fn to [`run`] (or
//! [`Runtime`] for a listener, a shutdown trigger or init of your own).
//!
//! # What it promises
//!
//! - Every invocation is answered or reported exactly once: a handler
//!   error, a panic (before or inside its future), a timeout or an
//!   undecodable event becomes that invocation's error, and the runtime goes
//!   on with the next one.
//! - Each invocation runs under the smaller of the platform's limit and
//!   [`Config::timeout`], less [`Config::timeout_margin`]; on expiry its
//!   future is dropped and a timeout error is reported in the platform's shape.
//! - Connection failures to the runtime API are retried with capped backoff
//!   for [`Config::platform_retry_budget`]; a failed post of a result is
//!   retried once, then logged.
//! - On SIGTERM the invocation in flight finishes and [`run`] returns `Ok`.
//!
//! # Waiting for Tencent's runtime API
//!
//! While no task but the runtime's own is alive on the async runtime — the
//! usual case under `#[handler]` — the runtime waits for the platform's
//! answers in blocking reads of at most 20 ms, as a plain loop would: on the
//! virtual machines functions run in, waking a thread through the async
//! reactor costs more than the rest of an invocation (see `BENCHMARKS.md`).
//! An answer that takes longer, such as `next` on an idle function, is
//! awaited in the reactor. So a SIGTERM, a timer or a task spawned from
//! another thread is held up at most 20 ms, and a handler that leaves tasks
//! running (a connection pool's, say) turns blocking waits off while they
//! live.
//!
//! # Feature flags
//!
//! None: the crate always brings the HTTP client and server it needs.

#![warn(clippy::unwrap_used, clippy::expect_used)]

mod aliyun;
mod args;
mod assemble;
mod client;
mod config;
pub mod connections;
mod context;
mod entry;
mod error;
pub mod extract;
mod handler;
mod invoke;
mod logging;
mod parent;
mod push;
mod server;
mod shutdown;
mod tencent;
pub mod testing;
mod web;

pub use apigw_events as events;

pub use apigw_events::{Body, HttpError, IntegrationResponse, IntoResponse, Json, Request};
/// Turns an async fn into the function's entry point: it generates `main`
/// (a current-thread tokio runtime, the default tracing subscriber, init
/// once, then [`run`] with this fn). The fn stays an ordinary async fn that
/// unit tests call directly.
///
/// ```no_run
/// use apigw_runtime::{IntoResponse, Request};
///
/// #[apigw_runtime::handler]
/// async fn hello(req: Request) -> Result<impl IntoResponse, std::convert::Infallible> {
///     Ok(serde_json::json!({ "hello": req.query("name").unwrap_or("world") }))
/// }
/// ```
///
/// The fn takes up to six arguments: the first may be the event
/// ([`Request`], a vendor event from [`events`], `http::Request<Body>`, or
/// your own `Deserialize` type), any the [`Context`] or an
/// [extractor](extract) (`Json<T>`, `Query<T>`, `Path<T>`, …); with `init`,
/// a last argument `&S` borrows the state. It returns `Result<R, Err>` with
/// `R: IntoResponse` (integration mode) or `R: Serialize` (passthrough
/// mode) and `Err: Display`.
///
/// # Options
///
/// | option | values | default |
/// |---|---|---|
/// | `mode` | `"integration"`, `"passthrough"` | `"integration"` |
/// | `timeout` | `"500ms"`, `"10s"`, `"1.5s"`, `"2m"`: caps the platform's limit | the platform's limit |
/// | `init` | a path to `async fn() -> Result<S, E>`, run once | none |
/// | `provider` | `"tencent"`, `"aliyun"`, `"web"`, `"auto"` | `"auto"` (from the environment) |
/// | `tracing` | `false` leaves logging set-up to you | `true` |
/// | `crate` | the path this crate is re-exported at, e.g. `"my_sdk::apigw"` | `"::apigw_runtime"` |
///
/// `APIGW_PROVIDER` and `APIGW_TIMEOUT_MS` in the environment override
/// `provider` and `timeout`.
///
/// Passthrough mode with a timeout, answering any `Serialize` value:
///
/// ```no_run
/// use apigw_runtime::{Context, Request};
///
/// #[derive(serde::Serialize)]
/// struct Status { ok: bool, request_id: String }
///
/// #[apigw_runtime::handler(mode = "passthrough", timeout = "10s")]
/// async fn status(_req: Request, ctx: Context) -> Result<Status, std::convert::Infallible> {
///     Ok(Status { ok: true, request_id: ctx.request_id })
/// }
/// ```
///
/// State built once by `init`, for an Alibaba function, without the default
/// subscriber:
///
/// ```no_run
/// use apigw_runtime::{Context, IntegrationResponse, events::aliyun::ApiGatewayEvent};
///
/// struct Pool { greeting: String }
///
/// async fn connect() -> Result<Pool, std::io::Error> {
///     Ok(Pool { greeting: "hi".into() })
/// }
///
/// #[apigw_runtime::handler(init = connect, provider = "aliyun", tracing = false)]
/// async fn greet(e: ApiGatewayEvent, _ctx: Context, pool: &Pool) -> Result<IntegrationResponse, anyhow::Error> {
///     Ok(IntegrationResponse::text(format!("{} {}", pool.greeting, e.path)))
/// }
/// ```
///
/// Through a re-export in a crate of your own, `crate` names the path:
///
/// ```no_run
/// mod sdk { pub use apigw_runtime as apigw; }
///
/// #[apigw_runtime::handler(crate = "sdk::apigw")]
/// async fn ping(_e: serde_json::Value) -> Result<&'static str, std::convert::Infallible> {
///     Ok("pong")
/// }
/// ```
///
/// A wrong signature is reported once, at your own tokens, naming the type:
/// a fn that is not `async`, too many arguments, a borrowed argument, a
/// state argument without `init`, an unknown or repeated option, a timeout,
/// mode or provider that does not parse, an argument that is not an event,
/// a `Context` or an extractor (or an event after the first argument), a
/// value that is not `IntoResponse` (or `Serialize` in passthrough mode),
/// an error that is not `Display`. A mistake inside the fn's body is the
/// compiler's own error, with nothing added by the attribute.
pub use apigw_macros::handler;
pub use config::{Config, FunctionInfo};
pub use context::{Context, Credentials, Provider};
pub use error::Error;
pub use handler::{Handler, Passthrough, ServiceHandler, markers, passthrough, service};
#[doc(hidden)]
pub use invoke::App;
pub use logging::init_default_subscriber;
pub use push::{PUSH_URL_VAR, PushClient, PushError};

/// What `#[handler]` expands to uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::args::{Arg, FirstArg, Input, Refusal, kinds};
    pub use crate::assemble::*;
    pub use crate::entry::*;
    pub use std::time::Duration;
}

use invoke::BoxFuture;
use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

/// Runs init once, then builds the app. Called again after a failure
/// (Alibaba retries `/initialize`).
pub(crate) type Init = Arc<dyn Fn() -> BoxFuture<Result<App, String>> + Send + Sync>;

/// Runs `handler` with the configuration read from the environment
/// ([`Config::from_env`]) until SIGTERM: what `#[handler]` does, for a
/// `main` of your own.
///
/// ```no_run
/// use apigw_runtime::{Error, IntoResponse, Request};
///
/// async fn hello(req: Request) -> Result<impl IntoResponse, std::convert::Infallible> {
///     Ok(format!("hello {}", req.query("name").unwrap_or("world")))
/// }
///
/// fn main() -> Result<(), Error> {
///     apigw_runtime::init_default_subscriber();
///     let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
///     rt.block_on(apigw_runtime::run(hello))
/// }
/// ```
pub async fn run<M>(handler: impl Handler<M>) -> Result<(), Error> {
    Runtime::new(Config::from_env()?).run(handler).await
}

/// Runs `handler` with `config` until SIGTERM.
///
/// ```no_run
/// use apigw_runtime::{Config, Error, Provider, Request};
/// use std::time::Duration;
///
/// async fn hello(_req: Request) -> Result<&'static str, std::convert::Infallible> {
///     Ok("hello")
/// }
///
/// # async fn start() -> Result<(), Error> {
/// let config = Config::from_env()?.with_timeout(Duration::from_secs(5));
/// apigw_runtime::run_with(config, hello).await
/// # }
/// ```
pub async fn run_with<M>(config: Config, handler: impl Handler<M>) -> Result<(), Error> {
    Runtime::new(config).run(handler).await
}

/// Runs `init` once, then `handler(state)` for every invocation, where
/// `state` borrows what init built for the life of the process.
///
/// Tencent: init runs before `init/ready`; a failure is logged and this
/// returns [`Error::Init`] (exit non-zero). Alibaba: init runs on
/// `/initialize`, or on the first `/invoke` when no initializer is
/// configured; a failure is that call's error answer, and the next call
/// tries again.
pub async fn run_with_init<S, InitErr, I, Fut, F, H, M>(
    config: Config,
    init: I,
    handler: F,
) -> Result<(), Error>
where
    I: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<S, InitErr>> + Send + 'static,
    S: Send + Sync + 'static,
    InitErr: Display,
    F: Fn(&'static S) -> H + Send + Sync + 'static,
    H: Handler<M>,
{
    Runtime::new(config).run_with_init(init, handler).await
}

/// The runtime with every knob: a configuration, and optionally a listener
/// and a shutdown trigger of your own (for tests and embedding).
///
/// A web function on a listener of its own, answering one real request,
/// then shut down:
///
/// ```
/// use apigw_runtime::{Config, Provider, Request, Runtime};
/// use std::io::{Read, Write};
///
/// async fn hello(req: Request) -> Result<String, std::convert::Infallible> {
///     Ok(format!("hello {}", req.query("name").unwrap_or("world")))
/// }
///
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let addr = listener.local_addr()?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let client = std::thread::spawn(move || -> std::io::Result<String> {
///     let mut conn = std::net::TcpStream::connect(addr)?;
///     conn.write_all(b"GET /?name=ada HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
///     let mut answer = String::new();
///     conn.read_to_string(&mut answer)?;
///     let _ = stop.send(());
///     Ok(answer)
/// });
/// let runtime = Runtime::new(Config::new(Provider::Web))
///     .with_listener(listener)
///     .with_shutdown(async move { let _ = stopped.await; });
/// tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(runtime.run(hello))?;
/// let answer = client.join().expect("the client thread").expect("an answer");
/// assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
/// assert!(answer.ends_with("hello ada"), "{answer}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Runtime {
    config: Config,
    listener: Option<std::net::TcpListener>,
    shutdown: Option<BoxFuture<()>>,
}

impl Runtime {
    /// A runtime with `config`; shutdown on SIGTERM.
    pub fn new(config: Config) -> Self {
        Runtime { config, listener: None, shutdown: None }
    }

    /// Serves the Alibaba and web protocols on this listener instead of
    /// binding [`Config::port`].
    pub fn with_listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Shuts down when `trigger` completes instead of on SIGTERM.
    pub fn with_shutdown(mut self, trigger: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = Some(Box::pin(trigger));
        self
    }

    /// Runs `handler` until shutdown.
    pub async fn run<M>(self, handler: impl Handler<M>) -> Result<(), Error> {
        let app = handler.into_app();
        let init: Init = Arc::new(move || {
            let app = app.clone();
            Box::pin(async move { Ok(app) })
        });
        self.start(init).await
    }

    /// Runs `init` once, then `handler(state)`; see [`run_with_init`].
    pub async fn run_with_init<S, InitErr, I, Fut, F, H, M>(self, init: I, handler: F) -> Result<(), Error>
    where
        I: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, InitErr>> + Send + 'static,
        S: Send + Sync + 'static,
        InitErr: Display,
        F: Fn(&'static S) -> H + Send + Sync + 'static,
        H: Handler<M>,
    {
        let init = Arc::new(init);
        let handler = Arc::new(handler);
        let init: Init = Arc::new(move || {
            let (init, handler) = (init.clone(), handler.clone());
            Box::pin(async move {
                let started = std::time::Instant::now();
                let state = init().await.map_err(|e| format!("{e:#}"))?;
                tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "init done");
                // The state lives as long as the process: every invocation borrows it.
                let state: &'static S = Box::leak(Box::new(state));
                Ok(handler(state).into_app())
            })
        });
        self.start(init).await
    }

    async fn start(self, init: Init) -> Result<(), Error> {
        let Runtime { config, listener, shutdown } = self;
        if let Some(pid) = config.parent_pid {
            parent::die_with(pid)?;
        }
        let shutdown = shutdown::Shutdown::on(match shutdown {
            Some(trigger) => trigger,
            None => Box::pin(shutdown::signal()),
        });
        let provider = config.provider.unwrap_or_else(|| Config::detect_provider(|_| None));
        tracing::debug!(%provider, "starting");
        let listener = match (provider, listener) {
            (Provider::Tencent, _) => None,
            (_, Some(l)) => {
                l.set_nonblocking(true).map_err(|e| Error::Config(format!("listener: {e}")))?;
                Some(
                    tokio::net::TcpListener::from_std(l)
                        .map_err(|e| Error::Config(format!("listener: {e}")))?,
                )
            }
            (_, None) => Some(server::bind(&config).await?),
        };
        match (provider, listener) {
            (Provider::Aliyun, Some(l)) => aliyun::run(config, init, l, shutdown).await,
            (Provider::Web, Some(l)) => web::run(config, init, l, shutdown).await,
            _ => tencent::run(config, init, shutdown).await,
        }
    }
}
