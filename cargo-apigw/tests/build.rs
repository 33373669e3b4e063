//! `cargo apigw build`, driven as an author would drive it: each way of
//! linking gives a bundle whose `bootstrap` answers under both platforms'
//! protocols, the ELF check refuses what would not start, and the zip's
//! bytes repeat. zig, the musl targets and qemu come from
//! `scripts/toolchains.sh`, which `.ci/run` runs first.

use apigw_bundle::cargo;
use apigw_bundle::elf::{self, GlibcVersion, Linkage};
use apigw_gateway::config::Provider;
use apigw_gateway::function::Outcome;
use apigw_gateway::{Function, FunctionSpec, LogSink};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
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

/// One release build at a time: they share cargo's target directory, and
/// a build with other strip settings relinks the same executable.
fn one_build_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The venv `scripts/toolchains.sh` makes with PyPI's `ziglang`.
fn zig_venv_bin() -> PathBuf {
    let bin = workspace().join("target/tools/zig-venv/bin");
    let ok = Command::new(bin.join("python3")).args(["-m", "ziglang", "version"]).output();
    assert!(
        ok.is_ok_and(|o| o.status.success()),
        "zig is not installed for the tests: run `bash scripts/toolchains.sh` (pip's ziglang in {})",
        bin.display()
    );
    bin
}

/// `PATH` with the zig venv first, as an activated venv has it.
fn path_with_zig() -> std::ffi::OsString {
    let mut paths = vec![zig_venv_bin()];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).unwrap()
}

/// `cargo apigw build ARGS` in the workspace, with `SOURCE_DATE_EPOCH` set
/// only when `epoch` is given and zig on `PATH`.
fn apigw_build(args: &[&str], epoch: Option<&str>) -> Output {
    let _one = one_build_at_a_time();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"));
    cmd.current_dir(workspace()).arg("build").args(args).env_remove("SOURCE_DATE_EPOCH");
    cmd.env("PATH", path_with_zig());
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
    /// The summary line's fields: zip, size, triple, linker, needs, entry.
    fields: Vec<String>,
    zip: PathBuf,
}

/// Bundles `hello` with `args` into a fresh folder named after `name`.
fn bundle(name: &str, args: &[&str], epoch: Option<&str>) -> Built {
    let dir = temp_dir(name);
    let mut all = vec!["--example", "hello", "--output", dir.to_str().unwrap()];
    all.extend(args);
    let out = apigw_build(&all, epoch);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let fields: Vec<String> = stdout.trim_end().split("  ").map(str::to_owned).collect();
    let zip = PathBuf::from(&fields[0]);
    Built { fields, zip }
}

/// The default bundle (musl, which `scripts/toolchains.sh` installs), built once.
fn plain() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| bundle("plain", &[], None))
}

/// The bundle linked by zig, built once.
fn zig() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| bundle("zig", &["--linker", "zig"], None))
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

/// The zip's `bootstrap` written out as an executable file in a fresh folder.
fn extract_bootstrap(zip: &Path, name: &str) -> PathBuf {
    let exe = temp_dir(name).join("bootstrap");
    std::fs::write(&exe, &entries(zip)[0].bytes).unwrap();
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    exe
}

/// Runs `exe` as a Tencent and as an Alibaba function behind the simulator
/// and checks that `hello` answers each.
fn answers_on_both_platforms(exe: &Path) {
    let fixtures = workspace().join("apigw-events/fixtures");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    for (provider, fixture) in [
        (Provider::Tencent, "tencent-apigw-event-trigger.json"),
        (Provider::Aliyun, "aliyun-apigw-event-sample.json"),
    ] {
        let event = std::fs::read(fixtures.join(fixture)).unwrap();
        let mut spec = FunctionSpec::new(exe.to_owned(), provider, "hello");
        spec.env = vec![("RUST_LOG".into(), "warn".into())];
        // Its output (Alibaba's FC Invoke lines) through `eprint!`, which the
        // test harness keeps with this test's output.
        spec.log = LogSink::to(|bytes| eprint!("{}", String::from_utf8_lossy(bytes)));
        let function = Function::new(spec);
        let outcome = rt.block_on(async {
            let outcome = function.invoke(event.into(), "req-bundle-1", Duration::from_secs(30)).await;
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
fn musl_by_default_a_static_stripped_bootstrap_that_answers_on_both_platforms() {
    let built = plain();
    let size = std::fs::metadata(&built.zip).unwrap().len();
    assert_eq!(
        built.fields,
        [
            built.zip.to_str().unwrap(),
            &apigw_bundle::archive::size_text(size),
            "x86_64-unknown-linux-musl",
            "musl",
            "static",
            "bootstrap"
        ]
    );
    let entries = entries(&built.zip);
    assert_eq!(names(&entries), ["bootstrap"]);
    assert_eq!(entries[0].mode, 0o100755, "a regular file, rwxr-xr-x: {:o}", entries[0].mode);
    let info = elf::inspect(&entries[0].bytes).unwrap();
    assert_eq!((info.machine, &info.linkage, info.symbols), (0x3E, &Linkage::Static, false));
    answers_on_both_platforms(&extract_bootstrap(&built.zip, "musl-run"));
}

#[test]
fn zig_links_against_glibc_2_17_and_the_bootstrap_answers_on_both_platforms() {
    let built = zig();
    assert_eq!(built.fields[2..], ["x86_64-unknown-linux-gnu.2.17", "zig", &built.fields[4], "bootstrap"]);
    let bytes = &entries(&built.zip)[0].bytes;
    let info = elf::inspect(bytes).unwrap();
    let Linkage::Dynamic { glibc: Some(needs), interpreter, .. } = &info.linkage else { panic!("{info:?}") };
    assert!(*needs <= GlibcVersion::new(2, 17), "needs glibc {needs}");
    assert_eq!(interpreter, "/lib64/ld-linux-x86-64.so.2");
    assert_eq!(built.fields[4], format!("glibc ≥ {needs}"));
    assert!(!info.symbols, "stripped");
    answers_on_both_platforms(&extract_bootstrap(&built.zip, "zig-run"));
}

#[test]
fn a_host_glibc_build_is_refused_naming_the_glibc_it_needs_and_nothing_is_written() {
    let dir = temp_dir("host");
    let out =
        apigw_build(&["--example", "hello", "--linker", "host", "--output", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let exe = cargo::target_directory(&workspace()).unwrap().join("release/hello");
    let needs = match elf::inspect(&std::fs::read(&exe).unwrap()).unwrap().linkage {
        Linkage::Dynamic { glibc: Some(needs), .. } => needs,
        other => panic!("{other:?}"),
    };
    let err = stderr(&out);
    let want = format!(
        "would not start on Tencent SCF (CentOS 7): it needs glibc {needs} (symbol version GLIBC_{needs}), \
         and Tencent SCF (CentOS 7) has glibc 2.17"
    );
    assert!(err.contains(&want), "{err}");
    assert!(
        err.starts_with("error: no bundle was written: ") || err.contains("\nerror: no bundle was written: "),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
}

#[test]
fn without_musl_or_zig_the_build_is_refused_with_both_fixes_before_building() {
    // A stock machine without either: rustc's sysroot holds the host's
    // standard library and no musl target (a rustc that answers `--print
    // sysroot` with such a folder), and PATH has neither zig nor python3.
    let dir = temp_dir("neither");
    let real_rustc = {
        let out = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
            .args(["--print", "sysroot"])
            .output()
            .unwrap();
        Path::new(String::from_utf8(out.stdout).unwrap().trim()).join("bin/rustc")
    };
    let (empty, fake) = (dir.join("sysroot"), dir.join("rustc"));
    std::fs::create_dir_all(empty.join("lib/rustlib/x86_64-unknown-linux-gnu/lib")).unwrap();
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = --print ] && [ \"$2\" = sysroot ]; then echo {}; else exec {} \"$@\"; fi\n",
        empty.display(),
        real_rustc.display()
    );
    std::fs::write(&fake, script).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out_dir = dir.join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-apigw"))
        .current_dir(workspace())
        .args(["build", "--example", "hello", "--output", out_dir.to_str().unwrap()])
        .env("PATH", dir.join("bin-with-nothing"))
        .env("RUSTC", &fake)
        .env_remove("CARGO_ZIGBUILD_ZIG_PATH")
        .env_remove("CARGO_ZIGBUILD_PYTHON_PATH")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "error: no bundle was written: no way to build a bundle that starts on the platform: \
         x86_64-unknown-linux-musl is not installed and zig was not found; either install the musl target \
         for a static binary, `rustup target add x86_64-unknown-linux-musl`, or install zig to link against \
         glibc 2.17, `pip install ziglang`"
    );
    assert!(!out_dir.exists(), "nothing written");
}

#[test]
fn arm64_is_an_aarch64_bundle_beside_the_x86_64_one_and_answers_under_qemu() {
    let dir = temp_dir("arm64");
    let out_dir = dir.to_str().unwrap();
    let x86 = apigw_build(&["--example", "hello", "--output", out_dir], None);
    assert!(x86.status.success(), "{}", stderr(&x86));
    let arm = apigw_build(&["--example", "hello", "--arm64", "--output", out_dir], None);
    assert!(arm.status.success(), "{}", stderr(&arm));
    let stdout = String::from_utf8(arm.stdout).unwrap();
    let fields: Vec<&str> = stdout.trim_end().split("  ").collect();
    assert_eq!(fields[0], dir.join("hello-arm64.zip").to_str().unwrap());
    assert_eq!(fields[2..], ["aarch64-unknown-linux-musl", "musl", "static", "bootstrap"]);
    let mut zips: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    zips.sort();
    assert_eq!(zips, ["hello-arm64.zip", "hello.zip"]);
    let x86_exe = &entries(&dir.join("hello.zip"))[0].bytes;
    assert_eq!(elf::inspect(x86_exe).unwrap().machine, 0x3E, "the x86_64 bundle is untouched");
    assert!(x86_exe == &entries(&plain().zip)[0].bytes);
    let arm_exe = extract_bootstrap(&dir.join("hello-arm64.zip"), "arm64-run");
    let info = elf::inspect(&std::fs::read(&arm_exe).unwrap()).unwrap();
    assert_eq!((info.machine, info.linkage), (0xB7, Linkage::Static));

    // The simulator starts one executable: a script that runs it under qemu.
    let qemu = Command::new("sh").args(["-c", "command -v qemu-aarch64-static"]).output().unwrap();
    let qemu = String::from_utf8(qemu.stdout).unwrap();
    assert!(
        !qemu.trim().is_empty(),
        "qemu-aarch64-static is not installed: run `bash scripts/toolchains.sh`"
    );
    let under_qemu = arm_exe.with_file_name("under-qemu");
    std::fs::write(&under_qemu, format!("#!/bin/sh\nexec {} {}\n", qemu.trim(), arm_exe.display())).unwrap();
    std::fs::set_permissions(&under_qemu, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    answers_on_both_platforms(&under_qemu);
}

#[test]
fn no_strip_keeps_the_symbols() {
    let kept = bundle("no-strip", &["--no-strip"], None);
    let bytes = &entries(&kept.zip)[0].bytes;
    assert!(elf::inspect(bytes).unwrap().symbols, "a symbol table");
    assert!(bytes.len() > entries(&plain().zip)[0].bytes.len());
}

#[test]
fn by_default_the_zip_goes_to_cargos_target_directory() {
    let out = apigw_build(&["--example", "hello"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let zip = cargo::target_directory(&workspace()).unwrap().join("apigw/hello.zip");
    let shown = zip.strip_prefix(workspace()).unwrap_or(&zip).to_str().unwrap().to_owned();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(&format!("{shown}  ")), "{stdout}");
    assert!(std::fs::read(&zip).unwrap() == std::fs::read(&plain().zip).unwrap());
}

#[test]
fn two_builds_give_the_same_bytes_on_each_path_and_source_date_epoch_sets_the_time() {
    // Touching the source makes cargo compile and link the function again.
    let source = workspace().join("examples/hello/src/main.rs");
    for (first, args) in [(plain(), &[][..]), (zig(), &["--linker", "zig"][..])] {
        let text = std::fs::read(&source).unwrap();
        std::fs::write(&source, &text).unwrap();
        let again = bundle("again", args, None);
        assert!(std::fs::read(&first.zip).unwrap() == std::fs::read(&again.zip).unwrap(), "{args:?}");
    }
    let t = entries(&plain().zip)[0].time;
    assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()), (1980, 1, 1, 0, 0, 0));

    let dated = bundle("dated", &[], Some("1700000000"));
    assert!(std::fs::read(&plain().zip).unwrap() != std::fs::read(&dated.zip).unwrap());
    let t = entries(&dated.zip)[0].time;
    assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()), (2023, 11, 14, 22, 13, 20));
}

#[test]
fn web_names_the_executable_scf_bootstrap() {
    let web = bundle("web", &["--web"], None);
    assert_eq!(web.fields.last().map(String::as_str), Some("scf_bootstrap"));
    let entries = entries(&web.zip);
    assert_eq!(names(&entries), ["scf_bootstrap"]);
    assert_eq!(entries[0].mode, 0o100755);
    assert!(entries[0].bytes == self::entries(&plain().zip)[0].bytes);
}

#[test]
fn quiet_quiets_cargo_too() {
    let dir = temp_dir("quiet");
    let args = ["--example", "hello", "--output", dir.to_str().unwrap()];
    // cargo says `Finished` after every build, even one with nothing to do.
    let loud = apigw_build(&args, None);
    assert!(loud.status.success() && stderr(&loud).contains("Finished"), "{}", stderr(&loud));
    let quiet = apigw_build(&[&["-q"][..], &args].concat(), None);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert!(!stderr(&quiet).contains("Finished"), "{}", stderr(&quiet));
    assert_eq!(String::from_utf8_lossy(&quiet.stdout).lines().count(), 1, "the summary line stays");
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
    // Every file under the folder, its subfolders too.
    let mut folders = vec![root.join(fixtures)];
    while let Some(folder) = folders.pop() {
        for f in std::fs::read_dir(folder).unwrap() {
            let path = f.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                expected.push(path.strip_prefix(&root).unwrap().to_str().unwrap().to_owned());
            }
        }
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
        assert!(err.contains(&format!("cannot include `{include}`: it is outside ")), "{err}");
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
    assert_eq!(
        stderr(&out).trim(),
        "error: no bundle was written: cannot include `nope.txt`: no such file or folder"
    );
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
    let out = apigw_build(&["--example", "hello", "--linker", "gold"], None);
    assert_eq!(out.status.code(), Some(2), "clap names the three ways");
    assert!(stderr(&out).contains("[possible values: musl, zig, host]"), "{}", stderr(&out));
    let out = apigw_build(&["--example", "hello", "--target", "x86_64-pc-windows-gnu"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("x86_64-pc-windows-gnu: the platforms run x86_64 or aarch64 Linux"));
}
