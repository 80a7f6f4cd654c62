//! `cargo xtask codegen`: regenerate `realtime-types/src/generated`, or with
//! `--check` verify that the committed files are what the pinned spec gives.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use realtime_codegen::ir::TypeKind;
use realtime_codegen::spec_source::{ResolveOptions, ResolvedSpec};
use realtime_codegen::{GeneratedFile, Model, SpecStamp, emit};

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
    /// The files of `realtime-types/src/generated`, in output order.
    pub files: Vec<GeneratedFile>,
    /// The files of `realtime-bench/src/derived`: the benchmark's
    /// serde-derived baseline (see `realtime_codegen::bench_mirror`).
    pub mirror: Vec<GeneratedFile>,
    /// Time spent reading and modelling the spec, and emitting.
    pub timings: [(&'static str, Duration); 2],
}

/// Resolves the spec of the workspace at `root` and runs the generator.
pub fn generate(root: &Path, options: &ResolveOptions) -> Result<Generation, String> {
    let started = Instant::now();
    let loaded = realtime_codegen::pinned::load(root, options)?;
    let modelled = Instant::now();
    // The crate's documentation names the pinned commit; a spec given by
    // hand (`--spec`, unpinned) is not that commit.
    let origin = loaded.spec.pinned.then(|| {
        format!(
            "`{}` at commit `{}` ({}, sha256 `{}`)",
            loaded.lock.repository, loaded.lock.commit, loaded.lock.date, loaded.lock.sha256
        )
    });
    let stamp = SpecStamp {
        sha256: loaded.spec.sha256.clone(),
        pinned: loaded.spec.pinned,
        origin,
    };
    let files = emit::emit(&loaded.model.space, &stamp).map_err(|e| e.to_string())?;
    let mirror = realtime_codegen::bench_mirror::derived_mirror(&loaded.model.space, &stamp)
        .map_err(|e| e.to_string())?;
    let mirror = vec![mirror];
    let emitted = Instant::now();
    let timings = [
        ("read, parse and model", modelled - started),
        ("emit + format", emitted - modelled),
    ];
    Ok(Generation {
        spec: loaded.spec,
        model: loaded.model,
        files,
        mirror,
        timings,
    })
}

/// Runs the command in this workspace.
pub fn run(args: &Args) -> Result<(), String> {
    run_in(&workspace::root(), args)
}

/// Runs the command in the workspace at `root` (`cargo xtask spec update`
/// regenerates through here too).
pub fn run_in(root: &Path, args: &Args) -> Result<(), String> {
    let mut options = ResolveOptions::from_env();
    options.explicit = args.spec.clone();
    options.allow_unpinned = args.allow_unpinned;
    options.offline = args.offline;
    let generation = generate(root, &options)?;
    let outputs = [
        (workspace::generated_dir(root), &generation.files),
        (workspace::mirror_dir(root), &generation.mirror),
    ];
    let mut changes = Vec::new();
    for (dir, files) in &outputs {
        changes.push(compare(dir, files)?);
    }
    if args.timings {
        print_timings(&generation.timings);
    }
    let declared = check_declared(root, &generation.files);
    if args.check {
        for ((dir, _), changes) in outputs.iter().zip(&changes) {
            check_result(root, dir, changes)?;
        }
        return declared;
    }
    for ((dir, files), changes) in outputs.iter().zip(&changes) {
        write(dir, files, changes)?;
    }
    let changes: Vec<Change> = changes.into_iter().flatten().collect();
    print_summary(&generation, &changes);
    declared
}

/// Every top-level generated module (`shared.rs`, `ga/mod.rs`) must be
/// declared by the crate root, which makes it a public module of its own
/// (`realtime_types::ga`), so that rustc's import suggestions name paths
/// that compile.
fn check_declared(root: &Path, files: &[GeneratedFile]) -> Result<(), String> {
    let lib = root.join("realtime-types/src/lib.rs");
    let text = std::fs::read_to_string(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !f.path.contains('/') || f.path.ends_with("/mod.rs"))
        .map(|f| workspace::generated_module_attribute(&f.path))
        .filter(|attribute| !text.contains(attribute.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "realtime-types/src/lib.rs does not declare every generated module: add `{}` with a `pub mod` for each",
        missing.join("`, `")
    ))
}

fn check_result(root: &Path, dir: &Path, changes: &[Change]) -> Result<(), String> {
    let shown = dir.strip_prefix(root).unwrap_or(dir).display().to_string();
    if changes.is_empty() {
        println!("{shown} is up to date with the spec");
        return Ok(());
    }
    let mut message = format!("{shown} is stale:\n");
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
    for existing in workspace::rust_files(dir)? {
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
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
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
    println!("{}", name_lengths(&generation.model.space));
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

/// The lengths of the public names the types get (the borrowed views,
/// `<Name>Ref`, counted apart): what a user reads and types.
fn name_lengths(space: &realtime_codegen::ir::TypeSpace) -> String {
    let mut types: Vec<(usize, &str)> = space
        .types
        .values()
        .map(|def| (def.name.len(), def.name.as_str()))
        .collect();
    let views: Vec<usize> = space
        .types
        .values()
        .filter(|def| matches!(&def.kind, TypeKind::Struct(s) if s.borrowed_view))
        .map(|def| def.name.len() + "Ref".len())
        .collect();
    types.sort();
    let median = types.get(types.len() / 2).map_or(0, |(len, _)| *len);
    let (longest, name) = types.last().copied().unwrap_or_default();
    let payloads: std::collections::BTreeSet<&str> = space
        .surfaces
        .iter()
        .flat_map(|s| &s.unions)
        .filter_map(|u| match space.types.get(&u.id).map(|d| &d.kind) {
            Some(TypeKind::TaggedUnion(union)) => Some(&union.variants),
            _ => None,
        })
        .flatten()
        .filter_map(|v| space.types.get(&v.ty).map(|d| d.name.as_str()))
        .collect();
    let over_30: Vec<&str> = types
        .iter()
        .filter(|(len, _)| *len > 30)
        .map(|(_, name)| *name)
        .collect();
    let others = over_30
        .iter()
        .filter(|name| !payloads.contains(*name))
        .count();
    format!(
        "names: median {median} characters, longest {longest} ({name}), {} over 30 ({others} \
         of them not an event payload named by its `type`); borrowed views longest {}",
        over_30.len(),
        views.iter().max().copied().unwrap_or(0)
    )
}

fn print_timings(timings: &[(&'static str, Duration)]) {
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
        let root = workspace::root();
        let generation = generate(&root, &options).unwrap_or_else(|e| panic!("{e}"));
        for (dir, files) in [
            (workspace::generated_dir(&root), &generation.files),
            (workspace::mirror_dir(&root), &generation.mirror),
        ] {
            let changes = compare(&dir, files).unwrap_or_else(|e| panic!("{e}"));
            if let Err(message) = check_result(&root, &dir, &changes) {
                panic!("{message}");
            }
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
