//! Bytes as request headers (`name: value` lines): `Authorization::parse`
//! and `verify` never panic, a parsed header written back in canonical form
//! parses to the same value, and `verify` only ever accepts a configured
//! key whose signature the test can reproduce with `sign`.
#![no_main]

use apigw_gateway::auth::tencent_key::{Authorization, sign, verify};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Mon, 05 Jun 2017 08:52:43 GMT.
const NOW: u64 = 1_496_652_763;

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
    for line in text.split('\n') {
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
        let signed: Vec<(&str, &str)> = auth
            .headers
            .iter()
            .map(|name| (name.as_str(), headers[name.as_str()].to_str().expect("a signed header is text")))
            .collect();
        let expected = Authorization::parse(&sign(&id, secret, &signed)).expect("sign's output parses");
        assert_eq!(expected.signature, auth.signature, "an accepted signature is the one `sign` makes");
    }
});
