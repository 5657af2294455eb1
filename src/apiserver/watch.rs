//! Watch fan-out, shaped like the api-server's watch cache: every committed change is offered only to
//! the watchers that can care about it. Watchers are grouped by kind, and pod watchers that select one
//! node (`spec.nodeName=<node>`, what every kubelet asks for) are indexed by that node, so delivering a
//! pod change costs the same with 5 or 5,000 kubelets watching.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::{Kind, Object};
use crate::sim::trace::ObjectRef;

/// Identifies one watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchId(pub u64);

/// `watch.EventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One notification for one watcher.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchEvent {
    pub watch: WatchId,
    pub event_type: EventType,
    pub object: Object,
    /// The write's trace reference, shared by every watcher's notification: a delivery's trace
    /// entry names the object without allocating its names again.
    pub object_ref: ObjectRef,
}

/// What a watcher selects: a kind, optionally one namespace, and a predicate over objects.
pub struct WatchFilter {
    pub kind: Kind,
    pub namespace: Option<String>,
    /// The node a pod watch is pinned to by `spec.nodeName=<node>`, used for indexing.
    pub node_name: Option<String>,
    pub predicate: Box<dyn Fn(&Object) -> bool>,
}

impl std::fmt::Debug for WatchFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchFilter")
            .field("kind", &self.kind)
            .field("namespace", &self.namespace)
            .field("node_name", &self.node_name)
            .finish_non_exhaustive()
    }
}

impl WatchFilter {
    fn matches(&self, obj: &Object) -> bool {
        if let Some(ns) = &self.namespace
            && obj.namespace() != Some(ns.as_str())
        {
            return false;
        }
        (self.predicate)(obj)
    }
}

#[derive(Debug, Default)]
struct KindWatchers {
    general: BTreeSet<WatchId>,
    by_node: BTreeMap<String, BTreeSet<WatchId>>,
}

/// All open watches.
#[derive(Debug, Default)]
pub struct WatchHub {
    next_id: u64,
    filters: BTreeMap<WatchId, WatchFilter>,
    by_kind: BTreeMap<Kind, KindWatchers>,
    /// The candidates of the write being fanned out, kept so that a write allocates no list.
    scratch: Vec<WatchId>,
}

fn node_of(obj: &Object) -> Option<&str> {
    obj.as_pod().and_then(|p| p.spec.as_ref()).and_then(|s| s.node_name.as_deref())
}

impl WatchHub {
    pub fn open(&mut self, filter: WatchFilter) -> WatchId {
        self.next_id += 1;
        let id = WatchId(self.next_id);
        let entry = self.by_kind.entry(filter.kind).or_default();
        match &filter.node_name {
            Some(node) if filter.kind == Kind::Pod => {
                entry.by_node.entry(node.clone()).or_default().insert(id);
            }
            _ => {
                entry.general.insert(id);
            }
        }
        self.filters.insert(id, filter);
        id
    }

    pub fn close(&mut self, id: WatchId) {
        let Some(filter) = self.filters.remove(&id) else { return };
        if let Some(entry) = self.by_kind.get_mut(&filter.kind) {
            entry.general.remove(&id);
            if let Some(node) = &filter.node_name
                && let Some(set) = entry.by_node.get_mut(node)
            {
                set.remove(&id);
                if set.is_empty() {
                    entry.by_node.remove(node);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.filters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// Whether the watch `id` selects `obj` (used to replay history to a new watch).
    pub fn selects(&self, id: WatchId, obj: &Object) -> bool {
        self.filters.get(&id).is_some_and(|f| f.matches(obj))
    }

    /// The notifications a change from `old` to `new` produces (a create has no `old`, a delete no
    /// `new`), in watch order. An update that moves an object into a watcher's selection is ADDED for
    /// it, one that moves it out is DELETED, as the watch cache reports them.
    pub fn notify(
        &mut self,
        old: Option<&Object>,
        new: Option<&Object>,
        object_ref: &ObjectRef,
        out: &mut Vec<WatchEvent>,
    ) {
        let Some(kind) = new.or(old).map(Object::kind) else { return };
        let Some(watchers) = self.by_kind.get(&kind) else { return };
        let candidates = &mut self.scratch;
        candidates.clear();
        candidates.extend(watchers.general.iter().copied());
        if !watchers.by_node.is_empty() {
            let (was, is) = (old.and_then(node_of), new.and_then(node_of));
            // The node the object left, then the one it moved to (if another).
            let moved_to = was.zip(is).filter(|(a, b)| a != b).map(|(_, b)| b);
            for node in was.or(is).into_iter().chain(moved_to) {
                if let Some(ids) = watchers.by_node.get(node) {
                    candidates.extend(ids.iter().copied());
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
        }
        for &id in candidates.iter() {
            let Some(filter) = self.filters.get(&id) else { continue };
            let was = old.is_some_and(|o| filter.matches(o));
            let is = new.is_some_and(|n| filter.matches(n));
            let (event_type, object) = match (was, is, new, old) {
                (true, true, Some(n), _) => (EventType::Modified, n),
                (false, true, Some(n), _) => (EventType::Added, n),
                // Leaving the selection is reported with the latest state of the object.
                (true, false, Some(n), _) => (EventType::Deleted, n),
                (true, false, None, Some(o)) => (EventType::Deleted, o),
                _ => continue,
            };
            out.push(WatchEvent { watch: id, event_type, object: object.clone(), object_ref: object_ref.clone() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn pod(name: &str, node: Option<&str>) -> Object {
        let mut p = k8s_openapi::api::core::v1::Pod::default();
        p.metadata.name = Some(name.into());
        p.metadata.namespace = Some("default".into());
        p.spec = Some(k8s_openapi::api::core::v1::PodSpec { node_name: node.map(Into::into), ..Default::default() });
        Object::Pod(Arc::new(p))
    }

    fn node_watch(hub: &mut WatchHub, node: &str) -> WatchId {
        let n = node.to_string();
        hub.open(WatchFilter {
            kind: Kind::Pod,
            namespace: None,
            node_name: Some(node.into()),
            predicate: Box::new(move |o| node_of(o) == Some(n.as_str())),
        })
    }

    #[test]
    fn binding_a_pod_is_added_for_its_node_only() {
        let mut hub = WatchHub::default();
        let n1 = node_watch(&mut hub, "node-01");
        let _n2 = node_watch(&mut hub, "node-02");
        let all =
            hub.open(WatchFilter { kind: Kind::Pod, namespace: None, node_name: None, predicate: Box::new(|_| true) });
        let mut out = Vec::new();
        hub.notify(Some(&pod("a", None)), Some(&pod("a", Some("node-01"))), &ObjectRef::default(), &mut out);
        let seen: Vec<(WatchId, EventType)> = out.iter().map(|e| (e.watch, e.event_type)).collect();
        assert_eq!(seen, vec![(n1, EventType::Added), (all, EventType::Modified)]);
        out.clear();
        hub.notify(Some(&pod("a", Some("node-01"))), None, &ObjectRef::default(), &mut out);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|e| e.event_type == EventType::Deleted));
        hub.close(n1);
        out.clear();
        hub.notify(None, Some(&pod("b", Some("node-01"))), &ObjectRef::default(), &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn namespace_filter_applies() {
        let mut hub = WatchHub::default();
        hub.open(WatchFilter {
            kind: Kind::Pod,
            namespace: Some("kube-system".into()),
            node_name: None,
            predicate: Box::new(|_| true),
        });
        let mut out = Vec::new();
        hub.notify(None, Some(&pod("a", None)), &ObjectRef::default(), &mut out);
        assert!(out.is_empty());
    }
}
