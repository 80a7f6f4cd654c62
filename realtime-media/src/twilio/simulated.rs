//! A simulated Twilio: a caller that connects to a bridge as Twilio does
//! and speaks in real time, for tests and load benchmarks.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::error::MediaError;

/// What the simulated caller is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// Sending silence (as Twilio does between words).
    Silent,
    /// Sending a 440 Hz tone at 0.3 of full scale: speech to a VAD.
    Speaking,
    /// Hanging up: `stop`, then close.
    HungUp,
}

/// What the caller received from the bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// Model audio: μ-law bytes (8 a millisecond).
    Media(Vec<u8>),
    /// `clear`.
    Clear,
    /// A `mark` with its name.
    Mark(String),
    /// A text message that is none of those (not JSON, another event, or
    /// a payload that is not base64), by its length.
    Unreadable {
        /// Its length in bytes.
        bytes: usize,
    },
}

/// A Twilio Media Stream's caller, connected to a bridge.
#[derive(Debug)]
pub struct SimulatedCaller {
    voice: watch::Sender<Voice>,
    reader: futures_util::stream::SplitStream<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    >,
    writer: JoinHandle<()>,
}

/// μ-law of one 20 ms frame (160 samples) of the caller's voice.
fn frame(voice: Voice, phase: &mut usize) -> Vec<u8> {
    let mut samples = Vec::with_capacity(160);
    for _ in 0..160 {
        let sample = match voice {
            Voice::Speaking => {
                let angle = std::f64::consts::TAU * 440.0 * *phase as f64 / 8_000.0;
                (0.3 * 32_767.0 * angle.sin()) as i16
            }
            _ => 0,
        };
        samples.push(sample);
        *phase += 1;
    }
    let mut ulaw = Vec::with_capacity(160);
    realtime_codec::g711::ulaw_encode_into(&samples, &mut ulaw);
    ulaw
}

/// A message from the bridge, as the caller reads it.
fn read(text: &str) -> Heard {
    let unreadable = Heard::Unreadable { bytes: text.len() };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return unreadable;
    };
    match value["event"].as_str() {
        Some("media") => value["media"]["payload"]
            .as_str()
            .and_then(|payload| {
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, payload).ok()
            })
            .map_or(unreadable, Heard::Media),
        Some("clear") => Heard::Clear,
        Some("mark") => value["mark"]["name"]
            .as_str()
            .map_or(unreadable, |name| Heard::Mark(name.to_string())),
        _ => unreadable,
    }
}

impl SimulatedCaller {
    /// Connects to the bridge at `url` (`ws://…`), sends `connected` and
    /// `start` for stream `stream_sid`, and starts sending a `media`
    /// message every 20 ms (silence).
    ///
    /// # Errors
    ///
    /// [`MediaError::Peer`] when the connection fails.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropped before it completes, nothing is left running.
    pub async fn connect(url: &str, stream_sid: &str) -> Result<Self, MediaError> {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|error| MediaError::Peer(Box::new(error)))?;
        let (mut writer, reader) = socket.split();
        let connected =
            serde_json::json!({"event": "connected", "protocol": "Call", "version": "1.0.0"});
        let start = serde_json::json!({
            "event": "start", "sequenceNumber": "1", "streamSid": stream_sid,
            "start": {
                "accountSid": "AC00000000000000000000000000000000", "streamSid": stream_sid,
                "callSid": "CA00000000000000000000000000000000", "tracks": ["inbound"],
                "customParameters": {},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        });
        for message in [connected, start] {
            writer
                .send(Message::text(message.to_string()))
                .await
                .map_err(|error| MediaError::Peer(Box::new(error)))?;
        }
        let (voice, mut voice_rx) = watch::channel(Voice::Silent);
        let stream_sid = stream_sid.to_string();
        let writer = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            let (mut phase, mut chunk, mut sequence) = (0usize, 0u64, 1u64);
            loop {
                tick.tick().await;
                let voice = *voice_rx.borrow_and_update();
                sequence += 1;
                let message = if voice == Voice::HungUp {
                    serde_json::json!({"event": "stop", "sequenceNumber": sequence.to_string(),
                        "streamSid": stream_sid, "stop": {}})
                } else {
                    chunk += 1;
                    let payload = base64::Engine::encode(
                        &base64::engine::general_purpose::STANDARD,
                        frame(voice, &mut phase),
                    );
                    serde_json::json!({"event": "media", "sequenceNumber": sequence.to_string(),
                        "streamSid": stream_sid, "media": {"track": "inbound",
                        "chunk": chunk.to_string(), "timestamp": (chunk * 20).to_string(),
                        "payload": payload}})
                };
                if writer
                    .send(Message::text(message.to_string()))
                    .await
                    .is_err()
                    || voice == Voice::HungUp
                {
                    let _ = writer.close().await;
                    return;
                }
            }
        });
        Ok(SimulatedCaller {
            voice,
            reader,
            writer,
        })
    }

    /// Changes what the caller sends from the next frame on.
    pub fn set_voice(&self, voice: Voice) {
        let _ = self.voice.send(voice);
    }

    /// The next `media`, `clear` or `mark` the bridge sent; `None` once
    /// the bridge closed the stream.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future loses no message.
    pub async fn next(&mut self) -> Option<Heard> {
        loop {
            let Ok(Message::Text(text)) = self.reader.next().await? else {
                // Pings, pongs and binary frames are not Twilio's protocol.
                continue;
            };
            return Some(read(text.as_str()));
        }
    }

    /// Hangs up (`stop`, then the close handshake) and waits, for at most
    /// 2 s, until the bridge has closed its side, reading what it still
    /// sends: a bridge is never cut off in the middle of a write.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the hang-up happens either way.
    pub async fn hang_up(mut self) {
        self.set_voice(Voice::HungUp);
        let _ = (&mut self.writer).await;
        let drained = async { while self.reader.next().await.is_some() {} };
        let _ = tokio::time::timeout(Duration::from_secs(2), drained).await;
    }
}
