//! Opening a connection: the request (URL, credentials, headers), TCP, TLS
//! and the WebSocket handshake, with its errors typed and scrubbed of
//! secrets.

use std::sync::Arc;

use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::{Instrument, debug, info_span};

use crate::builder::{ClientBuilder, Credentials, host_of};
use crate::connection::Socket;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::surface::Surface;

/// Connects and completes the handshake.
pub(crate) async fn open<S: Surface>(config: &ClientBuilder<S>) -> Result<Socket> {
    let url = config.url()?;
    let authority = url
        .split_once("://")
        .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(rest));
    let host = host_of(authority).to_string();
    let span = info_span!("realtime.connect", surface = S::NAME, host = %host);
    async move {
        let secret = resolve(&config.credentials).await?;
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| Error::Config(e.to_string()))?;
        let headers = request.headers_mut();
        let mut put = |name: &'static str, value: &str| -> Result<()> {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("the `{name}` header value is not valid")))?;
            value.set_sensitive(name == "authorization" || name == "api-key");
            headers.insert(name, value);
            Ok(())
        };
        match (&config.credentials, &secret) {
            (Credentials::AzureKey(key), _) => put("api-key", key.expose())?,
            (_, Some(token)) => put("authorization", &format!("Bearer {}", token.expose()))?,
            _ => {}
        }
        if let Some(beta) = S::INFO.beta_header {
            put("openai-beta", beta)?;
        }
        if let Some(organization) = &config.organization {
            put("openai-organization", organization)?;
        }
        if let Some(project) = &config.project {
            put("openai-project", project)?;
        }
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(config.max_message_bytes))
            .max_frame_size(Some(config.max_message_bytes))
            .read_buffer_size(config.read_buffer_size)
            .write_buffer_size(config.write_buffer_size);
        let connector = if url.starts_with("wss://") {
            Connector::Rustls(tls_config()?)
        } else {
            Connector::Plain
        };
        let handshake = tokio_tungstenite::connect_async_tls_with_config(
            request,
            Some(ws_config),
            true,
            Some(connector),
        );
        let scrub_with = match &config.credentials {
            Credentials::AzureKey(key) => Some(key.clone()),
            _ => secret.clone(),
        };
        match tokio::time::timeout(config.connect_timeout, handshake).await {
            Err(_) => Err(Error::Timeout {
                after: config.connect_timeout,
            }),
            Ok(Err(error)) => Err(handshake_error(error, &host, scrub_with.as_ref())),
            Ok(Ok((socket, _))) => {
                debug!("connected");
                Ok(socket)
            }
        }
    }
    .instrument(span)
    .await
}

/// The bearer token of `credentials`, asking a provider when there is one
/// (`None` for no credential and for Azure's `api-key`).
pub(crate) async fn resolve(credentials: &Credentials) -> Result<Option<Secret>> {
    match credentials {
        Credentials::None | Credentials::AzureKey(_) => Ok(None),
        Credentials::Bearer(secret) => Ok(Some(secret.clone())),
        Credentials::Provider(provider) => {
            provider.token().await.map(Some).map_err(Error::Credentials)
        }
    }
}

pub(crate) fn tls_config() -> Result<Arc<rustls::ClientConfig>> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::Config(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

fn handshake_error(error: tungstenite::Error, host: &str, secret: Option<&Secret>) -> Error {
    let host = host.to_string();
    match error {
        tungstenite::Error::Http(response) => {
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                return Error::Redirect { status };
            }
            let message = response
                .body()
                .as_ref()
                .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
                .and_then(|body| {
                    body.pointer("/error/message")
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                })
                .map(|message| match secret {
                    Some(secret) => secret.scrub(&message),
                    None => message,
                });
            Error::Handshake { status, message }
        }
        tungstenite::Error::Io(error) => {
            // rustls reports through `io::Error`; say that it was TLS.
            let tls = error
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
            Error::Connect {
                host,
                tls,
                source: Box::new(error),
            }
        }
        tungstenite::Error::Tls(error) => Error::Connect {
            host,
            tls: true,
            source: Box::new(error),
        },
        other => Error::Connect {
            host,
            tls: false,
            source: Box::new(other),
        },
    }
}
