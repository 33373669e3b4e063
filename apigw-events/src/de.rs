//! Forgiving field readers shared by the vendor events.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Fields a vendor added that this version does not know: kept as they came,
/// so a parse → serialize round trip loses nothing.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Reads `null` as the type's default (an empty map, an empty string).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Reads a boolean given as `true`/`false`, as the strings `"true"`/`"false"`
/// (any case), or as `null`, which reads as `false`.
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct LenientBool;
    impl Visitor<'_> for LenientBool {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean or the string \"true\" or \"false\"")
        }
        fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            if v.eq_ignore_ascii_case("true") {
                Ok(true)
            } else if v.eq_ignore_ascii_case("false") || v.is_empty() {
                Ok(false)
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_none<E>(self) -> Result<bool, E> {
            Ok(false)
        }
    }
    d.deserialize_any(LenientBool)
}

/// A value that is one string or a list of strings: a header or query key that
/// may repeat.
///
/// Serializes as a plain string when there is one value and as an array
/// otherwise, which is how both vendors write repeated response headers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MultiValue {
    /// A single value: `"text/html"`.
    One(String),
    /// Several values for the same name: `["a=1", "b=2"]`.
    Many(Vec<String>),
}

impl MultiValue {
    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let slice: &[String] = match self {
            MultiValue::One(v) => std::slice::from_ref(v),
            MultiValue::Many(v) => v,
        };
        slice.iter().map(String::as_str)
    }

    /// The first value, if there is any.
    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    /// Adds a value, turning a single value into a list.
    pub fn push(&mut self, value: impl Into<String>) {
        let value = value.into();
        match self {
            MultiValue::One(first) => *self = MultiValue::Many(vec![std::mem::take(first), value]),
            MultiValue::Many(list) => list.push(value),
        }
    }

    /// Builds the value from a list: one element gives [`MultiValue::One`].
    pub fn from_values(mut values: Vec<String>) -> Self {
        if values.len() == 1 { MultiValue::One(values.remove(0)) } else { MultiValue::Many(values) }
    }
}

impl Default for MultiValue {
    fn default() -> Self {
        MultiValue::One(String::new())
    }
}

impl From<String> for MultiValue {
    fn from(v: String) -> Self {
        MultiValue::One(v)
    }
}

impl From<&str> for MultiValue {
    fn from(v: &str) -> Self {
        MultiValue::One(v.to_owned())
    }
}

impl From<Vec<String>> for MultiValue {
    fn from(v: Vec<String>) -> Self {
        MultiValue::from_values(v)
    }
}

impl Serialize for MultiValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MultiValue::One(v) => s.serialize_str(v),
            MultiValue::Many(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for MultiValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MultiVisitor;
        impl<'de> Visitor<'de> for MultiVisitor {
            type Value = MultiValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E>(self, v: &str) -> Result<MultiValue, E> {
                Ok(MultiValue::One(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<MultiValue, E> {
                Ok(MultiValue::One(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<MultiValue, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(v) = seq.next_element::<String>()? {
                    out.push(v);
                }
                Ok(MultiValue::Many(out))
            }
        }
        d.deserialize_any(MultiVisitor)
    }
}
