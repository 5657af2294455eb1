//! The key-value store itself: the current value of every key, ordered by key, and the revision
//! counter every write advances. It plays etcd for the api-server, which stores each object under
//! `/registry/<resource>/<namespace>/<name>` and uses the revision as the object's resourceVersion.
//!
//! Unlike etcd it keeps only the latest value of each key (no MVCC reads at an old revision): the
//! api-server never needs them, because Kubernetes serves consistent lists at the current revision,
//! and watchers catch up from the event history instead.

use std::sync::Arc;

use super::error::StoreError;
use super::keyspace::Keyspace;
use super::watch::{Event, EventKind, History};

/// How many events the history keeps by default: the upper bound of the Kubernetes api-server's
/// watch cache (`100 * 1024`), so an informer that falls behind sees "too old resource version"
/// at the same scale it would against a real cluster. An event is 112 bytes on 64-bit (keys and
/// values are shared `Arc`s), so a full ring costs about 15 MB (the deque rounds up to 131,072
/// slots), plus the superseded object versions its events keep alive; the api-server's periodic
/// `compact` keeps a quiet cluster's ring much smaller. The ring grows lazily, so small scenarios
/// pay only for what they write.
pub const DEFAULT_HISTORY_CAPACITY: usize = 100 * 1024;

/// A key and its current value, with etcd's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue<V> {
    /// Shared between the map, the value and every event about the key, so a write allocates its
    /// key at most once (on create).
    pub key: Arc<str>,
    pub value: V,
    /// The revision that created the key; a key deleted and created again gets a new one, which is
    /// how a recreated object is told apart from the old one.
    pub create_revision: i64,
    /// The revision of the last write to the key: the object's resourceVersion.
    pub mod_revision: i64,
    /// Writes since creation, 1 on create; etcd's `version`.
    pub version: i64,
}

/// One page of a paginated range (a Kubernetes list with `limit` and `continue`).
#[derive(Debug, Clone, PartialEq)]
pub struct RangePage<'a, V> {
    pub kvs: Vec<&'a KeyValue<V>>,
    /// Whether keys remain after the last one returned; the api-server then builds a continue
    /// token from the last key and the revision of the list.
    pub more: bool,
}

/// The store. Values are cloned into the map and into events, so `V` is meant to be cheap to clone
/// (`Arc<Object>`); nothing is ever serialised.
#[derive(Debug, Clone)]
pub struct Store<V> {
    kvs: Keyspace<V>,
    revision: i64,
    history: History<V>,
}

impl<V: Clone> Default for Store<V> {
    fn default() -> Self {
        Store::new()
    }
}

impl<V: Clone> Store<V> {
    /// An empty store at revision 1, like a fresh etcd: the first write produces revision 2.
    pub fn new() -> Self {
        Store::with_history_capacity(DEFAULT_HISTORY_CAPACITY)
    }

    /// A store whose history keeps at most `capacity` events (at least 1).
    pub fn with_history_capacity(capacity: usize) -> Self {
        Store { kvs: Keyspace::default(), revision: 1, history: History::new(capacity) }
    }

    /// The revision of the last write (1 before any): the resourceVersion of a list served now.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// The oldest revision a watch can start from: watches from earlier fail with
    /// [`StoreError::Compacted`].
    pub fn compact_revision(&self) -> i64 {
        self.history.compacted()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.kvs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kvs.len() == 0
    }

    /// The number of events currently retained.
    pub fn history_len(&self) -> usize {
        self.history.len()
    }

    pub fn history_capacity(&self) -> usize {
        self.history.capacity()
    }

    pub fn get(&self, key: &str) -> Option<&KeyValue<V>> {
        self.kvs.get(key)
    }

    /// Every key starting with `prefix`, in key order. Callers pass prefixes ending in `/`
    /// (`/registry/pods/default/`), so that a namespace never matches another it is a prefix of.
    pub fn range<'a, 'k>(&'a self, prefix: &'k str) -> impl Iterator<Item = &'a KeyValue<V>> + use<'a, 'k, V> {
        self.range_after(prefix, None)
    }

    /// How many keys start with `prefix` (O(k) in the keys counted, like etcd's count-only range).
    pub fn count(&self, prefix: &str) -> usize {
        self.range(prefix).count()
    }

    /// At most `limit` keys starting with `prefix` and sorting after `start_after` (the last key
    /// of the previous page, decoded from a continue token). A `limit` of 0 means no limit, as in a
    /// Kubernetes list.
    pub fn range_from<'a>(&'a self, prefix: &str, start_after: Option<&str>, limit: usize) -> RangePage<'a, V> {
        let mut iter = self.range_after(prefix, start_after);
        if limit == 0 {
            return RangePage { kvs: iter.collect(), more: false };
        }
        let kvs: Vec<_> = iter.by_ref().take(limit).collect();
        let more = iter.next().is_some();
        RangePage { kvs, more }
    }

    fn range_after<'a, 'k>(
        &'a self,
        prefix: &'k str,
        start_after: Option<&'k str>,
    ) -> impl Iterator<Item = &'a KeyValue<V>> + use<'a, 'k, V> {
        self.kvs.range_after(prefix, start_after)
    }

    /// Creates `key`; fails with [`StoreError::KeyExists`] if it exists.
    pub fn create(&mut self, key: &str, value: V) -> Result<&Event<V>, StoreError> {
        let revision = self.revision.saturating_add(1);
        let kv = self.kvs.insert_new(key, |key| new_key_value(key, value, revision)).ok_or(StoreError::KeyExists)?;
        let event = Event { kind: EventKind::Put, kv: kv.clone(), prev_kv: None, revision };
        self.revision = revision;
        Ok(self.history.push(event))
    }

    /// Replaces the value of an existing key. With `expected_mod_revision`, only if the key was not
    /// modified since that revision (the api-server's optimistic concurrency on resourceVersion).
    pub fn update(&mut self, key: &str, value: V, expected_mod_revision: Option<i64>) -> Result<&Event<V>, StoreError> {
        let Some(current) = self.kvs.get_mut(key) else {
            return Err(StoreError::NotFound);
        };
        check_expected(current, expected_mod_revision)?;
        self.revision = self.revision.saturating_add(1);
        let event = replace_existing(current, value, self.revision);
        Ok(self.history.push(event))
    }

    /// Creates or replaces `key` unconditionally.
    pub fn put(&mut self, key: &str, value: V) -> &Event<V> {
        let revision = self.revision.saturating_add(1);
        self.revision = revision;
        let event = match self.kvs.get_mut(key) {
            Some(current) => replace_existing(current, value, revision),
            None => {
                let kv = self.kvs.insert_new(key, |key| new_key_value(key, value, revision)).cloned();
                Event { kind: EventKind::Put, kv: kv.expect("the key was absent"), prev_kv: None, revision }
            }
        };
        self.history.push(event)
    }

    /// Deletes `key`, if `expected_mod_revision` (when given) is still its mod revision.
    pub fn delete(&mut self, key: &str, expected_mod_revision: Option<i64>) -> Result<&Event<V>, StoreError> {
        let Some(current) = self.kvs.get(key) else {
            return Err(StoreError::NotFound);
        };
        check_expected(current, expected_mod_revision)?;
        let Some(prev) = self.kvs.remove(key) else {
            return Err(StoreError::NotFound);
        };
        self.revision = self.revision.saturating_add(1);
        let kv = KeyValue {
            key: prev.key.clone(),
            value: prev.value.clone(),
            create_revision: prev.create_revision,
            mod_revision: self.revision,
            version: 0,
        };
        Ok(self.history.push(Event { kind: EventKind::Delete, kv, prev_kv: Some(prev), revision: self.revision }))
    }

    /// The changes after `from_revision` to keys starting with `prefix`, oldest first: what a watch
    /// from resourceVersion `from_revision` must deliver before going live. A revision newer than the
    /// store's yields nothing (the watch just waits), one older than
    /// [`compact_revision`](Self::compact_revision) fails with [`StoreError::Compacted`].
    pub fn events_since<'a, 'k>(
        &'a self,
        prefix: &'k str,
        from_revision: i64,
    ) -> Result<impl Iterator<Item = &'a Event<V>> + use<'a, 'k, V>, StoreError> {
        self.history.since(prefix, from_revision)
    }

    /// Forgets the history at or below `revision` (clamped to the current revision, since the
    /// future cannot be compacted), as the api-server's periodic etcd compaction does, and returns
    /// the resulting compact revision. Compacting an already compacted revision changes nothing.
    pub fn compact(&mut self, revision: i64) -> i64 {
        self.history.compact(revision.min(self.revision));
        self.history.compacted()
    }
}

/// A key created at `revision`.
fn new_key_value<V>(key: Arc<str>, value: V, revision: i64) -> KeyValue<V> {
    KeyValue { key, value, create_revision: revision, mod_revision: revision, version: 1 }
}

/// Replaces an existing key's value at `revision` and returns the modification event, which takes
/// ownership of the previous state instead of cloning it.
fn replace_existing<V: Clone>(current: &mut KeyValue<V>, value: V, revision: i64) -> Event<V> {
    let kv = KeyValue {
        key: current.key.clone(),
        value,
        create_revision: current.create_revision,
        mod_revision: revision,
        version: current.version.saturating_add(1),
    };
    let prev = std::mem::replace(current, kv.clone());
    Event { kind: EventKind::Put, kv, prev_kv: Some(prev), revision }
}

fn check_expected<V>(current: &KeyValue<V>, expected: Option<i64>) -> Result<(), StoreError> {
    match expected {
        Some(rev) if rev != current.mod_revision => {
            Err(StoreError::Conflict { current_mod_revision: current.mod_revision })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'a, V: 'a>(kvs: impl IntoIterator<Item = &'a KeyValue<V>>) -> Vec<&'a str> {
        kvs.into_iter().map(|kv| &*kv.key).collect()
    }

    #[test]
    fn create_get_update_delete() {
        let mut s: Store<Arc<String>> = Store::new();
        assert_eq!(s.revision(), 1);
        let ev = s.create("/registry/pods/default/a", Arc::new("v1".into())).cloned();
        let ev = ev.unwrap();
        assert_eq!(ev.kind, EventKind::Put);
        assert!(ev.is_create());
        assert_eq!(ev.revision, 2);
        assert_eq!(ev.prev_kv, None);
        assert_eq!((ev.kv.create_revision, ev.kv.mod_revision, ev.kv.version), (2, 2, 1));
        assert_eq!(s.revision(), 2);

        let kv = s.get("/registry/pods/default/a").unwrap();
        assert_eq!(kv.value.as_str(), "v1");

        let ev = s.update("/registry/pods/default/a", Arc::new("v2".into()), Some(2)).unwrap();
        assert!(!ev.is_create());
        assert_eq!((ev.kv.create_revision, ev.kv.mod_revision, ev.kv.version), (2, 3, 2));
        assert_eq!(ev.prev_kv.as_ref().unwrap().value.as_str(), "v1");
        assert_eq!(ev.prev_kv.as_ref().unwrap().mod_revision, 2);

        let ev = s.delete("/registry/pods/default/a", None).unwrap();
        assert_eq!(ev.kind, EventKind::Delete);
        assert_eq!(ev.revision, 4);
        assert_eq!(ev.kv.mod_revision, 4);
        assert_eq!(ev.kv.value.as_str(), "v2");
        let prev = ev.prev_kv.clone().unwrap();
        assert_eq!((prev.mod_revision, prev.version), (3, 2));
        assert_eq!(prev.value.as_str(), "v2");
        assert!(s.get("/registry/pods/default/a").is_none());
        assert!(s.is_empty());

        // Recreated: a new create_revision, version back to 1.
        let ev = s.create("/registry/pods/default/a", Arc::new("v3".into())).unwrap();
        assert_eq!((ev.kv.create_revision, ev.kv.mod_revision, ev.kv.version), (5, 5, 1));
    }

    #[test]
    fn failed_writes_change_nothing() {
        let mut s: Store<u32> = Store::new();
        s.create("/k", 1).unwrap();
        s.update("/k", 2, None).unwrap();
        let before_rev = s.revision();
        let before_hist = s.history_len();
        let before = s.get("/k").cloned();

        assert_eq!(s.create("/k", 9).unwrap_err(), StoreError::KeyExists);
        assert_eq!(s.update("/k", 9, Some(2)).unwrap_err(), StoreError::Conflict { current_mod_revision: 3 });
        assert_eq!(s.delete("/k", Some(99)).unwrap_err(), StoreError::Conflict { current_mod_revision: 3 });
        assert_eq!(s.update("/missing", 9, None).unwrap_err(), StoreError::NotFound);
        assert_eq!(s.delete("/missing", None).unwrap_err(), StoreError::NotFound);
        assert_eq!(s.delete("/missing", Some(3)).unwrap_err(), StoreError::NotFound);

        assert_eq!(s.revision(), before_rev);
        assert_eq!(s.history_len(), before_hist);
        assert_eq!(s.get("/k").cloned(), before);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn cas_succeeds_with_the_current_revision_only() {
        let mut s: Store<&str> = Store::new();
        let rv = s.create("/k", "a").unwrap().kv.mod_revision;
        // Two writers read the same revision; the second one loses.
        let won = s.update("/k", "b", Some(rv)).unwrap().kv.mod_revision;
        assert_eq!(s.update("/k", "c", Some(rv)), Err(StoreError::Conflict { current_mod_revision: won }));
        assert!(s.delete("/k", Some(won)).is_ok());
    }

    #[test]
    fn revisions_are_monotonic_and_global() {
        let mut s: Store<u8> = Store::new();
        let mut last = s.revision();
        for i in 0..50u8 {
            let key = format!("/k/{}", i % 7);
            let rev = s.put(&key, i).revision;
            assert_eq!(rev, last + 1);
            last = rev;
        }
        let ev = s.put("/k/0", 200);
        assert_eq!(ev.prev_kv.as_ref().map(|p| p.value), Some(49));
        assert_eq!(s.revision(), 52);
    }

    #[test]
    fn range_by_prefix_is_ordered_and_does_not_mix_namespaces() {
        let mut s: Store<u8> = Store::new();
        for k in [
            "/registry/pods/default2/a",
            "/registry/pods/default/b",
            "/registry/pods/default/a",
            "/registry/pods/kube-system/x",
            "/registry/pods/default/c",
            "/registry/pods/default",
            "/registry/services/default/a",
        ] {
            s.create(k, 0).unwrap();
        }
        assert_eq!(
            keys(s.range("/registry/pods/default/")),
            ["/registry/pods/default/a", "/registry/pods/default/b", "/registry/pods/default/c"]
        );
        assert_eq!(s.count("/registry/pods/default/"), 3);
        assert_eq!(s.count("/registry/pods/default2/"), 1);
        assert_eq!(s.count("/registry/pods/"), 6);
        assert_eq!(s.count("/registry/"), 7);
        assert_eq!(s.count(""), 7);
        assert_eq!(s.count("/registry/nodes/"), 0);
        assert_eq!(s.count("/zzz"), 0);
    }

    #[test]
    fn paginated_ranges_resume_after_the_last_key() {
        let mut s: Store<u8> = Store::new();
        for i in 0..10u8 {
            s.create(&format!("/registry/pods/ns/p{i}"), i).unwrap();
        }
        s.create("/registry/pods/ns2/p0", 0).unwrap();
        s.create("/registry/pods/a/p0", 0).unwrap();

        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = s.range_from("/registry/pods/ns/", after.as_deref(), 3);
            assert!(page.kvs.len() <= 3);
            seen.extend(keys(page.kvs.iter().copied()).into_iter().map(String::from));
            after = seen.last().cloned();
            if !page.more {
                break;
            }
        }
        let all: Vec<String> = keys(s.range("/registry/pods/ns/")).into_iter().map(String::from).collect();
        assert_eq!(seen, all);
        assert_eq!(seen.len(), 10);

        // Exactly a full page: no phantom "more".
        let page = s.range_from("/registry/pods/ns/", Some("/registry/pods/ns/p6"), 3);
        assert_eq!(page.kvs.len(), 3);
        assert!(!page.more);
        // limit 0 is no limit; start keys outside the prefix are clamped, never panic.
        assert_eq!(s.range_from("/registry/pods/ns/", None, 0).kvs.len(), 10);
        assert_eq!(s.range_from("/registry/pods/ns/", Some("/a"), 0).kvs.len(), 10);
        assert_eq!(s.range_from("/registry/pods/ns/", Some("/zzz"), 5).kvs.len(), 0);
        assert_eq!(s.range_from("/registry/pods/ns/", Some(""), 1).kvs.len(), 1);
    }

    #[test]
    fn default_capacity_is_the_watch_cache_bound() {
        let s: Store<u32> = Store::default();
        assert_eq!(s.history_capacity(), 102_400);
        assert_eq!(s.history_len(), 0);
    }

    #[test]
    fn per_entry_sizes_on_64_bit() {
        // The figures behind the memory estimate in DEFAULT_HISTORY_CAPACITY's documentation.
        if std::mem::size_of::<usize>() == 8 {
            assert_eq!(std::mem::size_of::<KeyValue<Arc<String>>>(), 48);
            assert_eq!(std::mem::size_of::<Option<KeyValue<Arc<String>>>>(), 48);
            assert_eq!(std::mem::size_of::<Event<Arc<String>>>(), 112);
        }
    }
}
