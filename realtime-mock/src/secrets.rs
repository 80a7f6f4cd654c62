//! Client secrets (ephemeral keys) the mock minted: what each was minted
//! with, and until when it may start a session.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// The prefix of every client secret, as the service writes them.
pub(crate) const PREFIX: &str = "ek_";

/// One minted client secret.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minted {
    /// When it stops starting sessions, in seconds since the epoch.
    pub(crate) expires_at: u64,
    /// The session configuration it was minted with (a GA `session.update`'s
    /// `session`, as JSON): applied to every session it starts.
    pub(crate) session: Value,
}

/// What a presented client secret is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lookup {
    /// Minted here and not expired.
    Valid(Minted),
    /// Minted here, past its expiry.
    Expired,
    /// Not minted here.
    Unknown,
}

/// The client secrets of one server, and the clock they expire by.
#[derive(Debug, Default)]
pub(crate) struct ClientSecrets {
    minted: Mutex<HashMap<String, Minted>>,
    /// Seconds the clock was moved forward (`MockServer::advance_clock`).
    offset_seconds: AtomicU64,
    counter: AtomicU64,
}

impl ClientSecrets {
    /// Now, in seconds since the epoch, on this store's clock.
    pub(crate) fn now(&self) -> u64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        wall + self.offset_seconds.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `by` (whole seconds).
    pub(crate) fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.as_secs(), Ordering::Relaxed);
    }

    /// Mints a secret valid for `seconds`, with `session`; its value.
    pub(crate) fn mint(&self, seconds: u64, session: Value) -> (String, Minted) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        // Unique in the process (a mock's secrets need not be unguessable),
        // and not a pattern a client could come to rely on.
        let mixed = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.now().rotate_left(29);
        let value = format!("{PREFIX}mock{n:06}{mixed:016x}");
        let minted = Minted {
            expires_at: self.now() + seconds,
            session,
        };
        self.minted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(value.clone(), minted.clone());
        (value, minted)
    }

    /// What `secret` is.
    pub(crate) fn lookup(&self, secret: &str) -> Lookup {
        let minted = self
            .minted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(secret)
            .cloned();
        match minted {
            Some(minted) if minted.expires_at > self.now() => Lookup::Valid(minted),
            Some(_) => Lookup::Expired,
            None => Lookup::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_minted_secret_starts_sessions_until_it_expires() {
        let secrets = ClientSecrets::default();
        let (value, minted) = secrets.mint(60, json!({"instructions": "x"}));
        assert!(value.starts_with(PREFIX));
        assert_eq!(secrets.lookup(&value), Lookup::Valid(minted));
        secrets.advance(Duration::from_secs(59));
        assert!(matches!(secrets.lookup(&value), Lookup::Valid(_)));
        secrets.advance(Duration::from_secs(1));
        assert_eq!(secrets.lookup(&value), Lookup::Expired);
        assert_eq!(secrets.lookup("ek_other"), Lookup::Unknown);
    }

    #[test]
    fn every_secret_is_different() {
        let secrets = ClientSecrets::default();
        let (a, _) = secrets.mint(60, Value::Null);
        let (b, _) = secrets.mint(60, Value::Null);
        assert_ne!(a, b);
    }
}
