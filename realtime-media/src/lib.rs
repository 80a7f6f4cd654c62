//! Media bridging for the OpenAI Realtime API: audio from calls, files and
//! devices into a session, the model's voice out to them, and barge-in
//! done right.
//!
//! ```
//! use realtime_client::{RealtimeClient, prelude::*};
//! use realtime_client::types::ga::{UserContent, UserMessage};
//! use realtime_media::{AudioFormat, MediaConfig, MediaEvent, MediaSession, sink_channel};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = realtime_mock::MockServer::start(Default::default()).await?;
//! let client = RealtimeClient::builder()
//! #   .base_url(mock.base_url())
//!     .model("gpt-realtime")
//!     .connect()
//!     .await?;
//! let mut media = MediaSession::start(client, MediaConfig::default())?;
//! // The model's voice, played in real time as 48 kHz PCM16 frames.
//! let (speaker, mut frames) = sink_channel(AudioFormat::Pcm16 { rate: 48_000 }, 100);
//! media.send_media_to("speaker", speaker).await?;
//! let hi = UserMessage::new([UserContent::input_text().with_text("Hi")]);
//! media.sender().conversation_item_create(hi).await?;
//! media.sender().response_create().await?;
//! while let Some(event) = media.next_event().await {
//!     if let MediaEvent::MediaStarted { tag } = event {
//!         assert_eq!(tag, "speaker");
//!         break;
//!     }
//! }
//! assert!(frames.recv().await.is_some(), "a frame to play");
//! # Ok(())
//! # }
//! ```
//!
//! - **Codecs** ([`codec`], the `realtime-codec` crate): PCM16
//!   little-endian and G.711 μ-law / A-law, the one implementation the
//!   local mock uses too; [`Resampler`]: streaming windowed-sinc
//!   resampling between 8, 16, 24, 48 kHz (any rate from 8 to 192 kHz in
//!   whole hundreds), its quality measured by `tests/resample_quality.rs`.
//! - **Sources** ([`MediaSource`]): any `Stream` of [`AudioFrame`]s
//!   ([`StreamSource`]), a bounded channel ([`frame_channel`]), a WAV file
//!   ([`WavSource`]). [`stream_into_session`] resamples them to the
//!   session's input format, cuts them in 20 ms chunks, paces them in real
//!   time (or as fast as the session takes them) and appends them, pulling
//!   from the source only as fast as it sends.
//! - **Sinks** ([`MediaSink`]): [`MediaSession`] plays the model's audio in
//!   real time to every sink, each in its own format, under a tag
//!   (`send_media_to` / `stop_media_to`), with media started / ended
//!   notifications; its [`Playout`] buffer knows what was heard, to the
//!   sample.
//! - **Barge-in** ([`MediaSession::clear_media_buffer`], or the server's
//!   `speech_started`): queued audio dropped, sinks cleared, the response
//!   cancelled when the server does not ([`CancelPolicy`]),
//!   `conversation.item.truncate` sent with the `audio_end_ms` the
//!   listener heard, and the rest of the response's deltas ignored.
//!
//! ```no_run
//! use realtime_client::RealtimeClient;
//! use realtime_media::{AudioFormat, InputOptions, MediaConfig, MediaEvent, MediaSession, WavSource, sink_channel};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = RealtimeClient::builder().model("gpt-realtime").connect().await?;
//! let mut media = MediaSession::start(client, MediaConfig::default())?;
//! // The model's voice as 8 kHz μ-law frames, e.g. for a phone call.
//! let (sink, mut frames) = sink_channel(AudioFormat::G711Ulaw, 50);
//! media.send_media_to("caller", sink).await?;
//! tokio::spawn(async move { while let Some(_frame) = frames.recv().await { /* send it */ } });
//! // A file in, as if spoken live.
//! media.stream_from(WavSource::open("question.wav").await?, InputOptions::default()).await?;
//! while let Some(event) = media.next_event().await {
//!     if let MediaEvent::Interrupted(interruption) = event {
//!         println!("cut: {:?}", interruption.truncations);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! - **Telephony** ([`twilio`]): a Twilio Media Streams bridge with barge-in.
//!
//! Only the GA surface has a [`MediaSession`] so far; the input pump works
//! on every surface with an append event.

mod barge_in;
mod chunk;
mod error;
mod frame;
mod input;
mod output;
mod playout;
mod resample;
mod session;
mod sink;
mod source;
pub mod twilio;
pub mod wav;

/// The codecs (the `realtime-codec` crate).
pub use realtime_codec as codec;
pub use realtime_codec::AudioFormat;

pub use barge_in::{BargeInCause, BargeInPolicy, CancelPolicy, Interruption};
pub use chunk::Chunker;
pub use error::{BoxError, CodecError, MediaError};
pub use frame::AudioFrame;
pub use input::{CHUNK_MS, InputOptions, InputReport, Pacing, stream_into_session};
pub use playout::{PlayedFrame, Playout, Truncation};
pub use resample::{Resampler, SUPPORTED_RATES, check_rate};
pub use session::{FRAME_MS, MediaConfig, MediaEvent, MediaSession};
pub use sink::{ChannelSink, MediaSink, ReaderGone, SinkItem, sink_channel};
pub use source::{ChannelSource, FrameSender, IntoFrame, MediaSource, StreamSource, frame_channel};
pub use wav::{WavAudio, WavSource};

/// The examples of the crate's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
