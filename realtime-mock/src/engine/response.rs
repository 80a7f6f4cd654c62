//! Responses: what one will send, decided when it starts
//! ([`ResponsePlan`]), and streaming it, paced, cancellable, audio made one
//! delta at a time.

use realtime_types::ga::server;
use realtime_types::shared;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;

use super::conversation::{id_of, resolve_reference};
use super::session::{format_json, format_of, output_format};
use super::{Ids, Spoken, State, lock};
use crate::audio::{self, AudioFormat};
use crate::config::{MockConfig, Pacing};
use crate::engine::Outbound;
use crate::responder::{Reply, ResponseRequest, ToolSpec};

/// Milliseconds of audio per output delta.
pub(super) const DELTA_MS: u32 = 100;

/// Spoken length of response text: milliseconds of tone per character.
pub(super) const MS_PER_CHAR: u32 = 50;

/// Tone frequency of synthesized speech.
pub(super) const TONE_HZ: f32 = 440.0;

/// Everything a response will send, decided when it starts.
pub(super) struct ResponsePlan {
    pub(super) response_id: String,
    pub(super) item_id: String,
    /// `conversation: "none"`: nothing is added to the conversation.
    pub(super) out_of_band: bool,
    pub(super) audio: bool,
    pub(super) format: AudioFormat,
    pub(super) voice: Value,
    pub(super) reply: Reply,
    pub(super) max_output_tokens: Option<u64>,
    pub(super) metadata: Value,
    pub(super) previous_item_id: Option<String>,
}

impl ResponsePlan {
    pub(super) fn new(state: &State, params: &Value, ids: &Ids, config: &MockConfig) -> Self {
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
    pub(super) async fn stream(
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
        out.send(json!({"type": server::ResponseCreated::TYPE, "response": self.response_object("in_progress", vec![], None, Value::Null)})).await;
        // The service reports rate limits as a response starts.
        out.send(json!({
            "type": shared::RateLimitsUpdated::TYPE,
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
        out.send(json!({"type": server::ResponseOutputItemAdded::TYPE, "response_id": self.response_id, "output_index": 0, "item": item_in_progress})).await;
        if !self.out_of_band {
            lock(&state).items.push(item_in_progress.clone());
            out.send(json!({"type": server::ConversationItemAdded::TYPE, "previous_item_id": self.previous_item_id, "item": item_in_progress})).await;
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
                    out.send(self.item_event(json!({"type": server::ResponseOutputAudioDelta::TYPE, "content_index": 0, "delta": delta}))).await;
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
                out.send(self.item_event(json!({"type": shared::ResponseContentPartDone::TYPE, "content_index": 0, "part": closed}))).await;
            }
        }
        out.send(json!({"type": server::ResponseOutputItemDone::TYPE, "response_id": self.response_id, "output_index": 0, "item": item})).await;
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
            out.send(json!({"type": server::ConversationItemDone::TYPE, "previous_item_id": self.previous_item_id, "item": item})).await;
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
        out.send(json!({"type": server::ResponseDone::TYPE, "response": self.response_object(status, vec![item], Some(usage), details)})).await;
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
                    steps.push(Step::Event(with(json!({"type": shared::ResponseFunctionCallArgumentsDelta::TYPE, "call_id": call_id, "delta": chunk}))));
                }
                steps.push(Step::Event(with(json!({"type": server::ResponseFunctionCallArgumentsDone::TYPE, "call_id": call_id, "name": name, "arguments": arguments}))));
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
            json!({"type": shared::ResponseContentPartAdded::TYPE, "content_index": 0, "part": empty_part}),
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
                    steps.push(Step::Said(with(json!({"type": server::ResponseOutputAudioTranscriptDelta::TYPE, "content_index": 0, "delta": word}))));
                }
                steps.push(Step::Wait(Duration::from_millis(audio::duration_ms(
                    len, rate,
                ))));
            }
            for word in pending_words {
                steps.push(Step::Said(with(json!({"type": server::ResponseOutputAudioTranscriptDelta::TYPE, "content_index": 0, "delta": word}))));
            }
            steps.push(Step::Event(with(
                json!({"type": server::ResponseOutputAudioDone::TYPE, "content_index": 0}),
            )));
            steps.push(Step::Event(with(json!({"type": server::ResponseOutputAudioTranscriptDone::TYPE, "content_index": 0, "transcript": said}))));
            steps.push(Step::Event(with(json!({"type": shared::ResponseContentPartDone::TYPE, "content_index": 0, "part": {"type": "audio", "transcript": said}}))));
        } else {
            for word in &words[..kept] {
                steps.push(Step::Said(with(json!({"type": server::ResponseOutputTextDelta::TYPE, "content_index": 0, "delta": word}))));
            }
            steps.push(Step::Event(with(
                json!({"type": server::ResponseOutputTextDone::TYPE, "content_index": 0, "text": said}),
            )));
            steps.push(Step::Event(with(json!({"type": shared::ResponseContentPartDone::TYPE, "content_index": 0, "part": {"type": "text", "text": said}}))));
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
pub(super) enum Step {
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
pub(super) fn chunks(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(size.max(1))
        .map(|c| c.iter().collect())
        .collect()
}
