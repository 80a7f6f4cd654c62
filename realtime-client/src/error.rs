//! Errors of the transport. None of them contains a credential or the
//! content of a frame (frames carry user audio and text).

use std::fmt;
use std::time::Duration;

/// A boxed error kept as the [`source`](std::error::Error::source) of one of ours.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong.
///
/// How a session ends, and the close code behind each ending
/// ([`Error::close_code`]): the server's close frame is [`Error::Closed`]
/// with the server's code (1005 when the frame had none); a connection that
/// drops without one (a reset, or the stream ending) is
/// [`Error::ConnectionLost`], code 1006; a peer that stops answering pings
/// is [`Error::KeepaliveTimeout`], also 1006; a peer that breaks the
/// WebSocket protocol is [`Error::Protocol`] (1002, or 1007 for a text frame
/// that is not UTF-8), and a message over the limit is
/// [`Error::MessageTooLarge`] (1009): for those three the client sends the
/// close frame with that code before it drops the connection.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid; nothing was sent.
    Config(String),
    /// The connection could not be opened (DNS, TCP or TLS).
    Connect {
        /// The host.
        host: String,
        /// Whether it was the TLS handshake that failed.
        tls: bool,
        /// What failed.
        source: BoxError,
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
    /// The server closed the session with a close frame.
    Closed {
        /// The close code (1000 normal, 1001 going away, 4000 ...; 1005 when
        /// the frame carried no code).
        code: u16,
        /// The reason the server gave.
        reason: String,
    },
    /// The connection dropped without a close frame (close code 1006): reset
    /// by the peer, or the stream ended.
    ConnectionLost {
        /// The I/O error, when there was one.
        source: Option<BoxError>,
    },
    /// The server did not answer a ping in time (the connection is dropped;
    /// close code 1006). Time the client itself spent not reading, because
    /// the application had not taken the frames already received, does
    /// not count.
    KeepaliveTimeout {
        /// How long the client waited for the pong.
        after: Duration,
    },
    /// An incoming message was larger than the limit (it was not read; close
    /// code 1009).
    MessageTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The server broke the WebSocket protocol (close code 1002), or sent a
    /// text frame that is not UTF-8 (1007).
    Protocol {
        /// The close code the client answered with.
        code: u16,
        /// What was wrong.
        source: BoxError,
    },
    /// The session is over (closed by either side, or lost): nothing can be
    /// sent. Every send after the receiver has handed out the end of the
    /// session fails with this.
    SessionClosed,
    /// An event could not be encoded.
    Encode(serde_json::Error),
    /// Reconnecting was given up (see [`crate::Reconnect`]): `last` is why
    /// the last attempt, or the connection before it, failed.
    GaveUp {
        /// How many times a new connection was tried.
        attempts: u32,
        /// The last failure.
        last: Box<Error>,
    },
}

impl Error {
    /// The WebSocket close code that ended the session, for the errors that
    /// end one (see the table on [`Error`]); `None` for the others.
    pub fn close_code(&self) -> Option<u16> {
        match self {
            Error::Closed { code, .. } => Some(*code),
            Error::ConnectionLost { .. } | Error::KeepaliveTimeout { .. } => Some(1006),
            Error::Protocol { code, .. } => Some(*code),
            Error::MessageTooLarge { .. } => Some(1009),
            Error::GaveUp { last, .. } => last.close_code(),
            _ => None,
        }
    }

    /// Whether this error ends the session (everything but [`Error::Decode`],
    /// which is one frame that is not an event).
    pub fn ends_session(&self) -> bool {
        !matches!(self, Error::Decode(_))
    }
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
    /// A frame with more JSON values than the per-frame limit (see
    /// [`crate::ClientBuilder::max_json_values`]): not decoded, since
    /// decoding a value takes many times its bytes. The frame is dropped;
    /// the stream goes on.
    TooManyValues {
        /// The frame's length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
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
            DecodeError::TooManyValues { len, limit } => write!(
                f,
                "a frame of {len} bytes with more than {limit} JSON values (not decoded)"
            ),
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
            Error::Connect {
                host,
                tls: true,
                source,
            } => write!(f, "cannot connect to {host}: TLS: {source}"),
            Error::Connect { host, source, .. } => write!(f, "cannot connect to {host}: {source}"),
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
            Error::ConnectionLost {
                source: Some(source),
            } => {
                write!(f, "the connection was lost (code 1006): {source}")
            }
            Error::ConnectionLost { source: None } => {
                f.write_str("the connection was lost without a close frame (code 1006)")
            }
            Error::Protocol { code, source } => write!(
                f,
                "the server broke the WebSocket protocol (closed with {code}): {source}"
            ),
            Error::SessionClosed => f.write_str("the session is closed"),
            Error::Encode(error) => write!(f, "cannot encode the event: {error}"),
            Error::GaveUp { attempts, last } => write!(
                f,
                "gave up reconnecting after {attempts} attempt(s); the last failure: {last}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connect { source, .. } | Error::Protocol { source, .. } => Some(source.as_ref()),
            Error::ConnectionLost {
                source: Some(source),
            } => Some(source.as_ref()),
            Error::Decode(error) => Some(error),
            Error::Encode(error) => Some(error),
            Error::GaveUp { last, .. } => Some(last.as_ref()),
            _ => None,
        }
    }
}

impl std::error::Error for DecodeError {}

/// A server `error` event as a typed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// The error type (`invalid_request_error`, `server_error`, ...).
    pub error_type: String,
    /// A machine-readable code, if any.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The parameter at fault, if any.
    pub param: Option<String>,
    /// The `event_id` of the client event that caused it, if any.
    pub event_id: Option<String>,
}

impl From<realtime_types::ServerErrorRef<'_>> for ServerError {
    fn from(error: realtime_types::ServerErrorRef<'_>) -> Self {
        ServerError {
            error_type: error.error_type.to_string(),
            code: error.code.map(str::to_string),
            message: error.message.to_string(),
            param: error.param.map(str::to_string),
            event_id: error.event_id.map(str::to_string),
        }
    }
}

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
