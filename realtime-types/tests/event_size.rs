//! The event unions stay small: members holding other structs or unions
//! inline (sessions, responses, items) are boxed, so an audio delta does not
//! take the space of a `session.created` wherever events are moved (through
//! `Result`s, channels, vectors). Unboxed, `ga::ServerEvent` was 1,928 bytes.

use std::mem::size_of;

use realtime_types::{beta, ga, translation};

/// A handful of strings and numbers: the largest unboxed event.
const MAX_EVENT_BYTES: usize = 256;

#[test]
fn every_event_union_and_view_stays_small() {
    let sizes = [
        ("ga::ServerEvent", size_of::<ga::ServerEvent>()),
        ("ga::ClientEvent", size_of::<ga::ClientEvent>()),
        ("ga::ServerEventRef", size_of::<ga::ServerEventRef<'_>>()),
        ("ga::ClientEventRef", size_of::<ga::ClientEventRef<'_>>()),
        ("beta::ServerEvent", size_of::<beta::ServerEvent>()),
        ("beta::ClientEvent", size_of::<beta::ClientEvent>()),
        (
            "beta::ServerEventRef",
            size_of::<beta::ServerEventRef<'_>>(),
        ),
        (
            "translation::ServerEvent",
            size_of::<translation::ServerEvent>(),
        ),
        (
            "translation::ClientEvent",
            size_of::<translation::ClientEvent>(),
        ),
    ];
    for (name, size) in sizes {
        assert!(
            size <= MAX_EVENT_BYTES,
            "{name} is {size} bytes (limit {MAX_EVENT_BYTES}): a large member is held inline; \
             see codegen/src/boxing.rs"
        );
    }
}

#[test]
fn large_members_are_boxed_and_built_with_from() {
    let frame = r#"{"type":"error","event_id":"event_1","error":{"type":"invalid_request_error","message":"m"}}"#;
    let event = ga::ServerEvent::from_frame(frame).expect("decodes");
    let ga::ServerEvent::Error(boxed) = event.clone() else {
        panic!("not an error event: {event:?}")
    };
    let boxed: Box<ga::server::Error> = boxed;
    assert_eq!(boxed.event_id, "event_1", "fields read through the box");
    assert_eq!(boxed.error.message, "m");
    assert_eq!(
        ga::ServerEvent::from(*boxed),
        event,
        "From boxes the struct"
    );
}
