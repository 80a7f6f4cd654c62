//! The JSON Schema of the generated types, built by their `JsonSchema`
//! impls from these pieces. The schema describes what the decoders accept,
//! not only what the spec says:
//!
//! - an object accepts properties it does not list (they are kept);
//! - an optional property accepts `null` (decoded as absent, and kept);
//! - a tagged union accepts, besides its members, any object whose tag is a
//!   string it does not know (its `Unknown` variant);
//! - a string enum accepts any string (its `Other` variant);
//! - an integer is one an `i64` holds.
//!
//! Descriptions are the spec's.

use schemars::Schema;
use serde_json::{Map, Value, json};

/// The schema of one property: the value's, with the property's
/// description, accepting `null` too when `null` is decoded.
pub fn property(value: Schema, description: Option<&str>, accepts_null: bool) -> Schema {
    let value = bound_integers(value);
    let mut schema = if accepts_null {
        let mut map = Map::new();
        map.insert(
            "anyOf".into(),
            Value::Array(vec![value.to_value(), json!({"type": "null"})]),
        );
        Schema::from(map)
    } else {
        value
    };
    describe(&mut schema, description);
    schema
}

/// The keyword under which a property's schema keeps the spec's numeric
/// bounds: an annotation, not a rule, because the decoders accept any
/// number (a server may send one the spec did not foresee). A checker that
/// refuses what the service refuses (the mock does) turns its entries into
/// the JSON Schema keywords they are named after.
pub const SPEC_BOUNDS: &str = "x-spec-bounds";

/// `property` with the spec's numeric bounds (`("maximum", 1.5)`: the
/// keyword and the bound) kept under [`SPEC_BOUNDS`].
pub fn bounded(property: Schema, bounds: &[(&str, Value)]) -> Schema {
    let kept: Map<String, Value> = bounds
        .iter()
        .map(|(keyword, value)| ((*keyword).to_string(), value.clone()))
        .collect();
    let mut schema = property;
    if !kept.is_empty() {
        schema.insert(SPEC_BOUNDS.to_string(), Value::Object(kept));
    }
    schema
}

/// A string property that always has one value.
pub fn constant(value: &str) -> Schema {
    Schema::from(object_map(json!({"type": "string", "const": value})))
}

/// An object with these properties (in order); `required` must be present.
/// Other properties are accepted.
pub fn object(
    description: Option<&str>,
    properties: Vec<(&str, Schema)>,
    required: &[&str],
) -> Schema {
    let properties: Map<String, Value> = properties
        .into_iter()
        .map(|(name, schema)| (name.to_string(), schema.to_value()))
        .collect();
    let mut schema = Schema::from(object_map(json!({
        "type": "object",
        "properties": properties,
        "required": required,
    })));
    describe(&mut schema, description);
    schema
}

/// One member of a tagged union: its schema and its tag value.
pub type Member<'a> = (Schema, &'a str);

/// A union of objects told apart by `tag`: one of the members, its `tag`
/// being the member's value (the union decodes by it, whatever the member's
/// own schema says of it: optional, or a nested union's), or an object
/// whose `tag` is a string none of them has (kept as `Unknown`).
pub fn tagged_union(description: Option<&str>, tag: &str, members: Vec<Member<'_>>) -> Schema {
    let known: Vec<&str> = members.iter().map(|(_, value)| *value).collect();
    let mut alternatives: Vec<Value> = members
        .into_iter()
        .map(|(schema, value)| {
            json!({"allOf": [
                schema.to_value(),
                {"required": [tag], "properties": {tag: {"const": value}}},
            ]})
        })
        .collect();
    alternatives.push(unknown_member(tag, &known));
    let mut schema = Schema::from(object_map(json!({ "anyOf": alternatives })));
    describe(&mut schema, description);
    schema
}

/// A union of values of different JSON kinds; `tagged` are its object
/// members told apart by a tag, if it has such.
pub fn kind_union(
    description: Option<&str>,
    members: Vec<Schema>,
    tagged: Option<(&str, Vec<Member<'_>>)>,
) -> Schema {
    let mut alternatives: Vec<Value> = members
        .into_iter()
        .map(|member| bound_integers(member).to_value())
        .collect();
    if let Some((tag, members)) = tagged {
        alternatives.push(tagged_union(None, tag, members).to_value());
    }
    let mut schema = Schema::from(object_map(json!({ "anyOf": alternatives })));
    describe(&mut schema, description);
    schema
}

/// A string enum: any string, the known values listed.
pub fn string_enum(description: Option<&str>, values: &[&str]) -> Schema {
    let mut schema = Schema::from(object_map(json!({
        "anyOf": [{"type": "string", "enum": values}, {"type": "string"}]
    })));
    describe(&mut schema, description);
    schema
}

/// Every `i64` in a schema (not behind a `$ref`) bounded to the range an
/// `i64` holds: JSON has no limit, and a decoder refuses what does not fit.
fn bound_integers(schema: Schema) -> Schema {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                let is_i64 = map.get("type").and_then(Value::as_str) == Some("integer")
                    && map.get("format").and_then(Value::as_str) == Some("int64");
                if is_i64 {
                    map.entry("minimum").or_insert(json!(i64::MIN));
                    map.entry("maximum").or_insert(json!(i64::MAX));
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = schema.to_value();
    walk(&mut value);
    Schema::try_from(value).unwrap_or_else(|_| Schema::from(false))
}

/// The object a tagged union keeps as `Unknown`: its tag is a string, and
/// not one the union knows.
fn unknown_member(tag: &str, known: &[&str]) -> Value {
    json!({
        "type": "object",
        "required": [tag],
        "properties": { tag: { "type": "string", "not": { "enum": known } } },
    })
}

fn describe(schema: &mut Schema, description: Option<&str>) {
    if let Some(description) = description {
        schema.insert("description".into(), Value::String(description.into()));
    }
}

fn object_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_property_accepts_null_and_keeps_its_description() {
        let schema = property(
            Schema::from(object_map(json!({"type": "string"}))),
            Some("d"),
            true,
        );
        assert_eq!(
            schema.to_value(),
            json!({"anyOf": [{"type": "string"}, {"type": "null"}], "description": "d"})
        );
    }

    #[test]
    fn an_integer_property_is_bounded_to_i64() {
        let integer = Schema::from(object_map(json!({"type": "integer", "format": "int64"})));
        let schema = property(integer, None, false);
        assert_eq!(schema.get("maximum"), Some(&json!(i64::MAX)));
        assert_eq!(schema.get("minimum"), Some(&json!(i64::MIN)));
    }

    #[test]
    fn a_tagged_union_accepts_unknown_tags_and_pins_each_members_tag() {
        let member = object(
            None,
            vec![("side", property(Schema::from(true), None, false))],
            &[],
        );
        let schema = tagged_union(None, "type", vec![(member, "square")]);
        let alternatives = schema.get("anyOf").and_then(Value::as_array).unwrap();
        assert_eq!(alternatives.len(), 2);
        assert_eq!(
            alternatives[0]["allOf"][1],
            json!({"required": ["type"], "properties": {"type": {"const": "square"}}})
        );
        assert_eq!(
            alternatives[1]["properties"]["type"]["not"],
            json!({"enum": ["square"]})
        );
    }
}
