//! The resampler's quality, measured: a sine resampled between every pair
//! of 8, 16, 24 and 48 kHz is compared with the analytic sine at the
//! target rate (IEEE 1057's three-parameter fit: the reference's amplitude
//! and phase are fitted, its frequency is the input's), and the ratio of
//! signal to everything else (noise, aliases, distortion) must be at
//! least [`MIN_SNR_DB`], and the passband gain within [`MAX_GAIN_DB`].
//!
//! Why 80 dB: the output is 16-bit, whose quantisation alone limits a
//! half-scale sine to about 92 dB, so no resampler can measure much more;
//! G.711, the codec of every phone call, reaches about 38 dB. 80 dB (this
//! filter measures about 89-112 dB) keeps the resampler's error within a few
//! bits of the 16-bit floor and 40 dB under the telephone codec's, so it is
//! never what a caller hears, and it fails a filter made much shorter or a
//! linear interpolator (7.5 dB at 3 kHz from 8 kHz: its images are loud; see
//! `linear_interpolation_would_fail_this_bar`).
//!
//! Why 0.1 dB of gain: the telephone band runs to 3.4 kHz, so a 3 kHz tone
//! must come through 8 kHz untouched; a 128-tap filter loses 1.5 dB there
//! from 48 kHz (its roll-off starts too early), the 256 taps used lose
//! 0.02 dB.

use realtime_media::Resampler;

const MIN_SNR_DB: f64 = 80.0;
const MAX_GAIN_DB: f64 = 0.1;
const RATES: [u32; 4] = [8_000, 16_000, 24_000, 48_000];
/// Half of full scale.
const AMPLITUDE: f64 = 16_384.0;

fn sine(rate: u32, frequency: f64, samples: usize) -> Vec<i16> {
    (0..samples)
        .map(|n| {
            let phase = std::f64::consts::TAU * frequency * n as f64 / f64::from(rate);
            (AMPLITUDE * phase.sin()).round() as i16
        })
        .collect()
}

/// The fitted amplitude of `frequency` in `signal` and the signal-to-
/// residual ratio in dB (a least-squares fit of `a·sin + b·cos + c`).
fn sine_fit(signal: &[i16], rate: u32, frequency: f64) -> (f64, f64) {
    let omega = std::f64::consts::TAU * frequency / f64::from(rate);
    // Normal equations of the three-parameter fit.
    let mut m = [[0.0f64; 3]; 3];
    let mut v = [0.0f64; 3];
    for (n, &y) in signal.iter().enumerate() {
        let basis = [(omega * n as f64).sin(), (omega * n as f64).cos(), 1.0];
        for i in 0..3 {
            v[i] += basis[i] * f64::from(y);
            for j in 0..3 {
                m[i][j] += basis[i] * basis[j];
            }
        }
    }
    let [a, b, c] = solve(m, v);
    let (mut signal_power, mut residual_power) = (0.0, 0.0);
    for (n, &y) in signal.iter().enumerate() {
        let fitted = a * (omega * n as f64).sin() + b * (omega * n as f64).cos() + c;
        signal_power += fitted * fitted;
        residual_power += (f64::from(y) - fitted).powi(2);
    }
    let snr = 10.0 * (signal_power / residual_power.max(f64::MIN_POSITIVE)).log10();
    ((a * a + b * b).sqrt(), snr)
}

/// Solves a 3×3 system by Cramer's rule.
fn solve(m: [[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let whole = det(m);
    let mut out = [0.0; 3];
    for (column, slot) in out.iter_mut().enumerate() {
        let mut replaced = m;
        for row in 0..3 {
            replaced[row][column] = v[row];
        }
        *slot = det(replaced) / whole;
    }
    out
}

/// `input` through a fresh resampler, fed in 20 ms pieces as a live
/// source would, then flushed; the filter's start-up (its delay and 10 ms
/// more) and the last 10 ms are left out of the measurement.
fn resample(input: &[i16], from: u32, to: u32) -> Vec<i16> {
    let mut resampler = Resampler::new(from, to).expect("a supported pair of rates");
    let mut out = Vec::new();
    for piece in input.chunks((from / 50) as usize) {
        resampler.process(piece, &mut out);
    }
    resampler.flush(&mut out);
    let skip = resampler.delay() + (to / 100) as usize;
    out[skip..out.len() - (to / 100) as usize].to_vec()
}

/// A tone well inside every rate's passband (the 8 kHz telephone band
/// ends at 3.4 kHz), a high one near its edge, and a low one.
const FREQUENCIES: [f64; 3] = [300.0, 1_000.0, 3_000.0];

#[test]
fn every_pair_of_rates_keeps_a_sine_80_db_above_the_error_at_unit_gain() {
    let mut worst = f64::INFINITY;
    for from in RATES {
        for to in RATES {
            if from == to {
                continue;
            }
            for frequency in FREQUENCIES {
                let input = sine(from, frequency, from as usize / 2); // 0.5 s
                let output = resample(&input, from, to);
                let (amplitude, snr) = sine_fit(&output, to, frequency);
                println!("{from:>5} -> {to:>5} Hz, {frequency:>4} Hz tone: SNR {snr:.1} dB");
                assert!(
                    snr >= MIN_SNR_DB,
                    "{from} -> {to} Hz at {frequency} Hz: SNR {snr:.1} dB"
                );
                let gain_db = 20.0 * (amplitude / AMPLITUDE).log10();
                assert!(
                    gain_db.abs() < MAX_GAIN_DB,
                    "{from} -> {to} Hz at {frequency} Hz: gain {gain_db:.3} dB"
                );
                worst = worst.min(snr);
            }
        }
    }
    println!("worst SNR {worst:.1} dB");
}

#[test]
fn the_output_has_exactly_the_duration_of_the_input() {
    for from in RATES {
        for to in RATES {
            let mut resampler = Resampler::new(from, to).unwrap();
            let mut out = Vec::new();
            // 1 s in pieces of 7 ms: never a whole chunk at a time.
            for piece in sine(from, 440.0, from as usize).chunks((from / 1000 * 7) as usize) {
                resampler.process(piece, &mut out);
            }
            resampler.flush(&mut out);
            assert_eq!(out.len(), to as usize, "{from} -> {to}");
        }
    }
}

#[test]
fn the_stated_delay_is_where_the_signal_starts() {
    // An impulse after silence comes out `delay()` samples late (its
    // largest output sample), within a sample.
    for (from, to) in [(8_000, 24_000), (24_000, 8_000), (48_000, 16_000)] {
        let mut input = vec![0i16; from as usize / 10];
        input[from as usize / 20] = i16::MAX;
        let mut resampler = Resampler::new(from, to).unwrap();
        let mut out = Vec::new();
        resampler.process(&input, &mut out);
        let peak = out
            .iter()
            .enumerate()
            .max_by_key(|(_, sample)| sample.unsigned_abs())
            .map(|(index, _)| index)
            .unwrap();
        let expected = (to as usize / 20) + resampler.delay();
        assert!(
            peak.abs_diff(expected) <= 1,
            "{from} -> {to}: peak at {peak}, expected {expected}"
        );
    }
}

#[test]
fn linear_interpolation_would_fail_this_bar() {
    // The shortcut the bar is meant to exclude: 8 -> 24 kHz by
    // interpolating linearly between neighbours, no filter at all.
    let input = sine(8_000, 3_000.0, 8_000);
    let output: Vec<i16> = (0..24_000)
        .map(|n| {
            let position = n as f64 / 3.0;
            let index = position.floor() as usize;
            let next = input.get(index + 1).copied().unwrap_or(0);
            let fraction = position - index as f64;
            (f64::from(input[index]) * (1.0 - fraction) + f64::from(next) * fraction).round() as i16
        })
        .collect();
    let (_, snr) = sine_fit(&output[..23_000], 24_000, 3_000.0);
    println!("linear interpolation: SNR {snr:.1} dB");
    assert!(
        snr < MIN_SNR_DB,
        "linear interpolation measured {snr:.1} dB"
    );
}

#[test]
fn rates_outside_the_range_or_not_whole_hundreds_are_errors_naming_the_rate() {
    for rate in [0, 7_900, 11_025, 200_000] {
        let error = Resampler::new(rate, 24_000).unwrap_err();
        assert!(error.to_string().contains(&rate.to_string()), "{error}");
        assert!(
            matches!(error, realtime_media::MediaError::UnsupportedRate { rate: r } if r == rate)
        );
    }
}
