//! Conformance: every `x-oaiMeta.example` of every event of every surface in
//! the pinned spec decodes into its own variant (not `Unknown`) and encodes
//! back to an equal JSON value, through both `from_str` and `from_value`,
//! and through the union's borrowed view (`ServerEventRef`, ...).

mod common;
#[path = "../../realtime-types/tests/conformance/round_trip.rs"]
mod conformance;

use common::{pinned_examples, workspace_root};
use conformance::{round_trip, view_round_trip};
use realtime_codegen::examples::{EventExample, KnownDefects};
use realtime_types::{beta, ga, translation};

/// Which generated union (and borrowed view) an example belongs to.
fn check(example: &EventExample) -> Result<(), String> {
    let (event_type, value) = (example.event_type.as_str(), &example.value);
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let text = text.as_str();
    match (example.surface.as_str(), example.union.as_str()) {
        ("ga", "ClientEvent") => round_trip::<ga::ClientEvent>(event_type, value)
            .and_then(|()| view_round_trip::<ga::ClientEventRef>(event_type, value, text)),
        ("ga", "ServerEvent") => round_trip::<ga::ServerEvent>(event_type, value)
            .and_then(|()| view_round_trip::<ga::ServerEventRef>(event_type, value, text)),
        ("beta", "ClientEvent") => round_trip::<beta::ClientEvent>(event_type, value)
            .and_then(|()| view_round_trip::<beta::ClientEventRef>(event_type, value, text)),
        ("beta", "ServerEvent") => round_trip::<beta::ServerEvent>(event_type, value)
            .and_then(|()| view_round_trip::<beta::ServerEventRef>(event_type, value, text)),
        ("translation", "ClientEvent") => round_trip::<translation::ClientEvent>(event_type, value)
            .and_then(|()| view_round_trip::<translation::ClientEventRef>(event_type, value, text)),
        ("translation", "ServerEvent") => round_trip::<translation::ServerEvent>(event_type, value)
            .and_then(|()| view_round_trip::<translation::ServerEventRef>(event_type, value, text)),
        (surface, union) => Err(format!(
            "no Rust type for {surface}::{union}: add it to this test"
        )),
    }
}

/// Examples that are wrong upstream are listed (with the evidence) in
/// `tests/conformance/known_defects.json`, by schema and defect: a failing
/// example is excused only when it shows a listed defect.
#[test]
fn every_event_example_round_trips_through_its_own_variant() {
    let (examples, _) = pinned_examples();
    let known = KnownDefects::read(&workspace_root()).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for example in &examples {
        if let Err(reason) = check(example)
            && known.find(&example.schema, &example.value).is_none()
        {
            failures.push(format!(
                "{}::{} {} ({}): {reason}",
                example.surface, example.union, example.schema, example.event_type
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples fail (a wrong example upstream goes into {} with its evidence):\n{}",
        failures.len(),
        examples.len(),
        KnownDefects::PATH,
        failures.join("\n")
    );
}

#[test]
fn every_event_of_every_surface_has_an_example() {
    let (examples, without) = pinned_examples();
    assert!(without.is_empty(), "events without an example: {without:?}");
    let expected = ga::ClientEvent::EVENT_TYPES.len()
        + ga::ServerEvent::EVENT_TYPES.len()
        + beta::ClientEvent::EVENT_TYPES.len()
        + beta::ServerEvent::EVENT_TYPES.len()
        + translation::ClientEvent::EVENT_TYPES.len()
        + translation::ServerEvent::EVENT_TYPES.len();
    let mut schemas: Vec<(&str, &str, &str)> = examples
        .iter()
        .map(|e| (e.surface.as_str(), e.union.as_str(), e.schema.as_str()))
        .collect();
    schemas.dedup();
    assert_eq!(schemas.len(), expected, "one example set per event");
}

#[test]
fn surfaces_have_the_event_counts_of_the_pin() {
    assert_eq!(ga::ClientEvent::EVENT_TYPES.len(), 11);
    assert_eq!(ga::ServerEvent::EVENT_TYPES.len(), 46);
    assert_eq!(beta::ClientEvent::EVENT_TYPES.len(), 12);
    // 41 in the spec, and `conversation.created` and the three
    // `output_audio_buffer.*` events added by spec/corrections.yaml.
    assert_eq!(beta::ServerEvent::EVENT_TYPES.len(), 45);
    assert_eq!(translation::ClientEvent::EVENT_TYPES.len(), 3);
    assert_eq!(translation::ServerEvent::EVENT_TYPES.len(), 7);
}
