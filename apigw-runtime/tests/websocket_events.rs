//! Handlers over Tencent's WebSocket events, through the runtime's Tencent
//! loop against the mock runtime API: the registration answer goes back as
//! the JSON value itself (passthrough mode), which is what the gateway reads.

mod common;

use apigw_runtime::events::tencent::websocket::{RegistrationAnswer, RegistrationEvent, WebSocketEvent};
use apigw_runtime::{Config, Provider, passthrough};
use common::{Invocation, MockTencent};
use std::convert::Infallible;

fn config(mock: &MockTencent) -> Config {
    Config::new(Provider::Tencent).with_runtime_api(mock.addr.to_string())
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../apigw-events/fixtures/websocket/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Accepts with `chat` when offered; refuses a handshake without a
/// `requestContext`, as Tencent's samples do.
async fn register(e: RegistrationEvent) -> Result<RegistrationAnswer, Infallible> {
    if e.request_context.is_none() {
        return Ok(RegistrationAnswer::refuse(101, "not found request context"));
    }
    Ok(e.accept_protocol(&["chat"]))
}

#[tokio::test]
async fn a_registration_handler_answers_the_gateway_with_the_answer_itself() {
    let mock = MockTencent::start().await;
    mock.push(Invocation::new("connect", fixture("tencent-websocket-registration-event.json")));
    mock.push(Invocation::new("template", fixture("tencent-websocket-registration-event-template.json")));
    mock.push(Invocation::new("wrong", fixture("tencent-websocket-cleanup-event.json")));
    tokio::spawn(apigw_runtime::run_with(config(&mock), passthrough(register)));
    let results = mock.results(3).await;

    assert_eq!(results[0].0, "connect");
    assert_eq!(
        results[0].1.response(),
        &serde_json::json!({"errNo": 0, "errMsg": "ok", "websocket": {
            "action": "connecting", "secConnectionID": "xawexasdfewezdfsdfeasdfffa==",
            "secWebSocketProtocol": "chat"}}),
        "no integration-response wrapper around the answer"
    );
    assert_eq!(
        results[1].1.response(),
        &serde_json::json!({"errNo": 101, "errMsg": "not found request context"})
    );
    // A cleanup event sent to the registration function is an invalid event
    // that names the field, not a connection accepted by mistake.
    let wrong = results[2].1.error();
    assert_eq!(wrong["errorType"], "InvalidEvent");
    let message = wrong["errorMessage"].as_str().unwrap();
    assert!(message.contains("`websocket.action`"), "{message}");
}

/// One function wired as all three: registration answered, messages and
/// closes acknowledged with the connection's id (the gateway ignores those
/// bodies).
async fn all_in_one(e: WebSocketEvent) -> Result<serde_json::Value, Infallible> {
    Ok(match e {
        WebSocketEvent::Registration(r) => serde_json::to_value(r.accept()).unwrap_or_default(),
        WebSocketEvent::Transmission(t) => {
            serde_json::json!({"got": t.text(), "from": t.connection_id(), "action": t.websocket.action.as_str()})
        }
        WebSocketEvent::Cleanup(c) => serde_json::json!({"closed": c.connection_id()}),
    })
}

#[tokio::test]
async fn one_handler_takes_every_websocket_event_and_both_spellings() {
    let mock = MockTencent::start().await;
    for name in [
        "tencent-websocket-registration-event.json",
        "tencent-websocket-transmission-event-data-send.json",
        "tencent-websocket-transmission-event-data-recv.json",
        "tencent-websocket-cleanup-event.json",
    ] {
        mock.push(Invocation::new(name, fixture(name)));
    }
    tokio::spawn(apigw_runtime::run_with(config(&mock), passthrough(all_in_one)));
    let results = mock.results(4).await;
    assert_eq!(results[0].1.response()["errNo"], 0);
    assert_eq!(results[0].1.response()["websocket"]["secConnectionID"], "xawexasdfewezdfsdfeasdfffa==");
    for (i, action) in [(1, "data send"), (2, "data recv")] {
        let r = results[i].1.response();
        assert_eq!(r["got"], "xxx");
        assert_eq!(r["action"], action);
        assert_eq!(r["from"], "xawexasdfewezdfsdfeasdfffa==");
    }
    assert_eq!(results[3].1.response(), &serde_json::json!({"closed": "xawexasdfewezdfsdfeasdfffa=="}));
}
