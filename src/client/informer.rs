//! Informers: list, then watch from the list's revision, keeping a cache current and turning each watch
//! notification into a delta for the component's handlers. A watch that fails with 410 Expired is
//! answered by a fresh list (a relist), whose differences with the cache become deltas too.

use super::cache::{Cache, object_key};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiError, ApiServer, EventType, Identity, ListOptions, Reason, WatchEvent, WatchId};

/// A change an informer observed.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    Added(Object),
    Updated { old: Object, new: Object },
    Deleted(Object),
}

impl Delta {
    /// The object as it is now (or was last, when deleted).
    pub fn object(&self) -> &Object {
        match self {
            Delta::Added(o) | Delta::Deleted(o) | Delta::Updated { new: o, .. } => o,
        }
    }
}

/// An informer over one kind, optionally one namespace and selectors.
#[derive(Debug)]
pub struct Informer {
    kind: Kind,
    namespace: Option<String>,
    options: ListOptions,
    watch: Option<WatchId>,
    revision: i64,
    cache: Cache,
}

impl Informer {
    pub fn new(kind: Kind, namespace: Option<&str>, options: ListOptions) -> Self {
        Informer {
            kind,
            namespace: namespace.map(str::to_string),
            options,
            watch: None,
            revision: 0,
            cache: Cache::default(),
        }
    }

    /// Indexes the cache by node (pods' `spec.nodeName`), for `cache().on_node`.
    pub fn index_by_node(mut self) -> Self {
        self.cache = self.cache.with_node_index();
        self
    }

    /// Indexes the cache by label, for `cache().labelled`.
    pub fn index_by_label(mut self) -> Self {
        self.cache = self.cache.with_label_index();
        self
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn watch_id(&self) -> Option<WatchId> {
        self.watch
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Lists and starts watching; the listed objects come back as deltas against the current cache
    /// (all Added on a first start).
    pub fn start(&mut self, api: &mut ApiServer, who: &Identity) -> Result<Vec<Delta>, ApiError> {
        if let Some(id) = self.watch.take() {
            api.stop_watch(id);
        }
        let list = api.list(who, self.kind, self.namespace.as_deref(), &self.options)?;
        self.revision = list.resource_version;
        let mut deltas = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for obj in list.items {
            let key = object_key(&obj);
            seen.insert(key.clone());
            match self.cache.get(&key) {
                Some(old) if old.resource_version() == obj.resource_version() => {}
                Some(old) => {
                    let old = old.clone();
                    self.cache.upsert(obj.clone());
                    deltas.push(Delta::Updated { old, new: obj });
                }
                None => {
                    self.cache.upsert(obj.clone());
                    deltas.push(Delta::Added(obj));
                }
            }
        }
        let gone: Vec<String> = self.cache.iter().map(object_key).filter(|k| !seen.contains(k)).collect();
        for key in gone {
            if let Some(old) = self.cache.remove(&key) {
                deltas.push(Delta::Deleted(old));
            }
        }
        self.watch = Some(api.watch(who, self.kind, self.namespace.as_deref(), &self.options, Some(self.revision))?);
        Ok(deltas)
    }

    /// Resumes after a pause (a stopped component): watches from the last revision seen, or relists if
    /// that history is gone.
    pub fn resume(&mut self, api: &mut ApiServer, who: &Identity) -> Result<Vec<Delta>, ApiError> {
        match api.watch(who, self.kind, self.namespace.as_deref(), &self.options, Some(self.revision)) {
            Ok(id) => {
                self.watch = Some(id);
                Ok(Vec::new())
            }
            Err(e) if e.reason == Reason::Expired => self.start(api, who),
            Err(e) => Err(e),
        }
    }

    /// Stops watching (the cache is kept, as a stopped process would keep nothing, but a restarted one
    /// relists anyway).
    pub fn stop(&mut self, api: &mut ApiServer) {
        if let Some(id) = self.watch.take() {
            api.stop_watch(id);
        }
    }

    /// Applies one notification of this informer's watch.
    pub fn handle(&mut self, event: &WatchEvent) -> Option<Delta> {
        if Some(event.watch) != self.watch {
            return None;
        }
        let obj = event.object.clone();
        self.revision = self.revision.max(obj.resource_version());
        match event.event_type {
            EventType::Added | EventType::Modified => match self.cache.upsert(obj.clone()) {
                Some(old) => Some(Delta::Updated { old, new: obj }),
                None => Some(Delta::Added(obj)),
            },
            EventType::Deleted => self.cache.remove(&object_key(&obj)).map(Delta::Deleted),
        }
    }
}
