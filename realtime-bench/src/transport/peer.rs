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

/// The base64 of the 20 ms of synthetic speech every peer delta carries.
fn delta_audio() -> String {
    let mut rng = SplitMix64::new(0x1167);
    let pcm: Vec<u8> = synth_pcm16(&mut rng, CHUNK_SAMPLES)
        .iter()
        .flat_map(|s| s.to_le_bytes())
        .collect();
    STANDARD.encode(pcm)
}

/// Serves the light peer on `listener` until the process ends.
pub async fn serve_light(listener: TcpListener) {
    let audio: Arc<str> = delta_audio().into();
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

/// The lightest peer: after each WebSocket handshake, the socket is kept as
/// plain TCP; one task for all connections writes the same stamped delta,
/// framed once per tick, to every connection that has said something
/// (`try_write`, no per-connection timer, no tungstenite on the hot path),
/// and a task per connection reads and discards what the client sends. What
/// a connection could not take is kept and written first at the next tick.
pub async fn serve_raw(listener: TcpListener) {
    let audio = delta_audio();
    let (joined_tx, mut joined) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            let joined_tx = joined_tx.clone();
            tokio::spawn(async move {
                let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let (mut read, write) = socket.into_inner().into_split();
                let (spoke_tx, spoke) = tokio::sync::oneshot::channel();
                let _ = joined_tx.send((write, spoke));
                // Read and discard; the first bytes start the deltas.
                let mut buffer = vec![0u8; 64 << 10];
                let mut spoke_tx = Some(spoke_tx);
                use tokio::io::AsyncReadExt as _;
                while let Ok(read) = read.read(&mut buffer).await {
                    if read == 0 {
                        break;
                    }
                    if let Some(spoke_tx) = spoke_tx.take() {
                        let _ = spoke_tx.send(());
                    }
                }
            });
        }
    });
    struct Connection {
        write: tokio::net::tcp::OwnedWriteHalf,
        spoke: Option<tokio::sync::oneshot::Receiver<()>>,
        pending: Vec<u8>,
    }
    let mut connections: Vec<Connection> = Vec::new();
    let (start, wall_start) = (Instant::now(), SystemTime::now());
    let mut ticks = tokio::time::interval_at(start, CHUNK);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    loop {
        let deadline = ticks.tick().await;
        while let Ok((write, spoke)) = joined.try_recv() {
            connections.push(Connection {
                write,
                spoke: Some(spoke),
                pending: Vec::new(),
            });
        }
        let id = stamp(wall_start + deadline.duration_since(start));
        let frame = text_frame(&light_delta(&id, &audio));
        connections.retain_mut(|connection| {
            if let Some(spoke) = &mut connection.spoke {
                match spoke.try_recv() {
                    Ok(()) => connection.spoke = None,
                    Err(tokio::sync::oneshot::error::TryRecvError::Empty) => return true,
                    Err(_) => return false,
                }
            }
            connection.pending.extend_from_slice(&frame);
            match connection.write.try_write(&connection.pending) {
                Ok(written) => {
                    connection.pending.drain(..written);
                    true
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => true,
                Err(_) => false,
            }
        });
    }
}

/// An unmasked server text frame carrying `text` (RFC 6455, section 5.2).
pub fn text_frame(text: &str) -> Vec<u8> {
    let len = text.len();
    let mut frame = Vec::with_capacity(len + 10);
    frame.push(0x81);
    if len < 126 {
        frame.push(len as u8);
    } else if len <= usize::from(u16::MAX) {
        frame.push(126);
        frame.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        frame.push(127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(text.as_bytes());
    frame
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
    fn a_raw_text_frame_is_what_tungstenite_reads() {
        use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket};
        for len in [5, 125, 126, 1_000, 70_000] {
            let text = "x".repeat(len);
            let stream = std::io::Cursor::new(text_frame(&text));
            let mut socket = WebSocket::from_raw_socket(stream, Role::Client, None);
            let message = socket.read().expect("a frame");
            assert_eq!(message.into_text().expect("text").as_str(), text, "{len}");
        }
    }

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
