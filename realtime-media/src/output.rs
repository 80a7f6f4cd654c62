//! One sink of a media session: its resampler, its encoder, and whether
//! it is playing (for the media started / ended notifications).

use std::time::Duration;

use tokio::time::Instant;

use crate::error::{BoxError, MediaError};
use crate::frame::AudioFrame;
use crate::resample::Resampler;
use crate::sink::MediaSink;

/// A sink with what it takes to feed it the session's audio.
pub(crate) struct SinkPort {
    pub(crate) tag: String,
    sink: Box<dyn MediaSink>,
    resampler: Resampler,
    samples: Vec<i16>,
    /// When it was last given audio, while it is playing.
    playing_since: Option<Instant>,
    last_audio: Option<Instant>,
}

/// A change of a sink's playing state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transition {
    Started,
    Ended,
}

impl SinkPort {
    /// A port from audio at `session_rate` to `sink`.
    pub(crate) fn new(
        tag: String,
        sink: Box<dyn MediaSink>,
        session_rate: u32,
    ) -> Result<Self, MediaError> {
        let resampler = Resampler::new(session_rate, sink.format().sample_rate())?;
        Ok(SinkPort {
            tag,
            sink,
            resampler,
            samples: Vec::new(),
            playing_since: None,
            last_audio: None,
        })
    }

    /// Plays `samples` (at the session's rate); `flush` when the playout
    /// buffer ran dry, so that the resampler hands out all it holds.
    pub(crate) async fn play(
        &mut self,
        samples: &[i16],
        flush: bool,
        now: Instant,
    ) -> Result<Option<Transition>, BoxError> {
        self.samples.clear();
        self.resampler.process(samples, &mut self.samples);
        if flush {
            self.resampler.flush(&mut self.samples);
        }
        if self.samples.is_empty() {
            return Ok(None);
        }
        let format = self.sink.format();
        let mut bytes = Vec::with_capacity(self.samples.len() * format.bytes_per_sample());
        format.encode(&self.samples, &mut bytes);
        self.sink.play(&AudioFrame::new(format, bytes)).await?;
        self.last_audio = Some(now);
        Ok(match self.playing_since {
            Some(_) => None,
            None => {
                self.playing_since = Some(now);
                Some(Transition::Started)
            }
        })
    }

    /// Ends playing after `silence` without audio.
    pub(crate) fn check_silence(&mut self, now: Instant, silence: Duration) -> Option<Transition> {
        let last = self.last_audio?;
        (self.playing_since.is_some() && now.duration_since(last) >= silence).then(|| {
            self.playing_since = None;
            Transition::Ended
        })
    }

    /// Barge-in: forgets the audio in the resampler and clears the sink.
    pub(crate) async fn clear(&mut self) -> Result<(), BoxError> {
        self.resampler.reset();
        self.sink.clear().await
    }
}
