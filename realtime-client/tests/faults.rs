//! The client under load and faults, against scripted servers over
//! loopback: a reader that is slow or stalled, queues bounded in bytes, a
//! server that closes, drops, breaks the protocol or sends what costs too
//! much to decode.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use realtime_client::{ClientBuilder, DecodeError, Error, RealtimeClient, Received, Reconnect};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, handshake::server};

type ServerSocket = WebSocketStream<TcpStream>;

/// A GA audio delta of `bytes` of base64.
fn delta(bytes: usize) -> String {
    format!(
        r#"{{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"{}"}}"#,
        "A".repeat(bytes)
    )
}

/// A scripted server: every accepted connection (with its `Authorization`
/// header) goes to the test.
struct Scripted {
    url: String,
    connections: mpsc::UnboundedReceiver<(ServerSocket, Option<String>)>,
}

async fn scripted() -> Scripted {
    scripted_at("127.0.0.1:0").await.0
}

/// A scripted server on `addr`, and the task that accepts (abort it to stop
/// listening).
async fn scripted_at(addr: &str) -> (Scripted, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind(addr).await.expect("binds");
    let url = format!("ws://{}/v1", listener.local_addr().expect("address"));
    let (tx, connections) = mpsc::unbounded_channel();
    let accepting = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut authorization = None;
                #[allow(clippy::result_large_err)] // tungstenite's callback signature
                let callback = |request: &server::Request, response: server::Response| {
                    authorization = request
                        .headers()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    Ok(response)
                };
                if let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await {
                    let _ = tx.send((socket, authorization));
                }
            });
        }
    });
    (Scripted { url, connections }, accepting)
}

impl Scripted {
    /// Connects a client configured by `configure` (on top of this server's
    /// URL and a model) and accepts its connection.
    async fn session(
        &mut self,
        configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> (ServerSocket, RealtimeClient) {
        let builder = configure(
            RealtimeClient::builder()
                .base_url(self.url.clone())
                .model("m"),
        );
        let connecting = tokio::spawn(builder.connect());
        let socket = self.accept().await;
        let client = connecting.await.expect("joined").expect("connects");
        (socket, client)
    }

    async fn accept(&mut self) -> ServerSocket {
        self.accept_with_key().await.0
    }

    async fn accept_with_key(&mut self) -> (ServerSocket, Option<String>) {
        tokio::time::timeout(Duration::from_secs(10), self.connections.recv())
            .await
            .expect("a connection in time")
            .expect("the server runs")
    }
}

/// Reads until the end and says what came: text frames, then how it ended.
async fn drain(mut socket: ServerSocket) -> (Vec<String>, Option<CloseFrame>) {
    let mut texts = Vec::new();
    while let Some(Ok(message)) = socket.next().await {
        match message {
            Message::Text(text) => texts.push(text.to_string()),
            Message::Close(frame) => return (texts, frame),
            _ => {}
        }
    }
    (texts, None)
}

async fn next_item(
    client: &mut RealtimeClient,
) -> Option<realtime_client::Result<Received<realtime_types::ga::ServerEvent>>> {
    tokio::time::timeout(Duration::from_secs(10), client.next_received())
        .await
        .expect("an item in time")
}

#[tokio::test]
async fn a_slow_reader_is_backpressure_not_a_keepalive_timeout() {
    let mut server = scripted().await;
    let (socket, mut client) = server
        .session(|builder| {
            builder
                .keepalive(Duration::from_millis(50), Duration::from_millis(150))
                .inbound_buffer_bytes(64 << 10)
        })
        .await;
    // The server streams 8 KiB deltas as fast as TCP lets it, and reads
    // (so it answers pings) on its own task.
    let (mut sink, mut stream) = socket.split();
    let reader = tokio::spawn(async move {
        let mut texts = 0;
        while let Some(Ok(message)) = stream.next().await {
            texts += usize::from(message.is_text());
        }
        texts
    });
    let writer = tokio::spawn(async move {
        let frame = Message::text(delta(8 << 10));
        while sink.send(frame.clone()).await.is_ok() {}
    });
    // The application takes one delta every 500 ms for 2.5 s: each pause
    // is three times the keepalive timeout, and the server sends far faster.
    let started = tokio::time::Instant::now();
    let mut taken = 0;
    while started.elapsed() < Duration::from_millis(2500) {
        match client.next_event().await {
            Some(Ok(_)) => taken += 1,
            other => panic!("after {taken} deltas the session ended: {other:?}"),
        }
        client
            .input_audio_buffer_append_pcm16(&[0; 480])
            .await
            .expect("sending goes on");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let stats = client.queue_stats();
    assert!(
        stats.read_pauses > 0,
        "the reader never fell behind: {stats:?}"
    );
    assert!(stats.inbound_bytes <= stats.inbound_limit, "{stats:?}");
    client.close(1000, "done").await.unwrap();
    while client.next_event().await.is_some() {}
    writer.abort();
    assert!(
        reader.await.unwrap() >= taken,
        "every append reached the server"
    );
}

#[tokio::test]
async fn a_stalled_reader_never_blocks_sending() {
    let mut server = scripted().await;
    let (socket, client) = server
        .session(|builder| builder.inbound_buffer_bytes(32 << 10))
        .await;
    let (mut sink, stream) = socket.split();
    let writer = tokio::spawn(async move {
        let frame = Message::text(delta(8 << 10));
        while sink.send(frame.clone()).await.is_ok() {}
    });
    let counter = tokio::spawn(async move {
        stream
            .filter(|m| std::future::ready(matches!(m, Ok(Message::Text(_)))))
            .take(500)
            .count()
            .await
    });
    // Nobody reads events; send everything first.
    for n in 0..500 {
        tokio::time::timeout(
            Duration::from_secs(5),
            client.input_audio_buffer_append_pcm16(&[0; 480]),
        )
        .await
        .unwrap_or_else(|_| panic!("send {n} waited for the reader"))
        .expect("the session is open");
    }
    let received = tokio::time::timeout(Duration::from_secs(10), counter)
        .await
        .expect("the server got them in time")
        .unwrap();
    assert_eq!(received, 500);
    assert!(client.queue_stats().read_pauses > 0);
    writer.abort();
}

#[tokio::test]
async fn unread_frames_are_bounded_in_bytes() {
    let mut server = scripted().await;
    let (mut socket, mut client) = server
        .session(|builder| builder.no_keepalive().inbound_buffer_bytes(1 << 20))
        .await;
    let sender = tokio::spawn(async move {
        let frame = Message::text(delta(256 << 10));
        let mut sent = 0;
        // 64 MiB, while the client does not read.
        for _ in 0..256 {
            if tokio::time::timeout(Duration::from_millis(500), socket.send(frame.clone()))
                .await
                .is_err()
            {
                break;
            }
            sent += 1;
        }
        (sent, socket)
    });
    let (sent, socket) = sender.await.unwrap();
    assert!(
        sent < 256,
        "the server could send 64 MiB the client did not read"
    );
    let stats = client.queue_stats();
    assert!(stats.inbound_bytes <= 1 << 20, "{stats:?}");
    // Everything sent arrives, in order, once the application reads.
    drop(socket);
    let mut frames = 0;
    while let Some(Ok(_)) = client.next_event().await {
        frames += 1;
    }
    assert!(frames >= sent, "{frames} of {sent}");
}

#[tokio::test]
async fn a_frame_with_too_many_values_is_not_decoded_and_the_stream_goes_on() {
    let mut server = scripted().await;
    let (mut socket, mut client) = server
        .session(|builder| builder.max_json_values(10_000))
        .await;
    let zeros = format!(
        r#"{{"type":"response.output_audio.delta","extra":[{}0]}}"#,
        "0,".repeat(100_000)
    );
    let len = zeros.len();
    socket.send(Message::text(zeros)).await.unwrap();
    socket.send(Message::text(delta(4))).await.unwrap();
    match client.next_event().await {
        Some(Err(Error::Decode(DecodeError::TooManyValues {
            len: l,
            limit: 10_000,
        }))) => {
            assert_eq!(l, len)
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(client.next_event().await, Some(Ok(_))));
}

#[tokio::test]
async fn a_send_after_the_end_always_fails() {
    for round in 0..20 {
        let mut server = scripted().await;
        let (mut socket, mut client) = server.session(|builder| builder).await;
        if round % 2 == 0 {
            socket.close(None).await.unwrap();
        } else {
            drop(socket);
        }
        while client.next_event().await.is_some() {}
        let sent = client.input_audio_buffer_append_pcm16(&[0; 480]).await;
        assert!(
            matches!(sent, Err(Error::SessionClosed)),
            "round {round}: {sent:?}"
        );
    }
}

#[tokio::test]
async fn a_server_close_is_answered() {
    let mut server = scripted().await;
    let (mut socket, mut client) = server.session(|builder| builder).await;
    let frame = CloseFrame {
        code: CloseCode::Away,
        reason: "restarting".into(),
    };
    socket.send(Message::Close(Some(frame))).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), drain(socket))
        .await
        .expect("the client answers in time");
    assert_eq!(
        answer.1.as_ref().map(|f| u16::from(f.code)),
        Some(1001),
        "{answer:?}"
    );
    match client.next_event().await {
        Some(Err(error @ Error::Closed { code: 1001, .. })) => {
            assert_eq!(error.close_code(), Some(1001))
        }
        other => panic!("{other:?}"),
    }
    assert!(client.next_event().await.is_none());
}

/// A raw TCP server that completes the handshake, then writes `bytes`.
async fn raw_after_handshake(bytes: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("ws://{}/v1", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("a connection");
        let socket = tokio_tungstenite::accept_async(stream)
            .await
            .expect("handshake");
        let mut stream = socket.into_inner();
        stream.write_all(bytes).await.expect("written");
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut rest),
        )
        .await;
    });
    url
}

async fn end_of(url: String) -> Error {
    let mut client = RealtimeClient::builder()
        .base_url(url)
        .model("m")
        .connect()
        .await
        .expect("connects");
    loop {
        match tokio::time::timeout(Duration::from_secs(5), client.next_event())
            .await
            .expect("the end in time")
        {
            Some(Err(error)) if error.ends_session() => {
                assert!(
                    client.next_event().await.is_none(),
                    "the stream ends after {error}"
                );
                return error;
            }
            Some(_) => {}
            None => panic!("the stream ended without saying why"),
        }
    }
}

#[tokio::test]
async fn each_way_a_connection_can_break_is_its_own_error_with_its_cause() {
    // A text frame that is not UTF-8.
    let error = end_of(raw_after_handshake(&[0x81, 0x02, 0xC3, 0x28]).await).await;
    assert!(
        matches!(error, Error::Protocol { code: 1007, .. }),
        "{error:?}"
    );
    assert!(std::error::Error::source(&error).is_some());
    // Reserved bits set: a protocol violation.
    let error = end_of(raw_after_handshake(&[0xF1, 0x00]).await).await;
    assert!(
        matches!(error, Error::Protocol { code: 1002, .. }),
        "{error:?}"
    );
    assert!(std::error::Error::source(&error).is_some());
    // Half a frame, then the connection ends without a close frame.
    let error = end_of(raw_after_handshake(&[0x81, 0x7E]).await).await;
    assert!(matches!(error, Error::ConnectionLost { .. }), "{error:?}");
    assert_eq!(error.close_code(), Some(1006));
}

#[tokio::test]
async fn a_lost_connection_is_replaced_with_the_session_applied_again_and_the_queue_replayed() {
    let mut server = scripted().await;
    let (mut first, mut client) = server
        .session(|builder| {
            builder.reconnect(
                Reconnect::new().backoff(Duration::from_millis(10), Duration::from_millis(50)),
            )
        })
        .await;
    let session = realtime_types::ga::Session::default().with_instructions("be brief");
    use realtime_client::prelude::*;
    client.session_update(session).await.unwrap();
    let Some(Ok(Message::Text(update))) = first.next().await else {
        panic!("no session.update");
    };
    assert!(update.contains("session.update"));
    first.send(Message::text(delta(4))).await.unwrap();
    assert!(matches!(
        next_item(&mut client).await,
        Some(Ok(Received::Event(_)))
    ));
    // The connection drops without a close frame (a service restart).
    drop(first);
    let mut second = server.accept().await;
    match next_item(&mut client).await {
        Some(Ok(Received::Reconnected(notice))) => {
            assert_eq!(notice.close_code, Some(1006));
            assert!(notice.session_reapplied);
            assert_eq!(notice.reconnections, 1);
        }
        other => panic!("{other:?}"),
    }
    client.input_audio_buffer_commit().await.unwrap();
    let Some(Ok(Message::Text(again))) = second.next().await else {
        panic!("nothing on the new connection");
    };
    assert_eq!(again, update, "the same session configuration, first");
    let Some(Ok(Message::Text(commit))) = second.next().await else {
        panic!("the commit did not follow");
    };
    assert!(commit.contains("input_audio_buffer.commit"));
    second.send(Message::text(delta(4))).await.unwrap();
    assert!(matches!(
        next_item(&mut client).await,
        Some(Ok(Received::Event(_)))
    ));
    assert_eq!(client.split().1.reconnections(), 1);
}

#[tokio::test]
async fn closes_that_are_final_are_not_reconnected() {
    for code in [1000u16, 1002, 1008, 4001] {
        let mut server = scripted().await;
        let (mut socket, mut client) = server
            .session(|builder| {
                builder.reconnect(
                    Reconnect::new().backoff(Duration::from_millis(1), Duration::from_millis(1)),
                )
            })
            .await;
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: "".into(),
        };
        socket.send(Message::Close(Some(frame))).await.unwrap();
        drop(drain(socket).await);
        match next_item(&mut client).await {
            Some(Err(Error::Closed { code: got, .. })) => assert_eq!(got, code),
            other => panic!("{code}: {other:?}"),
        }
        assert!(next_item(&mut client).await.is_none(), "{code}");
        let again =
            tokio::time::timeout(Duration::from_millis(200), server.connections.recv()).await;
        assert!(again.is_err(), "{code}: the client came back");
    }
}

#[tokio::test]
async fn a_server_that_goes_away_and_comes_back_on_the_same_port_is_reconnected_to() {
    let (mut server, accepting) = scripted_at("127.0.0.1:0").await;
    let url = server.url.clone();
    let addr = url
        .trim_start_matches("ws://")
        .trim_end_matches("/v1")
        .to_string();
    let connecting = tokio::spawn(async move {
        RealtimeClient::builder()
            .base_url(url)
            .model("m")
            .reconnect(
                Reconnect::new()
                    .max_attempts(20)
                    .backoff(Duration::from_millis(20), Duration::from_millis(100)),
            )
            .connect()
            .await
            .expect("connects")
    });
    let socket = server.accept().await;
    let mut client = connecting.await.unwrap();
    // The server restarts: it stops listening, drops the connection, and
    // listens again on the same port a moment later.
    accepting.abort();
    let _ = accepting.await;
    drop(socket);
    // Once the client has seen the loss (at once, over loopback), what is
    // sent waits in the queue for the new connection. (Written before,
    // into a socket whose peer was already gone, it would be lost: TCP
    // takes it, and the service acknowledges no append.)
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = client.input_audio_buffer_append_pcm16(&[7; 480]).await;
    assert!(sent.is_ok(), "queued while reconnecting: {sent:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut restarted, _accepting) = scripted_at(&addr).await;
    let mut socket = restarted.accept().await;
    match next_item(&mut client).await {
        Some(Ok(Received::Reconnected(notice))) => {
            assert!(notice.attempts > 1, "{notice:?}");
            assert!(!notice.session_reapplied, "no session.update was sent");
        }
        other => panic!("{other:?}"),
    }
    let Some(Ok(Message::Text(append))) = socket.next().await else {
        panic!("the queued append was not sent");
    };
    assert!(append.contains("input_audio_buffer.append"));
}

#[tokio::test]
async fn every_try_again_close_is_reconnected() {
    // 1005: a close frame without a code.
    for code in [1001u16, 1005, 1011, 1012, 1013] {
        let mut server = scripted().await;
        let (mut socket, mut client) = server
            .session(|builder| {
                builder.reconnect(
                    Reconnect::new().backoff(Duration::from_millis(1), Duration::from_millis(5)),
                )
            })
            .await;
        let frame = (code != 1005).then(|| CloseFrame {
            code: CloseCode::from(code),
            reason: "".into(),
        });
        socket.send(Message::Close(frame)).await.unwrap();
        drop(drain(socket).await);
        let _second = server.accept().await;
        match next_item(&mut client).await {
            Some(Ok(Received::Reconnected(notice))) => assert_eq!(notice.close_code, Some(code)),
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_hook_can_refresh_the_credential_and_giving_up_hands_back_what_was_not_sent() {
    let mut server = scripted().await;
    let url = server.url.clone();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let policy = Reconnect::new()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_attempts(3)
        .on_attempt({
            let asked = asked.clone();
            move |attempt: realtime_client::Attempt| {
                let first = asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
                async move {
                    assert_eq!(attempt.number, 1);
                    if first {
                        realtime_client::Decision::RetryWith("sk-fresh".into())
                    } else {
                        realtime_client::Decision::GiveUp
                    }
                }
            }
        });
    let connecting = tokio::spawn(async move {
        RealtimeClient::builder()
            .base_url(url)
            .model("m")
            .api_key("sk-first")
            .reconnect(policy)
            .connect()
            .await
            .expect("connects")
    });
    let (first, key) = server.accept_with_key().await;
    assert_eq!(key.as_deref(), Some("Bearer sk-first"));
    let mut client = connecting.await.unwrap();
    drop(first);
    let (second, key) = server.accept_with_key().await;
    assert_eq!(key.as_deref(), Some("Bearer sk-fresh"));
    assert!(matches!(
        next_item(&mut client).await,
        Some(Ok(Received::Reconnected(_)))
    ));
    // The server stops reading, and then drops; the hook gives up.
    let (sender, mut receiver) = client.split();
    drop(server);
    sender
        .input_audio_buffer_append_pcm16(&[1; 480])
        .await
        .unwrap();
    drop(second);
    let end = tokio::time::timeout(Duration::from_secs(10), receiver.next_event())
        .await
        .expect("the end in time");
    match end {
        Some(Err(error @ Error::GaveUp { .. })) => {
            assert_eq!(error.close_code(), Some(1006), "{error}")
        }
        other => panic!("ended without GaveUp: {other:?}"),
    }
    assert!(receiver.next_event().await.is_none());
    let unsent = receiver.take_unsent();
    // The append was either written before the drop, or handed back.
    assert!(unsent.len() <= 1);
    assert!(
        unsent
            .iter()
            .all(|text| text.contains("input_audio_buffer.append"))
    );
    assert!(matches!(
        sender.input_audio_buffer_append_pcm16(&[1; 480]).await,
        Err(Error::SessionClosed)
    ));
}

#[tokio::test]
async fn listeners_hear_a_reconnect_between_the_two_sessions_events() {
    use std::sync::{Arc, Mutex};
    let mut server = scripted().await;
    let (mut first, client) = server
        .session(|builder| {
            builder.reconnect(
                Reconnect::new().backoff(Duration::from_millis(1), Duration::from_millis(5)),
            )
        })
        .await;
    let heard = Arc::new(Mutex::new(Vec::new()));
    let mut listeners: realtime_client::Listeners<realtime_client::Ga> =
        realtime_client::Listeners::new();
    let log = heard.clone();
    listeners.on_any(move |event| log.lock().unwrap().push(event.event_type().to_string()));
    let log = heard.clone();
    listeners.on_reconnected(move |notice| {
        log.lock()
            .unwrap()
            .push(format!("reconnected {:?}", notice.close_code))
    });
    let (_sender, mut receiver) = client.split();
    let run = tokio::spawn(async move { receiver.run(&mut listeners).await });
    first.send(Message::text(delta(4))).await.unwrap();
    first
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Restart,
            reason: "".into(),
        })))
        .await
        .unwrap();
    drop(drain(first).await);
    let mut second = server.accept().await;
    second.send(Message::text(delta(4))).await.unwrap();
    second
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await
        .unwrap();
    drop(drain(second).await);
    let end = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("run ends")
        .unwrap();
    assert!(
        matches!(end, Some(Error::Closed { code: 1000, .. })),
        "{end:?}"
    );
    assert_eq!(
        *heard.lock().unwrap(),
        [
            "response.output_audio.delta",
            "reconnected Some(1012)",
            "response.output_audio.delta"
        ]
    );
}

#[tokio::test]
async fn renewal_replaces_a_quiet_connection_with_the_session_and_items_applied_again() {
    use realtime_client::prelude::*;
    let mut server = scripted().await;
    let (mut first, mut client) = server
        .session(|builder| {
            builder.reconnect(
                Reconnect::new()
                    .renew_after(Duration::from_millis(300))
                    .replay_items(true),
            )
        })
        .await;
    let session = realtime_types::ga::Session::default().with_instructions("be brief");
    client.session_update(session).await.unwrap();
    let item =
        realtime_types::ga::UserMessage::new([
            realtime_types::ga::UserContent::input_text().with_text("my name is Ada")
        ]);
    client.conversation_item_create(item).await.unwrap();
    let mut sent = Vec::new();
    for _ in 0..2 {
        let Some(Ok(Message::Text(text))) = first.next().await else {
            panic!("the first connection got less than two events");
        };
        sent.push(text.to_string());
    }
    // Nothing else happens: the connection is quiet, and it is renewed.
    let (rest, close) = tokio::time::timeout(Duration::from_secs(5), drain(first))
        .await
        .expect("the old connection closes");
    assert!(rest.is_empty(), "{} more events", rest.len());
    let close = close.expect("a close frame");
    assert_eq!(u16::from(close.code), 1000);
    assert_eq!(close.reason.as_str(), "renewing");
    let mut second = server.accept().await;
    for expected in &sent {
        let Some(Ok(Message::Text(text))) = second.next().await else {
            panic!("the new connection did not get the session and the item");
        };
        assert_eq!(text.as_str(), expected.as_str());
    }
    match next_item(&mut client).await {
        Some(Ok(Received::Reconnected(notice))) => {
            assert!(notice.renewed);
            assert!(notice.session_reapplied);
            assert_eq!(notice.items_replayed, 1);
            assert_eq!(notice.close_code, Some(1000));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn renewal_waits_until_no_frame_is_streaming() {
    let mut server = scripted().await;
    let (first, _client) = server
        .session(|builder| {
            builder.reconnect(Reconnect::new().renew_after(Duration::from_millis(100)))
        })
        .await;
    let (mut sink, mut stream) = first.split();
    // A response streams for a second, well past the renewal time.
    let streaming = tokio::spawn(async move {
        for _ in 0..20 {
            if sink.send(Message::text(delta(4))).await.is_err() {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        true
    });
    let close = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
    })
    .await
    .expect("renewed in the end");
    assert!(
        streaming.is_finished(),
        "the connection was renewed while a response was streaming"
    );
    assert!(streaming.await.unwrap(), "the stream was cut");
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1000));
    let _second = server.accept().await;
}

#[tokio::test]
async fn a_close_code_that_may_not_be_sent_is_refused_and_the_session_goes_on() {
    let mut server = scripted().await;
    let (mut socket, client) = server.session(|builder| builder).await;
    for code in [0u16, 999, 1004, 1005, 1006, 1015, 2000, 5000] {
        match client.close(code, "").await {
            Err(Error::Config(message)) => assert!(message.contains(&code.to_string())),
            other => panic!("{code}: {other:?}"),
        }
    }
    assert!(matches!(
        client.close(1000, &"x".repeat(124)).await,
        Err(Error::Config(_))
    ));
    client
        .input_audio_buffer_append_pcm16(&[0; 480])
        .await
        .expect("the session is open");
    let Some(Ok(Message::Text(text))) = socket.next().await else {
        panic!("the append did not arrive");
    };
    assert!(text.contains("input_audio_buffer.append"));
    client
        .close(4000, "done")
        .await
        .expect("an application code");
    let (_, close) = drain(socket).await;
    assert_eq!(close.map(|f| u16::from(f.code)), Some(4000));
}
