//! Realtime calls, SIP and WebRTC, and what may happen to each:
//!
//! ```text
//! incoming (SIP) ──accept──▶ active ──hangup──▶ hung up
//!     │                        └────refer (SIP)──▶ referred
//!     ├──reject──▶ rejected
//!     └──hangup──▶ hung up
//! created (WebRTC, POST /realtime/calls) = active
//! ```
//!
//! Anything else (accepting an active call, referring a WebRTC one, any
//! operation on an ended call) is refused naming the call's state. A
//! sideband WebSocket (`?call_id=`) attaches to an active call and starts
//! with the session it was accepted or created with; a call the mock did not
//! see is taken as it comes (tests attach to any id).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

/// How a call reached the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// An incoming phone call (SIP trunk).
    Sip,
    /// A WebRTC peer connection (`POST /realtime/calls`).
    WebRtc,
}

/// Where a call is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum State {
    /// A SIP call waiting to be accepted or rejected.
    Incoming,
    /// Accepted (SIP) or created (WebRTC): sessions can attach.
    Active {
        /// The session configuration it was accepted or created with.
        session: Value,
    },
    /// Hung up.
    HungUp,
    /// Transferred with SIP REFER.
    Referred {
        /// The `Refer-To` URI.
        target_uri: String,
    },
    /// Declined with a SIP status.
    Rejected {
        /// The SIP status code (603 by default).
        status_code: u16,
    },
}

impl State {
    /// How the state reads in an error message.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            State::Incoming => "incoming (not accepted yet)",
            State::Active { .. } => "active",
            State::HungUp => "hung up",
            State::Referred { .. } => "referred",
            State::Rejected { .. } => "rejected",
        }
    }
}

/// One call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub(crate) origin: Origin,
    pub(crate) state: State,
}

/// Why an operation on a call is refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refused {
    /// No call has this id.
    NotFound,
    /// The call is not in a state the operation applies to.
    State {
        /// What was asked (`accept`).
        operation: &'static str,
        /// The call's state.
        state: &'static str,
    },
    /// Only SIP calls can be referred or rejected.
    NotSip {
        /// What was asked.
        operation: &'static str,
    },
}

/// The calls of one server.
#[derive(Debug, Default)]
pub(crate) struct Calls {
    calls: Mutex<HashMap<String, Call>>,
    counter: AtomicU64,
}

impl Calls {
    fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("rtc_mock{n:06}")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Call>> {
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An incoming SIP call (what the `realtime.call.incoming` webhook
    /// would announce); its id.
    pub(crate) fn incoming(&self) -> String {
        let id = self.next_id();
        let call = Call {
            origin: Origin::Sip,
            state: State::Incoming,
        };
        self.lock().insert(id.clone(), call);
        id
    }

    /// A WebRTC call created with `session`; its id.
    pub(crate) fn create(&self, session: Value) -> String {
        let id = self.next_id();
        let call = Call {
            origin: Origin::WebRtc,
            state: State::Active { session },
        };
        self.lock().insert(id.clone(), call);
        id
    }

    /// The call `id`, if there is one.
    pub(crate) fn get(&self, id: &str) -> Option<Call> {
        self.lock().get(id).cloned()
    }

    /// Moves call `id` by `operation` to the state `next` gives from its
    /// current one (`None`: the operation does not apply there).
    fn transition(
        &self,
        id: &str,
        operation: &'static str,
        sip_only: bool,
        next: impl FnOnce(&State) -> Option<State>,
    ) -> Result<(), Refused> {
        let mut calls = self.lock();
        let call = calls.get_mut(id).ok_or(Refused::NotFound)?;
        if sip_only && call.origin != Origin::Sip {
            return Err(Refused::NotSip { operation });
        }
        match next(&call.state) {
            Some(state) => {
                call.state = state;
                Ok(())
            }
            None => Err(Refused::State {
                operation,
                state: call.state.name(),
            }),
        }
    }

    /// Accepts an incoming SIP call with `session`.
    pub(crate) fn accept(&self, id: &str, session: Value) -> Result<(), Refused> {
        self.transition(id, "accept", true, |state| match state {
            State::Incoming => Some(State::Active { session }),
            _ => None,
        })
    }

    /// Hangs up an incoming or active call.
    pub(crate) fn hangup(&self, id: &str) -> Result<(), Refused> {
        self.transition(id, "hangup", false, |state| match state {
            State::Incoming | State::Active { .. } => Some(State::HungUp),
            _ => None,
        })
    }

    /// Transfers an active SIP call to `target_uri`.
    pub(crate) fn refer(&self, id: &str, target_uri: String) -> Result<(), Refused> {
        self.transition(id, "refer", true, |state| match state {
            State::Active { .. } => Some(State::Referred { target_uri }),
            _ => None,
        })
    }

    /// Declines an incoming SIP call with `status_code`.
    pub(crate) fn reject(&self, id: &str, status_code: u16) -> Result<(), Refused> {
        self.transition(id, "reject", true, |state| match state {
            State::Incoming => Some(State::Rejected { status_code }),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_incoming_call_is_accepted_then_hung_up() {
        let calls = Calls::default();
        let id = calls.incoming();
        assert_eq!(calls.get(&id).map(|c| c.state), Some(State::Incoming));
        calls.accept(&id, json!({"instructions": "x"})).unwrap();
        assert!(matches!(
            calls.get(&id).map(|c| c.state),
            Some(State::Active { .. })
        ));
        assert_eq!(
            calls.accept(&id, json!({})),
            Err(Refused::State {
                operation: "accept",
                state: "active"
            })
        );
        calls.hangup(&id).unwrap();
        assert_eq!(
            calls.hangup(&id),
            Err(Refused::State {
                operation: "hangup",
                state: "hung up"
            })
        );
    }

    #[test]
    fn an_incoming_call_can_be_rejected_but_not_referred() {
        let calls = Calls::default();
        let id = calls.incoming();
        assert!(matches!(
            calls.refer(&id, "tel:+1".into()),
            Err(Refused::State { .. })
        ));
        calls.reject(&id, 486).unwrap();
        assert_eq!(
            calls.get(&id).map(|c| c.state),
            Some(State::Rejected { status_code: 486 })
        );
        assert!(matches!(
            calls.accept(&id, json!({})),
            Err(Refused::State { .. })
        ));
    }

    #[test]
    fn only_sip_calls_are_referred_or_rejected() {
        let calls = Calls::default();
        let id = calls.create(json!({}));
        assert_eq!(
            calls.refer(&id, "tel:+1".into()),
            Err(Refused::NotSip { operation: "refer" })
        );
        assert_eq!(
            calls.reject(&id, 603),
            Err(Refused::NotSip {
                operation: "reject"
            })
        );
        calls.hangup(&id).unwrap();
    }

    #[test]
    fn an_active_sip_call_is_referred() {
        let calls = Calls::default();
        let id = calls.incoming();
        calls.accept(&id, json!({})).unwrap();
        calls.refer(&id, "sip:agent@example.com".into()).unwrap();
        assert_eq!(
            calls.get(&id).map(|c| c.state),
            Some(State::Referred {
                target_uri: "sip:agent@example.com".into()
            })
        );
        assert_eq!(calls.hangup("rtc_nope"), Err(Refused::NotFound));
    }
}
