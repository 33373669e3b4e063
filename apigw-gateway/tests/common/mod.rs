//! Test support: the examples built once, a gateway served on 127.0.0.1,
//! and a small HTTP client.
#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod sign;
pub mod vendor;

use apigw_bundle::cargo::{Target, build};
use apigw_gateway::config::Provider;
use apigw_gateway::{Function, FunctionSpec, Gateway, GatewayConfig, LogSink};
use apigw_runtime::connections::ConnectionLimits;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The example's executable, built with cargo once per test process.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(exe) = built.get(name) {
        return exe.clone();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let target = Target { example: Some(name.to_owned()), ..Target::default() };
    let exe = build(&root, &target).unwrap_or_else(|e| panic!("building {name}: {e}"));
    built.insert(name.to_owned(), exe.clone());
    exe
}

/// The access log and the functions' output, through `eprint!`: the test
/// harness keeps it with each test's own output and shows it only when the
/// test fails (stderr written directly is never captured).
pub fn log() -> LogSink {
    LogSink::to(|bytes| eprint!("{}", String::from_utf8_lossy(bytes)))
}

/// `spec` for `example`, its output to [`log`].
pub fn spec(example_name: &str, provider: Provider) -> FunctionSpec {
    let mut spec = FunctionSpec::new(example(example_name), provider, example_name);
    spec.env = vec![("RUST_LOG".into(), "warn".into())];
    spec.log = log();
    spec
}

pub fn function(example_name: &str, provider: Provider) -> Arc<Function> {
    Arc::new(Function::new(spec(example_name, provider)))
}

/// A gateway for `toml` with `example` behind it, served on 127.0.0.1.
pub async fn serve(toml: &str, example_name: Option<(&str, Provider)>) -> (SocketAddr, Arc<Gateway>) {
    let config = GatewayConfig::parse(toml, "apigw.toml").unwrap();
    let function = example_name.map(|(n, p)| function(n, p));
    let gateway = Arc::new(Gateway::new(config, function));
    (serve_gateway(gateway.clone()).await, gateway)
}

/// Serves `gateway` on 127.0.0.1, its access log to [`log`].
pub async fn serve_gateway(gateway: Arc<Gateway>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        apigw_gateway::server::serve_logged(listener, gateway, &ConnectionLimits::default(), log()).await
    });
    addr
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The echo example's view of the request it received.
    pub fn seen(&self) -> serde_json::Value {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        self.json()
    }
}

/// One request over real HTTP on a fresh connection.
pub async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder().method(method).uri(path).header("host", "gw.local");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = sender.send_request(req.body(Full::new(Bytes::copy_from_slice(body))).unwrap()).await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Response { status, headers, body }
}

pub async fn get(addr: SocketAddr, path: &str) -> Response {
    call(addr, "GET", path, &[], b"").await
}

/// An HTTP backend on 127.0.0.1 that answers `reached` and counts the
/// connections made to it.
pub async fn counting_backend() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut reader = tokio::io::BufReader::new(stream);
                let mut length = 0;
                let mut line = String::new();
                for _ in 0..200 {
                    line.clear();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line.trim_end().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body).await;
                let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nreached";
                let _ = reader.get_mut().write_all(reply).await;
            });
        }
    });
    (addr, count)
}
