//! `cargo apigw serve`: the gateway on 127.0.0.1, one access-log line per
//! request, rebuilt and restarted when the crate's sources change.

use crate::cli::ServeArgs;
use crate::setup;
use anyhow::Context;
use apigw_gateway::Gateway;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = setup::config(args.function.config.as_deref(), &args.overrides)?;
    let target = setup::target(&args.function, &config);
    let function = if setup::needs_function(&config) {
        Some(setup::function(setup::build(&target)?, &config))
    } else {
        None
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another server using the port? pick one with --port)")
    })?;
    let gateway = Arc::new(Gateway::new(config, function));
    eprintln!("apigw gateway listening on http://{}", listener.local_addr().unwrap_or(addr));
    let server = tokio::spawn(apigw_gateway::server::serve(listener, gateway.clone()));
    if !args.no_watch && gateway.function().is_some() {
        tokio::spawn(watch(gateway.clone(), target));
    }
    let stopped = tokio::select! {
        _ = tokio::signal::ctrl_c() => true,
        _ = server => false,
    };
    if let Some(f) = gateway.function() {
        f.stop().await;
    }
    Ok(if stopped { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Polls the sources once a second; on a change, rebuilds and swaps the function.
async fn watch(gateway: Arc<Gateway>, target: apigw_bundle::cargo::Target) {
    let Ok(root) = std::env::current_dir() else { return };
    let mut last = newest(&root);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = newest(&root);
        if now <= last {
            continue;
        }
        last = now;
        eprintln!("sources changed: rebuilding");
        let built = tokio::task::spawn_blocking({
            let target = target.clone();
            move || setup::build(&target)
        })
        .await;
        match built {
            Ok(Ok(exe)) => {
                let function = setup::function(exe, gateway.config());
                if let Some(old) = gateway.replace_function(function) {
                    old.stop().await;
                }
                eprintln!("rebuilt: the next request starts the new function");
            }
            Ok(Err(e)) => eprintln!("error: {e:#}; still serving the previous build"),
            Err(e) => eprintln!("error: the rebuild stopped: {e}"),
        }
    }
}

/// The newest modification time of the Rust sources and manifests under
/// `root` (skipping `target` and hidden folders).
fn newest(root: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut stack: Vec<PathBuf> = vec![root.to_path_buf()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            seen += 1;
            if seen > 20_000 {
                return newest;
            }
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if (name.ends_with(".rs") || name == "Cargo.toml" || name == "apigw.toml")
                && let Ok(m) = meta.modified()
            {
                newest = newest.max(m);
            }
        }
    }
    newest
}
