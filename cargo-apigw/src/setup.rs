//! Shared by the subcommands: the configuration with the command line's
//! overrides applied, and the function built and ready to start.

use crate::cli::{FlavourArg, FunctionArgs, ModeArg, ProviderArg, RouteOverrides};
use anyhow::{Context, bail};
use apigw_bundle::cargo::{self, Target};
use apigw_gateway::config::{Flavour, Mode, Provider};
use apigw_gateway::{Function, FunctionSpec, GatewayConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads `--config`, or `apigw.toml` in the current directory, or the default.
pub(crate) fn config(path: Option<&Path>, overrides: &RouteOverrides) -> anyhow::Result<GatewayConfig> {
    let mut config = match path {
        Some(p) => GatewayConfig::load(p)?,
        None if Path::new("apigw.toml").exists() => GatewayConfig::load(Path::new("apigw.toml"))?,
        None => GatewayConfig::default_config(),
    };
    let timeout = parse(overrides.timeout.as_deref(), "--timeout")?;
    let gateway_timeout = parse(overrides.gateway_timeout.as_deref(), "--gateway-timeout")?;
    if let Some(p) = overrides.provider {
        config.function.provider = Some(match p {
            ProviderArg::Tencent => Provider::Tencent,
            ProviderArg::Aliyun => Provider::Aliyun,
            ProviderArg::Web => Provider::Web,
        });
    }
    for route in &mut config.routes {
        if let Some(p) = overrides.provider {
            // A function URL is Tencent's too: only Alibaba changes it.
            route.flavour = match p {
                ProviderArg::Aliyun => Flavour::Aliyun,
                _ if route.flavour == Flavour::FunctionUrl => Flavour::FunctionUrl,
                _ => Flavour::Tencent,
            };
        }
        if let Some(f) = overrides.flavour {
            route.flavour = match f {
                FlavourArg::Tencent => Flavour::Tencent,
                FlavourArg::Aliyun => Flavour::Aliyun,
                FlavourArg::FunctionUrl => Flavour::FunctionUrl,
            };
        }
        if let Some(m) = overrides.mode {
            route.mode = if m == ModeArg::Passthrough { Mode::Passthrough } else { Mode::Integration };
        }
        if let Some(t) = timeout {
            route.function_timeout = t;
        }
        if let Some(t) = gateway_timeout {
            route.gateway_timeout = t;
        }
    }
    Ok(config)
}

fn parse(value: Option<&str>, flag: &str) -> anyhow::Result<Option<std::time::Duration>> {
    match value {
        None => Ok(None),
        Some(v) => match apigw_gateway::config::parse_duration(v) {
            Some(d) => Ok(Some(d)),
            None => bail!("{flag} `{v}` is not a duration: write 500ms, 3s or 2m"),
        },
    }
}

/// Whether any route sends requests to the function.
pub(crate) fn needs_function(config: &GatewayConfig) -> bool {
    config.routes.iter().any(|r| r.backend == apigw_gateway::config::Backend::Function)
}

/// The build target: the command line's choice, else the configuration's.
pub(crate) fn target(args: &FunctionArgs, config: &GatewayConfig) -> Target {
    let (bin, example) = match (&args.bin, &args.example) {
        (None, None) => (config.function.bin.clone(), config.function.example.clone()),
        (bin, example) => (bin.clone(), example.clone()),
    };
    Target { bin, example, release: args.release, ..Target::default() }
}

/// Builds the function (cargo's progress shown) and returns its executable.
pub(crate) fn build(target: &Target) -> anyhow::Result<PathBuf> {
    let dir = std::env::current_dir().context("the current directory")?;
    Ok(cargo::build(&dir, target)?)
}

/// The function process's spec for `exe` under `config`.
pub(crate) fn function(exe: PathBuf, config: &GatewayConfig) -> Arc<Function> {
    let provider = config.function.provider.unwrap_or(match config.routes.first().map(|r| r.flavour) {
        Some(Flavour::Aliyun) => Provider::Aliyun,
        _ => Provider::Tencent,
    });
    let name = exe.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "function".into());
    Arc::new(Function::new(FunctionSpec {
        exe,
        provider,
        name,
        memory_mb: config.function.memory_mb,
        env: config.function.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    }))
}
