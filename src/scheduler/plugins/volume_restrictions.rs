//! VolumeRestrictions (PreFilter): a PersistentVolumeClaim with the ReadWriteOncePod access mode
//! may be used by one pod only. (Upstream also checks in-tree disk conflicts; the simulation has
//! no in-tree disk volumes.)

use crate::api::Object;
use crate::scheduler::cache::PodInfo;
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "VolumeRestrictions";
pub const ERR_READ_WRITE_ONCE_POD: &str =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

pub struct VolumeRestrictions;

impl Plugin for VolumeRestrictions {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, _: &mut CycleState, pod: &PodInfo, snap: &Snapshot<'_>) -> Status {
        if pod.pvcs.is_empty() {
            return Status::skip();
        }
        for claim in &pod.pvcs {
            let Some(Object::PersistentVolumeClaim(pvc)) = snap.listers.pvcs.get(&format!("{}/{claim}", pod.namespace))
            else {
                continue;
            };
            let rwop = pvc
                .spec
                .as_ref()
                .and_then(|s| s.access_modes.as_ref())
                .is_some_and(|m| m.iter().any(|a| a == "ReadWriteOncePod"));
            if !rwop {
                continue;
            }
            let used = snap.cache.nodes().any(|n| {
                n.pods.iter().any(|p| p.key != pod.key && p.namespace == pod.namespace && p.pvcs.contains(claim))
            });
            if used {
                return Status::unresolvable(ERR_READ_WRITE_ONCE_POD);
            }
        }
        Status::skip()
    }
}
