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

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::builder::{ClientBuilder, Credentials};
use crate::connection::{self, Delivery, Incoming, Outbox, Outgoing, Queued, Shared, Socket};
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
    let mut outbox = Outbox {
        queue,
        replay: VecDeque::new(),
        last_session: None,
    };
    let mut socket = socket;
    let mut reconnections = 0;
    let end = loop {
        let Some(error) = connection::run(socket, &mut outbox, &incoming, &shared, &limits).await
        else {
            break None;
        };
        let Some(policy) = config.reconnect.clone() else {
            break Some(error);
        };
        // A close the application asked for, or nobody left to read.
        if !Reconnect::recovers_from(&error) || shared.outbound.is_closed() || incoming.is_closed()
        {
            break Some(error);
        }
        let close_code = error.close_code();
        info!(%error, "connection lost; reconnecting");
        match replace(&policy, &mut config, error, &incoming).await {
            Ok((new_socket, attempts)) => {
                socket = new_socket;
                reconnections += 1;
                let replayed = outbox.replay.len();
                let session_reapplied = match outbox.last_session.clone() {
                    Some(text) => {
                        let message = Outgoing::Text {
                            text,
                            session: true,
                        };
                        outbox.replay.push_front(Queued {
                            message,
                            permit: None,
                        });
                        true
                    }
                    None => false,
                };
                info!(attempts, replayed, session_reapplied, "reconnected");
                let notice = Reconnected {
                    attempts,
                    reconnections,
                    close_code,
                    session_reapplied,
                    replayed,
                };
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
    for queued in outbox.replay.drain(..).chain(queued) {
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
) -> Result<(Socket, u32), Error> {
    let mut last = cause;
    let mut delay = policy.initial_delay;
    let mut jitter = Jitter::seeded();
    for number in 1..=policy.max_attempts {
        let wait = jitter.between(delay / 2, delay);
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
