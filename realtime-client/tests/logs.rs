//! The API key and frame contents appear in no log line: every tracing event
//! and span field of a whole session (including a refused handshake and
//! malformed frames) is captured and searched.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use realtime_client::RealtimeClient;
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::ga::ClientEventMethods as _;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const KEY: &str = "sk-never-in-logs-0123456789";
const PAYLOAD_MARKER: &str = "secret-user-words";

/// Records every field of every span and event as text.
#[derive(Default)]
struct Capture {
    lines: Arc<Mutex<String>>,
    next_id: Mutex<u64>,
}

impl Capture {
    fn push(&self, line: String) {
        let mut lines = self
            .lines
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        lines.push_str(&line);
        lines.push('\n');
    }
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut text = format!("span {}", span.metadata().name());
        span.record(&mut Writer(&mut text));
        self.push(text);
        let mut id = self
            .next_id
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *id += 1;
        Id::from_u64(*id)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut text = String::from("record");
        values.record(&mut Writer(&mut text));
        self.push(text);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = format!("event {}", event.metadata().target());
        event.record(&mut Writer(&mut text));
        self.push(text);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn captured() -> Arc<Mutex<String>> {
    static LINES: OnceLock<Arc<Mutex<String>>> = OnceLock::new();
    LINES
        .get_or_init(|| {
            let capture = Capture::default();
            let lines = capture.lines.clone();
            tracing::subscriber::set_global_default(capture).expect("the only subscriber");
            lines
        })
        .clone()
}

#[tokio::test]
async fn neither_the_key_nor_frame_contents_are_logged() {
    let lines = captured();
    let server = MockServer::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_pacing(Pacing::Immediate),
    )
    .await
    .unwrap();
    let base = server.base_url().to_string();

    let refused = RealtimeClient::builder()
        .base_url(&base)
        .model("m")
        .api_key("sk-wrong-never-in-logs")
        .connect()
        .await;
    assert!(refused.is_err());

    let mut client = RealtimeClient::builder()
        .base_url(&base)
        .model("m")
        .api_key(KEY)
        .connect()
        .await
        .unwrap();
    client
        .input_audio_buffer_append(format!("{PAYLOAD_MARKER}=="))
        .await
        .unwrap();
    server.inject_frame(format!(r#"{{"type": "x", "content": "{PAYLOAD_MARKER}""#));
    server.inject_frame(format!(
        r#"{{"type": "response.output_text.delta", "delta": ["{PAYLOAD_MARKER}"]}}"#
    ));
    for _ in 0..4 {
        let _ = tokio::time::timeout(Duration::from_secs(2), client.next_event()).await;
    }
    client.close(1000, "done").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let text = lines.lock().unwrap().clone();
    assert!(
        text.contains("realtime.connect"),
        "logging was captured:\n{text}"
    );
    assert!(text.contains("bytes="), "frame sizes are logged:\n{text}");
    for secret in [KEY, "sk-wrong-never-in-logs", PAYLOAD_MARKER] {
        assert!(
            !text.contains(secret),
            "`{secret}` appears in the logs:\n{text}"
        );
    }
}
