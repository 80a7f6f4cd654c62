//! Lenient reader for the `x-oaiMeta.example` payloads of the spec.
//!
//! The examples attached to the Realtime event schemas are meant to be JSON,
//! but they are written by hand and are not strict: they may contain `//`
//! line comments and `/* */` block comments, trailing commas before `}` or
//! `]`, and several JSON values one after another (separated by whitespace,
//! comments or a single comma).
//!
//! [`parse_example`] blanks out the comments and trailing commas with spaces
//! (so that every byte offset stays identical to the original text) and then
//! reads the values one by one with `serde_json`.

use std::fmt;

use serde_json::Value;

use crate::ir::{TypeKind, TypeSpace};

/// Parses an example payload into its JSON values, in order.
///
/// Accepted on top of strict JSON:
/// - `//` line comments and `/* */` block comments outside strings;
/// - a trailing comma before `}` or `]`;
/// - several values in one text, separated by whitespace, comments, or one
///   comma between two values.
///
/// # Errors
///
/// Returns an [`ExampleError`] carrying the byte offset into `text` when the
/// text holds no value at all, has an unterminated block comment, or is not
/// valid (lenient) JSON.
pub fn parse_example(text: &str) -> Result<Vec<Value>, ExampleError> {
    let cleaned = strip_non_json(text)?;
    let bytes = cleaned.as_bytes();
    let mut values = Vec::new();
    let mut pos = skip_whitespace(bytes, 0);
    while pos < bytes.len() {
        if !values.is_empty() && bytes[pos] == b',' {
            let after_comma = skip_whitespace(bytes, pos + 1);
            if after_comma >= bytes.len() || bytes[after_comma] == b',' {
                return Err(ExampleError::new(
                    pos,
                    "a comma between top-level values must be followed by a value",
                ));
            }
            pos = after_comma;
        }
        let rest = cleaned.get(pos..).unwrap_or_default();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => values.push(value),
            Some(Err(err)) => return Err(json_error(rest, pos, &err)),
            None => break,
        }
        pos = skip_whitespace(bytes, pos + stream.byte_offset());
    }
    if values.is_empty() {
        return Err(ExampleError::new(
            0,
            "the example contains no JSON value (only whitespace or comments)",
        ));
    }
    Ok(values)
}

/// Error returned by [`parse_example`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ExampleError {
    /// Byte offset into the original example text where the problem was found.
    pub offset: usize,
    /// Human-readable description of the problem (never echoes the payload).
    pub reason: String,
}

impl ExampleError {
    fn new(offset: usize, reason: impl Into<String>) -> Self {
        Self {
            offset,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ExampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid example payload at byte {}: {}",
            self.offset, self.reason
        )
    }
}

impl std::error::Error for ExampleError {}

/// Index of the first byte at or after `pos` that is not JSON whitespace.
fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// Converts a `serde_json` error on `rest` (which starts at byte `base` of the
/// original text) into an [`ExampleError`] with an absolute byte offset.
fn json_error(rest: &str, base: usize, err: &serde_json::Error) -> ExampleError {
    // serde_json reports a 1-based line and the 1-based byte column of the
    // offending byte; for an unexpected end of input it points at the last
    // byte, so that case is reported at the end of the text instead.
    let line_start = if err.line() <= 1 {
        0
    } else {
        rest.match_indices('\n')
            .nth(err.line() - 2)
            .map_or(rest.len(), |(i, _)| i + 1)
    };
    let offset = if err.is_eof() {
        rest.len()
    } else {
        (line_start + err.column().saturating_sub(1)).min(rest.len())
    };
    let message = err.to_string();
    let reason = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    };
    ExampleError::new(base + offset, reason)
}

/// Returns a copy of `text` where comments and trailing commas are replaced
/// by spaces, byte for byte, so offsets into the copy are offsets into `text`.
fn strip_non_json(text: &str) -> Result<String, ExampleError> {
    let mut out = text.as_bytes().to_vec();
    let len = out.len();
    let mut in_string = false;
    // Position of the last comma seen outside strings that may still turn out
    // to be a trailing comma, i.e. nothing but whitespace/comments follow it.
    let mut pending_comma: Option<usize> = None;
    // Last significant byte outside strings, comments and whitespace.
    let mut last_significant: Option<u8> = None;
    let mut i = 0;
    while i < len {
        let b = out[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'/' if out.get(i + 1) == Some(&b'/') => {
                while i < len && out[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                continue;
            }
            b'/' if out.get(i + 1) == Some(&b'*') => {
                let start = i;
                let end = out[i + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map(|p| i + 2 + p + 2)
                    .ok_or_else(|| ExampleError::new(start, "unterminated `/*` block comment"))?;
                for byte in &mut out[start..end] {
                    // Keep newlines so line numbers stay meaningful.
                    if *byte != b'\n' {
                        *byte = b' ';
                    }
                }
                i = end;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'}' | b']' => {
                if let Some(comma) = pending_comma.take() {
                    out[comma] = b' ';
                }
                last_significant = Some(b);
            }
            b',' => {
                // Only a comma that follows a value can be a trailing comma:
                // `[,]` or `[1,,]` must stay errors.
                pending_comma = match last_significant {
                    Some(b'[' | b'{' | b',' | b':') | None => None,
                    Some(_) => Some(i),
                };
                last_significant = Some(b);
            }
            _ => {
                if b == b'"' {
                    in_string = true;
                }
                pending_comma = None;
                last_significant = Some(b);
            }
        }
        i += 1;
    }
    // Every replaced byte run covers whole characters (comments end at an
    // ASCII byte or at the end of the text), so this cannot fail in practice.
    String::from_utf8(out).map_err(|err| {
        ExampleError::new(
            err.utf8_error().valid_up_to(),
            "invalid UTF-8 after comment removal",
        )
    })
}

/// One example payload of one event of one surface.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventExample {
    /// The surface module (`ga`, `beta`, `translation`).
    pub surface: String,
    /// The union (`ClientEvent` or `ServerEvent`).
    pub union: String,
    /// The event's schema name.
    pub schema: String,
    /// The event `type` the generated union gives this schema.
    pub event_type: String,
    /// The example value (an example text may hold several).
    pub value: Value,
}

/// The examples of every event of every surface of a modelled spec, and the
/// event schemas that have none.
///
/// `document` is the parsed spec; `space` its model (from [`crate::model`]).
pub fn event_examples(
    document: &Value,
    space: &TypeSpace,
) -> Result<(Vec<EventExample>, Vec<String>), String> {
    let mut found = Vec::new();
    let mut without = Vec::new();
    for surface in &space.surfaces {
        for union in &surface.unions {
            let Some(TypeKind::TaggedUnion(tagged)) = space.types.get(&union.id).map(|d| &d.kind)
            else {
                return Err(format!("{} is not a tagged union", union.id));
            };
            let union_name = space
                .types
                .get(&union.id)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            for variant in &tagged.variants {
                let Some(member) = space.types.get(&variant.ty) else {
                    continue;
                };
                let Some(schema) = member.source.strip_prefix("/components/schemas/") else {
                    return Err(format!(
                        "event `{}` is not a component schema",
                        variant.tag_value
                    ));
                };
                let pointer = format!("{}/x-oaiMeta/example", member.source);
                let Some(text) = document.pointer(&pointer).and_then(Value::as_str) else {
                    without.push(schema.to_string());
                    continue;
                };
                let values = parse_example(text).map_err(|e| format!("{pointer}: {e}"))?;
                for value in values {
                    found.push(EventExample {
                        surface: surface.module.clone(),
                        union: union_name.clone(),
                        schema: schema.to_string(),
                        event_type: variant.tag_value.clone(),
                        value,
                    });
                }
            }
        }
    }
    Ok((found, without))
}

/// The event examples of the pinned spec of a workspace (resolved like
/// `cargo xtask codegen` does, never downloading), and the event schemas
/// without an example. For tests and benchmarks.
pub fn pinned_event_examples(
    workspace_root: &std::path::Path,
) -> Result<(Vec<EventExample>, Vec<String>), String> {
    let loaded = crate::pinned::load_pinned(workspace_root)
        .map_err(|e| format!("the pinned OpenAPI spec is needed: {e}"))?;
    event_examples(&loaded.document, &loaded.model.space)
}

/// An event example that is wrong upstream, recognised by what it is (the
/// schema and the defect), not by the spec file it is in: every spec version
/// whose example of `schema` shows the defect has it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDefect {
    /// The event schema whose example is wrong.
    pub schema: String,
    /// What is wrong.
    pub defect: String,
    /// A JSON pointer into the example ...
    pub pointer: String,
    /// ... and the value there that shows the defect, or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// ... `true` when the defect is that nothing is there (a property the
    /// schema requires is missing).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
}

impl KnownDefect {
    /// Whether `example` shows this defect.
    pub fn shown_by(&self, example: &Value) -> bool {
        match (&self.value, self.absent) {
            (Some(value), false) => example.pointer(&self.pointer) == Some(value),
            (None, true) => example.pointer(&self.pointer).is_none(),
            _ => false,
        }
    }

    /// Every entry says either the wrong `value` at its `pointer` or that
    /// the pointer is `absent`, never both or neither.
    fn check(&self) -> Result<(), String> {
        match (&self.value, self.absent) {
            (Some(_), false) | (None, true) => Ok(()),
            (Some(_), true) => Err(format!(
                "{}: a defect has either `value` or `absent`, not both",
                self.schema
            )),
            (None, false) => Err(format!(
                "{}: a defect needs the `value` at its pointer, or `absent: true`",
                self.schema
            )),
        }
    }
}

/// The list of known example defects (`known_defects.json`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDefects {
    /// Why the list exists.
    pub note: String,
    /// The defects.
    pub defects: Vec<KnownDefect>,
}

impl KnownDefects {
    /// Where the list lives, relative to the workspace root.
    pub const PATH: &str = "realtime-types/tests/conformance/known_defects.json";

    /// Reads the list of a workspace.
    pub fn read(workspace_root: &std::path::Path) -> Result<Self, String> {
        let path = workspace_root.join(Self::PATH);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses the list.
    pub fn parse(text: &str) -> Result<Self, String> {
        let list: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for defect in &list.defects {
            defect.check()?;
        }
        Ok(list)
    }

    /// The known defect that `example` (an example of `schema`, in any spec
    /// version) shows, if any.
    pub fn find(&self, schema: &str, example: &Value) -> Option<&KnownDefect> {
        self.position(schema, example).map(|i| &self.defects[i])
    }

    /// For each defect, in order, whether the example of its schema in
    /// `document` (a parsed spec) shows it: an entry no checked version
    /// shows excuses nothing and makes `cargo xtask check-history` fail.
    /// An example that does not parse shows nothing.
    pub fn shown_in(&self, document: &Value) -> Vec<bool> {
        self.defects
            .iter()
            .map(|defect| {
                let pointer = format!(
                    "{}/x-oaiMeta/example",
                    crate::error::schema_pointer(&defect.schema)
                );
                document
                    .pointer(&pointer)
                    .and_then(Value::as_str)
                    .and_then(|text| parse_example(text).ok())
                    .is_some_and(|values| values.iter().any(|v| defect.shown_by(v)))
            })
            .collect()
    }

    /// Like [`KnownDefects::find`], the defect's index in the list.
    pub fn position(&self, schema: &str, example: &Value) -> Option<usize> {
        self.defects
            .iter()
            .position(|d| d.schema == schema && d.shown_by(example))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_ok(text: &str) -> Vec<Value> {
        match parse_example(text) {
            Ok(values) => values,
            Err(err) => panic!("unexpected error: {err}"),
        }
    }

    fn parse_err(text: &str) -> ExampleError {
        match parse_example(text) {
            Ok(values) => panic!("unexpected success: {values:?}"),
            Err(err) => err,
        }
    }

    #[test]
    fn a_defect_is_shown_in_a_document_whose_example_has_it() {
        let known = KnownDefects::parse(
            r#"{"note": "n", "defects": [
                {"schema": "E", "defect": "d", "pointer": "/type", "value": " e"},
                {"schema": "F", "defect": "d", "pointer": "/type", "value": " f"}
            ]}"#,
        )
        .unwrap();
        let document = json!({"components": {"schemas": {
            "E": {"x-oaiMeta": {"example": "{\"type\": \" e\"}"}},
            "F": {"x-oaiMeta": {"example": "{\"type\": \"f\"}"}}
        }}});
        assert_eq!(known.shown_in(&document), [true, false]);
        assert_eq!(known.shown_in(&json!({})), [false, false]);
    }

    #[test]
    fn plain_object() {
        assert_eq!(
            parse_ok(r#"{"type": "session.update", "n": 1}"#),
            vec![json!({"type": "session.update", "n": 1})]
        );
    }

    #[test]
    fn line_comment() {
        let text = "// leading comment\n{\n  \"a\": 1, // trailing comment\n  \"b\": 2\n}\n// end";
        assert_eq!(parse_ok(text), vec![json!({"a": 1, "b": 2})]);
    }

    #[test]
    fn block_comment() {
        let text = "/* header\n spanning lines */ {\"a\": /* inline */ [1, 2]}";
        assert_eq!(parse_ok(text), vec![json!({"a": [1, 2]})]);
    }

    #[test]
    fn double_slash_inside_string_is_kept() {
        let text = r#"{"url": "https://example.com/a//b", "c": "/* not a comment */"}"#;
        assert_eq!(
            parse_ok(text),
            vec![json!({"url": "https://example.com/a//b", "c": "/* not a comment */"})]
        );
    }

    #[test]
    fn escaped_quote_inside_string() {
        let text = r#"{"text": "say \"hi\" // not a comment", "b": "\\"} // comment"#;
        assert_eq!(
            parse_ok(text),
            vec![json!({"text": "say \"hi\" // not a comment", "b": "\\"})]
        );
    }

    #[test]
    fn trailing_comma_in_object_and_array() {
        let text = "{\"a\": [1, 2, ], \"b\": {\"c\": true,},\n}";
        assert_eq!(parse_ok(text), vec![json!({"a": [1, 2], "b": {"c": true}})]);
    }

    #[test]
    fn trailing_comma_followed_by_comment() {
        let text = "{\n  \"a\": true,\n  // \"b\": false -- not returned\n}";
        assert_eq!(parse_ok(text), vec![json!({"a": true})]);
    }

    #[test]
    fn two_objects_in_one_string() {
        let text = "// first\n{\"type\": \"a\"}\n\n// second\n{\"type\": \"b\"}\n";
        assert_eq!(
            parse_ok(text),
            vec![json!({"type": "a"}), json!({"type": "b"})]
        );
    }

    #[test]
    fn two_objects_separated_by_a_comma() {
        let text = "{\"type\": \"a\"},\n{\"type\": \"b\"}";
        assert_eq!(
            parse_ok(text),
            vec![json!({"type": "a"}), json!({"type": "b"})]
        );
        assert_eq!(parse_ok("1, 2"), vec![json!(1), json!(2)]);
    }

    #[test]
    fn invalid_input_reports_byte_offset() {
        let text = "{\n  \"a\": 1\n  \"b\": 2\n}";
        let err = parse_err(text);
        assert_eq!(err.offset, text.find("\"b\"").unwrap_or_default());
        assert!(err.to_string().contains("byte"), "{err}");

        let text = r#"{"a": tru}"#;
        let err = parse_err(text);
        assert_eq!(&text[err.offset..err.offset + 1], "}");
    }

    #[test]
    fn error_in_a_later_value_has_an_absolute_offset() {
        let text = "{\"a\": 1}\n// second\n{\n  \"b\": [1 2]\n}";
        let err = parse_err(text);
        assert_eq!(err.offset, text.find("2]").unwrap_or_default());

        let text = "{\"a\": 1}\n{\"b\": \"unterminated";
        let err = parse_err(text);
        assert_eq!(err.offset, text.len());
    }

    #[test]
    fn offsets_are_in_the_original_text_after_comments() {
        let text = "/* é comment */ // another\n{\"a\": 1 \"b\"}";
        let err = parse_err(text);
        assert_eq!(err.offset, text.find("\"b\"").unwrap_or_default());
    }

    #[test]
    fn empty_input_is_an_error() {
        assert_eq!(parse_err("").offset, 0);
        assert_eq!(
            parse_err("  \n // only a comment\n /* and another */ ").offset,
            0
        );
    }

    #[test]
    fn unterminated_block_comment_is_an_error() {
        let err = parse_err("{\"a\": 1} /* never closed");
        assert_eq!(err.offset, 9);
    }

    #[test]
    fn stray_commas_are_errors() {
        parse_err("[,]");
        parse_err("[1,,]");
        parse_err("{,}");
        parse_err(", {}");
        parse_err("{},");
        parse_err("{},, {}");
    }

    #[test]
    fn error_message_does_not_echo_payload() {
        let secret = "x".repeat(200);
        let text = format!("{{\"a\": \"{secret}\" \"b\"}}");
        let err = parse_err(&text);
        assert!(!err.to_string().contains(&secret));
        assert!(err.to_string().len() < 120, "{err}");
    }

    fn defect(value: Option<Value>, absent: bool) -> KnownDefect {
        KnownDefect {
            schema: "S".into(),
            defect: "d".into(),
            pointer: "/session/model".into(),
            value,
            absent,
        }
    }

    #[test]
    fn a_defect_is_recognised_by_the_value_at_its_pointer() {
        let wrong = defect(Some(json!("x")), false);
        assert!(wrong.shown_by(&json!({"session": {"model": "x"}})));
        assert!(!wrong.shown_by(&json!({"session": {"model": "y"}})));
        assert!(!wrong.shown_by(&json!({"session": {}})));
    }

    #[test]
    fn an_absent_defect_is_recognised_by_nothing_at_its_pointer() {
        let missing = defect(None, true);
        assert!(missing.shown_by(&json!({"session": {}})));
        assert!(!missing.shown_by(&json!({"session": {"model": "m"}})));
    }

    #[test]
    fn known_defects_match_by_schema_and_defect_in_any_version() {
        let list = KnownDefects {
            note: String::new(),
            defects: vec![defect(None, true)],
        };
        assert!(list.find("S", &json!({"session": {}})).is_some());
        assert!(list.find("T", &json!({"session": {}})).is_none());
        assert!(
            list.find("S", &json!({"session": {"model": "m"}}))
                .is_none()
        );
    }

    #[test]
    fn a_defect_says_exactly_one_of_value_and_absent() {
        let text = |entry: &str| format!(r#"{{"note": "", "defects": [{entry}]}}"#);
        let base = r#""schema": "S", "defect": "d", "pointer": "/p""#;
        assert!(KnownDefects::parse(&text(&format!("{{{base}, \"value\": 1}}"))).is_ok());
        assert!(KnownDefects::parse(&text(&format!("{{{base}, \"absent\": true}}"))).is_ok());
        let neither = KnownDefects::parse(&text(&format!("{{{base}}}"))).unwrap_err();
        assert!(neither.contains("needs the `value`"), "{neither}");
        let both = KnownDefects::parse(&text(&format!(
            "{{{base}, \"value\": 1, \"absent\": true}}"
        )))
        .unwrap_err();
        assert!(both.contains("not both"), "{both}");
        let keyed_by_file = KnownDefects::parse(&text(&format!(
            "{{{base}, \"value\": 1, \"spec_sha256\": \"ab\"}}"
        )));
        assert!(
            keyed_by_file.is_err(),
            "entries are not keyed by spec file any more"
        );
    }
}
