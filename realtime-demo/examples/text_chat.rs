//! Text chat on stdin/stdout: each line you type is a user message; the
//! answer streams back as text.
//!
//! `cargo run -p realtime-demo --example text_chat` (embedded mock unless
//! `OPENAI_API_KEY` is set). End with Ctrl-D.

use std::io::Write as _;

use realtime_demo::{Session, connect, say};
use realtime_mock::Pacing;
use realtime_types::ga::{ClientEventMethods as _, ServerEvent};
use realtime_types::schemas::RealtimeResponseCreateParams;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Session {
        mut client,
        mock: _mock,
    } = connect(Pacing::RealTime).await?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    eprintln!("type a message and press Enter (Ctrl-D to quit)");
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        say(&client, &line).await?;
        let text_only: RealtimeResponseCreateParams =
            serde_json::from_value(serde_json::json!({"output_modalities": ["text"]}))?;
        client.response_create(Some(text_only), None).await?;
        while let Some(event) = client.next_event().await {
            match event? {
                ServerEvent::ResponseOutputTextDelta(delta) => {
                    print!("{}", delta.delta);
                    std::io::stdout().flush()?;
                }
                ServerEvent::ResponseDone(_) => {
                    println!();
                    break;
                }
                ServerEvent::Error(error) => eprintln!("server error: {}", error.error.message),
                _ => {}
            }
        }
    }
    client.close(1000, "bye").await?;
    Ok(())
}
