//! A local API Gateway for functions on Tencent SCF and Alibaba FC: it
//! routes HTTP requests the way the vendors' gateways do (path priority,
//! stages, declared parameters, key-pair auth, CORS, limits) and runs the
//! author's function for real as a child process behind an emulated
//! platform (Tencent's runtime API, Alibaba's `/invoke`, or a web function).
//!
//! ```
//! use apigw_gateway::{Gateway, GatewayConfig};
//!
//! let config = GatewayConfig::parse(r#"
//!     [[routes]]
//!     path = "=/ping"
//!     backend = "mock"
//!     mock = { status = 200, body = "pong" }
//! "#, "apigw.toml")?;
//! let gateway = Gateway::new(config, None);
//! let req = http::Request::get("/release/ping").body(bytes::Bytes::new())?;
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! let res = rt.block_on(gateway.handle(req, "127.0.0.1".parse()?));
//! assert_eq!(res.status(), 200);
//! assert_eq!(res.body().as_ref(), b"pong");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Feature flags
//!
//! None.

#![warn(clippy::unwrap_used, clippy::expect_used)]

mod admission;
pub mod auth;
mod backend;
mod client;
pub mod config;
pub mod event;
pub mod function;
pub mod gateway;
pub mod log_sink;
mod params;
pub mod refusal;
pub mod respond;
pub mod routes;
pub mod server;
pub mod websocket;

pub use config::GatewayConfig;
pub use function::{Function, FunctionSpec};
pub use gateway::Gateway;
pub use log_sink::LogSink;
