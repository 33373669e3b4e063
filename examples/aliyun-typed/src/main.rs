//! Takes Alibaba's own `ApiGatewayEvent` directly and answers in the style of the vendor's sample; run it with `cargo run -p cargo-apigw -- invoke --example aliyun-typed --provider aliyun '/fc/test/invoke/test?param1=aaa'`.

use apigw_runtime::IntegrationResponse;
use apigw_runtime::events::aliyun::ApiGatewayEvent;
use serde_json::json;

/// Answers `{"message": "Hello World!", "input": <the event>}`, base64
/// encoded as the vendor's Node.js sample does, with the status from the
/// `httpStatus` query parameter.
#[apigw_runtime::handler(provider = "aliyun")]
async fn hello(event: ApiGatewayEvent) -> Result<IntegrationResponse, anyhow::Error> {
    let status = match event.query_parameters.get("httpStatus").and_then(|v| v.first()) {
        Some(s) => s.parse()?,
        None => 200,
    };
    let body = serde_json::to_vec(&json!({ "message": "Hello World!", "input": event }))?;
    Ok(IntegrationResponse::binary(body, "application/json")
        .with_status(status)
        .with_header("x-custom-header", "header value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_like_the_vendor_sample() {
        let event = ApiGatewayEvent::from_slice(
            br#"{"path":"/fc/test/invoke/test","httpMethod":"POST","queryParameters":{"httpStatus":"201"}}"#,
        )
        .unwrap();
        let res = hello(event).await.unwrap();
        assert_eq!(res.status_code, 201);
        assert!(res.is_base64_encoded);
        let body: serde_json::Value = serde_json::from_slice(&res.body_bytes().unwrap()).unwrap();
        assert_eq!(body["message"], "Hello World!");
        assert_eq!(body["input"]["path"], "/fc/test/invoke/test");
    }
}
