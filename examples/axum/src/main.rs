//! Runs an axum `Router` with two routes, unchanged, as the function; run it with `cargo run -p cargo-apigw -- invoke --example axum-router /users/7`.

use apigw_runtime::{Config, Error, service};
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::process::ExitCode;

/// The application: what it would be on any server.
fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "the axum example" }))
        .route("/users/{id}", get(|Path(id): Path<u64>| async move { Json(json!({ "id": id })) }))
}

/// `#[handler]` takes an async fn; a tower service goes to `run` directly.
fn main() -> ExitCode {
    apigw_runtime::init_default_subscriber();
    let start = async {
        let config = Config::from_env()?;
        apigw_runtime::run_with(config, service(app())).await
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    match runtime.map_err(|e| Error::Config(e.to_string())).and_then(|rt| rt.block_on(start)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use serde_json::Value;
    use tower_service::Service;

    #[tokio::test]
    async fn routes_answer() {
        let req = http::Request::get("/users/7").body(Body::empty()).unwrap();
        let res = app().call(req).await.unwrap();
        let bytes = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), json!({"id": 7}));
    }
}
