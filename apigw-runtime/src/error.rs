//! The runtime's error type: what stops [`run`](crate::run) from serving.

/// Why the runtime stopped with an error.
///
/// Errors of single invocations (a handler error, a panic, a timeout, an
/// undecodable event) are reported to the platform and never end the
/// runtime; these are the ones that do. Each names what was wrong:
///
/// ```
/// use apigw_runtime::{Error, Provider};
///
/// let err = "lambda".parse::<Provider>().unwrap_err();
/// assert!(matches!(err, Error::Config(_)));
/// assert_eq!(err.to_string(), "configuration: unknown provider `lambda`: expected tencent, aliyun or web");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration or the environment is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The author's init failed; the platform was told where it can be.
    #[error("init failed: {0}")]
    Init(String),
    /// The server could not listen on its address.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The platform could not be reached for longer than the retry budget.
    #[error("platform unreachable at {addr} after {attempts} attempts: {message}")]
    PlatformUnreachable {
        /// The runtime API's address.
        addr: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        message: String,
    },
}
