//! One WebSocket connection, driven by one task: a reader and a writer that
//! run side by side, so that neither waits for the other.
//!
//! - The writer takes messages from the outgoing queue (bounded in bytes by
//!   the outbound [`ByteBudget`]: a permit travels with each message and is
//!   given back once the message is flushed to the socket) and the pings
//!   the reader asks for.
//! - The reader moves frames into the incoming queue (bounded in bytes by
//!   the inbound budget, given back when the application takes a frame).
//!   When the application falls behind and the budget is spent, the reader
//!   stops reading: the server feels TCP backpressure, nothing is dropped,
//!   and the keepalive clock stops too, because a pong that waits behind
//!   unread frames says nothing about the peer. Any frame counts as a sign
//!   of life.
//! - A close frame from the server is answered: tungstenite queues the
//!   reply, and the connection flushes it before it ends (within the close
//!   timeout), without waiting for the peer to end the stream.
//! - What was written but not yet flushed when a connection ends stays in
//!   the outbox (`in_flight`), so that a new connection sends it first; a
//!   renewal closes the connection at a quiet moment, after a flush.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tracing::{debug, warn};

use crate::budget::ByteBudget;
use crate::error::{DecodeError, Error};
use crate::raw_text::RawText;
use crate::reconnect::Reconnected;

/// The socket of one connection.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Frames up to this size are copied out of tungstenite's read buffer, so
/// the buffer is free again before the next read; larger ones keep the
/// buffer they arrived in (they fill it anyway).
const COPY_FRAMES_UP_TO: usize = 64 << 10;

/// Messages written but not flushed are flushed once they reach this many
/// bytes, even while more are queued (until then, tungstenite batches them).
const FLUSH_AT_BYTES: usize = 64 << 10;

/// What the connection task needs to know of the configuration.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) max_message_bytes: usize,
    pub(crate) max_json_values: usize,
    pub(crate) keepalive: Option<(Duration, Duration)>,
    pub(crate) close_timeout: Duration,
    /// Renew the connection after this long (at a quiet moment).
    pub(crate) renew_after: Option<Duration>,
}

/// A message for the writer.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// A text frame, and what it does to the session.
    Text { text: Utf8Bytes, kind: TextKind },
    /// Close the session with this code and reason.
    Close { code: u16, reason: String },
}

/// What a client event does, for what a new connection must be told again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    /// Anything else.
    Event,
    /// It configures the session (`session.update`, the beta
    /// `transcription_session.update`): the last one is applied again.
    Session,
    /// It adds a conversation item (`conversation.item.create`): replayed
    /// when the policy asks for it.
    Item,
}

impl TextKind {
    /// The kind of an event of this `type`.
    pub(crate) fn of(event_type: &str) -> Self {
        match event_type {
            "session.update" | "transcription_session.update" => TextKind::Session,
            "conversation.item.create" => TextKind::Item,
            _ => TextKind::Event,
        }
    }
}

/// A queued message and the bytes it holds of the outbound budget (none
/// for the session configuration a reconnect applies again).
#[derive(Debug)]
pub(crate) struct Queued {
    pub(crate) message: Outgoing,
    pub(crate) permit: Option<OwnedSemaphorePermit>,
}

/// What the reader hands to the application.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// A frame's text, or an error (the end of the session, or a frame that
    /// is not an event).
    Item(crate::Result<RawText>),
    /// The connection was replaced by a new one.
    Reconnected(Reconnected),
    /// Reconnecting was given up; these messages were never sent.
    Unsent(Vec<String>),
}

/// A delivery and the bytes it holds of the inbound budget.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) delivery: Delivery,
    pub(crate) permit: Option<OwnedSemaphorePermit>,
}

/// What the handles and the connection task share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) outbound: ByteBudget,
    pub(crate) inbound: ByteBudget,
    /// How often reading paused because the application had not taken the
    /// frames already received.
    pub(crate) pauses: AtomicU64,
    /// When the last frame came, in microseconds after `epoch` (kept only
    /// when renewal is on: it is what a renewal waits on).
    last_frame_us: AtomicU64,
    epoch: Instant,
}

impl Shared {
    fn saw_frame(&self) {
        let us = self.epoch.elapsed().as_micros() as u64;
        self.last_frame_us.store(us, Ordering::Relaxed);
    }

    fn last_frame(&self) -> Instant {
        self.epoch + Duration::from_micros(self.last_frame_us.load(Ordering::Relaxed))
    }
}

/// The queue state that outlives one connection (a reconnect keeps it).
#[derive(Debug)]
pub(crate) struct Outbox {
    pub(crate) queue: mpsc::UnboundedReceiver<Queued>,
    /// Messages to write before the queue: those a lost connection may not
    /// have delivered, in order.
    pub(crate) replay: VecDeque<Queued>,
    /// Written but not yet flushed when the last connection ended: they may
    /// not have arrived, so the next connection sends them first.
    pub(crate) in_flight: Vec<Queued>,
    /// The last session configuration written.
    pub(crate) last_session: Option<Utf8Bytes>,
    /// The conversation items written (`conversation.item.create`), oldest
    /// first, at most [`ITEMS_KEPT_BYTES`] of them.
    pub(crate) items: VecDeque<Utf8Bytes>,
    items_bytes: usize,
}

/// How many bytes of written conversation items are kept to be replayed.
pub(crate) const ITEMS_KEPT_BYTES: usize = 1 << 20;

impl Outbox {
    /// An outbox over the senders' queue.
    pub(crate) fn new(queue: mpsc::UnboundedReceiver<Queued>) -> Self {
        Outbox {
            queue,
            replay: VecDeque::new(),
            in_flight: Vec::new(),
            last_session: None,
            items: VecDeque::new(),
            items_bytes: 0,
        }
    }

    /// Records what a flushed message means for a later connection.
    fn written(&mut self, text: &Utf8Bytes, kind: TextKind) {
        match kind {
            TextKind::Session => self.last_session = Some(text.clone()),
            TextKind::Item => {
                self.items_bytes += text.len();
                self.items.push_back(text.clone());
                while self.items_bytes > ITEMS_KEPT_BYTES
                    && let Some(oldest) = self.items.pop_front()
                {
                    self.items_bytes -= oldest.len();
                }
            }
            TextKind::Event => {}
        }
    }
}

enum Control {
    Ping,
}

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum RunEnd {
    /// `None` after a close the client asked for (or a polite end when the
    /// receiver is gone), else the error that ended it.
    Ended(Option<Error>),
    /// Closed (1000) for a renewal: a new connection takes over.
    Renewing,
}

/// Runs one connection until it ends.
pub(crate) async fn run(
    socket: Socket,
    outbox: &mut Outbox,
    incoming: &mpsc::UnboundedSender<Incoming>,
    shared: &Shared,
    limits: &Limits,
) -> RunEnd {
    // What the last connection may not have delivered goes first.
    for queued in outbox.in_flight.drain(..).rev() {
        outbox.replay.push_front(queued);
    }
    let renew_at = limits.renew_after.map(|after| Instant::now() + after);
    let mut renewing = false;
    let (mut sink, mut stream) = socket.split();
    let (control_tx, mut control_rx) = mpsc::channel(1);
    let outcome = {
        let writer = write_loop(&mut sink, outbox, &mut control_rx, shared, renew_at);
        let reader = read_loop(&mut stream, incoming, shared, limits, &control_tx);
        tokio::pin!(writer, reader);
        tokio::select! {
            ending = &mut reader => ending,
            written = &mut writer => match written {
                // The client's close frame is out: wait for the server's.
                Ok(end) => {
                    renewing = end == WriterEnd::Renewing;
                    // A renewal happens at a quiet moment: it does not wait
                    // long for the old server's answer.
                    let wait = if renewing {
                        limits.close_timeout.min(RENEWAL_CLOSE_WAIT)
                    } else {
                        limits.close_timeout
                    };
                    let answer = tokio::time::timeout(wait, &mut reader).await;
                    match answer {
                        // A renewal ends the old connection whatever its close says.
                        _ if renewing => ReadEnd::quiet(),
                        Ok(ReadEnd { error: Some(Error::Closed { .. }), .. }) | Err(_) => ReadEnd::quiet(),
                        Ok(ending) => ending,
                    }
                }
                Err(error) => ReadEnd { error: Some(error), close_with: None },
            },
        }
    };
    if matches!(outcome.error, Some(Error::Closed { .. })) || outcome.error.is_none() {
        // A close frame came (the server's, or its answer to ours): flush
        // the reply tungstenite queued, without waiting for the stream's end.
        let _ = tokio::time::timeout(limits.close_timeout, sink.close()).await;
    }
    if let Some(code) = outcome.close_with {
        // The peer broke the protocol, or sent too much: say so, briefly.
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: "".into(),
        };
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            sink.send(Message::Close(Some(frame))),
        )
        .await;
    }
    if renewing {
        return RunEnd::Renewing;
    }
    RunEnd::Ended(outcome.error)
}

/// How the writer ended without a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriterEnd {
    /// The close the application asked for is out.
    Closed,
    /// The close of a renewal is out.
    Renewing,
}

/// How long a renewal waits for the old server's close frame.
const RENEWAL_CLOSE_WAIT: Duration = Duration::from_millis(500);

/// Frames received lately: no renewal now (a response may be streaming).
const RENEW_WHEN_QUIET_FOR: Duration = Duration::from_millis(500);

/// Writes queued messages and pings until the client's close frame is out
/// (`Ok`: the application's, or a renewal's once `renew_at` has passed and
/// no frame came for a moment) or a write fails (`Err`; the messages it may
/// have lost are put back at the front of the replay queue).
async fn write_loop(
    sink: &mut SplitSink<Socket, Message>,
    outbox: &mut Outbox,
    control: &mut mpsc::Receiver<Control>,
    shared: &Shared,
    renew_at: Option<Instant>,
) -> crate::Result<WriterEnd> {
    let mut unflushed_bytes = 0;
    let mut senders_gone = false;
    let renew = tokio::time::sleep_until(renew_at.unwrap_or_else(Instant::now));
    tokio::pin!(renew);
    loop {
        let queued = if let Some(queued) = outbox.replay.pop_front() {
            Some(queued)
        } else {
            tokio::select! {
                biased;
                Some(Control::Ping) = control.recv() => {
                    if let Err(error) = sink.send(Message::Ping(Default::default())).await {
                        return Err(lost(error));
                    }
                    continue;
                }
                queued = outbox.queue.recv(), if !senders_gone => queued,
                () = &mut renew, if renew_at.is_some() => {
                    let quiet_since = shared.last_frame() + RENEW_WHEN_QUIET_FOR;
                    if quiet_since > Instant::now() {
                        renew.as_mut().reset(quiet_since);
                        continue;
                    }
                    debug!("renewing the connection");
                    let frame = CloseFrame { code: CloseCode::Normal, reason: "renewing".into() };
                    return match sink.send(Message::Close(Some(frame))).await {
                        Ok(()) => {
                            flushed(outbox);
                            Ok(WriterEnd::Renewing)
                        }
                        Err(error) => Err(lost(error)),
                    };
                }
            }
        };
        let Some(queued) = queued else {
            // Every sender is gone: nothing more to write but pings.
            senders_gone = true;
            continue;
        };
        match &queued.message {
            Outgoing::Text { text, .. } => {
                debug!(bytes = text.len(), "send");
                let message = Message::Text(text.clone());
                let len = text.len();
                // Fed but not yet flushed: what a failure may have lost.
                outbox.in_flight.push(queued);
                if let Err(error) = sink.feed(message).await {
                    return Err(lost(error));
                }
                unflushed_bytes += len;
                let idle = outbox.replay.is_empty() && outbox.queue.is_empty();
                if idle || unflushed_bytes >= FLUSH_AT_BYTES {
                    if let Err(error) = sink.flush().await {
                        return Err(lost(error));
                    }
                    flushed(outbox);
                    unflushed_bytes = 0;
                }
            }
            Outgoing::Close { code, reason } => {
                debug!(code, "close requested");
                let frame = CloseFrame {
                    code: CloseCode::from(*code),
                    reason: reason.as_str().into(),
                };
                return match sink.send(Message::Close(Some(frame))).await {
                    Ok(()) => {
                        flushed(outbox);
                        Ok(WriterEnd::Closed)
                    }
                    Err(error) => Err(lost(error)),
                };
            }
        }
    }
}

/// Everything in flight is flushed: it is recorded (the session, items) and
/// its bytes go back to the budget.
fn flushed(outbox: &mut Outbox) {
    for queued in std::mem::take(&mut outbox.in_flight) {
        if let Outgoing::Text { text, kind } = &queued.message {
            outbox.written(text, *kind);
        }
    }
}

/// A failed write: what it may have lost stays in `in_flight`, to go
/// first on the next connection.
fn lost(error: tungstenite::Error) -> Error {
    classify(error, 0)
        .error
        .unwrap_or(Error::ConnectionLost { source: None })
}

/// How the reader ended, and the close code to send the peer, if any.
struct ReadEnd {
    error: Option<Error>,
    close_with: Option<u16>,
}

impl ReadEnd {
    fn quiet() -> Self {
        ReadEnd {
            error: None,
            close_with: None,
        }
    }
}

/// Reads frames into the incoming queue until the connection ends.
async fn read_loop(
    stream: &mut SplitStream<Socket>,
    incoming: &mpsc::UnboundedSender<Incoming>,
    shared: &Shared,
    limits: &Limits,
    control: &mpsc::Sender<Control>,
) -> ReadEnd {
    let far_future = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
    // One timer: the next ping while no pong is awaited, the pong's
    // deadline while one is.
    let timer = tokio::time::sleep_until(match limits.keepalive {
        Some((interval, _)) => Instant::now() + interval,
        None => far_future,
    });
    tokio::pin!(timer);
    let mut awaiting_pong = false;
    // A frame waiting for room in the inbound budget (reading is paused).
    let mut pending: Option<Delivery> = None;
    let mut pending_len = 0;
    // Made once: the receiver going away ends the session even while no
    // frame comes.
    let receiver_gone = incoming.closed();
    tokio::pin!(receiver_gone);
    loop {
        let reading = pending.is_none();
        tokio::select! {
            biased;
            () = &mut receiver_gone => {
                // The receiver is gone: nobody reads; end politely.
                debug!("the receiver was dropped; closing");
                return ReadEnd { error: None, close_with: Some(1000) };
            }
            permit = shared.inbound.acquire(pending_len), if !reading => {
                let Ok(permit) = permit else { return ReadEnd::quiet() };
                if let Some(delivery) = pending.take() {
                    let _ = incoming.send(Incoming { delivery, permit: Some(permit) });
                }
                if awaiting_pong {
                    // The clock stood still while reading was paused.
                    if let Some((_, timeout)) = limits.keepalive {
                        timer.as_mut().reset(Instant::now() + timeout);
                    }
                }
            }
            frame = stream.next(), if reading => {
                let frame = match frame {
                    Some(Ok(frame)) => frame,
                    Some(Err(tungstenite::Error::ConnectionClosed)) | None => {
                        return ReadEnd { error: Some(Error::ConnectionLost { source: None }), close_with: None };
                    }
                    Some(Err(error)) => return classify(error, limits.max_message_bytes),
                };
                if limits.renew_after.is_some() {
                    // Only a renewal asks when the last frame came.
                    shared.saw_frame();
                }
                if awaiting_pong {
                    // Any frame is a sign of life.
                    awaiting_pong = false;
                    if let Some((interval, _)) = limits.keepalive {
                        timer.as_mut().reset(Instant::now() + interval);
                    }
                }
                let (delivery, len) = match frame {
                    Message::Text(text) => {
                        debug!(bytes = text.len(), "receive");
                        let len = text.len();
                        if len > limits.max_json_values && too_many_values(&text, limits.max_json_values) {
                            warn!(bytes = len, limit = limits.max_json_values, "a frame with too many JSON values");
                            let error = DecodeError::TooManyValues { len, limit: limits.max_json_values };
                            (Delivery::Item(Err(Error::Decode(error))), 0)
                        } else {
                            (Delivery::Item(Ok(RawText::received(text, COPY_FRAMES_UP_TO))), len)
                        }
                    }
                    Message::Binary(bytes) => {
                        warn!(bytes = bytes.len(), "binary frame");
                        (Delivery::Item(Err(Error::Decode(DecodeError::Binary { len: bytes.len() }))), 0)
                    }
                    Message::Close(frame) => {
                        let (code, reason) = frame.map_or((1005, String::new()), |f| {
                            (u16::from(f.code), f.reason.to_string())
                        });
                        debug!(code, "closed by the server");
                        // tungstenite has queued the reply; `run` flushes it.
                        return ReadEnd { error: Some(Error::Closed { code, reason }), close_with: None };
                    }
                    // Pings are answered by tungstenite; pongs only had to arrive.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                };
                match shared.inbound.try_acquire(len) {
                    Ok(Some(permit)) => {
                        let _ = incoming.send(Incoming { delivery, permit: Some(permit) });
                    }
                    Ok(None) => {
                        shared.pauses.fetch_add(1, Ordering::Relaxed);
                        debug!(queued = shared.inbound.used(), "the application is behind; reading pauses");
                        pending = Some(delivery);
                        pending_len = len;
                    }
                    Err(_) => return ReadEnd::quiet(),
                }
            }
            () = &mut timer, if reading || !awaiting_pong => {
                let Some((_, timeout)) = limits.keepalive else {
                    timer.as_mut().reset(far_future);
                    continue;
                };
                if awaiting_pong {
                    warn!(?timeout, "no pong");
                    return ReadEnd { error: Some(Error::KeepaliveTimeout { after: timeout }), close_with: None };
                }
                let _ = control.try_send(Control::Ping);
                awaiting_pong = true;
                timer.as_mut().reset(Instant::now() + timeout);
            }
        }
    }
}

/// Whether `text` has more than `limit` structural characters (`{`, `[`,
/// `,`, `:`), an upper bound of the number of JSON values and keys in it.
fn too_many_values(text: &str, limit: usize) -> bool {
    text.bytes()
        .filter(|b| matches!(b, b'{' | b'[' | b',' | b':'))
        .count()
        > limit
}

/// The error a failed read or write ends the session with, and the close
/// code the client answers with.
fn classify(error: tungstenite::Error, max_message_bytes: usize) -> ReadEnd {
    use tungstenite::Error as E;
    let (error, close_with) = match error {
        E::ConnectionClosed | E::AlreadyClosed => (Error::ConnectionLost { source: None }, None),
        E::Io(io) => (
            Error::ConnectionLost {
                source: Some(Box::new(io)),
            },
            None,
        ),
        E::Capacity(_) => (
            Error::MessageTooLarge {
                limit: max_message_bytes,
            },
            Some(1009),
        ),
        E::Utf8(message) => (
            Error::Protocol {
                code: 1007,
                source: message.into(),
            },
            Some(1007),
        ),
        E::Protocol(reset @ tungstenite::error::ProtocolError::ResetWithoutClosingHandshake) => (
            Error::ConnectionLost {
                source: Some(Box::new(reset)),
            },
            None,
        ),
        E::Protocol(protocol) => (
            Error::Protocol {
                code: 1002,
                source: Box::new(protocol),
            },
            Some(1002),
        ),
        other => (
            Error::ConnectionLost {
                source: Some(Box::new(other)),
            },
            None,
        ),
    };
    ReadEnd {
        error: Some(error),
        close_with,
    }
}

/// A new shared state with these budgets.
pub(crate) fn shared(outbound: usize, inbound: usize) -> Arc<Shared> {
    Arc::new(Shared {
        outbound: ByteBudget::new(outbound),
        inbound: ByteBudget::new(inbound),
        pauses: AtomicU64::new(0),
        last_frame_us: AtomicU64::new(0),
        epoch: Instant::now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structural_characters_bound_the_values_of_a_frame() {
        assert!(!too_many_values(r#"{"type":"x","a":[1,2]}"#, 8));
        assert!(too_many_values(&format!("[{}0]", "0,".repeat(100)), 99));
        assert!(!too_many_values(&format!("\"{}\"", "a".repeat(1000)), 1));
    }
}
