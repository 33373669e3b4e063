//! What a route's `auth` asks of a request before it reaches the backend.

use std::sync::Arc;

use crate::auth::aliyun_app::AppPolicy;
use crate::auth::oauth::OauthConfig;

/// How a route authenticates requests (`auth` in `apigw.toml`).
#[derive(Clone, Debug, Default)]
pub enum RouteAuth {
    /// `none`: anyone may call.
    #[default]
    None,
    /// `key`: Tencent key-pair HMAC with a `[[keys]]` pair.
    KeyPair,
    /// `app`: Alibaba app signature with a `[[keys]]` AppKey and AppSecret.
    App(AppPolicy),
    /// `appcode`: Alibaba `Authorization: APPCODE <code>` with a `[[keys]]` entry's `appcode`.
    AppCode,
    /// `oauth` with an `oauth` table: a Tencent authorization API. It passes requests to its
    /// backend, which issues tokens; its key verifies the tokens of the business APIs linked to it.
    OauthAuthorization(Arc<OauthConfig>),
    /// `oauth` without a table: a Tencent business API, which needs a token its authorization
    /// API's key verifies.
    OauthBusiness(Arc<OauthConfig>),
}

impl RouteAuth {
    /// The `auth` value, with `oauth` told apart: `none`, `key`, `app`, `appcode`,
    /// `oauth-authorization` or `oauth`.
    pub fn name(&self) -> &'static str {
        match self {
            RouteAuth::None => "none",
            RouteAuth::KeyPair => "key",
            RouteAuth::App(_) => "app",
            RouteAuth::AppCode => "appcode",
            RouteAuth::OauthAuthorization(_) => "oauth-authorization",
            RouteAuth::OauthBusiness(_) => "oauth",
        }
    }

    /// Whether a request needs credentials to get through.
    pub fn is_required(&self) -> bool {
        !matches!(self, RouteAuth::None | RouteAuth::OauthAuthorization(_))
    }
}
