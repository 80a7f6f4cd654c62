//! A local OpenAI Realtime server that speaks the WebSocket protocol with the
//! generated `realtime-types`, so that clients, examples and tests run
//! offline. See [`MockServer`].

pub mod audio;
pub mod config;
mod connection;
mod engine;
pub mod handshake;
pub mod responder;
mod server;
pub mod vad;

pub use config::{MockConfig, Pacing};
pub use responder::{EchoResponder, Reply, Responder, ResponseRequest, ScriptedResponder};
pub use server::MockServer;
