//! The vendors' events into a [`Request`], and a `Request` back into the
//! event each front door would send for it.

use crate::body::{Body, decode_body, encode_base64};
use crate::error::Error;
use crate::fields::{Query, headers_from_map};
use crate::request::{FrontDoor, GatewayContext, Request, Vendor};
use crate::scalar::Scalar;
use crate::{aliyun, tencent, wire};
use std::collections::BTreeMap;

impl Request {
    /// A Tencent event, its parameter maps already text.
    pub(crate) fn from_tencent(event: wire::Tencent) -> Result<Self, Error> {
        let body = Body::from(decode_body(event.body.as_deref(), event.is_base64_encoded)?);
        let context = event.request_context.as_ref();
        let function_url = tencent::is_function_url(context, &event.headers);
        // What `requestContext` holds moves into the context; only a value
        // found elsewhere (a header, `identity`) is copied.
        let from_context = |c: &tencent::RequestContext| (non_blank(&c.request_id), !c.source_ip.is_empty());
        let (id_in_context, ip_in_context) = context.map_or((false, false), from_context);
        let request_id = if id_in_context {
            None
        } else {
            tencent::request_id(context, &event.headers).map(str::to_owned)
        };
        let source_ip =
            if ip_in_context { None } else { tencent::source_ip(context, &event.headers).map(str::to_owned) };
        // Older events carry only the declared parameters, not `queryString`.
        let query = if event.query_string.is_empty() {
            event.query_string_parameters.iter().collect()
        } else {
            Query::from_map(event.query_string)
        };
        let rc = event.request_context.unwrap_or_default();
        let request_id = if id_in_context { rc.request_id } else { request_id };
        let source_ip = if ip_in_context { Some(rc.source_ip) } else { source_ip };
        Ok(Request {
            method: event.http_method,
            path: event.path,
            query,
            headers: headers_from_map(event.headers),
            body,
            context: GatewayContext {
                vendor: Some(Vendor::Tencent),
                front_door: Some(if function_url { FrontDoor::FunctionUrl } else { FrontDoor::ApiGateway }),
                path_parameters: event.path_parameters,
                query_parameters: event.query_string_parameters,
                header_parameters: event.header_parameters,
                stage: non_empty(rc.stage),
                stage_variables: event.stage_variables,
                request_id,
                source_ip,
                key_id: rc.identity.secret_id.and_then(non_empty),
                api_path: non_empty(rc.path),
                service_id: non_empty(rc.service_id),
            },
        })
    }

    /// An Alibaba event, its path parameters already text. The gateway's
    /// facts travel as headers: the stage in `X-Ca-Stage`, the request id in
    /// `X-Ca-Api-Gateway`, the caller in `X-Forwarded-For` and the verified
    /// AppKey in `X-Ca-Key` (see [`GatewayContext::key_id`]).
    pub(crate) fn from_aliyun(event: wire::Aliyun) -> Result<Self, Error> {
        let body = Body::from(decode_body(event.body.as_deref(), event.is_base64_encoded)?);
        let headers = headers_from_map(event.headers);
        let header = |name: &str| headers.get_all(name).find(|v| !v.is_empty()).map(str::to_owned);
        let context = GatewayContext {
            vendor: Some(Vendor::Aliyun),
            front_door: Some(FrontDoor::ApiGateway),
            path_parameters: event.path_parameters,
            // Alibaba's `PRE` is the stage Tencent and `GatewayContext` call `prepub`.
            stage: header("x-ca-stage").map(|s| match s.to_ascii_lowercase().as_str() {
                "pre" => "prepub".to_owned(),
                other => other.to_owned(),
            }),
            request_id: header("x-ca-api-gateway").or_else(|| header("x-ca-request-id")),
            source_ip: header("x-forwarded-for")
                .and_then(|v| v.split(',').next().map(|ip| ip.trim().to_owned()))
                .and_then(non_empty),
            key_id: header("x-ca-key"),
            ..GatewayContext::default()
        };
        Ok(Request {
            method: event.http_method,
            path: event.path,
            query: Query::from_map(event.query_parameters),
            headers,
            body,
            context,
        })
    }

    /// The event Tencent's gateway would send for this request. A body that is
    /// not UTF-8 travels as base64.
    pub fn to_tencent_event(&self) -> tencent::ApiGatewayEvent {
        let ctx = &self.context;
        let (body, is_base64_encoded) = wire_body(&self.body);
        tencent::ApiGatewayEvent {
            request_context: Some(tencent::RequestContext {
                service_id: ctx.service_id.clone().unwrap_or_default(),
                path: ctx.api_path.clone().unwrap_or_else(|| self.path.clone()),
                http_method: self.method.clone(),
                request_id: ctx.request_id.clone(),
                identity: tencent::Identity { secret_id: ctx.key_id.clone(), ..Default::default() },
                source_ip: ctx.source_ip.clone().unwrap_or_default(),
                stage: ctx.stage.clone().unwrap_or_default(),
                extra: Default::default(),
            }),
            headers: self.headers.to_map(),
            body,
            path_parameters: scalars(&ctx.path_parameters),
            query_string_parameters: scalars(&ctx.query_parameters),
            header_parameters: scalars(&ctx.header_parameters),
            stage_variables: scalars(&ctx.stage_variables),
            path: self.path.clone(),
            query_string: self.query.to_map(),
            http_method: self.method.clone(),
            is_base64_encoded,
            extra: Default::default(),
        }
    }

    /// The event a Tencent function URL would send for this request: the
    /// request id and the caller as `x-scf-request-id` and
    /// `x-scf-remote-addr` headers (when the context has them), no
    /// `requestContext`, no parameters. A body that is not UTF-8 travels as
    /// base64 with `isBase64Encoded` set, the one field Tencent does not
    /// document for these events.
    pub fn to_function_url_event(&self) -> tencent::FunctionUrlEvent {
        let (body, is_base64_encoded) = wire_body(&self.body);
        let mut headers = self.headers.clone();
        if let Some(id) = &self.context.request_id {
            headers.insert("x-scf-request-id", id.as_str());
        }
        if let Some(ip) = &self.context.source_ip {
            headers.insert("x-scf-remote-addr", ip.as_str());
        }
        tencent::FunctionUrlEvent {
            body,
            headers: headers.to_map(),
            http_method: self.method.clone(),
            path: self.path.clone(),
            query_string: self.query.to_map(),
            is_base64_encoded,
            extra: Default::default(),
        }
    }

    /// The event Alibaba's gateway would send for this request. A body that is
    /// not UTF-8 travels as base64.
    pub fn to_aliyun_event(&self) -> aliyun::ApiGatewayEvent {
        let (body, is_base64_encoded) = wire_body(&self.body);
        aliyun::ApiGatewayEvent {
            path: self.path.clone(),
            http_method: self.method.clone(),
            headers: self.headers.to_map(),
            query_parameters: self.query.to_map(),
            path_parameters: scalars(&self.context.path_parameters),
            body,
            is_base64_encoded,
            extra: Default::default(),
        }
    }
}

/// Map values that are not strings read as text (`true` is `""`).
impl TryFrom<tencent::ApiGatewayEvent> for Request {
    type Error = Error;

    fn try_from(event: tencent::ApiGatewayEvent) -> Result<Self, Error> {
        Request::from_tencent(wire::Tencent::from(event))
    }
}

/// Map values that are not strings read as text (`true` is `""`).
impl TryFrom<tencent::FunctionUrlEvent> for Request {
    type Error = Error;

    fn try_from(event: tencent::FunctionUrlEvent) -> Result<Self, Error> {
        Request::try_from(tencent::ApiGatewayEvent::from(event))
    }
}

/// Map values that are not strings read as text (a number as its text).
impl TryFrom<aliyun::ApiGatewayEvent> for Request {
    type Error = Error;

    fn try_from(event: aliyun::ApiGatewayEvent) -> Result<Self, Error> {
        Request::from_aliyun(wire::Aliyun::from(event))
    }
}

fn scalars(map: &BTreeMap<String, String>) -> BTreeMap<String, Scalar> {
    map.iter().map(|(k, v)| (k.clone(), Scalar::Text(v.clone()))).collect()
}

fn wire_body(body: &Body) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    match body.as_str() {
        Some(text) => (Some(text.to_owned()), false),
        None => (Some(encode_base64(body.as_bytes())), true),
    }
}

fn non_blank(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.is_empty())
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}
