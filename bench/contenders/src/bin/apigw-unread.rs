//! The runtime with a handler that skips its event (scanned as JSON, nothing
//! built) and answers a fixed text: what the runtime itself costs.

use std::convert::Infallible;

#[apigw_runtime::handler(tracing = false)]
async fn unread(_event: serde::de::IgnoredAny) -> Result<&'static str, Infallible> {
    Ok(r#"{"hello":"world"}"#)
}
