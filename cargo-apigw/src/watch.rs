//! What `serve` watches: the crate's sources and manifests, and its
//! `apigw.toml`, through the operating system's file events (notify), with
//! the bursts an editor or cargo makes folded into one change.

use anyhow::Context;
use notify::{EventKind, RecursiveMode, Watcher as _};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a burst of events is gathered before it counts as one change.
const SETTLE: Duration = Duration::from_millis(200);

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// A Rust source or a `Cargo.toml`.
    Sources,
    /// The gateway configuration (and nothing to rebuild).
    Config,
}

/// File events under a root, classified.
pub(crate) struct Watcher {
    _inner: notify::RecommendedWatcher,
    events: mpsc::UnboundedReceiver<Change>,
}

impl Watcher {
    /// Watches `root` (its top level, and every folder in it but `target`
    /// and hidden ones, recursively) and `config`.
    pub(crate) fn start(root: &Path, config: &Path) -> anyhow::Result<Self> {
        let (tx, events) = mpsc::unbounded_channel();
        let config_name = config.file_name().map(|n| n.to_owned());
        let config_abs = std::path::absolute(config).ok();
        let mut inner = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            for path in &event.paths {
                if let Some(change) = classify(path, config_abs.as_deref(), config_name.as_deref()) {
                    let _ = tx.send(change);
                }
            }
        })
        .context("starting the file watcher")?;
        inner
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("watching {}", root.display()))?;
        for entry in std::fs::read_dir(root).with_context(|| format!("reading {}", root.display()))?.flatten()
        {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if entry.file_type().is_ok_and(|t| t.is_dir()) && !name.starts_with('.') && name != "target" {
                inner
                    .watch(&entry.path(), RecursiveMode::Recursive)
                    .with_context(|| format!("watching {}", entry.path().display()))?;
            }
        }
        if let Some(parent) = std::path::absolute(config).ok().and_then(|c| c.parent().map(Path::to_path_buf))
        {
            let inside = std::path::absolute(root).is_ok_and(|r| parent.starts_with(r));
            if !inside {
                let _ = inner.watch(&parent, RecursiveMode::NonRecursive);
            }
        }
        Ok(Watcher { _inner: inner, events })
    }

    /// The next change: a burst of events settled, sources first when both changed.
    pub(crate) async fn next(&mut self) -> Option<Change> {
        let mut change = self.events.recv().await?;
        let settle = tokio::time::sleep(SETTLE);
        tokio::pin!(settle);
        loop {
            tokio::select! {
                _ = &mut settle => return Some(change),
                more = self.events.recv() => match more {
                    Some(Change::Sources) => change = Change::Sources,
                    Some(Change::Config) => {}
                    None => return Some(change),
                },
            }
        }
    }
}

fn classify(path: &Path, config: Option<&Path>, config_name: Option<&std::ffi::OsStr>) -> Option<Change> {
    let name = path.file_name()?;
    if config.is_some_and(|c| c == path)
        || (config_name == Some(name) && std::path::absolute(path).ok().as_deref() == config)
    {
        return Some(Change::Config);
    }
    if path.components().any(|c| c.as_os_str() == "target") {
        return None;
    }
    let name = name.to_string_lossy();
    (name.ends_with(".rs") || name == "Cargo.toml").then_some(Change::Sources)
}
