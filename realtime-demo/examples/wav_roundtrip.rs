//! Streams a WAV file as input audio (in real time, 20 ms at a time) and
//! writes the response audio, as it was played, to another WAV file.
//!
//! `cargo run -p realtime-demo --example wav_roundtrip -- [INPUT.wav] [OUTPUT.wav]`
//!
//! The input may be mono PCM16 at any rate from 8 to 192 kHz, or G.711
//! μ-law / A-law at 8 kHz (it is resampled to the session's 24 kHz).
//! Relative paths are taken from the current directory. Without an input, a
//! 1 s test tone is written to `wav_roundtrip_input.wav` in the system's
//! temporary directory first; the output (24 kHz PCM16) defaults to
//! `wav_roundtrip_output.wav` there, so that the example runs from any
//! directory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use realtime_client::prelude::*;
use realtime_demo::{
    Connected, absolute, connect, default_output_path, describe, read_wav, update_session,
    write_file,
};
use realtime_media::{
    AudioFormat, InputOptions, MediaConfig, MediaEvent, MediaSession, SinkItem, WavAudio,
    sink_channel,
};
use realtime_mock::Pacing;
use realtime_types::ga::Session;

const RATE: u32 = 24_000;

#[tokio::main]
async fn main() -> ExitCode {
    realtime_demo::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let input = match args.next() {
        Some(path) => path,
        None => {
            let path = default_output_path("wav_roundtrip_input.wav");
            write_file(&path, &WavAudio::pcm16_file(RATE, &tone(1_000)))?;
            println!("wrote a 1 s test tone to {}", path.display());
            path
        }
    };
    let output = args
        .next()
        .unwrap_or_else(|| default_output_path("wav_roundtrip_output.wav"));
    let source = read_wav(&input)?;

    let Connected {
        client,
        mock: _mock,
    } = connect(Pacing::RealTime).await?;
    // We commit ourselves: turn server VAD off.
    let session = Session::default()
        .edit_audio(|audio| audio.edit_input(|input| input.with_turn_detection_null()));
    update_session(&client, session).await?;
    // The answer has ended after 300 ms without audio.
    let config = MediaConfig::default().with_silence_timeout(Duration::from_millis(300));
    let mut media = MediaSession::start(client, config)?;
    let (sink, mut played) = sink_channel(AudioFormat::PCM16_24K, 50);
    media.send_media_to("file", sink).await?;
    let recorder = tokio::spawn(async move {
        let mut answer = Vec::new();
        while let Some(item) = played.recv().await {
            if let SinkItem::Audio(frame) = item {
                frame.decode_into(&mut answer)?;
            }
        }
        Ok::<_, realtime_media::MediaError>(answer)
    });

    let sent = media.stream_from(source, InputOptions::default()).await?;
    println!(
        "sent {} ms of audio in {} appends",
        sent.duration_ms, sent.appends
    );
    let sender = media.sender();
    sender.input_audio_buffer_commit().await?;
    sender.response_create().await?;
    while let Some(event) = media.next_event().await {
        match event {
            MediaEvent::Server(event) => println!("{}", describe(&event)),
            MediaEvent::MediaStarted { tag } => println!("playing to {tag}"),
            MediaEvent::MediaEnded { .. } => break,
            MediaEvent::Error(error) => return Err(error.into()),
            _ => {}
        }
    }
    sender.close(1000, "done").await?;
    // Ends the playout, and with it the sink's channel.
    drop(media);
    let answer = recorder.await??;
    write_file(&output, &WavAudio::pcm16_file(RATE, &answer))?;
    println!(
        "wrote {} ms of response audio to {}",
        answer.len() as u64 * 1000 / u64::from(RATE),
        absolute(&output).display()
    );
    Ok(())
}

fn tone(duration_ms: u32) -> Vec<i16> {
    let count = (RATE * duration_ms / 1000) as usize;
    (0..count)
        .map(|i| {
            ((i as f32 * 2.0 * std::f32::consts::PI * 300.0 / RATE as f32).sin() * 0.3 * 32767.0)
                as i16
        })
        .collect()
}
