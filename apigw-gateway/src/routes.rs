//! API paths as configured on API Gateway, and how a request path picks one.
//!
//! Four kinds of path exist, listed here from highest to lowest priority:
//!
//! - `=/user` matches `/user` only.
//! - `^~/user` matches `/user` and every path starting with `/user`; among several, the longest wins.
//! - `/user/{id}` (or Alibaba's `/user/[id]`) matches paths with the same segments, a parameter standing
//!   for one non-empty segment; the pattern with more literal segments wins, then the one declared first.
//! - `/user` matches every path starting with `/user`, including `/usertest`; the longest wins.
//!
//! Request paths are given without the query string. [`check_path`] refuses paths that must not be routed
//! and [`split_stage`] removes a leading stage name.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use percent_encoding::percent_decode_str;

const BRACKETS: [char; 4] = ['{', '}', '[', ']'];

/// How a pattern matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// `=/user`: the request path must equal the path. Highest priority.
    Exact,
    /// `^~/user`: the request path must start with the path. Ranks above parameters and plain paths.
    PreferentialPrefix,
    /// `/user/{id}`: same segment count, equal literal segments, non-empty parameter segments.
    Params,
    /// `/user`: the request path must start with the path. Lowest priority.
    Prefix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// An API path as configured, parsed once and matched against request paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    kind: PatternKind,
    path: String,
    /// The segments after the leading `/`; filled for [`PatternKind::Params`] only.
    segments: Vec<Segment>,
}

/// An API path that cannot be parsed.
#[derive(Debug, thiserror::Error)]
#[error("invalid API path `{text}`: {reason}")]
pub struct PatternError {
    text: String,
    reason: String,
}

impl Pattern {
    /// Parses an API path such as `=/user`, `^~/user`, `/user/{id}`, `/user/[id]` or `/user`.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let error = |reason: String| PatternError { text: text.to_owned(), reason };
        if text.is_empty() {
            return Err(error("the path is empty".into()));
        }
        let (marked, path) = if let Some(path) = text.strip_prefix('=') {
            (Some(PatternKind::Exact), path)
        } else if let Some(path) = text.strip_prefix("^~") {
            (Some(PatternKind::PreferentialPrefix), path)
        } else {
            (None, text)
        };
        if !path.starts_with('/') {
            return Err(error("the path must start with `/`".into()));
        }
        let has_brackets = path.contains(BRACKETS);
        let kind = match marked {
            Some(_) if has_brackets => {
                return Err(error("parameters are not allowed after `=` or `^~`".into()));
            }
            Some(kind) => kind,
            None if has_brackets => PatternKind::Params,
            None => PatternKind::Prefix,
        };
        let segments =
            if kind == PatternKind::Params { parse_segments(path).map_err(error)? } else { Vec::new() };
        Ok(Pattern { text: text.to_owned(), kind, path: path.to_owned(), segments })
    }

    /// How this pattern matches.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The text as configured, e.g. `=/user` or `/fc/test/invoke/[type]`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The path without the `=` or `^~` marker, e.g. `/user`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The parameter names, in the order they appear.
    pub fn param_names(&self) -> Vec<&str> {
        self.segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Param(name) => Some(name.as_str()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// The path as Tencent tells two APIs apart: the `=` or `^~` marker kept, lower-cased, and each
    /// parameter written `{}` whatever its name or bracket (`/User/{id}` and `/user/[name]` are one).
    pub fn identity(&self) -> String {
        let marker = match self.kind {
            PatternKind::Exact => "=",
            PatternKind::PreferentialPrefix => "^~",
            PatternKind::Params | PatternKind::Prefix => "",
        };
        if self.kind != PatternKind::Params {
            return format!("{marker}{}", self.path.to_lowercase());
        }
        let mut out = String::new();
        for segment in &self.segments {
            out.push('/');
            match segment {
                Segment::Literal(literal) => out.push_str(&literal.to_lowercase()),
                Segment::Param(_) => out.push_str("{}"),
            }
        }
        out
    }

    /// Returns the path parameters (percent-decoded) if `path` matches; the map is empty for kinds
    /// without parameters.
    pub fn matches(&self, path: &str) -> Option<BTreeMap<String, String>> {
        match self.kind {
            PatternKind::Exact => (path == self.path).then(BTreeMap::new),
            PatternKind::PreferentialPrefix | PatternKind::Prefix => {
                path.starts_with(&self.path).then(BTreeMap::new)
            }
            PatternKind::Params => self.match_params(path),
        }
    }

    fn match_params(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let mut parts = path.strip_prefix('/')?.split('/');
        let mut params = BTreeMap::new();
        for segment in &self.segments {
            let part = parts.next()?;
            match segment {
                Segment::Literal(literal) if part != literal => return None,
                Segment::Literal(_) => {}
                Segment::Param(_) if part.is_empty() => return None,
                Segment::Param(name) => {
                    params.insert(name.clone(), percent_decode_str(part).decode_utf8_lossy().into_owned());
                }
            }
        }
        parts.next().is_none().then_some(params)
    }

    /// Orders matching patterns: the kind first, then the length or literal segment count.
    fn rank(&self) -> (u8, usize) {
        match self.kind {
            PatternKind::Exact => (3, 0),
            PatternKind::PreferentialPrefix => (2, self.path.len()),
            PatternKind::Params => {
                (1, self.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count())
            }
            PatternKind::Prefix => (0, self.path.len()),
        }
    }
}

fn parse_segments(path: &str) -> Result<Vec<Segment>, String> {
    let mut names = BTreeSet::new();
    let mut segments = Vec::new();
    for raw in path.split('/').skip(1) {
        let name = (raw.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .or_else(|| raw.strip_prefix('[').and_then(|s| s.strip_suffix(']')))
            .filter(|name| !name.contains(BRACKETS));
        match name {
            Some("") => return Err("a parameter has an empty name".into()),
            Some(name) if !names.insert(name) => return Err(format!("parameter `{name}` appears twice")),
            Some(name) => segments.push(Segment::Param(name.to_owned())),
            None if raw.contains(BRACKETS) => return Err(bracket_problem(raw)),
            None => segments.push(Segment::Literal(raw.to_owned())),
        }
    }
    Ok(segments)
}

/// Explains why a segment holding braces or brackets is not a parameter.
fn bracket_problem(segment: &str) -> String {
    let mut open = None;
    for c in segment.chars() {
        match (c, open) {
            ('{' | '[', None) => open = Some(c),
            ('}', Some('{')) | (']', Some('[')) => open = None,
            ('{' | '[' | '}' | ']', _) => return format!("unbalanced braces or brackets in `{segment}`"),
            _ => {}
        }
    }
    if open.is_some() {
        format!("unbalanced braces or brackets in `{segment}`")
    } else {
        format!("a parameter must be a whole path segment, like `/{{name}}`, not `{segment}`")
    }
}

/// Picks the route for `path` among `patterns` (in declaration order) by the priority above.
/// Returns the index of the winning pattern and its path parameters.
pub fn select<'a>(
    patterns: impl IntoIterator<Item = &'a Pattern>,
    path: &str,
) -> Option<(usize, BTreeMap<String, String>)> {
    let mut best = None;
    let mut best_rank = (0, 0);
    for (index, pattern) in patterns.into_iter().enumerate() {
        let Some(params) = pattern.matches(path) else { continue };
        let rank = pattern.rank();
        if best.is_none() || rank > best_rank {
            best = Some((index, params));
            best_rank = rank;
        }
    }
    best
}

/// The stages reachable by URL prefix.
pub const STAGES: [&str; 3] = ["release", "prepub", "test"];

/// Splits a leading `/<stage>` off a request path: `/release/x` → (`release`, `/x`), `/test` →
/// (`test`, `/`), `/testing/x` → (none, `/testing/x`), `/x` → (none, `/x`).
pub fn split_stage(path: &str) -> (Option<&'static str>, Cow<'_, str>) {
    for stage in STAGES {
        if let Some(rest) = path.strip_prefix('/').and_then(|p| p.strip_prefix(stage)) {
            if rest.is_empty() {
                return (Some(stage), Cow::Borrowed("/"));
            }
            if rest.starts_with('/') {
                return (Some(stage), Cow::Borrowed(rest));
            }
        }
    }
    (None, Cow::Borrowed(path))
}

/// The longest request path, in bytes, that [`check_path`] accepts.
pub const MAX_PATH_BYTES: usize = 8192;

/// Why [`check_path`] refused a request path.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    /// A `.` or `..` segment, possibly percent-encoded.
    #[error("the path contains a `.` or `..` segment")]
    DotSegment,
    /// A percent-encoded `/` or `\` (`%2F`, `%5C`).
    #[error("the path contains an encoded slash or backslash (`%2F` or `%5C`)")]
    EncodedSlash,
    /// A control character such as NUL, raw or percent-encoded.
    #[error("the path contains a control character")]
    ControlCharacter,
    /// The path does not start with `/`.
    #[error("the path does not start with `/`")]
    NotAbsolute,
    /// The path is longer than [`MAX_PATH_BYTES`].
    #[error("the path is {len} bytes long; at most {MAX_PATH_BYTES} are allowed")]
    TooLong {
        /// The path's length in bytes.
        len: usize,
    },
}

/// Refuses request paths the gateway must not route: a `.` or `..` segment (also percent-encoded), an
/// encoded slash or backslash, a control character (raw or percent-encoded), a path not starting with
/// `/`, or one longer than [`MAX_PATH_BYTES`].
pub fn check_path(path: &str) -> Result<(), PathError> {
    if path.len() > MAX_PATH_BYTES {
        return Err(PathError::TooLong { len: path.len() });
    }
    let rest = path.strip_prefix('/').ok_or(PathError::NotAbsolute)?;
    for segment in rest.split('/') {
        let decoded: Vec<u8> = percent_decode_str(segment).collect();
        if String::from_utf8_lossy(&decoded).chars().any(char::is_control) {
            return Err(PathError::ControlCharacter);
        }
        let encoded_slash = segment
            .as_bytes()
            .windows(3)
            .any(|window| matches!(window, [b'%', b'2', b'f' | b'F'] | [b'%', b'5', b'c' | b'C']));
        if encoded_slash {
            return Err(PathError::EncodedSlash);
        }
        if decoded == b"." || decoded == b".." {
            return Err(PathError::DotSegment);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(texts: &[&str]) -> Vec<Pattern> {
        texts.iter().map(|text| Pattern::parse(text).unwrap()).collect()
    }

    /// The configured text of the pattern `select` picks, or `None`.
    fn winner(texts: &[&str], path: &str) -> Option<String> {
        let patterns = patterns(texts);
        select(&patterns, path).map(|(index, _)| patterns[index].as_str().to_owned())
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn exact_beats_every_other_kind() {
        let all = ["/", "/user", "/{x}", "^~/user", "=/user"];
        assert_eq!(winner(&all, "/user").as_deref(), Some("=/user"));
        assert_eq!(winner(&all, "/user/1").as_deref(), Some("^~/user"));
    }

    #[test]
    fn preferential_prefix_beats_params_and_plain_prefix() {
        let texts = ["/user/{id}", "/user/1", "^~/us"];
        assert_eq!(winner(&texts, "/user/1").as_deref(), Some("^~/us"));
        assert_eq!(winner(&texts, "/other").as_deref(), None);
    }

    #[test]
    fn params_beat_plain_prefix() {
        let texts = ["/user/1", "/user/{id}"];
        assert_eq!(winner(&texts, "/user/1").as_deref(), Some("/user/{id}"));
        assert_eq!(winner(&texts, "/user/1/x").as_deref(), Some("/user/1"));
    }

    #[test]
    fn longest_prefix_wins_for_both_prefix_kinds() {
        assert_eq!(winner(&["/", "/user/a", "/user"], "/user/abc").as_deref(), Some("/user/a"));
        assert_eq!(winner(&["/", "/user/a", "/user"], "/user/b").as_deref(), Some("/user"));
        assert_eq!(winner(&["^~/a", "^~/a/b", "^~/"], "/a/b/c").as_deref(), Some("^~/a/b"));
    }

    #[test]
    fn plain_prefix_is_a_string_prefix() {
        let user = Pattern::parse("/user").unwrap();
        for path in ["/user", "/usertest", "/user/test/a"] {
            assert_eq!(user.matches(path), Some(BTreeMap::new()), "{path}");
        }
        assert_eq!(user.matches("/use"), None);
        assert_eq!(winner(&["/"], "/anything/at/all").as_deref(), Some("/"));
        let preferential = Pattern::parse("^~/user").unwrap();
        assert!(preferential.matches("/usertest").is_some());
    }

    #[test]
    fn exact_matches_only_its_path() {
        let exact = Pattern::parse("=/user").unwrap();
        assert!(exact.matches("/user").is_some());
        for path in ["/user/", "/usertest", "/use"] {
            assert_eq!(exact.matches(path), None, "{path}");
        }
    }

    #[test]
    fn params_need_equal_segment_count_and_non_empty_values() {
        let pattern = Pattern::parse("/user/{id}/posts").unwrap();
        assert_eq!(pattern.matches("/user/7/posts"), Some(params(&[("id", "7")])));
        for path in ["/user/7", "/user/7/posts/1", "/user//posts", "/user/7/post", "user/7/posts"] {
            assert_eq!(pattern.matches(path), None, "{path}");
        }
    }

    #[test]
    fn more_literal_segments_win() {
        let texts = ["/{a}/{b}/c", "/x/{b}/c", "/{a}/{b}/{c}"];
        assert_eq!(winner(&texts, "/x/y/c").as_deref(), Some("/x/{b}/c"));
        assert_eq!(winner(&texts, "/z/y/c").as_deref(), Some("/{a}/{b}/c"));
        assert_eq!(winner(&texts, "/z/y/d").as_deref(), Some("/{a}/{b}/{c}"));
    }

    #[test]
    fn declaration_order_breaks_ties() {
        let patterns = patterns(&["/{a}/x", "/{b}/x", "/y", "/y"]);
        assert_eq!(select(&patterns, "/1/x"), Some((0, params(&[("a", "1")]))));
        assert_eq!(select(&patterns, "/yes"), Some((2, BTreeMap::new())));
    }

    #[test]
    fn alibaba_bracket_spelling_matches_like_braces() {
        let pattern = Pattern::parse("/fc/test/invoke/[type]").unwrap();
        assert_eq!(pattern.kind(), PatternKind::Params);
        assert_eq!(pattern.param_names(), ["type"]);
        assert_eq!(pattern.matches("/fc/test/invoke/test"), Some(params(&[("type", "test")])));
    }

    #[test]
    fn params_are_percent_decoded() {
        let pattern = Pattern::parse("/files/{name}").unwrap();
        assert_eq!(pattern.matches("/files/a%20b"), Some(params(&[("name", "a b")])));
        assert_eq!(pattern.matches("/files/a%2Fb"), Some(params(&[("name", "a/b")])));
        assert_eq!(pattern.matches("/files/%E4%BD%A0"), Some(params(&[("name", "你")])));
    }

    #[test]
    fn accessors_report_the_parsed_parts() {
        let exact = Pattern::parse("=/user").unwrap();
        assert_eq!((exact.kind(), exact.as_str(), exact.path()), (PatternKind::Exact, "=/user", "/user"));
        let preferential = Pattern::parse("^~/user").unwrap();
        assert_eq!((preferential.kind(), preferential.path()), (PatternKind::PreferentialPrefix, "/user"));
        let params = Pattern::parse("/u/{id}/[tab]").unwrap();
        assert_eq!(params.param_names(), ["id", "tab"]);
        assert_eq!(Pattern::parse("/user").unwrap().kind(), PatternKind::Prefix);
        assert!(Pattern::parse("/user").unwrap().param_names().is_empty());
    }

    #[test]
    fn identity_ignores_case_and_parameter_names() {
        let identity = |text: &str| Pattern::parse(text).unwrap().identity();
        assert_eq!(identity("/User/{id}/Posts"), identity("/user/[name]/posts"));
        assert_eq!(identity("/User/{id}"), "/user/{}");
        assert_eq!(identity("=/User"), "=/user");
        assert_ne!(identity("=/user"), identity("/user"));
        assert_ne!(identity("^~/user"), identity("/user"));
        assert_ne!(identity("/user/{id}"), identity("/user/{id}/x"));
    }

    #[test]
    fn parse_errors_name_the_pattern_and_the_problem() {
        let cases = [
            ("", "empty"),
            ("user", "start with `/`"),
            ("=user", "start with `/`"),
            ("^~", "start with `/`"),
            ("/a/{id", "unbalanced"),
            ("/a/id}", "unbalanced"),
            ("/a/{id]", "unbalanced"),
            ("/a/{{id}}", "unbalanced"),
            ("/a/{}", "empty name"),
            ("/a/[]", "empty name"),
            ("/{id}/[id]", "appears twice"),
            ("/a{b}", "whole path segment"),
            ("/{a}{b}", "whole path segment"),
            ("=/a/{id}", "not allowed"),
            ("^~/a/{id}", "not allowed"),
        ];
        for (text, why) in cases {
            let message = Pattern::parse(text).unwrap_err().to_string();
            assert!(message.starts_with(&format!("invalid API path `{text}`: ")), "{message}");
            assert!(message.contains(why), "{text}: {message}");
        }
    }

    #[test]
    fn split_stage_removes_a_leading_stage() {
        assert_eq!(split_stage("/release/x"), (Some("release"), Cow::Borrowed("/x")));
        assert_eq!(split_stage("/prepub/a/b"), (Some("prepub"), Cow::Borrowed("/a/b")));
        assert_eq!(split_stage("/test"), (Some("test"), Cow::Borrowed("/")));
        assert_eq!(split_stage("/test/"), (Some("test"), Cow::Borrowed("/")));
        assert_eq!(split_stage("/testing/x"), (None, Cow::Borrowed("/testing/x")));
        assert_eq!(split_stage("/x"), (None, Cow::Borrowed("/x")));
        assert_eq!(split_stage("/"), (None, Cow::Borrowed("/")));
    }

    #[test]
    fn check_path_rejects_unsafe_paths() {
        let cases = [
            ("/a/../b", PathError::DotSegment),
            ("/a/./b", PathError::DotSegment),
            ("/..", PathError::DotSegment),
            ("/a/%2e%2e/b", PathError::DotSegment),
            ("/a/.%2E", PathError::DotSegment),
            ("/%2E", PathError::DotSegment),
            ("/a%2fb", PathError::EncodedSlash),
            ("/a%2Fb", PathError::EncodedSlash),
            ("/a%5cb", PathError::EncodedSlash),
            ("/a%5C..", PathError::EncodedSlash),
            ("/a\0b", PathError::ControlCharacter),
            ("/a\nb", PathError::ControlCharacter),
            ("/a%00b", PathError::ControlCharacter),
            ("/a%0d%0Ab", PathError::ControlCharacter),
            ("/a%7f", PathError::ControlCharacter),
            ("", PathError::NotAbsolute),
            ("a/b", PathError::NotAbsolute),
            ("%2Fa", PathError::NotAbsolute),
        ];
        for (path, expected) in cases {
            assert_eq!(check_path(path), Err(expected), "{path:?}");
        }
        let long = format!("/{}", "a".repeat(MAX_PATH_BYTES));
        assert_eq!(check_path(&long), Err(PathError::TooLong { len: MAX_PATH_BYTES + 1 }));
        assert!(PathError::TooLong { len: 9000 }.to_string().contains("9000"));
    }

    #[test]
    fn check_path_accepts_ordinary_paths() {
        let longest = format!("/{}", "a".repeat(MAX_PATH_BYTES - 1));
        for path in
            ["/", "/user/1", "/a//b/", "/a.b/..c/...", "/a%20b", "/%E4%BD%A0", "/a%", longest.as_str()]
        {
            assert_eq!(check_path(path), Ok(()), "{path}");
        }
    }
}
