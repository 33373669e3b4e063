//! The file as written, and the checks that turn it into a
//! [`GatewayConfig`]: each error names the field and its line.

mod auth;

use super::websocket::{self, RawWebSocket, RouteWebSocket};
use super::*;
use toml::Spanned;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    #[serde(default)]
    service_id: Option<String>,
    #[serde(default)]
    stage: Option<Spanned<String>>,
    #[serde(default)]
    function: Option<Spanned<RawFunction>>,
    #[serde(default)]
    functions: BTreeMap<String, Spanned<RawFunction>>,
    #[serde(default)]
    stages: BTreeMap<String, RawStage>,
    #[serde(default)]
    keys: Vec<RawKey>,
    #[serde(default)]
    routes: Vec<RawRoute>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFunction {
    bin: Option<String>,
    example: Option<String>,
    provider: Option<Provider>,
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    memory_mb: Option<u64>,
    max_instances: Option<Spanned<u64>>,
    instance_concurrency: Option<Spanned<u64>>,
    idle_timeout: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStage {
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    id: String,
    secret: String,
    /// The app's AppCode, for `auth = "appcode"` (Alibaba).
    appcode: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    path: Spanned<String>,
    method: Option<Spanned<String>>,
    flavour: Option<Flavour>,
    mode: Option<Mode>,
    base64: Option<Spanned<String>>,
    #[serde(default)]
    base64_content_types: Vec<String>,
    function_timeout: Option<Spanned<String>>,
    gateway_timeout: Option<Spanned<String>>,
    #[serde(default)]
    cors: bool,
    auth: Option<Spanned<String>>,
    /// The route's name, for `oauth_api` to link to.
    name: Option<Spanned<String>>,
    force_nonce: Option<Spanned<bool>>,
    oauth: Option<Spanned<auth::RawOauth>>,
    oauth_api: Option<Spanned<String>>,
    backend: Option<Spanned<String>>,
    function: Option<Spanned<String>>,
    mock: Option<RawMock>,
    http: Option<RawHttp>,
    #[serde(default)]
    params: Vec<Param>,
    rate_limit: Option<u32>,
    #[serde(default)]
    allow_ips: Vec<Spanned<String>>,
    #[serde(default)]
    deny_ips: Vec<Spanned<String>>,
    /// `http` (the default) or `websocket`.
    protocol: Option<Spanned<String>>,
    /// A WebSocket API's register, transmission and cleanup functions.
    websocket: Option<Spanned<RawWebSocket>>,
    /// How long a WebSocket connection may pass no message.
    idle_timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMock {
    #[serde(default = "ok")]
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: String,
}

fn ok() -> u16 {
    200
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    url: Spanned<String>,
    #[serde(default)]
    path: Option<String>,
    method: Option<String>,
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    params: Vec<ParamMapping>,
    #[serde(default)]
    constants: Vec<Constant>,
}

static FALLBACK: std::sync::LazyLock<FunctionConfig> = std::sync::LazyLock::new(FunctionConfig::default);

const METHODS: [&str; 6] = ["ANY", "GET", "HEAD", "POST", "PUT", "DELETE"];

pub(super) struct Checker<'a> {
    text: &'a str,
    file: &'a str,
}

impl Checker<'_> {
    pub(super) fn err<T>(
        &self,
        at: Option<std::ops::Range<usize>>,
        message: String,
    ) -> Result<T, ConfigError> {
        let line = at.map(|r| self.line(&r));
        Err(ConfigError { file: self.file.to_owned(), line, message })
    }

    /// The line `at` starts on, counted from 1.
    fn line(&self, at: &std::ops::Range<usize>) -> usize {
        self.text[..at.start.min(self.text.len())].matches('\n').count() + 1
    }

    fn duration(
        &self,
        field: &str,
        value: Option<&Spanned<String>>,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        match value {
            None => Ok(default),
            Some(v) => match parse_duration(v.get_ref()) {
                Some(d) => Ok(d),
                None => self.err(
                    Some(v.span()),
                    format!(
                        "`{field}` = \"{}\" is not a duration: write \"500ms\", \"3s\" or \"2m\"",
                        v.get_ref()
                    ),
                ),
            },
        }
    }
}

/// Reads `"500ms"`, `"3s"`, `"1.5s"` or `"2m"`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit_ms) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        return None;
    };
    let number = number.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let ms = number.parse::<f64>().ok()? * unit_ms;
    (ms > 0.0 && ms < 1e12).then(|| Duration::from_secs_f64(ms / 1000.0))
}

impl File {
    pub(super) fn check(self, text: &str, file: &str) -> Result<GatewayConfig, ConfigError> {
        let c = Checker { text, file };
        let default_stage = match self.stage {
            Some(s) if !crate::routes::STAGES.contains(&s.get_ref().as_str()) => {
                return c.err(
                    Some(s.span()),
                    format!("`stage` = \"{}\": expected release, prepub or test", s.get_ref()),
                );
            }
            Some(s) => s.into_inner(),
            None => "release".to_owned(),
        };
        let functions = check_functions(&c, self.function, self.functions)?;
        let appcodes: BTreeMap<String, String> =
            self.keys.iter().filter_map(|k| Some((k.appcode.clone()?, k.id.clone()))).collect();
        let keys: BTreeMap<String, String> = self.keys.into_iter().map(|k| (k.id, k.secret)).collect();
        let mut routes = Vec::new();
        let raw_routes = if self.routes.is_empty() { vec![default_route()] } else { self.routes };
        let spans: Vec<_> = raw_routes.iter().map(|r| r.path.span()).collect();
        let apis = auth::authorization_apis(&c, &raw_routes)?;
        let credentials = auth::Credentials { keys: &keys, appcodes: &appcodes };
        for (i, r) in raw_routes.into_iter().enumerate() {
            routes.push(check_route(&c, i, r, &functions, &credentials, &apis)?);
        }
        check_duplicates(&c, &routes, &spans)?;
        let stage_variables = self.stages.into_iter().map(|(k, v)| (k, v.variables)).collect();
        Ok(GatewayConfig {
            service_id: self.service_id.unwrap_or_else(|| "service-local".to_owned()),
            default_stage,
            stage_variables,
            keys,
            appcodes,
            functions,
            routes,
        })
    }
}

/// Tencent holds APIs with the same path and method to be one API, whatever
/// their stage, and compares paths case-insensitively: a second one is
/// refused, naming both. Function URLs are another front door and are
/// compared only among themselves.
fn check_duplicates(
    c: &Checker<'_>,
    routes: &[Route],
    spans: &[std::ops::Range<usize>],
) -> Result<(), ConfigError> {
    let mut seen: Vec<(bool, &str, String, usize)> = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        let function_url = route.flavour == Flavour::FunctionUrl;
        let identity = route.pattern.identity();
        let earlier = seen
            .iter()
            .find(|(url, method, id, _)| *url == function_url && *method == route.method && *id == identity);
        if let Some(&(_, _, _, j)) = earlier {
            let line = |k: usize| spans.get(k).map_or(0, |s| c.line(s));
            return c.err(
                spans.get(i).cloned(),
                format!(
                    "`routes[{i}]` (line {}) and `routes[{j}]` (line {}) are the same API: {} `{}` and {} `{}` \
                     (APIs with the same path and method are one API whatever their stage; paths are \
                     compared case-insensitively, parameter names ignored)",
                    line(i),
                    line(j),
                    route.method,
                    route.pattern.as_str(),
                    routes[j].method,
                    routes[j].pattern.as_str(),
                ),
            );
        }
        seen.push((function_url, route.method.as_str(), identity, i));
    }
    Ok(())
}

fn default_route() -> RawRoute {
    RawRoute {
        path: Spanned::new(0..0, "/".to_owned()),
        method: None,
        flavour: None,
        mode: None,
        base64: None,
        base64_content_types: Vec::new(),
        function_timeout: None,
        gateway_timeout: None,
        cors: false,
        auth: None,
        name: None,
        force_nonce: None,
        oauth: None,
        oauth_api: None,
        backend: None,
        function: None,
        mock: None,
        http: None,
        params: Vec::new(),
        rate_limit: None,
        allow_ips: Vec::new(),
        deny_ips: Vec::new(),
        protocol: None,
        websocket: None,
        idle_timeout: None,
    }
}

/// `[function]` is the one function [`DEFAULT_FUNCTION`]; `[functions.NAME]`
/// tables name several; a file with neither has the default one.
fn check_functions(
    c: &Checker<'_>,
    one: Option<Spanned<RawFunction>>,
    several: BTreeMap<String, Spanned<RawFunction>>,
) -> Result<BTreeMap<String, FunctionConfig>, ConfigError> {
    if let (Some(one), false) = (&one, several.is_empty()) {
        return c.err(
            Some(one.span()),
            "`[function]` and `[functions.NAME]` cannot both be given: name this one too, as `[functions.NAME]`"
                .to_owned(),
        );
    }
    let raw: Vec<(String, Option<Spanned<RawFunction>>)> = match one {
        Some(f) => vec![(DEFAULT_FUNCTION.to_owned(), Some(f))],
        None if several.is_empty() => vec![(DEFAULT_FUNCTION.to_owned(), None)],
        None => several.into_iter().map(|(k, v)| (k, Some(v))).collect(),
    };
    let mut functions = BTreeMap::new();
    for (name, f) in raw {
        let table = if f.is_some() && name == DEFAULT_FUNCTION {
            "function".to_owned()
        } else {
            format!("functions.{name}")
        };
        let f = f.map(Spanned::into_inner).unwrap_or_default();
        functions.insert(name, check_function(c, &table, f)?);
    }
    Ok(functions)
}

fn check_function(c: &Checker<'_>, table: &str, f: RawFunction) -> Result<FunctionConfig, ConfigError> {
    let defaults = FunctionConfig::default();
    let count = |field: &str,
                 v: Option<Spanned<u64>>,
                 range: std::ops::RangeInclusive<u64>,
                 default: usize| {
        match v {
            None => Ok(default),
            Some(v) if range.contains(v.get_ref()) => Ok(*v.get_ref() as usize),
            Some(v) => c.err(
                Some(v.span()),
                format!("`{table}.{field}` = {}: expected {} to {}", v.get_ref(), range.start(), range.end()),
            ),
        }
    };
    // FC takes 1 to 200 requests per instance.
    if let (Some(ic), Some(p @ (Provider::Tencent | Provider::Web))) = (&f.instance_concurrency, f.provider)
        && *ic.get_ref() > 1
    {
        return c.err(
            Some(ic.span()),
            format!(
                "`{table}.instance_concurrency` is Alibaba's setting: a {} instance runs one invocation at a time",
                if p == Provider::Web { "web function" } else { "Tencent" }
            ),
        );
    }
    Ok(FunctionConfig {
        bin: f.bin,
        example: f.example,
        provider: f.provider,
        env: f.env,
        memory_mb: f.memory_mb.unwrap_or(defaults.memory_mb),
        timeout: c.duration(&format!("{table}.timeout"), f.timeout.as_ref(), defaults.timeout)?,
        max_instances: count("max_instances", f.max_instances, 1..=1000, defaults.max_instances)?,
        instance_concurrency: count(
            "instance_concurrency",
            f.instance_concurrency,
            1..=200,
            defaults.instance_concurrency,
        )?,
        idle_timeout: c.duration(
            &format!("{table}.idle_timeout"),
            f.idle_timeout.as_ref(),
            defaults.idle_timeout,
        )?,
    })
}

/// The function a route sends to: the one it names, or the only one.
fn route_function<'f>(
    c: &Checker<'_>,
    i: usize,
    r: &RawRoute,
    functions: &'f BTreeMap<String, FunctionConfig>,
) -> Result<(String, &'f FunctionConfig), ConfigError> {
    let names = || functions.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
    match &r.function {
        Some(name) => match functions.get_key_value(name.get_ref()) {
            Some((k, f)) => Ok((k.clone(), f)),
            None => c.err(
                Some(name.span()),
                format!(
                    "`routes[{i}].function` = \"{}\": no such function; there are {}",
                    name.get_ref(),
                    names()
                ),
            ),
        },
        None => match functions.iter().next() {
            Some((k, f)) if functions.len() == 1 => Ok((k.clone(), f)),
            _ => c.err(
                Some(r.path.span()),
                format!(
                    "`routes[{i}]`: several functions are configured; name one with `function` ({})",
                    names()
                ),
            ),
        },
    }
}

fn check_route(
    c: &Checker<'_>,
    i: usize,
    mut r: RawRoute,
    functions: &BTreeMap<String, FunctionConfig>,
    credentials: &auth::Credentials<'_>,
    apis: &[auth::AuthorizationApi],
) -> Result<Route, ConfigError> {
    let field = |name: &str| format!("routes[{i}].{name}");
    // A WebSocket API's route goes to its transmission function.
    if r.function.is_none()
        && let Some(t) = r.websocket.as_ref().and_then(|w| w.get_ref().transmission.clone())
    {
        r.function = Some(t);
    }
    let is_function = r.backend.as_ref().is_none_or(|b| b.get_ref() == "function");
    if let (Some(name), false) = (&r.function, is_function) {
        return c.err(
            Some(name.span()),
            format!("`{}`: only a function backend has a function", field("function")),
        );
    }
    let (function_name, function) = match is_function {
        true => route_function(c, i, &r, functions)?,
        false => (String::new(), functions.values().next().unwrap_or(&FALLBACK)),
    };
    let function_timeout = function.timeout;
    let pattern = Pattern::parse(r.path.get_ref())
        .or_else(|e: PatternError| c.err(Some(r.path.span()), format!("`{}`: {e}", field("path"))))?;
    let method = match &r.method {
        Some(m) => {
            let upper = m.get_ref().to_ascii_uppercase();
            if !METHODS.contains(&upper.as_str()) {
                return c.err(
                    Some(m.span()),
                    format!(
                        "`{}` = \"{}\": expected one of {}",
                        field("method"),
                        m.get_ref(),
                        METHODS.join(", ")
                    ),
                );
            }
            upper
        }
        None => "ANY".to_owned(),
    };
    let flavour = r.flavour.unwrap_or(match function.provider {
        Some(Provider::Aliyun) => Flavour::Aliyun,
        _ => Flavour::Tencent,
    });
    let function = is_function.then_some(function_name);
    let ws = RouteWebSocket {
        index: i,
        protocol: r.protocol.as_ref(),
        table: r.websocket.as_ref(),
        method: r.method.as_ref(),
        backend: r.backend.as_ref(),
        function: function.as_deref(),
        path: &r.path,
    };
    let websocket = websocket::check(c, &ws, functions)?;
    if websocket.is_some() && flavour != Flavour::Tencent {
        return c.err(
            Some(r.path.span()),
            format!("`{}`: a WebSocket API is Tencent's (`flavour` = \"tencent\")", field("protocol")),
        );
    }
    let method = if websocket.is_some() { "GET".to_owned() } else { method };
    let idle_timeout =
        c.duration(&field("idle_timeout"), r.idle_timeout.as_ref(), websocket::DEFAULT_IDLE_TIMEOUT)?;
    if flavour == Flavour::FunctionUrl {
        check_function_url(c, &field, &r)?;
    }
    let auth = auth::check_auth(c, i, &r, flavour, credentials, apis)?;
    let base64 = match r.base64.as_ref().map(|b| (b.get_ref().as_str(), b.span())) {
        None | Some(("content-type", _)) => Base64Policy::ContentTypes(r.base64_content_types),
        Some(("never", _)) => Base64Policy::Never,
        Some(("always", _)) => Base64Policy::Always,
        Some((other, span)) => {
            return c.err(
                Some(span),
                format!("`{}` = \"{other}\": expected never, always or content-type", field("base64")),
            );
        }
    };
    let function_timeout =
        c.duration(&field("function_timeout"), r.function_timeout.as_ref(), function_timeout)?;
    let gateway_timeout =
        c.duration(&field("gateway_timeout"), r.gateway_timeout.as_ref(), Duration::from_secs(15))?;
    let backend = match r.backend.as_ref().map(|b| (b.get_ref().as_str(), b.span())) {
        None | Some(("function", _)) => Backend::Function,
        Some(("mock", span)) => match r.mock {
            Some(m) => Backend::Mock { status: m.status, headers: m.headers, body: m.body },
            None => {
                return c.err(Some(span), format!("`{}` = \"mock\" needs a `mock` table", field("backend")));
            }
        },
        Some(("http", span)) => match r.http {
            Some(h) => Backend::Http(check_http(c, &field("http"), h, &r.params)?),
            None => {
                return c.err(Some(span), format!("`{}` = \"http\" needs an `http` table", field("backend")));
            }
        },
        Some((other, span)) => {
            return c.err(
                Some(span),
                format!("`{}` = \"{other}\": expected function, mock or http", field("backend")),
            );
        }
    };
    let nets = |list: Vec<Spanned<String>>, name: &str| -> Result<Vec<IpNet>, ConfigError> {
        list.into_iter()
            .map(|s| {
                IpNet::parse(s.get_ref())
                    .or_else(|e| c.err(Some(s.span()), format!("`{}`: {e}", field(name))))
            })
            .collect()
    };
    for p in &r.params {
        if p.location == Location::Path && !pattern.param_names().contains(&p.name.as_str()) {
            return c.err(
                Some(r.path.span()),
                format!(
                    "`{}`: path parameter `{}` is not in the path `{}`",
                    field("params"),
                    p.name,
                    pattern.as_str()
                ),
            );
        }
    }
    Ok(Route {
        pattern,
        method,
        flavour,
        mode: r.mode.unwrap_or(Mode::Integration),
        base64,
        function_timeout,
        gateway_timeout,
        cors: r.cors,
        auth,
        backend,
        function,
        params: r.params,
        rate_limit: r.rate_limit,
        allow_ips: nets(r.allow_ips, "allow_ips")?,
        deny_ips: nets(r.deny_ips, "deny_ips")?,
        websocket,
        idle_timeout,
    })
}

/// A function URL has no API Gateway features to configure: no declared
/// parameters, no key-pair auth, and no `isBase64Encoded` to set by type.
fn check_function_url(
    c: &Checker<'_>,
    field: &dyn Fn(&str) -> String,
    r: &RawRoute,
) -> Result<(), ConfigError> {
    let refuse = |name: &str, at: Option<&Spanned<String>>, why: &str| {
        let span = at.unwrap_or(&r.path).span();
        c.err(Some(span), format!("`{}`: {why} (`flavour` = \"function-url\")", field(name)))
    };
    if !r.params.is_empty() {
        return refuse("params", None, "a function URL has no declared parameters");
    }
    if let Some(auth) = r.auth.as_ref().filter(|a| a.get_ref() != "none") {
        return refuse("auth", Some(auth), "auth belongs to API Gateway, not to function URLs");
    }
    if r.base64.is_some() || !r.base64_content_types.is_empty() {
        return refuse(
            "base64",
            r.base64.as_ref(),
            "a function URL's event has no isBase64Encoded: a UTF-8 body goes as text, any other as base64",
        );
    }
    Ok(())
}

fn check_http(
    c: &Checker<'_>,
    field: &str,
    h: RawHttp,
    params: &[Param],
) -> Result<HttpBackend, ConfigError> {
    let url = h.url.get_ref().trim_end_matches('/').to_owned();
    let authority = url.strip_prefix("http://").filter(|rest| !rest.is_empty() && !rest.contains('/'));
    if authority.is_none() {
        return c.err(
            Some(h.url.span()),
            format!(
                "`{field}.url` = \"{}\": expected http://host[:port] with no path (https is not simulated)",
                h.url.get_ref()
            ),
        );
    }
    for m in &h.params {
        if !params.iter().any(|p| p.name == m.from) {
            return c.err(
                Some(h.url.span()),
                format!("`{field}.params`: `{}` is not a declared parameter", m.from),
            );
        }
    }
    Ok(HttpBackend {
        url,
        path: h.path.unwrap_or_else(|| "/".to_owned()),
        method: h.method.map(|m| m.to_ascii_uppercase()),
        timeout: c.duration(&format!("{field}.timeout"), h.timeout.as_ref(), Duration::from_secs(15))?,
        params: h.params,
        constants: h.constants,
    })
}
