//! VolumeZone (Filter): a pod using a bound PersistentVolume labelled with a zone or region fits
//! only nodes in that zone or region.

use crate::api::Object;
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

use super::volume_binding::bound_volumes;

pub const NAME: &str = "VolumeZone";
pub const ERR_REASON: &str = "node(s) had no available volume zone";
const TOPOLOGY_LABELS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
];

pub struct VolumeZone;

impl Plugin for VolumeZone {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, _: &mut CycleState, pod: &PodInfo, _: &Snapshot<'_>) -> Status {
        if pod.pvcs.is_empty() { Status::skip() } else { Status::success() }
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, snap: &Snapshot<'_>) -> Status {
        for pv in bound_volumes(pod, snap) {
            let Object::PersistentVolume(pv) = pv else { continue };
            for (k, v) in pv.metadata.labels.iter().flatten() {
                if !TOPOLOGY_LABELS.contains(&k.as_str()) {
                    continue;
                }
                // A volume label may list several zones separated by "__".
                let zones: Vec<&str> = v.split("__").collect();
                if !node.labels.get(k).is_some_and(|nv| zones.contains(&nv.as_str())) {
                    return Status::unresolvable(ERR_REASON);
                }
            }
        }
        Status::success()
    }
}
