//! The push client against a mock push address on 127.0.0.1: what it posts,
//! byte for byte, and the typed errors for a refusal, an unreachable or
//! silent address, and an address that cannot be used.

use apigw_runtime::{PushClient, PushError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// One request the mock push address received.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    path: String,
    content_type: Option<String>,
    body: String,
}

/// A push address that answers every post with `status` and `body`.
struct MockPush {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl MockPush {
    async fn start(status: u16, body: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = received.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let log = log.clone();
                let svc = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                    let log = log.clone();
                    async move {
                        let received = read(req).await;
                        log.lock().unwrap().push(received);
                        let mut res = hyper::Response::new(Full::new(Bytes::from_static(body.as_bytes())));
                        *res.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                        Ok::<_, std::convert::Infallible>(res)
                    }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc),
                );
            }
        });
        MockPush { addr, received }
    }

    fn url(&self) -> String {
        format!("http://{}/api-test", self.addr)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn read(req: hyper::Request<Incoming>) -> Received {
    let method = req.method().to_string();
    let path = req.uri().to_string();
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    Received { method, path, content_type, body: String::from_utf8_lossy(&bytes).into_owned() }
}

const OK: &str = r#"{"errNo":0,"errMsg":"ok"}"#;

#[tokio::test]
async fn text_binary_and_close_post_exactly_the_json_tencent_documents() {
    let mock = MockPush::start(200, OK).await;
    let push = PushClient::new(&mock.url()).unwrap().with_timeout(Duration::from_secs(5));
    push.send_text("CoQdJZAfLdAvVAkrrZlr5A==", "héllo \"you\"").await.unwrap();
    push.send_binary("CoQdJZAfLdAvVAkrrZlr5A==", &[0, 1, 255]).await.unwrap();
    push.close("CoQdJZAfLdAvVAkrrZlr5A==").await.unwrap();

    let got = mock.received();
    assert_eq!(got.len(), 3, "{got:?}");
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/api-test");
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
    }
    assert_eq!(
        got[0].body,
        r#"{"websocket":{"action":"data send","secConnectionID":"CoQdJZAfLdAvVAkrrZlr5A==","dataType":"text","data":"héllo \"you\""}}"#
    );
    assert_eq!(
        got[1].body,
        r#"{"websocket":{"action":"data send","secConnectionID":"CoQdJZAfLdAvVAkrrZlr5A==","dataType":"binary","data":"AAH/"}}"#
    );
    assert_eq!(
        got[2].body,
        r#"{"websocket":{"action":"closing","secConnectionID":"CoQdJZAfLdAvVAkrrZlr5A=="}}"#
    );
}

#[tokio::test]
async fn pushes_from_many_tasks_all_arrive() {
    let mock = MockPush::start(200, OK).await;
    let push = Arc::new(PushClient::new(&mock.url()).unwrap());
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let push = push.clone();
            tokio::spawn(async move { push.send_text(&format!("c{i}"), "x").await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut ids: Vec<String> = mock
        .received()
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["websocket"]["secConnectionID"]
                .to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
}

#[tokio::test]
async fn a_non_zero_err_no_is_a_refusal_with_what_the_gateway_said() {
    let mock = MockPush::start(200, r#"{"errNo":1,"errMsg":"connection not found"}"#).await;
    let push = PushClient::new(&mock.url()).unwrap();
    let err = push.send_text("gone", "hi").await.unwrap_err();
    match &err {
        PushError::Refused { status, err_no, message, url } => {
            assert_eq!(*status, 200);
            assert_eq!(*err_no, Some(1));
            assert_eq!(message, "connection not found");
            assert_eq!(url, &mock.url());
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(err.to_string().contains("errNo 1"), "{err}");
}

#[tokio::test]
async fn a_non_2xx_status_is_a_refusal_with_the_start_of_its_body() {
    let mock = MockPush::start(502, "bad gateway").await;
    let err = PushClient::new(&mock.url()).unwrap().close("c").await.unwrap_err();
    match &err {
        PushError::Refused { status: 502, err_no: None, message, .. } => assert_eq!(message, "bad gateway"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(err.to_string().contains("HTTP 502"), "{err}");
    assert_eq!(mock.received().len(), 1);
}

#[tokio::test]
async fn an_unreachable_address_is_named() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/api-test");
    let push = PushClient::new(&url).unwrap().with_timeout(Duration::from_secs(5));
    let err = push.send_text("c", "hi").await.unwrap_err();
    assert!(matches!(err, PushError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains(&url), "{err}");
}

#[tokio::test]
async fn an_address_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepts, reads nothing, answers nothing.
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            open.push(s);
        }
    });
    let push = PushClient::new(&format!("http://{addr}/")).unwrap().with_timeout(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let err = push.send_text("c", "hi").await.unwrap_err();
    assert!(
        matches!(err, PushError::TimedOut { after, .. } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    held.abort();
}

#[test]
fn an_address_that_cannot_be_used_says_why() {
    for (url, why) in [
        ("https://set-x.cb-common.apigateway.tencentyun.com/api-1", "https is not supported"),
        ("set-x.cb-common.apigateway.tencentyun.com/api-1", "not an http:// URL"),
        ("http://exa mple/", "invalid"),
    ] {
        let err = PushClient::new(url).unwrap_err();
        assert!(matches!(err, PushError::InvalidAddress { .. }), "{url}: {err:?}");
        assert!(err.to_string().contains(why), "{url}: {err}");
        assert!(err.to_string().contains(url), "{url}: {err}");
    }
}

#[test]
fn the_client_can_be_shared_between_tasks() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<PushClient>();
}
