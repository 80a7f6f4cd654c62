//! Text chat on stdin/stdout: each line you type is a user message; the
//! answer streams back as text.
//!
//! `cargo run -p realtime-demo --example text_chat` (embedded mock unless
//! `OPENAI_API_KEY` is set). End with Ctrl-D.

use std::io::Write as _;
use std::process::ExitCode;

use realtime_demo::{Connected, connect, say};
use realtime_mock::Pacing;
use realtime_types::ga::client::ResponseCreate;
use realtime_types::ga::{OutputModality, ResponseCreateParams, ServerEvent};
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main]
async fn main() -> ExitCode {
    realtime_demo::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let Connected {
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
        let text_only =
            ResponseCreateParams::default().with_output_modalities([OutputModality::Text]);
        client
            .send(ResponseCreate::default().with_response(text_only))
            .await?;
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
