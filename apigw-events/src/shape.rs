//! Telling the vendors' events apart by their top-level fields.

use crate::error::Error;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// Fields only Tencent's event has.
pub(crate) const TENCENT_KEYS: [&str; 5] =
    ["requestContext", "queryString", "queryStringParameters", "headerParameters", "stageVariables"];
/// The field only Alibaba's event has.
pub(crate) const ALIYUN_KEY: &str = "queryParameters";

/// Which vendor an event's fields point to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Tencent,
    Aliyun,
    /// Neither vendor's marker fields (function-URL events).
    Unmarked,
}

impl Shape {
    pub(crate) fn of_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Shape {
        let mut shape = Shape::Unmarked;
        for key in keys {
            if TENCENT_KEYS.contains(&key) {
                return Shape::Tencent;
            }
            if key == ALIYUN_KEY {
                shape = Shape::Aliyun;
            }
        }
        shape
    }

    /// Reads only the top-level keys of a JSON object, skipping every value
    /// without building it; `None` when `bytes` is not one JSON object.
    pub(crate) fn peek(bytes: &[u8]) -> Option<Shape> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let shape = de.deserialize_map(KeysVisitor).ok()?;
        de.end().ok()?;
        Some(shape)
    }
}

/// For an event that fit none of the shapes its fields allow: the shape
/// those fields ruled out, the field that did, and why (no allocation until
/// an error is made of it).
pub(crate) fn ruled_out(
    shape: Shape,
    event: &serde_json::Map<String, serde_json::Value>,
) -> Option<(&'static str, &'static str, &'static str)> {
    match shape {
        Shape::Tencent => {
            let marker = TENCENT_KEYS.iter().copied().find(|k| event.contains_key(*k)).unwrap_or(".");
            Some((crate::aliyun::SHAPE, marker, "a field only Tencent's events have"))
        }
        Shape::Aliyun => Some((crate::tencent::SHAPE, ALIYUN_KEY, "a field only Alibaba's events have")),
        Shape::Unmarked => None,
    }
}

/// An event of a kind this crate knows and does not read as a
/// [`Request`](crate::Request), with what to do instead.
pub(crate) fn unsupported(event: &serde_json::Map<String, serde_json::Value>) -> Option<Error> {
    // Tencent's WebSocket API events: `websocket.action`.
    if event.get("websocket").and_then(|w| w.get("action")).is_some_and(|a| a.is_string()) {
        return Some(Error::UnsupportedEvent {
            what: "a Tencent WebSocket API event (`websocket.action`): a registration, transmission or cleanup",
            advice: "take `apigw_events::tencent::websocket::WebSocketEvent` (or the registration, \
                     transmission or cleanup event's own type) as the handler's event",
        });
    }
    // Alibaba FC 3.0's HTTP-trigger event: `rawPath`, and the method under
    // `requestContext.http`.
    let http = event.get("requestContext").and_then(|c| c.get("http")).is_some_and(|h| h.is_object());
    (event.contains_key("rawPath") && http).then_some(Error::UnsupportedEvent {
        what: "an Alibaba Function Compute 3.0 HTTP-trigger event (`rawPath`, `requestContext.http`)",
        advice: "FC sends this event only to its built-in runtimes; a custom runtime's HTTP trigger \
                 sends plain HTTP instead, which the web mode serves: set `APIGW_PROVIDER=web` or \
                 `#[handler(provider = \"web\")]`",
    })
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape::Unmarked;
        while let Some(key) = map.next_key::<Key>()? {
            map.next_value::<IgnoredAny>()?;
            match key.0 {
                Shape::Tencent => shape = Shape::Tencent,
                Shape::Aliyun if shape == Shape::Unmarked => shape = Shape::Aliyun,
                _ => {}
            }
        }
        Ok(shape)
    }
}

/// A key, classified as it is read and never stored.
struct Key(Shape);

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(Key(Shape::of_keys([key])))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_finds_the_marker_fields_at_the_top_level_only() {
        assert_eq!(Shape::peek(br#"{"path":"/","requestContext":{}}"#), Some(Shape::Tencent));
        assert_eq!(Shape::peek(br#"{"queryParameters":{},"path":"/"}"#), Some(Shape::Aliyun));
        assert_eq!(Shape::peek(br#"{"queryParameters":{},"stageVariables":{}}"#), Some(Shape::Tencent));
        assert_eq!(Shape::peek(br#"{"body":{"queryParameters":1},"path":"/"}"#), Some(Shape::Unmarked));
        assert_eq!(Shape::peek(br#"{"path":"/"} trailing"#), None);
        assert_eq!(Shape::peek(b"[1]"), None);
    }
}
