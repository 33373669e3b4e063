//! API Gateway key-pair authentication: an HMAC-SHA1 signature over listed request headers.
//!
//! A client sends a `Date` or `X-Date` header and
//! `Authorization: hmac id="<key id>", algorithm="hmac-sha1", headers="date source", signature="<base64>"`,
//! where the signature is HMAC-SHA1, keyed with the secret, of the listed headers written as
//! `name: value` lines (lower-case names, values as sent) joined by `\n`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use http::header::{AUTHORIZATION, HeaderMap, HeaderName};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// How far the signed date may be from the current time, in the past or the future.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Why a request failed key-pair authentication.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// The request has no `Authorization` header.
    #[error("missing Authorization header")]
    MissingAuthorization,
    /// The request has more than one `Authorization` header.
    #[error("more than one Authorization header")]
    DuplicateAuthorization,
    /// The `Authorization` header is not of the form `hmac id="…", algorithm="…", headers="…", signature="…"`.
    #[error("malformed Authorization header: {0}")]
    Malformed(String),
    /// The signature algorithm is not `hmac-sha1`.
    #[error("unsupported signature algorithm `{0}`; only hmac-sha1 is supported")]
    UnsupportedAlgorithm(String),
    /// No secret is configured for the key id.
    #[error("unknown key id `{0}`")]
    UnknownKey(String),
    /// Neither `date` nor `x-date` is among the signed headers.
    #[error("the signed headers must include date or x-date")]
    MissingDateInSignature,
    /// A signed header is absent from the request, sent more than once, or not visible ASCII.
    #[error("signed header `{0}` is missing, repeated or not visible ASCII")]
    MissingSignedHeader(String),
    /// The `Date` or `X-Date` value is not an HTTP date.
    #[error("`{0}` is not an HTTP date like `Mon, 05 Jun 2017 08:52:43 GMT`")]
    BadDate(String),
    /// The signed date is more than [`MAX_SKEW`] away from the current time.
    #[error("the signed date is more than 15 minutes away from the current time")]
    StaleDate,
    /// The signature is not base64 or does not match the request.
    #[error("signature mismatch")]
    BadSignature,
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
    pub fn parse(value: &str) -> Result<Authorization, AuthError> {
        let value = value.trim();
        let (scheme, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("hmac") {
            return Err(malformed("the scheme must be `hmac`"));
        }
        let (mut id, mut algorithm, mut headers, mut signature) = (None, None, None, None);
        for (name, value) in parse_params(rest)? {
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
        let required = |slot: Option<&str>, name: &str| {
            slot.map(str::to_owned).ok_or_else(|| malformed(&format!("missing parameter `{name}`")))
        };
        Ok(Authorization {
            id: required(id, "id")?,
            algorithm: required(algorithm, "algorithm")?,
            headers: required(headers, "headers")?.split_whitespace().map(str::to_ascii_lowercase).collect(),
            signature: required(signature, "signature")?,
        })
    }
}

fn malformed(why: &str) -> AuthError {
    AuthError::Malformed(why.to_owned())
}

/// Splits `name="value", name="value"` into pairs.
fn parse_params(mut rest: &str) -> Result<Vec<(&str, &str)>, AuthError> {
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(params);
        }
        let (name, after) = rest.split_once('=').ok_or_else(|| malformed("expected `name=\"value\"`"))?;
        let name = name.trim_end();
        if name.is_empty() || name.contains(|c: char| c == ',' || c == '"' || c.is_whitespace()) {
            return Err(malformed("expected `name=\"value\"` parameters separated by commas"));
        }
        let quoted = after.trim_start().strip_prefix('"');
        let quoted =
            quoted.ok_or_else(|| malformed(&format!("the value of `{name}` is not double-quoted")))?;
        let (value, after) = quoted
            .split_once('"')
            .ok_or_else(|| malformed(&format!("the value of `{name}` has no closing quote")))?;
        params.push((name, value));
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(next) => next,
            None if after.is_empty() => after,
            None => return Err(malformed(&format!("expected `,` after the value of `{name}`"))),
        };
    }
}

/// Joins `name: value` lines, names lower-cased, with `\n`.
fn signing_string<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let lines: Vec<String> =
        headers.into_iter().map(|(name, value)| format!("{}: {value}", name.to_ascii_lowercase())).collect();
    lines.join("\n")
}

#[allow(clippy::expect_used, reason = "HMAC takes keys of any length: `new_from_slice` cannot fail")]
fn keyed(secret: &str) -> HmacSha1 {
    HmacSha1::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length")
}

/// The single visible-ASCII value of `name`, or `None` if it is absent, repeated or not visible ASCII.
fn single_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    value.to_str().ok()
}

/// Checks a request's key-pair signature; `keys` maps key id → secret. Returns the key id.
pub fn verify(
    headers: &HeaderMap,
    keys: &BTreeMap<String, String>,
    now: SystemTime,
) -> Result<String, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(AuthError::MissingAuthorization)?;
    if values.next().is_some() {
        return Err(AuthError::DuplicateAuthorization);
    }
    let value = value.to_str().map_err(|_| malformed("the header is not visible ASCII"))?;
    let authorization = Authorization::parse(value)?;
    if !authorization.algorithm.eq_ignore_ascii_case("hmac-sha1") {
        return Err(AuthError::UnsupportedAlgorithm(authorization.algorithm));
    }
    let secret =
        keys.get(&authorization.id).ok_or_else(|| AuthError::UnknownKey(authorization.id.clone()))?;
    if !authorization.headers.iter().any(|name| name == "date" || name == "x-date") {
        return Err(AuthError::MissingDateInSignature);
    }
    let mut signed = Vec::with_capacity(authorization.headers.len());
    for name in &authorization.headers {
        let value =
            single_value(headers, name).ok_or_else(|| AuthError::MissingSignedHeader(name.clone()))?;
        if name == "date" || name == "x-date" {
            check_date(value, now)?;
        }
        signed.push((name.as_str(), value));
    }
    let signature = STANDARD.decode(&authorization.signature).map_err(|_| AuthError::BadSignature)?;
    let mut mac = keyed(secret);
    mac.update(signing_string(signed).as_bytes());
    mac.verify_slice(&signature).map_err(|_| AuthError::BadSignature)?;
    Ok(authorization.id)
}

fn check_date(value: &str, now: SystemTime) -> Result<(), AuthError> {
    let date = httpdate::parse_http_date(value).map_err(|_| AuthError::BadDate(value.to_owned()))?;
    let skew = now.duration_since(date).or_else(|_| date.duration_since(now)).unwrap_or(Duration::MAX);
    if skew > MAX_SKEW { Err(AuthError::StaleDate) } else { Ok(()) }
}

/// Builds the `Authorization` value a client sends: signs `headers` (name, value pairs, in order) with
/// `secret`.
pub fn sign(key_id: &str, secret: &str, headers: &[(&str, &str)]) -> String {
    let mut mac = keyed(secret);
    mac.update(signing_string(headers.iter().copied()).as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    let names: Vec<String> = headers.iter().map(|(name, _)| name.to_ascii_lowercase()).collect();
    format!(
        r#"hmac id="{key_id}", algorithm="hmac-sha1", headers="{}", signature="{signature}""#,
        names.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Mon, 05 Jun 2017 08:52:43 GMT";

    fn now() -> SystemTime {
        httpdate::parse_http_date(DATE).unwrap()
    }

    fn keys() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("AKID1".to_owned(), "secret1".to_owned()),
            ("AKID2".to_owned(), "secret2".to_owned()),
        ])
    }

    fn request(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        headers
    }

    /// A request with `X-Date: date` and `Source: app`, both signed with key AKID1.
    fn signed_at(date: &str) -> HeaderMap {
        let authorization = sign("AKID1", "secret1", &[("X-Date", date), ("Source", "app")]);
        request(&[("x-date", date), ("source", "app"), ("authorization", &authorization)])
    }

    fn verify_at(headers: &HeaderMap) -> Result<String, AuthError> {
        verify(headers, &keys(), now())
    }

    #[test]
    fn known_answer_signature() {
        let value = sign("id", "secret", &[("x-date", DATE), ("source", "test")]);
        assert_eq!(
            value,
            r#"hmac id="id", algorithm="hmac-sha1", headers="x-date source", signature="X12/64CSGsNYuMzwEqHFQaqXSl0=""#
        );
    }

    #[test]
    fn signed_request_verifies_and_returns_the_key_id() {
        assert_eq!(verify_at(&signed_at(DATE)), Ok("AKID1".to_owned()));
        let authorization = sign("AKID2", "secret2", &[("Date", DATE)]);
        let headers = request(&[("date", DATE), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Ok("AKID2".to_owned()));
    }

    #[test]
    fn missing_and_duplicate_authorization() {
        assert_eq!(verify_at(&request(&[("date", DATE)])), Err(AuthError::MissingAuthorization));
        let mut headers = signed_at(DATE);
        headers.append(AUTHORIZATION, sign("AKID1", "secret1", &[("x-date", DATE)]).parse().unwrap());
        assert_eq!(verify_at(&headers), Err(AuthError::DuplicateAuthorization));
    }

    #[test]
    fn unknown_key_and_unsupported_algorithm() {
        let authorization = sign("AKID9", "secret1", &[("date", DATE)]);
        let headers = request(&[("date", DATE), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Err(AuthError::UnknownKey("AKID9".to_owned())));
        let authorization = sign("AKID1", "secret1", &[("date", DATE)]).replace("hmac-sha1", "hmac-sha256");
        let headers = request(&[("date", DATE), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Err(AuthError::UnsupportedAlgorithm("hmac-sha256".to_owned())));
    }

    #[test]
    fn tampered_header_or_wrong_secret_is_a_bad_signature() {
        let mut headers = signed_at(DATE);
        headers.insert("source", "other-app".parse().unwrap());
        assert_eq!(verify_at(&headers), Err(AuthError::BadSignature));
        let authorization = sign("AKID1", "secret2", &[("date", DATE)]);
        let headers = request(&[("date", DATE), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Err(AuthError::BadSignature));
        let authorization =
            r#"hmac id="AKID1", algorithm="hmac-sha1", headers="date", signature="not base64!""#;
        let headers = request(&[("date", DATE), ("authorization", authorization)]);
        assert_eq!(verify_at(&headers), Err(AuthError::BadSignature));
    }

    #[test]
    fn dates_more_than_fifteen_minutes_away_are_stale() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        let old = httpdate::fmt_http_date(now() - minutes(16));
        let ahead = httpdate::fmt_http_date(now() + minutes(16));
        assert_eq!(verify_at(&signed_at(&old)), Err(AuthError::StaleDate));
        assert_eq!(verify_at(&signed_at(&ahead)), Err(AuthError::StaleDate));
        let recent = httpdate::fmt_http_date(now() - minutes(14));
        let soon = httpdate::fmt_http_date(now() + minutes(14));
        assert_eq!(verify_at(&signed_at(&recent)), Ok("AKID1".to_owned()));
        assert_eq!(verify_at(&signed_at(&soon)), Ok("AKID1".to_owned()));
    }

    #[test]
    fn garbage_date_is_a_bad_date() {
        assert_eq!(verify_at(&signed_at("yesterday")), Err(AuthError::BadDate("yesterday".to_owned())));
    }

    #[test]
    fn date_must_be_signed() {
        let authorization = sign("AKID1", "secret1", &[("source", "app")]);
        let headers = request(&[("date", DATE), ("source", "app"), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Err(AuthError::MissingDateInSignature));
    }

    #[test]
    fn every_signed_header_must_be_sent_once() {
        let mut headers = signed_at(DATE);
        headers.remove("source");
        assert_eq!(verify_at(&headers), Err(AuthError::MissingSignedHeader("source".to_owned())));
        let mut headers = signed_at(DATE);
        headers.append("source", "app".parse().unwrap());
        assert_eq!(verify_at(&headers), Err(AuthError::MissingSignedHeader("source".to_owned())));
        let authorization = sign("AKID1", "secret1", &[("date", DATE), ("b@d", "x")]);
        let headers = request(&[("date", DATE), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Err(AuthError::MissingSignedHeader("b@d".to_owned())));
    }

    #[test]
    fn malformed_authorization_headers() {
        let cases = [
            (r#"Basic dXNlcjpwYXNz"#, "scheme"),
            ("hmac", "missing parameter `id`"),
            (r#"hmac id="a", headers="date", signature="s""#, "missing parameter `algorithm`"),
            (r#"hmac id="a", algorithm="hmac-sha1", signature="s""#, "missing parameter `headers`"),
            (r#"hmac id="a", algorithm="hmac-sha1", headers="date""#, "missing parameter `signature`"),
            (r#"hmac id=a, algorithm="hmac-sha1""#, "not double-quoted"),
            (r#"hmac id="a"#, "no closing quote"),
            (r#"hmac id="a" algorithm="b""#, "expected `,`"),
            (r#"hmac id="a", id="b""#, "appears twice"),
            (r#"hmac id"#, "expected `name=\"value\"`"),
        ];
        for (value, why) in cases {
            match Authorization::parse(value) {
                Err(AuthError::Malformed(message)) => assert!(message.contains(why), "{value}: {message}"),
                other => panic!("{value}: {other:?}"),
            }
            let headers = request(&[("date", DATE), ("authorization", value)]);
            assert!(matches!(verify_at(&headers), Err(AuthError::Malformed(_))), "{value}");
        }
        let mut headers = request(&[("date", DATE)]);
        headers.insert(AUTHORIZATION, http::HeaderValue::from_bytes(b"hmac id=\"\xff\"").unwrap());
        assert!(matches!(verify_at(&headers), Err(AuthError::Malformed(_))));
    }

    #[test]
    fn parse_accepts_any_order_spacing_and_case() {
        let value =
            r#"HMAC signature="c2ln",headers="X-Date  Source" ,  extra="1", algorithm="HMAC-SHA1",id="k","#;
        let parsed = Authorization::parse(value).unwrap();
        assert_eq!(
            parsed,
            Authorization {
                id: "k".to_owned(),
                algorithm: "HMAC-SHA1".to_owned(),
                headers: vec!["x-date".to_owned(), "source".to_owned()],
                signature: "c2ln".to_owned(),
            }
        );
        let authorization = sign("AKID1", "secret1", &[("date", DATE)]).replacen("hmac ", "Hmac  ", 1);
        let authorization = authorization.replace("hmac-sha1", "HMAC-SHA1").replace(", ", ",");
        let headers = request(&[("date", DATE), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Ok("AKID1".to_owned()));
    }
}
