//! Responses: what one will send, decided when it starts
//! ([`ResponsePlan`]), and streaming it, paced, cancellable, audio made one
//! delta at a time. Every event, the response and its item are built as the
//! generated types.

use realtime_types::ga::{self, server};
use realtime_types::shared;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;

use super::conversation::{id_of, resolve_reference, stored};
use super::session::{format_of, format_typed, output_format};
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

/// The only output item of a response, at this index.
const OUTPUT_INDEX: i64 = 0;

/// The only content part of a message, at this index.
const CONTENT_INDEX: i64 = 0;

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

/// What the response's item holds.
enum Output {
    /// An assistant message: `said` is its text (or the transcript of its
    /// audio), as far as it was streamed.
    Message { said: String },
    /// A function call.
    FunctionCall {
        call_id: String,
        name: String,
        arguments: String,
    },
}

/// How the item stands.
#[derive(Clone, Copy, PartialEq)]
enum ItemStatus {
    InProgress,
    Completed,
    Incomplete,
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

    /// The response object of `response.created` / `response.done`.
    fn response_object(
        &self,
        status: shared::ResponseStatus,
        output: Vec<ga::ConversationItem>,
        usage: Option<shared::ResponseUsage>,
        details: Option<ga::StatusDetails>,
    ) -> ga::Response {
        let modality = if self.audio {
            ga::OutputModality::Audio
        } else {
            ga::OutputModality::Text
        };
        let mut output_audio =
            ga::ResponseAudioOutput::default().with_format(format_typed(self.format));
        match serde_json::from_value::<shared::VoiceIdsShared>(self.voice.clone()) {
            Ok(voice) => output_audio = output_audio.with_voice(voice),
            // A voice the type has no place for (a custom voice object) is
            // reported as the session has it.
            Err(_) => {
                output_audio
                    .unknown_fields
                    .insert("voice".into(), self.voice.clone());
            }
        }
        let mut response = ga::Response::default()
            .with_object(shared::ResponseObject::RealtimeResponse)
            .with_id(self.response_id.clone())
            .with_status(status)
            .with_output(output)
            .with_output_modalities(vec![modality])
            .with_max_output_tokens(match self.max_output_tokens {
                Some(max) => shared::MaxOutputTokens::Integer(max as i64),
                None => shared::MaxOutputTokens::Inf,
            })
            .with_audio(ga::ResponseAudio::default().with_output(output_audio));
        // The service writes `null` for what a response does not have yet
        // (the types keep such a `null` among the unknown fields).
        match details {
            Some(details) => response = response.with_status_details(details),
            None => {
                response
                    .unknown_fields
                    .insert("status_details".into(), Value::Null);
            }
        }
        match usage {
            Some(usage) => response = response.with_usage(usage),
            None => {
                response.unknown_fields.insert("usage".into(), Value::Null);
            }
        }
        if self.out_of_band {
            response
                .unknown_fields
                .insert("conversation_id".into(), Value::Null);
        } else {
            response = response.with_conversation_id("conv_mock");
        }
        match serde_json::from_value::<shared::Metadata>(self.metadata.clone()) {
            Ok(metadata) => response.with_metadata(metadata),
            Err(_) => response.with_metadata_null(),
        }
    }

    /// The response's item as it stands.
    fn item(&self, output: &Output, status: ItemStatus) -> ga::ConversationItem {
        let in_progress = status == ItemStatus::InProgress;
        match output {
            Output::Message { said } => {
                let content = if in_progress {
                    Vec::new()
                } else {
                    vec![self.content(said)]
                };
                ga::AssistantMessage::new(content)
                    .with_id(self.item_id.clone())
                    .with_object(ga::MessageObject::RealtimeItem)
                    .with_status(match status {
                        ItemStatus::InProgress => ga::MessageStatus::InProgress,
                        ItemStatus::Completed => ga::MessageStatus::Completed,
                        ItemStatus::Incomplete => ga::MessageStatus::Incomplete,
                    })
                    .into()
            }
            Output::FunctionCall {
                call_id,
                name,
                arguments,
            } => ga::FunctionCall::new(name.clone(), if in_progress { "" } else { arguments })
                .with_id(self.item_id.clone())
                .with_object(ga::CallObject::RealtimeItem)
                .with_status(match status {
                    ItemStatus::InProgress => ga::CallStatus::InProgress,
                    ItemStatus::Completed => ga::CallStatus::Completed,
                    ItemStatus::Incomplete => ga::CallStatus::Incomplete,
                })
                .with_call_id(call_id.clone())
                .into(),
        }
    }

    /// The assistant content part holding `said`.
    fn content(&self, said: &str) -> ga::AssistantContent {
        if self.audio {
            ga::AssistantContent::output_audio().with_transcript(said)
        } else {
            ga::AssistantContent::output_text().with_text(said)
        }
    }

    /// The part of `response.content_part.added` / `.done`.
    fn part(&self, said: &str) -> (shared::PartType, Option<String>, Option<String>) {
        if self.audio {
            (shared::PartType::Audio, None, Some(said.to_string()))
        } else {
            (shared::PartType::Text, Some(said.to_string()), None)
        }
    }

    fn added_part(&self) -> shared::AddedPart {
        let (kind, text, transcript) = self.part("");
        shared::AddedPart {
            r#type: Some(kind),
            text,
            transcript,
            ..Default::default()
        }
    }

    fn done_part(&self, said: &str) -> shared::DonePart {
        let (kind, text, transcript) = self.part(said);
        shared::DonePart {
            r#type: Some(kind),
            text,
            transcript,
            ..Default::default()
        }
    }

    /// Stores the item in the conversation as it stands (replacing the
    /// stored one of the same id, or adding it).
    fn store(&self, state: &Mutex<State>, item: &ga::ConversationItem) {
        if self.out_of_band {
            return;
        }
        let Some(item) = stored(item) else {
            return;
        };
        let mut guard = lock(state);
        match guard
            .items
            .iter_mut()
            .find(|i| id_of(i) == Some(self.item_id.as_str()))
        {
            Some(existing) => *existing = item,
            None => guard.items.push(item),
        }
    }

    /// Gives the stored (in-progress) item its empty content part, from
    /// `response.content_part.added` on (a truncate counts it).
    fn store_part(&self, state: &Mutex<State>) {
        if self.out_of_band {
            return;
        }
        let Some(part) = stored(&self.content("")) else {
            return;
        };
        let mut guard = lock(state);
        if let Some(item) = guard
            .items
            .iter_mut()
            .find(|i| id_of(i) == Some(self.item_id.as_str()))
        {
            item["content"] = json!([part]);
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
                out.send_raw(event).await;
            }
            lock(&state).active_response = None;
            return;
        }
        out.send(|id| {
            server::ResponseCreated::new(
                id,
                self.response_object(shared::ResponseStatus::InProgress, vec![], None, None),
            )
        })
        .await;
        // The service reports rate limits as a response starts.
        out.send(|id| shared::RateLimitsUpdated::new(id, rate_limits()))
            .await;
        let (mut output, steps, text_tokens) = self.plan_output(&ids);
        let started = self.item(&output, ItemStatus::InProgress);
        out.send(|id| {
            server::ResponseOutputItemAdded::new(
                id,
                self.response_id.clone(),
                OUTPUT_INDEX,
                started.clone(),
            )
        })
        .await;
        if !self.out_of_band {
            self.store(&state, &started);
            out.send(|id| {
                let added = server::ConversationItemAdded::new(id, started);
                match &self.previous_item_id {
                    Some(previous) => added.with_previous_item_id(previous.clone()),
                    None => added.with_previous_item_id_null(),
                }
            })
            .await;
        }
        let rate = self.format.sample_rate();
        let mut audio_ms = 0u64;
        // What was streamed of the text or transcript (all of it, unless cancelled).
        let mut said = String::new();
        let mut part_open = false;
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
                Step::PartAdded => {
                    // The item has its part from now on (a truncate counts it).
                    self.store_part(&state);
                    part_open = true;
                    out.send(|id| {
                        shared::ResponseContentPartAdded::new(
                            id,
                            self.response_id.clone(),
                            self.item_id.clone(),
                            OUTPUT_INDEX,
                            CONTENT_INDEX,
                            self.added_part(),
                        )
                    })
                    .await;
                }
                Step::Audio { total, start, len } => {
                    let samples =
                        audio::tone_segment(total, start..start + len, rate, TONE_HZ, 0.3);
                    let delta = audio::encode_base64(&samples, self.format);
                    out.send(|id| {
                        server::ResponseOutputAudioDelta::new(
                            id,
                            self.response_id.clone(),
                            self.item_id.clone(),
                            OUTPUT_INDEX,
                            CONTENT_INDEX,
                            delta,
                        )
                    })
                    .await;
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
                Step::Said(word) => {
                    said.push_str(&word);
                    let (response_id, item_id) = (self.response_id.clone(), self.item_id.clone());
                    if self.audio {
                        out.send(|id| {
                            server::ResponseOutputAudioTranscriptDelta::new(
                                id,
                                response_id,
                                item_id,
                                OUTPUT_INDEX,
                                CONTENT_INDEX,
                                word,
                            )
                        })
                        .await;
                    } else {
                        out.send(|id| {
                            server::ResponseOutputTextDelta::new(
                                id,
                                response_id,
                                item_id,
                                OUTPUT_INDEX,
                                CONTENT_INDEX,
                                word,
                            )
                        })
                        .await;
                    }
                }
                Step::ContentDone => {
                    let (response_id, item_id) = (self.response_id.clone(), self.item_id.clone());
                    if self.audio {
                        out.send(|id| {
                            server::ResponseOutputAudioDone::new(
                                id,
                                response_id.clone(),
                                item_id.clone(),
                                OUTPUT_INDEX,
                                CONTENT_INDEX,
                            )
                        })
                        .await;
                        out.send(|id| {
                            server::ResponseOutputAudioTranscriptDone::new(
                                id,
                                response_id,
                                item_id,
                                OUTPUT_INDEX,
                                CONTENT_INDEX,
                                said.clone(),
                            )
                        })
                        .await;
                    } else {
                        out.send(|id| {
                            server::ResponseOutputTextDone::new(
                                id,
                                response_id,
                                item_id,
                                OUTPUT_INDEX,
                                CONTENT_INDEX,
                                said.clone(),
                            )
                        })
                        .await;
                    }
                    self.part_done(&out, &said).await;
                    part_open = false;
                }
                Step::ArgumentsDelta(chunk) => {
                    if let Output::FunctionCall { call_id, .. } = &output {
                        out.send(|id| {
                            shared::ResponseFunctionCallArgumentsDelta::new(
                                id,
                                self.response_id.clone(),
                                self.item_id.clone(),
                                OUTPUT_INDEX,
                                call_id.clone(),
                                chunk,
                            )
                        })
                        .await;
                    }
                }
                Step::ArgumentsDone => {
                    if let Output::FunctionCall {
                        call_id,
                        name,
                        arguments,
                    } = &output
                    {
                        out.send(|id| {
                            server::ResponseFunctionCallArgumentsDone::new(
                                id,
                                self.response_id.clone(),
                                self.item_id.clone(),
                                OUTPUT_INDEX,
                                call_id.clone(),
                                name.clone(),
                                arguments.clone(),
                            )
                        })
                        .await;
                    }
                }
            }
        }
        let status = if cancel_reason.is_some() {
            shared::ResponseStatus::Cancelled
        } else if self.truncated_by_tokens(text_tokens) {
            shared::ResponseStatus::Incomplete
        } else {
            shared::ResponseStatus::Completed
        };
        let item_status = if status == shared::ResponseStatus::Completed {
            ItemStatus::Completed
        } else {
            ItemStatus::Incomplete
        };
        if let Output::Message { said: all } = &mut output {
            // Only what was streamed stays: a cancelled item keeps what was
            // said, and its open part closes with it.
            *all = said.clone();
            if cancel_reason.is_some() && part_open {
                self.part_done(&out, &said).await;
            }
        }
        let item = self.item(&output, item_status);
        out.send(|id| {
            server::ResponseOutputItemDone::new(
                id,
                self.response_id.clone(),
                OUTPUT_INDEX,
                item.clone(),
            )
        })
        .await;
        let item = {
            let truncated = lock(&state)
                .spoken
                .get(&self.item_id)
                .is_some_and(|s| s.truncated);
            let item = if truncated && let Output::Message { said } = &mut output {
                // A truncate deleted the transcript; the end does not bring it back.
                said.clear();
                self.item(&output, item_status)
            } else {
                item
            };
            self.store(&state, &item);
            lock(&state).active_response = None;
            item
        };
        if !self.out_of_band {
            out.send(|id| {
                let done = server::ConversationItemDone::new(id, item.clone());
                match &self.previous_item_id {
                    Some(previous) => done.with_previous_item_id(previous.clone()),
                    None => done.with_previous_item_id_null(),
                }
            })
            .await;
        }
        let output_tokens =
            text_tokens.min(self.max_output_tokens.unwrap_or(u64::MAX)) + audio_ms / 50;
        let usage = usage(text_tokens, audio_ms / 50, output_tokens);
        let details = match (status.clone(), cancel_reason) {
            (shared::ResponseStatus::Cancelled, Some(reason)) => Some(
                ga::StatusDetails::default()
                    .with_type(shared::StatusDetailsType::Cancelled)
                    .with_reason(shared::StatusDetailsReason::from(reason)),
            ),
            (shared::ResponseStatus::Incomplete, _) => Some(
                ga::StatusDetails::default()
                    .with_type(shared::StatusDetailsType::Incomplete)
                    .with_reason(shared::StatusDetailsReason::MaxOutputTokens),
            ),
            _ => None,
        };
        out.send(|id| {
            server::ResponseDone::new(
                id,
                self.response_object(status, vec![item], Some(usage), details),
            )
        })
        .await;
    }

    /// `response.content_part.done` for the part holding `said`.
    async fn part_done(&self, out: &Outbound, said: &str) {
        out.send(|id| {
            shared::ResponseContentPartDone::new(
                id,
                self.response_id.clone(),
                self.item_id.clone(),
                OUTPUT_INDEX,
                CONTENT_INDEX,
                self.done_part(said),
            )
        })
        .await;
    }

    fn truncated_by_tokens(&self, text_tokens: u64) -> bool {
        self.max_output_tokens.is_some_and(|max| text_tokens > max)
    }

    /// The item's output, the steps that stream it, and its text tokens.
    fn plan_output(&self, ids: &Ids) -> (Output, Vec<Step>, u64) {
        let text = match &self.reply {
            Reply::Message { text } => text.clone(),
            Reply::Events(_) => String::new(),
            Reply::FunctionCall { name, arguments } => {
                let mut steps: Vec<Step> = chunks(arguments, 8)
                    .into_iter()
                    .map(Step::ArgumentsDelta)
                    .collect();
                steps.push(Step::ArgumentsDone);
                let output = Output::FunctionCall {
                    call_id: ids.next("call"),
                    name: name.clone(),
                    arguments: arguments.clone(),
                };
                return (output, steps, 0);
            }
        };
        let words: Vec<&str> = text.split_inclusive(' ').collect();
        let kept = self
            .max_output_tokens
            .map_or(words.len(), |max| words.len().min(max as usize));
        let said: String = words[..kept].concat();
        let text_tokens = words.len() as u64;
        let mut steps = vec![Step::PartAdded];
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
                    steps.push(Step::Said(word.to_string()));
                }
                steps.push(Step::Wait(Duration::from_millis(audio::duration_ms(
                    len, rate,
                ))));
            }
            steps.extend(pending_words.map(|word| Step::Said(word.to_string())));
        } else {
            steps.extend(
                words[..kept]
                    .iter()
                    .map(|word| Step::Said(word.to_string())),
            );
        }
        steps.push(Step::ContentDone);
        (Output::Message { said }, steps, text_tokens)
    }
}

/// The rate limits a response reports as it starts.
fn rate_limits() -> Vec<shared::RateLimit> {
    let limit = |name, limit, remaining| {
        shared::RateLimit::default()
            .with_name(name)
            .with_limit(limit)
            .with_remaining(remaining)
            .with_reset_seconds(realtime_types::Number::from(serde_json::Number::from(60)))
    };
    vec![
        limit(shared::RateLimitName::Requests, 1000, 999),
        limit(shared::RateLimitName::Tokens, 50_000, 49_000),
    ]
}

/// A response's usage: 100 input tokens of text, and its output.
fn usage(text_tokens: u64, audio_tokens: u64, output_tokens: u64) -> shared::ResponseUsage {
    let tokens = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    shared::ResponseUsage::default()
        .with_total_tokens(tokens(100 + output_tokens))
        .with_input_tokens(100)
        .with_output_tokens(tokens(output_tokens))
        .with_input_token_details(
            shared::InputTokenDetails::default()
                .with_cached_tokens(0)
                .with_text_tokens(100)
                .with_audio_tokens(0),
        )
        .with_output_token_details(
            shared::OutputTokenDetails::default()
                .with_text_tokens(tokens(text_tokens))
                .with_audio_tokens(tokens(audio_tokens)),
        )
}

/// One step of a response's stream.
pub(super) enum Step {
    /// `response.content_part.added`.
    PartAdded,
    /// A text or transcript delta: what it adds was said.
    Said(String),
    /// One audio delta: samples `start..start + len` of the response's tone
    /// of `total` samples, made when it is sent.
    Audio {
        total: usize,
        start: usize,
        len: usize,
    },
    Wait(Duration),
    /// The text's or audio's `.done` events and `response.content_part.done`.
    ContentDone,
    /// A piece of a function call's arguments.
    ArgumentsDelta(String),
    /// `response.function_call_arguments.done`.
    ArgumentsDone,
}

/// `text` in pieces of about `size` characters.
pub(super) fn chunks(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(size.max(1))
        .map(|c| c.iter().collect())
        .collect()
}
