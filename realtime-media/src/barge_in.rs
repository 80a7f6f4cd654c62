//! What a barge-in does, and what it did.

use crate::playout::Truncation;

/// Whether the media session cancels the response on a barge-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CancelPolicy {
    /// Send `response.cancel` unless the server cancels by itself: it does
    /// on `speech_started` when the session's turn detection has
    /// `interrupt_response` on (the API default), never on an explicit
    /// [`clear_media_buffer`](crate::MediaSession::clear_media_buffer).
    #[default]
    IfServerDoesNot,
    /// Always send `response.cancel` for a response in progress.
    Always,
    /// Never send it (the application decides).
    Never,
}

/// How the media session handles barge-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BargeInPolicy {
    /// Barge in on `input_audio_buffer.speech_started` (default on), when
    /// the model is speaking: audio is queued or a response is streaming.
    pub on_speech_started: bool,
    /// Whether to cancel the response.
    pub cancel: CancelPolicy,
    /// Send `conversation.item.truncate` with what was heard (default on),
    /// so that the model knows where it was cut off.
    pub truncate: bool,
}

impl Default for BargeInPolicy {
    fn default() -> Self {
        BargeInPolicy {
            on_speech_started: true,
            cancel: CancelPolicy::IfServerDoesNot,
            truncate: true,
        }
    }
}

impl BargeInPolicy {
    /// Sets [`BargeInPolicy::on_speech_started`].
    pub fn with_on_speech_started(mut self, on: bool) -> Self {
        self.on_speech_started = on;
        self
    }

    /// Sets [`BargeInPolicy::cancel`].
    pub fn with_cancel(mut self, cancel: CancelPolicy) -> Self {
        self.cancel = cancel;
        self
    }

    /// Sets [`BargeInPolicy::truncate`].
    pub fn with_truncate(mut self, truncate: bool) -> Self {
        self.truncate = truncate;
        self
    }
}

/// What set off a barge-in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BargeInCause {
    /// The server's VAD heard the user (`input_audio_buffer.speech_started`).
    SpeechStarted {
        /// The user item the speech will become.
        item_id: String,
    },
    /// [`clear_media_buffer`](crate::MediaSession::clear_media_buffer).
    Explicit,
}

/// What a barge-in did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Interruption {
    /// Why.
    pub cause: BargeInCause,
    /// Queued audio dropped, in samples at the session's output rate.
    pub dropped_samples: usize,
    /// Where each item was cut: sent as `conversation.item.truncate` when
    /// the policy says so.
    pub truncations: Vec<Truncation>,
    /// The response in progress, whose further audio deltas are ignored.
    pub interrupted_response: Option<String>,
    /// Whether `response.cancel` was sent for it.
    pub cancel_sent: bool,
}
