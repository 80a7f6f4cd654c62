//! What can be wrong with encoded audio.

use std::fmt;

/// Why encoded audio could not be decoded. Messages name sizes and
/// offsets, never the audio.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodecError {
    /// PCM16 audio of `bytes` bytes, an odd number: the last byte at
    /// offset `bytes - 1` is half a sample.
    OddByteCount {
        /// Number of bytes given.
        bytes: usize,
    },
}

impl fmt::Display for CodecError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OddByteCount { bytes } => write!(
                formatter,
                "PCM16 audio of {bytes} bytes is not whole 16-bit samples \
                 (the byte at offset {} is half a sample)",
                bytes.saturating_sub(1)
            ),
        }
    }
}

impl std::error::Error for CodecError {}
