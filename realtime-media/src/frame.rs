//! A frame of audio with its format, as sources yield it and sinks take it.

use realtime_codec::AudioFormat;

use crate::error::MediaError;

/// Encoded mono audio and its format: PCM16 little-endian bytes at a rate,
/// or G.711 bytes at 8 kHz. Any length; sources need not cut it in 20 ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioFrame {
    /// How the bytes are encoded, and at what rate.
    pub format: AudioFormat,
    /// The encoded audio.
    pub bytes: Vec<u8>,
}

impl AudioFrame {
    /// A frame of encoded bytes.
    pub fn new(format: AudioFormat, bytes: impl Into<Vec<u8>>) -> Self {
        AudioFrame {
            format,
            bytes: bytes.into(),
        }
    }

    /// A PCM16 frame of `samples` at `rate`.
    pub fn pcm16(rate: u32, samples: &[i16]) -> Self {
        let format = AudioFormat::Pcm16 { rate };
        let mut bytes = Vec::with_capacity(samples.len() * 2);
        format.encode(samples, &mut bytes);
        AudioFrame { format, bytes }
    }

    /// Whole samples in the frame (an odd last PCM16 byte is not counted).
    pub fn samples(&self) -> usize {
        self.bytes.len() / self.format.bytes_per_sample()
    }

    /// The frame's duration in whole milliseconds (rounded down).
    pub fn duration_ms(&self) -> u64 {
        let rate = u64::from(self.format.sample_rate().max(1));
        self.samples() as u64 * 1000 / rate
    }

    /// Appends the frame's samples to `out` (G.711 expanded to linear).
    ///
    /// # Errors
    ///
    /// [`MediaError::Codec`] for PCM16 bytes that are not whole samples;
    /// [`MediaError::UnsupportedRate`] for PCM16 at a rate of 0.
    pub fn decode_into(&self, out: &mut Vec<i16>) -> Result<(), MediaError> {
        if self.format.sample_rate() == 0 {
            return Err(MediaError::UnsupportedRate { rate: 0 });
        }
        Ok(self.format.decode(&self.bytes, out)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_knows_its_samples_and_duration_in_its_format() {
        let pcm = AudioFrame::pcm16(16_000, &[0; 320]);
        assert_eq!((pcm.samples(), pcm.duration_ms()), (320, 20));
        let ulaw = AudioFrame::new(AudioFormat::G711Ulaw, vec![0xFF; 160]);
        assert_eq!((ulaw.samples(), ulaw.duration_ms()), (160, 20));
    }

    #[test]
    fn undecodable_frames_are_errors_naming_what_is_wrong() {
        let mut out = Vec::new();
        let odd = AudioFrame::new(AudioFormat::PCM16_24K, vec![1, 2, 3]);
        assert!(matches!(
            odd.decode_into(&mut out),
            Err(MediaError::Codec(
                realtime_codec::CodecError::OddByteCount { bytes: 3 }
            ))
        ));
        let no_rate = AudioFrame::new(AudioFormat::Pcm16 { rate: 0 }, vec![1, 2]);
        assert!(matches!(
            no_rate.decode_into(&mut out),
            Err(MediaError::UnsupportedRate { rate: 0 })
        ));
        assert!(out.is_empty());
    }
}
