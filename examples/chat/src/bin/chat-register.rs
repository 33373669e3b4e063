//! The chat room's registration function: admits clients that speak the
//! `chat` subprotocol and adds them to the room; run it with the others as
//! `examples/chat/README.md` says.

use apigw_runtime::events::tencent::websocket::{RegistrationAnswer, RegistrationEvent};
use chat::Room;
use std::convert::Infallible;
use std::time::Duration;

/// Accepts a client offering `chat`, refuses any other with errNo 101.
/// `CHAT_REGISTER_DELAY_MS` makes it slow, to see a registration time out.
#[apigw_runtime::handler(mode = "passthrough")]
async fn register(e: RegistrationEvent) -> Result<RegistrationAnswer, Infallible> {
    let delay = std::env::var("CHAT_REGISTER_DELAY_MS").ok().and_then(|ms| ms.parse().ok());
    if let Some(ms) = delay {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if !e.websocket.protocols().any(|p| p == "chat") {
        return Ok(RegistrationAnswer::refuse(101, "this room speaks the chat subprotocol"));
    }
    if let Err(err) = Room::from_env().join(e.connection_id()) {
        return Ok(RegistrationAnswer::refuse(500, format!("the room cannot be joined: {err}")));
    }
    Ok(e.accept_protocol(&["chat"]))
}
