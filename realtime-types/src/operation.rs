//! The REST operations of the Realtime API, as the generator describes
//! them: each operation of the spec's `paths` is a generated struct (its
//! path parameters and body) implementing [`Operation`], and each surface's
//! generated `RestMethods` trait has one method per operation, sending it
//! through the one method an HTTP client implements (`execute`). This crate
//! sends nothing itself: `realtime-client` is one such client, and any other
//! can be.

/// What the spec says of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The spec's `operationId` (`create-realtime-client-secret`).
    pub id: &'static str,
    /// The HTTP method (`POST`).
    pub method: &'static str,
    /// The path template under the API base (`/realtime/calls/{call_id}/accept`).
    pub path: &'static str,
    /// The status of success the spec documents (`200`, `201`).
    pub status: u16,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
}

/// A request body, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestBody {
    /// No body.
    Empty,
    /// `application/json`.
    Json(Vec<u8>),
    /// Text of this content type (`application/sdp`).
    Text {
        /// The content type.
        content_type: &'static str,
        /// The text.
        text: String,
    },
    /// A `multipart/form-data` form.
    Form(Vec<FormPart>),
}

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    /// The part's name (a property of the body's schema).
    pub name: String,
    /// `None` for text, `application/json` for an object or array.
    pub content_type: Option<&'static str>,
    /// The part's bytes.
    pub value: Vec<u8>,
}

impl RequestBody {
    /// `body` as JSON.
    ///
    /// # Errors
    ///
    /// When `body` cannot be encoded (the generated types always can).
    pub fn json<T: serde::Serialize>(body: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_vec(body).map(RequestBody::Json)
    }

    /// `body` (an object) as a form: each property a part, a string as its
    /// text, anything else as JSON (what the official SDKs send).
    ///
    /// # Errors
    ///
    /// When `body` cannot be encoded, or is not an object.
    pub fn form<T: serde::Serialize>(body: &T) -> Result<Self, serde_json::Error> {
        let serde_json::Value::Object(fields) = serde_json::to_value(body)? else {
            return Err(serde::ser::Error::custom(
                "a form body must be an object (its properties are its parts)",
            ));
        };
        let mut parts = Vec::with_capacity(fields.len());
        for (name, value) in fields {
            let part = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(text) => FormPart {
                    name,
                    content_type: None,
                    value: text.into_bytes(),
                },
                other => FormPart {
                    name,
                    content_type: Some("application/json"),
                    value: serde_json::to_vec(&other)?,
                },
            };
            parts.push(part);
        }
        Ok(RequestBody::Form(parts))
    }
}

/// One REST operation with its arguments: the generated operation structs
/// implement it.
pub trait Operation {
    /// What a success answers with: a generated type (JSON), `String`
    /// (text, such as an SDP answer) or `()` (nothing).
    type Response: Send + 'static;
    /// What the spec says of it.
    const INFO: OperationInfo;
    /// The path under the API base, parameters filled in (percent-encoded).
    fn path(&self) -> String;
    /// The body to send.
    ///
    /// # Errors
    ///
    /// When the body cannot be encoded (the generated types always can).
    fn body(&self) -> Result<RequestBody, serde_json::Error>;
    /// The answer of a success, from its body.
    ///
    /// # Errors
    ///
    /// When the body is not what the spec says the operation answers.
    fn decode(body: &[u8]) -> Result<Self::Response, ResponseError>;
}

/// An answer that is not what the operation answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// The JSON does not decode as the answer's type: what is wrong (the
    /// kind of value found, not its text: answers hold session settings and
    /// secrets) and where. serde_json's own error is not kept, as its
    /// message quotes the answer.
    Json {
        /// What is wrong (`invalid type: a string, expected i64`).
        reason: String,
        /// Line of the answer.
        line: usize,
        /// Column of that line.
        column: usize,
    },
    /// Text that is not UTF-8 (at this byte offset).
    Text(usize),
}

impl std::fmt::Display for ResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResponseError::Json {
                reason,
                line,
                column,
            } => write!(
                f,
                "the answer does not decode: {reason} (line {line}, column {column})"
            ),
            ResponseError::Text(offset) => {
                write!(f, "the answer is not UTF-8 text (at byte {offset})")
            }
        }
    }
}

impl std::error::Error for ResponseError {}

impl From<serde_json::Error> for ResponseError {
    fn from(error: serde_json::Error) -> Self {
        ResponseError::Json {
            reason: crate::malformed::reason_without_content(&error.to_string()),
            line: error.line(),
            column: error.column(),
        }
    }
}

/// Support for the generated `decode`s.
#[doc(hidden)]
pub mod decode {
    use super::ResponseError;

    /// A JSON answer.
    pub fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ResponseError> {
        Ok(serde_json::from_slice(body)?)
    }

    /// A text answer.
    pub fn text(body: &[u8]) -> Result<String, ResponseError> {
        String::from_utf8(body.to_vec())
            .map_err(|error| ResponseError::Text(error.utf8_error().valid_up_to()))
    }

    /// No answer (whatever the body).
    pub fn empty(_: &[u8]) -> Result<(), ResponseError> {
        Ok(())
    }

    /// A path parameter, percent-encoded (everything but unreserved
    /// characters, RFC 3986).
    pub fn path_segment(value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        for byte in value.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }
}

/// An answer and the `x-request-id` the service gave it (what its support
/// asks for).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    /// The answer.
    pub value: T,
    /// The `x-request-id` header, if the answer had one.
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_form_has_a_text_part_per_string_and_a_json_part_per_object() {
        let body = json!({"sdp": "v=0", "session": {"type": "realtime"}, "absent": null});
        let RequestBody::Form(parts) = RequestBody::form(&body).unwrap() else {
            panic!("a form")
        };
        assert_eq!(
            parts,
            [
                FormPart {
                    name: "sdp".into(),
                    content_type: None,
                    value: b"v=0".to_vec()
                },
                FormPart {
                    name: "session".into(),
                    content_type: Some("application/json"),
                    value: br#"{"type":"realtime"}"#.to_vec()
                },
            ]
        );
        assert!(RequestBody::form(&json!("text")).is_err());
    }

    #[test]
    fn path_parameters_are_percent_encoded() {
        assert_eq!(decode::path_segment("rtc_1-a.b~c"), "rtc_1-a.b~c");
        assert_eq!(decode::path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn an_answer_that_does_not_decode_is_named_without_its_content() {
        let error = decode::json::<u64>(br#""sk-secret-value""#).unwrap_err();
        let message = error.to_string();
        assert!(!message.contains("secret"), "{message}");
        assert!(
            message.contains("a string") && message.contains("line 1"),
            "{message}"
        );
    }

    #[test]
    fn text_that_is_not_utf8_names_the_offset() {
        assert!(matches!(
            decode::text(b"ab\xff"),
            Err(ResponseError::Text(2))
        ));
    }
}
