//! Aggregates that make inter-pod affinity and topology spread cost per *distinct* pod shape rather
//! than per pod: pods grouped by (namespace, labels, terminating) with a count per node, the
//! affinity terms of existing pods grouped by term with a count per node, and per label key the
//! topology domain of every node. Replicas of one workload share labels and terms, so a cycle on a
//! cluster of 150,000 pods touches a handful of groups.

use std::collections::BTreeMap;

use super::node_info::NodeInfo;
use super::pod_info::{AffinityTerm, PodInfo};

pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
pub const REGION_LABEL: &str = "topology.kubernetes.io/region";

/// The zone id upstream's node tree groups nodes by: `region:\x00:zone`.
pub fn zone_key(labels: &BTreeMap<String, String>) -> String {
    let region = labels.get(REGION_LABEL).map(String::as_str).unwrap_or("");
    let zone = labels.get(ZONE_LABEL).map(String::as_str).unwrap_or("");
    format!("{region}:\x00:{zone}")
}

/// Pods of one namespace with identical labels.
#[derive(Debug, Clone)]
pub struct LabelClass {
    /// Stable while the class exists: what `Groups::on_node` counts by.
    pub id: u32,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub terminating: bool,
    /// Node index → number of such pods on it.
    pub per_node: BTreeMap<usize, u32>,
}

/// Which of an existing pod's term lists a term comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TermKind {
    RequiredAffinity,
    RequiredAntiAffinity,
    PreferredAffinity,
    PreferredAntiAffinity,
}

/// Equal terms of existing pods.
#[derive(Debug, Clone)]
pub struct TermGroup {
    pub kind: TermKind,
    pub term: AffinityTerm,
    pub per_node: BTreeMap<usize, u32>,
}

/// The groups of the cache.
#[derive(Debug, Default)]
pub struct Groups {
    pub classes: BTreeMap<String, LabelClass>,
    pub terms: BTreeMap<(TermKind, String), TermGroup>,
    next_class: u32,
    /// Node index → (class id, pods of it there): a node holds a few classes, so "how many pods
    /// of these classes on this node" is a short scan of data the cycle already touched, where
    /// each class's own per-node map would cost a search of thousands of nodes.
    node_classes: Vec<Vec<(u32, u32)>>,
}

fn class_key(pod: &PodInfo) -> String {
    let mut k = format!("{}\x00{}", pod.namespace, u8::from(pod.terminating));
    for (a, b) in &pod.labels {
        k.push('\x00');
        k.push_str(a);
        k.push('=');
        k.push_str(b);
    }
    k
}

fn bump(map: &mut BTreeMap<usize, u32>, node: usize, up: bool) {
    if up {
        *map.entry(node).or_insert(0) += 1;
    } else if let Some(c) = map.get_mut(&node) {
        *c = c.saturating_sub(1);
        if *c == 0 {
            map.remove(&node);
        }
    }
}

impl Groups {
    fn each_term(pod: &PodInfo) -> impl Iterator<Item = (TermKind, &AffinityTerm)> {
        let r = pod.required_affinity.iter().map(|t| (TermKind::RequiredAffinity, t));
        let ra = pod.required_anti_affinity.iter().map(|t| (TermKind::RequiredAntiAffinity, t));
        let p = pod.preferred_affinity.iter().map(|t| (TermKind::PreferredAffinity, t));
        let pa = pod.preferred_anti_affinity.iter().map(|t| (TermKind::PreferredAntiAffinity, t));
        r.chain(ra).chain(p).chain(pa)
    }

    pub fn add(&mut self, pod: &PodInfo, node: usize) {
        self.change(pod, node, true);
    }

    pub fn remove(&mut self, pod: &PodInfo, node: usize) {
        self.change(pod, node, false);
    }

    fn change(&mut self, pod: &PodInfo, node: usize, up: bool) {
        let key = class_key(pod);
        let next = &mut self.next_class;
        let class = self.classes.entry(key.clone()).or_insert_with(|| LabelClass {
            id: {
                *next = next.wrapping_add(1);
                *next
            },
            namespace: pod.namespace.clone(),
            labels: pod.labels.clone(),
            terminating: pod.terminating,
            per_node: BTreeMap::new(),
        });
        bump(&mut class.per_node, node, up);
        let (id, empty) = (class.id, class.per_node.is_empty());
        if empty {
            self.classes.remove(&key);
        }
        self.bump_node_class(node, id, up);
        for (kind, term) in Self::each_term(pod) {
            let k = (kind, term.identity());
            let g = self.terms.entry(k.clone()).or_insert_with(|| TermGroup {
                kind,
                term: term.clone(),
                per_node: BTreeMap::new(),
            });
            bump(&mut g.per_node, node, up);
            if g.per_node.is_empty() {
                self.terms.remove(&k);
            }
        }
    }

    fn bump_node_class(&mut self, node: usize, id: u32, up: bool) {
        if self.node_classes.len() <= node {
            self.node_classes.resize_with(node + 1, Vec::new);
        }
        let Some(list) = self.node_classes.get_mut(node) else { return };
        match list.iter().position(|(c, _)| *c == id) {
            Some(i) if up => list[i].1 += 1,
            Some(i) => {
                list[i].1 = list[i].1.saturating_sub(1);
                if list[i].1 == 0 {
                    list.swap_remove(i);
                }
            }
            None if up => list.push((id, 1)),
            None => {}
        }
    }

    /// The classes of one namespace: class keys start with the namespace and a NUL.
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a LabelClass> + 'a {
        let prefix = format!("{namespace}\x00");
        self.classes.range(prefix.clone()..).take_while(move |(k, _)| k.starts_with(&prefix)).map(|(_, c)| c)
    }

    /// Pods of the classes `ids` on node `node`.
    pub fn on_node(&self, node: usize, ids: &[u32]) -> i64 {
        let list = self.node_classes.get(node).map(Vec::as_slice).unwrap_or_default();
        list.iter().filter(|(c, _)| ids.contains(c)).map(|(_, n)| i64::from(*n)).sum()
    }

    /// Whether any existing pod has a term of `kind`.
    pub fn any_term(&self, kinds: &[TermKind]) -> bool {
        self.terms.keys().any(|(k, _)| kinds.contains(k))
    }
}

/// The domains (distinct values) of one label key over the nodes.
#[derive(Debug, Clone, Default)]
pub struct DomainIndex {
    /// Node index → domain id, `u32::MAX` when the node lacks the label.
    of_node: Vec<u32>,
    pub names: Vec<String>,
}

impl DomainIndex {
    pub const NONE: u32 = u32::MAX;

    pub fn build(key: &str, slots: &[Option<NodeInfo>]) -> Self {
        let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
        let mut names = Vec::new();
        let mut of_node = vec![Self::NONE; slots.len()];
        for (i, slot) in slots.iter().enumerate() {
            let Some(info) = slot else { continue };
            let Some(v) = info.labels.get(key) else { continue };
            let id = *ids.entry(v.as_str()).or_insert_with(|| {
                names.push(v.clone());
                u32::try_from(names.len() - 1).unwrap_or(Self::NONE)
            });
            if let Some(s) = of_node.get_mut(i) {
                *s = id;
            }
        }
        DomainIndex { of_node, names }
    }

    /// The domain of node `idx`.
    pub fn of(&self, idx: usize) -> Option<usize> {
        self.of_node.get(idx).copied().filter(|d| *d != Self::NONE).map(|d| d as usize)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
