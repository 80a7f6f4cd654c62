//! Which surfaces take input audio, and under which event `type`: each
//! implementation names the generated event struct, so a surface whose
//! append event is renamed or removed upstream stops compiling here.

#[cfg(feature = "beta")]
use crate::surface::Beta;
#[cfg(feature = "translation")]
use crate::surface::Translation;
use crate::surface::{Ga, Surface};

/// A surface with an input audio append event, whose body is `event_id`
/// and base64 `audio`: the audio helpers
/// ([`RealtimeSender::input_audio_buffer_append_pcm16`](crate::RealtimeSender::input_audio_buffer_append_pcm16))
/// are there for it.
pub trait AudioInput: Surface {
    /// The append event's `type`.
    const APPEND_TYPE: &'static str;
}

impl AudioInput for Ga {
    const APPEND_TYPE: &'static str = realtime_types::ga::client::InputAudioBufferAppend::TYPE;
}

#[cfg(feature = "beta")]
impl AudioInput for Beta {
    const APPEND_TYPE: &'static str = realtime_types::beta::client::InputAudioBufferAppend::TYPE;
}

#[cfg(feature = "translation")]
impl AudioInput for Translation {
    const APPEND_TYPE: &'static str =
        realtime_types::translation::client::SessionInputAudioBufferAppend::TYPE;
}
