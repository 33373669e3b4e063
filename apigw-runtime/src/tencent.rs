//! Tencent SCF event functions: the runtime API loop (REFERENCE §1).
//!
//! `init/ready` once init is done, then `next` → handler → `response` or
//! `error`, one invocation at a time over one kept-alive connection.

use crate::client::{Answer, CallError, Client, Headers};
use crate::config::Config;
use crate::context::{Context, Provider};
use crate::invoke::{App, Failure, execute};
use crate::shutdown::Shutdown;
use crate::{Error, Init};
use http::Method;
use std::time::{Duration, Instant};
use tracing::Instrument;

const READY: &str = "/runtime/init/ready";
const NEXT: &str = "/runtime/invocation/next";
const RESPONSE: &str = "/runtime/invocation/response";
const ERROR: &str = "/runtime/invocation/error";
/// Bounds one post of a result (never `next`, which is a long poll).
const POST_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) async fn run(config: Config, init: Init, shutdown: Shutdown) -> Result<(), Error> {
    let mut client = Client::new(config.runtime_api.clone(), config.max_event_bytes)
        .with_blocking_waits(Shutdown::TASKS)
        .with_token(config.runtime_token.as_deref());
    let app = match init().await {
        Ok(app) => app,
        Err(message) => {
            // No init-error endpoint: log the cause, and the caller exits non-zero.
            tracing::error!(error = %message, "init failed; exiting before init/ready");
            return Err(Error::Init(message));
        }
    };
    post_with_retry(&mut client, &config, READY, b" ").await?;
    tracing::debug!(api = %client.addr(), "init/ready sent");
    loop {
        let next = tokio::select! {
            next = next_invocation(&mut client, &config) => next?,
            () = shutdown.requested() => break,
        };
        handle(&mut client, &config, &app, next).await;
        if shutdown.is_requested() {
            break;
        }
    }
    tracing::info!("shutting down");
    Ok(())
}

/// Polls `next` until an invocation arrives, retrying failures with capped
/// exponential backoff until the retry budget is spent.
async fn next_invocation(client: &mut Client, config: &Config) -> Result<Result<Answer, TooLarge>, Error> {
    let mut backoff = Backoff::new(config.platform_retry_budget);
    loop {
        match client.call(Method::GET, NEXT, &[], None).await {
            Ok(answer) if answer.status.is_success() => return Ok(Ok(answer)),
            Ok(answer) => backoff.wait(client.addr(), format!("`next` answered {}", answer.status)).await?,
            Err(CallError::TooLarge { headers, .. }) => return Ok(Err(TooLarge { headers })),
            Err(e) => backoff.wait(client.addr(), e.to_string()).await?,
        }
    }
}

/// An event over [`Config::max_event_bytes`]: only its headers were read.
struct TooLarge {
    headers: Headers,
}

async fn handle(client: &mut Client, config: &Config, app: &App, next: Result<Answer, TooLarge>) {
    let received = Instant::now();
    let (headers, event) = match next {
        Ok(answer) => (answer.headers, Some(answer.body)),
        Err(TooLarge { headers, .. }) => (headers, None),
    };
    let time_limit = headers.get("time_limit_in_ms").and_then(|v| v.parse().ok()).map(Duration::from_millis);
    let ctx = context(config, &headers, received, time_limit);
    let span = tracing::info_span!("invocation", request_id = %ctx.request_id);
    async {
        let outcome = match event {
            Some(event) => execute(app, event, ctx, config.limit(time_limit), received).await,
            None => Err(Failure::InvalidEvent(format!("event larger than {} bytes", config.max_event_bytes))),
        };
        match outcome {
            Ok(reply) => {
                tracing::debug!("answered");
                post_result(client, RESPONSE, &reply.to_json()).await;
            }
            Err(failure) => {
                tracing::error!(error_type = failure.kind(), "{}", failure.message());
                // The context went to the handler; the id is read again.
                let request_id = headers.get("request_id").unwrap_or_default();
                post_result(client, ERROR, &error_body(&failure, request_id)).await;
            }
        }
    }
    .instrument(span)
    .await;
}

/// The error body, shaped like the platform's own:
/// `{"errorCode":-1,"errorMessage":"…","errorType":"…","requestId":"…","statusCode":433}`.
pub(crate) fn error_body(failure: &Failure, request_id: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "errorCode": -1,
        "errorMessage": failure.message(),
        "errorType": failure.kind(),
        "requestId": request_id,
        "statusCode": failure.tencent_status(),
    });
    body.to_string().into_bytes()
}

/// Posts a result: the first post is final, so a failed one is retried once
/// and then logged.
async fn post_result(client: &mut Client, path: &str, body: &[u8]) {
    for attempt in 1..=2 {
        match client.call(Method::POST, path, body, Some(POST_TIMEOUT)).await {
            Ok(a) if a.status.is_success() => return,
            Ok(a) => tracing::warn!(attempt, status = %a.status, "runtime API refused the {path} post"),
            Err(e) => tracing::warn!(attempt, error = %e, "the {path} post failed"),
        }
    }
    tracing::error!("the result could not be delivered; the platform will report this invocation failed");
}

async fn post_with_retry(client: &mut Client, config: &Config, path: &str, body: &[u8]) -> Result<(), Error> {
    let mut backoff = Backoff::new(config.platform_retry_budget);
    loop {
        match client.call(Method::POST, path, body, Some(POST_TIMEOUT)).await {
            Ok(a) if a.status.is_success() => return Ok(()),
            Ok(a) => backoff.wait(client.addr(), format!("{path} answered {}", a.status)).await?,
            Err(e) => backoff.wait(client.addr(), e.to_string()).await?,
        }
    }
}

fn context(config: &Config, headers: &Headers, received: Instant, time_limit: Option<Duration>) -> Context {
    let f = &config.function;
    Context {
        request_id: headers.get("request_id").unwrap_or_default().to_owned(),
        deadline: time_limit.and_then(|limit| received.checked_add(limit)),
        memory_limit_mb: headers.get("memory_limit_in_mb").and_then(|v| v.parse().ok()).or(f.memory_limit_mb),
        function_name: f.name.clone(),
        function_version: f.version.clone(),
        namespace: f.namespace.clone(),
        region: f.region.clone(),
        provider: Provider::Tencent,
        credentials: f.credentials.clone(),
    }
}

/// Capped exponential backoff with a total time budget, counted from the
/// first failure: a long poll that waited minutes before failing still gets
/// its retries, and a call that succeeds never reads the clock.
pub(crate) struct Backoff {
    first_failure: Option<Instant>,
    budget: Duration,
    delay: Duration,
    attempts: u32,
}

impl Backoff {
    pub(crate) fn new(budget: Duration) -> Self {
        Backoff { first_failure: None, budget, delay: Duration::from_millis(10), attempts: 0 }
    }

    async fn wait(&mut self, addr: &str, message: String) -> Result<(), Error> {
        self.attempts += 1;
        let first_failure = *self.first_failure.get_or_insert_with(Instant::now);
        if first_failure.elapsed() >= self.budget {
            return Err(Error::PlatformUnreachable {
                addr: addr.to_owned(),
                attempts: self.attempts,
                message,
            });
        }
        if self.attempts == 1 || self.attempts.is_power_of_two() {
            tracing::warn!(attempt = self.attempts, "runtime API: {message}; retrying");
        }
        tokio::time::sleep(self.delay).await;
        self.delay = (self.delay * 2).min(Duration::from_secs(1));
        Ok(())
    }
}
