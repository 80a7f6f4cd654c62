//! Comparing two definitions of one type (the same Rust path in two
//! models): shape, fields, constants, members, values and documentation.

use std::collections::BTreeMap;

use super::{ChangeKind, Shape};
use crate::ir::{
    BoundValue, Field, KindPayload, KindVariant, NumericBound, TypeDef, TypeKind, TypeRef,
    TypeSpace,
};

/// One change of a type, with the JSON pointer of the schema concerned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TypeChange {
    /// What changed.
    pub kind: ChangeKind,
    /// Where (in the new spec; in the old one for what was removed).
    pub pointer: String,
}

/// The shape of a type definition.
pub(crate) fn shape(kind: &TypeKind) -> Shape {
    match kind {
        TypeKind::Struct(_) => Shape::Struct,
        TypeKind::TaggedUnion(_) => Shape::TaggedUnion,
        TypeKind::KindUnion(_) => Shape::KindUnion,
        TypeKind::StringEnum(_) => Shape::StringEnum,
        TypeKind::Alias(_) => Shape::Alias,
    }
}

/// How a type reference reads in Rust, by the names of the named types
/// (a type that moved to another module with the same name is the same).
fn rust_type(space: &TypeSpace, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Integer => "i64".into(),
        TypeRef::Number => "Number".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Array(item) => format!("Vec<{}>", rust_type(space, item)),
        TypeRef::Map(value) => format!("Map<String, {}>", rust_type(space, value)),
        TypeRef::Named(id) => space
            .types
            .get(id)
            .map_or_else(|| id.clone(), |def| def.name.clone()),
    }
}

fn field_type(space: &TypeSpace, field: &Field) -> String {
    let ty = rust_type(space, &field.ty);
    if field.boxed {
        format!("Box<{ty}>")
    } else {
        ty
    }
}

/// The changes between `old` and `new`, each given with the model it is in.
pub(crate) fn compare_types(
    (old_space, old): (&TypeSpace, &TypeDef),
    (new_space, new): (&TypeSpace, &TypeDef),
) -> Vec<TypeChange> {
    let mut changes = Vec::new();
    let mut push = |kind, pointer: &str| {
        changes.push(TypeChange {
            kind,
            pointer: pointer.to_string(),
        })
    };
    if old.description != new.description {
        push(ChangeKind::DescriptionChanged { field: None }, &new.source);
    }
    if old.spec_name != new.spec_name {
        push(
            ChangeKind::SchemaNameChanged {
                from: old.spec_name.clone(),
                to: new.spec_name.clone(),
            },
            &new.source,
        );
    }
    match (&old.kind, &new.kind) {
        (TypeKind::Struct(before), TypeKind::Struct(after)) => {
            compare_fields(
                (old_space, &before.fields),
                (new_space, &after.fields),
                &mut push,
            );
            let constants = |s: &crate::ir::StructType| -> BTreeMap<String, (String, String)> {
                s.constants
                    .iter()
                    .map(|c| (c.wire_name.clone(), (c.value.clone(), c.source.clone())))
                    .collect()
            };
            let (was, is) = (constants(before), constants(after));
            for (name, (value, source)) in &was {
                match is.get(name) {
                    None => push(
                        ChangeKind::ConstantRemoved {
                            name: name.clone(),
                            value: value.clone(),
                        },
                        source,
                    ),
                    Some((now, source)) if now != value => push(
                        ChangeKind::ConstantChanged {
                            name: name.clone(),
                            from: value.clone(),
                            to: now.clone(),
                        },
                        source,
                    ),
                    Some(_) => {}
                }
            }
            for (name, (value, source)) in &is {
                if !was.contains_key(name) {
                    push(
                        ChangeKind::ConstantAdded {
                            name: name.clone(),
                            value: value.clone(),
                        },
                        source,
                    );
                }
            }
            match (before.derives_default, after.derives_default) {
                (false, true) => push(ChangeKind::DefaultAdded, &new.source),
                (true, false) => push(ChangeKind::DefaultRemoved, &new.source),
                _ => {}
            }
        }
        (TypeKind::TaggedUnion(before), TypeKind::TaggedUnion(after)) => {
            let members = |space: &TypeSpace, union: &crate::ir::TaggedUnion| {
                union
                    .variants
                    .iter()
                    .map(|v| {
                        (
                            v.tag_value.clone(),
                            rust_type(space, &TypeRef::Named(v.ty.clone())),
                        )
                    })
                    .collect::<BTreeMap<String, String>>()
            };
            let (was, is) = (members(old_space, before), members(new_space, after));
            compare_members(&was, &is, &old.source, &new.source, &mut push);
        }
        (TypeKind::KindUnion(before), TypeKind::KindUnion(after)) => {
            let members = |space: &TypeSpace, variants: &[KindVariant]| {
                variants
                    .iter()
                    .map(|v| kind_member(space, v))
                    .collect::<BTreeMap<String, String>>()
            };
            let (was, is) = (
                members(old_space, &before.variants),
                members(new_space, &after.variants),
            );
            compare_members(&was, &is, &old.source, &new.source, &mut push);
        }
        (TypeKind::StringEnum(before), TypeKind::StringEnum(after)) => {
            let values = |e: &crate::ir::StringEnum| -> Vec<String> {
                e.values.iter().map(|v| v.wire.clone()).collect()
            };
            let (was, is) = (values(before), values(after));
            for value in was.iter().filter(|v| !is.contains(v)) {
                push(
                    ChangeKind::EnumValueRemoved {
                        value: value.clone(),
                    },
                    &old.source,
                );
            }
            for value in is.iter().filter(|v| !was.contains(v)) {
                push(
                    ChangeKind::EnumValueAdded {
                        value: value.clone(),
                    },
                    &new.source,
                );
            }
        }
        (TypeKind::Alias(before), TypeKind::Alias(after)) => {
            let (from, to) = (rust_type(old_space, before), rust_type(new_space, after));
            if from != to {
                push(
                    ChangeKind::FieldTypeChanged {
                        field: String::new(),
                        from,
                        to,
                    },
                    &new.source,
                );
            }
        }
        (before, after) => push(
            ChangeKind::ShapeChanged {
                from: shape(before),
                to: shape(after),
            },
            &new.source,
        ),
    }
    changes
}

/// A kind-union member as (its label, what it holds): the JSON kind with
/// the type, the constant string, or the tag value of an object member.
fn kind_member(space: &TypeSpace, variant: &KindVariant) -> (String, String) {
    match &variant.payload {
        KindPayload::Value(ty) => (
            format!("{:?}", variant.kind).to_lowercase(),
            rust_type(space, ty),
        ),
        KindPayload::Constant(value) => (format!("{value:?}"), String::new()),
        KindPayload::Tagged { tag_value, ty, .. } => (
            tag_value.clone(),
            rust_type(space, &TypeRef::Named(ty.clone())),
        ),
    }
}

/// Union members keyed by label, with the type each holds.
fn compare_members(
    was: &BTreeMap<String, String>,
    is: &BTreeMap<String, String>,
    old_source: &str,
    new_source: &str,
    push: &mut impl FnMut(ChangeKind, &str),
) {
    for (variant, before) in was {
        match is.get(variant) {
            None => push(
                ChangeKind::VariantRemoved {
                    variant: variant.clone(),
                },
                old_source,
            ),
            Some(after) if after != before => push(
                ChangeKind::VariantTypeChanged {
                    variant: variant.clone(),
                    from: before.clone(),
                    to: after.clone(),
                },
                new_source,
            ),
            Some(_) => {}
        }
    }
    for variant in is.keys().filter(|v| !was.contains_key(*v)) {
        push(
            ChangeKind::VariantAdded {
                variant: variant.clone(),
            },
            new_source,
        );
    }
}

fn compare_fields(
    (old_space, old): (&TypeSpace, &[Field]),
    (new_space, new): (&TypeSpace, &[Field]),
    push: &mut impl FnMut(ChangeKind, &str),
) {
    for before in old {
        let Some(after) = new.iter().find(|f| f.wire_name == before.wire_name) else {
            push(
                ChangeKind::FieldRemoved {
                    field: before.wire_name.clone(),
                },
                &before.source,
            );
            continue;
        };
        let field = || after.wire_name.clone();
        if before.required != after.required {
            push(
                ChangeKind::RequiredChanged {
                    field: field(),
                    required: after.required,
                },
                &after.source,
            );
        }
        if before.nullable != after.nullable {
            push(
                ChangeKind::NullableChanged {
                    field: field(),
                    nullable: after.nullable,
                },
                &after.source,
            );
        }
        let (from, to) = (field_type(old_space, before), field_type(new_space, after));
        if from != to {
            push(
                ChangeKind::FieldTypeChanged {
                    field: field(),
                    from,
                    to,
                },
                &after.source,
            );
        }
        if before.rust_name != after.rust_name {
            push(
                ChangeKind::FieldRenamed {
                    field: field(),
                    from: before.rust_name.clone(),
                    to: after.rust_name.clone(),
                },
                &after.source,
            );
        }
        if before.description != after.description {
            push(
                ChangeKind::DescriptionChanged {
                    field: Some(field()),
                },
                &after.source,
            );
        }
        if before.bounds != after.bounds {
            push(
                ChangeKind::BoundsChanged {
                    field: field(),
                    from: bounds_text(&before.bounds),
                    to: bounds_text(&after.bounds),
                },
                &after.source,
            );
        }
    }
    for after in new {
        if !old.iter().any(|f| f.wire_name == after.wire_name) {
            push(
                ChangeKind::FieldAdded {
                    field: after.wire_name.clone(),
                    required: after.required,
                    nullable: after.nullable,
                },
                &after.source,
            );
        }
    }
}

/// `minimum 0.25, maximum 1.5`.
fn bounds_text(bounds: &[NumericBound]) -> String {
    bounds
        .iter()
        .map(|bound| match bound.value {
            BoundValue::Integer(integer) => format!("{} {integer}", bound.keyword),
            BoundValue::Float(float) => format!("{} {float}", bound.keyword),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Construction, EnumValue, StringEnum, StructType};
    use crate::test_fixtures::def;

    fn field(name: &str, required: bool, nullable: bool) -> Field {
        Field {
            wire_name: name.into(),
            rust_name: name.into(),
            ty: TypeRef::String,
            required,
            nullable,
            boxed: false,
            description: None,
            bounds: Vec::new(),
            source: format!("/components/schemas/S/properties/{name}"),
        }
    }

    fn object(fields: Vec<Field>) -> TypeDef {
        def(
            "S",
            TypeKind::Struct(StructType {
                fields,
                constants: Vec::new(),
                derives_default: false,
                borrowed_view: false,
                construction: Construction::default(),
            }),
        )
        .1
    }

    fn string_enum(values: &[&str]) -> TypeDef {
        let values = values
            .iter()
            .map(|v| EnumValue {
                name: v.to_string(),
                wire: v.to_string(),
            })
            .collect();
        def("S", TypeKind::StringEnum(StringEnum { values })).1
    }

    fn kinds(old: &TypeDef, new: &TypeDef) -> Vec<ChangeKind> {
        let space = TypeSpace::default();
        compare_types((&space, old), (&space, new))
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn a_field_that_became_required_is_reported_with_its_new_presence() {
        let old = object(vec![field("a", false, false)]);
        let new = object(vec![field("a", true, false)]);
        assert_eq!(
            kinds(&old, &new),
            [ChangeKind::RequiredChanged {
                field: "a".into(),
                required: true
            }]
        );
    }

    #[test]
    fn a_field_that_became_nullable_is_reported() {
        let old = object(vec![field("a", false, false)]);
        let new = object(vec![field("a", false, true)]);
        assert_eq!(
            kinds(&old, &new),
            [ChangeKind::NullableChanged {
                field: "a".into(),
                nullable: true
            }]
        );
    }

    #[test]
    fn added_and_removed_fields_are_told_apart_by_wire_name() {
        let old = object(vec![field("a", false, false)]);
        let new = object(vec![field("b", true, true)]);
        assert_eq!(
            kinds(&old, &new),
            [
                ChangeKind::FieldRemoved { field: "a".into() },
                ChangeKind::FieldAdded {
                    field: "b".into(),
                    required: true,
                    nullable: true
                }
            ]
        );
    }

    #[test]
    fn a_boxed_field_holds_another_rust_type() {
        let old = object(vec![field("a", true, false)]);
        let mut boxed = field("a", true, false);
        boxed.boxed = true;
        let new = object(vec![boxed]);
        assert_eq!(
            kinds(&old, &new),
            [ChangeKind::FieldTypeChanged {
                field: "a".into(),
                from: "String".into(),
                to: "Box<String>".into()
            }]
        );
    }

    #[test]
    fn a_changed_bound_is_reported_as_documentation_of_that_field() {
        let before = field("speed", false, false);
        let mut after = before.clone();
        after.bounds = vec![NumericBound {
            keyword: "maximum".into(),
            value: BoundValue::Float(1.5),
        }];
        let changes = kinds(&object(vec![before]), &object(vec![after]));
        assert_eq!(
            changes,
            [ChangeKind::BoundsChanged {
                field: "speed".into(),
                from: String::new(),
                to: "maximum 1.5".into(),
            }]
        );
    }

    #[test]
    fn a_new_field_description_is_documentation_of_that_field() {
        let old = object(vec![field("a", true, false)]);
        let mut documented = field("a", true, false);
        documented.description = Some("Now explained.".into());
        let new = object(vec![documented]);
        assert_eq!(
            kinds(&old, &new),
            [ChangeKind::DescriptionChanged {
                field: Some("a".into())
            }]
        );
    }

    #[test]
    fn enum_values_are_compared_by_wire_value() {
        let old = string_enum(&["low", "high"]);
        let new = string_enum(&["auto", "low"]);
        assert_eq!(
            kinds(&old, &new),
            [
                ChangeKind::EnumValueRemoved {
                    value: "high".into()
                },
                ChangeKind::EnumValueAdded {
                    value: "auto".into()
                }
            ]
        );
    }

    #[test]
    fn a_type_of_another_shape_is_one_change() {
        let old = object(vec![field("a", true, false)]);
        let new = string_enum(&["a"]);
        assert_eq!(
            kinds(&old, &new),
            [ChangeKind::ShapeChanged {
                from: Shape::Struct,
                to: Shape::StringEnum
            }]
        );
    }
}
