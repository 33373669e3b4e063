//! Instances scale out as on the platforms: Tencent one invocation per
//! instance, Alibaba `instance_concurrency` per process; past
//! `max_instances` requests wait within the gateway timeout; an instance is
//! busy until its function answers; idle ones are stopped; web functions
//! are held to their time limit.

mod common;

use apigw_gateway::config::Provider;
use apigw_gateway::{Function, FunctionSpec, Gateway, GatewayConfig};
use common::get;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn spec(name: &str, provider: Provider, tune: impl FnOnce(&mut FunctionSpec)) -> Arc<Function> {
    let mut spec = common::spec(name, provider);
    tune(&mut spec);
    Arc::new(Function::new(spec))
}

async fn serve_with(toml: &str, functions: BTreeMap<String, Arc<Function>>) -> SocketAddr {
    let config = GatewayConfig::parse(toml, "apigw.toml").unwrap();
    let gateway = Arc::new(Gateway::with_functions(config, functions));
    common::serve_gateway(gateway).await
}

fn one(f: &Arc<Function>) -> BTreeMap<String, Arc<Function>> {
    BTreeMap::from([("default".to_owned(), f.clone())])
}

/// Whether `pid` is a running (not zombie) process.
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}

async fn concurrently(addr: SocketAddr, n: usize, path: &str) -> (Vec<u16>, Duration) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(get_owned(addr, path.to_owned()))).collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    (statuses, started.elapsed())
}

async fn get_owned(addr: SocketAddr, path: String) -> u16 {
    get(addr, &path).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_requests_each_get_an_instance() {
    let f = spec("echo", Provider::Tencent, |_| {});
    let addr = serve_with("", one(&f)).await;
    let (statuses, took) = concurrently(addr, 4, "/?sleep_ms=1000").await;
    assert_eq!(statuses, [200; 4]);
    assert!(took < Duration::from_millis(2000), "4 × 1 s took {took:?}: they queued");
    assert_eq!(f.cold_starts(), 4, "one instance per concurrent request");
    assert_eq!(f.pids().len(), 4);
    let (statuses, _) = concurrently(addr, 4, "/").await;
    assert_eq!(statuses, [200; 4]);
    assert_eq!(f.cold_starts(), 4, "warm instances are reused");
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alibaba_instance_takes_instance_concurrency_requests_at_once() {
    let f = spec("echo", Provider::Aliyun, |s| s.instance_concurrency = 4);
    let addr = serve_with("[function]\nprovider = \"aliyun\"\ninstance_concurrency = 4\n", one(&f)).await;
    let (statuses, took) = concurrently(addr, 4, "/?sleep_ms=1000").await;
    assert_eq!(statuses, [200; 4]);
    assert!(took < Duration::from_millis(2000), "4 × 1 s took {took:?}");
    assert_eq!((f.cold_starts(), f.pids().len()), (1, 1), "all four in one process");
    let (statuses, _) = concurrently(addr, 5, "/?sleep_ms=300").await;
    assert_eq!(statuses, [200; 5]);
    assert_eq!(f.cold_starts(), 2, "a fifth request at once starts a second instance");
    f.stop().await;
}

const TWO_TIMEOUTS: &str = r#"
[[routes]]
path = "/slow"
gateway_timeout = "5s"
[[routes]]
path = "/fast"
gateway_timeout = "500ms"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_max_instances_requests_wait_within_the_gateway_timeout() {
    let f = spec("echo", Provider::Tencent, |s| s.max_instances = 1);
    let addr = serve_with(TWO_TIMEOUTS, one(&f)).await;
    assert_eq!(get(addr, "/fast").await.status, 200);
    let pid = f.pids()[0];
    let slow = tokio::spawn(get_owned(addr, "/slow?sleep_ms=1500".into()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    assert_eq!(get(addr, "/fast").await.status, 504, "waited for the one busy instance");
    assert!(started.elapsed() < Duration::from_millis(1200), "the wait ends at the gateway timeout");
    assert_eq!(slow.await.unwrap(), 200, "the busy instance answered its own request");
    assert_eq!(f.cold_starts(), 1, "no instance past the maximum");
    assert_eq!(f.pids(), [pid], "and the instance was not stopped");
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_stays_busy_until_its_function_answers_after_the_client_left() {
    let f = spec("echo", Provider::Tencent, |s| s.max_instances = 1);
    let addr = serve_with(TWO_TIMEOUTS, one(&f)).await;
    assert_eq!(get(addr, "/fast").await.status, 200);
    let pid = f.pids()[0];
    let gone = tokio::spawn(get_owned(addr, "/slow?sleep_ms=1000".into()));
    tokio::time::sleep(Duration::from_millis(150)).await;
    gone.abort();
    let _ = gone.await;
    let started = Instant::now();
    let res = get(addr, "/slow").await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(started.elapsed() >= Duration::from_millis(600), "it waited for the abandoned invocation");
    assert_eq!(f.pids(), [pid], "the instance was neither stopped nor replaced");
    f.stop().await;
}

#[tokio::test]
async fn idle_instances_are_stopped() {
    let f = spec("echo", Provider::Tencent, |s| s.idle_timeout = Duration::from_millis(200));
    let addr = serve_with("", one(&f)).await;
    assert_eq!(get(addr, "/").await.status, 200);
    let pid = f.pids()[0];
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(pid) {
        assert!(Instant::now() < deadline, "the idle instance {pid} is still running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(f.pids().is_empty());
    assert_eq!(get(addr, "/").await.status, 200, "the next request cold starts");
    assert_eq!(f.cold_starts(), 2);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_function_past_its_time_limit_is_stopped() {
    let f = spec("echo", Provider::Web, |_| {});
    let addr = serve_with("[[routes]]\npath = \"/\"\nfunction_timeout = \"500ms\"\n", one(&f)).await;
    assert_eq!(get(addr, "/").await.status, 200);
    let pid = f.pids()[0];
    let started = Instant::now();
    let res = get(addr, "/?sleep_ms=3000").await;
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "answered at the limit: {:?}",
        started.elapsed()
    );
    let body = String::from_utf8_lossy(&res.body).into_owned();
    assert!(body.contains("timed out"), "a timeout answer, not the function's 200: {} {body}", res.status);
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(pid) {
        assert!(Instant::now() < deadline, "the overrunning web function {pid} still runs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f.stop().await;
}
