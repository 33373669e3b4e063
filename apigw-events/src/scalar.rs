//! The values of the vendors' string maps as they were sent: strings as a
//! rule, but `true` (Tencent's query key without a value, `?debug`), numbers
//! (`"age": 19`) and `null` have been seen too.
//!
//! The typed events keep each value as it came, so a round trip gives back
//! what was sent; a [`Request`](crate::Request) reads each as text:
//! `true` is the empty string, a number its JSON text, `null` absent.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One value of a header, query or parameter map, as the vendor sent it.
///
/// ```
/// use apigw_events::Scalar;
///
/// let sent: Vec<Scalar> = serde_json::from_str(r#"["a", true, 19, null]"#)?;
/// let text: Vec<_> = sent.iter().map(Scalar::as_text).collect();
/// assert_eq!(text, [Some("a"), Some(""), Some("19"), None]);
/// assert_eq!(serde_json::to_string(&sent)?, r#"["a",true,19,null]"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    /// A string: the usual case.
    Text(String),
    /// A boolean. Tencent sends `true` for a query key without a value; its
    /// text is the empty string. `false` has no such meaning: its text is
    /// `false`.
    Bool(bool),
    /// A number, kept as its JSON text (`19`, `1.5`).
    Number(String),
    /// `null`: the key is there but has no value; its text is absent.
    Null,
}

impl Scalar {
    /// The value as text: `true` is `""`, a number its JSON text, `null`
    /// `None`.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Scalar::Text(s) | Scalar::Number(s) => Some(s),
            Scalar::Bool(true) => Some(""),
            Scalar::Bool(false) => Some("false"),
            Scalar::Null => None,
        }
    }

    /// The value as owned text, without copying a string (see
    /// [`Scalar::as_text`]).
    pub fn into_text(self) -> Option<String> {
        match self {
            Scalar::Text(s) | Scalar::Number(s) => Some(s),
            Scalar::Bool(true) => Some(String::new()),
            Scalar::Bool(false) => Some("false".to_owned()),
            Scalar::Null => None,
        }
    }
}

/// The value's text (see [`Scalar::as_text`]); `null` writes nothing.
impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_text().unwrap_or(""))
    }
}

impl Default for Scalar {
    fn default() -> Self {
        Scalar::Text(String::new())
    }
}

impl From<String> for Scalar {
    fn from(v: String) -> Self {
        Scalar::Text(v)
    }
}

impl From<&str> for Scalar {
    fn from(v: &str) -> Self {
        Scalar::Text(v.to_owned())
    }
}

/// Compares the value's text (see [`Scalar::as_text`]).
impl PartialEq<str> for Scalar {
    fn eq(&self, other: &str) -> bool {
        self.as_text() == Some(other)
    }
}

/// Compares the value's text (see [`Scalar::as_text`]).
impl PartialEq<&str> for Scalar {
    fn eq(&self, other: &&str) -> bool {
        self.as_text() == Some(*other)
    }
}

impl Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Text(v) => s.serialize_str(v),
            Scalar::Bool(v) => s.serialize_bool(*v),
            Scalar::Number(v) => match v.parse::<serde_json::Number>() {
                Ok(n) => n.serialize(s),
                // Built by hand from text that is not a number: kept as text.
                Err(_) => s.serialize_str(v),
            },
            Scalar::Null => s.serialize_unit(),
        }
    }
}

const EXPECTING_SCALAR: &str = "a string, a boolean, a number or null";

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING_SCALAR)
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        // serde_json's spelling (`1e+20`), not Rust's (`100000000000000000000`).
        Ok(Scalar::Number(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string())))
    }
    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// A header or query value in an event: one value, or a list for a repeated
/// key, each as the vendor sent it.
///
/// ```
/// use apigw_events::EventValue;
///
/// let tag: EventValue = serde_json::from_str(r#"["a", 2]"#)?;
/// assert_eq!(tag.texts().collect::<Vec<_>>(), ["a", "2"]);
/// let debug: EventValue = serde_json::from_str("true")?;
/// assert_eq!(debug.first(), Some(""));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventValue {
    /// A single value: `"text/html"`, `true`.
    One(Scalar),
    /// Several values for the same name: `["a", "b"]`.
    Many(Vec<Scalar>),
}

impl EventValue {
    /// The values as sent, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Scalar> {
        let slice: &[Scalar] = match self {
            EventValue::One(v) => std::slice::from_ref(v),
            EventValue::Many(v) => v,
        };
        slice.iter()
    }

    /// The values as text, in order; `null`s left out (see [`Scalar::as_text`]).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.iter().filter_map(Scalar::as_text)
    }

    /// The first value as text.
    pub fn first(&self) -> Option<&str> {
        self.texts().next()
    }

    /// Adds a value, turning a single value into a list.
    pub fn push(&mut self, value: impl Into<Scalar>) {
        let value = value.into();
        match self {
            EventValue::One(first) => *self = EventValue::Many(vec![std::mem::take(first), value]),
            EventValue::Many(list) => list.push(value),
        }
    }

    /// Each value as owned text, in order, `null`s left out, handed to `each`
    /// without copying a string.
    pub(crate) fn for_each_text(self, mut each: impl FnMut(String)) {
        match self {
            EventValue::One(v) => v.into_text().into_iter().for_each(each),
            EventValue::Many(list) => list.into_iter().filter_map(Scalar::into_text).for_each(&mut each),
        }
    }
}

impl Default for EventValue {
    fn default() -> Self {
        EventValue::One(Scalar::default())
    }
}

impl From<String> for EventValue {
    fn from(v: String) -> Self {
        EventValue::One(Scalar::Text(v))
    }
}

impl From<&str> for EventValue {
    fn from(v: &str) -> Self {
        EventValue::One(Scalar::from(v))
    }
}

impl From<Scalar> for EventValue {
    fn from(v: Scalar) -> Self {
        EventValue::One(v)
    }
}

/// One text value is [`EventValue::One`], several [`EventValue::Many`].
impl From<Vec<String>> for EventValue {
    fn from(mut v: Vec<String>) -> Self {
        if v.len() == 1 {
            EventValue::One(Scalar::Text(v.remove(0)))
        } else {
            EventValue::Many(v.into_iter().map(Scalar::Text).collect())
        }
    }
}

impl Serialize for EventValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EventValue::One(v) => v.serialize(s),
            EventValue::Many(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for EventValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EventValueVisitor;
        impl<'de> Visitor<'de> for EventValueVisitor {
            type Value = EventValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a boolean, a number, null or a list of them")
            }
            fn visit_str<E>(self, v: &str) -> Result<EventValue, E> {
                Ok(EventValue::One(Scalar::Text(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<EventValue, E> {
                Ok(EventValue::One(Scalar::Text(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<EventValue, E> {
                Ok(EventValue::One(Scalar::Bool(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<EventValue, E> {
                ScalarVisitor.visit_u64(v).map(EventValue::One)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<EventValue, E> {
                ScalarVisitor.visit_i64(v).map(EventValue::One)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<EventValue, E> {
                ScalarVisitor.visit_f64(v).map(EventValue::One)
            }
            fn visit_unit<E>(self) -> Result<EventValue, E> {
                Ok(EventValue::One(Scalar::Null))
            }
            fn visit_none<E>(self) -> Result<EventValue, E> {
                Ok(EventValue::One(Scalar::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EventValue, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(v) = seq.next_element::<Scalar>()? {
                    out.push(v);
                }
                Ok(EventValue::Many(out))
            }
        }
        d.deserialize_any(EventValueVisitor)
    }
}

/// Reads a map of scalars straight into text (see [`Scalar::as_text`]),
/// leaving out `null`s; a `null` map reads as empty. Each string moves into
/// the map as serde_json built it, so a map of strings costs what a plain
/// `BTreeMap<String, String>` does.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    struct TextMap;
    impl<'de> Visitor<'de> for TextMap {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a map whose values are each {EXPECTING_SCALAR}")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, Scalar>()? {
                if let Some(text) = value.into_text() {
                    out.insert(key, text);
                }
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
    }
    d.deserialize_any(TextMap)
}

/// The text of each value of a typed event's map (see [`Scalar::as_text`]).
pub(crate) fn into_text_map(map: BTreeMap<String, Scalar>) -> BTreeMap<String, String> {
    map.into_iter().filter_map(|(k, v)| v.into_text().map(|t| (k, t))).collect()
}
