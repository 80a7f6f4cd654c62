//! `cargo xtask spec diff OLD NEW`: the change report between two versions.

use std::path::Path;

use realtime_codegen::diff::{self, Report, render};
use realtime_codegen::spec_source::SpecLock;

use super::catalog::{self, SpecVersion};
use crate::workspace;

/// Command-line options of `cargo xtask spec diff`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    old: String,
    new: String,
    json: bool,
    offline: bool,
}

impl Args {
    /// Parses the arguments after `spec diff`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut parsed = Args::default();
        let mut versions = Vec::new();
        for arg in args {
            match arg.as_str() {
                "--json" => parsed.json = true,
                "--offline" => parsed.offline = true,
                flag if flag.starts_with("--") => {
                    return Err(format!(
                        "unknown argument `{flag}` (see `cargo xtask help`)"
                    ));
                }
                version => versions.push(version.to_string()),
            }
        }
        let [old, new] = <[String; 2]>::try_from(versions).map_err(|given| {
            format!(
                "spec diff takes two versions, OLD and NEW, not {}",
                given.len()
            )
        })?;
        parsed.old = old;
        parsed.new = new;
        Ok(parsed)
    }
}

/// Runs the command.
pub fn run(root: &Path, args: &Args) -> Result<(), String> {
    let old = catalog::locate(root, &args.old, args.offline)?;
    let new = catalog::locate(root, &args.new, args.offline)?;
    let report = report(root, &old, &new)?;
    if args.json {
        println!("{}", render::to_json(&report));
    } else {
        print!("{}", render::to_markdown(&report, 2));
    }
    Ok(())
}

/// The report between two versions, each modelled with the workspace's
/// corrections and renames (strictly for the pinned spec: as generated),
/// from the current version of `realtime-types`.
pub fn report(root: &Path, old: &SpecVersion, new: &SpecVersion) -> Result<Report, String> {
    let lock = SpecLock::load(root).map_err(|e| e.to_string())?;
    let mut models = Vec::new();
    for version in [old, new] {
        let model = super::model(root, version, version.is_pinned(&lock))?;
        let skipped = model.corrections.not_applied.len();
        if skipped > 0 {
            eprintln!(
                "note: {}: {skipped} correction(s) do not fit this version and were skipped",
                version.label
            );
        }
        models.push(model);
    }
    let version = workspace::types_crate_version(root)?;
    diff::compare(
        (&old.label, &models[0].space),
        (&new.label, &models[1].space),
        &version,
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        Args::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn two_versions_and_the_flags_in_any_order() {
        let parsed = args(&["--json", "history/a.yaml", "pin", "--offline"]).unwrap();
        assert_eq!(
            parsed,
            Args {
                old: "history/a.yaml".into(),
                new: "pin".into(),
                json: true,
                offline: true
            }
        );
    }

    #[test]
    fn one_or_three_versions_or_an_unknown_flag_are_refused() {
        assert!(args(&["pin"]).unwrap_err().contains("not 1"));
        assert!(args(&["a", "b", "c"]).unwrap_err().contains("not 3"));
        assert!(
            args(&["a", "b", "--markdown"])
                .unwrap_err()
                .contains("--markdown")
        );
    }
}
