//! Audio formats, codecs and synthetic signals for the mock Realtime server.
//!
//! Clients append audio with `input_audio_buffer.append` as base64 of either
//! PCM16 (signed 16-bit little-endian mono, at the session rate, 24 000 Hz by
//! default) or ITU-T G.711 μ-law / A-law (one byte a sample, 8 000 Hz). The
//! server answers with audio deltas in the session's output format. This
//! module converts between those wire payloads and plain `i16` samples:
//!
//! - [`decode_base64`] turns a payload into samples (G.711 is expanded to
//!   16-bit linear), [`encode_base64`] does the reverse;
//! - [`ulaw_encode`], [`ulaw_decode`], [`alaw_encode`] and [`alaw_decode`] are
//!   the G.711 companding laws, bit-exact with the ITU-T reference
//!   implementation (`g711.c`);
//! - [`tone`] and [`silence`] synthesise test signals, and [`duration_ms`]
//!   converts a sample count to milliseconds.
//!
//! No resampling is ever done: samples are at the rate of the format they
//! came from or are meant for ([`AudioFormat::sample_rate`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The PCM16 rate when a format does not name one (the Realtime API default).
const DEFAULT_PCM_RATE: u32 = 24_000;

/// The sample rate of both G.711 laws.
const G711_RATE: u32 = 8_000;

/// An audio format of the Realtime API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioFormat {
    /// Signed 16-bit little-endian mono PCM (`audio/pcm`, beta `pcm16`).
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

    /// From a GA format `type` ("audio/pcm" with its rate, "audio/pcmu", "audio/pcma") or a beta name ("pcm16", "g711_ulaw", "g711_alaw"); None if unknown.
    ///
    /// PCM16 without a rate is 24 000 Hz; a rate of 0 is rejected (`None`).
    /// The rate is ignored for G.711, which is always 8 000 Hz.
    pub fn from_wire(name: &str, rate: Option<u32>) -> Option<Self> {
        match name {
            "audio/pcm" | "pcm16" => match rate.unwrap_or(DEFAULT_PCM_RATE) {
                0 => None,
                rate => Some(Self::Pcm16 { rate }),
            },
            "audio/pcmu" | "g711_ulaw" => Some(Self::G711Ulaw),
            "audio/pcma" | "g711_alaw" => Some(Self::G711Alaw),
            _ => None,
        }
    }
}

/// Why an audio payload could not be decoded (shared with the client side;
/// messages never include the payload).
pub use realtime_types::audio::AudioDecodeError;

/// Decodes a base64 payload in `format` into samples (PCM16 LE; G.711 expanded).
///
/// # Errors
///
/// [`AudioDecodeError::InvalidBase64`] / [`AudioDecodeError::InvalidLength`]
/// if `b64` is not standard padded base64; [`AudioDecodeError::OddByteCount`]
/// if PCM16 audio has an odd number of bytes.
pub fn decode_base64(b64: &str, format: AudioFormat) -> Result<Vec<i16>, AudioDecodeError> {
    if let AudioFormat::Pcm16 { .. } = format {
        let mut samples = Vec::new();
        realtime_types::audio::decode_pcm16(b64, &mut samples)?;
        return Ok(samples);
    }
    let bytes = STANDARD.decode(b64).map_err(|error| match error {
        base64::DecodeError::InvalidLength(length) => AudioDecodeError::InvalidLength { length },
        base64::DecodeError::InvalidByte(offset, _)
        | base64::DecodeError::InvalidLastSymbol { offset, .. } => {
            AudioDecodeError::InvalidBase64 { offset }
        }
        base64::DecodeError::InvalidPadding => AudioDecodeError::InvalidBase64 {
            offset: b64.find('=').unwrap_or(b64.len()),
        },
    })?;
    let law = if format == AudioFormat::G711Ulaw {
        ulaw_decode
    } else {
        alaw_decode
    };
    Ok(bytes.into_iter().map(law).collect())
}

/// Encodes samples as bytes in `format` (PCM16 LE or G.711), then as standard base64.
///
/// The samples must already be at the format's rate: nothing is resampled.
pub fn encode_base64(samples: &[i16], format: AudioFormat) -> String {
    let bytes: Vec<u8> = match format {
        AudioFormat::Pcm16 { .. } => samples.iter().flat_map(|s| s.to_le_bytes()).collect(),
        AudioFormat::G711Ulaw => samples.iter().map(|&s| ulaw_encode(s)).collect(),
        AudioFormat::G711Alaw => samples.iter().map(|&s| alaw_encode(s)).collect(),
    };
    STANDARD.encode(bytes)
}

/// Bias added to a μ-law magnitude before segmenting (in 16-bit units).
const ULAW_BIAS: i32 = 0x84;
/// Largest μ-law magnitude, in 14-bit units.
const ULAW_CLIP: i32 = 8159;
/// Upper bounds of the 8 μ-law segments, in biased 14-bit units.
const ULAW_SEGMENT_END: [i32; 8] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
/// Upper bounds of the 8 A-law segments, in 13-bit units.
const ALAW_SEGMENT_END: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];

/// The segment (0–7) of `value` in `ends`, or 8 if beyond the last one.
fn segment(value: i32, ends: &[i32; 8]) -> u8 {
    let mut index = 0;
    for &end in ends {
        if value <= end {
            return index;
        }
        index += 1;
    }
    index
}

/// Encodes a linear sample as ITU-T G.711 μ-law (the `g711.c` reference algorithm).
pub fn ulaw_encode(sample: i16) -> u8 {
    let mut value = i32::from(sample) >> 2;
    let mask: u8 = if value < 0 {
        value = -value;
        0x7F
    } else {
        0xFF
    };
    value = value.min(ULAW_CLIP) + (ULAW_BIAS >> 2);
    let seg = segment(value, &ULAW_SEGMENT_END);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    // `value >> (seg + 1)` masked to 4 bits always fits in a byte.
    let quant = ((value >> (seg + 1)) & 0x0F) as u8;
    ((seg << 4) | quant) ^ mask
}

/// Decodes an ITU-T G.711 μ-law byte to a linear sample (the `g711.c` reference algorithm).
pub fn ulaw_decode(byte: u8) -> i16 {
    let byte = !byte;
    let quant = i32::from(byte & 0x0F);
    let seg = (byte & 0x70) >> 4;
    let magnitude = ((quant << 3) + ULAW_BIAS) << seg;
    let linear = if byte & 0x80 != 0 {
        ULAW_BIAS - magnitude
    } else {
        magnitude - ULAW_BIAS
    };
    // |linear| <= 32124, always within i16.
    linear as i16
}

/// Encodes a linear sample as ITU-T G.711 A-law (the `g711.c` reference algorithm).
pub fn alaw_encode(sample: i16) -> u8 {
    let mut value = i32::from(sample) >> 3;
    let mask: u8 = if value >= 0 {
        0xD5
    } else {
        value = -value - 1;
        0x55
    };
    let seg = segment(value, &ALAW_SEGMENT_END);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let shift = if seg < 2 { 1 } else { seg };
    // Masked to 4 bits: always fits in a byte.
    let quant = ((value >> shift) & 0x0F) as u8;
    ((seg << 4) | quant) ^ mask
}

/// Decodes an ITU-T G.711 A-law byte to a linear sample (the `g711.c` reference algorithm).
pub fn alaw_decode(byte: u8) -> i16 {
    let byte = byte ^ 0x55;
    let mut magnitude = i32::from(byte & 0x0F) << 4;
    let seg = (byte & 0x70) >> 4;
    match seg {
        0 => magnitude += 8,
        1 => magnitude += 0x108,
        _ => magnitude = (magnitude + 0x108) << (seg - 1),
    }
    let linear = if byte & 0x80 != 0 {
        magnitude
    } else {
        -magnitude
    };
    // |linear| <= 32256, always within i16.
    linear as i16
}

/// Number of whole samples in `duration_ms` at `rate` (rounded down).
/// Whole samples in `duration_ms` at `rate` (rounded down).
pub fn samples_for(duration_ms: u32, rate: u32) -> usize {
    let samples = u64::from(duration_ms) * u64::from(rate) / 1000;
    usize::try_from(samples).unwrap_or(usize::MAX)
}

/// A sine tone of `duration_ms` at `rate`, `frequency_hz`, amplitude `amplitude` (0.0–1.0 of full scale), with 5 ms fade in/out to avoid clicks.
///
/// The tone has `duration_ms * rate / 1000` samples (rounded down); its
/// peak is `amplitude * 32767`. An amplitude outside 0.0–1.0 is clamped,
/// and a non-finite one is treated as 0.0. Tones shorter than 10 ms fade in
/// and out over half their length each.
pub fn tone(duration_ms: u32, rate: u32, frequency_hz: f32, amplitude: f32) -> Vec<i16> {
    let count = samples_for(duration_ms, rate);
    tone_segment(count, 0..count, rate, frequency_hz, amplitude)
}

/// The samples `range` of a tone `count` samples long (what
/// [`tone`] returns for that range), so that a long tone can be made a
/// piece at a time.
pub fn tone_segment(
    count: usize,
    range: std::ops::Range<usize>,
    rate: u32,
    frequency_hz: f32,
    amplitude: f32,
) -> Vec<i16> {
    let amplitude = if amplitude.is_finite() {
        f64::from(amplitude.clamp(0.0, 1.0))
    } else {
        0.0
    };
    let peak = amplitude * f64::from(i16::MAX);
    let fade = samples_for(5, rate).max(1) as f64;
    // A tone of whole hertz repeats every second: its samples come from a
    // table; any other is computed sample by sample.
    let wave = (frequency_hz.fract() == 0.0).then(|| sine_second(rate, frequency_hz));
    let step = std::f64::consts::TAU * f64::from(frequency_hz) / f64::from(rate.max(1));
    (range.start..range.end.min(count))
        .map(|i| {
            let from_start = i as f64;
            let from_end = (count - 1 - i) as f64;
            let gain = (from_start / fade).min(from_end / fade).min(1.0);
            let unit = match &wave {
                Some(wave) => wave[i % wave.len()],
                None => (step * from_start).sin(),
            };
            // Float-to-int `as` saturates (and maps NaN to 0).
            (peak * gain * unit).round() as i16
        })
        .collect()
}

/// One second of a unit sine of whole hertz at `rate`, made once per rate
/// and frequency: a long response's audio costs no `sin` per sample.
fn sine_second(rate: u32, frequency_hz: f32) -> std::sync::Arc<[f64]> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    /// The tables, by rate and frequency (its bits).
    type Waves = Mutex<HashMap<(u32, u32), Arc<[f64]>>>;
    static WAVES: OnceLock<Waves> = OnceLock::new();
    let rate = rate.max(1);
    let mut waves = WAVES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(
        waves
            .entry((rate, frequency_hz.to_bits()))
            .or_insert_with(|| {
                let step = std::f64::consts::TAU * f64::from(frequency_hz) / f64::from(rate);
                (0..rate as usize)
                    .map(|i| (step * i as f64).sin())
                    .collect()
            }),
    )
}

/// Digital silence (all zeros) of `duration_ms` at `rate` (rounded down to whole samples).
pub fn silence(duration_ms: u32, rate: u32) -> Vec<i16> {
    vec![0; samples_for(duration_ms, rate)]
}

/// Duration in whole milliseconds of `samples` at `rate` (rounded down).
///
/// A rate of 0 gives 0.
pub fn duration_ms(samples: usize, rate: u32) -> u64 {
    if rate == 0 {
        return 0;
    }
    let samples = u64::try_from(samples).unwrap_or(u64::MAX);
    // Exact in u128: no overflow for any usize count.
    let ms = u128::from(samples) * 1000 / u128::from(rate);
    u64::try_from(ms).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PCM24K: AudioFormat = AudioFormat::Pcm16 { rate: 24_000 };

    /// The largest error a G.711 law may make on `sample`: half a
    /// quantisation step (at most 1/32 of the magnitude above the first
    /// segments) plus the bits dropped before companding.
    fn g711_tolerance(sample: i16) -> i32 {
        i32::from(sample).abs() / 16 + 16
    }

    #[test]
    fn pcm16_base64_round_trip_is_lossless() {
        let samples = vec![0, 1, -1, 256, -256, i16::MAX, i16::MIN, 12_345, -12_345];
        let b64 = encode_base64(&samples, PCM24K);
        assert_eq!(decode_base64(&b64, PCM24K).unwrap(), samples);
    }

    #[test]
    fn pcm16_is_little_endian_on_the_wire() {
        // 0x0102 → bytes 02 01; -2 → FE FF.
        let b64 = encode_base64(&[0x0102, -2], PCM24K);
        assert_eq!(b64, STANDARD.encode([0x02, 0x01, 0xFE, 0xFF]));
    }

    #[test]
    fn ulaw_round_trip_of_a_tone_is_within_quantisation_error() {
        let samples = tone(100, 8_000, 440.0, 0.5);
        let b64 = encode_base64(&samples, AudioFormat::G711Ulaw);
        let decoded = decode_base64(&b64, AudioFormat::G711Ulaw).unwrap();
        assert_eq!(decoded.len(), samples.len());
        for (&original, &back) in samples.iter().zip(&decoded) {
            let error = (i32::from(original) - i32::from(back)).abs();
            assert!(error <= g711_tolerance(original), "{original} → {back}");
        }
    }

    #[test]
    fn alaw_round_trip_of_a_tone_is_within_quantisation_error() {
        let samples = tone(100, 8_000, 440.0, 0.5);
        let b64 = encode_base64(&samples, AudioFormat::G711Alaw);
        let decoded = decode_base64(&b64, AudioFormat::G711Alaw).unwrap();
        assert_eq!(decoded.len(), samples.len());
        for (&original, &back) in samples.iter().zip(&decoded) {
            let error = (i32::from(original) - i32::from(back)).abs();
            assert!(error <= g711_tolerance(original), "{original} → {back}");
        }
    }

    #[test]
    fn g711_encodes_one_byte_per_sample() {
        let samples = tone(20, 8_000, 440.0, 0.3);
        for format in [AudioFormat::G711Ulaw, AudioFormat::G711Alaw] {
            let bytes = STANDARD.decode(encode_base64(&samples, format)).unwrap();
            assert_eq!(bytes.len(), samples.len());
        }
    }

    #[test]
    fn ulaw_matches_the_reference_values() {
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x7F), 0);
        assert_eq!(ulaw_decode(0x00), -32_124);
        assert_eq!(ulaw_decode(0x80), 32_124);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
        assert_eq!(ulaw_encode(-1), 0x7E);
    }

    #[test]
    fn alaw_matches_the_reference_values() {
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0x00), -5_504);
        assert_eq!(alaw_decode(0x80), 5_504);
        assert_eq!(alaw_decode(0xAA), 32_256);
        assert_eq!(alaw_decode(0x2A), -32_256);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
    }

    #[test]
    fn every_ulaw_code_survives_decode_then_encode() {
        for byte in 0..=u8::MAX {
            // 0x7F is μ-law's "negative zero", which encodes back as 0xFF.
            let expected = if byte == 0x7F { 0xFF } else { byte };
            assert_eq!(ulaw_encode(ulaw_decode(byte)), expected, "{byte:#04x}");
        }
    }

    #[test]
    fn every_alaw_code_survives_decode_then_encode() {
        for byte in 0..=u8::MAX {
            assert_eq!(alaw_encode(alaw_decode(byte)), byte, "{byte:#04x}");
        }
    }

    #[test]
    fn invalid_base64_is_an_error_with_an_offset_and_no_payload_in_the_message() {
        let payload = "AAAA*secret*";
        let error = decode_base64(payload, PCM24K).unwrap_err();
        assert_eq!(error, AudioDecodeError::InvalidBase64 { offset: 4 });
        let message = error.to_string();
        assert!(message.contains('4'), "{message}");
        assert!(!message.contains("secret"), "{message}");
        assert!(!message.contains(payload), "{message}");
    }

    #[test]
    fn odd_byte_count_for_pcm16_is_an_error() {
        let b64 = STANDARD.encode([1, 2, 3]);
        let error = decode_base64(&b64, PCM24K).unwrap_err();
        assert_eq!(error, AudioDecodeError::OddByteCount { bytes: 3 });
        assert!(error.to_string().contains('3'));
    }

    #[test]
    fn odd_byte_count_is_fine_for_g711() {
        let b64 = STANDARD.encode([0xFF, 0x80, 0x00]);
        assert_eq!(
            decode_base64(&b64, AudioFormat::G711Ulaw).unwrap(),
            vec![0, 32_124, -32_124]
        );
    }

    #[test]
    fn tone_has_the_requested_length_and_peak_amplitude() {
        let samples = tone(250, 24_000, 440.0, 0.5);
        assert_eq!(samples.len(), 6_000);
        let peak = samples.iter().map(|s| i32::from(*s).abs()).max().unwrap();
        let requested = 0.5 * f64::from(i16::MAX);
        assert!(f64::from(peak) <= requested.ceil(), "{peak}");
        assert!(f64::from(peak) >= requested * 0.99, "{peak}");
    }

    #[test]
    fn tone_fades_in_and_out() {
        let samples = tone(100, 24_000, 440.0, 1.0);
        assert_eq!(samples.first(), Some(&0));
        assert_eq!(samples.last(), Some(&0));
        // Within the first 5 ms (120 samples) the envelope is below full scale.
        let early_peak = samples[..60].iter().map(|s| i32::from(*s).abs()).max();
        assert!(early_peak.unwrap() < i32::from(i16::MAX) / 2);
    }

    #[test]
    fn silence_is_zeros_of_the_requested_length() {
        let samples = silence(30, 8_000);
        assert_eq!(samples.len(), 240);
        assert!(samples.iter().all(|&s| s == 0));
    }

    #[test]
    fn duration_ms_rounds_down_to_whole_milliseconds() {
        assert_eq!(duration_ms(24_000, 24_000), 1_000);
        assert_eq!(duration_ms(239, 24_000), 9);
        assert_eq!(duration_ms(240, 24_000), 10);
        assert_eq!(duration_ms(8, 8_000), 1);
        assert_eq!(duration_ms(7, 8_000), 0);
        assert_eq!(duration_ms(100, 0), 0);
    }

    #[test]
    fn formats_parse_from_ga_and_beta_names() {
        assert_eq!(
            AudioFormat::from_wire("audio/pcm", Some(24_000)),
            Some(PCM24K)
        );
        assert_eq!(AudioFormat::from_wire("audio/pcm", None), Some(PCM24K));
        assert_eq!(AudioFormat::from_wire("pcm16", None), Some(PCM24K));
        assert_eq!(AudioFormat::from_wire("audio/pcm", Some(0)), None);
        assert_eq!(
            AudioFormat::from_wire("audio/pcmu", None),
            Some(AudioFormat::G711Ulaw)
        );
        assert_eq!(
            AudioFormat::from_wire("g711_ulaw", None),
            Some(AudioFormat::G711Ulaw)
        );
        assert_eq!(
            AudioFormat::from_wire("audio/pcma", None),
            Some(AudioFormat::G711Alaw)
        );
        assert_eq!(
            AudioFormat::from_wire("g711_alaw", None),
            Some(AudioFormat::G711Alaw)
        );
        assert_eq!(AudioFormat::from_wire("audio/opus", None), None);
    }

    #[test]
    fn formats_report_rate_and_sample_width() {
        assert_eq!(PCM24K.sample_rate(), 24_000);
        assert_eq!(PCM24K.bytes_per_sample(), 2);
        assert_eq!(AudioFormat::G711Ulaw.sample_rate(), 8_000);
        assert_eq!(AudioFormat::G711Alaw.bytes_per_sample(), 1);
    }
}
