//! `cargo run -p realtime-demo [-- ANSWER.wav]`: a short scripted
//! conversation. Per turn it prints the server events as they arrive (the
//! deltas summed up rather than one line each), the answer as one line, and
//! how long the first audio (and text) took after `response.create` was
//! sent; at the end it saves the answers' audio (24 kHz PCM16 WAV) and says
//! where.
//!
//! The WAV file is `ANSWER.wav` when given (a relative path is taken from
//! the current directory), else `realtime-demo-answer.wav` in the system's
//! temporary directory, so that the demo runs from any directory.
//!
//! It talks to the embedded mock server (offline) unless `OPENAI_API_KEY`
//! (OpenAI) or `REALTIME_BASE_URL` (any Realtime server) is set.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use realtime_client::prelude::*;
use realtime_demo::{
    Upstream, absolute, default_output_path, describe, model, say, update_session, write_file,
};
use realtime_media::WavAudio;
use realtime_mock::Pacing;
use realtime_types::audio::decode_pcm16;
use realtime_types::ga::{PcmAudioFormat, ServerEvent, Session};

const QUESTIONS: [&str; 2] = ["Hello! Who are you?", "Say something about the weather."];

/// The rate of the session's output audio, and of the saved file.
const RATE: u32 = 24_000;

#[tokio::main]
async fn main() -> ExitCode {
    let answer_path = std::env::args_os().nth(1).map_or_else(
        || default_output_path("realtime-demo-answer.wav"),
        PathBuf::from,
    );
    realtime_demo::exit_code(run(answer_path).await)
}

async fn run(answer_path: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let upstream = Upstream::from_env(Pacing::RealTime).await?;
    if upstream.mock.is_some() {
        println!(
            "no OPENAI_API_KEY or REALTIME_BASE_URL: talking to {}",
            upstream.describe()
        );
    } else {
        println!("talking to {}", upstream.describe());
    }
    let mut client = upstream.builder().model(model()).connect().await?;
    wait_for_session(&mut client, "session.created").await?;
    let session = Session::default()
        .with_instructions("Answer in one short sentence.")
        .edit_audio(|audio| {
            audio.edit_output(|output| {
                output.with_format(PcmAudioFormat::default().with_rate(i64::from(RATE)))
            })
        });
    update_session(&client, session).await?;
    wait_for_session(&mut client, "session.updated").await?;

    let mut audio = Vec::new();
    for question in QUESTIONS {
        println!("\n> {question}");
        say(&client, question).await?;
        client.response_create().await?;
        let turn = Turn::record(&mut client, Instant::now(), &mut audio).await?;
        turn.print();
    }
    client.close(1000, "demo finished").await?;

    write_file(&answer_path, &WavAudio::pcm16_file(RATE, &audio))?;
    println!(
        "\nsaved {} ms of answer audio (24 kHz PCM16 WAV) to {}",
        audio.len() as u64 * 1000 / u64::from(RATE),
        absolute(&answer_path).display()
    );
    Ok(())
}

/// What one response was: its text, and when its first audio and text came.
struct Turn {
    /// The text deltas, or else the audio transcript deltas, joined.
    answer: String,
    /// From `response.create` sent to the first `response.output_audio.delta`.
    first_audio: Option<Duration>,
    /// From `response.create` sent to the first text or transcript delta.
    first_text: Option<Duration>,
    /// The samples of this response's audio.
    samples: usize,
}

impl Turn {
    /// Reads events until `response.done`, printing those that are not
    /// deltas, and appends the response's audio to `audio`.
    async fn record(
        client: &mut RealtimeClient,
        sent: Instant,
        audio: &mut Vec<i16>,
    ) -> Result<Turn, Box<dyn std::error::Error>> {
        let before = audio.len();
        let mut text = String::new();
        let mut transcript = String::new();
        let mut first_audio = None;
        let mut first_text = None;
        while let Some(event) = client.next_event().await {
            let event = event?;
            match &event {
                ServerEvent::ResponseOutputAudioDelta(delta) => {
                    first_audio.get_or_insert_with(|| sent.elapsed());
                    decode_pcm16(&delta.delta, audio)?;
                }
                ServerEvent::ResponseOutputTextDelta(delta) => {
                    first_text.get_or_insert_with(|| sent.elapsed());
                    text.push_str(&delta.delta);
                }
                ServerEvent::ResponseOutputAudioTranscriptDelta(delta) => {
                    first_text.get_or_insert_with(|| sent.elapsed());
                    transcript.push_str(&delta.delta);
                }
                ServerEvent::Error(error) => {
                    println!("  {}", describe(&event));
                    eprintln!("  (server error: {})", error.error.message);
                }
                ServerEvent::ResponseDone(_) => {
                    println!("  {}", describe(&event));
                    let answer = if text.is_empty() { transcript } else { text };
                    return Ok(Turn {
                        answer,
                        first_audio,
                        first_text,
                        samples: audio.len() - before,
                    });
                }
                _ => println!("  {}", describe(&event)),
            }
        }
        Err(realtime_client::Error::SessionClosed.into())
    }

    /// The answer on one line, then the times to first audio and text.
    fn print(&self) {
        println!("  answer: {}", self.answer.replace('\n', " "));
        let first_audio = match self.first_audio {
            Some(after) => format!(
                "{} ms ({} ms of audio)",
                after.as_millis(),
                self.samples as u64 * 1000 / u64::from(RATE)
            ),
            None => "none (no audio)".to_string(),
        };
        match self.first_text {
            Some(after) => println!(
                "  time to first audio: {first_audio}, to first text: {} ms",
                after.as_millis()
            ),
            None => println!("  time to first audio: {first_audio}"),
        }
    }
}

/// Prints events until one of type `last` arrived.
async fn wait_for_session(client: &mut RealtimeClient, last: &str) -> realtime_client::Result<()> {
    while let Some(event) = client.next_event().await {
        let event = event?;
        println!("  {}", describe(&event));
        if let ServerEvent::Error(error) = &event {
            eprintln!("  (server error: {})", error.error.message);
        }
        if event.event_type() == last {
            return Ok(());
        }
    }
    Err(realtime_client::Error::SessionClosed)
}
