//! Builds shared state once in init and borrows it in every invocation; run it with `cargo run -p cargo-apigw -- invoke --example state /`.

use apigw_runtime::{Context, IntegrationResponse, Request};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// What init builds: in a real function, a connection pool or a loaded model.
struct State {
    started: Instant,
    served: AtomicU64,
}

/// Runs once per instance, before the first invocation.
async fn init() -> Result<State, Infallible> {
    Ok(State { started: Instant::now(), served: AtomicU64::new(0) })
}

/// Counts the invocations this instance has served.
#[apigw_runtime::handler(init = init)]
async fn count(
    _req: Request,
    _ctx: Context,
    state: &State,
) -> Result<IntegrationResponse, serde_json::Error> {
    let served = state.served.fetch_add(1, Ordering::Relaxed) + 1;
    let warm_ms = state.started.elapsed().as_millis() as u64;
    IntegrationResponse::json(&serde_json::json!({ "served": served, "warm_ms": warm_ms }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_across_invocations() {
        let state = init().await.unwrap();
        for n in 1..=3 {
            let res = count(Request::default(), Context::new("t"), &state).await.unwrap();
            let seen: serde_json::Value = serde_json::from_str(&res.body).unwrap();
            assert_eq!(seen["served"], n);
        }
    }
}
