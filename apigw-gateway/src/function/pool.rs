//! A function's instances: which are busy, which to hand the next
//! invocation, when to start another and when to stop an idle one.

use super::process::{self, Instance};
use super::{FunctionSpec, GRACE, InstanceKind, Outcome, START_TIMEOUT, aliyun};
use bytes::Bytes;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Why no instance was handed out.
pub(super) enum Refused {
    /// The gateway's deadline passed while every instance was busy.
    TimedOut,
    /// A new instance could not be started.
    Failed(String),
}

struct Slot {
    instance: Arc<Instance>,
    in_flight: usize,
    idle_since: Instant,
}

#[derive(Default)]
struct Slots {
    live: Vec<Slot>,
    /// Instances being started: they count against the maximum.
    starting: usize,
    /// Requests waiting for a place in an instance being started.
    claims: usize,
}

pub(super) struct Pool {
    spec: FunctionSpec,
    slots: Mutex<Slots>,
    /// Woken whenever an instance frees up or leaves.
    freed: Notify,
    next_id: AtomicU64,
    reaper_started: AtomicBool,
}

impl Pool {
    pub(super) fn new(spec: FunctionSpec) -> Self {
        Pool {
            spec,
            slots: Mutex::new(Slots::default()),
            freed: Notify::new(),
            next_id: AtomicU64::new(0),
            reaper_started: AtomicBool::new(false),
        }
    }

    pub(super) fn spec(&self) -> &FunctionSpec {
        &self.spec
    }

    fn slots(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn pids(&self) -> Vec<u32> {
        self.slots().live.iter().filter(|s| s.instance.alive()).filter_map(|s| s.instance.pid).collect()
    }

    pub(super) fn cold_starts(&self) -> u64 {
        self.next_id.load(Ordering::Relaxed)
    }

    /// An instance with room for one more invocation: a warm one (the
    /// fullest that still has room, as FC packs an instance before it
    /// scales out), else a new one, else the first to free up before
    /// `deadline`.
    pub(super) async fn lease(self: &Arc<Self>, deadline: Option<Instant>) -> Result<Lease, Refused> {
        let per_instance = self.spec.per_instance();
        let max = self.spec.max_instances.max(1);
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            let claim = {
                let mut slots = self.slots();
                let name = &self.spec.name;
                slots.live.retain(|s| {
                    let keep = s.in_flight > 0 || s.instance.alive();
                    if !keep {
                        tracing::warn!(function = %name, instance = s.instance.id, "the instance had exited");
                    }
                    keep
                });
                let room = slots
                    .live
                    .iter_mut()
                    .filter(|s| s.in_flight < per_instance && s.instance.alive())
                    .max_by_key(|s| s.in_flight);
                if let Some(slot) = room {
                    slot.in_flight += 1;
                    return Ok(Lease { pool: self.clone(), instance: slot.instance.clone(), discard: false });
                }
                // An Alibaba instance being started has room for more than
                // the request that started it: wait for it, as FC sends
                // requests to an instance before it scales out.
                let room_on_start = slots.starting * (per_instance - 1);
                if slots.claims < room_on_start {
                    slots.claims += 1;
                    Some(Claim(self.as_ref()))
                } else if slots.live.len() + slots.starting < max {
                    slots.starting += 1;
                    break;
                } else {
                    None
                }
            };
            let waited = super::within(deadline, freed).await;
            drop(claim);
            if waited.is_err() {
                return Err(Refused::TimedOut);
            }
        }
        let starting = Starting(self.as_ref());
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let began = Instant::now();
        let instance = process::start(&self.spec, id, START_TIMEOUT).await.map_err(Refused::Failed)?;
        tracing::info!(
            function = %self.spec.name,
            provider = ?self.spec.provider,
            instance = id,
            pid = instance.pid,
            elapsed_ms = began.elapsed().as_millis() as u64,
            "cold start"
        );
        let instance = Arc::new(instance);
        {
            let mut slots = self.slots();
            slots.live.push(Slot { instance: instance.clone(), in_flight: 1, idle_since: Instant::now() });
            std::mem::forget(starting);
            slots.starting -= 1;
        }
        self.freed.notify_waiters();
        self.start_reaper();
        Ok(Lease { pool: self.clone(), instance, discard: false })
    }

    fn release(&self, instance: &Instance, discard: bool) {
        let mut slots = self.slots();
        if let Some(i) = slots.live.iter().position(|s| s.instance.id == instance.id) {
            let slot = &mut slots.live[i];
            slot.in_flight = slot.in_flight.saturating_sub(1);
            slot.idle_since = Instant::now();
            if discard {
                slots.live.swap_remove(i);
            }
        }
        drop(slots);
        if discard {
            instance.kill();
        }
        self.freed.notify_waiters();
    }

    /// Stops the instances idle for longer than the spec's idle timeout.
    fn reap(&self) {
        let idle = self.spec.idle_timeout;
        let mut stopped = Vec::new();
        self.slots().live.retain(|s| {
            let expired = s.in_flight == 0 && s.idle_since.elapsed() >= idle;
            if expired {
                stopped.push(s.instance.clone());
            }
            !expired
        });
        for instance in stopped {
            tracing::info!(function = %self.spec.name, instance = instance.id, "stopping an idle instance");
            instance.kill();
        }
    }

    /// Checks for idle instances a few times per idle timeout, for as long
    /// as the pool exists.
    fn start_reaper(self: &Arc<Self>) {
        if self.reaper_started.swap(true, Ordering::Relaxed) {
            return;
        }
        let weak: Weak<Pool> = Arc::downgrade(self);
        let every = (self.spec.idle_timeout / 4).clamp(Duration::from_millis(20), Duration::from_secs(5));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(pool) = weak.upgrade() else { return };
                pool.reap();
            }
        });
    }

    /// Waits until no invocation is in flight and no instance is starting,
    /// or until `deadline`.
    pub(super) async fn wait_idle(&self, deadline: Option<Instant>) {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let slots = self.slots();
                if slots.starting == 0 && slots.live.iter().all(|s| s.in_flight == 0) {
                    return;
                }
            }
            if super::within(deadline, freed).await.is_err() {
                return;
            }
        }
    }

    pub(super) async fn stop_all(&self) {
        let instances: Vec<Arc<Instance>> = self.slots().live.drain(..).map(|s| s.instance).collect();
        for instance in &instances {
            instance.kill();
        }
        for instance in &instances {
            instance.exited().await;
        }
        self.freed.notify_waiters();
    }

    pub(super) fn stop_idle(&self) {
        self.slots().live.retain(|s| {
            if s.in_flight == 0 {
                s.instance.kill();
            }
            s.in_flight > 0
        });
    }
}

/// A start under way: if it fails or is dropped, its place is given back.
struct Starting<'a>(&'a Pool);

impl Drop for Starting<'_> {
    fn drop(&mut self) {
        let mut slots = self.0.slots();
        slots.starting = slots.starting.saturating_sub(1);
        drop(slots);
        self.0.freed.notify_waiters();
    }
}

/// A wait for a place in an instance being started, given up when dropped.
struct Claim<'a>(&'a Pool);

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut slots = self.0.slots();
        slots.claims = slots.claims.saturating_sub(1);
    }
}

/// One invocation's hold on an instance, given back when dropped; an
/// instance that overran or died is stopped then.
pub(super) struct Lease {
    pool: Arc<Pool>,
    instance: Arc<Instance>,
    discard: bool,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.pool.release(&self.instance, self.discard);
    }
}

impl Lease {
    /// The port of a web (or Alibaba) instance.
    pub(super) fn port(&self) -> Option<u16> {
        match &self.instance.kind {
            InstanceKind::Port(port, _) => Some(*port),
            InstanceKind::Tencent(_) => None,
        }
    }

    /// Sends one event and waits for its answer, the time limit and the
    /// platform's grace at most.
    pub(super) async fn invoke(&mut self, event: Bytes, request_id: &str, limit: Duration) -> Outcome {
        let spec = &self.pool.spec;
        let instance = &self.instance;
        let call = async {
            match &instance.kind {
                InstanceKind::Tencent(api) => api.invoke(event, request_id, limit).await,
                InstanceKind::Port(port, http) => {
                    aliyun::invoke(*port, http, spec, event, request_id, limit).await
                }
            }
        };
        let outcome = tokio::select! {
            outcome = tokio::time::timeout(limit + GRACE, call) => outcome.unwrap_or(Outcome::TimedOut(limit)),
            why = instance.exited() => Outcome::Crashed(why),
        };
        // The platform stops an instance that overran or died; the next
        // request starts a fresh one.
        self.discard = matches!(outcome, Outcome::TimedOut(_) | Outcome::Crashed(_));
        outcome
    }

    /// Forwards one HTTP request to a web function, for at most `limit`: a
    /// web function has no runtime of ours to report its own timeout.
    pub(super) async fn forward(
        &mut self,
        req: http::Request<Bytes>,
        limit: Duration,
    ) -> Result<http::Response<Bytes>, Outcome> {
        let InstanceKind::Port(_, http) = &self.instance.kind else {
            return Err(Outcome::Crashed("not a web function".into()));
        };
        let answer = tokio::select! {
            sent = tokio::time::timeout(limit, http.send(req, limit + GRACE, 64 << 20)) => match sent {
                Ok(Ok(res)) => Ok(res),
                Ok(Err(crate::client::ClientError::TimedOut(_))) | Err(_) => Err(Outcome::TimedOut(limit)),
                Ok(Err(e)) => Err(Outcome::Crashed(e.to_string())),
            },
            why = self.instance.exited() => Err(Outcome::Crashed(why)),
        };
        self.discard = matches!(answer, Err(Outcome::TimedOut(_) | Outcome::Crashed(_)));
        answer
    }
}
