//! An arbitrary HTTP request (method, path, query, headers, body, caller,
//! clock, and a key-pair signature when asked for) through the gateway's
//! front door: `Gateway::route` never panics,
//! and a routed request's event parses back as the route's vendor event
//! carrying the request's method, routed path and body.
#![no_main]

use apigw_events::{Request, aliyun, tencent};
use apigw_gateway::auth::tencent_key::sign;
use apigw_gateway::config::{Flavour, RouteAuth};
use apigw_gateway::routes::check_path;
use apigw_gateway::{Gateway, GatewayConfig};
use arbitrary::Arbitrary;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

/// Routes of every kind: a typed path parameter with query and header
/// parameters, Alibaba brackets, key-pair auth, an exact CORS route, a
/// catch-all with base64 by content type.
const CONFIG: &str = r#"
service_id = "service-fuzz"

[stages.test]
variables = { db = "test-db" }

[[keys]]
id = "AKIDfuzz"
secret = "fuzz-secret"

[[routes]]
path = "/users/{id}"
method = "GET"
[[routes.params]]
name = "id"
in = "path"
type = "int"
required = true
[[routes.params]]
name = "page"
in = "query"
type = "int"
default = "1"
[[routes.params]]
name = "x-flag"
in = "header"
type = "boolean"

[[routes]]
path = "/fc/[kind]/{name}"
flavour = "aliyun"
base64 = "always"
[[routes.params]]
name = "ratio"
in = "query"
type = "double"

[[routes]]
path = "^~/signed"
auth = "key"

[[routes]]
path = "=/exact"
cors = true
method = "POST"

[[routes]]
path = "/"
base64 = "content-type"
base64_content_types = ["image/*"]
"#;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    method: Method<'a>,
    stage: Stage,
    route: RouteStart,
    /// The rest of the path, after the stage and the route's start.
    tail: &'a str,
    query: Option<&'a str>,
    headers: Vec<(&'a [u8], &'a [u8])>,
    /// Signs the request with a key pair, the date this far from the clock.
    signed: Option<Signed>,
    body: &'a [u8],
    peer: [u8; 4],
    unix_secs: u32,
}

#[derive(Arbitrary, Debug)]
enum Method<'a> {
    Get,
    Post,
    Head,
    Options,
    Delete,
    Other(&'a str),
}

#[derive(Arbitrary, Debug)]
enum Stage {
    None,
    Release,
    Prepub,
    Test,
}

/// Where the path starts, so that every route is within reach.
#[derive(Arbitrary, Debug)]
enum RouteStart {
    Users,
    Fc,
    Signed,
    Exact,
    Root,
    Nothing,
}

#[derive(Arbitrary, Debug)]
struct Signed {
    known_key: bool,
    skew_secs: i16,
}

fn gateway() -> &'static Gateway {
    static GATEWAY: OnceLock<Gateway> = OnceLock::new();
    GATEWAY.get_or_init(|| {
        let config = GatewayConfig::parse(CONFIG, "apigw.toml").expect("the fuzz configuration parses");
        Gateway::new(config, None)
    })
}

fuzz_target!(|input: Input<'_>| {
    let method = match input.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Head => "HEAD",
        Method::Options => "OPTIONS",
        Method::Delete => "DELETE",
        Method::Other(m) => m,
    };
    let stage = match input.stage {
        Stage::None => "",
        Stage::Release => "/release",
        Stage::Prepub => "/prepub",
        Stage::Test => "/test",
    };
    let start = match input.route {
        RouteStart::Users => "/users/",
        RouteStart::Fc => "/fc/",
        RouteStart::Signed => "/signed",
        RouteStart::Exact => "/exact",
        RouteStart::Root => "/",
        RouteStart::Nothing => "",
    };
    let mut uri = format!("{stage}{start}{}", input.tail);
    if let Some(q) = input.query {
        uri = format!("{uri}?{q}");
    }
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in &input.headers {
        builder = builder.header(*name, *value);
    }
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(input.unix_secs));
    if let Some(signed) = &input.signed {
        let skew = Duration::from_secs(u64::from(signed.skew_secs.unsigned_abs()));
        let date = if signed.skew_secs < 0 { now.checked_sub(skew) } else { now.checked_add(skew) };
        let date = date.filter(|d| *d >= SystemTime::UNIX_EPOCH).unwrap_or(now);
        let date = httpdate::fmt_http_date(date);
        let (id, secret) = if signed.known_key { ("AKIDfuzz", "fuzz-secret") } else { ("AKIDother", "x") };
        let authorization = sign(id, secret, &[("x-date", &date)]);
        builder = builder.header("x-date", date).header("authorization", authorization);
    }
    let Ok(req) = builder.body(Bytes::copy_from_slice(input.body)) else { return };
    let (parts, body) = req.into_parts();
    let gateway = gateway();
    let peer = IpAddr::V4(Ipv4Addr::from(input.peer));
    let Ok(matched) = gateway.route(&parts, peer, now) else { return };
    assert!(check_path(parts.uri.path()).is_ok(), "a routed path passed the path checks");
    // The configuration in force, held while its route is read.
    let config = gateway.config();
    let route = &config.routes[matched.route];
    if matches!(route.auth, RouteAuth::KeyPair) {
        assert_eq!(matched.key_id.as_deref(), Some("AKIDfuzz"), "only the configured key gets in");
    }
    let event = gateway.event_for(&matched, &parts, &body).expect("a matched route has an event");
    let req = match route.flavour {
        Flavour::Tencent => {
            let event = tencent::ApiGatewayEvent::from_slice(&event).expect("the Tencent event parses");
            assert_eq!(event.path, matched.path);
            assert_eq!(event.http_method, parts.method.as_str());
            Request::try_from(event).expect("the Tencent event reads as a Request")
        }
        Flavour::Aliyun => {
            let event = aliyun::ApiGatewayEvent::from_slice(&event).expect("the Alibaba event parses");
            assert_eq!(event.path, matched.path);
            Request::try_from(event).expect("the Alibaba event reads as a Request")
        }
        Flavour::FunctionUrl => {
            let event: tencent::FunctionUrlEvent =
                serde_json::from_slice(&event).expect("the function-URL event parses");
            assert_eq!(event.http_method, parts.method.as_str());
            Request::try_from(event).expect("the function-URL event reads as a Request")
        }
    };
    assert_eq!(req.method, parts.method.as_str());
    if std::str::from_utf8(&body).is_ok() || route.base64 != apigw_gateway::config::Base64Policy::Never {
        assert_eq!(req.body.as_bytes(), &body[..], "the body arrives whole");
    }
    for (name, value) in &matched.path_params {
        assert_eq!(req.path_param(name), Some(value.as_str()));
    }
});
