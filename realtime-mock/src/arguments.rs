//! Function-call arguments that satisfy the tool's JSON Schema, taken from
//! the user's words where they can be: a string property gets the words the
//! user put after its name or after `in` / `for` / `to` / `at` / `about`
//! (`weather in Paris` → `"Paris"`), else a capitalised name from the text;
//! an enum gets the listed value the user said (else the first); a number
//! the first number in the text (else the minimum, or 1); a boolean `true`.
//! Every required property is filled, and optional ones the user named.

use serde_json::{Map, Value, json};

/// Arguments for a tool with `parameters` (a JSON Schema), from `text`.
pub fn arguments_for(parameters: Option<&Value>, text: &str) -> Value {
    match parameters {
        Some(schema) => value_for(schema, "", text),
        None => json!({}),
    }
}

fn value_for(schema: &Value, name: &str, text: &str) -> Value {
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        let lowered = text.to_lowercase();
        return options
            .iter()
            .find(|o| {
                o.as_str()
                    .is_some_and(|o| lowered.contains(&o.to_lowercase()))
            })
            .or_else(|| options.first())
            .cloned()
            .unwrap_or(Value::Null);
    }
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    for union in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(union).and_then(Value::as_array) {
            let chosen = options
                .iter()
                .find(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                .or_else(|| options.first());
            return chosen.map_or(Value::Null, |o| value_for(o, name, text));
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match kind {
        "object" => object_for(schema, text),
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            let count = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            Value::Array((0..count).map(|_| value_for(&items, name, text)).collect())
        }
        "integer" => first_number(text)
            .map(|n| json!(n.trunc() as i64))
            .or_else(|| schema.get("minimum").cloned())
            .unwrap_or(json!(1)),
        "number" => first_number(text)
            .map(|n| json!(n))
            .or_else(|| schema.get("minimum").cloned())
            .unwrap_or(json!(1)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(string_for(name, text)),
    }
}

fn object_for(schema: &Value, text: &str) -> Value {
    let lowered = text.to_lowercase();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut object = Map::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let named = lowered.contains(&name.replace('_', " ").to_lowercase());
            if required.contains(&name.as_str()) || named {
                object.insert(name.clone(), value_for(property, name, text));
            }
        }
    }
    Value::Object(object)
}

/// The words the user gave for `name`: after the name itself, or after a
/// preposition, or a capitalised name; `"example"` when there is none.
fn string_for(name: &str, text: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '?' | '!' | ';' | ':'))
        .filter(|w| !w.is_empty())
        .collect();
    let clean = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let spoken = name.replace('_', " ").to_lowercase();
    let last_of_name = spoken
        .split(' ')
        .next_back()
        .unwrap_or_default()
        .to_string();
    let after = |at: usize| {
        // A run of capitalised words, or one word.
        let mut taken: Vec<String> = words[at..]
            .iter()
            .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
            .map(|w| clean(w))
            .collect();
        if taken.is_empty() {
            taken = words.get(at).map(|w| clean(w)).into_iter().collect();
        }
        Some(taken.join(" ")).filter(|t| !t.is_empty())
    };
    let lowered: Vec<String> = words.iter().map(|w| clean(w).to_lowercase()).collect();
    if !last_of_name.is_empty()
        && let Some(at) = lowered.iter().position(|w| *w == last_of_name)
        && let Some(found) = after(at + 1)
    {
        return found;
    }
    const PREPOSITIONS: [&str; 8] = ["in", "for", "to", "at", "about", "called", "named", "of"];
    let after_prepositions: Vec<usize> = (0..lowered.len())
        .filter(|at| PREPOSITIONS.contains(&lowered[*at].as_str()))
        .map(|at| at + 1)
        .filter(|at| *at < words.len())
        .collect();
    // A name (capitalised) after a preposition first, then any word.
    let capitalised = |at: &usize| words[*at].chars().next().is_some_and(char::is_uppercase);
    if let Some(at) = after_prepositions.iter().find(|at| capitalised(at))
        && let Some(found) = after(*at)
    {
        return found;
    }
    if let Some(found) = words
        .iter()
        .skip(1)
        .find(|w| w.chars().next().is_some_and(char::is_uppercase) && **w != "I")
    {
        return clean(found);
    }
    after_prepositions
        .first()
        .and_then(|at| after(*at))
        .unwrap_or_else(|| "example".into())
}

fn first_number(text: &str) -> Option<f64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .find_map(|w| w.trim_matches('.').parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weather() -> Value {
        json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1},
                "detailed": {"type": "boolean"}
            },
            "required": ["city", "unit"]
        })
    }

    #[test]
    fn a_city_named_after_a_preposition_fills_the_string() {
        let args = arguments_for(Some(&weather()), "What's the weather in Paris?");
        assert_eq!(args, json!({"city": "Paris", "unit": "celsius"}));
    }

    #[test]
    fn the_enum_value_said_wins_and_named_optional_properties_are_filled() {
        let args = arguments_for(
            Some(&weather()),
            "Weather for New York in fahrenheit over the next 3 days, detailed please",
        );
        assert_eq!(
            args,
            json!({"city": "New York", "unit": "fahrenheit", "days": 3, "detailed": true})
        );
    }

    #[test]
    fn without_a_schema_or_words_the_arguments_are_still_valid() {
        assert_eq!(arguments_for(None, "weather"), json!({}));
        let args = arguments_for(Some(&weather()), "weather");
        assert_eq!(args["city"], "example");
        assert_eq!(args["unit"], "celsius");
    }
}
