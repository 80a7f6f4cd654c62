//! Where in a frame a decode failed, as a JSON pointer: serde_json reports a
//! line and a column, which say nothing to someone who reads the event.

/// The JSON pointer (RFC 6901) of the innermost value the JSON `text` is in
/// at byte `offset` (`""` for the whole text). Meant for valid JSON (the
/// frame a decode error came from); on anything else it gives its best guess.
pub fn pointer_at(text: &str, offset: usize) -> String {
    enum Frame {
        Object {
            key: Option<String>,
            expecting_key: bool,
        },
        Array {
            index: usize,
        },
    }
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut at = 0;
    while at < end {
        match bytes[at] {
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key, expecting_key }) => {
                    *key = None;
                    *expecting_key = true;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = false;
                }
            }
            b'"' => {
                let close = string_end(bytes, at + 1);
                if let Some(Frame::Object {
                    key,
                    expecting_key: true,
                }) = stack.last_mut()
                {
                    let literal = text.get(at..=close.min(bytes.len() - 1)).unwrap_or("\"\"");
                    *key = Some(serde_json::from_str(literal).unwrap_or_default());
                }
                at = close;
            }
            _ => {}
        }
        at += 1;
    }
    let mut pointer = String::new();
    for frame in &stack {
        match frame {
            Frame::Object {
                key: Some(key),
                expecting_key: false,
            } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Frame::Object { .. } => break,
            Frame::Array { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
        }
    }
    pointer
}

/// The byte offset of serde_json's 1-based `line` and `column` in `text`.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    (line_start + column).min(text.len())
}

/// The index of the quote that closes the string whose content starts at
/// `at` (or the end of the text).
fn string_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pointer serde_json's error position gives for decoding `text` as `T`.
    fn failure_pointer<T: serde::de::DeserializeOwned>(text: &str) -> String {
        let error = serde_json::from_str::<T>(text)
            .err()
            .expect("the decode fails");
        pointer_at(text, offset_of(text, error.line(), error.column()))
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        response: Inner,
        list: Option<Vec<Inner>>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        id: String,
        n: Option<u32>,
    }

    #[test]
    fn a_wrong_value_is_located_at_its_property() {
        assert_eq!(
            failure_pointer::<Outer>(r#"{"response":{"id":"a","n":"seven"}}"#),
            "/response/n"
        );
        assert_eq!(
            failure_pointer::<Outer>(r#"{"response": {"id": 5}}"#),
            "/response/id"
        );
    }

    #[test]
    fn a_missing_field_is_located_at_the_object_that_lacks_it() {
        assert_eq!(
            failure_pointer::<Outer>(r#"{"response":{"n":1}}"#),
            "/response"
        );
        assert_eq!(failure_pointer::<Outer>(r#"{"list":[{"id":"a"}]}"#), "");
    }

    #[test]
    fn array_entries_are_located_by_index() {
        assert_eq!(
            failure_pointer::<Outer>(
                r#"{"response":{"id":"a"},"list":[{"id":"a"},{"id":"b","n":-1}]}"#
            ),
            "/list/1/n"
        );
    }

    #[test]
    fn keys_with_escapes_and_pointer_characters_are_spelled_as_pointers() {
        let text = r#"{"a/b":{"t~\"x":[1,"#;
        assert_eq!(pointer_at(text, text.len()), "/a~1b/t~0\"x/1");
    }

    #[test]
    fn lines_and_columns_become_offsets() {
        let text = "{\n  \"a\": 1,\n  \"b\": x\n}";
        let error = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
        let offset = offset_of(text, error.line(), error.column());
        assert_eq!(&text[offset - 1..offset], "x");
    }
}
