//! The mock answers each GA client event with the server events the real
//! service sends, in order and with the right content.

mod common;

use std::time::Duration;

use common::{Client, server, types, without_vad};
use realtime_mock::audio::{self, AudioFormat};
use realtime_mock::{MockConfig, MockServer, Pacing, Reply, ScriptedResponder};
use serde_json::json;

fn user_text(text: &str) -> serde_json::Value {
    json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}})
}

#[tokio::test]
async fn a_new_connection_gets_a_full_session() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    let created = client.expect_started().await;
    let session = &created["session"];
    assert_eq!(session["type"], "realtime");
    assert_eq!(session["model"], "gpt-realtime");
    assert_eq!(session["audio"]["output"]["voice"], "marin");
    assert_eq!(
        session["audio"]["input"]["format"],
        json!({"type": "audio/pcm", "rate": 24000})
    );
    assert_eq!(
        session["audio"]["input"]["turn_detection"]["type"],
        "server_vad"
    );
}

#[tokio::test]
async fn session_update_merges_and_reports_the_effective_session() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief.", "audio": {"output": {"voice": "cedar"}}}}))
        .await;
    let updated = client.expect("session.updated").await;
    assert_eq!(updated["session"]["instructions"], "Be brief.");
    assert_eq!(updated["session"]["audio"]["output"]["voice"], "cedar");
    assert_eq!(
        updated["session"]["audio"]["input"]["format"]["rate"], 24000,
        "untouched fields stay"
    );
}

#[tokio::test]
async fn the_voice_cannot_change_once_audio_was_produced() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(json!({"type": "response.create"})).await;
    client.until("response.done").await;
    client
        .send(json!({"type": "session.update", "event_id": "evt_voice", "session": {"type": "realtime", "audio": {"output": {"voice": "ash"}}}}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_voice");
    assert_eq!(error["error"]["param"], "session.audio.output.voice");
}

#[tokio::test]
async fn item_create_places_items_and_assigns_ids() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;

    client.send(user_text("first")).await;
    let added = client.expect("conversation.item.added").await;
    let first = added["item"]["id"]
        .as_str()
        .expect("server-assigned id")
        .to_string();
    assert_eq!(added["previous_item_id"], serde_json::Value::Null);
    assert_eq!(
        client.expect("conversation.item.done").await["item"]["id"],
        first
    );

    let mut at_root = user_text("zeroth");
    at_root["previous_item_id"] = json!("root");
    at_root["item"]["id"] = json!("item_client_0");
    client.send(at_root).await;
    let added = client.expect("conversation.item.added").await;
    assert_eq!(added["item"]["id"], "item_client_0", "a client id is kept");
    assert_eq!(added["previous_item_id"], serde_json::Value::Null);
    client.expect("conversation.item.done").await;

    let mut after_first = user_text("second");
    after_first["previous_item_id"] = json!(first);
    client.send(after_first).await;
    assert_eq!(
        client.expect("conversation.item.added").await["previous_item_id"],
        first
    );
    client.expect("conversation.item.done").await;

    let mut after_missing = user_text("lost");
    after_missing["previous_item_id"] = json!("item_nope");
    after_missing["event_id"] = json!("evt_missing");
    client.send(after_missing).await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert_eq!(error["error"]["param"], "previous_item_id");
    assert_eq!(error["error"]["event_id"], "evt_missing");
}

#[tokio::test]
async fn items_are_retrieved_and_deleted_by_id() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(user_text("keep me")).await;
    let id = client.expect("conversation.item.added").await["item"]["id"].clone();
    client.expect("conversation.item.done").await;

    client
        .send(json!({"type": "conversation.item.retrieve", "item_id": id}))
        .await;
    let retrieved = client.expect("conversation.item.retrieved").await;
    assert_eq!(retrieved["item"]["content"][0]["text"], "keep me");

    client
        .send(json!({"type": "conversation.item.delete", "item_id": id}))
        .await;
    assert_eq!(
        client.expect("conversation.item.deleted").await["item_id"],
        id
    );

    client
        .send(json!({"type": "conversation.item.retrieve", "item_id": id, "event_id": "evt_gone"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["code"], "item_not_found");
    assert_eq!(error["error"]["event_id"], "evt_gone");
}

#[tokio::test]
async fn truncate_checks_the_audio_length() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.done").await;
    let done = events
        .iter()
        .find(|e| e["type"] == "response.done")
        .expect("response.done");
    let item_id = done["response"]["output"][0]["id"].clone();
    let samples: usize = events
        .iter()
        .filter(|e| e["type"] == "response.output_audio.delta")
        .map(|e| {
            audio::decode_base64(
                e["delta"].as_str().unwrap(),
                AudioFormat::Pcm16 { rate: 24_000 },
            )
            .unwrap()
            .len()
        })
        .sum();
    let audio_ms = audio::duration_ms(samples, 24_000) as i64;

    client.send(json!({"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": audio_ms + 1000})).await;
    assert_eq!(
        client.expect("error").await["error"]["param"],
        "audio_end_ms"
    );

    client.send(json!({"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": audio_ms / 2})).await;
    let truncated = client.expect("conversation.item.truncated").await;
    assert_eq!(truncated["audio_end_ms"], audio_ms / 2);

    client.send(json!({"type": "conversation.item.truncate", "item_id": "item_nope", "content_index": 0, "audio_end_ms": 0})).await;
    assert_eq!(
        client.expect("error").await["error"]["code"],
        "item_not_found"
    );
}

#[tokio::test]
async fn committing_an_empty_buffer_is_an_error() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "input_audio_buffer.commit", "event_id": "evt_commit"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["code"], "input_audio_buffer_commit_empty");
    assert_eq!(error["error"]["event_id"], "evt_commit");
}

#[tokio::test]
async fn appended_audio_is_committed_as_a_user_item_and_clear_empties_the_buffer() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    without_vad(&mut client).await;
    let tone = audio::encode_base64(
        &audio::tone(200, 24_000, 300.0, 0.3),
        AudioFormat::Pcm16 { rate: 24_000 },
    );

    client
        .send(json!({"type": "input_audio_buffer.append", "audio": tone}))
        .await;
    client
        .send(json!({"type": "input_audio_buffer.clear"}))
        .await;
    client.expect("input_audio_buffer.cleared").await;
    client
        .send(json!({"type": "input_audio_buffer.commit"}))
        .await;
    assert_eq!(
        client.expect("error").await["error"]["code"],
        "input_audio_buffer_commit_empty"
    );

    client
        .send(json!({"type": "input_audio_buffer.append", "audio": tone}))
        .await;
    client
        .send(json!({"type": "input_audio_buffer.commit"}))
        .await;
    let committed = client.expect("input_audio_buffer.committed").await;
    let added = client.expect("conversation.item.added").await;
    assert_eq!(added["item"]["id"], committed["item_id"]);
    assert_eq!(added["item"]["role"], "user");
    assert_eq!(added["item"]["content"][0]["type"], "input_audio");
    client.expect("conversation.item.done").await;
}

#[tokio::test]
async fn g711_input_is_accepted_when_configured() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcmu"}, "turn_detection": null}}}}))
        .await;
    client.expect("session.updated").await;
    let ulaw = audio::encode_base64(&audio::tone(100, 8_000, 300.0, 0.3), AudioFormat::G711Ulaw);
    client
        .send(json!({"type": "input_audio_buffer.append", "audio": ulaw}))
        .await;
    client
        .send(json!({"type": "input_audio_buffer.commit"}))
        .await;
    client.expect("input_audio_buffer.committed").await;
}

#[tokio::test]
async fn server_vad_detects_speech_commits_and_responds() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    let format = AudioFormat::Pcm16 { rate: 24_000 };
    let mut samples = audio::silence(300, 24_000);
    samples.extend(audio::tone(600, 24_000, 300.0, 0.3));
    samples.extend(audio::silence(800, 24_000));
    for chunk in samples.chunks(2_400) {
        client.send(json!({"type": "input_audio_buffer.append", "audio": audio::encode_base64(chunk, format)})).await;
    }
    let started = client.expect("input_audio_buffer.speech_started").await;
    assert_eq!(
        started["audio_start_ms"], 0,
        "300 ms prefix padding reaches back to the start"
    );
    let stopped = client.expect("input_audio_buffer.speech_stopped").await;
    assert_eq!(
        stopped["audio_end_ms"], 1400,
        "speech ends at 900 ms; the 500 ms of silence that ended the turn are included"
    );
    client.expect("input_audio_buffer.committed").await;
    client.expect("conversation.item.added").await;
    client.expect("conversation.item.done").await;
    client.expect("response.created").await;
    client.until("response.done").await;
}

#[tokio::test]
async fn a_text_response_has_the_full_event_sequence() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(user_text("hello there")).await;
    client.until("conversation.item.done").await;
    // "You said: hello there" streams one delta per word.
    client
        .send(json!({"type": "response.create", "response": {"output_modalities": ["text"]}}))
        .await;
    let events = client.until("response.done").await;
    assert_eq!(
        types(&events),
        [
            "response.created",
            "rate_limits.updated",
            "response.output_item.added",
            "conversation.item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "conversation.item.done",
            "response.done",
        ]
    );
    let done = &events.last().unwrap()["response"];
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["output"][0]["content"][0]["text"],
        "You said: hello there"
    );
    assert!(done["usage"]["total_tokens"].as_u64().unwrap() > 0);
    let text: String = events
        .iter()
        .filter(|e| e["type"] == "response.output_text.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(text, "You said: hello there");
}

#[tokio::test]
async fn an_audio_response_streams_audio_with_a_transcript() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(user_text("hi")).await;
    client.until("conversation.item.done").await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.done").await;
    let transcript: String = events
        .iter()
        .filter(|e| e["type"] == "response.output_audio_transcript.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(transcript, "You said: hi");
    let samples: usize = events
        .iter()
        .filter(|e| e["type"] == "response.output_audio.delta")
        .map(|e| {
            audio::decode_base64(
                e["delta"].as_str().unwrap(),
                AudioFormat::Pcm16 { rate: 24_000 },
            )
            .unwrap()
            .len()
        })
        .sum();
    assert_eq!(
        samples,
        24 * 50 * "You said: hi".len(),
        "50 ms of tone per character at 24 kHz"
    );
    let order = types(&events);
    let position = |t: &str| order.iter().position(|x| *x == t).unwrap();
    assert!(
        position("response.output_audio.done") < position("response.output_audio_transcript.done")
    );
    assert!(position("response.content_part.done") < position("response.output_item.done"));
}

#[tokio::test]
async fn an_out_of_band_response_leaves_the_conversation_alone() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "response.create", "response": {"conversation": "none", "output_modalities": ["text"], "metadata": {"topic": "summary"}}}))
        .await;
    let events = client.until("response.done").await;
    assert!(!types(&events).contains(&"conversation.item.added"));
    let done = events
        .iter()
        .find(|e| e["type"] == "response.done")
        .unwrap();
    assert_eq!(done["response"]["conversation_id"], serde_json::Value::Null);
    assert_eq!(done["response"]["metadata"], json!({"topic": "summary"}));
}

#[tokio::test]
async fn max_output_tokens_cuts_the_text_and_marks_the_response_incomplete() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(user_text("one two three four five")).await;
    client.until("conversation.item.done").await;
    client.send(json!({"type": "response.create", "response": {"output_modalities": ["text"], "max_output_tokens": 2}})).await;
    let events = client.until("response.done").await;
    let done = events
        .iter()
        .find(|e| e["type"] == "response.done")
        .unwrap();
    assert_eq!(done["response"]["status"], "incomplete");
    assert_eq!(
        done["response"]["status_details"]["reason"],
        "max_output_tokens"
    );
    assert_eq!(
        done["response"]["output"][0]["content"][0]["text"],
        "You said: "
    );
}

#[tokio::test]
async fn a_tool_named_in_the_user_text_is_called_and_its_output_continues_the_conversation() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"], "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]}}))
        .await;
    client.expect("session.updated").await;
    client.send(user_text("please get_weather for Paris")).await;
    client.until("conversation.item.done").await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.done").await;
    let call = events
        .iter()
        .find(|e| e["type"] == "response.function_call_arguments.done")
        .expect("arguments done");
    assert_eq!(call["name"], "get_weather");
    assert_eq!(call["arguments"], "{}");
    let call_id = call["call_id"].clone();
    let done = events
        .iter()
        .find(|e| e["type"] == "response.done")
        .unwrap();
    assert_eq!(done["response"]["output"][0]["type"], "function_call");

    client
        .send(json!({"type": "conversation.item.create", "item": {"type": "function_call_output", "call_id": call_id, "output": "sunny"}}))
        .await;
    client.until("conversation.item.done").await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.done").await;
    assert_eq!(
        events.last().unwrap()["response"]["output"][0]["content"][0]["text"],
        "The function returned: sunny"
    );
}

#[tokio::test]
async fn cancel_stops_the_response_in_progress() {
    let server = MockServer::start(MockConfig::default().with_pacing(Pacing::RealTime))
        .await
        .unwrap();
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(user_text(
            "a fairly long sentence so that the audio lasts a couple of seconds",
        ))
        .await;
    client.until("conversation.item.done").await;
    client.send(json!({"type": "response.create"})).await;
    client.until("response.output_audio.delta").await;
    client.send(json!({"type": "response.cancel"})).await;
    let events = client.until("response.done").await;
    let done = events.last().unwrap();
    assert_eq!(done["response"]["status"], "cancelled");
    assert_eq!(
        done["response"]["status_details"]["reason"],
        "client_cancelled"
    );

    client
        .send(json!({"type": "response.cancel", "event_id": "evt_cancel"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["code"], "response_cancel_not_active");
    assert_eq!(error["error"]["event_id"], "evt_cancel");
}

#[tokio::test]
async fn real_time_pacing_takes_about_as_long_as_the_audio() {
    let server = MockServer::start(MockConfig::default().with_pacing(Pacing::RealTime))
        .await
        .unwrap();
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    // "Hello." is 6 characters → 300 ms of audio (the minimum is 200 ms).
    let started = std::time::Instant::now();
    client.send(json!({"type": "response.create"})).await;
    client.until("response.done").await;
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(280),
        "streamed 300 ms of audio in {elapsed:?}"
    );
}

#[tokio::test]
async fn a_second_response_while_one_is_active_is_an_error() {
    let server = MockServer::start(MockConfig::default().with_pacing(Pacing::RealTime))
        .await
        .unwrap();
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(json!({"type": "response.create"})).await;
    client.expect("response.created").await;
    client
        .send(json!({"type": "response.create", "event_id": "evt_second"}))
        .await;
    let events = client.until("error").await;
    assert_eq!(
        events.last().unwrap()["error"]["code"],
        "conversation_already_has_active_response"
    );
}

#[tokio::test]
async fn a_scripted_responder_sends_exactly_its_events() {
    let script = ScriptedResponder::new(vec![Reply::Events(vec![
        json!({"type": "response.created", "response": {"id": "resp_scripted", "object": "realtime.response", "status": "in_progress", "output": []}}),
        json!({"type": "response.done", "response": {"id": "resp_scripted", "object": "realtime.response", "status": "completed", "output": []}}),
    ])]);
    let server = MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_responder(script),
    )
    .await
    .unwrap();
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(json!({"type": "response.create"})).await;
    assert_eq!(
        client.expect("response.created").await["response"]["id"],
        "resp_scripted"
    );
    assert_eq!(
        client.expect("response.done").await["response"]["id"],
        "resp_scripted"
    );
}

/// Records the instructions each response is asked with.
#[derive(Clone, Default)]
struct InstructionsSpy(std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>);

impl realtime_mock::Responder for InstructionsSpy {
    fn reply(&self, request: &realtime_mock::ResponseRequest<'_>) -> Reply {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(request.instructions.map(str::to_string));
        Reply::Message { text: "ok".into() }
    }
}

#[tokio::test]
async fn response_instructions_override_the_session_instructions() {
    let spy = InstructionsSpy::default();
    let server = MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_responder(spy.clone()),
    )
    .await
    .unwrap();
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(json!({"type": "session.update", "session": {"type": "realtime", "instructions": "Session rules."}})).await;
    client.expect("session.updated").await;
    client.send(json!({"type": "response.create"})).await;
    client.until("response.done").await;
    client
        .send(json!({"type": "response.create", "response": {"instructions": "Just this once."}}))
        .await;
    client.until("response.done").await;
    assert_eq!(
        *spy.0.lock().unwrap(),
        [
            Some("Session rules.".to_string()),
            Some("Just this once.".to_string())
        ]
    );
}
