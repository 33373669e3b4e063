//! The soak: N requests through `cargo apigw serve` in front of the `echo`
//! example, with 10% panics, 10% function timeouts and 10% malformed
//! responses mixed in (and one process exit in a thousand). Every request
//! must get its documented status; the handler process must restart exactly
//! when it exits; resident memory of the gateway and the handler is sampled
//! every tenth of the run.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ok,
    Panic,
    Timeout,
    Malformed,
    Exit,
}

impl Kind {
    fn of(i: usize) -> Kind {
        match i % 1000 {
            999 => Kind::Exit,
            _ => match i % 10 {
                0 => Kind::Panic,
                1 => Kind::Timeout,
                2 => Kind::Malformed,
                _ => Kind::Ok,
            },
        }
    }
    fn path(self, i: usize) -> String {
        match self {
            Kind::Ok => format!("/items/{i}?n={i}"),
            Kind::Panic => "/?panic=1".into(),
            Kind::Timeout => "/?sleep_ms=200".into(),
            Kind::Malformed => "/?malformed=1".into(),
            Kind::Exit => "/?exit=1".into(),
        }
    }
    /// The documented status, and a piece the body must hold.
    fn expected(self) -> (u16, &'static str) {
        match self {
            Kind::Ok => (200, "\"method\":\"GET\""),
            Kind::Panic => (502, "handler panicked"),
            Kind::Timeout => (200, "Invoking task timed out"),
            Kind::Malformed => (403, "Invalid scf response format"),
            Kind::Exit => (502, "exited"),
        }
    }
}

pub async fn run(apigw: &Path, repo: &Path, n: usize) {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a port").port();
    let mut gateway = tokio::process::Command::new(apigw)
        .current_dir(repo)
        .args(["serve", "--no-watch", "--release", "--example", "echo", "--timeout", "20ms", "--port"])
        .arg(port.to_string())
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("cargo-apigw starts");
    let gateway_pid = gateway.id().unwrap_or(0);
    // Count cold starts from the gateway's log.
    let stderr = gateway.stderr.take().expect("piped");
    let cold_starts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    {
        let cold_starts = cold_starts.clone();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("cold start") {
                    cold_starts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
    }
    let mut sender = connect(port).await;
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut wrong = Vec::new();
    let mut rss = Vec::new();
    let started = Instant::now();
    for i in 0..n {
        let kind = Kind::of(i);
        let req = hyper::Request::get(kind.path(i))
            .header("host", "localhost")
            .body(Empty::<Bytes>::new())
            .expect("a request");
        if sender.ready().await.is_err() {
            sender = connect(port).await;
        }
        let (status, body) = match sender.send_request(req).await {
            Ok(res) => {
                let status = res.status().as_u16();
                (status, res.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default())
            }
            Err(e) => {
                wrong.push(format!("#{i} {kind:?}: no response: {e}"));
                sender = connect(port).await;
                continue;
            }
        };
        let (want, piece) = kind.expected();
        let body = String::from_utf8_lossy(&body);
        if status != want || !body.contains(piece) {
            wrong.push(format!("#{i} {kind:?}: {status} {}", body.chars().take(200).collect::<String>()));
        }
        *counts.entry(format!("{kind:?} → {status}")).or_default() += 1;
        // Mid-tenth: away from the exits, which fall at the end of each thousand.
        let tenth = (n / 10).max(1);
        if i % tenth == tenth / 2 {
            let handler = children(gateway_pid).into_iter().map(crate::rss_kb).sum::<u64>();
            rss.push((i + 1, crate::rss_kb(gateway_pid), handler));
        }
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = gateway.kill().await;
    // An exit followed by another request means one more cold start.
    let exits = (0..n.saturating_sub(1)).filter(|i| Kind::of(*i) == Kind::Exit).count();
    let colds = cold_starts.load(std::sync::atomic::Ordering::Relaxed);
    println!("{n} requests in {:.1} s ({:.0}/s)\n", elapsed.as_secs_f64(), n as f64 / elapsed.as_secs_f64());
    println!("| request kind → status | count |\n|---|---|");
    for (k, c) in &counts {
        println!("| {k} | {c} |");
    }
    println!(
        "\nanswered with the documented status: {} of {n}; wrong or lost: {}",
        n - wrong.len(),
        wrong.len()
    );
    for w in wrong.iter().take(10) {
        println!("  {w}");
    }
    println!(
        "handler cold starts: {colds} (expected {}: the first, and one after each of the {exits} exits another request followed)",
        exits + 1
    );
    println!("\n| at request | gateway RSS MB | handler RSS MB |\n|---|---|---|");
    for (at, g, h) in &rss {
        println!("| {at} | {:.2} | {:.2} |", *g as f64 / 1024.0, *h as f64 / 1024.0);
    }
    if let (Some(first), Some(last)) = (rss.first(), rss.last()) {
        let growth = |a: u64, b: u64| (b as f64 - a as f64) / (a.max(1) as f64) * 100.0;
        println!(
            "\ngrowth, first tenth to last: gateway {:+.1}%, handler {:+.1}%",
            growth(first.1, last.1),
            growth(first.2, last.2)
        );
    }
}

async fn connect(port: u16) -> hyper::client::conn::http1::SendRequest<Empty<Bytes>> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Ok(stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let _ = stream.set_nodelay(true);
            let (sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
            tokio::spawn(conn);
            return sender;
        }
        assert!(Instant::now() < deadline, "the gateway never opened port {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The processes whose parent is `pid`, read from every `/proc/<pid>/stat`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(procs) = std::fs::read_dir("/proc") else { return Vec::new() };
    procs
        .flatten()
        .filter_map(|p| p.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            // The parent pid is the second field after the `(name)`.
            stat.rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse().ok())
                == Some(pid)
        })
        .collect()
}
