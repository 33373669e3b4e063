//! `cargo apigw invoke --sign`: every auth mode can be tried from the
//! command line, with the credentials in `apigw.toml`; without `--sign` the
//! same request is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../apigw-gateway/tests/fixtures/oauth").join(name)
}

fn apigw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-apigw")).current_dir(dir).args(args).output().unwrap()
}

/// A directory with an `apigw.toml` whose routes need each kind of credentials.
fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigw-sign-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture("public.jwk.json"), dir.join("jwk.json")).unwrap();
    let toml = r#"
[[keys]]
id = "AKIDcli"
secret = "cli-secret"
appcode = "cli-code"

[[routes]]
path = "/key"
auth = "key"
backend = "mock"
mock = { body = "key ok" }

[[routes]]
path = "/app"
flavour = "aliyun"
auth = "app"
force_nonce = true
backend = "mock"
mock = { body = "app ok" }

[[routes]]
path = "/code"
flavour = "aliyun"
auth = "appcode"
backend = "mock"
mock = { body = "code ok" }

[[routes]]
name = "token"
path = "=/token"
auth = "oauth"
oauth = { public_key_file = "jwk.json" }
backend = "mock"
mock = { body = "a token" }

[[routes]]
path = "/orders"
auth = "oauth"
backend = "mock"
mock = { body = "orders ok" }
"#;
    std::fs::write(dir.join("apigw.toml"), toml).unwrap();
    dir
}

fn status_and_body(out: &Output) -> (String, String) {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.lines().next().unwrap_or("").to_owned(), body.trim_end().to_owned())
}

#[test]
fn sign_signs_for_each_auth_mode_with_the_configured_credentials() {
    let dir = project("modes");
    let key = fixture("private.pem");
    let key = key.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["/key"], "key ok"),
        (&["/app?q=hello%20world&tag=a"], "app ok"),
        (&["-X", "POST", "-d", "name=ada&x=1", "/app"], "app ok"),
        (&["/code"], "code ok"),
        (&["--private-key", key, "/orders"], "orders ok"),
    ];
    for (args, body) in cases {
        let out = apigw(&dir, &[&["-q", "invoke", "--sign"], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(status_and_body(&out), ("HTTP/1.1 200 OK".to_owned(), body.to_owned()), "{args:?}");
    }
    for (path, status) in [("/key", "401"), ("/app", "400"), ("/code", "400"), ("/orders", "401")] {
        let out = apigw(&dir, &["-q", "invoke", path]);
        assert!(
            status_and_body(&out).0.starts_with(&format!("HTTP/1.1 {status}")),
            "{path} unsigned: {:?}",
            status_and_body(&out)
        );
    }
}

#[test]
fn sign_says_what_it_lacks() {
    let dir = project("lacks");
    let out = apigw(&dir, &["-q", "invoke", "--sign", "/orders"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("give --private-key FILE"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = apigw(&dir, &["-q", "invoke", "--sign", "/token"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("asks for no credentials"));
    let out = apigw(&dir, &["-q", "invoke", "--sign", "--key", "AKIDother", "/key"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--key `AKIDother` is not a [[keys]] entry"));
    let out = apigw(
        &dir,
        &[
            "-q",
            "invoke",
            "--sign",
            "--private-key",
            fixture("other-private.pem").to_str().unwrap(),
            "/orders",
        ],
    );
    assert!(status_and_body(&out).0.starts_with("HTTP/1.1 401"), "a foreign key's token is refused");
}
