//! The translation surface (`/v1/realtime/translations`): input audio comes
//! back as "translated" audio (an echo) with transcript deltas. Every server
//! event is checked to be a known `realtime_types::translation::ServerEvent`
//! that encodes back to the same JSON.

mod common;

use common::{TranslationClient, server};
use realtime_mock::MockServer;
use realtime_mock::audio::{self, AudioFormat};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const PCM: AudioFormat = AudioFormat::Pcm16 { rate: 24_000 };

/// A translation client past `session.created`.
async fn connected(server: &MockServer) -> TranslationClient {
    let mut client = TranslationClient::connect_translation(server).await;
    client.expect_started().await;
    client
}

fn append(samples: &[i16]) -> Value {
    json!({"type": "session.input_audio_buffer.append", "audio": audio::encode_base64(samples, PCM)})
}

/// Turns on source transcription and sets the output language.
async fn configure(client: &mut TranslationClient, language: &str) {
    client
        .send(json!({"type": "session.update", "session": {"audio": {
            "input": {"transcription": {"model": "gpt-realtime-whisper"}},
            "output": {"language": language}
        }}}))
        .await;
    client.expect("session.updated").await;
}

#[tokio::test]
async fn a_translation_connection_gets_a_translation_session() {
    let server = server().await;
    let mut client = TranslationClient::connect_translation(&server).await;
    let created = client.expect_started().await;
    let session = &created["session"];
    assert_eq!(session["type"], "translation");
    assert_eq!(session["model"], "gpt-realtime-translate");
    assert!(session["id"].as_str().unwrap().starts_with("sess_"));
    assert!(session["expires_at"].as_u64().unwrap() > 0);
    assert_eq!(session["audio"]["output"]["language"], "es");
    assert_eq!(session["audio"]["input"]["transcription"], Value::Null);
}

#[tokio::test]
async fn session_update_merges_and_reports_the_session() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(
            json!({"type": "session.update", "session": {"audio": {"output": {"language": "fr"}}}}),
        )
        .await;
    let first = client.expect("session.updated").await;
    assert_eq!(first["session"]["audio"]["output"]["language"], "fr");
    client
        .send(json!({"type": "session.update", "session": {"audio": {"input": {"noise_reduction": {"type": "near_field"}}}}}))
        .await;
    let second = client.expect("session.updated").await;
    assert_eq!(
        second["session"]["audio"]["input"]["noise_reduction"]["type"],
        "near_field"
    );
    assert_eq!(
        second["session"]["audio"]["output"]["language"], "fr",
        "earlier changes stay"
    );
}

#[tokio::test]
async fn session_update_cannot_change_the_model() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "session.update", "event_id": "evt_model", "session": {"model": "other-model"}}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_model");
    assert_eq!(error["error"]["param"], "session.model");
}

#[tokio::test]
async fn appended_speech_comes_back_as_transcripts_and_the_same_audio() {
    let server = server().await;
    let mut client = connected(&server).await;
    configure(&mut client, "fr").await;
    let tone = audio::tone(200, 24_000, 300.0, 0.3);
    client.send(append(&tone)).await;
    let input = client.expect("session.input_transcript.delta").await;
    assert_eq!(input["delta"], "hello");
    assert_eq!(input["elapsed_ms"], 200);
    let output = client.expect("session.output_transcript.delta").await;
    assert_eq!(output["delta"], "bonjour");
    let audio_delta = client.expect("session.output_audio.delta").await;
    assert_eq!(audio_delta["sample_rate"], 24000);
    assert_eq!(audio_delta["channels"], 1);
    assert_eq!(audio_delta["format"], "pcm16");
    assert_eq!(audio_delta["elapsed_ms"], 200);
    let echoed = audio::decode_base64(audio_delta["delta"].as_str().unwrap(), PCM).unwrap();
    assert_eq!(echoed, tone);
}

#[tokio::test]
async fn without_source_transcription_only_the_translation_is_sent() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(append(&audio::tone(200, 24_000, 300.0, 0.3)))
        .await;
    assert_eq!(
        client.expect("session.output_transcript.delta").await["delta"],
        "hola"
    );
    client.expect("session.output_audio.delta").await;
}

#[tokio::test]
async fn audio_is_translated_in_200_ms_frames() {
    let server = server().await;
    let mut client = connected(&server).await;
    let tone = audio::tone(500, 24_000, 300.0, 0.3);
    // 100 ms is less than a frame: nothing yet. Another 400 ms completes
    // two frames; the last 100 ms waits.
    client.send(append(&tone[..2_400])).await;
    client.send(append(&tone[2_400..])).await;
    let mut frames = Vec::new();
    let mut words = String::new();
    for _ in 0..2 {
        words.push_str(
            client.expect("session.output_transcript.delta").await["delta"]
                .as_str()
                .unwrap(),
        );
        let delta = client.expect("session.output_audio.delta").await;
        frames.push((
            delta["elapsed_ms"].as_u64().unwrap(),
            audio::decode_base64(delta["delta"].as_str().unwrap(), PCM)
                .unwrap()
                .len(),
        ));
    }
    assert_eq!(frames, [(200, 4_800), (400, 4_800)]);
    assert_eq!(words, "hola hola", "deltas concatenate into text");
}

#[tokio::test]
async fn silence_is_echoed_without_words() {
    let server = server().await;
    let mut client = connected(&server).await;
    configure(&mut client, "de").await;
    client.send(append(&audio::silence(200, 24_000))).await;
    let delta = client.expect("session.output_audio.delta").await;
    assert_eq!(delta["elapsed_ms"], 200);
}

#[tokio::test]
async fn close_flushes_the_last_frame_answers_session_closed_and_closes_with_1000() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(append(&audio::tone(100, 24_000, 300.0, 0.3)))
        .await;
    client
        .send(json!({"type": "session.close", "event_id": "evt_close"}))
        .await;
    client.expect("session.output_transcript.delta").await;
    let flushed = client.expect("session.output_audio.delta").await;
    assert_eq!(flushed["elapsed_ms"], 100);
    client.expect("session.closed").await;
    match client.next_frame().await {
        Some(Message::Close(Some(frame))) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected a close frame with 1000, got {other:?}"),
    }
}

#[tokio::test]
async fn audio_that_is_not_base64_gets_an_error_with_the_event_id() {
    let server = server().await;
    let mut client = connected(&server).await;
    client
        .send(json!({"type": "session.input_audio_buffer.append", "event_id": "evt_b64", "audio": "not base64!"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_b64");
    assert_eq!(error["error"]["param"], "audio");
}

#[tokio::test]
async fn an_unknown_event_gets_an_error_with_the_event_id() {
    let server = server().await;
    let mut client = connected(&server).await;
    // A realtime event is not a translation event.
    client
        .send(json!({"type": "response.create", "event_id": "evt_unknown"}))
        .await;
    let error = client.expect("error").await;
    assert_eq!(error["error"]["event_id"], "evt_unknown");
    assert_eq!(error["error"]["param"], "type");
}
