//! Native WebSocket on a web function: `Upgrade: websocket` passed through
//! to the function (examples/websocket-web, an axum server) and both
//! directions piped, with a real WebSocket client. Every wait is bounded.

mod common;

use apigw_gateway::config::Provider;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(20);

const WEB: &str = r#"
[function]
provider = "web"
[[routes]]
path = "/"
idle_timeout = "1s"
"#;

#[tokio::test]
async fn an_upgrade_reaches_the_web_function_and_messages_flow_both_ways() {
    let (addr, gateway) = common::serve(WEB, Some(("websocket-web", Provider::Web))).await;
    // Plain HTTP still works beside it.
    assert_eq!(common::get(addr, "/").await.status, 200);
    // The stage prefix is taken off, as for any request.
    let url = format!("ws://{addr}/release/ws");
    let (mut ws, res) =
        tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url)).await.expect("handshake").unwrap();
    assert_eq!(res.status(), 101);
    assert!(res.headers().contains_key("x-api-requestid"));
    for text in ["hello", "again"] {
        ws.send(Message::text(text)).await.unwrap();
        let got = tokio::time::timeout(WAIT, ws.next()).await.expect("an answer").unwrap().unwrap();
        assert_eq!(got, Message::text(text));
    }
    ws.send(Message::binary(vec![7u8, 0, 255])).await.unwrap();
    let got = tokio::time::timeout(WAIT, ws.next()).await.expect("an answer").unwrap().unwrap();
    assert_eq!(got, Message::binary(vec![7u8, 0, 255]));
    // Idle past the route's idle_timeout: the gateway ends the connection.
    let ended = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the idle connection was not closed");
    gateway.function().unwrap().stop().await;
}

#[tokio::test]
async fn a_web_function_that_refuses_the_upgrade_is_answered_as_it_answered() {
    let (addr, gateway) = common::serve(WEB, Some(("websocket-web", Provider::Web))).await;
    // `/` is no WebSocket route in the function: axum answers it as plain HTTP.
    let url = format!("ws://{addr}/");
    let err = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("handshake")
        .unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => {
            let body = String::from_utf8_lossy(res.body().as_deref().unwrap_or_default()).into_owned();
            assert_eq!(res.status(), 200, "{body}");
        }
        other => panic!("expected the function's own answer, got {other:?}"),
    }
    gateway.function().unwrap().stop().await;
}
