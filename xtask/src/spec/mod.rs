//! `cargo xtask spec diff OLD NEW` and `cargo xtask spec update`: what
//! changed for this crate's users between two spec versions, and moving the
//! pin. The report itself is the generator's (`realtime_codegen::diff`);
//! this module finds the versions, models them and prints.

pub mod catalog;
mod changelog;
mod diff;
mod update;

use std::path::{Path, PathBuf};

use realtime_codegen::{Model, Options};

use crate::workspace;
use catalog::SpecVersion;

/// The usage of `cargo xtask spec`.
pub const USAGE: &str = "\
  cargo xtask spec diff OLD NEW [--json] [--offline]
      What changed for users of the generated types between two spec versions,
      per surface, each change breaking, additive or documentation-only, and the
      version bump of realtime-types that follows. OLD and NEW are each a file
      (as given, or relative to ../shared/spec: history/openapi-2026-05-13.yaml),
      `pin`, or an upstream commit (the pin's, one listed in
      ../shared/spec/README.md, or else downloaded by the lock's address pattern).
      --json            the report as JSON instead of Markdown
      --offline         never download
  cargo xtask spec update (--commit SHA | --file PATH) [--date YYYY-MM-DD] [--offline]
      Move the pin: fetch the spec of an upstream commit (--commit alone), or
      take a file (--file, offline; --commit then records where it comes from),
      check that it parses and models and that every correction, rename and
      known example defect still applies (else list those that do not and write
      nothing), then write spec/lock.json, the spec cache and
      spec/corrections.derived.yaml, regenerate (as `cargo xtask codegen`),
      print the change report from the old pin and add it to
      realtime-types/CHANGELOG.md.
      --date            the commit's date (else from ../shared/spec/README.md, or `unknown`)
      --offline         never download (the old pin must be found locally too)";

/// Runs `cargo xtask spec ...` with the arguments after `spec`.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = workspace::root();
    match args.first().map(String::as_str) {
        Some("diff") => diff::run(&root, &diff::Args::parse(&args[1..])?),
        Some("update") => update::run(&root, &update::Args::parse(&args[1..])?),
        _ => Err(format!("usage:\n{USAGE}")),
    }
}

/// The model of a version with the workspace's corrections and renames,
/// strict when it is the pinned spec.
fn model(root: &Path, version: &SpecVersion, strict: bool) -> Result<Model, String> {
    let document = realtime_codegen::load::parse_yaml(&version.text)
        .map_err(|e| format!("{}: {e}", version.label))?;
    let options = Options::of_workspace(root, strict).map_err(|e| e.to_string())?;
    realtime_codegen::model(document, &options).map_err(|e| format!("{}: {e}", version.label))
}

/// Takes the value of a flag that needs one.
fn value(flag: &str, args: &mut std::slice::Iter<'_, String>) -> Result<String, String> {
    args.next()
        .cloned()
        .ok_or_else(|| format!("{flag} needs a value (see `cargo xtask help`)"))
}

/// A path argument.
fn path_value(flag: &str, args: &mut std::slice::Iter<'_, String>) -> Result<PathBuf, String> {
    value(flag, args).map(PathBuf::from)
}
