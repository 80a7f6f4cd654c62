//! The session's task: runs connections until the session ends, and
//! replaces lost ones when the builder asks for it (see [`Reconnect`]).
//!
//! The service has no resume: a new connection is a new session, with a new
//! (empty) conversation. What the client can restore it does: the last
//! session configuration is applied again first, then the events a failed
//! write may not have delivered are sent again, in order (at least once:
//! part of them may have reached the old session), then the rest of the
//! queue. An event written successfully into a connection whose peer was
//! already gone, in the moment before the client notices, is lost: TCP
//! accepted it, and the service acknowledges no append.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tracing::{info, warn};

use crate::builder::{ClientBuilder, Credentials};
use crate::connection::{
    self, Delivery, Incoming, Outbox, Outgoing, Queued, RunEnd, Shared, Socket, TextKind,
};
use crate::error::Error;
use crate::reconnect::{Attempt, Decision, Jitter, Reconnect, Reconnected};
use crate::surface::Surface;

/// The session's task: runs connections until the session ends, replacing
/// lost ones when the builder asks for it, then ends the session.
pub(crate) async fn drive<S: Surface>(
    socket: Socket,
    mut config: ClientBuilder<S>,
    queue: mpsc::UnboundedReceiver<Queued>,
    incoming: mpsc::UnboundedSender<Incoming>,
    shared: Arc<Shared>,
) {
    let limits = config.limits();
    let mut outbox = Outbox::new(queue);
    let mut socket = socket;
    let mut reconnections = 0;
    let end = loop {
        let (cause, renewed) =
            match connection::run(socket, &mut outbox, &incoming, &shared, &limits).await {
                RunEnd::Ended(None) => break None,
                RunEnd::Ended(Some(error)) => {
                    // A close the application asked for, or nobody left to read.
                    let recovers = config.reconnect.is_some()
                        && Reconnect::recovers_from(&error)
                        && !shared.outbound.is_closed()
                        && !incoming.is_closed();
                    if !recovers {
                        break Some(error);
                    }
                    info!(%error, "connection lost; reconnecting");
                    (error, false)
                }
                RunEnd::Renewing => {
                    info!("renewing the connection");
                    let closed = Error::Closed {
                        code: 1000,
                        reason: "renewing".into(),
                    };
                    (closed, true)
                }
            };
        let Some(policy) = config.reconnect.clone() else {
            break Some(cause);
        };
        let close_code = cause.close_code();
        match replace(&policy, &mut config, cause, &incoming, renewed).await {
            Ok((new_socket, attempts)) => {
                socket = new_socket;
                reconnections += 1;
                let notice = prepare(
                    &mut outbox,
                    &policy,
                    attempts,
                    reconnections,
                    close_code,
                    renewed,
                );
                info!(
                    attempts,
                    replayed = notice.replayed,
                    session_reapplied = notice.session_reapplied,
                    renewed,
                    "reconnected"
                );
                let _ = incoming.send(Incoming {
                    delivery: Delivery::Reconnected(notice),
                    permit: None,
                });
            }
            Err(gave_up) => break Some(gave_up),
        }
    };
    finish(outbox, &incoming, &shared, end);
}

/// Queues what a new connection must be told first, in this order: the
/// last session configuration, the conversation items (when the policy
/// replays them), then what the old connection may not have delivered.
fn prepare(
    outbox: &mut Outbox,
    policy: &Reconnect,
    attempts: u32,
    reconnections: u32,
    close_code: Option<u16>,
    renewed: bool,
) -> Reconnected {
    for queued in outbox.in_flight.drain(..).rev() {
        outbox.replay.push_front(queued);
    }
    let replayed = outbox.replay.len();
    // Sent again as plain events: they are recorded once, when first written.
    let again = |text: Utf8Bytes, kind| Queued {
        message: Outgoing::Text { text, kind },
        permit: None,
    };
    let items: Vec<Utf8Bytes> = if policy.replay_items {
        outbox.items.iter().cloned().collect()
    } else {
        Vec::new()
    };
    let items_replayed = items.len();
    for text in items.into_iter().rev() {
        outbox.replay.push_front(again(text, TextKind::Event));
    }
    let session_reapplied = match outbox.last_session.clone() {
        Some(text) => {
            outbox.replay.push_front(again(text, TextKind::Session));
            true
        }
        None => false,
    };
    Reconnected {
        attempts,
        reconnections,
        close_code,
        session_reapplied,
        replayed,
        items_replayed,
        renewed,
    }
}

/// Ends the session: sends fail from now on, the events never written are
/// handed to the receiver, then the error that ended the session.
fn finish(
    mut outbox: Outbox,
    incoming: &mpsc::UnboundedSender<Incoming>,
    shared: &Shared,
    end: Option<Error>,
) {
    shared.outbound.close();
    outbox.queue.close();
    let mut unsent = Vec::new();
    let queued = std::iter::from_fn(|| outbox.queue.try_recv().ok());
    let in_flight = std::mem::take(&mut outbox.in_flight);
    for queued in in_flight
        .into_iter()
        .chain(outbox.replay.drain(..))
        .chain(queued)
    {
        // Without a permit: a configuration applied again, not the application's own.
        if let (Outgoing::Text { text, .. }, Some(_)) = (&queued.message, &queued.permit) {
            unsent.push(text.as_str().to_owned());
        }
    }
    if !unsent.is_empty() {
        warn!(events = unsent.len(), "events queued but never sent");
        let _ = incoming.send(Incoming {
            delivery: Delivery::Unsent(unsent),
            permit: None,
        });
    }
    if let Some(error) = end {
        tracing::debug!(%error, "session ended");
        let _ = incoming.send(Incoming {
            delivery: Delivery::Item(Err(error)),
            permit: None,
        });
    }
    shared.inbound.close();
}

/// Opens a new connection after `cause`, or says why not.
async fn replace<S: Surface>(
    policy: &Reconnect,
    config: &mut ClientBuilder<S>,
    cause: Error,
    incoming: &mpsc::UnboundedSender<Incoming>,
    immediately: bool,
) -> Result<(Socket, u32), Error> {
    let mut last = cause;
    let mut delay = policy.initial_delay;
    let mut jitter = Jitter::seeded();
    for number in 1..=policy.max_attempts {
        // A renewal tries at once; after a loss, wait a little first.
        let wait = if immediately && number == 1 {
            Duration::ZERO
        } else {
            jitter.between(delay / 2, delay)
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            // Nobody reads any more: stop.
            () = incoming.closed() => return Err(last),
        }
        if let Some(hook) = &policy.hook {
            let attempt = Attempt {
                number,
                close_code: last.close_code(),
                cause: last.to_string(),
            };
            match hook.before_attempt(attempt).await {
                Decision::Retry => {}
                Decision::RetryWith(secret) => {
                    config.credentials = match config.credentials {
                        Credentials::AzureKey(_) => Credentials::AzureKey(secret),
                        _ => Credentials::Bearer(secret),
                    };
                }
                Decision::GiveUp => {
                    return Err(Error::GaveUp {
                        attempts: number - 1,
                        last: Box::new(last),
                    });
                }
            }
        }
        match crate::handshake::open(config).await {
            Ok(socket) => return Ok((socket, number)),
            Err(error) if Reconnect::retries_after(&error) => {
                warn!(attempt = number, %error, "reconnect attempt failed");
                last = error;
            }
            Err(error) => {
                return Err(Error::GaveUp {
                    attempts: number,
                    last: Box::new(error),
                });
            }
        }
        delay = (delay * 2).min(policy.max_delay);
    }
    Err(Error::GaveUp {
        attempts: policy.max_attempts,
        last: Box::new(last),
    })
}
