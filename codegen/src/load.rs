//! Reading the spec: YAML text → JSON value → the component schemas, each
//! read on demand (OpenAPI 3.1 keywords lowered, see [`crate::openapi31`],
//! then `openapiv3`).

use std::collections::BTreeMap;
use std::rc::Rc;

use openapiv3::{ReferenceOr, Schema};
use serde_json::{Map, Value};

use crate::error::{Error, schema_pointer};
use crate::openapi31::{self, PointerMap};

/// A spec ready for lowering: its component schemas (read on demand) and the
/// top-level `x-oaiMeta` (where the event groups are listed).
#[derive(Debug)]
pub struct LoadedSpec {
    /// The component schemas.
    pub schemas: SchemaStore,
    /// The top-level `x-oaiMeta` of the document, if any.
    pub oai_meta: Option<Value>,
}

/// The component schemas of a document. A schema is read the first time it
/// is asked for: its OpenAPI 3.1 keywords are lowered (see
/// [`crate::openapi31`]) and the result is read with `openapiv3`. The
/// Realtime events reach about 180 of the document's schemas, so the rest
/// (and the paths) are never read.
#[derive(Debug, Default)]
pub struct SchemaStore {
    /// Every component schema, as written.
    written: Map<String, Value>,
    /// The schemas read so far.
    read: BTreeMap<String, ReadSchema>,
    /// Where the nodes the lowering moved are in the spec as written.
    pointers: PointerMap,
}

#[derive(Debug)]
struct ReadSchema {
    schema: Rc<ReferenceOr<Schema>>,
    /// The lowered JSON (to check for keywords `openapiv3` would drop).
    lowered: Value,
}

impl SchemaStore {
    /// A store over `components.schemas` (as written).
    pub fn new(written: Map<String, Value>) -> Self {
        SchemaStore {
            written,
            ..Default::default()
        }
    }

    /// Whether the document has a component schema of this name.
    pub fn contains(&self, name: &str) -> bool {
        self.written.contains_key(name)
    }

    /// The schema `name`, read on first use; `None` if there is no such schema.
    pub fn get(&mut self, name: &str) -> Result<Option<Rc<ReferenceOr<Schema>>>, Error> {
        if let Some(read) = self.read.get(name) {
            return Ok(Some(Rc::clone(&read.schema)));
        }
        let Some(written) = self.written.get(name) else {
            return Ok(None);
        };
        let pointer = schema_pointer(name);
        let mut lowered = written.clone();
        openapi31::lower_schema(&mut lowered, &pointer, &mut self.pointers);
        let schema: ReferenceOr<Schema> =
            serde_json::from_value(lowered.clone()).map_err(|e| Error::OpenApi {
                message: format!("{pointer}: {e}"),
            })?;
        let schema = Rc::new(schema);
        self.read.insert(
            name.to_string(),
            ReadSchema {
                schema: Rc::clone(&schema),
                lowered,
            },
        );
        Ok(Some(schema))
    }

    /// The lowered JSON of the node at `pointer` (inside a schema read before).
    pub fn lowered_node(&self, pointer: &str) -> Option<&Value> {
        let rest = pointer.strip_prefix("/components/schemas/")?;
        let (segment, inner) = rest.split_once('/').map_or((rest, ""), |(s, i)| (s, i));
        let name = segment.replace("~1", "/").replace("~0", "~");
        let read = self.read.get(&name)?;
        if inner.is_empty() {
            Some(&read.lowered)
        } else {
            read.lowered.pointer(&format!("/{inner}"))
        }
    }

    /// The pointer in the spec as written of the node at `lowered`.
    pub fn original_pointer(&self, lowered: &str) -> String {
        self.pointers.original(lowered)
    }
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

/// Checks that the document is OpenAPI 3 and takes out what the generator
/// reads: the component schemas and the top-level `x-oaiMeta`.
pub fn load(mut document: Value) -> Result<LoadedSpec, Error> {
    let version = document
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.") {
        return Err(Error::OpenApi {
            message: format!("`openapi: {version}` is not an OpenAPI 3 document"),
        });
    }
    let written = match document.pointer_mut("/components/schemas").map(Value::take) {
        Some(Value::Object(schemas)) => schemas,
        Some(Value::Null) | None => Map::new(),
        Some(_) => {
            return Err(Error::OpenApi {
                message: "/components/schemas is not an object".into(),
            });
        }
    };
    let oai_meta = document.get_mut("x-oaiMeta").map(Value::take);
    Ok(LoadedSpec {
        schemas: SchemaStore::new(written),
        oai_meta,
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
