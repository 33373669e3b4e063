//! `cargo apigw build`: the function built in release mode, linked so it
//! starts on the platform, checked, and zipped the way the platform takes it.

use crate::cli::{BuildArgs, BundleProvider, LinkerArg, RouteOverrides};
use crate::setup;
use anyhow::{Context, bail};
use apigw_bundle::toolchain::{Linker, Request, ThisMachine};
use apigw_bundle::{Arch, BundleSpec, Platform, archive, build_bundle};
use apigw_gateway::config::Provider;
use std::process::ExitCode;

pub(crate) fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let dir = std::env::current_dir().context("the current directory")?;
    let config = setup::config(None, &RouteOverrides::default())?;
    let (_, function) = setup::pick(&config, args.function.as_deref())?;
    let platform = platform(args.provider, args.web, function.provider)?;
    let timestamp = timestamp(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    let (bin, example) = match (&args.bin, &args.example) {
        (None, None) => (function.bin.clone(), function.example.clone()),
        (bin, example) => (bin.clone(), example.clone()),
    };
    let linker = args.linker.map(|l| match l {
        LinkerArg::Musl => Linker::Musl,
        LinkerArg::Zig => Linker::Zig,
        LinkerArg::Host => Linker::Host,
    });
    let arch = if args.arm64 { Arch::Aarch64 } else { Arch::X86_64 };
    let spec = BundleSpec {
        dir: dir.clone(),
        bin,
        example,
        platform,
        request: Request { arch, linker, target: args.target },
        strip: !args.no_strip,
        include: args.include,
        output_dir: args.output,
        timestamp,
        quiet: args.quiet,
    };
    let bundle = build_bundle(&spec, &ThisMachine::probe()?).context("no bundle was written")?;
    for warning in &bundle.warnings {
        eprintln!("warning: {warning}");
    }
    let info = &bundle.info;
    let shown = info.path.strip_prefix(&dir).unwrap_or(&info.path);
    println!(
        "{}  {}  {}  {}  {}  {}",
        shown.display(),
        archive::size_text(info.size),
        bundle.toolchain.triple,
        bundle.toolchain.linker,
        info.elf.linkage,
        info.entry
    );
    Ok(ExitCode::SUCCESS)
}

/// The platform: `--web` and `--provider`, else the configuration's, else Tencent.
fn platform(
    flag: Option<BundleProvider>,
    web: bool,
    configured: Option<Provider>,
) -> anyhow::Result<Platform> {
    Ok(match (flag, web) {
        (Some(BundleProvider::Aliyun), true) => bail!(
            "--web bundles a Tencent web function (`scf_bootstrap`); Alibaba's custom runtime starts `bootstrap`: drop --web"
        ),
        (_, true) => Platform::TencentWeb,
        (Some(BundleProvider::Tencent), false) => Platform::Tencent,
        (Some(BundleProvider::Aliyun), false) => Platform::Aliyun,
        (None, false) => match configured {
            Some(Provider::Aliyun) => Platform::Aliyun,
            Some(Provider::Web) => Platform::TencentWeb,
            Some(Provider::Tencent) | None => Platform::Tencent,
        },
    })
}

/// The entries' time: `SOURCE_DATE_EPOCH` when set, else the zip epoch.
fn timestamp(var: Option<&str>) -> anyhow::Result<u64> {
    match var.map(str::trim) {
        None | Some("") => Ok(archive::ZIP_EPOCH),
        Some(v) => v.parse().with_context(|| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_comes_from_the_flags_then_the_configuration() {
        assert_eq!(platform(None, false, None).unwrap(), Platform::Tencent);
        assert_eq!(platform(None, false, Some(Provider::Aliyun)).unwrap(), Platform::Aliyun);
        assert_eq!(platform(None, false, Some(Provider::Web)).unwrap(), Platform::TencentWeb);
        assert_eq!(
            platform(Some(BundleProvider::Tencent), false, Some(Provider::Web)).unwrap(),
            Platform::Tencent
        );
        assert_eq!(platform(None, true, None).unwrap(), Platform::TencentWeb);
        assert!(platform(Some(BundleProvider::Aliyun), true, None).is_err());
    }

    #[test]
    fn source_date_epoch_sets_the_time() {
        assert_eq!(timestamp(None).unwrap(), archive::ZIP_EPOCH);
        assert_eq!(timestamp(Some("")).unwrap(), archive::ZIP_EPOCH);
        assert_eq!(timestamp(Some("1700000000")).unwrap(), 1_700_000_000);
        assert!(timestamp(Some("yesterday")).unwrap_err().to_string().contains("SOURCE_DATE_EPOCH"));
    }
}
