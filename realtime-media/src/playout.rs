//! The playout buffer: the model's audio waiting to be played, what of it
//! has actually been played (heard), and what a barge-in cuts.
//!
//! Pure bookkeeping with no clock: the media session's playout clock takes
//! one frame every 20 ms ([`Playout::next_frame`]), so what was taken is
//! what the listener has heard, to the sample.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Audio of one content part of one item, waiting to be played.
#[derive(Debug)]
struct Segment {
    item: Arc<str>,
    content_index: i64,
    samples: Vec<i16>,
    /// Samples of `samples` already played.
    played: usize,
}

/// Where the model's audio was cut, for `conversation.item.truncate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// The assistant item whose audio was cut.
    pub item_id: String,
    /// Its content part.
    pub content_index: i64,
    /// How much of it was heard, in whole milliseconds (rounded down).
    pub audio_end_ms: u64,
}

/// A frame taken for playing: samples of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayedFrame {
    /// The item the samples belong to.
    pub item_id: Arc<str>,
    /// The samples, at the session's output rate.
    pub samples: Vec<i16>,
}

/// The playout buffer of a session's output audio.
#[derive(Debug)]
pub struct Playout {
    rate: u32,
    frame: usize,
    queue: VecDeque<Segment>,
    /// Samples played of each item (its first content part with audio).
    heard: HashMap<Arc<str>, (i64, u64)>,
    /// Items whose audio the server has finished sending.
    complete: HashSet<Arc<str>>,
    /// The item played last.
    last: Option<Arc<str>>,
    queued_samples: usize,
}

impl Playout {
    /// A buffer for audio at `rate` Hz, played in frames of `frame_ms`.
    pub fn new(rate: u32, frame_ms: u32) -> Self {
        let frame = (u64::from(rate) * u64::from(frame_ms) / 1000).max(1) as usize;
        Playout {
            rate,
            frame,
            queue: VecDeque::new(),
            heard: HashMap::new(),
            complete: HashSet::new(),
            last: None,
            queued_samples: 0,
        }
    }

    /// Queues `samples` of `item_id`'s content part `content_index`.
    pub fn push(&mut self, item_id: &str, content_index: i64, samples: &[i16]) {
        if samples.is_empty() {
            return;
        }
        self.queued_samples += samples.len();
        if let Some(last) = self.queue.back_mut()
            && &*last.item == item_id
            && last.content_index == content_index
        {
            last.samples.extend_from_slice(samples);
            return;
        }
        let item: Arc<str> = self
            .heard
            .get_key_value(item_id)
            .map_or_else(|| Arc::from(item_id), |(key, _)| Arc::clone(key));
        self.queue.push_back(Segment {
            item,
            content_index,
            samples: samples.to_vec(),
            played: 0,
        });
    }

    /// Notes that the server has sent all of `item_id`'s audio
    /// (`response.output_audio.done`): once played out, it is whole and
    /// a barge-in no longer cuts it.
    pub fn complete(&mut self, item_id: &str) {
        self.complete.insert(Arc::from(item_id));
    }

    /// Takes the next frame to play: up to a frame's worth of samples of
    /// one item (less at the end of an item or of what is queued), and
    /// counts them as heard. `None` when nothing is queued.
    pub fn next_frame(&mut self) -> Option<PlayedFrame> {
        let segment = self.queue.front_mut()?;
        let start = segment.played;
        let end = (start + self.frame).min(segment.samples.len());
        let samples = segment.samples[start..end].to_vec();
        segment.played = end;
        let item = Arc::clone(&segment.item);
        let entry = self
            .heard
            .entry(Arc::clone(&item))
            .or_insert((segment.content_index, 0));
        entry.1 += samples.len() as u64;
        if end == segment.samples.len() {
            self.queue.pop_front();
        }
        self.queued_samples -= samples.len();
        self.last = Some(Arc::clone(&item));
        Some(PlayedFrame {
            item_id: item,
            samples,
        })
    }

    /// Milliseconds of `item_id` heard so far (rounded down).
    pub fn heard_ms(&self, item_id: &str) -> u64 {
        self.heard.get(item_id).map_or(0, |&(_, samples)| {
            samples * 1000 / u64::from(self.rate.max(1))
        })
    }

    /// Samples queued and not yet played.
    pub fn queued_samples(&self) -> usize {
        self.queued_samples
    }

    /// Whether nothing is waiting to be played.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Barge-in: drops every queued sample and says where each item with
    /// audio not heard was cut: the item being played at what was heard of
    /// it (also when its queue had run dry but the server had not finished
    /// sending it), every later queued item at 0.
    pub fn clear(&mut self) -> Vec<Truncation> {
        let mut cut: Vec<(Arc<str>, i64)> = Vec::new();
        if let Some(last) = &self.last
            && !self.complete.contains(last)
            && let Some(&(content_index, _)) = self.heard.get(last)
        {
            cut.push((Arc::clone(last), content_index));
        }
        for segment in self.queue.drain(..) {
            if !cut.iter().any(|(item, _)| *item == segment.item) {
                cut.push((segment.item, segment.content_index));
            }
        }
        self.queued_samples = 0;
        cut.into_iter()
            .map(|(item, content_index)| {
                // Cut items are as complete as they will ever be.
                self.complete.insert(Arc::clone(&item));
                Truncation {
                    audio_end_ms: self.heard_ms(&item),
                    item_id: item.to_string(),
                    content_index,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 24 kHz, 20 ms frames: 480 samples a frame, 24 samples a millisecond.
    fn playout() -> Playout {
        Playout::new(24_000, 20)
    }

    #[test]
    fn frames_are_taken_in_order_a_frame_at_a_time_and_counted_as_heard() {
        let mut playout = playout();
        playout.push("item_1", 0, &[1; 1_000]);
        assert_eq!(playout.next_frame().unwrap().samples.len(), 480);
        assert_eq!(playout.next_frame().unwrap().samples.len(), 480);
        assert_eq!(playout.next_frame().unwrap().samples.len(), 40);
        assert_eq!(playout.next_frame(), None);
        assert_eq!(playout.heard_ms("item_1"), 1_000 * 1000 / 24_000);
    }

    #[test]
    fn a_frame_never_mixes_two_items() {
        let mut playout = playout();
        playout.push("item_1", 0, &[1; 100]);
        playout.push("item_2", 0, &[2; 100]);
        let first = playout.next_frame().unwrap();
        assert_eq!((&*first.item_id, first.samples.len()), ("item_1", 100));
        let second = playout.next_frame().unwrap();
        assert_eq!((&*second.item_id, second.samples.len()), ("item_2", 100));
    }

    #[test]
    fn a_barge_in_cuts_the_item_at_what_was_heard_and_drops_the_rest() {
        let mut playout = playout();
        playout.push("item_1", 0, &[1; 24 * 500]);
        for _ in 0..5 {
            playout.next_frame();
        }
        assert_eq!(
            playout.clear(),
            [Truncation {
                item_id: "item_1".into(),
                content_index: 0,
                audio_end_ms: 100
            }]
        );
        assert!(playout.is_empty());
        assert_eq!(playout.queued_samples(), 0);
        assert_eq!(playout.next_frame(), None);
    }

    #[test]
    fn an_item_still_streaming_is_cut_even_when_its_queue_ran_dry() {
        let mut playout = playout();
        playout.push("item_1", 0, &[1; 480]);
        playout.next_frame();
        let cut = playout.clear();
        assert_eq!(cut.len(), 1);
        assert_eq!(cut[0].audio_end_ms, 20);
    }

    #[test]
    fn an_item_played_out_whole_is_not_cut() {
        let mut playout = playout();
        playout.push("item_1", 0, &[1; 480]);
        playout.complete("item_1");
        playout.next_frame();
        assert_eq!(playout.clear(), []);
    }

    #[test]
    fn queued_items_not_heard_at_all_are_cut_at_zero() {
        let mut playout = playout();
        playout.push("item_1", 1, &[1; 480]);
        let cut = playout.clear();
        assert_eq!(
            cut,
            [Truncation {
                item_id: "item_1".into(),
                content_index: 1,
                audio_end_ms: 0
            }]
        );
    }
}
