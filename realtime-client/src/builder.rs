//! Configuring a connection: target, endpoint, credentials and limits. All
//! of it is checked before any socket opens.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::surface::{Beta, Ga, Surface, Translation};

/// The default endpoint.
pub const DEFAULT_BASE_URL: &str = "wss://api.openai.com/v1";
/// The default limit on one incoming message (items can carry base64 audio).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 32 << 20;

/// What a session attaches to. Exactly one is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A new session with this model (`model=`).
    Model(String),
    /// An existing SIP / WebRTC call (`call_id=`).
    CallId(String),
    /// A transcription session (`intent=transcription`).
    Transcription,
}

/// Gets a credential just before connecting (e.g. mints an ephemeral key).
pub trait TokenProvider: Send + Sync + 'static {
    /// The credential, or why there is none (the reason must not contain a secret).
    fn token(
        &self,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<Secret, String>> + Send + '_>>;
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = std::result::Result<Secret, String>> + Send + 'static,
{
    fn token(
        &self,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<Secret, String>> + Send + '_>> {
        Box::pin(self())
    }
}

/// How the client authenticates.
#[derive(Clone, Default)]
pub enum Credentials {
    /// No credential (a local mock without a key).
    #[default]
    None,
    /// `Authorization: Bearer <key>`: an API key or an ephemeral client secret (`ek_...`).
    Bearer(Secret),
    /// A provider asked for a bearer token before connecting.
    Provider(Arc<dyn TokenProvider>),
    /// Azure OpenAI: `api-key: <key>`.
    AzureKey(Secret),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credentials::None => "None",
            Credentials::Bearer(_) => "Bearer(<redacted>)",
            Credentials::Provider(_) => "Provider",
            Credentials::AzureKey(_) => "AzureKey(<redacted>)",
        })
    }
}

/// Builds a [`crate::RealtimeClient`]; see [`crate::RealtimeClient::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder<S: Surface = Ga> {
    pub(crate) targets: Vec<Target>,
    pub(crate) base_url: String,
    pub(crate) credentials: Credentials,
    pub(crate) organization: Option<String>,
    pub(crate) project: Option<String>,
    pub(crate) azure: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_message_bytes: usize,
    pub(crate) ping_interval: Option<Duration>,
    pub(crate) pong_timeout: Duration,
    pub(crate) outbound_capacity: usize,
    pub(crate) inbound_capacity: usize,
    surface: PhantomData<fn() -> S>,
}

impl Default for ClientBuilder<Ga> {
    fn default() -> Self {
        ClientBuilder {
            targets: Vec::new(),
            base_url: DEFAULT_BASE_URL.to_string(),
            credentials: Credentials::None,
            organization: None,
            project: None,
            azure: false,
            connect_timeout: Duration::from_secs(10),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            ping_interval: Some(Duration::from_secs(20)),
            pong_timeout: Duration::from_secs(10),
            outbound_capacity: 64,
            inbound_capacity: 256,
            surface: PhantomData,
        }
    }
}

impl<S: Surface> ClientBuilder<S> {
    fn with_surface<T: Surface>(self) -> ClientBuilder<T> {
        ClientBuilder {
            targets: self.targets,
            base_url: self.base_url,
            credentials: self.credentials,
            organization: self.organization,
            project: self.project,
            azure: self.azure,
            connect_timeout: self.connect_timeout,
            max_message_bytes: self.max_message_bytes,
            ping_interval: self.ping_interval,
            pong_timeout: self.pong_timeout,
            outbound_capacity: self.outbound_capacity,
            inbound_capacity: self.inbound_capacity,
            surface: PhantomData,
        }
    }

    /// Speaks the beta surface (`OpenAI-Beta: realtime=v1`, beta event types).
    pub fn beta(self) -> ClientBuilder<Beta> {
        self.with_surface()
    }

    /// Opens a translation session (its own endpoint and event types).
    pub fn translation(self) -> ClientBuilder<Translation> {
        self.with_surface()
    }

    /// A new session with this model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.targets.push(Target::Model(model.into()));
        self
    }

    /// Attaches to an existing SIP / WebRTC call.
    pub fn call_id(mut self, call_id: impl Into<String>) -> Self {
        self.targets.push(Target::CallId(call_id.into()));
        self
    }

    /// A transcription session.
    pub fn transcription(mut self) -> Self {
        self.targets.push(Target::Transcription);
        self
    }

    /// Another endpoint (`https://host/path/` → `wss://host/path/realtime`).
    /// Plain `ws://` / `http://` is allowed for loopback hosts only.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Authenticates with an API key (`Authorization: Bearer`).
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.credentials = Credentials::Bearer(key.into());
        self
    }

    /// Authenticates with an ephemeral client secret (`ek_...`).
    pub fn client_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.credentials = Credentials::Bearer(secret.into());
        self
    }

    /// Asks `provider` for a bearer token right before connecting.
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.credentials = Credentials::Provider(Arc::new(provider));
        self
    }

    /// Sends `OpenAI-Organization`.
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// Sends `OpenAI-Project`.
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    /// Azure OpenAI: `endpoint` like `https://NAME.openai.azure.com`, the
    /// deployment as the model, and the key in an `api-key` header.
    pub fn azure(
        mut self,
        endpoint: impl Into<String>,
        deployment: impl Into<String>,
        api_key: impl Into<Secret>,
    ) -> Self {
        let endpoint = endpoint.into();
        self.base_url = format!("{}/openai/v1", endpoint.trim_end_matches('/'));
        self.targets.push(Target::Model(deployment.into()));
        self.credentials = Credentials::AzureKey(api_key.into());
        self.azure = true;
        self
    }

    /// Gives up connecting (TCP, TLS and handshake) after this long (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest incoming message accepted (default 32 MiB, never less than 16 MiB is advisable).
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = limit;
        self
    }

    /// Pings every `interval` and reports a dead peer when no pong comes within `timeout`
    /// (default 20 s and 10 s).
    pub fn keepalive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.ping_interval = Some(interval);
        self.pong_timeout = timeout;
        self
    }

    /// Sends no pings.
    pub fn no_keepalive(mut self) -> Self {
        self.ping_interval = None;
        self
    }

    /// How many outgoing events may wait to be written before `send` waits (default 64).
    pub fn outbound_capacity(mut self, capacity: usize) -> Self {
        self.outbound_capacity = capacity.max(1);
        self
    }

    /// The WebSocket URL this configuration connects to; checks the target
    /// count and the scheme rules.
    pub fn url(&self) -> Result<String> {
        let target = match self.targets.as_slice() {
            [only] => only,
            [] => {
                return Err(Error::Config(
                    "no target: call one of model(..), call_id(..) or transcription()".into(),
                ));
            }
            _ => return Err(Error::Config(
                "more than one target: call only one of model(..), call_id(..) or transcription()"
                    .into(),
            )),
        };
        let (scheme, rest) = self
            .base_url
            .split_once("://")
            .ok_or_else(|| Error::Config(format!("base URL `{}` has no scheme", self.base_url)))?;
        let secure = match scheme {
            "wss" | "https" => true,
            "ws" | "http" => false,
            other => {
                return Err(Error::Config(format!(
                    "base URL scheme `{other}` is not one of wss, https, ws, http"
                )));
            }
        };
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        if authority.is_empty() {
            return Err(Error::Config("base URL has no host".into()));
        }
        if authority.contains('@') {
            return Err(Error::Config(
                "base URL must not carry credentials; use api_key(..)".into(),
            ));
        }
        if !secure && !is_loopback(host_of(authority)) {
            return Err(Error::Config(format!(
                "plain `{scheme}://` is allowed for loopback hosts only (a local mock); use wss:// for `{}`",
                host_of(authority)
            )));
        }
        let path = path.trim_matches('/');
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("/{path}")
        };
        let query = match target {
            Target::Model(model) => format!("model={}", encode(model)),
            Target::CallId(call_id) => format!("call_id={}", encode(call_id)),
            Target::Transcription => "intent=transcription".to_string(),
        };
        let scheme = if secure { "wss" } else { "ws" };
        Ok(format!(
            "{scheme}://{authority}{prefix}/{}?{query}",
            S::PATH
        ))
    }
}

/// The host of `host[:port]` or `[v6]:port`.
pub(crate) fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::RealtimeClient;

    #[test]
    fn the_default_endpoint_is_openai() {
        let url = RealtimeClient::builder()
            .model("gpt-realtime")
            .url()
            .unwrap();
        assert_eq!(url, "wss://api.openai.com/v1/realtime?model=gpt-realtime");
    }

    #[test]
    fn zero_or_two_targets_are_refused() {
        assert!(
            RealtimeClient::builder()
                .url()
                .unwrap_err()
                .to_string()
                .contains("no target")
        );
        let two = RealtimeClient::builder()
            .model("m")
            .transcription()
            .url()
            .unwrap_err();
        assert!(two.to_string().contains("more than one target"));
    }

    #[test]
    fn a_custom_base_keeps_its_path_and_becomes_wss() {
        let url = RealtimeClient::builder()
            .base_url("https://host/custom/")
            .model("m")
            .url()
            .unwrap();
        assert_eq!(url, "wss://host/custom/realtime?model=m");
    }

    #[test]
    fn plain_ws_is_for_loopback_only() {
        for ok in [
            "ws://127.0.0.1:8080/v1",
            "http://localhost:1/v1",
            "ws://[::1]:9/v1",
        ] {
            assert!(
                RealtimeClient::builder()
                    .base_url(ok)
                    .model("m")
                    .url()
                    .is_ok(),
                "{ok}"
            );
        }
        let refused = RealtimeClient::builder()
            .base_url("ws://example.com/v1")
            .model("m")
            .url()
            .unwrap_err();
        assert!(refused.to_string().contains("loopback"), "{refused}");
    }

    #[test]
    fn targets_become_the_query() {
        let call = RealtimeClient::builder().call_id("rtc_1 2").url().unwrap();
        assert!(call.ends_with("/v1/realtime?call_id=rtc_1%202"), "{call}");
        let transcription = RealtimeClient::builder().transcription().url().unwrap();
        assert!(transcription.ends_with("?intent=transcription"));
    }

    #[test]
    fn translation_has_its_own_endpoint() {
        let url = RealtimeClient::builder()
            .translation()
            .model("m")
            .url()
            .unwrap();
        assert_eq!(url, "wss://api.openai.com/v1/realtime/translations?model=m");
    }

    #[test]
    fn azure_uses_its_path_and_no_credential_in_the_url() {
        let builder = RealtimeClient::builder().azure(
            "https://res.openai.azure.com/",
            "my-deploy",
            "azure-secret-key",
        );
        let url = builder.url().unwrap();
        assert_eq!(
            url,
            "wss://res.openai.azure.com/openai/v1/realtime?model=my-deploy"
        );
        assert!(!url.contains("azure-secret-key"));
        assert!(!format!("{builder:?}").contains("azure-secret-key"));
    }

    #[test]
    fn credentials_in_the_base_url_are_refused() {
        assert!(
            RealtimeClient::builder()
                .base_url("wss://user:pw@host/v1")
                .model("m")
                .url()
                .is_err()
        );
    }
}
