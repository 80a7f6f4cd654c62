//! The peers of the scale test. The benchmark runs each in a process of its
//! own (it re-executes itself), so that the CPU time and memory it reads
//! for the client process are the client's alone.
//!
//! - The *light* peer does as little as a server can: once a connection's
//!   client sends its first frame, it sends a GA `response.output_audio.delta`
//!   of 20 ms of 24 kHz audio every 20 ms, each stamped with the wall-clock
//!   time it was scheduled for, and reads and discards what the client sends.
//! - The *mock* peer is `realtime_mock::MockServer` with real-time pacing,
//!   whose every response is the same sentence spoken as audio.

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::{SinkExt, StreamExt};
use realtime_mock::{MockConfig, MockServer, Reply, ScriptedResponder};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

use crate::corpus::{SAMPLE_RATE, SplitMix64, synth_pcm16};

/// The audio of one light-peer delta, and the client's audio chunk: 20 ms.
pub const CHUNK: Duration = Duration::from_millis(20);
/// The samples of 20 ms at 24 kHz.
pub const CHUNK_SAMPLES: usize = (SAMPLE_RATE / 50) as usize;

/// What every mock response says: about 3 s of audio (the mock speaks
/// 50 ms per character, in 100 ms deltas), long enough that sessions spend
/// most of their time streaming, short enough that the mock's pacing
/// (a sleep after each delta, so its small delays add up) drifts little
/// within a response.
pub const MOCK_REPLY: &str = "The weather in Paris is mild today, about eighteen degrees.";

/// The `event_id` of a light-peer delta scheduled at `at`:
/// `sched_<microseconds since the Unix epoch>`. Both processes run on one
/// host and read the same wall clock, so the client's arrival time minus
/// this is the delta's lateness, the peer's own included.
pub fn stamp(at: SystemTime) -> String {
    let us = at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros();
    format!("sched_{us}")
}

/// The time a light-peer delta was scheduled for, from its `event_id`.
pub fn scheduled_at(event_id: &str) -> Option<SystemTime> {
    let us: u64 = event_id.strip_prefix("sched_")?.parse().ok()?;
    Some(UNIX_EPOCH + Duration::from_micros(us))
}

/// The text of a light-peer delta carrying `audio` (base64).
pub fn light_delta(event_id: &str, audio: &str) -> String {
    format!(
        concat!(
            r#"{{"type":"response.output_audio.delta","event_id":"{}","#,
            r#""response_id":"resp_light","item_id":"item_light","output_index":0,"#,
            r#""content_index":0,"delta":"{}"}}"#
        ),
        event_id, audio
    )
}

/// Serves the light peer on `listener` until the process ends.
pub async fn serve_light(listener: TcpListener) {
    let mut rng = SplitMix64::new(0x1167);
    let pcm: Vec<u8> = synth_pcm16(&mut rng, CHUNK_SAMPLES)
        .iter()
        .flat_map(|s| s.to_le_bytes())
        .collect();
    let audio: Arc<str> = STANDARD.encode(pcm).into();
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        tokio::spawn(light_session(stream, Arc::clone(&audio)));
    }
}

async fn light_session(stream: TcpStream, audio: Arc<str>) {
    let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = socket.split();
    // Silent until the client speaks: connected sessions can idle.
    match source.next().await {
        Some(Ok(message)) if !message.is_close() => {}
        _ => return,
    }
    let mut reader = tokio::spawn(async move { while let Some(Ok(_)) = source.next().await {} });
    let (start, wall_start) = (Instant::now(), SystemTime::now());
    let mut ticks = tokio::time::interval_at(start, CHUNK);
    // A late tick is sent at once (stamped with its schedule, so that its
    // lateness shows): the audio keeps its real-time rate.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    loop {
        tokio::select! {
            deadline = ticks.tick() => {
                let id = stamp(wall_start + deadline.duration_since(start));
                if sink.send(Message::Text(light_delta(&id, &audio).into())).await.is_err() {
                    break;
                }
            }
            _ = &mut reader => break,
        }
    }
    reader.abort();
}

/// Starts the mock peer on a free port of `127.0.0.1`.
pub async fn start_mock() -> io::Result<MockServer> {
    let reply = Reply::Message {
        text: MOCK_REPLY.into(),
    };
    MockServer::start(MockConfig::default().with_responder(ScriptedResponder::new(vec![reply])))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use realtime_types::ga::ServerEventRef;

    #[test]
    fn a_stamp_reads_back_to_its_microsecond() {
        let at = UNIX_EPOCH + Duration::from_micros(1_764_000_000_123_456);
        assert_eq!(scheduled_at(&stamp(at)), Some(at));
        assert_eq!(scheduled_at("event_1"), None);
    }

    #[test]
    fn a_light_delta_is_a_borrowed_ga_audio_delta() {
        let text = light_delta("sched_1", "AQD//w==");
        match ServerEventRef::from_frame(&text).unwrap() {
            ServerEventRef::ResponseOutputAudioDelta(delta) => {
                assert_eq!(delta.event_id, "sched_1");
                assert_eq!(delta.delta, "AQD//w==");
                assert!(delta.unknown_fields.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }
}
