//! The beta surface (`OpenAI-Beta: realtime=v1`): the GA engine behind a
//! translation layer. Every server event is checked to be a known
//! `realtime_types::beta::ServerEvent` that encodes back to the same JSON.
//!
//! The text and audio streaming events carry the beta server's names
//! (`response.text.delta`, `response.audio.delta`,
//! `response.audio_transcript.delta`, ...), which `spec/corrections.yaml`
//! gives the beta surface (the pinned spec has the GA names there).

mod common;

use common::{BetaClient, server, types};
use realtime_mock::audio::{self, AudioFormat};
use realtime_mock::{MockConfig, MockServer, Pacing};
use serde_json::{Value, json};

fn user_text(text: &str) -> Value {
    json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}})
}

/// A beta client past `session.created`.
async fn connected(server: &MockServer) -> BetaClient {
    let mut client = BetaClient::connect_beta(server).await;
    client.expect_started().await;
    client
}

/// Sends a beta `session.update` and returns the `session.updated` session.
async fn update(client: &mut BetaClient, session: Value) -> Value {
    client
        .send(json!({"type": "session.update", "session": session}))
        .await;
    client.expect("session.updated").await["session"].clone()
}

#[tokio::test]
async fn the_beta_header_gets_a_flat_beta_session() {
    let server = server().await;
    let mut client = BetaClient::connect_beta(&server).await;
    let created = client.expect_started().await;
    let session = &created["session"];
    assert_eq!(session["object"], "realtime.session");
    assert_eq!(session["model"], "gpt-realtime");
    assert_eq!(session["voice"], "marin");
    assert_eq!(session["input_audio_format"], "pcm16");
    assert_eq!(session["output_audio_format"], "pcm16");
    assert_eq!(session["turn_detection"]["type"], "server_vad");
    assert_eq!(session["modalities"], json!(["audio"]));
    assert_eq!(session["max_response_output_tokens"], "inf");
    assert_eq!(session["temperature"], 0.8);
    for ga_only in ["type", "audio", "output_modalities", "max_output_tokens"] {
        assert!(
            session.get(ga_only).is_none(),
            "GA field `{ga_only}` in {session}"
        );
    }
}

#[tokio::test]
async fn session_update_takes_flat_fields_and_reports_them_back() {
    let server = server().await;
    let mut client = connected(&server).await;
    let session = update(
        &mut client,
        json!({
            "modalities": ["text", "audio"], "instructions": "Be brief.", "voice": "ash",
            "input_audio_format": "g711_ulaw", "output_audio_format": "g711_alaw",
            "turn_detection": null, "temperature": 0.7, "max_response_output_tokens": 200,
            "input_audio_transcription": {"model": "whisper-1"}
        }),
    )
    .await;
    assert_eq!(session["modalities"], json!(["text", "audio"]));
    assert_eq!(session["instructions"], "Be brief.");
    assert_eq!(session["voice"], "ash");
    assert_eq!(session["input_audio_format"], "g711_ulaw");
    assert_eq!(session["output_audio_format"], "g711_alaw");
    assert_eq!(session["turn_detection"], Value::Null);
    assert_eq!(session["temperature"], 0.7);
    assert_eq!(session["max_response_output_tokens"], 200);
    assert_eq!(session["input_audio_transcription"]["model"], "whisper-1");
    assert_eq!(session["tool_choice"], "auto", "untouched fields stay");
}

#[tokio::test]
async fn an_unknown_audio_format_is_an_error_with_its_param() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "session.update", "event_id": "evt_fmt", "session": {"input_audio_format": "mp3"}}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_fmt");
    assert_eq!(error["error"]["param"], "session.input_audio_format");
}

#[tokio::test]
async fn a_g711_input_format_set_in_beta_decodes_appended_audio() {
    let server = server().await;
    let mut client = connected(&server).await;
    update(
        &mut client,
        json!({"input_audio_format": "g711_ulaw", "turn_detection": null}),
    )
    .await;
    // 100 ms of μ-law is 800 bytes: as PCM16 it would be 400 samples, as
    // G.711 it is 800, and a commit works either way; an odd byte count
    // proves the format is G.711 (PCM16 would refuse it).
    let mut ulaw = audio::tone(100, 8_000, 300.0, 0.3);
    ulaw.push(0);
    client
        .send(json!({"type": "input_audio_buffer.append", "audio": audio::encode_base64(&ulaw, AudioFormat::G711Ulaw)}))
        .await;
    client
        .send(json!({"type": "input_audio_buffer.commit"}))
        .await;
    let committed = client.expect("input_audio_buffer.committed").await;
    let created = client.expect("conversation.item.created").await;
    assert_eq!(created["item"]["id"], committed["item_id"]);
    assert_eq!(created["item"]["content"][0]["type"], "input_audio");
}

#[tokio::test]
async fn item_create_answers_conversation_item_created_with_previous_item_id() {
    let server = server().await;
    let mut client = connected(&server).await;
    client.send(user_text("first")).await;
    let first = client.expect("conversation.item.created").await;
    assert_eq!(first["previous_item_id"], Value::Null);
    let first_id = first["item"]["id"].clone();
    // No `conversation.item.done` on the beta surface: the next event is
    // already the answer to the next item.
    client.send(user_text("second")).await;
    let second = client.expect("conversation.item.created").await;
    assert_eq!(second["previous_item_id"], first_id);
}

#[tokio::test]
async fn an_assistant_item_keeps_the_beta_text_content_type() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "conversation.item.create", "item": {"id": "item_a", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "Earlier answer."}]}}))
        .await;
    let created = client.expect("conversation.item.created").await;
    assert_eq!(created["item"]["content"][0]["type"], "text");
    client
        .send(json!({"type": "conversation.item.retrieve", "item_id": "item_a"}))
        .await;
    let retrieved = client.expect("conversation.item.retrieved").await;
    assert_eq!(
        retrieved["item"]["content"][0],
        json!({"type": "text", "text": "Earlier answer."})
    );
}

#[tokio::test]
async fn a_text_response_streams_the_beta_event_sequence() {
    let server = server().await;
    let mut client = connected(&server).await;
    client.send(user_text("hello there")).await;
    let user_item = client.expect("conversation.item.created").await["item"]["id"].clone();
    client
        .send(json!({"type": "response.create", "response": {"modalities": ["text"]}}))
        .await;
    let events = client.until("response.done").await;
    assert_eq!(
        types(&events),
        [
            "response.created",
            "rate_limits.updated",
            "response.output_item.added",
            "conversation.item.created",
            "response.content_part.added",
            "response.text.delta",
            "response.text.delta",
            "response.text.delta",
            "response.text.delta",
            "response.text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
        ]
    );
    assert_eq!(events[3]["previous_item_id"], user_item);
    let done = &events.last().unwrap()["response"];
    assert_eq!(done["status"], "completed");
    assert_eq!(done["modalities"], json!(["text"]));
    assert_eq!(
        done["output"][0]["content"][0],
        json!({"type": "text", "text": "You said: hello there"})
    );
    assert!(done.get("output_modalities").is_none() && done.get("audio").is_none());
}

#[tokio::test]
async fn an_audio_response_streams_audio_and_transcript_events() {
    let server = server().await;
    let mut client = connected(&server).await;
    client.send(user_text("hi")).await;
    client.expect("conversation.item.created").await;
    client
        .send(json!({"type": "response.create", "response": {"modalities": ["audio", "text"], "voice": "ash"}}))
        .await;
    let events = client.until("response.done").await;
    let order = types(&events);
    let first = |t: &str| order.iter().position(|x| *x == t).expect(t);
    let last = |t: &str| order.iter().rposition(|x| *x == t).expect(t);
    assert!(first("conversation.item.created") < first("response.content_part.added"));
    assert!(first("response.content_part.added") < first("response.audio.delta"));
    assert!(first("response.audio.delta") < first("response.audio_transcript.delta"));
    assert!(last("response.audio.delta") < first("response.audio.done"));
    assert!(first("response.audio.done") < first("response.audio_transcript.done"));
    assert!(first("response.content_part.done") < first("response.output_item.done"));
    assert!(first("response.output_item.done") < first("response.done"));
    let transcript: String = events
        .iter()
        .filter(|e| e["type"] == "response.audio_transcript.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(transcript, "You said: hi");
    let done = &events[first("response.done")]["response"];
    assert_eq!(done["modalities"], json!(["audio"]));
    assert_eq!(done["voice"], "ash");
    assert_eq!(done["output_audio_format"], "pcm16");
    assert_eq!(
        done["output"][0]["content"][0],
        json!({"type": "audio", "transcript": "You said: hi"})
    );
}

#[tokio::test]
async fn max_response_output_tokens_cuts_the_response() {
    let server = server().await;
    let mut client = connected(&server).await;
    client.send(user_text("one two three four five")).await;
    client.expect("conversation.item.created").await;
    client
        .send(json!({"type": "response.create", "response": {"modalities": ["text"], "max_response_output_tokens": 2}}))
        .await;
    let events = client.until("response.done").await;
    let done = &events.last().unwrap()["response"];
    assert_eq!(done["status"], "incomplete");
    assert_eq!(done["max_output_tokens"], 2);
    assert_eq!(done["output"][0]["content"][0]["text"], "You said: ");
}

#[tokio::test]
async fn an_out_of_band_response_creates_no_conversation_item() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "response.create", "response": {"conversation": "none", "modalities": ["text"], "metadata": {"topic": "summary"}}}))
        .await;
    let events = client.until("response.done").await;
    assert!(!types(&events).contains(&"conversation.item.created"));
    let done = events
        .iter()
        .find(|e| e["type"] == "response.done")
        .unwrap();
    assert_eq!(done["response"]["metadata"], json!({"topic": "summary"}));
}

#[tokio::test]
async fn cancel_stops_the_response_in_progress() {
    let server = MockServer::start(MockConfig::default().with_pacing(Pacing::RealTime))
        .await
        .unwrap();
    let mut client = connected(&server).await;
    client
        .send(user_text(
            "a fairly long sentence so that the audio lasts a couple of seconds",
        ))
        .await;
    client.expect("conversation.item.created").await;
    client.send(json!({"type": "response.create"})).await;
    client.until("response.audio.delta").await;
    client.send(json!({"type": "response.cancel"})).await;
    let events = client.until("response.done").await;
    let done = &events.last().unwrap()["response"];
    assert_eq!(done["status"], "cancelled");
    assert_eq!(done["status_details"]["reason"], "client_cancelled");
}

#[tokio::test]
async fn a_function_call_round_trip_continues_the_conversation() {
    let server = server().await;
    let mut client = connected(&server).await;
    update(
        &mut client,
        json!({"modalities": ["text"], "tools": [{"type": "function", "name": "get_weather", "description": "Weather by city.", "parameters": {"type": "object"}}], "tool_choice": "auto"}),
    )
    .await;
    client.send(user_text("please get_weather for Paris")).await;
    client.expect("conversation.item.created").await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.done").await;
    let call = events
        .iter()
        .find(|e| e["type"] == "response.function_call_arguments.done")
        .expect("arguments done");
    assert_eq!(call["name"], "get_weather");
    let call_id = call["call_id"].clone();

    client
        .send(json!({"type": "conversation.item.create", "item": {"type": "function_call_output", "call_id": call_id, "output": "sunny"}}))
        .await;
    client.expect("conversation.item.created").await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.done").await;
    assert_eq!(
        events.last().unwrap()["response"]["output"][0]["content"][0]["text"],
        "The function returned: sunny"
    );
}

#[tokio::test]
async fn the_voice_cannot_change_after_audio_and_the_error_names_the_beta_field() {
    let server = server().await;
    let mut client = connected(&server).await;
    client.send(json!({"type": "response.create"})).await;
    client.until("response.done").await;
    client
        .send(json!({"type": "session.update", "event_id": "evt_voice", "session": {"voice": "echo", "temperature": 1.0}}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_voice");
    assert_eq!(error["error"]["param"], "session.voice");
    let session = update(&mut client, json!({"instructions": "Hi."})).await;
    assert_eq!(
        session["temperature"], 0.8,
        "a refused update changes nothing"
    );
}

#[tokio::test]
async fn server_vad_commits_and_responds_with_beta_events() {
    let server = server().await;
    let mut client = connected(&server).await;
    let format = AudioFormat::Pcm16 { rate: 24_000 };
    let mut samples = audio::silence(300, 24_000);
    samples.extend(audio::tone(600, 24_000, 300.0, 0.3));
    samples.extend(audio::silence(800, 24_000));
    for chunk in samples.chunks(2_400) {
        client.send(json!({"type": "input_audio_buffer.append", "audio": audio::encode_base64(chunk, format)})).await;
    }
    client.expect("input_audio_buffer.speech_started").await;
    client.expect("input_audio_buffer.speech_stopped").await;
    client.expect("input_audio_buffer.committed").await;
    client.expect("conversation.item.created").await;
    client.expect("response.created").await;
    client.until("response.done").await;
}

#[tokio::test]
async fn an_unknown_event_gets_an_error_with_the_event_id() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "session.teleport", "event_id": "evt_unknown"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_unknown");
    assert_eq!(error["error"]["param"], "type");
}

#[tokio::test]
async fn an_event_that_does_not_decode_gets_an_error_with_the_event_id() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "input_audio_buffer.append", "event_id": "evt_no_audio"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_no_audio");
    assert_eq!(
        error["error"]["message"],
        "Missing required parameter: 'audio'."
    );
    assert_eq!(error["error"]["param"], "audio");
    assert_eq!(error["error"]["code"], "missing_required_parameter");
}

#[tokio::test]
async fn transcription_session_update_is_refused_on_a_realtime_session() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "transcription_session.update", "event_id": "evt_ts", "session": {"input_audio_format": "pcm16"}}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_ts");
    assert_eq!(error["error"]["param"], "type");
}

#[tokio::test]
async fn a_transcription_connection_gets_and_updates_a_beta_transcription_session() {
    let server = server().await;
    let mut client =
        BetaClient::connect_beta_to(&format!("{}?intent=transcription", server.url())).await;
    let created = client.expect("transcription_session.created").await;
    assert_eq!(
        created["session"]["object"],
        "realtime.transcription_session"
    );
    assert_eq!(created["session"]["input_audio_format"], "pcm16");
    client
        .send(json!({"type": "transcription_session.update", "session": {
            "input_audio_format": "g711_alaw",
            "input_audio_transcription": {"model": "gpt-4o-transcribe", "language": "en"},
            "input_audio_noise_reduction": {"type": "near_field"}
        }}))
        .await;
    let updated = client.expect("transcription_session.updated").await;
    let session = &updated["session"];
    assert_eq!(session["input_audio_format"], "g711_alaw");
    assert_eq!(session["input_audio_transcription"]["language"], "en");
    assert_eq!(session["input_audio_noise_reduction"]["type"], "near_field");
    assert_eq!(session["turn_detection"]["type"], "server_vad");
}
