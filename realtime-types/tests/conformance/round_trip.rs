//! The conformance check of one event example, shared by the pinned-spec
//! test and `cargo xtask check-history` (which copies this file into the
//! crate it generates for each spec version).

#![allow(dead_code)] // each test crate uses part of it

use realtime_types::{Event, EventRef};
use serde_json::Value;

/// Decodes `text` (the encoding of `value`) with the borrowed view `R`
/// (`ServerEventRef`, ...): it must be a borrowed view exactly when `R`
/// lists `event_type` in `BORROWED_TYPES`, and encoding it, or the owned
/// event it gives, must give `value` back.
pub fn view_round_trip<'a, R: EventRef<'a>>(
    event_type: &str,
    value: &Value,
    text: &'a str,
) -> Result<(), String> {
    let view = R::from_frame(text).map_err(|e| format!("decoding the view: {e}"))?;
    let borrowed = R::BORROWED_TYPES.contains(&event_type);
    if view.is_borrowed() != borrowed {
        return Err(format!(
            "the view decoded `{event_type}` {}",
            if borrowed {
                "into `Owned`, though it lists it as borrowed"
            } else {
                "into a borrowed view it does not list"
            }
        ));
    }
    if view.event_type() != event_type {
        return Err(format!(
            "the view decoded `{}`, expected `{event_type}`",
            view.event_type()
        ));
    }
    encodes_to(&view, value).map_err(|e| format!("the view: {e}"))?;
    check_decoded(&view.into_owned(), event_type, value)
        .map_err(|e| format!("the view's owned event: {e}"))
}

/// Decodes `value` into the union `E`, from JSON text (with
/// `serde_json::from_str` and with `from_frame`, which must agree) and from a
/// `serde_json::Value`, checks that it is the variant for `event_type` (not
/// `Unknown`), and that encoding it gives `value` back.
pub fn round_trip<E: Event + PartialEq>(event_type: &str, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let from_text: E =
        serde_json::from_str(&text).map_err(|e| format!("decoding the text: {e}"))?;
    let from_value: E =
        serde_json::from_value(value.clone()).map_err(|e| format!("decoding the value: {e}"))?;
    let from_frame = E::from_frame(&text).map_err(|e| format!("from_frame: {e}"))?;
    for event in [&from_text, &from_value, &from_frame] {
        check_decoded(event, event_type, value)?;
    }
    if from_frame != from_text {
        return Err("from_frame decoded another event than serde_json::from_str".to_string());
    }
    Ok(())
}

/// `from_frame`'s contract with `serde_json::from_str` on any text: the same
/// event where `from_str` decodes it; where `from_str` fails, an error too,
/// or (an object without repeated keys whose `type` the union knows)
/// `Malformed`, holding exactly the frame. An event it decodes encodes to
/// a value equal to the frame's (nothing is lost).
pub fn from_frame_agrees<E: Event + PartialEq>(frame: &str) -> Result<(), String> {
    let from_str = serde_json::from_str::<E>(frame);
    let from_frame = E::from_frame(frame);
    match (&from_str, &from_frame) {
        (Ok(a), Ok(b)) if a == b => {}
        (Err(_), Err(_)) => return Ok(()),
        (Err(_), Ok(event)) if event.is_malformed() => {
            if !E::EVENT_TYPES.contains(&event.event_type()) {
                return Err(format!(
                    "malformed, but `{}` is no event type of the union",
                    event.event_type()
                ));
            }
        }
        _ => {
            return Err(format!(
                "from_str gave {}, from_frame gave {}",
                outcome(&from_str),
                outcome(&from_frame)
            ));
        }
    }
    let event = from_frame.map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(frame).map_err(|e| e.to_string())?;
    encodes_to(&event, &value)
}

/// What a decode gave, without the content.
fn outcome<E: Event>(result: &Result<E, serde_json::Error>) -> String {
    match result {
        Ok(event) if event.is_malformed() => format!("Malformed({})", event.event_type()),
        Ok(event) if event.is_unknown() => format!("Unknown({:?})", event.event_type()),
        Ok(event) => format!("Ok({})", event.event_type()),
        Err(error) => format!("Err({error})"),
    }
}

/// `event` is the known variant for `event_type` and encodes to `value`.
fn check_decoded<E: Event>(event: &E, event_type: &str, value: &Value) -> Result<(), String> {
    if event.is_unknown() {
        return Err(format!(
            "decoded as Unknown (type {:?})",
            event.event_type()
        ));
    }
    if event.event_type() != event_type {
        return Err(format!(
            "decoded as `{}`, expected `{event_type}`",
            event.event_type()
        ));
    }
    encodes_to(event, value)
}

/// Encoding `event` gives `value`.
fn encodes_to<T: serde::Serialize>(event: &T, value: &Value) -> Result<(), String> {
    let encoded = serde_json::to_value(event).map_err(|e| e.to_string())?;
    if encoded != *value {
        return Err(format!(
            "re-encoded value differs: {}",
            first_difference(value, &encoded)
        ));
    }
    Ok(())
}

/// A JSON pointer to the first place two values differ.
pub fn first_difference(expected: &Value, actual: &Value) -> String {
    fn walk(path: String, a: &Value, b: &Value) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for key in x.keys().chain(y.keys()) {
                    match (x.get(key), y.get(key)) {
                        (Some(p), Some(q)) => {
                            if let Some(found) = walk(format!("{path}/{key}"), p, q) {
                                return Some(found);
                            }
                        }
                        (Some(_), None) => {
                            return Some(format!("{path}/{key} is missing after encoding"));
                        }
                        (None, Some(_)) => {
                            return Some(format!("{path}/{key} appears after encoding"));
                        }
                        (None, None) => {}
                    }
                }
                None
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| walk(format!("{path}/{i}"), p, q)),
            _ if a == b => None,
            _ => Some(format!("{path} differs")),
        }
    }
    walk(String::new(), expected, actual).unwrap_or_else(|| "(no difference found)".into())
}
