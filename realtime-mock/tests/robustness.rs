//! Nothing a client sends crashes the server or another connection: bad
//! frames get an `error` event (with the client's `event_id` when it can be
//! read) and the connection stays open. Nor does a client that stops
//! reading hold the server: shutdown takes a bounded time.

mod common;

use std::time::Duration;

use common::{Client, connect_not_reading, ends_within, server, until_the_server_cannot_write};
use futures_util::{SinkExt, StreamExt};
use realtime_mock::{Limits, MockConfig, MockServer, Pacing};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// After a bad frame, the connection still answers a good one.
async fn still_serves(client: &mut Client) {
    client
        .send(json!({"type": "input_audio_buffer.clear"}))
        .await;
    client.expect("input_audio_buffer.cleared").await;
}

#[tokio::test]
async fn a_binary_frame_gets_an_error_and_the_connection_stays_open() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send_message(Message::Binary(vec![0u8, 1, 2].into()))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["type"], "invalid_request_error");
    still_serves(&mut client).await;
}

#[tokio::test]
async fn invalid_json_gets_an_error_that_does_not_echo_the_payload() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send_text(r#"{"type": "session.update", "secret_words": "hunter2" "#)
        .await;
    let error = client.expect("error").await;
    let message = error["error"]["message"].as_str().unwrap();
    assert!(!message.contains("hunter2"), "{message}");
    assert_eq!(error["error"]["event_id"], serde_json::Value::Null);
    still_serves(&mut client).await;
}

#[tokio::test]
async fn a_json_array_gets_an_error() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send_text("[1, 2, 3]").await;
    client.expect("error").await;
    still_serves(&mut client).await;
}

#[tokio::test]
async fn an_unknown_event_type_gets_an_error_with_the_event_id() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "session.teleport", "event_id": "evt_unknown"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_unknown");
    assert_eq!(error["error"]["param"], "type");
    still_serves(&mut client).await;
}

#[tokio::test]
async fn a_missing_required_field_gets_an_error_with_the_event_id() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "input_audio_buffer.append", "event_id": "evt_no_audio"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_no_audio");
    assert_eq!(
        error["error"]["message"],
        "Missing required parameter: 'audio'."
    );
    assert_eq!(error["error"]["param"], "audio");
    assert_eq!(error["error"]["code"], "missing_required_parameter");
    still_serves(&mut client).await;
}

#[tokio::test]
async fn invalid_base64_audio_gets_an_error() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(json!({"type": "input_audio_buffer.append", "audio": "not base64!", "event_id": "evt_b64"})).await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["param"], "audio");
    still_serves(&mut client).await;
}

#[tokio::test]
async fn a_16_mib_append_is_accepted() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    // 16 MiB of base64 zeros: 12 MiB of silence, about 262 s at 24 kHz.
    let audio = "A".repeat(16 << 20);
    client
        .send(json!({"type": "input_audio_buffer.append", "audio": audio}))
        .await;
    still_serves(&mut client).await;
}

#[tokio::test]
async fn a_message_over_the_limit_closes_the_connection_with_1009_and_others_go_on() {
    let server = server().await;
    let mut other = Client::connect(&server).await;
    other.expect_started().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    let too_big = format!(
        r#"{{"type":"input_audio_buffer.append","audio":"{}"}}"#,
        "A".repeat(40 << 20)
    );
    // The server refuses the frame from its header, before reading (or
    // allocating) its payload, and closes with 1009. The client, still
    // writing, may instead see the connection reset: either way it ends.
    match client.try_send_text(&too_big).await {
        Ok(()) => match client.next_frame().await {
            Some(Message::Close(Some(frame))) => assert_eq!(frame.code, CloseCode::Size),
            None => {}
            other => panic!("expected a close frame with 1009 or the end, got {other:?}"),
        },
        Err(error) => assert!(
            error.to_string().contains("reset") || error.to_string().contains("closed"),
            "{error}"
        ),
    }
    still_serves(&mut other).await;
}

#[tokio::test]
async fn a_wrong_key_is_refused_with_401_and_the_server_goes_on() {
    let server = MockServer::start(
        MockConfig::default()
            .with_api_key("sk-right")
            .with_pacing(Pacing::Immediate),
    )
    .await
    .unwrap();
    let error = tokio_tungstenite::connect_async(format!("{}?model=m", server.url()))
        .await
        .expect_err("refused");
    match error {
        tokio_tungstenite::tungstenite::Error::Http(response) => assert_eq!(response.status(), 401),
        other => panic!("expected an HTTP 401, got {other:?}"),
    }
    let mut client = Client::connect_to(
        &format!("{}?model=m", server.url()),
        &[("authorization", "Bearer sk-right")],
    )
    .await;
    client.expect_started().await;
}

#[tokio::test]
async fn a_thousand_rapid_connects_and_disconnects_leave_nothing_behind() {
    let server = server().await;
    let url = format!("{}?model=m", server.url());
    for _ in 0..1000 {
        let (mut socket, _) = tokio_tungstenite::connect_async(&url)
            .await
            .expect("connects");
        // Half close politely, half just drop the socket.
        if rand_bit(&url, socket.get_ref()) {
            let _ = socket.close(None).await;
        }
        drop(socket);
    }
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while server.open_connections() > 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        server.open_connections(),
        1,
        "only the live connection remains"
    );
}

/// Alternates deterministically between the two ways of leaving.
fn rand_bit(_url: &str, stream: &tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>) -> bool {
    match stream {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => {
            tcp.local_addr().map(|a| a.port() % 2 == 0).unwrap_or(true)
        }
        _ => true,
    }
}

#[tokio::test]
async fn shutdown_closes_every_connection_with_1001() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    server.shutdown().await;
    match client.next_frame().await {
        Some(Message::Close(Some(frame))) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a close frame with 1001, got {other:?}"),
    }
}

/// A server with immediate pacing and this close timeout.
async fn server_closing_within(close_timeout: Duration) -> MockServer {
    MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_limits(Limits::default().with_close_timeout(close_timeout)),
    )
    .await
    .expect("mock server starts")
}

#[tokio::test]
async fn shutdown_drops_a_client_that_does_not_read_when_the_close_timeout_passes() {
    let close_timeout = Duration::from_millis(500);
    let server = server_closing_within(close_timeout).await;
    let mut not_reading = connect_not_reading(server.url()).await;
    until_the_server_cannot_write(&not_reading).await;

    let started = tokio::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown ends although a write cannot complete");
    let took = started.elapsed();
    assert!(
        took >= close_timeout.mul_f32(0.9),
        "the close frame could not be written, so shutdown waited for the close timeout: {took:?}"
    );
    assert!(
        took < close_timeout + Duration::from_secs(1),
        "and not much longer: {took:?}"
    );
    assert!(
        ends_within(&mut not_reading, Duration::from_secs(5)).await,
        "the connection is gone"
    );
}

#[tokio::test]
async fn shutdown_closes_the_other_connections_with_1001_without_waiting_for_one_that_does_not_read()
 {
    let server = server_closing_within(Duration::from_secs(3)).await;
    let not_reading = connect_not_reading(server.url()).await;
    until_the_server_cannot_write(&not_reading).await;
    let mut reading = Client::connect(&server).await;
    reading.expect_started().await;

    let shutdown = tokio::spawn(server.shutdown());
    let frame = tokio::time::timeout(Duration::from_secs(1), reading.next_frame())
        .await
        .expect("the close frame comes before the close timeout of the other connection");
    match frame {
        Some(Message::Close(Some(frame))) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a close frame with 1001, got {other:?}"),
    }
    shutdown.await.expect("shutdown ends");
    drop(not_reading);
}

#[tokio::test]
async fn shutdown_closes_connections_still_in_their_handshake_at_once() {
    let server = server().await;
    let mut silent = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .expect("TCP connects");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while server.open_connections() < 1 {
        assert!(tokio::time::Instant::now() < deadline, "accepted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::timeout(Duration::from_secs(1), server.shutdown())
        .await
        .expect("shutdown does not wait for the handshake timeout");
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(
        Duration::from_secs(1),
        tokio::io::AsyncReadExt::read(&mut silent, &mut buffer),
    )
    .await
    .expect("closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn injected_frames_reach_every_connection_as_they_are() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    server.inject_frame(r#"{"type":"error","event_id":"event_x","error":{"type":"server_error","message":"injected"}}"#);
    assert_eq!(client.expect("error").await["error"]["message"], "injected");
}

#[tokio::test]
async fn a_client_that_never_reads_does_not_block_other_connections() {
    let server = server().await;
    let url = format!("{}?model=m", server.url());
    let (mut silent, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    for _ in 0..200 {
        let _ = silent
            .send(Message::Text(
                json!({"type": "response.create", "response": {"conversation": "none"}})
                    .to_string()
                    .into(),
            ))
            .await;
    }
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    still_serves(&mut client).await;
    let _ = silent.next().await;
}
