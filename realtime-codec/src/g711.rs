//! ITU-T G.711: μ-law (`audio/pcmu`) and A-law (`audio/pcma`), one byte a
//! sample at 8 000 Hz, bit-exact with the reference implementation
//! (`g711.c` of the ITU-T G.191 software tools): the per-sample laws, and
//! slice versions that append to a buffer.

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

/// Appends the μ-law bytes of `samples` to `out`.
pub fn ulaw_encode_into(samples: &[i16], out: &mut Vec<u8>) {
    out.extend(samples.iter().map(|&sample| ulaw_encode(sample)));
}

/// Appends the linear samples of the μ-law `bytes` to `out`.
pub fn ulaw_decode_into(bytes: &[u8], out: &mut Vec<i16>) {
    out.extend(bytes.iter().map(|&byte| ulaw_decode(byte)));
}

/// Appends the A-law bytes of `samples` to `out`.
pub fn alaw_encode_into(samples: &[i16], out: &mut Vec<u8>) {
    out.extend(samples.iter().map(|&sample| alaw_encode(sample)));
}

/// Appends the linear samples of the A-law `bytes` to `out`.
pub fn alaw_decode_into(bytes: &[u8], out: &mut Vec<i16>) {
    out.extend(bytes.iter().map(|&byte| alaw_decode(byte)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest error a G.711 law may make on `sample`: half a
    /// quantisation step (at most 1/32 of the magnitude above the first
    /// segments) plus the bits dropped before companding.
    fn tolerance(sample: i16) -> i32 {
        i32::from(sample).abs() / 16 + 16
    }

    /// A 440 Hz sine of half full scale at 8 kHz, 100 ms.
    fn sine() -> Vec<i16> {
        (0..800)
            .map(|i| {
                let phase = std::f64::consts::TAU * 440.0 * f64::from(i) / 8_000.0;
                (phase.sin() * 16_383.0).round() as i16
            })
            .collect()
    }

    #[test]
    fn ulaw_round_trip_of_a_sine_is_within_quantisation_error() {
        let samples = sine();
        let mut bytes = Vec::new();
        ulaw_encode_into(&samples, &mut bytes);
        let mut back = Vec::new();
        ulaw_decode_into(&bytes, &mut back);
        assert_eq!(back.len(), samples.len());
        for (&original, &decoded) in samples.iter().zip(&back) {
            let error = (i32::from(original) - i32::from(decoded)).abs();
            assert!(error <= tolerance(original), "{original} -> {decoded}");
        }
    }

    #[test]
    fn alaw_round_trip_of_a_sine_is_within_quantisation_error() {
        let samples = sine();
        let mut bytes = Vec::new();
        alaw_encode_into(&samples, &mut bytes);
        let mut back = Vec::new();
        alaw_decode_into(&bytes, &mut back);
        assert_eq!(back.len(), samples.len());
        for (&original, &decoded) in samples.iter().zip(&back) {
            let error = (i32::from(original) - i32::from(decoded)).abs();
            assert!(error <= tolerance(original), "{original} -> {decoded}");
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
}
