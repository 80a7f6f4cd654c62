//! The client against the local mock server (and, where the mock cannot
//! misbehave on purpose, against raw sockets), over loopback.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use realtime_client::{DecodeError, Error, RealtimeClient};
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::ga::{self, ClientEvent, ServerEvent};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "sk-test-0123456789abcdef";

async fn mock() -> MockServer {
    MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_api_key(KEY),
    )
    .await
    .expect("mock starts")
}

/// The mock's base URL (`ws://127.0.0.1:PORT/v1`).
fn base(server: &MockServer) -> String {
    server.base_url().to_string()
}

async fn connect(server: &MockServer) -> RealtimeClient {
    RealtimeClient::builder()
        .base_url(base(server))
        .model("gpt-realtime")
        .api_key(KEY)
        .connect()
        .await
        .expect("connects")
}

async fn next(client: &mut RealtimeClient) -> ServerEvent {
    tokio::time::timeout(Duration::from_secs(5), client.next_event())
        .await
        .expect("an event in time")
        .expect("the session is open")
        .expect("a decodable event")
}

/// The greeting of a new realtime session: `session.created`, then `conversation.created`.
async fn greeting(client: &mut RealtimeClient) {
    assert!(matches!(next(client).await, ServerEvent::SessionCreated(_)));
    assert!(matches!(
        next(client).await,
        ServerEvent::ConversationCreated(_)
    ));
}

fn clear() -> ClientEvent {
    ClientEvent::from(ga::client::InputAudioBufferClear::default())
}

#[tokio::test]
async fn connects_and_exchanges_typed_events() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    client.send(clear()).await.unwrap();
    assert!(matches!(
        next(&mut client).await,
        ServerEvent::InputAudioBufferCleared(_)
    ));
}

#[tokio::test]
async fn a_token_provider_is_asked_before_connecting() {
    let server = mock().await;
    let mut client = RealtimeClient::builder()
        .base_url(base(&server))
        .model("gpt-realtime")
        .token_provider(|| async { Ok(realtime_client::Secret::new(KEY)) })
        .connect()
        .await
        .expect("connects with the provided token");
    assert!(matches!(
        next(&mut client).await,
        ServerEvent::SessionCreated(_)
    ));
}

#[tokio::test]
async fn a_wrong_key_is_a_handshake_error_with_status_401_and_without_the_key() {
    let server = mock().await;
    let wrong = "sk-wrong-key-that-must-not-leak";
    let error = RealtimeClient::builder()
        .base_url(base(&server))
        .model("m")
        .api_key(wrong)
        .connect()
        .await
        .unwrap_err();
    match &error {
        Error::Handshake { status, message } => {
            assert_eq!(*status, 401);
            assert!(
                message
                    .as_deref()
                    .is_some_and(|m| m.contains("Incorrect API key")),
                "{message:?}"
            );
        }
        other => panic!("expected a handshake error, got {other:?}"),
    }
    assert!(!error.to_string().contains(wrong) && !format!("{error:?}").contains(wrong));
}

#[tokio::test]
async fn a_redirect_is_an_error_and_the_key_never_reaches_the_target() {
    let target = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target_addr = target.local_addr().unwrap();
    let redirector = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector_addr = redirector.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = redirector.accept().await.unwrap();
        let mut request = vec![0u8; 4096];
        let _ = socket.read(&mut request).await;
        let response = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: ws://{target_addr}/v1/realtime\r\nContent-Length: 0\r\n\r\n"
        );
        let _ = socket.write_all(response.as_bytes()).await;
    });
    let error = RealtimeClient::builder()
        .base_url(format!("ws://{redirector_addr}/v1"))
        .model("m")
        .api_key(KEY)
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Redirect { status: 307 }),
        "{error:?}"
    );
    let reached = tokio::time::timeout(Duration::from_millis(300), target.accept()).await;
    assert!(reached.is_err(), "the client followed the redirect");
}

#[tokio::test]
async fn frames_that_are_no_event_are_decode_errors_without_content_and_the_stream_goes_on() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    server.inject_frame(r#"{"type": "response.output_text.delta", "secret": "hunter2""#);
    server.inject_frame(r#"["hunter2"]"#);
    server.inject_frame(r#"{"no_type": "hunter2"}"#);
    server.inject_frame(r#"{"type": "response.output_text.delta", "hunter2": 1, "hunter2": 2}"#);
    let mut errors = Vec::new();
    for _ in 0..4 {
        match tokio::time::timeout(Duration::from_secs(5), client.next_event())
            .await
            .unwrap()
        {
            Some(Err(Error::Decode(error))) => errors.push(error),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
    assert!(matches!(errors[0], DecodeError::InvalidJson { .. }));
    assert_eq!(errors[1], DecodeError::NotAnEvent);
    assert_eq!(errors[2], DecodeError::NotAnEvent);
    assert!(
        matches!(&errors[3], DecodeError::InvalidEvent { event_type, .. } if event_type == "response.output_text.delta")
    );
    for error in &errors {
        assert!(
            !error.to_string().contains("hunter2") && !format!("{error:?}").contains("hunter2"),
            "{error}"
        );
    }
    client.send(clear()).await.unwrap();
    assert!(matches!(
        next(&mut client).await,
        ServerEvent::InputAudioBufferCleared(_)
    ));
}

#[tokio::test]
async fn an_event_that_does_not_match_its_schema_arrives_whole_as_malformed() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    let frame = r#"{"type":"response.output_text.delta","event_id":"e","delta":["hunter2"]}"#;
    server.inject_frame(frame);
    let event = tokio::time::timeout(Duration::from_secs(5), client.next_event())
        .await
        .unwrap()
        .expect("the stream goes on")
        .expect("no error: the event is kept");
    let ServerEvent::Malformed(malformed) = &event else {
        panic!("expected a malformed event, got {event:?}");
    };
    assert_eq!(malformed.event_type(), "response.output_text.delta");
    assert_eq!(malformed.problem().pointer, "/delta");
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        frame,
        "a proxy forwards it unchanged"
    );
    let shown = format!("{malformed} {event:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[tokio::test]
async fn an_unknown_event_type_is_not_an_error() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    server.inject_frame(r#"{"type": "response.hologram.delta", "event_id": "e"}"#);
    let event = next(&mut client).await;
    assert!(event.is_unknown());
    assert_eq!(event.event_type(), "response.hologram.delta");
}

#[tokio::test]
async fn an_oversized_frame_is_an_error() {
    let server = mock().await;
    let mut client = RealtimeClient::builder()
        .base_url(base(&server))
        .model("m")
        .api_key(KEY)
        .max_message_bytes(1024)
        .connect()
        .await
        .unwrap();
    greeting(&mut client).await;
    server.inject_frame(format!(r#"{{"type": "x", "pad": "{}"}}"#, "a".repeat(4096)));
    match tokio::time::timeout(Duration::from_secs(5), client.next_event())
        .await
        .unwrap()
    {
        Some(Err(Error::MessageTooLarge { limit: 1024 })) => {}
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn a_peer_that_stops_answering_pings_is_detected_within_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (hold, held) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let socket = tokio_tungstenite::accept_async(stream).await.unwrap();
        // Never read again: pings are not answered.
        let _ = held.await;
        drop(socket);
    });
    let started = std::time::Instant::now();
    let mut client = RealtimeClient::builder()
        .base_url(format!("ws://{addr}/v1"))
        .model("m")
        .keepalive(Duration::from_millis(100), Duration::from_millis(300))
        .connect()
        .await
        .unwrap();
    match tokio::time::timeout(Duration::from_secs(5), client.next_event())
        .await
        .unwrap()
    {
        Some(Err(Error::KeepaliveTimeout { after })) => {
            assert_eq!(after, Duration::from_millis(300))
        }
        other => panic!("expected KeepaliveTimeout, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "detected after {:?}",
        started.elapsed()
    );
    let _ = hold.send(());
}

#[tokio::test]
async fn a_server_close_is_reported_with_its_code_then_the_stream_ends() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    server.shutdown().await;
    match tokio::time::timeout(Duration::from_secs(5), client.next_event())
        .await
        .unwrap()
    {
        Some(Err(Error::Closed { code, reason })) => {
            assert_eq!(code, 1001);
            assert_eq!(reason, "server shutting down");
        }
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(client.next_event().await.is_none());
    assert!(matches!(
        client.send(clear()).await,
        Err(Error::SessionClosed)
    ));
}

#[tokio::test]
async fn a_client_close_ends_the_stream() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    client.close(1000, "done").await.unwrap();
    let end = tokio::time::timeout(Duration::from_secs(5), client.next_event())
        .await
        .unwrap();
    assert!(end.is_none(), "{end:?}");
}

#[tokio::test]
async fn split_halves_are_a_sink_and_a_stream_usable_from_other_tasks() {
    let server = mock().await;
    let client = connect(&server).await;
    let (sender, mut receiver) = client.split();
    let mut sink = sender.clone().into_sink();
    let task = tokio::spawn(async move {
        // Through `futures::Sink`, not the inherent `send`.
        SinkExt::send(&mut sink, clear()).await.unwrap();
        SinkExt::send(
            &mut sink,
            ClientEvent::from(ga::client::ResponseCreate::default()),
        )
        .await
        .unwrap();
    });
    task.await.unwrap();
    let mut seen = Vec::new();
    while let Some(event) = receiver.next().await {
        let event = event.unwrap();
        seen.push(event.event_type().to_string());
        if event.event_type() == "response.done" {
            break;
        }
    }
    assert_eq!(
        seen[..3],
        [
            "session.created",
            "conversation.created",
            "input_audio_buffer.cleared"
        ]
    );
    assert!(seen.contains(&"response.output_audio.delta".to_string()));
    drop(sender);
}

#[tokio::test]
async fn next_event_loses_nothing_when_cancelled_in_select() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    client
        .send(ClientEvent::from(ga::client::ResponseCreate::default()))
        .await
        .unwrap();
    let mut ticks = 0u32;
    let mut types = Vec::new();
    loop {
        tokio::select! {
            event = client.next_event() => {
                let event = event.unwrap().unwrap();
                types.push(event.event_type().to_string());
                if event.event_type() == "response.done" {
                    break;
                }
            }
            // A timer that wins the race often cancels `next_event` often.
            _ = tokio::task::yield_now() => ticks += 1,
        }
    }
    assert!(ticks > 0);
    assert_eq!(types.first().map(String::as_str), Some("response.created"));
    assert_eq!(types.iter().filter(|t| *t == "response.done").count(), 1);
    let deltas = types
        .iter()
        .filter(|t| *t == "response.output_audio.delta")
        .count();
    assert_eq!(
        deltas, 3,
        "'Hello.' is 300 ms of audio: three 100 ms deltas, none lost"
    );
}

#[tokio::test]
async fn raw_events_go_out_as_they_are_and_raw_frames_come_back() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    client
        .send_raw(&json!({"type": "input_audio_buffer.clear", "event_id": "raw_1"}))
        .await
        .unwrap();
    let frame = client.next_frame().await.unwrap().unwrap();
    assert!(frame.text.contains("input_audio_buffer.cleared"));
    assert!(matches!(
        frame.event,
        ServerEvent::InputAudioBufferCleared(_)
    ));
}

#[tokio::test]
async fn next_text_hands_over_frames_undecoded_for_the_borrowed_views() {
    use realtime_types::ga::ServerEventRef;
    use std::borrow::Cow;

    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    client
        .send(ClientEvent::from(ga::client::ResponseCreate::default()))
        .await
        .unwrap();
    let mut samples = Vec::new();
    let mut audio_deltas = 0;
    loop {
        let text = tokio::time::timeout(Duration::from_secs(5), client.next_text())
            .await
            .expect("a frame in time")
            .expect("the session is open")
            .expect("a text frame");
        let view = ServerEventRef::from_frame(&text).expect("a valid event");
        let owned: ServerEvent = serde_json::from_str(&text).unwrap();
        if let ServerEventRef::ResponseOutputAudioDelta(delta) = &view {
            assert!(
                matches!(delta.delta, Cow::Borrowed(_)),
                "the base64 is borrowed from the frame"
            );
            realtime_types::audio::decode_pcm16(&delta.delta, &mut samples).unwrap();
            audio_deltas += 1;
        }
        let done = view.event_type() == "response.done";
        assert_eq!(view.into_owned(), owned);
        if done {
            break;
        }
    }
    assert_eq!(audio_deltas, 3, "'Hello.' is three 100 ms deltas");
    assert_eq!(samples.len(), 3 * 2_400, "300 ms of 24 kHz audio");
    // Malformed frames are not decoded here, so they arrive as text.
    server.inject_frame(r#"["not an event"]"#);
    let text = client.next_text().await.unwrap().unwrap();
    assert!(ServerEventRef::from_frame(&text).is_err());
}

#[tokio::test]
async fn nothing_prints_the_key() {
    let builder = RealtimeClient::builder().model("m").api_key(KEY);
    assert!(!format!("{builder:?}").contains(KEY));
    let server = mock().await;
    let client = connect(&server).await;
    assert!(!format!("{client:?}").contains(KEY));
}

#[tokio::test]
async fn an_unreachable_host_is_a_connect_error_and_a_silent_one_times_out() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let error = RealtimeClient::builder()
        .base_url(format!("ws://{closed}/v1"))
        .model("m")
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");

    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let error = RealtimeClient::builder()
        .base_url(format!("ws://{addr}/v1"))
        .model("m")
        .connect_timeout(Duration::from_millis(200))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    drop(silent);
}

#[tokio::test]
async fn pcm16_and_byte_appends_are_events_the_server_accepts() {
    let server = mock().await;
    let mut client = connect(&server).await;
    greeting(&mut client).await;
    // (The frame text itself is checked byte for byte against serde in
    // realtime-types; here the server decodes it and commits the audio.)
    // Server VAD off, so that the commit below is ours.
    client
        .send_raw(&json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"turn_detection": null}}}}))
        .await
        .unwrap();
    assert!(matches!(
        next(&mut client).await,
        ServerEvent::SessionUpdated(_)
    ));
    let samples: Vec<i16> = (0..2_400)
        .map(|i| ((i * 37) % 2_000 - 1_000) as i16)
        .collect();
    client
        .input_audio_buffer_append_pcm16(&samples)
        .await
        .unwrap();
    client
        .input_audio_buffer_append_bytes(&[0, 0, 1, 0])
        .await
        .unwrap();
    realtime_types::ga::ClientEventMethods::input_audio_buffer_commit(&client)
        .await
        .unwrap();
    assert!(matches!(
        next(&mut client).await,
        ServerEvent::InputAudioBufferCommitted(_)
    ));
}
