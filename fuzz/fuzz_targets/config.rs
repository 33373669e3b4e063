//! Bytes as `apigw.toml`: the parser never panics, an error names a line
//! inside the text, and a configuration that parses routes a request
//! without panicking.
#![no_main]

use apigw_gateway::{Gateway, GatewayConfig};
use libfuzzer_sys::fuzz_target;
use std::time::SystemTime;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match GatewayConfig::parse(text, "apigw.toml") {
        Ok(config) => {
            let gateway = Gateway::new(config, None);
            for path in ["/", "/release/users/7?page=2", "/test/x/y"] {
                let Ok(req) = http::Request::get(path).body(()) else { continue };
                let (parts, ()) = req.into_parts();
                let _ = gateway.route(&parts, "127.0.0.1".parse().expect("an IP"), SystemTime::UNIX_EPOCH);
            }
        }
        Err(e) => {
            if let Some(line) = e.line {
                assert!(
                    (1..=text.matches('\n').count() + 1).contains(&line),
                    "line {line} is outside the text"
                );
            }
            let _ = e.to_string();
        }
    }
});
