//! `cargo xtask codegen`: regenerate `realtime-types/src/generated`, or with
//! `--check` verify that the committed files are what the pinned spec gives.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use realtime_codegen::ir::TypeKind;
use realtime_codegen::spec_source::{self, ResolveOptions, ResolvedSpec, SpecLock};
use realtime_codegen::{Corrections, GeneratedFile, Model, Options, SpecStamp, emit, load};

use crate::workspace;

/// Command-line options of `cargo xtask codegen`.
#[derive(Debug, Default)]
pub struct Args {
    check: bool,
    spec: Option<PathBuf>,
    allow_unpinned: bool,
    offline: bool,
    timings: bool,
}

impl Args {
    /// Parses the arguments after `codegen`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut parsed = Args::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--check" => parsed.check = true,
                "--allow-unpinned" => parsed.allow_unpinned = true,
                "--offline" => parsed.offline = true,
                "--timings" => parsed.timings = true,
                "--spec" => {
                    let path = args.next().ok_or("--spec needs a path")?;
                    parsed.spec = Some(PathBuf::from(path));
                }
                other => {
                    return Err(format!(
                        "unknown argument `{other}` (see `cargo xtask help`)"
                    ));
                }
            }
        }
        if parsed.allow_unpinned && parsed.spec.is_none() {
            return Err("--allow-unpinned only applies to a file given with --spec".into());
        }
        Ok(parsed)
    }
}

/// The outcome of generating: files and what it took.
pub struct Generation {
    /// The resolved spec.
    pub spec: ResolvedSpec,
    /// The model (for the summary).
    pub model: Model,
    /// The files, in output order.
    pub files: Vec<GeneratedFile>,
    /// Time spent reading the YAML, building the model and emitting.
    pub timings: [(&'static str, Duration); 3],
}

/// Resolves the spec and runs the generator.
pub fn generate(options: &ResolveOptions) -> Result<Generation, String> {
    let root = workspace::root();
    let lock = SpecLock::load(&root).map_err(|e| e.to_string())?;
    let spec = spec_source::resolve(&root, &lock, options).map_err(|e| e.to_string())?;
    let corrections = Corrections::read(&root).map_err(|e| e.to_string())?;
    let stamp = SpecStamp {
        sha256: spec.sha256.clone(),
        pinned: spec.pinned,
    };
    let started = Instant::now();
    let document = load::parse_yaml(&spec.text).map_err(|e| e.to_string())?;
    let parsed = Instant::now();
    let options = Options {
        corrections,
        strict_corrections: spec.pinned,
    };
    let model = realtime_codegen::model(document, &options).map_err(|e| e.to_string())?;
    let modelled = Instant::now();
    let files = emit::emit(&model.space, &stamp).map_err(|e| e.to_string())?;
    let emitted = Instant::now();
    let timings = [
        ("parse YAML", parsed - started),
        ("build model", modelled - parsed),
        ("emit + format", emitted - modelled),
    ];
    Ok(Generation {
        spec,
        model,
        files,
        timings,
    })
}

/// Runs the command.
pub fn run(args: &Args) -> Result<(), String> {
    let mut options = ResolveOptions::from_env();
    options.explicit = args.spec.clone();
    options.allow_unpinned = args.allow_unpinned;
    options.offline = args.offline;
    let generation = generate(&options)?;
    let dir = workspace::generated_dir();
    let changes = compare(&dir, &generation.files)?;
    if args.timings {
        print_timings(&generation.timings);
    }
    if args.check {
        return check_result(&changes);
    }
    write(&dir, &generation.files, &changes)?;
    print_summary(&generation, &changes);
    Ok(())
}

fn check_result(changes: &[Change]) -> Result<(), String> {
    if changes.is_empty() {
        println!("realtime-types/src/generated is up to date with the spec");
        return Ok(());
    }
    let mut message = String::from("realtime-types/src/generated is stale:\n");
    for change in changes {
        message.push_str(&format!("  {} {}\n", change.kind.label(), change.path));
        if !change.diff.is_empty() {
            message.push_str(&change.diff);
        }
    }
    message.push_str("run `cargo xtask codegen` and commit the result");
    Err(message)
}

/// What differs between the committed and the generated files.
#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    path: String,
    kind: ChangeKind,
    diff: String,
}

#[derive(Debug, PartialEq, Eq)]
enum ChangeKind {
    Added,
    Modified,
    Removed,
}

impl ChangeKind {
    fn label(&self) -> &'static str {
        match self {
            ChangeKind::Added => "missing:",
            ChangeKind::Modified => "differs:",
            ChangeKind::Removed => "no longer generated:",
        }
    }
}

/// Compares after line-ending normalisation (a checkout with CRLF is not stale).
fn compare(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    for file in files {
        let path = dir.join(&file.path);
        match std::fs::read_to_string(&path) {
            Ok(existing) => {
                let existing = existing.replace("\r\n", "\n");
                if existing != file.contents {
                    changes.push(Change {
                        path: file.path.clone(),
                        kind: ChangeKind::Modified,
                        diff: short_diff(&existing, &file.contents),
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                changes.push(Change {
                    path: file.path.clone(),
                    kind: ChangeKind::Added,
                    diff: String::new(),
                });
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
    }
    let generated: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for existing in rust_files(dir)? {
        if !generated.contains(existing.as_str()) {
            changes.push(Change {
                path: existing,
                kind: ChangeKind::Removed,
                diff: String::new(),
            });
        }
    }
    Ok(changes)
}

fn rust_files(dir: &Path) -> Result<Vec<String>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs"))
        .collect();
    names.sort();
    Ok(names)
}

/// The first differing lines, a few of each side.
fn short_diff(old: &str, new: &str) -> String {
    const CONTEXT: usize = 6;
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let first = old_lines
        .iter()
        .zip(&new_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(old_lines.len().min(new_lines.len()));
    let mut diff = format!("    first difference at line {}:\n", first + 1);
    for line in old_lines.iter().skip(first).take(CONTEXT) {
        diff.push_str(&format!("    - {line}\n"));
    }
    for line in new_lines.iter().skip(first).take(CONTEXT) {
        diff.push_str(&format!("    + {line}\n"));
    }
    diff
}

fn write(dir: &Path, files: &[GeneratedFile], changes: &[Change]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for change in changes {
        let path = dir.join(&change.path);
        match change.kind {
            ChangeKind::Removed => std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?,
            ChangeKind::Added | ChangeKind::Modified => {
                let Some(file) = files.iter().find(|f| f.path == change.path) else {
                    continue;
                };
                std::fs::write(&path, &file.contents)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

fn print_summary(generation: &Generation, changes: &[Change]) {
    let spec = &generation.spec;
    let pin = if spec.pinned { "pinned" } else { "UNPINNED" };
    println!("spec: sha256 {} ({pin}, from {})", spec.sha256, spec.origin);
    for surface in &generation.model.space.surfaces {
        let counts: Vec<String> = surface
            .unions
            .iter()
            .filter_map(|u| {
                let def = generation.model.space.types.get(&u.id)?;
                let TypeKind::TaggedUnion(union) = &def.kind else {
                    return None;
                };
                Some(format!("{} {} events", def.name, union.variants.len()))
            })
            .collect();
        println!("surface {}: {}", surface.module, counts.join(", "));
    }
    let types = generation.model.space.types.len();
    println!("types: {types} ({} files)", generation.files.len());
    let corrections = &generation.model.corrections;
    println!("corrections applied: {}", corrections.applied.len());
    for applied in &corrections.applied {
        println!("  {applied}");
    }
    for skipped in &corrections.not_applied {
        println!(
            "correction not applied: {}#{} {}: {}",
            skipped.file, skipped.index, skipped.target, skipped.reason
        );
    }
    // Nothing reachable from an event is ever skipped: what the generator
    // cannot handle stops it with an error.
    println!("skipped: none");
    if changes.is_empty() {
        println!("files changed: none");
    } else {
        let names: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        println!("files changed: {}", names.join(", "));
    }
}

fn print_timings(timings: &[(&'static str, Duration); 3]) {
    let total: Duration = timings.iter().map(|(_, d)| *d).sum();
    for (stage, duration) in timings {
        println!("{stage:>14}: {:>8.1} ms", duration.as_secs_f64() * 1000.0);
    }
    println!("{:>14}: {:>8.1} ms", "total", total.as_secs_f64() * 1000.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The drift check of `cargo xtask codegen --check`, as an ordinary test.
    #[test]
    fn committed_generated_code_matches_the_pinned_spec() {
        let mut options = ResolveOptions::from_env();
        options.offline = true;
        let generation = generate(&options).unwrap_or_else(|e| panic!("{e}"));
        let changes = compare(&workspace::generated_dir(), &generation.files)
            .unwrap_or_else(|e| panic!("{e}"));
        if let Err(message) = check_result(&changes) {
            panic!("{message}");
        }
    }

    #[test]
    fn arguments_parse() {
        let args = Args::parse(&[
            "--check".into(),
            "--spec".into(),
            "x.yaml".into(),
            "--allow-unpinned".into(),
        ])
        .unwrap();
        assert!(args.check && args.allow_unpinned);
        assert_eq!(args.spec, Some(PathBuf::from("x.yaml")));
        assert!(Args::parse(&["--allow-unpinned".into()]).is_err());
        assert!(Args::parse(&["--bogus".into()]).is_err());
    }

    #[test]
    fn diff_shows_the_first_differing_line() {
        let diff = short_diff("a\nb\nc\n", "a\nB\nc\n");
        assert!(diff.contains("line 2"), "{diff}");
        assert!(diff.contains("- b") && diff.contains("+ B"), "{diff}");
    }
}
