//! NodePorts (Filter): a pod asking for host ports fits only nodes where no pod holds the same
//! protocol and port on a conflicting IP (`0.0.0.0` conflicts with every IP).

use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "NodePorts";
pub const ERR_REASON: &str = "node(s) didn't have free ports for the requested pod ports";

pub struct NodePorts;

impl Plugin for NodePorts {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, _: &mut CycleState, pod: &PodInfo, _: &Snapshot<'_>) -> Status {
        if pod.host_ports.is_empty() { Status::skip() } else { Status::success() }
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> Status {
        let conflict = pod.host_ports.iter().any(|want| {
            node.used_ports.iter().any(|used| {
                used.port == want.port
                    && used.protocol == want.protocol
                    && (used.ip == want.ip || used.ip == "0.0.0.0" || want.ip == "0.0.0.0")
            })
        });
        if conflict { Status::unschedulable(ERR_REASON) } else { Status::success() }
    }
}
