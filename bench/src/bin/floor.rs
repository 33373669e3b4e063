//! The floor: a client loop that speaks Tencent's runtime API and parses
//! nothing — it answers every event with the same bytes. Std only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

const ANSWER: &[u8] =
    br#"{"isBase64Encoded":false,"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"hello\":\"world\"}"}"#;

fn main() -> std::io::Result<()> {
    let host = std::env::var("SCF_RUNTIME_API").unwrap_or_else(|_| "127.0.0.1".into());
    let port = std::env::var("SCF_RUNTIME_API_PORT").unwrap_or_else(|_| "9001".into());
    let stream = TcpStream::connect(format!("{host}:{port}"))?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    request(&mut writer, &mut reader, "POST", "/runtime/init/ready", b" ")?;
    loop {
        request(&mut writer, &mut reader, "GET", "/runtime/invocation/next", b"")?;
        request(&mut writer, &mut reader, "POST", "/runtime/invocation/response", ANSWER)?;
    }
}

/// Sends one request and reads (and drops) its response.
fn request(
    w: &mut TcpStream,
    r: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let mut out =
        format!("{method} {path} HTTP/1.1\r\nhost: runtime\r\ncontent-length: {}\r\n\r\n", body.len())
            .into_bytes();
    out.extend_from_slice(body);
    w.write_all(&out)?;
    let mut len = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut sink = vec![0; len];
    r.read_exact(&mut sink)
}
