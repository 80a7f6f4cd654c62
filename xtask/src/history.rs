//! `cargo xtask check-history`: the generator must handle every spec version,
//! not only the pinned one. For each file in `../shared/spec/history/` and
//! for the pinned spec, generate a complete crate (the hand-written `lib.rs`
//! and `support.rs` of `realtime-types` plus the generated files) into
//! `target/history-check/<version>/`, then `cargo test` it: it must compile,
//! and a generated test round-trips every event example of that version
//! through the shared conformance check. The evidence the corrections take
//! from the history and the wire must hold too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use realtime_codegen::examples::{self, EventExample, KnownDefects};
use realtime_codegen::spec_source;
use realtime_codegen::{Corrections, Options, SpecStamp, emit, load};

use crate::workspace;

/// Hand-written modules of `realtime-types/src` that only fit the pinned
/// spec (written against its `ga` surface): their declaration in `lib.rs`
/// and their file.
const PINNED_ONLY_MODULES: &[(&str, &str)] = &[("pub mod audio;", "audio.rs")];

/// Where the spec history lives, relative to the workspace root.
pub const HISTORY_DIR: &str = "../shared/spec/history";

/// Where the shapes of real traffic live, relative to the workspace root.
const WIRE_DIR: &str = "../shared/wire";

/// One spec version to check.
pub struct Version {
    /// The file name, or `pinned`.
    pub name: String,
    /// The YAML text.
    pub text: String,
    /// Whether this is the pinned spec.
    pub pinned: bool,
}

/// Runs the check.
pub fn run() -> Result<(), String> {
    let root = workspace::root();
    let versions = versions(&root)?;
    let work = root.join("target/history-check");
    let known = KnownDefects::read(&root)?;
    let mut excused_somewhere = vec![false; known.defects.len()];
    let mut failures = Vec::new();
    for version in &versions {
        print!("{}: ", version.name);
        match check_version(&root, &work, version, &known) {
            Ok(checked) => {
                let mut excused: Vec<&str> = Vec::new();
                for index in checked.excused {
                    if let Some(seen) = excused_somewhere.get_mut(index) {
                        *seen = true;
                        excused.push(&known.defects[index].schema);
                    }
                }
                let excused = if excused.is_empty() {
                    "none".to_string()
                } else {
                    excused.join(", ")
                };
                println!("ok ({}; known example defects: {excused})", checked.summary);
            }
            Err(message) => {
                println!("FAILED");
                failures.push(format!("{}: {message}", version.name));
            }
        }
    }
    let corrections = Corrections::read(&root).map_err(|e| e.to_string())?;
    if let Err(message) = crate::corrections::check_derived(&root, &versions) {
        failures.push(message);
    }
    failures.extend(realtime_codegen::corrections::check_outside_evidence(
        &corrections,
        &root.join(HISTORY_DIR),
        &root.join(WIRE_DIR),
    ));
    if failures.is_empty() {
        for (defect, seen) in known.defects.iter().zip(excused_somewhere) {
            if !seen {
                failures.push(format!(
                    "{}: the known defect ({}) excuses no failing example of any version: it was fixed upstream, remove it from {}",
                    defect.schema,
                    defect.defect,
                    KnownDefects::PATH
                ));
            }
        }
    }
    if failures.is_empty() {
        println!(
            "{} spec versions generate, compile and round-trip their examples",
            versions.len()
        );
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Every spec of the history (oldest first), then the pinned spec.
pub fn versions(root: &Path) -> Result<Vec<Version>, String> {
    let mut versions = history_versions(root)?;
    let (_, pinned) = realtime_codegen::pinned::resolve_pinned(root)?;
    versions.push(Version {
        name: "pinned".into(),
        text: pinned.text,
        pinned: true,
    });
    Ok(versions)
}

/// Every spec of the history, oldest first (their file names sort by date).
pub fn history_versions(root: &Path) -> Result<Vec<Version>, String> {
    let dir = root.join(HISTORY_DIR);
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        format!("cannot list {} ({e}): the spec history comes with ../shared/spec beside the repository", dir.display())
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{} holds no .yaml spec", dir.display()));
    }
    let mut versions = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        versions.push(Version {
            name,
            text,
            pinned: false,
        });
    }
    Ok(versions)
}

/// What one version's check found.
struct Checked {
    summary: String,
    /// Indices of the known defects that excused a failing example.
    excused: Vec<usize>,
}

fn check_version(
    root: &Path,
    work: &Path,
    version: &Version,
    known: &KnownDefects,
) -> Result<Checked, String> {
    let options = Options::of_workspace(root, version.pinned).map_err(|e| e.to_string())?;
    let document = load::parse_yaml(&version.text).map_err(|e| e.to_string())?;
    let model = realtime_codegen::model(document.clone(), &options).map_err(|e| e.to_string())?;
    let stamp = SpecStamp {
        sha256: spec_source::sha256_hex(version.text.as_bytes()),
        pinned: version.pinned,
        origin: None,
    };
    let files = emit::emit(&model.space, &stamp).map_err(|e| e.to_string())?;
    let (examples, without) = examples::event_examples(&document, &model.space)?;

    let crate_dir = work.join(version.name.trim_end_matches(".yaml"));
    write_crate(root, &crate_dir, &files, &examples, known, &model.space)?;
    // `--tests`: the unit and integration tests; the doctests of `lib.rs`
    // include the repository's README, which the crate does not have.
    let status = Command::new(env!("CARGO"))
        .args(["test", "--tests", "--quiet", "--offline", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", work.join("target"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the generated crate in {} does not pass `cargo test`",
            crate_dir.display()
        ));
    }
    let surfaces: Vec<&str> = model
        .space
        .surfaces
        .iter()
        .map(|s| s.module.as_str())
        .collect();
    let excused_file = crate_dir.join(EXCUSED_FILE);
    let excused = std::fs::read_to_string(&excused_file)
        .map_err(|e| format!("cannot read {}: {e}", excused_file.display()))?;
    let excused: Vec<usize> =
        serde_json::from_str(&excused).map_err(|e| format!("{}: {e}", excused_file.display()))?;
    let summary = format!(
        "surfaces {}, corrections {} applied / {} skipped, {} types, {} examples, {} events without example",
        surfaces.join("+"),
        model.corrections.applied.len(),
        model.corrections.not_applied.len(),
        model.space.types.len(),
        examples.len(),
        without.len()
    );
    Ok(Checked { summary, excused })
}

/// Fixture row of the generated test.
#[derive(serde::Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    example: &'a EventExample,
    /// The known defect this example shows (its index in the list), which
    /// excuses it if it fails.
    defect: Option<usize>,
}

/// Where the generated test of a version writes the known defects (indices
/// into the list) that excused a failing example.
const EXCUSED_FILE: &str = "excused.json";

fn write_crate(
    root: &Path,
    dir: &Path,
    files: &[realtime_codegen::GeneratedFile],
    examples: &[EventExample],
    known: &KnownDefects,
    space: &realtime_codegen::ir::TypeSpace,
) -> Result<(), String> {
    let write = |path: PathBuf, contents: &str| -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let copy = |from: &str, to: &str| -> Result<(), String> {
        let text = std::fs::read_to_string(root.join(from))
            .map_err(|e| format!("cannot read {from}: {e}"))?;
        write(dir.join(to), &text)
    };
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    let name = format!(
        "realtime-types-{}",
        dir.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    write(dir.join("Cargo.toml"), &CARGO_TOML.replace("{name}", &name))?;
    copy("Cargo.lock", "Cargo.lock")?;
    // Hand-written modules written against the pinned surfaces (not
    // generated) are left out of a version's crate.
    let lib = std::fs::read_to_string(root.join("realtime-types/src/lib.rs"))
        .map_err(|e| format!("cannot read realtime-types/src/lib.rs: {e}"))?;
    let lib: String = lib
        .lines()
        .filter(|line| {
            !PINNED_ONLY_MODULES
                .iter()
                .any(|(decl, _)| line.trim() == *decl)
        })
        .map(|line| format!("{line}\n"))
        .collect();
    write(dir.join("src/lib.rs"), &declared_modules_only(&lib, files))?;
    // Every other hand-written module (the generated ones are written below).
    for module in hand_written_modules(&root.join("realtime-types/src"))? {
        copy(
            &format!("realtime-types/src/{module}"),
            &format!("src/{module}"),
        )?;
    }
    copy(
        "realtime-types/tests/conformance/round_trip.rs",
        "tests/conformance/round_trip.rs",
    )?;
    for file in files {
        write(dir.join("src/generated").join(&file.path), &file.contents)?;
    }
    let rows: Vec<Row> = examples
        .iter()
        .map(|example| Row {
            example,
            defect: known.position(&example.schema, &example.value),
        })
        .collect();
    let fixture = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
    write(dir.join("tests/examples.json"), &fixture)?;
    write(dir.join("tests/examples.rs"), &examples_test(space))?;
    Ok(())
}

/// The hand-written `.rs` files under `src` (paths relative to it), but
/// `lib.rs`, the generated folder and the pinned-only modules.
fn hand_written_modules(src: &Path) -> Result<Vec<String>, String> {
    Ok(workspace::rust_files(src)?
        .into_iter()
        .filter(|name| {
            !name.starts_with("generated/")
                && name != "lib.rs"
                && !PINNED_ONLY_MODULES.iter().any(|(_, file)| name == file)
        })
        .collect())
}

/// `lib.rs` without the declarations of the generated modules a version
/// does not have (an old spec has no `ga` surface): each is a
/// `#[path = "generated/<file>"]` attribute, the `#[rustfmt::skip]` before it
/// and what follows it up to the `pub mod` (a surface's feature gate).
fn declared_modules_only(lib: &str, files: &[realtime_codegen::GeneratedFile]) -> String {
    let lines: Vec<&str> = lib.lines().collect();
    let generated = |line: &str| {
        let path = workspace::declared_generated_file(line)?;
        Some(files.iter().any(|f| f.path == path))
    };
    let mut kept = String::new();
    let mut index = 0;
    while index < lines.len() {
        let attribute = if lines[index].trim() == "#[rustfmt::skip]" {
            lines.get(index + 1).copied()
        } else {
            None
        };
        if attribute.and_then(generated) == Some(false) {
            // The attributes (a surface's `#[cfg(feature = ..)]` too) up to
            // and including the `pub mod` line.
            while index < lines.len() && !lines[index].trim_start().starts_with("pub mod ") {
                index += 1;
            }
            index += 1;
            continue;
        }
        kept.push_str(lines[index]);
        kept.push('\n');
        index += 1;
    }
    kept
}

/// The manifest of a version's crate; `{name}` keeps crates of different
/// versions apart in the shared target folder.
const CARGO_TOML: &str = r#"# Written by `cargo xtask check-history`.
[package]
name = "{name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
serde = { version = "1.0.219", features = ["derive"] }
# The workspace's features: key order kept, numbers exact.
serde_json = { version = "1.0.140", features = ["preserve_order", "arbitrary_precision"] }
schemars = "1.0"

# realtime-types' features, all on: every surface a version has, and the
# JSON Schema impls.
[features]
default = ["beta", "translation", "json-schema"]
beta = []
translation = []
json-schema = []

[lib]
name = "realtime_types"

[workspace]
"#;

/// The test of the generated crate: one dispatch arm per union of this version.
fn examples_test(space: &realtime_codegen::ir::TypeSpace) -> String {
    let mut arms = String::new();
    for surface in &space.surfaces {
        for union in &surface.unions {
            let name = space
                .types
                .get(&union.id)
                .map(|d| d.name.as_str())
                .unwrap_or_default();
            let has_view = matches!(
                space.types.get(&union.id).map(|d| &d.kind),
                Some(realtime_codegen::ir::TypeKind::TaggedUnion(u)) if u.borrowed_view
            );
            let view = if has_view {
                format!(
                    ".and_then(|()| view_round_trip::<realtime_types::{module}::{view}>(&row.event_type, &row.value, &text))",
                    module = surface.module,
                    view = realtime_codegen::ir::borrowed_view_name(name),
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                arms,
                "        ({module:?}, {name:?}) => round_trip::<realtime_types::{module}::{name}>(&row.event_type, &row.value){view},",
                module = surface.module,
            );
        }
    }
    format!(
        r#"//! Written by `cargo xtask check-history`: every event example of this spec version round-trips (also through the borrowed views).

#[path = "conformance/round_trip.rs"]
mod conformance;

#[allow(unused_imports)] // `view_round_trip` when no union of this version has a view
use conformance::{{round_trip, view_round_trip}};

#[derive(serde::Deserialize)]
struct Row {{
    surface: String,
    union: String,
    schema: String,
    event_type: String,
    value: serde_json::Value,
    /// The known defect this example shows, which excuses it if it fails.
    defect: Option<usize>,
}}

#[test]
fn every_event_example_round_trips() {{
    let rows: Vec<Row> = serde_json::from_str(include_str!("examples.json")).expect("fixture");
    assert!(!rows.is_empty(), "this spec version has no event examples");
    let mut failures = Vec::new();
    let mut excused = Vec::new();
    for row in &rows {{
        let text = serde_json::to_string(&row.value).expect("a value encodes");
        let result = match (row.surface.as_str(), row.union.as_str()) {{
{arms}        (surface, union) => Err(format!("no union {{surface}}::{{union}}")),
        }};
        match (result, row.defect) {{
            (Ok(()), _) => {{}}
            (Err(_), Some(defect)) => excused.push(defect),
            (Err(reason), None) => failures.push(format!("{{}} ({{}}): {{reason}}", row.schema, row.event_type)),
        }}
    }}
    excused.sort_unstable();
    excused.dedup();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join({EXCUSED_FILE:?});
    std::fs::write(&path, serde_json::to_string(&excused).expect("indices encode")).expect("the excused defects are written");
    assert!(failures.is_empty(), "{{}} of {{}} examples fail:\n{{}}", failures.len(), rows.len(), failures.join("\n"));
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> realtime_codegen::GeneratedFile {
        realtime_codegen::GeneratedFile {
            path: path.to_string(),
            contents: String::new(),
        }
    }

    #[test]
    fn a_surface_the_version_lacks_loses_its_whole_declaration_feature_gate_included() {
        let lib = "\
#[rustfmt::skip]
#[path = \"generated/beta/mod.rs\"]
pub mod beta;
#[rustfmt::skip]
#[path = \"generated/translation/mod.rs\"]
#[cfg(feature = \"translation\")]
pub mod translation;
pub mod audio;
";
        assert_eq!(
            declared_modules_only(lib, &[file("beta/mod.rs")]),
            "#[rustfmt::skip]\n#[path = \"generated/beta/mod.rs\"]\npub mod beta;\npub mod audio;\n"
        );
    }
}
