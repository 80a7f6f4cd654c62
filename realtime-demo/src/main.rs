//! `cargo run -p realtime-demo`: a short scripted conversation, printing the
//! typed server events as they arrive. Without `OPENAI_API_KEY` it talks to
//! an embedded mock server (offline); with it, to OpenAI.

use std::process::ExitCode;

use realtime_client::Result;
use realtime_client::prelude::*;
use realtime_demo::{Connected, connect, describe, say, update_session};
use realtime_mock::Pacing;
use realtime_types::ga::{ServerEvent, Session};

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
    let Connected { mut client, mock } = connect(Pacing::RealTime).await?;
    match &mock {
        Some(mock) => println!(
            "no OPENAI_API_KEY: talking to the embedded mock at {}",
            mock.url()
        ),
        None => println!("talking to OpenAI"),
    }
    wait_for(&mut client, "session.created").await?;
    let session = Session::default().with_instructions("Answer in one short sentence.");
    update_session(&client, session).await?;
    wait_for(&mut client, "session.updated").await?;
    for question in QUESTIONS {
        println!("\n> {question}");
        say(&client, question).await?;
        client.response_create().await?;
        wait_for(&mut client, "response.done").await?;
    }
    client.close(1000, "demo finished").await?;
    Ok(())
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
