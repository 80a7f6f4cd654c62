//! Client secrets: `POST /v1/realtime/client_secrets` mints an ephemeral key
//! that the WebSocket takes, in the `Authorization` header or (as browsers
//! must send it) in the `openai-insecure-api-key.` subprotocol, until it
//! expires; every session it starts begins with the configuration it was
//! minted with.

mod common;

use std::time::Duration;

use common::{Client, HttpAnswer};
use realtime_mock::{MockConfig, MockServer, Pacing};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::StatusCode;

const KEY: &str = "sk-test";

async fn server() -> MockServer {
    MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_api_key(KEY),
    )
    .await
    .expect("the mock starts")
}

/// `method path` with a JSON `body` and `Authorization: Bearer key`.
async fn request(
    server: &MockServer,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &str,
) -> HttpAnswer {
    let auth = key.map(|key| format!("Bearer {key}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth));
    }
    common::http(server, method, path, &headers, body.as_bytes()).await
}

async fn mint(server: &MockServer, body: Value) -> HttpAnswer {
    request(
        server,
        "POST",
        "/v1/realtime/client_secrets",
        Some(KEY),
        &body.to_string(),
    )
    .await
}

/// The status of a WebSocket handshake with these headers.
async fn handshake_status(
    server: &MockServer,
    headers: &[(&str, &str)],
) -> Result<Option<String>, StatusCode> {
    let mut request = format!("{}?model=gpt-realtime", server.url())
        .into_client_request()
        .expect("a request");
    for (name, value) in headers {
        request.headers_mut().insert(
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                .expect("a header name"),
            value.parse().expect("a header value"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => Ok(response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status()),
        Err(other) => panic!("the handshake failed otherwise: {other}"),
    }
}

#[tokio::test]
async fn a_minted_secret_starts_sessions_with_its_configuration() {
    let server = server().await;
    let answer = mint(
        &server,
        json!({"expires_after": {"anchor": "created_at", "seconds": 600},
               "session": {"type": "realtime", "model": "gpt-realtime", "instructions": "Be a pirate.",
                           "output_modalities": ["text"]}}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer
            .header("x-request-id")
            .is_some_and(|id| id.starts_with("req_"))
    );
    let secret = answer.body["value"].as_str().expect("a value");
    assert!(secret.starts_with("ek_"), "{secret}");
    let expires_at = answer.body["expires_at"].as_u64().expect("expires_at");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        (now + 590..=now + 610).contains(&expires_at),
        "{expires_at} is not in 10 minutes"
    );
    assert_eq!(answer.body["session"]["instructions"], "Be a pirate.");
    assert_eq!(answer.body["session"]["object"], "realtime.session");

    let bearer = format!("Bearer {secret}");
    let mut client = Client::connect_to(
        &format!("{}?model=gpt-realtime", server.url()),
        &[("authorization", &bearer)],
    )
    .await;
    let created = client.expect_started().await;
    assert_eq!(created["session"]["instructions"], "Be a pirate.");
    assert_eq!(created["session"]["output_modalities"], json!(["text"]));
}

#[tokio::test]
async fn a_browser_sends_its_secret_in_the_subprotocol_and_never_a_permanent_key() {
    let server = server().await;
    let answer = mint(
        &server,
        json!({"session": {"type": "realtime", "model": "gpt-realtime"}}),
    )
    .await;
    let secret = answer.body["value"].as_str().expect("a value").to_string();
    let offered = format!("realtime, openai-insecure-api-key.{secret}");
    assert_eq!(
        handshake_status(&server, &[("sec-websocket-protocol", &offered)]).await,
        Ok(Some("realtime".to_string())),
        "accepted, answering with the `realtime` subprotocol"
    );
    let permanent = format!("realtime, openai-insecure-api-key.{KEY}");
    assert_eq!(
        handshake_status(&server, &[("sec-websocket-protocol", &permanent)]).await,
        Err(StatusCode::UNAUTHORIZED),
        "a permanent key in a page is refused"
    );
}

#[tokio::test]
async fn a_secret_starts_no_session_after_it_expires() {
    let server = server().await;
    let answer = mint(
        &server,
        json!({"expires_after": {"anchor": "created_at", "seconds": 10}, "session": {"type": "realtime", "model": "gpt-realtime"}}),
    )
    .await;
    let bearer = format!("Bearer {}", answer.body["value"].as_str().expect("a value"));
    assert!(
        handshake_status(&server, &[("authorization", &bearer)])
            .await
            .is_ok()
    );
    server.advance_clock(Duration::from_secs(10));
    assert_eq!(
        handshake_status(&server, &[("authorization", &bearer)]).await,
        Err(StatusCode::UNAUTHORIZED)
    );
    // The permanent key still works.
    let permanent = format!("Bearer {KEY}");
    assert!(
        handshake_status(&server, &[("authorization", &permanent)])
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_transcription_secret_starts_transcription_sessions() {
    let server = server().await;
    let answer = mint(
        &server,
        json!({"session": {"type": "transcription", "audio": {"input": {"transcription": {"model": "whisper-1"}}}}}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["session"]["type"], "transcription");
    let bearer = format!("Bearer {}", answer.body["value"].as_str().expect("a value"));
    // No `model` or `intent` in the URL: the secret says what the session is.
    let mut client = Client::connect_to(
        &format!("{}/realtime", server.base_url()),
        &[("authorization", &bearer)],
    )
    .await;
    let created = client.expect("session.created").await;
    assert_eq!(created["session"]["type"], "transcription");
    assert_eq!(
        created["session"]["audio"]["input"]["transcription"]["model"],
        "whisper-1"
    );
}

#[tokio::test]
async fn bad_mint_requests_get_the_services_error_bodies() {
    let server = server().await;
    let cases = [
        (
            json!({"expires_after": {"anchor": "created_at", "seconds": 5}}),
            400,
            Some("expires_after.seconds"),
        ),
        (
            json!({"expires_after": {"anchor": "last_used", "seconds": 60}}),
            400,
            Some("expires_after.anchor"),
        ),
        (
            json!({"session": {"type": "realtime", "output_modalities": ["smell"]}}),
            400,
            Some("session.output_modalities[0]"),
        ),
        (
            json!({"session": {"type": "realtime", "audio": {"output": {"speed": 9.0}}}}),
            400,
            Some("session.audio.output.speed"),
        ),
    ];
    for (body, status, param) in cases {
        let answer = mint(&server, body.clone()).await;
        assert_eq!(answer.status, status, "{body} → {}", answer.body);
        assert_eq!(answer.body["error"]["type"], "invalid_request_error");
        assert_eq!(answer.body["error"]["param"].as_str(), param, "{body}");
    }
    let unparsable = request(
        &server,
        "POST",
        "/v1/realtime/client_secrets",
        Some(KEY),
        "{",
    )
    .await;
    assert_eq!(unparsable.status, 400);
    let no_key = request(&server, "POST", "/v1/realtime/client_secrets", None, "{}").await;
    assert_eq!(no_key.status, 401);
    let wrong_key = request(
        &server,
        "POST",
        "/v1/realtime/client_secrets",
        Some("sk-nope"),
        "{}",
    )
    .await;
    assert_eq!(wrong_key.status, 401);
    let minted = mint(&server, json!({})).await;
    let secret = minted.body["value"].as_str().expect("a value");
    let by_secret = request(
        &server,
        "POST",
        "/v1/realtime/client_secrets",
        Some(secret),
        "{}",
    )
    .await;
    assert_eq!(by_secret.status, 401, "a client secret mints no other");
    let elsewhere = request(&server, "POST", "/v1/chat/completions", Some(KEY), "{}").await;
    assert_eq!(elsewhere.status, 404);
    assert_eq!(
        elsewhere.body["error"]["message"],
        "Invalid URL (POST /v1/chat/completions)"
    );
}

#[tokio::test]
async fn a_beta_rest_session_answers_with_a_secret_that_starts_it_on_the_beta_surface() {
    let server = server().await;
    let answer = request(
        &server,
        "POST",
        "/v1/realtime/sessions",
        Some(KEY),
        &json!({"model": "gpt-4o-realtime-preview", "instructions": "Be brief.", "voice": "ash", "input_audio_format": "g711_ulaw"}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["instructions"], "Be brief.");
    assert_eq!(answer.body["input_audio_format"], "g711_ulaw");
    assert!(
        answer.body.get("audio").is_none(),
        "the beta shape: {}",
        answer.body
    );
    let secret = answer.body["client_secret"]["value"]
        .as_str()
        .expect("a secret");
    let bearer = format!("Bearer {secret}");
    let mut beta = Client::<realtime_types::beta::ServerEvent>::open(
        &format!("{}?model=gpt-4o-realtime-preview", server.url()),
        &[("authorization", &bearer), ("openai-beta", "realtime=v1")],
    )
    .await;
    let created = beta.expect_started().await;
    assert_eq!(created["session"]["instructions"], "Be brief.");
    assert_eq!(created["session"]["voice"], "ash");
    assert_eq!(created["session"]["input_audio_format"], "g711_ulaw");

    let refused = request(
        &server,
        "POST",
        "/v1/realtime/sessions",
        Some(KEY),
        &json!({"input_audio_format": "mp3"}).to_string(),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"]["param"], "input_audio_format");
    let transcription = request(
        &server,
        "POST",
        "/v1/realtime/transcription_sessions",
        Some(KEY),
        &json!({"input_audio_transcription": {"model": "whisper-1"}}).to_string(),
    )
    .await;
    assert_eq!(transcription.status, 200, "{}", transcription.body);
    assert_eq!(
        transcription.body["input_audio_transcription"]["model"],
        "whisper-1"
    );
    assert!(
        transcription.body["client_secret"]["value"]
            .as_str()
            .is_some()
    );
}

#[tokio::test]
async fn a_translation_secret_starts_a_translation_session_as_it_was_minted() {
    let server = server().await;
    let answer = request(
        &server,
        "POST",
        "/v1/realtime/translations/client_secrets",
        Some(KEY),
        &json!({"session": {"model": "gpt-realtime-translate", "audio": {"output": {"language": "fr"}}}}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["session"]["audio"]["output"]["language"], "fr");
    let bearer = format!("Bearer {}", answer.body["value"].as_str().expect("a value"));
    let mut client = Client::<realtime_types::translation::ServerEvent>::open(
        &format!("{}/realtime/translations", server.base_url()),
        &[("authorization", &bearer)],
    )
    .await;
    let created = client.expect("session.created").await;
    assert_eq!(created["session"]["audio"]["output"]["language"], "fr");
    let missing = request(
        &server,
        "POST",
        "/v1/realtime/translations/client_secrets",
        Some(KEY),
        &json!({"session": {"audio": {}}}).to_string(),
    )
    .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["error"]["param"], "session.model");
}
