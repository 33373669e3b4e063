//! Conversions to and from the `http` crate (feature `http`).

use crate::body::Body;
use crate::fields::{Headers, Query};
use crate::{Error, GatewayContext, IntegrationResponse, IntoResponse, Request};
use bytes::Bytes;
use http_body::Frame;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.is_empty() {
            return Poll::Ready(None);
        }
        Poll::Ready(Some(Ok(Frame::data(std::mem::take(this).into_bytes()))))
    }

    fn is_end_stream(&self) -> bool {
        self.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.len() as u64)
    }
}

/// Builds an `http::Request` with the gateway's [`GatewayContext`] in its
/// extensions. Fails on a method, path or header the `http` crate refuses.
impl TryFrom<Request> for http::Request<Body> {
    type Error = Error;

    fn try_from(req: Request) -> Result<Self, Error> {
        let method = http::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| Error::http("method", &req.method, e))?;
        let mut uri = encode_path(&req.path);
        if !req.query.is_empty() {
            uri.push('?');
            uri.push_str(&req.query.to_string());
        }
        let uri: http::Uri = uri.parse().map_err(|e| Error::http("uri", &uri, e))?;
        let mut out = http::Request::new(req.body);
        *out.method_mut() = method;
        *out.uri_mut() = uri;
        let headers = out.headers_mut();
        for (name, value) in req.headers.iter() {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::http("header name", name, e))?;
            let value =
                http::HeaderValue::from_str(value).map_err(|e| Error::http("header value", value, e))?;
            headers.append(name, value);
        }
        out.extensions_mut().insert(req.context);
        Ok(out)
    }
}

/// Reads an `http::Request`; the [`GatewayContext`] comes from its extensions
/// when present. Header values that are not UTF-8 are read lossily.
impl From<http::Request<Body>> for Request {
    fn from(req: http::Request<Body>) -> Self {
        let (parts, body) = req.into_parts();
        let headers: Headers = parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        Request {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(Query::parse).unwrap_or_default(),
            headers,
            body,
            context: parts.extensions.get::<GatewayContext>().cloned().unwrap_or_default(),
        }
    }
}

/// Percent-encodes what may not stand in a URI path, leaving `/` and any
/// existing `%XX` escapes alone.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        out.push('/');
    }
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@%".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl IntegrationResponse {
    /// The HTTP response the gateway sends for this integration response:
    /// base64 decoded, list headers repeated. Fails on a status outside
    /// 100–999, a header name or value the `http` crate refuses (CR/LF
    /// included), or bad base64.
    pub fn into_http(self) -> Result<http::Response<Body>, Error> {
        let status = http::StatusCode::from_u16(self.status_code)
            .map_err(|e| Error::http("status code", self.status_code, e))?;
        let body = Body::from(self.body_bytes()?);
        let mut out = http::Response::new(body);
        *out.status_mut() = status;
        for (name, values) in &self.headers {
            let header = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::http("header name", name, e))?;
            for value in values.iter() {
                let value =
                    http::HeaderValue::from_str(value).map_err(|e| Error::http("header value", value, e))?;
                out.headers_mut().append(header.clone(), value);
            }
        }
        Ok(out)
    }
}

/// Text or base64 is chosen from the `Content-Type` (see
/// [`is_text_content_type`](crate::is_text_content_type)); header values that are not UTF-8 are read lossily.
impl<B: Into<Body>> IntoResponse for http::Response<B> {
    fn into_response(self) -> IntegrationResponse {
        let (parts, body) = self.into_parts();
        let body: Body = body.into();
        let mut res = IntegrationResponse::new(parts.status.as_u16());
        for (name, value) in &parts.headers {
            res.append_header(name.as_str(), String::from_utf8_lossy(value.as_bytes()));
        }
        let content_type = parts.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        res.set_body_bytes(body.as_bytes(), content_type);
        res
    }
}

impl<T: IntoResponse> IntoResponse for (http::StatusCode, T) {
    fn into_response(self) -> IntegrationResponse {
        self.1.into_response().with_status(self.0.as_u16())
    }
}
