//! The attack table: each hostile request gets the status README.md's
//! "How the local gateway answers" documents, and nothing gets past the
//! front door. A counting HTTP backend behind the routes shows no request
//! reached it; a signed request at the end of each table shows it would
//! have counted one that did.

mod common;

use apigw_gateway::auth::tencent_key::sign;
use apigw_gateway::config::Provider;
use apigw_gateway::respond::TENCENT_INVALID;
use common::{call, counting_backend, serve};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bounds every exchange with the gateway.
const PATIENCE: Duration = Duration::from_secs(30);

fn http_route(path: &str, backend: SocketAddr, extra: &str) -> String {
    format!(
        "[[routes]]\npath = \"{path}\"\nbackend = \"http\"\nhttp = {{ url = \"http://{backend}\", path = \"/\", timeout = \"5s\" }}\n{extra}\n"
    )
}

/// Request headers as name/value pairs.
type Headers = Vec<(&'static str, String)>;

const KEYS: &str = "[[keys]]\nid = \"AKIDtest\"\nsecret = \"s3cret\"\n";

fn date(offset_secs: i64) -> String {
    let now = SystemTime::now();
    let t = if offset_secs < 0 {
        now - Duration::from_secs(offset_secs.unsigned_abs())
    } else {
        now + Duration::from_secs(offset_secs.unsigned_abs())
    };
    httpdate::fmt_http_date(t)
}

async fn request(addr: SocketAddr, path: &str, headers: &[(&str, String)]) -> common::Response {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    tokio::time::timeout(PATIENCE, call(addr, "GET", path, &headers, b"")).await.expect("the gateway answers")
}

#[tokio::test]
async fn key_pair_auth_lets_nobody_past_without_a_valid_fresh_signature() {
    let (backend, reached) = counting_backend().await;
    let toml = format!("{KEYS}{}", http_route("/", backend, "auth = \"key\""));
    let (addr, gateway) = serve(&toml, None).await;
    let now = date(0);
    let good = |d: &str| sign("AKIDtest", "s3cret", &[("x-date", d), ("source", "tests")]);
    let signed = |d: &str, auth: String| {
        vec![("x-date", d.to_owned()), ("source", "tests".to_owned()), ("authorization", auth)]
    };
    let old = date(-16 * 60);
    let ahead = date(16 * 60);
    let cases: Vec<(&str, Headers, &str)> = vec![
        (
            "no header",
            vec![("x-date", now.clone()), ("source", "tests".into())],
            "HMAC signature cannot be verified, a validate authorization header is required",
        ),
        (
            "an unknown key id",
            signed(&now, sign("AKIDother", "s3cret", &[("x-date", &now), ("source", "tests")])),
            "HMAC signature cannot be verified",
        ),
        (
            "an algorithm Tencent does not list",
            signed(&now, good(&now).replace("hmac-sha1", "hmac-md5")),
            "HMAC algorithm hmac-md5 not supported",
        ),
        (
            "a signature over other headers",
            signed(
                &now,
                sign("AKIDtest", "s3cret", &[("x-date", &now)])
                    .replace(r#"headers="x-date""#, r#"headers="x-date source""#),
            ),
            "HMAC signature does not match",
        ),
        (
            "a signature over another value",
            signed(&now, sign("AKIDtest", "s3cret", &[("x-date", &now), ("source", "other")])),
            "HMAC signature does not match",
        ),
        (
            "the wrong secret",
            signed(&now, sign("AKIDtest", "guess", &[("x-date", &now)])),
            "HMAC signature does not match",
        ),
        (
            "an X-Date 16 minutes old",
            signed(&old, good(&old)),
            "HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication",
        ),
        (
            "an X-Date 16 minutes ahead",
            signed(&ahead, good(&ahead)),
            "HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication",
        ),
        (
            "a duplicated Authorization header",
            [signed(&now, good(&now)), vec![("authorization", good(&now))]].concat(),
            "HMAC do not support multiple HTTP header",
        ),
        (
            "a signature leaving the date out",
            signed(&now, sign("AKIDtest", "s3cret", &[("source", "tests")])),
            "HMAC signature cannot be verified, a valid date or x-date header is required",
        ),
        (
            "a signed header not sent",
            vec![("x-date", now.clone()), ("authorization", good(&now))],
            "HMAC signature cannot be verified, a valid source header is required",
        ),
        ("a malformed header", signed(&now, "hmac id=AKIDtest".into()), "HMAC authorization format error"),
        (
            "no signature",
            signed(&now, r#"hmac id="AKIDtest", algorithm="hmac-sha1", headers="x-date""#.into()),
            "HMAC id or signature missing",
        ),
        ("another scheme", signed(&now, "Bearer AKIDtest".into()), "HMAC authorization format error"),
    ];
    for (case, headers, message) in &cases {
        let res = request(addr, "/", headers).await;
        assert_eq!(res.status, 401, "{case}: {:?}", res.body);
        assert_eq!(res.json()["message"], *message, "{case}");
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "no refused request reached the backend");

    // The same request, fresh and signed, does get through …
    let fresh = signed(&now, good(&now));
    let res = request(addr, "/", &fresh).await;
    assert_eq!((res.status, &res.body[..]), (200, &b"reached"[..]));
    assert_eq!(reached.load(Ordering::SeqCst), 1);
    // … and replayed once its window has passed, it does not.
    let mut replay = http::Request::get("/").header("host", "gw.local");
    for (name, value) in &fresh {
        replay = replay.header(*name, value.as_str());
    }
    let (parts, ()) = replay.body(()).unwrap().into_parts();
    let later = SystemTime::now() + Duration::from_secs(16 * 60);
    let refused = gateway.route(&parts, "127.0.0.1".parse().unwrap(), later).unwrap_err();
    assert_eq!(refused.status(), 401, "a replay 16 minutes later");
    assert!(gateway.route(&parts, "127.0.0.1".parse().unwrap(), SystemTime::now()).is_ok());
}

/// One request written raw on a fresh connection (`connection: close`);
/// returns the status, the header lines as sent, and the body.
async fn raw(addr: SocketAddr, request: &[u8]) -> (u16, Vec<String>, Vec<u8>) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        answer
    };
    let answer = tokio::time::timeout(PATIENCE, exchange).await.expect("the gateway answers");
    parse_response(&answer)
}

fn parse_response(answer: &[u8]) -> (u16, Vec<String>, Vec<u8>) {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no whole response head in {:?}", String::from_utf8_lossy(answer)));
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    (status, lines.map(str::to_owned).collect(), answer[split + 4..].to_vec())
}

#[tokio::test]
async fn cr_lf_in_a_function_header_is_refused_and_never_forwarded() {
    let injections = [
        ("in the name", "/?header=X-Evil%0D%0ASet-Cookie%3A%20stolen%3D1:v"),
        ("in the value", "/?header=X-Evil:a%0D%0ASet-Cookie:%20stolen=1"),
        ("a bare LF in the value", "/?header=X-Evil:a%0ASet-Cookie:%20stolen=1"),
        ("a bare CR in the value", "/?header=X-Evil:a%0DSet-Cookie:%20stolen=1"),
        ("beside a harmless header", "/?header=X-Fine:1&header=X-Evil:a%0D%0ASet-Cookie:%20stolen=1"),
    ];
    for (flavour, provider, status) in
        [("tencent", Provider::Tencent, 403), ("aliyun", Provider::Aliyun, 503)]
    {
        let function = if flavour == "aliyun" { "[function]\nprovider = \"aliyun\"\n" } else { "" };
        let toml = format!("{function}[[routes]]\npath = \"/\"\nflavour = \"{flavour}\"\n");
        let (addr, _) = serve(&toml, Some(("echo", provider))).await;
        for (case, target) in injections {
            let request = format!("GET {target} HTTP/1.1\r\nhost: gw.local\r\nconnection: close\r\n\r\n");
            let (got, headers, body) = raw(addr, request.as_bytes()).await;
            assert_eq!(got, status, "{flavour}, {case}: {}", String::from_utf8_lossy(&body));
            for line in &headers {
                let name = line.split(':').next().unwrap().to_ascii_lowercase();
                assert!(
                    !["set-cookie", "x-evil", "x-fine"].contains(&name.as_str()),
                    "{flavour}, {case}: forwarded `{line}`"
                );
            }
            assert!(
                !body.contains(&b'\r') && !body.contains(&b'\n'),
                "{flavour}, {case}: a raw CR/LF in the body"
            );
            let text = String::from_utf8_lossy(&body);
            if flavour == "tencent" {
                assert_eq!(text, TENCENT_INVALID, "{case}");
            } else {
                let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let message = error["errorMessage"].as_str().unwrap();
                assert!(
                    message.starts_with("invalid function response: invalid header"),
                    "{case}: {message}"
                );
            }
        }
        // The function is still there and answers cleanly.
        let (got, headers, _) =
            raw(addr, b"GET /?header=X-Fine:1 HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n\r\n").await;
        assert_eq!(got, 200, "{flavour}");
        assert!(headers.iter().any(|h| h.eq_ignore_ascii_case("x-fine: 1")), "{flavour}: {headers:?}");
    }
}

#[tokio::test]
async fn an_oversize_body_streamed_slowly_is_413_and_never_forwarded() {
    let (backend, reached) = counting_backend().await;
    let (addr, _) = serve(&http_route("/", backend, ""), None).await;
    let total = 7 << 20;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    // The body goes out in 256 KiB chunks with a pause between them, until
    // it is all sent or the gateway stops taking it.
    let writer = tokio::spawn(async move {
        let head = format!("POST /upload HTTP/1.1\r\nhost: gw\r\ncontent-length: {total}\r\n\r\n");
        write.write_all(head.as_bytes()).await?;
        let chunk = vec![b'a'; 256 << 10];
        for _ in 0..total / chunk.len() {
            write.write_all(&chunk).await?;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok::<_, std::io::Error>(())
    });
    let response = tokio::time::timeout(PATIENCE, async {
        let mut answer = Vec::new();
        let mut buf = [0; 4096];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => return answer,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
            if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                return answer;
            }
        }
    })
    .await
    .expect("the gateway answers within the bound");
    writer.abort();
    let (status, _, body) = parse_response(&response);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    let message: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(message["message"], "Request size limit exceeded");
    assert_eq!(reached.load(Ordering::SeqCst), 0, "nothing reached the backend");
    // A body within the limit goes through.
    let res = tokio::time::timeout(PATIENCE, call(addr, "POST", "/upload", &[], &[b'a'; 1 << 20]))
        .await
        .expect("the gateway answers");
    assert_eq!((res.status, &res.body[..]), (200, &b"reached"[..]));
    assert_eq!(reached.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn hostile_paths_are_400_and_never_forwarded() {
    let (backend, reached) = counting_backend().await;
    let (addr, _) = serve(&http_route("/", backend, ""), None).await;
    let nine_kb = format!("/{}", "a".repeat(9 << 10));
    let long_segments = format!("/release{}", "/abcdefgh".repeat(1 << 10));
    let sixty_kb = format!("/{}", "a".repeat(60 << 10));
    let paths = [
        "/../etc/passwd",
        "/a/../../etc/passwd",
        "/release/..",
        "/a/./b",
        "/a/%2e%2e/b",
        "/a/.%2E/b",
        "/a/%2E",
        "/a%2Fb",
        "/a%2fb",
        "/..%2f..%2fetc%2fpasswd",
        "/a%5Cb",
        "/a%5cb",
        "/..%5c..%5cwindows",
        "/a%00b",
        "/a%0d%0aSet-Cookie:x",
        "/a%7f",
        &nine_kb,
        &long_segments,
        &sixty_kb,
    ];
    for path in paths {
        let request = format!("GET {path} HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n\r\n");
        let (status, _, body) = raw(addr, request.as_bytes()).await;
        let shown = &path[..path.len().min(40)];
        assert_eq!(status, 400, "{shown}: {}", String::from_utf8_lossy(&body));
    }
    // Targets not in origin form: the asterisk form, no leading `/`, and
    // the absolute form (whose path is checked like any other).
    for target in ["*", "x/y", "http://x/a/../b", "http://x/a%2Fb"] {
        let request = format!("GET {target} HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n\r\n");
        let (status, _, _) = raw(addr, request.as_bytes()).await;
        assert_eq!(status, 400, "{target}");
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "no hostile path reached the backend");
    let (status, _, body) =
        raw(addr, b"GET /fine/a.b/..c HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n\r\n").await;
    assert_eq!((status, &body[..]), (200, &b"reached"[..]));
}

/// A request target over 65534 bytes is refused by the HTTP layer (hyper,
/// through the `http` crate's URI limit) before the gateway sees it: the
/// answer is 414 URI Too Long rather than the gateway's own 400, and nothing
/// is forwarded.
#[tokio::test]
async fn a_100_kb_path_is_414_from_the_http_layer_and_never_forwarded() {
    let (backend, reached) = counting_backend().await;
    let (addr, _) = serve(&http_route("/", backend, ""), None).await;
    let path = format!("/{}", "a".repeat(100 << 10));
    let request = format!("GET {path} HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n\r\n");
    let (status, _, _) = raw(addr, request.as_bytes()).await;
    assert_eq!(status, 414);
    assert_eq!(reached.load(Ordering::SeqCst), 0);
}
