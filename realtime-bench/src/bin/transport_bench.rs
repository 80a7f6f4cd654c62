//! Transport benchmark of `realtime-client` against raw tokio-tungstenite,
//! on loopback.
//!
//! ```sh
//! cargo run --release -p realtime-bench --bin transport_bench -- receive [--rounds 11]
//! cargo run --release -p realtime-bench --bin transport_bench -- send [--rounds 11] [--frames 20000]
//! cargo run --release -p realtime-bench --bin transport_bench -- pingpong [--rounds 5] [--round-trips 5000]
//! cargo run --release -p realtime-bench --bin transport_bench -- scale --peer light|raw|mock --sessions 100,500 [--seconds 10]
//! ```
//!
//! `receive`, `send` and `pingpong` measure ours against a baseline in the
//! same run: the clients take turns within each round (the order rotates),
//! after a warm-up round, and the figure to read is the ratio of each round,
//! reported as its median and range. Every client runs as a spawned task on
//! a current-thread runtime and on a 2-worker multi-thread runtime; the
//! server runs in a thread of its own. The raw baselines connect to the same
//! URL with the same `WebSocketConfig` limits as ours, and with Nagle's
//! algorithm off, as ours.
//!
//! Besides ours and the plain raw client, `receive` and `send` run raw
//! clients built the way ours is (a task of its own owns the socket and
//! hands frames over bounded channels of ours' capacities), which tells
//! what that design costs apart from ours' code, and one variant each of
//! what could lower it (texts copied out of tungstenite's read buffer
//! before they queue; one flush per burst instead of per frame).
//!
//! `scale` runs many sessions at once against a peer in a child process
//! (this binary again, with a hidden subcommand), and each session count in
//! a fresh client process (again this binary), so that the CPU time and
//! memory read from `/proc/self` are the client's alone and start clean
//! (memory freed by a previous count would otherwise be reused unseen).
//! Children get the hard open-files limit as their soft one (`ulimit -n`
//! in the shell that starts them); the client process checks it has enough.

use std::hint::black_box;
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use realtime_bench::corpus::{Corpus, SpecSessions, SplitMix64, Surface, synth_pcm16};
use realtime_bench::transport::args::Options;
use realtime_bench::transport::lateness::{Arrival, DeltaClock};
use realtime_bench::transport::loopback::{self, LoopbackServer, Receipt};
use realtime_bench::transport::peer::{self, CHUNK, CHUNK_SAMPLES};
use realtime_bench::transport::procfs;
use realtime_bench::transport::runtime::{ClientRuntime, run_task};
use realtime_bench::transport::stats::{LatencyHistogram, Spread, median, percentile};
use realtime_client::prelude::*;
use realtime_client::{ClientBuilder, DEFAULT_MAX_MESSAGE_BYTES, RawText};
use realtime_types::audio::append_event_json;
use realtime_types::ga::{self, ServerEvent, ServerEventRef};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;

const USAGE: &str = "\
usage: transport_bench COMMAND [OPTIONS]

  receive [--rounds N]             a loopback server sends the GA corpus (20,000 frames,
                                   64 MB); raw tokio-tungstenite vs RealtimeClient (default 11 rounds)
  send [--rounds N] [--frames N]   the client sends N appends of 20 ms of 24 kHz PCM16
                                   (default 11 rounds, 20,000 frames)
  pingpong [--rounds N] [--round-trips N]
                                   round-trip latency of input_audio_buffer.clear / .cleared
                                   (default 5 rounds, 5,000 round trips per client)
  scale --peer light|raw|mock --sessions N[,N...] [--seconds S]
                                   N sessions streaming audio both ways in real time against
                                   a peer in a child process (default 10 measured seconds)
  help                             this text";

// ---------------------------------------------------------------------------
// Our client: how every benchmark builds it, in one place.
// ---------------------------------------------------------------------------

/// How every benchmark configures our client: its defaults (a 16 KiB read
/// buffer, byte budgets of 256 KiB in and 4 MiB out), without keepalive. An option set
/// here that the raw baselines must match goes into [`OUR_READ_BUFFER`] too.
fn our_builder(base_url: &str) -> ClientBuilder {
    RealtimeClient::builder()
        .base_url(base_url)
        .model("m")
        .no_keepalive()
}

/// The read buffer our client reads with (its default), so that the raw
/// baselines read with the same buffer; `receive` also runs a raw client
/// with tungstenite's default (128 KiB), for reference.
const OUR_READ_BUFFER: Option<usize> = Some(realtime_client::DEFAULT_READ_BUFFER_BYTES);

/// The bounded channel of the "hop" baselines (a reader or writer task of
/// its own behind a channel of this many messages): what a task hop costs
/// by itself, for reference. Our client's queues are bounded in bytes.
const OUR_INBOUND_CAPACITY: usize = 256;
/// See [`OUR_INBOUND_CAPACITY`].
const OUR_OUTBOUND_CAPACITY: usize = 64;

async fn connect_ours(base_url: &str) -> Result<RealtimeClient> {
    Ok(our_builder(base_url).connect().await?)
}

type RawSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The raw baseline's connection: the URL ours connects to, ours'
/// message limits, Nagle off (as ours), and `read_buffer` (`None`:
/// tungstenite's default).
async fn connect_raw(base_url: &str, read_buffer: Option<usize>) -> Result<RawSocket> {
    let url = our_builder(base_url).url()?;
    let mut config = WebSocketConfig::default()
        .max_message_size(Some(DEFAULT_MAX_MESSAGE_BYTES))
        .max_frame_size(Some(DEFAULT_MAX_MESSAGE_BYTES));
    if let Some(size) = read_buffer {
        config = config.read_buffer_size(size);
    }
    let (socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    Ok(socket)
}

// ---------------------------------------------------------------------------
// Rounds and ratios.
// ---------------------------------------------------------------------------

/// Runs each of `cases` once to warm up, then `rounds` rounds in which the
/// cases take turns (starting one later each round); `results[case][round]`.
fn interleaved<T>(
    rounds: usize,
    cases: usize,
    mut run: impl FnMut(usize) -> Result<T>,
) -> Result<Vec<Vec<T>>> {
    for case in 0..cases {
        run(case)?;
    }
    let mut results: Vec<Vec<T>> = (0..cases).map(|_| Vec::with_capacity(rounds)).collect();
    for round in 0..rounds {
        for offset in 0..cases {
            let case = (round + offset) % cases;
            results[case].push(run(case)?);
        }
    }
    Ok(results)
}

/// The spread of `numerator[r] / denominator[r]` over the rounds.
fn ratios(numerator: &[Duration], denominator: &[Duration]) -> String {
    let ratios: Vec<f64> = numerator
        .iter()
        .zip(denominator)
        .map(|(n, d)| n.as_secs_f64() / d.as_secs_f64())
        .collect();
    Spread::of(&ratios).map_or_else(|| "no rounds".into(), |spread| spread.to_string())
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

fn us(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

// ---------------------------------------------------------------------------
// receive
// ---------------------------------------------------------------------------

/// A receiving client of the `receive` benchmark.
#[derive(Debug, Clone, Copy)]
enum Receiver {
    /// Raw tokio-tungstenite, `ServerEvent::from_frame` on each text.
    RawOwned(Option<usize>),
    /// `RealtimeClient::next_event()`.
    OursOwned,
    /// Raw tokio-tungstenite, `ServerEventRef::from_frame` on each text.
    RawView,
    /// `RealtimeClient::next_text()`, then `ServerEventRef::from_frame`.
    OursView,
    /// Raw tokio-tungstenite read by a task of its own that hands each text
    /// over a bounded channel, as ours does, then `ServerEvent::from_frame`:
    /// what that design costs by itself. With `true`, each text is copied
    /// out of tungstenite's read buffer first (a received text shares the
    /// buffer, so one that waits in the queue keeps the whole buffer, and
    /// tungstenite must allocate and zero a new one to read on).
    RawHop { copied: bool },
}

impl Receiver {
    fn label(self) -> &'static str {
        match self {
            Receiver::RawOwned(None) if OUR_READ_BUFFER.is_some() => {
                "(a0) raw tokio-tungstenite, default read buffer + `ServerEvent::from_frame`"
            }
            Receiver::RawOwned(_) => "(a) raw tokio-tungstenite + `ServerEvent::from_frame`",
            Receiver::OursOwned => "(b) `RealtimeClient::next_event()`",
            Receiver::RawView => "(c) raw tokio-tungstenite + `ServerEventRef::from_frame`",
            Receiver::OursView => {
                "(d) `RealtimeClient::next_text()` + `ServerEventRef::from_frame`"
            }
            Receiver::RawHop { copied: false } => {
                "(e) raw, read by a task of its own and handed over a bounded channel, + `ServerEvent::from_frame`"
            }
            Receiver::RawHop { copied: true } => {
                "(f) as (e), each text copied out of the read buffer before it is queued"
            }
        }
    }

    /// Receives the whole corpus on a fresh connection; the time from the
    /// first frame decoded to the last.
    async fn run(self, base_url: String, expected: usize) -> Result<Duration> {
        match self {
            Receiver::RawOwned(buffer) => {
                receive_raw(&base_url, buffer, expected, decode_owned).await
            }
            Receiver::RawView => {
                receive_raw(&base_url, OUR_READ_BUFFER, expected, decode_view).await
            }
            Receiver::OursOwned => receive_ours_owned(&base_url, expected).await,
            Receiver::OursView => receive_ours_view(&base_url, expected).await,
            Receiver::RawHop { copied } => receive_raw_hop(&base_url, copied, expected).await,
        }
    }
}

/// Counts decoded frames and times them from the first to the last.
struct Tally {
    expected: usize,
    count: usize,
    first: Option<Instant>,
    elapsed: Option<Duration>,
}

impl Tally {
    fn new(expected: usize) -> Self {
        Tally {
            expected,
            count: 0,
            first: None,
            elapsed: None,
        }
    }

    /// One more frame decoded; whether it was the last expected.
    fn decoded(&mut self) -> bool {
        self.count += 1;
        let now = Instant::now();
        let first = *self.first.get_or_insert(now);
        if self.count == self.expected {
            self.elapsed = Some(now - first);
        }
        self.elapsed.is_some()
    }

    fn elapsed(&self) -> Result<Duration> {
        self.elapsed.ok_or_else(|| {
            format!("the client saw {} of {} frames", self.count, self.expected).into()
        })
    }
}

/// A decoded frame must be an event this version knows, whole.
fn check_known(event: &ServerEvent) -> Result<()> {
    if event.is_unknown() || event.is_malformed() {
        return Err(format!(
            "a frame decoded as an unknown or malformed `{}`",
            event.event_type()
        )
        .into());
    }
    Ok(())
}

fn decode_owned(text: &str) -> Result<()> {
    let event = ServerEvent::from_frame(text)?;
    check_known(&event)?;
    black_box(&event);
    Ok(())
}

fn decode_view(text: &str) -> Result<()> {
    let view = ServerEventRef::from_frame(text)?;
    if let ServerEventRef::Owned(event) = &view {
        check_known(event)?;
    }
    black_box(&view);
    Ok(())
}

async fn receive_raw(
    base_url: &str,
    read_buffer: Option<usize>,
    expected: usize,
    decode: fn(&str) -> Result<()>,
) -> Result<Duration> {
    let mut socket = connect_raw(base_url, read_buffer).await?;
    let mut tally = Tally::new(expected);
    while let Some(message) = socket.next().await {
        if let Message::Text(text) = message? {
            decode(&text)?;
            if tally.decoded() {
                break;
            }
        }
    }
    while let Some(Ok(_)) = socket.next().await {}
    tally.elapsed()
}

async fn receive_raw_hop(base_url: &str, copied: bool, expected: usize) -> Result<Duration> {
    let mut socket = connect_raw(base_url, OUR_READ_BUFFER).await?;
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(OUR_INBOUND_CAPACITY);
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message
                && tx
                    .send(if copied {
                        text.as_str().to_owned().into()
                    } else {
                        text
                    })
                    .await
                    .is_err()
            {
                break;
            }
        }
    });
    let mut tally = Tally::new(expected);
    while let Some(text) = rx.recv().await {
        decode_owned(&text)?;
        if tally.decoded() {
            break;
        }
    }
    while rx.recv().await.is_some() {}
    tally.elapsed()
}

async fn receive_ours_owned(base_url: &str, expected: usize) -> Result<Duration> {
    let mut client = connect_ours(base_url).await?;
    let mut tally = Tally::new(expected);
    while let Some(event) = client.next_event().await {
        let event = event?;
        check_known(&event)?;
        black_box(&event);
        if tally.decoded() {
            break;
        }
    }
    while client.next_text().await.is_some() {}
    tally.elapsed()
}

async fn receive_ours_view(base_url: &str, expected: usize) -> Result<Duration> {
    let mut client = connect_ours(base_url).await?;
    let mut tally = Tally::new(expected);
    while let Some(text) = client.next_text().await {
        decode_view(&text?)?;
        if tally.decoded() {
            break;
        }
    }
    while client.next_text().await.is_some() {}
    tally.elapsed()
}

fn receive(rounds: usize) -> Result<()> {
    let corpus = Corpus::standard(Surface::Ga, &SpecSessions::load()?);
    for frame in &corpus.frames {
        decode_owned(&frame.text)?;
        decode_view(&frame.text)?;
    }
    let bytes: usize = corpus.frames.iter().map(|f| f.text.len()).sum();
    let expected = corpus.frames.len();
    let frames: Arc<[Message]> = corpus
        .frames
        .iter()
        .map(|f| Message::text(f.text.as_str()))
        .collect();
    let server = LoopbackServer::spawn(move |socket| {
        loopback::send_then_close(socket, Arc::clone(&frames))
    })?;
    let mut clients = vec![
        Receiver::RawOwned(OUR_READ_BUFFER),
        Receiver::OursOwned,
        Receiver::RawView,
        Receiver::OursView,
        Receiver::RawHop { copied: false },
        Receiver::RawHop { copied: true },
    ];
    if OUR_READ_BUFFER.is_some() {
        clients.push(Receiver::RawOwned(None));
    }
    println!(
        "# receive: {expected} GA frames, {:.1} MB, as fast as the server can send them",
        bytes as f64 / 1e6
    );
    println!(
        "\nEach client on a fresh connection, timed from the first frame decoded to the last; \
         {rounds} rounds after a warm-up, ratios per round (median and range). \
         Read buffer: {}.",
        OUR_READ_BUFFER.map_or(
            "tungstenite's default (128 KiB) on both sides".to_string(),
            |b| format!("{b} bytes on both sides")
        )
    );
    for kind in ClientRuntime::BOTH {
        let runtime = kind.build()?;
        let times = interleaved(rounds, clients.len(), |case| {
            run_task(&runtime, clients[case].run(server.base_url(), expected))?
        })?;
        println!("\n## {kind}\n");
        println!("| client | median | min | MB/s | frames/s |");
        println!("|---|---:|---:|---:|---:|");
        for (client, times) in clients.iter().zip(&times) {
            let median = median(times);
            let min = times.iter().min().copied().unwrap_or_default();
            println!(
                "| {} | {} | {} | {:.0} | {:.0} |",
                client.label(),
                ms(median),
                ms(min),
                bytes as f64 / 1e6 / median.as_secs_f64(),
                expected as f64 / median.as_secs_f64()
            );
        }
        println!();
        println!(
            "- (b)/(a), `next_event()` vs raw + owned decode: {}",
            ratios(&times[1], &times[0])
        );
        println!(
            "- (d)/(c), `next_text()` + view vs raw + view: {}",
            ratios(&times[3], &times[2])
        );
        println!(
            "- (e)/(a), a reader task and a channel by themselves: {}",
            ratios(&times[4], &times[0])
        );
        println!(
            "- (b)/(e), ours beyond that design: {}",
            ratios(&times[1], &times[4])
        );
        println!(
            "- (f)/(a), that design with the texts copied out of the read buffer: {}",
            ratios(&times[5], &times[0])
        );
        if clients.len() > 6 {
            println!(
                "- (a)/(a0), raw with our read buffer vs the default: {}",
                ratios(&times[0], &times[6])
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// send
// ---------------------------------------------------------------------------

/// The text of an append of `samples`, built as our client builds it (a
/// fresh `String` of the same capacity per frame).
fn append_text(samples: &[i16]) -> String {
    let mut frame = String::with_capacity(samples.len() * 8 / 3 + 96);
    append_event_json(samples, None, &mut frame);
    frame
}

/// The server's receipt of one client's frames; checks it got all of them.
async fn receipt(
    receipts: &tokio::sync::Mutex<mpsc::UnboundedReceiver<Receipt>>,
    frames: usize,
    frame_len: usize,
) -> Result<Receipt> {
    let mut receipts = receipts.lock().await;
    let receipt = tokio::time::timeout(Duration::from_secs(60), receipts.recv())
        .await
        .map_err(|_| "the server did not receive every frame within 60 s")?
        .ok_or("the server is gone")?;
    if receipt.frames != frames || receipt.bytes != frames * frame_len {
        return Err(format!(
            "the server received {} frames, {} bytes; expected {frames}, {}",
            receipt.frames,
            receipt.bytes,
            frames * frame_len
        )
        .into());
    }
    Ok(receipt)
}

type Receipts = Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Receipt>>>;

async fn send_raw(
    base_url: String,
    samples: Arc<[i16]>,
    frames: usize,
    receipts: Receipts,
) -> Result<Duration> {
    let mut socket = connect_raw(&base_url, OUR_READ_BUFFER).await?;
    let frame_len = append_text(&samples).len();
    let start = Instant::now();
    for _ in 0..frames {
        socket.send(Message::text(append_text(&samples))).await?;
    }
    let receipt = receipt(&receipts, frames, frame_len).await?;
    socket.close(None).await?;
    Ok(receipt.last_at - start)
}

/// How a raw writer task flushes what it is handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flush {
    /// `send` each frame: a write per frame, as ours does.
    EachFrame,
    /// `feed` each frame and flush once the queue is empty.
    WhenIdle,
}

/// Raw tokio-tungstenite written by a task of its own that is handed each
/// text over a bounded channel, as ours is.
async fn send_raw_hop(
    base_url: String,
    samples: Arc<[i16]>,
    frames: usize,
    receipts: Receipts,
    flush: Flush,
) -> Result<Duration> {
    let mut socket = connect_raw(&base_url, OUR_READ_BUFFER).await?;
    let (tx, mut rx) = mpsc::channel::<String>(OUR_OUTBOUND_CAPACITY);
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            match flush {
                Flush::EachFrame => socket.send(Message::text(text)).await?,
                Flush::WhenIdle => {
                    socket.feed(Message::text(text)).await?;
                    while let Ok(text) = rx.try_recv() {
                        socket.feed(Message::text(text)).await?;
                    }
                    socket.flush().await?;
                }
            }
        }
        socket.close(None).await
    });
    let frame_len = append_text(&samples).len();
    let start = Instant::now();
    for _ in 0..frames {
        tx.send(append_text(&samples)).await?;
    }
    let receipt = receipt(&receipts, frames, frame_len).await?;
    drop(tx);
    writer.await??;
    Ok(receipt.last_at - start)
}

async fn send_ours(
    base_url: String,
    samples: Arc<[i16]>,
    frames: usize,
    receipts: Receipts,
) -> Result<Duration> {
    let client = connect_ours(&base_url).await?;
    let frame_len = append_text(&samples).len();
    let start = Instant::now();
    for _ in 0..frames {
        client.input_audio_buffer_append_pcm16(&samples).await?;
    }
    let receipt = receipt(&receipts, frames, frame_len).await?;
    client.close(1000, "done").await?;
    Ok(receipt.last_at - start)
}

fn send(rounds: usize, frames: usize) -> Result<()> {
    let samples: Arc<[i16]> = synth_pcm16(&mut SplitMix64::new(0x5E4D), CHUNK_SAMPLES).into();
    let frame_len = append_text(&samples).len();
    let (receipts_tx, receipts_rx) = mpsc::unbounded_channel();
    let receipts: Receipts = Arc::new(tokio::sync::Mutex::new(receipts_rx));
    let server = LoopbackServer::spawn(move |socket| {
        loopback::count_received(socket, frames, receipts_tx.clone())
    })?;
    println!(
        "# send: {frames} appends of 20 ms of 24 kHz PCM16 ({frame_len} bytes each, {:.1} MB)",
        (frames * frame_len) as f64 / 1e6
    );
    println!(
        "\nTimed from the first send to the server's receipt of the last frame; the raw \
         client builds the same text with `append_event_json` and sends each frame with \
         `send` (a flush per frame, as ours); {rounds} rounds after a warm-up."
    );
    let labels = [
        "(a) raw tokio-tungstenite `send(append_event_json(..))`",
        "(b) `RealtimeClient::input_audio_buffer_append_pcm16`",
        "(c) raw, written by a task of its own handed the texts over a bounded channel",
        "(d) as (c), flushing only when the channel is empty",
    ];
    for kind in ClientRuntime::BOTH {
        let runtime = kind.build()?;
        let times = interleaved(rounds, labels.len(), |case| {
            let (url, samples, receipts) = (
                server.base_url(),
                Arc::clone(&samples),
                Arc::clone(&receipts),
            );
            match case {
                0 => run_task(&runtime, send_raw(url, samples, frames, receipts))?,
                1 => run_task(&runtime, send_ours(url, samples, frames, receipts))?,
                2 => run_task(
                    &runtime,
                    send_raw_hop(url, samples, frames, receipts, Flush::EachFrame),
                )?,
                _ => run_task(
                    &runtime,
                    send_raw_hop(url, samples, frames, receipts, Flush::WhenIdle),
                )?,
            }
        })?;
        println!("\n## {kind}\n");
        println!("| client | median | min | MB/s | frames/s |");
        println!("|---|---:|---:|---:|---:|");
        for (label, times) in labels.iter().zip(&times) {
            let median = median(times);
            let min = times.iter().min().copied().unwrap_or_default();
            println!(
                "| {label} | {} | {} | {:.0} | {:.0} |",
                ms(median),
                ms(min),
                (frames * frame_len) as f64 / 1e6 / median.as_secs_f64(),
                frames as f64 / median.as_secs_f64()
            );
        }
        println!("\n- (b)/(a), ours vs raw: {}", ratios(&times[1], &times[0]));
        println!(
            "- (c)/(a), a writer task and a channel by themselves: {}",
            ratios(&times[2], &times[0])
        );
        println!(
            "- (b)/(c), ours beyond that design: {}",
            ratios(&times[1], &times[2])
        );
        println!(
            "- (d)/(a), that design flushing when idle: {}",
            ratios(&times[3], &times[0])
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// pingpong
// ---------------------------------------------------------------------------

/// The server's answer to each `input_audio_buffer.clear`. (The GA
/// `input_audio_buffer.cleared` has no `item_id`; with one, it would land in
/// the event's unknown fields.)
const CLEARED: &str = r#"{"type":"input_audio_buffer.cleared","event_id":"e"}"#;

/// Round trips on each connection before the recorded ones.
const PINGPONG_WARMUP: usize = 100;

fn clear_text() -> Result<String> {
    Ok(serde_json::to_string(&ga::ClientEvent::from(
        ga::client::InputAudioBufferClear::default(),
    ))?)
}

async fn pingpong_raw(base_url: String, round_trips: usize) -> Result<Vec<Duration>> {
    let mut socket = connect_raw(&base_url, OUR_READ_BUFFER).await?;
    let mut latencies = Vec::with_capacity(round_trips);
    for index in 0..PINGPONG_WARMUP + round_trips {
        let start = Instant::now();
        socket.send(Message::text(clear_text()?)).await?;
        loop {
            match socket.next().await.ok_or("the server closed")?? {
                Message::Text(text) => match ServerEvent::from_frame(&text)? {
                    ServerEvent::InputAudioBufferCleared(_) => break,
                    other => return Err(format!("unexpected `{}`", other.event_type()).into()),
                },
                _ => continue,
            }
        }
        if index >= PINGPONG_WARMUP {
            latencies.push(start.elapsed());
        }
    }
    socket.close(None).await?;
    Ok(latencies)
}

async fn pingpong_ours(base_url: String, round_trips: usize) -> Result<Vec<Duration>> {
    let mut client = connect_ours(&base_url).await?;
    let mut latencies = Vec::with_capacity(round_trips);
    for index in 0..PINGPONG_WARMUP + round_trips {
        let start = Instant::now();
        client.input_audio_buffer_clear().await?;
        match client.next_event().await.ok_or("the session ended")?? {
            ServerEvent::InputAudioBufferCleared(_) => {}
            other => return Err(format!("unexpected `{}`", other.event_type()).into()),
        }
        if index >= PINGPONG_WARMUP {
            latencies.push(start.elapsed());
        }
    }
    client.close(1000, "done").await?;
    Ok(latencies)
}

fn pingpong(rounds: usize, round_trips: usize) -> Result<()> {
    match ServerEvent::from_frame(CLEARED)? {
        ServerEvent::InputAudioBufferCleared(cleared) if cleared.unknown_fields.is_empty() => {}
        other => return Err(format!("the reply decodes as {other:?}").into()),
    }
    let per_round = round_trips.div_ceil(rounds.max(1));
    let server =
        LoopbackServer::spawn(|socket| loopback::answer_each(socket, Message::text(CLEARED)))?;
    println!("# pingpong: `input_audio_buffer.clear` answered by `input_audio_buffer.cleared`");
    println!(
        "\n{} round trips per client ({rounds} rounds of {per_round}, each on a fresh connection \
         after {PINGPONG_WARMUP} unrecorded ones); the client encodes the event and decodes \
         the answer into the owned union each time.",
        per_round * rounds
    );
    for kind in ClientRuntime::BOTH {
        let runtime = kind.build()?;
        let latencies = interleaved(rounds, 2, |case| {
            if case == 0 {
                run_task(&runtime, pingpong_raw(server.base_url(), per_round))?
            } else {
                run_task(&runtime, pingpong_ours(server.base_url(), per_round))?
            }
        })?;
        let all: Vec<Vec<Duration>> = latencies.iter().map(|rounds| rounds.concat()).collect();
        let round_p50s: Vec<Vec<Duration>> = latencies
            .iter()
            .map(|rounds| rounds.iter().map(|r| median(r)).collect())
            .collect();
        println!("\n## {kind}\n");
        println!("| client | p50 | p99 | max |");
        println!("|---|---:|---:|---:|");
        for (label, all) in ["raw tokio-tungstenite", "`RealtimeClient`"]
            .iter()
            .zip(&all)
        {
            let max = all.iter().max().copied().unwrap_or_default();
            println!(
                "| {label} | {} | {} | {} |",
                us(median(all)),
                us(percentile(all, 99.0)),
                us(max)
            );
        }
        println!(
            "\n- ours/raw, p50 per round: {}",
            ratios(&round_p50s[1], &round_p50s[0])
        );
        println!(
            "- ours/raw, p99 over all: {:.3}x",
            percentile(&all[1], 99.0).as_secs_f64() / percentile(&all[0], 99.0).as_secs_f64()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// scale: the orchestrator
// ---------------------------------------------------------------------------

/// The peer of a scale run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peer {
    Light,
    /// The lightest: plain TCP writes from one task (`peer::serve_raw`).
    Raw,
    Mock,
}

impl Peer {
    fn parse(name: &str) -> Result<Self, String> {
        match name {
            "light" => Ok(Peer::Light),
            "raw" => Ok(Peer::Raw),
            "mock" => Ok(Peer::Mock),
            other => Err(format!("--peer is light, raw or mock, not `{other}`")),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Peer::Light => "light",
            Peer::Raw => "raw",
            Peer::Mock => "mock",
        }
    }
}

/// How long connected sessions stay silent before the idle memory is read.
const IDLE: Duration = Duration::from_secs(2);
/// Streaming before the measured window opens.
const WARMUP: Duration = Duration::from_secs(1);
/// Connections opened at once.
const CONNECT_CONCURRENCY: usize = 64;

/// What one client process measured at one session count.
#[derive(Debug, Serialize, Deserialize)]
struct ScaleReport {
    sessions: usize,
    connected: usize,
    errors: u64,
    first_error: Option<String>,
    measured_seconds: f64,
    cpu_percent: f64,
    peer_cpu_percent: Option<f64>,
    rss_before: u64,
    rss_idle: u64,
    rss_streaming: u64,
    deltas: u64,
    lateness_p50_us: u64,
    lateness_p99_us: u64,
    lateness_max_us: u64,
    tick_p99_us: u64,
}

/// Runs this binary again with `args`, the soft open-files limit raised to
/// the hard one first (by the shell's `ulimit`: no `libc` call needed).
fn spawn_self(args: &[&str], stdin: Stdio) -> Result<Child> {
    let exe = std::env::current_exe()?;
    Ok(Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n "$(ulimit -H -n)" 2>/dev/null; exec "$0" "$@""#)
        .arg(exe)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?)
}

/// A peer in a child process; it exits when its standard input closes.
struct PeerProcess {
    child: Child,
    port: u16,
}

/// `cpu` over `wall`, in % of one core.
fn cpu_percent(cpu: Duration, wall: Duration) -> f64 {
    cpu.as_secs_f64() / wall.as_secs_f64() * 100.0
}

impl PeerProcess {
    fn start(peer: Peer) -> Result<Self> {
        let command = match peer {
            Peer::Light => "serve-light",
            Peer::Raw => "serve-raw",
            Peer::Mock => "serve-mock",
        };
        let mut child = spawn_self(&[command], Stdio::piped())?;
        let stdout = child.stdout.take().ok_or("no stdout of the peer")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port = line
            .trim()
            .parse()
            .map_err(|_| format!("the peer printed `{}`, not a port", line.trim()))?;
        Ok(PeerProcess { child, port })
    }

    fn stop(mut self) -> Result<()> {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
                self.child.wait()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

fn kib(bytes: f64) -> String {
    format!("{:.1} KiB", bytes / 1024.0)
}

fn scale(peer: Peer, sessions: &[usize], seconds: u64) -> Result<()> {
    println!("# scale: {} peer, sessions {sessions:?}", peer.name());
    println!(
        "\nEach session streams 20 ms of 24 kHz PCM16 every 20 ms (a `tokio::time::interval`, \
         `MissedTickBehavior::Burst`: a late client catches up, as a capture device's audio \
         keeps coming; silence, so that the mock's VAD starts no responses of its own, and \
         base64 costs the same whatever the samples) and receives output audio in real time \
         (the mock: a new `response.create` after each `response.done`). The peer runs in a child \
         process; each session count runs in a fresh client process on a 2-worker \
         multi-thread runtime: {} s idle, {} s warm-up, then {seconds} s measured.",
        IDLE.as_secs(),
        WARMUP.as_secs()
    );
    println!(
        "Lateness: {}. Tick p99: how late the client's own 20 ms timer was handled.",
        match peer {
            Peer::Light | Peer::Raw =>
                "arrival minus the time the peer scheduled the delta for (same host clock)",
            Peer::Mock =>
                "arrival of delta k minus (arrival of the response's first delta + the audio of deltas 0..k); the mock paces its 100 ms deltas by deadlines from the response's start",
        }
    );
    println!(
        "Goals (not asserted): 1,000 sessions against the light peer with p99 lateness \
         under 20 ms, 500 against the mock, under 64 KiB per idle connected session.\n"
    );
    println!(
        "| sessions | errors | client CPU | peer CPU | RSS/session streaming | RSS/session idle | lateness p50 | p99 | max | tick p99 | deltas/s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &count in sessions {
        let peer_process = PeerProcess::start(peer)?;
        let client = spawn_self(
            &[
                "scale-client",
                "--peer",
                peer.name(),
                "--port",
                &peer_process.port.to_string(),
                "--sessions",
                &count.to_string(),
                "--seconds",
                &seconds.to_string(),
                "--peer-pid",
                &peer_process.child.id().to_string(),
            ],
            Stdio::null(),
        )?;
        let output = client.wait_with_output();
        peer_process.stop()?;
        let output = output?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report: ScaleReport = stdout
            .lines()
            .find_map(|line| line.strip_prefix("report "))
            .ok_or_else(|| format!("the client process ({}) printed no report", output.status))
            .and_then(|json| serde_json::from_str(json).map_err(|e| e.to_string()))?;
        let per_session =
            |rss: u64| kib(rss.saturating_sub(report.rss_before) as f64 / count as f64);
        let lateness = |us: u64| ms(Duration::from_micros(us));
        println!(
            "| {} | {}{} | {:.0} % | {} | {} | {} | {} | {} | {} | {} | {:.0} |",
            report.sessions,
            report.errors,
            if report.connected < count {
                format!(" ({} connected)", report.connected)
            } else {
                String::new()
            },
            report.cpu_percent,
            report
                .peer_cpu_percent
                .map_or("?".into(), |cpu| format!("{cpu:.0} %")),
            per_session(report.rss_streaming),
            per_session(report.rss_idle),
            lateness(report.lateness_p50_us),
            lateness(report.lateness_p99_us),
            lateness(report.lateness_max_us),
            lateness(report.tick_p99_us),
            report.deltas as f64 / report.measured_seconds,
        );
        if let Some(error) = &report.first_error {
            println!("|  | first error: {error} ||||||||||");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// scale: the client process
// ---------------------------------------------------------------------------

/// Where the sessions are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Connected and silent.
    Idle,
    /// Streaming since this instant (each session starts a share of 20 ms
    /// later than the one before, as independent sessions would).
    Streaming(tokio::time::Instant),
    /// Done: close.
    Stop,
}

/// What every session records into.
#[derive(Debug, Default)]
struct Shared {
    measuring: AtomicBool,
    lateness: LatencyHistogram,
    ticks: LatencyHistogram,
    deltas: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Shared {
    fn error(&self, error: impl std::fmt::Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut first) = self.first_error.lock() {
            first.get_or_insert_with(|| error.to_string());
        }
    }

    fn measuring(&self) -> bool {
        self.measuring.load(Ordering::Relaxed)
    }
}

/// What a received frame means to a session.
enum Received {
    ResponseDone,
    Other,
}

fn on_text(
    text: Option<realtime_client::Result<RawText>>,
    clock: &mut DeltaClock,
    shared: &Shared,
) -> Result<Received> {
    let text = text.ok_or("the session ended")??;
    match ServerEventRef::from_frame(&text)? {
        ServerEventRef::ResponseOutputAudioDelta(delta) => {
            let lateness = clock.lateness(&delta, Arrival::now())?;
            if shared.measuring() {
                shared.deltas.fetch_add(1, Ordering::Relaxed);
                if let Some(lateness) = lateness {
                    shared.lateness.record(lateness);
                }
            }
        }
        ServerEventRef::Owned(event) => match event {
            ServerEvent::ResponseDone(_) => return Ok(Received::ResponseDone),
            ServerEvent::Error(error) => {
                return Err(format!("server error: {}", error.error.message).into());
            }
            event => check_known(&event)?,
        },
        _ => {}
    }
    Ok(Received::Other)
}

async fn session(
    mut client: RealtimeClient,
    index: usize,
    count: usize,
    peer: Peer,
    mut phase: watch::Receiver<Phase>,
    shared: Arc<Shared>,
) -> Result<()> {
    let mut clock = match peer {
        Peer::Light | Peer::Raw => DeltaClock::stamped(),
        Peer::Mock => DeltaClock::per_response(),
    };
    let start = loop {
        tokio::select! {
            changed = phase.changed() => {
                changed?;
                match *phase.borrow_and_update() {
                    Phase::Streaming(start) => break start,
                    Phase::Stop => return Ok(()),
                    Phase::Idle => {}
                }
            }
            text = client.next_text() => { on_text(text, &mut clock, &shared)?; }
        }
    };
    let offset = CHUNK.mul_f64(index as f64 / count as f64);
    let mut ticks = tokio::time::interval_at(start + offset, CHUNK);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let silence = [0i16; CHUNK_SAMPLES];
    if peer == Peer::Mock {
        client.response_create().await?;
    }
    loop {
        tokio::select! {
            deadline = ticks.tick() => {
                if shared.measuring() {
                    shared.ticks.record(deadline.elapsed());
                }
                client.input_audio_buffer_append_pcm16(&silence).await?;
            }
            text = client.next_text() => {
                if let Received::ResponseDone = on_text(text, &mut clock, &shared)? && peer == Peer::Mock {
                    client.response_create().await?;
                }
            }
            changed = phase.changed() => {
                changed?;
                if *phase.borrow_and_update() == Phase::Stop {
                    break;
                }
            }
        }
    }
    client.close(1000, "done").await?;
    Ok(())
}

fn scale_client(
    peer: Peer,
    port: u16,
    count: usize,
    seconds: u64,
    peer_pid: Option<u32>,
) -> Result<()> {
    if let Some(limit) = procfs::open_files_limit()?
        && limit < count as u64 + 64
    {
        return Err(format!(
            "{count} sessions need more than the {limit} open files allowed: raise the limit with `ulimit -n`"
        )
        .into());
    }
    let runtime = ClientRuntime::MultiThread(2).build()?;
    let shared = Arc::new(Shared::default());
    let base_url = format!("ws://127.0.0.1:{port}/v1");
    let rss_before = procfs::rss_bytes()?;
    let report = runtime.block_on(async {
        let (phase_tx, phase_rx) = watch::channel(Phase::Idle);
        let connected: Vec<Result<RealtimeClient>> = futures_util::stream::iter(0..count)
            .map(|_| connect_ours(&base_url))
            .buffer_unordered(CONNECT_CONCURRENCY)
            .collect()
            .await;
        let mut sessions = tokio::task::JoinSet::new();
        for (index, client) in connected.into_iter().enumerate() {
            match client {
                Ok(client) => {
                    let (phase, shared) = (phase_rx.clone(), Arc::clone(&shared));
                    sessions.spawn(session(client, index, count, peer, phase, shared));
                }
                Err(error) => shared.error(format!("connect: {error}")),
            }
        }
        let connected = sessions.len();
        tokio::time::sleep(IDLE).await;
        let rss_idle = procfs::rss_bytes()?;
        phase_tx.send(Phase::Streaming(tokio::time::Instant::now()))?;
        tokio::time::sleep(WARMUP).await;
        let peer_cpu = || peer_pid.and_then(|pid| procfs::cpu_time_of(pid).ok());
        let (cpu_start, peer_cpu_start, wall_start) =
            (procfs::cpu_time()?, peer_cpu(), Instant::now());
        shared.measuring.store(true, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        shared.measuring.store(false, Ordering::Relaxed);
        let (cpu, wall) = (procfs::cpu_time()? - cpu_start, wall_start.elapsed());
        let peer_cpu = peer_cpu()
            .zip(peer_cpu_start)
            .map(|(end, start)| end.saturating_sub(start));
        let rss_streaming = procfs::rss_bytes()?;
        phase_tx.send(Phase::Stop)?;
        let ended = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(ended) = sessions.join_next().await {
                match ended {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => shared.error(error),
                    Err(error) => shared.error(format!("session task: {error}")),
                }
            }
        })
        .await;
        if ended.is_err() {
            shared.error(format!(
                "{} sessions did not end within 10 s",
                sessions.len()
            ));
        }
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        Ok::<_, BoxError>(ScaleReport {
            sessions: count,
            connected,
            errors: shared.errors.load(Ordering::Relaxed),
            first_error: shared.first_error.lock().ok().and_then(|e| e.clone()),
            measured_seconds: wall.as_secs_f64(),
            cpu_percent: cpu_percent(cpu, wall),
            peer_cpu_percent: peer_cpu.map(|cpu| cpu_percent(cpu, wall)),
            rss_before,
            rss_idle,
            rss_streaming,
            deltas: shared.deltas.load(Ordering::Relaxed),
            lateness_p50_us: micros(shared.lateness.quantile(0.5)),
            lateness_p99_us: micros(shared.lateness.quantile(0.99)),
            lateness_max_us: micros(shared.lateness.max()),
            tick_p99_us: micros(shared.ticks.quantile(0.99)),
        })
    })?;
    println!("report {}", serde_json::to_string(&report)?);
    Ok(())
}

// ---------------------------------------------------------------------------
// The peers' processes
// ---------------------------------------------------------------------------

/// Serves `peer` on a free loopback port, printed on the first line of
/// standard output, until standard input closes.
fn serve(peer: Peer) -> Result<()> {
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    let announce = |port: u16| -> Result<()> {
        let mut stdout = std::io::stdout();
        writeln!(stdout, "{port}")?;
        Ok(stdout.flush()?)
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            match peer {
                Peer::Light => {
                    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
                    announce(listener.local_addr()?.port())?;
                    peer::serve_light(listener).await;
                }
                Peer::Raw => {
                    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
                    announce(listener.local_addr()?.port())?;
                    peer::serve_raw(listener).await;
                }
                Peer::Mock => {
                    let server = peer::start_mock().await?;
                    announce(server.local_addr().port())?;
                    std::future::pending::<()>().await;
                }
            }
            Ok(())
        })
}

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

/// A parsed command line.
#[derive(Debug)]
enum Cli {
    Help,
    Receive {
        rounds: usize,
    },
    Send {
        rounds: usize,
        frames: usize,
    },
    PingPong {
        rounds: usize,
        round_trips: usize,
    },
    Scale {
        peer: Peer,
        sessions: Vec<usize>,
        seconds: u64,
    },
    Serve(Peer),
    ScaleClient {
        peer: Peer,
        port: u16,
        sessions: usize,
        seconds: u64,
        peer_pid: Option<u32>,
    },
}

fn parse(args: &[String]) -> Result<Cli, String> {
    let (command, rest) = args.split_first().ok_or("no command")?;
    let peer =
        |options: &Options<'_>| Peer::parse(options.get("peer").ok_or("--peer is required")?);
    Ok(match command.as_str() {
        "help" | "--help" | "-h" => Cli::Help,
        "receive" => {
            let options = Options::parse(rest, &["rounds"])?;
            Cli::Receive {
                rounds: options.count("rounds", Some(11))?,
            }
        }
        "send" => {
            let options = Options::parse(rest, &["rounds", "frames"])?;
            Cli::Send {
                rounds: options.count("rounds", Some(11))?,
                frames: options.count("frames", Some(20_000))?,
            }
        }
        "pingpong" => {
            let options = Options::parse(rest, &["rounds", "round-trips"])?;
            Cli::PingPong {
                rounds: options.count("rounds", Some(5))?,
                round_trips: options.count("round-trips", Some(5_000))?,
            }
        }
        "scale" => {
            let options = Options::parse(rest, &["peer", "sessions", "seconds"])?;
            Cli::Scale {
                peer: peer(&options)?,
                sessions: options.counts("sessions")?,
                seconds: options.number("seconds", Some(10))?,
            }
        }
        "serve-light" => Cli::Serve(Peer::Light),
        "serve-raw" => Cli::Serve(Peer::Raw),
        "serve-mock" => Cli::Serve(Peer::Mock),
        "scale-client" => {
            let options =
                Options::parse(rest, &["peer", "port", "sessions", "seconds", "peer-pid"])?;
            Cli::ScaleClient {
                peer: peer(&options)?,
                port: options.number("port", None)?,
                sessions: options.count("sessions", None)?,
                seconds: options.number("seconds", None)?,
                peer_pid: match options.get("peer-pid") {
                    Some(_) => Some(options.number("peer-pid", None)?),
                    None => None,
                },
            }
        }
        other => return Err(format!("unknown command `{other}`")),
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match parse(&args) {
        Ok(cli) => cli,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) && !matches!(cli, Cli::Help) {
        eprintln!(
            "warning: a debug build; run with `cargo run --release -p realtime-bench --bin transport_bench`"
        );
    }
    let result = match cli {
        Cli::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Cli::Receive { rounds } => receive(rounds),
        Cli::Send { rounds, frames } => send(rounds, frames),
        Cli::PingPong {
            rounds,
            round_trips,
        } => pingpong(rounds, round_trips),
        Cli::Scale {
            peer,
            sessions,
            seconds,
        } => scale(peer, &sessions, seconds),
        Cli::Serve(peer) => serve(peer),
        Cli::ScaleClient {
            peer,
            port,
            sessions,
            seconds,
            peer_pid,
        } => scale_client(peer, port, sessions, seconds, peer_pid),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
