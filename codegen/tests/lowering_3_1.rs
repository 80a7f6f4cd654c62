//! No OpenAPI 3.1 keyword of the pinned spec is lost on the way to the model.
//!
//! `openapiv3` reads 3.0 and silently drops what 3.0 does not have, so
//! `openapi31.rs` rewrites the 3.1 keywords first (`const`, `type: [T, "null"]`,
//! `{type: "null"}` union members). This test walks the *raw* parsed
//! document — before any lowering — from the event schemas of every surface,
//! collects every `const`, every `null` member of `anyOf` / `oneOf`, every
//! `type: [.., "null"]` and every `nullable: true`, and checks that the
//! model represents each of them.
//!
//! Pointers: the lowering moves nodes (a union that loses its `null` member
//! collapses into its only other member, the remaining members of a larger
//! union are renumbered, a `$ref` with siblings is wrapped in `allOf`), but it
//! records every move in an [`openapi31::PointerMap`] and the model's
//! `source` pointers are translated back through it. So the pointers the
//! walk finds in the raw document are compared with the model's sources
//! directly, and `model_sources_are_spec_pointers` checks that every source
//! names a node of the spec as written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use realtime_codegen::ir::{BoundValue, Field, KindPayload, TypeDef, TypeKind, TypeRef, TypeSpace};
use realtime_codegen::spec_source::ResolvedSpec;
use realtime_codegen::{Model, Options, load, model, openapi31};
use serde_json::Value;

/// The event union schemas of every surface (GA / beta, translation).
const UNION_SCHEMAS: &[&str] = &[
    "RealtimeClientEvent",
    "RealtimeServerEvent",
    "RealtimeTranslationClientEvent",
    "RealtimeTranslationServerEvent",
];

/// The `x-oaiMeta` groups that list the beta events (no union schema).
const EVENT_GROUPS: &[&str] = &["realtime-beta-client-events", "realtime-beta-server-events"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the codegen crate lives in the workspace")
        .to_path_buf()
}

/// The pinned spec, found offline (cache, mirrors or `$REALTIME_OPENAPI_SPEC`).
fn pinned_spec() -> ResolvedSpec {
    realtime_codegen::pinned::resolve_pinned(&workspace_root())
        .unwrap_or_else(|e| {
            panic!("the pinned OpenAPI spec is needed for this test and was not found offline: {e}")
        })
        .1
}

/// The generator's options for the pinned spec, as `cargo xtask codegen` uses them.
fn pinned_options() -> Options {
    Options::pinned(&workspace_root()).unwrap_or_else(|e| panic!("{e}"))
}

/// The document the model is made of (the pinned spec with its corrections
/// applied, as `cargo xtask codegen` sees it) and the model.
fn raw_and_model() -> (Value, Model) {
    let spec = pinned_spec();
    let mut raw = load::parse_yaml(&spec.text).unwrap_or_else(|e| panic!("pinned spec: {e}"));
    let options = pinned_options();
    let model = model(raw.clone(), &options)
        .unwrap_or_else(|e| panic!("the pinned spec must generate: {e}"));
    options
        .corrections
        .apply(&mut raw, true)
        .unwrap_or_else(|e| panic!("{e}"));
    (raw, model)
}

// --- JSON pointers ------------------------------------------------------------

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn push(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", escape(segment))
}

/// The pointer without its last `n` segments.
fn parent(pointer: &str, n: usize) -> String {
    let segments: Vec<&str> = pointer.split('/').collect();
    segments[..segments.len() - n].join("/")
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

// --- the walk over the raw document -------------------------------------------

/// What the walk found, each at the JSON pointer of the node that has it.
#[derive(Debug, Default)]
struct Found {
    /// `const: value`.
    consts: Vec<(String, Value)>,
    /// A node whose `anyOf` / `oneOf` has a `{type: "null"}` member.
    null_members: Vec<String>,
    /// `type: [.., "null"]`.
    null_in_type: Vec<String>,
    /// `nullable: true`.
    nullable: Vec<String>,
    /// `minimum` / `maximum` / `exclusiveMinimum` / `exclusiveMaximum`: the
    /// keyword and its number.
    bounds: Vec<(String, &'static str, Value)>,
}

impl Found {
    /// Every nullable node, whatever the spelling.
    fn nulls(&self) -> BTreeSet<&str> {
        self.null_members
            .iter()
            .chain(&self.null_in_type)
            .chain(&self.nullable)
            .map(String::as_str)
            .collect()
    }
}

/// The event schemas of every surface, as pointers into the raw document.
fn roots(document: &Value) -> Vec<String> {
    let mut roots = Vec::new();
    let schemas = &document["components"]["schemas"];
    for name in UNION_SCHEMAS {
        if schemas.get(*name).is_some() {
            roots.push(push("/components/schemas", name));
        }
    }
    let groups = document
        .pointer("/x-oaiMeta/groups")
        .and_then(Value::as_array)
        .expect("the pinned spec has x-oaiMeta groups");
    for id in EVENT_GROUPS {
        let group = groups
            .iter()
            .find(|g| g.get("id").and_then(Value::as_str) == Some(*id))
            .unwrap_or_else(|| panic!("the pinned spec has no group `{id}`"));
        for section in group["sections"].as_array().into_iter().flatten() {
            if section.get("type").and_then(Value::as_str) == Some("object") {
                let key = section["key"].as_str().expect("a section key");
                roots.push(push("/components/schemas", key));
            }
        }
    }
    roots
}

fn walk(document: &Value) -> Found {
    walk_from(document, roots(document))
}

/// Collects the 3.1 keywords of everything reachable from `roots`.
fn walk_from(document: &Value, mut stack: Vec<String>) -> Found {
    let mut found = Found::default();
    let mut seen = BTreeSet::new();
    stack.reverse();
    while let Some(pointer) = stack.pop() {
        if !seen.insert(pointer.clone()) {
            continue;
        }
        let Some(Value::Object(node)) = document.pointer(&pointer) else {
            continue;
        };
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let target = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{pointer}: external reference {reference}"));
            stack.push(target.to_string());
        }
        if let Some(value) = node.get("const") {
            found.consts.push((pointer.clone(), value.clone()));
        }
        if node.get("nullable") == Some(&Value::Bool(true)) {
            found.nullable.push(pointer.clone());
        }
        for keyword in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
            if let Some(value) = node.get(keyword) {
                found.bounds.push((pointer.clone(), keyword, value.clone()));
            }
        }
        if let Some(Value::Array(types)) = node.get("type")
            && types.iter().any(|t| t == "null")
        {
            found.null_in_type.push(pointer.clone());
        }
        for keyword in ["anyOf", "oneOf", "allOf"] {
            let Some(Value::Array(members)) = node.get(keyword) else {
                continue;
            };
            if keyword != "allOf" && members.iter().any(is_null_schema) {
                found.null_members.push(pointer.clone());
            }
            for i in 0..members.len() {
                stack.push(push(&push(&pointer, keyword), &i.to_string()));
            }
        }
        if let Some(Value::Object(properties)) = node.get("properties") {
            for name in properties.keys() {
                stack.push(push(&push(&pointer, "properties"), name));
            }
        }
        for keyword in ["items", "additionalProperties"] {
            if node.get(keyword).is_some_and(Value::is_object) {
                stack.push(push(&pointer, keyword));
            }
        }
    }
    found
}

// --- looking things up in the model ---------------------------------------------

/// Every struct field by its `source`, with the struct that holds it.
/// The pointers a type stands for: its own schema's, and those of the
/// identical schemas the naming stage merged into it (`merged_sources`), with
/// `suffix` (a path below the schema) appended.
fn sources_of(def: &TypeDef, own: &str) -> Vec<String> {
    let mut sources = vec![own.to_string()];
    if let Some(suffix) = own.strip_prefix(def.source.as_str()) {
        sources.extend(
            def.merged_sources
                .iter()
                .map(|merged| format!("{merged}{suffix}")),
        );
    }
    sources
}

fn fields_by_source(space: &TypeSpace) -> BTreeMap<String, Vec<(&TypeDef, &Field)>> {
    let mut fields: BTreeMap<String, Vec<(&TypeDef, &Field)>> = BTreeMap::new();
    for def in space.types.values() {
        if let TypeKind::Struct(s) = &def.kind {
            for field in &s.fields {
                for source in sources_of(def, &field.source) {
                    fields.entry(source).or_default().push((def, field));
                }
            }
        }
    }
    fields
}

fn defs_by_source(space: &TypeSpace) -> BTreeMap<String, Vec<(&String, &TypeDef)>> {
    let mut defs: BTreeMap<String, Vec<(&String, &TypeDef)>> = BTreeMap::new();
    for (id, def) in &space.types {
        for source in sources_of(def, &def.source) {
            defs.entry(source).or_default().push((id, def));
        }
    }
    defs
}

/// Whether `ty` is the named type `id`, directly or through aliases.
fn is_or_aliases(space: &TypeSpace, ty: &TypeRef, id: &str) -> bool {
    let mut current = ty;
    for _ in 0..=space.types.len() {
        let TypeRef::Named(name) = current else {
            return false;
        };
        if name == id {
            return true;
        }
        match space.types.get(name).map(|d| &d.kind) {
            Some(TypeKind::Alias(target)) => current = target,
            _ => return false,
        }
    }
    false
}

/// Whether the last two segments of a pointer are `properties/<name>`.
fn is_property(pointer: &str) -> bool {
    let segments: Vec<&str> = pointer.rsplit('/').take(2).collect();
    segments.len() == 2 && segments[1] == "properties"
}

/// Whether the pointer is a component schema itself.
fn is_component(pointer: &str) -> bool {
    pointer
        .strip_prefix("/components/schemas/")
        .is_some_and(|rest| !rest.contains('/'))
}

/// Whether the pointer is a member of a union or `allOf` (`.../anyOf/3`).
fn is_member(pointer: &str) -> bool {
    let segments: Vec<&str> = pointer.rsplit('/').take(2).collect();
    segments.len() == 2
        && segments[0].parse::<usize>().is_ok()
        && matches!(segments[1], "anyOf" | "oneOf" | "allOf")
}

/// Checks that the const at `pointer` (in the spec as written) is in the model.
fn check_const(space: &TypeSpace, pointer: &str, value: &Value) -> Result<&'static str, String> {
    let Some(value) = value.as_str() else {
        return Err(format!(
            "{pointer}: a non-string const {value} (the generator rejects those)"
        ));
    };
    // Case 1: a required const property is a constant its struct owns
    // (`type: {const: server_vad}` of the turn-detection members — both consts
    // of the pin are this case). The owning struct is the schema the
    // property belongs to.
    if is_property(pointer) {
        let owner = parent(pointer, 2);
        for def in space.types.values() {
            let TypeKind::Struct(s) = &def.kind else {
                continue;
            };
            if let Some(constant) = s.constants.iter().find(|c| c.source == pointer) {
                if constant.value != value {
                    return Err(format!(
                        "{pointer}: constant `{}` of {} has value `{}`, the spec says `{value}`",
                        constant.wire_name, def.name, constant.value
                    ));
                }
                if def.source != owner {
                    return Err(format!(
                        "{pointer}: the constant is owned by {} ({}), not by the schema at {owner}",
                        def.name, def.source
                    ));
                }
                return Ok("struct constant");
            }
        }
    }
    // Case 2: an optional const property (or a const anywhere else that
    // needs a type of its own) is a single-value string enum defined from
    // that very schema.
    for def in space.types.values().filter(|d| d.source == pointer) {
        if let TypeKind::StringEnum(e) = &def.kind
            && e.values.len() == 1
            && e.values[0].wire == value
        {
            return Ok("single-value string enum");
        }
    }
    // Case 3: a const member of a kind union is a unit variant of that union.
    if is_member(pointer) {
        let union = parent(pointer, 2);
        for def in space.types.values().filter(|d| d.source == union) {
            if let TypeKind::KindUnion(u) = &def.kind
                && u.variants
                    .iter()
                    .any(|v| v.payload == KindPayload::Constant(value.to_string()))
            {
                return Ok("kind-union constant variant");
            }
        }
    }
    Err(format!(
        "{pointer}: `const: {value}` is not in the model (looked for a constant with that \
         source, a single-value enum defined there, or a constant variant of its union)"
    ))
}

/// Checks that the nullable node at `pointer` (in the spec as written) is represented.
fn check_null(space: &TypeSpace, pointer: &str) -> Result<&'static str, String> {
    let fields = fields_by_source(space);
    let defs = defs_by_source(space);
    // A property: its field is nullable.
    if is_property(pointer) {
        let Some(found) = fields.get(pointer) else {
            return Err(format!("{pointer}: no field has this source"));
        };
        return match found.iter().find(|(_, field)| !field.nullable) {
            Some((def, field)) => Err(format!(
                "{pointer}: field `{}` of {} is not nullable",
                field.wire_name, def.name
            )),
            None => Ok("nullable field"),
        };
    }
    // A component schema: every field of its type is nullable.
    if is_component(pointer) {
        let Some(found) = defs.get(pointer) else {
            return Err(format!("{pointer}: no type is defined from it"));
        };
        let ids: Vec<&String> = found.iter().map(|(id, _)| *id).collect();
        let users: Vec<(&TypeDef, &Field)> = fields
            .values()
            .flatten()
            .filter(|(_, field)| ids.iter().any(|id| is_or_aliases(space, &field.ty, id)))
            .copied()
            .collect();
        if users.is_empty() {
            return Err(format!(
                "{pointer}: no field uses the type defined there ({ids:?})"
            ));
        }
        let not_nullable: Vec<String> = users
            .iter()
            .filter(|(_, field)| !field.nullable)
            .map(|(def, field)| format!("{}.{}", def.name, field.wire_name))
            .collect();
        if !not_nullable.is_empty() {
            return Err(format!(
                "{pointer}: {ids:?} may be null, but these fields of that type are not nullable: {}",
                not_nullable.join(", ")
            ));
        }
        return Ok("component: every field using it is nullable");
    }
    // A union or `allOf` member: its nullability is carried to the union
    // (lower.rs ORs the members' `nullable`), so the union's node must be.
    if is_member(pointer) {
        return check_null(space, &parent(pointer, 2))
            .map(|_| "member: its union is nullable")
            .map_err(|e| format!("{pointer}: a nullable member, so its union must be: {e}"));
    }
    // Array items: the generator rejects nullable items, so a model that
    // was built has none. Map values: a nullable value type becomes
    // `serde_json::Value`, which holds `null`.
    if pointer.ends_with("/additionalProperties") {
        let owner = parent(pointer, 1);
        let map_any = TypeRef::Map(Box::new(TypeRef::Any));
        let ok = fields
            .get(owner.as_str())
            .into_iter()
            .flatten()
            .all(|(_, field)| space.resolve(&field.ty) == &map_any)
            && defs
                .get(owner.as_str())
                .into_iter()
                .flatten()
                .all(|(_, def)| matches!(&def.kind, TypeKind::Alias(t) if t == &map_any));
        return if ok {
            Ok("map of any value")
        } else {
            Err(format!(
                "{pointer}: the map at {owner} does not hold `serde_json::Value`"
            ))
        };
    }
    Err(format!(
        "{pointer}: nullable there, a place this test does not know how to check \
         (array items are rejected by the generator): extend `check_null`"
    ))
}

// --- the tests ------------------------------------------------------------------

#[test]
fn every_numeric_bound_of_the_event_schemas_is_on_its_field() {
    let (raw, model) = raw_and_model();
    let found = walk(&raw);
    // The pin bounds `speed`, `idle_timeout_ms`, `retention_ratio` and
    // `post_instructions`: an empty list would mean the walk is broken.
    assert!(found.bounds.len() >= 4, "the walk found {:?}", found.bounds);
    let fields = fields_by_source(&model.space);
    let mut problems = Vec::new();
    for (pointer, keyword, value) in &found.bounds {
        // A bound on the non-null member of a nullable union is the
        // property's (`idle_timeout_ms: anyOf [{integer, minimum}, null]`).
        let property = if is_member(pointer) {
            parent(pointer, 2)
        } else {
            pointer.clone()
        };
        let Some(holders) = fields.get(&property) else {
            problems.push(format!("{pointer}: no field has the source {property}"));
            continue;
        };
        for (def, field) in holders {
            let expected = value.as_f64();
            let kept = field.bounds.iter().any(|bound| {
                bound.keyword == *keyword
                    && match bound.value {
                        BoundValue::Integer(integer) => Some(integer as f64) == expected,
                        BoundValue::Float(float) => Some(float) == expected,
                    }
            });
            if !kept {
                problems.push(format!(
                    "{pointer}: `{keyword}: {value}` is not among the bounds of {}.{} ({:?})",
                    def.name, field.wire_name, field.bounds
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_3_1_keyword_of_the_pinned_spec_is_in_the_model() {
    let (raw, model) = raw_and_model();
    let found = walk(&raw);
    println!(
        "from {} event schemas: {} `const`, {} unions with a `null` member, \
         {} `type: [.., \"null\"]`, {} `nullable: true`",
        roots(&raw).len(),
        found.consts.len(),
        found.null_members.len(),
        found.null_in_type.len(),
        found.nullable.len()
    );
    // The pin has 2 consts, many null members and 1 `nullable: true` (and no
    // type arrays): an empty list would mean the walk is broken.
    assert!(!found.consts.is_empty(), "the walk found no const");
    assert!(
        !found.null_members.is_empty(),
        "the walk found no null member"
    );
    assert!(
        !found.nullable.is_empty(),
        "the walk found no `nullable: true`"
    );

    let mut failures = Vec::new();
    let mut cases: BTreeMap<&str, usize> = BTreeMap::new();
    for (pointer, value) in &found.consts {
        match check_const(&model.space, pointer, value) {
            Ok(case) => *cases.entry(case).or_default() += 1,
            Err(failure) => failures.push(failure),
        }
    }
    for pointer in found.nulls() {
        match check_null(&model.space, pointer) {
            Ok(case) => *cases.entry(case).or_default() += 1,
            Err(failure) => failures.push(failure),
        }
    }
    println!("represented as: {cases:#?}");
    assert!(
        failures.is_empty(),
        "{} 3.1 keywords are lost:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Lowers every component schema of `document` in place, one schema at a
/// time with one shared map, as the generator's schema store does.
fn lower_components(document: &mut Value) -> openapi31::PointerMap {
    let mut map = openapi31::PointerMap::default();
    let schemas = document["components"]["schemas"]
        .as_object_mut()
        .expect("components.schemas");
    for (name, schema) in schemas.iter_mut() {
        openapi31::lower_schema(schema, &push("/components/schemas", name), &mut map);
    }
    map
}

/// How the node at a lowered pointer relates to the node as written.
#[derive(Debug, Clone, Copy)]
enum Moved {
    /// The node was moved whole: it is the written node, lowered.
    Whole,
    /// A `$ref` with siblings: the lowered node is the `$ref` alone.
    RefOnly,
    /// A `type: [..]` with several types: the lowered node is one of them.
    OneOfTheTypes,
}

#[test]
fn pointer_map_names_where_moved_nodes_are_written() {
    // The model's sources are translated through `openapi31::PointerMap`;
    // on a small document, every kind of move maps back to the node as
    // written.
    let raw = serde_json::json!({"components": {"schemas": {
        "A": {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"p": {"type": "string"}}}]},
        "B": {"oneOf": [{"type": "string"}, {"type": "null"}, {"type": "integer"}]},
        "C": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]},
        "D": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "E": {"$ref": "#/components/schemas/D", "description": "d"},
        "F": {"type": ["string", "integer", "null"]},
        "G": {"type": "object", "properties": {"nested": {"anyOf": [
            {"type": "null"},
            {"type": "object", "properties": {"q": {"anyOf": [
                {"$ref": "#/components/schemas/A"},
                {"type": "null"}
            ]}}}
        ]}}},
    }}});
    let s = "/components/schemas";
    let cases = [
        (
            format!("{s}/A/properties/p"),
            format!("{s}/A/anyOf/1/properties/p"),
            Moved::Whole,
        ),
        (
            format!("{s}/B/oneOf/1"),
            format!("{s}/B/oneOf/2"),
            Moved::Whole,
        ),
        (
            format!("{s}/C/allOf/0"),
            format!("{s}/C/anyOf/0"),
            Moved::Whole,
        ),
        (
            format!("{s}/D/anyOf/1"),
            format!("{s}/D/anyOf/1"),
            Moved::Whole,
        ),
        (format!("{s}/E/allOf/0"), format!("{s}/E"), Moved::RefOnly),
        (
            format!("{s}/F/anyOf/1"),
            format!("{s}/F"),
            Moved::OneOfTheTypes,
        ),
        (
            format!("{s}/G/properties/nested/properties/q/allOf/0"),
            format!("{s}/G/properties/nested/anyOf/1/properties/q/anyOf/0"),
            Moved::Whole,
        ),
    ];
    let mut lowered = raw.clone();
    let map = lower_components(&mut lowered);
    for (at, written, moved) in cases {
        assert_eq!(map.original(&at), written, "{at}");
        let lowered_node = lowered
            .pointer(&at)
            .unwrap_or_else(|| panic!("nothing at {at} after lowering: {lowered:#}"));
        let written_node = raw
            .pointer(&written)
            .unwrap_or_else(|| panic!("{written} names nothing in the document"));
        match moved {
            Moved::Whole => {
                let mut expected = written_node.clone();
                openapi31::lower_schema(
                    &mut expected,
                    &written,
                    &mut openapi31::PointerMap::default(),
                );
                assert_eq!(lowered_node, &expected, "{at} is not {written} lowered");
            }
            Moved::RefOnly => assert_eq!(
                lowered_node,
                &serde_json::json!({"$ref": written_node["$ref"]}),
                "{at} is not the `$ref` of {written}"
            ),
            Moved::OneOfTheTypes => {
                let types = written_node["type"].as_array().expect("a type array");
                assert!(
                    types.contains(&lowered_node["type"]),
                    "{at}: {lowered_node} is not one of the types of {written}"
                );
            }
        }
    }
}

/// The pointer of every schema nested in `components.schemas` of `document`
/// (references are not followed).
fn schema_pointers(document: &Value) -> Vec<String> {
    let mut stack: Vec<String> = document["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .keys()
        .map(|name| push("/components/schemas", name))
        .collect();
    let mut pointers = Vec::new();
    while let Some(pointer) = stack.pop() {
        let Some(Value::Object(node)) = document.pointer(&pointer) else {
            continue;
        };
        for keyword in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(members)) = node.get(keyword) {
                for i in 0..members.len() {
                    stack.push(push(&push(&pointer, keyword), &i.to_string()));
                }
            }
        }
        if let Some(Value::Object(properties)) = node.get("properties") {
            for name in properties.keys() {
                stack.push(push(&push(&pointer, "properties"), name));
            }
        }
        for keyword in ["items", "additionalProperties", "not"] {
            if node.get(keyword).is_some_and(Value::is_object) {
                stack.push(push(&pointer, keyword));
            }
        }
        pointers.push(pointer);
    }
    pointers.sort();
    pointers
}

#[test]
fn every_lowered_schema_of_the_pinned_spec_maps_back_to_the_spec() {
    let spec = pinned_spec();
    let raw = load::parse_yaml(&spec.text).unwrap_or_else(|e| panic!("pinned spec: {e}"));
    let mut lowered = raw.clone();
    let map = lower_components(&mut lowered);
    let pointers = schema_pointers(&lowered);
    assert!(
        pointers.len() > 1000,
        "the walk found only {} schemas",
        pointers.len()
    );
    let moved = pointers.iter().filter(|p| map.original(p) != **p).count();
    println!("{} lowered schemas, {moved} of them moved", pointers.len());
    assert!(moved > 0, "nothing moved: the pin has `null` union members");
    let lost: Vec<String> = pointers
        .iter()
        .filter(|p| raw.pointer(&map.original(p)).is_none())
        .map(|p| format!("{p} → {}", map.original(p)))
        .collect();
    assert!(
        lost.is_empty(),
        "{} lowered schemas map to nothing in the spec:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

#[test]
fn model_sources_are_spec_pointers() {
    let (raw, model) = raw_and_model();
    let mut missing = BTreeSet::new();
    for def in model.space.types.values() {
        let mut sources = vec![def.source.as_str()];
        if let TypeKind::Struct(s) = &def.kind {
            sources.extend(s.fields.iter().map(|f| f.source.as_str()));
            sources.extend(s.constants.iter().map(|c| c.source.as_str()));
        }
        for source in sources {
            if raw.pointer(source).is_none() {
                missing.insert(source.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} source pointers name nothing in the spec:\n{}",
        missing.len(),
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_checks_notice_a_lost_keyword() {
    // The checks are not vacuous: on a tiny spec, a plain field is not
    // accepted as nullable and a wrong constant value is not accepted.
    let text = r#"
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    RealtimeServerEvent:
      anyOf:
        - $ref: '#/components/schemas/Ev'
    Ev:
      type: object
      required: [type]
      properties:
        type: {const: ev}
        plain: {type: string}
        maybe: {anyOf: [{type: string}, {type: "null"}]}
"#;
    let raw = load::parse_yaml(text).expect("valid YAML");
    let model = model(raw.clone(), &Options::default()).expect("a valid spec");
    let found = walk_from(&raw, vec!["/components/schemas/Ev".into()]);
    assert_eq!(
        found.null_members,
        ["/components/schemas/Ev/properties/maybe"]
    );
    assert_eq!(found.consts.len(), 1);
    let space = &model.space;
    let e = "/components/schemas/Ev/properties";
    assert!(check_null(space, &format!("{e}/maybe")).is_ok());
    assert!(check_null(space, &format!("{e}/plain")).is_err());
    assert!(check_null(space, &format!("{e}/absent")).is_err());
    assert!(check_const(space, &format!("{e}/type"), &Value::from("ev")).is_ok());
    assert!(check_const(space, &format!("{e}/type"), &Value::from("f")).is_err());
}
