//! Server events on their way out: each gets its server-assigned
//! `event_id`, passes through the surface's dialect, and is written once;
//! the `error` events for what a client sent wrong.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use realtime_types::{ga, shared};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::audio::{self, AudioFormat};

/// How a protocol surface rewrites the engine's server events: the engine
/// always speaks GA, and each event passes through the connection's dialect
/// on its way out (see [`Outbound::with_dialect`]).
pub trait Dialect<E>: std::fmt::Debug + Send + Sync + 'static {
    /// The event as this surface sends it, encoded, or `None` when the
    /// surface has no such event.
    fn outbound(&self, event: E) -> Option<String>;
}

/// Sends the server events of one surface (`E`, its generated
/// `ServerEvent` union) to the connection's writer, each built with its
/// server-assigned `event_id`.
#[derive(Debug)]
pub struct Outbound<E = ga::ServerEvent> {
    tx: mpsc::Sender<Message>,
    next_id: Arc<AtomicU64>,
    dialect: Option<Arc<dyn Dialect<E>>>,
}

impl<E> Clone for Outbound<E> {
    fn clone(&self) -> Self {
        Outbound {
            tx: self.tx.clone(),
            next_id: Arc::clone(&self.next_id),
            dialect: self.dialect.clone(),
        }
    }
}

impl<E> Outbound<E>
where
    E: serde::Serialize + From<shared::Error> + Send + 'static,
{
    /// Sends to the connection's writer, events unchanged.
    pub fn new(tx: mpsc::Sender<Message>) -> Self {
        Outbound {
            tx,
            next_id: Arc::new(AtomicU64::new(1)),
            dialect: None,
        }
    }

    /// Passes every event through `dialect` before it is sent.
    pub fn with_dialect(mut self, dialect: Arc<dyn Dialect<E>>) -> Self {
        self.dialect = Some(dialect);
        self
    }

    /// Sends one server event, built by `event` from the `event_id` it is
    /// given (`event_N`, unique in the connection): the generated
    /// constructor of the event, so that an event or field the spec renames
    /// or removes breaks the mock's build.
    pub async fn send<T: Into<E>>(&self, event: impl FnOnce(String) -> T) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let event: E = event(format!("event_{id}")).into();
        let text = match &self.dialect {
            Some(dialect) => match dialect.outbound(event) {
                Some(text) => text,
                None => return,
            },
            None => match encode(&event) {
                Some(text) => text,
                None => return,
            },
        };
        let _ = self.tx.send(Message::Text(text.into())).await;
    }

    /// Sends a server event exactly as it is given (a responder's script),
    /// with an `event_id` first when it has none.
    pub async fn send_raw(&self, event: &Value) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let text = match event {
            Value::Object(fields) if !fields.contains_key("event_id") => {
                let mut with_id = serde_json::Map::with_capacity(fields.len() + 1);
                with_id.insert("event_id".into(), Value::String(format!("event_{id}")));
                with_id.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                Value::Object(with_id).to_string()
            }
            other => other.to_string(),
        };
        let _ = self.tx.send(Message::Text(text.into())).await;
    }

    /// The `error` for a frame that does not decode as a client event, with
    /// the frame's `event_id` when it can be read. The message names what is
    /// wrong and where (line, column), never the payload.
    pub async fn undecodable(&self, text: &str, error: &serde_json::Error) {
        let event_id = event_id_of(text);
        self.invalid_event(
            event_id.as_deref(),
            &format!("The event could not be decoded: {error}"),
        )
        .await;
    }

    /// The `error` for a client event whose `type` is known but whose body
    /// does not match its schema, naming the parameter (from the JSON
    /// pointer of the problem) as the service does.
    pub async fn malformed(&self, event: &realtime_types::MalformedEvent) {
        let event_id = event.raw().get("event_id").and_then(Value::as_str);
        let problem = event.problem();
        let at = crate::validate::param(&problem.pointer);
        let missing = problem
            .reason
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        match missing {
            Some(field) => {
                let param = if at.is_empty() {
                    field.to_string()
                } else {
                    format!("{at}.{field}")
                };
                let message = format!("Missing required parameter: '{param}'.");
                self.error(
                    event_id,
                    "missing_required_parameter",
                    &message,
                    Some(&param),
                )
                .await;
            }
            None => {
                let message = format!("Invalid value for '{at}': {}.", problem.reason);
                let param = Some(at.as_str()).filter(|p| !p.is_empty());
                self.error(event_id, "invalid_value", &message, param).await;
            }
        }
    }

    /// An `error` with code `invalid_event` (a frame that cannot be processed).
    pub async fn invalid_event(&self, event_id: Option<&str>, message: &str) {
        self.error(event_id, "invalid_event", message, None).await;
    }

    /// The `error` for a client event whose `type` the surface does not know.
    pub async fn unsupported_event(&self, raw: &Value) {
        let event_type = realtime_types::support::raw_tag(raw, "type");
        let event_id = raw.get("event_id").and_then(Value::as_str);
        self.error(
            event_id,
            "invalid_event",
            &format!("Invalid value: '{event_type}' is not a supported client event type."),
            Some("type"),
        )
        .await;
    }

    /// Decodes appended audio; on failure sends the `error` event (param
    /// `audio`) and returns `None`.
    pub async fn decode_appended(
        &self,
        event_id: Option<&str>,
        base64: &str,
        format: AudioFormat,
    ) -> Option<Vec<i16>> {
        match audio::decode_base64(base64, format) {
            Ok(samples) => Some(samples),
            Err(error) => {
                self.error(
                    event_id,
                    "invalid_value",
                    &format!("Invalid 'audio': {error}"),
                    Some("audio"),
                )
                .await;
                None
            }
        }
    }

    /// An `error` event of type `invalid_request_error`.
    pub async fn error(
        &self,
        event_id: Option<&str>,
        code: &str,
        message: &str,
        param: Option<&str>,
    ) {
        let mut details =
            shared::ErrorDetails::new("invalid_request_error", message).with_code(code);
        details = match param {
            Some(param) => details.with_param(param),
            None => details.with_param_null(),
        };
        details = match event_id {
            Some(event_id) => details.with_event_id(event_id),
            None => details.with_event_id_null(),
        };
        self.send(|id| shared::Error::new(id, details)).await;
    }
}

/// `event` as JSON text; `None` (and an error in the log, naming the event
/// type only) if it cannot be encoded, which the generated types never do.
pub(crate) fn encode<E: serde::Serialize>(event: &E) -> Option<String> {
    match serde_json::to_string(event) {
        Ok(text) => Some(text),
        Err(error) => {
            eprintln!(
                "realtime-mock: a server event could not be encoded: {}",
                json_error_place(&error)
            );
            None
        }
    }
}

/// Where a serde_json error is and what kind it is, for a log line: never
/// its message, which quotes the value (session settings, user text).
pub(crate) fn json_error_place(error: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {}, column {}",
        error.classify(),
        error.line(),
        error.column()
    )
}

/// The `event_id` of a frame that could not be decoded as an event, if it
/// is a JSON object with a string `event_id`.
pub(super) fn event_id_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithId {
        event_id: Option<String>,
    }
    serde_json::from_str::<WithId>(text)
        .ok()
        .and_then(|w| w.event_id)
}
