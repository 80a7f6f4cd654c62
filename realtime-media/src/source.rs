//! Where input audio comes from: the [`MediaSource`] trait and its
//! adapters (any `Stream` of frames, a bounded channel). WAV files are in
//! [`crate::wav`].

use std::future::Future;

use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;

use crate::error::MediaError;
use crate::frame::AudioFrame;

/// A source of audio for a session: a call leg, a microphone, a file.
///
/// Frames come in any format ([`AudioFrame::format`]), of any length, and
/// may change format between frames; [`crate::stream_into_session`]
/// resamples them to the session's input format, cuts them in 20 ms chunks
/// and paces them. The source is pulled, one frame at a time, only as fast
/// as the session takes them: a source never needs to buffer more than the
/// frame it is asked for.
pub trait MediaSource: Send {
    /// The next frame; `None` at the end of the audio.
    ///
    /// # Cancel safety
    ///
    /// Implementations should be cancel-safe (dropped before it completes,
    /// no frame is lost); the adapters of this crate are.
    fn next_frame(&mut self)
    -> impl Future<Output = Option<Result<AudioFrame, MediaError>>> + Send;
}

/// Any `Stream` of frames as a source (`StreamSource::new(stream)`): items
/// are `AudioFrame`s or `Result<AudioFrame, MediaError>`s.
#[derive(Debug)]
pub struct StreamSource<S> {
    stream: S,
}

impl<S> StreamSource<S> {
    /// The source of `stream`'s frames.
    pub fn new(stream: S) -> Self {
        StreamSource { stream }
    }
}

/// What a [`StreamSource`]'s stream may yield.
pub trait IntoFrame {
    /// The frame, or why there is none.
    fn into_frame(self) -> Result<AudioFrame, MediaError>;
}

impl IntoFrame for AudioFrame {
    fn into_frame(self) -> Result<AudioFrame, MediaError> {
        Ok(self)
    }
}

impl IntoFrame for Result<AudioFrame, MediaError> {
    fn into_frame(self) -> Result<AudioFrame, MediaError> {
        self
    }
}

impl<S> MediaSource for StreamSource<S>
where
    S: Stream + Unpin + Send,
    S::Item: IntoFrame,
{
    async fn next_frame(&mut self) -> Option<Result<AudioFrame, MediaError>> {
        self.stream.next().await.map(IntoFrame::into_frame)
    }
}

/// A bounded channel of frames: the [`FrameSender`] half for code that
/// pushes audio (a device callback, a socket reader), the
/// [`ChannelSource`] half for [`crate::stream_into_session`]. At most
/// `capacity` frames wait; sending beyond waits (or, with
/// [`FrameSender::try_send`], fails), so a producer faster than the
/// session is slowed down instead of growing memory.
pub fn frame_channel(capacity: usize) -> (FrameSender, ChannelSource) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (FrameSender { tx }, ChannelSource { rx })
}

/// The pushing half of [`frame_channel`]; dropping every clone ends the source.
#[derive(Debug, Clone)]
pub struct FrameSender {
    tx: mpsc::Sender<AudioFrame>,
}

impl FrameSender {
    /// Sends a frame, waiting while the channel is full.
    ///
    /// # Errors
    ///
    /// [`MediaError::Stopped`] when the source was dropped.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropped before it completes, the frame was not sent.
    pub async fn send(&self, frame: AudioFrame) -> Result<(), MediaError> {
        self.tx.send(frame).await.map_err(|_| MediaError::Stopped)
    }

    /// Sends a frame if there is room now, for code that may not wait (a
    /// device callback).
    ///
    /// # Errors
    ///
    /// The frame back when the channel is full or the source was dropped.
    #[allow(clippy::result_large_err)] // the frame is handed back, not dropped
    pub fn try_send(&self, frame: AudioFrame) -> Result<(), AudioFrame> {
        self.tx.try_send(frame).map_err(|error| match error {
            mpsc::error::TrySendError::Full(frame) | mpsc::error::TrySendError::Closed(frame) => {
                frame
            }
        })
    }
}

/// The source half of [`frame_channel`].
#[derive(Debug)]
pub struct ChannelSource {
    rx: mpsc::Receiver<AudioFrame>,
}

impl MediaSource for ChannelSource {
    async fn next_frame(&mut self) -> Option<Result<AudioFrame, MediaError>> {
        self.rx.recv().await.map(Ok)
    }
}
