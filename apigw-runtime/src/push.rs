//! [`PushClient`]: a function's way to reach the clients of a Tencent
//! WebSocket API, by posting to the API's push address (反向推送地址).
//!
//! The gateway holds each client's connection; a function sends data to a
//! client, or closes its connection, by POSTing JSON to the push address
//! shown on the API's page (`http://set-<cluster>.cb-<region>.apigateway.tencentyun.com/<api-id>`,
//! reachable from Tencent's internal network). The body is a
//! [`PushRequest`](apigw_events::tencent::websocket::PushRequest):
//!
//! ```json
//! {"websocket": {"action": "data send", "secConnectionID": "…", "dataType": "text", "data": "hi"}}
//! {"websocket": {"action": "data send", "secConnectionID": "…", "dataType": "binary", "data": "<base64>"}}
//! {"websocket": {"action": "closing", "secConnectionID": "…"}}
//! ```
//!
//! and the gateway answers `200` with `{"errNo": 0, "errMsg": "ok"}`.
//! Tencent gives the address to nobody but the API's owner, so the function
//! is told it: [`PushClient::from_env`] reads [`PUSH_URL_VAR`].

use crate::client::{CallError, Client};
use apigw_events::tencent::websocket::{PushAnswer, PushRequest};
use http::Method;
use std::time::Duration;
use tokio::sync::Mutex;

/// The environment variable [`PushClient::from_env`] reads the push address
/// from: `APIGW_WS_PUSH_URL`.
pub const PUSH_URL_VAR: &str = "APIGW_WS_PUSH_URL";

/// How long one push may take unless [`PushClient::with_timeout`] says
/// otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The gateway's answers are a few bytes; anything past this is not one.
const MAX_ANSWER: usize = 64 * 1024;
/// How much of a refusal's body an error keeps.
const KEPT_BODY: usize = 512;

/// Sends data to, and closes, the clients of a WebSocket API through its
/// push address, over HTTP/1.1 on one kept-alive connection (reopened when
/// it breaks). Pushes from several tasks take turns on it.
///
/// ```no_run
/// use apigw_runtime::PushClient;
/// use apigw_runtime::events::tencent::websocket::TransmissionEvent;
///
/// async fn echo(e: TransmissionEvent) -> Result<(), apigw_runtime::PushError> {
///     let push = PushClient::from_env()?; // APIGW_WS_PUSH_URL
///     match e.text() {
///         Some("bye") => push.close(e.connection_id()).await,
///         Some(text) => push.send_text(e.connection_id(), text).await,
///         None => push.send_binary(e.connection_id(), &e.data_bytes().unwrap_or_default()).await,
///     }
/// }
/// ```
pub struct PushClient {
    url: String,
    path: String,
    timeout: Duration,
    client: Mutex<Client>,
}

impl std::fmt::Debug for PushClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushClient").field("url", &self.url).field("timeout", &self.timeout).finish()
    }
}

impl PushClient {
    /// A client for the push address in [`PUSH_URL_VAR`]; an error when it
    /// is unset or empty ([`PushError::MissingAddress`]) or not an `http://`
    /// URL ([`PushError::InvalidAddress`]).
    pub fn from_env() -> Result<Self, PushError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PushError> {
        let url = lookup(PUSH_URL_VAR).filter(|u| !u.trim().is_empty());
        Self::new(url.ok_or(PushError::MissingAddress { variable: PUSH_URL_VAR })?.trim())
    }

    /// A client for push address `url`: `http://host[:port]/path`. HTTPS is
    /// refused, as the push address is plain HTTP on Tencent's network.
    pub fn new(url: &str) -> Result<Self, PushError> {
        let invalid =
            |reason: &str| PushError::InvalidAddress { url: url.to_owned(), reason: reason.to_owned() };
        let uri: http::Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| invalid(&format!("it is not an http:// URL ({e})")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => return Err(invalid("https is not supported: the push address is plain http")),
            _ => return Err(invalid("it is not an http:// URL")),
        }
        let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(|| invalid("it has no host"))?;
        let addr = format!("{host}:{}", uri.port_u16().unwrap_or(80));
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let client = Client::new(addr, MAX_ANSWER).with_header("content-type", "application/json");
        Ok(PushClient { url: url.to_owned(), path, timeout: DEFAULT_TIMEOUT, client: Mutex::new(client) })
    }

    /// Bounds each push, connecting included (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The push address.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends `text` to connection `connection_id` as a text frame.
    pub async fn send_text(&self, connection_id: &str, text: &str) -> Result<(), PushError> {
        self.push(&PushRequest::text(connection_id, text)).await.map(drop)
    }

    /// Sends `bytes` to connection `connection_id` as a binary frame.
    pub async fn send_binary(&self, connection_id: &str, bytes: &[u8]) -> Result<(), PushError> {
        self.push(&PushRequest::binary(connection_id, bytes)).await.map(drop)
    }

    /// Closes connection `connection_id`. Remove the id from your own store
    /// too: Tencent does not say whether the cleanup function is called.
    pub async fn close(&self, connection_id: &str) -> Result<(), PushError> {
        self.push(&PushRequest::close(connection_id)).await.map(drop)
    }

    /// Posts `request` and returns the gateway's answer: an error when the
    /// answer is not 2xx or its `errNo` is not 0. A 2xx whose body is not
    /// such an answer counts as taken, as the docs judge a push by its
    /// status.
    pub async fn push(&self, request: &PushRequest) -> Result<PushAnswer, PushError> {
        let body = serde_json::to_vec(request).map_err(|e| self.failed(e.to_string()))?;
        let answer = {
            let mut client = self.client.lock().await;
            client.call(Method::POST, &self.path, &body, Some(self.timeout)).await
        };
        let answer = answer.map_err(|e| match e {
            CallError::Connect(source) => PushError::Unreachable { url: self.url.clone(), source },
            CallError::TimedOut(after) => PushError::TimedOut { url: self.url.clone(), after },
            other => self.failed(other.to_string()),
        })?;
        let parsed = serde_json::from_slice::<PushAnswer>(&answer.body).ok();
        let status = answer.status.as_u16();
        match parsed {
            Some(a) if answer.status.is_success() && a.is_ok() => Ok(a),
            None if answer.status.is_success() => Ok(PushAnswer::ok()),
            parsed => Err(PushError::Refused {
                url: self.url.clone(),
                status,
                err_no: parsed.as_ref().map(|a| a.err_no),
                message: match parsed {
                    Some(a) => a.err_msg,
                    None => kept(&answer.body),
                },
            }),
        }
    }

    fn failed(&self, message: String) -> PushError {
        PushError::Failed { url: self.url.clone(), message }
    }
}

/// The start of a body, as text.
fn kept(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(KEPT_BODY)]);
    text.trim().to_owned()
}

/// Why a push did not reach the gateway, or was refused by it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// No push address is configured.
    #[error(
        "no push address: set {variable} to the WebSocket API's push address, e.g. http://set-xxxx.cb-beijing.apigateway.tencentyun.com/api-xxxx"
    )]
    MissingAddress {
        /// The variable that was read: [`PUSH_URL_VAR`].
        variable: &'static str,
    },
    /// The push address is not a usable `http://` URL.
    #[error("push address `{url}` cannot be used: {reason}")]
    InvalidAddress {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No connection could be opened to the push address.
    #[error("push address {url} is unreachable: {source}")]
    Unreachable {
        /// The push address.
        url: String,
        /// Why the connection failed.
        source: std::io::Error,
    },
    /// The push got no answer within the client's timeout.
    #[error("push to {url} got no answer within {after:?}")]
    TimedOut {
        /// The push address.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// The connection broke, or what came back was not an HTTP answer.
    #[error("push to {url} failed: {message}")]
    Failed {
        /// The push address.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The gateway answered with a status other than 2xx, or with a
    /// non-zero `errNo`.
    #[error("push to {url} was refused: HTTP {status}{}, {message:?}", err_no.map(|n| format!(", errNo {n}")).unwrap_or_default())]
    Refused {
        /// The push address.
        url: String,
        /// The answer's HTTP status.
        status: u16,
        /// The answer's `errNo`, when its body was the gateway's JSON.
        err_no: Option<i64>,
        /// The answer's `errMsg`, or the start of its body.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::{PUSH_URL_VAR, PushClient, PushError};

    #[test]
    fn an_unset_or_empty_variable_names_the_variable() {
        for value in [None, Some(" ".to_owned())] {
            let err = PushClient::from_lookup(|_| value.clone()).unwrap_err();
            assert!(matches!(err, PushError::MissingAddress { variable: PUSH_URL_VAR }), "{err}");
            assert!(err.to_string().contains("APIGW_WS_PUSH_URL"), "{err}");
        }
    }

    #[test]
    fn the_variable_gives_the_address_and_its_path() {
        let lookup =
            |name: &str| (name == PUSH_URL_VAR).then(|| "http://127.0.0.1:8080/api-x?a=1".to_owned());
        let client = PushClient::from_lookup(lookup).unwrap();
        assert_eq!(client.url(), "http://127.0.0.1:8080/api-x?a=1");
        assert_eq!(client.path, "/api-x?a=1");
        assert_eq!(PushClient::new("http://example.invalid").unwrap().path, "/");
    }
}
