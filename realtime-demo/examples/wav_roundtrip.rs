//! Streams a WAV file as input audio (100 ms chunks, in real time) and
//! writes the response audio to another WAV file.
//!
//! `cargo run -p realtime-demo --example wav_roundtrip -- [INPUT.wav] [OUTPUT.wav]`
//!
//! The input must be 16-bit mono PCM at 24 kHz (the session's default
//! format). Without an input, a 1 s test tone is written to
//! `target/wav_roundtrip_input.wav` first. The output defaults to
//! `target/wav_roundtrip_output.wav`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use realtime_client::prelude::*;
use realtime_demo::{Connected, connect, describe, update_session};
use realtime_mock::Pacing;
use realtime_types::ga::{ServerEvent, Session};

const RATE: u32 = 24_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let input = match args.next() {
        Some(path) => path,
        None => {
            let path = "target/wav_roundtrip_input.wav".to_string();
            write_wav(&path, &tone(1_000))?;
            path
        }
    };
    let output = args
        .next()
        .unwrap_or_else(|| "target/wav_roundtrip_output.wav".into());
    let samples = read_wav(&input)?;

    let Connected {
        mut client,
        mock: _mock,
    } = connect(Pacing::RealTime).await?;
    // We commit ourselves: turn server VAD off.
    let session = Session::default()
        .edit_audio(|audio| audio.edit_input(|input| input.with_turn_detection_null()));
    update_session(&client, session).await?;
    for chunk in samples.chunks((RATE / 10) as usize) {
        client.input_audio_buffer_append_pcm16(chunk).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client.input_audio_buffer_commit().await?;
    client.response_create().await?;

    let mut answer: Vec<i16> = Vec::new();
    while let Some(event) = client.next_event().await {
        let event = event?;
        println!("{}", describe(&event));
        match event {
            ServerEvent::ResponseOutputAudioDelta(delta) => {
                let bytes = BASE64.decode(delta.delta.as_bytes())?;
                answer.extend(
                    bytes
                        .chunks_exact(2)
                        .map(|b| i16::from_le_bytes([b[0], b[1]])),
                );
            }
            ServerEvent::ResponseDone(_) => break,
            _ => {}
        }
    }
    write_wav(&output, &answer)?;
    println!(
        "wrote {} ms of response audio to {output}",
        answer.len() as u64 * 1000 / u64::from(RATE)
    );
    client.close(1000, "done").await?;
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

fn read_wav(path: &str) -> Result<Vec<i16>, Box<dyn std::error::Error>> {
    let mut reader = hound::WavReader::open(path)?;
    let spec = reader.spec();
    if spec.channels != 1
        || spec.bits_per_sample != 16
        || spec.sample_rate != RATE
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(format!(
            "{path}: need 16-bit mono PCM at {RATE} Hz, got {} channel(s), {} bits, {} Hz",
            spec.channels, spec.bits_per_sample, spec.sample_rate
        )
        .into());
    }
    Ok(reader.samples::<i16>().collect::<Result<_, _>>()?)
}

fn write_wav(path: &str, samples: &[i16]) -> Result<(), Box<dyn std::error::Error>> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec)?;
    for sample in samples {
        writer.write_sample(*sample)?;
    }
    writer.finalize()?;
    Ok(())
}
