//! Reading the spec: YAML text → JSON value → OpenAPI 3.1 keywords lowered
//! to their 3.0 equivalents → `openapiv3::OpenAPI`.
//!
//! `openapiv3` models OpenAPI 3.0. It reads a 3.1 document without error but
//! silently drops what 3.0 does not have, so before handing the document over
//! we rewrite, in every schema under `components.schemas`:
//!
//! - `const: X` → `enum: [X]` (and `type: string` when X is a string and no type is given);
//! - `type: [T, "null"]` → `type: T, nullable: true`;
//! - `{type: "null"}` members of `anyOf` / `oneOf` → removed, `nullable: true`
//!   on the union; a union left with one member becomes that member;
//! - `$ref` with sibling keywords (3.1 allows a `description` next to it) →
//!   `allOf: [{$ref}]` plus the siblings, so the description is not lost;
//! - `type: object` next to `anyOf` / `oneOf` → the `type` is dropped (the
//!   members say what they are; `openapiv3` would otherwise pick one).

use serde_json::{Map, Value};

use crate::error::Error;

/// A spec ready for lowering: the typed document plus the raw value (for the
/// vendor extensions and `x-oaiMeta`, which `openapiv3` keeps as raw JSON anyway).
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The document as `openapiv3` reads it, after 3.1 lowering.
    pub openapi: openapiv3::OpenAPI,
    /// The top-level `x-oaiMeta` of the document, if any.
    pub oai_meta: Option<Value>,
    /// `components.schemas` as JSON after lowering, to check each generated
    /// schema for keywords `openapiv3` would drop without a word.
    pub raw_schemas: Value,
}

/// Parses YAML text into a JSON value.
///
/// YAML allows what JSON values cannot hold: integers beyond 64 bits (the
/// spec has one as a `minimum`) become floats, and non-string keys (`200:`)
/// become their text.
pub fn parse_yaml(text: &str) -> Result<Value, Error> {
    serde_yaml_ng::from_str::<JsonFromYaml>(text)
        .map(|parsed| parsed.0)
        .map_err(|e| Error::Yaml {
            message: e.to_string(),
        })
}

/// A JSON value read from YAML (see [`parse_yaml`]).
struct JsonFromYaml(Value);

impl<'de> serde::Deserialize<'de> for JsonFromYaml {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(JsonFromYamlVisitor)
            .map(JsonFromYaml)
    }
}

struct JsonFromYamlVisitor;

impl<'de> serde::de::Visitor<'de> for JsonFromYamlVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_i128<E>(self, value: i128) -> Result<Value, E> {
        Ok(i64::try_from(value)
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(value as f64)))
    }

    fn visit_u128<E>(self, value: u128) -> Result<Value, E> {
        Ok(u64::try_from(value)
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(value as f64)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(JsonFromYaml(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(JsonFromYaml(key)) = map.next_key()? {
            let key = match key {
                Value::String(key) => key,
                other => other.to_string(),
            };
            let JsonFromYaml(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Lowers the 3.1 keywords of every component schema (see the module docs)
/// and reads the result with `openapiv3`.
pub fn load(mut document: Value) -> Result<LoadedSpec, Error> {
    if let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            lower_schema(schema);
        }
    }
    let oai_meta = document.get("x-oaiMeta").cloned();
    let raw_schemas = document
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let openapi: openapiv3::OpenAPI =
        serde_json::from_value(document).map_err(|e| Error::OpenApi {
            message: e.to_string(),
        })?;
    Ok(LoadedSpec {
        openapi,
        oai_meta,
        raw_schemas,
    })
}

/// Lowers one schema object and everything nested in it, in place.
pub fn lower_schema(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    lower_const(object);
    lower_type_array(object);
    for keyword in ["anyOf", "oneOf"] {
        lower_null_members(object, keyword);
    }
    if (object.contains_key("anyOf") || object.contains_key("oneOf"))
        && object.get("type").and_then(Value::as_str) == Some("object")
        && !object.contains_key("properties")
    {
        object.remove("type");
    }
    lower_ref_with_siblings(object);

    for keyword in ["items", "not"] {
        if let Some(child) = object.get_mut(keyword) {
            lower_schema(child);
        }
    }
    if let Some(additional) = object.get_mut("additionalProperties")
        && additional.is_object()
    {
        lower_schema(additional);
    }
    for keyword in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(members)) = object.get_mut(keyword) {
            members.iter_mut().for_each(lower_schema);
        }
    }
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.values_mut().for_each(lower_schema);
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

fn lower_type_array(object: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = object.get("type") else {
        return;
    };
    let non_null: Vec<Value> = types
        .iter()
        .filter(|t| t.as_str() != Some("null"))
        .cloned()
        .collect();
    let had_null = non_null.len() != types.len();
    if non_null.len() == 1 {
        object.insert("type".into(), non_null[0].clone());
    } else if non_null.is_empty() {
        object.remove("type");
    } else {
        // Several non-null types stay an array; the lowering to IR reports it.
        object.insert("type".into(), Value::Array(non_null));
    }
    if had_null {
        object.insert("nullable".into(), Value::Bool(true));
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

fn lower_null_members(object: &mut Map<String, Value>, keyword: &str) {
    let Some(Value::Array(members)) = object.get_mut(keyword) else {
        return;
    };
    let before = members.len();
    members.retain(|member| !is_null_schema(member));
    if members.len() == before {
        return;
    }
    object.insert("nullable".into(), Value::Bool(true));
    let Some(Value::Array(members)) = object.remove(keyword) else {
        return;
    };
    match <[Value; 1]>::try_from(members) {
        Ok([only]) => merge_single_member(object, only),
        Err(members) if members.is_empty() => {}
        Err(members) => {
            object.insert(keyword.into(), Value::Array(members));
        }
    }
}

/// `{description, anyOf: [X]}` → X with the outer keywords kept.
fn merge_single_member(object: &mut Map<String, Value>, member: Value) {
    match member {
        Value::Object(mut inner) if !inner.contains_key("$ref") => {
            // Outer keywords (description, nullable, title) win over the member's.
            for (key, value) in std::mem::take(object) {
                inner.insert(key, value);
            }
            *object = inner;
        }
        reference => {
            object.insert("allOf".into(), Value::Array(vec![reference]));
        }
    }
}

fn lower_ref_with_siblings(object: &mut Map<String, Value>) {
    if object.len() > 1
        && let Some(reference) = object.remove("$ref")
    {
        let mut only_ref = Map::new();
        only_ref.insert("$ref".into(), reference);
        object.insert("allOf".into(), Value::Array(vec![Value::Object(only_ref)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lowered(mut schema: Value) -> Value {
        lower_schema(&mut schema);
        schema
    }

    #[test]
    fn yaml_beyond_json_values_is_read_leniently() {
        let value = parse_yaml("big: 18446744073709551616\n200: ok\nsmall: -3\n").unwrap();
        assert_eq!(
            value,
            json!({"big": 18446744073709551616.0, "200": "ok", "small": -3})
        );
    }

    #[test]
    fn invalid_yaml_reports_the_position() {
        let error = parse_yaml("a: [1, 2\n").unwrap_err();
        assert!(error.to_string().contains("line"), "{error}");
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
}
