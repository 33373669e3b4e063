//! Bytes as an integration response: parsing never panics, a parsed
//! response round-trips through JSON, and `into_http` either refuses it or
//! carries its status, every header value and the decoded body.
#![no_main]

use apigw_events::IntegrationResponse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(res) = IntegrationResponse::from_slice(data) else { return };
    let json = serde_json::to_vec(&res).expect("a parsed response serializes");
    let back = IntegrationResponse::from_slice(&json).expect("a serialized response parses");
    assert_eq!(back, res, "the response round-trips");
    let body = res.body_bytes();
    let values: usize = res.headers.values().map(|v| v.iter().count()).sum();
    if let Ok(http) = res.clone().into_http() {
        assert_eq!(http.status().as_u16(), res.status_code);
        assert_eq!(http.headers().len(), values, "every header value is sent, once");
        let body = body.expect("into_http succeeded, so the body decodes");
        assert_eq!(http.body().as_bytes(), &body[..]);
        for value in http.headers().values() {
            assert!(!value.as_bytes().iter().any(|b| *b == b'\r' || *b == b'\n'), "no CR/LF is sent");
        }
    }
});
