//! One scheduling cycle's algorithm (upstream's `schedulePod`): PreFilter, Filter over a sample of
//! nodes starting where the last cycle stopped (percentageOfNodesToScore), Score, and the choice
//! of the best node with ties broken from the scheduler's seeded stream. Pure over the cache: the
//! scheduler process and the benchmark call it alike.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::cache::{Cache, NodeInfo, PodInfo};
use super::explain::{Attempt, Decision, NodeVerdict};
use super::framework::{Code, CycleState, Framework, Listers, Snapshot, Status};
use super::plugins::pod_topology_spread::{HOSTNAME, ZONE};
use crate::sim::{Rng, Time};

const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: i64 = 5;

/// How many feasible nodes to look for among `num_all_nodes` (`numFeasibleNodesToFind`).
pub fn num_feasible_nodes_to_find(percentage: i32, num_all_nodes: usize) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100 {
        return num_all_nodes;
    }
    let mut pct = i64::from(percentage);
    if pct <= 0 {
        pct = (50 - num_all_nodes as i64 / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    }
    let n = (num_all_nodes as i64 * pct / 100) as usize;
    n.max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// Why no node was chosen (upstream's `FitError`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FitError {
    pub num_all_nodes: usize,
    /// The PreFilter rejection, if that is where the cycle ended.
    pub pre_filter: Option<Status>,
    /// Each examined node's rejection.
    pub statuses: Vec<(Arc<str>, Status)>,
    /// PostFilter's (preemption's) message, already prefixed.
    pub post_filter_msg: String,
}

impl FitError {
    /// `0/N nodes are available: ...`, exactly as `FitError.Error()` words it.
    pub fn message(&self) -> String {
        let mut msg = format!("0/{} nodes are available:", self.num_all_nodes);
        match &self.pre_filter {
            Some(s) => msg.push_str(&format!(" {}.", s.message())),
            None => msg.push_str(&format!(" {}.", histogram(self.statuses.iter().map(|(_, s)| s)))),
        }
        if !self.post_filter_msg.is_empty() {
            msg.push(' ');
            msg.push_str(&self.post_filter_msg);
        }
        msg
    }
}

/// Reasons counted over nodes, `"<count> <reason>"` sorted as strings, joined with ", ".
pub fn histogram<'a>(statuses: impl Iterator<Item = &'a Status>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in statuses {
        for r in &s.reasons {
            *counts.entry(r.as_str()).or_insert(0) += 1;
        }
    }
    let mut parts: Vec<String> = counts.into_iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    parts.join(", ")
}

/// The scheduler's message when the cluster has no nodes.
pub const NO_NODES: &str = "no nodes available to schedule pods";

/// What a cycle produced.
#[derive(Debug)]
pub struct CycleResult {
    pub result: Result<String, CycleFailure>,
    pub state: CycleState,
    pub attempt: Attempt,
}

/// A failed cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CycleFailure {
    Fit(FitError),
    NoNodes,
    Error(String),
}

/// Topology keys the cycle needs domains for and the cache has not indexed yet (usually none,
/// so nothing is allocated per cycle).
fn missing_topology_keys(pod: &PodInfo, cache: &Cache) -> BTreeSet<String> {
    let terms = pod
        .required_affinity
        .iter()
        .chain(&pod.required_anti_affinity)
        .chain(&pod.preferred_affinity)
        .chain(&pod.preferred_anti_affinity)
        .map(|t| t.topology_key.as_str());
    let spread = pod
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .into_iter()
        .flatten()
        .map(|c| c.topology_key.as_str());
    let groups = cache.groups.terms.values().map(|g| g.term.topology_key.as_str());
    [HOSTNAME, ZONE]
        .into_iter()
        .chain(terms)
        .chain(spread)
        .chain(groups)
        .filter(|k| cache.domains(k).is_none())
        .map(str::to_string)
        .collect()
}

/// Runs one cycle for `pod`. `next_start` is the round-robin index into the node order; the
/// caller stamps the attempt's time.
pub fn schedule_pod(
    fw: &Framework,
    cache: &mut Cache,
    listers: &Listers,
    pod: &PodInfo,
    rng: &mut Rng,
    next_start: &mut usize,
    global_percentage: i32,
) -> CycleResult {
    for k in missing_topology_keys(pod, cache) {
        cache.ensure_domains(&k);
    }
    cache.order();
    let cache: &Cache = cache;
    let order = cache.built_order();
    let n = order.len();
    let mut attempt = Attempt {
        at: Time::ZERO,
        pod: pod.key.clone(),
        profile: fw.name().to_string(),
        nodes_total: n,
        nodes: cache.names(),
        rejected: Vec::new(),
        pre_filter: None,
        feasible: Vec::new(),
        scores: None,
        decision: Decision::Error(String::new()),
    };
    let mut state = CycleState::default();
    if n == 0 {
        attempt.decision = Decision::Unschedulable { message: NO_NODES.into(), nominated: None, victims: Vec::new() };
        return CycleResult { result: Err(CycleFailure::NoNodes), state, attempt };
    }
    let snap = Snapshot { cache, listers, num_nodes: n };
    let pre = fw.run_pre_filter(&mut state, pod, &snap);
    if !pre.is_success() {
        if pre.code == Code::Error {
            attempt.decision = Decision::Error(pre.message());
            return CycleResult { result: Err(CycleFailure::Error(pre.message())), state, attempt };
        }
        // Every node gets the PreFilter's status.
        let fit = FitError {
            num_all_nodes: n,
            pre_filter: Some(pre.clone()),
            statuses: order.iter().filter_map(|&i| cache.node(i)).map(|ni| (ni.name.clone(), pre.clone())).collect(),
            post_filter_msg: String::new(),
        };
        attempt.pre_filter = Some(pre);
        return CycleResult { result: Err(CycleFailure::Fit(fit)), state, attempt };
    }
    let filters = fw.active_filters(&state);
    let mut feasible: Vec<&NodeInfo> = Vec::new();
    let mut statuses: Vec<(Arc<str>, Status)> = Vec::new();

    // A nominated node (from an earlier preemption) is tried first.
    if let Some(nominated) = pod.nominated_node.as_deref().and_then(|name| cache.node_by_name(name))
        && nominated.node.is_some()
        && Framework::run_filters_with_nominated(&filters, &state, pod, nominated, &snap).is_success()
    {
        feasible.push(nominated);
    }

    if feasible.is_empty() {
        // Borrowed in the common case: copying 5,000 node indexes per pod showed in the benchmark.
        let candidates: std::borrow::Cow<'_, [usize]> = match &state.node_names {
            Some(names) => names
                .iter()
                .filter_map(|nm| cache.node_by_name(nm))
                .filter(|ni| ni.node.is_some())
                .map(|ni| ni.idx)
                .collect::<Vec<_>>()
                .into(),
            None => order.into(),
        };
        let total = candidates.len();
        let pct = fw.profile.percentage_of_nodes_to_score.unwrap_or(global_percentage);
        let want = num_feasible_nodes_to_find(pct, total);
        let start = if total == 0 { 0 } else { *next_start % total };
        feasible.reserve(want.min(total));
        let mut processed = 0;
        // From `start` round to just before it, without a modulo per node.
        let (before, from) = candidates.split_at(start.min(total));
        for &i in from.iter().chain(before) {
            let Some(info) = cache.node(i) else { continue };
            processed += 1;
            let s = Framework::run_filters_with_nominated(&filters, &state, pod, info, &snap);
            if s.is_success() {
                feasible.push(info);
                if feasible.len() >= want {
                    break;
                }
            } else {
                attempt.rejected.push(NodeVerdict {
                    node: info.idx,
                    plugin: s.plugin,
                    code: s.code,
                    reasons: s.reasons.clone(),
                });
                statuses.push((info.name.clone(), s));
            }
        }
        if state.node_names.is_none() && total > 0 {
            *next_start = (start + processed) % total;
        }
        if let Some(names) = &state.node_names {
            // Nodes PreFilter ruled out count with NodeAffinity's reason.
            let reason = Status::unresolvable(super::plugins::node_affinity::ERR_REASON)
                .with_plugin(super::plugins::node_affinity::NAME);
            for &i in order {
                if let Some(ni) = cache.node(i)
                    && !names.contains(&*ni.name)
                {
                    statuses.push((ni.name.clone(), reason.clone()));
                }
            }
        }
    }

    if feasible.is_empty() {
        let fit = FitError { num_all_nodes: n, pre_filter: None, statuses, post_filter_msg: String::new() };
        return CycleResult { result: Err(CycleFailure::Fit(fit)), state, attempt };
    }
    attempt.feasible = feasible.iter().map(|f| f.idx).collect();
    if feasible.len() == 1 {
        let chosen = feasible[0].name.to_string();
        attempt.decision = Decision::Bound(chosen.clone());
        return CycleResult { result: Ok(chosen), state, attempt };
    }
    let table = match fw.run_scores(&mut state, pod, &feasible, &snap) {
        Ok(t) => t,
        Err(e) => {
            attempt.decision = Decision::Error(e.message());
            return CycleResult { result: Err(CycleFailure::Error(e.message())), state, attempt };
        }
    };
    // selectHost: the highest total; the k-th node tying it replaces the pick with probability 1/k.
    let mut best = 0usize;
    let mut ties = 0u64;
    let mut max = i64::MIN;
    for (i, &t) in table.totals.iter().enumerate() {
        if t > max {
            max = t;
            best = i;
            ties = 1;
        } else if t == max {
            ties += 1;
            if rng.below(ties) == 0 {
                best = i;
            }
        }
    }
    let chosen = feasible.get(best).map(|f| f.name.to_string()).unwrap_or_default();
    attempt.scores = Some(table);
    attempt.decision = Decision::Bound(chosen.clone());
    CycleResult { result: Ok(chosen), state, attempt }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentage_of_nodes_to_score_vectors() {
        let v: Vec<usize> = [100, 250, 300, 500, 1000, 2000, 5000, 6000, 10000]
            .iter()
            .map(|n| num_feasible_nodes_to_find(0, *n))
            .collect();
        assert_eq!(v, [100, 120, 144, 230, 420, 680, 500, 300, 500]);
        assert_eq!(num_feasible_nodes_to_find(0, 50), 50);
        assert_eq!(num_feasible_nodes_to_find(100, 5000), 5000);
        assert_eq!(num_feasible_nodes_to_find(30, 1000), 300);
        assert_eq!(num_feasible_nodes_to_find(1, 1000), 100);
    }

    #[test]
    fn histogram_sorts_as_strings() {
        let s = |r: &str| Status::unschedulable(r);
        let statuses = [s("node(s) had untolerated taint(s)"), s("Insufficient cpu"), s("Insufficient cpu")];
        assert_eq!(histogram(statuses.iter()), "1 node(s) had untolerated taint(s), 2 Insufficient cpu");
        let fit = FitError {
            num_all_nodes: 3,
            statuses: statuses.iter().map(|st| (Arc::from("n"), st.clone())).collect(),
            post_filter_msg: "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
                .into(),
            ..Default::default()
        };
        assert_eq!(
            fit.message(),
            "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
        );
    }
}
