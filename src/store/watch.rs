//! Watch events and the bounded history they are kept in: what lets an informer resume a watch from
//! the resourceVersion it last saw instead of relisting, and what tells it to relist (410 Gone,
//! "too old resource version") once that revision is no longer retained.
//!
//! Kubernetes semantics throughout: watching from revision `X` delivers the changes made *after*
//! `X` (revision > `X`), because `X` is the resourceVersion of the state the client already has.

use std::collections::VecDeque;

use super::error::StoreError;
use super::kv::KeyValue;

/// What a change did to its key, as in etcd's `mvccpb.Event_EventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The key was created or modified (Kubernetes ADDED or MODIFIED; see [`Event::is_create`]).
    Put,
    /// The key was deleted (Kubernetes DELETED).
    Delete,
}

/// One change to one key.
///
/// For a delete, `kv` still carries the last value (a Kubernetes DELETED event shows the object as
/// it was), with `mod_revision` set to the deletion's revision and `version` 0 as in etcd's
/// tombstone; `prev_kv` is the key as it was before the deletion.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<V> {
    pub kind: EventKind,
    pub kv: KeyValue<V>,
    pub prev_kv: Option<KeyValue<V>>,
    /// The store revision this change produced (equal to `kv.mod_revision`); kept separately
    /// because it is what watchers resume from.
    pub revision: i64,
}

impl<V> Event<V> {
    /// Whether this put created the key (ADDED rather than MODIFIED), by etcd's own rule.
    pub fn is_create(&self) -> bool {
        self.kind == EventKind::Put && self.kv.create_revision == self.kv.mod_revision
    }

    pub fn key(&self) -> &str {
        &self.kv.key
    }
}

/// The retained tail of the store's change log: a ring of at most `capacity` events with
/// consecutive revisions, all greater than `compacted`.
#[derive(Debug, Clone)]
pub(crate) struct History<V> {
    events: VecDeque<Event<V>>,
    capacity: usize,
    /// The newest revision whose change is no longer retained (by `compact` or by the ring
    /// overflowing); watching from it or later is still possible.
    compacted: i64,
}

impl<V> History<V> {
    /// A history of at least one event: a write always returns a reference to its own event, so
    /// that event must be retained at least until the next write.
    pub(crate) fn new(capacity: usize) -> Self {
        History { events: VecDeque::new(), capacity: capacity.max(1), compacted: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(crate) fn compacted(&self) -> i64 {
        self.compacted
    }

    /// Appends the newest event, dropping the oldest if the ring is full. The ring grows lazily:
    /// a small scenario never pays for the full capacity.
    pub(crate) fn push(&mut self, event: Event<V>) -> &Event<V> {
        if self.events.len() >= self.capacity
            && let Some(dropped) = self.events.pop_front()
        {
            self.compacted = self.compacted.max(dropped.revision);
        }
        self.events.push_back_mut(event)
    }

    /// Drops every event at or below `revision`.
    pub(crate) fn compact(&mut self, revision: i64) {
        if revision <= self.compacted {
            return;
        }
        let keep_from = self.events.partition_point(|e| e.revision <= revision);
        self.events.drain(..keep_from);
        self.compacted = revision;
    }

    /// The events after `from_revision` whose key starts with `prefix`, oldest first.
    pub(crate) fn since<'a, 'k>(
        &'a self,
        prefix: &'k str,
        from_revision: i64,
    ) -> Result<impl Iterator<Item = &'a Event<V>> + use<'a, 'k, V>, StoreError> {
        if from_revision < self.compacted {
            return Err(StoreError::Compacted { requested: from_revision, oldest: self.compacted });
        }
        let start = self.events.partition_point(|e| e.revision <= from_revision);
        Ok(self.events.range(start..).filter(move |e| e.kv.key.starts_with(prefix)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn events_resume_from_a_revision() {
        let mut s: Store<u32> = Store::new();
        s.create("/registry/pods/default/a", 1).unwrap(); // 2
        s.create("/registry/pods/other/a", 1).unwrap(); // 3
        s.update("/registry/pods/default/a", 2, None).unwrap(); // 4
        s.delete("/registry/pods/default/a", None).unwrap(); // 5
        s.create("/registry/pods/default2/z", 1).unwrap(); // 6

        let revs = |s: &Store<u32>, prefix: &str, from: i64| -> Vec<i64> {
            s.events_since(prefix, from).unwrap().map(|e| e.revision).collect()
        };
        assert_eq!(revs(&s, "/registry/pods/", 1), [2, 3, 4, 5, 6]);
        assert_eq!(revs(&s, "/registry/pods/default/", 1), [2, 4, 5]);
        // Kubernetes semantics: from RV 4 means "I have seen 4", so 4 itself is not resent.
        assert_eq!(revs(&s, "/registry/pods/default/", 4), [5]);
        assert_eq!(revs(&s, "/registry/pods/", 6), Vec::<i64>::new());
        // A future revision is not an error: nothing has happened after it yet.
        assert_eq!(revs(&s, "/registry/pods/", 100), Vec::<i64>::new());
        let kinds: Vec<_> =
            s.events_since("/registry/pods/default/", 0).unwrap().map(|e| (e.kind, e.is_create())).collect();
        assert_eq!(kinds, [(EventKind::Put, true), (EventKind::Put, false), (EventKind::Delete, false)]);
    }

    #[test]
    fn compaction_expires_old_revisions() {
        let mut s: Store<u32> = Store::new();
        for i in 0..10 {
            s.put("/k/a", i); // revisions 2..=11
        }
        assert_eq!(s.compact_revision(), 0);
        assert_eq!(s.compact(6), 6);
        assert_eq!(s.history_len(), 5);
        let err = s.events_since("/k/", 5).err().unwrap();
        assert_eq!(err, StoreError::Compacted { requested: 5, oldest: 6 });
        assert_eq!(err.to_string(), "too old resource version: 5 (6)");
        let revs: Vec<i64> = s.events_since("/k/", 6).unwrap().map(|e| e.revision).collect();
        assert_eq!(revs, [7, 8, 9, 10, 11]);
        // Compacting backwards changes nothing; the future is clamped to now.
        assert_eq!(s.compact(3), 6);
        assert_eq!(s.compact(1_000), 11);
        assert_eq!(s.history_len(), 0);
        assert_eq!(s.events_since("/k/", 11).unwrap().count(), 0);
        assert!(s.events_since("/k/", 10).is_err());
        // Compaction only forgets history, never current values.
        assert_eq!(s.get("/k/a").map(|kv| kv.value), Some(9));
    }

    #[test]
    fn ring_overflow_expires_old_revisions() {
        let mut s: Store<u32> = Store::with_history_capacity(4);
        for i in 0..10 {
            s.put(&format!("/k/{i}"), i); // revisions 2..=11
        }
        assert_eq!(s.history_len(), 4);
        assert_eq!(s.compact_revision(), 7);
        assert_eq!(s.events_since("/k/", 6).err(), Some(StoreError::Compacted { requested: 6, oldest: 7 }));
        let revs: Vec<i64> = s.events_since("/k/", 7).unwrap().map(|e| e.revision).collect();
        assert_eq!(revs, [8, 9, 10, 11]);
        // A capacity of 0 still keeps the write's own event.
        let mut tiny: Store<u32> = Store::with_history_capacity(0);
        assert_eq!(tiny.history_capacity(), 1);
        assert_eq!(tiny.put("/a", 1).revision, 2);
        assert_eq!(tiny.put("/a", 2).revision, 3);
        assert_eq!(tiny.history_len(), 1);
    }
}
