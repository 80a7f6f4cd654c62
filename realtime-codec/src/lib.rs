//! The audio codecs of the Realtime API, and nothing else: no I/O, no
//! session, no dependencies, so that both the media layer
//! (`realtime-media`) and the local mock server (`realtime-mock`) use this
//! one implementation.
//!
//! ```
//! use realtime_codec::AudioFormat;
//!
//! let mut bytes = Vec::new();
//! AudioFormat::G711Ulaw.encode(&[0, 1_000, -1_000], &mut bytes);
//! assert_eq!(bytes.len(), 3); // one byte a sample
//!
//! let mut samples = Vec::new();
//! AudioFormat::G711Ulaw.decode(&bytes, &mut samples)?;
//! assert_eq!(samples, [0, 988, -988]); // within half a quantisation step
//! # Ok::<(), realtime_codec::CodecError>(())
//! ```
//!
//! - [`AudioFormat`]: PCM16 at a rate, or G.711 μ-law / A-law at 8 kHz, as
//!   the API names them (`audio/pcm`, `audio/pcmu`, `audio/pcma`, and the
//!   beta `pcm16`, `g711_ulaw`, `g711_alaw`);
//! - [`AudioFormat::decode`] turns encoded bytes into 16-bit linear samples
//!   and [`AudioFormat::encode`] does the reverse;
//! - [`g711`]: the two companding laws, bit-exact with the ITU-T reference
//!   implementation (`g711.c` of the G.191 software tools);
//! - [`pcm16`]: signed 16-bit little-endian samples to and from bytes.
//!
//! Nothing here resamples: samples are at the rate of the format they came
//! from or are meant for ([`AudioFormat::sample_rate`]).

mod error;
mod format;
pub mod g711;
pub mod pcm16;

pub use error::CodecError;
pub use format::{AudioFormat, DEFAULT_PCM16_RATE, G711_RATE};

/// The examples of the crate's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
