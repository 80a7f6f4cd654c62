//! One method per client event, generated in `realtime-types` as each
//! surface's `ClientEventMethods` trait, implemented here for the sender
//! and the client.
//!
//! ```no_run
//! # async fn demo(client: &realtime_client::RealtimeClient) -> realtime_client::Result<()> {
//! use realtime_client::prelude::*;
//! client.conversation_item_truncate("item_1", 0, 1_500).await?;
//! client.input_audio_buffer_append_pcm16(&[0i16; 480]).await?;
//! client.input_audio_buffer_commit().await?;
//! # Ok(()) }
//! ```
//!
//! Every generated method is cancel-safe as
//! [`RealtimeSender::send`] is: dropped before it completes, the event is
//! either queued whole or not at all.

use std::future::Future;

use crate::client::{RealtimeClient, RealtimeSender, encode};
use crate::error::{Error, Result};
#[cfg(feature = "beta")]
use crate::surface::Beta;
#[cfg(feature = "translation")]
use crate::surface::Translation;
use crate::surface::{Ga, Surface};

impl<S: Surface> RealtimeSender<S> {
    /// Encodes now (the one encode path); the returned future owns what it needs.
    fn send_event_owned(
        &self,
        event: &S::Client,
    ) -> impl Future<Output = Result<()>> + Send + use<S> {
        let pushed = encode::<S>(event).map(|(text, kind)| self.push_owned(text, kind));
        async move { pushed?.await }
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
                self.send_event_owned(&event)
            }
        }

        impl realtime_types::$module::ClientEventMethods for RealtimeClient<$surface> {
            type Error = Error;
            fn send_event(
                &self,
                event: realtime_types::$module::ClientEvent,
            ) -> impl Future<Output = Result<()>> + Send {
                self.sender_ref().send_event_owned(&event)
            }
        }
    };
}

client_event_methods!(Ga, ga);
#[cfg(feature = "beta")]
client_event_methods!(Beta, beta);
#[cfg(feature = "translation")]
client_event_methods!(Translation, translation);
