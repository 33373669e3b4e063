//! [`LogSink`]: where the gateway writes what it logs for people.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

/// Where the gateway writes its access log (one line per request) and its
/// functions' own output (their stdout and stderr).
///
/// The default, [`LogSink::stderr`], is what `cargo apigw` shows. A test
/// that runs the gateway in its own process hands the output to
/// `eprint!` instead, so the test harness keeps it with that test's output
/// and shows it only if the test fails (stderr written directly is never
/// captured):
///
/// ```
/// use apigw_gateway::LogSink;
///
/// let log = LogSink::to(|bytes| eprint!("{}", String::from_utf8_lossy(bytes)));
/// assert!(!log.is_stderr());
/// assert!(LogSink::default().is_stderr());
/// ```
#[derive(Clone, Default)]
pub struct LogSink(Option<Arc<Sink>>);

type Sink = dyn Fn(&[u8]) + Send + Sync;

impl LogSink {
    /// This process's stderr, written directly; a function's stderr is
    /// passed to it as its own, and its stdout copied there.
    pub fn stderr() -> Self {
        LogSink(None)
    }

    /// Each piece of output handed to `sink` as it comes: whole access-log
    /// lines, and a function's output in the pieces it was read in.
    pub fn to(sink: impl Fn(&[u8]) + Send + Sync + 'static) -> Self {
        LogSink(Some(Arc::new(sink)))
    }

    /// Whether this is [`LogSink::stderr`].
    pub fn is_stderr(&self) -> bool {
        self.0.is_none()
    }

    /// Writes `bytes`; a failed write to stderr is ignored, as a log must not
    /// fail a request.
    pub(crate) fn write(&self, bytes: &[u8]) {
        match &self.0 {
            None => {
                let _ = std::io::stderr().write_all(bytes);
            }
            Some(sink) => sink(bytes),
        }
    }
}

impl fmt::Debug for LogSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_stderr() { "LogSink(stderr)" } else { "LogSink(sink)" })
    }
}
