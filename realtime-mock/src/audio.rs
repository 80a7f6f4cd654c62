//! Audio payloads and synthetic signals for the mock Realtime server.
//!
//! Clients append audio with `input_audio_buffer.append` as base64 of either
//! PCM16 (signed 16-bit little-endian mono, at the session rate, 24 000 Hz by
//! default) or ITU-T G.711 μ-law / A-law (one byte a sample, 8 000 Hz). The
//! server answers with audio deltas in the session's output format. This
//! module converts between those wire payloads and plain `i16` samples with
//! the project's one implementation of the codecs (`realtime-codec`):
//!
//! - [`decode_base64`] turns a payload into samples (G.711 is expanded to
//!   16-bit linear), [`encode_base64`] does the reverse;
//! - [`tone`] and [`silence`] synthesise test signals, and [`duration_ms`]
//!   converts a sample count to milliseconds.
//!
//! No resampling is ever done: samples are at the rate of the format they
//! came from or are meant for ([`AudioFormat::sample_rate`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// An audio format of the Realtime API (from `realtime-codec`).
pub use realtime_codec::AudioFormat;

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
    let mut samples = Vec::with_capacity(bytes.len());
    // G.711 bytes always decode (only PCM16, handled above, can be odd).
    format
        .decode(&bytes, &mut samples)
        .map_err(|_| AudioDecodeError::OddByteCount { bytes: bytes.len() })?;
    Ok(samples)
}

/// Encodes samples as bytes in `format` (PCM16 LE or G.711), then as standard base64.
///
/// The samples must already be at the format's rate: nothing is resampled.
pub fn encode_base64(samples: &[i16], format: AudioFormat) -> String {
    let mut bytes = Vec::with_capacity(samples.len() * format.bytes_per_sample());
    format.encode(samples, &mut bytes);
    STANDARD.encode(bytes)
}

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
}
