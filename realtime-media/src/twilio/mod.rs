//! A Twilio Media Streams bridge: a phone call's audio to a Realtime
//! session and the model's voice back, with barge-in (`clear` to Twilio
//! when the caller talks over the model).
//!
//! Twilio connects to a WebSocket server of yours (`<Connect><Stream
//! url="wss://…"/>` in the call's TwiML) and sends `connected`, `start`,
//! then base64 μ-law at 8 kHz in `media` messages; [`bridge`] takes that
//! socket, once upgraded, and a connected [`RealtimeClient`](realtime_client::RealtimeClient).
//! The `twilio_bridge` example of `realtime-demo` serves it.

mod bridge;
pub mod messages;
pub mod simulated;

pub use bridge::{BridgeOptions, BridgeReport, SessionAudio, bridge};
pub use messages::TwilioError;
