//! The protocol engine of one connection (GA surface): the session, the
//! conversation, the input audio buffer and responses, answering each client
//! event with the server events the real service sends.
//!
//! Every client frame is decoded with the generated
//! `realtime_types::ga::ClientEvent` first, and every server event is built
//! with the generated constructor of its type (`server::ResponseDone::new`,
//! ...), its session, response and items as the generated types: an event
//! or field the spec renames or removes breaks the mock's build.
//!
//! The state is JSON in the wire shape, because that is what the protocol
//! defines on it: a `session.update` is a JSON merge into the session
//! object (only the fields present change; `null` clears), and items are
//! stored as they are sent back (a truncate edits their transcript in
//! place). The state becomes the generated session and item types where an
//! event carries it.
//!
//! One file per concern: this one holds the state and answers each client
//! event; `outbound` writes server events, `session` knows what settings
//! mean, `conversation` keeps the items, `input_audio` the input buffer and
//! its VAD, `response` streams responses.

use realtime_types::ga::server;
use realtime_types::shared;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use realtime_types::ga::{self, ClientEvent};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::audio::{self, AudioFormat};
use crate::config::MockConfig;
use crate::handshake::Connect;
use crate::vad::EnergyVad;

mod conversation;
mod input_audio;
mod outbound;
mod response;
mod session;

use conversation::*;
pub(crate) use conversation::{merge, stored};
pub use outbound::{Dialect, Outbound};
pub(crate) use outbound::{encode, json_error_place};
use response::*;
use session::*;
pub(crate) use session::{configured_session, expires_at};

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
    /// The id of the last response started.
    last_response_id: Option<String>,
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
        let mut session = default_session(connect, &ids);
        // A client secret's or a call's session configuration applies from the start.
        if let Some(minted) = &connect.initial_session {
            merge(&mut session, minted.clone());
        }
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
            last_response_id: None,
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
        let session = typed_session(
            lock(&self.state).session.clone(),
            ga::CreatedSession::Unknown,
        );
        self.out
            .send(|id| server::SessionCreated::new(id, session))
            .await;
        if !self.is_transcription() {
            let conversation = shared::CreatedConversation::default()
                .with_id("conv_mock")
                .with_object("realtime.conversation");
            self.out
                .send(|id| shared::ConversationCreated::new(id, conversation))
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
                        let item = typed_item(item);
                        self.out
                            .send(|id| server::ConversationItemRetrieved::new(id, item))
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
                    // The item's audio goes with it.
                    state.heard.remove(&delete.item_id);
                    state.spoken.remove(&delete.item_id);
                    position.map(|p| state.items.remove(p))
                };
                match removed {
                    Some(_) => {
                        self.out
                            .send(|id| shared::ConversationItemDeleted::new(id, delete.item_id))
                            .await
                    }
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
                self.out.send(shared::InputAudioBufferCleared::new).await;
            }
            ClientEvent::OutputAudioBufferClear(_) => {
                let cancelled = self.cancel_active("client_cancelled");
                // The response whose audio was cleared: the active one, or
                // the last one (its audio may still be playing).
                let response_id = cancelled
                    .or_else(|| lock(&self.state).last_response_id.clone())
                    .unwrap_or_default();
                self.out
                    .send(|id| shared::OutputAudioBufferCleared::new(id, response_id))
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

    /// `conversation.item.added` and `conversation.item.done` for an item
    /// the conversation now holds after `previous`.
    pub(super) async fn item_added(&self, previous: Option<String>, item: ga::ConversationItem) {
        let done = item.clone();
        let after = previous.clone();
        self.out
            .send(|id| {
                let added = server::ConversationItemAdded::new(id, item);
                match after {
                    Some(previous) => added.with_previous_item_id(previous),
                    None => added.with_previous_item_id_null(),
                }
            })
            .await;
        self.out
            .send(|id| {
                let done = server::ConversationItemDone::new(id, done);
                match previous {
                    Some(previous) => done.with_previous_item_id(previous),
                    None => done.with_previous_item_id_null(),
                }
            })
            .await;
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
                let session = typed_session(session, ga::UpdatedSession::Unknown);
                self.out
                    .send(|id| server::SessionUpdated::new(id, session))
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
        let mut typed = create.item.clone();
        complete_item(&mut typed, &self.ids);
        let Some(item) = stored(&typed) else {
            return self.reject(event_id, "The item could not be stored.").await;
        };
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
            Ok(previous) => self.item_added(previous, typed).await,
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
                    .send(|id| {
                        shared::ConversationItemTruncated::new(
                            id,
                            truncate.item_id,
                            truncate.content_index,
                            truncate.audio_end_ms,
                        )
                    })
                    .await;
            }
        }
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
            state.last_response_id = Some(plan.response_id.clone());
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

#[cfg(test)]
mod tests {
    use super::outbound::event_id_of;
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
