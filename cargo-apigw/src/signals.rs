//! SIGINT, SIGTERM and SIGHUP: every command that starts function
//! processes stops them on any of the three and exits with 128 + the
//! signal's number, as a shell reports a process the signal ended.

use std::process::ExitCode;
use tokio::signal::unix::{SignalKind, signal};

/// A stop signal received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stop {
    /// Its name, for the log.
    pub(crate) name: &'static str,
    number: u8,
}

impl Stop {
    /// The exit code after it: 128 + its number.
    pub(crate) fn exit_code(self) -> ExitCode {
        ExitCode::from(128 + self.number)
    }
}

/// The three stop signals, listened for from now on.
pub(crate) struct Signals(Vec<(Stop, tokio::signal::unix::Signal)>);

impl Signals {
    /// Starts listening; a signal that arrives before [`Signals::next`]
    /// is waited on is not lost.
    pub(crate) fn listen() -> std::io::Result<Self> {
        let kinds = [
            (Stop { name: "SIGINT", number: 2 }, SignalKind::interrupt()),
            (Stop { name: "SIGTERM", number: 15 }, SignalKind::terminate()),
            (Stop { name: "SIGHUP", number: 1 }, SignalKind::hangup()),
        ];
        let mut listening = Vec::new();
        for (stop, kind) in kinds {
            listening.push((stop, signal(kind)?));
        }
        Ok(Signals(listening))
    }

    /// The next stop signal.
    pub(crate) async fn next(&mut self) -> Stop {
        let [(a, sa), (b, sb), (c, sc)] = &mut self.0[..] else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = sa.recv() => *a,
            _ = sb.recv() => *b,
            _ = sc.recv() => *c,
        }
    }
}
