//! Per-cycle data (upstream's `framework.CycleState`): what PreFilter and PreScore compute once for
//! the pod being scheduled, read by Filter and Score for every node. Typed fields instead of a map
//! of `any`, so reading it on each of 5,000 nodes costs a field access.

use std::collections::BTreeSet;

use crate::scheduler::plugins::inter_pod_affinity::{AffinityFilterState, AffinityScoreState};
use crate::scheduler::plugins::pod_topology_spread::{SpreadFilterState, SpreadScoreState};

/// State of one scheduling cycle.
#[derive(Debug, Default)]
pub struct CycleState {
    /// Plugins whose PreFilter returned Skip (bit i: the framework's i-th plugin): their Filter is
    /// not run. A profile holds each of the twenty registry plugins at most once, so 64 bits suffice.
    pub skip_filter: u64,
    /// Plugins whose PreScore returned Skip, as `skip_filter`: their Score is not run.
    pub skip_score: u64,
    /// Nodes a PreFilter restricted the pod to (NodeAffinity's `metadata.name` fields); `None` = all.
    pub node_names: Option<BTreeSet<String>>,
    pub spread_filter: Option<SpreadFilterState>,
    pub spread_score: Option<SpreadScoreState>,
    pub affinity_filter: Option<AffinityFilterState>,
    pub affinity_score: Option<AffinityScoreState>,
}
