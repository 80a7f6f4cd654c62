//! What can go wrong in the media layer. Every error names what and where
//! (a rate, a byte offset, a sink's tag), never the audio itself.

use std::fmt;

pub use realtime_codec::CodecError;

/// A boxed error from an application's source or sink.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why media could not be read, converted, sent or played.
#[derive(Debug)]
#[non_exhaustive]
pub enum MediaError {
    /// A sample rate the resampler does not take (8 000–192 000 Hz, whole
    /// hundreds), or a G.711 frame that is not at 8 000 Hz.
    UnsupportedRate {
        /// The rate, in hertz.
        rate: u32,
    },
    /// A frame of encoded audio that does not decode (PCM16 of an odd
    /// number of bytes).
    Codec(CodecError),
    /// An audio delta from the server whose base64 does not decode.
    Delta {
        /// The response the delta belongs to.
        response_id: String,
        /// What is wrong, and where in the base64.
        source: realtime_types::audio::AudioDecodeError,
    },
    /// A server frame that is not JSON of an event (its content is not kept).
    UndecodableFrame {
        /// The frame's length.
        bytes: usize,
        /// Where the JSON went wrong: line (1-based; 0 when not known).
        line: usize,
        /// And column.
        column: usize,
    },
    /// A WAV file that cannot be read as audio.
    Wav(crate::wav::WavError),
    /// Reading a file failed.
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The application's source failed.
    Source(BoxError),
    /// A sink failed; it was taken out of the output.
    Sink {
        /// The sink's tag.
        tag: String,
        /// What the sink said.
        source: BoxError,
    },
    /// A Twilio Media Streams message that cannot be used.
    Twilio(crate::twilio::TwilioError),
    /// The peer's WebSocket (Twilio's) failed.
    Peer(BoxError),
    /// The session failed or is over.
    Session(realtime_client::Error),
    /// The media session's task is gone (the session ended).
    Stopped,
}

impl fmt::Display for MediaError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedRate { rate } => write!(
                formatter,
                "unsupported sample rate {rate} Hz (PCM16 takes 8000-192000 Hz in whole \
                 hundreds; G.711 is 8000 Hz)"
            ),
            Self::Codec(error) => write!(formatter, "undecodable audio frame: {error}"),
            Self::Delta { response_id, .. } => {
                write!(
                    formatter,
                    "undecodable audio delta of response {response_id}"
                )
            }
            Self::UndecodableFrame {
                bytes,
                line,
                column,
            } => write!(
                formatter,
                "an undecodable server frame of {bytes} bytes (at line {line}, column {column})"
            ),
            Self::Wav(error) => write!(formatter, "{error}"),
            Self::Io { path, .. } => write!(formatter, "cannot read {}", path.display()),
            Self::Source(_) => formatter.write_str("the media source failed"),
            Self::Sink { tag, .. } => write!(formatter, "the media sink `{tag}` failed"),
            Self::Twilio(error) => write!(formatter, "{error}"),
            Self::Peer(_) => formatter.write_str("the peer's WebSocket failed"),
            Self::Session(_) => formatter.write_str("the Realtime session failed"),
            Self::Stopped => formatter.write_str("the media session has stopped"),
        }
    }
}

impl std::error::Error for MediaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Codec(error) => Some(error),
            Self::Delta { source, .. } => Some(source),
            Self::Wav(error) => Some(error),
            Self::Io { source, .. } => Some(source),
            Self::Twilio(error) => Some(error),
            Self::Source(source) | Self::Sink { source, .. } | Self::Peer(source) => {
                Some(source.as_ref())
            }
            Self::Session(error) => Some(error),
            Self::UnsupportedRate { .. } | Self::UndecodableFrame { .. } | Self::Stopped => None,
        }
    }
}

impl From<CodecError> for MediaError {
    fn from(error: CodecError) -> Self {
        Self::Codec(error)
    }
}

impl From<crate::wav::WavError> for MediaError {
    fn from(error: crate::wav::WavError) -> Self {
        Self::Wav(error)
    }
}

impl From<crate::twilio::TwilioError> for MediaError {
    fn from(error: crate::twilio::TwilioError) -> Self {
        Self::Twilio(error)
    }
}

impl From<realtime_client::Error> for MediaError {
    fn from(error: realtime_client::Error) -> Self {
        Self::Session(error)
    }
}
