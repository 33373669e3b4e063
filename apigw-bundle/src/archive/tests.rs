//! The bundle's unit tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use std::io::Read;

/// A fresh empty folder under the system's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigw-bundle-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first 64 bytes of a 64-bit little-endian ELF executable for `machine`.
fn elf(machine: u16) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2;
    h[5] = 1;
    h[16..18].copy_from_slice(&3u16.to_le_bytes());
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A crate folder with a fake executable, `static/` and `config.toml`.
fn fixture(name: &str) -> (PathBuf, BundleOptions) {
    let dir = temp_dir(name);
    let base = dir.join("crate");
    fs::create_dir_all(base.join("static/css")).unwrap();
    fs::write(base.join("static/index.html"), "<h1>hi</h1>").unwrap();
    fs::write(base.join("static/css/site.css"), "h1{}").unwrap();
    fs::write(base.join("static/run.sh"), "#!/bin/sh\n").unwrap();
    #[cfg(unix)]
    chmod(&base.join("static/run.sh"), 0o700);
    fs::write(base.join("config.toml"), "x = 1\n").unwrap();
    let mut exe = elf(0x3E);
    exe.extend(b"the rest of the program".repeat(100));
    fs::write(base.join("hello"), exe).unwrap();
    #[cfg(unix)]
    chmod(&base.join("hello"), 0o700);
    let opts = BundleOptions {
        exe: base.join("hello"),
        platform: Platform::Tencent,
        arch: Arch::X86_64,
        base: base.clone(),
        include: vec![],
        output: dir.join("out/hello.zip"),
        timestamp: ZIP_EPOCH,
        limits: Limits::of(Platform::Tencent),
    };
    (dir, opts)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_file_that_is_not_elf_is_refused_and_nothing_is_written() {
    let (dir, mut opts) = fixture("not-elf");
    fs::write(&opts.exe, "#!/bin/sh\necho hi\n").unwrap();
    let err = write_bundle(&opts).unwrap_err();
    assert!(matches!(err, BundleError::NotElf { why: NotElf::NoMagic, .. }), "{err}");
    assert!(err.to_string().contains("is not a Linux executable for x86_64"), "{err}");
    opts.arch = Arch::Aarch64;
    fs::write(&opts.exe, elf(0x3E)).unwrap();
    let err = write_bundle(&opts).unwrap_err();
    assert!(
        matches!(err, BundleError::WouldNotStart { why: Refusal::Arch { found: 0x3E, .. }, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("would not start on Tencent SCF (CentOS 7): it is built for ELF machine 0x3e"),
        "{err}"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn the_limits_are_checked_and_an_oversized_bundle_leaves_nothing_behind() {
    assert!(check_limit("unpacked", 10, Some(10)).is_ok());
    assert!(check_limit("unpacked", 11, None).is_ok());
    let err = check_limit("zipped", 11, Some(10)).unwrap_err();
    assert_eq!(err.to_string(), "the bundle is 11 bytes zipped, over the platform's limit of 10 bytes");
    let err = check_limit("unpacked", 512 * MB, Limits::of(Platform::Tencent).unpacked).unwrap_err();
    assert_eq!(err.to_string(), "the bundle is 512.0 MB unpacked, over the platform's limit of 500.0 MB");
    assert_eq!(Limits::of(Platform::Aliyun), Limits { unpacked: None, zipped: Some(100_000_000) });

    let (dir, mut opts) = fixture("too-big");
    opts.limits = Limits { unpacked: Some(100), zipped: None };
    let err = write_bundle(&opts).unwrap_err();
    assert!(matches!(err, BundleError::TooBig { what: "unpacked", limit: 100, .. }), "{err}");
    assert!(!dir.join("out").exists(), "checked before anything is written");
    // The zip's size is known only once compressed: the temporary file goes.
    opts.limits = Limits { unpacked: None, zipped: Some(100) };
    let err = write_bundle(&opts).unwrap_err();
    assert!(matches!(err, BundleError::TooBig { what: "zipped", limit: 100, .. }), "{err}");
    assert_eq!(files_in(&dir.join("out")), Vec::<String>::new());
    opts.limits = Limits { unpacked: Some(10_000), zipped: Some(10_000) };
    write_bundle(&opts).unwrap();
    assert_eq!(files_in(&dir.join("out")), ["hello.zip"]);
}

#[test]
fn the_zip_holds_the_executable_755_and_the_includes_sorted_with_their_modes() {
    let (_dir, mut opts) = fixture("contents");
    opts.include = vec!["static".into(), "./config.toml".into(), "static/index.html".into()];
    let info = write_bundle(&opts).unwrap();
    let names = ["bootstrap", "config.toml", "static/css/site.css", "static/index.html", "static/run.sh"];
    assert_eq!(info.entries, names);
    assert_eq!(info.entry, "bootstrap");
    assert_eq!(info.size, fs::metadata(&opts.output).unwrap().len());
    let mut zip = zip::ZipArchive::new(File::open(&opts.output).unwrap()).unwrap();
    let mut seen = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        seen.push((f.name().unwrap().into_owned(), f.unix_mode().unwrap(), bytes.len()));
    }
    let exe_len = fs::metadata(&opts.exe).unwrap().len() as usize;
    let run_mode = if cfg!(unix) { 0o100755 } else { 0o100644 };
    assert_eq!(
        seen,
        [
            ("bootstrap".to_owned(), 0o100755, exe_len),
            ("config.toml".to_owned(), 0o100644, 6),
            ("static/css/site.css".to_owned(), 0o100644, 4),
            ("static/index.html".to_owned(), 0o100644, 11),
            ("static/run.sh".to_owned(), run_mode, 10),
        ]
    );
    opts.platform = Platform::TencentWeb;
    opts.include.clear();
    assert_eq!(write_bundle(&opts).unwrap().entries, ["scf_bootstrap"]);
}

#[test]
fn the_same_inputs_give_the_same_bytes_and_the_timestamp_is_the_one_given() {
    let (dir, mut opts) = fixture("same-bytes");
    opts.include = vec!["static".into(), "config.toml".into()];
    write_bundle(&opts).unwrap();
    let first = fs::read(&opts.output).unwrap();
    fs::write(opts.base.join("static/index.html"), "<h1>hi</h1>").unwrap();
    opts.output = dir.join("again/hello.zip");
    write_bundle(&opts).unwrap();
    assert_eq!(first, fs::read(&opts.output).unwrap());
    opts.timestamp = 1_700_000_001;
    write_bundle(&opts).unwrap();
    let later = fs::read(&opts.output).unwrap();
    assert_ne!(first, later);
    let mut zip = zip::ZipArchive::new(io::Cursor::new(later)).unwrap();
    let t = zip.by_index(0).unwrap().last_modified().unwrap();
    assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()), (2023, 11, 14, 22, 13, 20));
}

#[test]
fn unix_seconds_become_zip_times_clamped_to_what_a_zip_holds() {
    let ymd = |t: zip::DateTime| (t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second());
    assert_eq!(ymd(zip_time(0)), (1980, 1, 1, 0, 0, 0));
    assert_eq!(ymd(zip_time(ZIP_EPOCH)), (1980, 1, 1, 0, 0, 0));
    assert_eq!(ymd(zip_time(951_782_400)), (2000, 2, 29, 0, 0, 0));
    assert_eq!(ymd(zip_time(1_709_164_799)), (2024, 2, 28, 23, 59, 58));
    assert_eq!(ymd(zip_time(4_102_444_800)), (2100, 1, 1, 0, 0, 0));
    assert_eq!(ymd(zip_time(u64::MAX / 2)), (2107, 12, 31, 23, 59, 58));
}

#[test]
fn includes_must_exist_and_stay_inside_the_base() {
    let (dir, mut opts) = fixture("outside");
    fs::write(dir.join("secret.txt"), "no").unwrap();
    let base = opts.base.clone();
    let err = |paths: &[&str]| {
        let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        resolve_includes(&base, &paths).unwrap_err()
    };
    let e = err(&["../secret.txt"]);
    assert!(matches!(&e, BundleError::IncludeOutside { path, .. } if path == Path::new("../secret.txt")));
    assert!(e.to_string().starts_with("cannot include `../secret.txt`: it is outside "), "{e}");
    assert!(matches!(err(&["static/../../secret.txt"]), BundleError::IncludeOutside { .. }));
    let elsewhere = dir.join("secret.txt");
    assert!(matches!(err(&[elsewhere.to_str().unwrap()]), BundleError::IncludeOutside { .. }));
    let e = err(&["static/missing.css"]);
    assert_eq!(e.to_string(), "cannot include `static/missing.css`: no such file or folder");
    assert!(matches!(err(&["."]), BundleError::IncludeUnsupported { .. }));
    // An absolute path inside the base keeps its relative name.
    let inside = base.join("config.toml");
    let found = resolve_includes(&base, &[inside]).unwrap();
    assert_eq!(found[0].name, "config.toml");

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("secret.txt"), base.join("leak.txt")).unwrap();
        assert!(matches!(err(&["leak.txt"]), BundleError::IncludeOutside { .. }));
        fs::remove_file(base.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(dir.join("secret.txt"), base.join("static/leak.txt")).unwrap();
        let e = err(&["static"]);
        assert!(
            matches!(&e, BundleError::IncludeOutside { path, .. } if path == Path::new("static/leak.txt")),
            "{e}"
        );
        fs::remove_file(base.join("static/leak.txt")).unwrap();
        // Symlinks that stay inside are followed; a loop is walked once.
        std::os::unix::fs::symlink(base.join("static"), base.join("static/css/up")).unwrap();
        std::os::unix::fs::symlink(base.join("config.toml"), base.join("static/config.toml")).unwrap();
        let names: Vec<String> =
            resolve_includes(&base, &["static".into()]).unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            ["static/config.toml", "static/css/site.css", "static/index.html", "static/run.sh"]
        );
    }

    fs::write(base.join("bootstrap"), "mine").unwrap();
    opts.include = vec!["bootstrap".into()];
    let e = write_bundle(&opts).unwrap_err();
    assert!(e.to_string().contains("is the executable's name in the bundle"), "{e}");
    opts.include = vec!["nope".into()];
    assert!(matches!(write_bundle(&opts).unwrap_err(), BundleError::IncludeMissing(_)));
    assert!(!dir.join("out").exists());
}

#[test]
fn sizes_read_in_binary_units() {
    assert_eq!(size_text(512), "512 B");
    assert_eq!(size_text(422_195), "412.3 KiB");
    assert_eq!(size_text(5 * 1_048_576 + 104_858), "5.1 MiB");
}
