//! Alibaba API Gateway app authentication ("digest authentication"): the `X-Ca-*` signature an
//! app's AppKey and AppSecret make over the request.
//!
//! The string to sign, each of the first five lines kept when empty:
//!
//! ```text
//! METHOD\nAccept\nContent-MD5\nContent-Type\nDate\n
//! name:value\n …            (the headers listed in X-Ca-Signature-Headers, sorted by name)
//! /path?k1=v1&k2&…          (query and form parameters, decoded, sorted by key)
//! ```
//!
//! `X-Ca-Signature` is its base64 HMAC-SHA256 keyed with the AppSecret (HMAC-SHA1 with
//! `X-Ca-Signature-Method: HmacSHA1`). A sent `Content-MD5` must be the body's; `X-Ca-Timestamp`
//! (epoch milliseconds), when sent, within 15 minutes of the gateway's clock; an `X-Ca-Nonce` is
//! taken once per 15 minutes. Each refusal carries Alibaba's status, `X-Ca-Error-Code` and
//! `X-Ca-Error-Message`; a signature mismatch's message holds the server's string to sign with
//! each newline written `#`, as Alibaba's does.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue};
use md5::{Digest as _, Md5};

use super::Hmac;
use super::nonce::{NONCE_WINDOW, NonceCache};

/// How far `X-Ca-Timestamp` may be from the gateway's clock: 15 minutes.
pub const MAX_TIMESTAMP_SKEW: Duration = NONCE_WINDOW;

/// Headers that are never part of the signed header block, even when listed.
const NEVER_IN_BLOCK: [&str; 6] =
    ["x-ca-signature", "x-ca-signature-headers", "accept", "content-md5", "content-type", "date"];

/// The digests an app may sign with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureMethod {
    /// `HmacSHA256`, used when `X-Ca-Signature-Method` is absent.
    #[default]
    HmacSha256,
    /// `HmacSHA1`.
    HmacSha1,
}

impl SignatureMethod {
    /// Reads `HmacSHA256` or `HmacSHA1`, in any case.
    pub fn parse(name: &str) -> Option<SignatureMethod> {
        match name.to_ascii_lowercase().as_str() {
            "hmacsha256" => Some(SignatureMethod::HmacSha256),
            "hmacsha1" => Some(SignatureMethod::HmacSha1),
            _ => None,
        }
    }

    /// The name as `X-Ca-Signature-Method` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha256 => "HmacSHA256",
            SignatureMethod::HmacSha1 => "HmacSHA1",
        }
    }

    fn hmac(self) -> Hmac {
        match self {
            SignatureMethod::HmacSha256 => Hmac::Sha256,
            SignatureMethod::HmacSha1 => Hmac::Sha1,
        }
    }
}

/// Why a request failed app authentication. Each displays as Alibaba's `X-Ca-Error-Message`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppAuthError {
    /// A required header (`X-Ca-Key`, `X-Ca-Signature`, or `X-Ca-Nonce` on a route that forces
    /// nonces) is absent.
    #[error("Header `{0}` is Required")]
    MissingHeader(&'static str),
    /// A header is repeated or its value is unusable; the header and why.
    #[error("Invalid Header `{0}` {1}")]
    InvalidHeader(&'static str, String),
    /// No app has this AppKey.
    #[error("Invalid AppKey")]
    UnknownAppKey(String),
    /// `X-Ca-Timestamp` is more than [`MAX_TIMESTAMP_SKEW`] away from the gateway's clock.
    #[error("Timestamp Expired")]
    TimestampExpired,
    /// `Content-MD5` is not the body's.
    #[error("Invalid Content-MD5")]
    ContentMd5,
    /// The signature does not match; the server's string to sign.
    #[error("Invalid Signature, Server StringToSign:`{}`", .0.replace('\n', "#"))]
    BadSignature(String),
    /// The nonce was used within the last 15 minutes.
    #[error("Nonce Used")]
    NonceUsed,
}

impl AppAuthError {
    /// The HTTP status Alibaba answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppAuthError::BadSignature(_) => 403,
            _ => 400,
        }
    }

    /// The six-character `X-Ca-Error-Code` (see the README's table for which are Alibaba's
    /// documented codes and which follow their pattern).
    pub fn code(&self) -> &'static str {
        match self {
            AppAuthError::MissingHeader(_) => "I400MH",
            AppAuthError::InvalidHeader(..) => "I400HD",
            AppAuthError::UnknownAppKey(_) => "A400IK",
            AppAuthError::TimestampExpired => "A400TE",
            AppAuthError::ContentMd5 => "A400CM",
            AppAuthError::BadSignature(_) => "A403IS",
            AppAuthError::NonceUsed => "A400NU",
        }
    }
}

/// The parts of a request the signature covers.
#[derive(Clone, Copy, Debug)]
pub struct Signed<'a> {
    /// The method, e.g. `POST`.
    pub method: &'a str,
    /// The path as sent, without the query.
    pub path: &'a str,
    /// The query as sent (still percent-encoded), if any.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// The string the server signs for this request.
pub fn string_to_sign(req: &Signed<'_>) -> String {
    let mut out = String::new();
    out.push_str(&req.method.to_ascii_uppercase());
    out.push('\n');
    for name in ["accept", "content-md5", "content-type", "date"] {
        out.push_str(&first_value(req.headers, name).unwrap_or_default());
        out.push('\n');
    }
    for name in signed_header_names(req.headers) {
        out.push_str(&name);
        out.push(':');
        out.push_str(&first_value(req.headers, &name).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(req.path);
    let params = parameters(req);
    if !params.is_empty() {
        let pairs: Vec<String> =
            params.iter().map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") }).collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// The names listed in `X-Ca-Signature-Headers`, as written, without the ones never signed and
/// without repeats, sorted.
fn signed_header_names(headers: &HeaderMap) -> Vec<String> {
    let listed: Vec<String> = headers
        .get_all("x-ca-signature-headers")
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes()).split(',').map(|n| n.trim().to_owned()).collect::<Vec<_>>()
        })
        .filter(|n| !n.is_empty() && !NEVER_IN_BLOCK.iter().any(|x| x.eq_ignore_ascii_case(n)))
        .collect();
    let mut names: Vec<String> = Vec::new();
    for name in listed {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    names.sort();
    names
}

/// Query and (for a form body) form parameters, decoded: the first value of a repeated key, a
/// form field over a query parameter of the same name.
fn parameters(req: &Signed<'_>) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    for (k, v) in apigw_events::Query::parse(req.query.unwrap_or("")).iter() {
        params.entry(k.to_owned()).or_insert_with(|| v.to_owned());
    }
    let form = first_value(req.headers, "content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if form {
        let mut fields = BTreeMap::new();
        for (k, v) in apigw_events::Query::parse(&String::from_utf8_lossy(req.body)).iter() {
            fields.entry(k.to_owned()).or_insert_with(|| v.to_owned());
        }
        params.extend(fields);
    }
    params
}

fn first_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The one value of `name`: `Ok(None)` when absent, an error when repeated.
fn single(headers: &HeaderMap, name: &'static str) -> Result<Option<String>, AppAuthError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(AppAuthError::InvalidHeader(name, "is repeated".to_owned()));
    }
    Ok(Some(String::from_utf8_lossy(value.as_bytes()).into_owned()))
}

/// What a route's app authentication requires beyond a valid signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppPolicy {
    /// Refuse a request without `X-Ca-Nonce` (Alibaba's `ForceNonceCheck`).
    pub force_nonce: bool,
}

/// Checks a request's app signature; `keys` maps AppKey → AppSecret; a nonce that passes is
/// recorded in `nonces`. Returns the AppKey.
pub fn verify(
    req: &Signed<'_>,
    keys: &BTreeMap<String, String>,
    policy: AppPolicy,
    nonces: &std::sync::Mutex<NonceCache>,
    now: SystemTime,
) -> Result<String, AppAuthError> {
    let app_key = single(req.headers, "X-Ca-Key")?.ok_or(AppAuthError::MissingHeader("X-Ca-Key"))?;
    let signature =
        single(req.headers, "X-Ca-Signature")?.ok_or(AppAuthError::MissingHeader("X-Ca-Signature"))?;
    let secret = keys.get(&app_key).ok_or_else(|| AppAuthError::UnknownAppKey(app_key.clone()))?;
    let method = match single(req.headers, "X-Ca-Signature-Method")? {
        None => SignatureMethod::default(),
        Some(name) => SignatureMethod::parse(&name).ok_or_else(|| {
            let why = format!("`{name}` is not HmacSHA256 or HmacSHA1");
            AppAuthError::InvalidHeader("X-Ca-Signature-Method", why)
        })?,
    };
    if let Some(timestamp) = single(req.headers, "X-Ca-Timestamp")? {
        check_timestamp(&timestamp, now)?;
    }
    let nonce = single(req.headers, "X-Ca-Nonce")?;
    if policy.force_nonce && nonce.is_none() {
        return Err(AppAuthError::MissingHeader("X-Ca-Nonce"));
    }
    let message = string_to_sign(req);
    let expected = STANDARD.decode(signature.trim()).unwrap_or_default();
    if !method.hmac().verify(secret.as_bytes(), message.as_bytes(), &expected) {
        return Err(AppAuthError::BadSignature(message));
    }
    if let Some(sent) = single(req.headers, "Content-MD5")?
        && sent.trim() != content_md5(req.body)
    {
        return Err(AppAuthError::ContentMd5);
    }
    if let Some(nonce) = nonce {
        let fresh = match nonces.lock() {
            Ok(mut cache) => cache.use_once(&app_key, &nonce, now),
            Err(poisoned) => poisoned.into_inner().use_once(&app_key, &nonce, now),
        };
        if !fresh {
            return Err(AppAuthError::NonceUsed);
        }
    }
    Ok(app_key)
}

fn check_timestamp(value: &str, now: SystemTime) -> Result<(), AppAuthError> {
    let millis: u64 = value.trim().parse().map_err(|_| {
        AppAuthError::InvalidHeader("X-Ca-Timestamp", format!("`{value}` is not epoch milliseconds"))
    })?;
    let at = SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_millis(millis))
        .ok_or_else(|| AppAuthError::InvalidHeader("X-Ca-Timestamp", format!("`{value}` is out of range")))?;
    let skew = now.duration_since(at).or_else(|_| at.duration_since(now)).unwrap_or(Duration::MAX);
    if skew > MAX_TIMESTAMP_SKEW { Err(AppAuthError::TimestampExpired) } else { Ok(()) }
}

/// `base64(MD5(body))`, the value of `Content-MD5`.
pub fn content_md5(body: &[u8]) -> String {
    STANDARD.encode(Md5::digest(body))
}

/// An app's credentials, to sign requests as a client does.
#[derive(Clone, Copy, Debug)]
pub struct AppSigner<'a> {
    /// The AppKey.
    pub app_key: &'a str,
    /// The AppSecret.
    pub app_secret: &'a str,
    /// The digest.
    pub method: SignatureMethod,
}

impl AppSigner<'_> {
    /// Adds what Alibaba's SDKs add, then the signature: `X-Ca-Key`, `X-Ca-Timestamp`, `X-Ca-Nonce`,
    /// `X-Ca-Signature-Method`, `Content-MD5` for a body that is not a form, and
    /// `X-Ca-Signature-Headers` listing every `X-Ca-*` header. Headers already set are kept and
    /// signed as they are.
    pub fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &mut HeaderMap,
        body: &[u8],
        timestamp_ms: u128,
        nonce: &str,
    ) -> Result<(), http::header::InvalidHeaderValue> {
        let mut set = |name: &'static str, value: &str| -> Result<(), http::header::InvalidHeaderValue> {
            if !headers.contains_key(name) {
                headers.insert(name, HeaderValue::from_str(value)?);
            }
            Ok(())
        };
        set("x-ca-key", self.app_key)?;
        set("x-ca-timestamp", &timestamp_ms.to_string())?;
        set("x-ca-nonce", nonce)?;
        set("x-ca-signature-method", self.method.as_str())?;
        let form = first_value(headers, "content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if !body.is_empty() && !form && !headers.contains_key("content-md5") {
            headers.insert("content-md5", HeaderValue::from_str(&content_md5(body))?);
        }
        let mut names: Vec<&str> = headers
            .keys()
            .map(HeaderName::as_str)
            .filter(|n| n.starts_with("x-ca-") && !NEVER_IN_BLOCK.contains(n))
            .collect();
        names.sort_unstable();
        names.dedup();
        let list = HeaderValue::from_str(&names.join(","))?;
        headers.insert("x-ca-signature-headers", list);
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let message = string_to_sign(&Signed { method, path, query, headers, body });
        let digest = self.method.hmac().digest(self.app_secret.as_bytes(), message.as_bytes());
        headers.insert("x-ca-signature", HeaderValue::from_str(&STANDARD.encode(digest))?);
        Ok(())
    }
}

#[cfg(test)]
#[path = "aliyun_app_tests.rs"]
mod tests;
