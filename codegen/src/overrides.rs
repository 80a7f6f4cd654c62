//! Corrections of upstream spec defects that would make the types reject what
//! the live API sends. Each override names a schema, says what it changes and
//! why; an override that no longer applies (upstream fixed it, or the schema
//! is gone) is an error, so the list never outlives the defects.
//!
//! The file is `spec/overrides.json`:
//!
//! ```json
//! { "overrides": [ { "schema": "X", "optional": ["client_secret"], "reason": "..." } ] }
//! ```

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, schema_pointer};

/// The contents of `spec/overrides.json`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// The corrections, applied in order.
    pub overrides: Vec<Override>,
}

/// One correction of one component schema.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The component schema name.
    pub schema: String,
    /// Properties to remove from `required`.
    #[serde(default)]
    pub optional: Vec<String>,
    /// Why (quote the spec where it contradicts itself).
    pub reason: String,
}

impl Overrides {
    /// Parses the JSON file contents.
    pub fn parse(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text).map_err(|e| Error::Override {
            schema: String::new(),
            reason: format!("spec/overrides.json: {e}"),
        })
    }

    /// Applies every override to the document (before it is read by `openapiv3`).
    pub fn apply(&self, document: &mut Value) -> Result<(), Error> {
        for entry in &self.overrides {
            let pointer = schema_pointer(&entry.schema);
            let Some(schema) = document.pointer_mut(&pointer) else {
                return Err(Error::Override {
                    schema: entry.schema.clone(),
                    reason: format!("{pointer} does not exist: remove the override"),
                });
            };
            if entry.optional.is_empty() {
                return Err(Error::Override {
                    schema: entry.schema.clone(),
                    reason: "the override changes nothing".into(),
                });
            }
            let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) else {
                return Err(Error::Override {
                    schema: entry.schema.clone(),
                    reason: format!(
                        "{pointer} has no `required` list any more: remove the override"
                    ),
                });
            };
            for property in &entry.optional {
                let Some(position) = required.iter().position(|p| p.as_str() == Some(property))
                else {
                    return Err(Error::Override {
                        schema: entry.schema.clone(),
                        reason: format!(
                            "`{property}` is no longer required upstream: remove it from the override"
                        ),
                    });
                };
                required.remove(position);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overrides(optional: &[&str]) -> Overrides {
        Overrides {
            overrides: vec![Override {
                schema: "S".into(),
                optional: optional.iter().map(|s| s.to_string()).collect(),
                reason: "r".into(),
            }],
        }
    }

    #[test]
    fn optional_override_removes_the_property_from_required() {
        let mut document = json!({"components": {"schemas": {"S": {"required": ["a", "b"]}}}});
        overrides(&["a"]).apply(&mut document).unwrap();
        assert_eq!(
            document.pointer("/components/schemas/S/required"),
            Some(&json!(["b"]))
        );
    }

    #[test]
    fn override_of_a_property_no_longer_required_is_an_error() {
        let mut document = json!({"components": {"schemas": {"S": {"required": ["b"]}}}});
        let error = overrides(&["a"]).apply(&mut document).unwrap_err();
        assert!(error.to_string().contains("no longer required"), "{error}");
    }

    #[test]
    fn override_of_a_missing_schema_is_an_error() {
        let mut document = json!({"components": {"schemas": {}}});
        let error = overrides(&["a"]).apply(&mut document).unwrap_err();
        assert!(error.to_string().contains("does not exist"), "{error}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_rejected() {
        assert!(
            Overrides::parse(
                r#"{"overrides": [{"schema": "S", "nullable": ["x"], "reason": "r"}]}"#
            )
            .is_err()
        );
    }
}
