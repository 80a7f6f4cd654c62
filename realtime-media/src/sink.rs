//! Where the model's voice goes: the [`MediaSink`] trait, and a bounded
//! channel sink for code that reads the audio from a task of its own.

use futures_util::future::BoxFuture;
use realtime_codec::AudioFormat;
use tokio::sync::mpsc;

use crate::error::BoxError;
use crate::frame::AudioFrame;

/// A destination of the model's audio: a call leg, a speaker, a file.
///
/// The media session plays the model's audio in real time, a 20 ms frame
/// at a time, resampled and encoded into each sink's
/// [`format`](Self::format). What a sink has been given is what counts as
/// heard for barge-in, so a sink should play what it is given without
/// buffering much more than a frame ahead (or account for its own buffer).
///
/// The methods return boxed futures so that sinks of different types can
/// be played side by side (`Box<dyn MediaSink>`).
pub trait MediaSink: Send + 'static {
    /// The format the sink takes.
    fn format(&self) -> AudioFormat;

    /// Plays a frame (in [`format`](Self::format)). Playout waits for the
    /// future, so it should finish well within a frame's 20 ms; an error
    /// takes the sink out of the output.
    ///
    /// # Cancel safety
    ///
    /// The session does not cancel it.
    fn play<'a>(&'a mut self, frame: &'a AudioFrame) -> BoxFuture<'a, Result<(), BoxError>>;

    /// Drops whatever audio the sink itself still holds (barge-in): a call
    /// leg's jitter buffer, a device's queue. Nothing to do by default.
    ///
    /// # Cancel safety
    ///
    /// The session does not cancel it.
    fn clear(&mut self) -> BoxFuture<'_, Result<(), BoxError>> {
        Box::pin(async { Ok(()) })
    }
}

/// What a [`ChannelSink`] hands to its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkItem {
    /// A frame to play, in the sink's format.
    Audio(AudioFrame),
    /// Barge-in: drop what is still buffered downstream.
    Clear,
}

/// A sink that hands its frames to a bounded channel ([`sink_channel`]).
#[derive(Debug)]
pub struct ChannelSink {
    format: AudioFormat,
    tx: mpsc::Sender<SinkItem>,
}

/// Why a [`ChannelSink`] cannot play: its reader is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderGone;

impl std::fmt::Display for ReaderGone {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("the sink's reader was dropped")
    }
}

impl std::error::Error for ReaderGone {}

/// A sink in `format` whose frames (and clears) come out of the returned
/// receiver; at most `capacity` wait, after which playing waits for the
/// reader (so a reader that falls behind is heard late, never dropped).
pub fn sink_channel(
    format: AudioFormat,
    capacity: usize,
) -> (ChannelSink, mpsc::Receiver<SinkItem>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (ChannelSink { format, tx }, rx)
}

impl MediaSink for ChannelSink {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn play<'a>(&'a mut self, frame: &'a AudioFrame) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            self.tx
                .send(SinkItem::Audio(frame.clone()))
                .await
                .map_err(|_| Box::new(ReaderGone) as BoxError)
        })
    }

    fn clear(&mut self) -> BoxFuture<'_, Result<(), BoxError>> {
        Box::pin(async move {
            self.tx
                .send(SinkItem::Clear)
                .await
                .map_err(|_| Box::new(ReaderGone) as BoxError)
        })
    }
}
