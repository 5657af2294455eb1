//! The store's keys, kept in one ordered map per resource (`/registry/pods/`, `/registry/nodes/`, ...)
//! instead of one map of every key. Order across the whole keyspace is unchanged, but a lookup or
//! range in a small resource no longer descends through 150,000 pod keys comparing long common
//! prefixes: admission's read of a namespace or of the PriorityClasses costs what those resources
//! hold, not what the cluster holds.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::ops::Bound;
use std::sync::Arc;

use super::kv::KeyValue;

/// The bucket of a key with at least three slashes: its first three `/`-separated segments with
/// the slash that ends them (`/registry/pods/`). Every key starting with such a prefix is in it.
fn full_bucket(key: &str) -> Option<&str> {
    // A byte scan: `match_indices` showed in the create profile, and `/` is ASCII.
    let end = key.bytes().enumerate().filter(|&(_, b)| b == b'/').nth(2).map(|(i, _)| i)?;
    key.get(..=end)
}

/// The bucket a key belongs to: its full bucket, or the whole key when it has fewer slashes. No
/// bucket is a proper prefix of another unless it is a whole key, so ordering buckets orders their
/// keys.
fn bucket_of(key: &str) -> &str {
    full_bucket(key).unwrap_or(key)
}

/// Every key and its value, bucketed by resource.
#[derive(Debug, Clone)]
pub struct Keyspace<V> {
    buckets: BTreeMap<Box<str>, BTreeMap<Arc<str>, KeyValue<V>>>,
    len: usize,
}

impl<V> Default for Keyspace<V> {
    fn default() -> Self {
        Keyspace { buckets: BTreeMap::new(), len: 0 }
    }
}

impl<V> Keyspace<V> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn get(&self, key: &str) -> Option<&KeyValue<V>> {
        self.buckets.get(bucket_of(key))?.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut KeyValue<V>> {
        self.buckets.get_mut(bucket_of(key))?.get_mut(key)
    }

    /// Inserts `key` with the value `make` builds from the shared key, unless it is present (None).
    pub fn insert_new(&mut self, key: &str, make: impl FnOnce(Arc<str>) -> KeyValue<V>) -> Option<&KeyValue<V>> {
        let bucket = bucket_of(key);
        // Looked up before inserting, so that a write to an existing bucket allocates no name for it.
        if !self.buckets.contains_key(bucket) {
            self.buckets.insert(bucket.into(), BTreeMap::new());
        }
        let map = self.buckets.get_mut(bucket)?;
        match map.entry(Arc::from(key)) {
            Entry::Occupied(_) => None,
            Entry::Vacant(slot) => {
                let kv = make(slot.key().clone());
                self.len += 1;
                Some(slot.insert(kv))
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<KeyValue<V>> {
        let removed = self.buckets.get_mut(bucket_of(key))?.remove(key)?;
        self.len -= 1;
        Some(removed)
    }

    /// Every key starting with `prefix` and sorting after `start_after` (when given), in key order.
    pub fn range_after<'a, 'k>(
        &'a self,
        prefix: &'k str,
        start_after: Option<&'k str>,
    ) -> impl Iterator<Item = &'a KeyValue<V>> + use<'a, 'k, V> {
        // A start key before the prefix (a token from another list) is clamped to the prefix.
        let lower = match start_after {
            Some(k) if k >= prefix => Bound::Excluded(k),
            _ => Bound::Included(prefix),
        };
        // A prefix with a full bucket stays in it; a shorter one is a prefix of every bucket that
        // holds a matching key.
        let (scan, upper) = match full_bucket(prefix) {
            Some(bucket) => (bucket, Bound::Included(bucket)),
            None => (prefix, Bound::Unbounded),
        };
        let buckets = self
            .buckets
            .range::<str, _>((Bound::Included(scan), upper))
            .take_while(move |(b, _)| b.starts_with(scan))
            .map(|(_, m)| m);
        buckets.flat_map(move |m| {
            m.range::<str, _>((lower, Bound::Unbounded))
                .map(|(_, kv)| kv)
                .take_while(move |kv| kv.key.starts_with(prefix))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_the_resource_prefix() {
        assert_eq!(bucket_of("/registry/pods/default/web"), "/registry/pods/");
        assert_eq!(bucket_of("/registry/nodes/node-01"), "/registry/nodes/");
        assert_eq!(bucket_of("/registry/pods/"), "/registry/pods/");
        assert_eq!(bucket_of("/registry/pods"), "/registry/pods");
        assert_eq!(bucket_of("/k/0"), "/k/0");
        assert_eq!(bucket_of(""), "");
    }

    #[test]
    fn ranges_across_buckets_keep_the_global_key_order() {
        let mut ks: Keyspace<u8> = Keyspace::default();
        let keys =
            ["/registry/pods/a/x", "/registry/a-b/y", "/registry/a/z", "/k", "/k/0", "/k/0/x/y", "/registry/pods"];
        for k in keys {
            ks.insert_new(k, |key| KeyValue { key, value: 0, create_revision: 1, mod_revision: 1, version: 1 });
        }
        assert!(
            ks.insert_new("/k", |key| KeyValue { key, value: 1, create_revision: 1, mod_revision: 1, version: 1 })
                .is_none()
        );
        assert_eq!(ks.len(), keys.len());
        let mut sorted = keys.to_vec();
        sorted.sort_unstable();
        let all: Vec<&str> = ks.range_after("", None).map(|kv| &*kv.key).collect();
        assert_eq!(all, sorted);
        let after: Vec<&str> = ks.range_after("/registry/", Some("/registry/a-b/y")).map(|kv| &*kv.key).collect();
        assert_eq!(after, ["/registry/a/z", "/registry/pods", "/registry/pods/a/x"]);
        let one: Vec<&str> = ks.range_after("/registry/pods/", None).map(|kv| &*kv.key).collect();
        assert_eq!(one, ["/registry/pods/a/x"]);
        assert!(ks.remove("/k/0").is_some());
        assert_eq!(ks.range_after("/k", None).count(), 2);
    }
}
