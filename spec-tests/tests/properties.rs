//! Properties of every decode path, on frames generated from real ones: the
//! examples of the pinned spec and the lines of `../shared/wire/`, mutated
//! (a property removed, replaced by a value of another kind, added; the
//! `type` changed; a key repeated; keys reordered; strings escaped;
//! whitespace added).
//!
//! For every frame:
//! - `from_frame` agrees with `serde_json::from_str` (the same event, the
//!   same failure, or a known event kept whole as `Malformed`), and what it
//!   decodes encodes back to an equal value (nothing is lost);
//! - the borrowed view agrees with the owned union;
//! - the union's JSON Schema accepts the frame exactly when the union
//!   decodes it.

mod common;
#[path = "../../realtime-types/tests/conformance/round_trip.rs"]
mod conformance;

use std::fmt::Write as _;
use std::sync::OnceLock;

use conformance::from_frame_agrees;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use realtime_types::{Event, EventRef, beta, ga, translation};
use serde_json::{Value, json};

/// A frame to start from: an example or a wire line, and its union.
#[derive(Debug, Clone)]
struct Seed {
    surface: String,
    union: String,
    value: Value,
}

fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let (examples, _) = common::pinned_examples();
        let mut seeds: Vec<Seed> = examples
            .into_iter()
            .map(|e| Seed {
                surface: e.surface,
                union: e.union,
                value: e.value,
            })
            .collect();
        let wire = common::workspace_root().join("../shared/wire");
        let entries = std::fs::read_dir(&wire).unwrap_or_else(|e| {
            panic!("cannot list {} ({e}): ../shared is needed", wire.display())
        });
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".jsonl") {
                continue;
            }
            let mut parts = name.splitn(3, '-');
            let surface = parts.next().unwrap_or_default().to_string();
            let union = match parts.next() {
                Some("client") => "ClientEvent",
                _ => "ServerEvent",
            };
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                seeds.push(Seed {
                    surface: surface.clone(),
                    union: union.into(),
                    value: serde_json::from_str(line).expect("wire lines are JSON"),
                });
            }
        }
        assert!(seeds.len() > 100, "too few seeds: {}", seeds.len());
        seeds
    })
}

/// One mutation, with the random numbers that pick where and what.
#[derive(Debug, Clone, Copy)]
struct Op {
    kind: u8,
    at: u64,
    what: u64,
}

/// How the frame's text is written.
#[derive(Debug, Clone, Default)]
struct Writing {
    /// Repeat this key of the object at this pointer.
    repeat: Option<(String, String)>,
    /// Spell string characters as `\u` escapes.
    escape: bool,
    /// Whitespace around every token.
    spaced: bool,
    /// Write every object's keys in reverse order.
    reversed: bool,
}

/// Every object in `value` (JSON pointers) and every property (pointer, key).
fn places(value: &Value) -> (Vec<String>, Vec<(String, String)>) {
    fn walk(
        value: &Value,
        at: String,
        objects: &mut Vec<String>,
        keys: &mut Vec<(String, String)>,
    ) {
        match value {
            Value::Object(map) => {
                objects.push(at.clone());
                for (key, child) in map {
                    keys.push((at.clone(), key.clone()));
                    walk(
                        child,
                        format!("{at}/{}", escape_pointer(key)),
                        objects,
                        keys,
                    );
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{at}/{i}"), objects, keys);
                }
            }
            _ => {}
        }
    }
    let (mut objects, mut keys) = (Vec::new(), Vec::new());
    walk(value, String::new(), &mut objects, &mut keys);
    (objects, keys)
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON number, with all its digits.
fn number(text: &str) -> Value {
    serde_json::from_str(text).expect("a JSON number")
}

/// A value of some kind, to put where another was.
fn some_value(what: u64, event_types: &[&str]) -> Value {
    match what % 14 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-7),
        3 => number("123456789012345678901234567890"),
        4 => number("0.1000000000000000055511151231257827"),
        5 => number("5e90"),
        6 => json!(""),
        7 => json!("a \"quoted\" / \\ string é 🎧"),
        8 => json!([]),
        9 => json!([1, "two", {"three": 3}]),
        10 => json!({}),
        11 => json!({"nested": {"type": "error", "k": [null]}}),
        12 => json!(event_types[(what / 14) as usize % event_types.len()]),
        _ => json!("AAAA"),
    }
}

/// Applies `ops` to `seed` and writes the frame.
fn mutate(seed: &Value, ops: &[Op], event_types: &[&str]) -> String {
    let mut value = seed.clone();
    let mut writing = Writing::default();
    for op in ops {
        let (objects, keys) = places(&value);
        match op.kind % 10 {
            // Remove a property.
            0 if !keys.is_empty() => {
                let (at, key) = &keys[op.at as usize % keys.len()];
                if let Some(Value::Object(map)) = value.pointer_mut(at) {
                    map.shift_remove(key);
                }
            }
            // Put a value of another kind in a property's place.
            1 if !keys.is_empty() => {
                let (at, key) = &keys[op.at as usize % keys.len()];
                if let Some(Value::Object(map)) = value.pointer_mut(at) {
                    map.insert(key.clone(), some_value(op.what, event_types));
                }
            }
            // Add a property the spec does not have.
            2 if !objects.is_empty() => {
                let at = &objects[op.at as usize % objects.len()];
                if let Some(Value::Object(map)) = value.pointer_mut(at) {
                    map.insert(
                        format!("x_{}", op.what % 5),
                        some_value(op.what / 5, event_types),
                    );
                }
            }
            // Another known `type`, or one nobody knows.
            3 => {
                let event_type = if op.what % 3 == 0 {
                    format!("x.unknown_{}", op.what % 7)
                } else {
                    event_types[op.what as usize % event_types.len()].to_string()
                };
                value["type"] = json!(event_type);
            }
            4 if !keys.is_empty() => {
                writing.repeat = Some(keys[op.at as usize % keys.len()].clone())
            }
            5 => writing.escape = true,
            6 => writing.spaced = true,
            7 => writing.reversed = true,
            // Remove a whole nested value (an item, a session) but keep its key.
            8 if !keys.is_empty() => {
                let (at, key) = &keys[op.at as usize % keys.len()];
                if let Some(Value::Object(map)) = value.pointer_mut(at) {
                    map.insert(key.clone(), json!({}));
                }
            }
            _ => {}
        }
    }
    let mut text = String::new();
    write_value(&value, "", &writing, &mut text);
    text
}

/// Writes JSON text, the way `writing` says.
fn write_value(value: &Value, at: &str, writing: &Writing, out: &mut String) {
    let space = if writing.spaced { " \n\t" } else { "" };
    match value {
        Value::Object(map) => {
            out.push('{');
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if writing.reversed {
                entries.reverse();
            }
            let mut first = true;
            for (key, child) in entries {
                let times = match &writing.repeat {
                    Some((object, repeated)) if object == at && repeated == key => 2,
                    _ => 1,
                };
                for _ in 0..times {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(space);
                    write_string(key, writing.escape, out);
                    out.push_str(space);
                    out.push(':');
                    out.push_str(space);
                    write_value(
                        child,
                        &format!("{at}/{}", escape_pointer(key)),
                        writing,
                        out,
                    );
                    out.push_str(space);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(space);
                write_value(item, &format!("{at}/{i}"), writing, out);
            }
            out.push(']');
        }
        Value::String(text) => write_string(text, writing.escape, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(text: &str, escape: bool, out: &mut String) {
    if !escape {
        out.push_str(&Value::String(text.to_string()).to_string());
        return;
    }
    out.push('"');
    for unit in text.encode_utf16() {
        let _ = write!(out, "\\u{unit:04x}");
    }
    out.push('"');
}

/// The borrowed view agrees with the owned union on `text`.
fn view_agrees<'a, R: EventRef<'a>>(text: &'a str) -> Result<(), String>
where
    R::Owned: PartialEq,
{
    let owned = R::Owned::from_frame(text);
    match (R::from_frame(text), owned) {
        (Ok(view), Ok(owned)) => {
            let encoded = serde_json::to_value(&view).map_err(|e| e.to_string())?;
            let expected = serde_json::to_value(&owned).map_err(|e| e.to_string())?;
            if encoded != expected {
                return Err("the view encodes differently".into());
            }
            if view.into_owned() != owned {
                return Err("the view's owned event differs".into());
            }
            Ok(())
        }
        (Err(_), Err(_)) => Ok(()),
        (view, owned) => Err(format!(
            "the view gave {}, the union {}",
            if view.is_ok() { "Ok" } else { "Err" },
            if owned.is_ok() { "Ok" } else { "Err" },
        )),
    }
}

/// Every property, on the union the seed belongs to.
fn check(seed: &Seed, text: &str) -> Result<(), String> {
    match (seed.surface.as_str(), seed.union.as_str()) {
        ("ga", "ServerEvent") => from_frame_agrees::<ga::ServerEvent>(text)
            .and_then(|()| view_agrees::<ga::ServerEventRef>(text)),
        ("ga", "ClientEvent") => from_frame_agrees::<ga::ClientEvent>(text)
            .and_then(|()| view_agrees::<ga::ClientEventRef>(text)),
        ("beta", "ServerEvent") => from_frame_agrees::<beta::ServerEvent>(text)
            .and_then(|()| view_agrees::<beta::ServerEventRef>(text)),
        ("beta", "ClientEvent") => from_frame_agrees::<beta::ClientEvent>(text)
            .and_then(|()| view_agrees::<beta::ClientEventRef>(text)),
        ("translation", "ServerEvent") => from_frame_agrees::<translation::ServerEvent>(text)
            .and_then(|()| view_agrees::<translation::ServerEventRef>(text)),
        ("translation", "ClientEvent") => from_frame_agrees::<translation::ClientEvent>(text)
            .and_then(|()| view_agrees::<translation::ClientEventRef>(text)),
        (surface, union) => Err(format!("no union {surface}::{union}: add it to this test")),
    }
}

fn event_types(seed: &Seed) -> &'static [&'static str] {
    match (seed.surface.as_str(), seed.union.as_str()) {
        ("ga", "ServerEvent") => ga::ServerEvent::EVENT_TYPES,
        ("ga", "ClientEvent") => ga::ClientEvent::EVENT_TYPES,
        ("beta", "ServerEvent") => beta::ServerEvent::EVENT_TYPES,
        ("beta", "ClientEvent") => beta::ClientEvent::EVENT_TYPES,
        ("translation", "ServerEvent") => translation::ServerEvent::EVENT_TYPES,
        _ => translation::ClientEvent::EVENT_TYPES,
    }
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        (any::<u8>(), any::<u64>(), any::<u64>()).prop_map(|(kind, at, what)| Op {
            kind,
            at,
            what,
        }),
        0..5,
    )
}

/// The seed CI runs with (`PROPTEST_RNG_SEED=<n>` runs another).
const SEED: u64 = 0x5EED_2026_1201;

/// The runner: a fixed number of cases (seconds) from a fixed seed, so
/// that CI runs the same frames every time and a failure is reproduced by
/// running the test again (the message holds the frame). Another seed
/// explores other frames: `PROPTEST_RNG_SEED=7 cargo test -p realtime-spec-tests
/// --test properties` (two bugs were found that way).
fn runner(cases: u32) -> TestRunner {
    let mut config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    TestRunner::new(config)
}

#[test]
fn every_decode_path_agrees_and_loses_nothing_on_mutated_frames() {
    let seeds = seeds();
    let strategy = (0..seeds.len(), ops());
    let result = runner(20000).run(&strategy, |(index, ops)| {
        let seed = &seeds[index];
        let text = mutate(&seed.value, &ops, event_types(seed));
        check(seed, &text).map_err(|reason| {
            TestCaseError::fail(format!(
                "{}::{} frame {text}: {reason}",
                seed.surface, seed.union
            ))
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn every_seed_unmutated_holds_the_properties() {
    for seed in seeds() {
        let text = seed.value.to_string();
        if let Err(reason) = check(seed, &text) {
            panic!("{}::{} {text}: {reason}", seed.surface, seed.union);
        }
    }
}

#[test]
fn the_mutations_reach_every_outcome() {
    // A property run that never makes a malformed, an unknown or a refused
    // frame would prove little: the generator must reach all of them.
    let seeds = seeds();
    let (mut known, mut unknown, mut malformed, mut refused) = (0, 0, 0, 0);
    let mut runner = runner(2000);
    let strategy = (0..seeds.len(), ops());
    for _ in 0..2000 {
        let (index, ops) = strategy.new_tree(&mut runner).expect("a case").current();
        let seed = &seeds[index];
        if seed.surface != "ga" || seed.union != "ServerEvent" {
            continue;
        }
        let text = mutate(&seed.value, &ops, event_types(seed));
        match ga::ServerEvent::from_frame(&text) {
            Ok(event) if event.is_malformed() => malformed += 1,
            Ok(event) if event.is_unknown() => unknown += 1,
            Ok(_) => known += 1,
            Err(_) => refused += 1,
        }
    }
    for (outcome, count) in [
        ("known", known),
        ("unknown", unknown),
        ("malformed", malformed),
        ("refused", refused),
    ] {
        assert!(count > 10, "only {count} {outcome} frames");
    }
}

/// The compiled JSON Schema of every union, by (surface, union).
fn validators() -> &'static std::collections::BTreeMap<(String, String), jsonschema::Validator> {
    static VALIDATORS: OnceLock<
        std::collections::BTreeMap<(String, String), jsonschema::Validator>,
    > = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let schemas = [
            (
                "ga",
                "ClientEvent",
                realtime_types::json_schema::<ga::ClientEvent>(),
            ),
            (
                "ga",
                "ServerEvent",
                realtime_types::json_schema::<ga::ServerEvent>(),
            ),
            (
                "beta",
                "ClientEvent",
                realtime_types::json_schema::<beta::ClientEvent>(),
            ),
            (
                "beta",
                "ServerEvent",
                realtime_types::json_schema::<beta::ServerEvent>(),
            ),
            (
                "translation",
                "ClientEvent",
                realtime_types::json_schema::<translation::ClientEvent>(),
            ),
            (
                "translation",
                "ServerEvent",
                realtime_types::json_schema::<translation::ServerEvent>(),
            ),
        ];
        schemas
            .into_iter()
            .map(|(surface, union, schema)| {
                let validator = jsonschema::draft202012::new(schema.as_value())
                    .unwrap_or_else(|e| panic!("the schema of {surface}::{union}: {e}"));
                ((surface.to_string(), union.to_string()), validator)
            })
            .collect()
    })
}

/// Whether `serde_json` decodes `value` into the seed's union.
fn decodes(seed: &Seed, value: &Value) -> bool {
    let value = value.clone();
    match (seed.surface.as_str(), seed.union.as_str()) {
        ("ga", "ServerEvent") => serde_json::from_value::<ga::ServerEvent>(value).is_ok(),
        ("ga", "ClientEvent") => serde_json::from_value::<ga::ClientEvent>(value).is_ok(),
        ("beta", "ServerEvent") => serde_json::from_value::<beta::ServerEvent>(value).is_ok(),
        ("beta", "ClientEvent") => serde_json::from_value::<beta::ClientEvent>(value).is_ok(),
        ("translation", "ServerEvent") => {
            serde_json::from_value::<translation::ServerEvent>(value).is_ok()
        }
        _ => serde_json::from_value::<translation::ClientEvent>(value).is_ok(),
    }
}

#[test]
fn the_json_schema_accepts_exactly_what_the_union_decodes() {
    let seeds = seeds();
    let validators = validators();
    let strategy = (0..seeds.len(), ops());
    let result = runner(10000).run(&strategy, |(index, ops)| {
        let seed = &seeds[index];
        let text = mutate(&seed.value, &ops, event_types(seed));
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            return Ok(());
        };
        let validator = &validators[&(seed.surface.clone(), seed.union.clone())];
        let valid = validator.is_valid(&value);
        if valid != decodes(seed, &value) {
            return Err(TestCaseError::fail(format!(
                "{}::{} {text}: the schema {} it, the union {} it",
                seed.surface,
                seed.union,
                if valid { "accepts" } else { "refuses" },
                if valid { "refuses" } else { "decodes" },
            )));
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
