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
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::audio::{self, AudioFormat};
use crate::config::{MockConfig, Pacing};
use crate::handshake::Connect;
use crate::responder::{Reply, ResponseRequest, ToolSpec};
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
        // `{"event_id":"event_N",` and then the event's own fields, written
        // once (no map is rebuilt to put the id first).
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let fields = event.to_string();
        let mut text = format!(r#"{{"event_id":"event_{id}""#);
        match fields.strip_prefix('{') {
            Some(rest) if rest != "}" => {
                text.push(',');
                text.push_str(rest);
            }
            _ => text.push('}'),
        }
        let _ = self.tx.send(Message::Text(text.into())).await;
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
    /// does not match its schema, naming the parameter (from the JSON
    /// pointer of the problem) as the service does.
    pub async fn malformed(&self, event: &realtime_types::MalformedEvent) {
        let event_id = event.raw().get("event_id").and_then(Value::as_str);
        let problem = event.problem();
        let at = crate::validate::param(&problem.pointer);
        let missing = problem
            .reason
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        match missing {
            Some(field) => {
                let param = if at.is_empty() {
                    field.to_string()
                } else {
                    format!("{at}.{field}")
                };
                let message = format!("Missing required parameter: '{param}'.");
                self.error(
                    event_id,
                    "missing_required_parameter",
                    &message,
                    Some(&param),
                )
                .await;
            }
            None => {
                let message = format!("Invalid value for '{at}': {}.", problem.reason);
                let param = Some(at.as_str()).filter(|p| !p.is_empty());
                self.error(event_id, "invalid_value", &message, param).await;
            }
        }
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
    /// Audio of assistant items as far as it was sent (a truncate shortens
    /// it), for `conversation.item.truncate` and retrieval.
    spoken: HashMap<String, Spoken>,
    /// The committed input audio of user items, for retrieval.
    heard: HashMap<String, (Vec<i16>, AudioFormat)>,
    input_audio: Vec<i16>,
    /// Milliseconds of input audio appended before the current buffer
    /// (committed or cleared): VAD offsets are from the session's start.
    input_offset_ms: u64,
    /// The item id `speech_started` announced, for the commit that follows.
    speech_item_id: Option<String>,
    vad: Option<EnergyVad>,
    audio_produced: bool,
    active_response: Option<ActiveResponse>,
}

/// The audio of an assistant item: its length and format, and whether a
/// truncate cut it (audio streamed after that does not count).
#[derive(Debug, Clone, Copy)]
struct Spoken {
    ms: u64,
    format: AudioFormat,
    truncated: bool,
}

#[derive(Debug)]
struct ActiveResponse {
    id: String,
    /// Set to the cancel reason (`client_cancelled`, `turn_detected`).
    cancel: watch::Sender<Option<&'static str>>,
}

/// The protocol engine of one connection.
pub struct Engine {
    /// Whether client events are checked against the GA schemas (the beta
    /// surface hands the engine events it translated itself).
    validates: bool,
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
            spoken: HashMap::new(),
            heard: HashMap::new(),
            input_audio: Vec::new(),
            input_offset_ms: 0,
            speech_item_id: None,
            vad: None,
            audio_produced: false,
            active_response: None,
        };
        state.vad = vad_for(&state.session);
        Engine {
            validates: connect.surface == crate::handshake::Surface::Ga,
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
        if !self.is_transcription() {
            self.out
                .send(json!({"type": "conversation.created", "conversation": {"id": "conv_mock", "object": "realtime.conversation"}}))
                .await;
        }
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

    /// Whether `event` is one the service would refuse as invalid (checked
    /// against the spec's schema of its type; see `validate`); if so, the
    /// `error` naming the parameter is sent.
    async fn refused<T>(&self, event: &T, event_id: Option<&str>) -> bool
    where
        T: schemars::JsonSchema + serde::Serialize + 'static,
    {
        if !self.validates {
            return false;
        }
        let Ok(json) = serde_json::to_value(event) else {
            return false;
        };
        match crate::validate::check::<T>(&json) {
            Ok(()) => false,
            Err(invalid) => {
                self.out
                    .error(
                        event_id,
                        "invalid_value",
                        &invalid.message,
                        Some(&invalid.param),
                    )
                    .await;
                true
            }
        }
    }

    /// Handles one decoded GA client event.
    pub async fn handle_event(&mut self, event: ClientEvent) {
        let checked = match &event {
            ClientEvent::SessionUpdate(update) => {
                self.refused(update.as_ref(), update.event_id.as_deref())
                    .await
            }
            ClientEvent::ResponseCreate(create) => {
                self.refused(create.as_ref(), create.event_id.as_deref())
                    .await
            }
            ClientEvent::ConversationItemCreate(create) => {
                self.refused(create.as_ref(), create.event_id.as_deref())
                    .await
            }
            _ => false,
        };
        if checked {
            return;
        }
        match event {
            ClientEvent::SessionUpdate(update) => self.session_update(*update).await,
            ClientEvent::ConversationItemCreate(create) => self.item_create(*create).await,
            ClientEvent::ConversationItemRetrieve(retrieve) => {
                let item = with_audio(&lock(&self.state), &retrieve.item_id);
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
                    let cleared = std::mem::take(&mut state.input_audio);
                    state.input_offset_ms += audio::duration_ms(
                        cleared.len(),
                        input_format(&state.session).sample_rate(),
                    );
                    state.speech_item_id = None;
                    if let Some(vad) = &mut state.vad {
                        vad.reset();
                    }
                }
                self.out
                    .send(json!({"type": "input_audio_buffer.cleared"}))
                    .await;
            }
            ClientEvent::OutputAudioBufferClear(_) => {
                let response_id = self.cancel_active("client_cancelled");
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
                        self.cancel_active("client_cancelled");
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

    /// Truncates an assistant item's audio where the listener stopped
    /// hearing it, at any time after its audio was sent (also while the
    /// response streams, and right after `response.cancel`). The server-side
    /// transcript is deleted, so that no text the user did not hear stays in
    /// the context.
    async fn item_truncate(&mut self, truncate: ga::client::ConversationItemTruncate) {
        let event_id = truncate.event_id.as_deref();
        let checked = {
            let mut state = lock(&self.state);
            check_truncate(&mut state, &truncate)
        };
        match checked {
            Err(Refusal::NoSuchItem) => self.no_such_item(event_id, &truncate.item_id).await,
            Err(Refusal::Invalid { message, param }) => {
                self.out
                    .error(event_id, "invalid_value", &message, Some(param))
                    .await;
            }
            Ok(()) => {
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
                    let (offset, interrupt) = {
                        let mut state = lock(&self.state);
                        state.speech_item_id = Some(item_id.clone());
                        let interrupt = turn_detection(&state.session, "interrupt_response")
                            .and_then(Value::as_bool)
                            .unwrap_or(true);
                        (state.input_offset_ms, interrupt)
                    };
                    self.out
                        .send(json!({"type": "input_audio_buffer.speech_started", "audio_start_ms": offset + audio_start_ms, "item_id": item_id}))
                        .await;
                    // Barge-in: the user talks over the response.
                    if interrupt {
                        self.cancel_active("turn_detected");
                    }
                }
                VadEvent::SpeechStopped { audio_end_ms } => {
                    // The end of the audio the model gets: the silence that
                    // ended the turn included, as the service reports it.
                    let silence = turn_detection(&lock(&self.state).session, "silence_duration_ms")
                        .and_then(Value::as_u64)
                        .unwrap_or(u64::from(VadConfig::default().silence_duration_ms));
                    self.commit_audio_as(Some(audio_end_ms + silence)).await;
                    let create_response =
                        turn_detection(&lock(&self.state).session, "create_response")
                            .and_then(Value::as_bool)
                            .unwrap_or(true);
                    if create_response && !self.is_transcription() {
                        self.start_response(None, None).await;
                    }
                }
            }
        }
    }

    fn is_transcription(&self) -> bool {
        lock(&self.state)
            .session
            .get("type")
            .and_then(Value::as_str)
            == Some("transcription")
    }

    async fn commit_audio(&mut self) {
        self.commit_audio_as(None).await;
    }

    /// Commits the input buffer as a user audio message (after
    /// `speech_stopped` when VAD ended the turn, `speech_end_ms` into the
    /// buffer), under the id `speech_started` announced; then transcribes
    /// it when the session asks for input transcription.
    async fn commit_audio_as(&mut self, speech_end_ms: Option<u64>) {
        let (item_id, previous, item, offset, transcribe, heard_ms) = {
            let mut state = lock(&self.state);
            let item_id = state
                .speech_item_id
                .take()
                .unwrap_or_else(|| self.ids.next("item"));
            let samples = std::mem::take(&mut state.input_audio);
            let format = input_format(&state.session);
            let heard_ms = audio::duration_ms(samples.len(), format.sample_rate());
            let offset = state.input_offset_ms;
            state.input_offset_ms += heard_ms;
            state.heard.insert(item_id.clone(), (samples, format));
            if let Some(vad) = &mut state.vad {
                vad.reset();
            }
            let item = json!({
                "id": item_id, "object": "realtime.item", "type": "message", "status": "completed", "role": "user",
                "content": [{"type": "input_audio", "transcript": null}]
            });
            let previous = state.items.last().and_then(id_of).map(str::to_string);
            state.items.push(item.clone());
            let transcribe = state
                .session
                .pointer("/audio/input/transcription")
                .and_then(|t| t.get("model"))
                .and_then(Value::as_str)
                .is_some();
            (item_id, previous, item, offset, transcribe, heard_ms)
        };
        if let Some(audio_end_ms) = speech_end_ms {
            self.out
                .send(json!({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": offset + audio_end_ms, "item_id": item_id}))
                .await;
        }
        self.out.send(json!({"type": "input_audio_buffer.committed", "previous_item_id": previous, "item_id": item_id})).await;
        self.out.send(json!({"type": "conversation.item.added", "previous_item_id": previous, "item": item})).await;
        self.out.send(json!({"type": "conversation.item.done", "previous_item_id": previous, "item": item})).await;
        if transcribe {
            self.transcribe(&item_id, heard_ms).await;
        }
    }

    /// `conversation.item.input_audio_transcription.delta` and `.completed`
    /// for a committed user item: the mock hears one `hello` per started
    /// second of audio, and bills the duration.
    async fn transcribe(&mut self, item_id: &str, heard_ms: u64) {
        let words = heard_ms.div_ceil(1000).max(1);
        let transcript = vec!["hello"; words as usize].join(" ");
        for word in transcript.split_inclusive(' ') {
            self.out
                .send(json!({"type": "conversation.item.input_audio_transcription.delta", "item_id": item_id, "content_index": 0, "delta": word}))
                .await;
        }
        {
            let mut state = lock(&self.state);
            if let Some(part) = state
                .items
                .iter_mut()
                .find(|i| id_of(i) == Some(item_id))
                .and_then(|item| item.pointer_mut("/content/0"))
            {
                part["transcript"] = json!(transcript);
            }
        }
        let seconds = heard_ms as f64 / 1000.0;
        self.out
            .send(json!({
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": item_id, "content_index": 0, "transcript": transcript,
                "usage": {"type": "duration", "seconds": seconds}
            }))
            .await;
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
        let (cancel, cancelled) = watch::channel(None);
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

    /// Asks the active response to stop, for `reason`; returns its id.
    fn cancel_active(&mut self, reason: &'static str) -> Option<String> {
        let state = lock(&self.state);
        let active = state.active_response.as_ref()?;
        let _ = active.cancel.send(Some(reason));
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

/// Why a request about an item is refused.
enum Refusal {
    NoSuchItem,
    Invalid {
        message: String,
        param: &'static str,
    },
}

/// Checks a truncate and applies it: the audio is cut, the transcript of
/// that content part deleted.
fn check_truncate(
    state: &mut State,
    truncate: &ga::client::ConversationItemTruncate,
) -> Result<(), Refusal> {
    let invalid = |message: String, param| Err(Refusal::Invalid { message, param });
    let Some(item) = state
        .items
        .iter_mut()
        .find(|i| id_of(i) == Some(&truncate.item_id))
    else {
        return Err(Refusal::NoSuchItem);
    };
    let Some(spoken) = state.spoken.get_mut(&truncate.item_id) else {
        return invalid(
            "Only assistant messages with audio can be truncated.".into(),
            "item_id",
        );
    };
    let parts = item
        .get("content")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let index = truncate.content_index;
    if index < 0 || index as usize >= parts {
        return invalid(
            format!("Invalid 'content_index': {index}. The item has {parts} content part(s)."),
            "content_index",
        );
    }
    if truncate.audio_end_ms < 0 {
        return invalid(
            format!(
                "Invalid 'audio_end_ms': {}. Expected a value of at least 0.",
                truncate.audio_end_ms
            ),
            "audio_end_ms",
        );
    }
    let end = truncate.audio_end_ms as u64;
    if end > spoken.ms {
        return invalid(
            format!(
                "Invalid 'audio_end_ms': {end}. The audio content of {}ms is shorter than {end}ms.",
                spoken.ms
            ),
            "audio_end_ms",
        );
    }
    spoken.ms = end;
    spoken.truncated = true;
    if let Some(part) = item.pointer_mut(&format!("/content/{index}"))
        && part.get("transcript").is_some()
    {
        part["transcript"] = json!("");
    }
    Ok(())
}

/// An item as `conversation.item.retrieved` shows it: with its audio
/// (base64 in the format it was heard or spoken in, as far as it was).
fn with_audio(state: &State, item_id: &str) -> Option<Value> {
    let mut item = state
        .items
        .iter()
        .find(|i| id_of(i) == Some(item_id))?
        .clone();
    let audio = if let Some((samples, format)) = state.heard.get(item_id) {
        Some(audio::encode_base64(samples, *format))
    } else {
        state.spoken.get(item_id).map(|spoken| {
            let rate = spoken.format.sample_rate();
            let heard = audio::samples_for(u32::try_from(spoken.ms).unwrap_or(u32::MAX), rate);
            let total = heard.max(1);
            let samples = audio::tone_segment(total, 0..heard, rate, TONE_HZ, 0.3);
            audio::encode_base64(&samples, spoken.format)
        })
    };
    if let Some(audio) = audio
        && let Some(part) = item
            .get_mut("content")
            .and_then(Value::as_array_mut)
            .and_then(|parts| {
                parts.iter_mut().find(|p| {
                    matches!(
                        p.get("type").and_then(Value::as_str),
                        Some("input_audio" | "output_audio")
                    )
                })
            })
    {
        part["audio"] = json!(audio);
    }
    Some(item)
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

/// A setting of the session's turn detection.
fn turn_detection<'a>(session: &'a Value, key: &str) -> Option<&'a Value> {
    session
        .pointer("/audio/input/turn_detection")
        .and_then(|detection| detection.get(key))
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
        let tools: Vec<ToolSpec> = params
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
                    .filter_map(|t| {
                        let name = t.get("name").and_then(Value::as_str)?;
                        Some(ToolSpec {
                            name: name.to_string(),
                            parameters: t.get("parameters").cloned(),
                        })
                    })
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

    /// An event about the response's output item (`response_id`,
    /// `item_id`, `output_index`, then `fields`).
    fn item_event(&self, fields: Value) -> Value {
        let mut event =
            json!({"response_id": self.response_id, "item_id": self.item_id, "output_index": 0});
        if let (Value::Object(event), Value::Object(fields)) = (&mut event, fields) {
            event.extend(fields);
        }
        event
    }

    /// Gives the stored (in-progress) item its empty content part.
    fn store_part(&self, state: &Mutex<State>) {
        let part = if self.audio {
            json!({"type": "output_audio", "transcript": ""})
        } else {
            json!({"type": "output_text", "text": ""})
        };
        let mut guard = lock(state);
        if let Some(stored) = guard
            .items
            .iter_mut()
            .find(|i| id_of(i) == Some(self.item_id.as_str()))
        {
            stored["content"] = json!([part]);
        }
    }

    /// Streams the response; ends early (status `cancelled`) when asked to.
    /// Audio is made one delta at a time, so memory does not grow with the
    /// length of the answer.
    async fn stream(
        self,
        out: Outbound,
        state: Arc<Mutex<State>>,
        ids: Arc<Ids>,
        pacing: Pacing,
        mut cancelled: watch::Receiver<Option<&'static str>>,
    ) {
        if let Reply::Events(events) = &self.reply {
            for event in events {
                out.send(event.clone()).await;
            }
            lock(&state).active_response = None;
            return;
        }
        out.send(json!({"type": "response.created", "response": self.response_object("in_progress", vec![], None, Value::Null)})).await;
        // The service reports rate limits as a response starts.
        out.send(json!({
            "type": "rate_limits.updated",
            "rate_limits": [
                {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
                {"name": "tokens", "limit": 50000, "remaining": 49000, "reset_seconds": 60}
            ]
        }))
        .await;
        let (mut item, steps, text_tokens) = self.build_item(&ids);
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
        out.send(json!({"type": "response.output_item.added", "response_id": self.response_id, "output_index": 0, "item": item_in_progress})).await;
        if !self.out_of_band {
            lock(&state).items.push(item_in_progress.clone());
            out.send(json!({"type": "conversation.item.added", "previous_item_id": self.previous_item_id, "item": item_in_progress})).await;
        }
        let rate = self.format.sample_rate();
        let mut audio_ms = 0u64;
        // What was streamed of the text or transcript (all of it, unless cancelled).
        let mut said = String::new();
        let mut cancel_reason = None;
        let mut due = tokio::time::Instant::now();
        for step in steps {
            if let Some(reason) = *cancelled.borrow() {
                cancel_reason = Some(reason);
                break;
            }
            match step {
                Step::Wait(duration) => {
                    if pacing == Pacing::RealTime {
                        // Deadlines from the start, so that late wake-ups
                        // do not add up: the audio keeps real time.
                        due += duration;
                        tokio::select! {
                            _ = tokio::time::sleep_until(due) => {}
                            _ = cancelled.changed() => {
                                cancel_reason = Some((*cancelled.borrow()).unwrap_or("client_cancelled"));
                                break;
                            }
                        }
                    }
                }
                Step::Audio { total, start, len } => {
                    let samples =
                        audio::tone_segment(total, start..start + len, rate, TONE_HZ, 0.3);
                    let delta = audio::encode_base64(&samples, self.format);
                    out.send(self.item_event(json!({"type": "response.output_audio.delta", "content_index": 0, "delta": delta}))).await;
                    let ms = audio::duration_ms(samples.len(), rate);
                    audio_ms += ms;
                    let mut guard = lock(&state);
                    guard.audio_produced = true;
                    let spoken = guard.spoken.entry(self.item_id.clone()).or_insert(Spoken {
                        ms: 0,
                        format: self.format,
                        truncated: false,
                    });
                    if !spoken.truncated {
                        spoken.ms += ms;
                    }
                }
                Step::Said(event) => {
                    if let Some(delta) = event.get("delta").and_then(Value::as_str) {
                        said.push_str(delta);
                    }
                    out.send(event).await;
                }
                Step::Event(event) => {
                    if event["type"] == "response.content_part.added" && !self.out_of_band {
                        // The item has its part from now on (a truncate counts it).
                        self.store_part(&state);
                    }
                    out.send(event).await
                }
            }
        }
        let status = if cancel_reason.is_some() {
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
        if cancel_reason.is_some() {
            // Only what was streamed stays: the item and its part close with it.
            let key = if self.audio { "transcript" } else { "text" };
            if let Some(part) = item.pointer_mut("/content/0") {
                part[key] = json!(said);
                let mut closed = part.clone();
                if let Some(fields) = closed.as_object_mut() {
                    fields.insert(
                        "type".into(),
                        json!(if self.audio { "audio" } else { "text" }),
                    );
                }
                out.send(self.item_event(json!({"type": "response.content_part.done", "content_index": 0, "part": closed}))).await;
            }
        }
        out.send(json!({"type": "response.output_item.done", "response_id": self.response_id, "output_index": 0, "item": item})).await;
        {
            let mut guard = lock(&state);
            if guard.spoken.get(&self.item_id).is_some_and(|s| s.truncated)
                && let Some(part) = item.pointer_mut("/content/0")
            {
                // A truncate deleted the transcript; the end does not bring it back.
                part["transcript"] = json!("");
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
        if !self.out_of_band {
            out.send(json!({"type": "conversation.item.done", "previous_item_id": self.previous_item_id, "item": item})).await;
        }
        let output_tokens =
            text_tokens.min(self.max_output_tokens.unwrap_or(u64::MAX)) + audio_ms / 50;
        let usage = json!({
            "total_tokens": 100 + output_tokens, "input_tokens": 100, "output_tokens": output_tokens,
            "input_token_details": {"cached_tokens": 0, "text_tokens": 100, "audio_tokens": 0},
            "output_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_ms / 50}
        });
        let details = match (status, cancel_reason) {
            ("cancelled", Some(reason)) => json!({"type": "cancelled", "reason": reason}),
            ("incomplete", _) => json!({"type": "incomplete", "reason": "max_output_tokens"}),
            _ => Value::Null,
        };
        out.send(json!({"type": "response.done", "response": self.response_object(status, vec![item], Some(usage), details)})).await;
    }

    fn truncated_by_tokens(&self, text_tokens: u64) -> bool {
        self.max_output_tokens.is_some_and(|max| text_tokens > max)
    }

    /// The finished item, the steps that stream it, and its text tokens.
    fn build_item(&self, ids: &Ids) -> (Value, Vec<Step>, u64) {
        let with = |fields: Value| self.item_event(fields);
        let text = match &self.reply {
            Reply::Message { text } => text.clone(),
            Reply::Events(_) => return (Value::Null, Vec::new(), 0),
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
                return (item, steps, 0);
            }
        };
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
        steps.push(Step::Event(with(
            json!({"type": "response.content_part.added", "content_index": 0, "part": empty_part}),
        )));
        if self.audio {
            let rate = self.format.sample_rate();
            let duration = (said.chars().count() as u32)
                .saturating_mul(MS_PER_CHAR)
                .max(200);
            let total = audio::samples_for(duration, rate);
            let per_delta = (rate * DELTA_MS / 1000).max(1) as usize;
            let deltas = total.div_ceil(per_delta);
            let word_every = (deltas + 1) / kept.max(1) + 1;
            let mut pending_words = words[..kept].iter();
            for index in 0..deltas {
                let start = index * per_delta;
                let len = per_delta.min(total - start);
                steps.push(Step::Audio { total, start, len });
                if index % word_every == 0
                    && let Some(word) = pending_words.next()
                {
                    steps.push(Step::Said(with(json!({"type": "response.output_audio_transcript.delta", "content_index": 0, "delta": word}))));
                }
                steps.push(Step::Wait(Duration::from_millis(audio::duration_ms(
                    len, rate,
                ))));
            }
            for word in pending_words {
                steps.push(Step::Said(with(json!({"type": "response.output_audio_transcript.delta", "content_index": 0, "delta": word}))));
            }
            steps.push(Step::Event(with(
                json!({"type": "response.output_audio.done", "content_index": 0}),
            )));
            steps.push(Step::Event(with(json!({"type": "response.output_audio_transcript.done", "content_index": 0, "transcript": said}))));
            steps.push(Step::Event(with(json!({"type": "response.content_part.done", "content_index": 0, "part": {"type": "audio", "transcript": said}}))));
        } else {
            for word in &words[..kept] {
                steps.push(Step::Said(with(json!({"type": "response.output_text.delta", "content_index": 0, "delta": word}))));
            }
            steps.push(Step::Event(with(
                json!({"type": "response.output_text.done", "content_index": 0, "text": said}),
            )));
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
        (item, steps, text_tokens)
    }
}

/// One step of a response's stream.
enum Step {
    Event(Value),
    /// A text or transcript delta: what it adds was said.
    Said(Value),
    /// One audio delta: samples `start..start + len` of the response's tone
    /// of `total` samples, made when it is sent.
    Audio {
        total: usize,
        start: usize,
        len: usize,
    },
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
