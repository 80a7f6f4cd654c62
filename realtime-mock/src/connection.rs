//! One client connection: the handshake, then a loop that decodes every
//! client frame and hands it to the protocol engine, while a writer task
//! sends server events. Nothing a client sends ends anything but its own
//! connection, and nothing a client does (or fails to do: complete its
//! handshake, read) keeps a connection open beyond the server's limits.

use std::sync::Arc;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::beta::Beta;
use crate::config::{Limits, MockConfig};
use crate::engine::{Engine, Outbound};
use crate::handshake::{self, Connect, Refusal, Surface};
use crate::registry::Registry;
use crate::translation::{Flow, Translation};
use crate::{http, rest};
use tokio_tungstenite::tungstenite::http as http_types;

type Socket = WebSocketStream<http::Replayed>;

/// The size of each connection's read buffer (the client's default too).
const READ_BUFFER_BYTES: usize = 16 << 10;

/// Serves one accepted connection until the client leaves, the protocol
/// ends the session, or the server shuts down. Every phase is bounded: the
/// handshake by [`Limits::handshake_timeout`], the close by
/// [`Limits::close_timeout`], and shutdown ends the conversation wherever
/// it is, even in a write the client does not read.
pub(crate) async fn serve(
    mut stream: TcpStream,
    config: Arc<MockConfig>,
    registry: Arc<Registry>,
    mut shutdown: watch::Receiver<bool>,
    mut inject: broadcast::Receiver<String>,
) {
    let limits = config.limits;
    // The request head first: a WebSocket upgrade, or a REST request.
    let head = tokio::select! {
        head = tokio::time::timeout(limits.handshake_timeout, http::read_head(&mut stream)) => head,
        _ = shutdown.wait_for(|&stop| stop) => return,
    };
    let (head, read) = match head {
        Ok(Ok(head)) => head,
        // Not HTTP, or a head over the limit: answered, then closed.
        Ok(Err(error @ (http::HeadError::Malformed | http::HeadError::TooLarge))) => {
            let answered = rest::refuse_head(&mut stream, &error);
            let _ = tokio::time::timeout(limits.handshake_timeout, answered).await;
            return;
        }
        // Gone, or too slow: closed.
        Ok(Err(http::HeadError::Closed)) | Err(_) => return,
    };
    if !head.is_upgrade() {
        let answered = rest::serve(stream, head, read, &config, &registry);
        let _ = tokio::time::timeout(limits.handshake_timeout, answered).await;
        return;
    }
    let stream = http::Replayed::new(read, stream);
    let mut connect: Option<Connect> = None;
    // The callback's signature is tungstenite's: its error is the HTTP answer.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, mut response: Response| -> Result<Response, ErrorResponse> {
        let checked = handshake::check(request, config.api_key.as_deref(), &registry)
            .map_err(handshake::Refusal::into_response)?;
        if let Some(subprotocol) = checked.subprotocol {
            response.headers_mut().insert(
                http_types::header::SEC_WEBSOCKET_PROTOCOL,
                http_types::HeaderValue::from_static(subprotocol),
            );
        }
        connect = Some(checked);
        Ok(response)
    };
    let ws_config = WebSocketConfig::default()
        // tungstenite zero-fills its read buffer for every read: with its
        // 128 KiB default that memset was 15 % of the mock's CPU at 500
        // sessions (client frames are small: 20 ms of audio is 1.3 KB).
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(Some(limits.max_message_bytes))
        .max_frame_size(Some(limits.max_frame_bytes));
    let handshake = tokio::time::timeout(
        limits.handshake_timeout,
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(ws_config)),
    );
    let socket = tokio::select! {
        handshake = handshake => match handshake {
            Ok(Ok(socket)) => socket,
            // Refused (answered by the callback), broken, or too slow: closed.
            Ok(Err(_)) | Err(_) => return,
        },
        _ = shutdown.wait_for(|&stop| stop) => return,
    };
    let Some(connect) = connect else {
        return;
    };
    let (sink, mut source) = socket.split();
    let (outbound_tx, outbound_rx) = mpsc::channel::<Message>(limits.max_queued_events.max(1));
    let mut writer = tokio::spawn(write(sink, outbound_rx));

    let mut protocol = Protocol::new(&connect, Arc::clone(&config), outbound_tx.clone());
    // Shutdown wins wherever the conversation is, also while it waits for
    // room in a queue that a client which does not read keeps full.
    let close = tokio::select! {
        close = converse(&mut protocol, &mut source, &mut inject, &outbound_tx, &limits) => close,
        _ = shutdown.wait_for(|&stop| stop) => Some((CloseCode::Away, "server shutting down".to_string())),
    };
    protocol.stop();
    drop(protocol);
    let closing = async {
        if let Some((code, reason)) = close {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ = outbound_tx.send(Message::Close(Some(frame))).await;
        }
        drop(outbound_tx);
        let _ = (&mut writer).await;
    };
    if tokio::time::timeout(limits.close_timeout, closing)
        .await
        .is_err()
    {
        // The client does not take what is written: rather than wait for
        // it, drop the connection (the writer's half of the socket now, the
        // reader's half on return).
        writer.abort();
    }
}

/// Reads client frames and hands them to the protocol until the session
/// ends; the close frame to send, if any.
async fn converse(
    protocol: &mut Protocol,
    source: &mut SplitStream<Socket>,
    inject: &mut broadcast::Receiver<String>,
    outbound: &mpsc::Sender<Message>,
    limits: &Limits,
) -> Option<(CloseCode, String)> {
    protocol.start().await;
    loop {
        tokio::select! {
            frame = source.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if protocol.handle_text(text.as_str()).await == Flow::Close {
                        return Some((CloseCode::Normal, String::new()));
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    protocol.reject(None, &format!("binary frames are not supported ({} bytes): send events as JSON text", bytes.len())).await;
                }
                Some(Ok(Message::Close(_))) | None => return None,
                Some(Ok(_)) => {} // ping and pong: answered by tungstenite
                Some(Err(tokio_tungstenite::tungstenite::Error::Capacity(_))) => {
                    return Some((CloseCode::Size, format!("message larger than {} bytes", limits.max_message_bytes)));
                }
                Some(Err(_)) => return Some((CloseCode::Protocol, "protocol error".to_string())),
            },
            injected = inject.recv() => {
                if let Ok(text) = injected {
                    let _ = outbound.send(Message::Text(text.into())).await;
                }
            }
        }
    }
}

/// Writes queued server events in order, until a close frame was written,
/// a write failed, or nothing can be queued any more.
async fn write(mut sink: SplitSink<Socket, Message>, mut outbound: mpsc::Receiver<Message>) {
    while let Some(message) = outbound.recv().await {
        let mut closing = matches!(message, Message::Close(_));
        if sink.feed(message).await.is_err() {
            break;
        }
        // What is already queued goes out with it, and one flush for all:
        // a system call per batch rather than per event.
        while !closing {
            let Ok(message) = outbound.try_recv() else {
                break;
            };
            closing = matches!(message, Message::Close(_));
            if sink.feed(message).await.is_err() {
                return;
            }
        }
        if sink.flush().await.is_err() || closing {
            break;
        }
    }
    let _ = sink.close().await;
}

/// Refuses a connection over [`Limits::max_connections`]: answers its
/// handshake with HTTP 503 and the service's JSON error body if the request
/// arrives within `patience`, and closes it either way.
pub(crate) async fn refuse_over_limit(
    stream: TcpStream,
    max_connections: usize,
    patience: std::time::Duration,
) {
    #[allow(clippy::result_large_err)]
    let callback = |_: &Request, _: Response| -> Result<Response, ErrorResponse> {
        Err(Refusal {
            status: tokio_tungstenite::tungstenite::http::StatusCode::SERVICE_UNAVAILABLE,
            message: format!(
                "The server is at its limit of {max_connections} open connections. Please try again later."
            ),
        }
        .into_response())
    };
    let _ = tokio::time::timeout(
        patience,
        tokio_tungstenite::accept_hdr_async(stream, callback),
    )
    .await;
}

/// The protocol a connection speaks, chosen by the handshake.
enum Protocol {
    /// The GA engine as it is.
    Ga(Engine),
    /// The GA engine behind the beta translation layer.
    Beta(Beta),
    /// A translation session.
    Translation(Translation),
}

impl Protocol {
    /// The protocol of `connect`'s surface, writing its events to `tx`.
    fn new(connect: &Connect, config: Arc<MockConfig>, tx: mpsc::Sender<Message>) -> Self {
        match connect.surface {
            Surface::Ga => Protocol::Ga(Engine::new(connect, config, Outbound::new(tx))),
            Surface::Beta => Protocol::Beta(Beta::new(connect, config, Outbound::new(tx))),
            Surface::Translation => {
                Protocol::Translation(Translation::new(connect, Outbound::new(tx)))
            }
        }
    }

    async fn start(&mut self) {
        match self {
            Protocol::Ga(engine) => engine.start().await,
            Protocol::Beta(beta) => beta.start().await,
            Protocol::Translation(translation) => translation.start().await,
        }
    }

    async fn handle_text(&mut self, text: &str) -> Flow {
        match self {
            Protocol::Ga(engine) => engine.handle_text(text).await,
            Protocol::Beta(beta) => beta.handle_text(text).await,
            Protocol::Translation(translation) => return translation.handle_text(text).await,
        }
        Flow::Continue
    }

    async fn reject(&self, event_id: Option<&str>, message: &str) {
        match self {
            Protocol::Ga(engine) => engine.reject(event_id, message).await,
            Protocol::Beta(beta) => beta.reject(event_id, message).await,
            Protocol::Translation(translation) => translation.reject(event_id, message).await,
        }
    }

    fn stop(&mut self) {
        match self {
            Protocol::Ga(engine) => engine.stop(),
            Protocol::Beta(beta) => beta.stop(),
            Protocol::Translation(_) => {}
        }
    }
}
