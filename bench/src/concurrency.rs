//! Scale-out under load: 16 concurrent keep-alive clients against a handler
//! that sleeps 200 ms, through `cargo apigw serve` as Tencent (an instance
//! per request in flight) and as Alibaba (`instance_concurrency` calls in
//! one instance), and through serverless-offline in front of an equivalent
//! Node handler (`bench/node`, after `npm ci` there). Requests per second
//! against the ideal, clients / sleep.

use crate::median;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Clients at once.
pub const CLIENTS: usize = 16;
/// What each request sleeps in the handler.
pub const SLEEP: Duration = Duration::from_millis(200);

/// One contender: a label and how to start it on a port.
struct Contender {
    label: &'static str,
    start: Box<dyn Fn(u16) -> tokio::process::Child>,
}

pub async fn run(apigw: &Path, seconds: u64, rounds: usize) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the repository");
    let node = Path::new(env!("CARGO_MANIFEST_DIR")).join("node");
    let serverless = node.join("node_modules/.bin/serverless");
    assert!(
        serverless.exists(),
        "serverless-offline is not installed: run `npm ci` in {} first",
        node.display()
    );
    let serve = |label: &'static str, table: &'static str| {
        let apigw = apigw.to_path_buf();
        let repo = repo.to_path_buf();
        let config = std::env::temp_dir().join(format!("apigw-bench-concurrency-{}.toml", label.len()));
        std::fs::write(&config, table).expect("config written");
        Contender {
            label,
            start: Box::new(move |port| {
                tokio::process::Command::new(&apigw)
                    .current_dir(&repo)
                    .args(["-q", "serve", "--no-watch", "--release", "--port", &port.to_string()])
                    .arg("--config")
                    .arg(&config)
                    .stderr(std::process::Stdio::null())
                    .kill_on_drop(true)
                    .spawn()
                    .expect("cargo-apigw starts")
            }),
        }
    };
    let offline = {
        let node = node.clone();
        Contender {
            label: "serverless-offline (Node 200 ms sleep)",
            start: Box::new(move |port| offline(&node, &serverless, port)),
        }
    };
    let contenders = [
        serve("apigw serve, Tencent (max_instances = 16)", TENCENT),
        serve("apigw serve, Alibaba (instance_concurrency = 16)", ALIYUN),
        offline,
    ];
    let ideal = CLIENTS as f64 / SLEEP.as_secs_f64();
    let mut results: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
    for round in 0..rounds {
        for (i, c) in contenders.iter().enumerate() {
            let port = free_port();
            let mut child = (c.start)(port);
            let rate = measure(port, Duration::from_secs(seconds)).await;
            let _ = child.kill().await;
            eprintln!("round {round} {}: {rate:.1}/s ({:.3} of ideal)", c.label, rate / ideal);
            results[i].push(rate);
        }
    }
    println!(
        "{CLIENTS} clients × {} ms handler, {seconds} s per round × {rounds} rounds, medians over rounds; ideal {ideal:.0}/s\n",
        SLEEP.as_millis()
    );
    println!("| contender | requests/s | × ideal | rounds' range × ideal |");
    println!("|---|---|---|---|");
    for (c, r) in contenders.iter().zip(&results) {
        let (lo, hi) = r.iter().fold((f64::MAX, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let rate = median(r.iter().copied());
        println!("| {} | {rate:.1} | {:.3} | {:.3}–{:.3} |", c.label, rate / ideal, lo / ideal, hi / ideal);
    }
}

const TENCENT: &str = "[function]\nexample = \"echo\"\nprovider = \"tencent\"\nmax_instances = 16\n";
const ALIYUN: &str =
    "[function]\nexample = \"echo\"\nprovider = \"aliyun\"\ninstance_concurrency = 16\nmax_instances = 1\n";

/// serverless-offline on `port`, its Lambda port beside it, no AWS account.
fn offline(node: &Path, serverless: &PathBuf, port: u16) -> tokio::process::Child {
    tokio::process::Command::new(serverless)
        .current_dir(node)
        .args(["offline", "start", "--noAuth", "--noPrependStageInUrl", "--host", "127.0.0.1"])
        .args(["--httpPort", &port.to_string(), "--lambdaPort", &free_port().to_string()])
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("SLS_TELEMETRY_DISABLED", "1")
        .env("SLS_NOTIFICATIONS_MODE", "off")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("serverless starts")
}

/// Requests per second from `CLIENTS` keep-alive clients over `window`,
/// after each client's first two requests (cold starts) are done.
async fn measure(port: u16, window: Duration) -> f64 {
    wait_for(port).await;
    let warm = std::sync::Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let warm = warm.clone();
        clients.spawn(async move {
            let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connects");
            let _ = stream.set_nodelay(true);
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
            tokio::spawn(conn);
            let mut send = async move || {
                let req = hyper::Request::get(format!("/?sleep_ms={}", SLEEP.as_millis()))
                    .header("host", "localhost")
                    .body(Empty::<Bytes>::new())
                    .expect("a request");
                sender.ready().await.expect("the connection stays open");
                let res = sender.send_request(req).await.expect("a response");
                assert_eq!(res.status(), 200, "the handler answered");
                let _ = res.into_body().collect().await;
            };
            for _ in 0..2 {
                send().await;
            }
            warm.wait().await;
            let (started, mut done) = (Instant::now(), 0u32);
            while started.elapsed() < window {
                send().await;
                done += 1;
            }
            (done, started.elapsed())
        });
    }
    let mut total = 0.0;
    while let Some(r) = clients.join_next().await {
        let (done, took) = r.expect("a client ran");
        total += f64::from(done) / took.as_secs_f64();
    }
    total
}

async fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "port {port} never opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
