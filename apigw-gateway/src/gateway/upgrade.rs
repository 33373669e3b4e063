//! [`Gateway::upgrade`]: the requests that hold their connection open
//! rather than take a body: WebSocket API handshakes, and WebSocket
//! upgrades passed through to web functions.

use super::Gateway;
use crate::config::{Backend, Provider};
use crate::event::Matched;
use crate::function::GatewayTimedOut;
use crate::refusal::Refusal;
use crate::respond;
use crate::websocket::{self, handshake};
use bytes::Bytes;

impl Gateway {
    /// Answers a routed request that holds a connection open instead of
    /// taking a body: a handshake to a WebSocket API, or an `Upgrade:
    /// websocket` request to a web function, passed through. `None` for any
    /// other request. The upgrade itself is taken from `parts`' extensions
    /// (hyper's, on a server that allows upgrades).
    pub async fn upgrade(
        &self,
        matched: &Matched,
        parts: &mut http::request::Parts,
    ) -> Option<http::Response<Bytes>> {
        let loaded = self.loaded_for(matched);
        let route = loaded.route_at(matched)?;
        let mut res = if let Some(api) = &route.websocket {
            let api = handshake::Api {
                route,
                api,
                service_id: &loaded.config.service_id,
                functions: &loaded.functions,
            };
            handshake::answer(api, self.hub.clone(), matched, parts).await
        } else {
            let function = route.function.as_ref().and_then(|name| loaded.functions.get(name))?;
            let web = function.spec().provider == Provider::Web;
            if route.backend != Backend::Function || !web || !websocket::is_upgrade(&parts.headers) {
                return None;
            }
            let client = parts.extensions.remove::<hyper::upgrade::OnUpgrade>()?;
            let req = web_request(matched, parts, Bytes::new());
            let limit = route.gateway_timeout;
            match function.tunnel(req, client, limit, route.idle_timeout).await {
                Err(GatewayTimedOut) => {
                    Refusal::BackendTimeout(limit).response(route.flavour, &matched.request_id)
                }
                Ok(Ok(res)) => res,
                Ok(Err(outcome)) => respond::outcome(route.flavour, route.mode, outcome, &matched.request_id),
            }
        };
        crate::refusal::stamp(&mut res, route.flavour, &matched.request_id);
        Some(res)
    }
}

/// The request a web function gets: the path without its stage, and the
/// request id in `x-scf-request-id`.
pub(super) fn web_request(
    matched: &Matched,
    parts: &http::request::Parts,
    body: Bytes,
) -> http::Request<Bytes> {
    let mut head = http::request::Builder::new().method(parts.method.clone()).version(parts.version);
    if let Some(headers) = head.headers_mut() {
        *headers = parts.headers.clone();
    }
    let mut req = head.body(body).unwrap_or_default();
    let pq = match parts.uri.query() {
        Some(q) => format!("{}?{q}", matched.path),
        None => matched.path.clone(),
    };
    if let Ok(uri) = pq.parse() {
        *req.uri_mut() = uri;
    }
    if let Ok(id) = http::HeaderValue::from_str(&matched.request_id) {
        req.headers_mut().insert("x-scf-request-id", id);
    }
    req
}
