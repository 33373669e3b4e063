//! The author's function as a child process behind an emulated platform:
//! Tencent's runtime API, Alibaba's `/invoke` protocol, or a web function.
//! The process stays warm across requests, is started again when it dies
//! (the cold start logged), and is killed with the gateway.

mod aliyun;
mod tencent;

use crate::client;
use crate::config::Provider;
use bytes::Bytes;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, oneshot, watch};

/// How long a function may take to start (Alibaba allows 120 s; locally less
/// is plenty and fails faster).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// What the platform waits beyond the time limit before it gives up on the
/// function itself.
const GRACE: Duration = Duration::from_millis(1000);

/// What runs: the executable, the platform, and its environment.
#[derive(Clone, Debug)]
pub struct FunctionSpec {
    /// The built executable.
    pub exe: PathBuf,
    /// The platform it runs under.
    pub provider: Provider,
    /// The function's name, as the platform would tell it.
    pub name: String,
    /// The memory limit passed to it, in MB.
    pub memory_mb: u64,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

/// What the function answered for one invocation.
#[derive(Debug)]
pub enum Outcome {
    /// The invocation's result: an integration response or passthrough JSON.
    Response(Bytes),
    /// The function reported an error (its own timeout included): the body
    /// as the platform received it.
    Error(Bytes),
    /// The platform's limit passed with no answer; the process was stopped.
    TimedOut(Duration),
    /// The process died, or never became ready.
    Crashed(String),
}

/// The gateway's own limit passed before the function answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatewayTimedOut;

/// Runs `fut` until `deadline`, if there is one.
async fn within<F: std::future::Future>(
    deadline: Option<Instant>,
    fut: F,
) -> Result<F::Output, GatewayTimedOut> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d.into(), fut).await.map_err(|_| GatewayTimedOut),
        None => Ok(fut.await),
    }
}

/// A function process, started on first use.
pub struct Function {
    spec: FunctionSpec,
    instance: Mutex<Option<Instance>>,
}

struct Instance {
    /// Dropping or sending on it kills the process.
    kill: Option<oneshot::Sender<()>>,
    exited: watch::Receiver<Option<String>>,
    kind: InstanceKind,
}

impl Instance {
    fn kill(&mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
    }
}

enum InstanceKind {
    Tencent(tencent::RuntimeApi),
    /// Alibaba or web: the function's port, and kept-alive connections to it.
    Port(u16, Arc<client::Pool>),
}

impl Function {
    /// A function that starts on the first invocation.
    pub fn new(spec: FunctionSpec) -> Self {
        Function { spec, instance: Mutex::new(None) }
    }

    /// The spec.
    pub fn spec(&self) -> &FunctionSpec {
        &self.spec
    }

    /// Sends one event (Tencent or Alibaba event function) and waits for the
    /// answer, for at most `limit` plus the platform's grace.
    pub async fn invoke(&self, event: Bytes, request_id: &str, limit: Duration) -> Outcome {
        // Without a gateway limit the gateway never gives up first.
        self.invoke_within(event, request_id, limit, None).await.unwrap_or(Outcome::TimedOut(limit))
    }

    /// [`Function::invoke`] for a gateway that gives up after
    /// `gateway_limit` (counted from now, a cold start included). One timer
    /// serves both limits: every timer armed costs the async runtime a
    /// wake-up of its own, on every request.
    pub async fn invoke_within(
        &self,
        event: Bytes,
        request_id: &str,
        limit: Duration,
        gateway_limit: Option<Duration>,
    ) -> Result<Outcome, GatewayTimedOut> {
        let gateway_deadline = gateway_limit.and_then(|l| Instant::now().checked_add(l));
        // Armed only if the instance is busy or starting: a timeout's timer
        // is registered on its first wait, not when the inner future is ready.
        let mut slot = within(gateway_deadline, self.instance.lock()).await?;
        let instance = match within(gateway_deadline, self.ensure_started(&mut slot)).await? {
            Ok(i) => i,
            Err(message) => return Ok(Outcome::Crashed(message)),
        };
        let mut exited = instance.exited.clone();
        let call = async {
            match &instance.kind {
                InstanceKind::Tencent(api) => api.invoke(event, request_id, limit).await,
                InstanceKind::Port(port, pool) => {
                    aliyun::invoke(*port, pool, &self.spec, event, request_id, limit).await
                }
            }
        };
        let function_deadline = Instant::now().checked_add(limit + GRACE);
        let (deadline, gateway_first) = match (gateway_deadline, function_deadline) {
            (Some(g), Some(f)) => (Some(g.min(f)), g < f),
            (g, f) => (g.or(f), g.is_some()),
        };
        let outcome = tokio::select! {
            outcome = within(deadline, call) => match outcome {
                Ok(outcome) => outcome,
                Err(GatewayTimedOut) if gateway_first => return Err(GatewayTimedOut),
                Err(GatewayTimedOut) => Outcome::TimedOut(limit),
            },
            why = wait_exit(&mut exited) => Outcome::Crashed(why),
        };
        if matches!(outcome, Outcome::TimedOut(_) | Outcome::Crashed(_)) {
            // The platform stops an instance that overran or died; the next
            // request starts a fresh one.
            if let Some(mut old) = slot.take() {
                old.kill();
            }
        }
        Ok(outcome)
    }

    /// Forwards an HTTP request to a web function and returns its response.
    pub async fn forward(
        &self,
        req: http::Request<Bytes>,
        limit: Duration,
    ) -> Result<http::Response<Bytes>, Outcome> {
        let mut slot = self.instance.lock().await;
        let pool = match self.ensure_started(&mut slot).await {
            Ok(Instance { kind: InstanceKind::Port(_, pool), .. }) => pool.clone(),
            Ok(_) => return Err(Outcome::Crashed("not a web function".into())),
            Err(message) => return Err(Outcome::Crashed(message)),
        };
        // Web functions take requests concurrently: no need to hold the slot.
        drop(slot);
        match pool.send(req, limit + GRACE, 64 << 20).await {
            Ok(res) => Ok(res),
            Err(client::ClientError::TimedOut(_)) => Err(Outcome::TimedOut(limit)),
            Err(e) => Err(Outcome::Crashed(e.to_string())),
        }
    }

    /// Stops the process; the next invocation starts a new one.
    pub async fn stop(&self) {
        if let Some(mut old) = self.instance.lock().await.take() {
            old.kill();
            let _ = wait_exit(&mut old.exited).await;
        }
    }

    async fn ensure_started<'a>(&self, slot: &'a mut Option<Instance>) -> Result<&'a mut Instance, String> {
        if slot.as_ref().is_some_and(|i| i.exited.borrow().is_some()) {
            tracing::warn!(function = %self.spec.name, "the function process had exited; starting a new one");
            *slot = None;
        }
        if slot.is_none() {
            let started = Instant::now();
            let instance = self.start().await?;
            tracing::info!(
                function = %self.spec.name,
                provider = ?self.spec.provider,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "cold start"
            );
            *slot = Some(instance);
        }
        slot.as_mut().ok_or_else(|| "no instance".to_owned())
    }

    async fn start(&self) -> Result<Instance, String> {
        let spec = &self.spec;
        let mut cmd = Command::new(&spec.exe);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for key in ["RUST_LOG", "RUST_BACKTRACE", "APIGW_LOG_FORMAT", "HOME", "TMPDIR"] {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        let (kind, port) = match spec.provider {
            Provider::Tencent => {
                let api = tencent::RuntimeApi::start(spec.memory_mb)
                    .await
                    .map_err(|e| format!("runtime API: {e}"))?;
                cmd.env("SCF_RUNTIME_API", "127.0.0.1")
                    .env("SCF_RUNTIME_API_PORT", api.port().to_string())
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
                (
                    InstanceKind::Port(port, Arc::new(client::Pool::new(format!("127.0.0.1:{port}")))),
                    Some(port),
                )
            }
        };
        for (k, v) in &spec.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", spec.exe.display()))?;
        // The function's stdout is its log: send it to ours, stderr, so a
        // response printed on stdout stays clean.
        if let Some(mut out) = child.stdout.take() {
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut out, &mut tokio::io::stderr()).await;
            });
        }
        let pid = child.id();
        let (kill, exited) = own(child);
        let instance = Instance { kill: Some(kill), exited, kind };
        let mut watcher = instance.exited.clone();
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
            r = tokio::time::timeout(START_TIMEOUT, ready) => match r {
                Ok(Ok(())) => Ok(instance),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(format!("the function (pid {pid:?}) was not ready within {START_TIMEOUT:?}")),
            },
            why = wait_exit(&mut watcher) => Err(format!("the function exited during init: {why}")),
        }
    }
}

/// Hands the child to a task that reaps it and says why it exited; sending
/// on (or dropping) the returned sender kills it.
fn own(mut child: Child) -> (oneshot::Sender<()>, watch::Receiver<Option<String>>) {
    let (kill_tx, kill_rx) = oneshot::channel::<()>();
    let (tx, rx) = watch::channel(None);
    tokio::spawn(async move {
        let why = tokio::select! {
            status = child.wait() => match status {
                Ok(s) => format!("the process exited ({s})"),
                Err(e) => format!("the process could not be waited on: {e}"),
            },
            _ = kill_rx => {
                let _ = child.kill().await;
                "the process was stopped".to_owned()
            }
        };
        let _ = tx.send(Some(why));
    });
    (kill_tx, rx)
}

async fn wait_exit(rx: &mut watch::Receiver<Option<String>>) -> String {
    let why = rx.wait_for(Option::is_some).await.map(|why| why.clone().unwrap_or_default());
    match why {
        Ok(why) => why,
        Err(_) => std::future::pending().await,
    }
}

async fn wait_for_port(port: u16) -> Result<(), String> {
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
