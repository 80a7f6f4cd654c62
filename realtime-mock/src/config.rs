//! How a mock server behaves.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
    /// What the server bears before it refuses or drops a connection.
    pub limits: Limits,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_key: None,
            pacing: Pacing::RealTime,
            responder: Arc::new(EchoResponder),
            limits: Limits::default(),
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

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

impl std::fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockConfig")
            .field("listen", &self.listen)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("pacing", &self.pacing)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// What one client, or many, may cost the server before it refuses or drops
/// them. The defaults suit tests and demos on one machine; start from
/// `Limits::default()` and change what a test needs:
///
/// ```
/// use std::time::Duration;
/// use realtime_mock::config::Limits;
///
/// let limits = Limits::default()
///     .with_max_connections(2)
///     .with_handshake_timeout(Duration::from_millis(200));
/// assert_eq!(limits.max_message_bytes, 32 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How many connections may be open at once, the ones still in their
    /// handshake included (default 10,000). A connection beyond it is refused
    /// at once: answered HTTP 503 with the service's JSON error body when its
    /// request arrives within a second (or the handshake timeout, if
    /// shorter), closed without an answer otherwise.
    pub max_connections: usize,
    /// How long a client has, from the TCP connect, to complete the WebSocket
    /// upgrade (default 10 s); a connection that has not (silent, or sending
    /// its request byte by byte) is closed.
    pub handshake_timeout: Duration,
    /// How long closing a connection may take (default 2 s): the events
    /// already queued, then the close frame (1001 on shutdown), are written
    /// within it, or the connection is dropped without them. A client that
    /// does not read can thus hold neither shutdown nor the server's memory.
    pub close_timeout: Duration,
    /// The largest message a client may send (default 32 MiB, so a 16 MiB
    /// audio append fits); a larger one closes the connection with 1009
    /// before its payload is read.
    pub max_message_bytes: usize,
    /// The largest frame of a message a client may send (default 32 MiB).
    pub max_frame_bytes: usize,
    /// How many server events may wait for a connection's writer (default
    /// 256, at least 1): a client that reads slowly slows its own session
    /// down instead of growing the server's memory.
    pub max_queued_events: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 10_000,
            handshake_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(2),
            max_message_bytes: 32 << 20,
            max_frame_bytes: 32 << 20,
            max_queued_events: 256,
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_connections`].
    pub fn with_max_connections(mut self, max_connections: usize) -> Self {
        self.max_connections = max_connections;
        self
    }

    /// Sets [`Limits::handshake_timeout`].
    pub fn with_handshake_timeout(mut self, handshake_timeout: Duration) -> Self {
        self.handshake_timeout = handshake_timeout;
        self
    }

    /// Sets [`Limits::close_timeout`].
    pub fn with_close_timeout(mut self, close_timeout: Duration) -> Self {
        self.close_timeout = close_timeout;
        self
    }

    /// Sets [`Limits::max_message_bytes`].
    pub fn with_max_message_bytes(mut self, max_message_bytes: usize) -> Self {
        self.max_message_bytes = max_message_bytes;
        self
    }

    /// Sets [`Limits::max_frame_bytes`].
    pub fn with_max_frame_bytes(mut self, max_frame_bytes: usize) -> Self {
        self.max_frame_bytes = max_frame_bytes;
        self
    }

    /// Sets [`Limits::max_queued_events`] (0 counts as 1).
    pub fn with_max_queued_events(mut self, max_queued_events: usize) -> Self {
        self.max_queued_events = max_queued_events;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_limits_are_the_documented_ones() {
        let limits = Limits::default();
        assert_eq!(limits.max_connections, 10_000);
        assert_eq!(limits.handshake_timeout, Duration::from_secs(10));
        assert_eq!(limits.close_timeout, Duration::from_secs(2));
        assert_eq!(limits.max_message_bytes, 32 << 20);
        assert_eq!(limits.max_frame_bytes, 32 << 20);
        assert_eq!(limits.max_queued_events, 256);
        assert_eq!(MockConfig::default().limits, limits);
    }
}
