//! One method per client event (generated in `realtime-types` as each
//! surface's `ClientEventMethods` trait) and the audio helpers.
//!
//! ```no_run
//! # async fn demo(client: &realtime_client::RealtimeClient) -> realtime_client::Result<()> {
//! use realtime_client::prelude::*;
//! client.conversation_item_truncate("item_1", 0, 1_500).await?;
//! client.input_audio_buffer_append_pcm16(&[0i16; 480]).await?;
//! client.input_audio_buffer_commit().await?;
//! # Ok(()) }
//! ```

use std::future::Future;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::client::{RealtimeClient, RealtimeSender};
use crate::error::{Error, Result};
use crate::surface::{Beta, Ga, Surface, Translation};

impl<S: Surface> RealtimeSender<S> {
    /// Encodes now; the returned future owns what it needs (so it is `Send`
    /// even though the sender is not `Sync`).
    pub(crate) fn send_owned(
        &self,
        event: S::Client,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        let encoded = serde_json::to_string(&event).map_err(|e| Error::Encode(e.to_string()));
        let queue = self.queue();
        async move { queue.push_text(encoded?).await }
    }
}

/// Implements a surface's generated `ClientEventMethods` for the sender and the client.
macro_rules! client_event_methods {
    ($surface:ty, $module:ident) => {
        impl realtime_types::$module::ClientEventMethods for RealtimeSender<$surface> {
            type Error = Error;
            fn send_event(
                &self,
                event: realtime_types::$module::ClientEvent,
            ) -> impl Future<Output = Result<()>> + Send {
                self.send_owned(event)
            }
        }

        impl realtime_types::$module::ClientEventMethods for RealtimeClient<$surface> {
            type Error = Error;
            fn send_event(
                &self,
                event: realtime_types::$module::ClientEvent,
            ) -> impl Future<Output = Result<()>> + Send {
                self.sender_ref().send_owned(event)
            }
        }
    };
}

client_event_methods!(Ga, ga);
client_event_methods!(Beta, beta);
client_event_methods!(Translation, translation);

impl RealtimeClient<Ga> {
    /// `input_audio_buffer.append` from PCM16 samples (at the session's input
    /// rate): the frame is written in one pass, samples straight to base64
    /// in the frame text ([`realtime_types::audio::append_event_json`]).
    ///
    /// Cancel-safe as [`RealtimeClient::send`] is: dropped before it
    /// completes, the frame is either queued whole or not at all.
    pub async fn input_audio_buffer_append_pcm16(&self, samples: &[i16]) -> Result<()> {
        let mut frame = String::with_capacity(samples.len() * 8 / 3 + 96);
        realtime_types::audio::append_event_json(samples, None, &mut frame);
        self.sender_ref().queue().push_text(frame).await
    }

    /// `input_audio_buffer.append` from raw audio bytes in the session's
    /// input format. Cancel-safe as [`input_audio_buffer_append_pcm16`](Self::input_audio_buffer_append_pcm16).
    pub async fn input_audio_buffer_append_bytes(&self, bytes: &[u8]) -> Result<()> {
        use realtime_types::ga::ClientEventMethods as _;
        self.input_audio_buffer_append(BASE64.encode(bytes)).await
    }
}
