//! An energy-based voice activity detector, like the Realtime API's `server_vad`.
//!
//! The real service uses a model; this mock uses a deterministic energy rule
//! so that tests can predict exactly when speech starts and stops:
//!
//! 1. The input buffer is split into 10 ms frames (`sample_rate / 100`
//!    samples). A partial frame at the end of a [`EnergyVad::push`] is kept
//!    and completed by the next push, so how audio is chunked never changes
//!    the result.
//! 2. A frame is *speech* when its RMS, as a fraction of full scale (32 768),
//!    exceeds `threshold * 0.1`. The default threshold 0.5 thus needs an RMS
//!    above 0.05 (≈ −26 dBFS): a normal voice or a 0.3-amplitude tone is
//!    speech, silence and low noise are not. The maximum threshold 1.0 needs
//!    an RMS above 0.1 (−20 dBFS). A threshold outside 0.0–1.0 is clamped;
//!    a non-finite one counts as 0.5.
//! 3. Speech starts at the first speech frame:
//!    [`VadEvent::SpeechStarted`] with `audio_start_ms` = that frame's start
//!    minus `prefix_padding_ms`, floored at 0.
//! 4. Speech stops once `silence_duration_ms` of consecutive non-speech
//!    frames have followed it: [`VadEvent::SpeechStopped`] with
//!    `audio_end_ms` = the end of the last speech frame. A speech frame
//!    during that silence cancels it.
//!
//! Offsets are whole milliseconds (rounded down) from the start of the input
//! buffer; [`EnergyVad::reset`] restarts them at 0 when the buffer is
//! committed or cleared.

use crate::audio::duration_ms;

/// Full scale of a PCM16 sample, for RMS fractions.
const FULL_SCALE: f64 = 32_768.0;

/// Settings (from the session's turn_detection: threshold 0.0–1.0, prefix_padding_ms default 300, silence_duration_ms default 500).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadConfig {
    /// Activation threshold, 0.0–1.0: a frame is speech when its RMS exceeds
    /// `threshold * 0.1` of full scale.
    pub threshold: f32,
    /// Audio before the first speech frame to include in `audio_start_ms`.
    pub prefix_padding_ms: u32,
    /// Silence needed after speech before speech is considered stopped.
    pub silence_duration_ms: u32,
}

impl Default for VadConfig {
    /// Threshold 0.5, 300 ms prefix padding, 500 ms silence (the API defaults).
    fn default() -> Self {
        Self {
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
        }
    }
}

/// A change of speech state detected in the input buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VadEvent {
    /// Speech began (`input_audio_buffer.speech_started`).
    SpeechStarted {
        /// Milliseconds from the buffer start, prefix padding included.
        audio_start_ms: u64,
    },
    /// Speech ended (`input_audio_buffer.speech_stopped`).
    SpeechStopped {
        /// Milliseconds from the buffer start to the end of the last speech frame.
        audio_end_ms: u64,
    },
}

/// An energy-based voice activity detector over one input audio buffer.
///
/// See the [module documentation](self) for the exact rule.
#[derive(Debug, Clone)]
pub struct EnergyVad {
    /// Samples per second (at least 1).
    sample_rate: u32,
    /// Samples in a 10 ms frame (at least 1).
    frame_len: usize,
    /// Mean square, in sample units², a frame must exceed to be speech.
    mean_square_threshold: f64,
    /// Prefix padding, in milliseconds.
    prefix_padding_ms: u64,
    /// Silence needed to stop speech, in milliseconds.
    silence_duration_ms: u64,
    /// Samples of an incomplete frame, waiting for the next push.
    pending: Vec<i16>,
    /// Samples in complete frames seen since the buffer start.
    processed: u64,
    /// Whether speech has started and not yet stopped.
    in_speech: bool,
    /// Sample offset of the end of the last speech frame.
    last_speech_end: u64,
    /// Consecutive non-speech samples since the last speech frame.
    silence_run: u64,
}

impl EnergyVad {
    /// A detector for audio at `sample_rate` (a rate of 0 counts as 1).
    pub fn new(config: VadConfig, sample_rate: u32) -> Self {
        let sample_rate = sample_rate.max(1);
        let frame_len = usize::try_from(sample_rate / 100)
            .unwrap_or(usize::MAX)
            .max(1);
        let threshold = if config.threshold.is_finite() {
            f64::from(config.threshold.clamp(0.0, 1.0))
        } else {
            0.5
        };
        let rms_threshold = threshold * 0.1 * FULL_SCALE;
        Self {
            sample_rate,
            frame_len,
            mean_square_threshold: rms_threshold * rms_threshold,
            prefix_padding_ms: u64::from(config.prefix_padding_ms),
            silence_duration_ms: u64::from(config.silence_duration_ms),
            pending: Vec::with_capacity(frame_len),
            processed: 0,
            in_speech: false,
            last_speech_end: 0,
            silence_run: 0,
        }
    }

    /// Feeds samples (appended to the input buffer in order); returns the events they cause, with offsets in ms from the start of the buffer.
    pub fn push(&mut self, samples: &[i16]) -> Vec<VadEvent> {
        let mut events = Vec::new();
        let mut rest = samples;
        if !self.pending.is_empty() {
            let wanted = self
                .frame_len
                .saturating_sub(self.pending.len())
                .min(rest.len());
            let (head, tail) = rest.split_at(wanted);
            self.pending.extend_from_slice(head);
            rest = tail;
            if self.pending.len() < self.frame_len {
                return events;
            }
            let frame = std::mem::take(&mut self.pending);
            self.frame(&frame, &mut events);
            self.pending = frame;
            self.pending.clear();
        }
        let mut frames = rest.chunks_exact(self.frame_len);
        for frame in &mut frames {
            self.frame(frame, &mut events);
        }
        self.pending.extend_from_slice(frames.remainder());
        events
    }

    /// Forget everything (the buffer was committed or cleared): offsets restart at 0.
    pub fn reset(&mut self) {
        self.pending.clear();
        self.processed = 0;
        self.in_speech = false;
        self.last_speech_end = 0;
        self.silence_run = 0;
    }

    /// Whether speech has started and not yet stopped.
    pub fn in_speech(&self) -> bool {
        self.in_speech
    }

    /// Classifies one complete frame and updates the state.
    fn frame(&mut self, frame: &[i16], events: &mut Vec<VadEvent>) {
        let start = self.processed;
        let len = u64::try_from(frame.len()).unwrap_or(u64::MAX);
        let end = start.saturating_add(len);
        self.processed = end;
        let sum_of_squares: f64 = frame
            .iter()
            .map(|&s| {
                let s = f64::from(s);
                s * s
            })
            .sum();
        let is_speech = sum_of_squares / frame.len().max(1) as f64 > self.mean_square_threshold;
        if is_speech {
            if !self.in_speech {
                self.in_speech = true;
                let audio_start_ms = self.ms(start).saturating_sub(self.prefix_padding_ms);
                events.push(VadEvent::SpeechStarted { audio_start_ms });
            }
            self.last_speech_end = end;
            self.silence_run = 0;
        } else if self.in_speech {
            self.silence_run = self.silence_run.saturating_add(len);
            if self.ms(self.silence_run) >= self.silence_duration_ms {
                self.in_speech = false;
                self.silence_run = 0;
                let audio_end_ms = self.ms(self.last_speech_end);
                events.push(VadEvent::SpeechStopped { audio_end_ms });
            }
        }
    }

    /// Whole milliseconds in `samples` at this detector's rate.
    fn ms(&self, samples: u64) -> u64 {
        duration_ms(
            usize::try_from(samples).unwrap_or(usize::MAX),
            self.sample_rate,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{silence, tone};

    const RATE: u32 = 24_000;

    /// Concatenates signals.
    fn concat(parts: &[Vec<i16>]) -> Vec<i16> {
        parts.concat()
    }

    /// 500 ms silence, 1 s of a 0.3 tone, 600 ms silence.
    fn utterance() -> Vec<i16> {
        concat(&[
            silence(500, RATE),
            tone(1_000, RATE, 440.0, 0.3),
            silence(600, RATE),
        ])
    }

    /// Deterministic white noise of the given peak amplitude (fraction of full scale).
    fn noise(duration_ms: u32, amplitude: f64) -> Vec<i16> {
        let mut state: u32 = 0x1234_5678;
        let count = (u64::from(duration_ms) * u64::from(RATE) / 1000) as usize;
        (0..count)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let unit = f64::from(state >> 8) / f64::from(1u32 << 24) * 2.0 - 1.0;
                (unit * amplitude * f64::from(i16::MAX)).round() as i16
            })
            .collect()
    }

    #[test]
    fn silence_gives_no_events() {
        let mut vad = EnergyVad::new(VadConfig::default(), RATE);
        assert!(vad.push(&silence(3_000, RATE)).is_empty());
        assert!(!vad.in_speech());
    }

    #[test]
    fn tone_then_silence_starts_with_prefix_padding_and_stops_at_the_tone_end() {
        let mut vad = EnergyVad::new(VadConfig::default(), RATE);
        // Tone from 500 ms to 1500 ms: starts at 500 − 300 = 200 ms; the last
        // speech frame ends at 1500 ms, and 500 ms of silence follow.
        assert_eq!(
            vad.push(&utterance()),
            vec![
                VadEvent::SpeechStarted {
                    audio_start_ms: 200
                },
                VadEvent::SpeechStopped {
                    audio_end_ms: 1_500
                },
            ]
        );
        assert!(!vad.in_speech());
    }

    #[test]
    fn speech_start_is_floored_at_zero() {
        let mut vad = EnergyVad::new(VadConfig::default(), RATE);
        let events = vad.push(&concat(&[silence(100, RATE), tone(200, RATE, 440.0, 0.3)]));
        assert_eq!(events, vec![VadEvent::SpeechStarted { audio_start_ms: 0 }]);
        assert!(vad.in_speech());
    }

    #[test]
    fn speech_stops_only_after_the_full_silence_duration() {
        let mut vad = EnergyVad::new(VadConfig::default(), RATE);
        let started = vad.push(&concat(&[
            silence(500, RATE),
            tone(1_000, RATE, 440.0, 0.3),
        ]));
        assert_eq!(started.len(), 1);
        assert!(vad.push(&silence(490, RATE)).is_empty());
        assert!(vad.in_speech());
        assert_eq!(
            vad.push(&silence(10, RATE)),
            vec![VadEvent::SpeechStopped {
                audio_end_ms: 1_500
            }]
        );
    }

    #[test]
    fn a_short_pause_does_not_stop_speech() {
        let mut vad = EnergyVad::new(VadConfig::default(), RATE);
        let audio = concat(&[
            tone(300, RATE, 440.0, 0.3),
            silence(300, RATE),
            tone(300, RATE, 440.0, 0.3),
            silence(500, RATE),
        ]);
        assert_eq!(
            vad.push(&audio),
            vec![
                VadEvent::SpeechStarted { audio_start_ms: 0 },
                VadEvent::SpeechStopped { audio_end_ms: 900 },
            ]
        );
    }

    #[test]
    fn speech_split_across_many_small_pushes_gives_the_same_events_as_one_push() {
        let audio = utterance();
        let mut whole = EnergyVad::new(VadConfig::default(), RATE);
        let expected = whole.push(&audio);
        assert_eq!(expected.len(), 2);
        for chunk in [1, 7, 239, 241, 1_000] {
            let mut split = EnergyVad::new(VadConfig::default(), RATE);
            let events: Vec<VadEvent> = audio.chunks(chunk).flat_map(|c| split.push(c)).collect();
            assert_eq!(events, expected, "chunks of {chunk}");
        }
    }

    #[test]
    fn reset_restarts_offsets_at_zero() {
        let mut vad = EnergyVad::new(VadConfig::default(), RATE);
        let first = vad.push(&utterance());
        // Leave speech and a partial frame in flight, then reset.
        vad.push(&tone(205, RATE, 440.0, 0.3));
        assert!(vad.in_speech());
        vad.reset();
        assert!(!vad.in_speech());
        assert_eq!(vad.push(&utterance()), first);
    }

    #[test]
    fn threshold_one_ignores_a_tone_below_minus_20_dbfs() {
        // A 0.12 tone has an RMS of ≈ 0.085: speech by default (> 0.05), but
        // not at threshold 1.0 (≤ 0.1).
        let audio = concat(&[
            silence(500, RATE),
            tone(1_000, RATE, 440.0, 0.12),
            silence(600, RATE),
        ]);
        let strict = VadConfig {
            threshold: 1.0,
            ..VadConfig::default()
        };
        assert!(EnergyVad::new(strict, RATE).push(&audio).is_empty());
        assert_eq!(
            EnergyVad::new(VadConfig::default(), RATE)
                .push(&audio)
                .len(),
            2
        );
    }

    #[test]
    fn maximum_threshold_still_detects_a_0_3_tone() {
        // A 0.3 tone has an RMS of ≈ 0.212: above threshold 1.0's 0.1 RMS.
        let strict = VadConfig {
            threshold: 1.0,
            ..VadConfig::default()
        };
        assert_eq!(EnergyVad::new(strict, RATE).push(&utterance()).len(), 2);
    }

    #[test]
    fn low_noise_is_not_speech() {
        let mut vad = EnergyVad::new(VadConfig::default(), RATE);
        assert!(vad.push(&noise(3_000, 0.001)).is_empty());
        assert!(!vad.in_speech());
    }

    #[test]
    fn offsets_follow_the_sample_rate() {
        let mut vad = EnergyVad::new(VadConfig::default(), 8_000);
        let audio = concat(&[
            silence(400, 8_000),
            tone(200, 8_000, 440.0, 0.3),
            silence(500, 8_000),
        ]);
        assert_eq!(
            vad.push(&audio),
            vec![
                VadEvent::SpeechStarted {
                    audio_start_ms: 100
                },
                VadEvent::SpeechStopped { audio_end_ms: 600 },
            ]
        );
    }
}
