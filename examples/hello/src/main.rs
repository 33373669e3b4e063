//! Answers `{"hello": <query parameter name, or "world">}` as JSON; run it behind the local gateway with `cargo run -p cargo-apigw -- invoke --example hello '/?name=ada'`.

use apigw_runtime::{IntoResponse, Request};
use serde_json::json;
use std::convert::Infallible;

/// Greets whoever the `name` query parameter names.
#[apigw_runtime::handler]
async fn hello(req: Request) -> Result<impl IntoResponse, Infallible> {
    Ok(json!({ "hello": req.query("name").unwrap_or("world") }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use apigw_runtime::testing;

    #[test]
    fn greets_the_named_caller_or_the_world() {
        let res = testing::invoke(hello, Request::default()).response().unwrap();
        assert_eq!(res.body, r#"{"hello":"world"}"#);
        let res = testing::invoke(hello, Request::default().with_query("name=ada")).response().unwrap();
        assert_eq!(res.body, r#"{"hello":"ada"}"#);
        assert_eq!(res.header("content-type"), Some("application/json"));
    }
}
