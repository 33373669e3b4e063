//! `cargo apigw invoke --sign`: the request signed for its route's auth as a client signs it, with
//! the credentials in `apigw.toml` (and, for OAuth, a private key given on the command line).

use anyhow::{Context, bail};
use apigw_gateway::Gateway;
use apigw_gateway::auth::aliyun_app::{AppSigner, SignatureMethod};
use apigw_gateway::auth::oauth::{self, TOKEN_COOKIE, TokenLocation};
use apigw_gateway::auth::{appcode, tencent_key};
use apigw_gateway::config::RouteAuth;
use bytes::Bytes;
use http::HeaderValue;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// What signs: the `[[keys]]` entry to use, and the OAuth private key.
pub(crate) struct Credentials<'a> {
    /// A key id or AppKey; the first `[[keys]]` entry when `None`.
    pub(crate) key: Option<&'a str>,
    /// The RSA private key (PEM) for OAuth tokens.
    pub(crate) private_key: Option<&'a Path>,
}

/// How long a token signed here is valid, as in Tencent's OAuth demos.
const TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// Signs `req` for the auth of the route it goes to.
pub(crate) fn sign(
    req: &mut http::Request<Bytes>,
    gateway: &Gateway,
    with: &Credentials<'_>,
) -> anyhow::Result<()> {
    let (parts, body) = std::mem::take(req).into_parts();
    let route = gateway.route_for(&parts).context("--sign: no route takes this request")?;
    let mut req_parts = parts;
    let config = gateway.config();
    let key = |needs_appcode: bool| -> anyhow::Result<(String, String)> {
        let pick = |id: &String| with.key.is_none_or(|k| k == id);
        let appcode_of =
            |id: &String| config.appcodes.iter().find(|(_, app)| *app == id).map(|(code, _)| code.clone());
        let found = config
            .keys
            .iter()
            .filter(|(id, _)| pick(id) && (!needs_appcode || appcode_of(id).is_some()))
            .map(|(id, secret)| {
                (id.clone(), if needs_appcode { appcode_of(id).unwrap_or_default() } else { secret.clone() })
            })
            .next();
        match (found, with.key) {
            (Some(found), _) => Ok(found),
            (None, Some(id)) => bail!(
                "--key `{id}` is not a [[keys]] entry{}",
                if needs_appcode { " with an appcode" } else { "" }
            ),
            (None, None) => bail!(
                "--sign: apigw.toml has no [[keys]] entry{}",
                if needs_appcode { " with an appcode" } else { "" }
            ),
        }
    };
    let headers = &mut req_parts.headers;
    match &route.auth {
        RouteAuth::None | RouteAuth::OauthAuthorization(_) => {
            bail!(
                "--sign: the route `{}` asks for no credentials (auth = \"{}\")",
                route.pattern.as_str(),
                route.auth.name()
            )
        }
        RouteAuth::KeyPair => {
            let (id, secret) = key(false)?;
            let date = httpdate::fmt_http_date(SystemTime::now());
            let authorization =
                tencent_key::sign(&id, &secret, &[("x-date", &date), ("source", "cargo-apigw")]);
            headers.insert("x-date", HeaderValue::from_str(&date)?);
            headers.insert("source", HeaderValue::from_static("cargo-apigw"));
            headers.insert(http::header::AUTHORIZATION, HeaderValue::from_str(&authorization)?);
        }
        RouteAuth::App(_) => {
            let (id, secret) = key(false)?;
            if !headers.contains_key(http::header::ACCEPT) {
                headers.insert(http::header::ACCEPT, HeaderValue::from_static("application/json"));
            }
            let signer = AppSigner { app_key: &id, app_secret: &secret, method: SignatureMethod::HmacSha256 };
            let now_ms =
                SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_millis();
            let nonce = apigw_gateway::gateway::new_request_id();
            let target = req_parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_owned();
            let method = req_parts.method.to_string();
            signer
                .sign(&method, &target, &mut req_parts.headers, &body, now_ms, &nonce)
                .context("--sign: a header cannot carry the signature")?;
        }
        RouteAuth::AppCode => {
            let (_, code) = key(true)?;
            headers
                .insert(http::header::AUTHORIZATION, HeaderValue::from_str(&appcode::authorization(&code))?);
        }
        RouteAuth::OauthBusiness(oauth_config) => {
            let Some(file) = with.private_key else {
                bail!(
                    "--sign: the route `{}` needs an OAuth token: give --private-key FILE, the RSA key (PEM) whose public half the authorization API holds",
                    route.pattern.as_str()
                );
            };
            let pem =
                std::fs::read(file).with_context(|| format!("reading --private-key {}", file.display()))?;
            let mut claims = serde_json::Map::new();
            claims.insert("sub".into(), "cargo-apigw".into());
            let token = oauth::issue(&pem, claims, TOKEN_LIFETIME, SystemTime::now())
                .with_context(|| format!("--private-key {}", file.display()))?;
            match oauth_config.token_location {
                TokenLocation::Header => {
                    headers.insert(
                        http::header::AUTHORIZATION,
                        HeaderValue::from_str(&oauth::authorization(&token))?,
                    );
                }
                TokenLocation::Cookie => {
                    headers.append(
                        http::header::COOKIE,
                        HeaderValue::from_str(&format!("{TOKEN_COOKIE}={token}"))?,
                    );
                }
            }
        }
    }
    *req = http::Request::from_parts(req_parts, body);
    Ok(())
}
