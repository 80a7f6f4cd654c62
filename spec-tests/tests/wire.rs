//! Real traffic is the final judge: every line of `../shared/wire/*.jsonl`
//! (the shapes of events live servers sent) decodes on its surface into its
//! own known variant, through `from_frame`, `serde_json::from_str` and the
//! borrowed view, and encodes back to an equal JSON value.
//!
//! A file is named `<surface>-<server|client>-<what>.jsonl`.

mod common;
#[path = "../../realtime-types/tests/conformance/round_trip.rs"]
mod conformance;

use std::path::PathBuf;

use common::workspace_root;
use conformance::{round_trip, view_round_trip};
use realtime_types::{beta, ga, translation};
use serde_json::Value;

/// The wire files, sorted.
fn wire_files() -> Vec<PathBuf> {
    let dir = workspace_root().join("../shared/wire");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "cannot list {} ({e}): the wire shapes come with ../shared beside the repository",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no .jsonl file", dir.display());
    files
}

/// Checks one line with the union its file names.
fn check(surface: &str, direction: &str, value: &Value) -> Result<(), String> {
    let event_type = value
        .get("type")
        .and_then(Value::as_str)
        .ok_or("the line has no string `type`")?;
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let text = text.as_str();
    match (surface, direction) {
        ("ga", "server") => round_trip::<ga::ServerEvent>(event_type, value)
            .and_then(|()| view_round_trip::<ga::ServerEventRef>(event_type, value, text)),
        ("ga", "client") => round_trip::<ga::ClientEvent>(event_type, value)
            .and_then(|()| view_round_trip::<ga::ClientEventRef>(event_type, value, text)),
        ("beta", "server") => round_trip::<beta::ServerEvent>(event_type, value)
            .and_then(|()| view_round_trip::<beta::ServerEventRef>(event_type, value, text)),
        ("beta", "client") => round_trip::<beta::ClientEvent>(event_type, value)
            .and_then(|()| view_round_trip::<beta::ClientEventRef>(event_type, value, text)),
        ("translation", "server") => round_trip::<translation::ServerEvent>(event_type, value)
            .and_then(|()| view_round_trip::<translation::ServerEventRef>(event_type, value, text)),
        ("translation", "client") => round_trip::<translation::ClientEvent>(event_type, value)
            .and_then(|()| view_round_trip::<translation::ClientEventRef>(event_type, value, text)),
        _ => Err(format!(
            "no union for `{surface}-{direction}`: name wire files <ga|beta|translation>-<server|client>-<what>.jsonl"
        )),
    }
}

#[test]
fn every_wire_line_decodes_to_its_own_known_variant_and_back() {
    let mut failures = Vec::new();
    let mut lines = 0;
    for path in wire_files() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut parts = name.splitn(3, '-');
        let (surface, direction) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            lines += 1;
            let result = serde_json::from_str::<Value>(line)
                .map_err(|e| format!("not JSON: {e}"))
                .and_then(|value| check(surface, direction, &value));
            if let Err(reason) = result {
                failures.push(format!("{name}:{}: {reason}", number + 1));
            }
        }
    }
    assert!(lines > 0, "the wire files hold no event");
    assert!(
        failures.is_empty(),
        "{} of {lines} wire lines fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
