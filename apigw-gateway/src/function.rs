//! The author's function as child processes behind an emulated platform:
//! Tencent's runtime API, Alibaba's `/invoke` protocol, or a web function.
//!
//! Each function has a pool of warm instances, as the platforms scale out:
//! a Tencent instance (event or web function) runs one invocation at a
//! time, an Alibaba one up to `instance_concurrency` at once; when all are
//! busy another is started (its cold start logged), up to `max_instances`;
//! past that, requests wait for one to free up, within the gateway's
//! timeout. An instance stays busy until its function answers, even when
//! the client has gone away, and one that overruns its time limit or dies
//! is stopped. Idle instances are stopped after `idle_timeout`.

mod aliyun;
mod pool;
mod process;
mod tencent;
mod tunnel;

use crate::client;
use crate::config::Provider;
use crate::log_sink::LogSink;
use bytes::Bytes;
use pool::Pool;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How long a function may take to start (Alibaba allows 120 s; locally less
/// is plenty and fails faster).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// What the platform waits beyond the time limit before it gives up on an
/// event function itself (its runtime reports its own timeout first).
const GRACE: Duration = Duration::from_millis(1000);

/// What runs: the executable, the platform, its environment and how far it
/// scales.
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
    /// The most instances running at once.
    pub max_instances: usize,
    /// How many invocations one instance takes at once: Alibaba's
    /// `instance_concurrency`; Tencent instances always take one.
    pub instance_concurrency: usize,
    /// How long an instance may sit idle before it is stopped.
    pub idle_timeout: Duration,
    /// Where the function's stdout and stderr go (default: the gateway's
    /// stderr).
    pub log: LogSink,
}

impl FunctionSpec {
    /// The default most instances of a function.
    pub const DEFAULT_MAX_INSTANCES: usize = 32;
    /// The default time an idle instance is kept warm.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

    /// A spec with the defaults: 128 MB, no extra environment, up to
    /// [`Self::DEFAULT_MAX_INSTANCES`] instances each taking one invocation,
    /// idle ones stopped after [`Self::DEFAULT_IDLE_TIMEOUT`], output to the
    /// gateway's stderr.
    pub fn new(exe: PathBuf, provider: Provider, name: impl Into<String>) -> Self {
        FunctionSpec {
            exe,
            provider,
            name: name.into(),
            memory_mb: 128,
            env: Vec::new(),
            max_instances: Self::DEFAULT_MAX_INSTANCES,
            instance_concurrency: 1,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
            log: LogSink::stderr(),
        }
    }

    /// How many invocations one instance takes at once.
    fn per_instance(&self) -> usize {
        match self.provider {
            Provider::Aliyun => self.instance_concurrency.max(1),
            Provider::Tencent | Provider::Web => 1,
        }
    }
}

/// What the function answered for one invocation.
#[derive(Debug)]
pub enum Outcome {
    /// The invocation's result: an integration response or passthrough JSON.
    Response(Bytes),
    /// The function reported an error (its own timeout included): the body
    /// as the platform received it.
    Error(Bytes),
    /// The platform's limit passed with no answer; the instance was stopped.
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

/// A function: its instances, started on demand.
pub struct Function {
    pool: Arc<Pool>,
}

impl Function {
    /// A function whose first invocation starts its first instance.
    pub fn new(spec: FunctionSpec) -> Self {
        Function { pool: Arc::new(Pool::new(spec)) }
    }

    /// The spec.
    pub fn spec(&self) -> &FunctionSpec {
        self.pool.spec()
    }

    /// The process ids of the running instances.
    pub fn pids(&self) -> Vec<u32> {
        self.pool.pids()
    }

    /// How many instances have been started in all (cold starts).
    pub fn cold_starts(&self) -> u64 {
        self.pool.cold_starts()
    }

    /// Sends one event (Tencent or Alibaba event function) and waits for the
    /// answer, for at most `limit` plus the platform's grace.
    pub async fn invoke(&self, event: Bytes, request_id: &str, limit: Duration) -> Outcome {
        // Without a gateway limit the gateway never gives up first.
        self.invoke_within(event, request_id, limit, None).await.unwrap_or(Outcome::TimedOut(limit))
    }

    /// [`Function::invoke`] for a gateway that gives up after
    /// `gateway_limit` (counted from now: the wait for a free instance and a
    /// cold start included). The invocation runs on its own task, so an
    /// instance stays busy until its function answers even if the caller
    /// stops waiting; a request still waiting for an instance when its
    /// caller leaves is never sent.
    pub async fn invoke_within(
        &self,
        event: Bytes,
        request_id: &str,
        limit: Duration,
        gateway_limit: Option<Duration>,
    ) -> Result<Outcome, GatewayTimedOut> {
        let deadline = gateway_limit.and_then(|l| Instant::now().checked_add(l));
        let (tx, rx) = oneshot::channel();
        let (pool, request_id) = (self.pool.clone(), request_id.to_owned());
        tokio::spawn(async move {
            let mut tx = tx;
            let lease = tokio::select! {
                lease = pool.lease(deadline) => lease,
                _ = tx.closed() => return,
            };
            let outcome = match lease {
                Ok(mut lease) if !tx.is_closed() => lease.invoke(event, &request_id, limit).await,
                Ok(_) => return,
                Err(pool::Refused::TimedOut) => return,
                Err(pool::Refused::Failed(why)) => Outcome::Crashed(why),
            };
            let _ = tx.send(outcome);
        });
        match within(deadline, rx).await? {
            Ok(outcome) => Ok(outcome),
            // The task ends without an answer only when the wait for an
            // instance outlasted the gateway's limit.
            Err(_) => Err(GatewayTimedOut),
        }
    }

    /// Forwards an HTTP request to a web function and returns its response;
    /// past `limit` the instance is stopped and the answer is a timeout.
    pub async fn forward(
        &self,
        req: http::Request<Bytes>,
        limit: Duration,
    ) -> Result<http::Response<Bytes>, Outcome> {
        self.forward_within(req, limit, None).await.unwrap_or(Err(Outcome::TimedOut(limit)))
    }

    /// [`Function::forward`] for a gateway that gives up after `gateway_limit`.
    pub async fn forward_within(
        &self,
        req: http::Request<Bytes>,
        limit: Duration,
        gateway_limit: Option<Duration>,
    ) -> Result<Result<http::Response<Bytes>, Outcome>, GatewayTimedOut> {
        let deadline = gateway_limit.and_then(|l| Instant::now().checked_add(l));
        let (tx, rx) = oneshot::channel();
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut tx = tx;
            let lease = tokio::select! {
                lease = pool.lease(deadline) => lease,
                _ = tx.closed() => return,
            };
            let answer = match lease {
                Ok(mut lease) if !tx.is_closed() => lease.forward(req, limit).await,
                Ok(_) | Err(pool::Refused::TimedOut) => return,
                Err(pool::Refused::Failed(why)) => Err(Outcome::Crashed(why)),
            };
            let _ = tx.send(answer);
        });
        within(deadline, rx).await?.map_err(|_| GatewayTimedOut)
    }

    /// Waits up to `limit` for the invocations in flight, then stops every
    /// instance; the next invocation starts a new one.
    pub async fn drain(&self, limit: Duration) {
        self.pool.wait_idle(Instant::now().checked_add(limit)).await;
        self.stop().await;
    }

    /// Stops every instance now; the next invocation starts a new one.
    pub async fn stop(&self) {
        self.pool.stop_all().await;
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        // Tasks still running an invocation hold the pool; its instances
        // go when they end. Idle ones go now.
        self.pool.stop_idle();
    }
}

/// The instance's way in: the runtime API it polls, or the port it serves.
enum InstanceKind {
    Tencent(tencent::RuntimeApi),
    /// Alibaba or web: the function's port, and kept-alive connections to it.
    Port(u16, Arc<client::Pool>),
}
