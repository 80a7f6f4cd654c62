//! The Twilio bridge end to end over loopback: a simulated Twilio caller,
//! the bridge, and the mock server in real time. The caller talks, the
//! model answers, the caller talks over it: Twilio gets `clear`, and the
//! server's truncate is what the caller was sent, to the millisecond.

use std::time::Duration;

use realtime_client::RealtimeClient;
use realtime_media::twilio::simulated::{Heard, SimulatedCaller, Voice};
use realtime_media::twilio::{BridgeOptions, BridgeReport, SessionAudio, bridge};
use realtime_mock::{MockConfig, MockServer, Reply, ScriptedResponder};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::timeout;

const PATIENCE: Duration = Duration::from_secs(10);

/// A bridge listening on loopback for one call, to a session on `mock`.
async fn bridge_one_call(
    mock: &MockServer,
    options: BridgeOptions,
) -> (String, JoinHandle<BridgeReport>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("ws://{}/media", listener.local_addr().expect("bound"));
    let base_url = mock.base_url().to_string();
    let call = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("Twilio connects");
        let socket = tokio_tungstenite::accept_async(tcp).await.expect("upgrade");
        let client = RealtimeClient::builder()
            .base_url(base_url)
            .model("gpt-realtime")
            .connect()
            .await
            .expect("the session connects");
        bridge(socket, client, options)
            .await
            .expect("the call bridges")
    });
    (url, call)
}

/// A mock whose model answers every turn at length (about 3 s of audio).
async fn mock() -> MockServer {
    let long = Reply::Message {
        text: "Thank you for calling, let me tell you all about our offers.".into(),
    };
    MockServer::start(MockConfig::default().with_responder(ScriptedResponder::new(vec![long; 4])))
        .await
        .expect("the mock starts")
}

/// μ-law bytes of model audio the caller gets before `clear` (which must come).
async fn audio_until_clear(caller: &mut SimulatedCaller, mut bytes: usize) -> usize {
    loop {
        match timeout(PATIENCE, caller.next()).await.expect("in time") {
            Some(Heard::Media(audio)) => bytes += audio.len(),
            Some(Heard::Clear) => return bytes,
            Some(other @ (Heard::Mark(_) | Heard::Unreadable { .. })) => {
                panic!("unexpected {other:?}")
            }
            None => panic!("the bridge hung up"),
        }
    }
}

async fn barge_in_over_the_model(session_audio: SessionAudio) -> (BridgeReport, usize) {
    let mock = mock().await;
    let options = BridgeOptions::default().with_session_audio(session_audio);
    let (url, call) = bridge_one_call(&mock, options).await;
    let mut caller = SimulatedCaller::connect(&url, "MZ00000000000000000000000000000001")
        .await
        .expect("the caller connects");
    // "Hello?" (600 ms), then silence until the model has spoken 400 ms.
    caller.set_voice(Voice::Speaking);
    tokio::time::sleep(Duration::from_millis(600)).await;
    caller.set_voice(Voice::Silent);
    let mut heard = 0;
    while heard < 400 * 8 {
        match timeout(PATIENCE, caller.next())
            .await
            .expect("the model answers")
        {
            Some(Heard::Media(audio)) => heard += audio.len(),
            other => panic!("unexpected {other:?}"),
        }
    }
    // The caller talks over the model.
    caller.set_voice(Voice::Speaking);
    let heard = audio_until_clear(&mut caller, heard).await;
    // Long enough for the truncate's answer, then hang up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    caller.hang_up().await;
    let report = timeout(PATIENCE, call)
        .await
        .expect("the bridge ends")
        .expect("the bridge task does not panic");
    (report, heard)
}

#[tokio::test]
async fn a_ulaw_call_barges_in_with_clear_and_truncates_at_what_the_caller_was_sent() {
    let (report, heard_bytes) = barge_in_over_the_model(SessionAudio::Ulaw).await;
    assert_eq!(report.clears, 1);
    assert_eq!(report.interruptions.len(), 1);
    // μ-law end to end: 8 bytes a millisecond, nothing resampled.
    let heard_ms = (heard_bytes / 8) as i64;
    assert_eq!(report.truncated_ms, [heard_ms]);
    assert_eq!(report.model_bytes, heard_bytes as u64);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // 600 ms of speech, then at least until the model had spoken 400 ms.
    assert!(report.caller_bytes >= 1_000 * 8, "{}", report.caller_bytes);
}

#[tokio::test]
async fn a_pcm16_session_resamples_both_ways_and_truncates_within_the_resampler_delay() {
    let (report, heard_bytes) = barge_in_over_the_model(SessionAudio::Pcm16).await;
    assert_eq!(report.clears, 1);
    let heard_ms = (heard_bytes / 8) as i64;
    let [truncated] = report.truncated_ms[..] else {
        panic!("one truncate, not {:?}", report.truncated_ms);
    };
    // Heard is counted at the session's 24 kHz; the caller got it at
    // 8 kHz, less what the resampler held (under 10 ms) and its filter's
    // delay (under 10 ms at this ratio).
    assert!(
        truncated >= heard_ms && truncated - heard_ms <= 20,
        "{truncated} vs {heard_ms}"
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}
