//! Errors that answer, and `Json`, through the runtime against a mock of
//! Tencent's runtime API.

mod common;

use apigw_runtime::{Config, HttpError, Json, Provider, Request};
use common::{Invocation, MockTencent, tencent_event};

#[derive(serde::Serialize)]
struct Order {
    id: u32,
    item: String,
}

/// `?id=N` answers the order as JSON; no id is a 400; `?id=0` a plain error.
async fn order(req: Request) -> Result<Json<Order>, Box<dyn std::error::Error + Send + Sync>> {
    let Some(id) = req.query("id") else {
        return Err(HttpError::bad_request("missing query parameter `id`").into());
    };
    let id: u32 = id.parse()?;
    if id == 0 {
        return Err("order 0 is reserved".into());
    }
    Ok(Json(Order { id, item: "tea".into() }))
}

#[tokio::test]
async fn an_http_error_answers_its_status_and_a_plain_error_is_an_invocation_error() {
    let mock = MockTencent::start().await;
    for (id, query) in [("ok", &[("id", "7")][..]), ("missing", &[]), ("reserved", &[("id", "0")])] {
        mock.push(Invocation::new(id, tencent_event("GET", "/orders", query, "")));
    }
    let config = Config::new(Provider::Tencent).with_runtime_api(mock.addr.to_string());
    tokio::spawn(apigw_runtime::run_with(config, order));
    let results = mock.results(3).await;

    let ok = results[0].1.response();
    assert_eq!(ok["statusCode"], 200);
    assert_eq!(ok["headers"]["Content-Type"], "application/json");
    assert_eq!(ok["body"], r#"{"id":7,"item":"tea"}"#);

    let missing = results[1].1.response();
    assert_eq!(missing["statusCode"], 400);
    assert_eq!(missing["body"], r#"{"message":"missing query parameter `id`"}"#);

    let reserved = results[2].1.error();
    assert_eq!(reserved["errorMessage"], "order 0 is reserved");
    assert_eq!(reserved["statusCode"], 430);
}
