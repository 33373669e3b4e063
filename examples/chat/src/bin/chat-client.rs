//! A line-based WebSocket client for the chat room: each line typed is sent as a text
//! message, each message received is printed; run it with
//! `cargo run -p chat --bin chat-client -- ws://127.0.0.1:3000/chat` (a second argument
//! names the subprotocol to offer, `chat` unless it is `none`).

use futures_util::{SinkExt, StreamExt};
use std::process::ExitCode;
use tokio::io::AsyncBufReadExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Message, http};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:3000/chat".to_owned());
    let protocol = std::env::args().nth(2).unwrap_or_else(|| "chat".to_owned());
    match run(&url, &protocol).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(url: &str, protocol: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut req = url.into_client_request()?;
    if protocol != "none" {
        req.headers_mut().insert("sec-websocket-protocol", http::HeaderValue::from_str(protocol)?);
    }
    let (ws, _) = match tokio_tungstenite::connect_async(req).await {
        Ok(connected) => connected,
        // A refused handshake: say what the gateway answered.
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            let body = String::from_utf8_lossy(res.body().as_deref().unwrap_or_default()).into_owned();
            return Err(format!("the handshake was refused: {} {body}", res.status()).into());
        }
        Err(e) => return Err(e.into()),
    };
    eprintln!("connected to {url}: type a line to send it, `/all TEXT` for everyone, `/bye` to leave");
    let (mut send, mut receive) = ws.split();
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) => send.send(Message::text(line)).await?,
                None => {
                    send.send(Message::Close(None)).await?;
                    return Ok(());
                }
            },
            message = receive.next() => match message {
                Some(Ok(Message::Text(text))) => println!("{text}"),
                Some(Ok(Message::Binary(bytes))) => println!("<{} bytes>", bytes.len()),
                Some(Ok(Message::Close(frame))) => {
                    eprintln!("closed by the server: {frame:?}");
                    return Ok(());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
        }
    }
}
