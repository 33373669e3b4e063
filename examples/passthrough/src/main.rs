//! Answers a plain JSON value in passthrough mode (the gateway sends it as the body with status 200); run it with `cargo run -p cargo-apigw -- invoke --example passthrough --mode passthrough /items`.

use apigw_runtime::{Context, Request};
use serde::Serialize;
use std::convert::Infallible;

/// What the function answers: any `Serialize` value.
#[derive(Serialize, Debug, PartialEq)]
struct Listing {
    path: String,
    items: Vec<&'static str>,
    request_id: String,
}

/// Lists a few items, with where the request went.
#[apigw_runtime::handler(mode = "passthrough")]
async fn list(req: Request, ctx: Context) -> Result<Listing, Infallible> {
    Ok(Listing { path: req.path, items: vec!["apple", "pear"], request_id: ctx.request_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_the_listing() {
        let req = Request { path: "/items".into(), ..Request::default() };
        let out = list(req, Context::new("r")).await.unwrap();
        assert_eq!(
            out,
            Listing { path: "/items".into(), items: vec!["apple", "pear"], request_id: "r".into() }
        );
    }
}
