//! Audio helpers for the hot path of a voice session.
//!
//! About three quarters of the server events of a voice session are
//! `response.output_audio.delta` frames of 1–8 KB of base64, and a client
//! streams its microphone as `input_audio_buffer.append` events.
//!
//! - Reading an audio delta without copying its base64 is done by the
//!   generated borrowed views: [`crate::ga::ServerEventRef::from_frame`]
//!   (and the beta one) decodes it into a
//!   [`ga::server::ResponseOutputAudioDeltaRef`](crate::ga::server::ResponseOutputAudioDeltaRef)
//!   whose `delta` borrows from the frame.
//! - [`decode_pcm16`] turns that base64 into 16-bit samples.
//! - [`append_event_json`] writes a complete `input_audio_buffer.append`
//!   event from samples in one pass.
//!
//! ```
//! use realtime_types::audio;
//! use realtime_types::ga::ServerEventRef;
//!
//! fn on_frame(frame: &str, pcm: &mut Vec<i16>) -> Result<(), Box<dyn std::error::Error>> {
//!     match ServerEventRef::from_frame(frame)? {
//!         ServerEventRef::ResponseOutputAudioDelta(delta) => audio::decode_pcm16(&delta.delta, pcm)?,
//!         other => println!("{}", other.event_type()),
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

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

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
    append_event_json_as(
        crate::ga::client::InputAudioBufferAppend::TYPE,
        samples,
        event_id,
        out,
    );
}

/// [`append_event_json`] for an append event of another `type` with the
/// same body (`event_id`, `audio`): the translation surface's
/// `session.input_audio_buffer.append`, for one.
pub fn append_event_json_as(
    event_type: &str,
    samples: &[i16],
    event_id: Option<&str>,
    out: &mut String,
) {
    let audio_len = (samples.len() * 2).div_ceil(3) * 4;
    append_head(event_type, event_id, audio_len, out);
    let mut bytes = [0u8; ENCODE_CHUNK_SAMPLES * 2];
    for chunk in samples.chunks(ENCODE_CHUNK_SAMPLES) {
        for (pair, sample) in bytes.chunks_exact_mut(2).zip(chunk) {
            pair.copy_from_slice(&sample.to_le_bytes());
        }
        STANDARD.encode_string(&bytes[..chunk.len() * 2], out);
    }
    out.push_str("\"}");
}

/// [`append_event_json_as`] for audio already in the session's input format
/// (raw bytes: PCM16 little-endian, or G.711), base64-encoded straight into
/// `out`.
pub fn append_bytes_event_json_as(
    event_type: &str,
    audio: &[u8],
    event_id: Option<&str>,
    out: &mut String,
) {
    append_head(event_type, event_id, audio.len().div_ceil(3) * 4, out);
    STANDARD.encode_string(audio, out);
    out.push_str("\"}");
}

/// `{"type":…,"event_id":…,"audio":"` with room reserved for the rest.
fn append_head(event_type: &str, event_id: Option<&str>, audio_len: usize, out: &mut String) {
    const EVENT_ID: &str = r#","event_id":"#;
    const AUDIO: &str = r#","audio":""#;
    let id_len = event_id.map_or(0, |id| EVENT_ID.len() + id.len() + 2);
    out.reserve(event_type.len() + 12 + id_len + AUDIO.len() + audio_len + 2);
    out.push_str(r#"{"type":"#);
    push_json_string(event_type, out);
    if let Some(id) = event_id {
        out.push_str(EVENT_ID);
        push_json_string(id, out);
    }
    out.push_str(AUDIO);
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
    use std::borrow::Cow;

    use crate::{beta, ga};

    fn ga_delta(delta: &str) -> ga::server::ResponseOutputAudioDelta {
        ga::server::ResponseOutputAudioDelta {
            event_id: "event_C9G8pqbTEddBSIxbBN6Os".into(),
            response_id: "resp_C9G8p7IH2WxLbkgPNouYL".into(),
            item_id: "item_C9G8pGVKYnaZu8PH5YQ9O".into(),
            output_index: 1,
            content_index: 2,
            delta: delta.into(),
            unknown_fields: serde_json::Map::new(),
        }
    }

    #[test]
    fn the_ga_view_borrows_the_base64_of_audio_deltas() {
        let frame = serde_json::to_string(&ga::ServerEvent::from(ga_delta("AQD//w=="))).unwrap();
        let Ok(ga::ServerEventRef::ResponseOutputAudioDelta(view)) =
            ga::ServerEventRef::from_frame(&frame)
        else {
            panic!("not a borrowed audio delta")
        };
        let Cow::Borrowed(delta) = view.delta else {
            panic!("the base64 was copied")
        };
        assert!(frame.as_bytes().as_ptr_range().contains(&delta.as_ptr()));
        let mut pcm = Vec::new();
        decode_pcm16(delta, &mut pcm).unwrap();
        assert_eq!(pcm, [1, -1]);
    }

    #[test]
    fn the_beta_view_borrows_the_base64_of_audio_deltas() {
        let event = beta::server::ResponseAudioDelta {
            event_id: "event_4950".into(),
            response_id: "resp_001".into(),
            item_id: "msg_008".into(),
            output_index: 0,
            content_index: 0,
            delta: "AAAA".into(),
            unknown_fields: serde_json::Map::new(),
        };
        let frame = serde_json::to_string(&beta::ServerEvent::from(event)).unwrap();
        let Ok(beta::ServerEventRef::ResponseAudioDelta(view)) =
            beta::ServerEventRef::from_frame(&frame)
        else {
            panic!("not a borrowed audio delta")
        };
        assert!(matches!(view.delta, Cow::Borrowed("AAAA")));
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
        let event = ga::ClientEvent::from(ga::client::InputAudioBufferAppend {
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
    fn translation_and_byte_appends_are_the_text_the_derived_path_writes() {
        use crate::translation;
        for count in [0, 1, 480, 1537] {
            let audio = samples(count);
            let bytes: Vec<u8> = audio.iter().flat_map(|s| s.to_le_bytes()).collect();
            let event = translation::ClientEvent::from(
                translation::client::SessionInputAudioBufferAppend::new(STANDARD.encode(&bytes))
                    .with_event_id("evt_\"1"),
            );
            let derived = serde_json::to_string(&event).unwrap();
            let mut ours = String::new();
            append_event_json_as(
                translation::client::SessionInputAudioBufferAppend::TYPE,
                &audio,
                Some("evt_\"1"),
                &mut ours,
            );
            assert_eq!(ours, derived, "{count} samples");
            ours.clear();
            append_bytes_event_json_as(
                translation::client::SessionInputAudioBufferAppend::TYPE,
                &bytes,
                Some("evt_\"1"),
                &mut ours,
            );
            assert_eq!(ours, derived, "{count} samples as bytes");
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
