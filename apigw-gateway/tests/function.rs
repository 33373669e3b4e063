//! The function runs for real behind each emulated platform, through the
//! front door over HTTP on 127.0.0.1, in both vendor flavours.

mod common;

use apigw_gateway::config::Provider;
use common::{call, get, serve};

const TENCENT: &str = "";
const ALIYUN: &str = r#"
[function]
provider = "aliyun"
"#;

#[tokio::test]
async fn the_hello_example_answers_through_the_default_route() {
    let (addr, _) = serve(TENCENT, Some(("hello", Provider::Tencent))).await;
    let res = get(addr, "/?name=ada").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.json(), serde_json::json!({"hello": "ada"}));
    assert!(res.header("x-api-requestid").is_some());
}

#[tokio::test]
async fn tencent_events_carry_the_stage_pattern_and_a_fresh_request_id() {
    let toml = r#"
        [stages.test]
        variables = { db = "test-db" }
        [[routes]]
        path = "/items/{id}"
    "#;
    let (addr, _) = serve(toml, Some(("echo", Provider::Tencent))).await;
    let a = call(addr, "POST", "/test/items/7?tag=a&tag=b", &[("content-type", "text/plain")], b"hi")
        .await
        .seen();
    assert_eq!(a["method"], "POST");
    assert_eq!(a["path"], "/items/7", "the stage prefix is not part of the path");
    assert_eq!(a["stage"], "test");
    assert_eq!(a["stageVariables"]["db"], "test-db");
    assert_eq!(a["pathParameters"]["id"], "7");
    assert_eq!(a["query"]["tag"], serde_json::json!(["a", "b"]));
    assert_eq!(a["body"], "hi");
    assert_eq!(a["sourceIp"], "127.0.0.1");
    let b = get(addr, "/items/8").await.seen();
    assert_eq!(b["stage"], "release", "without a prefix the default stage");
    assert_ne!(a["requestId"], b["requestId"]);
    assert_eq!(a["requestId"], a["headers"]["x-api-requestid"]);
}

#[tokio::test]
async fn aliyun_events_reach_an_alibaba_function() {
    let (addr, _) = serve(ALIYUN, Some(("echo", Provider::Aliyun))).await;
    let seen = call(addr, "PUT", "/a?x=1", &[], b"body").await.seen();
    assert_eq!((seen["method"].as_str(), seen["path"].as_str()), (Some("PUT"), Some("/a")));
    assert_eq!(seen["query"]["x"], "1");
    assert_eq!(seen["body"], "body");
    assert_eq!(seen["stage"], "release", "read back from X-Ca-Stage");
    assert_eq!(seen["sourceIp"], "127.0.0.1", "read back from X-Forwarded-For");
}

#[tokio::test]
async fn web_functions_get_the_plain_http_request() {
    let (addr, _) = serve(TENCENT, Some(("echo", Provider::Web))).await;
    let seen = call(addr, "POST", "/release/w?k=v", &[("x-custom", "1")], b"raw").await.seen();
    assert_eq!(seen["path"], "/w");
    assert_eq!(seen["headers"]["x-custom"], "1");
    assert_eq!(seen["body"], "raw");
}

/// The seed's sample: `POST /fc/test/invoke/test?param1=aaa&param2=bbb` on
/// route `/fc/test/invoke/[type]`, answered by a function written like the
/// vendor's Node.js sample.
#[tokio::test]
async fn the_alibaba_seed_sample_is_reproduced() {
    let toml = r#"
        [function]
        provider = "aliyun"
        [[routes]]
        path = "/fc/test/invoke/[type]"
        method = "POST"
    "#;
    let (addr, _) = serve(toml, Some(("aliyun-typed", Provider::Aliyun))).await;
    let headers =
        [("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("headerParam", "testHeader")];
    let res = call(
        addr,
        "POST",
        "/fc/test/invoke/test?param1=aaa&param2=bbb",
        &headers,
        br#"{"bodyParam":"testBody"}"#,
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("x-custom-header"), Some("header value"));
    let body = res.json();
    assert_eq!(body["message"], "Hello World!");
    let input = &body["input"];
    assert_eq!(input["path"], "/fc/test/invoke/test");
    assert_eq!(input["httpMethod"], "POST");
    assert_eq!(input["pathParameters"], serde_json::json!({"type": "test"}));
    assert_eq!(input["queryParameters"], serde_json::json!({"param1": "aaa", "param2": "bbb"}));
    assert_eq!(input["body"], r#"{"bodyParam":"testBody"}"#);
    assert_eq!(input["isBase64Encoded"], false);
    assert_eq!(input["headers"]["headerparam"], "testHeader");
    assert!(input["headers"]["X-Ca-Api-Gateway"].is_string());
}

#[tokio::test]
async fn binary_bodies_are_decoded_and_list_headers_repeated() {
    let (addr, _) = serve(TENCENT, Some(("binary", Provider::Tencent))).await;
    let res = get(addr, "/logo.png").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("image/png"));
    assert_eq!(&res.body[..4], b"\x89PNG");

    let (addr, _) = serve(TENCENT, Some(("echo", Provider::Tencent))).await;
    let res = get(addr, "/?header=Set-Cookie:a%3D1&header=Set-Cookie:b%3D2").await;
    let cookies: Vec<_> = res.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
}

#[tokio::test]
async fn binary_request_bodies_reach_the_function_as_base64_by_content_type() {
    let (addr, _) = serve(TENCENT, Some(("echo", Provider::Tencent))).await;
    let seen = call(addr, "POST", "/", &[("content-type", "image/png")], &[0x89, 0x50, 0xff]).await.seen();
    assert_eq!(seen["isBase64Encoded"], true);
    assert_eq!(seen["body"], "iVD/");
}

#[tokio::test]
async fn passthrough_answers_the_function_json_with_200() {
    let toml = r#"
        [[routes]]
        path = "/"
        mode = "passthrough"
    "#;
    let (addr, _) = serve(toml, Some(("passthrough", Provider::Tencent))).await;
    let res = get(addr, "/items").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["items"], serde_json::json!(["apple", "pear"]));
}

#[tokio::test]
async fn a_dead_process_is_a_502_and_the_next_request_cold_starts() {
    let (addr, _) = serve(TENCENT, Some(("echo", Provider::Tencent))).await;
    let res = get(addr, "/?exit=1").await;
    assert_eq!(res.status, 502);
    assert!(res.json()["errorMessage"].as_str().unwrap().contains("exited"), "{:?}", res.json());
    assert_eq!(get(addr, "/").await.status, 200, "a new process answers");
}
