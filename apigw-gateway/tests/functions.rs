//! Several functions behind one gateway, and a runtime API that refuses
//! a process it was not handed to.

mod common;

use apigw_gateway::config::Provider;
use apigw_gateway::{Function, Gateway, GatewayConfig};
use common::get;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::Arc;

fn function(name: &str) -> Arc<Function> {
    Arc::new(Function::new(common::spec(name, Provider::Tencent)))
}

const TWO: &str = r#"
[functions.echo]
example = "echo"
[functions.hello]
example = "hello"
[[routes]]
path = "/echo"
function = "echo"
[[routes]]
path = "/hello"
function = "hello"
"#;

#[tokio::test]
async fn two_functions_answer_their_own_routes_and_one_crash_spares_the_other() {
    let config = GatewayConfig::parse(TWO, "apigw.toml").unwrap();
    let (echo, hello) = (function("echo"), function("hello"));
    let functions = BTreeMap::from([("echo".to_owned(), echo.clone()), ("hello".to_owned(), hello.clone())]);
    let gateway = Arc::new(Gateway::with_functions(config, functions));
    let addr = common::serve_gateway(gateway).await;
    assert_eq!(get(addr, "/echo/x").await.seen()["path"], "/echo/x");
    assert_eq!(get(addr, "/hello?name=ada").await.json(), serde_json::json!({"hello": "ada"}));
    let hello_pid = hello.pids();
    assert_eq!(get(addr, "/echo?exit=1").await.status, 502);
    assert_eq!(get(addr, "/hello").await.status, 200);
    assert_eq!(hello.pids(), hello_pid, "the other function's instance is untouched");
    assert_eq!((echo.cold_starts(), hello.cold_starts()), (1, 1));
    echo.stop().await;
    hello.stop().await;
}

#[test]
fn routes_name_a_configured_function() {
    let err = GatewayConfig::parse(&TWO.replace("function = \"hello\"", "function = \"nope\""), "apigw.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "apigw.toml:11: `routes[1].function` = \"nope\": no such function; there are echo, hello"
    );
    let err = GatewayConfig::parse(&TWO.replace("function = \"hello\"\n", ""), "apigw.toml").unwrap_err();
    assert!(err.to_string().contains("several functions are configured; name one with `function`"), "{err}");
    let err = GatewayConfig::parse("[function]\n[functions.a]\n", "apigw.toml").unwrap_err();
    assert_eq!(err.line, Some(1), "{err}");
    let err = GatewayConfig::parse("[function]\nprovider = \"tencent\"\ninstance_concurrency = 4\n", "f")
        .unwrap_err();
    assert!(
        err.to_string().starts_with("f:3: `function.instance_concurrency` is Alibaba's setting"),
        "{err}"
    );
}

/// One raw HTTP exchange; the status code.
fn status_of(port: u16, head: &str) -> u16 {
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    conn.write_all(head.as_bytes()).unwrap();
    let mut buf = [0u8; 512];
    let n = conn.read(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_api_refuses_calls_without_the_token_it_handed_out() {
    let echo = function("echo");
    let gateway = Arc::new(Gateway::new(GatewayConfig::default_config(), Some(echo.clone())));
    let req = http::Request::get("/").header("host", "h").body(bytes::Bytes::new()).unwrap();
    assert_eq!(gateway.handle(req, "127.0.0.1".parse().unwrap()).await.status(), 200);
    let pid = echo.pids()[0];
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let var = |name: &str| {
        environ
            .split(|b| *b == 0)
            .find_map(|kv| std::str::from_utf8(kv).ok()?.strip_prefix(&format!("{name}=")).map(str::to_owned))
    };
    let port: u16 = var("SCF_RUNTIME_API_PORT").unwrap().parse().unwrap();
    let token = var("APIGW_RUNTIME_TOKEN").unwrap();
    // A process left over from an earlier gateway: no token, or another one.
    let next = "GET /runtime/invocation/next HTTP/1.1\r\nhost: x\r\n";
    assert_eq!(status_of(port, &format!("{next}\r\n")), 403);
    assert_eq!(status_of(port, &format!("{next}x-apigw-runtime-token: {token}0\r\n\r\n")), 403);
    // The instance's own token is taken (a post with nothing outstanding is
    // refused for that reason, not for the token).
    let post = "POST /runtime/invocation/response HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n";
    assert_eq!(status_of(port, &format!("{post}x-apigw-runtime-token: {token}\r\n\r\n{{}}")), 400);
    echo.stop().await;
}
