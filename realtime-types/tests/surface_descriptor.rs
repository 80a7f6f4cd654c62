//! Each surface module's generated `SURFACE` descriptor, and its server
//! union's `server_error()` on the `error` frames servers send.

use realtime_types::{ServerErrorRef, SurfaceInfo, beta, ga, translation};

/// An `error` frame with every part set.
const FULL_ERROR: &str = r#"{"type":"error","event_id":"event_890","error":{"type":"invalid_request_error","code":"invalid_event","message":"The 'type' field is missing.","param":"type","event_id":"event_567"}}"#;

/// An `error` frame with `null` for the nullable parts and none of the optional ones.
const BARE_ERROR: &str = r#"{"type":"error","event_id":"event_891","error":{"type":"server_error","message":"Try again.","code":null,"param":null}}"#;

const FULL_PARTS: ServerErrorRef<'static> = ServerErrorRef {
    error_type: "invalid_request_error",
    code: Some("invalid_event"),
    message: "The 'type' field is missing.",
    param: Some("type"),
    event_id: Some("event_567"),
};

const BARE_PARTS: ServerErrorRef<'static> = ServerErrorRef {
    error_type: "server_error",
    code: None,
    message: "Try again.",
    param: None,
    event_id: None,
};

#[test]
fn each_surface_describes_its_endpoint() {
    assert_eq!(
        [ga::SURFACE, beta::SURFACE, translation::SURFACE],
        [
            SurfaceInfo {
                name: "ga",
                path: "realtime",
                beta_header: None,
            },
            SurfaceInfo {
                name: "beta",
                path: "realtime",
                beta_header: Some("realtime=v1"),
            },
            SurfaceInfo {
                name: "translation",
                path: "realtime/translations",
                beta_header: None,
            },
        ]
    );
}

#[test]
fn ga_error_frames_give_their_parts() {
    let full = ga::ServerEvent::from_frame(FULL_ERROR).expect("an error frame");
    assert_eq!(full.server_error(), Some(FULL_PARTS));
    let bare = ga::ServerEvent::from_frame(BARE_ERROR).expect("an error frame");
    assert_eq!(bare.server_error(), Some(BARE_PARTS));
}

#[test]
fn beta_error_frames_give_their_parts() {
    let full = beta::ServerEvent::from_frame(FULL_ERROR).expect("an error frame");
    assert_eq!(full.server_error(), Some(FULL_PARTS));
    let bare = beta::ServerEvent::from_frame(BARE_ERROR).expect("an error frame");
    assert_eq!(bare.server_error(), Some(BARE_PARTS));
}

#[test]
fn translation_error_frames_give_their_parts() {
    let full = translation::ServerEvent::from_frame(FULL_ERROR).expect("an error frame");
    assert_eq!(full.server_error(), Some(FULL_PARTS));
    let bare = translation::ServerEvent::from_frame(BARE_ERROR).expect("an error frame");
    assert_eq!(bare.server_error(), Some(BARE_PARTS));
}

#[test]
fn the_parts_borrow_from_the_event() {
    let event = ga::ServerEvent::from_frame(FULL_ERROR).expect("an error frame");
    let ga::ServerEvent::Error(error) = &event else {
        panic!("not an error event: {event:?}");
    };
    let parts = event.server_error().expect("an error event");
    assert!(std::ptr::eq(parts.message, error.error.message.as_str()));
}

#[test]
fn other_events_have_no_server_error() {
    let frame = r#"{"type":"input_audio_buffer.cleared","event_id":"event_1"}"#;
    assert_eq!(
        ga::ServerEvent::from_frame(frame)
            .expect("known")
            .server_error(),
        None
    );
    assert_eq!(
        beta::ServerEvent::from_frame(frame)
            .expect("known")
            .server_error(),
        None
    );
    let unknown = r#"{"type":"error.v2","event_id":"e","error":{"type":"x","message":"y"}}"#;
    assert_eq!(
        ga::ServerEvent::from_frame(unknown)
            .expect("unknown")
            .server_error(),
        None
    );
}

#[test]
fn a_malformed_error_frame_has_no_server_error() {
    let frame = r#"{"type":"error","event_id":"event_1","error":{"type":"server_error"}}"#;
    let event = ga::ServerEvent::from_frame(frame).expect("kept as malformed");
    assert!(event.is_malformed());
    assert_eq!(event.server_error(), None);
}
