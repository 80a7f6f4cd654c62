//! The session: its defaults, and what its settings mean for the engine
//! (audio formats, turn detection).

use realtime_types::{ga, shared};
use serde_json::Value;

use super::Ids;
use crate::audio::AudioFormat;
use crate::handshake::Connect;
use crate::vad::{EnergyVad, VadConfig};

pub(super) fn input_format(session: &Value) -> AudioFormat {
    format_at(session, "/audio/input/format")
}

pub(super) fn output_format(session: &Value) -> AudioFormat {
    format_at(session, "/audio/output/format")
}

pub(super) fn format_at(session: &Value, pointer: &str) -> AudioFormat {
    format_of(session.pointer(pointer))
}

/// A GA format object (`{"type": "audio/pcm", "rate": 24000}`); PCM16 at
/// 24 kHz when absent or unknown.
pub(super) fn format_of(format: Option<&Value>) -> AudioFormat {
    let name = format
        .and_then(|f| f.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("audio/pcm");
    let rate = format
        .and_then(|f| f.get("rate"))
        .and_then(Value::as_u64)
        .and_then(|r| u32::try_from(r).ok());
    AudioFormat::from_wire(name, rate.or(Some(24_000)))
        .unwrap_or(AudioFormat::Pcm16 { rate: 24_000 })
}

/// `format` as the generated format type.
pub(super) fn format_typed(format: AudioFormat) -> ga::AudioFormat {
    match format {
        AudioFormat::Pcm16 { rate } => ga::PcmAudioFormat::default()
            .with_type(ga::PcmAudioFormatType::AudioPcm)
            .with_rate(i64::from(rate))
            .into(),
        AudioFormat::G711Ulaw => ga::PcmuAudioFormat::default()
            .with_type(ga::PcmuAudioFormatType::AudioPcmu)
            .into(),
        AudioFormat::G711Alaw => ga::PcmaAudioFormat::default()
            .with_type(ga::PcmaAudioFormatType::AudioPcma)
            .into(),
    }
}

/// The session (its wire shape, as the engine keeps it) as the generated
/// type `T` of `session.created` / `session.updated`. The session is built
/// from the spec's defaults and decoded updates, so this does not fail; if
/// it ever did, the session is sent as it is kept (the union's `Unknown`),
/// and the log says so.
pub(super) fn typed_session<T>(session: Value, unknown: fn(Value) -> T) -> T
where
    T: serde::de::DeserializeOwned,
{
    match serde_json::from_value::<T>(session.clone()) {
        Ok(session) => session,
        Err(error) => {
            eprintln!(
                "realtime-mock: the session does not decode as a session: {}",
                crate::engine::json_error_place(&error)
            );
            unknown(session)
        }
    }
}

/// A setting of the session's turn detection.
pub(super) fn turn_detection<'a>(session: &'a Value, key: &str) -> Option<&'a Value> {
    session
        .pointer("/audio/input/turn_detection")
        .and_then(|detection| detection.get(key))
}

/// The session's VAD, when turn detection is on.
pub(super) fn vad_for(session: &Value) -> Option<EnergyVad> {
    let detection = session
        .pointer("/audio/input/turn_detection")
        .filter(|d| d.is_object())?;
    let defaults = VadConfig::default();
    let number = |key: &str| detection.get(key).and_then(Value::as_f64);
    let config = VadConfig {
        threshold: number("threshold").map_or(defaults.threshold, |t| t as f32),
        prefix_padding_ms: number("prefix_padding_ms")
            .map_or(defaults.prefix_padding_ms, |v| v as u32),
        silence_duration_ms: number("silence_duration_ms")
            .map_or(defaults.silence_duration_ms, |v| v as u32),
    };
    Some(EnergyVad::new(config, input_format(session).sample_rate()))
}

/// When a session that starts now expires: in an hour, in seconds since the epoch.
pub(crate) fn expires_at() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 3600
}

/// The session a connection starts with: the defaults the spec documents,
/// built as the generated session types and kept in their wire shape.
pub(super) fn default_session(connect: &Connect, ids: &Ids) -> Value {
    let expires_at = i64::try_from(expires_at()).unwrap_or(i64::MAX);
    let pcm = format_typed(AudioFormat::Pcm16 { rate: 24_000 });
    // What the service reports as `null` (the types keep such a `null`
    // among the unknown fields).
    fn null(fields: &mut serde_json::Map<String, Value>, keys: &[&str]) {
        for key in keys {
            fields.insert((*key).to_string(), Value::Null);
        }
    }
    if connect.transcription {
        let mut transcription = shared::AudioTranscriptionResponse::default()
            .with_model(shared::ResponseModel::Gpt4oMiniTranscribe)
            .with_prompt("");
        null(&mut transcription.unknown_fields, &["language"]);
        let turn_detection = shared::TranscriptionTurnDetection::default()
            .with_type("server_vad")
            .with_threshold(0.5)
            .with_prefix_padding_ms(300)
            .with_silence_duration_ms(500);
        let mut input = ga::TranscriptionResponseInput::default()
            .with_format(pcm)
            .with_transcription(transcription)
            .with_turn_detection(turn_detection);
        null(&mut input.unknown_fields, &["noise_reduction"]);
        let mut session = ga::TranscriptionSessionResponse::new(
            ids.next("sess"),
            "realtime.transcription_session",
        )
        .with_expires_at(expires_at)
        .with_audio(ga::TranscriptionResponseAudio::default().with_input(input));
        null(&mut session.unknown_fields, &["include"]);
        return wire_shape(&ga::CreatedSession::from(session));
    }
    let turn_detection = shared::ServerVad::default()
        .with_threshold(0.5)
        .with_prefix_padding_ms(300)
        .with_silence_duration_ms(500)
        .with_idle_timeout_ms_null()
        .with_create_response(true)
        .with_interrupt_response(true);
    let mut input = ga::SessionResponseAudioInput::default()
        .with_format(pcm.clone())
        .with_turn_detection(shared::TurnDetection::from(turn_detection));
    null(
        &mut input.unknown_fields,
        &["transcription", "noise_reduction"],
    );
    let output = ga::SessionResponseAudioOutput::default()
        .with_format(pcm)
        .with_voice(shared::VoiceIdsShared::Marin)
        .with_speed(1.0);
    let model = connect
        .model
        .clone()
        .unwrap_or_else(|| "gpt-realtime".into());
    let mut session = ga::SessionResponse::new(ids.next("sess"))
        .with_model(ga::SessionResponseModel::from(model))
        .with_output_modalities(vec![ga::OutputModality::Audio])
        .with_instructions(
            "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI.",
        )
        .with_tools(Vec::new())
        .with_tool_choice(shared::ToolChoice::from(shared::ToolChoiceOptions::Auto))
        .with_max_output_tokens(shared::MaxOutputTokens::Inf)
        .with_tracing_null()
        .with_prompt_null()
        .with_expires_at(expires_at)
        .with_audio(
            ga::SessionResponseAudio::default()
                .with_input(input)
                .with_output(output),
        );
    session
        .unknown_fields
        .insert("object".into(), Value::String("realtime.session".into()));
    null(&mut session.unknown_fields, &["include"]);
    wire_shape(&ga::CreatedSession::from(session))
}

/// A typed session in the wire shape the engine keeps.
fn wire_shape(session: &ga::CreatedSession) -> Value {
    super::conversation::stored(session).unwrap_or(Value::Null)
}

/// The session a connection of `connect` starts with: the defaults, then
/// the configuration of the client secret it presented (`minted`).
pub(crate) fn configured_session(connect: &Connect, minted: Option<&Value>) -> Value {
    let mut session = default_session(connect, &Ids::default());
    if let Some(changes) = minted {
        super::merge(&mut session, changes.clone());
    }
    session
}
