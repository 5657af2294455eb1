//! An informer's cache: the objects it has seen, keyed `namespace/name` (so a namespace is a key range),
//! with an index by owner uid (ownerReferences) and, for the informers that ask, by node (pods'
//! `spec.nodeName`) and by label, so that controllers never scan every object to answer "pods on
//! this node" or "pods of this ReplicaSet". Like client-go's indexers, an index is kept only where
//! it is used: with 150,000 pods in a dozen pod caches, every unused index costs megabytes. A cache
//! asked what an index it lacks would answer scans its objects instead.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::Object;

/// `namespace/name` (or `name` for cluster-scoped objects), client-go's MetaNamespaceKeyFunc.
pub fn object_key(obj: &Object) -> String {
    // Built by hand: every watch delivery to every informer makes one, and `format!` was a tenth of
    // an idle cluster's time.
    match obj.namespace() {
        Some(ns) if !ns.is_empty() => {
            let name = obj.name();
            let mut key = String::with_capacity(ns.len() + 1 + name.len());
            key.push_str(ns);
            key.push('/');
            key.push_str(name);
            key
        }
        _ => obj.name().to_string(),
    }
}

fn node_of(obj: &Object) -> Option<&str> {
    obj.as_pod().and_then(|p| p.spec.as_ref()).and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty())
}

fn owners_of(obj: &Object) -> impl Iterator<Item = &str> {
    obj.meta().owner_references.iter().flatten().map(|r| r.uid.as_str())
}

fn labels_of(obj: &Object) -> impl Iterator<Item = (&String, &String)> {
    obj.meta().labels.iter().flatten()
}

/// A cache with indexes.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    index_nodes: bool,
    index_labels: bool,
    objects: BTreeMap<String, Object>,
    by_node: BTreeMap<String, BTreeSet<String>>,
    by_owner: BTreeMap<String, BTreeSet<String>>,
    by_label: BTreeMap<(String, String), BTreeSet<String>>,
}

impl Cache {
    /// Keeps the index by node: `on_node` and `bound_nodes` look up instead of scanning.
    pub fn with_node_index(mut self) -> Self {
        self.index_nodes = true;
        self
    }

    /// Keeps the index by label: `labelled` looks up instead of scanning.
    pub fn with_label_index(mut self) -> Self {
        self.index_labels = true;
        self
    }

    pub fn get(&self, key: &str) -> Option<&Object> {
        self.objects.get(key)
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Every object, in key order.
    pub fn iter(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }

    /// Every (key, object), in key order: callers holding other maps in the same order walk them
    /// side by side instead of looking each key up.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Object)> {
        self.objects.iter().map(|(k, o)| (k.as_str(), o))
    }

    /// The objects of one namespace, in name order.
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Object> + 'a {
        let start = format!("{namespace}/");
        let end = format!("{namespace}0"); // '0' is the byte after '/'.
        self.objects.range(start..end).map(|(_, o)| o)
    }

    /// Pods bound to `node`.
    pub fn on_node<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a Object> + 'a {
        let indexed = self.by_node.get(node).into_iter().flatten().filter_map(|k| self.objects.get(k));
        let node = node.to_string();
        let scanned = self.scan(!self.index_nodes).filter(move |o| node_of(o) == Some(node.as_str()));
        indexed.chain(scanned)
    }

    /// The names of the nodes that pods are bound to, in name order: the node index's keys, so that
    /// finding pods bound to a node that is gone costs one step a node, not one a pod.
    pub fn bound_nodes(&self) -> impl Iterator<Item = &str> {
        let scanned: BTreeSet<&str> = self.scan(!self.index_nodes).filter_map(node_of).collect();
        self.by_node.keys().map(String::as_str).chain(scanned)
    }

    /// Objects with an ownerReference to `uid`.
    pub fn owned_by<'a>(&'a self, uid: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_owner.get(uid).into_iter().flatten().filter_map(|k| self.objects.get(k))
    }

    /// Objects labelled `key=value`.
    pub fn labelled<'a>(&'a self, key: &str, value: &str) -> impl Iterator<Item = &'a Object> + 'a {
        let label = (key.to_string(), value.to_string());
        let indexed = self.by_label.get(&label).into_iter().flatten().filter_map(|k| self.objects.get(k));
        let scanned = self
            .scan(!self.index_labels)
            .filter(move |o| o.meta().labels.as_ref().and_then(|l| l.get(&label.0)).is_some_and(|v| *v == label.1));
        indexed.chain(scanned)
    }

    /// Every object when `scan`, else none: the answer of a cache without the index asked for.
    fn scan(&self, scan: bool) -> impl Iterator<Item = &Object> {
        self.objects.values().take(if scan { usize::MAX } else { 0 })
    }

    /// Stores `obj`, returning what it replaced. Most updates (status, heartbeats) leave the indexed
    /// fields alone; those replace the object in place without touching the indexes.
    pub fn upsert(&mut self, obj: Object) -> Option<Object> {
        let key = object_key(&obj);
        if let Some(current) = self.objects.get_mut(&key)
            && node_of(current) == node_of(&obj)
            && owners_of(current).eq(owners_of(&obj))
            && current.meta().labels == obj.meta().labels
        {
            return Some(std::mem::replace(current, obj));
        }
        let old = self.remove(&key);
        if let Some(node) = node_of(&obj).filter(|_| self.index_nodes) {
            self.by_node.entry(node.to_string()).or_default().insert(key.clone());
        }
        for uid in owners_of(&obj) {
            self.by_owner.entry(uid.to_string()).or_default().insert(key.clone());
        }
        for (k, v) in labels_of(&obj).filter(|_| self.index_labels) {
            self.by_label.entry((k.clone(), v.clone())).or_default().insert(key.clone());
        }
        self.objects.insert(key, obj);
        old
    }

    /// Removes the object at `key`.
    pub fn remove(&mut self, key: &str) -> Option<Object> {
        let old = self.objects.remove(key)?;
        fn unindex<K: Ord + std::borrow::Borrow<Q>, Q: Ord + ?Sized>(
            map: &mut BTreeMap<K, BTreeSet<String>>,
            k: &Q,
            key: &str,
        ) {
            if let Some(set) = map.get_mut(k) {
                set.remove(key);
                if set.is_empty() {
                    map.remove(k);
                }
            }
        }
        if let Some(node) = node_of(&old).filter(|_| self.index_nodes) {
            unindex(&mut self.by_node, node, key);
        }
        for uid in owners_of(&old) {
            unindex(&mut self.by_owner, uid, key);
        }
        for (k, v) in labels_of(&old).filter(|_| self.index_labels) {
            unindex(&mut self.by_label, &(k.clone(), v.clone()), key);
        }
        Some(old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Pod, PodSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use std::sync::Arc;

    fn pod(ns: &str, name: &str, node: &str, owner: &str) -> Object {
        let mut p = Pod::default();
        p.metadata.namespace = Some(ns.into());
        p.metadata.name = Some(name.into());
        p.metadata.labels = Some([("app".to_string(), "web".to_string())].into());
        p.metadata.owner_references = Some(vec![OwnerReference { uid: owner.into(), ..Default::default() }]);
        p.spec = Some(PodSpec { node_name: Some(node.into()), ..Default::default() });
        Object::Pod(Arc::new(p))
    }

    #[test]
    fn an_unindexed_cache_answers_as_an_indexed_one() {
        let mut indexed = Cache::default().with_node_index().with_label_index();
        let mut plain = Cache::default();
        for c in [&mut indexed, &mut plain] {
            c.upsert(pod("default", "a", "node-01", "rs1"));
            c.upsert(pod("default", "b", "node-02", "rs1"));
            c.upsert(pod("default", "a", "node-03", "rs1"));
        }
        let names = |it: &mut dyn Iterator<Item = &Object>| it.map(|o| o.name().to_string()).collect::<Vec<_>>();
        for node in ["node-01", "node-02", "node-03"] {
            assert_eq!(names(&mut indexed.on_node(node)), names(&mut plain.on_node(node)));
        }
        assert_eq!(indexed.bound_nodes().collect::<Vec<_>>(), plain.bound_nodes().collect::<Vec<_>>());
        assert_eq!(names(&mut indexed.labelled("app", "web")), names(&mut plain.labelled("app", "web")));
        assert_eq!(plain.bound_nodes().collect::<Vec<_>>(), ["node-02", "node-03"]);
    }

    #[test]
    fn indexes_follow_updates() {
        let mut c = Cache::default().with_node_index().with_label_index();
        c.upsert(pod("default", "a", "node-01", "rs1"));
        c.upsert(pod("default", "b", "node-02", "rs1"));
        c.upsert(pod("default2", "c", "node-01", "rs2"));
        assert_eq!(c.on_node("node-01").count(), 2);
        assert_eq!(c.bound_nodes().collect::<Vec<_>>(), ["node-01", "node-02"]);
        assert_eq!(c.owned_by("rs1").count(), 2);
        assert_eq!(c.in_namespace("default").count(), 2);
        assert_eq!(c.labelled("app", "web").count(), 3);
        c.upsert(pod("default", "a", "node-03", "rs1"));
        assert_eq!(c.on_node("node-01").count(), 1);
        assert_eq!(c.on_node("node-03").count(), 1);
        c.remove("default/b");
        assert_eq!(c.bound_nodes().collect::<Vec<_>>(), ["node-01", "node-03"]);
        assert_eq!(c.owned_by("rs1").count(), 1);
        assert_eq!(c.len(), 2);
    }
}
