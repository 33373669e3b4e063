//! The chat room's transmission function: answers each message through the
//! push address; run it with the others as `examples/chat/README.md` says.

use apigw_runtime::PushClient;
use apigw_runtime::events::tencent::websocket::TransmissionEvent;
use chat::Room;

/// `/all TEXT` goes to everyone in the room, `/id` answers the sender's
/// connection id, `/bye` closes the sender's connection, `/slow MS` takes
/// MS milliseconds and answers nothing (a slow function, to try limits with);
/// any other text comes back as `echo: TEXT`, and binary data comes back as
/// it went.
#[apigw_runtime::handler(mode = "passthrough")]
async fn transmit(e: TransmissionEvent) -> Result<&'static str, Box<dyn std::error::Error + Send + Sync>> {
    let push = PushClient::from_env()?;
    let id = e.connection_id();
    match e.text() {
        None => push.send_binary(id, &e.data_bytes()?).await?,
        Some("/bye") => push.close(id).await?,
        Some("/id") => push.send_text(id, id).await?,
        Some(text) if text.starts_with("/slow ") => {
            let ms: u64 = text["/slow ".len()..].trim().parse()?;
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        Some(text) => match text.strip_prefix("/all ") {
            Some(all) => {
                for member in Room::from_env().members() {
                    // One member gone since it joined does not stop the rest.
                    if let Err(err) = push.send_text(&member, all).await {
                        eprintln!("to {member}: {err}");
                    }
                }
            }
            None => push.send_text(id, &format!("echo: {text}")).await?,
        },
    }
    Ok("sent")
}
