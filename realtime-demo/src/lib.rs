//! What the demo and the examples share: connecting to OpenAI when
//! `OPENAI_API_KEY` is set, otherwise to an embedded mock server, and a
//! one-line description of each server event.

use realtime_client::prelude::*;
use realtime_client::{Result, types::ga::ServerEvent};
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::ga::{Session, UserContent, UserMessage};

/// A connected session, and the embedded mock it talks to (if any).
pub struct Connected {
    /// The client.
    pub client: RealtimeClient,
    /// The embedded mock; `None` when talking to OpenAI.
    pub mock: Option<MockServer>,
}

/// Connects to OpenAI with `OPENAI_API_KEY` (model from `REALTIME_MODEL`,
/// default `gpt-realtime`), or to an embedded mock when no key is set.
pub async fn connect(pacing: Pacing) -> Result<Connected> {
    let model = std::env::var("REALTIME_MODEL").unwrap_or_else(|_| "gpt-realtime".into());
    match std::env::var("OPENAI_API_KEY") {
        Ok(key) if !key.is_empty() => {
            let client = RealtimeClient::builder()
                .model(model)
                .api_key(key)
                .connect()
                .await?;
            Ok(Connected { client, mock: None })
        }
        _ => {
            let mock = MockServer::start(MockConfig::default().with_pacing(pacing))
                .await
                .map_err(|e| realtime_client::Error::Connect {
                    host: "the embedded mock".into(),
                    tls: false,
                    source: Box::new(e),
                })?;
            let base = mock.base_url().to_string();
            let client = RealtimeClient::builder()
                .base_url(base)
                .model(model)
                .connect()
                .await?;
            Ok(Connected {
                client,
                mock: Some(mock),
            })
        }
    }
}

/// Sends `session.update` with a realtime session configuration.
pub async fn update_session(client: &RealtimeClient, session: Session) -> Result<()> {
    client.session_update(session).await
}

/// Adds a user text message to the conversation.
pub async fn say(client: &RealtimeClient, text: &str) -> Result<()> {
    let message = UserMessage::new([UserContent::input_text().with_text(text)]);
    client.conversation_item_create(message).await
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
