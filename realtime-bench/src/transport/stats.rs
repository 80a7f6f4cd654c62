//! What the transport benchmark reports: the spread of per-round ratios,
//! percentiles of recorded latencies, and a lock-free latency histogram
//! that many sessions record into at once.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The median, minimum and maximum of a set of figures (per-round ratios).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median (the mean of the middle two for an even count).
    pub median: f64,
    /// The smallest figure.
    pub min: f64,
    /// The largest figure.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        let middle = sorted.len() / 2;
        let median = if sorted.len().is_multiple_of(2) {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        } else {
            sorted[middle]
        };
        Some(Spread { median, min, max })
    }
}

/// `1.23x (1.20-1.31)`: a ratio's median and range.
impl fmt::Display for Spread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}x ({:.3}-{:.3})", self.median, self.min, self.max)
    }
}

/// The median of `durations` (the lower middle one for an even count).
pub fn median(durations: &[Duration]) -> Duration {
    percentile(durations, 50.0)
}

/// The `p`-th percentile (0-100) of `durations` by the nearest-rank method;
/// zero when there are none.
pub fn percentile(durations: &[Duration], p: f64) -> Duration {
    let mut sorted = durations.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Below this, buckets are [`FINE_STEP_US`] wide.
const FINE_LIMIT_US: u64 = 100_000;
/// The width of the buckets below 100 ms.
const FINE_STEP_US: u64 = 20;
/// Above 100 ms and up to 10 s, buckets are 1 ms wide; later values share the last.
const COARSE_LIMIT_US: u64 = 10_000_000;
/// The width of the buckets from 100 ms.
const COARSE_STEP_US: u64 = 1_000;
const FINE_BUCKETS: usize = (FINE_LIMIT_US / FINE_STEP_US) as usize;
const BUCKETS: usize =
    FINE_BUCKETS + ((COARSE_LIMIT_US - FINE_LIMIT_US) / COARSE_STEP_US) as usize + 1;

/// Latencies from 0 to 10 s in fixed buckets (20 µs wide up to 100 ms, 1 ms
/// wide up to 10 s), recorded with relaxed atomics: thousands of sessions
/// share one without locks, and its memory (about 120 KB) is allocated once,
/// before the memory of the sessions is measured. The maximum is exact.
#[derive(Debug)]
pub struct LatencyHistogram {
    buckets: Box<[AtomicU64]>,
    max_us: AtomicU64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max_us: AtomicU64::new(0),
        }
    }
}

impl LatencyHistogram {
    /// Counts one latency.
    pub fn record(&self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let index = if us < FINE_LIMIT_US {
            (us / FINE_STEP_US) as usize
        } else {
            (FINE_BUCKETS + ((us - FINE_LIMIT_US) / COARSE_STEP_US) as usize).min(BUCKETS - 1)
        };
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        self.max_us.fetch_max(us, Ordering::Relaxed);
    }

    /// How many latencies were recorded.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// The largest latency recorded (zero when none was).
    pub fn max(&self) -> Duration {
        Duration::from_micros(self.max_us.load(Ordering::Relaxed))
    }

    /// The `q`-th quantile (0.0-1.0): the upper edge of the bucket it falls
    /// in, never more than the maximum; zero when nothing was recorded.
    pub fn quantile(&self, q: f64) -> Duration {
        let total = self.count();
        if total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (index, bucket) in self.buckets.iter().enumerate() {
            seen += bucket.load(Ordering::Relaxed);
            if seen >= rank {
                return Duration::from_micros(upper_edge_us(index)).min(self.max());
            }
        }
        self.max()
    }
}

fn upper_edge_us(index: usize) -> u64 {
    if index < FINE_BUCKETS {
        (index as u64 + 1) * FINE_STEP_US
    } else {
        FINE_LIMIT_US + (index - FINE_BUCKETS + 1) as u64 * COARSE_STEP_US
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_of_ratios_has_their_median_and_range() {
        let spread = Spread::of(&[1.3, 1.1, 1.2, 1.0]).unwrap();
        assert_eq!((spread.min, spread.max), (1.0, 1.3));
        assert!((spread.median - 1.15).abs() < 1e-9);
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&ms, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&ms, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&ms, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn histogram_quantiles_are_within_one_bucket() {
        let histogram = LatencyHistogram::default();
        for us in 1..=1_000u64 {
            histogram.record(Duration::from_micros(us * 100));
        }
        assert_eq!(histogram.count(), 1_000);
        let p50 = histogram.quantile(0.5).as_micros() as i64;
        assert!((p50 - 50_000).abs() <= 20, "{p50}");
        let p99 = histogram.quantile(0.99).as_micros() as i64;
        assert!((p99 - 99_000).abs() <= 20, "{p99}");
        assert_eq!(histogram.max(), Duration::from_millis(100));
        assert_eq!(histogram.quantile(1.0), Duration::from_millis(100));
    }

    #[test]
    fn latencies_beyond_ten_seconds_land_in_the_last_bucket_and_keep_their_max() {
        let histogram = LatencyHistogram::default();
        histogram.record(Duration::from_secs(60));
        assert_eq!(histogram.count(), 1);
        assert_eq!(histogram.max(), Duration::from_secs(60));
        assert!(histogram.quantile(0.5) >= Duration::from_secs(10));
    }
}
