//! `cargo apigw build`, driven as an author would drive it: what the zip
//! holds, that its bytes repeat, and that the bundled executable answers
//! under both platforms.

use apigw_gateway::build::{self, Target};
use apigw_gateway::config::Provider;
use apigw_gateway::function::Outcome;
use apigw_gateway::{Function, FunctionSpec};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigw-build-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo apigw build ARGS` in the workspace, with `SOURCE_DATE_EPOCH` set
/// only when `epoch` is given.
fn apigw_build(args: &[&str], epoch: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"));
    cmd.current_dir(workspace()).arg("build").args(args).env_remove("SOURCE_DATE_EPOCH");
    if let Some(epoch) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", epoch);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A bundle of the `hello` example that was written.
struct Built {
    stdout: String,
    stderr: String,
    zip: PathBuf,
}

/// Bundles `hello` with `args` into a fresh folder named after `name`.
fn bundle(name: &str, args: &[&str], epoch: Option<&str>) -> Built {
    let dir = temp_dir(name);
    let mut all = vec!["--example", "hello", "--output", dir.to_str().unwrap()];
    all.extend(args);
    let out = apigw_build(&all, epoch);
    assert!(out.status.success(), "{}", stderr(&out));
    let stderr = stderr(&out);
    Built { stdout: String::from_utf8(out.stdout).unwrap(), stderr, zip: dir.join("hello.zip") }
}

/// The bundle with no options, built once per test process.
fn plain() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| bundle("plain", &[], None))
}

/// One zip entry: its name, unix mode, bytes and time.
struct ZipEntry {
    name: String,
    mode: u32,
    bytes: Vec<u8>,
    time: zip::DateTime,
}

fn entries(zip: &Path) -> Vec<ZipEntry> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            let (name, mode, time) =
                (f.name().unwrap().into_owned(), f.unix_mode().unwrap(), f.last_modified().unwrap());
            ZipEntry { name, mode, bytes, time }
        })
        .collect()
}

fn names(entries: &[ZipEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

/// The release executable of `hello` for `triple`, built the way the
/// command builds it (no `--target` for the host).
fn release_exe(triple: &str) -> PathBuf {
    let host = build::host_triple().unwrap();
    let triple = (triple != host).then(|| triple.to_owned());
    let target = Target { example: Some("hello".into()), release: true, triple, ..Target::default() };
    build::build(&workspace(), &target).unwrap()
}

#[test]
fn the_bundle_is_the_built_binary_named_bootstrap_at_the_root_mode_755() {
    let built = plain();
    let fields: Vec<&str> = built.stdout.trim_end_matches('\n').split("  ").collect();
    assert_eq!(built.stdout.lines().count(), 1, "{}", built.stdout);
    let size = std::fs::metadata(&built.zip).unwrap().len();
    assert_eq!(
        fields,
        [built.zip.to_str().unwrap(), &apigw_gateway::bundle::size_text(size), fields[2], "bootstrap"]
    );
    let triple = fields[2];
    if !triple.contains("musl") {
        assert!(built.stderr.contains("needs a glibc at least as new as this machine's"), "{}", built.stderr);
    }
    let entries = entries(&built.zip);
    assert_eq!(names(&entries), ["bootstrap"]);
    assert_eq!(entries[0].mode, 0o100755, "a regular file, rwxr-xr-x: {:o}", entries[0].mode);
    assert!(entries[0].bytes == std::fs::read(release_exe(triple)).unwrap(), "the bytes of the built binary");
}

#[test]
fn by_default_the_zip_goes_to_cargos_target_directory() {
    let out = apigw_build(&["--example", "hello"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let zip = build::target_directory(&workspace()).unwrap().join("apigw/hello.zip");
    let shown = zip.strip_prefix(workspace()).unwrap_or(&zip).to_str().unwrap().to_owned();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(&format!("{shown}  ")), "{stdout}");
    assert!(std::fs::read(&zip).unwrap() == std::fs::read(&plain().zip).unwrap());
}

#[test]
fn two_builds_give_the_same_bytes_and_source_date_epoch_sets_the_time() {
    let again = bundle("again", &[], None);
    let first = std::fs::read(&plain().zip).unwrap();
    assert!(first == std::fs::read(&again.zip).unwrap(), "byte-identical zips");
    let t = entries(&plain().zip)[0].time;
    assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()), (1980, 1, 1, 0, 0, 0));

    let dated = bundle("dated", &[], Some("1700000000"));
    assert!(first != std::fs::read(&dated.zip).unwrap());
    let t = entries(&dated.zip)[0].time;
    assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()), (2023, 11, 14, 22, 13, 20));
}

#[test]
fn web_names_the_executable_scf_bootstrap() {
    let web = bundle("web", &["--web"], None);
    assert!(web.stdout.ends_with("  scf_bootstrap\n"), "{}", web.stdout);
    let entries = entries(&web.zip);
    assert_eq!(names(&entries), ["scf_bootstrap"]);
    assert_eq!(entries[0].mode, 0o100755);
    assert!(entries[0].bytes == self::entries(&plain().zip)[0].bytes);
}

#[test]
fn includes_keep_their_relative_paths_in_sorted_order() {
    let fixtures = "apigw-events/fixtures";
    let built = bundle(
        "include",
        &["--include", fixtures, "--include", "cargo-apigw/Cargo.toml", "--include", "./.ci/run"],
        None,
    );
    let root = workspace();
    let mut expected = vec!["bootstrap".to_owned(), "cargo-apigw/Cargo.toml".into(), ".ci/run".into()];
    for f in std::fs::read_dir(root.join(fixtures)).unwrap() {
        expected.push(format!("{fixtures}/{}", f.unwrap().file_name().to_str().unwrap()));
    }
    expected.sort();
    let entries = entries(&built.zip);
    assert_eq!(names(&entries), expected);
    for e in &entries[..] {
        if e.name == "bootstrap" {
            continue;
        }
        assert_eq!(e.bytes, std::fs::read(root.join(&e.name)).unwrap(), "{}", e.name);
        let want = if e.name == ".ci/run" { 0o100755 } else { 0o100644 };
        assert_eq!(e.mode, want, "{}: {:o}", e.name, e.mode);
    }
}

#[test]
fn the_bundled_bootstrap_answers_as_a_tencent_and_an_alibaba_function() {
    let dir = temp_dir("run");
    let exe = dir.join("bootstrap");
    std::fs::write(&exe, &entries(&plain().zip)[0].bytes).unwrap();
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let fixtures = workspace().join("apigw-events/fixtures");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    for (provider, fixture) in [
        (Provider::Tencent, "tencent-apigw-event-trigger.json"),
        (Provider::Aliyun, "aliyun-apigw-event-sample.json"),
    ] {
        let event = std::fs::read(fixtures.join(fixture)).unwrap();
        let function = Function::new(FunctionSpec {
            exe: exe.clone(),
            provider,
            name: "hello".into(),
            memory_mb: 128,
            env: vec![("RUST_LOG".into(), "warn".into())],
        });
        let outcome = rt.block_on(async {
            let outcome = function.invoke(event.into(), "req-bundle-1", Duration::from_secs(10)).await;
            function.stop().await;
            outcome
        });
        let Outcome::Response(body) = outcome else { panic!("{provider:?}: {outcome:?}") };
        let res: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(res["statusCode"], 200, "{provider:?}: {res}");
        assert_eq!(res["body"], r#"{"hello":"world"}"#, "{provider:?}: {res}");
    }
}

#[test]
fn an_include_outside_the_crate_is_refused_and_nothing_is_written() {
    let dir = temp_dir("outside");
    let secret = temp_dir("outside-secret").join("secret.txt");
    std::fs::write(&secret, "no").unwrap();
    for include in ["../outside", secret.to_str().unwrap()] {
        let out = apigw_build(
            &["--example", "hello", "--output", dir.to_str().unwrap(), "--include", include],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains(&format!("error: cannot include `{include}`: it is outside ")), "{err}");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
}

#[test]
fn a_missing_include_is_named() {
    let dir = temp_dir("missing");
    let out = apigw_build(
        &["--example", "hello", "--output", dir.to_str().unwrap(), "--include", "nope.txt"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).trim(), "error: cannot include `nope.txt`: no such file or folder");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn arm64_without_its_musl_target_says_how_to_install_it() {
    if build::target_installed("aarch64-unknown-linux-musl") {
        // Installed here: choose_target's unit test covers the message.
        return;
    }
    let dir = temp_dir("arm64");
    let out = apigw_build(&["--example", "hello", "--arm64", "--output", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("run `rustup target add aarch64-unknown-linux-musl`"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn usage_mistakes_are_reported_before_building() {
    let out = apigw_build(&[], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("several binaries, pick one with --bin or --example"), "{err}");
    assert!(err.contains("hello") && err.contains("echo"), "{err}");
    let out = apigw_build(&["--example", "hello", "--web", "--provider", "aliyun"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("drop --web"), "{}", stderr(&out));
    let out = apigw_build(&["--example", "hello", "--arm64", "--target", "x86_64-unknown-linux-gnu"], None);
    assert_eq!(out.status.code(), Some(2), "clap refuses --arm64 with --target");
}
