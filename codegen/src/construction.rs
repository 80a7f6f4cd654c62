//! How users build the generated types: a pass that decides every
//! constructor, setter and `From` impl, so that the emitter only prints them.
//!
//! The rules, for every struct:
//!
//! - `new(required ...)` takes the required fields in spec order (constants
//!   such as `type` are not fields: the struct writes them); a struct without
//!   required fields has `Default` instead. The generated send method of a
//!   client event takes the same parameters, so it never has an `Option`
//!   parameter: optional fields are set on the struct.
//! - A string, a named type, a number or an array is passed as `impl Into<T>`
//!   (`"marin"`, `0.5`, `[item]`), an integer or a boolean as itself.
//! - Every optional field gets `with_<field>(value)`, and a nullable one
//!   `with_<field>_null()` as well (`null` is not the same as absent: a
//!   `turn_detection` of `null` turns it off); one whose type is a struct
//!   with `Default` also gets `edit_<field>(|value| ..)`, which starts from
//!   the field's value or the default, so that nested settings need no
//!   import of their types.
//! - A struct with a string-enum `type` field gets one constructor per known
//!   value (`UserMessageContentItem::input_text()`).
//!
//! For every union: `From` each member's payload, and, through a member that
//! is itself a union, `From` each of that union's sources too
//! (`ConversationItem::from(UserMessage)`); a union with one member made of
//! strings converts from `&str` and `String` (`"marin".into()`), one with a
//! number member from `f64`. A source two paths reach equally is ambiguous
//! and gets no impl (the shorter path wins when there is one).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    Construction, Conversion, ConversionSource, KindPayload, Param, Pass, Setter, StructType,
    TypeConstructors, TypeId, TypeKind, TypeRef, TypeSpace, Wrap,
};
use crate::naming;

/// Decides the construction of every type of `space` (see the module documentation).
pub fn plan(space: &mut TypeSpace) {
    let mut constructions = BTreeMap::new();
    let mut conversions = BTreeMap::new();
    for (id, def) in &space.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                constructions.insert(id.clone(), construction(space, &def.name, s));
            }
            TypeKind::TaggedUnion(_) | TypeKind::KindUnion(_) => {
                let mut visiting = BTreeSet::new();
                conversions.insert(
                    id.clone(),
                    unambiguous(union_sources(space, id, &mut visiting)),
                );
            }
            TypeKind::StringEnum(_) | TypeKind::Alias(_) => {}
        }
    }
    for (id, def) in space.types.iter_mut() {
        match &mut def.kind {
            TypeKind::Struct(s) => {
                if let Some(construction) = constructions.remove(id) {
                    s.construction = construction;
                }
            }
            TypeKind::TaggedUnion(u) => u.conversions = conversions.remove(id).unwrap_or_default(),
            TypeKind::KindUnion(u) => u.conversions = conversions.remove(id).unwrap_or_default(),
            TypeKind::StringEnum(_) | TypeKind::Alias(_) => {}
        }
    }
}

/// How a value of `ty` is passed to a constructor or setter.
pub fn pass(ty: &TypeRef) -> Pass {
    match ty {
        TypeRef::Integer | TypeRef::Boolean | TypeRef::Map(_) => Pass::Plain,
        TypeRef::String
        | TypeRef::Number
        | TypeRef::Any
        | TypeRef::Array(_)
        | TypeRef::Named(_) => Pass::Into,
    }
}

fn construction(space: &TypeSpace, name: &str, s: &StructType) -> Construction {
    let param = |field: usize| Param {
        field,
        pass: pass(&s.fields[field].ty),
    };
    let new_params: Vec<Param> = (0..s.fields.len())
        .filter(|&i| s.fields[i].required)
        .map(param)
        .collect();
    let setters = (0..s.fields.len())
        .filter(|&i| !s.fields[i].required)
        .map(|i| Setter {
            param: param(i),
            edit: !s.fields[i].boxed && is_default_struct(space, &s.fields[i].ty),
        })
        .collect();
    Construction {
        by_type: type_constructors(space, name, s),
        new_params,
        setters,
    }
}

/// Whether `ty` is, through aliases, a struct that derives `Default`.
fn is_default_struct(space: &TypeSpace, ty: &TypeRef) -> bool {
    matches!(
        space.resolve(ty),
        TypeRef::Named(id) if matches!(
            space.types.get(id).map(|d| &d.kind),
            Some(TypeKind::Struct(s)) if s.derives_default
        )
    )
}

/// Constructors named by the `type`'s values, except one named like the
/// type itself (`Square::square()`: `new` is that one).
fn type_constructors(space: &TypeSpace, name: &str, s: &StructType) -> Option<TypeConstructors> {
    let own = naming::snake_case(name);
    let field = s.fields.iter().position(|f| f.wire_name == "type")?;
    let TypeRef::Named(enum_id) = space.resolve(&s.fields[field].ty) else {
        return None;
    };
    let Some(TypeKind::StringEnum(e)) = space.types.get(enum_id).map(|d| &d.kind) else {
        return None;
    };
    let mut seen = BTreeSet::new();
    let constructors: Vec<(String, String, String)> = e
        .values
        .iter()
        .map(|value| {
            let method = naming::snake_case(&value.name);
            (method, value.name.clone(), value.wire.clone())
        })
        .filter(|(method, _, _)| {
            method != "new"
                && *method != own
                && !method.starts_with("with_")
                && !method.starts_with("edit_")
                && !naming::is_keyword(method)
                && seen.insert(method.clone())
        })
        .collect();
    (!constructors.is_empty()).then(|| TypeConstructors {
        field,
        enum_id: enum_id.clone(),
        constructors,
    })
}

/// Every source a union converts from, with its path (ambiguities included).
fn union_sources(
    space: &TypeSpace,
    id: &TypeId,
    visiting: &mut BTreeSet<TypeId>,
) -> Vec<Conversion> {
    if !visiting.insert(id.clone()) {
        return Vec::new();
    }
    let members: Vec<(String, bool, TypeRef)> = match space.types.get(id).map(|d| &d.kind) {
        Some(TypeKind::TaggedUnion(u)) => u
            .variants
            .iter()
            .map(|v| (v.name.clone(), v.boxed, TypeRef::Named(v.ty.clone())))
            .collect(),
        Some(TypeKind::KindUnion(u)) => u
            .variants
            .iter()
            .filter_map(|v| match &v.payload {
                KindPayload::Value(ty) => Some((v.name.clone(), false, ty.clone())),
                KindPayload::Tagged { ty, .. } => {
                    Some((v.name.clone(), false, TypeRef::Named(ty.clone())))
                }
                KindPayload::Constant(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut sources = Vec::new();
    for (variant, boxed, payload) in members {
        let wrap = Wrap {
            union: id.clone(),
            variant,
            boxed,
        };
        let payload = space.resolve(&payload).clone();
        let mut direct = vec![ConversionSource::Exact(payload.clone())];
        match &payload {
            TypeRef::String => direct.push(ConversionSource::Str),
            TypeRef::Number => direct.push(ConversionSource::Float),
            TypeRef::Named(inner) => match space.types.get(inner).map(|d| &d.kind) {
                Some(TypeKind::StringEnum(_)) => {
                    direct.extend([ConversionSource::Str, ConversionSource::String]);
                }
                Some(TypeKind::TaggedUnion(_) | TypeKind::KindUnion(_)) => {
                    for nested in union_sources(space, inner, visiting) {
                        let mut path = vec![wrap.clone()];
                        path.extend(nested.path);
                        sources.push(Conversion {
                            from: nested.from,
                            path,
                        });
                    }
                }
                _ => {}
            },
            _ => {}
        }
        for from in direct {
            sources.push(Conversion {
                from,
                path: vec![wrap.clone()],
            });
        }
    }
    visiting.remove(id);
    sources
}

/// The conversions whose source has one shortest path, in a stable order.
fn unambiguous(sources: Vec<Conversion>) -> Vec<Conversion> {
    let mut by_source: BTreeMap<ConversionSource, Vec<Conversion>> = BTreeMap::new();
    for conversion in sources {
        by_source
            .entry(conversion.from.clone())
            .or_default()
            .push(conversion);
    }
    by_source
        .into_values()
        .filter_map(|mut paths| {
            let shortest = paths.iter().map(|c| c.path.len()).min()?;
            paths.retain(|c| c.path.len() == shortest);
            (paths.len() == 1).then(|| paths.remove(0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        EnumValue, Field, JsonKind, KindUnion, KindVariant, StringEnum, TaggedUnion, TaggedVariant,
        TypeDef,
    };
    use crate::test_fixtures::def;

    fn field(name: &str, ty: TypeRef, required: bool) -> Field {
        Field {
            wire_name: name.into(),
            rust_name: naming::field_name(name),
            ty,
            required,
            nullable: false,
            boxed: false,
            description: None,
            bounds: Vec::new(),
            source: String::new(),
        }
    }

    fn structure(fields: Vec<Field>, derives_default: bool) -> TypeKind {
        TypeKind::Struct(StructType {
            fields,
            constants: Vec::new(),
            derives_default,
            borrowed_view: false,
            construction: Construction::default(),
        })
    }

    fn tagged(members: &[(&str, &str)]) -> TypeKind {
        TypeKind::TaggedUnion(TaggedUnion {
            tag: "type".into(),
            variants: members
                .iter()
                .map(|(variant, ty)| TaggedVariant {
                    name: (*variant).into(),
                    tag_value: variant.to_lowercase(),
                    ty: (*ty).into(),
                    boxed: false,
                    tag_field: None,
                })
                .collect(),
            is_event_union: false,
            borrowed_view: false,
            conversions: Vec::new(),
        })
    }

    fn named(id: &str) -> TypeRef {
        TypeRef::Named(id.into())
    }

    fn space(defs: Vec<(TypeId, TypeDef)>) -> TypeSpace {
        let mut space = TypeSpace {
            types: defs.into_iter().collect(),
            ..TypeSpace::default()
        };
        plan(&mut space);
        space
    }

    fn conversions(space: &TypeSpace, id: &str) -> Vec<(ConversionSource, Vec<String>)> {
        let list = match &space.types[id].kind {
            TypeKind::TaggedUnion(u) => &u.conversions,
            TypeKind::KindUnion(u) => &u.conversions,
            _ => panic!("{id} is not a union"),
        };
        list.iter()
            .map(|c| {
                (
                    c.from.clone(),
                    c.path.iter().map(|w| w.variant.clone()).collect(),
                )
            })
            .collect()
    }

    fn construction_of<'a>(space: &'a TypeSpace, id: &str) -> &'a Construction {
        match &space.types[id].kind {
            TypeKind::Struct(s) => &s.construction,
            _ => panic!("{id} is not a struct"),
        }
    }

    #[test]
    fn new_takes_the_required_fields_in_spec_order_and_setters_the_optional_ones() {
        let space = space(vec![
            def("Audio", structure(vec![], true)),
            def(
                "Event",
                structure(
                    vec![
                        field("event_id", TypeRef::String, false),
                        field("item_id", TypeRef::String, true),
                        field("audio", named("Audio"), false),
                        field("content_index", TypeRef::Integer, true),
                    ],
                    false,
                ),
            ),
        ]);
        let construction = construction_of(&space, "Event");
        let params: Vec<(usize, Pass)> = construction
            .new_params
            .iter()
            .map(|p| (p.field, p.pass))
            .collect();
        assert_eq!(params, [(1, Pass::Into), (3, Pass::Plain)]);
        let setters: Vec<(usize, bool)> = construction
            .setters
            .iter()
            .map(|s| (s.param.field, s.edit))
            .collect();
        assert_eq!(
            setters,
            [(0, false), (2, true)],
            "only the struct field is editable"
        );
    }

    #[test]
    fn a_string_enum_type_field_gives_one_constructor_per_value() {
        let values = ["InputText", "InputAudio"].map(|name| EnumValue {
            name: name.into(),
            wire: naming::snake_case(name),
        });
        let space = space(vec![
            def(
                "ContentType",
                TypeKind::StringEnum(StringEnum {
                    values: values.to_vec(),
                }),
            ),
            def(
                "Content",
                structure(vec![field("type", named("ContentType"), false)], true),
            ),
        ]);
        let by_type = construction_of(&space, "Content").by_type.clone();
        let by_type = by_type.expect("constructors by type");
        assert_eq!(
            by_type.constructors,
            [
                (
                    "input_text".to_string(),
                    "InputText".to_string(),
                    "input_text".to_string()
                ),
                (
                    "input_audio".to_string(),
                    "InputAudio".to_string(),
                    "input_audio".to_string()
                )
            ]
        );
    }

    #[test]
    fn a_union_converts_from_the_members_of_its_nested_unions() {
        let space = space(vec![
            def("User", structure(vec![], true)),
            def("System", structure(vec![], true)),
            def("Call", structure(vec![], true)),
            def("Message", tagged(&[("User", "User"), ("System", "System")])),
            def("Item", tagged(&[("Message", "Message"), ("Call", "Call")])),
        ]);
        assert_eq!(
            conversions(&space, "Item"),
            [
                (
                    ConversionSource::Exact(named("Call")),
                    vec!["Call".to_string()]
                ),
                (
                    ConversionSource::Exact(named("Message")),
                    vec!["Message".to_string()]
                ),
                (
                    ConversionSource::Exact(named("System")),
                    vec!["Message".to_string(), "System".to_string()]
                ),
                (
                    ConversionSource::Exact(named("User")),
                    vec!["Message".to_string(), "User".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn a_source_two_paths_reach_equally_gets_no_impl() {
        let space = space(vec![
            def("Shared", structure(vec![], true)),
            def("Left", tagged(&[("Shared", "Shared")])),
            def("Right", tagged(&[("Shared", "Shared")])),
            def("Both", tagged(&[("Left", "Left"), ("Right", "Right")])),
        ]);
        let sources: Vec<ConversionSource> = conversions(&space, "Both")
            .into_iter()
            .map(|(from, _)| from)
            .collect();
        assert_eq!(
            sources,
            [
                ConversionSource::Exact(named("Left")),
                ConversionSource::Exact(named("Right"))
            ]
        );
    }

    #[test]
    fn a_union_with_a_string_enum_member_converts_from_str() {
        let space = space(vec![
            def(
                "VoiceId",
                TypeKind::StringEnum(StringEnum {
                    values: vec![EnumValue {
                        name: "Marin".into(),
                        wire: "marin".into(),
                    }],
                }),
            ),
            def(
                "CustomVoice",
                structure(vec![field("id", TypeRef::String, true)], true),
            ),
            def(
                "Voice",
                TypeKind::KindUnion(KindUnion {
                    variants: vec![
                        KindVariant {
                            name: "Id".into(),
                            kind: JsonKind::String,
                            payload: KindPayload::Value(named("VoiceId")),
                        },
                        KindVariant {
                            name: "Custom".into(),
                            kind: JsonKind::Object,
                            payload: KindPayload::Value(named("CustomVoice")),
                        },
                        KindVariant {
                            name: "Auto".into(),
                            kind: JsonKind::String,
                            payload: KindPayload::Constant("auto".into()),
                        },
                    ],
                    object_tag: None,
                    conversions: Vec::new(),
                }),
            ),
        ]);
        let sources: Vec<ConversionSource> = conversions(&space, "Voice")
            .into_iter()
            .map(|(from, _)| from)
            .collect();
        assert_eq!(
            sources,
            [
                ConversionSource::Exact(named("CustomVoice")),
                ConversionSource::Exact(named("VoiceId")),
                ConversionSource::Str,
                ConversionSource::String,
            ]
        );
    }
}
