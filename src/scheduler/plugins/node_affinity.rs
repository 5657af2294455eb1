//! NodeAffinity: Filter enforces `spec.nodeSelector` and the required node affinity; Score sums the
//! weights of the preferred terms a node matches. Node selector terms are ORed, the requirements
//! inside a term ANDed, as `nodeaffinity.NodeSelector` does.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{NodeSelectorRequirement, NodeSelectorTerm};

use super::helper::default_normalize_score;
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "NodeAffinity";
pub const ERR_REASON: &str = "node(s) didn't match Pod's node affinity/selector";

pub struct NodeAffinity;

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = r.values.as_deref().unwrap_or(&[]);
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(bound)) = (value.and_then(|v| v.parse::<i64>().ok()), values.first()) else {
                return false;
            };
            let Ok(bound) = bound.parse::<i64>() else { return false };
            if r.operator == "Gt" { v > bound } else { v < bound }
        }
        _ => false,
    }
}

/// Whether one node selector term matches a node (an empty term matches nothing).
pub fn term_matches(term: &NodeSelectorTerm, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
    let exprs = term.match_expressions.as_deref().unwrap_or(&[]);
    let fields = term.match_fields.as_deref().unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    exprs.iter().all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)))
        && fields.iter().all(|r| r.key == "metadata.name" && requirement_matches(r, Some(node_name)))
}

/// Whether the pod's nodeSelector and required node affinity admit the node.
pub fn pod_matches_node(pod: &PodInfo, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
    if let Some(sel) = pod.node_selector()
        && !sel.iter().all(|(k, v)| labels.get(k) == Some(v))
    {
        return false;
    }
    let required = pod.node_affinity().and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref());
    match required {
        Some(r) => r.node_selector_terms.iter().any(|t| term_matches(t, node_name, labels)),
        None => true,
    }
}

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, _: &Snapshot<'_>) -> Status {
        let required = pod.node_affinity().and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref());
        if pod.node_selector().is_none() && required.is_none() {
            return Status::skip();
        }
        // A DaemonSet pod names its node in matchFields: only those nodes need filtering.
        let mut names: Option<BTreeSet<String>> = None;
        for term in required.map(|r| r.node_selector_terms.as_slice()).unwrap_or(&[]) {
            let pinned: Option<BTreeSet<String>> = term
                .match_fields
                .iter()
                .flatten()
                .find(|f| f.key == "metadata.name" && f.operator == "In")
                .map(|f| f.values.iter().flatten().cloned().collect());
            match pinned {
                Some(p) => names.get_or_insert_with(BTreeSet::new).extend(p),
                None => {
                    names = None;
                    break;
                }
            }
        }
        if names.is_some() {
            state.node_names = names;
        }
        Status::success()
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> Status {
        if pod_matches_node(pod, &node.name, &node.labels) {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON)
        }
    }
    fn pre_score(&self, _: &mut CycleState, pod: &PodInfo, _: &[&NodeInfo], _: &Snapshot<'_>) -> Status {
        let preferred =
            pod.node_affinity().and_then(|a| a.preferred_during_scheduling_ignored_during_execution.as_ref());
        if preferred.is_none_or(|p| p.is_empty()) { Status::skip() } else { Status::success() }
    }
    fn score(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> i64 {
        let preferred =
            pod.node_affinity().and_then(|a| a.preferred_during_scheduling_ignored_during_execution.as_ref());
        preferred
            .into_iter()
            .flatten()
            .filter(|t| t.weight != 0 && term_matches(&t.preference, &node.name, &node.labels))
            .map(|t| i64::from(t.weight))
            .sum()
    }
    fn normalize(&self, _: &CycleState, scores: &mut [i64]) {
        default_normalize_score(false, scores);
    }
}
