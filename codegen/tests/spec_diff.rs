//! The change report between spec versions (`realtime_codegen::diff`, what
//! `cargo xtask spec diff` prints), on the real history: against a
//! hand-verified fixture (see `tests/fixtures/spec-diff/README.md`), on the
//! beta-only to GA jump, and for a version against itself.

use std::path::{Path, PathBuf};

use realtime_codegen::diff::{self, Bump, ChangeKind, Impact, Report, Side};
use realtime_codegen::ir::TypeSpace;
use realtime_codegen::{Options, load, pinned};

/// The crate version the fixtures' bumps start from (not the crate's own,
/// which moves on).
const VERSION: &str = "0.1.0";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen is inside the workspace")
        .to_path_buf()
}

/// The model of a spec of `../shared/spec/history` (not pinned: the
/// corrections that do not fit it are skipped, as `spec diff` does).
fn history(file: &str) -> TypeSpace {
    let path = workspace_root().join("../shared/spec/history").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "this test needs the spec history: cannot read {} ({e}); put ../shared/spec beside the repository",
            path.display()
        )
    });
    let document = load::parse_yaml(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let options = Options::of_workspace(&workspace_root(), false).unwrap_or_else(|e| panic!("{e}"));
    realtime_codegen::model(document, &options)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .space
}

/// The model of the pinned spec, as generated (strict).
fn pin() -> TypeSpace {
    pinned::load_pinned(&workspace_root())
        .unwrap_or_else(|e| panic!("the pinned OpenAPI spec is needed for this test: {e}"))
        .model
        .space
}

fn compare(old: (&str, &TypeSpace), new: (&str, &TypeSpace)) -> Report {
    diff::compare(old, new, VERSION).unwrap_or_else(|e| panic!("{e}"))
}

/// The changes of a report as JSON values, per surface, for comparing.
fn changes_by_surface(report: &serde_json::Value) -> Vec<(String, Vec<serde_json::Value>)> {
    report["surfaces"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let name = s["surface"].as_str().unwrap_or_default().to_string();
            let changes = s["changes"].as_array().cloned().unwrap_or_default();
            (name, changes)
        })
        .collect()
}

#[test]
fn the_report_from_2026_05_13_to_the_pin_is_the_hand_verified_one() {
    let old = history("openapi-2026-05-13.yaml");
    let new = pin();
    let report = compare(
        ("5162af9 (2026-05-13)", &old),
        ("f85dbe2 (2026-08-21)", &new),
    );
    let fixture_path =
        workspace_root().join("codegen/tests/fixtures/spec-diff/2026-05-13_to_pin.json");
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&fixture_path)
            .unwrap_or_else(|e| panic!("{}: {e}", fixture_path.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", fixture_path.display()));
    let actual: serde_json::Value =
        serde_json::from_str(&diff::render::to_json(&report)).expect("the report is JSON");
    if actual != fixture {
        let mut differences = Vec::new();
        let expected = changes_by_surface(&fixture);
        let found = changes_by_surface(&actual);
        for (surface, changes) in &found {
            let wanted = expected
                .iter()
                .find(|(s, _)| s == surface)
                .map(|(_, c)| c.as_slice())
                .unwrap_or_default();
            for change in changes.iter().filter(|c| !wanted.contains(c)) {
                differences.push(format!("{surface}: reported, not expected: {change}"));
            }
            for change in wanted.iter().filter(|c| !changes.contains(c)) {
                differences.push(format!("{surface}: expected, not reported: {change}"));
            }
        }
        for key in ["old", "new", "impact", "bump", "version", "next_version"] {
            if actual[key] != fixture[key] {
                differences.push(format!(
                    "{key}: {} (expected {})",
                    actual[key], fixture[key]
                ));
            }
        }
        panic!(
            "the report differs from {} (verified by hand, see its README):\n{}",
            fixture_path.display(),
            if differences.is_empty() {
                "(only in the counts or the order of surfaces)".to_string()
            } else {
                differences.join("\n")
            }
        );
    }
}

#[test]
fn the_report_from_2026_05_13_to_the_pin_is_additive_and_a_patch_release() {
    let report = compare(
        ("2026-05-13", &history("openapi-2026-05-13.yaml")),
        ("pin", &pin()),
    );
    assert_eq!(report.impact, Some(Impact::Additive));
    assert_eq!(report.bump, Bump::Patch);
    assert_eq!(report.next_version, "0.1.1");
    let total: usize = report.surfaces.iter().map(|s| s.changes.len()).sum();
    assert_eq!(total, 26 + 17 + 1);
}

#[test]
fn from_beta_only_2025_04_29_to_2026_05_13_the_ga_and_translation_surfaces_appear() {
    let report = compare(
        ("2025-04-29", &history("openapi-2025-04-29.yaml")),
        ("2026-05-13", &history("openapi-2026-05-13.yaml")),
    );
    let surfaces: Vec<&str> = report.surfaces.iter().map(|s| s.surface.as_str()).collect();
    assert_eq!(surfaces, ["ga", "beta", "translation"]);
    let events_added = |surface: &str, side: Side| {
        report
            .changes()
            .filter(|(s, c)| {
                *s == surface
                    && matches!(&c.kind, ChangeKind::EventAdded { side: e, .. } if *e == side)
            })
            .count()
    };
    let surface_added = |surface: &str| {
        report
            .changes()
            .any(|(s, c)| s == surface && c.kind == ChangeKind::SurfaceAdded)
    };
    assert!(surface_added("ga") && surface_added("translation"));
    assert!(!surface_added("beta"));
    // Counted from the documents: 11 + 46 GA events, 3 + 7 translation events.
    assert_eq!(
        (
            events_added("ga", Side::Client),
            events_added("ga", Side::Server)
        ),
        (11, 46)
    );
    assert_eq!(
        (
            events_added("translation", Side::Client),
            events_added("translation", Side::Server)
        ),
        (3, 7)
    );
    // Beta: 11 new server events (MCP, transcription segments, ...) and,
    // thanks to the corrections that keep the beta server's names, none removed.
    assert_eq!(
        (
            events_added("beta", Side::Client),
            events_added("beta", Side::Server)
        ),
        (0, 11)
    );
    let removed = report
        .changes()
        .filter(|(_, c)| matches!(c.kind, ChangeKind::EventRemoved { .. }))
        .count();
    assert_eq!(removed, 0);
    // Beta loses voices and a `modalities` field: breaking, a minor release below 1.0.
    let beta_removals: Vec<String> = report
        .changes()
        .filter(|(s, c)| {
            *s == "beta"
                && matches!(
                    c.kind,
                    ChangeKind::EnumValueRemoved { .. } | ChangeKind::FieldRemoved { .. }
                )
        })
        .map(|(_, c)| diff::render::describe(c))
        .collect();
    assert!(
        beta_removals.contains(&"`beta::VoiceIdsShared`: value `fable` removed".to_string()),
        "{beta_removals:?}"
    );
    assert_eq!(report.impact, Some(Impact::Breaking));
    assert_eq!(report.bump, Bump::Minor);
    assert_eq!(report.next_version, "0.2.0");
}

#[test]
fn a_version_against_itself_has_an_empty_report_and_no_bump() {
    let pinned = pin();
    let report = compare(("pin", &pinned), ("pin", &pinned));
    assert!(report.is_empty(), "{report:#?}");
    assert_eq!(report.impact, None);
    assert_eq!(report.bump, Bump::None);
    assert_eq!(report.next_version, VERSION);
    let markdown = diff::render::to_markdown(&report, 2);
    assert!(markdown.contains("No change"), "{markdown}");

    let old = history("openapi-2025-04-29.yaml");
    assert!(compare(("a", &old), ("a", &old)).is_empty());
}
