//! The JSON Schema of the types tells the truth too: the schema of every
//! event union (`realtime_types::json_schema`) accepts every example of the
//! pinned spec and every line of `../shared/wire/`, as the types decode
//! them, and it is no vacuous schema: what the types refuse, it refuses.

mod common;

use std::path::PathBuf;

use common::{pinned_examples, workspace_root};
use realtime_types::{beta, ga, json_schema, translation};
use serde_json::{Value, json};

/// The validator of the union `surface`/`union` (`ga`/`ServerEvent`, ...).
fn validator(surface: &str, union: &str) -> jsonschema::Validator {
    let schema = match (surface, union) {
        ("ga", "ClientEvent") => json_schema::<ga::ClientEvent>(),
        ("ga", "ServerEvent") => json_schema::<ga::ServerEvent>(),
        ("beta", "ClientEvent") => json_schema::<beta::ClientEvent>(),
        ("beta", "ServerEvent") => json_schema::<beta::ServerEvent>(),
        ("translation", "ClientEvent") => json_schema::<translation::ClientEvent>(),
        ("translation", "ServerEvent") => json_schema::<translation::ServerEvent>(),
        _ => panic!("no union {surface}::{union}: add it to this test"),
    };
    jsonschema::draft202012::new(schema.as_value())
        .unwrap_or_else(|e| panic!("the schema of {surface}::{union} does not compile: {e}"))
}

/// Why `value` is not valid, in short (the first errors, by place).
fn why(validator: &jsonschema::Validator, value: &Value) -> Option<String> {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .take(3)
        .map(|e| {
            format!(
                "at {}: `{}` (schema {})",
                e.instance_path(),
                e.kind().keyword(),
                e.schema_path()
            )
        })
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}

#[test]
fn every_spec_example_is_valid_against_its_union_schema() {
    let (examples, _) = pinned_examples();
    let mut validators = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    for example in &examples {
        let validator = validators
            .entry((example.surface.clone(), example.union.clone()))
            .or_insert_with(|| validator(&example.surface, &example.union));
        if let Some(reason) = why(validator, &example.value) {
            failures.push(format!(
                "{}::{} {}: {reason}",
                example.surface, example.union, example.schema
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples are invalid:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

fn wire_files() -> Vec<PathBuf> {
    let dir = workspace_root().join("../shared/wire");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {} ({e}): ../shared is needed", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_wire_line_is_valid_against_its_union_schema() {
    let mut failures = Vec::new();
    let mut lines = 0;
    for path in wire_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut parts = name.splitn(3, '-');
        let surface = parts.next().unwrap_or_default().to_string();
        let union = match parts.next() {
            Some("server") => "ServerEvent",
            Some("client") => "ClientEvent",
            other => {
                panic!("{name}: name wire files <surface>-<server|client>-*.jsonl, not {other:?}")
            }
        };
        let validator = validator(&surface, union);
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            lines += 1;
            let value: Value = serde_json::from_str(line).unwrap();
            if let Some(reason) = why(&validator, &value) {
                failures.push(format!("{name}:{}: {reason}", number + 1));
            }
        }
    }
    assert!(lines > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn audio_delta() -> Value {
    json!({"type": "response.output_audio.delta", "event_id": "e", "response_id": "r",
           "item_id": "i", "output_index": 0, "content_index": 0, "delta": "AAAA"})
}

/// The schema and the decoder agree on `value`.
fn agree(validator: &jsonschema::Validator, value: &Value) -> bool {
    let decodes = serde_json::from_value::<ga::ServerEvent>(value.clone()).is_ok();
    decodes == validator.is_valid(value)
}

#[test]
fn what_the_types_refuse_the_schema_refuses() {
    let validator = validator("ga", "ServerEvent");
    let mut missing = audio_delta();
    missing.as_object_mut().unwrap().remove("delta");
    let mut mistyped = audio_delta();
    mistyped["output_index"] = json!("zero");
    let mut no_type = audio_delta();
    no_type.as_object_mut().unwrap().remove("type");
    for refused in [missing, mistyped, no_type, json!({"type": 7}), json!([1])] {
        assert!(!validator.is_valid(&refused), "{refused}");
        assert!(agree(&validator, &refused), "{refused}");
    }
}

#[test]
fn what_the_types_keep_the_schema_accepts() {
    let validator = validator("ga", "ServerEvent");
    let mut extra = audio_delta();
    extra["a_property_from_the_future"] = json!({"x": [1]});
    let unknown_event = json!({"type": "response.hologram.delta", "frames": [1, 2]});
    let done_with_nulls = json!({"type": "response.done", "event_id": "e",
        "response": {"object": "realtime.response", "id": "r", "status_details": null,
                     "usage": null, "metadata": null, "status": "a_status_from_the_future"}});
    for kept in [audio_delta(), extra, unknown_event, done_with_nulls] {
        assert!(
            validator.is_valid(&kept),
            "{kept}: {}",
            why(&validator, &kept).unwrap_or_default()
        );
        assert!(agree(&validator, &kept), "{kept}");
    }
}

#[test]
fn the_schema_carries_the_spec_descriptions() {
    let schema = json_schema::<ga::ServerEvent>();
    let delta = schema
        .pointer("/$defs/RealtimeServerEventResponseAudioDelta")
        .expect("the audio delta is defined");
    assert!(
        delta["description"].as_str().is_some_and(|d| !d.is_empty()),
        "{delta}"
    );
    assert_eq!(
        delta
            .pointer("/properties/delta/description")
            .and_then(Value::as_str),
        Some("Base64-encoded audio data delta.")
    );
}

#[test]
fn the_beta_schema_has_the_corrected_event_names() {
    let validator = validator("beta", "ServerEvent");
    let mut delta = audio_delta();
    delta["type"] = json!("response.audio.delta");
    assert!(validator.is_valid(&delta));
    delta.as_object_mut().unwrap().remove("delta");
    assert!(
        !validator.is_valid(&delta),
        "a beta audio delta needs its delta"
    );
}

#[test]
fn the_specs_numeric_bounds_are_annotations_the_decoder_does_not_enforce() {
    let schema = json_schema::<ga::ClientEvent>().to_value();
    let text = schema.to_string();
    let bounds = format!(
        r#""{}":{{"minimum":0.25,"maximum":1.5}}"#,
        realtime_types::support::schema::SPEC_BOUNDS
    );
    assert!(
        text.contains(&bounds),
        "the schema does not carry speed's bounds {bounds}"
    );
    // A speed the spec does not allow still decodes, so the schema accepts it.
    let fast = json!({"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"speed": 9.0}}}});
    assert!(matches!(
        ga::ClientEvent::from_frame(&fast.to_string()),
        Ok(ga::ClientEvent::SessionUpdate(_))
    ));
    assert_eq!(why(&validator("ga", "ClientEvent"), &fast), None);
}
