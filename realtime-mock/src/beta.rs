//! The beta surface (`OpenAI-Beta: realtime=v1`), as a translation layer
//! over the GA [`Engine`]: there is one protocol engine, and this module only
//! rewrites what goes in and what comes out.
//!
//! - Inbound, every frame is decoded with `realtime_types::beta::ClientEvent`
//!   (a frame that does not decode gets the same `error` as on GA), turned
//!   into the equivalent GA client event and handed to the engine. Events
//!   both surfaces share are handed over as they are; for those carrying
//!   settings or items, checked against the beta schemas first, the flat
//!   beta session (`modalities`, `voice`, `input_audio_format`, ...) becomes
//!   the GA nested one (`output_modalities`, `audio.output.voice`,
//!   `audio.input.format`, ...), `response.create` parameters likewise, and
//!   beta content types (`text` / `audio` in assistant messages) become GA
//!   ones (`output_text` / `output_audio`).
//! - Outbound, the connection's [`Outbound`] carries a [`BetaDialect`] that
//!   turns each GA server event (a `realtime_types::ga::ServerEvent`) into
//!   the beta one (a `realtime_types::beta::ServerEvent`) by an exhaustive
//!   match, so that an event the spec adds needs a decision here before the
//!   mock builds: events both surfaces share pass as they are; the text and
//!   audio streaming events take the beta server's names field by field
//!   (`response.output_audio.delta` becomes `response.audio.delta`, ...: the
//!   pinned spec gives them the GA names, `spec/corrections.yaml` says why
//!   that is wrong; the table of renames is checked against the translation
//!   by the tests); sessions and responses take the beta shape
//!   (`beta::Session`, `beta::Response`) and assistant content types go back
//!   to `text` / `audio`, rewritten in their wire shape and decoded as the
//!   beta event; `conversation.item.added` becomes
//!   `conversation.item.created` (with `previous_item_id`); and GA events
//!   the beta surface does not have (`conversation.item.done`, ...) are
//!   dropped.
//!
//! Beta-only session fields the GA session has no place for (`temperature`,
//! and `modalities` as the client wrote them) are kept beside the engine and
//! reported back in `session.updated`. `temperature` has no effect.
//!
//! `transcription_session.update` maps onto a GA transcription
//! `session.update` on a transcription connection (`intent=transcription`),
//! whose session is then reported as `transcription_session.created` /
//! `.updated`. On a realtime connection it is refused with an `error`, as is
//! `session.update` on a transcription connection.

use std::sync::{Arc, Mutex, MutexGuard};

use realtime_types::{beta, ga};
use serde_json::{Map, Value, json};

use crate::config::MockConfig;
use crate::engine::{Dialect, Engine, Outbound};
use crate::handshake::Connect;
use crate::validate::Invalid;

/// The temperature a beta session reports until the client sets one (the
/// spec's default).
const DEFAULT_TEMPERATURE: f64 = 0.8;

/// The beta formats and their GA format objects.
const FORMATS: &[(&str, &str)] = &[
    ("pcm16", "audio/pcm"),
    ("g711_ulaw", "audio/pcmu"),
    ("g711_alaw", "audio/pcma"),
];

/// GA server event types whose beta event has another name (the beta names
/// of the streaming events are those of the beta server, set by
/// `spec/corrections.yaml`). Every other GA event keeps its name, or is
/// dropped when the beta surface does not have it.
#[cfg(test)]
const RENAMED: &[(&str, &str)] = &[
    ("conversation.item.added", "conversation.item.created"),
    ("response.output_text.delta", "response.text.delta"),
    ("response.output_text.done", "response.text.done"),
    ("response.output_audio.delta", "response.audio.delta"),
    ("response.output_audio.done", "response.audio.done"),
    (
        "response.output_audio_transcript.delta",
        "response.audio_transcript.delta",
    ),
    (
        "response.output_audio_transcript.done",
        "response.audio_transcript.done",
    ),
];

/// Beta session fields the GA session cannot hold, as the client last set them.
#[derive(Debug, Default)]
struct Overlay {
    /// `modalities` and `temperature`, when the client set them.
    current: Map<String, Value>,
    /// The fields of a `session.update` being handled: adopted when its
    /// `session.updated` goes out, forgotten when it fails.
    pending: Option<Map<String, Value>>,
}

fn lock(overlay: &Mutex<Overlay>) -> MutexGuard<'_, Overlay> {
    overlay
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A beta connection: the GA engine behind a translation layer.
pub struct Beta {
    engine: Engine,
    out: Outbound,
    overlay: Arc<Mutex<Overlay>>,
    transcription: bool,
}

impl Beta {
    /// A new beta session for this connection; `out` is the connection's
    /// (GA) outbound, to which the beta dialect is added.
    pub fn new(connect: &Connect, config: Arc<MockConfig>, out: Outbound) -> Self {
        let overlay = Arc::new(Mutex::new(Overlay::default()));
        let out = out.with_dialect(Arc::new(BetaDialect {
            overlay: Arc::clone(&overlay),
        }));
        Beta {
            engine: Engine::new(connect, config, out.clone()),
            out,
            overlay,
            transcription: connect.transcription,
        }
    }

    /// Greets the client (`session.created`, or `transcription_session.created`).
    pub async fn start(&mut self) {
        self.engine.start().await;
    }

    /// Stops any response in progress (the connection is closing).
    pub fn stop(&mut self) {
        self.engine.stop();
    }

    /// Answers a frame that cannot be processed with an `error` event.
    pub async fn reject(&self, event_id: Option<&str>, message: &str) {
        self.engine.reject(event_id, message).await;
    }

    /// Handles one text frame.
    pub async fn handle_text(&mut self, text: &str) {
        let event = match beta::ClientEvent::from_frame(text) {
            Ok(event) => event,
            Err(error) => return self.out.undecodable(text, &error).await,
        };
        use beta::ClientEvent as Beta;
        let translated = match event {
            Beta::Unknown(raw) => return self.out.unsupported_event(&raw).await,
            Beta::Malformed(malformed) => return self.out.malformed(&malformed).await,
            // Events both surfaces share (one generated type) are handed
            // over as they are: appended audio never becomes JSON here.
            Beta::InputAudioBufferAppend(e) => Some((e.into(), None)),
            Beta::InputAudioBufferCommit(e) => Some((e.into(), None)),
            Beta::InputAudioBufferClear(e) => Some((e.into(), None)),
            Beta::ConversationItemRetrieve(e) => Some((e.into(), None)),
            Beta::ConversationItemTruncate(e) => Some((e.into(), None)),
            Beta::ConversationItemDelete(e) => Some((e.into(), None)),
            Beta::ResponseCancel(e) => Some((e.into(), None)),
            Beta::OutputAudioBufferClear(e) => Some((e.into(), None)),
            // Settings and items take the GA shape.
            Beta::SessionUpdate(e) => self.settings_to_ga(&*e).await,
            Beta::TranscriptionSessionUpdate(e) => self.settings_to_ga(&*e).await,
            Beta::ConversationItemCreate(e) => self.settings_to_ga(&*e).await,
            Beta::ResponseCreate(e) => self.settings_to_ga(&*e).await,
        };
        let Some((event, overlay)) = translated else {
            return;
        };
        lock(&self.overlay).pending = overlay;
        self.engine.handle_event(event).await;
        lock(&self.overlay).pending = None;
    }

    /// A beta event that carries settings or an item, checked against the
    /// beta schemas as the beta service checks them (a GA-shaped session is
    /// an unknown parameter here), rewritten in its wire shape as the GA
    /// event, with the beta-only session fields of a `session.update`;
    /// `None` when it is refused (the `error` is sent).
    async fn settings_to_ga<E>(
        &self,
        event: &E,
    ) -> Option<(ga::ClientEvent, Option<Map<String, Value>>)>
    where
        E: serde::Serialize,
    {
        let event = crate::engine::stored(event)?;
        let event_id = event
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Err(invalid) = crate::validate::check::<beta::ClientEvent>(&event) {
            self.out
                .error(
                    event_id.as_deref(),
                    "invalid_value",
                    &invalid.message,
                    Some(&invalid.param),
                )
                .await;
            return None;
        }
        let (event, overlay) = match client_event_to_ga(event, self.transcription) {
            Ok(converted) => converted,
            Err(refusal) => {
                self.out
                    .error(
                        event_id.as_deref(),
                        refusal.code,
                        &refusal.message,
                        refusal.param.as_deref(),
                    )
                    .await;
                return None;
            }
        };
        match serde_json::from_value(event) {
            Ok(event) => Some((event, overlay)),
            Err(error) => {
                let message = format!("The event could not be decoded: {error}");
                self.engine.reject(event_id.as_deref(), &message).await;
                None
            }
        }
    }
}

/// A beta REST session (the body of `POST /v1/realtime/sessions`, or of
/// `/transcription_sessions` when `transcription`) as the GA session
/// changes a client secret carries, and the overlay of beta-only fields;
/// or why it is refused.
pub(crate) fn rest_session_to_ga(
    body: &Value,
    transcription: bool,
) -> Result<RestSession, Invalid> {
    let event_type = if transcription {
        "transcription_session.update"
    } else {
        "session.update"
    };
    let as_event = json!({"type": event_type, "session": body});
    if let Err(invalid) = crate::validate::check::<beta::ClientEvent>(&as_event) {
        let param = invalid
            .param
            .strip_prefix("session.")
            .map(str::to_string)
            .unwrap_or(invalid.param);
        return Err(Invalid {
            message: invalid.message.replace("'session.", "'"),
            param,
        });
    }
    let fields = body.as_object().cloned().unwrap_or_default();
    let overlay = fields
        .iter()
        .filter(|(key, _)| matches!(key.as_str(), "modalities" | "temperature"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let converted = if transcription {
        transcription_session_to_ga(fields)
    } else {
        session_to_ga(fields)
    };
    converted
        .map(|ga| RestSession {
            changes: Value::Object(ga),
            overlay,
        })
        .map_err(|refusal| Invalid {
            message: refusal.message,
            param: refusal
                .param
                .map(|p| p.strip_prefix("session.").map(str::to_string).unwrap_or(p))
                .unwrap_or_default(),
        })
}

/// A beta REST session as the engine takes it.
pub(crate) struct RestSession {
    /// The GA session changes (what a client secret carries).
    pub(crate) changes: Value,
    /// The beta-only fields the GA session has no place for.
    pub(crate) overlay: Map<String, Value>,
}

/// A GA session (as the engine keeps it) as the beta REST session reports
/// it, with the beta-only fields the client set (`overlay`).
pub(crate) fn rest_session_to_beta(ga: &Value, overlay: &Map<String, Value>) -> Value {
    let Value::Object(session) = ga else {
        return Value::Null;
    };
    if session.get("type").and_then(Value::as_str) == Some("transcription") {
        transcription_session_to_beta(session)
    } else {
        session_to_beta(session, overlay)
    }
}

/// Why a beta event cannot be handed to the engine: the `error` to send.
#[derive(Debug, PartialEq)]
struct Refusal {
    code: &'static str,
    message: String,
    param: Option<String>,
}

/// A beta client event (already decoded, as JSON) as the equivalent GA
/// client event, with the beta-only session fields of a `session.update`.
fn client_event_to_ga(
    mut event: Value,
    transcription: bool,
) -> Result<(Value, Option<Map<String, Value>>), Refusal> {
    let event_type = event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut overlay = None;
    match event_type.as_str() {
        "session.update" => {
            if transcription {
                return Err(Refusal {
                    code: "invalid_event",
                    message: "This is a transcription session: update it with `transcription_session.update`.".into(),
                    param: Some("type".into()),
                });
            }
            let session = take_object(&mut event, "session");
            overlay = Some(
                session
                    .iter()
                    .filter(|(key, _)| matches!(key.as_str(), "modalities" | "temperature"))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
            );
            event["session"] = Value::Object(session_to_ga(session)?);
        }
        "transcription_session.update" => {
            if !transcription {
                return Err(Refusal {
                    code: "invalid_event",
                    message: "`transcription_session.update` is only available in a transcription session (connect with `intent=transcription`); update this session with `session.update`.".into(),
                    param: Some("type".into()),
                });
            }
            let session = take_object(&mut event, "session");
            event["type"] = json!("session.update");
            event["session"] = Value::Object(transcription_session_to_ga(session)?);
        }
        "conversation.item.create" => {
            if let Some(item) = event.get_mut("item") {
                item_to_ga(item);
            }
        }
        "response.create" => {
            if let Some(Value::Object(params)) = event.get_mut("response") {
                *params = response_to_ga(std::mem::take(params))?;
            }
        }
        _ => {}
    }
    Ok((event, overlay))
}

/// The object at `key` of `event`, taken out (empty if it is not an object).
fn take_object(event: &mut Value, key: &str) -> Map<String, Value> {
    match event.get_mut(key).map(Value::take) {
        Some(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

/// The beta `modalities` as GA `output_modalities`: a response speaks when
/// audio is among them (its transcript is the text), and writes otherwise.
fn modalities_to_ga(modalities: Value) -> Value {
    match modalities.as_array() {
        Some(list) if list.iter().any(|m| m == "audio") => json!(["audio"]),
        Some(_) => json!(["text"]),
        None => modalities,
    }
}

/// A beta format name as a GA format object.
fn format_to_ga(format: &Value, param: &str) -> Result<Value, Refusal> {
    let name = format.as_str().unwrap_or_default();
    match FORMATS.iter().find(|(beta, _)| *beta == name) {
        Some((_, "audio/pcm")) => Ok(json!({"type": "audio/pcm", "rate": 24000})),
        Some((_, ga)) => Ok(json!({"type": ga})),
        None => Err(Refusal {
            code: "invalid_value",
            message: format!(
                "Invalid value: '{}'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.",
                format
                    .as_str()
                    .map_or_else(|| format.to_string(), str::to_string)
            ),
            param: Some(param.into()),
        }),
    }
}

/// A GA format object as a beta format name (PCM16 at any rate is `pcm16`;
/// an unknown format is kept as it is).
fn format_to_beta(format: &Value) -> Value {
    let name = format.get("type").and_then(Value::as_str);
    match FORMATS.iter().find(|(_, ga)| Some(*ga) == name) {
        Some((beta, _)) => json!(beta),
        None => format.clone(),
    }
}

/// The `audio` object of a GA session or response from its `input` and
/// `output` parts (left out when both are empty).
fn put_audio(
    target: &mut Map<String, Value>,
    input: Map<String, Value>,
    output: Map<String, Value>,
) {
    let mut audio = Map::new();
    if !input.is_empty() {
        audio.insert("input".into(), Value::Object(input));
    }
    if !output.is_empty() {
        audio.insert("output".into(), Value::Object(output));
    }
    if !audio.is_empty() {
        target.insert("audio".into(), Value::Object(audio));
    }
}

/// A flat beta input-audio field (`input_audio_format`,
/// `input_audio_transcription`, `input_audio_noise_reduction`,
/// `turn_detection`) as its GA place under `audio.input`.
fn input_field_to_ga(
    key: &str,
    value: Value,
    input: &mut Map<String, Value>,
) -> Result<(), Refusal> {
    match key {
        "input_audio_format" => {
            input.insert(
                "format".into(),
                format_to_ga(&value, "session.input_audio_format")?,
            );
        }
        "input_audio_transcription" => {
            input.insert("transcription".into(), value);
        }
        "input_audio_noise_reduction" => {
            input.insert("noise_reduction".into(), value);
        }
        _ => {
            input.insert(key.into(), value);
        }
    }
    Ok(())
}

/// The flat beta session of a `session.update` as the GA realtime session.
fn session_to_ga(beta: Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
    let mut ga = Map::new();
    ga.insert("type".into(), json!("realtime"));
    let mut input = Map::new();
    let mut output = Map::new();
    for (key, value) in beta {
        match key.as_str() {
            "modalities" => {
                ga.insert("output_modalities".into(), modalities_to_ga(value));
            }
            "voice" | "speed" => {
                output.insert(key, value);
            }
            "output_audio_format" => {
                output.insert(
                    "format".into(),
                    format_to_ga(&value, "session.output_audio_format")?,
                );
            }
            "input_audio_format"
            | "input_audio_transcription"
            | "input_audio_noise_reduction"
            | "turn_detection" => {
                input_field_to_ga(&key, value, &mut input)?;
            }
            "max_response_output_tokens" => {
                ga.insert("max_output_tokens".into(), value);
            }
            // Kept by the overlay; a client never has a secret to send.
            "temperature" | "client_secret" => {}
            // instructions, tools, tool_choice, tracing, prompt, truncation, ...
            _ => {
                ga.insert(key, value);
            }
        }
    }
    put_audio(&mut ga, input, output);
    Ok(ga)
}

/// The flat beta transcription session of a `transcription_session.update`
/// as the GA transcription session.
fn transcription_session_to_ga(beta: Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
    let mut ga = Map::new();
    ga.insert("type".into(), json!("transcription"));
    let mut input = Map::new();
    for (key, value) in beta {
        match key.as_str() {
            "input_audio_format"
            | "input_audio_transcription"
            | "input_audio_noise_reduction"
            | "turn_detection" => {
                input_field_to_ga(&key, value, &mut input)?;
            }
            "client_secret" | "modalities" => {}
            _ => {
                ga.insert(key, value);
            }
        }
    }
    put_audio(&mut ga, input, Map::new());
    Ok(ga)
}

/// Beta `response.create` parameters as GA ones.
fn response_to_ga(beta: Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
    let mut ga = Map::new();
    let mut output = Map::new();
    let explicit_max = beta.contains_key("max_output_tokens");
    for (key, mut value) in beta {
        match key.as_str() {
            "modalities" => {
                ga.insert("output_modalities".into(), modalities_to_ga(value));
            }
            "voice" => {
                output.insert(key, value);
            }
            "output_audio_format" => {
                output.insert(
                    "format".into(),
                    format_to_ga(&value, "response.output_audio_format")?,
                );
            }
            "max_response_output_tokens" if !explicit_max => {
                ga.insert("max_output_tokens".into(), value);
            }
            "max_response_output_tokens" | "temperature" => {}
            "input" => {
                if let Value::Array(items) = &mut value {
                    items.iter_mut().for_each(item_to_ga);
                }
                ga.insert(key, value);
            }
            _ => {
                ga.insert(key, value);
            }
        }
    }
    put_audio(&mut ga, Map::new(), output);
    Ok(ga)
}

/// Renames the content types of a message item with `rename(role, type)`.
fn rename_content(item: &mut Value, rename: impl Fn(&str, &str) -> Option<&'static str>) {
    if item.get("type").and_then(Value::as_str) != Some("message") {
        return;
    }
    let role = item
        .get("role")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(Value::Array(content)) = item.get_mut("content") else {
        return;
    };
    for part in content {
        let new = part
            .get("type")
            .and_then(Value::as_str)
            .and_then(|t| rename(&role, t));
        if let Some(new) = new {
            part["type"] = json!(new);
        }
    }
}

/// A beta item as a GA item: `text` / `audio` content becomes `output_text`
/// / `output_audio` for the assistant and `input_text` / `input_audio` for
/// the user and the system.
fn item_to_ga(item: &mut Value) {
    rename_content(item, |role, content_type| match (role, content_type) {
        ("assistant", "text") => Some("output_text"),
        ("assistant", "audio") => Some("output_audio"),
        (_, "text") => Some("input_text"),
        (_, "audio") => Some("input_audio"),
        _ => None,
    });
}

/// A GA item as a beta item: assistant content is `text` / `audio`.
fn item_to_beta(item: &mut Value) {
    rename_content(item, |role, content_type| match (role, content_type) {
        ("assistant", "output_text") => Some("text"),
        ("assistant", "output_audio") => Some("audio"),
        _ => None,
    });
}

/// Copies `from[key]` into `to[as_key]` when present.
fn copy(to: &mut Map<String, Value>, as_key: &str, from: Option<&Value>) {
    if let Some(value) = from {
        to.insert(as_key.into(), value.clone());
    }
}

/// Copies the fields of `from` that are not in `known` (fields the mapping
/// does not know travel unchanged).
fn copy_others(to: &mut Map<String, Value>, from: &Map<String, Value>, known: &[&str]) {
    for (key, value) in from {
        if !known.contains(&key.as_str()) && !to.contains_key(key) {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// A GA realtime session as the beta `beta::Session`.
fn session_to_beta(ga: &Map<String, Value>, overlay: &Map<String, Value>) -> Value {
    let session = Value::Object(ga.clone());
    let at = |pointer: &str| session.pointer(pointer);
    let mut beta = Map::new();
    beta.insert("object".into(), json!("realtime.session"));
    copy(&mut beta, "id", at("/id"));
    copy(&mut beta, "model", at("/model"));
    copy(
        &mut beta,
        "modalities",
        overlay.get("modalities").or(at("/output_modalities")),
    );
    copy(&mut beta, "instructions", at("/instructions"));
    copy(&mut beta, "tools", at("/tools"));
    copy(&mut beta, "tool_choice", at("/tool_choice"));
    beta.insert(
        "temperature".into(),
        overlay
            .get("temperature")
            .cloned()
            .unwrap_or_else(|| json!(DEFAULT_TEMPERATURE)),
    );
    copy(
        &mut beta,
        "max_response_output_tokens",
        at("/max_output_tokens"),
    );
    copy(&mut beta, "tracing", at("/tracing"));
    copy(&mut beta, "prompt", at("/prompt"));
    copy(&mut beta, "expires_at", at("/expires_at"));
    input_audio_to_beta(&mut beta, &session);
    copy(
        &mut beta,
        "output_audio_format",
        at("/audio/output/format").map(format_to_beta).as_ref(),
    );
    copy(&mut beta, "voice", at("/audio/output/voice"));
    copy(&mut beta, "speed", at("/audio/output/speed"));
    copy(&mut beta, "include", at("/include"));
    copy_others(
        &mut beta,
        ga,
        &[
            "type",
            "object",
            "output_modalities",
            "max_output_tokens",
            "audio",
        ],
    );
    Value::Object(beta)
}

/// The GA `audio.input` settings of a session as the flat beta fields
/// (the inverse of `input_field_to_ga`).
fn input_audio_to_beta(beta: &mut Map<String, Value>, session: &Value) {
    let at = |pointer: &str| session.pointer(pointer);
    copy(
        beta,
        "input_audio_format",
        at("/audio/input/format").map(format_to_beta).as_ref(),
    );
    copy(
        beta,
        "input_audio_transcription",
        at("/audio/input/transcription"),
    );
    copy(
        beta,
        "input_audio_noise_reduction",
        at("/audio/input/noise_reduction"),
    );
    copy(beta, "turn_detection", at("/audio/input/turn_detection"));
}

/// A GA transcription session as the beta transcription session
/// (`beta::TranscriptionSessionResponse`).
fn transcription_session_to_beta(ga: &Map<String, Value>) -> Value {
    let session = Value::Object(ga.clone());
    let at = |pointer: &str| session.pointer(pointer);
    let mut beta = Map::new();
    copy(&mut beta, "id", at("/id"));
    beta.insert("object".into(), json!("realtime.transcription_session"));
    copy(&mut beta, "expires_at", at("/expires_at"));
    input_audio_to_beta(&mut beta, &session);
    copy(&mut beta, "include", at("/include"));
    copy_others(&mut beta, ga, &["type", "object", "audio"]);
    Value::Object(beta)
}

/// A GA response object as the beta `beta::Response`.
fn response_to_beta(ga: &Map<String, Value>) -> Value {
    let response = Value::Object(ga.clone());
    let at = |pointer: &str| response.pointer(pointer);
    let mut beta = Map::new();
    copy(&mut beta, "id", at("/id"));
    copy(&mut beta, "object", at("/object"));
    copy(&mut beta, "status", at("/status"));
    copy(&mut beta, "status_details", at("/status_details"));
    if let Some(Value::Array(output)) = at("/output") {
        let mut output = output.clone();
        output.iter_mut().for_each(item_to_beta);
        beta.insert("output".into(), Value::Array(output));
    }
    copy(&mut beta, "conversation_id", at("/conversation_id"));
    copy(&mut beta, "modalities", at("/output_modalities"));
    copy(&mut beta, "voice", at("/audio/output/voice"));
    copy(
        &mut beta,
        "output_audio_format",
        at("/audio/output/format").map(format_to_beta).as_ref(),
    );
    copy(&mut beta, "max_output_tokens", at("/max_output_tokens"));
    copy(&mut beta, "usage", at("/usage"));
    copy(&mut beta, "metadata", at("/metadata"));
    copy_others(&mut beta, ga, &["output_modalities", "audio"]);
    Value::Object(beta)
}

/// GA `param` paths of errors the engine sends, and their beta paths.
fn param_to_beta(param: &str) -> Option<&'static str> {
    match param {
        "session.audio.output.voice" => Some("session.voice"),
        "session.audio.input.format" => Some("session.input_audio_format"),
        "session.audio.output.format" => Some("session.output_audio_format"),
        _ => None,
    }
}

/// The beta name of a GA server event type; `None` for a GA event the beta
/// surface does not have. Types neither surface knows pass unchanged. What
/// [`BetaDialect::to_beta`] must do, checked by the tests.
#[cfg(test)]
fn event_type_to_beta(ga_type: &str) -> Option<&str> {
    if let Some((_, beta)) = RENAMED.iter().find(|(ga, _)| *ga == ga_type) {
        return Some(beta);
    }
    let ga_only = ga::ServerEvent::EVENT_TYPES.contains(&ga_type)
        && !beta::ServerEvent::EVENT_TYPES.contains(&ga_type);
    (!ga_only).then_some(ga_type)
}

/// Rewrites the engine's GA server events for the beta surface.
#[derive(Debug)]
pub struct BetaDialect {
    overlay: Arc<Mutex<Overlay>>,
}

impl Dialect<ga::ServerEvent> for BetaDialect {
    fn outbound(&self, event: ga::ServerEvent) -> Option<String> {
        let event = self.to_beta(event)?;
        crate::engine::encode(&event)
    }
}

impl BetaDialect {
    /// A GA server event as the beta server sends it; `None` for one the
    /// beta surface does not have. The match names every GA event, so an
    /// event the spec adds needs a decision here before the mock builds.
    ///
    /// - Events both surfaces share (one generated type) pass as they are.
    /// - The text and audio streaming events take the beta server's names
    ///   ([`RENAMED`]), field by field.
    /// - Events carrying a session, a response or an item are rewritten in
    ///   their wire shape (flat beta sessions and responses, beta content
    ///   types) and decoded as the beta event.
    fn to_beta(&self, event: ga::ServerEvent) -> Option<beta::ServerEvent> {
        use beta::server as b;
        use ga::ServerEvent as Ga;
        Some(match event {
            Ga::ConversationCreated(e) => (*e).into(),
            Ga::ConversationItemDeleted(e) => e.into(),
            Ga::ConversationItemTruncated(e) => e.into(),
            Ga::ConversationItemInputAudioTranscriptionDelta(e) => e.into(),
            Ga::ConversationItemInputAudioTranscriptionSegment(e) => e.into(),
            Ga::ConversationItemInputAudioTranscriptionFailed(e) => (*e).into(),
            Ga::InputAudioBufferCleared(e) => e.into(),
            Ga::InputAudioBufferCommitted(e) => e.into(),
            Ga::InputAudioBufferSpeechStarted(e) => e.into(),
            Ga::InputAudioBufferSpeechStopped(e) => e.into(),
            Ga::InputAudioBufferTimeoutTriggered(e) => e.into(),
            Ga::RateLimitsUpdated(e) => e.into(),
            Ga::ResponseContentPartAdded(e) => (*e).into(),
            Ga::ResponseContentPartDone(e) => (*e).into(),
            Ga::ResponseFunctionCallArgumentsDelta(e) => e.into(),
            Ga::OutputAudioBufferStarted(e) => e.into(),
            Ga::OutputAudioBufferStopped(e) => e.into(),
            Ga::OutputAudioBufferCleared(e) => e.into(),
            Ga::McpListToolsInProgress(e) => e.into(),
            Ga::McpListToolsCompleted(e) => e.into(),
            Ga::McpListToolsFailed(e) => e.into(),
            Ga::ResponseMcpCallArgumentsDelta(e) => e.into(),
            Ga::ResponseMcpCallArgumentsDone(e) => e.into(),
            Ga::ResponseMcpCallInProgress(e) => e.into(),
            Ga::ResponseMcpCallCompleted(e) => e.into(),
            Ga::ResponseMcpCallFailed(e) => e.into(),
            Ga::Error(mut e) => {
                // The parameters the engine names take their beta paths.
                if let Some(Some(param)) = &e.error.param
                    && let Some(beta_param) = param_to_beta(param)
                {
                    e.error.param = Some(Some(beta_param.to_string()));
                }
                (*e).into()
            }
            // Renamed: the same fields under the beta server's names.
            Ga::ResponseOutputTextDelta(e) => b::ResponseTextDelta {
                event_id: e.event_id,
                response_id: e.response_id,
                item_id: e.item_id,
                output_index: e.output_index,
                content_index: e.content_index,
                delta: e.delta,
                unknown_fields: e.unknown_fields,
            }
            .into(),
            Ga::ResponseOutputTextDone(e) => b::ResponseTextDone {
                event_id: e.event_id,
                response_id: e.response_id,
                item_id: e.item_id,
                output_index: e.output_index,
                content_index: e.content_index,
                text: e.text,
                unknown_fields: e.unknown_fields,
            }
            .into(),
            Ga::ResponseOutputAudioDelta(e) => b::ResponseAudioDelta {
                event_id: e.event_id,
                response_id: e.response_id,
                item_id: e.item_id,
                output_index: e.output_index,
                content_index: e.content_index,
                delta: e.delta,
                unknown_fields: e.unknown_fields,
            }
            .into(),
            Ga::ResponseOutputAudioDone(e) => b::ResponseAudioDone {
                event_id: e.event_id,
                response_id: e.response_id,
                item_id: e.item_id,
                output_index: e.output_index,
                content_index: e.content_index,
                unknown_fields: e.unknown_fields,
            }
            .into(),
            Ga::ResponseOutputAudioTranscriptDelta(e) => b::ResponseAudioTranscriptDelta {
                event_id: e.event_id,
                response_id: e.response_id,
                item_id: e.item_id,
                output_index: e.output_index,
                content_index: e.content_index,
                delta: e.delta,
                unknown_fields: e.unknown_fields,
            }
            .into(),
            Ga::ResponseOutputAudioTranscriptDone(e) => b::ResponseAudioTranscriptDone {
                event_id: e.event_id,
                response_id: e.response_id,
                item_id: e.item_id,
                output_index: e.output_index,
                content_index: e.content_index,
                transcript: e.transcript,
                unknown_fields: e.unknown_fields,
            }
            .into(),
            // The same name, another type on each surface.
            Ga::ResponseFunctionCallArgumentsDone(e) => b::ResponseFunctionCallArgumentsDone {
                event_id: e.event_id,
                response_id: e.response_id,
                item_id: e.item_id,
                output_index: e.output_index,
                call_id: e.call_id,
                name: Some(e.name),
                arguments: e.arguments,
                unknown_fields: e.unknown_fields,
            }
            .into(),
            Ga::ConversationItemInputAudioTranscriptionCompleted(e) => {
                let e = *e;
                b::ConversationItemInputAudioTranscriptionCompleted {
                    event_id: e.event_id,
                    item_id: e.item_id,
                    content_index: e.content_index,
                    transcript: e.transcript,
                    languages: e.languages,
                    logprobs: e.logprobs,
                    usage: Some(e.usage),
                    unknown_fields: e.unknown_fields,
                }
                .into()
            }
            // Reshaped: sessions, responses and items.
            Ga::SessionCreated(e) => return self.session_event(&*e, "created"),
            Ga::SessionUpdated(e) => return self.session_event(&*e, "updated"),
            Ga::ConversationItemAdded(e) => {
                return reshaped(&*e, b::ConversationItemCreated::TYPE, |event| {
                    if let Value::Object(fields) = event {
                        fields.entry("previous_item_id").or_insert(Value::Null);
                    }
                    item_at(event);
                });
            }
            Ga::ConversationItemCreated(e) => {
                return reshaped(&*e, b::ConversationItemCreated::TYPE, item_at);
            }
            Ga::ConversationItemRetrieved(e) => {
                return reshaped(&*e, b::ConversationItemRetrieved::TYPE, item_at);
            }
            Ga::ResponseOutputItemAdded(e) => {
                return reshaped(&*e, b::ResponseOutputItemAdded::TYPE, item_at);
            }
            Ga::ResponseOutputItemDone(e) => {
                return reshaped(&*e, b::ResponseOutputItemDone::TYPE, item_at);
            }
            Ga::ResponseCreated(e) => {
                return reshaped(&*e, b::ResponseCreated::TYPE, response_at);
            }
            Ga::ResponseDone(e) => return reshaped(&*e, b::ResponseDone::TYPE, response_at),
            // GA events the beta surface does not have.
            Ga::ConversationItemDone(_) | Ga::InputAudioBufferDtmfEventReceived(_) => return None,
            Ga::Unknown(raw) => beta::ServerEvent::Unknown(raw),
            Ga::Malformed(malformed) => beta::ServerEvent::Malformed(malformed),
        })
    }

    /// `session.created` / `.updated` (`happened`) on the beta surface: the
    /// flat beta session with the beta-only fields the client set, or, for
    /// a transcription session, `transcription_session.created` / `.updated`.
    fn session_event<E: serde::Serialize>(
        &self,
        event: &E,
        happened: &str,
    ) -> Option<beta::ServerEvent> {
        let wire = crate::engine::stored(event)?;
        let transcription =
            wire.pointer("/session/type").and_then(Value::as_str) == Some("transcription");
        let (event_type, session) = match wire.get("session") {
            Some(Value::Object(session)) if transcription => (
                format!("transcription_session.{happened}"),
                transcription_session_to_beta(session),
            ),
            Some(Value::Object(session)) => {
                let mut overlay = lock(&self.overlay);
                if happened == "updated"
                    && let Some(pending) = overlay.pending.take()
                {
                    overlay.current.extend(pending);
                }
                (
                    format!("session.{happened}"),
                    session_to_beta(session, &overlay.current),
                )
            }
            _ => (format!("session.{happened}"), Value::Null),
        };
        let mut beta = wire;
        beta["type"] = Value::String(event_type);
        beta["session"] = session;
        decoded(beta)
    }
}

/// `event` (a GA event) in its wire shape, rewritten by `reshape` under the
/// beta type `beta_type`, and decoded as the beta event.
fn reshaped<E: serde::Serialize>(
    event: &E,
    beta_type: &str,
    reshape: impl FnOnce(&mut Value),
) -> Option<beta::ServerEvent> {
    let mut wire = crate::engine::stored(event)?;
    reshape(&mut wire);
    wire["type"] = Value::String(beta_type.to_string());
    decoded(wire)
}

/// A beta event in its wire shape as the beta union. The rewriting makes
/// what the beta types describe, so this is a known event; if it ever were
/// not, the event is sent as it is (`Unknown`), and the log says so.
fn decoded(wire: Value) -> Option<beta::ServerEvent> {
    match serde_json::from_value::<beta::ServerEvent>(wire.clone()) {
        Ok(event) if !event.is_unknown() => Some(event),
        Ok(_) => {
            eprintln!("realtime-mock: a rewritten beta event is not a beta event");
            Some(beta::ServerEvent::Unknown(wire))
        }
        Err(error) => {
            eprintln!(
                "realtime-mock: a rewritten beta event does not decode: {}",
                crate::engine::json_error_place(&error)
            );
            Some(beta::ServerEvent::Unknown(wire))
        }
    }
}

/// The event's `item` as a beta item.
fn item_at(event: &mut Value) {
    if let Some(item) = event.get_mut("item") {
        item_to_beta(item);
    }
}

/// The event's `response` as the beta response.
fn response_at(event: &mut Value) {
    if let Some(Value::Object(response)) = event.get("response") {
        let response = response_to_beta(response);
        event["response"] = response;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_session_update_becomes_the_nested_ga_session() {
        let beta = json!({
            "modalities": ["text", "audio"], "instructions": "Be brief.", "voice": "ash",
            "input_audio_format": "g711_ulaw", "output_audio_format": "pcm16",
            "input_audio_transcription": {"model": "whisper-1"}, "turn_detection": null,
            "tools": [], "tool_choice": "none", "temperature": 0.7, "max_response_output_tokens": 100
        });
        let Value::Object(beta) = beta else { panic!() };
        assert_eq!(
            Value::Object(session_to_ga(beta).unwrap()),
            json!({
                "type": "realtime", "output_modalities": ["audio"], "instructions": "Be brief.",
                "tools": [], "tool_choice": "none", "max_output_tokens": 100,
                "audio": {
                    "input": {"format": {"type": "audio/pcmu"}, "transcription": {"model": "whisper-1"}, "turn_detection": null},
                    "output": {"voice": "ash", "format": {"type": "audio/pcm", "rate": 24000}}
                }
            })
        );
    }

    #[test]
    fn an_unknown_beta_format_is_refused_with_its_param() {
        let refusal = format_to_ga(&json!("mp3"), "session.input_audio_format").unwrap_err();
        assert_eq!(refusal.code, "invalid_value");
        assert_eq!(refusal.param.as_deref(), Some("session.input_audio_format"));
    }

    #[test]
    fn text_only_modalities_stay_text_and_any_audio_speaks() {
        assert_eq!(modalities_to_ga(json!(["text"])), json!(["text"]));
        assert_eq!(modalities_to_ga(json!(["audio", "text"])), json!(["audio"]));
    }

    #[test]
    fn assistant_content_types_translate_both_ways() {
        let mut item = json!({"type": "message", "role": "assistant", "content": [{"type": "text", "text": "hi"}, {"type": "audio", "transcript": "hi"}]});
        item_to_ga(&mut item);
        assert_eq!(item["content"][0]["type"], "output_text");
        assert_eq!(item["content"][1]["type"], "output_audio");
        item_to_beta(&mut item);
        assert_eq!(item["content"][0]["type"], "text");
        assert_eq!(item["content"][1]["type"], "audio");
        let mut user = json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]});
        item_to_beta(&mut user);
        assert_eq!(user["content"][0]["type"], "input_text");
    }

    #[test]
    fn response_parameters_take_the_ga_names() {
        let Value::Object(beta) = json!({
            "modalities": ["text"], "voice": "echo", "output_audio_format": "g711_alaw",
            "max_response_output_tokens": 5, "conversation": "none", "metadata": {"k": "v"},
            "input": [{"type": "message", "role": "assistant", "content": [{"type": "text", "text": "x"}]}]
        }) else {
            panic!()
        };
        let ga = Value::Object(response_to_ga(beta).unwrap());
        assert_eq!(ga["output_modalities"], json!(["text"]));
        assert_eq!(ga["max_output_tokens"], 5);
        assert_eq!(
            ga["audio"]["output"],
            json!({"voice": "echo", "format": {"type": "audio/pcma"}})
        );
        assert_eq!(ga["input"][0]["content"][0]["type"], "output_text");
        assert_eq!(ga["conversation"], "none");
    }

    #[test]
    fn the_typed_translation_names_events_as_the_table_says() {
        use realtime_types::{ga::server, shared};
        let dialect = BetaDialect {
            overlay: Arc::default(),
        };
        let item: ga::ConversationItem = ga::FunctionCall::new("f", "{}").with_id("i").into();
        let events: Vec<ga::ServerEvent> = vec![
            server::ResponseOutputTextDelta::new("e", "r", "i", 0, 0, "d").into(),
            server::ResponseOutputTextDone::new("e", "r", "i", 0, 0, "t").into(),
            server::ResponseOutputAudioDelta::new("e", "r", "i", 0, 0, "AAAA").into(),
            server::ResponseOutputAudioDone::new("e", "r", "i", 0, 0).into(),
            server::ResponseOutputAudioTranscriptDelta::new("e", "r", "i", 0, 0, "d").into(),
            server::ResponseOutputAudioTranscriptDone::new("e", "r", "i", 0, 0, "t").into(),
            server::ConversationItemAdded::new("e", item.clone()).into(),
            server::ConversationItemDone::new("e", item.clone()).into(),
            server::ResponseOutputItemDone::new("e", "r", 0, item).into(),
            shared::InputAudioBufferCleared::new("e").into(),
        ];
        for event in events {
            let ga_type = event.event_type().to_string();
            let beta = dialect.to_beta(event);
            assert!(
                beta.as_ref().is_none_or(|e| !e.is_unknown()),
                "{ga_type} became an unknown beta event"
            );
            assert_eq!(
                beta.as_ref().map(|e| e.event_type()),
                event_type_to_beta(&ga_type),
                "{ga_type}"
            );
        }
    }

    #[test]
    fn every_rename_is_from_a_ga_only_event_to_a_beta_event() {
        for (ga_type, beta_type) in RENAMED {
            assert!(ga::ServerEvent::EVENT_TYPES.contains(ga_type), "{ga_type}");
            assert!(
                !beta::ServerEvent::EVENT_TYPES.contains(ga_type),
                "{ga_type}"
            );
            assert!(
                beta::ServerEvent::EVENT_TYPES.contains(beta_type),
                "{beta_type}"
            );
        }
    }

    #[test]
    fn ga_only_events_are_dropped_and_unknown_ones_pass() {
        assert_eq!(event_type_to_beta("conversation.item.done"), None);
        assert_eq!(
            event_type_to_beta("output_audio_buffer.cleared"),
            Some("output_audio_buffer.cleared")
        );
        assert_eq!(
            event_type_to_beta("conversation.item.added"),
            Some("conversation.item.created")
        );
        assert_eq!(
            event_type_to_beta("response.output_text.delta"),
            Some("response.text.delta")
        );
        assert_eq!(
            event_type_to_beta("response.output_audio_transcript.done"),
            Some("response.audio_transcript.done")
        );
        assert_eq!(event_type_to_beta("vendor.custom"), Some("vendor.custom"));
    }

    #[test]
    fn a_ga_response_takes_the_beta_shape() {
        let Value::Object(ga) = json!({
            "object": "realtime.response", "id": "resp_1", "status": "completed", "status_details": null,
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_audio", "transcript": "hi"}]}],
            "conversation_id": "conv_mock", "output_modalities": ["audio"], "max_output_tokens": "inf",
            "audio": {"output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"}},
            "usage": null, "metadata": null
        }) else {
            panic!()
        };
        let beta = response_to_beta(&ga);
        assert_eq!(beta["modalities"], json!(["audio"]));
        assert_eq!(beta["voice"], "marin");
        assert_eq!(beta["output_audio_format"], "pcm16");
        assert_eq!(beta["output"][0]["content"][0]["type"], "audio");
        assert!(beta.get("audio").is_none() && beta.get("output_modalities").is_none());
    }
}
