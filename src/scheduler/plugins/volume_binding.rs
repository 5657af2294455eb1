//! VolumeBinding: a pod's PersistentVolumeClaims must exist; an unbound claim of an Immediate
//! storage class blocks the pod until the PV controller binds it; a bound volume's node affinity
//! restricts the nodes. Claims waiting for their first consumer are assumed provisionable
//! anywhere (the simulation's provisioner has no topology).

use crate::api::Object;
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

use super::node_affinity::term_matches;

pub const NAME: &str = "VolumeBinding";
pub const ERR_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";
pub const ERR_NODE_CONFLICT: &str = "node(s) didn't match PersistentVolume's node affinity";

pub struct VolumeBinding;

/// The PVs bound to the pod's claims.
pub fn bound_volumes<'a>(pod: &PodInfo, snap: &Snapshot<'a>) -> Vec<&'a Object> {
    pod.pvcs
        .iter()
        .filter_map(|c| snap.listers.pvcs.get(&format!("{}/{c}", pod.namespace)))
        .filter_map(|pvc| match pvc {
            Object::PersistentVolumeClaim(p) => p.spec.as_ref().and_then(|s| s.volume_name.clone()),
            _ => None,
        })
        .filter_map(|pv| snap.listers.pvs.get(&pv))
        .collect()
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER | points::RESERVE | points::PRE_BIND
    }
    fn pre_filter(&self, _: &mut CycleState, pod: &PodInfo, snap: &Snapshot<'_>) -> Status {
        if pod.pvcs.is_empty() {
            return Status::skip();
        }
        for claim in &pod.pvcs {
            let Some(Object::PersistentVolumeClaim(pvc)) = snap.listers.pvcs.get(&format!("{}/{claim}", pod.namespace))
            else {
                return Status::unresolvable(format!("persistentvolumeclaim \"{claim}\" not found"));
            };
            let spec = pvc.spec.as_ref();
            if spec.and_then(|s| s.volume_name.as_deref()).is_some_and(|v| !v.is_empty()) {
                continue;
            }
            let class = spec.and_then(|s| s.storage_class_name.clone()).unwrap_or_default();
            let wait = match snap.listers.storage_classes.get(&class) {
                Some(Object::StorageClass(sc)) => sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"),
                _ => false,
            };
            if !wait {
                return Status::unresolvable(ERR_UNBOUND_IMMEDIATE);
            }
        }
        Status::success()
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, snap: &Snapshot<'_>) -> Status {
        for pv in bound_volumes(pod, snap) {
            let Object::PersistentVolume(pv) = pv else { continue };
            let required = pv.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.as_ref());
            if let Some(r) = required
                && !r.node_selector_terms.iter().any(|t| term_matches(t, &node.name, &node.labels))
            {
                return Status::unresolvable(ERR_NODE_CONFLICT);
            }
        }
        Status::success()
    }
}
