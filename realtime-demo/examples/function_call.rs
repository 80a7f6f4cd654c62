//! A function-calling round trip: the session offers a `get_weather` tool,
//! the model calls it, we answer with a `function_call_output` item and the
//! model continues. The tool's parameters are the JSON Schema of a Rust
//! type, and the model's arguments decode into it.
//!
//! `cargo run -p realtime-demo --example function_call` (embedded mock
//! unless `OPENAI_API_KEY` is set; the mock calls a tool whose name appears
//! in the user's text).

use realtime_client::prelude::*;
use realtime_demo::{Connected, connect, describe, say, update_session};
use realtime_mock::Pacing;
use realtime_types::ga::{FunctionCallOutput, FunctionTool, OutputModality, ServerEvent, Session};
use std::process::ExitCode;

/// The arguments of `get_weather` (the mock calls tools with `{}`, so the
/// city may be missing).
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct GetWeather {
    /// The city.
    #[serde(default)]
    city: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    realtime_demo::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let Connected {
        mut client,
        mock: _mock,
    } = connect(Pacing::RealTime).await?;
    let parameters = realtime_types::json_schema::<GetWeather>();
    let get_weather = FunctionTool::function()
        .with_name("get_weather")
        .with_description("The weather in a city.")
        .with_parameters(parameters.as_object().cloned().unwrap_or_default());
    let session = Session::default()
        .with_output_modalities([OutputModality::Text])
        .with_tools([get_weather.into()]);
    update_session(&client, session).await?;
    say(&client, "Please call get_weather for Paris.").await?;
    client.response_create().await?;

    let mut call = None;
    while let Some(event) = client.next_event().await {
        let event = event?;
        println!("{}", describe(&event));
        match event {
            ServerEvent::ResponseFunctionCallArgumentsDone(done) => call = Some(done),
            ServerEvent::ResponseDone(_) => break,
            _ => {}
        }
    }
    let call = call.ok_or("the model did not call the tool")?;
    let arguments: GetWeather = serde_json::from_str(&call.arguments)?;
    let city = arguments.city.as_deref().unwrap_or("anywhere");
    println!("get_weather({}) for {city}", call.arguments);
    let output = r#"{"temperature_c": 18, "sky": "clear"}"#;
    client
        .conversation_item_create(FunctionCallOutput::new(call.call_id, output))
        .await?;
    client.response_create().await?;
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
