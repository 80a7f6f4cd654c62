//! Loopback WebSocket servers for the in-process benchmarks. Each listens
//! on `127.0.0.1` in a thread of its own with its own current-thread
//! runtime, so that none of the server's work runs on the client's runtime,
//! and serves every connection with one of the behaviours below. They run
//! until the process ends.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// A server socket, as handed to a behaviour.
pub type ServerSocket = WebSocketStream<TcpStream>;

/// How long a server waits for the client's side of the closing handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// A running loopback server.
#[derive(Debug)]
pub struct LoopbackServer {
    port: u16,
}

impl LoopbackServer {
    /// Listens on a free port of `127.0.0.1` and serves each connection,
    /// once its handshake is done (any path is accepted), with `behaviour`.
    pub fn spawn<B, F>(behaviour: B) -> io::Result<Self>
    where
        B: Fn(ServerSocket) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name(format!("loopback-{port}"))
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = TcpListener::from_std(listener) else {
                        return;
                    };
                    while let Ok((stream, _)) = listener.accept().await {
                        let _ = stream.set_nodelay(true);
                        // Clients connect one at a time: the handshake can
                        // run in the accept loop.
                        if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
                            tokio::spawn(behaviour(socket));
                        }
                    }
                });
            })?;
        Ok(LoopbackServer { port })
    }

    /// The base URL of the server for a Realtime client: `ws://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("ws://127.0.0.1:{}/v1", self.port)
    }
}

/// Sends `frames` as fast as the socket takes them (buffered, flushed once
/// at the end), then closes.
pub async fn send_then_close(mut socket: ServerSocket, frames: Arc<[Message]>) {
    for frame in frames.iter() {
        if socket.feed(frame.clone()).await.is_err() {
            return;
        }
    }
    if socket.close(None).await.is_ok() {
        drain(&mut socket).await;
    }
}

/// What a counting server received on one connection.
#[derive(Debug, Clone, Copy)]
pub struct Receipt {
    /// Text frames received.
    pub frames: usize,
    /// Their total length in bytes.
    pub bytes: usize,
    /// When the last of them arrived.
    pub last_at: Instant,
}

/// Counts the text frames the client sends; once `expected` have arrived,
/// reports them on `receipts` (and goes on reading until the client closes).
pub async fn count_received(
    mut socket: ServerSocket,
    expected: usize,
    receipts: mpsc::UnboundedSender<Receipt>,
) {
    let (mut frames, mut bytes) = (0, 0);
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message {
            frames += 1;
            bytes += text.len();
            if frames == expected {
                let last_at = Instant::now();
                let _ = receipts.send(Receipt {
                    frames,
                    bytes,
                    last_at,
                });
            }
        }
    }
}

/// Answers every text frame with `reply`.
pub async fn answer_each(mut socket: ServerSocket, reply: Message) {
    while let Some(Ok(message)) = socket.next().await {
        if message.is_text() && socket.send(reply.clone()).await.is_err() {
            return;
        }
    }
}

/// Reads until the client's close (or `CLOSE_WAIT`).
async fn drain(socket: &mut ServerSocket) {
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}
