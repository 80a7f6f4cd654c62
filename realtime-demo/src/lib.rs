//! What the demo and the examples share: connecting to OpenAI when
//! `OPENAI_API_KEY` is set, otherwise to an embedded mock server, and a
//! one-line description of each server event.

use realtime_client::{Error, RealtimeClient, Result};
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::ga::{ClientEventMethods as _, ServerEvent};
use realtime_types::schemas::{RealtimeClientEventSessionUpdateSession, RealtimeConversationItem};

/// A connected session, and the embedded mock it talks to (if any).
pub struct Session {
    /// The client.
    pub client: RealtimeClient,
    /// The embedded mock; `None` when talking to OpenAI.
    pub mock: Option<MockServer>,
}

/// Connects to OpenAI with `OPENAI_API_KEY` (model from `REALTIME_MODEL`,
/// default `gpt-realtime`), or to an embedded mock when no key is set.
pub async fn connect(pacing: Pacing) -> Result<Session> {
    let model = std::env::var("REALTIME_MODEL").unwrap_or_else(|_| "gpt-realtime".into());
    match std::env::var("OPENAI_API_KEY") {
        Ok(key) if !key.is_empty() => {
            let client = RealtimeClient::builder()
                .model(model)
                .api_key(key)
                .connect()
                .await?;
            Ok(Session { client, mock: None })
        }
        _ => {
            let mock = MockServer::start(MockConfig::default().with_pacing(pacing))
                .await
                .map_err(|e| {
                    realtime_client::Error::Transport(format!(
                        "cannot start the embedded mock: {e}"
                    ))
                })?;
            let base = mock.url().trim_end_matches("/realtime").to_string();
            let client = RealtimeClient::builder()
                .base_url(base)
                .model(model)
                .connect()
                .await?;
            Ok(Session {
                client,
                mock: Some(mock),
            })
        }
    }
}

/// Sends `session.update` for a realtime session given as JSON (its
/// `type` is filled in).
pub async fn update_session(client: &RealtimeClient, mut session: serde_json::Value) -> Result<()> {
    session["type"] = serde_json::json!("realtime");
    let session = serde_json::from_value(session).map_err(|e| Error::Encode(e.to_string()))?;
    client
        .session_update(
            RealtimeClientEventSessionUpdateSession::Realtime(session),
            None,
        )
        .await
}

/// Adds a user text message to the conversation.
pub async fn say(client: &RealtimeClient, text: &str) -> Result<()> {
    let item: RealtimeConversationItem = serde_json::from_value(serde_json::json!({
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]
    }))
    .map_err(|e| Error::Encode(e.to_string()))?;
    client.conversation_item_create(None, item, None).await
}

/// One line about an event: its type and what matters in it (text deltas
/// in full, audio as a byte count).
pub fn describe(event: &ServerEvent) -> String {
    let detail = match event {
        ServerEvent::SessionCreated(_) => "session ready".to_string(),
        ServerEvent::ResponseOutputTextDelta(delta) => format!("{:?}", delta.delta),
        ServerEvent::ResponseOutputAudioTranscriptDelta(delta) => format!("{:?}", delta.delta),
        ServerEvent::ResponseOutputAudioDelta(delta) => {
            format!("{} bytes of base64 audio", delta.delta.len())
        }
        ServerEvent::ResponseFunctionCallArgumentsDone(call) => {
            format!("{}({})", call.name, call.arguments)
        }
        ServerEvent::ResponseDone(done) => {
            let status = done
                .response
                .status
                .as_ref()
                .map_or("?".to_string(), |s| s.to_string());
            let tokens = done
                .response
                .usage
                .as_ref()
                .and_then(|u| u.total_tokens)
                .unwrap_or(0);
            format!("status {status}, {tokens} tokens")
        }
        ServerEvent::Error(error) => format!("{} ({})", error.error.message, error.error.r#type),
        _ => String::new(),
    };
    if detail.is_empty() {
        event.event_type().to_string()
    } else {
        format!("{:<40} {detail}", event.event_type())
    }
}

/// The README's examples (they use every crate of the workspace), compiled
/// and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
