//! The store against a model: random operation sequences (from a seeded stream, so every failure
//! replays) applied both to the store and to a plain BTreeMap plus an event log, compared after
//! every step.

use std::collections::BTreeMap;

use super::*;
use crate::sim::Rng;

/// The model of one key: (value, create_revision, mod_revision, version).
type ModelKv = (u32, i64, i64, i64);

/// The model of one event: (revision, kind, key, value, prev (value, mod_revision)).
type ModelEvent = (i64, EventKind, String, u32, Option<(u32, i64)>);

struct Model {
    kvs: BTreeMap<String, ModelKv>,
    /// Every retained event, oldest first.
    log: Vec<ModelEvent>,
    revision: i64,
    compacted: i64,
    capacity: usize,
}

impl Model {
    fn record(&mut self, event: ModelEvent) {
        self.log.push(event);
        if self.log.len() > self.capacity {
            let dropped = self.log.remove(0);
            self.compacted = self.compacted.max(dropped.0);
        }
    }

    /// One write: `value` None is a delete; `must_exist` Some(false) is a create, Some(true) an
    /// update or delete, None a put.
    fn write(
        &mut self,
        key: &str,
        value: Option<u32>,
        must_exist: Option<bool>,
        expected: Option<i64>,
    ) -> Result<i64, StoreError> {
        let current = self.kvs.get(key).copied();
        match (current, must_exist) {
            (Some(_), Some(false)) => return Err(StoreError::KeyExists),
            (None, Some(true)) => return Err(StoreError::NotFound),
            _ => {}
        }
        if let (Some(cur), Some(exp)) = (current, expected)
            && cur.2 != exp
        {
            return Err(StoreError::Conflict { current_mod_revision: cur.2 });
        }
        self.revision += 1;
        let rev = self.revision;
        let prev = current.map(|c| (c.0, c.2));
        match value {
            Some(v) => {
                let (create, version) = current.map_or((rev, 1), |c| (c.1, c.3 + 1));
                self.kvs.insert(key.to_string(), (v, create, rev, version));
                self.record((rev, EventKind::Put, key.to_string(), v, prev));
            }
            None => {
                self.kvs.remove(key);
                let last = current.map_or(0, |c| c.0);
                self.record((rev, EventKind::Delete, key.to_string(), last, prev));
            }
        }
        Ok(rev)
    }
}

fn summarize(e: &Event<u32>) -> ModelEvent {
    (e.revision, e.kind, e.kv.key.to_string(), e.kv.value, e.prev_kv.as_ref().map(|p| (p.value, p.mod_revision)))
}

const KEYS: [&str; 8] = [
    "/registry/pods/default/a",
    "/registry/pods/default/b",
    "/registry/pods/default2/a",
    "/registry/pods/kube-system/a",
    "/registry/pods/default/c",
    "/registry/services/default/a",
    "/registry/pods/default",
    "/registry/pods/default/b2",
];

const PREFIXES: [&str; 6] =
    ["", "/registry/", "/registry/pods/", "/registry/pods/default/", "/registry/pods/default2/", "/registry/nodes/"];

fn check_reads(store: &Store<u32>, model: &Model, rng: &mut Rng) {
    assert_eq!(store.revision(), model.revision);
    assert_eq!(store.compact_revision(), model.compacted);
    assert_eq!(store.len(), model.kvs.len());
    assert_eq!(store.history_len(), model.log.len());
    for key in KEYS {
        let got = store.get(key).map(|kv| (kv.value, kv.create_revision, kv.mod_revision, kv.version));
        assert_eq!(got, model.kvs.get(key).copied(), "get {key}");
    }
    let prefix = PREFIXES[rng.below(PREFIXES.len() as u64) as usize];
    let expected: Vec<&str> = model.kvs.keys().filter(|k| k.starts_with(prefix)).map(String::as_str).collect();
    let got: Vec<&str> = store.range(prefix).map(|kv| &*kv.key).collect();
    assert_eq!(got, expected, "range {prefix:?}");
    assert_eq!(store.count(prefix), expected.len());

    // Paginate with a random page size and check the pages add up to the range.
    let limit = 1 + rng.below(3) as usize;
    let mut paged: Vec<String> = Vec::new();
    loop {
        let page = store.range_from(prefix, paged.last().map(String::as_str), limit);
        paged.extend(page.kvs.iter().map(|kv| kv.key.to_string()));
        if !page.more {
            break;
        }
    }
    assert_eq!(paged, expected, "paginated {prefix:?}");

    // Watch from a random revision around the retained window.
    let from = rng.below(model.revision as u64 + 3) as i64 - 1;
    match store.events_since(prefix, from) {
        Ok(events) => {
            assert!(from >= model.compacted, "watch from {from} should be too old");
            let got: Vec<ModelEvent> = events.map(summarize).collect();
            let expected: Vec<ModelEvent> =
                model.log.iter().filter(|e| e.0 > from && e.2.starts_with(prefix)).cloned().collect();
            assert_eq!(got, expected, "events_since({prefix:?}, {from})");
        }
        Err(err) => {
            assert!(from < model.compacted);
            assert_eq!(err, StoreError::Compacted { requested: from, oldest: model.compacted });
        }
    }
}

#[test]
fn random_operations_match_the_model() {
    for seed in 0..40u64 {
        let mut rng = Rng::derive(seed, "store-model");
        let capacity = [1usize, 5, 20, 1_000][rng.below(4) as usize];
        let mut store: Store<u32> = Store::with_history_capacity(capacity);
        let mut model = Model { kvs: BTreeMap::new(), log: Vec::new(), revision: 1, compacted: 0, capacity };
        for step in 0..400u32 {
            let key = KEYS[rng.below(KEYS.len() as u64) as usize];
            // A precondition that is right, wrong, or absent.
            let current = model.kvs.get(key).map(|kv| kv.2);
            let expected = match rng.below(3) {
                0 => None,
                1 => current,
                _ => Some(rng.below(model.revision as u64 + 2) as i64),
            };
            let before = (store.revision(), store.history_len());
            let (got, want) = match rng.below(9) {
                0..=1 => (store.create(key, step).map(|e| e.revision), model.write(key, Some(step), Some(false), None)),
                2..=4 => (
                    store.update(key, step, expected).map(|e| e.revision),
                    model.write(key, Some(step), Some(true), expected),
                ),
                5 => (Ok(store.put(key, step).revision), model.write(key, Some(step), None, None)),
                6..=7 => {
                    (store.delete(key, expected).map(|e| e.revision), model.write(key, None, Some(true), expected))
                }
                _ => {
                    let target = rng.below(model.revision as u64 + 3) as i64;
                    let target = target.min(model.revision);
                    if target > model.compacted {
                        model.log.retain(|e| e.0 > target);
                        model.compacted = target;
                    }
                    (Ok(store.compact(target)), Ok(model.compacted))
                }
            };
            assert_eq!(got, want, "seed {seed} step {step} key {key}");
            if got.is_err() {
                assert_eq!((store.revision(), store.history_len()), before);
            }
            check_reads(&store, &model, &mut rng);
        }
    }
}
