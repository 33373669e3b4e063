//! `serve` and `invoke` stop every function process they started on
//! SIGINT, SIGTERM and SIGHUP, and a killed `serve` leaves none behind;
//! `serve` reloads `apigw.toml` live. Function processes are found by pid:
//! the children of the command's own pid.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A started command, killed (by pid) if the test ends before it does.
struct Started {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, args: &[&str]) -> Started {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Started { child, lines }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The pids whose parent is `parent`, from /proc.
fn children(parent: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(parent) {
            found.push(pid);
        }
    }
    found
}

/// Whether `pid` runs (a zombie does not).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}

fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what} within {within:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn send(pid: u32, signal: rustix::process::Signal) {
    rustix::process::kill_process(rustix::process::Pid::from_raw(pid as i32).unwrap(), signal).unwrap();
}

fn get(port: u16, path: &str) -> String {
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(conn, "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = conn.read_to_string(&mut out);
    out
}

/// `serve --example echo`, warm: its one function process.
fn serve_warm(port: u16) -> (Started, u32) {
    let serve =
        start(&workspace(), &["-q", "serve", "--no-watch", "--example", "echo", "--port", &port.to_string()]);
    wait_until("serve listens", Duration::from_secs(120), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(get(port, "/").starts_with("HTTP/1.1 200"));
    let function = children(serve.child.id());
    assert_eq!(function.len(), 1, "one function process: {function:?}");
    (serve, function[0])
}

#[test]
fn stop_signals_to_serve_stop_its_functions() {
    use rustix::process::Signal;
    for (signal, code) in [(Signal::TERM, 143), (Signal::INT, 130), (Signal::HUP, 129)] {
        let port = free_port();
        let (mut serve, function) = serve_warm(port);
        send(serve.child.id(), signal);
        let status = serve.child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{signal:?}");
        wait_until("the function process is gone", Duration::from_secs(5), || !running(function));
    }
}

#[test]
fn a_killed_serve_leaves_no_function_behind() {
    let port = free_port();
    let (mut serve, function) = serve_warm(port);
    send(serve.child.id(), rustix::process::Signal::KILL);
    let _ = serve.child.wait();
    wait_until("the orphaned function exits", Duration::from_secs(5), || !running(function));
}

#[test]
fn a_stop_signal_to_invoke_stops_the_function() {
    let invoke = start(&workspace(), &["-q", "invoke", "--example", "echo", "/?sleep_ms=30000"]);
    let mut invoke = invoke;
    let mut function = Vec::new();
    wait_until("invoke starts the function", Duration::from_secs(120), || {
        function = children(invoke.child.id());
        !function.is_empty()
    });
    std::thread::sleep(Duration::from_millis(300));
    send(invoke.child.id(), rustix::process::Signal::TERM);
    let status = invoke.child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    for pid in function {
        wait_until("the function process is gone", Duration::from_secs(5), || !running(pid));
    }
}

#[test]
fn serve_reloads_its_config_and_keeps_it_when_an_edit_is_broken() {
    let dir = std::env::temp_dir().join(format!("apigw-lifecycle-reload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mock = |path: &str, body: &str| {
        format!(
            "[[routes]]\npath = \"{path}\"\nmethod = \"GET\"\nbackend = \"mock\"\nmock = {{ body = \"{body}\" }}\n"
        )
    };
    std::fs::write(dir.join("apigw.toml"), mock("=/one", "first")).unwrap();
    let port = free_port();
    let serve = start(&dir, &["serve", "--port", &port.to_string()]);
    wait_until("serve listens", Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let mut log = Vec::new();
    let read_until = |want: &str, log: &mut Vec<String>| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if log.iter().any(|l: &String| l.contains(want)) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match serve.lines.recv_timeout(left) {
                Ok(line) => log.push(line),
                Err(e) => panic!("{e}: no `{want}` in {log:#?}"),
            }
        }
    };
    read_until("GET     =/one  tencent  mock 200", &mut log);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.join("apigw.toml"), mock("=/two", "second")).unwrap();
    read_until("reloaded apigw.toml", &mut log);
    assert!(get(port, "/two").ends_with("second"), "the new route is live");
    assert!(get(port, "/one").starts_with("HTTP/1.1 404"), "the old one is gone");
    std::fs::write(dir.join("apigw.toml"), "[[routes]]\npath = \"=/two\"\nmethod = \"FETCH\"\n").unwrap();
    read_until("still serving the previous configuration", &mut log);
    let error = log.iter().find(|l| l.contains("previous configuration")).unwrap();
    assert!(error.contains("apigw.toml:3: `routes[0].method`"), "{error}");
    assert!(get(port, "/two").ends_with("second"), "the running configuration stays");
    // A 404 whose path another method takes says so.
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(conn, "POST /two HTTP/1.1\r\nhost: l\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    read_until("but the path matches GET =/two", &mut log);
    drop(serve);
    let _ = std::fs::remove_dir_all(&dir);
}
