//! Shared by the subcommands: the configuration with the command line's
//! overrides applied, and the function built and ready to start.

use crate::cli::{FlavourArg, FunctionArgs, ModeArg, ProviderArg, RouteOverrides};
use anyhow::{Context, bail};
use apigw_bundle::cargo::{self, Target};
use apigw_gateway::config::{Flavour, FunctionConfig, Mode, Provider};
use apigw_gateway::{Function, FunctionSpec, GatewayConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The variable a function reads its WebSocket push address from.
const PUSH_URL_VAR: &str = "APIGW_WS_PUSH_URL";

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
        for function in config.functions.values_mut() {
            function.provider = Some(match p {
                ProviderArg::Tencent => Provider::Tencent,
                ProviderArg::Aliyun => Provider::Aliyun,
                ProviderArg::Web => Provider::Web,
            });
        }
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

/// Whether any route sends requests to a function.
pub(crate) fn needs_function(config: &GatewayConfig) -> bool {
    config.routes.iter().any(|r| r.backend == apigw_gateway::config::Backend::Function)
}

/// The function `--function` names, or the only one.
pub(crate) fn pick<'c>(
    config: &'c GatewayConfig,
    name: Option<&str>,
) -> anyhow::Result<(&'c str, &'c FunctionConfig)> {
    let names = || config.functions.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
    match name {
        Some(n) => config
            .functions
            .get_key_value(n)
            .map(|(k, f)| (k.as_str(), f))
            .with_context(|| format!("--function `{n}`: no such function; there are {}", names())),
        None if config.functions.len() == 1 => {
            config.functions.iter().next().map(|(k, f)| (k.as_str(), f)).context("no function")
        }
        None => bail!("several functions are configured: pick one with --function ({})", names()),
    }
}

/// The build target of function `f`: the command line's `--bin` or
/// `--example` when given, else the function's own.
pub(crate) fn target(args: &FunctionArgs, f: &FunctionConfig) -> Target {
    let (bin, example) = match (&args.bin, &args.example) {
        (None, None) => (f.bin.clone(), f.example.clone()),
        (bin, example) => (bin.clone(), example.clone()),
    };
    Target { bin, example, release: args.release, quiet: args.quiet, ..Target::default() }
}

/// The targets of the functions to run: all of them, or the one
/// `--function` names. `--bin`/`--example` apply when one function runs.
pub(crate) fn targets(
    args: &FunctionArgs,
    config: &GatewayConfig,
) -> anyhow::Result<BTreeMap<String, Target>> {
    if args.function.is_some() || config.functions.len() == 1 {
        let (name, f) = pick(config, args.function.as_deref())?;
        return Ok(BTreeMap::from([(name.to_owned(), target(args, f))]));
    }
    if args.bin.is_some() || args.example.is_some() {
        bail!("--bin and --example pick the build of one function: name it with --function");
    }
    let none = FunctionArgs { release: args.release, quiet: args.quiet, ..FunctionArgs::default() };
    Ok(config.functions.iter().map(|(name, f)| (name.clone(), target(&none, f))).collect())
}

/// Builds the function (cargo's progress shown) and returns its executable.
pub(crate) fn build(target: &Target) -> anyhow::Result<PathBuf> {
    let dir = std::env::current_dir().context("the current directory")?;
    Ok(cargo::build(&dir, target)?)
}

/// Builds each target once (functions may share one) and returns the
/// executables by function name.
pub(crate) fn build_all(targets: &BTreeMap<String, Target>) -> anyhow::Result<BTreeMap<String, PathBuf>> {
    let mut built: Vec<(&Target, PathBuf)> = Vec::new();
    let mut exes = BTreeMap::new();
    for (name, target) in targets {
        let exe = match built.iter().find(|(t, _)| *t == target) {
            Some((_, exe)) => exe.clone(),
            None => {
                let exe = match targets.len() {
                    1 => build(target)?,
                    _ => build(target).with_context(|| format!("building function `{name}`"))?,
                };
                built.push((target, exe.clone()));
                exe
            }
        };
        exes.insert(name.clone(), exe);
    }
    Ok(exes)
}

/// The function process's spec for `exe`, function `name` of `config`;
/// `push_url`, when the gateway serves a push address, is handed to it as
/// `APIGW_WS_PUSH_URL` unless its `env` sets one.
pub(crate) fn function(
    exe: PathBuf,
    name: &str,
    config: &GatewayConfig,
    push_url: Option<&str>,
) -> Arc<Function> {
    let f = config.functions.get(name).cloned().unwrap_or_default();
    let provider = f.provider_for(config.flavour_of(name));
    let process_name =
        exe.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| name.into());
    let mut spec = FunctionSpec::new(exe, provider, process_name);
    spec.memory_mb = f.memory_mb;
    spec.env = f.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if let Some(url) = push_url.filter(|_| !f.env.contains_key(PUSH_URL_VAR)) {
        spec.env.push((PUSH_URL_VAR.to_owned(), url.to_owned()));
    }
    spec.max_instances = f.max_instances;
    spec.instance_concurrency = f.instance_concurrency;
    spec.idle_timeout = f.idle_timeout;
    Arc::new(Function::new(spec))
}

/// The functions for `exes` under `config`, by name.
pub(crate) fn functions(
    exes: &BTreeMap<String, PathBuf>,
    config: &GatewayConfig,
) -> BTreeMap<String, Arc<Function>> {
    exes.iter().map(|(name, exe)| (name.clone(), function(exe.clone(), name, config, None))).collect()
}
