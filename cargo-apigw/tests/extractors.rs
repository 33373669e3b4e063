//! The `orders` example behind the local gateway, end to end: the route's
//! path parameter, the query and the typed body reach the handler as
//! extractors; each mistake is a 400 naming the field; an `HttpError`
//! answers its status; a plain error is still a 502.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn invoke(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(dir)
        .args([&["-q", "invoke", "-X", "POST"], args].concat())
        .output()
        .unwrap()
}

/// The status line and the body of what `invoke` printed.
fn answer(out: &Output) -> (String, String) {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let status = text.lines().next().unwrap_or_default().to_owned();
    let body =
        text.split_once("\r\n\r\n").or_else(|| text.split_once("\n\n")).map(|(_, b)| b.trim().to_owned());
    (status, body.unwrap_or_default())
}

#[test]
fn orders_read_their_parts_and_refuse_each_mistake_with_a_400_naming_it() {
    let dir = workspace().join("examples/orders");
    let good = r#"{"item": "tea", "quantity": 2}"#;

    let (status, body) = answer(&invoke(&dir, &["-d", good, "/shops/leaf/orders"]));
    assert_eq!(status, "HTTP/1.1 201 Created");
    assert_eq!(body, r#"{"shop":"leaf","item":"tea","quantity":2,"placed":true}"#);
    let (status, body) = answer(&invoke(&dir, &["-d", good, "/shops/leaf/orders?dry_run=true"]));
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains(r#""placed":false"#), "{body}");

    for (data, path, needle) in [
        (r#"{"quantity": 2}"#, "/shops/leaf/orders", "missing field `item`"),
        (r#"{"item": "tea", "quantity": "two"}"#, "/shops/leaf/orders", "at `quantity`"),
        (good, "/shops/leaf/orders?dry_run=perhaps", "query parameter `dry_run`"),
        (r#"{"item": "tea", "quantity": 0}"#, "/shops/leaf/orders", "`quantity` must be at least 1"),
    ] {
        let (status, body) = answer(&invoke(&dir, &["-d", data, path]));
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "{data} {path}: {body}");
        let message: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(message["message"].as_str().unwrap().contains(needle), "{needle}: {body}");
    }
}

#[test]
fn a_plain_handler_error_is_still_a_502() {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(workspace())
        .args(["-q", "invoke", "--example", "echo", "/?fail=1"])
        .output()
        .unwrap();
    let (status, _) = answer(&out);
    assert_eq!(status, "HTTP/1.1 502 Bad Gateway");
}
