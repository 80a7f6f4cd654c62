//! The generated per-event methods (`ClientEventMethods`) send exactly the
//! JSON of the spec's example: every client event example of every surface
//! is taken apart into its fields, the event's own method is called with
//! them, and what it sends must equal the example.

mod common;

use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use common::pinned_examples;
use realtime_types::{beta, ga, translation};
use serde_json::Value;

/// Records what the methods send.
#[derive(Default)]
struct Recorder(Mutex<Vec<Value>>);

impl Recorder {
    fn record(&self, event: impl serde::Serialize) -> Ready<Result<(), String>> {
        let value = serde_json::to_value(event).map_err(|e| e.to_string());
        ready(value.map(|value| self.0.lock().expect("not poisoned").push(value)))
    }

    fn last(&self) -> Value {
        self.0
            .lock()
            .expect("not poisoned")
            .last()
            .cloned()
            .expect("something was sent")
    }
}

impl ga::ClientEventMethods for Recorder {
    type Error = String;
    fn send_event(
        &self,
        event: ga::ClientEvent,
    ) -> impl Future<Output = Result<(), String>> + Send {
        self.record(event)
    }
}

impl beta::ClientEventMethods for Recorder {
    type Error = String;
    fn send_event(
        &self,
        event: beta::ClientEvent,
    ) -> impl Future<Output = Result<(), String>> + Send {
        self.record(event)
    }
}

impl translation::ClientEventMethods for Recorder {
    type Error = String;
    fn send_event(
        &self,
        event: translation::ClientEvent,
    ) -> impl Future<Output = Result<(), String>> + Send {
        self.record(event)
    }
}

/// Runs a future that is ready at once (the recorder never waits).
fn now<T>(future: impl Future<Output = T>) -> T {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the recorder never waits"),
    }
}

fn send_ga(recorder: &Recorder, event: ga::ClientEvent) -> Result<(), String> {
    use ga::ClientEvent as E;
    use ga::ClientEventMethods as _;
    match event {
        E::ConversationItemCreate(e) => {
            now(recorder.conversation_item_create(e.previous_item_id, e.item, e.event_id))
        }
        E::ConversationItemDelete(e) => {
            now(recorder.conversation_item_delete(e.item_id, e.event_id))
        }
        E::ConversationItemRetrieve(e) => {
            now(recorder.conversation_item_retrieve(e.item_id, e.event_id))
        }
        E::ConversationItemTruncate(e) => now(recorder.conversation_item_truncate(
            e.item_id,
            e.content_index,
            e.audio_end_ms,
            e.event_id,
        )),
        E::InputAudioBufferAppend(e) => {
            now(recorder.input_audio_buffer_append(e.audio, e.event_id))
        }
        E::InputAudioBufferClear(e) => now(recorder.input_audio_buffer_clear(e.event_id)),
        E::OutputAudioBufferClear(e) => now(recorder.output_audio_buffer_clear(e.event_id)),
        E::InputAudioBufferCommit(e) => now(recorder.input_audio_buffer_commit(e.event_id)),
        E::ResponseCancel(e) => now(recorder.response_cancel(e.response_id, e.event_id)),
        E::ResponseCreate(e) => now(recorder.response_create(e.response, e.event_id)),
        E::SessionUpdate(e) => now(recorder.session_update(e.session, e.event_id)),
        E::Unknown(raw) => Err(format!("unknown event {raw}")),
        E::Malformed(event) => Err(event.to_string()),
    }
}

fn send_beta(recorder: &Recorder, event: beta::ClientEvent) -> Result<(), String> {
    use beta::ClientEvent as E;
    use beta::ClientEventMethods as _;
    match event {
        E::SessionUpdate(e) => now(recorder.session_update(e.session, e.event_id)),
        E::InputAudioBufferAppend(e) => {
            now(recorder.input_audio_buffer_append(e.audio, e.event_id))
        }
        E::InputAudioBufferCommit(e) => now(recorder.input_audio_buffer_commit(e.event_id)),
        E::InputAudioBufferClear(e) => now(recorder.input_audio_buffer_clear(e.event_id)),
        E::ConversationItemCreate(e) => {
            now(recorder.conversation_item_create(e.previous_item_id, e.item, e.event_id))
        }
        E::ConversationItemRetrieve(e) => {
            now(recorder.conversation_item_retrieve(e.item_id, e.event_id))
        }
        E::ConversationItemTruncate(e) => now(recorder.conversation_item_truncate(
            e.item_id,
            e.content_index,
            e.audio_end_ms,
            e.event_id,
        )),
        E::ConversationItemDelete(e) => {
            now(recorder.conversation_item_delete(e.item_id, e.event_id))
        }
        E::ResponseCreate(e) => now(recorder.response_create(e.response, e.event_id)),
        E::ResponseCancel(e) => now(recorder.response_cancel(e.response_id, e.event_id)),
        E::TranscriptionSessionUpdate(e) => {
            now(recorder.transcription_session_update(e.session, e.event_id))
        }
        E::OutputAudioBufferClear(e) => now(recorder.output_audio_buffer_clear(e.event_id)),
        E::Unknown(raw) => Err(format!("unknown event {raw}")),
        E::Malformed(event) => Err(event.to_string()),
    }
}

fn send_translation(recorder: &Recorder, event: translation::ClientEvent) -> Result<(), String> {
    use translation::ClientEvent as E;
    use translation::ClientEventMethods as _;
    match event {
        E::SessionUpdate(e) => now(recorder.session_update(e.session, e.event_id)),
        E::SessionInputAudioBufferAppend(e) => {
            now(recorder.session_input_audio_buffer_append(e.audio, e.event_id))
        }
        E::SessionClose(e) => now(recorder.session_close(e.event_id)),
        E::Unknown(raw) => Err(format!("unknown event {raw}")),
        E::Malformed(event) => Err(event.to_string()),
    }
}

#[test]
fn every_per_event_method_sends_the_json_of_the_spec_example() {
    let (examples, _) = pinned_examples();
    let client_examples: Vec<_> = examples
        .iter()
        .filter(|e| e.union == "ClientEvent")
        .collect();
    assert!(
        client_examples.len() >= 11 + 12 + 3,
        "one example per client event at least"
    );
    for example in client_examples {
        let recorder = Recorder::default();
        let value = example.value.clone();
        let sent = match example.surface.as_str() {
            "ga" => send_ga(
                &recorder,
                serde_json::from_value(value.clone()).expect("decodes"),
            ),
            "beta" => send_beta(
                &recorder,
                serde_json::from_value(value.clone()).expect("decodes"),
            ),
            "translation" => send_translation(
                &recorder,
                serde_json::from_value(value.clone()).expect("decodes"),
            ),
            other => panic!("no methods for surface {other}"),
        };
        sent.unwrap_or_else(|e| panic!("{} ({}): {e}", example.schema, example.surface));
        assert_eq!(
            recorder.last(),
            value,
            "{} ({})",
            example.schema,
            example.surface
        );
    }
}
