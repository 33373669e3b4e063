//! The attack table for the auth modes beside Tencent's key pair (which is
//! in `attacks.rs`): Alibaba app signatures, AppCodes and Tencent OAuth.
//! Requests are signed by the tests' own signers, written from the
//! documented algorithms (`common/sign.rs`), and by openssl for tokens;
//! each refusal has the vendor's status and message, and a counting
//! backend shows none got through, while the valid request after each
//! table does.

mod common;

use common::sign::{self, AliyunRequest, aliyun_sign, aliyun_target, content_md5, jwt};
use common::{call, counting_backend, serve};
use serde_json::json;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PATIENCE: Duration = Duration::from_secs(30);

/// Request headers as name/value pairs.
type Headers = Vec<(String, String)>;
/// A case, the headers, the target and body sent, and Alibaba's status, code and message.
type AppCase = (&'static str, Headers, &'static str, &'static [u8], u16, &'static str, &'static str);
/// A case, the path, the headers, and Tencent's status and message.
type TokenCase = (&'static str, &'static str, Headers, u16, &'static str);

async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> common::Response {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    tokio::time::timeout(PATIENCE, call(addr, method, target, &headers, body))
        .await
        .expect("the gateway answers")
}

fn backend_route(path: &str, backend: SocketAddr, extra: &str) -> String {
    format!(
        "[[routes]]\npath = \"{path}\"\n{extra}\nbackend = \"http\"\nhttp = {{ url = \"http://{backend}\", path = \"/\", timeout = \"5s\" }}\n"
    )
}

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()
}

/// A JSON POST to `/app?q=1` by AppKey `app1`, signed with `secret`, at `ms`, with `nonce`.
fn app_request<'a>(secret: &str, ms: u128, nonce: &str, body: &'a [u8]) -> AliyunRequest<'a> {
    let mut req = AliyunRequest {
        method: "POST",
        path: "/app",
        query: &[("q", "1")],
        headers: vec![
            ("accept".into(), "application/json".into()),
            ("content-type".into(), "application/json; charset=UTF-8".into()),
            ("content-md5".into(), content_md5(body)),
            ("x-ca-key".into(), "app1".into()),
            ("x-ca-timestamp".into(), ms.to_string()),
            ("x-ca-nonce".into(), nonce.to_owned()),
            ("x-ca-trace".into(), "t-1".into()),
        ],
        body,
    };
    aliyun_sign(&mut req, secret);
    req
}

fn with(mut headers: Vec<(String, String)>, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    if let Some(value) = value {
        headers.push((name.to_owned(), value.to_owned()));
    }
    headers
}

#[tokio::test]
async fn alibaba_app_signatures_let_nobody_past_without_a_valid_fresh_signature() {
    let (backend, reached) = counting_backend().await;
    let toml = format!(
        "[[keys]]\nid = \"app1\"\nsecret = \"s3cret\"\n{}{}",
        backend_route("/app", backend, "flavour = \"aliyun\"\nauth = \"app\""),
        backend_route("/forced", backend, "flavour = \"aliyun\"\nauth = \"app\"\nforce_nonce = true"),
    );
    let (addr, _) = serve(&toml, None).await;
    let body = br#"{"order":1}"#;
    let ms = now_ms();
    let good = app_request("s3cret", ms, "n-good", body);
    let target = aliyun_target(&good);
    let stale = app_request("s3cret", ms - 16 * 60 * 1000, "n-stale", body);
    let cases: Vec<AppCase> = vec![
        (
            "the wrong secret",
            app_request("guess", ms, "n1", body).headers,
            "/app?q=1",
            body,
            403,
            "A403IS",
            "Invalid Signature, Server StringToSign:`POST#application/json#",
        ),
        (
            "a signed header changed",
            with(app_request("s3cret", ms, "n2", body).headers, "x-ca-trace", Some("t-2")),
            "/app?q=1",
            body,
            403,
            "A403IS",
            "Invalid Signature",
        ),
        (
            "the query changed",
            app_request("s3cret", ms, "n3", body).headers,
            "/app?q=2",
            body,
            403,
            "A403IS",
            "Invalid Signature",
        ),
        (
            "the body changed",
            app_request("s3cret", ms, "n4", body).headers,
            "/app?q=1",
            br#"{"order":2}"#,
            400,
            "A400CM",
            "Invalid Content-MD5",
        ),
        (
            "a timestamp 16 minutes old",
            stale.headers.clone(),
            "/app?q=1",
            body,
            400,
            "A400TE",
            "Timestamp Expired",
        ),
        (
            "a timestamp that is no number",
            with(app_request("s3cret", ms, "n5", body).headers, "x-ca-timestamp", Some("soon")),
            "/app?q=1",
            body,
            400,
            "I400HD",
            "Invalid Header `X-Ca-Timestamp` `soon` is not epoch milliseconds",
        ),
        (
            "no X-Ca-Key",
            with(app_request("s3cret", ms, "n6", body).headers, "x-ca-key", None),
            "/app?q=1",
            body,
            400,
            "I400MH",
            "Header `X-Ca-Key` is Required",
        ),
        (
            "no X-Ca-Signature",
            with(app_request("s3cret", ms, "n7", body).headers, "x-ca-signature", None),
            "/app?q=1",
            body,
            400,
            "I400MH",
            "Header `X-Ca-Signature` is Required",
        ),
        (
            "an unknown AppKey",
            with(app_request("s3cret", ms, "n8", body).headers, "x-ca-key", Some("app2")),
            "/app?q=1",
            body,
            400,
            "A400IK",
            "Invalid AppKey",
        ),
        (
            "an unknown digest",
            with(app_request("s3cret", ms, "n9", body).headers, "x-ca-signature-method", Some("HmacMD5")),
            "/app?q=1",
            body,
            400,
            "I400HD",
            "Invalid Header `X-Ca-Signature-Method` `HmacMD5` is not HmacSHA256 or HmacSHA1",
        ),
        (
            "no nonce where nonces are forced",
            with(app_request("s3cret", ms, "n10", body).headers, "x-ca-nonce", None),
            "/forced?q=1",
            body,
            400,
            "I400MH",
            "Header `X-Ca-Nonce` is Required",
        ),
    ];
    for (case, headers, target, sent, status, code, message) in &cases {
        let res = send(addr, "POST", target, headers, sent).await;
        assert_eq!(res.status, *status, "{case}: {res:?}");
        assert_eq!(res.header("x-ca-error-code"), Some(*code), "{case}");
        let got = res.header("x-ca-error-message").unwrap_or("");
        assert!(got.starts_with(message), "{case}: {got}");
        assert!(res.header("x-ca-request-id").is_some(), "{case}");
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "no refused request reached the backend");
    let res = send(addr, "POST", &target, &good.headers, body).await;
    assert_eq!((res.status, &res.body[..]), (200, &b"reached"[..]), "{res:?}");
    assert_eq!(reached.load(Ordering::SeqCst), 1);
    let replay = send(addr, "POST", &target, &good.headers, body).await;
    assert_eq!((replay.status, replay.header("x-ca-error-message")), (400, Some("Nonce Used")));
    assert_eq!(reached.load(Ordering::SeqCst), 1, "the replay did not get through");
}

#[tokio::test]
async fn appcodes_let_nobody_past_without_a_known_code() {
    let (backend, reached) = counting_backend().await;
    let toml = format!(
        "[[keys]]\nid = \"app1\"\nsecret = \"s3cret\"\nappcode = \"c0de\"\n{}",
        backend_route("/", backend, "flavour = \"aliyun\"\nauth = \"appcode\"")
    );
    let (addr, _) = serve(&toml, None).await;
    let cases = [
        (vec![], "I400MH", "Header `Authorization` is Required"),
        (
            vec![("authorization".to_owned(), "APPCODE".to_owned())],
            "A400AC",
            "Invalid AppCode `format error`",
        ),
        (
            vec![("authorization".to_owned(), "Bearer c0de".to_owned())],
            "A400AC",
            "Invalid AppCode `format error`",
        ),
        (
            vec![("authorization".to_owned(), "APPCODE guess".to_owned())],
            "A400AC",
            "Invalid AppCode `not exists`",
        ),
    ];
    for (headers, code, message) in &cases {
        let res = send(addr, "GET", "/", headers, b"").await;
        assert_eq!(res.status, 400, "{message}");
        assert_eq!(
            (res.header("x-ca-error-code"), res.header("x-ca-error-message")),
            (Some(*code), Some(*message))
        );
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0);
    let good = vec![("authorization".to_owned(), "APPCODE c0de".to_owned())];
    assert_eq!(send(addr, "GET", "/", &good, b"").await.status, 200);
    assert_eq!(reached.load(Ordering::SeqCst), 1);
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oauth").join(name)
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn oauth_business_apis_let_nobody_past_without_a_valid_token() {
    let (backend, reached) = counting_backend().await;
    let jwk = std::fs::read_to_string(fixture("public.jwk.json")).unwrap();
    let toml = format!(
        "{}{}{}{}",
        backend_route(
            "=/token",
            backend,
            &format!("name = \"auth\"\nauth = \"oauth\"\noauth = {{ public_key = '{jwk}' }}")
        ),
        backend_route("/orders", backend, "auth = \"oauth\"\noauth_api = \"auth\""),
        backend_route(
            "=/login-token",
            backend,
            &format!(
                "name = \"web\"\nauth = \"oauth\"\noauth = {{ public_key = '{jwk}', token_location = \"cookie\", login_redirect_url = \"http://login.local/\" }}"
            ),
        ),
        backend_route("/page", backend, "auth = \"oauth\"\noauth_api = \"web\""),
    );
    let (addr, _) = serve(&toml, None).await;
    let now = unix_now();
    let token = |key: &str, claims: serde_json::Value| jwt(&fixture(key), &claims);
    let good = token("private.pem", json!({"sub": "ada", "exp": now + 300, "nbf": now - 1}));
    let bearer = |t: &str| vec![("authorization".to_owned(), format!("Bearer id_token=\"{t}\""))];
    let none_alg = {
        use base64::Engine as _;
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.", e(r#"{"alg":"none","typ":"JWT"}"#), e(&json!({"exp": now + 300}).to_string()))
    };
    let cases: Vec<TokenCase> = vec![
        ("no token", "/orders", vec![], 401, "Oauth found no authorization header"),
        (
            "another scheme",
            "/orders",
            vec![("authorization".into(), "Basic YWRhOng=".into())],
            401,
            "Oauth authorization header format error",
        ),
        (
            "a bare bearer token",
            "/orders",
            vec![("authorization".into(), format!("Bearer {good}"))],
            401,
            "Oauth miss Oauth id_token",
        ),
        (
            "an expired token",
            "/orders",
            bearer(&token("private.pem", json!({"exp": now - 1}))),
            401,
            "Oauth id_token verify error",
        ),
        (
            "a token not valid yet",
            "/orders",
            bearer(&token("private.pem", json!({"exp": now + 600, "nbf": now + 300}))),
            401,
            "Oauth id_token verify error",
        ),
        (
            "a token without exp",
            "/orders",
            bearer(&token("private.pem", json!({"sub": "ada"}))),
            401,
            "Oauth id_token verify error",
        ),
        (
            "a foreign key's token",
            "/orders",
            bearer(&token("other-private.pem", json!({"exp": now + 300}))),
            401,
            "Oauth id_token verify error",
        ),
        ("an unsigned token", "/orders", bearer(&none_alg), 401, "Oauth id_token verify error"),
        (
            "a tampered token",
            "/orders",
            bearer(&good.replacen('.', ".e30", 1)),
            401,
            "Oauth id_token verify error",
        ),
        ("a cookie route: no cookie", "/page", bearer(&good), 302, ""),
        (
            "a cookie route: a bad cookie",
            "/page",
            vec![("cookie".into(), format!("id_token={none_alg}"))],
            401,
            "Oauth id_token verify error",
        ),
    ];
    for (case, path, headers, status, message) in &cases {
        let res = send(addr, "GET", path, headers, b"").await;
        assert_eq!(res.status, *status, "{case}: {res:?}");
        if *status == 302 {
            assert_eq!(res.header("location"), Some("http://login.local/"), "{case}");
        } else {
            assert_eq!(res.json()["message"], *message, "{case}");
        }
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "no refused request reached the backend");
    assert_eq!(send(addr, "GET", "/orders/1", &bearer(&good), b"").await.status, 200);
    let cookie = vec![("cookie".to_owned(), format!("theme=dark; id_token={good}"))];
    assert_eq!(send(addr, "GET", "/page", &cookie, b"").await.status, 200);
    assert_eq!(
        send(addr, "POST", "/token", &[], b"user=ada").await.status,
        200,
        "the authorization API needs no token"
    );
    assert_eq!(reached.load(Ordering::SeqCst), 3);
}

/// The test signer is checked against Alibaba's published example.
#[test]
fn the_test_signer_reproduces_alibabas_published_string_to_sign() {
    let req = AliyunRequest {
        method: "POST",
        path: "/http2test/test",
        query: &[("param1", "test")],
        headers: vec![
            ("accept".into(), "application/json; charset=utf-8".into()),
            ("content-type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
            ("date".into(), "Wed, 09 May 2018 13:30:29 GMT+00:00".into()),
            ("x-ca-key".into(), "203753385".into()),
            ("x-ca-nonce".into(), "c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44".into()),
            ("x-ca-signature-method".into(), "HmacSHA256".into()),
            ("x-ca-timestamp".into(), "1525872629832".into()),
        ],
        body: b"username=xiaoming&password=123456789",
    };
    assert_eq!(
        sign::aliyun_string_to_sign(&req),
        "POST\napplication/json; charset=utf-8\n\napplication/x-www-form-urlencoded; charset=utf-8\n\
         Wed, 09 May 2018 13:30:29 GMT+00:00\nx-ca-key:203753385\n\
         x-ca-nonce:c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44\nx-ca-signature-method:HmacSHA256\n\
         x-ca-timestamp:1525872629832\n/http2test/test?param1=test&password=123456789&username=xiaoming"
    );
}
