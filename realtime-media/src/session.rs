//! [`MediaSession`]: a Realtime session with its audio output played to
//! sinks in real time, and barge-in.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use base64::Engine as _;
use realtime_client::types::ga::ClientEventMethods as _;
use realtime_client::types::ga::{self, ServerEvent, ServerEventRef};
use realtime_client::{Ga, RawText, RealtimeClient, RealtimeReceiver, RealtimeSender};
use realtime_codec::AudioFormat;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, MissedTickBehavior};
use tracing::warn;

use crate::barge_in::{BargeInCause, BargeInPolicy, CancelPolicy, Interruption};
use crate::error::MediaError;
use crate::input::{InputOptions, InputReport, stream_into_session};
use crate::output::{SinkPort, Transition};
use crate::playout::Playout;
use crate::sink::MediaSink;
use crate::source::MediaSource;

/// Duration of a playout frame.
pub const FRAME_MS: u32 = 20;

/// Events waiting for the application beyond which the session stops
/// reading the server (TCP backpressure) until the application catches up.
const OUTBOX_LIMIT: usize = 64;

/// How a [`MediaSession`] plays and barges in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaConfig {
    /// The session's output format (`audio.output.format`), 24 kHz PCM16 by default.
    pub output_format: AudioFormat,
    /// Silence after which a sink's media has ended (1 s by default).
    pub silence_timeout: Duration,
    /// What a barge-in does.
    pub barge_in: BargeInPolicy,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            output_format: AudioFormat::PCM16_24K,
            silence_timeout: Duration::from_secs(1),
            barge_in: BargeInPolicy::default(),
        }
    }
}

impl MediaConfig {
    /// Sets [`MediaConfig::output_format`].
    pub fn with_output_format(mut self, format: AudioFormat) -> Self {
        self.output_format = format;
        self
    }

    /// Sets [`MediaConfig::silence_timeout`].
    pub fn with_silence_timeout(mut self, silence: Duration) -> Self {
        self.silence_timeout = silence;
        self
    }

    /// Sets [`MediaConfig::barge_in`].
    pub fn with_barge_in(mut self, policy: BargeInPolicy) -> Self {
        self.barge_in = policy;
        self
    }
}

/// What a [`MediaSession`] tells the application, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum MediaEvent {
    /// A server event; every one but the audio deltas, which the session plays.
    Server(ServerEvent),
    /// The sink with this tag started playing audio.
    MediaStarted {
        /// The sink's tag.
        tag: String,
    },
    /// The sink with this tag has played nothing for the silence timeout.
    MediaEnded {
        /// The sink's tag.
        tag: String,
    },
    /// A barge-in happened.
    Interrupted(Interruption),
    /// A sink failed and was taken out of the output.
    SinkRemoved {
        /// The sink's tag.
        tag: String,
        /// Why ([`MediaError::Sink`]).
        error: MediaError,
    },
    /// Something went wrong that did not end the session (an undecodable
    /// frame or delta), or, last, what ended it.
    Error(MediaError),
}

enum Command {
    AddSink {
        tag: String,
        sink: Box<dyn MediaSink>,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    RemoveSink {
        tag: String,
        reply: oneshot::Sender<bool>,
    },
    Clear {
        reply: oneshot::Sender<Interruption>,
    },
}

/// A GA Realtime session whose output audio a task plays to sinks in real
/// time (`send_media_to` / `stop_media_to`), with barge-in on the user's
/// speech or on [`clear_media_buffer`](Self::clear_media_buffer); input
/// audio goes in with [`stream_from`](Self::stream_from).
///
/// The task reads every server event: audio deltas are played, everything
/// else comes out of [`next_event`](Self::next_event) with the
/// notifications. Read the events continually: while 64 wait, the task
/// stops reading the server, and the model's audio stops with it.
/// Dropping the `MediaSession` stops the task and closes the session.
#[derive(Debug)]
pub struct MediaSession {
    sender: RealtimeSender<Ga>,
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<MediaEvent>,
}

impl MediaSession {
    /// Takes over `client` and starts playing (on the current Tokio runtime).
    ///
    /// # Errors
    ///
    /// [`MediaError::UnsupportedRate`] for an output format the resampler
    /// does not take.
    pub fn start(client: RealtimeClient<Ga>, config: MediaConfig) -> Result<Self, MediaError> {
        let rate = crate::resample::check_rate(config.output_format.sample_rate())?;
        let (sender, receiver) = client.split();
        let (commands_tx, commands_rx) = mpsc::channel(16);
        let (events_tx, events_rx) = mpsc::channel(OUTBOX_LIMIT);
        let driver = Driver {
            sender: sender.clone(),
            config,
            playout: Playout::new(rate, FRAME_MS),
            ports: Vec::new(),
            outbox: VecDeque::new(),
            active_response: None,
            ignored: HashSet::new(),
            server_interrupts: true,
            decoded: Vec::new(),
            flushed: true,
        };
        tokio::spawn(driver.run(receiver, commands_rx, events_tx));
        Ok(MediaSession {
            sender,
            commands: commands_tx,
            events: events_rx,
        })
    }

    /// The session's sender, for every other client event.
    pub fn sender(&self) -> RealtimeSender<Ga> {
        self.sender.clone()
    }

    /// Plays the model's audio to `sink` too, under `tag` (a sink with the
    /// same tag is replaced).
    ///
    /// # Errors
    ///
    /// [`MediaError::UnsupportedRate`] for a sink format the resampler
    /// does not take; [`MediaError::Stopped`] once the session is over.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropped before it completes, the sink may or may not
    /// have been added (`stop_media_to` tells).
    pub async fn send_media_to(
        &self,
        tag: impl Into<String>,
        sink: impl MediaSink,
    ) -> Result<(), MediaError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::AddSink {
            tag: tag.into(),
            sink: Box::new(sink),
            reply,
        };
        self.command(command, answer).await?
    }

    /// Stops playing to the sink with `tag`; `false` when there was none.
    ///
    /// # Errors
    ///
    /// [`MediaError::Stopped`] once the session is over.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`send_media_to`](Self::send_media_to).
    pub async fn stop_media_to(&self, tag: &str) -> Result<bool, MediaError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::RemoveSink {
            tag: tag.to_string(),
            reply,
        };
        self.command(command, answer).await
    }

    /// Barges in now: drops the queued audio, clears every sink, cancels
    /// the response in progress (as the policy says; the server never does
    /// for this call), truncates the item being played at what was heard,
    /// and ignores the rest of the response's deltas. The same
    /// [`Interruption`] also comes out of [`next_event`](Self::next_event).
    ///
    /// # Errors
    ///
    /// [`MediaError::Stopped`] once the session is over.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe in that the barge-in happens whole or not at all; once
    /// sent, dropping the future only loses the answer.
    pub async fn clear_media_buffer(&self) -> Result<Interruption, MediaError> {
        let (reply, answer) = oneshot::channel();
        self.command(Command::Clear { reply }, answer).await
    }

    /// Streams `source` into the session's input audio buffer; see
    /// [`stream_into_session`].
    ///
    /// # Errors
    ///
    /// As [`stream_into_session`].
    ///
    /// # Cancel safety
    ///
    /// As [`stream_into_session`]: drop the future to stop streaming.
    pub async fn stream_from(
        &self,
        source: impl MediaSource,
        options: InputOptions,
    ) -> Result<InputReport, MediaError> {
        stream_into_session(&self.sender, source, options).await
    }

    /// The next event; `None` after the session has ended (the event
    /// before is the [`MediaEvent::Error`] that ended it, if any).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future loses no event.
    pub async fn next_event(&mut self) -> Option<MediaEvent> {
        self.events.recv().await
    }

    async fn command<T>(
        &self,
        command: Command,
        answer: oneshot::Receiver<T>,
    ) -> Result<T, MediaError> {
        self.commands
            .send(command)
            .await
            .map_err(|_| MediaError::Stopped)?;
        answer.await.map_err(|_| MediaError::Stopped)
    }
}

/// The task behind a [`MediaSession`].
struct Driver {
    sender: RealtimeSender<Ga>,
    config: MediaConfig,
    playout: Playout,
    ports: Vec<SinkPort>,
    outbox: VecDeque<MediaEvent>,
    /// The response being streamed, from `response.created` to `response.done`.
    active_response: Option<String>,
    /// Responses whose remaining deltas are dropped (interrupted).
    ignored: HashSet<String>,
    /// Whether the server cancels a response on `speech_started`.
    server_interrupts: bool,
    decoded: Vec<i16>,
    /// Whether the sinks' resamplers were flushed since the last audio.
    flushed: bool,
}

impl Driver {
    async fn run(
        mut self,
        mut receiver: RealtimeReceiver<Ga>,
        mut commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<MediaEvent>,
    ) {
        let mut tick = tokio::time::interval(Duration::from_millis(u64::from(FRAME_MS)));
        // Never faster than real time: a late tick shifts the schedule.
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut reading = true;
        loop {
            tokio::select! {
                biased;
                command = commands.recv() => match command {
                    Some(command) => self.command(command).await,
                    // The MediaSession was dropped.
                    None => return,
                },
                _ = tick.tick() => self.play(Instant::now()).await,
                permit = events.reserve(), if !self.outbox.is_empty() => match permit {
                    Ok(permit) => {
                        if let Some(event) = self.outbox.pop_front() {
                            permit.send(event);
                        }
                    }
                    Err(_) => return,
                },
                text = receiver.next_text(), if reading && self.outbox.len() < OUTBOX_LIMIT => {
                    match text {
                        Some(Ok(text)) => self.frame(&text).await,
                        Some(Err(error)) => self.outbox.push_back(MediaEvent::Error(error.into())),
                        None => reading = false,
                    }
                }
            }
            if !reading && self.outbox.is_empty() {
                // The session is over and everything was told.
                return;
            }
        }
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::AddSink { tag, sink, reply } => {
                let added = SinkPort::new(tag.clone(), sink, self.playout_rate()).map(|port| {
                    self.ports.retain(|port| port.tag != tag);
                    self.ports.push(port);
                });
                let _ = reply.send(added);
            }
            Command::RemoveSink { tag, reply } => {
                let before = self.ports.len();
                self.ports.retain(|port| port.tag != tag);
                let _ = reply.send(self.ports.len() != before);
            }
            Command::Clear { reply } => {
                let interruption = self.barge_in(BargeInCause::Explicit).await;
                self.outbox
                    .push_back(MediaEvent::Interrupted(interruption.clone()));
                let _ = reply.send(interruption);
            }
        }
    }

    fn playout_rate(&self) -> u32 {
        self.config.output_format.sample_rate()
    }

    /// One tick of the playout clock: a frame to every sink, and the
    /// notifications.
    async fn play(&mut self, now: Instant) {
        let frame = self.playout.next_frame();
        let drained = self.playout.is_empty();
        let samples = frame.as_ref().map_or(&[][..], |frame| &frame.samples[..]);
        // Whatever the sinks' resamplers hold goes out once the audio ran dry.
        let flush = drained && !self.flushed;
        if !samples.is_empty() || flush {
            self.flushed = drained;
            let mut failed = Vec::new();
            for (index, port) in self.ports.iter_mut().enumerate() {
                match port.play(samples, flush, now).await {
                    Ok(Some(Transition::Started)) => {
                        self.outbox.push_back(MediaEvent::MediaStarted {
                            tag: port.tag.clone(),
                        })
                    }
                    Ok(_) => {}
                    Err(source) => failed.push((index, source)),
                }
            }
            self.remove_failed(failed);
        }
        for port in &mut self.ports {
            if port.check_silence(now, self.config.silence_timeout) == Some(Transition::Ended) {
                self.outbox.push_back(MediaEvent::MediaEnded {
                    tag: port.tag.clone(),
                });
            }
        }
    }

    fn remove_failed(&mut self, failed: Vec<(usize, crate::error::BoxError)>) {
        for (index, source) in failed.into_iter().rev() {
            let port = self.ports.remove(index);
            warn!(tag = %port.tag, "a media sink failed; it was removed");
            self.outbox.push_back(MediaEvent::SinkRemoved {
                tag: port.tag.clone(),
                error: MediaError::Sink {
                    tag: port.tag,
                    source,
                },
            });
        }
    }

    /// One server frame.
    async fn frame(&mut self, text: &RawText) {
        match ServerEventRef::from_frame(text) {
            Ok(ServerEventRef::ResponseOutputAudioDelta(delta)) => {
                if self.ignored.contains(delta.response_id.as_ref()) {
                    return;
                }
                self.decoded.clear();
                match decode_delta(&delta.delta, self.config.output_format, &mut self.decoded) {
                    Ok(()) => {
                        self.playout
                            .push(&delta.item_id, delta.content_index, &self.decoded);
                        self.flushed = false;
                    }
                    Err(source) => self.outbox.push_back(MediaEvent::Error(MediaError::Delta {
                        response_id: delta.response_id.to_string(),
                        source,
                    })),
                }
            }
            Ok(event) => {
                let event = event.into_owned();
                self.observe(&event).await;
                self.outbox.push_back(MediaEvent::Server(event));
            }
            Err(error) => {
                warn!(bytes = text.len(), "an undecodable server frame");
                self.outbox
                    .push_back(MediaEvent::Error(MediaError::UndecodableFrame {
                        bytes: text.len(),
                        line: error.line(),
                        column: error.column(),
                    }));
            }
        }
    }

    /// What the session learns from a server event.
    async fn observe(&mut self, event: &ServerEvent) {
        match event {
            ServerEvent::ResponseCreated(created) => {
                self.active_response = created.response.id.clone();
            }
            ServerEvent::ResponseDone(done) => {
                if let Some(id) = &done.response.id {
                    self.ignored.remove(id);
                    if self.active_response.as_ref() == Some(id) {
                        self.active_response = None;
                    }
                }
            }
            ServerEvent::ResponseOutputAudioDone(done) => self.playout.complete(&done.item_id),
            // Speech while the model is silent (nothing queued, no
            // response streaming) interrupts nothing.
            ServerEvent::InputAudioBufferSpeechStarted(started)
                if self.config.barge_in.on_speech_started
                    && (!self.playout.is_empty() || self.active_response.is_some()) =>
            {
                let cause = BargeInCause::SpeechStarted {
                    item_id: started.item_id.clone(),
                };
                let interruption = self.barge_in(cause).await;
                self.outbox.push_back(MediaEvent::Interrupted(interruption));
            }
            ServerEvent::SessionCreated(_) | ServerEvent::SessionUpdated(_) => {
                self.server_interrupts = server_interrupts(event);
            }
            _ => {}
        }
    }

    /// Drops the queued audio, clears the sinks, cancels and truncates as
    /// the policy says.
    async fn barge_in(&mut self, cause: BargeInCause) -> Interruption {
        let dropped_samples = self.playout.queued_samples();
        let truncations = self.playout.clear();
        let mut failed = Vec::new();
        for (index, port) in self.ports.iter_mut().enumerate() {
            if let Err(source) = port.clear().await {
                failed.push((index, source));
            }
        }
        self.remove_failed(failed);
        let policy = self.config.barge_in;
        let interrupted_response = self.active_response.clone();
        let server_cancels =
            matches!(cause, BargeInCause::SpeechStarted { .. }) && self.server_interrupts;
        let cancel = match policy.cancel {
            CancelPolicy::IfServerDoesNot => !server_cancels,
            CancelPolicy::Always => true,
            CancelPolicy::Never => false,
        };
        let mut cancel_sent = false;
        if let Some(id) = &interrupted_response {
            self.ignored.insert(id.clone());
            if cancel {
                let event = ga::client::ResponseCancel::default().with_response_id(id.clone());
                cancel_sent = self.send_or_report(self.sender.send(event).await);
            }
        }
        if policy.truncate {
            for cut in &truncations {
                let end = i64::try_from(cut.audio_end_ms).unwrap_or(i64::MAX);
                let sent = self
                    .sender
                    .conversation_item_truncate(cut.item_id.clone(), cut.content_index, end)
                    .await;
                self.send_or_report(sent);
            }
        }
        Interruption {
            cause,
            dropped_samples,
            truncations,
            interrupted_response,
            cancel_sent,
        }
    }

    fn send_or_report(&mut self, sent: realtime_client::Result<()>) -> bool {
        match sent {
            Ok(()) => true,
            Err(error) => {
                self.outbox.push_back(MediaEvent::Error(error.into()));
                false
            }
        }
    }
}

/// Whether the session of a `session.created` / `session.updated` has the
/// server cancel responses when the user speaks: turn detection on, and
/// its `interrupt_response` not off (the API's default is on).
fn server_interrupts(event: &ServerEvent) -> bool {
    let Ok(value) = serde_json::to_value(event) else {
        return true;
    };
    match value.pointer("/session/audio/input/turn_detection") {
        Some(detection) if detection.is_object() => detection
            .get("interrupt_response")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true),
        _ => false,
    }
}

/// Decodes a delta's base64 in `format` into `out`.
fn decode_delta(
    base64: &str,
    format: AudioFormat,
    out: &mut Vec<i16>,
) -> Result<(), realtime_types::audio::AudioDecodeError> {
    use realtime_types::audio::AudioDecodeError;
    if let AudioFormat::Pcm16 { .. } = format {
        return realtime_types::audio::decode_pcm16(base64, out);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|error| match error {
            base64::DecodeError::InvalidLength(length) => {
                AudioDecodeError::InvalidLength { length }
            }
            base64::DecodeError::InvalidByte(offset, _)
            | base64::DecodeError::InvalidLastSymbol { offset, .. } => {
                AudioDecodeError::InvalidBase64 { offset }
            }
            base64::DecodeError::InvalidPadding => AudioDecodeError::InvalidBase64 {
                offset: base64.find('=').unwrap_or(base64.len()),
            },
        })?;
    // G.711 bytes always decode.
    format
        .decode(&bytes, out)
        .map_err(|_| AudioDecodeError::OddByteCount { bytes: bytes.len() })
}
