//! A web function that serves WebSocket itself (Tencent web functions and Alibaba HTTP functions may): an axum server on `PORT` whose `/ws` echoes each message; run it with `cargo run -p cargo-apigw -- serve --config examples/websocket-web/apigw.toml`, then connect to `ws://127.0.0.1:3000/ws`.

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::{any, get};
use std::process::ExitCode;

/// The application: a plain HTTP page and the WebSocket echo.
fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "a web function: connect a WebSocket client to /ws" }))
        .route("/ws", any(upgrade))
}

async fn upgrade(ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(echo)
}

/// Sends each text or binary message back as it came, until the client closes.
async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        let reply = match message {
            Message::Text(_) | Message::Binary(_) => message,
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
    }
}

/// A web function listens where the platform says: port 9000 on Tencent
/// (`PORT` and `APIGW_LISTEN_IP` locally, as the gateway sets them).
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let ip = std::env::var("APIGW_LISTEN_IP").unwrap_or_else(|_| "0.0.0.0".to_owned());
    let port = std::env::var("PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(9000);
    let served = async {
        let listener = tokio::net::TcpListener::bind((ip.as_str(), port)).await?;
        axum::serve(listener, app()).await
    };
    match served.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot serve on {ip}:{port}: {e}");
            ExitCode::FAILURE
        }
    }
}
