//! Fast paths for audio, the bulk of a voice session's traffic.
//!
//! About three quarters of the server events of a voice session are
//! `response.output_audio.delta` frames of 1–8 KB of base64, and a client
//! streams its microphone as `input_audio_buffer.append` events. The event
//! unions ([`crate::ga::ServerEvent`], [`crate::beta::ServerEvent`]) decode
//! every frame losslessly, which means copying the base64 into a `String`;
//! these helpers skip that work on the audio hot path:
//!
//! - [`AudioDeltaRef::parse`] recognises an audio delta by a byte scan for its
//!   `type` and reads it into a view that borrows the base64 from the frame.
//! - [`decode_pcm16`] turns that base64 into 16-bit samples.
//! - [`append_event_json`] writes a complete `input_audio_buffer.append`
//!   event from samples in one pass.
//!
//! ```
//! use realtime_types::audio::{self, AudioDeltaRef};
//! use realtime_types::ga;
//!
//! fn on_frame(frame: &str, pcm: &mut Vec<i16>) -> Result<(), Box<dyn std::error::Error>> {
//!     match AudioDeltaRef::parse(frame) {
//!         Some(delta) => audio::decode_pcm16(&delta?.delta, pcm)?,
//!         None => {
//!             let event: ga::ServerEvent = serde_json::from_str(frame)?;
//!             println!("{}", event.event_type());
//!         }
//!     }
//!     Ok(())
//! }
//!
//! let mut pcm = Vec::new();
//! on_frame(
//!     r#"{"type":"response.output_audio.delta","event_id":"event_1","response_id":"resp_1",
//!         "item_id":"item_1","output_index":0,"content_index":0,"delta":"AQD//w=="}"#,
//!     &mut pcm,
//! )?;
//! assert_eq!(pcm, [1, -1]);
//!
//! let mut frame = String::new();
//! audio::append_event_json(&pcm, None, &mut frame);
//! assert_eq!(frame, r#"{"type":"input_audio_buffer.append","audio":"AQD//w=="}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::support::CowStr;

use crate::support::Key;

/// The `type` of an audio delta, the same on the GA and the beta surface
/// (`ga::ServerEvent::ResponseOutputAudioDelta`, `beta::ServerEvent::ResponseOutputAudioDelta`).
pub const AUDIO_DELTA_TYPE: &str = crate::schemas::RealtimeServerEventResponseAudioDelta::TYPE;

/// A `response.output_audio.delta` event (GA or beta: both have the same
/// `type` and fields) read without copying its audio.
///
/// Every string borrows from the frame whenever the frame spells it without
/// JSON escapes, which is always the case for base64 and for the ids OpenAI
/// sends; a string that does contain an escape (legal JSON, e.g. `\/`) is
/// unescaped into an owned `Cow` instead of being rejected.
///
/// This is a read-only view for the audio hot path: properties the spec does
/// not list are skipped, not kept. To forward or store the event losslessly,
/// keep the frame text or decode it with [`crate::ga::ServerEvent`].
///
/// It also implements [`Deserialize`], so `serde_json::from_str::<AudioDeltaRef>`
/// works on a frame known to be an audio delta (it then fails on any other `type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioDeltaRef<'a> {
    /// The unique ID of the server event.
    pub event_id: Cow<'a, str>,
    /// The ID of the response.
    pub response_id: Cow<'a, str>,
    /// The ID of the item.
    pub item_id: Cow<'a, str>,
    /// The index of the output item in the response.
    pub output_index: i64,
    /// The index of the content part in the item's content array.
    pub content_index: i64,
    /// The base64-encoded audio, borrowed from the frame (see the type's
    /// documentation for the one case where it is owned). Decode it with
    /// [`decode_pcm16`] when the output format is PCM16.
    pub delta: Cow<'a, str>,
}

impl<'a> AudioDeltaRef<'a> {
    /// Reads `frame` (the text of one WebSocket message) if it is an audio delta.
    ///
    /// - `None`: the frame is not an audio delta: its first top-level `type`
    ///   is something else, or it is not a JSON object with a string `type`
    ///   at all (the general decoder of the caller then reports why). The
    ///   `type` is found by a byte scan of the first entries, so rejecting
    ///   another event costs a few dozen byte comparisons; only when the scan
    ///   cannot tell (an escape in a key or in the `type`, or a nested value
    ///   before `type`) is the frame parsed in full to find out.
    /// - `Some(Err(..))`: the frame is an audio delta but malformed (bad JSON,
    ///   a missing or mistyped field).
    /// - `Some(Ok(..))`: the audio delta, borrowing from `frame`.
    ///
    /// Like the event unions, the first top-level `type` decides.
    pub fn parse(frame: &'a str) -> Option<Result<AudioDeltaRef<'a>, serde_json::Error>> {
        let is_audio_delta = match scan_type(frame.as_bytes()) {
            Scan::Type(tag) => tag == AUDIO_DELTA_TYPE.as_bytes(),
            Scan::Inconclusive => probe_is_audio_delta(frame),
        };
        is_audio_delta.then(|| serde_json::from_str(frame))
    }
}

/// What the byte scan of a frame found.
#[derive(Debug, PartialEq, Eq)]
enum Scan<'a> {
    /// The raw (escape-free) text of the first top-level `type`.
    Type(&'a [u8]),
    /// The scan cannot tell cheaply; parse the frame.
    Inconclusive,
}

/// How many top-level entries the scan looks at before giving up.
const SCAN_ENTRIES: usize = 16;

/// Finds the first top-level `type` of a JSON object without parsing it:
/// walks the first entries, skipping scalar values, and gives up on anything
/// that would need real parsing (escapes in a key or in the `type`, nested
/// values). It does not validate the JSON; the parse that follows does.
fn scan_type(bytes: &[u8]) -> Scan<'_> {
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
        if &bytes[key.start..key.end] == b"type" {
            return match plain_string(bytes, at) {
                Some(tag) => Scan::Type(&bytes[tag.start..tag.end]),
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
fn plain_string(bytes: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
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

/// The slow path of [`AudioDeltaRef::parse`]: parses the whole frame to read
/// its first top-level `type`. Errors after the `type` are left to the decode
/// that follows, errors before it mean "not an audio delta".
fn probe_is_audio_delta(frame: &str) -> bool {
    let mut is_audio_delta = None;
    let mut deserializer = serde_json::Deserializer::from_str(frame);
    // The result only matters through `is_audio_delta` (see above).
    let _ = deserializer.deserialize_map(TypeProbe {
        is_audio_delta: &mut is_audio_delta,
    });
    is_audio_delta == Some(true)
}

struct TypeProbe<'s> {
    is_audio_delta: &'s mut Option<bool>,
}

impl<'de> Visitor<'de> for TypeProbe<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a server event")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if key.as_str() == "type" && self.is_audio_delta.is_none() {
                let tag: CowStr<'de> = map.next_value()?;
                *self.is_audio_delta = Some(tag.as_str() == AUDIO_DELTA_TYPE);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for AudioDeltaRef<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AudioDeltaVisitor)
    }
}

struct AudioDeltaVisitor;

impl<'de> Visitor<'de> for AudioDeltaVisitor {
    type Value = AudioDeltaRef<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a `response.output_audio.delta` event")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen_type = false;
        let mut event_id = None;
        let mut response_id = None;
        let mut item_id = None;
        let mut output_index = None;
        let mut content_index = None;
        let mut delta = None;
        // Like the generated decoders: a repeated property keeps its last value.
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.as_str() {
                "type" => {
                    let tag: CowStr<'de> = map.next_value()?;
                    if tag.as_str() != AUDIO_DELTA_TYPE {
                        return Err(de::Error::invalid_value(
                            de::Unexpected::Str(&tag.into_cow()),
                            &AUDIO_DELTA_TYPE,
                        ));
                    }
                    seen_type = true;
                }
                "event_id" => event_id = Some(map.next_value::<CowStr<'de>>()?.into_cow()),
                "response_id" => response_id = Some(map.next_value::<CowStr<'de>>()?.into_cow()),
                "item_id" => item_id = Some(map.next_value::<CowStr<'de>>()?.into_cow()),
                "output_index" => output_index = Some(map.next_value()?),
                "content_index" => content_index = Some(map.next_value()?),
                "delta" => delta = Some(map.next_value::<CowStr<'de>>()?.into_cow()),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !seen_type {
            return Err(de::Error::missing_field("type"));
        }
        Ok(AudioDeltaRef {
            event_id: event_id.ok_or_else(|| de::Error::missing_field("event_id"))?,
            response_id: response_id.ok_or_else(|| de::Error::missing_field("response_id"))?,
            item_id: item_id.ok_or_else(|| de::Error::missing_field("item_id"))?,
            output_index: output_index.ok_or_else(|| de::Error::missing_field("output_index"))?,
            content_index: content_index
                .ok_or_else(|| de::Error::missing_field("content_index"))?,
            delta: delta.ok_or_else(|| de::Error::missing_field("delta"))?,
        })
    }
}

/// Why base64 audio could not be decoded into PCM16 samples. Positions are
/// byte offsets into the base64 text; the audio itself is never echoed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AudioDecodeError {
    /// The byte at `offset` is not standard base64 there (outside the
    /// alphabet, padding before the end, or trailing bits set).
    InvalidBase64 {
        /// Byte offset into the base64 text.
        offset: usize,
    },
    /// The text is `length` bytes long, which no padded base64 text is.
    InvalidLength {
        /// Length of the base64 text in bytes.
        length: usize,
    },
    /// The audio decodes to `bytes` bytes, an odd number, so it is not whole
    /// 16-bit samples.
    OddByteCount {
        /// Number of decoded bytes.
        bytes: usize,
    },
}

impl fmt::Display for AudioDecodeError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidBase64 { offset } => {
                write!(formatter, "invalid base64 at byte {offset} of the audio")
            }
            Self::InvalidLength { length } => {
                write!(formatter, "{length} bytes is not a valid base64 length")
            }
            Self::OddByteCount { bytes } => write!(
                formatter,
                "the audio decodes to {bytes} bytes, not whole 16-bit samples"
            ),
        }
    }
}

impl std::error::Error for AudioDecodeError {}

/// Base64 characters decoded per step: a multiple of 4 (whole base64 quads)
/// whose 6 KiB of output fits on the stack and is an even number of bytes.
const DECODE_CHUNK: usize = 8192;

/// Decodes base64 PCM16 audio (little-endian 16-bit samples, the Realtime
/// API's `audio/pcm` format) and appends the samples to `out`.
///
/// Uses the standard, padded alphabet (what the API sends). Decodes in
/// chunks through a stack buffer, so nothing is allocated beyond growing
/// `out`. On error `out` is left as it was.
pub fn decode_pcm16(base64: &str, out: &mut Vec<i16>) -> Result<(), AudioDecodeError> {
    let input = base64.as_bytes();
    let kept = out.len();
    out.reserve(input.len() / 4 * 3 / 2);
    let mut bytes = [0u8; DECODE_CHUNK / 4 * 3];
    let mut offset = 0;
    let mut chunks = input.chunks(DECODE_CHUNK).peekable();
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let decoded = if !last && chunk.last() == Some(&b'=') {
            // Valid on its own, but padding cannot precede the next chunk.
            Err(AudioDecodeError::InvalidBase64 {
                offset: offset + first_padding(chunk),
            })
        } else {
            STANDARD
                .decode_slice(chunk, &mut bytes)
                .map_err(|error| decode_error(error, chunk, offset, input.len()))
        }
        .and_then(|len| {
            if len % 2 == 0 {
                Ok(len)
            } else {
                Err(AudioDecodeError::OddByteCount {
                    bytes: (out.len() - kept) * 2 + len,
                })
            }
        });
        let len = match decoded {
            Ok(len) => len,
            Err(error) => {
                out.truncate(kept);
                return Err(error);
            }
        };
        out.extend(
            bytes[..len]
                .chunks_exact(2)
                .map(|pair| i16::from_le_bytes([pair[0], pair[1]])),
        );
        offset += chunk.len();
    }
    Ok(())
}

fn first_padding(chunk: &[u8]) -> usize {
    chunk.iter().position(|&b| b == b'=').unwrap_or(chunk.len())
}

/// Maps a `base64` error on `chunk` (starting at `offset` of a text of
/// `length` bytes) to a position in the whole text, dropping the offending
/// symbol the `base64` error carries.
fn decode_error(
    error: base64::DecodeSliceError,
    chunk: &[u8],
    offset: usize,
    length: usize,
) -> AudioDecodeError {
    use base64::{DecodeError, DecodeSliceError};
    match error {
        DecodeSliceError::DecodeError(DecodeError::InvalidByte(at, _))
        | DecodeSliceError::DecodeError(DecodeError::InvalidLastSymbol { offset: at, .. }) => {
            AudioDecodeError::InvalidBase64 {
                offset: offset + at,
            }
        }
        DecodeSliceError::DecodeError(DecodeError::InvalidPadding) => {
            AudioDecodeError::InvalidBase64 {
                offset: offset + first_padding(chunk),
            }
        }
        // `InvalidLength`; `OutputSliceTooSmall` cannot happen (the buffer
        // holds a whole decoded chunk) and would mean the same thing.
        _ => AudioDecodeError::InvalidLength { length },
    }
}

/// Samples encoded per step: 3072 bytes, a multiple of 3, so that only the
/// last step can end in base64 padding.
const ENCODE_CHUNK_SAMPLES: usize = 1536;

/// Writes a complete `input_audio_buffer.append` event carrying `samples` as
/// PCM16 (little-endian, the `audio/pcm` format) to the end of `out`:
/// `{"type":"input_audio_buffer.append","event_id":"…","audio":"<base64>"}`,
/// with `event_id` only when given.
///
/// The output is the exact text `serde_json::to_string` produces for the
/// equivalent [`crate::ga::ClientEvent::InputAudioBufferAppend`] (and for
/// the beta one), but written in one pass: the samples are base64-encoded
/// straight into `out` (base64 never needs JSON escaping), with no
/// intermediate `String` and no escape scan of the audio.
pub fn append_event_json(samples: &[i16], event_id: Option<&str>, out: &mut String) {
    const HEAD: &str = r#"{"type":"input_audio_buffer.append""#;
    const EVENT_ID: &str = r#","event_id":"#;
    const AUDIO: &str = r#","audio":""#;
    let audio_len = (samples.len() * 2).div_ceil(3) * 4;
    let id_len = event_id.map_or(0, |id| EVENT_ID.len() + id.len() + 2);
    out.reserve(HEAD.len() + id_len + AUDIO.len() + audio_len + 2);
    out.push_str(HEAD);
    if let Some(id) = event_id {
        out.push_str(EVENT_ID);
        push_json_string(id, out);
    }
    out.push_str(AUDIO);
    let mut bytes = [0u8; ENCODE_CHUNK_SAMPLES * 2];
    for chunk in samples.chunks(ENCODE_CHUNK_SAMPLES) {
        for (pair, sample) in bytes.chunks_exact_mut(2).zip(chunk) {
            pair.copy_from_slice(&sample.to_le_bytes());
        }
        STANDARD.encode_string(&bytes[..chunk.len() * 2], out);
    }
    out.push_str("\"}");
}

/// Writes `text` as a JSON string, escaped exactly as `serde_json` does:
/// `"`, `\` and control characters only, the common ones in short form.
fn push_json_string(text: &str, out: &mut String) {
    out.push('"');
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let short = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(short);
        }
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schemas::{
        RealtimeBetaServerEventResponseAudioDelta, RealtimeClientEventInputAudioBufferAppend,
        RealtimeServerEventResponseAudioDelta,
    };
    use crate::{beta, ga};

    fn ga_delta(delta: &str) -> RealtimeServerEventResponseAudioDelta {
        RealtimeServerEventResponseAudioDelta {
            event_id: "event_C9G8pqbTEddBSIxbBN6Os".into(),
            response_id: "resp_C9G8p7IH2WxLbkgPNouYL".into(),
            item_id: "item_C9G8pGVKYnaZu8PH5YQ9O".into(),
            output_index: 1,
            content_index: 2,
            delta: delta.into(),
            unknown_fields: serde_json::Map::new(),
        }
    }

    fn frame_of(event: &ga::ServerEvent) -> String {
        serde_json::to_string(event).unwrap()
    }

    /// `parse` and the GA union agree on a frame: both see an audio delta
    /// with the same fields, or neither does.
    fn assert_agrees_with_the_union(frame: &str) {
        let ours = AudioDeltaRef::parse(frame);
        match serde_json::from_str::<ga::ServerEvent>(frame) {
            Ok(ga::ServerEvent::ResponseOutputAudioDelta(event)) => {
                let view = ours.expect("an audio delta").expect("a valid one");
                assert_eq!(view.event_id, event.event_id);
                assert_eq!(view.response_id, event.response_id);
                assert_eq!(view.item_id, event.item_id);
                assert_eq!(view.output_index, event.output_index);
                assert_eq!(view.content_index, event.content_index);
                assert_eq!(view.delta, event.delta);
            }
            Ok(other) => assert!(ours.is_none(), "{frame} is a {}", other.event_type()),
            Err(_) => assert!(!matches!(ours, Some(Ok(_))), "{frame} is malformed"),
        }
    }

    #[test]
    fn reads_a_ga_audio_delta_borrowing_every_string() {
        let frame = frame_of(&ga_delta("AQD//w==").into());
        let view = AudioDeltaRef::parse(&frame).unwrap().unwrap();
        assert_eq!(
            view,
            AudioDeltaRef {
                event_id: "event_C9G8pqbTEddBSIxbBN6Os".into(),
                response_id: "resp_C9G8p7IH2WxLbkgPNouYL".into(),
                item_id: "item_C9G8pGVKYnaZu8PH5YQ9O".into(),
                output_index: 1,
                content_index: 2,
                delta: "AQD//w==".into(),
            }
        );
        for text in [
            &view.event_id,
            &view.response_id,
            &view.item_id,
            &view.delta,
        ] {
            let Cow::Borrowed(text) = text else {
                panic!("{text} was copied")
            };
            assert!(frame.as_bytes().as_ptr_range().contains(&text.as_ptr()));
        }
    }

    #[test]
    fn reads_a_beta_audio_delta() {
        let event = RealtimeBetaServerEventResponseAudioDelta {
            event_id: "event_4950".into(),
            response_id: "resp_001".into(),
            item_id: "msg_008".into(),
            output_index: 0,
            content_index: 0,
            delta: "AAAA".into(),
            unknown_fields: serde_json::Map::new(),
        };
        let frame = serde_json::to_string(&beta::ServerEvent::from(event)).unwrap();
        let view = AudioDeltaRef::parse(&frame).unwrap().unwrap();
        assert_eq!(
            (view.item_id.as_ref(), view.delta.as_ref()),
            ("msg_008", "AAAA")
        );
    }

    #[test]
    fn both_surfaces_name_the_audio_delta_alike() {
        assert_eq!(
            RealtimeBetaServerEventResponseAudioDelta::TYPE,
            AUDIO_DELTA_TYPE
        );
    }

    #[test]
    fn other_events_are_not_audio_deltas() {
        for frame in [
            r#"{"type":"response.output_audio.done","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0}"#,
            r#"{"type":"response.output_audio_transcript.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"Hi"}"#,
            r#"{"event_id":"event_1","type":"session.created","session":{}}"#,
            r#"{"type":"response.output_audio.delta.v2","delta":"AAAA"}"#,
        ] {
            assert!(AudioDeltaRef::parse(frame).is_none(), "{frame}");
        }
    }

    #[test]
    fn frames_without_a_string_type_are_not_audio_deltas() {
        for frame in [
            "",
            "[]",
            "{}",
            r#"{"delta":"AAAA"}"#,
            r#"{"type":7}"#,
            r#"{"type":null,"delta":"AAAA"}"#,
            "not json",
        ] {
            assert!(AudioDeltaRef::parse(frame).is_none(), "{frame}");
        }
    }

    #[test]
    fn the_scan_reads_the_type_after_scalar_entries_and_whitespace() {
        let frame = "{ \"event_id\" : \"event_\\\"1\" ,\n\t\"rank\": -1.5e3, \"ok\": true, \"no\": null,\"type\" :\"response.output_audio.delta\"}";
        assert_eq!(
            scan_type(frame.as_bytes()),
            Scan::Type(AUDIO_DELTA_TYPE.as_bytes())
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
            r#"["type"]"#,
        ] {
            assert_eq!(scan_type(frame.as_bytes()), Scan::Inconclusive, "{frame}");
        }
    }

    #[test]
    fn a_type_after_a_nested_value_is_found_by_a_full_parse() {
        let frame = r#"{"meta":{"type":"response.done"},"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#;
        assert_eq!(AudioDeltaRef::parse(frame).unwrap().unwrap().delta, "AAAA");
        let frame = r#"{"meta":{"type":"response.output_audio.delta"},"type":"response.done"}"#;
        assert!(AudioDeltaRef::parse(frame).is_none());
    }

    #[test]
    fn escaped_keys_and_type_are_unescaped_before_deciding() {
        let frame = r#"{"typ\u0065":"response.output_audio\u002edelta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#;
        assert_eq!(AudioDeltaRef::parse(frame).unwrap().unwrap().delta, "AAAA");
        assert_agrees_with_the_union(frame);
    }

    #[test]
    fn escaped_strings_are_unescaped_into_owned_text() {
        let frame = r#"{"type":"response.output_audio.delta","event_id":"ev\"1","response_id":"r\u00e9","item_id":"i","output_index":0,"content_index":0,"delta":"AQD\/\/w=="}"#;
        let view = AudioDeltaRef::parse(frame).unwrap().unwrap();
        assert_eq!(view.event_id, Cow::<str>::Owned("ev\"1".into()));
        assert_eq!(view.response_id, Cow::<str>::Owned("ré".into()));
        assert!(matches!(view.item_id, Cow::Borrowed("i")));
        assert_eq!(view.delta, Cow::<str>::Owned("AQD//w==".into()));
        assert_agrees_with_the_union(frame);
    }

    #[test]
    fn malformed_audio_deltas_are_errors() {
        for frame in [
            r#"{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0}"#,
            r#"{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":"0","content_index":0,"delta":"AAAA"}"#,
            r#"{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA""#,
            r#"{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"} trailing"#,
            r#"{"type":"response.output_audio.delta","type":"response.done","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#,
        ] {
            assert!(
                matches!(AudioDeltaRef::parse(frame), Some(Err(_))),
                "{frame}"
            );
            assert!(
                serde_json::from_str::<ga::ServerEvent>(frame).is_err(),
                "{frame}"
            );
        }
    }

    #[test]
    fn the_first_type_decides_like_in_the_unions() {
        for frame in [
            r#"{"type":"response.created","type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#,
            r#"{"meta":[],"type":"x","type":"response.output_audio.delta"}"#,
        ] {
            assert!(AudioDeltaRef::parse(frame).is_none(), "{frame}");
            assert_agrees_with_the_union(frame);
        }
    }

    #[test]
    fn agrees_with_the_union_on_assorted_frames() {
        let mut with_unknown = ga_delta("AAAA");
        with_unknown
            .unknown_fields
            .insert("extra".into(), serde_json::json!({"nested": [1, "two"]}));
        for frame in [
            frame_of(&ga_delta("").into()),
            frame_of(&with_unknown.into()),
            r#"{"event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA","type":"response.output_audio.delta"}"#.to_string(),
            r#"{"delta":"AAAA","type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":3,"content_index":4}"#.to_string(),
            r#"{"type":"input_audio_buffer.cleared","event_id":"e"}"#.to_string(),
        ] {
            assert_agrees_with_the_union(&frame);
        }
    }

    fn encode(samples: &[i16]) -> String {
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        STANDARD.encode(bytes)
    }

    /// Deterministic samples over the whole `i16` range.
    fn samples(count: usize) -> Vec<i16> {
        (0..count)
            .map(|i| (i as i16).wrapping_mul(7919) ^ ((i >> 3) as i16))
            .collect()
    }

    #[test]
    fn decodes_little_endian_samples() {
        let mut out = Vec::new();
        decode_pcm16("AQD//wCA/38=", &mut out).unwrap();
        assert_eq!(out, [1, -1, i16::MIN, i16::MAX]);
    }

    #[test]
    fn decoding_appends_and_crosses_chunk_boundaries() {
        for count in [0, 1, 2, 3, 3071, 3072, 3073, 10_000] {
            let original = samples(count);
            let mut out = vec![42];
            decode_pcm16(&encode(&original), &mut out).unwrap();
            assert_eq!(out[0], 42);
            assert_eq!(&out[1..], original, "{count} samples");
        }
    }

    #[test]
    fn invalid_bytes_are_reported_at_their_offset_in_the_text() {
        let text = encode(&samples(10_000));
        for at in [
            0,
            5,
            DECODE_CHUNK - 1,
            DECODE_CHUNK,
            DECODE_CHUNK + 3,
            20_001,
        ] {
            let mut broken = text.clone().into_bytes();
            broken[at] = b'!';
            let broken = String::from_utf8(broken).unwrap();
            let mut out = vec![7];
            assert_eq!(
                decode_pcm16(&broken, &mut out),
                Err(AudioDecodeError::InvalidBase64 { offset: at })
            );
            assert_eq!(out, [7], "left as it was");
        }
    }

    #[test]
    fn padding_before_the_end_is_invalid_even_at_a_chunk_boundary() {
        let mut text = encode(&samples(3072));
        assert_eq!(text.len(), DECODE_CHUNK);
        text.replace_range(DECODE_CHUNK - 1.., "=");
        text.push_str("AAAA");
        let mut out = Vec::new();
        assert_eq!(
            decode_pcm16(&text, &mut out),
            Err(AudioDecodeError::InvalidBase64 {
                offset: DECODE_CHUNK - 1
            })
        );
        assert!(out.is_empty());
    }

    #[test]
    fn bad_lengths_and_odd_byte_counts_are_errors() {
        let mut out = Vec::new();
        assert_eq!(
            decode_pcm16("AAAAA", &mut out),
            Err(AudioDecodeError::InvalidLength { length: 5 })
        );
        assert_eq!(
            decode_pcm16("AA==", &mut out),
            Err(AudioDecodeError::OddByteCount { bytes: 1 })
        );
        let mut long = encode(&samples(4998));
        long.push_str("AA==");
        assert_eq!(
            decode_pcm16(&long, &mut out),
            Err(AudioDecodeError::OddByteCount { bytes: 9997 })
        );
        assert!(out.is_empty());
    }

    #[test]
    fn decode_errors_never_echo_the_audio() {
        let text = "QUJD!ERFRkdI";
        let error = decode_pcm16(text, &mut Vec::new()).unwrap_err();
        let message = error.to_string();
        assert_eq!(message, "invalid base64 at byte 4 of the audio");
        assert!(!format!("{error:?}").contains("QUJD"));
    }

    fn derived_append(samples: &[i16], event_id: Option<&str>) -> String {
        let event = ga::ClientEvent::from(RealtimeClientEventInputAudioBufferAppend {
            event_id: event_id.map(str::to_string),
            audio: encode(samples),
            unknown_fields: serde_json::Map::new(),
        });
        serde_json::to_string(&event).unwrap()
    }

    #[test]
    fn append_events_are_the_text_the_derived_path_writes() {
        let ids = [
            None,
            Some("evt_1"),
            Some(""),
            Some("quote \" backslash \\ slash / tab \t newline \n bell \u{7} del \u{7f}"),
            Some("unicode é ✓ \u{2028} 🎙"),
        ];
        for count in [0, 1, 480, 1535, 1536, 1537, 2400, 4 * 1536 + 5] {
            for id in ids {
                let audio = samples(count);
                let mut ours = String::new();
                append_event_json(&audio, id, &mut ours);
                assert_eq!(ours, derived_append(&audio, id), "{count} samples, {id:?}");
            }
        }
    }

    #[test]
    fn append_events_decode_as_the_append_variant() {
        let audio = samples(2400);
        let mut frame = String::from("ignored prefix|");
        append_event_json(&audio, Some("evt_\u{1}"), &mut frame);
        let frame = frame.strip_prefix("ignored prefix|").unwrap();
        let ga::ClientEvent::InputAudioBufferAppend(event) = serde_json::from_str(frame).unwrap()
        else {
            panic!("not an append: {frame}")
        };
        assert_eq!(event.event_id.as_deref(), Some("evt_\u{1}"));
        assert_eq!(event.audio, encode(&audio));
        let mut decoded = Vec::new();
        decode_pcm16(&event.audio, &mut decoded).unwrap();
        assert_eq!(decoded, audio);
        assert!(matches!(
            serde_json::from_str::<beta::ClientEvent>(frame).unwrap(),
            beta::ClientEvent::InputAudioBufferAppend(_)
        ));
    }
}
