//! The REST operations the mock serves beside the WebSocket. Every answer
//! carries an `x-request-id`; errors have the service's JSON body.
//!
//! - `POST /v1/realtime/client_secrets` mints a client secret (an ephemeral
//!   key) that the WebSocket then takes as a credential until it expires,
//!   starting every session with the configuration it was minted with;
//!   `POST /v1/realtime/translations/client_secrets` does the same for
//!   translation sessions. Both requests are checked against the spec's
//!   schemas of their bodies.
//! - `POST /v1/realtime/calls` (an SDP offer, as `application/sdp` or in a
//!   `multipart/form-data` form with a `session`) creates a WebRTC call and
//!   answers with an SDP answer and its `Location`; `…/calls/{call_id}/accept`,
//!   `/hangup`, `/refer` and `/reject` move a call through the states of
//!   `calls` (an incoming SIP call comes from `MockServer::incoming_call`,
//!   or `POST /mock/calls/incoming`, the mock's own route).
//!
//! - `POST /v1/realtime/sessions` and `/transcription_sessions` (beta) answer
//!   a beta session with a `client_secret` that starts it on the beta surface.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::http::StatusCode;

use crate::calls::Refused;
use crate::config::MockConfig;
use crate::handshake::{self, Connect, Surface};
use crate::http::Head;
use crate::multipart;
use crate::registry::Registry;
use crate::secrets::{self, ClientSecrets};

/// The largest request body read.
const MAX_BODY_BYTES: usize = 1 << 20;

/// `expires_after.seconds` when absent: the spec's default (its bounds,
/// 10 to 7200, are checked with the rest of the request's schema).
const DEFAULT_SECONDS: u64 = 600;

/// An answer: status, body and the headers that go with it.
#[derive(Debug, PartialEq)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Body,
    /// Headers besides the content type, length and request id.
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// An answer's body.
#[derive(Debug, PartialEq)]
pub(crate) enum Body {
    /// `application/json`.
    Json(Value),
    /// Text of this content type (`application/sdp`).
    Text(&'static str, String),
    /// Nothing (`200` of an operation without a result).
    Empty,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Answer {
            status: StatusCode::OK,
            body: Body::Json(body),
            headers: Vec::new(),
        }
    }

    fn empty() -> Self {
        Answer {
            status: StatusCode::OK,
            body: Body::Empty,
            headers: Vec::new(),
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
            body: Body::Json(
                json!({"error": {"message": message, "type": error_type, "param": param, "code": code}}),
            ),
            headers: Vec::new(),
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
    registry: &Registry,
) {
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
        answer(&head, &body, config, registry)
    };
    write_answer(&mut stream, answer).await;
}

/// Writes `answer` (with an `x-request-id`) and closes the connection.
async fn write_answer(stream: &mut TcpStream, answer: Answer) {
    static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let request_number = REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (content_type, text) = match answer.body {
        Body::Json(value) => (Some("application/json"), value.to_string()),
        Body::Text(content_type, text) => (Some(content_type), text),
        Body::Empty => (None, String::new()),
    };
    let reason = answer.status.canonical_reason().unwrap_or("");
    let mut response = format!("HTTP/1.1 {} {reason}\r\n", answer.status.as_u16());
    if let Some(content_type) = content_type {
        response.push_str(&format!("content-type: {content_type}\r\n"));
    }
    for (name, value) in &answer.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str(&format!(
        "content-length: {}\r\nx-request-id: req_mock{request_number:08}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    ));
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The answer to a request whose head could not be read: 400 when it is
/// not HTTP, 431 when it is over the limit (the service's error body).
pub(crate) async fn refuse_head(stream: &mut TcpStream, error: &crate::http::HeadError) {
    let answer = match error {
        crate::http::HeadError::TooLarge => Answer::error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            &format!(
                "The request head is larger than {} bytes.",
                crate::http::MAX_HEAD_BYTES
            ),
            None,
            None,
        ),
        _ => Answer::error(
            StatusCode::BAD_REQUEST,
            "The request is not HTTP/1.1.",
            None,
            None,
        ),
    };
    write_answer(stream, answer).await;
}

/// The answer to one REST request.
pub(crate) fn answer(head: &Head, body: &[u8], config: &MockConfig, registry: &Registry) -> Answer {
    let path = head.path();
    if head.method == "POST" && path == INCOMING_CALL_PATH {
        return Answer::ok(json!({"call_id": registry.calls.incoming()}));
    }
    let route = (head.method.as_str(), path);
    let call = path
        .strip_prefix(CALLS_PATH)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.split_once('/'));
    match (route, call) {
        (("POST", CLIENT_SECRETS_PATH), _) => match permanent_key(head, config) {
            Ok(()) => mint(body, &registry.secrets),
            Err(refusal) => refusal,
        },
        (("POST", path @ (BETA_SESSIONS_PATH | BETA_TRANSCRIPTION_SESSIONS_PATH)), _) => {
            match permanent_key(head, config) {
                Ok(()) => beta_session(body, path == BETA_TRANSCRIPTION_SESSIONS_PATH, registry),
                Err(refusal) => refusal,
            }
        }
        (("POST", TRANSLATION_CLIENT_SECRETS_PATH), _) => match permanent_key(head, config) {
            Ok(()) => mint_translation(body, &registry.secrets),
            Err(refusal) => refusal,
        },
        (("POST", CALLS_PATH), _) => match permanent_key(head, config) {
            Ok(()) => create_call(head, body, registry),
            Err(refusal) => refusal,
        },
        (("POST", _), Some((call_id, operation)))
            if matches!(operation, "accept" | "hangup" | "refer" | "reject") =>
        {
            match permanent_key(head, config) {
                Ok(()) => call_operation(call_id, operation, body, registry),
                Err(refusal) => refusal,
            }
        }
        ((_, path), _)
            if path == handshake::REALTIME_PATH || path == handshake::TRANSLATION_PATH =>
        {
            Answer::error(
                StatusCode::BAD_REQUEST,
                "This endpoint speaks WebSocket: connect with an `Upgrade: websocket` request.",
                None,
                None,
            )
        }
        ((method, path), _) => Answer::error(
            StatusCode::NOT_FOUND,
            &format!("Invalid URL ({method} {path})"),
            None,
            None,
        ),
    }
}

/// The beta REST sessions: a session, and a client secret that starts it.
pub(crate) const BETA_SESSIONS_PATH: &str = "/v1/realtime/sessions";
pub(crate) const BETA_TRANSCRIPTION_SESSIONS_PATH: &str = "/v1/realtime/transcription_sessions";

/// How long a beta session's client secret starts sessions (the beta
/// documentation: one minute).
const BETA_SECRET_SECONDS: u64 = 60;

/// `POST /v1/realtime/sessions` (or `/transcription_sessions`): the flat
/// beta session, checked as the beta `session.update` (or
/// `transcription_session.update`) checks one, and answered with the session
/// it will start in the beta shape, plus `client_secret` (`value`,
/// `expires_at`). The pinned spec's `RealtimeSessionCreateResponse` has lost
/// `client_secret` and took the GA shape; the 2025-04-29 spec and
/// openai-python's beta `SessionCreateResponse` have this one.
fn beta_session(body: &[u8], transcription: bool, registry: &Registry) -> Answer {
    let request = match json_object(body) {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let (changes, overlay) = match crate::beta::rest_session_to_ga(&request, transcription) {
        Ok(session) => (session.changes, session.overlay),
        Err(refused) => {
            let param = Some(refused.param.as_str()).filter(|param| !param.is_empty());
            return invalid(&refused.message, param);
        }
    };
    let connect = Connect {
        surface: Surface::Beta,
        model: request
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string),
        call_id: None,
        transcription,
        initial_session: None,
        subprotocol: None,
    };
    let (value, minted) = registry.secrets.mint(BETA_SECRET_SECONDS, changes.clone());
    let session = crate::engine::configured_session(&connect, Some(&changes));
    let mut reported = crate::beta::rest_session_to_beta(&session, &overlay);
    if let Value::Object(fields) = &mut reported {
        let documented = if transcription {
            BETA_TRANSCRIPTION_SESSION_FIELDS
        } else {
            BETA_SESSION_FIELDS
        };
        fields.retain(|key, _| documented.contains(&key.as_str()));
        if let Some(Value::Object(detection)) = fields.get_mut("turn_detection") {
            detection.retain(|key, _| BETA_TURN_DETECTION_FIELDS.contains(&key.as_str()));
        }
        fields.insert(
            "client_secret".into(),
            json!({"value": value, "expires_at": minted.expires_at}),
        );
    }
    Answer::ok(reported)
}

/// The fields of a beta REST session as documented: the 2025-04-29 spec's
/// `RealtimeSessionCreateResponse`, and `speed` and `tracing`, which
/// openai-python 3.57's beta `SessionCreateResponse` adds (no capture of
/// the live answer is at hand). The session a WebSocket then gets has more
/// (`id`, `object`, `model`, ...).
const BETA_SESSION_FIELDS: &[&str] = &[
    "client_secret",
    "modalities",
    "instructions",
    "voice",
    "input_audio_format",
    "output_audio_format",
    "input_audio_transcription",
    "turn_detection",
    "tools",
    "tool_choice",
    "temperature",
    "max_response_output_tokens",
    "speed",
    "tracing",
];

/// The fields of a beta REST transcription session (the spec's
/// `RealtimeTranscriptionSessionCreateResponse`, pinned and 2025-04-29).
const BETA_TRANSCRIPTION_SESSION_FIELDS: &[&str] = &[
    "client_secret",
    "modalities",
    "input_audio_format",
    "input_audio_transcription",
    "turn_detection",
];

/// The fields of their `turn_detection` (both specs).
const BETA_TURN_DETECTION_FIELDS: &[&str] = &[
    "type",
    "threshold",
    "prefix_padding_ms",
    "silence_duration_ms",
];

/// `expires_after.seconds` of a checked request (the spec's default when absent).
fn expires_after(request: &Value) -> u64 {
    request
        .pointer("/expires_after/seconds")
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_SECONDS)
}

/// `POST /v1/realtime/translations/client_secrets`.
pub(crate) const TRANSLATION_CLIENT_SECRETS_PATH: &str = "/v1/realtime/translations/client_secrets";

/// Mints a client secret for a translation session
/// (`RealtimeTranslationClientSecretCreateRequest`, checked against the
/// spec's schema): the translation WebSocket takes it until it expires and
/// starts its session with the request's `session` (`model`, `audio`).
fn mint_translation(body: &[u8], secrets: &ClientSecrets) -> Answer {
    let request = match json_object(body) {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    if let Err(refused) = crate::validate::check::<
        realtime_types::translation::TranslationClientSecretCreateRequest,
    >(&request)
    {
        let param = Some(refused.param.as_str()).filter(|param| !param.is_empty());
        return invalid(&refused.message, param);
    }
    let session = request.get("session").cloned().unwrap_or_else(|| json!({}));
    let (value, minted) = secrets.mint(expires_after(&request), session.clone());
    let model = session
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_string);
    let reported = crate::translation::configured_session(model, Some(&session));
    Answer::ok(json!({
        "value": value,
        "expires_at": minted.expires_at,
        "session": reported,
    }))
}

/// `POST /v1/realtime/calls`, and the calls under it.
pub(crate) const CALLS_PATH: &str = "/v1/realtime/calls";

/// The mock's own route that rings an incoming SIP call (what a phone call
/// to the project's SIP trunk would do).
pub(crate) const INCOMING_CALL_PATH: &str = "/mock/calls/incoming";

/// `POST /v1/realtime/calls`: a WebRTC call from an SDP offer, sent as
/// `application/sdp`, or as the `sdp` part of a `multipart/form-data` form
/// whose `session` part (JSON) configures the session that answers.
fn create_call(head: &Head, body: &[u8], registry: &Registry) -> Answer {
    let content_type = head.header("content-type").unwrap_or_default();
    let (sdp, session) = if content_type.starts_with("multipart/form-data") {
        let parts = match multipart::boundary(content_type).and_then(|b| multipart::parse(body, &b))
        {
            Ok(parts) => parts,
            Err(error) => return invalid(&format!("Invalid form: {error}."), None),
        };
        let text = |name: &str| {
            parts
                .iter()
                .find(|part| part.name == name)
                .map(|part| String::from_utf8_lossy(&part.value).into_owned())
        };
        let session = match text("session").map(|json| serde_json::from_str::<Value>(&json)) {
            None => None,
            Some(Ok(session)) => Some(session),
            Some(Err(_)) => return invalid("Invalid 'session': not JSON.", Some("session")),
        };
        (text("sdp"), session)
    } else if content_type.starts_with("application/sdp") {
        (Some(String::from_utf8_lossy(body).into_owned()), None)
    } else {
        return Answer::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the SDP offer as `application/sdp`, or as `multipart/form-data` with `sdp` and `session`.",
            None,
            None,
        );
    };
    let Some(sdp) = sdp.filter(|sdp| sdp.starts_with("v=")) else {
        return invalid(
            "Missing or invalid 'sdp': expected an SDP offer (starting with `v=`).",
            Some("sdp"),
        );
    };
    let session = session.unwrap_or_else(|| json!({"type": "realtime"}));
    if let Err(answer) = checked_session(&session, "session") {
        return answer;
    }
    let call_id = registry.calls.create(session);
    Answer {
        status: StatusCode::CREATED,
        body: Body::Text("application/sdp", sdp_answer(&sdp)),
        headers: vec![("location", format!("{CALLS_PATH}/{call_id}"))],
    }
}

/// An SDP answer to `offer` (the mock has no media: its answer names the
/// offer's session and says it sends and receives audio).
fn sdp_answer(offer: &str) -> String {
    let origin = offer
        .lines()
        .find_map(|line| line.strip_prefix("o="))
        .unwrap_or("- 0 0 IN IP4 127.0.0.1");
    format!(
        "v=0\r\no={origin}\r\ns=realtime-mock\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n"
    )
}

/// `session` checked as a GA `session.update` checks one; the refusal names
/// the parameter under `at`.
fn checked_session(session: &Value, at: &str) -> Result<(), Answer> {
    let as_update = json!({"type": "session.update", "session": session});
    match crate::validate::check::<realtime_types::ga::client::SessionUpdate>(&as_update) {
        Ok(()) => Ok(()),
        Err(refused) => {
            // The event's `session.x` is this body's `{at}.x` (or `x`).
            let under = if at.is_empty() {
                String::new()
            } else {
                format!("{at}.")
            };
            let param = match refused.param.strip_prefix("session.") {
                Some(rest) => format!("{under}{rest}"),
                None => refused.param.clone(),
            };
            let message = refused.message.replace("'session.", &format!("'{under}"));
            Err(invalid(&message, Some(&param)))
        }
    }
}

/// `accept`, `hangup`, `refer` or `reject` of call `call_id`.
fn call_operation(call_id: &str, operation: &str, body: &[u8], registry: &Registry) -> Answer {
    let request = match json_object(body) {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let calls = &registry.calls;
    let done = match operation {
        "accept" => {
            if let Err(answer) = checked_session(&request, "") {
                return answer;
            }
            calls.accept(call_id, request)
        }
        "hangup" => calls.hangup(call_id),
        "refer" => match request.get("target_uri").and_then(Value::as_str) {
            Some(target) if !target.is_empty() => calls.refer(call_id, target.to_string()),
            _ => {
                return Answer::error(
                    StatusCode::BAD_REQUEST,
                    "Missing required parameter: 'target_uri'.",
                    Some("target_uri"),
                    Some("missing_required_parameter"),
                );
            }
        },
        _ => {
            let status_code = match request.get("status_code") {
                None => 603,
                Some(code) => match code.as_u64().and_then(|c| u16::try_from(c).ok()) {
                    Some(code) if (400..=699).contains(&code) => code,
                    _ => {
                        return invalid(
                            "Invalid 'status_code': expected a SIP status from 400 to 699.",
                            Some("status_code"),
                        );
                    }
                },
            };
            calls.reject(call_id, status_code)
        }
    };
    match done {
        Ok(()) => Answer::empty(),
        Err(Refused::NotFound) => Answer::error(
            StatusCode::NOT_FOUND,
            &format!("No call with id '{call_id}'."),
            Some("call_id"),
            Some("call_not_found"),
        ),
        Err(Refused::State { operation, state }) => Answer::error(
            StatusCode::CONFLICT,
            &format!("Cannot {operation} call '{call_id}': it is {state}."),
            None,
            Some("invalid_call_state"),
        ),
        Err(Refused::NotSip { operation }) => Answer::error(
            StatusCode::BAD_REQUEST,
            &format!("Cannot {operation} call '{call_id}': only SIP calls can be {operation}ed."),
            None,
            Some("invalid_call_type"),
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
    let request = match json_object(body) {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    if let Err(refused) =
        crate::validate::check::<realtime_types::ga::CreateClientSecretRequest>(&request)
    {
        let param = Some(refused.param.as_str()).filter(|param| !param.is_empty());
        return invalid(&refused.message, param);
    }
    let seconds = expires_after(&request);
    let session = request
        .get("session")
        .cloned()
        .unwrap_or_else(|| json!({"type": "realtime"}));
    let transcription = session.get("type").and_then(Value::as_str) == Some("transcription");
    let connect = Connect {
        surface: Surface::Ga,
        model: session
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string),
        call_id: None,
        transcription,
        initial_session: None,
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

/// A JSON object body (an empty body is `{}`), or the refusal naming what
/// is wrong and where (never the body).
fn json_object(body: &[u8]) -> Result<Value, Answer> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice(body) {
        Ok(request @ Value::Object(_)) => Ok(request),
        Ok(_) => Err(invalid("The request body must be a JSON object.", None)),
        Err(error) => Err(invalid(
            &format!(
                "The request body is not valid JSON (line {}, column {}).",
                error.line(),
                error.column()
            ),
            None,
        )),
    }
}

fn invalid(message: &str, param: Option<&str>) -> Answer {
    Answer::error(
        StatusCode::BAD_REQUEST,
        message,
        param,
        Some("invalid_value"),
    )
}
