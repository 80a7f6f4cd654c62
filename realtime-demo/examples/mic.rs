//! Talk to the model with the default microphone and hear it on the default
//! speaker (cpal): the microphone streams into the session through
//! `realtime-media` (resampled to 24 kHz, cut into 20 ms appends), the
//! server's VAD ends each turn, the answer plays on the speaker, and talking
//! over it interrupts it (barge-in: the speaker's buffer is cleared and the
//! answer truncated where it was heard).
//!
//! `cargo run -p realtime-demo --features cpal --example mic`
//!
//! With `OPENAI_API_KEY` set it talks to OpenAI; without, to the embedded
//! mock (which answers speech with a tone). Ctrl-C ends it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use realtime_demo::{Connected, connect, describe};
use realtime_media::{
    AudioFormat, AudioFrame, InputOptions, MediaConfig, MediaEvent, MediaSession, Pacing, SinkItem,
    frame_channel, sink_channel, stream_into_session,
};

/// Frames of microphone audio that may wait for the session (about 2 s of
/// 10 ms callbacks); beyond that the newest are dropped and counted, as a
/// live microphone cannot wait.
const MIC_QUEUE: usize = 200;

/// The speaker's buffer: samples waiting to be played.
type Speaker = Arc<Mutex<VecDeque<i16>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = cpal::default_host();
    let microphone = host
        .default_input_device()
        .ok_or("no default input device (a microphone)")?;
    let speaker_device = host
        .default_output_device()
        .ok_or("no default output device (a speaker)")?;
    let input_config = microphone
        .default_input_config()
        .map_err(|error| format!("the microphone cannot be opened: {error}"))?;
    let output_config = speaker_device
        .default_output_config()
        .map_err(|error| format!("the speaker cannot be opened: {error}"))?;
    let mic_rate = input_config.sample_rate();
    let speaker_rate = output_config.sample_rate();
    let mic_channels = usize::from(input_config.channels());
    let speaker_channels = usize::from(output_config.channels());

    let Connected {
        client,
        mock: _mock,
    } = connect(realtime_mock::Pacing::RealTime).await?;
    let mut media = MediaSession::start(client, MediaConfig::default())?;

    // The microphone: mono PCM16 frames into a bounded channel.
    let (frames, source) = frame_channel(MIC_QUEUE);
    let dropped = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let dropped_in_callback = Arc::clone(&dropped);
    let input = microphone.build_input_stream(
        input_config.config(),
        move |data: &[f32], _: &cpal::InputCallbackInfo| {
            let mono = to_mono_pcm16(data, mic_channels);
            if frames.try_send(AudioFrame::pcm16(mic_rate, &mono)).is_err() {
                dropped_in_callback.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        },
        |error| eprintln!("microphone: {error}"),
        None,
    )?;
    input.play()?;
    let sender = media.sender();
    let pump = tokio::spawn(async move {
        // The microphone keeps real time itself: send as it comes.
        let options = InputOptions::default().with_pacing(Pacing::AsFastAsAllowed);
        stream_into_session(&sender, source, options).await
    });

    // The speaker: the session plays PCM16 at the speaker's rate into a
    // channel, and the output callback takes samples from a buffer.
    let speaker: Speaker = Arc::default();
    let (sink, mut played) = sink_channel(AudioFormat::Pcm16 { rate: speaker_rate }, 50);
    media.send_media_to("speaker", sink).await?;
    let filling = Arc::clone(&speaker);
    tokio::spawn(async move {
        let mut samples = Vec::new();
        while let Some(item) = played.recv().await {
            let mut buffer = filling
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match item {
                SinkItem::Audio(frame) => {
                    samples.clear();
                    if frame.decode_into(&mut samples).is_ok() {
                        buffer.extend(samples.iter().copied());
                    }
                }
                // Barge-in: what was not heard yet is not played.
                SinkItem::Clear => buffer.clear(),
            }
        }
    });
    let draining = Arc::clone(&speaker);
    let output = speaker_device.build_output_stream(
        output_config.config(),
        move |data: &mut [f32], _: &cpal::OutputCallbackInfo| {
            let mut buffer = draining
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for frame in data.chunks_mut(speaker_channels.max(1)) {
                let sample = buffer.pop_front().map_or(0.0, |s| f32::from(s) / 32768.0);
                frame.fill(sample);
            }
        },
        |error| eprintln!("speaker: {error}"),
        None,
    )?;
    output.play()?;

    println!("listening (Ctrl-C to stop)");
    loop {
        tokio::select! {
            event = media.next_event() => match event {
                Some(MediaEvent::Server(event)) => println!("{}", describe(&event)),
                Some(MediaEvent::Interrupted(cut)) => println!("barge-in: {:?}", cut.truncations),
                Some(MediaEvent::Error(error)) => eprintln!("{error}"),
                Some(_) => {}
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    pump.abort();
    let dropped = dropped.load(std::sync::atomic::Ordering::Relaxed);
    if dropped > 0 {
        println!("{dropped} microphone frames were dropped (the session fell behind)");
    }
    Ok(())
}

/// Interleaved float samples of `channels` channels as mono PCM16.
fn to_mono_pcm16(data: &[f32], channels: usize) -> Vec<i16> {
    data.chunks(channels.max(1))
        .map(|frame| {
            let mean = frame.iter().sum::<f32>() / frame.len() as f32;
            // Float-to-int `as` saturates.
            (mean * 32767.0) as i16
        })
        .collect()
}
