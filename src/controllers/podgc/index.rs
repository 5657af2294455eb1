//! What the pod GC controller keeps from its pod informer's deltas, so that a pass over 150,000 pods
//! does not walk them all: the terminated pods (`isPodTerminated`) in the order `gcTerminated`
//! deletes them, and the keys of the terminating pods (a deletionTimestamp) that `gcTerminating`
//! and `gcUnscheduledTerminating` look at. Upstream lists every pod each pass and sorts; the sets
//! here give the same answers at the cost of a lookup a delta.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;

use crate::client::{Delta, object_key};
use crate::controllers::controller_utils::unix_millis;

pub fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

/// `isPodTerminated`: any phase but Pending, Running and Unknown (so Succeeded and Failed).
fn is_pod_terminated(pod: &Pod) -> bool {
    !matches!(phase(pod), "Pending" | "Running" | "Unknown")
}

/// `eviction.PodIsEvicted`: the kubelet evicted it under node pressure.
fn is_pod_evicted(pod: &Pod) -> bool {
    phase(pod) == "Failed" && pod.status.as_ref().and_then(|s| s.reason.as_deref()) == Some("Evicted")
}

/// A pod's place in `byEvictionAndCreationTimestamp`: evicted pods first (so that the terminated
/// pods a controller still counts go last), then the oldest, then by name. The key breaks the ties
/// upstream leaves open (same name and age in two namespaces), so that the order is deterministic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    not_evicted: bool,
    created_ms: i64,
    name: String,
    key: String,
}

impl Rank {
    pub fn of(key: &str, pod: &Pod) -> Rank {
        Rank {
            not_evicted: !is_pod_evicted(pod),
            created_ms: pod.metadata.creation_timestamp.as_ref().map_or(i64::MIN, unix_millis),
            name: pod.metadata.name.clone().unwrap_or_default(),
            key: key.to_string(),
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The terminated and terminating pods of the informer's cache.
#[derive(Debug, Default)]
pub struct PodIndex {
    terminated: BTreeSet<Rank>,
    ranks: BTreeMap<String, Rank>,
    terminating: BTreeSet<String>,
}

impl PodIndex {
    /// Follows one informer delta.
    pub fn apply(&mut self, delta: &Delta) {
        let key = object_key(delta.object());
        let pod = match delta {
            Delta::Deleted(_) => None,
            Delta::Added(o) | Delta::Updated { new: o, .. } => o.as_pod(),
        };
        let rank = pod.filter(|p| is_pod_terminated(p)).map(|p| Rank::of(&key, p));
        if self.ranks.get(&key) != rank.as_ref() {
            if let Some(old) = self.ranks.remove(&key) {
                self.terminated.remove(&old);
            }
            if let Some(rank) = rank {
                self.terminated.insert(rank.clone());
                self.ranks.insert(key.clone(), rank);
            }
        }
        if pod.is_some_and(|p| p.metadata.deletion_timestamp.is_some()) {
            self.terminating.insert(key);
        } else {
            self.terminating.remove(&key);
        }
    }

    pub fn terminated_count(&self) -> usize {
        self.terminated.len()
    }

    /// The keys of the first `n` terminated pods to delete.
    pub fn first_terminated(&self, n: usize) -> impl Iterator<Item = &str> {
        self.terminated.iter().take(n).map(Rank::key)
    }

    /// The keys of the pods being deleted, in key order.
    pub fn terminating(&self) -> impl Iterator<Item = &str> {
        self.terminating.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use k8s_openapi::api::core::v1::PodStatus;

    use super::*;
    use crate::api::Object;
    use crate::apiserver::strategy::timestamp;

    fn bare(name: &str, created_s: i64, phase: &str, reason: Option<&str>) -> Pod {
        let mut p = Pod::default();
        p.metadata.namespace = Some("default".into());
        p.metadata.name = Some(name.into());
        p.metadata.creation_timestamp = Some(timestamp(created_s * 1000));
        p.status =
            Some(PodStatus { phase: Some(phase.into()), reason: reason.map(str::to_string), ..Default::default() });
        p
    }

    fn pod(name: &str, created_s: i64, phase: &str, reason: Option<&str>) -> Object {
        Object::Pod(Arc::new(bare(name, created_s, phase, reason)))
    }

    fn order(index: &PodIndex) -> Vec<&str> {
        index.first_terminated(usize::MAX).collect()
    }

    #[test]
    fn terminated_pods_go_evicted_first_then_oldest_then_by_name() {
        let mut index = PodIndex::default();
        for p in [
            pod("new", 30, "Succeeded", None),
            pod("b-old", 10, "Failed", None),
            pod("a-old", 10, "Succeeded", None),
            pod("evicted", 40, "Failed", Some("Evicted")),
            pod("running", 0, "Running", None),
            pod("pending", 0, "Pending", None),
        ] {
            index.apply(&Delta::Added(p));
        }
        assert_eq!(order(&index), ["default/evicted", "default/a-old", "default/b-old", "default/new"]);
        assert_eq!(index.first_terminated(2).collect::<Vec<_>>(), ["default/evicted", "default/a-old"]);
        // A pod that finishes joins; a deleted one leaves.
        index
            .apply(&Delta::Updated { old: pod("running", 0, "Running", None), new: pod("running", 0, "Failed", None) });
        index.apply(&Delta::Deleted(pod("b-old", 10, "Failed", None)));
        assert_eq!(order(&index), ["default/evicted", "default/running", "default/a-old", "default/new"]);
        assert_eq!(index.terminated_count(), 4);
    }

    #[test]
    fn terminating_pods_are_those_with_a_deletion_timestamp() {
        let mut index = PodIndex::default();
        let live = pod("web", 0, "Running", None);
        let mut deleting = bare("web", 0, "Running", None);
        deleting.metadata.deletion_timestamp = Some(timestamp(5000));
        index.apply(&Delta::Added(live.clone()));
        assert_eq!(index.terminating().count(), 0);
        index.apply(&Delta::Updated { old: live, new: Object::Pod(Arc::new(deleting.clone())) });
        assert_eq!(index.terminating().collect::<Vec<_>>(), ["default/web"]);
        index.apply(&Delta::Deleted(Object::Pod(Arc::new(deleting))));
        assert_eq!(index.terminating().count(), 0);
    }
}
