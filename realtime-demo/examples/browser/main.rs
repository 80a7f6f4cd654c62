//! The browser flow: a web server mints a short-lived client secret for a
//! page, and the page (plain JavaScript, `index.html` and `app.js` beside
//! this file) connects to the Realtime WebSocket with it the way a browser
//! must, through the `realtime` and `openai-insecure-api-key.<secret>`
//! subprotocols, runs a text turn and shows the answer. The permanent API key
//! stays on the server.
//!
//! `cargo run -p realtime-demo --example browser [-- --listen 127.0.0.1:3000]`,
//! then open the printed address. The page talks to the embedded mock,
//! unless `REALTIME_BASE_URL` names another server or `OPENAI_API_KEY` is set
//! (OpenAI). CI drives the page in headless Chromium
//! (`realtime-demo/tests/browser/`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use realtime_client::RestClient;
use realtime_client::types::ga::{self, RestMethods as _};
use realtime_demo::{Upstream, model};
use realtime_mock::Pacing;
use serde_json::json;

/// The instructions every minted session starts with: the page shows the
/// ones its session reports, which is how a test sees that a secret carries
/// the configuration it was minted with.
const INSTRUCTIONS: &str = "You are a browser demo. Answer in one short sentence.";

/// How long a minted secret may open sessions (the service allows 10 s to
/// 2 h); a page asks for a new one per conversation.
const SECRET_LIFETIME_SECONDS: i64 = 60;

const INDEX_HTML: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");

/// What the handlers share.
struct App {
    rest: RestClient,
    /// The WebSocket URL the page connects to, with its model.
    websocket_url: String,
    model: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    realtime_demo::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let listen = listen_address()?;
    let upstream = Upstream::from_env(Pacing::RealTime).await?;
    let model = model();
    let builder = upstream.builder().model(model.as_str());
    let app = Arc::new(App {
        rest: builder.rest()?,
        websocket_url: builder.url()?,
        model,
    });
    let router = Router::new()
        .route("/", get(index))
        .route("/app.js", get(script))
        .route("/session", post(mint_secret))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    println!("realtime server: {}", upstream.describe());
    println!("open http://{}/", listener.local_addr()?);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `--listen ADDR` (default `127.0.0.1:3000`; port 0 picks a free one).
fn listen_address() -> Result<SocketAddr, String> {
    let mut args = std::env::args().skip(1);
    let mut listen = "127.0.0.1:3000".to_string();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                listen = args
                    .next()
                    .ok_or("--listen needs an address, such as 127.0.0.1:3000")?;
            }
            other => return Err(format!("unknown argument {other:?} (try --listen ADDR)")),
        }
    }
    listen
        .parse()
        .map_err(|_| format!("--listen {listen:?} is not an address such as 127.0.0.1:3000"))
}

async fn index() -> Response {
    page(INDEX_HTML, "text/html; charset=utf-8")
}

async fn script() -> Response {
    page(APP_JS, "text/javascript; charset=utf-8")
}

fn page(body: &'static str, content_type: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

/// `POST /session`: mints a client secret with the server's own key and
/// hands the page the secret, its expiry and where to connect. The answer is
/// not cached anywhere (it is a credential).
async fn mint_secret(State(app): State<Arc<App>>) -> Response {
    let session = ga::Session::default()
        .with_model(app.model.as_str())
        .with_instructions(INSTRUCTIONS)
        .with_output_modalities([ga::OutputModality::Text]);
    let request = ga::CreateClientSecretRequest::default()
        .with_expires_after(ga::ExpiresAfter::default().with_seconds(SECRET_LIFETIME_SECONDS))
        .with_session(ga::RequestSession::from(session));
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    match app.rest.create_realtime_client_secret(request).await {
        Ok(minted) => {
            let body = json!({
                "client_secret": minted.value.value,
                "expires_at": minted.value.expires_at,
                "websocket_url": app.websocket_url,
            });
            (no_store, axum::Json(body)).into_response()
        }
        // `RestError`'s Display names the status, the request id and the
        // service's error, never the key or a body.
        Err(error) => {
            eprintln!("minting a client secret failed: {error}");
            let body = json!({ "error": format!("minting a client secret failed: {error}") });
            (StatusCode::BAD_GATEWAY, no_store, axum::Json(body)).into_response()
        }
    }
}
