//! Takes an order as a typed JSON body, with the shop from the path and a `dry_run` flag from the query, and answers 201 or a 400 naming what was wrong; run it with `cd examples/orders && cargo run -p cargo-apigw -- invoke -X POST -d '{"item": "tea", "quantity": 2}' /shops/leaf/orders`.
//!
//! A body without `item`, or with a `quantity` that is not a number, never
//! reaches the fn: the `Json` extractor answers 400 naming the field. A
//! zero quantity reaches it, and it answers 400 with an [`HttpError`].

use apigw_runtime::extract::{Path, Query};
use apigw_runtime::{HttpError, IntegrationResponse, IntoResponse, Json};
use serde::{Deserialize, Serialize};

/// The body a client posts.
#[derive(Debug, Deserialize)]
struct Order {
    item: String,
    quantity: u32,
}

/// The API's path parameters.
#[derive(Debug, Deserialize)]
struct Shop {
    shop: String,
}

/// The query: `?dry_run=true` checks an order without placing it.
#[derive(Debug, Deserialize)]
struct Options {
    #[serde(default)]
    dry_run: bool,
}

/// What the function answers for an order it accepts.
#[derive(Debug, Serialize)]
struct Placed {
    shop: String,
    item: String,
    quantity: u32,
    placed: bool,
}

/// Places (or, with `dry_run`, checks) an order for the shop in the path.
#[apigw_runtime::handler]
async fn place(
    Path(at): Path<Shop>,
    Query(options): Query<Options>,
    Json(order): Json<Order>,
) -> Result<IntegrationResponse, HttpError> {
    if order.quantity == 0 {
        return Err(HttpError::bad_request("`quantity` must be at least 1"));
    }
    let placed =
        Placed { shop: at.shop, item: order.item, quantity: order.quantity, placed: !options.dry_run };
    let status = if options.dry_run { 200 } else { 201 };
    Ok(Json(placed).into_response().with_status(status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use apigw_runtime::{Request, testing};

    fn order(query: &str, body: &str) -> IntegrationResponse {
        let req = Request::default()
            .with_method("POST")
            .with_path("/shops/leaf/orders")
            .with_path_param("shop", "leaf")
            .with_query(query)
            .with_body(body.to_owned());
        testing::invoke(place, req).response().expect("an integration response")
    }

    #[test]
    fn a_good_order_is_placed_and_a_dry_run_only_checked() {
        let res = order("", r#"{"item": "tea", "quantity": 2}"#);
        assert_eq!(res.status_code, 201);
        assert_eq!(res.body, r#"{"shop":"leaf","item":"tea","quantity":2,"placed":true}"#);
        assert_eq!(order("dry_run=true", r#"{"item": "tea", "quantity": 2}"#).status_code, 200);
    }

    #[test]
    fn each_mistake_is_a_400_naming_it() {
        let missing = order("", r#"{"quantity": 2}"#);
        assert_eq!(missing.status_code, 400);
        assert!(missing.body.contains("missing field `item`"), "{}", missing.body);
        let wrong = order("", r#"{"item": "tea", "quantity": "two"}"#);
        assert!(wrong.body.contains("at `quantity`"), "{}", wrong.body);
        let zero = order("", r#"{"item": "tea", "quantity": 0}"#);
        assert_eq!(
            (zero.status_code, zero.body.as_str()),
            (400, r#"{"message":"`quantity` must be at least 1"}"#)
        );
        let flag = order("dry_run=maybe", r#"{"item": "tea", "quantity": 2}"#);
        assert!(flag.body.contains("query parameter `dry_run`"), "{}", flag.body);
    }
}
