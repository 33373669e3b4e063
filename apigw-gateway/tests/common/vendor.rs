//! The vendors' own signing clients, installed by `scripts/signers.sh`
//! under `target/tools/signers`, driven by the scripts in `tests/signers/`.
//! A missing client fails the test, naming the script that installs it.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn tools() -> PathBuf {
    root().join("target/tools/signers")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/signers").join(name)
}

fn missing(what: &str) -> ! {
    panic!(
        "{what} is not installed: run `bash scripts/signers.sh` from the workspace root (CI's .ci/run does)"
    )
}

fn run(mut command: Command, what: &str) -> serde_json::Value {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(out.status.success(), "{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Signs and sends one request with Alibaba's Node.js SDK (npm
/// `aliyun-api-gateway`); `spec` as `tests/signers/aliyun.js` describes.
/// Blocking: call it from `spawn_blocking`.
pub fn aliyun_sdk(spec: &serde_json::Value) -> serde_json::Value {
    let modules = tools().join("node/node_modules");
    if !modules.join("aliyun-api-gateway/package.json").exists() {
        missing("npm aliyun-api-gateway");
    }
    let mut command = Command::new("node");
    command
        .arg(script("aliyun.js"))
        .arg(spec.to_string())
        .env("NODE_PATH", &modules)
        .env("NODE_NO_WARNINGS", "1");
    run(command, "node tests/signers/aliyun.js")
}

fn python(args: &[&str]) -> serde_json::Value {
    let python = tools().join("venv/bin/python3");
    if !python.exists() {
        missing("the Tencent signers' venv (tencentcloud-apigateway-authorization, python-jwt, jwcrypto)");
    }
    let mut command = Command::new(python);
    command.arg(script("tencent.py")).args(args).env("PYTHONWARNINGS", "ignore");
    run(command, "tests/signers/tencent.py")
}

/// The headers PyPI `tencentcloud-apigateway-authorization` makes for key
/// `id`/`secret` over `headers`, its clock moved by `clock_offset_secs`.
pub fn tencent_key_headers(
    id: &str,
    secret: &str,
    headers: &[(&str, &str)],
    clock_offset_secs: i64,
) -> Vec<(String, String)> {
    let headers: serde_json::Map<String, serde_json::Value> =
        headers.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect();
    let spec = serde_json::json!({"id": id, "secret": secret, "headers": headers, "clock_offset_secs": clock_offset_secs});
    let out = python(&["key", &spec.to_string()]);
    out.as_array()
        .expect("a list of pairs")
        .iter()
        .map(|pair| (pair[0].as_str().unwrap().to_owned(), pair[1].as_str().unwrap().to_owned()))
        .collect()
}

/// A public JWK and tokens made as Tencent's OAuth demo makes them
/// (`jwcrypto`, `python_jwt`): `good`, `expired`, `early`, `foreign`.
pub fn tencent_oauth_tokens() -> serde_json::Value {
    python(&["oauth"])
}
