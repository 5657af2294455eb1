//! SchedulingGates (PreEnqueue): a pod with `spec.schedulingGates` waits outside the active queue
//! until every gate is removed.

use crate::scheduler::cache::PodInfo;
use crate::scheduler::framework::{Code, Plugin, Status, points};

pub const NAME: &str = "SchedulingGates";

pub struct SchedulingGates;

impl Plugin for SchedulingGates {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_ENQUEUE
    }
    fn pre_enqueue(&self, pod: &PodInfo) -> Status {
        if pod.scheduling_gates.is_empty() {
            return Status::success();
        }
        Status::new(
            Code::UnschedulableAndUnresolvable,
            format!("waiting for scheduling gates: {:?}", pod.scheduling_gates),
        )
    }
}
