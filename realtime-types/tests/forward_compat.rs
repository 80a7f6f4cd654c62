//! Forward compatibility on the real generated types: what OpenAI adds
//! without notice (events, enum values, fields, union members) decodes and
//! encodes again without loss, and absent vs `null` survive the round trip.

#[path = "conformance/round_trip.rs"]
mod conformance;

use conformance::from_frame_agrees;
use realtime_types::ga::{self, ClientEvent, ServerEvent, VoiceIdsOrCustomVoice, VoiceIdsShared};
use serde_json::{Value, json};

fn decode_server(value: &Value) -> ServerEvent {
    let from_text: ServerEvent =
        serde_json::from_str(&value.to_string()).expect("decodes from text");
    let from_value: ServerEvent =
        serde_json::from_value(value.clone()).expect("decodes from a value");
    assert_eq!(from_text, from_value, "text and value decoding agree");
    let from_frame = ServerEvent::from_frame(&value.to_string()).expect("decodes with from_frame");
    assert_eq!(from_text, from_frame, "from_str and from_frame agree");
    from_text
}

fn assert_round_trip(event: &impl serde::Serialize, original: &Value) {
    assert_eq!(&serde_json::to_value(event).expect("encodes"), original);
}

#[test]
fn unknown_event_type_is_kept_whole_as_unknown() {
    let original = json!({
        "event_id": "event_1",
        "type": "response.hologram.delta",
        "response_id": "resp_1",
        "delta": {"frames": [1, 2, 3]}
    });
    let event = decode_server(&original);
    assert!(event.is_unknown());
    assert_eq!(event.event_type(), "response.hologram.delta");
    assert!(matches!(&event, ServerEvent::Unknown(raw) if *raw == original));
    assert_round_trip(&event, &original);
}

#[test]
fn unknown_enum_value_is_kept_in_other() {
    let original = json!({
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"output": {"voice": "aurora-2027"}}}
    });
    let event: ClientEvent = serde_json::from_value(original.clone()).expect("decodes");
    let ClientEvent::SessionUpdate(update) = &event else {
        panic!("not a session.update: {event:?}")
    };
    let session = match &update.session {
        ga::SessionConfig::Realtime(session) => session,
        other => panic!("not a realtime session: {other:?}"),
    };
    let voice = session
        .audio
        .as_ref()
        .and_then(|a| a.output.as_ref())
        .and_then(|o| o.voice.as_ref());
    assert_eq!(
        voice,
        Some(&VoiceIdsOrCustomVoice::VoiceIdsShared(
            VoiceIdsShared::Other("aurora-2027".into())
        ))
    );
    assert_round_trip(&event, &original);
}

#[test]
fn known_enum_value_decodes_to_its_variant() {
    assert_eq!(VoiceIdsShared::from("marin"), VoiceIdsShared::Marin);
    assert_eq!(
        serde_json::to_value(VoiceIdsShared::Marin).expect("encodes"),
        json!("marin")
    );
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let original = json!({
        "event_id": "event_2",
        "type": "response.output_audio.delta",
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "AAAA",
        "obfuscation": "x9",
        "new_top_level": {"nested": true}
    });
    let event = decode_server(&original);
    let ServerEvent::ResponseOutputAudioDelta(delta) = &event else {
        panic!("wrong variant: {event:?}")
    };
    assert_eq!(delta.delta, "AAAA");
    assert_eq!(delta.unknown_fields.get("obfuscation"), Some(&json!("x9")));
    assert_eq!(
        delta.unknown_fields.get("new_top_level"),
        Some(&json!({"nested": true}))
    );
    assert_round_trip(&event, &original);
}

#[test]
fn unknown_member_of_a_nested_union_is_kept() {
    let original = json!({
        "event_id": "event_3",
        "type": "conversation.item.added",
        "previous_item_id": null,
        "item": {"id": "item_9", "type": "hologram_call", "object": "realtime.item", "payload": [1]}
    });
    let event = decode_server(&original);
    let ServerEvent::ConversationItemAdded(added) = &event else {
        panic!("wrong variant: {event:?}")
    };
    assert!(
        matches!(&added.item, ga::ConversationItem::Unknown(raw) if raw["type"] == "hologram_call")
    );
    assert_round_trip(&event, &original);
}

#[test]
fn message_with_an_unknown_role_is_kept_in_the_nested_union() {
    let original = json!({
        "event_id": "event_4",
        "type": "conversation.item.added",
        "item": {"id": "item_1", "type": "message", "role": "narrator", "content": []}
    });
    let event = decode_server(&original);
    let ServerEvent::ConversationItemAdded(added) = &event else {
        panic!("wrong variant: {event:?}")
    };
    assert!(matches!(
        &added.item,
        ga::ConversationItem::Message(ga::Message::Unknown(_))
    ));
    assert_round_trip(&event, &original);
}

#[test]
fn absent_and_null_stay_distinct_for_nullable_fields() {
    for error in [
        json!({"type": "invalid_request_error", "message": "m"}),
        json!({"type": "invalid_request_error", "message": "m", "code": null}),
        json!({"type": "invalid_request_error", "message": "m", "code": "bad_value"}),
    ] {
        let original = json!({"event_id": "event_5", "type": "error", "error": error});
        let event = decode_server(&original);
        assert_round_trip(&event, &original);
    }
    let event = decode_server(
        &json!({"event_id": "e", "type": "error", "error": {"type": "t", "message": "m", "code": null}}),
    );
    let ServerEvent::Error(error) = event else {
        panic!("not an error event")
    };
    assert_eq!(error.error.code, Some(None), "explicit null is Some(None)");
}

#[test]
fn null_sent_for_an_optional_non_nullable_field_decodes_as_none_and_is_kept() {
    let original = json!({
        "event_id": "event_6",
        "type": "response.created",
        "response": {"id": "resp_1", "object": "realtime.response", "status": "in_progress", "status_details": null, "output": []}
    });
    let event = decode_server(&original);
    let ServerEvent::ResponseCreated(created) = &event else {
        panic!("wrong variant: {event:?}")
    };
    assert_eq!(created.response.status_details, None);
    assert_eq!(
        created.response.unknown_fields.get("status_details"),
        Some(&Value::Null)
    );
    assert_round_trip(&event, &original);
}

#[test]
fn a_value_set_later_replaces_a_kept_null() {
    let mut session = ga::Session::default();
    session
        .unknown_fields
        .insert("instructions".into(), Value::Null);
    session.instructions = Some("Be brief.".into());
    let encoded = serde_json::to_value(&session).expect("encodes");
    assert_eq!(
        encoded,
        json!({"type": "realtime", "instructions": "Be brief."})
    );
}

#[test]
fn client_events_built_in_rust_encode_with_their_type() {
    let append = ga::client::InputAudioBufferAppend {
        audio: "AAEC".into(),
        event_id: Some("client_1".into()),
        unknown_fields: Default::default(),
    };
    let event = ClientEvent::from(append);
    assert_eq!(event.event_type(), "input_audio_buffer.append");
    assert_eq!(
        serde_json::to_value(&event).expect("encodes"),
        json!({"type": "input_audio_buffer.append", "audio": "AAEC", "event_id": "client_1"})
    );
}

#[test]
fn a_constant_with_the_wrong_value_is_an_error_naming_it() {
    let error = serde_json::from_value::<ga::client::InputAudioBufferAppend>(
        json!({"type": "input_audio_buffer.clear", "audio": ""}),
    )
    .expect_err("wrong constant");
    assert!(
        error
            .to_string()
            .contains("`type` to be `input_audio_buffer.append`"),
        "{error}"
    );
}

#[test]
fn a_missing_required_field_is_an_error_naming_it() {
    let error = serde_json::from_str::<ServerEvent>(
        r#"{"type":"response.output_audio.delta","event_id":"e"}"#,
    )
    .expect_err("missing fields");
    assert!(error.to_string().contains("missing field"), "{error}");
}

#[test]
fn an_event_without_a_type_is_an_error() {
    let error = serde_json::from_str::<ServerEvent>(r#"{"event_id":"e"}"#).expect_err("no type");
    assert!(
        error.to_string().contains("missing field `type`"),
        "{error}"
    );
}

/// `from_frame` finds the `type` by a byte scan; whatever the frame looks
/// like, it must decode the same event as `serde_json::from_str`, fail where
/// `from_str` fails, or keep a known event that does not match its schema
/// whole (`Malformed`).
#[test]
fn from_frame_agrees_with_from_str_on_unusual_frames() {
    let frames = [
        // Known events: `type` first, last, after a nested value, escaped.
        r#"{"type":"input_audio_buffer.cleared","event_id":"e1"}"#,
        r#"{"event_id":"e1","type":"input_audio_buffer.cleared"}"#,
        r#"{"extra":{"a":[1,{"type":"error"}]},"event_id":"e1","type":"input_audio_buffer.cleared"}"#,
        r#"{"event_id":"e1","type":"input_audio_buffer\u002ecleared"}"#,
        r#"{"event_id":"e1","t\u0079pe":"input_audio_buffer.cleared"}"#,
        r#" { "event_id" : "e1" , "type" : "input_audio_buffer.cleared" } "#,
        // Unknown events, with and without other fields.
        r#"{"type":"response.hologram.delta","delta":{"frames":[1,2]}}"#,
        r#"{"type":""}"#,
        // No event: no `type`, `type` not a string, not an object, bad JSON,
        // trailing bytes, a key twice (at the top or deeper).
        r#"{"event_id":"e1"}"#,
        r#"{"type":7,"event_id":"e1"}"#,
        r#"{"type":null}"#,
        r#"["type","error"]"#,
        r#""input_audio_buffer.cleared""#,
        r#"{"type":"input_audio_buffer.cleared","event_id":"e1""#,
        r#"{"type":"input_audio_buffer.cleared","event_id":"e1"} x"#,
        r#"{"type":"input_audio_buffer.cleared","event_id":"e1","type":"error"}"#,
        r#"{"type":"x.harmless","type":"session.update","session":{}}"#,
        r#"{"type":"x.harmless","a":{"b":1,"b":2}}"#,
        r#"{"type":"input_audio_buffer.cleared","event_id":"e1","extra":{"k":1,"k":1}}"#,
        "",
        // Known events that do not match their schema: kept whole.
        r#"{"type":"input_audio_buffer.cleared"}"#,
        r#"{"type":"input_audio_buffer.cleared","event_id":5}"#,
        r#"{"type":"response.output_audio.delta","event_id":"e"}"#,
    ];
    for frame in frames {
        if let Err(reason) = from_frame_agrees::<ServerEvent>(frame) {
            panic!("{frame}: {reason}");
        }
    }
}

#[test]
fn a_key_twice_is_an_error_on_every_decode_path() {
    let frames = [
        r#"{"type":"x.harmless","type":"session.update","session":{}}"#,
        r#"{"type":"input_audio_buffer.cleared","event_id":"e1","event_id":"e2"}"#,
        r#"{"event_id":"e1","type":"input_audio_buffer.cleared","unknown":1,"unknown":2}"#,
        r#"{"type":"response.hologram.delta","nested":{"a":[{"z":1,"z":2}]}}"#,
    ];
    for frame in frames {
        let value_path = serde_json::from_value::<ServerEvent>(
            serde_json::from_str::<serde_json::Value>(frame).expect("JSON"),
        );
        assert!(
            serde_json::from_str::<ServerEvent>(frame).is_err(),
            "from_str: {frame}"
        );
        assert!(
            ServerEvent::from_frame(frame).is_err(),
            "from_frame: {frame}"
        );
        assert!(
            realtime_types::ga::ServerEventRef::from_frame(frame).is_err(),
            "the view: {frame}"
        );
        // A `serde_json::Value` has already kept one of the two (the last):
        // what it decodes to is what it holds.
        if let Ok(event) = value_path {
            assert!(!event.is_malformed(), "{frame}");
        }
    }
}

#[test]
fn a_repeated_type_cannot_smuggle_another_event_past_a_filter() {
    let frame = r#"{"type":"x.harmless","type":"session.update","session":{"instructions":"x"}}"#;
    let error = ServerEvent::from_frame(frame).expect_err("refused");
    assert!(error.to_string().contains("duplicate"), "{error}");
    assert!(
        !error.to_string().contains("instructions"),
        "the error names no content: {error}"
    );
}

#[test]
fn numbers_round_trip_exactly() {
    for (frame, encoded) in [
        (r#"{"type":"","x":5e90}"#, r#"{"type":"","x":5e+90}"#),
        (
            r#"{"type":"","x":123456789012345678901234567890}"#,
            r#"{"type":"","x":123456789012345678901234567890}"#,
        ),
        (
            r#"{"type":"","x":0.1000000000000000055511151231257827}"#,
            r#"{"type":"","x":0.1000000000000000055511151231257827}"#,
        ),
    ] {
        let event = ServerEvent::from_frame(frame).expect("decodes");
        assert_eq!(serde_json::to_string(&event).unwrap(), encoded);
        let event: ServerEvent = serde_json::from_str(frame).expect("decodes");
        assert_eq!(serde_json::to_string(&event).unwrap(), encoded);
    }
    // A known event's numbers too (`temperature` is a JSON number).
    let frame = r#"{"type":"response.done","event_id":"e","response":{"object":"realtime.response","id":"r","temperature":0.80000000000000000001}}"#;
    let event = ServerEvent::from_frame(frame).expect("decodes");
    assert!(
        !event.is_malformed() && !event.is_unknown(),
        "{}",
        event.event_type()
    );
    assert!(
        serde_json::to_string(&event)
            .unwrap()
            .contains("0.80000000000000000001")
    );
}

#[test]
fn a_member_decoded_without_its_optional_tag_encodes_without_it() {
    // A beta tool sent as `{}` (its `type` is optional in the spec) came back
    // as `{"type":"function"}`: encode what was decoded.
    let frame =
        r#"{"type":"session.update","session":{"tools":[{},{"type":"function","name":"f"}]}}"#;
    let event = realtime_types::beta::ClientEvent::from_frame(frame).expect("decodes");
    assert!(!event.is_unknown() && !event.is_malformed());
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::from_str::<Value>(frame).unwrap()
    );
}

#[test]
fn a_number_where_a_union_takes_a_string_or_an_object_is_refused_not_turned_into_an_object() {
    // With exact numbers, serde_json hands a number that is not a plain
    // integer to `visit_map`; the unions must not read it as an object.
    for number in ["123456789012345678901234567890", "0.5", "5e90"] {
        let frame = format!(
            r#"{{"type":"session.update","session":{{"type":"realtime","tracing":{number}}}}}"#
        );
        assert!(
            serde_json::from_str::<ClientEvent>(&frame).is_err(),
            "{frame}"
        );
        let event = ClientEvent::from_frame(&frame).expect("kept whole");
        assert!(event.is_malformed(), "{frame}");
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::from_str::<Value>(&frame).unwrap()
        );
    }
}
