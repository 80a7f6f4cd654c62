//! Which struct fields are boxed to break recursion: a field that closes a
//! by-value cycle (a type that holds, not behind a `Vec` or a map, a type
//! that holds it again) is a `Box`, so that every type has a size.

use std::collections::BTreeSet;

use crate::ir::{KindPayload, TypeId, TypeKind, TypeRef, TypeSpace};

/// Types a definition holds by value (not behind `Vec` or a map).
fn by_value(kind: &TypeKind) -> Vec<&TypeId> {
    fn direct(ty: &TypeRef) -> Option<&TypeId> {
        match ty {
            TypeRef::Named(id) => Some(id),
            _ => None,
        }
    }
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter(|f| !f.boxed)
            .filter_map(|f| direct(&f.ty))
            .collect(),
        TypeKind::TaggedUnion(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::KindUnion(u) => u
            .variants
            .iter()
            .filter_map(|v| match &v.payload {
                KindPayload::Value(ty) => direct(ty),
                KindPayload::Tagged { ty, .. } => Some(ty),
                KindPayload::Constant(_) => None,
            })
            .collect(),
        TypeKind::StringEnum(_) => Vec::new(),
        TypeKind::Alias(ty) => direct(ty).into_iter().collect(),
    }
}

fn reaches(space: &TypeSpace, from: &TypeId, target: &TypeId) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.clone()];
    while let Some(id) = stack.pop() {
        if &id == target {
            return true;
        }
        if seen.insert(id.clone())
            && let Some(def) = space.types.get(&id)
        {
            stack.extend(by_value(&def.kind).into_iter().cloned());
        }
    }
    false
}

/// Boxes struct fields that close a by-value cycle, so every type has a size.
pub fn box_recursive_fields(space: &mut TypeSpace) {
    let ids: Vec<TypeId> = space.types.keys().cloned().collect();
    for id in ids {
        let Some(TypeKind::Struct(s)) = space.types.get(&id).map(|d| &d.kind) else {
            continue;
        };
        let to_box: Vec<usize> = s
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| match &f.ty {
                TypeRef::Named(target) if reaches(space, target, &id) => Some(i),
                _ => None,
            })
            .collect();
        if let Some(TypeKind::Struct(s)) = space.types.get_mut(&id).map(|d| &mut d.kind) {
            for i in to_box {
                s.fields[i].boxed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, Module, StructType, TypeDef};

    fn node(name: &str, fields: &[(&str, TypeRef)]) -> (TypeId, TypeDef) {
        let fields = fields
            .iter()
            .map(|(wire, ty)| Field {
                wire_name: (*wire).into(),
                rust_name: (*wire).into(),
                ty: ty.clone(),
                required: false,
                nullable: false,
                boxed: false,
                description: None,
                bounds: Vec::new(),
                source: String::new(),
            })
            .collect();
        let def = TypeDef {
            name: name.into(),
            spec_name: name.into(),
            name_parts: vec![name.into()],
            merged_sources: Vec::new(),
            module: Module::Shared,
            description: None,
            source: String::new(),
            kind: TypeKind::Struct(StructType {
                fields,
                constants: Vec::new(),
                derives_default: true,
                borrowed_view: false,
                construction: Default::default(),
            }),
        };
        (name.into(), def)
    }

    fn boxed(space: &TypeSpace, id: &str) -> Vec<bool> {
        match &space.types[id].kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| f.boxed).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn one_field_of_a_by_value_cycle_is_boxed() {
        let named = |id: &str| TypeRef::Named(id.into());
        let mut space = TypeSpace {
            types: [
                node(
                    "Filter",
                    &[("and", named("Compound")), ("key", TypeRef::String)],
                ),
                node("Compound", &[("filter", named("Filter"))]),
                node("Leaf", &[("name", TypeRef::String)]),
                node("Holder", &[("leaf", named("Leaf"))]),
            ]
            .into(),
            ..TypeSpace::default()
        };
        box_recursive_fields(&mut space);
        // One box breaks the cycle: the first field of it, in id order.
        assert_eq!(boxed(&space, "Compound"), [true]);
        assert_eq!(boxed(&space, "Filter"), [false, false]);
        assert_eq!(boxed(&space, "Holder"), [false], "no cycle, no box");
    }

    #[test]
    fn a_cycle_through_a_vec_needs_no_box() {
        let mut space = TypeSpace {
            types: [node(
                "Tree",
                &[(
                    "children",
                    TypeRef::Array(Box::new(TypeRef::Named("Tree".into()))),
                )],
            )]
            .into(),
            ..TypeSpace::default()
        };
        box_recursive_fields(&mut space);
        assert_eq!(boxed(&space, "Tree"), [false]);
    }
}
