//! Extractors: handler arguments read from the request, in the spirit of
//! axum's. A handler takes the event, or extractors, or both (the event
//! first):
//!
//! ```
//! use apigw_runtime::{HttpError, Json, extract::{Path, Query}};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Deserialize)]
//! struct Order { item: String, quantity: u32 }
//! #[derive(Deserialize)]
//! struct Shop { shop: String }
//! #[derive(Deserialize)]
//! struct Paging { page: Option<u32> }
//! #[derive(Serialize)]
//! struct Created { shop: String, item: String, quantity: u32, page: u32 }
//!
//! async fn create(
//!     Path(at): Path<Shop>,
//!     Query(paging): Query<Paging>,
//!     Json(order): Json<Order>,
//! ) -> Result<Json<Created>, HttpError> {
//!     if order.quantity == 0 {
//!         return Err(HttpError::bad_request("`quantity` must be positive"));
//!     }
//!     let page = paging.page.unwrap_or(1);
//!     Ok(Json(Created { shop: at.shop, item: order.item, quantity: order.quantity, page }))
//! }
//! # let _ = create; // `#[apigw_runtime::handler]` goes on such a fn
//! ```
//!
//! Each extractor that cannot read its part answers **400** with a JSON
//! body `{"message": …}` naming the field, before the handler runs (in
//! passthrough mode, which cannot choose a status, it fails the invocation
//! with that message):
//!
//! ```
//! use apigw_runtime::{Json, testing};
//! # #[derive(serde::Deserialize)] struct Order { item: String, quantity: u32 }
//! async fn create(Json(order): Json<Order>) -> Result<String, std::convert::Infallible> {
//!     Ok(format!("{} × {}", order.quantity, order.item))
//! }
//!
//! let event = apigw_runtime::Request::default().with_body(r#"{"quantity": 2}"#);
//! let res = testing::invoke(create, event).response().unwrap();
//! assert_eq!(res.status_code, 400);
//! assert!(res.body.contains("missing field `item`"), "{}", res.body);
//! ```

use crate::Context;
use apigw_events::{GatewayContext, Headers, HttpError, Json, Request};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// A handler argument read from the request.
///
/// Implemented for [`Json<T>`], [`Query<T>`], [`Path<T>`], [`Headers`] and
/// [`GatewayContext`]; implement it for your own types (an authenticated
/// user read from a header, say). An `Err` is answered as it is, before the
/// handler runs. A type that is also `Deserialize` cannot be a handler
/// argument: it would be both an event and an extractor.
///
/// ```
/// use apigw_runtime::{Context, HttpError, Request, extract::FromRequest, testing};
///
/// struct Caller(String);
///
/// impl FromRequest for Caller {
///     fn from_request(req: &Request, _ctx: &Context) -> Result<Self, HttpError> {
///         let key = req.header("x-api-user").ok_or_else(|| HttpError::new(401, "no `x-api-user` header"))?;
///         Ok(Caller(key.to_owned()))
///     }
/// }
///
/// async fn whoami(Caller(name): Caller) -> Result<String, std::convert::Infallible> {
///     Ok(name)
/// }
///
/// let res = testing::invoke(whoami, Request::default()).response().unwrap();
/// assert_eq!((res.status_code, res.body.as_str()), (401, r#"{"message":"no `x-api-user` header"}"#));
/// ```
pub trait FromRequest: Sized + Send + 'static {
    /// Reads the value from the request, or says (with the status to
    /// answer) why it cannot.
    fn from_request(req: &Request, ctx: &Context) -> Result<Self, HttpError>;
}

/// The query string read into `T` (a struct or a map), each value parsed
/// as its field's type; a missing field, or a value that does not parse,
/// answers 400 naming the parameter.
///
/// ```
/// use apigw_runtime::{Request, extract::Query, testing};
///
/// #[derive(serde::Deserialize)]
/// struct Search { q: String, page: u32 }
///
/// async fn search(Query(s): Query<Search>) -> Result<String, std::convert::Infallible> {
///     Ok(format!("{} p{}", s.q, s.page))
/// }
///
/// let ok = testing::invoke(search, Request::default().with_query("q=tea&page=2"));
/// assert_eq!(ok.response().unwrap().body, "tea p2");
/// let bad = testing::invoke(search, Request::default().with_query("q=tea&page=two"));
/// let res = bad.response().unwrap();
/// assert_eq!(res.status_code, 400);
/// assert!(res.body.contains("query parameter `page`"), "{}", res.body);
/// ```
///
/// A repeated key keeps its first value; sequences are not read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

/// The API's path parameters (`/shop/{shop}/order/{id}`) read into `T`, a
/// struct or a map, each value parsed as its field's type; a missing or
/// unparsable parameter answers 400 naming it.
///
/// ```
/// use apigw_runtime::{Request, extract::Path, testing};
///
/// #[derive(serde::Deserialize)]
/// struct Order { shop: String, id: u64 }
///
/// async fn show(Path(o): Path<Order>) -> Result<String, std::convert::Infallible> {
///     Ok(format!("{}/{}", o.shop, o.id))
/// }
///
/// let req = Request::default().with_path_param("shop", "tea").with_path_param("id", "7");
/// assert_eq!(testing::invoke(show, req).response().unwrap().body, "tea/7");
/// let req = Request::default().with_path_param("shop", "tea").with_path_param("id", "x");
/// let res = testing::invoke(show, req).response().unwrap();
/// assert_eq!(res.status_code, 400);
/// assert!(res.body.contains("path parameter `id`"), "{}", res.body);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Path<T>(pub T);

macro_rules! newtype {
    ($name:ident) => {
        impl<T> $name<T> {
            /// The value read.
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        impl<T> std::ops::Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        impl<T> std::ops::DerefMut for $name<T> {
            fn deref_mut(&mut self) -> &mut T {
                &mut self.0
            }
        }
    };
}
newtype!(Query);
newtype!(Path);

impl<T: DeserializeOwned + Send + 'static> FromRequest for Json<T> {
    fn from_request(req: &Request, _ctx: &Context) -> Result<Self, HttpError> {
        if req.body.is_empty() {
            return Err(HttpError::bad_request("the request body is empty; a JSON body is expected"));
        }
        let refuse = |path: String, inner: serde_json::Error| {
            HttpError::bad_request(if path == "." {
                format!("invalid JSON body: {inner}")
            } else {
                format!("invalid JSON body at `{path}`: {inner}")
            })
        };
        let de = &mut serde_json::Deserializer::from_slice(req.body.as_bytes());
        let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            refuse(path, e.into_inner())
        })?;
        de.end().map_err(|e| refuse(".".into(), e))?;
        Ok(Json(value))
    }
}

impl<T: DeserializeOwned + Send + 'static> FromRequest for Query<T> {
    fn from_request(req: &Request, _ctx: &Context) -> Result<Self, HttpError> {
        // First value of each key, as `Request::query` reads it.
        let mut first = BTreeMap::new();
        for (key, value) in req.query.iter() {
            first.entry(key).or_insert(value);
        }
        from_pairs("query parameter", first).map(Query)
    }
}

impl<T: DeserializeOwned + Send + 'static> FromRequest for Path<T> {
    fn from_request(req: &Request, _ctx: &Context) -> Result<Self, HttpError> {
        let pairs = req.context.path_parameters.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        from_pairs("path parameter", pairs).map(Path)
    }
}

impl FromRequest for Headers {
    fn from_request(req: &Request, _ctx: &Context) -> Result<Self, HttpError> {
        Ok(req.headers.clone())
    }
}

impl FromRequest for GatewayContext {
    fn from_request(req: &Request, _ctx: &Context) -> Result<Self, HttpError> {
        Ok(req.context.clone())
    }
}

/// Reads decoded name/value pairs into `T`, each value parsed as its
/// field's type (`serde_urlencoded` does the parsing, over the pairs
/// encoded again).
fn from_pairs<T: DeserializeOwned>(what: &str, pairs: BTreeMap<&str, &str>) -> Result<T, HttpError> {
    let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        HttpError::bad_request(if path == "." {
            format!("invalid {what}s: {inner}")
        } else {
            format!("invalid {what} `{path}`: {inner}")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Order {
        item: String,
        quantity: u32,
        #[serde(default)]
        lines: Vec<Line>,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Line {
        sku: String,
    }

    fn json(body: &str) -> Result<Json<Order>, HttpError> {
        Json::from_request(&Request::default().with_body(body.to_owned()), &Context::default())
    }

    #[test]
    fn a_json_body_names_the_nested_field_that_failed() {
        let Json(order) = json(r#"{"item": "tea", "quantity": 2}"#).unwrap();
        assert_eq!((order.item.as_str(), order.quantity), ("tea", 2));
        let err = json(r#"{"item": "tea", "quantity": 2, "lines": [{"sku": 1}]}"#).unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(err.message().contains("at `lines[0].sku`"), "{}", err.message());
        let err = json(r#"{"quantity": 2}"#).unwrap_err();
        assert!(err.message().contains("missing field `item`"), "{}", err.message());
    }

    #[test]
    fn an_empty_or_trailing_json_body_is_refused() {
        assert!(json("").unwrap_err().message().contains("empty"));
        let err = json(r#"{"item": "tea", "quantity": 2} x"#).unwrap_err();
        assert!(err.message().contains("trailing"), "{}", err.message());
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Paging {
        page: u32,
        q: Option<String>,
    }

    #[test]
    fn a_query_reads_the_first_value_and_parses_each_field() {
        let req = Request::default().with_query("page=2&page=3&q=caf%C3%A9+au+lait");
        let Query(p) = Query::<Paging>::from_request(&req, &Context::default()).unwrap();
        assert_eq!(p, Paging { page: 2, q: Some("café au lait".into()) });
        let req = Request::default().with_query("q=x");
        let err = Query::<Paging>::from_request(&req, &Context::default()).unwrap_err();
        assert!(err.message().contains("missing field `page`"), "{}", err.message());
        let req = Request::default().with_query("page=-1");
        let err = Query::<Paging>::from_request(&req, &Context::default()).unwrap_err();
        assert!(err.message().contains("query parameter `page`"), "{}", err.message());
    }

    #[test]
    fn path_parameters_read_into_a_map_or_a_struct() {
        let req = Request::default().with_path_param("id", "7").with_path_param("shop", "a&b=c");
        let Path(map) = Path::<BTreeMap<String, String>>::from_request(&req, &Context::default()).unwrap();
        assert_eq!(map["shop"], "a&b=c");
        #[derive(serde::Deserialize)]
        struct Id {
            id: u8,
        }
        let Path(id) = Path::<Id>::from_request(&req, &Context::default()).unwrap();
        assert_eq!(id.id, 7);
    }
}
