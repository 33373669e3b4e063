//! The servers as processes: a function's own HTTP server started under a
//! low open-file limit, as a platform or a small container would start it
//! (idle connections that use up every descriptor do not stop service; a
//! real request is answered once the server frees one, and the warning
//! names the limit), and `serve` logging a request whose client left.

use apigw_bundle::cargo::{Target, build};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the process by pid when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One `GET /` on a fresh connection; the status line, or the error.
fn get(addr: SocketAddr) -> Result<String, std::io::Error> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(b"GET /?status=200 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned())
}

#[test]
fn a_web_function_at_its_open_file_limit_frees_a_descriptor_and_answers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let exe = build(root, &Target { example: Some("echo".into()), ..Target::default() }).unwrap();
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let log = std::env::temp_dir().join(format!("apigw-descriptors-{}.log", std::process::id()));
    // 32 descriptors; no cap of its own below that, so accept itself fails.
    let server = Command::new("sh")
        .args(["-c", "ulimit -n 32 && exec \"$0\""])
        .arg(&exe)
        .env("APIGW_PROVIDER", "web")
        .env("FC_SERVER_PORT", port.to_string())
        .env("APIGW_LISTEN_IP", "127.0.0.1")
        .env("APIGW_MAX_CONNECTIONS", "1000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let _server = Running(server);
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(addr).is_err() {
        assert!(Instant::now() < deadline, "the function did not start listening on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // More idle connections than the server has descriptors for.
    let idle: Vec<TcpStream> = (0..60).filter_map(|_| TcpStream::connect(addr).ok()).collect();
    assert!(idle.len() >= 40, "the kernel queued the connections: {}", idle.len());
    let started = Instant::now();
    let answered = loop {
        if let Ok(line) = get(addr)
            && line.starts_with("HTTP/1.1 200")
        {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no answer while the idle connections stay open"
        );
    };
    assert!(answered < Duration::from_secs(15), "{answered:?}");
    let warning = std::fs::read_to_string(&log).unwrap();
    assert!(warning.contains("at its open-file limit (32"), "{warning}");
    drop(idle);
    assert!(get(addr).unwrap().starts_with("HTTP/1.1 200"));
}

#[test]
fn serve_logs_a_request_whose_client_left_before_the_answer() {
    // A backend that answers after two seconds.
    let backend = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let backend_addr = backend.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in backend.incoming().take(4).flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                std::thread::sleep(Duration::from_secs(2));
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            });
        }
    });
    let dir = std::env::temp_dir().join(format!("apigw-abandoned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("apigw.toml"),
        format!("[[routes]]\npath = \"=/slow\"\nbackend = \"http\"\nhttp = {{ url = \"http://{backend_addr}\", path = \"/\" }}\n"),
    )
    .unwrap();
    let port = free_port();
    let log = dir.join("serve.log");
    let serve = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(&dir)
        .args(["serve", "--no-watch", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let _serve = Running(serve);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "serve did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The client goes away for good mid-request: its connection resets.
    // (One that only shuts its sending side is half-closed, and answered.)
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use tokio::io::AsyncWriteExt;
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET /release/slow HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        stream.set_zero_linger().unwrap();
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let line = loop {
        let text = std::fs::read_to_string(&log).unwrap();
        if let Some(line) = text.lines().find(|l| l.contains("abandoned")) {
            break line.to_owned();
        }
        assert!(Instant::now() < deadline, "no abandoned line in:\n{text}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(line.starts_with("GET /release/slow "), "{line}");
    assert!(line.contains("abandoned: its answer could not be written"), "{line}");
    assert!(line.ends_with("the client is gone"), "{line}");
}
