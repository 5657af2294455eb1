//! An informer's cache: the objects it has seen, keyed `namespace/name` (so a namespace is a key range),
//! with indexes by node (pods' `spec.nodeName`), by owner uid (ownerReferences) and by label, so that
//! controllers never scan every object to answer "pods on this node" or "pods of this ReplicaSet".

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
    objects: BTreeMap<String, Object>,
    by_node: BTreeMap<String, BTreeSet<String>>,
    by_owner: BTreeMap<String, BTreeSet<String>>,
    by_label: BTreeMap<(String, String), BTreeSet<String>>,
}

impl Cache {
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
        self.by_node.get(node).into_iter().flatten().filter_map(|k| self.objects.get(k))
    }

    /// The names of the nodes that pods are bound to, in name order: the node index's keys, so that
    /// finding pods bound to a node that is gone costs one step a node, not one a pod.
    pub fn bound_nodes(&self) -> impl Iterator<Item = &str> {
        self.by_node.keys().map(String::as_str)
    }

    /// Objects with an ownerReference to `uid`.
    pub fn owned_by<'a>(&'a self, uid: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_owner.get(uid).into_iter().flatten().filter_map(|k| self.objects.get(k))
    }

    /// Objects labelled `key=value`.
    pub fn labelled<'a>(&'a self, key: &str, value: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_label
            .get(&(key.to_string(), value.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|k| self.objects.get(k))
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
        if let Some(node) = node_of(&obj) {
            self.by_node.entry(node.to_string()).or_default().insert(key.clone());
        }
        for uid in owners_of(&obj) {
            self.by_owner.entry(uid.to_string()).or_default().insert(key.clone());
        }
        for (k, v) in labels_of(&obj) {
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
        if let Some(node) = node_of(&old) {
            unindex(&mut self.by_node, node, key);
        }
        for uid in owners_of(&old) {
            unindex(&mut self.by_owner, uid, key);
        }
        for (k, v) in labels_of(&old) {
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
    fn indexes_follow_updates() {
        let mut c = Cache::default();
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
