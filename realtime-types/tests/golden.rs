//! The golden files of `realtime-codegen` (`codegen/tests/golden/<case>/`),
//! compiled against this crate's runtime and exercised: each case's
//! `shared.rs` and `beta/` are included as a module, and the tests below pin
//! down how the generated types behave on the wire.
//!
//! The golden files themselves are checked byte for byte by
//! `cargo test -p realtime-codegen --test golden`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

// The modules are generated code: `#[rustfmt::skip]` keeps rustfmt from
// rewriting the golden files (it follows `mod` declarations), and
// `#[allow(dead_code)]` is needed because a test crate does not use every
// generated item (unused unions, `From` impls, accessors, ...).
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/borrowed_views"]
mod borrowed_views {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::client::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/cursed_names"]
mod cursed_names {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/kind_unions"]
mod kind_unions {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/nested_unions"]
mod nested_unions {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/recursion"]
mod recursion {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/server_errors"]
mod server_errors {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/string_enums"]
mod string_enums {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/structs"]
mod structs {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::client::*;
        pub use super::beta::server::*;
    }
}
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../../codegen/tests/golden/tagged_unions"]
mod tagged_unions {
    pub mod shared;
    pub mod beta;
    /// Every type of the case, wherever the generator placed it (not every
    /// case has a type in each module).
    #[allow(unused_imports)]
    pub mod schemas {
        pub use super::shared::*;
        pub use super::beta::*;
        pub use super::beta::server::*;
    }
}

/// The cases included above, in the order of their folder names.
const INCLUDED_CASES: &[&str] = &[
    "borrowed_views",
    "cursed_names",
    "kind_unions",
    "nested_unions",
    "recursion",
    "server_errors",
    "string_enums",
    "structs",
    "tagged_unions",
];

#[test]
fn every_golden_case_is_compiled_here() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/golden");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .collect();
    cases.sort();
    assert_eq!(
        cases, INCLUDED_CASES,
        "add a `mod <case> {{ .. }}` with the case's `shared.rs` and `beta/mod.rs` for each new case"
    );
}

/// Decodes `value` from its text and from the value itself; both must agree.
fn decode<T: DeserializeOwned + PartialEq + std::fmt::Debug>(value: &Value) -> T {
    let from_text: T = serde_json::from_str(&value.to_string())
        .unwrap_or_else(|e| panic!("decoding {value} from text: {e}"));
    let from_value: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("decoding {value} from a value: {e}"));
    assert_eq!(from_text, from_value, "text and value decode differently");
    from_text
}

/// Encodes to a JSON value.
fn encode<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("generated types always encode")
}

/// Decodes `value`, checks that it encodes back to an equal value, returns it.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(value: Value) -> T {
    let decoded: T = decode(&value);
    assert_eq!(encode(&decoded), value, "re-encoded value differs");
    decoded
}

/// The error of decoding `value` as `T` (from text, where serde_json reports positions).
fn decode_error<T: DeserializeOwned + std::fmt::Debug>(value: &Value) -> String {
    let text_error = serde_json::from_str::<T>(&value.to_string())
        .expect_err("the value must be rejected")
        .to_string();
    let _value_error = serde_json::from_value::<T>(value.clone())
        .expect_err("the value must be rejected from a value too");
    text_error
}

mod structs_case {
    use super::*;
    use crate::structs::{beta, schemas};

    fn profile() -> Value {
        json!({
            "id": "p1",
            "nickname": "Ada",
            "age": 36,
            "score": 9.5,
            "active": true,
            "tags": ["math", "engines"],
        })
    }

    fn with(mut value: Value, key: &str, entry: Value) -> Value {
        value[key] = entry;
        value
    }

    fn without(mut value: Value, key: &str) -> Value {
        value.as_object_mut().expect("an object").remove(key);
        value
    }

    #[test]
    fn required_fields_decode_into_plain_fields() {
        let profile: schemas::Profile = round_trip(profile());
        assert_eq!(profile.id, "p1");
        assert_eq!(profile.age, 36);
        assert_eq!(profile.score.as_f64(), Some(9.5));
        assert!(profile.active);
        assert_eq!(profile.tags, ["math", "engines"]);
    }

    #[test]
    fn required_nullable_field_accepts_null() {
        let profile: schemas::Profile = round_trip(with(profile(), "nickname", Value::Null));
        assert_eq!(profile.nickname, None);
    }

    #[test]
    fn required_nullable_field_must_still_be_present() {
        let error = decode_error::<schemas::Profile>(&without(profile(), "nickname"));
        assert!(error.contains("missing field `nickname`"), "{error}");
    }

    #[test]
    fn missing_required_field_is_an_error_naming_it() {
        let error = decode_error::<schemas::Profile>(&without(profile(), "age"));
        assert!(error.contains("missing field `age`"), "{error}");
    }

    #[test]
    fn absent_optional_nullable_field_stays_absent() {
        let profile: schemas::Profile = round_trip(profile());
        assert_eq!(profile.avatar_url, None);
        assert!(encode(&profile).get("avatar_url").is_none());
    }

    #[test]
    fn null_optional_nullable_field_stays_null() {
        let profile: schemas::Profile = round_trip(with(profile(), "avatar_url", Value::Null));
        assert_eq!(profile.avatar_url, Some(None));
        assert_eq!(encode(&profile)["avatar_url"], Value::Null);
    }

    #[test]
    fn present_optional_nullable_field_holds_its_value() {
        let profile: schemas::Profile = round_trip(with(profile(), "avatar_url", json!("a.png")));
        assert_eq!(profile.avatar_url, Some(Some("a.png".to_string())));
    }

    #[test]
    fn optional_field_sent_as_null_decodes_to_none_and_re_encodes_as_null() {
        let profile: schemas::Profile = round_trip(with(profile(), "bio", Value::Null));
        assert_eq!(profile.bio, None);
        assert_eq!(encode(&profile)["bio"], Value::Null);
    }

    #[test]
    fn a_value_set_on_an_optional_field_replaces_the_kept_null() {
        let mut profile: schemas::Profile = decode(&with(profile(), "bio", Value::Null));
        profile.bio = Some("Countess".into());
        let text = serde_json::to_string(&profile).expect("encodes");
        assert_eq!(text.matches("\"bio\"").count(), 1, "{text}");
        assert_eq!(encode(&profile)["bio"], "Countess");
    }

    #[test]
    fn fields_are_encoded_in_spec_order() {
        // Shuffled on the way in, in the spec's order on the way out.
        let text = r#"{"tags":[],"active":true,"score":1,"age":2,"nickname":null,"id":"p"}"#;
        let profile: schemas::Profile = serde_json::from_str(text).expect("decodes");
        assert_eq!(
            serde_json::to_string(&profile).expect("encodes"),
            r#"{"id":"p","nickname":null,"age":2,"score":1,"active":true,"tags":[]}"#
        );
    }

    #[test]
    fn a_non_object_is_an_error_naming_the_type() {
        let error = decode_error::<schemas::Profile>(&json!("p1"));
        assert!(
            error.contains("expected an object of type `Profile`"),
            "{error}"
        );
        let error = decode_error::<beta::ServerEvent>(&json!(7));
        assert!(
            error.contains("an object of type `ServerEvent` with a string `type`"),
            "{error}"
        );
    }

    #[test]
    fn integer_field_rejects_a_fraction() {
        let error = decode_error::<schemas::Profile>(&with(profile(), "age", json!(36.5)));
        assert!(error.contains("invalid type: floating point"), "{error}");
    }

    #[test]
    fn number_field_keeps_integers_as_integers() {
        let profile: schemas::Profile = round_trip(with(profile(), "score", json!(10)));
        assert_eq!(profile.score.as_i64(), Some(10));
    }

    #[test]
    fn maps_free_form_objects_arrays_and_inline_objects_round_trip() {
        let value = with(
            with(
                with(
                    with(profile(), "counters", json!({"visits": 3, "likes": 0})),
                    "metadata",
                    json!({"any": ["thing", 1, null, {"deep": true}]}),
                ),
                "addresses",
                json!([{"city": "London"}, {"city": "Paris", "zip": "75001"}]),
            ),
            "settings",
            json!({"theme": "dark"}),
        );
        let profile: schemas::Profile = round_trip(value);
        assert_eq!(profile.counters.expect("present")["visits"], 3);
        assert_eq!(
            profile.addresses.expect("present")[1].zip.as_deref(),
            Some("75001")
        );
        assert_eq!(
            profile.settings.expect("present").theme.as_deref(),
            Some("dark")
        );
        assert_eq!(profile.metadata.expect("present")["any"][3]["deep"], true);
    }

    #[test]
    fn map_values_are_typed() {
        let value = with(profile(), "counters", json!({"visits": "many"}));
        let error = decode_error::<schemas::Profile>(&value);
        assert!(error.contains("invalid type: string \"many\""), "{error}");
    }

    #[test]
    fn unknown_extra_field_is_kept_and_re_encoded() {
        let value = with(profile(), "pronouns", json!({"subject": "she"}));
        let profile: schemas::Profile = round_trip(value);
        assert_eq!(
            profile.unknown_fields["pronouns"],
            json!({"subject": "she"})
        );
    }

    #[test]
    fn known_event_decodes_into_its_variant() {
        let value = json!({"type": "profile.updated", "event_id": "e1", "profile": profile()});
        let event: beta::ServerEvent = round_trip(value);
        let beta::ServerEvent::ProfileUpdated(updated) = &event else {
            panic!("decoded as {event:?}");
        };
        assert_eq!(updated.event_id, "e1");
        assert_eq!(event.event_type(), "profile.updated");
        assert!(!event.is_unknown());
    }

    #[test]
    fn unknown_event_type_becomes_unknown_raw_and_re_encodes_identically() {
        let value = json!({"type": "profile.deleted", "event_id": "e2", "id": "p1"});
        let event: beta::ServerEvent = round_trip(value.clone());
        assert_eq!(event, beta::ServerEvent::Unknown(value));
        assert_eq!(event.event_type(), "profile.deleted");
        assert!(event.is_unknown());
    }

    #[test]
    fn the_event_type_may_come_after_other_properties() {
        let text = format!(
            r#"{{"event_id":"e1","profile":{},"type":"profile.updated"}}"#,
            profile()
        );
        let event: beta::ServerEvent = serde_json::from_str(&text).expect("decodes");
        assert!(
            matches!(event, beta::ServerEvent::ProfileUpdated(_)),
            "{event:?}"
        );
    }

    #[test]
    fn event_without_a_type_is_an_error() {
        let error = decode_error::<beta::ServerEvent>(&json!({"event_id": "e1"}));
        assert!(error.contains("missing field `type`"), "{error}");
    }

    #[test]
    fn struct_decoded_alone_checks_its_constant_type() {
        let value = json!({"type": "profile.update", "event_id": "e1", "profile": profile()});
        let error = decode_error::<schemas::ProfileUpdated>(&value);
        assert!(error.contains("`type` to be `profile.updated`"), "{error}");
    }

    #[test]
    fn encoding_writes_the_constant_type() {
        let profile: schemas::Profile = decode(&profile());
        let event = beta::ClientEvent::from(schemas::ProfileUpdate {
            event_id: None,
            profile,
            unknown_fields: Default::default(),
        });
        let encoded = encode(&event);
        assert_eq!(encoded["type"], "profile.update");
        assert!(encoded.get("event_id").is_none());
    }

    #[test]
    fn event_types_lists_every_known_type() {
        assert_eq!(beta::ServerEvent::EVENT_TYPES, ["profile.updated"]);
        assert_eq!(beta::ClientEvent::EVENT_TYPES, ["profile.update"]);
        assert_eq!(
            <beta::ClientEvent as realtime_types::Event>::EVENT_TYPES,
            ["profile.update"]
        );
    }

    #[test]
    fn structs_with_required_values_are_built_with_new_and_setters() {
        let address = schemas::Address::new("Paris");
        assert_eq!(encode(&address), json!({"city": "Paris"}));
    }

    #[test]
    fn json_schema_names_the_required_properties() {
        let schema =
            serde_json::to_value(schemars::schema_for!(schemas::Profile)).expect("a schema");
        // In spec order, like the fields.
        assert_eq!(
            schema["required"],
            json!(["id", "nickname", "age", "score", "active", "tags"])
        );
        assert!(schema["properties"]["avatar_url"].is_object(), "{schema}");
        let properties: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            properties,
            [
                "id",
                "nickname",
                "bio",
                "avatar_url",
                "age",
                "score",
                "active",
                "tags",
                "counters",
                "metadata",
                "addresses",
                "settings"
            ]
        );
    }
}

mod string_enums_case {
    use super::*;
    use crate::string_enums::{beta, schemas};

    fn event() -> Value {
        json!({
            "type": "audio.configured",
            "format": "audio/pcm",
            "modalities": ["text", "audio"],
            "voice": "alloy",
        })
    }

    #[test]
    fn known_enum_values_decode_to_their_variants() {
        let modalities: Vec<schemas::Modality> = round_trip(json!(["text", "audio"]));
        assert_eq!(
            modalities,
            [schemas::Modality::Text, schemas::Modality::Audio]
        );
    }

    #[test]
    fn unknown_enum_value_decodes_to_other_and_re_encodes_identically() {
        let modality: schemas::Modality = round_trip(json!("video"));
        assert_eq!(modality, schemas::Modality::Other("video".into()));
        assert_eq!(modality.as_str(), "video");
        assert_eq!(modality.to_string(), "video");
    }

    #[test]
    fn enum_values_convert_from_and_to_text() {
        assert_eq!(schemas::Modality::from("audio"), schemas::Modality::Audio);
        assert_eq!(
            schemas::Modality::from(String::from("smell")),
            schemas::Modality::Other("smell".into())
        );
        assert_eq!(schemas::Modality::Audio.as_str(), "audio");
    }

    #[test]
    fn enum_rejects_a_non_string() {
        let error = decode_error::<schemas::Modality>(&json!(3));
        assert!(error.contains("expected a string"), "{error}");
    }

    #[test]
    fn open_enum_decodes_known_values_to_variants() {
        let voice: schemas::Voice = round_trip(json!("ash"));
        assert_eq!(voice, schemas::Voice::Ash);
    }

    #[test]
    fn open_enum_keeps_any_other_string() {
        let voice: schemas::Voice = round_trip(json!("my-custom-voice"));
        assert_eq!(voice, schemas::Voice::Other("my-custom-voice".into()));
    }

    #[test]
    fn required_const_becomes_a_constant_written_on_encode() {
        assert_eq!(schemas::AudioConfigured::FORMAT, "audio/pcm");
        let event: schemas::AudioConfigured = round_trip(event());
        assert_eq!(encode(&event)["format"], "audio/pcm");
    }

    #[test]
    fn required_const_with_another_value_is_an_error() {
        let mut value = event();
        value["format"] = json!("audio/wav");
        let error = decode_error::<beta::ServerEvent>(&value);
        assert!(error.contains("`format` to be `audio/pcm`"), "{error}");
    }

    #[test]
    fn missing_required_const_is_an_error_naming_it() {
        let mut value = event();
        value.as_object_mut().expect("an object").remove("format");
        let error = decode_error::<beta::ServerEvent>(&value);
        assert!(error.contains("missing field `format`"), "{error}");
    }

    #[test]
    fn schema_that_is_a_single_const_keeps_other_values() {
        let mut value = event();
        value["codec"] = json!("flac");
        let event: schemas::AudioConfigured = round_trip(value);
        assert_eq!(event.codec, Some(schemas::Codec::Other("flac".into())));
    }

    #[test]
    fn nullable_enum_keeps_absent_null_and_value_apart() {
        let absent: schemas::AudioConfigured = round_trip(event());
        assert_eq!(absent.quality, None);
        let mut value = event();
        value["quality"] = Value::Null;
        let null: schemas::AudioConfigured = round_trip(value.clone());
        assert_eq!(null.quality, Some(None));
        value["quality"] = json!("high");
        let high: schemas::AudioConfigured = round_trip(value);
        assert_eq!(high.quality, Some(Some(schemas::ConfiguredQuality::High)));
    }

    #[test]
    fn json_schema_of_an_enum_lists_its_values() {
        let schema =
            serde_json::to_value(schemars::schema_for!(schemas::Modality)).expect("a schema");
        // The enum is open (unknown values decode to `Other`), so any other
        // string is valid too; the known values are still listed.
        assert_eq!(
            schema["anyOf"],
            json!([{"type": "string", "enum": ["text", "audio"]}, {"type": "string"}]),
            "{schema}"
        );
    }
}

mod tagged_unions_case {
    use super::*;
    use crate::tagged_unions::schemas;

    #[test]
    fn each_member_decodes_by_its_type() {
        let circle: schemas::Shape = round_trip(json!({"type": "circle", "radius": 1.5}));
        assert!(matches!(&circle, schemas::Shape::Circle(c) if c.radius.as_f64() == Some(1.5)));
        let square: schemas::Shape = round_trip(json!({"type": "square", "side": 2}));
        assert!(matches!(&square, schemas::Shape::Square(s) if s.side.as_i64() == Some(2)));
    }

    #[test]
    fn the_tag_may_come_after_other_properties() {
        let shape: schemas::Shape =
            serde_json::from_str(r#"{"radius": 3, "type": "circle"}"#).expect("decodes");
        assert!(matches!(shape, schemas::Shape::Circle(_)), "{shape:?}");
    }

    #[test]
    fn unknown_tag_becomes_unknown_raw_and_re_encodes_identically() {
        let value = json!({"type": "triangle", "sides": [3, 4, 5]});
        let shape: schemas::Shape = round_trip(value.clone());
        assert_eq!(shape, schemas::Shape::Unknown(value));
        assert!(shape.is_unknown());
    }

    #[test]
    fn member_without_the_tag_is_an_error() {
        let error = decode_error::<schemas::Shape>(&json!({"side": 2}));
        assert!(error.contains("missing field `type`"), "{error}");
    }

    #[test]
    fn an_optional_tag_is_written_by_the_union_when_the_member_lacks_it() {
        let square = schemas::Square {
            r#type: None,
            side: 4.into(),
            unknown_fields: Default::default(),
        };
        assert_eq!(
            encode(&schemas::Shape::from(square)),
            json!({"type": "square", "side": 4})
        );
    }

    #[test]
    fn a_member_decoded_without_its_optional_tag_encodes_without_it() {
        let square: schemas::Square = round_trip(json!({"side": 4}));
        assert_eq!(square.r#type, None);
        let square: schemas::Square = round_trip(json!({"side": 4, "type": "square"}));
        assert_eq!(square.r#type, Some(schemas::SquareType::Square));
    }

    #[test]
    fn discriminator_property_selects_the_member() {
        let tools: Vec<schemas::Tool> =
            round_trip(json!([{"kind": "pen", "width": 2}, {"kind": "eraser"}]));
        assert!(matches!(&tools[0], schemas::Tool::Pen(pen) if pen.width == 2));
        assert!(matches!(&tools[1], schemas::Tool::Eraser(_)));
    }

    #[test]
    fn unknown_discriminator_value_becomes_unknown() {
        let value = json!({"kind": "brush", "type": "circle"});
        let tool: schemas::Tool = round_trip(value.clone());
        assert_eq!(tool, schemas::Tool::Unknown(value));
    }

    #[test]
    fn a_known_member_with_a_bad_field_is_an_error_not_unknown() {
        let error = decode_error::<schemas::Tool>(&json!({"kind": "pen", "width": "wide"}));
        assert!(error.contains("invalid type: string \"wide\""), "{error}");
    }
}

mod nested_unions_case {
    use super::*;
    use crate::nested_unions::{beta, schemas};

    #[test]
    fn role_user_decodes_to_the_user_message() {
        let item: schemas::Item =
            round_trip(json!({"type": "message", "role": "user", "content": "hi"}));
        let schemas::Item::Message(schemas::ItemMessage::User(user)) = &item else {
            panic!("decoded as {item:?}");
        };
        assert_eq!(user.content, "hi");
    }

    #[test]
    fn role_assistant_decodes_to_the_assistant_message() {
        let item: schemas::Item =
            round_trip(json!({"type": "message", "role": "assistant", "status": "completed"}));
        let schemas::Item::Message(schemas::ItemMessage::Assistant(assistant)) = &item else {
            panic!("decoded as {item:?}");
        };
        assert_eq!(assistant.status, Some(schemas::MessageStatus::Completed));
    }

    #[test]
    fn unknown_role_decodes_to_the_nested_unknown() {
        let value = json!({"type": "message", "role": "critic", "content": "meh"});
        let item: schemas::Item = round_trip(value.clone());
        assert_eq!(
            item,
            schemas::Item::Message(schemas::ItemMessage::Unknown(value))
        );
    }

    #[test]
    fn unknown_type_decodes_to_the_outer_unknown() {
        let value = json!({"type": "reasoning", "summary": []});
        let item: schemas::Item = round_trip(value.clone());
        assert_eq!(item, schemas::Item::Unknown(value));
    }

    #[test]
    fn message_without_a_role_is_an_error() {
        let error = decode_error::<schemas::Item>(&json!({"type": "message", "content": "hi"}));
        assert!(error.contains("missing field `role`"), "{error}");
    }

    #[test]
    fn other_members_decode_by_type_alone() {
        let item: schemas::Item =
            round_trip(json!({"type": "function_call", "name": "f", "arguments": "{}"}));
        assert!(matches!(&item, schemas::Item::FunctionCall(call) if call.name == "f"));
    }

    #[test]
    fn nested_members_encode_both_constants() {
        let user = schemas::UserMessage {
            content: "hello".into(),
            unknown_fields: Default::default(),
        };
        let item = schemas::Item::Message(user.into());
        assert_eq!(
            encode(&item),
            json!({"type": "message", "role": "user", "content": "hello"})
        );
    }

    #[test]
    fn nested_union_inside_an_event_round_trips() {
        let event: beta::ServerEvent = round_trip(json!({
            "type": "item.created",
            "item": {"role": "user", "content": "hi", "type": "message"},
        }));
        // The event holds a union inline, so its variant is boxed.
        let beta::ServerEvent::ItemCreated(created) = event else {
            panic!("not item.created: {event:?}")
        };
        assert!(matches!(
            created.item,
            schemas::Item::Message(schemas::ItemMessage::User(_))
        ));
    }
}

mod kind_unions_case {
    use super::*;
    use crate::kind_unions::{beta, schemas};

    #[test]
    fn integer_decodes_to_the_integer_variant() {
        let max: schemas::MaxTokens = round_trip(json!(123));
        assert_eq!(max, schemas::MaxTokens::Integer(123));
    }

    #[test]
    fn negative_integer_decodes_to_the_integer_variant() {
        let max: schemas::MaxTokens = round_trip(json!(-1));
        assert_eq!(max, schemas::MaxTokens::Integer(-1));
    }

    #[test]
    fn single_valued_string_decodes_to_its_constant_variant() {
        let max: schemas::MaxTokens = round_trip(json!("inf"));
        assert_eq!(max, schemas::MaxTokens::Inf);
    }

    #[test]
    fn another_string_for_a_single_valued_member_is_an_error() {
        let error = decode_error::<schemas::MaxTokens>(&json!("infinite"));
        assert!(error.contains("expected an integer or `inf`"), "{error}");
    }

    #[test]
    fn wrong_kind_is_an_error() {
        for wrong in [
            json!(true),
            json!(1.5),
            json!([1]),
            json!({"n": 1}),
            Value::Null,
        ] {
            let error = decode_error::<schemas::MaxTokens>(&wrong);
            assert!(error.contains("invalid type"), "{wrong}: {error}");
        }
    }

    #[test]
    fn integer_beyond_i64_is_an_error() {
        let error = decode_error::<schemas::MaxTokens>(&json!(u64::MAX));
        assert!(error.contains("invalid value"), "{error}");
    }

    #[test]
    fn string_member_decodes_its_enum() {
        let choice: schemas::ToolChoice = round_trip(json!("auto"));
        assert_eq!(
            choice,
            schemas::ToolChoice::ToolChoiceMode(schemas::ToolChoiceMode::Auto)
        );
    }

    #[test]
    fn string_member_keeps_unknown_values() {
        let choice: schemas::ToolChoice = round_trip(json!("sometimes"));
        assert_eq!(
            choice,
            schemas::ToolChoice::ToolChoiceMode(schemas::ToolChoiceMode::Other("sometimes".into()))
        );
    }

    #[test]
    fn each_tagged_object_decodes_to_its_variant() {
        let function: schemas::ToolChoice = round_trip(json!({"type": "function", "name": "f"}));
        assert!(matches!(&function, schemas::ToolChoice::Function(f) if f.name == "f"));
        let mcp: schemas::ToolChoice = round_trip(json!({"server_label": "s", "type": "mcp"}));
        assert!(matches!(&mcp, schemas::ToolChoice::Mcp(m) if m.server_label == "s"));
    }

    #[test]
    fn object_with_an_unknown_tag_becomes_unknown() {
        let value = json!({"type": "file_search"});
        let choice: schemas::ToolChoice = round_trip(value.clone());
        assert_eq!(choice, schemas::ToolChoice::Unknown(value));
    }

    #[test]
    fn object_without_the_tag_is_an_error() {
        let error = decode_error::<schemas::ToolChoice>(&json!({"name": "f"}));
        assert!(error.contains("missing field `type`"), "{error}");
    }

    #[test]
    fn tagged_kind_union_rejects_a_wrong_kind() {
        let error = decode_error::<schemas::ToolChoice>(&json!(7));
        assert!(
            error.contains("expected a string or an object with `type: function`"),
            "{error}"
        );
    }

    #[test]
    fn constant_or_object_decodes_both() {
        let auto: schemas::Chunking = round_trip(json!("auto"));
        assert_eq!(auto, schemas::Chunking::Auto);
        let object: schemas::Chunking = round_trip(json!({"max_chunk_ms": 500}));
        assert!(matches!(object, schemas::Chunking::Object(c) if c.max_chunk_ms == 500));
    }

    #[test]
    fn array_or_object_decodes_both() {
        let array: schemas::Input = round_trip(json!(["a", "b"]));
        assert_eq!(array, schemas::Input::Array(vec!["a".into(), "b".into()]));
        let object: schemas::Input = round_trip(json!({"text": "t"}));
        assert!(matches!(object, schemas::Input::Object(i) if i.text == "t"));
    }

    #[test]
    fn array_or_object_rejects_a_string() {
        let error = decode_error::<schemas::Input>(&json!("a"));
        assert!(error.contains("expected an array or an object"), "{error}");
    }

    #[test]
    fn array_member_checks_its_items() {
        let error = decode_error::<schemas::Input>(&json!(["a", 1]));
        assert!(error.contains("invalid type: integer `1`"), "{error}");
    }

    #[test]
    fn number_or_boolean_decodes_both_and_keeps_the_number_as_sent() {
        let fraction: schemas::Temperature = round_trip(json!(0.7));
        assert!(matches!(&fraction, schemas::Temperature::Number(n) if n.as_f64() == Some(0.7)));
        let whole: schemas::Temperature = round_trip(json!(1));
        assert!(matches!(&whole, schemas::Temperature::Number(n) if n.as_i64() == Some(1)));
        let negative: schemas::Temperature = round_trip(json!(-2));
        assert!(matches!(&negative, schemas::Temperature::Number(n) if n.as_i64() == Some(-2)));
        let off: schemas::Temperature = round_trip(json!(false));
        assert_eq!(off, schemas::Temperature::Boolean(false));
    }

    #[test]
    fn number_or_boolean_rejects_a_string() {
        let error = decode_error::<schemas::Temperature>(&json!("warm"));
        assert!(error.contains("expected a number or a boolean"), "{error}");
    }

    #[test]
    fn kind_unions_inside_an_event_round_trip() {
        let event: beta::ServerEvent = round_trip(json!({
            "type": "settings",
            "max_tokens": "inf",
            "tool_choice": {"type": "mcp", "server_label": "s"},
            "chunking": "auto",
            "input": ["x"],
            "temperature": false,
        }));
        assert!(matches!(event, beta::ServerEvent::Settings(_)), "{event:?}");
    }
}

mod recursion_case {
    use super::*;
    use crate::recursion::{beta, schemas};

    #[test]
    fn recursive_value_round_trips() {
        let value = json!({
            "name": "root",
            "children": [
                {"name": "leaf", "children": [], "parent": {"name": "root", "children": []}},
                {"name": "branch", "children": [{"name": "twig", "children": []}]},
            ],
        });
        let node: schemas::Node = round_trip(value);
        assert_eq!(node.children[1].children[0].name, "twig");
        let parent = node.children[0].parent.as_deref().expect("a parent");
        assert_eq!(parent.name, "root");
    }

    #[test]
    fn recursive_value_inside_an_event_round_trips() {
        let event: beta::ServerEvent = round_trip(json!({
            "type": "tree",
            "root": {"name": "r", "children": [{"name": "c", "children": []}]},
        }));
        assert!(matches!(event, beta::ServerEvent::Tree(_)), "{event:?}");
    }

    #[test]
    fn recursive_type_is_built_with_a_box() {
        let child = schemas::Node::new("child", []).with_parent(schemas::Node::new("parent", []));
        assert_eq!(
            encode(&child),
            json!({"name": "child", "children": [], "parent": {"name": "parent", "children": []}})
        );
    }

    #[test]
    fn json_schema_of_a_recursive_type_terminates() {
        let schema =
            serde_json::to_value(schemars::schema_for!(beta::ServerEvent)).expect("a schema");
        assert!(schema["$defs"]["Node"].is_object(), "{schema}");
    }
}

mod cursed_names_case {
    use super::*;
    use crate::cursed_names::schemas;

    #[test]
    fn cursed_names_round_trip_with_their_wire_names() {
        let value = json!({
            "type": "anything",
            "ref": "r",
            "self": "s",
            "in": "i",
            "trait": "t",
            "fooBar": "camel",
            "foo-baz": "kebab",
        });
        let thing: schemas::McpHttpThing = round_trip(value);
        assert_eq!(thing.r#type, "anything");
        assert_eq!(thing.r#ref.as_deref(), Some("r"));
        assert_eq!(thing.self_.as_deref(), Some("s"));
        assert_eq!(thing.r#in.as_deref(), Some("i"));
        assert_eq!(thing.r#trait.as_deref(), Some("t"));
        assert_eq!(thing.foo_bar.as_deref(), Some("camel"));
        assert_eq!(thing.foo_baz.as_deref(), Some("kebab"));
        assert!(thing.unknown_fields.is_empty());
    }

    #[test]
    fn rust_spellings_are_not_wire_names() {
        let value = json!({"type": "t", "foo_bar": "snake", "self_": "x"});
        let thing: schemas::McpHttpThing = round_trip(value);
        assert_eq!(thing.foo_bar, None);
        assert_eq!(thing.self_, None);
        assert_eq!(thing.unknown_fields.len(), 2);
    }

    #[test]
    fn non_constant_type_is_an_ordinary_field() {
        let error = decode_error::<schemas::McpHttpThing>(&json!({"ref": "r"}));
        assert!(error.contains("missing field `type`"), "{error}");
    }

    #[test]
    fn keyword_and_digit_enum_values_round_trip() {
        let modes: Vec<schemas::Mode> = round_trip(json!(["self", "type", "16khz"]));
        assert_eq!(
            modes,
            [
                schemas::Mode::SelfValue,
                schemas::Mode::Type,
                schemas::Mode::V16khz
            ]
        );
    }
}

mod borrowed_views_case {
    use super::*;
    use crate::borrowed_views::{beta, schemas};
    use std::borrow::Cow;

    fn text_delta() -> Value {
        json!({
            "type": "text.delta",
            "event_id": "event_1",
            "item_id": "item_1",
            "label": null,
            "index": 3,
            "score": 0.25,
            "final": false,
            "delta": "Hello",
        })
    }

    /// Decodes `value`'s text with the view and checks it against the owned
    /// union: same event once owned, same JSON when encoded.
    fn view_agrees(value: &Value) {
        let text = value.to_string();
        let view = beta::ServerEventRef::from_frame(&text)
            .unwrap_or_else(|e| panic!("the view decodes {text}: {e}"));
        assert_eq!(encode(&view), *value, "the view re-encodes differently");
        let owned: beta::ServerEvent = decode(value);
        assert_eq!(view.into_owned(), owned);
    }

    /// Whether `part` is a borrow of `text` (the `Cow` itself is the point).
    #[allow(clippy::ptr_arg)]
    fn borrows_from(text: &str, part: &Cow<'_, str>) -> bool {
        matches!(part, Cow::Borrowed(s) if text.as_bytes().as_ptr_range().contains(&s.as_ptr()))
    }

    #[test]
    fn only_events_of_scalars_with_a_string_get_views() {
        assert_eq!(beta::ServerEventRef::BORROWED_TYPES, ["text.delta"]);
        assert_eq!(beta::ClientEventRef::BORROWED_TYPES, ["ping"]);
    }

    #[test]
    fn every_string_borrows_from_the_frame() {
        let text = with(text_delta(), "note", json!("n")).to_string();
        let text = with(serde_json::from_str(&text).unwrap(), "hint", json!("h")).to_string();
        let Ok(beta::ServerEventRef::TextDelta(view)) = beta::ServerEventRef::from_frame(&text)
        else {
            panic!("not a borrowed text delta")
        };
        for part in [&view.event_id, &view.item_id, &view.delta] {
            assert!(borrows_from(&text, part), "{part} was copied");
        }
        assert!(borrows_from(&text, view.note.as_ref().unwrap()));
        assert!(borrows_from(
            &text,
            view.hint.as_ref().unwrap().as_ref().unwrap()
        ));
        assert_eq!((view.index, view.r#final), (3, false));
        assert_eq!(view.score.to_string(), "0.25");
        assert_eq!(view.label, None);
    }

    fn with(mut value: Value, key: &str, entry: Value) -> Value {
        value[key] = entry;
        value
    }

    #[test]
    fn presence_and_nulls_behave_like_the_owned_struct() {
        let base = text_delta();
        for value in [
            base.clone(),
            with(base.clone(), "label", json!("l")),
            with(base.clone(), "note", json!("n")),
            with(base.clone(), "hint", json!("h")),
            with(base.clone(), "hint", Value::Null),
            // Not nullable, but sent as null: `None`, and the null is kept.
            with(base.clone(), "note", Value::Null),
            with(base.clone(), "extra", json!({"nested": [1, "two"]})),
        ] {
            view_agrees(&value);
        }
        let text = with(base, "hint", Value::Null).to_string();
        let Ok(beta::ServerEventRef::TextDelta(view)) = beta::ServerEventRef::from_frame(&text)
        else {
            panic!("not a borrowed text delta")
        };
        assert_eq!(view.hint, Some(None));
    }

    #[test]
    fn escaped_strings_are_unescaped_into_owned_text() {
        let text = r#"{"type":"text.delta","event_id":"ev\"1","item_id":"r\u00e9","label":"plain","index":0,"score":1,"final":true,"delta":"a\/b"}"#;
        let Ok(beta::ServerEventRef::TextDelta(view)) = beta::ServerEventRef::from_frame(text)
        else {
            panic!("not a borrowed text delta")
        };
        assert_eq!(view.event_id, Cow::<str>::Owned("ev\"1".into()));
        assert_eq!(view.item_id, Cow::<str>::Owned("ré".into()));
        assert_eq!(view.delta, Cow::<str>::Owned("a/b".into()));
        assert!(borrows_from(text, view.label.as_ref().unwrap()));
        view_agrees(&serde_json::from_str(text).unwrap());
    }

    #[test]
    fn other_events_are_owned() {
        for (value, event_type) in [
            (json!({"type": "tick", "count": 2}), "tick"),
            (
                json!({"type": "configured", "event_id": "e", "config": {"voice": "alloy"}}),
                "configured",
            ),
            (
                json!({"type": "text.delta.v2", "delta": "x"}),
                "text.delta.v2",
            ),
        ] {
            let text = value.to_string();
            let view = beta::ServerEventRef::from_frame(&text).unwrap();
            assert!(
                matches!(view, beta::ServerEventRef::Owned(_)) && !view.is_borrowed(),
                "{text}"
            );
            assert_eq!(view.event_type(), event_type);
            view_agrees(&value);
        }
    }

    #[test]
    fn a_type_the_scan_cannot_see_is_found_by_parsing() {
        // A nested value before `type`, and an escaped key.
        for text in [
            r#"{"meta":{"type":"tick"},"type":"text.delta","event_id":"e","item_id":"i","label":null,"index":0,"score":0,"final":true,"delta":"d"}"#,
            r#"{"typ\u0065":"text.delta","event_id":"e","item_id":"i","label":null,"index":0,"score":0,"final":true,"delta":"d"}"#,
        ] {
            let view = beta::ServerEventRef::from_frame(text).unwrap();
            assert!(matches!(view, beta::ServerEventRef::TextDelta(_)), "{text}");
            view_agrees(&serde_json::from_str(text).unwrap());
        }
    }

    #[test]
    fn malformed_events_are_kept_whole_by_the_view_and_errors_for_the_union() {
        let base = text_delta();
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("delta");
        for value in [
            missing,
            with(base.clone(), "index", json!("3")),
            with(base.clone(), "label", json!(7)),
            with(base.clone(), "note", json!(["n"])),
        ] {
            let text = value.to_string();
            let Ok(beta::ServerEventRef::Owned(event)) = beta::ServerEventRef::from_frame(&text)
            else {
                panic!("{text}: not kept whole");
            };
            assert!(event.is_malformed(), "{text}");
            assert_eq!(encode(&event), value, "the malformed event is the frame");
            assert!(
                serde_json::from_str::<beta::ServerEvent>(&text).is_err(),
                "{text}"
            );
        }
        for text in [
            "",
            "[]",
            "{}",
            r#"{"type":7}"#,
            r#"{"type":"text.delta""#,
            r#"{"type":"text.delta","delta":"a","delta":"b"}"#,
        ] {
            assert!(beta::ServerEventRef::from_frame(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn the_first_type_decides_like_in_the_union() {
        let text = r#"{"type":"tick","type":"text.delta","count":1}"#;
        let view = beta::ServerEventRef::from_frame(text);
        let owned = serde_json::from_str::<beta::ServerEvent>(text);
        assert_eq!(view.is_ok(), owned.is_ok(), "{view:?} / {owned:?}");
        if let Ok(view) = view {
            assert_eq!(view.event_type(), "tick");
        }
    }

    #[test]
    fn client_views_keep_the_optional_event_id() {
        for value in [
            json!({"type": "ping"}),
            json!({"type": "ping", "event_id": "p1"}),
        ] {
            let text = value.to_string();
            let view = beta::ClientEventRef::from_frame(&text).unwrap();
            assert!(matches!(view, beta::ClientEventRef::Ping(_)));
            assert_eq!(encode(&view), value);
            let owned: beta::ClientEvent = decode(&value);
            assert_eq!(view.into_owned(), owned);
        }
        let view = schemas::PingRef {
            event_id: Some(Cow::Borrowed("p2")),
            unknown_fields: serde_json::Map::new(),
        };
        assert_eq!(encode(&view), json!({"type": "ping", "event_id": "p2"}));
        assert_eq!(
            schemas::Ping::from(view),
            schemas::Ping {
                event_id: Some("p2".into()),
                unknown_fields: serde_json::Map::new()
            }
        );
    }
}

mod server_errors_case {
    use super::*;
    use crate::server_errors::beta;
    use realtime_types::{ServerErrorRef, SurfaceInfo};

    fn error_event(error: Value) -> beta::ServerEvent {
        let frame = json!({"type": "error", "event_id": "event_1", "error": error}).to_string();
        beta::ServerEvent::from_frame(&frame).expect("an error frame")
    }

    #[test]
    fn the_descriptor_carries_the_surface_plan() {
        assert_eq!(
            beta::SURFACE,
            SurfaceInfo {
                name: "beta",
                path: "realtime",
                beta_header: Some("realtime=v1"),
            }
        );
    }

    #[test]
    fn every_part_is_read_through_its_presence() {
        let event = error_event(json!({
            "type": "invalid_request_error",
            "message": "Bad.",
            "code": "bad_value",
            "param": "voice",
            "retry_after": 3,
        }));
        assert_eq!(
            event.server_error(),
            Some(ServerErrorRef {
                error_type: "invalid_request_error",
                code: Some("bad_value"),
                message: "Bad.",
                param: Some("voice"),
                event_id: None,
            })
        );
    }

    #[test]
    fn null_and_absent_optional_parts_are_none() {
        let event = error_event(json!({"type": "server_error", "message": "Oops.", "param": null}));
        let error = event.server_error().expect("an error event");
        assert_eq!((error.code, error.param), (None, None));
        let event = error_event(json!({"type": "server_error", "code": null, "param": null}));
        assert_eq!(event.server_error().expect("an error event").code, None);
    }

    #[test]
    fn an_absent_optional_message_reads_as_empty() {
        let event = error_event(json!({"type": "server_error", "param": null}));
        assert_eq!(event.server_error().expect("an error event").message, "");
    }

    #[test]
    fn a_part_the_schema_lacks_is_always_none() {
        let event = error_event(json!({
            "type": "server_error", "message": "m", "param": null, "event_id": "evt_9",
        }));
        assert_eq!(event.server_error().expect("an error event").event_id, None);
    }

    #[test]
    fn other_and_malformed_events_have_no_server_error() {
        let closed = beta::ServerEvent::from_frame(r#"{"type":"session.closed","event_id":"e"}"#)
            .expect("a known event");
        assert_eq!(closed.server_error(), None);
        let malformed = beta::ServerEvent::from_frame(r#"{"type":"error","event_id":"e"}"#)
            .expect("kept as malformed");
        assert!(malformed.is_malformed());
        assert_eq!(malformed.server_error(), None);
    }
}
