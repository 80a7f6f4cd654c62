//! The `calls` benchmark of `media_bench`: many simulated Twilio calls
//! through the bridge at once, against the mock in real time, and what
//! they cost in CPU.
//!
//! The mock runs in a child process (this binary again, `calls
//! serve-mock`), so that the CPU time read from `/proc/self` is the
//! bridge's and the callers'. Each call count runs twice in a row: first
//! the same callers against a server that only reads and discards what
//! they send (the baseline: the callers' own cost, and the WebSocket
//! server's), then against the bridge. The bridge's cost is the
//! difference, over the same wall-clock time.
//!
//! Every caller runs the same script, shifted in time so that the calls
//! do not speak in step: 600 ms of speech, 2 s listening to the model's
//! answer, 300 ms of speech over it (a barge-in), 1.5 s of silence.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use realtime_client::RealtimeClient;
use realtime_media::twilio::simulated::{Heard, SimulatedCaller, Voice};
use realtime_media::twilio::{BridgeOptions, SessionAudio, bridge};
use realtime_mock::{MockConfig, MockServer, Reply, ScriptedResponder};
use tokio::net::TcpListener;

use crate::transport::args::Options;
use crate::transport::procfs;

/// What every turn of the model says: about 3 s of audio (50 ms a character).
const ANSWER: &str = "Thank you for calling, let me tell you all about our offers.";

/// Runs `calls` (or, with `serve-mock`, the child's mock).
pub fn calls(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("serve-mock") {
        return serve_mock();
    }
    let options = Options::parse(args, &["calls", "seconds", "session"])?;
    let counts: Vec<usize> = options
        .get("calls")
        .unwrap_or("1,10,50")
        .split(',')
        .map(|count| {
            count
                .trim()
                .parse()
                .map_err(|_| format!("bad call count `{count}`"))
        })
        .collect::<Result<_, _>>()?;
    let seconds: u64 = options.number("seconds", Some(20))?;
    let sessions = match options.get("session").unwrap_or("both") {
        "pcmu" => vec![SessionAudio::Ulaw],
        "pcm16" => vec![SessionAudio::Pcm16],
        "both" => vec![SessionAudio::Ulaw, SessionAudio::Pcm16],
        other => return Err(format!("--session pcmu|pcm16|both, not `{other}`")),
    };
    let (mut child, mock_url) = start_mock()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    println!(
        "{seconds} s per phase, 2 worker threads; CPU in % of one core over the phase; \
         the mock in a child process"
    );
    println!(
        "| session | calls | callers only (baseline) | with the bridge | bridge per call | \
         calls 2 cores carry | model audio heard per call | mock per call |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for session in sessions {
        for &count in &counts {
            let baseline = runtime.block_on(phase(count, seconds, None, child.id()))?;
            let bridged = runtime.block_on(phase(
                count,
                seconds,
                Some((&mock_url, session)),
                child.id(),
            ))?;
            let per_call = (bridged.cpu_share() - baseline.cpu_share()) / count as f64;
            println!(
                "| {} | {count} | {:.1} % | {:.1} % | {:.2} % | {:.0} | {:.0} ms/s | {:.2} % |",
                match session {
                    SessionAudio::Ulaw => "pcmu",
                    SessionAudio::Pcm16 => "pcm16 24 kHz",
                },
                baseline.cpu_share() * 100.0,
                bridged.cpu_share() * 100.0,
                per_call * 100.0,
                2.0 / per_call.max(f64::MIN_POSITIVE),
                bridged.heard_ms as f64 / bridged.elapsed.as_secs_f64() / count as f64,
                bridged.mock_share() * 100.0 / count as f64,
            );
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}

/// The child: a real-time mock whose model answers every turn with [`ANSWER`].
fn serve_mock() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let answer = Reply::Message {
            text: ANSWER.into(),
        };
        let config = MockConfig::default().with_responder(ScriptedResponder::new(vec![answer]));
        let mock = MockServer::start(config)
            .await
            .map_err(|error| error.to_string())?;
        println!("{}", mock.base_url());
        // Until the parent closes our stdin.
        let mut line = String::new();
        let _ = tokio::task::spawn_blocking(move || std::io::stdin().read_line(&mut line)).await;
        Ok(())
    })
}

fn start_mock() -> Result<(std::process::Child, String), String> {
    let exe = std::env::current_exe().map_err(|error| error.to_string())?;
    let mut child = Command::new(exe)
        .args(["calls", "serve-mock"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| error.to_string())?;
    let stdout = child.stdout.take().ok_or("the mock's stdout")?;
    let mut url = String::new();
    BufReader::new(stdout)
        .read_line(&mut url)
        .map_err(|error| error.to_string())?;
    Ok((child, url.trim().to_string()))
}

/// What one phase measured.
struct Phase {
    elapsed: Duration,
    cpu: Duration,
    mock_cpu: Duration,
    heard_ms: u64,
}

impl Phase {
    fn cpu_share(&self) -> f64 {
        self.cpu.as_secs_f64() / self.elapsed.as_secs_f64()
    }

    fn mock_share(&self) -> f64 {
        self.mock_cpu.as_secs_f64() / self.elapsed.as_secs_f64()
    }
}

/// `count` calls for `seconds`: to the bridge (and the mock at its URL)
/// with `bridged`, else to a server that discards what they send.
async fn phase(
    count: usize,
    seconds: u64,
    bridged: Option<(&str, SessionAudio)>,
    mock_pid: u32,
) -> Result<Phase, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| error.to_string())?;
    let url = format!(
        "ws://{}/media",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let bridged = bridged.map(|(url, session)| (url.to_string(), session));
    let server = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let bridged = bridged.clone();
            tokio::spawn(async move {
                let Ok(socket) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                match bridged {
                    Some((mock_url, session)) => {
                        let Ok(client) = RealtimeClient::builder()
                            .base_url(mock_url)
                            .model("gpt-realtime")
                            .connect()
                            .await
                        else {
                            return eprintln!("a session did not connect");
                        };
                        let options = BridgeOptions::default().with_session_audio(session);
                        if let Err(error) = bridge(socket, client, options).await {
                            eprintln!("a call failed: {error}");
                        }
                    }
                    None => {
                        let (_, mut reader) = socket.split();
                        while let Some(Ok(_)) = reader.next().await {}
                    }
                }
            });
        }
    });
    let running = Arc::new(AtomicBool::new(true));
    let heard = Arc::new(AtomicU64::new(0));
    let mut callers = Vec::new();
    for index in 0..count {
        let mut caller = SimulatedCaller::connect(&url, &format!("MZ{index:032}"))
            .await
            .map_err(|error| error.to_string())?;
        let running = Arc::clone(&running);
        let heard = Arc::clone(&heard);
        // Shifted by an even share of the 4.4 s script.
        let offset = Duration::from_millis((4_400 * index / count.max(1)) as u64);
        callers.push(tokio::spawn(async move {
            let mut open = listen(&mut caller, offset, &heard).await;
            while open && running.load(Ordering::Relaxed) {
                for (voice, ms) in [
                    (Voice::Speaking, 600),
                    (Voice::Silent, 2_000),
                    (Voice::Speaking, 300),
                    (Voice::Silent, 1_500),
                ] {
                    caller.set_voice(voice);
                    open = open && listen(&mut caller, Duration::from_millis(ms), &heard).await;
                }
            }
            if !open {
                eprintln!("a call was hung up by the bridge");
            }
            caller.hang_up().await;
        }));
    }
    // A script's length to settle, then the measured phase.
    tokio::time::sleep(Duration::from_millis(4_400)).await;
    let (cpu0, mock0, heard0, started) = (
        procfs::cpu_time().map_err(|e| e.to_string())?,
        procfs::cpu_time_of(mock_pid).map_err(|e| e.to_string())?,
        heard.load(Ordering::Relaxed),
        Instant::now(),
    );
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let measured = Phase {
        elapsed: started.elapsed(),
        cpu: procfs::cpu_time().map_err(|e| e.to_string())? - cpu0,
        mock_cpu: procfs::cpu_time_of(mock_pid).map_err(|e| e.to_string())? - mock0,
        heard_ms: (heard.load(Ordering::Relaxed) - heard0) / 8,
    };
    running.store(false, Ordering::Relaxed);
    for caller in callers {
        let _ = caller.await;
    }
    server.abort();
    // Let the bridges close their sessions before the next phase.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(measured)
}

/// Reads what the bridge sends for `duration`, counting the model's
/// audio; `false` once the bridge has closed the call.
async fn listen(caller: &mut SimulatedCaller, duration: Duration, heard: &AtomicU64) -> bool {
    let until = tokio::time::Instant::now() + duration;
    loop {
        match tokio::time::timeout_at(until, caller.next()).await {
            Ok(Some(Heard::Media(audio))) => {
                heard.fetch_add(audio.len() as u64, Ordering::Relaxed);
            }
            Ok(Some(_)) => {}
            Ok(None) => return false,
            Err(_) => return true,
        }
    }
}
