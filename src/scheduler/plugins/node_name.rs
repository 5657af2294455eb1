//! NodeName (Filter): a pod that names a node in `spec.nodeName` fits only that node.

use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "NodeName";
pub const ERR_REASON: &str = "node(s) didn't match the requested node name";

pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, _: &mut CycleState, pod: &PodInfo, _: &Snapshot<'_>) -> Status {
        if pod.node_name.is_none() { Status::skip() } else { Status::success() }
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> Status {
        match &pod.node_name {
            Some(n) if **n != *node.name => Status::unresolvable(ERR_REASON),
            _ => Status::success(),
        }
    }
}
