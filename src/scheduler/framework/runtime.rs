//! The framework runtime (upstream's `frameworkImpl`): a profile's plugins sorted into extension
//! points, and the loops that run them. Filter stops at the first plugin that rejects a node;
//! Score runs every scoring plugin on every feasible node, normalises and applies weights.

use super::status::{Code, Status};
use super::{CycleState, MAX_NODE_SCORE, Plugin, Snapshot, points};
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::config::Profile;
use crate::scheduler::plugins;

/// The per-plugin scores of one cycle: the explanation keeps it as is. Flat and plugin-major, so a
/// cycle allocates three vectors, not two per scoring plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreTable {
    /// (plugin, weight), in score order.
    pub plugins: Vec<(&'static str, i64)>,
    /// Feasible nodes scored (the row length of `raw` and `normalized`).
    pub nodes: usize,
    /// `raw[p * nodes + n]`: plugin p's score of feasible node n before normalisation.
    raw: Vec<i64>,
    /// After NormalizeScore (equal to raw for plugins without one), laid out as `raw`.
    normalized: Vec<i64>,
    /// Σ normalized × weight per node.
    pub totals: Vec<i64>,
}

impl ScoreTable {
    /// Plugin `p`'s (raw, normalised) score of feasible node `n`.
    pub fn score(&self, p: usize, n: usize) -> (i64, i64) {
        let at = p * self.nodes + n;
        (self.raw.get(at).copied().unwrap_or(0), self.normalized.get(at).copied().unwrap_or(0))
    }
}

/// A profile's plugins, ready to run.
pub struct Framework {
    pub profile: Profile,
    plugins: Vec<Box<dyn Plugin>>,
    pre_enqueue: Vec<usize>,
    pre_filter: Vec<usize>,
    filter: Vec<usize>,
    pre_score: Vec<usize>,
    score: Vec<(usize, i64)>,
    reserve: Vec<usize>,
    permit: Vec<usize>,
    pre_bind: Vec<usize>,
    /// DefaultPreemption is enabled at PostFilter.
    pub preemption: bool,
    /// PrioritySort orders the queue (the only QueueSort plugin).
    pub priority_sort: bool,
}

impl std::fmt::Debug for Framework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Framework").field("profile", &self.profile.scheduler_name).finish_non_exhaustive()
    }
}

impl Framework {
    /// Builds the framework of `profile`.
    pub fn new(profile: &Profile) -> Self {
        let mut fw = Framework {
            profile: profile.clone(),
            plugins: Vec::new(),
            pre_enqueue: Vec::new(),
            pre_filter: Vec::new(),
            filter: Vec::new(),
            pre_score: Vec::new(),
            score: Vec::new(),
            reserve: Vec::new(),
            permit: Vec::new(),
            pre_bind: Vec::new(),
            preemption: false,
            priority_sort: false,
        };
        for set in &profile.plugins {
            let Some(plugin) = plugins::new_plugin(&set.name, profile) else { continue };
            let p = plugin.points() & !set.disabled_points;
            let i = fw.plugins.len();
            let add = |bit: u32, list: &mut Vec<usize>| {
                if p & bit != 0 {
                    list.push(i);
                }
            };
            add(points::PRE_ENQUEUE, &mut fw.pre_enqueue);
            add(points::PRE_FILTER, &mut fw.pre_filter);
            add(points::FILTER, &mut fw.filter);
            add(points::PRE_SCORE, &mut fw.pre_score);
            add(points::RESERVE, &mut fw.reserve);
            add(points::PERMIT, &mut fw.permit);
            add(points::PRE_BIND, &mut fw.pre_bind);
            if p & points::SCORE != 0 && set.weight > 0 {
                fw.score.push((i, set.weight));
            }
            if p & points::POST_FILTER != 0 {
                fw.preemption = true;
            }
            if p & points::QUEUE_SORT != 0 {
                fw.priority_sort = true;
            }
            fw.plugins.push(plugin);
        }
        fw
    }

    pub fn name(&self) -> &str {
        &self.profile.scheduler_name
    }

    fn plugin(&self, i: usize) -> Option<&dyn Plugin> {
        self.plugins.get(i).map(|p| p.as_ref())
    }

    /// PreEnqueue: the first rejection keeps the pod out of the active queue.
    pub fn run_pre_enqueue(&self, pod: &PodInfo) -> Status {
        for p in self.pre_enqueue.iter().filter_map(|&i| self.plugin(i)) {
            let s = p.pre_enqueue(pod);
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        Status::success()
    }

    /// PreFilter: a rejection ends the cycle for every node; Skip removes the plugin's Filter.
    pub fn run_pre_filter(&self, state: &mut CycleState, pod: &PodInfo, snap: &Snapshot<'_>) -> Status {
        for &i in &self.pre_filter {
            let Some(p) = self.plugin(i) else { continue };
            let s = p.pre_filter(state, pod, snap);
            match s.code {
                Code::Success => {}
                Code::Skip => state.skip_filter |= 1 << i,
                _ => return s.with_plugin(p.name()),
            }
        }
        Status::success()
    }

    /// The Filter plugins that run for this pod, in order.
    pub fn active_filters(&self, state: &CycleState) -> Vec<&dyn Plugin> {
        self.filter.iter().filter(|&&i| state.skip_filter & (1 << i) == 0).filter_map(|&i| self.plugin(i)).collect()
    }

    /// Filter on one node: the first rejection, or success.
    pub fn run_filters(
        filters: &[&dyn Plugin],
        state: &CycleState,
        pod: &PodInfo,
        node: &NodeInfo,
        snap: &Snapshot<'_>,
    ) -> Status {
        for p in filters {
            let s = p.filter(state, pod, node, snap);
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        Status::success()
    }

    /// Filter with the node's nominated pods of equal or higher priority counted as if running
    /// there (upstream's RunFilterPluginsWithNominatedPods): a preemptor's room is not taken.
    pub fn run_filters_with_nominated(
        filters: &[&dyn Plugin],
        state: &CycleState,
        pod: &PodInfo,
        node: &NodeInfo,
        snap: &Snapshot<'_>,
    ) -> Status {
        if !snap.cache.has_nominations() {
            return Self::run_filters(filters, state, pod, node, snap);
        }
        let mut nominated = snap
            .cache
            .nominated_on(&node.name)
            .filter(|p| p.key != pod.key && p.priority >= pod.priority && !node.pods.iter().any(|q| q.key == p.key))
            .peekable();
        if nominated.peek().is_some() {
            let mut with = node.clone();
            for p in nominated {
                with.add_pod(p.clone());
            }
            let s = Self::run_filters(filters, state, pod, &with, snap);
            if !s.is_success() {
                return s;
            }
        }
        Self::run_filters(filters, state, pod, node, snap)
    }

    /// PreScore then Score, NormalizeScore and weights over the feasible `nodes`.
    pub fn run_scores(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        nodes: &[&NodeInfo],
        snap: &Snapshot<'_>,
    ) -> Result<ScoreTable, Status> {
        for &i in &self.pre_score {
            let Some(p) = self.plugin(i) else { continue };
            let s = p.pre_score(state, pod, nodes, snap);
            match s.code {
                Code::Success => {}
                Code::Skip => state.skip_score |= 1 << i,
                _ => return Err(s.with_plugin(p.name())),
            }
        }
        let mut table = ScoreTable { nodes: nodes.len(), totals: vec![0; nodes.len()], ..ScoreTable::default() };
        let rows = self.score.len() * nodes.len();
        table.raw.reserve_exact(rows);
        table.normalized.reserve_exact(rows);
        for &(i, weight) in &self.score {
            let Some(p) = self.plugin(i) else { continue };
            if state.skip_score & (1 << i) != 0 {
                continue;
            }
            let from = table.raw.len();
            table.raw.extend(nodes.iter().map(|n| p.score(state, pod, n, snap)));
            table.normalized.extend_from_slice(&table.raw[from..]);
            let normalized = &mut table.normalized[from..];
            p.normalize(state, normalized);
            if let Some(s) = normalized.iter().find(|s| !(0..=MAX_NODE_SCORE).contains(*s)) {
                return Err(Status::error(format!(
                    "plugin {:?} returns an invalid score {s}, it should in the range of [0, 100] after normalizing",
                    p.name()
                )));
            }
            for (t, s) in table.totals.iter_mut().zip(normalized.iter()) {
                *t += s * weight;
            }
            table.plugins.push((p.name(), weight));
        }
        Ok(table)
    }

    /// Reserve, Permit and PreBind, in that order; the first failure wins.
    pub fn run_binding_points(&self, state: &mut CycleState, pod: &PodInfo, node: &str) -> Status {
        for p in self.reserve.iter().filter_map(|&i| self.plugin(i)) {
            let s = p.reserve(state, pod, node);
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        for p in self.permit.iter().filter_map(|&i| self.plugin(i)) {
            let s = p.permit(state, pod, node);
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        for p in self.pre_bind.iter().filter_map(|&i| self.plugin(i)) {
            let s = p.pre_bind(state, pod, node);
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        Status::success()
    }
}
