//! The bridge: one Twilio Media Stream to one Realtime session.

use futures_util::{SinkExt, StreamExt};
use realtime_client::types::ga::{self, ClientEventMethods as _, ServerEvent};
use realtime_client::{Ga, RealtimeClient};
use realtime_codec::AudioFormat;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tracing::debug;

use super::messages::{self, Inbound, TwilioError};
use crate::barge_in::Interruption;
use crate::error::MediaError;
use crate::frame::AudioFrame;
use crate::input::{InputOptions, Pacing, stream_into_session};
use crate::session::{MediaConfig, MediaEvent, MediaSession};
use crate::sink::{SinkItem, sink_channel};
use crate::source::frame_channel;

/// What the session's audio is, on the model's side of the bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionAudio {
    /// μ-law both ways (`audio/pcmu`): the call's audio goes through
    /// untouched, nothing is resampled (the bridge sets the session's
    /// formats).
    #[default]
    Ulaw,
    /// The session's PCM16 at 24 kHz: the call's audio is resampled both
    /// ways (the session's formats are left as they are).
    Pcm16,
}

/// How the bridge runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BridgeOptions {
    /// The session's audio.
    pub session_audio: SessionAudio,
    /// Playout and barge-in (its output format is set from `session_audio`).
    pub media: MediaConfig,
}

impl BridgeOptions {
    /// Sets [`BridgeOptions::session_audio`].
    pub fn with_session_audio(mut self, audio: SessionAudio) -> Self {
        self.session_audio = audio;
        self
    }

    /// Sets [`BridgeOptions::media`].
    pub fn with_media(mut self, media: MediaConfig) -> Self {
        self.media = media;
        self
    }
}

/// What happened on a bridged call.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BridgeReport {
    /// The stream's `streamSid`.
    pub stream_sid: String,
    /// Caller audio received, in μ-law bytes (8 a millisecond).
    pub caller_bytes: u64,
    /// Model audio sent to Twilio, in μ-law bytes.
    pub model_bytes: u64,
    /// `clear` messages sent.
    pub clears: u64,
    /// Every barge-in.
    pub interruptions: Vec<Interruption>,
    /// The `audio_end_ms` of every `conversation.item.truncated` the server confirmed.
    pub truncated_ms: Vec<i64>,
    /// Errors that did not end the call (undecodable frames, server errors'
    /// codes), in order.
    pub errors: Vec<String>,
}

/// Bridges a Twilio Media Stream (`socket`, already upgraded) to `client`'s
/// session until Twilio stops the stream or the session ends: caller audio
/// into the session's input buffer (server VAD turns it into turns), the
/// model's audio back as `media` messages paced in real time, and on
/// barge-in a `clear` so that Twilio drops what it has buffered.
///
/// # Errors
///
/// [`MediaError::Twilio`] for a stream that is not μ-law mono at 8 kHz or
/// a message that cannot be read; [`MediaError::Peer`] when Twilio's
/// WebSocket fails; [`MediaError::Session`] when the session cannot be set up.
///
/// # Cancel safety
///
/// Not cancel-safe: dropping the future drops the call's audio in flight
/// and closes the session.
pub async fn bridge<S>(
    socket: WebSocketStream<S>,
    client: RealtimeClient<Ga>,
    options: BridgeOptions,
) -> Result<BridgeReport, MediaError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut to_twilio, mut from_twilio) = socket.split();
    let start = loop {
        let Some(text) = next_text(&mut from_twilio).await? else {
            return Ok(BridgeReport::default());
        };
        match Inbound::parse(&text)? {
            Inbound::Start { start } => break start,
            Inbound::Media { .. } => return Err(TwilioError::BeforeStart.into()),
            Inbound::Stop => return Ok(BridgeReport::default()),
            _ => {}
        }
    };
    start.media_format.check()?;
    let stream_sid = start.stream_sid;
    let session_format = match options.session_audio {
        SessionAudio::Ulaw => {
            let ulaw = ga::AudioFormat::from(ga::PcmuAudioFormat::audio_pcmu());
            let session = ga::Session::default().edit_audio(|audio| {
                audio
                    .edit_input(|input| input.with_format(ulaw.clone()))
                    .edit_output(|output| output.with_format(ulaw.clone()))
            });
            client.session_update(session).await?;
            AudioFormat::G711Ulaw
        }
        SessionAudio::Pcm16 => AudioFormat::PCM16_24K,
    };
    let config = options.media.with_output_format(session_format);
    let mut media = MediaSession::start(client, config)?;
    let (sink, mut model_audio) = sink_channel(AudioFormat::G711Ulaw, 8);
    media.send_media_to("twilio", sink).await?;
    let (caller_audio, source) = frame_channel(16);
    let sender = media.sender();
    // Twilio delivers in real time already: sent as it comes.
    let input = InputOptions::default()
        .with_session_format(session_format)
        .with_pacing(Pacing::AsFastAsAllowed);
    let pump = tokio::spawn(async move { stream_into_session(&sender, source, input).await });

    let mut report = BridgeReport {
        stream_sid: stream_sid.clone(),
        ..BridgeReport::default()
    };
    let ended: Result<(), MediaError> = loop {
        tokio::select! {
            text = next_text(&mut from_twilio) => match text {
                Ok(Some(text)) => match Inbound::parse(&text) {
                    Ok(Inbound::Media { media: audio }) => {
                        let ulaw = match audio.ulaw() {
                            Ok(ulaw) => ulaw,
                            Err(error) => break Err(error.into()),
                        };
                        report.caller_bytes += ulaw.len() as u64;
                        // Waits while the session is behind: Twilio's
                        // socket is then read no faster than it sends.
                        if caller_audio.send(AudioFrame::new(AudioFormat::G711Ulaw, ulaw)).await.is_err() {
                            break Ok(());
                        }
                    }
                    Ok(Inbound::Stop) => break Ok(()),
                    Ok(_) => {}
                    Err(error) => break Err(error.into()),
                },
                Ok(None) => break Ok(()),
                Err(error) => break Err(error),
            },
            item = model_audio.recv() => {
                let message = match item {
                    Some(SinkItem::Audio(frame)) => {
                        report.model_bytes += frame.bytes.len() as u64;
                        messages::media_message(&stream_sid, &frame.bytes)
                    }
                    Some(SinkItem::Clear) => {
                        report.clears += 1;
                        messages::clear_message(&stream_sid)
                    }
                    None => break Ok(()),
                };
                if let Err(error) = to_twilio.send(Message::text(message)).await {
                    break Err(MediaError::Peer(Box::new(error)));
                }
            }
            event = media.next_event() => match event {
                Some(MediaEvent::Interrupted(interruption)) => report.interruptions.push(interruption),
                Some(MediaEvent::Server(ServerEvent::ConversationItemTruncated(truncated))) => {
                    report.truncated_ms.push(truncated.audio_end_ms);
                }
                Some(MediaEvent::Server(ServerEvent::Error(error))) => {
                    report.errors.push(format!("server error {}", error.error.r#type));
                }
                Some(MediaEvent::Error(error)) => report.errors.push(error.to_string()),
                Some(_) => {}
                None => break Ok(()),
            },
        }
    };
    debug!(stream_sid = %report.stream_sid, "the bridged call ended");
    drop(caller_audio);
    pump.abort();
    let _ = media.sender().close(1000, "call ended").await;
    let _ = to_twilio.close().await;
    ended.map(|()| report)
}

/// The next text message from Twilio; `None` once it closed.
async fn next_text<R>(from_twilio: &mut R) -> Result<Option<String>, MediaError>
where
    R: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match from_twilio.next().await {
            Some(Ok(Message::Text(text))) => return Ok(Some(text.as_str().to_owned())),
            Some(Ok(Message::Close(_))) | None => return Ok(None),
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(MediaError::Peer(Box::new(error))),
        }
    }
}
