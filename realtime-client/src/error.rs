//! Errors of the transport. None of them contains a credential or the
//! content of a frame (frames carry user audio and text).

use std::fmt;
use std::time::Duration;

/// Everything that can go wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid; nothing was sent.
    Config(String),
    /// The connection could not be opened (DNS, TCP or TLS).
    Connect {
        /// The host.
        host: String,
        /// What failed.
        message: String,
    },
    /// Connecting (including the handshake) took longer than the timeout.
    Timeout {
        /// The timeout.
        after: Duration,
    },
    /// The server refused the WebSocket handshake.
    Handshake {
        /// The HTTP status.
        status: u16,
        /// The server's error message, if it sent one (secrets removed).
        message: Option<String>,
    },
    /// The server answered with a redirect, which is never followed.
    Redirect {
        /// The HTTP status (3xx).
        status: u16,
    },
    /// The token provider failed.
    Credentials(String),
    /// A frame could not be decoded into an event; the stream goes on.
    Decode(DecodeError),
    /// The server closed the session.
    Closed {
        /// The close code (1000 normal, 1001 going away, 4000 ...).
        code: u16,
        /// The reason the server gave.
        reason: String,
    },
    /// The server did not answer a ping in time.
    KeepaliveTimeout {
        /// How long the client waited for the pong.
        after: Duration,
    },
    /// An incoming message was larger than the limit (it was not read).
    MessageTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The connection failed.
    Transport(String),
    /// The session is closed; nothing can be sent.
    SessionClosed,
    /// An event could not be encoded.
    Encode(String),
}

/// Why a frame is not an event. Never holds the frame's content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A binary frame (the protocol is JSON text).
    Binary {
        /// Its length in bytes.
        len: usize,
    },
    /// Not valid JSON.
    InvalidJson {
        /// Where the JSON stops being valid.
        line: usize,
        /// Column on that line.
        column: usize,
    },
    /// Valid JSON, but not an object with a string `type`.
    NotAnEvent,
    /// An event whose fields do not match its schema.
    InvalidEvent {
        /// The event's `type`.
        event_type: String,
        /// What is wrong, when it can be said without quoting the content
        /// (a missing field); otherwise the position.
        reason: String,
    },
}

impl DecodeError {
    /// Classifies a failed decode of `text`, keeping nothing of its content.
    pub(crate) fn classify(text: &str, error: &serde_json::Error) -> DecodeError {
        if error.is_syntax() || error.is_eof() {
            return DecodeError::InvalidJson {
                line: error.line(),
                column: error.column(),
            };
        }
        // Only an object's string `type` is an event type (a derived struct
        // would also read `["..."]`, and show the array's content).
        let object = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).ok();
        let event_type = object
            .as_ref()
            .and_then(|o| o.get("type"))
            .and_then(serde_json::Value::as_str);
        match event_type {
            None => DecodeError::NotAnEvent,
            Some(event_type) => {
                let message = error.to_string();
                let reason = if message.starts_with("missing field") {
                    message
                } else {
                    format!(
                        "a value does not match the schema (line {}, column {})",
                        error.line(),
                        error.column()
                    )
                };
                DecodeError::InvalidEvent {
                    event_type: sanitize_type(event_type),
                    reason,
                }
            }
        }
    }
}

/// An event type is short and made of `[a-z0-9._]`; anything else is shown as `<unreadable>`.
fn sanitize_type(event_type: &str) -> String {
    let plain = event_type.len() <= 80
        && event_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'));
    if plain {
        event_type.to_string()
    } else {
        "<unreadable>".to_string()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary { len } => {
                write!(f, "a binary frame of {len} bytes (events are JSON text)")
            }
            DecodeError::InvalidJson { line, column } => {
                write!(f, "invalid JSON at line {line}, column {column}")
            }
            DecodeError::NotAnEvent => {
                f.write_str("valid JSON but not an object with a string `type`")
            }
            DecodeError::InvalidEvent { event_type, reason } => {
                write!(f, "`{event_type}` event: {reason}")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(reason) => write!(f, "invalid client configuration: {reason}"),
            Error::Connect { host, message } => write!(f, "cannot connect to {host}: {message}"),
            Error::Timeout { after } => write!(f, "connecting took longer than {after:?}"),
            Error::Handshake {
                status,
                message: Some(message),
            } => write!(
                f,
                "the server refused the session (HTTP {status}): {message}"
            ),
            Error::Handshake {
                status,
                message: None,
            } => write!(f, "the server refused the session (HTTP {status})"),
            Error::Redirect { status } => write!(
                f,
                "the server answered with a redirect (HTTP {status}); redirects are not followed"
            ),
            Error::Credentials(reason) => write!(f, "cannot get credentials: {reason}"),
            Error::Decode(error) => write!(f, "cannot decode a server frame: {error}"),
            Error::Closed { code, reason } if reason.is_empty() => {
                write!(f, "the server closed the session (code {code})")
            }
            Error::Closed { code, reason } => {
                write!(f, "the server closed the session (code {code}: {reason})")
            }
            Error::KeepaliveTimeout { after } => {
                write!(f, "the server did not answer a ping within {after:?}")
            }
            Error::MessageTooLarge { limit } => {
                write!(f, "the server sent a message larger than {limit} bytes")
            }
            Error::Transport(message) => write!(f, "connection failed: {message}"),
            Error::SessionClosed => f.write_str("the session is closed"),
            Error::Encode(message) => write!(f, "cannot encode the event: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl std::error::Error for DecodeError {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &str) -> DecodeError {
        let error = realtime_types::ga::ServerEvent::from_frame(text).expect_err("does not decode");
        DecodeError::classify(text, &error)
    }

    #[test]
    fn invalid_json_reports_the_position_only() {
        assert_eq!(
            classify(r#"{"type": "x", "secret": "#),
            DecodeError::InvalidJson {
                line: 1,
                column: 24
            }
        );
    }

    #[test]
    fn json_that_is_not_an_event_is_said_so() {
        assert_eq!(classify("[1, 2]"), DecodeError::NotAnEvent);
        assert_eq!(classify(r#"["hunter2"]"#), DecodeError::NotAnEvent);
        assert_eq!(
            classify(r#"{"no_type": "hunter2"}"#),
            DecodeError::NotAnEvent
        );
    }

    #[test]
    fn a_bad_field_names_the_event_but_not_the_content() {
        let error = classify(
            r#"{"type": "response.output_audio.delta", "event_id": "e", "response_id": 7}"#,
        );
        let text = error.to_string();
        assert!(text.contains("response.output_audio.delta"), "{text}");
        let error = classify(
            r#"{"type": "error", "event_id": "e", "error": {"type": "t", "message": ["hunter2"]}}"#,
        );
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let error = classify(r#"{"type": "response.output_audio.delta", "event_id": "e"}"#);
        assert!(error.to_string().contains("missing field"), "{error}");
    }
}
