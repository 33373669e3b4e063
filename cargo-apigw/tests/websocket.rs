//! `cargo apigw serve` with the chat example's `apigw.toml`, as the README
//! runs it: the three functions built and started, the push address handed
//! to them as `APIGW_WS_PUSH_URL`, and a real WebSocket client answered
//! through it. Every wait is bounded.

use futures_util::{SinkExt, StreamExt};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Message, http};

/// The serve process, stopped when the test ends.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        // SIGINT, so serve stops the functions it started too.
        if let Some(pid) = rustix::process::Pid::from_raw(self.0.id() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
        }
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_runs_the_chat_example_and_its_functions_reach_the_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(root)
        .args(["apigw", "serve", "--config", "examples/chat/apigw.toml", "--no-watch", "-q"])
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let serve = Serve(child);
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The build may take a while; the rest may not.
    let mut push_line = None;
    loop {
        let line = lines.recv_timeout(Duration::from_secs(600)).expect("serve did not start");
        if line.starts_with("WebSocket push address: http://127.0.0.1:") {
            push_line = Some(line.clone());
        }
        if line.contains("GET") && line.contains("=/chat") {
            break;
        }
    }
    assert!(push_line.is_some(), "serve names the push address");

    let mut req = format!("ws://127.0.0.1:{port}/chat").into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", http::HeaderValue::from_static("chat"));
    let wait = Duration::from_secs(30);
    let (mut ws, res) =
        tokio::time::timeout(wait, tokio_tungstenite::connect_async(req)).await.unwrap().unwrap();
    assert_eq!(res.headers()["sec-websocket-protocol"], "chat");
    ws.send(Message::text("hi")).await.unwrap();
    let reply = tokio::time::timeout(wait, ws.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(
        reply,
        Message::text("echo: hi"),
        "the transmission function pushed through APIGW_WS_PUSH_URL"
    );
    ws.send(Message::text("/bye")).await.unwrap();
    let closed = tokio::time::timeout(wait, ws.next()).await.unwrap().unwrap().unwrap();
    assert!(matches!(closed, Message::Close(Some(_))), "{closed:?}");
    drop(serve);
}
