//! What a handler's arguments may be, and how each is read from one
//! invocation: the first may be the event itself; every argument may be the
//! [`Context`] or an extractor ([`FromRequest`]).
//!
//! The kinds are told apart by a marker type, so that a `Deserialize` event
//! and an extractor never compete for the same argument: the extractors are
//! not `Deserialize`.

use crate::extract::FromRequest;
use crate::invoke::Failure;
use crate::{Context, handler};
use apigw_events::{Body, HttpError, Request};

/// One invocation's inputs, as the arguments are read from them: the raw
/// event, the context, and the [`Request`] the extractors share, read from
/// the event the first time one asks.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct Input<'a> {
    event: &'a [u8],
    ctx: &'a Context,
    request: Option<Request>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(event: &'a [u8], ctx: &'a Context) -> Self {
        Input { event, ctx, request: None }
    }

    fn request(&mut self) -> Result<&Request, Refusal> {
        let request = match self.request.take() {
            Some(request) => request,
            None => Request::from_slice(self.event)
                .map_err(|e| Refusal(Why::Event(Failure::InvalidEvent(e.to_string()))))?,
        };
        Ok(self.request.insert(request))
    }
}

/// Why an argument could not be read.
#[doc(hidden)]
#[derive(Debug)]
pub struct Refusal(pub(crate) Why);

#[derive(Debug)]
pub(crate) enum Why {
    /// The event is not what the argument reads: an invocation error.
    Event(Failure),
    /// An extractor refused the request: answered with its status in
    /// integration mode.
    Answer(HttpError),
}

/// Marker types naming the kind of an argument.
#[doc(hidden)]
pub mod kinds {
    #![allow(missing_docs, missing_debug_implementations)]
    use std::marker::PhantomData;
    pub struct Event;
    pub struct HttpEvent;
    pub struct Invocation;
    pub struct Extractor;
    pub struct Later<M>(PhantomData<M>);
}

/// What a handler's first argument may be: the event, or anything a later
/// argument may be.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler's argument",
    label = "not an event, a `Context` or an extractor",
    note = "a handler's first argument may be the event: `Request`, a vendor event from `apigw_runtime::events`, `http::Request<Body>`, or your own type deriving `serde::Deserialize`; any argument may be the `Context` or an extractor (`Json<T>`, `Query<T>`, `Path<T>`, `Headers`, `GatewayContext`, or your own `FromRequest` type; `Json<T>`, `Query<T>` and `Path<T>` need `T: serde::Deserialize`); arguments are taken by value"
)]
#[doc(hidden)]
pub trait FirstArg<M>: Sized {
    /// Reads the argument.
    fn take(input: &mut Input<'_>) -> Result<Self, Refusal>;
}

/// What a handler's second and later arguments may be: the [`Context`] or
/// an extractor.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler's argument after the first",
    label = "not a `Context` or an extractor",
    note = "only the first argument may be the event (`Request`, a vendor event, `http::Request<Body>`, your own `Deserialize` type); later ones are the `Context` or extractors (`Json<T>`, `Query<T>`, `Path<T>`, `Headers`, `GatewayContext`, or your own `FromRequest` type; `Json<T>`, `Query<T>` and `Path<T>` need `T: serde::Deserialize`), taken by value"
)]
#[doc(hidden)]
pub trait Arg<M>: Sized {
    /// Reads the argument.
    fn take(input: &mut Input<'_>) -> Result<Self, Refusal>;
}

impl<T: serde::de::DeserializeOwned + 'static> FirstArg<kinds::Event> for T {
    fn take(input: &mut Input<'_>) -> Result<Self, Refusal> {
        handler::decode::<T>(input.event).map_err(|f| Refusal(Why::Event(f)))
    }
}

impl FirstArg<kinds::HttpEvent> for http::Request<Body> {
    fn take(input: &mut Input<'_>) -> Result<Self, Refusal> {
        handler::decode_http(input.event).map_err(|f| Refusal(Why::Event(f)))
    }
}

impl<T: Arg<M>, M> FirstArg<kinds::Later<M>> for T {
    fn take(input: &mut Input<'_>) -> Result<Self, Refusal> {
        <T as Arg<M>>::take(input)
    }
}

impl Arg<kinds::Invocation> for Context {
    fn take(input: &mut Input<'_>) -> Result<Self, Refusal> {
        Ok(input.ctx.clone())
    }
}

impl<T: FromRequest> Arg<kinds::Extractor> for T {
    fn take(input: &mut Input<'_>) -> Result<Self, Refusal> {
        let ctx = input.ctx;
        let request = input.request()?;
        T::from_request(request, ctx).map_err(|e| Refusal(Why::Answer(e)))
    }
}
