//! A client connecting to a WebSocket API: the handshake's headers checked
//! as Tencent checks them, the registration function asked, and the
//! upgrade accepted (with the subprotocol the function chose) or refused.

use super::session::{self, Session};
use super::{Hub, new_connection_id};
use crate::config::{Route, WebSocketApi};
use crate::event::Matched;
use crate::function::{Function, GatewayTimedOut, Outcome};
use crate::refusal::Refusal;
use apigw_events::tencent::Identity;
use apigw_events::tencent::websocket::{
    Action, Handshake, RegistrationAnswer, RegistrationEvent, RequestContext,
};
use bytes::Bytes;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// The header Tencent names first when it is missing.
const KEY: &str = "Sec-WebSocket-Key";
/// The header Tencent names when it is missing.
const VERSION: &str = "Sec-WebSocket-Version";

/// What the handshake needs from the configuration it was routed by.
pub(crate) struct Api<'a> {
    pub(crate) route: &'a Route,
    pub(crate) api: &'a WebSocketApi,
    pub(crate) service_id: &'a str,
    pub(crate) functions: &'a BTreeMap<String, Arc<Function>>,
}

/// Refuses a request a WebSocket API cannot take: Tencent's 403 `need
/// header Sec-WebSocket-Key` (or `…-Version`), or a 400 for a request that
/// is no WebSocket handshake at all, or one of another version than 13.
pub(crate) fn check(headers: &http::HeaderMap) -> Result<(), Refusal> {
    if headers.get(KEY).is_none() {
        return Err(Refusal::WebSocketHeader(KEY));
    }
    let Some(version) = headers.get(VERSION) else { return Err(Refusal::WebSocketHeader(VERSION)) };
    if !super::is_upgrade(headers) {
        return Err(Refusal::NotWebSocket(
            "a WebSocket API takes WebSocket handshakes: `Upgrade: websocket` and `Connection: Upgrade`"
                .into(),
        ));
    }
    if version.as_bytes() != b"13" {
        return Err(Refusal::NotWebSocket(format!(
            "Sec-WebSocket-Version `{}`: only version 13 is spoken",
            String::from_utf8_lossy(version.as_bytes())
        )));
    }
    Ok(())
}

/// Answers a handshake to a WebSocket API: the 101 that upgrades it, with
/// the connection then served on its own task, or the refusal.
pub(crate) async fn answer(
    api: Api<'_>,
    hub: Arc<Hub>,
    matched: &Matched,
    parts: &mut http::request::Parts,
) -> http::Response<Bytes> {
    let flavour = api.route.flavour;
    let refuse = |refusal: Refusal| {
        tracing::info!(request_id = matched.request_id, "WebSocket handshake refused: {refusal}");
        refusal.response(flavour, &matched.request_id)
    };
    if let Err(refusal) = check(&parts.headers) {
        return refuse(refusal);
    }
    let Some(upgrade) = parts.extensions.remove::<hyper::upgrade::OnUpgrade>() else {
        return refuse(Refusal::NotWebSocket(
            "this request cannot be upgraded here: connect with a WebSocket client to `cargo apigw serve`"
                .into(),
        ));
    };
    let function = |name: &Option<String>| name.as_ref().and_then(|n| api.functions.get(n)).cloned();
    let Some(transmission) = api.functions.get(&api.api.transmission).cloned() else {
        return refuse(Refusal::BackendFailed("no transmission function is running".into()));
    };
    let id = new_connection_id();
    let answer = match function(&api.api.register) {
        None => RegistrationAnswer::accept(&id),
        Some(register) => match register_with(&register, &api, matched, parts, &id).await {
            Ok(answer) => answer,
            Err(refusal) => return refuse(refusal),
        },
    };
    if !answer.is_accepted() {
        return refuse(Refusal::WebSocketRefused { err_no: answer.err_no, message: answer.err_msg });
    }
    let protocol = answer.protocol().filter(|p| !p.is_empty()).map(str::to_owned);
    if let Some(ext) = answer.websocket.as_ref().and_then(|w| w.sec_web_socket_extensions.as_deref())
        && !ext.is_empty()
    {
        tracing::warn!(
            request_id = matched.request_id,
            "extensions `{ext}` not negotiated: the local gateway speaks none"
        );
    }
    let key = parts.headers.get(KEY).map(|k| k.as_bytes()).unwrap_or_default();
    let mut res = http::Response::new(Bytes::new());
    *res.status_mut() = http::StatusCode::SWITCHING_PROTOCOLS;
    let headers = res.headers_mut();
    headers.insert(http::header::UPGRADE, http::HeaderValue::from_static("websocket"));
    headers.insert(http::header::CONNECTION, http::HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = http::HeaderValue::from_str(&derive_accept_key(key)) {
        headers.insert(http::header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    if let Some(p) = protocol.as_deref().and_then(|p| http::HeaderValue::from_str(p).ok()) {
        headers.insert(http::header::SEC_WEBSOCKET_PROTOCOL, p);
    }
    let session = Session {
        id,
        hub,
        transmission,
        cleanup: function(&api.api.cleanup),
        function_timeout: api.route.function_timeout,
        gateway_timeout: api.route.gateway_timeout,
        idle_timeout: api.route.idle_timeout,
    };
    tokio::spawn(async move {
        let upgraded = match upgrade.await {
            Ok(u) => u,
            Err(e) => {
                tracing::info!(connection = session.id, "the client left during the upgrade: {e}");
                return;
            }
        };
        // Frames keep tungstenite's 16 MiB bound: a message is judged once
        // read whole, so the client is still reading when it is refused.
        let config = WebSocketConfig::default().max_message_size(Some(crate::config::MAX_MESSAGE));
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
        session::run(ws, session).await;
    });
    res
}

/// Asks the registration function; a failure, a timeout or an answer that
/// is not a registration answer refuses the connection.
async fn register_with(
    register: &Function,
    api: &Api<'_>,
    matched: &Matched,
    parts: &http::request::Parts,
    id: &str,
) -> Result<RegistrationAnswer, Refusal> {
    let event = registration_event(api, matched, parts, id);
    let event = Bytes::from(serde_json::to_vec(&event).unwrap_or_default());
    let route = api.route;
    let outcome = register
        .invoke_within(event, &matched.request_id, route.function_timeout, Some(route.gateway_timeout))
        .await;
    let failed = |why: String| Refusal::BackendFailed(format!("the registration function {why}"));
    match outcome {
        Err(GatewayTimedOut) => Err(Refusal::BackendTimeout(route.gateway_timeout)),
        Ok(Outcome::TimedOut(limit)) => Err(Refusal::BackendTimeout(limit)),
        Ok(Outcome::Error(body)) if crate::respond::is_timeout(&body) => {
            Err(Refusal::BackendTimeout(route.function_timeout))
        }
        Ok(Outcome::Error(body)) => Err(failed(format!("failed: {}", String::from_utf8_lossy(&body)))),
        Ok(Outcome::Crashed(why)) => Err(failed(format!("failed: {why}"))),
        Ok(Outcome::Response(body)) => RegistrationAnswer::from_slice(&body)
            .map_err(|e| failed(format!("answered what is not a registration answer: {e}"))),
    }
}

/// The registration event, as Tencent documents it.
fn registration_event(
    api: &Api<'_>,
    matched: &Matched,
    parts: &http::request::Parts,
    id: &str,
) -> RegistrationEvent {
    let header = |name: http::header::HeaderName| {
        let values: Vec<&str> = parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    RegistrationEvent {
        request_context: Some(RequestContext {
            service_name: api.service_id.to_owned(),
            path: api.route.pattern.as_str().to_owned(),
            http_method: "GET".to_owned(),
            request_id: Some(matched.request_id.clone()),
            identity: Identity { secret_id: matched.key_id.clone(), ..Identity::default() },
            source_ip: matched.source_ip.clone(),
            stage: matched.stage.clone(),
            websocket_enable: true,
            ..RequestContext::default()
        }),
        websocket: Handshake {
            action: Action::Connecting,
            sec_connection_id: id.to_owned(),
            sec_web_socket_protocol: header(http::header::SEC_WEBSOCKET_PROTOCOL),
            sec_web_socket_extensions: header(http::header::SEC_WEBSOCKET_EXTENSIONS),
            ..Handshake::default()
        },
        ..RegistrationEvent::default()
    }
}
