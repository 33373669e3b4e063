//! The front door's checks that depend on the vendor: each route's auth, Alibaba's `X-Ca-Stage`,
//! and whose words answer a request no route has claimed yet.

use std::sync::Mutex;
use std::time::SystemTime;

use crate::auth::nonce::NonceCache;
use crate::auth::{aliyun_app, appcode, oauth, tencent_key};
use crate::config::{Flavour, GatewayConfig, Route, RouteAuth};
use crate::refusal::Refusal;

/// The vendor whose words answer before a route is found: Alibaba's when every API Gateway route
/// is Alibaba's, else Tencent's.
pub(crate) fn front_flavour(config: &GatewayConfig) -> Flavour {
    let mut api_gateway = config.routes.iter().filter(|r| r.flavour != Flavour::FunctionUrl).peekable();
    if api_gateway.peek().is_some() && api_gateway.all(|r| r.flavour == Flavour::Aliyun) {
        Flavour::Aliyun
    } else {
        Flavour::Tencent
    }
}

/// The stage of a request on an Alibaba route: the URL's `/<stage>` prefix, else `X-Ca-Stage`
/// (`RELEASE`, `PRE` or `TEST`, in any case), else the default.
pub(crate) fn aliyun_stage(
    headers: &http::HeaderMap,
    from_url: Option<&str>,
    default: &str,
) -> Result<String, Refusal> {
    if let Some(stage) = from_url {
        return Ok(stage.to_owned());
    }
    let Some(value) = headers.get("x-ca-stage") else { return Ok(default.to_owned()) };
    let text = String::from_utf8_lossy(value.as_bytes()).trim().to_ascii_uppercase();
    match text.as_str() {
        "RELEASE" => Ok("release".to_owned()),
        "PRE" | "PREPUB" => Ok("prepub".to_owned()),
        "TEST" => Ok("test".to_owned()),
        _ => Err(Refusal::InvalidStage(text)),
    }
}

/// How Alibaba writes a stage in `X-Ca-Stage`.
pub(crate) fn aliyun_stage_name(stage: &str) -> String {
    match stage {
        "prepub" => "PRE".to_owned(),
        other => other.to_ascii_uppercase(),
    }
}

/// The auth checks that need only the headers: Tencent key pairs, Alibaba AppCodes and Tencent
/// OAuth business APIs. Returns the key id or AppKey verified, if the route's auth yields one.
pub(crate) fn check_headers(
    route: &Route,
    config: &GatewayConfig,
    headers: &http::HeaderMap,
    now: SystemTime,
) -> Result<Option<String>, Refusal> {
    match &route.auth {
        RouteAuth::None | RouteAuth::OauthAuthorization(_) | RouteAuth::App(_) => Ok(None),
        RouteAuth::KeyPair => {
            tencent_key::verify(headers, &config.keys, now).map(Some).map_err(Refusal::KeyPair)
        }
        RouteAuth::AppCode => appcode::verify(headers, &config.appcodes).map(Some).map_err(Refusal::AppCode),
        RouteAuth::OauthBusiness(oauth_config) => match oauth::verify(headers, oauth_config, now) {
            Ok(_) => Ok(None),
            Err(e) => match &oauth_config.login_redirect_url {
                Some(url) if e.is_missing_token() => Err(Refusal::LoginRedirect(url.clone())),
                _ => Err(Refusal::Oauth(e)),
            },
        },
    }
}

/// The auth check that needs the body: Alibaba's app signature (form fields are signed, and
/// `Content-MD5` is the body's). Returns the AppKey verified, if the route signs by app.
pub(crate) fn check_body(
    route: &Route,
    config: &GatewayConfig,
    nonces: &Mutex<NonceCache>,
    parts: &http::request::Parts,
    body: &[u8],
    now: SystemTime,
) -> Result<Option<String>, Refusal> {
    let RouteAuth::App(policy) = route.auth else { return Ok(None) };
    let signed = aliyun_app::Signed {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body,
    };
    aliyun_app::verify(&signed, &config.keys, policy, nonces, now).map(Some).map_err(Refusal::App)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_comes_from_the_url_then_x_ca_stage() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(aliyun_stage(&headers, None, "release").unwrap(), "release");
        headers.insert("x-ca-stage", "pre".parse().unwrap());
        assert_eq!(aliyun_stage(&headers, None, "release").unwrap(), "prepub");
        assert_eq!(aliyun_stage(&headers, Some("test"), "release").unwrap(), "test");
        headers.insert("x-ca-stage", "staging".parse().unwrap());
        assert!(
            matches!(aliyun_stage(&headers, None, "release"), Err(Refusal::InvalidStage(s)) if s == "STAGING")
        );
        assert_eq!(aliyun_stage_name("prepub"), "PRE");
        assert_eq!(aliyun_stage_name("release"), "RELEASE");
    }

    #[test]
    fn answers_before_routing_are_alibabas_only_when_every_route_is() {
        let config = |flavours: &[&str]| {
            let toml: String = flavours
                .iter()
                .enumerate()
                .map(|(i, f)| format!("[[routes]]\npath = \"/r{i}\"\nflavour = \"{f}\"\n"))
                .collect();
            GatewayConfig::parse(&toml, "apigw.toml").unwrap()
        };
        assert_eq!(front_flavour(&config(&["aliyun", "aliyun"])), Flavour::Aliyun);
        assert_eq!(front_flavour(&config(&["aliyun", "function-url"])), Flavour::Aliyun);
        assert_eq!(front_flavour(&config(&["aliyun", "tencent"])), Flavour::Tencent);
        assert_eq!(front_flavour(&config(&["function-url"])), Flavour::Tencent);
    }
}
