//! The input audio buffer: appends, server VAD (its ids and session-wide
//! times, barge-in), commits, and input transcription.

use realtime_types::ga::{self, server};
use realtime_types::shared;
use serde_json::{Value, json};

use super::conversation::{id_of, stored};
use super::session::{input_format, turn_detection};
use super::{Engine, lock};
use crate::audio;
use crate::vad::{VadConfig, VadEvent};

impl Engine {
    pub(super) async fn audio_append(&mut self, event_id: Option<&str>, base64: &str) {
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
                        .send(|id| {
                            shared::InputAudioBufferSpeechStarted::new(
                                id,
                                ms(offset + audio_start_ms),
                                item_id,
                            )
                        })
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

    pub(super) fn is_transcription(&self) -> bool {
        lock(&self.state)
            .session
            .get("type")
            .and_then(Value::as_str)
            == Some("transcription")
    }

    pub(super) async fn commit_audio(&mut self) {
        self.commit_audio_as(None).await;
    }

    /// Commits the input buffer as a user audio message (after
    /// `speech_stopped` when VAD ended the turn, `speech_end_ms` into the
    /// buffer), under the id `speech_started` announced; then transcribes
    /// it when the session asks for input transcription.
    pub(super) async fn commit_audio_as(&mut self, speech_end_ms: Option<u64>) {
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
            // The transcript is `null` until the audio is transcribed (the
            // types keep such a `null` among the unknown fields).
            let mut content = ga::UserContent::input_audio();
            content
                .unknown_fields
                .insert("transcript".into(), Value::Null);
            let item: ga::ConversationItem = ga::UserMessage::new(vec![content])
                .with_id(item_id.clone())
                .with_object(ga::MessageObject::RealtimeItem)
                .with_status(ga::MessageStatus::Completed)
                .into();
            let previous = state.items.last().and_then(id_of).map(str::to_string);
            state.items.extend(stored(&item));
            let transcribe = state
                .session
                .pointer("/audio/input/transcription")
                .and_then(|t| t.get("model"))
                .and_then(Value::as_str)
                .is_some();
            (item_id, previous, item, offset, transcribe, heard_ms)
        };
        if let Some(audio_end_ms) = speech_end_ms {
            let item_id = item_id.clone();
            self.out
                .send(|id| {
                    shared::InputAudioBufferSpeechStopped::new(
                        id,
                        ms(offset + audio_end_ms),
                        item_id,
                    )
                })
                .await;
        }
        let committed = previous.clone();
        let committed_id = item_id.clone();
        self.out
            .send(|id| {
                let event = shared::InputAudioBufferCommitted::new(id, committed_id);
                match committed {
                    Some(previous) => event.with_previous_item_id(previous),
                    None => event.with_previous_item_id_null(),
                }
            })
            .await;
        self.item_added(previous, item).await;
        if transcribe {
            self.transcribe(&item_id, heard_ms).await;
        }
    }

    /// `conversation.item.input_audio_transcription.delta` and `.completed`
    /// for a committed user item: the mock hears one `hello` per started
    /// second of audio, and bills the duration.
    pub(super) async fn transcribe(&mut self, item_id: &str, heard_ms: u64) {
        let words = heard_ms.div_ceil(1000).max(1);
        let transcript = vec!["hello"; words as usize].join(" ");
        for word in transcript.split_inclusive(' ') {
            self.out
                .send(|id| {
                    shared::ConversationItemInputAudioTranscriptionDelta::new(id, item_id)
                        .with_content_index(0)
                        .with_delta(word)
                })
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
        let usage = shared::TranscriptTextUsageDuration::new(seconds);
        self.out
            .send(|id| {
                server::ConversationItemInputAudioTranscriptionCompleted::new(
                    id, item_id, 0, transcript, usage,
                )
            })
            .await;
    }
}

/// Milliseconds as the events' integer type.
fn ms(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}
