//! Extractors through the runtime against a mock of Tencent's runtime API:
//! a typed body, query and path parameters, and each failure a 400 naming
//! the field, answered without the handler running.

mod common;

use apigw_runtime::extract::{Path, Query};
use apigw_runtime::{Config, Context, HttpError, Json, Provider};
use common::{Invocation, MockTencent, tencent_event};
use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[derive(serde::Deserialize)]
struct Order {
    item: String,
    quantity: u32,
}

#[derive(serde::Deserialize)]
struct Shop {
    shop: String,
}

#[derive(serde::Deserialize)]
struct Paging {
    page: u32,
}

async fn place(
    ctx: Context,
    Path(at): Path<Shop>,
    Query(paging): Query<Paging>,
    Json(order): Json<Order>,
) -> Result<String, HttpError> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    Ok(format!("{} {}×{} p{} ({})", at.shop, order.quantity, order.item, paging.page, ctx.request_id))
}

/// An invocation's id, its path parameter `shop`, its query and its body.
type Case<'a> = (&'a str, Option<&'a str>, &'a [(&'a str, &'a str)], &'a str);

/// Tencent's event with `pathParameters` set, as the gateway sends for a
/// route `/shops/{shop}/orders`.
fn event(shop: Option<&str>, query: &[(&str, &str)], body: &str) -> bytes::Bytes {
    let mut event: serde_json::Value =
        serde_json::from_slice(&tencent_event("POST", "/shops/x/orders", query, body)).unwrap();
    if let Some(shop) = shop {
        event["pathParameters"] = serde_json::json!({ "shop": shop });
    }
    event.to_string().into()
}

#[tokio::test]
async fn typed_parts_are_read_and_each_failure_is_a_400_naming_the_field() {
    let mock = MockTencent::start().await;
    let good = r#"{"item": "tea", "quantity": 2}"#;
    let cases: [Case; 5] = [
        ("ok", Some("leaf"), &[("page", "3")], good),
        ("body", Some("leaf"), &[("page", "3")], r#"{"item": "tea", "quantity": -1}"#),
        ("query", Some("leaf"), &[("page", "three")], good),
        ("path", None, &[("page", "3")], good),
        ("empty", Some("leaf"), &[("page", "3")], ""),
    ];
    for (id, shop, query, body) in cases {
        mock.push(Invocation::new(id, event(shop, query, body)));
    }
    let config = Config::new(Provider::Tencent).with_runtime_api(mock.addr.to_string());
    tokio::spawn(apigw_runtime::run_with(config, place));
    let results = mock.results(cases.len()).await;

    let ok = results[0].1.response();
    assert_eq!((ok["statusCode"].as_u64(), ok["body"].as_str()), (Some(200), Some("leaf 2×tea p3 (ok)")));
    let expect = [
        ("body", "invalid JSON body at `quantity`"),
        ("query", "invalid query parameter `page`"),
        ("path", "missing field `shop`"),
        ("empty", "the request body is empty"),
    ];
    for ((id, needle), (got_id, result)) in expect.iter().zip(&results[1..]) {
        assert_eq!(id, got_id);
        let res = result.response();
        assert_eq!(res["statusCode"], 400, "{id}: {res}");
        let body: serde_json::Value = serde_json::from_str(res["body"].as_str().unwrap()).unwrap();
        assert!(body["message"].as_str().unwrap().contains(needle), "{id}: {body}");
    }
    assert_eq!(CALLS.load(Ordering::SeqCst), 1, "no refused request reaches the handler");
}
