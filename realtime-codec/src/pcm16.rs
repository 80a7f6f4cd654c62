//! Signed 16-bit little-endian mono PCM, the Realtime API's `audio/pcm`.

use crate::CodecError;

/// Appends the samples of `bytes` (little-endian pairs) to `out`.
///
/// # Errors
///
/// [`CodecError::OddByteCount`] if `bytes` is not whole samples; `out` is
/// then left as it was.
pub fn decode(bytes: &[u8], out: &mut Vec<i16>) -> Result<(), CodecError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(CodecError::OddByteCount { bytes: bytes.len() });
    }
    out.extend(
        bytes
            .chunks_exact(2)
            .map(|pair| i16::from_le_bytes([pair[0], pair[1]])),
    );
    Ok(())
}

/// Appends `samples` to `out` as little-endian pairs of bytes.
pub fn encode(samples: &[i16], out: &mut Vec<u8>) {
    out.reserve(samples.len() * 2);
    for sample in samples {
        out.extend_from_slice(&sample.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_little_endian_pairs() {
        let mut bytes = Vec::new();
        encode(&[0x0102, -2], &mut bytes);
        assert_eq!(bytes, [0x02, 0x01, 0xFE, 0xFF]);
    }

    #[test]
    fn decoding_what_was_encoded_is_lossless() {
        let samples = [0, 1, -1, i16::MAX, i16::MIN, 12_345, -12_345];
        let mut bytes = Vec::new();
        encode(&samples, &mut bytes);
        let mut back = Vec::new();
        decode(&bytes, &mut back).unwrap();
        assert_eq!(back, samples);
    }

    #[test]
    fn an_odd_byte_count_is_an_error_naming_the_half_sample_and_leaves_the_output_alone() {
        let mut out = vec![7];
        let error = decode(&[1, 2, 3], &mut out).unwrap_err();
        assert_eq!(error, CodecError::OddByteCount { bytes: 3 });
        assert!(error.to_string().contains("offset 2"), "{error}");
        assert_eq!(out, [7]);
    }
}
