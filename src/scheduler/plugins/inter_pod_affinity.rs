//! InterPodAffinity: Filter enforces the pod's required affinity and anti-affinity and the required
//! anti-affinity of pods already running (symmetry); Score adds the weights of preferred terms both
//! ways, and existing pods' required affinity with hardPodAffinityWeight. Counts are per topology
//! domain, computed once per cycle from the cache's label classes and term groups.

use super::pod_topology_spread::count_matching;
use crate::scheduler::cache::{AffinityTerm, Cache, NodeInfo, PodInfo, TermKind};
use crate::scheduler::framework::{CycleState, MAX_NODE_SCORE, Plugin, Snapshot, Status, points};

pub const NAME: &str = "InterPodAffinity";
pub const ERR_AFFINITY: &str = "node(s) didn't match pod affinity rules";
pub const ERR_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
pub const ERR_EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";

/// Per topology key, counts per domain.
#[derive(Debug, Clone, Default)]
pub struct DomainCounts {
    pub entries: Vec<(String, Vec<i64>)>,
}

impl DomainCounts {
    fn slot(&mut self, key: &str, len: usize) -> &mut Vec<i64> {
        let pos = match self.entries.iter().position(|(k, _)| k == key) {
            Some(p) => p,
            None => {
                self.entries.push((key.to_string(), vec![0; len]));
                self.entries.len() - 1
            }
        };
        &mut self.entries[pos].1
    }

    fn value(&self, cache: &Cache, key: &str, node: usize) -> Option<i64> {
        let d = cache.domains(key)?.of(node)?;
        self.entries.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.get(d).copied())
    }
}

/// PreFilter's counts.
#[derive(Debug, Clone, Default)]
pub struct AffinityFilterState {
    /// Existing pods whose required anti-affinity selects the incoming pod.
    pub existing_anti: DomainCounts,
    /// Per incoming required affinity term: matching pods per domain.
    pub affinity: Vec<Vec<i64>>,
    pub affinity_total: i64,
    pub anti: Vec<Vec<i64>>,
}

/// PreScore's per-domain score sums.
#[derive(Debug, Clone, Default)]
pub struct AffinityScoreState {
    pub scores: DomainCounts,
}

pub struct InterPodAffinity {
    pub hard_pod_affinity_weight: i64,
}

fn term_counts(cache: &Cache, term: &AffinityTerm, fallback_ns: &str) -> Option<Vec<i64>> {
    let domains = cache.domains(&term.topology_key)?;
    let namespaces: Vec<String> = match &term.namespaces {
        Some(ns) => ns.iter().cloned().collect(),
        None => {
            let mut all: Vec<String> = cache.groups.classes.values().map(|c| c.namespace.clone()).collect();
            all.dedup();
            if all.is_empty() {
                all.push(fallback_ns.to_string());
            }
            all
        }
    };
    let mut total = vec![0; domains.len()];
    for ns in namespaces {
        // Affinity counts terminating pods too.
        let live = count_matching(cache, &ns, &term.selector, domains, &|_| true);
        for (t, c) in total.iter_mut().zip(live) {
            *t += c;
        }
        for class in cache.groups.in_namespace(&ns) {
            if class.terminating && term.selector.matches(&class.labels) {
                for (&node, &n) in &class.per_node {
                    if let Some(d) = domains.of(node) {
                        total[d] += i64::from(n);
                    }
                }
            }
        }
    }
    Some(total)
}

impl Plugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, snap: &Snapshot<'_>) -> Status {
        let cache = snap.cache;
        let existing = cache.groups.any_term(&[TermKind::RequiredAntiAffinity]);
        if pod.required_affinity.is_empty() && pod.required_anti_affinity.is_empty() && !existing {
            return Status::skip();
        }
        let mut st = AffinityFilterState::default();
        for g in cache.groups.terms.values().filter(|g| g.kind == TermKind::RequiredAntiAffinity) {
            if !g.term.matches(&pod.namespace, &pod.labels) {
                continue;
            }
            let Some(domains) = cache.domains(&g.term.topology_key) else { continue };
            let len = domains.len();
            let slot = st.existing_anti.slot(&g.term.topology_key, len);
            for (&node, &n) in &g.per_node {
                if let Some(d) = domains.of(node) {
                    slot[d] += i64::from(n);
                }
            }
        }
        for t in &pod.required_affinity {
            let c = term_counts(cache, t, &pod.namespace).unwrap_or_default();
            st.affinity_total += c.iter().sum::<i64>();
            st.affinity.push(c);
        }
        for t in &pod.required_anti_affinity {
            st.anti.push(term_counts(cache, t, &pod.namespace).unwrap_or_default());
        }
        state.affinity_filter = Some(st);
        Status::success()
    }
    fn filter(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo, snap: &Snapshot<'_>) -> Status {
        let Some(st) = &state.affinity_filter else { return Status::success() };
        let cache = snap.cache;
        let domain = |key: &str| cache.domains(key).and_then(|d| d.of(node.idx));
        // Required affinity: every term has a matching pod in the node's domain; except that the
        // first pod of a group that matches its own terms may go anywhere with the keys.
        if !pod.required_affinity.is_empty() {
            let all_present = pod
                .required_affinity
                .iter()
                .zip(&st.affinity)
                .all(|(t, c)| domain(&t.topology_key).and_then(|d| c.get(d)).is_some_and(|n| *n > 0));
            if !all_present {
                let self_match = pod.required_affinity.iter().all(|t| t.matches(&pod.namespace, &pod.labels));
                let has_keys = pod.required_affinity.iter().all(|t| node.labels.contains_key(&t.topology_key));
                if !(st.affinity_total == 0 && self_match && has_keys) {
                    return Status::unresolvable(ERR_AFFINITY);
                }
            }
        }
        for (t, c) in pod.required_anti_affinity.iter().zip(&st.anti) {
            if domain(&t.topology_key).and_then(|d| c.get(d)).is_some_and(|n| *n > 0) {
                return Status::unschedulable(ERR_ANTI_AFFINITY);
            }
        }
        for (key, _) in &st.existing_anti.entries {
            if st.existing_anti.value(cache, key, node.idx).is_some_and(|n| n > 0) {
                return Status::unschedulable(ERR_EXISTING_ANTI_AFFINITY);
            }
        }
        Status::success()
    }
    fn pre_score(&self, state: &mut CycleState, pod: &PodInfo, _: &[&NodeInfo], snap: &Snapshot<'_>) -> Status {
        let cache = snap.cache;
        let existing = cache.groups.any_term(&[
            TermKind::PreferredAffinity,
            TermKind::PreferredAntiAffinity,
            TermKind::RequiredAffinity,
        ]);
        if pod.preferred_affinity.is_empty() && pod.preferred_anti_affinity.is_empty() && !existing {
            return Status::skip();
        }
        let mut scores = DomainCounts::default();
        let own =
            pod.preferred_affinity.iter().map(|t| (t, 1)).chain(pod.preferred_anti_affinity.iter().map(|t| (t, -1)));
        for (t, sign) in own {
            let Some(counts) = term_counts(cache, t, &pod.namespace) else { continue };
            let slot = scores.slot(&t.topology_key, counts.len());
            for (s, c) in slot.iter_mut().zip(counts) {
                *s += sign * t.weight * c;
            }
        }
        for g in cache.groups.terms.values() {
            let w = match g.kind {
                TermKind::PreferredAffinity => g.term.weight,
                TermKind::PreferredAntiAffinity => -g.term.weight,
                TermKind::RequiredAffinity => self.hard_pod_affinity_weight,
                TermKind::RequiredAntiAffinity => continue,
            };
            if w == 0 || !g.term.matches(&pod.namespace, &pod.labels) {
                continue;
            }
            let Some(domains) = cache.domains(&g.term.topology_key) else { continue };
            let slot = scores.slot(&g.term.topology_key, domains.len());
            for (&node, &n) in &g.per_node {
                if let Some(d) = domains.of(node) {
                    slot[d] += w * i64::from(n);
                }
            }
        }
        state.affinity_score = Some(AffinityScoreState { scores });
        Status::success()
    }
    fn score(&self, state: &CycleState, _: &PodInfo, node: &NodeInfo, snap: &Snapshot<'_>) -> i64 {
        let Some(st) = &state.affinity_score else { return 0 };
        st.scores.entries.iter().filter_map(|(k, _)| st.scores.value(snap.cache, k, node.idx)).sum()
    }
    fn normalize(&self, _: &CycleState, scores: &mut [i64]) {
        let min = scores.iter().copied().min().unwrap_or(0);
        let max = scores.iter().copied().max().unwrap_or(0);
        for s in scores.iter_mut() {
            *s = if max > min { (MAX_NODE_SCORE as f64 * (*s - min) as f64 / (max - min) as f64) as i64 } else { 0 };
        }
    }
}
