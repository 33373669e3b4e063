//! Tencent API Gateway key-pair authentication: an HMAC over listed request headers.
//!
//! A client sends a `Date` or `X-Date` header and
//! `Authorization: hmac id="<key id>", algorithm="hmac-sha1", headers="date source", signature="<base64>"`,
//! where the signature is the HMAC (SHA-1, -256, -384 or -512), keyed with the secret, of the listed
//! headers written as `name: value` lines (lower-case names, values as sent) joined by `\n`.
//!
//! As on Tencent, an `X-Date` header must be within [`MAX_X_DATE_SKEW`] of the gateway's clock; a
//! `Date` header is signed but its age is not checked. Each refusal's text is the message of
//! Tencent's gateway error table (without the table's trailing period, as Tencent's bodies have it).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::{AUTHORIZATION, HeaderMap, HeaderName};

use super::{Hmac, parse_params};

/// How far `X-Date` may be from the gateway's clock, in the past or the future: 900 s.
pub const MAX_X_DATE_SKEW: Duration = Duration::from_secs(900);

/// Why a request failed key-pair authentication. Each displays as Tencent's message for it; the
/// variants carry what exactly was wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyPairError {
    /// The request has no `Authorization` header.
    #[error("HMAC signature cannot be verified, a validate authorization header is required")]
    MissingAuthorization,
    /// `Authorization`, or a signed header, is sent more than once.
    #[error("HMAC do not support multiple HTTP header")]
    RepeatedHeader(String),
    /// `Authorization` is not `hmac name="value", …`; the reason.
    #[error("HMAC authorization format error")]
    Malformed(String),
    /// `Authorization` has no `id` or no `signature`.
    #[error("HMAC id or signature missing")]
    MissingIdOrSignature,
    /// `Authorization` has no `headers` list, or an empty one.
    #[error("HMAC authorization headers is invalidate")]
    InvalidHeaderList,
    /// The algorithm is none of hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512.
    #[error("HMAC algorithm {0} not supported")]
    UnsupportedAlgorithm(String),
    /// No secret is configured for the key id.
    #[error("HMAC signature cannot be verified")]
    UnknownKey(String),
    /// Neither `date` nor `x-date` is among the signed headers.
    #[error("HMAC signature cannot be verified, a valid date or x-date header is required")]
    MissingDate,
    /// A signed header is absent from the request or not visible ASCII.
    #[error("HMAC signature cannot be verified, a valid {0} header is required")]
    MissingSignedHeader(String),
    /// The `X-Date` value is not an HTTP date.
    #[error("HMAC signature cannot be verified, a valid x-date header is required for HMAC Authentication")]
    BadXDate(String),
    /// `X-Date` is more than [`MAX_X_DATE_SKEW`] away from the gateway's clock.
    #[error("HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication")]
    StaleXDate,
    /// The signature is not base64 or does not match the request.
    #[error("HMAC signature does not match")]
    BadSignature,
}

impl KeyPairError {
    /// The HTTP status Tencent answers with: 401 for every key-pair failure (Tencent's general
    /// gateway error table; its key-pair page says 403 for some, see the README).
    pub fn status(&self) -> u16 {
        401
    }
}

/// The HMAC algorithms Tencent's key-pair auth takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `hmac-sha1`, what Tencent's own samples use.
    HmacSha1,
    /// `hmac-sha256`.
    HmacSha256,
    /// `hmac-sha384`.
    HmacSha384,
    /// `hmac-sha512`.
    HmacSha512,
}

impl Algorithm {
    /// Reads `hmac-sha1` … `hmac-sha512`, in any case.
    pub fn parse(name: &str) -> Option<Algorithm> {
        match name.to_ascii_lowercase().as_str() {
            "hmac-sha1" => Some(Algorithm::HmacSha1),
            "hmac-sha256" => Some(Algorithm::HmacSha256),
            "hmac-sha384" => Some(Algorithm::HmacSha384),
            "hmac-sha512" => Some(Algorithm::HmacSha512),
            _ => None,
        }
    }

    /// The name as the `algorithm` parameter writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::HmacSha1 => "hmac-sha1",
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha384 => "hmac-sha384",
            Algorithm::HmacSha512 => "hmac-sha512",
        }
    }

    fn hmac(self) -> Hmac {
        match self {
            Algorithm::HmacSha1 => Hmac::Sha1,
            Algorithm::HmacSha256 => Hmac::Sha256,
            Algorithm::HmacSha384 => Hmac::Sha384,
            Algorithm::HmacSha512 => Hmac::Sha512,
        }
    }
}

/// The parsed `Authorization` header of a key-pair signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// The key id (`id="…"`).
    pub id: String,
    /// The algorithm as sent (`algorithm="…"`).
    pub algorithm: String,
    /// The signed header names, lower-cased, in the order listed (`headers="…"`).
    pub headers: Vec<String>,
    /// The base64 signature as sent (`signature="…"`).
    pub signature: String,
}

impl Authorization {
    /// Parses `hmac id="…", algorithm="…", headers="…", signature="…"`: the scheme in any case, the
    /// parameters in any order, unknown parameters ignored.
    pub fn parse(value: &str) -> Result<Authorization, KeyPairError> {
        let value = value.trim();
        let (scheme, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("hmac") {
            return Err(malformed("the scheme must be `hmac`"));
        }
        let (mut id, mut algorithm, mut headers, mut signature) = (None, None, None, None);
        for (name, value) in parse_params(rest).map_err(KeyPairError::Malformed)? {
            let slot = match name.to_ascii_lowercase().as_str() {
                "id" => &mut id,
                "algorithm" => &mut algorithm,
                "headers" => &mut headers,
                "signature" => &mut signature,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(malformed(&format!("parameter `{name}` appears twice")));
            }
        }
        let (Some(id), Some(signature)) = (id, signature) else {
            return Err(KeyPairError::MissingIdOrSignature);
        };
        let algorithm = algorithm.ok_or_else(|| malformed("missing parameter `algorithm`"))?;
        let headers: Vec<String> =
            headers.unwrap_or_default().split_whitespace().map(str::to_ascii_lowercase).collect();
        if headers.is_empty() {
            return Err(KeyPairError::InvalidHeaderList);
        }
        Ok(Authorization {
            id: id.to_owned(),
            algorithm: algorithm.to_owned(),
            headers,
            signature: signature.to_owned(),
        })
    }
}

fn malformed(why: &str) -> KeyPairError {
    KeyPairError::Malformed(why.to_owned())
}

/// Joins `name: value` lines, names lower-cased, with `\n`.
fn signing_string<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let lines: Vec<String> =
        headers.into_iter().map(|(name, value)| format!("{}: {value}", name.to_ascii_lowercase())).collect();
    lines.join("\n")
}

/// The single visible-ASCII value of `name`, `Err(true)` when it is repeated, `Err(false)` when it
/// is absent or not visible ASCII.
fn single_value<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, bool> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| false)?;
    let mut values = headers.get_all(name).iter();
    let value = values.next().ok_or(false)?;
    if values.next().is_some() {
        return Err(true);
    }
    value.to_str().map_err(|_| false)
}

/// Checks a request's key-pair signature; `keys` maps key id → secret. Returns the key id.
pub fn verify(
    headers: &HeaderMap,
    keys: &BTreeMap<String, String>,
    now: SystemTime,
) -> Result<String, KeyPairError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(KeyPairError::MissingAuthorization)?;
    if values.next().is_some() {
        return Err(KeyPairError::RepeatedHeader("authorization".to_owned()));
    }
    let value = value.to_str().map_err(|_| malformed("the header is not visible ASCII"))?;
    let authorization = Authorization::parse(value)?;
    let algorithm = Algorithm::parse(&authorization.algorithm)
        .ok_or_else(|| KeyPairError::UnsupportedAlgorithm(authorization.algorithm.clone()))?;
    let secret =
        keys.get(&authorization.id).ok_or_else(|| KeyPairError::UnknownKey(authorization.id.clone()))?;
    if !authorization.headers.iter().any(|name| name == "date" || name == "x-date") {
        return Err(KeyPairError::MissingDate);
    }
    let mut signed = Vec::with_capacity(authorization.headers.len());
    for name in &authorization.headers {
        let value = single_value(headers, name).map_err(|repeated| match repeated {
            true => KeyPairError::RepeatedHeader(name.clone()),
            false => KeyPairError::MissingSignedHeader(name.clone()),
        })?;
        signed.push((name.as_str(), value));
    }
    match single_value(headers, "x-date") {
        Ok(x_date) => check_x_date(x_date, now)?,
        Err(true) => return Err(KeyPairError::RepeatedHeader("x-date".to_owned())),
        Err(false) if headers.contains_key("x-date") => {
            return Err(KeyPairError::BadXDate("not visible ASCII".to_owned()));
        }
        Err(false) => {}
    }
    let signature = STANDARD.decode(&authorization.signature).map_err(|_| KeyPairError::BadSignature)?;
    let message = signing_string(signed);
    if !algorithm.hmac().verify(secret.as_bytes(), message.as_bytes(), &signature) {
        return Err(KeyPairError::BadSignature);
    }
    Ok(authorization.id)
}

fn check_x_date(value: &str, now: SystemTime) -> Result<(), KeyPairError> {
    let date = httpdate::parse_http_date(value).map_err(|_| KeyPairError::BadXDate(value.to_owned()))?;
    let skew = now.duration_since(date).or_else(|_| date.duration_since(now)).unwrap_or(Duration::MAX);
    if skew > MAX_X_DATE_SKEW { Err(KeyPairError::StaleXDate) } else { Ok(()) }
}

/// Builds the `Authorization` value a client sends: signs `headers` (name, value pairs, in order)
/// with `secret`, by HMAC-SHA1.
pub fn sign(key_id: &str, secret: &str, headers: &[(&str, &str)]) -> String {
    sign_with(Algorithm::HmacSha1, key_id, secret, headers)
}

/// [`sign`] with another algorithm.
pub fn sign_with(algorithm: Algorithm, key_id: &str, secret: &str, headers: &[(&str, &str)]) -> String {
    let digest =
        algorithm.hmac().digest(secret.as_bytes(), signing_string(headers.iter().copied()).as_bytes());
    let names: Vec<String> = headers.iter().map(|(name, _)| name.to_ascii_lowercase()).collect();
    format!(
        r#"hmac id="{key_id}", algorithm="{}", headers="{}", signature="{}""#,
        algorithm.as_str(),
        names.join(" "),
        STANDARD.encode(digest)
    )
}

#[cfg(test)]
#[path = "tencent_key_tests.rs"]
mod tests;
