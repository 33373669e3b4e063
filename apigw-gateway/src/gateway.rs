//! The front door: a request in, the vendor's response out. Stages, path
//! checks, routing by the vendor's priority, CORS, IP lists, rate limits,
//! key-pair auth, declared parameters, body limits, then the backend.
//!
//! The configuration and the functions behind it are loaded together and
//! can be swapped while requests are in flight ([`Gateway::reload`]): a
//! request keeps the configuration it was routed by until it is answered.

use crate::admission;
use crate::auth::nonce::NonceCache;
use crate::config::{Backend, Flavour, GatewayConfig, Route};
use crate::event::{self, Matched};
use crate::function::{Function, GatewayTimedOut};
use crate::params;
use crate::refusal::Refusal;
use crate::respond::{self, message};
use crate::routes::{self, split_stage};
use crate::websocket::{Hub, handshake};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Instant, SystemTime};

/// The simulated gateway: configuration, the functions behind it, and the
/// state of its rate limits.
pub struct Gateway {
    loaded: RwLock<Arc<Loaded>>,
    nonces: Arc<Mutex<NonceCache>>,
    /// The open connections of the WebSocket APIs, kept across reloads.
    hub: Arc<Hub>,
}

/// One configuration with the functions behind its routes, by name.
pub(crate) struct Loaded {
    config: Arc<GatewayConfig>,
    functions: BTreeMap<String, Arc<Function>>,
    buckets: Vec<Mutex<Bucket>>,
    /// Alibaba nonces seen, kept across reloads.
    nonces: Arc<Mutex<NonceCache>>,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded").field("functions", &self.functions.keys()).finish_non_exhaustive()
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A route picked for a request: (its index, the route, its path parameters), the routed path,
/// the stage.
type Selected<'a> = ((usize, &'a Route, BTreeMap<String, String>), String, String);

mod upgrade;

/// A request refused or answered before its body was read.
pub type Early = Box<http::Response<Bytes>>;

impl Gateway {
    /// A gateway for `config`, with `function` behind every function route.
    pub fn new(config: GatewayConfig, function: Option<Arc<Function>>) -> Self {
        let functions = match function {
            Some(f) => config.functions.keys().map(|name| (name.clone(), f.clone())).collect(),
            None => BTreeMap::new(),
        };
        Self::with_functions(config, functions)
    }

    /// A gateway for `config`, with each of its functions by name.
    pub fn with_functions(config: GatewayConfig, functions: BTreeMap<String, Arc<Function>>) -> Self {
        let nonces = Arc::new(Mutex::new(NonceCache::new()));
        let loaded = RwLock::new(Arc::new(Loaded::new(config, functions, nonces.clone())));
        Gateway { loaded, nonces, hub: Arc::new(Hub::new()) }
    }

    /// The open connections of the WebSocket APIs: what
    /// [`crate::websocket::push::serve`] delivers pushes to.
    pub fn websockets(&self) -> Arc<Hub> {
        self.hub.clone()
    }

    fn loaded(&self) -> Arc<Loaded> {
        self.loaded.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<GatewayConfig> {
        self.loaded().config.clone()
    }

    /// The function behind the function routes, when there is one (the
    /// first by name when there are several).
    pub fn function(&self) -> Option<Arc<Function>> {
        self.loaded().functions.values().next().cloned()
    }

    /// The functions behind the function routes, by name.
    pub fn functions(&self) -> BTreeMap<String, Arc<Function>> {
        self.loaded().functions.clone()
    }

    /// Serves `config` with `functions` from the next request on, and
    /// returns the functions no longer served, to be drained and stopped.
    /// Requests already routed finish with what they were routed by; rate
    /// limits start afresh.
    pub fn reload(
        &self,
        config: GatewayConfig,
        functions: BTreeMap<String, Arc<Function>>,
    ) -> Vec<Arc<Function>> {
        let new = Arc::new(Loaded::new(config, functions, self.nonces.clone()));
        let old =
            std::mem::replace(&mut *self.loaded.write().unwrap_or_else(|e| e.into_inner()), new.clone());
        let mut retired: Vec<Arc<Function>> = Vec::new();
        for f in old.functions.values() {
            let kept = new.functions.values().any(|n| Arc::ptr_eq(n, f));
            if !kept && !retired.iter().any(|r| Arc::ptr_eq(r, f)) {
                retired.push(f.clone());
            }
        }
        retired
    }

    /// Handles a whole request: [`Gateway::route`], the body limit, then
    /// [`Gateway::dispatch`].
    pub async fn handle(&self, req: http::Request<Bytes>, peer: IpAddr) -> http::Response<Bytes> {
        let (parts, body) = req.into_parts();
        let matched = match self.route(&parts, peer, SystemTime::now()) {
            Ok(m) => m,
            Err(res) => return *res,
        };
        let limit = self.body_limit(&matched);
        if body.len() > limit {
            return self.refuse(&matched, Refusal::TooLarge(limit));
        }
        self.dispatch(&matched, &parts, body).await
    }

    /// The answer to a routed request the gateway refuses itself (a body over the limit, or one
    /// that could not be read), in the words of the route's vendor.
    pub fn refuse(&self, matched: &Matched, refusal: Refusal) -> http::Response<Bytes> {
        let loaded = self.loaded_for(matched);
        let flavour = loaded.route_at(matched).map_or(Flavour::Tencent, |r| r.flavour);
        refusal.response(flavour, &matched.request_id)
    }

    /// The route a request would be routed to, before any of the route's checks (auth, IP
    /// lists, limits, parameters): what `cargo apigw invoke --sign` signs for.
    pub fn route_for(&self, parts: &http::request::Parts) -> Option<Route> {
        self.loaded().select(parts).map(|((_, route, _), _, _)| route.clone())
    }

    /// The largest request body the matched route accepts.
    pub fn body_limit(&self, matched: &Matched) -> usize {
        let loaded = self.loaded_for(matched);
        loaded.route_at(matched).map_or(Flavour::Tencent.body_limit(), |r| r.flavour.body_limit())
    }

    /// What the request was routed by (the configuration in force for a
    /// [`Matched`] made by hand).
    fn loaded_for(&self, matched: &Matched) -> Arc<Loaded> {
        matched.loaded.clone().unwrap_or_else(|| self.loaded())
    }

    /// Everything before the body: path checks, stage, route, CORS preflight,
    /// IP lists, rate limit, auth and declared parameters. A refusal carries
    /// the request's `x-api-requestid` like every other response.
    pub fn route(
        &self,
        parts: &http::request::Parts,
        peer: IpAddr,
        now: SystemTime,
    ) -> Result<Matched, Early> {
        let request_id = new_request_id();
        let loaded = self.loaded();
        let routed = loaded.route_with_id(parts, peer, now, request_id.clone());
        routed
            .map(|mut m| {
                m.loaded = Some(loaded.clone());
                m
            })
            .map_err(|mut res| {
                if crate::refusal::request_id_of(&res).is_none() {
                    let flavour = admission::front_flavour(&loaded.config);
                    crate::refusal::stamp(&mut res, flavour, &request_id);
                }
                res
            })
    }

    /// Sends the request to the route's backend and builds the response.
    pub async fn dispatch(
        &self,
        matched: &Matched,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> http::Response<Bytes> {
        self.loaded_for(matched).dispatch(matched, parts, body).await
    }

    /// The event this request would carry to the function (for `cargo apigw event`).
    pub fn event_for(&self, matched: &Matched, parts: &http::request::Parts, body: &Bytes) -> Option<Bytes> {
        let loaded = self.loaded_for(matched);
        let route = loaded.route_at(matched)?;
        Some(loaded.event(route, matched, parts, body))
    }
}

impl Loaded {
    fn new(
        config: GatewayConfig,
        functions: BTreeMap<String, Arc<Function>>,
        nonces: Arc<Mutex<NonceCache>>,
    ) -> Self {
        let buckets = config
            .routes
            .iter()
            .map(|r| {
                Mutex::new(Bucket { tokens: f64::from(r.rate_limit.unwrap_or(0)), last: Instant::now() })
            })
            .collect();
        Loaded { config: Arc::new(config), functions, buckets, nonces }
    }

    fn route_at(&self, matched: &Matched) -> Option<&Route> {
        self.config.routes.get(matched.route)
    }

    /// The route a request goes to, by the vendors' priority (a preflight by the method it asks
    /// for): its index, the route, its path parameters, the routed path and the stage.
    fn select(&self, parts: &http::request::Parts) -> Option<Selected<'_>> {
        let raw_path = parts.uri.path();
        let (stage, stripped) = split_stage(raw_path);
        let preflight = parts.method == http::Method::OPTIONS;
        let wanted = match parts.headers.get("access-control-request-method").and_then(|v| v.to_str().ok()) {
            Some(m) if preflight => m.to_ascii_uppercase(),
            _ => parts.method.as_str().to_owned(),
        };
        let candidates: Vec<(usize, &Route)> = self
            .config
            .routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.method == "ANY" || r.method == wanted)
            .collect();
        // A function URL has no stage: its routes see the whole path and are
        // tried first; API Gateway's see the path without its stage.
        let pick = |function_url: bool, path: &str| {
            let group: Vec<&(usize, &Route)> = candidates
                .iter()
                .filter(|(_, r)| (r.flavour == Flavour::FunctionUrl) == function_url)
                .collect();
            let (pick, params) = routes::select(group.iter().map(|(_, r)| &r.pattern), path)?;
            group.get(pick).map(|&&(index, route)| (index, route, params))
        };
        match pick(true, raw_path) {
            Some(found) => Some((found, raw_path.to_owned(), self.config.default_stage.clone())),
            None => pick(false, &stripped).map(|found| {
                let stage = stage.map_or_else(|| self.config.default_stage.clone(), str::to_owned);
                (found, stripped.to_string(), stage)
            }),
        }
    }

    fn route_with_id(
        &self,
        parts: &http::request::Parts,
        peer: IpAddr,
        now: SystemTime,
        request_id: String,
    ) -> Result<Matched, Early> {
        let raw_path = parts.uri.path();
        let front = admission::front_flavour(&self.config);
        let front_id =
            if front == Flavour::Aliyun { request_id.to_ascii_uppercase() } else { request_id.clone() };
        let refuse_early = |refusal: Refusal| Box::new(refusal.response(front, &front_id));
        routes::check_path(raw_path).map_err(|e| refuse_early(Refusal::BadPath(e)))?;
        let (stage, stripped) = split_stage(raw_path);
        let url_stage = stage;
        let preflight = parts.method == http::Method::OPTIONS;
        let found = self.select(parts);
        let Some(((index, route, path_params), path, stage)) = found else {
            let api_gateway = self.config.routes.iter().any(|r| r.flavour != Flavour::FunctionUrl);
            let path = if api_gateway { &stripped } else { raw_path };
            self.hint_other_methods(&parts.method, path, &request_id);
            return Err(refuse_early(no_match(parts, path)));
        };
        // Alibaba's ids are upper-case; its stage may come in `X-Ca-Stage`.
        let request_id =
            if route.flavour == Flavour::Aliyun { request_id.to_ascii_uppercase() } else { request_id };
        let refuse = |refusal: Refusal| {
            tracing::info!(request_id, "refused: {refusal}");
            Box::new(refusal.response(route.flavour, &request_id))
        };
        if preflight {
            if !route.cors {
                return Err(refuse(Refusal::CorsNotEnabled(path)));
            }
            let mut res = cors_preflight(parts);
            crate::refusal::stamp(&mut res, route.flavour, &request_id);
            return Err(Box::new(res));
        }
        let stage = if route.flavour == Flavour::Aliyun {
            admission::aliyun_stage(&parts.headers, url_stage, &self.config.default_stage).map_err(refuse)?
        } else {
            stage
        };
        let ip = peer_ip(peer);
        if route.deny_ips.iter().any(|n| n.contains(ip))
            || (!route.allow_ips.is_empty() && !route.allow_ips.iter().any(|n| n.contains(ip)))
        {
            return Err(refuse(Refusal::IpDenied(ip)));
        }
        if let Some(limit) = route.rate_limit
            && !self.take_token(index, limit)
        {
            return Err(refuse(Refusal::RateLimited(limit)));
        }
        let key_id = admission::check_headers(route, &self.config, &parts.headers, now).map_err(refuse)?;
        let declared = params::check(&route.params, &path_params, parts).map_err(refuse)?;
        Ok(Matched {
            route: index,
            stage,
            path,
            path_params: declared.path,
            query_params: declared.query,
            header_params: declared.header,
            key_id,
            request_id,
            source_ip: ip.to_string(),
            loaded: None,
        })
    }

    /// A 404 whose path a route of another method would take says so in
    /// the log.
    fn hint_other_methods(&self, method: &http::Method, path: &str, request_id: &str) {
        let others: Vec<String> = self
            .config
            .routes
            .iter()
            .filter(|r| r.method != "ANY" && r.method != method.as_str())
            .filter(|r| routes::select(std::iter::once(&r.pattern), path).is_some())
            .map(|r| format!("{} {}", r.method, r.pattern.as_str()))
            .collect();
        if !others.is_empty() {
            tracing::warn!(
                request_id,
                "404 for {method} {path}: no route of that method, but the path matches {}",
                others.join(", ")
            );
        }
    }

    async fn dispatch(
        &self,
        matched: &Matched,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> http::Response<Bytes> {
        let Some(route) = self.route_at(matched) else { return message(500, "the matched route is gone") };
        if route.websocket.is_some() {
            // A WebSocket API answers only handshakes, through `Gateway::upgrade`.
            let refusal = handshake::check(&parts.headers).err().unwrap_or_else(|| {
                Refusal::NotWebSocket(
                    "this request cannot be upgraded here: connect with a WebSocket client to `cargo apigw serve`"
                        .into(),
                )
            });
            return refusal.response(route.flavour, &matched.request_id);
        }
        let verified;
        let now = SystemTime::now();
        let matched = match admission::check_body(route, &self.config, &self.nonces, parts, &body, now) {
            Ok(None) => matched,
            Ok(Some(key)) => {
                verified = Matched { key_id: Some(key), ..matched.clone() };
                &verified
            }
            Err(refusal) => {
                tracing::info!(request_id = matched.request_id, "refused: {refusal}");
                return refusal.response(route.flavour, &matched.request_id);
            }
        };
        let mut res = match &route.backend {
            Backend::Mock { status, headers, body } => mock(*status, headers, body),
            Backend::Http(backend) => match crate::backend::forward(backend, matched, parts, body).await {
                Ok(res) => res,
                Err(refusal) => refusal.response(route.flavour, &matched.request_id),
            },
            Backend::Function => self.call_function(route, matched, parts, body).await,
        };
        crate::refusal::stamp(&mut res, route.flavour, &matched.request_id);
        let headers = res.headers_mut();
        if route.cors {
            headers.insert("access-control-allow-origin", http::HeaderValue::from_static("*"));
        }
        if parts.method == http::Method::HEAD {
            *res.body_mut() = Bytes::new();
        }
        res
    }

    fn event(&self, route: &Route, matched: &Matched, parts: &http::request::Parts, body: &Bytes) -> Bytes {
        let empty = Default::default();
        let vars = self.config.stage_variables.get(&matched.stage).unwrap_or(&empty);
        event::build(route, matched, parts, body, &self.config.service_id, vars)
    }

    async fn call_function(
        &self,
        route: &Route,
        matched: &Matched,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> http::Response<Bytes> {
        let Some(function) = route.function.as_ref().and_then(|name| self.functions.get(name)) else {
            return message(502, "no function is configured behind this route");
        };
        let gateway_limit = route.gateway_timeout;
        if function.spec().provider == crate::config::Provider::Web {
            let req = upgrade::web_request(matched, parts, body);
            return match function.forward_within(req, route.function_timeout, Some(gateway_limit)).await {
                Err(GatewayTimedOut) => {
                    Refusal::BackendTimeout(gateway_limit).response(route.flavour, &matched.request_id)
                }
                Ok(Ok(res)) => res,
                Ok(Err(outcome)) => respond::outcome(route.flavour, route.mode, outcome, &matched.request_id),
            };
        }
        let event = self.event(route, matched, parts, &body);
        match function
            .invoke_within(event, &matched.request_id, route.function_timeout, Some(gateway_limit))
            .await
        {
            Err(GatewayTimedOut) => {
                Refusal::BackendTimeout(gateway_limit).response(route.flavour, &matched.request_id)
            }
            Ok(outcome) => respond::outcome(route.flavour, route.mode, outcome, &matched.request_id),
        }
    }

    fn take_token(&self, index: usize, limit: u32) -> bool {
        let Some(bucket) = self.buckets.get(index) else { return true };
        let Ok(mut b) = bucket.lock() else { return true };
        let now = Instant::now();
        let rate = f64::from(limit);
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(rate);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn mock(
    status: u16,
    headers: &std::collections::BTreeMap<String, String>,
    body: &str,
) -> http::Response<Bytes> {
    let mut res = http::Response::new(Bytes::from(body.to_owned()));
    *res.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (http::HeaderName::from_bytes(k.as_bytes()), http::HeaderValue::from_str(v)) {
            res.headers_mut().append(k, v);
        }
    }
    res
}

/// No route takes `path`: Tencent's `There is no api match uri[/x] host [h]`.
fn no_match(parts: &http::request::Parts, path: &str) -> Refusal {
    let host = parts.headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    Refusal::NoRoute { method: parts.method.to_string(), path: path.to_owned(), host: host.to_owned() }
}

fn cors_preflight(parts: &http::request::Parts) -> http::Response<Bytes> {
    let mut res = http::Response::new(Bytes::new());
    *res.status_mut() = http::StatusCode::NO_CONTENT;
    let h = res.headers_mut();
    h.insert("access-control-allow-origin", http::HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        http::HeaderValue::from_static("GET,POST,PUT,DELETE,HEAD,OPTIONS,PATCH"),
    );
    let asked = parts.headers.get("access-control-request-headers").cloned();
    h.insert("access-control-allow-headers", asked.unwrap_or(http::HeaderValue::from_static("*")));
    h.insert("access-control-max-age", http::HeaderValue::from_static("172800"));
    res
}

fn peer_ip(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
        v4 => v4,
    }
}

/// Two fresh unpredictable words, different on every call: the std
/// hasher's random keys over a counter (ids for a local gateway, not keys).
pub(crate) fn random_words() -> (u64, u64) {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let a = h.finish();
    h.write_u64(a);
    (a, h.finish())
}

/// A fresh id in the shape of the vendors' (`8-4-4-4-12` hex).
pub fn new_request_id() -> String {
    let (a, b) = random_words();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}
