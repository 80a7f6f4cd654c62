//! The text of a received frame.

use tokio_tungstenite::tungstenite::Utf8Bytes;

/// The text of a received frame, exactly as received. Reads as `&str`;
/// cloning it costs no copy; `Debug` shows only its length, since frames
/// carry user audio and text.
#[derive(Clone, PartialEq, Eq)]
pub struct RawText(Utf8Bytes);

impl RawText {
    /// A frame's text; frames up to `copy_up_to` bytes are copied out of the
    /// buffer they were read into, so that the buffer can be reused.
    pub(crate) fn received(text: Utf8Bytes, copy_up_to: usize) -> Self {
        if text.len() <= copy_up_to {
            RawText(Utf8Bytes::from(text.as_str().to_owned()))
        } else {
            RawText(text)
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::ops::Deref for RawText {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for RawText {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for RawText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawText({} bytes)", self.0.len())
    }
}
