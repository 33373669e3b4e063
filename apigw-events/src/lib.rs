//! Typed API Gateway events and integration responses for functions on
//! Tencent Cloud SCF and Alibaba Cloud Function Compute.
//!
//! Read the gateway's event into a provider-neutral [`Request`] (or into a
//! vendor's own [`tencent::ApiGatewayEvent`] / [`aliyun::ApiGatewayEvent`]),
//! and answer with an [`IntegrationResponse`] or anything that is
//! [`IntoResponse`]:
//!
//! ```
//! use apigw_events::{IntegrationResponse, Request};
//!
//! // A Tencent event, in the `method` variant one of its pages shows.
//! let event = br#"{
//!     "requestContext": {"serviceId": "service-1", "path": "/hello", "method": "ANY",
//!                        "requestId": "c6af9ac6", "sourceIp": "10.0.2.14", "stage": "release"},
//!     "headers": {"Accept": "application/json"},
//!     "queryString": {"name": "ada"},
//!     "path": "/hello", "method": "GET", "isBase64Encoded": "false"
//! }"#;
//! let req = Request::from_slice(event)?;
//! let name = req.query("name").unwrap_or("world");
//!
//! let res = IntegrationResponse::json(&serde_json::json!({ "hello": name }))?;
//! assert_eq!(res.status_code, 200);
//! assert_eq!(res.body, r#"{"hello":"ada"}"#);
//! assert_eq!(req.context.request_id.as_deref(), Some("c6af9ac6"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Decoding errors name the JSON path that failed, and for [`Request`] each
//! shape and why it did not fit:
//!
//! ```
//! let err = apigw_events::Request::from_slice(br#"{"path": "/", "httpMethod": ["GET"]}"#).unwrap_err();
//! assert!(err.to_string().contains("Tencent API Gateway or function-URL event at `httpMethod`"));
//! assert!(err.to_string().contains("Alibaba API Gateway event at `httpMethod`"));
//! ```
//!
//! # Feature flags
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `http` | yes | `http::Request<Body>` ⇄ [`Request`], [`IntegrationResponse::into_http`], [`IntoResponse`] for `http::Response<B>` and `(http::StatusCode, T)`, and [`Body`] as an `http_body::Body` |

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod aliyun;
mod answer;
mod body;
mod convert;
mod de;
mod error;
mod fields;
#[cfg(feature = "http")]
mod http_interop;
mod into_response;
mod request;
mod request_builder;
mod response;
mod scalar;
mod shape;
pub mod tencent;
mod wire;

pub use answer::{HttpError, Json};
pub use body::{Body, encode_base64, is_text_content_type};
pub use de::{Extra, MultiValue};
pub use error::{Attempt, Error, from_slice};
pub use fields::{Headers, Query};
pub use into_response::IntoResponse;
pub use request::{FrontDoor, GatewayContext, Request, Vendor};
pub use response::IntegrationResponse;
pub use scalar::{EventValue, Scalar};
