//! `protocol = "websocket"`: a Tencent WebSocket API (a WS/WSS front end
//! with SCF behind it) and the functions that carry it, and the limits of
//! the WebSocket connections a route holds.

use super::raw::Checker;
use super::{ConfigError, FunctionConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use toml::Spanned;

/// How long a WebSocket connection may pass no message either way before
/// the gateway closes it, unless the route's `idle_timeout` says otherwise.
/// Tencent documents none for WebSocket APIs (`gateway-features.md` §1.5);
/// 10 minutes is within the 10 s to 7,200 s its web functions allow.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// The largest client message or push, in bytes: 6 MB (2^20 bytes to the
/// MB), the size of one synchronous invocation, which each message is.
pub const MAX_MESSAGE: usize = 6 << 20;

/// A WebSocket API's functions, by the names of `[functions.NAME]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSocketApi {
    /// Called with the registration event when a client connects; its answer
    /// accepts or refuses the handshake. `None` accepts every client.
    pub register: Option<String>,
    /// Called with a transmission event for each client message.
    pub transmission: String,
    /// Called with the cleanup event when a connection closes. `None` calls
    /// nothing.
    pub cleanup: Option<String>,
}

/// `websocket = { register = "…", transmission = "…", cleanup = "…" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebSocket {
    register: Option<Spanned<String>>,
    pub(super) transmission: Option<Spanned<String>>,
    cleanup: Option<Spanned<String>>,
}

/// What a route says about WebSocket: its `protocol`, its `websocket`
/// table, its `method`, the function it names, and where its path is.
pub(super) struct RouteWebSocket<'r> {
    pub(super) index: usize,
    pub(super) protocol: Option<&'r Spanned<String>>,
    pub(super) table: Option<&'r Spanned<RawWebSocket>>,
    pub(super) method: Option<&'r Spanned<String>>,
    pub(super) backend: Option<&'r Spanned<String>>,
    pub(super) function: Option<&'r str>,
    pub(super) path: &'r Spanned<String>,
}

/// The WebSocket API of a route with `protocol = "websocket"`, checked:
/// GET only (Tencent's `InvalidWSMethod`), a function backend, and
/// functions that exist. Without a `websocket` table the route's own
/// function is all three. `None` for an HTTP route.
pub(super) fn check(
    c: &Checker<'_>,
    r: &RouteWebSocket<'_>,
    functions: &BTreeMap<String, FunctionConfig>,
) -> Result<Option<WebSocketApi>, ConfigError> {
    let field = |name: &str| format!("routes[{}].{name}", r.index);
    match r.protocol.map(|p| (p.get_ref().as_str(), p.span())) {
        None | Some(("http", _)) => {
            if let Some(table) = r.table {
                return c.err(
                    Some(table.span()),
                    format!("`{}` belongs to a route with `protocol = \"websocket\"`", field("websocket")),
                );
            }
            return Ok(None);
        }
        Some(("websocket", _)) => {}
        Some((other, span)) => {
            return c.err(
                Some(span),
                format!("`{}` = \"{other}\": expected http or websocket", field("protocol")),
            );
        }
    }
    if let Some(m) = r.method.filter(|m| !m.get_ref().eq_ignore_ascii_case("GET")) {
        return c.err(
            Some(m.span()),
            format!(
                "`{}` = \"{}\": a WebSocket API's front-end method is GET (Tencent's InvalidWSMethod)",
                field("method"),
                m.get_ref()
            ),
        );
    }
    if let Some(b) = r.backend.filter(|b| b.get_ref() != "function") {
        return c.err(
            Some(b.span()),
            format!(
                "`{}` = \"{}\": a WebSocket API's backend is its functions",
                field("backend"),
                b.get_ref()
            ),
        );
    }
    let known = |name: &Spanned<String>, role: &str| -> Result<String, ConfigError> {
        if functions.contains_key(name.get_ref()) {
            return Ok(name.get_ref().clone());
        }
        let names = functions.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
        c.err(
            Some(name.span()),
            format!(
                "`{}` = \"{}\": no such function; there are {names}",
                field(&format!("websocket.{role}")),
                name.get_ref()
            ),
        )
    };
    let Some(table) = r.table else {
        // The route's function (checked already) carries all three.
        let name = r.function.unwrap_or_default().to_owned();
        return Ok(Some(WebSocketApi {
            register: Some(name.clone()),
            transmission: name.clone(),
            cleanup: Some(name),
        }));
    };
    let table = table.get_ref();
    let Some(transmission) = &table.transmission else {
        return c.err(
            Some(r.path.span()),
            format!(
                "`{}` needs `transmission`: the function each client message goes to",
                field("websocket")
            ),
        );
    };
    Ok(Some(WebSocketApi {
        register: table.register.as_ref().map(|n| known(n, "register")).transpose()?,
        transmission: known(transmission, "transmission")?,
        cleanup: table.cleanup.as_ref().map(|n| known(n, "cleanup")).transpose()?,
    }))
}
