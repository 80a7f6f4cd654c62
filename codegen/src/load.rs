//! Reading the spec: YAML text → JSON value → OpenAPI 3.1 keywords lowered
//! (see [`crate::openapi31`]) → `openapiv3::OpenAPI`.

use serde_json::{Map, Value};

use crate::error::Error;
use crate::openapi31::{self, PointerMap};

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
    /// Where the nodes the lowering moved are in the spec as written.
    pub pointer_map: PointerMap,
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

/// Lowers the 3.1 keywords of every component schema and reads the result
/// with `openapiv3`.
pub fn load(mut document: Value) -> Result<LoadedSpec, Error> {
    let pointer_map = openapi31::lower_document(&mut document);
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
        pointer_map,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
