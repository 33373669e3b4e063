//! [`Handler`]: what [`run`](crate::run) accepts — async fns over the event,
//! the [`Context`] and extractors, and tower services over
//! `http::Request<Body>`.

use crate::args::{Arg, FirstArg};
use crate::invoke::{App, BoxFuture, Failure, Reply};
use crate::{Context, assemble};
use apigw_events::{Body, HttpError, IntoResponse, Request};
use bytes::Bytes;
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::{Any, TypeId};
use std::fmt::Display;
use std::future::Future;

/// Something the runtime can run for each invocation.
///
/// Implemented for:
/// - async fns of up to six arguments returning `Result<R, Err>`, where the
///   first argument may be the event (a vendor event, [`Request`],
///   `http::Request<Body>`, your own `Deserialize` struct) and any argument
///   the [`Context`] or an [extractor](crate::extract) (`Json<T>`,
///   `Query<T>`, `Path<T>`, …), `R: IntoResponse` and `Err: Display`;
/// - [`passthrough`]`(f)` for such fns whose `R: Serialize`;
/// - [`service`]`(s)` for any `tower::Service<http::Request<Body>>` that
///   answers `http::Response<B>`, such as an axum `Router`.
///
/// A handler error that is an [`HttpError`] (or one boxed as
/// `Box<dyn Error + Send + Sync>`) answers the caller with its status and
/// body in integration mode, as does an extractor that refuses the request;
/// any other error fails the invocation (a 502 at the gateway).
///
/// ```
/// use apigw_runtime::{Context, Handler, HttpError, Json, Request, testing};
///
/// async fn hello(req: Request, ctx: Context) -> Result<String, HttpError> {
///     match req.query("name") {
///         Some(name) => Ok(format!("hello {name} ({})", ctx.request_id)),
///         None => Err(HttpError::bad_request("`name` is required")),
///     }
/// }
///
/// fn runs<M>(_: impl Handler<M>) {}
/// runs(hello);
/// let res = testing::invoke(hello, Request::default()).response().unwrap();
/// assert_eq!(res.status_code, 400);
/// ```
///
/// The `M` parameter only tells the shapes apart; it is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an apigw handler",
    label = "not an async fn over the event or extractors returning `Result<impl IntoResponse, impl Display>`",
    note = "a handler is an async fn of up to six arguments returning `Result<R, E>`: the first may be the event (`Request`, a vendor event, `http::Request<Body>`, a `Deserialize` type), any may be the `Context` or an extractor (`Json<T>`, `Query<T>`, `Path<T>`, …); `R: IntoResponse` (or `R: Serialize` wrapped in `passthrough(..)`) and `E: Display`; a tower service goes in `service(..)`"
)]
pub trait Handler<M>: Send + Sync + 'static {
    /// Makes the handler ready to run.
    #[doc(hidden)]
    fn into_app(self) -> App;
}

/// Marker types that tell the [`Handler`] shapes apart.
#[doc(hidden)]
pub mod markers {
    #![allow(missing_docs, missing_debug_implementations)]
    use std::marker::PhantomData;
    /// An async fn: its value, its error, and each argument with its kind.
    pub struct Fn<R, Err, Args>(PhantomData<fn() -> R>, PhantomData<fn() -> Err>, PhantomData<fn() -> Args>);
    pub struct PassthroughMode<M>(PhantomData<M>);
    pub struct TowerService<B>(PhantomData<fn() -> B>);
    pub struct Built;
}

pub(crate) fn decode<E: DeserializeOwned + 'static>(event: &[u8]) -> Result<E, Failure> {
    // `Request` reads faster through its own entry point than through its
    // `Deserialize` impl, which must go by way of a `serde_json::Value`.
    if TypeId::of::<E>() == TypeId::of::<Request>() {
        let request = Request::from_slice(event).map_err(|e| Failure::InvalidEvent(e.to_string()))?;
        // Through an `Option` on the stack: no box to allocate and move into.
        let mut slot = Some(request);
        if let Some(request) = (&mut slot as &mut dyn Any).downcast_mut::<Option<E>>().and_then(Option::take)
        {
            return Ok(request);
        }
    }
    // Tracking the path costs time: only an event that fails pays for it.
    // UTF-8 is checked once for the whole text rather than string by string.
    if let Ok(text) = std::str::from_utf8(event)
        && let Ok(event) = serde_json::from_str(text)
    {
        return Ok(event);
    }
    let de = &mut serde_json::Deserializer::from_slice(event);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let what = std::any::type_name::<E>();
        Failure::InvalidEvent(format!("event is not a valid `{what}` at `{}`: {}", e.path(), e.inner()))
    })
}

pub(crate) fn decode_http(event: &[u8]) -> Result<http::Request<Body>, Failure> {
    let req = Request::from_slice(event).map_err(|e| Failure::InvalidEvent(e.to_string()))?;
    http::Request::try_from(req).map_err(|e| Failure::InvalidEvent(e.to_string()))
}

/// An [`HttpError`] (also boxed as `Box<dyn Error + Send + Sync>`) answers
/// with its own response; any other error fails the invocation.
pub(crate) fn answered<Err: Display + 'static>(
    err: Err,
) -> Result<apigw_events::IntegrationResponse, Failure> {
    let mut slot = Some(err);
    let any = &mut slot as &mut dyn Any;
    if let Some(e) = any.downcast_mut::<Option<HttpError>>().and_then(Option::take) {
        return Ok(e.into_response());
    }
    if let Some(boxed) = any.downcast_mut::<Option<BoxError>>().and_then(Option::take) {
        return match boxed.downcast::<HttpError>() {
            Ok(e) => Ok(e.into_response()),
            Err(other) => Err(Failure::handler(other)),
        };
    }
    match slot {
        Some(e) => Err(Failure::handler(e)),
        None => Err(Failure::InvalidResponse("the handler's error was lost".into())),
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

macro_rules! fn_handlers {
    ($build:ident, [$($t:ident $m:ident $check:ident $kind:ident),*]) => {
        impl<F, Fut, R, Err $(, $t, $m)*> Handler<markers::Fn<R, Err, ($(($t, $m),)*)>> for F
        where
            F: Fn($($t),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<R, Err>> + Send + 'static,
            R: IntoResponse + 'static,
            Err: Display + 'static,
            $($t: $kind<$m> + 'static,)*
        {
            fn into_app(self) -> App {
                assemble::$build(self $(, assemble::$check::<$t, $m>())*, assemble::response(), assemble::error())
                    .into_app()
            }
        }

        #[diagnostic::do_not_recommend]
        impl<F, Fut, R, Err $(, $t, $m)*> Handler<markers::PassthroughMode<markers::Fn<R, Err, ($(($t, $m),)*)>>>
            for Passthrough<F>
        where
            F: Fn($($t),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<R, Err>> + Send + 'static,
            R: Serialize + 'static,
            Err: Display + 'static,
            $($t: $kind<$m> + 'static,)*
        {
            fn into_app(self) -> App {
                let f = self.0;
                assemble::$build(f $(, assemble::$check::<$t, $m>())*, assemble::passthrough_value(), assemble::error())
                    .into_app()
            }
        }
    };
}

fn_handlers!(app0, []);
fn_handlers!(app1, [T1 M1 first FirstArg]);
fn_handlers!(app2, [T1 M1 first FirstArg, T2 M2 arg Arg]);
fn_handlers!(app3, [T1 M1 first FirstArg, T2 M2 arg Arg, T3 M3 arg Arg]);
fn_handlers!(app4, [T1 M1 first FirstArg, T2 M2 arg Arg, T3 M3 arg Arg, T4 M4 arg Arg]);
fn_handlers!(app5, [T1 M1 first FirstArg, T2 M2 arg Arg, T3 M3 arg Arg, T4 M4 arg Arg, T5 M5 arg Arg]);
fn_handlers!(app6, [T1 M1 first FirstArg, T2 M2 arg Arg, T3 M3 arg Arg, T4 M4 arg Arg, T5 M5 arg Arg, T6 M6 arg Arg]);

/// Runs a handler in passthrough mode: its `Serialize` value is the HTTP
/// body, as JSON, and the gateway answers 200.
///
/// ```no_run
/// use apigw_runtime::{Error, passthrough, events::Request};
///
/// async fn now(_req: Request) -> Result<serde_json::Value, std::convert::Infallible> {
///     Ok(serde_json::json!({"ok": true}))
/// }
///
/// # async fn start() -> Result<(), Error> {
/// apigw_runtime::run(passthrough(now)).await
/// # }
/// ```
pub fn passthrough<F>(handler: F) -> Passthrough<F> {
    Passthrough(handler)
}

/// A handler in passthrough mode; see [`passthrough`].
#[derive(Clone, Debug)]
pub struct Passthrough<F>(F);

/// Runs any `tower::Service<http::Request<Body>>` that answers
/// `http::Response<B>` — an axum `Router`, a tower stack — as the handler.
/// The gateway's [`GatewayContext`](apigw_events::GatewayContext) and the
/// [`Context`] travel in the request's extensions.
///
/// ```no_run
/// use apigw_runtime::{Error, service};
/// use axum::{Router, routing::get};
///
/// # async fn start() -> Result<(), Error> {
/// let app = Router::new().route("/", get(|| async { "hi" }));
/// apigw_runtime::run(service(app)).await
/// # }
/// ```
pub fn service<S>(service: S) -> ServiceHandler<S> {
    ServiceHandler(service)
}

/// A tower service as a handler; see [`service`].
#[derive(Clone, Debug)]
pub struct ServiceHandler<S>(S);

#[diagnostic::do_not_recommend]
impl<S, B> Handler<markers::TowerService<B>> for ServiceHandler<S>
where
    S: tower_service::Service<http::Request<Body>, Response = http::Response<B>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    S::Error: Display + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Display,
{
    fn into_app(self) -> App {
        let svc = self.0;
        App::new(move |event: Bytes, ctx: Context| -> BoxFuture<Result<Reply, Failure>> {
            let mut svc = svc.clone();
            let req = decode_http(&event);
            Box::pin(async move {
                let mut req = req?;
                req.extensions_mut().insert(ctx);
                std::future::poll_fn(|cx| svc.poll_ready(cx)).await.map_err(Failure::handler)?;
                let res = svc.call(req).await.map_err(Failure::handler)?;
                let (parts, body) = res.into_parts();
                let bytes = body.collect().await.map_err(|e| {
                    Failure::InvalidResponse(format!("the service's response body failed: {e}"))
                })?;
                let res = http::Response::from_parts(parts, Body::from(bytes.to_bytes()));
                Ok(Reply::Integration(res.into_response()))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Order {
        id: u32,
        note: String,
    }

    #[test]
    fn decode_reads_the_authors_type_and_names_the_field_that_failed() {
        assert_eq!(
            decode::<Order>(br#"{"id": 7, "note": "caf\u00e9"}"#),
            Ok(Order { id: 7, note: "café".into() })
        );
        let Err(Failure::InvalidEvent(message)) = decode::<Order>(br#"{"id": "seven", "note": ""}"#) else {
            panic!("a wrong type is an invalid event")
        };
        assert!(message.contains("at `id`") && message.contains("Order"), "{message}");
    }

    #[test]
    fn decode_refuses_bytes_that_are_not_utf8() {
        let Err(Failure::InvalidEvent(message)) = decode::<Order>(b"{\"id\": 7, \"note\": \"\xff\"}") else {
            panic!("invalid UTF-8 is an invalid event")
        };
        assert!(message.contains("at `note`"), "{message}");
        let request = decode::<Request>(b"{\"path\": \"/\", \"httpMethod\": \"GET\", \"body\": \"\xff\"}");
        assert!(matches!(request, Err(Failure::InvalidEvent(_))), "{request:?}");
    }

    #[test]
    fn an_http_error_answers_its_status_and_a_plain_error_fails_the_invocation() {
        let Ok(res) = answered(HttpError::bad_request("no item")) else { panic!("an HttpError answers") };
        assert_eq!((res.status_code, res.body.as_str()), (400, r#"{"message":"no item"}"#));
        let boxed: BoxError = Box::new(HttpError::new(409, "taken"));
        let Ok(res) = answered(boxed) else { panic!("a boxed HttpError answers") };
        assert_eq!(res.status_code, 409);
        let plain = answered(std::io::Error::other("disk"));
        assert!(matches!(&plain, Err(Failure::Handler { message, .. }) if message == "disk"), "{plain:?}");
        let boxed: BoxError = "a plain boxed error".into();
        assert!(matches!(answered(boxed), Err(Failure::Handler { .. })));
    }

    #[test]
    fn decode_reads_a_request_through_its_own_entry_point() {
        let request =
            decode::<Request>(br#"{"requestContext": {}, "path": "/a", "httpMethod": "PUT"}"#).unwrap();
        assert_eq!((request.method.as_str(), request.path.as_str()), ("PUT", "/a"));
    }
}
