//! The built `cargo-apigw` binary, driven as an author would drive it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn apigw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-apigw")).current_dir(dir).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigw-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn invoke_prints_the_response_like_curl_i() {
    let out = apigw(&workspace(), &["-q", "invoke", "--example", "hello", "/?name=ada"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let lines: Vec<&str> = head.split("\r\n").collect();
    assert_eq!(lines[0], "HTTP/1.1 200 OK");
    assert!(lines.contains(&"content-type: application/json"), "{lines:?}");
    assert!(lines.contains(&"content-length: 15"), "{lines:?}");
    assert_eq!(body, "{\"hello\":\"ada\"}\n");
}

#[test]
fn invoke_as_a_cargo_subcommand_drops_the_apigw_argument() {
    let out = apigw(&workspace(), &["apigw", "-q", "invoke", "--example", "hello", "/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("{\"hello\":\"world\"}\n"));
}

#[test]
fn fail_exits_22_on_an_error_status_and_0_without_it() {
    let out = apigw(&workspace(), &["-q", "invoke", "--example", "echo", "--fail", "/?status=404"]);
    assert_eq!(out.status.code(), Some(22));
    assert!(stdout(&out).starts_with("HTTP/1.1 404 Not Found\r\n"));
    let out = apigw(&workspace(), &["-q", "invoke", "--example", "echo", "/?status=404"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn invoke_with_a_raw_event_skips_the_front_door() {
    let dir = temp_dir("event");
    let event = dir.join("event.json");
    let fixture = workspace().join("apigw-events/fixtures/tencent-apigw-event-trigger.json");
    std::fs::copy(fixture, &event).unwrap();
    let out =
        apigw(&workspace(), &["-q", "invoke", "--example", "echo", "--event", event.to_str().unwrap(), "/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let body = stdout(&out);
    let json: serde_json::Value = serde_json::from_str(body.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(json["path"], "/test/value", "the fixture's event, not one from the path argument");
    assert_eq!(json["headerParameters"]["Refer"], "10.0.2.14");
}

#[test]
fn event_prints_what_the_gateway_would_send() {
    let dir = temp_dir("event-cmd");
    std::fs::write(dir.join("apigw.toml"), "[[routes]]\npath = \"/users/{id}\"\nmethod = \"POST\"\n")
        .unwrap();
    let out =
        apigw(&dir, &["event", "-X", "POST", "-H", "X-Trace: 1", "-d", "{\"a\":1}", "/test/users/7?q=x"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let event: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(event["requestContext"]["path"], "/users/{id}");
    assert_eq!(event["requestContext"]["httpMethod"], "POST");
    assert_eq!(event["requestContext"]["stage"], "test");
    assert_eq!(event["pathParameters"]["id"], "7");
    assert_eq!(event["queryString"]["q"], "x");
    assert_eq!(event["headers"]["x-trace"], "1");
    assert_eq!(event["body"], "{\"a\":1}");
    let out = apigw(&dir, &["event", "--provider", "aliyun", "-X", "POST", "/users/7"]);
    let event: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(event.get("queryParameters").is_some() && event.get("requestContext").is_none());
}

#[test]
fn event_and_invoke_speak_function_urls() {
    let dir = temp_dir("function-url");
    let out = apigw(&dir, &["event", "--flavour", "function-url", "-d", "hi", "/release/a?debug"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let event: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut keys: Vec<&str> = event.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["body", "headers", "httpMethod", "path", "queryString"]);
    assert_eq!(event["path"], "/release/a");
    assert_eq!(event["queryString"]["debug"], true);
    assert_eq!(event["headers"]["x-scf-remote-addr"], "127.0.0.1");
    assert!(event["headers"]["x-scf-request-id"].is_string());
    // `--provider tencent` keeps a configured function URL one.
    std::fs::write(dir.join("apigw.toml"), "[[routes]]\npath = \"/\"\nflavour = \"function-url\"\n").unwrap();
    let out = apigw(&dir, &["event", "--provider", "tencent", "/"]);
    let event: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(event.get("requestContext").is_none(), "{event}");

    let out = apigw(
        &workspace(),
        &["-q", "invoke", "--example", "echo", "--flavour", "function-url", "/release/b"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let body = stdout(&out);
    let seen: serde_json::Value = serde_json::from_str(body.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(
        (seen["path"].as_str(), seen["frontDoor"].as_str()),
        (Some("/release/b"), Some("FunctionUrl"))
    );
}

#[test]
fn a_bad_config_names_the_file_line_and_field() {
    let dir = temp_dir("bad-config");
    std::fs::write(
        dir.join("apigw.toml"),
        "[[routes]]\npath = \"/x\"\n\n[[routes]]\npath = \"/y\"\nmethod = \"FETCH\"\n",
    )
    .unwrap();
    let out = apigw(&dir, &["event", "/x"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "error: apigw.toml:6: `routes[1].method` = \"FETCH\": expected one of ANY, GET, HEAD, POST, PUT, DELETE"
    );
    std::fs::write(dir.join("apigw.toml"), "[[routes]]\npath = \"/x\"\ntimeout = \"3s\"\n").unwrap();
    let out = apigw(&dir, &["event", "/x"]);
    let err = stderr(&out);
    assert!(err.starts_with("error: apigw.toml:3: unknown field `timeout`"), "{err}");
}

#[test]
fn several_binaries_without_a_choice_are_listed() {
    let out = apigw(&workspace(), &["invoke", "/"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("several binaries, pick one with --bin or --example"), "{err}");
    assert!(err.contains("hello") && err.contains("echo") && err.contains("cargo-apigw"), "{err}");
    let out = apigw(&workspace(), &["invoke", "--example", "nope", "/"]);
    assert!(stderr(&out).contains("no example `nope`"), "{}", stderr(&out));
}

#[test]
fn serve_on_a_port_in_use_says_so() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = temp_dir("port");
    std::fs::write(
        dir.join("apigw.toml"),
        "[[routes]]\npath = \"/\"\nbackend = \"mock\"\nmock = { body = \"x\" }\n",
    )
    .unwrap();
    let out = apigw(&dir, &["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&format!("cannot listen on 127.0.0.1:{port}")), "{}", stderr(&out));
}

#[test]
fn a_failed_build_shows_cargo_output_and_exits_1() {
    let dir = temp_dir("broken");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"broken\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() { let x: u32 = \"no\"; }\n").unwrap();
    let out = apigw(&dir, &["invoke", "/"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("mismatched types"), "cargo's own output is shown: {err}");
    assert!(err.contains("error: the build failed"), "{err}");
}

/// One request with `connection: close`; the whole raw response.
fn raw_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    write!(conn, "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    conn.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_writes_one_access_log_line_per_request() {
    let dir = temp_dir("access-log");
    std::fs::write(
        dir.join("apigw.toml"),
        "[[routes]]\npath = \"=/mock\"\nbackend = \"mock\"\nmock = { body = \"x\" }\n",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(&dir)
        .args(["serve", "--no-watch", "--port", &port.to_string()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "serve did not listen on {port}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let answers = [raw_get(port, "/mock?a=1"), raw_get(port, "/nowhere")];
    // The log is written after each response goes out: read until both lines came.
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = serve.stderr.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    while lines.len() < 2 {
        match rx.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok(line) if line.starts_with("GET ") => lines.push(line),
            Ok(_) => {}
            Err(e) => panic!("{e}: only {lines:?}"),
        }
    }
    let _ = serve.kill();
    let _ = serve.wait();
    for ((line, answer), (path, status)) in
        lines.iter().zip(&answers).zip([("/mock?a=1", "200"), ("/nowhere", "404")])
    {
        let id = answer
            .lines()
            .find_map(|l| l.strip_prefix("x-api-requestid: "))
            .unwrap_or_else(|| panic!("no request id in {answer}"));
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!((fields[1], fields[2]), (path, status), "{line}");
        assert!(fields[3].ends_with("ms"), "the latency: {line}");
        assert_eq!(fields[4], id, "the line names the response's request id: {line}");
    }
}
