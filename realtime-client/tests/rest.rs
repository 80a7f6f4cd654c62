//! The REST operations through `RestClient`, against the mock: mint a
//! client secret and connect with it, the call operations and their state
//! errors, the beta sessions; and against scripted servers: retries that
//! honour `Retry-After`, typed error bodies, redirects refused, no key in
//! any error.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use realtime_client::{RealtimeClient, RestError};
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::ga::RestMethods as _;
use realtime_types::{beta, ga};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "sk-rest-test-key";

async fn mock() -> MockServer {
    MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_api_key(KEY),
    )
    .await
    .expect("mock starts")
}

fn rest(base: &str, key: &str) -> realtime_client::RestClient {
    RealtimeClient::builder()
        .base_url(base)
        .api_key(key)
        .rest()
        .expect("a REST client")
}

#[tokio::test]
async fn a_minted_client_secret_connects_a_session_with_its_configuration() {
    let server = mock().await;
    let client = rest(server.base_url(), KEY);
    let session = ga::Session::default().with_instructions("Mint and speak.");
    let request = ga::CreateClientSecretRequest::default()
        .with_session(ga::RequestSession::from(session))
        .with_expires_after(
            ga::ExpiresAfter::default()
                .with_anchor(ga::ExpiresAfterAnchor::CreatedAt)
                .with_seconds(60),
        );
    let reply = client
        .create_realtime_client_secret(request)
        .await
        .expect("minted");
    assert!(
        reply
            .request_id
            .as_deref()
            .is_some_and(|id| id.starts_with("req_"))
    );
    let secret = reply.value.value;
    assert!(secret.starts_with("ek_"), "{secret}");
    let mut session = RealtimeClient::builder()
        .base_url(server.base_url())
        .client_secret(secret.as_str())
        .model("gpt-realtime")
        .connect()
        .await
        .expect("the secret connects");
    match session.next_event().await.expect("open").expect("decodes") {
        ga::ServerEvent::SessionCreated(created) => match created.session {
            ga::CreatedSession::Realtime(session) => {
                assert_eq!(session.instructions.as_deref(), Some("Mint and speak."))
            }
            other => panic!("not a realtime session: {other:?}"),
        },
        other => panic!("expected session.created, got {other:?}"),
    }
}

#[tokio::test]
async fn calls_are_accepted_and_hung_up_and_a_wrong_state_is_a_typed_error() {
    let server = mock().await;
    let client = rest(server.base_url(), KEY);
    let call_id = server.incoming_call();
    client
        .accept_realtime_call(
            call_id.as_str(),
            ga::Session::default().with_instructions("You answer the phone."),
        )
        .await
        .expect("accepted");
    let mut sideband = RealtimeClient::builder()
        .base_url(server.base_url())
        .api_key(KEY)
        .call_id(call_id.as_str())
        .connect()
        .await
        .expect("attaches to the call");
    assert!(matches!(
        sideband.next_event().await.expect("open").expect("decodes"),
        ga::ServerEvent::SessionCreated(_)
    ));
    client
        .hangup_realtime_call(call_id.as_str())
        .await
        .expect("hung up");
    let again = client
        .hangup_realtime_call(call_id.as_str())
        .await
        .expect_err("a call hangs up once");
    match &again {
        RestError::Status {
            status: 409,
            request_id: Some(_),
            error: Some(error),
        } => assert_eq!(error.code.as_deref(), Some("invalid_call_state")),
        other => panic!("expected a 409 with the service's body, got {other:?}"),
    }
    assert!(again.to_string().contains("invalid_call_state"), "{again}");
}

#[tokio::test]
async fn a_webrtc_call_is_created_from_an_offer() {
    let server = mock().await;
    let client = rest(server.base_url(), KEY);
    let offer = "v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let answer = client
        .create_realtime_call(
            ga::CallCreateRequest::new(offer).with_session(ga::Session::default()),
        )
        .await
        .expect("created");
    assert!(answer.value.starts_with("v=0\r\n") && answer.value.contains("o=- 7 2"));
}

#[tokio::test]
async fn the_beta_sessions_answer_with_a_client_secret() {
    use realtime_types::beta::RestMethods as _;
    let server = mock().await;
    let client = rest(server.base_url(), KEY);
    let body = beta::SessionCreateRequest::default().with_instructions("Beta.");
    let reply = client.create_realtime_session(body).await.expect("created");
    assert_eq!(reply.value.instructions.as_deref(), Some("Beta."));
    let secret = reply.value.client_secret.expect("a client secret");
    assert!(secret.value.starts_with("ek_"));
}

#[tokio::test]
async fn a_wrong_key_is_a_401_whose_message_has_no_key() {
    let server = mock().await;
    let client = rest(server.base_url(), "sk-wrong-key-value");
    let error = client
        .create_realtime_client_secret(ga::CreateClientSecretRequest::default())
        .await
        .expect_err("refused");
    assert_eq!(error.status(), Some(401));
    let text = format!("{error} {error:?}");
    assert!(!text.contains("sk-wrong-key-value"), "{text}");
}

/// A server that answers the `n`th request with `answers[n]` (status line
/// and headers; the body is `body`), counting requests.
async fn scripted(answers: Vec<&'static str>, body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let base = format!("http://{}/v1", listener.local_addr().expect("an address"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let head = answers[n.min(answers.len() - 1)];
            let mut request = vec![0u8; 16 << 10];
            let _ = stream.read(&mut request).await;
            let answer = format!(
                "{head}\r\nx-request-id: req_scripted{n}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (base, count)
}

const SECRET: &str = r#"{"value": "ek_1", "expires_at": 1, "session": {"type": "realtime", "id": "sess_1", "object": "realtime.session"}}"#;

#[tokio::test]
async fn a_503_is_retried_after_what_retry_after_says() {
    let (base, count) = scripted(
        vec![
            "HTTP/1.1 503 Service Unavailable\r\nretry-after-ms: 20",
            "HTTP/1.1 200 OK",
        ],
        SECRET,
    )
    .await;
    let reply = rest(&base, KEY)
        .create_realtime_client_secret(ga::CreateClientSecretRequest::default())
        .await
        .expect("the second attempt succeeds");
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert_eq!(reply.request_id.as_deref(), Some("req_scripted1"));
}

#[tokio::test]
async fn retries_end_with_the_last_answer_and_a_400_is_not_retried() {
    let (base, count) = scripted(vec!["HTTP/1.1 429 Too Many Requests\r\nretry-after: 0"], r#"{"error": {"message": "Slow down.", "type": "rate_limit_error", "code": "rate_limit_exceeded", "param": null}}"#).await;
    let error = rest(&base, KEY)
        .max_retries(1)
        .create_realtime_client_secret(ga::CreateClientSecretRequest::default())
        .await
        .expect_err("still limited");
    assert_eq!(count.load(Ordering::SeqCst), 2, "one try and one retry");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.request_id(), Some("req_scripted1"));
    let (base, count) = scripted(vec!["HTTP/1.1 400 Bad Request"], r#"{"error": {"message": "Bad.", "type": "invalid_request_error", "code": null, "param": "session"}}"#).await;
    let error = rest(&base, KEY)
        .create_realtime_client_secret(ga::CreateClientSecretRequest::default())
        .await
        .expect_err("refused");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    match error {
        RestError::Status {
            error: Some(error), ..
        } => assert_eq!(error.param.as_deref(), Some("session")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_a_bad_answer_names_no_content() {
    let (base, count) = scripted(
        vec!["HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:1/elsewhere"],
        "{}",
    )
    .await;
    let error = rest(&base, KEY)
        .create_realtime_client_secret(ga::CreateClientSecretRequest::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(error, RestError::Redirect { status: 307 }),
        "{error:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let (base, _) = scripted(
        vec!["HTTP/1.1 200 OK"],
        r#"{"value": "ek_secret_do_not_print", "expires_at": "soon"}"#,
    )
    .await;
    let error = rest(&base, KEY)
        .create_realtime_client_secret(ga::CreateClientSecretRequest::default())
        .await
        .expect_err("does not decode");
    let text = format!("{error} {error:?}");
    assert!(matches!(error, RestError::Decode { .. }), "{text}");
    assert!(
        !text.contains("ek_secret_do_not_print") && !text.contains("soon"),
        "{text}"
    );
}

#[tokio::test]
async fn plain_http_is_for_loopback_only() {
    let error = RealtimeClient::builder()
        .base_url("http://example.com/v1")
        .rest()
        .expect_err("refused");
    assert!(error.to_string().contains("loopback"), "{error}");
    let client = RealtimeClient::builder().rest().expect("the default base");
    assert_eq!(client.base_url(), "https://api.openai.com/v1");
}
