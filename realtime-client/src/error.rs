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
    /// An object with a `type` that is still no event: it has the same key
    /// twice (one rule on every decode path: see `realtime_types::support`).
    /// An event whose body does not match its schema is no error: it
    /// arrives as the union's `Malformed` variant.
    InvalidEvent {
        /// The event's `type` (the first one).
        event_type: String,
        /// What is wrong and where (a JSON pointer into the frame), without
        /// quoting the content.
        reason: String,
    },
}

impl DecodeError {
    /// Classifies a failed decode of `text`, keeping nothing of its content.
    /// (An event whose `type` is known but whose body does not match is no
    /// error: `from_frame` keeps it as the union's `Malformed` variant.)
    pub(crate) fn classify(text: &str, error: &serde_json::Error) -> DecodeError {
        if error.is_syntax() || error.is_eof() {
            return DecodeError::InvalidJson {
                line: error.line(),
                column: error.column(),
            };
        }
        // Only an object's string `type` is an event type (the first one, as
        // for decoding).
        match realtime_types::support::frame_tag(text, "type") {
            None => DecodeError::NotAnEvent,
            Some(event_type) => DecodeError::InvalidEvent {
                event_type: sanitize_type(&event_type),
                reason: realtime_types::DecodeProblem::new(text, error).to_string(),
            },
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
    fn a_repeated_key_names_the_event_but_neither_the_key_nor_the_content() {
        let error =
            classify(r#"{"type": "response.output_audio.delta", "hunter2": 1, "hunter2": 2}"#);
        let DecodeError::InvalidEvent { event_type, reason } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(event_type, "response.output_audio.delta");
        assert!(reason.contains("duplicate key"), "{reason}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
        let error = classify(r#"{"type": "error", "type": "session.update"}"#);
        assert!(error.to_string().contains("duplicate"), "{error}");
    }

    #[test]
    fn a_known_event_that_does_not_match_is_no_error() {
        let frame = r#"{"type": "response.output_audio.delta", "event_id": "e"}"#;
        let event = realtime_types::ga::ServerEvent::from_frame(frame).expect("kept");
        assert!(event.is_malformed());
    }
}
