//! The push address (反向推送地址) on 127.0.0.1: functions POST the JSON
//! Tencent documents to send data to a client or close its connection,
//! and are answered `{"errNo": 0, "errMsg": "ok"}`.
//!
//! ```json
//! {"websocket": {"action": "data send", "secConnectionID": "…", "dataType": "text", "data": "hi"}}
//! {"websocket": {"action": "closing", "secConnectionID": "…"}}
//! ```
//!
//! Tencent has one address per API; locally one address serves every
//! WebSocket API of the gateway, as the connection id alone says where a
//! push goes, and any path is taken. What Tencent does not document is the
//! simulator's choice: a push it cannot deliver is answered with a non-200
//! status and a non-zero `errNo` equal to it (404 for a connection that is
//! not open, 400 for a body that is not a push, 413 for data over
//! [`MAX_MESSAGE`](crate::config::MAX_MESSAGE), 429 when the client is not
//! reading what it is sent, 405 for a method other than POST).

use super::{Hub, Outbound, Undelivered};
use apigw_events::tencent::websocket::{Action, DataType, PushRequest};
use apigw_runtime::connections::{self, ConnectionLimits};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// The path of the push address the gateway hands its functions (any path
/// is taken).
pub const PATH: &str = "/api-local";

/// A push body may carry [`MAX_MESSAGE`](crate::config::MAX_MESSAGE) bytes
/// of data in base64, and the JSON around it.
const MAX_BODY: usize = crate::config::MAX_MESSAGE / 3 * 4 + 64 * 1024;

/// Binds the push address on 127.0.0.1 (`port` 0 picks a free one) and
/// returns the listener with the URL to give the functions, as
/// `APIGW_WS_PUSH_URL`.
pub async fn bind(port: u16) -> std::io::Result<(TcpListener, String)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let url = format!("http://{}{PATH}", listener.local_addr()?);
    Ok((listener, url))
}

/// Serves the push address on `listener` for the connections in `hub`,
/// until the future is dropped.
pub async fn serve(listener: TcpListener, hub: Arc<Hub>) {
    let service = move |_peer| {
        let hub = hub.clone();
        let service = hyper::service::service_fn(move |req| {
            let hub = hub.clone();
            async move { Ok::<_, std::convert::Infallible>(answer(&hub, req).await.map(Full::new)) }
        });
        (service, |_: &hyper::Error| {})
    };
    let limits = ConnectionLimits::default();
    connections::serve(listener, &limits, service, std::future::pending::<()>(), Duration::ZERO).await;
}

async fn answer(hub: &Hub, req: http::Request<Incoming>) -> http::Response<Bytes> {
    if req.method() != http::Method::POST {
        return reply(405, "the push address takes POST");
    }
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return reply(413, &format!("the push is over {MAX_BODY} bytes"));
        }
        Err(e) => return reply(400, &format!("the push could not be read: {e}")),
    };
    let push: PushRequest = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return reply(400, &format!("not a push: {e}")),
    };
    let id = push.websocket.sec_connection_id.as_str();
    let out = match &push.websocket.action {
        Action::Closing => Outbound::Close,
        action if action.is_data() => {
            let data = match push.data_bytes() {
                Ok(d) => d,
                Err(e) => return reply(400, &e.to_string()),
            };
            if data.len() > crate::config::MAX_MESSAGE {
                return reply(413, &format!("the data is over {} bytes", crate::config::MAX_MESSAGE));
            }
            match push.websocket.data_type.unwrap_or_default() {
                DataType::Binary => Outbound::Send(Message::binary(data)),
                DataType::Text => match String::from_utf8(data) {
                    Ok(text) => Outbound::Send(Message::text(text)),
                    Err(_) => return reply(400, "text data that is not UTF-8"),
                },
            }
        }
        other => {
            return reply(
                400,
                &format!("`websocket.action` \"{other}\": expected \"data send\" or \"closing\""),
            );
        }
    };
    match hub.deliver(id, out) {
        Ok(()) => reply(200, "ok"),
        Err(Undelivered::Unknown) => reply(404, &format!("no connection `{id}` is open")),
        Err(Undelivered::Full) => reply(429, &format!("connection `{id}` is not reading what it is sent")),
    }
}

/// `{"errNo": …, "errMsg": …}`: 0 for a 200, else the status.
fn reply(status: u16, message: &str) -> http::Response<Bytes> {
    let err_no = if status == 200 { 0 } else { status };
    let body = serde_json::json!({ "errNo": err_no, "errMsg": message }).to_string();
    crate::respond::json(status, body)
}
