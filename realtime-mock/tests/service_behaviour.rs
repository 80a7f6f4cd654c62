//! Behaviours of the documented service the mock reproduces, one test
//! each: VAD ids and timing, barge-in, truncation, input transcription,
//! cancelled items, the greeting.

mod common;

use common::{Client, server, types};
use realtime_mock::audio::{self, AudioFormat};
use realtime_mock::{MockConfig, MockServer, Pacing};
use serde_json::{Value, json};

const PCM: AudioFormat = AudioFormat::Pcm16 { rate: 24_000 };

/// `silence_ms` of silence, `speech_ms` of a speech-loud tone, then 800 ms
/// of silence (more than the 500 ms that end a turn).
fn utterance(silence_ms: u32, speech_ms: u32) -> Vec<i16> {
    let mut samples = audio::silence(silence_ms, 24_000);
    samples.extend(audio::tone(speech_ms, 24_000, 300.0, 0.3));
    samples.extend(audio::silence(800, 24_000));
    samples
}

async fn append(client: &mut Client, samples: &[i16]) {
    for chunk in samples.chunks(2_400) {
        client
            .send(json!({"type": "input_audio_buffer.append", "audio": audio::encode_base64(chunk, PCM)}))
            .await;
    }
}

/// A session without automatic responses, so that VAD turns only commit.
async fn listening(client: &mut Client, extra: Value) {
    let mut detection = json!({"type": "server_vad", "create_response": false});
    if let (Value::Object(detection), Value::Object(extra)) = (&mut detection, extra) {
        detection.extend(extra);
    }
    client
        .send(json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"turn_detection": detection}}}}))
        .await;
    client.expect("session.updated").await;
}

/// A real-time server answering `text` in audio: the response has been
/// asked for (keep the server alive as long as the client).
async fn answering(text: &str) -> (MockServer, Client) {
    let server = MockServer::start(MockConfig::default().with_pacing(Pacing::RealTime))
        .await
        .expect("starts");
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}))
        .await;
    client.until("conversation.item.done").await;
    client.send(json!({"type": "response.create"})).await;
    (server, client)
}

#[tokio::test]
async fn a_new_session_is_greeted_with_session_and_conversation_created() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect("session.created").await;
    let conversation = client.expect("conversation.created").await;
    assert_eq!(
        conversation["conversation"]["object"],
        "realtime.conversation"
    );
}

#[tokio::test]
async fn one_item_id_runs_from_speech_started_to_the_committed_user_item() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    listening(&mut client, json!({})).await;
    append(&mut client, &utterance(300, 600)).await;
    let started = client.expect("input_audio_buffer.speech_started").await;
    let stopped = client.expect("input_audio_buffer.speech_stopped").await;
    let committed = client.expect("input_audio_buffer.committed").await;
    let added = client.expect("conversation.item.added").await;
    let id = &started["item_id"];
    assert!(id.is_string());
    assert_eq!(&stopped["item_id"], id);
    assert_eq!(&committed["item_id"], id);
    assert_eq!(&added["item"]["id"], id);
}

#[tokio::test]
async fn vad_times_run_from_the_start_of_the_session_and_include_the_closing_silence() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    listening(&mut client, json!({"prefix_padding_ms": 0})).await;
    // 2,000 ms: 300 silence, 900 speech, 800 silence.
    append(&mut client, &utterance(300, 900)).await;
    let first = client.expect("input_audio_buffer.speech_started").await;
    assert_eq!(first["audio_start_ms"], 300);
    let stopped = client.expect("input_audio_buffer.speech_stopped").await;
    assert_eq!(stopped["audio_end_ms"], 300 + 900 + 500);
    client.until("conversation.item.done").await;
    // A second utterance: its times go on from the first's audio (the
    // whole buffer of 2,000 ms was committed).
    append(&mut client, &utterance(1_000, 1_000)).await;
    let second = client.expect("input_audio_buffer.speech_started").await;
    assert_eq!(second["audio_start_ms"], 2_000 + 1_000);
    let stopped = client.expect("input_audio_buffer.speech_stopped").await;
    assert_eq!(stopped["audio_end_ms"], 2_000 + 1_000 + 1_000 + 500);
}

#[tokio::test]
async fn speech_during_an_audio_response_cancels_it_when_interrupt_response_is_on() {
    let (_server, mut client) = answering("tell me a long story about the sea and its ships").await;
    client.until("response.output_audio.delta").await;
    // The user talks over it (server VAD with its defaults: interrupt on).
    append(&mut client, &utterance(0, 400)).await;
    let events = client.until("response.done").await;
    assert!(
        types(&events).contains(&"input_audio_buffer.speech_started"),
        "{:?}",
        types(&events)
    );
    let done = events.last().expect("response.done");
    assert_eq!(done["response"]["status"], "cancelled");
    assert_eq!(
        done["response"]["status_details"]["reason"],
        "turn_detected"
    );
}

#[tokio::test]
async fn truncate_right_after_cancel_cuts_the_audio_and_deletes_the_transcript() {
    let (_server, mut client) =
        answering("a sentence long enough for a few seconds of audio").await;
    let mut events = client.until("response.output_audio.delta").await;
    events.extend(client.until("response.output_audio.delta").await);
    let item_id = events.last().expect("a delta")["item_id"].clone();
    // The standard order: cancel, then truncate where playback stopped.
    client.send(json!({"type": "response.cancel"})).await;
    client
        .send(json!({"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": 150}))
        .await;
    let events = client.until("conversation.item.truncated").await;
    let done = events
        .iter()
        .find(|e| e["type"] == "response.done")
        .expect("the response ended first");
    assert_eq!(done["response"]["status"], "cancelled");
    let truncated = events.last().expect("truncated");
    assert_eq!(truncated["audio_end_ms"], 150);
    client
        .send(json!({"type": "conversation.item.retrieve", "item_id": item_id}))
        .await;
    let retrieved = client.expect("conversation.item.retrieved").await;
    let part = &retrieved["item"]["content"][0];
    assert_eq!(part["transcript"], "", "the unheard transcript is gone");
    let heard = part["audio"].as_str().expect("the audio is retrieved");
    let samples = audio::decode_base64(heard, PCM).expect("base64 PCM16");
    assert_eq!(samples.len(), 150 * 24, "150 ms of 24 kHz audio");
}

#[tokio::test]
async fn a_truncate_names_the_parameter_that_is_wrong() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.done").await;
    let item_id = events.last().expect("done")["response"]["output"][0]["id"].clone();
    for (truncate, param) in [
        (
            json!({"content_index": 5, "audio_end_ms": 0}),
            "content_index",
        ),
        (
            json!({"content_index": 0, "audio_end_ms": -1}),
            "audio_end_ms",
        ),
        (
            json!({"content_index": 0, "audio_end_ms": 60_000}),
            "audio_end_ms",
        ),
    ] {
        let mut event = json!({"type": "conversation.item.truncate", "item_id": item_id});
        if let (Value::Object(event), Value::Object(truncate)) = (&mut event, truncate) {
            event.extend(truncate);
        }
        client.send(event).await;
        let error = client.expect("error").await;
        assert_eq!(error["error"]["param"], param, "{error}");
        let message = error["error"]["message"].as_str().expect("a message");
        assert!(message.contains(param), "{message}");
    }
}

#[tokio::test]
async fn retrieving_a_user_audio_item_gives_back_its_audio() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    listening(&mut client, json!({})).await;
    let samples = utterance(200, 500);
    append(&mut client, &samples).await;
    let committed = client.until("input_audio_buffer.committed").await;
    let item_id = committed.last().expect("committed")["item_id"].clone();
    client.until("conversation.item.done").await;
    client
        .send(json!({"type": "conversation.item.retrieve", "item_id": item_id}))
        .await;
    let retrieved = client.expect("conversation.item.retrieved").await;
    let heard = retrieved["item"]["content"][0]["audio"]
        .as_str()
        .expect("the audio is retrieved");
    let heard = audio::decode_base64(heard, PCM).expect("PCM16");
    // VAD committed the turn 500 ms after the speech: what came before.
    assert_eq!(
        heard.len(),
        (200 + 500 + 500) * 24,
        "{} samples",
        heard.len()
    );
    assert!(
        samples.starts_with(&heard),
        "the audio is not what was sent"
    );
}

#[tokio::test]
async fn input_transcription_sends_deltas_then_the_completed_transcript_with_usage() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(
            json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {
                "transcription": {"model": "gpt-4o-mini-transcribe"},
                "turn_detection": {"type": "server_vad", "create_response": false}
            }}}}),
        )
        .await;
    client.expect("session.updated").await;
    append(&mut client, &utterance(0, 1_500)).await;
    let committed = client.until("input_audio_buffer.committed").await;
    let item_id = committed.last().expect("committed")["item_id"].clone();
    let events = client
        .until("conversation.item.input_audio_transcription.completed")
        .await;
    let deltas: String = events
        .iter()
        .filter(|e| e["type"] == "conversation.item.input_audio_transcription.delta")
        .map(|e| {
            assert_eq!(e["item_id"], item_id);
            e["delta"].as_str().expect("a delta")
        })
        .collect();
    let completed = events.last().expect("completed");
    assert_eq!(completed["item_id"], item_id);
    assert_eq!(completed["transcript"], deltas);
    assert!(!deltas.is_empty());
    assert_eq!(completed["usage"]["type"], "duration");
    assert!(completed["usage"]["seconds"].as_f64().expect("seconds") > 1.5);
}

#[tokio::test]
async fn a_transcription_session_transcribes_each_turn_and_never_responds() {
    let server = server().await;
    let mut client =
        Client::connect_to(&format!("{}?intent=transcription", server.url()), &[]).await;
    let created = client.expect_started().await;
    assert_eq!(created["session"]["type"], "transcription");
    append(&mut client, &utterance(100, 700)).await;
    let events = client
        .until("conversation.item.input_audio_transcription.completed")
        .await;
    assert!(!types(&events).contains(&"response.created"));
    // Nothing else follows: no response.
    client
        .send(json!({"type": "input_audio_buffer.clear"}))
        .await;
    client.expect("input_audio_buffer.cleared").await;
}

#[tokio::test]
async fn a_cancelled_item_keeps_only_what_was_streamed_and_is_closed() {
    let (_server, mut client) =
        answering("one two three four five six seven eight nine ten eleven twelve").await;
    let mut streamed = String::new();
    let first = client.until("response.output_audio_transcript.delta").await;
    streamed.push_str(
        first.last().expect("a delta")["delta"]
            .as_str()
            .expect("text"),
    );
    client.send(json!({"type": "response.cancel"})).await;
    let events = client.until("response.done").await;
    for event in &events {
        if event["type"] == "response.output_audio_transcript.delta" {
            streamed.push_str(event["delta"].as_str().expect("text"));
        }
    }
    let seen = types(&events);
    for closing in [
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
    ] {
        assert!(seen.contains(&closing), "no {closing}: {seen:?}");
    }
    let done = events.last().expect("done");
    let item = &done["response"]["output"][0];
    assert_eq!(item["status"], "incomplete");
    assert_eq!(item["content"][0]["transcript"], streamed.as_str());
    assert!(
        !streamed.contains("twelve"),
        "the cancel came before the end"
    );
}

#[tokio::test]
async fn invalid_values_are_refused_with_the_parameter_and_change_nothing() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    for (event, param) in [
        (
            json!({"type": "session.update", "event_id": "evt_1", "session": {"type": "realtime", "output_modalities": ["smell"]}}),
            "session.output_modalities[0]",
        ),
        (
            json!({"type": "session.update", "event_id": "evt_1", "session": {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "loud_vad"}}}}}),
            "session.audio.input.turn_detection.type",
        ),
        (
            json!({"type": "response.create", "event_id": "evt_1", "response": {"output_modalities": ["smell"]}}),
            "response.output_modalities[0]",
        ),
    ] {
        client.send(event).await;
        let error = client.expect("error").await;
        assert_eq!(error["error"]["param"], param, "{error}");
        assert_eq!(error["error"]["event_id"], "evt_1");
        assert_eq!(error["error"]["code"], "invalid_value");
    }
    // Nothing changed: the session still answers in audio.
    client
        .send(
            json!({"type": "session.update", "session": {"type": "realtime", "instructions": "x"}}),
        )
        .await;
    let updated = client.expect("session.updated").await;
    assert_eq!(updated["session"]["output_modalities"], json!(["audio"]));
}

#[tokio::test]
async fn numbers_outside_the_specs_bounds_are_refused_on_ga_and_beta() {
    let server = server().await;
    let mut ga = Client::connect(&server).await;
    ga.expect_started().await;
    ga.send(json!({"type": "session.update", "event_id": "evt_1", "session": {"type": "realtime", "audio": {"output": {"speed": 9.0}}}}))
        .await;
    let error = ga.expect("error").await;
    assert_eq!(
        error["error"]["param"], "session.audio.output.speed",
        "{error}"
    );
    assert_eq!(error["error"]["code"], "invalid_value");
    assert_eq!(
        error["error"]["message"],
        "Invalid 'session.audio.output.speed': decimal above maximum value. Expected a value <= 1.5, but got 9.0 instead."
    );
    let mut beta = Client::connect_beta(&server).await;
    beta.expect_started().await;
    beta.send(json!({"type": "session.update", "event_id": "evt_2", "session": {"speed": 0.1}}))
        .await;
    let error = beta.expect("error").await;
    assert_eq!(error["error"]["param"], "session.speed", "{error}");
    assert_eq!(error["error"]["event_id"], "evt_2");
    // In bounds, it is taken.
    beta.send(json!({"type": "session.update", "session": {"speed": 1.25}}))
        .await;
    let updated = beta.expect("session.updated").await;
    assert_eq!(updated["session"]["speed"], 1.25);
}

#[tokio::test]
async fn function_call_arguments_satisfy_the_tool_schema_from_the_user_words() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    let tool = json!({"type": "function", "name": "get_weather", "description": "The weather",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
        }, "required": ["city", "unit"]}});
    client
        .send(json!({"type": "session.update", "session": {"type": "realtime", "tools": [tool], "output_modalities": ["text"]}}))
        .await;
    client.expect("session.updated").await;
    client
        .send(json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Call get_weather: how warm is it in Lisbon, in fahrenheit?"}]}}))
        .await;
    client.until("conversation.item.done").await;
    client.send(json!({"type": "response.create"})).await;
    let events = client.until("response.function_call_arguments.done").await;
    let done = events.last().expect("done");
    assert_eq!(done["name"], "get_weather");
    let arguments: Value =
        serde_json::from_str(done["arguments"].as_str().expect("text")).expect("JSON arguments");
    assert_eq!(arguments, json!({"city": "Lisbon", "unit": "fahrenheit"}));
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named_in_the_error() {
    let server = server().await;
    let mut client = Client::connect(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "conversation.item.truncate", "event_id": "evt_t", "item_id": "item_1", "content_index": "zero", "audio_end_ms": 0}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_t");
    assert_eq!(error["error"]["param"], "content_index");
    let message = error["error"]["message"].as_str().expect("a message");
    assert!(
        message.starts_with("Invalid value for 'content_index'"),
        "{message}"
    );
    assert!(
        !message.contains("zero"),
        "the value is not echoed: {message}"
    );
}

#[tokio::test]
async fn truncate_while_the_audio_still_streams_is_accepted_and_stays_truncated() {
    let (_server, mut client) =
        answering("a sentence long enough for a few seconds of audio").await;
    let events = client.until("response.output_audio.delta").await;
    let item_id = events.last().expect("a delta")["item_id"].clone();
    // No cancel: the response goes on streaming while the truncate comes.
    client
        .send(json!({"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": 50}))
        .await;
    let events = client.until("conversation.item.truncated").await;
    assert!(!types(&events).contains(&"error"), "{:?}", types(&events));
    let events = client.until("response.done").await;
    let done = events.last().expect("done");
    assert_eq!(
        done["response"]["output"][0]["content"][0]["transcript"], "",
        "the transcript stays deleted when the response ends"
    );
    client
        .send(json!({"type": "conversation.item.retrieve", "item_id": item_id}))
        .await;
    let retrieved = client.expect("conversation.item.retrieved").await;
    let heard = retrieved["item"]["content"][0]["audio"]
        .as_str()
        .expect("audio");
    assert_eq!(
        audio::decode_base64(heard, PCM).expect("PCM16").len(),
        50 * 24,
        "audio streamed after the truncate does not count"
    );
}

#[tokio::test]
async fn a_ga_shaped_session_update_on_the_beta_surface_is_an_unknown_parameter() {
    let server = server().await;
    let mut client = common::BetaClient::connect_beta(&server).await;
    client.expect_started().await;
    client
        .send(json!({"type": "session.update", "event_id": "evt_ga", "session": {"type": "realtime", "output_modalities": ["text"]}}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_ga");
    let param = error["error"]["param"].as_str().expect("a param");
    assert!(
        param == "session.type" || param == "session.output_modalities",
        "{error}"
    );
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("a message")
            .starts_with("Unknown parameter"),
        "{error}"
    );
    // The beta shape is accepted.
    client
        .send(json!({"type": "session.update", "session": {"modalities": ["text"]}}))
        .await;
    client.expect("session.updated").await;
}
