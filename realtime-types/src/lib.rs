//! Typed events of the OpenAI Realtime API, generated from OpenAI's OpenAPI
//! document (see the `spec/` folder of the repository for the pin).
//!
//! ```
//! use realtime_types::ga::{ClientEvent, ServerEvent, UserContent, UserMessage, client::ConversationItemCreate};
//!
//! // A server frame, decoded; an event type this version does not know
//! // would be `ServerEvent::Unknown(raw)`, not an error.
//! let frame = r#"{"type":"response.output_text.delta","event_id":"event_1","response_id":"resp_1",
//!                 "item_id":"item_1","output_index":0,"content_index":0,"delta":"Hi!"}"#;
//! let ServerEvent::ResponseOutputTextDelta(delta) = ServerEvent::from_frame(frame)? else {
//!     panic!("a text delta");
//! };
//! assert_eq!(delta.delta, "Hi!");
//!
//! // A client event, built: required fields in `new`, the `type`s written for you.
//! let hello = UserMessage::new([UserContent::input_text().with_text("Hello!")]);
//! let event = ClientEvent::from(ConversationItemCreate::new(hello));
//! assert_eq!(
//!     serde_json::to_string(&event)?,
//!     concat!(
//!         r#"{"type":"conversation.item.create","item":{"type":"message","role":"user","#,
//!         r#""content":[{"type":"input_text","text":"Hello!"}]}}"#
//!     )
//! );
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! - [`ga`]: the generally available API; [`beta`]: the deprecated beta API
//!   (`OpenAI-Beta: realtime=v1`); [`translation`]: translation sessions.
//!   Each has a `ClientEvent` and a `ServerEvent` union keyed by `type`, the
//!   payload of each event in its `client` or `server` module, named by its
//!   `type` (`ga::server::ResponseOutputAudioDelta`), and the types only it
//!   uses; it re-exports the shared types it uses, so that an application
//!   imports from its surface only.
//! - [`shared`]: the types several surfaces use.
//! - Construction: `new(required ..)` or `Default`, `with_<field>(..)` for
//!   optional fields, `edit_<field>(|it| ..)` for nested structs, `impl
//!   Into` arguments (`"marin"`, `0.5`), and `From` every member for every
//!   union (`ConversationItem::from(UserMessage::new(..))`).
//! - [`EventOf`] ties each event struct to its union, for typed listeners.
//! - Each surface module describes itself: `ga::SURFACE` (a [`SurfaceInfo`]:
//!   its name, WebSocket path and `OpenAI-Beta` header), and its server
//!   union's `server_error()` gives the parts of an `error` event
//!   ([`ServerErrorRef`]).
//! - [`support`]: the hand-written runtime the generated code calls.
//! - [`audio`]: hand-written helpers for the audio hot path: base64 →
//!   PCM16, and writing `input_audio_buffer.append` in one pass.
//! - Every event union decodes a frame with `from_frame` (the `type` is
//!   found by a byte scan, then the frame goes straight into that event's
//!   struct) and has a borrowed view (`ga::ServerEventRef`, ...;
//!   [`EventRef`]) that decodes a frame without copying the strings of the
//!   events made only of scalars, such as the base64 of audio deltas.
//! - Events that hold other structs or unions (sessions, responses,
//!   conversation items) are boxed in their union's variant, so that every
//!   event is small wherever it is moved.
//!
//! # Features and versions
//!
//! - None by default: the [`ga`] surface and [`shared`], on serde,
//!   serde_json and base64 only.
//! - `beta`, `translation`: the [`beta`] and [`translation`] surfaces.
//! - `json-schema`: a `schemars::JsonSchema` impl for every type and
//!   `json_schema()`. All three features together take about 1.3× the
//!   default's release build time (BENCHMARKS.md in the repository).
//!
//! Versions are 0.x: when the pinned spec moves, a change the spec report
//! classifies as breaking bumps the minor version and anything else the
//! patch (`CHANGELOG.md`). The spec commit these types come from is named
//! in the documentation of [`shared`].
//!
//! Forward compatible by construction: an event `type` this version does not
//! know decodes to `Unknown(raw)`, string enums keep unknown values in
//! `Other(..)`, and properties the spec does not list are kept in each
//! struct's `unknown_fields`, so decoding and encoding again loses nothing.
//! `from_frame` loses no event either: a known `type` with a body that does
//! not match its schema is `Malformed(..)` ([`MalformedEvent`]), the whole
//! frame kept. An object with the same key twice is an error on every decode
//! path, and numbers ([`Number`]) keep the digits they arrived with.

// Generated code names this crate by its absolute path.
extern crate self as realtime_types;

// The generated modules (`cargo xtask codegen` checks that each one it
// writes is declared here), formatted by prettyplease when generated.
#[rustfmt::skip]
#[path = "generated/shared.rs"]
pub mod shared;
#[rustfmt::skip]
#[path = "generated/ga/mod.rs"]
pub mod ga;
#[rustfmt::skip]
#[path = "generated/beta/mod.rs"]
#[cfg(feature = "beta")]
pub mod beta;
#[rustfmt::skip]
#[path = "generated/translation/mod.rs"]
#[cfg(feature = "translation")]
pub mod translation;
pub mod audio;
pub mod malformed;
mod number;
pub mod operation;
pub mod support;
mod surface_info;

pub use malformed::{DecodeProblem, MalformedEvent};
pub use number::Number;
pub use operation::{Operation, OperationInfo, Reply, RequestBody};
pub use surface_info::{ServerErrorRef, SurfaceInfo};

/// The JSON Schema (draft 2020-12) of a type of this crate, such as an event
/// union: `realtime_types::json_schema::<ga::ServerEvent>()`.
///
/// It describes what the type decodes, with the spec's descriptions and the
/// corrections of `spec/` applied: unknown properties, unknown event types
/// and unknown enum values are accepted (they are kept), and so is `null`
/// for an optional property. `cargo run -p realtime-types --example
/// json_schema` prints the schema of every event union.
#[cfg(feature = "json-schema")]
pub fn json_schema<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::schema_for!(T)
}

/// What every surface's `ClientEvent` and `ServerEvent` union offers, so that
/// code (a transport, a proxy, a test) can be generic over the surface.
pub trait Event:
    Sized + Clone + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned
{
    /// Every event `type` the union knows, in spec order.
    const EVENT_TYPES: &'static [&'static str];

    /// Decodes the text of one frame (one WebSocket message): the same event
    /// as `serde_json::from_str`, found by a byte scan of the `type` and
    /// decoded straight into its struct, except that a frame whose `type` is
    /// known but whose body does not match is kept as a malformed event
    /// where `serde_json::from_str` fails: no event is lost.
    fn from_frame(frame: &str) -> Result<Self, serde_json::Error>;

    /// The event's `type` on the wire, also for an event this version does not know.
    fn event_type(&self) -> &str;

    /// Whether this is an event this version does not know (kept raw).
    fn is_unknown(&self) -> bool;

    /// The event, when its `type` is one this version knows but its body
    /// does not match its schema (kept whole, see [`MalformedEvent`]).
    fn malformed(&self) -> Option<&MalformedEvent>;

    /// Whether this is such an event.
    fn is_malformed(&self) -> bool {
        self.malformed().is_some()
    }
}

/// An event struct that is one member of the event union `U`: what typed
/// listeners use to name an event by its type
/// (`on::<ga::server::ResponseOutputTextDelta>(..)`), which cannot name an
/// event the surface does not have.
///
/// A struct two surfaces share is a member of both unions.
pub trait EventOf<U>: Sized {
    /// The event's `type` on the wire.
    const EVENT_TYPE: &'static str;

    /// The event, when `event` is this one.
    fn from_event(event: &U) -> Option<&Self>;
}

/// What every event union's borrowed view offers (see
/// [`ga::ServerEventRef`]): decoding a frame without copying the strings of
/// the events made only of scalar properties, the bulk of a session.
pub trait EventRef<'a>: Sized + Clone + std::fmt::Debug + serde::Serialize {
    /// The owned union this is a view of.
    type Owned: Event;

    /// The event `type`s decoded into borrowed views, in spec order.
    const BORROWED_TYPES: &'static [&'static str];

    /// Decodes the text of one frame (one WebSocket message).
    fn from_frame(frame: &'a str) -> Result<Self, serde_json::Error>;

    /// The event's `type` on the wire, also for an event this version does not know.
    fn event_type(&self) -> &str;

    /// Whether the event was decoded into a borrowed view (not `Owned`).
    fn is_borrowed(&self) -> bool;

    /// The owned event (copies the strings that were borrowed).
    fn into_owned(self) -> Self::Owned;
}

/// The examples of the crate's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
