//! What a function posts to the API's push address (反向推送地址) to send
//! data to a client or close its connection, and the gateway's answer.

use super::{Action, DataType};
use crate::body::encode_base64;
use crate::de::{Extra, null_as_default};
use serde::{Deserialize, Serialize};

/// The body of a push: `{"websocket": {"action": "data send",
/// "secConnectionID", "dataType": "text" | "binary", "data"}}` to send
/// (binary data in base64), `{"websocket": {"action": "closing",
/// "secConnectionID"}}` to close. It is posted as JSON to the push address
/// shown on the API's page, e.g.
/// `http://set-7og8wn64.cb-beijing.apigateway.tencentyun.com/api-xxxx`.
///
/// ```
/// use apigw_events::tencent::websocket::PushRequest;
///
/// let text = PushRequest::text("CoQdJZAfLdAvVAkrrZlr5A==", "hi");
/// assert_eq!(
///     serde_json::to_value(&text)?,
///     serde_json::json!({"websocket": {"action": "data send",
///         "secConnectionID": "CoQdJZAfLdAvVAkrrZlr5A==", "dataType": "text", "data": "hi"}})
/// );
/// let bytes = PushRequest::binary("CoQdJZAfLdAvVAkrrZlr5A==", [0, 255]);
/// assert_eq!(bytes.websocket.data.as_deref(), Some("AP8="));
/// assert_eq!(bytes.data_bytes().unwrap(), [0, 255]);
/// assert!(PushRequest::close("CoQdJZAfLdAvVAkrrZlr5A==").is_close());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// What to do, on which connection.
    pub websocket: Push,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `websocket` of a push.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Push {
    /// [`Action::DataSend`] to send, [`Action::Closing`] to close.
    pub action: Action,
    /// The connection to reach: the events' `secConnectionID`.
    #[serde(rename = "secConnectionID")]
    pub sec_connection_id: String,
    /// The frame to send; absent on a close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<DataType>,
    /// The text, or base64 of the bytes; absent on a close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl PushRequest {
    /// Sends `text` to the client as a text frame.
    pub fn text(connection_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self::data(connection_id.into(), DataType::Text, text.into())
    }

    /// Sends `bytes` to the client as a binary frame (base64 on the wire).
    pub fn binary(connection_id: impl Into<String>, bytes: impl AsRef<[u8]>) -> Self {
        Self::data(connection_id.into(), DataType::Binary, encode_base64(bytes.as_ref()))
    }

    /// Closes the client's connection.
    pub fn close(connection_id: impl Into<String>) -> Self {
        let websocket =
            Push { action: Action::Closing, sec_connection_id: connection_id.into(), ..Push::default() };
        PushRequest { websocket, extra: Extra::new() }
    }

    fn data(sec_connection_id: String, data_type: DataType, data: String) -> Self {
        let websocket = Push {
            action: Action::DataSend,
            sec_connection_id,
            data_type: Some(data_type),
            data: Some(data),
            extra: Extra::new(),
        };
        PushRequest { websocket, extra: Extra::new() }
    }

    /// Whether this closes the connection (`action` is `closing`).
    pub fn is_close(&self) -> bool {
        self.websocket.action == Action::Closing
    }

    /// The data's bytes: the text's, or the base64 decoded for a binary
    /// frame (an error naming `websocket.data` when it is not base64). A
    /// push without data has none.
    pub fn data_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        let data = self.websocket.data.as_deref().unwrap_or("");
        super::data_bytes(self.websocket.data_type.unwrap_or_default(), data)
    }
}

/// The gateway's answer to a push: `{"errNo": 0, "errMsg": "ok"}`; a
/// non-zero `errNo` is a refusal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushAnswer {
    /// 0 when the push was taken.
    #[serde(default)]
    pub err_no: i64,
    /// What the gateway said (`"ok"`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub err_msg: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl PushAnswer {
    /// The answer to a push that was taken.
    pub fn ok() -> Self {
        PushAnswer { err_no: 0, err_msg: "ok".to_owned(), extra: Extra::new() }
    }

    /// Whether the push was taken: `errNo` is 0.
    pub fn is_ok(&self) -> bool {
        self.err_no == 0
    }
}
