//! Streaming sample-rate conversion of 16-bit mono audio, with rubato's
//! windowed-sinc resampler.
//!
//! Audio arrives in pieces of any length; the resampler converts it in
//! 10 ms chunks of the input rate (so it adds at most 10 ms of buffering,
//! plus the filter's delay, [`Resampler::delay`]) and keeps the count of
//! output samples exact: after `n` whole chunks in, exactly `n` chunks of
//! the output rate have come out, so durations survive resampling to the
//! sample. Between equal rates it copies.
//!
//! The filter: a 256-tap sinc with a Blackman-Harris² window and the
//! automatic cutoff (rubato's choice of the highest cutoff that keeps
//! aliasing below the window's side lobes), interpolated cubically between
//! 256 precomputed phases. `tests/resample_quality.rs` measures its
//! signal-to-noise ratio on sines against analytic references at every pair
//! of 8, 16, 24 and 48 kHz; `cargo run --release -p realtime-media --bin
//! media_bench` its cost.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, FixedAsync, Resampler as _, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use crate::error::MediaError;

/// The lowest and highest rates the resampler takes (8 kHz telephony to
/// 192 kHz studio audio); rates must also be whole hundreds of hertz, so
/// that 10 ms is a whole number of samples.
pub const SUPPORTED_RATES: std::ops::RangeInclusive<u32> = 8_000..=192_000;

/// Taps of the sinc filter: with 128, a 3 kHz tone loses 1.5 dB from 48
/// to 8 kHz (the roll-off starts inside the telephone band); with 256 it
/// loses 0.02 dB, at a cost still a small fraction of real time
/// (BENCHMARKS.md).
const SINC_TAPS: usize = 256;

/// Precomputed filter phases between which the filter is interpolated.
const OVERSAMPLING: usize = 256;

/// Checks that `rate` is one the resampler takes.
///
/// # Errors
///
/// [`MediaError::UnsupportedRate`] naming the rate.
pub fn check_rate(rate: u32) -> Result<u32, MediaError> {
    if SUPPORTED_RATES.contains(&rate) && rate.is_multiple_of(100) {
        Ok(rate)
    } else {
        Err(MediaError::UnsupportedRate { rate })
    }
}

/// Converts a stream of 16-bit mono samples from one rate to another.
pub struct Resampler {
    from: u32,
    to: u32,
    /// `None` between equal rates.
    sinc: Option<Sinc>,
}

struct Sinc {
    inner: Async<f32>,
    /// Input samples of the chunk being filled (fewer than a chunk).
    pending: Vec<f32>,
    /// The resampler's output for one chunk.
    scratch: Vec<f32>,
    /// Output samples of one chunk, exactly.
    chunk_out: usize,
    /// Output made but not yet handed out.
    ready: std::collections::VecDeque<f32>,
    /// Silent samples put before the output to make whole chunks (rubato's
    /// first chunks are a few samples short), part of [`Resampler::delay`].
    padded: usize,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Resampler")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz.
    ///
    /// # Errors
    ///
    /// [`MediaError::UnsupportedRate`] when either rate is outside
    /// [`SUPPORTED_RATES`] or not whole hundreds of hertz.
    pub fn new(from: u32, to: u32) -> Result<Self, MediaError> {
        check_rate(from)?;
        check_rate(to)?;
        let sinc = if from == to {
            None
        } else {
            let parameters = SincInterpolationParameters {
                sinc_len: SINC_TAPS,
                f_cutoff: None,
                oversampling_factor: OVERSAMPLING,
                interpolation: SincInterpolationType::Cubic,
                window: WindowFunction::BlackmanHarris2,
            };
            let chunk_in = (from / 100) as usize;
            let inner = Async::<f32>::new_sinc(
                f64::from(to) / f64::from(from),
                1.0,
                &parameters,
                chunk_in,
                1,
                FixedAsync::Input,
            )
            .map_err(|_| MediaError::UnsupportedRate { rate: to })?;
            let scratch = vec![0.0; inner.output_frames_max()];
            Some(Sinc {
                inner,
                pending: Vec::with_capacity(chunk_in),
                scratch,
                chunk_out: (to / 100) as usize,
                ready: std::collections::VecDeque::new(),
                padded: 0,
            })
        };
        Ok(Resampler { from, to, sinc })
    }

    /// The input rate.
    pub fn from_rate(&self) -> u32 {
        self.from
    }

    /// The output rate.
    pub fn to_rate(&self) -> u32 {
        self.to
    }

    /// How many output samples the filter delays the signal by (0 between
    /// equal rates): the output's first samples are the filter ramping up.
    pub fn delay(&self) -> usize {
        self.sinc
            .as_ref()
            .map_or(0, |sinc| sinc.inner.output_delay() + sinc.padded)
    }

    /// Resamples `input` and appends what is ready to `out`: every whole
    /// 10 ms chunk of input gives exactly 10 ms of output; the rest of the
    /// input waits for the next call (or [`flush`](Self::flush)).
    pub fn process(&mut self, input: &[i16], out: &mut Vec<i16>) {
        let Some(sinc) = self.sinc.as_mut() else {
            out.extend_from_slice(input);
            return;
        };
        let chunk_in = sinc.pending.capacity().max(1);
        for &sample in input {
            sinc.pending.push(f32::from(sample) / 32_768.0);
            if sinc.pending.len() == chunk_in {
                sinc.run(out);
            }
        }
    }

    /// Resamples what input is left (padded with silence to a whole
    /// chunk) and appends it to `out`, so that every input sample has its
    /// output. The resampler goes on from there.
    pub fn flush(&mut self, out: &mut Vec<i16>) {
        if let Some(sinc) = self.sinc.as_mut()
            && !sinc.pending.is_empty()
        {
            let partial = sinc.pending.len();
            let chunk_in = sinc.pending.capacity().max(1);
            // The output of the real input only: `partial` of `chunk_in`.
            let keep = sinc.chunk_out * partial / chunk_in;
            sinc.pending.resize(chunk_in, 0.0);
            let mut tail = Vec::new();
            sinc.run(&mut tail);
            out.extend_from_slice(&tail[..keep.min(tail.len())]);
        }
    }

    /// Forgets the audio in flight (barge-in): the next input starts from
    /// silence.
    pub fn reset(&mut self) {
        if let Some(sinc) = self.sinc.as_mut() {
            sinc.inner.reset();
            sinc.pending.clear();
            sinc.ready.clear();
            sinc.padded = 0;
        }
    }
}

impl Sinc {
    /// Resamples the full `pending` chunk into exactly `chunk_out` samples.
    fn run(&mut self, out: &mut Vec<i16>) {
        let frames = self.pending.len();
        let capacity = self.scratch.len();
        let produced = match (
            InterleavedSlice::new(&self.pending, 1, frames),
            InterleavedSlice::new_mut(&mut self.scratch, 1, capacity),
        ) {
            (Ok(input), Ok(mut output)) => {
                match self.inner.process_into_buffer(&input, &mut output, None) {
                    Ok((_, produced)) => produced,
                    // Cannot happen: the buffers are sized by the
                    // resampler's own figures. Were it to, the chunk is
                    // silence (below), and said so.
                    Err(error) => {
                        tracing::warn!(%error, "the resampler failed on a chunk; it is silence");
                        0
                    }
                }
            }
            _ => {
                tracing::warn!("resampler buffers of the wrong size; the chunk is silence");
                0
            }
        };
        self.pending.clear();
        self.ready.extend(&self.scratch[..produced]);
        // Exactly one chunk out per chunk in. Rubato's first chunks are a
        // few samples short (its filter starting up); those samples are
        // silence before the output, which adds to the delay rather than
        // cutting the signal anywhere.
        let short = self.chunk_out.saturating_sub(self.ready.len());
        for _ in 0..short {
            self.ready.push_front(0.0);
        }
        self.padded += short;
        out.extend(self.ready.drain(..self.chunk_out).map(to_i16));
    }
}

/// A float sample (full scale ±1.0) as 16 bits, rounded and clipped.
fn to_i16(sample: f32) -> i16 {
    // Float-to-int `as` saturates (and maps NaN to 0).
    (sample * 32_768.0).round() as i16
}
