//! The report as Markdown (for people, release notes and the CHANGELOG)
//! and as JSON (for tools).

use std::fmt::Write as _;

use super::{Change, ChangeKind, Impact, Report, Side, SurfaceReport};

/// The report as pretty-printed JSON (the serde form of [`Report`]).
pub fn to_json(report: &Report) -> String {
    // A report is strings, numbers and enums: serialising it cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_default()
}

/// The report as Markdown; its title is a heading of `level` (1 = `#`),
/// each surface one level below.
pub fn to_markdown(report: &Report, level: usize) -> String {
    let heading = "#".repeat(level.max(1));
    let mut out = String::new();
    let _ = writeln!(out, "{heading} Spec {} → {}\n", report.old, report.new);
    if report.is_empty() {
        out.push_str("No change for users of the generated types.\n");
        return out;
    }
    let count = |impact: Impact| report.changes().filter(|(_, c)| c.impact == impact).count();
    let _ = writeln!(
        out,
        "Version bump: **{}** ({} → {}): {} breaking, {} additive, {} documentation-only changes.",
        report.bump.label(),
        report.version,
        report.next_version,
        count(Impact::Breaking),
        count(Impact::Additive),
        count(Impact::Cosmetic),
    );
    for surface in &report.surfaces {
        let _ = writeln!(out, "\n{heading}# `{}`\n", surface.surface);
        surface_markdown(surface, &mut out);
    }
    out
}

fn surface_markdown(surface: &SurfaceReport, out: &mut String) {
    if surface.changes.is_empty() {
        out.push_str("No change.\n");
        return;
    }
    let _ = writeln!(out, "{}", summary(surface));
    for (impact, title) in [
        (Impact::Breaking, "Breaking"),
        (Impact::Additive, "Additive"),
    ] {
        let changes: Vec<&Change> = surface
            .changes
            .iter()
            .filter(|c| c.impact == impact)
            .collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}:\n");
        for change in changes {
            let _ = writeln!(out, "- {}", describe(change));
        }
    }
    let cosmetic: Vec<&Change> = surface
        .changes
        .iter()
        .filter(|c| c.impact == Impact::Cosmetic)
        .collect();
    if !cosmetic.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>{} documentation-only change{}</summary>\n",
            cosmetic.len(),
            if cosmetic.len() == 1 { "" } else { "s" }
        );
        for change in cosmetic {
            let _ = writeln!(out, "- {}", describe(change));
        }
        out.push_str("\n</details>\n");
    }
}

/// A group of the summary line: its name, and the change kinds counted as
/// added, as removed and as changed.
type SummaryGroup = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// One line of counts: `events +1 −0, types +2 −0, ...`, leaving out
/// what did not change.
fn summary(surface: &SurfaceReport) -> String {
    let count = |keys: &[&str]| -> usize {
        keys.iter()
            .map(|k| surface.counts.get(k).copied().unwrap_or(0))
            .sum()
    };
    let groups: [SummaryGroup; 5] = [
        (
            "events",
            &["event_added"],
            &["event_removed"],
            &["event_renamed", "event_moved", "event_boxing"],
        ),
        (
            "types",
            &["type_added"],
            &["type_removed"],
            &["shape_changed", "default_added", "default_removed"],
        ),
        (
            "fields",
            &["field_added", "constant_added"],
            &["field_removed", "constant_removed"],
            &[
                "required_changed",
                "nullable_changed",
                "field_type_changed",
                "field_renamed",
                "constant_changed",
            ],
        ),
        (
            "union members",
            &["variant_added"],
            &["variant_removed"],
            &["variant_type_changed"],
        ),
        (
            "enum values",
            &["enum_value_added"],
            &["enum_value_removed"],
            &[],
        ),
    ];
    let mut parts = Vec::new();
    for (name, added, removed, changed) in groups {
        let (added, removed, changed) = (count(added), count(removed), count(changed));
        if added + removed + changed == 0 {
            continue;
        }
        let mut part = format!("{name} +{added} −{removed}");
        if changed > 0 {
            let _ = write!(part, " ~{changed}");
        }
        parts.push(part);
    }
    let docs = count(&["description_changed", "schema_name_changed"]);
    if docs > 0 {
        parts.push(format!("documentation {docs}"));
    }
    format!("Changes: {}.", parts.join(", "))
}

fn side(side: Side) -> &'static str {
    match side {
        Side::Client => "client",
        Side::Server => "server",
    }
}

fn presence(required: bool, nullable: bool) -> &'static str {
    match (required, nullable) {
        (true, false) => "required",
        (true, true) => "required, nullable",
        (false, false) => "optional",
        (false, true) => "optional, nullable",
    }
}

/// One change in words.
pub fn describe(change: &Change) -> String {
    let item = format!("`{}`", change.item);
    match &change.kind {
        ChangeKind::SurfaceAdded => format!("surface {item} added"),
        ChangeKind::SurfaceRemoved => format!("surface {item} removed"),
        ChangeKind::EventAdded {
            side: s,
            event_type,
        } => format!("{} event `{event_type}` added ({item})", side(*s)),
        ChangeKind::EventRemoved {
            side: s,
            event_type,
        } => format!("{} event `{event_type}` removed ({item})", side(*s)),
        ChangeKind::EventRenamed { side: s, from, to } => {
            format!("{} event `{from}` renamed `{to}` ({item})", side(*s))
        }
        ChangeKind::EventMoved {
            side: s,
            event_type,
            from_schema,
            to_schema,
        } => format!(
            "{} event `{event_type}` now comes from the schema `{to_schema}` (was `{from_schema}`)",
            side(*s)
        ),
        ChangeKind::EventBoxing {
            side: s,
            event_type,
            boxed,
        } => format!(
            "{} event `{event_type}` {} in its variant",
            side(*s),
            if *boxed { "boxed" } else { "no longer boxed" }
        ),
        ChangeKind::TypeAdded { shape } => format!("type {item} added ({})", shape.label()),
        ChangeKind::TypeRemoved { shape } => format!("type {item} removed ({})", shape.label()),
        ChangeKind::ShapeChanged { from, to } => {
            format!("{item} is now a {} (was a {})", to.label(), from.label())
        }
        ChangeKind::FieldAdded {
            field,
            required,
            nullable,
        } => format!(
            "{item}: field `{field}` added ({})",
            presence(*required, *nullable)
        ),
        ChangeKind::FieldRemoved { field } => format!("{item}: field `{field}` removed"),
        ChangeKind::RequiredChanged { field, required } => format!(
            "{item}: field `{field}` is now {}",
            if *required { "required" } else { "optional" }
        ),
        ChangeKind::NullableChanged { field, nullable } => format!(
            "{item}: field `{field}` is {}",
            if *nullable {
                "now nullable"
            } else {
                "no longer nullable"
            }
        ),
        ChangeKind::FieldTypeChanged { field, from, to } if field.is_empty() => {
            format!("{item} now stands for `{to}` (was `{from}`)")
        }
        ChangeKind::FieldTypeChanged { field, from, to } => {
            format!("{item}: field `{field}` is now `{to}` (was `{from}`)")
        }
        ChangeKind::FieldRenamed { field, from, to } => {
            format!("{item}: field `{field}` is now `{to}` in Rust (was `{from}`)")
        }
        ChangeKind::ConstantAdded { name, value } => {
            format!("{item}: constant `{name}` = `{value}` added")
        }
        ChangeKind::ConstantRemoved { name, value } => {
            format!("{item}: constant `{name}` = `{value}` removed")
        }
        ChangeKind::ConstantChanged { name, from, to } => {
            format!("{item}: constant `{name}` is now `{to}` (was `{from}`)")
        }
        ChangeKind::DefaultAdded => format!("{item} now implements `Default`"),
        ChangeKind::DefaultRemoved => format!("{item} no longer implements `Default`"),
        ChangeKind::VariantAdded { variant } => format!("{item}: member `{variant}` added"),
        ChangeKind::VariantRemoved { variant } => format!("{item}: member `{variant}` removed"),
        ChangeKind::VariantTypeChanged { variant, from, to } => {
            format!("{item}: member `{variant}` now holds `{to}` (was `{from}`)")
        }
        ChangeKind::EnumValueAdded { value } => format!("{item}: value `{value}` added"),
        ChangeKind::EnumValueRemoved { value } => format!("{item}: value `{value}` removed"),
        ChangeKind::DescriptionChanged { field: None } => format!("{item}: description"),
        ChangeKind::DescriptionChanged { field: Some(field) } => {
            format!("{item}: description of `{field}`")
        }
        ChangeKind::BoundsChanged { field, from, to } => {
            let shown = |bounds: &str| {
                if bounds.is_empty() {
                    "none".to_string()
                } else {
                    bounds.to_string()
                }
            };
            format!(
                "{item}: bounds of `{field}` {} (were {})",
                shown(to),
                shown(from)
            )
        }
        ChangeKind::SchemaNameChanged { from, to } => {
            format!("{item}: JSON Schema name `{to}` (was `{from}`)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Bump;
    use std::collections::BTreeMap;

    fn report(changes: Vec<Change>) -> Report {
        let mut counts = BTreeMap::new();
        for change in &changes {
            *counts.entry(change.kind.key()).or_insert(0) += 1;
        }
        let impact = changes.iter().map(|c| c.impact).max();
        Report {
            old: "old".into(),
            new: "new".into(),
            surfaces: vec![SurfaceReport {
                surface: "ga".into(),
                counts,
                changes,
            }],
            impact,
            bump: Bump::Patch,
            version: "0.1.0".into(),
            next_version: "0.1.1".into(),
        }
    }

    fn added_field() -> Change {
        Change {
            item: "ga::Session".into(),
            kind: ChangeKind::FieldAdded {
                field: "languages".into(),
                required: false,
                nullable: false,
            },
            impact: Impact::Additive,
            pointer: "/components/schemas/S/properties/languages".into(),
        }
    }

    #[test]
    fn an_empty_report_says_so() {
        let markdown = to_markdown(&report(Vec::new()), 2);
        assert_eq!(
            markdown,
            "## Spec old → new\n\nNo change for users of the generated types.\n"
        );
    }

    #[test]
    fn markdown_lists_changes_under_their_impact_and_counts_documentation_apart() {
        let docs = Change {
            item: "ga::Session".into(),
            kind: ChangeKind::DescriptionChanged { field: None },
            impact: Impact::Cosmetic,
            pointer: "/components/schemas/S".into(),
        };
        let markdown = to_markdown(&report(vec![added_field(), docs]), 3);
        assert!(markdown.starts_with("### Spec old → new\n"), "{markdown}");
        assert!(markdown.contains("\n#### `ga`\n"), "{markdown}");
        assert!(
            markdown.contains("Changes: fields +1 −0, documentation 1."),
            "{markdown}"
        );
        assert!(
            markdown.contains("Additive:\n\n- `ga::Session`: field `languages` added (optional)\n"),
            "{markdown}"
        );
        assert!(!markdown.contains("Breaking:"), "{markdown}");
        assert!(
            markdown.contains("<summary>1 documentation-only change</summary>"),
            "{markdown}"
        );
    }

    #[test]
    fn json_names_each_change_by_kind_with_its_details() {
        let json: serde_json::Value =
            serde_json::from_str(&to_json(&report(vec![added_field()]))).unwrap();
        assert_eq!(
            json["surfaces"][0]["changes"][0],
            serde_json::json!({
                "item": "ga::Session",
                "change": "field_added",
                "field": "languages",
                "required": false,
                "nullable": false,
                "impact": "additive",
                "pointer": "/components/schemas/S/properties/languages",
            })
        );
        assert_eq!(json["bump"], "patch");
    }
}
