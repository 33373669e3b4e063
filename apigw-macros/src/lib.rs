//! `#[handler]`: an async fn becomes a serverless function's entry point.
//!
//! Use it through `apigw_runtime::handler` (this crate is re-exported there):
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
//! It generates the binary's `main`: a current-thread tokio runtime, the
//! default tracing subscriber, init once, then the runtime with this
//! function. The function itself stays an ordinary async fn that unit tests
//! call directly. The full option list, with examples, is on
//! `apigw_runtime::handler`.

mod args;
mod expand;

use proc_macro::TokenStream;

/// Turns an async fn into the function's entry point; see `apigw_runtime::handler`.
#[proc_macro_attribute]
pub fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::handler(args.into(), item.into()).into()
}
