//! How a mock server behaves.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::responder::{EchoResponder, Responder};

/// How fast response audio is streamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pacing {
    /// Like the real service: a second of audio takes about a second to stream.
    #[default]
    RealTime,
    /// As fast as possible (tests, benchmarks).
    Immediate,
}

/// Configuration of a [`crate::MockServer`].
#[derive(Clone)]
pub struct MockConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The API key clients must present (`Authorization: Bearer ...`); `None` accepts any client.
    pub api_key: Option<String>,
    /// How fast audio deltas are produced.
    pub pacing: Pacing,
    /// What responses say.
    pub responder: Arc<dyn Responder>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_key: None,
            pacing: Pacing::RealTime,
            responder: Arc::new(EchoResponder),
        }
    }
}

impl MockConfig {
    /// Requires this API key.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the pacing.
    pub fn with_pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Sets the responder.
    pub fn with_responder(mut self, responder: impl Responder) -> Self {
        self.responder = Arc::new(responder);
        self
    }

    /// Listens on this address.
    pub fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }
}

impl std::fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockConfig")
            .field("listen", &self.listen)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("pacing", &self.pacing)
            .finish_non_exhaustive()
    }
}
