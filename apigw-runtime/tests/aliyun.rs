//! The runtime as an Alibaba FC event function (`/invoke` server), driven
//! over real HTTP on 127.0.0.1.

mod common;

use apigw_runtime::events::{IntegrationResponse, Request, aliyun};
use apigw_runtime::{Config, Context, Provider, Runtime};
use common::{call, listener};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Alibaba's config, its `FC Invoke` lines printed with `print!` so the test
/// harness keeps them with the test's own output: stdout written directly
/// is never captured.
fn config() -> Config {
    Config::new(Provider::Aliyun).with_platform_log(|line| print!("{line}"))
}

fn start<M: 'static>(handler: impl apigw_runtime::Handler<M>) -> SocketAddr {
    let (l, addr) = listener();
    tokio::spawn(Runtime::new(config()).with_listener(l).run(handler));
    addr
}

const EVENT: &str = r#"{"path":"/fc/test/invoke/test","httpMethod":"POST","headers":{},"queryParameters":{"param1":"aaa"},"pathParameters":{"type":"test"},"body":"hi","isBase64Encoded":false}"#;

async fn typed(e: aliyun::ApiGatewayEvent) -> Result<IntegrationResponse, anyhow::Error> {
    if e.query_parameters.contains_key("fail") {
        anyhow::bail!("asked to fail");
    }
    if let Some(ms) = e.query_parameters.get("sleep_ms").and_then(|v| v.first()) {
        tokio::time::sleep(Duration::from_millis(ms.parse()?)).await;
    }
    Ok(IntegrationResponse::text(format!("{} {}", e.path_parameters["type"], e.body.unwrap_or_default())))
}

#[tokio::test]
async fn invoke_success_is_200_with_x_fc_status() {
    let addr = start(typed);
    let res = call(addr, "POST", "/invoke", &[("x-fc-request-id", "a-1")], EVENT.as_bytes()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("x-fc-status"), Some("200"));
    let body = res.json();
    assert_eq!(body["statusCode"], 200);
    assert_eq!(body["body"], "test hi");
}

#[tokio::test]
async fn each_invocation_is_logged_between_fc_invoke_start_and_end_lines() {
    let lines = Arc::new(Mutex::new(String::new()));
    let sink = lines.clone();
    let config =
        Config::new(Provider::Aliyun).with_platform_log(move |line| sink.lock().unwrap().push_str(line));
    let (l, addr) = listener();
    tokio::spawn(Runtime::new(config).with_listener(l).run(typed));
    let res = call(addr, "POST", "/invoke", &[("x-fc-request-id", "a-9")], EVENT.as_bytes()).await;
    assert_eq!(res.status, 200);
    assert_eq!(*lines.lock().unwrap(), "FC Invoke Start RequestId: a-9\nFC Invoke End RequestId: a-9\n");
}

#[tokio::test]
async fn invoke_failure_is_404_with_x_fc_status_and_an_error_json() {
    let addr = start(typed);
    let event = EVENT.replace(r#""param1":"aaa""#, r#""fail":"1""#);
    let res = call(addr, "POST", "/invoke", &[("x-fc-request-id", "a-2")], event.as_bytes()).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.header("x-fc-status"), Some("404"));
    let body = res.json();
    assert_eq!(body["errorMessage"], "asked to fail");
    assert_eq!(body["requestId"], "a-2");
    // The server goes on answering.
    let res = call(addr, "POST", "/invoke", &[("x-fc-request-id", "a-3")], EVENT.as_bytes()).await;
    assert_eq!(res.status, 200);
}

#[tokio::test]
async fn a_malformed_event_names_the_field() {
    let addr = start(typed);
    let res =
        call(addr, "POST", "/invoke", &[], br#"{"path": "/", "httpMethod": "GET", "pathParameters": []}"#)
            .await;
    assert_eq!(res.status, 404);
    let msg = res.json()["errorMessage"].as_str().unwrap().to_owned();
    assert!(msg.contains("`pathParameters`"), "{msg}");
}

#[tokio::test]
async fn the_function_timeout_header_bounds_the_invocation() {
    let addr = start(typed);
    let event = EVENT.replace(r#""param1":"aaa""#, r#""sleep_ms":"10000""#);
    let headers = [("x-fc-request-id", "slow"), ("x-fc-function-timeout", "0.3")];
    let res = call(addr, "POST", "/invoke", &headers, event.as_bytes()).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["errorType"], "TimeoutError");
    assert_eq!(res.json()["errorMessage"], "Invoking task timed out after 0.3 seconds");
}

#[tokio::test]
async fn concurrent_invokes_each_get_their_own_context() {
    async fn echo_id(req: Request, ctx: Context) -> Result<String, Infallible> {
        // Finish in a different order from the one the calls arrived in.
        let n: u64 = req.query("n").and_then(|n| n.parse().ok()).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis((32 - n) * 5)).await;
        Ok(format!("{} {}", ctx.request_id, ctx.function_name.unwrap_or_default()))
    }
    let addr = start(echo_id);
    let calls = (0..32u64).map(|n| async move {
        let event = EVENT.replace(r#""param1":"aaa""#, &format!(r#""n":"{n}""#));
        let id = format!("req-{n}");
        let fname = format!("fn-{n}");
        let headers = [("x-fc-request-id", id.as_str()), ("x-fc-function-name", fname.as_str())];
        let res = call(addr, "POST", "/invoke", &headers, event.as_bytes()).await;
        (n, res.json()["body"].as_str().unwrap().to_owned())
    });
    let started = std::time::Instant::now();
    let results = futures_join_all(calls).await;
    for (n, body) in results {
        assert_eq!(body, format!("req-{n} fn-{n}"));
    }
    assert!(started.elapsed() < Duration::from_secs(3), "the calls ran concurrently");
}

async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futs: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn initialize_failing_is_an_error_answer_and_is_tried_again() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let (l, addr) = listener();
    let init =
        || async { if CALLS.fetch_add(1, Ordering::SeqCst) == 0 { Err("database down") } else { Ok(7u32) } };
    let make = |n: &'static u32| move |_e: Request| async move { Ok::<_, Infallible>(format!("state {n}")) };
    tokio::spawn(Runtime::new(config()).with_listener(l).run_with_init(init, make));

    let res = call(addr, "POST", "/initialize", &[], b"").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.header("x-fc-status"), Some("404"));
    assert_eq!(res.json()["errorType"], "InitError");
    assert_eq!(res.json()["errorMessage"], "database down");

    let res = call(addr, "POST", "/initialize", &[], b"").await;
    assert_eq!(res.status, 200);
    let res = call(addr, "POST", "/invoke", &[], EVENT.as_bytes()).await;
    assert_eq!(res.json()["body"], "state 7");
    assert_eq!(CALLS.load(Ordering::SeqCst), 2, "init ran once more after the failure, then never again");
}

#[tokio::test]
async fn without_an_initializer_init_runs_on_first_invoke() {
    let (l, addr) = listener();
    let make = |s: &'static String| move |_e: Request| async move { Ok::<_, Infallible>(s.clone()) };
    let init = || async { Ok::<_, Infallible>(String::from("lazy")) };
    tokio::spawn(Runtime::new(config()).with_listener(l).run_with_init(init, make));
    let res = call(addr, "POST", "/invoke", &[], EVENT.as_bytes()).await;
    assert_eq!(res.json()["body"], "lazy");
}

#[tokio::test]
async fn lifecycle_hooks_answer_200_and_unknown_paths_404() {
    let addr = start(typed);
    for path in ["/pre-stop", "/pre-freeze"] {
        let res = call(addr, "GET", path, &[], b"").await;
        assert_eq!((res.status, res.header("x-fc-status")), (200, Some("200")), "{path}");
    }
    let res = call(addr, "GET", "/elsewhere", &[], b"").await;
    assert_eq!(res.status, 404);
}
