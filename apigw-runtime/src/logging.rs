//! The default `tracing` subscriber.

use tracing_subscriber::EnvFilter;

/// Installs the default subscriber: plain text on stderr, or one JSON object
/// per line when `APIGW_LOG_FORMAT=json`; the level from `RUST_LOG`
/// (default `info`). Does nothing when a subscriber is already installed.
pub fn init_default_subscriber() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("APIGW_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(std::io::stderr);
    let _ = if json { builder.json().with_current_span(true).try_init() } else { builder.try_init() };
}
