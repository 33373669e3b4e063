//! The same handler on lambda_http, for comparison on the Lambda runtime API.

use lambda_http::{Body, Error, IntoResponse, Request, RequestExt, service_fn};

async fn hello(req: Request) -> Result<impl IntoResponse, Error> {
    let params = req.query_string_parameters();
    let name = params.first("name").unwrap_or("world").to_owned();
    let body = serde_json::json!({ "hello": name }).to_string();
    Ok(lambda_http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::Text(body))?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(hello)).await
}
