//! From `openapiv3` schemas to the type space.
//!
//! Representation rules (what each schema shape becomes):
//!
//! - `type: object` with `properties` → a struct; a property whose schema is a
//!   single-valued string enum (or a 3.1 `const`) and is required → a
//!   *constant* the struct owns (written on encode, checked on decode);
//!   other properties → fields. An object without properties → a map.
//! - A string `enum` → a string enum that keeps unknown values.
//! - `anyOf` / `oneOf`:
//!   - every member an object with a single-valued discriminator property
//!     (`discriminator.propertyName`, else `type`) → a tagged union keyed by
//!     it; members sharing a tag value are split by a second constant
//!     property (the `role` of messages) into a nested tagged union;
//!   - every member a string (plain or enum) → one string enum with all the
//!     known values, keeping unknown ones;
//!   - otherwise the members must differ in JSON kind (string, integer,
//!     number, boolean, array, object; several objects only when tagged as
//!     above) → a kind union, decoded by looking at the JSON kind;
//!   - anything else cannot be decoded unambiguously and is an error.
//! - `allOf` with one member → that member; with several objects → one merged struct.
//! - Nullability (`nullable`, lowered 3.1 `null` members) is carried to the
//!   field that uses the schema: `Option<T>` when required, `Option<Option<T>>`
//!   when optional, so that an absent field and an explicit `null` differ.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::error::{Error, pointer_push, schema_pointer};
use crate::ir::{
    BoundValue, Constant, EnumValue, EventUnion, Field, JsonKind, KindPayload, KindUnion,
    KindVariant, Module, NumericBound, Operation, OperationBody, PathParam, StringEnum, StructType,
    Surface, TaggedUnion, TaggedVariant, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace,
};
use crate::load::{LoadedSpec, SchemaStore};
use crate::naming;
use crate::operations::{BodyPlan, OperationPlan};
use crate::surfaces::{SurfacePlan, UnionPlan};

/// Schema keywords the generator understands; anything else (other than
/// `x-` extensions) in a generated schema is an error, never silently dropped.
const KNOWN_KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "description",
    "title",
    "properties",
    "required",
    "items",
    "enum",
    "nullable",
    "anyOf",
    "oneOf",
    "allOf",
    "discriminator",
    "additionalProperties",
    "default",
    "format",
    "maxLength",
    "minLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// The name of the field that keeps properties the spec does not list.
pub const UNKNOWN_FIELDS: &str = "unknown_fields";

/// Builds the type space for the planned surfaces. Every pointer in the
/// result (and in an error) names the place in the spec as written.
pub fn lower(
    spec: &mut LoadedSpec,
    plans: &[SurfacePlan],
    operations: &[OperationPlan],
) -> Result<TypeSpace, Error> {
    let built = build(&mut spec.schemas, plans, operations);
    let original = |pointer: &str| spec.schemas.original_pointer(pointer);
    let mut space = built.map_err(|e| e.map_pointers(original))?;
    for def in space.types.values_mut() {
        def.source = original(&def.source);
        if let TypeKind::Struct(s) = &mut def.kind {
            for field in &mut s.fields {
                field.source = original(&field.source);
            }
            for constant in &mut s.constants {
                constant.source = original(&constant.source);
            }
        }
    }
    crate::views::mark_borrowed_views(&mut space)?;
    crate::boxing::box_large_event_variants(&mut space);
    Ok(space)
}

fn build(
    schemas: &mut SchemaStore,
    plans: &[SurfacePlan],
    operations: &[OperationPlan],
) -> Result<TypeSpace, Error> {
    let mut lowerer = Lowerer {
        schemas,
        space: TypeSpace::default(),
        named: BTreeMap::new(),
        claimed: BTreeMap::new(),
        following: BTreeSet::new(),
        pending_objects: BTreeMap::new(),
        hint_parts: BTreeMap::new(),
    };
    for plan in plans {
        let mut unions = Vec::new();
        for union in &plan.unions {
            let id = lowerer.event_union(plan.module, union)?;
            unions.push(EventUnion {
                id,
                origin: union.origin.clone(),
                direction: union.direction,
            });
        }
        lowerer.space.surfaces.push(Surface {
            module: plan.module.to_string(),
            doc: vec![plan.doc.clone()],
            endpoint: plan.endpoint.clone(),
            unions,
            server_error: None,
        });
    }
    for plan in operations {
        let operation = lowerer.operation(plan)?;
        lowerer.space.operations.push(operation);
    }
    let mut space = lowerer.space;
    remove_unreachable(&mut space);
    check_alias_cycles(&space)?;
    crate::recursion::box_recursive_fields(&mut space);
    crate::defaults::mark_default_structs(&mut space);
    Ok(space)
}

/// The result of lowering one schema: the type to use and whether `null` is allowed.
#[derive(Debug, Clone)]
struct Lowered {
    ty: TypeRef,
    nullable: bool,
}

/// What a schema body turned into before it is named.
enum Body {
    /// Needs a definition of its own.
    Def(TypeKind),
    /// Is expressed by an existing type.
    Ref(TypeRef),
}

struct Lowerer<'a> {
    schemas: &'a mut SchemaStore,
    space: TypeSpace,
    /// Component schema name → its lowering (filled before the body, for recursion).
    named: BTreeMap<String, Lowered>,
    /// Rust name → JSON pointer of the schema that claimed it.
    claimed: BTreeMap<String, String>,
    /// Component schemas that are bare `$ref`s being followed (cycle detection).
    following: BTreeSet<String>,
    /// Types being lowered (not defined yet) → whether the schema is an object.
    pending_objects: BTreeMap<TypeId, bool>,
    /// Every name hint given out → the parts it was made of (see
    /// [`TypeDef::name_parts`]).
    hint_parts: BTreeMap<String, Vec<String>>,
}

impl Lowerer<'_> {
    fn claim(&mut self, name: &str, pointer: &str) -> Result<(), Error> {
        if naming::is_reserved_type_name(name) {
            return Err(Error::NameCollision {
                name: name.into(),
                first: "the generated code (a reserved name)".into(),
                second: pointer.into(),
            });
        }
        if let Some(first) = self.claimed.get(name) {
            return Err(Error::NameCollision {
                name: name.into(),
                first: first.clone(),
                second: pointer.into(),
            });
        }
        self.claimed.insert(name.into(), pointer.into());
        Ok(())
    }

    /// The hint for a definition inside the one `parent` names: `parent`
    /// and `part` joined, its parts remembered.
    fn child_hint(&mut self, parent: &str, part: &str) -> String {
        let hint = format!("{parent}{part}");
        let mut parts = self
            .hint_parts
            .get(parent)
            .cloned()
            .unwrap_or_else(|| vec![parent.to_string()]);
        parts.push(part.to_string());
        self.hint_parts.insert(hint.clone(), parts);
        hint
    }

    fn define(
        &mut self,
        name: String,
        module: Module,
        description: Option<String>,
        source: &str,
        kind: TypeKind,
    ) -> TypeId {
        let id = match &module {
            Module::Surface(m) => format!("{m}::{name}"),
            _ => name.clone(),
        };
        let name_parts = self
            .hint_parts
            .get(&name)
            .cloned()
            .unwrap_or_else(|| vec![name.clone()]);
        self.space.types.insert(
            id.clone(),
            TypeDef {
                spec_name: name.clone(),
                name_parts,
                merged_sources: Vec::new(),
                name,
                module,
                description,
                source: source.into(),
                kind,
            },
        );
        id
    }

    fn event_union(&mut self, module: &str, union: &UnionPlan) -> Result<TypeId, Error> {
        let (name, doc, pointer) = (union.name, union.doc, union.pointer.as_str());
        let mut structs = Vec::new();
        for (member, site) in union.members.iter().zip(&union.member_sites) {
            let lowered = self.lower_named(member, site)?;
            let member_pointer = schema_pointer(member);
            if let TypeRef::Named(id) = &lowered.ty {
                self.type_from_event_name(id, member);
            }
            match &lowered.ty {
                TypeRef::Named(id)
                    if matches!(
                        self.space.types.get(id).map(|d| &d.kind),
                        Some(TypeKind::Struct(_))
                    ) =>
                {
                    structs.push((id.clone(), member_pointer));
                }
                _ => {
                    return Err(Error::Surface {
                        pointer: member_pointer,
                        reason: "an event schema must be an object with properties".into(),
                    });
                }
            }
        }
        let union = self.tagged_union(&structs, "type", name, pointer, true)?;
        let id = self.define(
            name.to_string(),
            Module::Surface(module.to_string()),
            Some(doc.to_string()),
            pointer,
            TypeKind::TaggedUnion(union),
        );
        Ok(id)
    }

    /// The oldest specs declare an event's `type` as a plain string and give
    /// its value only as the event's documented name (`x-oaiMeta.name`): the
    /// `type` then becomes a constant with that value.
    fn type_from_event_name(&mut self, id: &TypeId, schema_name: &str) {
        let Ok(Some(schema)) = self.schemas.get(schema_name) else {
            return;
        };
        let ReferenceOr::Item(schema) = &*schema else {
            return;
        };
        let Some(event_name) = schema
            .schema_data
            .extensions
            .get("x-oaiMeta")
            .and_then(|meta| meta.get("name"))
            .and_then(Value::as_str)
        else {
            return;
        };
        let Some(TypeKind::Struct(s)) = self.space.types.get_mut(id).map(|d| &mut d.kind) else {
            return;
        };
        if s.constants.iter().any(|c| c.wire_name == "type") {
            return;
        }
        let plain_type = s
            .fields
            .iter()
            .position(|f| f.wire_name == "type" && f.ty == TypeRef::String && !f.nullable);
        if let Some(position) = plain_type {
            let field = s.fields.remove(position);
            s.constants.push(Constant {
                wire_name: field.wire_name,
                value: event_name.to_string(),
                source: field.source,
            });
        }
    }

    /// Lowers a `#/components/schemas/<name>` reference.
    /// An operation, its bodies' schemas lowered as named types.
    fn operation(&mut self, plan: &OperationPlan) -> Result<Operation, Error> {
        let mut body = |body: &BodyPlan, at: &str| -> Result<OperationBody, Error> {
            Ok(match body {
                BodyPlan::Empty => OperationBody::Empty,
                BodyPlan::Text(content_type) => OperationBody::Text(content_type.clone()),
                BodyPlan::Json(name) => OperationBody::Json(self.lower_named(name, at)?.ty),
                BodyPlan::Form(name) => OperationBody::Form(self.lower_named(name, at)?.ty),
            })
        };
        let request = body(&plan.request, &plan.pointer)?;
        let response = body(&plan.response, &plan.pointer)?;
        Ok(Operation {
            id: plan.id.clone(),
            surface: plan.surface.to_string(),
            method: plan.method.clone(),
            path: plan.path.clone(),
            path_params: plan
                .path_params
                .iter()
                .map(|(name, description)| PathParam {
                    name: name.clone(),
                    description: description.clone(),
                })
                .collect(),
            request,
            status: plan.status,
            response,
            summary: plan.summary.clone(),
            deprecated: plan.deprecated,
            source: plan.pointer.clone(),
        })
    }

    fn lower_reference(&mut self, reference: &str, pointer: &str) -> Result<Lowered, Error> {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .filter(|name| self.schemas.contains(name))
            .ok_or_else(|| Error::UnresolvedRef {
                pointer: pointer.into(),
                reference: reference.into(),
            })?;
        self.lower_named(name, pointer)
    }

    fn lower_named(&mut self, name: &str, from: &str) -> Result<Lowered, Error> {
        if let Some(done) = self.named.get(name) {
            return Ok(done.clone());
        }
        let pointer = schema_pointer(name);
        let read = self.schemas.get(name)?;
        let schema = match read.as_deref() {
            Some(ReferenceOr::Item(schema)) => schema,
            Some(ReferenceOr::Reference { reference }) => {
                if !self.following.insert(name.to_string()) {
                    return Err(Error::unsupported(
                        pointer,
                        "the schema is a `$ref` cycle: it never reaches a definition",
                    ));
                }
                let target = self.lower_reference(reference, &pointer);
                self.following.remove(name);
                let target = target?;
                self.named.insert(name.into(), target.clone());
                return Ok(target);
            }
            None => {
                return Err(Error::UnresolvedRef {
                    pointer: from.into(),
                    reference: format!("#/components/schemas/{name}"),
                });
            }
        };
        let rust_name = naming::type_name(name);
        self.claim(&rust_name, &pointer)?;
        let placeholder = Lowered {
            ty: TypeRef::Named(rust_name.clone()),
            nullable: schema.schema_data.nullable,
        };
        self.named.insert(name.into(), placeholder);
        self.pending_objects
            .insert(rust_name.clone(), is_object_schema(schema));
        let (body, nullable) = self.lower_body(schema, &pointer, &rust_name)?;
        self.pending_objects.remove(&rust_name);
        let kind = match body {
            Body::Def(kind) => kind,
            Body::Ref(TypeRef::Named(id)) if id == rust_name => {
                return Err(Error::unsupported(
                    pointer,
                    "the schema is defined as itself",
                ));
            }
            Body::Ref(target) => TypeKind::Alias(target),
        };
        let description = schema.schema_data.description.clone();
        self.define(
            rust_name.clone(),
            Module::Shared,
            description,
            &pointer,
            kind,
        );
        let lowered = Lowered {
            ty: TypeRef::Named(rust_name),
            nullable,
        };
        self.named.insert(name.into(), lowered.clone());
        Ok(lowered)
    }

    /// Lowers a schema or reference found inside another schema. `hint` names
    /// the definition if the schema needs one.
    fn lower<S: Borrow<Schema>>(
        &mut self,
        schema: &ReferenceOr<S>,
        pointer: &str,
        hint: &str,
    ) -> Result<Lowered, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_reference(reference, pointer),
            ReferenceOr::Item(schema) => self.lower_inline(schema.borrow(), pointer, hint),
        }
    }

    fn lower_inline(
        &mut self,
        schema: &Schema,
        pointer: &str,
        hint: &str,
    ) -> Result<Lowered, Error> {
        let (body, nullable) = self.lower_body(schema, pointer, hint)?;
        let ty = match body {
            Body::Ref(ty) => ty,
            Body::Def(kind) => {
                self.claim(hint, pointer)?;
                let id = self.define(
                    hint.to_string(),
                    Module::Shared,
                    schema.schema_data.description.clone(),
                    pointer,
                    kind,
                );
                TypeRef::Named(id)
            }
        };
        Ok(Lowered { ty, nullable })
    }

    fn check_keywords(&self, pointer: &str) -> Result<(), Error> {
        let Some(Value::Object(raw)) = self.schemas.lowered_node(pointer) else {
            return Ok(());
        };
        for key in raw.keys() {
            if !key.starts_with("x-") && !KNOWN_KEYWORDS.contains(&key.as_str()) {
                return Err(Error::unsupported(
                    pointer,
                    format!("the keyword `{key}` is not supported by the generator"),
                ));
            }
        }
        if let Some(Value::Array(types)) = raw.get("type") {
            return Err(Error::unsupported(
                pointer,
                format!(
                    "a schema with several types ({}) is not supported",
                    Value::Array(types.clone())
                ),
            ));
        }
        Ok(())
    }

    fn lower_body(
        &mut self,
        schema: &Schema,
        pointer: &str,
        hint: &str,
    ) -> Result<(Body, bool), Error> {
        self.check_keywords(pointer)?;
        let data = &schema.schema_data;
        let mut nullable = data.nullable;
        let body = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                if string.enumeration.iter().any(Option::is_none) {
                    nullable = true;
                }
                let values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
                if values.is_empty() {
                    Body::Ref(TypeRef::String)
                } else {
                    Body::Def(string_enum(&values, pointer)?)
                }
            }
            SchemaKind::Type(Type::Number(_)) => Body::Ref(TypeRef::Number),
            SchemaKind::Type(Type::Integer(_)) => Body::Ref(TypeRef::Integer),
            SchemaKind::Type(Type::Boolean(_)) => Body::Ref(TypeRef::Boolean),
            SchemaKind::Type(Type::Array(array)) => {
                let item = match &array.items {
                    Some(items) => {
                        let item_hint = self.child_hint(hint, "Item");
                        self.lower(items, &pointer_push(pointer, "items"), &item_hint)?
                    }
                    None => Lowered {
                        ty: TypeRef::Any,
                        nullable: false,
                    },
                };
                if item.nullable {
                    return Err(Error::unsupported(
                        format!("{pointer}/items"),
                        "nullable array items are not supported",
                    ));
                }
                Body::Ref(TypeRef::Array(Box::new(item.ty)))
            }
            SchemaKind::Type(Type::Object(object)) => self.lower_object(
                &properties_at(&object.properties, pointer),
                &object.required,
                object.additional_properties.as_ref(),
                pointer,
                hint,
            )?,
            SchemaKind::OneOf { one_of } => {
                self.lower_union(one_of, "oneOf", data, pointer, hint, &mut nullable)?
            }
            SchemaKind::AnyOf { any_of } => {
                self.lower_union(any_of, "anyOf", data, pointer, hint, &mut nullable)?
            }
            SchemaKind::AllOf { all_of } => {
                self.lower_all_of(all_of, pointer, hint, &mut nullable)?
            }
            SchemaKind::Not { .. } => {
                return Err(Error::unsupported(
                    pointer,
                    "the keyword `not` is not supported",
                ));
            }
            SchemaKind::Any(any) => {
                if !any.one_of.is_empty() {
                    self.lower_union(&any.one_of, "oneOf", data, pointer, hint, &mut nullable)?
                } else if !any.any_of.is_empty() {
                    self.lower_union(&any.any_of, "anyOf", data, pointer, hint, &mut nullable)?
                } else if !any.all_of.is_empty() {
                    self.lower_all_of(&any.all_of, pointer, hint, &mut nullable)?
                } else if any.typ.as_deref() == Some("object")
                    || !any.properties.is_empty()
                    || any.additional_properties.is_some()
                {
                    self.lower_object(
                        &properties_at(&any.properties, pointer),
                        &any.required,
                        any.additional_properties.as_ref(),
                        pointer,
                        hint,
                    )?
                } else if !any.enumeration.is_empty() {
                    let mut values = Vec::new();
                    for value in &any.enumeration {
                        match value {
                            Value::String(s) => values.push(s.clone()),
                            Value::Null => nullable = true,
                            other => {
                                return Err(Error::unsupported(
                                    pointer,
                                    format!("enum value {other} is not a string"),
                                ));
                            }
                        }
                    }
                    Body::Def(string_enum(&values, pointer)?)
                } else {
                    match any.typ.as_deref() {
                        None => Body::Ref(TypeRef::Any),
                        Some("string") => Body::Ref(TypeRef::String),
                        Some("integer") => Body::Ref(TypeRef::Integer),
                        Some("number") => Body::Ref(TypeRef::Number),
                        Some("boolean") => Body::Ref(TypeRef::Boolean),
                        Some("array") => {
                            let item = match &any.items {
                                Some(items) => {
                                    let item_hint = self.child_hint(hint, "Item");
                                    self.lower(items, &pointer_push(pointer, "items"), &item_hint)?
                                }
                                None => Lowered {
                                    ty: TypeRef::Any,
                                    nullable: false,
                                },
                            };
                            Body::Ref(TypeRef::Array(Box::new(item.ty)))
                        }
                        Some(other) => {
                            return Err(Error::unsupported(
                                pointer,
                                format!("`type: {other}` with these keywords is not supported"),
                            ));
                        }
                    }
                }
            }
        };
        Ok((body, nullable))
    }

    fn lower_object(
        &mut self,
        properties: &[Property],
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        hint: &str,
    ) -> Result<Body, Error> {
        if properties.is_empty() {
            let value = match additional {
                Some(AdditionalProperties::Schema(schema)) => {
                    let value_hint = self.child_hint(hint, "Value");
                    let lowered = self.lower(
                        schema,
                        &pointer_push(pointer, "additionalProperties"),
                        &value_hint,
                    )?;
                    if lowered.nullable {
                        TypeRef::Any
                    } else {
                        lowered.ty
                    }
                }
                _ => TypeRef::Any,
            };
            return Ok(Body::Ref(TypeRef::Map(Box::new(value))));
        }
        let mut fields: Vec<Field> = Vec::new();
        let mut constants = Vec::new();
        let mut rust_names = BTreeSet::from([UNKNOWN_FIELDS.to_string()]);
        for Property {
            name: wire_name,
            schema: property,
            source,
        } in properties
        {
            let source = source.clone();
            let is_required = required.contains(wire_name);
            if let ReferenceOr::Item(schema) = property
                && let Some(value) = single_string_value(schema)
                && is_required
            {
                self.check_keywords(&source)?;
                constants.push(Constant {
                    wire_name: wire_name.clone(),
                    value,
                    source,
                });
                continue;
            }
            let rust_name = naming::field_name(wire_name);
            if !rust_names.insert(rust_name.clone()) {
                return Err(Error::NameCollision {
                    name: rust_name,
                    first: pointer.into(),
                    second: source,
                });
            }
            let property_hint = self.child_hint(hint, &naming::type_name(wire_name));
            let lowered = self.lower(property, &source, &property_hint)?;
            let description = match property {
                ReferenceOr::Item(schema) => schema.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            let bounds = match lowered.ty {
                TypeRef::Integer | TypeRef::Number => {
                    numeric_bounds(self.schemas.lowered_node(&source), &source)?
                }
                _ => Vec::new(),
            };
            fields.push(Field {
                wire_name: wire_name.clone(),
                rust_name,
                ty: lowered.ty,
                required: is_required,
                nullable: lowered.nullable,
                boxed: false,
                description,
                bounds,
                source,
            });
        }
        Ok(Body::Def(TypeKind::Struct(StructType {
            fields,
            constants,
            derives_default: false,
            borrowed_view: false,
            construction: Default::default(),
        })))
    }

    fn lower_all_of(
        &mut self,
        members: &[ReferenceOr<Schema>],
        pointer: &str,
        hint: &str,
        nullable: &mut bool,
    ) -> Result<Body, Error> {
        if let [only] = members {
            let lowered = self.lower(only, &format!("{pointer}/allOf/0"), hint)?;
            *nullable |= lowered.nullable;
            return Ok(Body::Ref(lowered.ty));
        }
        // Several members: merge their properties into one object. Each
        // property keeps the pointer of the member that declares it.
        let mut properties: Vec<Property> = Vec::new();
        let mut required = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let site = format!("{pointer}/allOf/{i}");
            let referenced;
            let (schema, member_pointer) = match member {
                ReferenceOr::Item(schema) => (schema, site.clone()),
                ReferenceOr::Reference { reference } => {
                    let name = reference
                        .strip_prefix("#/components/schemas/")
                        .unwrap_or(reference);
                    referenced = self.schemas.get(name)?;
                    match referenced.as_deref() {
                        Some(ReferenceOr::Item(schema)) => (schema, schema_pointer(name)),
                        _ => {
                            return Err(Error::UnresolvedRef {
                                pointer: site,
                                reference: reference.clone(),
                            });
                        }
                    }
                }
            };
            self.check_keywords(&member_pointer)?;
            let declared = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(object)) => (&object.properties, &object.required),
                SchemaKind::Any(any) if !any.properties.is_empty() => {
                    (&any.properties, &any.required)
                }
                _ => {
                    return Err(Error::unsupported(
                        site,
                        "`allOf` with several members is supported only for objects with properties",
                    ));
                }
            };
            properties.retain(|p| !declared.0.contains_key(&p.name));
            properties.extend(properties_at(declared.0, &member_pointer));
            required.extend(declared.1.iter().cloned());
        }
        self.lower_object(&properties, &required, None, pointer, hint)
    }

    fn lower_union(
        &mut self,
        members: &[ReferenceOr<Schema>],
        keyword: &str,
        data: &openapiv3::SchemaData,
        pointer: &str,
        hint: &str,
        nullable: &mut bool,
    ) -> Result<Body, Error> {
        let tag_key = data
            .discriminator
            .as_ref()
            .map(|d| d.property_name.clone())
            .unwrap_or_else(|| "type".to_string());
        let mut hints: Vec<String> = members
            .iter()
            .enumerate()
            .map(|(i, m)| member_name_hint(m, i, &tag_key))
            .collect();
        // Members the spec does not tell apart by name get their position.
        for i in 0..hints.len() {
            if hints.iter().filter(|h| **h == hints[i]).count() > 1 {
                hints[i] = format!("{}{i}", hints[i]);
            }
        }
        let mut lowered = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/{keyword}/{i}");
            let member_hint = self.child_hint(hint, &hints[i]);
            let result = self.lower(member, &member_pointer, &member_hint)?;
            *nullable |= result.nullable;
            let is_reference = matches!(member, ReferenceOr::Reference { .. });
            lowered.push(Member {
                ty: result.ty,
                pointer: member_pointer,
                label: member_label(member),
                is_reference,
            });
        }
        if let [only] = lowered.as_slice() {
            return Ok(Body::Ref(only.ty.clone()));
        }

        let kinds: Vec<JsonKind> = lowered
            .iter()
            .map(|m| self.kind_of(&m.ty, &m.pointer))
            .collect::<Result<_, _>>()?;

        // Every member an object with a constant tag: a tagged union.
        if kinds.iter().all(|k| *k == JsonKind::Object)
            && lowered
                .iter()
                .all(|m| self.tag_value(&m.ty, &tag_key).is_some())
        {
            let structs: Vec<(TypeId, String)> = lowered
                .iter()
                .filter_map(|m| m.ty.named().map(|id| (id.clone(), m.pointer.clone())))
                .collect();
            let union = self.tagged_union(&structs, &tag_key, hint, pointer, false)?;
            return Ok(Body::Def(TypeKind::TaggedUnion(union)));
        }
        if data.discriminator.is_some() {
            return Err(Error::unsupported(
                pointer,
                format!(
                    "the union has a discriminator `{tag_key}` but not every member is an object with a single `{tag_key}` value"
                ),
            ));
        }
        // Every member a string: one string enum with every known value.
        if kinds.iter().all(|k| *k == JsonKind::String) {
            let values = self.string_values(&lowered);
            if values.is_empty() {
                return Ok(Body::Ref(TypeRef::String));
            }
            return Ok(Body::Def(string_enum(&values, pointer)?));
        }
        self.kind_union(lowered, kinds, &tag_key, pointer, hint)
            .map(Body::Def)
    }

    /// Known values of string members (plain strings add none).
    fn string_values(&self, members: &[Member]) -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        for member in members {
            if let TypeRef::Named(id) = self.space.resolve(&member.ty)
                && let Some(TypeKind::StringEnum(e)) = self.space.types.get(id).map(|d| &d.kind)
            {
                for value in &e.values {
                    if !values.contains(&value.wire) {
                        values.push(value.wire.clone());
                    }
                }
            }
        }
        values
    }

    fn kind_union(
        &mut self,
        members: Vec<Member>,
        kinds: Vec<JsonKind>,
        tag_key: &str,
        pointer: &str,
        hint: &str,
    ) -> Result<TypeKind, Error> {
        let mut variants: Vec<KindVariant> = Vec::new();
        let mut by_kind: BTreeMap<JsonKind, Vec<Member>> = BTreeMap::new();
        let mut order: Vec<JsonKind> = Vec::new();
        for (member, kind) in members.into_iter().zip(kinds) {
            if !order.contains(&kind) {
                order.push(kind);
            }
            by_kind.entry(kind).or_default().push(member);
        }
        if by_kind.contains_key(&JsonKind::Integer) && by_kind.contains_key(&JsonKind::Number) {
            return Err(Error::unsupported(
                pointer,
                "a union of an integer and a number cannot be decoded unambiguously",
            ));
        }
        let mut object_tag = None;
        for kind in order {
            let group = by_kind.remove(&kind).unwrap_or_default();
            match (kind, group.as_slice()) {
                (JsonKind::String, [only]) => {
                    let single = self.single_enum_value(&only.ty);
                    match single {
                        Some(value) => variants.push(KindVariant {
                            name: naming::variant_name(&value),
                            kind,
                            payload: KindPayload::Constant(value),
                        }),
                        _ => variants.push(KindVariant {
                            name: self.variant_label(only, kind),
                            kind,
                            payload: KindPayload::Value(only.ty.clone()),
                        }),
                    }
                }
                (JsonKind::String, several) => {
                    let values = self.string_values(several);
                    let name = self.child_hint(hint, "String");
                    self.claim(&name, pointer)?;
                    let id = self.define(
                        name,
                        Module::Shared,
                        None,
                        pointer,
                        string_enum(&values, pointer)?,
                    );
                    variants.push(KindVariant {
                        name: "String".into(),
                        kind,
                        payload: KindPayload::Value(TypeRef::Named(id)),
                    });
                }
                (JsonKind::Object, [only]) => {
                    variants.push(KindVariant {
                        name: self.variant_label(only, kind),
                        kind,
                        payload: KindPayload::Value(only.ty.clone()),
                    });
                }
                (JsonKind::Object, several) => {
                    if !several
                        .iter()
                        .all(|m| self.tag_value(&m.ty, tag_key).is_some())
                    {
                        let list: Vec<&str> = several.iter().map(|m| m.pointer.as_str()).collect();
                        return Err(Error::unsupported(
                            pointer,
                            format!(
                                "several object members ({}) without a single-valued `{tag_key}` to tell them apart",
                                list.join(", ")
                            ),
                        ));
                    }
                    let structs: Vec<(TypeId, String)> = several
                        .iter()
                        .filter_map(|m| m.ty.named().map(|id| (id.clone(), m.pointer.clone())))
                        .collect();
                    let tagged = self.tagged_union(&structs, tag_key, hint, pointer, false)?;
                    for variant in tagged.variants {
                        variants.push(KindVariant {
                            name: variant.name,
                            kind,
                            payload: KindPayload::Tagged {
                                tag_value: variant.tag_value,
                                ty: variant.ty,
                                tag_field: variant.tag_field,
                            },
                        });
                    }
                    object_tag = Some(tag_key.to_string());
                }
                (_, [only]) => {
                    variants.push(KindVariant {
                        name: self.variant_label(only, kind),
                        kind,
                        payload: KindPayload::Value(only.ty.clone()),
                    });
                }
                (_, several) => {
                    let list: Vec<&str> = several.iter().map(|m| m.pointer.as_str()).collect();
                    return Err(Error::unsupported(
                        pointer,
                        format!(
                            "members {} have the same JSON kind and cannot be told apart",
                            list.join(", ")
                        ),
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for variant in &variants {
            if !seen.insert(variant.name.clone()) {
                return Err(Error::unsupported(
                    pointer,
                    format!(
                        "two members of the union both become the variant `{}`",
                        variant.name
                    ),
                ));
            }
        }
        Ok(TypeKind::KindUnion(KindUnion {
            variants,
            object_tag,
            conversions: Vec::new(),
        }))
    }

    fn variant_label(&self, member: &Member, kind: JsonKind) -> String {
        if let Some(label) = &member.label {
            return naming::variant_name(label);
        }
        if let (true, TypeRef::Named(id)) = (member.is_reference, &member.ty)
            && let Some(def) = self.space.types.get(id)
        {
            return def.name.clone();
        }
        match kind {
            JsonKind::String => "String",
            JsonKind::Integer => "Integer",
            JsonKind::Number => "Number",
            JsonKind::Boolean => "Boolean",
            JsonKind::Array => "Array",
            JsonKind::Object => "Object",
        }
        .to_string()
    }

    fn single_enum_value(&self, ty: &TypeRef) -> Option<String> {
        let TypeRef::Named(id) = self.space.resolve(ty) else {
            return None;
        };
        match self.space.types.get(id).map(|d| &d.kind) {
            Some(TypeKind::StringEnum(e)) if e.values.len() == 1 => Some(e.values[0].wire.clone()),
            _ => None,
        }
    }

    fn kind_of(&self, ty: &TypeRef, pointer: &str) -> Result<JsonKind, Error> {
        Ok(match self.space.resolve(ty) {
            TypeRef::String => JsonKind::String,
            TypeRef::Integer => JsonKind::Integer,
            TypeRef::Number => JsonKind::Number,
            TypeRef::Boolean => JsonKind::Boolean,
            TypeRef::Array(_) => JsonKind::Array,
            TypeRef::Map(_) => JsonKind::Object,
            TypeRef::Any => {
                return Err(Error::unsupported(
                    pointer,
                    "a union member that accepts any value makes the union ambiguous",
                ));
            }
            TypeRef::Named(id) => match self.space.types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Struct(_) | TypeKind::TaggedUnion(_)) => JsonKind::Object,
                Some(TypeKind::StringEnum(_)) => JsonKind::String,
                Some(TypeKind::KindUnion(_)) => {
                    return Err(Error::unsupported(
                        pointer,
                        "a union nested directly in another union with different kinds is not supported",
                    ));
                }
                Some(TypeKind::Alias(target)) => return self.kind_of(target, pointer),
                // Still being lowered: the union is inside that schema. Through
                // an object that is ordinary recursion (the field gets boxed);
                // anything else would be a union containing itself.
                None => match self.pending_objects.get(id) {
                    Some(true) => JsonKind::Object,
                    _ => {
                        return Err(Error::unsupported(
                            pointer,
                            format!(
                                "the union contains `{id}`, which contains the union: a type of infinite size"
                            ),
                        ));
                    }
                },
            },
        })
    }

    /// The constant value of `key` in a struct member: an owned constant, or
    /// an optional field whose type is a single-valued string enum.
    fn tag_value(&self, ty: &TypeRef, key: &str) -> Option<String> {
        let TypeRef::Named(id) = ty else { return None };
        let Some(TypeKind::Struct(s)) = self.space.types.get(id).map(|d| &d.kind) else {
            return None;
        };
        if let Some(constant) = s.constants.iter().find(|c| c.wire_name == key) {
            return Some(constant.value.clone());
        }
        let field = s
            .fields
            .iter()
            .find(|f| f.wire_name == key && !f.nullable)?;
        self.single_enum_value(&field.ty)
    }

    /// Settles how the member struct `id` holds its tag `key`. A required
    /// single-valued field (a `$ref` to a one-value enum) becomes an owned
    /// constant: the union needs it written on encode. An optional one stays
    /// a field, so that encoding gives what was decoded: its Rust name is
    /// returned, and the union writes the tag when the field is `None`.
    fn settle_tag(&mut self, id: &TypeId, key: &str) -> Option<String> {
        let value = self.tag_value(&TypeRef::Named(id.clone()), key);
        let Some(TypeKind::Struct(s)) = self.space.types.get_mut(id).map(|d| &mut d.kind) else {
            return None;
        };
        if s.constants.iter().any(|c| c.wire_name == key) {
            return None;
        }
        let position = s.fields.iter().position(|f| f.wire_name == key)?;
        if !s.fields[position].required {
            return Some(s.fields[position].rust_name.clone());
        }
        if let Some(value) = value {
            let field = s.fields.remove(position);
            s.constants.push(Constant {
                wire_name: key.into(),
                value,
                source: field.source,
            });
        }
        None
    }

    /// Builds a tagged union over struct members keyed by `key`; members
    /// sharing a tag value become a nested union keyed by another constant.
    fn tagged_union(
        &mut self,
        members: &[(TypeId, String)],
        key: &str,
        name: &str,
        pointer: &str,
        is_event_union: bool,
    ) -> Result<TaggedUnion, Error> {
        let mut groups: Vec<(String, Vec<(TypeId, String)>)> = Vec::new();
        let mut tag_fields: BTreeMap<TypeId, String> = BTreeMap::new();
        for (id, member_pointer) in members {
            let Some(value) = self.tag_value(&TypeRef::Named(id.clone()), key) else {
                return Err(Error::unsupported(
                    member_pointer.clone(),
                    format!("union member has no single-valued `{key}` property"),
                ));
            };
            if let Some(field) = self.settle_tag(id, key) {
                tag_fields.insert(id.clone(), field);
            }
            match groups.iter_mut().find(|(v, _)| *v == value) {
                Some((_, group)) if group.iter().any(|(other, _)| other == id) => {}
                Some((_, group)) => group.push((id.clone(), member_pointer.clone())),
                None => groups.push((value, vec![(id.clone(), member_pointer.clone())])),
            }
        }
        let mut variants: Vec<TaggedVariant> = Vec::new();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for (value, group) in groups {
            let variant = naming::variant_name(&value);
            if let Some(first) = names.insert(variant.clone(), value.clone()) {
                return Err(Error::Unsupported {
                    pointer: pointer.into(),
                    reason: format!(
                        "`{key}` values `{first}` and `{value}` both become the variant name `{variant}`"
                    ),
                });
            }
            let ty = if let [(only, _)] = group.as_slice() {
                only.clone()
            } else {
                if is_event_union {
                    let list: Vec<&str> = group.iter().map(|(_, p)| p.as_str()).collect();
                    return Err(Error::Surface {
                        pointer: pointer.into(),
                        reason: format!("events {} share the `type` `{value}`", list.join(" and ")),
                    });
                }
                let sub_key = self.distinguishing_key(&group, key).ok_or_else(|| {
                    let list: Vec<&str> = group.iter().map(|(_, p)| p.as_str()).collect();
                    Error::Unsupported {
                        pointer: pointer.into(),
                        reason: format!("members {} share `{key}: {value}` and no other constant property tells them apart", list.join(" and ")),
                    }
                })?;
                let nested_name = self.child_hint(name, &variant);
                self.claim(&nested_name, pointer)?;
                let nested = self.tagged_union(&group, &sub_key, &nested_name, pointer, false)?;
                let description = Some(format!(
                    "The `{key}: {value}` members, told apart by `{sub_key}`."
                ));
                self.define(
                    nested_name,
                    Module::Shared,
                    description,
                    pointer,
                    TypeKind::TaggedUnion(nested),
                )
            };
            let tag_field = tag_fields.get(&ty).cloned();
            variants.push(TaggedVariant {
                name: variant,
                tag_value: value,
                ty,
                boxed: false,
                tag_field,
            });
        }
        if variants.iter().any(|v| v.name == "Unknown") {
            return Err(Error::unsupported(
                pointer,
                "a member's tag becomes `Unknown`, the name kept for unknown members",
            ));
        }
        Ok(TaggedUnion {
            tag: key.into(),
            variants,
            is_event_union,
            borrowed_view: false,
            conversions: Vec::new(),
        })
    }

    /// A constant property, other than `key`, with a distinct value in every member.
    fn distinguishing_key(&self, group: &[(TypeId, String)], key: &str) -> Option<String> {
        let (first, _) = group.first()?;
        let Some(TypeKind::Struct(s)) = self.space.types.get(first).map(|d| &d.kind) else {
            return None;
        };
        let candidates: Vec<String> = s
            .constants
            .iter()
            .map(|c| c.wire_name.clone())
            .chain(s.fields.iter().map(|f| f.wire_name.clone()))
            .filter(|k| k != key)
            .collect();
        candidates.into_iter().find(|candidate| {
            let values: Option<BTreeSet<String>> = group
                .iter()
                .map(|(id, _)| self.tag_value(&TypeRef::Named(id.clone()), candidate))
                .collect();
            values.is_some_and(|v| v.len() == group.len())
        })
    }
}

/// One property of an object schema, with its JSON pointer.
struct Property {
    name: String,
    schema: ReferenceOr<Box<Schema>>,
    source: String,
}

/// The properties of an object schema at `pointer`, in spec order.
fn properties_at(
    properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    pointer: &str,
) -> Vec<Property> {
    let base = pointer_push(pointer, "properties");
    properties
        .iter()
        .map(|(name, schema)| Property {
            name: name.clone(),
            schema: schema.clone(),
            source: pointer_push(&base, name),
        })
        .collect()
}

/// One lowered union member.
struct Member {
    ty: TypeRef,
    pointer: String,
    /// A name the spec gives an inline member (its `title`).
    label: Option<String>,
    /// Whether the member is a `$ref` to a component schema.
    is_reference: bool,
}

/// Whether a schema describes an object with properties (not a union or alias).
fn is_object_schema(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(_)) => true,
        SchemaKind::Any(any) => {
            any.one_of.is_empty()
                && any.any_of.is_empty()
                && any.all_of.is_empty()
                && (!any.properties.is_empty() || any.typ.as_deref() == Some("object"))
        }
        SchemaKind::AllOf { all_of } => all_of.len() > 1,
        _ => false,
    }
}

/// The single value of a string enum schema (`enum: [x]` or lowered `const`), if that is what it is.
fn single_string_value(schema: &Schema) -> Option<String> {
    if schema.schema_data.nullable {
        return None;
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => match s.enumeration.as_slice() {
            [Some(value)] => Some(value.clone()),
            _ => None,
        },
        SchemaKind::Any(any)
            if any.one_of.is_empty() && any.any_of.is_empty() && any.all_of.is_empty() =>
        {
            match any.enumeration.as_slice() {
                [Value::String(value)] => Some(value.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

fn string_enum(values: &[String], pointer: &str) -> Result<TypeKind, Error> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut enum_values = Vec::new();
    for value in values {
        let name = naming::variant_name(value);
        if name == "Other" {
            return Err(Error::unsupported(
                pointer,
                format!("the value `{value}` becomes `Other`, the variant kept for unknown values"),
            ));
        }
        if let Some(first) = names.insert(name.clone(), value.clone()) {
            return Err(Error::unsupported(
                pointer,
                format!("values `{first}` and `{value}` both become the variant name `{name}`"),
            ));
        }
        enum_values.push(EnumValue {
            name,
            wire: value.clone(),
        });
    }
    Ok(TypeKind::StringEnum(StringEnum {
        values: enum_values,
    }))
}

/// Part of the name given to an inline union member's definition.
fn member_name_hint(member: &ReferenceOr<Schema>, index: usize, tag_key: &str) -> String {
    let ReferenceOr::Item(schema) = member else {
        return format!("Variant{index}");
    };
    if let Some(label) = member_label(member) {
        return naming::type_name(&label);
    }
    let tag = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => o.properties.get(tag_key),
        SchemaKind::Any(a) => a.properties.get(tag_key),
        _ => None,
    };
    if let Some(ReferenceOr::Item(tag)) = tag
        && let Some(value) = single_string_value(tag)
    {
        return naming::type_name(&value);
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => "String".into(),
        SchemaKind::Type(Type::Integer(_)) => "Integer".into(),
        SchemaKind::Type(Type::Number(_)) => "Number".into(),
        SchemaKind::Type(Type::Boolean(_)) => "Boolean".into(),
        SchemaKind::Type(Type::Array(_)) => "Array".into(),
        SchemaKind::Type(Type::Object(_)) => "Object".into(),
        _ => format!("Variant{index}"),
    }
}

/// The `title` of an inline member, used for its variant name.
fn member_label(member: &ReferenceOr<Schema>) -> Option<String> {
    match member {
        ReferenceOr::Item(schema) => schema
            .schema_data
            .title
            .clone()
            .filter(|t| !naming::type_name(t).is_empty()),
        ReferenceOr::Reference { .. } => None,
    }
}

/// Drops definitions no event reaches (e.g. single-value enums that became constants).
fn remove_unreachable(space: &mut TypeSpace) {
    let roots: Vec<TypeId> = space
        .surfaces
        .iter()
        .flat_map(|s| s.unions.iter().map(|u| u.id.clone()))
        .chain(space.operations.iter().flat_map(Operation::types))
        .collect();
    let reachable = space.reachable_from(&roots);
    space.types.retain(|id, _| reachable.contains(id));
}

/// An alias that leads back to itself (`A = B`, `B = A`) defines nothing.
fn check_alias_cycles(space: &TypeSpace) -> Result<(), Error> {
    for (id, def) in &space.types {
        let TypeKind::Alias(target) = &def.kind else {
            continue;
        };
        let mut seen = BTreeSet::from([id.clone()]);
        let mut current = target;
        // Arrays and maps do not break the cycle: `type A = Vec<A>` is not Rust.
        while let Some(next) = current.named() {
            if !seen.insert(next.clone()) {
                return Err(Error::unsupported(
                    def.source.clone(),
                    format!(
                        "the schema is an alias cycle through `{next}`: it never reaches a definition"
                    ),
                ));
            }
            match space.types.get(next).map(|d| &d.kind) {
                Some(TypeKind::Alias(target)) => current = target,
                _ => break,
            }
        }
    }
    Ok(())
}

/// The bound keywords, in the order they are kept.
const BOUND_KEYWORDS: &[&str] = &["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"];

/// The numeric bounds of a property's schema (`node`, as lowered, at
/// `pointer`): its own, or those of the one member that is not `null` of a
/// nullable `anyOf` / `oneOf` (how 3.1 writes an optional number). A bound
/// that is not a number an `i64` or an `f64` holds stops generation.
fn numeric_bounds(node: Option<&Value>, pointer: &str) -> Result<Vec<NumericBound>, Error> {
    let Some(Value::Object(schema)) = node else {
        return Ok(Vec::new());
    };
    // OpenAPI 3.0 writes an exclusive bound as `minimum` with
    // `exclusiveMinimum: true`; 3.1 as `exclusiveMinimum: <number>`.
    let exclusive = |flag: &str| schema.get(flag) == Some(&Value::Bool(true));
    let mut own = Vec::new();
    for &keyword in BOUND_KEYWORDS {
        let Some(bound) = schema.get(keyword).filter(|bound| !bound.is_boolean()) else {
            continue;
        };
        let keyword = match keyword {
            "minimum" if exclusive("exclusiveMinimum") => "exclusiveMinimum",
            "maximum" if exclusive("exclusiveMaximum") => "exclusiveMaximum",
            other => other,
        };
        match bound.as_number().and_then(bound_value) {
            Some(value) => own.push(NumericBound {
                keyword: keyword.to_string(),
                value,
            }),
            None => {
                return Err(Error::unsupported(
                    pointer,
                    format!("`{keyword}` is {bound}, not a number an i64 or f64 holds"),
                ));
            }
        }
    }
    if !own.is_empty() {
        return Ok(own);
    }
    let members = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array);
    let not_null: Vec<(usize, &Value)> = members
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, member)| member.get("type").and_then(Value::as_str) != Some("null"))
        .collect();
    let keyword = if schema.contains_key("anyOf") {
        "anyOf"
    } else {
        "oneOf"
    };
    match not_null[..] {
        [(index, only)] => numeric_bounds(Some(only), &format!("{pointer}/{keyword}/{index}")),
        _ => Ok(Vec::new()),
    }
}

/// A JSON number as a bound: an `i64` when it is one, else a finite `f64`.
fn bound_value(number: &serde_json::Number) -> Option<BoundValue> {
    match (number.as_i64(), number.as_f64()) {
        (Some(integer), _) => Some(BoundValue::Integer(integer)),
        (None, Some(float)) if float.is_finite() => Some(BoundValue::Float(float)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bounds(node: Value) -> Result<Vec<(String, BoundValue)>, Error> {
        numeric_bounds(Some(&node), "/components/schemas/S/properties/p")
            .map(|bounds| bounds.into_iter().map(|b| (b.keyword, b.value)).collect())
    }

    #[test]
    fn a_propertys_own_bounds_are_kept_in_keyword_order() {
        assert_eq!(
            bounds(json!({"type": "number", "maximum": 1.5, "minimum": 0.25})).unwrap(),
            [
                ("minimum".to_string(), BoundValue::Float(0.25)),
                ("maximum".to_string(), BoundValue::Float(1.5)),
            ]
        );
        assert_eq!(
            bounds(json!({"type": "integer", "minimum": 10})).unwrap(),
            [("minimum".to_string(), BoundValue::Integer(10))]
        );
    }

    #[test]
    fn the_bounds_of_a_nullable_number_are_its_non_null_members() {
        let nullable = json!({"anyOf": [{"type": "integer", "minimum": 5000, "maximum": 30000}, {"type": "null"}]});
        assert_eq!(
            bounds(nullable).unwrap(),
            [
                ("minimum".to_string(), BoundValue::Integer(5000)),
                ("maximum".to_string(), BoundValue::Integer(30000)),
            ]
        );
        let union = json!({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]});
        assert_eq!(bounds(union).unwrap(), []);
    }

    #[test]
    fn an_openapi_3_0_exclusive_bound_becomes_the_3_1_keyword() {
        assert_eq!(
            bounds(json!({"type": "number", "minimum": 0, "exclusiveMinimum": true})).unwrap(),
            [("exclusiveMinimum".to_string(), BoundValue::Integer(0))]
        );
    }

    #[test]
    fn a_bound_that_is_not_a_number_stops_generation_naming_the_place() {
        let error = bounds(json!({"type": "number", "maximum": "big"})).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("/components/schemas/S/properties/p"),
            "{message}"
        );
        assert!(message.contains("`maximum`"), "{message}");
    }
}
