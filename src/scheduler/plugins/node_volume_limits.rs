//! NodeVolumeLimits (Filter): upstream counts CSI volumes against the limits a CSINode reports. The
//! simulation has no CSI drivers and no CSINode objects, so no node has a limit: the plugin is
//! present (for the order and the explanation) and always skips.

use crate::scheduler::cache::PodInfo;
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "NodeVolumeLimits";

pub struct NodeVolumeLimits;

impl Plugin for NodeVolumeLimits {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, _: &mut CycleState, _: &PodInfo, _: &Snapshot<'_>) -> Status {
        Status::skip()
    }
}
