//! The default subscriber's lines against `tracing-subscriber`'s `fmt` layer
//! (text, and JSON with the current span and the span list), which wrote
//! them before: the same events through both give the same lines, but for
//! the timestamp.

use super::line::Format;
use super::subscriber::Logger;
use serde_json::Value;
use std::io;
use std::sync::{Arc, Mutex};
use tracing::{Level, debug, error, info, info_span, warn};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

/// What was written, a write at a time: one line each (a line may hold
/// newlines of a message's own in the text format).
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<String>>>);

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().push(String::from_utf8(bytes.to_vec()).unwrap());
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

#[derive(Debug)]
struct Outer;
impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("outer \"failure\"")
    }
}
impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&Inner)
    }
}
#[derive(Debug)]
struct Inner;
impl std::fmt::Display for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("inner\nline")
    }
}
impl std::error::Error for Inner {}

/// Events of every kind of field, in and out of spans.
fn events() {
    info!("outside any span");
    let outer = info_span!("invocation", request_id = "r-\"1\"", attempt = 2_u64, r#type = "x");
    let _outer = outer.enter();
    info!(
        text = "quote \" backslash \\ newline \n tab \t nul-ish \u{1} esc \u{1b} é",
        n = -3_i64,
        big = 1_u64 << 60,
        ok = true,
        ratio = 0.25,
        nan = f64::NAN,
        shown = %"a \"display\"",
        debugged = ?vec!["a", "b\n"],
        r#type = "raw",
        "message with \"quotes\", a\nnewline and \u{1b}[31m",
    );
    debug!("filtered out");
    let inner = info_span!("step", name = "decode", count = 1_i64);
    inner.record("count", 5_i64);
    let _inner = inner.enter();
    let err = Outer;
    warn!(error = &err as &(dyn std::error::Error + 'static), "failed");
    error!(target: "my_function::db", "{} rows", 3);
    info!(parent: &outer, "explicit parent");
    info!(parent: None, "a root event");
    let empty = info_span!("empty");
    empty.in_scope(|| info!(bytes = ?b"\x00\xff", "in an empty span"));
}

fn filter() -> Targets {
    Targets::new().with_default(Level::INFO)
}

fn ours(format: Format) -> Vec<String> {
    let out = Buffer::default();
    let sink = out.clone();
    let sink =
        Box::new(move |line: &[u8]| sink.0.lock().unwrap().push(String::from_utf8(line.to_vec()).unwrap()));
    tracing::subscriber::with_default(Logger::new(filter(), format, sink), events);
    out.lines()
}

fn fmt(json: bool) -> Vec<String> {
    let out = Buffer::default();
    let writer = out.clone();
    let layer =
        tracing_subscriber::fmt::layer().with_ansi(false).without_time().with_writer(move || writer.clone());
    if json {
        let layer = layer.json().with_current_span(true);
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer).with(filter()), events);
    } else {
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer).with(filter()), events);
    }
    out.lines()
}

/// Checks the timestamp's shape and removes it: `2026-12-01T13:21:25.123456Z`.
fn timestamp(value: &str) {
    let b = value.as_bytes();
    assert_eq!(b.len(), 27, "{value}");
    for (i, c) in b.iter().enumerate() {
        let want = match i {
            4 | 7 => b'-',
            10 => b'T',
            13 | 16 => b':',
            19 => b'.',
            26 => b'Z',
            _ => b'0',
        };
        assert!(if want == b'0' { c.is_ascii_digit() } else { *c == want }, "{value}");
    }
}

#[test]
fn text_lines_are_fmts_full_format() {
    let (ours, theirs) = (ours(Format::Text), fmt(false));
    assert_eq!(ours.len(), 7, "{ours:#?}");
    assert_eq!(ours.len(), theirs.len());
    for (ours, theirs) in ours.iter().zip(&theirs) {
        let (time, rest) = ours.split_at(27);
        timestamp(time);
        assert_eq!(rest, format!(" {theirs}"));
    }
    assert!(
        ours[1].contains(r#"invocation{request_id="r-\"1\"" attempt=2 type="x"}: apigw_runtime"#),
        "{}",
        ours[1]
    );
    assert!(ours[1].contains(r#": message with "quotes", a"#), "{}", ours[1]);
}

#[test]
fn json_lines_are_fmts_json_format() {
    let (ours, theirs) = (ours(Format::Json), fmt(true));
    assert_eq!(ours.len(), 7, "{ours:#?}");
    assert_eq!(ours.len(), theirs.len());
    for (ours, theirs) in ours.iter().zip(&theirs) {
        // The same members in the same order: the line without its
        // timestamp is the same text.
        assert!(ours.ends_with("}\n") && ours.matches('\n').count() == 1, "{ours}");
        let rest = ours.strip_prefix(r#"{"timestamp":""#).expect(ours);
        let (time, rest) = rest.split_at(27);
        timestamp(time);
        assert_eq!(format!("{{{}", &rest[2..]), *theirs);
        let _: Value = serde_json::from_str(ours).expect(ours);
    }
    let event: Value = serde_json::from_str(&ours[1]).unwrap();
    assert_eq!(event["fields"]["text"], "quote \" backslash \\ newline \n tab \t nul-ish \u{1} esc \u{1b} é");
    assert_eq!(event["fields"]["n"], -3);
    assert_eq!(event["fields"]["nan"], Value::Null);
    assert_eq!(
        event["span"],
        serde_json::json!({"attempt": 2, "request_id": "r-\"1\"", "type": "x", "name": "invocation"})
    );
    let nested: Value = serde_json::from_str(&ours[2]).unwrap();
    assert_eq!(nested["span"], serde_json::json!({"count": 5, "name": "step"}));
    assert_eq!(nested["spans"][0]["name"], "invocation");
    assert_eq!(nested["spans"][1]["name"], "step");
}
