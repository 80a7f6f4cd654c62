//! Every Rust identifier the generator emits is made here: case conversion,
//! acronyms, keywords and names the generated code must not shadow.

/// Acronyms that appear glued together in schema names (`RealtimeMCPHTTPError`);
/// an uppercase run is split on these before case conversion, longest first.
const ACRONYMS: &[&str] = &[
    "HTTP", "JSON", "DTMF", "MCP", "PCM", "SIP", "URL", "VAD", "API", "GA", "ID",
];

/// Rust keywords (strict and reserved) that need `r#` as identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe",
    "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers at all.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];

/// Type names the generated code uses unqualified (prelude items and the
/// names used by generated impls); a schema may not take them.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Self",
    "Sized",
    "Send",
    "Sync",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Serialize",
    "Deserialize",
    "JsonSchema",
    "Value",
    "Map",
    "Visitor",
    // Items and generic parameters of generated impls.
    "FieldsVisitor",
    "KindVisitor",
    "A",
    "D",
    "E",
    "S",
];

/// Splits a name into words: on any non-alphanumeric character, on
/// lower→upper and letter↔digit boundaries, and inside uppercase runs
/// (`HTTPError` → `HTTP`, `Error`; `MCPHTTP` → `MCP`, `HTTP`).
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for chunk in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        split_chunk(chunk, &mut words);
    }
    words
}

fn split_chunk(chunk: &str, words: &mut Vec<String>) {
    let chars: Vec<char> = chunk.chars().collect();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_uppercase() {
            // An uppercase run: `chars[i..end]` are all uppercase.
            let mut end = i;
            while end < chars.len() && chars[end].is_ascii_uppercase() {
                end += 1;
            }
            if i > start {
                words.push(chars[start..i].iter().collect());
            }
            // If the run is followed by a lowercase letter, its last letter starts the next word.
            let run_end = if end < chars.len() && chars[end].is_ascii_lowercase() && end - i > 1 {
                end - 1
            } else {
                end
            };
            if run_end - i > 1 {
                split_acronym_run(&chars[i..run_end], words);
                start = run_end;
                i = run_end;
            } else {
                start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_lowercase() {
                    i += 1;
                }
                words.push(chars[start..i].iter().collect());
                start = i;
            }
            continue;
        }
        // A digit run starts a word (`pcm16` → `pcm`, `16`); letters after
        // digits stay with them (`4o` in `gpt-4o`).
        if i > start && chars[i].is_ascii_digit() && !chars[i - 1].is_ascii_digit() {
            words.push(chars[start..i].iter().collect());
            start = i;
        }
        i += 1;
    }
    if start < chars.len() {
        words.push(chars[start..].iter().collect());
    }
}

/// Splits an all-uppercase run into known acronyms where possible.
fn split_acronym_run(run: &[char], words: &mut Vec<String>) {
    let run: String = run.iter().collect();
    let mut rest = run.as_str();
    while !rest.is_empty() {
        let known = ACRONYMS
            .iter()
            .filter(|a| rest.starts_with(**a))
            .max_by_key(|a| a.len());
        match known {
            Some(acronym) => {
                words.push((*acronym).to_string());
                rest = &rest[acronym.len()..];
            }
            None => {
                // Unknown: take letters up to the next known acronym, or the whole rest.
                let cut = (1..rest.len())
                    .find(|&at| ACRONYMS.iter().any(|a| rest[at..].starts_with(a)))
                    .unwrap_or(rest.len());
                words.push(rest[..cut].to_string());
                rest = &rest[cut..];
            }
        }
    }
}

fn capitalize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `PascalCase` from any name: `response.output_audio.delta` → `ResponseOutputAudioDelta`,
/// `RealtimeMCPToolCall` → `RealtimeMcpToolCall`, `audio/pcm` → `AudioPcm`.
/// A result that would start with a digit gets a `V` prefix (`24000` → `V24000`).
pub fn pascal_case(name: &str) -> String {
    let joined: String = words(name).iter().map(|w| capitalize(w)).collect();
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{joined}")
    } else {
        joined
    }
}

/// `snake_case` from any name: `previousItemId` → `previous_item_id`.
/// A result that would start with a digit gets an `n` prefix.
pub fn snake_case(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{joined}")
    } else {
        joined
    }
}

/// The Rust type name for a schema or inline type.
pub fn type_name(name: &str) -> String {
    pascal_case(name)
}

/// The Rust field name for a wire property name, as it is written in source
/// (`type` → `r#type`, `self` → `self_`).
pub fn field_name(wire: &str) -> String {
    let snake = snake_case(wire);
    let snake = if snake.is_empty() {
        "field".to_string()
    } else {
        snake
    };
    if NOT_RAW.contains(&snake.as_str()) {
        format!("{snake}_")
    } else if KEYWORDS.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// The Rust variant name for a discriminator or enum value.
pub fn variant_name(value: &str) -> String {
    let name = pascal_case(value);
    if name.is_empty() {
        "Empty".to_string()
    } else if name == "Self" {
        "SelfValue".to_string()
    } else {
        name
    }
}

/// The name of an associated constant for a constant property (`type` → `TYPE`).
pub fn constant_name(wire: &str) -> String {
    let name = snake_case(wire).to_ascii_uppercase();
    if name.is_empty() {
        "CONSTANT".to_string()
    } else {
        name
    }
}

/// Whether `name` is a Rust keyword (it needs `r#`, or cannot be a name at all).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name) || NOT_RAW.contains(&name)
}

/// Whether a type name may not be used because generated code relies on it.
pub fn is_reserved_type_name(name: &str) -> bool {
    RESERVED_TYPE_NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_type_values_become_variant_names() {
        assert_eq!(
            variant_name("response.output_audio.delta"),
            "ResponseOutputAudioDelta"
        );
        assert_eq!(
            variant_name("session.input_audio_buffer.append"),
            "SessionInputAudioBufferAppend"
        );
        assert_eq!(variant_name("audio/pcm"), "AudioPcm");
        assert_eq!(
            variant_name("gpt-4o-mini-transcribe"),
            "Gpt4oMiniTranscribe"
        );
    }

    #[test]
    fn glued_acronyms_are_split_and_capitalised() {
        assert_eq!(type_name("RealtimeMCPToolCall"), "RealtimeMcpToolCall");
        assert_eq!(type_name("RealtimeMCPHTTPError"), "RealtimeMcpHttpError");
        assert_eq!(
            type_name("RealtimeSessionCreateRequestGA"),
            "RealtimeSessionCreateRequestGa"
        );
        assert_eq!(
            type_name("InputAudioBufferDTMFEvent"),
            "InputAudioBufferDtmfEvent"
        );
        assert_eq!(type_name("MCPTool"), "McpTool");
    }

    #[test]
    fn already_pascal_names_are_kept() {
        assert_eq!(
            type_name("RealtimeServerEventResponseAudioDelta"),
            "RealtimeServerEventResponseAudioDelta"
        );
        assert_eq!(type_name("VoiceIdsShared"), "VoiceIdsShared");
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("ref"), "r#ref");
        assert_eq!(field_name("in"), "r#in");
        assert_eq!(field_name("trait"), "r#trait");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("crate"), "crate_");
    }

    #[test]
    fn wire_names_become_snake_case_fields() {
        assert_eq!(field_name("previous_item_id"), "previous_item_id");
        assert_eq!(field_name("previousItemId"), "previous_item_id");
        assert_eq!(field_name("x-request-id"), "x_request_id");
        assert_eq!(field_name("2fa"), "n2fa");
    }

    #[test]
    fn values_starting_with_digits_get_a_prefix() {
        assert_eq!(variant_name("24000"), "V24000");
        assert_eq!(variant_name("1.5"), "V15");
        assert_eq!(variant_name(""), "Empty");
    }

    #[test]
    fn constant_names_are_screaming_snake_case() {
        assert_eq!(constant_name("type"), "TYPE");
        assert_eq!(constant_name("object"), "OBJECT");
    }

    #[test]
    fn prelude_names_are_reserved() {
        assert!(is_reserved_type_name("String"));
        assert!(is_reserved_type_name("Option"));
        assert!(!is_reserved_type_name("RealtimeResponse"));
    }
}
