//! Bytes as route patterns and a request path (one per line, the path
//! last): parsing, selection, the path checks and stage splitting never
//! panic, a pattern re-parses from its own text, and the pattern `select`
//! picks does match the path with the parameters it returned.
#![no_main]

use apigw_gateway::routes::{MAX_PATH_BYTES, Pattern, check_path, select, split_stage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines: Vec<&str> = text.split('\n').collect();
    let path = lines.pop().unwrap_or_default();
    let patterns: Vec<Pattern> = lines.iter().filter_map(|line| Pattern::parse(line).ok()).collect();
    for pattern in &patterns {
        let again = Pattern::parse(pattern.as_str()).expect("a pattern re-parses from its text");
        assert_eq!(&again, pattern);
    }
    if let Some((index, params)) = select(&patterns, path) {
        assert_eq!(patterns[index].matches(path), Some(params), "the winner matches");
    }
    if check_path(path).is_ok() {
        assert!(path.len() <= MAX_PATH_BYTES && path.starts_with('/'));
        let (stage, rest) = split_stage(path);
        assert!(rest.starts_with('/'), "{path:?} split into {stage:?} and {rest:?}");
        if let Some(stage) = stage {
            assert!(path[1..].starts_with(stage));
        }
    } else {
        let _ = split_stage(path);
    }
});
