//! Bytes as a request (`name: value` header lines, a `/path?query` line,
//! a body after a blank line) through every auth
//! check: Tencent key pairs, Alibaba app signatures and AppCodes, Tencent
//! OAuth tokens. None panics; a parsed key-pair `Authorization` written back
//! in canonical form parses to the same value; `verify` only accepts a
//! configured key whose signature `sign` reproduces; an accepted app
//! signature names a configured AppKey; an AppCode gets in only when
//! configured; and no OAuth token gets through, since none can be signed
//! without the private key.
#![no_main]

use apigw_gateway::auth::aliyun_app::{self, AppPolicy, Signed};
use apigw_gateway::auth::appcode;
use apigw_gateway::auth::nonce::NonceCache;
use apigw_gateway::auth::oauth::{self, OauthConfig, TokenLocation};
use apigw_gateway::auth::tencent_key::{Authorization, sign, verify};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

/// Mon, 05 Jun 2017 08:52:43 GMT.
const NOW: u64 = 1_496_652_763;

const JWK: &str = include_str!("../../apigw-gateway/tests/fixtures/oauth/public.jwk.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let keys =
        BTreeMap::from([("AKID1".to_owned(), "secret1".to_owned()), ("AKID2".to_owned(), String::new())]);
    if let Ok(auth) = Authorization::parse(text) {
        let canonical = format!(
            r#"hmac id="{}", algorithm="{}", headers="{}", signature="{}""#,
            auth.id,
            auth.algorithm,
            auth.headers.join(" "),
            auth.signature
        );
        assert_eq!(Authorization::parse(&canonical).as_ref(), Ok(&auth), "{canonical}");
    }
    let mut headers = HeaderMap::new();
    let mut target = "/";
    for line in text.split('\n') {
        if line.starts_with('/') {
            target = line;
            continue;
        }
        let Some((name, value)) = line.split_once(':') else { continue };
        let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name.trim().as_bytes()), HeaderValue::from_str(value.trim()))
        else {
            continue;
        };
        headers.append(name, value);
    }
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
    if let Ok(id) = verify(&headers, &keys, now) {
        let secret = &keys[&id];
        let value = headers["authorization"].to_str().expect("a verified header is text");
        let auth = Authorization::parse(value).expect("a verified header parses");
        if auth.algorithm.eq_ignore_ascii_case("hmac-sha1") {
            let signed: Vec<(&str, &str)> = auth
                .headers
                .iter()
                .map(|name| {
                    (name.as_str(), headers[name.as_str()].to_str().expect("a signed header is text"))
                })
                .collect();
            let expected = Authorization::parse(&sign(&id, secret, &signed)).expect("sign's output parses");
            assert_eq!(expected.signature, auth.signature, "an accepted signature is the one `sign` makes");
        }
    }

    // A line starting with `/` is the request target; after a blank line comes the body.
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let body = text.split_once("\n\n").map_or("", |(_, b)| b).as_bytes();
    let req = Signed { method: "POST", path, query, headers: &headers, body };
    let _ = aliyun_app::string_to_sign(&req);
    let nonces = Mutex::new(NonceCache::new());
    for force_nonce in [false, true] {
        if let Ok(app) = aliyun_app::verify(&req, &keys, AppPolicy { force_nonce }, &nonces, now) {
            assert!(keys.contains_key(&app), "only a configured AppKey gets in");
        }
    }
    let appcodes = BTreeMap::from([("c0de".to_owned(), "AKID1".to_owned())]);
    if let Ok(app) = appcode::verify(&headers, &appcodes) {
        assert_eq!(app, "AKID1");
    }
    static OAUTH: OnceLock<[OauthConfig; 2]> = OnceLock::new();
    let configs = OAUTH.get_or_init(|| {
        [TokenLocation::Header, TokenLocation::Cookie]
            .map(|location| OauthConfig::new(JWK, location, None).expect("the fixture JWK is valid"))
    });
    for config in configs {
        assert!(oauth::verify(&headers, config, now).is_err(), "a token no private key signed got through");
    }
});
