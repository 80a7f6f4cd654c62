//! One client connection: the handshake, then a loop that decodes every
//! client frame and hands it to the protocol engine, while a writer task
//! sends server events. Nothing a client sends ends anything but its own
//! connection.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::beta::Beta;
use crate::config::MockConfig;
use crate::engine::{Engine, Outbound};
use crate::handshake::{self, Connect, Surface};
use crate::translation::{Flow, Translation};

/// The largest message a client may send (a 16 MiB audio append fits).
pub const MAX_MESSAGE_BYTES: usize = 32 << 20;

/// Server events waiting to be written; a slow client slows the server down
/// instead of growing memory.
const OUTBOUND_CAPACITY: usize = 256;

pub(crate) async fn serve(
    stream: TcpStream,
    config: Arc<MockConfig>,
    mut shutdown: watch::Receiver<bool>,
    mut inject: broadcast::Receiver<String>,
) {
    let mut connect: Option<Connect> = None;
    // The callback's signature is tungstenite's: its error is the HTTP answer.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        let checked = handshake::check(request, config.api_key.as_deref())
            .map_err(handshake::Refusal::into_response)?;
        connect = Some(checked);
        Ok(response)
    };
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let Ok(socket) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(ws_config)).await
    else {
        return;
    };
    let Some(connect) = connect else {
        return;
    };
    let (mut sink, mut source) = socket.split();
    let (outbound_tx, mut outbound_rx) = mpsc::channel::<Message>(OUTBOUND_CAPACITY);
    let writer = tokio::spawn(async move {
        while let Some(message) = outbound_rx.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });

    let outbound = Outbound::new(outbound_tx.clone());
    let mut protocol = Protocol::new(&connect, Arc::clone(&config), outbound.clone());
    protocol.start().await;
    let close = loop {
        tokio::select! {
            frame = source.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if protocol.handle_text(text.as_str()).await == Flow::Close {
                        break Some((CloseCode::Normal, String::new()));
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    protocol.reject(None, &format!("binary frames are not supported ({} bytes): send events as JSON text", bytes.len())).await;
                }
                Some(Ok(Message::Close(_))) | None => break None,
                Some(Ok(_)) => {} // ping and pong: answered by tungstenite
                Some(Err(tokio_tungstenite::tungstenite::Error::Capacity(_))) => {
                    break Some((CloseCode::Size, format!("message larger than {MAX_MESSAGE_BYTES} bytes")));
                }
                Some(Err(_)) => break Some((CloseCode::Protocol, "protocol error".to_string())),
            },
            injected = inject.recv() => {
                if let Ok(text) = injected {
                    let _ = outbound_tx.send(Message::Text(text.into())).await;
                }
            }
            _ = shutdown.changed() => break Some((CloseCode::Away, "server shutting down".to_string())),
        }
    };
    protocol.stop();
    if let Some((code, reason)) = close {
        let _ = outbound_tx
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }
    drop(protocol);
    drop(outbound);
    drop(outbound_tx);
    let _ = writer.await;
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
    fn new(connect: &Connect, config: Arc<MockConfig>, out: Outbound) -> Self {
        match connect.surface {
            Surface::Ga => Protocol::Ga(Engine::new(connect, config, out)),
            Surface::Beta => Protocol::Beta(Beta::new(connect, config, out)),
            Surface::Translation => Protocol::Translation(Translation::new(connect, out)),
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
