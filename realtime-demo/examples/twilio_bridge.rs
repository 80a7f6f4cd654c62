//! A Twilio Media Streams bridge: each phone call Twilio streams to this
//! server talks to its own Realtime session, with barge-in.
//!
//! `cargo run -p realtime-demo --example twilio_bridge -- [--listen 127.0.0.1:8081] [--self-test]`
//!
//! Point a number's TwiML at it (through a TLS tunnel: Twilio needs
//! `wss://`): `<Response><Connect><Stream url="wss://HOST/media"/></Connect></Response>`.
//! With `OPENAI_API_KEY` each call talks to OpenAI, without it to an
//! embedded mock (see the crate's README). `--self-test` makes one call to
//! itself with a simulated Twilio caller, who says hello, listens, talks
//! over the answer and hangs up, and prints what the bridge saw.

use std::process::ExitCode;
use std::time::Duration;

use realtime_demo::{Connected, connect};
use realtime_media::twilio::simulated::{Heard, SimulatedCaller, Voice};
use realtime_media::twilio::{BridgeOptions, bridge};
use realtime_mock::Pacing;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    realtime_demo::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let listen = args
        .iter()
        .position(|arg| arg == "--listen")
        .and_then(|at| args.get(at + 1))
        .map_or("127.0.0.1:8081", String::as_str);
    let self_test = args.iter().any(|arg| arg == "--self-test");
    let listener = TcpListener::bind(listen).await?;
    let url = format!("ws://{}/media", listener.local_addr()?);
    println!("Twilio Media Streams bridge on {url}");
    let server = tokio::spawn(async move {
        loop {
            let Ok((tcp, peer)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let socket = match tokio_tungstenite::accept_async(tcp).await {
                    Ok(socket) => socket,
                    Err(error) => return eprintln!("{peer}: not a WebSocket: {error}"),
                };
                // Each call its own session (and, offline, its own mock).
                let Connected {
                    client,
                    mock: _mock,
                } = match connect(Pacing::RealTime).await {
                    Ok(connected) => connected,
                    Err(error) => return eprintln!("{peer}: no session: {error}"),
                };
                match bridge(socket, client, BridgeOptions::default()).await {
                    Ok(report) => println!(
                        "call {} ended: {} ms from the caller, {} ms to the caller, {} barge-in(s), truncated at {:?} ms",
                        report.stream_sid,
                        report.caller_bytes / 8,
                        report.model_bytes / 8,
                        report.interruptions.len(),
                        report.truncated_ms
                    ),
                    Err(error) => eprintln!("{peer}: the call failed: {error}"),
                }
            });
        }
    });
    if self_test {
        call_myself(&url).await?;
        // Let the bridge print its report.
        tokio::time::sleep(Duration::from_millis(300)).await;
    } else {
        server.await?;
    }
    Ok(())
}

/// A simulated caller: hello, listen to 200 ms of the answer, talk over it.
async fn call_myself(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut caller = SimulatedCaller::connect(url, "MZself-test").await?;
    caller.set_voice(Voice::Speaking);
    tokio::time::sleep(Duration::from_millis(600)).await;
    caller.set_voice(Voice::Silent);
    let mut heard = 0;
    while heard < 200 * 8 {
        match caller.next().await {
            Some(Heard::Media(audio)) => heard += audio.len(),
            Some(other) => println!("caller got {other:?}"),
            None => return Err("the bridge hung up".into()),
        }
    }
    println!(
        "caller heard {} ms of the answer; talking over it",
        heard / 8
    );
    caller.set_voice(Voice::Speaking);
    loop {
        match caller.next().await {
            Some(Heard::Clear) => break,
            Some(Heard::Media(audio)) => heard += audio.len(),
            Some(other) => println!("caller got {other:?}"),
            None => return Err("the bridge hung up".into()),
        }
    }
    println!("caller got `clear` after {} ms of the answer", heard / 8);
    tokio::time::sleep(Duration::from_millis(300)).await;
    caller.hang_up().await;
    Ok(())
}
