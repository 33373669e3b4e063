//! The local gateway's added latency: the same handler reached directly as a
//! web function, and through `cargo apigw serve` (web and Tencent modes),
//! with sequential keep-alive requests from this process.

use crate::{median, micros, percentile, sibling};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::path::Path;
use std::time::{Duration, Instant};

const WARM_UP: usize = 200;

struct Measured {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

pub async fn run(apigw: &Path, n: usize, rounds: usize) {
    let bench_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let modes = ["direct (web function)", "gateway → web function", "gateway → Tencent runtime API"];
    let mut results: Vec<Vec<Measured>> = (0..modes.len()).map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for (i, mode) in modes.iter().enumerate() {
            let port = free_port();
            let mut child = match i {
                0 => tokio::process::Command::new(sibling("apigw-hello"))
                    .env_clear()
                    .env("APIGW_PROVIDER", "web")
                    .env("FC_SERVER_PORT", port.to_string())
                    .env("APIGW_LISTEN_IP", "127.0.0.1")
                    .kill_on_drop(true)
                    .spawn()
                    .expect("apigw-hello starts"),
                _ => {
                    let config = std::env::temp_dir().join(format!("apigw-bench-{i}.toml"));
                    let provider = if i == 1 { "web" } else { "tencent" };
                    std::fs::write(&config, format!("[function]\nprovider = \"{provider}\"\n"))
                        .expect("config written");
                    tokio::process::Command::new(apigw)
                        .current_dir(bench_dir.join("contenders"))
                        .args(["-q", "serve", "--no-watch", "--release", "--bin", "apigw-hello", "--port"])
                        .arg(port.to_string())
                        .arg("--config")
                        .arg(&config)
                        .stderr(std::process::Stdio::null())
                        .kill_on_drop(true)
                        .spawn()
                        .expect("cargo-apigw starts")
                }
            };
            let m = measure(port, n).await;
            let _ = child.kill().await;
            eprintln!(
                "round {round} {mode}: {:.0}/s p50 {:.1}µs p99 {:.1}µs",
                m.per_second,
                micros(m.p50),
                micros(m.p99)
            );
            results[i].push(m);
        }
    }
    println!(
        "{n} sequential keep-alive requests × {rounds} rounds (after {WARM_UP} warm-up), medians over rounds\n"
    );
    println!(
        "| path | requests/s | p50 µs | p99 µs | p50 added over direct µs | same, paired per round µs |"
    );
    println!("|---|---|---|---|---|---|");
    let direct = median(results[0].iter().map(|m| m.p50));
    for (i, mode) in modes.iter().enumerate() {
        let rate = median(results[i].iter().map(|m| m.per_second));
        let p50 = median(results[i].iter().map(|m| m.p50));
        let p99 = median(results[i].iter().map(|m| m.p99));
        // Each round's difference from the direct run beside it, then the
        // median: drifts in the machine's speed between rounds cancel out.
        let paired = median(results[i].iter().zip(&results[0]).map(|(m, d)| micros(m.p50) - micros(d.p50)));
        println!(
            "| {mode} | {rate:.0} | {:.1} | {:.1} | {:+.1} | {:+.1} |",
            micros(p50),
            micros(p99),
            micros(p50) - micros(direct),
            paired
        );
    }
}

async fn measure(port: u16, n: usize) -> Measured {
    let deadline = Instant::now() + Duration::from_secs(300);
    let stream = loop {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("port {port} never opened: {e}"),
        }
    };
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(conn);
    let mut latencies = Vec::with_capacity(n);
    let mut started = Instant::now();
    for i in 0..WARM_UP + n {
        if i == WARM_UP {
            started = Instant::now();
        }
        let req = hyper::Request::get("/?name=bench")
            .header("host", "localhost")
            .body(Empty::<Bytes>::new())
            .expect("a request");
        let t = Instant::now();
        sender.ready().await.expect("the connection stays open");
        let res = sender.send_request(req).await.expect("a response");
        assert_eq!(res.status(), 200);
        let _ = res.into_body().collect().await;
        if i >= WARM_UP {
            latencies.push(t.elapsed());
        }
    }
    let total = started.elapsed();
    latencies.sort();
    Measured {
        per_second: n as f64 / total.as_secs_f64(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
