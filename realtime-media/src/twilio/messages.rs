//! The messages of Twilio's Media Streams WebSocket protocol, as Twilio
//! documents them: `connected`, `start`, `media`, `mark`, `dtmf` and
//! `stop` from Twilio; `media`, `mark` and `clear` to Twilio (bidirectional
//! streams, `<Connect><Stream>`). Audio is base64 G.711 μ-law at 8 kHz.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

/// A message from Twilio.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Inbound {
    /// The first message: the protocol Twilio speaks.
    Connected {
        /// `Call`.
        #[serde(default)]
        protocol: String,
        /// The protocol's version (`1.0.0`).
        #[serde(default)]
        version: String,
    },
    /// The stream's metadata, once, after `connected`.
    Start {
        /// The metadata.
        start: Start,
    },
    /// Caller audio.
    Media {
        /// The audio.
        media: Media,
    },
    /// A mark this side sent, echoed once the audio before it has played
    /// (or was cleared).
    Mark {
        /// The mark.
        mark: Mark,
    },
    /// A key the caller pressed.
    Dtmf {
        /// The key.
        dtmf: Dtmf,
    },
    /// The stream ended (the call hung up, or the stream was stopped).
    Stop,
    /// An event this version does not know.
    #[serde(other)]
    Other,
}

/// The metadata of a stream.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Start {
    /// The stream's identifier, which every message to Twilio names.
    pub stream_sid: String,
    /// The call's identifier.
    #[serde(default)]
    pub call_sid: String,
    /// The audio format of the stream.
    pub media_format: MediaFormat,
}

/// The audio format of a stream.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaFormat {
    /// `audio/x-mulaw`.
    pub encoding: String,
    /// 8000.
    pub sample_rate: u32,
    /// 1.
    pub channels: u16,
}

/// Caller audio.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Media {
    /// `inbound` (or `outbound` for a stream of both tracks).
    #[serde(default)]
    pub track: String,
    /// Base64 μ-law.
    pub payload: String,
}

/// A mark.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Mark {
    /// Its name.
    pub name: String,
}

/// A key press.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Dtmf {
    /// The key.
    pub digit: String,
}

/// Why a message from Twilio is not usable, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TwilioError {
    /// Not JSON of a known message shape (line and column of the problem).
    Malformed {
        /// The message's length in bytes.
        bytes: usize,
        /// Line of the problem (1-based).
        line: usize,
        /// Column of the problem.
        column: usize,
    },
    /// A stream whose audio is not μ-law mono at 8 kHz.
    UnsupportedFormat {
        /// The stream's `encoding`.
        encoding: String,
        /// Its `sampleRate`.
        sample_rate: u32,
        /// Its `channels`.
        channels: u16,
    },
    /// A `media` payload that is not base64 (the byte offset into it).
    InvalidPayload {
        /// Where.
        offset: usize,
    },
    /// A message before `start` that needs it.
    BeforeStart,
}

impl fmt::Display for TwilioError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed {
                bytes,
                line,
                column,
            } => write!(
                formatter,
                "a Twilio message of {bytes} bytes that is not a known message (line {line}, column {column})"
            ),
            Self::UnsupportedFormat {
                encoding,
                sample_rate,
                channels,
            } => write!(
                formatter,
                "a Twilio stream of {encoding} at {sample_rate} Hz, {channels} channel(s) \
                 (the bridge takes audio/x-mulaw at 8000 Hz, mono)"
            ),
            Self::InvalidPayload { offset } => {
                write!(
                    formatter,
                    "a Twilio media payload that is not base64 at byte {offset}"
                )
            }
            Self::BeforeStart => formatter.write_str("a Twilio media message before `start`"),
        }
    }
}

impl std::error::Error for TwilioError {}

impl Inbound {
    /// Reads a message from Twilio.
    ///
    /// # Errors
    ///
    /// [`TwilioError::Malformed`] for text that is not one.
    pub fn parse(text: &str) -> Result<Self, TwilioError> {
        serde_json::from_str(text).map_err(|error| TwilioError::Malformed {
            bytes: text.len(),
            line: error.line(),
            column: error.column(),
        })
    }
}

impl MediaFormat {
    /// Checks that the stream is μ-law mono at 8 kHz.
    ///
    /// # Errors
    ///
    /// [`TwilioError::UnsupportedFormat`] naming what it is.
    pub fn check(&self) -> Result<(), TwilioError> {
        if self.encoding == "audio/x-mulaw" && self.sample_rate == 8_000 && self.channels == 1 {
            Ok(())
        } else {
            Err(TwilioError::UnsupportedFormat {
                encoding: self.encoding.clone(),
                sample_rate: self.sample_rate,
                channels: self.channels,
            })
        }
    }
}

impl Media {
    /// The μ-law bytes of the payload.
    ///
    /// # Errors
    ///
    /// [`TwilioError::InvalidPayload`] with the byte offset.
    pub fn ulaw(&self) -> Result<Vec<u8>, TwilioError> {
        STANDARD.decode(&self.payload).map_err(|error| {
            let offset = match error {
                base64::DecodeError::InvalidByte(offset, _)
                | base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
                base64::DecodeError::InvalidLength(length) => length,
                base64::DecodeError::InvalidPadding => {
                    self.payload.find('=').unwrap_or(self.payload.len())
                }
            };
            TwilioError::InvalidPayload { offset }
        })
    }
}

/// The `media` message that plays `ulaw` (μ-law bytes) on stream `stream_sid`.
pub fn media_message(stream_sid: &str, ulaw: &[u8]) -> String {
    serde_json::json!({
        "event": "media",
        "streamSid": stream_sid,
        "media": { "payload": STANDARD.encode(ulaw) },
    })
    .to_string()
}

/// The `clear` message: Twilio drops the audio it has buffered.
pub fn clear_message(stream_sid: &str) -> String {
    serde_json::json!({ "event": "clear", "streamSid": stream_sid }).to_string()
}

/// The `mark` message: Twilio echoes it once the audio before it has played.
pub fn mark_message(stream_sid: &str, name: &str) -> String {
    serde_json::json!({ "event": "mark", "streamSid": stream_sid, "mark": { "name": name } })
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilios_documented_messages_read_as_their_variants() {
        let connected = r#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#;
        assert!(matches!(
            Inbound::parse(connected),
            Ok(Inbound::Connected { .. })
        ));
        let start = r#"{"event":"start","sequenceNumber":"1","streamSid":"MZ1",
            "start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],
            "customParameters":{},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}"#;
        let Ok(Inbound::Start { start }) = Inbound::parse(start) else {
            panic!("a start message");
        };
        assert_eq!(start.stream_sid, "MZ1");
        assert_eq!(start.media_format.check(), Ok(()));
        let media = r#"{"event":"media","sequenceNumber":"3","streamSid":"MZ1",
            "media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"/38A"}}"#;
        let Ok(Inbound::Media { media }) = Inbound::parse(media) else {
            panic!("a media message");
        };
        assert_eq!(media.ulaw(), Ok(vec![0xFF, 0x7F, 0x00]));
        let mark =
            r#"{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"m1"}}"#;
        assert!(matches!(Inbound::parse(mark), Ok(Inbound::Mark { mark }) if mark.name == "m1"));
        let stop = r#"{"event":"stop","sequenceNumber":"5","streamSid":"MZ1",
            "stop":{"accountSid":"AC1","callSid":"CA1"}}"#;
        assert_eq!(Inbound::parse(stop), Ok(Inbound::Stop));
        assert_eq!(
            Inbound::parse(r#"{"event":"new-thing"}"#),
            Ok(Inbound::Other)
        );
    }

    #[test]
    fn a_malformed_message_is_an_error_without_its_content() {
        let text = r#"{"event":"media","media":{"payload":12345678}}"#;
        let error = Inbound::parse(text).unwrap_err();
        assert!(matches!(error, TwilioError::Malformed { bytes, .. } if bytes == text.len()));
        assert!(!error.to_string().contains("12345678"), "{error}");
    }

    #[test]
    fn a_payload_that_is_not_base64_names_the_offset() {
        let media = Media {
            track: "inbound".into(),
            payload: "AAAA*AAA".into(),
        };
        assert_eq!(media.ulaw(), Err(TwilioError::InvalidPayload { offset: 4 }));
    }

    #[test]
    fn a_stream_that_is_not_8_khz_mulaw_is_refused_with_what_it_is() {
        let format = MediaFormat {
            encoding: "audio/l16".into(),
            sample_rate: 16_000,
            channels: 1,
        };
        let error = format.check().unwrap_err();
        assert!(
            error.to_string().contains("audio/l16 at 16000 Hz"),
            "{error}"
        );
    }

    #[test]
    fn messages_to_twilio_have_the_documented_shapes() {
        let media: serde_json::Value =
            serde_json::from_str(&media_message("MZ1", &[0xFF])).unwrap();
        assert_eq!(
            media,
            serde_json::json!({"event":"media","streamSid":"MZ1","media":{"payload":"/w=="}})
        );
        let clear: serde_json::Value = serde_json::from_str(&clear_message("MZ1")).unwrap();
        assert_eq!(
            clear,
            serde_json::json!({"event":"clear","streamSid":"MZ1"})
        );
        let mark: serde_json::Value = serde_json::from_str(&mark_message("MZ1", "end")).unwrap();
        assert_eq!(
            mark,
            serde_json::json!({"event":"mark","streamSid":"MZ1","mark":{"name":"end"}})
        );
    }
}
