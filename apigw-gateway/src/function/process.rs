//! Starting one instance's process, and stopping it: each in a process
//! group of its own, so stopping it stops whatever it started too, and told
//! the gateway's pid (`APIGW_PARENT_PID`) so a runtime built with this SDK
//! asks Linux to kill it when the gateway dies.

use super::{FunctionSpec, InstanceKind, tencent};
use crate::client;
use crate::config::Provider;
use crate::log_sink::LogSink;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::sync::{oneshot, watch};

/// One running function process and the way in to it.
pub(super) struct Instance {
    /// The instance's number within its function, from 1.
    pub(super) id: u64,
    /// Its process id.
    pub(super) pid: Option<u32>,
    pub(super) kind: InstanceKind,
    /// Sending on it, or dropping it, kills the process group.
    kill: Mutex<Option<oneshot::Sender<()>>>,
    exited: watch::Receiver<Option<String>>,
}

impl Instance {
    /// Whether the process is still running.
    pub(super) fn alive(&self) -> bool {
        self.exited.borrow().is_none()
    }

    /// Kills the process and its group; [`Instance::exited`] says when it is gone.
    pub(super) fn kill(&self) {
        if let Some(kill) = self.kill.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = kill.send(());
        }
    }

    /// Completes with why the process exited, once it has.
    pub(super) async fn exited(&self) -> String {
        let mut rx = self.exited.clone();
        let why = rx.wait_for(Option::is_some).await.map(|why| why.clone().unwrap_or_default());
        match why {
            Ok(why) => why,
            Err(_) => std::future::pending().await,
        }
    }
}

/// A token the runtime API hands one instance: a process started by an
/// earlier gateway does not know it.
fn new_token() -> String {
    crate::gateway::new_request_id()
}

/// Starts instance `id` of `spec` and waits until it is ready, for at most
/// `ready_within`.
pub(super) async fn start(spec: &FunctionSpec, id: u64, ready_within: Duration) -> Result<Instance, String> {
    let mut cmd = Command::new(&spec.exe);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("APIGW_PARENT_PID", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Its stderr is the gateway's own unless its output goes elsewhere.
        .stderr(if spec.log.is_stderr() { Stdio::inherit() } else { Stdio::piped() })
        .process_group(0)
        .kill_on_drop(true);
    for key in ["RUST_LOG", "RUST_BACKTRACE", "APIGW_LOG_FORMAT", "HOME", "TMPDIR"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    let (kind, port) = match spec.provider {
        Provider::Tencent => {
            let token = new_token();
            let api = tencent::RuntimeApi::start(spec.memory_mb, token.clone())
                .await
                .map_err(|e| format!("runtime API: {e}"))?;
            cmd.env("SCF_RUNTIME_API", "127.0.0.1")
                .env("SCF_RUNTIME_API_PORT", api.port().to_string())
                .env(tencent::TOKEN_VAR, token)
                .env("_HANDLER", "bootstrap")
                .env("SCF_FUNCTIONNAME", &spec.name)
                .env("SCF_FUNCTIONVERSION", "$LATEST")
                .env("SCF_NAMESPACE", "default")
                .env("TENCENTCLOUD_REGION", "ap-guangzhou")
                .env("TENCENTCLOUD_APPID", "1250000000")
                .env("TENCENTCLOUD_UIN", "100000000001")
                .env("TENCENTCLOUD_RUNENV", "SCF");
            (InstanceKind::Tencent(api), None)
        }
        Provider::Aliyun | Provider::Web => {
            let port = free_port().map_err(|e| format!("no free port: {e}"))?;
            cmd.env("FC_SERVER_PORT", port.to_string())
                .env("PORT", port.to_string())
                .env("APIGW_LISTEN_IP", "127.0.0.1");
            if spec.provider == Provider::Aliyun {
                cmd.env("FC_FUNCTION_NAME", &spec.name)
                    .env("FC_REGION", "cn-hangzhou")
                    .env("FC_ACCOUNT_ID", "1000000000000000")
                    .env("FC_FUNCTION_MEMORY_SIZE", spec.memory_mb.to_string())
                    .env("APIGW_PROVIDER", "aliyun");
            } else {
                cmd.env("APIGW_PROVIDER", "web").env("TENCENTCLOUD_RUNENV", "SCF");
            }
            let pool = Arc::new(client::Pool::new(format!("127.0.0.1:{port}")));
            (InstanceKind::Port(port, pool), Some(port))
        }
    };
    for (k, v) in &spec.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", spec.exe.display()))?;
    // The function's stdout is its log: send it to ours, stderr (or the
    // configured sink), so a response printed on stdout stays clean.
    if let Some(mut out) = child.stdout.take() {
        if spec.log.is_stderr() {
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut out, &mut tokio::io::stderr()).await;
            });
        } else {
            tokio::spawn(forward(out, spec.log.clone()));
        }
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(forward(err, spec.log.clone()));
    }
    let pid = child.id();
    let (kill, exited) = own(child);
    let instance = Instance { id, pid, kind, kill: Mutex::new(Some(kill)), exited };
    let ready = async {
        match (&instance.kind, port) {
            (InstanceKind::Tencent(api), _) => {
                api.ready().await;
                Ok(())
            }
            (_, Some(port)) => wait_for_port(port).await,
            _ => Ok(()),
        }
    };
    tokio::select! {
        r = tokio::time::timeout(ready_within, ready) => match r {
            Ok(Ok(())) => Ok(instance),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(format!("the function (pid {pid:?}) was not ready within {ready_within:?}")),
        },
        why = instance.exited() => Err(format!("the function exited during init: {why}")),
    }
}

/// Hands the child to a task that reaps it and says why it exited; sending
/// on (or dropping) the returned sender kills its whole process group.
fn own(mut child: Child) -> (oneshot::Sender<()>, watch::Receiver<Option<String>>) {
    let (kill_tx, kill_rx) = oneshot::channel::<()>();
    let (tx, rx) = watch::channel(None);
    let group = child.id().and_then(|pid| rustix::process::Pid::from_raw(pid as i32));
    tokio::spawn(async move {
        let why = tokio::select! {
            status = child.wait() => match status {
                Ok(s) => format!("the process exited ({s})"),
                Err(e) => format!("the process could not be waited on: {e}"),
            },
            _ = kill_rx => {
                if let Some(group) = group {
                    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
                }
                let _ = child.kill().await;
                "the process was stopped".to_owned()
            }
        };
        let _ = tx.send(Some(why));
    });
    (kill_tx, rx)
}

/// Copies a function's output to `log` as it comes, until it closes.
async fn forward(mut from: impl AsyncRead + Unpin, log: LogSink) {
    let mut buf = vec![0; 8192];
    while let Ok(n @ 1..) = from.read(&mut buf).await {
        log.write(&buf[..n]);
    }
}

async fn wait_for_port(port: u16) -> Result<(), String> {
    loop {
        // The port is in the ephemeral range, so a connect while nothing
        // listens yet can pick it as its own source port and meet itself
        // (TCP's simultaneous open): that is not the function listening.
        if let Ok(stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await
            && stream.local_addr().ok() != stream.peer_addr().ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
