//! The protocol engine of one connection (GA surface): the session, the
//! conversation, the input audio buffer and responses, answering each client
//! event with the server events the real service sends.
//!
//! State is JSON in the wire shape: a `session.update` is merged into the
//! session object (only the fields present change; `null` clears), and items
//! are stored as they are sent back. Every client frame is decoded with the
//! generated `realtime_types::ga::ClientEvent` first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use realtime_types::ga::{self, ClientEvent};
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::audio::{self, AudioFormat};
use crate::config::{MockConfig, Pacing};
use crate::handshake::Connect;
use crate::responder::{Reply, ResponseRequest};
use crate::vad::{EnergyVad, VadConfig, VadEvent};

/// Milliseconds of audio per output delta.
const DELTA_MS: u32 = 100;
/// Spoken length of response text: milliseconds of tone per character.
const MS_PER_CHAR: u32 = 50;
/// Tone frequency of synthesized speech.
const TONE_HZ: f32 = 440.0;

/// How a protocol surface rewrites the engine's server events: the engine
/// always speaks GA, and each event passes through the connection's dialect
/// on its way out (see [`Outbound::with_dialect`]).
pub trait Dialect: std::fmt::Debug + Send + Sync + 'static {
    /// The event as this surface sends it (without `event_id`, which is
    /// assigned afterwards), or `None` when the surface has no such event.
    fn outbound(&self, event: Value) -> Option<Value>;
}

/// Sends server events (with server-assigned `event_id`s) to the writer.
#[derive(Debug, Clone)]
pub struct Outbound {
    tx: mpsc::Sender<Message>,
    next_id: Arc<AtomicU64>,
    dialect: Option<Arc<dyn Dialect>>,
}

impl Outbound {
    /// Sends to the connection's writer, events unchanged (GA).
    pub fn new(tx: mpsc::Sender<Message>) -> Self {
        Outbound {
            tx,
            next_id: Arc::new(AtomicU64::new(1)),
            dialect: None,
        }
    }

    /// Passes every event through `dialect` before it is sent.
    pub fn with_dialect(mut self, dialect: Arc<dyn Dialect>) -> Self {
        self.dialect = Some(dialect);
        self
    }

    /// Sends one server event; `event` holds `type` and the payload.
    pub async fn send(&self, event: Value) {
        let event = match &self.dialect {
            Some(dialect) => match dialect.outbound(event) {
                Some(event) => event,
                None => return,
            },
            None => event,
        };
        let mut object = Map::new();
        object.insert(
            "event_id".into(),
            Value::String(format!(
                "event_{}",
                self.next_id.fetch_add(1, Ordering::Relaxed)
            )),
        );
        if let Value::Object(fields) = event {
            object.extend(fields);
        }
        let _ = self
            .tx
            .send(Message::Text(Value::Object(object).to_string().into()))
            .await;
    }

    /// The `error` for a frame that does not decode as a client event, with
    /// the frame's `event_id` when it can be read. The message names what is
    /// wrong and where (line, column), never the payload.
    pub async fn undecodable(&self, text: &str, error: &serde_json::Error) {
        let event_id = event_id_of(text);
        self.invalid_event(
            event_id.as_deref(),
            &format!("The event could not be decoded: {error}"),
        )
        .await;
    }

    /// The `error` for a client event whose `type` is known but whose body
    /// does not match its schema.
    pub async fn malformed(&self, event: &realtime_types::MalformedEvent) {
        let event_id = event.raw().get("event_id").and_then(Value::as_str);
        self.invalid_event(
            event_id,
            &format!("The event could not be decoded: {}", event.problem()),
        )
        .await;
    }

    /// An `error` with code `invalid_event` (a frame that cannot be processed).
    pub async fn invalid_event(&self, event_id: Option<&str>, message: &str) {
        self.error(event_id, "invalid_event", message, None).await;
    }

    /// The `error` for a client event whose `type` the surface does not know.
    pub async fn unsupported_event(&self, raw: &Value) {
        let event_type = realtime_types::support::raw_tag(raw, "type");
        let event_id = raw.get("event_id").and_then(Value::as_str);
        self.error(
            event_id,
            "invalid_event",
            &format!("Invalid value: '{event_type}' is not a supported client event type."),
            Some("type"),
        )
        .await;
    }

    /// Decodes appended audio; on failure sends the `error` event (param
    /// `audio`) and returns `None`.
    pub async fn decode_appended(
        &self,
        event_id: Option<&str>,
        base64: &str,
        format: AudioFormat,
    ) -> Option<Vec<i16>> {
        match audio::decode_base64(base64, format) {
            Ok(samples) => Some(samples),
            Err(error) => {
                self.error(
                    event_id,
                    "invalid_value",
                    &format!("Invalid 'audio': {error}"),
                    Some("audio"),
                )
                .await;
                None
            }
        }
    }

    /// An `error` event of type `invalid_request_error`.
    pub async fn error(
        &self,
        event_id: Option<&str>,
        code: &str,
        message: &str,
        param: Option<&str>,
    ) {
        self.send(json!({
            "type": "error",
            "error": {"type": "invalid_request_error", "code": code, "message": message, "param": param, "event_id": event_id}
        }))
        .await;
    }
}

/// Server-assigned ids (`item_…`, `resp_…`, `call_…`), unique per connection.
#[derive(Debug, Default)]
struct Ids(AtomicU64);

impl Ids {
    fn next(&self, prefix: &str) -> String {
        format!("{prefix}_{:06}", self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

#[derive(Debug)]
struct State {
    session: Value,
    items: Vec<Value>,
    /// Audio length of assistant items, for `conversation.item.truncate`.
    audio_ms: HashMap<String, u64>,
    input_audio: Vec<i16>,
    vad: Option<EnergyVad>,
    audio_produced: bool,
    active_response: Option<ActiveResponse>,
}

#[derive(Debug)]
struct ActiveResponse {
    id: String,
    cancel: watch::Sender<bool>,
}

/// The protocol engine of one connection.
pub struct Engine {
    config: Arc<MockConfig>,
    out: Outbound,
    ids: Arc<Ids>,
    state: Arc<Mutex<State>>,
    response_task: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Engine {
    /// A new session for this connection.
    pub fn new(connect: &Connect, config: Arc<MockConfig>, out: Outbound) -> Self {
        let ids = Arc::new(Ids::default());
        let session = default_session(connect, &ids);
        let mut state = State {
            session,
            items: Vec::new(),
            audio_ms: HashMap::new(),
            input_audio: Vec::new(),
            vad: None,
            audio_produced: false,
            active_response: None,
        };
        state.vad = vad_for(&state.session);
        Engine {
            config,
            out,
            ids,
            state: Arc::new(Mutex::new(state)),
            response_task: None,
        }
    }

    /// Greets the client with `session.created`.
    pub async fn start(&mut self) {
        let session = lock(&self.state).session.clone();
        self.out
            .send(json!({"type": "session.created", "session": session}))
            .await;
    }

    /// Stops any response in progress (the connection is closing).
    pub fn stop(&mut self) {
        if let Some(task) = self.response_task.take() {
            task.abort();
        }
    }

    /// Answers a frame that cannot be processed with an `error` event.
    pub async fn reject(&self, event_id: Option<&str>, message: &str) {
        self.out.invalid_event(event_id, message).await;
    }

    /// Handles one text frame.
    pub async fn handle_text(&mut self, text: &str) {
        let event = match ClientEvent::from_frame(text) {
            Ok(event) => event,
            Err(error) => return self.out.undecodable(text, &error).await,
        };
        self.handle_event(event).await;
    }

    /// Handles one decoded GA client event.
    pub async fn handle_event(&mut self, event: ClientEvent) {
        match event {
            ClientEvent::SessionUpdate(update) => self.session_update(*update).await,
            ClientEvent::ConversationItemCreate(create) => self.item_create(*create).await,
            ClientEvent::ConversationItemRetrieve(retrieve) => {
                let item = lock(&self.state)
                    .items
                    .iter()
                    .find(|i| id_of(i) == Some(&retrieve.item_id))
                    .cloned();
                match item {
                    Some(item) => {
                        self.out
                            .send(json!({"type": "conversation.item.retrieved", "item": item}))
                            .await
                    }
                    None => {
                        self.no_such_item(retrieve.event_id.as_deref(), &retrieve.item_id)
                            .await
                    }
                }
            }
            ClientEvent::ConversationItemDelete(delete) => {
                let removed = {
                    let mut state = lock(&self.state);
                    let position = state
                        .items
                        .iter()
                        .position(|i| id_of(i) == Some(&delete.item_id));
                    position.map(|p| state.items.remove(p))
                };
                match removed {
                    Some(_) => self
                        .out
                        .send(
                            json!({"type": "conversation.item.deleted", "item_id": delete.item_id}),
                        )
                        .await,
                    None => {
                        self.no_such_item(delete.event_id.as_deref(), &delete.item_id)
                            .await
                    }
                }
            }
            ClientEvent::ConversationItemTruncate(truncate) => self.item_truncate(truncate).await,
            ClientEvent::InputAudioBufferAppend(append) => {
                self.audio_append(append.event_id.as_deref(), &append.audio)
                    .await
            }
            ClientEvent::InputAudioBufferCommit(commit) => {
                let empty = lock(&self.state).input_audio.is_empty();
                if empty {
                    self.out
                        .error(
                            commit.event_id.as_deref(),
                            "input_audio_buffer_commit_empty",
                            "Error committing input audio buffer: the buffer is empty.",
                            None,
                        )
                        .await;
                } else {
                    self.commit_audio().await;
                }
            }
            ClientEvent::InputAudioBufferClear(_) => {
                {
                    let mut state = lock(&self.state);
                    state.input_audio.clear();
                    if let Some(vad) = &mut state.vad {
                        vad.reset();
                    }
                }
                self.out
                    .send(json!({"type": "input_audio_buffer.cleared"}))
                    .await;
            }
            ClientEvent::OutputAudioBufferClear(_) => {
                let response_id = self.cancel_active();
                self.out
                    .send(
                        json!({"type": "output_audio_buffer.cleared", "response_id": response_id}),
                    )
                    .await;
            }
            ClientEvent::ResponseCreate(create) => self.response_create(*create).await,
            ClientEvent::ResponseCancel(cancel) => {
                let requested = cancel.response_id.clone();
                let active = lock(&self.state)
                    .active_response
                    .as_ref()
                    .map(|r| r.id.clone());
                match active {
                    Some(id) if requested.as_ref().is_none_or(|r| *r == id) => {
                        self.cancel_active();
                    }
                    _ => {
                        self.out
                            .error(
                                cancel.event_id.as_deref(),
                                "response_cancel_not_active",
                                "Cancellation failed: no active response found.",
                                None,
                            )
                            .await;
                    }
                }
            }
            ClientEvent::Unknown(raw) => self.out.unsupported_event(&raw).await,
            ClientEvent::Malformed(event) => self.out.malformed(&event).await,
        }
    }

    async fn no_such_item(&self, event_id: Option<&str>, item_id: &str) {
        self.out
            .error(
                event_id,
                "item_not_found",
                &format!("Item with item_id '{item_id}' not found."),
                Some("item_id"),
            )
            .await;
    }

    async fn session_update(&mut self, update: ga::client::SessionUpdate) {
        let event_id = update.event_id.as_deref();
        let changes = match serde_json::to_value(&update.session) {
            Ok(changes) => changes,
            Err(error) => return self.reject(event_id, &error.to_string()).await,
        };
        let result = {
            let mut state = lock(&self.state);
            let voice_path = "/audio/output/voice";
            let new_voice = changes.pointer(voice_path);
            if state.audio_produced
                && new_voice.is_some()
                && new_voice != state.session.pointer(voice_path)
            {
                Err("Cannot update a conversation's voice if assistant audio is present.")
            } else {
                merge(&mut state.session, changes);
                state.vad = vad_for(&state.session);
                Ok(state.session.clone())
            }
        };
        match result {
            Ok(session) => {
                self.out
                    .send(json!({"type": "session.updated", "session": session}))
                    .await
            }
            Err(message) => {
                self.out
                    .error(
                        event_id,
                        "cannot_update_voice",
                        message,
                        Some("session.audio.output.voice"),
                    )
                    .await
            }
        }
    }

    async fn item_create(&mut self, create: ga::client::ConversationItemCreate) {
        let event_id = create.event_id.as_deref();
        let mut item = match serde_json::to_value(&create.item) {
            Ok(item) => item,
            Err(error) => return self.reject(event_id, &error.to_string()).await,
        };
        complete_item(&mut item, &self.ids);
        let inserted = {
            let mut state = lock(&self.state);
            let item_id = id_of(&item).map(str::to_string);
            if item_id
                .as_deref()
                .is_some_and(|id| state.items.iter().any(|i| id_of(i) == Some(id)))
            {
                Err((
                    "item_already_exists",
                    "An item with this id already exists.",
                    "item.id",
                ))
            } else {
                insert_item(
                    &mut state.items,
                    create.previous_item_id.as_deref(),
                    item.clone(),
                )
                .map_err(|_| {
                    (
                        "previous_item_not_found",
                        "The previous_item_id does not exist in the conversation.",
                        "previous_item_id",
                    )
                })
            }
        };
        match inserted {
            Ok(previous) => {
                self.out.send(json!({"type": "conversation.item.added", "previous_item_id": previous, "item": item})).await;
                self.out.send(json!({"type": "conversation.item.done", "previous_item_id": previous, "item": item})).await;
            }
            Err((code, message, param)) => {
                self.out.error(event_id, code, message, Some(param)).await
            }
        }
    }

    async fn item_truncate(&mut self, truncate: ga::client::ConversationItemTruncate) {
        let event_id = truncate.event_id.as_deref();
        let audio_ms = {
            let state = lock(&self.state);
            if !state
                .items
                .iter()
                .any(|i| id_of(i) == Some(&truncate.item_id))
            {
                None
            } else {
                Some(state.audio_ms.get(&truncate.item_id).copied())
            }
        };
        match audio_ms {
            None => self.no_such_item(event_id, &truncate.item_id).await,
            Some(None) => {
                self.out
                    .error(
                        event_id,
                        "invalid_value",
                        "Only assistant messages with audio can be truncated.",
                        Some("item_id"),
                    )
                    .await;
            }
            Some(Some(length))
                if truncate.audio_end_ms < 0 || truncate.audio_end_ms as u64 > length =>
            {
                let message = format!(
                    "Audio content of {length}ms is shorter than {}ms.",
                    truncate.audio_end_ms
                );
                self.out
                    .error(event_id, "invalid_value", &message, Some("audio_end_ms"))
                    .await;
            }
            Some(Some(_)) => {
                {
                    let mut state = lock(&self.state);
                    state
                        .audio_ms
                        .insert(truncate.item_id.clone(), truncate.audio_end_ms as u64);
                }
                self.out
                    .send(json!({
                        "type": "conversation.item.truncated",
                        "item_id": truncate.item_id,
                        "content_index": truncate.content_index,
                        "audio_end_ms": truncate.audio_end_ms
                    }))
                    .await;
            }
        }
    }

    async fn audio_append(&mut self, event_id: Option<&str>, base64: &str) {
        let format = input_format(&lock(&self.state).session);
        let Some(samples) = self.out.decode_appended(event_id, base64, format).await else {
            return;
        };
        let events = {
            let mut state = lock(&self.state);
            state.input_audio.extend_from_slice(&samples);
            match &mut state.vad {
                Some(vad) => vad.push(&samples),
                None => Vec::new(),
            }
        };
        for event in events {
            match event {
                VadEvent::SpeechStarted { audio_start_ms } => {
                    let item_id = self.ids.next("item");
                    self.out
                        .send(json!({"type": "input_audio_buffer.speech_started", "audio_start_ms": audio_start_ms, "item_id": item_id}))
                        .await;
                }
                VadEvent::SpeechStopped { audio_end_ms } => {
                    self.commit_audio_as(Some(audio_end_ms)).await;
                    let create_response = lock(&self.state)
                        .session
                        .pointer("/audio/input/turn_detection/create_response")
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    if create_response {
                        self.start_response(None, None).await;
                    }
                }
            }
        }
    }

    async fn commit_audio(&mut self) {
        self.commit_audio_as(None).await;
    }

    /// Commits the input buffer as a user audio message (after
    /// `speech_stopped` when VAD ended the turn at `speech_end_ms`).
    async fn commit_audio_as(&mut self, speech_end_ms: Option<u64>) {
        let item_id = self.ids.next("item");
        let (previous, item) = {
            let mut state = lock(&self.state);
            state.input_audio.clear();
            if let Some(vad) = &mut state.vad {
                vad.reset();
            }
            let item = json!({
                "id": item_id, "object": "realtime.item", "type": "message", "status": "completed", "role": "user",
                "content": [{"type": "input_audio", "transcript": null}]
            });
            let previous = state.items.last().and_then(id_of).map(str::to_string);
            state.items.push(item.clone());
            (previous, item)
        };
        if let Some(audio_end_ms) = speech_end_ms {
            self.out
                .send(json!({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": audio_end_ms, "item_id": item_id}))
                .await;
        }
        self.out.send(json!({"type": "input_audio_buffer.committed", "previous_item_id": previous, "item_id": item_id})).await;
        self.out.send(json!({"type": "conversation.item.added", "previous_item_id": previous, "item": item})).await;
        self.out.send(json!({"type": "conversation.item.done", "previous_item_id": previous, "item": item})).await;
    }

    async fn response_create(&mut self, create: ga::client::ResponseCreate) {
        let params = match create
            .response
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
        {
            Ok(params) => params,
            Err(error) => {
                return self
                    .reject(create.event_id.as_deref(), &error.to_string())
                    .await;
            }
        };
        self.start_response(create.event_id.clone(), params).await;
    }

    /// Starts streaming a response in a task of its own.
    async fn start_response(&mut self, event_id: Option<String>, params: Option<Value>) {
        let params = params.unwrap_or_else(|| json!({}));
        let busy = lock(&self.state)
            .active_response
            .as_ref()
            .map(|r| r.id.clone());
        if let Some(active) = busy {
            let message = format!(
                "Conversation already has an active response in progress: {active}. Wait until the response is finished before creating a new one."
            );
            self.out
                .error(
                    event_id.as_deref(),
                    "conversation_already_has_active_response",
                    &message,
                    None,
                )
                .await;
            return;
        }
        let (cancel, cancelled) = watch::channel(false);
        let plan = {
            let mut state = lock(&self.state);
            let plan = ResponsePlan::new(&state, &params, &self.ids, self.config.as_ref());
            state.active_response = Some(ActiveResponse {
                id: plan.response_id.clone(),
                cancel,
            });
            plan
        };
        let task = tokio::spawn(plan.stream(
            self.out.clone(),
            Arc::clone(&self.state),
            Arc::clone(&self.ids),
            self.config.pacing,
            cancelled,
        ));
        if let Some(previous) = self.response_task.replace(task) {
            previous.abort();
        }
    }

    /// Asks the active response to stop; returns its id.
    fn cancel_active(&mut self) -> Option<String> {
        let state = lock(&self.state);
        let active = state.active_response.as_ref()?;
        let _ = active.cancel.send(true);
        Some(active.id.clone())
    }
}

/// The `event_id` of a frame that could not be decoded as an event, if it
/// is a JSON object with a string `event_id`.
fn event_id_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithId {
        event_id: Option<String>,
    }
    serde_json::from_str::<WithId>(text)
        .ok()
        .and_then(|w| w.event_id)
}

fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

/// Server-side fields of a created item: an id, `object` and `status`.
fn complete_item(item: &mut Value, ids: &Ids) {
    if let Value::Object(fields) = item {
        if !fields.get("id").is_some_and(Value::is_string) {
            fields.insert("id".into(), Value::String(ids.next("item")));
        }
        fields
            .entry("object")
            .or_insert_with(|| Value::String("realtime.item".into()));
        fields
            .entry("status")
            .or_insert_with(|| Value::String("completed".into()));
    }
}

/// Inserts after `previous` (`None`: at the end; `root`: at the start).
/// Returns the id of the item now before it.
fn insert_item(
    items: &mut Vec<Value>,
    previous: Option<&str>,
    item: Value,
) -> Result<Option<String>, ()> {
    let position = match previous {
        None => items.len(),
        Some("root") => 0,
        Some(id) => items.iter().position(|i| id_of(i) == Some(id)).ok_or(())? + 1,
    };
    let before = position
        .checked_sub(1)
        .and_then(|p| items.get(p))
        .and_then(id_of)
        .map(str::to_string);
    items.insert(position, item);
    Ok(before)
}

/// JSON merge: objects merge key by key, anything else (arrays, scalars,
/// `null`) replaces.
pub(crate) fn merge(target: &mut Value, changes: Value) {
    match (target, changes) {
        (Value::Object(target), Value::Object(changes)) => {
            for (key, value) in changes {
                match target.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, changes) => *target = changes,
    }
}

fn input_format(session: &Value) -> AudioFormat {
    format_at(session, "/audio/input/format")
}

fn output_format(session: &Value) -> AudioFormat {
    format_at(session, "/audio/output/format")
}

fn format_at(session: &Value, pointer: &str) -> AudioFormat {
    format_of(session.pointer(pointer))
}

/// A GA format object (`{"type": "audio/pcm", "rate": 24000}`); PCM16 at
/// 24 kHz when absent or unknown.
fn format_of(format: Option<&Value>) -> AudioFormat {
    let name = format
        .and_then(|f| f.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("audio/pcm");
    let rate = format
        .and_then(|f| f.get("rate"))
        .and_then(Value::as_u64)
        .and_then(|r| u32::try_from(r).ok());
    AudioFormat::from_wire(name, rate.or(Some(24_000)))
        .unwrap_or(AudioFormat::Pcm16 { rate: 24_000 })
}

/// The GA format object of `format`.
fn format_json(format: AudioFormat) -> Value {
    match format {
        AudioFormat::Pcm16 { rate } => json!({"type": "audio/pcm", "rate": rate}),
        AudioFormat::G711Ulaw => json!({"type": "audio/pcmu"}),
        AudioFormat::G711Alaw => json!({"type": "audio/pcma"}),
    }
}

/// A `response.create` input item, with an `item_reference` replaced by the
/// conversation item it names (`None` when there is no such item).
fn resolve_reference(item: &Value, items: &[Value]) -> Option<Value> {
    if item.get("type").and_then(Value::as_str) != Some("item_reference") {
        return Some(item.clone());
    }
    let id = id_of(item)?;
    items.iter().find(|i| id_of(i) == Some(id)).cloned()
}

/// The session's VAD, when turn detection is on.
fn vad_for(session: &Value) -> Option<EnergyVad> {
    let detection = session
        .pointer("/audio/input/turn_detection")
        .filter(|d| d.is_object())?;
    let defaults = VadConfig::default();
    let number = |key: &str| detection.get(key).and_then(Value::as_f64);
    let config = VadConfig {
        threshold: number("threshold").map_or(defaults.threshold, |t| t as f32),
        prefix_padding_ms: number("prefix_padding_ms")
            .map_or(defaults.prefix_padding_ms, |v| v as u32),
        silence_duration_ms: number("silence_duration_ms")
            .map_or(defaults.silence_duration_ms, |v| v as u32),
    };
    Some(EnergyVad::new(config, input_format(session).sample_rate()))
}

/// When a session that starts now expires: in an hour, in seconds since the epoch.
pub(crate) fn expires_at() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 3600
}

/// The session a connection starts with: the defaults the spec documents.
fn default_session(connect: &Connect, ids: &Ids) -> Value {
    let expires_at = expires_at();
    if connect.transcription {
        return json!({
            "type": "transcription",
            "id": ids.next("sess"),
            "object": "realtime.transcription_session",
            "expires_at": expires_at,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "transcription": {"model": "gpt-4o-mini-transcribe", "language": null, "prompt": ""},
                    "noise_reduction": null,
                    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500}
                }
            },
            "include": null
        });
    }
    json!({
        "type": "realtime",
        "object": "realtime.session",
        "id": ids.next("sess"),
        "model": connect.model.clone().unwrap_or_else(|| "gpt-realtime".into()),
        "output_modalities": ["audio"],
        "instructions": "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI.",
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": null,
        "prompt": null,
        "expires_at": expires_at,
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": null,
                "noise_reduction": null,
                "turn_detection": {
                    "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500,
                    "idle_timeout_ms": null, "create_response": true, "interrupt_response": true
                }
            },
            "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0}
        },
        "include": null
    })
}

/// Everything a response will send, decided when it starts.
struct ResponsePlan {
    response_id: String,
    item_id: String,
    /// `conversation: "none"`: nothing is added to the conversation.
    out_of_band: bool,
    audio: bool,
    format: AudioFormat,
    voice: Value,
    reply: Reply,
    max_output_tokens: Option<u64>,
    metadata: Value,
    previous_item_id: Option<String>,
}

impl ResponsePlan {
    fn new(state: &State, params: &Value, ids: &Ids, config: &MockConfig) -> Self {
        let session = &state.session;
        let modalities = params
            .get("output_modalities")
            .or_else(|| session.get("output_modalities"));
        let audio = modalities
            .and_then(Value::as_array)
            .is_none_or(|m| m.iter().any(|v| v == "audio"));
        let out_of_band = params.get("conversation").and_then(Value::as_str) == Some("none");
        let input: Vec<Value> = match params.get("input").and_then(Value::as_array) {
            Some(input) => input
                .iter()
                .filter_map(|item| resolve_reference(item, &state.items))
                .collect(),
            None => state.items.clone(),
        };
        let tools: Vec<String> = params
            .get("tools")
            .or_else(|| session.get("tools"))
            .and_then(Value::as_array)
            .map(|tools| {
                tools
                    .iter()
                    .filter(|t| {
                        t.get("type")
                            .and_then(Value::as_str)
                            .is_none_or(|t| t == "function")
                    })
                    .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let instructions = params
            .get("instructions")
            .or_else(|| session.get("instructions"))
            .and_then(Value::as_str);
        let reply = config.responder.reply(&ResponseRequest {
            input: &input,
            instructions,
            tools: &tools,
        });
        let max_output_tokens = params
            .get("max_output_tokens")
            .or_else(|| session.get("max_output_tokens"))
            .and_then(Value::as_u64);
        ResponsePlan {
            response_id: ids.next("resp"),
            item_id: ids.next("item"),
            out_of_band,
            audio,
            format: match params.pointer("/audio/output/format") {
                Some(format) => format_of(Some(format)),
                None => output_format(session),
            },
            voice: params
                .pointer("/audio/output/voice")
                .or_else(|| session.pointer("/audio/output/voice"))
                .cloned()
                .unwrap_or_else(|| json!("marin")),
            reply,
            max_output_tokens,
            metadata: params.get("metadata").cloned().unwrap_or(Value::Null),
            previous_item_id: state.items.last().and_then(id_of).map(str::to_string),
        }
    }

    fn response_object(
        &self,
        status: &str,
        output: Vec<Value>,
        usage: Option<Value>,
        status_details: Value,
    ) -> Value {
        let modalities = if self.audio {
            json!(["audio"])
        } else {
            json!(["text"])
        };
        json!({
            "object": "realtime.response",
            "id": self.response_id,
            "status": status,
            "status_details": status_details,
            "output": output,
            "conversation_id": if self.out_of_band { Value::Null } else { json!("conv_mock") },
            "output_modalities": modalities,
            "max_output_tokens": self.max_output_tokens.map_or(json!("inf"), Value::from),
            "audio": {"output": {"format": format_json(self.format), "voice": self.voice}},
            "usage": usage,
            "metadata": self.metadata,
        })
    }

    /// Streams the response; ends early (status `cancelled`) when asked to.
    async fn stream(
        self,
        out: Outbound,
        state: Arc<Mutex<State>>,
        ids: Arc<Ids>,
        pacing: Pacing,
        mut cancelled: watch::Receiver<bool>,
    ) {
        let send = |event: Value| {
            let out = out.clone();
            async move { out.send(event).await }
        };
        if let Reply::Events(events) = &self.reply {
            for event in events {
                out.send(event.clone()).await;
            }
            lock(&state).active_response = None;
            return;
        }
        send(json!({"type": "response.created", "response": self.response_object("in_progress", vec![], None, Value::Null)})).await;
        let (mut item, steps, audio_ms, text_tokens) = self.build_item(&ids);
        let item_in_progress = {
            let mut started = item.clone();
            started["status"] = json!("in_progress");
            if let Some(content) = started.get_mut("content") {
                *content = json!([]);
            }
            if let Some(arguments) = started.get_mut("arguments") {
                *arguments = json!("");
            }
            started
        };
        send(json!({"type": "response.output_item.added", "response_id": self.response_id, "output_index": 0, "item": item_in_progress})).await;
        if !self.out_of_band {
            lock(&state).items.push(item_in_progress.clone());
            send(json!({"type": "conversation.item.added", "previous_item_id": self.previous_item_id, "item": item_in_progress})).await;
        }
        let mut was_cancelled = false;
        for step in steps {
            if *cancelled.borrow() {
                was_cancelled = true;
                break;
            }
            if let Step::Wait(duration) = step {
                if pacing == Pacing::RealTime {
                    tokio::select! {
                        _ = tokio::time::sleep(duration) => {}
                        _ = cancelled.changed() => { was_cancelled = true; break; }
                    }
                }
                continue;
            }
            if let Step::Event(event) = step {
                send(event).await;
            }
        }
        let status = if was_cancelled {
            "cancelled"
        } else if self.truncated_by_tokens(text_tokens) {
            "incomplete"
        } else {
            "completed"
        };
        item["status"] = json!(if status == "completed" {
            "completed"
        } else {
            "incomplete"
        });
        if !was_cancelled {
            send(json!({"type": "response.output_item.done", "response_id": self.response_id, "output_index": 0, "item": item})).await;
        }
        {
            let mut guard = lock(&state);
            if audio_ms > 0 {
                guard.audio_produced = true;
                guard.audio_ms.insert(self.item_id.clone(), audio_ms);
            }
            if !self.out_of_band
                && let Some(stored) = guard
                    .items
                    .iter_mut()
                    .find(|i| id_of(i) == Some(self.item_id.as_str()))
            {
                *stored = item.clone();
            }
            guard.active_response = None;
        }
        if !self.out_of_band && !was_cancelled {
            send(json!({"type": "conversation.item.done", "previous_item_id": self.previous_item_id, "item": item})).await;
        }
        let output_tokens =
            text_tokens.min(self.max_output_tokens.unwrap_or(u64::MAX)) + audio_ms / 50;
        let usage = json!({
            "total_tokens": 100 + output_tokens, "input_tokens": 100, "output_tokens": output_tokens,
            "input_token_details": {"cached_tokens": 0, "text_tokens": 100, "audio_tokens": 0},
            "output_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_ms / 50}
        });
        let details = match status {
            "cancelled" => json!({"type": "cancelled", "reason": "client_cancelled"}),
            "incomplete" => json!({"type": "incomplete", "reason": "max_output_tokens"}),
            _ => Value::Null,
        };
        send(json!({"type": "response.done", "response": self.response_object(status, vec![item], Some(usage), details)})).await;
        send(json!({
            "type": "rate_limits.updated",
            "rate_limits": [
                {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
                {"name": "tokens", "limit": 50000, "remaining": 49000, "reset_seconds": 60}
            ]
        }))
        .await;
    }

    fn truncated_by_tokens(&self, text_tokens: u64) -> bool {
        self.max_output_tokens.is_some_and(|max| text_tokens > max)
    }

    /// The finished item, the steps that stream it, its audio length and text tokens.
    fn build_item(&self, ids: &Ids) -> (Value, Vec<Step>, u64, u64) {
        let base =
            json!({"response_id": self.response_id, "item_id": self.item_id, "output_index": 0});
        let with = |extra: Value| {
            let mut event = base.clone();
            if let (Value::Object(event), Value::Object(extra)) = (&mut event, extra) {
                event.extend(extra);
            }
            event
        };
        let text = match &self.reply {
            Reply::Message { text } => text.clone(),
            Reply::Events(_) => return (Value::Null, Vec::new(), 0, 0),
            Reply::FunctionCall { name, arguments } => {
                let call_id = ids.next("call");
                let mut steps = Vec::new();
                for chunk in chunks(arguments, 8) {
                    steps.push(Step::Event(with(json!({"type": "response.function_call_arguments.delta", "call_id": call_id, "delta": chunk}))));
                }
                steps.push(Step::Event(with(json!({"type": "response.function_call_arguments.done", "call_id": call_id, "name": name, "arguments": arguments}))));
                let item = json!({
                    "id": self.item_id, "object": "realtime.item", "type": "function_call", "status": "completed",
                    "name": name, "call_id": call_id, "arguments": arguments
                });
                return (item, steps, 0, 0);
            }
        };
        {
            {
                let words: Vec<&str> = text.split_inclusive(' ').collect();
                let kept = self
                    .max_output_tokens
                    .map_or(words.len(), |max| words.len().min(max as usize));
                let said: String = words[..kept].concat();
                let text_tokens = words.len() as u64;
                let mut steps = Vec::new();
                let (part_type, content_type) = if self.audio {
                    ("audio", "output_audio")
                } else {
                    ("text", "output_text")
                };
                let empty_part = if self.audio {
                    json!({"type": part_type, "transcript": ""})
                } else {
                    json!({"type": part_type, "text": ""})
                };
                steps.push(Step::Event(with(json!({"type": "response.content_part.added", "content_index": 0, "part": empty_part}))));
                let mut audio_ms = 0u64;
                if self.audio {
                    let rate = self.format.sample_rate();
                    let duration = (said.chars().count() as u32 * MS_PER_CHAR).max(200);
                    let samples = audio::tone(duration, rate, TONE_HZ, 0.3);
                    audio_ms = audio::duration_ms(samples.len(), rate);
                    let per_delta = (rate * DELTA_MS / 1000) as usize;
                    let word_every = (samples.len() / per_delta.max(1) + 1) / kept.max(1) + 1;
                    let mut pending_words = words[..kept].iter();
                    for (index, chunk) in samples.chunks(per_delta.max(1)).enumerate() {
                        steps.push(Step::Event(with(json!({"type": "response.output_audio.delta", "content_index": 0, "delta": audio::encode_base64(chunk, self.format)}))));
                        if index % word_every == 0
                            && let Some(word) = pending_words.next()
                        {
                            steps.push(Step::Event(with(json!({"type": "response.output_audio_transcript.delta", "content_index": 0, "delta": word}))));
                        }
                        steps.push(Step::Wait(Duration::from_millis(audio::duration_ms(
                            chunk.len(),
                            rate,
                        ))));
                    }
                    for word in pending_words {
                        steps.push(Step::Event(with(json!({"type": "response.output_audio_transcript.delta", "content_index": 0, "delta": word}))));
                    }
                    steps.push(Step::Event(with(
                        json!({"type": "response.output_audio.done", "content_index": 0}),
                    )));
                    steps.push(Step::Event(with(json!({"type": "response.output_audio_transcript.done", "content_index": 0, "transcript": said}))));
                    steps.push(Step::Event(with(json!({"type": "response.content_part.done", "content_index": 0, "part": {"type": "audio", "transcript": said}}))));
                } else {
                    for word in &words[..kept] {
                        steps.push(Step::Event(with(json!({"type": "response.output_text.delta", "content_index": 0, "delta": word}))));
                    }
                    steps.push(Step::Event(with(json!({"type": "response.output_text.done", "content_index": 0, "text": said}))));
                    steps.push(Step::Event(with(json!({"type": "response.content_part.done", "content_index": 0, "part": {"type": "text", "text": said}}))));
                }
                let content = if self.audio {
                    json!([{"type": content_type, "transcript": said}])
                } else {
                    json!([{"type": content_type, "text": said}])
                };
                let item = json!({
                    "id": self.item_id, "object": "realtime.item", "type": "message", "status": "completed",
                    "role": "assistant", "content": content
                });
                (item, steps, audio_ms, text_tokens)
            }
        }
    }
}

enum Step {
    Event(Value),
    Wait(Duration),
}

/// `text` in pieces of about `size` characters.
fn chunks(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(size.max(1))
        .map(|c| c.iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_scalars_and_arrays_and_merges_objects() {
        let mut session = json!({"a": 1, "audio": {"input": {"x": 1, "y": 2}}, "tools": [1, 2]});
        merge(
            &mut session,
            json!({"audio": {"input": {"y": null}}, "tools": []}),
        );
        assert_eq!(
            session,
            json!({"a": 1, "audio": {"input": {"x": 1, "y": null}}, "tools": []})
        );
    }

    #[test]
    fn items_insert_at_end_root_or_after_an_id() {
        let mut items = vec![json!({"id": "a"}), json!({"id": "b"})];
        assert_eq!(
            insert_item(&mut items, None, json!({"id": "c"})),
            Ok(Some("b".into()))
        );
        assert_eq!(
            insert_item(&mut items, Some("root"), json!({"id": "r"})),
            Ok(None)
        );
        assert_eq!(
            insert_item(&mut items, Some("a"), json!({"id": "x"})),
            Ok(Some("a".into()))
        );
        assert!(insert_item(&mut items, Some("missing"), json!({"id": "y"})).is_err());
        let order: Vec<&str> = items.iter().filter_map(id_of).collect();
        assert_eq!(order, ["r", "a", "x", "b", "c"]);
    }

    #[test]
    fn event_id_is_read_from_undecodable_objects_only() {
        assert_eq!(event_id_of(r#"{"event_id":"e1","type":"x","bad":}"#), None);
        assert_eq!(
            event_id_of(r#"{"event_id":"e1","type":7}"#).as_deref(),
            Some("e1")
        );
    }
}
