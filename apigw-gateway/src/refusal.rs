//! What the gateway answers when it refuses or fails a request itself, in each vendor's words.
//!
//! Tencent answers `{"message":"…"}` (a `/` written `\/`, as Tencent's JSON encoder does) with
//! the status and text of its gateway error table, without the table's trailing period (Tencent's
//! bodies have none). Alibaba answers with an empty body, the status, and the `X-Ca-Error-Code`
//! and `X-Ca-Error-Message` headers of its VPC-instance format. Where a vendor documents nothing
//! the answer is the simulator's choice; README.md's "How the local gateway answers" says which.

use std::net::IpAddr;
use std::time::Duration;

use bytes::Bytes;

use crate::auth::aliyun_app::AppAuthError;
use crate::auth::appcode::AppCodeError;
use crate::auth::oauth::OauthError;
use crate::auth::tencent_key::KeyPairError;
use crate::config::{Flavour, Location};
use crate::routes::PathError;

/// The header that carries the gateway's request id on Tencent's answers.
pub const TENCENT_REQUEST_ID: &str = "x-api-requestid";
/// The header that carries the gateway's request id on Alibaba's answers.
pub const ALIYUN_REQUEST_ID: &str = "x-ca-request-id";

/// Why the gateway answered a request itself.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The path may not be routed.
    #[error("{0}")]
    BadPath(PathError),
    /// No route matches.
    #[error("no route matches {method} {path} (host `{host}`)")]
    NoRoute {
        /// The method.
        method: String,
        /// The path, without the stage.
        path: String,
        /// The `Host` header.
        host: String,
    },
    /// A CORS preflight to a route without CORS.
    #[error("CORS is not enabled on {0}")]
    CorsNotEnabled(String),
    /// `X-Ca-Stage` names no stage.
    #[error("`{0}` is not TEST, PRE or RELEASE")]
    InvalidStage(String),
    /// An IP list refuses the caller.
    #[error("the address {0} may not call this API")]
    IpDenied(IpAddr),
    /// Over the route's requests per second.
    #[error("over the rate limit of {0} requests per second")]
    RateLimited(u32),
    /// A required declared parameter is missing.
    #[error("missing required {} parameter `{name}`", location_name(*.location))]
    MissingParam {
        /// Where it should be.
        location: Location,
        /// Its name.
        name: String,
    },
    /// A declared parameter is not of its type.
    #[error("{} parameter `{name}` must be {expected}, got `{value}`", location_name(*.location))]
    BadParam {
        /// Where it is.
        location: Location,
        /// Its name.
        name: String,
        /// What it must be, e.g. `an integer`.
        expected: &'static str,
        /// What it is.
        value: String,
    },
    /// The body is over the route's limit, in bytes.
    #[error("the request body is over the {0} byte limit")]
    TooLarge(usize),
    /// The body could not be read.
    #[error("the request body could not be read: {0}")]
    BodyUnreadable(String),
    /// Tencent key-pair auth failed.
    #[error("key-pair authentication failed: {0:?}")]
    KeyPair(KeyPairError),
    /// Tencent OAuth failed.
    #[error("OAuth authentication failed: {0:?}")]
    Oauth(OauthError),
    /// A request without a token to a business API whose authorization API has a login URL.
    #[error("redirected to log in at {0}")]
    LoginRedirect(String),
    /// Alibaba app authentication failed.
    #[error("app authentication failed: {0:?}")]
    App(AppAuthError),
    /// Alibaba AppCode authentication failed.
    #[error("AppCode authentication failed: {0:?}")]
    AppCode(AppCodeError),
    /// The backend did not answer in time.
    #[error("the backend did not answer within {} ms", .0.as_millis())]
    BackendTimeout(Duration),
    /// The HTTP backend could not be reached or failed; why.
    #[error("the backend failed: {0}")]
    BackendFailed(String),
    /// A WebSocket API's handshake lacks a header it needs.
    #[error("the WebSocket handshake has no {0} header")]
    WebSocketHeader(&'static str),
    /// A WebSocket API's request that is not a WebSocket handshake this gateway can take.
    #[error("{0}")]
    NotWebSocket(String),
    /// The registration function refused the connection (a non-zero `errNo`).
    #[error("the registration function refused the connection: errNo {err_no}, {message:?}")]
    WebSocketRefused {
        /// The answer's `errNo`.
        err_no: i64,
        /// The answer's `errMsg`.
        message: String,
    },
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

impl Refusal {
    /// Tencent's status and message.
    pub fn tencent(&self) -> (u16, String) {
        match self {
            Refusal::BadPath(e) => (400, e.to_string()),
            Refusal::NoRoute { path, host, .. } => {
                (404, format!("There is no api match uri[{path}] host [{host}]"))
            }
            Refusal::CorsNotEnabled(path) => {
                (429, format!("req is cross origin, api {path} need open cors flag on qcloud apigateway"))
            }
            Refusal::InvalidStage(_) => (404, "There is no api match env_mapping".to_owned()),
            Refusal::IpDenied(_) => (403, "Your IP address is not allowed".to_owned()),
            Refusal::RateLimited(_) => (429, "API rate limit exceeded".to_owned()),
            Refusal::MissingParam { location, name } => {
                let kind = match location {
                    Location::Header => "header",
                    Location::Query => "querystring",
                    Location::Path => "path variable",
                };
                (403, format!("{kind} {name} is required"))
            }
            Refusal::BadParam { .. } => (400, self.to_string()),
            Refusal::TooLarge(_) => (413, "Request size limit exceeded".to_owned()),
            Refusal::BodyUnreadable(_) => (400, self.to_string()),
            Refusal::KeyPair(e) => (e.status(), e.to_string()),
            Refusal::Oauth(e) => (e.status(), e.to_string()),
            Refusal::LoginRedirect(_) => (302, String::new()),
            Refusal::App(e) => (e.status(), e.to_string()),
            Refusal::AppCode(e) => (e.status(), e.to_string()),
            Refusal::BackendTimeout(_) => (504, "Gateway Time-out".to_owned()),
            Refusal::BackendFailed(_) => (502, "Bad Gateway".to_owned()),
            Refusal::WebSocketHeader(name) => (403, format!("need header {name}")),
            Refusal::NotWebSocket(why) => (400, why.clone()),
            Refusal::WebSocketRefused { message, .. } => (403, message.clone()),
        }
    }

    /// Alibaba's status, `X-Ca-Error-Code` and `X-Ca-Error-Message`.
    pub fn aliyun(&self) -> (u16, &'static str, String) {
        match self {
            Refusal::BadPath(e) => (400, "I400PA", format!("Invalid Request Path `{e}`")),
            Refusal::NoRoute { method, path, .. } => {
                (404, "I404NF", format!("API not found `{method} {path}`"))
            }
            Refusal::CorsNotEnabled(path) => (404, "I404NF", format!("API not found `OPTIONS {path}`")),
            Refusal::InvalidStage(_) => (400, "I400SG", "Invalid Stage".to_owned()),
            Refusal::IpDenied(_) => (403, "A403IP", "Access Denied by IP Control".to_owned()),
            Refusal::RateLimited(_) => (429, "T429ID", "Throttled by API Flow Control".to_owned()),
            Refusal::MissingParam { location: Location::Header, name } => {
                (400, "I400MH", format!("Header `{name}` is Required"))
            }
            Refusal::MissingParam { name, .. } => (400, "I400MP", format!("Parameter `{name}` is Required")),
            Refusal::BadParam { location: Location::Header, name, expected, value } => {
                (400, "I400HD", format!("Invalid Header `{name}` must be {expected}, got `{value}`"))
            }
            Refusal::BadParam { name, expected, value, .. } => {
                (400, "I400IP", format!("Invalid Parameter `{name}` must be {expected}, got `{value}`"))
            }
            Refusal::TooLarge(_) => (413, "I413RL", "Request body too Large".to_owned()),
            Refusal::BodyUnreadable(why) => (400, "I400BD", format!("Invalid Body: {why}")),
            Refusal::App(e) => (e.status(), e.code(), e.to_string()),
            Refusal::AppCode(e) => (e.status(), e.code(), e.to_string()),
            Refusal::KeyPair(e) => (e.status(), "A401KP", e.to_string()),
            Refusal::Oauth(e) => (e.status(), "A401OT", e.to_string()),
            Refusal::LoginRedirect(_) => (302, "", String::new()),
            Refusal::BackendTimeout(_) => (504, "D504TO", "Backend service request timeout".to_owned()),
            Refusal::BackendFailed(why) => (504, "D504CO", format!("Backend service connect failed '{why}'")),
            // WebSocket APIs are Tencent's: these are never answered on an Alibaba route.
            Refusal::WebSocketHeader(name) => (400, "I400MH", format!("Header `{name}` is Required")),
            Refusal::NotWebSocket(why) => (400, "I400BD", why.clone()),
            Refusal::WebSocketRefused { message, .. } => (403, "A403WS", message.clone()),
        }
    }

    /// The answer on a route of `flavour`, stamped with the request id.
    pub fn response(&self, flavour: Flavour, request_id: &str) -> http::Response<Bytes> {
        let mut res = match (self, flavour) {
            (Refusal::LoginRedirect(url), _) => {
                let mut res = http::Response::new(Bytes::new());
                *res.status_mut() = http::StatusCode::FOUND;
                if let Ok(location) = http::HeaderValue::from_str(url) {
                    res.headers_mut().insert(http::header::LOCATION, location);
                }
                res
            }
            (_, Flavour::Aliyun) => {
                let (status, code, message) = self.aliyun();
                let mut res = http::Response::new(Bytes::new());
                *res.status_mut() = status_code(status);
                let headers = res.headers_mut();
                headers.insert("x-ca-error-code", http::HeaderValue::from_static(code));
                headers.insert("x-ca-error-message", header_text(&message));
                res
            }
            (_, Flavour::Tencent | Flavour::FunctionUrl) => {
                let (status, message) = self.tencent();
                tencent_message(status, &message)
            }
        };
        stamp(&mut res, flavour, request_id);
        res
    }
}

/// `{"message": …}` with `status`, `/` written `\/` as Tencent's gateway writes it.
pub fn tencent_message(status: u16, message: &str) -> http::Response<Bytes> {
    let body = serde_json::json!({ "message": message }).to_string().replace('/', "\\/");
    let mut res = http::Response::new(Bytes::from(body));
    *res.status_mut() = status_code(status);
    res.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    res
}

/// Puts the request id on a response in the header of the route's vendor, and removes the other
/// vendor's.
pub fn stamp(res: &mut http::Response<Bytes>, flavour: Flavour, request_id: &str) {
    let (ours, theirs) = match flavour {
        Flavour::Aliyun => (ALIYUN_REQUEST_ID, TENCENT_REQUEST_ID),
        Flavour::Tencent | Flavour::FunctionUrl => (TENCENT_REQUEST_ID, ALIYUN_REQUEST_ID),
    };
    let headers = res.headers_mut();
    headers.remove(theirs);
    if let Ok(id) = http::HeaderValue::from_str(request_id) {
        headers.insert(ours, id);
    }
}

/// The request id a response carries, in either vendor's header.
pub fn request_id_of(res: &http::Response<Bytes>) -> Option<&str> {
    let headers = res.headers();
    headers.get(TENCENT_REQUEST_ID).or_else(|| headers.get(ALIYUN_REQUEST_ID)).and_then(|v| v.to_str().ok())
}

fn status_code(status: u16) -> http::StatusCode {
    http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
}

/// `text` as a header value: control characters other than tab written `%XX`, so a value taken
/// from the request (a decoded query in a string to sign) cannot break the header.
fn header_text(text: &str) -> http::HeaderValue {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    http::HeaderValue::from_bytes(out.as_bytes()).unwrap_or_else(|_| http::HeaderValue::from_static("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tencent_answers_in_json_with_escaped_slashes() {
        let refusal =
            Refusal::NoRoute { method: "GET".into(), path: "/api/v1".into(), host: "gw.local".into() };
        let res = refusal.response(Flavour::Tencent, "abc");
        assert_eq!(res.status(), 404);
        assert_eq!(
            res.body().as_ref(),
            br#"{"message":"There is no api match uri[\/api\/v1] host [gw.local]"}"#
        );
        assert_eq!(res.headers()["x-api-requestid"], "abc");
        assert!(res.headers().get("x-ca-request-id").is_none());
    }

    #[test]
    fn alibaba_answers_in_headers_with_an_empty_body() {
        let res = Refusal::RateLimited(5).response(Flavour::Aliyun, "ABC");
        assert_eq!(res.status(), 429);
        assert!(res.body().is_empty());
        assert_eq!(res.headers()["x-ca-error-code"], "T429ID");
        assert_eq!(res.headers()["x-ca-error-message"], "Throttled by API Flow Control");
        assert_eq!(res.headers()["x-ca-request-id"], "ABC");
        assert!(res.headers().get("x-api-requestid").is_none());
    }

    #[test]
    fn a_string_to_sign_from_the_request_cannot_break_the_header() {
        let error = AppAuthError::BadSignature("GET\n\n\n\n\n/a?x=\r\nSet-Cookie: y".into());
        let res = Refusal::App(error).response(Flavour::Aliyun, "ABC");
        assert_eq!(
            res.headers()["x-ca-error-message"],
            "Invalid Signature, Server StringToSign:`GET#####/a?x=%0D#Set-Cookie: y`"
        );
        assert!(res.headers().get("set-cookie").is_none());
    }

    #[test]
    fn declared_parameters_are_named_in_each_vendors_words() {
        let missing = |location| Refusal::MissingParam { location, name: "id".into() };
        assert_eq!(missing(Location::Header).tencent(), (403, "header id is required".to_owned()));
        assert_eq!(missing(Location::Query).tencent(), (403, "querystring id is required".to_owned()));
        assert_eq!(missing(Location::Path).tencent(), (403, "path variable id is required".to_owned()));
        assert_eq!(missing(Location::Header).aliyun(), (400, "I400MH", "Header `id` is Required".to_owned()));
        let login = Refusal::LoginRedirect("http://login.local/".into()).response(Flavour::Tencent, "x");
        assert_eq!(login.status(), 302);
        assert_eq!(login.headers()["location"], "http://login.local/");
    }
}
