//! DefaultPreemption's algorithm (upstream's `preemption.Evaluator`): when no node fits, find nodes
//! where evicting lower-priority pods would make room, choose the victims on each (the fewest,
//! reprieving the most important first), pick the node in upstream's order of criteria, and report
//! why preemption could not help otherwise. PodDisruptionBudgets are not consulted (none is
//! violated, as if every budget allowed the disruption).

use std::sync::Arc;

use super::cache::{Cache, NodeInfo, PodInfo};
use super::framework::{Code, CycleState, Framework, Listers, Snapshot, Status};
use super::schedule_one::{FitError, histogram};
use crate::sim::Rng;

pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";

/// What preemption decided.
#[derive(Debug, Clone, Default)]
pub struct Preemption {
    pub node: Option<String>,
    pub victims: Vec<Arc<PodInfo>>,
    /// The PostFilter message (empty on success).
    pub message: String,
}

/// The victims on `node`, or `None` if removing every lower-priority pod still does not help.
fn select_victims(
    filters: &[&dyn super::framework::Plugin],
    state: &CycleState,
    pod: &PodInfo,
    node: &NodeInfo,
    snap: &Snapshot<'_>,
) -> Option<Vec<Arc<PodInfo>>> {
    let mut trial = node.clone();
    let mut potential: Vec<Arc<PodInfo>> = node.pods.iter().filter(|p| p.priority < pod.priority).cloned().collect();
    if potential.is_empty() {
        return None;
    }
    for p in &potential {
        trial.remove_pod(&p.key);
    }
    if !Framework::run_filters(filters, state, pod, &trial, snap).is_success() {
        return None;
    }
    // The most important first: higher priority, then the one that started earlier.
    potential.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.start_time.cmp(&b.start_time)));
    let mut victims = Vec::new();
    for p in potential {
        trial.add_pod(p.clone());
        if !Framework::run_filters(filters, state, pod, &trial, snap).is_success() {
            trial.remove_pod(&p.key);
            victims.push(p);
        }
    }
    Some(victims)
}

/// Runs preemption for `pod` after `fit` (every node rejected it).
#[allow(clippy::too_many_arguments)]
pub fn preempt(
    fw: &Framework,
    cache: &Cache,
    listers: &Listers,
    state: &CycleState,
    pod: &PodInfo,
    fit: &FitError,
    rng: &mut Rng,
) -> Preemption {
    if pod.preempt_never {
        return Preemption {
            message: "preemption: not eligible due to preemptionPolicy=Never.".into(),
            ..Default::default()
        };
    }
    if let Some(nominated) = pod.nominated_node.as_deref().and_then(|n| cache.node_by_name(n))
        && nominated.pods.iter().any(|p| p.terminating && p.priority < pod.priority)
    {
        return Preemption {
            message: "preemption: not eligible due to a terminating pod on the nominated node.".into(),
            ..Default::default()
        };
    }
    let snap = Snapshot { cache, listers, num_nodes: fit.num_all_nodes };
    let filters = fw.active_filters(state);
    let potential: Vec<&NodeInfo> = fit
        .statuses
        .iter()
        .filter(|(_, s)| s.code == Code::Unschedulable)
        .filter_map(|(n, _)| cache.node_by_name(n))
        .collect();
    let mut verdicts: Vec<Status> = fit
        .statuses
        .iter()
        .filter(|(_, s)| s.code != Code::Unschedulable)
        .map(|_| Status::unresolvable(NOT_HELPFUL))
        .collect();
    let n = potential.len();
    let wanted = ((fit.num_all_nodes as i64 * fw.profile.min_candidate_nodes_percentage / 100)
        .max(fw.profile.min_candidate_nodes_absolute) as usize)
        .min(n);
    let offset = if n == 0 { 0 } else { rng.below(n as u64) as usize };
    let mut candidates: Vec<(&NodeInfo, Vec<Arc<PodInfo>>)> = Vec::new();
    for k in 0..n {
        let node = potential[(offset + k) % n];
        match select_victims(&filters, state, pod, node, &snap) {
            Some(v) if !v.is_empty() => {
                candidates.push((node, v));
                if candidates.len() >= wanted {
                    break;
                }
            }
            _ => verdicts.push(Status::unschedulable(NO_VICTIMS)),
        }
    }
    if candidates.is_empty() {
        let message =
            format!("preemption: 0/{} nodes are available: {}.", fit.num_all_nodes, histogram(verdicts.iter()));
        return Preemption { message, ..Default::default() };
    }
    // pickOneNodeForPreemption: lowest highest-victim priority, lowest sum of priorities, fewest
    // victims, latest earliest start among the highest-priority victims, then the first.
    let key = |v: &Vec<Arc<PodInfo>>| {
        let highest = v.iter().map(|p| p.priority).max().unwrap_or(i32::MIN);
        let sum: i64 = v.iter().map(|p| i64::from(p.priority) + (1i64 << 31)).sum();
        let earliest =
            v.iter().filter(|p| p.priority == highest).map(|p| p.start_time.clone()).min().unwrap_or_default();
        (highest, sum, v.len(), std::cmp::Reverse(earliest))
    };
    let mut best = 0;
    for (i, (_, v)) in candidates.iter().enumerate().skip(1) {
        if key(v) < key(&candidates[best].1) {
            best = i;
        }
    }
    let (node, victims) = candidates.swap_remove(best);
    Preemption { node: Some(node.name.to_string()), victims, message: String::new() }
}
