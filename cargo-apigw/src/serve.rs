//! `cargo apigw serve`: the gateway on 127.0.0.1, one access-log line per
//! request, and a live dev loop: a change to the sources rebuilds the
//! functions, a change to `apigw.toml` reloads routes, keys, stages and
//! functions, without dropping requests in flight. SIGINT, SIGTERM and
//! SIGHUP stop it, and every function it started, after the requests in
//! flight (for at most [`DRAIN`]).

use crate::cli::ServeArgs;
use crate::signals::Signals;
use crate::watch::{Change, Watcher};
use crate::{setup, table};
use anyhow::Context;
use apigw_bundle::cargo::Target;
use apigw_gateway::config::FunctionConfig;
use apigw_gateway::{Function, Gateway, GatewayConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// How long a stop or a reload waits for the requests in flight.
const DRAIN: Duration = Duration::from_secs(5);

pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut signals = Signals::listen().context("listening for signals")?;
    let config = setup::config(args.function.config.as_deref(), &args.overrides)?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    // The port is checked before anything is built.
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another server using the port? pick one with --port)")
    })?;
    // The push address of WebSocket APIs, handed to every function.
    let (push, push_url) =
        apigw_gateway::websocket::push::bind(0).await.context("binding the push address")?;
    let mut built = Built { push_url: push_url.clone(), ..Built::default() };
    built.update(&args, &config, false).await?;
    let gateway = Arc::new(Gateway::with_functions(config, built.functions.clone()));
    eprintln!("apigw gateway listening on http://{}", listener.local_addr().unwrap_or(addr));
    if gateway.config().routes.iter().any(|r| r.websocket.is_some()) {
        eprintln!("WebSocket push address: {push_url} (APIGW_WS_PUSH_URL)");
    }
    eprint!("{}", table::render(&gateway.config()));
    tokio::spawn(apigw_gateway::websocket::push::serve(push, gateway.websockets()));
    let server = tokio::spawn(apigw_gateway::server::serve(listener, gateway.clone()));
    let watching = match args.no_watch {
        true => None,
        false => Some(tokio::spawn(watch(gateway.clone(), args, built))),
    };
    let stopped = tokio::select! {
        stop = signals.next() => Some(stop),
        _ = server => None,
    };
    if let Some(w) = watching {
        w.abort();
    }
    if let Some(stop) = stopped {
        eprintln!("{}: stopping the gateway and its functions", stop.name);
    }
    drain(gateway.functions().into_values().collect()).await;
    Ok(stopped.map_or(ExitCode::FAILURE, |s| s.exit_code()))
}

/// Waits for the functions' requests in flight, then stops them.
async fn drain(functions: Vec<Arc<Function>>) {
    let mut tasks = tokio::task::JoinSet::new();
    for f in functions {
        tasks.spawn(async move { f.drain(DRAIN).await });
    }
    while tasks.join_next().await.is_some() {}
}

/// What was built for each function, and from what.
#[derive(Default)]
struct Built {
    /// The function's target, its executable and its table, by name.
    from: BTreeMap<String, (Target, PathBuf, FunctionConfig)>,
    functions: BTreeMap<String, Arc<Function>>,
    /// The push address every function is told.
    push_url: String,
}

impl Built {
    /// Builds what `config` needs (all of it after a source change, else
    /// only targets not built yet) and makes the functions, keeping the
    /// running ones whose build and table did not change.
    async fn update(
        &mut self,
        args: &ServeArgs,
        config: &GatewayConfig,
        rebuild: bool,
    ) -> anyhow::Result<()> {
        let targets = match setup::needs_function(config) {
            true => setup::targets(&args.function, config)?,
            false => BTreeMap::new(),
        };
        let to_build: BTreeMap<String, Target> = targets
            .iter()
            .filter(|(name, t)| rebuild || !self.from.get(*name).is_some_and(|(old, _, _)| old == *t))
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect();
        let exes = tokio::task::spawn_blocking(move || setup::build_all(&to_build))
            .await
            .context("the build stopped")??;
        let mut from = BTreeMap::new();
        let mut functions = BTreeMap::new();
        for (name, target) in targets {
            let table = config.functions.get(&name).cloned().unwrap_or_default();
            let (exe, fresh) = match (exes.get(&name), self.from.get(&name)) {
                (Some(exe), _) => (exe.clone(), true),
                (None, Some((_, exe, _))) => (exe.clone(), false),
                (None, None) => continue,
            };
            let same = !fresh && self.from.get(&name).is_some_and(|(_, _, old)| *old == table);
            let function = match (same, self.functions.get(&name)) {
                (true, Some(running)) => running.clone(),
                _ => setup::function(exe.clone(), &name, config, Some(&self.push_url)),
            };
            functions.insert(name.clone(), function);
            from.insert(name, (target, exe, table));
        }
        self.from = from;
        self.functions = functions;
        Ok(())
    }
}

/// Rebuilds on source changes and reloads on configuration changes, until aborted.
async fn watch(gateway: Arc<Gateway>, args: ServeArgs, mut built: Built) {
    let config_path: PathBuf = args.function.config.clone().unwrap_or_else(|| PathBuf::from("apigw.toml"));
    let mut watcher = match Watcher::start(Path::new("."), &config_path) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch the sources: {e:#}; serving without reloads");
            return;
        }
    };
    while let Some(change) = watcher.next().await {
        let config = match change {
            Change::Config => match setup::config(args.function.config.as_deref(), &args.overrides) {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("error: {e:#}; still serving the previous configuration");
                    continue;
                }
            },
            Change::Sources => {
                eprintln!("sources changed: rebuilding");
                (*gateway.config()).clone()
            }
        };
        match built.update(&args, &config, change == Change::Sources).await {
            Ok(()) => {
                let retired = gateway.reload(config, built.functions.clone());
                tokio::spawn(drain(retired));
                match change {
                    Change::Config => eprintln!("reloaded {}", config_path.display()),
                    Change::Sources => eprintln!("rebuilt: the next request starts the new function"),
                }
                eprint!("{}", table::render(&gateway.config()));
            }
            Err(e) => eprintln!("error: {e:#}; still serving the previous build"),
        }
    }
}
