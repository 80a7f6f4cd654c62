//! Events whose `type` a union knows but whose body does not match that
//! event's schema. No server event is ever lost: `from_frame` gives them as
//! the union's `Malformed` variant, holding the whole frame, so that an app
//! sees them (and can log why, without their content) and a proxy forwards
//! them unchanged.

use std::fmt;

use serde_json::Value;

use crate::support::{DUPLICATE_KEY, offset_of, pointer_at};

/// A frame whose `type` is a known event but whose body does not match that
/// event's schema (a required property missing, a value of another kind).
///
/// It keeps the whole frame as JSON ([`raw`](Self::raw)): encoding it gives
/// the frame back. [`Display`](fmt::Display) and [`Debug`] say which event,
/// where and what, never the content (frames hold user audio and text).
#[derive(Clone, PartialEq)]
pub struct MalformedEvent {
    raw: Value,
    problem: DecodeProblem,
}

/// Why a frame does not match its event's schema, and where, without its
/// content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeProblem {
    /// A JSON pointer into the frame: the value that is wrong, or the object
    /// that lacks a property (`""` for the event itself).
    pub pointer: String,
    /// What is wrong (`missing field `usage``, `invalid type: a string,
    /// expected i64`), with the frame's content left out.
    pub reason: String,
    /// The line of the frame where decoding stopped (1-based).
    pub line: usize,
    /// The column on that line (1-based, in bytes).
    pub column: usize,
}

impl MalformedEvent {
    /// The event's `type`.
    pub fn event_type(&self) -> &str {
        crate::support::raw_tag(&self.raw, "type")
    }

    /// The whole frame, exactly as it arrived (key order and numbers included).
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The whole frame, as JSON.
    pub fn into_raw(self) -> Value {
        self.raw
    }

    /// Why it does not match its event's schema.
    pub fn problem(&self) -> &DecodeProblem {
        &self.problem
    }

    /// Builds the event for `frame`, whose decode into its event's struct
    /// failed with `error`. `Err` when the frame is not a JSON object without
    /// duplicate keys: then it is no event at all, and the error says why.
    pub fn from_frame(frame: &str, error: &serde_json::Error) -> Result<Self, serde_json::Error> {
        let raw = crate::support::strict_value_from_str(frame)?;
        Ok(MalformedEvent {
            raw,
            problem: DecodeProblem::new(frame, error),
        })
    }
}

impl DecodeProblem {
    /// The problem `error` reports for the text `frame`.
    pub fn new(frame: &str, error: &serde_json::Error) -> Self {
        let offset = offset_of(frame, error.line(), error.column());
        DecodeProblem {
            pointer: pointer_at(frame, offset),
            reason: reason_without_content(&error.to_string()),
            line: error.line(),
            column: error.column(),
        }
    }
}

impl fmt::Display for DecodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "the event"
        } else {
            self.pointer.as_str()
        };
        write!(
            f,
            "{} at {at} (line {}, column {})",
            self.reason, self.line, self.column
        )
    }
}

impl fmt::Display for MalformedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a `{}` event that does not match its schema: {}",
            printable_type(self.event_type()),
            self.problem
        )
    }
}

impl fmt::Debug for MalformedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MalformedEvent")
            .field("event_type", &printable_type(self.event_type()))
            .field("problem", &self.problem)
            .finish_non_exhaustive()
    }
}

impl serde::Serialize for MalformedEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

/// An event type is short and made of `[a-z0-9._]` when it is one this
/// crate knows, which a malformed event's is.
fn printable_type(event_type: &str) -> &str {
    let plain = event_type.len() <= 80
        && event_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain { event_type } else { "<unreadable>" }
}

/// serde_json's message without what it quotes of the input: the kind of
/// the value that was found stays, its text goes.
pub(crate) fn reason_without_content(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(cut) => &message[..cut],
        None => message,
    };
    // These name only the schema's own property names.
    if message.starts_with("missing field `")
        || message.starts_with("duplicate field `")
        || message == DUPLICATE_KEY
    {
        return message.to_string();
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let kind = match rest.split([' ', ',']).next().unwrap_or_default() {
            "string" => "a string",
            "integer" => "an integer",
            "floating" => "a number",
            "boolean" => "a boolean",
            "map" => "an object",
            "sequence" => "an array",
            "unit" | "null" => "null",
            _ => "a value",
        };
        // The expectation is the decoder's own text, and comes last.
        let expected = rest
            .rfind(", expected ")
            .map(|at| &rest[at + ", expected ".len()..])
            .unwrap_or("another value");
        return format!("{prefix}{kind}, expected {expected}");
    }
    "a value does not match the schema".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_keep_the_kind_and_drop_the_content() {
        let cases = [
            (
                "invalid type: string \"my secret\", expected i64 at line 1 column 9",
                "invalid type: a string, expected i64",
            ),
            (
                "invalid type: floating point `1.5`, expected u32",
                "invalid type: a number, expected u32",
            ),
            (
                "invalid type: map, expected a string",
                "invalid type: an object, expected a string",
            ),
            (
                "invalid value: string \"x, expected y\", expected `type` to be `a`",
                "invalid value: a string, expected `type` to be `a`",
            ),
            (
                "missing field `usage` at line 1 column 40",
                "missing field `usage`",
            ),
            ("duplicate field `type`", "duplicate field `type`"),
            (
                "unknown variant `my secret`, expected one of `a`, `b`",
                "a value does not match the schema",
            ),
            (
                "the secret custom message",
                "a value does not match the schema",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(reason_without_content(message), expected, "{message}");
        }
    }

    #[test]
    fn a_malformed_event_keeps_the_frame_and_says_where_without_content() {
        let frame = r#"{"type":"response.done","response":{"id":"my secret","usage":"x"}}"#;
        let error = serde_json::from_str::<
            std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
        >(frame)
        .unwrap_err();
        let event = MalformedEvent::from_frame(frame, &error).unwrap();
        assert_eq!(event.event_type(), "response.done");
        assert_eq!(event.raw(), &serde_json::from_str::<Value>(frame).unwrap());
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            frame,
            "encodes to the frame"
        );
        let shown = format!("{event} {event:?}");
        assert!(shown.contains("response.done"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn a_frame_with_a_duplicate_key_is_no_event() {
        let frame = r#"{"type":"x","type":"y"}"#;
        let error = serde_json::from_str::<u8>(frame).unwrap_err();
        let refused = MalformedEvent::from_frame(frame, &error).unwrap_err();
        assert!(refused.to_string().contains(DUPLICATE_KEY), "{refused}");
    }
}
