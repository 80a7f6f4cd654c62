//! The protocol surfaces a client can speak, as types: the client is generic
//! over them, so there is one implementation and no copy per surface.

use realtime_types::Event;

/// A Realtime protocol surface: its event types and how to reach it.
pub trait Surface: Send + Sync + 'static {
    /// Events the client sends.
    type Client: Event + Send + Sync + 'static;
    /// Events the server sends.
    type Server: Event + Send + Sync + 'static;
    /// The path under the base URL (`realtime`).
    const PATH: &'static str;
    /// Whether the handshake carries `OpenAI-Beta: realtime=v1`.
    const BETA: bool;
    /// A name for logs.
    const NAME: &'static str;
}

/// The generally available API.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ga;

/// The deprecated beta API (`OpenAI-Beta: realtime=v1`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Beta;

/// Realtime translation sessions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Translation;

impl Surface for Ga {
    type Client = realtime_types::ga::ClientEvent;
    type Server = realtime_types::ga::ServerEvent;
    const PATH: &'static str = "realtime";
    const BETA: bool = false;
    const NAME: &'static str = "ga";
}

impl Surface for Beta {
    type Client = realtime_types::beta::ClientEvent;
    type Server = realtime_types::beta::ServerEvent;
    const PATH: &'static str = "realtime";
    const BETA: bool = true;
    const NAME: &'static str = "beta";
}

impl Surface for Translation {
    type Client = realtime_types::translation::ClientEvent;
    type Server = realtime_types::translation::ServerEvent;
    const PATH: &'static str = "realtime/translations";
    const BETA: bool = false;
    const NAME: &'static str = "translation";
}
