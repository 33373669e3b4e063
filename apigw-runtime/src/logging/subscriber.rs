//! The default subscriber: a `Targets` filter, a table of open spans, and
//! one line per event on stderr.
//!
//! Written here instead of `tracing-subscriber`'s registry and `fmt` layer,
//! for size: the registry alone, with no layer, added 75 KB to the stripped
//! `hello` over no subscriber at all; this whole subscriber, formatting
//! included, is about 24 KB of code, and `hello` went from 1,694,888 bytes
//! to 1,556,488 (BENCHMARKS.md). A function has a handful of spans open at
//! a time, so a table behind one mutex is enough; the current span is kept
//! per thread.

use super::line::{self, Fields, Format};
use std::cell::RefCell;
use std::sync::{Mutex, PoisonError};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::{Interest, Subscriber};
use tracing::{Event, Metadata};
use tracing_subscriber::filter::Targets;

/// Where finished lines go: stderr, or a buffer in tests.
pub(super) type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

/// The subscriber [`init_default_subscriber`](super::init_default_subscriber) installs.
pub(super) struct Logger {
    filter: Targets,
    max_level: LevelFilter,
    format: Format,
    sink: Sink,
    spans: Mutex<Spans>,
}

/// The open spans; a span's id is its slot's index plus one.
#[derive(Default)]
struct Spans {
    slots: Vec<Option<Span>>,
    free: Vec<usize>,
}

struct Span {
    meta: &'static Metadata<'static>,
    parent: Option<Id>,
    /// Handles to this span, plus one for each open child.
    refs: usize,
    fields: Fields,
}

thread_local! {
    /// The spans entered on this thread, innermost last.
    static ENTERED: RefCell<Vec<Id>> = const { RefCell::new(Vec::new()) };
}

fn current() -> Option<Id> {
    ENTERED.with(|stack| stack.borrow().last().cloned())
}

impl Spans {
    fn get(&self, id: &Id) -> Option<&Span> {
        self.slots.get(slot(id)?)?.as_ref()
    }

    fn get_mut(&mut self, id: &Id) -> Option<&mut Span> {
        self.slots.get_mut(slot(id)?)?.as_mut()
    }

    /// The span `id` and its parents, innermost first.
    fn scope<'a>(&'a self, id: Option<&Id>) -> impl Iterator<Item = &'a Span> + 'a {
        let mut next = id.and_then(|id| self.get(id));
        std::iter::from_fn(move || {
            let span = next?;
            next = span.parent.as_ref().and_then(|p| self.get(p));
            Some(span)
        })
    }

    /// Drops one reference to `id`; a span with none left is removed and
    /// lets go of its parent. True when `id` itself was removed.
    fn release(&mut self, id: &Id) -> bool {
        let mut id = id.clone();
        let mut closed_first = None;
        loop {
            let Some(span) = self.get_mut(&id) else { return closed_first.unwrap_or(false) };
            span.refs -= 1;
            let closed = span.refs == 0;
            closed_first.get_or_insert(closed);
            if !closed {
                return closed_first.unwrap_or(false);
            }
            let Some(i) = slot(&id) else { return true };
            let parent = self.slots[i].take().and_then(|span| span.parent);
            self.free.push(i);
            match parent {
                Some(parent) => id = parent,
                None => return true,
            }
        }
    }
}

fn slot(id: &Id) -> Option<usize> {
    usize::try_from(id.into_u64()).ok()?.checked_sub(1)
}

impl Logger {
    /// A subscriber logging what `filter` enables in `format` to `sink`.
    pub(super) fn new(filter: Targets, format: Format, sink: Sink) -> Logger {
        let max_level = filter.iter().map(|(_, level)| level).chain(filter.default_level()).max();
        let max_level = max_level.unwrap_or(LevelFilter::OFF);
        Logger { filter, max_level, format, sink, spans: Mutex::default() }
    }

    fn spans(&self) -> std::sync::MutexGuard<'_, Spans> {
        self.spans.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Subscriber for Logger {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if self.enabled(meta) { Interest::always() } else { Interest::never() }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        self.filter.would_enable(meta.target(), meta.level())
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max_level)
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let parent = match attrs.parent() {
            Some(parent) => Some(parent.clone()),
            None if attrs.is_contextual() => current(),
            None => None,
        };
        // Formatted before the lock is taken: a `Debug` impl may log.
        let mut fields = Fields::default();
        self.format.record(&mut fields, |v| attrs.record(v));
        let mut spans = self.spans();
        let parent = parent.filter(|p| match spans.get_mut(p) {
            Some(span) => {
                span.refs += 1;
                true
            }
            None => false,
        });
        let span = Span { meta: attrs.metadata(), parent, refs: 1, fields };
        let i = match spans.free.pop() {
            Some(i) => {
                spans.slots[i] = Some(span);
                i
            }
            None => {
                spans.slots.push(Some(span));
                spans.slots.len() - 1
            }
        };
        Id::from_u64(i as u64 + 1)
    }

    fn record(&self, id: &Id, values: &Record<'_>) {
        // Taken out and put back, so that no caller's code runs under the lock.
        let Some(mut fields) = self.spans().get_mut(id).map(|span| std::mem::take(&mut span.fields)) else {
            return;
        };
        self.format.record(&mut fields, |v| values.record(v));
        if let Some(span) = self.spans().get_mut(id) {
            span.fields = fields;
        }
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let line = self.format.line(event, |out, format| {
            let own = match event.parent() {
                Some(parent) => Some(parent.clone()),
                None if event.is_contextual() => current(),
                None => None,
            };
            let spans = self.spans();
            match format {
                Format::Text => {
                    let scope: Vec<&Span> = spans.scope(own.as_ref()).collect();
                    for span in scope.iter().rev() {
                        line::text_span(out, span.meta.name(), &span.fields);
                    }
                    if !scope.is_empty() {
                        out.push(b' ');
                    }
                }
                Format::Json => {
                    // As `fmt`'s JSON: "span" is the event's span (or the
                    // current one), "spans" the current span's scope.
                    let own = own.or_else(current);
                    let Some(span) = own.as_ref().and_then(|id| spans.get(id)) else { return };
                    out.extend_from_slice(b",\"span\":");
                    line::json_span(out, span.meta.name(), &span.fields);
                    out.extend_from_slice(b",\"spans\":[");
                    let scope: Vec<&Span> = spans.scope(current().as_ref()).collect();
                    for (i, span) in scope.iter().rev().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        line::json_span(out, span.meta.name(), &span.fields);
                    }
                    out.push(b']');
                }
            }
        });
        (self.sink)(&line);
    }

    fn enter(&self, id: &Id) {
        ENTERED.with(|stack| stack.borrow_mut().push(id.clone()));
    }

    fn exit(&self, id: &Id) {
        ENTERED.with(|stack| {
            let mut stack = stack.borrow_mut();
            if let Some(i) = stack.iter().rposition(|entered| entered == id) {
                stack.remove(i);
            }
        });
    }

    fn clone_span(&self, id: &Id) -> Id {
        if let Some(span) = self.spans().get_mut(id) {
            span.refs += 1;
        }
        id.clone()
    }

    fn try_close(&self, id: Id) -> bool {
        self.spans().release(&id)
    }

    fn current_span(&self) -> tracing_core::span::Current {
        let Some(id) = current() else { return tracing_core::span::Current::none() };
        match self.spans().get(&id) {
            Some(span) => tracing_core::span::Current::new(id, span.meta),
            None => tracing_core::span::Current::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::{Dispatch, Instrument, info_span};

    fn logger() -> Dispatch {
        let filter = Targets::new().with_default(tracing::Level::INFO);
        Dispatch::new(Logger::new(filter, Format::Json, Box::new(|_| {})))
    }

    fn open(dispatch: &Dispatch) -> usize {
        let logger = dispatch.downcast_ref::<Logger>().expect("a Logger");
        logger.spans().slots.iter().filter(|s| s.is_some()).count()
    }

    #[test]
    fn closed_spans_leave_the_table_and_their_slots_are_reused() {
        let dispatch = logger();
        tracing::dispatcher::with_default(&dispatch, || {
            for i in 0..100 {
                let span = info_span!("invocation", request_id = i);
                let _entered = span.enter();
                let child = info_span!("child");
                let handle = child.clone();
                drop(child);
                let _in_child = handle.enter();
                assert_eq!(tracing::Span::current().metadata().map(|m| m.name()), Some("child"));
                assert_eq!(open(&dispatch), 2);
            }
            // A child keeps its parent open after the parent's handle is gone.
            let child = info_span!("invocation").in_scope(|| info_span!("child"));
            assert_eq!(open(&dispatch), 2);
            drop(child);
        });
        assert_eq!(open(&dispatch), 0);
        let logger = dispatch.downcast_ref::<Logger>().unwrap();
        assert_eq!(logger.spans().slots.len(), 2);
        assert_eq!(tracing::Span::current().id(), None);
    }

    #[test]
    fn a_future_runs_in_its_span_and_leaves_it_on_each_poll() {
        let dispatch = logger();
        tracing::dispatcher::with_default(&dispatch, || {
            let future = async { tracing::Span::current().metadata().map(|m| m.name()) };
            let name = futures_poll_once(future.instrument(info_span!("invocation")));
            assert_eq!(name, Some(Some("invocation")));
            assert!(tracing::Span::current().is_none());
        });
        assert_eq!(open(&dispatch), 0);
    }

    /// Polls `future` once with a waker that does nothing.
    fn futures_poll_once<F: std::future::Future>(future: F) -> Option<F::Output> {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => Some(out),
            std::task::Poll::Pending => None,
        }
    }
}
