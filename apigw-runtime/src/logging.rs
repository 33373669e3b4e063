//! The default `tracing` subscriber: `RUST_LOG` read by `tracing-subscriber`'s
//! `Targets`, and the lines its `fmt` layer wrote (text, or JSON with the
//! current span and the span list) written by a subscriber of our own, for
//! size (`subscriber.rs` says how much; `same_as_fmt.rs` holds the two to
//! the same lines).

mod line;
#[cfg(test)]
mod same_as_fmt;
mod subscriber;

use line::Format;
use std::io::Write as _;
use subscriber::Logger;
use tracing_subscriber::filter::Targets;

/// Installs the default subscriber: plain text on stderr, or one JSON object
/// per line when `APIGW_LOG_FORMAT=json`; what is logged from `RUST_LOG`
/// (default `info`). Does nothing when a subscriber is already installed.
///
/// `RUST_LOG` takes a default level and `target=level` directives, comma
/// separated: `warn,my_function=debug,apigw_runtime=info`. It is read with
/// `tracing-subscriber`'s `Targets` filter, which needs no regex engine, so
/// span and field filters (`target[span{field=x}]=level`) are not
/// understood: a `RUST_LOG` that does not parse is reported in the log and
/// `info` is used instead.
///
/// ```
/// // In a `main` of your own (`#[handler]` calls it for you):
/// apigw_runtime::init_default_subscriber();
/// tracing::info!("ready");
/// ```
pub fn init_default_subscriber() {
    let (filter, refused) = filter_from(std::env::var("RUST_LOG").ok().as_deref());
    let json = std::env::var("APIGW_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let format = if json { Format::Json } else { Format::Text };
    let stderr = Box::new(|line: &[u8]| {
        let _ = std::io::stderr().write_all(line);
    });
    let installed = tracing::subscriber::set_global_default(Logger::new(filter, format, stderr));
    if let (Ok(()), Some(refused)) = (installed, refused) {
        tracing::warn!(rust_log = %refused.0, error = %refused.1, "RUST_LOG does not parse; logging at info");
    }
}

/// The filter `RUST_LOG` asks for, or `info` and why the value was refused.
fn filter_from(rust_log: Option<&str>) -> (Targets, Option<(String, String)>) {
    let info = || Targets::new().with_default(tracing::Level::INFO);
    match rust_log.map(str::trim).filter(|v| !v.is_empty()) {
        None => (info(), None),
        Some(value) => match value.parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(e) => (info(), Some((value.to_owned(), e.to_string()))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;
    use tracing_subscriber::filter::LevelFilter;

    #[test]
    fn rust_log_takes_a_default_and_target_directives() {
        let (filter, refused) = filter_from(Some("warn,my_function=debug,apigw_runtime::tencent=trace"));
        assert!(refused.is_none());
        assert!(filter.would_enable("my_function::db", &Level::DEBUG));
        assert!(!filter.would_enable("my_function::db", &Level::TRACE));
        assert!(filter.would_enable("apigw_runtime::tencent", &Level::TRACE));
        assert!(!filter.would_enable("hyper", &Level::INFO));
        assert!(filter.would_enable("hyper", &Level::WARN));
    }

    #[test]
    fn no_or_an_empty_rust_log_means_info() {
        for value in [None, Some(""), Some("  ")] {
            let (filter, refused) = filter_from(value);
            assert!(refused.is_none());
            assert_eq!(filter.default_level(), Some(LevelFilter::INFO), "{value:?}");
        }
    }

    #[test]
    fn a_rust_log_that_does_not_parse_is_named_and_info_is_used() {
        let (filter, refused) = filter_from(Some("my_function=loud"));
        assert_eq!(filter.default_level(), Some(LevelFilter::INFO));
        let (value, error) = refused.expect("refused");
        assert_eq!(value, "my_function=loud");
        assert!(!error.is_empty());
    }
}
