//! Configuring a connection: target, endpoint, credentials and limits. All
//! of it is checked before any socket opens.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::connection::Limits;
use crate::error::{Error, Result};
use crate::reconnect::Reconnect;
use crate::secret::Secret;
#[cfg(feature = "beta")]
use crate::surface::Beta;
#[cfg(feature = "translation")]
use crate::surface::Translation;
use crate::surface::{Ga, Surface};

/// The default endpoint.
pub const DEFAULT_BASE_URL: &str = "wss://api.openai.com/v1";
/// The default limit on one incoming message: 32 MiB. The service's largest
/// events are items with their base64 audio (`conversation.item.retrieved`):
/// a minute of 24 kHz PCM16 is 3.8 MB of base64. What a frame may cost to
/// decode is bounded apart from its size ([`DEFAULT_MAX_JSON_VALUES`]).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 32 << 20;
/// The default budget of the outgoing queue: 4 MiB, about a minute of
/// 24 kHz PCM16 input as base64 appends, or one large event.
pub const DEFAULT_OUTBOUND_BUFFER_BYTES: usize = 4 << 20;
/// The default budget of the incoming queue: 256 KiB, about four seconds of
/// 24 kHz output audio deltas not yet taken by the application. Small on
/// purpose: frames the application takes soon after they were read are
/// still in the CPU's cache (with 4 MiB, receiving took 1.3x as long; see
/// BENCHMARKS.md), and a slower reader only makes the server wait.
pub const DEFAULT_INBOUND_BUFFER_BYTES: usize = 256 << 10;
/// The default size of tungstenite's read buffer: 16 KiB. Most of an idle
/// session's memory is this buffer (tungstenite's own default is 128 KiB,
/// and it zero-fills it before every read).
pub const DEFAULT_READ_BUFFER_BYTES: usize = 16 << 10;
/// The default limit of JSON values per frame: 262,144. Decoding a JSON
/// value takes tens of bytes, whatever its size in the frame (`[0,0,...]`
/// is two bytes a value), so a frame with more is not decoded.
pub const DEFAULT_MAX_JSON_VALUES: usize = 1 << 18;

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
    pub(crate) close_timeout: Duration,
    pub(crate) outbound_buffer_bytes: usize,
    pub(crate) inbound_buffer_bytes: usize,
    pub(crate) read_buffer_size: usize,
    pub(crate) write_buffer_size: usize,
    pub(crate) max_json_values: usize,
    pub(crate) reconnect: Option<Reconnect>,
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
            close_timeout: Duration::from_secs(5),
            outbound_buffer_bytes: DEFAULT_OUTBOUND_BUFFER_BYTES,
            inbound_buffer_bytes: DEFAULT_INBOUND_BUFFER_BYTES,
            read_buffer_size: DEFAULT_READ_BUFFER_BYTES,
            write_buffer_size: DEFAULT_READ_BUFFER_BYTES,
            max_json_values: DEFAULT_MAX_JSON_VALUES,
            reconnect: None,
            surface: PhantomData,
        }
    }
}

impl<S: Surface> ClientBuilder<S> {
    #[cfg(any(feature = "beta", feature = "translation"))]
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
            close_timeout: self.close_timeout,
            outbound_buffer_bytes: self.outbound_buffer_bytes,
            inbound_buffer_bytes: self.inbound_buffer_bytes,
            read_buffer_size: self.read_buffer_size,
            write_buffer_size: self.write_buffer_size,
            max_json_values: self.max_json_values,
            reconnect: self.reconnect,
            surface: PhantomData,
        }
    }

    /// Speaks the beta surface (`OpenAI-Beta: realtime=v1`, beta event types;
    /// feature `beta`).
    #[cfg(feature = "beta")]
    pub fn beta(self) -> ClientBuilder<Beta> {
        self.with_surface()
    }

    /// Opens a translation session (its own endpoint and event types;
    /// feature `translation`).
    #[cfg(feature = "translation")]
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

    /// The largest incoming message accepted (default
    /// [`DEFAULT_MAX_MESSAGE_BYTES`]); a larger one ends the session with
    /// [`Error::MessageTooLarge`] before it is read.
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = limit;
        self
    }

    /// The most JSON values a frame may hold to be decoded (default
    /// [`DEFAULT_MAX_JSON_VALUES`]); a frame with more is handed out as
    /// `Error::Decode(DecodeError::TooManyValues)` and the stream goes on.
    /// Only frames longer than the limit in bytes are counted, so the check
    /// costs nothing on audio deltas.
    pub fn max_json_values(mut self, limit: usize) -> Self {
        self.max_json_values = limit;
        self
    }

    /// Pings every `interval` and reports a dead peer when nothing (a pong
    /// or any frame) comes within `timeout` (default 20 s and 10 s). While
    /// reading is paused because the application is behind, the timeout
    /// does not run: see [`inbound_buffer_bytes`](Self::inbound_buffer_bytes).
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

    /// How long to wait for the other side's close frame, or for the end of
    /// the stream after it (default 5 s).
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// The bytes of events that may wait to be written (default
    /// [`DEFAULT_OUTBOUND_BUFFER_BYTES`]); `send` waits while they are
    /// taken. An event larger than the whole budget waits for an empty
    /// queue and goes alone.
    pub fn outbound_buffer_bytes(mut self, bytes: usize) -> Self {
        self.outbound_buffer_bytes = bytes;
        self
    }

    /// The bytes of received frames that may wait for the application
    /// (default [`DEFAULT_INBOUND_BUFFER_BYTES`]). When they are taken, the
    /// client stops reading until the application catches up: the server
    /// sees TCP backpressure, nothing is dropped, the keepalive timeout
    /// waits, and [`QueueStats::read_pauses`](crate::QueueStats) counts it.
    pub fn inbound_buffer_bytes(mut self, bytes: usize) -> Self {
        self.inbound_buffer_bytes = bytes;
        self
    }

    /// The size of each read from the socket (tungstenite's read buffer;
    /// default [`DEFAULT_READ_BUFFER_BYTES`]). Larger reads take fewer
    /// system calls when frames come in bursts, at the price of memory in
    /// every session.
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.read_buffer_size = bytes.max(1024);
        self
    }

    /// How many bytes of small frames tungstenite gathers before it writes
    /// them (default 16 KiB; it writes at the latest when the queue is empty).
    pub fn write_buffer_size(mut self, bytes: usize) -> Self {
        self.write_buffer_size = bytes;
        self
    }

    /// Replaces a lost connection, as `policy` says (off by default): only
    /// after a close that says "try again" ([`Reconnect::recovers_from`]).
    /// The service does not restore the conversation; the client applies
    /// the last `session.update` again, sends again what the lost
    /// connection may not have delivered, and tells the application
    /// ([`RealtimeReceiver::next_received`](crate::RealtimeReceiver::next_received),
    /// [`RealtimeReceiver::reconnections`](crate::RealtimeReceiver::reconnections)).
    /// When it gives up, the session ends with [`Error::GaveUp`] and the
    /// events never sent are in [`RealtimeReceiver::take_unsent`](crate::RealtimeReceiver::take_unsent).
    /// The policy can also renew the connection before the service's cap
    /// ([`Reconnect::renew_after`]) and replay the conversation items the
    /// client created ([`Reconnect::replay_items`]).
    pub fn reconnect(mut self, policy: Reconnect) -> Self {
        self.reconnect = Some(policy);
        self
    }

    /// What the connection task needs.
    pub(crate) fn limits(&self) -> Limits {
        Limits {
            max_message_bytes: self.max_message_bytes,
            max_json_values: self.max_json_values,
            keepalive: self
                .ping_interval
                .map(|interval| (interval, self.pong_timeout)),
            close_timeout: self.close_timeout,
            renew_after: self
                .reconnect
                .as_ref()
                .and_then(|policy| policy.renew_after),
        }
    }

    /// Checks everything that can be checked before a socket opens.
    pub(crate) fn check(&self) -> Result<()> {
        self.url()?;
        if self.max_message_bytes == 0 {
            return Err(Error::Config("max_message_bytes must not be 0".into()));
        }
        if self
            .ping_interval
            .is_some_and(|interval| interval.is_zero())
        {
            return Err(Error::Config("the keepalive interval must not be 0".into()));
        }
        Ok(())
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
        match target {
            Target::Model(model) if model.trim().is_empty() => {
                return Err(Error::Config("model(..) is empty".into()));
            }
            Target::CallId(call_id) if call_id.trim().is_empty() => {
                return Err(Error::Config("call_id(..) is empty".into()));
            }
            _ => {}
        }
        let base = self.base()?;
        let query = match target {
            Target::Model(model) => format!("model={}", encode(model)),
            Target::CallId(call_id) => format!("call_id={}", encode(call_id)),
            Target::Transcription => "intent=transcription".to_string(),
        };
        let scheme = if base.secure { "wss" } else { "ws" };
        Ok(format!(
            "{scheme}://{}{}/{}?{query}",
            base.authority,
            base.prefix,
            S::PATH
        ))
    }

    /// The base URL, checked (scheme, host, no credentials, query, fragment
    /// or whitespace, plain only for loopback hosts) and taken apart: what
    /// the WebSocket URL and the REST client's base are made of.
    pub(crate) fn base(&self) -> Result<Base> {
        if self.base_url.contains(['?', '#']) {
            return Err(Error::Config(
                "base URL must not carry a query or a fragment (the client writes the query)"
                    .into(),
            ));
        }
        if self.base_url.contains(char::is_whitespace) {
            return Err(Error::Config("base URL contains whitespace".into()));
        }
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
        Ok(Base {
            secure,
            authority: authority.to_string(),
            prefix,
        })
    }
}

/// A checked base URL, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Base {
    /// `wss` / `https` (else `ws` / `http`, loopback only).
    pub(crate) secure: bool,
    /// `host[:port]`.
    pub(crate) authority: String,
    /// The path under the host, `""` or `/v1`.
    pub(crate) prefix: String,
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

pub(crate) fn is_loopback(host: &str) -> bool {
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
    use super::ClientBuilder;

    /// The builders of these tests.
    struct RealtimeClient;

    impl RealtimeClient {
        fn builder() -> ClientBuilder {
            ClientBuilder::default()
        }
    }

    #[test]
    fn an_empty_model_or_call_id_is_refused() {
        for builder in [
            RealtimeClient::builder().model(""),
            RealtimeClient::builder().model("  "),
            RealtimeClient::builder().call_id(""),
        ] {
            let error = builder.url().unwrap_err().to_string();
            assert!(error.contains("is empty"), "{error}");
        }
    }

    #[test]
    fn a_query_or_fragment_in_the_base_url_is_refused() {
        for base in [
            "ws://127.0.0.1:1/v1?x=1",
            "wss://host/v1#frag",
            "wss://host/v1 x",
        ] {
            let error = RealtimeClient::builder()
                .base_url(base)
                .model("m")
                .url()
                .unwrap_err();
            assert!(matches!(error, crate::Error::Config(_)), "{base}: {error}");
        }
    }

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
