//! The corrections of `spec/corrections*.yaml` are backed by evidence that
//! still holds: every `history` entry in its spec version of
//! `../shared/spec/history/`, every `wire` entry in its line of
//! `../shared/wire/` (the `pinned` ones are checked by every generation).

use std::path::{Path, PathBuf};

use realtime_codegen::Corrections;
use realtime_codegen::corrections::check_outside_evidence;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen is inside the workspace")
        .to_path_buf()
}

#[test]
fn the_evidence_of_every_correction_holds_in_the_history_and_the_wire() {
    let root = workspace_root();
    let shared = root.join("../shared");
    assert!(
        shared.join("spec/history").is_dir() && shared.join("wire").is_dir(),
        "this test needs ../shared (spec/history and wire) beside the repository"
    );
    let corrections = Corrections::read(&root).unwrap_or_else(|e| panic!("{e}"));
    let failures = check_outside_evidence(
        &corrections,
        &shared.join("spec/history"),
        &shared.join("wire"),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn evidence_that_no_longer_holds_is_reported() {
    let root = workspace_root();
    let shared = root.join("../shared");
    let overlay = realtime_codegen::corrections::Overlay::parse(
        "overlay: 1.1.0
info: {title: t, version: '1'}
actions:
  - target: $.a
    description: d
    remove: true
    x-evidence:
      - history: openapi-2025-04-29.yaml
        pointer: /components/schemas/RealtimeServerEventResponseAudioDelta/properties/type/enum/0
        value: response.output_audio.delta
      - wire: beta-server-2025-01.jsonl
        line: 12
        pointer: /type
        value: response.output_audio_transcript.delta
      - wire: beta-server-2025-01.jsonl
        line: 100000
        pointer: /type
",
        "test.yaml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let corrections = Corrections {
        overlays: vec![overlay],
    };
    let failures = check_outside_evidence(
        &corrections,
        &shared.join("spec/history"),
        &shared.join("wire"),
    );
    assert_eq!(failures.len(), 3, "{failures:#?}");
    assert!(
        failures[0].contains("openapi-2025-04-29.yaml"),
        "{}",
        failures[0]
    );
    assert!(
        failures[1].contains("beta-server-2025-01.jsonl:12"),
        "{}",
        failures[1]
    );
    assert!(failures[2].contains("no line 100000"), "{}", failures[2]);
}
