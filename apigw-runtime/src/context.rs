//! [`Context`]: what the platform says about one invocation.

use std::fmt;
use std::time::{Duration, Instant};

/// The platform a function runs on.
///
/// The default is [`Provider::Tencent`], the platform the runtime assumes
/// when the environment names none:
///
/// ```
/// use apigw_runtime::Provider;
///
/// assert_eq!(Provider::default(), Provider::Tencent);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Tencent Cloud SCF event function: the runtime API (`bootstrap`).
    #[default]
    Tencent,
    /// Alibaba Cloud Function Compute event function: the `/invoke` server.
    Aliyun,
    /// A web function (Tencent `scf_bootstrap`, Alibaba HTTP function): plain HTTP.
    Web,
}

impl Provider {
    /// The name used in configuration: `tencent`, `aliyun` or `web`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Tencent => "tencent",
            Provider::Aliyun => "aliyun",
            Provider::Web => "web",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Provider {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, crate::Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tencent" | "scf" => Ok(Provider::Tencent),
            "aliyun" | "alibaba" | "fc" => Ok(Provider::Aliyun),
            "web" | "http" => Ok(Provider::Web),
            other => Err(crate::Error::Config(format!(
                "unknown provider `{other}`: expected tencent, aliyun or web"
            ))),
        }
    }
}

/// Temporary credentials the platform passes to the function.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// The access key id (`TENCENTCLOUD_SECRETID`, `x-fc-access-key-id`).
    pub secret_id: String,
    /// The access key secret. Never printed by `Debug`.
    pub secret_key: String,
    /// The session token, when the credentials are temporary.
    pub session_token: Option<String>,
}

impl Credentials {
    /// Credentials from an id, a secret and an optional token.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials { secret_id: secret_id.into(), secret_key: secret_key.into(), session_token }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What the platform says about one invocation.
///
/// Built by the runtime for each invocation. In tests, start from
/// [`Context::new`] (or [`Context::default`]) and set what the handler reads
/// with the `with_*` methods:
///
/// ```
/// use apigw_runtime::{Context, Provider};
/// use std::time::Duration;
///
/// let ctx = Context::new("req-1")
///     .with_provider(Provider::Aliyun)
///     .with_timeout(Duration::from_secs(3))
///     .with_function_name("hello")
///     .with_memory_limit_mb(128)
///     .with_region("cn-hangzhou");
/// assert_eq!(ctx.request_id, "req-1");
/// assert_eq!(ctx.provider, Provider::Aliyun);
/// assert!(ctx.remaining_time().unwrap() <= Duration::from_secs(3));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Context {
    /// The platform's id for this invocation.
    pub request_id: String,
    /// When the platform stops waiting for this invocation.
    pub deadline: Option<Instant>,
    /// The memory limit of the instance, in MB.
    pub memory_limit_mb: Option<u64>,
    /// The function's name.
    pub function_name: Option<String>,
    /// The function's version or qualifier.
    pub function_version: Option<String>,
    /// The namespace (Tencent) or service (Alibaba) the function is in.
    pub namespace: Option<String>,
    /// The region, e.g. `ap-guangzhou` or `cn-hangzhou`.
    pub region: Option<String>,
    /// The platform this invocation came from.
    pub provider: Provider,
    /// Temporary credentials, when the platform passes them.
    pub credentials: Option<Credentials>,
}

impl Context {
    /// A context with only a request id, as for a test: no deadline, no
    /// function details, [`Provider::Tencent`].
    ///
    /// ```
    /// use apigw_runtime::{Context, Provider};
    ///
    /// let ctx = Context::new("req-1");
    /// assert_eq!(ctx.request_id, "req-1");
    /// assert_eq!(ctx.provider, Provider::Tencent);
    /// assert_eq!(ctx.remaining_time(), None);
    /// ```
    pub fn new(request_id: impl Into<String>) -> Self {
        Context { request_id: request_id.into(), ..Context::default() }
    }

    /// Sets the request id.
    ///
    /// ```
    /// use apigw_runtime::Context;
    ///
    /// let ctx = Context::default().with_request_id("req-2");
    /// assert_eq!(ctx.request_id, "req-2");
    /// ```
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = request_id.into();
        self
    }

    /// Sets the deadline to `timeout` from now.
    ///
    /// ```
    /// use apigw_runtime::Context;
    /// use std::time::Duration;
    ///
    /// let ctx = Context::new("req-1").with_timeout(Duration::from_secs(3));
    /// let left = ctx.remaining_time().unwrap();
    /// assert!(left <= Duration::from_secs(3) && left > Duration::from_secs(2));
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.deadline = Some(Instant::now() + timeout);
        self
    }

    /// Sets the deadline to an instant; one already past leaves no time.
    ///
    /// ```
    /// use apigw_runtime::Context;
    /// use std::time::{Duration, Instant};
    ///
    /// let ctx = Context::new("req-1").with_deadline(Instant::now());
    /// assert_eq!(ctx.remaining_time(), Some(Duration::ZERO));
    /// ```
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the instance's memory limit, in MB.
    ///
    /// ```
    /// use apigw_runtime::Context;
    ///
    /// let ctx = Context::new("req-1").with_memory_limit_mb(512);
    /// assert_eq!(ctx.memory_limit_mb, Some(512));
    /// ```
    pub fn with_memory_limit_mb(mut self, megabytes: u64) -> Self {
        self.memory_limit_mb = Some(megabytes);
        self
    }

    /// Sets the function's name.
    ///
    /// ```
    /// use apigw_runtime::Context;
    ///
    /// let ctx = Context::new("req-1").with_function_name("hello");
    /// assert_eq!(ctx.function_name.as_deref(), Some("hello"));
    /// ```
    pub fn with_function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = Some(name.into());
        self
    }

    /// Sets the function's version or qualifier.
    ///
    /// ```
    /// use apigw_runtime::Context;
    ///
    /// let ctx = Context::new("req-1").with_function_version("$LATEST");
    /// assert_eq!(ctx.function_version.as_deref(), Some("$LATEST"));
    /// ```
    pub fn with_function_version(mut self, version: impl Into<String>) -> Self {
        self.function_version = Some(version.into());
        self
    }

    /// Sets the namespace (Tencent) or service (Alibaba).
    ///
    /// ```
    /// use apigw_runtime::Context;
    ///
    /// let ctx = Context::new("req-1").with_namespace("default");
    /// assert_eq!(ctx.namespace.as_deref(), Some("default"));
    /// ```
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Sets the region.
    ///
    /// ```
    /// use apigw_runtime::Context;
    ///
    /// let ctx = Context::new("req-1").with_region("ap-guangzhou");
    /// assert_eq!(ctx.region.as_deref(), Some("ap-guangzhou"));
    /// ```
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the provider.
    ///
    /// ```
    /// use apigw_runtime::{Context, Provider};
    ///
    /// let ctx = Context::new("req-1").with_provider(Provider::Web);
    /// assert_eq!(ctx.provider, Provider::Web);
    /// ```
    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// Sets the temporary credentials.
    ///
    /// ```
    /// use apigw_runtime::{Context, Credentials};
    ///
    /// let ctx = Context::new("req-1").with_credentials(Credentials::new("id", "secret", None));
    /// assert_eq!(ctx.credentials.unwrap().secret_id, "id");
    /// ```
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The time left before the deadline (zero once past it), or `None`
    /// when the platform gave none.
    ///
    /// ```
    /// use apigw_runtime::Context;
    /// use std::time::Duration;
    ///
    /// assert_eq!(Context::new("req-1").remaining_time(), None);
    /// let ctx = Context::new("req-1").with_timeout(Duration::from_secs(60));
    /// assert!(ctx.remaining_time().unwrap() > Duration::from_secs(59));
    /// ```
    pub fn remaining_time(&self) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(Instant::now()))
    }
}
