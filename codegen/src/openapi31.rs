//! Lowering OpenAPI 3.1 schema keywords to their 3.0 equivalents.
//!
//! `openapiv3` models OpenAPI 3.0. It reads a 3.1 document without error but
//! silently drops what 3.0 does not have, so before handing the document over
//! we rewrite, in every schema under `components.schemas`:
//!
//! - `const: X` → `enum: [X]` (and `type: string` when X is a string and no type is given);
//! - `type: [T, "null"]` → `type: T, nullable: true`; several non-null types
//!   → an `anyOf` with one member per type;
//! - `{type: "null"}` members of `anyOf` / `oneOf` → removed, `nullable: true`
//!   on the union; a union left with one member becomes that member;
//! - `$ref` with sibling keywords (3.1 allows a `description` next to it) →
//!   `allOf: [{$ref}]` plus the siblings, so the description is not lost;
//! - `type: object` next to `anyOf` / `oneOf` → the `type` is dropped (the
//!   members say what they are; `openapiv3` would otherwise pick one).
//!
//! Moving nodes changes their JSON pointers, so every move is recorded in a
//! [`PointerMap`]: errors and the model name places in the spec as written.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::pointer_push;

/// Where nodes moved by the lowering were in the original document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointerMap {
    /// Lowered pointer of a moved node → its pointer in the original document.
    moved: BTreeMap<String, String>,
}

impl PointerMap {
    /// The pointer in the original document of the node at `lowered`.
    pub fn original(&self, lowered: &str) -> String {
        // The longest moved prefix (at a segment boundary) decides.
        let mut end = lowered.len();
        loop {
            let prefix = &lowered[..end];
            if let Some(original) = self.moved.get(prefix) {
                return format!("{original}{}", &lowered[end..]);
            }
            match prefix.rfind('/') {
                Some(slash) if slash > 0 => end = slash,
                _ => return lowered.to_string(),
            }
        }
    }

    fn record(&mut self, lowered: String, original: String) {
        if lowered != original {
            self.moved.insert(lowered, original);
        } else {
            self.moved.remove(&lowered);
        }
    }
}

/// Lowers every component schema of a document in place.
pub fn lower_document(document: &mut Value) -> PointerMap {
    let mut map = PointerMap::default();
    if let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let path = pointer_push("/components/schemas", name);
            lower_schema(schema, &path, &mut map);
        }
    }
    map
}

/// Lowers one schema object at `path` and everything nested in it, in place.
pub fn lower_schema(schema: &mut Value, path: &str, map: &mut PointerMap) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let original = map.original(path);
    lower_const(object);
    lower_type_array(object, path, &original, map);
    for keyword in ["anyOf", "oneOf"] {
        lower_null_members(object, keyword, path, &original, map);
    }
    if (object.contains_key("anyOf") || object.contains_key("oneOf"))
        && object.get("type").and_then(Value::as_str) == Some("object")
        && !object.contains_key("properties")
    {
        object.remove("type");
    }
    lower_ref_with_siblings(object, path, &original, map);

    for keyword in ["items", "not"] {
        if let Some(child) = object.get_mut(keyword) {
            lower_schema(child, &pointer_push(path, keyword), map);
        }
    }
    if let Some(additional) = object.get_mut("additionalProperties")
        && additional.is_object()
    {
        lower_schema(additional, &pointer_push(path, "additionalProperties"), map);
    }
    for keyword in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(members)) = object.get_mut(keyword) {
            for (index, member) in members.iter_mut().enumerate() {
                lower_schema(member, &format!("{path}/{keyword}/{index}"), map);
            }
        }
    }
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        let base = pointer_push(path, "properties");
        for (name, property) in properties.iter_mut() {
            lower_schema(property, &pointer_push(&base, name), map);
        }
    }
}

fn lower_const(object: &mut Map<String, Value>) {
    let Some(value) = object.remove("const") else {
        return;
    };
    if value.is_string() && !object.contains_key("type") {
        object.insert("type".into(), Value::String("string".into()));
    }
    object.insert("enum".into(), Value::Array(vec![value]));
}

fn lower_type_array(
    object: &mut Map<String, Value>,
    path: &str,
    original: &str,
    map: &mut PointerMap,
) {
    let Some(Value::Array(types)) = object.get("type") else {
        return;
    };
    let non_null: Vec<Value> = types
        .iter()
        .filter(|t| t.as_str() != Some("null"))
        .cloned()
        .collect();
    let had_null = non_null.len() != types.len();
    match non_null.as_slice() {
        [] => {
            object.remove("type");
        }
        [only] => {
            object.insert("type".into(), only.clone());
        }
        several => {
            // One member per type; the members point at the schema itself.
            let members: Vec<Value> = several
                .iter()
                .map(|t| serde_json::json!({ "type": t }))
                .collect();
            for index in 0..members.len() {
                map.record(format!("{path}/anyOf/{index}"), original.to_string());
            }
            object.remove("type");
            object.insert("anyOf".into(), Value::Array(members));
        }
    }
    if had_null {
        object.insert("nullable".into(), Value::Bool(true));
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

fn lower_null_members(
    object: &mut Map<String, Value>,
    keyword: &str,
    path: &str,
    original: &str,
    map: &mut PointerMap,
) {
    let Some(Value::Array(members)) = object.get_mut(keyword) else {
        return;
    };
    if !members.iter().any(is_null_schema) {
        return;
    }
    // Remember where each remaining member was before the nulls went away.
    let kept: Vec<(usize, Value)> = std::mem::take(members)
        .into_iter()
        .enumerate()
        .filter(|(_, member)| !is_null_schema(member))
        .collect();
    object.remove(keyword);
    object.insert("nullable".into(), Value::Bool(true));
    match kept.len() {
        0 => {}
        1 => {
            let Some((index, member)) = kept.into_iter().next() else {
                return;
            };
            let member_original = format!("{original}/{keyword}/{index}");
            merge_single_member(object, member, path, &member_original, map);
        }
        _ => {
            let mut renumbered = Vec::with_capacity(kept.len());
            for (new_index, (old_index, member)) in kept.into_iter().enumerate() {
                map.record(
                    format!("{path}/{keyword}/{new_index}"),
                    format!("{original}/{keyword}/{old_index}"),
                );
                renumbered.push(member);
            }
            object.insert(keyword.into(), Value::Array(renumbered));
        }
    }
}

/// `{description, anyOf: [X]}` → X with the outer keywords kept.
fn merge_single_member(
    object: &mut Map<String, Value>,
    member: Value,
    path: &str,
    member_original: &str,
    map: &mut PointerMap,
) {
    match member {
        Value::Object(mut inner) if !inner.contains_key("$ref") => {
            // The member's keywords move up one level; the outer ones
            // (description, nullable, title) win over the member's.
            for key in inner.keys() {
                if !object.contains_key(key) {
                    map.record(pointer_push(path, key), pointer_push(member_original, key));
                }
            }
            for (key, value) in std::mem::take(object) {
                inner.insert(key, value);
            }
            *object = inner;
        }
        reference => {
            map.record(format!("{path}/allOf/0"), member_original.to_string());
            object.insert("allOf".into(), Value::Array(vec![reference]));
        }
    }
}

fn lower_ref_with_siblings(
    object: &mut Map<String, Value>,
    path: &str,
    original: &str,
    map: &mut PointerMap,
) {
    if object.len() > 1
        && let Some(reference) = object.remove("$ref")
    {
        let mut only_ref = Map::new();
        only_ref.insert("$ref".into(), reference);
        // The reference now sits one level down; report it at the schema.
        map.record(format!("{path}/allOf/0"), original.to_string());
        object.insert("allOf".into(), Value::Array(vec![Value::Object(only_ref)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lowered(mut schema: Value) -> Value {
        lower_schema(&mut schema, "/s", &mut PointerMap::default());
        schema
    }

    fn lowered_with_map(mut schema: Value) -> (Value, PointerMap) {
        let mut map = PointerMap::default();
        lower_schema(&mut schema, "/s", &mut map);
        (schema, map)
    }

    #[test]
    fn const_becomes_a_single_value_enum() {
        assert_eq!(
            lowered(json!({"const": "server_vad"})),
            json!({"type": "string", "enum": ["server_vad"]})
        );
    }

    #[test]
    fn null_member_of_any_of_becomes_nullable() {
        assert_eq!(
            lowered(json!({"description": "d", "anyOf": [{"type": "string"}, {"type": "null"}]})),
            json!({"description": "d", "type": "string", "nullable": true})
        );
    }

    #[test]
    fn nullable_reference_keeps_the_reference_in_all_of() {
        assert_eq!(
            lowered(json!({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})),
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/X"}]})
        );
    }

    #[test]
    fn union_with_several_members_and_null_stays_a_union() {
        assert_eq!(
            lowered(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        assert_eq!(
            lowered(json!({"type": ["integer", "null"]})),
            json!({"type": "integer", "nullable": true})
        );
    }

    #[test]
    fn type_array_with_several_types_becomes_a_union() {
        assert_eq!(
            lowered(json!({"type": ["string", "integer", "null"]})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn reference_with_a_description_is_wrapped() {
        assert_eq!(
            lowered(json!({"$ref": "#/components/schemas/X", "description": "d"})),
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/X"}]})
        );
    }

    #[test]
    fn nested_schemas_are_lowered_but_property_names_are_not_keywords() {
        let schema = lowered(json!({
            "type": "object",
            "properties": {
                "const": {"type": "string"},
                "type": {"const": "message"},
                "items": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}
            }
        }));
        assert_eq!(schema["properties"]["const"], json!({"type": "string"}));
        assert_eq!(
            schema["properties"]["type"],
            json!({"type": "string", "enum": ["message"]})
        );
        assert_eq!(
            schema["properties"]["items"]["items"],
            json!({"type": "integer", "nullable": true})
        );
    }

    #[test]
    fn object_type_beside_one_of_is_dropped() {
        assert_eq!(
            lowered(json!({"type": "object", "oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]})),
            json!({"oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]})
        );
    }

    #[test]
    fn moved_nodes_map_back_to_where_the_spec_has_them() {
        let (_, map) = lowered_with_map(json!({
            "properties": {
                "merged": {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"y": {"type": "string"}}}]},
                "reference": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/X"}]},
                "renumbered": {"oneOf": [{"type": "null"}, {"type": "string"}, {"type": "integer"}]},
                "described": {"$ref": "#/components/schemas/X", "description": "d"},
                "untouched": {"type": "string"}
            }
        }));
        assert_eq!(
            map.original("/s/properties/merged/properties/y"),
            "/s/properties/merged/anyOf/1/properties/y"
        );
        assert_eq!(
            map.original("/s/properties/reference/allOf/0"),
            "/s/properties/reference/anyOf/1"
        );
        assert_eq!(
            map.original("/s/properties/renumbered/oneOf/0"),
            "/s/properties/renumbered/oneOf/1"
        );
        assert_eq!(
            map.original("/s/properties/renumbered/oneOf/1"),
            "/s/properties/renumbered/oneOf/2"
        );
        assert_eq!(
            map.original("/s/properties/described/allOf/0"),
            "/s/properties/described"
        );
        assert_eq!(
            map.original("/s/properties/untouched"),
            "/s/properties/untouched"
        );
        assert_eq!(map.original("/s/properties/merged"), "/s/properties/merged");
    }

    #[test]
    fn nested_moves_compose() {
        let (_, map) = lowered_with_map(json!({
            "anyOf": [{"type": "null"}, {"type": "object", "properties": {
                "inner": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {"z": {"type": "string"}}}]}
            }}]
        }));
        assert_eq!(
            map.original("/s/properties/inner/properties/z"),
            "/s/anyOf/1/properties/inner/oneOf/1/properties/z"
        );
    }
}
