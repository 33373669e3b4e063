//! The front door's own behaviour: routing, stages, methods, parameters,
//! auth, CORS, IP lists, rate limits, body limits, and the other backends.
//! Mock backends stand in for the function where the function is not the point.

mod common;

use common::{call, get, serve};
use std::time::{Duration, SystemTime};

fn mock(path: &str, body: &str) -> String {
    format!("[[routes]]\npath = \"{path}\"\nbackend = \"mock\"\nmock = {{ body = \"{body}\" }}\n")
}

#[tokio::test]
async fn routes_follow_the_vendor_priority() {
    let toml = [
        mock("/user", "prefix"),
        mock("/user/{id}", "params"),
        mock("^~/user/special", "preferential"),
        mock("=/user/exact", "exact"),
        mock("/user/{id}/[tab]", "two-params"),
    ]
    .concat();
    let (addr, _) = serve(&toml, None).await;
    let body =
        |path: &'static str| async move { String::from_utf8(get(addr, path).await.body.to_vec()).unwrap() };
    assert_eq!(body("/user/exact").await, "exact");
    assert_eq!(body("/user/special").await, "preferential");
    assert_eq!(body("/user/special/deeper/still").await, "preferential");
    assert_eq!(body("/user/42").await, "params");
    assert_eq!(body("/user/42/posts").await, "two-params");
    assert_eq!(body("/usertest").await, "prefix", "a plain path is a string prefix");
    assert_eq!(body("/user/1/2/3").await, "prefix");
    assert_eq!(body("/release/user/exact").await, "exact", "the stage prefix is removed first");
}

#[tokio::test]
async fn no_match_is_a_404_in_tencent_style() {
    let (addr, _) = serve(&mock("=/only", "x"), None).await;
    let res = get(addr, "/elsewhere").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["message"], "There is no api match uri[/elsewhere] host [gw.local]");
    let id = res.header("x-api-requestid").expect("refusals carry a request id too");
    assert_eq!(id.len(), 36, "{id}");
    assert_ne!(get(addr, "/elsewhere").await.header("x-api-requestid"), Some(id), "a fresh id each time");
}

#[tokio::test]
async fn methods_are_matched() {
    let toml = "[[routes]]\npath = \"/\"\nmethod = \"GET\"\nbackend = \"mock\"\nmock = { body = \"get\" }\n\
                [[routes]]\npath = \"/\"\nmethod = \"DELETE\"\nbackend = \"mock\"\nmock = { body = \"delete\" }\n";
    let (addr, _) = serve(toml, None).await;
    assert_eq!(&get(addr, "/").await.body[..], b"get");
    assert_eq!(&call(addr, "DELETE", "/", &[], b"").await.body[..], b"delete");
    assert_eq!(call(addr, "POST", "/", &[], b"").await.status, 404);
    let head = call(addr, "HEAD", "/", &[], b"").await;
    assert_eq!(head.status, 404, "HEAD needs a HEAD or ANY route");
}

#[tokio::test]
async fn declared_parameters_are_validated_and_defaulted() {
    let toml = r#"
        [[routes]]
        path = "/items/{id}"
        [[routes.params]]
        name = "id"
        in = "path"
        type = "int"
        required = true
        [[routes.params]]
        name = "page"
        in = "query"
        type = "int"
        default = "1"
        [[routes.params]]
        name = "x-flag"
        in = "header"
        type = "boolean"
        required = true
    "#;
    let (addr, _) = serve(toml, Some(("echo", apigw_gateway::config::Provider::Tencent))).await;
    let res = get(addr, "/items/7").await;
    assert_eq!(res.status, 403, "Tencent's status for a missing declared parameter");
    assert_eq!(res.json()["message"], "header x-flag is required");
    let res = call(addr, "GET", "/items/seven", &[("x-flag", "true")], b"").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["message"], "path parameter `id` must be an integer, got `seven`");
    let seen = call(addr, "GET", "/items/7", &[("x-flag", "true")], b"").await.seen();
    assert_eq!(seen["queryParameters"], serde_json::json!({"page": "1"}));
    assert_eq!(seen["headerParameters"], serde_json::json!({"x-flag": "true"}));
}

#[tokio::test]
async fn unsafe_paths_are_refused() {
    let (addr, _) = serve(&mock("/", "ok"), None).await;
    for path in ["/a/../etc/passwd", "/a/%2e%2e/b", "/a%2Fb", "/a/%00"] {
        let res = get(addr, path).await;
        assert_eq!(res.status, 400, "{path}");
    }
    let long = format!("/{}", "a".repeat(9000));
    assert_eq!(get(addr, &long).await.status, 400);
    assert_eq!(get(addr, "/fine/path").await.status, 200);
}

const KEYS: &str = r#"
[[keys]]
id = "AKIDtest"
secret = "s3cret"
"#;

fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

#[tokio::test]
async fn key_pair_auth_accepts_a_good_signature_and_names_each_failure() {
    let toml = format!("{KEYS}[[routes]]\npath = \"/\"\nauth = \"key\"\n");
    let (addr, _) = serve(&toml, Some(("echo", apigw_gateway::config::Provider::Tencent))).await;
    let date = http_date(SystemTime::now());
    let sign = |id: &str, secret: &str, date: &str| {
        apigw_gateway::auth::tencent_key::sign(id, secret, &[("x-date", date), ("source", "tests")])
    };
    let good = sign("AKIDtest", "s3cret", &date);
    let seen =
        call(addr, "GET", "/", &[("x-date", &date), ("source", "tests"), ("authorization", &good)], b"")
            .await
            .seen();
    assert_eq!(seen["keyId"], "AKIDtest", "identity.secretId carries the key id");

    let stale = http_date(SystemTime::now() - Duration::from_secs(16 * 60));
    let signed =
        |auth: String| vec![("x-date", date.clone()), ("source", "tests".into()), ("authorization", auth)];
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (
            vec![("x-date", date.clone())],
            "HMAC signature cannot be verified, a validate authorization header is required",
        ),
        (signed(sign("AKIDother", "s3cret", &date)), "HMAC signature cannot be verified"),
        (signed(sign("AKIDtest", "wrong", &date)), "HMAC signature does not match"),
        (
            vec![("x-date", date.clone()), ("source", "other".into()), ("authorization", good.clone())],
            "HMAC signature does not match",
        ),
        (
            vec![
                ("x-date", stale.clone()),
                ("source", "tests".into()),
                ("authorization", sign("AKIDtest", "s3cret", &stale)),
            ],
            "HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication",
        ),
        (signed(good.replace("hmac-sha1", "hmac-md5")), "HMAC algorithm hmac-md5 not supported"),
    ];
    for (headers, message) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = call(addr, "GET", "/", &headers, b"").await;
        assert_eq!(res.status, 401, "{message}");
        assert_eq!(res.json()["message"], message);
    }
}

#[tokio::test]
async fn cors_adds_the_origin_header_and_answers_preflights() {
    let toml = "[[routes]]\npath = \"/\"\nmethod = \"POST\"\ncors = true\nbackend = \"mock\"\nmock = { body = \"ok\" }\n";
    let (addr, _) = serve(toml, None).await;
    let res = call(addr, "POST", "/", &[], b"").await;
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    let pre = call(
        addr,
        "OPTIONS",
        "/",
        &[
            ("origin", "http://app"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-a"),
        ],
        b"",
    )
    .await;
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    assert_eq!(pre.header("access-control-allow-headers"), Some("x-a"));
    assert!(pre.header("access-control-allow-methods").unwrap().contains("POST"));
    assert!(pre.header("x-api-requestid").is_some());

    // A preflight to an API without CORS gets Tencent's documented refusal.
    let toml = "[[routes]]\npath = \"/plain\"\nbackend = \"mock\"\nmock = { body = \"ok\" }\n";
    let (addr, _) = serve(toml, None).await;
    let headers = [("origin", "http://app"), ("access-control-request-method", "GET")];
    let res = call(addr, "OPTIONS", "/plain", &headers, b"").await;
    assert_eq!(res.status, 429);
    assert_eq!(
        res.json()["message"],
        "req is cross origin, api /plain need open cors flag on qcloud apigateway"
    );
}

#[tokio::test]
async fn ip_lists_and_rate_limits_refuse_callers() {
    let toml = "[[routes]]\npath = \"=/deny\"\ndeny_ips = [\"127.0.0.0/8\"]\nbackend = \"mock\"\nmock = { body = \"x\" }\n\
                [[routes]]\npath = \"=/allow\"\nallow_ips = [\"10.0.0.1\"]\nbackend = \"mock\"\nmock = { body = \"x\" }\n\
                [[routes]]\npath = \"=/limited\"\nrate_limit = 2\nbackend = \"mock\"\nmock = { body = \"x\" }\n";
    let (addr, _) = serve(toml, None).await;
    for path in ["/deny", "/allow"] {
        let res = get(addr, path).await;
        assert_eq!(res.status, 403, "{path}");
        assert_eq!(res.json()["message"], "Your IP address is not allowed");
    }
    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(get(addr, "/limited").await);
    }
    assert_eq!(answers[..2].iter().map(|r| r.status).collect::<Vec<_>>(), [200, 200]);
    let limited = answers[2..].iter().find(|r| r.status == 429).expect("a 429 past the limit");
    assert_eq!(limited.json()["message"], "API rate limit exceeded");
}

#[tokio::test]
async fn oversize_bodies_are_413_per_vendor() {
    let (addr, _) = serve(&mock("/", "ok"), None).await;
    let seven_mb = vec![b'a'; 7 << 20];
    assert_eq!(call(addr, "POST", "/", &[], &seven_mb).await.status, 413, "Tencent: 6 MB");
    let aliyun =
        "[[routes]]\npath = \"/\"\nflavour = \"aliyun\"\nbackend = \"mock\"\nmock = { body = \"ok\" }\n";
    let (addr, _) = serve(aliyun, None).await;
    assert_eq!(call(addr, "POST", "/", &[], &seven_mb).await.status, 200, "Alibaba: 32 MB");
}

#[tokio::test]
async fn the_http_backend_maps_parameters_and_adds_constants() {
    // A backend that answers with what it received.
    let backend = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend_addr = backend.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = backend.accept().await else { return };
            tokio::spawn(async move {
                let svc =
                    hyper::service::service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                        let text = format!(
                            "{} {} host={} x-user={}",
                            req.method(),
                            req.uri(),
                            req.headers().get("host").and_then(|v| v.to_str().ok()).unwrap_or(""),
                            req.headers().get("x-user").and_then(|v| v.to_str().ok()).unwrap_or("")
                        );
                        Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(
                            bytes::Bytes::from(text),
                        )))
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    let toml = format!(
        r#"
        [[routes]]
        path = "/users/{{id}}"
        backend = "http"
        http = {{ url = "http://{backend_addr}", path = "/v1/accounts/{{uid}}", method = "POST", timeout = "2s", params = [{{ from = "id", to = "uid", in = "path" }}, {{ from = "id", to = "x-user", in = "header" }}], constants = [{{ name = "host", value = "legacy.internal", in = "header" }}, {{ name = "v", value = "2", in = "query" }}] }}
        [[routes.params]]
        name = "id"
        in = "path"
        "#
    );
    let (addr, _) = serve(&toml, None).await;
    let res = get(addr, "/users/42?q=1").await;
    assert_eq!(
        String::from_utf8_lossy(&res.body),
        "POST /v1/accounts/42?q=1&v=2 host=legacy.internal x-user=42"
    );
}
