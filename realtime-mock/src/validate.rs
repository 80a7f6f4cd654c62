//! Client events checked as the service checks them: against the spec's own
//! JSON Schema of the event (`realtime_types::json_schema`), closed: its
//! enums take only the listed values, its unions only the listed members,
//! and its objects only the listed properties (the types keep all of these
//! to stay forward-compatible; the service refuses them: a GA-shaped
//! `session.update` on the beta surface is an unknown parameter there). The
//! refusal names the parameter the way the service does
//! (`session.output_modalities[0]`).

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

/// Why an event is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    /// What is wrong, naming the parameter.
    pub(crate) message: String,
    /// The parameter (`session.output_modalities[0]`).
    pub(crate) param: String,
}

/// Checks `event` (a client event as JSON) against the schema of `T`.
pub(crate) fn check<T: schemars::JsonSchema + 'static>(event: &Value) -> Result<(), Invalid> {
    let validator = validator::<T>();
    let Some(error) = validator.iter_errors(event).max_by_key(depth) else {
        return Ok(());
    };
    Err(describe(deepest(&error)))
}

/// The compiled validator of `T`'s closed schema, made once.
fn validator<T: schemars::JsonSchema + 'static>() -> Arc<Validator> {
    static VALIDATORS: OnceLock<Mutex<HashMap<TypeId, Arc<Validator>>>> = OnceLock::new();
    let mut validators = VALIDATORS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(validators.entry(TypeId::of::<T>()).or_insert_with(|| {
        let mut schema = realtime_types::json_schema::<T>().to_value();
        close_enums(&mut schema);
        // The generated schemas are valid draft 2020-12 (a test of
        // realtime-types compiles every one), so this cannot fail.
        Arc::new(jsonschema::validator_for(&schema).unwrap_or_else(|error| {
            panic!("the generated schema of an event does not compile: {error}")
        }))
    }))
}

/// Replaces every open enum (`anyOf: [{enum}, {type: string}]`, a listed
/// value or any string) with its closed part, and the member of every union
/// that takes an unknown tag with one that refuses it, naming the known
/// tags.
fn close_enums(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::Array(options)) = object.get_mut("anyOf") {
                for option in options.iter_mut() {
                    if let Some(closed) = refuse_unknown_tag(option) {
                        *option = closed;
                    }
                }
            }
            let closed = match object.get("anyOf").and_then(Value::as_array) {
                Some(options)
                    if options.len() == 2
                        && options[0].get("enum").is_some()
                        && options[1] == serde_json::json!({"type": "string"}) =>
                {
                    Some(options[0].clone())
                }
                _ => None,
            };
            if let Some(Value::Object(closed)) = closed {
                object.remove("anyOf");
                object.extend(closed);
            }
            // The spec's numeric bounds, kept as an annotation, become rules.
            if let Some(Value::Object(bounds)) =
                object.remove(realtime_types::support::schema::SPEC_BOUNDS)
            {
                object.extend(bounds);
            }
            if object.get("type").and_then(Value::as_str) == Some("object")
                && object.contains_key("properties")
            {
                object
                    .entry("additionalProperties")
                    .or_insert(Value::Bool(false));
            }
            for value in object.values_mut() {
                close_enums(value);
            }
        }
        Value::Array(values) => values.iter_mut().for_each(close_enums),
        _ => {}
    }
}

/// For a union's member of unknown tags (`{properties: {tag: {type:
/// string, not: {enum: known}}}}`): a member that fails with an `enum` error
/// on the tag when it is unknown, and at the top (shallower than any error
/// of a known member's body) when it is known.
fn refuse_unknown_tag(option: &Value) -> Option<Value> {
    let properties = option.get("properties")?.as_object()?;
    let [(tag, rule)] = properties.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let known = rule.get("not")?.get("enum")?;
    let tag_is_known = serde_json::json!({"properties": {tag: {"enum": known}}, "required": [tag]});
    Some(serde_json::json!({
        "properties": {tag: {"enum": known}},
        "not": tag_is_known,
    }))
}

/// How an error ranks against others: deeper first; at the same depth an
/// unknown value or property before other errors before a wrong constant
/// (the tag of a union member that is not the one meant).
fn rank(error: &ValidationError<'_>) -> (usize, u8) {
    let depth = error.instance_path().as_str().matches('/').count();
    match error.kind() {
        ValidationErrorKind::Enum { .. } => (depth, 2),
        // It is about the property, one level down.
        ValidationErrorKind::AdditionalProperties { .. } => (depth + 1, 2),
        ValidationErrorKind::Constant { .. } => (depth, 0),
        _ => (depth, 1),
    }
}

/// How deep in the event an error is.
fn depth(error: &ValidationError<'_>) -> (usize, u8) {
    rank(deepest(error))
}

/// The most specific error under `anyOf` / `oneOf`: the branch that got
/// furthest into the event (for a union told apart by `type`, the branch of
/// that type).
fn deepest<'a>(error: &'a ValidationError<'a>) -> &'a ValidationError<'a> {
    if expected_types(error).is_some() {
        // `string or null` and the like: the alternatives, said at once.
        return error;
    }
    let context = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        _ => return error,
    };
    // A member whose tag is not the event's is not the one meant.
    let tag = format!("{}/type", error.instance_path().as_str());
    let wrong_tag = |branch: &&Vec<ValidationError<'a>>| {
        branch.iter().any(|inner| {
            matches!(inner.kind(), ValidationErrorKind::Constant { .. })
                && inner.instance_path().as_str() == tag
        })
    };
    let meant: Vec<&Vec<ValidationError<'a>>> = context.iter().filter(|b| !wrong_tag(b)).collect();
    let branches = if meant.is_empty() {
        context.iter().collect()
    } else {
        meant
    };
    branches
        .into_iter()
        .flatten()
        .map(|inner| deepest(inner))
        .max_by_key(|inner| rank(inner))
        .filter(|inner| rank(inner).0 >= rank(error).0)
        .unwrap_or(error)
}

/// The JSON types an `anyOf` / `oneOf` of types at one place wanted
/// (`["string", "null"]`), when that is all it is.
fn expected_types(error: &ValidationError<'_>) -> Option<Vec<String>> {
    let context = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        _ => return None,
    };
    let mut types = Vec::new();
    for inner in context.iter().flatten() {
        match inner.kind() {
            ValidationErrorKind::Type { kind }
                if inner.instance_path().as_str() == error.instance_path().as_str() =>
            {
                types.push(type_name(kind));
            }
            _ => return None,
        }
    }
    types.sort_by_key(|name| name == "null");
    (!types.is_empty()).then_some(types)
}

fn type_name(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(single) => single.to_string(),
        jsonschema::error::TypeKind::Multiple(many) => format!("{many:?}"),
    }
}

/// `/session/output_modalities/0` → `session.output_modalities[0]`.
pub(crate) fn param(pointer: &str) -> String {
    let mut param = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            param.push_str(&format!("[{segment}]"));
        } else {
            if !param.is_empty() {
                param.push('.');
            }
            param.push_str(&segment);
        }
    }
    param
}

/// A value short enough to quote in a message.
fn quoted(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if text.chars().count() <= 64 => Some(format!("'{text}'")),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// `'a', 'b' and 'c'`.
fn listed(options: &Value) -> String {
    let values: Vec<String> = options
        .as_array()
        .map(|values| values.iter().filter_map(quoted).collect())
        .unwrap_or_default();
    match values.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The message for a number out of the spec's bounds.
fn out_of_range(
    error: &ValidationError<'_>,
    at: &str,
    side: &str,
    relation: &str,
    limit: &Value,
) -> String {
    let value = error.instance();
    let kind = if value.is_i64() || value.is_u64() {
        "integer"
    } else {
        "decimal"
    };
    format!(
        "Invalid '{at}': {kind} {side} value. Expected a value {relation} {limit}, but got {value} instead."
    )
}

fn describe(error: &ValidationError<'_>) -> Invalid {
    let at = param(error.instance_path().as_str());
    let message = match error.kind() {
        ValidationErrorKind::Enum { options } => match quoted(error.instance()) {
            Some(value) => format!(
                "Invalid value: {value}. Supported values are: {}.",
                listed(options)
            ),
            None => format!(
                "Invalid value for '{at}'. Supported values are: {}.",
                listed(options)
            ),
        },
        ValidationErrorKind::Constant { expected_value } => format!(
            "Invalid value for '{at}': expected {}.",
            quoted(expected_value).unwrap_or_else(|| "another value".into())
        ),
        ValidationErrorKind::Type { kind } => {
            format!("Invalid type for '{at}': expected {}.", type_name(kind))
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
            if expected_types(error).is_some() =>
        {
            let types = expected_types(error).unwrap_or_default();
            format!("Invalid type for '{at}': expected {}.", types.join(" or "))
        }
        // The service's words: "decimal above maximum value. Expected a
        // value <= 1.5, but got 9.0 instead."
        ValidationErrorKind::Minimum { limit } => {
            out_of_range(error, &at, "below minimum", ">=", limit)
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            out_of_range(error, &at, "below minimum", ">", limit)
        }
        ValidationErrorKind::Maximum { limit } => {
            out_of_range(error, &at, "above maximum", "<=", limit)
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            out_of_range(error, &at, "above maximum", "<", limit)
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let name = unexpected.first().cloned().unwrap_or_default();
            let param = if at.is_empty() {
                name
            } else {
                format!("{at}.{name}")
            };
            return Invalid {
                message: format!("Unknown parameter: '{param}'."),
                param,
            };
        }
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let missing = if at.is_empty() {
                property.to_string()
            } else {
                format!("{at}.{property}")
            };
            return Invalid {
                message: format!("Missing required parameter: '{missing}'."),
                param: missing,
            };
        }
        _ => format!("Invalid value for '{at}'."),
    };
    Invalid { message, param: at }
}

#[cfg(test)]
mod tests {
    use super::*;
    use realtime_types::ga::client::SessionUpdate;
    use serde_json::json;

    #[test]
    fn pointers_become_the_services_parameter_names() {
        assert_eq!(
            param("/session/output_modalities/0"),
            "session.output_modalities[0]"
        );
        assert_eq!(
            param("/session/audio/input/turn_detection/type"),
            "session.audio.input.turn_detection.type"
        );
        assert_eq!(param(""), "");
    }

    #[test]
    fn a_value_the_spec_does_not_list_is_refused_with_the_listed_ones() {
        let event = json!({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["smell"]}});
        let invalid = check::<SessionUpdate>(&event).expect_err("refused");
        assert_eq!(invalid.param, "session.output_modalities[0]");
        assert_eq!(
            invalid.message,
            "Invalid value: 'smell'. Supported values are: 'text' and 'audio'."
        );
    }

    #[test]
    fn a_valid_update_passes_and_a_value_of_the_wrong_type_is_named() {
        let valid = json!({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"], "instructions": "x"}});
        assert_eq!(check::<SessionUpdate>(&valid), Ok(()));
        let event =
            json!({"type": "session.update", "session": {"type": "realtime", "instructions": 5}});
        let invalid = check::<SessionUpdate>(&event).expect_err("refused");
        assert_eq!(invalid.param, "session.instructions");
        assert_eq!(
            invalid.message,
            "Invalid type for 'session.instructions': expected string or null."
        );
    }

    #[test]
    fn a_number_outside_the_specs_bounds_is_refused_with_the_bound() {
        let event = json!({"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"speed": 9.0}}}});
        let invalid = check::<SessionUpdate>(&event).expect_err("refused");
        assert_eq!(invalid.param, "session.audio.output.speed");
        assert_eq!(
            invalid.message,
            "Invalid 'session.audio.output.speed': decimal above maximum value. Expected a value <= 1.5, but got 9.0 instead."
        );
        let event = json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 100}}}}});
        let invalid = check::<SessionUpdate>(&event).expect_err("refused");
        assert_eq!(
            invalid.param,
            "session.audio.input.turn_detection.idle_timeout_ms"
        );
        assert_eq!(
            invalid.message,
            "Invalid 'session.audio.input.turn_detection.idle_timeout_ms': integer below minimum value. Expected a value >= 5000, but got 100 instead."
        );
        let within = json!({"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"speed": 1.5}, "input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": null}}}}});
        assert_eq!(check::<SessionUpdate>(&within), Ok(()));
    }

    #[test]
    fn a_parameter_the_spec_does_not_list_is_unknown() {
        let event =
            json!({"type": "session.update", "session": {"type": "realtime", "smell": "roses"}});
        let invalid = check::<SessionUpdate>(&event).expect_err("refused");
        assert_eq!(invalid.param, "session.smell");
        assert_eq!(invalid.message, "Unknown parameter: 'session.smell'.");
    }

    #[test]
    fn a_nested_enum_in_a_union_is_found_under_its_branch() {
        let event = json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "loud_vad"}}}}});
        let invalid = check::<SessionUpdate>(&event).expect_err("refused");
        assert_eq!(invalid.param, "session.audio.input.turn_detection.type");
    }
}
