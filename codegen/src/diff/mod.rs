//! What changed for this crate's users between two spec versions: a pass
//! over two models ([`crate::Model`], after lowering, corrections and
//! naming: what the generated Rust API is made from), not over the YAML.
//!
//! [`compare`] walks each surface (`ga`, `beta`, `translation`) of both
//! models (the `collect` and `types` modules), classifies every change by
//! what it does to the generated Rust API ([`classify::impact`]) and
//! derives the version bump ([`Bump`]); [`render`] writes the report as Markdown (release notes, the
//! `realtime-types` CHANGELOG) or JSON (tools).
//!
//! # What is compared
//!
//! Per surface, everything its event unions reach, by the Rust path a user
//! writes (`ga::server::ResponseDone`, `ga::Session`, `ga::TurnDetection`
//! for a `shared` type `ga` re-exports). A type several surfaces reach is
//! listed under each of them, as each surface's users see the change.
//!
//! - events, by direction and `type` value: added, removed, renamed (the
//!   same schema now has another `type` value), moved (the same `type` value
//!   now comes from another schema), boxed or unboxed in its variant;
//! - types, by Rust path: added, removed (an event's payload is reported
//!   with its event, not again as a type), or of another shape;
//! - struct fields, by wire name: added, removed, required ↔ optional,
//!   nullable or not, another Rust type (boxing included), another Rust
//!   name; constants (single-valued properties) added, removed or changed;
//!   `Default` gained or lost;
//! - members of the other unions (by tag value or JSON kind) and values of
//!   string enums: added, removed, or (tagged unions) another payload type;
//! - descriptions, numeric bounds and JSON Schema names: changes that leave
//!   the Rust API as it is, counted apart ([`Impact::Cosmetic`]).
//!
//! # How changes are classified
//!
//! The rules assume the documented ways of using the crate: structs are
//! built with `new`, `with_..` and `Default` (not struct literals), and
//! matches on unions and enums end with a wildcard arm (every tagged union
//! has `Unknown`, every string enum `Other`: a value this version does not
//! know always decodes). [`classify::impact`] implements this table:
//!
//! | change | impact | why |
//! |---|---|---|
//! | surface added | additive | a new module |
//! | surface removed | breaking | its module is gone |
//! | event added (client or server) | additive | a new variant (and send method); before, the server's event decoded as `Unknown` |
//! | event removed | breaking | its variant, payload type and send method are gone |
//! | event renamed (`type` value changed) | breaking | the variant and payload type take the new name |
//! | event moved to another schema | cosmetic | same variant and payload; only its JSON Schema name changes |
//! | event boxed or unboxed | breaking | the variant holds `Box<T>` instead of `T`, or the reverse |
//! | type added | additive | a new name |
//! | type removed | breaking | code naming it no longer compiles |
//! | type of another shape (struct ↔ enum ...) | breaking | its whole API changes |
//! | optional field added | additive | a new `Option` field and its `with_..` setter; frames without it decode |
//! | required field added | breaking | `new` takes one more argument, and frames without it no longer decode |
//! | field removed | breaking | code reading or setting it no longer compiles |
//! | field required ↔ optional | breaking | `T` ↔ `Option<T>`, and `new` gains or loses a parameter |
//! | field nullable or no longer nullable | breaking | one `Option` more or less around its value |
//! | field of another Rust type, or renamed | breaking | code using it no longer compiles |
//! | constant added, removed or changed | breaking | frames without it (or with the old value) no longer decode |
//! | `Default` gained | additive | one more trait implementation |
//! | `Default` lost | breaking | `Default::default()` no longer compiles |
//! | union member or enum value added | additive | a new variant; before, the value decoded as `Unknown` / `Other` |
//! | union member or enum value removed | breaking | its variant is gone |
//! | union member of another payload type | breaking | the variant holds another type |
//! | description changed | cosmetic | documentation only |
//! | JSON Schema name changed | cosmetic | only `json_schema()` output changes |
//! | numeric bounds of a field changed | cosmetic | the decoders accept any number; only the schema's `x-spec-bounds` annotation (and checkers such as the mock) change |
//!
//! The version bump follows the most severe change ([`Bump::for_impact`]):
//! below 1.0, breaking → minor and anything else → patch; from 1.0 on,
//! breaking → major, additive → minor, cosmetic → patch.

pub mod classify;
mod collect;
pub mod render;
mod types;

use serde::Serialize;

use crate::error::Error;
use crate::ir::TypeSpace;

pub use classify::{Bump, CrateVersion, Impact};

/// The change report between two models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// What the old model was made from (a label the caller gives: a
    /// commit, a file name).
    pub old: String,
    /// What the new model was made from.
    pub new: String,
    /// One entry per surface of either model: the new model's surfaces in
    /// output order, then the surfaces only the old one has.
    pub surfaces: Vec<SurfaceReport>,
    /// The most severe impact of any change; `None` when nothing changed.
    pub impact: Option<Impact>,
    /// The version bump the changes call for.
    pub bump: Bump,
    /// The crate version the bump starts from.
    pub version: String,
    /// The version after the bump (the same when nothing changed).
    pub next_version: String,
}

/// The changes of one surface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurfaceReport {
    /// The surface module (`ga`, `beta`, `translation`).
    pub surface: String,
    /// How many changes of each kind (keyed by [`ChangeKind::key`]), sorted.
    pub counts: std::collections::BTreeMap<&'static str, usize>,
    /// The changes, sorted by item, then kind.
    pub changes: Vec<Change>,
}

/// One change of what a surface's users see.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// The Rust item concerned (`ga::server::ResponseDone`, `ga::Session`);
    /// for a surface, its module.
    pub item: String,
    /// What changed.
    #[serde(flatten)]
    pub kind: ChangeKind,
    /// What it does to the Rust API.
    pub impact: Impact,
    /// The JSON pointer of the schema concerned in the new spec (in the old
    /// one for what was removed).
    pub pointer: String,
}

/// Who sends an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The client (a `ClientEvent`).
    Client,
    /// The server (a `ServerEvent`).
    Server,
}

/// The shape of a type (see [`crate::ir::TypeKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A struct.
    Struct,
    /// A union told apart by a tag property.
    TaggedUnion,
    /// A union told apart by JSON kind.
    KindUnion,
    /// A string enum.
    StringEnum,
    /// A type alias.
    Alias,
}

impl Shape {
    /// The words for it (`string enum`).
    pub fn label(self) -> &'static str {
        match self {
            Shape::Struct => "struct",
            Shape::TaggedUnion => "tagged union",
            Shape::KindUnion => "kind union",
            Shape::StringEnum => "string enum",
            Shape::Alias => "alias",
        }
    }
}

/// What changed (see the table in the [module documentation](self)).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ChangeKind {
    /// The new spec has this surface, the old one does not.
    SurfaceAdded,
    /// The old spec has this surface, the new one does not.
    SurfaceRemoved,
    /// An event `type` the surface did not have.
    EventAdded {
        /// Who sends it.
        side: Side,
        /// Its `type` value.
        event_type: String,
    },
    /// An event `type` the surface no longer has.
    EventRemoved {
        /// Who sent it.
        side: Side,
        /// Its `type` value.
        event_type: String,
    },
    /// The same event schema with another `type` value.
    EventRenamed {
        /// Who sends it.
        side: Side,
        /// The old `type` value.
        from: String,
        /// The new `type` value.
        to: String,
    },
    /// The same `type` value, from another schema.
    EventMoved {
        /// Who sends it.
        side: Side,
        /// Its `type` value.
        event_type: String,
        /// The old schema (component name).
        from_schema: String,
        /// The new schema.
        to_schema: String,
    },
    /// The event's variant now holds its payload in a `Box`, or no longer.
    EventBoxing {
        /// Who sends it.
        side: Side,
        /// Its `type` value.
        event_type: String,
        /// Whether it is boxed now.
        boxed: bool,
    },
    /// A type the surface did not reach.
    TypeAdded {
        /// Its shape.
        shape: Shape,
    },
    /// A type the surface no longer reaches.
    TypeRemoved {
        /// Its shape.
        shape: Shape,
    },
    /// A type of another shape.
    ShapeChanged {
        /// The old shape.
        from: Shape,
        /// The new shape.
        to: Shape,
    },
    /// A struct field the type did not have.
    FieldAdded {
        /// Its wire name.
        field: String,
        /// Whether it must be present.
        required: bool,
        /// Whether it may be `null`.
        nullable: bool,
    },
    /// A struct field the type no longer has.
    FieldRemoved {
        /// Its wire name.
        field: String,
    },
    /// A field became required, or optional.
    RequiredChanged {
        /// Its wire name.
        field: String,
        /// Whether it is required now.
        required: bool,
    },
    /// A field became nullable, or no longer is.
    NullableChanged {
        /// Its wire name.
        field: String,
        /// Whether it is nullable now.
        nullable: bool,
    },
    /// A field holds another Rust type.
    FieldTypeChanged {
        /// Its wire name.
        field: String,
        /// The old Rust type.
        from: String,
        /// The new Rust type.
        to: String,
    },
    /// A field has another Rust name.
    FieldRenamed {
        /// Its wire name.
        field: String,
        /// The old Rust name.
        from: String,
        /// The new Rust name.
        to: String,
    },
    /// A constant (single-valued property) the struct did not have.
    ConstantAdded {
        /// Its wire name.
        name: String,
        /// Its value.
        value: String,
    },
    /// A constant the struct no longer has.
    ConstantRemoved {
        /// Its wire name.
        name: String,
        /// Its value.
        value: String,
    },
    /// A constant with another value.
    ConstantChanged {
        /// Its wire name.
        name: String,
        /// The old value.
        from: String,
        /// The new value.
        to: String,
    },
    /// The struct derives `Default` now.
    DefaultAdded,
    /// The struct no longer derives `Default`.
    DefaultRemoved,
    /// A member of a (non-event) union, by tag value or JSON kind.
    VariantAdded {
        /// The tag value, or the JSON kind and type.
        variant: String,
    },
    /// A member the union no longer has.
    VariantRemoved {
        /// The tag value, or the JSON kind and type.
        variant: String,
    },
    /// A member of a tagged union holds another type.
    VariantTypeChanged {
        /// The tag value.
        variant: String,
        /// The old payload type.
        from: String,
        /// The new payload type.
        to: String,
    },
    /// A value of a string enum.
    EnumValueAdded {
        /// The wire value.
        value: String,
    },
    /// A value the string enum no longer has.
    EnumValueRemoved {
        /// The wire value.
        value: String,
    },
    /// The description of the type (or of one of its fields) changed.
    DescriptionChanged {
        /// The field's wire name; `None` for the type's own description.
        field: Option<String>,
    },
    /// The numeric bounds of a field changed (`speed` from at most 1.5 to
    /// at most 2): the decoders accept any number, so only the JSON
    /// Schema's annotation, and checkers such as the mock, see it.
    BoundsChanged {
        /// The field's wire name.
        field: String,
        /// The old bounds (`minimum 0.25, maximum 1.5`; empty for none).
        from: String,
        /// The new bounds.
        to: String,
    },
    /// The type's JSON Schema name (its spec name) changed.
    SchemaNameChanged {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
}

impl ChangeKind {
    /// The kind's name, as in the JSON report (`field_added`).
    pub fn key(&self) -> &'static str {
        match self {
            ChangeKind::SurfaceAdded => "surface_added",
            ChangeKind::SurfaceRemoved => "surface_removed",
            ChangeKind::EventAdded { .. } => "event_added",
            ChangeKind::EventRemoved { .. } => "event_removed",
            ChangeKind::EventRenamed { .. } => "event_renamed",
            ChangeKind::EventMoved { .. } => "event_moved",
            ChangeKind::EventBoxing { .. } => "event_boxing",
            ChangeKind::TypeAdded { .. } => "type_added",
            ChangeKind::TypeRemoved { .. } => "type_removed",
            ChangeKind::ShapeChanged { .. } => "shape_changed",
            ChangeKind::FieldAdded { .. } => "field_added",
            ChangeKind::FieldRemoved { .. } => "field_removed",
            ChangeKind::RequiredChanged { .. } => "required_changed",
            ChangeKind::NullableChanged { .. } => "nullable_changed",
            ChangeKind::FieldTypeChanged { .. } => "field_type_changed",
            ChangeKind::FieldRenamed { .. } => "field_renamed",
            ChangeKind::ConstantAdded { .. } => "constant_added",
            ChangeKind::ConstantRemoved { .. } => "constant_removed",
            ChangeKind::ConstantChanged { .. } => "constant_changed",
            ChangeKind::DefaultAdded => "default_added",
            ChangeKind::DefaultRemoved => "default_removed",
            ChangeKind::VariantAdded { .. } => "variant_added",
            ChangeKind::VariantRemoved { .. } => "variant_removed",
            ChangeKind::VariantTypeChanged { .. } => "variant_type_changed",
            ChangeKind::EnumValueAdded { .. } => "enum_value_added",
            ChangeKind::EnumValueRemoved { .. } => "enum_value_removed",
            ChangeKind::DescriptionChanged { .. } => "description_changed",
            ChangeKind::BoundsChanged { .. } => "bounds_changed",
            ChangeKind::SchemaNameChanged { .. } => "schema_name_changed",
        }
    }
}

impl Report {
    /// Whether no surface has any change.
    pub fn is_empty(&self) -> bool {
        self.surfaces.iter().all(|s| s.changes.is_empty())
    }

    /// Every change of every surface.
    pub fn changes(&self) -> impl Iterator<Item = (&str, &Change)> {
        self.surfaces
            .iter()
            .flat_map(|s| s.changes.iter().map(move |c| (s.surface.as_str(), c)))
    }
}

/// The report between the model `old` and the model `new`, each given as
/// (its label, its type space), with the bump from `version`, the current
/// version of the generated crate (`0.1.0`).
pub fn compare(
    old: (&str, &TypeSpace),
    new: (&str, &TypeSpace),
    version: &str,
) -> Result<Report, Error> {
    let current = CrateVersion::parse(version)?;
    let surfaces: Vec<SurfaceReport> = collect::surface_changes(old.1, new.1)
        .into_iter()
        .map(|(surface, found)| {
            let mut changes: Vec<Change> = found
                .into_iter()
                .map(|(item, kind, pointer)| Change {
                    impact: classify::impact(&kind),
                    item,
                    kind,
                    pointer,
                })
                .collect();
            changes.sort();
            changes.dedup();
            let mut counts = std::collections::BTreeMap::new();
            for change in &changes {
                *counts.entry(change.kind.key()).or_insert(0) += 1;
            }
            SurfaceReport {
                surface,
                counts,
                changes,
            }
        })
        .collect();
    let impact = surfaces
        .iter()
        .flat_map(|s| &s.changes)
        .map(|c| c.impact)
        .max();
    let bump = Bump::for_impact(impact, &current);
    Ok(Report {
        old: old.0.to_string(),
        new: new.0.to_string(),
        surfaces,
        impact,
        bump,
        version: current.to_string(),
        next_version: current.bumped(bump).to_string(),
    })
}
