//! WAV files as a [`MediaSource`]: a RIFF reader for
//! the formats a Realtime session takes (mono PCM16 at any supported rate,
//! G.711 μ-law or A-law at 8 kHz), with errors that name the byte offset.

use std::fmt;
use std::path::Path;

use realtime_codec::AudioFormat;

use crate::error::MediaError;
use crate::frame::AudioFrame;
use crate::source::MediaSource;

/// WAVE format tags (`wFormatTag` of the `fmt ` chunk).
const FORMAT_PCM: u16 = 1;
const FORMAT_ALAW: u16 = 6;
const FORMAT_ULAW: u16 = 7;
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// Why a WAV file cannot be read as audio, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavError {
    /// Byte offset into the file of what is wrong.
    pub offset: usize,
    /// What is wrong.
    pub kind: WavErrorKind,
}

/// What is wrong with a WAV file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WavErrorKind {
    /// The file does not start with `RIFF`.
    NotRiff,
    /// The RIFF form is not `WAVE`.
    NotWave,
    /// The file ends inside a header or chunk header.
    Truncated,
    /// A `data` chunk before any `fmt ` chunk.
    DataBeforeFormat,
    /// No `data` chunk.
    NoData,
    /// A `fmt ` chunk too short for its fields.
    ShortFormat {
        /// Its declared size.
        size: u32,
    },
    /// An encoding other than PCM, μ-law or A-law.
    UnsupportedEncoding {
        /// The format tag.
        tag: u16,
    },
    /// More than one channel (sessions take mono).
    UnsupportedChannels {
        /// The channel count.
        channels: u16,
    },
    /// A sample width this encoding does not come in here (PCM must be
    /// 16-bit, G.711 8-bit).
    UnsupportedBits {
        /// Bits per sample.
        bits: u16,
    },
    /// A rate the resampler does not take, or G.711 not at 8 kHz.
    UnsupportedRate {
        /// Samples per second.
        rate: u32,
    },
}

impl fmt::Display for WavError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match &self.kind {
            WavErrorKind::NotRiff => write!(formatter, "not a RIFF file (byte {at})"),
            WavErrorKind::NotWave => write!(formatter, "a RIFF file but not WAVE (byte {at})"),
            WavErrorKind::Truncated => {
                write!(formatter, "the WAV file ends at byte {at}, inside a header")
            }
            WavErrorKind::DataBeforeFormat => {
                write!(
                    formatter,
                    "WAV `data` chunk at byte {at} before any `fmt ` chunk"
                )
            }
            WavErrorKind::NoData => write!(
                formatter,
                "WAV file without a `data` chunk (searched to byte {at})"
            ),
            WavErrorKind::ShortFormat { size } => {
                write!(
                    formatter,
                    "WAV `fmt ` chunk at byte {at} is {size} bytes, fewer than 16"
                )
            }
            WavErrorKind::UnsupportedEncoding { tag } => write!(
                formatter,
                "WAV encoding {tag:#06x} at byte {at} (supported: PCM 0x0001, A-law 0x0006, μ-law 0x0007)"
            ),
            WavErrorKind::UnsupportedChannels { channels } => {
                write!(
                    formatter,
                    "WAV with {channels} channels at byte {at} (only mono is supported)"
                )
            }
            WavErrorKind::UnsupportedBits { bits } => write!(
                formatter,
                "WAV with {bits} bits per sample at byte {at} (PCM must be 16-bit, G.711 8-bit)"
            ),
            WavErrorKind::UnsupportedRate { rate } => write!(
                formatter,
                "WAV at {rate} Hz at byte {at} (PCM16 takes 8000-192000 Hz in whole hundreds, G.711 8000 Hz)"
            ),
        }
    }
}

impl std::error::Error for WavError {}

/// The audio of a WAV file: its format and the bytes of its `data` chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavAudio {
    /// The encoding and rate.
    pub format: AudioFormat,
    /// The encoded samples.
    pub data: Vec<u8>,
}

impl WavAudio {
    /// Reads a WAV file held in memory. Chunks other than `fmt ` and
    /// `data` are skipped; a `data` chunk whose size runs past the end of
    /// the file is read to the end (as recorders that were stopped leave it).
    ///
    /// # Errors
    ///
    /// [`WavError`] naming what is wrong and its byte offset.
    pub fn parse(file: &[u8]) -> Result<Self, WavError> {
        let error = |offset, kind| WavError { offset, kind };
        if file.get(0..4) != Some(b"RIFF") {
            return Err(error(0, WavErrorKind::NotRiff));
        }
        match file.get(8..12) {
            Some(b"WAVE") => {}
            Some(_) => return Err(error(8, WavErrorKind::NotWave)),
            None => return Err(error(file.len(), WavErrorKind::Truncated)),
        }
        let mut format = None;
        let mut at = 12;
        while at < file.len() {
            let header = file
                .get(at..at + 8)
                .ok_or(error(file.len(), WavErrorKind::Truncated))?;
            let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
            let body = at + 8;
            let end = body.saturating_add(size as usize);
            match &header[0..4] {
                b"fmt " => {
                    if size < 16 {
                        return Err(error(at, WavErrorKind::ShortFormat { size }));
                    }
                    let fields = file
                        .get(body..body + 16)
                        .ok_or(error(file.len(), WavErrorKind::Truncated))?;
                    format = Some(read_format(
                        fields,
                        body,
                        file.get(body..end.min(file.len())),
                    )?);
                }
                b"data" => {
                    let format = format.ok_or(error(at, WavErrorKind::DataBeforeFormat))?;
                    let data = file[body.min(file.len())..end.min(file.len())].to_vec();
                    return Ok(WavAudio { format, data });
                }
                _ => {}
            }
            // Chunks are padded to an even size.
            at = end.saturating_add(size as usize % 2);
        }
        Err(error(file.len(), WavErrorKind::NoData))
    }

    /// Writes mono PCM16 `samples` at `rate` as a WAV file's bytes (for
    /// tests and examples).
    pub fn pcm16_file(rate: u32, samples: &[i16]) -> Vec<u8> {
        let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX);
        let mut file = Vec::with_capacity(44 + samples.len() * 2);
        file.extend_from_slice(b"RIFF");
        file.extend_from_slice(&(36 + data_len).to_le_bytes());
        file.extend_from_slice(b"WAVEfmt ");
        file.extend_from_slice(&16u32.to_le_bytes());
        file.extend_from_slice(&FORMAT_PCM.to_le_bytes());
        file.extend_from_slice(&1u16.to_le_bytes());
        file.extend_from_slice(&rate.to_le_bytes());
        file.extend_from_slice(&(rate * 2).to_le_bytes());
        file.extend_from_slice(&2u16.to_le_bytes());
        file.extend_from_slice(&16u16.to_le_bytes());
        file.extend_from_slice(b"data");
        file.extend_from_slice(&data_len.to_le_bytes());
        realtime_codec::pcm16::encode(samples, &mut file);
        file
    }
}

/// The format of a `fmt ` chunk whose 16 fixed bytes are `fields`, at
/// `body` in the file (`whole` is the chunk's body, for the extensible tag).
fn read_format(fields: &[u8], body: usize, whole: Option<&[u8]>) -> Result<AudioFormat, WavError> {
    let u16_at = |at: usize| u16::from_le_bytes([fields[at], fields[at + 1]]);
    let error = |at: usize, kind| WavError {
        offset: body + at,
        kind,
    };
    let mut tag = u16_at(0);
    if tag == FORMAT_EXTENSIBLE {
        // The sub-format GUID starts 24 bytes in; its first two bytes are the tag.
        tag = whole
            .and_then(|chunk| chunk.get(24..26))
            .map_or(tag, |sub| u16::from_le_bytes([sub[0], sub[1]]));
    }
    let channels = u16_at(2);
    let rate = u32::from_le_bytes([fields[4], fields[5], fields[6], fields[7]]);
    let bits = u16_at(14);
    if channels != 1 {
        return Err(error(2, WavErrorKind::UnsupportedChannels { channels }));
    }
    let (format, wanted_bits) = match tag {
        FORMAT_PCM => (AudioFormat::Pcm16 { rate }, 16),
        FORMAT_ULAW => (AudioFormat::G711Ulaw, 8),
        FORMAT_ALAW => (AudioFormat::G711Alaw, 8),
        tag => return Err(error(0, WavErrorKind::UnsupportedEncoding { tag })),
    };
    if bits != wanted_bits {
        return Err(error(14, WavErrorKind::UnsupportedBits { bits }));
    }
    let rate_ok = match format {
        AudioFormat::Pcm16 { .. } => crate::resample::check_rate(rate).is_ok(),
        _ => rate == realtime_codec::G711_RATE,
    };
    if !rate_ok {
        return Err(error(4, WavErrorKind::UnsupportedRate { rate }));
    }
    Ok(format)
}

/// A WAV file as a source: frames of 20 ms in the file's own format (the
/// input pump resamples them), paced by the pump.
#[derive(Debug)]
pub struct WavSource {
    audio: WavAudio,
    at: usize,
}

/// Duration of the frames a [`WavSource`] yields.
const WAV_FRAME_MS: u32 = 20;

impl WavSource {
    /// Reads the file at `path` (whole: the formats a session takes are
    /// about 1 MB a minute at most).
    ///
    /// # Errors
    ///
    /// [`MediaError::Io`] when it cannot be read, [`MediaError::Wav`] when
    /// it is not a WAV file this reader takes.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropped before it completes, nothing is left open.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, MediaError> {
        let path = path.as_ref();
        let file = tokio::fs::read(path)
            .await
            .map_err(|source| MediaError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self::from_audio(WavAudio::parse(&file)?))
    }

    /// A source of audio already read.
    pub fn from_audio(audio: WavAudio) -> Self {
        WavSource { audio, at: 0 }
    }

    /// The file's format.
    pub fn format(&self) -> AudioFormat {
        self.audio.format
    }
}

impl MediaSource for WavSource {
    async fn next_frame(&mut self) -> Option<Result<AudioFrame, MediaError>> {
        let format = self.audio.format;
        let step = format.samples_in_ms(WAV_FRAME_MS) * format.bytes_per_sample();
        let data = &self.audio.data;
        if self.at >= data.len() {
            return None;
        }
        let end = (self.at + step).min(data.len());
        let frame = AudioFrame::new(format, &data[self.at..end]);
        self.at = end;
        Some(Ok(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(file: &[u8]) -> Result<WavAudio, WavError> {
        WavAudio::parse(file)
    }

    #[test]
    fn a_pcm16_file_reads_back_as_its_format_and_samples() {
        let file = WavAudio::pcm16_file(16_000, &[1, -1, 300]);
        let audio = parse(&file).unwrap();
        assert_eq!(audio.format, AudioFormat::Pcm16 { rate: 16_000 });
        assert_eq!(audio.data, [1, 0, 0xFF, 0xFF, 0x2C, 0x01]);
    }

    #[test]
    fn chunks_before_the_format_and_odd_sized_chunks_are_skipped_with_their_padding() {
        let plain = WavAudio::pcm16_file(8_000, &[5, 6]);
        let mut file = plain[..12].to_vec();
        file.extend_from_slice(b"LIST");
        file.extend_from_slice(&3u32.to_le_bytes());
        file.extend_from_slice(&[1, 2, 3, 0]); // three bytes and a pad byte
        file.extend_from_slice(&plain[12..]);
        assert_eq!(parse(&file).unwrap(), parse(&plain).unwrap());
    }

    #[test]
    fn a_ulaw_file_is_g711_at_8_khz() {
        let mut file = WavAudio::pcm16_file(8_000, &[]);
        file[20..22].copy_from_slice(&FORMAT_ULAW.to_le_bytes());
        file[34..36].copy_from_slice(&8u16.to_le_bytes());
        assert_eq!(parse(&file).unwrap().format, AudioFormat::G711Ulaw);
    }

    #[test]
    fn what_is_not_riff_wave_is_refused_at_offset_0_or_8() {
        let mut file = WavAudio::pcm16_file(8_000, &[0; 4]);
        file[0] = b'X';
        assert_eq!(
            parse(&file).unwrap_err(),
            WavError {
                offset: 0,
                kind: WavErrorKind::NotRiff
            }
        );
        let mut file = WavAudio::pcm16_file(8_000, &[0; 4]);
        file[8..12].copy_from_slice(b"AVI ");
        assert_eq!(
            parse(&file).unwrap_err(),
            WavError {
                offset: 8,
                kind: WavErrorKind::NotWave
            }
        );
    }

    #[test]
    fn stereo_is_refused_at_the_channel_field() {
        let mut file = WavAudio::pcm16_file(8_000, &[0; 4]);
        file[22..24].copy_from_slice(&2u16.to_le_bytes());
        let error = parse(&file).unwrap_err();
        assert_eq!(
            error,
            WavError {
                offset: 22,
                kind: WavErrorKind::UnsupportedChannels { channels: 2 }
            }
        );
        assert!(error.to_string().contains("byte 22"), "{error}");
    }

    #[test]
    fn a_rate_the_resampler_does_not_take_is_refused_at_the_rate_field() {
        let mut file = WavAudio::pcm16_file(8_000, &[0; 4]);
        file[24..28].copy_from_slice(&11_025u32.to_le_bytes());
        assert_eq!(
            parse(&file).unwrap_err(),
            WavError {
                offset: 24,
                kind: WavErrorKind::UnsupportedRate { rate: 11_025 }
            }
        );
    }

    #[test]
    fn eight_bit_pcm_and_float_are_refused_at_their_fields() {
        let mut file = WavAudio::pcm16_file(8_000, &[0; 4]);
        file[34..36].copy_from_slice(&8u16.to_le_bytes());
        assert_eq!(parse(&file).unwrap_err().offset, 34);
        let mut file = WavAudio::pcm16_file(8_000, &[0; 4]);
        file[20..22].copy_from_slice(&3u16.to_le_bytes());
        assert_eq!(
            parse(&file).unwrap_err(),
            WavError {
                offset: 20,
                kind: WavErrorKind::UnsupportedEncoding { tag: 3 }
            }
        );
    }

    #[test]
    fn a_file_cut_inside_a_header_is_truncated_at_its_end() {
        let file = WavAudio::pcm16_file(8_000, &[0; 4]);
        assert_eq!(
            parse(&file[..30]).unwrap_err(),
            WavError {
                offset: 30,
                kind: WavErrorKind::Truncated
            }
        );
        assert_eq!(
            parse(&file[..10]).unwrap_err().kind,
            WavErrorKind::Truncated
        );
    }

    #[test]
    fn a_file_without_data_says_so() {
        let file = WavAudio::pcm16_file(8_000, &[]);
        assert_eq!(
            parse(&file[..36]).unwrap_err(),
            WavError {
                offset: 36,
                kind: WavErrorKind::NoData
            }
        );
    }

    #[test]
    fn a_data_size_past_the_end_reads_what_is_there() {
        let mut file = WavAudio::pcm16_file(8_000, &[7, 8]);
        file[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse(&file).unwrap().data.len(), 4);
    }
}
