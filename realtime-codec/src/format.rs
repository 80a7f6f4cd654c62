//! The audio formats of the Realtime API.

use crate::{CodecError, g711, pcm16};

/// The PCM16 rate when a format does not name one (the Realtime API default).
pub const DEFAULT_PCM16_RATE: u32 = 24_000;

/// The sample rate of both G.711 laws.
pub const G711_RATE: u32 = 8_000;

/// An audio format of the Realtime API (mono, always).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioFormat {
    /// Signed 16-bit little-endian PCM (`audio/pcm`, beta `pcm16`).
    Pcm16 {
        /// Samples per second.
        rate: u32,
    },
    /// G.711 μ-law at 8 000 Hz (`audio/pcmu`, beta `g711_ulaw`).
    G711Ulaw,
    /// G.711 A-law at 8 000 Hz (`audio/pcma`, beta `g711_alaw`).
    G711Alaw,
}

impl AudioFormat {
    /// PCM16 at 24 000 Hz, the Realtime API's default input and output.
    pub const PCM16_24K: Self = Self::Pcm16 {
        rate: DEFAULT_PCM16_RATE,
    };

    /// Samples per second: the PCM16 rate, or 8 000 for G.711.
    pub fn sample_rate(self) -> u32 {
        match self {
            Self::Pcm16 { rate } => rate,
            Self::G711Ulaw | Self::G711Alaw => G711_RATE,
        }
    }

    /// Bytes per encoded sample: 2 for PCM16, 1 for G.711.
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Self::Pcm16 { .. } => 2,
            Self::G711Ulaw | Self::G711Alaw => 1,
        }
    }

    /// From a GA format `type` ("audio/pcm" with its rate, "audio/pcmu",
    /// "audio/pcma") or a beta name ("pcm16", "g711_ulaw", "g711_alaw");
    /// `None` if unknown.
    ///
    /// PCM16 without a rate is 24 000 Hz; a rate of 0 is rejected (`None`).
    /// The rate is ignored for G.711, which is always 8 000 Hz.
    pub fn from_wire(name: &str, rate: Option<u32>) -> Option<Self> {
        match name {
            "audio/pcm" | "pcm16" => match rate.unwrap_or(DEFAULT_PCM16_RATE) {
                0 => None,
                rate => Some(Self::Pcm16 { rate }),
            },
            "audio/pcmu" | "g711_ulaw" => Some(Self::G711Ulaw),
            "audio/pcma" | "g711_alaw" => Some(Self::G711Alaw),
            _ => None,
        }
    }

    /// Appends the samples of the encoded `bytes` to `out` (G.711 expanded
    /// to 16-bit linear).
    ///
    /// # Errors
    ///
    /// [`CodecError::OddByteCount`] for PCM16 bytes that are not whole
    /// samples (`out` is then left as it was); G.711 bytes always decode.
    pub fn decode(self, bytes: &[u8], out: &mut Vec<i16>) -> Result<(), CodecError> {
        match self {
            Self::Pcm16 { .. } => pcm16::decode(bytes, out),
            Self::G711Ulaw => {
                g711::ulaw_decode_into(bytes, out);
                Ok(())
            }
            Self::G711Alaw => {
                g711::alaw_decode_into(bytes, out);
                Ok(())
            }
        }
    }

    /// Appends `samples` to `out`, encoded in this format. The samples must
    /// already be at [`sample_rate`](Self::sample_rate): nothing is resampled.
    pub fn encode(self, samples: &[i16], out: &mut Vec<u8>) {
        match self {
            Self::Pcm16 { .. } => pcm16::encode(samples, out),
            Self::G711Ulaw => g711::ulaw_encode_into(samples, out),
            Self::G711Alaw => g711::alaw_encode_into(samples, out),
        }
    }

    /// Whole samples in `duration_ms` of this format (rounded down).
    pub fn samples_in_ms(self, duration_ms: u32) -> usize {
        let samples = u64::from(duration_ms) * u64::from(self.sample_rate()) / 1000;
        usize::try_from(samples).unwrap_or(usize::MAX)
    }
}

impl std::fmt::Display for AudioFormat {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pcm16 { rate } => write!(formatter, "PCM16 at {rate} Hz"),
            Self::G711Ulaw => formatter.write_str("G.711 μ-law at 8000 Hz"),
            Self::G711Alaw => formatter.write_str("G.711 A-law at 8000 Hz"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_ga_and_beta_names() {
        let pcm = Some(AudioFormat::PCM16_24K);
        assert_eq!(AudioFormat::from_wire("audio/pcm", Some(24_000)), pcm);
        assert_eq!(AudioFormat::from_wire("audio/pcm", None), pcm);
        assert_eq!(AudioFormat::from_wire("pcm16", None), pcm);
        assert_eq!(AudioFormat::from_wire("audio/pcm", Some(0)), None);
        for (name, format) in [
            ("audio/pcmu", AudioFormat::G711Ulaw),
            ("g711_ulaw", AudioFormat::G711Ulaw),
            ("audio/pcma", AudioFormat::G711Alaw),
            ("g711_alaw", AudioFormat::G711Alaw),
        ] {
            assert_eq!(AudioFormat::from_wire(name, Some(16_000)), Some(format));
        }
        assert_eq!(AudioFormat::from_wire("audio/opus", None), None);
    }

    #[test]
    fn formats_report_rate_and_sample_width() {
        assert_eq!(AudioFormat::PCM16_24K.sample_rate(), 24_000);
        assert_eq!(AudioFormat::PCM16_24K.bytes_per_sample(), 2);
        assert_eq!(AudioFormat::G711Ulaw.sample_rate(), 8_000);
        assert_eq!(AudioFormat::G711Alaw.bytes_per_sample(), 1);
        assert_eq!(AudioFormat::G711Ulaw.samples_in_ms(20), 160);
        assert_eq!(AudioFormat::Pcm16 { rate: 48_000 }.samples_in_ms(20), 960);
    }

    #[test]
    fn g711_encodes_one_byte_a_sample_and_pcm16_two() {
        let samples = [0, 100, -100, 30_000];
        for format in [
            AudioFormat::G711Ulaw,
            AudioFormat::G711Alaw,
            AudioFormat::PCM16_24K,
        ] {
            let mut bytes = Vec::new();
            format.encode(&samples, &mut bytes);
            assert_eq!(
                bytes.len(),
                samples.len() * format.bytes_per_sample(),
                "{format}"
            );
            let mut back = Vec::new();
            format.decode(&bytes, &mut back).unwrap();
            assert_eq!(back.len(), samples.len(), "{format}");
        }
    }

    #[test]
    fn odd_pcm16_bytes_are_an_error_but_any_g711_length_decodes() {
        let mut out = Vec::new();
        assert_eq!(
            AudioFormat::PCM16_24K.decode(&[1, 2, 3], &mut out),
            Err(CodecError::OddByteCount { bytes: 3 })
        );
        AudioFormat::G711Ulaw
            .decode(&[0xFF, 0x80, 0x00], &mut out)
            .unwrap();
        assert_eq!(out, [0, 32_124, -32_124]);
    }
}
