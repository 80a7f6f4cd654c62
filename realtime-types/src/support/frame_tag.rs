//! Finding the tag (`type`) of a frame before decoding it, so that the
//! event unions' `from_frame` and their borrowed views can decode straight
//! into the right struct.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{CowStr, Key};

/// The first top-level `tag` property of the JSON object in `frame`, if it
/// is a string; `None` when `frame` is not an object with one (the decode
/// that follows reports why).
///
/// A byte scan of the first entries finds it in a few dozen comparisons
/// without parsing the frame. Only when the scan cannot tell (an escape in a
/// key or in the tag, a nested value or many entries before it) is the frame
/// parsed to find it, up to the tag. Like the event unions, the first tag
/// entry decides; the frame is not validated (the decode that follows does).
pub fn frame_tag<'a>(frame: &'a str, tag: &str) -> Option<Cow<'a, str>> {
    match scan_tag(frame, tag) {
        Scan::Tag(value) => Some(Cow::Borrowed(value)),
        Scan::Inconclusive => probe_tag(frame, tag),
    }
}

/// What the byte scan of a frame found.
#[derive(Debug, PartialEq, Eq)]
enum Scan<'a> {
    /// The (escape-free) text of the first top-level tag.
    Tag(&'a str),
    /// The scan cannot tell cheaply; parse the frame.
    Inconclusive,
}

/// How many top-level entries the scan looks at before giving up.
const SCAN_ENTRIES: usize = 16;

/// Walks the first entries of the object, skipping scalar values, and gives
/// up on anything that would need real parsing.
fn scan_tag<'a>(frame: &'a str, tag: &str) -> Scan<'a> {
    let bytes = frame.as_bytes();
    let mut at = skip_whitespace(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return Scan::Inconclusive;
    }
    at += 1;
    for _ in 0..SCAN_ENTRIES {
        at = skip_whitespace(bytes, at);
        let Some(key) = plain_string(bytes, at) else {
            return Scan::Inconclusive;
        };
        at = skip_whitespace(bytes, key.end + 1);
        if bytes.get(at) != Some(&b':') {
            return Scan::Inconclusive;
        }
        at = skip_whitespace(bytes, at + 1);
        if &bytes[key] == tag.as_bytes() {
            // Both ends are ASCII quotes, so the range is on char boundaries.
            return match plain_string(bytes, at).and_then(|value| frame.get(value)) {
                Some(value) => Scan::Tag(value),
                None => Scan::Inconclusive,
            };
        }
        at = match bytes.get(at) {
            Some(b'"') => match string_end(bytes, at + 1) {
                Some(end) => end + 1,
                None => return Scan::Inconclusive,
            },
            Some(b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => bytes[at..]
                .iter()
                .position(|&b| matches!(b, b',' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
                .map_or(bytes.len(), |len| at + len),
            _ => return Scan::Inconclusive,
        };
        at = skip_whitespace(bytes, at);
        if bytes.get(at) != Some(&b',') {
            return Scan::Inconclusive;
        }
        at += 1;
    }
    Scan::Inconclusive
}

fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// The content of the JSON string that opens at `at`, if it has no escapes.
fn plain_string(bytes: &[u8], at: usize) -> Option<Range<usize>> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let len = bytes
        .get(start..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\')?;
    (bytes[start + len] == b'"').then_some(start..start + len)
}

/// The index of the quote that closes the JSON string whose content starts
/// at `at` (escapes skipped).
fn string_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at += bytes
            .get(at..)?
            .iter()
            .position(|&b| b == b'"' || b == b'\\')?;
        if bytes[at] == b'"' {
            return Some(at);
        }
        at += 2;
    }
}

/// The slow path: parses the frame up to its first top-level tag. Errors
/// before the tag mean "no tag" (the decode that follows reports them).
fn probe_tag<'a>(frame: &'a str, tag: &str) -> Option<Cow<'a, str>> {
    let mut found = None;
    let mut deserializer = serde_json::Deserializer::from_str(frame);
    // The result only matters through `found`: the probe stops at the tag.
    let _ = deserializer.deserialize_map(TagProbe {
        tag,
        found: &mut found,
    });
    found
}

struct TagProbe<'t, 'f, 'a> {
    tag: &'t str,
    found: &'f mut Option<Cow<'a, str>>,
}

impl<'a> Visitor<'a> for TagProbe<'_, '_, 'a> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key<'a>>()? {
            if key.as_str() == self.tag {
                let value: CowStr<'a> = map.next_value()?;
                *self.found = Some(value.into_cow());
                // Stop here: what follows is the decoder's business.
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_reads_the_tag_after_scalar_entries_and_whitespace() {
        let frame = "{ \"event_id\" : \"event_\\\"1\" ,\n\t\"rank\": -1.5e3, \"ok\": true, \"no\": null,\"type\" :\"response.output_audio.delta\"}";
        assert_eq!(
            scan_tag(frame, "type"),
            Scan::Tag("response.output_audio.delta")
        );
        assert_eq!(scan_tag(frame, "rank"), Scan::Inconclusive);
        assert_eq!(
            scan_tag(r#"{"kind":"a","type":"b"}"#, "kind"),
            Scan::Tag("a")
        );
    }

    #[test]
    fn the_scan_gives_up_on_what_needs_parsing() {
        for frame in [
            r#"{"meta":{"type":"x"},"type":"response.done"}"#,
            r#"{"list":[1],"type":"response.done"}"#,
            r#"{"typ\u0065":"response.done"}"#,
            r#"{"type":"response.done\u0021"}"#,
            r#"{"type":"unterminated"#,
            r#"{"type":7}"#,
            r#"["type"]"#,
            "",
        ] {
            assert_eq!(scan_tag(frame, "type"), Scan::Inconclusive, "{frame}");
        }
    }

    #[test]
    fn a_tag_after_sixteen_entries_is_found_by_parsing() {
        let entries: Vec<String> = (0..20).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let frame = format!(r#"{{{},"type":"late"}}"#, entries.join(","));
        assert_eq!(scan_tag(&frame, "type"), Scan::Inconclusive);
        assert_eq!(frame_tag(&frame, "type").as_deref(), Some("late"));
    }

    #[test]
    fn a_tag_after_a_nested_value_is_found_by_parsing() {
        let frame = r#"{"meta":{"type":"response.done"},"type":"response.output_audio.delta"}"#;
        assert_eq!(
            frame_tag(frame, "type").as_deref(),
            Some("response.output_audio.delta")
        );
    }

    #[test]
    fn escaped_keys_and_tags_are_unescaped() {
        let frame = r#"{"typ\u0065":"response.output_audio\u002edelta"}"#;
        assert_eq!(
            frame_tag(frame, "type"),
            Some(Cow::Owned("response.output_audio.delta".into()))
        );
    }

    #[test]
    fn the_first_tag_decides() {
        assert_eq!(
            frame_tag(r#"{"type":"a","type":"b"}"#, "type").as_deref(),
            Some("a")
        );
        assert_eq!(
            frame_tag(r#"{"meta":[],"type":"a","type":"b"}"#, "type").as_deref(),
            Some("a")
        );
    }

    #[test]
    fn frames_without_a_string_tag_have_none() {
        for frame in [
            "",
            "[]",
            "{}",
            r#"{"delta":"AAAA"}"#,
            r#"{"type":7}"#,
            r#"{"type":null,"delta":"AAAA"}"#,
            r#"{"meta":[1,}"#,
            "not json",
        ] {
            assert_eq!(frame_tag(frame, "type"), None, "{frame}");
        }
    }

    #[test]
    fn the_tag_borrows_from_the_frame() {
        let frame = r#"{"type":"x.y"}"#;
        let Some(Cow::Borrowed(tag)) = frame_tag(frame, "type") else {
            panic!("copied");
        };
        assert!(frame.as_bytes().as_ptr_range().contains(&tag.as_ptr()));
    }
}
