//! The auth fields of a route (`auth`, `force_nonce`, `oauth`, `oauth_api`) and the OAuth
//! authorization APIs business APIs link to, checked.

use super::*;
use crate::auth::aliyun_app::AppPolicy;
use crate::auth::oauth::{OauthConfig, TokenLocation};
use std::sync::Arc;

/// An authorization API's `oauth` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOauth {
    /// The public key, a JWK as JSON text.
    public_key: Option<String>,
    /// A file holding the JWK, relative to the configuration file.
    public_key_file: Option<String>,
    /// `header` (the default) or `cookie`.
    token_location: Option<String>,
    login_redirect_url: Option<String>,
}

/// A route whose `oauth` table makes it an authorization API.
pub(super) struct AuthorizationApi {
    index: usize,
    name: Option<String>,
    config: Arc<OauthConfig>,
}

/// The authorization APIs among `routes`, their keys read.
pub(super) fn authorization_apis(
    c: &Checker<'_>,
    routes: &[RawRoute],
) -> Result<Vec<AuthorizationApi>, ConfigError> {
    let mut apis = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        let Some(oauth) = &r.oauth else { continue };
        let field = format!("routes[{i}].oauth");
        let at = Some(oauth.span());
        let oauth = oauth.get_ref();
        let text = match (&oauth.public_key, &oauth.public_key_file) {
            (Some(text), None) => text.clone(),
            (None, Some(path)) => {
                let base = Path::new(c.file).parent().unwrap_or(Path::new(""));
                std::fs::read_to_string(base.join(path)).or_else(|e| {
                    c.err(at.clone(), format!("`{field}.public_key_file` = \"{path}\": cannot read: {e}"))
                })?
            }
            _ => {
                return c.err(
                    at,
                    format!("`{field}` needs `public_key` (a JWK) or `public_key_file`, one of them"),
                );
            }
        };
        let location = match oauth.token_location.as_deref() {
            None | Some("header") => TokenLocation::Header,
            Some("cookie") => TokenLocation::Cookie,
            Some(other) => {
                return c
                    .err(at, format!("`{field}.token_location` = \"{other}\": expected header or cookie"));
            }
        };
        let config = OauthConfig::new(&text, location, oauth.login_redirect_url.clone())
            .or_else(|e| c.err(at, format!("`{field}`: {e}")))?;
        let name = r.name.as_ref().map(|n| n.get_ref().clone());
        apis.push(AuthorizationApi { index: i, name, config: Arc::new(config) });
    }
    Ok(apis)
}

/// The credentials `[[keys]]` holds.
pub(super) struct Credentials<'a> {
    pub(super) keys: &'a BTreeMap<String, String>,
    pub(super) appcodes: &'a BTreeMap<String, String>,
}

/// The route's `auth`, checked against its flavour, the credentials and the authorization APIs.
pub(super) fn check_auth(
    c: &Checker<'_>,
    i: usize,
    r: &RawRoute,
    flavour: Flavour,
    credentials: &Credentials<'_>,
    apis: &[AuthorizationApi],
) -> Result<RouteAuth, ConfigError> {
    let field = |name: &str| format!("routes[{i}].{name}");
    let (value, span) = match &r.auth {
        Some(a) => (a.get_ref().as_str(), a.span()),
        None => ("none", r.path.span()),
    };
    let vendor = match value {
        "key" | "oauth" => Some(Flavour::Tencent),
        "app" | "appcode" => Some(Flavour::Aliyun),
        _ => None,
    };
    if let Some(vendor) = vendor
        && vendor != flavour
    {
        return c.err(
            Some(span),
            format!(
                "`{}` = \"{value}\" is {}'s; the route's flavour is {}",
                field("auth"),
                if vendor == Flavour::Tencent { "Tencent" } else { "Alibaba" },
                flavour.as_str()
            ),
        );
    }
    if let Some(force) = r.force_nonce.as_ref().filter(|_| value != "app") {
        return c.err(Some(force.span()), format!("`{}` needs `auth` = \"app\"", field("force_nonce")));
    }
    if value != "oauth" {
        if let Some(oauth) = &r.oauth {
            return c.err(Some(oauth.span()), format!("`{}` needs `auth` = \"oauth\"", field("oauth")));
        }
        if let Some(api) = &r.oauth_api {
            return c.err(Some(api.span()), format!("`{}` needs `auth` = \"oauth\"", field("oauth_api")));
        }
    }
    match value {
        "none" => Ok(RouteAuth::None),
        "key" | "app" if credentials.keys.is_empty() => {
            c.err(Some(span), format!("`{}` = \"{value}\" needs at least one [[keys]] entry", field("auth")))
        }
        "key" => Ok(RouteAuth::KeyPair),
        "app" => {
            let force_nonce = r.force_nonce.as_ref().is_some_and(|f| *f.get_ref());
            Ok(RouteAuth::App(AppPolicy { force_nonce }))
        }
        "appcode" if credentials.appcodes.is_empty() => c.err(
            Some(span),
            format!("`{}` = \"appcode\" needs a [[keys]] entry with an `appcode`", field("auth")),
        ),
        "appcode" => Ok(RouteAuth::AppCode),
        "oauth" => oauth(c, i, r, span, apis),
        other => c.err(
            Some(span),
            format!(
                "`{}` = \"{other}\": expected none, key, oauth (Tencent), app or appcode (Alibaba)",
                field("auth")
            ),
        ),
    }
}

/// An authorization API, or a business API linked to one: by `oauth_api` (an authorization
/// API's `name`), or to the only one there is.
fn oauth(
    c: &Checker<'_>,
    i: usize,
    r: &RawRoute,
    span: std::ops::Range<usize>,
    apis: &[AuthorizationApi],
) -> Result<RouteAuth, ConfigError> {
    if let Some(api) = apis.iter().find(|a| a.index == i) {
        if let Some(link) = &r.oauth_api {
            let message = format!("`routes[{i}].oauth_api`: an authorization API is linked to none");
            return c.err(Some(link.span()), message);
        }
        return Ok(RouteAuth::OauthAuthorization(api.config.clone()));
    }
    let linked = match &r.oauth_api {
        Some(name) => {
            apis.iter().find(|a| a.name.as_deref() == Some(name.get_ref().as_str())).ok_or_else(|| {
                (
                    name.span(),
                    format!(
                        "`routes[{i}].oauth_api` = \"{}\": no route with an `oauth` table has that `name`",
                        name.get_ref()
                    ),
                )
            })
        }
        None => match apis {
            [only] => Ok(only),
            [] => Err((
                span,
                format!(
                    "`routes[{i}].auth` = \"oauth\": no route is an authorization API (a route with an `oauth` table holding its public key)"
                ),
            )),
            _ => Err((
                span,
                format!(
                    "`routes[{i}].auth` = \"oauth\": there are several authorization APIs; say which in `oauth_api`"
                ),
            )),
        },
    };
    match linked {
        Ok(api) => Ok(RouteAuth::OauthBusiness(api.config.clone())),
        Err((at, message)) => c.err(Some(at), message),
    }
}
