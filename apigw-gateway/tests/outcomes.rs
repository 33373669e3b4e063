//! What the client gets for each way a function can answer: malformed
//! responses, handler errors, panics, timeouts on either side, oversize and
//! CR/LF-laden responses, in both vendor flavours.

mod common;

use apigw_gateway::config::Provider;
use common::{get, serve};

fn config(flavour: &str, function_timeout: &str, gateway_timeout: &str) -> String {
    let provider = if flavour == "aliyun" { "\n[function]\nprovider = \"aliyun\"\n" } else { "" };
    format!(
        "{provider}[[routes]]\npath = \"/\"\nflavour = \"{flavour}\"\nfunction_timeout = \"{function_timeout}\"\ngateway_timeout = \"{gateway_timeout}\"\n"
    )
}

fn provider(flavour: &str) -> Provider {
    if flavour == "aliyun" { Provider::Aliyun } else { Provider::Tencent }
}

#[tokio::test]
async fn a_malformed_integration_response_is_tencent_403_or_alibaba_503() {
    for (flavour, status) in [("tencent", 403), ("aliyun", 503)] {
        let (addr, _) = serve(&config(flavour, "3s", "15s"), Some(("echo", provider(flavour)))).await;
        let res = get(addr, "/?malformed=1").await;
        assert_eq!(res.status, status, "{flavour}");
        if flavour == "tencent" {
            assert_eq!(
                res.json(),
                serde_json::json!({"errno": 403, "error": "Invalid scf response format. please check your scf response format."})
            );
        }
        // CR/LF in a header from the function is refused the same way, never forwarded.
        let res = get(addr, "/?header=X-Evil:a%0D%0ASet-Cookie:%20stolen").await;
        assert_eq!(res.status, status, "{flavour}: CR/LF");
        assert!(res.headers.get("set-cookie").is_none());
    }
}

#[tokio::test]
async fn handler_errors_and_panics_are_502_with_the_message_and_request_id() {
    for flavour in ["tencent", "aliyun"] {
        let (addr, _) = serve(&config(flavour, "3s", "15s"), Some(("echo", provider(flavour)))).await;
        let res = get(addr, "/?fail=1").await;
        assert_eq!(res.status, 502, "{flavour}");
        assert_eq!(res.json()["errorMessage"], "asked to fail");
        let id_header = if flavour == "aliyun" { "x-ca-request-id" } else { "x-api-requestid" };
        assert_eq!(res.json()["requestId"].as_str(), res.header(id_header), "{flavour}");
        let res = get(addr, "/?panic=1").await;
        assert_eq!(res.status, 502);
        assert_eq!(res.json()["errorMessage"], "handler panicked: asked to panic");
    }
}

#[tokio::test]
async fn function_timeout_first_is_200_with_the_error_on_tencent_and_503_on_alibaba() {
    let (addr, _) = serve(&config("tencent", "500ms", "10s"), Some(("echo", Provider::Tencent))).await;
    let res = get(addr, "/?sleep_ms=5000").await;
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(body["errorCode"], -1);
    assert_eq!(body["errorMessage"], "Invoking task timed out after 0.5 seconds");
    assert_eq!(body["statusCode"], 433);
    assert_eq!(get(addr, "/").await.status, 200, "the function serves the next request");

    let (addr, _) = serve(&config("aliyun", "500ms", "10s"), Some(("echo", Provider::Aliyun))).await;
    assert_eq!(get(addr, "/?sleep_ms=5000").await.status, 503);
}

#[tokio::test]
async fn gateway_timeout_first_is_504_in_each_vendors_words() {
    for flavour in ["tencent", "aliyun"] {
        let (addr, _) = serve(&config(flavour, "10s", "300ms"), Some(("echo", provider(flavour)))).await;
        let started = std::time::Instant::now();
        let res = get(addr, "/?sleep_ms=2000").await;
        assert_eq!(res.status, 504, "{flavour}");
        if flavour == "tencent" {
            assert_eq!(res.json()["message"], "Gateway Time-out");
        } else {
            assert_eq!(res.header("x-ca-error-code"), Some("D504TO"));
            assert_eq!(res.header("x-ca-error-message"), Some("Backend service request timeout"));
        }
        assert!(started.elapsed() < std::time::Duration::from_millis(1900), "the gateway gave up first");
    }
}

#[tokio::test]
async fn an_oversize_response_is_502() {
    let (addr, _) = serve(&config("tencent", "10s", "15s"), Some(("echo", Provider::Tencent))).await;
    let res = get(addr, "/?pad=7000000").await;
    assert_eq!(res.status, 502);
    assert!(res.json()["errorMessage"].as_str().unwrap().contains("limit"));
}
