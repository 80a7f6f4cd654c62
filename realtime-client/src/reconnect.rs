//! When to reconnect: the policy, its hook, and the notice.
//!
//! The service has no resume: a new connection is a new session, with a new
//! (empty) conversation. So a reconnect is opt-in ([`Reconnect`]), happens
//! only after a close that says "try again" ([`Reconnect::recovers_from`]),
//! and tells the application ([`Reconnected`]). The session task
//! (`session_task`) carries it out.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
use crate::secret::Secret;

/// When and how to reconnect after a lost connection (see
/// [`ClientBuilder::reconnect`](crate::ClientBuilder::reconnect)): up to `max_attempts` tries per outage,
/// waiting between `delay / 2` and `delay` before each (full jitter on the
/// upper half), the delay doubling from `initial_delay` up to `max_delay`.
/// Defaults: 6 attempts, 250 ms, 10 s.
#[derive(Clone)]
pub struct Reconnect {
    pub(crate) max_attempts: u32,
    pub(crate) initial_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) hook: Option<Arc<dyn ReconnectHook>>,
    pub(crate) renew_after: Option<Duration>,
    pub(crate) replay_items: bool,
}

impl std::fmt::Debug for Reconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reconnect")
            .field("max_attempts", &self.max_attempts)
            .field("initial_delay", &self.initial_delay)
            .field("max_delay", &self.max_delay)
            .field("hook", &self.hook.is_some())
            .field("renew_after", &self.renew_after)
            .field("replay_items", &self.replay_items)
            .finish()
    }
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect {
            max_attempts: 6,
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            hook: None,
            renew_after: None,
            replay_items: false,
        }
    }
}

/// What the hook decides before an attempt.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Decision {
    /// Try with the current credentials (a token provider is asked again).
    Retry,
    /// Try with this credential from now on (an API key, a fresh ephemeral
    /// client secret, or an Azure key for an Azure client).
    RetryWith(Secret),
    /// Stop: the session ends with [`Error::GaveUp`].
    GiveUp,
}

/// What the hook is told before an attempt.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Attempt {
    /// The attempt, from 1.
    pub number: u32,
    /// The close code of the failure before it (the lost connection, or the
    /// last failed attempt), if it had one.
    pub close_code: Option<u16>,
    /// That failure, as text (never a payload or a credential).
    pub cause: String,
}

/// Asked before every reconnect attempt: can refresh the credentials or
/// give up. Any `Fn(Attempt) -> impl Future<Output = Decision>` is one.
pub trait ReconnectHook: Send + Sync + 'static {
    /// The decision for this attempt.
    fn before_attempt(&self, attempt: Attempt) -> Pin<Box<dyn Future<Output = Decision> + Send>>;
}

impl<F, Fut> ReconnectHook for F
where
    F: Fn(Attempt) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Decision> + Send + 'static,
{
    fn before_attempt(&self, attempt: Attempt) -> Pin<Box<dyn Future<Output = Decision> + Send>> {
        Box::pin(self(attempt))
    }
}

/// A new connection replaced a lost one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reconnected {
    /// Attempts it took.
    pub attempts: u32,
    /// Reconnections of this session so far, this one included.
    pub reconnections: u32,
    /// The close code that ended the lost connection.
    pub close_code: Option<u16>,
    /// Whether the last session configuration (`session.update`) was
    /// queued to be applied again, ahead of everything else.
    pub session_reapplied: bool,
    /// Events the lost connection may not have delivered, queued to be sent
    /// again (after the session configuration).
    pub replayed: usize,
    /// Conversation items sent again ([`Reconnect::replay_items`]).
    pub items_replayed: usize,
    /// A planned renewal ([`Reconnect::renew_after`]), not a loss.
    pub renewed: bool,
}

impl Reconnect {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Attempts per outage before giving up (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first delay and the largest one.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_delay = initial;
        self.max_delay = max.max(initial);
        self
    }

    /// Replaces the connection before the service's cap on a session's
    /// length (60 minutes) ends it: once `after` has passed and no frame has
    /// come for half a second (a response is not streaming), the client
    /// closes the connection (1000, `renewing`) and opens a new one, as
    /// after a loss: the session configuration applied again, a
    /// [`Reconnected`] with `renewed` set. Nothing queued is lost. Off by
    /// default; `Duration::from_secs(55 * 60)` suits the service.
    pub fn renew_after(mut self, after: Duration) -> Self {
        self.renew_after = Some(after);
        self
    }

    /// On a new connection, also sends again the conversation items the
    /// client created (`conversation.item.create`, the last 1 MiB of them,
    /// in order), so that the new session has the user's side of the
    /// conversation: the service keeps no conversation across connections.
    /// The model's answers are not restored. Off by default.
    pub fn replay_items(mut self, replay: bool) -> Self {
        self.replay_items = replay;
        self
    }

    /// Asks `hook` before every attempt.
    pub fn on_attempt(mut self, hook: impl ReconnectHook) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Whether a connection that ended with `error` is worth replacing: its
    /// close code says "going away" or "try again" (1001, 1005, 1006, 1011,
    /// 1012, 1013, 1015; a lost connection and a keepalive timeout are
    /// 1006). A normal close (1000), a protocol or policy error (1002,
    /// 1003, 1007–1010) and the service's refusals (4000–4999) are final.
    pub fn recovers_from(error: &Error) -> bool {
        matches!(
            error.close_code(),
            Some(1001 | 1005 | 1006 | 1011 | 1012 | 1013 | 1015)
        )
    }

    /// Whether a failed attempt is worth another: the network, a timeout, or
    /// the server being busy or failing (HTTP 408, 429, 5xx).
    pub(crate) fn retries_after(error: &Error) -> bool {
        match error {
            Error::Connect { .. }
            | Error::Timeout { .. }
            | Error::Credentials(_)
            | Error::ConnectionLost { .. } => true,
            Error::Handshake { status, .. } => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }
}

/// A small xorshift generator for backoff jitter (not for secrets).
pub(crate) struct Jitter(u64);

impl Jitter {
    /// Seeded from the standard library's per-process random hash keys, so
    /// that clients that lost their connections together do not retry
    /// together.
    pub(crate) fn seeded() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Jitter(seed | 1)
    }

    pub(crate) fn between(&mut self, low: Duration, high: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let span = high.saturating_sub(low).as_micros() as u64;
        low + Duration::from_micros(if span == 0 { 0 } else { self.0 % span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(code: u16) -> Error {
        Error::Closed {
            code,
            reason: String::new(),
        }
    }

    #[test]
    fn only_going_away_and_try_again_closes_are_recovered_from() {
        for code in [1001, 1005, 1006, 1011, 1012, 1013, 1015] {
            assert!(Reconnect::recovers_from(&closed(code)), "{code}");
        }
        for code in [1000, 1002, 1003, 1007, 1008, 1009, 1010, 4000, 4001, 4999] {
            assert!(!Reconnect::recovers_from(&closed(code)), "{code}");
        }
        assert!(Reconnect::recovers_from(&Error::ConnectionLost {
            source: None
        }));
        assert!(Reconnect::recovers_from(&Error::KeepaliveTimeout {
            after: Duration::from_secs(1)
        }));
        assert!(!Reconnect::recovers_from(&Error::MessageTooLarge {
            limit: 1
        }));
        assert!(!Reconnect::recovers_from(&Error::SessionClosed));
    }

    #[test]
    fn failed_attempts_are_retried_only_when_the_server_may_recover() {
        for status in [408, 429, 500, 502, 503] {
            let error = Error::Handshake {
                status,
                message: None,
            };
            assert!(Reconnect::retries_after(&error), "{status}");
        }
        for status in [400, 401, 403, 404] {
            let error = Error::Handshake {
                status,
                message: None,
            };
            assert!(!Reconnect::retries_after(&error), "{status}");
        }
        assert!(!Reconnect::retries_after(&Error::Redirect { status: 307 }));
    }

    #[test]
    fn jitter_stays_between_its_bounds() {
        let mut jitter = Jitter::seeded();
        let (low, high) = (Duration::from_millis(100), Duration::from_millis(200));
        for _ in 0..1000 {
            let wait = jitter.between(low, high);
            assert!(wait >= low && wait < high, "{wait:?}");
        }
        assert_eq!(jitter.between(high, high), high);
    }
}
