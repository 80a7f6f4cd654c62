//! Which surfaces take input audio, and under which event `type`: each
//! implementation names the generated event struct, so a surface whose
//! append event is renamed or removed upstream stops compiling here.

use crate::surface::{Beta, Ga, Surface, Translation};

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

impl AudioInput for Beta {
    const APPEND_TYPE: &'static str = realtime_types::beta::client::InputAudioBufferAppend::TYPE;
}

impl AudioInput for Translation {
    const APPEND_TYPE: &'static str =
        realtime_types::translation::client::SessionInputAudioBufferAppend::TYPE;
}
