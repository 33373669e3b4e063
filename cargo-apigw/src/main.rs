//! `cargo apigw`: run a function behind a local API Gateway (`invoke`,
//! `serve`), print the event the gateway would send (`event`), zip the
//! function for upload (`build`), start a new function crate (`new`).
//!
//! Exit codes: 0 when the gateway produced a response (whatever its
//! status) or the bundle was written; 1 when the simulator itself failed
//! (a build, the config, a port) or no bundle was written; 2 for a usage
//! error; 22 with `--fail` when the status is 400 or above.

mod build;
mod cli;
mod event;
mod invoke;
mod new;
mod request;
mod serve;
mod setup;
mod sign;
mod signals;
mod table;
mod watch;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // zig links a bundle by starting this program again as its linker.
    apigw_bundle::zig::run_if_wrapper();
    // As a cargo subcommand the first argument is `apigw`: drop it.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "apigw") {
        args.remove(1);
    }
    let mut cli = cli::Cli::parse_from(args);
    cli.command.quiet_builds(cli.quiet);
    // `target=level` directives, read without a regex engine.
    use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt};
    let default = if cli.quiet { tracing::Level::WARN } else { tracing::Level::INFO };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| tracing_subscriber::filter::Targets::new().with_default(default));
    let log = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false);
    let _ = tracing_subscriber::registry().with(log).with(filter).try_init();
    // One thread: each request crosses processes several times, and waking
    // tasks on one thread costs less than handing them between threads.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            cli::Command::Invoke(args) => invoke::run(args).await,
            cli::Command::Serve(args) => serve::run(args).await,
            cli::Command::Event(args) => event::run(args).await,
            cli::Command::Build(args) => build::run(args),
            cli::Command::New(args) => new::run(args),
        }
    });
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
