//! The runtime against a mock of Tencent's runtime API.

mod common;

use apigw_runtime::events::{IntegrationResponse, Request};
use apigw_runtime::{Config, Context, Error, IntoResponse, Provider, Runtime, passthrough};
use common::{Invocation, MockTencent, tencent_event};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::oneshot;

fn config(mock: &MockTencent) -> Config {
    Config::new(Provider::Tencent).with_runtime_api(mock.addr.to_string())
}

async fn hello(req: Request) -> Result<impl IntoResponse, Infallible> {
    Ok(serde_json::json!({"hello": req.query("name").unwrap_or("world")}))
}

/// Obeys `panic=1`, `fail=1`, `sleep_ms=N`, `early_panic=1` (before the future).
fn controlled(req: Request) -> impl std::future::Future<Output = Result<IntegrationResponse, anyhow::Error>> {
    if req.query("early_panic").is_some() {
        panic!("early boom");
    }
    async move {
        if let Some(ms) = req.query("sleep_ms") {
            tokio::time::sleep(Duration::from_millis(ms.parse()?)).await;
        }
        if req.query("panic").is_some() {
            panic!("boom in the future");
        }
        if req.query("fail").is_some() {
            anyhow::bail!("asked to fail");
        }
        Ok(IntegrationResponse::text("ok"))
    }
}

fn get(id: &str, query: &[(&str, &str)]) -> Invocation {
    Invocation::new(id, tencent_event("GET", "/", query, ""))
}

#[tokio::test]
async fn success_sends_ready_then_answers_in_integration_form() {
    let mock = MockTencent::start().await;
    mock.push(get("r1", &[("name", "ada")]));
    tokio::spawn(apigw_runtime::run_with(config(&mock), hello));
    let results = mock.results(1).await;
    assert_eq!(results[0].0, "r1");
    let res = results[0].1.response();
    assert_eq!(res["statusCode"], 200);
    assert_eq!(res["isBase64Encoded"], false);
    assert_eq!(res["headers"]["Content-Type"], "application/json");
    assert_eq!(res["body"], r#"{"hello":"ada"}"#);
    let ready = mock.ready_bodies();
    assert_eq!(ready.len(), 1, "init/ready is sent once");
    assert!(!ready[0].is_empty(), "init/ready carries a non-empty body");
    assert!(mock.ready_before_next());
}

#[tokio::test]
async fn handler_error_panics_and_bad_events_are_reported_and_the_runtime_goes_on() {
    let mock = MockTencent::start().await;
    mock.push(get("fail", &[("fail", "1")]));
    mock.push(get("panic", &[("panic", "1")]));
    mock.push(get("early", &[("early_panic", "1")]));
    mock.push(Invocation::new("garbage", "{not json"));
    mock.push(Invocation::new("shape", r#"{"path": "/", "httpMethod": 42}"#));
    mock.push(get("fine", &[]));
    tokio::spawn(apigw_runtime::run_with(config(&mock), controlled));
    let results = mock.results(6).await;
    let ids: Vec<_> = results.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["fail", "panic", "early", "garbage", "shape", "fine"]);

    let fail = results[0].1.error();
    assert_eq!(fail["errorMessage"], "asked to fail");
    assert_eq!(fail["errorType"], "Error");
    assert_eq!(fail["requestId"], "fail");
    assert_eq!(fail["statusCode"], 430);
    assert_eq!(results[1].1.error()["errorMessage"], "handler panicked: boom in the future");
    assert_eq!(results[2].1.error()["errorMessage"], "handler panicked: early boom");
    let garbage = results[3].1.error();
    assert_eq!(garbage["errorType"], "InvalidEvent");
    let shape = results[4].1.error()["errorMessage"].as_str().unwrap().to_owned();
    assert!(shape.contains("`httpMethod`"), "names the JSON path: {shape}");
    assert_eq!(results[5].1.response()["body"], "ok");
    assert!(mock.stray().is_empty(), "every invocation answered exactly once");
}

#[tokio::test]
async fn a_timeout_is_reported_like_the_platform_and_the_next_invocation_runs() {
    let mock = MockTencent::start().await;
    let mut slow = get("slow", &[("sleep_ms", "10000")]);
    slow.time_limit_ms = Some(300);
    mock.push(slow);
    mock.push(get("quick", &[]));
    let started = std::time::Instant::now();
    tokio::spawn(apigw_runtime::run_with(config(&mock), controlled));
    let results = mock.results(2).await;
    assert!(started.elapsed() < Duration::from_secs(5), "the slow handler was cut off");
    let err = results[0].1.error();
    assert_eq!(err["errorCode"], -1);
    assert_eq!(err["errorMessage"], "Invoking task timed out after 0.3 seconds");
    assert_eq!(err["statusCode"], 433);
    assert_eq!(err["requestId"], "slow");
    assert_eq!(results[1].1.response()["body"], "ok");
}

#[tokio::test]
async fn the_configured_timeout_caps_the_platform_limit() {
    let mock = MockTencent::start().await;
    mock.push(get("slow", &[("sleep_ms", "10000")]));
    let config = config(&mock).with_timeout(Duration::from_millis(200));
    tokio::spawn(apigw_runtime::run_with(config, controlled));
    let results = mock.results(1).await;
    assert_eq!(results[0].1.error()["errorMessage"], "Invoking task timed out after 0.2 seconds");
}

#[tokio::test]
async fn context_carries_the_platform_headers() {
    let mock = MockTencent::start().await;
    let mut inv = get("ctx-1", &[]);
    inv.memory_mb = Some(256);
    inv.time_limit_ms = Some(5000);
    mock.push(inv);
    async fn show(_: serde_json::Value, ctx: Context) -> Result<serde_json::Value, Infallible> {
        let left = ctx.remaining_time().unwrap();
        Ok(serde_json::json!({
            "id": ctx.request_id, "mem": ctx.memory_limit_mb, "provider": ctx.provider.as_str(),
            "deadline_ok": left > Duration::from_secs(3) && left <= Duration::from_secs(5),
        }))
    }
    tokio::spawn(apigw_runtime::run_with(config(&mock), show));
    let body = mock.results(1).await[0].1.response()["body"].as_str().unwrap().to_owned();
    let seen: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({"id": "ctx-1", "mem": 256, "provider": "tencent", "deadline_ok": true})
    );
}

#[tokio::test]
async fn passthrough_answers_the_value_itself() {
    let mock = MockTencent::start().await;
    mock.push(get("p", &[]));
    async fn value(req: Request) -> Result<serde_json::Value, Infallible> {
        Ok(serde_json::json!({"path": req.path, "n": 1}))
    }
    tokio::spawn(apigw_runtime::run_with(config(&mock), passthrough(value)));
    let results = mock.results(1).await;
    assert_eq!(results[0].1.response(), &serde_json::json!({"path": "/", "n": 1}));
}

#[tokio::test]
async fn a_thousand_sequential_invocations_are_each_answered_once() {
    let mock = MockTencent::start().await;
    for i in 0..1000 {
        mock.push(get(&format!("r{i}"), &[("name", &i.to_string())]));
    }
    tokio::spawn(apigw_runtime::run_with(config(&mock), hello));
    let results = mock.results(1000).await;
    assert_eq!(results.len(), 1000);
    for (i, (id, outcome)) in results.iter().enumerate() {
        assert_eq!(id, &format!("r{i}"));
        assert_eq!(outcome.response()["body"], format!(r#"{{"hello":"{i}"}}"#));
    }
    assert!(mock.stray().is_empty());
}

#[tokio::test]
async fn next_refusing_connections_is_retried_until_the_platform_is_back() {
    // Find a free port, leave it closed for a while, then open the mock there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = Config::new(Provider::Tencent).with_runtime_api(format!("127.0.0.1:{port}"));
    tokio::spawn(apigw_runtime::run_with(config, hello));
    tokio::time::sleep(Duration::from_millis(400)).await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let mock = MockTencent::serve(listener);
    mock.push(get("late", &[]));
    let results = mock.results(1).await;
    assert_eq!(results[0].1.response()["body"], r#"{"hello":"world"}"#);
}

#[tokio::test]
async fn an_unreachable_platform_ends_the_runtime_after_the_budget() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = Config::new(Provider::Tencent)
        .with_runtime_api(format!("127.0.0.1:{port}"))
        .with_platform_retry_budget(Duration::from_millis(300));
    let err = apigw_runtime::run_with(config, hello).await.unwrap_err();
    assert!(matches!(err, Error::PlatformUnreachable { .. }), "{err}");
}

#[tokio::test]
async fn a_failed_result_post_is_retried_once() {
    let mock = MockTencent::start().await;
    mock.fail_next_posts(1);
    mock.push(get("retry", &[]));
    tokio::spawn(apigw_runtime::run_with(config(&mock), hello));
    let results = mock.results(1).await;
    assert_eq!(results[0].0, "retry");
}

#[tokio::test]
async fn failed_init_exits_before_ready() {
    let mock = MockTencent::start().await;
    let err = Runtime::new(config(&mock))
        .run_with_init(|| async { Err::<(), _>("no database") }, |_state: &'static ()| hello)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Init(m) if m == "no database"), "{err}");
    assert!(mock.ready_bodies().is_empty(), "init/ready must not be sent");
}

#[tokio::test]
async fn init_state_is_built_once_and_borrowed_by_every_invocation() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static INITS: AtomicUsize = AtomicUsize::new(0);
    let mock = MockTencent::start().await;
    for i in 0..3 {
        mock.push(get(&format!("s{i}"), &[]));
    }
    let init = || async {
        INITS.fetch_add(1, Ordering::SeqCst);
        Ok::<_, Infallible>(String::from("greeting from init"))
    };
    let make =
        |state: &'static String| move |_req: Request| async move { Ok::<_, Infallible>(state.as_str()) };
    tokio::spawn(Runtime::new(config(&mock)).run_with_init(init, make));
    let results = mock.results(3).await;
    assert!(results.iter().all(|(_, o)| o.response()["body"] == "greeting from init"));
    assert_eq!(INITS.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn shutdown_finishes_the_invocation_in_flight_then_returns_ok() {
    let mock = MockTencent::start().await;
    mock.push(get("inflight", &[("sleep_ms", "300")]));
    let (tx, rx) = oneshot::channel::<()>();
    let runtime = tokio::spawn(
        Runtime::new(config(&mock))
            .with_shutdown(async move {
                let _ = rx.await;
            })
            .run(controlled),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    tx.send(()).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(5), runtime).await.unwrap().unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
    let results = mock.results(1).await;
    assert_eq!(results[0].1.response()["body"], "ok", "the in-flight invocation was answered");
}

#[tokio::test]
async fn an_axum_router_runs_unchanged() {
    use axum::{Router, extract::Path, routing::get as route_get};
    let mock = MockTencent::start().await;
    mock.push(get("root", &[]));
    mock.push(Invocation::new("user", tencent_event("GET", "/users/42", &[], "")));
    let app = Router::new()
        .route("/", route_get(|| async { "root" }))
        .route("/users/{id}", route_get(|Path(id): Path<u32>| async move { format!("user {id}") }));
    tokio::spawn(apigw_runtime::run_with(config(&mock), apigw_runtime::service(app)));
    let results = mock.results(2).await;
    assert_eq!(results[0].1.response()["body"], "root");
    assert_eq!(results[1].1.response()["body"], "user 42");
    assert_eq!(results[1].1.response()["headers"]["content-type"], "text/plain; charset=utf-8");
}

#[tokio::test]
async fn http_request_handlers_see_the_gateway_context() {
    let mock = MockTencent::start().await;
    mock.push(get("h", &[("x", "1")]));
    async fn raw(req: http::Request<apigw_runtime::Body>) -> Result<String, Infallible> {
        let stage =
            req.extensions().get::<apigw_runtime::events::GatewayContext>().and_then(|c| c.stage.clone());
        Ok(format!("{} {} {}", req.method(), req.uri(), stage.unwrap_or_default()))
    }
    tokio::spawn(apigw_runtime::run_with(config(&mock), raw));
    assert_eq!(mock.results(1).await[0].1.response()["body"], "GET /?x=1 release");
}
