//! The scheduling framework (upstream's `framework` package): the plugin interface with its
//! extension points, the per-cycle state, statuses, and the runtime that runs a profile's plugins
//! at each point in order.

pub mod cycle_state;
pub mod runtime;
pub mod status;

pub use cycle_state::CycleState;
pub use runtime::{Framework, ScoreTable};
pub use status::{Code, Status};

use super::cache::{Cache, NodeInfo, PodInfo};
use crate::client::Cache as ObjectCache;

/// Highest score a plugin may give a node after normalisation (`MaxNodeScore`).
pub const MAX_NODE_SCORE: i64 = 100;

/// Extension points, as bits.
pub mod points {
    pub const PRE_ENQUEUE: u32 = 1;
    pub const QUEUE_SORT: u32 = 1 << 1;
    pub const PRE_FILTER: u32 = 1 << 2;
    pub const FILTER: u32 = 1 << 3;
    pub const POST_FILTER: u32 = 1 << 4;
    pub const PRE_SCORE: u32 = 1 << 5;
    pub const SCORE: u32 = 1 << 6;
    pub const RESERVE: u32 = 1 << 7;
    pub const PERMIT: u32 = 1 << 8;
    pub const PRE_BIND: u32 = 1 << 9;
    pub const BIND: u32 = 1 << 10;

    /// The extension point names of a KubeSchedulerConfiguration's `plugins` section.
    pub fn by_name(name: &str) -> Option<u32> {
        Some(match name {
            "preEnqueue" => PRE_ENQUEUE,
            "queueSort" => QUEUE_SORT,
            "preFilter" => PRE_FILTER,
            "filter" => FILTER,
            "postFilter" => POST_FILTER,
            "preScore" => PRE_SCORE,
            "score" => SCORE,
            "reserve" => RESERVE,
            "permit" => PERMIT,
            "preBind" => PRE_BIND,
            "bind" => BIND,
            "multiPoint" => u32::MAX,
            _ => return None,
        })
    }
}

/// Objects other than nodes and pods that plugins read (upstream's informer listers).
#[derive(Debug, Default)]
pub struct Listers {
    pub services: ObjectCache,
    pub replica_sets: ObjectCache,
    pub stateful_sets: ObjectCache,
    pub pvcs: ObjectCache,
    pub pvs: ObjectCache,
    pub storage_classes: ObjectCache,
}

/// What a plugin sees of the cluster during a cycle.
#[derive(Clone, Copy)]
pub struct Snapshot<'a> {
    pub cache: &'a Cache,
    pub listers: &'a Listers,
    /// Number of nodes in the cluster.
    pub num_nodes: usize,
}

/// A scheduler plugin. Each method is one extension point; `points` says which ones it joins, and
/// the defaults do nothing.
pub trait Plugin {
    fn name(&self) -> &'static str;
    fn points(&self) -> u32;

    fn pre_enqueue(&self, _pod: &PodInfo) -> Status {
        Status::success()
    }

    fn pre_filter(&self, _state: &mut CycleState, _pod: &PodInfo, _snap: &Snapshot<'_>) -> Status {
        Status::success()
    }

    fn filter(&self, _state: &CycleState, _pod: &PodInfo, _node: &NodeInfo, _snap: &Snapshot<'_>) -> Status {
        Status::success()
    }

    fn pre_score(&self, _state: &mut CycleState, _pod: &PodInfo, _nodes: &[&NodeInfo], _snap: &Snapshot<'_>) -> Status {
        Status::success()
    }

    fn score(&self, _state: &CycleState, _pod: &PodInfo, _node: &NodeInfo, _snap: &Snapshot<'_>) -> i64 {
        0
    }

    /// NormalizeScore (ScoreExtensions): maps the raw scores of all filtered nodes to 0..=100.
    fn normalize(&self, _state: &CycleState, _scores: &mut [i64]) {}

    fn reserve(&self, _state: &mut CycleState, _pod: &PodInfo, _node: &str) -> Status {
        Status::success()
    }

    fn permit(&self, _state: &CycleState, _pod: &PodInfo, _node: &str) -> Status {
        Status::success()
    }

    fn pre_bind(&self, _state: &CycleState, _pod: &PodInfo, _node: &str) -> Status {
        Status::success()
    }
}
