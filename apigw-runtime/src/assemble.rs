//! Building an [`App`] from an author's fn, one argument at a time.
//!
//! The [`Handler`](crate::Handler) impls and `#[handler]`'s expansion both
//! come here. Each argument, the value and the error is checked by its own
//! function ([`first`], [`arg`], [`response`], [`error`]), which hands back
//! the code that reads or answers it; the builders (`app0` … `app6`) ask
//! nothing more of those types. So the expansion, which calls each check at
//! the author's own tokens, reports a mistake once, there, naming the type.

use crate::args::{Arg, FirstArg, Input, Refusal, Why};
use crate::invoke::{App, BoxFuture, Failure, Reply};
use crate::{Context, Handler, handler, markers};
use apigw_events::IntoResponse;
use bytes::Bytes;
use serde::Serialize;
use std::fmt::Display;
use std::future::Future;

/// How one argument is read.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct Extract<T>(fn(&mut Input<'_>) -> Result<T, Refusal>);

impl<T> Clone for Extract<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Extract<T> {}

/// Checks and reads a first argument.
#[doc(hidden)]
pub fn first<T: FirstArg<M>, M>() -> Extract<T> {
    Extract(<T as FirstArg<M>>::take)
}

/// Checks and reads a later argument.
#[doc(hidden)]
pub fn arg<T: Arg<M>, M>() -> Extract<T> {
    Extract(<T as Arg<M>>::take)
}

/// How the handler's value is answered, and in which mode.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct Answer<R> {
    reply: fn(R) -> Result<Reply, Failure>,
    integration: bool,
}

impl<R> Clone for Answer<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Answer<R> {}

impl<R> Answer<R> {
    /// An argument that could not be read: an extractor's refusal is
    /// answered in integration mode and fails the invocation otherwise.
    fn refused(self, refusal: Refusal) -> Result<Reply, Failure> {
        match refusal.0 {
            Why::Event(failure) => Err(failure),
            Why::Answer(e) if self.integration => Ok(Reply::Integration(e.into_response())),
            Why::Answer(e) => Err(Failure::handler(e)),
        }
    }
}

/// Integration mode: the value is the integration response.
#[doc(hidden)]
pub fn response<R: ResponseValue>() -> Answer<R> {
    Answer { reply: |r| Ok(Reply::Integration(r.into_response())), integration: true }
}

/// Passthrough mode: the value, as JSON, is the HTTP body.
#[doc(hidden)]
pub fn passthrough_value<R: PassthroughValue>() -> Answer<R> {
    Answer {
        reply: |value| {
            serde_json::to_vec(&value).map(Reply::Passthrough).map_err(|e| {
                Failure::InvalidResponse(format!("the handler's value cannot be serialized: {e}"))
            })
        },
        integration: false,
    }
}

/// How the handler's error is answered.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct Fault<E>(fn(E, bool) -> Result<Reply, Failure>);

impl<E> Clone for Fault<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Fault<E> {}

/// An error that carries a response answers with it in integration mode;
/// any other fails the invocation.
#[doc(hidden)]
pub fn error<E: HandlerError + 'static>() -> Fault<E> {
    Fault(
        |e, integration| {
            if integration { handler::answered(e).map(Reply::Integration) } else { Err(Failure::handler(e)) }
        },
    )
}

/// A value a handler returns in integration mode.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned as an API Gateway integration response",
    label = "this type does not implement `IntoResponse`",
    note = "return an `IntegrationResponse`, `String`, `&'static str`, `Vec<u8>`, `serde_json::Value`, `http::Response<B>` or `(http::StatusCode, T)`; wrap any `Serialize` value in `Json(..)`, or use passthrough mode"
)]
#[doc(hidden)]
pub trait ResponseValue: IntoResponse {}
impl<T: IntoResponse> ResponseValue for T {}

/// A passthrough handler's value must serialize to JSON.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned in passthrough mode",
    label = "this type does not implement `serde::Serialize`",
    note = "passthrough mode sends the handler's value as JSON: derive `serde::Serialize`, or use integration mode with an `IntoResponse` type"
)]
#[doc(hidden)]
pub trait PassthroughValue: Serialize {}
impl<T: Serialize> PassthroughValue for T {}

/// A handler's error must display.
#[diagnostic::on_unimplemented(
    message = "the handler's error type `{Self}` does not implement `Display`",
    label = "the runtime reports errors by their message",
    note = "use `HttpError` to answer with a status, or `anyhow::Error`, `Box<dyn std::error::Error>`, or any type that implements `std::fmt::Display`"
)]
#[doc(hidden)]
pub trait HandlerError: Display {}
impl<T: Display> HandlerError for T {}

/// An app built from an author's fn; see the module's doc.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct Built(App);

impl Handler<markers::Built> for Built {
    fn into_app(self) -> App {
        self.0
    }
}

macro_rules! builders {
    ($($name:ident($($t:ident $a:ident),*);)*) => {$(
        /// Builds the app of a fn with this many arguments.
        #[doc(hidden)]
        // One check per argument of the author's fn, and two for its result.
        #[allow(clippy::too_many_arguments)]
        pub fn $name<F, Fut, R, E $(, $t)*>(f: F, $($a: Extract<$t>,)* answer: Answer<R>, fault: Fault<E>) -> Built
        where
            F: Fn($($t),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<R, E>> + Send + 'static,
            R: 'static,
            E: 'static,
            $($t: 'static,)*
        {
            Built(App::new(move |event: Bytes, ctx: Context| -> BoxFuture<Result<Reply, Failure>> {
                #[allow(unused_mut, unused_variables)]
                let mut input = Input::new(&event, &ctx);
                $(
                    let $a = match ($a.0)(&mut input) {
                        Ok(value) => value,
                        Err(refusal) => {
                            let outcome = answer.refused(refusal);
                            return Box::pin(async move { outcome });
                        }
                    };
                )*
                drop(input);
                let fut = f($($a),*);
                Box::pin(async move {
                    match fut.await {
                        Ok(value) => (answer.reply)(value),
                        Err(e) => (fault.0)(e, answer.integration),
                    }
                })
            }))
        }
    )*};
}

builders! {
    app0();
    app1(T1 a1);
    app2(T1 a1, T2 a2);
    app3(T1 a1, T2 a2, T3 a3);
    app4(T1 a1, T2 a2, T3 a3, T4 a4);
    app5(T1 a1, T2 a2, T3 a3, T4 a4, T5 a5);
    app6(T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6);
}
