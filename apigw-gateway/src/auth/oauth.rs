//! Tencent API Gateway OAuth 2.0: an authorization API (whose backend, your authorization server,
//! issues tokens) and business APIs linked to it, which need
//! `Authorization: Bearer id_token="<JWT>"` (or the token in a cookie) signed RS256 by the private
//! key whose public half the authorization API holds as a JWK.
//!
//! A token is refused when its signature does not verify with that key, its algorithm is not
//! RS256, it has no numeric `exp`, `exp` has passed or `nbf` is still ahead (no leeway either
//! way). Each refusal's text is Tencent's 401 message for it.

use std::fmt;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

/// Where business APIs read the token (Tencent's `TokenLocation`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenLocation {
    /// `method.req.header.authorization`: `Authorization: Bearer id_token="<JWT>"`.
    #[default]
    Header,
    /// `method.req.header.cookie`: a cookie named `id_token` holding the JWT.
    Cookie,
}

/// The name of the cookie that carries the token with [`TokenLocation::Cookie`].
pub const TOKEN_COOKIE: &str = "id_token";

/// An authorization API's OAuth configuration (Tencent's `OauthConfig`).
#[derive(Clone)]
pub struct OauthConfig {
    /// The public key as configured: a JWK, JSON text.
    pub public_key: String,
    /// Where business APIs read the token.
    pub token_location: TokenLocation,
    /// Where a request without a token is redirected, when set (`LoginRedirectUrl`).
    pub login_redirect_url: Option<String>,
    key: DecodingKey,
}

impl fmt::Debug for OauthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OauthConfig")
            .field("public_key", &self.public_key)
            .field("token_location", &self.token_location)
            .field("login_redirect_url", &self.login_redirect_url)
            .finish_non_exhaustive()
    }
}

impl OauthConfig {
    /// Reads the public key, an RSA JWK (`{"kty":"RSA","n":"…","e":"AQAB"}`); the error says what
    /// is wrong with it.
    pub fn new(
        public_key: &str,
        token_location: TokenLocation,
        login_redirect_url: Option<String>,
    ) -> Result<OauthConfig, String> {
        let jwk: Jwk =
            serde_json::from_str(public_key).map_err(|e| format!("the public key is not a JWK: {e}"))?;
        if !matches!(jwk.algorithm, jsonwebtoken::jwk::AlgorithmParameters::RSA(_)) {
            return Err("the public key is not an RSA JWK (`\"kty\": \"RSA\"`)".to_owned());
        }
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("the public key cannot be used: {e}"))?;
        Ok(OauthConfig { public_key: public_key.to_owned(), token_location, login_redirect_url, key })
    }
}

/// Why a business API refused a request. Each displays as Tencent's message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OauthError {
    /// No `Authorization` header (with [`TokenLocation::Header`]).
    #[error("Oauth found no authorization header")]
    NoAuthorizationHeader,
    /// `Authorization` is repeated or not `Bearer name="value", …`.
    #[error("Oauth authorization header format error")]
    HeaderFormat,
    /// `Authorization: Bearer …` without `id_token="…"`.
    #[error("Oauth miss Oauth id_token")]
    MissingIdToken,
    /// No `id_token` cookie (with [`TokenLocation::Cookie`]).
    #[error("Oauth found no id_token")]
    NoIdTokenCookie,
    /// The token does not verify, has expired, or is not valid yet; why.
    #[error("Oauth id_token verify error")]
    Verify(String),
}

impl OauthError {
    /// The HTTP status Tencent answers with.
    pub fn status(&self) -> u16 {
        401
    }

    /// Whether the request carried no token at all (then a configured login URL is where it goes).
    pub fn is_missing_token(&self) -> bool {
        matches!(self, OauthError::NoAuthorizationHeader | OauthError::NoIdTokenCookie)
    }
}

/// Checks a business API's token with its authorization API's configuration; returns the token's
/// claims.
pub fn verify(
    headers: &HeaderMap,
    config: &OauthConfig,
    now: SystemTime,
) -> Result<serde_json::Map<String, serde_json::Value>, OauthError> {
    let token = match config.token_location {
        TokenLocation::Header => token_from_authorization(headers)?,
        TokenLocation::Cookie => token_from_cookie(headers)?,
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let data =
        jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(&token, &config.key, &validation)
            .map_err(|e| OauthError::Verify(e.to_string()))?;
    let seconds = now.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    let claim = |name: &str| data.claims.get(name).map(|v| v.as_f64().ok_or(()));
    match claim("exp") {
        None => return Err(OauthError::Verify("the token has no `exp`".to_owned())),
        Some(Err(())) => return Err(OauthError::Verify("`exp` is not a number".to_owned())),
        Some(Ok(exp)) if exp <= seconds => {
            return Err(OauthError::Verify("the token has expired".to_owned()));
        }
        Some(Ok(_)) => {}
    }
    match claim("nbf") {
        Some(Err(())) => return Err(OauthError::Verify("`nbf` is not a number".to_owned())),
        Some(Ok(nbf)) if nbf > seconds => {
            return Err(OauthError::Verify("the token is not valid yet".to_owned()));
        }
        _ => {}
    }
    Ok(data.claims)
}

fn token_from_authorization(headers: &HeaderMap) -> Result<String, OauthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(OauthError::NoAuthorizationHeader)?;
    if values.next().is_some() {
        return Err(OauthError::HeaderFormat);
    }
    let value = value.to_str().map_err(|_| OauthError::HeaderFormat)?.trim();
    let (scheme, rest) = value.split_once([' ', '\t']).ok_or(OauthError::HeaderFormat)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(OauthError::HeaderFormat);
    }
    let params = super::parse_params(rest).map_err(|_| OauthError::MissingIdToken)?;
    params
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("id_token"))
        .map(|(_, token)| (*token).to_owned())
        .filter(|token| !token.is_empty())
        .ok_or(OauthError::MissingIdToken)
}

fn token_from_cookie(headers: &HeaderMap) -> Result<String, OauthError> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| name.trim() == TOKEN_COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|token| !token.is_empty())
        .ok_or(OauthError::NoIdTokenCookie)
}

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot sign a token: {0}")]
pub struct IssueError(String);

/// Makes a token as Tencent's OAuth demos do: RS256 with the private key (PEM, PKCS#1 or
/// PKCS#8), `iat` and `nbf` now, `exp` after `lifetime`, plus `claims`.
pub fn issue(
    private_key_pem: &[u8],
    claims: serde_json::Map<String, serde_json::Value>,
    lifetime: Duration,
    now: SystemTime,
) -> Result<String, IssueError> {
    let key = EncodingKey::from_rsa_pem(private_key_pem).map_err(|e| IssueError(e.to_string()))?;
    let now = now.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_secs();
    let mut claims = claims;
    claims.insert("iat".into(), now.into());
    claims.insert("nbf".into(), now.into());
    claims.insert("exp".into(), now.saturating_add(lifetime.as_secs()).into());
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key).map_err(|e| IssueError(e.to_string()))
}

/// The header value a client sends with [`TokenLocation::Header`].
pub fn authorization(token: &str) -> String {
    format!("Bearer id_token=\"{token}\"")
}

#[cfg(test)]
#[path = "oauth_tests.rs"]
mod tests;
