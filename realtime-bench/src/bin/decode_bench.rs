//! Decode and encode benchmark of `realtime-types` on the generated voice
//! session corpus (see `realtime_bench::corpus`).
//!
//! ```sh
//! cargo run --release -p realtime-bench --bin decode_bench
//! # the same with mimalloc as the global allocator instead of the system's:
//! cargo run --release -p realtime-bench --features mimalloc --bin decode_bench
//! ```
//!
//! Every figure is the median of several timed runs after a warm-up, and the
//! decoders of one table take turns within each run, so background load
//! hits them alike: compare the ratios, which are printed, more than the
//! absolute numbers.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{PAD, STANDARD};
use realtime_bench::corpus::{Corpus, SAMPLE_RATE, SpecSessions, SplitMix64, Surface, synth_pcm16};
use realtime_bench::derived;
use realtime_types::audio;
use realtime_types::{Event, beta, ga};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The global allocator every case runs with.
const ALLOCATOR: &str = if cfg!(feature = "mimalloc") {
    "mimalloc (`--features mimalloc`)"
} else {
    "the system's (glibc malloc on Linux)"
};

/// Timed runs per figure (the median is reported).
const RUNS: usize = 7;
/// Each timed run repeats its input until it covers at least this many bytes.
const MIN_BYTES_PER_RUN: usize = 24 << 20;

/// One thing to time, called once per input.
struct Case<'a, T: ?Sized> {
    label: &'static str,
    run: Box<dyn Fn(&T) + 'a>,
}

fn case<'a, T: ?Sized>(label: &'static str, run: impl Fn(&T) + 'a) -> Case<'a, T> {
    Case {
        label,
        run: Box::new(run),
    }
}

/// The median time of one pass of each case over `inputs` (whose total size
/// is `bytes`): a warm-up pass, then `RUNS` runs in which the cases take turns.
fn measure<T: ?Sized>(inputs: &[&T], bytes: usize, cases: &[Case<'_, T>]) -> Vec<Duration> {
    let passes = MIN_BYTES_PER_RUN.div_ceil(bytes.max(1)).max(1);
    for case in cases {
        inputs.iter().for_each(|input| (case.run)(input));
    }
    let mut times = vec![Vec::with_capacity(RUNS); cases.len()];
    for _ in 0..RUNS {
        for (case, times) in cases.iter().zip(&mut times) {
            let start = Instant::now();
            for _ in 0..passes {
                inputs.iter().for_each(|input| (case.run)(input));
            }
            times.push(start.elapsed() / passes as u32);
        }
    }
    times
        .into_iter()
        .map(|mut times| {
            times.sort();
            times[times.len() / 2]
        })
        .collect()
}

/// Prints one table: throughput, and time relative to `reference` (an index into `cases`).
fn report<T: ?Sized>(
    title: &str,
    inputs: &[&T],
    bytes: usize,
    cases: &[Case<'_, T>],
    reference: usize,
) -> Vec<Duration> {
    let times = measure(inputs, bytes, cases);
    println!(
        "\n### {title}: {} events, {:.1} MB\n",
        inputs.len(),
        bytes as f64 / 1e6
    );
    println!(
        "| case | median | MB/s | events/s | time vs {} |",
        short(cases[reference].label)
    );
    println!("|---|---:|---:|---:|---:|");
    for (case, time) in cases.iter().zip(&times) {
        let seconds = time.as_secs_f64();
        println!(
            "| {} | {:.2} ms | {:.0} | {:.0} | {:.2} |",
            case.label,
            seconds * 1e3,
            bytes as f64 / 1e6 / seconds,
            inputs.len() as f64 / seconds,
            seconds / times[reference].as_secs_f64()
        );
    }
    times
}

fn short(label: &str) -> &str {
    label.split_once(' ').map_or(label, |(tag, _)| tag)
}

fn ratio(numerator: Duration, denominator: Duration) -> f64 {
    numerator.as_secs_f64() / denominator.as_secs_f64()
}

/// The frames of `corpus` matching `keep`, and their total size.
fn subset(corpus: &Corpus, keep: impl Fn(bool) -> bool) -> (Vec<&str>, usize) {
    let frames: Vec<&str> = corpus
        .frames
        .iter()
        .filter(|f| keep(f.is_audio_delta()))
        .map(|f| f.text.as_str())
        .collect();
    let bytes = frames.iter().map(|f| f.len()).sum();
    (frames, bytes)
}

/// Tables (a)–(e) for one surface; `E` is its `ServerEvent`, `D` the
/// serde-derived mirror of it (`realtime_bench::derived`), `view` decodes a
/// frame with its `ServerEventRef`.
fn decode_tables<E: Event, D: DeserializeOwned>(corpus: &Corpus, view: fn(&str)) {
    let name = corpus.surface.name();
    let (ours_label, serde_label, view_label) = match corpus.surface {
        Surface::Ga => (
            "(a) `ga::ServerEvent::from_frame` (ours)",
            "(a2) `serde_json::from_str::<ga::ServerEvent>` (ours, through `Deserialize`)",
            "(e) `ga::ServerEventRef::from_frame` (ours, borrowed views)",
        ),
        Surface::Beta => (
            "(a) `beta::ServerEvent::from_frame` (ours)",
            "(a2) `serde_json::from_str::<beta::ServerEvent>` (ours, through `Deserialize`)",
            "(e) `beta::ServerEventRef::from_frame` (ours, borrowed views)",
        ),
    };
    let decoders = || {
        vec![
            case(ours_label, |frame: &str| {
                black_box(&E::from_frame(frame));
            }),
            case(serde_label, |frame: &str| {
                black_box(&serde_json::from_str::<E>(frame));
            }),
            case("(b) `serde_json::Value`", |frame: &str| {
                black_box(&serde_json::from_str::<Value>(frame));
            }),
            case("(c) `IgnoredAny` (validate only)", |frame: &str| {
                black_box(&serde_json::from_str::<IgnoredAny>(frame));
            }),
            case(
                "(d) `Value` then `from_value` (tree-buffered stand-in)",
                |frame: &str| {
                    let event =
                        serde_json::from_str::<Value>(frame).and_then(serde_json::from_value::<E>);
                    black_box(&event);
                },
            ),
            case(
                "(d2) serde-derived `#[serde(tag = \"type\")]` of the same types",
                |frame: &str| {
                    black_box(&serde_json::from_str::<D>(frame));
                },
            ),
            case(view_label, view),
        ]
    };

    println!("\n## {name}: decoding server events");
    let mut goals = Vec::new();
    for (title, keep) in [
        ("whole mix", (|_| true) as fn(bool) -> bool),
        ("audio deltas only", |audio| audio),
        ("structured (non-audio) events only", |audio| !audio),
    ] {
        let (frames, bytes) = subset(corpus, keep);
        let times = report(&format!("{name}, {title}"), &frames, bytes, &decoders(), 3);
        goals.push((title, times));
    }
    println!("\n{name} against the goals:\n");
    for (title, times) in &goals {
        let (ours, through_serde, ignored, buffered, derived, view) =
            (times[0], times[1], times[3], times[4], times[5], times[6]);
        println!(
            "- {title}: `ServerEvent::from_frame` (a) has {:.2}x the throughput of the \
             serde-derived internally tagged enum ({:.2}x that of the tree-buffered stand-in) \
             and takes {:.2}x the time of `IgnoredAny`; through `Deserialize` (a2): {:.2}x \
             and {:.2}x; `ServerEventRef` (e) has {:.2}x the throughput \
             of the serde-derived enum and takes {:.2}x the time of `IgnoredAny` \
             ({:.2}x the time of (a))",
            ratio(derived, ours),
            ratio(buffered, ours),
            ratio(ours, ignored),
            ratio(derived, through_serde),
            ratio(through_serde, ignored),
            ratio(derived, view),
            ratio(view, ignored),
            ratio(view, ours),
        );
    }
}

/// Every frame of `corpus` decodes with `E::from_frame`, into the same event
/// as `serde_json::from_str` gives.
fn assert_from_frame_decodes<E: Event + PartialEq>(corpus: &Corpus) {
    let name = corpus.surface.name();
    for frame in &corpus.frames {
        let event = E::from_frame(&frame.text)
            .unwrap_or_else(|e| panic!("a {name} frame does not decode: {e}"));
        assert_eq!(
            Ok(event),
            serde_json::from_str(&frame.text).map_err(|e| e.to_string()),
            "from_frame and from_str disagree on a {name} frame"
        );
    }
}

/// Table (f): base64 audio to samples.
fn pcm_table(corpus: &Corpus) {
    let views: Vec<ga::ServerEventRef<'_>> = corpus
        .frames
        .iter()
        .filter(|f| f.is_audio_delta())
        .map(|f| ga::ServerEventRef::from_frame(&f.text).expect("the corpus's frames are valid"))
        .collect();
    let texts: Vec<&str> = views
        .iter()
        .filter_map(|view| match view {
            ga::ServerEventRef::ResponseOutputAudioDelta(delta) => Some(delta.delta.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(texts.len(), views.len(), "every audio delta is borrowed");
    let bytes = texts.iter().map(|t| t.len()).sum();
    let simd = base64::engine::Simd::standard(PAD);
    let samples = std::cell::RefCell::new(Vec::<i16>::new());
    let scratch = std::cell::RefCell::new(vec![0u8; 8192]);
    let cases = [
        case(
            "(f) `audio::decode_pcm16` (reused `Vec<i16>`)",
            |text: &str| {
                let mut samples = samples.borrow_mut();
                samples.clear();
                let result = audio::decode_pcm16(text, &mut samples);
                black_box((&result, samples.as_slice()));
            },
        ),
        case(
            "(f0) `STANDARD.decode` to a new `Vec<u8>`, then collect `i16`s",
            |text: &str| {
                let pcm: Option<Vec<i16>> = STANDARD.decode(text).ok().map(|bytes| {
                    bytes
                        .chunks_exact(2)
                        .map(|p| i16::from_le_bytes([p[0], p[1]]))
                        .collect()
                });
                black_box(&pcm);
            },
        ),
        case(
            "(f1) reference: `STANDARD.decode_slice` to bytes only",
            |text: &str| {
                let mut scratch = scratch.borrow_mut();
                let result = STANDARD.decode_slice(text, &mut scratch[..]);
                black_box((&result, scratch.as_slice()));
            },
        ),
        case(
            "(f2) reference: base64's AVX2 `Simd` engine, bytes only",
            |text: &str| {
                let mut scratch = scratch.borrow_mut();
                let result = simd.decode_slice(text, &mut scratch[..]);
                black_box((&result, scratch.as_slice()));
            },
        ),
    ];
    println!("\n## Base64 audio to PCM16 samples (all GA audio deltas)");
    let times = report("GA audio delta payloads", &texts, bytes, &cases, 0);
    println!(
        "\n`decode_pcm16`: {:.2} GB/s of base64 (goal >= 1 GB/s)",
        bytes as f64 / 1e9 / times[0].as_secs_f64()
    );
}

/// Table (g): encoding `input_audio_buffer.append` events.
fn append_table() {
    let mut rng = SplitMix64::new(0xA11D);
    let chunks: Vec<Vec<i16>> = (0..2_000)
        .map(|_| {
            let ms = rng.between(20, 100);
            synth_pcm16(&mut rng, (ms * SAMPLE_RATE / 1000) as usize)
        })
        .collect();
    let inputs: Vec<&[i16]> = chunks.iter().map(Vec::as_slice).collect();
    let bytes = inputs.iter().map(|c| c.len() * 2).sum();
    let frame = std::cell::RefCell::new(String::new());
    let pcm = std::cell::RefCell::new(Vec::<u8>::new());
    let writer = std::cell::RefCell::new(Vec::<u8>::new());
    let derived = |samples: &[i16]| {
        let mut pcm = pcm.borrow_mut();
        pcm.clear();
        pcm.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        ga::ClientEvent::from(ga::client::InputAudioBufferAppend::new(
            STANDARD.encode(pcm.as_slice()),
        ))
    };
    let cases = [
        case(
            "(g) `audio::append_event_json` (reused `String`)",
            |samples: &[i16]| {
                let mut frame = frame.borrow_mut();
                frame.clear();
                audio::append_event_json(samples, None, &mut frame);
                black_box(frame.as_str());
            },
        ),
        case(
            "(g0) base64 `String` + derived struct + `serde_json::to_string`",
            |samples: &[i16]| {
                black_box(&serde_json::to_string(&derived(samples)));
            },
        ),
        case(
            "(g1) the same, `serde_json::to_writer` into a reused buffer",
            |samples: &[i16]| {
                let event = derived(samples);
                let mut writer = writer.borrow_mut();
                writer.clear();
                let result = serde_json::to_writer(&mut *writer, &event);
                black_box((&result, writer.as_slice()));
            },
        ),
    ];
    for (samples, check) in [(inputs[0], 0), (inputs[1], 1)] {
        let mut ours = String::new();
        audio::append_event_json(samples, None, &mut ours);
        let theirs = serde_json::to_string(&derived(samples)).expect("serializes");
        assert_eq!(ours, theirs, "append {check} differs from the derived path");
    }
    println!(
        "\n## Encoding `input_audio_buffer.append` (2,000 chunks of 20-100 ms, sizes in PCM bytes)"
    );
    let times = report("appends", &inputs, bytes, &cases, 1);
    println!(
        "\n`append_event_json` takes {:.2}x the time of the derived path (goal <= 0.75x); \
         {:.2}x against the derived path writing into a reused buffer",
        ratio(times[0], times[1]),
        ratio(times[0], times[2])
    );
}

fn summary(corpus: &Corpus) {
    let (audio, audio_bytes) = subset(corpus, |audio| audio);
    let (_, bytes) = subset(corpus, |_| true);
    println!(
        "- {}: {} frames, {:.1} MB; {} audio deltas ({:.1}% of frames, {:.1}% of bytes, {:.0} bytes each on average)",
        corpus.surface.name(),
        corpus.frames.len(),
        bytes as f64 / 1e6,
        audio.len(),
        corpus.audio_share() * 100.0,
        audio_bytes as f64 * 100.0 / bytes as f64,
        audio_bytes as f64 / audio.len() as f64
    );
}

fn main() {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: a debug build; run `cargo run --release -p realtime-bench --bin decode_bench`"
        );
    }
    let started = Instant::now();
    let sessions = SpecSessions::load().unwrap_or_else(|e| panic!("{e}"));
    let ga_corpus = Corpus::standard(Surface::Ga, &sessions);
    let beta_corpus = Corpus::standard(Surface::Beta, &sessions);
    assert_from_frame_decodes::<ga::ServerEvent>(&ga_corpus);
    assert_from_frame_decodes::<beta::ServerEvent>(&beta_corpus);
    for frame in &ga_corpus.frames {
        let event = serde_json::from_str::<derived::GaServerEvent>(&frame.text);
        assert!(
            matches!(event, Ok(ref e) if !matches!(e, derived::GaServerEvent::Unknown)),
            "the derived baseline decodes every GA frame as a known event"
        );
    }
    for frame in &beta_corpus.frames {
        let event = serde_json::from_str::<derived::BetaServerEvent>(&frame.text);
        assert!(
            matches!(event, Ok(ref e) if !matches!(e, derived::BetaServerEvent::Unknown)),
            "the derived baseline decodes every beta frame as a known event"
        );
    }
    println!("# realtime-types decode and encode benchmark\n");
    println!("Median of {RUNS} runs after a warm-up; cases take turns within each run.");
    println!("Allocator: {ALLOCATOR}.");
    println!(
        "Corpus (seed {:#x}):\n",
        realtime_bench::corpus::DEFAULT_SEED
    );
    summary(&ga_corpus);
    summary(&beta_corpus);

    decode_tables::<ga::ServerEvent, derived::GaServerEvent>(&ga_corpus, |frame| {
        black_box(&ga::ServerEventRef::from_frame(frame));
    });
    pcm_table(&ga_corpus);
    append_table();
    decode_tables::<beta::ServerEvent, derived::BetaServerEvent>(&beta_corpus, |frame| {
        black_box(&beta::ServerEventRef::from_frame(frame));
    });
    println!("\n(total {:.1} s)", started.elapsed().as_secs_f64());
}
