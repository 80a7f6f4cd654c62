//! The media session end to end against the local mock server, paced in
//! real time as the service is: what a sink was given is what the
//! truncate says was heard, to the millisecond.

use std::time::Duration;

use futures_util::stream;
use realtime_client::RealtimeClient;
use realtime_client::prelude::*;
use realtime_client::types::ga::{ServerEvent, UserContent, UserMessage};
use realtime_media::{
    AudioFormat, AudioFrame, BargeInCause, InputOptions, Interruption, MediaConfig, MediaEvent,
    MediaSession, Pacing, SinkItem, StreamSource, sink_channel, stream_into_session,
};
use realtime_mock::{MockConfig, MockServer};
use tokio::sync::mpsc;
use tokio::time::timeout;

/// How long a test waits for anything before failing (not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(10);
const RATE: u32 = 24_000;

async fn media_session(mock: &MockServer, config: MediaConfig) -> MediaSession {
    let client = RealtimeClient::builder()
        .base_url(mock.base_url())
        .model("gpt-realtime")
        .connect()
        .await
        .expect("connects to the mock");
    MediaSession::start(client, config).expect("starts")
}

/// Asks for a spoken answer (the mock speaks 50 ms a character: about 2.5 s).
async fn ask(media: &MediaSession) {
    let sender = media.sender();
    let question = UserMessage::new([
        UserContent::input_text().with_text("Tell me a long story about the sea, please.")
    ]);
    sender
        .conversation_item_create(question)
        .await
        .expect("the question is sent");
    sender
        .response_create()
        .await
        .expect("the response is asked for");
}

/// Samples of audio the sink was given before it was cleared (waiting
/// for the clear), and whether the clear came.
async fn heard_until_clear(sink: &mut mpsc::Receiver<SinkItem>) -> usize {
    let mut samples = 0;
    loop {
        match timeout(PATIENCE, sink.recv())
            .await
            .expect("the sink is cleared in time")
        {
            Some(SinkItem::Audio(frame)) => samples += frame.samples(),
            Some(SinkItem::Clear) => return samples,
            None => panic!("the sink was dropped before it was cleared"),
        }
    }
}

/// Waits until the sink has been given at least `ms` of audio at `rate`.
async fn wait_for_audio(sink: &mut mpsc::Receiver<SinkItem>, rate: u32, ms: usize) -> usize {
    let mut samples = 0;
    while samples < rate as usize / 1000 * ms {
        match timeout(PATIENCE, sink.recv()).await.expect("audio plays") {
            Some(SinkItem::Audio(frame)) => samples += frame.samples(),
            other => panic!("unexpected {other:?}"),
        }
    }
    samples
}

/// 20 ms frames of a 0.3-amplitude 440 Hz tone at 24 kHz: speech to the mock's VAD.
fn speech(duration_ms: usize) -> Vec<AudioFrame> {
    let samples: Vec<i16> = (0..RATE as usize / 1000 * duration_ms)
        .map(|n| {
            let phase = std::f64::consts::TAU * 440.0 * n as f64 / f64::from(RATE);
            (0.3 * 32_767.0 * phase.sin()) as i16
        })
        .collect();
    samples
        .chunks(RATE as usize / 50)
        .map(|chunk| AudioFrame::pcm16(RATE, chunk))
        .collect()
}

/// Events until `done` says to stop, with the interruption seen on the way.
async fn events_until(
    media: &mut MediaSession,
    mut done: impl FnMut(&ServerEvent) -> bool,
) -> (Option<Interruption>, Vec<ServerEvent>) {
    let mut interruption = None;
    let mut events = Vec::new();
    loop {
        let event = timeout(PATIENCE, media.next_event())
            .await
            .expect("an event in time")
            .expect("the session goes on");
        match event {
            MediaEvent::Interrupted(cut) => interruption = Some(cut),
            MediaEvent::Server(event) => {
                let stop = done(&event);
                events.push(event);
                if stop {
                    return (interruption, events);
                }
            }
            MediaEvent::Error(error) => panic!("media error: {error}"),
            _ => {}
        }
    }
}

fn truncated_ms(events: &[ServerEvent]) -> Option<i64> {
    events.iter().find_map(|event| match event {
        ServerEvent::ConversationItemTruncated(truncated) => Some(truncated.audio_end_ms),
        _ => None,
    })
}

#[tokio::test]
async fn on_speech_started_the_truncate_says_exactly_what_the_sink_was_given() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let mut media = media_session(&mock, MediaConfig::default()).await;
    let (listener, mut heard) = sink_channel(AudioFormat::PCM16_24K, 64);
    media.send_media_to("listener", listener).await.unwrap();
    let (phone, mut phone_heard) = sink_channel(AudioFormat::G711Ulaw, 64);
    media.send_media_to("phone", phone).await.unwrap();
    ask(&media).await;
    wait_for_audio(&mut heard, RATE, 400).await;

    // The user talks over the model.
    let sender = media.sender();
    let talking = tokio::spawn(async move {
        let voice = StreamSource::new(stream::iter(speech(1_500)));
        stream_into_session(&sender, voice, InputOptions::default()).await
    });
    let (interruption, events) = events_until(&mut media, |event| {
        matches!(event, ServerEvent::ConversationItemTruncated(_))
    })
    .await;
    let interruption = interruption.expect("a barge-in before the truncate");
    let heard_samples = 400 * 24 + heard_until_clear(&mut heard).await;
    let heard_ms = (heard_samples * 1000 / RATE as usize) as i64;

    assert!(matches!(
        interruption.cause,
        BargeInCause::SpeechStarted { .. }
    ));
    assert_eq!(interruption.truncations.len(), 1);
    assert_eq!(interruption.truncations[0].audio_end_ms as i64, heard_ms);
    assert_eq!(truncated_ms(&events), Some(heard_ms), "the server's record");
    // The mock cancels by itself (`interrupt_response` is on by default).
    assert!(!interruption.cancel_sent);
    assert!(interruption.interrupted_response.is_some());
    // The phone got the same audio at 8 kHz, short of at most a
    // resampler chunk and its filter's delay.
    let phone_ms = (heard_until_clear(&mut phone_heard).await / 8) as i64;
    assert!(
        phone_ms <= heard_ms && heard_ms - phone_ms <= 30,
        "{phone_ms} vs {heard_ms}"
    );
    talking.abort();
}

#[tokio::test]
async fn deltas_of_the_interrupted_response_still_in_flight_are_not_played() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let mut media = media_session(&mock, MediaConfig::default()).await;
    let (listener, mut heard) = sink_channel(AudioFormat::PCM16_24K, 64);
    media.send_media_to("listener", listener).await.unwrap();
    ask(&media).await;
    wait_for_audio(&mut heard, RATE, 200).await;
    let sender = media.sender();
    let talking = tokio::spawn(async move {
        let voice = StreamSource::new(stream::iter(speech(2_000)));
        stream_into_session(&sender, voice, InputOptions::default()).await
    });
    // Until the cancelled response is over: every delta it still sent
    // arrived before its `response.done`.
    let (interruption, events) = events_until(&mut media, |event| {
        matches!(event, ServerEvent::ResponseDone(_))
    })
    .await;
    assert!(interruption.is_some());
    heard_until_clear(&mut heard).await;
    // Two more playout ticks, in case a frame were still on its way.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(heard.try_recv().is_err(), "audio played after the barge-in");
    let Some(ServerEvent::ResponseDone(done)) = events.last() else {
        unreachable!()
    };
    assert_eq!(
        done.response.status.as_ref().map(|s| format!("{s:?}")),
        Some("Cancelled".to_string())
    );
    talking.abort();
}

#[tokio::test]
async fn an_explicit_clear_cancels_the_response_and_truncates_at_what_was_heard() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let mut media = media_session(&mock, MediaConfig::default()).await;
    let (listener, mut heard) = sink_channel(AudioFormat::PCM16_24K, 64);
    media.send_media_to("listener", listener).await.unwrap();
    ask(&media).await;
    let before = wait_for_audio(&mut heard, RATE, 300).await;

    let interruption = media.clear_media_buffer().await.unwrap();
    let heard_ms = ((before + heard_until_clear(&mut heard).await) * 1000 / RATE as usize) as i64;
    assert_eq!(interruption.cause, BargeInCause::Explicit);
    assert!(
        interruption.cancel_sent,
        "the server does not cancel for an explicit clear"
    );
    assert_eq!(interruption.truncations[0].audio_end_ms as i64, heard_ms);
    let (_, events) = events_until(&mut media, |event| {
        matches!(event, ServerEvent::ConversationItemTruncated(_))
    })
    .await;
    assert_eq!(truncated_ms(&events), Some(heard_ms));
}

#[tokio::test]
async fn a_sink_hears_media_started_then_ended_after_the_silence_timeout() {
    let mock =
        MockServer::start(MockConfig::default().with_pacing(realtime_mock::Pacing::Immediate))
            .await
            .unwrap();
    let config = MediaConfig::default().with_silence_timeout(Duration::from_millis(200));
    let mut media = media_session(&mock, config).await;
    let (listener, mut heard) = sink_channel(AudioFormat::Pcm16 { rate: 16_000 }, 512);
    media.send_media_to("speaker", listener).await.unwrap();
    let sender = media.sender();
    let hello = UserMessage::new([UserContent::input_text().with_text("Hi")]);
    sender.conversation_item_create(hello).await.unwrap();
    sender.response_create().await.unwrap();
    let mut notifications = Vec::new();
    while notifications.len() < 2 {
        match timeout(PATIENCE, media.next_event())
            .await
            .unwrap()
            .unwrap()
        {
            MediaEvent::MediaStarted { tag } => notifications.push(format!("started {tag}")),
            MediaEvent::MediaEnded { tag } => notifications.push(format!("ended {tag}")),
            MediaEvent::Error(error) => panic!("{error}"),
            _ => {}
        }
    }
    assert_eq!(notifications, ["started speaker", "ended speaker"]);
    // "You said: Hi" is 12 characters: 600 ms of audio, all of it played,
    // at the sink's 16 kHz.
    let mut samples = 0;
    while let Ok(SinkItem::Audio(frame)) = heard.try_recv() {
        assert_eq!(frame.format, AudioFormat::Pcm16 { rate: 16_000 });
        samples += frame.samples();
    }
    assert_eq!(samples, 600 * 16);
}

#[tokio::test]
async fn a_file_is_streamed_as_20_ms_appends_at_the_session_rate() {
    let mock =
        MockServer::start(MockConfig::default().with_pacing(realtime_mock::Pacing::Immediate))
            .await
            .unwrap();
    let mut media = media_session(&mock, MediaConfig::default()).await;
    // 400 ms of silence, 500 ms of tone, 700 ms of silence, at 16 kHz.
    let rate = 16_000;
    let mut samples = vec![0i16; 400 * 16];
    samples.extend((0..500 * 16).map(|n| {
        let phase = std::f64::consts::TAU * 440.0 * n as f64 / f64::from(rate);
        (0.3 * 32_767.0 * phase.sin()) as i16
    }));
    samples.extend(vec![0i16; 700 * 16]);
    let file = realtime_media::WavAudio::pcm16_file(rate, &samples);
    let source =
        realtime_media::WavSource::from_audio(realtime_media::WavAudio::parse(&file).unwrap());
    let report = media
        .stream_from(
            source,
            InputOptions::default().with_pacing(Pacing::AsFastAsAllowed),
        )
        .await
        .unwrap();
    assert_eq!(report.duration_ms, 1_600);
    assert_eq!(report.appends, 80);
    assert_eq!(report.samples, 1_600 * 24);
    let (interruption, events) = events_until(&mut media, |event| {
        matches!(event, ServerEvent::InputAudioBufferSpeechStopped(_))
    })
    .await;
    assert_eq!(
        interruption, None,
        "speech while the model is silent interrupts nothing"
    );
    let (start, end) = events
        .iter()
        .fold((None, None), |(start, end), event| match event {
            ServerEvent::InputAudioBufferSpeechStarted(e) => (Some(e.audio_start_ms), end),
            ServerEvent::InputAudioBufferSpeechStopped(e) => (start, Some(e.audio_end_ms)),
            _ => (start, end),
        });
    // The mock's VAD works in 10 ms frames and reports 300 ms of prefix
    // padding before the tone and the 500 ms of silence that ended it
    // after; the resampler's filter delays the tone by under 10 ms.
    assert_eq!(start, Some(400 - 300));
    let end = end.unwrap();
    assert!(
        (900 + 500..=910 + 500).contains(&end),
        "speech stopped at {end} ms"
    );
}
