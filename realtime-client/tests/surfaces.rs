//! Every target and surface connects, and the handshake carries exactly the
//! headers it should (captured by a raw socket that answers 401).

use std::time::Duration;

use realtime_client::{Error, RealtimeClient};
use realtime_mock::{MockConfig, MockServer, Pacing};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn mock() -> (MockServer, String) {
    let server = MockServer::start(MockConfig::default().with_pacing(Pacing::Immediate))
        .await
        .expect("mock starts");
    let base = server.base_url().to_string();
    (server, base)
}

#[tokio::test]
async fn the_beta_surface_speaks_beta_events() {
    let (_server, base) = mock().await;
    let mut client = RealtimeClient::builder()
        .beta()
        .base_url(base)
        .model("gpt-4o-realtime-preview")
        .connect()
        .await
        .expect("connects");
    let event = client.next_event().await.expect("open").expect("decodes");
    match event {
        realtime_types::beta::ServerEvent::SessionCreated(created) => {
            assert!(created.session.voice.is_some())
        }
        other => panic!("expected a beta session.created, got {other:?}"),
    }
}

#[tokio::test]
async fn the_translation_surface_has_its_own_endpoint_and_events() {
    let (_server, base) = mock().await;
    let mut client = RealtimeClient::builder()
        .translation()
        .base_url(base)
        .model("gpt-realtime-translate")
        .connect()
        .await
        .expect("connects");
    let event = client.next_event().await.expect("open").expect("decodes");
    assert!(
        matches!(
            event,
            realtime_types::translation::ServerEvent::SessionCreated(_)
        ),
        "{event:?}"
    );
}

#[tokio::test]
async fn call_id_and_transcription_targets_connect() {
    let (_server, base) = mock().await;
    for builder in [
        RealtimeClient::builder().call_id("rtc_123"),
        RealtimeClient::builder().transcription(),
    ] {
        let mut client = builder.base_url(&base).connect().await.expect("connects");
        let event = client.next_event().await.expect("open").expect("decodes");
        assert!(
            matches!(event, realtime_types::ga::ServerEvent::SessionCreated(_)),
            "{event:?}"
        );
    }
}

/// Accepts one connection, records its request head, answers 401.
async fn capture_handshake() -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("a connection");
        let mut head = Vec::new();
        let mut buffer = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let read = socket.read(&mut buffer).await.expect("reads");
            if read == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        let body = r#"{"error":{"message":"captured","type":"invalid_request_error"}}"#;
        let response = format!(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(response.as_bytes()).await;
        String::from_utf8_lossy(&head).to_lowercase()
    });
    (format!("127.0.0.1:{}", addr.port()), task)
}

#[tokio::test]
async fn api_key_organization_project_and_beta_headers_are_sent() {
    let (addr, capture) = capture_handshake().await;
    let error = RealtimeClient::builder()
        .beta()
        .base_url(format!("ws://{addr}/v1"))
        .model("m")
        .api_key("sk-header-check")
        .organization("org_1")
        .project("proj_1")
        .connect()
        .await
        .expect_err("the capture answers 401");
    assert!(
        matches!(error, Error::Handshake { status: 401, .. }),
        "{error:?}"
    );
    let head = capture.await.expect("captured");
    assert!(head.starts_with("get /v1/realtime?model=m "), "{head}");
    assert!(
        head.contains("authorization: bearer sk-header-check"),
        "{head}"
    );
    assert!(head.contains("openai-beta: realtime=v1"), "{head}");
    assert!(head.contains("openai-organization: org_1"), "{head}");
    assert!(head.contains("openai-project: proj_1"), "{head}");
}

#[tokio::test]
async fn azure_sends_the_key_in_the_api_key_header_only() {
    let (addr, capture) = capture_handshake().await;
    let error = RealtimeClient::builder()
        .azure(format!("http://{addr}"), "my-deployment", "azure-key-check")
        .connect()
        .await
        .expect_err("the capture answers 401");
    assert!(
        matches!(error, Error::Handshake { status: 401, .. }),
        "{error:?}"
    );
    let head = capture.await.expect("captured");
    let request_line = head.lines().next().unwrap_or_default();
    assert_eq!(
        request_line,
        "get /openai/v1/realtime?model=my-deployment http/1.1"
    );
    assert!(head.contains("api-key: azure-key-check"), "{head}");
    assert!(!head.contains("authorization:"), "{head}");
    assert!(!request_line.contains("azure-key-check"));
}

#[tokio::test]
async fn an_ephemeral_client_secret_is_a_bearer_token() {
    let (addr, capture) = capture_handshake().await;
    let _ = RealtimeClient::builder()
        .base_url(format!("ws://{addr}/v1"))
        .model("m")
        .client_secret("ek_abc123")
        .connect()
        .await;
    let head = capture.await.expect("captured");
    assert!(head.contains("authorization: bearer ek_abc123"), "{head}");
}

#[tokio::test]
async fn a_peer_that_does_not_read_makes_send_wait_instead_of_buffering() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("address");
    let (hold, held) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("a connection");
        let socket = tokio_tungstenite::accept_async(stream)
            .await
            .expect("handshake");
        let _ = held.await; // never reads
        drop(socket);
    });
    let client = RealtimeClient::builder()
        .base_url(format!("ws://{addr}/v1"))
        .model("m")
        .no_keepalive()
        .outbound_buffer_bytes(4 << 20)
        .connect()
        .await
        .expect("connects");
    let big =
        serde_json::json!({"type": "input_audio_buffer.append", "audio": "A".repeat(1 << 20)});
    let mut sent = 0;
    let blocked = loop {
        match tokio::time::timeout(Duration::from_millis(500), client.send_raw(&big)).await {
            Ok(result) => {
                result.expect("the session is open");
                sent += 1;
                // 4 MiB of budget, one MiB on its way, and what the
                // kernel's socket buffers take on loopback.
                assert!(
                    sent < 48,
                    "{sent} MiB were accepted without waiting: the budget does not hold"
                );
            }
            Err(_) => break true,
        }
    };
    assert!(blocked);
    let stats = client.queue_stats();
    assert!(stats.outbound_bytes <= stats.outbound_limit, "{stats:?}");
    let _ = hold.send(());
}

#[tokio::test]
async fn no_target_fails_before_any_socket_opens() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("address");
    let error = RealtimeClient::builder()
        .base_url(format!("ws://{addr}/v1"))
        .connect()
        .await
        .expect_err("no target");
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    let connected = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(connected.is_err(), "a socket was opened");
}

#[tokio::test]
async fn wss_goes_through_rustls_and_a_tls_failure_is_a_connect_error() {
    // A plain TCP server that answers the TLS hello with garbage.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("a connection");
        let mut hello = [0u8; 512];
        let _ = socket.read(&mut hello).await;
        let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let error = RealtimeClient::builder()
        .base_url(format!("wss://{addr}/v1"))
        .model("m")
        .api_key("sk-tls-check")
        .connect()
        .await
        .expect_err("not a TLS server");
    match &error {
        Error::Connect { tls, .. } => {
            assert!(tls, "{error}");
            assert!(error.to_string().contains("TLS: "), "{error}");
            assert!(
                std::error::Error::source(&error).is_some(),
                "the cause is kept"
            );
        }
        other => panic!("expected a connect (TLS) error, got {other:?}"),
    }
    assert!(!error.to_string().contains("sk-tls-check"));
}
