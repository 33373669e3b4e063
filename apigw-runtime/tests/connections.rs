//! What one client can hold of the runtime's own HTTP servers (Alibaba's
//! `/invoke` and web functions): slow heads and idle connections are cut
//! off, a declared oversize body is refused before `100 Continue`, a
//! half-closed client is answered, and the connection cap keeps service
//! for a new request. Raw TCP on 127.0.0.1, every wait bounded.

mod common;

use apigw_runtime::events::IntegrationResponse;
use apigw_runtime::{Config, Provider, Request, Runtime};
use common::listener;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Answers after 200 ms, so a client's half-close arrives while it runs.
async fn hello(_req: Request) -> Result<IntegrationResponse, Infallible> {
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(IntegrationResponse::text("hi"))
}

/// A server for `provider` with a 300 ms head timeout, events up to 1,000
/// bytes, and at most 64 connections.
fn start(provider: Provider) -> SocketAddr {
    start_with(provider, 64, Duration::from_millis(300))
}

fn start_with(provider: Provider, max_connections: usize, header_timeout: Duration) -> SocketAddr {
    let (l, addr) = listener();
    // Alibaba's `FC Invoke` lines through `print!`, kept by the test harness.
    let mut config = Config::new(provider).with_platform_log(|line| print!("{line}"));
    config.connections.header_timeout = Some(header_timeout);
    config.connections.max_connections = max_connections;
    config.max_event_bytes = 1000;
    tokio::spawn(Runtime::new(config).with_listener(l).run(hello));
    addr
}

/// Reads until the server closes the connection or `within` passes;
/// returns what arrived and whether (and when) it closed.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (Vec<u8>, Option<Duration>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (got, Some(started.elapsed())),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (got, None),
        }
    }
}

const WEB_GET: &[u8] = b"GET /hi HTTP/1.1\r\nhost: x\r\n\r\n";
/// An Alibaba `/invoke` call carrying a minimal event.
const INVOKE: &[u8] =
    b"POST /invoke HTTP/1.1\r\nhost: x\r\nx-fc-request-id: r-1\r\ncontent-length: 68\r\n\r\n\
    {\"path\":\"/\",\"httpMethod\":\"GET\",\"headers\":{},\"isBase64Encoded\":false}";

#[tokio::test]
async fn a_head_sent_one_byte_at_a_time_is_cut_off_at_the_timeout() {
    for provider in [Provider::Web, Provider::Aliyun] {
        let addr = start(provider);
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let started = Instant::now();
        let mut closed = None;
        for byte in b"POST /invoke HTTP/1.1\r\nhost: x\r\nx-slow: ".iter().cycle().take(40) {
            if stream.write_all(&[*byte]).await.is_err() {
                closed = Some(started.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut probe = [0u8; 64];
            if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await {
                closed = Some(started.elapsed());
                break;
            }
        }
        let closed = closed.unwrap_or_else(|| panic!("{provider:?}: still open after 2 s of trickled head"));
        assert!(
            closed >= Duration::from_millis(250) && closed < Duration::from_millis(1500),
            "{provider:?}: {closed:?}"
        );
    }
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_timeout() {
    let addr = start(Provider::Web);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(WEB_GET).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
    let closed = closed.expect("the idle connection is closed");
    assert!(closed >= Duration::from_millis(250), "{closed:?}");
}

#[tokio::test]
async fn a_declared_oversize_body_is_refused_without_100_continue() {
    for (provider, path, status) in [(Provider::Web, "/hi", "413"), (Provider::Aliyun, "/invoke", "404")] {
        let addr = start(provider);
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nx-fc-request-id: r-2\r\ncontent-length: 7000000\r\nexpect: 100-continue\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let (got, _) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with(&format!("HTTP/1.1 {status}")), "{provider:?}: {text}");
        assert!(!text.contains("100 Continue"), "{provider:?}: {text}");
        assert!(text.contains("event larger than 1000 bytes"), "{provider:?}: {text}");
    }
}

#[tokio::test]
async fn a_client_that_half_closes_after_its_request_gets_the_answer() {
    for (provider, request) in [(Provider::Web, WEB_GET), (Provider::Aliyun, INVOKE)] {
        let addr = start(provider);
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        stream.shutdown().await.unwrap();
        let (got, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 200"), "{provider:?}: {text}");
        assert!(closed.is_some(), "{provider:?}: closed after the answer");
    }
}

#[tokio::test]
async fn at_the_connection_cap_the_oldest_close_and_a_new_request_is_served() {
    // A head timeout long enough that only the cap closes anything.
    let addr = start_with(Provider::Web, 4, Duration::from_secs(30));
    let mut idle = Vec::new();
    for _ in 0..10 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let mut fresh = TcpStream::connect(addr).await.unwrap();
    fresh.write_all(WEB_GET).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), fresh.read(&mut buf)).await.unwrap().unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    let mut closed = 0;
    for stream in &mut idle {
        let (_, at) = read_until_closed(stream, Duration::from_millis(200)).await;
        closed += usize::from(at.is_some());
    }
    assert!(closed >= 7, "the oldest idle connections were closed: {closed} of 10");
}
