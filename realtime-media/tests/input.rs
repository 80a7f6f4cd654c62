//! The input pump's backpressure: a source faster than the session is
//! pulled only as fast as the session takes its audio.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use realtime_client::RealtimeClient;
use realtime_media::{
    AudioFrame, InputOptions, MediaError, MediaSource, Pacing, stream_into_session,
};
use tokio::net::TcpListener;

/// An endless source of 20 ms frames that counts how many were pulled.
struct Endless {
    pulled: Arc<AtomicUsize>,
}

impl MediaSource for Endless {
    async fn next_frame(&mut self) -> Option<Result<AudioFrame, MediaError>> {
        self.pulled.fetch_add(1, Ordering::Relaxed);
        Some(Ok(AudioFrame::pcm16(24_000, &[100; 480])))
    }
}

/// A Realtime "server" that completes the WebSocket handshake and then
/// never reads again.
async fn stalled_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("the client connects");
        let socket = tokio_tungstenite::accept_async(tcp).await.expect("upgrade");
        tokio::time::sleep(Duration::from_secs(3_600)).await;
        drop(socket);
    });
    format!("ws://{address}/v1")
}

#[tokio::test]
async fn a_source_is_not_pulled_beyond_what_the_session_can_take() {
    let client = RealtimeClient::builder()
        .base_url(stalled_server().await)
        .model("gpt-realtime")
        .outbound_buffer_bytes(64 * 1024)
        .connect()
        .await
        .expect("connects");
    let sender = client.sender();
    let pulled = Arc::new(AtomicUsize::new(0));
    let source = Endless {
        pulled: Arc::clone(&pulled),
    };
    let pump = tokio::spawn(async move {
        let options = InputOptions::default().with_pacing(Pacing::AsFastAsAllowed);
        stream_into_session(&sender, source, options).await
    });
    // Wait until pulling has stopped (the socket's buffers and the
    // outbound budget are full), then check that it stays stopped.
    let mut last = usize::MAX;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = pulled.load(Ordering::Relaxed);
        if now == last {
            break;
        }
        last = now;
    }
    assert_eq!(
        pulled.load(Ordering::Relaxed),
        last,
        "pulling never stopped"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        pulled.load(Ordering::Relaxed),
        last,
        "the source is still being pulled"
    );
    assert!(
        !pump.is_finished(),
        "the pump waits, it does not fail or drop"
    );
    pump.abort();
    drop(client);
}
