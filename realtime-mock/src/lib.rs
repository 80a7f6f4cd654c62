//! A local OpenAI Realtime server that speaks the WebSocket protocol with the
//! generated `realtime-types`, so that clients, examples and tests run
//! offline. See [`MockServer`].
//!
//! ```
//! use futures_util::{SinkExt as _, StreamExt as _};
//! use realtime_mock::{MockConfig, MockServer, Pacing};
//! use tokio_tungstenite::tungstenite::Message;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = MockServer::start(MockConfig::default().with_pacing(Pacing::Immediate)).await?;
//! // Any WebSocket client; `realtime-client` takes `mock.base_url()` as its `base_url`.
//! let (mut socket, _) = tokio_tungstenite::connect_async(format!("{}?model=gpt-realtime", mock.url())).await?;
//! let Some(Ok(Message::Text(first))) = socket.next().await else { panic!("a text frame") };
//! assert!(first.as_str().contains(r#""type":"session.created""#));
//!
//! // A frame that is no client event: an `error` event, and the session goes on.
//! socket.send(Message::text(r#"{"type":"no.such.event"}"#)).await?;
//! loop {
//!     let Some(Ok(Message::Text(frame))) = socket.next().await else { panic!("a text frame") };
//!     if frame.as_str().contains(r#""type":"error""#) {
//!         break;
//!     }
//! }
//! mock.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Surfaces
//!
//! The handshake picks the protocol surface of a connection
//! ([`handshake::Surface`]):
//!
//! - **GA** (`/v1/realtime?model=...`, the default): the full protocol
//!   engine. `session.created`, then `conversation.created`. Session
//!   (`session.update` merges, `null` clears; the voice is fixed once audio
//!   was produced), conversation items (create with `previous_item_id`,
//!   retrieve with their audio, delete, truncate: at any time after the
//!   audio was sent, also while it streams or right after
//!   `response.cancel`, cutting the audio and deleting the unheard
//!   transcript), the input audio buffer (PCM16 or G.711, append / commit /
//!   clear, energy-based server VAD: one item id from `speech_started` to
//!   the committed item, times from the start of the session's audio,
//!   `audio_end_ms` with the closing silence, barge-in that cancels the
//!   response with `turn_detected` when `interrupt_response` is on), input
//!   transcription (`conversation.item.input_audio_transcription.delta` /
//!   `.completed` with usage, also in `intent=transcription` sessions,
//!   which never respond), responses (`rate_limits.updated` as they start;
//!   text, audio with transcript, function calls whose arguments satisfy
//!   the tool's schema from the user's words, out of band with
//!   `conversation: "none"`, `input` with item references,
//!   `max_output_tokens`, cancel, after which the item keeps what was
//!   streamed and is closed as `incomplete`), paced in real time by
//!   deadlines from the response's start, or immediately; audio is made one
//!   delta at a time. What responses say is up to a [`Responder`].
//!   `session.update`, `response.create` and `conversation.item.create` are
//!   checked against the spec's JSON Schema of the event, closed (unlisted
//!   values, union members and parameters are refused): the `error` names
//!   the parameter as the service does (`session.output_modalities[0]`).
//! - **Beta** (header `OpenAI-Beta: realtime=v1`): the same engine behind a
//!   translation layer, decoded and encoded with `realtime_types::beta`. The
//!   flat beta session (`modalities`, `voice`, `input_audio_format`
//!   `pcm16` / `g711_ulaw` / `g711_alaw`, `turn_detection`,
//!   `max_response_output_tokens`, ...) and beta `response.create`
//!   parameters map onto the GA ones; outbound events take the beta names
//!   and shapes (`conversation.item.created` with `previous_item_id`, the
//!   beta `beta::Session` and `beta::Response`, assistant content
//!   `text` / `audio`), and GA-only events (`conversation.item.done`,
//!   `output_audio_buffer.*`) are not sent. Text and audio streaming events
//!   take the names the beta server sends (`response.text.delta`,
//!   `response.audio.delta`, ...). Settings events are checked against the
//!   beta schemas (a GA-shaped `session.update` is an unknown parameter).
//!   `temperature` is reported but has no effect. With
//!   `intent=transcription` the session is a beta transcription session
//!   (`transcription_session.created` / `transcription_session.update`);
//!   `transcription_session.update` on a realtime session is an `error`.
//! - **Translation** (`/v1/realtime/translations`): a translation session
//!   that echoes. `session.update` merges into the session (`type` and
//!   `model` are fixed); appended 24 kHz PCM16 audio is handled in 200 ms
//!   frames, each sent back unchanged as `session.output_audio.delta`, and a
//!   frame that is not silent adds the word "hello" in the output language
//!   as `session.output_transcript.delta` (and `hello` as
//!   `session.input_transcript.delta` when source transcription is on);
//!   `session.close` flushes, answers `session.closed` and closes the
//!   WebSocket with code 1000.
//!
//! On every surface a frame that is not a known client event of that
//! surface gets an `error` event with the client's `event_id` (when it can
//! be read), and the connection stays open.
//!
//! # Addresses
//!
//! [`MockServer::base_url`] (`ws://127.0.0.1:PORT/v1`) is the API base, what
//! `realtime-client`'s `base_url` takes as it is; each surface's path is
//! under it. [`MockServer::url`] is the GA endpoint (`.../v1/realtime`).
//!
//! # Limits and shutdown
//!
//! No client, and no number of clients, takes the server down: the
//! handshake must complete within [`Limits::handshake_timeout`], at most
//! [`Limits::max_connections`] are open (beyond, HTTP 503 at once), messages
//! are bounded by [`Limits::max_message_bytes`], and when accepting fails
//! (out of file descriptors) the server backs off (10 ms doubling to 1 s)
//! and logs once on standard error instead of spinning. Shutdown closes
//! every connection with 1001 and drops one whose client does not read
//! after [`Limits::close_timeout`].

pub mod arguments;
pub mod audio;
mod beta;
mod calls;
pub mod config;
mod connection;
mod engine;
pub mod handshake;
mod http;
mod multipart;
mod registry;
pub mod responder;
mod rest;
mod secrets;
mod server;
mod translation;
pub mod vad;
mod validate;

pub use config::{Limits, MockConfig, Pacing};
pub use responder::{
    EchoResponder, Reply, Responder, ResponseRequest, ScriptedResponder, ToolSpec,
};
pub use server::MockServer;

/// The examples of the crate's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
