//! `cargo apigw build`: the function built in release mode for the
//! platform's Linux and zipped the way the platform takes it.

use crate::cli::{BuildArgs, BundleProvider, RouteOverrides};
use crate::setup;
use anyhow::{Context, bail};
use apigw_gateway::build::{self, Target};
use apigw_gateway::bundle::{self, Arch, BundleOptions, Limits};
use apigw_gateway::config::Provider;
use std::process::ExitCode;

const X86_64_MUSL: &str = "x86_64-unknown-linux-musl";
const AARCH64_MUSL: &str = "aarch64-unknown-linux-musl";

pub(crate) fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let dir = std::env::current_dir().context("the current directory")?;
    let config = setup::config(None, &RouteOverrides::default())?;
    let provider = provider(args.provider, args.web, config.function.provider)?;
    let timestamp = timestamp(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    // The includes are checked again when the zip is written; checking them
    // now reports a mistake before the long release build.
    bundle::resolve_includes(&dir, &args.include)?;
    let host = build::host_triple()?;
    let choice = choose_target(args.target.as_deref(), args.arm64, &host, build::target_installed)?;
    if let Some(warning) = &choice.warning {
        eprintln!("warning: {warning}");
    }
    let (bin, example) = match (&args.bin, &args.example) {
        (None, None) => (config.function.bin.clone(), config.function.example.clone()),
        (bin, example) => (bin.clone(), example.clone()),
    };
    let target = Target { bin, example, release: true, triple: choice.cargo_target.clone() };
    let exe = build::build(&dir, &target)?;
    let name = exe.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "function".into());
    let out_dir = match &args.output {
        Some(d) => dir.join(d),
        None => build::target_directory(&dir)?.join("apigw"),
    };
    let info = bundle::write_bundle(&BundleOptions {
        exe,
        provider,
        arch: choice.arch,
        base: dir.clone(),
        include: args.include,
        output: out_dir.join(format!("{name}.zip")),
        timestamp,
        limits: Limits::of(provider),
    })
    .with_context(|| format!("bundling {name}"))?;
    let shown = info.path.strip_prefix(&dir).unwrap_or(&info.path);
    println!("{}  {}  {}  {}", shown.display(), bundle::size_text(info.size), choice.triple, info.entry);
    Ok(ExitCode::SUCCESS)
}

/// The platform: `--web` and `--provider`, else the configuration's, else Tencent.
fn provider(
    flag: Option<BundleProvider>,
    web: bool,
    configured: Option<Provider>,
) -> anyhow::Result<Provider> {
    Ok(match (flag, web) {
        (Some(BundleProvider::Aliyun), true) => bail!(
            "--web bundles a Tencent web function (`scf_bootstrap`); Alibaba's custom runtime starts `bootstrap`: drop --web"
        ),
        (_, true) => Provider::Web,
        (Some(BundleProvider::Tencent), false) => Provider::Tencent,
        (Some(BundleProvider::Aliyun), false) => Provider::Aliyun,
        (None, false) => configured.unwrap_or(Provider::Tencent),
    })
}

/// The entries' time: `SOURCE_DATE_EPOCH` when set, else the zip epoch.
fn timestamp(var: Option<&str>) -> anyhow::Result<u64> {
    match var.map(str::trim) {
        None | Some("") => Ok(bundle::ZIP_EPOCH),
        Some(v) => v.parse().with_context(|| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds")),
    }
}

/// What to build for.
#[derive(Debug, PartialEq, Eq)]
struct Choice {
    /// The triple the binary is built for.
    triple: String,
    /// What to pass to cargo as `--target`: nothing for the host, so the
    /// build shares cargo's ordinary release directory.
    cargo_target: Option<String>,
    arch: Arch,
    /// Said on stderr before building.
    warning: Option<String>,
}

/// `--target` when given; `--arm64` → aarch64 musl, which must be installed;
/// else x86_64 musl when installed, else the host when it is x86_64 Linux
/// (with a warning about glibc).
fn choose_target(
    explicit: Option<&str>,
    arm64: bool,
    host: &str,
    installed: impl Fn(&str) -> bool,
) -> anyhow::Result<Choice> {
    let (triple, cargo_target, warning) = if let Some(t) = explicit {
        (t, Some(t), None)
    } else if arm64 {
        if !installed(AARCH64_MUSL) {
            bail!(
                "--arm64 builds for {AARCH64_MUSL}, which is not installed: run `rustup target add {AARCH64_MUSL}`"
            );
        }
        (AARCH64_MUSL, Some(AARCH64_MUSL), None)
    } else if installed(X86_64_MUSL) {
        (X86_64_MUSL, Some(X86_64_MUSL), None)
    } else if host.starts_with("x86_64-") && host.contains("-linux") {
        let warning = format!(
            "{X86_64_MUSL} is not installed, so the bundle is built for {host} and needs a glibc at least as new \
             as this machine's (SCF runs CentOS 7, glibc 2.17); `rustup target add {X86_64_MUSL}` makes a static \
             binary that runs on any Linux"
        );
        (host, None, Some(warning))
    } else {
        bail!(
            "this machine builds for {host}, which the platforms do not run: run `rustup target add {X86_64_MUSL}` \
             (or pass --target)"
        );
    };
    let arch = Arch::of_triple(triple)
        .filter(|_| triple.contains("-linux"))
        .with_context(|| format!("--target {triple}: the platforms run x86_64 or aarch64 Linux"))?;
    Ok(Choice { triple: triple.into(), cargo_target: cargo_target.map(Into::into), arch, warning })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "x86_64-unknown-linux-gnu";

    #[test]
    fn musl_when_installed_else_the_host_with_a_warning() {
        let musl = choose_target(None, false, HOST, |t| t == X86_64_MUSL).unwrap();
        assert_eq!((musl.triple.as_str(), musl.cargo_target.as_deref()), (X86_64_MUSL, Some(X86_64_MUSL)));
        assert_eq!((musl.arch, musl.warning), (Arch::X86_64, None));
        let host = choose_target(None, false, HOST, |_| false).unwrap();
        assert_eq!((host.triple.as_str(), host.cargo_target), (HOST, None));
        assert!(host.warning.unwrap().contains("needs a glibc at least as new as this machine's"));
        let err = choose_target(None, false, "aarch64-apple-darwin", |_| false).unwrap_err();
        assert!(err.to_string().contains("rustup target add x86_64-unknown-linux-musl"), "{err}");
    }

    #[test]
    fn arm64_needs_its_musl_target_and_target_overrides() {
        let err = choose_target(None, true, HOST, |t| t == X86_64_MUSL).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--arm64 builds for aarch64-unknown-linux-musl, which is not installed: \
             run `rustup target add aarch64-unknown-linux-musl`"
        );
        let arm = choose_target(None, true, HOST, |_| true).unwrap();
        assert_eq!((arm.cargo_target.as_deref(), arm.arch), (Some(AARCH64_MUSL), Arch::Aarch64));
        let gnu = choose_target(Some(HOST), false, HOST, |_| true).unwrap();
        assert_eq!((gnu.cargo_target.as_deref(), gnu.warning), (Some(HOST), None));
        assert!(choose_target(Some("x86_64-pc-windows-gnu"), false, HOST, |_| true).is_err());
        assert!(choose_target(Some("armv7-unknown-linux-musleabihf"), false, HOST, |_| true).is_err());
    }

    #[test]
    fn the_provider_comes_from_the_flags_then_the_configuration() {
        assert_eq!(provider(None, false, None).unwrap(), Provider::Tencent);
        assert_eq!(provider(None, false, Some(Provider::Aliyun)).unwrap(), Provider::Aliyun);
        assert_eq!(
            provider(Some(BundleProvider::Tencent), false, Some(Provider::Web)).unwrap(),
            Provider::Tencent
        );
        assert_eq!(provider(None, true, None).unwrap(), Provider::Web);
        assert!(provider(Some(BundleProvider::Aliyun), true, None).is_err());
    }

    #[test]
    fn source_date_epoch_sets_the_time() {
        assert_eq!(timestamp(None).unwrap(), bundle::ZIP_EPOCH);
        assert_eq!(timestamp(Some("")).unwrap(), bundle::ZIP_EPOCH);
        assert_eq!(timestamp(Some("1700000000")).unwrap(), 1_700_000_000);
        assert!(timestamp(Some("yesterday")).unwrap_err().to_string().contains("SOURCE_DATE_EPOCH"));
    }
}
