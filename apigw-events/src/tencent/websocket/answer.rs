//! [`RegistrationAnswer`]: what the registration function returns to accept
//! or refuse a connection.

use super::{Action, connecting};
use crate::de::{Extra, null_as_default};
use serde::{Deserialize, Serialize};

/// The registration function's answer:
/// `{"errNo", "errMsg", "websocket": {"action", "secConnectionID",
/// "secWebSocketProtocol", "secWebSocketExtensions"}}`.
///
/// `errNo` 0 accepts the handshake; any other value refuses it, and
/// `errMsg` says why. The subprotocol and extensions, when given, are each
/// one value, which the gateway passes back to the client in the handshake.
/// The function must return this as it is (passthrough mode), not inside an
/// integration response.
///
/// ```
/// use apigw_events::tencent::websocket::RegistrationAnswer;
///
/// let yes = RegistrationAnswer::accept("CoQdJZAfLdAvVAkrrZlr5A==").with_protocol("chat");
/// assert!(yes.is_accepted());
/// assert_eq!(yes.protocol(), Some("chat"));
///
/// let no = RegistrationAnswer::refuse(101, "not found request context");
/// assert_eq!(
///     serde_json::to_value(&no)?,
///     serde_json::json!({"errNo": 101, "errMsg": "not found request context"})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationAnswer {
    /// 0 accepts the connection; anything else refuses it.
    pub err_no: i64,
    /// Why the connection was refused (`"ok"` when accepted).
    #[serde(default, deserialize_with = "null_as_default")]
    pub err_msg: String,
    /// The accepted connection; refusals in Tencent's samples leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket: Option<HandshakeAnswer>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `websocket` of a registration answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandshakeAnswer {
    /// Always [`Action::Connecting`]; reading any other value is an error.
    #[serde(deserialize_with = "connecting")]
    pub action: Action,
    /// The connection being accepted: the event's `secConnectionID`.
    #[serde(rename = "secConnectionID")]
    pub sec_connection_id: String,
    /// The one subprotocol chosen from the client's offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sec_web_socket_protocol: Option<String>,
    /// The extensions agreed to, as one value (`""` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sec_web_socket_extensions: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl RegistrationAnswer {
    /// Accepts connection `connection_id`: `errNo` 0, `errMsg` `"ok"`, no
    /// subprotocol or extensions.
    pub fn accept(connection_id: impl Into<String>) -> Self {
        RegistrationAnswer {
            err_no: 0,
            err_msg: "ok".to_owned(),
            websocket: Some(HandshakeAnswer {
                action: Action::Connecting,
                sec_connection_id: connection_id.into(),
                ..HandshakeAnswer::default()
            }),
            extra: Extra::new(),
        }
    }

    /// Refuses the connection with `err_no` and `message`. `errNo` 0 would
    /// accept it, so a 0 is sent as 1.
    pub fn refuse(err_no: i64, message: impl Into<String>) -> Self {
        RegistrationAnswer {
            err_no: if err_no == 0 { 1 } else { err_no },
            err_msg: message.into(),
            websocket: None,
            extra: Extra::new(),
        }
    }

    /// Sets the subprotocol (one value) the gateway answers the client with.
    /// Does nothing on a refusal.
    pub fn with_protocol(mut self, protocol: impl Into<String>) -> Self {
        if let Some(ws) = &mut self.websocket {
            ws.sec_web_socket_protocol = Some(protocol.into());
        }
        self
    }

    /// Sets the extensions (one value) the gateway answers the client with.
    /// Does nothing on a refusal.
    pub fn with_extensions(mut self, extensions: impl Into<String>) -> Self {
        if let Some(ws) = &mut self.websocket {
            ws.sec_web_socket_extensions = Some(extensions.into());
        }
        self
    }

    /// Whether this accepts the connection: `errNo` is 0.
    pub fn is_accepted(&self) -> bool {
        self.err_no == 0
    }

    /// The subprotocol chosen, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.websocket.as_ref()?.sec_web_socket_protocol.as_deref()
    }

    /// Reads an answer from JSON bytes; the error names the field that failed.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, crate::Error> {
        crate::error::from_slice_as("WebSocket registration answer", bytes)
    }
}
