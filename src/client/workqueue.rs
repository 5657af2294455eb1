//! The controllers' work queue: a de-duplicating FIFO of keys (a key queued twice before it is processed
//! is processed once), with the per-item exponential back-off of client-go's default controller rate
//! limiter (5 ms doubling to 1000 s) for keys whose sync failed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::sim::{Duration, Time};

/// client-go's `DefaultItemBasedRateLimiter` bounds.
pub const BASE_DELAY: Duration = Duration::from_millis(5);
pub const MAX_DELAY: Duration = Duration::from_secs(1000);

/// A queue of keys of type `K`.
#[derive(Debug, Clone)]
pub struct WorkQueue<K: Ord + Clone> {
    queue: VecDeque<K>,
    queued: BTreeSet<K>,
    failures: BTreeMap<K, u32>,
    /// Keys waiting out a back-off, by the instant they may run again.
    delayed: BTreeMap<(Time, u64), K>,
    delayed_seq: u64,
}

impl<K: Ord + Clone> Default for WorkQueue<K> {
    fn default() -> Self {
        WorkQueue {
            queue: VecDeque::new(),
            queued: BTreeSet::new(),
            failures: BTreeMap::new(),
            delayed: BTreeMap::new(),
            delayed_seq: 0,
        }
    }
}

impl<K: Ord + Clone> WorkQueue<K> {
    /// Queues `key` unless it is already waiting.
    pub fn add(&mut self, key: K) {
        if self.queued.insert(key.clone()) {
            self.queue.push_back(key);
        }
    }

    /// Queues `key` to run at `at` (or later).
    pub fn add_after(&mut self, key: K, at: Time) {
        self.delayed_seq += 1;
        self.delayed.insert((at, self.delayed_seq), key);
    }

    /// Re-queues a key whose sync failed after its back-off; returns when it will be ready.
    pub fn add_rate_limited(&mut self, key: K, now: Time) -> Time {
        let n = self.failures.entry(key.clone()).or_insert(0);
        let exp = (*n).min(40);
        *n += 1;
        let delay = BASE_DELAY.as_millis().saturating_mul(1u64 << exp.min(63)).min(MAX_DELAY.as_millis());
        let at = now.after(Duration::from_millis(delay));
        self.add_after(key, at);
        at
    }

    /// Forgets a key's failures after a successful sync.
    pub fn forget(&mut self, key: &K) {
        self.failures.remove(key);
    }

    /// Moves keys whose delay has passed into the queue.
    pub fn promote(&mut self, now: Time) {
        while let Some((&(at, seq), _)) = self.delayed.first_key_value() {
            if at > now {
                break;
            }
            if let Some(key) = self.delayed.remove(&(at, seq)) {
                self.add(key);
            }
        }
    }

    /// The earliest instant a delayed key becomes ready.
    pub fn next_ready(&self) -> Option<Time> {
        self.delayed.first_key_value().map(|(&(at, _), _)| at)
    }

    pub fn pop(&mut self) -> Option<K> {
        let key = self.queue.pop_front()?;
        self.queued.remove(&key);
        Some(key)
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduplicates_and_keeps_order() {
        let mut q = WorkQueue::default();
        q.add("a");
        q.add("b");
        q.add("a");
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop(), Some("a"));
        q.add("a");
        assert_eq!(q.pop(), Some("b"));
        assert_eq!(q.pop(), Some("a"));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn failures_back_off_exponentially() {
        let mut q = WorkQueue::default();
        assert_eq!(q.add_rate_limited("k", Time(0)), Time(5));
        assert_eq!(q.add_rate_limited("k", Time(0)), Time(10));
        assert_eq!(q.add_rate_limited("k", Time(0)), Time(20));
        q.promote(Time(9));
        assert_eq!(q.pop(), Some("k"));
        assert_eq!(q.pop(), None);
        assert_eq!(q.next_ready(), Some(Time(10)));
        q.forget(&"k");
        assert_eq!(q.add_rate_limited("k", Time(100)), Time(105));
        for _ in 0..100 {
            q.add_rate_limited("x", Time(0));
        }
        assert!(q.add_rate_limited("x", Time(0)) <= Time(1_000_000));
    }
}
