use super::*;
use std::sync::Mutex;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
    }
    map
}

/// Alibaba's published example (the digest-authentication page, as the higress `hmac-auth`
/// README copies it): a form POST, its string to sign given line by line.
#[test]
fn the_documented_form_post_example_gives_the_documented_string_to_sign() {
    let h = headers(&[
        ("accept", "application/json; charset=utf-8"),
        ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
        ("date", "Wed, 09 May 2018 13:30:29 GMT+00:00"),
        ("x-ca-key", "203753385"),
        ("x-ca-nonce", "c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44"),
        ("x-ca-signature-method", "HmacSHA256"),
        ("x-ca-timestamp", "1525872629832"),
        ("x-ca-signature-headers", "x-ca-timestamp,x-ca-key,x-ca-nonce,x-ca-signature-method"),
    ]);
    let body = b"username=xiaoming&password=123456789";
    let req =
        Signed { method: "POST", path: "/http2test/test", query: Some("param1=test"), headers: &h, body };
    assert_eq!(
        string_to_sign(&req),
        "POST\napplication/json; charset=utf-8\n\napplication/x-www-form-urlencoded; charset=utf-8\n\
         Wed, 09 May 2018 13:30:29 GMT+00:00\nx-ca-key:203753385\n\
         x-ca-nonce:c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44\nx-ca-signature-method:HmacSHA256\n\
         x-ca-timestamp:1525872629832\n/http2test/test?param1=test&password=123456789&username=xiaoming"
    );
}

/// Alibaba's troubleshooting example of an `A403IS` answer: the server's string to sign with
/// `#` for each newline, header names as the client listed them.
#[test]
fn a_mismatch_reports_the_server_string_to_sign_as_alibaba_does() {
    let h = headers(&[
        ("accept", "application/json"),
        ("content-type", "application/json"),
        ("x-ca-key", "200000"),
        ("x-ca-timestamp", "1589458000000"),
        ("x-ca-signature-headers", "X-Ca-Timestamp,X-Ca-Key"),
        ("x-ca-signature", "d3Jvbmc="),
    ]);
    let req = Signed {
        method: "GET",
        path: "/app/v1/config/keys",
        query: Some("keys=TEST"),
        headers: &h,
        body: b"",
    };
    let keys = BTreeMap::from([("200000".to_owned(), "secret".to_owned())]);
    let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_589_458_000_000);
    let err = verify(&req, &keys, AppPolicy::default(), &Mutex::default(), now).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid Signature, Server StringToSign:`GET#application/json##application/json##X-Ca-Key:200000#\
         X-Ca-Timestamp:1589458000000#/app/v1/config/keys?keys=TEST`"
    );
    assert_eq!((err.status(), err.code()), (403, "A403IS"));
}

/// The Node.js SDK's captured `get-query` request (`../shared/research/signatures.md`): the
/// parameters decoded and sorted, an empty value as its bare key, the first value of a
/// repeated key.
#[test]
fn parameters_are_decoded_sorted_and_bare_when_empty() {
    let h = headers(&[]);
    let query = "b=2&a=1&empty=&q=hello%20world&tag=x&tag=y";
    let req = Signed { method: "GET", path: "/items", query: Some(query), headers: &h, body: b"" };
    assert!(string_to_sign(&req).ends_with("\n/items?a=1&b=2&empty&q=hello world&tag=x"));
    let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
    let req =
        Signed { method: "POST", path: "/f", query: Some("a=query&z=1"), headers: &form, body: b"a=form&m" };
    assert!(
        string_to_sign(&req).ends_with("\n/f?a=form&m&z=1"),
        "a form field wins: {}",
        string_to_sign(&req)
    );
    let json = headers(&[("content-type", "application/json")]);
    let req = Signed { method: "POST", path: "/j", query: None, headers: &json, body: b"a=1" };
    assert!(string_to_sign(&req).ends_with("application/json\n\n/j"), "a JSON body is not parameters");
}

/// The seed's sample lists its signed headers in mixed case and out of order.
#[test]
fn listed_headers_are_sorted_and_keep_their_spelling() {
    let h = headers(&[
        ("x-ca-signature-headers", "X-Ca-Timestamp,X-Ca-Version,X-Ca-Key,X-Ca-Stage, Accept"),
        ("x-ca-timestamp", "1496652763510"),
        ("x-ca-version", "1"),
        ("x-ca-key", "testKey"),
        ("x-ca-stage", "RELEASE"),
        ("accept", "application/json"),
    ]);
    let req = Signed { method: "post", path: "/fc", query: None, headers: &h, body: b"" };
    assert_eq!(
        string_to_sign(&req),
        "POST\napplication/json\n\n\n\nX-Ca-Key:testKey\nX-Ca-Stage:RELEASE\nX-Ca-Timestamp:1496652763510\nX-Ca-Version:1\n/fc"
    );
}

const NOW_MS: u128 = 1_700_000_000_000;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(NOW_MS as u64)
}

fn keys() -> BTreeMap<String, String> {
    BTreeMap::from([("203753234".to_owned(), "app-secret".to_owned())])
}

/// A JSON POST signed by [`AppSigner`] at `timestamp_ms` with `nonce`.
fn signed(method: SignatureMethod, secret: &str, timestamp_ms: u128, nonce: &str) -> HeaderMap {
    let mut h =
        headers(&[("content-type", "application/json; charset=UTF-8"), ("accept", "application/json")]);
    let signer = AppSigner { app_key: "203753234", app_secret: secret, method };
    signer.sign("POST", "/json?x=1", &mut h, br#"{"a":1}"#, timestamp_ms, nonce).unwrap();
    h
}

fn check(h: &HeaderMap, nonces: &Mutex<NonceCache>, policy: AppPolicy) -> Result<String, AppAuthError> {
    let req = Signed { method: "POST", path: "/json", query: Some("x=1"), headers: h, body: br#"{"a":1}"# };
    verify(&req, &keys(), policy, nonces, now())
}

#[test]
fn signed_requests_verify_with_either_digest_and_name_the_app() {
    let nonces = Mutex::default();
    for method in [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1] {
        let h = signed(method, "app-secret", NOW_MS, &format!("n-{method:?}"));
        assert_eq!(h["x-ca-signature-method"], method.as_str());
        assert_eq!(h["content-md5"], content_md5(br#"{"a":1}"#));
        assert_eq!(h["x-ca-signature-headers"], "x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp");
        assert_eq!(check(&h, &nonces, AppPolicy::default()), Ok("203753234".to_owned()), "{method:?}");
    }
}

#[test]
fn each_way_of_failing_has_its_own_answer() {
    let nonces = Mutex::default();
    let refused = |h: &HeaderMap| check(h, &nonces, AppPolicy::default()).unwrap_err();
    let wrong = signed(SignatureMethod::HmacSha256, "guess", NOW_MS, "n1");
    assert_eq!(refused(&wrong).code(), "A403IS");
    let mut changed = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "n2");
    changed.insert("x-ca-nonce", "n2-changed".parse().unwrap());
    assert_eq!(refused(&changed).code(), "A403IS");
    let old = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS - 16 * 60 * 1000, "n3");
    assert_eq!(refused(&old), AppAuthError::TimestampExpired);
    let ahead = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS + 16 * 60 * 1000, "n4");
    assert_eq!(refused(&ahead), AppAuthError::TimestampExpired);
    let mut garbled = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "n5");
    garbled.insert("x-ca-timestamp", "yesterday".parse().unwrap());
    assert_eq!(refused(&garbled).code(), "I400HD");
    let mut unknown = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "n6");
    unknown.insert("x-ca-key", "999".parse().unwrap());
    assert_eq!(refused(&unknown), AppAuthError::UnknownAppKey("999".to_owned()));
    let mut md5 = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "n7");
    md5.insert("content-md5", content_md5(b"other").parse().unwrap());
    assert_eq!(refused(&md5).code(), "A403IS", "Content-MD5 is signed");
    let mut digest = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "n8");
    digest.insert("x-ca-signature-method", "HmacMD5".parse().unwrap());
    assert_eq!(
        refused(&digest).to_string(),
        "Invalid Header `X-Ca-Signature-Method` `HmacMD5` is not HmacSHA256 or HmacSHA1"
    );
    for name in ["x-ca-key", "x-ca-signature"] {
        let mut missing = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "n9");
        missing.remove(name);
        assert_eq!(refused(&missing).code(), "I400MH", "{name}");
    }
    let mut twice = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "n10");
    twice.append("x-ca-key", "203753234".parse().unwrap());
    assert_eq!(refused(&twice).to_string(), "Invalid Header `X-Ca-Key` is repeated");
}

#[test]
fn a_body_changed_after_signing_fails_its_content_md5() {
    let h = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "md5");
    let req = Signed { method: "POST", path: "/json", query: Some("x=1"), headers: &h, body: br#"{"a":2}"# };
    let err = verify(&req, &keys(), AppPolicy::default(), &Mutex::default(), now()).unwrap_err();
    assert_eq!((err.status(), err.code(), err.to_string().as_str()), (400, "A400CM", "Invalid Content-MD5"));
}

#[test]
fn a_nonce_is_taken_once_and_required_when_forced() {
    let nonces = Mutex::default();
    let h = signed(SignatureMethod::HmacSha256, "app-secret", NOW_MS, "once");
    assert!(check(&h, &nonces, AppPolicy::default()).is_ok());
    assert_eq!(check(&h, &nonces, AppPolicy::default()), Err(AppAuthError::NonceUsed));
    let mut h = headers(&[("accept", "application/json")]);
    let signer =
        AppSigner { app_key: "203753234", app_secret: "app-secret", method: SignatureMethod::HmacSha256 };
    signer.sign("POST", "/json?x=1", &mut h, br#"{"a":1}"#, NOW_MS, "x").unwrap();
    h.remove("x-ca-nonce");
    let names = h["x-ca-signature-headers"].to_str().unwrap().replace("x-ca-nonce,", "");
    h.insert("x-ca-signature-headers", names.parse().unwrap());
    let digest = Hmac::Sha256.digest(
        b"app-secret",
        string_to_sign(&Signed {
            method: "POST",
            path: "/json",
            query: Some("x=1"),
            headers: &h,
            body: br#"{"a":1}"#,
        })
        .as_bytes(),
    );
    h.insert("x-ca-signature", STANDARD.encode(digest).parse().unwrap());
    assert!(check(&h, &nonces, AppPolicy::default()).is_ok(), "a nonce is optional by default");
    let forced = AppPolicy { force_nonce: true };
    assert_eq!(check(&h, &nonces, forced), Err(AppAuthError::MissingHeader("X-Ca-Nonce")));
}

/// The README's worked example, computed there with openssl.
#[test]
fn the_readme_worked_example_verifies() {
    let h = headers(&[
        ("accept", "application/json"),
        ("x-ca-key", "203753234"),
        ("x-ca-nonce", "9b2c6c1e-2f4d-4c51-9d0e-6a1f3b7e8c20"),
        ("x-ca-timestamp", "1700000000000"),
        ("x-ca-signature-headers", "x-ca-key,x-ca-nonce,x-ca-timestamp"),
        ("x-ca-signature", "TfUom/eSScEiznIQgWYcHdI1cYSzo8isQmv9Lm2WHYE="),
    ]);
    let query = Some("b=2&a=1&empty=&q=hello%20world");
    let req = Signed { method: "GET", path: "/items", query, headers: &h, body: b"" };
    assert_eq!(
        string_to_sign(&req),
        "GET\napplication/json\n\n\n\nx-ca-key:203753234\nx-ca-nonce:9b2c6c1e-2f4d-4c51-9d0e-6a1f3b7e8c20\n\
         x-ca-timestamp:1700000000000\n/items?a=1&b=2&empty&q=hello world"
    );
    let keys = BTreeMap::from([("203753234".to_owned(), "app-secret".to_owned())]);
    assert_eq!(
        verify(&req, &keys, AppPolicy::default(), &Mutex::default(), now()),
        Ok("203753234".to_owned())
    );
}
