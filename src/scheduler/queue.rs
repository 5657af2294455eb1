//! The scheduling queue (upstream's `PriorityQueue`): the active queue ordered by PrioritySort, the
//! backoff queue (1 s doubling to 10 s by default), the pool of unschedulable pods that wait for a
//! cluster event that could help them, and the gated pods PreEnqueue kept out.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::cache::PodInfo;
use crate::sim::{Duration, Time};

/// How long an unschedulable pod may wait for an event before it is retried anyway
/// (`podMaxInUnschedulablePodsDuration`).
pub const MAX_IN_UNSCHEDULABLE: Duration = Duration::from_secs(5 * 60);

/// Where a pod is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Active,
    Backoff,
    Unschedulable,
    Gated,
    /// Popped, being scheduled.
    InFlight,
}

/// A queued pod.
#[derive(Debug, Clone)]
pub struct QueuedPod {
    pub info: Arc<PodInfo>,
    /// Scheduling attempts so far.
    pub attempts: u32,
    /// When it entered the active queue (PrioritySort's tie-break).
    pub timestamp: Time,
    pub initial_attempt: Option<Time>,
    /// When it last failed.
    pub failed_at: Time,
    seq: u64,
    place: Place,
}

type ActiveKey = (Reverse<i32>, Time, u64, String);

/// The queue.
#[derive(Debug, Default)]
pub struct SchedulingQueue {
    pods: BTreeMap<String, QueuedPod>,
    active: BTreeSet<ActiveKey>,
    backoff: BTreeSet<(Time, u64, String)>,
    unschedulable: BTreeSet<String>,
    seq: u64,
    initial_backoff: Duration,
    max_backoff: Duration,
    /// A move request arrived while a pod was in flight: its failure sends it to backoff, not to
    /// the unschedulable pool, since the event might have helped.
    moved_during_flight: bool,
}

impl SchedulingQueue {
    pub fn new(initial_backoff: Duration, max_backoff: Duration) -> Self {
        SchedulingQueue { initial_backoff, max_backoff, ..Default::default() }
    }

    fn active_key(q: &QueuedPod) -> ActiveKey {
        (Reverse(q.info.priority), q.timestamp, q.seq, q.info.key.clone())
    }

    fn backoff_until(&self, q: &QueuedPod) -> Time {
        let mut d = self.initial_backoff.as_millis();
        for _ in 1..q.attempts {
            d = d.saturating_mul(2);
            if d >= self.max_backoff.as_millis() {
                d = self.max_backoff.as_millis();
                break;
            }
        }
        q.failed_at.after(Duration::from_millis(d))
    }

    fn detach(&mut self, key: &str) -> Option<QueuedPod> {
        let q = self.pods.remove(key)?;
        match q.place {
            Place::Active => {
                self.active.remove(&Self::active_key(&q));
            }
            Place::Backoff => {
                let until = self.backoff_until(&q);
                self.backoff.remove(&(until, q.seq, q.info.key.clone()));
            }
            Place::Unschedulable => {
                self.unschedulable.remove(key);
            }
            Place::Gated | Place::InFlight => {}
        }
        Some(q)
    }

    fn place(&mut self, mut q: QueuedPod, place: Place, now: Time) {
        self.seq += 1;
        q.seq = self.seq;
        q.place = place;
        match place {
            Place::Active => {
                q.timestamp = now;
                self.active.insert(Self::active_key(&q));
            }
            Place::Backoff => {
                let until = self.backoff_until(&q);
                self.backoff.insert((until, q.seq, q.info.key.clone()));
            }
            Place::Unschedulable => {
                self.unschedulable.insert(q.info.key.clone());
            }
            Place::Gated | Place::InFlight => {}
        }
        self.pods.insert(q.info.key.clone(), q);
    }

    /// A new pending pod: active, or gated when PreEnqueue refused it.
    pub fn add(&mut self, info: Arc<PodInfo>, gated: bool, now: Time) {
        let q = match self.detach(&info.key) {
            Some(mut old) => {
                old.info = info;
                old
            }
            None => QueuedPod {
                info,
                attempts: 0,
                timestamp: now,
                initial_attempt: None,
                failed_at: now,
                seq: 0,
                place: Place::Active,
            },
        };
        self.place(q, if gated { Place::Gated } else { Place::Active }, now);
    }

    /// An update of a queued pod: gated or unschedulable pods whose update may help are retried.
    pub fn update(&mut self, info: Arc<PodInfo>, gated: bool, now: Time) {
        let Some(old) = self.pods.get(&info.key) else {
            self.add(info, gated, now);
            return;
        };
        let place = old.place;
        let Some(mut q) = self.detach(&info.key) else { return };
        q.info = info;
        let next =
            match (place, gated) {
                (_, true) => Place::Gated,
                (Place::Gated, false) | (Place::Unschedulable, false) => {
                    if self.backoff_until(&q) > now && q.attempts > 0 { Place::Backoff } else { Place::Active }
                }
                (p, false) => p,
            };
        if next == Place::Active && place == Place::Active {
            // Keep its position.
            let ts = q.timestamp;
            self.place(q, Place::Active, ts);
        } else {
            self.place(q, next, now);
        }
    }

    pub fn delete(&mut self, key: &str) {
        self.detach(key);
    }

    pub fn contains(&self, key: &str) -> bool {
        self.pods.contains_key(key)
    }

    /// Pops the next pod to schedule.
    pub fn pop(&mut self, now: Time) -> Option<QueuedPod> {
        let first = self.active.pop_first()?;
        let mut q = self.pods.get(&first.3)?.clone();
        q.attempts += 1;
        q.initial_attempt.get_or_insert(now);
        q.place = Place::InFlight;
        self.pods.insert(q.info.key.clone(), q.clone());
        self.moved_during_flight = false;
        Some(q)
    }

    /// A pod that failed: to backoff if a move happened meanwhile (or the failure was an error),
    /// else to the unschedulable pool.
    pub fn requeue_failed(&mut self, mut q: QueuedPod, unschedulable: bool, now: Time) {
        match self.pods.get(&q.info.key) {
            Some(current) if current.place == Place::InFlight => {
                // The informer may have brought a newer object meanwhile.
                q.info = current.info.clone();
            }
            // Deleted (or bound) during the cycle.
            _ => return,
        }
        self.pods.remove(&q.info.key);
        q.failed_at = now;
        let place = if unschedulable && !self.moved_during_flight { Place::Unschedulable } else { Place::Backoff };
        self.place(q, place, now);
    }

    /// The pod was bound (or given up on): forget it.
    pub fn done(&mut self, key: &str) {
        self.detach(key);
    }

    /// A cluster event that may make unschedulable pods schedulable: they go to backoff or active.
    pub fn move_all_to_active_or_backoff(&mut self, now: Time) {
        self.moved_during_flight = true;
        let keys: Vec<String> = self.unschedulable.iter().cloned().collect();
        for key in keys {
            let Some(q) = self.detach(&key) else { continue };
            let place = if self.backoff_until(&q) > now { Place::Backoff } else { Place::Active };
            self.place(q, place, now);
        }
    }

    /// Moves pods whose backoff has expired to the active queue, and pods unschedulable for too
    /// long to backoff/active.
    pub fn flush(&mut self, now: Time) {
        while let Some((until, _, key)) = self.backoff.first().cloned() {
            if until > now {
                break;
            }
            if let Some(q) = self.detach(&key) {
                self.place(q, Place::Active, now);
            }
        }
        let stale: Vec<String> = self
            .unschedulable
            .iter()
            .filter(|k| self.pods.get(*k).is_some_and(|q| q.failed_at.after(MAX_IN_UNSCHEDULABLE) <= now))
            .cloned()
            .collect();
        for key in stale {
            if let Some(q) = self.detach(&key) {
                self.place(q, Place::Active, now);
            }
        }
    }

    /// When the next flush has work: the earliest backoff expiry or unschedulable timeout.
    pub fn next_wake(&self) -> Option<Time> {
        let backoff = self.backoff.first().map(|(t, _, _)| *t);
        let stale = self
            .unschedulable
            .iter()
            .filter_map(|k| self.pods.get(k))
            .map(|q| q.failed_at.after(MAX_IN_UNSCHEDULABLE))
            .min();
        match (backoff, stale) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn has_active(&self) -> bool {
        !self.active.is_empty()
    }

    /// (active, backoff, unschedulable, gated) sizes.
    pub fn sizes(&self) -> (usize, usize, usize, usize) {
        let gated = self.pods.values().filter(|q| q.place == Place::Gated).count();
        (self.active.len(), self.backoff.len(), self.unschedulable.len(), gated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testing::pod;

    fn info(name: &str, prio: i32) -> Arc<PodInfo> {
        let mut p = pod(name, &[]);
        p.priority = prio;
        Arc::new(p)
    }

    #[test]
    fn priority_then_fifo() {
        let mut q = SchedulingQueue::new(Duration::from_secs(1), Duration::from_secs(10));
        q.add(info("low", 0), false, Time(1));
        q.add(info("high", 10), false, Time(2));
        q.add(info("low2", 0), false, Time(3));
        let order: Vec<String> = std::iter::from_fn(|| q.pop(Time(4)).map(|p| p.info.name.clone())).collect();
        assert_eq!(order, ["high", "low", "low2"]);
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        let mut q = SchedulingQueue::new(Duration::from_secs(1), Duration::from_secs(10));
        q.add(info("p", 0), false, Time(0));
        let mut now = Time(0);
        let mut waits = Vec::new();
        for _ in 0..6 {
            let p = q.pop(now).unwrap();
            q.requeue_failed(p, false, now);
            let next = q.next_wake().unwrap();
            waits.push(next.since(now).as_secs());
            now = next;
            q.flush(now);
        }
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn unschedulable_pods_wait_for_an_event() {
        let mut q = SchedulingQueue::new(Duration::from_secs(1), Duration::from_secs(10));
        q.add(info("p", 0), false, Time(0));
        let p = q.pop(Time(0)).unwrap();
        q.requeue_failed(p, true, Time(0));
        q.flush(Time(5_000));
        assert!(!q.has_active());
        q.move_all_to_active_or_backoff(Time(5_000));
        assert!(q.has_active());
        q.add(info("g", 0), true, Time(0));
        assert_eq!(q.sizes().3, 1);
    }
}
