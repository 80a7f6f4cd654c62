//! `cargo xtask corrections [--check]`: derive `spec/corrections.derived.yaml`
//! from the spec history with the history rule
//! (`realtime_codegen::history_rule`), or check that the committed file is
//! what the rule gives.

use std::path::Path;

use realtime_codegen::corrections::{CORRECTION_FILES, Corrections};
use realtime_codegen::history_rule::{self, Version};
use realtime_codegen::load;

use crate::history::{self, Version as SpecVersion};
use crate::workspace;

/// Runs the command.
pub fn run(check: bool) -> Result<(), String> {
    let root = workspace::root();
    let versions = history::versions(&root)?;
    if check {
        check_derived(&root, &versions)?;
        println!(
            "{} is up to date with the spec history",
            CORRECTION_FILES[1]
        );
        return Ok(());
    }
    let text = derived_text(&root, &versions)?;
    let path = root.join(CORRECTION_FILES[1]);
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let actions = text.matches("\n- target:").count();
    println!("wrote {} ({actions} corrections)", CORRECTION_FILES[1]);
    Ok(())
}

/// Fails when the committed derived file is not what the history rule gives.
pub fn check_derived(root: &Path, versions: &[SpecVersion]) -> Result<(), String> {
    let expected = derived_text(root, versions)?;
    let path = root.join(CORRECTION_FILES[1]);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed.replace("\r\n", "\n") == expected {
        Ok(())
    } else {
        Err(format!(
            "{} is not what the history rule gives for the spec history: run `cargo xtask corrections`, review and commit it (then `cargo xtask codegen`)",
            CORRECTION_FILES[1]
        ))
    }
}

/// The derived file's text: the rule applied to the pinned spec (with the
/// hand-written corrections) beside every version of the history.
pub fn derived_text(root: &Path, versions: &[SpecVersion]) -> Result<String, String> {
    let (pinned, history): (Vec<&SpecVersion>, Vec<&SpecVersion>) =
        versions.iter().partition(|v| v.pinned);
    let pinned = pinned
        .first()
        .ok_or("the pinned spec is missing from the versions")?;
    let mut document = load::parse_yaml(&pinned.text).map_err(|e| e.to_string())?;
    let mut hand = Corrections::read(root).map_err(|e| e.to_string())?;
    hand.overlays.retain(|o| o.file == CORRECTION_FILES[0]);
    hand.apply(&mut document, true).map_err(|e| e.to_string())?;
    let documents = history
        .iter()
        .map(|v| load::parse_yaml(&v.text).map_err(|e| format!("{}: {e}", v.name)))
        .collect::<Result<Vec<_>, _>>()?;
    let history: Vec<Version> = history
        .iter()
        .zip(&documents)
        .map(|(v, document)| Version {
            name: &v.name,
            document,
        })
        .collect();
    let overlay = history_rule::derive(&document, &history).map_err(|e| e.to_string())?;
    history_rule::render(&overlay).map_err(|e| e.to_string())
}
