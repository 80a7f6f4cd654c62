//! The WebSocket handshake: endpoint, query, authentication and surface,
//! answered like the real service (401 for a wrong or missing key).

use serde_json::Value;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request};
use tokio_tungstenite::tungstenite::http::{self, StatusCode};

use crate::calls;
use crate::registry::Registry;
use crate::secrets::{self, Lookup};

/// Which protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The generally available API (default).
    Ga,
    /// The beta API (`OpenAI-Beta: realtime=v1`).
    Beta,
    /// Translation sessions (`/v1/realtime/translations`).
    Translation,
}

/// What the client asked for in the handshake.
#[derive(Debug, Clone, PartialEq)]
pub struct Connect {
    /// The protocol surface.
    pub surface: Surface,
    /// `model=...`, if given.
    pub model: Option<String>,
    /// `call_id=...`, if given (attach to a SIP / WebRTC call).
    pub call_id: Option<String>,
    /// `intent=transcription` was given (or the client secret presented
    /// was minted for a transcription session).
    pub transcription: bool,
    /// The session configuration the connection starts with (a GA
    /// `session.update`'s `session`): that of the client secret it
    /// presented, or of the call it attaches to.
    pub initial_session: Option<serde_json::Value>,
    /// The subprotocol the handshake answers with (`realtime`, when a
    /// browser offered it with its credential).
    pub subprotocol: Option<&'static str>,
}

/// The subprotocol browsers offer (they cannot set headers), with
/// `openai-insecure-api-key.<key>` carrying the credential.
pub const REALTIME_SUBPROTOCOL: &str = "realtime";

/// The prefix of the subprotocol that carries a credential.
pub const KEY_SUBPROTOCOL_PREFIX: &str = "openai-insecure-api-key.";

/// Where the mock serves the API, as OpenAI does: each surface's path
/// (`realtime_types::ga::SURFACE.path`) is under it.
pub(crate) const API_BASE: &str = "/v1/";

/// The realtime endpoint (`/v1/realtime`), of the GA surface.
pub const REALTIME_PATH: &str = under_api_base(&REALTIME_PATH_BYTES);
/// The translation endpoint (`/v1/realtime/translations`; the spec documents
/// only its REST sibling `/v1/realtime/translations/client_secrets`).
pub const TRANSLATION_PATH: &str = under_api_base(&TRANSLATION_PATH_BYTES);
/// The beta endpoint, where the header selects the beta surface (GA's, today).
const BETA_PATH: &str = under_api_base(&BETA_PATH_BYTES);
/// The `OpenAI-Beta` value that selects the beta surface (`realtime=v1`).
const BETA_HEADER: &str = match realtime_types::beta::SURFACE.beta_header {
    Some(value) => value,
    None => panic!("the beta surface is selected by an `OpenAI-Beta` header"),
};

// The paths, joined at compile time (a `const` cannot call `format!`).
const REALTIME_PATH_BYTES: [u8; API_BASE.len() + realtime_types::ga::SURFACE.path.len()] =
    joined(API_BASE, realtime_types::ga::SURFACE.path);
const TRANSLATION_PATH_BYTES: [u8; API_BASE.len()
    + realtime_types::translation::SURFACE.path.len()] =
    joined(API_BASE, realtime_types::translation::SURFACE.path);
const BETA_PATH_BYTES: [u8; API_BASE.len() + realtime_types::beta::SURFACE.path.len()] =
    joined(API_BASE, realtime_types::beta::SURFACE.path);

/// `base` then `path`, into an array of exactly their length `N`.
const fn joined<const N: usize>(base: &str, path: &str) -> [u8; N] {
    let (base, path) = (base.as_bytes(), path.as_bytes());
    assert!(base.len() + path.len() == N, "N is the joined length");
    let mut out = [0; N];
    let mut i = 0;
    while i < base.len() {
        out[i] = base[i];
        i += 1;
    }
    let mut j = 0;
    while j < path.len() {
        out[i + j] = path[j];
        j += 1;
    }
    out
}

/// The text of a path made by [`joined`] (two `str`s, so UTF-8).
const fn under_api_base(bytes: &'static [u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(path) => path,
        Err(_) => panic!("two joined `str`s are UTF-8"),
    }
}

/// Why a handshake is refused: the HTTP status and the service's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error message of the JSON body.
    pub message: String,
}

impl Refusal {
    /// The HTTP answer, with the service's JSON error body (of type
    /// `server_error` for a 5xx status, `invalid_request_error` otherwise).
    pub fn into_response(self) -> ErrorResponse {
        let error_type = if self.status.is_server_error() {
            "server_error"
        } else {
            "invalid_request_error"
        };
        let body = serde_json::json!({
            "error": {"message": self.message, "type": error_type, "param": null, "code": null}
        })
        .to_string();
        let mut response = ErrorResponse::new(Some(body));
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// Checks a handshake request against the expected API key and the client
/// secrets minted here.
pub(crate) fn check(
    request: &Request,
    api_key: Option<&str>,
    registry: &Registry,
) -> Result<Connect, Refusal> {
    let secrets = &registry.secrets;
    let path = request.uri().path();
    let surface = match path {
        BETA_PATH if beta_requested(request) => Surface::Beta,
        REALTIME_PATH => Surface::Ga,
        TRANSLATION_PATH => Surface::Translation,
        _ => {
            return Err(refuse(
                StatusCode::NOT_FOUND,
                &format!("no Realtime endpoint at `{path}`"),
            ));
        }
    };
    let (credential, subprotocol) = credential(request);
    let mut minted = None;
    match credential {
        Some(Credential { key, .. }) if key.starts_with(secrets::PREFIX) => {
            match secrets.lookup(&key) {
                Lookup::Valid(secret) => minted = Some(secret.session),
                Lookup::Expired => {
                    return Err(refuse(
                        StatusCode::UNAUTHORIZED,
                        "The client secret has expired: mint a new one.",
                    ));
                }
                Lookup::Unknown if api_key.is_some() => {
                    return Err(refuse(
                        StatusCode::UNAUTHORIZED,
                        "Incorrect API key provided.",
                    ));
                }
                Lookup::Unknown => {}
            }
        }
        // A browser would give its permanent key to anyone who reads the page.
        Some(Credential {
            in_subprotocol: true,
            ..
        }) => {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "A permanent API key cannot be used from a browser: mint a client secret (POST /v1/realtime/client_secrets) and connect with it.",
            ));
        }
        Some(Credential { key, .. }) if api_key.is_some_and(|expected| key != expected) => {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "Incorrect API key provided.",
            ));
        }
        Some(_) => {}
        None if api_key.is_some() => {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.",
            ));
        }
        None => {}
    }
    let mut connect = Connect {
        surface,
        model: None,
        call_id: None,
        transcription: false,
        initial_session: None,
        subprotocol,
    };
    if let Some(session) = minted {
        connect.transcription =
            session.get("type").and_then(Value::as_str) == Some("transcription");
        connect.model = session
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string);
        connect.initial_session = Some(session);
    }
    for (key, value) in query_pairs(request.uri().query().unwrap_or_default()) {
        match key.as_str() {
            "model" => connect.model = Some(value),
            "call_id" => connect.call_id = Some(value),
            "intent" if value == "transcription" => connect.transcription = true,
            _ => {}
        }
    }
    // A sideband connection attaches to an active call, and starts with the
    // session the call was accepted or created with.
    if let Some(call_id) = &connect.call_id
        && let Some(call) = registry.calls.get(call_id)
    {
        match call.state {
            calls::State::Active { session } => connect.initial_session = Some(session),
            other => {
                return Err(refuse(
                    StatusCode::CONFLICT,
                    &format!(
                        "Call '{call_id}' is {}: a session attaches to an active call.",
                        other.name()
                    ),
                ));
            }
        }
    }
    // A client secret or a call names its session (its model, or its
    // transcription).
    let targets = usize::from(connect.initial_session.is_some())
        + usize::from(connect.model.is_some())
        + usize::from(connect.call_id.is_some())
        + usize::from(connect.transcription);
    if surface != Surface::Translation && targets == 0 {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "Missing required parameter: 'model' (or 'call_id', or 'intent=transcription').",
        ));
    }
    Ok(connect)
}

/// A credential the handshake presented.
struct Credential {
    key: String,
    /// Carried by the `openai-insecure-api-key.` subprotocol (a browser).
    in_subprotocol: bool,
}

/// The credential of a handshake (its `Authorization: Bearer` header, else
/// the key subprotocol), and the subprotocol to answer with.
fn credential(request: &Request) -> (Option<Credential>, Option<&'static str>) {
    let offered: Vec<&str> = request
        .headers()
        .get_all(http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let subprotocol = offered
        .contains(&REALTIME_SUBPROTOCOL)
        .then_some(REALTIME_SUBPROTOCOL);
    let bearer = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if let Some(key) = bearer {
        let credential = Credential {
            key: key.to_string(),
            in_subprotocol: false,
        };
        return (Some(credential), subprotocol);
    }
    let in_subprotocol = offered
        .iter()
        .find_map(|offer| offer.strip_prefix(KEY_SUBPROTOCOL_PREFIX))
        .map(|key| Credential {
            key: key.to_string(),
            in_subprotocol: true,
        });
    (in_subprotocol, subprotocol)
}

fn beta_requested(request: &Request) -> bool {
    request
        .headers()
        .get_all("openai-beta")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|value| value.trim() == BETA_HEADER)
}

/// `key=value&...` with percent-decoding of `%XX` and `+`.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refuse(status: StatusCode, message: &str) -> Refusal {
    Refusal {
        status,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_with(request: &Request, api_key: Option<&str>) -> Result<Connect, Refusal> {
        check(request, api_key, &Registry::default())
    }

    fn request(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn the_endpoints_are_the_surfaces_paths_under_v1() {
        assert_eq!(REALTIME_PATH, "/v1/realtime");
        assert_eq!(BETA_PATH, "/v1/realtime");
        assert_eq!(TRANSLATION_PATH, "/v1/realtime/translations");
        assert_eq!(BETA_HEADER, "realtime=v1");
    }

    #[test]
    fn ga_is_the_default_surface() {
        let connect = check_with(&request("/v1/realtime?model=gpt-realtime", &[]), None).unwrap();
        assert_eq!(connect.surface, Surface::Ga);
        assert_eq!(connect.model.as_deref(), Some("gpt-realtime"));
    }

    #[test]
    fn beta_header_selects_the_beta_surface() {
        let connect = check_with(
            &request("/v1/realtime?model=m", &[("OpenAI-Beta", "realtime=v1")]),
            None,
        )
        .unwrap();
        assert_eq!(connect.surface, Surface::Beta);
    }

    #[test]
    fn translation_has_its_own_path() {
        let connect = check_with(&request("/v1/realtime/translations", &[]), None).unwrap();
        assert_eq!(connect.surface, Surface::Translation);
    }

    #[test]
    fn wrong_or_missing_key_is_401() {
        let missing =
            check_with(&request("/v1/realtime?model=m", &[]), Some("sk-test")).unwrap_err();
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
        let wrong = check_with(
            &request("/v1/realtime?model=m", &[("Authorization", "Bearer nope")]),
            Some("sk-test"),
        )
        .unwrap_err();
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        let right = check_with(
            &request(
                "/v1/realtime?model=m",
                &[("Authorization", "Bearer sk-test")],
            ),
            Some("sk-test"),
        );
        assert!(right.is_ok());
    }

    #[test]
    fn call_id_and_transcription_intent_are_targets() {
        let call = check_with(&request("/v1/realtime?call_id=rtc_1", &[]), None).unwrap();
        assert_eq!(call.call_id.as_deref(), Some("rtc_1"));
        let transcription =
            check_with(&request("/v1/realtime?intent=transcription", &[]), None).unwrap();
        assert!(transcription.transcription);
        let none = check_with(&request("/v1/realtime", &[]), None).unwrap_err();
        assert_eq!(none.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn unknown_path_is_404() {
        assert_eq!(
            check_with(&request("/v1/chat", &[]), None)
                .unwrap_err()
                .status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(
            query_pairs("model=a%2Db+c&x"),
            vec![
                ("model".into(), "a-b c".into()),
                ("x".into(), String::new())
            ]
        );
    }
}
