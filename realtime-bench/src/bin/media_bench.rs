//! Benchmark of `realtime-media`: what resampling and G.711 cost, and what
//! a bridged call costs.
//!
//! ```sh
//! cargo run --release -p realtime-bench --bin media_bench -- codec [--rounds 11] [--seconds 10]
//! cargo run --release -p realtime-bench --bin media_bench -- calls --calls 1,10,50 [--seconds 10] [--session pcmu|pcm16]
//! ```
//!
//! `codec` converts `--seconds` of a tone, in 20 ms frames as a call
//! delivers them, through each step of the media path, and reports each
//! step's time as a ratio to a plain copy of the same samples measured in
//! the same round (the order of the steps rotates between rounds; the
//! figure is the median of the rounds, with their range), and as a
//! real-time factor: seconds of audio per second of one core.
//!
//! `calls` is in `realtime_bench::media` (see `calls --help`).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use realtime_bench::transport::args::Options;
use realtime_bench::transport::stats::{Spread, median};
use realtime_media::{AudioFormat, Resampler};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codec") => codec(&args[1..]),
        Some("calls") => realtime_bench::media::calls(&args[1..]),
        _ => Err("usage: media_bench codec [--rounds N] [--seconds S] | calls --calls N,.. [--seconds S] [--session pcmu|pcm16]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// A step's work on one frame: samples in, samples or bytes out.
type Work = Box<dyn FnMut(&[i16], &mut Vec<i16>, &mut Vec<u8>)>;

/// One step of the media path, run over a whole signal in 20 ms frames.
struct Step {
    name: &'static str,
    /// The rate of the step's input.
    rate: u32,
    run: Work,
}

fn steps() -> Vec<Step> {
    let mut steps = vec![Step {
        name: "copy (baseline)",
        rate: 24_000,
        run: Box::new(|frame, out, _| out.extend_from_slice(frame)),
    }];
    for (from, to) in [
        (24_000, 8_000),
        (8_000, 24_000),
        (24_000, 16_000),
        (16_000, 24_000),
        (48_000, 24_000),
        (24_000, 48_000),
    ] {
        let mut resampler = Resampler::new(from, to).expect("supported rates");
        steps.push(Step {
            name: Box::leak(
                format!("resample {} -> {} kHz", from / 1000, to / 1000).into_boxed_str(),
            ),
            rate: from,
            run: Box::new(move |frame, out, _| resampler.process(frame, out)),
        });
    }
    steps.push(Step {
        name: "G.711 μ-law encode",
        rate: 8_000,
        run: Box::new(|frame, _, bytes| AudioFormat::G711Ulaw.encode(frame, bytes)),
    });
    steps.push(Step {
        name: "G.711 μ-law decode",
        rate: 8_000,
        run: Box::new(|frame, out, bytes| {
            bytes.clear();
            // The bytes of the frame's samples, as if they were μ-law.
            bytes.extend(frame.iter().map(|&sample| sample as u8));
            AudioFormat::G711Ulaw
                .decode(bytes, out)
                .expect("G.711 always decodes");
        }),
    });
    steps
}

fn tone(rate: u32, seconds: u32) -> Vec<i16> {
    (0..rate * seconds)
        .map(|n| {
            let phase = std::f64::consts::TAU * 440.0 * f64::from(n) / f64::from(rate);
            (phase.sin() * 10_000.0) as i16
        })
        .collect()
}

fn codec(args: &[String]) -> Result<(), String> {
    let options = Options::parse(args, &["rounds", "seconds"])?;
    let rounds: usize = options.number("rounds", Some(11))?;
    let seconds: u32 = options.number("seconds", Some(10))?;
    let mut steps = steps();
    let signals: Vec<Vec<i16>> = steps.iter().map(|step| tone(step.rate, seconds)).collect();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); steps.len()];
    let mut out = Vec::new();
    let mut bytes = Vec::new();
    // Round 0 warms up and is not counted.
    for round in 0..=rounds {
        let count = steps.len();
        for offset in 0..count {
            let index = (round + offset) % count;
            let step = &mut steps[index];
            let frame = (step.rate / 50) as usize;
            let started = Instant::now();
            for piece in signals[index].chunks(frame) {
                out.clear();
                bytes.clear();
                (step.run)(black_box(piece), &mut out, &mut bytes);
                black_box((&out, &bytes));
            }
            if round > 0 {
                times[index].push(started.elapsed());
            }
        }
    }
    println!("{seconds} s of audio in 20 ms frames, {rounds} rounds; per second of audio:");
    println!("| step | time | vs. copy (median, range) | real-time factor |");
    println!("|---|---|---|---|");
    for (index, step) in steps.iter().enumerate() {
        let ratios: Vec<f64> = times[index]
            .iter()
            .zip(&times[0])
            .map(|(time, copy)| time.as_secs_f64() / copy.as_secs_f64())
            .collect();
        let Some(spread) = Spread::of(&ratios) else {
            return Err("no rounds were measured (--rounds 0)".into());
        };
        let per_second = median(&times[index]).as_secs_f64() / f64::from(seconds);
        println!(
            "| {} | {:.1} µs | {:.1} ({:.1}–{:.1}) | {:.0}× |",
            step.name,
            per_second * 1e6,
            spread.median,
            spread.min,
            spread.max,
            1.0 / per_second
        );
    }
    Ok(())
}
