//! Prints client events built only with the generated constructors and
//! setters, one JSON line each (`{"surface": .., "event": ..}`), for
//! `realtime-types/tests/sdk/built_events_openai_python.py`, which checks
//! them against openai-python's own client event models: a misnamed field,
//! a wrong `type` or a value of the wrong type fails there.
//!
//! `cargo run -p realtime-types --example built_events`

use realtime_types::ga::client::{
    ConversationItemCreate, ConversationItemDelete, ConversationItemRetrieve,
    ConversationItemTruncate, InputAudioBufferAppend, InputAudioBufferClear,
    InputAudioBufferCommit, OutputAudioBufferClear, ResponseCancel, ResponseCreate, SessionUpdate,
};
use realtime_types::ga::{
    AssistantContent, AssistantMessage, AudioTranscription, ClientEvent, FunctionCall,
    FunctionCallOutput, FunctionTool, NoiseReduction, OutputModality, PcmAudioFormat,
    PcmuAudioFormat, ResponseCreateParams, SemanticVad, ServerVad, Session, SystemContent,
    SystemMessage, TranscriptionSession, UserContent, UserMessage,
};
use realtime_types::{beta, translation};

fn ga_events() -> Vec<ClientEvent> {
    let session = Session::default()
        .with_instructions("Answer briefly.")
        .with_output_modalities([OutputModality::Audio])
        .edit_audio(|audio| {
            audio
                .edit_input(|input| {
                    input
                        .with_format(PcmAudioFormat::default().with_rate(24_000))
                        .with_noise_reduction(NoiseReduction::near_field())
                        .with_transcription(
                            AudioTranscription::default().with_model("gpt-4o-transcribe"),
                        )
                        .with_turn_detection(
                            ServerVad::default()
                                .with_threshold(0.6)
                                .with_silence_duration_ms(400),
                        )
                })
                .edit_output(|output| output.with_voice("marin").with_speed(1.1))
        })
        .with_tools([FunctionTool::function()
            .with_name("get_weather")
            .with_description("The weather in a city.")
            .into()]);
    let semantic = Session::default().edit_audio(|audio| {
        audio.edit_input(|input| {
            input
                .with_format(PcmuAudioFormat::default())
                .with_turn_detection(SemanticVad::default().with_eagerness("high"))
        })
    });
    let no_vad = Session::default()
        .edit_audio(|audio| audio.edit_input(|input| input.with_turn_detection_null()));
    let transcription = TranscriptionSession::default().edit_audio(|audio| {
        audio.edit_input(|input| {
            input.with_transcription(AudioTranscription::default().with_language("fr"))
        })
    });
    vec![
        SessionUpdate::new(session).with_event_id("evt_1").into(),
        SessionUpdate::new(semantic).into(),
        SessionUpdate::new(no_vad).into(),
        SessionUpdate::new(transcription).into(),
        ConversationItemCreate::new(UserMessage::new([
            UserContent::input_text().with_text("Hello!"),
            UserContent::input_audio().with_audio("AAAA"),
        ]))
        .into(),
        ConversationItemCreate::new(SystemMessage::new([
            SystemContent::input_text().with_text("Be kind.")
        ]))
        .with_previous_item_id("item_0")
        .into(),
        ConversationItemCreate::new(AssistantMessage::new([
            AssistantContent::output_text().with_text("Hi.")
        ]))
        .into(),
        ConversationItemCreate::new(
            FunctionCall::new("get_weather", r#"{"city":"Paris"}"#).with_call_id("call_1"),
        )
        .into(),
        ConversationItemCreate::new(FunctionCallOutput::new("call_1", r#"{"sky":"clear"}"#)).into(),
        ConversationItemTruncate::new("item_1", 0, 1_500).into(),
        ConversationItemDelete::new("item_1").into(),
        ConversationItemRetrieve::new("item_1").into(),
        InputAudioBufferAppend::new("AAAA").into(),
        InputAudioBufferCommit::default().into(),
        InputAudioBufferClear::default().into(),
        OutputAudioBufferClear::default().into(),
        ResponseCancel::default().with_response_id("resp_1").into(),
        ResponseCreate::default().into(),
        ResponseCreate::default()
            .with_response(
                ResponseCreateParams::default()
                    .with_instructions("Say goodbye.")
                    .with_output_modalities([OutputModality::Text]),
            )
            .into(),
    ]
}

fn beta_events() -> Vec<beta::ClientEvent> {
    use beta::client::{
        ConversationItemCreate, InputAudioBufferAppend, ResponseCreate, SessionUpdate,
    };
    let session = beta::SessionCreateRequest::default()
        .with_instructions("Answer briefly.")
        .with_voice("alloy")
        .with_input_audio_format("pcm16")
        .with_temperature(0.8);
    let item = beta::ConversationItem::default()
        .with_type("message")
        .with_role("user")
        .with_content([beta::ContentItem::input_text().with_text("Hello!")]);
    vec![
        SessionUpdate::new(session).into(),
        ConversationItemCreate::new(item).into(),
        InputAudioBufferAppend::new("AAAA").into(),
        ResponseCreate::default().into(),
    ]
}

fn translation_events() -> Vec<translation::ClientEvent> {
    use translation::client::{SessionClose, SessionInputAudioBufferAppend, SessionUpdate};
    vec![
        SessionUpdate::new(translation::TranslationSessionConfig::default()).into(),
        SessionInputAudioBufferAppend::new("AAAA").into(),
        SessionClose::default().into(),
    ]
}

fn print(surface: &str, event: impl serde::Serialize) -> Result<(), serde_json::Error> {
    let event = serde_json::to_string(&event)?;
    println!(r#"{{"surface":"{surface}","event":{event}}}"#);
    Ok(())
}

fn main() -> Result<(), serde_json::Error> {
    for event in ga_events() {
        print("ga", event)?;
    }
    for event in beta_events() {
        print("beta", event)?;
    }
    for event in translation_events() {
        print("translation", event)?;
    }
    Ok(())
}
