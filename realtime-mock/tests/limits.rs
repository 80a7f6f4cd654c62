//! The limits of `MockConfig::limits`: a handshake must complete in time,
//! the number of open connections is bounded (beyond it, HTTP 503 at once),
//! and messages are bounded in size.

mod common;

use std::time::Duration;

use common::Client;
use realtime_mock::{Limits, MockConfig, MockServer, Pacing};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// A server with immediate pacing and these limits.
async fn server_with(limits: Limits) -> MockServer {
    MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_limits(limits),
    )
    .await
    .expect("mock server starts")
}

/// A WebSocket upgrade request for the GA endpoint, complete.
const UPGRADE_REQUEST: &str = "GET /v1/realtime?model=gpt-realtime HTTP/1.1\r\n\
    Host: 127.0.0.1\r\n\
    Upgrade: websocket\r\n\
    Connection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// Reads until the server closes the connection (end of stream or reset);
/// what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return received,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Sends the request line, then a header byte by byte, forever, until the
/// server closes the connection; how long that took.
async fn trickle_until_closed(stream: TcpStream) -> Duration {
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let trickle = async move {
        if writer
            .write_all(b"GET /v1/realtime?model=m HTTP/1.1\r\nX-Slow: ")
            .await
            .is_err()
        {
            return;
        }
        while writer.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let closed = async move {
        let mut buffer = [0u8; 256];
        while let Ok(1..) = reader.read(&mut buffer).await {}
    };
    // The trickle stops on a failed write: wait for the close itself.
    let (_, ()) = tokio::join!(trickle, closed);
    started.elapsed()
}

/// Waits until the server has at most `count` open connections.
async fn until_open_connections_are(server: &MockServer, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.open_connections() > count {
        assert!(
            Instant::now() < deadline,
            "{} connections are still open",
            server.open_connections()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn five_hundred_slowloris_connections_are_closed_when_the_handshake_timeout_passes() {
    let timeout = Duration::from_millis(500);
    let server = server_with(Limits::default().with_handshake_timeout(timeout)).await;
    let mut connections = tokio::task::JoinSet::new();
    for index in 0..500 {
        let stream = TcpStream::connect(server.local_addr())
            .await
            .expect("TCP connects");
        if index % 2 == 0 {
            // Silent: connected, never a byte.
            connections.spawn(async move {
                let started = Instant::now();
                let mut stream = stream;
                read_until_closed(&mut stream).await;
                started.elapsed()
            });
        } else {
            // Slow: the request byte by byte, never complete.
            connections.spawn(trickle_until_closed(stream));
        }
    }
    let all_closed = tokio::time::timeout(Duration::from_secs(15), async {
        let mut lifetimes = Vec::new();
        while let Some(lifetime) = connections.join_next().await {
            lifetimes.push(lifetime.expect("the task finishes"));
        }
        lifetimes
    })
    .await
    .expect("the server closes every slow connection");
    let shortest = all_closed.iter().min().expect("500 lifetimes");
    assert!(
        *shortest >= timeout.mul_f32(0.9),
        "closed by the timeout, not before: {shortest:?}"
    );
    until_open_connections_are(&server, 0).await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
}

#[tokio::test]
async fn a_handshake_completed_within_the_timeout_is_served() {
    let server =
        server_with(Limits::default().with_handshake_timeout(Duration::from_millis(500))).await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    // The timeout bounds the handshake only, not the session after it.
    tokio::time::sleep(Duration::from_millis(800)).await;
    client
        .send(serde_json::json!({"type": "input_audio_buffer.clear"}))
        .await;
    client.expect("input_audio_buffer.cleared").await;
}

#[tokio::test]
async fn a_connection_over_the_limit_is_refused_with_503_and_the_services_json_error() {
    let server = server_with(Limits::default().with_max_connections(2)).await;
    let mut first = Client::connect(&server).await;
    first.expect_started().await;
    let mut second = Client::connect(&server).await;
    second.expect_started().await;

    let mut third = TcpStream::connect(server.local_addr())
        .await
        .expect("TCP connects");
    third
        .write_all(UPGRADE_REQUEST.as_bytes())
        .await
        .expect("request sent");
    let answer = tokio::time::timeout(Duration::from_secs(2), read_until_closed(&mut third))
        .await
        .expect("answered and closed at once");
    let answer = String::from_utf8(answer).expect("an HTTP answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let body: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(body["error"]["type"], "server_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("a message")
            .contains("limit of 2 open connections"),
        "{body}"
    );
    assert_eq!(
        server.open_connections(),
        2,
        "the refused one is not counted"
    );
}

#[tokio::test]
async fn a_tungstenite_client_over_the_limit_gets_an_http_503() {
    let server = server_with(Limits::default().with_max_connections(1)).await;
    let mut first = Client::connect(&server).await;
    first.expect_started().await;
    let error = tokio_tungstenite::connect_async(format!("{}?model=m", server.url()))
        .await
        .expect_err("refused");
    match error {
        tokio_tungstenite::tungstenite::Error::Http(response) => assert_eq!(response.status(), 503),
        other => panic!("expected an HTTP 503, got {other:?}"),
    }
}

#[tokio::test]
async fn connections_still_in_their_handshake_count_toward_the_limit() {
    let server = server_with(Limits::default().with_max_connections(1)).await;
    let _silent = TcpStream::connect(server.local_addr())
        .await
        .expect("TCP connects");
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.open_connections() < 1 {
        assert!(
            Instant::now() < deadline,
            "the silent connection is accepted"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let error = tokio_tungstenite::connect_async(format!("{}?model=m", server.url()))
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, tokio_tungstenite::tungstenite::Error::Http(response) if response.status() == 503),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_silent_connection_over_the_limit_is_closed_within_a_second() {
    let server = server_with(Limits::default().with_max_connections(1)).await;
    let mut first = Client::connect(&server).await;
    first.expect_started().await;
    let mut silent = TcpStream::connect(server.local_addr())
        .await
        .expect("TCP connects");
    let answer = tokio::time::timeout(Duration::from_secs(2), read_until_closed(&mut silent))
        .await
        .expect("closed at once, without waiting for the handshake timeout");
    assert!(answer.is_empty(), "no request, no answer");
}

#[tokio::test]
async fn a_place_freed_under_the_limit_goes_to_the_next_connection() {
    let server = server_with(Limits::default().with_max_connections(1)).await;
    let mut first = Client::connect(&server).await;
    first.expect_started().await;
    first.close().await;
    until_open_connections_are(&server, 0).await;
    let mut next = Client::connect(&server).await;
    next.expect_started().await;
}

#[tokio::test]
async fn a_message_over_the_configured_size_closes_the_connection_with_1009() {
    let server = server_with(Limits::default().with_max_message_bytes(1024)).await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    let too_big = format!(
        r#"{{"type":"input_audio_buffer.append","audio":"{}"}}"#,
        "A".repeat(2048)
    );
    client.send_text(&too_big).await;
    match client.next_frame().await {
        Some(Message::Close(Some(frame))) => {
            assert_eq!(frame.code, CloseCode::Size);
            assert_eq!(frame.reason.as_str(), "message larger than 1024 bytes");
        }
        other => panic!("expected a close frame with 1009, got {other:?}"),
    }
}

/// What the mock answers to `bytes` sent as a request: its status line and body.
async fn answer_to(server: &MockServer, bytes: &[u8]) -> (String, String) {
    let mut stream = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    stream.write_all(bytes).await.expect("writes");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

#[tokio::test]
async fn a_request_head_over_16_kib_is_431_and_one_that_is_not_http_is_400() {
    let server = server_with(Limits::default()).await;
    let long = format!(
        "GET /v1/realtime HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\n\r\n",
        "a".repeat(20 << 10)
    );
    let (status, body) = answer_to(&server, long.as_bytes()).await;
    assert!(status.starts_with("HTTP/1.1 431"), "{status}");
    assert!(body.contains("larger than 16384 bytes"), "{body}");
    let (status, body) = answer_to(&server, b"\x16\x03\x01 not http at all\r\n\r\n").await;
    assert!(status.starts_with("HTTP/1.1 400"), "{status}");
    assert!(body.contains("invalid_request_error"), "{body}");
}
