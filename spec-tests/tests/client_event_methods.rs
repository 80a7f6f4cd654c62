//! The generated per-event methods (`ClientEventMethods`) and
//! constructors build exactly the JSON of the spec's examples: every client
//! event example of every surface is taken apart into its fields, then
//!
//! - the event is built again with `new(required ..)` and one `with_` setter
//!   per optional field the example sets, which must give the example; and
//! - the event's own send method is called with the required fields, which
//!   must send the example without its optional fields (the methods take no
//!   `Option`: optional fields are set on the struct).

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

/// Applies `with_<field>` when the example sets the field.
macro_rules! set {
    ($built:expr, $($field:ident => $with:ident),* $(,)?) => {{
        let mut built = $built;
        $(if let Some(value) = $field { built = built.$with(value); })*
        built
    }};
}

/// What one example gives: the event built again with constructors and
/// setters, the keys of its optional fields, and whether sending worked.
struct Rebuilt {
    built: Value,
    optional: &'static [&'static str],
    sent: Result<(), String>,
}

fn rebuilt(
    built: impl serde::Serialize,
    optional: &'static [&'static str],
    sent: Result<(), String>,
) -> Rebuilt {
    Rebuilt {
        built: serde_json::to_value(built).expect("encodes"),
        optional,
        sent,
    }
}

fn ga_event(recorder: &Recorder, event: ga::ClientEvent) -> Rebuilt {
    use ga::ClientEvent as E;
    use ga::ClientEventMethods as _;
    use ga::client::*;
    match event {
        E::ConversationItemCreate(e) => {
            let ConversationItemCreate {
                event_id,
                previous_item_id,
                item,
                ..
            } = *e;
            let sent = now(recorder.conversation_item_create(item.clone()));
            let built = set!(ConversationItemCreate::new(item), event_id => with_event_id, previous_item_id => with_previous_item_id);
            rebuilt(
                ga::ClientEvent::from(built),
                &["event_id", "previous_item_id"],
                sent,
            )
        }
        E::ConversationItemDelete(e) => {
            let sent = now(recorder.conversation_item_delete(e.item_id.clone()));
            let event_id = e.event_id;
            let built = set!(ConversationItemDelete::new(e.item_id), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::ConversationItemRetrieve(e) => {
            let sent = now(recorder.conversation_item_retrieve(e.item_id.clone()));
            let event_id = e.event_id;
            let built = set!(ConversationItemRetrieve::new(e.item_id), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::ConversationItemTruncate(e) => {
            let sent = now(recorder.conversation_item_truncate(
                e.item_id.clone(),
                e.content_index,
                e.audio_end_ms,
            ));
            let event_id = e.event_id;
            let built = set!(ConversationItemTruncate::new(e.item_id, e.content_index, e.audio_end_ms), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::InputAudioBufferAppend(e) => {
            let sent = now(recorder.input_audio_buffer_append(e.audio.clone()));
            let event_id = e.event_id;
            let built = set!(InputAudioBufferAppend::new(e.audio), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::InputAudioBufferClear(e) => {
            let sent = now(recorder.input_audio_buffer_clear());
            let event_id = e.event_id;
            let built = set!(InputAudioBufferClear::default(), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::OutputAudioBufferClear(e) => {
            let sent = now(recorder.output_audio_buffer_clear());
            let event_id = e.event_id;
            let built = set!(OutputAudioBufferClear::default(), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::InputAudioBufferCommit(e) => {
            let sent = now(recorder.input_audio_buffer_commit());
            let event_id = e.event_id;
            let built = set!(InputAudioBufferCommit::default(), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::ResponseCancel(e) => {
            let sent = now(recorder.response_cancel());
            let ResponseCancel {
                event_id,
                response_id,
                ..
            } = e;
            let built = set!(ResponseCancel::default(), event_id => with_event_id, response_id => with_response_id);
            rebuilt(
                ga::ClientEvent::from(built),
                &["event_id", "response_id"],
                sent,
            )
        }
        E::ResponseCreate(e) => {
            let sent = now(recorder.response_create());
            let ResponseCreate {
                event_id, response, ..
            } = *e;
            let built = set!(ResponseCreate::default(), event_id => with_event_id, response => with_response);
            rebuilt(
                ga::ClientEvent::from(built),
                &["event_id", "response"],
                sent,
            )
        }
        E::SessionUpdate(e) => {
            let SessionUpdate {
                event_id, session, ..
            } = *e;
            let sent = now(recorder.session_update(session.clone()));
            let built = set!(SessionUpdate::new(session), event_id => with_event_id);
            rebuilt(ga::ClientEvent::from(built), &["event_id"], sent)
        }
        E::Unknown(_) | E::Malformed(_) => panic!("the example is not a known event"),
    }
}

fn beta_event(recorder: &Recorder, event: beta::ClientEvent) -> Rebuilt {
    use beta::ClientEvent as E;
    use beta::ClientEventMethods as _;
    use beta::client::*;
    match event {
        E::SessionUpdate(e) => {
            let SessionUpdate {
                event_id, session, ..
            } = *e;
            let sent = now(recorder.session_update(session.clone()));
            let built = set!(SessionUpdate::new(session), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::TranscriptionSessionUpdate(e) => {
            let TranscriptionSessionUpdate {
                event_id, session, ..
            } = *e;
            let sent = now(recorder.transcription_session_update(session.clone()));
            let built = set!(TranscriptionSessionUpdate::new(session), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::InputAudioBufferAppend(e) => {
            let sent = now(recorder.input_audio_buffer_append(e.audio.clone()));
            let event_id = e.event_id;
            let built = set!(InputAudioBufferAppend::new(e.audio), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::InputAudioBufferCommit(e) => {
            let sent = now(recorder.input_audio_buffer_commit());
            let event_id = e.event_id;
            let built = set!(InputAudioBufferCommit::default(), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::InputAudioBufferClear(e) => {
            let sent = now(recorder.input_audio_buffer_clear());
            let event_id = e.event_id;
            let built = set!(InputAudioBufferClear::default(), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::OutputAudioBufferClear(e) => {
            let sent = now(recorder.output_audio_buffer_clear());
            let event_id = e.event_id;
            let built = set!(OutputAudioBufferClear::default(), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::ConversationItemCreate(e) => {
            let ConversationItemCreate {
                event_id,
                previous_item_id,
                item,
                ..
            } = *e;
            let sent = now(recorder.conversation_item_create(item.clone()));
            let built = set!(ConversationItemCreate::new(item), event_id => with_event_id, previous_item_id => with_previous_item_id);
            rebuilt(
                beta::ClientEvent::from(built),
                &["event_id", "previous_item_id"],
                sent,
            )
        }
        E::ConversationItemRetrieve(e) => {
            let sent = now(recorder.conversation_item_retrieve(e.item_id.clone()));
            let event_id = e.event_id;
            let built = set!(ConversationItemRetrieve::new(e.item_id), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::ConversationItemTruncate(e) => {
            let sent = now(recorder.conversation_item_truncate(
                e.item_id.clone(),
                e.content_index,
                e.audio_end_ms,
            ));
            let event_id = e.event_id;
            let built = set!(ConversationItemTruncate::new(e.item_id, e.content_index, e.audio_end_ms), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::ConversationItemDelete(e) => {
            let sent = now(recorder.conversation_item_delete(e.item_id.clone()));
            let event_id = e.event_id;
            let built = set!(ConversationItemDelete::new(e.item_id), event_id => with_event_id);
            rebuilt(beta::ClientEvent::from(built), &["event_id"], sent)
        }
        E::ResponseCreate(e) => {
            let sent = now(recorder.response_create());
            let ResponseCreate {
                event_id, response, ..
            } = *e;
            let built = set!(ResponseCreate::default(), event_id => with_event_id, response => with_response);
            rebuilt(
                beta::ClientEvent::from(built),
                &["event_id", "response"],
                sent,
            )
        }
        E::ResponseCancel(e) => {
            let sent = now(recorder.response_cancel());
            let ResponseCancel {
                event_id,
                response_id,
                ..
            } = e;
            let built = set!(ResponseCancel::default(), event_id => with_event_id, response_id => with_response_id);
            rebuilt(
                beta::ClientEvent::from(built),
                &["event_id", "response_id"],
                sent,
            )
        }
        E::Unknown(_) | E::Malformed(_) => panic!("the example is not a known event"),
    }
}

fn translation_event(recorder: &Recorder, event: translation::ClientEvent) -> Rebuilt {
    use translation::ClientEvent as E;
    use translation::ClientEventMethods as _;
    use translation::client::*;
    match event {
        E::SessionUpdate(e) => {
            let SessionUpdate {
                event_id, session, ..
            } = *e;
            let sent = now(recorder.session_update(session.clone()));
            let built = set!(SessionUpdate::new(session), event_id => with_event_id);
            rebuilt(translation::ClientEvent::from(built), &["event_id"], sent)
        }
        E::SessionInputAudioBufferAppend(e) => {
            let sent = now(recorder.session_input_audio_buffer_append(e.audio.clone()));
            let event_id = e.event_id;
            let built =
                set!(SessionInputAudioBufferAppend::new(e.audio), event_id => with_event_id);
            rebuilt(translation::ClientEvent::from(built), &["event_id"], sent)
        }
        E::SessionClose(e) => {
            let sent = now(recorder.session_close());
            let event_id = e.event_id;
            let built = set!(SessionClose::default(), event_id => with_event_id);
            rebuilt(translation::ClientEvent::from(built), &["event_id"], sent)
        }
        E::Unknown(_) | E::Malformed(_) => panic!("the example is not a known event"),
    }
}

#[test]
fn constructors_and_send_methods_give_the_json_of_every_spec_example() {
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
        let decoded = |what| format!("{} ({}) decodes: {what}", example.schema, example.surface);
        let rebuilt = match example.surface.as_str() {
            "ga" => ga_event(
                &recorder,
                serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{}", decoded(e))),
            ),
            "beta" => beta_event(
                &recorder,
                serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{}", decoded(e))),
            ),
            "translation" => translation_event(
                &recorder,
                serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{}", decoded(e))),
            ),
            other => panic!("no methods for surface {other}"),
        };
        let context = format!("{} ({})", example.schema, example.surface);
        assert_eq!(
            rebuilt.built, value,
            "{context}: built with new and with_ setters"
        );
        rebuilt.sent.unwrap_or_else(|e| panic!("{context}: {e}"));
        let mut required_only = value.clone();
        if let Value::Object(map) = &mut required_only {
            for key in rebuilt.optional {
                map.remove(*key);
            }
        }
        assert_eq!(
            recorder.last(),
            required_only,
            "{context}: sent by its method"
        );
    }
}
