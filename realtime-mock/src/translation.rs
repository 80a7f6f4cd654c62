//! The translation surface (`/v1/realtime/translations`): a session that
//! "translates" input audio by echoing it.
//!
//! - On connect: `session.created` with a `translation::TranslationSession`
//!   (model from `?model=`, else `gpt-realtime-translate`; no source
//!   transcription, no noise reduction, output language `es`).
//! - `session.update` merges into the session (objects key by key, `null`
//!   clears) and answers `session.updated`; the session `type` and `model`
//!   cannot be changed.
//! - `session.input_audio_buffer.append` takes 24 kHz PCM16 (the only format
//!   of the WebSocket surface) and, like the service, works in 200 ms frames:
//!   audio is buffered until a frame is complete. Each frame is sent back as
//!   it came in a `session.output_audio.delta` (the "translation" is an
//!   echo), with `elapsed_ms` the end of the frame. A frame that is not
//!   silent also yields one word of text: `session.output_transcript.delta`
//!   says "hello" in the output language (`hola` for `es`, `bonjour` for
//!   `fr`, `hallo` for `de`, ...; English otherwise) and, when
//!   `audio.input.transcription` is set, `session.input_transcript.delta`
//!   says `hello`. Deltas after the first start with a space, so that they
//!   concatenate into text.
//! - `session.close` flushes a partial frame, answers `session.closed` and
//!   closes the WebSocket with code 1000.

use realtime_types::translation::ClientEvent;
use realtime_types::translation::{self, server as translation_server};
use serde_json::{Value, json};

use crate::audio::{self, AudioFormat};
use crate::engine::{self, Outbound};
use crate::handshake::Connect;

/// The only input (and output) format of translation sessions.
const FORMAT: AudioFormat = AudioFormat::Pcm16 { rate: 24_000 };
/// Samples in one 200 ms translation frame at 24 kHz.
const FRAME_SAMPLES: usize = 4_800;
/// A frame whose RMS level is below this (about -40 dBFS) is silence.
const SILENCE_RMS: f64 = 328.0;
/// The word every non-silent input frame "says".
const SOURCE_WORD: &str = "hello";

/// What the connection does after a client event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keeps reading client events.
    Continue,
    /// The session is over: close the WebSocket normally (1000).
    Close,
}

/// One translation connection.
pub struct Translation {
    out: Outbound<translation::ServerEvent>,
    session: Value,
    /// Input samples not yet making a whole frame.
    pending: Vec<i16>,
    /// Input audio consumed so far, in milliseconds.
    elapsed_ms: u64,
    /// Whether a source / translated word was already sent (later ones
    /// start with a space).
    said_input: bool,
    said_output: bool,
}

impl Translation {
    /// A new translation session for this connection.
    pub fn new(connect: &Connect, out: Outbound<translation::ServerEvent>) -> Self {
        let session = configured_session(connect.model.clone(), connect.initial_session.as_ref());
        Translation {
            out,
            session,
            pending: Vec::new(),
            elapsed_ms: 0,
            said_input: false,
            said_output: false,
        }
    }

    /// Greets the client with `session.created`.
    pub async fn start(&mut self) {
        match self.typed_session() {
            Ok(session) => {
                self.out
                    .send(|id| translation_server::SessionCreated::new(id, session))
                    .await
            }
            Err(error) => {
                eprintln!(
                    "realtime-mock: the translation session does not decode: {}",
                    engine::json_error_place(&error)
                );
            }
        }
    }

    /// The session as the generated type of `session.created` / `.updated`.
    fn typed_session(&self) -> Result<translation::TranslationSession, serde_json::Error> {
        serde_json::from_value(self.session.clone())
    }

    /// Answers a frame that cannot be processed with an `error` event.
    pub async fn reject(&self, event_id: Option<&str>, message: &str) {
        self.out.invalid_event(event_id, message).await;
    }

    /// Handles one text frame.
    pub async fn handle_text(&mut self, text: &str) -> Flow {
        let event = match ClientEvent::from_frame(text) {
            Ok(event) => event,
            Err(error) => {
                self.out.undecodable(text, &error).await;
                return Flow::Continue;
            }
        };
        match event {
            ClientEvent::SessionUpdate(update) => {
                let changes = match serde_json::to_value(&update.session) {
                    Ok(changes) => changes,
                    Err(error) => {
                        self.reject(update.event_id.as_deref(), &error.to_string())
                            .await;
                        return Flow::Continue;
                    }
                };
                self.session_update(update.event_id.as_deref(), changes)
                    .await;
            }
            ClientEvent::SessionInputAudioBufferAppend(append) => {
                self.append(append.event_id.as_deref(), &append.audio).await;
            }
            ClientEvent::SessionClose(_) => {
                let rest = std::mem::take(&mut self.pending);
                if !rest.is_empty() {
                    self.frame(&rest).await;
                }
                self.out.send(translation_server::SessionClosed::new).await;
                return Flow::Close;
            }
            ClientEvent::Unknown(raw) => self.out.unsupported_event(&raw).await,
            ClientEvent::Malformed(event) => self.out.malformed(&event).await,
        }
        Flow::Continue
    }

    async fn session_update(&mut self, event_id: Option<&str>, changes: Value) {
        for (field, current) in [("type", "translation"), ("model", self.model())] {
            if let Some(value) = changes.get(field)
                && value.as_str() != Some(current)
            {
                let message = format!(
                    "The session {field} is set when the session is created and cannot be changed with session.update."
                );
                self.out
                    .error(
                        event_id,
                        "invalid_value",
                        &message,
                        Some(&format!("session.{field}")),
                    )
                    .await;
                return;
            }
        }
        let before = self.session.clone();
        engine::merge(&mut self.session, changes);
        match self.typed_session() {
            Ok(session) => {
                self.out
                    .send(|id| translation_server::SessionUpdated::new(id, session))
                    .await
            }
            Err(error) => {
                // The update would leave a session the spec does not allow
                // (a required setting cleared): refused, nothing changes.
                self.session = before;
                let message = format!("Invalid session: {error}.");
                self.out
                    .error(event_id, "invalid_value", &message, Some("session"))
                    .await;
            }
        }
    }

    fn model(&self) -> &str {
        self.session
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    async fn append(&mut self, event_id: Option<&str>, base64: &str) {
        let Some(samples) = self.out.decode_appended(event_id, base64, FORMAT).await else {
            return;
        };
        self.pending.extend_from_slice(&samples);
        if self.pending.len() < FRAME_SAMPLES {
            return;
        }
        let whole = self.pending.len() - self.pending.len() % FRAME_SAMPLES;
        let frames: Vec<i16> = self.pending.drain(..whole).collect();
        for frame in frames.chunks(FRAME_SAMPLES) {
            self.frame(frame).await;
        }
    }

    /// "Translates" one frame: its words, then its audio.
    async fn frame(&mut self, samples: &[i16]) {
        self.elapsed_ms += audio::duration_ms(samples.len(), FORMAT.sample_rate());
        let elapsed_ms = i64::try_from(self.elapsed_ms).unwrap_or(i64::MAX);
        if !is_silent(samples) {
            let transcribed = self
                .session
                .pointer("/audio/input/transcription")
                .is_some_and(Value::is_object);
            if transcribed {
                let delta = word(SOURCE_WORD, &mut self.said_input);
                self.out
                    .send(|id| {
                        translation_server::SessionInputTranscriptDelta::new(id, delta)
                            .with_elapsed_ms(elapsed_ms)
                    })
                    .await;
            }
            let language = self
                .session
                .pointer("/audio/output/language")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let delta = word(hello_in(language), &mut self.said_output);
            self.out
                .send(|id| {
                    translation_server::SessionOutputTranscriptDelta::new(id, delta)
                        .with_elapsed_ms(elapsed_ms)
                })
                .await;
        }
        let delta = audio::encode_base64(samples, FORMAT);
        self.out
            .send(|id| {
                translation_server::SessionOutputAudioDelta::new(id, delta)
                    .with_sample_rate(i64::from(FORMAT.sample_rate()))
                    .with_channels(1)
                    .with_format(translation::DeltaFormat::Pcm16)
                    .with_elapsed_ms(elapsed_ms)
            })
            .await;
    }
}

/// The session a translation connection starts with: the defaults, for
/// `model`, then the configuration of the client secret it presented.
pub(crate) fn configured_session(model: Option<String>, minted: Option<&Value>) -> Value {
    let mut session = json!({
        "id": "sess_000001",
        "type": "translation",
        "expires_at": engine::expires_at(),
        "model": model.unwrap_or_else(|| "gpt-realtime-translate".into()),
        "audio": {
            "input": {"transcription": null, "noise_reduction": null},
            "output": {"language": "es"}
        }
    });
    if let Some(changes) = minted {
        engine::merge(&mut session, changes.clone());
    }
    session
}

/// `text`, after a space unless it is the first word of its stream.
fn word(text: &str, said: &mut bool) -> String {
    let delta = if *said {
        format!(" {text}")
    } else {
        text.to_string()
    };
    *said = true;
    delta
}

/// "hello" in `language` (a BCP 47 tag; English when unknown).
fn hello_in(language: &str) -> &'static str {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "es" => "hola",
        "fr" => "bonjour",
        "de" => "hallo",
        "it" => "ciao",
        "pt" => "olá",
        "nl" => "hallo",
        "ja" => "こんにちは",
        "zh" => "你好",
        "ko" => "안녕하세요",
        _ => "hello",
    }
}

fn is_silent(samples: &[i16]) -> bool {
    if samples.is_empty() {
        return true;
    }
    let energy: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (energy / samples.len() as f64).sqrt() < SILENCE_RMS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_follows_the_primary_language_subtag() {
        assert_eq!(hello_in("es"), "hola");
        assert_eq!(hello_in("fr-CA"), "bonjour");
        assert_eq!(hello_in("xx"), "hello");
    }

    #[test]
    fn words_after_the_first_start_with_a_space() {
        let mut said = false;
        assert_eq!(word("hola", &mut said), "hola");
        assert_eq!(word("hola", &mut said), " hola");
    }

    #[test]
    fn silence_is_told_from_a_tone() {
        assert!(is_silent(&audio::silence(200, 24_000)));
        assert!(!is_silent(&audio::tone(200, 24_000, 300.0, 0.3)));
    }
}
