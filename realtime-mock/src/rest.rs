//! The REST operations the mock serves beside the WebSocket:
//! `POST /v1/realtime/client_secrets` mints a client secret (an ephemeral
//! key) that the WebSocket then takes as a credential until it expires,
//! starting every session with the configuration it was minted with. Every
//! answer carries an `x-request-id`; errors have the service's JSON body.
//! Other operations of the spec are answered 404 until the mock serves them.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::http::StatusCode;

use crate::config::MockConfig;
use crate::handshake::{self, Connect, Surface};
use crate::http::Head;
use crate::secrets::{self, ClientSecrets};

/// The largest request body read.
const MAX_BODY_BYTES: usize = 1 << 20;

/// `expires_after.seconds`: the spec's default and bounds.
const DEFAULT_SECONDS: u64 = 600;
const MIN_SECONDS: u64 = 10;
const MAX_SECONDS: u64 = 7200;

/// An answer: status and JSON body.
#[derive(Debug, PartialEq)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Answer {
            status: StatusCode::OK,
            body,
        }
    }

    /// The service's error body.
    fn error(status: StatusCode, message: &str, param: Option<&str>, code: Option<&str>) -> Self {
        let error_type = if status.is_server_error() {
            "server_error"
        } else {
            "invalid_request_error"
        };
        Answer {
            status,
            body: json!({"error": {"message": message, "type": error_type, "param": param, "code": code}}),
        }
    }
}

/// Reads the rest of the request (its body, `read` holding what was read
/// with the head) and writes the answer; the connection then closes.
pub(crate) async fn serve(
    mut stream: TcpStream,
    head: Head,
    read: Vec<u8>,
    config: &MockConfig,
    secrets: &ClientSecrets,
) {
    static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let request_number = REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let length = head
        .header("content-length")
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let answer = if length > MAX_BODY_BYTES {
        Answer::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
            None,
            None,
        )
    } else {
        let mut body = read[head.length.min(read.len())..].to_vec();
        let mut chunk = [0u8; 8192];
        while body.len() < length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => body.extend_from_slice(&chunk[..n]),
            }
        }
        body.truncate(length);
        answer(&head, &body, config, secrets)
    };
    let text = answer.body.to_string();
    let reason = answer.status.canonical_reason().unwrap_or("");
    let response = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_mock{request_number:08}\r\nconnection: close\r\n\r\n{text}",
        answer.status.as_u16(),
        text.len(),
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The answer to one REST request.
pub(crate) fn answer(
    head: &Head,
    body: &[u8],
    config: &MockConfig,
    secrets: &ClientSecrets,
) -> Answer {
    let route = (head.method.as_str(), head.path());
    match route {
        ("POST", CLIENT_SECRETS_PATH) => {
            if let Err(refusal) = permanent_key(head, config) {
                return refusal;
            }
            mint(body, secrets)
        }
        (_, path) if path == handshake::REALTIME_PATH || path == handshake::TRANSLATION_PATH => {
            Answer::error(
                StatusCode::BAD_REQUEST,
                "This endpoint speaks WebSocket: connect with an `Upgrade: websocket` request.",
                None,
                None,
            )
        }
        (method, path) => Answer::error(
            StatusCode::NOT_FOUND,
            &format!("Invalid URL ({method} {path})"),
            None,
            None,
        ),
    }
}

/// `POST /v1/realtime/client_secrets`.
pub(crate) const CLIENT_SECRETS_PATH: &str = "/v1/realtime/client_secrets";

/// Only a permanent key mints client secrets (with `api_key` configured,
/// it must be that key; a client secret never mints another).
fn permanent_key(head: &Head, config: &MockConfig) -> Result<(), Answer> {
    let presented = head
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "));
    match (presented, config.api_key.as_deref()) {
        (None, _) => Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.",
            None,
            None,
        )),
        (Some(key), _) if key.starts_with(secrets::PREFIX) => Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "A client secret cannot mint client secrets: use a permanent API key.",
            None,
            None,
        )),
        (Some(key), Some(expected)) if key != expected => Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided.",
            None,
            Some("invalid_api_key"),
        )),
        _ => Ok(()),
    }
}

/// Mints a client secret from the request body
/// (`RealtimeCreateClientSecretRequest`): its session is checked as a GA
/// `session.update` checks it, and the answer is
/// `RealtimeCreateClientSecretResponse` (the secret, its expiry and the
/// session it will start).
fn mint(body: &[u8], secrets: &ClientSecrets) -> Answer {
    let request: Value = match serde_json::from_slice(body) {
        Ok(Value::Object(request)) => Value::Object(request),
        Ok(_) => return invalid("The request body must be a JSON object.", None),
        Err(error) => {
            return invalid(
                &format!(
                    "The request body is not valid JSON (line {}, column {}).",
                    error.line(),
                    error.column()
                ),
                None,
            );
        }
    };
    let seconds = match request.pointer("/expires_after/seconds") {
        None => DEFAULT_SECONDS,
        Some(seconds) => match seconds.as_u64() {
            Some(s) if (MIN_SECONDS..=MAX_SECONDS).contains(&s) => s,
            _ => {
                return invalid(
                    &format!(
                        "Invalid 'expires_after.seconds': expected an integer from {MIN_SECONDS} to {MAX_SECONDS}."
                    ),
                    Some("expires_after.seconds"),
                );
            }
        },
    };
    if let Some(anchor) = request.pointer("/expires_after/anchor")
        && anchor != "created_at"
    {
        return invalid(
            "Invalid value for 'expires_after.anchor'. Supported values are: 'created_at'.",
            Some("expires_after.anchor"),
        );
    }
    let session = request
        .get("session")
        .cloned()
        .unwrap_or_else(|| json!({"type": "realtime"}));
    let as_update = json!({"type": "session.update", "session": session});
    if let Err(refused) =
        crate::validate::check::<realtime_types::ga::client::SessionUpdate>(&as_update)
    {
        return invalid(&refused.message, Some(&refused.param));
    }
    let transcription = session.get("type").and_then(Value::as_str) == Some("transcription");
    let connect = Connect {
        surface: Surface::Ga,
        model: session
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string),
        call_id: None,
        transcription,
        minted: None,
        subprotocol: None,
    };
    let (value, minted) = secrets.mint(seconds, session.clone());
    let reported = crate::engine::configured_session(&connect, Some(&session));
    Answer::ok(json!({
        "value": value,
        "expires_at": minted.expires_at,
        "session": reported,
    }))
}

fn invalid(message: &str, param: Option<&str>) -> Answer {
    Answer::error(
        StatusCode::BAD_REQUEST,
        message,
        param,
        Some("invalid_value"),
    )
}
