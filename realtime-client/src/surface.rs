//! The protocol surfaces a client can speak, as types: the client is generic
//! over them, so there is one implementation and no copy per surface. What
//! each surface is (its path, its beta header, how its `error` event reads)
//! comes from the descriptor `realtime-types` generates for it.

use realtime_types::{Event, SurfaceInfo};

use crate::error::ServerError;

/// A Realtime protocol surface: its event types and how to reach it.
pub trait Surface: Send + Sync + 'static {
    /// Events the client sends.
    type Client: Event + Send + Sync + 'static;
    /// Events the server sends.
    type Server: Event + Send + Sync + 'static;
    /// The surface's generated descriptor (`realtime_types::ga::SURFACE`).
    const INFO: SurfaceInfo;
    /// The path under the base URL (`realtime`).
    const PATH: &'static str = Self::INFO.path;
    /// Whether the handshake carries `OpenAI-Beta: realtime=v1`.
    const BETA: bool = Self::INFO.beta_header.is_some();
    /// A name for logs.
    const NAME: &'static str = Self::INFO.name;

    /// The typed error of a server `error` event; `None` for other events.
    fn server_error(event: &Self::Server) -> Option<ServerError>;
}

/// The generally available API.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ga;

/// The deprecated beta API (`OpenAI-Beta: realtime=v1`).
#[cfg(feature = "beta")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Beta;

/// Realtime translation sessions.
#[cfg(feature = "translation")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Translation;

impl Surface for Ga {
    type Client = realtime_types::ga::ClientEvent;
    type Server = realtime_types::ga::ServerEvent;
    const INFO: SurfaceInfo = realtime_types::ga::SURFACE;

    fn server_error(event: &Self::Server) -> Option<ServerError> {
        event.server_error().map(ServerError::from)
    }
}

#[cfg(feature = "beta")]
impl Surface for Beta {
    type Client = realtime_types::beta::ClientEvent;
    type Server = realtime_types::beta::ServerEvent;
    const INFO: SurfaceInfo = realtime_types::beta::SURFACE;

    fn server_error(event: &Self::Server) -> Option<ServerError> {
        event.server_error().map(ServerError::from)
    }
}

#[cfg(feature = "translation")]
impl Surface for Translation {
    type Client = realtime_types::translation::ClientEvent;
    type Server = realtime_types::translation::ServerEvent;
    const INFO: SurfaceInfo = realtime_types::translation::SURFACE;

    fn server_error(event: &Self::Server) -> Option<ServerError> {
        event.server_error().map(ServerError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consts_come_from_the_generated_descriptors() {
        assert_eq!((Ga::PATH, Ga::BETA, Ga::NAME), ("realtime", false, "ga"));
        assert_eq!(
            (Beta::PATH, Beta::BETA, Beta::NAME),
            ("realtime", true, "beta")
        );
        assert_eq!(
            (Translation::PATH, Translation::BETA, Translation::NAME),
            ("realtime/translations", false, "translation")
        );
    }

    #[test]
    fn an_error_event_becomes_a_server_error_on_every_surface() {
        let frame = r#"{"type":"error","event_id":"event_1","error":{"type":"invalid_request_error","code":null,"message":"Bad.","param":"voice","event_id":"evt_7"}}"#;
        let expected = Some(ServerError {
            error_type: "invalid_request_error".into(),
            code: None,
            message: "Bad.".into(),
            param: Some("voice".into()),
            event_id: Some("evt_7".into()),
        });
        let ga = <Ga as Surface>::Server::from_frame(frame).expect("an error frame");
        assert_eq!(Ga::server_error(&ga), expected);
        let beta = <Beta as Surface>::Server::from_frame(frame).expect("an error frame");
        assert_eq!(Beta::server_error(&beta), expected);
        let translation =
            <Translation as Surface>::Server::from_frame(frame).expect("an error frame");
        assert_eq!(Translation::server_error(&translation), expected);
    }
}
