//! The handles on a session: [`RealtimeClient`], or its two halves
//! [`RealtimeSender`] (cloneable, `Send + Sync`) and [`RealtimeReceiver`].
//! One background task per session owns the socket (see the `connection`
//! module); frames are decoded by whoever reads them, on the reader's task.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::mpsc;
use tracing::{Instrument, info_span, warn};

use crate::audio_input::AudioInput;
use crate::builder::ClientBuilder;
use crate::connection::{self, Delivery, Incoming, Outgoing, Queued, Shared, TextKind};
use crate::error::{DecodeError, Error, Result};
use crate::raw_text::RawText;
use crate::reconnect::Reconnected;
use crate::session_task;
use crate::surface::{Ga, Surface};

/// One server frame: its raw text and the event decoded from it.
#[derive(Debug, Clone)]
pub struct Frame<E> {
    /// The frame's text, exactly as received.
    pub text: RawText,
    /// The decoded event (`Unknown` for an event type this version does not know).
    pub event: E,
}

/// What [`RealtimeReceiver::next_received`] hands out: a server event, or
/// the news that the connection was replaced (only with
/// [`ClientBuilder::reconnect`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Received<E> {
    /// A server event.
    Event(E),
    /// A new connection replaced a lost one; the events that follow are the
    /// new session's, starting with its `session.created`.
    Reconnected(Reconnected),
}

/// How full the session's queues are, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueStats {
    /// Bytes of events queued to be written.
    pub outbound_bytes: usize,
    /// The outbound budget ([`ClientBuilder::outbound_buffer_bytes`]).
    pub outbound_limit: usize,
    /// Bytes of frames received and not yet taken by the application.
    pub inbound_bytes: usize,
    /// The inbound budget ([`ClientBuilder::inbound_buffer_bytes`]).
    pub inbound_limit: usize,
    /// How often reading paused because the application was behind.
    pub read_pauses: u64,
}

fn stats(shared: &Shared) -> QueueStats {
    QueueStats {
        outbound_bytes: shared.outbound.used(),
        outbound_limit: shared.outbound.limit(),
        inbound_bytes: shared.inbound.used(),
        inbound_limit: shared.inbound.limit(),
        read_pauses: shared.pauses.load(Ordering::Relaxed),
    }
}

/// A session with the Realtime API over one WebSocket.
#[derive(Debug)]
pub struct RealtimeClient<S: Surface = Ga> {
    sender: RealtimeSender<S>,
    receiver: RealtimeReceiver<S>,
}

/// Sends events: cloneable, `Send + Sync`, usable from many tasks at once.
/// Sending waits while the events already queued hold the whole outbound
/// budget ([`ClientBuilder::outbound_buffer_bytes`]), and never waits for
/// the application to read: sending and receiving are independent.
#[derive(Debug)]
pub struct RealtimeSender<S: Surface = Ga> {
    queue: mpsc::UnboundedSender<Queued>,
    shared: Arc<Shared>,
    surface: PhantomData<fn() -> S>,
}

impl<S: Surface> Clone for RealtimeSender<S> {
    fn clone(&self) -> Self {
        RealtimeSender {
            queue: self.queue.clone(),
            shared: Arc::clone(&self.shared),
            surface: PhantomData,
        }
    }
}

/// Receives server events, in order. Ends after the session ends; dropping
/// it closes the session (code 1000).
#[derive(Debug)]
pub struct RealtimeReceiver<S: Surface = Ga> {
    rx: mpsc::UnboundedReceiver<Incoming>,
    shared: Arc<Shared>,
    unsent: Vec<String>,
    reconnections: u32,
    // `fn() -> S`: the receiver holds no `S`, so it is `Unpin` and `Send` whatever `S` is.
    surface: PhantomData<fn() -> S>,
}

impl RealtimeClient<Ga> {
    /// Starts configuring a client (GA surface; see [`ClientBuilder::beta`]
    /// and [`ClientBuilder::translation`]).
    pub fn builder() -> ClientBuilder<Ga> {
        ClientBuilder::default()
    }
}

impl<S: Surface> ClientBuilder<S> {
    /// Checks the configuration, connects and completes the handshake, and
    /// starts the session's task. Cancel-safe: dropped before it completes,
    /// no session is left behind.
    pub async fn connect(self) -> Result<RealtimeClient<S>> {
        self.check()?;
        let socket = crate::handshake::open(&self).await?;
        Ok(RealtimeClient::start(socket, self))
    }
}

impl<S: Surface> RealtimeClient<S> {
    fn start(socket: connection::Socket, config: ClientBuilder<S>) -> Self {
        let shared = connection::shared(config.outbound_buffer_bytes, config.inbound_buffer_bytes);
        let (queue_tx, queue_rx) = mpsc::unbounded_channel();
        let (in_tx, in_rx) = mpsc::unbounded_channel();
        let span = info_span!("realtime.session", surface = S::NAME);
        tokio::spawn(
            session_task::drive(socket, config, queue_rx, in_tx, Arc::clone(&shared))
                .instrument(span),
        );
        RealtimeClient {
            sender: RealtimeSender {
                queue: queue_tx,
                shared: Arc::clone(&shared),
                surface: PhantomData,
            },
            receiver: RealtimeReceiver {
                rx: in_rx,
                shared,
                unsent: Vec::new(),
                reconnections: 0,
                surface: PhantomData,
            },
        }
    }

    /// Sends a client event; see [`RealtimeSender::send`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropped before it completes, the event is either queued
    /// whole or not at all.
    pub async fn send(&self, event: impl Into<S::Client>) -> Result<()> {
        self.sender.send(event).await
    }

    /// Sends a raw JSON event as it is; see [`RealtimeSender::send_raw`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`send`](Self::send).
    pub async fn send_raw(&self, event: &serde_json::Value) -> Result<()> {
        self.sender.send_raw(event).await
    }

    /// The next server event; see [`RealtimeReceiver::next_event`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future loses no event.
    pub async fn next_event(&mut self) -> Option<Result<S::Server>> {
        self.receiver.next_event().await
    }

    /// The next server frame with its raw text; see [`RealtimeReceiver::next_frame`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`next_event`](Self::next_event).
    pub async fn next_frame(&mut self) -> Option<Result<Frame<S::Server>>> {
        self.receiver.next_frame().await
    }

    /// The next server frame's text, not decoded; see [`RealtimeReceiver::next_text`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`next_event`](Self::next_event).
    pub async fn next_text(&mut self) -> Option<Result<RawText>> {
        self.receiver.next_text().await
    }

    /// The next event or reconnect notice; see [`RealtimeReceiver::next_received`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`next_event`](Self::next_event).
    pub async fn next_received(&mut self) -> Option<Result<Received<S::Server>>> {
        self.receiver.next_received().await
    }

    /// Closes the session; see [`RealtimeSender::close`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: it does not wait.
    pub async fn close(&self, code: u16, reason: &str) -> Result<()> {
        self.sender.close(code, reason).await
    }

    /// A sender that can be cloned into other tasks, without splitting.
    pub fn sender(&self) -> RealtimeSender<S> {
        self.sender.clone()
    }

    /// How full the session's queues are.
    pub fn queue_stats(&self) -> QueueStats {
        stats(&self.sender.shared)
    }

    pub(crate) fn sender_ref(&self) -> &RealtimeSender<S> {
        &self.sender
    }

    /// Splits into a sender and a receiver.
    pub fn split(self) -> (RealtimeSender<S>, RealtimeReceiver<S>) {
        (self.sender, self.receiver)
    }
}

impl<S: AudioInput> RealtimeClient<S> {
    /// Appends PCM16 samples to the input audio buffer; see
    /// [`RealtimeSender::input_audio_buffer_append_pcm16`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`send`](Self::send).
    pub async fn input_audio_buffer_append_pcm16(&self, samples: &[i16]) -> Result<()> {
        self.sender.input_audio_buffer_append_pcm16(samples).await
    }

    /// Appends raw audio bytes to the input audio buffer; see
    /// [`RealtimeSender::input_audio_buffer_append_bytes`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`send`](Self::send).
    pub async fn input_audio_buffer_append_bytes(&self, audio: &[u8]) -> Result<()> {
        self.sender.input_audio_buffer_append_bytes(audio).await
    }
}

/// The one encode path of client events: the JSON text, and what the event
/// does to the session (what a new connection must be told again).
pub(crate) fn encode<S: Surface>(event: &S::Client) -> Result<(String, TextKind)> {
    use realtime_types::Event as _;
    let text = serde_json::to_string(event).map_err(Error::Encode)?;
    Ok((text, TextKind::of(event.event_type())))
}

impl<S: Surface> RealtimeSender<S> {
    /// Sends a client event: an event union or any event struct
    /// (`sender.send(SessionUpdate::new(session).with_event_id("evt_1"))`).
    /// `Ok` means queued, in order; it fails with [`Error::SessionClosed`]
    /// once the session is over (always, once the receiver has handed out
    /// the end of the session).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropped before it completes, the event is either queued
    /// whole or not at all.
    pub async fn send(&self, event: impl Into<S::Client>) -> Result<()> {
        let (text, kind) = encode::<S>(&event.into())?;
        self.push(text, kind).await
    }

    /// Sends a raw JSON event as it is (an escape hatch for events this
    /// version does not know).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`send`](Self::send).
    pub async fn send_raw(&self, event: &serde_json::Value) -> Result<()> {
        let kind = event
            .get("type")
            .and_then(serde_json::Value::as_str)
            .map_or(TextKind::Event, TextKind::of);
        self.push(event.to_string(), kind).await
    }

    /// Closes the session with `code` and `reason` (1000 is a normal close),
    /// after the events queued before it. Later sends fail with
    /// [`Error::SessionClosed`]; the receiver ends once the server has
    /// answered (or after the close timeout). A code that may not be sent
    /// (1005, 1006, 1015, unassigned ones) or a reason over 123 bytes is
    /// [`Error::Config`], and nothing is closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: it does not wait.
    pub async fn close(&self, code: u16, reason: &str) -> Result<()> {
        // RFC 6455, 7.4: 1005, 1006 and 1015 are never sent; 1000-2999
        // belong to the protocol (of those only the defined ones may be
        // sent), 3000-4999 to applications.
        let sendable = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
        if !sendable {
            return Err(Error::Config(format!(
                "close code {code} cannot be sent (1000-1003, 1007-1014 or 3000-4999)"
            )));
        }
        if reason.len() > 123 {
            return Err(Error::Config(format!(
                "a close reason is at most 123 bytes, not {}",
                reason.len()
            )));
        }
        let permit = self
            .shared
            .outbound
            .try_acquire(0)
            .map_err(|_| Error::SessionClosed)?
            .ok_or(Error::SessionClosed)?;
        let message = Outgoing::Close {
            code,
            reason: reason.to_string(),
        };
        let queued = Queued {
            message,
            permit: Some(permit),
        };
        let sent = self.queue.send(queued).map_err(|_| Error::SessionClosed);
        self.shared.outbound.close();
        sent
    }

    /// How full the session's queues are.
    pub fn queue_stats(&self) -> QueueStats {
        stats(&self.shared)
    }

    /// Queues a frame; the returned future owns what it needs (it is `Send`
    /// and `'static`, for the generated per-event methods).
    pub(crate) fn push_owned(
        &self,
        text: String,
        kind: TextKind,
    ) -> impl Future<Output = Result<()>> + Send + use<S> {
        let queue = self.queue.clone();
        let shared = Arc::clone(&self.shared);
        async move {
            let permit = shared
                .outbound
                .acquire(text.len())
                .await
                .map_err(|_| Error::SessionClosed)?;
            let message = Outgoing::Text {
                text: text.into(),
                kind,
            };
            queue
                .send(Queued {
                    message,
                    permit: Some(permit),
                })
                .map_err(|_| Error::SessionClosed)
        }
    }

    async fn push(&self, text: String, kind: TextKind) -> Result<()> {
        self.push_owned(text, kind).await
    }

    /// A `futures::Sink` of client events over this sender.
    pub fn into_sink(self) -> EventSink<S> {
        EventSink {
            sender: self,
            pending: None,
        }
    }
}

impl<S: AudioInput> RealtimeSender<S> {
    /// Appends PCM16 samples (at the session's input rate) to the input
    /// audio buffer (`input_audio_buffer.append`, or the surface's
    /// equivalent): the frame is written in one pass, samples straight to
    /// base64 in the frame text
    /// ([`realtime_types::audio::append_event_json_as`]).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`send`](Self::send).
    pub async fn input_audio_buffer_append_pcm16(&self, samples: &[i16]) -> Result<()> {
        let mut frame = String::new();
        realtime_types::audio::append_event_json_as(S::APPEND_TYPE, samples, None, &mut frame);
        self.push(frame, TextKind::Event).await
    }

    /// Appends audio bytes already in the session's input format (PCM16
    /// little-endian, or G.711) to the input audio buffer.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`send`](Self::send).
    pub async fn input_audio_buffer_append_bytes(&self, audio: &[u8]) -> Result<()> {
        let mut frame = String::new();
        realtime_types::audio::append_bytes_event_json_as(S::APPEND_TYPE, audio, None, &mut frame);
        self.push(frame, TextKind::Event).await
    }
}

impl<S: Surface> RealtimeReceiver<S> {
    /// The next server event. `Some(Err(Error::Decode(..)))` for a frame that
    /// is not an event (the stream goes on), `Some(Err(..))` with the error
    /// that ended the session (see [`Error`]), then `None`. With
    /// [`ClientBuilder::reconnect`], the events of a new connection follow
    /// those of the lost one (starting with its `session.created`);
    /// [`next_received`](Self::next_received) shows where.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future (e.g. in `tokio::select!`) loses no event.
    pub async fn next_event(&mut self) -> Option<Result<S::Server>> {
        self.next_frame()
            .await
            .map(|frame| frame.map(|frame| frame.event))
    }

    /// Like [`next_event`](Self::next_event), with the frame's raw text.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`next_event`](Self::next_event).
    pub async fn next_frame(&mut self) -> Option<Result<Frame<S::Server>>> {
        self.next_text()
            .await
            .map(|text| text.and_then(decode::<S>))
    }

    /// Like [`next_event`](Self::next_event), with reconnect notices in
    /// their place in the stream.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`next_event`](Self::next_event).
    pub async fn next_received(&mut self) -> Option<Result<Received<S::Server>>> {
        loop {
            let incoming = self.rx.recv().await?;
            if let Some(received) = self.take(incoming, true) {
                return Some(received.and_then(|received| match received {
                    Taken::Text(text) => {
                        decode::<S>(text).map(|frame| Received::Event(frame.event))
                    }
                    Taken::Reconnected(notice) => Ok(Received::Reconnected(notice)),
                }));
            }
        }
    }

    /// The next frame's text, not decoded, for the hot path: decode it with
    /// the surface's borrowed view (`ga::ServerEventRef::from_frame`), which
    /// does not copy the base64 of audio deltas. Errors and the end of the
    /// session come as from [`next_event`](Self::next_event); binary frames
    /// are `Error::Decode`.
    ///
    /// ```no_run
    /// # async fn run(mut client: realtime_client::RealtimeClient) -> Result<(), Box<dyn std::error::Error>> {
    /// use realtime_types::ga::ServerEventRef;
    ///
    /// let mut samples = Vec::new();
    /// while let Some(text) = client.next_text().await {
    ///     match ServerEventRef::from_frame(&text?)? {
    ///         ServerEventRef::ResponseOutputAudioDelta(delta) => {
    ///             samples.clear();
    ///             realtime_types::audio::decode_pcm16(&delta.delta, &mut samples)?;
    ///             // play `samples`
    ///         }
    ///         other => println!("{}", other.event_type()),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`next_event`](Self::next_event).
    pub async fn next_text(&mut self) -> Option<Result<RawText>> {
        loop {
            let incoming = self.rx.recv().await?;
            match self.take(incoming, false) {
                Some(Ok(Taken::Text(text))) => return Some(Ok(text)),
                Some(Err(error)) => return Some(Err(error)),
                Some(Ok(Taken::Reconnected(_))) | None => continue,
            }
        }
    }

    /// How many times the connection was replaced ([`ClientBuilder::reconnect`]).
    pub fn reconnections(&self) -> u32 {
        self.reconnections
    }

    /// The events that were not known to be delivered when the session
    /// ended (in order, as JSON text), taken out: those still queued, and
    /// those written but not yet flushed when the connection failed (which
    /// may have arrived). After reconnecting was given up
    /// ([`Error::GaveUp`]), or a connection lost without reconnecting.
    pub fn take_unsent(&mut self) -> Vec<String> {
        std::mem::take(&mut self.unsent)
    }

    /// How full the session's queues are.
    pub fn queue_stats(&self) -> QueueStats {
        stats(&self.shared)
    }

    /// Takes one delivery: frames and errors come out; notices are kept
    /// (and come out too when `notices`).
    fn take(&mut self, incoming: Incoming, notices: bool) -> Option<Result<Taken>> {
        drop(incoming.permit);
        match incoming.delivery {
            Delivery::Item(item) => Some(item.map(Taken::Text)),
            Delivery::Reconnected(notice) => {
                self.reconnections += 1;
                notices.then_some(Ok(Taken::Reconnected(notice)))
            }
            Delivery::Unsent(unsent) => {
                self.unsent.extend(unsent);
                None
            }
        }
    }
}

/// One delivery as the receiver hands it out.
enum Taken {
    Text(RawText),
    Reconnected(Reconnected),
}

/// Decodes a frame into the surface's event union.
fn decode<S: Surface>(text: RawText) -> Result<Frame<S::Server>> {
    match <S::Server as realtime_types::Event>::from_frame(&text) {
        Ok(event) => {
            if let Some(malformed) = realtime_types::Event::malformed(&event) {
                warn!(%malformed, "an event that does not match its schema (kept as `Malformed`)");
            }
            Ok(Frame { text, event })
        }
        Err(error) => {
            let error = DecodeError::classify(&text, &error);
            warn!(%error, "undecodable frame");
            Err(Error::Decode(error))
        }
    }
}

impl<S: Surface> Stream for RealtimeReceiver<S> {
    type Item = Result<S::Server>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let Some(incoming) = std::task::ready!(self.rx.poll_recv(cx)) else {
                return Poll::Ready(None);
            };
            match self.take(incoming, false) {
                Some(Ok(Taken::Text(text))) => {
                    return Poll::Ready(Some(decode::<S>(text).map(|frame| frame.event)));
                }
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                Some(Ok(Taken::Reconnected(_))) | None => continue,
            }
        }
    }
}

/// A `futures::Sink` of client events ([`RealtimeSender::into_sink`]).
/// `start_send` encodes and starts queueing the event; `poll_ready` and
/// `poll_flush` wait until it is queued, so backpressure is that of
/// [`RealtimeSender::send`].
pub struct EventSink<S: Surface = Ga> {
    sender: RealtimeSender<S>,
    pending: Option<Pin<Box<dyn Future<Output = Result<()>> + Send>>>,
}

impl<S: Surface> std::fmt::Debug for EventSink<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSink")
            .field("pending", &self.pending.is_some())
            .finish()
    }
}

impl<S: Surface> EventSink<S> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let Some(pending) = self.pending.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let result = std::task::ready!(pending.as_mut().poll(cx));
        self.pending = None;
        Poll::Ready(result)
    }
}

impl<S: Surface> futures_util::Sink<S::Client> for EventSink<S> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_pending(cx)
    }

    fn start_send(self: Pin<&mut Self>, event: S::Client) -> Result<()> {
        let this = self.get_mut();
        let (text, kind) = encode::<S>(&event)?;
        this.pending = Some(Box::pin(this.sender.push_owned(text, kind)));
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_pending(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_pending(cx)
    }
}
