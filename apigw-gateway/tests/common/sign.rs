//! Signers written for the tests from the vendors' documented algorithms
//! (`../shared/research/signatures.md`, `gateway-features.md` §2–§3), sharing
//! no code with the gateway's verifiers. The Alibaba one is checked against
//! Alibaba's published string to sign below.
#![allow(dead_code, unreachable_pub, missing_docs)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Tencent key pair: `headers` are (name, value) in the order signed;
/// `algorithm` is `sha1` or `sha256`.
pub fn tencent(id: &str, secret: &str, algorithm: &str, headers: &[(&str, &str)]) -> String {
    let text: Vec<String> = headers.iter().map(|(k, v)| format!("{}: {v}", k.to_lowercase())).collect();
    let text = text.join("\n");
    let signature = match algorithm {
        "sha1" => {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(text.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        "sha256" => {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(text.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        other => panic!("no test signer for {other}"),
    };
    let names: Vec<String> = headers.iter().map(|(k, _)| k.to_lowercase()).collect();
    format!(
        "hmac id=\"{id}\", algorithm=\"hmac-{algorithm}\", headers=\"{}\", signature=\"{signature}\"",
        names.join(" ")
    )
}

/// An Alibaba app-signed request: the headers to send, the `x-ca-*` ones
/// signed (sorted, lower-case), HmacSHA256.
pub struct AliyunRequest<'a> {
    pub method: &'a str,
    /// The path, and the query as (key, value) pairs, unencoded.
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    /// Accept, Content-Type, Date, and other headers (all sent).
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

/// The string to sign, built from Alibaba's documented layout.
pub fn aliyun_string_to_sign(req: &AliyunRequest<'_>) -> String {
    let get = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut lines =
        vec![req.method.to_uppercase(), get("accept"), get("content-md5"), get("content-type"), get("date")];
    let mut signed: Vec<(String, String)> =
        req.headers.iter().filter(|(k, _)| k.to_lowercase().starts_with("x-ca-")).cloned().collect();
    signed
        .retain(|(k, _)| !["x-ca-signature", "x-ca-signature-headers"].contains(&k.to_lowercase().as_str()));
    signed.sort();
    let mut text = lines.drain(..).map(|l| l + "\n").collect::<String>();
    for (k, v) in &signed {
        text.push_str(&format!("{k}:{v}\n"));
    }
    let mut params: Vec<(&str, &str)> = req.query.to_vec();
    let form = get("content-type").starts_with("application/x-www-form-urlencoded");
    let body = String::from_utf8_lossy(req.body).into_owned();
    let fields: Vec<(String, String)> = if form { url::form_urlencoded_pairs(&body) } else { Vec::new() };
    for (k, v) in &fields {
        params.retain(|(pk, _)| pk != k);
        params.push((k, v));
    }
    params.sort_by(|a, b| a.0.cmp(b.0));
    params.dedup_by(|a, b| a.0 == b.0);
    text.push_str(req.path);
    if !params.is_empty() {
        let joined: Vec<String> = params
            .iter()
            .map(|(k, v)| if v.is_empty() { k.to_string() } else { format!("{k}={v}") })
            .collect();
        text.push('?');
        text.push_str(&joined.join("&"));
    }
    text
}

/// Adds `x-ca-signature-headers` and `x-ca-signature` for `secret`.
pub fn aliyun_sign(req: &mut AliyunRequest<'_>, secret: &str) {
    let mut names: Vec<String> =
        req.headers.iter().map(|(k, _)| k.to_lowercase()).filter(|k| k.starts_with("x-ca-")).collect();
    names.sort();
    req.headers.push(("x-ca-signature-headers".into(), names.join(",")));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(aliyun_string_to_sign(req).as_bytes());
    req.headers.push(("x-ca-signature".into(), STANDARD.encode(mac.finalize().into_bytes())));
}

/// `base64(md5(body))`.
pub fn content_md5(body: &[u8]) -> String {
    use md5::Digest as _;
    STANDARD.encode(md5::Md5::digest(body))
}

/// The request's path and query, percent-encoded for the wire.
pub fn aliyun_target(req: &AliyunRequest<'_>) -> String {
    if req.query.is_empty() {
        return req.path.to_owned();
    }
    let pairs: Vec<String> =
        req.query.iter().map(|(k, v)| format!("{}={}", url::encode(k), url::encode(v))).collect();
    format!("{}?{}", req.path, pairs.join("&"))
}

/// An RS256 JWT made by hand (header, claims, PKCS#1 v1.5 signature by
/// `openssl dgst -sha256 -sign`): no JWT library involved.
pub fn jwt(private_key_pem: &std::path::Path, claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{claims}");
    let mut child = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(private_key_pem)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("openssl signs the test tokens; it is not installed");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "openssl dgst failed");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(out.stdout))
}

mod url {
    pub fn encode(text: &str) -> String {
        let mut out = String::new();
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    pub fn form_urlencoded_pairs(body: &str) -> Vec<(String, String)> {
        let decode = |s: &str| {
            let s = s.replace('+', " ");
            let bytes = s.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                if bytes[i] == b'%'
                    && let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(b);
                    i += 3;
                    continue;
                }
                out.push(bytes[i]);
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        for piece in body.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            let k = decode(k);
            if !pairs.iter().any(|(pk, _)| *pk == k) {
                pairs.push((k, decode(v)));
            }
        }
        pairs
    }
}
