//! A deterministic corpus of server frames: a voice session as the Realtime
//! API sends it, turn after turn, for the GA and the beta surface.
//!
//! Each turn is the user speaking (VAD events, the user audio item, its
//! transcription) and the assistant answering (the response and item
//! lifecycle, 20–100 ms audio deltas of 24 kHz PCM16 interleaved with
//! transcript deltas, the `.done` events, `response.done` with usage and
//! `rate_limits.updated`). The session opens with the spec's own
//! `session.created` and `session.updated` examples. About three quarters of
//! the frames are audio deltas, as in a real voice session.
//!
//! Everything comes from a hand-written splitmix64 generator and integer
//! arithmetic, so a seed gives the same bytes on every machine.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use realtime_codegen::examples::{self, EventExample};
use realtime_types::{beta, ga};
use serde_json::{Value, json};

/// The seed of the benchmark's corpus.
pub const DEFAULT_SEED: u64 = 0x5EED_2026_1122;

/// The number of frames of the benchmark's corpus.
pub const DEFAULT_FRAMES: usize = 20_000;

/// The sample rate of the audio (the API's `audio/pcm` format).
pub const SAMPLE_RATE: u64 = 24_000;

/// The splitmix64 generator (Steele, Lea and Flood): tiny, fast, and good
/// enough to make ids, lengths and noise.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high` (the modulo bias is irrelevant here).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// An index into a collection of `len` elements (`len > 0`).
    pub fn index(&mut self, len: usize) -> usize {
        // A usize fits in a u64 on every supported target, and the result is below `len`.
        (self.next_u64() % len as u64) as usize
    }
}

/// `count` samples of voice-like PCM16: a triangle wave whose pitch and
/// loudness drift, plus noise, so that the base64 looks like real audio
/// (no long runs) and nothing compresses away.
pub fn synth_pcm16(rng: &mut SplitMix64, count: usize) -> Vec<i16> {
    let mut phase: u32 = rng.next_u64() as u32;
    let mut step: u32 = 15_000_000 + (rng.next_u64() % 20_000_000) as u32;
    let mut amplitude: i32 = 2_000 + (rng.next_u64() % 8_000) as i32;
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        if i % 240 == 0 {
            let drift = rng.next_u64();
            step = step
                .wrapping_add((drift % 2_000_001) as u32)
                .wrapping_sub(1_000_000);
            amplitude = (amplitude + ((drift >> 32) % 801) as i32 - 400).clamp(500, 12_000);
        }
        phase = phase.wrapping_add(step);
        // Triangle in -32768..=32767 from the top 16 bits of the phase.
        let top = (phase >> 16) as i32;
        let triangle = if top < 32_768 {
            top * 2 - 32_768
        } else {
            (65_535 - top) * 2 - 32_768
        };
        let noise = (rng.next_u64() % 1_025) as i32 - 512;
        let sample = triangle * amplitude / 32_768 + noise;
        samples.push(sample.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16);
    }
    samples
}

/// A surface of the API the corpus speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The generally available API (`realtime_types::ga`).
    Ga,
    /// The beta API (`realtime_types::beta`).
    Beta,
}

impl Surface {
    /// The module name, as in `realtime_types::ga`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ga => "ga",
            Self::Beta => "beta",
        }
    }

    /// The `type` of an audio delta (`response.output_audio.delta` on GA,
    /// `response.audio.delta` on beta).
    pub fn audio_delta(self) -> &'static str {
        match self {
            Self::Ga => ga::server::ResponseOutputAudioDelta::TYPE,
            Self::Beta => beta::server::ResponseAudioDelta::TYPE,
        }
    }

    /// The `type` of the end of a response's audio.
    fn audio_done(self) -> &'static str {
        match self {
            Self::Ga => ga::server::ResponseOutputAudioDone::TYPE,
            Self::Beta => beta::server::ResponseAudioDone::TYPE,
        }
    }

    /// The `type` of a transcript delta of the response's audio.
    fn transcript_delta(self) -> &'static str {
        match self {
            Self::Ga => ga::server::ResponseOutputAudioTranscriptDelta::TYPE,
            Self::Beta => beta::server::ResponseAudioTranscriptDelta::TYPE,
        }
    }

    /// The `type` of the end of the transcript of the response's audio.
    fn transcript_done(self) -> &'static str {
        match self {
            Self::Ga => ga::server::ResponseOutputAudioTranscriptDone::TYPE,
            Self::Beta => beta::server::ResponseAudioTranscriptDone::TYPE,
        }
    }
}

/// One text frame (WebSocket message) from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The event's `type`.
    pub event_type: &'static str,
    /// The JSON text.
    pub text: String,
}

impl Frame {
    /// Whether this is an audio delta (of either surface).
    pub fn is_audio_delta(&self) -> bool {
        self.event_type == Surface::Ga.audio_delta()
            || self.event_type == Surface::Beta.audio_delta()
    }
}

/// The `session.created` and `session.updated` frames of one surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFrames {
    /// `session.created`, compact JSON.
    pub created: String,
    /// `session.updated`, compact JSON.
    pub updated: String,
}

/// The session frames of both surfaces, taken from the pinned spec's examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecSessions {
    /// The GA examples.
    pub ga: SessionFrames,
    /// The beta examples.
    pub beta: SessionFrames,
}

impl SpecSessions {
    /// Reads the pinned spec like the conformance tests do (never
    /// downloading) and takes the first example of each session event.
    pub fn load() -> Result<Self, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("the bench crate is not inside the workspace")?;
        let (examples, _) = examples::pinned_event_examples(root)?;
        let frames = |surface: Surface| -> Result<SessionFrames, String> {
            Ok(SessionFrames {
                created: example_text(&examples, surface, "session.created")?,
                updated: example_text(&examples, surface, "session.updated")?,
            })
        };
        Ok(Self {
            ga: frames(Surface::Ga)?,
            beta: frames(Surface::Beta)?,
        })
    }

    /// The frames of `surface`.
    pub fn of(&self, surface: Surface) -> &SessionFrames {
        match surface {
            Surface::Ga => &self.ga,
            Surface::Beta => &self.beta,
        }
    }
}

fn example_text(
    examples: &[EventExample],
    surface: Surface,
    event_type: &str,
) -> Result<String, String> {
    examples
        .iter()
        .find(|e| {
            e.surface == surface.name() && e.union == "ServerEvent" && e.event_type == event_type
        })
        .ok_or_else(|| format!("the spec has no {} `{event_type}` example", surface.name()))
        .and_then(|e| serde_json::to_string(&e.value).map_err(|e| e.to_string()))
}

/// A generated session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    /// The surface the frames belong to.
    pub surface: Surface,
    /// The frames, in the order the server sends them.
    pub frames: Vec<Frame>,
}

impl Corpus {
    /// Generates `frames` frames of a session of `surface` from `seed`,
    /// opening with `sessions`' frames. The last turn is cut off where the
    /// count is reached.
    pub fn generate(surface: Surface, sessions: &SessionFrames, seed: u64, frames: usize) -> Self {
        let mut session = Session {
            surface,
            rng: SplitMix64::new(seed),
            frames: Vec::with_capacity(frames + 200),
            previous_item: None,
            audio_ms: 0,
            conversation_id: String::new(),
        };
        session.conversation_id = session.id("conv");
        session.frames.push(Frame {
            event_type: "session.created",
            text: sessions.created.clone(),
        });
        session.frames.push(Frame {
            event_type: "session.updated",
            text: sessions.updated.clone(),
        });
        while session.frames.len() < frames {
            session.turn();
        }
        session.frames.truncate(frames);
        Self {
            surface,
            frames: session.frames,
        }
    }

    /// The benchmark's corpus of `surface`.
    pub fn standard(surface: Surface, sessions: &SpecSessions) -> Self {
        Self::generate(surface, sessions.of(surface), DEFAULT_SEED, DEFAULT_FRAMES)
    }

    /// The share of frames that are audio deltas.
    pub fn audio_share(&self) -> f64 {
        let audio = self.frames.iter().filter(|f| f.is_audio_delta()).count();
        audio as f64 / self.frames.len().max(1) as f64
    }
}

const WORDS: &[&str] = &[
    "sure", "I", "can", "help", "with", "that", "the", "weather", "in", "Paris", "is", "mild",
    "today", "about", "eighteen", "degrees", "and", "sunny", "would", "you", "like", "a",
    "reminder", "for", "tomorrow", "morning", "it’s", "a", "café", "near", "the", "station",
    "called", "\"Le", "Petit\"", "—", "open", "until", "nine", "let", "me", "check", "your",
    "calendar", "you", "have", "two", "meetings", "one", "at", "ten", "and", "one", "at", "three",
    "shall", "I", "move", "them", "naïve", "question", "but", "what", "time", "is", "it", "there",
    "okay", "great", "thanks", "bye", "now", "😊",
];

const VOICES: &[&str] = &["marin", "alloy", "cedar", "verse"];

/// The state of a session being generated.
struct Session {
    surface: Surface,
    rng: SplitMix64,
    frames: Vec<Frame>,
    previous_item: Option<String>,
    audio_ms: u64,
    conversation_id: String,
}

impl Session {
    /// `len` random letters and digits.
    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(ALPHABET[self.rng.index(ALPHABET.len())]))
            .collect()
    }

    /// An id in OpenAI's style: a prefix and 21 random letters and digits.
    fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}_{}", self.token(21))
    }

    /// Appends a frame: `type`, a fresh `event_id`, then `fields` in order.
    fn push(&mut self, event_type: &'static str, fields: Value) {
        let mut event = serde_json::Map::new();
        event.insert("type".into(), json!(event_type));
        event.insert("event_id".into(), json!(self.id("event")));
        if let Value::Object(fields) = fields {
            event.extend(fields);
        }
        self.frames.push(Frame {
            event_type,
            text: Value::Object(event).to_string(),
        });
    }

    fn words(&mut self, count: u64) -> Vec<&'static str> {
        (0..count)
            .map(|_| WORDS[self.rng.index(WORDS.len())])
            .collect()
    }

    /// Splits `words` into `parts` runs of text, as streamed deltas.
    fn deltas(&mut self, words: &[&str], parts: usize) -> Vec<String> {
        let parts = parts.clamp(1, words.len().max(1));
        let mut deltas = Vec::with_capacity(parts);
        for (part, chunk) in words.chunks(words.len().div_ceil(parts).max(1)).enumerate() {
            let mut delta = chunk.join(" ");
            if part > 0 {
                delta.insert(0, ' ');
            }
            deltas.push(delta);
        }
        deltas
    }

    fn item_created(&self) -> &'static str {
        match self.surface {
            Surface::Ga => "conversation.item.added",
            Surface::Beta => "conversation.item.created",
        }
    }

    fn user_item(&self, id: &str) -> Value {
        json!({
            "id": id, "object": "realtime.item", "type": "message", "status": "completed",
            "role": "user", "content": [{"type": "input_audio", "transcript": null}]
        })
    }

    fn assistant_item(&self, id: &str, transcript: Option<&str>) -> Value {
        let status = if transcript.is_some() {
            "completed"
        } else {
            "in_progress"
        };
        let content = match (transcript, self.surface) {
            (None, _) => json!([]),
            (Some(text), Surface::Ga) => json!([{"type": "output_audio", "transcript": text}]),
            (Some(text), Surface::Beta) => json!([{"type": "audio", "transcript": text}]),
        };
        json!({
            "id": id, "object": "realtime.item", "type": "message", "status": status,
            "role": "assistant", "content": content
        })
    }

    fn response(&self, id: &str, voice: &str, output: Option<(Value, Value)>) -> Value {
        let (status, output, usage) = match output {
            Some((item, usage)) => ("completed", json!([item]), usage),
            None => ("in_progress", json!([]), Value::Null),
        };
        match self.surface {
            Surface::Ga => json!({
                "object": "realtime.response", "id": id, "status": status,
                "status_details": null, "output": output,
                "conversation_id": self.conversation_id, "output_modalities": ["audio"],
                "max_output_tokens": "inf",
                "audio": {"output": {"format": {"type": "audio/pcm", "rate": SAMPLE_RATE}, "voice": voice}},
                "usage": usage, "metadata": null
            }),
            Surface::Beta => json!({
                "object": "realtime.response", "id": id, "status": status,
                "status_details": null, "output": output,
                "conversation_id": self.conversation_id, "modalities": ["audio", "text"],
                "voice": voice, "output_audio_format": "pcm16", "temperature": 0.8,
                "max_output_tokens": "inf", "usage": usage, "metadata": null
            }),
        }
    }

    fn turn(&mut self) {
        self.user_turn();
        self.assistant_turn();
    }

    fn user_turn(&mut self) {
        let item_id = self.id("item");
        let speech_ms = self.rng.between(800, 6_000);
        self.audio_ms += self.rng.between(300, 3_000);
        self.push(
            "input_audio_buffer.speech_started",
            json!({"audio_start_ms": self.audio_ms, "item_id": item_id}),
        );
        self.audio_ms += speech_ms;
        self.push(
            "input_audio_buffer.speech_stopped",
            json!({"audio_end_ms": self.audio_ms, "item_id": item_id}),
        );
        let previous = self.previous_item.replace(item_id.clone());
        self.push(
            "input_audio_buffer.committed",
            json!({"previous_item_id": previous, "item_id": item_id}),
        );
        let item = self.user_item(&item_id);
        self.push(
            self.item_created(),
            json!({"previous_item_id": previous, "item": item}),
        );
        if self.surface == Surface::Ga {
            self.push(
                "conversation.item.done",
                json!({"previous_item_id": previous, "item": item}),
            );
        }
        let word_count = self.rng.between(3, 24);
        let words = self.words(word_count);
        let parts = self.rng.between(3, 8) as usize;
        for delta in self.deltas(&words, parts) {
            let mut fields = json!({"item_id": item_id, "content_index": 0, "delta": delta});
            if self.surface == Surface::Ga {
                fields["obfuscation"] = json!(self.token(13));
            }
            self.push("conversation.item.input_audio_transcription.delta", fields);
        }
        let audio_tokens = speech_ms / 100;
        let text_tokens = word_count * 4 / 3;
        self.push(
            "conversation.item.input_audio_transcription.completed",
            json!({
                "item_id": item_id, "content_index": 0, "transcript": words.join(" "),
                "usage": {
                    "type": "tokens", "total_tokens": audio_tokens + text_tokens,
                    "input_tokens": audio_tokens,
                    "input_token_details": {"text_tokens": 0, "audio_tokens": audio_tokens},
                    "output_tokens": text_tokens
                }
            }),
        );
    }

    fn assistant_turn(&mut self) {
        let response_id = self.id("resp");
        let item_id = self.id("item");
        let voice = VOICES[self.rng.index(VOICES.len())];
        let response = self.response(&response_id, voice, None);
        self.push("response.created", json!({"response": response}));
        let in_progress = self.assistant_item(&item_id, None);
        self.push(
            "response.output_item.added",
            json!({"response_id": response_id, "output_index": 0, "item": in_progress}),
        );
        let previous = self.previous_item.replace(item_id.clone());
        self.push(
            self.item_created(),
            json!({"previous_item_id": previous, "item": in_progress}),
        );
        let part = |transcript: &str| json!({"type": "audio", "transcript": transcript});
        let location = json!({
            "response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0
        });
        let with = |extra: Value| {
            let mut fields = location.clone();
            if let (Value::Object(fields), Value::Object(extra)) = (&mut fields, extra) {
                fields.extend(extra);
            }
            fields
        };
        self.push(
            "response.content_part.added",
            with(json!({"part": part("")})),
        );

        let audio_deltas = self.rng.between(90, 180);
        let words = self.words(audio_deltas / 3);
        let transcript_deltas = self.deltas(&words, (audio_deltas / 6) as usize);
        let mut pending = transcript_deltas.iter();
        let mut until_transcript = 0;
        let mut audio_ms = 0;
        for _ in 0..audio_deltas {
            if until_transcript == 0 {
                if let Some(delta) = pending.next() {
                    self.push(
                        self.surface.transcript_delta(),
                        with(json!({"delta": delta})),
                    );
                }
                until_transcript = self.rng.between(4, 8);
            }
            until_transcript -= 1;
            let ms = self.rng.between(20, 100);
            audio_ms += ms;
            let samples = synth_pcm16(&mut self.rng, (ms * SAMPLE_RATE / 1000) as usize);
            let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
            self.push(
                self.surface.audio_delta(),
                with(json!({"delta": STANDARD.encode(bytes)})),
            );
        }
        for delta in pending {
            self.push(
                self.surface.transcript_delta(),
                with(json!({"delta": delta})),
            );
        }

        let transcript = words.join(" ");
        self.push(self.surface.audio_done(), with(json!({})));
        self.push(
            self.surface.transcript_done(),
            with(json!({"transcript": transcript})),
        );
        self.push(
            "response.content_part.done",
            with(json!({"part": part(&transcript)})),
        );
        let done = self.assistant_item(&item_id, Some(&transcript));
        self.push(
            "response.output_item.done",
            json!({"response_id": response_id, "output_index": 0, "item": done}),
        );
        if self.surface == Surface::Ga {
            self.push(
                "conversation.item.done",
                json!({"previous_item_id": previous, "item": done}),
            );
        }
        let audio_tokens = audio_ms / 50;
        let text_tokens = words.len() as u64 * 4 / 3;
        let input_tokens = 120 + self.frames.len() as u64 / 40;
        let cached = input_tokens / 64 * 64;
        let usage = json!({
            "total_tokens": input_tokens + audio_tokens + text_tokens,
            "input_tokens": input_tokens,
            "output_tokens": audio_tokens + text_tokens,
            "input_token_details": {
                "text_tokens": input_tokens / 2, "audio_tokens": input_tokens - input_tokens / 2,
                "image_tokens": 0, "cached_tokens": cached,
                "cached_tokens_details": {"text_tokens": cached, "audio_tokens": 0, "image_tokens": 0}
            },
            "output_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_tokens}
        });
        let response = self.response(&response_id, voice, Some((done, usage)));
        self.push("response.done", json!({"response": response}));
        let requests = 1_000 - self.rng.between(1, 5);
        let tokens = 50_000 - self.rng.between(100, 2_000);
        self.push(
            "rate_limits.updated",
            json!({"rate_limits": [
                {"name": "requests", "limit": 1000, "remaining": requests, "reset_seconds": 60},
                {"name": "tokens", "limit": 50000, "remaining": tokens, "reset_seconds": 12.5}
            ]}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use realtime_types::{Event, EventRef, beta, ga};
    use std::sync::OnceLock;

    fn sessions() -> &'static SpecSessions {
        static SESSIONS: OnceLock<SpecSessions> = OnceLock::new();
        SESSIONS.get_or_init(|| SpecSessions::load().unwrap_or_else(|e| panic!("{e}")))
    }

    /// The benchmark's corpus of `surface`, generated once per test run.
    fn standard(surface: Surface) -> &'static Corpus {
        static GA: OnceLock<Corpus> = OnceLock::new();
        static BETA: OnceLock<Corpus> = OnceLock::new();
        let cell = match surface {
            Surface::Ga => &GA,
            Surface::Beta => &BETA,
        };
        cell.get_or_init(|| Corpus::standard(surface, sessions()))
    }

    /// Every frame decodes into the known variant of its own `type`; the
    /// borrowed view `R` agrees with it, and borrows every audio delta,
    /// whose audio is 20-100 ms of PCM16.
    fn check_frames<'a, E, R>(corpus: &'a Corpus)
    where
        E: Event + PartialEq,
        R: EventRef<'a, Owned = E>,
    {
        for (index, frame) in corpus.frames.iter().enumerate() {
            let event: E = serde_json::from_str(&frame.text)
                .unwrap_or_else(|e| panic!("frame {index} ({}): {e}", frame.event_type));
            assert!(!event.is_unknown(), "frame {index}: {}", frame.text);
            assert_eq!(event.event_type(), frame.event_type, "frame {index}");
            let view = R::from_frame(&frame.text).unwrap_or_else(|e| panic!("frame {index}: {e}"));
            if frame.is_audio_delta() {
                assert!(
                    view.is_borrowed(),
                    "frame {index}: the audio delta is not borrowed"
                );
                let value: serde_json::Value = serde_json::from_str(&frame.text).unwrap();
                let mut samples = Vec::new();
                realtime_types::audio::decode_pcm16(value["delta"].as_str().unwrap(), &mut samples)
                    .unwrap_or_else(|e| panic!("frame {index}: {e}"));
                let ms = samples.len() as u64 * 1000 / SAMPLE_RATE;
                assert!((20..=100).contains(&ms), "frame {index}: {ms} ms");
            }
            assert!(
                view.into_owned() == event,
                "frame {index}: the view differs"
            );
        }
    }

    #[test]
    fn every_ga_frame_decodes_as_its_known_variant() {
        let corpus = standard(Surface::Ga);
        assert_eq!(corpus.frames.len(), DEFAULT_FRAMES);
        check_frames::<ga::ServerEvent, ga::ServerEventRef>(corpus);
    }

    #[test]
    fn every_beta_frame_decodes_as_its_known_variant() {
        let corpus = standard(Surface::Beta);
        assert_eq!(corpus.frames.len(), DEFAULT_FRAMES);
        check_frames::<beta::ServerEvent, beta::ServerEventRef>(corpus);
    }

    #[test]
    fn about_three_quarters_of_the_frames_are_audio_deltas() {
        for surface in [Surface::Ga, Surface::Beta] {
            let share = standard(surface).audio_share();
            assert!((0.70..=0.80).contains(&share), "{surface:?}: {share}");
        }
    }

    #[test]
    fn sessions_open_with_the_spec_examples() {
        let corpus = standard(Surface::Ga);
        assert_eq!(corpus.frames[0].text, sessions().ga.created);
        assert_eq!(corpus.frames[1].text, sessions().ga.updated);
        let created: Value = serde_json::from_str(&corpus.frames[0].text).unwrap();
        assert_eq!(created["session"]["type"], "realtime");
    }

    #[test]
    fn a_turn_has_every_lifecycle_event() {
        for (surface, expected) in [
            (
                Surface::Ga,
                &[
                    "input_audio_buffer.speech_started",
                    "input_audio_buffer.speech_stopped",
                    "input_audio_buffer.committed",
                    "conversation.item.added",
                    "conversation.item.done",
                    "conversation.item.input_audio_transcription.delta",
                    "conversation.item.input_audio_transcription.completed",
                    "response.created",
                    "response.output_item.added",
                    "response.content_part.added",
                    "response.output_audio.delta",
                    "response.output_audio_transcript.delta",
                    "response.output_audio.done",
                    "response.output_audio_transcript.done",
                    "response.content_part.done",
                    "response.output_item.done",
                    "response.done",
                    "rate_limits.updated",
                ][..],
            ),
            (
                Surface::Beta,
                &[
                    "conversation.item.created",
                    "response.done",
                    "response.audio.delta",
                    "response.audio_transcript.delta",
                    "response.audio.done",
                    "response.audio_transcript.done",
                ][..],
            ),
        ] {
            let corpus = Corpus::generate(surface, sessions().of(surface), 1, 600);
            for event_type in expected {
                assert!(
                    corpus.frames.iter().any(|f| f.event_type == *event_type),
                    "{surface:?} lacks {event_type}"
                );
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let first = Corpus::generate(Surface::Ga, &sessions().ga, 7, 400);
        let second = Corpus::generate(Surface::Ga, &sessions().ga, 7, 400);
        let other = Corpus::generate(Surface::Ga, &sessions().ga, 8, 400);
        assert_eq!(first, second);
        assert_ne!(first, other);
    }

    #[test]
    fn synthesized_audio_is_not_silent_or_constant() {
        let samples = synth_pcm16(&mut SplitMix64::new(3), 2_400);
        let min = samples.iter().min().copied().unwrap_or_default();
        let max = samples.iter().max().copied().unwrap_or_default();
        assert!(max - min > 1_000, "{min}..{max}");
    }
}
