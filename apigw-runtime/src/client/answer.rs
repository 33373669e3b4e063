//! Reading one HTTP/1.1 answer: the head with `httparse`, then the body by
//! its framing, never holding more than the caller's limit.

use super::transport::Transport;
use super::{CallError, Failure};
use bytes::{Buf, Bytes, BytesMut};
use http::StatusCode;
use std::mem::MaybeUninit;
use std::ops::Range;

/// The most the status line and headers may take.
const MAX_HEAD: usize = 64 * 1024;
/// The most headers one answer may carry.
const MAX_HEADERS: usize = 128;
/// The most a chunk-size line or the trailers may take.
const MAX_CHUNK_LINE: usize = 4 * 1024;

/// What the runtime API answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: Headers,
    pub(crate) body: Bytes,
}

/// An answer's headers: the bytes of its head, and where each name and value
/// lies in them. Nothing is copied: the runtime reads three headers of each
/// answer and the framing ones, so building a map would cost more than
/// looking them up.
#[derive(Debug)]
pub(crate) struct Headers {
    head: Bytes,
    fields: Vec<(Range<usize>, Range<usize>)>,
}

impl Headers {
    /// The first value of `name` (any case), trimmed; `None` when absent or
    /// not UTF-8.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name).next().and_then(|v| std::str::from_utf8(v).ok()).map(str::trim)
    }

    /// Every value of `name` (any case), in order.
    fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        self.fields
            .iter()
            .filter(move |(n, _)| self.head[n.clone()].eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| &self.head[v.clone()])
    }

    /// Whether a value of `name` lists `token` (comma-separated, any case).
    fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name).any(|v| {
            std::str::from_utf8(v).is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    }
}

/// How the body is delimited.
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// Reads one answer from `stream`, `buf` holding what was read ahead. The
/// flag says whether the connection can carry another exchange.
pub(super) async fn read(
    stream: &mut Transport,
    buf: &mut BytesMut,
    max_body: usize,
) -> Result<(Answer, bool), Failure> {
    let (status, headers, http11) = match head(stream, buf).await {
        Ok(head) => head,
        Err(e) if buf.is_empty() && is_hang_up(&e) => return Err(Failure::BeforeAnswer(e)),
        Err(e) => return Err(Failure::Answer(e)),
    };
    body(stream, buf, status, headers, http11, max_body).await.map_err(Failure::Answer)
}

fn is_hang_up(e: &CallError) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
    match e {
        CallError::Closed(_) => true,
        CallError::Io(e) => matches!(e.kind(), ConnectionReset | ConnectionAborted | BrokenPipe),
        _ => false,
    }
}

/// Reads more into `buf`; an end of stream is an error naming `during`.
async fn fill(
    stream: &mut Transport,
    buf: &mut BytesMut,
    want: usize,
    during: &'static str,
) -> Result<(), CallError> {
    match stream.read_buf(buf, want).await? {
        0 => Err(CallError::Closed(during)),
        _ => Ok(()),
    }
}

/// The status line and headers, skipping interim (1xx) answers.
async fn head(stream: &mut Transport, buf: &mut BytesMut) -> Result<(StatusCode, Headers, bool), CallError> {
    loop {
        if let Some((len, status, fields, http11)) = parse_head(buf)? {
            if status.is_informational() {
                buf.advance(len);
                continue;
            }
            let head = buf.split_to(len).freeze();
            return Ok((status, Headers { head, fields }, http11));
        }
        if buf.len() > MAX_HEAD {
            return Err(CallError::Malformed(format!("status line and headers over {MAX_HEAD} bytes")));
        }
        let during = if buf.is_empty() { "before answering" } else { "in the middle of the headers" };
        fill(stream, buf, 0, during).await?;
    }
}

/// The head's length, its status, where its header fields lie, and whether
/// it is HTTP/1.1.
type Head = (usize, StatusCode, Vec<(Range<usize>, Range<usize>)>, bool);

fn parse_head(buf: &[u8]) -> Result<Option<Head>, CallError> {
    // Uninitialised slots: initialising 128 headers costs more than parsing a few.
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut res = httparse::Response::new(&mut []);
    let len = match httparse::ParserConfig::default()
        .parse_response_with_uninit_headers(&mut res, buf, &mut slots)
    {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(CallError::Malformed(e.to_string())),
    };
    let status = res
        .code
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(|| CallError::Malformed("no status code".into()))?;
    // httparse has checked the names are tokens and the values hold no
    // control characters; both are slices of `buf`.
    let fields = res.headers.iter().map(|h| (span(buf, h.name.as_bytes()), span(buf, h.value))).collect();
    Ok(Some((len, status, fields, res.version == Some(1))))
}

/// Where `part`, a slice of `buf`, lies in it (empty if it is not in it).
fn span(buf: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
    match start.checked_add(part.len()) {
        Some(end) if end <= buf.len() => start..end,
        _ => 0..0,
    }
}

async fn body(
    stream: &mut Transport,
    buf: &mut BytesMut,
    status: StatusCode,
    headers: Headers,
    http11: bool,
    max_body: usize,
) -> Result<(Answer, bool), CallError> {
    let framing = framing(status, &headers)?;
    let too_large = |headers| CallError::TooLarge { limit: max_body, status, headers };
    let body = match framing {
        Framing::Length(len) if len > max_body => return Err(too_large(headers)),
        Framing::Length(len) => {
            while buf.len() < len {
                fill(stream, buf, len - buf.len(), "in the middle of the body").await?;
            }
            buf.split_to(len).freeze()
        }
        Framing::Chunked => match chunked(stream, buf, max_body).await? {
            Some(body) => body,
            None => return Err(too_large(headers)),
        },
        Framing::UntilClose => loop {
            // Checked before each read and after the last one.
            if buf.len() > max_body {
                return Err(too_large(headers));
            }
            if stream.read_buf(buf, 0).await? == 0 {
                break buf.split().freeze();
            }
        },
    };
    let closes = headers.has_token("connection", "close");
    // Bytes nobody asked for would be read as the next answer: start afresh.
    let reusable = http11 && !closes && !matches!(framing, Framing::UntilClose) && buf.is_empty();
    Ok((Answer { status, headers, body }, reusable))
}

fn framing(status: StatusCode, headers: &Headers) -> Result<Framing, CallError> {
    if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        return Ok(Framing::Length(0));
    }
    if headers.has_token("transfer-encoding", "chunked") {
        return Ok(Framing::Chunked);
    }
    let mut lengths = headers.get_all("content-length");
    let Some(first) = lengths.next() else { return Ok(Framing::UntilClose) };
    let parse = |v: &[u8]| std::str::from_utf8(v).ok().and_then(|s| s.trim().parse::<usize>().ok());
    let len = parse(first).ok_or_else(|| {
        CallError::Malformed(format!("content-length {:?}", String::from_utf8_lossy(first)))
    })?;
    if lengths.any(|v| parse(v) != Some(len)) {
        return Err(CallError::Malformed("conflicting content-length headers".into()));
    }
    Ok(Framing::Length(len))
}

/// A chunked body, or `None` when it grows past `max_body`.
async fn chunked(
    stream: &mut Transport,
    buf: &mut BytesMut,
    max_body: usize,
) -> Result<Option<Bytes>, CallError> {
    let mut body = BytesMut::new();
    loop {
        let size_line = line(stream, buf).await?;
        let size = std::str::from_utf8(&size_line)
            .ok()
            .map(|l| l.split(';').next().unwrap_or_default().trim())
            .and_then(|hex| usize::from_str_radix(hex, 16).ok())
            .ok_or_else(|| {
                CallError::Malformed(format!("chunk size {:?}", String::from_utf8_lossy(&size_line)))
            })?;
        if size == 0 {
            // Trailers, if any, up to the empty line; their values are dropped.
            for _ in 0..MAX_HEADERS {
                if line(stream, buf).await?.is_empty() {
                    return Ok(Some(body.freeze()));
                }
            }
            return Err(CallError::Malformed(format!("over {MAX_HEADERS} trailers")));
        }
        if size > max_body.saturating_sub(body.len()) {
            return Ok(None);
        }
        while buf.len() < size + 2 {
            fill(stream, buf, size + 2 - buf.len(), "in the middle of a chunk").await?;
        }
        body.extend_from_slice(&buf[..size]);
        if &buf[size..size + 2] != b"\r\n" {
            return Err(CallError::Malformed("a chunk does not end with CRLF".into()));
        }
        buf.advance(size + 2);
    }
}

/// One CRLF-terminated line, without its CRLF.
async fn line(stream: &mut Transport, buf: &mut BytesMut) -> Result<Bytes, CallError> {
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            let line = buf.split_to(end).freeze();
            buf.advance(2);
            return Ok(line);
        }
        if buf.len() > MAX_CHUNK_LINE {
            return Err(CallError::Malformed(format!("a chunk line over {MAX_CHUNK_LINE} bytes")));
        }
        fill(stream, buf, 0, "in the middle of a chunked body").await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(raw: &[u8]) -> Headers {
        let (len, _, fields, _) = parse_head(raw).unwrap().expect("a complete head");
        Headers { head: Bytes::copy_from_slice(&raw[..len]), fields }
    }

    #[test]
    fn headers_are_found_in_any_case_and_trimmed() {
        let h =
            headers(b"HTTP/1.1 200 OK\r\nRequest_Id: abc \r\ntime_limit_in_ms:3000\r\nX-Empty:\r\n\r\nbody");
        assert_eq!(h.get("request_id"), Some("abc"));
        assert_eq!(h.get("TIME_LIMIT_IN_MS"), Some("3000"));
        assert_eq!(h.get("x-empty"), Some(""));
        assert_eq!(h.get("memory_limit_in_mb"), None);
    }

    #[test]
    fn repeated_headers_keep_every_value_in_order() {
        let h = headers(b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nconnection: Upgrade, CLOSE\r\n\r\n");
        assert_eq!(h.get_all("connection").collect::<Vec<_>>(), [&b"keep-alive"[..], b"Upgrade, CLOSE"]);
        assert!(h.has_token("Connection", "close"));
        assert!(!h.has_token("connection", "clos"));
    }

    #[test]
    fn framing_reads_the_length_and_refuses_conflicts() {
        let length = headers(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n");
        assert!(matches!(framing(StatusCode::OK, &length), Ok(Framing::Length(12))));
        let chunked =
            headers(b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\ncontent-length: 3\r\n\r\n");
        assert!(matches!(framing(StatusCode::OK, &chunked), Ok(Framing::Chunked)));
        let conflict = headers(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\n");
        assert!(matches!(framing(StatusCode::OK, &conflict), Err(CallError::Malformed(_))));
        let bad = headers(b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n");
        assert!(matches!(framing(StatusCode::OK, &bad), Err(CallError::Malformed(m)) if m.contains("\"x\"")));
        let none = headers(b"HTTP/1.1 200 OK\r\n\r\n");
        assert!(matches!(framing(StatusCode::OK, &none), Ok(Framing::UntilClose)));
    }
}
