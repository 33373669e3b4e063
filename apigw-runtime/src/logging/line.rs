//! One log line, as text or as a JSON object: the same lines, field for field,
//! that `tracing-subscriber`'s `fmt` layer writes (`Full` text, or `Json` with
//! the current span and the span list), written here instead of by that layer.
//!
//! Why our own, measured on the stripped `hello` example as it ships
//! (BENCHMARKS.md, "The `hello` example as it ships"): with the registry,
//! the `fmt` layer and its `json` feature it was 1,694,888 bytes; with this
//! module and `subscriber.rs` instead, 1,556,488. The code here and there is
//! about 24 KB of it; the registry with its layer plumbing, `fmt`'s
//! formatters and `tracing-serde` were 138 KB more.
//! JSON strings are escaped by serde_json, already in every function.

use serde::Serializer as _;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::{Event, Level};

/// How lines are written: chosen once, from `APIGW_LOG_FORMAT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    /// `2026-12-01T13:21:25.123456Z  INFO span{a=1}: target: message b=2`.
    Text,
    /// `{"timestamp":…,"level":…,"fields":{…},"target":…,"span":{…},"spans":[…]}`.
    Json,
}

/// A span's fields, rendered once when they are recorded.
#[derive(Debug, Default)]
pub(super) struct Fields {
    /// Text: `a=1 b="x"`, in the order recorded.
    text: String,
    /// JSON: each name with its value as JSON text, sorted by name, the
    /// last value recorded for a name winning (as a JSON object reads).
    json: Vec<(&'static str, String)>,
}

impl Format {
    /// Adds the values that `record` visits to a span's `fields`.
    pub(super) fn record(self, fields: &mut Fields, record: impl FnOnce(&mut dyn Visit)) {
        match self {
            Format::Text => {
                let mut out = std::mem::take(&mut fields.text).into_bytes();
                let empty = out.is_empty();
                let mut visitor = TextFields { out: &mut out, empty };
                record(&mut visitor);
                // The visitor writes `str`s and `Debug` output only.
                fields.text = String::from_utf8(out).unwrap_or_default();
            }
            Format::Json => {
                let mut visitor = JsonSpanFields { fields: &mut fields.json };
                record(&mut visitor);
            }
        }
    }

    /// The line for `event`, ending in `\n`. `spans` writes the event's span
    /// context (the spans from the root to the event's own, and the current
    /// span's scope for JSON); it is called after the event's own fields are
    /// formatted, so that no code of the caller's runs while it holds a lock.
    pub(super) fn line(self, event: &Event<'_>, spans: impl FnOnce(&mut Vec<u8>, Format)) -> Vec<u8> {
        let meta = event.metadata();
        let mut out = Vec::with_capacity(256);
        match self {
            Format::Text => {
                let mut fields = Vec::with_capacity(128);
                event.record(&mut TextFields { out: &mut fields, empty: true });
                write_timestamp(&mut out, SystemTime::now());
                out.push(b' ');
                out.extend_from_slice(text_level(meta.level()).as_bytes());
                out.push(b' ');
                spans(&mut out, self);
                out.extend_from_slice(meta.target().as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(&fields);
            }
            Format::Json => {
                out.extend_from_slice(b"{\"timestamp\":\"");
                write_timestamp(&mut out, SystemTime::now());
                out.extend_from_slice(b"\",\"level\":\"");
                out.extend_from_slice(meta.level().as_str().as_bytes());
                out.extend_from_slice(b"\",\"fields\":{");
                event.record(&mut JsonEventFields { out: &mut out, empty: true });
                out.extend_from_slice(b"},\"target\":");
                json_str(&mut out, meta.target());
                spans(&mut out, self);
                out.push(b'}');
            }
        }
        out.push(b'\n');
        out
    }
}

/// Writes one span of the text context: `name{fields}:`.
pub(super) fn text_span(out: &mut Vec<u8>, name: &str, fields: &Fields) {
    out.extend_from_slice(name.as_bytes());
    if !fields.text.is_empty() {
        out.push(b'{');
        out.extend_from_slice(fields.text.as_bytes());
        out.push(b'}');
    }
    out.push(b':');
}

/// Writes one span as a JSON object: its fields, then `"name"`.
pub(super) fn json_span(out: &mut Vec<u8>, name: &str, fields: &Fields) {
    out.push(b'{');
    for (key, value) in &fields.json {
        json_str(out, key);
        out.push(b':');
        out.extend_from_slice(value.as_bytes());
        out.push(b',');
    }
    out.extend_from_slice(b"\"name\":");
    json_str(out, name);
    out.push(b'}');
}

/// The level as the text format pads it to five columns.
fn text_level(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        Level::ERROR => "ERROR",
    }
}

/// `s` as a JSON string, escaped by serde_json.
pub(super) fn json_str(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::Serializer::new(&mut *out).serialize_str(s);
}

/// `value`'s `Display` output as a JSON string, escaped by serde_json as it
/// is written (no intermediate `String`).
fn json_display(out: &mut Vec<u8>, value: &dyn fmt::Display) {
    let _ = serde_json::Serializer::new(&mut *out).collect_str(value);
}

/// A number or `null` (as serde_json writes a non-finite float).
fn json_f64(out: &mut Vec<u8>, value: f64) {
    let _ = serde_json::Serializer::new(&mut *out).serialize_f64(value);
}

/// The event's fields as the members of a JSON object, in the order recorded
/// (what `tracing-serde` writes: names as given, `Debug` values as strings).
struct JsonEventFields<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl JsonEventFields<'_> {
    fn key(&mut self, field: &Field) -> &mut Vec<u8> {
        if !std::mem::take(&mut self.empty) {
            self.out.push(b',');
        }
        json_str(self.out, field.name());
        self.out.push(b':');
        self.out
    }
}

impl Visit for JsonEventFields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        json_f64(self.key(field), value);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.key(field).extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.key(field).extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.key(field).extend_from_slice(if value { b"true" } else { b"false" });
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        json_str(self.key(field), value);
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        json_display(self.key(field), &format_args!("{value:?}"));
    }
}

/// A span's fields as JSON values by name (what `fmt`'s `JsonFields` keeps:
/// a `r#` prefix dropped, byte strings as arrays of numbers).
struct JsonSpanFields<'a> {
    fields: &'a mut Vec<(&'static str, String)>,
}

impl JsonSpanFields<'_> {
    fn put(&mut self, field: &Field, write: impl FnOnce(&mut Vec<u8>)) {
        let name = field.name();
        let name = name.strip_prefix("r#").unwrap_or(name);
        let mut value = Vec::new();
        write(&mut value);
        // Every writer above emits UTF-8: serde_json's output or ASCII.
        let value = String::from_utf8(value).unwrap_or_default();
        match self.fields.binary_search_by(|(k, _)| (*k).cmp(name)) {
            Ok(i) => self.fields[i].1 = value,
            Err(i) => self.fields.insert(i, (name, value)),
        }
    }
}

impl Visit for JsonSpanFields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, |out| json_f64(out, value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, |out| out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes()));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, |out| out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes()));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, |out| out.extend_from_slice(if value { b"true" } else { b"false" }));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, |out| json_str(out, value));
    }
    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        self.put(field, |out| {
            out.push(b'[');
            for (i, b) in value.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(itoa::Buffer::new().format(*b).as_bytes());
            }
            out.push(b']');
        });
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, |out| json_display(out, &format_args!("{value:?}")));
    }
}

/// Fields as the text format writes them (`fmt`'s `DefaultFields`): the
/// message bare, others `name=value` with `Debug` values (strings quoted),
/// separated by spaces; the message and errors with terminal control
/// characters escaped.
struct TextFields<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl TextFields<'_> {
    fn pad(&mut self) {
        if !std::mem::take(&mut self.empty) {
            self.out.push(b' ');
        }
    }

    fn named(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        self.pad();
        let name = field.name();
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'=');
        let _ = self.out.write_fmt(value);
    }
}

impl Visit for TextFields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.named(field, format_args!("{value:?}"));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.pad();
        let name = field.name();
        if name != "message" {
            self.out.extend_from_slice(name.strip_prefix("r#").unwrap_or(name).as_bytes());
            self.out.push(b'=');
        }
        let _ = write!(Sanitized(self.out), "{value}");
        if let Some(mut source) = value.source() {
            let _ = write!(self.out, " {name}.sources=[");
            loop {
                let _ = write!(Sanitized(self.out), "{source}");
                match source.source() {
                    Some(next) => {
                        self.out.extend_from_slice(b", ");
                        source = next;
                    }
                    None => break,
                }
            }
            self.out.push(b']');
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.pad();
            let _ = write!(Sanitized(self.out), "{value:?}");
        } else {
            self.named(field, format_args!("{value:?}"));
        }
    }
}

/// Writes text with the control characters a terminal acts on escaped, as
/// `fmt` does for messages (`\x1b` for ESC; C1 controls as `\u{9b}`).
struct Sanitized<'a>(&'a mut Vec<u8>);

impl fmt::Write for Sanitized<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '\x1b' | '\x07' | '\x08' | '\x0c' | '\x7f' => {
                    let _ = write!(self.0, "\\x{:02x}", c as u32);
                }
                '\u{80}'..='\u{9f}' => {
                    let _ = write!(self.0, "\\u{{{:x}}}", c as u32);
                }
                c => self.0.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        Ok(())
    }
}

/// `now` as RFC 3339 in UTC with microseconds, `2026-12-01T13:21:25.123456Z`
/// (what `fmt`'s default `SystemTime` timer writes).
pub(super) fn write_timestamp(out: &mut Vec<u8>, now: SystemTime) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_micros()
    );
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, micros: u64) -> String {
        let mut out = Vec::new();
        write_timestamp(&mut out, UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_microseconds() {
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
        assert_eq!(at(1_795_793_485, 123_456), "2026-11-27T15:31:25.123456Z");
        assert_eq!(at(4_107_542_399, 999_999), "2100-02-28T23:59:59.999999Z");
    }

    #[test]
    fn json_strings_escape_quotes_newlines_and_control_characters() {
        let mut out = Vec::new();
        json_str(&mut out, "a \"q\" \\ \n\r\t \u{1} \u{1b} é");
        assert_eq!(String::from_utf8(out).unwrap(), r#""a \"q\" \\ \n\r\t \u0001 \u001b é""#);
        let mut out = Vec::new();
        json_display(&mut out, &format_args!("{:?}", "x\ny"));
        assert_eq!(String::from_utf8(out).unwrap(), r#""\"x\\ny\"""#);
    }

    #[test]
    fn text_messages_escape_what_a_terminal_acts_on() {
        let mut out = Vec::new();
        write!(Sanitized(&mut out), "a\x1b[31mb\x07\u{9b}c\né").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a\\x1b[31mb\\x07\\u{9b}c\né");
    }
}
