//! The WebSocket fixtures (`fixtures/websocket/`, see `fixtures/README.md`
//! for where each shape was seen): each is parsed, serialized, parsed again
//! and compared, and its key fields checked; then what bad input is told.

use apigw_events::tencent::websocket::{
    Action, CleanupEvent, DataType, PushAnswer, PushRequest, RegistrationAnswer, RegistrationEvent,
    TransmissionEvent, WebSocketEvent,
};
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/websocket/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// parse → serialize → parse → equal, and the serialized form says the
/// same as the file (nothing lost, nothing added).
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str) -> T {
    let bytes = fixture(name);
    let first: T = apigw_events::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let json = serde_json::to_value(&first).unwrap();
    let second: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(first, second, "{name} changed in a round trip");
    let original: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json, original, "{name} reads back as a different document");
    first
}

#[test]
fn registration_event_as_the_docs_print_it() {
    let e: RegistrationEvent = round_trip("tencent-websocket-registration-event.json");
    let rc = e.request_context.as_ref().unwrap();
    assert_eq!(rc.service_name, "testsvc");
    assert_eq!(rc.path, "/test/{testvar}");
    assert_eq!(rc.http_method, "GET");
    assert_eq!(rc.request_id.as_deref(), Some("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"));
    assert_eq!(rc.identity.secret_id.as_deref(), Some("abdcdxxxxxxxsdfs"));
    assert_eq!(rc.source_ip, "10.0.2.14");
    assert_eq!(rc.stage, "prod");
    assert!(rc.websocket_enable);
    assert_eq!(e.websocket.action, Action::Connecting);
    assert_eq!(e.connection_id(), "xawexasdfewezdfsdfeasdfffa==");
    assert_eq!(e.websocket.protocols().collect::<Vec<_>>(), ["chat", "binary"]);
    assert_eq!(e.websocket.extensions().collect::<Vec<_>>(), ["extension1", "extension2"]);
}

#[test]
fn registration_event_with_one_extension_and_its_parameters() {
    let e: RegistrationEvent = round_trip("tencent-websocket-registration-event-deflate.json");
    assert_eq!(e.websocket.sec_web_socket_protocol, None);
    assert_eq!(e.websocket.protocols().count(), 0);
    assert_eq!(
        e.websocket.extensions().collect::<Vec<_>>(),
        ["permessage-deflate; client_max_window_bits"],
        "`;` separates an extension's parameters, not extensions"
    );
    assert_eq!(e.request_context.as_ref().unwrap().identity.secret_id, None);
    let answer = e.accept_protocol(&["chat"]);
    assert!(answer.is_accepted());
    assert_eq!(answer.protocol(), None, "nothing offered, nothing chosen");
}

#[test]
fn registration_event_of_the_function_template_has_no_request_context() {
    let e: RegistrationEvent = round_trip("tencent-websocket-registration-event-template.json");
    assert!(e.request_context.is_none());
    assert_eq!(e.connection_id(), "xawexasdfewezdfsdfeasdfffa==");
    assert_eq!(e.websocket.sec_web_socket_protocol.as_deref(), Some("chat,binary"));
}

#[test]
fn transmission_events_in_both_spellings_read_alike() {
    let send: TransmissionEvent = round_trip("tencent-websocket-transmission-event-data-send.json");
    let recv: TransmissionEvent = round_trip("tencent-websocket-transmission-event-data-recv.json");
    assert_eq!(send.websocket.action, Action::DataSend);
    assert_eq!(recv.websocket.action, Action::DataRecv);
    for e in [&send, &recv] {
        assert!(e.websocket.action.is_data());
        assert_eq!(e.connection_id(), "xawexasdfewezdfsdfeasdfffa==");
        assert_eq!(e.websocket.data_type, DataType::Text);
        assert_eq!(e.text(), Some("xxx"));
        assert_eq!(e.data_bytes().unwrap(), b"xxx");
    }
    // The spelling that came is the one written back.
    assert_eq!(serde_json::to_value(&recv).unwrap()["websocket"]["action"], "data recv");
}

#[test]
fn binary_transmission_is_decoded() {
    let e: TransmissionEvent = round_trip("tencent-websocket-transmission-event-binary.json");
    assert_eq!(e.websocket.data_type, DataType::Binary);
    assert_eq!(e.text(), None);
    assert_eq!(e.data_bytes().unwrap(), b"\x89PNG\r\n\x1a\n");
}

#[test]
fn cleanup_event() {
    let e: CleanupEvent = round_trip("tencent-websocket-cleanup-event.json");
    assert_eq!(e.websocket.action, Action::Closing);
    assert_eq!(e.connection_id(), "xawexasdfewezdfsdfeasdfffa==");
}

#[test]
fn registration_answers() {
    let yes: RegistrationAnswer = round_trip("tencent-websocket-registration-answer-accept.json");
    assert!(yes.is_accepted());
    assert_eq!(yes.err_msg, "ok");
    assert_eq!(yes.protocol(), Some("chat"));
    let ws = yes.websocket.as_ref().unwrap();
    assert_eq!(ws.sec_connection_id, "xawexasdfewezdfsdfeasdfffa==");
    assert_eq!(ws.sec_web_socket_extensions.as_deref(), Some(""));
    // The builders write the same document.
    let built =
        RegistrationAnswer::accept("xawexasdfewezdfsdfeasdfffa==").with_protocol("chat").with_extensions("");
    assert_eq!(built, yes);

    let no: RegistrationAnswer = round_trip("tencent-websocket-registration-answer-refuse.json");
    assert!(!no.is_accepted());
    assert_eq!(no.err_no, 101);
    assert!(no.websocket.is_none());
    assert_eq!(RegistrationAnswer::refuse(101, "not found request context"), no);
}

#[test]
fn pushes_and_the_gateways_answer() {
    let text: PushRequest = round_trip("tencent-websocket-push-text.json");
    assert_eq!(text, PushRequest::text("xawexasdfewezdfsdfeasdfffa==", "xxx"));
    assert_eq!(text.websocket.data_type, Some(DataType::Text));
    assert_eq!(text.data_bytes().unwrap(), b"xxx");
    let close: PushRequest = round_trip("tencent-websocket-push-closing.json");
    assert!(close.is_close());
    assert_eq!(close, PushRequest::close("xawexasdfewezdfsdfeasdfffa=="));
    assert_eq!(close.websocket.data, None);
    let answer: PushAnswer = round_trip("tencent-websocket-push-answer.json");
    assert!(answer.is_ok());
    assert_eq!(answer, PushAnswer::ok());
}

#[test]
fn one_type_reads_all_three_events_by_their_action() {
    let read = |name| apigw_events::from_slice::<WebSocketEvent>(&fixture(name)).unwrap();
    assert!(matches!(read("tencent-websocket-registration-event.json"), WebSocketEvent::Registration(_)));
    assert!(matches!(
        read("tencent-websocket-transmission-event-data-send.json"),
        WebSocketEvent::Transmission(_)
    ));
    assert!(matches!(
        read("tencent-websocket-transmission-event-data-recv.json"),
        WebSocketEvent::Transmission(_)
    ));
    let cleanup = read("tencent-websocket-cleanup-event.json");
    assert!(matches!(cleanup, WebSocketEvent::Cleanup(_)));
    assert_eq!(cleanup.connection_id(), "xawexasdfewezdfsdfeasdfffa==");
    // Written back as the event it was.
    let original: serde_json::Value =
        serde_json::from_slice(&fixture("tencent-websocket-registration-event.json")).unwrap();
    let event = read("tencent-websocket-registration-event.json");
    assert_eq!(serde_json::to_value(&event).unwrap(), original);
}

#[test]
fn unknown_fields_are_kept() {
    let json = br#"{"websocket": {"action": "data send", "secConnectionID": "c", "dataType": "text",
        "data": "hi", "seq": 7}, "addedLater": true}"#;
    let e: TransmissionEvent = apigw_events::from_slice(json).unwrap();
    assert_eq!(e.websocket.extra["seq"], 7);
    assert_eq!(e.extra["addedLater"], true);
    let out = serde_json::to_value(&e).unwrap();
    assert_eq!(out["websocket"]["seq"], 7);
    assert_eq!(out["addedLater"], true);
}

#[test]
fn choosing_a_subprotocol_follows_the_clients_preference() {
    let e: RegistrationEvent =
        apigw_events::from_slice(&fixture("tencent-websocket-registration-event.json")).unwrap();
    assert_eq!(e.accept_protocol(&["binary", "chat"]).protocol(), Some("chat"));
    assert_eq!(e.accept_protocol(&["binary"]).protocol(), Some("binary"));
    let none = e.accept_protocol(&["mqtt"]);
    assert!(none.is_accepted());
    assert_eq!(none.protocol(), None);
    assert_eq!(none.websocket.unwrap().sec_connection_id, "xawexasdfewezdfsdfeasdfffa==");
    // errNo 0 would accept: a refusal never sends it.
    assert!(!RegistrationAnswer::refuse(0, "no").is_accepted());
    // A refusal has no subprotocol to set.
    assert_eq!(RegistrationAnswer::refuse(1, "no").with_protocol("chat").protocol(), None);
}

#[test]
fn the_wrong_event_for_the_function_is_named_at_its_action() {
    let cleanup = fixture("tencent-websocket-cleanup-event.json");
    let err = apigw_events::from_slice::<RegistrationEvent>(&cleanup).unwrap_err();
    assert_eq!(err.path(), Some("websocket.action"), "{err}");
    assert!(err.to_string().contains(r#"not "closing""#), "{err}");
    let err = apigw_events::from_slice::<TransmissionEvent>(&cleanup).unwrap_err();
    assert_eq!(err.path(), Some("websocket.action"), "{err}");
    let registration = fixture("tencent-websocket-registration-event.json");
    let err = apigw_events::from_slice::<CleanupEvent>(&registration).unwrap_err();
    assert_eq!(err.path(), Some("websocket.action"), "{err}");
}

#[test]
fn bad_data_is_named() {
    let bad_type = br#"{"websocket": {"action": "data send", "secConnectionID": "c", "dataType": "base64", "data": ""}}"#;
    let err = apigw_events::from_slice::<TransmissionEvent>(bad_type).unwrap_err();
    assert_eq!(err.path(), Some("websocket.dataType"), "{err}");
    let err = apigw_events::from_slice::<WebSocketEvent>(bad_type).unwrap_err();
    assert!(err.to_string().contains("`websocket.dataType`"), "{err}");

    let bad_base64 =
        br#"{"websocket": {"action": "data send", "secConnectionID": "c", "dataType": "binary", "data": "*"}}"#;
    let e = apigw_events::from_slice::<TransmissionEvent>(bad_base64).unwrap();
    let err = e.data_bytes().unwrap_err();
    assert!(matches!(err, apigw_events::Error::Base64 { field: "websocket.data", .. }), "{err}");

    let no_id = br#"{"websocket": {"action": "closing"}}"#;
    let err = apigw_events::from_slice::<CleanupEvent>(no_id).unwrap_err();
    assert!(err.to_string().contains("secConnectionID"), "{err}");
    let err = apigw_events::from_slice::<WebSocketEvent>(br#"{"websocket": {}}"#).unwrap_err();
    assert!(err.to_string().contains("websocket.action"), "{err}");
}

#[test]
fn a_websocket_event_read_as_a_request_is_named_with_the_type_to_take() {
    for name in [
        "tencent-websocket-registration-event.json",
        "tencent-websocket-transmission-event-data-recv.json",
        "tencent-websocket-cleanup-event.json",
    ] {
        let err = apigw_events::Request::from_slice(&fixture(name)).unwrap_err();
        assert!(matches!(err, apigw_events::Error::UnsupportedEvent { .. }), "{name}: {err:?}");
        assert!(err.to_string().contains("tencent::websocket::WebSocketEvent"), "{name}: {err}");
    }
}
