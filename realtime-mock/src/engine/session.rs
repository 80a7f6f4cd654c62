//! The session: its defaults, and what its settings mean for the engine
//! (audio formats, turn detection).

use realtime_types::ga;
use serde_json::{Value, json};

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
            eprintln!("realtime-mock: the session does not decode as a session: {error}");
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

/// The session a connection starts with: the defaults the spec documents.
pub(super) fn default_session(connect: &Connect, ids: &Ids) -> Value {
    let expires_at = expires_at();
    if connect.transcription {
        return json!({
            "type": "transcription",
            "id": ids.next("sess"),
            "object": "realtime.transcription_session",
            "expires_at": expires_at,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "transcription": {"model": "gpt-4o-mini-transcribe", "language": null, "prompt": ""},
                    "noise_reduction": null,
                    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500}
                }
            },
            "include": null
        });
    }
    json!({
        "type": "realtime",
        "object": "realtime.session",
        "id": ids.next("sess"),
        "model": connect.model.clone().unwrap_or_else(|| "gpt-realtime".into()),
        "output_modalities": ["audio"],
        "instructions": "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI.",
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": null,
        "prompt": null,
        "expires_at": expires_at,
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": null,
                "noise_reduction": null,
                "turn_detection": {
                    "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500,
                    "idle_timeout_ms": null, "create_response": true, "interrupt_response": true
                }
            },
            "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0}
        },
        "include": null
    })
}
