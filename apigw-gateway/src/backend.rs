//! The HTTP backend: the request forwarded to a base URL plus a backend
//! path with `{param}`s, with its own method and timeout, frontend
//! parameters mapped to backend ones, and constant parameters added.

use crate::client::{self, ClientError};
use crate::config::{HttpBackend, Location};
use crate::event::Matched;
use crate::refusal::Refusal;
use bytes::Bytes;

/// Hop-by-hop headers that are not forwarded.
const HOP: [&str; 7] =
    ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];

pub(crate) async fn forward(
    backend: &HttpBackend,
    matched: &Matched,
    parts: &http::request::Parts,
    body: Bytes,
) -> Result<http::Response<Bytes>, Refusal> {
    let value = |name: &str| {
        matched
            .path_params
            .get(name)
            .or_else(|| matched.query_params.get(name))
            .or_else(|| matched.header_params.get(name))
            .cloned()
    };
    let mut path_values = matched.path_params.clone();
    let mut query = apigw_events::Query::parse(parts.uri.query().unwrap_or(""));
    let mut headers = http::HeaderMap::new();
    for (name, v) in &parts.headers {
        if !HOP.contains(&name.as_str()) && name != http::header::HOST {
            headers.append(name.clone(), v.clone());
        }
    }
    for m in &backend.params {
        let Some(v) = value(&m.from) else { continue };
        match m.location {
            Location::Path => {
                path_values.insert(m.to.clone(), v);
            }
            Location::Query => query.append(m.to.clone(), v),
            Location::Header => insert_header(&mut headers, &m.to, &v),
        }
    }
    let authority = backend.url.trim_start_matches("http://").to_owned();
    let mut host = authority.clone();
    for c in &backend.constants {
        match c.location {
            Location::Header if c.name.eq_ignore_ascii_case("host") => host = c.value.clone(),
            Location::Header => insert_header(&mut headers, &c.name, &c.value),
            Location::Query | Location::Path => query.append(c.name.clone(), c.value.clone()),
        }
    }
    let path = substitute(&backend.path, &path_values);
    let uri = if query.is_empty() { path } else { format!("{path}?{query}") };
    let mut req = http::Request::new(body);
    *req.method_mut() = match &backend.method {
        Some(m) => http::Method::from_bytes(m.as_bytes()).unwrap_or(parts.method.clone()),
        None => parts.method.clone(),
    };
    match uri.parse() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return Err(Refusal::BackendFailed(format!("the backend path `{uri}` is not a valid URI"))),
    }
    *req.headers_mut() = headers;
    insert_header(req.headers_mut(), "host", &host);
    match client::send(&authority, req, backend.timeout, 64 << 20).await {
        Ok(res) => Ok(res),
        Err(ClientError::TimedOut(t)) => Err(Refusal::BackendTimeout(t)),
        Err(e) => Err(Refusal::BackendFailed(e.to_string())),
    }
}

fn insert_header(headers: &mut http::HeaderMap, name: &str, value: &str) {
    if let (Ok(k), Ok(v)) =
        (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_str(value))
    {
        headers.insert(k, v);
    }
}

/// `/users/{id}` with `id = 7` → `/users/7` (values percent-encoded).
fn substitute(template: &str, values: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in values {
        let encoded =
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
        out = out.replace(&format!("{{{k}}}"), &encoded);
    }
    if out.starts_with('/') { out } else { format!("/{out}") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn substitutes_and_encodes() {
        let values = [("id".to_owned(), "a b".to_owned())].into_iter().collect();
        assert_eq!(super::substitute("/v1/{id}/x", &values), "/v1/a%20b/x");
    }
}
