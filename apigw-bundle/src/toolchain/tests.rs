//! The choice of linker on machines described by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

const HOST: &str = "x86_64-unknown-linux-gnu";
const X86_MUSL: &str = "x86_64-unknown-linux-musl";
const ARM_MUSL: &str = "aarch64-unknown-linux-musl";
const ARM_GNU: &str = "aarch64-unknown-linux-gnu";

/// A machine with the standard libraries `std` and zig or not.
struct Fake {
    host: &'static str,
    std: Vec<&'static str>,
    zig: bool,
}

impl Machine for Fake {
    fn host(&self) -> &str {
        self.host
    }
    fn has_std(&self, triple: &str) -> bool {
        self.std.contains(&triple)
    }
    fn has_zig(&self) -> bool {
        self.zig
    }
}

fn machine(std: &[&'static str], zig: bool) -> Fake {
    let mut all = vec![HOST];
    all.extend(std);
    Fake { host: HOST, std: all, zig }
}

fn pick(arch: Arch, linker: Option<Linker>, m: &Fake) -> Result<Toolchain, ToolchainError> {
    choose(&Request { arch, linker, target: None }, m)
}

fn target(triple: &str, linker: Option<Linker>, m: &Fake) -> Result<Toolchain, ToolchainError> {
    choose(&Request { arch: Arch::X86_64, linker, target: Some(triple.into()) }, m)
}

#[test]
fn musl_first_then_zig_then_a_refusal_that_says_both_fixes() {
    let musl = pick(Arch::X86_64, None, &machine(&[X86_MUSL], true)).unwrap();
    assert_eq!(
        (musl.linker, musl.triple.as_str(), musl.cargo_target.as_deref()),
        (Linker::Musl, X86_MUSL, Some(X86_MUSL))
    );
    assert_eq!(musl.env, Vec::<(String, String)>::new(), "the host's cc links its own architecture");

    let zig = pick(Arch::X86_64, None, &machine(&[], true)).unwrap();
    assert_eq!((zig.linker, zig.triple.as_str()), (Linker::Zig, "x86_64-unknown-linux-gnu.2.17"));
    assert_eq!(zig.cargo_target.as_deref(), Some("x86_64-unknown-linux-gnu.2.17"));

    let err = pick(Arch::X86_64, None, &machine(&[], false)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no way to build a bundle that starts on the platform: x86_64-unknown-linux-musl is not installed and \
         zig was not found; either install the musl target for a static binary, `rustup target add \
         x86_64-unknown-linux-musl`, or install zig to link against glibc 2.17, `pip install ziglang`"
    );
}

#[test]
fn arm64_links_musl_with_rust_lld_or_uses_zig_and_says_what_to_install() {
    let arm = pick(Arch::Aarch64, None, &machine(&[ARM_MUSL], false)).unwrap();
    assert_eq!((arm.linker, arm.triple.as_str(), arm.arch), (Linker::Musl, ARM_MUSL, Arch::Aarch64));
    assert_eq!(
        arm.env,
        [("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER".to_owned(), "rust-lld".to_owned())]
    );

    let zig = pick(Arch::Aarch64, None, &machine(&[ARM_GNU], true)).unwrap();
    assert_eq!((zig.linker, zig.triple.as_str()), (Linker::Zig, "aarch64-unknown-linux-gnu.2.17"));

    let err = pick(Arch::Aarch64, None, &machine(&[], true)).unwrap_err();
    assert!(err.to_string().contains("`rustup target add aarch64-unknown-linux-musl`"), "{err}");
    assert!(
        err.to_string().ends_with("`pip install ziglang` and `rustup target add aarch64-unknown-linux-gnu`"),
        "{err}"
    );

    let err = pick(Arch::Aarch64, Some(Linker::Musl), &machine(&[], true)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "aarch64-unknown-linux-musl is not installed: run `rustup target add aarch64-unknown-linux-musl`"
    );
    let err = pick(Arch::Aarch64, Some(Linker::Host), &machine(&[], true)).unwrap_err();
    assert_eq!(err, ToolchainError::HostCannot { host: HOST.into(), arch: Arch::Aarch64 });

    // On an arm64 host the host's own linker builds aarch64 musl.
    let arm_host = Fake { host: ARM_GNU, std: vec![ARM_GNU, ARM_MUSL], zig: false };
    assert!(pick(Arch::Aarch64, None, &arm_host).unwrap().env.is_empty());
    let x86_from_arm = Fake { host: ARM_GNU, std: vec![X86_MUSL], zig: false };
    assert_eq!(pick(Arch::X86_64, None, &x86_from_arm).unwrap().env[0].1, "rust-lld");
}

#[test]
fn each_way_can_be_forced() {
    let all = machine(&[X86_MUSL], true);
    assert_eq!(pick(Arch::X86_64, Some(Linker::Musl), &all).unwrap().linker, Linker::Musl);
    assert_eq!(pick(Arch::X86_64, Some(Linker::Zig), &all).unwrap().linker, Linker::Zig);
    let host = pick(Arch::X86_64, Some(Linker::Host), &all).unwrap();
    assert_eq!((host.linker, host.triple.as_str(), host.cargo_target), (Linker::Host, HOST, None));

    assert_eq!(
        pick(Arch::X86_64, Some(Linker::Zig), &machine(&[X86_MUSL], false)),
        Err(ToolchainError::NoZig)
    );
    assert_eq!(
        pick(Arch::X86_64, Some(Linker::Musl), &machine(&[], true)),
        Err(ToolchainError::MissingStd { triple: X86_MUSL.into() })
    );
    let mac = Fake { host: "aarch64-apple-darwin", std: vec![], zig: false };
    assert!(matches!(pick(Arch::X86_64, Some(Linker::Host), &mac), Err(ToolchainError::HostCannot { .. })));
}

#[test]
fn an_explicit_target_picks_its_way_and_is_checked() {
    let all = machine(&[X86_MUSL, ARM_MUSL, ARM_GNU], true);
    let t = target("x86_64-unknown-linux-gnu.2.28", None, &all).unwrap();
    assert_eq!(
        (t.linker, t.triple.as_str(), t.arch),
        (Linker::Zig, "x86_64-unknown-linux-gnu.2.28", Arch::X86_64)
    );
    assert_eq!(target(ARM_MUSL, None, &all).unwrap().env[0].1, "rust-lld");
    assert_eq!(target(ARM_GNU, None, &all).unwrap().linker, Linker::Zig);
    assert_eq!(target(HOST, None, &machine(&[], false)).unwrap().linker, Linker::Host);
    assert_eq!(target(ARM_GNU, None, &machine(&[ARM_GNU], false)), Err(ToolchainError::NoZig));
    assert!(matches!(target(HOST, Some(Linker::Musl), &all), Err(ToolchainError::Mismatch { .. })));
    assert!(matches!(
        target("x86_64-unknown-linux-gnu.2.17", Some(Linker::Host), &all),
        Err(ToolchainError::Mismatch { .. })
    ));
    assert!(matches!(target(ARM_GNU, Some(Linker::Host), &all), Err(ToolchainError::Mismatch { .. })));
    assert_eq!(
        target("x86_64-unknown-linux-musl", None, &machine(&[], true)),
        Err(ToolchainError::MissingStd { triple: X86_MUSL.into() })
    );
    for unsupported in ["x86_64-pc-windows-gnu", "armv7-unknown-linux-musleabihf", "x86_64-apple-darwin"] {
        assert_eq!(target(unsupported, None, &all), Err(ToolchainError::Unsupported(unsupported.into())));
    }
}
