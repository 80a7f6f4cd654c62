//! Credentials that never show up in `Debug`, `Display`, logs or errors.

use std::fmt;

/// A secret string (API key, ephemeral client secret, Azure key). Its text is
/// only read where it goes on the wire; formatting prints `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret text, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the secret in `text` (e.g. a server's
    /// error message that quotes the key it was given).
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.0.len() < 4 {
            text.to_string()
        } else {
            text.replace(&self.0, "<redacted>")
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_secret() {
        let secret = Secret::new("sk-live-1234567890");
        assert!(!format!("{secret:?}").contains("1234567890"));
        assert!(!format!("{secret}").contains("1234567890"));
        assert!(!format!("{:?}", Some(&secret)).contains("1234567890"));
    }

    #[test]
    fn scrub_removes_the_secret_from_text() {
        let secret = Secret::new("sk-live-1234567890");
        assert_eq!(
            secret.scrub("bad key sk-live-1234567890 given"),
            "bad key <redacted> given"
        );
    }
}
