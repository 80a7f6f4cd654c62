//! A thin, typed transport for the OpenAI Realtime API over
//! `tokio-tungstenite`: every frame is one event of [`realtime_types`], in
//! both directions.
//!
//! Connect, update the session, send text, stream the answer (this example
//! runs against the local mock server; for OpenAI, drop `base_url` and give
//! `api_key`):
//!
//! ```
//! use realtime_client::prelude::*;
//! use realtime_client::types::ga::{OutputModality, ServerEvent, Session, UserContent, UserMessage};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = realtime_mock::MockServer::start(
//! #     realtime_mock::MockConfig::default().with_pacing(realtime_mock::Pacing::Immediate)).await?;
//! # let base_url = mock.base_url().to_string();
//! let mut client = RealtimeClient::builder()
//!     .base_url(base_url) // default: wss://api.openai.com/v1
//!     .model("gpt-realtime")
//!     .api_key(std::env::var("OPENAI_API_KEY").unwrap_or_default())
//!     .connect()
//!     .await?;
//!
//! let session = Session::default()
//!     .with_instructions("Answer briefly.")
//!     .with_output_modalities([OutputModality::Text]);
//! client.session_update(session).await?;
//! let hello = UserMessage::new([UserContent::input_text().with_text("Hello!")]);
//! client.conversation_item_create(hello).await?;
//! client.response_create().await?;
//!
//! let mut answer = String::new();
//! while let Some(event) = client.next_event().await {
//!     match event? {
//!         ServerEvent::ResponseOutputTextDelta(delta) => answer.push_str(&delta.delta),
//!         ServerEvent::ResponseDone(_) => break,
//!         ServerEvent::Error(error) => eprintln!("server error: {}", error.error.message),
//!         _ => {}
//!     }
//! }
//! assert_eq!(answer, "You said: Hello!");
//! client.close(1000, "bye").await?;
//! # Ok(())
//! # }
//! ```
//!
//! A background task per session owns the socket and reads and writes side
//! by side (keepalive, limits, opt-in [`Reconnect`]); the client sends and
//! receives through queues bounded in bytes, and frames are decoded by
//! whoever reads them: `next_event()` into the owned union, or
//! `next_text()` for the surface's borrowed view (`ga::ServerEventRef`),
//! which reads audio deltas without copying their base64.
//!
//! - Surfaces: GA by default, [`ClientBuilder::beta`] (feature `beta`) and
//!   [`ClientBuilder::translation`] (feature `translation`); the client is
//!   generic over [`Surface`].
//! - Sending: the generated per-event methods of each surface's
//!   `ClientEventMethods` trait (in scope with [`prelude`]), which take the
//!   event's required fields; [`RealtimeClient::send`] for an event built
//!   with optional fields; [`RealtimeClient::send_raw`].
//! - Receiving: [`RealtimeClient::next_event`] (cancel-safe),
//!   [`RealtimeClient::next_frame`] (with the raw text), [`RealtimeClient::split`]
//!   into a [`RealtimeSender`] (`Clone + Send + Sync`; [`RealtimeSender::into_sink`]
//!   for a `futures::Sink`) and a `Stream`, or [`Listeners`] with [`RealtimeReceiver::run`].
//! - Under load: both queues are bounded in bytes
//!   ([`ClientBuilder::outbound_buffer_bytes`], [`ClientBuilder::inbound_buffer_bytes`]);
//!   a slow reader is backpressure on the server, never a keepalive timeout,
//!   and never blocks sending; [`RealtimeClient::queue_stats`] shows how full they are.
//! - Faults: typed errors with their source and close code ([`Error::close_code`]);
//!   opt-in reconnect with [`ClientBuilder::reconnect`].
//! - REST (feature `rest`): [`ClientBuilder::rest`] makes a [`RestClient`] with the same
//!   credentials and TLS, for the operations generated from the spec's
//!   paths (each surface's `RestMethods`: client secrets, calls, the beta
//!   sessions), with retries and typed [`RestError`]s.

mod audio_input;
mod budget;
mod builder;
mod client;
mod connection;
mod error;
mod handshake;
mod listeners;
mod methods;
mod raw_text;
mod reconnect;
#[cfg(feature = "rest")]
mod rest;
mod secret;
mod session_task;
mod surface;

/// The event types of every surface (the `realtime-types` crate), so that
/// one dependency is enough; also under its own name, which is the path
/// rustc suggests for its items (`realtime_client::realtime_types::ga::..`).
pub use realtime_types as types;
#[doc(hidden)]
pub use realtime_types;

/// What a client application imports: the client, and every surface's
/// per-event send methods (`client.session_update(..)`), whose traits must
/// be in scope to call them.
///
/// Without it, rustc suggests importing the trait by the path below, which
/// compiles too:
///
/// ```
/// use realtime_client::realtime_types::ga::ClientEventMethods;
/// # async fn run(client: realtime_client::RealtimeClient) -> realtime_client::Result<()> {
/// client.response_create().await
/// # }
/// ```
pub mod prelude {
    pub use crate::{Listeners, RealtimeClient};
    #[cfg(feature = "beta")]
    pub use realtime_types::beta::ClientEventMethods as _;
    pub use realtime_types::ga::ClientEventMethods as _;
    #[cfg(feature = "translation")]
    pub use realtime_types::translation::ClientEventMethods as _;
}

pub use audio_input::AudioInput;
pub use builder::{
    ClientBuilder, Credentials, DEFAULT_BASE_URL, DEFAULT_INBOUND_BUFFER_BYTES,
    DEFAULT_MAX_JSON_VALUES, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_OUTBOUND_BUFFER_BYTES,
    DEFAULT_READ_BUFFER_BYTES, Target, TokenProvider,
};
pub use client::{
    EventSink, Frame, QueueStats, RealtimeClient, RealtimeReceiver, RealtimeSender, Received,
};
pub use error::{BoxError, DecodeError, Error, Result, ServerError};
pub use listeners::{ErrorSignal, ListenerId, Listeners};
pub use raw_text::RawText;
pub use reconnect::{Attempt, Decision, Reconnect, ReconnectHook, Reconnected};
#[cfg(feature = "rest")]
pub use rest::{DEFAULT_MAX_RETRIES, RestClient, RestError};
pub use secret::Secret;
#[cfg(feature = "beta")]
pub use surface::Beta;
#[cfg(feature = "translation")]
pub use surface::Translation;
pub use surface::{Ga, Surface};

/// The examples of the crate's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
