//! Bytes as a Tencent event, an Alibaba event and a provider-neutral
//! `Request`: parsing never panics, a parsed vendor event serializes and
//! parses back equal, and a `Request` keeps its method, path, query,
//! headers and body through either vendor's event.
#![no_main]

use apigw_events::{Request, aliyun, tencent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = tencent::ApiGatewayEvent::from_slice(data) {
        let json = serde_json::to_vec(&event).expect("a parsed Tencent event serializes");
        let back = tencent::ApiGatewayEvent::from_slice(&json).expect("a serialized Tencent event parses");
        assert_eq!(back, event, "the Tencent event round-trips");
        let _ = event.body_bytes();
        let _ = event.request_id();
    }
    if let Ok(event) = aliyun::ApiGatewayEvent::from_slice(data) {
        let json = serde_json::to_vec(&event).expect("a parsed Alibaba event serializes");
        let back = aliyun::ApiGatewayEvent::from_slice(&json).expect("a serialized Alibaba event parses");
        assert_eq!(back, event, "the Alibaba event round-trips");
        let _ = event.body_bytes();
    }
    if let Ok(req) = Request::from_slice(data) {
        for (vendor, json) in [
            ("Tencent", serde_json::to_vec(&req.to_tencent_event())),
            ("Alibaba", serde_json::to_vec(&req.to_aliyun_event())),
        ] {
            let json = json.expect("an event built from a Request serializes");
            let back = Request::from_slice(&json)
                .unwrap_or_else(|e| panic!("the {vendor} event of a Request parses: {e}"));
            assert_eq!(back.method, req.method, "{vendor}: method");
            assert_eq!(back.path, req.path, "{vendor}: path");
            assert_eq!(back.body, req.body, "{vendor}: body");
            assert_eq!(
                grouped(back.query.iter(), false),
                grouped(req.query.iter(), false),
                "{vendor}: query"
            );
            assert_eq!(
                grouped(back.headers.iter(), true),
                grouped(req.headers.iter(), true),
                "{vendor}: headers"
            );
        }
        let _ = req.text();
        let _ = http::Request::try_from(req);
    }
});

/// Pairs grouped by name, each name's values in their original order: the
/// order a vendor event's JSON maps keep.
fn grouped<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>, fold_case: bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .map(|(k, v)| (if fold_case { k.to_ascii_lowercase() } else { k.to_owned() }, v.to_owned()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
