//! The ELF check over small executables built here with `cc` and `rustc`,
//! with `readelf` as the independent reading of what they need.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use std::path::PathBuf;
use std::process::Command;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigw-elf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cmd`, failing the test with what to install when it cannot run.
fn run(mut cmd: Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?} ({e}): {what}"));
    assert!(out.status.success(), "{cmd:?}: {}\n{what}", String::from_utf8_lossy(&out.stderr));
}

/// `source` compiled by `cc` with `args` into `name`.
fn cc(name: &str, source: &str, args: &[&str]) -> Vec<u8> {
    let dir = temp_dir();
    let (src, out) = (dir.join(format!("{name}.c")), dir.join(name));
    std::fs::write(&src, source).unwrap();
    let mut cmd = Command::new("cc");
    cmd.args(args).arg("-o").arg(&out).arg(&src);
    run(cmd, "these tests build small programs with cc: `apt-get install gcc libc6-dev`");
    std::fs::read(out).unwrap()
}

/// A two-line Rust program built by rustc for `triple`, linked by rust-lld.
fn rust_for(triple: &str) -> Vec<u8> {
    let dir = temp_dir();
    let (src, out) = (dir.join(format!("tiny-{triple}.rs")), dir.join(format!("tiny-{triple}")));
    std::fs::write(&src, "fn main() { println!(\"tiny\"); }\n").unwrap();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = Command::new(rustc);
    cmd.args(["--target", triple, "-C", "linker=rust-lld", "-C", "opt-level=0", "-o"]).arg(&out).arg(&src);
    run(cmd, &format!("the target is missing: `rustup target add {triple}` (bash scripts/toolchains.sh)"));
    std::fs::read(out).unwrap()
}

/// The newest `GLIBC_x.y` that `readelf -V` lists for `bytes` (written to
/// a file named after `name`, so tests running at once do not share it).
fn readelf_newest(name: &str, bytes: &[u8]) -> GlibcVersion {
    let path = temp_dir().join(format!("readelf-{name}"));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("readelf").arg("-V").arg(&path).output().expect("readelf (binutils) is installed");
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix("Name:").or(Some(w)))
        .filter_map(GlibcVersion::of_symbol_version)
        .max()
        .unwrap_or_else(|| panic!("no GLIBC_ version in readelf's output:\n{text}"))
}

const MAIN: &str = "int main(void) { return 0; }\n";

/// Asks glibc for `write` and `_exit` as they were in glibc 2.2.5, the
/// x86-64 baseline, and skips the C start files that would need a newer one.
const OLD_GLIBC: &str = r#"
#include <unistd.h>
__asm__(".symver write,write@GLIBC_2.2.5");
__asm__(".symver _exit,_exit@GLIBC_2.2.5");
void _start(void) { write(1, "hi\n", 3); _exit(0); }
"#;

#[test]
fn a_build_against_this_machines_glibc_is_refused_naming_the_version_it_needs() {
    let exe = cc("dynamic", MAIN, &[]);
    let info = inspect(&exe).unwrap();
    let Linkage::Dynamic { interpreter, libraries, glibc } = &info.linkage else { panic!("{info:?}") };
    assert_eq!(interpreter, "/lib64/ld-linux-x86-64.so.2");
    assert!(libraries.iter().any(|l| l == "libc.so.6"), "{libraries:?}");
    let newest = readelf_newest("dynamic", &exe);
    assert_eq!(*glibc, Some(newest));
    assert!(
        newest > GlibcVersion::new(2, 28),
        "this machine's glibc is newer than both platforms' ({newest})"
    );
    let err = check(&info, Arch::X86_64, Platform::Tencent).unwrap_err();
    assert_eq!(
        err,
        Refusal::Glibc { needs: newest, has: GlibcVersion::new(2, 17), system: "Tencent SCF (CentOS 7)" }
    );
    assert!(
        err.to_string().starts_with(&format!("it needs glibc {newest} (symbol version GLIBC_{newest})")),
        "{err}"
    );
    let err = check(&info, Arch::X86_64, Platform::Aliyun).unwrap_err();
    assert!(err.to_string().contains("has glibc 2.28"), "{err}");
    assert_eq!(info.linkage.to_string(), format!("glibc ≥ {newest}"));
}

#[test]
fn a_dynamic_executable_within_the_platforms_glibc_is_accepted() {
    let exe = cc("old-glibc", OLD_GLIBC, &["-nostartfiles"]);
    let info = inspect(&exe).unwrap();
    assert_eq!(readelf_newest("old-glibc", &exe), GlibcVersion { major: 2, minor: 2, patch: 5 });
    assert!(matches!(&info.linkage, Linkage::Dynamic { glibc: Some(v), .. } if v.to_string() == "2.2.5"));
    assert_eq!(check(&info, Arch::X86_64, Platform::Tencent), Ok(()));
    assert_eq!(check(&info, Arch::X86_64, Platform::Aliyun), Ok(()));
    assert_eq!(info.linkage.to_string(), "glibc ≥ 2.2.5");
}

#[test]
fn static_executables_are_accepted_whatever_built_them() {
    let glibc_static = inspect(&cc("static", MAIN, &["-static"])).unwrap();
    assert_eq!(glibc_static.linkage, Linkage::Static);
    assert_eq!(check(&glibc_static, Arch::X86_64, Platform::Tencent), Ok(()));

    // Rust's musl targets build static PIEs: ET_DYN with no interpreter.
    let musl = rust_for("x86_64-unknown-linux-musl");
    assert_eq!(u16::from_le_bytes([musl[16], musl[17]]), ET_DYN);
    let info = inspect(&musl).unwrap();
    assert_eq!((info.machine, &info.linkage), (0x3E, &Linkage::Static));
    assert_eq!(info.linkage.to_string(), "static");
    assert_eq!(check(&info, Arch::X86_64, Platform::Tencent), Ok(()));
}

#[test]
fn the_architecture_must_be_the_one_asked_for() {
    let info = inspect(&rust_for("aarch64-unknown-linux-musl")).unwrap();
    assert_eq!((info.machine, &info.linkage), (0xB7, &Linkage::Static));
    assert_eq!(check(&info, Arch::Aarch64, Platform::Aliyun), Ok(()));
    let err = check(&info, Arch::X86_64, Platform::Aliyun).unwrap_err();
    assert_eq!(err, Refusal::Arch { found: 0xB7, want: Arch::X86_64 });
    assert_eq!(err.to_string(), "it is built for ELF machine 0xb7, not x86_64");
    let x86 = inspect(&cc("x86", MAIN, &["-static"])).unwrap();
    assert!(matches!(check(&x86, Arch::Aarch64, Platform::Tencent), Err(Refusal::Arch { found: 0x3E, .. })));
}

#[test]
fn what_does_not_run_is_named() {
    let lib = cc("lib.so", "int f(void) { return 1; }\n", &["-shared", "-fPIC"]);
    assert_eq!(inspect(&lib), Err(NotElf::NotExecutable("shared library")));
    let obj = cc("obj.o", MAIN, &["-c"]);
    assert_eq!(inspect(&obj), Err(NotElf::NotExecutable("object file")));
    assert_eq!(inspect(b""), Err(NotElf::NoMagic));
    assert_eq!(inspect(b"#!/bin/sh\necho hi\n"), Err(NotElf::NoMagic));
    assert_eq!(inspect(b"\x7fELF\x02\x01"), Err(NotElf::TooShort));
    let mut exe = cc("flags", MAIN, &["-static"]);
    exe[4] = 1;
    assert_eq!(inspect(&exe), Err(NotElf::Not64Bit));
    exe[4] = 2;
    exe[5] = 2;
    assert_eq!(inspect(&exe), Err(NotElf::BigEndian));
    exe[5] = 1;
    // Program headers said to lie past the end of the file.
    exe[32..40].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    assert!(matches!(inspect(&exe), Err(NotElf::Malformed(_))), "{:?}", inspect(&exe));
}

#[test]
fn symbols_are_seen_until_stripped() {
    assert!(inspect(&cc("symbols", MAIN, &["-static"])).unwrap().symbols);
    assert!(!inspect(&cc("stripped", MAIN, &["-static", "-s"])).unwrap().symbols);
}

#[test]
fn musls_shared_loader_is_not_glibcs() {
    let info = ElfInfo {
        machine: 0x3E,
        linkage: Linkage::Dynamic {
            interpreter: "/lib/ld-musl-x86_64.so.1".into(),
            libraries: vec!["libc.so".into()],
            glibc: None,
        },
        symbols: false,
    };
    let err = check(&info, Arch::X86_64, Platform::Tencent).unwrap_err();
    assert_eq!(
        err.to_string(),
        "it is loaded by /lib/ld-musl-x86_64.so.1, which Tencent SCF (CentOS 7) does not have: link it statically"
    );
}

#[test]
fn symbol_versions_read_as_glibc_releases() {
    let v = GlibcVersion::of_symbol_version;
    assert_eq!(v("GLIBC_2.17"), Some(GlibcVersion::new(2, 17)));
    assert_eq!(v("GLIBC_2.2.5"), Some(GlibcVersion { major: 2, minor: 2, patch: 5 }));
    assert_eq!(v("GLIBC_ABI_DT_RELR"), Some(GlibcVersion::new(2, 36)));
    for other in ["GLIBC_PRIVATE", "GCC_3.0", "GLIBC_2", "GLIBC_2.x", "GLIBC_2.1.2.3", "2.17"] {
        assert_eq!(v(other), None, "{other}");
    }
    assert!(v("GLIBC_2.2.5") < v("GLIBC_2.17") && v("GLIBC_2.17") < v("GLIBC_2.28"));
    assert_eq!(GlibcVersion::new(2, 17).to_string(), "2.17");
}
