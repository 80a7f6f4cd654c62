//! The input audio buffer: appends, server VAD (its ids and session-wide
//! times, barge-in), commits, and input transcription.

use realtime_types::ga::server;
use realtime_types::shared;
use serde_json::{Value, json};

use super::conversation::id_of;
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
                        .send(json!({"type": shared::InputAudioBufferSpeechStarted::TYPE, "audio_start_ms": offset + audio_start_ms, "item_id": item_id}))
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
                .send(json!({"type": shared::InputAudioBufferSpeechStopped::TYPE, "audio_end_ms": offset + audio_end_ms, "item_id": item_id}))
                .await;
        }
        self.out.send(json!({"type": shared::InputAudioBufferCommitted::TYPE, "previous_item_id": previous, "item_id": item_id})).await;
        self.out.send(json!({"type": server::ConversationItemAdded::TYPE, "previous_item_id": previous, "item": item})).await;
        self.out.send(json!({"type": server::ConversationItemDone::TYPE, "previous_item_id": previous, "item": item})).await;
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
                .send(json!({"type": shared::ConversationItemInputAudioTranscriptionDelta::TYPE, "item_id": item_id, "content_index": 0, "delta": word}))
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
                "type": server::ConversationItemInputAudioTranscriptionCompleted::TYPE,
                "item_id": item_id, "content_index": 0, "transcript": transcript,
                "usage": {"type": "duration", "seconds": seconds}
            }))
            .await;
    }
}
