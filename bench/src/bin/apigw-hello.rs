//! The `hello` example's handler, built with this workspace's release profile.

use apigw_runtime::{IntoResponse, Request};
use std::convert::Infallible;

#[apigw_runtime::handler(tracing = false)]
async fn hello(req: Request) -> Result<impl IntoResponse, Infallible> {
    Ok(serde_json::json!({ "hello": req.query("name").unwrap_or("world") }))
}
