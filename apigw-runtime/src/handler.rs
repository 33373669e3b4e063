//! [`Handler`]: what [`run`](crate::run) accepts — async fns over an event
//! (and a [`Context`]), and tower services over `http::Request<Body>`.

use crate::Context;
use crate::invoke::{App, BoxFuture, Failure, Reply};
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
/// - `async fn(E) -> Result<R, Err>` and `async fn(E, Context) -> Result<R, Err>`
///   where `E: DeserializeOwned` (a vendor event, [`Request`], your own
///   struct), `R: IntoResponse` and `Err: Display`;
/// - the same with `E = http::Request<Body>`;
/// - [`passthrough`]`(f)` for such fns whose `R: Serialize`;
/// - [`service`]`(s)` for any `tower::Service<http::Request<Body>>` that
///   answers `http::Response<B>`, such as an axum `Router`.
///
/// A handler error that is an [`HttpError`] (or one boxed as
/// `Box<dyn Error + Send + Sync>`) answers the caller with its status and
/// body in integration mode; any other error fails the invocation (a 502 at
/// the gateway).
///
/// The `M` parameter only tells the shapes apart; it is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an apigw handler",
    label = "not an async fn over an event returning `Result<impl IntoResponse, impl Display>`",
    note = "a handler is an async fn taking `(Event)` or `(Event, Context)` and returning `Result<R, E>` where `Event: DeserializeOwned` (or `http::Request<Body>`), `R: IntoResponse` (or `R: Serialize` wrapped in `passthrough(..)`) and `E: Display`; a tower service goes in `service(..)`"
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
    pub struct Event<E, R, Err>(PhantomData<fn(E) -> (R, Err)>);
    pub struct EventContext<E, R, Err>(PhantomData<fn(E) -> (R, Err)>);
    pub struct Http<E, R, Err>(PhantomData<fn(E) -> (R, Err)>);
    pub struct HttpContext<E, R, Err>(PhantomData<fn(E) -> (R, Err)>);
    pub struct PassthroughMode<M>(PhantomData<M>);
    pub struct TowerService<B>(PhantomData<fn() -> B>);
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

fn integration<R: IntoResponse, Err: Display + 'static>(out: Result<R, Err>) -> Result<Reply, Failure> {
    match out {
        Ok(r) => Ok(Reply::Integration(r.into_response())),
        Err(e) => answered(e).map(Reply::Integration),
    }
}

/// An [`HttpError`] (also boxed as `Box<dyn Error + Send + Sync>`) answers
/// with its own response; any other error fails the invocation.
fn answered<Err: Display + 'static>(err: Err) -> Result<apigw_events::IntegrationResponse, Failure> {
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

fn passthrough_reply<R: Serialize, Err: Display>(out: Result<R, Err>) -> Result<Reply, Failure> {
    let value = out.map_err(Failure::handler)?;
    serde_json::to_vec(&value)
        .map(Reply::Passthrough)
        .map_err(|e| Failure::InvalidResponse(format!("the handler's value cannot be serialized: {e}")))
}

/// Builds an [`App`] from a decoder, the author's fn and a way to reply.
fn app<E, F, Fut, Out>(
    decode: fn(&[u8]) -> Result<E, Failure>,
    call: F,
    reply: fn(Out) -> Result<Reply, Failure>,
) -> App
where
    E: 'static,
    F: Fn(E, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Out> + Send + 'static,
    Out: 'static,
{
    App::new(move |event: Bytes, ctx: Context| -> BoxFuture<Result<Reply, Failure>> {
        match decode(&event) {
            Ok(e) => {
                let fut = call(e, ctx);
                Box::pin(async move { reply(fut.await) })
            }
            Err(f) => Box::pin(async move { Err(f) }),
        }
    })
}

macro_rules! fn_handlers {
    ($marker:ident, $event:ty, $decode:expr, [$($g:ident),*], ($($arg:ident),*)) => {
        impl<F, Fut, R, Err $(, $g)*> Handler<markers::$marker<$event, R, Err>> for F
        where
            F: Fn($event $(, fn_handlers!(@ty $arg))*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<R, Err>> + Send + 'static,
            R: IntoResponse + 'static,
            Err: Display + 'static,
            $($g: DeserializeOwned + Send + 'static,)*
        {
            fn into_app(self) -> App {
                app($decode, move |e, _ctx| (self)(e $(, fn_handlers!(@val $arg _ctx))*), integration)
            }
        }

        #[diagnostic::do_not_recommend]
        impl<F, Fut, R, Err $(, $g)*> Handler<markers::PassthroughMode<markers::$marker<$event, R, Err>>>
            for Passthrough<F>
        where
            F: Fn($event $(, fn_handlers!(@ty $arg))*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<R, Err>> + Send + 'static,
            R: Serialize + 'static,
            Err: Display + 'static,
            $($g: DeserializeOwned + Send + 'static,)*
        {
            fn into_app(self) -> App {
                let f = self.0;
                app($decode, move |e, _ctx| f(e $(, fn_handlers!(@val $arg _ctx))*), passthrough_reply)
            }
        }
    };
    (@ty ctx) => { Context };
    (@val ctx $c:ident) => { $c };
}

fn_handlers!(Event, E, decode::<E>, [E], ());
fn_handlers!(EventContext, E, decode::<E>, [E], (ctx));
fn_handlers!(Http, http::Request<Body>, decode_http, [], ());
fn_handlers!(HttpContext, http::Request<Body>, decode_http, [], (ctx));

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
        let Ok(Reply::Integration(res)) = integration::<&str, _>(Err(HttpError::bad_request("no item")))
        else {
            panic!("an HttpError answers")
        };
        assert_eq!((res.status_code, res.body.as_str()), (400, r#"{"message":"no item"}"#));
        let boxed: BoxError = Box::new(HttpError::new(409, "taken"));
        let Ok(Reply::Integration(res)) = integration::<&str, _>(Err(boxed)) else {
            panic!("a boxed HttpError answers")
        };
        assert_eq!(res.status_code, 409);
        let plain = integration::<&str, _>(Err(std::io::Error::other("disk")));
        assert!(matches!(&plain, Err(Failure::Handler { message, .. }) if message == "disk"), "{plain:?}");
        let boxed: BoxError = "a plain boxed error".into();
        assert!(matches!(integration::<&str, _>(Err(boxed)), Err(Failure::Handler { .. })));
    }

    #[test]
    fn decode_reads_a_request_through_its_own_entry_point() {
        let request =
            decode::<Request>(br#"{"requestContext": {}, "path": "/a", "httpMethod": "PUT"}"#).unwrap();
        assert_eq!((request.method.as_str(), request.path.as_str()), ("PUT", "/a"));
    }
}
