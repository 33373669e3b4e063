//! [`Config`]: where the runtime listens or connects, and its limits.

use crate::Error;
use crate::connections::ConnectionLimits;
use crate::context::{Credentials, Provider};
use crate::invoke::Limit;
use std::fmt;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

/// How the runtime finds its platform and bounds each invocation.
///
/// [`Config::from_env`] reads the platform's environment; every variable is
/// optional. Tests build one by hand:
///
/// ```
/// use apigw_runtime::{Config, Provider};
/// use std::time::Duration;
///
/// let config = Config::new(Provider::Tencent)
///     .with_runtime_api("127.0.0.1:9001")
///     .with_timeout(Duration::from_secs(10));
/// assert_eq!(config.provider, Some(Provider::Tencent));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// The platform; `None` recognises it from the environment (see
    /// [`Config::detect_provider`]).
    pub provider: Option<Provider>,
    /// Caps the platform's time limit for each invocation.
    pub timeout: Option<Duration>,
    /// Taken off the time limit so the runtime answers before the platform
    /// gives up (default 50 ms).
    pub timeout_margin: Duration,
    /// Tencent runtime API `host:port` (`SCF_RUNTIME_API`,
    /// `SCF_RUNTIME_API_PORT`; default `127.0.0.1:9001`).
    pub runtime_api: String,
    /// The address the Alibaba and web servers listen on (`APIGW_LISTEN_IP`,
    /// default `0.0.0.0`).
    pub listen_ip: IpAddr,
    /// The port they listen on (`FC_SERVER_PORT`, default 9000; 0 picks one).
    pub port: u16,
    /// The largest event accepted, in bytes (default 64 MiB).
    pub max_event_bytes: usize,
    /// How long connection failures to the runtime API are retried, from
    /// the first failure of a call, before the runtime gives up (default 60 s).
    pub platform_retry_budget: Duration,
    /// What each connection to the Alibaba and web servers may take: the
    /// head timeout, also their idle timeout (`APIGW_HEADER_TIMEOUT_MS`,
    /// default 30 s; 0 turns it off), and how many are served at once
    /// (`APIGW_MAX_CONNECTIONS`, default from the open-file limit).
    pub connections: ConnectionLimits,
    /// What the environment says about the function.
    pub function: FunctionInfo,
    /// A token the local gateway hands each Tencent instance
    /// (`APIGW_RUNTIME_TOKEN`), sent back on every runtime API call so a
    /// process left over from an earlier gateway is refused by a new one.
    pub runtime_token: Option<String>,
    /// The local gateway that started this process (`APIGW_PARENT_PID`):
    /// on Linux the process is killed when it dies, and exits at once if it
    /// is already gone.
    pub parent_pid: Option<u32>,
    /// Where the lines the platform reads from stdout go: the process's
    /// stdout unless [`Config::with_platform_log`] says otherwise.
    pub(crate) platform_log: PlatformLog,
}

/// Where the runtime writes the lines its platform reads from stdout:
/// Alibaba's `FC Invoke Start RequestId: <id>` and `FC Invoke End …` around
/// each invocation.
#[derive(Clone, Default)]
pub(crate) struct PlatformLog(Option<Arc<LineSink>>);

/// What [`Config::with_platform_log`] is given.
type LineSink = dyn Fn(&str) + Send + Sync;

impl PlatformLog {
    /// Writes one line: whole to the process's stdout, so the console can
    /// attribute the logs between two of them, or to the configured sink.
    pub(crate) fn line(&self, line: fmt::Arguments<'_>) {
        match &self.0 {
            None => {
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            }
            Some(sink) => sink(&format!("{line}\n")),
        }
    }
}

impl fmt::Debug for PlatformLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "PlatformLog(sink)" } else { "PlatformLog(stdout)" })
    }
}

/// What the environment says about the function, copied into each
/// [`Context`](crate::Context).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct FunctionInfo {
    /// `SCF_FUNCTIONNAME` / `FC_FUNCTION_NAME`.
    pub name: Option<String>,
    /// `SCF_FUNCTIONVERSION` / `FC_FUNCTION_VERSION`.
    pub version: Option<String>,
    /// `SCF_NAMESPACE` / `FC_SERVICE_NAME`.
    pub namespace: Option<String>,
    /// `TENCENTCLOUD_REGION` / `FC_REGION`.
    pub region: Option<String>,
    /// `FC_FUNCTION_MEMORY_SIZE` (Tencent sends the limit per invocation).
    pub memory_limit_mb: Option<u64>,
    /// `TENCENTCLOUD_SECRETID`/`_SECRETKEY`/`_SESSIONTOKEN` or
    /// `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/`ALIBABA_CLOUD_SECURITY_TOKEN`.
    pub credentials: Option<Credentials>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            provider: None,
            timeout: None,
            timeout_margin: Duration::from_millis(50),
            runtime_api: "127.0.0.1:9001".into(),
            listen_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 9000,
            max_event_bytes: 64 << 20,
            platform_retry_budget: Duration::from_secs(60),
            connections: ConnectionLimits::default(),
            function: FunctionInfo::default(),
            runtime_token: None,
            parent_pid: None,
            platform_log: PlatformLog::default(),
        }
    }
}

impl Config {
    /// Defaults for `provider`, with nothing read from the environment.
    pub fn new(provider: Provider) -> Self {
        Config { provider: Some(provider), ..Config::default() }
    }

    /// Reads the platform's environment. Unknown `APIGW_PROVIDER` values and
    /// ports that are not numbers are errors; everything else is optional.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_vars(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// [`Config::from_env`] over any source of variables.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut config =
            Config { provider: var("APIGW_PROVIDER").map(|p| p.parse()).transpose()?, ..Config::default() };
        if config.provider.is_none() {
            config.provider = Some(Self::detect_provider(&var));
        }
        if let Some(api) = var("SCF_RUNTIME_API") {
            config.runtime_api = match var("SCF_RUNTIME_API_PORT") {
                Some(port) if !api.contains(':') => {
                    format!("{api}:{}", parse_port("SCF_RUNTIME_API_PORT", &port)?)
                }
                _ if api.contains(':') => api,
                _ => format!("{api}:9001"),
            };
        }
        if let Some(port) = var("FC_SERVER_PORT").or_else(|| var("FC_CUSTOM_LISTEN_PORT")) {
            config.port = parse_port("FC_SERVER_PORT", &port)?;
        }
        if let Some(ip) = var("APIGW_LISTEN_IP") {
            config.listen_ip = ip
                .trim()
                .parse()
                .map_err(|_| Error::Config(format!("APIGW_LISTEN_IP `{ip}` is not an IP address")))?;
        }
        if let Some(t) = var("APIGW_TIMEOUT_MS") {
            config.timeout = Some(Duration::from_millis(number("APIGW_TIMEOUT_MS", &t)?));
        }
        config.connections = ConnectionLimits::from_vars(&var).map_err(Error::Config)?;
        config.runtime_token = var("APIGW_RUNTIME_TOKEN");
        if let Some(pid) = var("APIGW_PARENT_PID") {
            config.parent_pid = Some(
                pid.trim()
                    .parse()
                    .map_err(|_| Error::Config(format!("APIGW_PARENT_PID `{pid}` is not a process id")))?,
            );
        }
        let either = |a: &str, b: &str| var(a).or_else(|| var(b));
        config.function = FunctionInfo {
            name: either("SCF_FUNCTIONNAME", "FC_FUNCTION_NAME"),
            version: either("SCF_FUNCTIONVERSION", "FC_FUNCTION_VERSION").or_else(|| var("FC_QUALIFIER")),
            namespace: either("SCF_NAMESPACE", "FC_SERVICE_NAME"),
            region: either("TENCENTCLOUD_REGION", "FC_REGION"),
            memory_limit_mb: var("FC_FUNCTION_MEMORY_SIZE").and_then(|m| m.parse().ok()),
            credentials: credentials(&var),
        };
        Ok(config)
    }

    /// Recognises the platform: `SCF_RUNTIME_API` → Tencent event function;
    /// `FC_*` variables → Alibaba event function; `TENCENTCLOUD_RUNENV=SCF`
    /// without a runtime API → web function; nothing → Tencent on
    /// `127.0.0.1:9001`, as other clients do.
    pub fn detect_provider(var: impl Fn(&str) -> Option<String>) -> Provider {
        if var("SCF_RUNTIME_API").is_some() {
            Provider::Tencent
        } else if ["FC_FUNCTION_NAME", "FC_SERVER_PORT", "FC_REGION", "FC_CUSTOM_LISTEN_PORT"]
            .iter()
            .any(|v| var(v).is_some())
        {
            Provider::Aliyun
        } else if var("TENCENTCLOUD_RUNENV").is_some_and(|v| v.eq_ignore_ascii_case("SCF")) {
            Provider::Web
        } else {
            Provider::Tencent
        }
    }

    /// Sets the Tencent runtime API `host:port`.
    pub fn with_runtime_api(mut self, addr: impl Into<String>) -> Self {
        self.runtime_api = addr.into();
        self
    }

    /// Caps each invocation's time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the address and port the Alibaba and web servers listen on.
    pub fn with_listen(mut self, ip: IpAddr, port: u16) -> Self {
        self.listen_ip = ip;
        self.port = port;
        self
    }

    /// Sets how long the runtime API may stay unreachable.
    pub fn with_platform_retry_budget(mut self, budget: Duration) -> Self {
        self.platform_retry_budget = budget;
        self
    }

    /// Hands the lines the platform reads from stdout (Alibaba's
    /// `FC Invoke Start RequestId: <id>` and `FC Invoke End …`), each with
    /// its newline, to `sink` instead of writing them to stdout.
    ///
    /// A test that runs the runtime in its own process passes `print!`, so
    /// the test harness keeps the lines with that test's output and shows
    /// them only if it fails; stdout written directly is never captured:
    ///
    /// ```
    /// use apigw_runtime::{Config, Provider};
    ///
    /// let config = Config::new(Provider::Aliyun).with_platform_log(|line| print!("{line}"));
    /// # let _ = config;
    /// ```
    pub fn with_platform_log(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.platform_log = PlatformLog(Some(Arc::new(sink)));
        self
    }

    /// The time an invocation may run: the smaller of the platform's limit
    /// and the configured timeout, less the margin.
    pub(crate) fn limit(&self, platform: Option<Duration>) -> Option<Limit> {
        let nominal = match (platform, self.timeout) {
            (Some(p), Some(c)) => p.min(c),
            (p, c) => p.or(c)?,
        };
        Some(Limit { budget: nominal.saturating_sub(self.timeout_margin).max(nominal / 2), nominal })
    }
}

fn number(name: &str, value: &str) -> Result<u64, Error> {
    value.trim().parse().map_err(|_| Error::Config(format!("{name} `{value}` is not a number")))
}

fn parse_port(name: &str, value: &str) -> Result<u16, Error> {
    value.trim().parse().map_err(|_| Error::Config(format!("{name} `{value}` is not a port number")))
}

fn credentials(var: &impl Fn(&str) -> Option<String>) -> Option<Credentials> {
    let tencent = var("TENCENTCLOUD_SECRETID").zip(var("TENCENTCLOUD_SECRETKEY"));
    if let Some((id, key)) = tencent {
        return Some(Credentials::new(id, key, var("TENCENTCLOUD_SESSIONTOKEN")));
    }
    let aliyun = var("ALIBABA_CLOUD_ACCESS_KEY_ID").zip(var("ALIBABA_CLOUD_ACCESS_KEY_SECRET"));
    aliyun.map(|(id, key)| Credentials::new(id, key, var("ALIBABA_CLOUD_SECURITY_TOKEN")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn tencent_environment() {
        let c = Config::from_vars(vars(&[
            ("SCF_RUNTIME_API", "9.0.0.1"),
            ("SCF_RUNTIME_API_PORT", "9999"),
            ("SCF_FUNCTIONNAME", "hello"),
            ("TENCENTCLOUD_REGION", "ap-guangzhou"),
            ("TENCENTCLOUD_SECRETID", "id"),
            ("TENCENTCLOUD_SECRETKEY", "key"),
        ]))
        .unwrap();
        assert_eq!(c.provider, Some(Provider::Tencent));
        assert_eq!(c.runtime_api, "9.0.0.1:9999");
        assert_eq!(c.function.name.as_deref(), Some("hello"));
        assert_eq!(c.function.region.as_deref(), Some("ap-guangzhou"));
        let creds = c.function.credentials.unwrap();
        assert_eq!(creds.secret_id, "id");
        assert!(!format!("{creds:?}").contains("key\""), "the secret is redacted");
    }

    #[test]
    fn nothing_set_means_tencent_on_the_default_address() {
        let c = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(c.provider, Some(Provider::Tencent));
        assert_eq!(c.runtime_api, "127.0.0.1:9001");
        assert_eq!(c.port, 9000);
    }

    #[test]
    fn aliyun_and_web_are_recognised() {
        let c = Config::from_vars(vars(&[("FC_FUNCTION_NAME", "f"), ("FC_SERVER_PORT", "9123")])).unwrap();
        assert_eq!((c.provider, c.port), (Some(Provider::Aliyun), 9123));
        assert_eq!(c.listen_ip, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let c = Config::from_vars(vars(&[("APIGW_LISTEN_IP", "127.0.0.1")])).unwrap();
        assert_eq!(c.listen_ip, IpAddr::V4(Ipv4Addr::LOCALHOST));
        let c = Config::from_vars(vars(&[("TENCENTCLOUD_RUNENV", "SCF")])).unwrap();
        assert_eq!(c.provider, Some(Provider::Web));
        let c = Config::from_vars(vars(&[("APIGW_PROVIDER", "web"), ("SCF_RUNTIME_API", "x")])).unwrap();
        assert_eq!(c.provider, Some(Provider::Web), "the explicit choice wins");
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_vars(vars(&[("FC_SERVER_PORT", "http")])).unwrap_err();
        assert!(err.to_string().contains("FC_SERVER_PORT `http`"), "{err}");
        let err = Config::from_vars(vars(&[("APIGW_PROVIDER", "aws")])).unwrap_err();
        assert!(err.to_string().contains("unknown provider `aws`"), "{err}");
    }

    #[test]
    fn limit_is_the_smaller_less_the_margin() {
        let c = Config::default().with_timeout(Duration::from_secs(2));
        let two = Limit { budget: Duration::from_millis(1950), nominal: Duration::from_secs(2) };
        assert_eq!(c.limit(Some(Duration::from_secs(3))), Some(two));
        assert_eq!(c.limit(None), Some(two));
        assert_eq!(Config::default().limit(None), None);
        // A tiny limit keeps at least half of itself.
        let tiny = Config::default().limit(Some(Duration::from_millis(60))).unwrap();
        assert_eq!(tiny.budget, Duration::from_millis(30));
    }
}
