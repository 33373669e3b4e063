//! WebSocket APIs end to end: the chat example's three functions
//! (`examples/chat`) behind the gateway on 127.0.0.1, its push address
//! served beside it, and a real WebSocket client (tokio-tungstenite). Every
//! wait is bounded.

mod common;

use apigw_bundle::cargo::{Target, build};
use apigw_gateway::config::Provider;
use apigw_gateway::{Function, FunctionSpec, Gateway, GatewayConfig};
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, http};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long any one thing may take.
const WAIT: Duration = Duration::from_secs(20);

/// A binary of the workspace, built once per test process.
fn bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(exe) = built.get(name) {
        return exe.clone();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let exe = build(&root, &Target { bin: Some(name.to_owned()), ..Target::default() })
        .unwrap_or_else(|e| panic!("building {name}: {e}"));
    built.insert(name.to_owned(), exe.clone());
    exe
}

const CHAT: &str = r#"
[functions.register]
bin = "chat-register"
[functions.transmit]
bin = "chat-transmit"
[functions.cleanup]
bin = "chat-cleanup"

[[routes]]
path = "=/chat"
protocol = "websocket"
websocket = { register = "register", transmission = "transmit", cleanup = "cleanup" }
"#;

/// The chat example behind a gateway: where it listens, its room, its functions.
struct Chat {
    addr: SocketAddr,
    room: chat::Room,
    gateway: Arc<Gateway>,
}

impl Chat {
    async fn start(toml: &str, register_env: &[(&str, &str)]) -> Chat {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("apigw-ws-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (push_listener, push_url) = apigw_gateway::websocket::push::bind(0).await.unwrap();
        let config = GatewayConfig::parse(toml, "apigw.toml").unwrap();
        let mut functions = BTreeMap::new();
        for (name, exe) in
            [("register", "chat-register"), ("transmit", "chat-transmit"), ("cleanup", "chat-cleanup")]
        {
            let mut spec = FunctionSpec::new(bin(exe), Provider::Tencent, exe);
            spec.env = vec![
                ("RUST_LOG".into(), "warn".into()),
                ("CHAT_STORE".into(), dir.display().to_string()),
                ("APIGW_WS_PUSH_URL".into(), push_url.clone()),
            ];
            if name == "register" {
                spec.env.extend(register_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            }
            spec.log = common::log();
            functions.insert(name.to_owned(), Arc::new(Function::new(spec)));
        }
        let gateway = Arc::new(Gateway::with_functions(config, functions));
        tokio::spawn(apigw_gateway::websocket::push::serve(push_listener, gateway.websockets()));
        let addr = common::serve_gateway(gateway.clone()).await;
        Chat { addr, room: chat::Room::at(dir), gateway }
    }

    /// Connects offering `protocols`; the client and the handshake's answer.
    async fn connect(
        &self,
        protocols: Option<&str>,
    ) -> Result<(Client, http::Response<Option<Vec<u8>>>), WsError> {
        let mut req = format!("ws://{}/chat", self.addr).into_client_request().unwrap();
        if let Some(p) = protocols {
            req.headers_mut().insert("sec-websocket-protocol", http::HeaderValue::from_str(p).unwrap());
        }
        tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(req))
            .await
            .expect("the handshake took too long")
    }

    async fn client(&self) -> Client {
        self.connect(Some("chat")).await.unwrap().0
    }

    async fn stop(self) {
        for f in self.gateway.functions().values() {
            f.stop().await;
        }
        let _ = std::fs::remove_dir_all(self.room.member("x").parent().unwrap());
    }
}

/// The next message, within [`WAIT`].
async fn next(ws: &mut Client) -> Message {
    match tokio::time::timeout(WAIT, ws.next()).await {
        Ok(Some(Ok(m))) => m,
        Ok(other) => panic!("the connection ended: {other:?}"),
        Err(_) => panic!("no message within {WAIT:?}"),
    }
}

async fn text(ws: &mut Client) -> String {
    match next(ws).await {
        Message::Text(t) => t.as_str().to_owned(),
        other => panic!("expected text, got {other:?}"),
    }
}

/// Waits, within [`WAIT`], until `done` holds.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < WAIT, "{what}: not within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_accepted_client_gets_its_subprotocol_and_pushed_replies_to_text_and_binary() {
    let chat = Chat::start(CHAT, &[]).await;
    let (mut ws, res) = chat.connect(Some("json, chat")).await.unwrap();
    assert_eq!(res.status(), 101);
    assert_eq!(res.headers()["sec-websocket-protocol"], "chat");
    assert!(res.headers().contains_key("x-api-requestid"));
    ws.send(Message::text("hi")).await.unwrap();
    assert_eq!(text(&mut ws).await, "echo: hi");
    ws.send(Message::binary(vec![0u8, 1, 255])).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::binary(vec![0u8, 1, 255]));
    assert_eq!(chat.gateway.websockets().open(), 1);
    chat.stop().await;
}

#[tokio::test]
async fn a_refusal_from_the_registration_function_is_a_403_with_its_message() {
    let chat = Chat::start(CHAT, &[]).await;
    let err = chat.connect(Some("json")).await.unwrap_err();
    let WsError::Http(res) = err else { panic!("expected an HTTP refusal, got {err:?}") };
    assert_eq!(res.status(), 403);
    let body = String::from_utf8(res.body().clone().unwrap_or_default()).unwrap();
    assert_eq!(body, r#"{"message":"this room speaks the chat subprotocol"}"#);
    assert!(chat.room.members().is_empty());
    assert_eq!(chat.gateway.websockets().open(), 0);
    chat.stop().await;
}

#[tokio::test]
async fn a_registration_that_times_out_refuses_the_connection_with_504() {
    let toml =
        CHAT.replace("protocol = \"websocket\"", "protocol = \"websocket\"\nfunction_timeout = \"500ms\"");
    let chat = Chat::start(&toml, &[("CHAT_REGISTER_DELAY_MS", "5000")]).await;
    let started = Instant::now();
    let err = chat.connect(Some("chat")).await.unwrap_err();
    let WsError::Http(res) = err else { panic!("expected an HTTP refusal, got {err:?}") };
    assert_eq!(res.status(), 504);
    assert_eq!(
        String::from_utf8_lossy(res.body().as_deref().unwrap_or_default()),
        r#"{"message":"Gateway Time-out"}"#
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused at the function's timeout, not after its sleep"
    );
    chat.stop().await;
}

#[tokio::test]
async fn a_push_closes_the_client_and_the_cleanup_function_runs() {
    let chat = Chat::start(CHAT, &[]).await;
    let mut ws = chat.client().await;
    ws.send(Message::text("/id")).await.unwrap();
    let id = text(&mut ws).await;
    assert_eq!(id.len(), 24, "{id}");
    assert_eq!(chat.room.members(), std::slice::from_ref(&id), "the registration function joined it");
    ws.send(Message::text("/bye")).await.unwrap();
    match next(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected a close, got {other:?}"),
    }
    eventually("the cleanup function removed the member", || chat.room.members().is_empty()).await;
    assert_eq!(chat.gateway.websockets().open(), 0);
    chat.stop().await;
}

#[tokio::test]
async fn a_client_close_reaches_the_cleanup_function() {
    let chat = Chat::start(CHAT, &[]).await;
    let mut ws = chat.client().await;
    ws.send(Message::text("/id")).await.unwrap();
    let id = text(&mut ws).await;
    assert!(chat.room.member(&id).exists());
    ws.close(None).await.unwrap();
    eventually("the cleanup function removed the member", || !chat.room.member(&id).exists()).await;
    eventually("the gateway forgot the connection", || chat.gateway.websockets().open() == 0).await;
    chat.stop().await;
}

#[tokio::test]
async fn a_message_over_the_limit_closes_the_connection_with_1009() {
    let chat = Chat::start(CHAT, &[]).await;
    let mut ws = chat.client().await;
    let big = "x".repeat(apigw_gateway::config::MAX_MESSAGE + 1);
    ws.send(Message::text(big)).await.unwrap();
    match next(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Size),
        other => panic!("expected a close, got {other:?}"),
    }
    eventually("the cleanup function ran", || chat.room.members().is_empty()).await;
    chat.stop().await;
}

#[tokio::test]
async fn many_clients_at_once_each_get_only_their_own_replies_and_a_broadcast_reaches_all() {
    let chat = Chat::start(CHAT, &[]).await;
    let mut clients = Vec::new();
    for _ in 0..6 {
        clients.push(chat.client().await);
    }
    let talks = clients.into_iter().enumerate().map(|(i, mut ws)| {
        tokio::spawn(async move {
            for round in 0..3 {
                ws.send(Message::text(format!("client {i} round {round}"))).await.unwrap();
                assert_eq!(text(&mut ws).await, format!("echo: client {i} round {round}"));
            }
            ws
        })
    });
    let mut clients = Vec::new();
    for t in talks.collect::<Vec<_>>() {
        clients.push(t.await.unwrap());
    }
    assert_eq!(chat.room.members().len(), 6);
    clients[0].send(Message::text("/all hello room")).await.unwrap();
    for ws in &mut clients {
        assert_eq!(text(ws).await, "hello room");
    }
    chat.stop().await;
}

#[tokio::test]
async fn a_handshake_without_sec_websocket_key_is_refused_as_tencent_does() {
    let chat = Chat::start(CHAT, &[]).await;
    let upgrade = [("upgrade", "websocket"), ("connection", "Upgrade"), ("sec-websocket-version", "13")];
    let res = common::call(chat.addr, "GET", "/chat", &upgrade, b"").await;
    assert_eq!(res.status, 403);
    assert_eq!(res.body.as_ref(), br#"{"message":"need header Sec-WebSocket-Key"}"#);
    let key = [
        ("upgrade", "websocket"),
        ("connection", "Upgrade"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let res = common::call(chat.addr, "GET", "/chat", &key, b"").await;
    assert_eq!(res.status, 403);
    assert_eq!(res.body.as_ref(), br#"{"message":"need header Sec-WebSocket-Version"}"#);
    // GET only: another method finds no API.
    assert_eq!(common::call(chat.addr, "POST", "/chat", &[], b"").await.status, 404);
    chat.stop().await;
}

#[tokio::test]
async fn a_push_to_a_connection_that_is_not_open_is_refused_with_404() {
    let (listener, url) = apigw_gateway::websocket::push::bind(0).await.unwrap();
    tokio::spawn(apigw_gateway::websocket::push::serve(
        listener,
        Arc::new(apigw_gateway::websocket::Hub::new()),
    ));
    let push = apigw_runtime::PushClient::new(&url).unwrap().with_timeout(WAIT);
    match push.send_text("CoQdJZAfLdAvVAkrrZlr5A==", "hi").await.unwrap_err() {
        apigw_runtime::PushError::Refused { status, err_no, message, .. } => {
            assert_eq!((status, err_no), (404, Some(404)));
            assert_eq!(message, "no connection `CoQdJZAfLdAvVAkrrZlr5A==` is open");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_websocket_route_is_checked_at_load() {
    let err = |toml: &str| GatewayConfig::parse(toml, "apigw.toml").unwrap_err().to_string();
    let post = CHAT.replace("protocol = \"websocket\"", "protocol = \"websocket\"\nmethod = \"POST\"");
    assert!(err(&post).contains("a WebSocket API's front-end method is GET"), "{}", err(&post));
    let nope = CHAT.replace("cleanup = \"cleanup\"", "cleanup = \"nope\"");
    assert!(
        err(&nope).contains("`routes[0].websocket.cleanup` = \"nope\": no such function"),
        "{}",
        err(&nope)
    );
    let other = CHAT.replace("protocol = \"websocket\"", "protocol = \"mqtt\"");
    assert!(err(&other).contains("expected http or websocket"), "{}", err(&other));
    let config = GatewayConfig::parse(CHAT, "apigw.toml").unwrap();
    let api = config.routes[0].websocket.as_ref().unwrap();
    assert_eq!(api.transmission, "transmit");
    assert_eq!(config.routes[0].method, "GET");
    assert_eq!(config.routes[0].function.as_deref(), Some("transmit"));
}

#[tokio::test]
async fn a_failed_transmission_drops_the_connection_without_a_close_frame_then_cleans_up() {
    // The cleanup function cannot read a transmission event: each message fails.
    let toml = CHAT.replace("transmission = \"transmit\"", "transmission = \"cleanup\"");
    let chat = Chat::start(&toml, &[]).await;
    let mut ws = chat.client().await;
    assert_eq!(chat.room.members().len(), 1);
    ws.send(Message::text("hi")).await.unwrap();
    match tokio::time::timeout(WAIT, ws.next()).await.expect("the connection was not dropped") {
        None | Some(Err(WsError::Protocol(_) | WsError::Io(_) | WsError::ConnectionClosed)) => {}
        Some(other) => panic!("expected the connection dropped with no close frame, got {other:?}"),
    }
    eventually("the cleanup function ran", || chat.room.members().is_empty()).await;
    chat.stop().await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_with_1001_and_cleaned_up() {
    let toml = CHAT.replace("protocol = \"websocket\"", "protocol = \"websocket\"\nidle_timeout = \"300ms\"");
    let chat = Chat::start(&toml, &[]).await;
    let mut ws = chat.client().await;
    let started = Instant::now();
    match next(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a close, got {other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(250), "closed before the idle timeout");
    eventually("the cleanup function ran", || chat.room.members().is_empty()).await;
    chat.stop().await;
}

#[tokio::test]
async fn the_time_a_transmission_takes_is_not_idle_time() {
    let toml = CHAT.replace("protocol = \"websocket\"", "protocol = \"websocket\"\nidle_timeout = \"600ms\"");
    let chat = Chat::start(&toml, &[]).await;
    let mut ws = chat.client().await;
    ws.send(Message::text("/slow 900")).await.unwrap();
    // Just after a call longer than the idle timeout, the connection is not idle.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    ws.send(Message::text("still here")).await.unwrap();
    assert_eq!(text(&mut ws).await, "echo: still here");
    chat.stop().await;
}
