//! When a session's audio deltas should have arrived, and so how late each
//! one is: against the schedule the light peer stamps into each delta, or,
//! for a peer that stamps nothing (the mock), against the first delta of
//! the same response and the audio the deltas before it carried.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use realtime_types::ga::server::ResponseOutputAudioDeltaRef;

use crate::corpus::SAMPLE_RATE;
use crate::transport::peer;

/// When a delta arrived, on both clocks (the monotonic one for intervals,
/// the wall clock for the light peer's stamps).
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    /// The monotonic time.
    pub at: Instant,
    /// The wall-clock time.
    pub wall: SystemTime,
}

impl Arrival {
    /// Now.
    pub fn now() -> Self {
        Arrival {
            at: Instant::now(),
            wall: SystemTime::now(),
        }
    }
}

/// A light-peer delta whose `event_id` is not a schedule stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingStamp {
    /// The `event_id` it had.
    pub event_id: String,
}

impl fmt::Display for MissingStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an audio delta without a schedule stamp (event_id `{}`)",
            self.event_id
        )
    }
}

impl std::error::Error for MissingStamp {}

/// The schedule one session's audio deltas are held to.
#[derive(Debug, Clone)]
pub struct DeltaClock(Schedule);

#[derive(Debug, Clone)]
enum Schedule {
    Stamped,
    PerResponse {
        response_id: String,
        first: Instant,
        audio_before: Duration,
    },
}

impl DeltaClock {
    /// Each delta is due at the time stamped in its `event_id` (see
    /// [`peer::stamp`]); the peer's own delays count.
    pub fn stamped() -> Self {
        DeltaClock(Schedule::Stamped)
    }

    /// Delta k of a response is due at the arrival of the response's first
    /// delta plus the audio of deltas 0..k (24 kHz PCM16); a delta of
    /// another `response_id` starts a new response.
    pub fn per_response() -> Self {
        DeltaClock(Schedule::PerResponse {
            response_id: String::new(),
            first: Instant::now(),
            audio_before: Duration::ZERO,
        })
    }

    /// How late `delta`, arrived at `arrival`, is: zero when early, `None`
    /// for the first delta of a response (the reference of the others).
    pub fn lateness(
        &mut self,
        delta: &ResponseOutputAudioDeltaRef<'_>,
        arrival: Arrival,
    ) -> Result<Option<Duration>, MissingStamp> {
        match &mut self.0 {
            Schedule::Stamped => {
                let scheduled =
                    peer::scheduled_at(&delta.event_id).ok_or_else(|| MissingStamp {
                        event_id: delta.event_id.to_string(),
                    })?;
                Ok(Some(
                    arrival.wall.duration_since(scheduled).unwrap_or_default(),
                ))
            }
            Schedule::PerResponse {
                response_id,
                first,
                audio_before,
            } => {
                let audio = pcm16_duration(&delta.delta);
                if *response_id != delta.response_id {
                    *response_id = delta.response_id.to_string();
                    (*first, *audio_before) = (arrival.at, audio);
                    return Ok(None);
                }
                let due = *first + *audio_before;
                *audio_before += audio;
                Ok(Some(arrival.at.saturating_duration_since(due)))
            }
        }
    }
}

/// The length of the 24 kHz PCM16 audio in `base64`.
pub fn pcm16_duration(base64: &str) -> Duration {
    let padding = base64.bytes().rev().take_while(|&b| b == b'=').count();
    let bytes = (base64.len() / 4 * 3).saturating_sub(padding);
    Duration::from_micros((bytes / 2) as u64 * 1_000_000 / SAMPLE_RATE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use std::borrow::Cow;

    fn delta(
        event_id: &str,
        response_id: &str,
        samples: usize,
    ) -> ResponseOutputAudioDeltaRef<'static> {
        ResponseOutputAudioDeltaRef {
            event_id: Cow::Owned(event_id.into()),
            response_id: Cow::Owned(response_id.into()),
            item_id: Cow::Borrowed("item"),
            output_index: 0,
            content_index: 0,
            delta: Cow::Owned(STANDARD.encode(vec![0u8; samples * 2])),
            unknown_fields: Default::default(),
        }
    }

    #[test]
    fn audio_length_comes_from_the_base64_length() {
        assert_eq!(
            pcm16_duration(&STANDARD.encode([0u8; 960])),
            Duration::from_millis(20)
        );
        assert_eq!(
            pcm16_duration(&STANDARD.encode([0u8; 4])),
            Duration::from_micros(83)
        );
        assert_eq!(pcm16_duration(""), Duration::ZERO);
    }

    #[test]
    fn a_stamped_delta_is_late_by_its_arrival_after_the_stamp() {
        // Stamps keep whole microseconds.
        let scheduled = std::time::UNIX_EPOCH + Duration::from_micros(1_764_000_000_000_000);
        let mut clock = DeltaClock::stamped();
        let arrival = Arrival {
            at: Instant::now(),
            wall: scheduled + Duration::from_millis(3),
        };
        let late = clock.lateness(&delta(&peer::stamp(scheduled), "r", 480), arrival);
        assert_eq!(late, Ok(Some(Duration::from_millis(3))));
        let early = Arrival {
            wall: scheduled - Duration::from_millis(1),
            ..arrival
        };
        let early = clock.lateness(&delta(&peer::stamp(scheduled), "r", 480), early);
        assert_eq!(early, Ok(Some(Duration::ZERO)));
        assert!(
            clock
                .lateness(&delta("event_1", "r", 480), arrival)
                .is_err()
        );
    }

    #[test]
    fn a_response_delta_is_due_after_the_audio_before_it() {
        let start = Instant::now();
        let at = |ms| Arrival {
            at: start + Duration::from_millis(ms),
            wall: SystemTime::now(),
        };
        let mut clock = DeltaClock::per_response();
        assert_eq!(clock.lateness(&delta("e", "r1", 2_400), at(0)), Ok(None));
        assert_eq!(
            clock.lateness(&delta("e", "r1", 2_400), at(104)),
            Ok(Some(Duration::from_millis(4)))
        );
        assert_eq!(
            clock.lateness(&delta("e", "r1", 2_400), at(190)),
            Ok(Some(Duration::ZERO))
        );
        // A new response is its own reference.
        assert_eq!(clock.lateness(&delta("e", "r2", 2_400), at(900)), Ok(None));
        assert_eq!(
            clock.lateness(&delta("e", "r2", 2_400), at(1_001)),
            Ok(Some(Duration::from_millis(1)))
        );
    }
}
