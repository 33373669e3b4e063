//! What `#[handler]` expands to calls into here: the process's `main`.
//! Not a public API.

use crate::{Config, Error, Provider};
use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

/// What the attribute's options say.
#[derive(Debug, Default)]
pub struct Options {
    /// `timeout = "10s"`: caps the platform's limit.
    pub timeout: Option<Duration>,
    /// `provider = "…"`; `None` for `auto`.
    pub provider: Option<Provider>,
    /// `tracing = false` turns the default subscriber off.
    pub tracing: bool,
}

/// Installs the subscriber, reads the environment, applies the options
/// (an `APIGW_PROVIDER` or `APIGW_TIMEOUT_MS` in the environment wins), and
/// runs `start` on a current-thread runtime. Errors are logged and give a
/// non-zero exit.
pub fn main<F, Fut>(options: Options, start: F) -> ExitCode
where
    F: FnOnce(Config) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    if options.tracing {
        crate::init_default_subscriber();
    }
    let outcome = Config::from_env().and_then(|mut config| {
        if std::env::var_os("APIGW_PROVIDER").is_none() {
            config.provider = options.provider.or(config.provider);
        }
        if config.timeout.is_none() {
            config.timeout = options.timeout;
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(start(config))
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
