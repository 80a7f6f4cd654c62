//! Which events get a *borrowed view*: a twin of the event struct whose
//! strings borrow from the frame text instead of being copied.
//!
//! The rule: a member of an event union whose properties are all scalars
//! (strings, integers, numbers, booleans, possibly optional or nullable) and
//! at least one of them a string. Those are the events that arrive by the
//! hundred per second (audio, transcript and text deltas, buffer and
//! lifecycle markers); their strings are exactly what a decode would copy,
//! above all the base64 of audio deltas. Events with nested objects, arrays
//! or enums are decoded into the owned types, behind the views' `Owned`
//! variant.
//!
//! An event union with at least one such member gets a view too
//! (`<Union>Ref<'a>`), which dispatches a frame on its `type` to them.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::ir::{StructType, TypeId, TypeKind, TypeRef, TypeSpace, borrowed_view_name};

/// Marks the structs that get a borrowed view (see the module documentation),
/// and checks that no view name (`<Name>Ref`) is already a type's name.
pub fn mark_borrowed_views(space: &mut TypeSpace) -> Result<(), Error> {
    let mut viewed: Vec<TypeId> = Vec::new();
    let mut unions: Vec<TypeId> = Vec::new();
    for union in space.surfaces.iter().flat_map(|s| &s.unions) {
        unions.push(union.id.clone());
        let Some(TypeKind::TaggedUnion(u)) = space.types.get(&union.id).map(|d| &d.kind) else {
            continue;
        };
        for variant in &u.variants {
            let is_flat = match space.types.get(&variant.ty).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => is_flat(space, s),
                _ => false,
            };
            if is_flat && !viewed.contains(&variant.ty) {
                viewed.push(variant.ty.clone());
            }
        }
    }
    check_view_names(space, viewed.iter().chain(&unions))?;
    for id in &viewed {
        if let Some(TypeKind::Struct(s)) = space.types.get_mut(id).map(|d| &mut d.kind) {
            s.borrowed_view = true;
        }
    }
    for id in unions {
        let has_borrowed_member = match space.types.get(&id).map(|d| &d.kind) {
            Some(TypeKind::TaggedUnion(u)) => u.variants.iter().any(|v| viewed.contains(&v.ty)),
            _ => false,
        };
        if let Some(TypeKind::TaggedUnion(u)) = space.types.get_mut(&id).map(|d| &mut d.kind) {
            u.borrowed_view = has_borrowed_member;
        }
    }
    Ok(())
}

/// Whether the type `id` is a struct with a borrowed view.
pub fn has_view(space: &TypeSpace, id: &TypeId) -> bool {
    matches!(
        space.types.get(id).map(|d| &d.kind),
        Some(TypeKind::Struct(s)) if s.borrowed_view
    )
}

/// Only scalars, at least one string.
fn is_flat(space: &TypeSpace, s: &StructType) -> bool {
    let mut has_string = false;
    for field in &s.fields {
        match space.resolve(&field.ty) {
            TypeRef::String => has_string = true,
            TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => {}
            _ => return false,
        }
        if field.boxed {
            return false;
        }
    }
    has_string
}

/// A view is emitted in its type's module under `<Name>Ref`; names are unique
/// in the whole output, so that name must not belong to any type.
fn check_view_names<'a>(
    space: &TypeSpace,
    ids: impl Iterator<Item = &'a TypeId>,
) -> Result<(), Error> {
    let by_name: BTreeMap<&str, &str> = space
        .types
        .values()
        .map(|def| (def.name.as_str(), def.source.as_str()))
        .collect();
    for id in ids {
        let Some(def) = space.types.get(id) else {
            continue;
        };
        let view = borrowed_view_name(&def.name);
        if let Some(first) = by_name.get(view.as_str()) {
            return Err(Error::NameCollision {
                name: view,
                first: (*first).to_string(),
                second: format!("{} (its borrowed view)", def.source),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, TaggedUnion, TaggedVariant, TypeDef};
    use crate::test_fixtures::{def, server_surface};

    fn field(name: &str, ty: TypeRef) -> Field {
        Field {
            wire_name: name.into(),
            rust_name: name.into(),
            ty,
            required: true,
            nullable: false,
            boxed: false,
            description: None,
            bounds: Vec::new(),
            source: String::new(),
        }
    }

    fn event(name: &str, fields: Vec<Field>) -> (TypeId, TypeDef) {
        def(
            name,
            TypeKind::Struct(StructType {
                fields,
                constants: Vec::new(),
                derives_default: false,
                borrowed_view: false,
                construction: Default::default(),
            }),
        )
    }

    fn space(members: &[&str], defs: Vec<(TypeId, TypeDef)>) -> TypeSpace {
        let union = TaggedUnion {
            tag: "type".into(),
            variants: members
                .iter()
                .map(|m| TaggedVariant {
                    name: (*m).into(),
                    tag_value: m.to_lowercase(),
                    ty: (*m).into(),
                    boxed: false,
                    tag_field: None,
                })
                .collect(),
            is_event_union: true,
            borrowed_view: false,
            conversions: Vec::new(),
        };
        let mut types: BTreeMap<TypeId, TypeDef> = defs.into_iter().collect();
        types.extend([def("ServerEvent", TypeKind::TaggedUnion(union))]);
        TypeSpace {
            types,
            surfaces: vec![server_surface("beta")],
            reexports: Vec::new(),
            operations: Vec::new(),
        }
    }

    fn viewed(space: &TypeSpace, id: &str) -> bool {
        match &space.types[id].kind {
            TypeKind::Struct(s) => s.borrowed_view,
            TypeKind::TaggedUnion(u) => u.borrowed_view,
            _ => false,
        }
    }

    #[test]
    fn an_event_of_scalars_with_a_string_gets_a_view_and_so_does_its_union() {
        let mut space = space(
            &["Delta", "Done"],
            vec![
                event(
                    "Delta",
                    vec![
                        field("delta", TypeRef::String),
                        field("index", TypeRef::Integer),
                    ],
                ),
                event(
                    "Done",
                    vec![field("items", TypeRef::Array(Box::new(TypeRef::String)))],
                ),
            ],
        );
        mark_borrowed_views(&mut space).expect("no name clash");
        assert!(viewed(&space, "Delta"));
        assert!(!viewed(&space, "Done"), "an array is not a scalar");
        assert!(viewed(&space, "ServerEvent"));
    }

    #[test]
    fn a_union_without_viewed_members_gets_no_view() {
        let mut space = space(
            &["Tick"],
            vec![event("Tick", vec![field("n", TypeRef::Integer)])],
        );
        mark_borrowed_views(&mut space).expect("no name clash");
        assert!(!viewed(&space, "Tick"), "no string to borrow");
        assert!(!viewed(&space, "ServerEvent"));
    }

    #[test]
    fn a_view_name_that_is_a_type_name_is_an_error() {
        let mut space = space(
            &["Delta"],
            vec![
                event("Delta", vec![field("delta", TypeRef::String)]),
                event("DeltaRef", vec![field("x", TypeRef::String)]),
            ],
        );
        let error = mark_borrowed_views(&mut space).expect_err("a clash");
        assert!(
            matches!(&error, Error::NameCollision { name, .. } if name == "DeltaRef"),
            "{error:?}"
        );
    }
}
