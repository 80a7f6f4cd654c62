//! Corrections of the upstream document: the one place where truth from
//! outside the spec enters the generator.
//!
//! Where OpenAI's document is wrong about what servers send (an event named
//! after its GA twin on the beta surface, a property required that older
//! servers never sent), a correction changes the document before it is
//! read. Corrections are data, in the OpenAPI Initiative's
//! [Overlay](https://spec.openapis.org/overlay/v1.1.0.html) format (1.1):
//! an ordered list of *actions*, each with a JSONPath (RFC 9535) `target`
//! and one of
//!
//! - `update`: merged into every node the target selects. An object is
//!   merged recursively (objects inside it too; any other value, arrays
//!   included, replaces the one it meets); a selected array gets the value
//!   appended as one more entry;
//! - `copy`: a JSONPath selecting exactly one node of the document, merged
//!   into every target like an `update` (Overlay 1.1);
//! - `remove: true`: every selected node is removed from its object or array.
//!
//! Every action says why (`description`) and what backs it
//! (`x-evidence`, at least one [`Evidence`]): a place in the pinned document,
//! a spec version of `../shared/spec/history/`, a line of
//! `../shared/wire/`, or an official SDK's type.
//!
//! Corrections are strict for the pinned spec: an action whose target
//! selects nothing, or that changes nothing (upstream fixed it), or whose
//! evidence in the pinned document no longer holds, stops generation. For
//! any other spec (the history check, `--allow-unpinned`) such actions are
//! skipped and reported.
//!
//! Two files hold them, applied in this order: `spec/corrections.yaml`,
//! written by hand, and `spec/corrections.derived.yaml`, which
//! `cargo xtask corrections` derives from the spec history (see
//! [`crate::history_rule`]).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::Error;

/// The correction files, relative to the workspace root, in the order they
/// are applied.
pub const CORRECTION_FILES: [&str; 2] = ["spec/corrections.yaml", "spec/corrections.derived.yaml"];

/// The Overlay versions this reader accepts.
const OVERLAY_VERSIONS: &[&str] = &["1.0.0", "1.1.0"];

/// Every correction, in the order it is applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Corrections {
    /// The overlay documents, in order.
    pub overlays: Vec<Overlay>,
}

/// One Overlay document (one file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// The Overlay specification version (`1.1.0`).
    pub overlay: String,
    /// What this overlay is.
    pub info: Info,
    /// The actions, applied in order.
    pub actions: Vec<Action>,
    /// Where the overlay was read from (not part of the format).
    #[serde(skip)]
    pub file: String,
}

/// The `info` of an overlay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Info {
    /// Its title.
    pub title: String,
    /// Its version.
    pub version: String,
}

/// One action of an overlay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// A JSONPath (RFC 9535) selecting the nodes to change.
    pub target: String,
    /// Why the document is wrong here.
    pub description: String,
    /// Merged into (or appended to) every selected node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<Value>,
    /// A JSONPath selecting one node of the document, merged like `update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
    /// Removes every selected node.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove: bool,
    /// What backs the correction.
    #[serde(rename = "x-evidence")]
    pub evidence: Vec<Evidence>,
}

/// What backs a correction. Exactly one of `pinned`, `history`, `wire` and
/// `sdk` says where the evidence is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// A JSON pointer into the pinned document, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<String>,
    /// A spec file of `../shared/spec/history/` (its file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<String>,
    /// A file of `../shared/wire/` (its file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<String>,
    /// An official SDK (`openai-python`, `openai-node`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    /// With `history`: a JSON pointer into that spec; with `wire`: into the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// With `wire`: the line (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// With `sdk`: the file of the type, in the SDK's repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// With `sdk`: the type or property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// The value expected at the pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Text the string at the pointer contains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub says: Option<String>,
    /// `true`: nothing is at the pointer (a property an older version lacks).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
}

/// Where a piece of evidence is, once checked for shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Source<'a> {
    /// In the pinned document.
    Pinned,
    /// In a spec of the history (file name).
    History(&'a str),
    /// In a line of a wire file.
    Wire {
        /// The file name.
        file: &'a str,
        /// The line, 1-based.
        line: usize,
    },
    /// An SDK's type (not checked by the generator).
    Sdk,
}

/// A JSON pointer and what the evidence expects there.
pub type Check<'a> = (&'a str, Expectation<'a>);

/// What a piece of evidence expects at its pointer.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation<'a> {
    /// This exact value.
    Value(&'a Value),
    /// A string containing this text.
    Says(&'a str),
    /// Nothing.
    Absent,
    /// Anything.
    Present,
}

impl Evidence {
    /// Where the evidence is and what it expects, or why the entry is malformed.
    pub fn source(&self) -> Result<(Source<'_>, Option<Check<'_>>), String> {
        let kinds = [
            self.pinned.is_some(),
            self.history.is_some(),
            self.wire.is_some(),
            self.sdk.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(
                "evidence names exactly one of `pinned`, `history`, `wire` and `sdk`".into(),
            );
        }
        let expectation = match (&self.value, &self.says, self.absent) {
            (Some(value), None, false) => Expectation::Value(value),
            (None, Some(text), false) => Expectation::Says(text),
            (None, None, true) => Expectation::Absent,
            (None, None, false) => Expectation::Present,
            _ => return Err("evidence expects at most one of `value`, `says` and `absent`".into()),
        };
        if let Some(pointer) = &self.pinned {
            return Ok((Source::Pinned, Some((pointer, expectation))));
        }
        if let Some(sdk) = &self.sdk {
            if self.file.is_none() {
                return Err(format!("evidence from {sdk} names the `file` of the type"));
            }
            return Ok((Source::Sdk, None));
        }
        let pointer = self
            .pointer
            .as_deref()
            .ok_or("evidence from a spec version or a wire file needs a `pointer`")?;
        if let Some(file) = &self.history {
            return Ok((Source::History(file), Some((pointer, expectation))));
        }
        let file = self.wire.as_deref().unwrap_or_default();
        let line = self
            .line
            .ok_or("evidence from a wire file needs its `line`")?;
        Ok((Source::Wire { file, line }, Some((pointer, expectation))))
    }

    /// Checks the evidence against `document` (the pinned spec, a history
    /// version or a wire line, whichever it names): `Err` says what is not
    /// there any more.
    pub fn holds_in(&self, document: &Value) -> Result<(), String> {
        let (_, Some((pointer, expectation))) = self.source()? else {
            return Ok(());
        };
        let found = document.pointer(pointer);
        match (expectation, found) {
            (Expectation::Value(expected), Some(found)) if found == expected => Ok(()),
            (Expectation::Value(expected), Some(found)) => {
                Err(format!("{pointer} is {}, not {expected}", brief(found)))
            }
            (Expectation::Says(text), Some(Value::String(found))) if found.contains(text) => Ok(()),
            (Expectation::Says(text), Some(_)) => Err(format!("{pointer} does not say {text:?}")),
            (Expectation::Absent, None) | (Expectation::Present, Some(_)) => Ok(()),
            (Expectation::Absent, Some(_)) => Err(format!("{pointer} is there")),
            (_, None) => Err(format!("{pointer} does not exist")),
        }
    }
}

/// Checks the evidence every correction takes from outside the pinned
/// document: each `history` entry against that spec version (in
/// `history_dir`), each `wire` entry against its line (in `wire_dir`).
/// Returns one message per piece of evidence that does not hold.
pub fn check_outside_evidence(
    corrections: &Corrections,
    history_dir: &std::path::Path,
    wire_dir: &std::path::Path,
) -> Vec<String> {
    let mut documents: std::collections::BTreeMap<String, Result<Value, String>> =
        std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    for (overlay, index, action) in corrections.actions() {
        for evidence in &action.evidence {
            let document = match evidence.source() {
                Ok((Source::History(file), _)) => documents
                    .entry(format!("history/{file}"))
                    .or_insert_with(|| {
                        let path = history_dir.join(file);
                        std::fs::read_to_string(&path)
                            .map_err(|e| format!("cannot read {}: {e}", path.display()))
                            .and_then(|text| {
                                crate::load::parse_yaml(&text).map_err(|e| e.to_string())
                            })
                    })
                    .clone(),
                Ok((Source::Wire { file, line }, _)) => {
                    let path = wire_dir.join(file);
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))
                        .and_then(|text| {
                            let text = text
                                .lines()
                                .nth(line.wrapping_sub(1))
                                .ok_or(format!("{file} has no line {line}"))?
                                .to_string();
                            serde_json::from_str(&text)
                                .map_err(|e| format!("{file}:{line} is not JSON: {e}"))
                        })
                }
                Ok(_) => continue,
                Err(reason) => Err(reason),
            };
            if let Err(reason) = document.and_then(|document| evidence.holds_in(&document)) {
                failures.push(format!(
                    "correction {}#{index}: evidence {}: {reason}",
                    overlay.file,
                    evidence.origin()
                ));
            }
        }
    }
    failures
}

impl Evidence {
    /// Where the evidence is, in words (`openapi-2025-04-29.yaml`, `beta-server.jsonl:12`).
    pub fn origin(&self) -> String {
        match self.source() {
            Ok((Source::Pinned, _)) => "in the pinned spec".into(),
            Ok((Source::History(file), _)) => file.to_string(),
            Ok((Source::Wire { file, line }, _)) => format!("{file}:{line}"),
            Ok((Source::Sdk, _)) => self.sdk.clone().unwrap_or_default(),
            Err(_) => "(malformed)".into(),
        }
    }
}

/// A value in an error message: short, and never a long text.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

impl Corrections {
    /// Reads the correction files of a workspace ([`CORRECTION_FILES`]; the
    /// derived one may be missing).
    pub fn read(workspace_root: &std::path::Path) -> Result<Self, Error> {
        let mut overlays = Vec::new();
        for (i, file) in CORRECTION_FILES.iter().enumerate() {
            let path = workspace_root.join(file);
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if i > 0 && e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(correction_error(file, None, format!("cannot read it: {e}")));
                }
            };
            overlays.push(Overlay::parse(&text, file)?);
        }
        Ok(Corrections { overlays })
    }

    /// Every action, with the file it comes from and its index there.
    pub fn actions(&self) -> impl Iterator<Item = (&Overlay, usize, &Action)> {
        self.overlays.iter().flat_map(|overlay| {
            overlay
                .actions
                .iter()
                .enumerate()
                .map(move |(i, action)| (overlay, i, action))
        })
    }

    /// Applies every action to `document` (before it is read by `openapiv3`).
    ///
    /// `strict` (for the pinned spec): the evidence in the document must
    /// hold and every action must change it, or this is an error. Otherwise
    /// (an older or unpinned spec) actions that do not fit are skipped and
    /// returned, so the caller can say which ones were not applied.
    pub fn apply(&self, document: &mut Value, strict: bool) -> Result<Report, Error> {
        if strict {
            for (overlay, index, action) in self.actions() {
                for evidence in &action.evidence {
                    if let (Source::Pinned, _) =
                        evidence.source().map_err(|r| overlay.error(index, r))?
                    {
                        evidence.holds_in(document).map_err(|reason| {
                            overlay.error(
                                index,
                                format!(
                                    "its evidence in the pinned spec no longer holds: {reason}"
                                ),
                            )
                        })?;
                    }
                }
            }
        }
        let mut report = Report::default();
        for (overlay, index, action) in self.actions() {
            match action.apply(document) {
                Ok(changed) => report.applied.push(Applied {
                    file: overlay.file.clone(),
                    index,
                    target: action.target.clone(),
                    description: action.description.clone(),
                    nodes: changed,
                }),
                Err(Misfit::Malformed(reason)) => return Err(overlay.error(index, reason)),
                Err(Misfit::DoesNotApply(reason)) if strict => {
                    return Err(overlay.error(
                        index,
                        format!("{reason}: upstream changed, review or remove the action"),
                    ));
                }
                Err(Misfit::DoesNotApply(reason)) => report.not_applied.push(NotApplied {
                    file: overlay.file.clone(),
                    index,
                    target: action.target.clone(),
                    reason,
                }),
            }
        }
        Ok(report)
    }
}

impl Corrections {
    /// Every action that would stop generation if `document` (as published)
    /// were the pinned spec, in words: its evidence in the document no
    /// longer holds, or its target selects or changes nothing. Where the
    /// strict [`Corrections::apply`] stops at the first, this lists them
    /// all (`cargo xtask spec update` reports them before moving the pin).
    pub fn misfits(&self, document: &Value) -> Result<Vec<String>, Error> {
        let mut misfits = Vec::new();
        for (overlay, index, action) in self.actions() {
            for evidence in &action.evidence {
                let source = evidence.source().map_err(|r| overlay.error(index, r))?;
                if let (Source::Pinned, _) = source
                    && let Err(reason) = evidence.holds_in(document)
                {
                    misfits.push(format!(
                        "{}#{index} ({}): its evidence no longer holds: {reason}",
                        overlay.file, action.target
                    ));
                }
            }
        }
        let report = self.apply(&mut document.clone(), false)?;
        for skipped in report.not_applied {
            misfits.push(format!(
                "{}#{} ({}): {}",
                skipped.file, skipped.index, skipped.target, skipped.reason
            ));
        }
        Ok(misfits)
    }
}

/// What applying the corrections did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The actions applied, in order.
    pub applied: Vec<Applied>,
    /// The actions skipped because they do not fit this spec (never for the pinned spec).
    pub not_applied: Vec<NotApplied>,
}

/// One applied action.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The file it comes from.
    pub file: String,
    /// Its index in that file's `actions`.
    pub index: usize,
    /// Its target.
    pub target: String,
    /// Its description.
    pub description: String,
    /// How many nodes it changed.
    pub nodes: usize,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = self.description.split(". ").next().unwrap_or_default();
        write!(
            f,
            "{}#{}: {} ({} node{})",
            self.file,
            self.index,
            summary.trim_end_matches('.'),
            self.nodes,
            if self.nodes == 1 { "" } else { "s" },
        )
    }
}

/// An action skipped for a spec it does not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct NotApplied {
    /// The file it comes from.
    pub file: String,
    /// Its index in that file's `actions`.
    pub index: usize,
    /// Its target.
    pub target: String,
    /// Why it does not apply.
    pub reason: String,
}

/// Why an action could not be applied.
enum Misfit {
    /// The action itself is wrong (always an error).
    Malformed(String),
    /// The action does not fit this document.
    DoesNotApply(String),
}

fn correction_error(file: &str, index: Option<usize>, reason: String) -> Error {
    Error::Correction {
        action: match index {
            Some(index) => format!("{file}#{index}"),
            None => file.to_string(),
        },
        reason,
    }
}

impl Overlay {
    /// Parses an overlay file's text (`file` names it in errors).
    pub fn parse(text: &str, file: &str) -> Result<Self, Error> {
        let mut overlay: Overlay = serde_yaml_ng::from_str(text)
            .map_err(|e| correction_error(file, None, e.to_string()))?;
        overlay.file = file.to_string();
        if !OVERLAY_VERSIONS.contains(&overlay.overlay.as_str()) {
            return Err(correction_error(
                file,
                None,
                format!(
                    "Overlay version {} is not one of {OVERLAY_VERSIONS:?}",
                    overlay.overlay
                ),
            ));
        }
        for (index, action) in overlay.actions.iter().enumerate() {
            action.check().map_err(|r| overlay.error(index, r))?;
        }
        Ok(overlay)
    }

    fn error(&self, index: usize, reason: String) -> Error {
        correction_error(&self.file, Some(index), reason)
    }
}

impl Action {
    /// The action's shape: one modifier, parseable paths, evidence.
    fn check(&self) -> Result<(), String> {
        let modifiers = [self.update.is_some(), self.copy.is_some(), self.remove];
        if modifiers.iter().filter(|m| **m).count() != 1 {
            return Err("an action has exactly one of `update`, `copy` and `remove: true`".into());
        }
        parse_path(&self.target)?;
        if let Some(copy) = &self.copy {
            parse_path(copy)?;
        }
        if self.description.trim().is_empty() {
            return Err("an action says why, in its `description`".into());
        }
        if self.evidence.is_empty() {
            return Err("an action names its evidence (`x-evidence`)".into());
        }
        for evidence in &self.evidence {
            evidence.source()?;
        }
        Ok(())
    }

    /// Applies the action; the number of nodes it changed.
    fn apply(&self, document: &mut Value) -> Result<usize, Misfit> {
        let target = parse_path(&self.target).map_err(Misfit::Malformed)?;
        let pointers: Vec<String> = target
            .query_located(document)
            .locations()
            .map(|location| location.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            return Err(Misfit::DoesNotApply(format!(
                "its target {} selects nothing",
                self.target
            )));
        }
        if self.remove {
            remove_all(document, &pointers);
            return Ok(pointers.len());
        }
        let update = match (&self.update, &self.copy) {
            (Some(update), _) => update.clone(),
            (None, Some(copy)) => {
                let source = parse_path(copy).map_err(Misfit::Malformed)?;
                match source.query(document).all().as_slice() {
                    [only] => (*only).clone(),
                    found => {
                        return Err(Misfit::DoesNotApply(format!(
                            "its copy source {copy} selects {} nodes, not one",
                            found.len()
                        )));
                    }
                }
            }
            (None, None) => return Err(Misfit::Malformed("the action changes nothing".into())),
        };
        let mut changed = 0;
        for pointer in &pointers {
            let Some(node) = document.pointer_mut(pointer) else {
                continue;
            };
            let before = node.clone();
            match (node, &update) {
                (Value::Array(items), entry) => items.push(entry.clone()),
                (node @ Value::Object(_), Value::Object(_)) => merge(node, &update),
                (_, _) => {
                    return Err(Misfit::Malformed(format!(
                        "{pointer} is neither an object to merge an object into nor an array to append to"
                    )));
                }
            }
            if document.pointer(pointer) != Some(&before) {
                changed += 1;
            }
        }
        if changed == 0 {
            return Err(Misfit::DoesNotApply(format!(
                "it changes nothing at {}: the document already says so",
                self.target
            )));
        }
        Ok(changed)
    }
}

fn parse_path(path: &str) -> Result<JsonPath, String> {
    JsonPath::parse(path).map_err(|e| format!("{path} is not a JSONPath: {e}"))
}

/// Merges `update` into `node`: objects recursively, anything else replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(node), Value::Object(update)) => {
            for (key, value) in update {
                match node.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        node.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (node, update) => *node = update.clone(),
    }
}

/// Removes the nodes at `pointers` (array entries from the last one, so
/// that earlier indices stay valid).
fn remove_all(document: &mut Value, pointers: &[String]) {
    let mut sorted: Vec<(&str, &str)> =
        pointers.iter().filter_map(|p| p.rsplit_once('/')).collect();
    // Deeper and later entries first.
    sorted.sort_by(|a, b| {
        let index = |s: &str| s.parse::<usize>().ok();
        b.0.cmp(a.0).then(index(b.1).cmp(&index(a.1)))
    });
    for (parent, key) in sorted {
        let key = key.replace("~1", "/").replace("~0", "~");
        match document.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.shift_remove(&key);
            }
            Some(Value::Array(items)) => {
                if let Ok(index) = key.parse::<usize>()
                    && index < items.len()
                {
                    items.remove(index);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: &str) -> Overlay {
        let text = format!("overlay: 1.1.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}");
        Overlay::parse(&text, "test.yaml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn corrections(actions: &str) -> Corrections {
        Corrections {
            overlays: vec![overlay(actions)],
        }
    }

    const EVIDENCE: &str = "    x-evidence: [{sdk: openai-python, file: f.py}]\n";

    #[test]
    fn misfits_lists_every_action_that_would_stop_a_pinned_generation() {
        let corrections = corrections(&format!(
            "  - target: $.components.schemas.Gone
    description: d
    remove: true
{EVIDENCE}  - target: $.components.schemas.S
    description: d
    update: {{description: x}}
    x-evidence: [{{pinned: /components/schemas/S/required/0, value: z}}]
  - target: $.components.schemas.T
    description: d
    update: {{description: x}}
{EVIDENCE}"
        ));
        let misfits = corrections.misfits(&document()).unwrap();
        assert_eq!(misfits.len(), 2, "{misfits:?}");
        assert!(
            misfits[0].starts_with("test.yaml#1 ($.components.schemas.S): its evidence"),
            "{misfits:?}"
        );
        assert!(
            misfits[1].starts_with("test.yaml#0 ($.components.schemas.Gone)"),
            "{misfits:?}"
        );
    }

    fn document() -> Value {
        json!({"components": {"schemas": {
            "S": {"required": ["a", "b"], "properties": {"a": {"type": "string"}, "t": {"enum": ["x.y"]}}},
            "T": {"properties": {"a": {"type": "integer"}}}
        }}})
    }

    #[test]
    fn remove_takes_an_entry_out_of_an_array() {
        let mut doc = document();
        let c = corrections(&format!(
            "  - target: $.components.schemas.S.required[?@ == 'a']\n    description: d\n    remove: true\n{EVIDENCE}"
        ));
        let report = c.apply(&mut doc, true).unwrap();
        assert_eq!(report.applied.len(), 1);
        assert_eq!(
            doc.pointer("/components/schemas/S/required"),
            Some(&json!(["b"]))
        );
    }

    #[test]
    fn update_merges_objects_recursively_and_replaces_arrays() {
        let mut doc = document();
        let c = corrections(&format!(
            "  - target: $.components.schemas.S\n    description: d\n    update: {{properties: {{t: {{enum: [x.z]}}, n: {{type: number}}}}}}\n{EVIDENCE}"
        ));
        c.apply(&mut doc, true).unwrap();
        let s = doc.pointer("/components/schemas/S").unwrap();
        assert_eq!(s.pointer("/properties/t/enum"), Some(&json!(["x.z"])));
        assert_eq!(s.pointer("/properties/n"), Some(&json!({"type": "number"})));
        assert_eq!(
            s.pointer("/properties/a"),
            Some(&json!({"type": "string"})),
            "kept"
        );
    }

    #[test]
    fn update_of_an_array_appends_the_value() {
        let mut doc = document();
        let c = corrections(&format!(
            "  - target: $.components.schemas.S.required\n    description: d\n    update: c\n{EVIDENCE}"
        ));
        c.apply(&mut doc, true).unwrap();
        assert_eq!(
            doc.pointer("/components/schemas/S/required"),
            Some(&json!(["a", "b", "c"]))
        );
    }

    #[test]
    fn copy_merges_one_node_of_the_document_into_the_target() {
        let mut doc = document();
        let c = corrections(&format!(
            "  - target: $.components.schemas.T.properties\n    description: d\n    copy: $.components.schemas.S.properties\n{EVIDENCE}"
        ));
        c.apply(&mut doc, true).unwrap();
        assert_eq!(
            doc.pointer("/components/schemas/T/properties"),
            Some(&json!({"a": {"type": "string"}, "t": {"enum": ["x.y"]}}))
        );
    }

    #[test]
    fn a_target_that_selects_nothing_fails_for_the_pinned_spec_and_is_skipped_otherwise() {
        let c = corrections(&format!(
            "  - target: $.components.schemas.Gone\n    description: d\n    remove: true\n{EVIDENCE}"
        ));
        let error = c.apply(&mut document(), true).unwrap_err();
        assert!(error.to_string().contains("selects nothing"), "{error}");
        assert!(error.to_string().contains("test.yaml#0"), "{error}");
        let report = c.apply(&mut document(), false).unwrap();
        assert_eq!(report.not_applied.len(), 1);
        assert!(report.applied.is_empty());
    }

    #[test]
    fn an_update_upstream_already_made_fails_for_the_pinned_spec() {
        let c = corrections(&format!(
            "  - target: $.components.schemas.S.properties.a\n    description: d\n    update: {{type: string}}\n{EVIDENCE}"
        ));
        let error = c.apply(&mut document(), true).unwrap_err();
        assert!(error.to_string().contains("changes nothing"), "{error}");
    }

    #[test]
    fn pinned_evidence_must_hold() {
        let c = corrections(
            "  - target: $.components.schemas.S.properties.a\n    description: d\n    update: {type: number}\n    x-evidence: [{pinned: /components/schemas/T/properties/a/type, value: integer}]\n",
        );
        c.apply(&mut document(), true).unwrap();
        let stale = corrections(
            "  - target: $.components.schemas.S.properties.a\n    description: d\n    update: {type: number}\n    x-evidence: [{pinned: /components/schemas/T/properties/a/type, value: string}]\n",
        );
        let error = stale.apply(&mut document(), true).unwrap_err();
        assert!(error.to_string().contains("no longer holds"), "{error}");
    }

    #[test]
    fn evidence_checks_values_texts_and_absence() {
        let doc = json!({"a": "the key returned by the API", "n": 1});
        let evidence = |yaml: &str| -> Evidence { serde_yaml_ng::from_str(yaml).unwrap() };
        assert!(
            evidence("{pinned: /a, says: returned by}")
                .holds_in(&doc)
                .is_ok()
        );
        assert!(
            evidence("{pinned: /a, says: sent by}")
                .holds_in(&doc)
                .is_err()
        );
        assert!(evidence("{pinned: /n, value: 1}").holds_in(&doc).is_ok());
        assert!(evidence("{pinned: /n, value: 2}").holds_in(&doc).is_err());
        assert!(
            evidence("{pinned: /m, absent: true}")
                .holds_in(&doc)
                .is_ok()
        );
        assert!(
            evidence("{pinned: /n, absent: true}")
                .holds_in(&doc)
                .is_err()
        );
        assert!(evidence("{pinned: /m}").holds_in(&doc).is_err());
    }

    #[test]
    fn malformed_actions_are_rejected_with_their_place() {
        let text = |action: &str| {
            format!("overlay: 1.1.0\ninfo: {{title: t, version: '1'}}\nactions:\n{action}")
        };
        let cases = [
            (
                "  - {target: $.a, description: d, x-evidence: [{sdk: p, file: f}]}\n",
                "exactly one of `update`",
            ),
            (
                "  - {target: $.a, description: d, remove: true, update: {}, x-evidence: [{sdk: p, file: f}]}\n",
                "exactly one of `update`",
            ),
            (
                "  - {target: 'a.b', description: d, remove: true, x-evidence: [{sdk: p, file: f}]}\n",
                "not a JSONPath",
            ),
            (
                "  - {target: $.a, description: d, remove: true, x-evidence: []}\n",
                "evidence",
            ),
            (
                "  - {target: $.a, description: ' ', remove: true, x-evidence: [{sdk: p, file: f}]}\n",
                "says why",
            ),
            (
                "  - {target: $.a, description: d, remove: true, x-evidence: [{sdk: p}]}\n",
                "`file`",
            ),
            (
                "  - {target: $.a, description: d, remove: true, x-evidence: [{history: h.yaml}]}\n",
                "`pointer`",
            ),
            (
                "  - {target: $.a, description: d, remove: true, x-evidence: [{pinned: /a, history: h}]}\n",
                "exactly one of `pinned`",
            ),
            (
                "  - {target: $.a, description: d, remove: true, x-evidence: [{wire: w, pointer: /a}]}\n",
                "`line`",
            ),
        ];
        for (action, expected) in cases {
            let error = Overlay::parse(&text(action), "c.yaml")
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{action}: {error}");
            assert!(error.contains("c.yaml#0"), "{error}");
        }
        let unknown_key = text(
            "  - {target: $.a, description: d, remove: true, x-evidence: [{sdk: p, file: f}], optional: [x]}\n",
        );
        assert!(Overlay::parse(&unknown_key, "c.yaml").is_err());
        let version = "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n";
        assert!(
            Overlay::parse(version, "c.yaml")
                .unwrap_err()
                .to_string()
                .contains("Overlay version")
        );
    }

    #[test]
    fn removing_several_entries_of_one_array_removes_each() {
        let mut doc = json!({"r": ["a", "b", "c", "d"]});
        remove_all(&mut doc, &["/r/1".into(), "/r/3".into()]);
        assert_eq!(doc, json!({"r": ["a", "c"]}));
    }
}
