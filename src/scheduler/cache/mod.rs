//! The scheduler's cache (upstream's `internal/cache` plus its snapshot): node infos fed by the node
//! and pod informers, pods assumed between a bind and the watch event that confirms it, and the
//! aggregate indexes that keep a cycle independent of the number of pods: how many nodes hold each
//! image, pods grouped by (namespace, labels) per node, affinity terms of existing pods grouped per
//! node, and topology domains per label key.

pub mod groups;
pub mod node_info;
pub mod pod_info;
pub mod resource;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Node;

pub use groups::{DomainIndex, LabelClass, TermGroup, TermKind};
pub use node_info::NodeInfo;
pub use pod_info::{AffinityTerm, PodInfo};
pub use resource::Resource;

/// The scheduler's cache.
#[derive(Debug, Default)]
pub struct Cache {
    /// Node slab: a removed node leaves `None`, so indexes stay stable.
    slots: Vec<Option<NodeInfo>>,
    by_name: BTreeMap<String, usize>,
    /// Real nodes (with a Node object) in scheduling order: zones interleaved, names sorted in each.
    order: Vec<usize>,
    order_dirty: bool,
    /// Node names by slot, shared with the cycles' explanations (which name nodes by index, so
    /// that a cycle examining 500 nodes copies no names); rebuilt when a slot appears or goes.
    names: Arc<[Arc<str>]>,
    /// Pod key → node index, for every pod the cache holds (bound or assumed).
    pod_nodes: BTreeMap<String, usize>,
    assumed: BTreeSet<String>,
    /// Image name → number of nodes holding it.
    image_nodes: BTreeMap<String, usize>,
    pub groups: groups::Groups,
    domains: BTreeMap<String, DomainIndex>,
    /// Node name → pods nominated to it (by preemption).
    nominated: BTreeMap<String, BTreeMap<String, Arc<PodInfo>>>,
    nominated_of: BTreeMap<String, String>,
}

impl Cache {
    fn slot_for(&mut self, name: &str) -> usize {
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        let i = self.slots.len();
        self.slots.push(Some(NodeInfo::new(i, name)));
        self.by_name.insert(name.to_string(), i);
        self.order_dirty = true;
        i
    }

    /// Adds or updates a node.
    pub fn upsert_node(&mut self, node: Arc<Node>) {
        let name = node.metadata.name.clone().unwrap_or_default();
        let i = self.slot_for(&name);
        let Some(info) = self.slots.get_mut(i).and_then(Option::as_mut) else { return };
        let had = info.node.is_some();
        let old_labels = std::mem::take(&mut info.labels);
        for img in info.images.keys() {
            if let Some(c) = self.image_nodes.get_mut(img) {
                *c = c.saturating_sub(1);
            }
        }
        info.set_node(node);
        for img in info.images.keys() {
            *self.image_nodes.entry(img.clone()).or_insert(0) += 1;
        }
        if !had || old_labels != info.labels {
            self.order_dirty = true;
            self.domains.clear();
        }
    }

    /// Removes a node (its pods stay until their own deletions arrive, as upstream keeps a ghost).
    pub fn remove_node(&mut self, name: &str) {
        let Some(&i) = self.by_name.get(name) else { return };
        let Some(info) = self.slots.get_mut(i).and_then(Option::as_mut) else { return };
        for img in info.images.keys() {
            if let Some(c) = self.image_nodes.get_mut(img) {
                *c = c.saturating_sub(1);
            }
        }
        if info.pods.is_empty() {
            self.slots[i] = None;
            self.by_name.remove(name);
        } else {
            info.node = None;
            info.images.clear();
        }
        self.order_dirty = true;
        self.domains.clear();
    }

    /// Nodes in scheduling order (only nodes with a Node object).
    pub fn order(&mut self) -> &[usize] {
        if self.order_dirty {
            self.rebuild_order();
        }
        &self.order
    }

    /// The order as last built by `order` (which a cycle calls first), without copying it.
    pub fn built_order(&self) -> &[usize] {
        &self.order
    }

    fn rebuild_order(&mut self) {
        // Upstream's node tree: nodes grouped by zone, zones taken round-robin, so that sampling a
        // prefix of the list spreads over zones.
        let mut zones: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (name, &i) in &self.by_name {
            let Some(info) = self.slots.get(i).and_then(Option::as_ref) else { continue };
            if info.node.is_none() {
                continue;
            }
            let zone = groups::zone_key(&info.labels);
            let _ = name;
            zones.entry(zone).or_default().push(i);
        }
        let mut order = Vec::with_capacity(self.by_name.len());
        let lists: Vec<Vec<usize>> = zones.into_values().collect();
        let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
        for k in 0..longest {
            for l in &lists {
                if let Some(&i) = l.get(k) {
                    order.push(i);
                }
            }
        }
        self.order = order;
        self.order_dirty = false;
        self.names =
            self.slots.iter().map(|s| s.as_ref().map(|n| n.name.clone()).unwrap_or_else(|| "".into())).collect();
    }

    /// Node names by index, as of the last `order`.
    pub fn names(&self) -> Arc<[Arc<str>]> {
        self.names.clone()
    }

    pub fn num_nodes(&mut self) -> usize {
        self.order().len()
    }

    pub fn node(&self, idx: usize) -> Option<&NodeInfo> {
        self.slots.get(idx).and_then(Option::as_ref)
    }

    pub fn node_by_name(&self, name: &str) -> Option<&NodeInfo> {
        self.by_name.get(name).and_then(|&i| self.node(i))
    }

    /// Every real node, in slab order.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeInfo> {
        self.slots.iter().flatten().filter(|n| n.node.is_some())
    }

    pub fn image_node_count(&self, image: &str) -> usize {
        self.image_nodes.get(image).copied().unwrap_or(0)
    }

    /// Adds a bound (or assumed) pod to its node.
    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        let Some(node) = pod.node_name.clone() else { return };
        self.remove_pod(&pod.key);
        let i = self.slot_for(&node);
        if let Some(info) = self.slots.get_mut(i).and_then(Option::as_mut) {
            self.groups.add(&pod, i);
            info.add_pod(pod.clone());
            self.pod_nodes.insert(pod.key.clone(), i);
        }
    }

    /// Removes a pod from its node.
    pub fn remove_pod(&mut self, key: &str) -> Option<Arc<PodInfo>> {
        self.assumed.remove(key);
        let i = self.pod_nodes.remove(key)?;
        let info = self.slots.get_mut(i).and_then(Option::as_mut)?;
        let pod = info.remove_pod(key)?;
        self.groups.remove(&pod, i);
        if info.node.is_none() && info.pods.is_empty() {
            let name = info.name.to_string();
            self.slots[i] = None;
            self.by_name.remove(&name);
        }
        Some(pod)
    }

    pub fn has_pod(&self, key: &str) -> bool {
        self.pod_nodes.contains_key(key)
    }

    /// Places a pod on `node` before its binding is confirmed (`AssumePod`).
    pub fn assume(&mut self, pod: &PodInfo, node: &str) {
        let mut p = pod.clone();
        p.node_name = Some(node.to_string());
        let key = p.key.clone();
        self.add_pod(Arc::new(p));
        self.assumed.insert(key);
    }

    /// Undoes an assumption whose binding failed (`ForgetPod`).
    pub fn forget(&mut self, key: &str) {
        if self.assumed.contains(key) {
            self.remove_pod(key);
        }
    }

    pub fn is_assumed(&self, key: &str) -> bool {
        self.assumed.contains(key)
    }

    /// The topology domains of label `key`, computed on first use after nodes changed.
    pub fn ensure_domains(&mut self, key: &str) {
        if self.domains.contains_key(key) {
            return;
        }
        let index = DomainIndex::build(key, &self.slots);
        self.domains.insert(key.to_string(), index);
    }

    pub fn domains(&self, key: &str) -> Option<&DomainIndex> {
        self.domains.get(key)
    }

    /// Records that `pod` is nominated to `node` (or clears it with `None`).
    pub fn nominate(&mut self, pod: &Arc<PodInfo>, node: Option<&str>) {
        if let Some(old) = self.nominated_of.remove(&pod.key)
            && let Some(m) = self.nominated.get_mut(&old)
        {
            m.remove(&pod.key);
            if m.is_empty() {
                self.nominated.remove(&old);
            }
        }
        if let Some(node) = node {
            self.nominated.entry(node.to_string()).or_default().insert(pod.key.clone(), pod.clone());
            self.nominated_of.insert(pod.key.clone(), node.to_string());
        }
    }

    /// Pods nominated to `node`.
    pub fn nominated_on(&self, node: &str) -> impl Iterator<Item = &Arc<PodInfo>> {
        self.nominated.get(node).into_iter().flat_map(|m| m.values())
    }

    /// Whether any pod is nominated anywhere: usually not, and then Filter, which asks per
    /// examined node, looks no name up.
    pub fn has_nominations(&self) -> bool {
        !self.nominated.is_empty()
    }
}
