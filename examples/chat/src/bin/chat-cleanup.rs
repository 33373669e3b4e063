//! The chat room's cleanup function: takes a closed connection out of the
//! room; run it with the others as `examples/chat/README.md` says.

use apigw_runtime::events::tencent::websocket::CleanupEvent;
use chat::Room;

/// Removes the connection from the room.
#[apigw_runtime::handler(mode = "passthrough")]
async fn cleanup(e: CleanupEvent) -> Result<&'static str, std::io::Error> {
    Room::from_env().leave(e.connection_id())?;
    Ok("left")
}
