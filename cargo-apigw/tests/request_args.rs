//! What the command line reads (`-d @FILE`, `-d @-`, `--event` without a
//! path) and what it checks before anything is built: headers, files and
//! the port are refused in a crate that would not even compile.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn apigw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-apigw")).current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigw-args-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `body` of the event `cargo apigw event` prints for `args`.
fn event_body(dir: &Path, args: &[&str], stdin: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(dir)
        .args([&["event", "-X", "POST"], args].concat())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    event["body"].as_str().unwrap().to_owned()
}

#[test]
fn data_at_file_reads_the_file_as_curl_does() {
    let dir = temp_dir("data");
    std::fs::write(dir.join("body.txt"), "a=1\r\nb=2\n").unwrap();
    assert_eq!(
        event_body(&dir, &["-d", "@body.txt", "/"], b""),
        "a=1b=2",
        "newlines dropped, as curl -d does"
    );
    assert_eq!(event_body(&dir, &["--data-file", "body.txt", "/"], b""), "a=1\r\nb=2\n", "byte for byte");
    assert_eq!(event_body(&dir, &["-d", "@-", "/"], b"x\ny"), "xy", "from stdin");
    assert_eq!(event_body(&dir, &["-d", "plain", "/"], b""), "plain");
    let out = apigw(&dir, &["event", "-d", "@missing.txt", "/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("error: reading -d @missing.txt: "), "{}", text(&out.stderr));
}

#[test]
fn invoke_with_an_event_file_needs_no_path() {
    let event = temp_dir("event").join("event.json");
    let fixture = workspace().join("apigw-events/fixtures/tencent-apigw-event-trigger.json");
    std::fs::copy(fixture, &event).unwrap();
    let out = apigw(&workspace(), &["-q", "invoke", "--example", "echo", "--event", event.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let answer = text(&out.stdout);
    let seen: serde_json::Value = serde_json::from_str(answer.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(seen["path"], "/test/value", "the file's event: {answer}");
}

#[test]
fn bad_headers_files_and_ports_are_refused_before_anything_is_built() {
    let dir = temp_dir("before-build");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"unbuildable\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() { let x: u32 = \"no\"; }\n").unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for (args, error) in [
        (&["invoke", "-H", "X-Trace", "/"][..], "error: -H `X-Trace` is not `Name: value`"),
        (&["invoke", "-H", "Bad Name: 1", "/"], "error: -H `Bad Name: 1`: bad name"),
        (&["invoke", "-d", "@nope.json", "/"], "error: reading -d @nope.json: "),
        (&["invoke", "--data-file", "nope.json", "/"], "error: reading --data-file nope.json: "),
        (&["invoke", "--event", "nope.json"], "error: reading --event nope.json: "),
        (&["invoke", "--timeout", "soon", "/"], "error: --timeout `soon` is not a duration"),
        (&["serve", "--port", &port], &format!("error: cannot listen on 127.0.0.1:{port}")),
    ] {
        let out = apigw(&dir, args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with(error), "{args:?}: {err}");
        assert!(!err.contains("Compiling") && !err.contains("mismatched"), "{args:?} built first: {err}");
    }
}
