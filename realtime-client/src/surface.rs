//! The protocol surfaces a client can speak, as types: the client is generic
//! over them, so there is one implementation and no copy per surface.

use realtime_types::Event;

use crate::listeners::ServerError;

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

    /// The typed error of a server `error` event; `None` for other events.
    fn server_error(event: &Self::Server) -> Option<ServerError>;
}

/// `error` events of every surface have this shape; one conversion serves all.
macro_rules! server_error_from {
    ($error:expr) => {{
        let error = &$error.error;
        Some(ServerError {
            error_type: error.r#type.clone(),
            code: error.code.clone().flatten(),
            message: error.message.clone(),
            param: error.param.clone().flatten(),
            event_id: error.event_id.clone().flatten(),
        })
    }};
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

    fn server_error(event: &Self::Server) -> Option<ServerError> {
        match event {
            realtime_types::ga::ServerEvent::Error(error) => server_error_from!(error),
            _ => None,
        }
    }
}

impl Surface for Beta {
    type Client = realtime_types::beta::ClientEvent;
    type Server = realtime_types::beta::ServerEvent;
    const PATH: &'static str = "realtime";
    const BETA: bool = true;
    const NAME: &'static str = "beta";

    fn server_error(event: &Self::Server) -> Option<ServerError> {
        match event {
            realtime_types::beta::ServerEvent::Error(error) => server_error_from!(error),
            _ => None,
        }
    }
}

impl Surface for Translation {
    type Client = realtime_types::translation::ClientEvent;
    type Server = realtime_types::translation::ServerEvent;
    const PATH: &'static str = "realtime/translations";
    const BETA: bool = false;
    const NAME: &'static str = "translation";

    fn server_error(event: &Self::Server) -> Option<ServerError> {
        match event {
            realtime_types::translation::ServerEvent::Error(error) => server_error_from!(error),
            _ => None,
        }
    }
}
