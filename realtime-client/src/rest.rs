//! The Realtime API's REST operations over HTTP: [`RestClient`] sends the
//! operations generated from the spec (`realtime_types::ga::RestMethods`,
//! `beta::RestMethods`, `translation::RestMethods`: one method per
//! operation) with the credentials, base URL and TLS stack of the WebSocket
//! client it was made from ([`ClientBuilder::rest`]).
//!
//! - Credentials: the builder's API key, client secret or token provider
//!   (`Authorization: Bearer`), or Azure's `api-key`; `OpenAI-Organization`
//!   and `OpenAI-Project`.
//! - Retries: a `408`, a `429` and every `5xx`, and a connection that
//!   fails, are retried (2 times by default) after a backoff
//!   of 0.5 s doubling to 8 s with jitter, or after what the answer's
//!   `retry-after-ms` / `Retry-After` (seconds) says, up to 60 s.
//! - Every answer's `x-request-id` is in the [`Reply`] and in the error.
//! - Errors are [`RestError`], typed from the service's error body; they
//!   never hold the key or the request body, and a body that does not decode
//!   is described without its content.
//! - Redirects are not followed (as on the WebSocket): a `3xx` is
//!   [`RestError::Redirect`].

use std::time::Duration;

use realtime_types::operation::{FormPart, ResponseError};
use realtime_types::{Operation, Reply, RequestBody};

use crate::builder::{ClientBuilder, Credentials};
use crate::error::ServerError;
use crate::surface::Surface;

/// How many times a failed request is retried by default (what the
/// official SDKs do).
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// The first backoff between attempts, doubled each time up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff the client picks itself.
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest pause an answer's `Retry-After` may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Why a REST operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum RestError {
    /// The configuration cannot make a request (the message says what).
    Config(String),
    /// The token provider failed (its reason, which holds no secret).
    Credentials(String),
    /// No answer: the connection failed or was cut (after the retries).
    Transport {
        /// The host.
        host: String,
        /// What failed (reqwest's error, which holds no key or body).
        source: reqwest::Error,
    },
    /// No answer within the timeout (after the retries).
    Timeout {
        /// The timeout of each attempt.
        after: Duration,
    },
    /// The service answered with an error status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The answer's `x-request-id`.
        request_id: Option<String>,
        /// The service's error body, when it had one.
        error: Option<Box<ServerError>>,
    },
    /// The service answered with a redirect, which is not followed.
    Redirect {
        /// The HTTP status.
        status: u16,
    },
    /// A success whose body is not what the operation answers.
    Decode {
        /// The answer's `x-request-id`.
        request_id: Option<String>,
        /// What is wrong, and where.
        source: ResponseError,
    },
    /// The request body could not be encoded (the generated types always can).
    Encode(serde_json::Error),
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let request = |id: &Option<String>| {
            id.as_deref()
                .map_or_else(String::new, |id| format!(" (request {id})"))
        };
        match self {
            RestError::Config(message) => write!(f, "REST configuration: {message}"),
            RestError::Credentials(reason) => write!(f, "cannot get credentials: {reason}"),
            RestError::Transport { host, .. } => write!(f, "no answer from {host}"),
            RestError::Timeout { after } => write!(f, "no answer within {after:?}"),
            RestError::Status {
                status,
                request_id,
                error: Some(error),
            } => write!(
                f,
                "HTTP {status}{}: {} ({}{})",
                request(request_id),
                error.message,
                error.error_type,
                error
                    .code
                    .as_deref()
                    .map_or_else(String::new, |code| format!(", {code}"))
            ),
            RestError::Status {
                status,
                request_id,
                error: None,
            } => write!(f, "HTTP {status}{}", request(request_id)),
            RestError::Redirect { status } => {
                write!(f, "HTTP {status}: a redirect, which is not followed")
            }
            RestError::Decode { request_id, source } => {
                write!(f, "{source}{}", request(request_id))
            }
            RestError::Encode(error) => write!(f, "the request body cannot be encoded: {error}"),
        }
    }
}

impl std::error::Error for RestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RestError::Transport { source, .. } => Some(source),
            RestError::Decode { source, .. } => Some(source),
            RestError::Encode(error) => Some(error),
            _ => None,
        }
    }
}

impl RestError {
    /// The `x-request-id` of the answer, if there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            RestError::Status { request_id, .. } | RestError::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The HTTP status, if the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Status { status, .. } | RestError::Redirect { status } => Some(*status),
            _ => None,
        }
    }
}

/// Sends the Realtime API's REST operations; cheap to clone (one connection
/// pool). Made with [`ClientBuilder::rest`].
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    /// `https://api.openai.com/v1`: the operations' paths go under it.
    base: String,
    host: String,
    credentials: Credentials,
    organization: Option<String>,
    project: Option<String>,
    max_retries: u32,
    timeout: Duration,
}

impl<S: Surface> ClientBuilder<S> {
    /// A REST client with this configuration's credentials, organization,
    /// project and base URL (`wss://` becomes `https://`, `ws://` `http://`;
    /// plain HTTP for loopback hosts only) and its connect timeout; each
    /// attempt may take 30 s (or the connect timeout, if longer; see
    /// [`RestClient::timeout`]).
    ///
    /// # Errors
    ///
    /// [`RestError::Config`] when the base URL is not one the WebSocket
    /// client would take (the same checks, `ClientBuilder::url`'s).
    pub fn rest(&self) -> Result<RestClient, RestError> {
        let base = self
            .base()
            .map_err(|error| RestError::Config(error.to_string()))?;
        let host = crate::builder::host_of(&base.authority).to_string();
        let tls = crate::handshake::tls_config().map_err(|e| RestError::Config(e.to_string()))?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls((*tls).clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| RestError::Config(format!("the HTTP client cannot start: {e}")))?;
        let scheme = if base.secure { "https" } else { "http" };
        Ok(RestClient {
            http,
            base: format!("{scheme}://{}{}", base.authority, base.prefix),
            host,
            credentials: self.credentials.clone(),
            organization: self.organization.clone(),
            project: self.project.clone(),
            max_retries: DEFAULT_MAX_RETRIES,
            timeout: self.connect_timeout.max(Duration::from_secs(30)),
        })
    }
}

impl RestClient {
    /// Retries a failed request up to `retries` times (2 by default; 0
    /// never retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The timeout of each attempt (30 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The base the operations' paths go under (`https://api.openai.com/v1`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends `operation` and decodes its answer. The generated
    /// `RestMethods` call this; it is also how an operation built by hand
    /// is sent.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe in that dropping it abandons the request and nothing else
    /// (an operation the service already received may have happened).
    ///
    /// # Errors
    ///
    /// See [`RestError`].
    pub async fn send<O: Operation>(&self, operation: O) -> Result<Reply<O::Response>, RestError> {
        let url = format!("{}{}", self.base, operation.path());
        let method = reqwest::Method::from_bytes(O::INFO.method.as_bytes())
            .map_err(|_| RestError::Config(format!("`{}` is not a method", O::INFO.method)))?;
        let body = operation.body().map_err(RestError::Encode)?;
        let (content_type, bytes) = encode(body);
        let token =
            crate::handshake::resolve(&self.credentials)
                .await
                .map_err(|error| match error {
                    crate::Error::Credentials(reason) => RestError::Credentials(reason),
                    other => RestError::Config(other.to_string()),
                })?;
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(method.clone(), &url)
                .timeout(self.timeout)
                .header("accept", "application/json");
            request = match (&self.credentials, &token) {
                (Credentials::AzureKey(key), _) => {
                    request.header("api-key", sensitive(key.expose())?)
                }
                (_, Some(token)) => request.header(
                    "authorization",
                    sensitive(&format!("Bearer {}", token.expose()))?,
                ),
                _ => request,
            };
            if let Some(organization) = &self.organization {
                request = request.header("openai-organization", organization);
            }
            if let Some(project) = &self.project {
                request = request.header("openai-project", project);
            }
            if let Some(content_type) = &content_type {
                request = request.header("content-type", content_type.as_str());
            }
            if let Some(bytes) = &bytes {
                request = request.body(bytes.clone());
            }
            let outcome = request.send().await;
            let retry_after = match &outcome {
                Ok(response) if retried_status(response.status().as_u16()) => {
                    Some(retry_after(response.headers()))
                }
                Err(error) if error.is_connect() || error.is_timeout() => Some(None),
                _ => None,
            };
            if let Some(asked) = retry_after
                && attempt < self.max_retries
            {
                tokio::time::sleep(asked.unwrap_or_else(|| backoff(attempt))).await;
                attempt += 1;
                continue;
            }
            return match outcome {
                Ok(response) => self.answer::<O>(response).await,
                Err(error) if error.is_timeout() => Err(RestError::Timeout {
                    after: self.timeout,
                }),
                Err(error) => Err(RestError::Transport {
                    host: self.host.clone(),
                    source: error.without_url(),
                }),
            };
        }
    }

    async fn answer<O: Operation>(
        &self,
        response: reqwest::Response,
    ) -> Result<Reply<O::Response>, RestError> {
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        if (300..400).contains(&status) {
            return Err(RestError::Redirect { status });
        }
        let body = response
            .bytes()
            .await
            .map_err(|error| RestError::Transport {
                host: self.host.clone(),
                source: error.without_url(),
            })?;
        if !(200..300).contains(&status) {
            return Err(RestError::Status {
                status,
                request_id,
                error: service_error(&body).map(Box::new),
            });
        }
        match O::decode(&body) {
            Ok(value) => Ok(Reply { value, request_id }),
            Err(source) => Err(RestError::Decode { request_id, source }),
        }
    }
}

/// The statuses worth another attempt.
fn retried_status(status: u16) -> bool {
    status == 408 || status == 429 || status >= 500
}

/// The pause an answer asks for: `retry-after-ms`, else `Retry-After` in
/// seconds, at most [`MAX_RETRY_AFTER`].
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<f64>().ok())
            .filter(|value| value.is_finite() && *value >= 0.0)
    };
    let asked = number("retry-after-ms")
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .or_else(|| number("retry-after").map(Duration::from_secs_f64))?;
    Some(asked.min(MAX_RETRY_AFTER))
}

/// The backoff before attempt `attempt + 1`: 0.5 s doubling to 8 s, with up
/// to a quarter of it taken off at random.
fn backoff(attempt: u32) -> Duration {
    let full = FIRST_BACKOFF
        .saturating_mul(1 << attempt.min(8))
        .min(MAX_BACKOFF);
    crate::reconnect::Jitter::seeded().between(full.mul_f64(0.75), full)
}

/// The service's error body (`{"error": {"message", "type", "code", "param"}}`).
fn service_error(body: &[u8]) -> Option<ServerError> {
    #[derive(serde::Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        message: Option<String>,
        #[serde(rename = "type")]
        error_type: Option<String>,
        code: Option<serde_json::Value>,
        param: Option<String>,
    }
    let body: Body = serde_json::from_slice(body).ok()?;
    Some(ServerError {
        error_type: body.error.error_type.unwrap_or_default(),
        code: body.error.code.and_then(|code| match code {
            serde_json::Value::String(code) => Some(code),
            serde_json::Value::Number(code) => Some(code.to_string()),
            _ => None,
        }),
        message: body.error.message.unwrap_or_default(),
        param: body.error.param,
        event_id: None,
    })
}

/// The content type and bytes of a body.
fn encode(body: RequestBody) -> (Option<String>, Option<Vec<u8>>) {
    match body {
        RequestBody::Empty => (None, None),
        RequestBody::Json(bytes) => (Some("application/json".into()), Some(bytes)),
        RequestBody::Text { content_type, text } => {
            (Some(content_type.to_string()), Some(text.into_bytes()))
        }
        RequestBody::Form(parts) => {
            let boundary = format!("realtime-client-{:016x}", rand_u64());
            (
                Some(format!("multipart/form-data; boundary={boundary}")),
                Some(form(&parts, &boundary)),
            )
        }
    }
}

/// A `multipart/form-data` body of `parts`.
fn form(parts: &[FormPart], boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"\r\n",
                part.name.replace(['"', '\r', '\n'], "_")
            )
            .as_bytes(),
        );
        if let Some(content_type) = part.content_type {
            out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// A number for a form's boundary (not a secret: a boundary need only not
/// occur in the parts).
fn rand_u64() -> u64 {
    crate::reconnect::Jitter::seeded()
        .between(Duration::ZERO, Duration::from_micros(u64::MAX))
        .as_micros() as u64
}

/// A header value that holds a credential (kept out of `Debug` output).
fn sensitive(value: &str) -> Result<reqwest::header::HeaderValue, RestError> {
    let mut value = reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| RestError::Config("the key is not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

macro_rules! rest_methods {
    ($($surface:ident),*) => {$(
        impl realtime_types::$surface::RestMethods for RestClient {
            type Error = RestError;

            fn execute<O>(
                &self,
                operation: O,
            ) -> impl Future<Output = Result<Reply<O::Response>, RestError>> + Send
            where
                O: Operation + Send + 'static,
            {
                let client = self.clone();
                async move { client.send(operation).await }
            }
        }
    )*};
}

rest_methods!(ga);
#[cfg(feature = "beta")]
rest_methods!(beta);
#[cfg(feature = "translation")]
rest_methods!(translation);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_milliseconds_or_seconds_and_capped() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(150)));
        headers.remove("retry-after-ms");
        headers.insert("retry-after", "3600".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn backoff_doubles_from_half_a_second_to_eight() {
        for (attempt, full) in [
            (0, 500),
            (1, 1000),
            (2, 2000),
            (3, 4000),
            (4, 8000),
            (9, 8000),
        ] {
            let pause = backoff(attempt).as_millis() as u64;
            assert!(pause <= full && pause >= full * 3 / 4, "{attempt}: {pause}");
        }
    }

    #[test]
    fn only_timeouts_rate_limits_and_server_errors_are_retried() {
        assert!(
            retried_status(408)
                && retried_status(429)
                && retried_status(500)
                && retried_status(503)
        );
        assert!(
            !retried_status(400)
                && !retried_status(401)
                && !retried_status(404)
                && !retried_status(409)
        );
    }

    #[test]
    fn the_service_error_body_is_read_and_anything_else_is_none() {
        let error = service_error(br#"{"error": {"message": "No.", "type": "invalid_request_error", "code": "call_not_found", "param": "call_id"}}"#).unwrap();
        assert_eq!(
            (
                error.message.as_str(),
                error.code.as_deref(),
                error.param.as_deref()
            ),
            ("No.", Some("call_not_found"), Some("call_id"))
        );
        assert!(service_error(b"<html>").is_none());
    }

    #[test]
    fn a_form_is_written_part_by_part() {
        let parts = [
            FormPart {
                name: "sdp".into(),
                content_type: None,
                value: b"v=0".to_vec(),
            },
            FormPart {
                name: "session".into(),
                content_type: Some("application/json"),
                value: b"{}".to_vec(),
            },
        ];
        let body = String::from_utf8(form(&parts, "b")).unwrap();
        assert_eq!(
            body,
            "--b\r\nContent-Disposition: form-data; name=\"sdp\"\r\n\r\nv=0\r\n--b\r\nContent-Disposition: form-data; name=\"session\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--\r\n"
        );
    }
}
