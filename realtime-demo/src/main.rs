//! `cargo run -p realtime-demo`: a short scripted conversation, printing the
//! typed server events as they arrive. Without `OPENAI_API_KEY` it talks to
//! an embedded mock server (offline); with it, to OpenAI.

use std::process::ExitCode;

use realtime_client::{RealtimeClient, Result};
use realtime_demo::{Session, connect, describe};
use realtime_mock::Pacing;
use realtime_types::ga::{ClientEvent, ServerEvent};
use realtime_types::schemas::{
    RealtimeClientEventConversationItemCreate, RealtimeClientEventResponseCreate,
    RealtimeClientEventSessionUpdate, RealtimeClientEventSessionUpdateSession,
    RealtimeConversationItem, RealtimeSessionCreateRequestGa,
};

const QUESTIONS: [&str; 2] = ["Hello! Who are you?", "Say something about the weather."];

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let Session { mut client, mock } = connect(Pacing::RealTime).await?;
    match &mock {
        Some(mock) => println!(
            "no OPENAI_API_KEY: talking to the embedded mock at {}",
            mock.url()
        ),
        None => println!("talking to OpenAI"),
    }
    wait_for(&mut client, "session.created").await?;
    let session = RealtimeSessionCreateRequestGa {
        instructions: Some("Answer in one short sentence.".into()),
        ..Default::default()
    };
    client
        .send(RealtimeClientEventSessionUpdate {
            event_id: None,
            session: RealtimeClientEventSessionUpdateSession::Realtime(session),
            unknown_fields: Default::default(),
        })
        .await?;
    wait_for(&mut client, "session.updated").await?;
    for question in QUESTIONS {
        println!("\n> {question}");
        client.send(user_message(question)?).await?;
        client
            .send(RealtimeClientEventResponseCreate::default())
            .await?;
        wait_for(&mut client, "response.done").await?;
    }
    client.close(1000, "demo finished").await?;
    Ok(())
}

/// A user text message as a `conversation.item.create` event.
fn user_message(text: &str) -> Result<ClientEvent> {
    let item: RealtimeConversationItem = serde_json::from_value(serde_json::json!({
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]
    }))
    .map_err(|e| realtime_client::Error::Encode(e.to_string()))?;
    Ok(RealtimeClientEventConversationItemCreate {
        event_id: None,
        previous_item_id: None,
        item,
        unknown_fields: Default::default(),
    }
    .into())
}

/// Prints events until one of type `last` arrived.
async fn wait_for(client: &mut RealtimeClient, last: &str) -> Result<()> {
    while let Some(event) = client.next_event().await {
        let event = event?;
        println!("  {}", describe(&event));
        if let ServerEvent::Error(error) = &event {
            eprintln!("  (server error: {})", error.error.message);
        }
        if event.event_type() == last {
            return Ok(());
        }
    }
    Err(realtime_client::Error::SessionClosed)
}
