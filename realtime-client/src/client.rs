//! The connection: a background task owns the socket (writes what senders
//! queue, reads frames, keeps the connection alive); the client, its sender
//! and its receiver talk to it through bounded channels. Frames are decoded
//! by the receiver, on the reader's task: the connection task only moves
//! bytes, so slow decoding never delays a pong, and a reader that wants the
//! borrowed views ([`RealtimeReceiver::next_text`]) never pays for a decode
//! it does not use.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{SinkExt, Stream, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use tokio_util::sync::PollSender;
use tracing::{Instrument, debug, info_span, warn};

use crate::builder::{ClientBuilder, Credentials, host_of};
use crate::error::{DecodeError, Error, Result};
use crate::secret::Secret;
use crate::surface::{Ga, Surface};

/// One server frame: its raw text and the event decoded from it.
#[derive(Debug, Clone)]
pub struct Frame<E> {
    /// The frame's text, exactly as received.
    pub text: RawText,
    /// The decoded event (`Unknown` for an event type this version does not know).
    pub event: E,
}

/// The text of a received frame, shared with the receive buffer (keeping it
/// costs no copy). Reads as `&str`; `Debug` shows only its length, since
/// frames carry user audio and text.
#[derive(Clone, PartialEq, Eq)]
pub struct RawText(tungstenite::Utf8Bytes);

impl RawText {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::ops::Deref for RawText {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for RawText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawText({} bytes)", self.0.len())
    }
}

enum Outgoing {
    Text(String),
    Close(u16, String),
}

/// A handle on the outgoing queue.
pub(crate) struct Queue(mpsc::Sender<Outgoing>);

impl Queue {
    /// Queues a text frame; waits while the queue is full.
    pub(crate) async fn push_text(self, text: String) -> Result<()> {
        self.0
            .send(Outgoing::Text(text))
            .await
            .map_err(|_| Error::SessionClosed)
    }
}

/// A session with the Realtime API over one WebSocket.
#[derive(Debug)]
pub struct RealtimeClient<S: Surface = Ga> {
    sender: RealtimeSender<S>,
    receiver: RealtimeReceiver<S>,
}

/// Sends events; cloneable and usable from many tasks. Sending waits while
/// the connection's outgoing queue is full (backpressure).
#[derive(Debug)]
pub struct RealtimeSender<S: Surface = Ga> {
    tx: mpsc::Sender<Outgoing>,
    /// The same queue, for the `Sink` implementation (created on first use).
    sink: Option<PollSender<Outgoing>>,
    surface: PhantomData<fn() -> S>,
}

impl<S: Surface> Clone for RealtimeSender<S> {
    fn clone(&self) -> Self {
        RealtimeSender {
            tx: self.tx.clone(),
            sink: None,
            surface: PhantomData,
        }
    }
}

/// Receives server events, in order. Ends after the session closes.
#[derive(Debug)]
pub struct RealtimeReceiver<S: Surface = Ga> {
    rx: mpsc::Receiver<Result<RawText>>,
    // `fn() -> S`: the receiver holds no `S`, so it is `Unpin` and `Send` whatever `S` is.
    surface: PhantomData<fn() -> S>,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outgoing::Text(text) => write!(f, "Text({} bytes)", text.len()),
            Outgoing::Close(code, _) => write!(f, "Close({code})"),
        }
    }
}

impl RealtimeClient<Ga> {
    /// Starts configuring a client (GA surface; see [`ClientBuilder::beta`]
    /// and [`ClientBuilder::translation`]).
    pub fn builder() -> ClientBuilder<Ga> {
        ClientBuilder::default()
    }
}

impl<S: Surface> ClientBuilder<S> {
    /// Connects and completes the handshake.
    pub async fn connect(self) -> Result<RealtimeClient<S>> {
        let url = self.url()?;
        let authority = url
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(rest));
        let host = host_of(authority).to_string();
        let span = info_span!("realtime.connect", surface = S::NAME, host = %host);
        async move {
            let secret = resolve(&self.credentials).await?;
            let mut request = url
                .as_str()
                .into_client_request()
                .map_err(|e| Error::Config(e.to_string()))?;
            let headers = request.headers_mut();
            let mut put = |name: &'static str, value: &str| -> Result<()> {
                let mut value = HeaderValue::from_str(value).map_err(|_| {
                    Error::Config(format!("the `{name}` header value is not valid"))
                })?;
                value.set_sensitive(name == "authorization" || name == "api-key");
                headers.insert(name, value);
                Ok(())
            };
            match (&self.credentials, &secret) {
                (Credentials::AzureKey(key), _) => put("api-key", key.expose())?,
                (_, Some(token)) => put("authorization", &format!("Bearer {}", token.expose()))?,
                _ => {}
            }
            if S::BETA {
                put("openai-beta", "realtime=v1")?;
            }
            if let Some(organization) = &self.organization {
                put("openai-organization", organization)?;
            }
            if let Some(project) = &self.project {
                put("openai-project", project)?;
            }
            let config = WebSocketConfig::default()
                .max_message_size(Some(self.max_message_bytes))
                .max_frame_size(Some(self.max_message_bytes));
            let connector = if url.starts_with("wss://") {
                Connector::Rustls(tls_config()?)
            } else {
                Connector::Plain
            };
            let handshake = tokio_tungstenite::connect_async_tls_with_config(
                request,
                Some(config),
                true,
                Some(connector),
            );
            let scrub_with = match &self.credentials {
                Credentials::AzureKey(key) => Some(key.clone()),
                _ => secret.clone(),
            };
            let (socket, _) = match tokio::time::timeout(self.connect_timeout, handshake).await {
                Err(_) => {
                    return Err(Error::Timeout {
                        after: self.connect_timeout,
                    });
                }
                Ok(Err(error)) => return Err(handshake_error(error, &host, scrub_with.as_ref())),
                Ok(Ok(connected)) => connected,
            };
            debug!("connected");
            Ok(RealtimeClient::start(socket, &self))
        }
        .instrument(span)
        .await
    }
}

async fn resolve(credentials: &Credentials) -> Result<Option<Secret>> {
    match credentials {
        Credentials::None | Credentials::AzureKey(_) => Ok(None),
        Credentials::Bearer(secret) => Ok(Some(secret.clone())),
        Credentials::Provider(provider) => {
            provider.token().await.map(Some).map_err(Error::Credentials)
        }
    }
}

fn tls_config() -> Result<Arc<rustls::ClientConfig>> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::Config(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

fn handshake_error(error: tungstenite::Error, host: &str, secret: Option<&Secret>) -> Error {
    match error {
        tungstenite::Error::Http(response) => {
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                return Error::Redirect { status };
            }
            let message = response
                .body()
                .as_ref()
                .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
                .and_then(|body| {
                    body.pointer("/error/message")
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                })
                .map(|message| match secret {
                    Some(secret) => secret.scrub(&message),
                    None => message,
                });
            Error::Handshake { status, message }
        }
        tungstenite::Error::Io(error) => {
            // rustls reports through `io::Error`; say that it was TLS.
            let tls = error
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
            let message = if tls {
                format!("TLS: {error}")
            } else {
                error.to_string()
            };
            Error::Connect {
                host: host.to_string(),
                message,
            }
        }
        tungstenite::Error::Tls(error) => Error::Connect {
            host: host.to_string(),
            message: format!("TLS: {error}"),
        },
        other => Error::Connect {
            host: host.to_string(),
            message: other.to_string(),
        },
    }
}

impl<S: Surface> RealtimeClient<S> {
    fn start(
        socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
        config: &ClientBuilder<S>,
    ) -> Self {
        let (out_tx, out_rx) = mpsc::channel(config.outbound_capacity);
        let (in_tx, in_rx) = mpsc::channel(config.inbound_capacity);
        let keepalive = config
            .ping_interval
            .map(|interval| (interval, config.pong_timeout));
        let span = info_span!("realtime.session", surface = S::NAME);
        tokio::spawn(
            connection(socket, out_rx, in_tx, keepalive, config.max_message_bytes).instrument(span),
        );
        RealtimeClient {
            sender: RealtimeSender {
                tx: out_tx,
                sink: None,
                surface: PhantomData,
            },
            receiver: RealtimeReceiver {
                rx: in_rx,
                surface: PhantomData,
            },
        }
    }

    /// Sends a client event (see [`RealtimeSender::send`]). Cancel-safe.
    pub async fn send(&self, event: impl Into<S::Client>) -> Result<()> {
        self.sender.send(event).await
    }

    /// Sends a raw JSON event as it is (see [`RealtimeSender::send_raw`]).
    pub async fn send_raw(&self, event: &serde_json::Value) -> Result<()> {
        self.sender.send_raw(event).await
    }

    /// The next server event; see [`RealtimeReceiver::next_event`]. Cancel-safe.
    pub async fn next_event(&mut self) -> Option<Result<S::Server>> {
        self.receiver.next_event().await
    }

    /// The next server frame with its raw text; see [`RealtimeReceiver::next_frame`]. Cancel-safe.
    pub async fn next_frame(&mut self) -> Option<Result<Frame<S::Server>>> {
        self.receiver.next_frame().await
    }

    /// The next server frame's text, not decoded; see [`RealtimeReceiver::next_text`]. Cancel-safe.
    pub async fn next_text(&mut self) -> Option<Result<RawText>> {
        self.receiver.next_text().await
    }

    /// Closes the session with `code` and `reason` (1000 is a normal close).
    pub async fn close(&self, code: u16, reason: &str) -> Result<()> {
        self.sender.close(code, reason).await
    }

    /// A sender that can be cloned into other tasks, without splitting.
    pub fn sender(&self) -> RealtimeSender<S> {
        self.sender.clone()
    }

    pub(crate) fn sender_ref(&self) -> &RealtimeSender<S> {
        &self.sender
    }

    /// Splits into a sender and a receiver.
    pub fn split(self) -> (RealtimeSender<S>, RealtimeReceiver<S>) {
        (self.sender, self.receiver)
    }
}

impl<S: Surface> RealtimeSender<S> {
    /// Sends a client event: an event union or any event struct
    /// (`client.send(SessionUpdate::new(session).with_event_id("evt_1"))`).
    /// Waits while the outgoing queue is full; [`Error::SessionClosed`] once
    /// the session is over. Cancel-safe: dropped before it completes, the
    /// event is either queued whole or not at all.
    pub async fn send(&self, event: impl Into<S::Client>) -> Result<()> {
        let text =
            serde_json::to_string(&event.into()).map_err(|e| Error::Encode(e.to_string()))?;
        self.send_text(text).await
    }

    /// Sends a raw JSON event as it is (an escape hatch for events this
    /// version does not know).
    pub async fn send_raw(&self, event: &serde_json::Value) -> Result<()> {
        self.send_text(event.to_string()).await
    }

    async fn send_text(&self, text: String) -> Result<()> {
        self.queue().push_text(text).await
    }

    /// The outgoing queue, owned (for futures that must not borrow the sender).
    pub(crate) fn queue(&self) -> Queue {
        Queue(self.tx.clone())
    }

    /// Closes the session with `code` and `reason`.
    pub async fn close(&self, code: u16, reason: &str) -> Result<()> {
        self.tx
            .send(Outgoing::Close(code, reason.to_string()))
            .await
            .map_err(|_| Error::SessionClosed)
    }
}

impl<S: Surface> RealtimeReceiver<S> {
    /// The next server event. `Some(Err(Error::Decode(..)))` for a frame that
    /// is not an event (the stream goes on), `Some(Err(Error::Closed{..}))`
    /// when the server closes, then `None`. Cancel-safe: dropping the future
    /// (e.g. in `tokio::select!`) loses no event.
    pub async fn next_event(&mut self) -> Option<Result<S::Server>> {
        self.next_frame()
            .await
            .map(|frame| frame.map(|frame| frame.event))
    }

    /// Like [`RealtimeReceiver::next_event`], with the frame's raw text. Cancel-safe.
    pub async fn next_frame(&mut self) -> Option<Result<Frame<S::Server>>> {
        self.rx.recv().await.map(|text| text.and_then(decode::<S>))
    }

    /// The next frame's text, not decoded, for the hot path: decode it with
    /// the surface's borrowed view (`ga::ServerEventRef::from_frame`), which
    /// does not copy the base64 of audio deltas. Transport errors and the
    /// end of the session come as from [`RealtimeReceiver::next_event`];
    /// binary frames are `Error::Decode`. Cancel-safe.
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
    pub async fn next_text(&mut self) -> Option<Result<RawText>> {
        self.rx.recv().await
    }
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
        self.rx
            .poll_recv(cx)
            .map(|text| text.map(|text| text.and_then(decode::<S>).map(|frame| frame.event)))
    }
}

/// The task that owns the socket.
async fn connection(
    mut socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    incoming: mpsc::Sender<Result<RawText>>,
    keepalive: Option<(Duration, Duration)>,
    max_message_bytes: usize,
) {
    let far_future = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    let mut next_ping = keepalive.map_or(far_future, |(interval, _)| Instant::now() + interval);
    let mut pong_deadline: Option<Instant> = None;
    let mut closing = false;
    let end: Option<Error> = loop {
        tokio::select! {
            command = outgoing.recv(), if !closing => match command {
                Some(Outgoing::Text(text)) => {
                    debug!(bytes = text.len(), "send");
                    if let Err(error) = socket.send(Message::Text(text.into())).await {
                        break Some(Error::Transport(error.to_string()));
                    }
                }
                Some(Outgoing::Close(code, reason)) => {
                    debug!(code, "close requested");
                    closing = true;
                    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                    if socket.send(Message::Close(Some(frame))).await.is_err() {
                        break None;
                    }
                }
                // Every sender is gone: nobody can send any more; keep receiving.
                None => closing = true,
            },
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let text = RawText(text);
                    debug!(bytes = text.len(), "receive");
                    if incoming.send(Ok(text)).await.is_err() {
                        // The receiver is gone: nobody reads; end politely.
                        let _ = socket.close(None).await;
                        break None;
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    warn!(bytes = bytes.len(), "binary frame");
                    if incoming.send(Err(Error::Decode(DecodeError::Binary { len: bytes.len() }))).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Pong(_))) => pong_deadline = None,
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string()));
                    debug!(code, "closed by the server");
                    break (!closing).then_some(Error::Closed { code, reason });
                }
                Some(Ok(_)) => {} // pings are answered by tungstenite
                Some(Err(tungstenite::Error::Capacity(_))) => break Some(Error::MessageTooLarge { limit: max_message_bytes }),
                Some(Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed)) | None => {
                    break (!closing).then(|| Error::Closed { code: 1006, reason: "connection lost".into() });
                }
                Some(Err(error)) => break Some(Error::Transport(error.to_string())),
            },
            _ = tokio::time::sleep_until(next_ping), if keepalive.is_some() && pong_deadline.is_none() => {
                if let Some((interval, timeout)) = keepalive {
                    if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                        break Some(Error::Transport("cannot send a ping".into()));
                    }
                    pong_deadline = Some(Instant::now() + timeout);
                    next_ping = Instant::now() + interval;
                }
            }
            _ = tokio::time::sleep_until(pong_deadline.unwrap_or(far_future)), if pong_deadline.is_some() => {
                let after = keepalive.map_or(Duration::ZERO, |(_, timeout)| timeout);
                warn!(?after, "no pong");
                break Some(Error::KeepaliveTimeout { after });
            }
        }
    };
    if let Some(error) = end {
        debug!(%error, "session ended");
        let _ = incoming.send(Err(error)).await;
    }
}

impl<S: Surface> RealtimeSender<S> {
    fn poll_sender(&mut self) -> &mut PollSender<Outgoing> {
        self.sink
            .get_or_insert_with(|| PollSender::new(self.tx.clone()))
    }
}

/// Sending through `futures::Sink` waits for room in the outgoing queue
/// (`poll_ready`), like [`RealtimeSender::send`].
impl<S: Surface> futures_util::Sink<S::Client> for RealtimeSender<S> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut()
            .poll_sender()
            .poll_reserve(cx)
            .map_err(|_| Error::SessionClosed)
    }

    fn start_send(self: Pin<&mut Self>, event: S::Client) -> Result<()> {
        let text = serde_json::to_string(&event).map_err(|e| Error::Encode(e.to_string()))?;
        self.get_mut()
            .poll_sender()
            .send_item(Outgoing::Text(text))
            .map_err(|_| Error::SessionClosed)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }
}
