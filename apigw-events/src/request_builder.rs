//! Builder methods for [`Request`]: synthetic requests for tests, without
//! writing a vendor's event by hand.

use crate::{Body, Query, Request};

/// ```
/// use apigw_events::Request;
///
/// let req = Request::default()
///     .with_method("POST")
///     .with_path("/shop/tea")
///     .with_query("page=2&tag=a&tag=b")
///     .with_header("Content-Type", "application/json")
///     .with_path_param("shop", "tea")
///     .with_stage("test")
///     .with_body(r#"{"quantity": 2}"#);
/// assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/shop/tea"));
/// assert_eq!(req.query("page"), Some("2"));
/// assert_eq!(req.query_all("tag").count(), 2);
/// assert_eq!(req.header("content-type"), Some("application/json"));
/// assert_eq!(req.path_param("shop"), Some("tea"));
/// assert_eq!(req.context.stage.as_deref(), Some("test"));
/// assert_eq!(req.text().unwrap(), r#"{"quantity": 2}"#);
/// ```
impl Request {
    /// Sets the method (`GET` when unset and converted to an event).
    pub fn with_method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Sets the path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Replaces the query with `query` (`a=1&b=2`, without the `?`),
    /// percent- and `+`-decoded.
    pub fn with_query(mut self, query: &str) -> Self {
        self.query = Query::parse(query);
        self
    }

    /// Adds a header value (a repeated name keeps each value).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets a path parameter of the matched API.
    pub fn with_path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.path_parameters.insert(name.into(), value.into());
        self
    }

    /// Sets the stage.
    pub fn with_stage(mut self, stage: impl Into<String>) -> Self {
        self.context.stage = Some(stage.into());
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }
}
