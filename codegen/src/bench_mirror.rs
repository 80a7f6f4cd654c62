//! The benchmark's baseline (`realtime-bench/src/derived/mirror.rs`,
//! written by `cargo xtask codegen` and covered by its drift check): a
//! plain-serde mirror of the server event types, where every type *derives*
//! `Deserialize` and the event unions use serde's internally tagged
//! representation (`#[serde(tag = "type")]`).
//!
//! It is what a generator without custom `Deserialize` impls would emit for
//! the same model, so that `decode_bench` can compare our decoder against
//! it. Only the types that the GA and beta `ServerEvent` unions reach are
//! mirrored, each by its spec name (unique in the whole model, so the
//! mirror is one flat module).
//!
//! Mapping (see the module documentation of `realtime_bench::derived` for
//! where the mirror keeps less than ours):
//!
//! - `Struct`: a struct of `pub` fields, `#[serde(rename = "<wire>")]`;
//!   fields that are optional or nullable are `Option<T>` with
//!   `#[serde(default)]`, boxed fields `Box<T>`; unknown fields are kept in a
//!   `#[serde(flatten)]` map. Constants are left out: the tag is consumed by
//!   the union, any other constant lands in the unknown fields.
//! - `TaggedUnion`: `#[serde(tag = "<tag>")]` enum, one newtype variant per
//!   member, `#[serde(other)] Unknown` for the rest.
//! - `KindUnion`: `#[serde(untagged)]` enum; its constant strings go through
//!   a unit-only enum (`<Name>Constant`), its tagged objects through a
//!   `#[serde(tag = ...)]` enum (`<Name>Object`).
//! - `StringEnum`: a unit-only enum with `#[serde(other)] Other`, like ours
//!   without the unknown value. (A plain `String` would be an open enum too,
//!   but it allocates for every value where ours allocates for none, which
//!   made the baseline about 5 % slower on the structured events.)
//! - `Alias`: `type`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::emit::{GeneratedFile, SpecStamp};
use crate::error::Error;
use crate::ir::{
    Direction, Field, KindPayload, KindUnion, StringEnum, StructType, TaggedUnion, TypeId,
    TypeKind, TypeRef, TypeSpace,
};

/// The surfaces mirrored, and the name their server union gets.
const SURFACES: [(&str, &str); 2] = [("ga", "GaServerEvent"), ("beta", "BetaServerEvent")];

/// The mirror of `space`, as the file `mirror.rs` (stamped like the files
/// of `realtime-types`).
pub fn derived_mirror(space: &TypeSpace, stamp: &SpecStamp) -> Result<GeneratedFile, Error> {
    let text = Mirror::new(space)?.generate();
    Ok(crate::emit::stamped_file("mirror.rs", text, stamp))
}

fn invalid(reason: String) -> Error {
    Error::InvalidModel {
        pointer: "#/".into(),
        reason,
    }
}

/// Prints the derived mirror of the part of a type space the server unions reach.
struct Mirror<'a> {
    space: &'a TypeSpace,
    /// The Rust name of every mirrored type.
    names: BTreeMap<&'a TypeId, String>,
    out: String,
}

impl<'a> Mirror<'a> {
    fn new(space: &'a TypeSpace) -> Result<Self, Error> {
        let mut names = BTreeMap::new();
        let mut pending = Vec::new();
        for (module, union_name) in SURFACES {
            let surface = space
                .surfaces
                .iter()
                .find(|s| s.module == module)
                .ok_or_else(|| invalid(format!("the model has no `{module}` surface")))?;
            let union = surface
                .unions
                .iter()
                .find(|u| u.direction == Direction::ServerToClient)
                .ok_or_else(|| invalid(format!("`{module}` has no server event union")))?;
            names.insert(&union.id, union_name.to_string());
            pending.push(&union.id);
        }
        // Every type the unions reach, by its own (unique) name.
        for id in space.reachable_from(pending) {
            let (id, def) = space
                .types
                .get_key_value(&id)
                .ok_or_else(|| invalid(format!("the model refers to an undefined type `{id}`")))?;
            names.entry(id).or_insert_with(|| def.spec_name.clone());
        }
        let unique: BTreeSet<&String> = names.values().collect();
        if unique.len() != names.len() {
            return Err(invalid("two mirrored types share a spec name".into()));
        }
        // The helper enums of kind unions must not shadow a model type.
        for (id, def) in space.types.iter().filter(|(id, _)| names.contains_key(id)) {
            if let TypeKind::KindUnion(_) = &def.kind {
                let name = &names[id];
                for helper in [format!("{name}Constant"), format!("{name}Object")] {
                    if unique.contains(&helper) {
                        return Err(invalid(format!(
                            "the helper enum `{helper}` would shadow a model type"
                        )));
                    }
                }
            }
        }
        Ok(Self {
            space,
            names,
            out: String::new(),
        })
    }

    fn generate(mut self) -> String {
        let ids: Vec<&TypeId> = self.names.keys().copied().collect();
        let _ = writeln!(
            self.out,
            "// The serde-derived mirror of the GA and beta server events: {} types.\n",
            ids.len()
        );
        let _ = writeln!(
            self.out,
            "/// The number of types mirrored (named types of the model).\n\
             pub const MIRRORED_TYPES: usize = {};\n",
            ids.len()
        );
        for id in ids {
            let Some(def) = self.space.types.get(id) else {
                continue;
            };
            let name = self.names[id].clone();
            let _ = writeln!(self.out, "// {}", def.source);
            match &def.kind {
                TypeKind::Struct(s) => self.structure(&name, s),
                TypeKind::TaggedUnion(u) => self.tagged_union(&name, u),
                TypeKind::KindUnion(u) => self.kind_union(&name, u),
                TypeKind::StringEnum(e) => self.string_enum(&name, e),
                TypeKind::Alias(target) => {
                    let target = self.rust_type(target);
                    let _ = writeln!(self.out, "pub type {name} = {target};\n");
                }
            }
        }
        self.out
    }

    fn rust_type(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::String => "String".into(),
            TypeRef::Integer => "i64".into(),
            TypeRef::Number => "serde_json::Number".into(),
            TypeRef::Boolean => "bool".into(),
            TypeRef::Any => "serde_json::Value".into(),
            TypeRef::Array(item) => format!("Vec<{}>", self.rust_type(item)),
            TypeRef::Map(value) if **value == TypeRef::Any => {
                "serde_json::Map<String, serde_json::Value>".into()
            }
            TypeRef::Map(value) => format!(
                "std::collections::BTreeMap<String, {}>",
                self.rust_type(value)
            ),
            TypeRef::Named(id) => self.names[id].clone(),
        }
    }

    fn field_type(&self, field: &Field) -> String {
        let ty = self.rust_type(&field.ty);
        let ty = if field.boxed {
            format!("Box<{ty}>")
        } else {
            ty
        };
        if field.required && !field.nullable {
            ty
        } else {
            format!("Option<{ty}>")
        }
    }

    fn structure(&mut self, name: &str, s: &StructType) {
        let mut text = format!("#[derive(Debug, serde::Deserialize)]\npub struct {name} {{\n");
        for field in &s.fields {
            let default = if field.required && !field.nullable {
                ""
            } else {
                ", default"
            };
            let _ = writeln!(
                text,
                "    #[serde(rename = {:?}{default})]\n    pub {}: {},",
                field.wire_name,
                field.rust_name,
                self.field_type(field)
            );
        }
        text.push_str(
            "    #[serde(flatten)]\n    \
             pub unknown_fields: serde_json::Map<String, serde_json::Value>,\n}\n\n",
        );
        self.out.push_str(&text);
    }

    /// A unit-only enum, `#[serde(other)] Other` for the values the spec
    /// does not list (ours keeps such a value as a `String`; this drops it).
    fn string_enum(&mut self, name: &str, e: &StringEnum) {
        let mut text = format!("#[derive(Debug, serde::Deserialize)]\npub enum {name} {{\n");
        for value in &e.values {
            let _ = writeln!(
                text,
                "    #[serde(rename = {:?})]\n    {},",
                value.wire, value.name
            );
        }
        text.push_str("    #[serde(other)]\n    Other,\n}\n\n");
        self.out.push_str(&text);
    }

    fn tagged_union(&mut self, name: &str, u: &TaggedUnion) {
        let members: Vec<(&str, &str, &TypeId, bool)> = u
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.tag_value.as_str(), &v.ty, v.boxed))
            .collect();
        self.tagged_enum(name, &u.tag, &members);
    }

    /// A `#[serde(tag)]` enum of newtype variants (boxed where the model's
    /// union boxes them, so both hold the same types) and a unit `Unknown`.
    fn tagged_enum(&mut self, name: &str, tag: &str, members: &[(&str, &str, &TypeId, bool)]) {
        let mut text = format!(
            "#[derive(Debug, serde::Deserialize)]\n#[serde(tag = {tag:?})]\npub enum {name} {{\n"
        );
        for (variant, value, ty, boxed) in members {
            let payload = &self.names[*ty];
            let payload = if *boxed {
                format!("Box<{payload}>")
            } else {
                payload.clone()
            };
            let _ = writeln!(
                text,
                "    #[serde(rename = {value:?})]\n    {variant}({payload}),"
            );
        }
        text.push_str("    #[serde(other)]\n    Unknown,\n}\n\n");
        self.out.push_str(&text);
    }

    fn kind_union(&mut self, name: &str, u: &KindUnion) {
        let constants: Vec<(&str, &str)> = u
            .variants
            .iter()
            .filter_map(|v| match &v.payload {
                KindPayload::Constant(value) => Some((v.name.as_str(), value.as_str())),
                _ => None,
            })
            .collect();
        let objects: Vec<(&str, &str, &TypeId, bool)> = u
            .variants
            .iter()
            .filter_map(|v| match &v.payload {
                KindPayload::Tagged { tag_value, ty, .. } => {
                    Some((v.name.as_str(), tag_value.as_str(), ty, false))
                }
                _ => None,
            })
            .collect();
        let constant_enum = format!("{name}Constant");
        let object_enum = format!("{name}Object");
        let mut text = format!(
            "#[derive(Debug, serde::Deserialize)]\n#[serde(untagged)]\npub enum {name} {{\n"
        );
        // In the order of the model; the constants and the tagged objects
        // each take the place of their first member.
        let (mut constants_done, mut objects_done) = (false, false);
        for v in &u.variants {
            match &v.payload {
                KindPayload::Value(ty) => {
                    let _ = writeln!(text, "    {}({}),", v.name, self.rust_type(ty));
                }
                KindPayload::Constant(_) if !constants_done => {
                    constants_done = true;
                    let _ = writeln!(text, "    Constant({constant_enum}),");
                }
                KindPayload::Tagged { .. } if !objects_done => {
                    objects_done = true;
                    let _ = writeln!(text, "    Object({object_enum}),");
                }
                _ => {}
            }
        }
        text.push_str("}\n\n");
        self.out.push_str(&text);
        if !constants.is_empty() {
            let mut text =
                format!("#[derive(Debug, serde::Deserialize)]\npub enum {constant_enum} {{\n");
            for (variant, value) in constants {
                let _ = writeln!(text, "    #[serde(rename = {value:?})]\n    {variant},");
            }
            text.push_str("}\n\n");
            self.out.push_str(&text);
        }
        if !objects.is_empty() {
            let tag = u.object_tag.as_deref().unwrap_or("type");
            self.tagged_enum(&object_enum, tag, &objects);
        }
    }
}
