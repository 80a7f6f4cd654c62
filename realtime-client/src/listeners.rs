//! Callbacks for code that prefers them to a loop: `on` / `once` / `off`
//! per event (named by its payload type, so that a listener cannot name an
//! event the surface does not have) or predicate, a catch-all, and error
//! listeners, like `addEventListener` / `removeEventListener`.
//!
//! Handlers run on the task that calls [`RealtimeReceiver::run`], one event
//! at a time, in registration order. A panic in a handler is not caught: it
//! unwinds out of `run`, like any panic in the caller's code.

use realtime_types::{Event as _, EventOf};

use crate::client::{RealtimeReceiver, Received};
use crate::error::{Error, ServerError};
use crate::reconnect::Reconnected;
use crate::surface::Surface;

/// Identifies a listener, for [`Listeners::off`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(u64);

/// What error listeners hear about.
#[derive(Debug)]
pub enum ErrorSignal<'a> {
    /// The server sent an `error` event (the session goes on).
    Server(&'a ServerError),
    /// The transport reported an error (a frame that is not an event, or the end of the session).
    Transport(&'a Error),
}

type Handler<E> = Box<dyn FnMut(&E) + Send>;
type ErrorHandler = Box<dyn for<'a> FnMut(ErrorSignal<'a>) + Send>;
type ReconnectHandler = Box<dyn FnMut(&Reconnected) + Send>;
type Predicate<E> = Box<dyn Fn(&E) -> bool + Send>;

enum Filter<E> {
    /// Events of this `type` (a `type` of the surface, from [`EventOf`]).
    Type(&'static str),
    Where(Predicate<E>),
    Any,
}

struct Listener<E> {
    id: ListenerId,
    filter: Filter<E>,
    once: bool,
    handler: Handler<E>,
}

/// A set of listeners for the server events of surface `S`.
///
/// ```
/// use realtime_client::types::ga::server;
/// use realtime_client::{Ga, Listeners};
///
/// let mut listeners: Listeners<Ga> = Listeners::new();
/// listeners.on::<server::ResponseOutputTextDelta>(|delta| print!("{}", delta.delta));
/// listeners.once::<server::ResponseDone>(|done| println!("{:?}", done.response.status));
/// ```
///
/// A listener cannot name an event its surface does not have: GA's text
/// deltas are `response.output_text.delta`, and the beta server's
/// `response.text.delta` does not compile on GA listeners:
///
/// ```compile_fail
/// use realtime_client::types::beta::server;
/// use realtime_client::{Ga, Listeners};
///
/// let mut listeners: Listeners<Ga> = Listeners::new();
/// listeners.on::<server::ResponseTextDelta>(|delta| print!("{}", delta.delta));
/// ```
pub struct Listeners<S: Surface> {
    next_id: u64,
    events: Vec<Listener<S::Server>>,
    errors: Vec<(ListenerId, ErrorHandler)>,
    reconnects: Vec<(ListenerId, ReconnectHandler)>,
}

impl<S: Surface> Default for Listeners<S> {
    fn default() -> Self {
        Listeners {
            next_id: 0,
            events: Vec::new(),
            errors: Vec::new(),
            reconnects: Vec::new(),
        }
    }
}

impl<S: Surface> std::fmt::Debug for Listeners<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners")
            .field("events", &self.events.len())
            .field("errors", &self.errors.len())
            .field("reconnects", &self.reconnects.len())
            .finish()
    }
}

impl<S: Surface> Listeners<S> {
    /// No listeners yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn id(&mut self) -> ListenerId {
        self.next_id += 1;
        ListenerId(self.next_id)
    }

    fn add(
        &mut self,
        filter: Filter<S::Server>,
        once: bool,
        handler: impl FnMut(&S::Server) + Send + 'static,
    ) -> ListenerId {
        let id = self.id();
        self.events.push(Listener {
            id,
            filter,
            once,
            handler: Box::new(handler),
        });
        id
    }

    /// Calls `handler` with every event of type `E`, a payload struct of
    /// this surface (`on::<ga::server::ResponseOutputTextDelta>(|delta| ..)`):
    /// a struct that is not one of the surface's server events does not
    /// compile.
    pub fn on<E>(&mut self, mut handler: impl FnMut(&E) + Send + 'static) -> ListenerId
    where
        E: EventOf<S::Server> + 'static,
    {
        self.add(Filter::Type(E::EVENT_TYPE), false, move |event| {
            if let Some(event) = E::from_event(event) {
                handler(event);
            }
        })
    }

    /// Calls `handler` once, with the next event of type `E` (as [`on`](Self::on)).
    pub fn once<E>(&mut self, mut handler: impl FnMut(&E) + Send + 'static) -> ListenerId
    where
        E: EventOf<S::Server> + 'static,
    {
        self.add(Filter::Type(E::EVENT_TYPE), true, move |event| {
            if let Some(event) = E::from_event(event) {
                handler(event);
            }
        })
    }

    /// Calls `handler` for every event `predicate` accepts (e.g.
    /// `|e| matches!(e, ServerEvent::ResponseDone(_))` for a typed variant).
    pub fn on_where(
        &mut self,
        predicate: impl Fn(&S::Server) -> bool + Send + 'static,
        handler: impl FnMut(&S::Server) + Send + 'static,
    ) -> ListenerId {
        self.add(Filter::Where(Box::new(predicate)), false, handler)
    }

    /// Calls `handler` for every event.
    pub fn on_any(&mut self, handler: impl FnMut(&S::Server) + Send + 'static) -> ListenerId {
        self.add(Filter::Any, false, handler)
    }

    /// Calls `handler` for every server `error` event (as a typed
    /// [`ServerError`]) and every transport error.
    pub fn on_error(
        &mut self,
        handler: impl for<'a> FnMut(ErrorSignal<'a>) + Send + 'static,
    ) -> ListenerId {
        let id = self.id();
        self.errors.push((id, Box::new(handler)));
        id
    }

    /// Calls `handler` when a new connection replaced a lost one
    /// ([`ClientBuilder::reconnect`](crate::ClientBuilder::reconnect)), before
    /// the events of the new session.
    pub fn on_reconnected(
        &mut self,
        handler: impl FnMut(&Reconnected) + Send + 'static,
    ) -> ListenerId {
        let id = self.id();
        self.reconnects.push((id, Box::new(handler)));
        id
    }

    fn count(&self) -> usize {
        self.events.len() + self.errors.len() + self.reconnects.len()
    }

    /// Removes a listener; `false` if it was not there (already removed, or a `once` that fired).
    pub fn off(&mut self, id: ListenerId) -> bool {
        let before = self.count();
        self.events.retain(|listener| listener.id != id);
        self.errors.retain(|(listener, _)| *listener != id);
        self.reconnects.retain(|(listener, _)| *listener != id);
        before != self.count()
    }

    /// Delivers a reconnect notice to the reconnect listeners.
    pub fn dispatch_reconnected(&mut self, notice: &Reconnected) {
        for (_, handler) in &mut self.reconnects {
            handler(notice);
        }
    }

    /// Delivers one event to the listeners that want it; an `error` event
    /// also goes to the error listeners, as a [`ServerError`].
    pub fn dispatch(&mut self, event: &S::Server) {
        let event_type = event.event_type();
        let mut fired_once = Vec::new();
        for listener in &mut self.events {
            let wanted = match &listener.filter {
                Filter::Type(wanted) => *wanted == event_type,
                Filter::Where(predicate) => predicate(event),
                Filter::Any => true,
            };
            if wanted {
                (listener.handler)(event);
                if listener.once {
                    fired_once.push(listener.id);
                }
            }
        }
        self.events
            .retain(|listener| !fired_once.contains(&listener.id));
        if let Some(error) = S::server_error(event) {
            for (_, handler) in &mut self.errors {
                handler(ErrorSignal::Server(&error));
            }
        }
    }

    /// Delivers a transport error to the error listeners.
    pub fn dispatch_error(&mut self, error: &Error) {
        for (_, handler) in &mut self.errors {
            handler(ErrorSignal::Transport(error));
        }
    }
}

impl<S: Surface> RealtimeReceiver<S> {
    /// Delivers every event to `listeners` until the session ends. Returns
    /// how it ended: `None` after a normal close, or the error that ended it
    /// (which the error listeners heard too). Frames that are not events are
    /// reported to the error listeners and do not end the session; reconnect
    /// notices go to the reconnect listeners.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropped between two events, it loses none (an event is
    /// delivered to every listener before the next is awaited).
    pub async fn run(&mut self, listeners: &mut Listeners<S>) -> Option<Error> {
        let mut last_error = None;
        while let Some(item) = self.next_received().await {
            match item {
                Ok(Received::Event(event)) => listeners.dispatch(&event),
                Ok(Received::Reconnected(notice)) => listeners.dispatch_reconnected(&notice),
                Err(error) => {
                    listeners.dispatch_error(&error);
                    if !matches!(error, Error::Decode(_)) {
                        last_error = Some(error);
                    }
                }
            }
        }
        last_error
    }
}
