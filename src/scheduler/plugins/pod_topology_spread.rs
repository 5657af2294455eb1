//! PodTopologySpread: Filter enforces `whenUnsatisfiable: DoNotSchedule` constraints (the skew
//! after placing the pod must not exceed maxSkew); Score prefers nodes whose domains hold fewer
//! matching pods under the `ScheduleAnyway` constraints, or, when the pod has no constraints, the
//! system defaults (hostname maxSkew 3, zone maxSkew 5) over the selector of the Services,
//! ReplicaSets and StatefulSets that select the pod. Matching pods are counted per label class
//! (see `cache::groups`), not per pod.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use super::node_affinity::pod_matches_node;
use crate::api::Object;
use crate::api::labels::Selector;
use crate::scheduler::cache::{Cache, DomainIndex, LabelClass, NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, MAX_NODE_SCORE, Plugin, Snapshot, Status, points};

pub const NAME: &str = "PodTopologySpread";
pub const ERR_CONSTRAINTS_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints";
pub const ERR_MISSING_LABEL: &str = "node(s) didn't match pod topology spread constraints (missing required label)";
pub const HOSTNAME: &str = "kubernetes.io/hostname";
pub const ZONE: &str = "topology.kubernetes.io/zone";

/// One constraint, parsed.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub max_skew: i64,
    pub topology_key: String,
    pub selector: Selector,
    pub min_domains: i64,
}

/// PreFilter's counts for the hard constraints.
#[derive(Debug, Clone, Default)]
pub struct SpreadFilterState {
    pub constraints: Vec<Constraint>,
    /// Per constraint: matching pods per domain id.
    pub counts: Vec<Vec<i64>>,
    pub min: Vec<i64>,
    pub self_match: Vec<bool>,
}

/// One soft constraint's matching pods. Upstream counts hostname domains in Score, for the
/// scored nodes only, and every other key over all nodes in PreScore: on 5,000 nodes that is the
/// difference between touching the few hundred scored nodes and touching every node per pod.
#[derive(Debug, Clone)]
pub enum SpreadCounts {
    /// Per domain id of the constraint's key.
    ByDomain(Vec<i64>),
    /// The label classes the selector matches, counted on each node as it is scored.
    ByNode(Vec<u32>),
}

/// PreScore's counts for the soft constraints.
#[derive(Debug, Clone, Default)]
pub struct SpreadScoreState {
    pub constraints: Vec<Constraint>,
    pub counts: Vec<SpreadCounts>,
    pub weights: Vec<f64>,
    /// Aligned with the feasible nodes: nodes lacking a required key score 0.
    pub ignored: Vec<bool>,
    pub node_idx: Vec<usize>,
}

pub struct PodTopologySpread;

fn constraints(pod: &PodInfo, hard: bool) -> Vec<Constraint> {
    let want = if hard { "DoNotSchedule" } else { "ScheduleAnyway" };
    pod.pod
        .spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| c.when_unsatisfiable == want)
        .map(|c| Constraint {
            max_skew: i64::from(c.max_skew),
            topology_key: c.topology_key.clone(),
            // A constraint without a selector matches no pods.
            selector: c
                .label_selector
                .as_ref()
                .and_then(|s| Selector::from_label_selector(s).ok())
                .unwrap_or_else(|| Selector::parse("!kubarium.io/never-set").unwrap_or_default()),
            min_domains: i64::from(c.min_domains.unwrap_or(1)),
        })
        .collect()
}

fn has_constraints(pod: &PodInfo) -> bool {
    pod.pod.spec.as_ref().and_then(|s| s.topology_spread_constraints.as_ref()).is_some_and(|c| !c.is_empty())
}

/// `helper.DefaultSelector`: what the Services, ReplicaSets and StatefulSets selecting the pod
/// select, ANDed; `None` when nothing selects it.
pub fn default_selector(pod: &PodInfo, snap: &Snapshot<'_>) -> Option<Selector> {
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let mut exprs: Vec<LabelSelectorRequirement> = Vec::new();
    let mut found = false;
    for svc in snap.listers.services.in_namespace(&pod.namespace) {
        let Object::Service(s) = svc else { continue };
        let Some(sel) = s.spec.as_ref().and_then(|s| s.selector.as_ref()).filter(|m| !m.is_empty()) else { continue };
        if Selector::from_set(sel).matches(&pod.labels) {
            labels.extend(sel.clone());
            found = true;
        }
    }
    let owners = snap
        .listers
        .replica_sets
        .in_namespace(&pod.namespace)
        .chain(snap.listers.stateful_sets.in_namespace(&pod.namespace));
    for o in owners {
        let sel = match o {
            Object::ReplicaSet(rs) => rs.spec.as_ref().map(|s| &s.selector),
            Object::StatefulSet(ss) => ss.spec.as_ref().map(|s| &s.selector),
            _ => None,
        };
        let Some(sel) = sel else { continue };
        let Ok(parsed) = Selector::from_label_selector(sel) else { continue };
        if parsed.is_empty() || !parsed.matches(&pod.labels) {
            continue;
        }
        found = true;
        labels.extend(sel.match_labels.clone().unwrap_or_default());
        exprs.extend(sel.match_expressions.clone().unwrap_or_default());
    }
    if !found {
        return None;
    }
    let ls = LabelSelector { match_labels: Some(labels), match_expressions: Some(exprs) };
    Selector::from_label_selector(&ls).ok()
}

/// Matching (non-terminating) pods per domain of `domains`, over nodes `eligible` admits.
pub fn count_matching(
    cache: &Cache,
    namespace: &str,
    selector: &Selector,
    domains: &DomainIndex,
    eligible: &dyn Fn(usize) -> bool,
) -> Vec<i64> {
    let mut counts = vec![0i64; domains.len()];
    for class in matching_classes(cache, namespace, selector) {
        for (&node, &n) in &class.per_node {
            if let Some(d) = domains.of(node)
                && eligible(node)
                && let Some(c) = counts.get_mut(d)
            {
                *c += i64::from(n);
            }
        }
    }
    counts
}

/// The classes of non-terminating pods in `namespace` that `selector` matches.
fn matching_classes<'a>(cache: &'a Cache, namespace: &str, selector: &'a Selector) -> Vec<&'a LabelClass> {
    cache.groups.in_namespace(namespace).filter(|c| !c.terminating && selector.matches(&c.labels)).collect()
}

/// Whether node `idx` counts for the constraints: it passes the pod's node affinity and carries
/// every key.
fn eligible(pod: &PodInfo, cache: &Cache, keys: &[&str], idx: usize) -> bool {
    cache.node(idx).is_some_and(|n| {
        n.node.is_some() && keys.iter().all(|k| n.labels.contains_key(*k)) && pod_matches_node(pod, &n.name, &n.labels)
    })
}

/// Nodes that count for the constraints: they pass the pod's node affinity and carry every key.
fn eligible_nodes(pod: &PodInfo, cache: &Cache, keys: &[&str]) -> Vec<bool> {
    let len = cache.nodes().map(|n| n.idx + 1).max().unwrap_or(0);
    (0..len).map(|i| eligible(pod, cache, keys, i)).collect()
}

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, snap: &Snapshot<'_>) -> Status {
        let cs = constraints(pod, true);
        if cs.is_empty() {
            return Status::skip();
        }
        let keys: Vec<&str> = cs.iter().map(|c| c.topology_key.as_str()).collect();
        let eligible = eligible_nodes(pod, snap.cache, &keys);
        let mut st = SpreadFilterState::default();
        for c in &cs {
            let Some(domains) = snap.cache.domains(&c.topology_key) else {
                return Status::error("topology domains not ready");
            };
            let counts = count_matching(snap.cache, &pod.namespace, &c.selector, domains, &|i| {
                eligible.get(i).copied().unwrap_or(false)
            });
            let mut present = vec![false; domains.len()];
            for n in snap.cache.nodes() {
                if eligible.get(n.idx).copied().unwrap_or(false)
                    && let Some(d) = domains.of(n.idx)
                {
                    present[d] = true;
                }
            }
            let n_present = present.iter().filter(|p| **p).count() as i64;
            let mut min = counts.iter().zip(&present).filter(|(_, p)| **p).map(|(c, _)| *c).min().unwrap_or(0);
            if n_present < c.min_domains {
                min = 0;
            }
            st.self_match.push(c.selector.matches(&pod.labels));
            st.counts.push(counts);
            st.min.push(min);
        }
        st.constraints = cs;
        state.spread_filter = Some(st);
        Status::success()
    }
    fn filter(&self, state: &CycleState, _: &PodInfo, node: &NodeInfo, snap: &Snapshot<'_>) -> Status {
        let Some(st) = &state.spread_filter else { return Status::success() };
        for (i, c) in st.constraints.iter().enumerate() {
            let Some(d) = snap.cache.domains(&c.topology_key).and_then(|d| d.of(node.idx)) else {
                return Status::unresolvable(ERR_MISSING_LABEL);
            };
            let count = st.counts.get(i).and_then(|v| v.get(d)).copied().unwrap_or(0);
            let self_match = i64::from(st.self_match.get(i).copied().unwrap_or(false));
            let min = st.min.get(i).copied().unwrap_or(0);
            if count + self_match - min > c.max_skew {
                return Status::unschedulable(ERR_CONSTRAINTS_NOT_MATCH);
            }
        }
        Status::success()
    }
    fn pre_score(&self, state: &mut CycleState, pod: &PodInfo, nodes: &[&NodeInfo], snap: &Snapshot<'_>) -> Status {
        let (cs, system) = if has_constraints(pod) {
            (constraints(pod, false), false)
        } else {
            match default_selector(pod, snap) {
                Some(sel) => (
                    vec![
                        Constraint {
                            max_skew: 3,
                            topology_key: HOSTNAME.into(),
                            selector: sel.clone(),
                            min_domains: 1,
                        },
                        Constraint { max_skew: 5, topology_key: ZONE.into(), selector: sel, min_domains: 1 },
                    ],
                    true,
                ),
                None => (Vec::new(), false),
            }
        };
        if cs.is_empty() {
            return Status::skip();
        }
        // With the system defaults only the hostname is required; a node without a zone still
        // spreads by hostname.
        let required: Vec<&str> =
            if system { vec![HOSTNAME] } else { cs.iter().map(|c| c.topology_key.as_str()).collect() };
        let mut st = SpreadScoreState {
            ignored: nodes.iter().map(|n| !required.iter().all(|k| n.labels.contains_key(*k))).collect(),
            node_idx: nodes.iter().map(|n| n.idx).collect(),
            ..Default::default()
        };
        for c in &cs {
            let Some(domains) = snap.cache.domains(&c.topology_key) else {
                return Status::error("topology domains not ready");
            };
            let distinct = if c.topology_key == HOSTNAME {
                st.ignored.iter().filter(|ig| !**ig).count()
            } else {
                let mut seen = vec![false; domains.len()];
                for (n, ignored) in nodes.iter().zip(&st.ignored) {
                    if !ignored && let Some(d) = domains.of(n.idx) {
                        seen[d] = true;
                    }
                }
                seen.iter().filter(|s| **s).count()
            };
            st.weights.push(((distinct + 2) as f64).ln());
            st.counts.push(if c.topology_key == HOSTNAME {
                let classes = matching_classes(snap.cache, &pod.namespace, &c.selector);
                SpreadCounts::ByNode(classes.iter().map(|c| c.id).collect())
            } else if distinct == 0 {
                // No scored node has the key (a cluster without zones): nothing to count.
                SpreadCounts::ByDomain(Vec::new())
            } else {
                let eligible = |i| eligible(pod, snap.cache, &required, i);
                SpreadCounts::ByDomain(count_matching(snap.cache, &pod.namespace, &c.selector, domains, &eligible))
            });
        }
        st.constraints = cs;
        state.spread_score = Some(st);
        Status::success()
    }
    fn score(&self, state: &CycleState, _: &PodInfo, node: &NodeInfo, snap: &Snapshot<'_>) -> i64 {
        let Some(st) = &state.spread_score else { return 0 };
        let mut score = 0.0;
        for ((c, counts), weight) in st.constraints.iter().zip(&st.counts).zip(&st.weights) {
            // A node lacking the hostname label is ignored (its score normalises to 0), so the
            // label need not be looked up here.
            let count = match counts {
                SpreadCounts::ByNode(classes) => snap.cache.groups.on_node(node.idx, classes),
                SpreadCounts::ByDomain(per_domain) => {
                    let Some(d) = snap.cache.domains(&c.topology_key).and_then(|d| d.of(node.idx)) else { continue };
                    per_domain.get(d).copied().unwrap_or(0)
                }
            };
            score += count as f64 * weight + (c.max_skew - 1) as f64;
        }
        score.round() as i64
    }
    fn normalize(&self, state: &CycleState, scores: &mut [i64]) {
        let Some(st) = &state.spread_score else { return };
        normalize_spread(scores, &st.ignored);
    }
}

/// Ignored nodes get 0; otherwise fewer matching pods scores higher, relative to the extremes.
pub fn normalize_spread(scores: &mut [i64], ignored: &[bool]) {
    let live = || scores.iter().zip(ignored).filter(|(_, ig)| !**ig).map(|(s, _)| *s);
    let (min, max) = (live().min().unwrap_or(0), live().max().unwrap_or(0));
    for (s, ig) in scores.iter_mut().zip(ignored) {
        *s = if *ig {
            0
        } else if max == 0 {
            MAX_NODE_SCORE
        } else {
            MAX_NODE_SCORE * (max + min - *s) / max
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_vector_e() {
        // One hostname constraint maxSkew 1 on 3 nodes (weight ln 5): 2, 1, 0 matching pods.
        let w = 5f64.ln();
        let mut raw: Vec<i64> = [2.0, 1.0, 0.0].iter().map(|c: &f64| (c * w).round() as i64).collect();
        assert_eq!(raw, [3, 2, 0]);
        normalize_spread(&mut raw, &[false, false, false]);
        assert_eq!(raw, [0, 33, 100]);
    }
}
