//! Which structs derive `Default`: those the spec lets exist with nothing
//! set, that is without a required property (a required nullable one is
//! `null` by default). A struct with required properties gets `new(..)`
//! instead (see `construction`), so that no default holds an empty id or an
//! empty list where the spec wants a value.

use crate::ir::{TypeKind, TypeSpace};

/// Sets [`StructType::derives_default`](crate::ir::StructType::derives_default)
/// (see the module documentation).
pub fn mark_default_structs(space: &mut TypeSpace) {
    for def in space.types.values_mut() {
        if let TypeKind::Struct(s) = &mut def.kind {
            s.derives_default = s.fields.iter().all(|f| !f.required || f.nullable);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, Module, StructType, TypeDef, TypeRef};

    fn with_fields(fields: &[(bool, bool)]) -> TypeSpace {
        let fields = fields
            .iter()
            .enumerate()
            .map(|(i, (required, nullable))| Field {
                wire_name: format!("f{i}"),
                rust_name: format!("f{i}"),
                ty: TypeRef::String,
                required: *required,
                nullable: *nullable,
                boxed: false,
                description: None,
                bounds: Vec::new(),
                source: String::new(),
            })
            .collect();
        let def = TypeDef {
            name: "S".into(),
            spec_name: "S".into(),
            name_parts: vec!["S".into()],
            merged_sources: Vec::new(),
            module: Module::Shared,
            description: None,
            source: String::new(),
            kind: TypeKind::Struct(StructType {
                fields,
                constants: Vec::new(),
                derives_default: false,
                borrowed_view: false,
                construction: Default::default(),
            }),
        };
        let mut space = TypeSpace {
            types: [("S".to_string(), def)].into(),
            ..TypeSpace::default()
        };
        mark_default_structs(&mut space);
        space
    }

    fn derives_default(space: &TypeSpace) -> bool {
        matches!(&space.types["S"].kind, TypeKind::Struct(s) if s.derives_default)
    }

    #[test]
    fn a_struct_without_required_properties_has_a_default() {
        assert!(derives_default(&with_fields(&[
            (false, false),
            (false, true)
        ])));
    }

    #[test]
    fn a_required_property_means_no_default_unless_it_may_be_null() {
        assert!(!derives_default(&with_fields(&[
            (false, false),
            (true, false)
        ])));
        assert!(derives_default(&with_fields(&[(true, true)])));
    }
}
