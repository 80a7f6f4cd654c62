//! A function-calling round trip: the session offers a `get_weather` tool,
//! the model calls it, we answer with a `function_call_output` item and the
//! model continues.
//!
//! `cargo run -p realtime-demo --example function_call` (embedded mock
//! unless `OPENAI_API_KEY` is set; the mock calls a tool whose name appears
//! in the user's text).

use realtime_demo::{Session, connect, describe, say, update_session};
use realtime_mock::Pacing;
use realtime_types::ga::{ClientEventMethods as _, ServerEvent};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Session {
        mut client,
        mock: _mock,
    } = connect(Pacing::RealTime).await?;
    update_session(
        &client,
        serde_json::json!({
            "output_modalities": ["text"],
            "tools": [{
                "type": "function", "name": "get_weather", "description": "The weather in a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
            }]
        }),
    )
    .await?;
    say(&client, "Please call get_weather for Paris.").await?;
    client.response_create(None, None).await?;

    let mut call_id = None;
    while let Some(event) = client.next_event().await {
        let event = event?;
        println!("{}", describe(&event));
        match event {
            ServerEvent::ResponseFunctionCallArgumentsDone(call) => call_id = Some(call.call_id),
            ServerEvent::ResponseDone(_) => break,
            _ => {}
        }
    }
    let call_id = call_id.ok_or("the model did not call the tool")?;
    let output = serde_json::from_value(serde_json::json!({
        "type": "function_call_output", "call_id": call_id, "output": "{\"temperature_c\": 18, \"sky\": \"clear\"}"
    }))?;
    client.conversation_item_create(None, output, None).await?;
    client.response_create(None, None).await?;
    let mut answer = String::new();
    while let Some(event) = client.next_event().await {
        let event = event?;
        println!("{}", describe(&event));
        match event {
            ServerEvent::ResponseOutputTextDelta(delta) => answer.push_str(&delta.delta),
            ServerEvent::ResponseDone(_) => break,
            _ => {}
        }
    }
    println!("answer: {answer}");
    client.close(1000, "done").await?;
    Ok(())
}
