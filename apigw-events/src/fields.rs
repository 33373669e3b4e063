//! Ordered name/value lists: the headers (case-insensitive names) and the
//! query (repeated keys kept) of a [`Request`](crate::Request).

use crate::scalar::{EventValue, Scalar};
use std::collections::BTreeMap;

/// Request headers in arrival order. Names compare case-insensitively; a
/// repeated header keeps each of its values.
///
/// ```
/// use apigw_events::Headers;
/// let mut headers = Headers::default();
/// headers.append("Set-Cookie", "a=1");
/// headers.append("set-cookie", "b=2");
/// assert_eq!(headers.get("SET-COOKIE"), Some("a=1"));
/// assert_eq!(headers.get_all("set-cookie").collect::<Vec<_>>(), ["a=1", "b=2"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// The first value of `name`, whatever its case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name).next()
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.0.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds a value, keeping any the name already has.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Replaces every value of `name` with `value`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.0.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        self.0.push((name, value.into()));
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    /// Every name/value pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of name/value pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Groups the values by name (names as first seen) for a vendor event.
    pub(crate) fn to_map(&self) -> BTreeMap<String, EventValue> {
        group(&self.0, true)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Headers(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// The whole query string, decoded, in order; a repeated key keeps each value.
///
/// ```
/// use apigw_events::Query;
/// let query = Query::parse("tag=a&tag=b&q=caf%C3%A9");
/// assert_eq!(query.get("q"), Some("café"));
/// assert_eq!(query.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(query.to_string(), "tag=a&tag=b&q=caf%C3%A9");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=2` (without the `?`), percent- and `+`-decoding.
    pub fn parse(query: &str) -> Self {
        Query(form_urlencoded::parse(query.as_bytes()).into_owned().collect())
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_all(key).next()
    }

    /// Every value of `key`, in order.
    pub fn get_all<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a str> {
        self.0.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Adds a value, keeping any the key already has.
    pub fn append(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.push((key.into(), value.into()));
    }

    /// Every key/value pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of key/value pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn to_map(&self) -> BTreeMap<String, EventValue> {
        group(&self.0, false)
    }

    pub(crate) fn from_map(map: BTreeMap<String, EventValue>) -> Self {
        Query(expand(map))
    }
}

/// Percent-encodes the query as `application/x-www-form-urlencoded`.
impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.extend_pairs(&self.0);
        f.write_str(&out.finish())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Query {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Query(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

pub(crate) fn headers_from_map(map: BTreeMap<String, EventValue>) -> Headers {
    Headers(expand(map))
}

/// One pair per value, in the map's order, each value as text (`true` is
/// `""`, a number its text, `null` left out); a name with several values is
/// copied for each.
fn expand(map: BTreeMap<String, EventValue>) -> Vec<(String, String)> {
    let mut pairs = Vec::with_capacity(map.len());
    for (name, values) in map {
        match values {
            EventValue::One(value) => pairs.extend(value.into_text().map(|v| (name, v))),
            many => many.for_each_text(|v| pairs.push((name.clone(), v))),
        }
    }
    pairs
}

/// Groups pairs by name into one entry per name; with `fold_case`, names that
/// differ only in case share the entry of the first spelling seen.
fn group(pairs: &[(String, String)], fold_case: bool) -> BTreeMap<String, EventValue> {
    let mut out: BTreeMap<String, EventValue> = BTreeMap::new();
    // The spelling each name was first seen in, by its folded form.
    let mut spelling: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in pairs {
        let key = if fold_case {
            spelling.entry(k.to_ascii_lowercase()).or_insert_with(|| k.clone()).clone()
        } else {
            k.clone()
        };
        match out.get_mut(&key) {
            Some(values) => values.push(v.clone()),
            None => {
                out.insert(key, EventValue::One(Scalar::Text(v.clone())));
            }
        }
    }
    out
}
