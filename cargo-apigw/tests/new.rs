//! `cargo apigw new`: the crate it makes answers `cargo apigw invoke` and
//! passes its own test as it comes, against this checkout (its first build
//! shows cargo's progress, or nothing with `-q`); bad names and non-empty
//! directories are refused before anything is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn apigw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(args)
        .output()
        .unwrap()
}

/// This build's target directory, shared with the new crates so their
/// dependencies (the SDK's own) are compiled once.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        // …/target/debug/cargo-apigw
        None => Path::new(env!("CARGO_BIN_EXE_cargo-apigw")).ancestors().nth(2).unwrap().to_path_buf(),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigw-new-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `new` in `parent`, then `invoke` (its first build, `-q` when `quiet`)
/// and `cargo test` in the crate; the response and `invoke`'s stderr.
fn make_invoke_and_test(parent: &Path, name: &str, options: &[&str], quiet: bool) -> (String, String) {
    let out = apigw(parent, &[&["new", name], options].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dir = parent.join(name);
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("apigw-runtime");
    let runtime = runtime.canonicalize().unwrap();
    assert!(
        manifest.contains(&format!("apigw-runtime = {{ path = \"{}\" }}", runtime.display())),
        "{manifest}"
    );
    let args: &[&str] = if quiet { &["-q", "invoke", "/?name=ada"] } else { &["invoke", "/?name=ada"] };
    let out = apigw(&dir, args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let test = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["test", "--quiet"])
        .output()
        .unwrap();
    assert!(test.status.success(), "cargo test in the new crate: {}", text(&test.stderr));
    assert!(text(&test.stdout).contains("test result: ok. 1 passed"), "{}", text(&test.stdout));
    (text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_new_crate_passes_its_test_and_answers_invoke() {
    let parent = temp_dir("tencent");
    let (answer, log) = make_invoke_and_test(&parent, "fresh-fn", &[], true);
    // `-q` quiets cargo too, on a first build that compiles the crate.
    assert!(!log.contains("Compiling") && !log.contains("Finished"), "{log}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(head.contains("x-api-requestid: "), "Tencent's gateway answered: {answer}");
    assert_eq!(body, "{\"hello\":\"ada\"}\n");
    let readme = std::fs::read_to_string(parent.join("fresh-fn/README.md")).unwrap();
    assert!(readme.contains("apigw-runtime = \"0.1\""), "the published line: {readme}");
    assert!(readme.contains("cargo apigw invoke '/?name=ada'"), "{readme}");
    let _ = std::fs::remove_dir_all(&parent);
}

#[test]
fn a_new_alibaba_passthrough_crate_answers_through_fc() {
    let parent = temp_dir("aliyun");
    let options = ["--provider", "aliyun", "--mode", "passthrough"];
    let (answer, log) = make_invoke_and_test(&parent, "fresh-fc", &options, false);
    // Without `-q` a first build shows cargo's progress.
    assert!(log.contains("Compiling fresh-fc v0.1.0"), "{log}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("x-ca-request-id: "), "Alibaba's gateway answered: {answer}");
    assert_eq!(body, "{\"hello\":\"ada\"}\n");
    let main = std::fs::read_to_string(parent.join("fresh-fc/src/main.rs")).unwrap();
    assert!(main.contains("#[apigw_runtime::handler(mode = \"passthrough\")]"), "{main}");
    let _ = std::fs::remove_dir_all(&parent);
}

#[test]
fn new_refuses_a_bad_name_and_a_directory_in_use() {
    let parent = temp_dir("refused");
    let out = apigw(&parent, &["new", "2fast"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: `2fast` is not a valid crate name: it must start with an ASCII letter"
    );
    assert!(!parent.join("2fast").exists(), "nothing is written");
    std::fs::create_dir_all(parent.join("taken")).unwrap();
    std::fs::write(parent.join("taken/notes.txt"), "mine").unwrap();
    let out = apigw(&parent, &["new", "taken"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr).trim(), "error: `taken` already exists and is not empty: pick a new path");
    assert!(!parent.join("taken/Cargo.toml").exists(), "nothing is written");
    let out = apigw(&parent, &["new", "ok-name", "--sdk-path", parent.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no apigw-runtime/Cargo.toml in it"), "{}", text(&out.stderr));
    // An empty directory is taken.
    std::fs::create_dir_all(parent.join("empty")).unwrap();
    let out = apigw(&parent, &["new", "empty"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(parent.join("empty/src/main.rs").is_file());
    let _ = std::fs::remove_dir_all(&parent);
}
