//! Which members of an event union are held in a `Box`.
//!
//! The rule: a member whose struct holds another struct or union inline (a
//! property whose type, through aliases, is a named struct, tagged union or
//! kind union, not behind an array, a map or a recursion box) is boxed. Those
//! are the session, response and conversation-item events, hundreds to
//! thousands of bytes each; every other event is a handful of strings and
//! numbers. Without boxes, every event, the audio deltas included, would be
//! as large as the largest one, and each decode would move that many bytes
//! through `Result`s and into channels.
//!
//! Construction goes through `From<Struct>` (or `Box::new`), and matching
//! reads the fields through the box as usual.

use crate::ir::{StructType, TypeKind, TypeRef, TypeSpace};

/// Sets [`TaggedVariant::boxed`](crate::ir::TaggedVariant::boxed) on the
/// members of every surface's event unions (see the module documentation).
pub fn box_large_event_variants(space: &mut TypeSpace) {
    let unions: Vec<String> = space
        .surfaces
        .iter()
        .flat_map(|s| &s.unions)
        .map(|u| u.id.clone())
        .collect();
    for id in unions {
        let boxed: Vec<bool> = match space.types.get(&id).map(|d| &d.kind) {
            Some(TypeKind::TaggedUnion(u)) => u
                .variants
                .iter()
                .map(|v| match space.types.get(&v.ty).map(|d| &d.kind) {
                    Some(TypeKind::Struct(s)) => holds_aggregate_inline(space, s),
                    // A nested union as a member: as large as its largest member.
                    Some(TypeKind::TaggedUnion(_) | TypeKind::KindUnion(_)) => true,
                    _ => false,
                })
                .collect(),
            _ => continue,
        };
        if let Some(TypeKind::TaggedUnion(u)) = space.types.get_mut(&id).map(|d| &mut d.kind) {
            for (variant, boxed) in u.variants.iter_mut().zip(boxed) {
                variant.boxed = boxed;
            }
        }
    }
}

/// Whether a field of `s` is a struct or a union held inline.
fn holds_aggregate_inline(space: &TypeSpace, s: &StructType) -> bool {
    s.fields.iter().any(|field| {
        !field.boxed
            && matches!(
                space.resolve(&field.ty),
                TypeRef::Named(id) if matches!(
                    space.types.get(id).map(|d| &d.kind),
                    Some(TypeKind::Struct(_) | TypeKind::TaggedUnion(_) | TypeKind::KindUnion(_))
                )
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, StringEnum, TaggedUnion, TaggedVariant};
    use crate::test_fixtures::{def, server_surface};

    fn event(fields: &[(&str, TypeRef, bool)]) -> TypeKind {
        TypeKind::Struct(StructType {
            fields: fields
                .iter()
                .map(|(name, ty, boxed)| Field {
                    wire_name: (*name).into(),
                    rust_name: (*name).into(),
                    ty: ty.clone(),
                    required: true,
                    nullable: false,
                    boxed: *boxed,
                    description: None,
                    bounds: Vec::new(),
                    source: String::new(),
                })
                .collect(),
            constants: Vec::new(),
            derives_default: false,
            borrowed_view: false,
            construction: Default::default(),
        })
    }

    #[test]
    fn members_holding_a_struct_or_union_inline_are_boxed() {
        let named = |id: &str| TypeRef::Named(id.into());
        let members = [
            ("Delta", event(&[("delta", TypeRef::String, false)])),
            (
                "Limits",
                event(&[("limits", TypeRef::Array(Box::new(named("Session"))), false)]),
            ),
            ("Created", event(&[("session", named("Session"), false)])),
            (
                "Aliased",
                event(&[("session", named("SessionAlias"), false)]),
            ),
            ("Recursive", event(&[("session", named("Session"), true)])),
            ("Status", event(&[("status", named("Status"), false)])),
        ];
        let variants = members
            .iter()
            .map(|(name, _)| TaggedVariant {
                name: (*name).into(),
                tag_value: name.to_lowercase(),
                ty: (*name).into(),
                boxed: false,
                tag_field: None,
            })
            .collect();
        let mut space = TypeSpace::default();
        space
            .types
            .extend(members.into_iter().map(|(name, kind)| def(name, kind)));
        space.types.extend([
            def("Session", event(&[("id", TypeRef::String, false)])),
            def("SessionAlias", TypeKind::Alias(named("Session"))),
            def(
                "Status",
                TypeKind::StringEnum(StringEnum { values: Vec::new() }),
            ),
            def(
                "ServerEvent",
                TypeKind::TaggedUnion(TaggedUnion {
                    tag: "type".into(),
                    variants,
                    is_event_union: true,
                    borrowed_view: false,
                    conversions: Vec::new(),
                }),
            ),
        ]);
        space.surfaces.push(server_surface("ga"));

        box_large_event_variants(&mut space);

        let Some(TypeKind::TaggedUnion(union)) = space.types.get("ServerEvent").map(|d| &d.kind)
        else {
            panic!("the union is gone")
        };
        let boxed: Vec<(&str, bool)> = union
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.boxed))
            .collect();
        assert_eq!(
            boxed,
            [
                ("Delta", false),
                ("Limits", false),
                ("Created", true),
                ("Aliased", true),
                ("Recursive", false),
                ("Status", false),
            ]
        );
    }
}
