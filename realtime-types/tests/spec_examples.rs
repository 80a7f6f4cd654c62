//! Conformance: every `x-oaiMeta.example` of every event of every surface in
//! the pinned spec decodes into its own variant (not `Unknown`) and encodes
//! back to an equal JSON value, through both `from_str` and `from_value`.

mod common;

use common::{EventExample, event_examples, pinned_spec_text};
use realtime_types::{Event, beta, ga, translation};
use serde_json::Value;

/// Decodes an example into the union `E`, checks the variant and the round trip.
fn round_trip<E: Event>(example: &EventExample) -> Result<(), String> {
    let text = serde_json::to_string(&example.value).map_err(|e| e.to_string())?;
    let from_text: E =
        serde_json::from_str(&text).map_err(|e| format!("decoding the text: {e}"))?;
    let from_value: E = serde_json::from_value(example.value.clone())
        .map_err(|e| format!("decoding the value: {e}"))?;
    for event in [&from_text, &from_value] {
        if event.is_unknown() {
            return Err(format!(
                "decoded as Unknown (type {:?})",
                event.event_type()
            ));
        }
        if event.event_type() != example.declared_type {
            return Err(format!(
                "decoded as `{}`, the schema declares `{}`",
                event.event_type(),
                example.declared_type
            ));
        }
        let encoded = serde_json::to_value(event).map_err(|e| e.to_string())?;
        if encoded != example.value {
            return Err(format!(
                "re-encoded value differs: {}",
                first_difference(&example.value, &encoded)
            ));
        }
    }
    Ok(())
}

/// Which generated union an example belongs to.
fn check(example: &EventExample) -> Result<(), String> {
    match (example.surface, example.union) {
        ("ga", "ClientEvent") => round_trip::<ga::ClientEvent>(example),
        ("ga", "ServerEvent") => round_trip::<ga::ServerEvent>(example),
        ("beta", "ClientEvent") => round_trip::<beta::ClientEvent>(example),
        ("beta", "ServerEvent") => round_trip::<beta::ServerEvent>(example),
        ("translation", "ClientEvent") => round_trip::<translation::ClientEvent>(example),
        ("translation", "ServerEvent") => round_trip::<translation::ServerEvent>(example),
        (surface, union) => Err(format!(
            "no Rust type for {surface}::{union}: add it to this test"
        )),
    }
}

/// A JSON pointer to the first place two values differ, with both sides' kinds.
fn first_difference(expected: &Value, actual: &Value) -> String {
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

/// An upstream defect in an example, and how to tell it is still there.
struct KnownDefect {
    schema: &'static str,
    defect: &'static str,
    still_there: fn(&Value) -> bool,
}

/// Examples that are wrong upstream (at the pinned commit). Each entry must
/// still be wrong, so the list stays true when the pin moves.
const KNOWN_DEFECTS: &[KnownDefect] = &[
    KnownDefect {
        schema: "RealtimeServerEventInputAudioBufferDtmfEventReceived",
        defect: "the example's `type` starts with a space (\" input_audio_buffer.dtmf_event_received\")",
        still_there: |value| value["type"] == " input_audio_buffer.dtmf_event_received",
    },
    KnownDefect {
        schema: "RealtimeBetaServerEventConversationItemRetrieved",
        defect: "the example of `conversation.item.retrieved` is a `conversation.item.created` event",
        still_there: |value| value["type"] == "conversation.item.created",
    },
];

#[test]
fn every_event_example_round_trips_through_its_own_variant() {
    let (examples, _) = event_examples(&pinned_spec_text());
    let mut failures = Vec::new();
    let mut defects_seen = Vec::new();
    for example in &examples {
        let result = check(example);
        match KNOWN_DEFECTS.iter().find(|d| d.schema == example.schema) {
            Some(known) => {
                assert!(
                    (known.still_there)(&example.value),
                    "{} is listed as defective ({}) but the defect is gone: remove it from KNOWN_DEFECTS",
                    known.schema,
                    known.defect
                );
                assert!(
                    result.is_err(),
                    "{} is listed as defective but round-trips: remove it from KNOWN_DEFECTS",
                    known.schema
                );
                defects_seen.push(known.schema);
            }
            None => {
                if let Err(reason) = result {
                    failures.push(format!(
                        "{}::{} {} ({}): {reason}",
                        example.surface, example.union, example.schema, example.declared_type
                    ));
                }
            }
        }
    }
    for known in KNOWN_DEFECTS {
        assert!(
            defects_seen.contains(&known.schema),
            "{} is listed as defective but has no example any more",
            known.schema
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples fail:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

#[test]
fn every_event_of_every_surface_has_an_example() {
    let (examples, without) = event_examples(&pinned_spec_text());
    assert!(without.is_empty(), "events without an example: {without:?}");
    let expected = ga::ClientEvent::EVENT_TYPES.len()
        + ga::ServerEvent::EVENT_TYPES.len()
        + beta::ClientEvent::EVENT_TYPES.len()
        + beta::ServerEvent::EVENT_TYPES.len()
        + translation::ClientEvent::EVENT_TYPES.len()
        + translation::ServerEvent::EVENT_TYPES.len();
    let mut schemas: Vec<(&str, &str, &str)> = examples
        .iter()
        .map(|e| (e.surface, e.union, e.schema.as_str()))
        .collect();
    schemas.dedup();
    assert_eq!(schemas.len(), expected, "one example set per event");
}

#[test]
fn surfaces_have_the_event_counts_of_the_pin() {
    assert_eq!(ga::ClientEvent::EVENT_TYPES.len(), 11);
    assert_eq!(ga::ServerEvent::EVENT_TYPES.len(), 46);
    assert_eq!(beta::ClientEvent::EVENT_TYPES.len(), 12);
    assert_eq!(beta::ServerEvent::EVENT_TYPES.len(), 41);
    assert_eq!(translation::ClientEvent::EVENT_TYPES.len(), 3);
    assert_eq!(translation::ServerEvent::EVENT_TYPES.len(), 7);
}
