//! Rows of PersistentVolumes and PersistentVolumeClaims, as upstream's printPersistentVolume and
//! printPersistentVolumeClaim print them (v1.36: with the VOLUMEATTRIBUTESCLASS column).

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

use super::{Cells, RowCtx, age};

/// The beta annotation older objects carry their class in.
const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// `GetAccessModesAsString`: the short forms in upstream's fixed order, whatever the spec's order.
fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.map(Vec::as_slice).unwrap_or_default();
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(long, _)| modes.iter().any(|m| m == long))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

fn storage(map: Option<&BTreeMap<String, Quantity>>) -> String {
    map.and_then(|m| m.get("storage")).map(|q| q.0.clone()).unwrap_or_default()
}

/// The class: `spec.storageClassName`, else the beta annotation.
fn class(spec_class: Option<&String>, annotations: Option<&BTreeMap<String, String>>) -> String {
    spec_class.or_else(|| annotations.and_then(|a| a.get(BETA_CLASS))).cloned().unwrap_or_default()
}

fn phase(deleting: bool, phase: Option<&String>) -> String {
    if deleting { "Terminating".into() } else { phase.cloned().unwrap_or_default() }
}

fn unset(v: Option<&String>) -> String {
    v.cloned().unwrap_or_else(|| "<unset>".into())
}

pub fn pv_cells(pv: &PersistentVolume, ctx: &RowCtx) -> Cells {
    let spec = pv.spec.as_ref();
    let status = pv.status.as_ref();
    let claim = spec
        .and_then(|s| s.claim_ref.as_ref())
        .map(|c| format!("{}/{}", c.namespace.as_deref().unwrap_or(""), c.name.as_deref().unwrap_or("")))
        .unwrap_or_default();
    vec![
        pv.metadata.name.clone().unwrap_or_default(),
        storage(spec.and_then(|s| s.capacity.as_ref())),
        access_modes(spec.and_then(|s| s.access_modes.as_ref())),
        spec.and_then(|s| s.persistent_volume_reclaim_policy.clone()).unwrap_or_default(),
        phase(pv.metadata.deletion_timestamp.is_some(), status.and_then(|s| s.phase.as_ref())),
        claim,
        class(spec.and_then(|s| s.storage_class_name.as_ref()), pv.metadata.annotations.as_ref()),
        unset(spec.and_then(|s| s.volume_attributes_class_name.as_ref())),
        status.and_then(|s| s.reason.clone()).unwrap_or_default(),
        age(&pv.metadata, ctx),
        unset(spec.and_then(|s| s.volume_mode.as_ref())),
    ]
}

pub fn pvc_cells(pvc: &PersistentVolumeClaim, ctx: &RowCtx) -> Cells {
    let spec = pvc.spec.as_ref();
    let status = pvc.status.as_ref();
    let volume = spec.and_then(|s| s.volume_name.clone()).unwrap_or_default();
    // Capacity and access modes are the bound volume's, so they show only once there is one.
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (storage(status.and_then(|s| s.capacity.as_ref())), access_modes(status.and_then(|s| s.access_modes.as_ref())))
    };
    vec![
        pvc.metadata.name.clone().unwrap_or_default(),
        phase(pvc.metadata.deletion_timestamp.is_some(), status.and_then(|s| s.phase.as_ref())),
        volume,
        capacity,
        modes,
        class(spec.and_then(|s| s.storage_class_name.as_ref()), pvc.metadata.annotations.as_ref()),
        unset(spec.and_then(|s| s.volume_attributes_class_name.as_ref())),
        age(&pvc.metadata, ctx),
        unset(spec.and_then(|s| s.volume_mode.as_ref())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_print_short_in_upstream_order() {
        let modes = vec!["ReadWriteMany".to_string(), "ReadWriteOnce".to_string()];
        assert_eq!(access_modes(Some(&modes)), "RWO,RWX");
        assert_eq!(access_modes(None), "");
    }
}
