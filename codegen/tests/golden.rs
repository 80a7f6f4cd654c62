//! Golden (snapshot) tests of the emitter.
//!
//! Every `tests/golden/<case>.yaml` is a small OpenAPI 3.1 document; the files
//! generated from it must equal, byte for byte, the files in
//! `tests/golden/<case>/` (one `.rs` per generated file, nothing else).
//! `realtime-types/tests/golden.rs` compiles those same files and checks how
//! the generated types behave, so a golden is both reviewed and exercised.
//!
//! With `UPDATE_GOLDEN=1` the expected files are (re)written instead, and
//! expected files the generator no longer produces are removed.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use realtime_codegen::spec_source::sha256_hex;
use realtime_codegen::{GeneratedFile, Options, SpecStamp, generate};

const HOW_TO_UPDATE: &str =
    "run `UPDATE_GOLDEN=1 cargo test -p realtime-codegen --test golden` and review the diff";

/// The folder holding the cases.
fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The case names (`<case>.yaml` in the golden folder), sorted.
fn cases() -> Vec<String> {
    let dir = golden_dir();
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    let mut cases: Vec<String> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| {
            path.file_stem()
                .and_then(|stem| stem.to_str())
                .expect("a UTF-8 case name")
                .to_string()
        })
        .collect();
    cases.sort();
    cases
}

/// Folders in the golden folder that belong to no case.
fn orphan_folders(cases: &[String]) -> Vec<String> {
    let dir = golden_dir();
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    let mut orphans: Vec<String> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_dir())
        .filter_map(|path| Some(path.file_name()?.to_str()?.to_string()))
        .filter(|name| !cases.contains(name))
        .collect();
    orphans.sort();
    orphans
}

/// Generates the files of one case, stamped with the hash of its YAML.
fn generate_case(case: &str) -> Vec<GeneratedFile> {
    let path = golden_dir().join(format!("{case}.yaml"));
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let text = String::from_utf8(bytes.clone()).expect("the case is UTF-8");
    let stamp = SpecStamp {
        sha256: sha256_hex(&bytes),
        pinned: true,
        origin: None,
    };
    generate(&text, &Options::default(), &stamp)
        .unwrap_or_else(|e| panic!("generating case `{case}`: {e}"))
}

/// Every file below a case's expected folder (`beta/mod.rs`), sorted.
fn expected_files(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(dir.join(&folder)) else {
            continue;
        };
        for entry in entries.map(|entry| entry.expect("a readable directory entry")) {
            let relative = folder.join(entry.file_name());
            if entry.path().is_dir() {
                folders.push(relative);
            } else {
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

/// Where two texts first differ, for a readable failure.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    let mut line = 1;
    loop {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(e), Some(a)) if e == a => line += 1,
            (None, None) => return "only in line endings or a final newline".into(),
            (e, a) => {
                return format!(
                    "first difference at line {line}:\n      expected: {}\n      actual:   {}",
                    e.unwrap_or("<end of file>"),
                    a.unwrap_or("<end of file>")
                );
            }
        }
    }
}

/// Compares one case; returns what differs (empty when it matches).
fn check_case(case: &str, generated: &[GeneratedFile]) -> Vec<String> {
    let dir = golden_dir().join(case);
    let mut problems = Vec::new();
    for file in generated {
        let path = dir.join(&file.path);
        match fs::read_to_string(&path) {
            Ok(expected) if expected == file.contents => {}
            Ok(expected) => problems.push(format!(
                "{case}/{} differs from the generated file; {}",
                file.path,
                first_difference(&expected, &file.contents)
            )),
            Err(e) => problems.push(format!("{case}/{} cannot be read: {e}", file.path)),
        }
    }
    for name in expected_files(&dir) {
        if !generated.iter().any(|file| file.path == name) {
            problems.push(format!(
                "{case}/{name} is expected but the generator no longer produces it"
            ));
        }
    }
    problems
}

/// Rewrites one case's expected folder from the generated files.
fn update_case(case: &str, generated: &[GeneratedFile]) {
    let dir = golden_dir().join(case);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    for name in expected_files(&dir) {
        if !generated.iter().any(|file| file.path == name) {
            let stale = dir.join(&name);
            fs::remove_file(&stale).unwrap_or_else(|e| panic!("removing {}: {e}", stale.display()));
        }
    }
    for file in generated {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
        }
        fs::write(&path, &file.contents)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

#[test]
fn generated_files_match_the_golden_files() {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no golden cases: expected `<case>.yaml` files in {}",
        golden_dir().display()
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut report = String::new();
    for folder in orphan_folders(&cases) {
        let _ = writeln!(
            report,
            "  - {folder}/ has no {folder}.yaml: remove the folder or restore the case"
        );
    }
    for case in &cases {
        let generated = generate_case(case);
        if update {
            update_case(case, &generated);
            continue;
        }
        for problem in check_case(case, &generated) {
            let _ = writeln!(report, "  - {problem}");
        }
    }
    assert!(
        report.is_empty(),
        "golden files are out of date:\n{report}\n{HOW_TO_UPDATE}"
    );
}

#[test]
fn every_case_generates_the_shared_module_and_the_beta_surface() {
    for case in cases() {
        let paths: Vec<String> = generate_case(&case)
            .into_iter()
            .map(|file| file.path)
            .collect();
        assert_eq!(
            paths[..2],
            ["shared.rs", "beta/mod.rs"],
            "case `{case}`: a document without `realtime-beta-*` groups has only the beta surface"
        );
        for path in &paths[2..] {
            assert!(
                ["beta/client.rs", "beta/server.rs"].contains(&path.as_str()),
                "case `{case}`: {path} is not a module of the beta surface"
            );
        }
    }
}
