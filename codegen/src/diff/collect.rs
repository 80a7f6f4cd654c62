//! Collecting the changes of each surface: what its event unions reach in
//! each model, by the Rust path a user writes, and the differences.

use std::collections::{BTreeMap, BTreeSet};

use super::types::{TypeChange, compare_types, shape};
use super::{ChangeKind, Side};
use crate::ir::{Direction, Module, Surface, TypeDef, TypeId, TypeKind, TypeSpace};

/// One change before classification: the item, what changed, the pointer.
pub(crate) type Found = (String, ChangeKind, String);

/// What one surface's users see of a model.
struct SurfaceView<'a> {
    space: &'a TypeSpace,
    /// Every event, by side and `type` value.
    events: BTreeMap<(Side, &'a str), Event<'a>>,
    /// Every type the unions reach (the unions themselves aside), by path.
    types: BTreeMap<String, &'a TypeDef>,
}

/// One event of a surface.
struct Event<'a> {
    /// The Rust path of its payload.
    path: String,
    /// The payload.
    payload: &'a TypeDef,
    /// Whether the variant boxes it.
    boxed: bool,
}

impl<'a> Event<'a> {
    /// The component schemas the payload stands for (itself and the twins
    /// merged into it).
    fn schemas(&self) -> BTreeSet<&'a str> {
        std::iter::once(&self.payload.source)
            .chain(&self.payload.merged_sources)
            .map(String::as_str)
            .collect()
    }
}

/// The changes of every surface of either model: the new model's surfaces
/// in their order, then those only the old one has.
pub(crate) fn surface_changes(old: &TypeSpace, new: &TypeSpace) -> Vec<(String, Vec<Found>)> {
    let mut modules: Vec<&str> = new.surfaces.iter().map(|s| s.module.as_str()).collect();
    for surface in &old.surfaces {
        if !modules.contains(&surface.module.as_str()) {
            modules.push(&surface.module);
        }
    }
    modules
        .into_iter()
        .map(|module| {
            let (before, after) = (view_of(old, module), view_of(new, module));
            let mut found = Vec::new();
            match (&before, &after) {
                (None, Some(_)) => {
                    found.push((module.to_string(), ChangeKind::SurfaceAdded, String::new()))
                }
                (Some(_), None) => found.push((
                    module.to_string(),
                    ChangeKind::SurfaceRemoved,
                    String::new(),
                )),
                _ => {}
            }
            let before = before.unwrap_or_else(|| SurfaceView::empty(old));
            let after = after.unwrap_or_else(|| SurfaceView::empty(new));
            compare_surfaces(&before, &after, &mut found);
            (module.to_string(), found)
        })
        .collect()
}

/// What the users of the surface `module` see of `space`, if it has it.
fn view_of<'a>(space: &'a TypeSpace, module: &str) -> Option<SurfaceView<'a>> {
    space
        .surfaces
        .iter()
        .find(|s| s.module == module)
        .map(|s| SurfaceView::of(space, s))
}

impl<'a> SurfaceView<'a> {
    fn empty(space: &'a TypeSpace) -> Self {
        SurfaceView {
            space,
            events: BTreeMap::new(),
            types: BTreeMap::new(),
        }
    }

    fn of(space: &'a TypeSpace, surface: &'a Surface) -> Self {
        let reexports = reexports_into(space, &surface.module);
        let path = |id: &TypeId, def: &TypeDef| user_path(&surface.module, id, def, &reexports);
        let mut events = BTreeMap::new();
        let union_ids: Vec<&TypeId> = surface.unions.iter().map(|u| &u.id).collect();
        for union in &surface.unions {
            let side = match union.direction {
                Direction::ClientToServer => Side::Client,
                Direction::ServerToClient => Side::Server,
            };
            let Some(TypeKind::TaggedUnion(tagged)) = space.types.get(&union.id).map(|d| &d.kind)
            else {
                continue;
            };
            for variant in &tagged.variants {
                let Some(payload) = space.types.get(&variant.ty) else {
                    continue;
                };
                events.insert(
                    (side, variant.tag_value.as_str()),
                    Event {
                        path: path(&variant.ty, payload),
                        payload,
                        boxed: variant.boxed,
                    },
                );
            }
        }
        let types = space
            .reachable_from(union_ids.iter().copied())
            .into_iter()
            .filter(|id| !union_ids.contains(&id))
            .filter_map(|id| {
                let def = space.types.get(&id)?;
                Some((path(&id, def), def))
            })
            .collect();
        SurfaceView {
            space,
            events,
            types,
        }
    }
}

/// Where `surface` re-exports shared types: type id → the module.
fn reexports_into<'a>(space: &'a TypeSpace, surface: &str) -> BTreeMap<&'a TypeId, &'a Module> {
    space
        .reexports
        .iter()
        .filter(|(module, _)| match module {
            Module::Surface(m) | Module::Events(m, _) => m == surface,
            Module::Shared => false,
        })
        .map(|(module, id)| (id, module))
        .collect()
}

/// The path a user of `surface` writes for a type: where it is defined,
/// or where the surface re-exports it from `shared`.
fn user_path(
    surface: &str,
    id: &TypeId,
    def: &TypeDef,
    reexports: &BTreeMap<&TypeId, &Module>,
) -> String {
    let module = match (&def.module, reexports.get(id)) {
        (Module::Shared, Some(module)) => module,
        (module, _) => module,
    };
    let mut path = module.path();
    if path
        .first()
        .is_some_and(|first| first != surface && first != "shared")
    {
        // A type of another surface's module: named through the crate root.
        path.insert(0, "crate".into());
    }
    path.push(def.name.clone());
    path.join("::")
}

/// The JSON pointer of a component schema, as its name (`RealtimeServerEventError`).
fn schema_name(pointer: &str) -> String {
    pointer
        .strip_prefix("/components/schemas/")
        .unwrap_or(pointer)
        .to_string()
}

fn compare_surfaces(old: &SurfaceView<'_>, new: &SurfaceView<'_>, found: &mut Vec<Found>) {
    let mut removed: Vec<(&(Side, &str), &Event)> = old
        .events
        .iter()
        .filter(|(key, _)| !new.events.contains_key(*key))
        .collect();
    let mut added: Vec<(&(Side, &str), &Event)> = new
        .events
        .iter()
        .filter(|(key, _)| !old.events.contains_key(*key))
        .collect();
    // Paths of payloads reported with their event, not again as types.
    let mut covered_old: BTreeSet<&str> = BTreeSet::new();
    let mut covered_new: BTreeSet<&str> = BTreeSet::new();
    // Pairs of types to compare: the same path, and renamed events' payloads.
    let mut pairs: Vec<(&TypeDef, &TypeDef, String)> = Vec::new();
    // The tag constants of renamed events' payloads (reported as the rename).
    let mut renamed_tags: Vec<(String, String)> = Vec::new();

    // A renamed event: a removed and an added one of the same side and schema.
    removed.retain(|((side, from), before)| {
        let Some(index) = added.iter().position(|((other, _), after)| {
            other == side && !before.schemas().is_disjoint(&after.schemas())
        }) else {
            return true;
        };
        let ((_, to), after) = added.remove(index);
        found.push((
            after.path.clone(),
            ChangeKind::EventRenamed {
                side: *side,
                from: from.to_string(),
                to: to.to_string(),
            },
            after.payload.source.clone(),
        ));
        covered_old.insert(&before.path);
        covered_new.insert(&after.path);
        pairs.push((before.payload, after.payload, after.path.clone()));
        renamed_tags.push((from.to_string(), to.to_string()));
        false
    });
    for ((side, event_type), event) in removed {
        covered_old.insert(&event.path);
        found.push((
            event.path.clone(),
            ChangeKind::EventRemoved {
                side: *side,
                event_type: event_type.to_string(),
            },
            event.payload.source.clone(),
        ));
    }
    for ((side, event_type), event) in added {
        covered_new.insert(&event.path);
        found.push((
            event.path.clone(),
            ChangeKind::EventAdded {
                side: *side,
                event_type: event_type.to_string(),
            },
            event.payload.source.clone(),
        ));
    }
    for (key, after) in &new.events {
        let Some(before) = old.events.get(key) else {
            continue;
        };
        let (side, event_type) = (key.0, key.1.to_string());
        if before.schemas().is_disjoint(&after.schemas()) {
            found.push((
                after.path.clone(),
                ChangeKind::EventMoved {
                    side,
                    event_type: event_type.clone(),
                    from_schema: schema_name(&before.payload.source),
                    to_schema: schema_name(&after.payload.source),
                },
                after.payload.source.clone(),
            ));
        }
        if before.boxed != after.boxed {
            found.push((
                after.path.clone(),
                ChangeKind::EventBoxing {
                    side,
                    event_type,
                    boxed: after.boxed,
                },
                after.payload.source.clone(),
            ));
        }
    }

    for (path, before) in &old.types {
        match new.types.get(path) {
            Some(_) if covered_new.contains(path.as_str()) => {}
            Some(after) => pairs.push((before, after, path.clone())),
            None if !covered_old.contains(path.as_str()) => found.push((
                path.clone(),
                ChangeKind::TypeRemoved {
                    shape: shape(&before.kind),
                },
                before.source.clone(),
            )),
            None => {}
        }
    }
    for (path, after) in &new.types {
        if !old.types.contains_key(path) && !covered_new.contains(path.as_str()) {
            found.push((
                path.clone(),
                ChangeKind::TypeAdded {
                    shape: shape(&after.kind),
                },
                after.source.clone(),
            ));
        }
    }
    for (before, after, path) in pairs {
        for TypeChange { kind, pointer } in compare_types((old.space, before), (new.space, after)) {
            let is_rename = matches!(&kind, ChangeKind::ConstantChanged { from, to, .. }
                if renamed_tags.contains(&(from.clone(), to.clone())));
            if !is_rename {
                found.push((path.clone(), kind, pointer));
            }
        }
    }
    // A property's description documents its field and the inline type
    // made from the property's schema: it counts once, as the field's.
    let field_docs: BTreeSet<String> = found
        .iter()
        .filter(|(_, kind, _)| matches!(kind, ChangeKind::DescriptionChanged { field: Some(_) }))
        .map(|(_, _, pointer)| pointer.clone())
        .collect();
    found.retain(|(_, kind, pointer)| {
        !(matches!(kind, ChangeKind::DescriptionChanged { field: None })
            && field_docs.contains(pointer))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Shape;
    use crate::ir::{
        Constant, Construction, EventUnion, Field, StructType, TaggedUnion, TaggedVariant, TypeRef,
        UnionOrigin,
    };
    use crate::test_fixtures::{def, server_surface};

    /// An event payload struct with the constant `type` and these fields.
    fn event(name: &str, tag: &str, fields: Vec<Field>) -> (TypeId, TypeDef) {
        let (id, mut def) = def(
            name,
            TypeKind::Struct(StructType {
                fields,
                constants: vec![Constant {
                    wire_name: "type".into(),
                    value: tag.into(),
                    source: format!("/components/schemas/{name}/properties/type"),
                }],
                derives_default: false,
                borrowed_view: false,
                construction: Construction::default(),
            }),
        );
        def.module = Module::Events("ga".into(), Direction::ServerToClient);
        (id, def)
    }

    fn field(name: &str, ty: TypeRef, required: bool) -> Field {
        Field {
            wire_name: name.into(),
            rust_name: name.into(),
            ty,
            required,
            nullable: false,
            boxed: false,
            description: None,
            bounds: Vec::new(),
            source: format!("/components/schemas/X/properties/{name}"),
        }
    }

    /// A `ga` surface whose server union has these events (payload id, tag).
    fn space(events: Vec<(TypeId, TypeDef)>, others: Vec<(TypeId, TypeDef)>) -> TypeSpace {
        let variants = events
            .iter()
            .map(|(id, def)| {
                let TypeKind::Struct(s) = &def.kind else {
                    unreachable!("events are structs")
                };
                TaggedVariant {
                    name: def.name.clone(),
                    tag_value: s.constants[0].value.clone(),
                    ty: id.clone(),
                    boxed: false,
                    tag_field: None,
                }
            })
            .collect();
        let (union_id, mut union) = def(
            "ServerEvent",
            TypeKind::TaggedUnion(TaggedUnion {
                tag: "type".into(),
                variants,
                is_event_union: true,
                borrowed_view: false,
                conversions: Vec::new(),
            }),
        );
        union.module = Module::Surface("ga".into());
        let mut surface = server_surface("ga");
        surface.unions = vec![EventUnion {
            id: union_id.clone(),
            origin: UnionOrigin::Schema("RealtimeServerEvent".into()),
            direction: Direction::ServerToClient,
        }];
        TypeSpace {
            types: events
                .into_iter()
                .chain(others)
                .chain([(union_id, union)])
                .collect(),
            surfaces: vec![surface],
            reexports: Vec::new(),
            operations: Vec::new(),
        }
    }

    fn changes(old: &TypeSpace, new: &TypeSpace) -> Vec<(String, ChangeKind)> {
        let mut all: Vec<(String, ChangeKind)> = surface_changes(old, new)
            .into_iter()
            .flat_map(|(_, found)| found.into_iter().map(|(item, kind, _)| (item, kind)))
            .collect();
        all.sort();
        all
    }

    fn ga_struct(name: &str, fields: Vec<Field>) -> (TypeId, TypeDef) {
        let (id, mut def) = def(
            name,
            TypeKind::Struct(StructType {
                fields,
                constants: Vec::new(),
                derives_default: true,
                borrowed_view: false,
                construction: Construction::default(),
            }),
        );
        def.module = Module::Surface("ga".into());
        (id, def)
    }

    #[test]
    fn a_model_against_itself_has_no_change() {
        let model = space(vec![event("Done", "response.done", Vec::new())], Vec::new());
        assert_eq!(changes(&model, &model), []);
    }

    #[test]
    fn a_new_event_is_reported_once_and_its_payload_not_again_as_a_type() {
        let old = space(vec![event("Done", "response.done", Vec::new())], Vec::new());
        let new = space(
            vec![
                event("Done", "response.done", Vec::new()),
                event("Created", "response.created", Vec::new()),
            ],
            Vec::new(),
        );
        assert_eq!(
            changes(&old, &new),
            [(
                "ga::server::Created".into(),
                ChangeKind::EventAdded {
                    side: Side::Server,
                    event_type: "response.created".into()
                }
            )]
        );
    }

    #[test]
    fn the_same_schema_with_another_type_value_is_a_renamed_event() {
        let old = space(vec![event("Done", "response.done", Vec::new())], Vec::new());
        let new = space(
            vec![event("Done", "response.finished", Vec::new())],
            Vec::new(),
        );
        assert_eq!(
            changes(&old, &new),
            [(
                "ga::server::Done".into(),
                ChangeKind::EventRenamed {
                    side: Side::Server,
                    from: "response.done".into(),
                    to: "response.finished".into()
                }
            )]
        );
    }

    #[test]
    fn a_type_value_from_another_schema_is_a_moved_event() {
        let old = space(vec![event("Done", "response.done", Vec::new())], Vec::new());
        let (id, mut moved) = event("Done", "response.done", Vec::new());
        moved.source = "/components/schemas/DoneV2".into();
        let new = space(vec![(id, moved)], Vec::new());
        assert_eq!(
            changes(&old, &new),
            [(
                "ga::server::Done".into(),
                ChangeKind::EventMoved {
                    side: Side::Server,
                    event_type: "response.done".into(),
                    from_schema: "Done".into(),
                    to_schema: "DoneV2".into()
                }
            )]
        );
    }

    #[test]
    fn types_reached_through_fields_are_compared_by_path() {
        let usage = |fields| ga_struct("Usage", fields);
        let done = event(
            "Done",
            "response.done",
            vec![field("usage", TypeRef::Named("Usage".into()), false)],
        );
        let old = space(vec![done.clone()], vec![usage(Vec::new())]);
        let new = space(
            vec![done],
            vec![usage(vec![field("tokens", TypeRef::Integer, false)])],
        );
        assert_eq!(
            changes(&old, &new),
            [(
                "ga::Usage".into(),
                ChangeKind::FieldAdded {
                    field: "tokens".into(),
                    required: false,
                    nullable: false
                }
            )]
        );
    }

    #[test]
    fn a_type_no_event_reaches_any_more_is_removed() {
        let old = space(
            vec![event(
                "Done",
                "response.done",
                vec![field("usage", TypeRef::Named("Usage".into()), false)],
            )],
            vec![ga_struct("Usage", Vec::new())],
        );
        let new = space(vec![event("Done", "response.done", Vec::new())], Vec::new());
        assert_eq!(
            changes(&old, &new),
            [
                (
                    "ga::Usage".into(),
                    ChangeKind::TypeRemoved {
                        shape: Shape::Struct
                    }
                ),
                (
                    "ga::server::Done".into(),
                    ChangeKind::FieldRemoved {
                        field: "usage".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_new_surface_is_reported_with_its_events() {
        let old = TypeSpace::default();
        let new = space(vec![event("Done", "response.done", Vec::new())], Vec::new());
        assert_eq!(
            changes(&old, &new),
            [
                ("ga".into(), ChangeKind::SurfaceAdded),
                (
                    "ga::server::Done".into(),
                    ChangeKind::EventAdded {
                        side: Side::Server,
                        event_type: "response.done".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_shared_type_is_named_where_the_surface_re_exports_it() {
        let (id, mut turn) = ga_struct("TurnDetection", Vec::new());
        turn.module = Module::Shared;
        let ga = Module::Surface("ga".into());
        let reexports = BTreeMap::from([(&id, &ga)]);
        assert_eq!(user_path("ga", &id, &turn, &reexports), "ga::TurnDetection");
        assert_eq!(
            user_path("beta", &id, &turn, &BTreeMap::new()),
            "shared::TurnDetection"
        );
    }
}
