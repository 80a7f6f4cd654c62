//! The descriptor every surface module exports as `SURFACE`, and the borrowed
//! parts of a server `error` event that every server union's
//! `server_error()` gives: what transports and servers need to know about a
//! surface, generated once from the spec's surface plan instead of written
//! again by each of them.

/// How to reach a protocol surface (`ga::SURFACE`, `beta::SURFACE`,
/// `translation::SURFACE`).
///
/// ```
/// use realtime_types::{beta, ga, translation};
///
/// assert_eq!(ga::SURFACE.path, "realtime");
/// assert_eq!(beta::SURFACE.beta_header, Some("realtime=v1"));
/// assert_eq!(translation::SURFACE.path, "realtime/translations");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurfaceInfo {
    /// The surface's name, which is also its module's (`ga`, `beta`,
    /// `translation`).
    pub name: &'static str,
    /// The WebSocket path under the API base, without a leading `/`
    /// (`realtime` under `wss://api.openai.com/v1`).
    pub path: &'static str,
    /// The value of the `OpenAI-Beta` header that selects the surface
    /// (`realtime=v1`), for a surface that needs one.
    pub beta_header: Option<&'static str>,
}

/// The parts of a server `error` event, borrowed from the event
/// (`ServerEvent::server_error()` of each surface).
///
/// ```
/// use realtime_types::ga::ServerEvent;
///
/// let frame = r#"{"type":"error","event_id":"event_9","error":{"type":"invalid_request_error",
///                 "code":"invalid_value","message":"Bad voice.","param":"session.voice","event_id":"evt_1"}}"#;
/// let event = ServerEvent::from_frame(frame)?;
/// let error = event.server_error().expect("an error event");
/// assert_eq!(error.message, "Bad voice.");
/// assert_eq!(error.event_id, Some("evt_1"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerErrorRef<'a> {
    /// The error's `type` (`invalid_request_error`, `server_error`, ...).
    pub error_type: &'a str,
    /// Its machine-readable `code`, when it has one (absent and `null` alike).
    pub code: Option<&'a str>,
    /// Its human-readable `message`.
    pub message: &'a str,
    /// The parameter at fault (`param`), when there is one.
    pub param: Option<&'a str>,
    /// The `event_id` of the client event that caused the error, when known
    /// (not the `event_id` of the `error` event itself).
    pub event_id: Option<&'a str>,
}
