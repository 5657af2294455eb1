//! The event queue: the timer heap that drives the simulation. Every future happening (a request
//! arriving at the api-server, a watch notification reaching an informer, a kubelet's heartbeat, a
//! container exiting) is an event scheduled at a virtual instant; the kernel pops them in order.
//!
//! Events at the same instant run in the order they were scheduled: the heap is ordered by
//! (time, sequence number), never by payload or address, so a replay pops exactly the same sequence.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::clock::Time;

/// A handle to a scheduled event, for cancelling it (a reset timer, a deleted pod's pending probe).
/// Handles are never reused: a handle to an event that already ran or was cancelled stays dead even
/// after its storage slot holds a newer event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    seq: u64,
    slot: usize,
}

impl EventId {
    /// The scheduling sequence number: unique per queue and increasing in scheduling order, which
    /// makes it a stable name for an event in a trace.
    pub fn seq(self) -> u64 {
        self.seq
    }
}

/// What the heap orders. The payload lives in the slab so that sifting moves 24 bytes whatever `E`
/// is, and so that cancelling can drop the payload at once rather than when its time comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct HeapEntry {
    at: Time,
    seq: u64,
    slot: usize,
}

#[derive(Debug)]
struct Slot<E> {
    /// The sequence number of the event occupying the slot, so stale heap entries and stale
    /// handles are recognised after the slot is reused.
    seq: u64,
    payload: Option<E>,
}

/// A min-heap of events keyed by (time, scheduling order), with O(log n) schedule, pop and cancel.
///
/// Cancellation is lazy in the heap (the entry stays until it reaches the top or a rebuild) but
/// eager everywhere else: the payload is dropped at once, [`len`](Self::len) counts only live
/// events, and the top of the heap is always live so [`peek_time`](Self::peek_time) is exact.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<HeapEntry>>,
    slots: Vec<Slot<E>>,
    free: Vec<usize>,
    next_seq: u64,
    live: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new(), next_seq: 0, live: 0 }
    }

    /// Schedules `e` to run at `at`. An instant in the past is allowed (it simply runs next): the
    /// kernel, not the queue, decides whether that is meaningful.
    pub fn schedule(&mut self, at: Time, e: E) -> EventId {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let slot = match self.free.pop() {
            Some(i) => {
                if let Some(s) = self.slots.get_mut(i) {
                    s.seq = seq;
                    s.payload = Some(e);
                }
                i
            }
            None => {
                self.slots.push(Slot { seq, payload: Some(e) });
                self.slots.len() - 1
            }
        };
        self.heap.push(Reverse(HeapEntry { at, seq, slot }));
        self.live += 1;
        EventId { seq, slot }
    }

    /// Cancels a pending event and returns its payload, or `None` if it already ran or was
    /// cancelled.
    pub fn cancel(&mut self, id: EventId) -> Option<E> {
        let payload = self.take(id.slot, id.seq)?;
        self.settle();
        self.compact_if_mostly_stale();
        Some(payload)
    }

    /// Whether the event is still pending.
    pub fn contains(&self, id: EventId) -> bool {
        self.slots.get(id.slot).is_some_and(|s| s.seq == id.seq && s.payload.is_some())
    }

    /// The number of pending (not cancelled) events.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The instant of the next event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse(h)| h.at)
    }

    /// The next event, without removing it.
    pub fn peek(&self) -> Option<&E> {
        self.heap.peek().and_then(|Reverse(h)| self.slots.get(h.slot)).and_then(|s| s.payload.as_ref())
    }

    /// Removes and returns the next event: the earliest, and among equals the first scheduled.
    pub fn pop(&mut self) -> Option<(Time, E)> {
        while let Some(Reverse(h)) = self.heap.pop() {
            if let Some(payload) = self.take(h.slot, h.seq) {
                self.settle();
                return Some((h.at, payload));
            }
        }
        None
    }

    /// Pops the next event if it is due at or before `t`; the kernel's loop for "run until t" is
    /// `while let Some((at, e)) = queue.pop_until(t) { clock.advance_to(at); ... }`.
    pub fn pop_until(&mut self, t: Time) -> Option<(Time, E)> {
        match self.peek_time() {
            Some(at) if at <= t => self.pop(),
            _ => None,
        }
    }

    /// Empties the slot if it still holds event `seq`, returning the payload and freeing the slot.
    fn take(&mut self, slot: usize, seq: u64) -> Option<E> {
        let s = self.slots.get_mut(slot)?;
        if s.seq != seq {
            return None;
        }
        let payload = s.payload.take()?;
        self.free.push(slot);
        self.live -= 1;
        Some(payload)
    }

    /// Drops cancelled entries from the top so that the top is always a live event.
    fn settle(&mut self) {
        while let Some(Reverse(h)) = self.heap.peek() {
            let live = self.slots.get(h.slot).is_some_and(|s| s.seq == h.seq && s.payload.is_some());
            if live {
                break;
            }
            self.heap.pop();
        }
    }

    /// Rebuilds the heap without cancelled entries once they outnumber live ones, so that a workload
    /// which keeps resetting far-future timers (probe periods, lease renewals) cannot grow the heap
    /// without bound. Amortised O(1) per cancel: a rebuild of n entries follows at least n/2 cancels.
    fn compact_if_mostly_stale(&mut self) {
        let stale = self.heap.len().saturating_sub(self.live);
        if stale <= 64 || stale <= self.live {
            return;
        }
        let slots = &self.slots;
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        entries.retain(|Reverse(h)| slots.get(h.slot).is_some_and(|s| s.seq == h.seq && s.payload.is_some()));
        self.heap = BinaryHeap::from(entries);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    #[test]
    fn same_instant_runs_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule(Time(10), "b1");
        q.schedule(Time(5), "a");
        q.schedule(Time(10), "b2");
        q.schedule(Time(10), "b3");
        q.schedule(Time(0), "first");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [(Time(0), "first"), (Time(5), "a"), (Time(10), "b1"), (Time(10), "b2"), (Time(10), "b3")]);
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
        assert_eq!(q.peek_time(), None);
    }

    #[test]
    fn cancel_counts_and_handles() {
        let mut q = EventQueue::new();
        let a = q.schedule(Time(1), 'a');
        let b = q.schedule(Time(2), 'b');
        let c = q.schedule(Time(3), 'c');
        assert_eq!(q.len(), 3);
        assert_eq!(q.cancel(a), Some('a'));
        assert_eq!(q.cancel(a), None);
        assert!(!q.contains(a));
        assert_eq!(q.len(), 2);
        assert_eq!(q.peek_time(), Some(Time(2)));
        // The freed slot is reused, but the old handle stays dead.
        let d = q.schedule(Time(0), 'd');
        assert_eq!(q.cancel(a), None);
        assert!(q.contains(d));
        assert_eq!(q.pop(), Some((Time(0), 'd')));
        assert_eq!(q.cancel(d), None);
        assert_eq!(q.cancel(c), Some('c'));
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop(), Some((Time(2), 'b')));
        assert_eq!(q.cancel(b), None);
        assert!(q.is_empty());
        assert_eq!(q.peek_time(), None);
    }

    #[test]
    fn peek_shows_what_pop_returns_next() {
        let mut q = EventQueue::new();
        let a = q.schedule(Time(1), 'a');
        q.schedule(Time(2), 'b');
        assert_eq!(q.peek(), Some(&'a'));
        q.cancel(a);
        assert_eq!(q.peek(), Some(&'b'));
        assert_eq!(q.pop(), Some((Time(2), 'b')));
        assert_eq!(q.peek(), None);
    }

    #[test]
    fn pop_until_stops_at_the_horizon() {
        let mut q = EventQueue::new();
        for t in [30, 10, 20, 40] {
            q.schedule(Time(t), t);
        }
        let mut got = Vec::new();
        while let Some((_, e)) = q.pop_until(Time(30)) {
            got.push(e);
        }
        assert_eq!(got, [10, 20, 30]);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_until(Time(39)), None);
        assert_eq!(q.pop_until(Time(u64::MAX)), Some((Time(40), 40)));
    }

    #[test]
    fn many_cancels_do_not_grow_the_heap() {
        let mut q = EventQueue::new();
        let keep = q.schedule(Time(1_000_000), 0u32);
        for i in 0..10_000u32 {
            let id = q.schedule(Time(500_000 + u64::from(i)), i);
            q.cancel(id);
        }
        assert_eq!(q.len(), 1);
        assert!(q.heap.len() <= 130, "heap holds {} entries", q.heap.len());
        assert!(q.slots.len() <= 2);
        assert_eq!(q.pop(), Some((Time(1_000_000), 0)));
        assert!(!q.contains(keep));
    }

    /// Random schedule/cancel/pop sequences against a sorted Vec of (time, seq, value).
    #[test]
    fn matches_a_sorted_vec_model() {
        for seed in 0..20u64 {
            let mut rng = Rng::derive(seed, "queue-model");
            let mut q = EventQueue::new();
            let mut model: Vec<(Time, u64, u32, EventId)> = Vec::new();
            let mut handles: Vec<EventId> = Vec::new();
            for step in 0..3_000u32 {
                match rng.below(10) {
                    0..=4 => {
                        let at = Time(rng.below(200));
                        let id = q.schedule(at, step);
                        model.push((at, id.seq(), step, id));
                        handles.push(id);
                    }
                    5..=6 => {
                        if let Some(&id) = rng.pick(&handles) {
                            let expected = model.iter().position(|m| m.3 == id).map(|i| model.remove(i).2);
                            assert_eq!(q.cancel(id), expected);
                        }
                    }
                    7..=8 => {
                        model.sort_by_key(|m| (m.0, m.1));
                        let expected = if model.is_empty() { None } else { Some(model.remove(0)) };
                        assert_eq!(q.pop(), expected.map(|m| (m.0, m.2)));
                    }
                    _ => {
                        let horizon = Time(rng.below(200));
                        model.sort_by_key(|m| (m.0, m.1));
                        let expected = match model.first() {
                            Some(m) if m.0 <= horizon => Some(model.remove(0)),
                            _ => None,
                        };
                        assert_eq!(q.pop_until(horizon), expected.map(|m| (m.0, m.2)));
                    }
                }
                assert_eq!(q.len(), model.len());
                assert_eq!(q.peek_time(), model.iter().map(|m| m.0).min());
            }
            model.sort_by_key(|m| (m.0, m.1));
            let rest: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
            assert_eq!(rest, model.iter().map(|m| (m.0, m.2)).collect::<Vec<_>>());
        }
    }
}
