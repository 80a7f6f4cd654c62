//! The input pump: a [`MediaSource`] into a session's input audio buffer.

use std::time::Duration;

use realtime_client::{AudioInput, RealtimeSender};
use realtime_codec::AudioFormat;

use crate::chunk::Chunker;
use crate::error::MediaError;
use crate::frame::AudioFrame;
use crate::resample::Resampler;
use crate::source::MediaSource;

/// Duration of each append: 20 ms, the packet time of telephony and of
/// most voice pipelines.
pub const CHUNK_MS: u32 = 20;

/// How fast the pump sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pacing {
    /// A chunk every 20 ms (a schedule from the start, which does not
    /// catch up after the source paused): as a live caller speaks. Right
    /// for files the model should hear as if live, and harmless for live
    /// sources, which are never early.
    #[default]
    RealTime,
    /// As fast as the session takes them: only the client's outbound
    /// budget ([`realtime_client::ClientBuilder::outbound_buffer_bytes`])
    /// slows the pump down. For files.
    AsFastAsAllowed,
}

/// How [`stream_into_session`] sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputOptions {
    /// The session's input format (`audio.input.format`), 24 kHz PCM16 by default.
    pub session_format: AudioFormat,
    /// How fast to send.
    pub pacing: Pacing,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            session_format: AudioFormat::PCM16_24K,
            pacing: Pacing::RealTime,
        }
    }
}

impl InputOptions {
    /// Sets [`InputOptions::session_format`].
    pub fn with_session_format(mut self, format: AudioFormat) -> Self {
        self.session_format = format;
        self
    }

    /// Sets [`InputOptions::pacing`].
    pub fn with_pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }
}

/// What [`stream_into_session`] sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct InputReport {
    /// Append events sent.
    pub appends: u64,
    /// Samples sent, at the session's input rate.
    pub samples: u64,
    /// Audio sent, in whole milliseconds.
    pub duration_ms: u64,
}

/// Sends `source` into the session's input audio buffer until it ends:
/// every frame is decoded, resampled to `options.session_format` (and
/// encoded as G.711 for a G.711 session), cut into 20 ms chunks and sent
/// with the sender's append method, paced as `options.pacing` says. The
/// last chunk may be shorter. Nothing is committed: with server VAD the
/// server commits; without, call `input_audio_buffer_commit` afterwards.
///
/// Memory is bounded: a frame is pulled from the source only when the
/// previous one has been sent, and sending waits while the client's
/// outbound budget is full.
///
/// # Errors
///
/// The source's error, an undecodable frame ([`MediaError::Codec`]), a rate
/// the resampler does not take ([`MediaError::UnsupportedRate`]), or the
/// session's end ([`MediaError::Session`]); what was sent before stays sent.
///
/// # Cancel safety
///
/// Not cancel-safe in the sense of losing nothing: each append is queued
/// whole or not at all, but audio pulled from the source and not yet sent
/// (less than 20 ms, plus the resampler's 10 ms) is lost. Drop the future
/// to stop streaming.
pub async fn stream_into_session<S: AudioInput>(
    sender: &RealtimeSender<S>,
    mut source: impl MediaSource,
    options: InputOptions,
) -> Result<InputReport, MediaError> {
    let format = options.session_format;
    let rate = format.sample_rate();
    crate::resample::check_rate(rate)?;
    let mut pump = Pump {
        sender,
        format,
        pacing: options.pacing,
        chunker: Chunker::new(format.samples_in_ms(CHUNK_MS)),
        clock: None,
        report: InputReport::default(),
        bytes: Vec::new(),
    };
    let mut resampler: Option<Resampler> = None;
    let mut decoded = Vec::new();
    let mut resampled = Vec::new();
    while let Some(frame) = source.next_frame().await {
        let frame: AudioFrame = frame?;
        decoded.clear();
        frame.decode_into(&mut decoded)?;
        let from = frame.format.sample_rate();
        if resampler.as_ref().is_none_or(|r| r.from_rate() != from) {
            // The format changed: what the old resampler holds goes first.
            resampled.clear();
            if let Some(old) = resampler.as_mut() {
                old.flush(&mut resampled);
            }
            pump.push(&resampled).await?;
            resampler = Some(Resampler::new(from, rate)?);
        }
        resampled.clear();
        if let Some(resampler) = resampler.as_mut() {
            resampler.process(&decoded, &mut resampled);
        }
        pump.push(&resampled).await?;
    }
    resampled.clear();
    if let Some(resampler) = resampler.as_mut() {
        resampler.flush(&mut resampled);
    }
    pump.push(&resampled).await?;
    let rest = pump.chunker.take_rest();
    pump.send(&rest).await?;
    Ok(pump.report)
}

struct Pump<'a, S: AudioInput> {
    sender: &'a RealtimeSender<S>,
    format: AudioFormat,
    pacing: Pacing,
    chunker: Chunker,
    /// When the next chunk is due (real-time pacing), once started.
    clock: Option<tokio::time::Instant>,
    report: InputReport,
    bytes: Vec<u8>,
}

impl<S: AudioInput> Pump<'_, S> {
    async fn push(&mut self, samples: &[i16]) -> Result<(), MediaError> {
        self.chunker.push(samples);
        while let Some(chunk) = self.chunker.next_chunk() {
            self.send(&chunk).await?;
        }
        Ok(())
    }

    async fn send(&mut self, chunk: &[i16]) -> Result<(), MediaError> {
        if chunk.is_empty() {
            return Ok(());
        }
        if self.pacing == Pacing::RealTime {
            let now = tokio::time::Instant::now();
            // Never ahead of the schedule, and never catching up: a chunk
            // late (the source paused) starts the schedule again.
            let due = self.clock.map_or(now, |due| due.max(now));
            tokio::time::sleep_until(due).await;
            self.clock = Some(due + Duration::from_millis(u64::from(CHUNK_MS)));
        }
        match self.format {
            AudioFormat::Pcm16 { .. } => self.sender.input_audio_buffer_append_pcm16(chunk).await?,
            format => {
                self.bytes.clear();
                format.encode(chunk, &mut self.bytes);
                self.sender
                    .input_audio_buffer_append_bytes(&self.bytes)
                    .await?;
            }
        }
        self.report.appends += 1;
        self.report.samples += chunk.len() as u64;
        self.report.duration_ms = self.report.samples * 1000 / u64::from(self.format.sample_rate());
        Ok(())
    }
}
