//! What one client can hold of the local gateway: a trickled head and an
//! idle kept-alive connection are cut off, an oversize declared body is
//! refused before `100 Continue`, and a client that half-closes after its
//! request still gets the answer. Raw TCP on 127.0.0.1, every wait bounded.

use apigw_gateway::{Gateway, GatewayConfig, LogSink};
use apigw_runtime::connections::ConnectionLimits;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// An HTTP backend that answers `slow` after 300 ms, so a client's
/// half-close arrives while the gateway waits for it.
async fn slow_backend() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                tokio::time::sleep(Duration::from_millis(300)).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nslow")
                    .await;
            });
        }
    });
    addr
}

/// The gateway with a mock route and a route to `slow_backend`, served with
/// a 300 ms head timeout.
async fn gateway() -> SocketAddr {
    let backend = slow_backend().await;
    let toml = format!(
        "[[routes]]\npath = \"=/mock\"\nbackend = \"mock\"\nmock = {{ body = \"ok\" }}\n\
         [[routes]]\npath = \"=/slow\"\nbackend = \"http\"\nhttp = {{ url = \"http://{backend}\", path = \"/\" }}\n"
    );
    let gateway = Arc::new(Gateway::new(GatewayConfig::parse(&toml, "apigw.toml").unwrap(), None));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ConnectionLimits { header_timeout: Some(Duration::from_millis(300)), max_connections: 64 };
    // The access log through `eprint!`, which the test harness keeps.
    let log = LogSink::to(|bytes| eprint!("{}", String::from_utf8_lossy(bytes)));
    tokio::spawn(async move { apigw_gateway::server::serve_logged(listener, gateway, &limits, log).await });
    addr
}

/// Reads until the gateway closes the connection or `within` passes.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, Option<Duration>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into(), Some(started.elapsed())),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into(), None),
        }
    }
}

#[tokio::test]
async fn a_trickled_head_is_cut_off_at_the_timeout() {
    let addr = gateway().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let mut closed = None;
    for byte in b"GET /mock HTTP/1.1\r\nx-slow: ".iter().cycle().take(40) {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = Some(started.elapsed());
            break;
        }
        let mut probe = [0u8; 64];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(50), stream.read(&mut probe)).await {
            closed = Some(started.elapsed());
            break;
        }
    }
    let closed = closed.expect("still open after 2 s of trickled head");
    assert!(closed >= Duration::from_millis(250) && closed < Duration::from_millis(1500), "{closed:?}");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let addr = gateway().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /release/mock HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
    assert!(closed.expect("closed when idle") >= Duration::from_millis(250));
}

#[tokio::test]
async fn expect_100_continue_with_an_oversize_length_is_413_without_continue() {
    let addr = gateway().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head =
        "POST /release/mock HTTP/1.1\r\nhost: x\r\ncontent-length: 7000000\r\nexpect: 100-continue\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let (got, _) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
    assert!(got.starts_with("HTTP/1.1 413"), "{got}");
    assert!(!got.contains("100 Continue"), "{got}");
    assert!(got.to_ascii_lowercase().contains("x-api-requestid:"), "{got}");
}

#[tokio::test]
async fn a_client_that_half_closes_after_its_request_gets_the_answer() {
    let addr = gateway().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /release/slow HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    stream.shutdown().await.unwrap();
    let (got, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(got.ends_with("slow"), "{got}");
    assert!(closed.is_some());
}
