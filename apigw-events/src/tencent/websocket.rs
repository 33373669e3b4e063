//! Tencent API Gateway's WebSocket APIs (a `WS`/`WSS` front end with SCF
//! behind it): the events the register, transmission and cleanup functions
//! receive, the registration function's answer, and what a function posts to
//! the API's push address to reach a client.
//!
//! The gateway holds the client's connection and calls up to three
//! functions: the **registration** function when a client connects
//! ([`RegistrationEvent`], answered with a [`RegistrationAnswer`]), the
//! **transmission** function for each client message ([`TransmissionEvent`]),
//! and the **cleanup** function when the client closes ([`CleanupEvent`]).
//! [`WebSocketEvent`] reads any of the three, for one function wired to all.
//!
//! ```
//! use apigw_events::tencent::websocket::{RegistrationAnswer, RegistrationEvent};
//!
//! let event: RegistrationEvent = apigw_events::from_slice(br#"{
//!     "requestContext": {"serviceName": "chat", "path": "/ws", "httpMethod": "GET",
//!                        "sourceIp": "10.0.2.14", "stage": "release", "websocketEnable": true},
//!     "websocket": {"action": "connecting", "secConnectionID": "CoQdJZAfLdAvVAkrrZlr5A==",
//!                   "secWebSocketProtocol": "chat.v2, chat.v1"}
//! }"#)?;
//! // Accept, choosing the first of the client's subprotocols this function speaks.
//! let answer = event.accept_protocol(&["chat.v1", "chat.v2"]);
//! assert_eq!(
//!     serde_json::to_value(&answer)?,
//!     serde_json::json!({"errNo": 0, "errMsg": "ok", "websocket": {
//!         "action": "connecting", "secConnectionID": "CoQdJZAfLdAvVAkrrZlr5A==",
//!         "secWebSocketProtocol": "chat.v2"}})
//! );
//! // Or refuse it.
//! let no = RegistrationAnswer::refuse(403, "unknown user");
//! assert!(!no.is_accepted());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Answering from a handler
//!
//! The gateway reads the registration function's return value as the JSON
//! answer itself, not as an integration response, so a registration handler
//! runs in passthrough mode (`#[handler(mode = "passthrough")]`, or
//! `passthrough(f)` in the runtime) and returns a [`RegistrationAnswer`]. The
//! transmission and cleanup functions' bodies are ignored (only a failure
//! counts), so they may return anything `Serialize`, in either mode. A
//! handler replies to a client through the push address
//! (`apigw_runtime::PushClient`), whose body is a [`PushRequest`].
//!
//! # The upstream action's two spellings
//!
//! Tencent's current page shows a client message as `action: "data send"`;
//! an older version of the page and Tencent's own function template show
//! `"data recv"`. [`TransmissionEvent`] reads both (and keeps the spelling
//! that came); nothing here branches on which one it was.

mod answer;
mod push;

pub use answer::{HandshakeAnswer, RegistrationAnswer};
pub use push::{Push, PushAnswer, PushRequest};

use crate::de::{Extra, lenient_bool, null_as_default};
use crate::tencent::Identity;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// The `websocket.action` of an event, an answer or a push.
///
/// An action this version does not know is kept as [`Action::Other`], so it
/// is written back as it came.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Action {
    /// `"connecting"`: a client is connecting (registration event and answer).
    #[default]
    Connecting,
    /// `"data send"`: a client's message (the current page's spelling), or a
    /// push of data to a client.
    DataSend,
    /// `"data recv"`: a client's message, as the older page and Tencent's
    /// function template spell it.
    DataRecv,
    /// `"closing"`: the client closed (cleanup event), or a push that closes
    /// a client's connection.
    Closing,
    /// Any other value, as it came.
    Other(String),
}

impl Action {
    /// The action as it is written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Action::Connecting => "connecting",
            Action::DataSend => "data send",
            Action::DataRecv => "data recv",
            Action::Closing => "closing",
            Action::Other(s) => s,
        }
    }

    /// Whether this carries data: `"data send"` or `"data recv"`.
    pub fn is_data(&self) -> bool {
        matches!(self, Action::DataSend | Action::DataRecv)
    }

    fn parse(s: &str) -> Self {
        match s {
            "connecting" => Action::Connecting,
            "data send" => Action::DataSend,
            "data recv" => Action::DataRecv,
            "closing" => Action::Closing,
            other => Action::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Action::parse(&String::deserialize(d)?))
    }
}

/// Reads an action that must be `expected`.
fn expect_action<'de, D: Deserializer<'de>>(d: D, expected: Action, what: &str) -> Result<Action, D::Error> {
    let action = Action::deserialize(d)?;
    if action == expected {
        Ok(action)
    } else {
        Err(de::Error::custom(format!("{what} has action \"{expected}\", not \"{action}\"")))
    }
}

fn connecting<'de, D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
    expect_action(d, Action::Connecting, "a registration event")
}

fn closing<'de, D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
    expect_action(d, Action::Closing, "a cleanup event")
}

/// Any action but `connecting` and `closing`: both spellings of a client's
/// message, and one a later version of the gateway may send.
fn message<'de, D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
    let action = Action::deserialize(d)?;
    match action {
        Action::Connecting | Action::Closing => Err(de::Error::custom(format!(
            "a transmission event has action \"data send\" or \"data recv\", not \"{action}\""
        ))),
        data => Ok(data),
    }
}

/// The event the registration function receives when a client connects.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationEvent {
    /// The API the client connected to and where from. The docs always show
    /// it; Tencent's function template leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_context: Option<RequestContext>,
    /// The connection and what the client asked for in its handshake.
    pub websocket: Handshake,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `requestContext` of a registration event: the HTTP trigger's context with
/// `serviceName` where that has `serviceId`, and `websocketEnable`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    /// The API Gateway service's name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub service_name: String,
    /// The API's configured path, e.g. `/test/{testvar}`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: String,
    /// The handshake's method: `GET`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub http_method: String,
    /// The gateway's id for the handshake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The caller's identity under key-pair auth.
    #[serde(default, deserialize_with = "null_as_default")]
    pub identity: Identity,
    /// The client's IP address.
    #[serde(default, deserialize_with = "null_as_default")]
    pub source_ip: String,
    /// The stage the client connected on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stage: String,
    /// `true` on a WebSocket API.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub websocket_enable: bool,
    /// Fields this version does not know (the docs say fields may be added).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `websocket` of a registration event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    /// Always [`Action::Connecting`]; reading any other value is an error.
    #[serde(deserialize_with = "connecting")]
    pub action: Action,
    /// The gateway's id for the connection: what pushes are addressed to.
    #[serde(rename = "secConnectionID")]
    pub sec_connection_id: String,
    /// The subprotocols the client offered (`Sec-WebSocket-Protocol`), as it
    /// sent them; absent when it offered none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sec_web_socket_protocol: Option<String>,
    /// The extensions the client offered (`Sec-WebSocket-Extensions`), as it
    /// sent them; absent when it offered none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sec_web_socket_extensions: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Handshake {
    /// The subprotocols the client offered, in its order of preference:
    /// `secWebSocketProtocol` split at commas, trimmed, empty ones left out.
    pub fn protocols(&self) -> impl Iterator<Item = &str> {
        list(self.sec_web_socket_protocol.as_deref())
    }

    /// The extensions the client offered: `secWebSocketExtensions` split at
    /// commas (an extension's own parameters follow it after `;`).
    pub fn extensions(&self) -> impl Iterator<Item = &str> {
        list(self.sec_web_socket_extensions.as_deref())
    }
}

fn list(value: Option<&str>) -> impl Iterator<Item = &str> {
    value.unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty())
}

impl RegistrationEvent {
    /// The connection's id (`websocket.secConnectionID`).
    pub fn connection_id(&self) -> &str {
        &self.websocket.sec_connection_id
    }

    /// An answer that accepts the connection without a subprotocol.
    pub fn accept(&self) -> RegistrationAnswer {
        RegistrationAnswer::accept(self.connection_id())
    }

    /// An answer that accepts the connection with the first subprotocol the
    /// client offered that is among `supported`, or with none when no offer
    /// is (the client then decides whether to stay).
    pub fn accept_protocol(&self, supported: &[&str]) -> RegistrationAnswer {
        let chosen = self.websocket.protocols().find(|p| supported.contains(p));
        match chosen {
            Some(p) => self.accept().with_protocol(p),
            None => self.accept(),
        }
    }
}

/// The event the transmission function receives for each client message.
/// It carries no `requestContext`.
///
/// ```
/// use apigw_events::tencent::websocket::TransmissionEvent;
///
/// let e: TransmissionEvent = apigw_events::from_slice(br#"{"websocket": {"action": "data recv",
///     "secConnectionID": "CoQdJZAfLdAvVAkrrZlr5A==", "dataType": "binary", "data": "AAEC/w=="}}"#)?;
/// assert!(e.websocket.action.is_data());
/// assert_eq!(e.text(), None);
/// assert_eq!(e.data_bytes()?, [0, 1, 2, 255]);
/// # Ok::<(), apigw_events::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TransmissionEvent {
    /// The message.
    pub websocket: Message,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `websocket` of a transmission event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// `"data send"` or `"data recv"` (see the [module docs](self)); any
    /// value but `connecting` and `closing` is read and kept.
    #[serde(deserialize_with = "message")]
    pub action: Action,
    /// The connection the message came on.
    #[serde(rename = "secConnectionID")]
    pub sec_connection_id: String,
    /// Whether `data` is text or base64 of binary data.
    pub data_type: DataType,
    /// The message: the text itself, or base64 when `data_type` is binary.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Default for Message {
    fn default() -> Self {
        Message {
            action: Action::DataSend,
            sec_connection_id: String::new(),
            data_type: DataType::Text,
            data: String::new(),
            extra: Extra::new(),
        }
    }
}

/// `dataType` of a message or a push: the kind of WebSocket frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    /// A text frame: `data` is the text.
    #[default]
    Text,
    /// A binary frame: `data` is its bytes in base64.
    Binary,
}

impl TransmissionEvent {
    /// The connection's id (`websocket.secConnectionID`).
    pub fn connection_id(&self) -> &str {
        &self.websocket.sec_connection_id
    }

    /// The message's text, when it is a text frame.
    pub fn text(&self) -> Option<&str> {
        (self.websocket.data_type == DataType::Text).then_some(self.websocket.data.as_str())
    }

    /// The message's bytes: the text's, or the base64 decoded for a binary
    /// frame (an error naming `websocket.data` when it is not base64).
    pub fn data_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        data_bytes(self.websocket.data_type, &self.websocket.data)
    }
}

pub(crate) fn data_bytes(data_type: DataType, data: &str) -> Result<Vec<u8>, crate::Error> {
    match data_type {
        DataType::Text => Ok(data.as_bytes().to_vec()),
        DataType::Binary => crate::body::decode_base64("websocket.data", data),
    }
}

/// The event the cleanup function receives when the client closes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CleanupEvent {
    /// The connection that closed.
    pub websocket: Closing,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `websocket` of a cleanup event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Closing {
    /// Always [`Action::Closing`]; reading any other value is an error.
    #[serde(deserialize_with = "closing")]
    pub action: Action,
    /// The connection that closed.
    #[serde(rename = "secConnectionID")]
    pub sec_connection_id: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Default for Closing {
    fn default() -> Self {
        Closing { action: Action::Closing, sec_connection_id: String::new(), extra: Extra::new() }
    }
}

impl CleanupEvent {
    /// The connection's id (`websocket.secConnectionID`).
    pub fn connection_id(&self) -> &str {
        &self.websocket.sec_connection_id
    }
}

/// Any of the three events, told apart by `websocket.action`: for one
/// function wired as register, transmission and cleanup function at once.
///
/// ```
/// use apigw_events::tencent::websocket::WebSocketEvent;
///
/// let e: WebSocketEvent = apigw_events::from_slice(
///     br#"{"websocket": {"action": "closing", "secConnectionID": "CoQdJZAfLdAvVAkrrZlr5A=="}}"#)?;
/// assert!(matches!(e, WebSocketEvent::Cleanup(_)));
/// assert_eq!(e.connection_id(), "CoQdJZAfLdAvVAkrrZlr5A==");
/// # Ok::<(), apigw_events::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum WebSocketEvent {
    /// `connecting`: a client connects (boxed: it is the largest by far).
    Registration(Box<RegistrationEvent>),
    /// Any other action: a client's message.
    Transmission(TransmissionEvent),
    /// `closing`: the client closed.
    Cleanup(CleanupEvent),
}

impl WebSocketEvent {
    /// The connection's id (`websocket.secConnectionID`).
    pub fn connection_id(&self) -> &str {
        match self {
            WebSocketEvent::Registration(e) => e.connection_id(),
            WebSocketEvent::Transmission(e) => e.connection_id(),
            WebSocketEvent::Cleanup(e) => e.connection_id(),
        }
    }
}

impl<'de> Deserialize<'de> for WebSocketEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let action = value.get("websocket").and_then(|w| w.get("action")).and_then(|a| a.as_str());
        let read = match action.map(Action::parse) {
            None => return Err(de::Error::custom("a WebSocket event has a string at `websocket.action`")),
            Some(Action::Connecting) => from_value(value).map(|e| WebSocketEvent::Registration(Box::new(e))),
            Some(Action::Closing) => from_value(value).map(WebSocketEvent::Cleanup),
            Some(_) => from_value(value).map(WebSocketEvent::Transmission),
        };
        read.map_err(de::Error::custom)
    }
}

/// Reads `T`, naming the path that failed in the message (the outer reader
/// sees only the document).
fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| format!("at `{}`: {}", e.path(), e.inner()))
}
