//! Graceful shutdown: SIGTERM (or a future given in tests) asks the runtime
//! to finish the invocation in flight and return.

use std::future::Future;
use tokio::sync::watch;

/// A shared flag that turns on once shutdown is asked for.
#[derive(Clone)]
pub(crate) struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// How many tasks [`Shutdown::on`] keeps alive on the async runtime.
    pub(crate) const TASKS: usize = 1;

    /// Turns on when `trigger` completes; spawns one task to watch it.
    pub(crate) fn on(trigger: impl Future<Output = ()> + Send + 'static) -> Self {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            tokio::select! {
                () = trigger => {
                    let _ = tx.send(true);
                }
                () = tx.closed() => {}
            }
        });
        Shutdown(rx)
    }

    /// Completes once shutdown has been asked for (never, if the trigger
    /// went away without firing).
    pub(crate) async fn requested(&self) {
        let mut rx = self.0.clone();
        if rx.wait_for(|on| *on).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    pub(crate) fn is_requested(&self) -> bool {
        *self.0.borrow()
    }
}

/// Completes on SIGTERM, or on Ctrl-C where there are no Unix signals.
pub(crate) async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
    tracing::info!("SIGTERM: finishing the invocation in flight");
}
