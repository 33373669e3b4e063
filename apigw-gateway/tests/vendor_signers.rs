//! Requests signed by the vendors' own client libraries, from the package
//! registries (installed by `scripts/signers.sh`), against the gateway on
//! 127.0.0.1: Alibaba's Node.js SDK (npm `aliyun-api-gateway`) for app
//! signatures and AppCodes, Tencent's key-pair package (PyPI
//! `tencentcloud-apigateway-authorization`) and the libraries Tencent's OAuth
//! demo signs tokens with (`jwcrypto`, `python_jwt`). Accepted requests reach
//! the function; refused ones never reach a counting backend.

mod common;

use apigw_gateway::config::Provider;
use common::vendor::{aliyun_sdk, tencent_key_headers, tencent_oauth_tokens};
use common::{call, counting_backend, serve};
use serde_json::json;
use std::sync::atomic::Ordering;

const APP_KEY: &str = "203753234";
const APP_SECRET: &str = "app-secret-for-tests";

/// The SDK, off the async runtime.
async fn sdk(spec: serde_json::Value) -> serde_json::Value {
    tokio::task::spawn_blocking(move || aliyun_sdk(&spec)).await.unwrap()
}

fn aliyun_config(backend: std::net::SocketAddr) -> String {
    format!(
        r#"
[function]
provider = "aliyun"

[[keys]]
id = "{APP_KEY}"
secret = "{APP_SECRET}"
appcode = "c0de-for-tests"

[[routes]]
path = "/signed"
flavour = "aliyun"
auth = "app"

[[routes]]
path = "=/counted"
flavour = "aliyun"
auth = "app"
backend = "http"
http = {{ url = "http://{backend}", path = "/", timeout = "5s" }}

[[routes]]
path = "/coded"
flavour = "aliyun"
auth = "appcode"
"#
    )
}

#[tokio::test]
async fn alibabas_node_sdk_signs_get_json_and_form_requests_the_gateway_accepts() {
    let (backend, _) = counting_backend().await;
    let (addr, _) = serve(&aliyun_config(backend), Some(("echo", Provider::Aliyun))).await;
    let url = |path: &str| format!("http://{addr}{path}");
    let client = |method: &str, path: &str, opts: serde_json::Value| json!({"url": url(path), "method": method, "key": APP_KEY, "secret": APP_SECRET, "opts": opts});
    // GET with a query: merged, encoded on the wire, signed decoded and sorted.
    let got = sdk(client(
        "get",
        "/signed/items?b=2",
        json!({"query": {"a": "1", "q": "hello world", "empty": ""}}),
    ))
    .await;
    assert_eq!(got["status"], 200, "{got}");
    let seen = &got["body"];
    assert_eq!(seen["path"], "/signed/items");
    assert_eq!(seen["query"]["q"], "hello world");
    assert_eq!(seen["keyId"], APP_KEY, "the verified AppKey");
    assert_eq!(seen["headers"]["x-ca-stage"], "RELEASE", "X-Ca-Stage once, not the SDK's and the gateway's");
    assert_eq!(seen["stage"], "release");
    // A JSON POST: the SDK sends Content-MD5 of the body.
    let got = sdk(client("post", "/signed/json", json!({"data": {"n": 1}, "signHeaders": {"x-custom-trace": "trace-123"}, "headers": {"x-custom-trace": "trace-123"}}))).await;
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["body"]["body"], r#"{"n":1}"#);
    // A form POST: the fields are signed with the query.
    let form = json!({"data": {"username": "xiaoming", "password": "123456789"}, "headers": {"content-type": "application/x-www-form-urlencoded; charset=UTF-8"}});
    let got = sdk(client("post", "/signed/form?param1=test", form)).await;
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["body"]["body"], "password=123456789&username=xiaoming", "as the SDK serialized it");
    // The SDK's stage header picks the stage.
    let test_stage = json!({"url": url("/signed/x"), "method": "get", "key": APP_KEY, "secret": APP_SECRET, "stage": "TEST"});
    let got = sdk(test_stage).await;
    assert_eq!((got["status"].as_u64(), got["body"]["stage"].as_str()), (Some(200), Some("test")), "{got}");
    assert_eq!(got["body"]["headers"]["x-ca-stage"], "TEST");
}

#[tokio::test]
async fn the_sdks_replays_stale_timestamps_and_wrong_secrets_never_reach_the_backend() {
    let (backend, reached) = counting_backend().await;
    let (addr, _) = serve(&aliyun_config(backend), None).await;
    let url = format!("http://{addr}/counted");
    let with = |secret: &str, key: &str, headers: serde_json::Value| json!({"url": url, "method": "get", "key": key, "secret": secret, "opts": {"headers": headers}});
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let nonce = format!("nonce-{now_ms}");
    let cases = [
        (
            with("guess", APP_KEY, json!({})),
            403,
            "A403IS",
            "Invalid Signature, Server StringToSign:`GET#application/json###",
        ),
        (with(APP_SECRET, "404404", json!({})), 400, "A400IK", "Invalid AppKey"),
        (
            with(APP_SECRET, APP_KEY, json!({"x-ca-timestamp": (now_ms - 16 * 60 * 1000).to_string()})),
            400,
            "A400TE",
            "Timestamp Expired",
        ),
    ];
    for (spec, status, code, message) in cases {
        let got = sdk(spec).await;
        assert_eq!(got["status"], status, "{got}");
        assert_eq!(got["headers"]["x-ca-error-code"], code, "{got}");
        assert!(got["headers"]["x-ca-error-message"].as_str().unwrap().starts_with(message), "{got}");
        assert_eq!(got["headers"]["x-ca-request-id"].as_str().map(str::len), Some(36), "{got}");
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "no refused request reached the backend");
    let once = with(APP_SECRET, APP_KEY, json!({"x-ca-nonce": nonce}));
    assert_eq!(sdk(once.clone()).await["status"], 200);
    assert_eq!(reached.load(Ordering::SeqCst), 1, "the signed request did");
    let replay = sdk(once).await;
    assert_eq!(
        (replay["status"].as_u64(), replay["headers"]["x-ca-error-message"].as_str()),
        (Some(400), Some("Nonce Used"))
    );
    assert_eq!(reached.load(Ordering::SeqCst), 1, "its replay did not");
}

#[tokio::test]
async fn alibabas_simple_client_sends_an_appcode_the_gateway_accepts() {
    let (backend, _) = counting_backend().await;
    let (addr, _) = serve(&aliyun_config(backend), Some(("echo", Provider::Aliyun))).await;
    let got =
        sdk(json!({"url": format!("http://{addr}/coded"), "method": "get", "appcode": "c0de-for-tests"}))
            .await;
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["body"]["keyId"], APP_KEY, "the app the AppCode belongs to");
    let got = sdk(json!({"url": format!("http://{addr}/coded"), "method": "get", "appcode": "guess"})).await;
    assert_eq!(got["status"], 400, "{got}");
    assert_eq!(got["headers"]["x-ca-error-code"], "A400AC");
    assert_eq!(got["headers"]["x-ca-error-message"], "Invalid AppCode `not exists`");
}

const TENCENT_KEYS: &str = "[[keys]]\nid = \"AKIDpypi\"\nsecret = \"pypi-secret\"\n";

fn pairs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn tencents_key_pair_package_is_accepted_with_its_date_an_hour_off_but_not_with_x_date() {
    let (backend, reached) = counting_backend().await;
    let toml = format!(
        "{TENCENT_KEYS}[[routes]]\npath = \"/\"\nauth = \"key\"\n[[routes]]\npath = \"=/counted\"\nauth = \"key\"\nbackend = \"http\"\nhttp = {{ url = \"http://{backend}\", path = \"/\", timeout = \"5s\" }}\n"
    );
    let (addr, _) = serve(&toml, Some(("echo", Provider::Tencent))).await;
    // What the package signs: every header it is given, then Date from its clock.
    let now = tencent_key_headers("AKIDpypi", "pypi-secret", &[("Source", "pypi")], 0);
    let seen = call(addr, "GET", "/", &pairs(&now), b"").await.seen();
    assert_eq!(seen["keyId"], "AKIDpypi", "identity.secretId is the verified key");
    let skewed = tencent_key_headers("AKIDpypi", "pypi-secret", &[], -3600);
    let seen = call(addr, "GET", "/", &pairs(&skewed), b"").await.seen();
    assert_eq!(seen["keyId"], "AKIDpypi", "a Date an hour off is signed but not age-checked");
    assert_eq!(reached.load(Ordering::SeqCst), 0);

    let hour_ago =
        httpdate::fmt_http_date(std::time::SystemTime::now() - std::time::Duration::from_secs(3600));
    let x_date = tencent_key_headers("AKIDpypi", "pypi-secret", &[("X-Date", &hour_ago)], 0);
    let wrong = tencent_key_headers("AKIDpypi", "not-the-secret", &[], 0);
    let cases = [
        (
            x_date,
            "HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication",
        ),
        (wrong, "HMAC signature does not match"),
    ];
    for (headers, message) in cases {
        let res = call(addr, "GET", "/counted", &pairs(&headers), b"").await;
        assert_eq!(res.status, 401);
        assert_eq!(res.json()["message"], message);
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "no refused request reached the backend");
    let good = tencent_key_headers("AKIDpypi", "pypi-secret", &[], 0);
    assert_eq!(call(addr, "GET", "/counted", &pairs(&good), b"").await.status, 200);
    assert_eq!(reached.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn tokens_made_like_tencents_oauth_demo_are_verified_with_the_configured_jwk() {
    let made = tokio::task::spawn_blocking(tencent_oauth_tokens).await.unwrap();
    let (backend, reached) = counting_backend().await;
    let jwk = made["jwk"].to_string().replace('\'', "");
    let toml = format!(
        r#"
[[routes]]
name = "token"
path = "=/token"
auth = "oauth"
oauth = {{ public_key = '{jwk}' }}
backend = "http"
http = {{ url = "http://{backend}", path = "/", timeout = "5s" }}

[[routes]]
path = "/orders"
auth = "oauth"
oauth_api = "token"

[[routes]]
path = "=/counted"
auth = "oauth"
backend = "http"
http = {{ url = "http://{backend}", path = "/", timeout = "5s" }}
"#
    );
    let (addr, _) = serve(&toml, Some(("echo", Provider::Tencent))).await;
    let bearer = |name: &str| format!("Bearer id_token=\"{}\"", made["tokens"][name].as_str().unwrap());
    let good = bearer("good");
    let seen = call(addr, "GET", "/orders/7", &[("authorization", &good)], b"").await.seen();
    assert_eq!(seen["headers"]["authorization"], good, "the original header reaches the function");
    assert_eq!(seen["keyId"], serde_json::Value::Null, "OAuth verifies no key id");
    // The authorization API passes requests to its backend without a token.
    assert_eq!(call(addr, "POST", "/token", &[], b"user=ada").await.status, 200);
    assert_eq!(reached.load(Ordering::SeqCst), 1);
    for name in ["expired", "early", "foreign"] {
        let res = call(addr, "GET", "/counted", &[("authorization", &bearer(name))], b"").await;
        assert_eq!(res.status, 401, "{name}");
        assert_eq!(res.json()["message"], "Oauth id_token verify error", "{name}");
    }
    let res = call(addr, "GET", "/counted", &[], b"").await;
    assert_eq!(
        (res.status, res.json()["message"].as_str()),
        (401, Some("Oauth found no authorization header"))
    );
    assert_eq!(reached.load(Ordering::SeqCst), 1, "no refused request reached the backend");
}
