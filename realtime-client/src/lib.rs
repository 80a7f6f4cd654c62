//! A thin, typed transport for the OpenAI Realtime API over
//! `tokio-tungstenite`: every frame is one event of
//! [`realtime_types`], in both directions.
//!
//! ```no_run
//! # async fn demo() -> Result<(), realtime_client::Error> {
//! use realtime_client::RealtimeClient;
//! use realtime_types::ga::ServerEvent;
//!
//! let mut client = RealtimeClient::builder()
//!     .model("gpt-realtime")
//!     .api_key(std::env::var("OPENAI_API_KEY").unwrap_or_default())
//!     .connect()
//!     .await?;
//! while let Some(event) = client.next_event().await {
//!     match event? {
//!         ServerEvent::SessionCreated(created) => println!("session ready: {created:?}"),
//!         other => println!("{}", other.event_type()),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod builder;
mod client;
mod error;
mod listeners;
mod methods;
mod secret;
mod surface;

pub use builder::{
    ClientBuilder, Credentials, DEFAULT_BASE_URL, DEFAULT_MAX_MESSAGE_BYTES, Target, TokenProvider,
};
pub use client::{Frame, RealtimeClient, RealtimeReceiver, RealtimeSender};
pub use error::{DecodeError, Error, Result};
pub use listeners::{ErrorSignal, ListenerId, Listeners, ServerError};
pub use methods::pcm16_base64;
pub use secret::Secret;
pub use surface::{Beta, Ga, Surface, Translation};
