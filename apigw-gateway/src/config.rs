//! `apigw.toml`: the routes, stages, keys and function the local gateway
//! serves. Every field is optional; with no file at all the gateway has one
//! route, `ANY /` (prefix), to the package's only binary, Tencent flavour,
//! stage `release`.

use crate::routes::{Pattern, PatternError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

/// The whole gateway configuration, checked.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// The service id put in `requestContext.serviceId`.
    pub service_id: String,
    /// The stage of requests whose URL has no `/<stage>` prefix.
    pub default_stage: String,
    /// Variables of each stage.
    pub stage_variables: BTreeMap<String, BTreeMap<String, String>>,
    /// Key pairs for `auth = "key"` (Tencent) and apps for `auth = "app"` (Alibaba): key id or
    /// AppKey → secret or AppSecret.
    pub keys: BTreeMap<String, String>,
    /// AppCodes for `auth = "appcode"` (Alibaba): AppCode → its app's AppKey.
    pub appcodes: BTreeMap<String, String>,
    /// The functions behind `backend = "function"` routes, by name: the
    /// `[functions.NAME]` tables, or `[function]` (or none at all) as the
    /// one function [`DEFAULT_FUNCTION`].
    pub functions: BTreeMap<String, FunctionConfig>,
    /// The routes, in declaration order.
    pub routes: Vec<Route>,
}

/// The name of the one function of `[function]`, or of a file without one.
pub const DEFAULT_FUNCTION: &str = "default";

/// Which function runs, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionConfig {
    /// A binary of the package (`cargo build --bin`).
    pub bin: Option<String>,
    /// An example (`cargo build --example`, or a package under `examples/`).
    pub example: Option<String>,
    /// How the function is run; `None` follows the routes' flavour.
    pub provider: Option<Provider>,
    /// Extra environment variables for the function process.
    pub env: BTreeMap<String, String>,
    /// The memory limit passed to the function, in MB.
    pub memory_mb: u64,
    /// The function timeout of its routes unless they say otherwise.
    pub timeout: Duration,
    /// The most instances at once (`max_instances`, default 32).
    pub max_instances: usize,
    /// Invocations one Alibaba instance takes at once (`instance_concurrency`,
    /// FC's setting, default 1).
    pub instance_concurrency: usize,
    /// How long an idle instance stays warm (`idle_timeout`, default 5 minutes).
    pub idle_timeout: Duration,
}

impl Default for FunctionConfig {
    fn default() -> Self {
        FunctionConfig {
            bin: None,
            example: None,
            provider: None,
            env: BTreeMap::new(),
            memory_mb: 128,
            timeout: Duration::from_secs(3),
            max_instances: 32,
            instance_concurrency: 1,
            idle_timeout: Duration::from_secs(300),
        }
    }
}

impl FunctionConfig {
    /// How the function is run: its `provider`, else Alibaba when `flavour`
    /// (its first route's) is Alibaba's, else Tencent.
    pub fn provider_for(&self, flavour: Option<Flavour>) -> Provider {
        self.provider.unwrap_or(match flavour {
            Some(Flavour::Aliyun) => Provider::Aliyun,
            _ => Provider::Tencent,
        })
    }
}

/// How the function process is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Tencent's runtime API (`bootstrap`).
    Tencent,
    /// Alibaba's `/invoke` protocol.
    Aliyun,
    /// A web function: plain HTTP on a port.
    Web,
}

/// Whose event the gateway sends, and by whose rules it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// Tencent API Gateway.
    Tencent,
    /// Alibaba API Gateway.
    Aliyun,
    /// A Tencent function URL: no stage, no declared parameters, the request
    /// id and caller as `x-scf-*` headers, and answers inferred from the
    /// function's JSON.
    #[serde(rename = "function-url")]
    FunctionUrl,
}

impl Flavour {
    /// The largest request body the vendor's front door accepts synchronously.
    pub fn body_limit(self) -> usize {
        match self {
            Flavour::Tencent | Flavour::FunctionUrl => 6 << 20,
            Flavour::Aliyun => 32 << 20,
        }
    }

    /// The name used in `apigw.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavour::Tencent => "tencent",
            Flavour::Aliyun => "aliyun",
            Flavour::FunctionUrl => "function-url",
        }
    }
}

/// How the function's answer becomes the HTTP response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `{isBase64Encoded, statusCode, headers, body}`.
    Integration,
    /// The function's JSON, status 200.
    Passthrough,
}

/// When the request body reaches the function base64-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base64Policy {
    /// Never: the body as text.
    Never,
    /// Always.
    Always,
    /// When the `Content-Type` matches one of these (`image/*` style);
    /// empty means every type that is not text. A body that is not UTF-8
    /// goes base64 whatever its type.
    ContentTypes(Vec<String>),
}

/// What answers a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The function.
    Function,
    /// A fixed response.
    Mock {
        /// Its status.
        status: u16,
        /// Its headers.
        headers: BTreeMap<String, String>,
        /// Its body.
        body: String,
    },
    /// Another HTTP service.
    Http(HttpBackend),
}

/// An HTTP backend: base URL, path with `{param}`s, its own method and timeout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpBackend {
    /// `http://host:port`, without a path.
    pub url: String,
    /// The backend path; `{name}` takes the frontend parameter's value.
    pub path: String,
    /// The backend method; `None` keeps the frontend's.
    pub method: Option<String>,
    /// How long to wait for the backend.
    pub timeout: Duration,
    /// Frontend parameter name → (backend location, backend name).
    pub params: Vec<ParamMapping>,
    /// Fixed parameters sent on every request, such as a `host` header.
    pub constants: Vec<Constant>,
}

/// Where a frontend parameter goes on the backend request.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamMapping {
    /// The declared frontend parameter.
    pub from: String,
    /// The backend's name for it.
    pub to: String,
    /// Where it goes: `path`, `query` or `header`.
    #[serde(rename = "in")]
    pub location: Location,
}

/// A fixed backend parameter.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constant {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Where it goes: `query` or `header`.
    #[serde(rename = "in")]
    pub location: Location,
}

/// Where a parameter is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// In the path.
    Path,
    /// In the query.
    Query,
    /// In a header.
    Header,
}

/// A parameter's declared type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// Any text.
    String,
    /// A whole number.
    Int,
    /// A number.
    Double,
    /// `true` or `false`.
    Boolean,
}

/// A declared parameter: validated, defaulted, and put in the event's
/// `*Parameters` maps.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Where it is.
    #[serde(rename = "in")]
    pub location: Location,
    /// Its type.
    #[serde(rename = "type", default = "string_type")]
    pub kind: ParamType,
    /// Whether a request without it is refused.
    #[serde(default)]
    pub required: bool,
    /// The value used when it is absent.
    #[serde(default)]
    pub default: Option<String>,
}

fn string_type() -> ParamType {
    ParamType::String
}

/// One API.
#[derive(Clone, Debug)]
pub struct Route {
    /// The path pattern.
    pub pattern: Pattern,
    /// `ANY` or one method.
    pub method: String,
    /// Whose event the function gets.
    pub flavour: Flavour,
    /// How the answer is read (a function URL infers it from the answer).
    pub mode: Mode,
    /// When the body goes base64.
    pub base64: Base64Policy,
    /// The function's time limit.
    pub function_timeout: Duration,
    /// How long the gateway waits.
    pub gateway_timeout: Duration,
    /// Whether CORS headers are added and preflights answered.
    pub cors: bool,
    /// How requests are authenticated.
    pub auth: RouteAuth,
    /// What answers.
    pub backend: Backend,
    /// The function behind it, by name, when `backend` is the function.
    pub function: Option<String>,
    /// Declared parameters.
    pub params: Vec<Param>,
    /// Requests per second allowed, if limited.
    pub rate_limit: Option<u32>,
    /// Only these addresses may call (empty: everyone).
    pub allow_ips: Vec<IpNet>,
    /// These addresses may not call.
    pub deny_ips: Vec<IpNet>,
    /// `protocol = "websocket"`: the WebSocket API's functions. Its
    /// `function` is the transmission function.
    pub websocket: Option<WebSocketApi>,
    /// How long a WebSocket connection on this route (a WebSocket API's,
    /// or one a web function upgraded) may pass no message either way.
    pub idle_timeout: Duration,
}

/// An address or a CIDR block, e.g. `10.0.0.0/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `1.2.3.4`, `1.2.3.0/24`, `::1` or `fd00::/8`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr =
            addr.trim().parse().map_err(|_| format!("`{text}` is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("bad prefix in `{text}`"))?,
            None => max,
        };
        Ok(IpNet { addr, prefix })
    }

    /// Whether `ip` is in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn bits(ip: IpAddr) -> (u128, u32) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => (u128::from(u32::from(v4)), 32),
                    None => (u128::from(v6), 128),
                },
            }
        }
        let ((net, width), (candidate, cwidth)) = (bits(self.addr), bits(ip));
        if width != cwidth {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        let mask = if shift >= 128 { 0 } else { (u128::MAX >> (128 - width)) >> shift << shift };
        net & mask == candidate & mask
    }
}

/// Why a configuration was refused: the file, the line and the field.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// The line, when known.
    pub line: Option<usize>,
    /// What is wrong, naming the field.
    pub message: String,
}

impl GatewayConfig {
    /// The configuration used when there is no `apigw.toml`: one route
    /// `ANY /` (prefix), Tencent flavour, integration, stage `release`.
    pub fn default_config() -> Self {
        Self::parse("", "<default>").unwrap_or_else(|_| unreachable!("the empty configuration is valid"))
    }

    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: file.clone(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, &file)
    }

    /// The routes' first flavour sent to function `name`.
    pub fn flavour_of(&self, name: &str) -> Option<Flavour> {
        self.routes.iter().find(|r| r.function.as_deref() == Some(name)).map(|r| r.flavour)
    }

    /// Checks a configuration given as TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        let raw: raw::File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            ConfigError { file: file.to_owned(), line, message: e.message().to_owned() }
        })?;
        raw.check(text, file)
    }
}

mod raw;
mod route_auth;
mod websocket;
pub use raw::parse_duration;
pub use route_auth::RouteAuth;
pub use websocket::{DEFAULT_IDLE_TIMEOUT, MAX_MESSAGE, WebSocketApi};
