//! The api-server: the only door to the store. Each request is authenticated (the caller's identity),
//! authorized (RBAC), admitted (mutating then validating admission), validated per kind, written to the
//! etcd-like store with optimistic concurrency, and fanned out to watchers. Every stage is a trace
//! entry. A request that fails at any stage changes nothing.

mod access_review;
pub mod admission;
pub mod allocator;
mod binding;
mod create;
mod delete;
pub mod errors;
mod eviction;
pub mod field;
pub mod fieldselect;
pub mod identity;
pub mod keys;
pub mod patch;
pub mod rbac;
mod read;
pub mod strategy;
mod update;
pub mod watch;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use delete::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};
pub use errors::{ApiError, Reason};
pub use identity::Identity;
pub use watch::{EventType, WatchEvent, WatchId};

use crate::api::fields::FieldSelector;
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef, Trace};
use crate::sim::{Clock, Rng, Time};
use crate::store::{Store, StoreError};
use watch::WatchHub;

/// Options of a list or watch.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub label_selector: Option<Selector>,
    pub field_selector: Option<FieldSelector>,
}

/// The result of a list: the items and the revision they were read at.
#[derive(Debug, Clone)]
pub struct ObjectList {
    pub items: Vec<Object>,
    pub resource_version: i64,
}

/// `metav1.DeletionPropagation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

/// Options of a delete.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    pub propagation: Option<Propagation>,
    pub dry_run: bool,
}

/// Options of a write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub dry_run: bool,
}

/// Options of a patch.
#[derive(Debug, Clone, Default)]
pub struct PatchOptions {
    /// Patch the `/status` subresource instead of the main resource.
    pub status: bool,
    pub dry_run: bool,
}

/// What a delete did.
#[derive(Debug, Clone, PartialEq)]
pub enum Deleted {
    /// The object is gone.
    Gone(Object),
    /// The object is terminating: it has a deletionTimestamp and waits for its grace period or
    /// finalizers.
    Terminating(Object),
}

impl Deleted {
    pub fn object(&self) -> &Object {
        match self {
            Deleted::Gone(o) | Deleted::Terminating(o) => o,
        }
    }
}

/// The simulated kube-apiserver with its store.
pub struct ApiServer {
    store: Store<Object>,
    /// Store keys of pods by `spec.nodeName`, as the watch cache indexes them, so a kubelet's list of
    /// its own pods does not scan every pod.
    pods_by_node: BTreeMap<String, BTreeSet<Arc<str>>>,
    /// Cluster IPs and node ports held by Services.
    services: allocator::ServiceAllocators,
    watches: WatchHub,
    pending: Vec<WatchEvent>,
    clock: Clock,
    rng: Rng,
    trace: Trace,
    root: u64,
}

impl std::fmt::Debug for ApiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiServer")
            .field("revision", &self.store.revision())
            .field("watches", &self.watches.len())
            .finish_non_exhaustive()
    }
}

impl ApiServer {
    pub fn new(seed: u64, clock: Clock) -> Self {
        ApiServer {
            store: Store::new(),
            pods_by_node: BTreeMap::new(),
            services: allocator::ServiceAllocators::default(),
            watches: WatchHub::default(),
            pending: Vec::new(),
            clock,
            rng: Rng::derive(seed, "kube-apiserver"),
            trace: Trace::default(),
            root: 0,
        }
    }

    pub fn now(&self) -> Time {
        self.clock.now()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Moves the api-server's view of time forward (the cluster owns time; this mirrors it).
    pub fn set_now(&mut self, t: Time) {
        self.clock.advance_to(t);
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.trace
    }

    /// The user command whose consequences are being computed; entries recorded from now on descend
    /// from it (0 starts a new chain at the next entry).
    pub fn set_root(&mut self, root: u64) {
        self.root = root;
    }

    pub fn root(&self) -> u64 {
        self.root
    }

    pub fn revision(&self) -> i64 {
        self.store.revision()
    }

    /// Watch notifications produced since the last call, in commit order.
    pub fn take_events(&mut self) -> Vec<WatchEvent> {
        std::mem::take(&mut self.pending)
    }

    /// Records an entry at the current instant under the current chain, starting a chain if none is
    /// current; returns its `seq`.
    pub fn record(&mut self, mut entry: Entry) -> u64 {
        entry.t = self.clock.now();
        entry.root = self.root;
        let seq = self.trace.record(entry);
        if self.root == 0 {
            self.root = seq;
        }
        seq
    }

    fn object_ref(kind: Kind, namespace: Option<&str>, name: &str) -> ObjectRef {
        ObjectRef::new(kind.as_str(), namespace.unwrap_or(""), name)
    }

    /// The request and its authorization, as the first trace entries of a call.
    fn begin(
        &mut self,
        who: &Identity,
        verb: &'static str,
        kind: Kind,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<ObjectRef, ApiError> {
        let obj = Self::object_ref(kind, namespace, name);
        self.record(Entry::new(who.component.clone(), Component::ApiServer, EntryKind::Request, verb, obj.clone()));
        let decision = rbac::authorize(&self.store, who, verb, kind, namespace.filter(|_| kind.namespaced()), name);
        if let Err(why) = decision {
            let err = ApiError::forbidden(kind, name, &why);
            self.finish_err(who, verb, &obj, &err);
            return Err(err);
        }
        Ok(obj)
    }

    fn finish_err(&mut self, who: &Identity, verb: &'static str, obj: &ObjectRef, err: &ApiError) {
        self.record(
            Entry::new(Component::ApiServer, who.component.clone(), EntryKind::Response, verb, obj.clone())
                .note(format!("{} {}", err.code(), err.message)),
        );
    }

    fn finish_ok(&mut self, who: &Identity, verb: &'static str, obj: &ObjectRef, rv: i64, code: u16) {
        self.record(
            Entry::new(Component::ApiServer, who.component.clone(), EntryKind::Response, verb, obj.clone())
                .rv(rv)
                .note(match code {
                    200 => Cow::Borrowed("200"),
                    201 => Cow::Borrowed("201"),
                    other => Cow::Owned(other.to_string()),
                }),
        );
    }

    fn stage(&mut self, verb: &'static str, obj: &ObjectRef, note: impl Into<Cow<'static, str>>) {
        self.record(
            Entry::new(Component::ApiServer, Component::ApiServer, EntryKind::Stage, verb, obj.clone()).note(note),
        );
    }

    /// Writes to the store and fans the change out; `expect_rv` makes it a compare-and-swap.
    fn commit(&mut self, kind: Kind, key: &str, obj: &ObjectRef, write: Write) -> Result<Object, ApiError> {
        let next_rv = self.store.revision() + 1;
        let (result, verb) = match write {
            Write::Create(mut new) => {
                new.meta_mut().resource_version = Some(next_rv.to_string());
                (self.store.create(key, new), "put")
            }
            Write::Update { mut new, expect_rv } => {
                new.meta_mut().resource_version = Some(next_rv.to_string());
                (self.store.update(key, new, Some(expect_rv)), "put")
            }
            Write::Delete { expect_rv } => (self.store.delete(key, Some(expect_rv)), "delete"),
        };
        let name = obj.name.clone();
        // The previous value comes with the event, as etcd's prev_kv: no second read of the key.
        let (revision, value, old, stored_key) = match result {
            Ok(event) => (
                event.revision,
                event.kv.value.clone(),
                event.prev_kv.as_ref().map(|kv| kv.value.clone()),
                event.kv.key.clone(),
            ),
            Err(e) => {
                return Err(match e {
                    StoreError::KeyExists => ApiError::already_exists(kind, &name),
                    StoreError::NotFound => ApiError::not_found(kind, &name),
                    StoreError::Conflict { .. } => ApiError::conflict(kind, &name),
                    other => ApiError::internal(other.to_string()),
                });
            }
        };
        // The etcd key is derivable from the object reference, so it is not copied into the entry.
        self.record(
            Entry::new(Component::ApiServer, Component::Etcd, EntryKind::Storage, verb, obj.clone()).rv(revision),
        );
        let new = (verb != "delete").then(|| value.clone());
        self.index_pod(&stored_key, old.as_ref(), new.as_ref());
        if let (None, Some(Object::Service(gone))) = (&new, &old) {
            self.services.release(gone);
        }
        self.watches.notify(old.as_ref(), new.as_ref(), obj, &mut self.pending);
        Ok(value)
    }
}

impl ApiServer {
    /// Keeps `pods_by_node` in step with a write; `key` is the store's own, shared with the index.
    fn index_pod(&mut self, key: &Arc<str>, old: Option<&Object>, new: Option<&Object>) {
        fn node(o: Option<&Object>) -> Option<&str> {
            o.and_then(Object::as_pod).and_then(|p| p.spec.as_ref()).and_then(|s| s.node_name.as_deref())
        }
        let (was, is) = (node(old).filter(|n| !n.is_empty()), node(new).filter(|n| !n.is_empty()));
        if was == is {
            return;
        }
        if let Some(n) = was
            && let Some(set) = self.pods_by_node.get_mut(n)
        {
            set.remove(key);
            if set.is_empty() {
                self.pods_by_node.remove(n);
            }
        }
        if let Some(n) = is {
            match self.pods_by_node.get_mut(n) {
                Some(set) => set.insert(key.clone()),
                None => self.pods_by_node.entry(n.to_string()).or_default().insert(key.clone()),
            };
        }
    }

    /// The pods bound to `node`, from the index (no request, no trace entry).
    pub fn pods_on_node<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.pods_by_node.get(node).into_iter().flatten().filter_map(|k| self.store.get(k)).map(|kv| &kv.value)
    }
}

/// A write to commit.
enum Write {
    Create(Object),
    Update { new: Object, expect_rv: i64 },
    Delete { expect_rv: i64 },
}
