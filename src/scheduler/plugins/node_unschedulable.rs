//! NodeUnschedulable (Filter): a cordoned node (`spec.unschedulable`) takes only pods that
//! tolerate the `node.kubernetes.io/unschedulable:NoSchedule` taint.

use k8s_openapi::api::core::v1::Taint;

use super::helper::tolerated;
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "NodeUnschedulable";
pub const ERR_REASON: &str = "node(s) were unschedulable";

pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::FILTER
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> Status {
        if !node.unschedulable {
            return Status::success();
        }
        let taint =
            Taint { key: "node.kubernetes.io/unschedulable".into(), effect: "NoSchedule".into(), ..Default::default() };
        if tolerated(&pod.tolerations, &taint) { Status::success() } else { Status::unresolvable(ERR_REASON) }
    }
}
