//! Fault injection: the runtime against a Tencent runtime API that cuts
//! responses short, refuses result posts, stalls, answers garbage, leaves out
//! headers, sends huge events and closes its port; and Alibaba's `/invoke`
//! server against clients that hang up mid-request or send too much.
//!
//! Every test counts what reached the platform per invocation (each is
//! answered or reported exactly once, nothing is posted with no invocation
//! outstanding) and ends with a normal invocation, answered as usual.

mod common;
#[path = "faults/platform.rs"]
mod platform;

use apigw_runtime::{Config, Context, Provider, Request, Runtime};
use common::tencent_event;
use platform::{Inv, Next, Platform};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// Bounds every exchange a test makes with a server.
const PATIENCE: Duration = Duration::from_secs(20);

/// What the handler saw: the invocation id, the body's length, whether a
/// deadline was set.
async fn describe(req: Request, ctx: Context) -> Result<serde_json::Value, Infallible> {
    Ok(serde_json::json!({
        "id": ctx.request_id,
        "len": req.body.len(),
        "deadline": ctx.deadline.is_some(),
    }))
}

fn config(platform: &Platform) -> Config {
    Config::new(Provider::Tencent)
        .with_runtime_api(platform.addr.to_string())
        .with_platform_retry_budget(Duration::from_secs(30))
}

/// How a test starts the runtime; the receiver gets what it returned.
type Start = fn(Config) -> oneshot::Receiver<Result<(), apigw_runtime::Error>>;

/// The runtime alone on its own thread and async runtime, as `#[handler]`
/// runs it: nothing else could use the thread, so it waits for the platform
/// in blocking reads.
fn start(config: Config) -> oneshot::Receiver<Result<(), apigw_runtime::Error>> {
    let (tx, rx) = oneshot::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _ = tx.send(rt.block_on(apigw_runtime::run_with(config, describe)));
    });
    rx
}

/// The runtime as one task among the test's others: it waits for the
/// platform in the async reactor.
fn start_in_task(config: Config) -> oneshot::Receiver<Result<(), apigw_runtime::Error>> {
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let _ = tx.send(apigw_runtime::run_with(config, describe).await);
    });
    rx
}

/// Runs a scenario `async fn(Start)` both ways the runtime can wait.
macro_rules! both_ways {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn alone_on_its_thread() {
                super::$scenario(super::start).await
            }
            #[tokio::test]
            async fn sharing_its_async_runtime() {
                super::$scenario(super::start_in_task).await
            }
        }
    )*};
}

both_ways!(
    next_cut_off_mid_body_is_read_again_and_answered_once,
    a_platform_that_closes_each_connection_after_next_gets_each_result_once,
    a_slow_next_is_waited_for,
    chunked_and_close_delimited_events_are_read_whole,
    the_platform_closing_and_reopening_its_port,
    the_runtime_gives_up_on_a_platform_that_stays_away,
    a_long_wait_in_next_leaves_the_retry_budget_whole,
);

fn event(key: &str) -> Inv {
    Inv::new(key, tencent_event("GET", "/", &[], ""))
}

/// The handler's answer, read from the integration response's body.
fn seen(post: &platform::Post) -> serde_json::Value {
    assert!(!post.error, "expected a response, got the error {:?}", post.body);
    let res = post.json();
    assert_eq!(res["statusCode"], 200, "{res}");
    serde_json::from_str(res["body"].as_str().unwrap()).unwrap()
}

/// Pushes a normal invocation and checks it is answered: the runtime is
/// still serving.
async fn still_serving(platform: &Platform, key: &str) {
    platform.push(Next::Event(event(key)));
    let post = platform.result(key).await;
    assert_eq!(seen(&post)["id"], key);
}

async fn next_cut_off_mid_body_is_read_again_and_answered_once(start: Start) {
    let platform = Platform::start().await;
    let mut body = "x".repeat(4096);
    body.insert_str(0, "cut");
    platform.push(Next::DropMidBody(Inv::new("cut", tencent_event("POST", "/", &[], &body))));
    let _runtime = start(config(&platform));
    let post = platform.result("cut").await;
    assert_eq!(seen(&post)["len"], 4099, "the whole event, from the second delivery");
    assert_eq!(platform.deliveries("cut"), 2, "the first delivery was cut off");
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["cut", "after"]);
}

async fn a_platform_that_closes_each_connection_after_next_gets_each_result_once(start: Start) {
    let platform = Platform::start().await;
    let keys: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
    for key in &keys {
        platform.push(Next::EventThenClose(event(key)));
    }
    let _runtime = start(config(&platform));
    for key in &keys {
        assert_eq!(seen(&platform.result(key).await)["id"], key.as_str());
    }
    still_serving(&platform, "after").await;
    let mut all: Vec<&str> = keys.iter().map(String::as_str).collect();
    all.push("after");
    platform.assert_each_answered_once(&all);
}

#[tokio::test]
async fn refused_result_posts_are_retried_once_and_never_delivered_twice() {
    let platform = Platform::start().await;
    // Three refusals: both attempts for `lost`, the first for `second`.
    platform.fail_posts(3);
    platform.push(Next::Event(event("lost")));
    platform.push(Next::Event(event("second")));
    let _runtime = start(config(&platform));
    let post = platform.result("second").await;
    assert_eq!(seen(&post)["id"], "second");
    still_serving(&platform, "after").await;

    let posts = platform.posts();
    let attempts = |key: &str| posts.iter().filter(|p| p.key.as_deref() == Some(key)).count();
    let accepted = |key: &str| posts.iter().filter(|p| p.accepted && p.key.as_deref() == Some(key)).count();
    assert_eq!((attempts("lost"), accepted("lost")), (2, 0), "one report, tried twice: {posts:#?}");
    assert_eq!((attempts("second"), accepted("second")), (2, 1), "{posts:#?}");
    assert_eq!((attempts("after"), accepted("after")), (1, 1), "{posts:#?}");
    assert!(posts.iter().all(|p| p.key.is_some()), "nothing posted with nothing outstanding");
}

async fn a_slow_next_is_waited_for(start: Start) {
    let platform = Platform::start().await;
    let slow = |key: &str, before: u64, mid_body: u64| Next::Slow {
        before: Duration::from_millis(before),
        mid_body: Duration::from_millis(mid_body),
        inv: event(key),
    };
    platform.push(slow("late", 400, 0));
    platform.push(slow("stalled", 0, 400));
    let started = Instant::now();
    let _runtime = start(config(&platform));
    assert_eq!(seen(&platform.result("late").await)["id"], "late");
    assert_eq!(seen(&platform.result("stalled").await)["id"], "stalled");
    assert!(started.elapsed() >= Duration::from_millis(800), "both delays happened");
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["late", "stalled", "after"]);
}

#[tokio::test]
async fn garbage_on_next_is_retried_and_nothing_is_posted_for_it() {
    let platform = Platform::start().await;
    let soups: [&'static [u8]; 6] = [
        b"\x00\xff\x13\x37 not http at all \r\n\r\n\xde\xad\xbe\xef",
        b"",
        b"HTTP/1.1 200 OK\r\ncontent-length: many\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nrequest_id: chunky\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nrequest_id: short\r\ncontent-length: 100\r\n\r\n{\"path\"",
        b"HTTP/1.1 99999 What\r\n\r\n",
    ];
    for soup in soups {
        platform.push(Next::Garbage(soup));
    }
    platform.push(Next::Status(500));
    platform.push(Next::Status(404));
    platform.push(Next::Event(event("good")));
    let _runtime = start(config(&platform));
    assert_eq!(seen(&platform.result("good").await)["id"], "good");
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["good", "after"]);
    assert_eq!(platform.readies(), 1, "init/ready is sent once");
}

#[tokio::test]
async fn missing_or_unreadable_headers_still_get_an_answer() {
    let platform = Platform::start().await;
    let body = tencent_event("GET", "/", &[], "");
    platform.push(Next::Event(Inv::with_headers("bare", &[], body.clone())));
    platform.push(Next::Event(Inv::with_headers(
        "odd",
        &[("request_id", b"caf\xc3\xa9 \xff"), ("time_limit_in_ms", b"soon"), ("memory_limit_in_mb", b"-1")],
        body.clone(),
    )));
    platform.push(Next::Event(Inv::with_headers(
        "forever",
        &[("request_id", b"forever"), ("time_limit_in_ms", b"18446744073709551615")],
        body,
    )));
    let _runtime = start(config(&platform));
    let bare = seen(&platform.result("bare").await);
    assert_eq!((bare["id"].as_str(), bare["deadline"].as_bool()), (Some(""), Some(false)));
    let odd = seen(&platform.result("odd").await);
    assert_eq!(odd["deadline"], false, "an unreadable limit is no limit");
    let forever = seen(&platform.result("forever").await);
    assert_eq!(forever["id"], "forever", "the largest limit the header can carry is answered too");
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["bare", "odd", "forever", "after"]);
}

/// A Tencent event whose body is `len` bytes.
fn huge(key: &str, len: usize) -> Inv {
    Inv::new(key, tencent_event("POST", "/upload", &[], &"a".repeat(len)))
}

#[tokio::test]
async fn a_10_mb_event_is_answered() {
    let platform = Platform::start().await;
    platform.push(Next::Event(huge("big", 10 << 20)));
    let _runtime = start(config(&platform));
    assert_eq!(seen(&platform.result("big").await)["len"], 10 << 20);
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["big", "after"]);
}

#[tokio::test]
async fn an_event_over_max_event_bytes_is_reported_as_invalid() {
    let platform = Platform::start().await;
    platform.push(Next::Event(huge("big", 10 << 20)));
    let mut config = config(&platform);
    config.max_event_bytes = 64 << 10;
    let _runtime = start(config);
    let post = platform.result("big").await;
    assert!(post.error, "an oversize event is an error, not a response");
    let error = post.json();
    assert_eq!(error["errorType"], "InvalidEvent");
    assert_eq!(error["errorMessage"], "event larger than 65536 bytes");
    assert_eq!(error["requestId"], "big");
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["big", "after"]);
}

async fn chunked_and_close_delimited_events_are_read_whole(start: Start) {
    let platform = Platform::start().await;
    let body = "b".repeat(50_000);
    platform.push(Next::Chunked(Inv::new("chunked", tencent_event("POST", "/", &[], &body)), 7_000));
    platform.push(Next::UntilClose(Inv::new("until-close", tencent_event("POST", "/", &[], &body))));
    platform.push(Next::Chunked(huge("too-big", 100_000), 16_000));
    platform.push(Next::UntilClose(huge("too-big-unframed", 100_000)));
    let mut config = config(&platform);
    config.max_event_bytes = 80_000;
    let _runtime = start(config);
    assert_eq!(seen(&platform.result("chunked").await)["len"], 50_000);
    assert_eq!(seen(&platform.result("until-close").await)["len"], 50_000);
    let over = platform.result("too-big").await;
    assert!(over.error, "a chunked event over the limit is refused as it arrives");
    assert_eq!(over.json()["errorMessage"], "event larger than 80000 bytes");
    let over = platform.result("too-big-unframed").await;
    assert_eq!(over.json()["errorMessage"], "event larger than 80000 bytes");
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["chunked", "until-close", "too-big", "too-big-unframed", "after"]);
}

async fn the_platform_closing_and_reopening_its_port(start: Start) {
    let platform = Platform::start().await;
    platform.push(Next::Event(event("before")));
    let _runtime = start(config(&platform));
    platform.result("before").await;
    // The runtime waits in `next` when the port closes under it.
    platform.parked().await;
    platform.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;
    platform.restart().await;
    still_serving(&platform, "after").await;
    // Again, this time with an invocation queued while the port is closed.
    platform.parked().await;
    platform.stop();
    platform.push(Next::Event(event("queued")));
    tokio::time::sleep(Duration::from_millis(300)).await;
    platform.restart().await;
    platform.result("queued").await;
    still_serving(&platform, "last").await;
    platform.assert_each_answered_once(&["before", "after", "queued", "last"]);
    assert_eq!(platform.readies(), 1, "init/ready is not sent again");
}

async fn the_runtime_gives_up_on_a_platform_that_stays_away(start: Start) {
    let platform = Platform::start().await;
    platform.push(Next::Event(event("only")));
    let config = config(&platform).with_platform_retry_budget(Duration::from_millis(500));
    let runtime = start(config);
    platform.result("only").await;
    platform.parked().await;
    platform.stop();
    let ended = tokio::time::timeout(PATIENCE, runtime).await.expect("the runtime stops").unwrap();
    assert!(matches!(ended, Err(apigw_runtime::Error::PlatformUnreachable { .. })), "{ended:?}");
    platform.assert_each_answered_once(&["only"]);
}

async fn a_long_wait_in_next_leaves_the_retry_budget_whole(start: Start) {
    let platform = Platform::start().await;
    platform.push(Next::Event(event("before")));
    let config = config(&platform).with_platform_retry_budget(Duration::from_millis(300));
    let _runtime = start(config);
    platform.result("before").await;
    platform.parked().await;
    // Idle in `next` for twice the budget, then the port goes away briefly:
    // the budget counts from the failure, not from when `next` was sent.
    tokio::time::sleep(Duration::from_millis(600)).await;
    platform.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    platform.restart().await;
    still_serving(&platform, "after").await;
    platform.assert_each_answered_once(&["before", "after"]);
}

// ---- Alibaba: the `/invoke` server against clients that misbehave ----

const ALIYUN_EVENT: &str =
    r#"{"path":"/","httpMethod":"POST","headers":{},"queryParameters":{},"pathParameters":{},"body":"hi"}"#;

/// An Alibaba server whose handler counts its calls.
fn aliyun(max_event_bytes: Option<usize>) -> (SocketAddr, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let handler = move |req: Request| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move { Ok::<_, Infallible>(format!("{} bytes", req.body.len())) }
    };
    let (listener, addr) = common::listener();
    // Its `FC Invoke` lines through `print!`, kept by the test harness.
    let mut config = Config::new(Provider::Aliyun).with_platform_log(|line| print!("{line}"));
    if let Some(max) = max_event_bytes {
        config.max_event_bytes = max;
    }
    tokio::spawn(Runtime::new(config).with_listener(listener).run(handler));
    (addr, calls)
}

/// Writes `bytes` on a fresh connection, closes its sending side, and reads
/// whatever comes back until the server closes (bounded by [`PATIENCE`]).
async fn send_raw(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let exchange = async {
        let mut stream = connect(addr).await;
        let _ = stream.write_all(bytes).await;
        let _ = stream.shutdown().await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        answer
    };
    tokio::time::timeout(PATIENCE, exchange).await.expect("the server answers or closes")
}

async fn connect(addr: SocketAddr) -> TcpStream {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match TcpStream::connect(addr).await {
            Ok(s) => return s,
            Err(e) if tokio::time::Instant::now() > deadline => panic!("connect {addr}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn invoke_ok(addr: SocketAddr, id: &str) {
    let res = tokio::time::timeout(
        PATIENCE,
        common::call(addr, "POST", "/invoke", &[("x-fc-request-id", id)], ALIYUN_EVENT.as_bytes()),
    )
    .await
    .expect("the server answers");
    assert_eq!((res.status, res.header("x-fc-status")), (200, Some("200")), "{:?}", res.body);
    assert_eq!(res.json()["body"], "2 bytes");
}

#[tokio::test]
async fn aliyun_truncated_bodies_and_hang_ups_never_reach_the_handler() {
    let (addr, calls) = aliyun(None);
    invoke_ok(addr, "warm").await;
    let truncated = format!(
        "POST /invoke HTTP/1.1\r\nhost: fc\r\nx-fc-request-id: cut\r\ncontent-length: 1000\r\n\r\n{}",
        &ALIYUN_EVENT[..40]
    );
    let answer = send_raw(addr, truncated.as_bytes()).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 404") && answer.contains("x-fc-status: 404"),
        "a cut-off event is a failure or no answer at all: {answer}"
    );
    for partial in [
        &b"POST /invoke HTTP/1.1\r\nhost: fc\r\ncontent-le"[..],
        b"POST /inv",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello, not HTTP",
        b"POST /invoke HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n",
    ] {
        let answer = send_raw(addr, partial).await;
        assert!(
            answer.is_empty() || answer.starts_with(b"HTTP/1.1 4"),
            "{:?}",
            String::from_utf8_lossy(&answer)
        );
    }
    // A client that leaves mid-request without closing its side politely.
    let mut stream = connect(addr).await;
    stream.write_all(b"POST /invoke HTTP/1.1\r\ncontent-length: 50\r\n\r\n{\"pa").await.unwrap();
    drop(stream);
    invoke_ok(addr, "after").await;
    assert_eq!(calls.load(Ordering::SeqCst), 2, "only the two whole invocations reached the handler");
}

#[tokio::test]
async fn aliyun_an_oversize_body_is_refused_and_the_server_goes_on() {
    let (addr, calls) = aliyun(Some(64 << 10));
    let body = format!(r#"{{"path":"/","httpMethod":"POST","body":"{}"}}"#, "a".repeat(1 << 20));
    let res = tokio::time::timeout(
        PATIENCE,
        common::call(addr, "POST", "/invoke", &[("x-fc-request-id", "big")], body.as_bytes()),
    )
    .await
    .expect("the server answers");
    assert_eq!((res.status, res.header("x-fc-status")), (404, Some("404")));
    let error = res.json();
    assert_eq!(error["errorType"], "InvalidEvent");
    assert_eq!(error["errorMessage"], "event larger than 65536 bytes");
    assert_eq!(error["requestId"], "big");
    invoke_ok(addr, "after").await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the oversize event never reached the handler");
}

#[tokio::test]
async fn aliyun_a_timeout_header_too_large_to_represent_is_answered() {
    let (addr, calls) = aliyun(None);
    let headers = [("x-fc-request-id", "forever"), ("x-fc-function-timeout", "1e19")];
    let res = tokio::time::timeout(
        PATIENCE,
        common::call(addr, "POST", "/invoke", &headers, ALIYUN_EVENT.as_bytes()),
    )
    .await
    .expect("the server answers");
    assert_eq!((res.status, res.header("x-fc-status")), (200, Some("200")));
    invoke_ok(addr, "after").await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
