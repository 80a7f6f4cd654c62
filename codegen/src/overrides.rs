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

/// Where the overrides live, relative to the workspace root.
pub const OVERRIDES_PATH: &str = "spec/overrides.json";

impl Overrides {
    /// Reads `spec/overrides.json` of a workspace.
    pub fn read(workspace_root: &std::path::Path) -> Result<Self, Error> {
        let path = workspace_root.join(OVERRIDES_PATH);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Override {
            schema: String::new(),
            reason: format!("cannot read {}: {e}", path.display()),
        })?;
        Self::parse(&text)
    }

    /// Parses the JSON file contents.
    pub fn parse(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text).map_err(|e| Error::Override {
            schema: String::new(),
            reason: format!("spec/overrides.json: {e}"),
        })
    }

    /// Applies the overrides to the document (before it is read by `openapiv3`).
    ///
    /// `strict` (for the pinned spec): an override that does not apply is an
    /// error, so the list never outlives the defects. Otherwise (an older or
    /// unpinned spec) such overrides are skipped and returned, so the caller
    /// can say which ones were not applied.
    pub fn apply(&self, document: &mut Value, strict: bool) -> Result<Vec<NotApplied>, Error> {
        let mut not_applied = Vec::new();
        for entry in &self.overrides {
            match entry.apply(document) {
                Ok(()) => {}
                Err(reason) if strict => {
                    return Err(Error::Override {
                        schema: entry.schema.clone(),
                        reason,
                    });
                }
                Err(reason) => not_applied.push(NotApplied {
                    schema: entry.schema.clone(),
                    reason,
                }),
            }
        }
        Ok(not_applied)
    }
}

/// An override skipped for a spec it does not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct NotApplied {
    /// The schema the override names.
    pub schema: String,
    /// Why it does not apply.
    pub reason: String,
}

impl Override {
    fn apply(&self, document: &mut Value) -> Result<(), String> {
        let pointer = schema_pointer(&self.schema);
        let Some(schema) = document.pointer_mut(&pointer) else {
            return Err(format!("{pointer} does not exist: remove the override"));
        };
        if self.optional.is_empty() {
            return Err("the override changes nothing".into());
        }
        let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) else {
            return Err(format!(
                "{pointer} has no `required` list any more: remove the override"
            ));
        };
        // Check every property before changing anything.
        let mut positions = Vec::new();
        for property in &self.optional {
            match required.iter().position(|p| p.as_str() == Some(property)) {
                Some(position) => positions.push(position),
                None => {
                    return Err(format!(
                        "`{property}` is no longer required upstream: remove it from the override"
                    ));
                }
            }
        }
        positions.sort_unstable();
        for position in positions.into_iter().rev() {
            required.remove(position);
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
        let skipped = overrides(&["a"]).apply(&mut document, true).unwrap();
        assert!(skipped.is_empty());
        assert_eq!(
            document.pointer("/components/schemas/S/required"),
            Some(&json!(["b"]))
        );
    }

    #[test]
    fn override_of_a_property_no_longer_required_is_an_error() {
        let mut document = json!({"components": {"schemas": {"S": {"required": ["b"]}}}});
        let error = overrides(&["a"]).apply(&mut document, true).unwrap_err();
        assert!(error.to_string().contains("no longer required"), "{error}");
    }

    #[test]
    fn override_that_does_not_fit_an_older_spec_is_skipped_and_reported() {
        let mut document = json!({"components": {"schemas": {"S": {"required": ["b"]}}}});
        let skipped = overrides(&["a"]).apply(&mut document, false).unwrap();
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].reason.contains("no longer required"));
        assert_eq!(
            document.pointer("/components/schemas/S/required"),
            Some(&json!(["b"]))
        );
    }

    #[test]
    fn override_of_a_missing_schema_is_an_error() {
        let mut document = json!({"components": {"schemas": {}}});
        let error = overrides(&["a"]).apply(&mut document, true).unwrap_err();
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
